//! The report section "Claims checked": each classic claim about threads,
//! processes, concurrency, parallelism and the GIL, the experiment that tests it
//! (workloads and runners), the numbers the cells measured (with units), and a
//! verdict computed from those numbers by a rule whose thresholds are the
//! constants below: **holds**, **does not hold**, **holds only …** (the data
//! support part of the claim), or **not measured in this run** when the cells it
//! needs are absent, do not apply or failed — never a verdict then. Where a claim
//! has a part the run did not measure (e.g. threads beyond the core count without
//! such a thread count), the verdict covers the parts measured and names the rest.
//!
//! Runners are found by what the results file says they are where that identifies
//! them: a runner with a global lock is the class concurrent-serialized; one OS
//! thread per task is the thread knob `per-task`; a single-threaded concurrent
//! runner is the class concurrent; an async task is spawned by a runner outside the
//! os-scheduler family; the runners whose thread count sets their parallelism are
//! the parallel classes with another knob. Claims about a specific runner name it
//! in the table of constants at the top ([`PROCESSES`], [`THREADS`],
//! [`THREAD_POOL`]): the only runner names in this module.
//!
//! A runner measured at several thread counts is compared at one point where a
//! claim needs one cell per runner: at the machine's logical core count when it ran
//! there, else the largest count below it, else its smallest ([`point_of`]).
//!
//! Each claim is one file implementing [`Claim`]: `derive` picks the cells and
//! computes the numbers into a typed finding (numbers, cell ids, a [`Verdict`]; no
//! prose), and `render` words that finding as a [`Check`]; the † footnote follows
//! from [`Check::extrapolated`]. Claim 5 is judged in two wordings on the same
//! cells, the second carried by [`Also`] (`5a`, `5b`). This file owns what the claims share: the ids and
//! thresholds, the verdicts and how parts combine into one ([`verdict_of`]), the
//! registry ([`CLAIMS`]) and the section. `finding.rs` holds the typed pieces
//! findings are made of, `run.rs` the lookups on the run, `locked.rs` what claims
//! 6 and 7 share, `interpreter.rs` what claims 5 to 7 say against a real
//! interpreter.
//!
//! The claims judge the `seq` group ([`crate::summary::Summarized::seq_group`]):
//! the runners whose speedups are taken against `seq`. Runners of another group
//! (the CPython runners, whose speedups are against `cpython-seq`) are never
//! judged beside them; claims 5 to 7 set the emulation of the GIL beside them in a
//! line of their own, *Against CPython* ([`interpreter`]), rendered only when
//! such runners ran. There the runner with threads under a real GIL is the class
//! concurrent-serialized within the other group, as the emulation is within the
//! `seq` group; the interpreter's worker processes are named
//! ([`CPYTHON_PROCESSES`]), since the interpreter's free-threaded threads share
//! their class, family and thread knob, and only a cell that ran records the
//! interpreter that tells them apart.

mod advice;
mod cores_bound;
mod finding;
mod gil_cpu;
mod gil_waits;
mod interpreter;
mod isolation;
mod lightweight;
mod locked;
mod message_passing;
mod one_core;
mod run;
#[cfg(test)]
mod tests;

pub(crate) use finding::CellRef;
use finding::*;
use locked::*;
use run::Run;
pub(crate) use run::point_of;

// Shared with the claim files, which `use super::*`.
use crate::fates::{self as crash, Fate};
use crate::format::{bytes, duration_us, thousands};
use crate::model::{Cell, Results, Status};
use crate::overhead::PER_TASK_KNOB;
use crate::summary::BASELINE_RUNNER;
use crate::table::{Align, Table};
use crate::text::{capitalise, escape_inline, join_and, sig3, times};
use rtcompare_api::{Class, Family};
use serde::Serialize;
use std::fmt::Write as _;

// ---------------------------------------------------------------------------
// The runners claims are about by name

/// Worker processes, one address space each: the processes of claims 1, 2 and 5.
pub(crate) const PROCESSES: &str = "processes";
/// One OS thread per task in one process: a threads side of claim 2.
pub(crate) const THREADS: &str = "threads";
/// N OS threads in one process: threads at the same count as [`PROCESSES`] and
/// the GIL (claims 2, 5, 6 and 7).
pub(crate) const THREAD_POOL: &str = "thread-pool";
/// Worker processes of a real interpreter, each with its own GIL: the
/// counterpart of [`PROCESSES`] in claim 5's line against CPython.
pub(crate) const CPYTHON_PROCESSES: &str = "cpython-processes";
/// Every runner this module names (the test that renames runners leaves these).
#[cfg(test)]
pub(crate) const NAMED_RUNNERS: [&str; 4] = [PROCESSES, THREADS, THREAD_POOL, CPYTHON_PROCESSES];

// ---------------------------------------------------------------------------
// Workloads and measures

use rtcompare_api::ids::metric::{
    NS_PER_HOP, NS_PER_TASK, NS_PER_UPDATE, RSS_PER_PROCESS_BYTES as RSS_PER_PROCESS,
    RSS_PER_TASK_BYTES as RSS_PER_TASK,
};
use rtcompare_api::ids::workload::{
    CHANNELS, CPU, SHARED_ASYNC_MUTEX, SHARED_ATOMIC, SHARED_MERGE, SHARED_MUTEX, SLEEP, SPAWN,
};
/// The shared-memory variants of the shared-state workloads, with a short name.
const SHARED_MEMORY: [(&str, &str); 3] = [
    (SHARED_ATOMIC, "atomic"),
    (SHARED_MUTEX, "mutex"),
    (SHARED_ASYNC_MUTEX, "async mutex"),
];

// ---------------------------------------------------------------------------
// Thresholds

/// Claim 1: a process is heavy next to a thread when it costs at least this many
/// times a thread to create and in memory: an order of magnitude.
const HEAVIER: f64 = 10.0;
/// Claims 3 and 6: a speedup over `seq` up to this is no gain (noise and a few
/// percent of scheduling either way).
const NO_GAIN: f64 = 1.1;
/// Claim 3: CPU utilisation up to this is one core.
const ONE_CORE: f64 = 1.1;
/// Claim 3: a speedup on waiting work from this up is large.
const LARGE: f64 = 10.0;
/// Claim 4: a speedup may exceed min(threads, cores) by this fraction before
/// the bound counts as broken (noise).
const BOUND_SLACK: f64 = 0.05;
/// Claim 4: threads beyond the cores buy nothing when they raise the speedup at
/// the core count by at most this factor.
const BEYOND_GAIN: f64 = 1.05;
/// Claims 5 and 7: a unit of execution helps when its speedup reaches this share
/// of the ideal gain, `1 + HELPS × (ideal − 1)`, where the ideal is min(N, cores)
/// on CPU work and N on waits (1.5× at N = 2).
const HELPS: f64 = 0.5;
/// Claims 5 to 7, against CPython: the emulation agrees with the interpreter
/// when each of its speedups is within this fraction of the interpreter's at
/// the same thread count (emulated ÷ CPython within 1 ± this). A GIL emulation
/// that switches threads on another schedule than CPython's may move a speedup
/// by a few percent; 15% is well inside the gap between a lock that serialises
/// (about 1×) and threads that run in parallel (about 2× on 2 cores).
const EMULATION_TOLERANCE: f64 = 0.15;

// ---------------------------------------------------------------------------
// Verdicts

/// What the data say about a claim.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) enum Verdict {
    /// Every measured part holds.
    Holds,
    /// No measured part holds.
    DoesNotHold,
    /// Some parts hold: `holds only {0}` (`when a message is sent per update`).
    HoldsOnly(String),
    /// The cells the claim needs are missing, do not apply or failed.
    NotMeasured,
}

impl Verdict {
    /// `holds`, `does not hold`, `holds only …`, `not measured in this run`.
    pub(crate) fn text(&self) -> String {
        match self {
            Verdict::Holds => "holds".into(),
            Verdict::DoesNotHold => "does not hold".into(),
            Verdict::HoldsOnly(when) => format!("holds only {when}"),
            Verdict::NotMeasured => "not measured in this run".into(),
        }
    }
}

/// One claim checked against the run, in words.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Check {
    /// The claim, as usually told.
    pub(crate) claim: String,
    /// The workloads and runners that test it.
    pub(crate) experiment: String,
    /// How the verdict follows from the numbers, thresholds included.
    pub(crate) rule: String,
    /// What the cells measured (empty when nothing was).
    pub(crate) measured: Vec<String>,
    /// The verdict.
    pub(crate) verdict: Verdict,
    /// Why, with the numbers; for [`Verdict::NotMeasured`], what is missing.
    pub(crate) why: String,
    /// Whether a speedup shown was scaled up from part of the work (marked †).
    pub(crate) extrapolated: bool,
    /// A second wording of the claim, judged on the same cells (claim 5).
    pub(crate) also: Option<Box<Also>>,
    /// The emulation beside a real interpreter (claims 5 to 7), when runners of
    /// an interpreter ran.
    pub(crate) against: Option<interpreter::AgainstWords>,
}

/// A second wording of a claim (`5b`), its own verdict, and notes said after
/// both verdicts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Also {
    /// The second wording.
    pub(crate) claim: String,
    pub(crate) verdict: Verdict,
    /// Why, with the numbers.
    pub(crate) why: String,
    /// Further lines after the verdicts: a label and its text.
    pub(crate) notes: Vec<(String, String)>,
}

/// How one part of a claim came out.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub(crate) enum PartVerdict {
    Holds,
    Fails,
    Unmeasured,
}

/// The verdict on a claim of several parts, each with the qualification under
/// which the claim holds when only that part does (`for memory`).
fn verdict_of(parts: &[(&str, PartVerdict)]) -> Verdict {
    let measured = parts
        .iter()
        .filter(|(_, p)| *p != PartVerdict::Unmeasured)
        .count();
    let holding: Vec<&str> = parts
        .iter()
        .filter(|(_, p)| *p == PartVerdict::Holds)
        .map(|(when, _)| *when)
        .collect();
    if measured == 0 {
        Verdict::NotMeasured
    } else if holding.len() == measured {
        Verdict::Holds
    } else if holding.is_empty() {
        Verdict::DoesNotHold
    } else {
        Verdict::HoldsOnly(holding.join(" and "))
    }
}

/// One part of a claim, in words.
enum Part {
    /// It holds, because …
    Holds(String),
    /// It does not hold, because …
    Fails(String),
    /// It was not measured: which part (`isolation`), and what is missing.
    Unmeasured(String, String),
}

impl Part {
    fn verdict(&self) -> PartVerdict {
        match self {
            Part::Holds(_) => PartVerdict::Holds,
            Part::Fails(_) => PartVerdict::Fails,
            Part::Unmeasured(..) => PartVerdict::Unmeasured,
        }
    }
}

/// The reasons for the parts of a claim, a sentence each: the first follows the
/// verdict's colon, the others start with a capital.
fn reasons(parts: Vec<Part>) -> String {
    reason_list(parts)
        .iter()
        .enumerate()
        .map(|(i, r)| if i == 0 { r.clone() } else { capitalise(r) })
        .collect::<Vec<_>>()
        .join(". ")
}

/// The reason for each part of a claim.
fn reason_list(parts: Vec<Part>) -> Vec<String> {
    let measured = parts.iter().any(|p| p.verdict() != PartVerdict::Unmeasured);
    parts
        .into_iter()
        .map(|p| match p {
            Part::Holds(why) | Part::Fails(why) => why,
            // Said once by the verdict when nothing was measured.
            Part::Unmeasured(part, missing) if !measured => format!("{part}: {missing}"),
            Part::Unmeasured(part, missing) => {
                format!("{part}: not measured in this run ({missing})")
            }
        })
        .collect()
}

/// A claim that could not be checked: `missing` says what it needed (each
/// reason once).
fn not_measured(claim: String, experiment: String, rule: String, missing: &[String]) -> Check {
    let mut reasons: Vec<String> = Vec::new();
    for reason in missing {
        if !reasons.contains(reason) {
            reasons.push(reason.clone());
        }
    }
    Check {
        claim,
        experiment,
        rule,
        measured: Vec::new(),
        verdict: Verdict::NotMeasured,
        why: join_and(&reasons),
        extrapolated: false,
        also: None,
        against: None,
    }
}
/// The measure `key` of `cell`, when finite.
fn metric(cell: &Cell, key: &str) -> Option<f64> {
    cell.metrics.get(key).copied().filter(|v| v.is_finite())
}

/// A duration in nanoseconds with its unit, three significant digits: `151 ns`,
/// `0.620 ns`, `15.0 ns`, `14.5 µs`, `1.48 ms`.
fn ns(x: f64) -> String {
    if x.abs() < 999.5 {
        format!("{} ns", sig3(x))
    } else {
        duration_us(x / 1e3)
    }
}

/// `1 thread`, `2 threads`.
fn threads(n: usize) -> String {
    format!("{n} thread{}", if n == 1 { "" } else { "s" })
}

/// A number of cores: `1.00`.
fn cores(x: f64) -> String {
    format!("{x:.2}")
}

/// `1, 2 and 4`: thread counts sorted, each once.
fn thread_counts(n: impl IntoIterator<Item = usize>) -> String {
    let mut n: Vec<usize> = n.into_iter().collect();
    n.sort_unstable();
    n.dedup();
    join_and(&n.iter().map(ToString::to_string).collect::<Vec<_>>())
}

/// Whether a speedup reaches [`HELPS`] of the ideal `ideal`.
fn helps(speedup: f64, ideal: f64) -> bool {
    speedup >= 1.0 + HELPS * (ideal - 1.0)
}

/// `a`, or the named runners joined, or `fallback` when there are none.
fn names<S: AsRef<str>>(ids: &[S], fallback: &str) -> String {
    if ids.is_empty() {
        fallback.to_owned()
    } else {
        join_and(
            &ids.iter()
                .map(|s| s.as_ref().to_owned())
                .collect::<Vec<_>>(),
        )
    }
}

// ---------------------------------------------------------------------------
// The claims

/// Every claim checked against `results` (summarised), in order. `rank` orders
/// runners and `workloads` workloads as the rest of the report does.
#[cfg(test)]
pub(crate) fn checks(
    results: &Results,
    rank: &dyn Fn(&str) -> usize,
    workloads: &[&str],
) -> Vec<Check> {
    derive(results, results, rank, workloads)
        .into_iter()
        .map(|d| d.check)
        .collect()
}

/// A claim: what it derives from the run, and how that reads.
trait Claim {
    /// What the cells say about the claim: numbers, cell ids and a verdict.
    type Finding: Serialize;
    /// Picks the cells and computes the finding; no prose.
    fn derive(run: &Run<'_>) -> Self::Finding;
    /// The finding in words, as the section prints it.
    fn render(finding: &Self::Finding) -> Check;
}

/// A claim checked once: its finding as data and as words.
#[derive(Debug, Clone)]
pub(crate) struct Derived {
    /// The claim's id in `findings.json`.
    pub(crate) id: &'static str,
    /// Its typed finding, serialised.
    pub(crate) finding: serde_json::Value,
    /// The same finding in words, as the section prints it.
    pub(crate) check: Check,
}

/// Derives claim `C` once and renders that one finding both ways.
fn derive_both<C: Claim>(run: &Run<'_>) -> (serde_json::Value, Check) {
    let finding = C::derive(run);
    let json = serde_json::to_value(&finding).expect("a claim's finding serialises");
    (json, C::render(&finding))
}

/// Every claim checked against `results` (the `seq` group), once, in the order
/// of [`CLAIMS`]: what the report prints and what `findings.json` holds come
/// from one derivation. `all` is every cell of the run, for the lines against a
/// real interpreter; `rank` orders the runners of every group.
pub(crate) fn derive(
    results: &Results,
    all: &Results,
    rank: &dyn Fn(&str) -> usize,
    workloads: &[&str],
) -> Vec<Derived> {
    let run = Run {
        results,
        all,
        rank,
        workloads,
        cores: results.machine.logical_cores.max(1),
    };
    CLAIMS
        .iter()
        .map(|(id, both)| {
            let (finding, check) = both(&run);
            Derived { id, finding, check }
        })
        .collect()
}

/// A claim's derivation, rendered both ways.
type Both = fn(&Run<'_>) -> (serde_json::Value, Check);

/// The claims with their ids, in the order the section numbers them.
const CLAIMS: [(&str, Both); 8] = [
    ("lightweight", derive_both::<lightweight::Lightweight>),
    ("isolation", derive_both::<isolation::Isolation>),
    ("one-core", derive_both::<one_core::OneCore>),
    ("cores-bound", derive_both::<cores_bound::CoresBound>),
    ("advice", derive_both::<advice::AdviceClaim>),
    ("gil-cpu", derive_both::<gil_cpu::GilCpu>),
    ("gil-waits", derive_both::<gil_waits::GilWaits>),
    (
        "message-passing",
        derive_both::<message_passing::MessagePassing>,
    ),
];

// ---------------------------------------------------------------------------
// Rendering

/// Writes the section: a table of the verdicts, then each claim with its
/// experiment, measurements, rule and verdict.
pub(crate) fn section(claims: &[Derived], out: &mut String) {
    let checks: Vec<&Check> = claims.iter().map(|d| &d.check).collect();
    out.push_str("## Claims checked\n\n");
    out.push_str(
        "Each classic claim, the experiment that tests it, what the cells measured, and a verdict \
         computed from those numbers by the rule given with it. A verdict is **holds**, **does \
         not hold**, or **holds only …** when the data support part of the claim. It is **not \
         measured in this run** when the cells it needs are missing, do not apply or failed. \
         Where a part of a claim was not measured, the verdict covers the rest and names that \
         part.\n\n",
    );
    let mut table = Table::new([
        ("#", Align::Right),
        ("Claim", Align::Left),
        ("Verdict", Align::Left),
    ]);
    for (i, check) in checks.iter().enumerate() {
        for (number, claim, verdict) in wordings(i + 1, check) {
            table.push_row(vec![
                number,
                claim.trim_end_matches('.').to_owned(),
                verdict.text(),
            ]);
        }
    }
    out.push_str(&table.to_markdown());
    out.push('\n');
    for (i, check) in checks.iter().enumerate() {
        let wordings = wordings(i + 1, check);
        for (number, claim, _) in &wordings {
            writeln!(out, "**{number}. {claim}**\n").expect("write to String");
        }
        writeln!(out, "- *Experiment:* {}.", check.experiment).expect("write to String");
        match check.measured.as_slice() {
            [] => {}
            [one] => writeln!(out, "- *Measured:* {one}.").expect("write to String"),
            many => {
                out.push_str("- *Measured:*\n");
                for line in many {
                    writeln!(out, "  - {line}").expect("write to String");
                }
            }
        }
        writeln!(out, "- *Rule:* {}", check.rule).expect("write to String");
        let whys = std::iter::once(check.why.as_str()).chain(check.also.iter().map(|a| &*a.why));
        for ((number, _, verdict), why) in wordings.iter().zip(whys) {
            let label = if check.also.is_some() {
                format!("Verdict on {number}")
            } else {
                "Verdict".to_owned()
            };
            let why = if why.is_empty() {
                String::new()
            } else {
                format!(": {why}")
            };
            writeln!(out, "- *{label}:* **{}**{why}.", verdict.text()).expect("write to String");
        }
        for (label, text) in check.also.iter().flat_map(|a| &a.notes) {
            writeln!(out, "- *{label}:* {}.", capitalise(text)).expect("write to String");
        }
        if let Some(against) = &check.against {
            interpreter::write(against, out);
        }
        out.push('\n');
    }
    let against_extrapolated = |c: &Check| c.against.as_ref().is_some_and(|a| a.extrapolated);
    if checks
        .iter()
        .any(|c| c.extrapolated || against_extrapolated(c))
    {
        out.push_str("† Extrapolated, as in the grid: scaled up from part of the work.\n\n");
    }
}

/// A check's wordings, numbered: `5` alone, or `5a` and `5b` when it has a
/// second wording; each with its claim and verdict.
fn wordings(number: usize, check: &Check) -> Vec<(String, &str, &Verdict)> {
    match &check.also {
        None => vec![(number.to_string(), &check.claim, &check.verdict)],
        Some(also) => vec![
            (format!("{number}a"), &check.claim, &check.verdict),
            (format!("{number}b"), &also.claim, &also.verdict),
        ],
    }
}

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

use crate::crash::{self, Fate};
use crate::format::{bytes, duration_us, thousands};
use crate::model::{Cell, Results, Status};
use crate::overhead::PER_TASK_KNOB;
use crate::summary::BASELINE_RUNNER;
use crate::table::{Align, Table};
use crate::text::{escape_inline, join_and, sig3, times};
use rtcompare_api::{Class, Family};
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
/// Every runner this module names (the test that renames runners leaves these).
#[cfg(test)]
pub(crate) const NAMED_RUNNERS: [&str; 3] = [PROCESSES, THREADS, THREAD_POOL];

// ---------------------------------------------------------------------------
// Workloads and measures

const CPU: &str = "cpu";
const SLEEP: &str = "sleep";
const SPAWN: &str = "spawn";
const CHANNELS: &str = "channels";
const SHARED_MUTEX: &str = "shared-mutex";
const SHARED_ATOMIC: &str = "shared-atomic";
const SHARED_ASYNC_MUTEX: &str = "shared-async-mutex";
const SHARED_MERGE: &str = "shared-merge";
/// The shared-memory variants of the shared-state workloads, with a short name.
const SHARED_MEMORY: [(&str, &str); 3] = [
    (SHARED_ATOMIC, "atomic"),
    (SHARED_MUTEX, "mutex"),
    (SHARED_ASYNC_MUTEX, "async mutex"),
];
/// Wall time per task (thread, process) created and joined, ns.
const NS_PER_TASK: &str = "ns-per-task";
/// Resident memory per task or thread while all are alive, bytes.
const RSS_PER_TASK: &str = "rss-per-task-bytes";
/// Proportional set size of one worker process, bytes.
const RSS_PER_PROCESS: &str = "rss-per-process-bytes";
/// Wall time per channel hop, ns.
const NS_PER_HOP: &str = "ns-per-hop";
/// Wall time per update of the shared-state workloads, ns.
const NS_PER_UPDATE: &str = "ns-per-update";

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

/// What the advice of claim 5 prescribes, as the claim is put here:
/// multiprocessing for I/O-bound work, multithreading for CPU-bound work. (The
/// Python folklore usually runs the other way round; the verdict is computed for
/// whichever advice this says, and the unit tests check both.)
const ADVICE: Advice = Advice {
    io: Unit::Processes,
    cpu: Unit::Threads,
};

// ---------------------------------------------------------------------------
// Verdicts

/// What the data say about a claim.
#[derive(Debug, Clone, PartialEq)]
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

/// One claim checked against the run.
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
}

/// One part of a claim.
enum Part {
    /// It holds, because …
    Holds(String),
    /// It does not hold, because …
    Fails(String),
    /// It was not measured: which part (`isolation`), and what is missing.
    Unmeasured(String, String),
}

/// The verdict on a claim of several parts, each with the qualification under
/// which the claim holds when only that part does, and the reasons joined.
fn combine(parts: Vec<(&str, Part)>) -> (Verdict, String) {
    let measured = parts
        .iter()
        .filter(|(_, p)| !matches!(p, Part::Unmeasured(..)))
        .count();
    let holding: Vec<&str> = parts
        .iter()
        .filter(|(_, p)| matches!(p, Part::Holds(_)))
        .map(|(when, _)| *when)
        .collect();
    let verdict = if measured == 0 {
        Verdict::NotMeasured
    } else if holding.len() == measured {
        Verdict::Holds
    } else if holding.is_empty() {
        Verdict::DoesNotHold
    } else {
        Verdict::HoldsOnly(holding.join(" and "))
    };
    let reasons: Vec<String> = parts
        .into_iter()
        .map(|(_, p)| match p {
            Part::Holds(why) | Part::Fails(why) => why,
            // Said once by the verdict when nothing was measured.
            Part::Unmeasured(part, missing) if measured == 0 => format!("{part}: {missing}"),
            Part::Unmeasured(part, missing) => {
                format!("{part}: not measured in this run ({missing})")
            }
        })
        .collect();
    (verdict, reasons.join("; "))
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
    }
}

// ---------------------------------------------------------------------------
// The run, as the claims read it

/// The cells of a run with the orders and lookups the claims share.
struct Run<'a> {
    results: &'a Results,
    rank: &'a dyn Fn(&str) -> usize,
    /// Workload ids in report order.
    workloads: &'a [&'a str],
    cores: usize,
}

impl<'a> Run<'a> {
    /// Every cell of `runner` on `workload`, by thread count.
    fn all(&self, runner: &str, workload: &str) -> Vec<&'a Cell> {
        let mut cells: Vec<&'a Cell> = self
            .results
            .cells
            .iter()
            .filter(|c| c.runner == runner && c.workload == workload)
            .collect();
        cells.sort_by_key(|c| c.threads);
        cells
    }

    /// The finished cells (with a summary) of `runner` on `workload`.
    fn finished(&self, runner: &str, workload: &str) -> Vec<&'a Cell> {
        self.all(runner, workload)
            .into_iter()
            .filter(|c| c.status == Status::Ok && crate::judge::judged_summary(c).is_some())
            .collect()
    }

    /// The finished cell of `runner` on `workload` at its comparison point.
    fn point(&self, runner: &str, workload: &str) -> Option<&'a Cell> {
        point_of(&self.finished(runner, workload), self.cores)
    }

    /// The finished cell of `runner` on `workload` at `threads`.
    fn at(&self, runner: &str, workload: &str, threads: usize) -> Option<&'a Cell> {
        self.finished(runner, workload)
            .into_iter()
            .find(|c| c.threads == threads)
    }

    /// The finished `seq` cell of `workload`.
    fn seq(&self, workload: &str) -> Option<&'a Cell> {
        self.finished(BASELINE_RUNNER, workload).into_iter().next()
    }

    /// Runner ids of the cells that match, each once, in report order.
    fn runners(&self, matches: impl Fn(&Cell) -> bool) -> Vec<&'a str> {
        let mut ids: Vec<&'a str> = Vec::new();
        for cell in &self.results.cells {
            if matches(cell) && !ids.contains(&cell.runner.as_str()) {
                ids.push(&cell.runner);
            }
        }
        ids.sort_by_key(|id| (self.rank)(id));
        ids
    }

    /// How `--threads` applies to `runner`, if the file describes it.
    fn knob(&self, runner: &str) -> Option<&'a str> {
        self.results
            .runners
            .iter()
            .find(|r| r.id == runner)
            .map(|r| r.threads_knob.as_str())
    }

    /// Why `runner` has no finished cell of `workload`, in words.
    fn missing(&self, runner: &str, workload: &str) -> String {
        if !self.results.cells.iter().any(|c| c.workload == workload) {
            return format!("`{workload}` did not run");
        }
        let cells = self.all(runner, workload);
        if cells.is_empty() {
            return format!("`{workload}` did not run on {runner}");
        }
        if cells.iter().all(|c| !c.applies()) {
            return format!("`{workload}` does not apply to {runner}");
        }
        if cells.iter().any(|c| c.applies() && c.disturbed()) {
            return format!("`{workload}` was disturbed by other load on {runner}");
        }
        let status = cells
            .iter()
            .find(|c| c.applies() && c.status != Status::Ok)
            .map_or("recorded no samples", |c| match c.status {
                Status::Timeout => "timed out",
                _ => "failed",
            });
        format!("`{workload}` {status} on {runner}")
    }

    /// Why `seq` gives no speedups on `workload`, or `None` when it does.
    fn missing_seq(&self, workload: &str) -> Option<String> {
        match self.seq(workload) {
            Some(_) => None,
            None => Some(self.missing(BASELINE_RUNNER, workload)),
        }
    }

    /// `speedup` of `cell` over `seq`, marked † when it or `seq` was extrapolated.
    fn speedup(&self, cell: &Cell) -> Option<f64> {
        cell.summary.as_ref()?.speedup_vs_seq
    }

    /// The speedup of `cell` as text (`1.98×`, `2.00×†`).
    fn sx(&self, cell: &Cell) -> String {
        let value = self.speedup(cell).map_or("—".into(), times);
        let scaled = cell.extrapolation.is_some()
            || self
                .seq(&cell.workload)
                .is_some_and(|s| s.extrapolation.is_some());
        if scaled { format!("{value}†") } else { value }
    }

    /// Median CPU utilisation of `cell`, in cores.
    fn util(&self, cell: &Cell) -> f64 {
        cell.summary
            .as_ref()
            .map_or(f64::NAN, |s| s.cpu_utilisation)
    }
}

/// The comparison point among one runner's finished cells of one workload: at
/// `cores` threads, else the largest count below, else the smallest.
pub(crate) fn point_of<'a>(cells: &[&'a Cell], cores: usize) -> Option<&'a Cell> {
    cells
        .iter()
        .copied()
        .filter(|c| c.threads <= cores)
        .max_by_key(|c| c.threads)
        .or_else(|| cells.iter().copied().min_by_key(|c| c.threads))
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

/// `1, 2 and 4` threads.
fn counts(cells: &[&Cell]) -> String {
    let mut n: Vec<usize> = cells.iter().map(|c| c.threads).collect();
    n.sort_unstable();
    n.dedup();
    join_and(&n.iter().map(ToString::to_string).collect::<Vec<_>>())
}

/// `runner` alone, or `runner at N threads` when it ran `workload` finished at
/// several thread counts.
fn who(run: &Run<'_>, cell: &Cell) -> String {
    if run.finished(&cell.runner, &cell.workload).len() > 1 {
        format!("{} at {}", cell.runner, threads(cell.threads))
    } else {
        cell.runner.clone()
    }
}

/// `a`, or the named runners joined, or `fallback` when there are none.
fn names(ids: &[&str], fallback: &str) -> String {
    if ids.is_empty() {
        fallback.to_owned()
    } else {
        join_and(&ids.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }
}

// ---------------------------------------------------------------------------
// The claims

/// Every claim checked against `results` (summarised), in order. `rank` orders
/// runners and `workloads` workloads as the rest of the report does.
pub(crate) fn checks(
    results: &Results,
    rank: &dyn Fn(&str) -> usize,
    workloads: &[&str],
) -> Vec<Check> {
    let run = Run {
        results,
        rank,
        workloads,
        cores: results.machine.logical_cores.max(1),
    };
    vec![
        lightweight(&run),
        isolation(&run),
        one_core(&run),
        cores_bound(&run),
        advice(&run, &ADVICE),
        gil_cpu(&run),
        gil_waits(&run),
        message_passing(&run),
    ]
}

/// Claim 1: creation cost and memory of a task, a thread and a process, from
/// `spawn`.
fn lightweight(run: &Run<'_>) -> Check {
    let claim = "Threads are lightweight, processes are not.".to_owned();
    let per_task = run.runners(|c| run.knob(&c.runner) == Some(PER_TASK_KNOB));
    let experiment = format!(
        "`{SPAWN}` creates and joins one unit per task and measures the memory each holds: an \
         async task (the async runners), an OS thread ({}, one per task) and a process \
         ({PROCESSES}, one fresh process per task)",
        names(&per_task, "a runner with one OS thread per task")
    );
    let rule = format!(
        "holds when a process costs at least {HEAVIER}× a thread both to create and in memory; \
         holds only for the one of the two where it does; does not hold when neither."
    );
    let both = |c: &&Cell| metric(c, NS_PER_TASK).is_some() && metric(c, RSS_PER_TASK).is_some();
    let thread = per_task
        .iter()
        .filter_map(|r| run.point(r, SPAWN))
        .find(|c| both(c));
    let process = run
        .point(PROCESSES, SPAWN)
        .filter(|c| metric(c, NS_PER_TASK).is_some());
    // The memory of one worker process: on `spawn`, else on the first workload
    // that has it.
    let process_memory = std::iter::once(SPAWN)
        .chain(run.workloads.iter().copied())
        .filter_map(|w| run.point(PROCESSES, w))
        .find_map(|c| Some((metric(c, RSS_PER_PROCESS)?, c)));

    let mut missing = Vec::new();
    if thread.is_none() {
        missing.push(match per_task.first() {
            Some(r) if run.point(r, SPAWN).is_some() => {
                format!("`{SPAWN}` on {r} recorded no time or memory per thread")
            }
            Some(r) => run.missing(r, SPAWN),
            None => format!("no runner with one OS thread per task ran `{SPAWN}`"),
        });
    }
    if process.is_none() {
        missing.push(run.missing(PROCESSES, SPAWN));
    } else if process_memory.is_none() {
        missing.push(format!(
            "{PROCESSES} recorded no memory per worker process (`{RSS_PER_PROCESS}`)"
        ));
    }
    let (Some(thread), Some(process), Some((p_mem, p_mem_cell))) =
        (thread, process, process_memory)
    else {
        return not_measured(claim, experiment, rule, &missing);
    };
    let t_ns = metric(thread, NS_PER_TASK).expect("checked");
    let t_mem = metric(thread, RSS_PER_TASK).expect("checked");
    let p_ns = metric(process, NS_PER_TASK).expect("checked");

    let mut measured = Vec::new();
    // The cheapest async task, on each measure.
    let tasks: Vec<&Cell> = run
        .runners(|c| c.workload == SPAWN && c.family != Family::OsScheduler)
        .iter()
        .flat_map(|r| run.finished(r, SPAWN))
        .collect();
    let cheapest = |key: &str| {
        tasks
            .iter()
            .filter_map(|c| Some((metric(c, key)?, *c)))
            .min_by(|a, b| a.0.total_cmp(&b.0))
    };
    let task = cheapest(NS_PER_TASK).zip(cheapest(RSS_PER_TASK));
    if let Some(((ns_v, ns_c), (mem_v, mem_c))) = task {
        measured.push(if std::ptr::eq(ns_c, mem_c) {
            format!(
                "an async task: {} and {} ({}, the cheapest)",
                ns(ns_v),
                bytes(mem_v),
                who(run, ns_c)
            )
        } else {
            format!(
                "an async task: {} ({}) and {} ({}), the cheapest",
                ns(ns_v),
                who(run, ns_c),
                bytes(mem_v),
                who(run, mem_c)
            )
        });
    }
    measured.push(format!(
        "an OS thread: {} and {} ({})",
        ns(t_ns),
        bytes(t_mem),
        who(run, thread)
    ));
    let where_memory = if p_mem_cell.workload == SPAWN {
        String::new()
    } else {
        format!(", measured on `{}`", p_mem_cell.workload)
    };
    measured.push(format!(
        "a process: {} ({}) and {} (proportional set size of one worker process{where_memory})",
        ns(p_ns),
        who(run, process),
        bytes(p_mem)
    ));

    let create = p_ns / t_ns;
    let memory = p_mem / t_mem;
    let (heavy_create, heavy_memory) = (create >= HEAVIER, memory >= HEAVIER);
    let (verdict, mut why) = match (heavy_create, heavy_memory) {
        (true, true) => (
            Verdict::Holds,
            format!(
                "a process cost {} a thread to create and join and {} its memory",
                times(create),
                times(memory)
            ),
        ),
        (true, false) => (
            Verdict::HoldsOnly("for creation cost".into()),
            format!(
                "a process cost {} a thread to create and join, but only {} its memory",
                times(create),
                times(memory)
            ),
        ),
        (false, true) => (
            Verdict::HoldsOnly("for memory".into()),
            format!(
                "a process held {} a thread's memory, but cost only {} its time to create and \
                 join",
                times(memory),
                times(create)
            ),
        ),
        (false, false) => (
            Verdict::DoesNotHold,
            format!(
                "a process cost only {} a thread to create and join and {} its memory",
                times(create),
                times(memory)
            ),
        ),
    };
    if let Some(((ns_v, _), (mem_v, _))) = task {
        write!(
            why,
            ". Lightweight is relative: a thread cost {} an async task to create and join and {} \
             its memory",
            times(t_ns / ns_v),
            times(t_mem / mem_v)
        )
        .expect("write to String");
    }
    Check {
        claim,
        experiment,
        rule,
        measured,
        verdict,
        why,
    }
}

/// The fates of the crash cells of `runners` on `workload` that apply and whose
/// outcome is known.
fn fates<'a>(run: &Run<'a>, runners: &[&str], workload: &str) -> Vec<(&'a Cell, Fate)> {
    let jobs = crash::batch(run.results, workload);
    runners
        .iter()
        .flat_map(|r| run.all(r, workload))
        .filter(|c| crate::judge::judged(c))
        .map(|c| (c, crash::fate(c, jobs)))
        .filter(|(_, f)| !matches!(f, Fate::Unknown { .. }))
        .collect()
}

/// `processes kept 7 of 8 jobs; threads and thread-pool died (killed by signal
/// 6 (SIGABRT)), 0 of 8 kept`: runners with the same outcome at every thread
/// count grouped.
fn fates_text(fates: &[(&Cell, Fate)], jobs: Option<usize>) -> String {
    let describe = |f: &Fate| match f {
        Fate::Survived {
            completed, jobs, ..
        } => format!("kept {completed} of {jobs} jobs"),
        Fate::Died { how } => match jobs {
            Some(j) => format!("died ({how}), 0 of {j} kept"),
            None => format!("died ({how}), no job kept"),
        },
        Fate::Unknown { why } => why.clone(),
    };
    // Per runner: its outcome, or its outcomes by thread count.
    let mut per_runner: Vec<(&str, String)> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for (cell, _) in fates {
        if seen.contains(&cell.runner.as_str()) {
            continue;
        }
        seen.push(&cell.runner);
        let mine: Vec<&(&Cell, Fate)> = fates
            .iter()
            .filter(|(c, _)| c.runner == cell.runner)
            .collect();
        let mut outcomes: Vec<(String, Vec<usize>)> = Vec::new();
        for (c, f) in &mine {
            let d = describe(f);
            match outcomes.iter_mut().find(|(x, _)| *x == d) {
                Some((_, t)) => t.push(c.threads),
                None => outcomes.push((d, vec![c.threads])),
            }
        }
        let text = if outcomes.len() == 1 {
            outcomes.remove(0).0
        } else {
            outcomes
                .iter()
                .map(|(d, t)| {
                    let t: Vec<String> = t.iter().map(ToString::to_string).collect();
                    format!("{d} at {} threads", join_and(&t))
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        per_runner.push((&cell.runner, text));
    }
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for (runner, text) in per_runner {
        match groups.iter_mut().find(|(t, _)| *t == text) {
            Some((_, r)) => r.push(runner.to_owned()),
            None => groups.push((text, vec![runner.to_owned()])),
        }
    }
    groups
        .into_iter()
        .map(|(text, runners)| format!("{} {text}", join_and(&runners)))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Claim 2: an abort on processes against threads; shared memory on threads, not
/// across processes.
fn isolation(run: &Run<'_>) -> Check {
    let claim = "Processes are isolated, threads share memory.".to_owned();
    let mut threads_side: Vec<&str> = [THREADS, THREAD_POOL]
        .into_iter()
        .filter(|r| run.results.cells.iter().any(|c| c.runner == *r))
        .collect();
    if threads_side.is_empty() {
        threads_side = vec![THREADS, THREAD_POOL];
    }
    let threads_names = names(&threads_side, "");
    let jobs = crash::batch(run.results, crash::ABORT);
    let experiment = format!(
        "`{}` and `{}` ({}one job fails midway, by aborting or panicking) on {PROCESSES} and on \
         {threads_names}; `{SHARED_MUTEX}` and `{SHARED_ATOMIC}` (state in shared memory) and \
         `{SHARED_MERGE}` (private copies merged at the end) on the same runners",
        crash::ABORT,
        crash::PANIC,
        jobs.map_or(String::new(), |j| format!("{j} jobs, ")),
    );
    let rule = "holds when an abort in one job costs processes only part of the batch but ends \
                the whole process on threads, and state in shared memory works on threads but \
                does not apply across processes; the panic and merge figures show where the two \
                do not differ."
        .to_owned();
    let mut measured = Vec::new();

    // Isolation: the abort.
    let p_abort = fates(run, &[PROCESSES], crash::ABORT);
    let t_abort = fates(run, &threads_side, crash::ABORT);
    let isolation = if p_abort.is_empty() {
        Part::Unmeasured("isolation".into(), run.missing(PROCESSES, crash::ABORT))
    } else if t_abort.is_empty() {
        Part::Unmeasured(
            "isolation".into(),
            join_and(
                &threads_side
                    .iter()
                    .map(|r| run.missing(r, crash::ABORT))
                    .collect::<Vec<_>>(),
            ),
        )
    } else {
        let all: Vec<(&Cell, Fate)> = p_abort.iter().chain(&t_abort).cloned().collect();
        measured.push(format!("`{}`: {}", crash::ABORT, fates_text(&all, jobs)));
        let p_died: Vec<&Cell> = p_abort
            .iter()
            .filter(|(_, f)| !f.survived())
            .map(|(c, _)| *c)
            .collect();
        let t_survived: Vec<&Cell> = t_abort
            .iter()
            .filter(|(_, f)| f.survived())
            .map(|(c, _)| *c)
            .collect();
        if !p_died.is_empty() {
            Part::Fails(format!(
                "an abort ended the whole process on {PROCESSES} too (at {} threads)",
                counts(&p_died)
            ))
        } else if !t_survived.is_empty() {
            let names: Vec<&str> = run.runners(|c| t_survived.iter().any(|t| std::ptr::eq(*t, c)));
            Part::Fails(format!(
                "{} survived an abort as well as {PROCESSES} did",
                names.join(" and ")
            ))
        } else {
            let lost: Vec<String> = p_abort
                .iter()
                .filter_map(|(_, f)| match f {
                    Fate::Survived { lost, jobs, .. } => Some(format!("{lost} of {jobs}")),
                    _ => None,
                })
                .fold(Vec::new(), |mut v, x| {
                    if !v.contains(&x) {
                        v.push(x);
                    }
                    v
                });
            let t_names = run.runners(|c| t_abort.iter().any(|(t, _)| std::ptr::eq(*t, c)));
            Part::Holds(format!(
                "an abort cost {PROCESSES} {} jobs but ended the whole process on {}",
                join_and(&lost),
                names(&t_names, "")
            ))
        }
    };

    // A panic, for contrast.
    let p_panic = fates(run, &[PROCESSES], crash::PANIC);
    let t_panic = fates(run, &threads_side, crash::PANIC);
    let mut note = None;
    if !p_panic.is_empty() || !t_panic.is_empty() {
        let all: Vec<(&Cell, Fate)> = p_panic.iter().chain(&t_panic).cloned().collect();
        measured.push(format!(
            "`{}`: {}",
            crash::PANIC,
            fates_text(&all, crash::batch(run.results, crash::PANIC))
        ));
        if !t_panic.is_empty() && t_panic.iter().all(|(_, f)| f.survived()) {
            let t_names = run.runners(|c| t_panic.iter().any(|(t, _)| std::ptr::eq(*t, c)));
            note = Some(format!(
                "a panic, though, unwound only its own thread: {} kept the other jobs",
                names(&t_names, "")
            ));
        }
    }

    // Memory: shared state on threads, not across processes.
    let shared_state = [SHARED_MUTEX, SHARED_ATOMIC];
    let t_shared: Vec<&str> = run.runners(|c| {
        threads_side.contains(&c.runner.as_str())
            && shared_state.contains(&c.workload.as_str())
            && c.status == Status::Ok
            && crate::judge::judged(c)
    });
    let p_cells: Vec<&Cell> = shared_state
        .iter()
        .flat_map(|w| run.all(PROCESSES, w))
        .collect();
    let state_names = format!("`{SHARED_MUTEX}` and `{SHARED_ATOMIC}`");
    let sharing = if p_cells.is_empty() {
        let anywhere = run
            .results
            .cells
            .iter()
            .any(|c| shared_state.contains(&c.workload.as_str()));
        Part::Unmeasured(
            "shared memory".into(),
            if anywhere {
                format!("{state_names} did not run on {PROCESSES}")
            } else {
                format!("{state_names} did not run")
            },
        )
    } else if t_shared.is_empty() {
        Part::Unmeasured(
            "shared memory".into(),
            format!(
                "{state_names} finished on neither {}",
                join_and(
                    &threads_side
                        .iter()
                        .map(|s| s.to_string())
                        .collect::<Vec<_>>()
                )
            ),
        )
    } else if p_cells
        .iter()
        .any(|c| c.status == Status::Ok && crate::judge::judged(c))
    {
        measured.push(format!(
            "{state_names}: finished on {} and on {PROCESSES}",
            names(&t_shared, "")
        ));
        Part::Fails(format!(
            "state in shared memory worked across {PROCESSES} too"
        ))
    } else if p_cells.iter().all(|c| !c.applies()) {
        let reason = p_cells[0]
            .error
            .as_deref()
            .map_or(String::new(), |e| format!(" — {}", escape_inline(e.trim())));
        measured.push(format!(
            "{state_names}: finished on {}; on {PROCESSES} they do not apply{reason}",
            names(&t_shared, "")
        ));
        Part::Holds(format!(
            "state in shared memory worked on {} and does not apply to {PROCESSES}",
            names(&t_shared, "")
        ))
    } else {
        Part::Unmeasured(
            "shared memory".into(),
            run.missing(PROCESSES, shared_state[0]),
        )
    };
    let merged: Vec<&str> = run.runners(|c| {
        c.workload == SHARED_MERGE
            && c.status == Status::Ok
            && crate::judge::judged(c)
            && (c.runner == PROCESSES || threads_side.contains(&c.runner.as_str()))
    });
    if !merged.is_empty() {
        measured.push(format!(
            "`{SHARED_MERGE}`: finished on {}",
            names(&merged, "")
        ));
    }

    let (verdict, mut why) = combine(vec![("for crashes", isolation), ("for memory", sharing)]);
    if verdict != Verdict::NotMeasured {
        if let Some(note) = note {
            write!(why, "; {note}").expect("write to String");
        }
        if merged.contains(&PROCESSES) && merged.len() > 1 {
            why.push_str("; merging private copies worked on both");
        }
    }
    Check {
        claim,
        experiment,
        rule,
        measured: if verdict == Verdict::NotMeasured {
            Vec::new()
        } else {
            measured
        },
        verdict,
        why,
    }
}

/// Claim 3: single-threaded concurrency on CPU work and on waits.
fn one_core(run: &Run<'_>) -> Check {
    let claim = "Concurrency on one core only simulates parallelism.".to_owned();
    let single = run.runners(|c| c.class == Class::Concurrent);
    let experiment = format!(
        "`{CPU}` and `{SLEEP}` on the runners that interleave many tasks on one OS thread ({}), \
         against `seq`",
        names(&single, "class concurrent")
    );
    let rule = format!(
        "holds when CPU work gains at most {NO_GAIN}× over `seq` on them while using at most \
         {ONE_CORE} cores; their speedup on waiting work (large from {LARGE}×) shows what \
         interleaving does buy."
    );
    let cpu: Vec<&Cell> = single
        .iter()
        .filter_map(|r| run.point(r, CPU))
        .filter(|c| run.speedup(c).is_some())
        .collect();
    if cpu.is_empty() {
        let missing = match run.missing_seq(CPU) {
            Some(m) => vec![m],
            None if single.is_empty() => {
                vec!["no single-threaded concurrent runner ran".to_owned()]
            }
            None => single.iter().map(|r| run.missing(r, CPU)).collect(),
        };
        return not_measured(claim, experiment, rule, &missing);
    }
    let sleep: Vec<&Cell> = single
        .iter()
        .filter_map(|r| run.point(r, SLEEP))
        .filter(|c| run.speedup(c).is_some())
        .collect();
    let mut measured = vec![format!(
        "`{CPU}`: {}",
        cpu.iter()
            .map(|c| format!("{} {} on {} cores", c.runner, run.sx(c), cores(run.util(c))))
            .collect::<Vec<_>>()
            .join(", ")
    )];
    if !sleep.is_empty() {
        measured.push(format!(
            "`{SLEEP}`: {}",
            sleep
                .iter()
                .map(|c| format!("{} {}", c.runner, run.sx(c)))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let fastest = cpu
        .iter()
        .copied()
        .max_by(|a, b| run.speedup(a).unwrap().total_cmp(&run.speedup(b).unwrap()))
        .expect("not empty");
    let busiest = cpu
        .iter()
        .copied()
        .max_by(|a, b| run.util(a).total_cmp(&run.util(b)))
        .expect("not empty");
    let top = run.speedup(fastest).unwrap();
    let (verdict, mut why) = if top > NO_GAIN {
        (
            Verdict::DoesNotHold,
            format!(
                "{} ran CPU work at {} `seq` on one thread",
                fastest.runner,
                run.sx(fastest)
            ),
        )
    } else if run.util(busiest) > ONE_CORE {
        (
            Verdict::DoesNotHold,
            format!(
                "{} kept {} cores busy on CPU work",
                busiest.runner,
                cores(run.util(busiest))
            ),
        )
    } else {
        (
            Verdict::Holds,
            format!(
                "interleaving tasks on one thread bought nothing on CPU work (at most {} `seq`, \
                 on at most {} cores): it only looks parallel",
                run.sx(fastest),
                cores(run.util(busiest))
            ),
        )
    };
    match sleep
        .iter()
        .copied()
        .min_by(|a, b| run.speedup(a).unwrap().total_cmp(&run.speedup(b).unwrap()))
    {
        Some(slowest) if run.speedup(slowest).unwrap() >= LARGE => {
            let best = sleep
                .iter()
                .copied()
                .max_by(|a, b| run.speedup(a).unwrap().total_cmp(&run.speedup(b).unwrap()))
                .expect("not empty");
            let range = if std::ptr::eq(slowest, best) {
                run.sx(best)
            } else {
                format!("{} to {}", run.sx(slowest), run.sx(best))
            };
            write!(
                why,
                "; on waiting work the overlap is real: the waits overlapped, {range} faster \
                 than `seq`"
            )
        }
        Some(slowest) => write!(
            why,
            "; on waiting work it gained only {} ({})",
            run.sx(slowest),
            slowest.runner
        ),
        None => write!(
            why,
            "; waiting work: not measured in this run ({})",
            run.missing_seq(SLEEP).unwrap_or_else(|| join_and(
                &single
                    .iter()
                    .map(|r| run.missing(r, SLEEP))
                    .collect::<Vec<_>>()
            ))
        ),
    }
    .expect("write to String");
    Check {
        claim,
        experiment,
        rule,
        measured,
        verdict,
        why,
    }
}

/// Claim 4: speedup bounded by min(threads, cores); threads beyond the cores.
fn cores_bound(run: &Run<'_>) -> Check {
    let claim = "Parallelism needs several cores.".to_owned();
    let parallel = run.runners(|c| {
        matches!(c.class, Class::Parallel | Class::ConcurrentParallel)
            && run.knob(&c.runner) != Some(PER_TASK_KNOB)
            && c.workload == CPU
    });
    let cells: Vec<&Cell> = parallel
        .iter()
        .flat_map(|r| run.finished(r, CPU))
        .filter(|c| run.speedup(c).is_some())
        .collect();
    let experiment = format!(
        "`{CPU}` on the runners whose thread count sets their workers ({}){}, on {} logical \
         cores, against `seq`",
        names(&parallel, "parallel classes"),
        if cells.is_empty() {
            String::new()
        } else {
            format!(" at {} threads", counts(&cells))
        },
        run.cores
    );
    let rule = format!(
        "holds when speedup is bounded by min(threads, cores) (no cell exceeds it by more than \
         {:.0}%) and threads beyond the cores buy nothing on CPU work (on each runner they raise \
         its speedup at the core count by at most {:.0}%).",
        BOUND_SLACK * 100.0,
        (BEYOND_GAIN - 1.0) * 100.0
    );
    if !cells.iter().any(|c| c.threads > 1) {
        let missing = match run.missing_seq(CPU) {
            Some(m) => vec![m],
            None if parallel.is_empty() => {
                vec![format!("no multithreaded runner ran `{CPU}`")]
            }
            None => vec![format!(
                "`{CPU}` finished at no thread count above 1 on {}",
                names(&parallel, "")
            )],
        };
        return not_measured(claim, experiment, rule, &missing);
    }
    let measured: Vec<String> = parallel
        .iter()
        .filter_map(|r| {
            let mine: Vec<&Cell> = cells.iter().copied().filter(|c| c.runner == *r).collect();
            if mine.is_empty() {
                return None;
            }
            let values: Vec<String> = mine.iter().map(|c| run.sx(c)).collect();
            Some(format!(
                "{r} at {} threads: {}",
                counts(&mine),
                join_and(&values)
            ))
        })
        .collect();
    let bound = |c: &Cell| c.threads.min(run.cores) as f64;
    let share = |c: &Cell| run.speedup(c).unwrap() / bound(c);
    let worst = cells
        .iter()
        .copied()
        .max_by(|a, b| share(a).total_cmp(&share(b)))
        .expect("not empty");
    // The closest to its bound among the cells that had more than one thread.
    let closest = cells
        .iter()
        .copied()
        .filter(|c| c.threads > 1)
        .max_by(|a, b| share(a).total_cmp(&share(b)))
        .expect("a cell above one thread");
    let bound_part = if share(worst) <= 1.0 + BOUND_SLACK {
        Part::Holds(format!(
            "no cell exceeded min(threads, cores); the closest above one thread was {} at {}, {} \
             against a bound of {}",
            closest.runner,
            threads(closest.threads),
            run.sx(closest),
            bound(closest)
        ))
    } else {
        Part::Fails(format!(
            "{} at {} reached {}, above min(threads, cores) = {}",
            worst.runner,
            threads(worst.threads),
            run.sx(worst),
            bound(worst)
        ))
    };
    // Threads beyond the cores against the same runner at the core count.
    let mut beyond: Vec<(&Cell, &Cell, f64)> = Vec::new();
    for r in &parallel {
        let mine: Vec<&Cell> = cells.iter().copied().filter(|c| c.runner == *r).collect();
        let Some(reference) = mine
            .iter()
            .copied()
            .filter(|c| c.threads <= run.cores)
            .max_by_key(|c| c.threads)
        else {
            continue;
        };
        for above in mine.iter().copied().filter(|c| c.threads > run.cores) {
            let gain = run.speedup(above).unwrap() / run.speedup(reference).unwrap();
            beyond.push((above, reference, gain));
        }
    }
    let beyond_part = match beyond.iter().max_by(|a, b| a.2.total_cmp(&b.2)) {
        None => Part::Unmeasured(
            "threads beyond the cores".into(),
            format!("no thread count above the {} logical cores", run.cores),
        ),
        Some(&(_, _, gain)) if gain <= BEYOND_GAIN => {
            let low = beyond.iter().map(|b| b.2).fold(f64::INFINITY, f64::min);
            let range = if times(low) == times(gain) {
                times(gain)
            } else {
                format!("{} to {}", times(low), times(gain))
            };
            let above: Vec<&Cell> = beyond.iter().map(|b| b.0).collect();
            let reference: Vec<&Cell> = beyond.iter().map(|b| b.1).collect();
            Part::Holds(format!(
                "threads beyond the {} cores bought nothing: at {} threads the runners reached \
                 {range} their speedup at {} threads",
                run.cores,
                counts(&above),
                counts(&reference)
            ))
        }
        Some(&(above, reference, gain)) => Part::Fails(format!(
            "{} gained a further {} from {} over {}",
            above.runner,
            times(gain),
            threads(above.threads),
            reference.threads
        )),
    };
    let (verdict, why) = combine(vec![
        ("as a bound on speedup", bound_part),
        ("for threads beyond the cores", beyond_part),
    ]);
    Check {
        claim,
        experiment,
        rule,
        measured,
        verdict,
        why,
    }
}

/// A unit of execution the advice of claim 5 names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Threads,
    Processes,
}

/// What the advice of claim 5 prescribes for each kind of work.
struct Advice {
    io: Unit,
    cpu: Unit,
}

impl Unit {
    fn advice_word(self) -> &'static str {
        match self {
            Unit::Threads => "multithreading",
            Unit::Processes => "multiprocessing",
        }
    }
}

/// A runner's `cpu` and `sleep` cells at one thread count.
type Pair<'a> = (&'a Cell, &'a Cell);

/// The cell of `pair` for workload `w` (`cpu`, else `sleep`).
fn side<'a>(pair: Pair<'a>, w: &str) -> &'a Cell {
    if w == CPU { pair.0 } else { pair.1 }
}

/// Whether a speedup reaches [`HELPS`] of the ideal `ideal`.
fn helps(speedup: f64, ideal: f64) -> bool {
    speedup >= 1.0 + HELPS * (ideal - 1.0)
}

/// Claim 5: `advice` on processes and threads, on CPU work and waits, with and
/// without a GIL.
fn advice(run: &Run<'_>, advice: &Advice) -> Check {
    let claim = format!(
        "Use {} for I/O-bound work, {} for CPU-bound work.",
        advice.io.advice_word(),
        advice.cpu.advice_word()
    );
    let gil = run.runners(|c| c.class == Class::ConcurrentSerialized);
    let gil_name = gil.first().copied();
    let experiment = format!(
        "`{CPU}` and `{SLEEP}` at the same thread count on {THREAD_POOL} (threads in one \
         process), {PROCESSES} (worker processes) and {}, against `seq`",
        gil_name.map_or(
            "a runner with threads under a global lock, as in CPython".to_owned(),
            |g| format!("{g} (threads under a global lock, as in CPython)")
        )
    );
    let rule = format!(
        "a unit helps when it reaches half the ideal gain (1 + (ideal − 1)/2: the ideal is \
         min(threads, cores) on CPU work and the thread count on waits; {}× at 2 threads); the \
         advice holds in a setting (without a GIL: {THREAD_POOL}'s threads; under a GIL: the \
         global lock's) when the unit it names for each kind of work helps and, where it names \
         processes, threads do not.",
        1.0 + HELPS
    );
    // The thread count: where processes finished both, at the comparison point.
    let both = |r: &str, n: usize| run.at(r, CPU, n).is_some() && run.at(r, SLEEP, n).is_some();
    let proc_cells: Vec<&Cell> = run
        .finished(PROCESSES, CPU)
        .into_iter()
        .filter(|c| c.threads > 1 && both(PROCESSES, c.threads))
        .collect();
    let n = point_of(&proc_cells, run.cores).map(|c| c.threads);
    let missing_seq: Vec<String> = [CPU, SLEEP]
        .iter()
        .filter_map(|w| run.missing_seq(w))
        .collect();
    let Some(n) = n.filter(|_| missing_seq.is_empty()) else {
        let mut missing = missing_seq;
        if n.is_none() {
            for w in [CPU, SLEEP] {
                if run.point(PROCESSES, w).is_none() {
                    missing.push(run.missing(PROCESSES, w));
                }
            }
            if missing.is_empty() {
                missing.push(format!(
                    "{PROCESSES} did not finish `{CPU}` and `{SLEEP}` at one thread count above 1"
                ));
            }
        }
        return not_measured(claim, experiment, rule, &missing);
    };
    let ideal = |w: &str| {
        if w == CPU {
            n.min(run.cores) as f64
        } else {
            n as f64
        }
    };
    let pair = |r: &str| Some((run.at(r, CPU, n)?, run.at(r, SLEEP, n)?));
    let processes = pair(PROCESSES).expect("chosen where processes finished both");
    let threads = pair(THREAD_POOL);
    let locked = gil_name.and_then(pair);

    let show = |label: String, cells: Option<Pair<'_>>, w: &str| {
        cells.map(|c| format!("{label} {}", run.sx(side(c, w))))
    };
    let mut measured = Vec::new();
    for w in [CPU, SLEEP] {
        let parts: Vec<String> = [
            show(format!("threads ({THREAD_POOL})"), threads, w),
            show(PROCESSES.to_owned(), Some(processes), w),
            show(
                format!("threads under a global lock ({})", gil_name.unwrap_or("")),
                locked,
                w,
            ),
        ]
        .into_iter()
        .flatten()
        .collect();
        measured.push(format!("`{w}` at {n} threads: {}", parts.join(", ")));
    }
    let per_task =
        run.runners(|c| c.workload == SLEEP && run.knob(&c.runner) == Some(PER_TASK_KNOB));
    if let Some(c) = per_task.iter().find_map(|r| run.point(r, SLEEP)) {
        let last = measured.last_mut().expect("two lines");
        write!(
            last,
            " (one OS thread per task, {}: {})",
            c.runner,
            run.sx(c)
        )
        .expect("write to String");
    }

    // Each setting: the threads it has, and what the advice says there.
    let speed = |c: &Cell| run.speedup(c).unwrap_or(f64::NAN);
    let mut settings: Vec<(&str, Part)> = Vec::new();
    for (label, threads_cells, word) in [
        ("without a GIL", threads, "threads"),
        ("under a GIL", locked, "threads under the lock"),
    ] {
        let Some(t) = threads_cells else {
            let who = if label == "without a GIL" {
                run.missing(THREAD_POOL, CPU)
            } else {
                match gil_name {
                    Some(g) => run.missing(g, CPU),
                    None => "no runner with a global lock ran".to_owned(),
                }
            };
            settings.push((label, Part::Unmeasured(label.to_owned(), who)));
            continue;
        };
        let mut fails = Vec::new();
        let mut fine = Vec::new();
        for (w, kind, unit, t_cell, p_cell) in [
            (CPU, "CPU", advice.cpu, t.0, processes.0),
            (SLEEP, "waiting", advice.io, t.1, processes.1),
        ] {
            let (named, named_cell) = match unit {
                Unit::Threads => (word, t_cell),
                Unit::Processes => (PROCESSES, p_cell),
            };
            if !helps(speed(named_cell), ideal(w)) {
                fails.push(format!(
                    "{named} did not help {kind} work ({})",
                    run.sx(named_cell)
                ));
            } else if unit == Unit::Processes && helps(speed(t_cell), ideal(w)) {
                fails.push(format!(
                    "{PROCESSES} are not needed for {kind} work: {word} gained {} against {} for \
                     {PROCESSES}",
                    run.sx(t_cell),
                    run.sx(p_cell)
                ));
            } else {
                fine.push(format!(
                    "{named} helped {kind} work ({})",
                    run.sx(named_cell)
                ));
            }
        }
        settings.push((
            label,
            if fails.is_empty() {
                Part::Holds(format!("{label}, {}", join_and(&fine)))
            } else {
                Part::Fails(format!("{label}, {}", join_and(&fails)))
            },
        ));
    }
    let (verdict, mut why) = combine(settings);
    // What the data show instead, unit by unit.
    let mut units: Vec<(String, Pair<'_>)> = vec![(PROCESSES.to_owned(), processes)];
    if let Some(t) = threads {
        units.insert(0, ("threads".to_owned(), t));
    }
    if let Some(l) = locked {
        units.push(("threads under a global lock".to_owned(), l));
    }
    let helped = |w: &str| -> (Vec<String>, Vec<String>) {
        let (yes, no): (Vec<_>, Vec<_>) = units
            .iter()
            .partition(|(_, cells)| helps(speed(side(*cells, w)), ideal(w)));
        (
            yes.into_iter().map(|(n, _)| n.clone()).collect(),
            no.into_iter().map(|(n, _)| n.clone()).collect(),
        )
    };
    let said = |(yes, no): (Vec<String>, Vec<String>)| match (yes.is_empty(), no.is_empty()) {
        (false, true) if yes.len() > 1 => format!("on all of {}", join_and(&yes)),
        (false, true) => format!("on {}", join_and(&yes)),
        (false, false) => format!("on {} but not on {}", join_and(&yes), join_and(&no)),
        (true, _) => "on none of them".to_owned(),
    };
    write!(
        why,
        ". In this run CPU work sped up {}, and waiting work {}",
        said(helped(CPU)),
        said(helped(SLEEP))
    )
    .expect("write to String");
    Check {
        claim,
        experiment,
        rule,
        measured,
        verdict,
        why,
    }
}

/// The cells of the runners with a global lock on `workload` at more than one
/// thread, finished with a speedup, and what is missing when there are none.
fn locked_cells<'a>(
    run: &Run<'a>,
    workload: &str,
) -> (Vec<&'a str>, Result<Vec<&'a Cell>, Vec<String>>) {
    let gil = run.runners(|c| c.class == Class::ConcurrentSerialized);
    let cells: Vec<&Cell> = gil
        .iter()
        .flat_map(|r| run.finished(r, workload))
        .filter(|c| c.threads > 1 && run.speedup(c).is_some())
        .collect();
    if !cells.is_empty() {
        return (gil, Ok(cells));
    }
    let missing = match run.missing_seq(workload) {
        Some(m) => vec![m],
        None if gil.is_empty() => {
            vec!["no runner with a global lock (class concurrent-serialized) ran".to_owned()]
        }
        None => gil
            .iter()
            .map(|r| {
                if run.finished(r, workload).is_empty() {
                    run.missing(r, workload)
                } else {
                    format!("`{workload}` finished on {r} at one thread only")
                }
            })
            .collect(),
    };
    (gil, Err(missing))
}

/// `gil (OS threads under one global lock{more})`, or the same said of a runner
/// when none ran.
fn locked_names(gil: &[&str], more: &str) -> String {
    if gil.is_empty() {
        format!("a runner with OS threads under one global lock{more}")
    } else {
        format!(
            "{} (OS threads under one global lock{more})",
            names(gil, "")
        )
    }
}

/// `gil at 2 and 4 threads: 0.98× and 0.97×`, `thread-pool at …`.
fn speedups_line(run: &Run<'_>, runner: &str, cells: &[&Cell]) -> String {
    let values: Vec<String> = cells.iter().map(|c| run.sx(c)).collect();
    format!(
        "{runner} at {} threads: {}",
        counts(cells),
        join_and(&values)
    )
}

/// Claim 6: CPU work under a global lock.
fn gil_cpu(run: &Run<'_>) -> Check {
    let claim = "Under a GIL, CPU-bound threads gain nothing.".to_owned();
    let (gil, cells) = locked_cells(run, CPU);
    let experiment = format!(
        "`{CPU}` at more than one thread on {}, against `seq` and {THREAD_POOL} (the same \
         threads without the lock) at the same thread counts",
        locked_names(&gil, "")
    );
    let rule = format!(
        "holds when every cell of a runner with a global lock at more than one thread stays at \
         or below {NO_GAIN}× `seq`."
    );
    let cells = match cells {
        Ok(cells) => cells,
        Err(missing) => return not_measured(claim, experiment, rule, &missing),
    };
    let mut measured = Vec::new();
    for r in &gil {
        let mine: Vec<&Cell> = cells.iter().copied().filter(|c| c.runner == *r).collect();
        if mine.is_empty() {
            continue;
        }
        let util: Vec<String> = mine.iter().map(|c| cores(run.util(c))).collect();
        measured.push(format!(
            "{} `seq`, on {} cores",
            speedups_line(run, r, &mine),
            join_and(&util)
        ));
    }
    let free: Vec<&Cell> = cells
        .iter()
        .filter_map(|c| run.at(THREAD_POOL, CPU, c.threads))
        .fold(Vec::new(), |mut v, c| {
            if !v.iter().any(|x: &&Cell| std::ptr::eq(*x, c)) {
                v.push(c);
            }
            v
        });
    if !free.is_empty() {
        measured.push(speedups_line(run, THREAD_POOL, &free));
    }
    let top = cells
        .iter()
        .copied()
        .max_by(|a, b| run.speedup(a).unwrap().total_cmp(&run.speedup(b).unwrap()))
        .expect("not empty");
    let most_threads = cells.iter().map(|c| c.threads).max().unwrap_or(1);
    let busiest = cells
        .iter()
        .map(|c| run.util(c))
        .fold(f64::NEG_INFINITY, f64::max);
    let (verdict, mut why) = if run.speedup(top).unwrap() <= NO_GAIN {
        (
            Verdict::Holds,
            format!(
                "one thread ran at a time: at most {} `seq` with up to {most_threads} threads, \
                 at most {} cores busy",
                run.sx(top),
                cores(busiest)
            ),
        )
    } else {
        (
            Verdict::DoesNotHold,
            format!(
                "{} at {} threads ran CPU work at {} `seq`",
                top.runner,
                top.threads,
                run.sx(top)
            ),
        )
    };
    if let Some(best) = free
        .iter()
        .copied()
        .max_by(|a, b| run.speedup(a).unwrap().total_cmp(&run.speedup(b).unwrap()))
    {
        write!(
            why,
            ", where the same threads without the lock reached up to {}",
            run.sx(best)
        )
        .expect("write to String");
    }
    Check {
        claim,
        experiment,
        rule,
        measured,
        verdict,
        why,
    }
}

/// Claim 7: waits under a global lock.
fn gil_waits(run: &Run<'_>) -> Check {
    let claim = "Under a GIL, I/O-bound threads still overlap their waits.".to_owned();
    let (gil, cells) = locked_cells(run, SLEEP);
    let experiment = format!(
        "`{SLEEP}` at more than one thread on {}, against `seq` and {THREAD_POOL} at the same \
         thread counts",
        locked_names(&gil, ", released while a thread waits")
    );
    let rule = format!(
        "holds when every cell of a runner with a global lock at N > 1 threads reaches half the \
         ideal N× over `seq` (1 + (N − 1)/2: {}× at 2 threads).",
        1.0 + HELPS
    );
    let cells = match cells {
        Ok(cells) => cells,
        Err(missing) => return not_measured(claim, experiment, rule, &missing),
    };
    let mut measured = Vec::new();
    for r in &gil {
        let mine: Vec<&Cell> = cells.iter().copied().filter(|c| c.runner == *r).collect();
        if !mine.is_empty() {
            measured.push(speedups_line(run, r, &mine));
        }
    }
    let pairs: Vec<(&Cell, Option<&Cell>)> = cells
        .iter()
        .map(|c| (*c, run.at(THREAD_POOL, SLEEP, c.threads)))
        .collect();
    let mut free: Vec<&Cell> = Vec::new();
    for (_, f) in &pairs {
        if let Some(f) = f {
            if !free.iter().any(|x| std::ptr::eq(*x, *f)) {
                free.push(f);
            }
        }
    }
    free.sort_by_key(|c| c.threads);
    if !free.is_empty() {
        measured.push(speedups_line(run, THREAD_POOL, &free));
    }
    let short: Vec<&Cell> = cells
        .iter()
        .copied()
        .filter(|c| !helps(run.speedup(c).unwrap(), c.threads as f64))
        .collect();
    let (verdict, why) = if short.is_empty() {
        let values: Vec<String> = cells
            .iter()
            .map(|c| format!("{} at {} threads", run.sx(c), c.threads))
            .collect();
        let mut why = format!(
            "waits release the lock, so the threads overlapped them: {}",
            join_and(&values)
        );
        let shares: Vec<String> = pairs
            .iter()
            .filter_map(|(g, f)| {
                let f = (*f)?;
                Some(format!("{:.0}%", run.speedup(g)? / run.speedup(f)? * 100.0))
            })
            .collect();
        if !shares.is_empty() {
            write!(
                why,
                ", {} of {THREAD_POOL}'s at the same thread count{}",
                join_and(&shares),
                if shares.len() > 1 { "s" } else { "" }
            )
            .expect("write to String");
        }
        (Verdict::Holds, why)
    } else {
        let values: Vec<String> = short
            .iter()
            .map(|c| {
                format!(
                    "{} at {} threads reached only {} (half the ideal: {})",
                    c.runner,
                    c.threads,
                    run.sx(c),
                    times(1.0 + HELPS * (c.threads as f64 - 1.0))
                )
            })
            .collect();
        (Verdict::DoesNotHold, join_and(&values))
    };
    Check {
        claim,
        experiment,
        rule,
        measured,
        verdict,
        why,
    }
}

/// Claim 8: merging private copies against shared memory, and a message per
/// update against an atomic update.
fn message_passing(run: &Run<'_>) -> Check {
    let claim = "Message passing is slower than shared memory.".to_owned();
    let size = run
        .results
        .cells
        .iter()
        .find(|c| c.workload == SHARED_MERGE && c.param("workers").is_some())
        .and_then(|c| Some((c.param("workers")?, c.param("updates")?)))
        .map_or("T workers × U updates".to_owned(), |(w, u)| {
            format!("{} workers × {} updates", thousands(w), thousands(u))
        });
    let experiment = format!(
        "{size} to a counter and a histogram, in shared memory as atomics (`{SHARED_ATOMIC}`), \
         behind a mutex (`{SHARED_MUTEX}`) or an async mutex (`{SHARED_ASYNC_MUTEX}`), or as \
         private copies sent and merged once at the end (`{SHARED_MERGE}`: message passing), on \
         each runner at one thread count; and a message per hop on `{CHANNELS}`"
    );
    let rule = format!(
        "batched messages are slower when `{SHARED_MERGE}` costs more per update than the \
         fastest shared-memory variant on the same runner at the same thread count; a message \
         per update is slower when a `{CHANNELS}` hop costs more than a `{SHARED_ATOMIC}` update \
         on the same runner at the same thread count."
    );
    let value = |c: &Cell, key: &str| metric(c, key);
    let mut measured = Vec::new();
    // Batched: merge against the fastest shared variant, per runner.
    let mut batched: Vec<(&Cell, f64, f64, &str)> = Vec::new();
    for r in run.runners(|c| c.workload == SHARED_MERGE) {
        let Some(merge) = run.point(r, SHARED_MERGE) else {
            continue;
        };
        let Some(m) = value(merge, NS_PER_UPDATE) else {
            continue;
        };
        let shared: Vec<(f64, &str)> = SHARED_MEMORY
            .iter()
            .filter_map(|(w, short)| {
                Some((value(run.at(r, w, merge.threads)?, NS_PER_UPDATE)?, *short))
            })
            .collect();
        let mut line = format!("{r} at {}: merge {}", threads(merge.threads), ns(m));
        for (v, short) in &shared {
            write!(line, ", {short} {}", ns(*v)).expect("write to String");
        }
        line.push_str(" per update");
        if shared.is_empty() {
            let na = SHARED_MEMORY
                .iter()
                .flat_map(|(w, _)| run.all(r, w))
                .any(|c| !c.applies());
            line.push_str(if na {
                " (shared memory does not apply)"
            } else {
                " (no shared-memory variant finished)"
            });
        }
        measured.push(line);
        if let Some(&(best, short)) = shared.iter().min_by(|a, b| a.0.total_cmp(&b.0)) {
            batched.push((merge, m, best, short));
        }
    }
    if batched.is_empty() {
        let missing = if run.results.cells.iter().any(|c| c.workload == SHARED_MERGE) {
            format!(
                "`{SHARED_MERGE}` and a shared-memory variant finished on no runner at one \
                 thread count"
            )
        } else {
            format!("`{SHARED_MERGE}` did not run")
        };
        return not_measured(claim, experiment, rule, &[missing]);
    }
    // Per update: a channel hop against an atomic update.
    let mut per_update: Vec<(&Cell, f64, f64)> = Vec::new();
    for r in run.runners(|c| c.workload == CHANNELS) {
        let Some(hop) = run.point(r, CHANNELS) else {
            continue;
        };
        let Some(h) = value(hop, NS_PER_HOP) else {
            continue;
        };
        if let Some(a) = run
            .at(r, SHARED_ATOMIC, hop.threads)
            .and_then(|c| value(c, NS_PER_UPDATE))
        {
            per_update.push((hop, h, a));
        }
    }
    if !per_update.is_empty() {
        let parts: Vec<String> = per_update
            .iter()
            .map(|(c, h, a)| format!("{} {} against {}", c.runner, ns(*h), ns(*a)))
            .collect();
        measured.push(format!(
            "a `{CHANNELS}` hop against a `{SHARED_ATOMIC}` update: {}",
            parts.join(", ")
        ));
    }

    let ratio_range = |ratios: &[(f64, &Cell)]| -> String {
        let low = ratios
            .iter()
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .expect("not empty");
        let high = ratios
            .iter()
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .expect("not empty");
        if times(low.0) == times(high.0) {
            format!("{} ({})", times(low.0), low.1.runner)
        } else {
            format!(
                "{} ({}) to {} ({})",
                times(low.0),
                low.1.runner,
                times(high.0),
                high.1.runner
            )
        }
    };
    let b_ratios: Vec<(f64, &Cell)> = batched.iter().map(|(c, m, s, _)| (m / s, *c)).collect();
    // Merging far cheaper reads better as how many times dearer shared memory was.
    let s_ratios: Vec<(f64, &Cell)> = batched.iter().map(|(c, m, s, _)| (s / m, *c)).collect();
    let slower: Vec<&str> = batched
        .iter()
        .filter(|(_, m, s, _)| m >= s)
        .map(|(c, ..)| c.runner.as_str())
        .collect();
    let faster: Vec<&str> = batched
        .iter()
        .filter(|(_, m, s, _)| m < s)
        .map(|(c, ..)| c.runner.as_str())
        .collect();
    let batched_part = if faster.is_empty() {
        Part::Holds(format!(
            "merging private copies cost {} the fastest shared-memory update",
            ratio_range(&b_ratios)
        ))
    } else if slower.is_empty() {
        Part::Fails(format!(
            "batched, messages were faster: the fastest shared-memory update cost {} as much as \
             merging private copies on the same runner",
            ratio_range(&s_ratios)
        ))
    } else {
        Part::Fails(format!(
            "batched, messages were faster on {} but slower on {}",
            join_and(&faster.iter().map(|s| s.to_string()).collect::<Vec<_>>()),
            join_and(&slower.iter().map(|s| s.to_string()).collect::<Vec<_>>())
        ))
    };
    let u_ratios: Vec<(f64, &Cell)> = per_update.iter().map(|(c, h, a)| (h / a, *c)).collect();
    let update_part = if per_update.is_empty() {
        Part::Unmeasured(
            "a message per update".into(),
            format!(
                "needs `{CHANNELS}` and `{SHARED_ATOMIC}` finished on one runner at one thread \
                 count"
            ),
        )
    } else if per_update.iter().all(|(_, h, a)| h > a) {
        Part::Holds(format!(
            "one message per update costs more: a channel hop cost {} an atomic update",
            ratio_range(&u_ratios)
        ))
    } else {
        Part::Fails(format!(
            "a channel hop cost {} an atomic update",
            ratio_range(&u_ratios)
        ))
    };
    let (verdict, why) = combine(vec![
        ("when messages are batched", batched_part),
        ("when a message is sent per update", update_part),
    ]);
    Check {
        claim,
        experiment,
        rule,
        measured,
        verdict,
        why,
    }
}

// ---------------------------------------------------------------------------
// Rendering

/// Writes the section: a table of the verdicts, then each claim with its
/// experiment, measurements, rule and verdict.
pub(crate) fn section(
    results: &Results,
    rank: &dyn Fn(&str) -> usize,
    workloads: &[&str],
    out: &mut String,
) {
    let checks = checks(results, rank, workloads);
    out.push_str("## Claims checked\n\n");
    out.push_str(
        "Each classic claim, the experiment that tests it, what the cells measured, and a verdict \
         computed from those numbers by the rule given with it: **holds**, **does not hold**, \
         **holds only …** when the data support part of the claim, or **not measured in this \
         run** when the cells it needs are missing, do not apply or failed. Where a part of a \
         claim was not measured, the verdict covers the rest and names that part.\n\n",
    );
    let mut table = Table::new([
        ("#", Align::Right),
        ("Claim", Align::Left),
        ("Verdict", Align::Left),
    ]);
    for (i, check) in checks.iter().enumerate() {
        table.push_row(vec![
            (i + 1).to_string(),
            check.claim.trim_end_matches('.').to_owned(),
            check.verdict.text(),
        ]);
    }
    out.push_str(&table.to_markdown());
    out.push('\n');
    for (i, check) in checks.iter().enumerate() {
        writeln!(out, "**{}. {}**\n", i + 1, check.claim).expect("write to String");
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
        writeln!(
            out,
            "- *Verdict:* **{}**{}.\n",
            check.verdict.text(),
            if check.why.is_empty() {
                String::new()
            } else {
                format!(": {}", check.why)
            }
        )
        .expect("write to String");
    }
    if checks
        .iter()
        .any(|c| c.measured.iter().any(|m| m.contains('†')) || c.why.contains('†'))
    {
        out.push_str(
            "† A speedup from a cell, or a `seq`, that ran part of the work and was scaled up; \
             see the workload's table.\n\n",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::summarize;

    fn parse(text: &str) -> Results {
        crate::parse(std::path::Path::new("fixture"), text).expect("fixture parses")
    }

    fn fixture() -> Results {
        parse(include_str!("../tests/fixtures/results-claims.json"))
    }

    /// The checks of `results`, summarised as the report does.
    fn checked(results: &Results) -> Vec<Check> {
        let mut results = results.clone();
        summarize(&mut results);
        let rank = crate::fixtures::runner_rank(&results);
        let workloads = crate::fixtures::workload_order(&results);
        checks(&results, &rank, &workloads)
    }

    fn verdicts(results: &Results) -> Vec<Verdict> {
        checked(results).into_iter().map(|c| c.verdict).collect()
    }

    /// Check `n` (1-based) of `results`.
    fn claim(results: &Results, n: usize) -> Check {
        checked(results).swap_remove(n - 1)
    }

    /// Multiplies the wall times of the matching cells' samples by `factor`.
    fn scale_wall(
        results: &mut Results,
        runner: &str,
        workload: &str,
        threads: usize,
        factor: f64,
    ) {
        let mut found = false;
        for c in &mut results.cells {
            if c.runner == runner && c.workload == workload && c.threads == threads {
                for s in &mut c.samples {
                    s.wall_s *= factor;
                }
                found = true;
            }
        }
        assert!(found, "no cell {runner}/{workload}/t{threads}");
    }

    /// Sets the measure `key` of the matching cells to `value`.
    fn set_metric(results: &mut Results, runner: &str, workload: &str, key: &str, value: f64) {
        for c in &mut results.cells {
            if c.runner == runner && c.workload == workload && c.applies() {
                c.metrics.insert(key.into(), value);
            }
        }
    }

    fn holds_only(when: &str) -> Verdict {
        Verdict::HoldsOnly(when.into())
    }

    #[test]
    fn the_claims_fixture() {
        assert_eq!(
            verdicts(&fixture()),
            vec![
                Verdict::Holds,
                Verdict::Holds,
                Verdict::Holds,
                Verdict::Holds,
                Verdict::DoesNotHold,
                Verdict::Holds,
                Verdict::Holds,
                holds_only("when a message is sent per update"),
            ]
        );
    }

    #[test]
    fn without_processes_claims_1_2_and_5_are_not_measured() {
        let mut results = fixture();
        results.cells.retain(|c| c.runner != PROCESSES);
        let checks = checked(&results);
        for n in [1, 2, 5] {
            let check = &checks[n - 1];
            assert_eq!(check.verdict, Verdict::NotMeasured, "claim {n}");
            assert!(check.measured.is_empty(), "claim {n}: {:?}", check.measured);
            assert!(
                check.why.contains("did not run on processes"),
                "claim {n}: {}",
                check.why
            );
        }
        for n in [3, 4, 6, 7] {
            assert_eq!(checks[n - 1].verdict, Verdict::Holds, "claim {n}");
        }
        // Merging on processes was one runner of many.
        assert_eq!(
            checks[7].verdict,
            holds_only("when a message is sent per update")
        );
        // Cells that do not apply are no measurement either.
        let mut na = fixture();
        for c in &mut na.cells {
            if c.runner == PROCESSES {
                c.status = Status::NotApplicable;
                c.error = Some("not today".into());
            }
        }
        let one = claim(&na, 1);
        assert_eq!(one.verdict, Verdict::NotMeasured);
        assert_eq!(one.why, "`spawn` does not apply to processes");
    }

    #[test]
    fn claim_1_lightweight() {
        let check = claim(&fixture(), 1);
        assert_eq!(
            check.measured,
            vec![
                "an async task: 150 ns and 318 B (smol-local, the cheapest)",
                "an OS thread: 14.5 µs and 12.4 KiB (threads)",
                "a process: 1.48 ms (processes at 2 threads) and 1.31 MiB (proportional set \
                 size of one worker process)",
            ]
        );
        assert_eq!(
            check.why,
            "a process cost 102× a thread to create and join and 108× its memory. Lightweight \
             is relative: a thread cost 96.8× an async task to create and join and 39.8× its \
             memory"
        );
        // A cheap process: creation 3× a thread's, memory as before (108×).
        let mut results = fixture();
        let thread = results
            .cells
            .iter()
            .find(|c| c.runner == THREADS && c.workload == SPAWN)
            .unwrap()
            .clone();
        let (t_ns, t_mem) = (thread.metrics[NS_PER_TASK], thread.metrics[RSS_PER_TASK]);
        set_metric(&mut results, PROCESSES, SPAWN, NS_PER_TASK, 3.0 * t_ns);
        assert_eq!(claim(&results, 1).verdict, holds_only("for memory"));
        // And small: 2× a thread's memory, wherever processes measured it.
        for w in [SPAWN, CPU, SLEEP, SHARED_MERGE, crash::PANIC, crash::ABORT] {
            set_metric(&mut results, PROCESSES, w, RSS_PER_PROCESS, 2.0 * t_mem);
        }
        let check = claim(&results, 1);
        assert_eq!(check.verdict, Verdict::DoesNotHold);
        assert!(
            check.why.starts_with("a process cost only 3.00× a thread"),
            "{}",
            check.why
        );
        // Creation only.
        set_metric(&mut results, PROCESSES, SPAWN, NS_PER_TASK, 1.5e6);
        assert_eq!(claim(&results, 1).verdict, holds_only("for creation cost"));
        // Without one thread per task: not measured, saying so.
        let mut results = fixture();
        results
            .cells
            .retain(|c| !(c.runner == THREADS && c.workload == SPAWN));
        let check = claim(&results, 1);
        assert_eq!(check.verdict, Verdict::NotMeasured);
        assert_eq!(check.why, "`spawn` did not run on threads");
    }

    #[test]
    fn claim_2_isolation_and_shared_memory() {
        let check = claim(&fixture(), 2);
        assert_eq!(
            check.measured[0],
            "`crash-abort`: processes kept 7 of 8 jobs; threads and thread-pool died (killed by \
             signal 6 (SIGABRT)), 0 of 8 kept"
        );
        assert!(check.why.starts_with(
            "an abort cost processes 1 of 8 jobs but ended the whole process on threads and \
             thread-pool; state in shared memory worked on threads and thread-pool and does not \
             apply to processes; a panic, though, unwound only its own thread"
        ));
        // The crash workloads are opt-in: without them, memory alone decides.
        let mut results = fixture();
        results
            .cells
            .retain(|c| !c.workload.starts_with(crash::PREFIX));
        let check = claim(&results, 2);
        assert_eq!(check.verdict, Verdict::Holds);
        assert!(
            check
                .why
                .starts_with("isolation: not measured in this run (`crash-abort` did not run)"),
            "{}",
            check.why
        );
        // An abort that kills processes too: isolation fails, memory holds.
        let mut results = fixture();
        for c in &mut results.cells {
            if c.runner == PROCESSES && c.workload == crash::ABORT {
                c.status = Status::Failed;
                c.error = Some("cell process killed by signal 6 (SIGABRT)".into());
                c.exit = Some(crate::model::ProcessExit {
                    code: None,
                    signal: Some(6),
                    signal_name: Some("SIGABRT".into()),
                    timed_out: false,
                    reported: false,
                });
            }
        }
        let check = claim(&results, 2);
        assert_eq!(check.verdict, holds_only("for memory"));
        assert!(
            check.why.starts_with(
                "an abort ended the whole process on processes too (at 1, 2 and 4 threads)"
            ),
            "{}",
            check.why
        );
        // And shared state that worked across processes: nothing holds.
        let merge = results
            .cells
            .iter()
            .find(|c| c.runner == PROCESSES && c.workload == SHARED_MERGE)
            .unwrap()
            .clone();
        for c in &mut results.cells {
            if c.runner == PROCESSES && c.workload == SHARED_MUTEX {
                let threads = c.threads;
                *c = Cell {
                    workload: SHARED_MUTEX.into(),
                    threads,
                    ..merge.clone()
                };
            }
        }
        assert_eq!(claim(&results, 2).verdict, Verdict::DoesNotHold);
    }

    #[test]
    fn claim_3_one_core() {
        let check = claim(&fixture(), 3);
        assert_eq!(
            check.measured,
            vec![
                "`cpu`: tokio-ct 1.00× on 0.99 cores, smol-local 1.00× on 1.00 cores",
                "`sleep`: tokio-ct 888×†, smol-local 984×†",
            ]
        );
        // A single-threaded runner that sped up CPU work.
        let mut results = fixture();
        scale_wall(&mut results, "tokio-ct", CPU, 1, 0.6);
        let check = claim(&results, 3);
        assert_eq!(check.verdict, Verdict::DoesNotHold);
        assert!(
            check
                .why
                .starts_with("tokio-ct ran CPU work at 1.66× `seq`"),
            "{}",
            check.why
        );
        // No single-threaded concurrent runner, or no `seq`.
        let mut results = fixture();
        results.cells.retain(|c| c.class != Class::Concurrent);
        let check = claim(&results, 3);
        assert_eq!(check.verdict, Verdict::NotMeasured);
        assert_eq!(check.why, "no single-threaded concurrent runner ran");
        let mut results = fixture();
        results
            .cells
            .retain(|c| !(c.runner == BASELINE_RUNNER && c.workload == CPU));
        assert_eq!(claim(&results, 3).why, "`cpu` did not run on seq");
    }

    #[test]
    fn claim_4_cores() {
        let check = claim(&fixture(), 4);
        assert_eq!(
            check.why,
            "no cell exceeded min(threads, cores); the closest above one thread was tokio-mt at \
             2 threads, 1.98× against a bound of 2; threads beyond the 2 cores bought nothing: \
             at 4 threads the runners reached 0.99× their speedup at 2 threads"
        );
        // No thread count above the cores: that part is named as not measured.
        let mut results = fixture();
        results.cells.retain(|c| c.threads <= 2);
        let check = claim(&results, 4);
        assert_eq!(check.verdict, Verdict::Holds);
        assert!(check.why.ends_with(
            "threads beyond the cores: not measured in this run (no thread count above the 2 \
             logical cores)"
        ));
        // Four threads that beat two on two cores, within the bound.
        let mut results = fixture();
        scale_wall(&mut results, "tokio-mt", CPU, 2, 1.25);
        let check = claim(&results, 4);
        assert_eq!(check.verdict, holds_only("as a bound on speedup"));
        assert!(
            check
                .why
                .ends_with("tokio-mt gained a further 1.24× from 4 threads over 2"),
            "{}",
            check.why
        );
        // A speedup above the core count breaks the bound.
        scale_wall(&mut results, "tokio-mt", CPU, 4, 0.7);
        let check = claim(&results, 4);
        assert_eq!(check.verdict, Verdict::DoesNotHold);
        assert!(
            check
                .why
                .starts_with("tokio-mt at 4 threads reached 2.81×, above min(threads, cores) = 2"),
            "{}",
            check.why
        );
        // Only one thread: nothing to say.
        let mut results = fixture();
        results.cells.retain(|c| c.threads == 1);
        assert_eq!(claim(&results, 4).verdict, Verdict::NotMeasured);
    }

    #[test]
    fn claim_5_advice_either_way_round() {
        let check = claim(&fixture(), 5);
        assert_eq!(
            check.claim,
            "Use multiprocessing for I/O-bound work, multithreading for CPU-bound work."
        );
        assert!(
            check.why.starts_with(
                "without a GIL, processes are not needed for waiting work: threads gained \
                 2.01×† against 2.00×† for processes; under a GIL, threads under the lock did \
                 not help CPU work (0.98×) and processes are not needed for waiting work"
            ),
            "{}",
            check.why
        );
        assert!(check.why.ends_with(
            ". In this run CPU work sped up on threads and processes but not on threads under a \
             global lock, and waiting work on all of threads, processes and threads under a \
             global lock"
        ));
        // The advice the other way round holds under a GIL only.
        let mut results = fixture();
        summarize(&mut results);
        let rank = |r: &str| results.config.runners.iter().position(|x| x == r).unwrap();
        let workloads: Vec<&str> = results
            .config
            .workloads
            .iter()
            .map(String::as_str)
            .collect();
        let run = Run {
            results: &results,
            rank: &rank,
            workloads: &workloads,
            cores: 2,
        };
        let classic = advice(
            &run,
            &Advice {
                io: Unit::Threads,
                cpu: Unit::Processes,
            },
        );
        assert_eq!(
            classic.claim,
            "Use multithreading for I/O-bound work, multiprocessing for CPU-bound work."
        );
        assert_eq!(classic.verdict, holds_only("under a GIL"));
        assert!(
            classic.why.starts_with(
                "without a GIL, processes are not needed for CPU work: threads gained 1.98× \
                 against 1.96× for processes; under a GIL, processes helped CPU work (1.96×) and \
                 threads under the lock helped waiting work (1.98×†)"
            ),
            "{}",
            classic.why
        );
        // Without the GIL runner, the setting without one decides and the other is named.
        let mut results = fixture();
        results
            .cells
            .retain(|c| c.class != Class::ConcurrentSerialized);
        let check = claim(&results, 5);
        assert_eq!(check.verdict, Verdict::DoesNotHold);
        assert!(
            check.why.contains(
                "under a GIL: not measured in this run (no runner with a global lock ran)"
            ),
            "{}",
            check.why
        );
    }

    #[test]
    fn claims_6_and_7_the_gil() {
        let results = fixture();
        let six = claim(&results, 6);
        assert_eq!(
            six.measured,
            vec![
                "gil at 2 and 4 threads: 0.98× and 0.97× `seq`, on 1.00 and 1.00 cores",
                "thread-pool at 2 and 4 threads: 1.98× and 1.96×",
            ]
        );
        let seven = claim(&results, 7);
        assert_eq!(
            seven.why,
            "waits release the lock, so the threads overlapped them: 1.98×† at 2 threads and \
             3.97×† at 4 threads, 99% and 99% of thread-pool's at the same thread counts"
        );
        // A lock that let CPU work run in parallel; waits that did not overlap.
        let mut results = fixture();
        scale_wall(&mut results, "gil", CPU, 4, 0.5);
        scale_wall(&mut results, "gil", SLEEP, 4, 2.0);
        let six = claim(&results, 6);
        assert_eq!(six.verdict, Verdict::DoesNotHold);
        assert_eq!(
            six.why,
            "gil at 4 threads ran CPU work at 1.94× `seq`, where the same threads without the \
             lock reached up to 1.98×"
        );
        let seven = claim(&results, 7);
        assert_eq!(seven.verdict, Verdict::DoesNotHold);
        assert_eq!(
            seven.why,
            "gil at 4 threads reached only 1.99×† (half the ideal: 2.50×)"
        );
        // No runner with a global lock; one at one thread only.
        let mut results = fixture();
        results
            .cells
            .retain(|c| c.class != Class::ConcurrentSerialized);
        for n in [6, 7] {
            let check = claim(&results, n);
            assert_eq!(check.verdict, Verdict::NotMeasured);
            assert_eq!(
                check.why,
                "no runner with a global lock (class concurrent-serialized) ran"
            );
        }
        let mut results = fixture();
        results
            .cells
            .retain(|c| c.class != Class::ConcurrentSerialized || c.threads == 1);
        assert_eq!(
            claim(&results, 6).why,
            "`cpu` finished on gil at one thread only"
        );
    }

    #[test]
    fn claim_8_message_passing() {
        let check = claim(&fixture(), 8);
        assert!(check.measured.contains(
            &"thread-pool at 2 threads: merge 0.618 ns, atomic 18.4 ns, mutex 47.9 ns per update"
                .to_owned()
        ));
        assert!(
            check.measured.contains(
                &"processes at 2 threads: merge 0.716 ns per update (shared memory does not apply)"
                    .to_owned()
            )
        );
        assert_eq!(
            check.why,
            "batched, messages were faster: the fastest shared-memory update cost 4.86× (seq) \
             to 29.8× (thread-pool) as much as merging private copies on the same runner; one \
             message per update costs more: a channel hop cost 13.6× (smol-local) to 296× \
             (threads) an atomic update"
        );
        // Merging dearer than an atomic everywhere: the claim holds outright.
        let mut results = fixture();
        for c in &mut results.cells {
            if c.workload == SHARED_MERGE && c.applies() {
                c.metrics.insert(NS_PER_UPDATE.into(), 100.0);
            }
        }
        assert_eq!(claim(&results, 8).verdict, Verdict::Holds);
        // Without channels the batched comparison decides alone.
        let mut results = fixture();
        results.cells.retain(|c| c.workload != CHANNELS);
        let check = claim(&results, 8);
        assert_eq!(check.verdict, Verdict::DoesNotHold);
        assert!(check.why.ends_with(
            "a message per update: not measured in this run (needs `channels` and \
             `shared-atomic` finished on one runner at one thread count)"
        ));
        // Without the merge, nothing.
        let mut results = fixture();
        results.cells.retain(|c| c.workload != SHARED_MERGE);
        let check = claim(&results, 8);
        assert_eq!(check.verdict, Verdict::NotMeasured);
        assert_eq!(check.why, "`shared-merge` did not run");
    }

    #[test]
    fn older_fixtures_measure_what_they_have() {
        let v1 = parse(include_str!("../tests/fixtures/results.json"));
        let sweep = parse(include_str!("../tests/fixtures/sweep.json"));
        let v2 = parse(include_str!("../tests/fixtures/results-v2.json"));
        use Verdict::{Holds, NotMeasured};
        assert_eq!(
            verdicts(&v1),
            vec![
                NotMeasured,
                NotMeasured,
                Holds,
                Holds,
                NotMeasured,
                NotMeasured,
                NotMeasured,
                NotMeasured
            ]
        );
        assert!(
            claim(&v1, 4)
                .why
                .contains("threads beyond the cores: not measured")
        );
        // The sweep has threads above the cores.
        assert_eq!(claim(&sweep, 4).verdict, Holds);
        assert!(!claim(&sweep, 4).why.contains("not measured"));
        // v2 has `spawn` on threads but no processes.
        let one = claim(&v2, 1);
        assert_eq!(one.verdict, NotMeasured);
        assert_eq!(one.why, "`spawn` did not run on processes");
        assert!(verdicts(&v2).iter().all(|v| *v == NotMeasured));
    }

    #[test]
    fn point_is_the_core_count_or_below() {
        let results = fixture();
        let cells: Vec<&Cell> = results
            .cells
            .iter()
            .filter(|c| c.runner == "tokio-mt" && c.workload == CPU)
            .collect();
        assert_eq!(point_of(&cells, 2).unwrap().threads, 2);
        assert_eq!(point_of(&cells, 3).unwrap().threads, 2);
        assert_eq!(point_of(&cells, 8).unwrap().threads, 4);
        let above: Vec<&Cell> = cells.iter().copied().filter(|c| c.threads == 4).collect();
        assert_eq!(point_of(&above, 2).unwrap().threads, 4);
        assert_eq!(point_of(&[], 2), None);
    }

    #[test]
    fn numbers_with_units() {
        assert_eq!(ns(0.618), "0.618 ns");
        assert_eq!(ns(15.0), "15.0 ns");
        assert_eq!(ns(14_480.0), "14.5 µs");
        assert_eq!(ns(1_481_000.0), "1.48 ms");
        assert_eq!(threads(1), "1 thread");
        assert!(helps(1.5, 2.0) && !helps(1.49, 2.0) && helps(2.5, 4.0));
    }
}

//! Claims 5 to 7 against a real interpreter: the emulation's speedups (the
//! runner with a global lock in the `seq` group; for claim 5 also
//! [`PROCESSES`]) beside those of their counterparts in CPython (the runner with
//! threads under the interpreter's GIL, class concurrent-serialized in another
//! group; [`CPYTHON_PROCESSES`]) at the same thread counts, each side against its
//! own baseline (`seq`; `cpython-seq`). The emulation **agrees** when every
//! emulated speedup is within [`EMULATION_TOLERANCE`] of the interpreter's;
//! **disagrees** when some pair is beyond it even at the ends of the medians'
//! intervals (naming the pair furthest apart); **cannot tell** when a pair's
//! medians are beyond it but their intervals reach within it (an interpreter's
//! samples scatter more than compiled code's on a shared machine, so this is a
//! verdict the sample count must earn); and is **not compared** when a side is
//! missing, with why. Claims 6 and 7 also apply their
//! own rule to the interpreter's threads ([`InterpreterVerdict`]).
//!
//! Only a run with runners of another group says anything here: without them,
//! [`against`] is `None` and the claim has no such line.

use super::*;
use crate::summary::{baseline_of, in_seq_group};

/// An emulated runner and its counterpart in the interpreter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Counterpart {
    /// Threads under a global lock: the emulation's, CPython's.
    LockedThreads,
    /// Worker processes: [`PROCESSES`], [`CPYTHON_PROCESSES`].
    Processes,
}

/// The emulation against a real interpreter, on the workloads a claim names.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct AgainstInterpreter {
    /// [`EMULATION_TOLERANCE`]: the largest |emulated ÷ interpreter − 1| that
    /// agrees.
    pub(super) tolerance: f64,
    /// The pairs compared, by workload, then thread count, then counterpart.
    pub(super) compared: Vec<Beside>,
    /// The pairs that could not be compared, and why (each reason once).
    pub(super) uncompared: Vec<Uncompared>,
    pub(super) agreement: Agreement,
    /// Claims 6 and 7: the claim's own rule applied to the interpreter's
    /// threads under its GIL; `None` for claim 5, or when they finished no
    /// cell above one thread.
    pub(super) interpreter_verdict: Option<InterpreterVerdict>,
}

/// One emulated cell beside its counterpart in the interpreter at the same
/// thread count, each with its speedup over its own baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Beside {
    pub(super) counterpart: Counterpart,
    pub(super) emulated: Speedup,
    pub(super) interpreted: Speedup,
    /// The runner the interpreter's speedup is against (`cpython-seq`); the
    /// emulated one's is `seq`.
    pub(super) baseline: String,
    /// Emulated speedup ÷ the interpreter's.
    pub(super) ratio: f64,
    /// The lowest and highest ratio the four medians' intervals (each cell's and
    /// its baseline's) allow; `None` where an interval is missing.
    pub(super) ratio_range: Option<[f64; 2]>,
    /// How the ratio sits against [`EMULATION_TOLERANCE`].
    pub(super) fit: Fit,
}

/// How a pair's ratio sits against the tolerance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Fit {
    /// The ratio of the medians is within the tolerance.
    Within,
    /// The ratio of the medians is beyond it, but the intervals reach within it.
    Unclear,
    /// Beyond it even at the intervals' nearest ends.
    Beyond,
}

impl Fit {
    /// Where `ratio`, possibly anywhere in `range`, sits against `tolerance`.
    pub(super) fn of(ratio: f64, range: Option<[f64; 2]>, tolerance: f64) -> Fit {
        let within = |r: f64| (r - 1.0).abs() <= tolerance;
        if within(ratio) {
            return Fit::Within;
        }
        match range {
            // The band [1 - t, 1 + t] lies wholly on one side of the range.
            Some([lo, hi]) if hi < 1.0 - tolerance || lo > 1.0 + tolerance => Fit::Beyond,
            Some(_) => Fit::Unclear,
            None => Fit::Beyond,
        }
    }
}

/// Whether the emulation's speedups agree with the interpreter's.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Agreement {
    /// Every pair compared is within the tolerance.
    Agrees,
    /// Some pair is beyond it at its intervals' ends too: `worst` is the one
    /// furthest from a ratio of 1.
    Disagrees { worst: Box<Beside> },
    /// No pair is clearly beyond it, but some pair's medians are: `worst` is the
    /// one furthest from a ratio of 1.
    CannotTell { worst: Box<Beside> },
    /// No pair could be compared.
    NotCompared,
}

/// Why a pair of the emulation and the interpreter was not compared.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Uncompared {
    /// A runner (either side's, or the baseline it is timed against) has no
    /// finished cell of the workload; `reason` is its cells' own, when the
    /// workload does not apply to it (`no python3 on PATH`).
    Missing {
        absence: Absence,
        reason: Option<String>,
    },
    /// No runner of this kind ran on that side.
    NoRunner {
        counterpart: Counterpart,
        interpreter: bool,
    },
    /// Both ran, but at no common thread count above one (claims 6 and 7) or
    /// not both at `threads` (claim 5's count).
    NoCommonCount {
        emulated: String,
        interpreted: String,
        workload: String,
        threads: Option<usize>,
    },
}

/// A claim's own rule applied to the interpreter's threads under its GIL.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct InterpreterVerdict {
    /// Their cells above one thread, each against the interpreter's baseline.
    pub(super) cells: Vec<Speedup>,
    pub(super) verdict: Verdict,
    /// Whether the rule gives the same verdict at both ends of the speedups'
    /// intervals (their cells' and their baseline's medians' intervals); when it
    /// does not, `verdict` is the medians' and the run cannot tell.
    pub(super) settled: bool,
    /// Whether it is the claim's verdict on the emulation; `None` when the claim
    /// was not measured.
    pub(super) same: Option<bool>,
}

/// What a claim compares against the interpreter: each counterpart on each
/// workload, at `threads` (claim 5's count) or at every count above one.
pub(super) struct Comparison<'w> {
    pub(super) pairs: &'w [(Counterpart, &'w str)],
    pub(super) threads: Option<usize>,
}

/// The emulation against the interpreter on `comparison`, or `None` when no
/// runner of another group than `seq` ran (or was described) at all.
pub(super) fn against(run: &Run<'_>, comparison: &Comparison<'_>) -> Option<AgainstInterpreter> {
    let all = run.everything();
    let other_group = all
        .all
        .cells
        .iter()
        .map(|c| c.runner.as_str())
        .chain(all.all.runners.iter().map(|r| r.id.as_str()))
        .any(|r| !in_seq_group(all.all, r));
    if !other_group {
        return None;
    }
    let mut compared = Vec::new();
    let mut uncompared = Vec::new();
    for &(counterpart, workload) in comparison.pairs {
        let emulated = emulated_runners(run, counterpart);
        let interpreted = interpreter_runners(run, counterpart);
        if emulated.is_empty() {
            uncompared.push(Uncompared::NoRunner {
                counterpart,
                interpreter: false,
            });
        }
        if interpreted.is_empty() {
            uncompared.push(Uncompared::NoRunner {
                counterpart,
                interpreter: true,
            });
        }
        for e in &emulated {
            for i in &interpreted {
                match beside(run, counterpart, e, i, workload, comparison.threads) {
                    Ok(pairs) => compared.extend(pairs),
                    Err(gaps) => uncompared.extend(gaps),
                }
            }
        }
    }
    // By workload, then thread count; stable, so counterparts keep their order.
    let place = |w: &str| comparison.pairs.iter().position(|(_, x)| *x == w);
    compared.sort_by_key(|b| (place(&b.emulated.cell.workload), b.emulated.cell.threads));
    let mut once: Vec<Uncompared> = Vec::new();
    for gap in uncompared {
        if !once.contains(&gap) {
            once.push(gap);
        }
    }
    let agreement = if compared.is_empty() {
        Agreement::NotCompared
    } else {
        let worst = |fit: Fit| {
            compared
                .iter()
                .filter(|b| b.fit == fit)
                .max_by(|a, b| distance(a.ratio).total_cmp(&distance(b.ratio)))
                .map(|b| Box::new(b.clone()))
        };
        match (worst(Fit::Beyond), worst(Fit::Unclear)) {
            (Some(worst), _) => Agreement::Disagrees { worst },
            (None, Some(worst)) => Agreement::CannotTell { worst },
            (None, None) => Agreement::Agrees,
        }
    };
    Some(AgainstInterpreter {
        tolerance: EMULATION_TOLERANCE,
        compared,
        uncompared: once,
        agreement,
        interpreter_verdict: None,
    })
}

/// How far a ratio is from 1, either way (2× and ½× alike).
fn distance(ratio: f64) -> f64 {
    ratio.ln().abs()
}

/// The `seq` group's runners of `counterpart`.
fn emulated_runners<'a>(run: &Run<'a>, counterpart: Counterpart) -> Vec<&'a str> {
    match counterpart {
        Counterpart::LockedThreads => run.runners(|c| c.class == Class::ConcurrentSerialized),
        Counterpart::Processes => vec![PROCESSES],
    }
}

/// The interpreter's runners of `counterpart`: those of another group than
/// `seq`, with threads under a global lock (by class), or named.
pub(super) fn interpreter_runners<'a>(run: &Run<'a>, counterpart: Counterpart) -> Vec<&'a str> {
    let all = run.everything();
    let ids = all.runners(|c| !in_seq_group(all.results, &c.runner));
    ids.into_iter()
        .filter(|id| match counterpart {
            Counterpart::LockedThreads => all
                .results
                .cells
                .iter()
                .any(|c| c.runner == *id && c.class == Class::ConcurrentSerialized),
            Counterpart::Processes => *id == CPYTHON_PROCESSES,
        })
        .collect()
}

/// The cells of `runner` (on `run`) on `workload` that a comparison can use:
/// finished, with a speedup, above one thread or at `threads`.
fn usable<'a>(
    run: &Run<'a>,
    runner: &str,
    workload: &str,
    threads: Option<usize>,
) -> Vec<&'a Cell> {
    run.finished(runner, workload)
        .into_iter()
        .filter(|c| c.threads > 1 && run.speedup(c).is_some())
        .filter(|c| threads.is_none_or(|n| c.threads == n))
        .collect()
}

/// Emulated runner `e` beside interpreter runner `i` on `workload`, at every
/// thread count both have (or at `threads`); why not, when none.
fn beside(
    run: &Run<'_>,
    counterpart: Counterpart,
    e: &str,
    i: &str,
    workload: &str,
    threads: Option<usize>,
) -> Result<Vec<Beside>, Vec<Uncompared>> {
    let all = run.everything();
    let mut gaps = Vec::new();
    let emulated = usable(run, e, workload, threads);
    let interpreted = usable(&all, i, workload, threads);
    if emulated.is_empty() {
        gaps.extend(missing(run, e, workload));
    }
    if interpreted.is_empty() {
        gaps.extend(missing(&all, i, workload));
    }
    let pairs: Vec<Beside> = emulated
        .iter()
        .filter_map(|ec| {
            let ic = interpreted.iter().find(|c| c.threads == ec.threads)?;
            let (emulated, interpreted) = (run.speedup_of(ec), all.speedup_of(ic));
            let ratio = emulated.value() / interpreted.value();
            let ratio_range = speedup_range(run, ec)
                .zip(speedup_range(&all, ic))
                .map(|([e_lo, e_hi], [i_lo, i_hi])| [e_lo / i_hi, e_hi / i_lo]);
            Some(Beside {
                counterpart,
                baseline: baseline_of(all.results, i).to_owned(),
                fit: Fit::of(ratio, ratio_range, EMULATION_TOLERANCE),
                ratio,
                ratio_range,
                emulated,
                interpreted,
            })
        })
        .collect();
    if !pairs.is_empty() {
        return Ok(pairs);
    }
    if gaps.is_empty() {
        gaps.push(Uncompared::NoCommonCount {
            emulated: e.to_owned(),
            interpreted: i.to_owned(),
            workload: workload.to_owned(),
            threads,
        });
    }
    Err(gaps)
}

/// The lowest and highest speedup of `cell` over its baseline that the two
/// medians' intervals allow.
fn speedup_range(run: &Run<'_>, cell: &Cell) -> Option<[f64; 2]> {
    let baseline = baseline_of(run.results, &cell.runner);
    let base = run.finished(baseline, &cell.workload).into_iter().next()?;
    let [b_lo, b_hi] = base.summary.as_ref()?.interval_wall_s;
    let [c_lo, c_hi] = cell.summary.as_ref()?.interval_wall_s;
    (c_lo > 0.0 && c_hi > 0.0).then(|| [b_lo / c_hi, b_hi / c_lo])
}

/// Why `runner` (on `run`) has no usable cell of `workload`: its own absence,
/// else its baseline's; nothing when both finished but not at a usable count
/// (the caller says that).
fn missing(run: &Run<'_>, runner: &str, workload: &str) -> Option<Uncompared> {
    let base = baseline_of(run.results, runner);
    let absent = |who: &str| -> Option<Uncompared> {
        if !run.finished(who, workload).is_empty() {
            return None;
        }
        let absence = run.absence(who, workload);
        let reason = match &absence {
            Absence::Cell {
                why: AbsenceKind::NotApplicable,
                ..
            } => run.all(who, workload).iter().find_map(|c| c.error.clone()),
            _ => None,
        };
        Some(Uncompared::Missing { absence, reason })
    };
    absent(runner).or_else(|| absent(base))
}

/// Claims 6 and 7: the lock's threads beside CPython's on `workload` at every
/// count above one, with the claim's rule applied to CPython's threads; `None`
/// when no runner of another group ran.
pub(super) fn against_locked(
    run: &Run<'_>,
    workload: &str,
    claim: Option<&Verdict>,
    rule: impl Fn(&[Speedup]) -> Verdict,
) -> Option<AgainstInterpreter> {
    let comparison = Comparison {
        pairs: &[(Counterpart::LockedThreads, workload)],
        threads: None,
    };
    against(run, &comparison).map(|mut a| {
        a.interpreter_verdict = interpreter_verdict(run, workload, claim, rule);
        a
    })
}

/// The claim's rule (`rule`, on the cells above one thread) applied to the
/// interpreter's threads under its GIL on `workload`, against the claim's
/// verdict on the emulation (`None`: not measured).
pub(super) fn interpreter_verdict(
    run: &Run<'_>,
    workload: &str,
    claim: Option<&Verdict>,
    rule: impl Fn(&[Speedup]) -> Verdict,
) -> Option<InterpreterVerdict> {
    let all = run.everything();
    let used: Vec<&Cell> = interpreter_runners(run, Counterpart::LockedThreads)
        .iter()
        .flat_map(|r| usable(&all, r, workload, None))
        .collect();
    if used.is_empty() {
        return None;
    }
    let cells: Vec<Speedup> = used.iter().map(|c| all.speedup_of(c)).collect();
    let verdict = rule(&cells);
    // The rule again at the low and the high end of every speedup's interval.
    let at_end = |end: usize| -> Verdict {
        let moved: Vec<Speedup> = used
            .iter()
            .zip(&cells)
            .map(|(c, s)| Speedup {
                times: speedup_range(&all, c).map(|r| r[end]).or(s.times),
                ..s.clone()
            })
            .collect();
        rule(&moved)
    };
    let settled = at_end(0) == at_end(1);
    Some(InterpreterVerdict {
        same: claim.map(|c| *c == verdict),
        cells,
        verdict,
        settled,
    })
}

// ---------------------------------------------------------------------------
// Words

/// The line against the interpreter in words: its verdict, why, and the pairs
/// compared (a sub-item each).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AgainstWords {
    /// `agrees`, `disagrees`, `cannot tell`, `not compared`.
    pub(crate) word: &'static str,
    pub(crate) why: String,
    pub(crate) lines: Vec<String>,
    /// A speedup shown was scaled up from part of the work (marked †).
    pub(crate) extrapolated: bool,
}

/// Writes `- *Against CPython:* **agrees**: …` with its sub-items.
pub(super) fn write(words: &AgainstWords, out: &mut String) {
    writeln!(
        out,
        "- *Against CPython:* **{}**: {}.",
        words.word, words.why
    )
    .expect("write to String");
    for line in &words.lines {
        writeln!(out, "  - {}.", capitalise(line)).expect("write to String");
    }
}

/// `finding` in words.
pub(super) fn words(finding: &AgainstInterpreter) -> AgainstWords {
    let tolerance = format!("±{:.0}%", finding.tolerance * 100.0);
    // Each reason once in words: an n/a runner is n/a on both workloads alike.
    let mut gaps: Vec<String> = Vec::new();
    for gap in finding.uncompared.iter().map(gap_text) {
        if !gaps.contains(&gap) {
            gaps.push(gap);
        }
    }
    let (word, mut why) = match &finding.agreement {
        Agreement::Agrees => (
            "agrees",
            format!(
                "every speedup of the emulation is within {tolerance} of CPython's at the same \
                 thread count (emulated ÷ CPython in brackets)"
            ),
        ),
        Agreement::Disagrees { worst } => (
            "disagrees",
            format!(
                "{}{}, beyond {tolerance}",
                worst_pair(worst),
                range_text(worst.ratio_range, " (", ")"),
            ),
        ),
        Agreement::CannotTell { worst } => (
            "cannot tell",
            format!(
                "{}, beyond {tolerance}, but the medians' intervals allow ratios of {}, which \
                 reach within it; more samples would decide",
                worst_pair(worst),
                worst
                    .ratio_range
                    .map_or_else(String::new, |[lo, hi]| format!("{lo:.2}–{hi:.2}")),
            ),
        ),
        Agreement::NotCompared => ("not compared", join_and(&gaps)),
    };
    if finding.agreement != Agreement::NotCompared && !gaps.is_empty() {
        write!(why, "; not compared: {}", join_and(&gaps)).expect("write to String");
    }
    let mut lines = pair_lines(&finding.compared);
    if !finding.compared.is_empty() {
        let baselines = baselines(&finding.compared);
        lines.push(format!(
            "CPython's speedups are against {baselines}, never `{}`: its cells ran the \
             workloads at their own size",
            crate::summary::BASELINE_RUNNER
        ));
    }
    if let Some(v) = &finding.interpreter_verdict {
        lines.push(verdict_line(v));
    }
    let extrapolated = finding
        .compared
        .iter()
        .flat_map(|b| [&b.emulated, &b.interpreted])
        .chain(finding.interpreter_verdict.iter().flat_map(|v| &v.cells))
        .any(|s| s.extrapolated);
    AgainstWords {
        word,
        why,
        lines,
        extrapolated,
    }
}

/// The interpreter runners' baselines among `pairs`, each once: `cpython-seq`.
fn baselines(pairs: &[Beside]) -> String {
    let mut names: Vec<String> = Vec::new();
    for b in pairs {
        let name = b.baseline.clone();
        if !names.contains(&name) {
            names.push(name);
        }
    }
    join_and(&names)
}

/// One line per workload and thread count: `` `cpu` at 2 threads: gil 0.98× and
/// cpython-threads 0.96× (1.02 times) ``, each counterpart's pair.
fn pair_lines(pairs: &[Beside]) -> Vec<String> {
    let mut keys: Vec<(&str, usize)> = Vec::new();
    for b in pairs {
        let key = (b.emulated.cell.workload.as_str(), b.emulated.cell.threads);
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys.iter()
        .map(|&(workload, threads)| {
            let each: Vec<String> = pairs
                .iter()
                .filter(|b| {
                    b.emulated.cell.workload == workload && b.emulated.cell.threads == threads
                })
                .map(|b| {
                    format!(
                        "{} {} against {} {} ({:.2}{})",
                        b.emulated.cell.runner,
                        sx(&b.emulated),
                        b.interpreted.cell.runner,
                        sx(&b.interpreted),
                        b.ratio,
                        match b.fit {
                            Fit::Within => String::new(),
                            Fit::Beyond => format!(
                                "{}, beyond the tolerance",
                                range_text(b.ratio_range, ", ", "")
                            ),
                            Fit::Unclear => format!(
                                "{}, beyond the tolerance at the medians only",
                                range_text(b.ratio_range, ", ", "")
                            ),
                        }
                    )
                })
                .collect();
            format!("`{workload}` at {threads} threads: {}", each.join("; "))
        })
        .collect()
}

/// `gil at 2 threads on `cpu` ran at 0.98×, CPython's cpython-threads at 0.70×:
/// 1.39 times as fast`: the pair furthest from agreeing.
fn worst_pair(worst: &Beside) -> String {
    format!(
        "{} at {} threads on `{}` ran at {}, CPython's {} at {}: {:.2} times as fast",
        worst.emulated.cell.runner,
        worst.emulated.cell.threads,
        worst.emulated.cell.workload,
        sx(&worst.emulated),
        worst.interpreted.cell.runner,
        sx(&worst.interpreted),
        worst.ratio
    )
}

/// `prefix0.95–1.30suffix`: the ratios a pair's intervals allow; nothing without.
fn range_text(range: Option<[f64; 2]>, prefix: &str, suffix: &str) -> String {
    range.map_or_else(String::new, |[lo, hi]| {
        format!("{prefix}{lo:.2}–{hi:.2} by the intervals{suffix}")
    })
}

/// Whether CPython's threads give the claim's verdict, with their speedups.
fn verdict_line(v: &InterpreterVerdict) -> String {
    let by_runner: Vec<String> = {
        let mut runners: Vec<&str> = Vec::new();
        for s in &v.cells {
            if !runners.contains(&s.cell.runner.as_str()) {
                runners.push(&s.cell.runner);
            }
        }
        runners
            .iter()
            .map(|r| speedups_line(r, &of_runner(&v.cells, r)))
            .collect()
    };
    if !v.settled {
        return format!(
            "the same rule on CPython's threads under its GIL cannot tell: their medians say \
             **{}**, but the ends of their intervals give different verdicts ({})",
            v.verdict.text(),
            join_and(&by_runner)
        );
    }
    let given = match v.same {
        Some(true) => "give the same verdict",
        Some(false) => "give another verdict",
        None => "give",
    };
    format!(
        "the same rule on CPython's threads under its GIL: they {given}, **{}** ({})",
        v.verdict.text(),
        join_and(&by_runner)
    )
}

/// Why a pair was not compared, in words.
fn gap_text(gap: &Uncompared) -> String {
    match gap {
        Uncompared::Missing {
            absence:
                Absence::Cell {
                    runner,
                    why: AbsenceKind::NotApplicable,
                    ..
                },
            reason: Some(reason),
        } => format!(
            "{runner} is n/a: {}",
            escape_inline(reason.trim_end_matches('.'))
        ),
        Uncompared::Missing { absence, .. } => absence.text(),
        Uncompared::NoRunner {
            counterpart,
            interpreter,
        } => {
            let what = match counterpart {
                Counterpart::LockedThreads => "threads under a global lock",
                Counterpart::Processes => "worker processes",
            };
            if *interpreter {
                format!("no CPython runner with {what} ran")
            } else {
                format!("no emulated runner with {what} ran")
            }
        }
        Uncompared::NoCommonCount {
            emulated,
            interpreted,
            workload,
            threads: Some(n),
        } => {
            format!("{emulated} and {interpreted} did not both finish `{workload}` at {n} threads")
        }
        Uncompared::NoCommonCount {
            emulated,
            interpreted,
            workload,
            threads: None,
        } => format!(
            "{emulated} and {interpreted} finished `{workload}` at no common thread count above 1"
        ),
    }
}

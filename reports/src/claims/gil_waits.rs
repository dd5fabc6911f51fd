//! Claim 7: under a GIL, I/O-bound threads still overlap their waits.

use super::interpreter::{self, AgainstInterpreter};
use super::*;

/// Claim 7, derived and rendered.
pub(super) struct GilWaits;

/// Claim 7 on this run: waits under a global lock.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct GilWaitsFinding {
    /// The runners with a global lock, in report order.
    pub(super) locked_runners: Vec<String>,
    pub(super) outcome: Outcome<GilWaitsMeasured, LockedGap>,
    /// The lock's threads beside CPython's on `sleep`, and the rule applied to
    /// CPython's; absent when no runner of an interpreter ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) against_cpython: Option<AgainstInterpreter>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct GilWaitsMeasured {
    /// The cells of the runners with a global lock at more than one thread.
    pub(super) locked: Vec<Speedup>,
    /// [`THREAD_POOL`] at the same thread counts, by thread count.
    pub(super) free: Vec<Speedup>,
    /// Each locked cell's speedup over [`THREAD_POOL`]'s at its thread count,
    /// where both have one.
    pub(super) shares: Vec<f64>,
    /// The locked cells short of half the ideal gain.
    pub(super) short: Vec<Short>,
    pub(super) verdict: Verdict,
}

/// A locked cell that did not reach half the ideal gain.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Short {
    pub(super) speedup: Speedup,
    /// `1 + HELPS × (threads − 1)`.
    pub(super) half_ideal: f64,
}

impl Claim for GilWaits {
    type Finding = GilWaitsFinding;

    fn derive(run: &Run<'_>) -> GilWaitsFinding {
        let (gil, cells) = locked_cells(run, SLEEP);
        let outcome = match cells {
            Ok(cells) => Outcome::Measured(measure(run, &cells)),
            Err(gaps) => Outcome::NotMeasured(gaps),
        };
        let verdict = match &outcome {
            Outcome::Measured(m) => Some(&m.verdict),
            Outcome::NotMeasured(_) => None,
        };
        let against_cpython = interpreter::against_locked(run, SLEEP, verdict, rule);
        GilWaitsFinding {
            locked_runners: owned(&gil),
            outcome,
            against_cpython,
        }
    }

    fn render(finding: &GilWaitsFinding) -> Check {
        let claim = "Under a GIL, I/O-bound threads still overlap their waits.".to_owned();
        let experiment = format!(
            "`{SLEEP}` at more than one thread on {}, against `seq` and {THREAD_POOL} at the \
             same thread counts",
            locked_names(&finding.locked_runners, ", released while a thread waits")
        );
        let rule = format!(
            "holds when every cell of a runner with a global lock at N > 1 threads reaches half \
             the ideal N× over `seq` (1 + (N − 1)/2: {}× at 2 threads).",
            1.0 + HELPS
        );
        let m = match &finding.outcome {
            Outcome::Measured(m) => m,
            Outcome::NotMeasured(gaps) => {
                let gaps: Vec<String> = gaps.iter().map(LockedGap::text).collect();
                let mut check = not_measured(claim, experiment, rule, &gaps);
                check.against = finding.against_cpython.as_ref().map(interpreter::words);
                return check;
            }
        };
        let mut measured = Vec::new();
        for r in &finding.locked_runners {
            let mine = of_runner(&m.locked, r);
            if !mine.is_empty() {
                measured.push(speedups_line(r, &mine));
            }
        }
        if !m.free.is_empty() {
            measured.push(speedups_line(
                THREAD_POOL,
                &m.free.iter().collect::<Vec<_>>(),
            ));
        }
        let why = if m.verdict == Verdict::Holds {
            let values: Vec<String> = m
                .locked
                .iter()
                .map(|s| format!("{} at {} threads", sx(s), s.cell.threads))
                .collect();
            let mut why = format!(
                "waits release the lock, so the threads overlapped them: {}",
                join_and(&values)
            );
            if !m.shares.is_empty() {
                let shares: Vec<String> = m
                    .shares
                    .iter()
                    .map(|share| format!("{:.0}%", share * 100.0))
                    .collect();
                write!(
                    why,
                    ", {} of {THREAD_POOL}'s at the same thread count{}",
                    join_and(&shares),
                    if shares.len() > 1 { "s" } else { "" }
                )
                .expect("write to String");
            }
            why
        } else {
            let values: Vec<String> = m
                .short
                .iter()
                .map(|s| {
                    format!(
                        "{} at {} threads reached only {} (half the ideal: {})",
                        s.speedup.cell.runner,
                        s.speedup.cell.threads,
                        sx(&s.speedup),
                        times(s.half_ideal)
                    )
                })
                .collect();
            join_and(&values)
        };
        Check {
            claim,
            experiment,
            rule,
            measured,
            verdict: m.verdict.clone(),
            why,
            extrapolated: m.locked.iter().chain(&m.free).any(|s| s.extrapolated),
            also: None,
            against: finding.against_cpython.as_ref().map(interpreter::words),
        }
    }
}

/// The locked cells `cells` (above one thread, with a speedup) measured.
fn measure(run: &Run<'_>, cells: &[&Cell]) -> GilWaitsMeasured {
    let pairs: Vec<(&Cell, Option<&Cell>)> = cells
        .iter()
        .map(|c| (*c, run.at(THREAD_POOL, SLEEP, c.threads)))
        .collect();
    let mut free: Vec<Speedup> = Vec::new();
    for f in pairs.iter().filter_map(|(_, f)| *f) {
        if !free.iter().any(|x| x.cell == CellRef::of(f)) {
            free.push(run.speedup_of(f));
        }
    }
    free.sort_by_key(|s| s.cell.threads);
    let shares: Vec<f64> = pairs
        .iter()
        .filter_map(|(g, f)| Some(run.speedup(g)? / run.speedup((*f)?)?))
        .collect();
    let short: Vec<Short> = cells
        .iter()
        .filter(|c| !helps(run.speedup(c).unwrap(), c.threads as f64))
        .map(|c| Short {
            speedup: run.speedup_of(c),
            half_ideal: 1.0 + HELPS * (c.threads as f64 - 1.0),
        })
        .collect();
    let locked: Vec<Speedup> = cells.iter().map(|c| run.speedup_of(c)).collect();
    GilWaitsMeasured {
        verdict: rule(&locked),
        locked,
        free,
        shares,
        short,
    }
}

/// The claim's rule: it holds when every cell of threads under a global lock at
/// N > 1 threads reaches half the ideal N× over its baseline.
fn rule(locked: &[Speedup]) -> Verdict {
    if locked
        .iter()
        .all(|s| helps(s.value(), s.cell.threads as f64))
    {
        Verdict::Holds
    } else {
        Verdict::DoesNotHold
    }
}

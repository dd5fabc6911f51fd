//! Claim 7: under a GIL, I/O-bound threads still overlap their waits.

use super::*;

/// Claim 7, derived and rendered.
pub(super) struct GilWaits;

/// Claim 7 on this run: waits under a global lock.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct GilWaitsFinding {
    /// The runners with a global lock, in report order.
    pub(super) locked_runners: Vec<String>,
    pub(super) outcome: Outcome<GilWaitsMeasured, LockedGap>,
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
        let locked_runners = owned(&gil);
        let cells = match cells {
            Ok(cells) => cells,
            Err(gaps) => {
                return GilWaitsFinding {
                    locked_runners,
                    outcome: Outcome::NotMeasured(gaps),
                };
            }
        };
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
        let verdict = if short.is_empty() {
            Verdict::Holds
        } else {
            Verdict::DoesNotHold
        };
        GilWaitsFinding {
            locked_runners,
            outcome: Outcome::Measured(GilWaitsMeasured {
                locked: cells.iter().map(|c| run.speedup_of(c)).collect(),
                free,
                shares,
                short,
                verdict,
            }),
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
                return not_measured(claim, experiment, rule, &gaps);
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
        }
    }
}

//! Claim 4: parallelism needs several cores.

use super::*;

/// Claim 4, derived and rendered.
pub(super) struct CoresBound;

/// Claim 4 on this run: speedup bounded by min(threads, cores); threads beyond
/// the cores.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CoresBoundFinding {
    /// The runners whose thread count sets their workers, in report order.
    pub(super) parallel_runners: Vec<String>,
    /// Their finished `cpu` cells with a speedup.
    pub(super) cells: Vec<Speedup>,
    /// Logical cores of the machine.
    pub(super) cores: usize,
    pub(super) outcome: Outcome<CoresBoundMeasured, CoresBoundGap>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) enum CoresBoundGap {
    Missing(Absence),
    NoMultithreadedRunner,
    /// No runner finished `cpu` above one thread.
    OneThreadOnly,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct CoresBoundMeasured {
    /// The cell furthest above its bound (or closest below).
    pub(super) worst: Bounded,
    /// The closest to its bound among the cells above one thread.
    pub(super) closest: Bounded,
    /// Whether no cell exceeded its bound by more than [`BOUND_SLACK`].
    pub(super) bound: PartVerdict,
    pub(super) beyond: Beyond,
    pub(super) verdict: Verdict,
}

/// A cell against its bound min(threads, cores).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Bounded {
    pub(super) speedup: Speedup,
    pub(super) bound: f64,
}

/// Threads beyond the cores against the same runner at the core count.
#[derive(Debug, Clone, Serialize)]
pub(crate) enum Beyond {
    /// No cell ran more threads than the cores.
    NoCountAbove,
    /// Every cell above the cores reached `low` to `high` times its speedup at
    /// the core count, at most [`BEYOND_GAIN`].
    NothingBought {
        low: f64,
        high: f64,
        above: Vec<usize>,
        reference: Vec<usize>,
    },
    /// A cell above the cores gained more than [`BEYOND_GAIN`] over `reference`.
    Gained {
        above: CellRef,
        reference: CellRef,
        gain: f64,
    },
}

impl Beyond {
    fn verdict(&self) -> PartVerdict {
        match self {
            Beyond::NoCountAbove => PartVerdict::Unmeasured,
            Beyond::NothingBought { .. } => PartVerdict::Holds,
            Beyond::Gained { .. } => PartVerdict::Fails,
        }
    }
}

impl Claim for CoresBound {
    type Finding = CoresBoundFinding;

    fn derive(run: &Run<'_>) -> CoresBoundFinding {
        let parallel = run.runners(|c| {
            matches!(c.class, Class::Parallel | Class::ConcurrentParallel)
                && run.knob(&c.runner) != Some(PER_TASK_KNOB)
                && c.workload == CPU
        });
        let cells: Vec<Speedup> = parallel
            .iter()
            .flat_map(|r| run.finished(r, CPU))
            .filter(|c| run.speedup(c).is_some())
            .map(|c| run.speedup_of(c))
            .collect();
        let finding = |outcome| CoresBoundFinding {
            parallel_runners: owned(&parallel),
            cells: cells.clone(),
            cores: run.cores,
            outcome,
        };
        if !cells.iter().any(|c| c.cell.threads > 1) {
            let gap = match run.absent_seq(CPU) {
                Some(m) => CoresBoundGap::Missing(m),
                None if parallel.is_empty() => CoresBoundGap::NoMultithreadedRunner,
                None => CoresBoundGap::OneThreadOnly,
            };
            return finding(Outcome::NotMeasured(vec![gap]));
        }
        let bounded = |s: &Speedup| Bounded {
            speedup: s.clone(),
            bound: s.cell.threads.min(run.cores) as f64,
        };
        let share = |s: &Speedup| s.value() / bounded(s).bound;
        let worst = cells
            .iter()
            .max_by(|a, b| share(a).total_cmp(&share(b)))
            .expect("not empty");
        let closest = cells
            .iter()
            .filter(|c| c.cell.threads > 1)
            .max_by(|a, b| share(a).total_cmp(&share(b)))
            .expect("a cell above one thread");
        let bound = if share(worst) <= 1.0 + BOUND_SLACK {
            PartVerdict::Holds
        } else {
            PartVerdict::Fails
        };
        let mut pairs: Vec<(&Speedup, &Speedup, f64)> = Vec::new();
        for r in &parallel {
            let mine: Vec<&Speedup> = cells.iter().filter(|c| c.cell.runner == *r).collect();
            let Some(reference) = mine
                .iter()
                .copied()
                .filter(|c| c.cell.threads <= run.cores)
                .max_by_key(|c| c.cell.threads)
            else {
                continue;
            };
            for above in mine.iter().copied().filter(|c| c.cell.threads > run.cores) {
                pairs.push((above, reference, above.value() / reference.value()));
            }
        }
        let beyond = match pairs.iter().max_by(|a, b| a.2.total_cmp(&b.2)) {
            None => Beyond::NoCountAbove,
            Some(&(_, _, gain)) if gain <= BEYOND_GAIN => Beyond::NothingBought {
                low: pairs.iter().map(|b| b.2).fold(f64::INFINITY, f64::min),
                high: gain,
                above: pairs.iter().map(|b| b.0.cell.threads).collect(),
                reference: pairs.iter().map(|b| b.1.cell.threads).collect(),
            },
            Some(&(above, reference, gain)) => Beyond::Gained {
                above: above.cell.clone(),
                reference: reference.cell.clone(),
                gain,
            },
        };
        let verdict = verdict_of(&[(BOUND_PART, bound), (BEYOND_PART, beyond.verdict())]);
        finding(Outcome::Measured(CoresBoundMeasured {
            worst: bounded(worst),
            closest: bounded(closest),
            bound,
            beyond,
            verdict,
        }))
    }

    fn render(finding: &CoresBoundFinding) -> Check {
        let claim = "Parallelism needs several cores.".to_owned();
        let parallel = &finding.parallel_runners;
        let experiment = format!(
            "`{CPU}` on the runners whose thread count sets their workers ({}){}, on {} logical \
             cores, against `seq`",
            names(parallel, "parallel classes"),
            if finding.cells.is_empty() {
                String::new()
            } else {
                format!(
                    " at {} threads",
                    thread_counts(finding.cells.iter().map(|s| s.cell.threads))
                )
            },
            finding.cores
        );
        let rule = format!(
            "holds when speedup is bounded by min(threads, cores), no cell exceeding it by more \
             than {:.0}%. Threads beyond the cores must also buy nothing on CPU work: on each \
             runner they raise its speedup at the core count by at most {:.0}%.",
            BOUND_SLACK * 100.0,
            (BEYOND_GAIN - 1.0) * 100.0
        );
        let m = match &finding.outcome {
            Outcome::Measured(m) => m,
            Outcome::NotMeasured(gaps) => {
                let gaps: Vec<String> = gaps
                    .iter()
                    .map(|gap| match gap {
                        CoresBoundGap::Missing(absence) => absence.text(),
                        CoresBoundGap::NoMultithreadedRunner => {
                            format!("no multithreaded runner ran `{CPU}`")
                        }
                        CoresBoundGap::OneThreadOnly => format!(
                            "`{CPU}` finished at no thread count above 1 on {}",
                            names(parallel, "")
                        ),
                    })
                    .collect();
                return not_measured(claim, experiment, rule, &gaps);
            }
        };
        let measured: Vec<String> = parallel
            .iter()
            .filter_map(|r| {
                let mine = of_runner(&finding.cells, r);
                (!mine.is_empty()).then(|| speedups_line(r, &mine))
            })
            .collect();
        let bound_part = match m.bound {
            PartVerdict::Holds => {
                let closest = &m.closest;
                Part::Holds(format!(
                    "no cell exceeded min(threads, cores): the closest above one thread was {} at \
                     {}, {} against a bound of {}",
                    closest.speedup.cell.runner,
                    threads(closest.speedup.cell.threads),
                    sx(&closest.speedup),
                    closest.bound
                ))
            }
            _ => {
                let worst = &m.worst;
                Part::Fails(format!(
                    "the bound was broken: {} at {} reached {}, above min(threads, cores) = {}",
                    worst.speedup.cell.runner,
                    threads(worst.speedup.cell.threads),
                    sx(&worst.speedup),
                    worst.bound
                ))
            }
        };
        let beyond_part = match &m.beyond {
            Beyond::NoCountAbove => Part::Unmeasured(
                "threads beyond the cores".into(),
                format!("no thread count above the {} logical cores", finding.cores),
            ),
            Beyond::NothingBought {
                low,
                high,
                above,
                reference,
            } => {
                let range = if times(*low) == times(*high) {
                    times(*high)
                } else {
                    format!("{} to {}", times(*low), times(*high))
                };
                Part::Holds(format!(
                    "threads beyond the {} cores bought nothing: at {} threads the runners \
                     reached {range} their speedup at {} threads",
                    finding.cores,
                    thread_counts(above.iter().copied()),
                    thread_counts(reference.iter().copied())
                ))
            }
            Beyond::Gained {
                above,
                reference,
                gain,
            } => Part::Fails(format!(
                "threads beyond the cores bought more: {} gained a further {} from {} over {}",
                above.runner,
                times(*gain),
                threads(above.threads),
                reference.threads
            )),
        };
        Check {
            claim,
            experiment,
            rule,
            measured,
            verdict: m.verdict.clone(),
            why: reasons(vec![bound_part, beyond_part]),
            extrapolated: finding.cells.iter().any(|s| s.extrapolated),
            also: None,
            against: None,
        }
    }
}

/// The qualifications of the two parts, for [`Verdict::HoldsOnly`].
const BOUND_PART: &str = "as a bound on speedup";
const BEYOND_PART: &str = "for threads beyond the cores";

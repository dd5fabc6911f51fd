//! The verdict's derivation: per workload, which cells lead and how they compare
//! with `seq`, on open loops who fell behind the schedule, and the ideal and
//! fixed-share comparisons (the static split and thread-per-core against
//! dynamic scheduling).

use super::*;
use crate::model::{Cell, Summary};
use crate::sections::shared::*;
use crate::sections::timer::{TimerBaseline, as_measured, ranked_by_p99};
use crate::summary::BASELINE_RUNNER;
use rtcompare_api::{Class, Family};
use std::rc::Rc;

/// The kinds of work in the order the verdict lists them.
const KINDS: [WorkloadKind; 5] = [
    WorkloadKind::Cpu,
    WorkloadKind::Io,
    WorkloadKind::Mixed,
    WorkloadKind::Overhead,
    WorkloadKind::Fault,
];

impl Leader {
    /// The typed form of a group's best.
    pub(super) fn of(best: &Best<'_>) -> Self {
        Leader {
            cell: CellRef::of(best.cell),
            median_wall_s: best.summary.median_wall_s,
            cpu_utilisation: best.summary.cpu_utilisation,
            ranked: best.ranked,
            tied: best.tied.iter().map(|c| CellRef::of(c)).collect(),
            fewest_samples: (!best.ranked).then(|| fewest_samples(best.group.iter().copied())),
        }
    }
}

/// The samples of the weakest interval among `summaries`: what "too few to
/// rank" counts.
pub(super) fn fewest_samples<'s>(summaries: impl IntoIterator<Item = &'s Summary>) -> usize {
    crate::judge::weakest(summaries).map_or(0, |s| s.samples)
}

/// The two runners with the lowest p99 of the workload's own latency among
/// `cells` (judged, finished), each at its best cell; read beyond the runner's
/// own timer lateness where `timer` gives one.
fn latency_ranking(
    cells: &[&Cell],
    timer: &dyn Fn(&Cell) -> Option<TimerBaseline>,
) -> LatencyRanking {
    // Ties keep the cells' order, as they come.
    let order: Vec<&str> = cells.iter().map(|c| c.runner.as_str()).collect();
    let rank = |runner: &str| {
        order
            .iter()
            .position(|r| *r == runner)
            .unwrap_or(usize::MAX)
    };
    let mut lowest = ranked_by_p99(cells, timer, &rank);
    lowest.truncate(2);
    LatencyRanking { lowest }
}

impl<'a> Report<'a> {
    /// The verdict, derived on first use.
    pub(crate) fn verdict_finding(&self) -> Rc<VerdictFinding> {
        self.derived("verdict", || self.derive_verdict())
    }

    fn derive_verdict(&self) -> VerdictFinding {
        let disturbed = self
            .results
            .cells
            .iter()
            .filter(|c| c.applies() && c.disturbed())
            .map(CellRef::of)
            .collect();
        let weakest_interval = self
            .results
            .cells
            .iter()
            .filter_map(crate::judge::judged_summary)
            .filter(|s| !s.supports_claims());
        let weakest_interval = crate::judge::weakest(weakest_interval).map(|s| IntervalStrength {
            samples: s.samples,
            coverage: s.interval_coverage,
        });
        let mut workloads = Vec::new();
        for kind in KINDS {
            for &workload in &self.workloads {
                let all = self.cells_of(workload);
                if all.first().map(|c| c.workload_kind) == Some(kind) {
                    workloads.push(self.workload_verdict(workload, kind, &all));
                }
            }
        }
        VerdictFinding {
            disturbed,
            weakest_interval,
            workloads,
        }
    }

    fn workload_verdict(
        &self,
        workload: &str,
        kind: WorkloadKind,
        all: &[&'a Cell],
    ) -> WorkloadVerdict {
        // Cells that do not apply, or that other load disturbed, take no part in
        // any comparison.
        let cells: Vec<&Cell> = all
            .iter()
            .copied()
            .filter(|c| crate::judge::judged(c))
            .collect();
        let outcome = if cells.is_empty() && all.iter().any(|c| c.disturbed()) {
            Outcome::AllDisturbed
        } else if kind == WorkloadKind::Overhead {
            Outcome::Overhead(crate::overhead::verdict(self.results, workload, &cells))
        } else if kind == WorkloadKind::Fault {
            Outcome::Fault
        } else {
            self.outcome(workload, kind, all, &cells)
        };
        WorkloadVerdict {
            workload: workload.to_owned(),
            kind,
            latencies: self.latency_section(workload),
            outcome,
        }
    }

    /// The outcome on a workload that is timed against `seq`; `all` are its
    /// cells, `cells` those judged.
    fn outcome(
        &self,
        workload: &str,
        kind: WorkloadKind,
        all: &[&'a Cell],
        cells: &[&'a Cell],
    ) -> Outcome {
        if cells.is_empty() {
            return Outcome::NoRunnerApplies;
        }
        // Beside CPU hogs, the hogs set the wall time: latency is what matters,
        // and of it what the runner's own timer does not explain.
        if kind == WorkloadKind::Mixed {
            return Outcome::Latency(latency_ranking(cells, &|c| self.timer_baseline_of(c)));
        }
        // One task's sleeps set the wall time: their lateness is the measure.
        if workload == crate::sections::timer::TIMER {
            return Outcome::Timer(latency_ranking(cells, &as_measured));
        }
        // Servers under the external generator: ranked as servers.
        if let Some(served) = self.served(workload, cells) {
            return Outcome::Served(served);
        }
        // On a send schedule, wall time is the schedule's: no speedup means anything.
        if let Some(rate) = self.open_loop(workload) {
            return Outcome::OpenLoop(self.derive_open_loop(rate, cells));
        }
        let seq_cells: Vec<&Cell> = all
            .iter()
            .copied()
            .filter(|c| c.runner == BASELINE_RUNNER)
            .collect();
        let Some(seq) = seq_cells
            .iter()
            .copied()
            .find(|c| crate::judge::judged_summary(c).is_some())
        else {
            return Outcome::NoSeq {
                why: SeqMissing::of(seq_cells.first().map(|c| (c.status, c.disturbed()))),
                best: Best::of(cells.iter().copied()).map(|b| Leader::of(&b)),
            };
        };
        Outcome::Compared(Box::new(self.compared(workload, kind, seq, cells)))
    }

    fn compared(
        &self,
        workload: &str,
        kind: WorkloadKind,
        seq: &'a Cell,
        cells: &[&'a Cell],
    ) -> Compared {
        let concurrent: Vec<&Cell> = cells
            .iter()
            .copied()
            .filter(|c| c.class == Class::Concurrent)
            .collect();
        // A multithreaded runner given one thread is not parallel in that cell.
        let multithreaded: Vec<&Cell> = cells
            .iter()
            .copied()
            .filter(|c| matches!(c.class, Class::ConcurrentParallel | Class::Parallel))
            .filter(|c| c.threads > 1)
            .collect();
        let conc = Best::of(concurrent.iter().copied());
        let par = Best::of(multithreaded.iter().copied());
        let seq_summary = seq.summary.as_ref().expect("seq finished");

        let concurrency = match &conc {
            Some(b) => Some(Concurrency::Best {
                leader: Leader::of(b),
                vs_seq: Versus::of(b.summary, seq_summary),
            }),
            None if !concurrent.is_empty() => Some(Concurrency::NoneFinished),
            None => None,
        };
        let parallelism = match &par {
            Some(b) => Some(self.parallelism(kind, seq, conc.as_ref(), b)),
            None if !multithreaded.is_empty() => Some(Parallelism::NoneFinished),
            None => None,
        };
        let mut extrapolated: Vec<String> = Vec::new();
        let leaders = [
            Some(seq),
            conc.as_ref().map(|b| b.cell),
            par.as_ref().map(|b| b.cell),
        ];
        for cell in leaders.into_iter().flatten() {
            if cell.extrapolation.is_some() && !extrapolated.contains(&cell.runner) {
                extrapolated.push(cell.runner.clone());
            }
        }
        Compared {
            seq: CellRef::of(seq),
            concurrency,
            parallelism,
            extrapolated,
            ideal: self.ideal(workload, cells),
            static_split: (kind == WorkloadKind::Cpu)
                .then(|| fixed_shares(cells, Family::StaticSplit))
                .flatten(),
            thread_per_core: (kind == WorkloadKind::Cpu)
                .then(|| fixed_shares(cells, Family::ThreadPerCore))
                .flatten(),
        }
    }

    /// The open-loop schedule, the walls it set, and who fell behind it.
    fn derive_open_loop(&self, rate: Option<f64>, cells: &[&'a Cell]) -> OpenLoop {
        let walls: Vec<f64> = cells
            .iter()
            .filter_map(|c| Some(crate::judge::judged_summary(c)?.median_wall_s))
            .collect();
        let walls_s = (!walls.is_empty()).then(|| {
            [
                walls.iter().copied().fold(f64::INFINITY, f64::min),
                walls.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            ]
        });
        OpenLoop {
            rate_per_s: rate,
            walls_s,
            behind: self.behind_schedule(cells),
            latency: latency_ranking(cells, &as_measured),
        }
    }

    /// How close the best runner came to the workload's ideal wall time.
    fn ideal(&self, workload: &str, cells: &[&'a Cell]) -> Option<Ideal> {
        let ideal_s = self.workload_meta(workload)?.ideal_wall_s?;
        let best = Best::of(cells.iter().copied())?;
        // Only a timer that says it has a resolution ends sleeps on a tick.
        let ticks = self
            .runner_meta(best.cell)
            .is_some_and(|m| m.timer.contains("resolution"));
        Some(Ideal {
            ideal_s,
            best: Leader::of(&best),
            ticks,
        })
    }
}

/// The best runner of `family`, whose threads each run a fixed share of the work
/// (the static split, thread-per-core), against the best dynamic scheduler
/// (work stealing or one shared queue) at the same thread count, on CPU-bound
/// work (where only scheduling differs between them); `None` when no runner of
/// `family` or no dynamic one at its count has a judged cell among `cells`.
fn fixed_shares(cells: &[&Cell], family: Family) -> Option<FixedShares> {
    let of_family: Vec<&Cell> = cells
        .iter()
        .copied()
        .filter(|c| c.family == family)
        .collect();
    let first = of_family.first()?;
    let Some(fixed) = Best::of(of_family.iter().copied()) else {
        return Some(FixedShares::DidNotFinish {
            runner: first.runner.clone(),
            status: first.status,
        });
    };
    let dynamic = Best::of(cells.iter().copied().filter(|c| {
        matches!(c.family, Family::WorkStealing | Family::SharedQueue)
            && c.threads == fixed.cell.threads
    }))?;
    let (s, d) = (fixed.summary, dynamic.summary);
    let behind = s.median_wall_s / d.median_wall_s - 1.0;
    let supported = crate::judge::supports(s, d);
    let reading = if overlaps(s.interval_wall_s, d.interval_wall_s) && supported {
        SplitReading::Tied
    } else if overlaps(s.interval_wall_s, d.interval_wall_s) {
        SplitReading::OverlapUnranked {
            fewest_samples: fewest_samples([s, d]),
        }
    } else if behind >= UNEVEN_GAP {
        SplitReading::Uneven { slower_by: behind }
    } else if behind > 0.0 {
        SplitReading::SlightlySlower { slower_by: behind }
    } else if supported {
        SplitReading::Faster
    } else {
        SplitReading::LowerMedianUnranked {
            fewest_samples: fewest_samples([s, d]),
        }
    };
    Some(FixedShares::Compared {
        split: CellRef::of(fixed.cell),
        dynamic: CellRef::of(dynamic.cell),
        speedups: s.speedup_vs_seq.zip(d.speedup_vs_seq).map(|(a, b)| [a, b]),
        walls_s: [s.median_wall_s, d.median_wall_s],
        reading,
    })
}

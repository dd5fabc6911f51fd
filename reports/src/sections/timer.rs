//! The `timer` workload as the other sections read it: each runner's own timer
//! lateness with nothing else running, the share of a loaded tick's lateness that
//! is the timer's granularity and not the load's.
//!
//! This module owns the workload's id as the sections know it, which of its
//! latencies is a runner's baseline (the p50 of its 1 ms sleeps' lateness, the
//! length of a `mixed-*` tick), and how a cell finds its runner's baseline: the
//! runner's judged, finished `timer` cell at the same thread count, else at the
//! nearest thread count it has (the timer runs one task, so its thread count
//! hardly matters). A runner without one has no baseline, and the sections that
//! read lateness beyond the timer fall back to the raw lateness for it and say so.

use super::Report;
use crate::cell_ref::CellRef;
use crate::model::{Cell, Status};
use rtcompare_api::ids;
use serde::Serialize;

/// The `timer` workload's id.
pub(crate) const TIMER: &str = ids::workload::TIMER;
/// Its latency that is a runner's baseline: the 1 ms sleeps' lateness.
pub(crate) const LONG_SLEEP: &str = ids::latency::SLEEP_1MS_LATENESS;

/// A runner's own timer lateness, from its `timer` cell.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub(crate) struct TimerBaseline {
    /// The thread count of the `timer` cell it comes from.
    pub(crate) threads: usize,
    /// That is the thread count of the cell it is read against.
    pub(crate) same_threads: bool,
    /// The p50 of the lateness of its 1 ms sleeps, µs.
    pub(crate) p50_us: f64,
}

impl TimerBaseline {
    /// `lateness_us` beyond this baseline, µs: negative when the loaded tick was
    /// less late than the unloaded timer's median.
    pub(crate) fn beyond(self, lateness_us: f64) -> f64 {
        lateness_us - self.p50_us
    }
}

/// `lateness_us` beyond `baseline`, or as it is without one.
pub(crate) fn beyond(lateness_us: f64, baseline: Option<TimerBaseline>) -> f64 {
    baseline.map_or(lateness_us, |b| b.beyond(lateness_us))
}

/// A cell's p99 latency, µs, and the timer baseline a ranking reads it beyond.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct LatencyEntry {
    pub(crate) cell: CellRef,
    /// As measured.
    pub(crate) p99_us: f64,
    /// The runner's own timer lateness, when the ranking reads the p99 beyond
    /// it and the runner has a `timer` cell.
    pub(crate) timer: Option<TimerBaseline>,
}

impl LatencyEntry {
    /// What a ranking orders by: the p99 beyond the timer, or as measured.
    pub(crate) fn ranked_us(&self) -> f64 {
        beyond(self.p99_us, self.timer)
    }
}

/// Each runner of `cells` at its best judged, finished cell by the p99 of its
/// primary latency read beyond `timer`'s baseline, lowest first (runner order
/// `rank` on a tie).
pub(crate) fn ranked_by_p99(
    cells: &[&Cell],
    timer: &dyn Fn(&Cell) -> Option<TimerBaseline>,
    rank: &dyn Fn(&str) -> usize,
) -> Vec<LatencyEntry> {
    let mut best: Vec<LatencyEntry> = Vec::new();
    for cell in cells {
        let Some(p99) = crate::judge::judged_summary(cell)
            .and(cell.latency_us.as_ref())
            .map(|l| l.p99)
            .filter(|p| p.is_finite())
        else {
            continue;
        };
        let entry = LatencyEntry {
            cell: CellRef::of(cell),
            p99_us: p99,
            timer: timer(cell),
        };
        match best.iter_mut().find(|e| e.cell.runner == cell.runner) {
            Some(e) if entry.ranked_us() < e.ranked_us() => *e = entry,
            Some(_) => {}
            None => best.push(entry),
        }
    }
    best.sort_by(|a, b| {
        a.ranked_us()
            .total_cmp(&b.ranked_us())
            .then(rank(&a.cell.runner).cmp(&rank(&b.cell.runner)))
    });
    best
}

/// No baseline: latency read as measured.
pub(crate) fn as_measured(_: &Cell) -> Option<TimerBaseline> {
    None
}

/// The 1 ms sleeps' lateness p50 of a judged, finished `timer` cell, µs.
fn long_sleep_p50(cell: &Cell) -> Option<f64> {
    if cell.workload != TIMER || cell.status != Status::Ok || !crate::judge::judged(cell) {
        return None;
    }
    let p50 = cell.more_latency_us.get(LONG_SLEEP)?.p50;
    p50.is_finite().then_some(p50)
}

impl Report<'_> {
    /// Whether any runner has a baseline: some judged `timer` cell finished with
    /// its 1 ms sleeps' lateness. Without one, sections read lateness as before.
    pub(crate) fn timer_ran(&self) -> bool {
        self.results
            .cells
            .iter()
            .any(|c| long_sleep_p50(c).is_some())
    }

    /// `runner`'s baseline for a cell at `threads`: its `timer` cell at the same
    /// thread count, else at the nearest (the lower one on a tie).
    pub(crate) fn timer_baseline(&self, runner: &str, threads: usize) -> Option<TimerBaseline> {
        self.results
            .cells
            .iter()
            .filter(|c| c.runner == runner)
            .filter_map(|c| Some((c.threads, long_sleep_p50(c)?)))
            .min_by_key(|&(t, _)| (t.abs_diff(threads), t))
            .map(|(t, p50_us)| TimerBaseline {
                threads: t,
                same_threads: t == threads,
                p50_us,
            })
    }

    /// The baseline of `cell`'s runner at its thread count.
    pub(crate) fn timer_baseline_of(&self, cell: &Cell) -> Option<TimerBaseline> {
        self.timer_baseline(&cell.runner, cell.threads)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Latency, Results};

    fn timer_cell(base: &Cell, runner: &str, threads: usize, p50: f64) -> Cell {
        let mut cell = base.clone();
        cell.runner = runner.into();
        cell.workload = TIMER.into();
        cell.threads = threads;
        cell.status = Status::Ok;
        cell.interference = None;
        cell.more_latency_us.clear();
        cell.more_latency_us.insert(
            LONG_SLEEP.into(),
            Latency {
                count: 50,
                mean: p50,
                p50,
                p90: p50,
                p99: p50,
                p999: p50,
                max: p50,
            },
        );
        cell
    }

    /// The v2 fixture with `cells` as its only `timer` cells.
    fn results_with(cells: Vec<Cell>) -> Results {
        let mut results = crate::fixtures::v2();
        results.cells.retain(|c| c.workload != TIMER);
        results.cells.extend(cells);
        results
    }

    fn any_cell() -> Cell {
        crate::fixtures::v2().cells[0].clone()
    }

    #[test]
    fn a_runner_reads_its_own_timer_at_the_nearest_thread_count() {
        let base = any_cell();
        let results = results_with(vec![
            timer_cell(&base, "tokio-mt", 1, 1_050.0),
            timer_cell(&base, "tokio-mt", 4, 1_090.0),
            timer_cell(&base, "smol-mt", 2, 30.0),
        ]);
        let report = Report::new(&results, &[]);
        assert!(report.timer_ran());
        let at = |runner: &str, threads: usize| report.timer_baseline(runner, threads);
        let same = at("tokio-mt", 4).unwrap();
        assert_eq!(
            (same.threads, same.same_threads, same.p50_us),
            (4, true, 1_090.0)
        );
        // 2 threads: 1 and 4 are not equally near; 1 is nearer.
        let near = at("tokio-mt", 2).unwrap();
        assert_eq!((near.threads, near.same_threads), (1, false));
        assert_eq!(at("smol-mt", 8).unwrap().p50_us, 30.0);
        assert_eq!(at("async-std", 2), None, "no timer cell, no baseline");
        assert_eq!(beyond(1_200.0, Some(same)), 110.0);
        assert_eq!(
            beyond(20.0, at("smol-mt", 2)),
            -10.0,
            "less late than unloaded"
        );
        assert_eq!(beyond(1_200.0, None), 1_200.0);
    }

    #[test]
    fn failed_disturbed_or_silent_timer_cells_are_no_baseline() {
        let base = any_cell();
        let mut failed = timer_cell(&base, "tokio-ct", 1, 1_000.0);
        failed.status = Status::Failed;
        let mut silent = timer_cell(&base, "smol-local", 1, 20.0);
        silent.more_latency_us.clear();
        let mut disturbed = timer_cell(&base, "threads", 2, 60.0);
        disturbed.interference = Some(crate::model::Interference {
            disturbed_samples: 1,
            ..Default::default()
        });
        let results = results_with(vec![failed, silent, disturbed]);
        let report = Report::new(&results, &[]);
        assert!(!report.timer_ran());
        for (runner, threads) in [("tokio-ct", 1), ("smol-local", 1), ("threads", 2)] {
            assert_eq!(report.timer_baseline(runner, threads), None, "{runner}");
        }
    }
}

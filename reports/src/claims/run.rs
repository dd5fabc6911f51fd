//! The run as the claims read it: cells by runner, workload and thread count,
//! the comparison point, and why a cell the claims need is missing.

use super::*;

/// The cells of a run with the orders and lookups the claims share.
#[derive(Clone, Copy)]
pub(super) struct Run<'a> {
    /// The cells the claims judge: the `seq` group.
    pub(super) results: &'a Results,
    /// Every cell of the run, the runners of other groups included (the same as
    /// `results` when there are none).
    pub(super) all: &'a Results,
    pub(super) rank: &'a dyn Fn(&str) -> usize,
    /// Workload ids in report order.
    pub(super) workloads: &'a [&'a str],
    pub(super) cores: usize,
}

impl<'a> Run<'a> {
    /// The same lookups over every cell of the run, the runners of other groups
    /// included: for the lines against a real interpreter only.
    pub(super) fn everything(&self) -> Run<'a> {
        Run {
            results: self.all,
            ..*self
        }
    }

    /// Every cell of `runner` on `workload`, by thread count.
    pub(super) fn all(&self, runner: &str, workload: &str) -> Vec<&'a Cell> {
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
    pub(super) fn finished(&self, runner: &str, workload: &str) -> Vec<&'a Cell> {
        self.all(runner, workload)
            .into_iter()
            .filter(|c| c.status == Status::Ok && crate::judge::judged_summary(c).is_some())
            .collect()
    }

    /// The finished cell of `runner` on `workload` at its comparison point.
    pub(super) fn point(&self, runner: &str, workload: &str) -> Option<&'a Cell> {
        point_of(&self.finished(runner, workload), self.cores)
    }

    /// The finished cell of `runner` on `workload` at `threads`.
    pub(super) fn at(&self, runner: &str, workload: &str, threads: usize) -> Option<&'a Cell> {
        self.finished(runner, workload)
            .into_iter()
            .find(|c| c.threads == threads)
    }

    /// The finished `seq` cell of `workload`.
    pub(super) fn seq(&self, workload: &str) -> Option<&'a Cell> {
        self.finished(BASELINE_RUNNER, workload).into_iter().next()
    }

    /// Runner ids of the cells that match, each once, in report order.
    pub(super) fn runners(&self, matches: impl Fn(&Cell) -> bool) -> Vec<&'a str> {
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
    pub(super) fn knob(&self, runner: &str) -> Option<&'a str> {
        self.results
            .runners
            .iter()
            .find(|r| r.id == runner)
            .map(|r| r.threads_knob.as_str())
    }

    /// Why `runner` has no finished cell of `workload`.
    pub(super) fn absence(&self, runner: &str, workload: &str) -> Absence {
        let (runner, workload) = (runner.to_owned(), workload.to_owned());
        if !self.results.cells.iter().any(|c| c.workload == workload) {
            return Absence::NotRun { workload };
        }
        let cells = self.all(&runner, &workload);
        let why = if cells.is_empty() {
            AbsenceKind::NotRunOn
        } else if cells.iter().all(|c| !c.applies()) {
            AbsenceKind::NotApplicable
        } else if cells.iter().any(|c| c.applies() && c.disturbed()) {
            AbsenceKind::Disturbed
        } else {
            cells
                .iter()
                .find(|c| c.applies() && c.status != Status::Ok)
                .map_or(AbsenceKind::NoSamples, |c| match c.status {
                    Status::Timeout => AbsenceKind::TimedOut,
                    _ => AbsenceKind::Failed,
                })
        };
        Absence::Cell {
            runner,
            workload,
            why,
        }
    }

    /// Why `seq` gives no speedups on `workload`, or `None` when it does.
    pub(super) fn absent_seq(&self, workload: &str) -> Option<Absence> {
        match self.seq(workload) {
            Some(_) => None,
            None => Some(self.absence(BASELINE_RUNNER, workload)),
        }
    }

    /// The speedup of `cell` over `seq`, when it has one.
    pub(super) fn speedup(&self, cell: &Cell) -> Option<f64> {
        cell.summary.as_ref()?.speedup_vs_seq
    }

    /// The speedup of `cell` over its baseline (`seq` in the `seq` group), with
    /// its utilisation.
    pub(super) fn speedup_of(&self, cell: &Cell) -> Speedup {
        let baseline = crate::summary::baseline_of(self.results, &cell.runner);
        Speedup {
            cell: CellRef::of(cell),
            times: self.speedup(cell),
            extrapolated: cell.extrapolation.is_some()
                || self
                    .finished(baseline, &cell.workload)
                    .first()
                    .is_some_and(|s| s.extrapolation.is_some()),
            cores: self.util(cell),
        }
    }

    /// Median CPU utilisation of `cell`, in cores.
    pub(super) fn util(&self, cell: &Cell) -> f64 {
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

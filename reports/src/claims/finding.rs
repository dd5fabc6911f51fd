//! What findings are made of: cell ids, speedups, why a cell is absent, and
//! the measured-or-not outcome; with the words shared for them.

use super::*;

pub(crate) use crate::cell_ref::CellRef;

/// A cell's speedup over `seq` and the cores it kept busy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Speedup {
    pub(crate) cell: CellRef,
    /// Wall time of `seq` over the cell's; `None` without one.
    pub(crate) times: Option<f64>,
    /// The cell or its `seq` ran part of the work and was scaled up (†).
    pub(crate) extrapolated: bool,
    /// Median CPU utilisation, in cores.
    pub(crate) cores: f64,
}

impl Speedup {
    /// The speedup, for cells chosen because they have one.
    pub(super) fn value(&self) -> f64 {
        self.times.expect("a cell chosen for its speedup")
    }
}

/// Why a cell a claim needs is not there.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) enum Absence {
    /// No runner ran the workload.
    NotRun { workload: String },
    /// The runner has no finished cell of the workload, for `why`.
    Cell {
        runner: String,
        workload: String,
        why: AbsenceKind,
    },
}

/// Why a runner has no finished cell of a workload that ran.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub(crate) enum AbsenceKind {
    NotRunOn,
    NotApplicable,
    Disturbed,
    TimedOut,
    Failed,
    NoSamples,
}

impl Absence {
    /// `` `spawn` did not run on threads ``.
    pub(super) fn text(&self) -> String {
        let (runner, workload, why) = match self {
            Absence::NotRun { workload } => return format!("`{workload}` did not run"),
            Absence::Cell {
                runner,
                workload,
                why,
            } => (runner, workload, why),
        };
        match why {
            AbsenceKind::NotRunOn => format!("`{workload}` did not run on {runner}"),
            AbsenceKind::NotApplicable => format!("`{workload}` does not apply to {runner}"),
            AbsenceKind::Disturbed => {
                format!("`{workload}` was disturbed by other load on {runner}")
            }
            AbsenceKind::TimedOut => format!("`{workload}` timed out on {runner}"),
            AbsenceKind::Failed => format!("`{workload}` failed on {runner}"),
            AbsenceKind::NoSamples => format!("`{workload}` recorded no samples on {runner}"),
        }
    }
}

/// A claim's finding: what it measured, or the gaps that kept it from being
/// measured (each reason once when rendered).
#[derive(Debug, Clone, Serialize)]
pub(crate) enum Outcome<M, G> {
    Measured(M),
    NotMeasured(Vec<G>),
}

/// The speedup as text: `1.98×`, `2.00×†`, `—` without one.
pub(super) fn sx(s: &Speedup) -> String {
    let value = s.times.map_or("—".into(), times);
    if s.extrapolated {
        format!("{value}†")
    } else {
        value
    }
}

/// Runner ids as owned strings, for findings.
pub(super) fn owned(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

/// `gil (OS threads under one global lock{more})`, or the same said of a runner
/// when none ran.
pub(super) fn locked_names(gil: &[String], more: &str) -> String {
    if gil.is_empty() {
        format!("a runner with OS threads under one global lock{more}")
    } else {
        format!("{} (OS threads under one global lock{more})", join_and(gil))
    }
}

/// `gil at 2 and 4 threads: 0.98× and 0.97×`, `thread-pool at …`.
pub(super) fn speedups_line(runner: &str, cells: &[&Speedup]) -> String {
    let values: Vec<String> = cells.iter().map(|s| sx(s)).collect();
    format!(
        "{runner} at {} threads: {}",
        thread_counts(cells.iter().map(|s| s.cell.threads)),
        join_and(&values)
    )
}

/// The speedups of `runner` among `all`.
pub(super) fn of_runner<'s>(all: &'s [Speedup], runner: &str) -> Vec<&'s Speedup> {
    all.iter().filter(|s| s.cell.runner == runner).collect()
}

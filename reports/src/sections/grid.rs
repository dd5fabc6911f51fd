//! The concurrency × parallelism grid, the spine of the report: for
//! each class of runner and each workload, the class's best cell and its speedup
//! over `seq`. Derived into a [`Grid`] of numbers and cell references, then
//! rendered; `findings.json` carries the same [`Grid`].

use super::Report;
use super::shared::{
    EXTRAPOLATED, NOT_PARALLEL, PARALLEL_CORES, multithreaded_class, ran_in_parallel,
};
use crate::summary::BASELINE_RUNNER;
use crate::table::{Align, Table};
use crate::text::{NONE, cores, join_and, times};
use rtcompare_api::{Class, WorkloadKind};
use serde::Serialize;
use std::fmt::Write as _;

use super::shared::CLASSES;

/// What the grid shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Grid {
    /// Its columns: the workloads with a speedup to show.
    pub(crate) workloads: Vec<String>,
    /// One row per class with a judged cell on those workloads.
    pub(crate) rows: Vec<GridRow>,
    /// Workloads left out for want of a finished, undisturbed `seq` cell.
    pub(crate) without_seq: Vec<String>,
    /// Workloads left out because a send schedule sets their wall time.
    pub(crate) scheduled: Vec<String>,
    /// Workloads left out because they time one task's own timer (`timer`):
    /// there is nothing for concurrency or parallelism to overlap.
    pub(crate) one_task: Vec<String>,
}

/// One class across the grid's workloads.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct GridRow {
    pub(crate) class: Class,
    /// Its best cell per workload, in the order of [`Grid::workloads`]; `None`
    /// where the class has no judged cell with a speedup.
    pub(crate) best: Vec<Option<GridCell>>,
}

/// A class's best cell on one workload.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct GridCell {
    pub(crate) runner: String,
    pub(crate) threads: usize,
    /// Its speedup over `seq`.
    pub(crate) speedup: f64,
    /// For a multithreaded class that kept at most [`PARALLEL_CORES`] busy, its
    /// median CPU utilisation in cores: that speedup is not from parallelism.
    pub(crate) not_parallel_cores: Option<f64>,
    /// The cell or its workload's `seq` ran part of the work and was scaled up,
    /// so the speedup is extrapolated (the report's †).
    pub(crate) extrapolated: bool,
}

impl<'a> Report<'a> {
    /// The grid, or `None` when no class has a judged cell to show.
    pub(super) fn derive_grid(&self) -> Option<Grid> {
        // A workload on a send schedule has no speedup worth showing: the
        // schedule sets its wall time.
        let (one_task, shown): (Vec<&str>, Vec<&str>) = self
            .workloads
            .iter()
            .filter(|&&w| self.kind_of(w) != Some(WorkloadKind::Fault))
            .partition(|&&w| w == super::timer::TIMER);
        let (scheduled, timed): (Vec<&str>, Vec<&str>) = shown
            .into_iter()
            .partition(|&w| self.open_loop(w).is_some());
        // A workload with no speedup at all (no `seq` that applies or finished)
        // has nothing to show in the grid.
        let (workloads, without_seq): (Vec<&str>, Vec<&str>) = timed.iter().partition(|&&w| {
            self.baseline_judged(w)
                && self.results.cells.iter().any(|c| {
                    c.workload == w
                        && crate::judge::judged_summary(c)
                            .is_some_and(|s| s.speedup_vs_seq.is_some())
                })
        });
        let rows: Vec<GridRow> = CLASSES
            .into_iter()
            .filter(|class| {
                self.results.cells.iter().any(|c| {
                    c.class == *class
                        && crate::judge::judged(c)
                        && workloads.contains(&c.workload.as_str())
                })
            })
            .map(|class| GridRow {
                class,
                best: workloads
                    .iter()
                    .map(|w| self.best_of_class(w, class))
                    .collect(),
            })
            .collect();
        if rows.is_empty() {
            return None;
        }
        let owned = |ids: Vec<&str>| ids.into_iter().map(str::to_owned).collect();
        Some(Grid {
            workloads: owned(workloads),
            rows,
            without_seq: owned(without_seq),
            scheduled: owned(scheduled),
            one_task: owned(one_task),
        })
    }

    /// The cell of `class` with the highest speedup on `workload`. A
    /// multithreaded class at one thread is not parallel there, so it is skipped.
    fn best_of_class(&self, workload: &str, class: Class) -> Option<GridCell> {
        let (cell, speedup) = self
            .cells_of(workload)
            .into_iter()
            .filter(|c| c.class == class)
            .filter(|c| c.threads > 1 || !multithreaded_class(class))
            .filter_map(|c| Some((c, crate::judge::judged_summary(c)?.speedup_vs_seq?)))
            .max_by(|a, b| a.1.total_cmp(&b.1))?;
        let not_parallel_cores = cell
            .summary
            .as_ref()
            .filter(|s| multithreaded_class(class) && !ran_in_parallel(s))
            .map(|s| s.cpu_utilisation);
        let seq_extrapolated = self.cells_of(workload).into_iter().any(|c| {
            c.runner == BASELINE_RUNNER
                && crate::judge::judged_summary(c).is_some()
                && c.extrapolation.is_some()
        });
        Some(GridCell {
            runner: cell.runner.clone(),
            threads: cell.threads,
            speedup,
            not_parallel_cores,
            extrapolated: seq_extrapolated || cell.extrapolation.is_some(),
        })
    }
}

/// Writes `grid` as the report's section.
fn render(grid: &Grid, out: &mut String) {
    out.push_str("## Concurrency × parallelism\n\n");
    out.push_str("The best runner of each class on each workload, and its speedup over `seq`.\n\n");
    let mut columns = vec![("Class".to_owned(), Align::Left)];
    columns.extend(
        grid.workloads
            .iter()
            .map(|w| (format!("{w} [speedup]"), Align::Right)),
    );
    let mut table = Table::new(columns);
    for row in &grid.rows {
        let mut line = vec![row.class.to_string()];
        line.extend(row.best.iter().map(|best| match best {
            Some(cell) => {
                let mut text = format!(
                    "{} (t{}) {}{}",
                    cell.runner,
                    cell.threads,
                    times(cell.speedup),
                    if cell.extrapolated { EXTRAPOLATED } else { "" }
                );
                if cell.not_parallel_cores.is_some() {
                    write!(text, " {NOT_PARALLEL}").expect("write to String");
                }
                text
            }
            None => NONE.into(),
        }));
        table.push_row(line);
    }
    out.push_str(&table.to_markdown());
    out.push('\n');
    let not_parallel: Vec<f64> = grid
        .rows
        .iter()
        .flat_map(|r| r.best.iter().flatten())
        .filter_map(|c| c.not_parallel_cores)
        .collect();
    if !not_parallel.is_empty() {
        let low = not_parallel.iter().copied().fold(f64::INFINITY, f64::min);
        let high = not_parallel
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        let busy = if cores(low) == cores(high) {
            cores(low)
        } else {
            format!("{}–{}", cores(low), cores(high))
        };
        writeln!(
            out,
            "{NOT_PARALLEL} At most {} cores busy (here {busy}): that speedup is not a gain \
             from parallelism.\n",
            cores(PARALLEL_CORES)
        )
        .expect("write to String");
    }
    if grid
        .rows
        .iter()
        .flat_map(|r| r.best.iter().flatten())
        .any(|c| c.extrapolated)
    {
        writeln!(
            out,
            "{EXTRAPOLATED} Extrapolated: the cell or its `seq` ran part of the work and was \
             scaled up (see the workload's table in the details).\n"
        )
        .expect("write to String");
    }
    let names = |ids: &[String]| -> String {
        let names: Vec<String> = ids.iter().map(|w| format!("`{w}`")).collect();
        join_and(&names)
    };
    if !grid.without_seq.is_empty() {
        writeln!(
            out,
            "Not in the grid, having no finished, undisturbed `seq` cell to take speedups \
             from: {}.\n",
            names(&grid.without_seq)
        )
        .expect("write to String");
    }
    if !grid.scheduled.is_empty() {
        writeln!(
            out,
            "Not in the grid, sending on a fixed schedule that sets the wall time, so a \
             speedup means nothing: {}.\n",
            names(&grid.scheduled)
        )
        .expect("write to String");
    }
    if !grid.one_task.is_empty() {
        writeln!(
            out,
            "Not in the grid, timing one task's own sleeps, which leave concurrency and \
             parallelism nothing to overlap: {}.\n",
            names(&grid.one_task)
        )
        .expect("write to String");
    }
}

/// The section itself, for the registry.
pub(super) struct GridSection;

impl super::Section for GridSection {
    fn id(&self) -> &'static str {
        "grid"
    }

    fn findings(&self, report: &Report<'_>) -> Option<serde_json::Value> {
        super::as_json(report.grid().as_ref().as_ref())
    }

    fn render(&self, report: &Report<'_>, out: &mut String) {
        if let Some(grid) = report.grid().as_ref() {
            render(grid, out);
        }
    }
}

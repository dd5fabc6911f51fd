//! Derives the section's [`WorkloadsFinding`] and each workload's
//! [`WorkloadTable`]: its description, the order of its rows, its failures, the
//! scaling of CPU-bound work and the cells it does not apply to; the table itself
//! comes from `cells_table.rs`, the guide above the tables from `guide.rs`.

use super::{
    Description, FailedRunner, FailureGroup, NotApplicableGroup, NotApplicableRunner, RankedBy,
    Row, Scaling, ScalingPoint, ScalingRow, WorkloadTable, WorkloadsFinding, guide,
};
use crate::model::Cell;
use crate::sections::Report;
use rtcompare_api::WorkloadKind;

impl<'a> Report<'a> {
    /// The section: every workload's table, in report order, and what they share.
    pub(in crate::sections) fn workloads_finding(&self) -> WorkloadsFinding {
        let mut tables: Vec<WorkloadTable> = self
            .workloads
            .iter()
            .filter_map(|w| self.workload_table(w))
            .collect();
        let usual = guide::usual_interval(&tables);
        for table in &mut tables {
            table.intervals = guide::interval_groups(table, usual);
        }
        let preset = self.results.config.preset.as_str();
        WorkloadsFinding {
            guide: guide::guide(&tables, usual, Some(preset).filter(|p| !p.is_empty())),
            tables,
        }
    }

    /// The table of `workload`; `None` when it has no cell at all (a workload is
    /// listed only for its cells, so never).
    fn workload_table(&self, workload: &str) -> Option<WorkloadTable> {
        let all = self.cells_of(workload);
        let kind = all.first()?.workload_kind;
        let ranked_by = self.ranked_by(workload, kind, &all);
        let cells = table_order(&all, &ranked_by);
        let table = self.cells_table(workload, kind, &cells, ranked_by);
        let failures = failures(&table.rows);
        let scaling =
            (kind == WorkloadKind::Cpu && !cells.is_empty() && self.baseline_judged(workload))
                .then(|| self.scaling(&cells))
                .flatten();
        Some(WorkloadTable {
            workload: workload.to_owned(),
            kind,
            description: self.description(workload, &all, &cells),
            columns: table.columns,
            rows: table.rows,
            best: table.best,
            intervals: Vec::new(),
            failures,
            notes: table.notes,
            extrapolations: table.extrapolations,
            oversubscribed_threads: table.oversubscribed_threads,
            logical_cores: self.results.machine.logical_cores,
            scaling,
            not_applicable: not_applicable(&all),
        })
    }

    /// The workload as the results file describes it, or, in files that do not,
    /// the parameters of a cell that ran the whole work.
    fn description(&self, workload: &str, all: &[&Cell], cells: &[&Cell]) -> Description {
        match self.workload_meta(workload) {
            Some(meta) => Description::Declared {
                summary: meta.summary.clone(),
                size: meta.size.clone(),
                ideal_wall_s: meta.ideal_wall_s,
            },
            None => {
                let cell = cells
                    .iter()
                    .find(|c| c.extrapolation.is_none())
                    .or(cells.first())
                    .or(all.first());
                Description::Params {
                    params: cell.map_or(serde_json::Value::Null, |c| c.params.clone()),
                }
            }
        }
    }

    /// For runners measured at several thread counts: speedup at each, and the
    /// Amdahl serial fraction that best explains the curve, so "how parallel is
    /// this work, really" is a number. Parallelism is threads capped at the cores.
    /// `None` when no runner has a fit.
    fn scaling(&self, cells: &[&Cell]) -> Option<Scaling> {
        let cores = self.results.machine.logical_cores.max(1);
        let mut runners: Vec<&str> = Vec::new();
        for cell in cells {
            if !runners.contains(&cell.runner.as_str()) {
                runners.push(&cell.runner);
            }
        }
        let rows: Vec<ScalingRow> = runners
            .into_iter()
            .filter_map(|runner| {
                let mut points: Vec<ScalingPoint> = cells
                    .iter()
                    .filter(|c| c.runner == runner)
                    .filter_map(|c| {
                        Some(ScalingPoint {
                            threads: c.threads,
                            speedup: crate::judge::judged_summary(c)?.speedup_vs_seq?,
                        })
                    })
                    .collect();
                points.sort_by_key(|p| p.threads);
                let parallelism: Vec<(f64, f64)> = points
                    .iter()
                    .map(|p| (p.threads.min(cores) as f64, p.speedup))
                    .collect();
                let fit = crate::stats::amdahl_fit(&parallelism)?;
                Some(ScalingRow {
                    runner: runner.to_owned(),
                    points,
                    serial_fraction: fit.serial_fraction,
                    rms_residual: fit.rms_residual,
                })
            })
            .collect();
        (!rows.is_empty()).then_some(Scaling { cores, rows })
    }
}

impl Report<'_> {
    /// What the table of `workload` ranks by: the p99 of its latency where a
    /// schedule, CPU hogs or the sleeps themselves (`timer`) set the wall time, an
    /// overhead workload's first cost per unit, else wall time.
    fn ranked_by(&self, workload: &str, kind: WorkloadKind, all: &[&Cell]) -> RankedBy {
        let latency = all.iter().any(|c| c.latency_us.is_some());
        let latency_sets_the_pace = kind == WorkloadKind::Mixed
            || workload == crate::sections::timer::TIMER
            || self.open_loop(workload).is_some();
        if latency && latency_sets_the_pace {
            return RankedBy::LatencyP99;
        }
        if kind == WorkloadKind::Overhead {
            let cost = crate::overhead::measures(self.results, workload, all)
                .into_iter()
                .find(|m| m.key.starts_with("ns-per-"));
            if let Some(m) = cost {
                return RankedBy::Cost {
                    key: m.key,
                    header: m.header,
                };
            }
        }
        RankedBy::Wall
    }
}

/// The cells of `all` that apply, in table order: judged finished cells best
/// first by what the table ranks by, then the disturbed ones (shown, not
/// ranked); the rest keep runner order at the bottom.
fn table_order<'a>(all: &[&'a Cell], ranked_by: &RankedBy) -> Vec<&'a Cell> {
    let mut cells: Vec<&Cell> = all.iter().copied().filter(|c| c.applies()).collect();
    let rank = |c: &Cell| match (&c.summary, c.disturbed()) {
        (Some(_), false) => 0,
        (Some(_), true) => 1,
        (None, _) => 2,
    };
    let value = |c: &Cell| {
        super::cells_table::rank_value(ranked_by, c)
            .filter(|_| c.summary.is_some())
            .unwrap_or(f64::INFINITY)
    };
    cells.sort_by(|a, b| rank(a).cmp(&rank(b)).then(value(a).total_cmp(&value(b))));
    cells
}

/// The rows that did not finish with samples, grouped by status and reason in
/// order of first appearance, each runner once with its thread counts.
fn failures(rows: &[Row]) -> Vec<FailureGroup> {
    let mut groups: Vec<FailureGroup> = Vec::new();
    for row in rows.iter().filter(|r| r.measured.is_none()) {
        let reason = row
            .error
            .as_deref()
            .map(|e| e.split_whitespace().collect::<Vec<_>>().join(" "));
        let group = match groups
            .iter_mut()
            .position(|g| g.status == row.status && g.reason == reason)
        {
            Some(at) => &mut groups[at],
            None => {
                groups.push(FailureGroup {
                    status: row.status,
                    reason,
                    runners: Vec::new(),
                });
                groups.last_mut().expect("just pushed")
            }
        };
        match group.runners.iter_mut().find(|r| r.runner == row.runner) {
            Some(runner) => runner.threads.push(row.threads),
            None => group.runners.push(FailedRunner {
                runner: row.runner.clone(),
                threads: vec![row.threads],
            }),
        }
    }
    for runner in groups.iter_mut().flat_map(|g| &mut g.runners) {
        runner.threads.sort_unstable();
    }
    groups
}

/// The cells of `cells` that do not apply, grouped by reason in order of first
/// appearance. A runner that does not apply at several thread counts for one
/// reason is named once; one that has several reasons is named with its thread
/// count in each group.
pub(in crate::sections) fn not_applicable(cells: &[&Cell]) -> Vec<NotApplicableGroup> {
    let reason_of = |c: &Cell| {
        let reason = c.error.as_deref().unwrap_or("no reason recorded");
        let reason = reason.split_whitespace().collect::<Vec<_>>().join(" ");
        reason.trim_end_matches('.').to_owned()
    };
    let mut groups: Vec<(String, Vec<&Cell>)> = Vec::new();
    for cell in cells.iter().filter(|c| !c.applies()) {
        let reason = reason_of(cell);
        match groups.iter_mut().find(|(r, _)| *r == reason) {
            Some((_, members)) => members.push(cell),
            None => groups.push((reason, vec![cell])),
        }
    }
    let in_groups = |runner: &str| {
        groups
            .iter()
            .filter(|(_, members)| members.iter().any(|c| c.runner == runner))
            .count()
    };
    groups
        .iter()
        .map(|(reason, members)| {
            let mut runners: Vec<NotApplicableRunner> = Vec::new();
            for cell in members {
                let runner = NotApplicableRunner {
                    runner: cell.runner.clone(),
                    threads: (in_groups(&cell.runner) > 1).then_some(cell.threads),
                };
                if !runners.contains(&runner) {
                    runners.push(runner);
                }
            }
            NotApplicableGroup {
                reason: reason.clone(),
                runners,
            }
        })
        .collect()
}

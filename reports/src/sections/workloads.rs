//! *Results by workload*: per workload its description, parameters and measures, its
//! cells table (`cells_table.rs`), the scaling table of CPU-bound work, and the cells
//! it does not apply to.

use super::Report;
use super::shared::*;
use crate::model::{Cell, Status};
use crate::table::{Align, Table};
use crate::text::{capitalise, escape_inline, join_and, ms, plural, times};
use rtcompare_api::WorkloadKind;
use std::fmt::Write as _;

impl<'a> Report<'a> {
    // -- per-workload tables ------------------------------------------------

    pub(super) fn workloads(&self, out: &mut String) {
        out.push_str("## Results by workload\n\n");
        for &workload in &self.workloads {
            self.workload_table(out, workload);
        }
    }

    pub(super) fn workload_table(&self, out: &mut String, workload: &str) {
        let all = self.cells_of(workload);
        // Cells that do not apply are listed under the table, not in it.
        let mut cells: Vec<&Cell> = all.iter().copied().filter(|c| c.applies()).collect();
        // Judged finished cells fastest first, then the disturbed ones (shown, not
        // ranked); the rest keep runner order at the bottom.
        let rank = |c: &Cell| match (&c.summary, c.disturbed()) {
            (Some(_), false) => 0,
            (Some(_), true) => 1,
            (None, _) => 2,
        };
        cells.sort_by(|a, b| {
            rank(a).cmp(&rank(b)).then(match (&a.summary, &b.summary) {
                (Some(x), Some(y)) => x.median_wall_s.total_cmp(&y.median_wall_s),
                _ => std::cmp::Ordering::Equal,
            })
        });

        writeln!(out, "### {workload}\n").expect("write to String");
        let kind = all.first().map(|c| c.workload_kind);
        if let Some(first) = all.first() {
            let kind = capitalise(kind_label(first.workload_kind));
            match self.workload_meta(workload) {
                Some(meta) => writeln!(
                    out,
                    "{kind} — {}; `{}` preset: {}.{}\n",
                    escape_inline(&meta.summary),
                    self.results.config.preset,
                    escape_inline(&meta.size),
                    meta.ideal_wall_s.map_or(String::new(), |ideal| format!(
                        " Ideal wall time: {} ms (no runner can finish sooner).",
                        ms(ideal)
                    ))
                ),
                None => {
                    let params = cells
                        .iter()
                        .find(|c| c.extrapolation.is_none())
                        .or(cells.first())
                        .map_or(&first.params, |c| &c.params);
                    writeln!(out, "{kind}; parameters: {}.\n", describe_params(params))
                }
            }
            .expect("write to String");
        }

        if !cells.is_empty() {
            self.cells_table(out, workload, &cells);
        }
        not_applicable(out, &all);
        if cells.is_empty() {
            return;
        }

        let failures: Vec<String> = cells
            .iter()
            .filter(|c| c.status != Status::Ok)
            .map(|c| {
                let reason = c.error.as_deref().unwrap_or("no reason recorded");
                let reason = reason.split_whitespace().collect::<Vec<_>>().join(" ");
                format!(
                    "- **{}** (t{}): {} — {reason}",
                    c.runner,
                    c.threads,
                    status_word(c.status)
                )
            })
            .collect();
        if !failures.is_empty() {
            out.push_str(&failures.join("\n"));
            out.push_str("\n\n");
        }
        if matches!(kind, Some(WorkloadKind::Io | WorkloadKind::Mixed)) {
            let speedups = cells.iter().any(|c| {
                c.summary
                    .as_ref()
                    .is_some_and(|s| s.speedup_vs_seq.is_some())
            });
            if speedups {
                writeln!(out, "{WAITING_NOTE} {EFFICIENCY_NOTE}\n")
            } else {
                writeln!(out, "{WAITING_NOTE}\n")
            }
            .expect("write to String");
        }
        if kind == Some(WorkloadKind::Cpu) && self.baseline_judged(workload) {
            self.scaling_table(out, &cells);
        }
    }
}

impl<'a> Report<'a> {
    /// For runners measured at several thread counts: speedup at each, and the
    /// Amdahl serial fraction that best explains the curve, so "how parallel is this
    /// work, really" is a number. Parallelism is threads capped at the cores.
    pub(super) fn scaling_table(&self, out: &mut String, cells: &[&'a Cell]) {
        let cores = self.results.machine.logical_cores.max(1);
        let mut runners: Vec<&str> = Vec::new();
        for cell in cells {
            if !runners.contains(&cell.runner.as_str()) {
                runners.push(&cell.runner);
            }
        }
        let mut table = Table::new([
            ("Runner", Align::Left),
            ("Speedup by threads", Align::Left),
            ("Serial fraction", Align::Right),
            ("Fit residual", Align::Right),
        ]);
        for runner in runners {
            let mut points: Vec<(usize, f64)> = cells
                .iter()
                .filter(|c| c.runner == runner)
                .filter_map(|c| Some((c.threads, crate::judge::judged_summary(c)?.speedup_vs_seq?)))
                .collect();
            points.sort_by_key(|&(threads, _)| threads);
            let parallelism: Vec<(f64, f64)> = points
                .iter()
                .map(|&(threads, speedup)| (threads.min(cores) as f64, speedup))
                .collect();
            let Some(fit) = crate::stats::amdahl_fit(&parallelism) else {
                continue;
            };
            let curve: Vec<String> = points
                .iter()
                .map(|&(threads, speedup)| format!("{threads}: {}", times(speedup)))
                .collect();
            table.push_row(vec![
                runner.to_owned(),
                curve.join(", "),
                format!("{:.3}", fit.serial_fraction),
                format!("{:.3}", fit.rms_residual),
            ]);
        }
        if table.rows().is_empty() {
            return;
        }
        writeln!(
            out,
            "Scaling: Amdahl's law `speedup = 1 / (s + (1 - s) / p)` fitted by least squares, with \
             p = threads capped at the {cores} logical cores; s = 0 is perfectly parallel work, and \
             the residual (RMS, in ×) says how well the law explains the curve.\n"
        )
        .expect("write to String");
        out.push_str(&table.to_markdown());
        out.push('\n');
    }
}

/// The line under a workload's table that lists the cells it does not apply to,
/// grouped by reason: ``Not applicable: `seq` (reason); `thread-pool`, `rayon`
/// (reason).`` Nothing when every cell applies.
pub(super) fn not_applicable(out: &mut String, cells: &[&Cell]) {
    let line = not_applicable_line(cells);
    if !line.is_empty() {
        writeln!(out, "{line}\n").expect("write to String");
    }
}

/// The text of [`not_applicable`], empty when every cell applies. A runner that
/// does not apply at several thread counts for one reason is named once; one that
/// has several reasons is named with its thread count in each group.
pub(super) fn not_applicable_line(cells: &[&Cell]) -> String {
    let na: Vec<&Cell> = cells.iter().copied().filter(|c| !c.applies()).collect();
    if na.is_empty() {
        return String::new();
    }
    let reason_of = |c: &Cell| {
        let reason = c.error.as_deref().unwrap_or("no reason recorded");
        let reason = reason.split_whitespace().collect::<Vec<_>>().join(" ");
        reason.trim_end_matches('.').to_owned()
    };
    let mut groups: Vec<(String, Vec<&Cell>)> = Vec::new();
    for cell in &na {
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
    let parts: Vec<String> = groups
        .iter()
        .map(|(reason, members)| {
            let mut names: Vec<String> = Vec::new();
            for cell in members {
                let name = if in_groups(&cell.runner) > 1 {
                    format!(
                        "`{}` at {}",
                        cell.runner,
                        plural(cell.threads, "thread", "threads")
                    )
                } else {
                    format!("`{}`", cell.runner)
                };
                if !names.contains(&name) {
                    names.push(name);
                }
            }
            format!("{} ({})", join_and(&names), escape_inline(reason))
        })
        .collect();
    format!("Not applicable: {}.", parts.join("; "))
}

/// The section itself, for the registry.
pub(super) struct Workloads;

impl super::Section for Workloads {
    fn id(&self) -> &'static str {
        "workloads"
    }

    fn render(&self, report: &Report<'_>, out: &mut String) {
        report.workloads(out);
    }
}

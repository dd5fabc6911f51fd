//! The Markdown of *Results by workload*, from the [`WorkloadTable`]s alone: per
//! workload its heading and description, its table (`render_table.rs`), the cells
//! it does not apply to, its failures, the note on waiting work and the scaling
//! table.

use super::{Description, NotApplicableGroup, Scaling, WorkloadTable};
use crate::model::Status;
use crate::sections::shared::{
    EFFICIENCY_NOTE, WAITING_NOTE, describe_params, kind_label, status_word,
};
use crate::table::{Align, Table};
use crate::text::{capitalise, escape_inline, join_and, ms, plural, times};
use rtcompare_api::WorkloadKind;
use std::fmt::Write as _;

/// Writes the section: its heading, then every workload's part.
pub(super) fn render(tables: &[WorkloadTable], out: &mut String) {
    out.push_str("## Results by workload\n\n");
    for table in tables {
        workload(table, out);
    }
}

/// One workload's part of the section.
fn workload(table: &WorkloadTable, out: &mut String) {
    writeln!(out, "### {}\n", table.workload).expect("write to String");
    description(table, out);
    if !table.rows.is_empty() {
        super::render_table::render(table, out);
    }
    let line = not_applicable_line(&table.not_applicable);
    if !line.is_empty() {
        writeln!(out, "{line}\n").expect("write to String");
    }
    if table.rows.is_empty() {
        return;
    }
    let failures: Vec<String> = table
        .rows
        .iter()
        .filter(|r| r.status != Status::Ok)
        .map(|r| {
            let reason = r.error.as_deref().unwrap_or("no reason recorded");
            let reason = reason.split_whitespace().collect::<Vec<_>>().join(" ");
            format!(
                "- **{}** (t{}): {} — {reason}",
                r.runner,
                r.threads,
                status_word(r.status)
            )
        })
        .collect();
    if !failures.is_empty() {
        out.push_str(&failures.join("\n"));
        out.push_str("\n\n");
    }
    if matches!(table.kind, WorkloadKind::Io | WorkloadKind::Mixed) {
        if table.columns.speedup {
            writeln!(out, "{WAITING_NOTE} {EFFICIENCY_NOTE}\n")
        } else {
            writeln!(out, "{WAITING_NOTE}\n")
        }
        .expect("write to String");
    }
    if let Some(scaling) = &table.scaling {
        scaling_table(scaling, out);
    }
}

/// The line under the heading: the workload as the results describe it, or its
/// parameters.
fn description(table: &WorkloadTable, out: &mut String) {
    let kind = capitalise(kind_label(table.kind));
    match &table.description {
        Description::Declared {
            summary,
            size,
            preset,
            ideal_wall_s,
        } => writeln!(
            out,
            "{kind} — {}; `{preset}` preset: {}.{}\n",
            escape_inline(summary),
            escape_inline(size),
            ideal_wall_s.map_or(String::new(), |ideal| format!(
                " Ideal wall time: {} ms (no runner can finish sooner).",
                ms(ideal)
            ))
        ),
        Description::Params { params } => {
            writeln!(out, "{kind}; parameters: {}.\n", describe_params(params))
        }
    }
    .expect("write to String");
}

/// Speedup at each thread count and the Amdahl fit, one row per runner.
fn scaling_table(scaling: &Scaling, out: &mut String) {
    let mut table = Table::new([
        ("Runner", Align::Left),
        ("Speedup by threads", Align::Left),
        ("Serial fraction", Align::Right),
        ("Fit residual", Align::Right),
    ]);
    for row in &scaling.rows {
        let curve: Vec<String> = row
            .points
            .iter()
            .map(|p| format!("{}: {}", p.threads, times(p.speedup)))
            .collect();
        table.push_row(vec![
            row.runner.clone(),
            curve.join(", "),
            format!("{:.3}", row.serial_fraction),
            format!("{:.3}", row.rms_residual),
        ]);
    }
    writeln!(
        out,
        "Scaling: Amdahl's law `speedup = 1 / (s + (1 - s) / p)` fitted by least squares, with \
         p = threads capped at the {} logical cores; s = 0 is perfectly parallel work, and \
         the residual (RMS, in ×) says how well the law explains the curve.\n",
        scaling.cores
    )
    .expect("write to String");
    out.push_str(&table.to_markdown());
    out.push('\n');
}

/// ``Not applicable: `seq` (reason); `thread-pool`, `rayon` (reason).``, the
/// line that lists the cells a workload does not apply to; empty when every cell
/// applies.
pub(in crate::sections) fn not_applicable_line(groups: &[NotApplicableGroup]) -> String {
    if groups.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = groups
        .iter()
        .map(|group| {
            let names: Vec<String> = group
                .runners
                .iter()
                .map(|r| match r.threads {
                    Some(threads) => {
                        format!("`{}` at {}", r.runner, plural(threads, "thread", "threads"))
                    }
                    None => format!("`{}`", r.runner),
                })
                .collect();
            format!("{} ({})", join_and(&names), escape_inline(&group.reason))
        })
        .collect();
    format!("Not applicable: {}.", parts.join("; "))
}

//! The Markdown of *Results by workload*, from the [`WorkloadsFinding`] alone:
//! the guide to reading the tables (`render_guide.rs`), then per workload its
//! heading and description, its table (`render_table.rs`), one line per reason
//! cells failed or do not apply, the scaling table, and the workload's charts
//! (SVG files beside the report, linked where their table is).

use super::WorkloadsFinding;
use super::{Description, FailureGroup, NotApplicableGroup, Scaling, WorkloadTable};
use crate::charts::Chart;
use crate::model::Status;
use crate::sections::shared::{describe_params, kind_label, status_word};
use crate::table::{Align, Table};
use crate::text::{capitalise, escape_inline, join_and, ms, times};
use std::fmt::Write as _;

/// Writes the section: its heading, the guide, then every workload's part with
/// the `charts` of that workload beside its table.
pub(super) fn render(finding: &WorkloadsFinding, charts: &[Chart], out: &mut String) {
    out.push_str("## Results by workload\n\n");
    super::render_guide::render(&finding.guide, out);
    if !charts.is_empty() {
        out.push_str(CHART_COLOURS);
        out.push_str("\n\n");
    }
    for table in &finding.tables {
        workload(table, out);
        for chart in charts.iter().filter(|c| c.workload == table.workload) {
            writeln!(
                out,
                "![{}]({})\n",
                escape_inline(&chart.title),
                chart.file_name
            )
            .expect("write to String");
        }
    }
}

/// How the charts under the tables tell runners apart.
pub(in crate::sections) const CHART_COLOURS: &str = "Charts sit under their tables. Colours mark \
    classes (sequential grey, concurrent blue, parallel green, concurrent-parallel orange, \
    concurrent-serialized red); lightness, markers and dashes tell runners of one class apart.";

/// One workload's part of the section.
fn workload(table: &WorkloadTable, out: &mut String) {
    writeln!(out, "### {}\n", table.workload).expect("write to String");
    description(table, out);
    if !table.rows.is_empty() {
        super::render_table::render(table, out);
    }
    let lines: Vec<String> = table
        .failures
        .iter()
        .map(failure_line)
        .chain(table.not_applicable.iter().map(not_applicable_line))
        .collect();
    if !lines.is_empty() {
        writeln!(out, "{}\n", lines.join("\n")).expect("write to String");
    }
    if let Some(scaling) = &table.scaling {
        scaling_table(scaling, out);
    }
}

/// `- Failed: seq (t1), thread-pool (t1, t2, t4) and gil (t1). Reason: …`, one
/// line for the cells that did not finish for one reason.
pub(in crate::sections) fn failure_line(group: &FailureGroup) -> String {
    let cells: Vec<String> = group
        .runners
        .iter()
        .map(|r| {
            let threads: Vec<String> = r.threads.iter().map(|t| format!("t{t}")).collect();
            format!("{} ({})", r.runner, threads.join(", "))
        })
        .collect();
    let status = match group.status {
        Status::Ok => "Finished without samples",
        other => &capitalise(status_word(other)),
    };
    let mut line = format!("- **{status}:** {}.", join_and(&cells));
    if let Some(reason) = &group.reason {
        let reason = escape_inline(reason.trim_end_matches('.'));
        write!(line, " Reason: {reason}.").expect("write to String");
    }
    line
}

/// The line under the heading: the workload as the results describe it, or its
/// parameters.
fn description(table: &WorkloadTable, out: &mut String) {
    let kind = capitalise(kind_label(table.kind));
    match &table.description {
        Description::Declared {
            summary,
            size,
            ideal_wall_s,
        } => writeln!(
            out,
            "{kind} — {}. Size: {}.{}\n",
            escape_inline(summary.trim().trim_end_matches('.')),
            escape_inline(size.trim().trim_end_matches('.')),
            ideal_wall_s.map_or(String::new(), |ideal| format!(
                " Ideal wall time: {} ms.",
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
    out.push_str("Scaling, with the Amdahl fit:\n\n");
    out.push_str(&table.to_markdown());
    out.push('\n');
}

/// `- **Not applicable:** seq, rayon (t1). Reason: …`, one line for the cells a
/// workload does not apply to for one reason.
pub(in crate::sections) fn not_applicable_line(group: &NotApplicableGroup) -> String {
    let names: Vec<String> = group
        .runners
        .iter()
        .map(|r| match r.threads {
            Some(threads) => format!("{} (t{threads})", r.runner),
            None => r.runner.clone(),
        })
        .collect();
    format!(
        "- **Not applicable:** {}. Reason: {}.",
        join_and(&names),
        escape_inline(&group.reason)
    )
}

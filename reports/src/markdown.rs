//! The Markdown report as two documents: `report.md`, which answers first (the
//! fingerprint, a table of contents, the answers, the grid, the claims, the
//! verdicts, the sections of workload families, the disclosures), and
//! `details.md`, which holds the per-workload tables and the charts. Each renders
//! the sections of its registry in `reports/src/sections/` (`SECTIONS`,
//! `DETAILS`) one after another into GitHub-flavoured Markdown, with a table of
//! contents after the first section built from the headings the others wrote.
//!
//! The output depends on the [`Results`] alone (no clock, no environment), so a
//! report can be regenerated from its results file and diffed. It renders
//! [`Summarized`] results, whose summaries were derived once for every format of
//! the report, so a file written before its run finished renders the same as a
//! complete one.
//!
//! [`crate::table::Table`] is the one place that knows how a table is laid out;
//! other tabular outputs (plain text, CSV) can build the same rows and lay them
//! out their way.

use crate::charts::Chart;
use crate::model::Results;
use crate::sections::{DETAILS, Report, SECTIONS, Section};
use crate::summary::Summarized;
use crate::text::slug;
use std::fmt::Write as _;

/// The file the per-workload details are written to, beside `report.md`.
pub const DETAILS_FILE: &str = crate::text::DETAILS_FILE;

/// Renders `results` as the Markdown report (`report.md`). Deterministic: the
/// same results give the same text, byte for byte.
pub fn render(results: &Results) -> String {
    let results = Summarized::new(results.clone());
    render_summarized(&results, &crate::charts::render_summarized(&results))
}

/// Renders the details of `results` (`details.md`): the per-workload tables and
/// the charts.
pub fn render_details(results: &Results) -> String {
    let results = Summarized::new(results.clone());
    let charts = crate::charts::render_summarized(&results);
    render_details_report(&Report::new(&results, &charts))
}

/// [`render`], linking `charts` (SVG files the caller writes beside the report)
/// instead of rendering them again.
pub fn render_with_charts(results: &Results, charts: &[Chart]) -> String {
    render_summarized(&Summarized::new(results.clone()), charts)
}

/// [`render_details`], linking `charts` instead of rendering them again.
pub fn render_details_with_charts(results: &Results, charts: &[Chart]) -> String {
    render_details_report(&Report::new(&Summarized::new(results.clone()), charts))
}

/// The Markdown report of `results`, linking `charts` (SVG files the caller
/// writes beside the report).
pub fn render_summarized(results: &Summarized, charts: &[Chart]) -> String {
    render_report(&Report::new(results, charts))
}

/// `report.md` of `report`, whose derivations `details.md` and `findings.json`
/// share.
pub(crate) fn render_report(report: &Report<'_>) -> String {
    let details = format!("[the details]({DETAILS_FILE}) (every workload's table and charts)");
    document(report, SECTIONS, &details)
}

/// `details.md` of `report`.
pub(crate) fn render_details_report(report: &Report<'_>) -> String {
    let mut out = String::from("# rtcompare report: details\n\n");
    writeln!(
        out,
        "Every workload's table and charts, for the [report](report.md) of the run it \
         names.\n"
    )
    .expect("write to String");
    let mut body = String::new();
    for section in DETAILS {
        section.render(report, &mut body);
    }
    contents(&body, "### ", None, &mut out);
    out.push_str(&body);
    out
}

/// The first of `sections`, a table of contents of the others' `## ` headings
/// (and a pointer to `more`), then the others.
fn document(report: &Report<'_>, sections: &[&dyn Section], more: &str) -> String {
    let mut out = String::new();
    let Some((first, rest)) = sections.split_first() else {
        return out;
    };
    first.render(report, &mut out);
    let mut body = String::new();
    for section in rest {
        section.render(report, &mut body);
    }
    let more = (!report.results().cells.is_empty()).then_some(more);
    contents(&body, "## ", more, &mut out);
    out.push_str(&body);
    out
}

/// `**Contents:** [A](#a) · [B](#b)`, from the headings of `body` that start
/// with `level`, and `more` after them; nothing when there is nothing to list.
fn contents(body: &str, level: &str, more: Option<&str>, out: &mut String) {
    let links: Vec<String> = body
        .lines()
        .filter_map(|line| line.strip_prefix(level))
        .map(|title| format!("[{title}](#{})", slug(title)))
        .collect();
    if links.is_empty() && more.is_none() {
        return;
    }
    write!(out, "**Contents:** {}", links.join(" · ")).expect("write to String");
    if let Some(more) = more {
        write!(out, "; then {more}").expect("write to String");
    }
    out.push_str(".\n\n");
}

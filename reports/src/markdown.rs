//! The Markdown report as a document: the sections of `reports/src/sections/`, in
//! the order of their registry, rendered one after another into GitHub-flavoured
//! Markdown (the fingerprint and the command that reproduces the run, a verdict
//! computed from the data, the concurrency × parallelism grid, the sections of
//! workload families, the claims checked, one table per workload, the charts and
//! the disclosures that apply to the runners present).
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
use crate::sections::{Report, SECTIONS};
use crate::summary::Summarized;

/// Renders `results` as a Markdown report. Deterministic: the same results give
/// the same text, byte for byte.
pub fn render(results: &Results) -> String {
    let results = Summarized::new(results.clone());
    render_summarized(&results, &crate::charts::render_summarized(&results))
}

/// [`render`], linking `charts` (SVG files the caller writes beside the report)
/// instead of rendering them again.
pub fn render_with_charts(results: &Results, charts: &[Chart]) -> String {
    render_summarized(&Summarized::new(results.clone()), charts)
}

/// The Markdown report of `results`, linking `charts` (SVG files the caller
/// writes beside the report).
pub fn render_summarized(results: &Summarized, charts: &[Chart]) -> String {
    render_report(&Report::new(results, charts))
}

/// The Markdown of `report`, whose derivations `findings.json` may share.
pub(crate) fn render_report(report: &Report<'_>) -> String {
    let mut out = String::new();
    for section in SECTIONS {
        section.render(report, &mut out);
    }
    out
}

//! `findings.json`: what the report's sections derived from a results file, as
//! data (numbers, enums and cell references; no prose), for tools that want the
//! verdicts without parsing Markdown. Written beside `report.md` from the same
//! derivation the Markdown renders; its schema is `docs/findings-schema.md`.
//!
//! Every section that derives something has an entry, under its id, when the
//! results have something for it; [`FINDINGS_VERSION`] grows with every section
//! added or field changed.

use crate::charts::Chart;
use crate::sections::{self, Report};
use crate::summary::Summarized;
use serde_json::{Value, json};

/// The version of the `findings.json` layout this build writes.
pub const FINDINGS_VERSION: u32 = 7;

/// The findings of `results` as pretty-printed JSON, ending in a newline.
/// Deterministic, like the report.
pub fn render_summarized(results: &Summarized) -> String {
    let charts: [Chart; 0] = [];
    render_report(&Report::new(results, &charts))
}

/// The findings of `report`, sharing its derivations with the Markdown.
pub(crate) fn render_report(report: &Report<'_>) -> String {
    let results = report.results();
    let document = json!({
        "findings_version": FINDINGS_VERSION,
        "results": {
            "schema_version": results.schema_version,
            "tool_version": results.tool_version,
            "created": results.created,
            "partial": results.partial,
        },
        "sections": Value::Object(sections::findings(report)),
    });
    let mut text = serde_json::to_string_pretty(&document).expect("findings serialise");
    text.push('\n');
    text
}

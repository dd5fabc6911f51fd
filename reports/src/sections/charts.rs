//! The *Charts* section: links to the SVG charts written beside the report.

use super::Report;
use crate::charts::Chart;
use crate::text::escape_inline;
use std::fmt::Write as _;

/// Links the charts, which sit beside the report as SVG files.
pub(super) fn charts_section(out: &mut String, charts: &[Chart]) {
    if charts.is_empty() {
        return;
    }
    out.push_str("## Charts\n\n");
    out.push_str(
        "Colours mark classes (sequential grey, concurrent blue, parallel green, \
         concurrent-parallel orange, concurrent-serialized red); shades and markers tell \
         runners of one class apart.\n\n",
    );
    for chart in charts {
        writeln!(
            out,
            "![{}]({})\n",
            escape_inline(&chart.title),
            chart.file_name
        )
        .expect("write to String");
    }
}

/// The section itself, for the registry.
pub(super) struct Charts;

impl super::Section for Charts {
    fn id(&self) -> &'static str {
        "charts"
    }

    fn render(&self, report: &Report<'_>, out: &mut String) {
        charts_section(out, report.charts);
    }
}

//! Export to Bencher Metric Format (BMF) JSON, so a results file can be tracked
//! over time by [Bencher](https://bencher.dev/docs/reference/bencher-metric-format/)
//! (`bencher run --adapter json --file bmf.json`).
//!
//! One benchmark per finished cell, named by its key (`runner/workload/tN`), with
//! these measures:
//!
//! - `latency`: the median wall time in nanoseconds (extrapolated when the cell
//!   ran a subset of the work), with the 95% bootstrap interval of the median as
//!   `lower_value` and `upper_value`;
//! - `throughput`: operations per second, when the workload has one;
//! - `peak-rss`: the peak resident set of the cell's process in bytes, a custom
//!   measure (Bencher creates it on first use).
//!
//! Cells that failed or timed out are left out.

use crate::model::{Results, Status};
use crate::summary::summarize;
use serde_json::{Map, Value, json};

/// Bencher's built-in latency measure (nanoseconds).
pub const LATENCY: &str = "latency";
/// Bencher's built-in throughput measure (operations per second).
pub const THROUGHPUT: &str = "throughput";
/// rtcompare's peak resident set measure (bytes).
pub const PEAK_RSS: &str = "peak-rss";

/// The cells of `results` as a BMF JSON object. Uses each cell's stored summary,
/// computing summaries (on a copy) when a finished cell has none.
pub fn bencher_metric_format(results: &Results) -> Value {
    let needs_summary = results
        .cells
        .iter()
        .any(|c| c.status == Status::Ok && !c.samples.is_empty() && c.summary.is_none());
    let summarized;
    let results = if needs_summary {
        let mut copy = results.clone();
        summarize(&mut copy);
        summarized = copy;
        &summarized
    } else {
        results
    };
    let mut benchmarks = Map::new();
    for cell in results.cells.iter().filter(|c| c.status == Status::Ok) {
        let mut measures = Map::new();
        if let Some(summary) = &cell.summary {
            let [lo, hi] = summary.ci95_wall_s;
            measures.insert(
                LATENCY.into(),
                json!({
                    "value": summary.median_wall_s * 1e9,
                    "lower_value": lo * 1e9,
                    "upper_value": hi * 1e9,
                }),
            );
        }
        if let Some(throughput) = cell.throughput_per_s.filter(|t| t.is_finite()) {
            measures.insert(THROUGHPUT.into(), json!({ "value": throughput }));
        }
        if let Some(rss) = cell.peak_rss_bytes {
            measures.insert(PEAK_RSS.into(), json!({ "value": rss as f64 }));
        }
        if !measures.is_empty() {
            benchmarks.insert(cell.key(), Value::Object(measures));
        }
    }
    Value::Object(benchmarks)
}

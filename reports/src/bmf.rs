//! Export to Bencher Metric Format (BMF) JSON, so a results file can be tracked
//! over time by [Bencher](https://bencher.dev/docs/reference/bencher-metric-format/)
//! (`bencher run --adapter json --file bmf.json`).
//!
//! One benchmark per finished cell, named by its key (`runner/workload/tN`), with
//! these measures:
//!
//! - `latency`: the median wall time in nanoseconds (extrapolated when the cell
//!   ran a subset of the work), with the median's order-statistic interval as
//!   `lower_value` and `upper_value`: at least 95% coverage from 6 samples, but only
//!   the samples' range below that (75% for 3 samples), which BMF cannot label, so
//!   read the coverage from the results file or the report;
//! - `throughput`: operations per second, when the workload has one;
//! - `peak-rss`: the peak resident set of the cell's process in bytes, a custom
//!   measure (Bencher creates it on first use);
//! - `latency-p99-us`: the 99th percentile of the workload's own latency in
//!   microseconds, for workloads that time requests or ticks, and
//!   `<name>-p99-us` for each further latency it names (`round-trip-p99-us`);
//! - each of the workload's own measures under its key (`ns-per-task`,
//!   `rss-per-task-bytes`, `ns-per-hop`), in the unit its key names.
//!
//! The custom measures are created by Bencher on first use. Cells that failed,
//! timed out or do not apply (`n/a`) are left out.

use crate::model::{Results, Status};
use crate::summary::summarize;
use serde_json::{Map, Value, json};

/// Bencher's built-in latency measure (nanoseconds).
pub const LATENCY: &str = "latency";
/// Bencher's built-in throughput measure (operations per second).
pub const THROUGHPUT: &str = "throughput";
/// rtcompare's peak resident set measure (bytes).
pub const PEAK_RSS: &str = "peak-rss";
/// rtcompare's tail latency measure (microseconds, 99th percentile).
pub const LATENCY_P99: &str = "latency-p99-us";

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
            let [lo, hi] = summary.interval_wall_s;
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
        if let Some(latency) = cell.latency_us.filter(|l| l.p99.is_finite()) {
            measures.insert(LATENCY_P99.into(), json!({ "value": latency.p99 }));
        }
        for (name, latency) in &cell.more_latency_us {
            if latency.p99.is_finite() {
                measures.insert(format!("{name}-p99-us"), json!({ "value": latency.p99 }));
            }
        }
        for (key, value) in &cell.metrics {
            if value.is_finite() {
                measures.insert(key.clone(), json!({ "value": value }));
            }
        }
        if !measures.is_empty() {
            benchmarks.insert(cell.key(), Value::Object(measures));
        }
    }
    Value::Object(benchmarks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_2_measures_and_no_cells_that_do_not_apply() {
        let text = include_str!("../tests/fixtures/results-v2.json");
        let results = crate::parse(std::path::Path::new("fixture"), text).unwrap();
        let bmf = bencher_metric_format(&results);
        let benchmarks = bmf.as_object().unwrap();
        let ok = results
            .cells
            .iter()
            .filter(|c| c.status == Status::Ok)
            .count();
        assert_eq!(benchmarks.len(), ok);
        assert!(
            !benchmarks.contains_key("seq/spawn/t1"),
            "n/a cell exported"
        );
        let spawn = &bmf["threads/spawn/t2"];
        assert_eq!(spawn["ns-per-task"]["value"], 14480.0);
        assert_eq!(spawn["rss-per-task-bytes"]["value"], 12650.0);
        let mixed = &bmf["tokio-ct/mixed-inline/t1"];
        assert!(mixed[LATENCY_P99]["value"].as_f64().unwrap() > 10_000.0);
        assert!(mixed["round-trip-p99-us"]["value"].is_number());
        assert!(mixed[LATENCY]["value"].is_number());
    }
}

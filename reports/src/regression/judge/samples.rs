//! What the metrics share: a cell's samples grouped by process, their spread, the
//! run-to-run part of a noise floor.

use super::Pair;
use crate::floor::Floor;
use crate::model::{Cell, Sample};
use crate::regression::{FLOOR_MIN_RUNS, Metric};
use crate::stats::{median, relative_iqr};
use std::collections::BTreeMap;

/// Samples of `cell` left after dropping disturbed ones, grouped by process, each
/// value from `value` (`None` drops the sample).
pub(super) fn groups(cell: &Cell, value: impl Fn(&Sample) -> Option<f64>) -> Vec<Vec<f64>> {
    let mut by_process: BTreeMap<usize, Vec<f64>> = BTreeMap::new();
    for s in cell.samples.iter().filter(|s| !s.disturbed) {
        if let Some(v) = value(s).filter(|v| v.is_finite()) {
            by_process.entry(s.process).or_default().push(v);
        }
    }
    by_process.into_values().collect()
}

/// Every value of `groups`, in order.
pub(super) fn flat(groups: &[Vec<f64>]) -> Vec<f64> {
    groups.iter().flatten().copied().collect()
}

/// Between- and within-process spread of grouped samples.
pub(super) fn side_spread(groups: &[Vec<f64>]) -> (Option<f64>, Option<f64>) {
    let medians: Vec<f64> = groups.iter().map(|g| median(g)).collect();
    let between = (groups.len() >= 2).then(|| relative_iqr(&medians));
    let within: Vec<f64> = groups
        .iter()
        .filter(|g| g.len() >= 2)
        .map(|g| relative_iqr(g))
        .collect();
    (
        between.filter(|x| x.is_finite()),
        (!within.is_empty()).then(|| median(&within)),
    )
}

impl Pair<'_> {
    /// The run-to-run part of a floor: `floor_k ×` the relative IQR of the
    /// baseline's undisturbed per-run values of `metric` (after `transform`, given
    /// the run's index), with their median as the reference; `None` without
    /// repeats or with fewer than [`FLOOR_MIN_RUNS`] such runs.
    pub(super) fn run_floor(
        &self,
        metric: Metric,
        floor_k: f64,
        transform: &dyn Fn(usize, f64) -> Option<f64>,
    ) -> Option<Floor> {
        let r = self.reps?;
        let values: Vec<f64> = match metric {
            Metric::MedianWall => &r.median_wall_s,
            Metric::Throughput => &r.throughput_per_s,
            Metric::LatencyP99 => &r.latency_p99_us,
            Metric::PeakRss => &r.peak_rss_bytes,
        }
        .iter()
        .enumerate()
        .filter(|(i, _)| !r.disturbed.get(*i).copied().unwrap_or(false))
        .filter_map(|(i, v)| transform(i, (*v)?))
        .collect();
        let spread = relative_iqr(&values);
        (values.len() >= FLOOR_MIN_RUNS && spread.is_finite()).then(|| Floor {
            run_spread: spread,
            reach: None,
            processes: 0,
            runs: values.len(),
            reference: median(&values),
            k: floor_k,
        })
    }
}

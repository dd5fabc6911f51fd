//! A baseline's repeated runs (schema 3): the runs it was made from and each
//! cell's value in each of them, from which the regression check takes its noise
//! floors.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The repeated runs a baseline was made from (schema 3, the top-level `repeats`
/// of a baseline file made by `baseline save` of several results files or by
/// `baseline calibrate`; absent in ordinary results files): its cells hold the
/// samples of every run together (each run's processes numbered after the
/// previous run's), and this records what each run measured on its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Repeats {
    /// The runs, in the order they were added.
    pub runs: Vec<RepeatRun>,
    /// Per cell key (`runner/workload/tN`), its values run by run.
    pub cells: BTreeMap<String, CellRepeats>,
}

/// One run a baseline was made from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RepeatRun {
    /// The results file it came from, as given.
    pub source: String,
    /// When that run started (its `created`).
    pub created: String,
    /// Its seed.
    pub seed: u64,
    /// Its git commit, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git_commit: Option<String>,
}

/// One cell's values in each run of a baseline (schema 3). Every vector has one
/// entry per [`Repeats::runs`], `null` where the run had no value (the cell did
/// not finish, or the metric does not apply).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct CellRepeats {
    /// Median wall time of the run's undisturbed samples, seconds (scaled by the
    /// extrapolation factor).
    pub median_wall_s: Vec<Option<f64>>,
    /// Median over the run's undisturbed samples of `ops / wall_s`, where samples
    /// count their operations.
    #[serde(default)]
    pub throughput_per_s: Vec<Option<f64>>,
    /// The run's merged latency p99, microseconds.
    #[serde(default)]
    pub latency_p99_us: Vec<Option<f64>>,
    /// The run's peak RSS, bytes.
    #[serde(default)]
    pub peak_rss_bytes: Vec<Option<f64>>,
    /// Whether the cell stayed disturbed in that run ([`Cell::disturbed`]); such a
    /// run's values are recorded but left out of the noise floor.
    ///
    /// [`Cell::disturbed`]: super::Cell::disturbed
    #[serde(default)]
    pub disturbed: Vec<bool>,
    /// Run-to-run spread per metric (`median-wall`, `throughput`, `latency-p99`,
    /// `peak-rss`): the relative interquartile range of the undisturbed runs'
    /// values, present from 3 such runs. Derived from the vectors above; stored so
    /// the file says what the check will use.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub spread: BTreeMap<String, f64>,
}

//! One comparison: a cell on one metric, its values, the test's numbers, the
//! band and noise floor it had to clear, and the verdict.

use super::Metric;
use serde::{Deserialize, Serialize};

/// The outcome for one cell and metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Worse, significantly and beyond the noise band.
    Regression,
    /// Better, significantly and beyond the noise band.
    Improvement,
    /// Not shown to differ beyond the noise band.
    NoChange,
    /// Flagged as a regression once, but the confirmation re-run did not
    /// reproduce it.
    Unconfirmed,
    /// Not shown to differ, and the cell's noise floor (from the baseline's repeated
    /// runs) is above the requested band: a change of the band's size could not have
    /// been seen here. Never a pass, never a regression.
    TooNoisy,
}

impl Verdict {
    /// The verdict in words: `regression`, `improvement`, `no change`,
    /// `unconfirmed`.
    pub fn word(&self) -> &'static str {
        match self {
            Self::Regression => "regression",
            Self::Improvement => "improvement",
            Self::NoChange => "no change",
            Self::Unconfirmed => "unconfirmed",
            Self::TooNoisy => "too noisy",
        }
    }

    /// Position in the report: regressions, improvements, unconfirmed, no change.
    pub(super) fn rank(self) -> u8 {
        match self {
            Self::Regression => 0,
            Self::Improvement => 1,
            Self::Unconfirmed => 2,
            Self::TooNoisy => 3,
            Self::NoChange => 4,
        }
    }
}

/// The comparison of one cell on one metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The cell's key, `runner/workload/tN` ([`Cell::key`]).
    ///
    /// [`Cell::key`]: crate::model::Cell::key
    pub cell: String,
    /// Runner id.
    pub runner: String,
    /// Workload id.
    pub workload: String,
    /// Worker threads.
    pub threads: usize,
    /// What was compared.
    pub metric: Metric,
    /// The baseline's value: median wall in seconds (a ratio to `seq` in ratio
    /// mode), throughput per second, latency p99 in µs, peak RSS in bytes.
    pub baseline: f64,
    /// The results' value, in the same unit.
    pub now: f64,
    /// `now / baseline - 1`, whatever the metric's direction: +0.15 is 15% more
    /// wall time (worse) or 15% more throughput (better).
    pub change: f64,
    /// 95% bootstrap interval of the ratio `now / baseline` (median wall only).
    pub ci95: Option<[f64; 2]>,
    /// Two-sided Mann-Whitney p-value (median wall only).
    pub p: Option<f64>,
    /// `p` adjusted for the number of tests.
    pub p_adjusted: Option<f64>,
    /// The outcome.
    pub verdict: Verdict,
    /// The band the change had to clear: the configured one, or the noise floor
    /// where that is larger.
    #[serde(default)]
    pub band: f64,
    /// The cell's noise floor ([`Floor::value`]): the larger of `floor_k ×` its
    /// run-to-run spread and the reach of the baseline's processes, when the
    /// baseline has at least [`FLOOR_MIN_RUNS`] undisturbed runs of it.
    ///
    /// [`Floor::value`]: crate::floor::Floor::value
    /// [`FLOOR_MIN_RUNS`]: super::FLOOR_MIN_RUNS
    #[serde(default)]
    pub floor: Option<f64>,
    /// Undisturbed baseline runs the floor rests on (0: no repeats).
    #[serde(default)]
    pub runs: usize,
    /// The run-to-run spread behind the floor: the relative interquartile range of
    /// the baseline's per-run values.
    #[serde(default)]
    pub run_spread: Option<f64>,
    /// The process reach behind the floor ([`Floor::reach`]): the farthest one of
    /// the baseline's processes landed from its value.
    ///
    /// [`Floor::reach`]: crate::floor::Floor::reach
    #[serde(default)]
    pub reach: Option<f64>,
    /// Baseline processes behind `reach`.
    #[serde(default)]
    pub floor_processes: usize,
    /// The smallest change this comparison could have reported, as a fraction: the
    /// band plus the half-width of the interval (the band alone for single values);
    /// `None` when too few samples make any significant result impossible.
    #[serde(default)]
    pub detectable: Option<f64>,
    /// How the samples were tested, and the spread they showed (sampled metrics).
    #[serde(default)]
    pub spread: Option<Spread>,
}

/// How a sampled metric was tested and how its samples spread (per side:
/// baseline, results).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    /// What the test resampled.
    pub method: Method,
    /// Cell processes contributing samples.
    pub processes: [usize; 2],
    /// Undisturbed samples used.
    pub samples: [usize; 2],
    /// Relative interquartile range of the per-process medians (from 2 processes).
    pub between_process: [Option<f64>; 2],
    /// Median over processes of the relative interquartile range of each process's
    /// samples (processes with at least 2 samples).
    pub within_process: [Option<f64>; 2],
}

/// What a sampled metric's test treats as independent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Samples from at least 2 processes on each side: a hierarchical bootstrap
    /// (processes, then samples within each) gives the interval and the p-value.
    Processes,
    /// One process on a side: samples are taken as independent (Mann-Whitney U and
    /// an independent bootstrap); the spread between processes is unknown.
    Samples,
}

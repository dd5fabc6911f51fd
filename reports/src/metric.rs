//! What a regression check compares, cell by cell: the [`Metric`]s. Shared by the
//! check ([`crate::regression`]) and the baselines that store each metric's
//! per-run values ([`crate::baseline`]).

use serde::{Deserialize, Serialize};

/// What is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Metric {
    /// Median wall time of the samples (or, in ratio mode, of the samples divided
    /// by `seq`'s median). Lower is better.
    MedianWall,
    /// Operations per second. Higher is better.
    Throughput,
    /// 99th-percentile latency. Lower is better.
    LatencyP99,
    /// Peak resident set of the cell's process. Lower is better.
    PeakRss,
}

impl Metric {
    /// The metric's id, as serialised: `median-wall`, `throughput`,
    /// `latency-p99`, `peak-rss`.
    pub fn name(&self) -> &str {
        match self {
            Self::MedianWall => "median-wall",
            Self::Throughput => "throughput",
            Self::LatencyP99 => "latency-p99",
            Self::PeakRss => "peak-rss",
        }
    }

    /// True when a larger value is better (throughput only).
    pub fn higher_is_better(&self) -> bool {
        matches!(self, Self::Throughput)
    }
}

impl std::fmt::Display for Metric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

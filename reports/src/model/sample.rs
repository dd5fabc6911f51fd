//! A cell's samples and what is derived from them: each sample's measured cost,
//! how the samples were taken and what disturbed them, the latency percentiles
//! and the per-cell summary statistics.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Other load on the machine during a cell's samples (schema 3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Interference {
    /// Samples discarded as disturbed and taken again.
    pub retaken: usize,
    /// Measured samples that stayed disturbed after the cell's re-takes ran out
    /// (kept in `samples`, marked there).
    pub disturbed_samples: usize,
    /// The largest foreign load seen over any sample, kept or discarded, in cores.
    pub foreign_cores_max: f64,
    /// The median foreign load over the kept samples, in cores.
    pub foreign_cores_median: f64,
    /// The largest steal time seen over any sample, in cores.
    pub steal_cores_max: f64,
    /// Foreign load of the discarded samples, in cores, in the order they were seen.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub discarded_foreign_cores: Vec<f64>,
}

/// Why a cell stopped taking samples (schema 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StopReason {
    /// The median's interval reached the precision target.
    Precision,
    /// The cell's share of the run's time budget was spent.
    Budget,
    /// The cell took the most samples allowed.
    MaxSamples,
    /// The sample count was fixed (`--samples N`).
    Fixed,
    /// The cell ended (failed, timed out, n/a) before its sampling finished.
    Ended,
}

impl StopReason {
    /// The name used in results files and reports.
    pub const fn as_str(self) -> &'static str {
        match self {
            StopReason::Precision => "precision",
            StopReason::Budget => "budget",
            StopReason::MaxSamples => "max-samples",
            StopReason::Fixed => "fixed",
            StopReason::Ended => "ended",
        }
    }
}

/// How a cell's samples were taken (schema 3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sampling {
    /// Cell processes that contributed samples.
    pub processes: usize,
    /// Why sampling stopped.
    pub stop: StopReason,
    /// The precision target, as a fraction of the median.
    pub target: f64,
    /// The half-width reached when sampling stopped, as a fraction of the median
    /// (`None` while too few samples for a 95% interval).
    pub half_width: Option<f64>,
    /// The time this cell was allowed, seconds (`None`: no budget).
    pub budget_s: Option<f64>,
    /// Wall time the cell's processes took in all, seconds.
    pub spent_s: f64,
}

/// Measured cost of one sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// Wall-clock time, monotonic clock, seconds.
    pub wall_s: f64,
    /// User CPU time of the whole process (every thread), seconds.
    pub user_s: f64,
    /// System CPU time of the whole process, seconds.
    pub sys_s: f64,
    /// Voluntary context switches of the process.
    pub ctx_voluntary: u64,
    /// Involuntary context switches of the process.
    pub ctx_involuntary: u64,
    /// This sample's primary latency: 99th percentile and maximum, microseconds
    /// (schema 2; how often and how badly single samples stalled).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_p99_us: Option<f64>,
    /// This sample's largest primary latency, microseconds (schema 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_max_us: Option<f64>,
    /// The workload's own measures for this sample (schema 2).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metrics: BTreeMap<String, f64>,
    /// Operations this sample completed, for workloads that count them (schema 3), so
    /// throughput can be judged per sample.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ops: Option<u64>,
    /// Which of the cell's processes took this sample, from 0 (schema 3).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub process: usize,
    /// CPU time, seconds, that processes outside the cell's own process tree used on
    /// the machine during this sample: busy time from `/proc/stat`, or the task time
    /// of the CPU-accounting cgroup where that shows more, minus the cell's own CPU
    /// time (schema 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub foreign_cpu_s: Option<f64>,
    /// The resolution of the counter `foreign_cpu_s` came from, seconds: 0.02 for
    /// `/proc/stat` ticks, 0.002 for the cgroup's task time; absent in files that
    /// read `/proc/stat` only (schema 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub foreign_resolution_s: Option<f64>,
    /// CPU time, seconds, of the kernel's own threads (`ksoftirqd`, `kworker`, ...)
    /// during the sample: counted with the cell's own time, not as foreign load
    /// (schema 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kernel_cpu_s: Option<f64>,
    /// Steal time over the sample, seconds, all CPUs together (schema 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steal_s: Option<f64>,
    /// Kept although other load disturbed it: the cell's re-takes ran out (schema 3).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disturbed: bool,
    /// The peak resident set (VmHWM, plus its worker processes' peaks) of the cell
    /// process that took this sample, when that process finished: the same on every
    /// sample of one process (schema 4). Peak RSS is judged per process from it, so
    /// a check of 2 processes is not compared with the highest of 9.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process_peak_rss_bytes: Option<u64>,
    /// Network cells: the external load generator's CPU time over the sample,
    /// seconds (schema 5). Not in `user_s`/`sys_s`, which are the server's alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generator_cpu_s: Option<f64>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Sample {
    /// A sample of `wall_s` seconds with nothing else measured: for tests and fixtures.
    pub fn of_wall(wall_s: f64) -> Sample {
        Sample {
            wall_s,
            user_s: 0.0,
            sys_s: 0.0,
            ctx_voluntary: 0,
            ctx_involuntary: 0,
            latency_p99_us: None,
            latency_max_us: None,
            metrics: BTreeMap::new(),
            ops: None,
            process: 0,
            foreign_cpu_s: None,
            foreign_resolution_s: None,
            kernel_cpu_s: None,
            steal_s: None,
            disturbed: false,
            process_peak_rss_bytes: None,
            generator_cpu_s: None,
        }
    }
}

/// Latency percentiles in microseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Latency {
    /// Values recorded (schema 2).
    #[serde(default)]
    pub count: u64,
    /// Mean (schema 2).
    #[serde(default)]
    pub mean: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile (schema 2).
    #[serde(default)]
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile.
    pub p999: f64,
    /// Largest observed.
    pub max: f64,
}

/// Statistics derived from a cell's samples and its run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Median wall time, seconds (extrapolated when the cell says so).
    pub median_wall_s: f64,
    /// Distribution-free interval of the median wall time, seconds: two order
    /// statistics of the samples, chosen for at least 95% coverage where the sample
    /// count allows it, else the samples' range (schema 3; `interval_wall_s` before,
    /// which older files' summaries are re-derived from their samples anyway).
    #[serde(alias = "ci95_wall_s")]
    pub interval_wall_s: [f64; 2],
    /// The interval's real coverage: the probability that it holds the true median
    /// (e.g. 0.75 for the range of 3 samples; at least 0.95 from 6 samples) (schema 3).
    #[serde(default)]
    pub interval_coverage: f64,
    /// Samples the interval rests on (schema 3).
    #[serde(default)]
    pub samples: usize,
    /// Median wall of the runner's baseline on the same workload divided by this
    /// cell's: `seq`'s, unless the runner names another baseline
    /// (`runners[].baseline`, schema 7: `cpython-seq` for the CPython runners).
    /// The name stays for the schema's sake.
    pub speedup_vs_seq: Option<f64>,
    /// Speedup divided by the parallelism the machine can give it, min(threads,
    /// cores) (schema 3; speedup ÷ threads before).
    pub efficiency: Option<f64>,
    /// More worker threads than logical cores: shown as its own fact, not as lost
    /// efficiency (schema 3).
    #[serde(default)]
    pub oversubscribed: bool,
    /// Median CPU time (user + system) divided by median wall time; 1.0 = one core busy.
    pub cpu_utilisation: f64,
}

impl Summary {
    /// Whether the interval has at least 95% coverage, so "fastest", "tied" and
    /// "statistically tied" may rest on it.
    pub fn supports_claims(&self) -> bool {
        self.interval_coverage >= 0.95 - 1e-9
    }
}

//! The results file: rtcompare's public contract between a run and everything
//! rendered from it (reports, regression checks). Versioned by [`SCHEMA_VERSION`];
//! documented field by field in `docs/results-schema.md`.

use rtcompare_api::{Class, Family, WorkloadKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = 4;

/// The oldest schema version this build still reads (every field added since is
/// optional, so older files load with those fields empty, or recovered at load
/// where the older file wrote the same fact another way).
pub const OLDEST_READABLE_SCHEMA: u32 = 1;

/// One run of the matrix: the machine, the configuration and every cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Results {
    /// Always [`SCHEMA_VERSION`] for files this build writes.
    pub schema_version: u32,
    /// The rtcompare version that wrote the file.
    pub tool_version: String,
    /// When the run started, RFC 3339 in UTC.
    pub created: String,
    /// True while the run is in progress or when it was interrupted: some planned
    /// cells are missing.
    pub partial: bool,
    /// The machine fingerprint.
    pub machine: Machine,
    /// How the run was configured.
    pub config: Config,
    /// What each selected runner is, as this build describes it, so reports can
    /// disclose configuration and caveats without knowing any runner.
    pub runners: Vec<RunnerMeta>,
    /// What each selected workload is, with its size at the run's preset.
    pub workloads: Vec<WorkloadMeta>,
    /// Every finished cell, in the order they ran.
    pub cells: Vec<Cell>,
    /// What the machine was doing just before the run started (schema 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preflight: Option<Preflight>,
}

/// A baseline file: a results file whose top level may also carry `repeats`, the
/// repeated runs it was made from (schema 3, optional). Kept beside [`Results`]
/// rather than in it so every results file stays as it is; read with
/// [`crate::load_baseline`], written with [`crate::save_baseline`].
#[derive(Debug, Clone, PartialEq)]
pub struct Baseline {
    /// The cells, every run's samples together when made from several runs.
    pub results: Results,
    /// The runs and each cell's value in each run (`None`: a single run).
    pub repeats: Option<Repeats>,
}

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
    #[serde(default)]
    pub disturbed: Vec<bool>,
    /// Run-to-run spread per metric (`median-wall`, `throughput`, `latency-p99`,
    /// `peak-rss`): the relative interquartile range of the undisturbed runs'
    /// values, present from 3 such runs. Derived from the vectors above; stored so
    /// the file says what the check will use.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub spread: BTreeMap<String, f64>,
}

/// The load on the machine just before a run, from the pre-flight check (schema 3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Preflight {
    /// `/proc/loadavg`: 1, 5 and 15 minute load averages.
    pub load_average: [f64; 3],
    /// CPU time used by other processes over the pre-flight window, in cores
    /// (1.0 = one core busy), from `/proc/stat` minus this process.
    pub foreign_cores: f64,
    /// Length of the pre-flight window, seconds.
    pub window_s: f64,
    /// The busiest other processes over that window, busiest first.
    pub busiest: Vec<BusyProcess>,
}

/// One process seen busy by the pre-flight check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BusyProcess {
    /// Process id.
    pub pid: u32,
    /// Its command name.
    pub name: String,
    /// CPU it used over the window, in cores.
    pub cores: f64,
}

/// What the numbers depend on besides the code under test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    /// CPU model name as the OS reports it.
    pub cpu_model: String,
    /// Logical cores available to the process.
    pub logical_cores: usize,
    /// Operating system name and release.
    pub os: String,
    /// Kernel release.
    pub kernel: String,
    /// `rustc -V` of the compiler that built the binary.
    pub rustc: String,
    /// Build profile of the binary (`release` or `debug`).
    pub profile: String,
    /// Resolved versions of every runtime crate, from Cargo.lock.
    pub crate_versions: BTreeMap<String, String>,
    /// Cargo features enabled in the build.
    pub features: Vec<String>,
    /// Environment variables that change runtime behaviour, as set for the run.
    pub env: BTreeMap<String, String>,
    /// Git commit of the source tree (with `-dirty` when modified), if known.
    pub git_commit: Option<String>,
    /// The soft and hard open-file limits as found.
    pub open_files_limit: Option<[u64; 2]>,
}

/// How the run was configured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Config {
    /// `tiny`, `quick` or `full`.
    pub preset: String,
    /// Worker-thread counts requested.
    pub threads: Vec<usize>,
    /// Measured samples per cell (after the warm-up).
    pub samples: usize,
    /// Warm-up samples per cell (not in the statistics).
    pub warmup: usize,
    /// Seed of the cell-order shuffle and of the bootstrap.
    pub seed: u64,
    /// Per-cell time limit in seconds.
    pub timeout_s: f64,
    /// Runner ids selected.
    pub runners: Vec<String>,
    /// Workload ids selected.
    pub workloads: Vec<String>,
    /// The command line that reproduces the run.
    pub command: String,
    /// Requests per second of open-loop workloads, when `--rate` set it (schema 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    /// How cells chose their sample counts (schema 3; absent in older files, whose
    /// cells took exactly `samples` samples in one process).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sampling: Option<SamplingConfig>,
}

/// The sampling rule of a run (schema 3): how many samples, from how many processes,
/// what precision is aimed at, what time is allowed, and when a sample counts as
/// disturbed by other load on the machine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SamplingConfig {
    /// Fewest measured samples per cell.
    pub min_samples: usize,
    /// Most measured samples per cell.
    pub max_samples: usize,
    /// Measured samples each cell process takes (after its own warm-up).
    pub samples_per_process: usize,
    /// Fewest cell processes per cell.
    pub min_processes: usize,
    /// Target half-width of the median's interval, as a fraction of the median, for
    /// CPU-bound cells.
    pub precision_cpu: f64,
    /// The same target for I/O-bound and mixed cells.
    pub precision_other: f64,
    /// The whole run's time budget, seconds (`None`: no budget; cells stop on
    /// precision or on `max_samples`).
    pub budget_s: Option<f64>,
    /// A sample is disturbed when other processes used more than this many cores
    /// (beyond the measurement's resolution) on average over it.
    pub interference_threshold_cores: f64,
    /// How many disturbed samples a cell may re-take before it keeps them and is
    /// marked disturbed.
    pub max_retakes: usize,
}

/// A runner as run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunnerMeta {
    /// Runner id.
    pub id: String,
    /// Its class on the concurrency × parallelism grid.
    pub class: Class,
    /// Its scheduling family.
    pub family: Family,
    /// How `--threads` applies: `one` (always one thread runs tasks), `workers`
    /// (the worker count) or `per-task` (one OS thread per task).
    pub threads_knob: String,
    /// How it is built, in one line.
    pub summary: String,
    /// Its timer and I/O reactor.
    pub timer: String,
    /// The channel message-passing workloads use on it (schema 2).
    #[serde(default)]
    pub channel: String,
    /// The TCP sockets network workloads use on it (schema 2).
    #[serde(default)]
    pub net: String,
    /// Where it offloads blocking work (schema 2).
    #[serde(default)]
    pub offload: String,
    /// What a reader must know to interpret its numbers.
    pub caveats: Vec<String>,
}

/// A workload as run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkloadMeta {
    /// Workload id.
    pub id: String,
    /// CPU-bound, I/O-bound or mixed.
    pub kind: WorkloadKind,
    /// What it does, in one line.
    pub summary: String,
    /// Its size at the run's preset, in words.
    pub size: String,
    /// The shortest wall time any runner could achieve, in seconds, when the
    /// workload has one (`sleep`: one task's sleeps back to back).
    #[serde(default)]
    pub ideal_wall_s: Option<f64>,
    /// What it measures besides wall time, in the order reports show them.
    #[serde(default)]
    pub metrics: Vec<MetricMeta>,
}

/// A measure a workload reports besides wall time (schema 2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricMeta {
    /// Its key in [`Cell::metrics`] and [`Sample::metrics`].
    pub key: String,
    /// Its column header, unit included.
    pub header: String,
    /// What it means, in one line.
    pub about: String,
}

/// How a cell ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Ran every sample and verified its answer.
    Ok,
    /// Panicked, crashed, produced a wrong answer or could not start.
    Failed,
    /// Exceeded the per-cell time limit and was killed.
    Timeout,
    /// The workload does not apply to this runner; `error` says why (schema 2).
    #[serde(rename = "n/a")]
    NotApplicable,
}

impl Status {
    /// The name used in results files and reports.
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Failed => "failed",
            Status::Timeout => "timeout",
            Status::NotApplicable => "n/a",
        }
    }
}

/// One runner × workload × thread count, run in its own child process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    /// Runner id.
    pub runner: String,
    /// The runner's class on the concurrency × parallelism grid.
    pub class: Class,
    /// The runner's scheduling family.
    pub family: Family,
    /// Workload id.
    pub workload: String,
    /// Whether the workload is CPU-bound, I/O-bound or mixed.
    pub workload_kind: WorkloadKind,
    /// Worker threads the runner was given (1 for single-threaded runners).
    pub threads: usize,
    /// How the cell ended.
    pub status: Status,
    /// Why it failed or timed out.
    pub error: Option<String>,
    /// The checksum the cell produced, as `0x`-prefixed hex (exact beyond 2^53).
    pub checksum: Option<String>,
    /// The checksum the workload's parameters imply, as `0x`-prefixed hex.
    pub expected_checksum: Option<String>,
    /// Every sample's checksum matched the expected one.
    pub verified: bool,
    /// The workload parameters as run (after any subset for extrapolation).
    pub params: serde_json::Value,
    /// Set when the cell ran a subset of the work and its times were scaled.
    pub extrapolation: Option<Extrapolation>,
    /// What was changed to fit this runner or machine (e.g. a connection count capped
    /// by the open-file limit), in words (schema 2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// OS threads alive at the end of the last sample, plus threads created and
    /// joined within a sample (main thread included).
    pub os_threads: Option<usize>,
    /// Live threads by name (digits stripped), as the OS reported them.
    pub thread_names: BTreeMap<String, usize>,
    /// The warm-up sample (not used in statistics).
    pub warmup: Vec<Sample>,
    /// The measured samples.
    pub samples: Vec<Sample>,
    /// Peak resident set of the cell's process (VmHWM).
    pub peak_rss_bytes: Option<u64>,
    /// Latency percentiles of the workload's primary latency (histograms merged over
    /// the measured samples), for workloads that measure latency.
    pub latency_us: Option<Latency>,
    /// Further latencies by name (e.g. `round-trip` next to `tick-lateness`) (schema 2).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub more_latency_us: BTreeMap<String, Latency>,
    /// Operations per second (operations of a sample over its median wall time), for
    /// workloads that have a throughput.
    pub throughput_per_s: Option<f64>,
    /// The workload's own measures: the median over samples of each per-sample value,
    /// and probe values as measured (schema 2).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metrics: BTreeMap<String, f64>,
    /// Derived statistics; filled once the whole run is known (speedup needs `seq`).
    pub summary: Option<Summary>,
    /// What else ran on the machine while this cell was measured (schema 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interference: Option<Interference>,
    /// How the cell's sample count was reached (schema 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sampling: Option<Sampling>,
    /// How the process that decided the cell's status ended (schema 4; absent in
    /// older files except where loading recovers it from their error text, and
    /// when no process ran or could be waited for).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit: Option<ProcessExit>,
}

/// How a cell's process ended, as the harness saw it (schema 4). A cell that ran
/// in several processes records the one that decided its status: the first that
/// did not finish ok, else the last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessExit {
    /// The exit code, when the process exited by itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<i32>,
    /// The signal that ended it, when one did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signal: Option<i32>,
    /// The signal's name (`SIGABRT`), when it has a well-known one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signal_name: Option<String>,
    /// The harness killed it (its whole process group) for running past the cell
    /// time limit.
    #[serde(default)]
    pub timed_out: bool,
    /// It printed its cell before it ended. When false, nothing it measured
    /// reached the results: the cell holds only this record and the error.
    pub reported: bool,
}

impl ProcessExit {
    /// Whether the process died on its own before it could report its cell: a
    /// crash that took the cell with it, not a time limit.
    pub fn died(&self) -> bool {
        !self.reported && !self.timed_out
    }

    /// How it ended, in words: `exited with code 101`, `killed by signal 6
    /// (SIGABRT)`, `ended abnormally` when the OS gave neither.
    pub fn describe(&self) -> String {
        match (self.code, self.signal, &self.signal_name) {
            (Some(code), _, _) => format!("exited with code {code}"),
            (None, Some(signal), Some(name)) => format!("killed by signal {signal} ({name})"),
            (None, Some(signal), None) => format!("killed by signal {signal}"),
            (None, None, _) => "ended abnormally".to_owned(),
        }
    }
}

/// Brings a file of schema `from` up to this build's reading of it: fields added
/// since are absent and stay so, except where an older file wrote the same fact
/// another way.
///
/// Migration of old files only (schemas 1–3): their harness recorded how a dead
/// cell process ended only in the cell's error text, `cell process killed by
/// signal 6 (SIGABRT): <last stderr line>`. That text is read once here into
/// [`Cell::exit`], so nothing after loading parses error text.
pub(crate) fn migrate(results: &mut Results, from: u64) {
    if from < 4 {
        for cell in &mut results.cells {
            if cell.status == Status::Failed && cell.exit.is_none() {
                cell.exit = cell.error.as_deref().and_then(exit_from_schema_3_error);
            }
        }
    }
}

/// The [`ProcessExit`] that a schema 1–3 harness described in `error` when the
/// cell's process ended without reporting, `None` for any other error.
fn exit_from_schema_3_error(error: &str) -> Option<ProcessExit> {
    let rest = error.trim().strip_prefix("cell process ")?;
    let how = rest.split(": ").next().unwrap_or(rest).trim();
    let died = |code, signal, signal_name| ProcessExit {
        code,
        signal,
        signal_name,
        timed_out: false,
        reported: false,
    };
    if let Some(code) = how.strip_prefix("exited with code ") {
        return Some(died(Some(code.parse().ok()?), None, None));
    }
    if let Some(signal) = how.strip_prefix("killed by signal ") {
        let (number, name) = match signal.split_once(' ') {
            Some((number, name)) => (number, Some(name)),
            None => (signal, None),
        };
        let name = name
            .and_then(|n| n.strip_prefix('(')?.strip_suffix(')'))
            // That harness wrote `(signal)` for a signal it had no name for.
            .filter(|n| *n != "signal")
            .map(str::to_owned);
        return Some(died(None, Some(number.parse().ok()?), name));
    }
    (how == "ended abnormally").then(|| died(None, None, None))
}

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
        }
    }
}

/// A cell that ran part of the work and scaled its times linearly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Extrapolation {
    /// Multiply measured times by this to estimate the whole workload.
    pub factor: f64,
    /// What was run and why, in words.
    pub note: String,
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
    /// Median wall of `seq` on the same workload divided by this cell's.
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

impl Cell {
    /// `runner/workload/tN`, the cell's name in messages and tables.
    pub fn key(&self) -> String {
        format!("{}/{}/t{}", self.runner, self.workload, self.threads)
    }

    /// Measured times of this cell are scaled by this factor (1.0 when complete).
    pub fn scale(&self) -> f64 {
        self.extrapolation.as_ref().map_or(1.0, |e| e.factor)
    }

    /// The peak resident set of each of the cell's processes, bytes, in process
    /// order: from the samples' [`Sample::process_peak_rss_bytes`], or the cell's
    /// one [`Cell::peak_rss_bytes`] for files whose samples do not carry it.
    pub fn process_peaks_rss_bytes(&self) -> Vec<f64> {
        let mut by_process: BTreeMap<usize, u64> = BTreeMap::new();
        for s in &self.samples {
            if let Some(peak) = s.process_peak_rss_bytes {
                let slot = by_process.entry(s.process).or_default();
                *slot = (*slot).max(peak);
            }
        }
        if by_process.is_empty() {
            return self.peak_rss_bytes.map(|b| b as f64).into_iter().collect();
        }
        by_process.into_values().map(|b| b as f64).collect()
    }

    /// Kept out of verdicts, rankings and claims because other load on the machine
    /// disturbed some of its samples even after re-takes (schema 3). Its numbers are
    /// still shown, marked.
    pub fn disturbed(&self) -> bool {
        self.interference
            .as_ref()
            .is_some_and(|i| i.disturbed_samples > 0)
    }

    /// False for a cell whose workload does not apply to its runner
    /// ([`Status::NotApplicable`]): such a cell ran nothing, failed nothing and is
    /// left out of every comparison.
    pub fn applies(&self) -> bool {
        self.status != Status::NotApplicable
    }

    /// A numeric workload parameter as run (`params.<key>`), if the cell has it.
    pub fn param(&self, key: &str) -> Option<f64> {
        self.params.get(key)?.as_f64()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn died(code: Option<i32>, signal: Option<i32>, name: Option<&str>) -> ProcessExit {
        ProcessExit {
            code,
            signal,
            signal_name: name.map(str::to_owned),
            timed_out: false,
            reported: false,
        }
    }

    #[test]
    fn schema_3_error_text_is_read_into_the_exit() {
        let read = exit_from_schema_3_error;
        assert_eq!(
            read("cell process killed by signal 6 (SIGABRT): crash-abort: job 4 aborts"),
            Some(died(None, Some(6), Some("SIGABRT")))
        );
        assert_eq!(
            read("cell process killed by signal 15 (signal)"),
            Some(died(None, Some(15), None))
        );
        assert_eq!(
            read("cell process exited with code 101: thread 'main' panicked"),
            Some(died(Some(101), None, None))
        );
        assert_eq!(
            read("cell process ended abnormally"),
            Some(died(None, None, None))
        );
        assert_eq!(read("cannot start the cell process: no such file"), None);
        assert_eq!(read("panicked at src/lib.rs:1: boom"), None);
    }

    #[test]
    fn an_exit_describes_itself_as_the_old_harness_did() {
        for text in [
            "killed by signal 6 (SIGABRT)",
            "exited with code 134",
            "ended abnormally",
        ] {
            let exit = exit_from_schema_3_error(&format!("cell process {text}: last line"));
            assert_eq!(exit.unwrap().describe(), text);
        }
    }

    #[test]
    fn only_old_files_are_migrated() {
        let text = include_str!("../tests/fixtures/results-claims.json");
        let mut results: Results = serde_json::from_str(text).unwrap();
        migrate(&mut results, u64::from(SCHEMA_VERSION));
        assert!(results.cells.iter().all(|c| c.exit.is_none()));
        migrate(&mut results, 2);
        let died: Vec<&Cell> = results.cells.iter().filter(|c| c.exit.is_some()).collect();
        assert_eq!(died.len(), 8);
        assert!(died.iter().all(|c| c.exit.as_ref().unwrap().died()));
    }
}

//! The results file: rtcompare's public contract between a run and everything
//! rendered from it (reports, regression checks). Versioned by [`SCHEMA_VERSION`];
//! documented field by field in `docs/results-schema.md`.
//!
//! The types live in submodules by what they describe, all re-exported here
//! (`crate::model::Cell`, and through the crate root `crate::Cell`): the run and
//! its machine and configuration here, a baseline's repeated runs in `repeats`,
//! one cell and how it ended in `cell`, its samples and what is derived from them
//! in `sample`, and the reading of older schemas in `migrate`.

use rtcompare_api::{Class, Family, WorkloadKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod cell;
mod load;
mod migrate;
mod repeats;
mod sample;
#[cfg(test)]
mod tests;

pub use cell::{Cell, Extrapolation, ProcessExit, Status};
pub use load::{Load, LoadStep};
pub(crate) use migrate::migrate;
pub use repeats::{CellRepeats, RepeatRun, Repeats};
pub use sample::{Interference, Latency, Sample, Sampling, StopReason, Summary};

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = 8;

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
    /// Resolved versions of every runtime crate, from the `Cargo.lock` of the
    /// workspace that built the binary, and (schema 8) the version of the outside
    /// crate that added runners or workloads to it.
    pub crate_versions: BTreeMap<String, String>,
    /// Cargo features enabled in the build.
    pub features: Vec<String>,
    /// Environment variables that change runtime behaviour, as set for the run.
    pub env: BTreeMap<String, String>,
    /// Git commit of the source tree (with `-dirty` when modified), if known.
    pub git_commit: Option<String>,
    /// The soft and hard open-file limits as found.
    pub open_files_limit: Option<[u64; 2]>,
    /// The interpreters the CPython runners would run on, by the command that found
    /// them (`python3`, `python3.13t`): implementation, version and whether its GIL
    /// is enabled, e.g. `CPython 3.11.7, GIL enabled` (schema 7). Empty when none
    /// was found or none was asked for.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub interpreters: BTreeMap<String, String>,
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
    /// Requests per second of open-loop workloads, when `--rate` set it (schema 2
    /// to 4; schema 5 writes `network.rates`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    /// How network workloads were driven (schema 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<NetworkConfig>,
    /// How cells chose their sample counts (schema 3; absent in older files, whose
    /// cells took exactly `samples` samples in one process).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sampling: Option<SamplingConfig>,
}

/// How the external load generator drove the network workloads (schema 5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkConfig {
    /// The offered rates of `tcp-echo-open`, when `--rates` set them (else each
    /// preset's ladder, recorded in the cells' params).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rates: Option<Vec<f64>>,
    /// The generator's event-loop threads (`--loadgen-threads`).
    pub loadgen_threads: usize,
    /// Whether `--pin` put the generator and the server on separate CPUs.
    pub pin: bool,
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
    /// The runner its speedups are taken against, when not `seq` (schema 7): a
    /// runner whose work runs in an interpreter runs the workloads at its own size
    /// (the params record it), so it is compared only with the runners that share
    /// its baseline, never with the Rust runners.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<String>,
    /// The outside crate that added this runner to the binary that ran it
    /// (schema 8); absent for rtcompare's built-in runners.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
}

/// The crate that added a runner or workload to an rtcompare binary through
/// `rtcompare::main_with` (schema 8): not one of rtcompare's own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// The crate's name, as its `Cargo.toml` gives it.
    #[serde(rename = "crate")]
    pub crate_name: String,
    /// The crate's version.
    pub version: String,
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
    /// The outside crate that added this workload to the binary that ran it
    /// (schema 8); absent for rtcompare's built-in workloads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
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

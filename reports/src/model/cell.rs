//! One cell of the matrix (runner × workload × thread count): how it ended, what
//! it measured, and how its process exited.

use super::{Interference, Latency, Load, Sample, Sampling, Summary};
use rtcompare_api::{Class, Family, WorkloadKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
    /// The I/O driver a thread-per-core runner's runtimes actually ran on
    /// (`io_uring`, `epoll`...), read from the runtime (schema 6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub io_driver: Option<String>,
    /// The interpreter a CPython runner's cell ran in, as it described itself
    /// (`CPython 3.11.7, GIL enabled`), read from the interpreter that ran (schema 7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interpreter: Option<String>,
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
    /// Network cells: the external load generator's placement and one result per
    /// step of its plan (schema 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load: Option<Load>,
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

/// A cell that ran part of the work and scaled its times linearly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Extrapolation {
    /// Multiply measured times by this to estimate the whole workload.
    pub factor: f64,
    /// What was run and why, in words.
    pub note: String,
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

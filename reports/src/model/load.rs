//! What the external load generator and the server measured in a network cell
//! (schema 5): where each ran, and one result per step of the generator's plan
//! (one step for a closed loop; one per offered rate or connection count in a sweep).

use super::Latency;
use serde::{Deserialize, Serialize};

/// A network cell's load: the generator's placement and its steps (schema 5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Load {
    /// Event-loop threads of the load generator (`--loadgen-threads`).
    pub generator_threads: usize,
    /// Whether `--pin` placed the generator and the server on separate CPUs.
    pub pinned: bool,
    /// CPUs the generator's threads were seen on, over every sample.
    pub generator_cpus: Vec<u32>,
    /// CPUs the server's (the cell process's) threads were seen on, over every sample.
    pub server_cpus: Vec<u32>,
    /// One result per step of the plan, in the order they ran.
    pub steps: Vec<LoadStep>,
}

/// One step of the plan, over every measured sample of the cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoadStep {
    /// Connections open in the step.
    pub connections: usize,
    /// Requests per second the generator offered (open loop); `None` for a closed
    /// loop, which sends each request when the previous reply arrives.
    pub offered_rate_per_s: Option<f64>,
    /// Requests per second served: requests over the step's wall time, all samples
    /// together.
    pub achieved_rate_per_s: f64,
    /// Requests per sample in this step.
    pub requests: u64,
    /// Latency over every sample of the step (histograms merged): from the intended
    /// send time in an open loop, from the actual send in a closed loop.
    pub latency_us: Latency,
    /// The server's CPU time (user + system, every thread and worker process of the
    /// cell, the generator excluded) per request, microseconds.
    pub server_cpu_us_per_request: f64,
    /// The generator's CPU time per request, microseconds.
    pub generator_cpu_us_per_request: f64,
    /// The server's CPU time over the step's wall time: cores it kept busy.
    pub server_cores: f64,
    /// The generator's CPU time over the step's wall time: cores it took from the
    /// machine, beside every throughput figure on a small machine.
    pub generator_cores: f64,
    /// Samples in which the generator, not the server, limited the step (it fell
    /// behind its own schedule or saturated its CPU).
    #[serde(default)]
    pub generator_behind_samples: usize,
    /// Why, in the generator's words, for the first such sample.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generator_behind: Option<String>,
    /// Growth of the server's resident set while every connection of the step was
    /// open, per connection, bytes (median over samples); `None` where the server
    /// never holds them all at once (a pool narrower than the connection count).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rss_per_connection_bytes: Option<f64>,
}

impl LoadStep {
    /// Whether the server kept up with the offered rate: it served at least 95%
    /// of it. Always true for a closed loop, which offers what the server takes.
    pub fn kept_up(&self) -> bool {
        self.offered_rate_per_s
            .is_none_or(|offered| self.achieved_rate_per_s >= 0.95 * offered)
    }
}

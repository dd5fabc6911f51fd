//! The harness's side of a network cell: setting up its session (the listener and
//! the external load generator, placed on CPUs as `--pin` says) before the runner is
//! built, the CPU clocks that tell the server's time from the generator's, and the
//! accumulation of the generator's steps over samples and processes into the cell's
//! [`Load`] record.

use crate::histograms::{histogram_buckets, histogram_from_buckets, latency};
use rtcompare_api::LoadStep;
use rtcompare_loadgen::Options;
use rtcompare_reports::{Load, LoadStep as StepRecord};
use rtcompare_workloads::net::{self, Session};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// How the external load generator drives the network workloads: the same for every
/// cell of a run, passed to each cell process on its command line.
#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    /// Offered rates of the open-loop workload (`--rates`); `None`: each preset's
    /// ladder.
    pub rates: Option<Vec<f64>>,
    /// The generator's event-loop threads (`--loadgen-threads`).
    pub loadgen_threads: usize,
    /// Generator on the last allowed CPU, server on the others (`--pin`).
    pub pin: bool,
}

impl Default for Network {
    fn default() -> Self {
        Network {
            rates: None,
            loadgen_threads: 1,
            pin: false,
        }
    }
}

impl Network {
    /// How a results file's run drove its network cells (older files: `--rate`, one
    /// generator thread, unpinned), so a check re-runs them alike.
    pub fn of(config: &rtcompare_reports::Config) -> Network {
        match &config.network {
            Some(n) => Network {
                rates: n.rates.clone(),
                loadgen_threads: n.loadgen_threads.max(1),
                pin: n.pin,
            },
            None => Network {
                rates: config.rate.map(|r| vec![r]),
                ..Network::default()
            },
        }
    }

    /// The flags that set this up, for a reproducing command line.
    pub fn flags(&self) -> Vec<String> {
        let mut flags = Vec::new();
        if let Some(rates) = &self.rates {
            let list: Vec<String> = rates.iter().map(f64::to_string).collect();
            flags.push(format!("--rates={}", list.join(",")));
        }
        if self.loadgen_threads != 1 {
            flags.push(format!("--loadgen-threads={}", self.loadgen_threads));
        }
        if self.pin {
            flags.push("--pin".to_owned());
        }
        flags
    }

    /// As recorded in the results file.
    pub fn config(&self) -> rtcompare_reports::NetworkConfig {
        rtcompare_reports::NetworkConfig {
            rates: self.rates.clone(),
            loadgen_threads: self.loadgen_threads,
            pin: self.pin,
        }
    }
}

/// Sets up the cell's network session: with `pin`, the generator on the last CPU
/// this process may use and the cell on the others (both keep every CPU when only
/// one is allowed). Before the runner exists, so its threads and worker processes
/// inherit the placement and the listener.
pub fn install_for_cell(loadgen_threads: usize, pin: bool) -> Result<(), String> {
    let allowed = rtcompare_loadgen::process::cpus_allowed();
    let generator_cpus = match (pin, allowed.split_last()) {
        (true, Some((&last, rest))) if !rest.is_empty() => {
            rtcompare_loadgen::process::pin_current_process(rest)
                .map_err(|e| format!("--pin: cannot place the server on CPUs {rest:?}: {e}"))?;
            Some(vec![last])
        }
        _ => None,
    };
    let exe = std::env::current_exe()
        .map_err(|e| format!("cannot find this binary to start the load generator: {e}"))?;
    let options = Options {
        threads: loadgen_threads,
        cpus: generator_cpus,
    };
    let session = Session::for_cell(&exe, options, server_cpu_s).map_err(|e| e.to_string())?;
    net::install(session)
}

/// Sets up a `processes` worker's session: the cell's listener, inherited.
pub fn install_for_worker() -> Result<(), String> {
    let session = Session::for_worker(server_cpu_s).map_err(|e| e.to_string())?;
    net::install(session)
}

/// The server's CPU time so far, seconds: this process, its reaped children and its
/// live worker processes, the generator excluded. Read twice per step inside the timed
/// region, so it costs a few system calls, never a scan of `/proc`: the workers are
/// listed once, at the first reading (a `processes` pool starts them with the runner,
/// before any body runs), and each is read through its CPU clock.
pub fn server_cpu_s() -> f64 {
    static WORKERS: std::sync::OnceLock<Vec<u32>> = std::sync::OnceLock::new();
    let workers = WORKERS.get_or_init(|| {
        let generator = generator_pid();
        rtcompare_api::child_pids(std::process::id())
            .into_iter()
            .filter(|&pid| Some(pid) != generator)
            .collect()
    });
    let live_ns: u64 = workers
        .iter()
        .filter_map(|&pid| crate::measure::process_cpu_ns(pid))
        .sum();
    crate::measure::Usage::now().cpu_s()
        + crate::measure::reaped_children_cpu_s()
        + live_ns as f64 / 1e9
}

/// The load generator's process id; `None` outside a network cell.
pub fn generator_pid() -> Option<u32> {
    net::try_session().and_then(Session::generator_pid)
}

/// The generator's CPU time so far, seconds; `None` outside a network cell.
pub fn generator_cpu_s() -> Option<f64> {
    Some(crate::measure::process_cpu_ns(generator_pid()?)? as f64 / 1e9)
}

/// CPUs this process's threads last ran on (`/proc/self/task/*/stat`, field 39).
pub fn server_cpus() -> BTreeSet<u32> {
    let mut cpus = BTreeSet::new();
    for task in std::fs::read_dir("/proc/self/task")
        .into_iter()
        .flatten()
        .flatten()
    {
        let Ok(stat) = std::fs::read_to_string(task.path().join("stat")) else {
            continue; // the thread ended while we looked
        };
        // Fields after the command name's last `)`: state is field 3, processor 39.
        let cpu = stat.rfind(')').and_then(|end| {
            stat[end + 1..]
                .split_whitespace()
                .nth(36)?
                .parse::<u32>()
                .ok()
        });
        cpus.extend(cpu);
    }
    cpus
}

/// One step's sums over samples (and processes): what [`StepRecord`] is derived from.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct StepSums {
    connections: usize,
    offered_rate_per_s: Option<f64>,
    requests_per_sample: u64,
    samples: usize,
    requests: u64,
    wall_s: f64,
    server_cpu_s: f64,
    generator_cpu_s: f64,
    behind_samples: usize,
    behind: Option<String>,
    rss_per_connection: Vec<f64>,
    latency_ns: Vec<[u64; 2]>,
}

/// A cell's load record while samples come in: sums per step, histograms merged,
/// CPUs seen. Travels from the cell process to the parent inside the cell's report,
/// so several processes' records merge before anything is derived from them.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LoadSums {
    generator_threads: usize,
    pinned: bool,
    generator_cpus: BTreeSet<u32>,
    server_cpus: BTreeSet<u32>,
    steps: Vec<StepSums>,
}

impl LoadSums {
    /// An empty record for a generator with `generator_threads` threads.
    pub fn new(generator_threads: usize, pinned: bool) -> LoadSums {
        LoadSums {
            generator_threads,
            pinned,
            ..LoadSums::default()
        }
    }

    /// One sum per step of the plan `steps` came from, made at the first run.
    fn ensure_steps(&mut self, steps: &[LoadStep]) {
        if self.steps.is_empty() {
            self.steps = steps
                .iter()
                .map(|s| StepSums {
                    connections: s.connections,
                    offered_rate_per_s: s.offered_rate_per_s,
                    requests_per_sample: s.requests,
                    ..StepSums::default()
                })
                .collect();
        }
    }

    /// Adds the memory per connection a run measured: the server reads it only in
    /// its process's first run (the warm-up), on a fresh heap.
    pub fn add_memory(&mut self, steps: &[LoadStep]) {
        self.ensure_steps(steps);
        for (sums, step) in self.steps.iter_mut().zip(steps) {
            sums.rss_per_connection
                .extend(step.rss_per_connection_bytes);
        }
    }

    /// Adds one measured sample's steps and the server CPUs seen after it.
    pub fn add_sample(&mut self, steps: &[LoadStep], server_cpus: BTreeSet<u32>) {
        self.ensure_steps(steps);
        self.server_cpus.extend(server_cpus);
        for (sums, step) in self.steps.iter_mut().zip(steps) {
            sums.samples += 1;
            sums.requests += step.requests;
            sums.wall_s += step.wall_s;
            sums.server_cpu_s += step.server_cpu_s;
            sums.generator_cpu_s += step.generator_cpu_s;
            if step.generator_behind.is_some() {
                sums.behind_samples += 1;
                sums.behind = sums.behind.take().or(step.generator_behind.clone());
            }
            let mut merged = histogram_from_buckets(&sums.latency_ns);
            merged
                .add(&step.latency)
                .expect("auto-resizing histograms merge");
            sums.latency_ns = histogram_buckets(&merged);
            self.generator_cpus
                .extend(step.generator_cpus.iter().copied());
        }
    }

    /// Folds in another process's record of the same cell.
    pub fn merge(&mut self, other: LoadSums) {
        if self.steps.is_empty() {
            *self = other;
            return;
        }
        self.generator_cpus.extend(other.generator_cpus);
        self.server_cpus.extend(other.server_cpus);
        for (mine, theirs) in self.steps.iter_mut().zip(other.steps) {
            mine.samples += theirs.samples;
            mine.requests += theirs.requests;
            mine.wall_s += theirs.wall_s;
            mine.server_cpu_s += theirs.server_cpu_s;
            mine.generator_cpu_s += theirs.generator_cpu_s;
            mine.behind_samples += theirs.behind_samples;
            mine.behind = mine.behind.take().or(theirs.behind);
            mine.rss_per_connection.extend(theirs.rss_per_connection);
            let mut merged = histogram_from_buckets(&mine.latency_ns);
            merged
                .add(histogram_from_buckets(&theirs.latency_ns))
                .expect("auto-resizing histograms merge");
            mine.latency_ns = histogram_buckets(&merged);
        }
    }

    /// The cell's load record; `None` before any sample.
    pub fn finish(&self) -> Option<Load> {
        if self.steps.iter().all(|s| s.samples == 0) {
            return None;
        }
        let per = |total: f64, n: u64| if n == 0 { 0.0 } else { total / n as f64 };
        let over = |total: f64, wall: f64| if wall > 0.0 { total / wall } else { 0.0 };
        let steps = self
            .steps
            .iter()
            .map(|s| StepRecord {
                connections: s.connections,
                offered_rate_per_s: s.offered_rate_per_s,
                achieved_rate_per_s: over(s.requests as f64, s.wall_s),
                requests: s.requests_per_sample,
                latency_us: latency(&histogram_from_buckets(&s.latency_ns)),
                server_cpu_us_per_request: per(s.server_cpu_s * 1e6, s.requests),
                generator_cpu_us_per_request: per(s.generator_cpu_s * 1e6, s.requests),
                server_cores: over(s.server_cpu_s, s.wall_s),
                generator_cores: over(s.generator_cpu_s, s.wall_s),
                generator_behind_samples: s.behind_samples,
                generator_behind: s.behind.clone(),
                rss_per_connection_bytes: median(&s.rss_per_connection),
            })
            .collect();
        Some(Load {
            generator_threads: self.generator_threads,
            pinned: self.pinned,
            generator_cpus: self.generator_cpus.iter().copied().collect(),
            server_cpus: self.server_cpus.iter().copied().collect(),
            steps,
        })
    }
}

fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

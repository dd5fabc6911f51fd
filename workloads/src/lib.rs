//! rtcompare's workloads, and the [`Workload`] trait an outside crate implements to
//! add its own. A workload is one type: its parameters per preset, one async body
//! (generic over [`AsyncRuntime`], so every async runner runs the same code with its
//! own spawn, timer and reactor), one blocking body (run by a [`Strategy`]), and the
//! checksum every runner must reproduce, computed without running either body.
//! Workloads never name a runner. A built-in workload is one file and one line in
//! this crate's registry ([`BuiltIn`], [`ALL`]); an outside crate adds its own to a
//! set with [`With`] (through `rtcompare::Suite::workload`).
//!
//! A workload of an outside crate: chunks of the shared CPU [`kernel`], one task or
//! job per chunk, whose checksum the kernel's jump-ahead gives without running it.
//! Here its blocking body runs on the simplest [`Strategy`], one job after another
//! on the calling thread, and must reproduce [`Workload::expected`]:
//!
//! ```
//! use rtcompare_api::{AsyncRuntime, Concurrency, Job, Outcome, Strategy, WorkloadKind};
//! use rtcompare_workloads::{BuiltIn, Preset, With, Workload, Workloads, kernel};
//!
//! #[derive(Clone, serde::Serialize)]
//! struct Params {
//!     chunks: u64,
//!     steps: u64,
//! }
//!
//! struct Spin;
//!
//! impl Workload for Spin {
//!     const ID: &'static str = "spin";
//!     const KIND: WorkloadKind = WorkloadKind::Cpu;
//!     const SUMMARY: &'static str = "independent chunks of the CPU kernel";
//!     type Params = Params;
//!
//!     fn params(preset: Preset) -> Params {
//!         let steps = match preset {
//!             Preset::Tiny => 1_000,
//!             Preset::Quick => 1_000_000,
//!             Preset::Full => 20_000_000,
//!         };
//!         Params { chunks: 8, steps }
//!     }
//!
//!     fn describe(p: &Params) -> String {
//!         format!("{} chunks of {} steps", p.chunks, p.steps)
//!     }
//!
//!     fn expected(p: &Params) -> u64 {
//!         (0..p.chunks).fold(0, |sum, i| {
//!             sum.wrapping_add(kernel::contribution(i, kernel::jump(kernel::seed(i), p.steps)))
//!         })
//!     }
//!
//!     async fn run_async<R: AsyncRuntime>(runtime: R, p: Params) -> Outcome {
//!         let tasks: Vec<_> = (0..p.chunks)
//!             .map(|i| {
//!                 let steps = p.steps;
//!                 runtime.spawn(async move {
//!                     kernel::contribution(i, kernel::spin(kernel::seed(i), steps))
//!                 })
//!             })
//!             .collect();
//!         let mut sum = 0u64;
//!         for task in tasks {
//!             sum = sum.wrapping_add(task.await);
//!         }
//!         Outcome::new(sum)
//!     }
//!
//!     fn run_blocking(strategy: &dyn Strategy, p: &Params) -> Outcome {
//!         let job = |i: usize| {
//!             let i = i as u64;
//!             kernel::contribution(i, kernel::spin(kernel::seed(i), p.steps))
//!         };
//!         Outcome::new(strategy.run(p.chunks as usize, &job))
//!     }
//! }
//!
//! /// One job after another on the calling thread.
//! struct InOrder;
//!
//! impl Strategy for InOrder {
//!     fn concurrency(&self) -> Concurrency {
//!         Concurrency::Bounded(1)
//!     }
//!
//!     fn run(&self, jobs: usize, job: Job<'_>) -> u64 {
//!         (0..jobs).fold(0, |sum, i| sum.wrapping_add(job(i)))
//!     }
//! }
//!
//! let params = Spin::params(Preset::Tiny);
//! let outcome = Spin::run_blocking(&InOrder, &params);
//! assert_eq!(outcome.checksum, Spin::expected(&params));
//!
//! // Added after the built-in workloads, as `rtcompare::Suite::workload` adds it.
//! let infos = <With<BuiltIn, Spin> as Workloads>::infos();
//! assert_eq!(infos.last().map(|w| w.id), Some("spin"));
//! assert_eq!((infos.last().unwrap().describe)(Preset::Tiny), "8 chunks of 1000 steps");
//! ```
#![warn(missing_docs, rust_2018_idioms)]

pub mod channels;
pub mod chunks;
pub mod cpu;
pub mod cpu_skewed;
pub mod crash;
pub mod fork_join;
pub mod kernel;
pub mod mixed;
pub mod net;
pub mod shared_state;
pub mod sleep;
pub mod spawn;
pub mod tcp_echo;
pub mod timer;

use rtcompare_api::{
    AddressSpace, AsyncRuntime, Concurrency, Nesting, Outcome, ScriptJob, Spawns, Strategy, Waits,
    WorkloadKind,
};
use serde::Serialize;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::str::FromStr;
use std::time::Duration;

/// A sample size: `tiny` for tests, `quick` for every run (the default), `full` for scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    /// Milliseconds per cell; for tests and smoke checks.
    Tiny,
    /// Samples of tens of milliseconds (about 0.15 s of sequential CPU work per CPU
    /// workload): the default, where precision comes from more samples.
    Quick,
    /// Large samples, about three seconds of sequential CPU work per CPU workload, for
    /// scale.
    Full,
}

impl Preset {
    /// Every preset, smallest first.
    pub const ALL: [Preset; 3] = [Preset::Tiny, Preset::Quick, Preset::Full];

    /// The preset's name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Preset::Tiny => "tiny",
            Preset::Quick => "quick",
            Preset::Full => "full",
        }
    }

    /// Longest time a blocking runner that cannot overlap a workload's waits may
    /// spend on one sample before the workload runs a subset and extrapolates.
    pub const fn blocking_budget(self) -> Duration {
        match self {
            Preset::Tiny => Duration::from_millis(200),
            Preset::Quick => Duration::from_millis(200),
            Preset::Full => Duration::from_secs(2),
        }
    }
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Preset {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Preset::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| format!("unknown preset '{s}' (valid: tiny, quick, full)"))
    }
}

/// Parameters fitted to a runner, with the scale factor when only a subset runs.
#[derive(Debug, Clone)]
pub struct Fitted<P> {
    /// What will actually run.
    pub params: P,
    /// `Some((factor, note))` when the run is a subset whose times are scaled by
    /// `factor` to estimate the whole workload.
    pub extrapolation: Option<(f64, String)>,
    /// What was changed to fit this runner or machine (a capped connection count, a
    /// raised cutoff), in words, for the results and the report.
    pub notes: Vec<String>,
}

impl<P> Fitted<P> {
    /// `params` unchanged: the whole workload runs.
    pub fn all(params: P) -> Self {
        Fitted {
            params,
            extrapolation: None,
            notes: Vec::new(),
        }
    }
}

/// What a workload may know about the runner and machine it is fitted to.
#[derive(Debug, Clone, Copy)]
pub struct FitContext {
    /// `None` for async runners; the strategy's limit for blocking ones.
    pub concurrency: Option<Concurrency>,
    /// `None` for async runners; how the strategy's `join` runs for blocking ones.
    pub nesting: Option<Nesting>,
    /// `None` for async runners; whether a blocking strategy's jobs share memory.
    pub address_space: Option<AddressSpace>,
    /// `None` for async runners; the fresh unit per job a blocking strategy can
    /// create (`Strategy::spawns`), if any.
    pub spawns: Option<Spawns>,
    /// `None` for async runners; which blocking calls leave a blocking strategy's
    /// other jobs free to run (`Strategy::waits`).
    pub waits: Option<Waits>,
    /// Longest a blocking runner that cannot overlap the waits may spend on a sample
    /// before the workload runs a subset and extrapolates.
    pub budget: Duration,
    /// The cell process's soft open-file limit (already raised to the hard limit).
    pub open_files: Option<u64>,
    /// The preset the parameters came from.
    pub preset: Preset,
    /// Offered rates, requests per second, for open-loop workloads (`--rates`), if
    /// given.
    pub rates: Option<&'static [f64]>,
    /// `Some(N)` on a thread-per-core runner of N cores, each running a share of
    /// the work ([`Workload::shares`]); `None` elsewhere.
    pub cores: Option<usize>,
    /// Whether the work runs as a script body in an interpreter
    /// ([`Workload::script`]), where a step of work costs about a hundred times a
    /// compiled one, so CPU workloads run fewer steps there.
    pub script: bool,
}

impl FitContext {
    /// An async runner's context: no concurrency limit, nothing known of the machine.
    pub fn for_async(preset: Preset) -> Self {
        FitContext {
            concurrency: None,
            nesting: None,
            address_space: None,
            spawns: None,
            waits: None,
            budget: preset.blocking_budget(),
            open_files: None,
            preset,
            rates: None,
            cores: None,
            script: false,
        }
    }
}

/// A measure a workload reports besides wall time, declared so reports can show it
/// without knowing the workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Metric {
    /// Its key in [`Outcome::metrics`](rtcompare_api::Outcome) and in results.
    pub key: &'static str,
    /// Its column header, unit included (`ns/task`).
    pub header: &'static str,
    /// What it means, in one line.
    pub about: &'static str,
}

/// One workload, written once for every runner.
pub trait Workload: 'static {
    /// The id used on the command line and in results.
    const ID: &'static str;
    /// CPU-bound, I/O-bound or mixed.
    const KIND: WorkloadKind;
    /// One line on what it does.
    const SUMMARY: &'static str;

    /// Run only when named (or with `compare --crash`), never by default: the crash
    /// demonstrations, whose failing cells are the point.
    const OPT_IN: bool = false;

    /// Served to the external load generator over the cell's listener
    /// ([`net::Session`]), which the harness sets up before building the runner.
    const NETWORK: bool = false;

    /// Its parameters, recorded in the results as run.
    type Params: Clone + Send + Sync + Serialize + 'static;

    /// The parameters of a preset.
    fn params(preset: Preset) -> Self::Params;

    /// The size of `params`, in words (for `list` and reports).
    fn describe(params: &Self::Params) -> String;

    /// What it measures besides wall time (per-sample values are summarised by their
    /// median; a probe's values are taken as they are).
    const METRICS: &'static [Metric] = &[];

    /// Fits `params` to a runner and machine: a blocking run that would exceed the
    /// budget runs a subset and says by how much to scale; a count over a limit is
    /// capped and noted. `Err(reason)` when the workload cannot apply to this runner
    /// (the cell is recorded as n/a with the reason). The default runs everything.
    fn fit(params: Self::Params, _context: &FitContext) -> Result<Fitted<Self::Params>, String> {
        Ok(Fitted::all(params))
    }

    /// Whether `--rates` (FitContext::rates) sets how fast it sends: open-loop workloads.
    fn takes_rate() -> bool {
        false
    }

    /// Parameters of an untimed probe run taken once before the warm-up, whose
    /// metrics are recorded as they are (e.g. memory per live task, measured on a
    /// fresh heap). The default takes none.
    fn probe(_params: &Self::Params) -> Option<Self::Params> {
        None
    }

    /// The checksum a correct run of `params` produces, computed independently of
    /// any runner.
    fn expected(params: &Self::Params) -> u64;

    /// The async body: spawns its tasks from inside the runtime and awaits them all.
    fn run_async<R: AsyncRuntime>(
        runtime: R,
        params: Self::Params,
    ) -> impl Future<Output = Outcome> + Send + 'static;

    /// The blocking body, executed by `strategy`.
    fn run_blocking(strategy: &dyn Strategy, params: &Self::Params) -> Outcome;

    /// Splits `params` into one share per core for a thread-per-core runner: share
    /// `i` runs as the root of the async body on core `i`, spawning only there, and
    /// the shares' outcomes [`merge`](Workload::merge) into the whole's (their
    /// checksums sum to [`expected`](Workload::expected)). Called once per sample,
    /// so shares may carry state the cores of one sample coordinate through.
    /// `Err(reason)` where the work has no per-core share (the cell is n/a). The
    /// default has none.
    fn shares(_params: &Self::Params, _cores: usize) -> Result<Vec<Self::Params>, String> {
        Err(NO_SHARES.into())
    }

    /// The whole run's outcome from its shares' (in core order). The default sums
    /// checksums and operations, merges histograms by name, keeps every share's load
    /// steps, and averages each measure over the shares that report it.
    fn merge(_params: &Self::Params, shares: Vec<Outcome>) -> Outcome {
        merge_shares(shares)
    }

    /// The work of `params` as jobs an interpreter in another process can run (the
    /// CPython runners): described by value, in the order
    /// [`script_outcome`](Workload::script_outcome) reads their results.
    /// `Err(reason)` where the work cannot be said that way (the cell is n/a). The
    /// default has none.
    fn script(_params: &Self::Params) -> Result<Vec<ScriptJob>, String> {
        Err(NO_SCRIPT.into())
    }

    /// The outcome of a run from its script jobs' results (one per job, in order),
    /// each checked against what `params` imply: `Err` names the first result that
    /// is wrong, so an interpreter that did other work fails loudly.
    fn script_outcome(_params: &Self::Params, _results: &[u64]) -> Result<Outcome, String> {
        Err(NO_SCRIPT.into())
    }

    /// The shortest wall time any runner could achieve on `params`, where the
    /// workload has such a floor (waits that cannot be shortened).
    fn ideal_wall(_params: &Self::Params) -> Option<Duration> {
        None
    }

    /// Checks what a checksum cannot: e.g. that timers did not fire early.
    fn check_sample(_params: &Self::Params, _wall: Duration) -> Result<(), String> {
        Ok(())
    }
}

/// Why a workload without [`Workload::shares`] is n/a on thread-per-core runners.
pub const NO_SHARES: &str = "has no per-core share: its work is one piece that every core would \
     have to reach (thread-per-core runtimes share nothing)";

/// Why a workload without [`Workload::script`] is n/a on the interpreter runners.
pub const NO_SCRIPT: &str = "has no script body: the interpreter runners run only the CPU kernel's \
     chunks and timed sleeps, work that can be described to another language by value";

/// The default [`Workload::merge`]: checksums summed (wrapping), operations summed,
/// histograms merged by name (in first-seen order), load steps kept, and each
/// measure averaged over the shares that report it.
pub fn merge_shares(shares: Vec<Outcome>) -> Outcome {
    let mut merged = Outcome::default();
    let mut metrics: Vec<(&'static str, f64, usize)> = Vec::new();
    for share in shares {
        merged.checksum = merged.checksum.wrapping_add(share.checksum);
        if let Some(ops) = share.ops {
            merged.ops = Some(merged.ops.unwrap_or(0) + ops);
        }
        for (name, histogram) in share.latencies {
            match merged.latencies.iter_mut().find(|(n, _)| *n == name) {
                Some((_, into)) => into
                    .add(&histogram)
                    .expect("auto-resizing histograms merge"),
                None => merged.latencies.push((name, histogram)),
            }
        }
        for (key, value) in share.metrics {
            match metrics.iter_mut().find(|(k, _, _)| *k == key) {
                Some((_, sum, n)) => {
                    *sum += value;
                    *n += 1;
                }
                None => metrics.push((key, value, 1)),
            }
        }
        merged.load_steps.extend(share.load_steps);
    }
    merged.metrics = metrics
        .into_iter()
        .map(|(key, sum, n)| (key, sum / n as f64))
        .collect();
    merged
}

/// [`merge_shares`], with each measure in `totals` summed over the shares instead of
/// averaged: counts (subtasks, ticks) and rates that add up across cores.
pub fn merge_summing(shares: Vec<Outcome>, totals: &[&str]) -> Outcome {
    let sums: Vec<f64> = totals
        .iter()
        .map(|key| {
            shares
                .iter()
                .flat_map(|outcome| &outcome.metrics)
                .filter(|(k, _)| k == key)
                .map(|(_, value)| value)
                .sum()
        })
        .collect();
    let mut merged = merge_shares(shares);
    for (key, value) in &mut merged.metrics {
        if let Some(i) = totals.iter().position(|k| k == key) {
            *value = sums[i];
        }
    }
    merged
}

/// [`merge_shares`], with the per-unit time `key` taken the way the root's own clock
/// takes it on other runners: the slowest core's span over all `total` units (each
/// share reports its span divided by its own `units(core)`).
pub fn merge_slowest_per_unit(
    shares: Vec<Outcome>,
    key: &'static str,
    units: impl Fn(usize) -> u64,
    total: u64,
) -> Outcome {
    let slowest_span = shares
        .iter()
        .enumerate()
        .filter_map(|(core, outcome)| {
            let per_unit = outcome.metrics.iter().find(|(k, _)| *k == key)?.1;
            Some(per_unit * units(core).max(1) as f64)
        })
        .reduce(f64::max);
    let mut merged = merge_shares(shares);
    if let Some(span) = slowest_span {
        merged.metrics.retain(|(k, _)| *k != key);
        merged.metrics.push((key, span / total.max(1) as f64));
    }
    merged
}

/// What `rtcompare list` shows of a workload.
#[derive(Debug, Clone, Copy)]
pub struct WorkloadInfo {
    /// Its id.
    pub id: &'static str,
    /// Its kind.
    pub kind: WorkloadKind,
    /// One line on what it does.
    pub summary: &'static str,
    /// Its size at a preset, in words.
    pub describe: fn(Preset) -> String,
    /// Its ideal wall time at a preset, if it has one.
    pub ideal_wall: fn(Preset) -> Option<Duration>,
    /// What it measures besides wall time.
    pub metrics: &'static [Metric],
    /// Whether `--rates` applies to it.
    pub takes_rate: fn() -> bool,
    /// Whether it is served to the external load generator ([`Workload::NETWORK`]).
    pub network: bool,
    /// Whether it runs only when named ([`Workload::OPT_IN`]).
    pub opt_in: bool,
}

/// Receives the workload type chosen by id.
pub trait WorkloadVisitor {
    /// What the visit produces.
    type Out;
    /// Called once with the chosen workload.
    fn visit<W: Workload>(self) -> Self::Out;
}

impl WorkloadInfo {
    /// What `list`, results and reports show of workload `W`.
    pub const fn of<W: Workload>() -> WorkloadInfo {
        WorkloadInfo {
            id: W::ID,
            kind: W::KIND,
            summary: W::SUMMARY,
            describe: |p| W::describe(&W::params(p)),
            ideal_wall: |p| W::ideal_wall(&W::params(p)),
            metrics: W::METRICS,
            takes_rate: W::takes_rate,
            network: W::NETWORK,
            opt_in: W::OPT_IN,
        }
    }
}

/// A set of workloads fixed at compile time: [`BuiltIn`], the workloads this crate
/// ships, and that set with an outside crate's workloads added ([`With`]). The
/// harness hands a cell's workload type to its runner through it, so each
/// workload's bodies are monomorphised with each runtime.
///
/// ```
/// use rtcompare_workloads::{BuiltIn, Workloads};
///
/// let ids: Vec<&str> = BuiltIn::infos().iter().map(|w| w.id).collect();
/// assert_eq!(ids[0], "cpu");
/// assert!(ids.contains(&"tcp-echo"));
/// ```
pub trait Workloads: 'static {
    /// Every workload of the set, in the order `list` and reports show them.
    fn infos() -> Vec<WorkloadInfo>;

    /// Calls `visitor` with the workload named `id`; `None` if the set has none.
    fn visit<V: WorkloadVisitor>(id: &str, visitor: V) -> Option<V::Out>;
}

/// The workloads this crate ships ([`ALL`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct BuiltIn;

/// The set `Rest` with workload `W` added after it.
pub struct With<Rest, W>(PhantomData<fn() -> (Rest, W)>);

impl<Rest: Workloads, W: Workload> Workloads for With<Rest, W> {
    fn infos() -> Vec<WorkloadInfo> {
        let mut infos = Rest::infos();
        infos.push(WorkloadInfo::of::<W>());
        infos
    }

    fn visit<V: WorkloadVisitor>(id: &str, visitor: V) -> Option<V::Out> {
        if id == W::ID {
            Some(visitor.visit::<W>())
        } else {
            Rest::visit(id, visitor)
        }
    }
}

macro_rules! registry {
    ($($w:ty),* $(,)?) => {
        /// Every built-in workload, in the order `list` and reports show them.
        pub const ALL: &[WorkloadInfo] = &[$(WorkloadInfo::of::<$w>()),*];

        impl Workloads for BuiltIn {
            fn infos() -> Vec<WorkloadInfo> {
                ALL.to_vec()
            }

            fn visit<V: WorkloadVisitor>(id: &str, visitor: V) -> Option<V::Out> {
                $(if id == <$w as Workload>::ID {
                    return Some(visitor.visit::<$w>());
                })*
                None
            }
        }
    };
}

registry![
    cpu::Cpu,
    cpu_skewed::CpuSkewed,
    sleep::Sleep,
    timer::Timer,
    tcp_echo::TcpEcho<tcp_echo::Closed>,
    tcp_echo::TcpEcho<tcp_echo::Single>,
    tcp_echo::TcpEcho<tcp_echo::Open>,
    tcp_echo::TcpEcho<tcp_echo::Conns>,
    spawn::Spawn,
    channels::Channels,
    fork_join::ForkJoin,
    mixed::MixedInline,
    mixed::MixedYield,
    mixed::MixedOffload,
    shared_state::SharedMutex,
    shared_state::SharedAtomic,
    shared_state::SharedAsyncMutex,
    shared_state::SharedMerge,
    crash::Crash<crash::Panic>,
    crash::Crash<crash::Abort>,
];

/// The built-in workload named `id`.
pub fn find(id: &str) -> Option<&'static WorkloadInfo> {
    ALL.iter().find(|w| w.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rtcompare_api::{new_histogram, record_ns};

    fn share(checksum: u64, ops: u64, latency_ns: &[u64], per_unit: Option<f64>) -> Outcome {
        let mut histogram = new_histogram();
        for &ns in latency_ns {
            record_ns(&mut histogram, ns);
        }
        let outcome = Outcome::new(checksum)
            .with_ops(ops)
            .with_latency("lat", histogram);
        match per_unit {
            Some(ns) => outcome.with_metric("ns-per-unit", ns),
            None => outcome,
        }
    }

    #[test]
    fn shares_merge_into_the_whole() {
        let merged = merge_shares(vec![
            share(u64::MAX, 3, &[1_000, 2_000], Some(10.0)),
            share(2, 5, &[3_000], Some(30.0)),
            share(0, 0, &[], None),
        ]);
        assert_eq!(merged.checksum, 1, "wrapping sum");
        assert_eq!(merged.ops, Some(8));
        assert_eq!(merged.latencies.len(), 1);
        assert_eq!(
            merged.latencies[0].1.len(),
            3,
            "histograms merged, not averaged"
        );
        // Averaged over the shares that report it, not over all three.
        assert_eq!(merged.metrics, vec![("ns-per-unit", 20.0)]);
    }

    #[test]
    fn time_per_unit_is_the_slowest_cores_span_over_all_units() {
        // Core 0: 10 units at 10 ns (100 ns); core 1: 2 units at 80 ns (160 ns).
        let shares = vec![share(1, 10, &[], Some(10.0)), share(1, 2, &[], Some(80.0))];
        let units = [10u64, 2];
        let merged = merge_slowest_per_unit(shares, "ns-per-unit", |core| units[core], 12);
        assert_eq!(merged.metrics, vec![("ns-per-unit", 160.0 / 12.0)]);
    }
}

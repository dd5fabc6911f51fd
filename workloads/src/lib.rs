//! rtcompare's workloads. Each workload is one file and one line in [`registry!`]:
//! its parameters per preset, one async body (generic over
//! [`AsyncRuntime`](rtcompare_api::AsyncRuntime), so every async runner runs the same
//! code with its own spawn, timer and reactor), one blocking body (run by a
//! [`Strategy`](rtcompare_api::Strategy)), and the checksum every runner must
//! reproduce. Workloads never name a runner.
#![warn(missing_docs, rust_2018_idioms)]

pub mod chunks;
pub mod cpu;
pub mod cpu_skewed;
pub mod kernel;
pub mod sleep;

use rtcompare_api::{AsyncRuntime, Concurrency, Outcome, Strategy, WorkloadKind};
use serde::Serialize;
use std::fmt;
use std::future::Future;
use std::str::FromStr;
use std::time::Duration;

/// A size class: `tiny` for tests, `quick` for a first look, `full` for the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    /// Milliseconds per cell; for tests and smoke checks.
    Tiny,
    /// About half a second of sequential CPU work per CPU workload.
    Quick,
    /// About three seconds of sequential CPU work per CPU workload.
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
            Preset::Quick => Duration::from_millis(500),
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
}

/// One workload, written once for every runner.
pub trait Workload: 'static {
    /// The id used on the command line and in results.
    const ID: &'static str;
    /// CPU-bound, I/O-bound or mixed.
    const KIND: WorkloadKind;
    /// One line on what it does.
    const SUMMARY: &'static str;

    /// Its parameters, recorded in the results as run.
    type Params: Clone + Send + Sync + Serialize + 'static;

    /// The parameters of a preset.
    fn params(preset: Preset) -> Self::Params;

    /// The size of `params`, in words (for `list` and reports).
    fn describe(params: &Self::Params) -> String;

    /// Fits `params` to a runner. `concurrency` is `None` for async runners and the
    /// strategy's limit for blocking ones; a workload whose blocking run would exceed
    /// `budget` runs a subset and says by how much to scale. The default runs all.
    fn fit(
        params: Self::Params,
        _concurrency: Option<Concurrency>,
        _budget: Duration,
    ) -> Fitted<Self::Params> {
        Fitted {
            params,
            extrapolation: None,
        }
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
}

/// Receives the workload type chosen by id.
pub trait WorkloadVisitor {
    /// What the visit produces.
    type Out;
    /// Called once with the chosen workload.
    fn visit<W: Workload>(self) -> Self::Out;
}

macro_rules! registry {
    ($($w:ty),* $(,)?) => {
        /// Every workload, in the order `list` and reports show them.
        pub const ALL: &[WorkloadInfo] = &[$(WorkloadInfo {
            id: <$w as Workload>::ID,
            kind: <$w as Workload>::KIND,
            summary: <$w as Workload>::SUMMARY,
            describe: |p| <$w as Workload>::describe(&<$w as Workload>::params(p)),
            ideal_wall: |p| <$w as Workload>::ideal_wall(&<$w as Workload>::params(p)),
        }),*];

        /// Calls `visitor` with the workload named `id`; `None` if there is none.
        pub fn visit<V: WorkloadVisitor>(id: &str, visitor: V) -> Option<V::Out> {
            $(if id == <$w as Workload>::ID {
                return Some(visitor.visit::<$w>());
            })*
            None
        }
    };
}

registry![cpu::Cpu, cpu_skewed::CpuSkewed, sleep::Sleep];

/// The workload named `id`.
pub fn find(id: &str) -> Option<&'static WorkloadInfo> {
    ALL.iter().find(|w| w.id == id)
}

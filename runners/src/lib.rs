//! rtcompare's runners: one file per executor or thread strategy, each building its
//! runtime with an explicit worker-thread count and handing it to a
//! [`Visitor`]. Runners never name a workload.
//!
//! Async runners implement [`AsyncRuntime`](rtcompare_api::AsyncRuntime) with their
//! own crate's spawn, timer and reactor; blocking runners implement
//! [`Strategy`](rtcompare_api::Strategy) over `std` threads (or rayon). A built-in
//! runner is one file and one line in this crate's registry ([`BuiltIn`], [`ALL`]);
//! an outside crate implements [`Runner`] for its own executor and adds it to a set
//! with [`With`] (through `rtcompare::Suite::runner`), building its runtime from
//! [`AsyncIoRuntime`] when the executor brings only a spawn.
#![warn(missing_docs, rust_2018_idioms)]

pub mod census;
mod on_thread;
mod per_core;
mod pool;
mod spawn_only;

mod async_io_parts;
mod async_std_rt;
mod compio_rt;
mod cpython;
mod futures_local;
mod futures_pool;
mod gil;
mod glommio_rt;
mod may_rt;
mod monoio_rt;
mod processes;
mod rayon_pool;
mod seq;
mod smol_local;
mod smol_mt;
mod thread_pool;
mod threads;
mod threads_static;
mod tokio_ct;
mod tokio_mt;
mod tokio_per_core;
mod tokio_rt;

pub use cpython::interpreters;
pub use processes::{PROCESS_CAP, WORKER_FLAG, WorkerStrategy};
pub use spawn_only::{AsyncIoRuntime, Spawn};
pub use threads::THREAD_CAP;

use rtcompare_api::{Class, Family, Visitor};
use std::marker::PhantomData;

/// How a runner's thread count relates to the `--threads` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadsKnob {
    /// Always exactly one thread runs tasks; `--threads` does not apply.
    One,
    /// `--threads` sets the number of worker threads.
    Workers,
    /// One OS thread per task (up to [`THREAD_CAP`] live); `--threads` does not
    /// change what it does and is recorded only as the point of comparison.
    PerTask,
}

/// What a runner is, for `list`, results and disclosures.
#[derive(Debug, Clone, Copy)]
pub struct RunnerInfo {
    /// Its id on the command line and in results.
    pub id: &'static str,
    /// Where it sits on the concurrency × parallelism grid.
    pub class: Class,
    /// How it hands work to its threads.
    pub family: Family,
    /// How `--threads` applies to it.
    pub threads: ThreadsKnob,
    /// One line on how it is built.
    pub summary: &'static str,
    /// Its timer and I/O reactor.
    pub timer: &'static str,
    /// The channel message-passing workloads use on it.
    pub channel: &'static str,
    /// The TCP sockets network workloads use on it.
    pub net: &'static str,
    /// Where it offloads blocking work so its executor threads stay free.
    pub offload: &'static str,
    /// What a reader must know to interpret its numbers.
    pub caveats: &'static [&'static str],
    /// The runner its speedups are taken against, when not `seq`: a runner whose
    /// work runs in an interpreter runs the workloads at its own size, so it is
    /// compared only with the runners that share its baseline.
    pub baseline: Option<&'static str>,
}

impl ThreadsKnob {
    /// The name used in results files.
    pub const fn as_str(self) -> &'static str {
        match self {
            ThreadsKnob::One => "one",
            ThreadsKnob::Workers => "workers",
            ThreadsKnob::PerTask => "per-task",
        }
    }
}

/// tokio's timer caveat, shared by both tokio runners.
const TOKIO_TIMER: &str = "tokio's timer rounds every sleep up to a whole millisecond (async-io's does \
     not), so timer-heavy cells mix timer granularity with scheduling cost; the timer workload \
     measures it, and the network workloads do not depend on it (the load generator paces itself)";
/// The caveat of every runner that offloads to the `blocking` crate's pool, for
/// outside runners built on [`AsyncIoRuntime`] to disclose as the built-in ones do.
pub const BLOCKING_IDLE: &str = async_io_parts::BLOCKING_IDLE;

/// The caveat of both futures runners.
const FUTURES_TIMER: &str = "the futures crate has no timer or reactor: sleeps use async-io's Timer, \
     whose reactor runs on async-io's own helper thread, so every wake-up crosses threads";

/// The caveat of every thread-per-core runner.
const PER_CORE_SHARES: &str = "thread-per-core: each core runs a share of the work fixed before \
     it starts (units handed out round robin; for TCP, the connections the kernel hands its \
     listener) and never takes work from another, so uneven shares leave cores idle; a \
     workload with no per-core share (one shared lock, a pipeline across cores) is n/a";

/// Why a runner could not run.
#[derive(Debug, thiserror::Error)]
pub enum RunnerError {
    /// The runtime could not be built.
    #[error("{runner}: cannot build the runtime: {message}")]
    Build {
        /// The runner id.
        runner: &'static str,
        /// What went wrong.
        message: String,
    },
    /// The runtime cannot run on this machine (a kernel feature or limit it needs
    /// is missing): its cells are n/a with the reason.
    #[error("{runner} cannot run here: {reason}")]
    Unavailable {
        /// The runner id.
        runner: &'static str,
        /// Why, as the runtime said it.
        reason: String,
    },
    /// The runtime does not have the thread count it was asked for.
    #[error("{runner}: asked for {wanted} worker threads but found {found} ({why})")]
    ThreadCount {
        /// The runner id.
        runner: &'static str,
        /// Threads requested.
        wanted: usize,
        /// Threads found.
        found: usize,
        /// Why they differ.
        why: &'static str,
    },
}

/// One runner: its description and how it executes a visitor.
pub trait Runner {
    /// What it is.
    const INFO: RunnerInfo;

    /// Builds the runtime or strategy with `threads` workers (outside any timed
    /// region), hands it to `visitor` once, then tears it down.
    fn execute<V: Visitor>(threads: usize, visitor: V) -> Result<V::Out, RunnerError>;
}

/// A set of runners fixed at compile time: [`BuiltIn`], the runners this crate
/// ships, and that set with an outside crate's runners added ([`With`]). The
/// harness dispatches a cell to its runner through it, with no boxing: each runner
/// is monomorphised with each workload.
///
/// ```
/// use rtcompare_runners::{BuiltIn, Runners};
///
/// let ids: Vec<&str> = BuiltIn::infos().iter().map(|r| r.id).collect();
/// assert_eq!(ids[0], "seq");
/// assert!(ids.contains(&"tokio-mt"));
/// ```
pub trait Runners: 'static {
    /// Every runner of the set, in the order `list` and reports show them.
    fn infos() -> Vec<RunnerInfo>;

    /// Runs `visitor` on the runner named `id` with `threads` workers; `None` if
    /// the set has no such runner.
    fn execute<V: Visitor>(
        id: &str,
        threads: usize,
        visitor: V,
    ) -> Option<Result<V::Out, RunnerError>>;
}

/// The runners this crate ships ([`ALL`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct BuiltIn;

/// The set `Rest` with runner `R` added after it.
pub struct With<Rest, R>(PhantomData<fn() -> (Rest, R)>);

impl<Rest: Runners, R: Runner + 'static> Runners for With<Rest, R> {
    fn infos() -> Vec<RunnerInfo> {
        let mut infos = Rest::infos();
        infos.push(R::INFO);
        infos
    }

    fn execute<V: Visitor>(
        id: &str,
        threads: usize,
        visitor: V,
    ) -> Option<Result<V::Out, RunnerError>> {
        if id == R::INFO.id {
            Some(R::execute(threads, visitor))
        } else {
            Rest::execute(id, threads, visitor)
        }
    }
}

macro_rules! registry {
    ($($r:ty),* $(,)?) => {
        /// Every built-in runner, in the order `list` and reports show them.
        pub const ALL: &[RunnerInfo] = &[$(<$r as Runner>::INFO),*];

        impl Runners for BuiltIn {
            fn infos() -> Vec<RunnerInfo> {
                ALL.to_vec()
            }

            fn execute<V: Visitor>(
                id: &str,
                threads: usize,
                visitor: V,
            ) -> Option<Result<V::Out, RunnerError>> {
                $(if id == <$r as Runner>::INFO.id {
                    return Some(<$r as Runner>::execute(threads, visitor));
                })*
                None
            }
        }
    };
}

registry![
    seq::Seq,
    tokio_ct::TokioCt,
    smol_local::SmolLocal,
    futures_local::FuturesLocal,
    tokio_mt::TokioMt,
    smol_mt::SmolMt,
    async_std_rt::AsyncStd,
    futures_pool::FuturesPool,
    tokio_per_core::TokioPerCore,
    monoio_rt::Monoio,
    compio_rt::Compio,
    glommio_rt::GlommioRt,
    threads::Threads,
    may_rt::May,
    thread_pool::ThreadPool,
    threads_static::ThreadsStatic,
    rayon_pool::Rayon,
    gil::Gil,
    processes::Processes,
    cpython::CpythonSeq,
    cpython::CpythonThreads,
    cpython::CpythonProcesses,
    cpython::CpythonNogilThreads,
];

/// The built-in runner named `id`.
pub fn find(id: &str) -> Option<&'static RunnerInfo> {
    ALL.iter().find(|r| r.id == id)
}

/// Waits for `future` on the calling thread without running any runtime's tasks or
/// driving a reactor: the caller of a multithreaded runtime only waits.
fn park_on<F: std::future::Future>(future: F) -> F::Output {
    futures::executor::block_on(future)
}

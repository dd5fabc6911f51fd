//! `spawn`: the cost of a task itself. N empty tasks, each returning its index, are
//! spawned from inside the runtime, their handles kept, then all awaited: what one
//! spawn, one run and one join cost, and (from an untimed probe) how much memory a live
//! task occupies.
//!
//! Timing: the root task times itself from before the first spawn to after the last
//! await (`ns-per-task` = that / N), so building the runtime and handing the root
//! future to it stay outside the figure, as they do in a bare program.
//!
//! Memory: the probe ([`Workload::probe`], `hold: true`) runs once before the warm-up,
//! on the freshest heap the cell process has, and measures every kind of unit the same
//! way: the growth of the unique set of the cell's process tree
//! ([`process_tree_unique_bytes`]: the resident pages of the cell process and of each
//! of its child processes that no other process maps) between a reading before the
//! first spawn and one taken with all N units alive at once, divided by N. So
//! `rss-per-task-bytes` is what one more live unit adds to the machine's memory:
//! - a task: every task, when it runs, counts itself in and parks on a runtime-neutral
//!   gate (an `event-listener` [`Event`] plus a flag); the task that arrives last takes
//!   the reading, then opens the gate. The figure holds the task, its future (a parked
//!   gate listener included, the same for every runner) and its join handle;
//! - a thread or a process ([`Strategy::spawn_held`]): each unit runs its job and stays
//!   alive until all have; the strategy calls back for both readings (so a worker process,
//!   which serves the same body, reads nothing). A thread adds its stack pages
//!   and thread-local state to the cell process; a fresh process adds its own private
//!   pages (its heap, stack, relocated data, written pages), while the pages of the
//!   binary and the libraries it shares with the cell are not counted again, as they
//!   are not for a thread.
//!
//! Left out for every kind of unit alike, because no process's resident set holds it:
//! kernel memory (a thread's or process's kernel stack, its task structure, a process's
//! page tables and mm structure, pipe buffers). It is larger per process than per
//! thread, so processes' figure is a floor.
//!
//! Blocking runners: those that can create a fresh unit per job
//! ([`Strategy::spawns`]: an OS thread on `threads`, a process on `processes`) run
//! the jobs through [`Strategy::spawn_each`], at most as many tasks as they keep units
//! alive; runners that execute a batch of jobs by index on threads they already have
//! are n/a. Side by side with `ns-per-task`, the cost of creating a thread and a
//! process, the memory figures are the numbers behind "threads are lightweight,
//! processes are not". Every reading is taken in the untimed probe, never while a
//! sample is timed.

use crate::{FitContext, Fitted, Metric, Preset, Workload};
use event_listener::{Event, listener};
use rtcompare_api::ids;
use rtcompare_api::{
    AsyncRuntime, Held, Outcome, Share, Spawns, Strategy, WorkloadKind, process_tree_unique_bytes,
};
use serde::Serialize;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Many empty tasks, spawned and awaited.
pub struct Spawn;

/// What one `spawn` run does.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct SpawnParams {
    /// Tasks (N).
    pub tasks: usize,
    /// Probe: hold every task alive (parked on a gate) until the last has started,
    /// and measure the resident set then.
    pub hold: bool,
    /// Whether the probe runs (off only in tests that time the bare run).
    pub probe: bool,
    /// On a thread-per-core runner, the core whose tasks these are (task `i` to core
    /// `i mod N`); `None`: every task.
    #[serde(skip)]
    pub share: Option<Share>,
}

/// Why a batch runner has nothing to measure here.
const NOT_SPAWNED: &str = "runs jobs from a batch by index on threads it already has: nothing is spawned per task to measure";

impl Workload for Spawn {
    const ID: &'static str = ids::workload::SPAWN;
    const KIND: WorkloadKind = WorkloadKind::Overhead;
    const SUMMARY: &'static str = "N empty tasks spawned from inside the runtime, handles kept, then all awaited (cost and memory per task)";
    const METRICS: &'static [Metric] = &[
        Metric {
            key: ids::metric::NS_PER_TASK,
            header: "ns/task",
            about: "the root's own clock from before the first spawn to after the last await, per task",
        },
        Metric {
            key: ids::metric::RSS_PER_TASK_BYTES,
            header: "RSS/task [B]",
            about: "growth of the unique set of the cell's process tree per live unit, all N \
                    alive at once (untimed probe on a fresh heap), the same for tasks, threads \
                    and processes; kernel memory left out",
        },
    ];
    type Params = SpawnParams;

    fn params(preset: Preset) -> SpawnParams {
        let tasks = match preset {
            Preset::Tiny => 2_000,
            Preset::Quick => 50_000,
            Preset::Full => 1_000_000,
        };
        SpawnParams {
            tasks,
            hold: false,
            probe: true,
            share: None,
        }
    }

    fn describe(p: &SpawnParams) -> String {
        format!("{} empty tasks, spawned then awaited", p.tasks)
    }

    fn fit(params: SpawnParams, context: &FitContext) -> Result<Fitted<SpawnParams>, String> {
        let blocking = context.concurrency.is_some();
        fit_tasks(params, blocking, context.spawns)
    }

    fn probe(params: &SpawnParams) -> Option<SpawnParams> {
        params.probe.then_some(SpawnParams {
            hold: true,
            ..*params
        })
    }

    fn expected(params: &SpawnParams) -> u64 {
        index_sum(params.tasks as u64)
    }

    async fn run_async<R: AsyncRuntime>(runtime: R, params: SpawnParams) -> Outcome {
        let n = params.tasks;
        let share = params.share.unwrap_or(Share::WHOLE);
        if params.hold {
            // The probe holds every task on core 0: one core's tasks, one reading.
            return match share.index {
                0 => hold_async(&runtime, n).await,
                _ => Outcome::new(0),
            };
        }
        let mine = share.of(n);
        let mut handles = Vec::with_capacity(mine);
        let start = Instant::now();
        for i in share.units(n) {
            handles.push(runtime.spawn(async move { i as u64 }));
        }
        let mut sum = 0u64;
        for handle in handles {
            sum = sum.wrapping_add(handle.await);
        }
        let elapsed = start.elapsed();
        Outcome::new(sum)
            .with_ops(mine as u64)
            .with_metric(ids::metric::NS_PER_TASK, per_task_ns(elapsed, mine))
    }

    fn shares(params: &SpawnParams, cores: usize) -> Result<Vec<SpawnParams>, String> {
        Ok(Share::all(cores)
            .map(|share| SpawnParams {
                share: Some(share),
                ..*params
            })
            .collect())
    }

    /// Tasks and checksum add up; the time per task is the slowest core's span over
    /// all N tasks, as the root's span is on the other runners. Memory per task:
    /// only core 0 holds tasks in the probe, and its reading is the only one.
    fn merge(params: &SpawnParams, shares: Vec<Outcome>) -> Outcome {
        let count = shares.len();
        let tasks = |index| Share { index, count }.of(params.tasks) as u64;
        crate::merge_slowest_per_unit(shares, ids::metric::NS_PER_TASK, tasks, params.tasks as u64)
    }

    fn run_blocking(strategy: &dyn Strategy, params: &SpawnParams) -> Outcome {
        let n = params.tasks;
        if params.hold {
            return hold_blocking(strategy, n);
        }
        let start = Instant::now();
        let sum = strategy.spawn_each(n, &|i| i as u64);
        let elapsed = start.elapsed();
        // Memory per unit comes from the probe, never from inside a timed sample.
        Outcome::new(sum)
            .with_ops(n as u64)
            .with_metric(ids::metric::NS_PER_TASK, per_task_ns(elapsed, n))
    }
}

/// `0 + 1 + … + (n − 1)`, wrapping, in closed form.
fn index_sum(n: u64) -> u64 {
    // Halve the even factor first so the product is exact before it wraps.
    if n % 2 == 0 {
        (n / 2).wrapping_mul(n.wrapping_sub(1))
    } else {
        n.wrapping_mul((n - 1) / 2)
    }
}

fn per_task_ns(elapsed: Duration, tasks: usize) -> f64 {
    elapsed.as_nanos() as f64 / tasks.max(1) as f64
}

/// Async runners run everything; a blocking runner that creates a unit per job runs
/// at most as many tasks as it keeps units alive (the probe needs them all alive at
/// once); batch runners are n/a.
fn fit_tasks(
    params: SpawnParams,
    blocking: bool,
    spawns: Option<Spawns>,
) -> Result<Fitted<SpawnParams>, String> {
    if !blocking {
        return Ok(Fitted::all(params));
    }
    match spawns {
        None => Err(NOT_SPAWNED.into()),
        Some(Spawns { cap, .. }) if params.tasks <= cap => Ok(Fitted::all(params)),
        Some(Spawns { unit, cap }) => {
            let units = plural(unit);
            Ok(Fitted {
                params: SpawnParams {
                    tasks: cap,
                    ..params
                },
                extrapolation: None,
                notes: vec![format!(
                    "{} {units} instead of {} tasks: at most {} {units} alive at once",
                    thousands(cap),
                    thousands(params.tasks),
                    thousands(cap)
                )],
            })
        }
    }
}

/// `thread` → `threads`, `process` → `processes`.
fn plural(unit: &str) -> String {
    if unit.ends_with('s') {
        format!("{unit}es")
    } else {
        format!("{unit}s")
    }
}

/// `10000` as `10,000`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Resident bytes per task between two readings (negative if the heap shrank).
fn rss_per_task(before: Option<u64>, at_peak: Option<u64>, tasks: usize) -> Option<f64> {
    Some((at_peak? as f64 - before? as f64) / tasks.max(1) as f64)
}

/// Where held tasks count themselves in and wait until all have arrived.
struct AsyncGate {
    tasks: usize,
    arrived: AtomicUsize,
    open: AtomicBool,
    event: Event,
    /// The resident set read by the last arrival (`u64::MAX`: not read).
    rss_at_peak: AtomicU64,
}

impl AsyncGate {
    /// Counts the caller in; the last arrival reads the resident set and opens the
    /// gate, the others wait for it to open.
    async fn arrive(&self) {
        if self.arrived.fetch_add(1, Ordering::AcqRel) + 1 == self.tasks {
            let rss = process_tree_unique_bytes().unwrap_or(u64::MAX);
            self.rss_at_peak.store(rss, Ordering::Relaxed);
            self.open.store(true, Ordering::Release);
            self.event.notify(usize::MAX);
            return;
        }
        loop {
            if self.open.load(Ordering::Acquire) {
                return;
            }
            // A listener inside the task's own future: no allocation beyond the task.
            listener!(self.event => opened);
            // Checked again: the gate may have opened before the listener was in place.
            if self.open.load(Ordering::Acquire) {
                return;
            }
            opened.await;
        }
    }

    fn rss_at_peak(&self) -> Option<u64> {
        Some(self.rss_at_peak.load(Ordering::Relaxed)).filter(|&rss| rss != u64::MAX)
    }
}

/// The probe on an async runner: N tasks alive and parked together.
async fn hold_async<R: AsyncRuntime>(runtime: &R, n: usize) -> Outcome {
    let gate = Arc::new(AsyncGate {
        tasks: n,
        arrived: AtomicUsize::new(0),
        open: AtomicBool::new(false),
        event: Event::new(),
        rss_at_peak: AtomicU64::new(u64::MAX),
    });
    let mut handles = Vec::with_capacity(n);
    let before = process_tree_unique_bytes();
    for i in 0..n {
        let gate = Arc::clone(&gate);
        handles.push(runtime.spawn(async move {
            gate.arrive().await;
            i as u64
        }));
    }
    let mut sum = 0u64;
    for handle in handles {
        sum = sum.wrapping_add(handle.await);
    }
    held_outcome(sum, n, before, gate.rss_at_peak())
}

/// The probe on a blocking runner: N threads or processes alive together, each having
/// run its job, read by [`Strategy::spawn_held`]'s callback.
fn hold_blocking(strategy: &dyn Strategy, n: usize) -> Outcome {
    // Read only when the strategy calls back: a worker process serving this body
    // never does, so it measures nothing.
    let readings = Mutex::new((None, None));
    let sum = strategy.spawn_held(n, &|i| i as u64, &|moment| {
        let rss = process_tree_unique_bytes();
        let mut readings = readings.lock().unwrap();
        match moment {
            Held::Before => readings.0 = rss,
            Held::AllAlive => readings.1 = rss,
        }
    });
    let (before, at_peak) = *readings.lock().unwrap();
    held_outcome(sum, n, before, at_peak)
}

fn held_outcome(sum: u64, n: usize, before: Option<u64>, at_peak: Option<u64>) -> Outcome {
    let outcome = Outcome::new(sum).with_ops(n as u64);
    match rss_per_task(before, at_peak, n) {
        Some(bytes) => outcome.with_metric(ids::metric::RSS_PER_TASK_BYTES, bytes),
        None => outcome,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rtcompare_api::{AddressSpace, Concurrency};

    #[test]
    fn index_sum_matches_a_loop() {
        for n in [0u64, 1, 2, 3, 4, 7, 2_000, 100_000, 1_000_001] {
            let looped = (0..n).fold(0u64, u64::wrapping_add);
            assert_eq!(index_sum(n), looped, "n = {n}");
        }
        // Beyond 2^32 the product wraps; halving first keeps it exact modulo 2^64.
        let n = (1u64 << 33) + 3;
        let exact = (u128::from(n) * u128::from(n - 1) / 2) as u64;
        assert_eq!(index_sum(n), exact);
    }

    #[test]
    fn expected_is_the_sum_of_indices_for_every_preset() {
        for preset in Preset::ALL {
            let p = Spawn::params(preset);
            let looped = (0..p.tasks as u64).fold(0u64, u64::wrapping_add);
            assert_eq!(Spawn::expected(&p), looped, "{preset}");
            let probe = Spawn::probe(&p).unwrap();
            assert!(probe.hold);
            assert_eq!(Spawn::expected(&probe), looped);
        }
    }

    fn blocking_context(
        concurrency: Concurrency,
        address_space: AddressSpace,
        spawns: Option<Spawns>,
    ) -> FitContext {
        FitContext {
            concurrency: Some(concurrency),
            nesting: Some(rtcompare_api::Nesting::Unsupported),
            address_space: Some(address_space),
            spawns,
            ..FitContext::for_async(Preset::Quick)
        }
    }

    const THREADS: Spawns = Spawns {
        unit: "thread",
        cap: 10_000,
    };
    const PROCESSES: Spawns = Spawns {
        unit: "process",
        cap: 200,
    };

    #[test]
    fn batch_runners_are_not_applicable() {
        for c in [Concurrency::Bounded(1), Concurrency::Bounded(16)] {
            let context = blocking_context(c, AddressSpace::Shared, None);
            let why = Spawn::fit(Spawn::params(Preset::Quick), &context).unwrap_err();
            assert!(why.contains("nothing is spawned per task"), "{why}");
        }
    }

    #[test]
    fn threads_are_capped_with_a_note() {
        let cap = Concurrency::PerJob { cap: 10_000 };
        let context = blocking_context(cap, AddressSpace::Shared, Some(THREADS));
        let f = Spawn::fit(Spawn::params(Preset::Quick), &context).unwrap();
        assert_eq!(f.params.tasks, 10_000);
        assert!(f.params.probe, "threads share memory: the probe runs");
        assert!(f.extrapolation.is_none(), "a capped count is not scaled");
        assert_eq!(
            f.notes,
            ["10,000 threads instead of 50,000 tasks: at most 10,000 threads alive at once"]
        );
        let f = Spawn::fit(Spawn::params(Preset::Tiny), &context).unwrap();
        assert_eq!(f.params.tasks, 2_000);
        assert!(f.notes.is_empty());
    }

    #[test]
    fn processes_are_capped_and_probed_like_threads() {
        // A pool of worker processes: bounded, yet it can create a process per job.
        let context = blocking_context(
            Concurrency::Bounded(2),
            AddressSpace::Separate,
            Some(PROCESSES),
        );
        let f = Spawn::fit(Spawn::params(Preset::Tiny), &context).unwrap();
        assert_eq!(f.params.tasks, 200);
        assert_eq!(
            f.notes,
            ["200 processes instead of 2,000 tasks: at most 200 processes alive at once"]
        );
        let probe = Spawn::probe(&f.params).expect("processes are probed as threads are");
        assert!(probe.hold);

        // The probe measures through `spawn_held`, with every unit alive, whatever
        // the unit: a strategy of separate units is asked exactly as threads are.
        struct Separate(AtomicUsize);
        impl Strategy for Separate {
            fn concurrency(&self) -> Concurrency {
                Concurrency::Bounded(2)
            }
            fn run(&self, _: usize, _: rtcompare_api::Job<'_>) -> u64 {
                unreachable!("spawn runs nothing from a batch")
            }
            fn address_space(&self) -> AddressSpace {
                AddressSpace::Separate
            }
            fn spawns(&self) -> Option<Spawns> {
                Some(PROCESSES)
            }
            fn spawn_each(&self, jobs: usize, job: rtcompare_api::Job<'_>) -> u64 {
                (0..jobs).fold(0u64, |s, i| s.wrapping_add(job(i)))
            }
            fn spawn_held(
                &self,
                jobs: usize,
                job: rtcompare_api::Job<'_>,
                read: &(dyn Fn(Held) + Sync),
            ) -> u64 {
                read(Held::Before);
                let sum = (0..jobs).fold(0u64, |s, i| s.wrapping_add(job(i)));
                read(Held::AllAlive);
                self.0.fetch_add(1, Ordering::Relaxed);
                sum
            }
        }
        let separate = Separate(AtomicUsize::new(0));
        let p = SpawnParams { tasks: 8, ..probe };
        let out = Spawn::run_blocking(&separate, &p);
        assert_eq!(separate.0.load(Ordering::Relaxed), 1);
        assert_eq!(out.checksum, Spawn::expected(&p));
        assert_eq!(out.metrics[0].0, "rss-per-task-bytes");
        // A timed run records no memory: it is read only in the probe.
        let timed = Spawn::run_blocking(&separate, &SpawnParams { hold: false, ..p });
        assert!(
            timed
                .metrics
                .iter()
                .all(|(k, _)| *k != "rss-per-task-bytes")
        );
    }

    #[test]
    fn async_runners_run_everything() {
        let f = Spawn::fit(
            Spawn::params(Preset::Full),
            &FitContext::for_async(Preset::Full),
        )
        .unwrap();
        assert_eq!(f.params.tasks, 1_000_000);
        assert!(f.params.probe);
        assert!(f.notes.is_empty() && f.extrapolation.is_none());
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }

    #[test]
    fn rss_per_task_needs_both_readings() {
        assert_eq!(rss_per_task(Some(1_000), Some(5_000), 10), Some(400.0));
        assert_eq!(rss_per_task(Some(5_000), Some(1_000), 10), Some(-400.0));
        assert_eq!(rss_per_task(None, Some(1), 10), None);
        assert_eq!(rss_per_task(Some(1), None, 10), None);
    }

    #[test]
    fn threads_probe_holds_all_and_measures() {
        // A minimal thread-per-job strategy, to check the gate opens and reports.
        struct PerJob;
        impl Strategy for PerJob {
            fn concurrency(&self) -> Concurrency {
                Concurrency::PerJob { cap: 64 }
            }
            fn run(&self, jobs: usize, job: rtcompare_api::Job<'_>) -> u64 {
                std::thread::scope(|s| {
                    let hs: Vec<_> = (0..jobs).map(|i| s.spawn(move || job(i))).collect();
                    hs.into_iter()
                        .fold(0u64, |sum, h| sum.wrapping_add(h.join().unwrap()))
                })
            }
        }
        let p = SpawnParams {
            tasks: 32,
            hold: true,
            probe: true,
        };
        let out = Spawn::run_blocking(&PerJob, &p);
        assert_eq!(out.checksum, Spawn::expected(&p));
        let (key, _) = out.metrics[0];
        assert_eq!(key, "rss-per-task-bytes");
    }
}

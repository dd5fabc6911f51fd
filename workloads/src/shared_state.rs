//! `shared-mutex`, `shared-atomic`, `shared-async-mutex`, `shared-merge`: what it
//! costs to keep one structure consistent while many workers update it. Four workloads
//! from one body, told apart by a [`Variant`] marker type that says how the updates
//! are synchronised.
//!
//! T workers each apply U updates to one [`State`]: a counter and a histogram of
//! [`BUCKETS`] buckets. Update k of worker t increments the counter and the bucket
//! [`bucket`]`(t, k)` = [`mix`]`(t, k) % 16`, where `mix` is a fixed integer hash, so the
//! final state depends on T and U alone. The checksum is the state's [`State::digest`]:
//! the counter plus a weighted sum of the buckets (distinct odd weights), wrapping. A
//! lost update changes the counter, a misrouted one changes the weighted sum, so
//! either fails the cell.
//!
//! - mutex: one `std::sync::Mutex<State>`, locked for every update (the hash is
//!   computed outside it, so the critical section is two increments);
//! - atomic: an `AtomicU64` counter and 16 `AtomicU64` buckets, each update two
//!   `fetch_add(Relaxed)` (the final read happens after every worker was joined, which
//!   orders it after all the increments);
//! - async-mutex: the runtime's own async mutex ([`AsyncRuntime::mutex`],
//!   [`AsyncRuntime::with_lock`]); async runners only, since an async mutex needs an
//!   async runtime;
//! - merge: message passing instead of sharing. Each worker updates a private `State`
//!   and hands it back when done. The digest is linear (counter + Σ weight_b ×
//!   bucket_b, all wrapping, i.e. a linear map into the integers mod 2^64), so the
//!   wrapping sum of the workers' digests equals the digest of their merged state. The
//!   blocking body relies on this: each job returns its private state's digest, the
//!   strategy sums them, and on `processes` that u64 is exactly what travels back over
//!   the pipe. The async body sends the whole private `State` back through the join
//!   handle and the root merges the states field by field, then digests the result.
//!
//! Blocking bodies run T jobs through [`Strategy::run`]; for the shared variants each
//! job returns 0 and the root digests the shared state after the run, so the checksum
//! is the final state, not a sum of claims. Updates never wait for one another, so a
//! pool with fewer threads than T is fine (its jobs simply contend less). On worker
//! processes ([`AddressSpace::Separate`]) only `shared-merge` applies: there is no one
//! structure to update. Async bodies spawn T tasks from the root; a task applies its U
//! updates without awaiting (except on the async mutex), so on a single-threaded
//! executor the tasks run one after another and the lock is never contended.
//!
//! Contention therefore differs by runner at the same T: one worker at a time on a
//! sequential, single-threaded or GIL runner; all T on `threads` (a thread per worker,
//! whatever its thread label); min(threads, T) on the pools and multi-threaded
//! runtimes. The report ranks these workloads only among rows of equal contention and
//! says each group's (`reports::overhead::contention`).
//!
//! Timing: the root times itself from before the run (first spawn) to after the final
//! read or merge; `ns-per-update` = that / (T × U). Contention also shows in the
//! context switches the harness already records per sample (`ctx_involuntary`,
//! `ctx_voluntary`): a worker preempted while it holds the lock or spins for it is an
//! involuntary switch; one that stops spinning and sleeps in the kernel (a futex wait
//! in `std::sync::Mutex`, an executor thread parking for want of runnable tasks) is a
//! voluntary one. On a busy machine involuntary switches also grow with wall time
//! alone, so read them per second of wall, or against `shared-merge`, which has no
//! contention at all.
//!
//! Under a serialising strategy (the emulated GIL) a blocking worker offers to hand
//! the lock over every [`CHECKPOINT_EVERY`] updates, never while it holds the mutex,
//! and a mutex wait that cannot be had at once is wrapped in
//! [`rtcompare_api::blocking`], as a blocking wait must be.

use crate::{FitContext, Fitted, Metric, Preset, Workload};
use rtcompare_api::ids;
use rtcompare_api::{AddressSpace, AsyncRuntime, Outcome, Share, Strategy, WorkloadKind};
use serde::Serialize;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};
use std::time::{Duration, Instant};

/// Buckets in the histogram.
pub const BUCKETS: usize = 16;

/// Updates between two [`rtcompare_api::checkpoint`] calls in a blocking worker (a
/// few tens of microseconds of uncontended updates, like the CPU kernel's cadence).
pub const CHECKPOINT_EVERY: u64 = 4_096;

/// Why the shared variants do not apply to worker processes.
const NO_SHARED_MEMORY: &str =
    "worker processes share no memory: there is no one structure to update";

/// Why the shared variants do not apply to thread-per-core runners.
const PER_CORE_STATE: &str = "one structure that every worker updates is what it measures; \
     a thread-per-core runtime keeps state per core and merges it (shared-merge)";

/// Why the async mutex does not apply to blocking runners.
const NEEDS_ASYNC: &str = "an async mutex needs an async runtime";

/// How the updates are synchronised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scheme {
    /// One `std::sync::Mutex<State>`, locked per update.
    Mutex,
    /// Seventeen `AtomicU64`, `fetch_add(Relaxed)` per field touched.
    Atomic,
    /// The runtime's own async mutex, locked per update.
    AsyncMutex,
    /// A private state per worker, merged at the end.
    Merge,
}

impl Scheme {
    /// Updates per worker relative to the async mutex's, so that every variant's
    /// sample lasts tens of milliseconds (a std mutex costs about half an async
    /// mutex's time per update, an atomic a quarter, a private copy a sixtieth): a
    /// sample well above timer noise and the interference counters' 10 ms tick.
    /// Reports compare the variants per update, so their counts may differ.
    pub const fn scale(self) -> u64 {
        match self {
            Scheme::AsyncMutex => 1,
            Scheme::Mutex => 2,
            Scheme::Atomic => 4,
            Scheme::Merge => 64,
        }
    }
}

/// One of the four `shared-*` workloads.
pub trait Variant: Send + Sync + 'static {
    /// The workload's id.
    const ID: &'static str;
    /// One line on what it does.
    const SUMMARY: &'static str;
    /// How its updates are synchronised.
    const SCHEME: Scheme;
}

/// T workers updating one counter and histogram; `V` says how they synchronise.
pub struct Shared<V>(PhantomData<V>);

/// Every update locks one `std::sync::Mutex`.
pub struct StdMutex;
/// Every update is two atomic `fetch_add`s.
pub struct Atomics;
/// Every update locks the runtime's async mutex.
pub struct AsyncMutex;
/// Private copies, merged at the end.
pub struct Merge;

/// `shared-mutex`.
pub type SharedMutex = Shared<StdMutex>;
/// `shared-atomic`.
pub type SharedAtomic = Shared<Atomics>;
/// `shared-async-mutex`.
pub type SharedAsyncMutex = Shared<AsyncMutex>;
/// `shared-merge`.
pub type SharedMerge = Shared<Merge>;

impl Variant for StdMutex {
    const ID: &'static str = ids::workload::SHARED_MUTEX;
    const SUMMARY: &'static str = "T workers x U updates of one counter + 16-bucket histogram \
                                   behind one std::sync::Mutex (a lock per update)";
    const SCHEME: Scheme = Scheme::Mutex;
}

impl Variant for Atomics {
    const ID: &'static str = ids::workload::SHARED_ATOMIC;
    const SUMMARY: &'static str = "T workers x U updates of one counter + 16-bucket histogram \
                                   held in AtomicU64s (fetch_add, Relaxed)";
    const SCHEME: Scheme = Scheme::Atomic;
}

impl Variant for AsyncMutex {
    const ID: &'static str = ids::workload::SHARED_ASYNC_MUTEX;
    const SUMMARY: &'static str = "T workers x U updates of one counter + 16-bucket histogram \
                                   behind the runtime's async mutex (async runners only)";
    const SCHEME: Scheme = Scheme::AsyncMutex;
}

impl Variant for Merge {
    const ID: &'static str = ids::workload::SHARED_MERGE;
    const SUMMARY: &'static str = "T workers x U updates, each on a private counter + \
                                   histogram sent back and merged at the end (message passing)";
    const SCHEME: Scheme = Scheme::Merge;
}

/// What one `shared-*` run does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SharedParams {
    /// How the updates are synchronised (fixed by the variant).
    pub scheme: Scheme,
    /// Workers (T).
    pub workers: usize,
    /// Updates per worker (U).
    pub updates: u64,
    /// On a thread-per-core runner (`shared-merge` only), the core whose workers
    /// these are (worker `t` to core `t mod N`); `None`: every worker.
    #[serde(skip)]
    pub share: Option<Share>,
}

impl SharedParams {
    fn total_updates(&self) -> u64 {
        self.workers as u64 * self.updates
    }

    /// The workers this run (or core) runs.
    fn my_workers(&self) -> std::iter::StepBy<std::ops::Range<usize>> {
        self.share.unwrap_or(Share::WHOLE).units(self.workers)
    }

    /// Updates this run (or core) applies.
    fn my_updates(&self) -> u64 {
        self.share.unwrap_or(Share::WHOLE).of(self.workers) as u64 * self.updates
    }
}

/// The structure every worker updates: a counter and a histogram.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct State {
    /// Updates applied.
    pub counter: u64,
    /// Updates per bucket.
    pub buckets: [u64; BUCKETS],
}

impl State {
    /// Applies one update that lands in `bucket`.
    #[inline]
    pub fn record(&mut self, bucket: usize) {
        self.counter = self.counter.wrapping_add(1);
        self.buckets[bucket] = self.buckets[bucket].wrapping_add(1);
    }

    /// Adds `other` field by field.
    pub fn merge(&mut self, other: &State) {
        self.counter = self.counter.wrapping_add(other.counter);
        for (mine, theirs) in self.buckets.iter_mut().zip(other.buckets) {
            *mine = mine.wrapping_add(theirs);
        }
    }

    /// The counter plus Σ `WEIGHTS[b]` × bucket b, wrapping: linear in the state, so
    /// the digests of parts add up to the digest of their merge.
    pub fn digest(&self) -> u64 {
        self.buckets
            .iter()
            .zip(WEIGHTS)
            .fold(self.counter, |sum, (&count, weight)| {
                sum.wrapping_add(weight.wrapping_mul(count))
            })
    }
}

/// The 64-bit finaliser of MurmurHash3: a fixed bijective integer hash.
const fn fmix64(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^= x >> 33;
    x
}

/// Each bucket's weight in the digest: distinct odd numbers, so moving one update from
/// one bucket to another changes the digest.
const WEIGHTS: [u64; BUCKETS] = {
    let mut w = [0u64; BUCKETS];
    let mut b = 0;
    while b < BUCKETS {
        w[b] = fmix64(b as u64 + 1) | 1;
        b += 1;
    }
    w
};

/// The hash of update `k` of worker `worker`.
#[inline]
pub fn mix(worker: usize, k: u64) -> u64 {
    fmix64((worker as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ k)
}

/// The bucket update `k` of worker `worker` lands in.
#[inline]
pub fn bucket(worker: usize, k: u64) -> usize {
    (mix(worker, k) % BUCKETS as u64) as usize
}

/// The shared structure as atomics: a counter and the buckets.
struct AtomicState {
    counter: AtomicU64,
    buckets: [AtomicU64; BUCKETS],
}

impl AtomicState {
    fn new() -> Self {
        AtomicState {
            counter: AtomicU64::new(0),
            buckets: std::array::from_fn(|_| AtomicU64::new(0)),
        }
    }

    /// Relaxed: no other memory is published through these counters; the final read
    /// is ordered after the increments by the join of every worker.
    #[inline]
    fn record(&self, bucket: usize) {
        self.counter.fetch_add(1, Ordering::Relaxed);
        self.buckets[bucket].fetch_add(1, Ordering::Relaxed);
    }

    fn snapshot(&self) -> State {
        State {
            counter: self.counter.load(Ordering::Relaxed),
            buckets: std::array::from_fn(|b| self.buckets[b].load(Ordering::Relaxed)),
        }
    }
}

impl<V: Variant> Workload for Shared<V> {
    const ID: &'static str = V::ID;
    const KIND: WorkloadKind = WorkloadKind::Overhead;
    const SUMMARY: &'static str = V::SUMMARY;
    const METRICS: &'static [Metric] = &[Metric {
        key: ids::metric::NS_PER_UPDATE,
        header: "ns/update",
        about: "the root's own clock from before the run to after the final read or merge, \
                per update (T x U)",
    }];
    type Params = SharedParams;

    fn params(preset: Preset) -> SharedParams {
        // Sized for the slowest variant, then scaled up for the cheaper ones
        // (`Scheme::scale`): an async mutex costs 50-450 ns per update (a std mutex
        // 20-70 ns, a private copy ~1 ns), so quick's 400,000 async-mutex updates
        // take at most ~0.2 s per sample and full's 4 million ~2 s.
        let updates = match preset {
            Preset::Tiny => 2_000,
            Preset::Quick => 50_000,
            Preset::Full => 500_000,
        };
        SharedParams {
            scheme: V::SCHEME,
            workers: 8,
            updates: updates * V::SCHEME.scale(),
            share: None,
        }
    }

    fn describe(p: &SharedParams) -> String {
        let how = match p.scheme {
            Scheme::Mutex => "behind one std mutex",
            Scheme::Atomic => "as atomics",
            Scheme::AsyncMutex => "behind the runtime's async mutex",
            Scheme::Merge => "on private copies merged at the end",
        };
        format!(
            "{} workers x {} updates of a counter + {BUCKETS}-bucket histogram, {how}",
            p.workers, p.updates
        )
    }

    fn fit(params: SharedParams, context: &FitContext) -> Result<Fitted<SharedParams>, String> {
        applies(params.scheme, context.address_space).map(|()| Fitted::all(params))
    }

    /// `shared-merge` hands its workers out round robin; the shared variants have
    /// no per-core share: one structure every worker updates is what they measure.
    fn shares(p: &SharedParams, cores: usize) -> Result<Vec<SharedParams>, String> {
        match p.scheme {
            Scheme::Merge => Ok(Share::all(cores)
                .map(|share| SharedParams {
                    share: Some(share),
                    ..*p
                })
                .collect()),
            _ => Err(PER_CORE_STATE.into()),
        }
    }

    /// The time per update is the slowest core's span over all T × U updates.
    fn merge(p: &SharedParams, shares: Vec<Outcome>) -> Outcome {
        let count = shares.len();
        let updates = |index| Share { index, count }.of(p.workers) as u64 * p.updates;
        crate::merge_slowest_per_unit(
            shares,
            ids::metric::NS_PER_UPDATE,
            updates,
            p.total_updates(),
        )
    }

    fn expected(p: &SharedParams) -> u64 {
        // Each update adds 1 (the counter) plus its bucket's weight to the digest;
        // summed per update, independently of any State.
        (0..p.workers).fold(0u64, |sum, t| {
            (0..p.updates).fold(sum, |sum, k| {
                sum.wrapping_add(1).wrapping_add(WEIGHTS[bucket(t, k)])
            })
        })
    }

    async fn run_async<R: AsyncRuntime>(runtime: R, p: SharedParams) -> Outcome {
        let start = Instant::now();
        let checksum = match V::SCHEME {
            Scheme::Mutex => mutex_async(&runtime, p).await,
            Scheme::Atomic => atomic_async(&runtime, p).await,
            Scheme::AsyncMutex => async_mutex(&runtime, p).await,
            Scheme::Merge => merge_async(&runtime, p).await,
        };
        outcome(&p, checksum, start.elapsed())
    }

    fn run_blocking(strategy: &dyn Strategy, p: &SharedParams) -> Outcome {
        let (workers, updates) = (p.workers, p.updates);
        let start = Instant::now();
        let checksum = match V::SCHEME {
            Scheme::Mutex => {
                let state = Mutex::new(State::default());
                let claimed = strategy.run(workers, &|t| {
                    apply_blocking(t, updates, |b| lock(&state).record(b));
                    0
                });
                let state = state.into_inner().expect("shared-mutex: a worker panicked");
                state.digest().wrapping_add(claimed)
            }
            Scheme::Atomic => {
                let state = AtomicState::new();
                let claimed = strategy.run(workers, &|t| {
                    apply_blocking(t, updates, |b| state.record(b));
                    0
                });
                state.snapshot().digest().wrapping_add(claimed)
            }
            Scheme::AsyncMutex => panic!("shared-async-mutex: {NEEDS_ASYNC} (fit refuses it)"),
            Scheme::Merge => strategy.run(workers, &|t| {
                let mut mine = State::default();
                apply_blocking(t, updates, |b| mine.record(b));
                mine.digest()
            }),
        };
        outcome(p, checksum, start.elapsed())
    }
}

/// Whether `scheme` applies to a runner whose jobs live in `address_space` (`None`
/// for async runners).
fn applies(scheme: Scheme, address_space: Option<AddressSpace>) -> Result<(), String> {
    match (scheme, address_space) {
        (_, None) | (Scheme::Merge, Some(_)) => Ok(()),
        (Scheme::AsyncMutex, Some(_)) => Err(NEEDS_ASYNC.into()),
        (_, Some(AddressSpace::Separate)) => Err(NO_SHARED_MEMORY.into()),
        (_, Some(AddressSpace::Shared)) => Ok(()),
    }
}

fn outcome(p: &SharedParams, checksum: u64, elapsed: Duration) -> Outcome {
    let total = p.my_updates();
    Outcome::new(checksum).with_ops(total).with_metric(
        ids::metric::NS_PER_UPDATE,
        elapsed.as_nanos() as f64 / total.max(1) as f64,
    )
}

/// Worker `t`'s `updates` updates, handed to `record` by bucket, with a checkpoint
/// between every [`CHECKPOINT_EVERY`] (outside any lock `record` takes: a serialising
/// strategy that switched threads while one held the mutex would stall the rest).
fn apply_blocking(t: usize, updates: u64, mut record: impl FnMut(usize)) {
    let mut k = 0;
    while k < updates {
        let end = updates.min(k + CHECKPOINT_EVERY);
        for k in k..end {
            record(bucket(t, k));
        }
        k = end;
        rtcompare_api::checkpoint();
    }
}

/// Locks `mutex`; a wait (the lock is held elsewhere) is a blocking wait, so a
/// serialising strategy releases its lock around it. The uncontended path costs
/// nothing beyond the lock itself.
fn lock(mutex: &Mutex<State>) -> MutexGuard<'_, State> {
    match mutex.try_lock() {
        Ok(guard) => guard,
        Err(TryLockError::WouldBlock) => rtcompare_api::blocking(|| mutex.lock())
            .expect("shared-mutex: a worker panicked holding the lock"),
        Err(TryLockError::Poisoned(_)) => {
            panic!("shared-mutex: a worker panicked holding the lock")
        }
    }
}

/// T tasks locking one std mutex per update; the root digests the final state.
async fn mutex_async<R: AsyncRuntime>(rt: &R, p: SharedParams) -> u64 {
    let state = Arc::new(Mutex::new(State::default()));
    let tasks: Vec<_> = (0..p.workers)
        .map(|t| {
            let state = Arc::clone(&state);
            rt.spawn(async move {
                for k in 0..p.updates {
                    let b = bucket(t, k);
                    // Two increments under the lock; nothing awaited while holding it.
                    lock(&state).record(b);
                }
            })
        })
        .collect();
    for task in tasks {
        task.await;
    }
    lock(&state).digest()
}

/// T tasks doing two relaxed `fetch_add`s per update; the root digests the final state.
async fn atomic_async<R: AsyncRuntime>(rt: &R, p: SharedParams) -> u64 {
    let state = Arc::new(AtomicState::new());
    let tasks: Vec<_> = (0..p.workers)
        .map(|t| {
            let state = Arc::clone(&state);
            rt.spawn(async move {
                for k in 0..p.updates {
                    state.record(bucket(t, k));
                }
            })
        })
        .collect();
    for task in tasks {
        task.await;
    }
    state.snapshot().digest()
}

/// T tasks locking the runtime's async mutex per update; the root digests the final
/// state through the same mutex.
async fn async_mutex<R: AsyncRuntime>(rt: &R, p: SharedParams) -> u64 {
    let state = Arc::new(rt.mutex(State::default()));
    let tasks: Vec<_> = (0..p.workers)
        .map(|t| {
            let state = Arc::clone(&state);
            rt.spawn(async move {
                for k in 0..p.updates {
                    let b = bucket(t, k);
                    R::with_lock(&*state, move |s: &mut State| s.record(b)).await;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await;
    }
    R::with_lock(&*state, |s: &mut State| s.digest()).await
}

/// T tasks each returning a private state by value; the root merges them field by
/// field and digests the merge.
async fn merge_async<R: AsyncRuntime>(rt: &R, p: SharedParams) -> u64 {
    let tasks: Vec<_> = p
        .my_workers()
        .map(|t| {
            rt.spawn(async move {
                let mut mine = State::default();
                for k in 0..p.updates {
                    mine.record(bucket(t, k));
                }
                mine
            })
        })
        .collect();
    let mut merged = State::default();
    for task in tasks {
        merged.merge(&task.await);
    }
    merged.digest()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rtcompare_api::{Concurrency, Job};

    fn params(scheme: Scheme, workers: usize, updates: u64) -> SharedParams {
        SharedParams {
            scheme,
            workers,
            updates,
            share: None,
        }
    }

    /// Worker `t`'s updates applied to a fresh private state.
    fn private(t: usize, updates: u64) -> State {
        let mut s = State::default();
        for k in 0..updates {
            s.record(bucket(t, k));
        }
        s
    }

    #[test]
    fn expected_matches_a_sequential_simulation() {
        for (workers, updates) in [(8, 2_000), (3, 17), (1, 1), (5, 0), (0, 9)] {
            // Interleave the workers round-robin into one state, as a fair lock might.
            let mut state = State::default();
            for k in 0..updates {
                for t in 0..workers {
                    state.record(bucket(t, k));
                }
            }
            assert_eq!(state.counter, workers as u64 * updates);
            assert_eq!(state.buckets.iter().sum::<u64>(), state.counter);
            let p = params(Scheme::Mutex, workers, updates);
            assert_eq!(
                SharedMutex::expected(&p),
                state.digest(),
                "T {workers} U {updates}"
            );
        }
    }

    #[test]
    fn digest_is_linear() {
        let parts: Vec<State> = (0..6).map(|t| private(t, 1_000 + 37 * t as u64)).collect();
        let mut merged = State::default();
        for part in &parts {
            merged.merge(part);
        }
        let summed = parts.iter().fold(0u64, |s, p| s.wrapping_add(p.digest()));
        assert_eq!(summed, merged.digest());
        // Still so when the products wrap.
        let big = State {
            counter: u64::MAX - 3,
            buckets: [u64::MAX / 3; BUCKETS],
        };
        let mut twice = big;
        twice.merge(&big);
        assert_eq!(big.digest().wrapping_add(big.digest()), twice.digest());
    }

    #[test]
    fn digest_catches_lost_and_misrouted_updates() {
        let mut s = private(0, 500);
        let good = s.digest();
        let full = s.buckets.iter().position(|&c| c > 0).unwrap();
        let other = (full + 1) % BUCKETS;
        s.buckets[full] -= 1;
        s.buckets[other] += 1;
        assert_ne!(s.digest(), good, "an update moved to another bucket");
        s.buckets[other] -= 1;
        s.counter -= 1;
        assert_ne!(s.digest(), good, "a lost update");
        // Weights are distinct, so no move between two buckets goes unnoticed.
        let mut weights = WEIGHTS.to_vec();
        weights.sort_unstable();
        weights.dedup();
        assert_eq!(weights.len(), BUCKETS);
    }

    #[test]
    fn updates_spread_over_every_bucket() {
        let s = private(3, 16_000);
        for (b, &count) in s.buckets.iter().enumerate() {
            assert!(
                (800..1_200).contains(&count),
                "bucket {b}: {count} of 16,000"
            );
        }
    }

    #[test]
    fn separate_processes_run_only_merge() {
        let sep = Some(AddressSpace::Separate);
        assert_eq!(applies(Scheme::Mutex, sep).unwrap_err(), NO_SHARED_MEMORY);
        assert_eq!(applies(Scheme::Atomic, sep).unwrap_err(), NO_SHARED_MEMORY);
        assert_eq!(applies(Scheme::AsyncMutex, sep).unwrap_err(), NEEDS_ASYNC);
        assert!(applies(Scheme::Merge, sep).is_ok());
    }

    #[test]
    fn async_mutex_needs_an_async_runner() {
        let shared = Some(AddressSpace::Shared);
        assert_eq!(
            applies(Scheme::AsyncMutex, shared).unwrap_err(),
            NEEDS_ASYNC
        );
        for scheme in [Scheme::Mutex, Scheme::Atomic, Scheme::Merge] {
            assert!(applies(scheme, shared).is_ok(), "{scheme:?}");
        }
        for scheme in [
            Scheme::Mutex,
            Scheme::Atomic,
            Scheme::AsyncMutex,
            Scheme::Merge,
        ] {
            assert!(
                applies(scheme, None).is_ok(),
                "{scheme:?} on an async runner"
            );
        }
        // Through the trait, with the contexts the harness builds.
        let p = SharedAsyncMutex::params(Preset::Tiny);
        let blocking = FitContext {
            concurrency: Some(Concurrency::Bounded(2)),
            address_space: shared,
            ..FitContext::for_async(Preset::Tiny)
        };
        assert_eq!(
            SharedAsyncMutex::fit(p, &blocking).err().as_deref(),
            Some(NEEDS_ASYNC)
        );
        assert!(SharedAsyncMutex::fit(p, &FitContext::for_async(Preset::Tiny)).is_ok());
    }

    /// One scoped thread per job: real contention on the shared structure.
    struct PerJob;
    impl Strategy for PerJob {
        fn concurrency(&self) -> Concurrency {
            Concurrency::PerJob { cap: 64 }
        }
        fn run(&self, jobs: usize, job: Job<'_>) -> u64 {
            std::thread::scope(|s| {
                let hs: Vec<_> = (0..jobs).map(|i| s.spawn(move || job(i))).collect();
                hs.into_iter()
                    .fold(0u64, |sum, h| sum.wrapping_add(h.join().unwrap()))
            })
        }
    }

    #[test]
    fn blocking_bodies_reproduce_the_expected_digest() {
        for scheme in [Scheme::Mutex, Scheme::Atomic, Scheme::Merge] {
            for (workers, updates) in [(4, 10_000), (8, 5_000), (1, 3)] {
                let p = params(scheme, workers, updates);
                let expected = SharedMutex::expected(&p);
                let out = match scheme {
                    Scheme::Mutex => SharedMutex::run_blocking(&PerJob, &p),
                    Scheme::Atomic => SharedAtomic::run_blocking(&PerJob, &p),
                    _ => SharedMerge::run_blocking(&PerJob, &p),
                };
                assert_eq!(out.checksum, expected, "{scheme:?} T {workers} U {updates}");
                assert_eq!(out.ops, Some(workers as u64 * updates));
            }
        }
    }
}

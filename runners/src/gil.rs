//! `gil`: N persistent OS threads taking jobs from one shared queue (like
//! `thread-pool`), but every job runs while holding one global lock: an emulation of
//! CPython's global interpreter lock, the "new GIL" of CPython 3.2 and later.
//!
//! This module owns the lock ([`GlobalLock`]), the per-worker [`ThreadHooks`] that
//! release it around blocking waits and hand it over at the CPU kernel's checkpoints,
//! and the pool that runs jobs under it. What it emulates, and where it differs:
//!
//! - A worker takes the lock before a job and releases it after (a guard releases it
//!   also when the job panics).
//! - Around a blocking wait ([`rtcompare_api::blocking`]: sleeps, socket calls,
//!   channel receives) the worker releases the lock and takes it back afterwards, as
//!   CPython releases the GIL around blocking system calls.
//! - Switch interval and drop request: a thread that wants the lock waits on a condvar
//!   for [`SWITCH_INTERVAL`] (CPython's `sys.getswitchinterval()`, 5 ms). If the
//!   interval runs out and no switch happened meanwhile, the waiter sets the drop
//!   request (an `AtomicBool`). The holder sees it at its next
//!   [`checkpoint`](rtcompare_api::checkpoint) (the kernel calls one about every 80 µs
//!   of work), releases the lock and — like CPython's `FORCE_SWITCHING` — waits until
//!   another thread has actually taken it before queueing for it again, so a hand-off
//!   really happens. Without that wait the releasing thread, already running, would
//!   usually win the lock back at once: a plain `std::sync::Mutex` handed the same
//!   thread 63 of 64 chunks in a bare test.
//! - A switch is a change of holder. A worker that finishes a job releases the lock
//!   and may take it straight back for its next job; that is not a switch, so it
//!   neither restarts a waiter's interval nor cancels its drop request. (A CPython pool
//!   worker keeps the GIL from one queued job to the next; releasing it at each job's
//!   end would otherwise let one worker starve the other with jobs shorter than the
//!   interval, which CPython does not do.) For the same reason a waiter's interval is
//!   measured from when it began waiting or from the last switch, not restarted by
//!   every wake-up.

use crate::pool::SharedQueue;
use crate::{Runner, RunnerError, RunnerInfo, ThreadsKnob};
use rtcompare_api::{Class, Concurrency, Family, Job, Nesting, Strategy, ThreadHooks, Visitor};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long a thread waits for the lock before it asks the holder to drop it:
/// CPython's default switch interval (`sys.getswitchinterval()` returns 0.005).
pub const SWITCH_INTERVAL: Duration = Duration::from_millis(5);

/// The emulated GIL runner.
pub struct Gil;

/// The global lock.
///
/// Its state is a `Mutex<State>` with two condvars rather than an atomic flag: a
/// waiter must sleep with a timeout (the switch interval) and decide, atomically with
/// its wake-up, whether a switch happened meanwhile (holder and switch counter), and
/// the forced switch needs a second wait ("until someone else holds it"). CPython's
/// GIL is built the same way (a mutex, `cond` and `switch_cond`). Only the drop
/// request lives outside the mutex, so the holder's checkpoint costs one relaxed load.
struct GlobalLock {
    state: Mutex<State>,
    /// Signalled when the lock is released while threads wait for it.
    free: Condvar,
    /// Signalled when a switch happens while a releaser waits for one.
    switched: Condvar,
    /// Set by a waiter whose switch interval ran out with no switch; cleared by the
    /// next switch. Written under `state`'s mutex, read without it by the holder.
    drop_request: AtomicBool,
    interval: Duration,
}

#[derive(Default)]
struct State {
    /// The worker holding the lock.
    holder: Option<usize>,
    /// The worker that held it last (it may have released it since).
    last_holder: Option<usize>,
    /// Changes of holder so far: what a waiter watches to tell whether a switch
    /// happened during its interval.
    switches: u64,
    /// Releases forced by a drop request; each waits for a switch, so there are never
    /// more of them than switches.
    forced: u64,
    /// Threads waiting in [`GlobalLock::acquire`].
    waiting: usize,
    /// Threads waiting for a switch after a forced release.
    awaiting_switch: usize,
}

impl GlobalLock {
    fn new(interval: Duration) -> Self {
        GlobalLock {
            state: Mutex::default(),
            free: Condvar::new(),
            switched: Condvar::new(),
            drop_request: AtomicBool::new(false),
            interval,
        }
    }

    /// The state; no code panics while holding it, but a poisoned lock must not turn
    /// one failed job into a failed pool.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes the lock for worker `me`, waiting as long as it takes; asks the holder to
    /// drop it whenever a whole switch interval passes without a switch.
    fn acquire(&self, me: usize) {
        let mut state = self.lock();
        if state.holder.is_none() {
            self.take(&mut state, me);
            return;
        }
        state.waiting += 1;
        let mut seen = state.switches;
        let mut deadline = Instant::now() + self.interval;
        while state.holder.is_some() {
            let now = Instant::now();
            if state.switches != seen {
                // Someone else got it meanwhile: a fresh interval, as in CPython.
                seen = state.switches;
                deadline = now + self.interval;
            } else if now >= deadline {
                self.drop_request.store(true, Ordering::Relaxed);
                deadline = now + self.interval;
            }
            state = self
                .free
                .wait_timeout(state, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        state.waiting -= 1;
        self.take(&mut state, me);
    }

    fn take(&self, state: &mut State, me: usize) {
        state.holder = Some(me);
        if state.last_holder != Some(me) {
            state.last_holder = Some(me);
            state.switches += 1;
            // Any switch answers a pending drop request.
            self.drop_request.store(false, Ordering::Relaxed);
            if state.awaiting_switch > 0 {
                self.switched.notify_all();
            }
        }
    }

    /// Releases the lock if `me` holds it (a no-op otherwise: after a panic inside a
    /// blocking wait the worker no longer holds it). With a drop request pending it
    /// waits until another thread has taken the lock (`FORCE_SWITCHING`).
    fn release(&self, me: usize) {
        let state = self.lock();
        if state.holder == Some(me) {
            self.release_held(state);
        }
    }

    /// The holder's side of a drop request: releases the lock if `me` holds it and a
    /// waiter asked for it; returns whether it did (and so must take it back).
    fn hand_over(&self, me: usize) -> bool {
        let state = self.lock();
        let asked = state.holder == Some(me) && self.drop_request.load(Ordering::Relaxed);
        if asked {
            self.release_held(state);
        }
        asked
    }

    fn release_held(&self, mut state: MutexGuard<'_, State>) {
        state.holder = None;
        if state.waiting > 0 {
            self.free.notify_one();
        }
        // A drop request means a waiter is in `acquire` and will take the lock, so
        // this wait ends; it keeps the releaser, already on a CPU, from winning it back.
        if self.drop_request.load(Ordering::Relaxed) {
            let seen = state.switches;
            state.forced += 1;
            state.awaiting_switch += 1;
            while state.switches == seen {
                state = self
                    .switched
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            state.awaiting_switch -= 1;
        }
    }

    /// Switches and forced releases so far.
    #[cfg(test)]
    fn counts(&self) -> (u64, u64) {
        let state = self.lock();
        (state.switches, state.forced)
    }
}

/// One worker's hooks: which worker it is, and how deep in blocking waits it is.
struct WorkerHooks {
    gil: Arc<GlobalLock>,
    me: usize,
    /// Nested blocking waits in progress; the lock is released at the outermost.
    /// Touched only by this worker's thread (atomic only because hooks are `Sync`).
    waits: AtomicUsize,
}

impl ThreadHooks for WorkerHooks {
    #[inline]
    fn checkpoint(&self) {
        // The fast path: no drop request, one relaxed load.
        if self.gil.drop_request.load(Ordering::Relaxed) {
            self.yield_lock();
        }
    }

    fn before_wait(&self) {
        if self.waits.fetch_add(1, Ordering::Relaxed) == 0 {
            self.gil.release(self.me);
        }
    }

    fn after_wait(&self) {
        if self.waits.fetch_sub(1, Ordering::Relaxed) == 1 {
            self.gil.acquire(self.me);
        }
    }
}

impl WorkerHooks {
    #[cold]
    fn yield_lock(&self) {
        // Inside a blocking wait this thread does not hold the lock.
        if self.waits.load(Ordering::Relaxed) == 0 && self.gil.hand_over(self.me) {
            self.gil.acquire(self.me);
        }
    }

    /// Takes the lock for one job; the guard releases it when the job ends, also by
    /// unwinding.
    fn hold(&self) -> Held<'_> {
        self.gil.acquire(self.me);
        Held(self)
    }
}

/// The lock held for one job.
struct Held<'a>(&'a WorkerHooks);

impl Drop for Held<'_> {
    fn drop(&mut self) {
        // A panic inside a blocking wait skips its `after_wait`: forget that wait.
        self.0.waits.store(0, Ordering::Relaxed);
        self.0.gil.release(self.0.me);
    }
}

struct Pool {
    queue: Arc<SharedQueue>,
    workers: Vec<JoinHandle<()>>,
    /// The workers' hooks, for tests to look inside.
    #[cfg(test)]
    hooks: Vec<Arc<WorkerHooks>>,
}

impl Pool {
    fn new(threads: usize, interval: Duration) -> std::io::Result<Pool> {
        let queue = Arc::new(SharedQueue::default());
        let gil = Arc::new(GlobalLock::new(interval));
        let hooks: Vec<_> = (0..threads)
            .map(|me| {
                Arc::new(WorkerHooks {
                    gil: Arc::clone(&gil),
                    me,
                    waits: AtomicUsize::new(0),
                })
            })
            .collect();
        let workers = hooks
            .iter()
            .map(|hooks| {
                let queue = Arc::clone(&queue);
                let hooks = Arc::clone(hooks);
                std::thread::Builder::new()
                    .name(format!("gil-{}", hooks.me))
                    .spawn(move || work(&queue, hooks))
            })
            .collect::<Result<_, _>>()?;
        Ok(Pool {
            queue,
            workers,
            #[cfg(test)]
            hooks,
        })
    }
}

fn work(queue: &SharedQueue, hooks: Arc<WorkerHooks>) {
    rtcompare_api::set_thread_hooks(Some(Arc::clone(&hooks) as Arc<dyn ThreadHooks>));
    // Idle workers wait for jobs without the lock, as a CPython thread blocked on a
    // queue does.
    while let Some(part) = queue.next() {
        let _held = hooks.hold();
        part.run();
    }
}

impl Strategy for Pool {
    fn concurrency(&self) -> Concurrency {
        Concurrency::Bounded(self.workers.len())
    }

    fn run(&self, jobs: usize, job: Job<'_>) -> u64 {
        self.queue.run_batch(jobs, job)
    }

    /// Both halves run on the calling thread under the lock it already holds: with
    /// one global lock there is nothing to gain from another thread, which is the
    /// truth for a GIL.
    fn nesting(&self) -> Nesting {
        Nesting::Inline
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.queue.shut_down();
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

impl Runner for Gil {
    const INFO: RunnerInfo = RunnerInfo {
        id: "gil",
        class: Class::ConcurrentSerialized,
        family: Family::OsScheduler,
        threads: ThreadsKnob::Workers,
        summary: "N std threads on one shared queue, every job run under one global lock (an \
             emulated GIL): a thread kept waiting a 5 ms switch interval sets a drop request \
             and the holder hands the lock over at its next checkpoint",
        timer: "std::thread::sleep (the GIL released around it)",
        channel: "std::sync::mpsc",
        net: "std::net, blocking; a job per connection on N threads, the GIL released around socket calls",
        offload: "n/a",
        caveats: &[
            "an emulation of CPython's GIL (the new GIL since 3.2: a 5 ms switch interval, a \
             drop request from a thread kept waiting that long, forced switching so the holder \
             cannot win the lock straight back), not CPython: the jobs are Rust code, so it \
             shows what serialising threads costs, not what the interpreter costs",
            "the lock is taken per job and handed over at the kernel's checkpoints (about \
             every 80 µs of work), at a job's end or around a blocking wait, so a switch can \
             happen only there (CPython checks between bytecodes)",
            "a worker that finishes a job may take the lock straight back for its next one \
             (a CPython pool worker keeps it); that is not a switch, so the 5 ms interval of \
             a waiting thread keeps running and ends in a drop request",
        ],
        baseline: None,
    };

    fn execute<V: Visitor>(threads: usize, visitor: V) -> Result<V::Out, RunnerError> {
        let pool = Pool::new(threads, SWITCH_INTERVAL).map_err(|e| RunnerError::Build {
            runner: Self::INFO.id,
            message: e.to_string(),
        })?;
        Ok(visitor.visit_blocking(&pool))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rtcompare_api::{blocking, checkpoint};
    use std::hint::black_box;
    use std::panic::{AssertUnwindSafe, catch_unwind};
    use std::sync::mpsc;

    fn pool(threads: usize) -> Pool {
        Pool::new(threads, SWITCH_INTERVAL).unwrap()
    }

    /// About `micros` µs of CPU work (a dependent multiply-add chain).
    fn spin_for(micros: u64) {
        let start = Instant::now();
        let mut x = 1u64;
        while start.elapsed() < Duration::from_micros(micros) {
            for _ in 0..256 {
                x = black_box(x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1));
            }
        }
        black_box(x);
    }

    /// `total` µs of work in stretches of ~80 µs with a checkpoint between them, as the
    /// kernel does; the time spent in checkpoints (waiting for the lock) is not work.
    /// `each` is called after every stretch with the stretch's number.
    fn work_with_checkpoints(total: u64, mut each: impl FnMut(u64)) {
        let mut done = Duration::ZERO;
        let mut stretch = 0;
        while done < Duration::from_micros(total) {
            let start = Instant::now();
            spin_for(80);
            done += start.elapsed();
            each(stretch);
            stretch += 1;
            checkpoint();
        }
    }

    /// Threads inside a compute stretch at once, and the most ever seen.
    #[derive(Default)]
    struct Overlap {
        inside: AtomicUsize,
        most: AtomicUsize,
        stretches: AtomicUsize,
    }

    impl Overlap {
        fn enter(&self) {
            let now = self.inside.fetch_add(1, Ordering::SeqCst) + 1;
            self.most.fetch_max(now, Ordering::SeqCst);
            self.stretches.fetch_add(1, Ordering::Relaxed);
        }

        fn leave(&self) {
            self.inside.fetch_sub(1, Ordering::SeqCst);
        }

        /// A job: stretches of work between checkpoints, a blocking wait in the middle.
        fn job(&self, i: usize) -> u64 {
            let stretch = || {
                self.enter();
                spin_for(80);
                self.leave();
            };
            for _ in 0..5 {
                stretch();
                checkpoint();
            }
            // Outside the lock while waiting: not counted as inside.
            blocking(|| std::thread::sleep(Duration::from_micros(200)));
            for _ in 0..5 {
                stretch();
                checkpoint();
            }
            i as u64
        }
    }

    #[test]
    fn only_one_thread_computes_at_a_time() {
        let pool = pool(4);
        let overlap = Overlap::default();
        let jobs = 200;
        let sum = pool.run(jobs, &|i| overlap.job(i));
        assert_eq!(sum, (0..jobs as u64).sum::<u64>());
        assert_eq!(overlap.stretches.load(Ordering::Relaxed), jobs * 10);
        assert_eq!(
            overlap.most.load(Ordering::SeqCst),
            1,
            "two jobs computed at once"
        );
        // The hand-overs happened at checkpoints and waits, not only at job ends.
        assert!(pool.hooks[0].gil.counts().0 > 1);
    }

    /// The detector above can fail: the same jobs on plain threads (no lock) overlap.
    #[test]
    fn overlap_is_detected_without_the_lock() {
        let overlap = Overlap::default();
        std::thread::scope(|s| {
            for t in 0..4 {
                let overlap = &overlap;
                s.spawn(move || (0..50).map(|i| overlap.job(t * 50 + i)).sum::<u64>());
            }
        });
        assert!(overlap.most.load(Ordering::SeqCst) > 1);
    }

    #[test]
    fn short_jobs_are_shared_fairly() {
        let pool = pool(2);
        let by_worker: Vec<AtomicUsize> = (0..2).map(|_| AtomicUsize::new(0)).collect();
        pool.run(64, &|_| {
            work_with_checkpoints(2_000, |_| {});
            let name = std::thread::current().name().unwrap().to_owned();
            let worker: usize = name.strip_prefix("gil-").unwrap().parse().unwrap();
            by_worker[worker].fetch_add(1, Ordering::Relaxed);
            0
        });
        let counts: Vec<usize> = by_worker
            .iter()
            .map(|c| c.load(Ordering::Relaxed))
            .collect();
        assert_eq!(counts.iter().sum::<usize>(), 64);
        assert!(
            counts.iter().all(|&c| c >= 16),
            "unfair split of 64 chunks over 2 threads: {counts:?}"
        );
    }

    #[test]
    fn long_jobs_take_turns_every_switch_interval() {
        let pool = pool(2);
        // Which job ran each stretch, in order.
        let order = Mutex::new(Vec::new());
        let start = Instant::now();
        pool.run(2, &|i| {
            work_with_checkpoints(100_000, |_| order.lock().unwrap().push(i));
            0
        });
        let elapsed = start.elapsed();
        let order = order.into_inner().unwrap();
        let hand_offs = order.windows(2).filter(|w| w[0] != w[1]).count();
        // 200 ms of work in 5 ms turns is about 40 hand-offs on an idle machine; a
        // lock that never hands over gives 1. A loaded machine wakes the waiter late
        // (5 ms sleeps took up to 20 ms here beside a spinning thread), which stretches
        // the turns: 11 to 22 hand-offs were seen with other builds running.
        assert!(
            hand_offs >= 5,
            "{hand_offs} hand-offs in {elapsed:?} between two 100 ms jobs"
        );
        let (switches, forced) = pool.hooks[0].gil.counts();
        assert!(switches >= hand_offs as u64);
        // Every drop request was answered by a real switch, not by the holder
        // releasing and winning the lock straight back.
        assert!(
            forced >= 1 && forced <= switches,
            "{forced} forced releases, {switches} switches"
        );
        // Serialised: the two jobs took about their sum, not the time of one.
        assert!(elapsed >= Duration::from_millis(190), "{elapsed:?}");
    }

    #[test]
    fn waits_overlap() {
        let pool = pool(4);
        let start = Instant::now();
        let sum = pool.run(4, &|_| {
            blocking(|| std::thread::sleep(Duration::from_millis(50)));
            1
        });
        let elapsed = start.elapsed();
        assert_eq!(sum, 4);
        // Serialised sleeps would take 200 ms.
        assert!(elapsed < Duration::from_millis(150), "{elapsed:?}");
    }

    /// Runs `f` on its own thread and fails if it takes over 10 s (a lock never
    /// released hangs instead of failing).
    fn within_10s<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(f());
        });
        match rx.recv_timeout(Duration::from_secs(10)) {
            Ok(value) => value,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                panic!("no answer within 10 s: the lock was not released")
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => panic!("the test thread panicked"),
        }
    }

    #[test]
    fn a_panicking_job_releases_the_lock() {
        let pool = Arc::new(pool(2));
        for panic_in_wait in [false, true] {
            let shared = Arc::clone(&pool);
            let (failed, sum, most, sleeps) = within_10s(move || {
                let pool = shared;
                let failed = catch_unwind(AssertUnwindSafe(|| {
                    pool.run(4, &|i| {
                        if i == 1 {
                            if panic_in_wait {
                                blocking(|| panic!("job {i} failed while waiting"));
                            }
                            panic!("job {i} failed");
                        }
                        work_with_checkpoints(1_000, |_| {});
                        1
                    })
                }));
                // The next batches run, still one at a time, still releasing the lock
                // around waits (a panic inside a wait skipped its `after_wait`).
                let overlap = Overlap::default();
                let sum = pool.run(8, &|i| overlap.job(i));
                let start = Instant::now();
                pool.run(2, &|_| {
                    blocking(|| std::thread::sleep(Duration::from_millis(100)));
                    0
                });
                let most = overlap.most.load(Ordering::SeqCst);
                (failed.is_err(), sum, most, start.elapsed())
            });
            // Between batches nobody holds the lock and no worker thinks it is waiting.
            // A worker drops its hold just after its last part is counted done, so
            // give it a moment to get there.
            let deadline = Instant::now() + Duration::from_secs(1);
            while pool.hooks[0].gil.lock().holder.is_some() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(1));
            }
            assert_eq!(pool.hooks[0].gil.lock().holder, None);
            for hooks in &pool.hooks {
                assert_eq!(
                    hooks.waits.load(Ordering::Relaxed),
                    0,
                    "worker {}",
                    hooks.me
                );
            }
            assert!(failed, "the panic did not reach the caller");
            assert_eq!(sum, (0..8).sum::<u64>());
            assert_eq!(most, 1);
            // Serialised, the two sleeps would take 200 ms.
            assert!(sleeps < Duration::from_millis(180), "{sleeps:?}");
        }
    }

    #[test]
    fn the_summary_names_the_switch_interval() {
        let ms = format!("{} ms", SWITCH_INTERVAL.as_millis());
        assert!(Gil::INFO.summary.contains(&ms));
        assert!(Gil::INFO.caveats[0].contains(&ms));
    }
}

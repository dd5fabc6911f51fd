//! `may`: stackful coroutines on may's work-stealing scheduler, the third model
//! beside async/await and OS threads. A blocking runner: every job of a batch runs
//! blocking-style code in a coroutine of its own, spawned from a root coroutine (so
//! from inside the runtime) on exactly `--threads` worker threads. Its jobs sleep on
//! may's timer and accept and echo on may's sockets through
//! [`Strategy::sleep`] and [`Strategy::accept`]; any other blocking call would stall a
//! worker, so it says [`Waits::Own`] and the workloads that wait otherwise are n/a.
//!
//! This module owns may's process-global scheduler: its configuration (set once,
//! before its first use), finding and naming its threads so the census counts them,
//! and the lifetime erasure that lets a coroutine run a borrowed job.

use crate::{Runner, RunnerError, RunnerInfo, ThreadsKnob, census};
use may::coroutine::{Builder, JoinHandle};
use may::sync::{Mutex as CoMutex, SyncFlag};
use rtcompare_api::{
    Class, Concurrency, Conn, Family, Held, Job, Nesting, Spawns, Strategy, Task, Visitor, Waits,
    panic_message,
};
use std::any::Any;
use std::collections::BTreeSet;
use std::io;
use std::net::{SocketAddr, TcpListener};
use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd, RawFd};
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Stackful coroutines on may's scheduler.
pub struct May;

/// Every coroutine's stack, in words (may counts stack sizes in `usize`s): 64 KiB on
/// 64-bit targets, twice may's default. The jobs' own frames are small (the CPU
/// kernel is a loop; fork-join recurses 12 levels at most), but a panic's report with a
/// symbolised backtrace took 20 to 24 KiB when measured here, and a panic must fail the
/// cell with its message, not overflow. Even, so may does not track and print usage.
const STACK_WORDS: usize = 0x2000;

/// Memory mappings each live coroutine holds: its stack and the guard page below it.
const MAPS_PER_COROUTINE: usize = 2;

/// Mappings left for the rest of the process (heap, libraries, thread stacks) and for
/// the 1,000 idle coroutines may keeps in its pool, each with its own stack.
const SPARE_MAPS: usize = 8_192 + MAPS_PER_COROUTINE * 1_000;

/// How a worker is named (with its index), and the census group it falls into.
const WORKER_NAME: &str = "may-worker";

/// How may's timer thread is named.
const TIMER_NAME: &str = "may-timer";

/// Why may's threads are not what was asked for.
const ALREADY_STARTED: &str = "may's scheduler is process-global and starts once, with the \
     worker count set before its first use; this process had started it already";
const NOT_STARTED: &str = "may's scheduler did not start one worker per --threads beside \
     its timer thread";

/// The worker count may's scheduler was started with in this process, and how that
/// went.
static STARTED: Mutex<Option<(usize, Started)>> = Mutex::new(None);

/// How starting may's scheduler went.
enum Started {
    Ok,
    /// It started, with `found` workers.
    Count {
        found: usize,
        why: &'static str,
    },
    /// Finding or naming its threads failed.
    Failed(String),
}

/// Jobs as coroutines.
struct Coroutines {
    /// Most coroutines alive at once ([`coroutine_cap`]).
    cap: usize,
    /// The cell's listener on may's reactor, adopted by the first accept. Locked for
    /// the whole accept: a may listener has room for one waiting coroutine, and one
    /// acceptor at a time is what the kernel's wake-one accept gives OS threads.
    acceptor: CoMutex<Option<Adopted>>,
}

/// A std listener's duplicate, registered with may's reactor.
struct Adopted {
    /// The std listener's descriptor and address, so a different listener is adopted
    /// afresh (its duplicate holds the old socket open, so the address stays unique).
    key: (RawFd, SocketAddr),
    listener: may::net::TcpListener,
}

impl Strategy for Coroutines {
    fn concurrency(&self) -> Concurrency {
        Concurrency::PerJob { cap: self.cap }
    }

    /// A root coroutine spawns a coroutine per job (at most `cap` alive, in waves) and
    /// joins them; the calling thread waits for the root.
    fn run(&self, jobs: usize, job: Job<'_>) -> u64 {
        if jobs == 0 {
            return 0;
        }
        let cap = self.cap;
        if may::coroutine::is_coroutine() {
            return waves(jobs, job, cap);
        }
        // SAFETY: the root is joined below, before `job`'s borrow ends, and it joins
        // every coroutine it gives `job` to before it ends (see `waves`).
        let job = unsafe { erase_job(job) };
        let root = spawn(move || waves(jobs, job, cap))
            .unwrap_or_else(|e| panic!("may: cannot spawn the root coroutine: {e}"));
        root.join().unwrap_or_else(|payload| rethrow(payload))
    }

    fn nesting(&self) -> Nesting {
        Nesting::Parallel
    }

    /// A new coroutine for `left`, `right` in the calling one, then a join that
    /// suspends the caller (not its worker) until `left` is done.
    fn join(&self, left: Task<'_>, right: Task<'_>) -> (u64, u64) {
        // SAFETY: `forked` is joined below before `left`'s borrow ends, also when
        // `right` panics (caught first, so nothing unwinds past a live borrow).
        let left = unsafe { erase_task(left) };
        let forked = spawn(left)
            .unwrap_or_else(|e| panic!("may: cannot spawn a coroutine for a subtask: {e}"));
        let right = catch_unwind(AssertUnwindSafe(right));
        match (forked.join(), right) {
            (Ok(left), Ok(right)) => (left, right),
            (Err(payload), _) => rethrow(payload),
            (Ok(_), Err(payload)) => resume_unwind(payload),
        }
    }

    fn spawns(&self) -> Option<Spawns> {
        Some(Spawns {
            unit: "coroutine",
            cap: self.cap,
        })
    }

    /// As the default, but parked on may's `SyncFlag`, which suspends the coroutine:
    /// std's condition variable would block its worker, and no more than N coroutines
    /// would ever be alive and waiting.
    fn spawn_held(&self, jobs: usize, job: Job<'_>, read: &(dyn Fn(Held) + Sync)) -> u64 {
        /// Far beyond what spawning the cap takes, short of a cell's timeout.
        const HOLD_LIMIT: Duration = Duration::from_secs(60);
        let arrived = AtomicUsize::new(0);
        let open = SyncFlag::new();
        read(Held::Before);
        self.spawn_each(jobs, &|i| {
            let value = job(i);
            if arrived.fetch_add(1, Ordering::AcqRel) + 1 == jobs {
                read(Held::AllAlive);
                open.fire();
            } else {
                assert!(
                    open.wait_timeout(HOLD_LIMIT),
                    "only {} of {jobs} coroutines arrived within {HOLD_LIMIT:?}: they are not \
                     all alive at once",
                    arrived.load(Ordering::Relaxed)
                );
            }
            value
        })
    }

    fn waits(&self) -> Waits {
        Waits::Own
    }

    /// may's timer: the coroutine is suspended and, when the timer fires, resumed by
    /// may's timer thread. Outside a coroutine, may falls back to `thread::sleep`.
    fn sleep(&self, duration: Duration) {
        may::coroutine::sleep(duration);
    }

    /// Accepts on may's reactor (the coroutine is suspended until a connection
    /// comes) and returns may's stream, whose reads and writes suspend only the job.
    fn accept(&self, listener: &TcpListener) -> io::Result<Conn> {
        let key = (listener.as_raw_fd(), listener.local_addr()?);
        let mut acceptor = self.acceptor.lock().unwrap_or_else(PoisonError::into_inner);
        let adopted = match acceptor.take() {
            Some(adopted) if adopted.key == key => adopted,
            _ => Adopted {
                key,
                listener: adopt(listener)?,
            },
        };
        let accepted = adopted.listener.accept();
        *acceptor = Some(adopted);
        drop(acceptor);
        let (stream, _) = accepted?;
        stream.set_nodelay(true)?;
        Ok(Conn::Own(Box::new(stream)))
    }
}

/// `listener`'s duplicate on may's reactor. may makes the duplicate non-blocking,
/// which the original shares (one open file): only this runner accepts on it in the
/// cell process.
fn adopt(listener: &TcpListener) -> io::Result<may::net::TcpListener> {
    let duplicate = listener.try_clone()?;
    // SAFETY: `duplicate` is an open listening socket owned here; `into_raw_fd` hands
    // that ownership to may's listener, which closes it when dropped.
    Ok(unsafe { may::net::TcpListener::from_raw_fd(duplicate.into_raw_fd()) })
}

/// Spawns a coroutine per job in waves of at most `cap`, joins each wave, and returns
/// the wrapping sum. Every coroutine spawned is joined before this returns or
/// unwinds, as [`erase_job`] requires: a failed spawn ends the wave's spawning, and
/// its error or a job's panic is raised only once the whole wave is joined.
fn waves(jobs: usize, job: Job<'_>, cap: usize) -> u64 {
    // SAFETY: every coroutine given `job` is joined below, before this returns or
    // unwinds (see above).
    let job = unsafe { erase_job(job) };
    let mut sum = 0u64;
    let mut handles = Vec::with_capacity(jobs.min(cap));
    for wave in (0..jobs).step_by(cap) {
        let mut failed = None;
        for i in wave..jobs.min(wave + cap) {
            // may panics when it cannot map a stack: caught, so that nothing unwinds
            // while spawned coroutines still run.
            match catch_unwind(AssertUnwindSafe(|| spawn(move || job(i)))) {
                Ok(Ok(handle)) => handles.push(handle),
                Ok(Err(e)) => failed = Some(format!("may: cannot spawn coroutine {i}: {e}")),
                Err(payload) => {
                    let why = panic_message(payload.as_ref());
                    failed = Some(format!("may: cannot spawn coroutine {i}: {why}"));
                }
            }
            if failed.is_some() {
                break;
            }
        }
        let mut panicked = None;
        for handle in handles.drain(..) {
            match handle.join() {
                Ok(value) => sum = sum.wrapping_add(value),
                Err(payload) => {
                    panicked.get_or_insert(payload);
                }
            }
        }
        if let Some(payload) = panicked {
            rethrow(payload);
        }
        if let Some(why) = failed {
            panic!("{why}");
        }
    }
    sum
}

/// Spawns `f` as a coroutine with may's configured stack ([`STACK_WORDS`]), from
/// may's pool of ready coroutines when it has one.
fn spawn<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> io::Result<JoinHandle<T>> {
    // SAFETY: may makes spawning unsafe for two reasons, both answered here.
    // Thread-local storage: a coroutine can resume on another thread after any wait
    // (a worker or may's timer thread), so a thread-local read before a wait and used
    // after it may be another thread's. The only thread-local the jobs read is
    // rtcompare_api's hook slot (`checkpoint`, `blocking`), never set on may's
    // threads and read afresh each time, never held across a wait; std's and may's
    // own per-thread state is not held by the jobs across a wait either. Stack: every
    // coroutine gets STACK_WORDS words above a guard page, enough for the jobs' frames
    // and a panic's report; an overflow hits the guard page, which may reports by
    // ending the coroutine with an error that `rethrow` turns into the cell's failure.
    unsafe { Builder::new().spawn(f) }
}

/// `job` with its borrow's lifetime erased, for a coroutine: may spawns only
/// `'static` closures.
///
/// # Safety
/// Every coroutine given the result must be joined before the borrow ends, on every
/// path, unwinding included.
unsafe fn erase_job<'a>(job: Job<'a>) -> Job<'static> {
    // SAFETY: the same fat reference with a longer lifetime; the caller keeps the
    // referent alive for as long as it is used.
    unsafe { std::mem::transmute::<Job<'a>, Job<'static>>(job) }
}

/// [`erase_job`] for a half of a join.
///
/// # Safety
/// As for [`erase_job`].
unsafe fn erase_task<'a>(task: Task<'a>) -> Task<'static> {
    // SAFETY: as in `erase_job`.
    unsafe { std::mem::transmute::<Task<'a>, Task<'static>>(task) }
}

/// Raises a coroutine's panic in the caller. may ends a coroutine that overflowed its
/// stack with an error that is no panic message; that one becomes a panic saying so,
/// so the cell's reason names it.
fn rethrow(payload: Box<dyn Any + Send>) -> ! {
    if payload.is::<&str>() || payload.is::<String>() {
        resume_unwind(payload);
    }
    panic!(
        "a may coroutine ended without a panic message, which is how may ends one that \
         overflowed its {} KiB stack (it prints \"coroutine ... has overflowed its stack\")",
        STACK_WORDS * size_of::<usize>() / 1024
    );
}

/// Most coroutines alive at once: each holds [`MAPS_PER_COROUTINE`] of the kernel's
/// `vm.max_map_count` mappings (65,530 by default), so that limit, not memory, is
/// the first one a batch of coroutines meets. Rounded down to a thousand.
fn coroutine_cap() -> usize {
    let max_maps = std::fs::read_to_string("/proc/sys/vm/max_map_count")
        .ok()
        .and_then(|s| s.trim().parse::<usize>().ok())
        .unwrap_or(65_530);
    (max_maps.saturating_sub(SPARE_MAPS) / MAPS_PER_COROUTINE / 1_000 * 1_000)
        .clamp(1_000, 1_000_000)
}

/// Starts may's scheduler with `threads` workers (once per process), then finds and
/// names its threads (`may-worker-i`, `may-timer`) so the census counts them under
/// may's names, and checks there are exactly `threads` workers. Later calls get the
/// first one's answer.
fn start(threads: usize) -> Result<(), RunnerError> {
    let mut started = STARTED.lock().unwrap_or_else(PoisonError::into_inner);
    let (asked, outcome) = started.get_or_insert_with(|| {
        let outcome = match start_once(threads) {
            Ok(()) => Started::Ok,
            Err(RunnerError::ThreadCount { found, why, .. }) => Started::Count { found, why },
            Err(RunnerError::Build { message, .. }) => Started::Failed(message),
            Err(e) => Started::Failed(e.to_string()),
        };
        (threads, outcome)
    });
    match outcome {
        _ if *asked != threads => Err(thread_count(threads, *asked, ALREADY_STARTED)),
        Started::Ok => Ok(()),
        Started::Count { found, why } => Err(thread_count(threads, *found, why)),
        Started::Failed(message) => Err(build_error(message.clone())),
    }
}

/// [`start`]'s work, done once.
fn start_once(threads: usize) -> Result<(), RunnerError> {
    let before = thread_ids()?;
    let config = may::config();
    config.set_workers(threads).set_stack_size(STACK_WORDS);
    // may pins worker i to core i by default; no other runner pins, so the OS
    // places may's threads as it places theirs.
    config.set_worker_pin(false);
    let workers = find_workers(threads)?; // the first spawn starts the scheduler
    if !workers.is_subset(&thread_ids()?.difference(&before).copied().collect()) {
        return Err(thread_count(threads, workers.len(), ALREADY_STARTED));
    }
    let timer = find_timer()?;
    if workers.contains(&timer) {
        return Err(thread_count(threads, workers.len(), NOT_STARTED));
    }
    for (i, &worker) in workers.iter().enumerate() {
        name_thread(worker, &format!("{WORKER_NAME}-{i}"))?;
    }
    name_thread(timer, TIMER_NAME)?;
    let found = census::count_named(WORKER_NAME);
    if found != threads {
        return Err(thread_count(threads, found, NOT_STARTED));
    }
    Ok(())
}

/// The id of may's timer thread: a sleeping coroutine is resumed there.
fn find_timer() -> Result<u32, RunnerError> {
    let probe = || {
        may::coroutine::sleep(Duration::from_micros(1));
        current_thread_id()
    };
    // SAFETY: as in `spawn`; the probe reads no thread-local.
    let handle = unsafe { Builder::new().spawn(probe) }
        .map_err(|e| build_error(format!("cannot spawn a coroutine: {e}")))?;
    handle
        .join()
        .ok()
        .flatten()
        .ok_or_else(|| build_error("cannot find may's timer thread".into()))
}

/// The ids of may's workers, as many as run coroutines at once: `threads`
/// coroutines, each spinning until all have started, can only all start on
/// different threads. A round in which two of them were queued on one worker (a
/// steal) times out and is tried again.
fn find_workers(threads: usize) -> Result<BTreeSet<u32>, RunnerError> {
    /// How long a round's coroutines wait for each other.
    const ROUND: Duration = Duration::from_millis(500);
    let mut seen = BTreeSet::new();
    for _round in 0..10 {
        let arrived = Arc::new(AtomicUsize::new(0));
        let mut handles = Vec::with_capacity(threads);
        for i in 0..threads {
            let arrived = Arc::clone(&arrived);
            let probe = move || {
                let id = current_thread_id();
                arrived.fetch_add(1, Ordering::AcqRel);
                let deadline = Instant::now() + ROUND;
                while arrived.load(Ordering::Acquire) < threads && Instant::now() < deadline {
                    std::hint::spin_loop();
                }
                (id, arrived.load(Ordering::Acquire) >= threads)
            };
            // SAFETY: as in `spawn`; the probe reads no thread-local and never waits.
            // `id(i)` queues it on worker i (mod the worker count), waking that worker.
            // A spawn that fails leaves the probes already spawned to end by
            // themselves within the round: they own what they use.
            let handle = unsafe { Builder::new().id(i).spawn(probe) }
                .map_err(|e| build_error(format!("cannot spawn a coroutine: {e}")))?;
            handles.push(handle);
        }
        let mut ids = BTreeSet::new();
        let mut together = true;
        for handle in handles {
            let (id, all) = handle.join().map_err(|p| {
                build_error(format!(
                    "a probe coroutine panicked: {}",
                    panic_message(p.as_ref())
                ))
            })?;
            ids.insert(id.ok_or_else(|| build_error("cannot read /proc/thread-self".into()))?);
            together &= all;
        }
        seen.extend(ids.iter().copied());
        if together && ids.len() == threads {
            return Ok(ids);
        }
    }
    Err(thread_count(threads, seen.len(), NOT_STARTED))
}

/// The calling OS thread's id (its entry under `/proc/self/task`).
fn current_thread_id() -> Option<u32> {
    std::fs::read_link("/proc/thread-self")
        .ok()?
        .file_name()?
        .to_str()?
        .parse()
        .ok()
}

/// The ids of this process's threads.
fn thread_ids() -> Result<BTreeSet<u32>, RunnerError> {
    let tasks = std::fs::read_dir("/proc/self/task").map_err(|e| {
        build_error(format!(
            "cannot list /proc/self/task to find may's threads: {e}"
        ))
    })?;
    Ok(tasks
        .flatten()
        .filter_map(|task| task.file_name().to_str()?.parse().ok())
        .collect())
}

/// Names thread `id` of this process (a thread may rename any thread of its own
/// process through `comm`): may's threads are unnamed, and would otherwise carry the
/// process's name, which the census reads as threads still starting.
fn name_thread(id: u32, name: &str) -> Result<(), RunnerError> {
    std::fs::write(format!("/proc/self/task/{id}/comm"), name)
        .map_err(|e| build_error(format!("cannot name may's thread {id} {name}: {e}")))
}

fn build_error(message: String) -> RunnerError {
    RunnerError::Build {
        runner: May::INFO.id,
        message,
    }
}

fn thread_count(wanted: usize, found: usize, why: &'static str) -> RunnerError {
    RunnerError::ThreadCount {
        runner: May::INFO.id,
        wanted,
        found,
        why,
    }
}

impl Runner for May {
    const INFO: RunnerInfo = RunnerInfo {
        id: "may",
        class: Class::ConcurrentParallel,
        family: Family::WorkStealing,
        threads: ThreadsKnob::Workers,
        summary: "may 0.3 stackful coroutines: a root coroutine spawns a coroutine per job \
                  (may::coroutine::Builder::spawn, 64 KiB stacks) on exactly N worker \
                  threads (may::config().set_workers(N), pinning off) and joins them; \
                  fork-join forks a coroutine per subtask",
        timer: "may::coroutine::sleep: may's timer thread, which resumes the sleeper itself",
        channel: "n/a: may has its own (may::sync::mpsc), but the blocking ring is written \
                  against std::sync::mpsc, which would block a worker; the Strategy contract \
                  routes sleeps and sockets only",
        net: "may::net::TcpListener (a duplicate of the cell's listener, one acceptor at a \
              time behind may::sync::Mutex) and may::net::TcpStream, on may's epoll loop \
              in each worker; no read or write timeouts",
        offload: "n/a (no blocking pool; a std blocking call stalls its worker)",
        caveats: &[
            "maintenance: may 0.3.51 (2025-05-13) is the latest release on crates.io; its \
             author, Xudong Huang, is its one maintainer, and its context switches rest on \
             his generator crate (0.8)",
            "may pins worker i to core i by default; pinning is off here, since no other \
             runner pins and the OS places every other runner's threads",
            "soundness: may's spawn is unsafe. Thread-local storage read before a wait and \
             used after it may be another thread's, since a coroutine resumes wherever it \
             is scheduled; here the only thread-local the jobs read is the GIL hook slot, \
             never set on may's threads and read afresh each time. A coroutine that \
             overflows its stack hits a guard page and fails (reported as such); stacks \
             here are 64 KiB, twice may's default, room for the jobs and a panic's \
             symbolised backtrace (20-24 KiB measured). A std blocking call stalls its \
             worker: jobs sleep and use sockets only through may's timer and may::net, \
             and workloads that wait any other way (channels, mixed-*) are n/a",
            "N worker threads plus may's timer thread, which resumes a coroutine whose \
             sleep ended and runs it until its next wait: code between two sleeps runs on \
             an (N+1)th thread. Spawns go round robin to the workers' queues with an \
             eventfd wake-up each; idle workers poll every 10 ms (may's default) and steal",
            "at most as many coroutines alive at once as the kernel's vm.max_map_count \
             allows (two mappings per stack; about 27,000 at the default 65,530); may keeps \
             1,000 idle coroutines with mapped stacks in a pool from start-up",
        ],
        baseline: None,
    };

    fn execute<V: Visitor>(threads: usize, visitor: V) -> Result<V::Out, RunnerError> {
        start(threads)?;
        let strategy = Coroutines {
            cap: coroutine_cap(),
            acceptor: CoMutex::new(None),
        };
        Ok(visitor.visit_blocking(&strategy))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    /// may's scheduler is process-global: every test here shares one with 2 workers.
    fn strategy() -> Coroutines {
        start(2).expect("may starts with 2 workers");
        Coroutines {
            cap: coroutine_cap(),
            acceptor: CoMutex::new(None),
        }
    }

    #[test]
    fn runs_every_job_on_exactly_the_named_workers() {
        let s = strategy();
        assert_eq!(census::count_named(WORKER_NAME), 2);
        assert_eq!(census::count_named(TIMER_NAME), 1);
        assert_eq!(s.run(1_000, &|i| i as u64), 999 * 1_000 / 2);
        assert!(matches!(
            start(3),
            Err(RunnerError::ThreadCount {
                wanted: 3,
                found: 2,
                ..
            })
        ));
        assert!(s.cap >= 1_000, "{}", s.cap);
    }

    #[test]
    fn a_panicking_job_fails_the_run_once_every_job_is_joined() {
        let s = strategy();
        let finished = AtomicUsize::new(0);
        let failed = catch_unwind(AssertUnwindSafe(|| {
            s.run(100, &|i| {
                assert!(i != 37, "job 37 fails");
                s.sleep(Duration::from_millis(2));
                finished.fetch_add(1, Ordering::Relaxed);
                1
            })
        }));
        let payload = failed.expect_err("the panic reaches the caller");
        assert!(panic_message(payload.as_ref()).contains("job 37 fails"));
        assert_eq!(
            finished.load(Ordering::Relaxed),
            99,
            "the others ran to the end"
        );
    }

    #[test]
    fn sleeps_suspend_the_coroutine_not_its_worker() {
        let s = strategy();
        let start = Instant::now();
        // 200 jobs x 20 ms on 2 workers: 2 s if a sleep held its worker.
        assert_eq!(
            s.run(200, &|_| {
                let before = Instant::now();
                s.sleep(Duration::from_millis(20));
                u64::from(before.elapsed() >= Duration::from_millis(20))
            }),
            200
        );
        assert!(
            start.elapsed() < Duration::from_millis(1_000),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn join_forks_subtasks_in_coroutines() {
        fn sum(s: &Coroutines, lo: u64, hi: u64) -> u64 {
            if hi - lo <= 4 {
                return (lo..hi).sum();
            }
            let mid = lo + (hi - lo) / 2;
            let (left, right) = s.join(&|| sum(s, lo, mid), &|| sum(s, mid, hi));
            left + right
        }
        let s = strategy();
        assert_eq!(s.nesting(), Nesting::Parallel);
        assert_eq!(s.run(1, &|_| sum(&s, 0, 10_000)), 9_999 * 10_000 / 2);
    }

    #[test]
    fn held_coroutines_are_all_alive_at_the_reading() {
        let s = strategy();
        let arrived = AtomicUsize::new(0);
        let at_reading = Mutex::new(Vec::new());
        let sum = s.spawn_held(
            2_000,
            &|i| {
                arrived.fetch_add(1, Ordering::Relaxed);
                i as u64
            },
            &|moment| {
                let n = arrived.load(Ordering::Relaxed);
                at_reading.lock().unwrap().push((moment, n));
            },
        );
        assert_eq!(sum, 1_999 * 2_000 / 2);
        assert_eq!(
            *at_reading.lock().unwrap(),
            [(Held::Before, 0), (Held::AllAlive, 2_000)]
        );
    }

    #[test]
    fn accepts_and_echoes_on_mays_reactor() {
        let s = strategy();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let clients: Vec<_> = (0..8u8)
            .map(|c| {
                std::thread::spawn(move || {
                    let mut stream = std::net::TcpStream::connect(addr).unwrap();
                    let mut back = [0u8; 4];
                    for round in 0..10u8 {
                        stream.write_all(&[c, round, 1, 2]).unwrap();
                        stream.read_exact(&mut back).unwrap();
                        assert_eq!(back, [c, round, 1, 2]);
                    }
                })
            })
            .collect();
        // 8 connections served at once by coroutines on 2 workers.
        let echoed = s.run(8, &|_| {
            let mut conn = s.accept(&listener).unwrap();
            assert!(matches!(conn, Conn::Own(_)));
            let mut buf = [0u8; 4];
            let mut requests = 0;
            while conn.read_exact(&mut buf).is_ok() {
                conn.write_all(&buf).unwrap();
                requests += 1;
            }
            requests
        });
        for client in clients {
            client.join().unwrap();
        }
        assert_eq!(echoed, 80);
    }

    #[test]
    fn a_stack_overflow_fails_the_run_and_says_so() {
        #[inline(never)]
        fn deep(n: u64) -> u64 {
            let frame = std::hint::black_box([n; 512]);
            if n == 0 {
                0
            } else {
                deep(n - 1).wrapping_add(frame[7])
            }
        }
        let s = strategy();
        let failed = catch_unwind(AssertUnwindSafe(|| s.run(1, &|_| deep(1_000_000))));
        let message = panic_message(failed.expect_err("the overflow fails the run").as_ref());
        assert!(message.contains("overflowed its 64 KiB stack"), "{message}");
    }
}

//! `threads`: one OS thread per task, the textbook "thread per request". Threads are
//! created inside the timed region because creating them is the cost being shown.
//! At most [`THREAD_CAP`] are alive at once; jobs beyond the cap run in waves.

use crate::{Runner, RunnerError, RunnerInfo, ThreadsKnob};
use rtcompare_api::{Class, Concurrency, Family, Job, Nesting, Spawns, Strategy, Task, Visitor};
use std::panic::resume_unwind;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

/// Most threads `threads` keeps alive at once: well under this machine's limits
/// (`ulimit -u`, `kernel.threads-max`, memory for default 2 MiB stacks, mostly
/// untouched) and above every preset's task count, so waves are the exception.
pub const THREAD_CAP: usize = 10_000;

/// One OS thread per task.
pub struct Threads;

#[derive(Default)]
struct PerTask {
    peak: AtomicUsize,
    /// Subtask threads alive now (fork-join).
    forked: AtomicUsize,
}

impl Strategy for PerTask {
    fn concurrency(&self) -> Concurrency {
        Concurrency::PerJob { cap: THREAD_CAP }
    }

    fn run(&self, jobs: usize, job: Job<'_>) -> u64 {
        self.peak.fetch_max(jobs.min(THREAD_CAP), Ordering::Relaxed);
        let mut sum = 0u64;
        for wave in (0..jobs).step_by(THREAD_CAP) {
            thread::scope(|scope| {
                let handles: Vec<_> = (wave..jobs.min(wave + THREAD_CAP))
                    .map(|i| {
                        thread::Builder::new()
                            .spawn_scoped(scope, move || job(i))
                            .unwrap_or_else(|e| panic!("cannot create thread {i}: {e}"))
                    })
                    .collect();
                for handle in handles {
                    match handle.join() {
                        Ok(value) => sum = sum.wrapping_add(value),
                        Err(payload) => resume_unwind(payload),
                    }
                }
            });
        }
        sum
    }

    fn transient_threads(&self) -> usize {
        self.peak.load(Ordering::Relaxed)
    }

    fn nesting(&self) -> Nesting {
        Nesting::Parallel
    }

    fn spawns(&self) -> Option<Spawns> {
        Some(Spawns {
            unit: "thread",
            cap: THREAD_CAP,
        })
    }

    /// A new thread for `left`, `right` on the calling thread: a thread per subtask.
    fn join(&self, left: Task<'_>, right: Task<'_>) -> (u64, u64) {
        let alive = self.forked.fetch_add(1, Ordering::Relaxed) + 1;
        self.peak.fetch_max(alive, Ordering::Relaxed);
        let joined = thread::scope(|scope| {
            let forked = thread::Builder::new()
                .spawn_scoped(scope, left)
                .unwrap_or_else(|e| panic!("cannot create a thread for a subtask: {e}"));
            let right = right();
            (forked.join(), right)
        });
        self.forked.fetch_sub(1, Ordering::Relaxed);
        match joined {
            (Ok(left), right) => (left, right),
            (Err(payload), _) => resume_unwind(payload),
        }
    }
}

impl Runner for Threads {
    const INFO: RunnerInfo = RunnerInfo {
        id: "threads",
        class: Class::ConcurrentParallel,
        family: Family::OsScheduler,
        threads: ThreadsKnob::PerTask,
        summary: "std::thread::scope, one thread per task (at most 10,000 alive), joined in order",
        timer: "std::thread::sleep (the kernel's timer)",
        channel: "std::sync::mpsc",
        net: "std::net, blocking; a thread per connection",
        offload: "n/a (every task has its own thread)",
        caveats: &[
            "one OS thread per task: --threads does not change what it does and is \
             recorded only as the point of comparison; at most 10,000 threads are alive at \
             once, more run in waves",
        ],
        baseline: None,
    };

    fn execute<V: Visitor>(_threads: usize, visitor: V) -> Result<V::Out, RunnerError> {
        Ok(visitor.visit_blocking(&PerTask::default()))
    }
}

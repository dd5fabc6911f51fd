//! `thread-pool`: N persistent OS threads taking jobs from one FIFO queue behind a
//! mutex and condition variable: the classic hand-written pool, and the shared-queue
//! baseline for work stealing. Threads are created before the timed region.

use crate::pool::SharedQueue;
use crate::{Runner, RunnerError, RunnerInfo, ThreadsKnob};
use rtcompare_api::{Class, Concurrency, Family, Job, Nesting, Strategy, Task as Half, Visitor};
use std::sync::Arc;
use std::thread::JoinHandle;

/// A fixed pool with one shared queue.
pub struct ThreadPool;

struct Pool {
    queue: Arc<SharedQueue>,
    workers: Vec<JoinHandle<()>>,
}

impl Pool {
    fn new(threads: usize) -> std::io::Result<Pool> {
        let queue = Arc::new(SharedQueue::default());
        let workers = (0..threads)
            .map(|i| {
                let queue = Arc::clone(&queue);
                std::thread::Builder::new()
                    .name(format!("pool-{i}"))
                    .spawn(move || {
                        while let Some(part) = queue.next() {
                            part.run();
                        }
                    })
            })
            .collect::<Result<_, _>>()?;
        Ok(Pool { queue, workers })
    }
}

impl Strategy for Pool {
    fn concurrency(&self) -> Concurrency {
        Concurrency::Bounded(self.workers.len())
    }

    fn run(&self, jobs: usize, job: Job<'_>) -> u64 {
        self.queue.run_batch(jobs, job)
    }

    fn nesting(&self) -> Nesting {
        Nesting::Parallel
    }

    /// Queues `left` on the shared queue, runs `right`, then, until `left` is done,
    /// helps by running queued tasks; it sleeps only when the queue is empty, that is
    /// when `left` is running on another worker (so nested joins cannot deadlock).
    fn join(&self, left: Half<'_>, right: Half<'_>) -> (u64, u64) {
        let job = |_: usize| left();
        // SAFETY: `batch.wait()` below returns only after the queued part has run, so
        // `job` (and `left`) outlive every use through the batch.
        let batch = unsafe { self.queue.push_one(&job) };
        let right = right();
        while !batch.is_done() {
            match self.queue.pop() {
                Some(part) => part.run(),
                None => break,
            }
        }
        (batch.wait(), right)
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

impl Runner for ThreadPool {
    const INFO: RunnerInfo = RunnerInfo {
        id: "thread-pool",
        class: Class::ConcurrentParallel,
        family: Family::SharedQueue,
        threads: ThreadsKnob::Workers,
        summary: "N std threads popping one Mutex<VecDeque> queue, woken by a Condvar",
        timer: "std::thread::sleep (the kernel's timer)",
        channel: "std::sync::mpsc",
        net: "std::net, blocking; a pool job per connection: N connections served at a time, the rest wait",
        offload: "n/a (blocking work holds a pool thread)",
        caveats: &[],
        baseline: None,
    };

    fn execute<V: Visitor>(threads: usize, visitor: V) -> Result<V::Out, RunnerError> {
        let pool = Pool::new(threads).map_err(|e| RunnerError::Build {
            runner: Self::INFO.id,
            message: e.to_string(),
        })?;
        Ok(visitor.visit_blocking(&pool))
    }
}

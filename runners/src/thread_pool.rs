//! `thread-pool`: N persistent OS threads taking jobs from one FIFO queue behind a
//! mutex and condition variable: the classic hand-written pool, and the shared-queue
//! baseline for work stealing. Threads are created before the timed region.

use crate::pool::Batch;
use crate::{Runner, RunnerError, RunnerInfo, ThreadsKnob};
use rtcompare_api::{Class, Concurrency, Family, Job, Nesting, Strategy, Task as Half, Visitor};
use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;

/// A fixed pool with one shared queue.
pub struct ThreadPool;

struct Task {
    batch: Arc<Batch>,
    index: usize,
}

#[derive(Default)]
struct Queue {
    tasks: VecDeque<Task>,
    shutdown: bool,
}

#[derive(Default)]
struct Shared {
    queue: Mutex<Queue>,
    available: Condvar,
}

struct Pool {
    shared: Arc<Shared>,
    workers: Vec<JoinHandle<()>>,
}

impl Pool {
    fn new(threads: usize) -> std::io::Result<Pool> {
        let shared = Arc::new(Shared::default());
        let workers = (0..threads)
            .map(|i| {
                let shared = Arc::clone(&shared);
                std::thread::Builder::new()
                    .name(format!("pool-{i}"))
                    .spawn(move || work(&shared))
            })
            .collect::<Result<_, _>>()?;
        Ok(Pool { shared, workers })
    }
}

fn work(shared: &Shared) {
    loop {
        let task = {
            let mut queue = shared.queue.lock().unwrap();
            loop {
                if let Some(task) = queue.tasks.pop_front() {
                    break task;
                }
                if queue.shutdown {
                    return;
                }
                queue = shared.available.wait(queue).unwrap();
            }
        };
        task.batch.run(task.index..task.index + 1);
    }
}

impl Strategy for Pool {
    fn concurrency(&self) -> Concurrency {
        Concurrency::Bounded(self.workers.len())
    }

    fn run(&self, jobs: usize, job: Job<'_>) -> u64 {
        // SAFETY: `wait` below returns only after all `jobs` parts have run.
        let batch = unsafe { Batch::new(job, jobs) };
        {
            let mut queue = self.shared.queue.lock().unwrap();
            queue.tasks.extend((0..jobs).map(|index| Task {
                batch: Arc::clone(&batch),
                index,
            }));
        }
        self.shared.available.notify_all();
        batch.wait()
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
        let batch = unsafe { Batch::new(&job, 1) };
        self.shared.queue.lock().unwrap().tasks.push_back(Task {
            batch: Arc::clone(&batch),
            index: 0,
        });
        self.shared.available.notify_one();
        let right = right();
        while !batch.is_done() {
            match self.pop() {
                Some(task) => task.batch.run(task.index..task.index + 1),
                None => break,
            }
        }
        (batch.wait(), right)
    }
}

impl Pool {
    fn pop(&self) -> Option<Task> {
        self.shared.queue.lock().unwrap().tasks.pop_front()
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.shared.queue.lock().unwrap().shutdown = true;
        self.shared.available.notify_all();
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
        net: "std::net, blocking; a pool job per connection",
        offload: "n/a (blocking work holds a pool thread)",
        caveats: &[],
    };

    fn execute<V: Visitor>(threads: usize, visitor: V) -> Result<V::Out, RunnerError> {
        let pool = Pool::new(threads).map_err(|e| RunnerError::Build {
            runner: Self::INFO.id,
            message: e.to_string(),
        })?;
        Ok(visitor.visit_blocking(&pool))
    }
}

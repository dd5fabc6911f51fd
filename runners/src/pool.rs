//! A batch of blocking jobs shared with persistent worker threads: the bookkeeping
//! `thread-pool`, `gil` and `threads-static` have in common (result sum, completion,
//! panics), and the one shared queue `thread-pool` and `gil` take jobs from.

use rtcompare_api::Job;
use std::any::Any;
use std::collections::VecDeque;
use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};

/// Jobs submitted together; the submitter waits in [`Batch::wait`] until every part
/// has reported, so workers may call the borrowed job until then.
pub(crate) struct Batch {
    job: Job<'static>,
    sum: AtomicU64,
    parts_left: Mutex<usize>,
    done: Condvar,
    panic: Mutex<Option<Box<dyn Any + Send>>>,
}

impl Batch {
    /// A batch of `parts` parts (jobs or ranges) that will call `job`.
    ///
    /// # Safety
    /// The caller must call [`Batch::wait`] before `job`'s borrow ends, and must not
    /// let workers call [`Batch::run`] more than `parts` times.
    pub(crate) unsafe fn new(job: Job<'_>, parts: usize) -> Arc<Self> {
        // SAFETY: the lifetime is erased only for as long as the caller guarantees
        // (see above): `wait` returns after the last `run` returned, and nothing calls
        // `job` after that.
        let job = unsafe { std::mem::transmute::<Job<'_>, Job<'static>>(job) };
        Arc::new(Batch {
            job,
            sum: AtomicU64::new(0),
            parts_left: Mutex::new(parts),
            done: Condvar::new(),
            panic: Mutex::new(None),
        })
    }

    /// Runs the jobs in `indices` as one part; a panic is kept for the submitter.
    pub(crate) fn run(&self, indices: Range<usize>) {
        let result = catch_unwind(AssertUnwindSafe(|| {
            indices.fold(0u64, |sum, i| sum.wrapping_add((self.job)(i)))
        }));
        match result {
            Ok(sum) => {
                self.sum.fetch_add(sum, Ordering::Relaxed);
            }
            Err(payload) => {
                self.panic.lock().unwrap().get_or_insert(payload);
            }
        }
        let mut left = self.parts_left.lock().unwrap();
        *left -= 1;
        if *left == 0 {
            self.done.notify_all();
        }
    }

    /// Waits for every part, then returns the sum or resumes the first panic.
    /// Whether every part has finished (without waiting).
    pub(crate) fn is_done(&self) -> bool {
        *self.parts_left.lock().unwrap() == 0
    }

    pub(crate) fn wait(&self) -> u64 {
        let mut left = self.parts_left.lock().unwrap();
        while *left > 0 {
            left = self.done.wait(left).unwrap();
        }
        drop(left);
        if let Some(payload) = self.panic.lock().unwrap().take() {
            resume_unwind(payload);
        }
        // The mutex hand-off above orders every worker's add before this load.
        self.sum.load(Ordering::Relaxed)
    }
}

/// One part of a [`Batch`]: the job at `index`.
pub(crate) struct Part {
    batch: Arc<Batch>,
    index: usize,
}

impl Part {
    /// Runs the job and counts it done in its batch.
    pub(crate) fn run(self) {
        self.batch.run(self.index..self.index + 1);
    }
}

#[derive(Default)]
struct Queue {
    parts: VecDeque<Part>,
    shutdown: bool,
}

/// The one FIFO queue of a hand-written pool, behind a mutex and a condition
/// variable: what `thread-pool` measures, and what `gil` runs its jobs from.
#[derive(Default)]
pub(crate) struct SharedQueue {
    queue: Mutex<Queue>,
    available: Condvar,
}

impl SharedQueue {
    /// Queues jobs `0..jobs` of `job` as one batch, runs them on the workers and
    /// returns their wrapping sum once all have run (a job's panic resumes here).
    pub(crate) fn run_batch(&self, jobs: usize, job: Job<'_>) -> u64 {
        // SAFETY: `wait` below returns only after all `jobs` parts have run, so no
        // part outlives `job`.
        let batch = unsafe { Batch::new(job, jobs) };
        self.queue
            .lock()
            .unwrap()
            .parts
            .extend((0..jobs).map(|index| Part {
                batch: Arc::clone(&batch),
                index,
            }));
        self.available.notify_all();
        batch.wait()
    }

    /// Queues `job` as a batch of one and returns it, for the caller to wait on.
    ///
    /// # Safety
    /// The caller must call [`Batch::wait`] on the returned batch before `job` goes
    /// out of scope.
    pub(crate) unsafe fn push_one(&self, job: Job<'_>) -> Arc<Batch> {
        // SAFETY: passed on to the caller.
        let batch = unsafe { Batch::new(job, 1) };
        self.queue.lock().unwrap().parts.push_back(Part {
            batch: Arc::clone(&batch),
            index: 0,
        });
        self.available.notify_one();
        batch
    }

    /// The oldest queued part, without waiting.
    pub(crate) fn pop(&self) -> Option<Part> {
        self.queue.lock().unwrap().parts.pop_front()
    }

    /// The oldest queued part, waiting for one; `None` once shut down.
    pub(crate) fn next(&self) -> Option<Part> {
        let mut queue = self.queue.lock().unwrap();
        loop {
            if let Some(part) = queue.parts.pop_front() {
                return Some(part);
            }
            if queue.shutdown {
                return None;
            }
            queue = self.available.wait(queue).unwrap();
        }
    }

    /// Tells every worker waiting in [`next`](Self::next) to stop.
    pub(crate) fn shut_down(&self) {
        self.queue.lock().unwrap().shutdown = true;
        self.available.notify_all();
    }
}

//! A batch of blocking jobs shared with persistent worker threads: the bookkeeping
//! `thread-pool` and `threads-static` have in common (result sum, completion, panics).

use rtcompare_api::Job;
use std::any::Any;
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

//! `mini`, the executor this crate brings: single-threaded, one FIFO run queue, tasks
//! from async-task. It stands for the runtime an author wants to place beside tokio
//! and smol; nothing in it knows rtcompare.
//!
//! Every task runs on the thread that calls [`Executor::block_on`]. Wakes may come
//! from any thread (async-io's reactor, the blocking pool), so the queue is behind a
//! mutex. When the queue is empty the thread parks in `async_io::block_on`, which
//! drives async-io's reactor and timers on it until a wake arrives.

use async_task::{Runnable, Task};
use std::collections::VecDeque;
use std::future::{Future, poll_fn};
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};

/// Tasks run between two looks at the reactor, so a busy queue cannot starve I/O
/// and timers.
const BATCH: usize = 64;

/// A single-threaded executor.
#[derive(Default)]
pub struct Executor {
    queue: Arc<Queue>,
}

/// Spawns onto an [`Executor`] from any thread; cheap to clone.
#[derive(Clone)]
pub struct Spawner {
    queue: Arc<Queue>,
}

#[derive(Default)]
struct Queue {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    runnable: VecDeque<Runnable>,
    /// The executor's thread, parked because the queue was empty.
    idle: Option<Waker>,
}

impl Queue {
    fn push(&self, runnable: Runnable) {
        let idle = {
            let mut state = self.state.lock().unwrap();
            state.runnable.push_back(runnable);
            state.idle.take()
        };
        // Woken outside the lock: the waker may run code that schedules again.
        if let Some(waker) = idle {
            waker.wake();
        }
    }

    /// The next task, or `None` after leaving `waker` to be woken by the next push.
    fn pop_or_park(&self, waker: &Waker) -> Option<Runnable> {
        let mut state = self.state.lock().unwrap();
        let next = state.runnable.pop_front();
        if next.is_none() {
            state.idle = Some(waker.clone());
        }
        next
    }
}

impl Executor {
    /// An executor with an empty queue.
    pub fn new() -> Self {
        Self::default()
    }

    /// A handle that spawns onto this executor.
    pub fn spawner(&self) -> Spawner {
        Spawner {
            queue: self.queue.clone(),
        }
    }

    /// Spawns `root` and runs tasks on this thread until it finishes.
    pub fn block_on<T: Send + 'static>(&self, root: impl Future<Output = T> + Send + 'static) -> T {
        let root = self.spawner().spawn(root);
        async_io::block_on(futures_lite::future::or(root, self.run()))
    }

    /// Runs tasks forever: a batch at a time, then a turn of the reactor.
    fn run<T>(&self) -> impl Future<Output = T> + '_ {
        poll_fn(move |cx| {
            for _ in 0..BATCH {
                match self.queue.pop_or_park(cx.waker()) {
                    Some(runnable) => {
                        runnable.run();
                    }
                    None => return Poll::Pending,
                }
            }
            // Still busy: come back at once, after async-io has polled the reactor.
            cx.waker().wake_by_ref();
            Poll::Pending
        })
    }
}

impl Drop for Executor {
    /// Cancels the tasks still queued: each holds the queue, which holds it.
    fn drop(&mut self) {
        let queued = std::mem::take(&mut self.queue.state.lock().unwrap().runnable);
        drop(queued);
    }
}

impl Spawner {
    /// Spawns `future`; the returned task resolves to its output, and a panic in
    /// it resumes in whoever awaits the task.
    pub fn spawn<F>(&self, future: F) -> Task<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let queue = self.queue.clone();
        let schedule = move |runnable| queue.push(runnable);
        let (runnable, task) = async_task::Builder::new()
            .propagate_panic(true)
            .spawn(move |_| future, schedule);
        runnable.schedule();
        task
    }
}

//! The threads of every thread-per-core runner: N OS threads, each building its own
//! single-threaded runtime on itself (monoio's, glommio's and compio's runtimes
//! cannot move between threads, so each is born on the thread it runs on) and then
//! running the root futures it is sent, one per sample, as tasks of that runtime.
//! Nothing here is on a task's path: a root crosses threads once per sample, boxed
//! once, and every task it spawns stays on its core.

use crate::RunnerError;
use rtcompare_api::{Cores, Outcome, RootFuture};
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Instant;

/// Runs one root future to completion on the calling core's runtime, as a task of
/// that runtime, and returns its outcome and the instant it finished; then, before
/// returning, settles the runtime where it needs to (see [`Cores::run`]).
pub(crate) type RunRoot = Box<dyn FnMut(RootFuture) -> (Outcome, Instant)>;

/// What building a core's runtime gives: how to run a root on it, and the I/O
/// driver it chose.
pub(crate) struct Core {
    pub run: RunRoot,
    pub io_driver: String,
}

/// Why a core's runtime could not start.
pub(crate) enum CoreError {
    /// The runtime cannot run on this machine (no io_uring, too little locked
    /// memory): its cells are n/a with this reason.
    Unavailable(String),
    /// Anything else: the cell fails with this message.
    Failed(String),
}

type Finished = (usize, std::thread::Result<(Outcome, Instant)>);

/// N threads, each with its own runtime (see the module docs).
pub(crate) struct CoreThreads {
    inboxes: Vec<mpsc::Sender<RootFuture>>,
    finished: mpsc::Receiver<Finished>,
    threads: Vec<JoinHandle<()>>,
    io_driver: String,
}

impl CoreThreads {
    /// Starts `count` threads named `{name}-{i}`; on each, `build(i)` makes the
    /// runtime. Returns once every runtime is built (outside every timed region),
    /// or the first core's error.
    pub(crate) fn start<B>(
        runner: &'static str,
        name: &str,
        count: usize,
        build: B,
    ) -> Result<CoreThreads, RunnerError>
    where
        B: Fn(usize) -> Result<Core, CoreError> + Send + Sync + Clone + 'static,
    {
        let (ready_tx, ready_rx) = mpsc::channel::<Result<String, CoreError>>();
        let (finished_tx, finished) = mpsc::channel::<Finished>();
        let mut inboxes = Vec::with_capacity(count);
        let mut threads = Vec::with_capacity(count);
        for index in 0..count {
            let (inbox, roots) = mpsc::channel::<RootFuture>();
            let (build, ready, finished) = (build.clone(), ready_tx.clone(), finished_tx.clone());
            let thread = std::thread::Builder::new()
                .name(format!("{name}-{index}"))
                .spawn(move || {
                    let mut core = match build(index) {
                        Ok(core) => {
                            let _ = ready.send(Ok(core.io_driver.clone()));
                            core
                        }
                        Err(e) => {
                            let _ = ready.send(Err(e));
                            return;
                        }
                    };
                    drop(ready);
                    for root in roots {
                        let outcome = catch_unwind(AssertUnwindSafe(|| (core.run)(root)));
                        if finished.send((index, outcome)).is_err() {
                            return;
                        }
                    }
                })
                .map_err(|e| RunnerError::Build {
                    runner,
                    message: format!("core thread {index}: {e}"),
                })?;
            inboxes.push(inbox);
            threads.push(thread);
        }
        drop(ready_tx);
        let mut cores = CoreThreads {
            inboxes,
            finished,
            threads,
            io_driver: String::new(),
        };
        let mut drivers = Vec::with_capacity(count);
        for _ in 0..count {
            match ready_rx.recv() {
                Ok(Ok(driver)) => drivers.push(driver),
                Ok(Err(CoreError::Unavailable(reason))) => {
                    cores.stop();
                    return Err(RunnerError::Unavailable { runner, reason });
                }
                Ok(Err(CoreError::Failed(message))) => {
                    cores.stop();
                    return Err(RunnerError::Build { runner, message });
                }
                Err(_) => {
                    cores.stop();
                    return Err(RunnerError::Build {
                        runner,
                        message: "a core thread ended while building its runtime".into(),
                    });
                }
            }
        }
        drivers.sort();
        drivers.dedup();
        cores.io_driver = drivers.join(", ");
        Ok(cores)
    }

    /// Closes every inbox and joins the threads (their runtimes drop on them).
    fn stop(&mut self) {
        self.inboxes.clear();
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

impl Cores for CoreThreads {
    fn count(&self) -> usize {
        self.inboxes.len()
    }

    fn run(&mut self, roots: Vec<RootFuture>) -> (Vec<Outcome>, Instant) {
        assert_eq!(
            roots.len(),
            self.inboxes.len(),
            "one root per core: {} roots for {} cores",
            roots.len(),
            self.inboxes.len()
        );
        for (inbox, root) in self.inboxes.iter().zip(roots) {
            inbox
                .send(root)
                .expect("a core thread is alive while its cell runs");
        }
        let mut outcomes: Vec<Option<Outcome>> = (0..self.inboxes.len()).map(|_| None).collect();
        let mut panic = None;
        let mut last = None;
        for _ in 0..self.inboxes.len() {
            let (index, outcome) = self
                .finished
                .recv()
                .expect("a core thread is alive while its cell runs");
            match outcome {
                Ok((outcome, finished)) => {
                    outcomes[index] = Some(outcome);
                    last = last.max(Some(finished));
                }
                // Every core finishes its root first: none is left running into the
                // next sample.
                Err(payload) => panic = panic.or(Some(payload)),
            }
        }
        if let Some(payload) = panic {
            resume_unwind(payload);
        }
        let outcomes = outcomes.into_iter().map(Option::unwrap).collect();
        (outcomes, last.expect("a cell has at least one core"))
    }

    fn io_driver(&self) -> String {
        self.io_driver.clone()
    }
}

impl Drop for CoreThreads {
    fn drop(&mut self) {
        self.stop();
    }
}

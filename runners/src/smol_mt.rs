//! `smol-mt`: one async-executor `Executor` driven by exactly `--threads` OS threads,
//! each in `smol::block_on(executor.run(..))` (so idle workers take turns driving
//! async-io's reactor), as async-executor's documentation shows. Work stealing.

use crate::{AsyncIoRuntime, Runner, RunnerError, RunnerInfo, Spawn, ThreadsKnob, park_on};
use rtcompare_api::{Class, Family, Visitor};
use smol::{Executor, Task};
use std::future::Future;
use std::sync::Arc;

/// smol's multithreaded executor.
pub struct SmolMt;

/// A shared handle to the executor: its spawn, with async-io's timer and reactor,
/// async-channel, async-lock and the blocking pool beside it ([`AsyncIoRuntime`]).
#[derive(Clone)]
pub struct MtHandle(Arc<Executor<'static>>);

impl Spawn for MtHandle {
    type Join<T: Send + 'static> = Task<T>;

    fn spawn<F>(&self, future: F) -> Task<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.0.spawn(future)
    }
}

impl Runner for SmolMt {
    const INFO: RunnerInfo = RunnerInfo {
        id: "smol-mt",
        class: Class::ConcurrentParallel,
        family: Family::WorkStealing,
        threads: ThreadsKnob::Workers,
        summary: "async_executor::Executor run by N threads, each in smol::block_on(ex.run(..))",
        timer: "async-io's Timer and reactor, driven by whichever worker is idle",
        channel: "async-channel (smol::channel)",
        net: "async-io Async<TcpStream>",
        offload: "blocking::unblock (smol::unblock)",
        caveats: &[crate::async_io_parts::BLOCKING_IDLE],
        baseline: None,
    };

    fn execute<V: Visitor>(threads: usize, visitor: V) -> Result<V::Out, RunnerError> {
        let executor = Arc::new(Executor::new());
        let (stop, stopped) = smol::channel::bounded::<()>(1);
        let mut workers = Vec::with_capacity(threads);
        for i in 0..threads {
            let (ex, stopped) = (Arc::clone(&executor), stopped.clone());
            let worker = std::thread::Builder::new()
                .name(format!("smol-{i}"))
                .spawn(move || smol::block_on(ex.run(stopped.recv())))
                .map_err(|e| RunnerError::Build {
                    runner: Self::INFO.id,
                    message: format!("worker thread {i}: {e}"),
                })?;
            workers.push(worker);
        }
        let handle = AsyncIoRuntime(MtHandle(Arc::clone(&executor)));
        let out = visitor.visit_async(&handle, &mut |root| park_on(executor.spawn(root)));
        drop(stop); // closing the channel ends every worker's `run`
        for worker in workers {
            let _ = worker.join();
        }
        Ok(out)
    }
}

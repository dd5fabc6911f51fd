//! `smol-local`: async-executor's `LocalExecutor` on the calling thread, run inside
//! `smol::block_on`, which drives async-io's reactor and timers on that same thread
//! while the executor is idle. Concurrent, not parallel.

use crate::{AsyncIoRuntime, Runner, RunnerError, RunnerInfo, Spawn, ThreadsKnob};
use rtcompare_api::{Class, Family, Visitor};
use smol::{LocalExecutor, Task};
use std::future::Future;

thread_local! {
    // The executor lives in a thread-local so that the handle tasks carry is a
    // zero-sized `Send` marker, as tokio's context is; `LocalExecutor` itself is !Send.
    static EXECUTOR: LocalExecutor<'static> = const { LocalExecutor::new() };
}

/// smol's single-threaded executor.
pub struct SmolLocal;

/// Spawns onto the calling thread's `LocalExecutor`; the rest of the runtime is
/// smol's parts ([`AsyncIoRuntime`]).
#[derive(Clone, Copy)]
pub struct LocalHandle;

impl Spawn for LocalHandle {
    type Join<T: Send + 'static> = Task<T>;

    fn spawn<F>(&self, future: F) -> Task<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        EXECUTOR.with(|ex| ex.spawn(future))
    }
}

impl Runner for SmolLocal {
    const INFO: RunnerInfo = RunnerInfo {
        id: "smol-local",
        class: Class::Concurrent,
        family: Family::SingleQueue,
        threads: ThreadsKnob::One,
        summary: "async_executor::LocalExecutor run by smol::block_on on the calling thread",
        timer: "async-io's Timer and reactor, driven by smol::block_on on the same thread",
        channel: "async-channel (smol::channel)",
        net: "async-io Async<TcpStream>",
        offload: "blocking::unblock (smol::unblock)",
        caveats: &[crate::async_io_parts::BLOCKING_IDLE],
        baseline: None,
    };

    fn execute<V: Visitor>(_threads: usize, visitor: V) -> Result<V::Out, RunnerError> {
        Ok(EXECUTOR.with(|ex| {
            visitor.visit_async(&AsyncIoRuntime(LocalHandle), &mut |root| {
                smol::block_on(ex.run(ex.spawn(root)))
            })
        }))
    }
}

//! `futures-pool`: the futures crate's `ThreadPool` with `pool_size(N)`: one shared
//! queue behind a mutex, no work stealing. Sleeps use async-io's `Timer` (the futures
//! crate has none), driven by async-io's own "async-io" thread.

use crate::async_io_parts::{async_io_items, async_mutex_items, futures_channel_items};
use crate::{Runner, RunnerError, RunnerInfo, ThreadsKnob, park_on};
use futures::executor::ThreadPool;
use futures::future::RemoteHandle;
use futures::task::SpawnExt;
use rtcompare_api::{AsyncRuntime, Class, Family, Visitor};
use std::future::Future;

/// futures' thread pool.
pub struct FuturesPool;

/// A handle to the pool (reference counted).
#[derive(Clone)]
pub struct PoolHandle(ThreadPool);

impl AsyncRuntime for PoolHandle {
    type Join<T: Send + 'static> = RemoteHandle<T>;

    fn spawn<F>(&self, future: F) -> RemoteHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.0
            .spawn_with_handle(future)
            .expect("futures-pool: ThreadPool is shut down")
    }

    async_io_items!();
    async_mutex_items!(futures::lock::Mutex);
    futures_channel_items!();
}

impl Runner for FuturesPool {
    const INFO: RunnerInfo = RunnerInfo {
        id: "futures-pool",
        class: Class::ConcurrentParallel,
        family: Family::SharedQueue,
        threads: ThreadsKnob::Workers,
        summary: "futures::executor::ThreadPool::builder().pool_size(N): one mutex-guarded queue",
        timer: "async-io's Timer; its reactor runs on async-io's own helper thread",
        channel: "futures::channel::mpsc",
        net: "async-io Async<TcpStream> (futures has no reactor)",
        offload: "blocking::unblock (futures has no blocking pool)",
        caveats: &[
            "one shared queue behind a mutex and no work stealing",
            "a task that wakes itself while it is being polled (yield_now) is polled again \
             at once on the same worker, not sent back through the queue \
             (futures-executor 0.3's unpark_mutex REPOLL state), so yielding gives the \
             thread to no one",
            crate::FUTURES_TIMER,
            crate::async_io_parts::BLOCKING_IDLE,
        ],
        baseline: None,
    };

    fn execute<V: Visitor>(threads: usize, visitor: V) -> Result<V::Out, RunnerError> {
        let pool = ThreadPool::builder()
            .pool_size(threads)
            .name_prefix("futures-pool-")
            .create()
            .map_err(|e| RunnerError::Build {
                runner: Self::INFO.id,
                message: e.to_string(),
            })?;
        let handle = PoolHandle(pool);
        Ok(visitor.visit_async(&handle, &mut |root| park_on(handle.spawn(root))))
    }
}

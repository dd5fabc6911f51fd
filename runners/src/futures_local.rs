//! `futures-local`: the futures crate's `LocalPool` on the calling thread. The futures
//! crate has no timer or reactor, so sleeps use async-io's `Timer`, driven by async-io's
//! own "async-io" thread: a helper thread this runner has and the others may not.

use crate::async_io_parts::{async_io_items, async_mutex_items, futures_channel_items};
use crate::{Runner, RunnerError, RunnerInfo, ThreadsKnob};
use futures::executor::{LocalPool, LocalSpawner};
use futures::future::RemoteHandle;
use futures::task::LocalSpawnExt;
use rtcompare_api::{AsyncRuntime, Class, Family, Visitor};
use std::cell::RefCell;
use std::future::Future;

thread_local! {
    // `LocalSpawner` is !Send; tasks carry a zero-sized marker and spawn through this.
    static SPAWNER: RefCell<Option<LocalSpawner>> = const { RefCell::new(None) };
}

/// futures' single-threaded pool.
pub struct FuturesLocal;

/// Spawns onto the calling thread's `LocalPool`.
#[derive(Clone, Copy)]
pub struct LocalHandle;

impl AsyncRuntime for LocalHandle {
    type Join<T: Send + 'static> = RemoteHandle<T>;

    fn spawn<F>(&self, future: F) -> RemoteHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        SPAWNER.with_borrow(|spawner| {
            spawner
                .as_ref()
                .expect("futures-local: spawn outside its LocalPool's thread")
                .spawn_local_with_handle(future)
                .expect("futures-local: LocalPool is shut down")
        })
    }

    async_io_items!();
    async_mutex_items!(futures::lock::Mutex);
    futures_channel_items!();
}

impl Runner for FuturesLocal {
    const INFO: RunnerInfo = RunnerInfo {
        id: "futures-local",
        class: Class::Concurrent,
        family: Family::SingleQueue,
        threads: ThreadsKnob::One,
        summary: "futures::executor::LocalPool::run_until on the calling thread",
        timer: "async-io's Timer; its reactor runs on async-io's own helper thread",
        channel: "futures::channel::mpsc",
        net: "async-io Async<TcpStream> (futures has no reactor)",
        offload: "blocking::unblock (futures has no blocking pool)",
        caveats: &[crate::FUTURES_TIMER, crate::async_io_parts::BLOCKING_IDLE],
        baseline: None,
    };

    fn execute<V: Visitor>(_threads: usize, visitor: V) -> Result<V::Out, RunnerError> {
        let mut pool = LocalPool::new();
        SPAWNER.set(Some(pool.spawner()));
        let out = visitor.visit_async(&LocalHandle, &mut |root| {
            let root = LocalHandle.spawn(root);
            pool.run_until(root)
        });
        SPAWNER.set(None);
        Ok(out)
    }
}

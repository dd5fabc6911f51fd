//! A whole [`AsyncRuntime`] for an executor that brings only its spawn: the rest
//! (timer, TCP, channel, mutex, blocking pool) comes from the crates smol is made
//! of. The built-in smol runners are built on it, and so can a runtime author's
//! executor that has no timer or reactor of its own.

use crate::async_io_parts::{async_channel_items, async_io_items, async_mutex_items};
use rtcompare_api::AsyncRuntime;
use std::future::Future;

/// What an executor must supply for [`AsyncIoRuntime`]: a cheap handle that spawns
/// a task and gives the executor's own join handle.
pub trait Spawn: Clone + Send + Sync + 'static {
    /// The executor's join handle, resolving to the task's output. A panic in the
    /// task should resume in the awaiting task (async-task's
    /// `Builder::propagate_panic`), so that it fails the cell instead of hiding.
    type Join<T: Send + 'static>: Future<Output = T> + Send + Unpin + 'static;

    /// Spawns `future` as a new task on the executor.
    fn spawn<F>(&self, future: F) -> Self::Join<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;
}

/// An [`AsyncRuntime`] made of an executor's [`Spawn`] and these parts, which
/// its [`RunnerInfo`](crate::RunnerInfo) should disclose:
///
/// | item | from |
/// |---|---|
/// | timer, TCP listener and streams | async-io (`Timer`, `Async<TcpStream>`), whose reactor runs on the thread blocked in `async_io::block_on`, else on async-io's own helper thread |
/// | channel | async-channel, bounded |
/// | mutex | async-lock |
/// | offload | the blocking crate's pool (`blocking::unblock`) |
///
/// ```
/// use rtcompare_runners::{AsyncIoRuntime, Spawn};
///
/// // smol's global executor, as an outside crate would plug its own in.
/// #[derive(Clone)]
/// struct Global;
///
/// impl Spawn for Global {
///     type Join<T: Send + 'static> = smol::Task<T>;
///     fn spawn<F>(&self, future: F) -> smol::Task<F::Output>
///     where
///         F: std::future::Future + Send + 'static,
///         F::Output: Send + 'static,
///     {
///         smol::spawn(future)
///     }
/// }
///
/// let runtime = AsyncIoRuntime(Global);
/// # use rtcompare_api::AsyncRuntime;
/// let two = smol::block_on(runtime.spawn(async { 1 + 1 }));
/// assert_eq!(two, 2);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct AsyncIoRuntime<S>(pub S);

impl<S: Spawn> AsyncRuntime for AsyncIoRuntime<S> {
    type Join<T: Send + 'static> = S::Join<T>;

    fn spawn<F>(&self, future: F) -> Self::Join<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.0.spawn(future)
    }

    async_io_items!();
    async_mutex_items!(smol::lock::Mutex);
    async_channel_items!(smol::channel);
}

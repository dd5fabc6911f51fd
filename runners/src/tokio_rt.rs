//! tokio's runtime behind [`AsyncRuntime`]: shared by `tokio-ct` and `tokio-mt`, which
//! differ only in the scheduler they build.

use rtcompare_api::{AsyncRuntime, Outcome, Visitor};
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::panic::resume_unwind;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::{Handle, Runtime};
use tokio::sync::mpsc;
use tokio::task::{JoinError, JoinHandle};
use tokio_util::compat::{Compat, TokioAsyncReadCompatExt};

/// A tokio runtime handle: a given runtime's, or (`None`, on `tokio-per-core`) the
/// runtime of whichever thread calls it, so that each core spawns on its own.
#[derive(Clone)]
pub struct Tokio(Option<Handle>);

impl Tokio {
    /// The handle of each core's own runtime, for thread-per-core runners.
    pub fn current() -> Tokio {
        Tokio(None)
    }

    /// Registers I/O with this handle's runtime, or with the calling thread's.
    fn enter(&self) -> Option<tokio::runtime::EnterGuard<'_>> {
        self.0.as_ref().map(Handle::enter)
    }
}

/// tokio's `JoinHandle`, resolving to the task's output; a panic resumes in the awaiter.
pub struct TokioJoin<T>(JoinHandle<T>);

pub(crate) fn unwrap_join<T>(result: Result<T, JoinError>) -> T {
    match result {
        Ok(value) => value,
        Err(e) if e.is_panic() => resume_unwind(e.into_panic()),
        Err(e) => panic!("tokio task did not complete: {e}"),
    }
}

impl<T> Future for TokioJoin<T> {
    type Output = T;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        Poll::Ready(unwrap_join(ready!(Pin::new(&mut self.0).poll(cx))))
    }
}

impl AsyncRuntime for Tokio {
    type Join<T: Send + 'static> = TokioJoin<T>;
    type Tcp = Compat<TcpStream>;
    type Listener = TcpListener;
    type Sender<T: Send + 'static> = mpsc::Sender<T>;
    type Receiver<T: Send + 'static> = mpsc::Receiver<T>;
    type Mutex<T: Send + 'static> = tokio::sync::Mutex<T>;

    fn spawn<F>(&self, future: F) -> TokioJoin<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match &self.0 {
            Some(handle) => TokioJoin(handle.spawn(future)),
            None => TokioJoin(tokio::spawn(future)),
        }
    }

    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send {
        tokio::time::sleep(duration)
    }

    fn yield_now(&self) -> impl Future<Output = ()> + Send {
        tokio::task::yield_now()
    }

    fn unblock<T, F>(&self, work: F) -> impl Future<Output = T> + Send
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        match &self.0 {
            Some(handle) => TokioJoin(handle.spawn_blocking(work)),
            None => TokioJoin(tokio::task::spawn_blocking(work)),
        }
    }

    fn listen(&self, addr: SocketAddr) -> io::Result<(TcpListener, SocketAddr)> {
        let listener = std::net::TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let local = listener.local_addr()?;
        let _context = self.enter(); // registers with this runtime's reactor
        Ok((TcpListener::from_std(listener)?, local))
    }

    fn adopt(&self, listener: std::net::TcpListener) -> io::Result<TcpListener> {
        listener.set_nonblocking(true)?;
        let _context = self.enter(); // registers with this runtime's reactor
        TcpListener::from_std(listener)
    }

    async fn accept(&self, listener: &TcpListener) -> io::Result<Compat<TcpStream>> {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        Ok(stream.compat())
    }

    async fn connect(&self, addr: SocketAddr) -> io::Result<Compat<TcpStream>> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(stream.compat())
    }

    fn channel<T: Send + 'static>(&self, capacity: usize) -> (mpsc::Sender<T>, mpsc::Receiver<T>) {
        mpsc::channel(capacity.max(1))
    }

    async fn send<T: Send + 'static>(sender: &mut mpsc::Sender<T>, value: T) -> bool {
        sender.send(value).await.is_ok()
    }

    fn recv<T: Send + 'static>(
        receiver: &mut mpsc::Receiver<T>,
    ) -> impl Future<Output = Option<T>> + Send {
        receiver.recv()
    }

    fn mutex<T: Send + 'static>(&self, value: T) -> tokio::sync::Mutex<T> {
        tokio::sync::Mutex::new(value)
    }

    async fn with_lock<T: Send + 'static, U: Send>(
        mutex: &tokio::sync::Mutex<T>,
        update: impl FnOnce(&mut T) -> U + Send,
    ) -> U {
        update(&mut *mutex.lock().await)
    }
}

/// Hands `runtime` to `visitor`; each root future is spawned on the runtime and the
/// caller blocks on its join handle.
pub fn drive<V: Visitor>(runtime: Runtime, visitor: V) -> V::Out {
    let handle = runtime.handle().clone();
    let out = visitor.visit_async(&Tokio(Some(handle.clone())), &mut |root| -> Outcome {
        unwrap_join(runtime.block_on(handle.spawn(root)))
    });
    // Drop outside any timed region; tasks are all awaited, nothing is left to cancel.
    drop(runtime);
    out
}

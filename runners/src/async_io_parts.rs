//! The parts async-io supplies: timer, TCP listener and streams, and a yield. smol's
//! runners use them as smol itself does, and the futures runners borrow them for want
//! of a timer and reactor of their own.

use async_io::Async;
use std::future::Future;
use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

/// The caveat of every runner that offloads to the `blocking` crate's pool (smol's,
/// the futures runners', and async-std's `spawn_blocking`, which is
/// async-global-executor's `blocking::unblock`).
pub(crate) const BLOCKING_IDLE: &str = "offloaded work runs on the blocking crate's pool, whose \
     idle threads exit after 500 ms (tokio's blocking pool keeps them 10 s): samples further \
     apart than that would bill thread creation to this runner alone, so samples run back to \
     back after a warm-up";

/// A TCP stream registered with async-io's reactor.
pub(crate) type Tcp = Async<TcpStream>;
/// A TCP listener registered with async-io's reactor.
pub(crate) type Listener = Async<TcpListener>;

/// Waits `duration` on async-io's `Timer`. The deadline is fixed now, at the call,
/// as tokio's `sleep` fixes it, not at the first poll.
pub(crate) fn sleep(duration: Duration) -> impl Future<Output = ()> + Send {
    let timer = async_io::Timer::after(duration);
    async move {
        timer.await;
    }
}

/// Yields once to the executor (a runtime-neutral future: wake, then pending).
pub(crate) fn yield_now() -> impl Future<Output = ()> + Send {
    smol::future::yield_now()
}

/// Binds a listener on async-io's reactor.
pub(crate) fn listen(addr: SocketAddr) -> io::Result<(Listener, SocketAddr)> {
    let listener = Async::<TcpListener>::bind(addr)?;
    let local = listener.get_ref().local_addr()?;
    Ok((listener, local))
}

/// Registers a bound std listener with async-io's reactor (non-blocking).
pub(crate) fn adopt(listener: TcpListener) -> io::Result<Listener> {
    Async::new(listener)
}

/// Accepts one connection with `TCP_NODELAY`.
pub(crate) async fn accept(listener: &Listener) -> io::Result<Tcp> {
    let (stream, _) = listener.accept().await?;
    stream.get_ref().set_nodelay(true)?;
    Ok(stream)
}

/// Connects with `TCP_NODELAY`.
pub(crate) async fn connect(addr: SocketAddr) -> io::Result<Tcp> {
    let stream = Async::<TcpStream>::connect(addr).await?;
    stream.get_ref().set_nodelay(true)?;
    Ok(stream)
}

/// The [`AsyncRuntime`](rtcompare_api::AsyncRuntime) items every async-io user shares:
/// async-io's timer and TCP, and `blocking::unblock` (through smol) for offloading.
macro_rules! async_io_items {
    () => {
        type Tcp = $crate::async_io_parts::Tcp;
        type Listener = $crate::async_io_parts::Listener;

        fn sleep(
            &self,
            duration: std::time::Duration,
        ) -> impl std::future::Future<Output = ()> + Send {
            $crate::async_io_parts::sleep(duration)
        }

        fn yield_now(&self) -> impl std::future::Future<Output = ()> + Send {
            $crate::async_io_parts::yield_now()
        }

        fn unblock<T, F>(&self, work: F) -> impl std::future::Future<Output = T> + Send
        where
            T: Send + 'static,
            F: FnOnce() -> T + Send + 'static,
        {
            smol::unblock(work)
        }

        fn listen(
            &self,
            addr: std::net::SocketAddr,
        ) -> std::io::Result<(Self::Listener, std::net::SocketAddr)> {
            $crate::async_io_parts::listen(addr)
        }

        fn adopt(&self, listener: std::net::TcpListener) -> std::io::Result<Self::Listener> {
            $crate::async_io_parts::adopt(listener)
        }

        fn accept(
            &self,
            listener: &Self::Listener,
        ) -> impl std::future::Future<Output = std::io::Result<Self::Tcp>> + Send {
            $crate::async_io_parts::accept(listener)
        }

        fn connect(
            &self,
            addr: std::net::SocketAddr,
        ) -> impl std::future::Future<Output = std::io::Result<Self::Tcp>> + Send {
            $crate::async_io_parts::connect(addr)
        }
    };
}

/// The channel items for runtimes whose idiomatic channel is async-channel, given the
/// module that re-exports it (`smol::channel`, `async_std::channel`).
macro_rules! async_channel_items {
    ($($module:ident)::+) => {
        type Sender<T: Send + 'static> = $($module)::+::Sender<T>;
        type Receiver<T: Send + 'static> = $($module)::+::Receiver<T>;

        fn channel<T: Send + 'static>(&self, capacity: usize) -> (Self::Sender<T>, Self::Receiver<T>) {
            $($module)::+::bounded(capacity.max(1))
        }

        fn send<T: Send + 'static>(
            sender: &mut Self::Sender<T>,
            value: T,
        ) -> impl std::future::Future<Output = bool> + Send {
            async move { sender.send(value).await.is_ok() }
        }

        fn recv<T: Send + 'static>(
            receiver: &mut Self::Receiver<T>,
        ) -> impl std::future::Future<Output = Option<T>> + Send {
            async move { receiver.recv().await.ok() }
        }
    };
}

/// The channel items for the futures runners: `futures::channel::mpsc`.
macro_rules! futures_channel_items {
    () => {
        type Sender<T: Send + 'static> = futures::channel::mpsc::Sender<T>;
        type Receiver<T: Send + 'static> = futures::channel::mpsc::Receiver<T>;

        fn channel<T: Send + 'static>(
            &self,
            capacity: usize,
        ) -> (Self::Sender<T>, Self::Receiver<T>) {
            // Capacity is the buffer plus one slot per sender.
            futures::channel::mpsc::channel(capacity.max(1) - 1)
        }

        fn send<T: Send + 'static>(
            sender: &mut Self::Sender<T>,
            value: T,
        ) -> impl std::future::Future<Output = bool> + Send {
            async move { futures::SinkExt::send(sender, value).await.is_ok() }
        }

        fn recv<T: Send + 'static>(
            receiver: &mut Self::Receiver<T>,
        ) -> impl std::future::Future<Output = Option<T>> + Send {
            futures::StreamExt::next(receiver)
        }
    };
}

/// The async-mutex items, given the mutex type's path (`smol::lock::Mutex`,
/// `async_std::sync::Mutex`, `futures::lock::Mutex`): each has `new` and `lock().await`.
macro_rules! async_mutex_items {
    ($($module:ident)::+) => {
        type Mutex<T: Send + 'static> = $($module)::+<T>;

        fn mutex<T: Send + 'static>(&self, value: T) -> Self::Mutex<T> {
            $($module)::+::new(value)
        }

        fn with_lock<T: Send + 'static, U: Send>(
            mutex: &Self::Mutex<T>,
            update: impl FnOnce(&mut T) -> U + Send,
        ) -> impl std::future::Future<Output = U> + Send {
            async move { update(&mut *mutex.lock().await) }
        }
    };
}

pub(crate) use {async_channel_items, async_io_items, async_mutex_items, futures_channel_items};

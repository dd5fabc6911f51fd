//! `async-std`: async-std's global executor (async-global-executor, i.e. the same
//! async-executor core as smol) with its thread count set through
//! `ASYNC_STD_THREAD_COUNT` before first use, then verified by counting its threads.
//! Discontinued upstream (1.13, 2025: "use smol instead"); kept as the data point
//! people still ask about.

use crate::async_io_parts::{async_channel_items, async_mutex_items};
use crate::{Runner, RunnerError, RunnerInfo, ThreadsKnob, census, park_on};
use async_std::net::{TcpListener, TcpStream};
use async_std::task::{self, JoinHandle};
use rtcompare_api::{AsyncRuntime, Class, Family, Visitor};
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

/// async-std's global runtime.
pub struct AsyncStd;

/// The global runtime needs no handle.
#[derive(Clone, Copy)]
pub struct Global;

/// The variable async-std reads, once, when its runtime starts.
const THREAD_COUNT_VAR: &str = "ASYNC_STD_THREAD_COUNT";
/// async-std's worker thread name as the kernel keeps it (15 bytes).
const THREAD_NAME: &str = "async-std/runti";

impl AsyncRuntime for Global {
    type Join<T: Send + 'static> = JoinHandle<T>;
    type Tcp = TcpStream;
    type Listener = TcpListener;

    fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        task::spawn(future)
    }

    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send {
        task::sleep(duration)
    }

    fn yield_now(&self) -> impl Future<Output = ()> + Send {
        task::yield_now()
    }

    fn unblock<T, F>(&self, work: F) -> impl Future<Output = T> + Send
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        task::spawn_blocking(work)
    }

    fn listen(&self, addr: SocketAddr) -> io::Result<(TcpListener, SocketAddr)> {
        let listener = std::net::TcpListener::bind(addr)?;
        let local = listener.local_addr()?;
        Ok((TcpListener::from(listener), local))
    }

    fn adopt(&self, listener: std::net::TcpListener) -> io::Result<TcpListener> {
        // async-std's conversion registers it with async-io's reactor, non-blocking.
        Ok(TcpListener::from(listener))
    }

    async fn accept(&self, listener: &TcpListener) -> io::Result<TcpStream> {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        Ok(stream)
    }

    async fn connect(&self, addr: SocketAddr) -> io::Result<TcpStream> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(stream)
    }

    async_channel_items!(async_std::channel);
    async_mutex_items!(async_std::sync::Mutex);
}

impl Runner for AsyncStd {
    const INFO: RunnerInfo = RunnerInfo {
        id: "async-std",
        class: Class::ConcurrentParallel,
        family: Family::WorkStealing,
        threads: ThreadsKnob::Workers,
        summary: "async_std::task::spawn on its global executor, ASYNC_STD_THREAD_COUNT=N",
        timer: "async-io's Timer and reactor (via async-global-executor), driven by idle workers",
        channel: "async-channel (async_std::channel)",
        net: "async_std::net (async-io underneath)",
        offload: "async_std::task::spawn_blocking",
        caveats: &[
            "discontinued upstream (1.13, 2025: \"use smol instead\"); it runs on \
             async-global-executor, the same async-executor core as smol, so it is not an \
             independent data point",
            crate::async_io_parts::BLOCKING_IDLE,
        ],
        baseline: None,
    };

    fn execute<V: Visitor>(threads: usize, visitor: V) -> Result<V::Out, RunnerError> {
        let wanted = threads.to_string();
        if std::env::var(THREAD_COUNT_VAR).ok().as_deref() != Some(wanted.as_str()) {
            // SAFETY: the cell process calls this before it starts any thread of its
            // own (runtimes are built here, after); nothing reads the environment
            // concurrently.
            unsafe { std::env::set_var(THREAD_COUNT_VAR, &wanted) };
        }
        // Start the runtime outside the timed region, then check it obeyed.
        park_on(task::spawn(async {}));
        let found = census::count_named(THREAD_NAME);
        if found != threads {
            return Err(RunnerError::ThreadCount {
                runner: Self::INFO.id,
                wanted: threads,
                found,
                why: "async-std reads ASYNC_STD_THREAD_COUNT once, when its runtime first starts",
            });
        }
        Ok(visitor.visit_async(&Global, &mut |root| park_on(task::spawn(root))))
    }
}

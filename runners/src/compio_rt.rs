//! `compio`: N threads, each with its own compio runtime (a completion-based,
//! single-threaded executor over io_uring, or epoll through the polling crate where
//! io_uring is refused), sharing nothing. Each core runs its own share of the work
//! and spawns only onto itself. This module owns the runner, the zero-sized
//! [`CompioHere`] handle that acts on the calling core's runtime, and the futures-io
//! stream over compio's own compat adapter.
//!
//! compio's sockets, timers and I/O futures are `!Send` (they hold the runtime's
//! `Rc`s); they are carried through [`AsyncRuntime`]'s `Send` bounds in
//! [`OnThread`], which checks they never leave their core. Its `JoinHandle` is
//! `Send` by compio's own declaration and is used as it is.

use crate::async_io_parts::{async_mutex_items, futures_channel_items};
use crate::on_thread::OnThread;
use crate::per_core::{Core, CoreError, CoreThreads};
use crate::{Runner, RunnerError, RunnerInfo, ThreadsKnob};
use compio::driver::{DriverType, ProactorBuilder};
use compio::io::compat::AsyncStream;
use compio::net::{TcpListener, TcpStream};
use compio::runtime::{JoinError, JoinHandle, Runtime};
use rtcompare_api::{AsyncRuntime, Class, Family, Visitor};
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

/// compio, one runtime per core.
pub struct Compio;

/// The calling core's compio runtime: every method acts on the runtime of the
/// thread that calls it (compio's own `spawn`, timer and sockets look it up).
#[derive(Clone, Copy)]
pub(crate) struct CompioHere;

/// compio's `JoinHandle`, resolving to the task's output; a panic resumes in the
/// awaiter.
pub(crate) struct CompioJoin<T>(JoinHandle<T>);

fn unwrap_join<T>(result: Result<T, JoinError>) -> T {
    match result {
        Ok(value) => value,
        Err(JoinError::Panicked(payload)) => resume_unwind(payload),
        Err(e @ JoinError::Cancelled) => panic!("compio task did not complete: {e}"),
    }
}

impl<T> Future for CompioJoin<T> {
    type Output = T;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        Poll::Ready(unwrap_join(ready!(Pin::new(&mut self.0).poll(cx))))
    }
}

/// A compio TCP stream as futures-io: compio's own `compio::io::compat::AsyncStream`
/// (boxed once per connection, since it is `!Unpin`), writing through.
///
/// A completion-based write owns its buffer until the kernel is done with it, so
/// `AsyncStream` copies writes into a buffer of its own and sends them only on
/// flush, like a `BufWriter`. The workloads treat a TCP stream as unbuffered (the
/// echo server never flushes), so every write here finishes with that flush.
pub(crate) struct WriteThrough {
    stream: Pin<Box<AsyncStream<TcpStream>>>,
    /// Bytes a `poll_write` already put in compio's buffer while their flush is
    /// pending; the retried call (the caller's same write) reports them once sent.
    flushing: Option<usize>,
}

/// A connected compio stream, usable on its own core only.
pub(crate) type Tcp = OnThread<WriteThrough>;

fn into_tcp(stream: TcpStream) -> io::Result<Tcp> {
    stream.set_nodelay(true)?;
    Ok(OnThread::new(WriteThrough {
        stream: Box::pin(AsyncStream::new(stream)),
        flushing: None,
    }))
}

impl futures::io::AsyncRead for WriteThrough {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.stream.as_mut().poll_read(cx, buf)
    }
}

impl futures::io::AsyncWrite for WriteThrough {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if this.flushing.is_none() {
            this.flushing = Some(ready!(this.stream.as_mut().poll_write(cx, buf))?);
        }
        let flushed = ready!(this.stream.as_mut().poll_flush(cx));
        let written = this.flushing.take().expect("set before the flush");
        Poll::Ready(flushed.map(|()| written))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.stream.as_mut().poll_flush(cx)
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.stream.as_mut().poll_close(cx)
    }
}

impl AsyncRuntime for CompioHere {
    type Join<T: Send + 'static> = CompioJoin<T>;
    type Tcp = Tcp;
    type Listener = OnThread<TcpListener>;

    fn spawn<F>(&self, future: F) -> CompioJoin<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        CompioJoin(compio::runtime::spawn(future))
    }

    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send {
        // The deadline is fixed now, at the call, as tokio's `sleep` fixes it
        // (compio's `sleep` would fix it at the first poll).
        OnThread::new(compio::time::sleep_until(Instant::now() + duration))
    }

    fn yield_now(&self) -> impl Future<Output = ()> + Send {
        // compio has no yield of its own: futures-lite's (wake, then pending once).
        crate::async_io_parts::yield_now()
    }

    fn unblock<T, F>(&self, work: F) -> impl Future<Output = T> + Send
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        // compio's blocking pool does not hand a panic back to the awaiter; caught
        // here, it resumes there with its own message.
        let done = CompioJoin(compio::runtime::spawn_blocking(move || {
            catch_unwind(AssertUnwindSafe(work))
        }));
        async move { done.await.unwrap_or_else(|payload| resume_unwind(payload)) }
    }

    fn listen(&self, addr: SocketAddr) -> io::Result<(Self::Listener, SocketAddr)> {
        let listener = std::net::TcpListener::bind(addr)?;
        let local = listener.local_addr()?;
        Ok((self.adopt(listener)?, local))
    }

    fn adopt(&self, listener: std::net::TcpListener) -> io::Result<Self::Listener> {
        // compio makes it non-blocking itself when its driver polls.
        Ok(OnThread::new(TcpListener::from_std(listener)?))
    }

    fn accept(&self, listener: &Self::Listener) -> impl Future<Output = io::Result<Tcp>> + Send {
        let listener = listener.get();
        OnThread::new(async move { into_tcp(listener.accept().await?.0) })
    }

    fn connect(&self, addr: SocketAddr) -> impl Future<Output = io::Result<Tcp>> + Send {
        OnThread::new(async move { into_tcp(TcpStream::connect(addr).await?) })
    }

    futures_channel_items!();
    async_mutex_items!(futures::lock::Mutex);
}

/// Builds one core's runtime, on the core's own thread, with the driver compio
/// chooses.
fn build_core(_index: usize) -> Result<Core, CoreError> {
    build_core_from(&Runtime::builder())
}

fn build_core_from(builder: &compio::runtime::RuntimeBuilder) -> Result<Core, CoreError> {
    let runtime = builder.build().map_err(|e| {
        let message = format!("compio's runtime cannot start: {e}");
        match e.kind() {
            io::ErrorKind::PermissionDenied
            | io::ErrorKind::Unsupported
            | io::ErrorKind::OutOfMemory => CoreError::Unavailable(message),
            _ => CoreError::Failed(message),
        }
    })?;
    let io_driver = driver_name(&runtime);
    Ok(Core {
        // The root runs as a task of the core's runtime, not as block_on's own future.
        run: Box::new(move |root| {
            runtime.block_on(async {
                let outcome = unwrap_join(runtime.spawn(root).await);
                let finished = Instant::now();
                settle().await;
                (outcome, finished)
            })
        }),
        io_driver,
    })
}

/// Lets the driver submit what the sample queued (on io_uring, the cancellation
/// of an accept dropped at a root's end, which would otherwise stay in the kernel
/// and take a connection of the next sample): two short sleeps make the runtime
/// park twice, and a park submits the queue.
async fn settle() {
    for _ in 0..2 {
        compio::time::sleep(Duration::from_micros(50)).await;
    }
}

/// The driver compio chose for `runtime`. With both the `io-uring` and `polling`
/// features, compio probes io_uring when a runtime is built and falls back to
/// polling silently; the reason is found again here by asking for io_uring alone.
fn driver_name(runtime: &Runtime) -> String {
    match runtime.driver_type() {
        DriverType::IoUring => "io_uring".into(),
        DriverType::IOCP => "iocp".into(),
        DriverType::Poll => {
            let why = match ProactorBuilder::new()
                .driver_type(DriverType::IoUring)
                .build()
            {
                Err(e) => format!("io_uring refused: {e}"),
                Ok(_) => "io_uring lacks an operation compio needs".into(),
            };
            format!("epoll (polling; {why})")
        }
    }
}

/// compio's maintenance status.
const MAINTENANCE: &str = "compio 0.19.2, released August 2026 (0.20 is in beta); pre-1.0, \
     its API changes between minor releases; maintained by the compio-rs organisation, \
     most commits of the past year by Yuyi Wang and George Miao";
/// What completion-based I/O costs the futures-io stream.
const COMPLETION_IO: &str = "completion-based I/O: an operation owns its buffer until the \
     kernel completes it, so the futures-io stream (compio::io::compat::AsyncStream) copies \
     every read and write through compio's own 8 KiB buffers and boxes one future per buffer \
     fill and per flush; this runner flushes after every write, since the workloads treat a \
     TCP stream as unbuffered";
/// How compio's executor takes wake-ups from other threads.
const REMOTE_WAKES: &str = "a waker woken on another thread pushes the task onto a fixed \
     64-slot queue (spinning while it is full) and wakes the core's driver; the core takes \
     it at its next tick: compio-executor trades remote-wake latency for single-thread \
     speed. The driver is polled every 61 task polls";
/// compio's join handles.
const CANCEL_ON_DROP: &str = "dropping a compio JoinHandle cancels its task (tokio's detaches it)";

impl Runner for Compio {
    const INFO: RunnerInfo = RunnerInfo {
        id: "compio",
        class: Class::ConcurrentParallel,
        family: Family::ThreadPerCore,
        threads: ThreadsKnob::Workers,
        summary: "N threads, each with its own compio::runtime::Runtime; work placed per core, \
                  compio::runtime::spawn stays on the core",
        timer: "each core's own compio timer (deadlines checked after every driver poll; \
                io_uring's or a timerfd's nanosecond timeout, no rounding to milliseconds); \
                the driver is io_uring, or epoll through the polling crate where io_uring is \
                refused, as recorded in io_driver",
        channel: "futures::channel::mpsc (compio has no channel); futures::lock::Mutex",
        net: "compio::net TcpListener/TcpStream on each core's driver, as futures-io through \
              compio::io::compat::AsyncStream, flushed after every write",
        offload: "compio::runtime::spawn_blocking: each core's own compio-driver AsyncifyPool \
                  (up to 256 threads; idle ones exit after 60 s)",
        caveats: &[
            crate::PER_CORE_SHARES,
            MAINTENANCE,
            COMPLETION_IO,
            REMOTE_WAKES,
            CANCEL_ON_DROP,
            "compio has no yield_now: yields use futures-lite's (wake, then pending once)",
        ],
        baseline: None,
    };

    fn execute<V: Visitor>(threads: usize, visitor: V) -> Result<V::Out, RunnerError> {
        let mut cores = CoreThreads::start(Self::INFO.id, "compio-core", threads, build_core)?;
        Ok(visitor.visit_per_core(&CompioHere, &mut cores))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::{AsyncReadExt, AsyncWriteExt};
    use rtcompare_api::{Cores, Outcome, RootFuture};
    use std::sync::mpsc;

    /// Runs `root` on a one-core compio runner in a thread, failing after 20 s
    /// instead of hanging the test run.
    fn on_a_core(root: RootFuture) -> std::thread::Result<Outcome> {
        on_a_core_built(root, build_core)
    }

    fn on_a_core_built(
        root: RootFuture,
        build: fn(usize) -> Result<Core, CoreError>,
    ) -> std::thread::Result<Outcome> {
        let (done, outcome) = mpsc::channel();
        std::thread::spawn(move || {
            let mut cores = match CoreThreads::start("compio", "compio-test", 1, build) {
                Ok(cores) => cores,
                Err(e) => panic!("{e}"),
            };
            let outcome = catch_unwind(AssertUnwindSafe(|| cores.run(vec![root])));
            let _ = done.send(outcome.map(|mut o| o.0.remove(0)));
        });
        outcome
            .recv_timeout(Duration::from_secs(20))
            .expect("the compio core hung")
    }

    /// A core whose runtime is forced onto the fallback driver: epoll through the
    /// polling crate, as where io_uring is refused.
    fn polling_core(_index: usize) -> Result<Core, CoreError> {
        let mut proactor = ProactorBuilder::new();
        proactor.driver_type(DriverType::Poll);
        let core = build_core_from(Runtime::builder().with_proactor(proactor))?;
        assert!(
            core.io_driver.starts_with("epoll (polling"),
            "{}",
            core.io_driver
        );
        Ok(core)
    }

    /// On both drivers: the wake reaches the core through its driver's own waker
    /// (an io_uring message or eventfd, or polling's notifier).
    #[test]
    fn a_waker_woken_from_another_thread_wakes_the_task() {
        for build in [build_core, polling_core] {
            let outcome = on_a_core_built(woken_from_another_thread(), build);
            assert_eq!(outcome.expect("no panic").checksum, 42);
        }
    }

    fn woken_from_another_thread() -> RootFuture {
        Box::pin(async {
            let (tx, rx) = futures::channel::oneshot::channel::<u64>();
            let waiter = CompioHere.spawn(async move { rx.await.expect("sender kept") });
            let sender = std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(50));
                tx.send(42).expect("receiver alive");
            });
            let got = waiter.await;
            sender.join().expect("sender thread");
            Outcome::new(got)
        })
    }

    #[test]
    fn a_panic_in_a_task_or_blocking_work_fails_instead_of_hanging() {
        let task = on_a_core(Box::pin(async {
            CompioHere.spawn(async { panic!("task boom") }).await;
            Outcome::new(0)
        }));
        let payload = task.expect_err("the panic resumes");
        assert_eq!(rtcompare_api::panic_message(&*payload), "task boom");
        let blocking = on_a_core(Box::pin(async {
            CompioHere.unblock(|| panic!("blocking boom")).await;
            Outcome::new(0)
        }));
        let payload = blocking.expect_err("the panic resumes");
        assert_eq!(rtcompare_api::panic_message(&*payload), "blocking boom");
    }

    /// On io_uring where the kernel allows it, else on epoll.
    #[test]
    fn tcp_echoes_without_a_flush_and_sleeps_and_offloads() {
        assert_eq!(
            on_a_core(echo_sleep_offload()).expect("no panic").checksum,
            7
        );
    }

    /// The fallback where io_uring is refused: epoll through the polling crate.
    #[test]
    fn the_polling_driver_runs_the_same() {
        let outcome = on_a_core_built(echo_sleep_offload(), polling_core);
        assert_eq!(outcome.expect("no panic").checksum, 7);
    }

    fn echo_sleep_offload() -> RootFuture {
        Box::pin(async {
            let rt = CompioHere;
            let (listener, addr) = rt.listen("127.0.0.1:0".parse().unwrap()).unwrap();
            let server = rt.spawn(async move {
                let mut stream = CompioHere.accept(&listener).await.unwrap();
                let mut buf = [0u8; 5];
                stream.read_exact(&mut buf).await.unwrap();
                // No flush: the echo server writes and reads again.
                stream.write_all(&buf).await.unwrap();
                let _ = stream.read(&mut buf).await;
            });
            let mut client = rt.connect(addr).await.unwrap();
            client.write_all(b"hello").await.unwrap();
            let mut back = [0u8; 5];
            client.read_exact(&mut back).await.unwrap();
            assert_eq!(&back, b"hello");
            drop(client);
            server.await;
            let start = Instant::now();
            rt.sleep(Duration::from_millis(20)).await;
            assert!(start.elapsed() >= Duration::from_millis(20));
            Outcome::new(rt.unblock(|| 7).await)
        })
    }
}

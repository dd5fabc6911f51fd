//! `monoio`: N threads, each running its own monoio runtime (ByteDance's
//! thread-per-core runtime) built with the FusionDriver, which picks io_uring where
//! the kernel allows it and epoll (mio) otherwise. Each core runs its own share of
//! the work, spawns only onto itself (`monoio::spawn`, no stealing) and does its I/O
//! on its own ring or poller; a wake from another thread reaches it through
//! monoio's `sync` feature.
//!
//! This module owns the runner, [`ThisCore`] (the [`AsyncRuntime`] handle that acts
//! on the calling thread's runtime), the pool behind `monoio::spawn_blocking`, the
//! TCP stream adapter and the one-permit local mutex.

use crate::on_thread::OnThread;
use crate::per_core::{Core, CoreError, CoreThreads};
use crate::{Runner, RunnerError, RunnerInfo, ThreadsKnob};
use futures::io::{AsyncRead, AsyncWrite};
use local_sync::mpsc::bounded::{Rx, Tx};
use local_sync::semaphore::Semaphore;
use monoio::FusionRuntime;
use monoio::blocking::{BlockingTask, JoinError};
use monoio::net::{ListenerOpts, TcpListener, TcpStream, UnixStream};
use monoio::task::JoinHandle;
use monoio_compat::TcpStreamCompat;
use rtcompare_api::{AsyncRuntime, Class, Family, Visitor};
use std::cell::RefCell;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};
use tokio_util::compat::{Compat, TokioAsyncReadCompatExt};

/// monoio, one runtime per core.
pub struct Monoio;

/// monoio's release and maintenance status.
const STATUS: &str = "monoio 0.2.4 (released 2024-08-20, the latest on crates.io; \
     monoio-compat 0.2.2 from 2024-03) is maintained by ByteDance \
     (github.com/bytedance/monoio); fixes have landed upstream since, up to 2025-11, \
     without a release, so the released behaviour below is what runs";
/// What a yield does on monoio 0.2.4.
const YIELD: &str = "monoio 0.2.4 has no yield_now, and its scheduler puts a task that \
     wakes itself while running at the front of the run queue (monoio issue #322, fixed \
     upstream in #362, not released): the usual yield (wake, then Pending once, used \
     here) runs the same task again at once, so a yielding task lets no other task on \
     its core run; yield-based cells measure that";
/// What a panic does on monoio.
const PANIC: &str = "monoio does not catch a panic in a task: it unwinds out of the \
     core's block_on, leaving that core's other tasks unfinished; the harness catches \
     it there and fails the cell";
/// How its sockets reach futures-io.
const TCP: &str = "monoio's sockets read and write owned buffers; futures-io comes from \
     monoio-compat's StreamWrapper, which copies each read and write through its own \
     8 KiB buffers and returns from a write once the bytes are copied, so the adapter \
     here finishes an unsent write when the stream is next read";
/// What the end of a sample costs on io_uring.
const SUBMIT: &str = "monoio enters the kernel only when it parks, so a socket closed at \
     the end of a sample would stay open into the next one; every core ends each sample \
     with two more io_uring submits (waits on an always-writable socket) to close it";
/// Its timer and cross-thread wakes.
const TIMER: &str = "monoio's timer is tokio's wheel, ported: every sleep is rounded up to \
     a whole millisecond; a wake from another thread goes through a flume channel and \
     the core's eventfd (the `sync` feature), a local wake does not";

impl Runner for Monoio {
    const INFO: RunnerInfo = RunnerInfo {
        id: "monoio",
        class: Class::ConcurrentParallel,
        family: Family::ThreadPerCore,
        threads: ThreadsKnob::Workers,
        summary: "N threads, each with its own monoio runtime \
                  (RuntimeBuilder::<FusionDriver>::new().enable_timer(): io_uring, else \
                  epoll); work placed per core, monoio::spawn stays on the core",
        timer: "each core's own monoio time driver (1 ms resolution), parked in the core's \
                io_uring wait or epoll",
        channel: "local-sync's bounded mpsc (by monoio's authors; monoio has no channel); \
                  async mutex: a one-permit local_sync::semaphore::Semaphore over a RefCell \
                  (local-sync has no mutex; tokio builds its own the same way)",
        net: "monoio::net (io_uring ops on owned buffers, or epoll), listeners bound with \
              monoio's TcpListener; futures-io through monoio-compat's StreamWrapper \
              (tokio's traits) and tokio-util's compat",
        offload: "monoio::spawn_blocking on one pool of N threads shared by the cores (the \
                  threadpool crate, as monoio's DefaultThreadPool, with named threads), \
                  started at the first offload",
        caveats: &[
            crate::PER_CORE_SHARES,
            STATUS,
            YIELD,
            TIMER,
            TCP,
            SUBMIT,
            PANIC,
        ],
        baseline: None,
    };

    fn execute<V: Visitor>(threads: usize, visitor: V) -> Result<V::Out, RunnerError> {
        let pool = BlockingPool::new(threads);
        let mut cores = CoreThreads::start(Self::INFO.id, "monoio-core", threads, move |_| {
            build_core(pool.clone())
        })?;
        Ok(visitor.visit_per_core(&ThisCore, &mut cores))
    }
}

/// Builds the calling thread's monoio runtime and reports the driver it chose.
fn build_core(pool: BlockingPool) -> Result<Core, CoreError> {
    let mut runtime = monoio::RuntimeBuilder::<monoio::FusionDriver>::new()
        .enable_timer()
        .attach_thread_pool(Box::new(pool))
        .build()
        .map_err(build_error)?;
    let (io_driver, probe) = match &runtime {
        FusionRuntime::Uring(_) => ("io_uring", Some(SubmitProbe::new(&mut runtime)?)),
        // The epoll driver closes and deregisters at once: nothing waits for a submit.
        FusionRuntime::Legacy(_) => ("epoll (legacy)", None),
    };
    Ok(Core {
        // The root runs as a task of the core's runtime, as on tokio-per-core.
        run: Box::new(move |root| {
            runtime.block_on(async {
                let outcome = monoio::spawn(root).await;
                let finished = Instant::now();
                if let Some(probe) = &probe {
                    probe.submit().await; // the settling, outside the sample's span
                }
                (outcome, finished)
            })
        }),
        io_driver: io_driver.into(),
    })
}

/// The last step of every sample on io_uring: hands the kernel what the sample
/// queued but monoio has not submitted yet.
///
/// monoio pushes each operation onto the ring's submission queue and enters the
/// kernel only when it parks. A socket dropped at the end of a root is closed by
/// such an operation, and an accept dropped there is cancelled by one, so both
/// would wait for the next sample's first park: a per-core listener of this
/// sample would still be listening when the next sample's listeners bind the same
/// port (`SO_REUSEPORT`), take a share of its connections and reset them once the
/// close went in. Waiting for an always-writable socket makes the runtime park
/// once more, which submits the queue, and the wait itself ends at once. It waits
/// twice: a socket with an operation in flight (the cancelled accept holds its
/// listener) is closed only once the cancellation has completed, which the first
/// park reaps, so its close is queued then and submitted by the second. Two more
/// `io_uring_enter` calls per core and sample.
struct SubmitProbe {
    writable: UnixStream,
    _peer: UnixStream,
}

impl SubmitProbe {
    /// A connected pair registered with `runtime`'s driver; its peer never reads.
    fn new<D: monoio::Driver, L: monoio::Driver>(
        runtime: &mut FusionRuntime<D, L>,
    ) -> Result<SubmitProbe, CoreError> {
        let (writable, peer) = runtime
            .block_on(async { UnixStream::pair() })
            .map_err(|e| CoreError::Failed(format!("monoio: a unix socket pair: {e}")))?;
        Ok(SubmitProbe {
            writable,
            _peer: peer,
        })
    }

    async fn submit(&self) {
        for _ in 0..2 {
            // Writable from the start and never written: an error is the only
            // other answer, and the queue was submitted either way.
            let _ = self.writable.writable(false).await;
        }
    }
}

/// A missing kernel feature or limit makes the runner n/a here; anything else fails.
fn build_error(error: io::Error) -> CoreError {
    let reason = format!("monoio cannot build its runtime: {error}");
    match error.kind() {
        io::ErrorKind::Unsupported
        | io::ErrorKind::PermissionDenied
        | io::ErrorKind::OutOfMemory => CoreError::Unavailable(reason),
        _ => CoreError::Failed(reason),
    }
}

/// The pool `monoio::spawn_blocking` hands work to: one for all cores, with as many
/// threads as there are cores, started by the first offload so that cells that
/// never offload show no idle pool threads.
#[derive(Clone)]
struct BlockingPool {
    threads: usize,
    pool: Arc<OnceLock<threadpool::ThreadPool>>,
}

impl BlockingPool {
    fn new(threads: usize) -> Self {
        BlockingPool {
            threads: threads.max(1),
            pool: Arc::new(OnceLock::new()),
        }
    }
}

impl monoio::blocking::ThreadPool for BlockingPool {
    fn schedule_task(&self, task: BlockingTask) {
        let pool = self.pool.get_or_init(|| {
            threadpool::Builder::new()
                .num_threads(self.threads)
                .thread_name("monoio-blocking".into())
                .build()
        });
        pool.execute(move || task.run());
    }
}

/// The runtime of whichever core calls it: zero-sized, since each core's monoio
/// runtime is reached through the thread it runs on.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ThisCore;

impl AsyncRuntime for ThisCore {
    // monoio's join handle is `Send` for a `Send` output (its task state is atomic).
    type Join<T: Send + 'static> = JoinHandle<T>;
    type Tcp = OnThread<Tcp>;
    type Listener = OnThread<TcpListener>;
    type Sender<T: Send + 'static> = OnThread<Tx<T>>;
    type Receiver<T: Send + 'static> = OnThread<Rx<T>>;
    type Mutex<T: Send + 'static> = OnThread<LocalMutex<T>>;

    fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        monoio::spawn(future)
    }

    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send {
        OnThread::new(monoio::time::sleep(duration))
    }

    fn yield_now(&self) -> impl Future<Output = ()> + Send {
        YieldNow(false)
    }

    fn unblock<T, F>(&self, work: F) -> impl Future<Output = T> + Send
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        // A panic must reach the awaiting task: unwinding inside the pool would leave
        // the join handle waiting forever.
        let task = monoio::spawn_blocking(move || catch_unwind(AssertUnwindSafe(work)));
        async move {
            match task.await {
                Ok(Ok(value)) => value,
                Ok(Err(payload)) => resume_unwind(payload),
                Err(JoinError::Canceled) => panic!("monoio dropped a blocking task unrun"),
            }
        }
    }

    fn listen(&self, addr: SocketAddr) -> io::Result<(OnThread<TcpListener>, SocketAddr)> {
        // monoio binds with SO_REUSEPORT by default; a listener of its own must not
        // share its port.
        let listener = TcpListener::bind_with_config(addr, &ListenerOpts::new().reuse_port(false))?;
        let local = listener.local_addr()?;
        Ok((OnThread::new(listener), local))
    }

    fn adopt(&self, listener: std::net::TcpListener) -> io::Result<OnThread<TcpListener>> {
        // The epoll driver accepts with a plain accept4 after readiness.
        listener.set_nonblocking(true)?;
        Ok(OnThread::new(TcpListener::from_std(listener)?))
    }

    fn accept(
        &self,
        listener: &OnThread<TcpListener>,
    ) -> impl Future<Output = io::Result<OnThread<Tcp>>> + Send {
        let listener = listener.get();
        OnThread::new(async move {
            let (stream, _) = listener.accept().await?;
            Tcp::new(stream)
        })
    }

    fn connect(&self, addr: SocketAddr) -> impl Future<Output = io::Result<OnThread<Tcp>>> + Send {
        OnThread::new(async move { Tcp::new(TcpStream::connect_addr(addr).await?) })
    }

    fn channel<T: Send + 'static>(&self, capacity: usize) -> (OnThread<Tx<T>>, OnThread<Rx<T>>) {
        let (tx, rx) = local_sync::mpsc::bounded::channel(capacity.max(1));
        (OnThread::new(tx), OnThread::new(rx))
    }

    fn send<T: Send + 'static>(
        sender: &mut OnThread<Tx<T>>,
        value: T,
    ) -> impl Future<Output = bool> + Send {
        let sender = sender.get();
        OnThread::new(async move { sender.send(value).await.is_ok() })
    }

    fn recv<T: Send + 'static>(
        receiver: &mut OnThread<Rx<T>>,
    ) -> impl Future<Output = Option<T>> + Send {
        OnThread::new(receiver.get_mut().recv())
    }

    fn mutex<T: Send + 'static>(&self, value: T) -> OnThread<LocalMutex<T>> {
        OnThread::new(LocalMutex {
            permit: Semaphore::new(1),
            value: RefCell::new(value),
        })
    }

    fn with_lock<T: Send + 'static, U: Send>(
        mutex: &OnThread<LocalMutex<T>>,
        update: impl FnOnce(&mut T) -> U + Send,
    ) -> impl Future<Output = U> + Send {
        let mutex = mutex.get();
        OnThread::new(async move {
            let _permit = mutex
                .permit
                .acquire()
                .await
                .expect("the mutex's semaphore is never closed");
            update(&mut mutex.value.borrow_mut())
        })
    }
}

/// The usual yield: wakes its task, then is pending once. monoio 0.2.4 has none of
/// its own, and re-runs a task woken during its own poll straight away (see
/// [`YIELD`]).
struct YieldNow(bool);

impl Future for YieldNow {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// An async mutex for the tasks of one core: a one-permit local-sync semaphore
/// (FIFO, tokio's, ported) guarding a `RefCell`.
pub(crate) struct LocalMutex<T> {
    permit: Semaphore,
    value: RefCell<T>,
}

/// A monoio TCP stream behind futures-io: monoio-compat's `StreamWrapper` gives
/// tokio's traits, tokio-util's compat turns them into futures'.
///
/// `StreamWrapper` returns from a write as soon as it has copied the bytes into its
/// buffer and started sending them; the rest of the send runs only when the stream
/// is written or flushed again. A server that writes a reply and then reads the
/// next request would leave a reply that did not go out at once unsent for good,
/// so a read here first finishes such a write.
pub(crate) struct Tcp {
    stream: Compat<TcpStreamCompat>,
    /// A write returned before its bytes were all handed to the kernel.
    unsent: bool,
}

impl Tcp {
    fn new(stream: TcpStream) -> io::Result<OnThread<Tcp>> {
        stream.set_nodelay(true)?;
        Ok(OnThread::new(Tcp {
            stream: TcpStreamCompat::new(stream).compat(),
            unsent: false,
        }))
    }
}

impl AsyncRead for Tcp {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.unsent {
            // Pending: the send's completion wakes this task as well.
            if let Poll::Ready(sent) = Pin::new(&mut this.stream).poll_flush(cx) {
                this.unsent = false;
                sent?;
            }
        }
        Pin::new(&mut this.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Tcp {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let written = ready!(Pin::new(&mut this.stream).poll_write(cx, buf))?;
        this.unsent = match Pin::new(&mut this.stream).poll_flush(cx) {
            Poll::Ready(sent) => {
                sent?;
                false
            }
            Poll::Pending => true,
        };
        Poll::Ready(Ok(written))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(Pin::new(&mut this.stream).poll_flush(cx))?;
        this.unsent = false;
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(Pin::new(&mut this.stream).poll_close(cx))?;
        this.unsent = false;
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::io::{AsyncReadExt, AsyncWriteExt};
    use rtcompare_api::{Outcome, panic_message};
    use std::sync::mpsc;

    /// Which driver a test's runtime runs on.
    #[derive(Debug, Clone, Copy)]
    enum Driver {
        /// The runner's own build: io_uring where the kernel allows it.
        Runner,
        /// The epoll driver, which the runner falls back to without io_uring.
        Legacy,
    }

    const DRIVERS: [Driver; 2] = [Driver::Runner, Driver::Legacy];

    /// Runs `root` as a task of a fresh monoio runtime on a thread of its own and
    /// returns its output; a panic in it resumes here, and a hang fails after 30 s.
    fn on_core<T, F>(driver: Driver, root: F) -> T
    where
        T: Send + 'static,
        F: Future<Output = T> + Send + 'static,
    {
        let (done, finished) = mpsc::channel();
        std::thread::spawn(move || {
            let out = Arc::new(std::sync::Mutex::new(None));
            let result = catch_unwind(AssertUnwindSafe(|| match driver {
                Driver::Runner => {
                    let Ok(mut core) = build_core(BlockingPool::new(2)) else {
                        panic!("monoio cannot build a runtime here");
                    };
                    let slot = Arc::clone(&out);
                    (core.run)(Box::pin(async move {
                        *slot.lock().unwrap() = Some(root.await);
                        Outcome::new(0)
                    }));
                }
                Driver::Legacy => {
                    let mut runtime = monoio::RuntimeBuilder::<monoio::LegacyDriver>::new()
                        .enable_timer()
                        .attach_thread_pool(Box::new(BlockingPool::new(2)))
                        .build()
                        .expect("a monoio runtime");
                    let value = runtime.block_on(async move { monoio::spawn(root).await });
                    *out.lock().unwrap() = Some(value);
                }
            }));
            let _ = done.send(result.map(|()| out.lock().unwrap().take().unwrap()));
        });
        match finished.recv_timeout(Duration::from_secs(30)) {
            Ok(Ok(value)) => value,
            Ok(Err(payload)) => resume_unwind(payload),
            Err(_) => panic!("the root did not finish within 30 s"),
        }
    }

    #[test]
    fn the_runner_reports_the_driver_it_got() {
        let core =
            std::thread::spawn(|| build_core(BlockingPool::new(1)).ok().map(|c| c.io_driver))
                .join()
                .unwrap()
                .expect("a monoio runtime");
        assert!(
            ["io_uring", "epoll (legacy)"].contains(&core.as_str()),
            "{core}"
        );
    }

    /// On the runner's driver (the epoll driver closes at once anyway): see
    /// [`SubmitProbe`].
    #[test]
    fn a_listener_dropped_as_a_root_ends_is_closed_when_it_returns() {
        let addr = std::thread::spawn(|| {
            let Ok(mut core) = build_core(BlockingPool::new(1)) else {
                panic!("monoio cannot build a runtime here");
            };
            let addr = Arc::new(std::sync::Mutex::new(None));
            let slot = Arc::clone(&addr);
            (core.run)(Box::pin(async move {
                let (listener, local) = ThisCore
                    .listen(SocketAddr::from(([127, 0, 0, 1], 0)))
                    .unwrap();
                *slot.lock().unwrap() = Some(local);
                // An accept in flight, dropped unfinished as a server's accept loop
                // ends, holds the listener until its cancellation completes.
                let accept = std::pin::pin!(ThisCore.accept(&listener));
                let timeout = std::pin::pin!(ThisCore.sleep(Duration::from_millis(5)));
                let _ = futures::future::select(accept, timeout).await;
                Outcome::new(0)
            }));
            // The runtime is alive but idle, as between two samples.
            let addr = addr.lock().unwrap().take().unwrap();
            let refused = std::net::TcpStream::connect(addr);
            drop(core);
            refused.map(drop)
        })
        .join()
        .unwrap();
        let error = addr.expect_err("nothing listens once the root has returned");
        assert_eq!(error.kind(), io::ErrorKind::ConnectionRefused, "{error}");
    }

    #[test]
    fn a_wake_from_another_thread_reaches_its_core() {
        for driver in DRIVERS {
            let value = on_core(driver, async {
                let (tx, rx) = futures::channel::oneshot::channel();
                // The task is parked in its driver's wait when the send comes.
                std::thread::spawn(move || {
                    std::thread::sleep(Duration::from_millis(50));
                    tx.send(7u64).unwrap();
                });
                rx.await.unwrap()
            });
            assert_eq!(value, 7, "{driver:?}");
        }
    }

    #[test]
    fn join_gives_the_output_and_a_panic_fails_instead_of_hanging() {
        for driver in DRIVERS {
            let value = on_core(driver, async { ThisCore.spawn(async { 5u64 }).await });
            assert_eq!(value, 5, "{driver:?}");
            let panicked = catch_unwind(|| {
                on_core(driver, async {
                    ThisCore.spawn(async { panic!("boom in a task") }).await;
                })
            });
            let payload = panicked.expect_err("a task's panic reaches the caller");
            assert_eq!(panic_message(&*payload), "boom in a task", "{driver:?}");
        }
    }

    #[test]
    fn unblock_runs_on_the_pool_and_carries_a_panic_back() {
        for driver in DRIVERS {
            let name = on_core(driver, async {
                ThisCore
                    .unblock(|| std::thread::current().name().map(str::to_owned))
                    .await
            });
            assert_eq!(name.as_deref(), Some("monoio-blocking"), "{driver:?}");
            let panicked = catch_unwind(|| {
                on_core(driver, async {
                    ThisCore.unblock(|| panic!("boom offloaded")).await;
                })
            });
            let payload = panicked.expect_err("an offloaded panic reaches the caller");
            assert_eq!(panic_message(&*payload), "boom offloaded", "{driver:?}");
        }
    }

    #[test]
    fn sleep_waits_on_the_timer() {
        for driver in DRIVERS {
            let slept = on_core(driver, async {
                let start = std::time::Instant::now();
                ThisCore.sleep(Duration::from_millis(5)).await;
                start.elapsed()
            });
            assert!(slept >= Duration::from_millis(5), "{driver:?}: {slept:?}");
        }
    }

    /// Documents [`YIELD`]: should a monoio release fix it, this fails, and the
    /// caveat goes.
    #[test]
    fn on_monoio_0_2_4_a_yielding_task_runs_again_before_the_others() {
        for driver in DRIVERS {
            let order = on_core(driver, async {
                let log = Arc::new(std::sync::Mutex::new(Vec::new()));
                let other_log = Arc::clone(&log);
                // Queued behind this task: a yield that yields would let it run first.
                let other = ThisCore.spawn(async move { other_log.lock().unwrap().push("other") });
                ThisCore.yield_now().await;
                log.lock().unwrap().push("after the yield");
                other.await;
                Arc::try_unwrap(log).unwrap().into_inner().unwrap()
            });
            assert_eq!(order, ["after the yield", "other"], "{driver:?}");
        }
    }

    /// A server that echoes `bytes` and then reads until the client closes, never
    /// flushing, against a client that reads the echo only after a pause, so the
    /// server's last write cannot go out at once.
    async fn echo(listener: OnThread<TcpListener>, addr: SocketAddr, bytes: usize) -> bool {
        let server = ThisCore.spawn(async move {
            let mut stream = ThisCore.accept(&listener).await.unwrap();
            let mut buf = vec![0u8; bytes];
            stream.read_exact(&mut buf).await.unwrap();
            stream.write_all(&buf).await.unwrap();
            // The client closes after it has the whole echo: a zero-byte read.
            assert_eq!(stream.read(&mut [0u8; 1]).await.unwrap(), 0);
        });
        let mut client = ThisCore.connect(addr).await.unwrap();
        let sent: Vec<u8> = (0..bytes).map(|i| (i % 251) as u8).collect();
        client.write_all(&sent).await.unwrap();
        ThisCore.sleep(Duration::from_millis(50)).await;
        let mut echoed = vec![0u8; bytes];
        client.read_exact(&mut echoed).await.unwrap();
        client.close().await.unwrap();
        drop(client);
        server.await;
        echoed == sent
    }

    fn shrink_send_buffer(listener: &std::net::TcpListener) {
        use std::os::fd::AsRawFd;
        let size: libc::c_int = 4096;
        // SAFETY: a valid socket descriptor and a pointer to an int of the size given.
        let set = unsafe {
            libc::setsockopt(
                listener.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_SNDBUF,
                std::ptr::from_ref(&size).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        assert_eq!(set, 0, "{}", io::Error::last_os_error());
    }

    #[test]
    fn tcp_echoes_through_the_adapter_without_a_flush() {
        for driver in DRIVERS {
            for bytes in [64, 4 << 20] {
                let listened = on_core(driver, async move {
                    let (listener, addr) = ThisCore
                        .listen(SocketAddr::from(([127, 0, 0, 1], 0)))
                        .unwrap();
                    echo(listener, addr, bytes).await
                });
                assert!(listened, "{driver:?}, {bytes} bytes, listen");
                let adopted = on_core(driver, async move {
                    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
                    // Accepted sockets inherit it: a send buffer smaller than one of
                    // StreamWrapper's 8 KiB writes makes every write go out in parts.
                    shrink_send_buffer(&std_listener);
                    let addr = std_listener.local_addr().unwrap();
                    let listener = ThisCore.adopt(std_listener).unwrap();
                    echo(listener, addr, bytes).await
                });
                assert!(adopted, "{driver:?}, {bytes} bytes, adopt");
            }
        }
    }

    #[test]
    fn channel_and_mutex_keep_their_contract() {
        for driver in DRIVERS {
            let (sum, refused, total) = on_core(driver, async {
                let (mut tx, mut rx) = ThisCore.channel::<u64>(1);
                let producer = ThisCore.spawn(async move {
                    for i in 1..=100 {
                        assert!(ThisCore::send(&mut tx, i).await);
                    }
                });
                let mut sum = 0;
                while let Some(i) = ThisCore::recv(&mut rx).await {
                    sum += i;
                }
                producer.await;
                let (mut tx, rx) = ThisCore.channel::<u64>(1);
                drop(rx);
                let refused = !ThisCore::send(&mut tx, 1).await;

                let counter = Arc::new(ThisCore.mutex(0u64));
                let workers: Vec<_> = (0..10)
                    .map(|_| {
                        let counter = Arc::clone(&counter);
                        ThisCore.spawn(async move {
                            for _ in 0..100 {
                                ThisCore::with_lock(&*counter, |n| *n += 1).await;
                                ThisCore.sleep(Duration::ZERO).await;
                            }
                        })
                    })
                    .collect();
                for worker in workers {
                    worker.await;
                }
                let total = ThisCore::with_lock(&*counter, |n| *n).await;
                (sum, refused, total)
            });
            assert_eq!(sum, 5050, "{driver:?}");
            assert!(refused, "{driver:?}: a send to a dropped receiver fails");
            assert_eq!(total, 1000, "{driver:?}");
        }
    }
}

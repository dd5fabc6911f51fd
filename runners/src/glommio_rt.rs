//! `glommio`: N threads, each with its own glommio `LocalExecutor` (DataDog's
//! io_uring thread-per-core runtime), sharing nothing. Each core runs its own share of
//! the work; `glommio::spawn_local` keeps every task on the core that spawned it.
//!
//! This module owns glommio's side of [`AsyncRuntime`]: [`Glommio`], a zero-sized
//! handle that acts on the calling thread's executor, and the building of one
//! executor per core thread, including the n/a verdict where glommio cannot start
//! (no io_uring, too little locked memory).
//!
//! Everything glommio hands out (tasks, sockets, channel halves, locks, the futures
//! of its `async fn`s) is `!Send`; it is carried through the trait's `Send` bounds in
//! [`OnThread`], which checks that it never leaves its core.
//!
//! Wakers: a glommio waker woken on another thread (another core, a std thread)
//! queues itself on its executor's foreign-wake channel and writes the executor's
//! eventfd, which its io_uring watches, so a parked core wakes. The tests below check
//! it from a std thread and from another core.

use crate::on_thread::OnThread;
use crate::per_core::{Core, CoreError, CoreThreads};
use crate::{Runner, RunnerError, RunnerInfo, ThreadsKnob};
use glommio::channels::local_channel::{self, LocalReceiver, LocalSender};
use glommio::net::{TcpListener, TcpStream};
use glommio::sync::RwLock;
use glommio::timer::Timer;
use glommio::{LocalExecutor, LocalExecutorBuilder, Placement, Task};
use rtcompare_api::{AsyncRuntime, Class, Family, Visitor, panic_message};
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::os::fd::{FromRawFd, IntoRawFd};
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// glommio, one `LocalExecutor` per core.
pub struct GlommioRt;

/// The handle every core shares: zero-sized, it reaches the executor of whichever
/// thread calls it (glommio's `spawn_local`, `Timer`, sockets and blocking pool all
/// find the running executor in a thread-local).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Glommio;

/// What the cells record as the I/O driver: glommio has no other.
const IO_DRIVER: &str = "io_uring (glommio: main, latency and poll rings per core)";

/// Memory each executor registers with its rings for DMA file I/O: glommio's floor
/// (its default is 10 MiB). No workload does glommio file I/O, and registering pins
/// the buffer: the default would make 10 MiB per core resident, and count against
/// RLIMIT_MEMLOCK where the process lacks CAP_IPC_LOCK.
const IO_MEMORY: usize = 64 << 10;

impl AsyncRuntime for Glommio {
    type Join<T: Send + 'static> = OnThread<Task<T>>;
    type Tcp = OnThread<TcpStream>;
    type Listener = OnThread<TcpListener>;
    type Sender<T: Send + 'static> = OnThread<LocalSender<T>>;
    type Receiver<T: Send + 'static> = OnThread<LocalReceiver<T>>;
    type Mutex<T: Send + 'static> = OnThread<RwLock<T>>;

    /// glommio's `Task` cancels its task when dropped (as smol's does); awaiting one
    /// whose task panicked panics, though the panic has already left the executor's
    /// `run` by then (see [`build_core`]).
    fn spawn<F>(&self, future: F) -> OnThread<Task<F::Output>>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        OnThread::new(glommio::spawn_local(future))
    }

    /// `Timer::new` is what `glommio::timer::sleep` awaits; called here directly, it
    /// fixes the deadline now, at the call, as tokio's `sleep` and async-io's `Timer`
    /// do, rather than at the first poll.
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send {
        let timer = OnThread::new(Timer::new(duration));
        async move {
            timer.await;
        }
    }

    /// glommio's unconditional yield (`ExecutorProxy::yield_now`, i.e. futures-lite's
    /// wake-then-pending): the task goes to the back of its task queue.
    /// `yield_if_needed` would only yield once the preempt timer has fired.
    async fn yield_now(&self) {
        glommio::executor().yield_now().await
    }

    /// glommio's `spawn_blocking`, on the core's own blocking thread. The work runs
    /// inside `catch_unwind` because a panic there would kill that thread without an
    /// answer, leaving the awaiting task pending for ever; it resumes on the core
    /// instead, so it fails the cell.
    fn unblock<T, F>(&self, work: F) -> impl Future<Output = T> + Send
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let done = OnThread::new(
            glommio::executor().spawn_blocking(move || catch_unwind(AssertUnwindSafe(work))),
        );
        async move {
            match done.await {
                Ok(value) => value,
                Err(payload) => resume_unwind(payload),
            }
        }
    }

    /// glommio's own bind (it sets `SO_REUSEPORT`, so every core may bind one address).
    fn listen(&self, addr: SocketAddr) -> io::Result<(OnThread<TcpListener>, SocketAddr)> {
        let listener = TcpListener::bind(addr)?;
        let local = listener.local_addr()?;
        Ok((OnThread::new(listener), local))
    }

    fn adopt(&self, listener: std::net::TcpListener) -> io::Result<OnThread<TcpListener>> {
        // glommio first tries a plain accept4 with O_NONBLOCK set for that one call,
        // then restores the descriptor's flags. The flags belong to the open file,
        // which other cores' duplicates share: set non-blocking for good, so no core
        // can restore a blocking mode under another core's accept.
        listener.set_nonblocking(true)?;
        // SAFETY: `into_raw_fd` hands over sole ownership of a bound, listening TCP
        // socket; glommio's listener now owns it and closes it once, when dropped.
        let listener = unsafe { TcpListener::from_raw_fd(listener.into_raw_fd()) };
        Ok(OnThread::new(listener))
    }

    async fn accept(&self, listener: &OnThread<TcpListener>) -> io::Result<OnThread<TcpStream>> {
        let accepting = OnThread::new(listener.get().accept());
        let stream = accepting.await?;
        stream.set_nodelay(true)?;
        Ok(OnThread::new(stream))
    }

    async fn connect(&self, addr: SocketAddr) -> io::Result<OnThread<TcpStream>> {
        let connecting = OnThread::new(TcpStream::connect(addr));
        let stream = connecting.await?;
        stream.set_nodelay(true)?;
        Ok(OnThread::new(stream))
    }

    fn channel<T: Send + 'static>(
        &self,
        capacity: usize,
    ) -> (OnThread<LocalSender<T>>, OnThread<LocalReceiver<T>>) {
        let (sender, receiver) = local_channel::new_bounded(capacity.max(1));
        (OnThread::new(sender), OnThread::new(receiver))
    }

    async fn send<T: Send + 'static>(sender: &mut OnThread<LocalSender<T>>, value: T) -> bool {
        let sending = OnThread::new(sender.get().send(value));
        sending.await.is_ok()
    }

    async fn recv<T: Send + 'static>(receiver: &mut OnThread<LocalReceiver<T>>) -> Option<T> {
        let receiving = OnThread::new(receiver.get().recv());
        receiving.await
    }

    /// glommio has no async mutex; its `RwLock`, locked for writing, is the exclusive
    /// lock it offers.
    fn mutex<T: Send + 'static>(&self, value: T) -> OnThread<RwLock<T>> {
        OnThread::new(RwLock::new(value))
    }

    async fn with_lock<T: Send + 'static, U: Send>(
        mutex: &OnThread<RwLock<T>>,
        update: impl FnOnce(&mut T) -> U + Send,
    ) -> U {
        let locking = OnThread::new(mutex.get().write());
        let mut guard = locking
            .await
            .unwrap_or_else(|e| panic!("glommio RwLock: {e}"));
        update(&mut guard)
    }
}

impl Runner for GlommioRt {
    const INFO: RunnerInfo = RunnerInfo {
        id: "glommio",
        class: Class::ConcurrentParallel,
        family: Family::ThreadPerCore,
        threads: ThreadsKnob::Workers,
        summary: "N threads, each building its own glommio LocalExecutor on itself \
                  (LocalExecutorBuilder::new(Placement::Unbound): unpinned, like every other \
                  runner; io_memory 64 KiB); work placed per core, glommio::spawn_local stays \
                  on the core; yield is glommio's executor().yield_now(), the async mutex its \
                  sync::RwLock (write lock: glommio has no Mutex)",
        timer: "glommio::timer::Timer on each core's own io_uring reactor",
        channel: "glommio::channels::local_channel::new_bounded (single-thread channel)",
        net: "glommio::net::TcpListener / TcpStream on io_uring (bind sets SO_REUSEPORT; the \
              harness's listener is adopted with from_raw_fd)",
        offload: "glommio's executor().spawn_blocking: one blocking thread per core \
                  (glommio's default pool for an unbound executor), named glommio-blk",
        caveats: &[
            crate::PER_CORE_SHARES,
            "glommio 0.9.0 (March 2024, DataDog) is its last release; its repository has \
             had 17 commits since (the last in April 2025), none released. One of them \
             matters here: in 0.9.0 a process's first io_uring sleep stalls for tens of ms \
             while glommio registers its membarrier, so each core's executor sleeps once \
             while it is built, outside every sample",
            "needs io_uring (Linux 5.8 or later, probed by glommio at start-up) and at least \
             512 KiB of RLIMIT_MEMLOCK (glommio's own check); where either is missing its \
             cells are n/a with glommio's reason. Its rings and its 64 KiB registered buffer \
             (io_memory, cut from glommio's 10 MiB default since no workload does glommio \
             file I/O) fit the usual 8 MiB limit",
            "glommio looks at its timers between task-queue runs, and a queue kept busy by \
             tasks that yield (yield_now puts the task back in the same queue) runs until \
             glommio's preempt timer fires (default 100 ms, kept): a sleep beside a yielding \
             task can end up to 100 ms late. Socket completions are not held up: they flag \
             a preemption through glommio's latency ring",
            "each time a core goes to sleep, glommio issues membarrier(PRIVATE_EXPEDITED) \
             where the kernel has it, which interrupts every CPU running a thread of the \
             process, so part of the cost of one core's idling lands on the others",
        ],
        baseline: None,
    };

    fn execute<V: Visitor>(threads: usize, visitor: V) -> Result<V::Out, RunnerError> {
        let mut cores = CoreThreads::start(Self::INFO.id, "glommio-core", threads, build_core)?;
        Ok(visitor.visit_per_core(&Glommio, &mut cores))
    }
}

/// Builds core `index`'s executor on the calling (core) thread.
///
/// `LocalExecutor::run` spawns the future it is given as a task on the executor's
/// default task queue and drives the executor until that task completes; it can be
/// called again and again on one executor, once per sample. A panic in any task
/// unwinds out of `run` at once (glommio does not catch it), so the cell fails.
fn build_core(index: usize) -> Result<Core, CoreError> {
    let executor = make_executor(index)?;
    Ok(Core {
        run: Box::new(move |root| {
            executor.run(async move {
                let outcome = root.await;
                let finished = Instant::now();
                // Two parks submit what the sample queued (the cancellation of an
                // accept dropped at the root's end, which would otherwise stay in
                // the kernel and take a connection of the next sample).
                for _ in 0..2 {
                    glommio::timer::sleep(Duration::from_micros(50)).await;
                }
                (outcome, finished)
            })
        }),
        io_driver: IO_DRIVER.into(),
    })
}

/// The first core's reason for not starting, given to every later core: a panic in
/// glommio's one-time io_uring probe poisons it, and the cores after would only
/// report the poisoning.
static UNAVAILABLE: Mutex<Option<String>> = Mutex::new(None);

/// A glommio executor for core `index`, or why glommio cannot start here.
fn make_executor(index: usize) -> Result<LocalExecutor, CoreError> {
    // Executors are built one at a time (outside every timed region) so that the
    // first failure is the one every core reports.
    let mut unavailable = UNAVAILABLE.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(reason) = unavailable.as_ref() {
        return Err(CoreError::Unavailable(reason.clone()));
    }
    let made = build_executor(index);
    if let Err(CoreError::Unavailable(reason)) = &made {
        *unavailable = Some(reason.clone());
    }
    made
}

fn build_executor(index: usize) -> Result<LocalExecutor, CoreError> {
    // Where the kernel refuses io_uring outright (too old, disabled by sysctl,
    // filtered by seccomp), glommio 0.9.0 does not return an error: its opcode probe
    // panics blaming the kernel's age. Ask the kernel first and give its answer. (A
    // kernel with the probe but without an opcode glommio needs would make glommio
    // exit the process; no mainline kernel is one, as every such opcode predates the
    // probe, 5.6.)
    if let Some(refused) = io_uring_refused() {
        return Err(CoreError::Unavailable(format!(
            "glommio needs io_uring, and the kernel refuses io_uring_setup: {refused}"
        )));
    }
    let builder = LocalExecutorBuilder::new(Placement::Unbound)
        .name(&format!("glommio-{index}"))
        .io_memory(IO_MEMORY);
    // glommio's blocking thread is an unnamed std thread started inside `make`, so it
    // would carry this thread's name and count as a second core in the thread census.
    let own_name = std::thread::current().name().map(str::to_owned);
    name_this_thread(&format!("glommio-blk-{index}"));
    let made = catch_unwind(AssertUnwindSafe(|| builder.make()));
    if let Some(name) = &own_name {
        name_this_thread(name);
    }
    let executor = match made {
        Ok(Ok(executor)) => executor,
        Ok(Err(e)) => {
            let mut reason = format!("glommio cannot build its executor: {e}");
            // glommio's words for a low limit are terse (`MemLockLimit(have/need)`, in
            // bytes), so the limit in force goes beside them.
            if reason.contains("MemLock") {
                reason += &format!(
                    " (RLIMIT_MEMLOCK here: {}; glommio needs 512 KiB)",
                    memlock_limit()
                );
            }
            return Err(CoreError::Unavailable(reason));
        }
        Err(payload) => {
            return Err(CoreError::Unavailable(format!(
                "glommio panicked building its executor: {}",
                panic_message(&*payload)
            )));
        }
    };
    // One short sleep: it proves the rings work, and it moves glommio 0.9.0's one-time
    // membarrier registration (tens of ms at the first sleep; fixed upstream after
    // 0.9.0) out of every sample.
    let slept = catch_unwind(AssertUnwindSafe(|| {
        executor.run(async {
            Timer::new(Duration::from_millis(1)).await;
        })
    }));
    if let Err(payload) = slept {
        return Err(CoreError::Unavailable(format!(
            "glommio's executor could not sleep on its rings: {}",
            panic_message(&*payload)
        )));
    }
    Ok(executor)
}

/// Names the calling thread as the kernel shows it (best effort: a name is only a
/// label in the thread census).
fn name_this_thread(name: &str) {
    let _ = std::fs::write("/proc/thread-self/comm", name.as_bytes());
}

/// The soft RLIMIT_MEMLOCK of this process, in words.
fn memlock_limit() -> String {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes only the `rlimit` it is given.
    if unsafe { libc::getrlimit(libc::RLIMIT_MEMLOCK, &mut limit) } != 0 {
        return "unknown".into();
    }
    match limit.rlim_cur {
        libc::RLIM_INFINITY => "unlimited".into(),
        bytes => format!("{} KiB", bytes / 1024),
    }
}

/// The kernel's answer when it refuses to set up an io_uring, `None` when it agrees.
fn io_uring_refused() -> Option<io::Error> {
    /// `struct io_uring_params`: 120 bytes, all zero asks for the defaults.
    #[repr(C, align(8))]
    struct Params([u8; 120]);
    let mut params = Params([0; 120]);
    // SAFETY: io_uring_setup(entries, params) reads and writes only the 120-byte
    // `io_uring_params` it is given, which `params` is and outlives the call.
    let fd = unsafe {
        libc::syscall(
            libc::SYS_io_uring_setup,
            1 as libc::c_uint,
            std::ptr::from_mut(&mut params),
        )
    };
    if fd < 0 {
        return Some(io::Error::last_os_error());
    }
    // SAFETY: `fd` is the ring descriptor just created here and used by nothing else.
    unsafe { libc::close(fd as libc::c_int) };
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::{AsyncReadExt, AsyncWriteExt};
    use rtcompare_api::{Cores, Outcome, RootFuture};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::mpsc;
    use std::task::{Poll, Waker};
    use std::time::Instant;

    /// `threads` glommio cores on threads named `{name}-{i}`, or `None` (with a
    /// message) where glommio cannot start on this machine.
    fn cores_or_skip(name: &str, threads: usize) -> Option<CoreThreads> {
        match CoreThreads::start("glommio", name, threads, build_core) {
            Ok(cores) => Some(cores),
            Err(RunnerError::Unavailable { reason, .. }) => {
                eprintln!("skipped: glommio cannot start here: {reason}");
                None
            }
            Err(e) => panic!("{e}"),
        }
    }

    /// Runs `roots` on `cores` from another thread, failing after `limit` instead of
    /// hanging (a lost wake-up would otherwise hang the test).
    fn run_within(
        cores: CoreThreads,
        roots: Vec<RootFuture>,
        limit: Duration,
    ) -> std::thread::Result<Vec<Outcome>> {
        let (done, result) = mpsc::channel();
        std::thread::spawn(move || {
            let mut cores = cores;
            let outcome = catch_unwind(AssertUnwindSafe(|| cores.run(roots).0));
            let _ = done.send(outcome);
        });
        result
            .recv_timeout(limit)
            .unwrap_or_else(|_| panic!("the cores did not finish within {limit:?}"))
    }

    /// Where a task parks its waker for someone on another thread to wake.
    #[derive(Default)]
    struct Doorbell {
        waker: Mutex<Option<Waker>>,
        rung: AtomicBool,
    }

    impl Doorbell {
        /// Pending until rung; leaves a clone of the task's waker behind.
        async fn wait(&self) {
            std::future::poll_fn(|cx| {
                *self.waker.lock().unwrap() = Some(cx.waker().clone());
                if self.rung.load(Ordering::Acquire) {
                    Poll::Ready(())
                } else {
                    Poll::Pending
                }
            })
            .await
        }

        /// Whether a waiter has left its waker.
        fn armed(&self) -> bool {
            self.waker.lock().unwrap().is_some()
        }

        fn ring(&self) {
            self.rung.store(true, Ordering::Release);
            if let Some(waker) = self.waker.lock().unwrap().take() {
                waker.wake();
            }
        }
    }

    #[test]
    fn every_part_runs_on_each_core_sample_after_sample() {
        let Some(mut cores) = cores_or_skip("glommio-parts", 2) else {
            return;
        };
        assert_eq!(cores.io_driver(), IO_DRIVER);
        let rt = Glommio;
        // Three samples on the same executors: `run` is called once per sample.
        for sample in 0..3u64 {
            let roots: Vec<RootFuture> = (0..2u64)
                .map(|core| -> RootFuture {
                    Box::pin(async move {
                        let tasks: Vec<_> =
                            (0..10u64).map(|i| rt.spawn(async move { i })).collect();
                        let mut sum = 0;
                        for task in tasks {
                            sum += task.await;
                        }
                        let start = Instant::now();
                        rt.sleep(Duration::from_millis(2)).await;
                        assert!(start.elapsed() >= Duration::from_millis(2));
                        rt.yield_now().await;
                        sum += rt.unblock(move || 100 + core).await;

                        let (mut tx, mut rx) = rt.channel::<u64>(1);
                        let producer = rt.spawn(async move {
                            for i in 0..5 {
                                assert!(Glommio::send(&mut tx, i).await);
                            }
                        });
                        while let Some(i) = Glommio::recv(&mut rx).await {
                            sum += i;
                        }
                        producer.await;

                        let lock = Arc::new(rt.mutex(0u64));
                        let adders: Vec<_> = (0..4)
                            .map(|_| {
                                let lock = Arc::clone(&lock);
                                rt.spawn(
                                    async move { Glommio::with_lock(&lock, |n| *n += 1).await },
                                )
                            })
                            .collect();
                        for adder in adders {
                            adder.await;
                        }
                        sum += Glommio::with_lock(&lock, |n| *n).await;

                        // TCP: one listener bound here, one adopted from std.
                        let (listener, addr) = rt.listen("127.0.0.1:0".parse().unwrap()).unwrap();
                        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
                        let adopted_addr = std_listener.local_addr().unwrap();
                        let adopted = rt.adopt(std_listener).unwrap();
                        for (listener, addr) in [(listener, addr), (adopted, adopted_addr)] {
                            let server = rt.spawn(async move {
                                let mut stream = rt.accept(&listener).await.unwrap();
                                let mut buf = [0u8; 4];
                                stream.read_exact(&mut buf).await.unwrap();
                                stream.write_all(&buf).await.unwrap();
                            });
                            let mut client = rt.connect(addr).await.unwrap();
                            client.write_all(b"ping").await.unwrap();
                            let mut echo = [0u8; 4];
                            client.read_exact(&mut echo).await.unwrap();
                            assert_eq!(&echo, b"ping");
                            server.await;
                            sum += 1;
                        }
                        Outcome::new(sum + sample)
                    })
                })
                .collect();
            let (outcomes, _) = cores.run(roots);
            // 45 from the tasks, 100 + core offloaded, 10 over the channel, 4 locked
            // adds, 2 echoes.
            let sums: Vec<u64> = outcomes.iter().map(|o| o.checksum).collect();
            assert_eq!(sums, [161 + sample, 162 + sample]);
        }
        // glommio's blocking threads do not pass for cores in the thread census (other
        // tests' cores may be alive, so theirs are counted too).
        assert_eq!(crate::census::count_named("glommio-parts"), 2);
        assert!(crate::census::count_named("glommio-blk") >= 2);
    }

    #[test]
    fn a_waker_woken_on_a_std_thread_wakes_its_parked_core() {
        let Some(cores) = cores_or_skip("glommio-std-wake", 1) else {
            return;
        };
        let bell = Arc::new(Doorbell::default());
        let ringer = Arc::clone(&bell);
        std::thread::spawn(move || {
            while !ringer.armed() {
                std::thread::sleep(Duration::from_millis(1));
            }
            // Long enough for the core to have parked on its ring.
            std::thread::sleep(Duration::from_millis(50));
            ringer.ring();
        });
        let root: RootFuture = Box::pin(async move {
            bell.wait().await;
            Outcome::new(1)
        });
        let outcomes = run_within(cores, vec![root], Duration::from_secs(10)).unwrap();
        assert_eq!(outcomes[0].checksum, 1);
    }

    #[test]
    fn a_waker_woken_on_another_core_wakes_its_task() {
        let Some(cores) = cores_or_skip("glommio-core-wake", 2) else {
            return;
        };
        let bell = Arc::new(Doorbell::default());
        let ringer = Arc::clone(&bell);
        let rt = Glommio;
        let waiter: RootFuture = Box::pin(async move {
            bell.wait().await;
            Outcome::new(1)
        });
        // Core 1 rings from inside its own executor: the waker is foreign there too.
        let ringing: RootFuture = Box::pin(async move {
            while !ringer.armed() {
                rt.sleep(Duration::from_millis(1)).await;
            }
            rt.sleep(Duration::from_millis(20)).await;
            ringer.ring();
            Outcome::new(2)
        });
        let outcomes = run_within(cores, vec![waiter, ringing], Duration::from_secs(10)).unwrap();
        assert_eq!(outcomes[0].checksum + outcomes[1].checksum, 3);
    }

    #[test]
    fn a_panic_in_a_task_or_in_offloaded_work_fails_the_run() {
        for offloaded in [false, true] {
            let Some(cores) = cores_or_skip("glommio-panic", 2) else {
                return;
            };
            let rt = Glommio;
            let roots: Vec<RootFuture> = vec![
                Box::pin(async move {
                    if offloaded {
                        rt.unblock(|| panic!("offloaded work panicked")).await
                    } else {
                        rt.spawn(async { panic!("a task panicked") }).await
                    }
                }),
                Box::pin(async move {
                    rt.sleep(Duration::from_millis(5)).await;
                    Outcome::new(1)
                }),
            ];
            let result = run_within(cores, roots, Duration::from_secs(10));
            let payload = result.expect_err("the panic reaches the caller");
            let message = panic_message(&*payload);
            assert!(message.contains("panicked"), "{message}");
        }
    }

    #[test]
    fn the_direct_io_uring_probe_agrees_with_glommio() {
        let refused = io_uring_refused();
        let started = cores_or_skip("glommio-probe", 1).is_some();
        // glommio running where the probe says the kernel refuses io_uring would mean
        // the probe is wrong (the converse is a limit, such as memlock).
        assert!(!(started && refused.is_some()), "{refused:?}");
    }
}

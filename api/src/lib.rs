//! The contract between rtcompare's workloads and its runners.
//!
//! A workload is written once against two small interfaces defined here:
//! [`AsyncRuntime`] for its async body (one implementation per async runner, each
//! using its own crate's spawn, timer and reactor) and [`Strategy`] for its blocking
//! body (one implementation per OS-thread runner, and one for stackful coroutines).
//! A blocking body sleeps and accepts connections through its strategy
//! ([`Strategy::sleep`], [`Strategy::accept`]): std's calls by default, the runtime's
//! own where jobs are coroutines sharing worker threads. Runners never name a workload
//! and workloads never name a runner; the binary joins them through [`Visitor`].
//!
//! The runtime trait is generic rather than boxed: a workload's tasks are
//! monomorphised per runtime, so the harness adds no allocation or dynamic dispatch
//! per task beyond what the runtime itself does.
//!
//! A runner whose jobs run in another language's interpreter gets a workload's
//! script body instead: jobs described by value ([`ScriptJob`]) that the
//! [`Interpreter`] runs on its own threads or processes, and results the workload
//! verifies one by one.
//!
//! [`ids`] holds the names both sides write into and read from results files:
//! workload ids, measure keys and latency histogram names.
//!
//! ```
//! use rtcompare_api::{AsyncRuntime, Outcome};
//!
//! // A workload body: spawn from inside the runtime, await every task.
//! async fn count_to<R: AsyncRuntime>(rt: R, n: u64) -> Outcome {
//!     let handles: Vec<_> = (0..n).map(|i| rt.spawn(async move { i })).collect();
//!     let mut sum = 0u64;
//!     for h in handles {
//!         sum = sum.wrapping_add(h.await);
//!     }
//!     Outcome::new(sum)
//! }
//! ```
#![warn(missing_docs, rust_2018_idioms)]

pub mod ids;

use serde::{Deserialize, Serialize};
use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::time::Duration;

/// What an async workload may ask of a runtime. One implementation per async runner,
/// each backed by that runtime's own crate (spawn, timer, reactor, channel).
///
/// Handles are cheap to clone (a reference count or a zero-sized marker) so that tasks
/// which need the runtime (to sleep or spawn) can carry it.
pub trait AsyncRuntime: Clone + Send + Sync + 'static {
    /// The runtime's own join handle, resolving to the task's output. A panic in the
    /// task resumes in the awaiting task, so it fails the cell instead of hiding.
    type Join<T: Send + 'static>: Future<Output = T> + Send + Unpin + 'static;

    /// A connected TCP stream on this runtime's reactor.
    type Tcp: futures_io::AsyncRead + futures_io::AsyncWrite + Send + Unpin + 'static;

    /// A listening TCP socket on this runtime's reactor.
    type Listener: Send + Sync + 'static;

    /// The sending half of this runtime's idiomatic bounded channel.
    type Sender<T: Send + 'static>: Send + 'static;

    /// The receiving half of this runtime's idiomatic bounded channel.
    type Receiver<T: Send + 'static>: Send + 'static;

    /// This runtime's async mutex (held across awaits without blocking a thread).
    type Mutex<T: Send + 'static>: Send + Sync + 'static;

    /// Spawns `future` as a new task on this runtime.
    fn spawn<F>(&self, future: F) -> Self::Join<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;

    /// Waits `duration` on this runtime's own timer.
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send;

    /// Gives other tasks a chance to run.
    fn yield_now(&self) -> impl Future<Output = ()> + Send;

    /// Runs blocking `work` off the executor's threads (`spawn_blocking`,
    /// `blocking::unblock`...) and waits for it without blocking them.
    fn unblock<T, F>(&self, work: F) -> impl Future<Output = T> + Send
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static;

    /// Binds a listener to `addr` (loopback, port 0 for an ephemeral port) and returns
    /// it with the address it got. Called from inside a task of this runtime.
    fn listen(&self, addr: SocketAddr) -> io::Result<(Self::Listener, SocketAddr)>;

    /// Registers `listener` (a bound, listening std socket) with this runtime's
    /// reactor, for a server that accepts on a socket someone else bound: the
    /// network cell's one listener, set up by the harness. Called from inside a
    /// task of this runtime.
    fn adopt(&self, listener: std::net::TcpListener) -> io::Result<Self::Listener>;

    /// Accepts one connection (with `TCP_NODELAY` set).
    fn accept(
        &self,
        listener: &Self::Listener,
    ) -> impl Future<Output = io::Result<Self::Tcp>> + Send;

    /// Connects to `addr` (with `TCP_NODELAY` set).
    fn connect(&self, addr: SocketAddr) -> impl Future<Output = io::Result<Self::Tcp>> + Send;

    /// A bounded channel holding at most `capacity` (at least 1) values in flight.
    fn channel<T: Send + 'static>(&self, capacity: usize) -> (Self::Sender<T>, Self::Receiver<T>);

    /// Sends `value`, waiting for room; `false` when the receiver is gone.
    fn send<T: Send + 'static>(
        sender: &mut Self::Sender<T>,
        value: T,
    ) -> impl Future<Output = bool> + Send;

    /// Receives the next value; `None` when every sender is gone and it is empty.
    fn recv<T: Send + 'static>(
        receiver: &mut Self::Receiver<T>,
    ) -> impl Future<Output = Option<T>> + Send;

    /// A new async mutex holding `value`.
    fn mutex<T: Send + 'static>(&self, value: T) -> Self::Mutex<T>;

    /// Locks `mutex` (waiting asynchronously), runs `update` on the value, unlocks.
    fn with_lock<T: Send + 'static, U: Send>(
        mutex: &Self::Mutex<T>,
        update: impl FnOnce(&mut T) -> U + Send,
    ) -> impl Future<Output = U> + Send;
}

/// A latency histogram in nanoseconds (HdrHistogram, 3 significant digits). Merge
/// histograms; never average percentiles.
pub type Histogram = hdrhistogram::Histogram<u64>;

/// A histogram able to record from 1 ns to one hour, auto-resizing beyond it.
pub fn new_histogram() -> Histogram {
    let mut h =
        Histogram::new_with_bounds(1, 3_600_000_000_000, 3).expect("valid HdrHistogram bounds");
    h.auto(true);
    h
}

/// Records `nanos` in `histogram` (clamped to at least 1 ns, the lowest bucket).
pub fn record_ns(histogram: &mut Histogram, nanos: u64) {
    histogram
        .record(nanos.max(1))
        .expect("auto-resizing histogram accepts any value");
}

/// What a workload's run produced: the checksum every runner must reproduce, and what
/// the run measured besides its wall time.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// An order-independent checksum (wrapping sum) or count of the work done.
    pub checksum: u64,
    /// Operations completed (round trips, hops, tasks) for a throughput, if any.
    pub ops: Option<u64>,
    /// Latency histograms, the primary one first (e.g. `round-trip`, `tick-lateness`).
    pub latencies: Vec<(&'static str, Histogram)>,
    /// Further measures of this run (e.g. `rss-per-task-bytes`), by key.
    pub metrics: Vec<(&'static str, f64)>,
    /// Network workloads: one entry per step of the load generator's plan.
    pub load_steps: Vec<LoadStep>,
}

/// What one step of a network workload's plan measured in one run: the external
/// load generator's side (requests, latency, its own CPU and placement) and the
/// server's (its CPU time, its memory per connection).
#[derive(Debug, Clone)]
pub struct LoadStep {
    /// Connections open in the step.
    pub connections: usize,
    /// Requests per second offered (open loop); `None` for a closed loop.
    pub offered_rate_per_s: Option<f64>,
    /// Requests answered and verified.
    pub requests: u64,
    /// Seconds from the step's schedule start to its last reply, as the generator
    /// timed it.
    pub wall_s: f64,
    /// Latency in nanoseconds: from the intended send time in an open loop, from the
    /// actual send in a closed loop.
    pub latency: Histogram,
    /// The server's CPU time over the step, seconds (its worker processes included,
    /// the generator excluded).
    pub server_cpu_s: f64,
    /// The generator's CPU time over the step, seconds.
    pub generator_cpu_s: f64,
    /// Why the generator, not the server, limited the step; `None` when it kept up.
    pub generator_behind: Option<String>,
    /// CPUs the generator's threads ran on.
    pub generator_cpus: Vec<u32>,
    /// Growth of the server's resident set from the step's start to its last
    /// accept, per connection, bytes; `None` where the server cannot hold every
    /// connection of the step at once.
    pub rss_per_connection_bytes: Option<f64>,
}

impl Outcome {
    /// An outcome carrying `checksum` and nothing else.
    pub fn new(checksum: u64) -> Self {
        Self {
            checksum,
            ..Self::default()
        }
    }

    /// Adds the number of operations completed.
    pub fn with_ops(mut self, ops: u64) -> Self {
        self.ops = Some(ops);
        self
    }

    /// Adds a latency histogram named `name`.
    pub fn with_latency(mut self, name: &'static str, histogram: Histogram) -> Self {
        self.latencies.push((name, histogram));
        self
    }

    /// Adds a measure named `key`.
    pub fn with_metric(mut self, key: &'static str, value: f64) -> Self {
        self.metrics.push((key, value));
        self
    }
}

/// Resident set size of the calling process now, in bytes (Linux `/proc/self/statm`,
/// which counts pages).
pub fn current_rss_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    rss_bytes_from_statm(&statm, page_size()?)
}

/// The system's page size in bytes (`sysconf(_SC_PAGESIZE)`): 4 KiB on x86-64, but
/// 16 or 64 KiB on some arm64 kernels, so it is read, never assumed.
pub fn page_size() -> Option<u64> {
    // SAFETY: sysconf only reads a configuration value.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    u64::try_from(size).ok().filter(|&s| s > 0)
}

/// The resident set in bytes from a `statm` line (its second field, in pages).
fn rss_bytes_from_statm(statm: &str, page_size: u64) -> Option<u64> {
    let resident_pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(resident_pages * page_size)
}

/// The unique set size of process `pid` in bytes: its resident pages that no other
/// process maps (`Private_Clean + Private_Dirty + Private_Hugetlb` in
/// `/proc/PID/smaps_rollup`, Linux 4.14 and later). Unlike the proportional set size it
/// does not fall as more processes share the rest, and unlike the resident set it does
/// not count the binary's and the libraries' shared pages again in every process.
/// Kernel memory (page tables, kernel stacks, task and mm structures, pipe and socket
/// buffers) is in no process's set, so it is left out here too.
pub fn unique_set_bytes(pid: u32) -> Option<u64> {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    unique_set_from_rollup(&rollup)
}

fn unique_set_from_rollup(rollup: &str) -> Option<u64> {
    let field = |key: &str| -> Option<u64> {
        rollup
            .lines()
            .find_map(|line| line.strip_prefix(key))?
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    };
    let clean = field("Private_Clean:")?;
    let dirty = field("Private_Dirty:")?;
    let huge = field("Private_Hugetlb:").unwrap_or(0);
    Some((clean + dirty + huge) * 1024)
}

/// The unique set of this process plus that of each of its live child processes
/// (worker processes), in bytes: what a set of execution units adds to the machine's
/// memory is the growth of this sum while they are alive, whether they are tasks and
/// threads (which grow this process) or processes (which add their own). `None` where
/// this process's `smaps_rollup` cannot be read; a child that exits while being read
/// is skipped.
pub fn process_tree_unique_bytes() -> Option<u64> {
    let me = std::process::id();
    let mut total = unique_set_bytes(me)?;
    for pid in child_pids(me) {
        total += unique_set_bytes(pid).unwrap_or(0);
    }
    Some(total)
}

/// The live child processes of `parent` (scanning `/proc`, since
/// `/proc/PID/task/TID/children` is not on every kernel).
pub fn child_pids(parent: u32) -> Vec<u32> {
    let mut children = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue; // it exited while we looked
        };
        // The parent is the second field after the command name, which may hold
        // spaces and parentheses, so fields are counted after its last `)`.
        let ppid = stat.rfind(')').and_then(|end| {
            stat[end + 1..]
                .split_whitespace()
                .nth(1)?
                .parse::<u32>()
                .ok()
        });
        if ppid == Some(parent) {
            children.push(pid);
        }
    }
    children
}

/// The root future of one sample, boxed once per sample (never per task).
pub type RootFuture = Pin<Box<dyn Future<Output = Outcome> + Send + 'static>>;

/// How many jobs a blocking strategy can have in progress at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Concurrency {
    /// Every job can be in progress at once (one OS thread or coroutine per job, up
    /// to `cap`).
    PerJob {
        /// Live threads (or coroutines) at most; jobs beyond it wait for a free slot.
        cap: usize,
    },
    /// At most this many jobs are in progress at once.
    Bounded(usize),
}

impl Concurrency {
    /// Jobs in progress at once when `jobs` jobs are submitted.
    pub fn for_jobs(self, jobs: usize) -> usize {
        match self {
            Concurrency::PerJob { cap } => jobs.min(cap).max(1),
            Concurrency::Bounded(n) => n.max(1),
        }
    }
}

/// One job of a blocking workload: given its index, does the work and returns its
/// share of the checksum.
pub type Job<'a> = &'a (dyn Fn(usize) -> u64 + Sync);

/// How a blocking runner executes a batch of independent jobs (sequentially, a thread
/// per job, a shared queue, a static split, rayon...).
pub trait Strategy: Sync {
    /// How many jobs it can have in progress at once.
    fn concurrency(&self) -> Concurrency;

    /// Runs jobs `0..jobs` and returns the wrapping sum of their results. Every job has
    /// finished when this returns.
    fn run(&self, jobs: usize, job: Job<'_>) -> u64;

    /// The most OS threads this strategy created for one `run` and joined before it
    /// returned (zero for strategies whose threads outlive a run and are counted live).
    fn transient_threads(&self) -> usize {
        0
    }

    /// How [`join`](Strategy::join) runs its two halves.
    fn nesting(&self) -> Nesting {
        Nesting::Inline
    }

    /// Runs `left` and `right`, possibly in parallel, and returns both results: the
    /// fork-join primitive. Called from inside a job. The default runs them one after
    /// the other on the calling thread.
    fn join(&self, left: Task<'_>, right: Task<'_>) -> (u64, u64) {
        (left(), right())
    }

    /// Whether jobs share this process's memory (threads) or each run in a separate
    /// address space (worker processes), where jobs can only exchange their results.
    fn address_space(&self) -> AddressSpace {
        AddressSpace::Shared
    }

    /// What one fresh execution unit per job would be (an OS thread, a process), with
    /// how many may be alive at once; `None` when the strategy runs jobs on units it
    /// already has (pools) or on the caller.
    fn spawns(&self) -> Option<Spawns> {
        None
    }

    /// Runs each job in a fresh unit of its own ([`spawns`](Strategy::spawns)) and
    /// joins it; the cost of creating units. The default runs `run`.
    fn spawn_each(&self, jobs: usize, job: Job<'_>) -> u64 {
        self.run(jobs, job)
    }

    /// Like [`spawn_each`](Strategy::spawn_each), but every unit is kept alive until
    /// all `jobs` have run their job; `read` is called twice, with [`Held::Before`]
    /// before the first unit starts and with [`Held::AllAlive`] when all of them are
    /// alive: where a memory probe reads what N live units hold. The side that
    /// serves jobs in a worker process calls it never, so only the cell measures.
    /// Only for strategies that [`spawns`](Strategy::spawns) units, at most their cap
    /// at once. The default parks each job on a gate in this process's memory (the
    /// last to arrive reads and opens it), right for threads; a strategy whose units
    /// are other processes overrides it.
    fn spawn_held(&self, jobs: usize, job: Job<'_>, read: &(dyn Fn(Held) + Sync)) -> u64 {
        /// Far beyond what creating 10,000 threads takes, short of a cell's timeout.
        const HOLD_LIMIT: Duration = Duration::from_secs(60);
        let arrived = std::sync::atomic::AtomicUsize::new(0);
        let open = std::sync::Mutex::new(false);
        let opened = std::sync::Condvar::new();
        read(Held::Before);
        self.spawn_each(jobs, &|i| {
            let value = job(i);
            let order = std::sync::atomic::Ordering::AcqRel;
            if arrived.fetch_add(1, order) + 1 == jobs {
                read(Held::AllAlive);
                *open.lock().unwrap() = true;
                opened.notify_all();
            } else {
                let guard = open.lock().unwrap();
                // A serialising strategy (the GIL) releases its lock around the wait.
                let (_open, wait) = blocking(|| {
                    opened
                        .wait_timeout_while(guard, HOLD_LIMIT, |open| !*open)
                        .unwrap()
                });
                assert!(
                    !wait.timed_out(),
                    "only {} of {jobs} units arrived within {HOLD_LIMIT:?}: they are not all \
                     alive at once",
                    arrived.load(std::sync::atomic::Ordering::Relaxed)
                );
            }
            value
        })
    }

    /// Runs jobs `0..jobs` like [`run`](Strategy::run), but a job that fails (panics,
    /// or kills the worker process it runs in) is recorded instead of failing the
    /// batch: how far a failure reaches. A failure that kills this process (an abort
    /// on a thread) still ends it: that is the difference being shown.
    fn run_isolated(&self, jobs: usize, job: Job<'_>) -> Isolated {
        let failures = std::sync::Mutex::new(Vec::new());
        let sum = self.run(
            jobs,
            &|i| match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(i))) {
                Ok(value) => value,
                Err(payload) => {
                    let why = panic_message(payload.as_ref());
                    failures
                        .lock()
                        .unwrap()
                        .push((i, format!("panicked: {why}")));
                    0
                }
            },
        );
        Isolated::new(jobs, sum, failures.into_inner().unwrap())
    }

    /// Measures the strategy itself took (e.g. memory per worker process), recorded
    /// in the cell beside the workload's own.
    fn metrics(&self) -> Vec<(&'static str, f64)> {
        Vec::new()
    }

    /// Which blocking calls leave this strategy's other jobs free to run while a job
    /// waits in them.
    fn waits(&self) -> Waits {
        Waits::Any
    }

    /// Waits `duration` inside a job: a blocking body's sleep. The default is
    /// `std::thread::sleep` inside [`blocking`] (a serialising strategy releases its
    /// lock around it); a strategy whose jobs share worker threads suspends only the
    /// job, on its own timer.
    fn sleep(&self, duration: Duration) {
        blocking(|| std::thread::sleep(duration));
    }

    /// Accepts one connection on `listener` inside a job, with `TCP_NODELAY` set. The
    /// default is std's blocking accept inside [`blocking`], giving a blocking std
    /// stream; a strategy whose jobs share worker threads accepts on its own reactor
    /// and gives a stream whose reads and writes suspend only the job.
    fn accept(&self, listener: &std::net::TcpListener) -> io::Result<Conn> {
        let (stream, _) = blocking(|| listener.accept())?;
        stream.set_nodelay(true)?;
        Ok(Conn::Std(stream))
    }
}

/// Which blocking calls leave a strategy's other jobs free to run while a job waits
/// in them ([`Strategy::waits`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waits {
    /// Any: a job that waits holds only its own OS thread (or its slot in a pool,
    /// which [`Concurrency`] already says).
    Any,
    /// Only the strategy's own: [`Strategy::sleep`], [`Strategy::accept`] and the
    /// reads and writes of the connections it returns. Its jobs are coroutines
    /// sharing a few worker threads, so any other blocking call (std's channels,
    /// condition variables, sockets, `thread::sleep`) stalls a worker and every job
    /// waiting to run on it.
    Own,
}

/// A connection a blocking job accepted through [`Strategy::accept`].
pub enum Conn {
    /// std's blocking stream: a read or write that waits blocks the job's thread.
    Std(std::net::TcpStream),
    /// A stream on the strategy's own reactor: a read or write that waits suspends
    /// only the job. Boxed once per connection.
    Own(Box<dyn Connection>),
}

/// A stream on a strategy's own reactor ([`Conn::Own`]).
pub trait Connection: io::Read + io::Write + Send {}

impl<T: io::Read + io::Write + Send> Connection for T {}

impl Conn {
    /// Makes a stalled peer fail the job after `limit` instead of hanging it: read
    /// and write timeouts on std's stream. A strategy's own stream keeps none, like
    /// the async runners' streams (the cell's timeout bounds them): a runtime's I/O
    /// timeout may cost a timer registration on every wait.
    pub fn set_timeouts(&self, limit: Duration) -> io::Result<()> {
        match self {
            Conn::Std(stream) => {
                stream.set_read_timeout(Some(limit))?;
                stream.set_write_timeout(Some(limit))
            }
            Conn::Own(_) => Ok(()),
        }
    }
}

impl io::Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Conn::Std(stream) => stream.read(buf),
            Conn::Own(stream) => stream.read(buf),
        }
    }
}

impl io::Write for Conn {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Conn::Std(stream) => stream.write(buf),
            Conn::Own(stream) => stream.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Conn::Std(stream) => stream.flush(),
            Conn::Own(stream) => stream.flush(),
        }
    }
}

/// When [`Strategy::spawn_held`] calls its reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held {
    /// Before the first unit starts: the baseline.
    Before,
    /// Every unit alive, each having run its job.
    AllAlive,
}

/// Where a strategy's jobs run relative to each other's memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressSpace {
    /// Threads of this process: jobs may share memory.
    Shared,
    /// Separate processes: jobs share nothing; only job indices and results travel.
    Separate,
}

/// A strategy's fresh unit per job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spawns {
    /// What a unit is: `"thread"`, `"process"` or `"coroutine"`.
    pub unit: &'static str,
    /// Most units alive at once.
    pub cap: usize,
}

/// What [`Strategy::run_isolated`] kept of a batch in which some jobs failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Isolated {
    /// Jobs submitted.
    pub jobs: usize,
    /// Wrapping sum of the results of the jobs that completed.
    pub sum: u64,
    /// Jobs that failed, with what happened, in index order.
    pub failures: Vec<(usize, String)>,
}

impl Isolated {
    /// A batch of `jobs` whose completed jobs summed to `sum`.
    pub fn new(jobs: usize, sum: u64, mut failures: Vec<(usize, String)>) -> Self {
        failures.sort_by_key(|(i, _)| *i);
        Isolated {
            jobs,
            sum,
            failures,
        }
    }

    /// Jobs whose result was kept.
    pub fn completed(&self) -> usize {
        self.jobs - self.failures.len()
    }
}

/// A panic payload as text.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-string panic payload".into())
}

/// What a strategy that serialises its threads (an emulated global interpreter lock)
/// needs from the code its jobs run: a point where the holder may hand the lock over,
/// and the boundaries of a blocking wait, around which it releases the lock. Installed
/// per thread with [`set_thread_hooks`]; without hooks the functions below do nothing
/// but the thread-local check.
pub trait ThreadHooks: Send + Sync {
    /// The running thread may give up the lock here if another thread asked for it.
    fn checkpoint(&self);
    /// The running thread is about to block (sleep, socket I/O): release the lock.
    fn before_wait(&self);
    /// The blocking call returned: take the lock back.
    fn after_wait(&self);
}

thread_local! {
    static HOOKS: std::cell::RefCell<Option<std::sync::Arc<dyn ThreadHooks>>> =
        const { std::cell::RefCell::new(None) };
}

/// Installs (or with `None` removes) the calling thread's [`ThreadHooks`].
pub fn set_thread_hooks(hooks: Option<std::sync::Arc<dyn ThreadHooks>>) {
    HOOKS.set(hooks);
}

/// A point in long-running CPU work where a serialising strategy may switch threads.
/// The CPU kernel calls it every few tens of microseconds.
#[inline]
pub fn checkpoint() {
    HOOKS.with_borrow(|hooks| {
        if let Some(hooks) = hooks {
            hooks.checkpoint();
        }
    });
}

/// Runs a blocking call (sleep, socket I/O, waiting on another thread) so that a
/// serialising strategy releases its lock around it, as CPython releases the GIL
/// around blocking system calls.
pub fn blocking<T>(call: impl FnOnce() -> T) -> T {
    let hooks = HOOKS.with_borrow(|hooks| hooks.clone());
    match hooks {
        None => call(),
        Some(hooks) => {
            /// Takes the lock back even when `call` panics, so a job that catches the
            /// panic goes on holding it, as code outside a wait must.
            struct Reacquire(std::sync::Arc<dyn ThreadHooks>);
            impl Drop for Reacquire {
                fn drop(&mut self) {
                    self.0.after_wait();
                }
            }
            hooks.before_wait();
            let _reacquire = Reacquire(hooks);
            call()
        }
    }
}

/// One half of a [`Strategy::join`].
pub type Task<'a> = &'a (dyn Fn() -> u64 + Sync);

/// What [`Strategy::join`] does with its halves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nesting {
    /// Runs them one after the other on the calling thread (sequential runners).
    Inline,
    /// May run them on different threads.
    Parallel,
    /// The strategy cannot hand a subtask to another thread once jobs are split
    /// (a static split); `join` would silently serialise, so workloads that fork
    /// do not apply.
    Unsupported,
}

/// One job of a workload's script body ([`Interpreter`]): work described by value,
/// since no closure crosses into another language's process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScriptJob {
    /// Advance the CPU kernel's 64-bit linear congruential generator `steps` steps
    /// from `seed` (wrapping arithmetic, masked to 64 bits where integers are
    /// unbounded); the result is the final state.
    Spin {
        /// The generator's state to start from.
        seed: u64,
        /// Steps to take.
        steps: u64,
    },
    /// Sleep `times` times for `sleep_ns` each, timing each sleep on the
    /// interpreter's monotonic clock; the result is how many lasted at least
    /// `at_least_ns`.
    Sleep {
        /// How long each sleep asks for (0: none, a test's early timer).
        sleep_ns: u64,
        /// How long a sleep must have lasted to count as on time.
        at_least_ns: u64,
        /// Sleeps, one after the other.
        times: u32,
    },
}

/// An interpreter in another process that runs a workload's script jobs on its own
/// threads or processes (the CPython runners). Its process is started, and its
/// pool built, before any timed region.
pub trait Interpreter {
    /// How many jobs it runs at once.
    fn concurrency(&self) -> Concurrency;

    /// Whether its jobs share one address space (threads) or not (processes).
    fn address_space(&self) -> AddressSpace;

    /// What it is, as it describes itself: `CPython 3.11.7, GIL enabled`.
    fn describe(&self) -> String;

    /// Hands it the jobs of the next [`run`](Interpreter::run), which it parses and
    /// keeps: outside the timed region.
    fn load(&mut self, jobs: &[ScriptJob]) -> io::Result<()>;

    /// Runs the loaded jobs on its pool and returns their results in job order:
    /// the timed part. An exception in a job, or the interpreter's death, is an error
    /// that names it.
    fn run(&mut self) -> io::Result<Vec<u64>>;

    /// Its OS threads, by what they are (`ThreadPoolExecutor`, `ForkPoolWorker`
    /// processes count one each), for the cell's thread census.
    fn census(&mut self) -> io::Result<Vec<(String, usize)>>;

    /// The sum of the peak resident sets (`VmHWM`) of its processes, bytes.
    fn peak_rss_bytes(&self) -> Option<u64>;
}

/// Starts a runner's interpreter with its pool ([`Visitor::visit_script`]); boxed
/// once per cell.
pub type StartInterpreter<'a> =
    dyn FnMut() -> Result<Box<dyn Interpreter + 'a>, InterpreterError> + 'a;

/// Why an interpreter did not start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InterpreterError {
    /// It is not on this machine, or cannot run what the runner measures (the
    /// cell is n/a): the whole message, runner included.
    Unavailable(String),
    /// It is there but failed to start (the cell fails): the whole message.
    Failed(String),
}

/// Joins a runner to a workload without either naming the other: the runner builds its
/// runtime (outside any timed region) and calls one of these methods once.
pub trait Visitor {
    /// What the visit produces (the cell's samples).
    type Out;

    /// Called by an async runner with its runtime handle. `block_on` runs a root future
    /// as a task spawned inside the runtime and waits for it; the calling thread does
    /// not run tasks or drive a reactor, except for single-threaded runtimes, whose one
    /// thread is the calling thread.
    fn visit_async<R: AsyncRuntime>(
        self,
        runtime: &R,
        block_on: &mut dyn FnMut(RootFuture) -> Outcome,
    ) -> Self::Out;

    /// Called by a blocking runner with its strategy.
    fn visit_blocking(self, strategy: &dyn Strategy) -> Self::Out;

    /// Called by a thread-per-core runner: `runtime` is a handle whose `spawn`,
    /// timer and sockets act on the executor of the thread that calls them, and
    /// `cores` runs one root future on each of its threads at once. The visitor
    /// splits each sample's work into one share per core ([`Share`]) and places
    /// the root of each share on its core.
    fn visit_per_core<R: AsyncRuntime>(self, runtime: &R, cores: &mut dyn Cores) -> Self::Out;

    /// Called by a runner whose jobs run in an interpreter in another process (the
    /// CPython runners) with the way to start it: the visitor asks the workload for
    /// its script body ([`ScriptJob`]s) and, only where there is one, starts the
    /// interpreter (outside any timed region), hands it each sample's jobs, and
    /// verifies what comes back. A workload without a script body never pays for
    /// an interpreter's start.
    fn visit_script(self, start: &mut StartInterpreter<'_>) -> Self::Out;
}

/// Which share of a sample's work one core of a thread-per-core runner runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Share {
    /// This core's index, from 0.
    pub index: usize,
    /// How many cores share the work.
    pub count: usize,
}

impl Share {
    /// All the work, on one core: what a runner that is not thread-per-core runs.
    pub const WHOLE: Share = Share { index: 0, count: 1 };

    /// The indices of this core's units among `units`, handed out round robin.
    pub fn units(self, units: usize) -> std::iter::StepBy<std::ops::Range<usize>> {
        (self.index.min(units)..units).step_by(self.count)
    }

    /// Every share of `count` cores, in core order.
    pub fn all(count: usize) -> impl Iterator<Item = Share> {
        (0..count).map(move |index| Share { index, count })
    }

    /// Whether the unit numbered `unit` is this core's when units are handed out
    /// round robin (unit `i` to core `i mod count`), as a thread-per-core server
    /// hands out work with no stealing afterwards.
    pub fn owns(&self, unit: usize) -> bool {
        unit % self.count == self.index
    }

    /// How many of `units` units, handed out round robin, are this core's.
    pub fn of(&self, units: usize) -> usize {
        units / self.count + usize::from(self.index < units % self.count)
    }
}

/// The threads of a thread-per-core runner, each with its own single-threaded
/// runtime (built outside every timed region, kept for the whole cell).
pub trait Cores {
    /// How many cores (threads, each with its own runtime) there are.
    fn count(&self) -> usize;

    /// Runs `roots[i]` as a task on core `i`, all cores at once, and returns their
    /// outcomes in core order and the instant the last root finished. Each core
    /// then settles before this returns (an io_uring runtime submits the closes and
    /// cancellations the sample queued), outside the span the instant ends, so the
    /// next sample starts clean and neither pays for it. A panic in a root resumes
    /// here.
    fn run(&mut self, roots: Vec<RootFuture>) -> (Vec<Outcome>, std::time::Instant);

    /// The I/O driver the runtimes actually run on (`io_uring`, `epoll`...),
    /// read from the runtime where it chooses at start-up.
    fn io_driver(&self) -> String;
}

/// Where a runner sits on the concurrency × parallelism grid the report is built on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// Neither concurrent nor parallel: one task after another on one thread.
    Sequential,
    /// One OS thread, many tasks in progress, switching at await points.
    Concurrent,
    /// One task at a time, its parts spread over cores.
    Parallel,
    /// Many tasks in progress on many threads.
    ConcurrentParallel,
    /// Many OS threads, but a global lock lets one run at a time.
    ConcurrentSerialized,
}

/// How a runner hands work to its threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    /// Per-worker queues; idle workers steal.
    WorkStealing,
    /// One queue all workers take from.
    SharedQueue,
    /// Each thread gets a contiguous 1/N share of the jobs up front.
    StaticSplit,
    /// The OS scheduler multiplexes threads or processes.
    OsScheduler,
    /// One thread, one run queue.
    SingleQueue,
    /// Shared nothing: one single-threaded runtime per thread, each running its own
    /// share of the work; no task ever moves to another thread.
    ThreadPerCore,
}

/// Whether a workload is bound by computation or by waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WorkloadKind {
    /// Bound by CPU work.
    Cpu,
    /// Bound by waiting (timers, sockets).
    Io,
    /// CPU work next to latency-sensitive waiting.
    Mixed,
    /// The runtime's own cost per task or per message, with almost no work inside.
    Overhead,
    /// A failure injected into one job, to show how far it reaches (opt-in).
    Fault,
}

macro_rules! display_as_serde {
    ($($t:ty { $($v:ident => $s:literal),* $(,)? })*) => {$(
        impl $t {
            /// The name used in results files and reports.
            pub const fn as_str(self) -> &'static str {
                match self { $(Self::$v => $s),* }
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(self.as_str()) // honours width, so tables can align it
            }
        }
    )*};
}

display_as_serde! {
    Class {
        Sequential => "sequential",
        Concurrent => "concurrent",
        Parallel => "parallel",
        ConcurrentParallel => "concurrent-parallel",
        ConcurrentSerialized => "concurrent-serialized",
    }
    Family {
        WorkStealing => "work-stealing",
        SharedQueue => "shared-queue",
        StaticSplit => "static-split",
        OsScheduler => "os-scheduler",
        SingleQueue => "single-queue",
        ThreadPerCore => "thread-per-core",
    }
    WorkloadKind {
        Cpu => "cpu",
        Io => "io",
        Mixed => "mixed",
        Overhead => "overhead",
        Fault => "fault",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_matches_serde_names() {
        for c in [
            Class::Sequential,
            Class::Concurrent,
            Class::Parallel,
            Class::ConcurrentParallel,
            Class::ConcurrentSerialized,
        ] {
            assert_eq!(serde_json::to_string(&c).unwrap(), format!("\"{c}\""));
        }
        for f in [
            Family::WorkStealing,
            Family::SharedQueue,
            Family::StaticSplit,
            Family::OsScheduler,
            Family::SingleQueue,
            Family::ThreadPerCore,
        ] {
            assert_eq!(serde_json::to_string(&f).unwrap(), format!("\"{f}\""));
        }
        for k in [
            WorkloadKind::Cpu,
            WorkloadKind::Io,
            WorkloadKind::Mixed,
            WorkloadKind::Overhead,
            WorkloadKind::Fault,
        ] {
            assert_eq!(serde_json::to_string(&k).unwrap(), format!("\"{k}\""));
        }
    }

    #[test]
    fn resident_pages_are_counted_in_the_systems_page_size() {
        // 16 and 64 KiB pages (arm64 kernels) scale the same page count differently.
        assert_eq!(
            rss_bytes_from_statm("900 25 10 1 0 50 0\n", 16_384),
            Some(25 * 16_384)
        );
        assert_eq!(
            rss_bytes_from_statm("900 25 10 1 0 50 0\n", 65_536),
            Some(25 * 65_536)
        );
        assert_eq!(rss_bytes_from_statm("900\n", 4096), None);
        let page = page_size().expect("sysconf(_SC_PAGESIZE)");
        // The kernel's own word for it, passed to every process in its auxiliary vector.
        // SAFETY: getauxval only reads the auxiliary vector.
        let reported = unsafe { libc::getauxval(libc::AT_PAGESZ) };
        assert_eq!(page, reported);
        assert!(page.is_power_of_two() && page >= 4096, "{page}");
        // The whole reading agrees with the kernel's own byte count (VmRSS, in kB),
        // within the drift of a running test binary.
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let kb: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap();
        let rss = current_rss_bytes().unwrap() as f64;
        let kernel = (kb * 1024) as f64;
        assert!((rss - kernel).abs() < kernel * 0.25, "{rss} vs {kernel}");
    }

    #[test]
    fn unique_set_counts_private_pages_only() {
        let rollup = "55d0-7ffd [rollup]\nRss:  9000 kB\nPss:  5000 kB\nShared_Clean: 6000 kB\n\
                      Private_Clean:  1000 kB\nPrivate_Dirty:  2000 kB\nPrivate_Hugetlb: 0 kB\n";
        assert_eq!(unique_set_from_rollup(rollup), Some(3000 * 1024));
        assert_eq!(unique_set_from_rollup("Rss: 1 kB\n"), None);
        let own = unique_set_bytes(std::process::id()).expect("smaps_rollup on Linux");
        let tree = process_tree_unique_bytes().unwrap();
        assert!(own > 100 * 1024 && tree >= own, "{own} {tree}");
    }

    #[test]
    fn a_child_process_is_found_and_adds_its_unique_set() {
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        // Until it has exec'd, the child may still be a copy of this test binary.
        std::thread::sleep(Duration::from_millis(50));
        let found = child_pids(std::process::id()).contains(&child.id());
        let unique = unique_set_bytes(child.id());
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(found, "the child is listed");
        assert!(unique.is_some_and(|b| b > 0), "{unique:?}");
    }

    #[test]
    fn shares_hand_out_every_unit_once_round_robin() {
        for (units, cores) in [(16, 3), (2, 3), (0, 2), (7, 1), (64, 4)] {
            let mut seen = vec![0; units];
            for share in Share::all(cores) {
                let mine: Vec<usize> = share.units(units).collect();
                assert_eq!(mine.len(), share.of(units), "{units} over {cores}");
                assert!(mine.iter().all(|&u| share.owns(u)));
                for u in mine {
                    seen[u] += 1;
                }
            }
            assert!(
                seen.iter().all(|&n| n == 1),
                "{units} over {cores}: {seen:?}"
            );
        }
        assert_eq!(
            Share::WHOLE.units(5).collect::<Vec<_>>(),
            vec![0, 1, 2, 3, 4]
        );
        let third = Share { index: 2, count: 3 };
        assert_eq!(third.units(8).collect::<Vec<_>>(), vec![2, 5]);
        assert_eq!(third.units(2).count(), 0);
    }

    #[test]
    fn concurrency_for_jobs() {
        assert_eq!(Concurrency::PerJob { cap: 100 }.for_jobs(10), 10);
        assert_eq!(Concurrency::PerJob { cap: 100 }.for_jobs(1000), 100);
        assert_eq!(Concurrency::Bounded(2).for_jobs(1000), 2);
        assert_eq!(Concurrency::Bounded(0).for_jobs(1000), 1);
    }
}

//! `mixed-inline`, `mixed-yield`, `mixed-offload`: CPU hogs beside latency-sensitive
//! tasks, the case where a scheduler's fairness shows. Three workloads from one body,
//! told apart by a [`Variant`] marker type that says how a hog runs its chunks.
//!
//! In one cell, H hogs each run K chunks of 50 ms (quick) or 100 ms (full) of the CPU kernel, next to
//! a ticker that sleeps 1 ms on the runtime's timer over and over and records its
//! lateness (actual elapsed − 1 ms, the `tick-lateness` histogram, the primary
//! latency), and an echo client that does 64-byte round trips against an echo server
//! task in the same cell over 127.0.0.1, pausing 1 ms between them (`round-trip`).
//! The root spawns the ticker and the echo pair first, then the hogs; when every hog
//! is done it sets a stop flag and awaits the ticker, client and server.
//!
//! - inline: a hog computes each chunk straight through, holding its executor thread;
//!   on a single-threaded executor nothing else runs until it is done;
//! - yield: a hog computes in slices of about 1 ms with `yield_now` between them;
//! - offload: a hog hands each chunk to the runtime's blocking pool (`unblock`).
//!
//! The checksum is the hogs' kernel checksum (exact, jumped ahead per chunk); ticks and
//! round trips are timing-dependent counts, reported as metrics, not checksummed. The
//! ticker and the echo client stop on the flag or after [`MAX_ITERATIONS`], whichever
//! comes first, and each does at least one iteration, so every cell has a sample of
//! each latency; the server stops when the client closes, and at most one message
//! after the client's cap.
//!
//! Blocking runners run the same parts as H + 2 jobs (the ticker with
//! `std::thread::sleep`, the echo pair on one thread in lockstep over `std::net`, the
//! hogs), which means something only when all of them are in progress at once;
//! otherwise the cell is n/a. Offloading is n/a there: the hogs already have threads of
//! their own.

use crate::{FitContext, Fitted, Metric, Preset, Workload, kernel};
use futures::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use rtcompare_api::ids;
use rtcompare_api::{
    AddressSpace, AsyncRuntime, Concurrency, Histogram, Outcome, Share, Strategy, Waits,
    WorkloadKind, new_histogram, record_ns,
};
use serde::Serialize;
use std::io::{Read, Write};
use std::marker::PhantomData;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The most ticks, and the most round trips, one run makes even if the stop flag never
/// comes: at 1 ms or more each, well beyond any preset's hogs (a hang still ends).
pub const MAX_ITERATIONS: u32 = 100_000;

/// Kernel steps in about 1 ms on the reference machine (about 1.2 ns per step).
pub const STEPS_PER_MS: u64 = 830_000;

/// How long a blocking echo read waits for bytes before the run fails (its peer is the
/// same thread, so only a broken socket could stall it).
const STALL: Duration = Duration::from_secs(10);

/// How a hog runs its chunks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HogMode {
    /// Each chunk straight through on the executor thread.
    Inline,
    /// Each chunk in slices of `slice_steps`, yielding between them.
    Yield,
    /// Each chunk on the runtime's blocking pool.
    Offload,
}

/// One of the three `mixed` workloads.
pub trait Variant: Send + Sync + 'static {
    /// The workload's id.
    const ID: &'static str;
    /// One line on what it does.
    const SUMMARY: &'static str;
    /// How its hogs run.
    const HOG: HogMode;
}

/// CPU hogs beside a ticker and an echo pair; `V` says how the hogs run.
pub struct Mixed<V>(PhantomData<V>);

/// Hogs compute each chunk straight through.
pub struct Inline;
/// Hogs yield every millisecond or so.
pub struct Yield;
/// Hogs hand each chunk to the blocking pool.
pub struct Offload;

/// `mixed-inline`.
pub type MixedInline = Mixed<Inline>;
/// `mixed-yield`.
pub type MixedYield = Mixed<Yield>;
/// `mixed-offload`.
pub type MixedOffload = Mixed<Offload>;

impl Variant for Inline {
    const ID: &'static str = ids::workload::MIXED_INLINE;
    const SUMMARY: &'static str = "H CPU hogs of 50-100 ms chunks run straight through, beside \
                                   a 1 ms ticker and a TCP echo client";
    const HOG: HogMode = HogMode::Inline;
}

impl Variant for Yield {
    const ID: &'static str = ids::workload::MIXED_YIELD;
    const SUMMARY: &'static str = "H CPU hogs yielding every ~1 ms, beside a 1 ms ticker and \
                                   a TCP echo client";
    const HOG: HogMode = HogMode::Yield;
}

impl Variant for Offload {
    const ID: &'static str = ids::workload::MIXED_OFFLOAD;
    const SUMMARY: &'static str = "H CPU hogs handing each 50-100 ms chunk to the blocking pool, \
                                   beside a 1 ms ticker and a TCP echo client";
    const HOG: HogMode = HogMode::Offload;
}

/// What one `mixed` run does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MixedParams {
    /// How the hogs run (fixed by the variant).
    pub mode: HogMode,
    /// CPU hogs (H).
    pub hogs: usize,
    /// Chunks per hog (K).
    pub chunks_per_hog: u32,
    /// Kernel steps per chunk.
    pub chunk_steps: u64,
    /// Kernel steps per slice between yields (the yield variant).
    pub slice_steps: u64,
    /// The ticker's sleep, in ms.
    pub tick_ms: u64,
    /// The echo client's pause between round trips, in ms.
    pub pause_ms: u64,
    /// Bytes per echo message.
    pub message_bytes: usize,
    /// The ticker's and the echo client's iteration cap.
    pub max_iterations: u32,
    /// On a thread-per-core runner, the core this is: it runs its own ticker and echo
    /// pair beside the hogs handed to it round robin (hog `h` to core `h mod N`).
    #[serde(skip)]
    pub share: Option<Share>,
}

impl MixedParams {
    fn chunks(&self) -> u64 {
        self.hogs as u64 * u64::from(self.chunks_per_hog)
    }

    /// The hogs this run (or core) runs.
    fn my_hogs(&self) -> std::iter::StepBy<std::ops::Range<usize>> {
        self.share.unwrap_or(Share::WHOLE).units(self.hogs)
    }

    /// The chunks this run (or core) computes.
    fn my_chunks(&self) -> u64 {
        self.share.unwrap_or(Share::WHOLE).of(self.hogs) as u64 * u64::from(self.chunks_per_hog)
    }

    /// The checksum index of hog `hog`'s chunk `k`.
    fn chunk_index(&self, hog: usize, k: u32) -> u64 {
        hog as u64 * u64::from(self.chunks_per_hog) + u64::from(k)
    }
}

/// The lengths of the slices `steps` is cut into: `slice` each, the last one shorter.
fn slices(steps: u64, slice: u64) -> impl Iterator<Item = u64> + Send {
    let slice = slice.max(1);
    (0..steps.div_ceil(slice)).map(move |i| slice.min(steps - i * slice))
}

impl<V: Variant> Workload for Mixed<V> {
    const ID: &'static str = V::ID;
    const KIND: WorkloadKind = WorkloadKind::Mixed;
    const SUMMARY: &'static str = V::SUMMARY;
    const METRICS: &'static [Metric] = &[
        Metric {
            key: ids::metric::TICKS,
            header: "ticks",
            about: "1 ms sleeps the ticker completed while the hogs ran",
        },
        Metric {
            key: ids::metric::HOG_CHUNKS_PER_S,
            header: "chunks/s",
            about: "hog chunks done per second, from the first hog's start to the last hog's end",
        },
        Metric {
            key: ids::metric::HOG_CHUNK_MS,
            header: "chunk [ms]",
            about: "time one hog chunk spent computing (the kernel calls alone, yields and \
                    waits excluded): how long an inline chunk holds its thread",
        },
    ];
    type Params = MixedParams;

    fn params(preset: Preset) -> MixedParams {
        let (hogs, chunks_per_hog, chunk_ms) = match preset {
            Preset::Tiny => (2, 1, 5),
            Preset::Quick => (2, 1, 50),
            Preset::Full => (4, 3, 100),
        };
        MixedParams {
            mode: V::HOG,
            hogs,
            chunks_per_hog,
            chunk_steps: chunk_ms * STEPS_PER_MS,
            slice_steps: STEPS_PER_MS,
            tick_ms: 1,
            pause_ms: 1,
            message_bytes: 64,
            max_iterations: MAX_ITERATIONS,
            share: None,
        }
    }

    fn describe(p: &MixedParams) -> String {
        let how = match p.mode {
            HogMode::Inline => "straight through".to_owned(),
            HogMode::Yield => format!("in slices of {:.1e}", p.slice_steps as f64),
            HogMode::Offload => "each on the blocking pool".to_owned(),
        };
        format!(
            "{} hogs x {} chunk(s) of {:.1e} steps, {how}; {} ms ticker; {} B echo every {} ms",
            p.hogs, p.chunks_per_hog, p.chunk_steps as f64, p.tick_ms, p.message_bytes, p.pause_ms
        )
    }

    fn fit(params: MixedParams, context: &FitContext) -> Result<Fitted<MixedParams>, String> {
        if context.address_space == Some(AddressSpace::Separate) {
            return Err(
                "its jobs share memory: the last hog to finish stops the ticker and \
                        the echo client through a shared stop flag, and each job leaves its \
                        latencies in a shared slot; worker processes share no memory"
                    .into(),
            );
        }
        if context.waits == Some(Waits::Own) {
            return Err(
                "its blocking body waits in std calls the strategy does not route: the \
                 ticker's std::thread::sleep and the echo pair's std::net reads block the OS \
                 thread, and a yielding hog's std::thread::yield_now yields the thread, not \
                 the coroutine; on coroutines sharing N worker threads the ticker and the \
                 echo pair would each hold a worker the hogs need, so the latencies would \
                 time the OS, not the scheduler"
                    .into(),
            );
        }
        fit_jobs(params, context.concurrency).map(Fitted::all)
    }

    /// Each core runs the whole scene (ticker, echo pair) beside its round-robin
    /// share of the hogs, as a thread-per-core server would on every core.
    fn shares(p: &MixedParams, cores: usize) -> Result<Vec<MixedParams>, String> {
        Ok(Share::all(cores)
            .map(|share| MixedParams {
                share: Some(share),
                ..*p
            })
            .collect())
    }

    /// Chunks per second and ticks add up over the cores (each core that ran hogs
    /// ran a ticker, all in the one lateness histogram); chunk times are averaged.
    fn merge(_p: &MixedParams, shares: Vec<Outcome>) -> Outcome {
        crate::merge_summing(shares, &[ids::metric::HOG_CHUNKS_PER_S, ids::metric::TICKS])
    }

    fn expected(p: &MixedParams) -> u64 {
        (0..p.chunks()).fold(0u64, |sum, c| {
            let value = kernel::jump(kernel::seed(c), p.chunk_steps);
            sum.wrapping_add(kernel::contribution(c, value))
        })
    }

    async fn run_async<R: AsyncRuntime>(runtime: R, p: MixedParams) -> Outcome {
        if p.my_chunks() == 0 {
            return Outcome::new(0); // a core with no hog has nothing to sit beside
        }
        let stop = Arc::new(AtomicBool::new(false));
        // Sets the flag when the hogs are done, or if one panics (so the ticker and the
        // client end instead of running to their caps while the cell fails).
        let hogs_done = StopOnDrop(Arc::clone(&stop));

        let ticker = runtime.spawn(ticker(runtime.clone(), Arc::clone(&stop), p));
        let (listener, addr) = runtime
            .listen(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .expect("mixed: cannot listen on 127.0.0.1");
        let server = runtime.spawn(echo_server(runtime.clone(), listener, p));
        let client = runtime.spawn(echo_client(runtime.clone(), addr, Arc::clone(&stop), p));
        let hogs: Vec<_> = p
            .my_hogs()
            .map(|h| runtime.spawn(hog(runtime.clone(), p, h)))
            .collect();

        let mut sum = 0u64;
        let mut span = Span::default();
        for hog in hogs {
            let (part, start, end, busy) = hog.await;
            sum = sum.wrapping_add(part);
            span.add(start, end, busy);
        }
        drop(hogs_done);

        let (ticks, lateness) = ticker.await;
        let (trips, round_trip) = client.await;
        let echoed = server.await;
        outcome(&p, sum, span, ticks, lateness, trips, round_trip, echoed)
    }

    fn run_blocking(strategy: &dyn Strategy, p: &MixedParams) -> Outcome {
        let stop = AtomicBool::new(false);
        let hogs_left = AtomicUsize::new(p.hogs);
        // One slot per job that has more to say than its share of the checksum; each is
        // locked once, when its job ends.
        let ticker_out = Mutex::new(None);
        let echo_out = Mutex::new(None);
        let span = Mutex::new(Span::default());
        let sum = strategy.run(p.hogs + 2, &|job| match job {
            0 => {
                *ticker_out.lock().unwrap() = Some(blocking_ticker(&stop, p));
                0
            }
            1 => {
                *echo_out.lock().unwrap() = Some(blocking_echo(&stop, p));
                0
            }
            job => {
                // The last hog to finish sets the flag, also when it panics.
                let _last = LastHog {
                    left: &hogs_left,
                    stop: &stop,
                };
                let start = Instant::now();
                let (part, busy) = blocking_hog(p, job - 2);
                span.lock().unwrap().add(start, Instant::now(), busy);
                part
            }
        });
        let (ticks, lateness) = ticker_out.into_inner().unwrap().expect("ticker job ran");
        let (trips, round_trip) = echo_out.into_inner().unwrap().expect("echo job ran");
        let span = span.into_inner().unwrap();
        outcome(p, sum, span, ticks, lateness, trips, round_trip, trips)
    }
}

/// Where the workload does not apply: a blocking runner that cannot keep the ticker,
/// the echo pair and every hog in progress at once would run them one after another
/// (the ticker would wait for the hogs, not run beside them); offloading means nothing
/// to hogs that already have OS threads of their own.
fn fit_jobs(params: MixedParams, concurrency: Option<Concurrency>) -> Result<MixedParams, String> {
    let Some(concurrency) = concurrency else {
        return Ok(params);
    };
    if params.mode == HogMode::Offload {
        return Err("hogs already run on their own OS threads".into());
    }
    let jobs = params.hogs + 2;
    let at_once = concurrency.for_jobs(jobs);
    if at_once < jobs {
        return Err(format!(
            "needs all {jobs} jobs (ticker, echo, {} hogs) in progress at once, but this \
             runner has at most {at_once} at a time: the ticker would wait for the hogs \
             instead of running beside them",
            params.hogs
        ));
    }
    Ok(params)
}

#[allow(clippy::too_many_arguments)] // the parts of one run, gathered in one place
fn outcome(
    p: &MixedParams,
    sum: u64,
    span: Span,
    ticks: u64,
    lateness: Histogram,
    trips: u64,
    round_trip: Histogram,
    echoed: u64,
) -> Outcome {
    assert_eq!(
        echoed, trips,
        "the echo server answered {echoed} messages but the client made {trips} round trips"
    );
    Outcome::new(sum)
        .with_latency(ids::latency::TICK_LATENESS, lateness)
        .with_latency(ids::latency::ROUND_TRIP, round_trip)
        .with_metric(ids::metric::TICKS, ticks as f64)
        .with_metric(
            ids::metric::HOG_CHUNKS_PER_S,
            p.my_chunks() as f64 / span.seconds(),
        )
        .with_metric(
            ids::metric::HOG_CHUNK_MS,
            span.busy.as_secs_f64() * 1e3 / p.my_chunks() as f64,
        )
}

/// From the first hog's start to the last hog's end.
#[derive(Default)]
struct Span {
    first_start: Option<Instant>,
    last_end: Option<Instant>,
    /// Time the hogs spent in the kernel, all chunks together.
    busy: Duration,
}

impl Span {
    fn add(&mut self, start: Instant, end: Instant, busy: Duration) {
        self.busy += busy;
        self.first_start = Some(self.first_start.map_or(start, |s| s.min(start)));
        self.last_end = Some(self.last_end.map_or(end, |e| e.max(end)));
    }

    fn seconds(&self) -> f64 {
        match (self.first_start, self.last_end) {
            (Some(start), Some(end)) => (end - start).as_secs_f64(),
            _ => f64::NAN, // no hogs: no rate
        }
    }
}

/// Sets the stop flag when dropped.
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Release);
    }
}

/// Counts a blocking hog out when dropped; the last one sets the stop flag.
struct LastHog<'a> {
    left: &'a AtomicUsize,
    stop: &'a AtomicBool,
}

impl Drop for LastHog<'_> {
    fn drop(&mut self) {
        if self.left.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.stop.store(true, Ordering::Release);
        }
    }
}

/// Time past `tick` that a sleep of `tick` took; a timer that fired early fails.
fn lateness(elapsed: Duration, tick: Duration) -> u64 {
    assert!(
        elapsed >= tick,
        "a {tick:?} sleep returned after {elapsed:?}: the timer fired early"
    );
    (elapsed - tick).as_nanos() as u64
}

/// Sleeps `tick_ms` over and over until the flag (at least once, at most the cap).
async fn ticker<R: AsyncRuntime>(rt: R, stop: Arc<AtomicBool>, p: MixedParams) -> (u64, Histogram) {
    let tick = Duration::from_millis(p.tick_ms);
    let mut histogram = new_histogram();
    let mut ticks = 0u64;
    loop {
        let start = Instant::now(); // before the timer is created, so elapsed ≥ tick
        rt.sleep(tick).await;
        record_ns(&mut histogram, lateness(start.elapsed(), tick));
        ticks += 1;
        if stop.load(Ordering::Acquire) || ticks >= u64::from(p.max_iterations) {
            return (ticks, histogram);
        }
    }
}

/// Fills an outgoing message so each round trip's bytes differ.
fn fill(message: &mut [u8], trip: u64) {
    for (i, byte) in message.iter_mut().enumerate() {
        *byte = (trip as u8).wrapping_add(i as u8);
    }
}

/// Round trips with a pause between them until the flag (at least one, at most the
/// cap); closes the connection when done, which ends the server.
async fn echo_client<R: AsyncRuntime>(
    rt: R,
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    p: MixedParams,
) -> (u64, Histogram) {
    let pause = Duration::from_millis(p.pause_ms);
    let mut stream = rt
        .connect(addr)
        .await
        .expect("mixed: echo client cannot connect");
    let (mut out, mut back) = (vec![0u8; p.message_bytes], vec![0u8; p.message_bytes]);
    let mut histogram = new_histogram();
    let mut trips = 0u64;
    loop {
        fill(&mut out, trips);
        let start = Instant::now();
        stream
            .write_all(&out)
            .await
            .expect("mixed: echo client write");
        stream.flush().await.expect("mixed: echo client flush");
        stream
            .read_exact(&mut back)
            .await
            .expect("mixed: echo client read");
        record_ns(&mut histogram, start.elapsed().as_nanos() as u64);
        assert_eq!(back, out, "the echo server sent back different bytes");
        trips += 1;
        if stop.load(Ordering::Acquire) || trips >= u64::from(p.max_iterations) {
            return (trips, histogram);
        }
        rt.sleep(pause).await;
    }
}

/// Reads one whole message; `false` on a clean end of stream before it.
async fn read_message<S: AsyncRead + Unpin>(stream: &mut S, message: &mut [u8]) -> bool {
    let mut filled = 0;
    while filled < message.len() {
        // At most `message.len()` reads: each returns at least one byte or ends.
        let n = stream
            .read(&mut message[filled..])
            .await
            .expect("mixed: echo server read");
        if n == 0 {
            assert_eq!(
                filled, 0,
                "the echo client closed in the middle of a message"
            );
            return false;
        }
        filled += n;
    }
    true
}

/// Echoes one connection's messages until it closes; returns how many it echoed.
async fn echo_server<R: AsyncRuntime>(rt: R, listener: R::Listener, p: MixedParams) -> u64 {
    let mut stream = rt
        .accept(&listener)
        .await
        .expect("mixed: echo server accept");
    let mut message = vec![0u8; p.message_bytes];
    let mut echoed = 0u64;
    // The client sends at most `max_iterations`; one more read sees it close.
    for _ in 0..=p.max_iterations {
        if !read_message(&mut stream, &mut message).await {
            break;
        }
        stream
            .write_all(&message)
            .await
            .expect("mixed: echo server write");
        stream.flush().await.expect("mixed: echo server flush");
        echoed += 1;
    }
    echoed
}

/// Hog `h`'s chunks, the way the variant says; returns its checksum share and when it
/// started and ended.
async fn hog<R: AsyncRuntime>(
    rt: R,
    p: MixedParams,
    h: usize,
) -> (u64, Instant, Instant, Duration) {
    let start = Instant::now();
    let mut sum = 0u64;
    let mut busy = Duration::ZERO;
    let mut first_slice = true;
    for k in 0..p.chunks_per_hog {
        let c = p.chunk_index(h, k);
        let value = match p.mode {
            HogMode::Inline => timed_spin(kernel::seed(c), p.chunk_steps, &mut busy),
            HogMode::Yield => {
                let mut x = kernel::seed(c);
                for steps in slices(p.chunk_steps, p.slice_steps) {
                    if !first_slice {
                        rt.yield_now().await; // between slices, chunk boundaries included
                    }
                    first_slice = false;
                    x = timed_spin(x, steps, &mut busy);
                }
                x
            }
            HogMode::Offload => {
                let steps = p.chunk_steps;
                let (value, took) = rt
                    .unblock(move || {
                        let mut took = Duration::ZERO;
                        (timed_spin(kernel::seed(c), steps, &mut took), took)
                    })
                    .await;
                busy += took;
                value
            }
        };
        sum = sum.wrapping_add(kernel::contribution(c, value));
    }
    (sum, start, Instant::now(), busy)
}

/// The kernel, with the time it took added to `busy` (two clock reads per chunk or
/// slice: noise well below a slice's millisecond).
fn timed_spin(seed: u64, steps: u64, busy: &mut Duration) -> u64 {
    let start = Instant::now();
    let value = kernel::spin(seed, steps);
    *busy += start.elapsed();
    value
}

/// The blocking ticker: `std::thread::sleep` until the flag.
fn blocking_ticker(stop: &AtomicBool, p: &MixedParams) -> (u64, Histogram) {
    let tick = Duration::from_millis(p.tick_ms);
    let mut histogram = new_histogram();
    let mut ticks = 0u64;
    loop {
        let start = Instant::now();
        rtcompare_api::blocking(|| std::thread::sleep(tick));
        record_ns(&mut histogram, lateness(start.elapsed(), tick));
        ticks += 1;
        if stop.load(Ordering::Acquire) || ticks >= u64::from(p.max_iterations) {
            return (ticks, histogram);
        }
    }
}

/// The blocking echo pair on one thread: connect and accept, then in lockstep the
/// client writes, the server reads and writes back, the client reads.
fn blocking_echo(stop: &AtomicBool, p: &MixedParams) -> (u64, Histogram) {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("mixed: cannot listen");
    let addr = listener.local_addr().expect("mixed: listener address");
    let mut client = TcpStream::connect(addr).expect("mixed: echo client cannot connect");
    let (mut server, _) = listener.accept().expect("mixed: echo server accept");
    for stream in [&client, &server] {
        stream.set_nodelay(true).expect("mixed: TCP_NODELAY");
        stream
            .set_read_timeout(Some(STALL))
            .expect("mixed: read timeout");
    }
    let pause = Duration::from_millis(p.pause_ms);
    let (mut out, mut back) = (vec![0u8; p.message_bytes], vec![0u8; p.message_bytes]);
    let mut relay = vec![0u8; p.message_bytes];
    let mut histogram = new_histogram();
    let mut trips = 0u64;
    loop {
        fill(&mut out, trips);
        let start = Instant::now();
        rtcompare_api::blocking(|| {
            client.write_all(&out).expect("mixed: echo client write");
            server
                .read_exact(&mut relay)
                .expect("mixed: echo server read");
            server.write_all(&relay).expect("mixed: echo server write");
            client
                .read_exact(&mut back)
                .expect("mixed: echo client read");
        });
        record_ns(&mut histogram, start.elapsed().as_nanos() as u64);
        assert_eq!(back, out, "the echo server sent back different bytes");
        trips += 1;
        if stop.load(Ordering::Acquire) || trips >= u64::from(p.max_iterations) {
            return (trips, histogram);
        }
        rtcompare_api::blocking(|| std::thread::sleep(pause));
    }
}

/// Hog `h` on its own thread: inline, or yielding the thread between slices.
fn blocking_hog(p: &MixedParams, h: usize) -> (u64, Duration) {
    let mut sum = 0u64;
    let mut busy = Duration::ZERO;
    let mut first_slice = true;
    for k in 0..p.chunks_per_hog {
        let c = p.chunk_index(h, k);
        let value = match p.mode {
            HogMode::Yield => {
                let mut x = kernel::seed(c);
                for steps in slices(p.chunk_steps, p.slice_steps) {
                    if !first_slice {
                        std::thread::yield_now();
                    }
                    first_slice = false;
                    x = timed_spin(x, steps, &mut busy);
                }
                x
            }
            // Offload is n/a on blocking runners (see `fit_jobs`); computing inline
            // keeps the body total.
            HogMode::Inline | HogMode::Offload => {
                timed_spin(kernel::seed(c), p.chunk_steps, &mut busy)
            }
        };
        sum = sum.wrapping_add(kernel::contribution(c, value));
    }
    (sum, busy)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rtcompare_api::Job;

    #[test]
    fn slices_cover_the_chunk() {
        assert_eq!(slices(10, 3).collect::<Vec<_>>(), vec![3, 3, 3, 1]);
        assert_eq!(slices(9, 3).collect::<Vec<_>>(), vec![3, 3, 3]);
        assert_eq!(slices(2, 5).collect::<Vec<_>>(), vec![2]);
        assert_eq!(slices(0, 5).count(), 0);
        assert_eq!(slices(4, 0).collect::<Vec<_>>(), vec![1, 1, 1, 1]);
        let p = MixedInline::params(Preset::Quick);
        assert_eq!(slices(p.chunk_steps, p.slice_steps).count(), 50);
        assert_eq!(
            slices(p.chunk_steps, p.slice_steps).sum::<u64>(),
            p.chunk_steps
        );
        let t = MixedYield::params(Preset::Tiny);
        assert_eq!(slices(t.chunk_steps, t.slice_steps).count(), 5);
    }

    #[test]
    fn sliced_spin_is_the_whole_spin() {
        let seed = kernel::seed(3);
        let whole = kernel::spin(seed, 10_007);
        let sliced = slices(10_007, 1_000).fold(seed, kernel::spin);
        assert_eq!(sliced, whole);
    }

    fn small(mode: HogMode) -> MixedParams {
        MixedParams {
            mode,
            hogs: 3,
            chunks_per_hog: 2,
            chunk_steps: 5_001,
            slice_steps: 1_000,
            tick_ms: 1,
            pause_ms: 1,
            message_bytes: 64,
            max_iterations: 1_000,
            share: None,
        }
    }

    #[test]
    fn expected_matches_direct_computation() {
        let p = small(HogMode::Yield);
        let direct = (0..p.hogs)
            .map(|h| blocking_hog(&p, h).0)
            .fold(0u64, u64::wrapping_add);
        assert_eq!(MixedYield::expected(&p), direct);
        let inline = small(HogMode::Inline);
        let direct_inline = (0..6u64).fold(0u64, |s, c| {
            s.wrapping_add(kernel::contribution(
                c,
                kernel::spin(kernel::seed(c), 5_001),
            ))
        });
        assert_eq!(MixedInline::expected(&inline), direct_inline);
        assert_eq!(direct, direct_inline, "slicing does not change the answer");
    }

    #[test]
    fn presets_follow_the_brief() {
        let q = MixedOffload::params(Preset::Quick);
        assert_eq!((q.hogs, q.chunks_per_hog, q.mode), (2, 1, HogMode::Offload));
        assert_eq!(q.chunk_steps, 41_500_000);
        let f = MixedInline::params(Preset::Full);
        assert_eq!((f.hogs, f.chunks_per_hog), (4, 3));
        assert_eq!(MixedYield::ID, "mixed-yield");
    }

    #[test]
    fn async_runners_always_apply() {
        for mode in [HogMode::Inline, HogMode::Yield, HogMode::Offload] {
            assert!(fit_jobs(small(mode), None).is_ok());
        }
    }

    #[test]
    fn blocking_runners_need_every_job_at_once() {
        let p = small(HogMode::Inline); // 3 hogs: 5 jobs
        assert!(fit_jobs(p, Some(Concurrency::PerJob { cap: 10_000 })).is_ok());
        assert!(fit_jobs(p, Some(Concurrency::Bounded(5))).is_ok());
        let err = fit_jobs(p, Some(Concurrency::Bounded(4))).unwrap_err();
        assert!(
            err.starts_with("needs all 5 jobs (ticker, echo, 3 hogs) in progress at once"),
            "{err}"
        );
        assert!(err.contains("at most 4 at a time"), "{err}");
        let err = fit_jobs(p, Some(Concurrency::Bounded(1))).unwrap_err();
        assert!(err.contains("at most 1 at a time"), "{err}");
        let err = fit_jobs(p, Some(Concurrency::PerJob { cap: 2 })).unwrap_err();
        assert!(err.contains("at most 2 at a time"), "{err}");
    }

    #[test]
    fn offload_is_not_applicable_to_blocking_runners() {
        let p = small(HogMode::Offload);
        for c in [
            Concurrency::PerJob { cap: 10_000 },
            Concurrency::Bounded(64),
        ] {
            assert_eq!(
                fit_jobs(p, Some(c)).unwrap_err(),
                "hogs already run on their own OS threads"
            );
        }
    }

    /// A thread per job, like `threads`.
    struct PerJob;
    impl Strategy for PerJob {
        fn concurrency(&self) -> Concurrency {
            Concurrency::PerJob { cap: 100 }
        }
        fn run(&self, jobs: usize, job: Job<'_>) -> u64 {
            std::thread::scope(|s| {
                let handles: Vec<_> = (0..jobs).map(|i| s.spawn(move || job(i))).collect();
                handles
                    .into_iter()
                    .fold(0u64, |sum, h| sum.wrapping_add(h.join().unwrap()))
            })
        }
    }

    #[test]
    fn blocking_body_verifies_and_measures() {
        let mut p = MixedYield::params(Preset::Tiny);
        p.chunk_steps = 200_000; // keep the test short
        let out = MixedYield::run_blocking(&PerJob, &p);
        assert_eq!(out.checksum, MixedYield::expected(&p));
        let names: Vec<_> = out.latencies.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["tick-lateness", "round-trip"]);
        assert!(out.latencies.iter().all(|(_, h)| !h.is_empty()));
        let ticks = out.metrics.iter().find(|(k, _)| *k == "ticks").unwrap().1;
        assert_eq!(ticks, out.latencies[0].1.len() as f64);
        let rate = out.metrics.iter().find(|(k, _)| *k == "hog-chunks-per-s");
        assert!(rate.unwrap().1 > 0.0);
    }

    #[test]
    fn early_timer_fails() {
        let ms = Duration::from_millis(1);
        assert_eq!(lateness(Duration::from_micros(1_250), ms), 250_000);
        let early = std::panic::catch_unwind(|| lateness(Duration::from_micros(999), ms));
        assert!(early.is_err());
    }
}

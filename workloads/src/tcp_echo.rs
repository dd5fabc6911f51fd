//! The `tcp-echo` family: real TCP over 127.0.0.1 on an ephemeral port, with the
//! server and the clients inside the cell. One generic [`TcpEcho<M>`] registers three
//! workloads, told apart by the [`Mode`] marker `M`:
//!
//! - `tcp-echo` ([`Closed`]): C connections, closed loop (each client sends its next
//!   request when the reply arrives): latency under load, and throughput.
//! - `tcp-echo-1` ([`Single`]): one connection, closed loop: unloaded latency, the cost
//!   of one round trip through the runtime's reactor and the kernel.
//! - `tcp-echo-open` ([`Open`]): C connections sending at a fixed total rate, open loop
//!   in the style of wrk2, so latency counts queueing (no coordinated omission):
//!   connection c's k-th request is due at `start + (k + c/C) × C/rate` (the requests
//!   of all connections interleave evenly); a client that is early sleeps on the
//!   runtime's own timer until then, one that is late sends at once, and the latency
//!   recorded is reply time − intended send time, so a stall counts in full. The
//!   timer's granularity counts too (tokio rounds sleeps up to whole milliseconds,
//!   async-io does not): sending on time is part of what is measured. The schedule
//!   starts when the run starts, so the first requests also wait for their connection
//!   to be set up, and a blocking runner that cannot hold all C connections at once
//!   (`seq`, the pools) sends the later ones late and shows it. The rate is the
//!   preset's (below saturation) or `--rate`; the one used is in the params.
//!
//! Every request is B bytes whose content is a fixed function of (mode, connection,
//! round); the client compares every echoed byte with what it sent (a mismatch panics
//! naming the connection and round) and adds a digest of the reply to the checksum,
//! which [`Workload::expected`] recomputes from the params alone. Buffers are
//! allocated once per connection and reused; nothing is allocated per request.
//!
//! **Async body** (every async runner): inside the root task it listens, spawns an
//! acceptor task that accepts exactly C connections and spawns one server task per
//! connection (read exactly B bytes, write them back, until R round trips or EOF),
//! and spawns C client tasks; the root awaits every task.
//!
//! **Latency recording**: each client (or blocking job) keeps its round-trip times in a
//! vector of R entries allocated once per connection, and they go into one histogram
//! when the client is done (the root records them; a blocking job records its own under
//! a mutex taken once per job). Not a histogram per client: an auto-resizing
//! HdrHistogram with 3 significant digits over 1 ns to 1 h has about 34,000 buckets
//! (270 KB); on the reference machine creating and merging 50 of them took 6.5 ms,
//! about 13% of quick `tcp-echo`'s 50 ms on tokio-ct, where recording the same 10,000
//! values into one histogram takes 0.05 ms.
//!
//! **Blocking body** (`seq`, `threads`, `thread-pool`, `threads-static`, `rayon`): one
//! job per connection, and a job owns its connection end to end. Under a shared mutex
//! it connects and accepts (so the connection it accepts is its own), then runs the R
//! round trips in lockstep on its own thread: client write, server `read_exact`, server
//! write, client `read_exact`, verify. Why not a server thread per connection plus a
//! client thread: a blocking runner has no reactor, and a job that waits for a peer
//! job could deadlock a pool whose width is smaller than the number of jobs (seq, a
//! 2-thread pool). Lockstep works because the kernel's socket buffers hold a whole
//! message (B is at most [`MAX_BYTES`]), so one thread can play both ends without
//! blocking. The consequence, disclosed: `seq` serves one connection after another,
//! `threads` has a thread per connection and the pools a job per connection, and each
//! round trip costs one thread four syscalls and no cross-thread wake-up. Both ends
//! have a read and write timeout ([`BLOCKING_TIMEOUT`]) so a stalled peer fails the
//! cell instead of hanging it.
//!
//! **Open files**: each connection holds two descriptors in the cell (client and
//! server end). When `2C + 64` (64 spare for the runtime, listener and stdio) exceeds
//! the cell's open-file limit, C is capped to what fits in every runner alike (so every
//! cell does the same work) and a note says so; `threads` also caps C at its thread
//! cap. The requested count stays in the params.
//!
//! **Test-only knob**: `RTCOMPARE_ECHO_DELAY_US=N` makes the server wait N µs (runtime
//! timer or `thread::sleep`) before each reply, and is recorded in the params as
//! `server_delay_us`. It exists so tests can make a slow server and check that the open
//! loop reports the queueing the closed loop hides; never set it for a report.
//!
//! Failures are loud: a bind, connect or accept error panics naming the address and the
//! OS error, and the harness records it as the cell's error.

use crate::{FitContext, Fitted, Preset, Workload};
use futures::io::{AsyncReadExt, AsyncWriteExt};
use rtcompare_api::ids;
use rtcompare_api::{
    AddressSpace, AsyncRuntime, Concurrency, Outcome, Strategy, WorkloadKind, new_histogram,
    record_ns,
};
use serde::Serialize;
use std::io::{self, Read, Write};
use std::marker::PhantomData;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Loopback, ephemeral port.
const LISTEN: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 0);

/// Bytes per request in every preset.
const BYTES: usize = 64;

/// Largest request the blocking body can run in lockstep: well inside the kernel's
/// default loopback socket buffers, so a write never waits for the peer's read.
pub const MAX_BYTES: usize = 16 * 1024;

/// Descriptors kept spare besides two per connection: the runtime (epoll, eventfd,
/// timer), the listener, stdio and the harness.
pub const SPARE_FDS: u64 = 64;

/// Read and write timeout on both ends of a blocking connection.
pub const BLOCKING_TIMEOUT: Duration = Duration::from_secs(10);

/// The env var of the test-only server delay.
pub const DELAY_ENV: &str = "RTCOMPARE_ECHO_DELAY_US";

/// Which member of the family: its id, sizes and loop discipline.
pub trait Mode: Send + Sync + 'static {
    /// Workload id.
    const ID: &'static str;
    /// One line on what it does.
    const SUMMARY: &'static str;
    /// Mixed into every request's content, so each mode has its own checksum.
    const TAG: u64;
    /// Connections and round trips per connection at `preset`.
    fn shape(preset: Preset) -> (usize, u32);
    /// Total requests per second for an open loop; `None` for a closed loop.
    fn default_rate(preset: Preset) -> Option<f64>;
}

/// `tcp-echo`: C connections, closed loop.
pub struct Closed;
/// `tcp-echo-1`: one connection, closed loop.
pub struct Single;
/// `tcp-echo-open`: C connections at a fixed total rate, open loop.
pub struct Open;

impl Mode for Closed {
    const ID: &'static str = ids::workload::TCP_ECHO;
    const SUMMARY: &'static str = "C connections x R round trips of B bytes over loopback TCP, \
         closed loop (latency under load, throughput)";
    const TAG: u64 = 0xC105_ED00;
    fn shape(preset: Preset) -> (usize, u32) {
        match preset {
            Preset::Tiny => (4, 20),
            Preset::Quick => (50, 200),
            Preset::Full => (500, 2_000),
        }
    }
    fn default_rate(_: Preset) -> Option<f64> {
        None
    }
}

impl Mode for Single {
    const ID: &'static str = ids::workload::TCP_ECHO_1;
    const SUMMARY: &'static str =
        "one connection x R round trips of B bytes over loopback TCP (unloaded latency)";
    const TAG: u64 = 0x0001_ED00;
    fn shape(preset: Preset) -> (usize, u32) {
        match preset {
            Preset::Tiny => (1, 50),
            Preset::Quick => (1, 2_000),
            Preset::Full => (1, 20_000),
        }
    }
    fn default_rate(_: Preset) -> Option<f64> {
        None
    }
}

impl Mode for Open {
    const ID: &'static str = ids::workload::TCP_ECHO_OPEN;
    const SUMMARY: &'static str = "C connections sending B-byte requests over loopback TCP at a \
         fixed total rate, open loop (latency from the intended send time)";
    const TAG: u64 = 0x0BE0_ED00;
    fn shape(preset: Preset) -> (usize, u32) {
        match preset {
            Preset::Tiny => (4, 20),
            // 1,000 requests at 20,000/s: 50 ms of schedule per sample.
            Preset::Quick => (50, 20),
            // 100,000 requests at 50,000/s: 2 s of schedule per sample, ×11 samples on
            // every runner, kept short because the schedule, not the runner, sets it.
            Preset::Full => (500, 200),
        }
    }
    /// Below saturation on the reference machine (tokio-ct's closed loop does well
    /// over 20,000 round trips/s at quick size).
    fn default_rate(preset: Preset) -> Option<f64> {
        Some(match preset {
            Preset::Tiny => 4_000.0,
            Preset::Quick => 20_000.0,
            Preset::Full => 50_000.0,
        })
    }
}

/// TCP echo over loopback, in mode `M`.
pub struct TcpEcho<M>(PhantomData<M>);

/// What one run of a `tcp-echo` workload does.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EchoParams {
    /// Connections that run (C), after any cap.
    pub connections: usize,
    /// Connections the preset asked for.
    pub requested_connections: usize,
    /// Round trips per connection (R).
    pub round_trips: u32,
    /// Bytes per request and per reply (B).
    pub bytes: usize,
    /// Open loop only: requests per second, all connections together.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_per_s: Option<f64>,
    /// Test-only (`RTCOMPARE_ECHO_DELAY_US`): the server's wait before each reply.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_delay_us: Option<u64>,
}

impl EchoParams {
    fn server_delay(&self) -> Option<Duration> {
        self.server_delay_us.map(Duration::from_micros)
    }

    fn ops(&self) -> u64 {
        self.connections as u64 * u64::from(self.round_trips)
    }
}

/// Why `params` cannot run, if they cannot. Presets always pass; this guards edits.
pub fn validate(params: &EchoParams) -> Result<(), String> {
    if params.connections == 0 {
        return Err("tcp-echo needs at least one connection".into());
    }
    if params.round_trips == 0 {
        return Err("tcp-echo needs at least one round trip per connection".into());
    }
    if params.bytes == 0 || params.bytes > MAX_BYTES {
        return Err(format!(
            "tcp-echo requests must be 1 to {MAX_BYTES} bytes (the blocking body runs both \
             ends in lockstep inside the kernel's socket buffers), not {}",
            params.bytes
        ));
    }
    if let Some(rate) = params.rate_per_s {
        if !(rate.is_finite() && rate > 0.0) {
            return Err(format!(
                "tcp-echo-open needs a positive request rate, not {rate}"
            ));
        }
    }
    Ok(())
}

/// The server delay from [`DELAY_ENV`], if set. Panics on a value that is not a whole
/// number of microseconds, so a typo cannot silently run without it.
fn delay_from_env() -> Option<u64> {
    let value = std::env::var(DELAY_ENV).ok()?;
    Some(value.trim().parse().unwrap_or_else(|_| {
        panic!("{DELAY_ENV} must be a whole number of microseconds, not '{value}'")
    }))
}

/// Connections that fit under an open-file limit of `limit`: two descriptors each,
/// [`SPARE_FDS`] spare. `Err` when not even one fits.
pub fn connections_within(limit: u64) -> Result<usize, String> {
    let fit = limit.saturating_sub(SPARE_FDS) / 2;
    if fit == 0 {
        return Err(format!(
            "open-file limit {limit} leaves no room for one connection (2 per connection + \
             {SPARE_FDS} spare)"
        ));
    }
    Ok(usize::try_from(fit).unwrap_or(usize::MAX))
}

/// Caps `params.connections` to the open-file limit and to a thread-per-job cap,
/// noting each cap.
fn cap_connections(
    mut params: EchoParams,
    open_files: Option<u64>,
    concurrency: Option<Concurrency>,
) -> Result<Fitted<EchoParams>, String> {
    let mut notes = Vec::new();
    if let Some(limit) = open_files {
        let fit = connections_within(limit)?;
        if fit < params.connections {
            notes.push(format!(
                "connections capped from {} to {fit}: open-file limit {limit} (2 per \
                 connection + {SPARE_FDS} spare)",
                params.connections
            ));
            params.connections = fit;
        }
    }
    if let Some(Concurrency::PerJob { cap }) = concurrency {
        if cap < params.connections {
            notes.push(format!(
                "connections capped from {} to {cap}: at most {cap} threads alive at once",
                params.connections
            ));
            params.connections = cap;
        }
    }
    Ok(Fitted {
        params,
        extrapolation: None,
        notes,
    })
}

/// When connection `connection`'s request `round` is due, after the run's start: the
/// `(k·C + c)`-th tick of a clock running at `rate` per second, i.e.
/// `(k + c/C) × C/rate`.
pub fn intended_offset(connection: usize, round: u32, connections: usize, rate: f64) -> Duration {
    let index = f64::from(round) * connections as f64 + connection as f64;
    Duration::from_secs_f64(index / rate)
}

/// splitmix64's finaliser: a cheap, well-mixed hash of a word.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// Writes the request of `connection`'s round `round` in mode `tag` into `buf`: one
/// hashed word per 8 bytes, so filling costs little next to a round trip.
fn fill(buf: &mut [u8], tag: u64, connection: usize, round: u32) {
    let seed = mix(tag ^ mix(((connection as u64) << 32) | u64::from(round)));
    for (j, chunk) in buf.chunks_mut(8).enumerate() {
        let word = mix(seed.wrapping_add((j as u64 + 1).wrapping_mul(GOLDEN)));
        chunk.copy_from_slice(&word.to_le_bytes()[..chunk.len()]);
    }
}

/// An order-sensitive digest of one reply, its length included.
fn digest(buf: &[u8]) -> u64 {
    buf.chunks(8).fold(buf.len() as u64, |h, chunk| {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        (h ^ u64::from_le_bytes(word))
            .wrapping_mul(0x0000_0100_0000_01B3)
            .rotate_left(23)
    })
}

/// Panics, naming the connection, round and first differing byte, unless `echoed`
/// is exactly `sent`.
fn verify(sent: &[u8], echoed: &[u8], connection: usize, round: u32) {
    if sent != echoed {
        let at = sent
            .iter()
            .zip(echoed)
            .position(|(a, b)| a != b)
            .unwrap_or(sent.len().min(echoed.len()));
        panic!(
            "tcp-echo: connection {connection}, round {round}: echoed byte {at} is {:?} but \
             {:?} was sent",
            echoed.get(at),
            sent.get(at)
        );
    }
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

impl<M: Mode> Workload for TcpEcho<M> {
    const ID: &'static str = M::ID;
    const KIND: WorkloadKind = WorkloadKind::Io;
    const SUMMARY: &'static str = M::SUMMARY;
    type Params = EchoParams;

    fn params(preset: Preset) -> EchoParams {
        let (connections, round_trips) = M::shape(preset);
        EchoParams {
            connections,
            requested_connections: connections,
            round_trips,
            bytes: BYTES,
            rate_per_s: M::default_rate(preset),
            server_delay_us: delay_from_env(),
        }
    }

    fn takes_rate() -> bool {
        M::default_rate(Preset::Quick).is_some()
    }

    fn describe(p: &EchoParams) -> String {
        let mut s = format!(
            "{} connection{} x {} round trips of {} B",
            p.connections,
            if p.connections == 1 { "" } else { "s" },
            p.round_trips,
            p.bytes
        );
        if let Some(rate) = p.rate_per_s {
            s.push_str(&format!(" at {rate} requests/s"));
        }
        if let Some(us) = p.server_delay_us {
            s.push_str(&format!(", server delay {us} µs (test knob)"));
        }
        s
    }

    fn fit(mut params: EchoParams, context: &FitContext) -> Result<Fitted<EchoParams>, String> {
        if context.address_space == Some(AddressSpace::Separate) {
            return Err(
                "its jobs share memory: each accepts its own connection on one \
                        listener behind a shared lock, and merges its round-trip times into \
                        one shared latency histogram; worker processes share no memory"
                    .into(),
            );
        }
        if params.rate_per_s.is_some() {
            if let Some(rate) = context.rate {
                params.rate_per_s = Some(rate);
            }
        }
        debug_assert_eq!(validate(&params), Ok(()));
        cap_connections(params, context.open_files, context.concurrency)
    }

    fn expected(params: &EchoParams) -> u64 {
        let mut buf = vec![0u8; params.bytes];
        let mut sum = 0u64;
        for c in 0..params.connections {
            for k in 0..params.round_trips {
                fill(&mut buf, M::TAG, c, k);
                sum = sum.wrapping_add(digest(&buf));
            }
        }
        sum
    }

    async fn run_async<R: AsyncRuntime>(runtime: R, params: EchoParams) -> Outcome {
        let (listener, addr) = runtime
            .listen(LISTEN)
            .unwrap_or_else(|e| panic!("tcp-echo: cannot listen on {LISTEN}: {e}"));
        let acceptor = runtime.spawn(accept_all(runtime.clone(), listener, addr, params));
        let start = Instant::now();
        let clients: Vec<_> = (0..params.connections)
            .map(|c| runtime.spawn(client(runtime.clone(), addr, c, params, M::TAG, start)))
            .collect();

        let mut sum = 0u64;
        let mut round_trips = new_histogram();
        for client in clients {
            let (part, times) = client.await;
            sum = sum.wrapping_add(part);
            for ns in times {
                record_ns(&mut round_trips, ns);
            }
        }
        let mut served = 0u64;
        for server in acceptor.await {
            served += server.await;
        }
        assert_eq!(
            served,
            params.ops(),
            "tcp-echo: the servers echoed {served} requests but {} were sent",
            params.ops()
        );
        Outcome::new(sum)
            .with_ops(params.ops())
            .with_latency(ids::latency::ROUND_TRIP, round_trips)
    }

    fn run_blocking(strategy: &dyn Strategy, params: &EchoParams) -> Outcome {
        let listener = TcpListener::bind(LISTEN)
            .unwrap_or_else(|e| panic!("tcp-echo: cannot listen on {LISTEN}: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("tcp-echo: no local address for {LISTEN}: {e}"));
        // Held while a job connects and accepts, so the one it accepts is its own.
        let listener = Mutex::new(listener);
        let round_trips = Mutex::new(new_histogram());
        let start = Instant::now();
        let sum = strategy.run(params.connections, &|c| {
            let (sum, times) = lockstep(&listener, addr, c, params, M::TAG, start);
            let mut round_trips = round_trips.lock().unwrap_or_else(|e| e.into_inner());
            for ns in times {
                record_ns(&mut round_trips, ns);
            }
            sum
        });
        let round_trips = round_trips.into_inner().unwrap_or_else(|e| e.into_inner());
        Outcome::new(sum)
            .with_ops(params.ops())
            .with_latency(ids::latency::ROUND_TRIP, round_trips)
    }

    fn check_sample(params: &EchoParams, wall: Duration) -> Result<(), String> {
        // No request goes out before it is due, so an open-loop run lasts at least until
        // the last one is due.
        let Some(rate) = params.rate_per_s else {
            return Ok(());
        };
        let last = intended_offset(
            params.connections - 1,
            params.round_trips - 1,
            params.connections,
            rate,
        );
        if wall < last {
            return Err(format!(
                "sample took {:.3} ms but the last request is due at {:.3} ms: a request \
                 went out early",
                wall.as_secs_f64() * 1e3,
                last.as_secs_f64() * 1e3
            ));
        }
        Ok(())
    }
}

/// Accepts exactly `params.connections` connections, spawning a server task for each;
/// returns their handles for the root to await.
async fn accept_all<R: AsyncRuntime>(
    runtime: R,
    listener: R::Listener,
    addr: SocketAddr,
    params: EchoParams,
) -> Vec<R::Join<u64>> {
    let mut servers = Vec::with_capacity(params.connections);
    for i in 0..params.connections {
        let stream = runtime
            .accept(&listener)
            .await
            .unwrap_or_else(|e| panic!("tcp-echo: accepting connection {i} on {addr} failed: {e}"));
        servers.push(runtime.spawn(serve(runtime.clone(), stream, params)));
    }
    servers
}

/// Echoes B-byte requests until R round trips or EOF; returns the requests echoed.
async fn serve<R: AsyncRuntime>(runtime: R, mut stream: R::Tcp, params: EchoParams) -> u64 {
    let mut buf = vec![0u8; params.bytes];
    let delay = params.server_delay();
    let mut served = 0u64;
    for _ in 0..params.round_trips {
        match stream.read_exact(&mut buf).await {
            Ok(()) => {}
            // The client is gone (it panicked, and the root reports why).
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => break,
            Err(e) => panic!("tcp-echo: server read failed: {e}"),
        }
        if let Some(delay) = delay {
            runtime.sleep(delay).await;
        }
        // A TCP stream has no user-space buffer, so no flush is needed after a write.
        stream
            .write_all(&buf)
            .await
            .unwrap_or_else(|e| panic!("tcp-echo: server write failed: {e}"));
        served += 1;
    }
    served
}

/// One client: connects and runs R round trips; returns its checksum share and its
/// round-trip times in nanoseconds.
async fn client<R: AsyncRuntime>(
    runtime: R,
    addr: SocketAddr,
    c: usize,
    params: EchoParams,
    tag: u64,
    start: Instant,
) -> (u64, Vec<u64>) {
    let mut stream = runtime
        .connect(addr)
        .await
        .unwrap_or_else(|e| panic!("tcp-echo: connection {c} cannot connect to {addr}: {e}"));
    let mut request = vec![0u8; params.bytes];
    let mut reply = vec![0u8; params.bytes];
    let mut times = Vec::with_capacity(params.round_trips as usize);
    let mut sum = 0u64;
    for k in 0..params.round_trips {
        fill(&mut request, tag, c, k);
        let sent = match params.rate_per_s {
            Some(rate) => {
                let due = start + intended_offset(c, k, params.connections, rate);
                let now = Instant::now();
                if now < due {
                    runtime.sleep(due - now).await;
                }
                due
            }
            None => Instant::now(),
        };
        stream.write_all(&request).await.unwrap_or_else(|e| {
            panic!("tcp-echo: connection {c}, round {k}: write to {addr} failed: {e}")
        });
        stream.read_exact(&mut reply).await.unwrap_or_else(|e| {
            panic!("tcp-echo: connection {c}, round {k}: read from {addr} failed: {e}")
        });
        times.push(nanos(sent.elapsed()));
        verify(&request, &reply, c, k);
        sum = sum.wrapping_add(digest(&reply));
    }
    (sum, times)
}

/// One blocking job: connection `c` end to end, both ends on this thread in lockstep;
/// returns its checksum share and its round-trip times in nanoseconds.
fn lockstep(
    listener: &Mutex<TcpListener>,
    addr: SocketAddr,
    c: usize,
    params: &EchoParams,
    tag: u64,
    start: Instant,
) -> (u64, Vec<u64>) {
    let (mut client, mut server) = {
        let listener = listener.lock().unwrap_or_else(|e| e.into_inner());
        let client = TcpStream::connect(addr)
            .unwrap_or_else(|e| panic!("tcp-echo: connection {c} cannot connect to {addr}: {e}"));
        let (server, _) = listener
            .accept()
            .unwrap_or_else(|e| panic!("tcp-echo: accepting connection {c} on {addr} failed: {e}"));
        (client, server)
    };
    for end in [&client, &server] {
        end.set_nodelay(true)
            .and_then(|()| end.set_read_timeout(Some(BLOCKING_TIMEOUT)))
            .and_then(|()| end.set_write_timeout(Some(BLOCKING_TIMEOUT)))
            .unwrap_or_else(|e| panic!("tcp-echo: connection {c}: cannot set socket options: {e}"));
    }
    let delay = params.server_delay();
    let mut request = vec![0u8; params.bytes];
    let mut relay = vec![0u8; params.bytes];
    let mut reply = vec![0u8; params.bytes];
    let mut times = Vec::with_capacity(params.round_trips as usize);
    let mut sum = 0u64;
    let fail = |k: u32, what: &str, e: io::Error| -> ! {
        panic!("tcp-echo: connection {c}, round {k}: {what} on {addr} failed: {e}")
    };
    for k in 0..params.round_trips {
        fill(&mut request, tag, c, k);
        let sent = match params.rate_per_s {
            Some(rate) => {
                let due = start + intended_offset(c, k, params.connections, rate);
                let now = Instant::now();
                if now < due {
                    rtcompare_api::blocking(|| std::thread::sleep(due - now));
                }
                due
            }
            None => Instant::now(),
        };
        // Socket calls are blocking waits: a serialising strategy (the GIL) releases
        // its lock around them, as CPython does around system calls.
        rtcompare_api::blocking(|| {
            client
                .write_all(&request)
                .unwrap_or_else(|e| fail(k, "client write", e));
            server
                .read_exact(&mut relay)
                .unwrap_or_else(|e| fail(k, "server read", e));
            if let Some(delay) = delay {
                std::thread::sleep(delay);
            }
            server
                .write_all(&relay)
                .unwrap_or_else(|e| fail(k, "server write", e));
            client
                .read_exact(&mut reply)
                .unwrap_or_else(|e| fail(k, "client read", e));
        });
        times.push(nanos(sent.elapsed()));
        verify(&request, &reply, c, k);
        sum = sum.wrapping_add(digest(&reply));
    }
    (sum, times)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(connections: usize) -> EchoParams {
        EchoParams {
            connections,
            requested_connections: connections,
            round_trips: 10,
            bytes: 64,
            rate_per_s: None,
            server_delay_us: None,
        }
    }

    #[test]
    fn presets_are_valid() {
        for preset in Preset::ALL {
            validate(&TcpEcho::<Closed>::params(preset)).unwrap();
            validate(&TcpEcho::<Single>::params(preset)).unwrap();
            validate(&TcpEcho::<Open>::params(preset)).unwrap();
        }
        let p = TcpEcho::<Closed>::params(Preset::Full);
        assert_eq!((p.connections, p.round_trips, p.bytes), (500, 2_000, 64));
        assert_eq!(p.rate_per_s, None);
        let p = TcpEcho::<Single>::params(Preset::Quick);
        assert_eq!((p.connections, p.round_trips), (1, 2_000));
        let p = TcpEcho::<Open>::params(Preset::Quick);
        assert_eq!((p.connections, p.round_trips), (50, 20));
        assert_eq!(p.rate_per_s, Some(20_000.0));
    }

    #[test]
    fn validate_rejects_empty_and_oversized_work() {
        assert!(validate(&params(0)).unwrap_err().contains("connection"));
        let p = EchoParams {
            round_trips: 0,
            ..params(1)
        };
        assert!(validate(&p).unwrap_err().contains("round trip"));
        for bytes in [0, MAX_BYTES + 1] {
            let p = EchoParams { bytes, ..params(1) };
            assert!(validate(&p).unwrap_err().contains("bytes"), "{bytes}");
        }
        for rate in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let p = EchoParams {
                rate_per_s: Some(rate),
                ..params(1)
            };
            assert!(validate(&p).unwrap_err().contains("rate"), "{rate}");
        }
        validate(&EchoParams {
            bytes: MAX_BYTES,
            rate_per_s: Some(0.5),
            ..params(1)
        })
        .unwrap();
    }

    #[test]
    fn expected_is_stable_and_differs_by_mode_and_size() {
        let closed = TcpEcho::<Closed>::expected(&TcpEcho::<Closed>::params(Preset::Tiny));
        let single = TcpEcho::<Single>::expected(&TcpEcho::<Single>::params(Preset::Tiny));
        let open = TcpEcho::<Open>::expected(&TcpEcho::<Open>::params(Preset::Tiny));
        // Pinned: a change here changes every stored result's checksum.
        assert_eq!(
            [closed, single, open],
            [
                0xecb8_e0d8_3e45_8894,
                0xf9e2_de33_f7f3_0e00,
                0x4107_d6e7_388d_80a3
            ],
            "{closed:#x} {single:#x} {open:#x}"
        );
        // Same shape, different mode: different bytes on the wire.
        assert_ne!(closed, open);
        assert_ne!(closed, single);
        assert_ne!(single, open);
        let quick = TcpEcho::<Closed>::expected(&TcpEcho::<Closed>::params(Preset::Quick));
        assert_ne!(closed, quick);
        // Every connection, round and byte counts.
        let base = TcpEcho::<Closed>::expected(&params(3));
        assert_ne!(base, TcpEcho::<Closed>::expected(&params(2)));
        let fewer_rounds = EchoParams {
            round_trips: 9,
            ..params(3)
        };
        assert_ne!(base, TcpEcho::<Closed>::expected(&fewer_rounds));
        let shorter = EchoParams {
            bytes: 63,
            ..params(3)
        };
        assert_ne!(base, TcpEcho::<Closed>::expected(&shorter));
        // The rate and the server delay change timing, not bytes.
        let paced = EchoParams {
            rate_per_s: Some(10.0),
            server_delay_us: Some(5),
            ..params(3)
        };
        assert_eq!(base, TcpEcho::<Closed>::expected(&paced));
    }

    #[test]
    fn requests_differ_per_connection_and_round() {
        let mut a = [0u8; 64];
        let mut b = [0u8; 64];
        fill(&mut a, Closed::TAG, 0, 0);
        fill(&mut b, Closed::TAG, 0, 1);
        assert_ne!(a, b);
        fill(&mut b, Closed::TAG, 1, 0);
        assert_ne!(a, b);
        fill(&mut b, Closed::TAG, 0, 0);
        assert_eq!(a, b);
    }

    #[test]
    #[should_panic(expected = "connection 3, round 7: echoed byte 5")]
    fn a_wrong_byte_panics_naming_connection_and_round() {
        let sent = [1u8; 8];
        let mut echoed = sent;
        echoed[5] = 0;
        verify(&sent, &echoed, 3, 7);
    }

    #[test]
    fn open_file_limit_caps_connections_with_a_note() {
        let f = cap_connections(params(500), Some(158), None).unwrap();
        assert_eq!(f.params.connections, 47);
        assert_eq!(f.params.requested_connections, 500);
        assert_eq!(
            f.notes,
            [
                "connections capped from 500 to 47: open-file limit 158 (2 per connection + \
              64 spare)"
            ]
        );
        assert!(f.extrapolation.is_none());
        // The checksum follows the capped params.
        assert_ne!(
            TcpEcho::<Closed>::expected(&f.params),
            TcpEcho::<Closed>::expected(&params(500))
        );
        assert_eq!(
            TcpEcho::<Closed>::expected(&f.params),
            TcpEcho::<Closed>::expected(&params(47))
        );
    }

    #[test]
    fn plenty_of_files_changes_nothing() {
        let f = cap_connections(params(500), Some(20_000), None).unwrap();
        assert_eq!(f.params, params(500));
        assert!(f.notes.is_empty());
        let f = cap_connections(params(500), None, None).unwrap();
        assert_eq!(f.params, params(500));
        // Exactly enough: 2 × 500 + 64.
        let f = cap_connections(params(500), Some(1_064), None).unwrap();
        assert_eq!(f.params.connections, 500);
        assert!(f.notes.is_empty());
    }

    #[test]
    fn too_few_files_for_one_connection_is_an_error() {
        assert_eq!(connections_within(66), Ok(1));
        for limit in [0, 64, 65] {
            let why = cap_connections(params(4), Some(limit), None).unwrap_err();
            assert!(why.contains(&format!("open-file limit {limit}")), "{why}");
        }
    }

    #[test]
    fn thread_cap_limits_connections_too() {
        let per_job = Some(Concurrency::PerJob { cap: 10 });
        let f = cap_connections(params(500), Some(158), per_job).unwrap();
        assert_eq!(f.params.connections, 10);
        assert_eq!(f.notes.len(), 2);
        assert!(f.notes[1].contains("from 47 to 10"), "{:?}", f.notes);
        let bounded = Some(Concurrency::Bounded(2));
        assert!(
            cap_connections(params(500), None, bounded)
                .unwrap()
                .notes
                .is_empty()
        );
    }

    #[test]
    fn fit_uses_the_cli_rate_for_the_open_loop_only() {
        let context = FitContext {
            rate: Some(1_234.0),
            ..FitContext::for_async(Preset::Tiny)
        };
        let open = TcpEcho::<Open>::fit(TcpEcho::<Open>::params(Preset::Tiny), &context).unwrap();
        assert_eq!(open.params.rate_per_s, Some(1_234.0));
        let closed =
            TcpEcho::<Closed>::fit(TcpEcho::<Closed>::params(Preset::Tiny), &context).unwrap();
        assert_eq!(closed.params.rate_per_s, None);
        let default = TcpEcho::<Open>::fit(
            TcpEcho::<Open>::params(Preset::Tiny),
            &FitContext::for_async(Preset::Tiny),
        )
        .unwrap();
        assert_eq!(default.params.rate_per_s, Some(4_000.0));
    }

    #[test]
    fn open_loop_schedule_interleaves_connections_evenly() {
        // 4 connections at 1,000/s: one request per ms overall, each connection every 4 ms.
        let at = |c, k| intended_offset(c, k, 4, 1_000.0);
        assert_eq!(at(0, 0), Duration::ZERO);
        assert_eq!(at(1, 0), Duration::from_millis(1));
        assert_eq!(at(3, 0), Duration::from_millis(3));
        assert_eq!(at(0, 1), Duration::from_millis(4));
        assert_eq!(at(2, 5), Duration::from_millis(22));
        // (k + c/C) × C/rate, as in wrk2.
        let (c, k, n, rate) = (7usize, 13u32, 50usize, 20_000.0f64);
        let formula = (f64::from(k) + c as f64 / n as f64) * n as f64 / rate;
        let got = intended_offset(c, k, n, rate).as_secs_f64();
        assert!((got - formula).abs() < 1e-12, "{got} vs {formula}");
        // Strictly increasing in global order.
        let mut last = None;
        for k in 0..5 {
            for c in 0..4 {
                let t = at(c, k);
                assert!(last.is_none_or(|l| t > l));
                last = Some(t);
            }
        }
    }

    #[test]
    fn early_open_loop_sample_is_caught() {
        let p = TcpEcho::<Open>::params(Preset::Tiny); // 80 requests at 4,000/s
        let last = intended_offset(3, 19, 4, 4_000.0);
        assert_eq!(last, Duration::from_micros(19_750));
        assert!(TcpEcho::<Open>::check_sample(&p, Duration::from_millis(19)).is_err());
        assert!(TcpEcho::<Open>::check_sample(&p, Duration::from_millis(20)).is_ok());
        let closed = TcpEcho::<Closed>::params(Preset::Tiny);
        assert!(TcpEcho::<Closed>::check_sample(&closed, Duration::from_nanos(1)).is_ok());
    }

    #[test]
    fn describe_names_rate_and_delay() {
        let mut p = TcpEcho::<Open>::params(Preset::Quick);
        p.server_delay_us = Some(2_000);
        assert_eq!(
            TcpEcho::<Open>::describe(&p),
            "50 connections x 20 round trips of 64 B at 20000 requests/s, server delay \
             2000 µs (test knob)"
        );
        let p = TcpEcho::<Single>::params(Preset::Tiny);
        assert_eq!(
            TcpEcho::<Single>::describe(&EchoParams {
                server_delay_us: None,
                ..p
            }),
            "1 connection x 50 round trips of 64 B"
        );
    }
}

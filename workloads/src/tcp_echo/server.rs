//! The echo servers: the async one (a task per connection on the runtime's own
//! reactor) and the blocking one (a job per connection on the runner's strategy),
//! each serving the generator's plan step by step, and the outcome built from the
//! generator's report and the server's own per-step record.

use super::EchoParams;
use crate::net::{self, Session};
use futures::io::{AsyncReadExt, AsyncWriteExt};
use rtcompare_api::ids;
use rtcompare_api::{
    AddressSpace, AsyncRuntime, Concurrency, Conn, LoadStep, Outcome, Strategy, current_rss_bytes,
    new_histogram,
};
use rtcompare_loadgen::Report;
use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

/// What the server recorded over one step.
pub(super) struct Served {
    /// Requests it echoed.
    pub(super) requests: u64,
    /// Its CPU time over the step, seconds.
    pub(super) cpu_s: f64,
    /// Resident-set growth per connection at the step's last accept, where it held
    /// every connection at once.
    pub(super) rss_per_connection: Option<f64>,
}

/// Whether this process has served a plan before. Memory per connection is read
/// only in the first run (the warm-up): later runs reuse the pages earlier ones
/// freed, so their resident set barely grows and would say nothing.
static SERVED_BEFORE: AtomicBool = AtomicBool::new(false);

/// Memory per connection for this run's steps, read only on a fresh heap.
struct Memory {
    fresh: bool,
    /// The most connections an earlier step of this run held: their pages are
    /// free for reuse when the next step starts, so only the connections beyond
    /// them grow the resident set.
    held_before: usize,
}

impl Memory {
    fn for_this_run() -> Memory {
        Memory {
            fresh: !SERVED_BEFORE.swap(true, Ordering::AcqRel),
            held_before: 0,
        }
    }

    /// The resident set now, where this run measures memory.
    fn rss(&self) -> Option<u64> {
        self.fresh.then(current_rss_bytes).flatten()
    }

    /// Growth per connection beyond those an earlier step held, from `before`
    /// (the step's start) to `all_open` (its last accept).
    fn per_connection(
        &mut self,
        before: Option<u64>,
        all_open: Option<u64>,
        connections: usize,
    ) -> Option<f64> {
        let new = connections.saturating_sub(self.held_before);
        self.held_before = self.held_before.max(connections);
        let (before, open) = before.zip(all_open)?;
        (new > 0).then(|| open.saturating_sub(before) as f64 / new as f64)
    }
}

/// The server's CPU time and resident set when a step starts.
struct Mark {
    cpu_s: f64,
    rss: Option<u64>,
}

impl Mark {
    fn now(net: &Session, memory: &Memory) -> Mark {
        Mark {
            cpu_s: net.server_cpu_s(),
            rss: memory.rss(),
        }
    }

    /// The step's record, given the requests echoed and the resident set at its last
    /// accept (`None` where not every connection was held at once, or not read).
    fn until(
        self,
        net: &Session,
        requests: u64,
        all_open: Option<u64>,
        connections: usize,
        memory: &mut Memory,
    ) -> Served {
        Served {
            requests,
            cpu_s: (net.server_cpu_s() - self.cpu_s).max(0.0),
            rss_per_connection: memory.per_connection(self.rss, all_open, connections),
        }
    }
}

/// The async server: for each step, accepts its C connections on the runtime's
/// reactor and spawns a task per connection, then awaits them all.
pub(super) async fn run_async<R: AsyncRuntime>(
    runtime: R,
    params: EchoParams,
    tag: u64,
) -> Outcome {
    let net = net::session();
    let listener = runtime
        .adopt(net.listener_clone())
        .unwrap_or_else(|e| panic!("tcp-echo: cannot serve on {}: {e}", net.addr()));
    let drive = net
        .start(&params.plan(tag, net.addr()))
        .expect("an async cell drives its own generator");
    let delay = params.server_delay();
    let mut memory = Memory::for_this_run();
    let mut served = Vec::with_capacity(params.steps.len());
    for (index, step) in params.steps.iter().enumerate() {
        let corrupt = params.corrupts(index);
        let mark = Mark::now(net, &memory);
        let mut servers = Vec::with_capacity(step.connections);
        for i in 0..step.connections {
            let stream = runtime.accept(&listener).await.unwrap_or_else(|e| {
                panic!(
                    "tcp-echo: accepting connection {i} on {} failed: {e}",
                    net.addr()
                )
            });
            servers.push(runtime.spawn(serve_async(
                runtime.clone(),
                stream,
                params.bytes,
                delay,
                corrupt,
            )));
        }
        let all_open = memory.rss();
        let mut requests = 0u64;
        for server in servers {
            requests += server.await;
        }
        served.push(mark.until(net, requests, all_open, step.connections, &mut memory));
    }
    outcome(&params, drive.finish(), served)
}

/// Echoes `bytes`-byte requests until the generator closes the connection; returns
/// the requests echoed.
pub(super) async fn serve_async<R: AsyncRuntime>(
    runtime: R,
    mut stream: R::Tcp,
    bytes: usize,
    delay: Option<Duration>,
    corrupt: bool,
) -> u64 {
    let mut buf = vec![0u8; bytes];
    let mut served = 0u64;
    loop {
        match stream.read_exact(&mut buf).await {
            Ok(()) => {}
            // The generator closed it, or gave up on it: its report says why, and a
            // count that falls short fails the cell in `outcome`.
            Err(e) if peer_gone(&e) => return served,
            Err(e) => panic!("tcp-echo: server read failed after {served} requests: {e}"),
        }
        if corrupt && served == 0 {
            buf[0] ^= 0xFF;
        }
        if let Some(delay) = delay {
            runtime.sleep(delay).await;
        }
        // A TCP stream has no user-space buffer, so no flush is needed after a write.
        match stream.write_all(&buf).await {
            Ok(()) => served += 1,
            Err(e) if peer_gone(&e) => return served,
            Err(e) => panic!("tcp-echo: server write failed: {e}"),
        }
    }
}

/// Whether `error` means the generator closed or dropped the connection.
fn peer_gone(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::UnexpectedEof | io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe
    )
}

/// Read and write timeout of a blocking server's std connection, so a stalled peer
/// fails the cell instead of hanging it.
const BLOCKING_TIMEOUT: Duration = Duration::from_secs(30);

/// The blocking server: for each step, C jobs on the strategy, each accepting one
/// connection on the cell's listener through the strategy ([`Strategy::accept`]) and
/// echoing until the generator closes it. In a
/// `processes` worker the same body serves the jobs its cell hands it, on the
/// listener it inherited, and drives no generator.
pub(super) fn run_blocking(strategy: &dyn Strategy, params: &EchoParams, tag: u64) -> Outcome {
    let net = net::session();
    let drive = net.start(&params.plan(tag, net.addr()));
    let delay = params.server_delay();
    let mut memory = Memory::for_this_run();
    let mut served = Vec::with_capacity(params.steps.len());
    for (index, step) in params.steps.iter().enumerate() {
        let corrupt = params.corrupts(index);
        let connections = step.connections;
        // Only a thread per connection holds them all at once; a pool of N holds N.
        let holds_all = memory.fresh
            && strategy.address_space() == AddressSpace::Shared
            && matches!(strategy.concurrency(), Concurrency::PerJob { cap } if cap >= connections);
        let accepted = AtomicUsize::new(0);
        let all_open = AtomicU64::new(0);
        let mark = Mark::now(net, &memory);
        let requests = strategy.run(connections, &|_| {
            let stream = strategy
                .accept(net.listener())
                .unwrap_or_else(|e| panic!("tcp-echo: accepting on {} failed: {e}", net.addr()));
            if holds_all && accepted.fetch_add(1, Ordering::AcqRel) + 1 == connections {
                all_open.store(current_rss_bytes().unwrap_or(0), Ordering::Release);
            }
            serve_blocking(strategy, stream, params.bytes, delay, corrupt)
        });
        let all_open = Some(all_open.into_inner()).filter(|&rss| holds_all && rss > 0);
        served.push(mark.until(net, requests, all_open, connections, &mut memory));
    }
    match drive {
        Some(drive) => outcome(params, drive.finish(), served),
        // A worker process: its cell builds the outcome; this one is never read.
        None => Outcome::new(0),
    }
}

/// Echoes `bytes`-byte requests on a blocking connection until EOF; returns the
/// requests echoed. Socket calls are blocking waits: a serialising strategy (the GIL)
/// releases its lock around them, as CPython does around system calls.
fn serve_blocking(
    strategy: &dyn Strategy,
    mut stream: Conn,
    bytes: usize,
    delay: Option<Duration>,
    corrupt: bool,
) -> u64 {
    stream
        .set_timeouts(BLOCKING_TIMEOUT)
        .unwrap_or_else(|e| panic!("tcp-echo: cannot set socket options: {e}"));
    let mut buf = vec![0u8; bytes];
    let mut served = 0u64;
    loop {
        match rtcompare_api::blocking(|| stream.read_exact(&mut buf)) {
            Ok(()) => {}
            // The generator closed it, or gave up on it: its report says why, and a
            // count that falls short fails the cell in `outcome`.
            Err(e) if peer_gone(&e) => return served,
            Err(e) => panic!("tcp-echo: server read failed after {served} requests: {e}"),
        }
        if corrupt && served == 0 {
            buf[0] ^= 0xFF;
        }
        if let Some(delay) = delay {
            strategy.sleep(delay);
        }
        let written = rtcompare_api::blocking(|| stream.write_all(&buf));
        match written {
            Ok(()) => served += 1,
            Err(e) if peer_gone(&e) => return served,
            Err(e) => panic!("tcp-echo: server write failed: {e}"),
        }
    }
}

/// The run's outcome: the generator's checksum, latency and per-step record beside
/// the server's. Panics when the server and the generator disagree on how many
/// requests went through, step by step.
pub(super) fn outcome(params: &EchoParams, report: Report, served: Vec<Served>) -> Outcome {
    assert_eq!(
        report.steps.len(),
        params.steps.len(),
        "tcp-echo: the generator reported {} steps of {}",
        report.steps.len(),
        params.steps.len()
    );
    let mut checksum = 0u64;
    let mut all = new_histogram();
    let mut steps = Vec::with_capacity(served.len());
    for (i, (generated, server)) in report.steps.into_iter().zip(served).enumerate() {
        assert_eq!(
            server.requests, generated.requests,
            "tcp-echo step {i}: the server echoed {} requests but the generator had {} answered",
            server.requests, generated.requests
        );
        checksum = checksum.wrapping_add(generated.checksum);
        let latency = rtcompare_loadgen::plan::histogram(&generated.latency_ns);
        all.add(&latency).expect("auto-resizing histograms merge");
        steps.push(LoadStep {
            connections: generated.connections,
            offered_rate_per_s: generated.rate_per_s,
            requests: generated.requests,
            wall_s: generated.wall_s,
            latency,
            server_cpu_s: server.cpu_s,
            generator_cpu_s: generated.cpu_s,
            generator_behind: generated.behind,
            generator_cpus: generated.cpus,
            rss_per_connection_bytes: server.rss_per_connection,
        });
    }
    let mut outcome = Outcome::new(checksum)
        .with_ops(params.requests())
        .with_latency(ids::latency::ROUND_TRIP, all);
    outcome.load_steps = steps;
    outcome
}

//! The quick `tcp-echo` workload served by bare tokio and smol programs, driven by the
//! same external load generator as the harness, so anyone can check that rtcompare's
//! `tcp-echo` figures are the runtime's and not the harness's:
//!
//! ```sh
//! cargo run --release --example bare_tcp_echo                          # 2 workers, 5 runs
//! cargo run --release --example bare_tcp_echo -- --workers 4 --runs 11
//! just fidelity    # the bare program beside the harness's own cells, in one run
//! ```
//!
//! **The server** is plain runtime code, no rtcompare crate: a listener on
//! 127.0.0.1:0 (backlog 4096, as the harness's), an accept loop that sets TCP_NODELAY
//! and spawns a task per connection, and tasks that read 64-byte requests and write
//! them back until the client closes. Four flavours: tokio current_thread; tokio
//! multi_thread with N workers (`--workers`, default 2); smol's `Executor` run by N
//! threads, each in `smol::block_on(executor.run(..))` as the `smol-mt` runner does;
//! and smol's `LocalExecutor` in `smol::block_on` (`smol-local`). The accept loop runs
//! in the main thread's `block_on` (futures-lite's for the `Executor`, which leaves
//! the reactor to the workers).
//!
//! **The client** is rtcompare's load generator (the `rtcompare-loadgen` crate, the
//! only rtcompare code here) in a process of its own: `main` calls `run_if_child`
//! first, and the program starts itself once as the generator. Its plan is the quick
//! `tcp-echo` plan: one closed-loop step of C = 50 connections × R = 200 round trips
//! of B = 64 bytes under the workload's tag, so its checksum is the harness's.
//!
//! **What a run times** is what the harness times in a sample: handing the generator
//! the plan, accepting the C connections, serving each until EOF, awaiting every
//! server task and reading the generator's report. Each run checks the report's
//! checksum against `wire::expected` and that the server echoed every request the
//! generator counted. Per flavour, a warm-up run and then `--runs` timed runs
//! (default 5); printed: the median throughput (requests / wall), the median server
//! CPU per request (getrusage RUSAGE_SELF over the run / requests; the generator is
//! a child process and is not counted) and the generator's CPU in cores (its CPU over
//! the step's wall time, as the report's `generator_cores`) and as a share of the
//! machine's CPUs. `--round-trips R` shrinks the runs for a quick check.
//!
//! **`--vs-harness PATH [--pairs K]`** is the fidelity check. For tokio-ct and
//! tokio-mt (`--workers` threads) it alternates K times (default 5) a bare measurement
//! of `--runs` runs and the harness's own cell process, `PATH cell --runner R
//! --workload tcp-echo --threads N --preset quick --warmup 1 --samples RUNS`, which
//! prints its samples as JSON. Per pair it gives harness/bare ratios of the median
//! throughput and of the median server CPU per request, then the median ratio with
//! its range over the pairs, and a verdict: within 5% or not. A throughput ratio
//! below 1 or a CPU ratio above 1 is what the harness costs. It exits 0 either way:
//! it is a measurement, not a test.

mod fidelity;

use rtcompare_loadgen::{Generator, Options, Plan, Step, wire};
use smol::Async;
use std::io;
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

/// The quick `tcp-echo` plan: connections, round trips each, request bytes, tag.
const CONNECTIONS: usize = 50;
const ROUND_TRIPS: u32 = 200;
const BYTES: usize = 64;
const TAG: u64 = 0xC105_ED00;
/// The harness's listen backlog.
const BACKLOG: i32 = 4096;

const USAGE: &str = "usage: bare_tcp_echo [--workers N] [--runs N] [--round-trips R] \
                     [--vs-harness PATH_TO_RTCOMPARE [--pairs K]]";

/// The command line.
struct Args {
    workers: usize,
    runs: usize,
    round_trips: u32,
    vs_harness: Option<PathBuf>,
    pairs: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        workers: 2,
        runs: 5,
        round_trips: ROUND_TRIPS,
        vs_harness: None,
        pairs: 5,
    };
    let mut words = std::env::args().skip(1);
    while let Some(flag) = words.next() {
        let mut value = || words.next().ok_or_else(|| format!("{flag} needs a value"));
        let positive = |text: String| match text.parse::<usize>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(format!("{flag} needs a whole number above 0, not '{text}'")),
        };
        match flag.as_str() {
            "--workers" => args.workers = positive(value()?)?,
            "--runs" => args.runs = positive(value()?)?,
            "--pairs" => args.pairs = positive(value()?)?,
            "--round-trips" => {
                args.round_trips = u32::try_from(positive(value()?)?)
                    .map_err(|_| "--round-trips is too large".to_owned())?;
            }
            "--vs-harness" => args.vs_harness = Some(PathBuf::from(value()?)),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument '{other}'\n{USAGE}")),
        }
    }
    if args.vs_harness.is_some() && args.round_trips != ROUND_TRIPS {
        return Err(format!(
            "--round-trips cannot go with --vs-harness: the harness's quick preset runs \
             {ROUND_TRIPS} round trips per connection"
        ));
    }
    Ok(args)
}

/// This process's user + system CPU time so far, seconds, every thread.
fn cpu_s() -> f64 {
    // SAFETY: an all-zero rusage is a valid value; getrusage only writes into it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid, writable rusage and RUSAGE_SELF is always accepted.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    assert_eq!(rc, 0, "getrusage(RUSAGE_SELF) failed");
    let seconds = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// "1 run", "5 runs".
fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// The median of `xs` (the mean of the middle two for an even count).
fn median(xs: &[f64]) -> f64 {
    let mut sorted = xs.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// What one timed run measured.
struct Run {
    wall_s: f64,
    server_cpu_s: f64,
    requests: u64,
    generator_cores: f64,
}

/// A measurement's medians.
struct Figures {
    throughput: f64,
    cpu_us_per_request: f64,
    generator_cores: f64,
}

impl Figures {
    fn of(runs: &[Run]) -> Figures {
        let each = |f: fn(&Run) -> f64| median(&runs.iter().map(f).collect::<Vec<_>>());
        Figures {
            throughput: each(|r| r.requests as f64 / r.wall_s),
            cpu_us_per_request: each(|r| r.server_cpu_s * 1e6 / r.requests as f64),
            generator_cores: each(|r| r.generator_cores),
        }
    }
}

/// What every flavour shares: the listener, the generator and its plan.
struct Bench {
    listener: TcpListener,
    generator: Generator,
    plan: Plan,
    expected: u64,
}

impl Bench {
    /// Binds the listener, then starts the generator (the listener is close-on-exec,
    /// so the generator does not hold it).
    fn new(round_trips: u32) -> Result<Bench, String> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .map_err(|e| format!("cannot listen on 127.0.0.1: {e}"))?;
        // On Linux, listening again on a listening socket only sets its backlog.
        // SAFETY: listen(2) on a socket this process owns; no memory is passed.
        if unsafe { libc::listen(listener.as_raw_fd(), BACKLOG) } != 0 {
            let e = io::Error::last_os_error();
            return Err(format!("cannot set the listen backlog to {BACKLOG}: {e}"));
        }
        let addr = listener
            .local_addr()
            .map_err(|e| format!("the listener has no address: {e}"))?;
        let exe = std::env::current_exe()
            .map_err(|e| format!("cannot find this program to start the generator: {e}"))?;
        let generator = Generator::spawn(&exe, &Options::default())
            .map_err(|e| format!("cannot start the load generator ({}): {e}", exe.display()))?;
        let steps = vec![Step {
            connections: CONNECTIONS,
            round_trips,
            rate_per_s: None,
        }];
        Ok(Bench {
            expected: wire::expected(TAG, BYTES, &steps),
            plan: Plan {
                addr,
                tag: TAG,
                bytes: BYTES,
                steps,
                // The harness's bound for a closed loop: a server that stops answering
                // fails the run instead of hanging it.
                time_limit_s: 60.0,
            },
            listener,
            generator,
        })
    }

    /// A descriptor of the listener for one runtime to adopt.
    fn listener(&self) -> Result<TcpListener, String> {
        let listener = self
            .listener
            .try_clone()
            .map_err(|e| format!("cannot duplicate the listener: {e}"))?;
        listener
            .set_nonblocking(true)
            .map_err(|e| format!("cannot make the listener non-blocking: {e}"))?;
        Ok(listener)
    }

    /// One timed run: `serve` accepts the C connections, serves them until EOF and
    /// returns the requests it echoed.
    fn run(&mut self, serve: &mut dyn FnMut() -> Result<u64, String>) -> Result<Run, String> {
        let cpu_before = cpu_s();
        let start = Instant::now();
        self.generator
            .start(&self.plan)
            .map_err(|e| format!("cannot hand the generator its plan: {e}"))?;
        let served = serve()?;
        let report = self
            .generator
            .finish()
            .map_err(|e| format!("load generator: {e}"))?;
        let wall_s = start.elapsed().as_secs_f64();
        let server_cpu_s = cpu_s() - cpu_before;
        if report.checksum() != self.expected {
            return Err(format!(
                "wrong answer: checksum {:#018x} but {:#018x} expected",
                report.checksum(),
                self.expected
            ));
        }
        let requests: u64 = report.steps.iter().map(|s| s.requests).sum();
        if served != requests {
            return Err(format!(
                "the server echoed {served} requests but the generator had {requests} answered"
            ));
        }
        let (generator_cpu, step_wall) = report
            .steps
            .iter()
            .fold((0.0, 0.0), |(c, w), s| (c + s.cpu_s, w + s.wall_s));
        Ok(Run {
            wall_s,
            server_cpu_s,
            requests,
            generator_cores: generator_cpu / step_wall,
        })
    }

    /// A warm-up run, then `runs` timed runs.
    fn measure(
        &mut self,
        runs: usize,
        serve: &mut dyn FnMut() -> Result<u64, String>,
    ) -> Result<Vec<Run>, String> {
        self.run(serve)?;
        (0..runs).map(|_| self.run(serve)).collect()
    }
}

/// Echoes `BYTES`-byte requests until the client closes; returns the requests echoed.
async fn echo_tokio(mut stream: tokio::net::TcpStream) -> Result<u64, String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut buf = [0u8; BYTES];
    let mut served = 0u64;
    loop {
        match stream.read_exact(&mut buf).await {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(served),
            Err(e) => return Err(format!("server read after {served} requests: {e}")),
        }
        stream
            .write_all(&buf)
            .await
            .map_err(|e| format!("server write after {served} requests: {e}"))?;
        served += 1;
    }
}

/// Accepts the C connections, a task each, and awaits them all.
async fn serve_tokio(listener: &tokio::net::TcpListener) -> Result<u64, String> {
    let mut servers = Vec::with_capacity(CONNECTIONS);
    for i in 0..CONNECTIONS {
        let (stream, _) = listener
            .accept()
            .await
            .map_err(|e| format!("accepting connection {i}: {e}"))?;
        stream
            .set_nodelay(true)
            .map_err(|e| format!("TCP_NODELAY: {e}"))?;
        servers.push(tokio::spawn(echo_tokio(stream)));
    }
    let mut served = 0;
    for server in servers {
        served += server
            .await
            .map_err(|e| format!("a server task failed: {e}"))??;
    }
    Ok(served)
}

/// Echoes `BYTES`-byte requests until the client closes; returns the requests echoed.
async fn echo_smol(mut stream: Async<TcpStream>) -> Result<u64, String> {
    use smol::io::{AsyncReadExt, AsyncWriteExt};
    let mut buf = [0u8; BYTES];
    let mut served = 0u64;
    loop {
        match stream.read_exact(&mut buf).await {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(served),
            Err(e) => return Err(format!("server read after {served} requests: {e}")),
        }
        stream
            .write_all(&buf)
            .await
            .map_err(|e| format!("server write after {served} requests: {e}"))?;
        served += 1;
    }
}

/// Accepts the C connections, a task each through `spawn`, and awaits them all.
async fn serve_smol(
    listener: &Async<TcpListener>,
    spawn: impl Fn(Async<TcpStream>) -> smol::Task<Result<u64, String>>,
) -> Result<u64, String> {
    let mut servers = Vec::with_capacity(CONNECTIONS);
    for i in 0..CONNECTIONS {
        let (stream, _) = listener
            .accept()
            .await
            .map_err(|e| format!("accepting connection {i}: {e}"))?;
        stream
            .get_ref()
            .set_nodelay(true)
            .map_err(|e| format!("TCP_NODELAY: {e}"))?;
        servers.push(spawn(stream));
    }
    let mut served = 0;
    for server in servers {
        served += server.await?;
    }
    Ok(served)
}

/// One way of running the server.
#[derive(Clone, Copy)]
enum Flavour {
    TokioCt,
    TokioMt(usize),
    SmolMt(usize),
    SmolLocal,
}

impl Flavour {
    fn name(self) -> String {
        match self {
            Flavour::TokioCt => "tokio current_thread".into(),
            Flavour::TokioMt(n) => format!("tokio multi_thread ({n} workers)"),
            Flavour::SmolMt(n) => format!("smol Executor ({n} threads)"),
            Flavour::SmolLocal => "smol LocalExecutor".into(),
        }
    }

    /// Builds the runtime and takes a warm-up and `runs` timed runs on it.
    fn measure(self, bench: &mut Bench, runs: usize) -> Result<Vec<Run>, String> {
        let build = |builder: &mut tokio::runtime::Builder| {
            builder
                .enable_all()
                .build()
                .map_err(|e| format!("cannot build {}: {e}", self.name()))
        };
        match self {
            Flavour::TokioCt => tokio_runs(
                bench,
                build(&mut tokio::runtime::Builder::new_current_thread())?,
                runs,
            ),
            Flavour::TokioMt(n) => tokio_runs(
                bench,
                build(tokio::runtime::Builder::new_multi_thread().worker_threads(n))?,
                runs,
            ),
            Flavour::SmolMt(n) => smol_mt_runs(bench, n, runs),
            Flavour::SmolLocal => {
                let listener = Async::new(bench.listener()?)
                    .map_err(|e| format!("cannot register the listener: {e}"))?;
                let ex = smol::LocalExecutor::new();
                bench.measure(runs, &mut || {
                    smol::block_on(ex.run(serve_smol(&listener, |s| ex.spawn(echo_smol(s)))))
                })
            }
        }
    }
}

fn tokio_runs(
    bench: &mut Bench,
    runtime: tokio::runtime::Runtime,
    runs: usize,
) -> Result<Vec<Run>, String> {
    let listener = {
        let _context = runtime.enter(); // registers with this runtime's reactor
        tokio::net::TcpListener::from_std(bench.listener()?)
            .map_err(|e| format!("cannot register the listener: {e}"))?
    };
    bench.measure(runs, &mut || runtime.block_on(serve_tokio(&listener)))
}

fn smol_mt_runs(bench: &mut Bench, threads: usize, runs: usize) -> Result<Vec<Run>, String> {
    let executor = Arc::new(smol::Executor::new());
    let (stop, stopped) = smol::channel::bounded::<()>(1);
    let mut workers = Vec::with_capacity(threads);
    for i in 0..threads {
        let (ex, stopped) = (Arc::clone(&executor), stopped.clone());
        let worker = std::thread::Builder::new()
            .name(format!("smol-{i}"))
            .spawn(move || smol::block_on(ex.run(stopped.recv())))
            .map_err(|e| format!("cannot start smol worker {i}: {e}"))?;
        workers.push(worker);
    }
    let listener =
        Async::new(bench.listener()?).map_err(|e| format!("cannot register the listener: {e}"));
    let result = listener.and_then(|listener| {
        bench.measure(runs, &mut || {
            smol::future::block_on(serve_smol(&listener, |s| executor.spawn(echo_smol(s))))
        })
    });
    drop(stop); // closing the channel ends every worker's `run`
    for worker in workers {
        let _ = worker.join();
    }
    result
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let mut bench = Bench::new(args.round_trips)?;
    println!(
        "{CONNECTIONS} connections x {} round trips of {BYTES} B over 127.0.0.1, closed loop, \
         from the external load generator (pid {}); medians of {} after a warm-up",
        args.round_trips,
        bench.generator.pid(),
        count(args.runs, "run")
    );
    if let Some(exe) = &args.vs_harness {
        return fidelity::vs_harness(&mut bench, exe, &args);
    }
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let flavours = [
        Flavour::TokioCt,
        Flavour::TokioMt(args.workers),
        Flavour::SmolMt(args.workers),
        Flavour::SmolLocal,
    ];
    for flavour in flavours {
        let figures = Figures::of(&flavour.measure(&mut bench, args.runs)?);
        println!(
            "{:<30} {:>9.0} requests/s  {:>7.2} µs server CPU/request  generator {:.2} cores \
             ({:.0}% of {cpus} CPUs)",
            flavour.name(),
            figures.throughput,
            figures.cpu_us_per_request,
            figures.generator_cores,
            100.0 * figures.generator_cores / cpus as f64
        );
    }
    Ok(())
}

fn main() -> ExitCode {
    rtcompare_loadgen::run_if_child();
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bare_tcp_echo: {e}");
            ExitCode::FAILURE
        }
    }
}

//! The `tcp-echo` family: a real TCP echo server on 127.0.0.1, served by the runner
//! under test and driven by the one external load generator
//! ([`rtcompare_loadgen`], in its own process; see [`crate::net`]) that drives every
//! runner alike. Nothing of the client runs in the cell: the cell's CPU time is the
//! server's, and no runner's timer paces the requests. One generic [`TcpEcho<M>`]
//! registers four workloads, told apart by the [`Mode`] marker `M`:
//!
//! - `tcp-echo` ([`Closed`]): C connections, closed loop (each connection sends its
//!   next request when the reply arrives): throughput, and latency under load.
//! - `tcp-echo-1` ([`Single`]): one connection, closed loop: unloaded latency.
//! - `tcp-echo-open` ([`Open`]): C connections at a ladder of offered rates, one step
//!   per rate, open loop (latency from the intended send time, wrk2 style, so a
//!   stall counts in full): latency against offered load, and the knee. The ladder
//!   is fixed per preset ([`Open::ladder`]) so every runner is offered the same
//!   rates, or set with `--rates`.
//! - `tcp-echo-conns` ([`Conns`]): closed-loop steps at 1, 10, 100 and 1,000
//!   connections (capped by the open-file limit): how throughput and memory scale
//!   with connections.
//!
//! **The servers** (`server`): async runners accept on their own reactor and spawn a
//! task per connection. Blocking runners serve connections as jobs of their strategy:
//! each job accepts one connection on the shared listener and echoes until the
//! generator closes it. So `threads` runs a thread per connection, a pool of N
//! (`thread-pool`, `threads-static`, `rayon`, `gil`, `seq` with N = 1) serves at most
//! N connections at a time while the rest wait in the listen backlog, which their
//! latency shows, and `processes` is a pre-fork server: N worker processes accepting
//! on the cell's listener, which they inherited.
//!
//! **Verification**: every request's bytes are a fixed function of (mode, connection,
//! round) ([`rtcompare_loadgen::wire`]); the generator compares every echoed byte and
//! sums a digest of each reply, which [`Workload::expected`] recomputes from the
//! params alone. The server counts the requests it echoed, and a count that differs
//! from what the generator sent fails the cell.
//!
//! **Per step** the server records its CPU time (the harness's clock: this process and
//! its worker processes, the generator excluded) and, where it holds every connection
//! at once, its resident-set growth per connection; the generator records the
//! latency, its own CPU time and CPUs, and whether it, not the server, was the limit.
//!
//! **Open files**: each connection holds one descriptor in the cell (and one in the
//! generator, which inherits the same limit). A step whose connections would not fit
//! in the cell's limit with [`SPARE_FDS`] spare is capped, and a note says so;
//! `threads` also caps at its thread cap.
//!
//! **Test-only knob**: `RTCOMPARE_ECHO_DELAY_US=N` makes the server wait N µs (runtime
//! timer or `thread::sleep`) before each reply, recorded in the params as
//! `server_delay_us`, so tests can make a slow server; never set it for a report.
//! `RTCOMPARE_ECHO_CORRUPT_STEP=N` makes the server flip the first byte of its first
//! reply on every connection of step N (recorded as `corrupt_step`), so tests can
//! check that a wrong byte fails the cell with the generator's words, mid-sweep too.

mod per_core;
mod server;
#[cfg(test)]
mod tests;

use crate::{FitContext, Fitted, Preset, Workload};
use rtcompare_api::ids;
use rtcompare_api::{AsyncRuntime, Concurrency, Outcome, Share, Strategy, WorkloadKind};
use rtcompare_loadgen::Step;
use serde::Serialize;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

/// Bytes per request in every preset.
const BYTES: usize = 64;

/// Largest request: far more than an echo benchmark needs, small enough that a
/// connection's two buffers stay cheap.
pub const MAX_BYTES: usize = 64 * 1024;

/// Descriptors kept spare in the cell besides one per connection: the runtime
/// (epoll, eventfd, timer), the listener, the generator's pipes, stdio.
pub const SPARE_FDS: u64 = 64;

/// The env var of the test-only server delay.
pub const DELAY_ENV: &str = "RTCOMPARE_ECHO_DELAY_US";

/// The env var of the test-only corrupted step.
pub const CORRUPT_ENV: &str = "RTCOMPARE_ECHO_CORRUPT_STEP";

/// Which member of the family: its id and its steps per preset.
pub trait Mode: Send + Sync + 'static {
    /// Workload id.
    const ID: &'static str;
    /// One line on what it does.
    const SUMMARY: &'static str;
    /// Mixed into every request's content, so each mode has its own checksum.
    const TAG: u64;
    /// The plan's steps at `preset`.
    fn steps(preset: Preset) -> Vec<Step>;
    /// Steps at the offered `rates` (`--rates`), for a mode that sweeps rates.
    fn at_rates(_preset: Preset, _rates: &[f64]) -> Option<Vec<Step>> {
        None
    }
}

/// `tcp-echo`: C connections, closed loop.
pub struct Closed;
/// `tcp-echo-1`: one connection, closed loop.
pub struct Single;
/// `tcp-echo-open`: C connections at a ladder of offered rates, open loop.
pub struct Open;
/// `tcp-echo-conns`: closed loop at 1 to 1,000 connections.
pub struct Conns;

fn closed(connections: usize, round_trips: u32) -> Step {
    Step {
        connections,
        round_trips,
        rate_per_s: None,
    }
}

impl Mode for Closed {
    const ID: &'static str = ids::workload::TCP_ECHO;
    const SUMMARY: &'static str = "C connections x R round trips of B bytes over loopback TCP, \
         closed loop, from the external load generator (throughput, latency under load)";
    const TAG: u64 = 0xC105_ED00;
    fn steps(preset: Preset) -> Vec<Step> {
        vec![match preset {
            Preset::Tiny => closed(4, 20),
            Preset::Quick => closed(50, 200),
            Preset::Full => closed(500, 2_000),
        }]
    }
}

impl Mode for Single {
    const ID: &'static str = ids::workload::TCP_ECHO_1;
    const SUMMARY: &'static str = "one connection x R round trips of B bytes over loopback TCP \
         from the external load generator (unloaded latency)";
    const TAG: u64 = 0x0001_ED00;
    fn steps(preset: Preset) -> Vec<Step> {
        vec![match preset {
            Preset::Tiny => closed(1, 50),
            Preset::Quick => closed(1, 2_000),
            Preset::Full => closed(1, 20_000),
        }]
    }
}

impl Open {
    /// Connections of every step.
    pub fn connections(preset: Preset) -> usize {
        match preset {
            Preset::Tiny => 4,
            Preset::Quick | Preset::Full => 50,
        }
    }

    /// The offered rates, requests per second, lowest first: a fixed ladder, the
    /// same for every runner, from well below to well above what a 2-core machine
    /// serves with a generator beside the server.
    pub fn ladder(preset: Preset) -> &'static [f64] {
        match preset {
            Preset::Tiny => &[2_000.0, 8_000.0],
            Preset::Quick => &[10_000.0, 20_000.0, 40_000.0, 80_000.0, 160_000.0],
            Preset::Full => &[5_000.0, 10_000.0, 20_000.0, 40_000.0, 80_000.0, 160_000.0],
        }
    }

    /// How long each step's schedule lasts.
    pub fn step_length(preset: Preset) -> Duration {
        match preset {
            Preset::Tiny => Duration::from_millis(10),
            Preset::Quick => Duration::from_millis(30),
            Preset::Full => Duration::from_millis(500),
        }
    }

    fn step(preset: Preset, rate: f64) -> Step {
        let connections = Open::connections(preset);
        let requests = rate * Open::step_length(preset).as_secs_f64();
        // At least 2 rounds per connection, so every connection's interval shows.
        let round_trips = (requests / connections as f64).round().max(2.0) as u32;
        Step {
            connections,
            round_trips,
            rate_per_s: Some(rate),
        }
    }
}

impl Mode for Open {
    const ID: &'static str = ids::workload::TCP_ECHO_OPEN;
    const SUMMARY: &'static str = "C connections sending B-byte requests over loopback TCP at a \
         ladder of offered rates, open loop from the external load generator (latency against \
         offered load, from the intended send time; the knee)";
    const TAG: u64 = 0x0BE0_ED00;
    fn steps(preset: Preset) -> Vec<Step> {
        Open::ladder(preset)
            .iter()
            .map(|&rate| Open::step(preset, rate))
            .collect()
    }
    fn at_rates(preset: Preset, rates: &[f64]) -> Option<Vec<Step>> {
        Some(rates.iter().map(|&rate| Open::step(preset, rate)).collect())
    }
}

impl Conns {
    /// Connection counts of the sweep, smallest first.
    pub fn counts(preset: Preset) -> &'static [usize] {
        match preset {
            Preset::Tiny => &[1, 4, 16],
            Preset::Quick | Preset::Full => &[1, 10, 100, 1_000],
        }
    }

    /// Requests per step, spread over its connections (each makes at least
    /// [`Conns::MIN_ROUNDS`] round trips, so the largest step makes more).
    fn requests(preset: Preset) -> u32 {
        match preset {
            Preset::Tiny => 64,
            Preset::Quick => 2_000,
            Preset::Full => 40_000,
        }
    }

    /// Round trips each connection makes at least.
    const MIN_ROUNDS: u32 = 4;
}

impl Mode for Conns {
    const ID: &'static str = ids::workload::TCP_ECHO_CONNS;
    const SUMMARY: &'static str = "closed-loop TCP echo from the external load generator at 1, \
         10, 100 and 1,000 connections (throughput, latency and memory per connection as \
         connections grow)";
    const TAG: u64 = 0xC0_EC75;
    fn steps(preset: Preset) -> Vec<Step> {
        Conns::counts(preset)
            .iter()
            .map(|&c| {
                closed(
                    c,
                    (Conns::requests(preset) / c as u32).max(Conns::MIN_ROUNDS),
                )
            })
            .collect()
    }
}

/// TCP echo over loopback, in mode `M`.
pub struct TcpEcho<M>(PhantomData<M>);

/// What one run of a `tcp-echo` workload does.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EchoParams {
    /// The generator's steps as they run (after any cap), in order.
    pub steps: Vec<Step>,
    /// The largest connection count the preset asked for, before any cap.
    pub requested_connections: usize,
    /// Bytes per request and per reply (B).
    pub bytes: usize,
    /// Test-only (`RTCOMPARE_ECHO_DELAY_US`): the server's wait before each reply.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_delay_us: Option<u64>,
    /// Test-only (`RTCOMPARE_ECHO_CORRUPT_STEP`): the step whose first replies the
    /// server corrupts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub corrupt_step: Option<usize>,
    /// On a thread-per-core runner, this core's part of the server.
    #[serde(skip)]
    core: Option<per_core::CoreServer>,
}

impl EchoParams {
    /// Whether the server corrupts the first replies of step `step` (test knob).
    fn corrupts(&self, step: usize) -> bool {
        self.corrupt_step == Some(step)
    }

    fn server_delay(&self) -> Option<Duration> {
        self.server_delay_us.map(Duration::from_micros)
    }

    /// Requests over every step.
    pub fn requests(&self) -> u64 {
        self.steps
            .iter()
            .map(|s| s.connections as u64 * u64::from(s.round_trips))
            .sum()
    }

    /// The generator's plan against a server on `addr`: bounded by the time the
    /// schedule needs plus a generous minute, so it stops by itself.
    fn plan(&self, tag: u64, addr: std::net::SocketAddr) -> rtcompare_loadgen::Plan {
        let schedule: f64 = self.steps.iter().map(schedule_length).sum();
        rtcompare_loadgen::Plan {
            addr,
            tag,
            bytes: self.bytes,
            steps: self.steps.clone(),
            time_limit_s: 60.0 + 4.0 * schedule,
        }
    }
}

/// How long an open-loop step's schedule lasts (zero for a closed loop): its last
/// request is due at `(C·R − 1) / rate`.
pub fn schedule_length(step: &Step) -> f64 {
    step.rate_per_s.map_or(0.0, |rate| {
        (step.connections as f64 * f64::from(step.round_trips) - 1.0).max(0.0) / rate
    })
}

/// Why `params` cannot run, if they cannot. Presets always pass; this guards edits
/// and `--rates`.
pub fn validate(params: &EchoParams) -> Result<(), String> {
    if params.steps.is_empty() {
        return Err("tcp-echo needs at least one step".into());
    }
    for step in &params.steps {
        step.validate().map_err(|e| format!("tcp-echo: {e}"))?;
    }
    if params.bytes == 0 || params.bytes > MAX_BYTES {
        return Err(format!(
            "tcp-echo requests must be 1 to {MAX_BYTES} bytes, not {}",
            params.bytes
        ));
    }
    Ok(())
}

/// The server delay from [`DELAY_ENV`], if set.
fn delay_from_env() -> Option<u64> {
    whole_number_from_env(DELAY_ENV, "a whole number of microseconds")
}

/// The test-only corrupted step from [`CORRUPT_ENV`], if set.
fn corrupt_from_env() -> Option<usize> {
    whole_number_from_env(CORRUPT_ENV, "a step number").map(|n| n as usize)
}

/// The whole number in env var `name`, if set. Panics on anything else, so a typo
/// cannot silently run without the knob.
fn whole_number_from_env(name: &str, what: &str) -> Option<u64> {
    let value = std::env::var(name).ok()?;
    Some(
        value
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be {what}, not '{value}'")),
    )
}

/// Connections that fit under an open-file limit of `limit`: one descriptor each,
/// [`SPARE_FDS`] spare. `Err` when not even one fits.
pub fn connections_within(limit: u64) -> Result<usize, String> {
    let fit = limit.saturating_sub(SPARE_FDS);
    if fit == 0 {
        return Err(format!(
            "open-file limit {limit} leaves no room for one connection (1 per connection + \
             {SPARE_FDS} spare)"
        ));
    }
    Ok(usize::try_from(fit).unwrap_or(usize::MAX))
}

/// Caps every step's connections to the open-file limit and to a thread-per-job
/// cap, noting each cap once. A pool narrower than the connections is not capped:
/// the connections it cannot hold wait, which is what is measured.
fn cap_connections(
    mut params: EchoParams,
    open_files: Option<u64>,
    concurrency: Option<Concurrency>,
) -> Result<Fitted<EchoParams>, String> {
    let mut caps = Vec::new();
    if let Some(limit) = open_files {
        caps.push((
            connections_within(limit)?,
            format!("open-file limit {limit} (1 per connection + {SPARE_FDS} spare)"),
        ));
    }
    if let Some(Concurrency::PerJob { cap }) = concurrency {
        caps.push((cap, format!("at most {cap} threads alive at once")));
    }
    let mut notes = Vec::new();
    for (cap, why) in caps {
        let largest = params
            .steps
            .iter()
            .map(|s| s.connections)
            .max()
            .unwrap_or(0);
        if cap < largest {
            notes.push(format!("connections capped from {largest} to {cap}: {why}"));
            for step in &mut params.steps {
                step.connections = step.connections.min(cap);
            }
        }
    }
    Ok(Fitted {
        params,
        extrapolation: None,
        notes,
    })
}

impl<M: Mode> Workload for TcpEcho<M> {
    const ID: &'static str = M::ID;
    const KIND: WorkloadKind = WorkloadKind::Io;
    const SUMMARY: &'static str = M::SUMMARY;
    const NETWORK: bool = true;
    type Params = EchoParams;

    fn params(preset: Preset) -> EchoParams {
        let steps = M::steps(preset);
        EchoParams {
            requested_connections: steps.iter().map(|s| s.connections).max().unwrap_or(0),
            steps,
            bytes: BYTES,
            server_delay_us: delay_from_env(),
            corrupt_step: corrupt_from_env(),
            core: None,
        }
    }

    fn takes_rate() -> bool {
        M::at_rates(Preset::Tiny, &[1.0]).is_some()
    }

    fn describe(p: &EchoParams) -> String {
        describe(p)
    }

    fn fit(mut params: EchoParams, context: &FitContext) -> Result<Fitted<EchoParams>, String> {
        if let Some(rates) = context.rates {
            if let Some(steps) = M::at_rates(context.preset, rates) {
                params.steps = steps;
            }
        }
        validate(&params)?;
        cap_connections(params, context.open_files, context.concurrency)
    }

    fn expected(params: &EchoParams) -> u64 {
        rtcompare_loadgen::wire::expected(M::TAG, params.bytes, &params.steps)
    }

    async fn run_async<R: AsyncRuntime>(runtime: R, mut params: EchoParams) -> Outcome {
        match params.core.take() {
            Some(core) => per_core::run::<R>(runtime, params, M::TAG, core).await,
            None => server::run_async::<R>(runtime, params, M::TAG).await,
        }
    }

    /// Every core accepts on its own `SO_REUSEPORT` listener and serves what the
    /// kernel hands it; core 0 also drives the generator (see `per_core`).
    fn shares(params: &EchoParams, cores: usize) -> Result<Vec<EchoParams>, String> {
        let hub = Arc::new(per_core::Hub::new(params, cores)?);
        Ok(Share::all(cores)
            .map(|share| EchoParams {
                core: Some(per_core::CoreServer {
                    share,
                    hub: Arc::clone(&hub),
                }),
                ..params.clone()
            })
            .collect())
    }

    fn run_blocking(strategy: &dyn Strategy, params: &EchoParams) -> Outcome {
        server::run_blocking(strategy, params, M::TAG)
    }

    fn check_sample(params: &EchoParams, wall: Duration) -> Result<(), String> {
        // The generator sends nothing before it is due, so an open-loop run lasts
        // at least as long as its schedules.
        let schedule: f64 = params.steps.iter().map(schedule_length).sum();
        if wall.as_secs_f64() < schedule {
            return Err(format!(
                "sample took {:.3} ms but its schedules last {:.3} ms: a request went out early",
                wall.as_secs_f64() * 1e3,
                schedule * 1e3
            ));
        }
        Ok(())
    }
}

/// The params in words, for `list` and the reports.
fn describe(p: &EchoParams) -> String {
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let mut s = match p.steps.as_slice() {
        [one] => format!(
            "{} connection{} x {} round trips of {} B",
            one.connections,
            plural(one.connections),
            one.round_trips,
            p.bytes
        ),
        steps if steps.iter().all(|s| s.rate_per_s.is_some()) => format!(
            "{} connections of {} B requests at {} requests/s, {} step{}",
            steps[0].connections,
            p.bytes,
            steps
                .iter()
                .filter_map(|s| s.rate_per_s)
                .map(|r| r.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            steps.len(),
            plural(steps.len())
        ),
        steps => format!(
            "{} connections, closed loop, {} B requests, {} steps",
            steps
                .iter()
                .map(|s| format!("{} x {}", s.connections, s.round_trips))
                .collect::<Vec<_>>()
                .join(", "),
            p.bytes,
            steps.len()
        ),
    };
    if p.steps.len() == 1 {
        if let Some(rate) = p.steps[0].rate_per_s {
            s.push_str(&format!(" at {rate} requests/s"));
        }
    }
    if let Some(us) = p.server_delay_us {
        s.push_str(&format!(", server delay {us} µs (test knob)"));
    }
    s
}

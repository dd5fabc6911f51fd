//! Runs a [`Plan`]: its steps in order, each on `threads` generator threads with one
//! mio event loop apiece, connections split c mod threads. This module owns a step's
//! coordination: spawning the threads, the gate that starts every thread's schedule
//! at one instant once all connections are established, stopping every thread when
//! one fails, and merging what they measured into a [`StepReport`]. The event loop
//! itself is in `worker`, one connection's state machine in `conn`.

mod conn;
mod worker;

pub use worker::STALL_ENV;

use crate::plan::{self, Plan, Report, Step, StepReport, new_histogram};
use crate::sys::{self, CpuSeen};
use mio::{Poll, Waker};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::Duration;
use worker::Part;

/// Runs every step of `plan` in order on up to `threads` generator threads per step
/// (never more than the step's connections). Fails with the first step's error,
/// naming the step, the server and what went wrong, or when the plan's time limit
/// passes.
pub fn run(plan: &Plan, threads: usize) -> Result<Report, String> {
    plan.validate()
        .map_err(|e| format!("load generator: invalid plan: {e}"))?;
    if threads == 0 {
        return Err("load generator: it needs at least one thread".into());
    }
    let deadline_ns = sys::now_ns().saturating_add((plan.time_limit_s * 1e9) as u64);
    let mut steps = Vec::with_capacity(plan.steps.len());
    for (index, step) in plan.steps.iter().enumerate() {
        let report = run_step(plan, index, threads, deadline_ns).map_err(|e| {
            release(plan, index);
            format!(
                "load generator, step {index} ({}) against {}: {e}",
                describe(step),
                plan.addr
            )
        })?;
        steps.push(report);
    }
    Ok(Report { steps })
}

/// Longest [`release`] keeps connecting.
const RELEASE_LIMIT: Duration = Duration::from_secs(5);

/// After step `failed` failed: opens and at once closes as many connections as it
/// and every later step would have made, so a server waiting to accept them sees
/// each end at once, finishes its plan and reads this failure, instead of waiting
/// in `accept` until its own time limit. Surplus connections (some of the failed
/// step's may have been accepted already) wait unread in the backlog of a server
/// that is about to fail anyway. Bounded in count and in time.
fn release(plan: &Plan, failed: usize) {
    let owed: usize = plan.steps[failed..].iter().map(|s| s.connections).sum();
    let started = std::time::Instant::now();
    for _ in 0..owed {
        if started.elapsed() > RELEASE_LIMIT
            || std::net::TcpStream::connect_timeout(&plan.addr, Duration::from_secs(1)).is_err()
        {
            return;
        }
    }
}

/// "4 connections x 25 round trips at 2000 requests/s".
fn describe(step: &Step) -> String {
    let mut s = format!(
        "{} connection{} x {} round trips",
        step.connections,
        if step.connections == 1 { "" } else { "s" },
        step.round_trips
    );
    match step.rate_per_s {
        Some(rate) => s.push_str(&format!(" at {rate} requests/s")),
        None => s.push_str(", closed loop"),
    }
    s
}

/// Why a generator thread stopped early.
#[derive(Debug)]
enum Stop {
    /// It failed; the message says why.
    Failed(String),
    /// Another thread failed first.
    Aborted,
}

impl From<String> for Stop {
    fn from(message: String) -> Stop {
        Stop::Failed(message)
    }
}

/// What every thread of one step shares.
struct StepContext<'p> {
    plan: &'p Plan,
    index: usize,
    threads: usize,
    deadline_ns: u64,
    gate: Gate,
    aborted: AtomicBool,
    /// The first failure; later ones are usually its consequences.
    error: Mutex<Option<String>>,
    wakers: Vec<Waker>,
}

impl StepContext<'_> {
    fn step(&self) -> &Step {
        &self.plan.steps[self.index]
    }

    fn aborted(&self) -> bool {
        self.aborted.load(Ordering::Acquire)
    }

    /// Records `message` unless a failure came first, and stops every thread.
    fn fail(&self, message: String) {
        lock(&self.error).get_or_insert(message);
        self.aborted.store(true, Ordering::Release);
        self.gate.shut();
        for waker in &self.wakers {
            // A failed wake leaves that thread to notice at its next event or at the
            // time limit; there is nothing better to do with the error.
            let _ = waker.wake();
        }
    }

    fn limit_message(&self) -> String {
        format!(
            "the plan's time limit of {} s passed",
            self.plan.time_limit_s
        )
    }
}

/// Starts every thread's schedule at one instant, once all have their connections
/// established, and notes the process's CPU time at that instant.
struct Gate {
    parties: usize,
    state: Mutex<GateState>,
    changed: Condvar,
}

#[derive(Default)]
struct GateState {
    arrived: usize,
    /// Schedule start (CLOCK_MONOTONIC ns) and process CPU seconds then.
    open: Option<(u64, f64)>,
    shut: bool,
}

impl Gate {
    fn new(parties: usize) -> Gate {
        Gate {
            parties,
            state: Mutex::new(GateState::default()),
            changed: Condvar::new(),
        }
    }

    /// Waits until every party has arrived; returns the schedule's start.
    fn arrive(&self, deadline_ns: u64, limit_message: &str) -> Result<u64, Stop> {
        let mut state = lock(&self.state);
        state.arrived += 1;
        if state.arrived == self.parties {
            state.open = Some((sys::now_ns(), sys::process_cpu_s()));
            self.changed.notify_all();
        }
        loop {
            if let Some((start_ns, _)) = state.open {
                return Ok(start_ns);
            }
            if state.shut {
                return Err(Stop::Aborted);
            }
            let now = sys::now_ns();
            if now >= deadline_ns {
                return Err(Stop::Failed(format!(
                    "{limit_message} while generator threads were still connecting"
                )));
            }
            let wait = Duration::from_nanos(deadline_ns - now);
            state = self
                .changed
                .wait_timeout(state, wait)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Releases every waiting party without starting the schedule.
    fn shut(&self) {
        lock(&self.state).shut = true;
        self.changed.notify_all();
    }

    fn opened(&self) -> Option<(u64, f64)> {
        lock(&self.state).open
    }
}

/// Locks `mutex`, ignoring poisoning: its data stays consistent under every panic
/// that could poison it.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs step `index` of `plan` on up to `threads` threads.
fn run_step(
    plan: &Plan,
    index: usize,
    threads: usize,
    deadline_ns: u64,
) -> Result<StepReport, String> {
    let step = &plan.steps[index];
    let threads = threads.min(step.connections);
    let mut polls = Vec::with_capacity(threads);
    let mut wakers = Vec::with_capacity(threads);
    for _ in 0..threads {
        let poll = Poll::new().map_err(|e| format!("cannot create an epoll instance: {e}"))?;
        wakers.push(
            Waker::new(poll.registry(), worker::WAKER)
                .map_err(|e| format!("cannot create an epoll waker: {e}"))?,
        );
        polls.push(poll);
    }
    let ctx = StepContext {
        plan,
        index,
        threads,
        deadline_ns,
        gate: Gate::new(threads),
        aborted: AtomicBool::new(false),
        error: Mutex::new(None),
        wakers,
    };
    let begin_ns = sys::now_ns();
    let parts = thread::scope(|scope| {
        let handles: Vec<_> = polls
            .into_iter()
            .enumerate()
            .map(|(t, poll)| {
                let ctx = &ctx;
                let spawned = thread::Builder::new()
                    .name(format!("loadgen-{t}"))
                    .spawn_scoped(scope, move || worker::run(ctx, t, poll));
                spawned.map_err(|e| ctx.fail(format!("cannot spawn generator thread {t}: {e}")))
            })
            .collect();
        handles
            .into_iter()
            .enumerate()
            .filter_map(|(t, handle)| match handle.ok()?.join() {
                Ok(part) => part,
                Err(_) => {
                    ctx.fail(format!("generator thread {t} panicked"));
                    None
                }
            })
            .collect::<Vec<_>>()
    });
    let cpu_end = sys::process_cpu_s();
    if let Some(error) = lock(&ctx.error).take() {
        return Err(error);
    }
    let (start_ns, cpu_start) = ctx
        .gate
        .opened()
        .ok_or("the schedule never started, yet no thread failed")?;
    Ok(merge(
        step,
        threads,
        parts,
        begin_ns,
        start_ns,
        cpu_end - cpu_start,
    ))
}

/// One report from every thread's part of a step that succeeded.
fn merge(
    step: &Step,
    threads: usize,
    parts: Vec<Part>,
    begin_ns: u64,
    start_ns: u64,
    cpu_s: f64,
) -> StepReport {
    let mut latency = new_histogram();
    let mut send_lag = new_histogram();
    let mut cpus = CpuSeen::default();
    let (mut requests, mut checksum, mut end_ns) = (0u64, 0u64, start_ns);
    for part in &parts {
        // Both are auto-resizing, so adding cannot run out of range.
        let _ = latency.add(&part.latency);
        let _ = send_lag.add(&part.send_lag);
        cpus.merge(&part.cpus);
        requests += part.replies;
        checksum = checksum.wrapping_add(part.checksum);
        end_ns = end_ns.max(part.last_reply_ns);
    }
    let wall_s = (end_ns - start_ns) as f64 / 1e9;
    StepReport {
        connections: step.connections,
        round_trips: step.round_trips,
        rate_per_s: step.rate_per_s,
        threads,
        requests,
        checksum,
        connect_s: start_ns.saturating_sub(begin_ns) as f64 / 1e9,
        wall_s,
        achieved_rate_per_s: if wall_s > 0.0 {
            requests as f64 / wall_s
        } else {
            0.0
        },
        latency_ns: plan::buckets(&latency),
        cpu_s,
        send_lag_ns: plan::buckets(&send_lag),
        behind: plan::behind(step, threads, cpu_s, wall_s, &send_lag),
        cpus: cpus.to_vec(),
    }
}

#[cfg(test)]
mod tests;

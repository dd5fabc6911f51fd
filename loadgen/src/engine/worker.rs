//! One generator thread's event loop for one step: it opens its share of the
//! connections (c ≡ thread mod threads), waits at the gate until every thread has its
//! connections established, then runs the schedule on its own mio `Poll`, woken by
//! socket readiness and, in an open loop, by a timerfd armed at the earliest due time.
//!
//! The due queue is a binary heap with room for every connection of the thread; a
//! connection is in it at most once (while idle and early), so it never grows. The
//! histograms are created before the schedule starts. Nothing is allocated per request.

use super::conn::{Conn, Phase, Progress};
use super::{StepContext, Stop};
use crate::plan::{Step, new_histogram};
use crate::sys::{self, CpuSeen, Timer};
use hdrhistogram::Histogram;
use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io;
use std::time::Duration;

/// The token of the step's waker (another thread failed).
pub(super) const WAKER: Token = Token(usize::MAX);
/// The token of the thread's timerfd.
const TIMER: Token = Token(usize::MAX - 1);

/// What one thread measured in one step.
pub(super) struct Part {
    pub(super) latency: Histogram<u64>,
    pub(super) send_lag: Histogram<u64>,
    pub(super) checksum: u64,
    pub(super) replies: u64,
    pub(super) last_reply_ns: u64,
    pub(super) cpus: CpuSeen,
}

/// The schedule's state, apart from the `Poll` and its events so both can be borrowed
/// at once.
struct Schedule<'a> {
    ctx: &'a StepContext<'a>,
    step: &'a Step,
    conns: Vec<Conn>,
    /// Open loop: (due time, slot) of the idle connections whose next request is not
    /// due yet, earliest first.
    due: BinaryHeap<Reverse<(u64, usize)>>,
    timer: Timer,
    /// The due time the timer is armed for (0: not armed).
    armed_ns: u64,
    /// Schedule start (CLOCK_MONOTONIC ns), once the gate opens.
    start_ns: u64,
    /// Connections not done yet.
    open: usize,
    part: Part,
}

/// Runs thread `thread`'s share of the step on `poll`; returns what it measured, or
/// `None` when the step failed, after recording the failure in `ctx` at once (so the
/// other threads stop now, not at the time limit).
pub(super) fn run(ctx: &StepContext<'_>, thread: usize, poll: Poll) -> Option<Part> {
    match measure(ctx, thread, poll) {
        Ok(part) => Some(part),
        Err(Stop::Failed(message)) => {
            ctx.fail(message);
            None
        }
        Err(Stop::Aborted) => None,
    }
}

fn measure(ctx: &StepContext<'_>, thread: usize, poll: Poll) -> Result<Part, Stop> {
    sys::set_timer_slack_1ns()
        .map_err(|e| format!("generator thread {thread}: cannot set its timer slack: {e}"))?;
    let timer = Timer::new()
        .map_err(|e| format!("generator thread {thread}: cannot create a timerfd: {e}"))?;
    poll.registry()
        .register(&mut SourceFd(&timer.raw_fd()), TIMER, Interest::READABLE)
        .map_err(|e| format!("generator thread {thread}: cannot register its timerfd: {e}"))?;
    let step = ctx.step();
    let mine = (thread..step.connections).step_by(ctx.threads).count();
    let mut schedule = Schedule {
        ctx,
        step,
        conns: Vec::with_capacity(mine),
        due: BinaryHeap::with_capacity(mine),
        timer,
        armed_ns: 0,
        start_ns: 0,
        open: mine,
        part: Part {
            latency: new_histogram(),
            send_lag: new_histogram(),
            checksum: 0,
            replies: 0,
            last_reply_ns: 0,
            cpus: CpuSeen::default(),
        },
    };
    let mut events = Events::with_capacity(1024);
    let mut poll = poll;
    let result = connect_all(&mut schedule, &mut poll, &mut events, thread)
        .and_then(|()| ctx.gate.arrive(ctx.deadline_ns, &ctx.limit_message()))
        .and_then(|start_ns| run_schedule(&mut schedule, &mut poll, &mut events, start_ns));
    result.map(|()| schedule.part)
}

/// Opens this thread's connections and waits until every one is established.
fn connect_all(
    s: &mut Schedule<'_>,
    poll: &mut Poll,
    events: &mut Events,
    thread: usize,
) -> Result<(), Stop> {
    let plan = s.ctx.plan;
    for (slot, c) in (thread..s.step.connections)
        .step_by(s.ctx.threads)
        .enumerate()
    {
        let mut conn = Conn::connect(c, plan.addr, plan.tag, plan.bytes)?;
        conn.register(poll.registry(), Token(slot))?;
        s.conns.push(conn);
    }
    let mut pending = s.conns.len();
    while pending > 0 {
        wait(s, poll, events)?;
        for event in events.iter() {
            let Some(conn) = s.conns.get_mut(event.token().0) else {
                continue;
            };
            if conn.phase == Phase::Connecting && conn.check_connected()? {
                pending -= 1;
            }
        }
    }
    Ok(())
}

/// Runs the schedule from `start_ns` until every connection is done.
fn run_schedule(
    s: &mut Schedule<'_>,
    poll: &mut Poll,
    events: &mut Events,
    start_ns: u64,
) -> Result<(), Stop> {
    s.start_ns = start_ns;
    for slot in 0..s.conns.len() {
        match s.step.rate_per_s {
            None => {
                s.conns[slot].start_send(sys::now_ns());
                s.drive(slot)?;
            }
            Some(rate) => s.enqueue(slot, rate),
        }
    }
    while s.open > 0 {
        s.send_due()?;
        if s.open == 0 {
            break;
        }
        s.arm_timer()?;
        wait(s, poll, events)?;
        for event in events.iter() {
            match event.token() {
                TIMER => {
                    s.timer.clear();
                    // Spent: the next arm_timer arms it again, whatever the due time.
                    s.armed_ns = 0;
                }
                WAKER => {}
                Token(slot) => s.drive(slot)?,
            }
        }
    }
    Ok(())
}

/// Polls until something is ready, the plan's deadline passes, or another thread
/// failed; notes the CPU this thread woke up on.
fn wait(s: &mut Schedule<'_>, poll: &mut Poll, events: &mut Events) -> Result<(), Stop> {
    if s.ctx.aborted() {
        return Err(Stop::Aborted);
    }
    let now = sys::now_ns();
    if now >= s.ctx.deadline_ns {
        return Err(Stop::Failed(s.stalled()));
    }
    match poll.poll(events, Some(Duration::from_nanos(s.ctx.deadline_ns - now))) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::Interrupted => events.clear(),
        Err(e) => return Err(Stop::Failed(format!("polling for readiness failed: {e}"))),
    }
    s.part.cpus.note_current();
    Ok(())
}

impl Schedule<'_> {
    /// Open loop, at the schedule's start: puts connection `slot`'s first request on
    /// the due queue (every connection is idle then, so all first sends count as lag).
    fn enqueue(&mut self, slot: usize, rate: f64) {
        let conn = &mut self.conns[slot];
        let index = self.step.due_index(conn.index, conn.round);
        conn.due_ns = self.start_ns + Step::due_offset_ns(rate, index);
        self.due.push(Reverse((conn.due_ns, slot)));
    }

    /// Sends every queued request that is due now, recording its send lag.
    fn send_due(&mut self) -> Result<(), String> {
        while let Some(&Reverse((due_ns, slot))) = self.due.peek() {
            let now = sys::now_ns();
            if due_ns > now {
                break;
            }
            self.due.pop();
            record(&mut self.part.send_lag, now - due_ns);
            self.conns[slot].start_send(now);
            self.drive(slot)?;
            if let Some(stall) = stall() {
                std::thread::sleep(stall);
            }
        }
        Ok(())
    }

    /// Arms the timer for the earliest queued due time, unless it already is.
    fn arm_timer(&mut self) -> Result<(), String> {
        if let Some(&Reverse((due_ns, _))) = self.due.peek() {
            if due_ns != self.armed_ns {
                self.timer
                    .arm_at(due_ns)
                    .map_err(|e| format!("arming the pacing timerfd failed: {e}"))?;
                self.armed_ns = due_ns;
            }
        }
        Ok(())
    }

    /// Moves connection `slot` as far as its socket allows, handling every reply that
    /// completes on the way.
    fn drive(&mut self, slot: usize) -> Result<(), String> {
        let Some(conn) = self.conns.get_mut(slot) else {
            return Ok(());
        };
        while conn.advance()? == Progress::Replied {
            let now = sys::now_ns();
            let from = match self.step.rate_per_s {
                Some(_) => conn.due_ns,
                None => conn.sent_ns,
            };
            record(&mut self.part.latency, now.saturating_sub(from));
            let digest = conn.finish_reply(self.ctx.plan.tag, self.step.round_trips)?;
            self.part.checksum = self.part.checksum.wrapping_add(digest);
            self.part.replies += 1;
            self.part.last_reply_ns = now;
            if conn.phase == Phase::Done {
                self.open -= 1;
                return Ok(());
            }
            match self.step.rate_per_s {
                None => conn.start_send(now),
                // Open loop: an early connection waits on the due queue; a late one (its
                // reply came after its next due time, the server's doing) sends at once,
                // and its lag is not the generator's, so it is not recorded.
                Some(rate) => {
                    let index = self.step.due_index(conn.index, conn.round);
                    conn.due_ns = self.start_ns + Step::due_offset_ns(rate, index);
                    if conn.due_ns > now {
                        self.due.push(Reverse((conn.due_ns, slot)));
                        return Ok(());
                    }
                    conn.start_send(now);
                }
            }
        }
        Ok(())
    }

    /// Why the plan's time limit stopped this thread: the first unfinished connection.
    fn stalled(&self) -> String {
        let at = self
            .conns
            .iter()
            .find(|c| c.phase != Phase::Done)
            .map_or_else(|| "no connection was open".to_owned(), Conn::describe);
        format!(
            "{}: {at}; this generator thread had {} replies",
            self.ctx.limit_message(),
            self.part.replies
        )
    }
}

/// Records `nanos` (at least 1, the lowest bucket) in an auto-resizing histogram,
/// which accepts any value.
/// Test-only: the env var that makes the generator sleep this many microseconds after
/// each open-loop send, so tests can see a generator that falls behind its schedule
/// flagged as such. Never set it for a report.
pub const STALL_ENV: &str = "RTCOMPARE_LOADGEN_STALL_US";

/// The stall of [`STALL_ENV`], read once per process.
fn stall() -> Option<Duration> {
    static STALL: std::sync::OnceLock<Option<Duration>> = std::sync::OnceLock::new();
    *STALL.get_or_init(|| {
        let value = std::env::var(STALL_ENV).ok()?;
        let us: u64 = value.trim().parse().unwrap_or_else(|_| {
            panic!("{STALL_ENV} must be a whole number of microseconds, not '{value}'")
        });
        Some(Duration::from_micros(us))
    })
}

fn record(h: &mut Histogram<u64>, nanos: u64) {
    let _ = h.record(nanos.max(1));
}

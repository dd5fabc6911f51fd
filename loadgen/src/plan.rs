//! What the generator is asked to do ([`Plan`], [`Step`]) and what it answers
//! ([`Report`], [`StepReport`]): the types that cross the pipe between the harness and
//! the generator process as JSON lines, plus the histogram conversions and the rule
//! that says whether the generator kept up ([`behind`]).

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;

/// Largest request or reply: a connection holds one of each, allocated once.
pub const MAX_BYTES: usize = 1 << 20;

/// Send lag the generator is allowed before a step is flagged whatever the rate:
/// about what one wake-up through epoll and the scheduler costs on a busy machine.
pub const LAG_FLOOR_NS: u64 = 200_000;

/// Fraction of a connection's send interval its send lag may reach before the step
/// is flagged.
pub const LAG_SHARE: f64 = 0.10;

/// Share of the generator threads' CPU capacity at which it counts as saturated.
pub const CPU_SHARE: f64 = 0.90;

/// A sequence of steps against one server, run in order over fresh connections.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// The server to connect to.
    pub addr: SocketAddr,
    /// Mixed into every request's bytes (see [`crate::wire::fill`]).
    pub tag: u64,
    /// Bytes per request and per reply.
    pub bytes: usize,
    /// The steps, run one after another.
    pub steps: Vec<Step>,
    /// The whole plan fails once this many seconds have passed since it started.
    pub time_limit_s: f64,
}

/// C connections each making R round trips, closed or open loop.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// Connections (C), opened at the start of the step.
    pub connections: usize,
    /// Round trips per connection (R).
    pub round_trips: u32,
    /// `None`: closed loop (each connection sends its next request when the reply
    /// arrives). `Some(rate)`: open loop at `rate` requests per second over all
    /// connections together.
    pub rate_per_s: Option<f64>,
}

/// What one step measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepReport {
    /// Connections (C).
    pub connections: usize,
    /// Round trips per connection (R).
    pub round_trips: u32,
    /// The step's intended total rate; `None` for a closed loop.
    pub rate_per_s: Option<f64>,
    /// Generator threads that ran the step (at most C).
    pub threads: usize,
    /// Requests answered and verified: C × R when the step succeeds.
    pub requests: u64,
    /// Wrapping sum of the digests of every verified reply.
    pub checksum: u64,
    /// Seconds from the first connect to the last connection established.
    pub connect_s: f64,
    /// Seconds from the schedule's start (all connections established) to the last
    /// reply.
    pub wall_s: f64,
    /// `requests / wall_s`.
    pub achieved_rate_per_s: f64,
    /// Latency histogram in nanoseconds as `[value, count]` buckets: reply time minus
    /// actual send time in a closed loop, minus intended send time in an open loop.
    pub latency_ns: Vec<[u64; 2]>,
    /// The process's user + system CPU seconds from the schedule's start to the end
    /// of the step, all threads (getrusage RUSAGE_SELF): the generator's own when it
    /// runs in its own process, as it does under [`crate::Generator`].
    pub cpu_s: f64,
    /// Open loop only: histogram of actual send time minus due time, for sends whose
    /// connection was idle when the request fell due (the lag the generator caused).
    pub send_lag_ns: Vec<[u64; 2]>,
    /// Why the generator rather than the server limited this step; `None` when it
    /// kept up. See [`behind`].
    pub behind: Option<String>,
    /// CPUs the generator's threads were seen running on during the step (sampled with
    /// sched_getcpu at every wake-up of their event loops), ascending.
    pub cpus: Vec<u32>,
}

/// What a whole plan measured, one entry per step in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// One report per step.
    pub steps: Vec<StepReport>,
}

impl Plan {
    /// Why this plan cannot run, if it cannot.
    pub fn validate(&self) -> Result<(), String> {
        if self.bytes == 0 || self.bytes > MAX_BYTES {
            return Err(format!(
                "requests must be 1 to {MAX_BYTES} bytes, not {}",
                self.bytes
            ));
        }
        if !(self.time_limit_s.is_finite() && self.time_limit_s > 0.0) {
            return Err(format!(
                "the time limit must be a positive number of seconds, not {}",
                self.time_limit_s
            ));
        }
        for (i, step) in self.steps.iter().enumerate() {
            step.validate().map_err(|e| format!("step {i}: {e}"))?;
        }
        Ok(())
    }
}

impl Step {
    /// Why this step cannot run, if it cannot.
    pub fn validate(&self) -> Result<(), String> {
        if self.connections == 0 {
            return Err("a step needs at least one connection".into());
        }
        if self.round_trips == 0 {
            return Err("a step needs at least one round trip per connection".into());
        }
        if let Some(rate) = self.rate_per_s {
            if !(rate.is_finite() && rate > 0.0) {
                return Err(format!("an open loop needs a positive rate, not {rate}"));
            }
        }
        Ok(())
    }

    /// C × R.
    pub fn requests(&self) -> u64 {
        self.connections as u64 * u64::from(self.round_trips)
    }

    /// Open loop: the due index of connection `connection`'s round `round`, the
    /// `(k·C + c)`-th tick of a clock running at the step's rate; its due time is
    /// `index / rate` seconds after the schedule starts, i.e. `(k + c/C) × C/rate`.
    pub fn due_index(&self, connection: usize, round: u32) -> u64 {
        u64::from(round) * self.connections as u64 + connection as u64
    }

    /// Open loop: nanoseconds from the schedule's start until due index `index`.
    pub fn due_offset_ns(rate: f64, index: u64) -> u64 {
        // f64 holds every index up to 2^53 exactly; the product is rounded once.
        (index as f64 * 1e9 / rate).round() as u64
    }
}

impl StepReport {
    /// The latency histogram.
    pub fn latency(&self) -> Histogram<u64> {
        histogram(&self.latency_ns)
    }

    /// The send-lag histogram (empty for a closed loop).
    pub fn send_lag(&self) -> Histogram<u64> {
        histogram(&self.send_lag_ns)
    }
}

impl Report {
    /// Wrapping sum of every step's checksum: [`crate::wire::expected`] of the plan
    /// when every step succeeded.
    pub fn checksum(&self) -> u64 {
        self.steps
            .iter()
            .fold(0u64, |sum, step| sum.wrapping_add(step.checksum))
    }
}

/// An empty nanosecond histogram: 1 ns to one hour at 3 significant digits,
/// auto-resizing beyond it, as `rtcompare-api`'s.
pub fn new_histogram() -> Histogram<u64> {
    let mut h = Histogram::new_with_bounds(1, 3_600_000_000_000, 3)
        .expect("1 ns to 1 h at 3 significant digits are valid HdrHistogram bounds");
    h.auto(true);
    h
}

/// `h` as `[value, count]` pairs of its recorded buckets.
pub fn buckets(h: &Histogram<u64>) -> Vec<[u64; 2]> {
    h.iter_recorded()
        .map(|v| [v.value_iterated_to(), v.count_at_value()])
        .collect()
}

/// The histogram `buckets` came from (values within one bucket are equivalent).
pub fn histogram(buckets: &[[u64; 2]]) -> Histogram<u64> {
    let mut h = new_histogram();
    for &[value, count] in buckets {
        h.record_n(value.max(1), count)
            .expect("an auto-resizing histogram accepts any value");
    }
    h
}

/// Why the generator rather than the server limited a step, or `None` when it kept
/// up. It was behind when either holds:
///
/// - its CPU over the step reached [`CPU_SHARE`] of what its `threads` threads could
///   use in `wall_s` (it was saturated, so the server may have been waiting for it);
/// - open loop: the p99 of its send lag exceeded the larger of [`LAG_FLOOR_NS`] and
///   [`LAG_SHARE`] of a connection's send interval C/rate (it did not send on time
///   although the connection was free).
///
/// An achieved rate below the intended one is not by itself the generator's fault: a
/// connection whose reply is late sends late, and that is the server's doing.
pub fn behind(
    step: &Step,
    threads: usize,
    cpu_s: f64,
    wall_s: f64,
    send_lag: &Histogram<u64>,
) -> Option<String> {
    let mut reasons = Vec::new();
    let capacity = threads as f64 * wall_s;
    if capacity > 0.0 && cpu_s >= CPU_SHARE * capacity {
        reasons.push(format!(
            "generator CPU {:.3} s over {wall_s:.3} s on {threads} thread{} is {:.0}% of its \
             capacity (limit {:.0}%)",
            cpu_s,
            if threads == 1 { "" } else { "s" },
            100.0 * cpu_s / capacity,
            100.0 * CPU_SHARE
        ));
    }
    if let Some(rate) = step.rate_per_s {
        let interval_ns = step.connections as f64 * 1e9 / rate;
        let bound_ns = (LAG_SHARE * interval_ns).max(LAG_FLOOR_NS as f64);
        let p99 = send_lag.value_at_quantile(0.99);
        if !send_lag.is_empty() && p99 as f64 > bound_ns {
            reasons.push(format!(
                "send lag p99 {:.0} µs exceeds {:.0} µs (the larger of {} µs and {:.0}% of \
                 the {:.0} µs between a connection's sends)",
                p99 as f64 / 1e3,
                bound_ns / 1e3,
                LAG_FLOOR_NS / 1_000,
                100.0 * LAG_SHARE,
                interval_ns / 1e3
            ));
        }
    }
    (!reasons.is_empty()).then(|| reasons.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(connections: usize, rate: f64) -> Step {
        Step {
            connections,
            round_trips: 10,
            rate_per_s: Some(rate),
        }
    }

    #[test]
    fn due_offsets_interleave_connections_evenly() {
        let step = open(4, 2_000.0);
        // Connection 1's round 2 is the 9th tick of a 2,000/s clock: 4.5 ms.
        assert_eq!(step.due_index(1, 2), 9);
        assert_eq!(Step::due_offset_ns(2_000.0, 9), 4_500_000);
        assert_eq!(Step::due_offset_ns(3.0, 1), 333_333_333);
    }

    #[test]
    fn histogram_buckets_round_trip() {
        let mut h = new_histogram();
        for v in [1, 900, 1_500, 2_000_000, 2_000_001, 7_000_000_000_000] {
            h.record(v).unwrap();
        }
        let again = histogram(&buckets(&h));
        assert_eq!(again.len(), 6);
        assert_eq!(buckets(&again), buckets(&h));
        assert!(again.max() >= 7_000_000_000_000);
    }

    #[test]
    fn behind_flags_saturated_cpu_and_late_sends_only() {
        let quiet = new_histogram();
        assert_eq!(behind(&open(4, 1_000.0), 1, 0.5, 1.0, &quiet), None);
        let cpu = behind(&open(4, 1_000.0), 2, 1.9, 1.0, &quiet).unwrap();
        assert!(cpu.contains("95% of its capacity"), "{cpu}");
        // One connection at 100/s: 10 ms between its sends, so 1 ms of lag is allowed.
        let mut lag = new_histogram();
        lag.record_n(900_000, 100).unwrap();
        assert_eq!(behind(&open(1, 100.0), 1, 0.1, 1.0, &lag), None);
        lag.record_n(5_000_000, 100).unwrap();
        let late = behind(&open(1, 100.0), 1, 0.1, 1.0, &lag).unwrap();
        assert!(late.starts_with("send lag p99"), "{late}");
        // At a high rate the 200 µs floor holds.
        let mut small = new_histogram();
        small.record_n(150_000, 100).unwrap();
        assert_eq!(behind(&open(1, 100_000.0), 1, 0.1, 1.0, &small), None);
        // A closed loop is judged on CPU alone.
        let closed = Step {
            rate_per_s: None,
            ..open(1, 1.0)
        };
        assert_eq!(behind(&closed, 1, 0.1, 1.0, &lag), None);
    }

    #[test]
    fn validate_refuses_what_cannot_run() {
        let plan = Plan {
            addr: "127.0.0.1:1".parse().unwrap(),
            tag: 0,
            bytes: 64,
            steps: vec![open(2, 10.0)],
            time_limit_s: 1.0,
        };
        assert_eq!(plan.validate(), Ok(()));
        let bad = |f: fn(&mut Plan)| {
            let mut p = plan.clone();
            f(&mut p);
            p.validate().unwrap_err()
        };
        assert!(bad(|p| p.bytes = 0).contains("bytes"));
        assert!(bad(|p| p.time_limit_s = f64::NAN).contains("time limit"));
        assert!(bad(|p| p.steps[0].connections = 0).starts_with("step 0"));
        assert!(bad(|p| p.steps[0].round_trips = 0).contains("round trip"));
        assert!(bad(|p| p.steps[0].rate_per_s = Some(0.0)).contains("rate"));
    }
}

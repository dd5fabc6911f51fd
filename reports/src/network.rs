//! What the report's parts (sections, charts, answers) share about the network
//! workloads: which they are, how a cell of them was measured, what limits a
//! step, and the knee of a latency-versus-offered-load curve.
//!
//! From results schema 5 every network cell is a server under test, driven by
//! one external load generator in its own process, and carries a [`Load`] record
//! (one result per step of the generator's plan). A finished network cell
//! without one comes from schema 4 or older, when the clients ran inside the
//! cell on the runner under test: its numbers are shown, marked
//! [`IN_CELL_CLIENTS`], and never ranked beside generator-measured ones.
//!
//! [`Load`]: crate::model::Load

use crate::model::{Cell, LoadStep, Status};
use rtcompare_api::ids::workload;
use serde::Serialize;

/// One connection, closed loop: a round trip with nothing else in flight.
pub(crate) const ONE: &str = workload::TCP_ECHO_1;
/// Many connections, closed loop: each sends again when its reply arrives.
pub(crate) const CLOSED: &str = workload::TCP_ECHO;
/// One step per offered rate, every step at the same connection count.
pub(crate) const OPEN: &str = workload::TCP_ECHO_OPEN;
/// Closed-loop steps at growing connection counts.
pub(crate) const CONNS: &str = workload::TCP_ECHO_CONNS;
/// Every network workload, in the order the report shows them.
pub(crate) const WORKLOADS: [&str; 4] = [ONE, CLOSED, OPEN, CONNS];

/// The latency bound of a knee: a rate is served within it when the server
/// kept up ([`LoadStep::kept_up`]) and the step's p99 is at most this, µs.
pub(crate) const KNEE_P99_BOUND_US: f64 = 1_000.0;

/// Throughput "stops growing" at a connection count when the next count adds
/// less than this fraction to it.
pub(crate) const GROWTH: f64 = 0.10;

/// Marks a network cell measured with its clients inside the cell (schema 4 or
/// older); the report's note under each table explains it.
pub(crate) const IN_CELL_CLIENTS: &str = "¶";

/// Prefixes a throughput the generator, not the server, limited: a floor of the
/// server's capacity, not its measure.
pub(crate) const FLOOR: &str = "≥";

/// Parameters that may hold a cell's connection count, the first found wins.
const CONNECTION_KEYS: [&str; 3] = ["connections", "conns", "clients"];

/// Whether `workload` is one of the network workloads.
pub(crate) fn is_network(workload: &str) -> bool {
    WORKLOADS.contains(&workload)
}

/// A cell's connection count, from its parameters.
pub(crate) fn connections(cell: &Cell) -> Option<f64> {
    CONNECTION_KEYS.iter().find_map(|k| cell.param(k))
}

/// Whether `cell` is a finished network cell measured with its clients inside
/// the cell: no load record, so written by schema 4 or older.
pub(crate) fn in_cell_clients(cell: &Cell) -> bool {
    is_network(&cell.workload) && cell.status == Status::Ok && cell.load.is_none()
}

/// Whether `cell` is a finished network cell the external generator measured.
pub(crate) fn generator_measured(cell: &Cell) -> bool {
    is_network(&cell.workload) && cell.status == Status::Ok && cell.load.is_some()
}

/// A step the generator, not the server, limited.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct GeneratorBound {
    /// Samples in which it fell behind its schedule or saturated its CPU.
    pub(crate) samples: usize,
    /// Why, in the generator's words (verbatim from the results file).
    pub(crate) reason: Option<String>,
}

impl GeneratorBound {
    /// `None` unless the generator limited `step` in some sample.
    pub(crate) fn of(step: &LoadStep) -> Option<Self> {
        (step.generator_behind_samples > 0).then(|| GeneratorBound {
            samples: step.generator_behind_samples,
            reason: step.generator_behind.clone(),
        })
    }
}

/// Whether `step` was served within the knee's bound: the server kept up with
/// the offered rate and the p99 stayed within [`KNEE_P99_BOUND_US`].
pub(crate) fn within_bound(step: &LoadStep) -> bool {
    step.kept_up() && step.latency_us.p99 <= KNEE_P99_BOUND_US
}

/// A runner's knee on a ladder of offered rates.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub(crate) struct Knee {
    /// The highest offered rate served within the bound, req/s; `None` when no
    /// rate was.
    pub(crate) rate_per_s: Option<f64>,
    /// The knee is the ladder's top rate: the server's own knee lies higher.
    pub(crate) top_of_ladder: bool,
    /// A higher rate that missed the bound was limited by the generator, so
    /// the knee is a floor of the server's.
    pub(crate) floor: bool,
}

impl Knee {
    /// The knee of the open-loop `steps`; `None` when none has an offered rate.
    pub(crate) fn of(steps: &[LoadStep]) -> Option<Self> {
        let offered = |s: &LoadStep| s.offered_rate_per_s;
        let top = steps.iter().filter_map(offered).max_by(f64::total_cmp)?;
        let rate = steps
            .iter()
            .filter(|s| within_bound(s))
            .filter_map(offered)
            .max_by(f64::total_cmp);
        let floor = steps.iter().any(|s| {
            offered(s).is_some_and(|o| o > rate.unwrap_or(0.0))
                && !within_bound(s)
                && s.generator_behind_samples > 0
        });
        Some(Knee {
            rate_per_s: rate,
            top_of_ladder: rate == Some(top),
            floor,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Latency;

    fn step(offered: f64, achieved: f64, p99: f64, behind: usize) -> LoadStep {
        LoadStep {
            connections: 50,
            offered_rate_per_s: Some(offered),
            achieved_rate_per_s: achieved,
            requests: 1000,
            latency_us: Latency {
                count: 1000,
                mean: p99 / 2.0,
                p50: p99 / 3.0,
                p90: p99 / 2.0,
                p99,
                p999: p99 * 2.0,
                max: p99 * 3.0,
            },
            server_cpu_us_per_request: 5.0,
            generator_cpu_us_per_request: 2.0,
            server_cores: 0.5,
            generator_cores: 0.2,
            generator_behind_samples: behind,
            generator_behind: None,
            rss_per_connection_bytes: None,
        }
    }

    #[test]
    fn the_knee_is_the_highest_rate_within_the_bound() {
        let steps = [
            step(10_000.0, 10_000.0, 300.0, 0),
            step(20_000.0, 19_900.0, 800.0, 0),
            // Kept up, but its p99 is over the bound.
            step(40_000.0, 39_500.0, 4_000.0, 0),
            // Fell behind: 60% of the offered rate.
            step(80_000.0, 48_000.0, 90_000.0, 0),
        ];
        let knee = Knee::of(&steps).unwrap();
        assert_eq!(knee.rate_per_s, Some(20_000.0));
        assert!(!knee.top_of_ladder && !knee.floor);
        // Closed-loop steps have no knee.
        let mut closed = step(1.0, 1.0, 1.0, 0);
        closed.offered_rate_per_s = None;
        assert_eq!(Knee::of(&[closed]), None);
    }

    #[test]
    fn a_generator_bound_miss_makes_the_knee_a_floor() {
        let steps = [
            step(10_000.0, 10_000.0, 300.0, 0),
            step(20_000.0, 15_000.0, 5_000.0, 3),
        ];
        let knee = Knee::of(&steps).unwrap();
        assert_eq!(knee.rate_per_s, Some(10_000.0));
        assert!(knee.floor);
        // Every rate within the bound: the top of the ladder.
        let top = Knee::of(&steps[..1]).unwrap();
        assert!(top.top_of_ladder && !top.floor);
        // None within it.
        let none = Knee::of(&[step(10_000.0, 5_000.0, 300.0, 0)]).unwrap();
        assert_eq!(none.rate_per_s, None);
        assert!(!none.top_of_ladder);
    }
}

//! The report section "Network servers", shown when a run has cells of the TCP
//! echo workloads: every runner as a server under test, driven by one external
//! load generator. Per workload, one table of each runner at its best thread
//! count:
//!
//! - `tcp-echo-1` and `tcp-echo` (closed loop): throughput, p50 and p99, the
//!   server's CPU per request, and the generator's share of the machine beside
//!   every throughput figure;
//! - `tcp-echo-open` (a ladder of offered rates): latency against offered load,
//!   and each runner's knee, the highest rate it served within a bound stated in
//!   the report ([`KNEE_P99_BOUND_US`](crate::network::KNEE_P99_BOUND_US));
//! - `tcp-echo-conns` (closed loop at growing connection counts): throughput and
//!   p99 per count, memory per connection, and where throughput stops growing.
//!
//! A step the generator limited is a floor of the server's capacity, not its
//! measure, and is marked so. A runner that serves at most N connections at once
//! (a pool of N) is shown beside the runners on a reactor at the same step, so
//! what its waiting connections cost is read from their latency. Cells measured
//! with the clients inside the cell (results schema 4 and older) are shown, marked,
//! and kept out of every ranking.
//!
//! This file owns the finding's types and the [`Section`](super::Section);
//! `derive.rs` decides the tables and `sweep.rs` what a runner's steps amount to
//! (its best thread count, knee, growth and waiting connections); `render.rs` and
//! `render_steps.rs` word the finding alone.

mod cells;
mod derive;
mod render;
mod render_steps;
mod sweep;
#[cfg(test)]
mod tests;

pub(crate) use sweep::{common_rate, cpu_at};

use super::Report;
use super::shared::{Footnote, Serving};
use crate::cell_ref::CellRef;
use crate::judge::Disturbance;
use crate::model::Status;
use crate::network::{GeneratorBound, Knee};
use serde::Serialize;

/// The section's heading, also named where other sections point to it.
pub(crate) const TITLE: &str = "Network servers";

/// What the section shows.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct EchoFinding {
    /// The machine's logical cores: the generator's share is of these.
    pub(crate) logical_cores: usize,
    /// The knee's latency bound, µs.
    pub(crate) knee_p99_bound_us: f64,
    /// Throughput stops growing where the next connection count adds less than
    /// this fraction.
    pub(crate) growth: f64,
    /// One per network workload with a cell that applies, in the order of
    /// [`WORKLOADS`](crate::network::WORKLOADS).
    pub(crate) tables: Vec<Table>,
    /// Finished cells measured with their clients inside the cell (schema 4 and
    /// older), in table order.
    pub(crate) in_cell_clients: Vec<CellRef>,
    /// The shown cells other load disturbed, in table order.
    pub(crate) disturbed: Vec<Disturbance>,
}

/// One workload's table.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Table {
    pub(crate) workload: String,
    pub(crate) plan: Plan,
    /// Each runner with a finished cell, at its best thread count: best first
    /// ([`Runner::steps`] decide), the disturbed and in-cell ones after.
    pub(crate) runners: Vec<Runner>,
    /// The runners without a finished cell, by status.
    pub(crate) unfinished: Vec<Unfinished>,
    /// The shown cells' notes (caps on connections), verbatim, numbered from 1.
    pub(crate) notes: Vec<Footnote>,
    /// The runners that serve fewer connections at once than the step has.
    pub(crate) waiting: Vec<Waiting>,
}

/// The generator's plan the table's steps follow.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) enum Plan {
    /// One closed-loop step.
    Closed,
    /// One step per offered rate: the distinct rates run, ascending.
    Rates { rates_per_s: Vec<f64> },
    /// One closed-loop step per connection count: the distinct counts, ascending.
    Connections { counts: Vec<usize> },
}

/// A runner at its best thread count in one workload.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Runner {
    pub(crate) runner: String,
    pub(crate) threads: usize,
    /// Measured with its clients inside the cell (¶): no server CPU, no generator.
    pub(crate) in_cell_clients: bool,
    /// Other load disturbed it (§): shown, not ranked.
    pub(crate) disturbed: bool,
    pub(crate) serving: Serving,
    /// Its notes, as numbers into [`Table::notes`] (from 1).
    pub(crate) notes: Vec<usize>,
    /// Its steps in plan order (ascending rate or connection count).
    pub(crate) steps: Vec<Step>,
    /// On a ladder of rates, generator-measured: its knee.
    pub(crate) knee: Option<Knee>,
    /// On a sweep of connection counts: where its throughput stops growing.
    pub(crate) growth: Option<Growth>,
}

/// One step as served.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Step {
    pub(crate) connections: Option<usize>,
    /// Offered rate, req/s; `None` in a closed loop.
    pub(crate) offered_per_s: Option<f64>,
    /// Requests served per second.
    pub(crate) throughput_per_s: Option<f64>,
    pub(crate) p50_us: Option<f64>,
    pub(crate) p99_us: Option<f64>,
    /// The slowest request: where connections wait for a narrow pool, the wait.
    pub(crate) max_us: Option<f64>,
    /// An offered rate served at 95% or more (always, in a closed loop).
    pub(crate) kept_up: bool,
    /// Kept up with the p99 within the knee's bound.
    pub(crate) within_bound: bool,
    pub(crate) server_cpu_us_per_request: Option<f64>,
    /// The server's CPU time over the step's wall time, cores.
    pub(crate) server_cores: Option<f64>,
    /// The generator's, cores: its share of the machine.
    pub(crate) generator_cores: Option<f64>,
    /// The generator limited the step: its throughput is a floor.
    pub(crate) generator_bound: Option<GeneratorBound>,
    pub(crate) rss_per_connection_bytes: Option<f64>,
}

/// Where a runner's throughput stops growing over the connection counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) enum Growth {
    /// One count only: nothing to grow over.
    OneStep,
    /// Each count added at least [`EchoFinding::growth`] up to the last.
    StillGrowing { connections: usize },
    /// The next count added less: the throughput at this count.
    StopsAt {
        connections: usize,
        throughput_per_s: f64,
    },
}

/// Runners without a finished cell, for one status.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Unfinished {
    pub(crate) status: Status,
    pub(crate) runners: Vec<String>,
}

/// A runner that serves fewer connections at once than a step has: the others
/// wait, which shows in its slowest request against the runners on a reactor.
/// (Not its p99: in a closed loop only a connection's first request waits for
/// the connections ahead of it, so a few requests in a hundred carry the wait.)
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Waiting {
    pub(crate) runner: String,
    pub(crate) threads: usize,
    pub(crate) served_at_once: usize,
    /// The step compared: its connections and, on a ladder, its offered rate
    /// (the lowest, where load adds least).
    pub(crate) connections: usize,
    pub(crate) offered_per_s: Option<f64>,
    pub(crate) max_us: f64,
    /// The runner on a reactor with the lowest slowest request at the same step.
    pub(crate) against: Option<Against>,
}

/// The reactor runner a waiting runner is compared with.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Against {
    pub(crate) runner: String,
    pub(crate) threads: usize,
    pub(crate) max_us: f64,
    /// The waiting runner's slowest request over this one's.
    pub(crate) ratio: f64,
}

impl Report<'_> {
    /// The section's finding, or `None` when no network cell applies.
    pub(crate) fn echo(&self) -> std::rc::Rc<Option<EchoFinding>> {
        self.derived("tcp-echo", || self.derive_echo())
    }
}

/// The details' section: every step of the swept plans (`details.md`).
pub(super) struct EchoSteps;

impl super::Section for EchoSteps {
    fn id(&self) -> &'static str {
        "tcp-echo-steps"
    }

    /// The steps are the `tcp-echo` section's finding, not one of their own.
    fn findings(&self, _report: &Report<'_>) -> Option<serde_json::Value> {
        None
    }

    fn render(&self, report: &Report<'_>, out: &mut String) {
        if let Some(finding) = report.echo().as_ref() {
            let tables: Vec<&Table> = finding
                .tables
                .iter()
                .filter(|t| render_steps::has_details(t))
                .collect();
            if !tables.is_empty() {
                render_steps::steps(&tables, finding, out);
            }
        }
    }
}

/// The section itself, for the registry.
pub(super) struct Echo;

impl super::Section for Echo {
    fn id(&self) -> &'static str {
        "tcp-echo"
    }

    fn findings(&self, report: &Report<'_>) -> Option<serde_json::Value> {
        super::as_json(report.echo().as_ref().as_ref())
    }

    fn render(&self, report: &Report<'_>, out: &mut String) {
        if let Some(finding) = report.echo().as_ref() {
            render::render(finding, report.charts, out);
        }
    }
}

//! The report section "Latency: unloaded, loaded and open loop", shown when a run
//! has cells of the TCP echo workloads: per runner and thread count, the round
//! trip of one connection alone ([`UNLOADED`]), of many connections in a closed
//! loop ([`LOADED`]) and of requests sent on a schedule ([`OPEN`]), and what
//! Little's law says of the closed loop.
//!
//! In a closed loop each connection sends again only when its reply arrives, so by
//! Little's law the mean round trip is the number of round trips in flight divided
//! by the throughput, whatever the runtime. The section checks that against the
//! measured median of every runner, with the numbers, rather than asserting it.
//!
//! This file owns the workload ids, the parameters read from cells and the
//! [`Section`](super::Section); `derive.rs` decides everything into an
//! [`EchoFinding`] (numbers, statuses, cell references; no prose), which is what
//! `findings.json` carries, and `render.rs` words that finding.

mod derive;
mod little;
mod render;
#[cfg(test)]
mod tests;

use super::Report;
use crate::model::{Cell, Results};
use derive::EchoFinding;
use rtcompare_api::ids;

/// The section's heading, also named where other sections point to it.
pub(crate) const TITLE: &str = "Latency: unloaded, loaded and open loop";

/// One connection, nothing else running: the runtime's own cost per round trip.
pub(crate) const UNLOADED: &str = ids::workload::TCP_ECHO_1;
/// Many connections in a closed loop: each waits for its reply before sending again.
pub(crate) const LOADED: &str = ids::workload::TCP_ECHO;
/// Requests sent at a fixed rate, timed from their intended send time.
pub(crate) const OPEN: &str = ids::workload::TCP_ECHO_OPEN;

/// Parameters that may hold a cell's connection count, the first found wins.
const CONNECTION_KEYS: [&str; 3] = ["connections", "conns", "clients"];
/// Parameters that may hold an open loop's request rate, the first found wins.
const RATE_KEYS: [&str; 2] = ["rate_per_s", "rate"];

/// How far the loaded median may be from its Little's-law estimate (or, in
/// lockstep, from the unloaded median) and still be called a fit: a median is not
/// a mean, and the two differ by the spread of the distribution.
const QUEUEING_TOLERANCE: f64 = 0.25;

/// A cell's connection count, from its parameters.
pub(crate) fn connections(cell: &Cell) -> Option<f64> {
    CONNECTION_KEYS.iter().find_map(|k| cell.param(k))
}

/// An open-loop cell's request rate per second, from its parameters.
fn rate(cell: &Cell) -> Option<f64> {
    RATE_KEYS.iter().find_map(|k| cell.param(k))
}

/// Whether the run has any cell of the echo workloads that applies.
fn present(results: &Results) -> bool {
    results
        .cells
        .iter()
        .any(|c| [UNLOADED, LOADED, OPEN].contains(&c.workload.as_str()) && c.applies())
}

impl Report<'_> {
    /// The echo section's finding, or `None` when no echo cell applies.
    fn echo(&self) -> std::rc::Rc<Option<EchoFinding>> {
        self.derived("tcp-echo", || {
            derive::derive(self.results, &|r: &str| self.runner_rank(r))
        })
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
            render::render(finding, out);
        }
    }
}

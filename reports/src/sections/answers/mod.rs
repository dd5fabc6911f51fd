//! *Answers*: the report's first screen. For each kind of work that ran, the
//! runner to use and the runner-up, the margin between them with its interval,
//! how much the run rests on, and the one caveat that matters.
//!
//! Each kind of work is ranked by the measure that says what a user of that kind
//! of work wants ([`Measure`]): wall time for batch work, the p99 of the
//! latency a workload measures for latency-sensitive work, the cost per unit for
//! overhead workloads, and for servers what is fair on a small machine:
//! closed-loop throughput, and the knee on a ladder of offered rates (`knee.rs`,
//! from the *Network servers* finding). A runner stands with its best cell (its
//! best thread count); the margin is the runner-up's median over the winner's
//! (the winner's over the runner-up's where higher is better), with a 95%
//! hierarchical-bootstrap interval across the cells' processes, as the
//! regression check computes it. When that interval reaches a difference below
//! [`LEVEL_BAND`](super::shared::LEVEL_BAND), the run cannot separate the two and
//! the answer says so instead of picking one.

mod derive;
mod knee;
mod render;
#[cfg(test)]
mod tests;

use super::Report;
use crate::cell_ref::CellRef;
use serde::Serialize;

/// The section's finding.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct AnswersFinding {
    /// One answer per kind of work that ran, in the order of `derive::KINDS`.
    pub(crate) answers: Vec<Answer>,
    /// Judged cells behind the answers, and the fewest and most samples any of
    /// them has.
    pub(crate) cells: usize,
    pub(crate) samples: [usize; 2],
    /// Cells left out because other load disturbed them.
    pub(crate) disturbed: usize,
}

/// What to use for one kind of work.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Answer {
    pub(crate) work: Work,
    /// The workloads it was read from, in report order.
    pub(crate) workloads: Vec<String>,
    pub(crate) measure: Measure,
    /// Shared-state work: the fewest workers updating at once in the cells
    /// compared (contended cells only, when any ran).
    pub(crate) workers_at_once: Option<usize>,
    pub(crate) pick: Pick,
    /// Cells of these workloads left out because other load disturbed them.
    pub(crate) disturbed: usize,
    pub(crate) caveat: Option<Caveat>,
}

/// The kinds of work the answers cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) enum Work {
    CpuUniform,
    CpuSkewed,
    ForkJoin,
    Timers,
    /// One task's sleeps with nothing else running (`timer`).
    TimerLateness,
    TcpThroughput,
    TcpLatency,
    TcpOfferedLoad,
    LatencyBesideHogs,
    SpawnHeavy,
    MessagePassing,
    SharedState,
}

/// What a kind of work is ranked by; lower is better for each but the
/// throughput and the knee.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) enum Measure {
    /// Median wall time per sample, seconds (scaled up where a cell ran part of
    /// the work).
    WallTime,
    /// The p99 of the workload's own latency per sample, microseconds.
    LatencyP99,
    /// A per-unit cost the workload measures, by key, with the header the
    /// workload declared for it (label and unit).
    Cost { key: String, header: String },
    /// Requests served per second per sample (higher is better).
    Throughput,
    /// The highest offered rate served within a p99 bound, µs (higher is
    /// better): no per-sample spread, so no interval.
    Knee { p99_bound_us: f64 },
}

/// The winner and the runner-up.
#[derive(Debug, Clone, Serialize)]
pub(crate) enum Pick {
    /// One runner only has a judged, finished cell.
    Only { winner: Entry },
    Ranked {
        winner: Entry,
        runner_up: Entry,
        margin: Margin,
    },
    /// Ranked by a figure without per-sample spread (the knee): the order only.
    Ordered {
        winner: Entry,
        runner_up: Entry,
        /// The winner's figure over the runner-up's; `None` when the runner-up
        /// has none.
        ratio: Option<f64>,
        /// The figures were equal: what broke the tie.
        tie_break: Option<TieBreak>,
    },
}

/// Two equal knees, ordered by the server CPU per request at the highest rate
/// both kept up with.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub(crate) struct TieBreak {
    pub(crate) rate_per_s: f64,
    pub(crate) winner_cpu_us: f64,
    pub(crate) runner_up_cpu_us: f64,
}

/// A runner's best cell and its median of the measure (its knee, `None` when no
/// rate was within the bound).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Entry {
    pub(crate) cell: CellRef,
    pub(crate) median: Option<f64>,
    /// The fewest samples and processes behind it.
    pub(crate) samples: usize,
    pub(crate) processes: usize,
}

/// The runner-up's median over the winner's.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub(crate) struct Margin {
    pub(crate) ratio: f64,
    /// Its 95% hierarchical-bootstrap interval.
    pub(crate) interval: [f64; 2],
    /// Both sides have enough samples for a 95% interval of their median
    /// ([`crate::judge::supports`]'s rule): without that, no order is claimed.
    pub(crate) supported: bool,
    /// Supported, and the interval lies above 1 by more than the level band:
    /// the winner is ahead. Otherwise the run cannot separate the two.
    pub(crate) separated: bool,
}

/// The caveat that matters most for an answer, about its winner or runner-up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) enum Caveat {
    /// Measured with its clients inside the cell (results schema 4 or older).
    InCellClients { runner: String },
    /// Servers under the external generator: what each figure cost the server
    /// and the generator, and which figures the generator limited.
    Served(ServedCaveat),
    /// Its timer ends sleeps on a tick of its resolution.
    TimerTicks { runner: String },
    /// Its time was scaled up from part of the work.
    Extrapolated { runner: String },
    /// It has no timer or reactor of its own and borrows another crate's.
    BorrowedReactor { runner: String },
    /// It is discontinued upstream.
    Discontinued { runner: String },
}

/// What a network answer's winner and runner-up cost, at the step their figure
/// is from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct ServedCaveat {
    /// The runners whose figure the generator limited (a floor), in pick order.
    pub(crate) generator_bound: Vec<String>,
    /// The winner, then the runner-up.
    pub(crate) costs: Vec<ServedCost>,
    /// The machine's logical cores, of which the generator took its share.
    pub(crate) logical_cores: usize,
}

/// One runner's costs at the step its figure is from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct ServedCost {
    pub(crate) runner: String,
    pub(crate) server_cpu_us_per_request: f64,
    pub(crate) generator_cores: f64,
}

/// The section itself, for the registry.
pub(crate) struct Answers;

impl Report<'_> {
    /// The answers.
    pub(crate) fn answers(&self) -> std::rc::Rc<AnswersFinding> {
        self.derived("answers", || self.derive_answers())
    }
}

impl super::Section for Answers {
    fn id(&self) -> &'static str {
        "answers"
    }

    fn findings(&self, report: &Report<'_>) -> Option<serde_json::Value> {
        let answers = report.answers();
        (!answers.answers.is_empty())
            .then(|| super::as_json(Some(&*answers)))
            .flatten()
    }

    fn render(&self, report: &Report<'_>, out: &mut String) {
        render::render(&report.answers(), out);
    }
}

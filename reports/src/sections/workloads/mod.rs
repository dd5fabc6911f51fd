//! *Results by workload*: first how to read the tables, said once for all of them
//! (the [`GuideItem`]s), then per workload its description, its table of cells
//! with only the columns some row fills, under readable names, the cells that
//! failed (grouped by reason), the cells it does not apply to, and the scaling
//! table of CPU-bound work. Derived into a [`WorkloadsFinding`] of numbers, enums,
//! cell references and the results file's own text (descriptions, notes, reasons),
//! then rendered from that alone; `findings.json` carries the same finding.
//!
//! The derivation is split by what it decides: the workload as a whole (its
//! description, its row order, failures, scaling, the cells that do not apply) in
//! `derive.rs`, the table's columns, rows and footnotes in `cells_table.rs`, the
//! names of its measures in `names.rs`, and what the tables share in `guide.rs`.
//! The Markdown likewise: the workload in `render.rs`, its table in
//! `render_table.rs`, the guide in `render_guide.rs`.

mod cells_table;
mod derive;
mod guide;
pub(in crate::sections) mod names;
mod render;
mod render_guide;
mod render_table;

pub(crate) use guide::{GuideItem, MeasureNote};

pub(super) use derive::not_applicable;
pub(super) use render::{failure_line, not_applicable_line};
#[cfg(test)]
pub(super) use render_guide::{EFFICIENCY_NOTE, NO_EFFICIENCY_NOTE, WAITING_NOTE};

use super::Report;
pub(crate) use super::shared::Footnote;
pub(crate) use crate::cell_ref::CellAt;
use crate::judge::Disturbance;
use crate::model::{MetricMeta, Status, StopReason};
use rtcompare_api::{Class, Family, WorkloadKind};
use serde::Serialize;
use std::collections::BTreeMap;

/// What *Results by workload* shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct WorkloadsFinding {
    /// What the tables share, in the order the guide above them says it; each
    /// table then says only what is its own.
    pub(crate) guide: Vec<GuideItem>,
    /// One per workload, in report order.
    pub(crate) tables: Vec<WorkloadTable>,
}

/// What one workload's part of *Results by workload* shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct WorkloadTable {
    pub(crate) workload: String,
    /// The workload's kind, from its cells.
    pub(crate) kind: WorkloadKind,
    pub(crate) description: Description,
    /// Which optional columns the table has.
    pub(crate) columns: Columns,
    /// One row per cell that applies, in table order: judged finished cells by
    /// median wall time, then the disturbed ones (shown, not ranked), then the
    /// rest in runner order. Empty when no cell applies (then no table).
    pub(crate) rows: Vec<Row>,
    /// The judged finished cell with the lowest median, and what the samples
    /// allow calling it.
    pub(crate) best: Option<TableBest>,
    /// The finished rows whose median interval is not of the kind most rows of
    /// the section have ([`GuideItem::Intervals`]), by kind.
    pub(crate) intervals: Vec<IntervalGroup>,
    /// The rows that did not finish with samples, grouped by status and reason.
    pub(crate) failures: Vec<FailureGroup>,
    /// The cells' notes (what was changed to fit a runner or machine), verbatim,
    /// numbered from 1 in order of first appearance; [`Row::notes`] refers to them.
    pub(crate) notes: Vec<Footnote>,
    /// The extrapolation notes of cells that ran part of the work, verbatim.
    pub(crate) extrapolations: Vec<Footnote>,
    /// The distinct thread counts, ascending, of the oversubscribed rows.
    pub(crate) oversubscribed_threads: Vec<usize>,
    /// The machine's logical cores.
    pub(crate) logical_cores: usize,
    /// Speedup against threads for CPU-bound work with a judged `seq`.
    pub(crate) scaling: Option<Scaling>,
    /// The cells the workload does not apply to, grouped by reason.
    pub(crate) not_applicable: Vec<NotApplicableGroup>,
}

/// How the workload is described above its table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) enum Description {
    /// As the results file describes it, verbatim.
    Declared {
        summary: String,
        /// At the run's preset ([`GuideItem::Preset`]).
        size: String,
        /// The shortest wall time any runner could achieve, seconds.
        ideal_wall_s: Option<f64>,
    },
    /// Files without a description: the parameters of a cell that ran the whole
    /// work (else of the first), verbatim.
    Params { params: serde_json::Value },
}

/// The columns the table shows besides runner, class, family, threads and median
/// wall (which also holds an unfinished row's status): each only where some
/// finished row has something to put in it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Columns {
    /// Median interval, samples and CPU utilisation: some row finished with
    /// samples.
    pub(crate) measured: bool,
    /// Some row has a speedup over `seq`.
    pub(crate) speedup: bool,
    /// Some row has an efficiency (CPU-bound work with speedups).
    pub(crate) efficiency: bool,
    /// Some row has a peak resident set.
    pub(crate) peak_rss: bool,
    /// Some row counted its OS threads.
    pub(crate) os_threads: bool,
    /// Wall time as a multiple of the ideal: the workload declares one.
    pub(crate) times_ideal: bool,
    /// The primary latency's p50, p99, p99.9 and max, in this unit.
    pub(crate) latency: Option<LatencyUnit>,
    /// Further latencies shown by their p99, in order of first appearance.
    pub(crate) more_latencies: Vec<LatencyColumn>,
    /// Throughput, in requests or operations per second.
    pub(crate) throughput: Option<ThroughputUnit>,
    /// The server's CPU per request and the generator's cores: some row was
    /// measured by the external load generator.
    pub(crate) served: bool,
    /// The workload's own measures that some finished cell carries, declared
    /// ones first, then undeclared keys; each with a readable header and its
    /// meaning (`names.rs`). Measures that repeat another column (a pool's
    /// workers, its peak RSS) are left to that column.
    pub(crate) metrics: Vec<MetricMeta>,
    /// Median voluntary and involuntary context switches (runtime-overhead work,
    /// where contention shows as them).
    pub(crate) context_switches: bool,
    /// Wall time relative to the best: the table has a best or a disturbed row.
    pub(crate) relative: bool,
    /// What the rows are ranked by, and *Relative* is the ratio of.
    pub(crate) ranked_by: RankedBy,
}

/// A further latency's column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct LatencyColumn {
    /// As cells record it ([`Measured::more_p99_us`]).
    pub(crate) name: String,
    /// Its readable name.
    pub(crate) label: String,
}

/// Finished rows whose median intervals are of one kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct IntervalGroup {
    pub(crate) kind: IntervalKind,
    /// Every finished row of the table is of this kind (then `cells` lists them
    /// all).
    pub(crate) every_row: bool,
    pub(crate) cells: Vec<CellAt>,
}

/// The rows that did not finish for one reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct FailureGroup {
    /// `failed` or `timeout`; `ok` for a cell that finished without samples.
    pub(crate) status: Status,
    /// Verbatim from the results file, whitespace collapsed.
    pub(crate) reason: Option<String>,
    /// Each runner once, with its thread counts, in table order.
    pub(crate) runners: Vec<FailedRunner>,
}

/// A runner in a [`FailureGroup`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct FailedRunner {
    pub(crate) runner: String,
    /// Ascending.
    pub(crate) threads: Vec<usize>,
}

/// The unit of a table's latencies: ms when any median reaches a millisecond.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) enum LatencyUnit {
    Micros,
    Millis,
}

/// What a throughput counts: requests where the I/O-bound workload times them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) enum ThroughputUnit {
    Requests,
    Operations,
}

/// One cell of the table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Row {
    pub(crate) runner: String,
    pub(crate) class: Class,
    pub(crate) family: Family,
    pub(crate) threads: usize,
    pub(crate) status: Status,
    /// Why it did not finish, verbatim.
    pub(crate) error: Option<String>,
    /// Its numbers, when it finished with samples.
    pub(crate) measured: Option<Measured>,
    /// Why sampling stopped, where the run recorded it.
    pub(crate) stop: Option<StopReason>,
    /// Its notes, as numbers into [`WorkloadTable::notes`] (from 1).
    pub(crate) notes: Vec<usize>,
    /// It ran part of the work and its times were scaled up (the report's †).
    pub(crate) extrapolated: bool,
    /// More threads than logical cores (the report's ↑).
    pub(crate) oversubscribed: bool,
    /// Other load disturbed it even after re-takes (the report's §): shown, not
    /// judged.
    pub(crate) disturbed: Option<Disturbance>,
    /// A network cell measured with its clients inside the cell (the report's ¶).
    pub(crate) in_cell_clients: bool,
}

/// A finished cell's numbers, as the table prints them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Measured {
    pub(crate) median_wall_s: f64,
    pub(crate) interval: Interval,
    /// The measured samples.
    pub(crate) samples: usize,
    /// `seq`'s median wall over this one's.
    pub(crate) speedup: Option<f64>,
    /// Speedup ÷ min(threads, cores), CPU-bound work only.
    pub(crate) efficiency: Option<f64>,
    /// Median CPU time over median wall time, cores.
    pub(crate) cpu_utilisation: f64,
    pub(crate) peak_rss_bytes: Option<u64>,
    pub(crate) os_threads: Option<usize>,
    /// Median wall over the workload's ideal, with [`Columns::times_ideal`].
    pub(crate) times_ideal: Option<f64>,
    /// The primary latency, with [`Columns::latency`].
    pub(crate) latency_us: Option<Percentiles>,
    /// The p99 of each further latency, by name.
    pub(crate) more_p99_us: BTreeMap<String, f64>,
    pub(crate) throughput_per_s: Option<f64>,
    /// Measured by the external load generator: the server's CPU per request,
    /// µs, over every step weighted by its requests.
    pub(crate) server_cpu_us_per_request: Option<f64>,
    /// The most cores the generator took in any step.
    pub(crate) generator_cores: Option<f64>,
    /// The workload's own measures, by key.
    pub(crate) metrics: BTreeMap<String, f64>,
    /// With [`Columns::context_switches`].
    pub(crate) context_switches: Option<ContextSwitches>,
    /// Median wall over the best's ([`WorkloadTable::best`]); `None` without a
    /// best and for a disturbed cell, which is not ranked.
    pub(crate) relative: Option<f64>,
    /// This is the best cell.
    pub(crate) best: bool,
}

/// The interval of a median wall time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Interval {
    pub(crate) lo_s: f64,
    pub(crate) hi_s: f64,
    /// The probability that it holds the true median.
    pub(crate) coverage: f64,
    /// The samples it rests on.
    pub(crate) samples: usize,
    pub(crate) kind: IntervalKind,
}

/// What an interval is, by its real coverage ([`crate::judge::interval_kind`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub(crate) enum IntervalKind {
    /// At least 95% coverage, from order statistics: it supports claims.
    Ci95,
    /// The samples' range, below 95% coverage.
    Range,
    /// One sample, no interval.
    Single,
}

/// Latency percentiles, microseconds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Percentiles {
    pub(crate) p50: f64,
    pub(crate) p99: f64,
    pub(crate) p999: f64,
    pub(crate) max: f64,
}

/// Median context switches per sample, of the whole process.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct ContextSwitches {
    pub(crate) voluntary: f64,
    pub(crate) involuntary: f64,
}

/// The best cell of a table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct TableBest {
    pub(crate) runner: String,
    pub(crate) threads: usize,
    pub(crate) standing: Standing,
}

/// What a table ranks its rows by, lower being better: wall time, except where
/// wall time is not what the workload is about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) enum RankedBy {
    /// Median wall time.
    Wall,
    /// The p99 of the workload's own latency: open loops (a schedule sets
    /// their wall time), work beside CPU hogs (the hogs set it) and `timer`
    /// (its sleeps set it; their lateness is the measure).
    LatencyP99,
    /// An overhead workload's first cost per unit (its runners do different
    /// amounts of work), by key, with its declared header.
    Cost { key: String, header: String },
}

/// What the samples allow calling the best.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) enum Standing {
    /// Every interval supports a ranking and none overlaps the best's.
    Fastest,
    /// Every interval supports a ranking; these cells' overlap the best's.
    Tied { with: Vec<CellAt> },
    /// Some interval is too weak to rank on: the best only has the lowest
    /// median. `fewest_samples` is the sample count of the weakest interval.
    LowestMedian { fewest_samples: usize },
    /// Ranked by a latency or a cost with no interval: the lowest value, no
    /// order claimed beyond it.
    Lowest,
}

/// How runners measured at several thread counts scale.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Scaling {
    /// The logical cores the parallelism is capped at.
    pub(crate) cores: usize,
    /// One per runner with a fit, in table order.
    pub(crate) rows: Vec<ScalingRow>,
}

/// One runner's speedups and the Amdahl fit that explains them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct ScalingRow {
    pub(crate) runner: String,
    /// Its judged speedups, by ascending thread count.
    pub(crate) points: Vec<ScalingPoint>,
    /// Amdahl's `s`: 0 is perfectly parallel work.
    pub(crate) serial_fraction: f64,
    /// RMS residual of the fit, in ×.
    pub(crate) rms_residual: f64,
}

/// A speedup at a thread count.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct ScalingPoint {
    pub(crate) threads: usize,
    pub(crate) speedup: f64,
}

/// The cells that do not apply for one reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct NotApplicableGroup {
    /// The reason from the results file, whitespace collapsed and without its
    /// final full stop.
    pub(crate) reason: String,
    /// Each runner once; with its thread count where the runner has other
    /// reasons at other thread counts.
    pub(crate) runners: Vec<NotApplicableRunner>,
}

/// A runner in a [`NotApplicableGroup`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct NotApplicableRunner {
    pub(crate) runner: String,
    pub(crate) threads: Option<usize>,
}

/// The section itself, for the registry.
pub(super) struct Workloads;

impl super::Section for Workloads {
    fn id(&self) -> &'static str {
        "workloads"
    }

    fn findings(&self, report: &Report<'_>) -> Option<serde_json::Value> {
        let finding = report.derived("workloads", || report.workloads_finding());
        super::as_json(Some(&*finding))
    }

    fn render(&self, report: &Report<'_>, out: &mut String) {
        render::render(
            &report.derived("workloads", || report.workloads_finding()),
            report.charts,
            out,
        );
    }
}

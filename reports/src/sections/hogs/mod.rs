//! The section "CPU hogs next to latency-sensitive work", over the cells of the
//! mixed workloads (ids starting [`PREFIX`]): a CPU hog in long chunks next to a
//! 1 ms ticker and an echo client, with the hog run inline ([`INLINE`]), yielding
//! ([`YIELD`]) or offloaded to a blocking pool ([`OFFLOAD`]). The primary latency
//! of these workloads is tick lateness (how late each tick ran); [`ROUND_TRIP`] is
//! the echo client's.
//!
//! Tick lateness is read beyond the runner's own timer: a 1 ms tick on a timer
//! that ends sleeps on whole milliseconds is about a millisecond late with no
//! hog at all, so each cell's lateness, less its runner's unloaded 1 ms sleep
//! lateness p50 from the `timer` workload ([`super::timer`]), is what the hogs
//! added. Runners are ranked by it, per variant. A runner without a `timer`
//! cell is read as measured, and the section says so.
//!
//! This module owns the section's ids and thresholds and its typed finding,
//! [`HogsFinding`]: per cell the lateness percentiles, raw and beyond the
//! timer, and how many samples stalled (their worst tick more than
//! [`STALL_US`] late as measured, which a merged p99 hides when only some
//! samples stall), the ranking, and the comparisons of the variants as
//! numbers, enums and cell ids. `derive.rs` builds it from the results,
//! `render.rs` words it; `findings.json` carries it under `hogs`.

#[cfg(test)]
mod beyond_timer_tests;
mod derive;
mod render;
mod render_table;
#[cfg(test)]
mod tests;

use super::Report;
use super::timer::{LatencyEntry, TimerBaseline, beyond};
use crate::cell_ref::CellRef;
use crate::judge::Disturbance;
use crate::model::Status;
use rtcompare_api::ids;
use serde::Serialize;

/// The section's heading, also named where other sections point to it.
pub(crate) const TITLE: &str = "CPU hogs next to latency-sensitive work";

/// Workload ids of the mixed workloads start with this.
pub(crate) const PREFIX: &str = ids::workload::MIXED_PREFIX;
/// The hog computes inline in its task.
pub(crate) const INLINE: &str = ids::workload::MIXED_INLINE;
/// The hog yields to the scheduler between short slices of work.
pub(crate) const YIELD: &str = ids::workload::MIXED_YIELD;
/// The hog's chunks run on the runtime's blocking pool.
pub(crate) const OFFLOAD: &str = ids::workload::MIXED_OFFLOAD;
/// The secondary latency of the mixed workloads: the echo client's round trip.
pub(crate) const ROUND_TRIP: &str = ids::latency::ROUND_TRIP;
/// The workload measure of hog progress.
pub(crate) const CHUNKS_PER_S: &str = ids::metric::HOG_CHUNKS_PER_S;
/// The workload measure of one hog chunk's compute time, ms.
pub(crate) const CHUNK_MS: &str = ids::metric::HOG_CHUNK_MS;
/// How far a worst tick may be from a whole number of chunks and still be said to
/// have waited for them.
const CHUNK_TOLERANCE: f64 = 0.25;
/// A sample whose worst tick was later than this (µs) counts as stalled: ten
/// ticks of 1 ms missed in a row.
pub(crate) const STALL_US: f64 = 10_000.0;

/// What the section derived from the mixed cells that apply.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct HogsFinding {
    /// The hog count every cell that gives one ran with; `None` when they differ
    /// or none gives one.
    pub(crate) hogs: Option<f64>,
    /// The mixed workloads present, in report order.
    pub(crate) variants: Vec<String>,
    /// A sample stalled when its worst tick was later than this, µs
    /// ([`STALL_US`]).
    pub(crate) stall_threshold_us: f64,
    /// Some runner has a `timer` cell, so lateness is read beyond the timer;
    /// otherwise everything is read as measured.
    pub(crate) timer_ran: bool,
    /// With `timer_ran`: the runners of the table that have no `timer` cell,
    /// read as measured.
    pub(crate) no_timer: Vec<String>,
    /// The table: every mixed cell that applies, by runner, threads and variant.
    pub(crate) cells: Vec<HogsRow>,
    /// Per variant, every runner at its best cell by tick lateness p99 beyond
    /// its timer (as measured without one), lowest first.
    pub(crate) ranking: Vec<VariantRanking>,
    /// How other load disturbed the table's cells marked §, in table order.
    pub(crate) disturbed: Vec<Disturbance>,
    /// What the variants and runners did to the ticks, compared.
    pub(crate) comparisons: Comparisons,
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct HogsRow {
    pub(crate) cell: CellRef,
    /// Other load disturbed it: shown, marked, judged by no comparison.
    pub(crate) disturbed: bool,
    pub(crate) outcome: RowOutcome,
}

/// What a cell of the table measured, or how it ended without finishing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) enum RowOutcome {
    Finished(Measures),
    Ended(Status),
}

/// A finished cell's numbers, each `None` when the file does not give it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Measures {
    /// Tick lateness merged over the measured samples, µs.
    pub(crate) lateness: Option<Lateness>,
    /// The runner's own timer lateness, when it has a `timer` cell.
    pub(crate) timer: Option<TimerBaseline>,
    /// `lateness` less `timer`'s p50, each percentile; with both.
    pub(crate) beyond_timer: Option<Lateness>,
    pub(crate) stalls: Option<Stalls>,
    /// Hog chunks completed per second.
    pub(crate) chunks_per_s: Option<f64>,
    /// The echo client's round-trip p99, µs.
    pub(crate) round_trip_p99_us: Option<f64>,
}

/// Tick lateness percentiles, µs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub(crate) struct Lateness {
    pub(crate) p50_us: f64,
    pub(crate) p99_us: f64,
    pub(crate) max_us: f64,
}

/// The runners on one variant, ranked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct VariantRanking {
    pub(crate) variant: String,
    /// Each runner at its best judged, finished cell, lowest
    /// [`LatencyEntry::ranked_us`] first.
    pub(crate) runners: Vec<LatencyEntry>,
}

/// How many of a cell's samples stalled, and the worst lateness of any sample.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub(crate) struct Stalls {
    /// Samples whose worst latency exceeded the threshold.
    pub(crate) stalled: usize,
    /// Samples that recorded their worst latency.
    pub(crate) samples: usize,
    /// The worst latency of any sample, µs.
    pub(crate) worst_us: f64,
}

/// The comparisons under the table, over the judged, finished cells that
/// measured tick lateness. A part is `None` when its cells were not measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Comparisons {
    /// Some cell ran more than one hog.
    pub(crate) several_hogs: bool,
    /// The lowest worst tick of the inline hog on the single-threaded executors,
    /// µs, read as the ticks are: what the other variants are held against.
    pub(crate) inline_worst_us: Option<f64>,
    /// The inline hog on the single-threaded executors: the problem.
    pub(crate) inline: Option<Inline>,
    /// The inline hog on multithreaded runners at more than one thread.
    pub(crate) multithreading: Option<Multithreading>,
    /// The yielding hog on the single-threaded executors.
    pub(crate) yielding: Option<Recovery>,
    /// The offloaded hog on the single-threaded executors.
    pub(crate) offloading: Option<Recovery>,
}

/// A cell's ticks, for the comparisons: read beyond the runner's timer when
/// `timer` is given, as measured otherwise.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Ticks {
    pub(crate) cell: CellRef,
    /// Merged tick lateness p99, µs.
    pub(crate) p99_us: f64,
    /// Its worst tick, µs.
    pub(crate) worst_us: f64,
    /// The runner's own timer lateness, when the finding reads beyond it and
    /// the runner has a `timer` cell.
    pub(crate) timer: Option<TimerBaseline>,
    /// Its hog chunk, when the file gives its length.
    pub(crate) chunk: Option<Chunk>,
    pub(crate) stalls: Option<Stalls>,
}

/// A cell's hog chunk and how its worst tick compares with it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub(crate) struct Chunk {
    /// Its compute time, ms.
    pub(crate) ms: f64,
    /// Measured ([`CHUNK_MS`]) rather than taken from the parameters.
    pub(crate) measured: bool,
    /// The worst tick (beyond the timer, where read so) over the chunk: how
    /// many chunks that tick waited for.
    pub(crate) waited: f64,
}

impl Ticks {
    /// The p99 as the comparisons read it: beyond the timer, or as measured.
    pub(crate) fn p99_read_us(&self) -> f64 {
        beyond(self.p99_us, self.timer)
    }

    /// The worst tick as the comparisons read it.
    pub(crate) fn worst_read_us(&self) -> f64 {
        beyond(self.worst_us, self.timer)
    }
}

/// Cells compared together, with their stalled samples summed up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Group {
    pub(crate) cells: Vec<Ticks>,
    pub(crate) stalls: StallSummary,
}

/// The stalled samples of a group of cells.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub(crate) enum StallSummary {
    /// No cell recorded its samples' worst latency.
    NotCounted,
    /// No sample stalled.
    NoneStalled,
    /// Some cells stalled (those with `stalls.stalled` above 0).
    SomeStalled,
    /// Every sample of every cell (more than one) stalled.
    EveryStalled { stalled: usize, samples: usize },
}

/// The inline hog on one thread.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Inline {
    pub(crate) wait: InlineWait,
    pub(crate) ticks: Group,
}

/// What a tick waits for behind the inline hog on one thread.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub(crate) enum InlineWait {
    /// No tick was more than [`STALL_US`] late.
    NoStall,
    /// Every hog's chunks, back to back: each worst tick is within
    /// [`CHUNK_TOLERANCE`] of `hogs × chunks_per_hog` chunks (more than one).
    BackToBack {
        hogs: f64,
        /// `None` when the cells differ.
        chunks_per_hog: Option<f64>,
    },
    /// One chunk: each worst tick is within [`CHUNK_TOLERANCE`] of one chunk.
    OneChunk,
    /// Neither could be told.
    Behind,
}

/// The inline hog on multithreaded runners.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Multithreading {
    /// The thread counts the cells ran at, ascending.
    pub(crate) threads: Vec<usize>,
    /// The runners with a pool of workers, grouped by whether the hogs occupy
    /// every worker, in that order; empty groups left out.
    pub(crate) pools: Vec<Pool>,
    /// The runners with an OS thread per task (`threads_knob` `per-task`).
    pub(crate) per_task: Option<PerTask>,
}

/// Pooled runners the hogs occupy alike.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Pool {
    pub(crate) occupancy: Occupancy,
    pub(crate) ticks: Group,
}

/// Whether the hogs occupy every worker thread.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) enum Occupancy {
    /// At least as many hogs as workers.
    EveryWorker {
        on: Vec<HogsOnWorkers>,
        /// How long a tick still waits, when every worst tick tells.
        still: Option<StillWaits>,
    },
    /// Fewer hogs than workers.
    WorkersFree {
        on: Vec<HogsOnWorkers>,
        /// Workers left free of hogs, when the cells agree.
        free: Option<f64>,
    },
    /// The file does not describe the runner or give the hog count.
    Undescribed,
}

/// A hog count and worker count that cells ran with.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub(crate) struct HogsOnWorkers {
    pub(crate) hogs: f64,
    pub(crate) workers: usize,
}

/// How long a tick still waits with every worker occupied.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub(crate) enum StillWaits {
    /// Every worst tick is within [`CHUNK_TOLERANCE`] of one chunk.
    AboutOneChunk,
    /// Every worst tick is at least one chunk, less the tolerance.
    ForChunks,
}

/// Runners with an OS thread per task.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct PerTask {
    /// Every worst tick is under half a chunk: the kernel preempts the hogs.
    pub(crate) preempted: bool,
    pub(crate) ticks: Group,
}

/// Yielding or offloading on the single-threaded executors.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Recovery {
    pub(crate) ticks: Group,
    /// The cell with the lowest worst tick.
    pub(crate) best: CellRef,
    /// What it cost the hogs there, when both it and its inline cell measured
    /// hog progress.
    pub(crate) cost: Option<HogCost>,
}

/// Hog progress of a recovering cell against its runner's inline cell.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub(crate) struct HogCost {
    pub(crate) chunks_per_s: f64,
    pub(crate) inline_chunks_per_s: f64,
}

/// The section itself, for the registry.
pub(super) struct HogsSection;

impl super::Section for HogsSection {
    fn id(&self) -> &'static str {
        "hogs"
    }

    fn findings(&self, report: &Report<'_>) -> Option<serde_json::Value> {
        super::as_json(
            report
                .derived("hogs", || derive::derive(report))
                .as_ref()
                .as_ref(),
        )
    }

    fn render(&self, report: &Report<'_>, out: &mut String) {
        if let Some(finding) = report.derived("hogs", || derive::derive(report)).as_ref() {
            render::render(finding, out);
        }
    }
}

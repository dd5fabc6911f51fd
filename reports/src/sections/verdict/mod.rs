//! The *Verdict*: one line per workload, saying what concurrency alone and what
//! parallelism bought there, with its caveats.
//!
//! Derived once into a [`VerdictFinding`] (`derive.rs` and `parallel.rs`: which
//! cells lead, how they compare, what the comparison is credited to), then worded
//! (`render.rs`). The finding holds numbers, enums and cell references only; every
//! decision (faster, level or slower; parallel or not) is made in the
//! derivation, so the words cannot disagree with `findings.json`. Network
//! workloads measured by the external load generator are servers, not batches:
//! their verdict ranks them as the *Network servers* section does (`served.rs`).

mod compared;
mod derive;
mod parallel;
mod render;
mod served;

use super::Report;
use super::shared::Versus;
pub(crate) use super::timer::LatencyEntry;
use crate::cell_ref::CellRef;
use crate::model::Status;
use crate::overhead::OverheadVerdict;
use rtcompare_api::WorkloadKind;
use serde::Serialize;

/// What the verdict says, for every workload that ran.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct VerdictFinding {
    /// Cells that stayed disturbed by other load after their re-takes: shown,
    /// left out of every verdict.
    pub(crate) disturbed: Vec<CellRef>,
    /// The weakest median interval among the judged cells, when it is too weak
    /// (below 95% coverage) to call anything fastest or tied.
    pub(crate) weakest_interval: Option<IntervalStrength>,
    /// One verdict per workload, CPU-bound first, then I/O-bound, mixed,
    /// overhead and fault workloads, each group in report order.
    pub(crate) workloads: Vec<WorkloadVerdict>,
}

/// How far a median interval may be trusted: its samples and real coverage.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub(crate) struct IntervalStrength {
    pub(crate) samples: usize,
    /// The probability that the interval holds the true median.
    pub(crate) coverage: f64,
}

/// The verdict on one workload.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct WorkloadVerdict {
    pub(crate) workload: String,
    pub(crate) kind: WorkloadKind,
    /// The section that reads this workload's latencies, when the report has
    /// one and a finished cell measured latency.
    pub(crate) latencies: Option<LatencySection>,
    pub(crate) outcome: Outcome,
}

/// The report section a workload's latencies are read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) enum LatencySection {
    /// *Network servers* (the TCP echo workloads).
    Echo,
    /// *CPU hogs next to latency-sensitive work* (the `mixed-*` workloads).
    Hogs,
}

/// What the cells of one workload amount to.
#[derive(Debug, Clone, Serialize)]
pub(crate) enum Outcome {
    /// Every cell that applies was disturbed by other load: no verdict.
    AllDisturbed,
    /// A runtime-overhead workload: its measures ranked.
    Overhead(OverheadVerdict),
    /// A fault workload: what survived is read in *Crash isolation*.
    Fault,
    /// No judged cell: the workload applies to no runner (or none undisturbed).
    NoRunnerApplies,
    /// Sent on a fixed schedule: wall time is the schedule's.
    OpenLoop(OpenLoop),
    /// A network workload the external load generator measured: its servers
    /// ranked as *Network servers* ranks them.
    Served(Served),
    /// Latency-sensitive work beside CPU hogs: the hogs set the wall time, so
    /// runners are ranked by the p99 of the latency the workload measures,
    /// beyond each runner's own timer lateness where the run measured it.
    Latency(LatencyRanking),
    /// `timer`: one task's sleeps set the wall time, so runners are ranked by
    /// the p99 of their lateness.
    Timer(LatencyRanking),
    /// No judged, finished `seq` cell, so no speedups.
    NoSeq {
        why: SeqMissing,
        /// The judged finished cell with the lowest median.
        best: Option<Leader>,
    },
    /// Compared with `seq`.
    Compared(Box<Compared>),
}

/// Why a workload has no `seq` to divide by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) enum SeqMissing {
    Disturbed,
    TimedOut,
    NotApplicable,
    Failed,
    Missing,
}

impl SeqMissing {
    /// From the status of the workload's first `seq` cell, if it has one.
    pub(crate) fn of(first: Option<(Status, bool)>) -> Self {
        match first {
            Some((_, true)) => SeqMissing::Disturbed,
            Some((Status::Timeout, _)) => SeqMissing::TimedOut,
            Some((Status::NotApplicable, _)) => SeqMissing::NotApplicable,
            Some(_) => SeqMissing::Failed,
            None => SeqMissing::Missing,
        }
    }
}

/// The best of a group: the judged finished cell with the lowest median wall.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Leader {
    pub(crate) cell: CellRef,
    pub(crate) median_wall_s: f64,
    /// Median CPU utilisation, in cores.
    pub(crate) cpu_utilisation: f64,
    /// Every interval of the group supports claims, so the leader may be called
    /// fastest (or tied).
    pub(crate) ranked: bool,
    /// The cells whose interval overlaps the leader's (only when `ranked`).
    pub(crate) tied: Vec<CellRef>,
    /// When not `ranked`: the samples of the group's weakest interval, the reason
    /// no order is claimed.
    pub(crate) fewest_samples: Option<usize>,
}

/// A workload compared with `seq`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Compared {
    pub(crate) seq: CellRef,
    /// What the single-threaded executors bought; `None` when none ran.
    pub(crate) concurrency: Option<Concurrency>,
    /// What the multithreaded runners (above one thread) bought; `None` when
    /// none ran.
    pub(crate) parallelism: Option<Parallelism>,
    /// The leaders (`seq` included) whose times were scaled up from a subset of
    /// the work (†), by runner.
    pub(crate) extrapolated: Vec<String>,
    /// How close the best came to the workload's ideal wall time.
    pub(crate) ideal: Option<Ideal>,
    /// CPU-bound work: the static split against dynamic scheduling.
    pub(crate) static_split: Option<FixedShares>,
    /// CPU-bound work: the best thread-per-core runner (a share per core, no
    /// stealing) against dynamic scheduling.
    pub(crate) thread_per_core: Option<FixedShares>,
}

/// Concurrency alone: the best single-threaded executor.
#[derive(Debug, Clone, Serialize)]
pub(crate) enum Concurrency {
    Best { leader: Leader, vs_seq: Versus },
    NoneFinished,
}

/// Parallelism: the best multithreaded runner, and what its speed is credited to.
#[derive(Debug, Clone, Serialize)]
pub(crate) enum Parallelism {
    Best(Box<ParallelLead>),
    NoneFinished,
}

/// The best multithreaded runner, its speed against `seq`, and what that speed
/// is credited to.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ParallelLead {
    pub(crate) leader: Leader,
    pub(crate) vs_seq: Versus,
    pub(crate) credit: Credit,
}

/// What the best multithreaded runner's speed is credited to.
#[derive(Debug, Clone, Serialize)]
pub(crate) enum Credit {
    /// It kept at most 1.2 cores busy: its speed is not parallelism's.
    NotParallel {
        /// Against the best single-threaded executor, when one finished.
        vs_concurrency: Option<Against>,
    },
    /// CPU-bound work faster than `seq`: parallelism, with its efficiency.
    CpuGain {
        efficiency: Option<f64>,
        oversubscribed: bool,
        logical_cores: usize,
    },
    /// Parallel, compared with `seq` only (CPU work not faster, or no
    /// single-threaded executor finished).
    AgainstSeq,
    /// Parallel, beyond what concurrency alone bought.
    BeyondConcurrency { vs_concurrency: Against },
}

/// A comparison with a named runner.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Against {
    pub(crate) runner: String,
    pub(crate) versus: Versus,
}

/// The best cell against the workload's ideal wall time.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Ideal {
    pub(crate) ideal_s: f64,
    pub(crate) best: Leader,
    /// Its timer says it has a resolution: sleeps end on a tick.
    pub(crate) ticks: bool,
}

/// A runner whose threads each run a fixed share of the work (the static
/// split, or thread-per-core) against the best dynamic scheduler at its thread
/// count: what moving work between threads bought.
#[derive(Debug, Clone, Serialize)]
pub(crate) enum FixedShares {
    /// The fixed-share runners' first cell did not finish.
    DidNotFinish { runner: String, status: Status },
    Compared {
        split: CellRef,
        dynamic: CellRef,
        /// Both speedups over `seq`, when both have one.
        speedups: Option<[f64; 2]>,
        /// Both median walls.
        walls_s: [f64; 2],
        reading: SplitReading,
    },
}

/// What the fixed shares' time says.
#[derive(Debug, Clone, Serialize)]
pub(crate) enum SplitReading {
    /// Intervals overlap and support a ranking.
    Tied,
    /// Intervals overlap, too few samples to order them.
    OverlapUnranked { fewest_samples: usize },
    /// Slower by at least the uneven-work gap: the costly chunks set the pace.
    Uneven { slower_by: f64 },
    /// Slower by less: close to even shares.
    SlightlySlower { slower_by: f64 },
    /// Faster, and the samples support it.
    Faster,
    /// A lower median, too few samples to claim an order.
    LowerMedianUnranked { fewest_samples: usize },
}

/// An open-loop workload: its schedule and who fell behind it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct OpenLoop {
    /// The send rate, when the workload says one.
    pub(crate) rate_per_s: Option<f64>,
    /// The lowest and highest median wall of the runners that finished.
    pub(crate) walls_s: Option<[f64; 2]>,
    pub(crate) behind: Option<Behind>,
    /// The runners ranked by their p99.
    pub(crate) latency: LatencyRanking,
}

/// The runners with the lowest p99 of a workload's own latency (beyond their
/// own timer's lateness where `timer` measured it), each at its best cell: the
/// lowest first, then the next runner.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct LatencyRanking {
    pub(crate) lowest: Vec<LatencyEntry>,
}

/// The runners whose open-loop p50 is far above every runner's median.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Behind {
    pub(crate) runners: Vec<String>,
    /// The p50s of the cells behind and of the others, in µs.
    pub(crate) behind_p50_us: Vec<f64>,
    pub(crate) kept_p50_us: Vec<f64>,
    /// Every runner behind blocks on one connection per thread with a fixed
    /// thread count: the cause, when set.
    pub(crate) one_connection_per_thread: Option<OneAtATime>,
}

/// How many connections a blocking runner served at once.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct OneAtATime {
    /// The lowest and highest count served at once, and the connections, when
    /// every cell behind had the same connection count.
    pub(crate) served: Option<([f64; 2], f64)>,
}

/// A network workload measured by the external load generator: the best two
/// servers by what ranks them.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Served {
    pub(crate) by: ServedBy,
    /// The machine's logical cores, of which the generator took its share.
    pub(crate) logical_cores: usize,
    /// Undisturbed, generator-measured runners at their best thread count, best
    /// first; at most two.
    pub(crate) leaders: Vec<ServedLeader>,
}

/// What ranks the servers of a network workload.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub(crate) enum ServedBy {
    /// Closed-loop throughput (the highest over a sweep of connection counts).
    Throughput,
    /// The knee on a ladder of offered rates, within a p99 bound (µs).
    Knee { p99_bound_us: f64 },
}

/// A server and its figure.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ServedLeader {
    pub(crate) cell: CellRef,
    /// Its throughput (req/s) or knee (req/s; `None`: no rate within the bound).
    pub(crate) value: Option<f64>,
    /// The connections of the step the figure is from.
    pub(crate) connections: Option<usize>,
    /// The server's CPU per request at that step, µs.
    pub(crate) server_cpu_us_per_request: Option<f64>,
    /// The generator's cores at that step.
    pub(crate) generator_cores: Option<f64>,
    /// The generator limited that step (or a higher rate): a floor.
    pub(crate) floor: bool,
}

/// The section itself, for the registry.
pub(crate) struct Verdict;

impl super::Section for Verdict {
    fn id(&self) -> &'static str {
        "verdict"
    }

    fn findings(&self, report: &Report<'_>) -> Option<serde_json::Value> {
        super::as_json(Some(&*report.verdict_finding()))
    }

    fn render(&self, report: &Report<'_>, out: &mut String) {
        render::verdict(&report.verdict_finding(), out);
    }
}

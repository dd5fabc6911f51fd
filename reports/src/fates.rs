//! What became of each cell of the opt-in crash workloads (ids starting
//! [`PREFIX`]): J jobs of which one fails midway, by panicking ([`PANIC`]) or by
//! aborting the process it runs in ([`ABORT`]). Shared by the *Crash isolation*
//! section and claim 2 (isolation), so it depends on the results model alone.
//!
//! A cell that finished reports how many jobs completed and were lost (the
//! measures [`JOBS`], [`JOBS_COMPLETED`] and [`JOBS_LOST`]): a partial answer. A
//! cell whose process died has no numbers at all, only the harness's record of
//! how it ended ([`Cell::exit`]): then nothing survived. Nothing here reads error
//! text.

use crate::model::{Cell, ProcessExit, Results, Status};
use rtcompare_api::ids;
use serde::Serialize;

/// Workload ids of the crash workloads start with this.
pub(crate) const PREFIX: &str = ids::workload::CRASH_PREFIX;
/// One job panics: the failure unwinds the thread it runs on.
pub(crate) const PANIC: &str = ids::workload::CRASH_PANIC;
/// One job aborts: the failure ends the process it runs in.
pub(crate) const ABORT: &str = ids::workload::CRASH_ABORT;
/// The workload measure: jobs submitted (J).
pub(crate) const JOBS: &str = ids::metric::JOBS;
/// The workload measure: jobs whose result was kept.
pub(crate) const JOBS_COMPLETED: &str = ids::metric::JOBS_COMPLETED;
/// The workload measure: jobs that failed or died with another.
pub(crate) const JOBS_LOST: &str = ids::metric::JOBS_LOST;

/// What became of one crash cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) enum Fate {
    /// The cell finished with the results of `completed` of `jobs` jobs.
    Survived {
        /// Jobs whose result was kept.
        completed: usize,
        /// Jobs lost.
        lost: usize,
        /// Jobs submitted.
        jobs: usize,
    },
    /// The cell's process died before it could report (`exit` as the harness
    /// recorded it): no job's result survived.
    Died {
        /// How the process ended.
        exit: ProcessExit,
    },
    /// What the failure took is unknown.
    Unknown {
        /// Why it is not known.
        why: Why,
    },
}

/// Why a crash cell's fate is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) enum Why {
    /// The cell finished without the job counts.
    NoJobCounts,
    /// The cell ended with this status without its process dying of the crash:
    /// it failed on its own record or was killed for time (`failed`), or timed
    /// out (`timeout`).
    Ended(Status),
}

impl Fate {
    /// Whether the cell produced (part of) an answer.
    pub(crate) fn survived(&self) -> bool {
        matches!(self, Fate::Survived { .. })
    }
}

/// The fate of `cell`, a crash cell that applies. `jobs` is the batch size when
/// the cell itself does not say it (a process that died reports nothing).
pub(crate) fn fate(cell: &Cell, jobs: Option<usize>) -> Fate {
    let count = |key: &str| {
        cell.metrics
            .get(key)
            .filter(|v| v.is_finite() && **v >= 0.0)
            .map(|v| v.round() as usize)
    };
    match cell.status {
        Status::Ok => match (count(JOBS_COMPLETED), count(JOBS).or(jobs)) {
            (Some(completed), Some(jobs)) => Fate::Survived {
                completed,
                lost: count(JOBS_LOST).unwrap_or(jobs.saturating_sub(completed)),
                jobs,
            },
            _ => Fate::Unknown {
                why: Why::NoJobCounts,
            },
        },
        Status::Failed => match &cell.exit {
            Some(exit) if exit.died() => Fate::Died { exit: exit.clone() },
            _ => Fate::Unknown {
                why: Why::Ended(Status::Failed),
            },
        },
        other => Fate::Unknown {
            why: Why::Ended(other),
        },
    }
}

/// The batch size of `workload`: what any of its cells reports or was given.
pub(crate) fn batch(results: &Results, workload: &str) -> Option<usize> {
    let cells = || results.cells.iter().filter(|c| c.workload == workload);
    cells()
        .find_map(|c| c.metrics.get(JOBS).copied())
        .or_else(|| cells().find_map(|c| c.param(JOBS)))
        .filter(|v| v.is_finite() && *v >= 0.0)
        .map(|v| v.round() as usize)
}

/// `panic` for `crash-panic`.
pub(crate) fn variant(workload: &str) -> &str {
    workload.strip_prefix(PREFIX).unwrap_or(workload)
}

//! The crash finding: per crash workload, the table's rows (the cells of one
//! runner that ended alike) and what the failure took, grouped by outcome. Numbers,
//! enums and runner ids only; `render.rs` words it.

use crate::fates::{Fate, PREFIX, Why, batch, fate};
use crate::judge::Disturbance;
use crate::model::{Cell, ProcessExit, Results};
use serde::Serialize;

/// What the section shows: one entry per crash workload that ran.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct CrashFinding {
    /// The crash workloads with a cell that applies, in report order.
    pub(crate) variants: Vec<Variant>,
}

/// One crash workload.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Variant {
    /// Its id (`crash-abort`).
    pub(crate) workload: String,
    /// Jobs per batch, when any of its cells says.
    pub(crate) jobs: Option<usize>,
    /// The cells of one runner that ended alike, thread counts merged; in
    /// runner order, then by first thread count.
    pub(crate) rows: Vec<Row>,
    /// How other load disturbed the cells it did, by runner order then thread
    /// count: shown in `rows`, left out of `outcome`.
    pub(crate) disturbed: Vec<Disturbance>,
    /// What the failure took, over the undisturbed rows.
    pub(crate) outcome: Outcome,
}

/// Cells of one runner and workload that ended alike.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Row {
    pub(crate) runner: String,
    /// Their thread counts, ascending.
    pub(crate) threads: Vec<usize>,
    pub(crate) fate: Fate,
    /// Other load disturbed these cells.
    pub(crate) disturbed: bool,
}

/// A runner in a group of outcomes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct RunnerAt {
    pub(crate) runner: String,
    /// The thread counts of this group, when the runner's cells ended in more
    /// than one way; `None` when all of them ended so.
    pub(crate) threads: Option<Vec<usize>>,
}

/// Where a variant's failure was contained, over its undisturbed cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) enum Contained {
    /// Every cell finished and none's outcome is unknown.
    Everywhere,
    /// Every cell whose outcome is known finished; some are unknown.
    WhereKnown,
    /// Some cells finished and some processes died.
    SomeRunners,
    /// No cell finished; some processes died.
    Nowhere,
    /// No cell's outcome is known.
    NotKnown,
}

/// What a variant's failure took.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Outcome {
    pub(crate) contained: Contained,
    /// The runners whose cells finished, grouped by what they kept.
    pub(crate) kept: Vec<Kept>,
    /// The runners whose cell process died, grouped by how.
    pub(crate) died: Vec<Died>,
    /// The runners whose outcome is unknown, one entry per row.
    pub(crate) unknown: Vec<NotKnown>,
}

/// Runners that kept `completed` of `jobs` jobs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Kept {
    pub(crate) completed: usize,
    pub(crate) jobs: usize,
    pub(crate) runners: Vec<RunnerAt>,
}

/// Runners whose cell process died, `exit` as the harness recorded it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Died {
    pub(crate) exit: ProcessExit,
    pub(crate) runners: Vec<RunnerAt>,
}

/// A runner whose outcome is unknown, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct NotKnown {
    pub(crate) runner: RunnerAt,
    pub(crate) why: Why,
}

/// The finding of `results`, or `None` without a crash cell that applies.
/// `rank` orders runners as the rest of the report does; `workloads` is the
/// report's workload order (variants follow it).
pub(crate) fn derive(
    results: &Results,
    rank: &dyn Fn(&str) -> usize,
    workloads: &[&str],
) -> Option<CrashFinding> {
    let variant_rank = |w: &str| workloads.iter().position(|x| *x == w).unwrap_or(usize::MAX);
    let mut cells: Vec<&Cell> = results
        .cells
        .iter()
        .filter(|c| c.workload.starts_with(PREFIX) && c.applies())
        .collect();
    cells.sort_by_key(|c| (variant_rank(&c.workload), rank(&c.runner), c.threads));
    let mut names: Vec<&str> = Vec::new();
    for cell in &cells {
        if !names.contains(&cell.workload.as_str()) {
            names.push(&cell.workload);
        }
    }
    if names.is_empty() {
        return None;
    }
    let variants = names
        .into_iter()
        .map(|w| {
            let mine: Vec<&Cell> = cells.iter().copied().filter(|c| c.workload == w).collect();
            derive_variant(results, w, &mine)
        })
        .collect();
    Some(CrashFinding { variants })
}

/// The variant `workload` from its `cells`, already in order.
fn derive_variant(results: &Results, workload: &str, cells: &[&Cell]) -> Variant {
    let jobs = batch(results, workload);
    let mut rows: Vec<Row> = Vec::new();
    for cell in cells {
        let fate = fate(cell, jobs);
        match rows
            .iter_mut()
            .find(|r| r.runner == cell.runner && r.fate == fate && r.disturbed == cell.disturbed())
        {
            Some(row) => row.threads.push(cell.threads),
            None => rows.push(Row {
                runner: cell.runner.clone(),
                threads: vec![cell.threads],
                fate,
                disturbed: cell.disturbed(),
            }),
        }
    }
    let disturbed = cells.iter().filter_map(|c| Disturbance::of(c)).collect();
    // Disturbed cells take no part in the finding (see `judge`).
    let judged: Vec<&Row> = rows.iter().filter(|r| !r.disturbed).collect();
    Variant {
        workload: workload.to_owned(),
        jobs,
        outcome: outcome(&judged),
        disturbed,
        rows,
    }
}

/// What the failure took on `rows`, the undisturbed rows of one variant.
fn outcome(rows: &[&Row]) -> Outcome {
    // A runner with rows of other outcomes is named with the thread counts of each.
    let at = |row: &Row| RunnerAt {
        runner: row.runner.clone(),
        threads: (rows.iter().filter(|r| r.runner == row.runner).count() > 1)
            .then(|| row.threads.clone()),
    };
    let mut kept: Vec<Kept> = Vec::new();
    let mut died: Vec<Died> = Vec::new();
    let mut unknown: Vec<NotKnown> = Vec::new();
    for row in rows {
        match &row.fate {
            &Fate::Survived {
                completed, jobs, ..
            } => match kept
                .iter_mut()
                .find(|k| (k.completed, k.jobs) == (completed, jobs))
            {
                Some(group) => group.runners.push(at(row)),
                None => kept.push(Kept {
                    completed,
                    jobs,
                    runners: vec![at(row)],
                }),
            },
            Fate::Died { exit } => match died.iter_mut().find(|d| d.exit == *exit) {
                Some(group) => group.runners.push(at(row)),
                None => died.push(Died {
                    exit: exit.clone(),
                    runners: vec![at(row)],
                }),
            },
            &Fate::Unknown { why } => unknown.push(NotKnown {
                runner: at(row),
                why,
            }),
        }
    }
    let contained = match (kept.is_empty(), died.is_empty()) {
        (false, true) if unknown.is_empty() => Contained::Everywhere,
        (false, true) => Contained::WhereKnown,
        (false, false) => Contained::SomeRunners,
        (true, false) => Contained::Nowhere,
        (true, true) => Contained::NotKnown,
    };
    Outcome {
        contained,
        kept,
        died,
        unknown,
    }
}

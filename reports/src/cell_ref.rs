//! A reference to one cell of the matrix, as findings name cells: by runner,
//! workload and thread count, never by position in a results file.

use crate::model::Cell;
use serde::Serialize;

/// A cell, by its place in the matrix: `runner/workload/threads`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct CellRef {
    pub(crate) runner: String,
    pub(crate) workload: String,
    pub(crate) threads: usize,
}

impl CellRef {
    /// The reference to `cell`.
    pub(crate) fn of(cell: &Cell) -> Self {
        CellRef {
            runner: cell.runner.clone(),
            workload: cell.workload.clone(),
            threads: cell.threads,
        }
    }

    /// `runner/workload/tN`, as [`Cell::key`] writes it.
    pub(crate) fn key(&self) -> String {
        format!("{}/{}/t{}", self.runner, self.workload, self.threads)
    }
}

/// A cell of a workload the finding already names: by runner and thread count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct CellAt {
    pub(crate) runner: String,
    pub(crate) threads: usize,
}

impl CellAt {
    /// The place of `cell` within its workload.
    pub(crate) fn of(cell: &Cell) -> Self {
        CellAt {
            runner: cell.runner.clone(),
            threads: cell.threads,
        }
    }
}

//! Shared by the claims on a global lock (6 and 7): the locked runners' cells
//! and why there are none.

use super::*;

/// Why the claims on a global lock found no cell to judge.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) enum LockedGap {
    Missing(Absence),
    /// No runner of class concurrent-serialized ran.
    NoLockedRunner,
    /// The runner finished the workload at one thread only.
    OneThreadOnly {
        runner: String,
        workload: String,
    },
}

impl LockedGap {
    pub(super) fn text(&self) -> String {
        match self {
            LockedGap::Missing(absence) => absence.text(),
            LockedGap::NoLockedRunner => {
                "no runner with a global lock (class concurrent-serialized) ran".to_owned()
            }
            LockedGap::OneThreadOnly { runner, workload } => {
                format!("`{workload}` finished on {runner} at one thread only")
            }
        }
    }
}

/// The runners with a global lock, and their cells on `workload` at more than
/// one thread finished with a speedup, or what is missing when there are none.
pub(super) fn locked_cells<'a>(
    run: &Run<'a>,
    workload: &str,
) -> (Vec<&'a str>, Result<Vec<&'a Cell>, Vec<LockedGap>>) {
    let gil = run.runners(|c| c.class == Class::ConcurrentSerialized);
    let cells: Vec<&Cell> = gil
        .iter()
        .flat_map(|r| run.finished(r, workload))
        .filter(|c| c.threads > 1 && run.speedup(c).is_some())
        .collect();
    if !cells.is_empty() {
        return (gil, Ok(cells));
    }
    let missing = match run.absent_seq(workload) {
        Some(m) => vec![LockedGap::Missing(m)],
        None if gil.is_empty() => vec![LockedGap::NoLockedRunner],
        None => gil
            .iter()
            .map(|r| {
                if run.finished(r, workload).is_empty() {
                    LockedGap::Missing(run.absence(r, workload))
                } else {
                    LockedGap::OneThreadOnly {
                        runner: r.to_string(),
                        workload: workload.to_owned(),
                    }
                }
            })
            .collect(),
    };
    (gil, Err(missing))
}

//! The section's derivation: per network workload, each runner at its best
//! thread count, in order, with the runners that did not finish, the cells'
//! notes and the runners whose connections wait; then the cells the tables
//! mark (measured with in-cell clients, disturbed).

use super::sweep;
use super::{EchoFinding, Footnote, Plan, Runner, Table, Unfinished};

use crate::cell_ref::CellRef;
use crate::judge::Disturbance;
use crate::model::{Cell, Status};
use crate::network::{self, CONNS, GROWTH, KNEE_P99_BOUND_US, OPEN, WORKLOADS};
use crate::sections::Report;

impl<'a> Report<'a> {
    /// The finding, or `None` when no network cell applies.
    pub(super) fn derive_echo(&self) -> Option<EchoFinding> {
        let shown: Vec<(Table, Vec<&Cell>)> = WORKLOADS
            .iter()
            .filter_map(|w| self.echo_table(w))
            .collect();
        if shown.is_empty() {
            return None;
        }
        let cells: Vec<&Cell> = shown.iter().flat_map(|(_, c)| c.iter().copied()).collect();
        Some(EchoFinding {
            logical_cores: self.results.machine.logical_cores,
            knee_p99_bound_us: KNEE_P99_BOUND_US,
            growth: GROWTH,
            in_cell_clients: cells
                .iter()
                .filter(|c| network::in_cell_clients(c))
                .map(|c| CellRef::of(c))
                .collect(),
            disturbed: cells.iter().filter_map(|c| Disturbance::of(c)).collect(),
            tables: shown.into_iter().map(|(t, _)| t).collect(),
        })
    }

    /// The table of `workload` and the cells it shows, in row order; `None` when
    /// no cell of it applies.
    fn echo_table(&self, workload: &str) -> Option<(Table, Vec<&'a Cell>)> {
        let cells = self.cells_of(workload);
        if !cells.iter().any(|c| c.applies()) {
            return None;
        }
        let mut names: Vec<&str> = Vec::new();
        for cell in &cells {
            if !names.contains(&cell.runner.as_str()) {
                names.push(&cell.runner);
            }
        }
        let mut shown: Vec<(Runner, &Cell)> = Vec::new();
        let mut unfinished: Vec<Unfinished> = Vec::new();
        for name in names {
            let own: Vec<&Cell> = cells.iter().copied().filter(|c| c.runner == name).collect();
            match self.best_cell(&own) {
                Some(best) => shown.push(best),
                None => {
                    let status = own.first().map_or(Status::Failed, |c| c.status);
                    match unfinished.iter_mut().find(|u| u.status == status) {
                        Some(u) => u.runners.push(name.to_owned()),
                        None => unfinished.push(Unfinished {
                            status,
                            runners: vec![name.to_owned()],
                        }),
                    }
                }
            }
        }
        // Ranked rows first, best first; a stable sort keeps runner order on ties.
        shown.sort_by(|(a, _), (b, _)| {
            let apart = |r: &Runner| (r.in_cell_clients, r.disturbed);
            apart(a).cmp(&apart(b)).then(sweep::compare(b, a))
        });
        let plan = plan(workload, &shown);
        if matches!(plan, Plan::Rates { .. }) {
            sweep::order_by_knee(&mut shown);
        }
        let notes = notes(&mut shown);
        let runners: Vec<Runner> = shown.iter().map(|(r, _)| r.clone()).collect();
        let waiting = sweep::waiting(&runners);
        let table = Table {
            workload: workload.to_owned(),
            plan,
            runners,
            unfinished,
            notes,
            waiting,
        };
        Some((table, shown.into_iter().map(|(_, c)| c).collect()))
    }

    /// A runner's best finished cell of `own` (its cells of one workload), as a
    /// row: by [`sweep::compare`], among the undisturbed ones when it has any.
    fn best_cell(&self, own: &[&'a Cell]) -> Option<(Runner, &'a Cell)> {
        let finished: Vec<(Runner, &Cell)> = own
            .iter()
            .copied()
            .filter(|c| c.status == Status::Ok)
            .map(|c| (sweep::runner(c, self.runner_meta(c)), c))
            .collect();
        let judged = finished.iter().any(|(r, _)| !r.disturbed);
        finished
            .into_iter()
            .filter(|(r, _)| !judged || !r.disturbed)
            .reduce(|best, next| {
                if sweep::compare(&next.0, &best.0).is_gt() {
                    next
                } else {
                    best
                }
            })
    }
}

/// The notes of the shown cells, numbered from 1 in row order, each runner's
/// [`Runner::notes`] set to its numbers.
fn notes(shown: &mut [(Runner, &Cell)]) -> Vec<Footnote> {
    let mut notes: Vec<Footnote> = Vec::new();
    for (runner, cell) in shown.iter_mut() {
        for text in &cell.notes {
            let at = match notes.iter().position(|n| n.note == *text) {
                Some(at) => at,
                None => {
                    notes.push(Footnote {
                        note: text.clone(),
                        runners: Vec::new(),
                    });
                    notes.len() - 1
                }
            };
            if !notes[at].runners.contains(&runner.runner) {
                notes[at].runners.push(runner.runner.clone());
            }
            runner.notes.push(at + 1);
        }
    }
    notes
}

/// The plan of `workload`'s table: the distinct rates or connection counts its
/// rows ran.
fn plan(workload: &str, shown: &[(Runner, &Cell)]) -> Plan {
    let steps = || shown.iter().flat_map(|(r, _)| &r.steps);
    if workload == OPEN {
        let mut rates: Vec<f64> = steps().filter_map(|s| s.offered_per_s).collect();
        rates.sort_by(f64::total_cmp);
        rates.dedup();
        Plan::Rates { rates_per_s: rates }
    } else if workload == CONNS {
        let mut counts: Vec<usize> = steps().filter_map(|s| s.connections).collect();
        counts.sort_unstable();
        counts.dedup();
        Plan::Connections { counts }
    } else {
        Plan::Closed
    }
}

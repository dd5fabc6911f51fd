//! The answer for servers on a ladder of offered rates (`tcp-echo-open`): the
//! runners in the order *Network servers* ranks them, by knee, equal knees by
//! the server CPU per request at the highest rate both kept up with. A knee has
//! no per-sample spread, so the pick is an order with its ratio, not a margin
//! with an interval.

use super::*;
use crate::model::Cell;
use crate::sections::echo::{Runner, common_rate, cpu_at};

impl Report<'_> {
    /// The answer for `work` from the ladder of `ran` (one workload); `None`
    /// when no undisturbed, generator-measured runner has a knee.
    pub(super) fn knee_answer(&self, work: Work, ran: &[&str]) -> Option<Answer> {
        let workload = *ran.first()?;
        let finding = self.echo();
        let table = finding
            .as_ref()
            .as_ref()?
            .tables
            .iter()
            .find(|t| t.workload == workload)?;
        let ranked: Vec<&Runner> = table
            .runners
            .iter()
            .filter(|r| !r.disturbed && !r.in_cell_clients && r.knee.is_some())
            .collect();
        let winner = *ranked.first()?;
        let knee = |r: &Runner| r.knee.and_then(|k| k.rate_per_s);
        let pick = match ranked.get(1) {
            None => Pick::Only {
                winner: self.knee_entry(workload, winner),
            },
            Some(&up) => {
                let tied: Vec<&Runner> = ranked
                    .iter()
                    .copied()
                    .filter(|r| knee(r) == knee(winner))
                    .collect();
                let tie_break = (knee(up) == knee(winner))
                    .then(|| {
                        let rate = common_rate(&tied)?;
                        Some(TieBreak {
                            rate_per_s: rate,
                            winner_cpu_us: cpu_at(winner, rate)?,
                            runner_up_cpu_us: cpu_at(up, rate)?,
                        })
                    })
                    .flatten();
                Pick::Ordered {
                    winner: self.knee_entry(workload, winner),
                    runner_up: self.knee_entry(workload, up),
                    ratio: knee(winner).zip(knee(up)).map(|(a, b)| a / b),
                    tie_break,
                }
            }
        };
        let costs = ranked
            .iter()
            .take(2)
            .filter_map(|r| {
                let rate = knee(r)?;
                let step = r.steps.iter().find(|s| s.offered_per_s == Some(rate))?;
                let cost = ServedCost {
                    runner: r.runner.clone(),
                    server_cpu_us_per_request: step.server_cpu_us_per_request?,
                    generator_cores: step.generator_cores?,
                };
                Some((cost, r.knee.is_some_and(|k| k.floor)))
            })
            .collect();
        Some(Answer {
            work,
            workloads: vec![workload.to_owned()],
            measure: Measure::Knee {
                p99_bound_us: crate::network::KNEE_P99_BOUND_US,
            },
            workers_at_once: None,
            pick,
            disturbed: self
                .results
                .cells
                .iter()
                .filter(|c| c.workload == workload && c.applies() && c.disturbed())
                .count(),
            caveat: self.served_caveat(costs),
        })
    }

    /// The entry of a runner of the ladder: its knee and the samples behind it.
    fn knee_entry(&self, workload: &str, r: &Runner) -> Entry {
        let cell: Option<&Cell> = self
            .results
            .cells
            .iter()
            .find(|c| c.workload == workload && c.runner == r.runner && c.threads == r.threads);
        let samples = cell.map_or(0, |c| c.samples.len());
        let mut processes: Vec<usize> = cell
            .map(|c| c.samples.iter().map(|s| s.process).collect())
            .unwrap_or_default();
        processes.sort_unstable();
        processes.dedup();
        Entry {
            cell: CellRef {
                runner: r.runner.clone(),
                workload: workload.to_owned(),
                threads: r.threads,
            },
            median: r.knee.and_then(|k| k.rate_per_s),
            samples,
            processes: processes.len(),
        }
    }
}

//! The answers' derivation: which cells each kind of work is read from, each
//! runner's best cell by the kind's measure, and the margin between the best two.

use super::*;
use crate::model::{Cell, LoadStep, RunnerMeta, Sample};
use crate::network;
use crate::sections::shared::LEVEL_BAND;
use rtcompare_api::ids::{metric, workload};

/// Which workloads a kind of work is read from.
enum Workloads {
    One(&'static str),
    Prefix(&'static str),
    Among(&'static [&'static str]),
}

/// The kinds of work in the order the answers list them, with their workloads
/// and measure. A kind whose workloads did not run is left out.
const KINDS: [(Work, Workloads, Ranking); 12] = [
    (
        Work::CpuUniform,
        Workloads::One(workload::CPU),
        Ranking::Wall,
    ),
    (
        Work::CpuSkewed,
        Workloads::One(workload::CPU_SKEWED),
        Ranking::Wall,
    ),
    (
        Work::ForkJoin,
        Workloads::One(workload::FORK_JOIN),
        Ranking::Wall,
    ),
    (Work::Timers, Workloads::One(workload::SLEEP), Ranking::Wall),
    (
        Work::TimerLateness,
        Workloads::One(workload::TIMER),
        Ranking::P99,
    ),
    (
        Work::TcpThroughput,
        Workloads::One(workload::TCP_ECHO),
        Ranking::Throughput,
    ),
    (
        Work::TcpLatency,
        Workloads::One(workload::TCP_ECHO_1),
        Ranking::P99,
    ),
    (
        Work::TcpOfferedLoad,
        Workloads::One(workload::TCP_ECHO_OPEN),
        Ranking::Knee,
    ),
    (
        Work::LatencyBesideHogs,
        Workloads::Prefix(workload::MIXED_PREFIX),
        Ranking::P99,
    ),
    (
        Work::SpawnHeavy,
        Workloads::One(workload::SPAWN),
        Ranking::Cost(metric::NS_PER_TASK),
    ),
    (
        Work::MessagePassing,
        Workloads::One(workload::CHANNELS),
        Ranking::Cost(metric::NS_PER_HOP),
    ),
    (
        Work::SharedState,
        Workloads::Among(&[
            workload::SHARED_MUTEX,
            workload::SHARED_ATOMIC,
            workload::SHARED_ASYNC_MUTEX,
            workload::SHARED_MERGE,
        ]),
        Ranking::Cost(metric::NS_PER_UPDATE),
    ),
];

/// How a kind of work is ranked, before the measure is named from the results.
#[derive(Clone, Copy, PartialEq)]
enum Ranking {
    Wall,
    P99,
    Cost(&'static str),
    /// Requests per second per sample: higher is better.
    Throughput,
    /// The knee, from the *Network servers* finding (`knee.rs`).
    Knee,
}

impl Workloads {
    fn contains(&self, id: &str) -> bool {
        match self {
            Workloads::One(w) => id == *w,
            Workloads::Prefix(p) => id.starts_with(p),
            Workloads::Among(ws) => ws.contains(&id),
        }
    }
}

/// Resamples of the margin's bootstrap: enough for a stable 95% interval.
const RESAMPLES: usize = 2_000;

impl Ranking {
    /// The cell's value of the measure per sample, grouped by process.
    fn groups(self, cell: &Cell) -> Vec<Vec<f64>> {
        let requests = requests_per_sample(cell);
        let value = |s: &Sample| -> Option<f64> {
            match self {
                Ranking::Wall => Some(s.wall_s * cell.scale()),
                Ranking::P99 => s.latency_p99_us,
                Ranking::Cost(key) => s.metrics.get(key).copied(),
                Ranking::Throughput => {
                    let requests = s.ops.map(|o| o as f64).or(requests)?;
                    Some(requests / (s.wall_s * cell.scale()))
                }
                Ranking::Knee => None,
            }
        };
        let mut groups: Vec<Vec<f64>> = Vec::new();
        for s in &cell.samples {
            let Some(v) = value(s).filter(|v| v.is_finite()) else {
                continue;
            };
            if groups.len() <= s.process {
                groups.resize(s.process + 1, Vec::new());
            }
            groups[s.process].push(v);
        }
        groups.retain(|g| !g.is_empty());
        groups
    }
}

/// Requests per sample of a cell that does not count them per sample: its
/// generator's step (one step), or, for a cell measured with in-cell clients,
/// its throughput times its median wall.
fn requests_per_sample(cell: &Cell) -> Option<f64> {
    match &cell.load {
        Some(load) => match load.steps.as_slice() {
            [one] => Some(one.requests as f64),
            _ => None,
        },
        None => Some(cell.throughput_per_s? * cell.summary.as_ref()?.median_wall_s),
    }
}

/// A candidate: a judged cell with its measure's samples.
struct Candidate<'a> {
    cell: &'a Cell,
    groups: Vec<Vec<f64>>,
    median: f64,
}

impl<'a> Candidate<'a> {
    /// Whether its samples give its median a 95% interval, as
    /// [`crate::judge::supports`] asks of a cell's wall time.
    fn supports_claims(&self) -> bool {
        let all: Vec<f64> = self.groups.iter().flatten().copied().collect();
        crate::stats::median_interval(&all, 0.95).is_some_and(|i| i.coverage >= 0.95 - 1e-9)
    }

    fn entry(&self) -> Entry {
        Entry {
            cell: CellRef::of(self.cell),
            median: Some(self.median),
            samples: self.groups.iter().map(Vec::len).sum(),
            processes: self.groups.len(),
        }
    }
}

impl<'a> Report<'a> {
    pub(super) fn derive_answers(&self) -> AnswersFinding {
        let mut answers = Vec::new();
        for (index, (work, workloads, ranking)) in KINDS.iter().enumerate() {
            let ran: Vec<&str> = self
                .workloads
                .iter()
                .copied()
                .filter(|w| workloads.contains(w))
                .collect();
            if let Some(answer) = self.answer(*work, &ran, *ranking, index as u64) {
                answers.push(answer);
            }
        }
        let judged: Vec<&Cell> = self
            .results
            .cells
            .iter()
            .filter(|c| crate::judge::judged_summary(c).is_some())
            .collect();
        let counts: Vec<usize> = judged.iter().map(|c| c.samples.len()).collect();
        AnswersFinding {
            answers,
            cells: judged.len(),
            samples: [
                counts.iter().copied().min().unwrap_or(0),
                counts.iter().copied().max().unwrap_or(0),
            ],
            disturbed: self
                .results
                .cells
                .iter()
                .filter(|c| c.applies() && c.disturbed())
                .count(),
        }
    }

    /// The answer for `work` from the workloads of it that `ran`; `None` when
    /// no runner has a judged, finished cell with the measure.
    fn answer(&self, work: Work, ran: &[&str], ranking: Ranking, seed: u64) -> Option<Answer> {
        if ranking == Ranking::Knee {
            return self.knee_answer(work, ran);
        }
        let cells: Vec<&Cell> = self
            .results
            .cells
            .iter()
            .filter(|c| ran.contains(&c.workload.as_str()))
            .collect();
        let disturbed = cells
            .iter()
            .filter(|c| c.applies() && c.disturbed())
            .count();
        let mut judged: Vec<&Cell> = cells
            .into_iter()
            .filter(|c| crate::judge::judged_summary(c).is_some())
            .collect();
        // Shared state: contended cells only, when any ran, so an update nobody
        // competes for is not set against one that eight workers fight over.
        let mut workers_at_once = None;
        if work == Work::SharedState {
            let contention = |c: &Cell| crate::overhead::contention(self.results, c).unwrap_or(1);
            if judged.iter().any(|c| contention(c) > 1) {
                judged.retain(|c| contention(c) > 1);
            }
            workers_at_once = judged.iter().map(|c| contention(c)).min();
        }
        // Servers the generator measured are never ranked beside cells whose
        // clients ran inside them.
        if judged.iter().any(|c| network::generator_measured(c)) {
            judged.retain(|c| network::generator_measured(c));
        }
        let higher = ranking == Ranking::Throughput;
        let best = self.best_per_runner(judged, ranking);
        let winner = best.first()?;
        let pick = match best.get(1) {
            None => Pick::Only {
                winner: winner.entry(),
            },
            Some(up) => {
                // The ratio is above 1 when the winner is ahead.
                let (base, now) = if higher { (up, winner) } else { (winner, up) };
                let ([lo, hi], _) = crate::stats::hierarchical_ratio_of_medians(
                    &base.groups,
                    &now.groups,
                    RESAMPLES,
                    0x5eed ^ seed,
                );
                let ratio = now.median / base.median;
                let supported = winner.supports_claims() && up.supports_claims();
                Pick::Ranked {
                    winner: winner.entry(),
                    runner_up: up.entry(),
                    margin: Margin {
                        ratio,
                        interval: [lo, hi],
                        supported,
                        separated: supported && lo > 1.0 && ratio > 1.0 + LEVEL_BAND,
                    },
                }
            }
        };
        let leaders: Vec<&Cell> = best.iter().take(2).map(|c| c.cell).collect();
        Some(Answer {
            work,
            workloads: ran.iter().map(|w| (*w).to_owned()).collect(),
            measure: self.measure(ranking, ran),
            workers_at_once,
            pick,
            disturbed,
            caveat: self.caveat(work, &leaders),
        })
    }

    /// Each runner with its best cell among `judged` by `ranking`, best first
    /// (ties in report order).
    fn best_per_runner<'c>(&self, judged: Vec<&'c Cell>, ranking: Ranking) -> Vec<Candidate<'c>> {
        let higher = ranking == Ranking::Throughput;
        let mut best: Vec<Candidate<'_>> = Vec::new();
        for cell in judged {
            let groups = ranking.groups(cell);
            let all: Vec<f64> = groups.iter().flatten().copied().collect();
            if all.is_empty() {
                continue;
            }
            let candidate = Candidate {
                cell,
                median: crate::stats::median(&all),
                groups,
            };
            let better = |b: &Candidate<'_>| {
                if higher {
                    candidate.median > b.median
                } else {
                    candidate.median < b.median
                }
            };
            match best.iter_mut().find(|b| b.cell.runner == cell.runner) {
                Some(b) if better(b) => *b = candidate,
                Some(_) => {}
                None => best.push(candidate),
            }
        }
        best.sort_by(|a, b| {
            let order = a.median.total_cmp(&b.median);
            if higher { order.reverse() } else { order }.then(
                self.runner_rank(&a.cell.runner)
                    .cmp(&self.runner_rank(&b.cell.runner)),
            )
        });
        best
    }

    /// The measure named from the results: a cost with the header its workload
    /// declared.
    fn measure(&self, ranking: Ranking, ran: &[&str]) -> Measure {
        match ranking {
            Ranking::Wall => Measure::WallTime,
            Ranking::P99 => Measure::LatencyP99,
            Ranking::Throughput => Measure::Throughput,
            Ranking::Knee => Measure::Knee {
                p99_bound_us: network::KNEE_P99_BOUND_US,
            },
            Ranking::Cost(key) => Measure::Cost {
                key: key.to_owned(),
                header: ran
                    .iter()
                    .filter_map(|w| self.workload_meta(w))
                    .flat_map(|m| &m.metrics)
                    .find(|m| m.key == key)
                    .map_or_else(|| key.to_owned(), |m| m.header.clone()),
            },
        }
    }

    /// The caveat that matters most for `work` about its winner or runner-up
    /// (`leaders`), from what the results file says of them.
    fn caveat(&self, work: Work, leaders: &[&Cell]) -> Option<Caveat> {
        let metas: Vec<(&Cell, &RunnerMeta)> = leaders
            .iter()
            .filter_map(|c| Some((*c, self.runner_meta(c)?)))
            .collect();
        let first = |test: &dyn Fn(&Cell, &RunnerMeta) -> bool| {
            metas
                .iter()
                .find(|(c, m)| test(c, m))
                .map(|(c, _)| c.runner.clone())
        };
        let said = |m: &RunnerMeta, words: &str| m.caveats.iter().any(|c| c.contains(words));
        let sockets = matches!(
            work,
            Work::TcpThroughput | Work::TcpLatency | Work::TcpOfferedLoad
        );
        let timers = matches!(
            work,
            Work::Timers | Work::TimerLateness | Work::LatencyBesideHogs
        );
        if sockets {
            if let Some(c) = leaders.iter().find(|c| network::in_cell_clients(c)) {
                return Some(Caveat::InCellClients {
                    runner: c.runner.clone(),
                });
            }
            let costs = leaders
                .iter()
                .filter_map(|c| Some((c.runner.as_str(), c.load.as_ref()?.steps.first()?)))
                .map(|(runner, s): (&str, &LoadStep)| {
                    let cost = ServedCost {
                        runner: runner.to_owned(),
                        server_cpu_us_per_request: s.server_cpu_us_per_request,
                        generator_cores: s.generator_cores,
                    };
                    (cost, s.generator_behind_samples > 0)
                })
                .collect();
            if let Some(caveat) = self.served_caveat(costs) {
                return Some(caveat);
            }
        }
        if timers {
            if let Some(runner) = first(&|_, m| m.timer.contains("resolution")) {
                return Some(Caveat::TimerTicks { runner });
            }
        }
        if let Some(runner) = first(&|c, _| c.extrapolation.is_some()) {
            return Some(Caveat::Extrapolated { runner });
        }
        if sockets || timers {
            if let Some(runner) = first(&|_, m| said(m, "no timer or reactor")) {
                return Some(Caveat::BorrowedReactor { runner });
            }
        }
        first(&|_, m| said(m, "discontinued")).map(|runner| Caveat::Discontinued { runner })
    }
}

impl Report<'_> {
    /// The caveat of a network answer from each leader's cost at the step its
    /// figure is from, winner first, with whether that figure is a floor (the
    /// generator limited it); `None` without costs.
    pub(super) fn served_caveat(&self, costs: Vec<(ServedCost, bool)>) -> Option<Caveat> {
        if costs.is_empty() {
            return None;
        }
        Some(Caveat::Served(ServedCaveat {
            generator_bound: costs
                .iter()
                .filter(|(_, floor)| *floor)
                .map(|(c, _)| c.runner.clone())
                .collect(),
            costs: costs.into_iter().map(|(c, _)| c).collect(),
            logical_cores: self.results.machine.logical_cores,
        }))
    }
}

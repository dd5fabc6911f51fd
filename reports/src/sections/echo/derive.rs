//! The echo section's derivation: from the results to an [`EchoFinding`] of
//! numbers, statuses and cell references, with every Little's-law check decided
//! here and none left to the wording.

use super::{LOADED, OPEN, QUEUEING_TOLERANCE, UNLOADED, connections, present, rate};
use crate::judge::Disturbance;
use crate::model::{Cell, Latency, Results, RunnerMeta, Status};
use crate::overhead::PER_TASK_KNOB;
use crate::sections::shared::{NetKind, net_kind};
use serde::Serialize;

/// What the section shows: the table of round trips and what Little's law says
/// of the closed loop.
#[derive(Debug, Clone, Serialize)]
pub(super) struct EchoFinding {
    pub(super) ran: Ran,
    /// The table, in report order of runners, then by thread count.
    pub(super) rows: Vec<Row>,
    /// The cells that other load disturbed (the table's §), unloaded ones first,
    /// then loaded, then open loop.
    pub(super) disturbed: Vec<Disturbance>,
    /// `None` when no judged loaded cell has a connection count, a throughput
    /// and a median.
    pub(super) queueing: Option<Queueing>,
}

/// Which of the three workloads have a cell that applies, and how they ran: the
/// table's column groups and the section's opening sentence.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Ran {
    pub(super) unloaded: bool,
    /// The distinct connection counts of the loaded cells that apply, ascending;
    /// `None` when no loaded cell applies.
    pub(super) loaded_connections: Option<Vec<f64>>,
    /// The distinct request rates of the open-loop cells, ascending, or the run's
    /// configured rate when no cell records one; `None` when no open-loop cell
    /// applies.
    pub(super) open_rates: Option<Vec<f64>>,
}

/// One line of the table: a runner at a thread count, across the three workloads.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Row {
    pub(super) runner: String,
    pub(super) threads: usize,
    /// Any of its cells was disturbed by other load (§).
    pub(super) disturbed: bool,
    /// `None` inside `Finished` when the cell recorded no latency.
    pub(super) unloaded: Entry<Option<Percentiles>>,
    pub(super) loaded: Entry<Loaded>,
    pub(super) open: Entry<Option<Percentiles>>,
}

/// A row's cell of one workload.
#[derive(Debug, Clone, Serialize)]
pub(super) enum Entry<T> {
    /// The runner has no cell of the workload at that thread count.
    Absent,
    /// The cell did not finish, or does not apply: its status.
    Unfinished(Status),
    /// The cell finished.
    Finished(T),
}

impl<T> Entry<T> {
    fn of(cell: Option<&Cell>, finished: impl FnOnce(&Cell) -> T) -> Self {
        match cell {
            None => Entry::Absent,
            Some(c) if c.status == Status::Ok => Entry::Finished(finished(c)),
            Some(c) => Entry::Unfinished(c.status),
        }
    }

    /// What the finished cell measured.
    pub(super) fn finished(&self) -> Option<&T> {
        match self {
            Entry::Finished(t) => Some(t),
            _ => None,
        }
    }
}

/// A round trip's median and 99th percentile, µs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub(super) struct Percentiles {
    pub(super) p50_us: f64,
    pub(super) p99_us: f64,
}

impl Percentiles {
    fn of(cell: &Cell) -> Option<Self> {
        cell.latency_us.map(|l| Percentiles {
            p50_us: l.p50,
            p99_us: l.p99,
        })
    }
}

/// A finished loaded cell, as the table shows it.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Loaded {
    pub(super) connections: Option<f64>,
    pub(super) throughput_per_s: Option<f64>,
    /// Connections ÷ throughput, µs: Little's law with every connection in
    /// flight; `None` without a positive, finite throughput.
    pub(super) estimate_us: Option<f64>,
    pub(super) latency: Option<Percentiles>,
}

/// What Little's law says of the judged loaded cells. How many round trips are in
/// flight depends on how a runner's sockets wait (its `net` description,
/// [`net_kind`]), so the runners are checked in two groups.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Queueing {
    /// How far a ratio may be from 1 and still fit ([`QUEUEING_TOLERANCE`]).
    pub(super) tolerance: f64,
    /// The runners that wait on a reactor, or do not say how they serve.
    pub(super) reactor: Option<Reactor>,
    /// The runners that run both ends of each connection in lockstep.
    pub(super) lockstep: Option<Lockstep>,
}

/// On a reactor every connection is in flight, so the estimate is connections ÷
/// throughput and a median near it means loaded latency is queueing.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Reactor {
    /// Some of these runners' results say nothing of how they serve (no `net`),
    /// so the group is only "the other runners".
    pub(super) unknown_serving: bool,
    pub(super) law: Law,
}

/// In lockstep (blocking runners) a round trip never waits in a server queue
/// behind another connection's request, so the median is compared with the same
/// runner's unloaded median; Little's law holds with the round trips that can be
/// in flight, not with every connection.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Lockstep {
    /// Every lockstep runner's loaded cell, in report order.
    pub(super) runners: Vec<LockstepRunner>,
    pub(super) comparison: Comparison,
    /// The runners with a fixed thread count: at most min(connections, threads)
    /// round trips in flight.
    pub(super) fixed: Option<Law>,
    /// The runners with an OS thread per connection (threads knob `per-task`):
    /// every connection can be in flight.
    pub(super) per_task: Option<Law>,
}

/// A lockstep runner's loaded median against its unloaded one.
#[derive(Debug, Clone, Serialize)]
pub(super) struct LockstepRunner {
    pub(super) runner: String,
    pub(super) threads: usize,
    pub(super) loaded_p50_us: f64,
    /// `None` without a finished unloaded cell at the same thread count.
    pub(super) unloaded: Option<VersusUnloaded>,
}

/// The unloaded median of the same runner and thread count.
#[derive(Debug, Clone, Serialize)]
pub(super) struct VersusUnloaded {
    pub(super) p50_us: f64,
    /// Loaded median ÷ unloaded median.
    pub(super) ratio: f64,
    /// The ratio is within the tolerance of 1.
    pub(super) near: bool,
}

/// What the lockstep runners' loaded medians are, against their unloaded ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(super) enum Comparison {
    /// None of them has an unloaded median to compare with.
    NoUnloaded,
    /// Every one has, and is near it: the loaded median is the unloaded cost.
    UnloadedCost,
    /// Otherwise: near on some, not on others, or not every runner has one.
    Ratios,
}

/// Little's law over a group of runners, each with its own in-flight count.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Law {
    /// In report order; never empty.
    pub(super) points: Vec<Point>,
    /// The worked example: the index in `points` of the highest throughput.
    pub(super) example: usize,
    pub(super) agreement: Agreement,
}

/// On how many of a law's points the measured median fits the estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(super) enum Agreement {
    Everywhere,
    Partly,
    Nowhere,
}

/// A judged, finished loaded cell with what Little's law needs, and the law's
/// estimate for it.
#[derive(Debug, Clone, Serialize)]
pub(super) struct Point {
    pub(super) runner: String,
    pub(super) threads: usize,
    pub(super) connections: f64,
    pub(super) throughput_per_s: f64,
    pub(super) p50_us: f64,
    /// The mean round trip, when the file has it (schema 2).
    pub(super) mean_us: Option<f64>,
    /// Round trips that can be in flight at once.
    pub(super) in_flight: f64,
    /// In flight ÷ throughput, µs: the law's mean round trip.
    pub(super) estimate_us: f64,
    /// Measured median ÷ estimate.
    pub(super) ratio: f64,
    /// The ratio is within the tolerance of 1.
    pub(super) fits: bool,
    /// Mean × throughput: the round trips in flight on average, by the law read
    /// the other way; `None` without a mean.
    pub(super) in_flight_measured: Option<f64>,
}

impl Point {
    fn new(cell: &Cell, connections: f64, throughput: f64, l: Latency, in_flight: f64) -> Self {
        let mean = (l.mean > 0.0).then_some(l.mean);
        let estimate = in_flight / throughput * 1e6;
        let ratio = l.p50 / estimate;
        Point {
            runner: cell.runner.clone(),
            threads: cell.threads,
            connections,
            throughput_per_s: throughput,
            p50_us: l.p50,
            mean_us: mean,
            in_flight,
            estimate_us: estimate,
            ratio,
            fits: (ratio - 1.0).abs() <= QUEUEING_TOLERANCE,
            in_flight_measured: mean.map(|m| m * throughput / 1e6),
        }
    }
}

impl Law {
    /// The law over `points`; `None` when there are none.
    fn over(points: Vec<Point>) -> Option<Self> {
        let example = points
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.throughput_per_s.total_cmp(&b.1.throughput_per_s))?
            .0;
        let misfits = points.iter().filter(|p| !p.fits).count();
        let agreement = match misfits {
            0 => Agreement::Everywhere,
            k if k == points.len() => Agreement::Nowhere,
            _ => Agreement::Partly,
        };
        Some(Law {
            points,
            example,
            agreement,
        })
    }

    /// The worked example.
    pub(super) fn example(&self) -> &Point {
        &self.points[self.example]
    }
}

/// The section's finding, or `None` when no echo cell applies. `rank` orders
/// runners as the rest of the report does.
pub(super) fn derive(results: &Results, rank: &dyn Fn(&str) -> usize) -> Option<EchoFinding> {
    if !present(results) {
        return None;
    }
    let of = |workload: &str| -> Vec<&Cell> {
        results
            .cells
            .iter()
            .filter(|c| c.workload == workload)
            .collect()
    };
    let (unloaded, loaded, open) = (of(UNLOADED), of(LOADED), of(OPEN));
    let applies = |cells: &[&Cell]| cells.iter().any(|c| c.applies());
    let ran = Ran {
        unloaded: applies(&unloaded),
        loaded_connections: applies(&loaded).then(|| {
            distinct(
                loaded
                    .iter()
                    .filter(|c| c.applies())
                    .filter_map(|c| connections(c)),
            )
        }),
        open_rates: applies(&open).then(|| {
            let rates = distinct(open.iter().filter_map(|c| rate(c)));
            if rates.is_empty() {
                results.config.rate.into_iter().collect()
            } else {
                rates
            }
        }),
    };

    let mut keys: Vec<(&str, usize)> = Vec::new();
    for cell in unloaded.iter().chain(&loaded).chain(&open) {
        if cell.applies() && !keys.contains(&(cell.runner.as_str(), cell.threads)) {
            keys.push((&cell.runner, cell.threads));
        }
    }
    keys.sort_by_key(|&(runner, threads)| (rank(runner), threads));
    let all: Vec<&Cell> = unloaded
        .iter()
        .chain(&loaded)
        .chain(&open)
        .copied()
        .collect();
    let rows = keys
        .into_iter()
        .map(|(runner, threads)| Row {
            runner: runner.to_owned(),
            threads,
            disturbed: all
                .iter()
                .any(|c| c.runner == runner && c.threads == threads && c.disturbed()),
            unloaded: Entry::of(find(&unloaded, runner, threads), Percentiles::of),
            loaded: Entry::of(find(&loaded, runner, threads), |c| {
                let (n, t) = (connections(c), c.throughput_per_s);
                Loaded {
                    connections: n,
                    throughput_per_s: t,
                    estimate_us: n.zip(t).and_then(|(n, t)| estimate_us(n, t)),
                    latency: Percentiles::of(c),
                }
            }),
            open: Entry::of(find(&open, runner, threads), Percentiles::of),
        })
        .collect();

    // Little's law judges only the cells that take part in findings.
    let mut ordered = judged(&loaded);
    ordered.sort_by_key(|c| (rank(&c.runner), c.threads));
    Some(EchoFinding {
        ran,
        rows,
        disturbed: all.iter().filter_map(|c| Disturbance::of(c)).collect(),
        queueing: queueing(&ordered, &judged(&unloaded), &results.runners),
    })
}

/// The cells among `cells` that take part in findings.
fn judged<'c>(cells: &[&'c Cell]) -> Vec<&'c Cell> {
    cells
        .iter()
        .copied()
        .filter(|c| crate::judge::judged(c))
        .collect()
}

/// The distinct values, ascending.
fn distinct(values: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut values: Vec<f64> = values.collect();
    values.sort_by(f64::total_cmp);
    values.dedup();
    values
}

/// `in_flight` ÷ `throughput` in microseconds: by Little's law the mean round trip
/// of a closed loop with that many round trips in flight. `None` without a
/// positive, finite throughput.
fn estimate_us(in_flight: f64, throughput: f64) -> Option<f64> {
    (throughput > 0.0 && throughput.is_finite()).then(|| in_flight / throughput * 1e6)
}

/// The cell of `runner` at `threads` among `cells`.
fn find<'c>(cells: &[&'c Cell], runner: &str, threads: usize) -> Option<&'c Cell> {
    cells
        .iter()
        .copied()
        .find(|c| c.runner == runner && c.threads == threads)
}

/// Little's law over the `loaded` cells (in report order), with the `unloaded`
/// cells to compare the lockstep runners with and the runners as the results file
/// describes them ([`net_kind`]). Only finished cells with a connection count, a
/// throughput and a median take part; `None` when none has all three.
pub(super) fn queueing(
    loaded: &[&Cell],
    unloaded: &[&Cell],
    runners: &[RunnerMeta],
) -> Option<Queueing> {
    let meta = |cell: &Cell| runners.iter().find(|m| m.id == cell.runner);
    let mut reactor: Vec<Point> = Vec::new();
    let mut fixed: Vec<Point> = Vec::new();
    let mut per_task: Vec<Point> = Vec::new();
    let mut lockstep: Vec<LockstepRunner> = Vec::new();
    let mut unknown = false;
    for cell in loaded.iter().copied().filter(|c| c.status == Status::Ok) {
        let (Some(c), Some(t), Some(l)) =
            (connections(cell), cell.throughput_per_s, cell.latency_us)
        else {
            continue;
        };
        if !(c > 0.0 && t > 0.0 && t.is_finite()) {
            continue;
        }
        match meta(cell).and_then(net_kind) {
            Some(NetKind::Blocking) => {
                lockstep.push(LockstepRunner {
                    runner: cell.runner.clone(),
                    threads: cell.threads,
                    loaded_p50_us: l.p50,
                    unloaded: versus_unloaded(l.p50, find(unloaded, &cell.runner, cell.threads)),
                });
                if meta(cell).is_some_and(|m| m.threads_knob == PER_TASK_KNOB) {
                    per_task.push(Point::new(cell, c, t, l, c));
                } else {
                    fixed.push(Point::new(cell, c, t, l, c.min(cell.threads as f64)));
                }
            }
            kind => {
                unknown |= kind.is_none();
                reactor.push(Point::new(cell, c, t, l, c));
            }
        }
    }
    if reactor.is_empty() && lockstep.is_empty() {
        return None;
    }
    let lockstep = (!lockstep.is_empty()).then(|| {
        let paired = lockstep.iter().filter_map(|r| r.unloaded.as_ref());
        let comparison = if paired.clone().next().is_none() {
            Comparison::NoUnloaded
        } else if paired.clone().count() == lockstep.len() && paired.clone().all(|u| u.near) {
            Comparison::UnloadedCost
        } else {
            Comparison::Ratios
        };
        Lockstep {
            runners: lockstep,
            comparison,
            fixed: Law::over(fixed),
            per_task: Law::over(per_task),
        }
    });
    Some(Queueing {
        tolerance: QUEUEING_TOLERANCE,
        reactor: Law::over(reactor).map(|law| Reactor {
            unknown_serving: unknown,
            law,
        }),
        lockstep,
    })
}

/// A loaded median of `loaded_p50` against the median of the unloaded cell `alone`
/// (the same runner and thread count), when that finished with a positive one.
fn versus_unloaded(loaded_p50: f64, alone: Option<&Cell>) -> Option<VersusUnloaded> {
    let p50 = alone.filter(|c| c.status == Status::Ok)?.latency_us?.p50;
    (p50 > 0.0).then(|| {
        let ratio = loaded_p50 / p50;
        VersusUnloaded {
            p50_us: p50,
            ratio,
            near: (ratio - 1.0).abs() <= QUEUEING_TOLERANCE,
        }
    })
}

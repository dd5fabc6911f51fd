//! What one runner's steps amount to: its row built from a cell (from the
//! generator's steps, or from the cell itself when its clients ran inside it),
//! the score its best thread count is chosen and its table ordered by, where its
//! throughput stops growing, and which runners' connections wait.

use super::{Against, Growth, Runner, Step, Waiting};
use crate::model::{Cell, LoadStep, RunnerMeta};
use crate::network::{self, GROWTH, GeneratorBound, Knee, OPEN};
use crate::sections::shared::OPEN_LOOP_RATE;
use crate::sections::shared::Serving;

/// The row of `cell` (finished), its runner described by `meta`.
pub(super) fn runner(cell: &Cell, meta: Option<&RunnerMeta>) -> Runner {
    let (steps, knee) = match &cell.load {
        Some(load) => {
            let mut steps: Vec<Step> = load.steps.iter().map(step).collect();
            steps.sort_by(|a, b| {
                a.offered_per_s
                    .unwrap_or(0.0)
                    .total_cmp(&b.offered_per_s.unwrap_or(0.0))
                    .then(a.connections.cmp(&b.connections))
            });
            let knee = (cell.workload == OPEN)
                .then(|| Knee::of(&load.steps))
                .flatten();
            (steps, knee)
        }
        None => (vec![in_cell_step(cell)], None),
    };
    let growth = (cell.workload == network::CONNS && cell.load.is_some()).then(|| growth(&steps));
    Runner {
        runner: cell.runner.clone(),
        threads: cell.threads,
        in_cell_clients: network::in_cell_clients(cell),
        disturbed: cell.disturbed(),
        serving: Serving::of(cell, meta),
        notes: Vec::new(),
        steps,
        knee,
        growth,
    }
}

/// A step as the generator recorded it.
fn step(s: &LoadStep) -> Step {
    Step {
        connections: Some(s.connections),
        offered_per_s: s.offered_rate_per_s,
        throughput_per_s: Some(s.achieved_rate_per_s),
        p50_us: Some(s.latency_us.p50),
        p99_us: Some(s.latency_us.p99),
        max_us: Some(s.latency_us.max),
        kept_up: s.kept_up(),
        within_bound: network::within_bound(s),
        server_cpu_us_per_request: Some(s.server_cpu_us_per_request),
        server_cores: Some(s.server_cores),
        generator_cores: Some(s.generator_cores),
        generator_bound: GeneratorBound::of(s),
        rss_per_connection_bytes: s.rss_per_connection_bytes,
    }
}

/// The one step of a cell whose clients ran inside it: what the cell itself
/// recorded, with no server CPU and no generator.
fn in_cell_step(cell: &Cell) -> Step {
    let offered = cell.param(OPEN_LOOP_RATE);
    let throughput = cell.throughput_per_s;
    let p99 = cell.latency_us.map(|l| l.p99);
    let kept_up = match (offered, throughput) {
        (Some(o), Some(t)) => t >= 0.95 * o,
        (Some(_), None) => false,
        (None, _) => true,
    };
    Step {
        connections: network::connections(cell).map(|c| c as usize),
        offered_per_s: offered,
        throughput_per_s: throughput,
        p50_us: cell.latency_us.map(|l| l.p50),
        p99_us: p99,
        max_us: cell.latency_us.map(|l| l.max),
        kept_up,
        within_bound: kept_up && p99.is_some_and(|p| p <= network::KNEE_P99_BOUND_US),
        server_cpu_us_per_request: None,
        server_cores: None,
        generator_cores: None,
        generator_bound: None,
        rss_per_connection_bytes: None,
    }
}

/// What a runner's best thread count is chosen by and its table ordered by,
/// higher being better: on a ladder of rates its knee (no knee below any), ties
/// going to the lower server CPU per request at the knee; otherwise its highest
/// throughput over the steps.
fn score(r: &Runner) -> [f64; 2] {
    match r.knee {
        Some(knee) => {
            let cpu = knee.rate_per_s.and_then(|rate| {
                r.steps
                    .iter()
                    .find(|s| s.offered_per_s == Some(rate))?
                    .server_cpu_us_per_request
            });
            [
                knee.rate_per_s.unwrap_or(-1.0),
                -cpu.unwrap_or(f64::INFINITY),
            ]
        }
        None => [
            r.steps
                .iter()
                .filter_map(|s| s.throughput_per_s)
                .fold(f64::NEG_INFINITY, f64::max),
            0.0,
        ],
    }
}

/// `a` against `b` by [`score`]: `Greater` when `a` is better.
pub(super) fn compare(a: &Runner, b: &Runner) -> std::cmp::Ordering {
    let (a, b) = (score(a), score(b));
    a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1]))
}

/// The highest offered rate every one of `runners` kept up with.
pub(crate) fn common_rate(runners: &[&Runner]) -> Option<f64> {
    let kept = |r: &Runner| -> Vec<f64> {
        r.steps
            .iter()
            .filter(|s| s.kept_up)
            .filter_map(|s| s.offered_per_s)
            .collect()
    };
    kept(runners.first()?)
        .into_iter()
        .filter(|rate| runners.iter().all(|r| kept(r).contains(rate)))
        .max_by(f64::total_cmp)
}

/// The server CPU per request of `r` at the offered `rate`.
pub(crate) fn cpu_at(r: &Runner, rate: f64) -> Option<f64> {
    r.steps
        .iter()
        .find(|s| s.offered_per_s == Some(rate))?
        .server_cpu_us_per_request
}

/// The rows of a ladder of rates in table order: ranked rows first, by knee,
/// highest first; rows with the same knee by their server CPU per request at
/// the highest rate all of them kept up with, lowest first.
pub(super) fn order_by_knee<T>(rows: &mut Vec<(Runner, T)>) {
    let apart = |r: &Runner| r.in_cell_clients || r.disturbed;
    let knee = |r: &Runner| r.knee.and_then(|k| k.rate_per_s).unwrap_or(-1.0);
    let tie_cpu: Vec<f64> = rows
        .iter()
        .map(|(r, _)| {
            let tied: Vec<&Runner> = rows
                .iter()
                .map(|(o, _)| o)
                .filter(|o| apart(o) == apart(r) && knee(o) == knee(r))
                .collect();
            common_rate(&tied)
                .and_then(|rate| cpu_at(r, rate))
                .unwrap_or(f64::INFINITY)
        })
        .collect();
    let mut keyed: Vec<(usize, bool, f64, f64)> = rows
        .iter()
        .enumerate()
        .map(|(i, (r, _))| (i, apart(r), knee(r), tie_cpu[i]))
        .collect();
    keyed.sort_by(|a, b| {
        a.1.cmp(&b.1)
            .then(b.2.total_cmp(&a.2))
            .then(a.3.total_cmp(&b.3))
            .then(a.0.cmp(&b.0))
    });
    let mut taken: Vec<Option<(Runner, T)>> = rows.drain(..).map(Some).collect();
    for (i, ..) in keyed {
        rows.push(taken[i].take().expect("each row once"));
    }
}

/// Where the throughput of `steps` (ascending connection counts) stops growing
/// by [`GROWTH`].
fn growth(steps: &[Step]) -> Growth {
    let points: Vec<(usize, f64)> = steps
        .iter()
        .filter_map(|s| Some((s.connections?, s.throughput_per_s?)))
        .collect();
    let Some(&(last, _)) = points.last().filter(|_| points.len() > 1) else {
        return Growth::OneStep;
    };
    points
        .windows(2)
        .find(|w| w[1].1 < w[0].1 * (1.0 + GROWTH))
        .map_or(Growth::StillGrowing { connections: last }, |w| {
            Growth::StopsAt {
                connections: w[0].0,
                throughput_per_s: w[0].1,
            }
        })
}

/// The runners of a table (in its order) that serve fewer connections at once
/// than a step has, each at one step: its only one, the lowest offered rate of a
/// ladder, or the largest connection count a runner on a reactor also ran. Only
/// undisturbed, generator-measured rows take part.
pub(super) fn waiting(runners: &[Runner]) -> Vec<Waiting> {
    let judged = || {
        runners
            .iter()
            .filter(|r| !r.disturbed && !r.in_cell_clients)
    };
    // The runner on a reactor whose slowest request at the step `at` was fastest.
    let reactor_at = |at: &Step| -> Option<(&Runner, f64)> {
        judged()
            .filter(|r| r.serving == Serving::Reactor)
            .filter_map(|r| {
                let s = r.steps.iter().find(|s| {
                    s.connections == at.connections && s.offered_per_s == at.offered_per_s
                })?;
                Some((r, s.max_us?))
            })
            .min_by(|a, b| a.1.total_cmp(&b.1))
    };
    let mut waiting = Vec::new();
    for r in judged() {
        let narrower = |s: &&Step| {
            s.connections
                .is_some_and(|c| r.serving.narrower_than(c).is_some())
        };
        // On a ladder, the lowest rate (the first step); on a sweep of counts,
        // the largest with a reactor runner beside it.
        let step = if r.growth.is_some() {
            r.steps
                .iter()
                .rev()
                .filter(narrower)
                .find(|s| reactor_at(s).is_some())
        } else {
            r.steps.first().filter(narrower)
        };
        let Some((s, connections, max)) = step.and_then(|s| Some((s, s.connections?, s.max_us?)))
        else {
            continue;
        };
        let Some(served) = r.serving.narrower_than(connections) else {
            continue;
        };
        waiting.push(Waiting {
            runner: r.runner.clone(),
            threads: r.threads,
            served_at_once: served,
            connections,
            offered_per_s: s.offered_per_s,
            max_us: max,
            against: reactor_at(s).map(|(a, a_max)| Against {
                runner: a.runner.clone(),
                threads: a.threads,
                max_us: a_max,
                ratio: max / a_max,
            }),
        });
    }
    waiting
}

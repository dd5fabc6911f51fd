//! The verdict on a network workload the external load generator measured: its
//! runners are servers, so they are ranked as *Network servers* ranks them
//! (knee on a ladder of offered rates, throughput otherwise), from that
//! section's finding, and worded here.

use super::{Served, ServedBy, ServedLeader};
use crate::cell_ref::CellRef;
use crate::format::thousands;
use crate::model::Cell;
use crate::network::{self, FLOOR, KNEE_P99_BOUND_US};
use crate::sections::Report;
use crate::sections::echo::{Plan, Runner, Step, TITLE};
use crate::text::{cores, plural, sig3};

impl Report<'_> {
    /// The verdict of a network workload with a judged, generator-measured cell
    /// among `cells` (judged); `None` for any other workload.
    pub(super) fn served(&self, workload: &str, cells: &[&Cell]) -> Option<Served> {
        if !cells.iter().any(|c| network::generator_measured(c)) {
            return None;
        }
        let finding = self.echo();
        let table = finding
            .as_ref()
            .as_ref()?
            .tables
            .iter()
            .find(|t| t.workload == workload)?;
        let by = match table.plan {
            Plan::Rates { .. } => ServedBy::Knee {
                p99_bound_us: KNEE_P99_BOUND_US,
            },
            _ => ServedBy::Throughput,
        };
        let leaders = table
            .runners
            .iter()
            .filter(|r| !r.disturbed && !r.in_cell_clients)
            .take(2)
            .map(|r| leader(workload, r, by))
            .collect();
        Some(Served {
            by,
            logical_cores: self.results.machine.logical_cores,
            leaders,
        })
    }
}

/// A runner's figure: its knee with the step at it, or its highest throughput.
fn leader(workload: &str, r: &Runner, by: ServedBy) -> ServedLeader {
    let (value, step, floor) = match by {
        ServedBy::Knee { .. } => {
            let knee = r.knee.and_then(|k| k.rate_per_s);
            let step = r
                .steps
                .iter()
                .find(|s| knee.is_some() && s.offered_per_s == knee);
            (knee, step, r.knee.is_some_and(|k| k.floor))
        }
        ServedBy::Throughput => {
            let step = r.steps.iter().max_by(|a, b| {
                let t = |s: &Step| s.throughput_per_s.unwrap_or(0.0);
                t(a).total_cmp(&t(b))
            });
            let value = step.and_then(|s| s.throughput_per_s);
            (
                value,
                step,
                step.is_some_and(|s| s.generator_bound.is_some()),
            )
        }
    };
    ServedLeader {
        cell: CellRef {
            runner: r.runner.clone(),
            workload: workload.to_owned(),
            threads: r.threads,
        },
        value,
        connections: step.and_then(|s| s.connections),
        server_cpu_us_per_request: step.and_then(|s| s.server_cpu_us_per_request),
        generator_cores: step.and_then(|s| s.generator_cores),
        floor,
    }
}

/// The verdict's sentences on a served workload.
pub(super) fn words(served: &Served) -> Vec<String> {
    let by = match served.by {
        ServedBy::Throughput => "throughput".to_owned(),
        ServedBy::Knee { p99_bound_us } => format!(
            "knee (the highest offered rate served with p99 within {})",
            crate::format::duration_us(p99_bound_us)
        ),
    };
    let first = format!(
        "Served to the external load generator, whose plan sets the wall time; ranked by {by} \
         as in *{TITLE}*."
    );
    let entries: Vec<String> = served
        .leaders
        .iter()
        .map(|l| entry(l, served.logical_cores))
        .collect();
    let ranking = match entries.as_slice() {
        [] => "No undisturbed runner was measured by the generator.".to_owned(),
        [only] => format!("Only {only}."),
        [first, next, ..] => format!("Highest {first}, then {next}."),
    };
    vec![first, ranking]
}

/// `tokio-mt (2 threads) at 80,000 req/s (server CPU 3.10 µs per request;
/// generator 0.46 of 2 cores)`.
fn entry(l: &ServedLeader, logical_cores: usize) -> String {
    let value = match l.value {
        Some(v) if l.floor => format!("at {FLOOR} {} req/s", thousands(v)),
        Some(v) => format!("at {} req/s", thousands(v)),
        None => "with no rate within the bound".to_owned(),
    };
    let mut costs = Vec::new();
    if let Some(c) = l.server_cpu_us_per_request {
        costs.push(format!("server CPU {} µs per request", sig3(c)));
    }
    if let Some(g) = l.generator_cores {
        costs.push(format!("generator {} of {logical_cores} cores", cores(g)));
    }
    let cpu = if costs.is_empty() {
        String::new()
    } else {
        format!(" ({})", costs.join("; "))
    };
    format!(
        "{} ({}) {value}{cpu}",
        l.cell.runner,
        plural(l.cell.threads, "thread", "threads")
    )
}

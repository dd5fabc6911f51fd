//! The tables of the swept plans, from the finding alone: the ladder of offered
//! rates (each runner's knee, then latency against offered load step by step)
//! and the sweep of connection counts (throughput, p99 and memory per count,
//! then where each runner's throughput stops growing).

use super::render::{generator_header, name, or_none, served, throughput};
use super::{EchoFinding, Growth, Runner, Step, Table};
use crate::format::{ColumnUnit, bytes, thousands};
use crate::network::FLOOR;
use crate::table::{Align, Table as Grid};
use crate::text::{NONE, cores, sig3};
use std::fmt::Write as _;

/// The knees (when the generator measured any), then every step of the ladder.
pub(super) fn rates(table: &Table, finding: &EchoFinding, out: &mut String) {
    if table.runners.iter().any(|r| r.knee.is_some()) {
        knees(table, finding, out);
        out.push_str("\nStep by step:\n\n");
    }
    ladder(table, finding, out);
}

/// Each runner's knee, with what the step at it measured.
fn knees(table: &Table, finding: &EchoFinding, out: &mut String) {
    let at_knee = ColumnUnit::for_values(
        table
            .runners
            .iter()
            .filter_map(knee_step)
            .filter_map(|s| s.p99_us),
    );
    let mut knees = Grid::new([
        ("Runner".to_owned(), Align::Left),
        ("Threads".to_owned(), Align::Right),
        ("Connections".to_owned(), Align::Right),
        ("Knee [req/s]".to_owned(), Align::Right),
        (at_knee.header("p99 at knee"), Align::Right),
        ("Server CPU at knee [µs/req]".to_owned(), Align::Right),
        (
            format!("{} at knee", generator_header(finding.logical_cores)),
            Align::Right,
        ),
    ]);
    for r in &table.runners {
        let step = knee_step(r);
        let knee = match r.knee {
            None => NONE.to_owned(),
            Some(k) => match k.rate_per_s {
                None => "none".to_owned(),
                Some(rate) if k.top_of_ladder => format!("{} (every rate)", thousands(rate)),
                Some(rate) if k.floor => format!("{FLOOR} {}", thousands(rate)),
                Some(rate) => thousands(rate),
            },
        };
        knees.push_row(vec![
            name(r),
            r.threads.to_string(),
            or_none(
                r.steps
                    .first()
                    .and_then(|s| s.connections)
                    .map(|c| thousands(c as f64)),
            ),
            knee,
            or_none(step.and_then(|s| s.p99_us).map(|v| at_knee.show(v))),
            or_none(step.and_then(|s| s.server_cpu_us_per_request).map(sig3)),
            or_none(step.and_then(|s| s.generator_cores).map(cores)),
        ]);
    }
    out.push_str(&knees.to_markdown());
}

/// Every step of the ladder, runner by runner; the generator, the server's CPU
/// and the bound only where some row was measured by the generator.
fn ladder(table: &Table, finding: &EchoFinding, out: &mut String) {
    let steps = || table.runners.iter().flat_map(|r| &r.steps);
    let p50 = ColumnUnit::for_values(steps().filter_map(|s| s.p50_us));
    let p99 = ColumnUnit::for_values(steps().filter_map(|s| s.p99_us));
    let served = served(table);
    let mut columns = vec![
        ("Runner".to_owned(), Align::Left),
        ("Offered [req/s]".to_owned(), Align::Right),
        ("Achieved [req/s]".to_owned(), Align::Right),
    ];
    if served {
        columns.push((generator_header(finding.logical_cores), Align::Right));
    }
    columns.push((p50.header("p50"), Align::Right));
    columns.push((p99.header("p99"), Align::Right));
    if served {
        columns.push(("Server CPU [µs/req]".to_owned(), Align::Right));
        columns.push(("Within bound".to_owned(), Align::Left));
    }
    let mut ladder = Grid::new(columns);
    for r in &table.runners {
        let knee = r.knee.and_then(|k| k.rate_per_s);
        for s in &r.steps {
            let mut row = vec![
                name(r),
                or_none(s.offered_per_s.map(thousands)),
                throughput(s),
            ];
            if served {
                row.push(or_none(s.generator_cores.map(cores)));
            }
            row.push(or_none(s.p50_us.map(|v| p50.show(v))));
            row.push(or_none(s.p99_us.map(|v| p99.show(v))));
            if served {
                row.push(or_none(s.server_cpu_us_per_request.map(sig3)));
                row.push(within(s, knee).to_owned());
            }
            ladder.push_row(row);
        }
    }
    out.push_str(&ladder.to_markdown());
}

/// Whether a step was served within the knee's bound, and why not.
fn within(s: &Step, knee: Option<f64>) -> &'static str {
    if s.within_bound && s.offered_per_s == knee {
        "yes (knee)"
    } else if s.within_bound {
        "yes"
    } else if !s.kept_up {
        "no: fell behind"
    } else {
        "no: p99"
    }
}

/// The step at a runner's knee.
fn knee_step(r: &Runner) -> Option<&Step> {
    let rate = r.knee?.rate_per_s?;
    r.steps.iter().find(|s| s.offered_per_s == Some(rate))
}

/// Every count of the sweep, then where throughput stops growing.
pub(super) fn connections(table: &Table, finding: &EchoFinding, out: &mut String) {
    let steps = || table.runners.iter().flat_map(|r| &r.steps);
    let p99 = ColumnUnit::for_values(steps().filter_map(|s| s.p99_us));
    let memory = steps().any(|s| s.rss_per_connection_bytes.is_some());
    let served = served(table);
    let mut columns = vec![
        ("Runner".to_owned(), Align::Left),
        ("Threads".to_owned(), Align::Right),
        ("Connections".to_owned(), Align::Right),
        ("Throughput [req/s]".to_owned(), Align::Right),
    ];
    if served {
        columns.push((generator_header(finding.logical_cores), Align::Right));
    }
    columns.push((p99.header("p99"), Align::Right));
    if served {
        columns.push(("Server CPU [µs/req]".to_owned(), Align::Right));
    }
    if memory {
        columns.push(("Memory per connection".to_owned(), Align::Right));
    }
    let mut grid = Grid::new(columns);
    for r in &table.runners {
        for s in &r.steps {
            let mut row = vec![
                name(r),
                r.threads.to_string(),
                or_none(s.connections.map(|c| thousands(c as f64))),
                throughput(s),
            ];
            if served {
                row.push(or_none(s.generator_cores.map(cores)));
            }
            row.push(or_none(s.p99_us.map(|v| p99.show(v))));
            if served {
                row.push(or_none(s.server_cpu_us_per_request.map(sig3)));
            }
            if memory {
                row.push(or_none(s.rss_per_connection_bytes.map(bytes)));
            }
            grid.push_row(row);
        }
    }
    out.push_str(&grid.to_markdown());
    let lines: Vec<String> = table
        .runners
        .iter()
        .filter(|r| !r.disturbed)
        .filter_map(|r| {
            let what = match r.growth.as_ref()? {
                Growth::StopsAt {
                    connections,
                    throughput_per_s,
                } => format!(
                    "stops growing at {} ({} req/s)",
                    connections_text(*connections),
                    thousands(*throughput_per_s)
                ),
                Growth::StillGrowing { connections } => {
                    format!("still growing at {}", connections_text(*connections))
                }
                Growth::OneStep => return None,
            };
            Some(format!("- {}: throughput {what}.", r.runner))
        })
        .collect();
    if !lines.is_empty() {
        writeln!(out, "\n{}", lines.join("\n")).expect("write to String");
    }
}

/// `1 connection`, `1,000 connections`.
fn connections_text(n: usize) -> String {
    if n == 1 {
        "1 connection".to_owned()
    } else {
        format!("{} connections", thousands(n as f64))
    }
}

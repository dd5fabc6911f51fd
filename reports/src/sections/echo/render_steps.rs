//! The tables of the swept plans, from the finding alone. `report.md` gets the
//! answer: each runner's knee on the ladder of offered rates, and on the sweep
//! of connection counts one row per runner (throughput at each count, memory per
//! connection, where throughput stops growing). `details.md` gets every step
//! ([`steps`]): latency against offered load rate by rate, and each count's
//! throughput, p99, server CPU and memory.

use super::cells::{generator_header, name, or_none, served, throughput};
use super::{EchoFinding, Growth, Runner, Step, Table};
use crate::format::{ColumnUnit, bytes, thousands};
use crate::network::FLOOR;
use crate::table::{Align, Table as Grid};
use crate::text::{NONE, cores, sig3};
use std::fmt::Write as _;

/// The heading of the details' section, and its anchor.
pub(super) const STEPS_TITLE: &str = "Network servers, step by step";
const STEPS_ANCHOR: &str = "network-servers-step-by-step";

/// The knees, with every step of the ladder in the details; a ladder with no
/// knee (an older file's one rate) as it is.
pub(super) fn rates(table: &Table, finding: &EchoFinding, out: &mut String) {
    if has_details(table) {
        knees(table, finding, out);
        step_link(table, "latency against offered load", out);
    } else {
        ladder(table, finding, out);
    }
}

/// Whether the table's steps go to the details: a ladder with knees, a sweep of
/// several counts.
pub(super) fn has_details(table: &Table) -> bool {
    match table.plan {
        super::Plan::Rates { .. } => table.runners.iter().any(|r| r.knee.is_some()),
        super::Plan::Connections { .. } => table.runners.iter().any(|r| r.steps.len() > 1),
        super::Plan::Closed => false,
    }
}

/// `Step by step: [latency against offered load](details.md#…) in the details.`
fn step_link(table: &Table, what: &str, out: &mut String) {
    writeln!(
        out,
        "\nStep by step ({} of `{}`): [in the details]({}#{STEPS_ANCHOR}).",
        what,
        table.workload,
        crate::text::DETAILS_FILE
    )
    .expect("write to String");
}

/// The details' section: every step of each swept table.
pub(super) fn steps(tables: &[&Table], finding: &EchoFinding, out: &mut String) {
    writeln!(out, "## {STEPS_TITLE}\n").expect("write to String");
    writeln!(
        out,
        "Every step of the swept plans of the [report's network servers](report.md#network-servers); \
         a note number beside a runner is explained under the same table there.\n"
    )
    .expect("write to String");
    for table in tables {
        writeln!(out, "### `{}`\n", table.workload).expect("write to String");
        match table.plan {
            super::Plan::Rates { .. } => ladder(table, finding, out),
            super::Plan::Connections { .. } => counts(table, finding, out),
            super::Plan::Closed => continue,
        }
        out.push('\n');
        bound_reasons(table, out);
    }
}

/// Each step the generator limited, with its own reason.
fn bound_reasons(table: &Table, out: &mut String) {
    let lines: Vec<String> = table
        .runners
        .iter()
        .flat_map(|r| r.steps.iter().map(move |s| (r, s)))
        .filter_map(|(r, s)| {
            let b = s.generator_bound.as_ref()?;
            let at = match (s.offered_per_s, s.connections) {
                (Some(rate), _) => format!("{} req/s", thousands(rate)),
                (None, Some(c)) => format!("{} connections", thousands(c as f64)),
                (None, None) => String::new(),
            };
            let why = b.reason.as_deref().map_or(String::new(), |w| {
                format!(": {}", crate::text::escape_inline(w.trim_end_matches('.')))
            });
            Some(format!(
                "- {} at {at} ({} of its samples{why})",
                r.runner, b.samples
            ))
        })
        .collect();
    if !lines.is_empty() {
        writeln!(
            out,
            "{FLOOR} Where the generator, not the server, limited a step, in its own words:\n\n{}\n",
            lines.join("\n")
        )
        .expect("write to String");
    }
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

/// One row per runner (its throughput at each count, its memory per connection
/// at the largest count measured), the steps in the details; then where each
/// runner's throughput stops growing.
pub(super) fn connections(table: &Table, finding: &EchoFinding, out: &mut String) {
    if has_details(table) {
        pivot(table, out);
        step_link(table, "p99, server CPU and generator share", out);
    } else {
        counts(table, finding, out);
        growth(table, out);
    }
}

/// Runner × connection count: throughput, and memory per connection.
fn pivot(table: &Table, out: &mut String) {
    let mut counts: Vec<usize> = table
        .runners
        .iter()
        .flat_map(|r| r.steps.iter().filter_map(|s| s.connections))
        .collect();
    counts.sort_unstable();
    counts.dedup();
    let memory = table
        .runners
        .iter()
        .any(|r| r.steps.iter().any(|s| s.rss_per_connection_bytes.is_some()));
    let mut columns = vec![
        ("Runner".to_owned(), Align::Left),
        ("Threads".to_owned(), Align::Right),
    ];
    for &c in &counts {
        columns.push((format!("{} [req/s]", connections_text(c)), Align::Right));
    }
    if memory {
        columns.push(("Memory per connection".to_owned(), Align::Right));
    }
    columns.push(("Throughput stops growing at".to_owned(), Align::Left));
    let mut grid = Grid::new(columns);
    for r in &table.runners {
        let mut row = vec![name(r), r.threads.to_string()];
        for &c in &counts {
            let step = r.steps.iter().find(|s| s.connections == Some(c));
            row.push(or_none(step.map(throughput)));
        }
        if memory {
            let largest = r
                .steps
                .iter()
                .rev()
                .find_map(|s| Some((s.connections?, s.rss_per_connection_bytes?)));
            row.push(or_none(largest.map(|(c, b)| {
                format!("{} at {}", bytes(b), thousands(c as f64))
            })));
        }
        row.push(match (r.disturbed, r.growth.as_ref()) {
            (false, Some(Growth::StopsAt { connections, .. })) => connections_text(*connections),
            (false, Some(Growth::StillGrowing { .. })) => "still growing".to_owned(),
            _ => NONE.to_owned(),
        });
        grid.push_row(row);
    }
    out.push_str(&grid.to_markdown());
}

/// Every count of the sweep, runner by runner.
fn counts(table: &Table, finding: &EchoFinding, out: &mut String) {
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
}

/// Where each runner's throughput stops growing, one line each.
fn growth(table: &Table, out: &mut String) {
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

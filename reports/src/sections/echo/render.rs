//! The section's Markdown, worded from an [`EchoFinding`] alone: the opening
//! lines, then per workload its line, its table (closed-loop tables here, the
//! ladder of rates and the sweep of connections in `render_steps.rs`), the
//! marks' notes, the waiting connections, and its charts.

use super::cells::{generator_header, name, or_none, served, throughput};
use super::{EchoFinding, Plan, Step, TITLE, Table, Waiting};
use crate::charts::Chart;
use crate::format::{ColumnUnit, duration_us, thousands};
use crate::judge::disturbed_note;
use crate::network::{CLOSED, CONNS, FLOOR, IN_CELL_CLIENTS, ONE, OPEN};
use crate::table::{Align, Table as Grid};
use crate::terms::Term;
use crate::text::{NONE, cores, escape_inline, join_and, plural, sig3, times};
use std::fmt::Write as _;

/// Writes the section, with each workload's charts under its table.
pub(super) fn render(finding: &EchoFinding, charts: &[Chart], out: &mut String) {
    writeln!(out, "## {TITLE}\n").expect("write to String");
    intro(finding, out);
    for table in &finding.tables {
        writeln!(out, "### {}\n", heading(table)).expect("write to String");
        writeln!(out, "{}\n", plan_line(table, finding)).expect("write to String");
        match &table.plan {
            Plan::Closed => out.push_str(&closed_table(table, finding.logical_cores).to_markdown()),
            Plan::Rates { .. } => super::render_steps::rates(table, finding, out),
            Plan::Connections { .. } => super::render_steps::connections(table, finding, out),
        }
        out.push('\n');
        notes(table, finding, out);
        for chart in charts.iter().filter(|c| c.workload == table.workload) {
            if crate::charts::NETWORK_CHARTS
                .iter()
                .any(|p| chart.file_name.starts_with(p))
            {
                writeln!(
                    out,
                    "![{}]({})\n",
                    escape_inline(&chart.title),
                    chart.file_name
                )
                .expect("write to String");
            }
        }
    }
}

/// How the servers were driven and what the columns mean, said once.
fn intro(finding: &EchoFinding, out: &mut String) {
    let rows = || finding.tables.iter().flat_map(|t| &t.runners);
    if rows().any(|r| !r.in_cell_clients) {
        writeln!(
            out,
            "Each runner serves TCP echo to one external load generator, the same for every \
             runner (see Disclosures), and is shown at its best thread count. *Generator* is the \
             generator's CPU time over the step's wall time, in cores of the machine's {}: it \
             shares the machine with the server. *Server CPU* is the server's own CPU time per \
             request, the generator's excluded: on a small machine it ranks servers more fairly \
             than throughput.\n",
            finding.logical_cores
        )
        .expect("write to String");
    }
    if !finding.in_cell_clients.is_empty() {
        writeln!(
            out,
            "{IN_CELL_CLIENTS} Measured before the external generator (results schema 4 or \
             older): the clients ran inside the cell, on the runner under test. Those cells bill \
             both ends of every connection to the runner, and blocking runners played client \
             and server in lockstep. They are shown, marked, and ranked with nothing measured by \
             the generator.\n"
        )
        .expect("write to String");
    }
}

/// `` `tcp-echo`: closed loop ``.
fn heading(table: &Table) -> String {
    let what = match table.workload.as_str() {
        ONE => "one connection",
        CLOSED => "closed loop",
        OPEN => "latency against offered load",
        CONNS => "connections",
        _ => "echo",
    };
    format!("`{}`: {what}", table.workload)
}

/// The line under the heading: the plan the generator ran.
fn plan_line(table: &Table, finding: &EchoFinding) -> String {
    let counts = distinct_connections(table);
    let connections = match counts.as_slice() {
        [] => "several connections".to_owned(),
        [one] => plural(*one, "connection", "connections"),
        [.., most] => format!(
            "up to {} connections (fewer where capped)",
            thousands(*most as f64)
        ),
    };
    match &table.plan {
        Plan::Closed if table.workload == ONE => "One connection in a closed loop: the cost of a \
             round trip with nothing else in flight."
            .to_owned(),
        Plan::Closed => format!(
            "{} in a closed loop, each sending again when its reply arrives.",
            crate::text::capitalise(&connections)
        ),
        Plan::Rates { rates_per_s } => {
            let mut text = format!(
                "Requests offered at {} over {connections}, {}: each timed from its intended \
                 send time.",
                rates_text(rates_per_s),
                crate::terms::link_as(Term::OpenLoop, "open loop")
            );
            if table.runners.iter().any(|r| r.knee.is_some()) {
                write!(
                    text,
                    " A runner's {} is the highest rate it served within the bound: at least \
                     95% of the offered rate, with a p99 of at most {}.",
                    crate::terms::link(Term::Knee),
                    duration_us(finding.knee_p99_bound_us)
                )
                .expect("write to String");
            }
            text
        }
        Plan::Connections { counts } => {
            let counts: Vec<String> = counts.iter().map(|c| thousands(*c as f64)).collect();
            format!(
                "A closed loop at {} connections, one step each. Throughput stops growing where \
                 the next count adds less than {:.0}%.",
                join_and(&counts),
                finding.growth * 100.0
            )
        }
    }
}

/// `5,000 to 160,000 req/s`, or the one rate.
pub(super) fn rates_text(rates: &[f64]) -> String {
    match rates {
        [] => "fixed rates".to_owned(),
        [one] => format!("{} req/s", thousands(*one)),
        [low, .., high] => format!("{} to {} req/s", thousands(*low), thousands(*high)),
    }
}

fn distinct_connections(table: &Table) -> Vec<usize> {
    let mut counts: Vec<usize> = table
        .runners
        .iter()
        .flat_map(|r| &r.steps)
        .filter_map(|s| s.connections)
        .collect();
    counts.sort_unstable();
    counts.dedup();
    counts
}

/// The closed-loop table: a row per runner; the generator's and the server's
/// CPU only where some row was measured by the generator.
fn closed_table(table: &Table, logical_cores: usize) -> Grid {
    let steps = || table.runners.iter().filter_map(|r| r.steps.first());
    let p50 = ColumnUnit::for_values(steps().filter_map(|s| s.p50_us));
    let p99 = ColumnUnit::for_values(steps().filter_map(|s| s.p99_us));
    let served = served(table);
    let mut columns = vec![
        ("Runner".to_owned(), Align::Left),
        ("Threads".to_owned(), Align::Right),
        ("Connections".to_owned(), Align::Right),
        ("Throughput [req/s]".to_owned(), Align::Right),
    ];
    if served {
        columns.push((generator_header(logical_cores), Align::Right));
    }
    columns.push((p50.header("p50"), Align::Right));
    columns.push((p99.header("p99"), Align::Right));
    if served {
        columns.push(("Server CPU [µs/req]".to_owned(), Align::Right));
        columns.push(("Server [cores]".to_owned(), Align::Right));
    }
    let mut grid = Grid::new(columns);
    for r in &table.runners {
        let Some(s) = r.steps.first() else { continue };
        let mut row = vec![
            name(r),
            r.threads.to_string(),
            s.connections.map_or(NONE.into(), |c| thousands(c as f64)),
            throughput(s),
        ];
        if served {
            row.push(or_none(s.generator_cores.map(cores)));
        }
        row.push(or_none(s.p50_us.map(|v| p50.show(v))));
        row.push(or_none(s.p99_us.map(|v| p99.show(v))));
        if served {
            row.push(or_none(s.server_cpu_us_per_request.map(sig3)));
            row.push(or_none(s.server_cores.map(cores)));
        }
        grid.push_row(row);
    }
    grid
}

/// Where the generator, not the server, limited a step: one line per runner with
/// the steps (a swept table) or the samples (a closed loop), the generator's own
/// reasons left to the details' steps.
fn bound_note(table: &Table, out: &mut String) {
    let swept = table.plan != Plan::Closed;
    let bound: Vec<String> = table
        .runners
        .iter()
        .filter_map(|r| {
            let steps: Vec<&Step> = r
                .steps
                .iter()
                .filter(|s| s.generator_bound.is_some())
                .collect();
            let samples: usize = steps
                .iter()
                .filter_map(|s| s.generator_bound.as_ref())
                .map(|b| b.samples)
                .sum();
            let at: Vec<String> = steps
                .iter()
                .filter_map(|s| match (s.offered_per_s, s.connections) {
                    (Some(rate), _) => Some(thousands(rate)),
                    (None, Some(c)) if swept => Some(thousands(c as f64)),
                    _ => None,
                })
                .collect();
            let unit = if steps.iter().any(|s| s.offered_per_s.is_some()) {
                " req/s"
            } else {
                " connections"
            };
            match (steps.is_empty(), at.is_empty()) {
                (true, _) => None,
                (false, true) => Some(format!("{} (in {samples} of its samples)", r.runner)),
                (false, false) => Some(format!("{} at {}{unit}", r.runner, join_and(&at))),
            }
        })
        .collect();
    if bound.is_empty() {
        return;
    }
    let details = if swept {
        " Each step's reason is in the details."
    } else {
        ""
    };
    writeln!(
        out,
        "{FLOOR} The generator, not the server, limited these: it saturated its CPU or fell \
         behind its own schedule, so their figures are floors of the server's capacity, not \
         its measure.{details}\n"
    )
    .expect("write to String");
    for line in bound {
        writeln!(out, "- {line}").expect("write to String");
    }
    out.push('\n');
}

/// The notes under a table: the generator-bound steps, the disturbed cells,
/// the cells' own notes, the runners without a finished cell, and the waiting
/// connections.
fn notes(table: &Table, finding: &EchoFinding, out: &mut String) {
    bound_note(table, out);
    let disturbed: Vec<_> = finding
        .disturbed
        .iter()
        .filter(|d| d.cell.workload == table.workload)
        .cloned()
        .collect();
    if let Some(note) = disturbed_note(&disturbed) {
        writeln!(out, "{note}\n").expect("write to String");
    }
    crate::sections::shared::write_footnotes(&table.notes, out);
    if !table.unfinished.is_empty() {
        let groups: Vec<String> = table
            .unfinished
            .iter()
            .map(|u| format!("{} ({})", join_and(&u.runners), u.status.as_str()))
            .collect();
        writeln!(out, "No finished cell: {}.\n", groups.join("; ")).expect("write to String");
    }
    let waiting: Vec<String> = table.waiting.iter().map(waiting_sentence).collect();
    match waiting.as_slice() {
        [] => {}
        [one] => writeln!(out, "{one}\n").expect("write to String"),
        many => {
            for sentence in many {
                writeln!(out, "- {sentence}").expect("write to String");
            }
            out.push('\n');
        }
    }
}

/// `thread-pool (2 threads) serves at most 2 connections at a time, so the other
/// 48 of 50 wait their turn: its slowest request took 18.2 ms, against 412 µs on
/// tokio-mt (44.2×).`, with `at 5,000 req/s,` before `its` on a ladder.
fn waiting_sentence(w: &Waiting) -> String {
    let at = w.offered_per_s.map_or(String::new(), |rate| {
        format!(" at {} req/s", thousands(rate))
    });
    let at = if at.is_empty() { at } else { format!("{at},") };
    let mut text = format!(
        "{} ({}) serves at most {} at a time, so the other {} of {} wait their turn",
        w.runner,
        plural(w.threads, "thread", "threads"),
        plural(w.served_at_once, "connection", "connections"),
        thousands((w.connections - w.served_at_once) as f64),
        thousands(w.connections as f64),
    );
    match &w.against {
        Some(a) => write!(
            text,
            ":{at} its slowest request took {}, against {} on {} ({}).",
            duration_us(w.max_us),
            duration_us(a.max_us),
            a.runner,
            times(a.ratio)
        ),
        None => write!(
            text,
            ":{at} its slowest request took {}.",
            duration_us(w.max_us)
        ),
    }
    .expect("write to String");
    text
}

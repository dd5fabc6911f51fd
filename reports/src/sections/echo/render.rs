//! The echo section's Markdown, worded from an [`EchoFinding`] alone: the opening
//! lines, the table with each column in the unit that suits its values, and the
//! paragraphs on Little's law (`little.rs`).

use super::derive::{EchoFinding, Entry, Percentiles, Ran, Row};
use super::{LOADED, OPEN, TITLE, UNLOADED};
use crate::format::{ColumnUnit, thousands};
use crate::table::{Align, Table};
use crate::text::NONE;
use std::fmt::Write as _;

/// Writes the section, with the footnote on the cells marked § in the judge's
/// words.
pub(super) fn render(finding: &EchoFinding, out: &mut String) {
    writeln!(out, "## {TITLE}\n").expect("write to String");
    out.push_str(&intro(&finding.ran));
    out.push_str("\n\n");
    out.push_str(&table(&finding.ran, &finding.rows).to_markdown());
    out.push('\n');
    if let Some(note) = crate::judge::disturbed_note(&finding.disturbed) {
        writeln!(out, "{note}\n").expect("write to String");
    }
    for paragraph in finding.queueing.iter().flat_map(super::little::queueing) {
        writeln!(out, "{paragraph}\n").expect("write to String");
    }
}

/// What the three column groups measure, with the connection count and rate as
/// run: a line, then a bullet per workload.
fn intro(ran: &Ran) -> String {
    let mut parts = Vec::new();
    if ran.unloaded {
        parts.push(format!(
            "*Unloaded* is `{UNLOADED}`: one connection with nothing else running, so it is \
             the runtime's own cost per round trip."
        ));
    }
    if let Some(counts) = &ran.loaded_connections {
        let connections = match counts.as_slice() {
            [] => "several connections".into(),
            [one] => connections_text(*one),
            [.., most] => format!(
                "up to {} (fewer where a runner capped them; see the notes under `{LOADED}`)",
                connections_text(*most)
            ),
        };
        parts.push(format!(
            "*Loaded* is `{LOADED}`: {connections} in a closed loop, each sending again only \
             when its reply arrives."
        ));
    }
    if let Some(rates) = &ran.open_rates {
        let at = match rates.as_slice() {
            [] => String::new(),
            [one] => format!(" at {} req/s", thousands(*one)),
            [low, .., high] => format!(" at {} to {} req/s", thousands(*low), thousands(*high)),
        };
        parts.push(format!(
            "*Open loop* is `{OPEN}`: requests sent on a fixed schedule{at}, each timed from \
             its intended send time. A stall then delays every request due behind it rather \
             than postponing them (no coordinated omission)."
        ));
    }
    let mut text =
        "Round-trip latency, with histograms merged over the measured samples:\n".to_owned();
    for part in parts {
        write!(text, "\n- {part}").expect("write to String");
    }
    text
}

/// `1 connection`, `50 connections`.
pub(super) fn connections_text(n: f64) -> String {
    if n == 1.0 {
        "1 connection".into()
    } else {
        format!("{} connections", thousands(n))
    }
}

/// The units of a p50 and a p99 column, each suiting its own values.
type Units = (ColumnUnit, ColumnUnit);

/// The table: a row per runner and thread count, a column group per workload run.
fn table(ran: &Ran, rows: &[Row]) -> Table {
    let units = |latency: fn(&Row) -> Option<&Percentiles>| -> Units {
        let unit = |value: fn(&Percentiles) -> f64| {
            ColumnUnit::for_values(rows.iter().filter_map(latency).map(value))
        };
        (unit(|p| p.p50_us), unit(|p| p.p99_us))
    };
    let unloaded_units = units(|r| r.unloaded.finished()?.as_ref());
    let loaded_units = units(|r| r.loaded.finished()?.latency.as_ref());
    let open_units = units(|r| r.open.finished()?.as_ref());
    let estimate_unit =
        ColumnUnit::for_values(rows.iter().filter_map(|r| r.loaded.finished()?.estimate_us));
    let mut columns: Vec<(String, Align)> = vec![
        ("Runner".into(), Align::Left),
        ("Threads".into(), Align::Right),
    ];
    let (with_loaded, with_open) = (ran.loaded_connections.is_some(), ran.open_rates.is_some());
    if ran.unloaded {
        columns.push((unloaded_units.0.header("Unloaded p50"), Align::Right));
        columns.push((unloaded_units.1.header("Unloaded p99"), Align::Right));
    }
    if with_loaded {
        columns.push(("Connections".into(), Align::Right));
        columns.push(("Loaded [req/s]".into(), Align::Right));
        columns.push((estimate_unit.header("Connections ÷ req/s"), Align::Right));
        columns.push((loaded_units.0.header("Loaded p50"), Align::Right));
        columns.push((loaded_units.1.header("Loaded p99"), Align::Right));
    }
    if with_open {
        columns.push((open_units.0.header("Open loop p50"), Align::Right));
        columns.push((open_units.1.header("Open loop p99"), Align::Right));
    }
    let mut table = Table::new(columns);
    for row in rows {
        let mut line = vec![
            format!("{}{}", row.runner, if row.disturbed { " §" } else { "" }),
            row.threads.to_string(),
        ];
        if ran.unloaded {
            line.extend(entry(&row.unloaded, 2, |p| percentiles(*p, unloaded_units)));
        }
        if with_loaded {
            line.extend(entry(&row.loaded, 5, |l| {
                let mut cells = vec![
                    l.connections.map_or(NONE.into(), thousands),
                    l.throughput_per_s.map_or(NONE.into(), thousands),
                    l.estimate_us.map_or(NONE.into(), |e| estimate_unit.show(e)),
                ];
                cells.extend(percentiles(l.latency, loaded_units));
                cells
            }));
        }
        if with_open {
            line.extend(entry(&row.open, 2, |p| percentiles(*p, open_units)));
        }
        table.push_row(line);
    }
    table
}

/// A row's group of `width` columns for one workload: what its finished cell
/// measured, or the status of one that did not finish, then dashes.
fn entry<T>(
    entry: &Entry<T>,
    width: usize,
    finished: impl FnOnce(&T) -> Vec<String>,
) -> Vec<String> {
    match entry {
        Entry::Finished(t) => finished(t),
        Entry::Unfinished(status) => std::iter::once(status.as_str().to_owned())
            .chain(std::iter::repeat_n(NONE.to_owned(), width - 1))
            .collect(),
        Entry::Absent => vec![NONE.to_owned(); width],
    }
}

/// The p50 and p99 columns of a finished cell.
fn percentiles(latency: Option<Percentiles>, units: Units) -> Vec<String> {
    latency.map_or(vec![NONE.into(), NONE.into()], |l| {
        vec![units.0.show(l.p50_us), units.1.show(l.p99_us)]
    })
}

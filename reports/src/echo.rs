//! The report section "Latency: unloaded, loaded and open loop", rendered when a
//! run has cells of the TCP echo workloads: per runner and thread count, the round
//! trip of one connection alone ([`UNLOADED`]), of many connections in a closed
//! loop ([`LOADED`]) and of requests sent on a schedule ([`OPEN`]), and one
//! computed sentence on why closed-loop latency under load is queueing.
//!
//! In a closed loop each connection sends again only when its reply arrives, so by
//! Little's law the mean round trip is the number of connections divided by the
//! throughput, whatever the runtime. The section checks that against the measured
//! median of every runner, with the numbers, rather than asserting it.

use crate::format::{TimeUnit, duration_us, thousands};
use crate::markdown::times;
use crate::model::{Cell, Results, Status};
use crate::table::{Align, Table};
use std::fmt::Write as _;

/// One connection, nothing else running: the runtime's own cost per round trip.
pub(crate) const UNLOADED: &str = "tcp-echo-1";
/// Many connections in a closed loop: each waits for its reply before sending again.
pub(crate) const LOADED: &str = "tcp-echo";
/// Requests sent at a fixed rate, timed from their intended send time.
pub(crate) const OPEN: &str = "tcp-echo-open";

/// Parameters that may hold a cell's connection count, the first found wins.
const CONNECTION_KEYS: [&str; 3] = ["connections", "conns", "clients"];
/// Parameters that may hold an open loop's request rate, the first found wins.
const RATE_KEYS: [&str; 2] = ["rate_per_s", "rate"];

/// How far the loaded median may be from connections ÷ throughput and still be
/// called queueing: a median is not a mean, and the two differ by the spread of
/// the distribution.
pub(crate) const QUEUEING_TOLERANCE: f64 = 0.25;

/// A cell's connection count, from its parameters.
pub(crate) fn connections(cell: &Cell) -> Option<f64> {
    CONNECTION_KEYS.iter().find_map(|k| cell.param(k))
}

/// An open-loop cell's request rate per second, from its parameters.
fn rate(cell: &Cell) -> Option<f64> {
    RATE_KEYS.iter().find_map(|k| cell.param(k))
}

/// Whether the run has any cell of the echo workloads that applies.
pub(crate) fn present(results: &Results) -> bool {
    results
        .cells
        .iter()
        .any(|c| [UNLOADED, LOADED, OPEN].contains(&c.workload.as_str()) && c.applies())
}

/// Writes the section. `rank` orders runners as the rest of the report does.
pub(crate) fn section(results: &Results, rank: &dyn Fn(&str) -> usize, out: &mut String) {
    let of = |workload: &str| -> Vec<&Cell> {
        results
            .cells
            .iter()
            .filter(|c| c.workload == workload)
            .collect()
    };
    let (unloaded, loaded, open) = (of(UNLOADED), of(LOADED), of(OPEN));
    out.push_str("## Latency: unloaded, loaded and open loop\n\n");
    out.push_str(&intro(results, &unloaded, &loaded, &open));
    out.push_str("\n\n");

    let mut rows: Vec<(&str, usize)> = Vec::new();
    for cell in unloaded.iter().chain(&loaded).chain(&open) {
        if cell.applies() && !rows.contains(&(cell.runner.as_str(), cell.threads)) {
            rows.push((&cell.runner, cell.threads));
        }
    }
    rows.sort_by_key(|&(runner, threads)| (rank(runner), threads));
    let unit = TimeUnit::for_medians(
        unloaded
            .iter()
            .chain(&loaded)
            .chain(&open)
            .filter(|c| c.status == Status::Ok)
            .filter_map(|c| c.latency_us.as_ref()),
    );
    let u = unit.symbol();
    let mut columns: Vec<(String, Align)> = vec![
        ("Runner".into(), Align::Left),
        ("Threads".into(), Align::Right),
    ];
    let has = |cells: &[&Cell]| cells.iter().any(|c| c.applies());
    let (with_unloaded, with_loaded, with_open) = (has(&unloaded), has(&loaded), has(&open));
    if with_unloaded {
        columns.push((format!("Unloaded p50 [{u}]"), Align::Right));
        columns.push((format!("Unloaded p99 [{u}]"), Align::Right));
    }
    if with_loaded {
        columns.push(("Connections".into(), Align::Right));
        columns.push(("Loaded [req/s]".into(), Align::Right));
        columns.push((format!("Connections ÷ req/s [{u}]"), Align::Right));
        columns.push((format!("Loaded p50 [{u}]"), Align::Right));
        columns.push((format!("Loaded p99 [{u}]"), Align::Right));
    }
    if with_open {
        columns.push((format!("Open loop p50 [{u}]"), Align::Right));
        columns.push((format!("Open loop p99 [{u}]"), Align::Right));
    }
    // A group of columns for a cell that did not finish: its status, then dashes.
    let unfinished = |row: &mut Vec<String>, cell: Option<&Cell>, width: usize| match cell {
        Some(c) => {
            row.push(c.status.as_str().into());
            row.extend(std::iter::repeat_n(NONE.to_owned(), width - 1));
        }
        None => row.extend(std::iter::repeat_n(NONE.to_owned(), width)),
    };
    let percentiles = |row: &mut Vec<String>, cell: &Cell| {
        let (p50, p99) = cell.latency_us.map_or((NONE.into(), NONE.into()), |l| {
            (unit.show(l.p50), unit.show(l.p99))
        });
        row.extend([p50, p99]);
    };
    let mut table = Table::new(columns);
    for (runner, threads) in rows {
        let mut row = vec![runner.to_owned(), threads.to_string()];
        if with_unloaded {
            match find(&unloaded, runner, threads) {
                Some(c) if c.status == Status::Ok => percentiles(&mut row, c),
                other => unfinished(&mut row, other, 2),
            }
        }
        if with_loaded {
            match find(&loaded, runner, threads) {
                Some(c) if c.status == Status::Ok => {
                    let n = connections(c);
                    let t = c.throughput_per_s;
                    row.push(n.map_or(NONE.into(), thousands));
                    row.push(t.map_or(NONE.into(), thousands));
                    row.push(match (n, t) {
                        (Some(n), Some(t)) if t > 0.0 => unit.show(n / t * 1e6),
                        _ => NONE.into(),
                    });
                    percentiles(&mut row, c);
                }
                other => unfinished(&mut row, other, 5),
            }
        }
        if with_open {
            match find(&open, runner, threads) {
                Some(c) if c.status == Status::Ok => percentiles(&mut row, c),
                other => unfinished(&mut row, other, 2),
            }
        }
        table.push_row(row);
    }
    out.push_str(&table.to_markdown());
    out.push('\n');
    let mut ordered = loaded.clone();
    ordered.sort_by_key(|c| (rank(&c.runner), c.threads));
    if let Some(sentence) = queueing_sentence(&ordered) {
        writeln!(out, "{sentence}\n").expect("write to String");
    }
}

/// The cell of `runner` at `threads` among `cells`.
fn find<'c>(cells: &[&'c Cell], runner: &str, threads: usize) -> Option<&'c Cell> {
    cells
        .iter()
        .copied()
        .find(|c| c.runner == runner && c.threads == threads)
}

/// Stands in for a number that does not exist.
const NONE: &str = "—";

/// What the three columns measure, with the connection count and rate as run.
fn intro(results: &Results, unloaded: &[&Cell], loaded: &[&Cell], open: &[&Cell]) -> String {
    let mut parts = Vec::new();
    if unloaded.iter().any(|c| c.applies()) {
        parts.push(format!(
            "*unloaded* is `{UNLOADED}`, one connection with nothing else running, so it is the \
             runtime's own cost per round trip"
        ));
    }
    if loaded.iter().any(|c| c.applies()) {
        parts.push(format!(
            "*loaded* is `{LOADED}`, {} in a closed loop, each sending again only when its reply \
             arrives",
            connection_words(loaded)
        ));
    }
    if open.iter().any(|c| c.applies()) {
        let mut rates: Vec<f64> = open.iter().filter_map(|c| rate(c)).collect();
        rates.sort_by(f64::total_cmp);
        rates.dedup();
        let at = match (rates.as_slice(), results.config.rate) {
            ([one], _) => format!(" at {} req/s", thousands(*one)),
            ([], Some(r)) => format!(" at {} req/s", thousands(r)),
            ([], None) => String::new(),
            (many, _) => format!(
                " at {} to {} req/s",
                thousands(many[0]),
                thousands(many[many.len() - 1])
            ),
        };
        parts.push(format!(
            "*open loop* is `{OPEN}`, requests sent on a fixed schedule{at} and timed from their \
             intended send time, so a stall delays every request due behind it rather than \
             postponing them (no coordinated omission)"
        ));
    }
    format!(
        "Round-trip latency, histograms merged over the measured samples: {}.",
        parts.join("; ")
    )
}

/// `50 connections`, or `up to 50 connections (fewer where capped; see the notes
/// under tcp-echo)` when cells ran with different counts.
fn connection_words(cells: &[&Cell]) -> String {
    let mut counts: Vec<f64> = cells
        .iter()
        .filter(|c| c.applies())
        .filter_map(|c| connections(c))
        .collect();
    counts.sort_by(f64::total_cmp);
    counts.dedup();
    match counts.as_slice() {
        [] => "several connections".into(),
        [one] => connections_text(*one),
        [.., most] => format!(
            "up to {} (fewer where a runner capped them; see the notes under `{LOADED}`)",
            connections_text(*most)
        ),
    }
}

fn connections_text(n: f64) -> String {
    if n == 1.0 {
        "1 connection".into()
    } else {
        format!("{} connections", thousands(n))
    }
}

/// The queueing sentence over the loaded cells (in report order): connections ÷
/// throughput against the measured median, worked out for the runner with the
/// highest throughput, then how many runners agree within
/// [`QUEUEING_TOLERANCE`], naming those that do not. Only finished cells with a
/// connection count, a throughput and a median take part; `None` when none has
/// all three.
pub(crate) fn queueing_sentence(loaded: &[&Cell]) -> Option<String> {
    let mut points: Vec<(&Cell, f64, f64, f64)> = Vec::new();
    for cell in loaded.iter().copied().filter(|c| c.status == Status::Ok) {
        let (Some(c), Some(t), Some(l)) =
            (connections(cell), cell.throughput_per_s, cell.latency_us)
        else {
            continue;
        };
        if c > 0.0 && t > 0.0 && t.is_finite() {
            points.push((cell, c, t, l.p50));
        }
    }
    let &(example, c, t, p50) = points.iter().max_by(|a, b| a.2.total_cmp(&b.2))?;
    let off: Vec<String> = points
        .iter()
        .filter_map(|&(cell, c, t, p50)| {
            let ratio = p50 / (c / t * 1e6);
            ((ratio - 1.0).abs() > QUEUEING_TOLERANCE)
                .then(|| format!("{} (p50 {} the estimate)", cell.runner, times(ratio)))
        })
        .collect();
    let n = points.len();
    let tolerance = format!("{:.0}%", QUEUEING_TOLERANCE * 100.0);
    let conclusion = if off.is_empty() {
        format!(
            "The measured p50 is within {tolerance} of connections ÷ throughput on {} (column \
             *Connections ÷ req/s*), so closed-loop latency under load measures queueing behind \
             the other connections, not the runtime's cost per round trip; the unloaded columns \
             show that cost.",
            if n == 1 {
                "the one runner".to_owned()
            } else {
                format!("all {n} runners")
            }
        )
    } else if off.len() == n {
        format!(
            "The measured p50 is not within {tolerance} of connections ÷ throughput on any \
             runner ({}), so something besides queueing sets the loaded latency here.",
            crate::markdown::join_and(&off)
        )
    } else {
        format!(
            "The measured p50 is within {tolerance} of connections ÷ throughput on {} of {n} \
             runners (column *Connections ÷ req/s*), where loaded latency measures queueing, not \
             runtime cost; not on {}, where something besides queueing shapes it.",
            n - off.len(),
            crate::markdown::join_and(&off)
        )
    };
    Some(format!(
        "In a closed loop each connection sends again only when its reply arrives, so by \
         Little's law the mean round trip is connections ÷ throughput, whatever the runtime: \
         {}: {} ÷ {} req/s = {}; measured p50 {}. {conclusion}",
        example.runner,
        connections_text(c),
        thousands(t),
        duration_us(c / t * 1e6),
        duration_us(p50)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Latency;

    fn fixture() -> Results {
        crate::parse(
            std::path::Path::new("fixture"),
            include_str!("../tests/fixtures/results-v2.json"),
        )
        .unwrap()
    }

    fn loaded(results: &mut Results, runner: &str) -> Cell {
        results
            .cells
            .iter()
            .find(|c| c.workload == LOADED && c.runner == runner)
            .unwrap()
            .clone()
    }

    fn with(mut cell: Cell, connections: f64, throughput: f64, p50: f64) -> Cell {
        cell.params = serde_json::json!({ "connections": connections, "requests": 100000 });
        cell.throughput_per_s = Some(throughput);
        cell.latency_us = Some(Latency {
            count: 1000,
            mean: p50,
            p50,
            p90: p50,
            p99: p50 * 2.0,
            p999: p50 * 4.0,
            max: p50 * 8.0,
        });
        cell
    }

    #[test]
    fn queueing_matches_connections_over_throughput() {
        let mut results = fixture();
        let cell = with(loaded(&mut results, "tokio-mt"), 50.0, 180_000.0, 270.0);
        let sentence = queueing_sentence(&[&cell]).unwrap();
        assert_eq!(
            sentence,
            "In a closed loop each connection sends again only when its reply arrives, so by \
             Little's law the mean round trip is connections ÷ throughput, whatever the runtime: \
             tokio-mt: 50 connections ÷ 180,000 req/s = 278 µs; measured p50 270 µs. The \
             measured p50 is within 25% of connections ÷ throughput on the one runner (column \
             *Connections ÷ req/s*), so closed-loop latency under load measures queueing behind \
             the other connections, not the runtime's cost per round trip; the unloaded columns \
             show that cost."
        );
    }

    #[test]
    fn a_runner_far_from_the_estimate_is_named() {
        let mut results = fixture();
        let near = with(loaded(&mut results, "tokio-mt"), 50.0, 180_000.0, 270.0);
        let far = with(loaded(&mut results, "smol-mt"), 50.0, 100_000.0, 2_000.0);
        let sentence = queueing_sentence(&[&near, &far]).unwrap();
        // The worked example is the runner with the highest throughput.
        assert!(
            sentence.contains("tokio-mt: 50 connections ÷ 180,000 req/s = 278 µs"),
            "{sentence}"
        );
        assert!(
            sentence.contains("within 25% of connections ÷ throughput on 1 of 2 runners")
                && sentence.contains("not on smol-mt (p50 4.00× the estimate)"),
            "{sentence}"
        );
        let sentence = queueing_sentence(&[&far]).unwrap();
        assert!(
            sentence
                .contains("smol-mt: 50 connections ÷ 100,000 req/s = 500 µs; measured p50 2.00 ms")
                && sentence.contains("not within 25% of connections ÷ throughput on any runner"),
            "{sentence}"
        );
        // No connection count: nothing to compute.
        let mut bare = near.clone();
        bare.params = serde_json::json!({});
        assert_eq!(queueing_sentence(&[&bare]), None);
    }

    #[test]
    fn the_fixture_agrees_on_every_finished_runner() {
        let results = fixture();
        let cells: Vec<&Cell> = results
            .cells
            .iter()
            .filter(|c| c.workload == LOADED)
            .collect();
        let sentence = queueing_sentence(&cells).unwrap();
        let finished = cells.iter().filter(|c| c.status == Status::Ok).count();
        assert!(
            sentence.contains(&format!("on all {finished} runners")),
            "{sentence}"
        );
        assert!(
            sentence.contains("tokio-mt: 50 connections ÷ 176,400 req/s = 283 µs"),
            "{sentence}"
        );
    }
}

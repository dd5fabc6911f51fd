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

use crate::format::{ColumnUnit, duration_us, span_us, thousands, times_range};
use crate::model::{Cell, Latency, Results, RunnerMeta, Status};
use crate::table::{Align, Table};
use crate::text::{NONE, join_and, sig3, times};
use rtcompare_api::ids;
use std::fmt::Write as _;

/// The section's heading, also named where other sections point to it.
pub(crate) const TITLE: &str = "Latency: unloaded, loaded and open loop";

/// One connection, nothing else running: the runtime's own cost per round trip.
pub(crate) const UNLOADED: &str = ids::workload::TCP_ECHO_1;
/// Many connections in a closed loop: each waits for its reply before sending again.
pub(crate) const LOADED: &str = ids::workload::TCP_ECHO;
/// Requests sent at a fixed rate, timed from their intended send time.
pub(crate) const OPEN: &str = ids::workload::TCP_ECHO_OPEN;

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
    writeln!(out, "## {TITLE}\n").expect("write to String");
    out.push_str(&intro(results, &unloaded, &loaded, &open));
    out.push_str("\n\n");

    let mut rows: Vec<(&str, usize)> = Vec::new();
    for cell in unloaded.iter().chain(&loaded).chain(&open) {
        if cell.applies() && !rows.contains(&(cell.runner.as_str(), cell.threads)) {
            rows.push((&cell.runner, cell.threads));
        }
    }
    rows.sort_by_key(|&(runner, threads)| (rank(runner), threads));
    // Each column of latencies gets the unit that suits its own values.
    let column = |cells: &[&Cell], value: fn(&Latency) -> f64| {
        ColumnUnit::for_values(
            cells
                .iter()
                .filter(|c| c.status == Status::Ok)
                .filter_map(|c| c.latency_us.as_ref())
                .map(value),
        )
    };
    let p50 = |l: &Latency| l.p50;
    let p99 = |l: &Latency| l.p99;
    let unloaded_units = (column(&unloaded, p50), column(&unloaded, p99));
    let loaded_units = (column(&loaded, p50), column(&loaded, p99));
    let open_units = (column(&open, p50), column(&open, p99));
    let estimate_unit = ColumnUnit::for_values(
        loaded
            .iter()
            .filter(|c| c.status == Status::Ok)
            .filter_map(|c| estimate_us(connections(c)?, c.throughput_per_s?)),
    );
    let mut columns: Vec<(String, Align)> = vec![
        ("Runner".into(), Align::Left),
        ("Threads".into(), Align::Right),
    ];
    let has = |cells: &[&Cell]| cells.iter().any(|c| c.applies());
    let (with_unloaded, with_loaded, with_open) = (has(&unloaded), has(&loaded), has(&open));
    if with_unloaded {
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
    // A group of columns for a cell that did not finish: its status, then dashes.
    let unfinished = |row: &mut Vec<String>, cell: Option<&Cell>, width: usize| match cell {
        Some(c) => {
            row.push(c.status.as_str().into());
            row.extend(std::iter::repeat_n(NONE.to_owned(), width - 1));
        }
        None => row.extend(std::iter::repeat_n(NONE.to_owned(), width)),
    };
    let percentiles = |row: &mut Vec<String>, cell: &Cell, units: (ColumnUnit, ColumnUnit)| {
        let (p50, p99) = cell.latency_us.map_or((NONE.into(), NONE.into()), |l| {
            (units.0.show(l.p50), units.1.show(l.p99))
        });
        row.extend([p50, p99]);
    };
    let mut table = Table::new(columns);
    let all: Vec<&Cell> = unloaded
        .iter()
        .chain(&loaded)
        .chain(&open)
        .copied()
        .collect();
    for (runner, threads) in rows {
        // Marked when any of the row's cells was disturbed (see `judge`).
        let disturbed = all
            .iter()
            .any(|c| c.runner == runner && c.threads == threads && c.disturbed());
        let mut row = vec![
            format!("{runner}{}", if disturbed { " §" } else { "" }),
            threads.to_string(),
        ];
        if with_unloaded {
            match find(&unloaded, runner, threads) {
                Some(c) if c.status == Status::Ok => percentiles(&mut row, c, unloaded_units),
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
                    row.push(
                        n.zip(t)
                            .and_then(|(n, t)| estimate_us(n, t))
                            .map_or(NONE.into(), |e| estimate_unit.show(e)),
                    );
                    percentiles(&mut row, c, loaded_units);
                }
                other => unfinished(&mut row, other, 5),
            }
        }
        if with_open {
            match find(&open, runner, threads) {
                Some(c) if c.status == Status::Ok => percentiles(&mut row, c, open_units),
                other => unfinished(&mut row, other, 2),
            }
        }
        table.push_row(row);
    }
    out.push_str(&table.to_markdown());
    out.push('\n');
    if let Some(note) = crate::judge::disturbed_note(&all) {
        writeln!(out, "{note}\n").expect("write to String");
    }
    // The sentences judge only the cells that take part in findings.
    let unloaded: Vec<&Cell> = unloaded
        .iter()
        .copied()
        .filter(|c| crate::judge::judged(c))
        .collect();
    let mut ordered: Vec<&Cell> = loaded
        .iter()
        .copied()
        .filter(|c| crate::judge::judged(c))
        .collect();
    ordered.sort_by_key(|c| (rank(&c.runner), c.threads));
    for paragraph in queueing_sentences(&ordered, &unloaded, &results.runners) {
        writeln!(out, "{paragraph}\n").expect("write to String");
    }
}

/// `in_flight` ÷ `throughput` in microseconds: by Little's law the mean round trip
/// of a closed loop with that many round trips in flight. `None` without a positive,
/// finite throughput.
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

/// How a runner serves the echo workloads' connections, from its `net` text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Serving {
    /// Non-blocking sockets on a reactor: every connection is in flight at once
    /// and its requests queue behind the others'.
    Reactor,
    /// Blocking sockets (`net` says `blocking`): the echo workloads' blocking body
    /// runs both ends of a connection in lockstep on one thread, so a request
    /// never queues behind another connection's.
    Lockstep,
    /// The results file does not say (no `net`, schema 1).
    Unknown,
}

impl Serving {
    fn of(meta: Option<&RunnerMeta>) -> Self {
        let Some(net) = meta
            .map(|m| m.net.as_str())
            .filter(|n| !n.trim().is_empty())
        else {
            return Serving::Unknown;
        };
        // Whole words only: `non-blocking` is not `blocking`.
        let blocking = net
            .split(|c: char| c.is_whitespace() || ",;:()".contains(c))
            .any(|word| word == "blocking");
        if blocking {
            Serving::Lockstep
        } else {
            Serving::Reactor
        }
    }
}

/// A finished loaded cell with all Little's law needs.
struct Point<'a> {
    cell: &'a Cell,
    connections: f64,
    throughput: f64,
    p50: f64,
    /// The mean round trip, µs, when the file has it (schema 2).
    mean: Option<f64>,
    /// Round trips that can be in flight at once.
    in_flight: f64,
}

impl Point<'_> {
    /// Little's law: the mean round trip with `in_flight` round trips in flight, µs.
    fn estimate(&self) -> f64 {
        self.in_flight / self.throughput * 1e6
    }

    /// Measured p50 over the estimate.
    fn ratio(&self) -> f64 {
        self.p50 / self.estimate()
    }

    fn fits(&self) -> bool {
        (self.ratio() - 1.0).abs() <= QUEUEING_TOLERANCE
    }

    /// `2 connections ÷ 497,871 req/s = 4.02 µs`.
    fn equation(&self) -> String {
        format!(
            "{} ÷ {} req/s = {}",
            connections_text(self.in_flight),
            thousands(self.throughput),
            duration_us(self.estimate())
        )
    }

    /// `threads-static: 2 connections ÷ 497,871 req/s = 4.02 µs; measured p50 3.66 µs`.
    fn worked(&self) -> String {
        format!(
            "{}: {}; measured p50 {}",
            self.cell.runner,
            self.equation(),
            duration_us(self.p50)
        )
    }

    /// Little's law read the other way, when the file has the mean: `6.09 µs ×
    /// 385,859 req/s = 2.35`, the round trips in flight on average.
    fn in_flight_measured(&self) -> Option<String> {
        let mean = self.mean?;
        Some(format!(
            "{} × {} req/s = {}",
            duration_us(mean),
            thousands(self.throughput),
            sig3(mean * self.throughput / 1e6)
        ))
    }

    /// `threads (p50 0.03× the estimate; mean 6.09 µs × 385,859 req/s = 2.35 round
    /// trips in flight on average)`.
    fn misfit(&self) -> String {
        let mut text = format!(
            "{} (p50 {} the estimate",
            self.cell.runner,
            times(self.ratio())
        );
        if let Some(measured) = self.in_flight_measured() {
            write!(text, "; mean {measured} round trips in flight on average")
                .expect("write to String");
        }
        text.push(')');
        text
    }
}

/// `the one runner`, `all 4 runners`, or `all 7 of them` (`of_them`: in a named group).
fn all_of(n: usize, of_them: bool) -> String {
    match (n, of_them) {
        (1, true) => "it".to_owned(),
        (1, false) => "the one runner".to_owned(),
        (n, true) => format!("all {n} of them"),
        (n, false) => format!("all {n} runners"),
    }
}

/// Little's law over `points` (each with its own in-flight count), worked out for
/// the one with the highest throughput: whether the measured p50 fits it within
/// [`QUEUEING_TOLERANCE`] everywhere, somewhere or nowhere, naming the misfits
/// with what was measured. `with` names the in-flight count (`that count`).
fn little(points: &[&Point<'_>], with: &str) -> String {
    let example = points
        .iter()
        .copied()
        .max_by(|a, b| a.throughput.total_cmp(&b.throughput))
        .expect("at least one point");
    let tolerance = format!("{:.0}%", QUEUEING_TOLERANCE * 100.0);
    let misfits: Vec<String> = points
        .iter()
        .filter(|p| !p.fits())
        .map(|p| p.misfit())
        .collect();
    let n = points.len();
    match (n, misfits.len()) {
        (1, 0) => format!(
            "Little's law holds with {with}: {}; measured p50 {} (within {tolerance})",
            example.equation(),
            duration_us(example.p50)
        ),
        (1, _) => {
            let mut text = format!(
                "Little's law with {with} does not fit: {} against a measured p50 of {} ({} \
                 that)",
                example.equation(),
                duration_us(example.p50),
                times(example.ratio())
            );
            if let Some(measured) = example.in_flight_measured() {
                write!(
                    text,
                    "; read the other way, its mean round trip gives {measured} round trips \
                     in flight on average"
                )
                .expect("write to String");
            }
            text
        }
        (n, 0) => format!(
            "Little's law holds with {with}: {} (within {tolerance} on all {n})",
            example.worked()
        ),
        (n, k) if k == n => format!(
            "Little's law with {with} ({}) is not within {tolerance} on any of them: {}",
            example.worked(),
            join_and(&misfits)
        ),
        (n, k) => format!(
            "Little's law with {with} ({}) fits within {tolerance} on {} of {n}, not on {}",
            example.worked(),
            n - k,
            join_and(&misfits)
        ),
    }
}

/// The paragraphs under the latency table, computed from the loaded cells (in
/// report order), the unloaded cells and the runners as described in the results
/// file: by Little's law the mean round trip of a closed loop is the number of
/// round trips in flight ÷ throughput, and how many are in flight depends on how
/// the runner serves its connections ([`Serving`]):
///
/// - on a reactor every connection is in flight, so the estimate is connections ÷
///   throughput and a p50 near it means loaded latency is queueing;
/// - in lockstep (blocking runners) a round trip never waits in a server queue
///   behind another connection's request, so the p50 is compared with the same
///   runner's unloaded p50; at most min(connections, threads) connections are in
///   flight where the thread count is fixed, and every connection can be where
///   each task has its own OS thread (`threads_knob` `per-task`).
///
/// Each claim is checked against the cells within [`QUEUEING_TOLERANCE`]; a
/// runner that does not fit is named with what was measured. Only finished cells
/// with a connection count, a throughput and a median take part; empty when none
/// has all three.
pub(crate) fn queueing_sentences(
    loaded: &[&Cell],
    unloaded: &[&Cell],
    runners: &[RunnerMeta],
) -> Vec<String> {
    let meta = |cell: &Cell| runners.iter().find(|m| m.id == cell.runner);
    let mut reactor: Vec<Point<'_>> = Vec::new();
    let mut fixed: Vec<Point<'_>> = Vec::new();
    let mut per_task: Vec<Point<'_>> = Vec::new();
    let mut lockstep: Vec<&Cell> = Vec::new();
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
        let point = |in_flight: f64| Point {
            cell,
            connections: c,
            throughput: t,
            p50: l.p50,
            mean: (l.mean > 0.0).then_some(l.mean),
            in_flight,
        };
        let serving = Serving::of(meta(cell));
        match serving {
            Serving::Lockstep => {
                lockstep.push(cell);
                if meta(cell).is_some_and(|m| m.threads_knob == "per-task") {
                    per_task.push(point(c));
                } else {
                    fixed.push(point(c.min(cell.threads as f64)));
                }
            }
            Serving::Reactor | Serving::Unknown => {
                unknown |= serving == Serving::Unknown;
                reactor.push(point(c));
            }
        }
    }
    if reactor.is_empty() && lockstep.is_empty() {
        return Vec::new();
    }
    let names = |cells: &mut dyn Iterator<Item = &Cell>| -> String {
        let names: Vec<String> = cells.map(|c| c.runner.clone()).collect();
        join_and(&names)
    };
    let tolerance = format!("{:.0}%", QUEUEING_TOLERANCE * 100.0);
    let mut paragraphs = Vec::new();

    let mut first = "In a closed loop each connection sends again only when its reply arrives, \
                     so by Little's law the mean round trip is the number of round trips in \
                     flight ÷ throughput."
        .to_owned();
    if !reactor.is_empty() {
        let grouped = !lockstep.is_empty();
        let example = reactor
            .iter()
            .max_by(|a, b| a.throughput.total_cmp(&b.throughput))
            .expect("not empty");
        if grouped {
            let who = if unknown {
                "On the other runners"
            } else {
                "On the runners that wait on a reactor"
            };
            write!(
                first,
                " {who} ({}), every connection is in flight, so that is connections ÷ \
                 throughput: {}.",
                names(&mut reactor.iter().map(|p| p.cell)),
                example.worked()
            )
        } else {
            write!(
                first,
                " With every connection in flight that is connections ÷ throughput, whatever \
                 the runtime: {}.",
                example.worked()
            )
        }
        .expect("write to String");
        let off: Vec<String> = reactor
            .iter()
            .filter(|p| !p.fits())
            .map(|p| format!("{} (p50 {} the estimate)", p.cell.runner, times(p.ratio())))
            .collect();
        let n = reactor.len();
        let conclusion = if off.is_empty() {
            format!(
                "The measured p50 is within {tolerance} of connections ÷ throughput on {} \
                 (column *Connections ÷ req/s*), so closed-loop latency under load measures \
                 queueing behind the other connections, not the runtime's cost per round trip; \
                 the unloaded columns show that cost.",
                all_of(n, grouped)
            )
        } else if off.len() == n {
            format!(
                "The measured p50 is not within {tolerance} of connections ÷ throughput on any \
                 {} ({}), so something besides queueing sets the loaded latency {}.",
                if grouped { "of them" } else { "runner" },
                join_and(&off),
                if grouped { "there" } else { "here" }
            )
        } else {
            format!(
                "The measured p50 is within {tolerance} of connections ÷ throughput on {} of \
                 {n} {} (column *Connections ÷ req/s*), where loaded latency measures queueing, \
                 not runtime cost; not on {}, where something besides queueing shapes it.",
                n - off.len(),
                if grouped { "of them" } else { "runners" },
                join_and(&off)
            )
        };
        write!(first, " {conclusion}").expect("write to String");
    }
    paragraphs.push(first);
    if lockstep.is_empty() {
        return paragraphs;
    }

    // The lockstep runners: no server queue, so compare with the unloaded cost.
    let mut text = format!(
        "On the runners that run both ends of each connection in lockstep on one thread ({}; \
         see Disclosures), a round trip never waits in a server queue behind another \
         connection's request",
        names(&mut lockstep.iter().copied())
    );
    let mut ordered: Vec<&Point<'_>> = fixed.iter().chain(&per_task).collect();
    ordered.sort_by_key(|p| lockstep.iter().position(|c| std::ptr::eq(*c, p.cell)));
    let pairs: Vec<(&Point<'_>, f64)> = ordered
        .iter()
        .copied()
        .filter_map(|p| {
            let alone = find(unloaded, &p.cell.runner, p.cell.threads)
                .filter(|c| c.status == Status::Ok)?
                .latency_us?
                .p50;
            (alone > 0.0).then_some((p, alone))
        })
        .collect();
    let near = |&(p, alone): &(&Point<'_>, f64)| (p.p50 / alone - 1.0).abs() <= QUEUEING_TOLERANCE;
    let loaded_p50: Vec<f64> = ordered.iter().map(|p| p.p50).collect();
    if pairs.is_empty() {
        write!(text, "; measured p50 {}.", span_us(&loaded_p50)).expect("write to String");
    } else if pairs.len() == ordered.len() && pairs.iter().all(near) {
        let alone: Vec<f64> = pairs.iter().map(|&(_, a)| a).collect();
        let ratios: Vec<f64> = pairs.iter().map(|&(p, a)| p.p50 / a).collect();
        write!(
            text,
            ", so the measured p50 is the unloaded cost rather than connections ÷ throughput: \
             {} loaded against {} unloaded ({} per runner).",
            span_us(&loaded_p50),
            span_us(&alone),
            times_range(&ratios)
        )
        .expect("write to String");
    } else {
        let show =
            |&(p, a): &(&Point<'_>, f64)| format!("{} ({})", p.cell.runner, times(p.p50 / a));
        let (close, far): (Vec<_>, Vec<_>) = pairs.iter().partition(|pair| near(pair));
        let close: Vec<String> = close.into_iter().map(show).collect();
        let far: Vec<String> = far.into_iter().map(show).collect();
        let ratio = "; loaded p50 ÷ unloaded p50 is";
        match (close.is_empty(), far.is_empty()) {
            (true, _) => write!(
                text,
                "{ratio} not within {tolerance} of 1 on any of them: {}.",
                join_and(&far)
            ),
            // The others have no unloaded cell to compare with.
            (false, true) => write!(
                text,
                "{ratio} within {tolerance} of 1 on {}.",
                join_and(&close)
            ),
            (false, false) => write!(
                text,
                "{ratio} within {tolerance} of 1 on {}, not on {}.",
                join_and(&close),
                join_and(&far)
            ),
        }
        .expect("write to String");
    }
    if !fixed.is_empty() {
        // In flight at once where the thread count is fixed: `seq 1; rayon 2`.
        let mut counts: Vec<(f64, Vec<String>)> = Vec::new();
        for p in &fixed {
            match counts.iter_mut().find(|(n, _)| *n == p.in_flight) {
                Some((_, names)) => names.push(p.cell.runner.clone()),
                None => counts.push((p.in_flight, vec![p.cell.runner.clone()])),
            }
        }
        let counts: Vec<String> = counts
            .iter()
            .map(|(n, names)| format!("{} {}", join_and(names), thousands(*n)))
            .collect();
        let fixed: Vec<&Point<'_>> = fixed.iter().collect();
        write!(
            text,
            " Where the thread count is fixed, at most min(connections, threads) connections \
             are in flight ({}), and {}.",
            counts.join("; "),
            little(&fixed, "that count")
        )
        .expect("write to String");
    }
    if !per_task.is_empty() {
        let mut counts: Vec<f64> = per_task.iter().map(|p| p.connections).collect();
        counts.sort_by(f64::total_cmp);
        counts.dedup();
        let how_many = match counts.as_slice() {
            [one] => format!("all {}", thousands(*one)),
            _ => "all of them".to_owned(),
        };
        let (verb, who) = if per_task.len() == 1 {
            ("gives", per_task[0].cell.runner.clone())
        } else {
            ("give", names(&mut per_task.iter().map(|p| p.cell)))
        };
        let per_task: Vec<&Point<'_>> = per_task.iter().collect();
        let but = if per_task.iter().all(|p| p.fits()) {
            "and"
        } else {
            "but"
        };
        write!(
            text,
            " {who} {verb} each connection its own OS thread, so {how_many} can be in flight, \
             {but} {}.",
            little(&per_task, "that many")
        )
        .expect("write to String");
    }
    paragraphs.push(text);
    paragraphs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Latency;

    fn fixture() -> Results {
        crate::fixtures::v2()
    }

    fn cell_of(results: &Results, workload: &str, runner: &str) -> Cell {
        results
            .cells
            .iter()
            .find(|c| c.workload == workload && c.runner == runner)
            .unwrap()
            .clone()
    }

    fn loaded(results: &mut Results, runner: &str) -> Cell {
        cell_of(results, LOADED, runner)
    }

    fn latency(p50: f64, mean: f64) -> Latency {
        Latency {
            count: 1000,
            mean,
            p50,
            p90: p50,
            p99: p50 * 2.0,
            p999: p50 * 4.0,
            max: p50 * 8.0,
        }
    }

    fn with(cell: Cell, connections: f64, throughput: f64, p50: f64) -> Cell {
        with_mean(cell, connections, throughput, p50, p50)
    }

    fn with_mean(mut cell: Cell, connections: f64, throughput: f64, p50: f64, mean: f64) -> Cell {
        cell.params = serde_json::json!({ "connections": connections, "requests": 100000 });
        cell.throughput_per_s = Some(throughput);
        cell.latency_us = Some(latency(p50, mean));
        cell
    }

    /// An unloaded cell of `runner` with this median.
    fn alone(results: &Results, runner: &str, p50: f64) -> Cell {
        let mut cell = cell_of(results, UNLOADED, runner);
        cell.latency_us = Some(latency(p50, p50));
        cell
    }

    const CLOSED_LOOP: &str = "In a closed loop each connection sends again only when its reply \
        arrives, so by Little's law the mean round trip is the number of round trips in flight \
        ÷ throughput.";

    #[test]
    fn queueing_matches_connections_over_throughput() {
        let mut results = fixture();
        let cell = with(loaded(&mut results, "tokio-mt"), 50.0, 180_000.0, 270.0);
        let paragraphs = queueing_sentences(&[&cell], &[], &results.runners);
        assert_eq!(
            paragraphs,
            [format!(
                "{CLOSED_LOOP} With every connection in flight that is connections ÷ \
                 throughput, whatever the runtime: tokio-mt: 50 connections ÷ 180,000 req/s = \
                 278 µs; measured p50 270 µs. The measured p50 is within 25% of connections ÷ \
                 throughput on the one runner (column *Connections ÷ req/s*), so closed-loop \
                 latency under load measures queueing behind the other connections, not the \
                 runtime's cost per round trip; the unloaded columns show that cost."
            )]
        );
    }

    #[test]
    fn a_runner_far_from_the_estimate_is_named() {
        let mut results = fixture();
        let runners = results.runners.clone();
        let near = with(loaded(&mut results, "tokio-mt"), 50.0, 180_000.0, 270.0);
        let far = with(loaded(&mut results, "smol-mt"), 50.0, 100_000.0, 2_000.0);
        let sentence = queueing_sentences(&[&near, &far], &[], &runners).join("\n\n");
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
        let sentence = queueing_sentences(&[&far], &[], &runners).join("\n\n");
        assert!(
            sentence
                .contains("smol-mt: 50 connections ÷ 100,000 req/s = 500 µs; measured p50 2.00 ms")
                && sentence.contains("not within 25% of connections ÷ throughput on any runner"),
            "{sentence}"
        );
        // No connection count: nothing to compute.
        let mut bare = near.clone();
        bare.params = serde_json::json!({});
        assert!(queueing_sentences(&[&bare], &[], &runners).is_empty());
    }

    #[test]
    fn blocking_runners_serve_in_lockstep() {
        let results = fixture();
        let meta = |id: &str| results.runners.iter().find(|m| m.id == id);
        assert_eq!(Serving::of(meta("seq")), Serving::Lockstep);
        assert_eq!(Serving::of(meta("threads")), Serving::Lockstep);
        assert_eq!(Serving::of(meta("tokio-mt")), Serving::Reactor);
        assert_eq!(Serving::of(None), Serving::Unknown);
        let mut other = meta("tokio-mt").unwrap().clone();
        other.net = "mio, non-blocking".into();
        assert_eq!(Serving::of(Some(&other)), Serving::Reactor);
        other.net = String::new();
        assert_eq!(Serving::of(Some(&other)), Serving::Unknown);
    }

    /// The quick run's numbers (50 connections, 2 threads): the lockstep runners'
    /// p50 is their unloaded cost; min(connections, threads) in flight fits Little's
    /// law where the thread count is fixed; `threads` (a thread per connection)
    /// could have all 50 in flight but does not fit, and the sentence says what was
    /// measured instead.
    #[test]
    fn lockstep_runners_are_explained_from_the_cells() {
        let mut results = fixture();
        let runners = results.runners.clone();
        let tokio = with(loaded(&mut results, "tokio-mt"), 50.0, 200_237.0, 240.4);
        let mut seq = with_mean(loaded(&mut results, "seq"), 50.0, 260_965.0, 3.54, 3.63);
        seq.threads = 1;
        let threads = with_mean(loaded(&mut results, "threads"), 50.0, 385_859.0, 3.64, 6.09);
        let statics = with_mean(
            loaded(&mut results, "threads-static"),
            50.0,
            497_871.0,
            3.66,
            3.72,
        );
        let unloaded = [
            alone(&results, "seq", 3.51),
            alone(&results, "threads", 3.73),
            alone(&results, "threads-static", 3.55),
        ];
        let unloaded: Vec<&Cell> = unloaded.iter().collect();
        let cells = [&tokio, &seq, &threads, &statics];
        let paragraphs = queueing_sentences(&cells, &unloaded, &runners);
        assert_eq!(paragraphs.len(), 2, "{paragraphs:#?}");
        assert!(
            paragraphs[0].starts_with(&format!(
                "{CLOSED_LOOP} On the runners that wait on a reactor (tokio-mt), every \
                 connection is in flight, so that is connections ÷ throughput: tokio-mt: 50 \
                 connections ÷ 200,237 req/s = 250 µs; measured p50 240 µs. The measured p50 \
                 is within 25% of connections ÷ throughput on it"
            )),
            "{}",
            paragraphs[0]
        );
        assert_eq!(
            paragraphs[1],
            "On the runners that run both ends of each connection in lockstep on one thread \
             (seq, threads and threads-static; see Disclosures), a round trip never waits in a \
             server queue behind another connection's request, so the measured p50 is the \
             unloaded cost rather than connections ÷ throughput: 3.54–3.66 µs loaded against \
             3.51–3.73 µs unloaded (0.98–1.03× per runner). Where the thread count is fixed, at \
             most min(connections, threads) connections are in flight (seq 1; threads-static \
             2), and Little's law holds with that count: threads-static: 2 connections ÷ \
             497,871 req/s = 4.02 µs; measured p50 3.66 µs (within 25% on all 2). threads \
             gives each connection its own OS thread, so all 50 can be in flight, but Little's \
             law with that many does not fit: 50 connections ÷ 385,859 req/s = 130 µs against \
             a measured p50 of 3.64 µs (0.03× that); read the other way, its mean round trip \
             gives 6.09 µs × 385,859 req/s = 2.35 round trips in flight on average."
        );

        // A lockstep runner whose loaded p50 is far from its unloaded one is named
        // with the ratio, not explained away; without unloaded cells the range is
        // all there is; a per-task runner that fits Little's law with every
        // connection says so.
        let slow = with(loaded(&mut results, "threads"), 50.0, 121_600.0, 383.0);
        let text = queueing_sentences(&[&seq, &slow], &unloaded, &runners).join("\n\n");
        assert!(
            text.contains(
                "; loaded p50 ÷ unloaded p50 is within 25% of 1 on seq (1.01×), not on threads \
                 (103×)."
            ) && text.contains(
                "threads gives each connection its own OS thread, so all 50 can be in flight, \
                 and Little's law holds with that many: 50 connections ÷ 121,600 req/s = 411 \
                 µs; measured p50 383 µs (within 25%)."
            ),
            "{text}"
        );
        // A runner without an unloaded cell is left out of the comparison.
        let text = queueing_sentences(&[&seq, &statics], &unloaded[..1], &runners).join("\n\n");
        assert!(
            text.contains("; loaded p50 ÷ unloaded p50 is within 25% of 1 on seq (1.01×). Where"),
            "{text}"
        );
        // Only lockstep runners: no reactor paragraph beyond the law itself.
        let text = queueing_sentences(&[&seq], &[], &runners);
        assert_eq!(text[0], CLOSED_LOOP);
        assert!(
            text[1].contains("request; measured p50 3.54 µs. Where the thread count"),
            "{}",
            text[1]
        );
        assert!(
            text[1].contains(
                "(seq 1), and Little's law holds with that count: 1 connection ÷ 260,965 req/s \
                 = 3.83 µs; measured p50 3.54 µs (within 25%)."
            ),
            "{}",
            text[1]
        );
    }

    #[test]
    fn the_fixture_agrees_on_every_finished_runner() {
        let results = fixture();
        let cells: Vec<&Cell> = results
            .cells
            .iter()
            .filter(|c| c.workload == LOADED)
            .collect();
        let unloaded: Vec<&Cell> = results
            .cells
            .iter()
            .filter(|c| c.workload == UNLOADED)
            .collect();
        let text = queueing_sentences(&cells, &unloaded, &results.runners).join("\n\n");
        assert!(
            text.contains("on all 7 of them (column *Connections ÷ req/s*)"),
            "{text}"
        );
        assert!(
            text.contains("tokio-mt: 50 connections ÷ 176,400 req/s = 283 µs"),
            "{text}"
        );
        // The fixture's capped blocking runners fit Little's law with their in-flight
        // count, but their loaded p50 is not their unloaded cost, and that is said.
        assert!(
            text.contains("Little's law holds with that count: thread-pool: 2 connections"),
            "{text}"
        );
        assert!(
            text.contains("within 25% of 1 on seq (1.00×), not on ")
                && text.contains("threads (22.8×)")
                && text.contains("thread-pool (1.28×)"),
            "{text}"
        );
    }
}

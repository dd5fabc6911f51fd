//! The echo section's Markdown, worded from an [`EchoFinding`] alone: the opening
//! sentence, the table with each column in the unit that suits its values, and the
//! paragraphs on Little's law.

use super::derive::{
    Agreement, Comparison, EchoFinding, Entry, Law, Lockstep, LockstepRunner, Percentiles, Point,
    Queueing, Ran, Row, VersusUnloaded,
};
use super::{LOADED, OPEN, TITLE, UNLOADED};
use crate::format::{ColumnUnit, duration_us, span_us, thousands, times_range};
use crate::table::{Align, Table};
use crate::text::{NONE, join_and, sig3, times};
use std::fmt::Write as _;

/// Little's law, as every reading of the closed loop opens.
const CLOSED_LOOP: &str = "In a closed loop each connection sends again only when its reply \
                           arrives, so by Little's law the mean round trip is the number of \
                           round trips in flight ÷ throughput.";

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
    for paragraph in finding.queueing.iter().flat_map(queueing) {
        writeln!(out, "{paragraph}\n").expect("write to String");
    }
}

/// What the three column groups measure, with the connection count and rate as run.
fn intro(ran: &Ran) -> String {
    let mut parts = Vec::new();
    if ran.unloaded {
        parts.push(format!(
            "*unloaded* is `{UNLOADED}`, one connection with nothing else running, so it is the \
             runtime's own cost per round trip"
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
            "*loaded* is `{LOADED}`, {connections} in a closed loop, each sending again only when \
             its reply arrives"
        ));
    }
    if let Some(rates) = &ran.open_rates {
        let at = match rates.as_slice() {
            [] => String::new(),
            [one] => format!(" at {} req/s", thousands(*one)),
            [low, .., high] => format!(" at {} to {} req/s", thousands(*low), thousands(*high)),
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

/// `1 connection`, `50 connections`.
fn connections_text(n: f64) -> String {
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

/// The paragraphs under the table: Little's law for the reactor runners, then for
/// the lockstep ones.
pub(super) fn queueing(q: &Queueing) -> Vec<String> {
    let tolerance = format!("{:.0}%", q.tolerance * 100.0);
    let mut first = CLOSED_LOOP.to_owned();
    if let Some(reactor) = &q.reactor {
        let grouped = q.lockstep.is_some();
        let law = &reactor.law;
        if grouped {
            let who = if reactor.unknown_serving {
                "On the other runners"
            } else {
                "On the runners that wait on a reactor"
            };
            write!(
                first,
                " {who} ({}), every connection is in flight, so that is connections ÷ \
                 throughput: {}.",
                names(&law.points),
                worked(law.example())
            )
        } else {
            write!(
                first,
                " With every connection in flight that is connections ÷ throughput, whatever \
                 the runtime: {}.",
                worked(law.example())
            )
        }
        .expect("write to String");
        let off: Vec<String> = law
            .points
            .iter()
            .filter(|p| !p.fits)
            .map(|p| format!("{} (p50 {} the estimate)", p.runner, times(p.ratio)))
            .collect();
        let n = law.points.len();
        let conclusion = match law.agreement {
            Agreement::Everywhere => format!(
                "The measured p50 is within {tolerance} of connections ÷ throughput on {} \
                 (column *Connections ÷ req/s*), so closed-loop latency under load measures \
                 queueing behind the other connections, not the runtime's cost per round trip; \
                 the unloaded columns show that cost.",
                all_of(n, grouped)
            ),
            Agreement::Nowhere => format!(
                "The measured p50 is not within {tolerance} of connections ÷ throughput on any \
                 {} ({}), so something besides queueing sets the loaded latency {}.",
                if grouped { "of them" } else { "runner" },
                join_and(&off),
                if grouped { "there" } else { "here" }
            ),
            Agreement::Partly => format!(
                "The measured p50 is within {tolerance} of connections ÷ throughput on {} of \
                 {n} {} (column *Connections ÷ req/s*), where loaded latency measures queueing, \
                 not runtime cost; not on {}, where something besides queueing shapes it.",
                n - off.len(),
                if grouped { "of them" } else { "runners" },
                join_and(&off)
            ),
        };
        write!(first, " {conclusion}").expect("write to String");
    }
    let mut paragraphs = vec![first];
    if let Some(lockstep) = &q.lockstep {
        paragraphs.push(lockstep_paragraph(lockstep, &tolerance));
    }
    paragraphs
}

/// The lockstep runners: no server queue, so their loaded p50 is compared with
/// the unloaded cost, and Little's law is worked with what can be in flight.
fn lockstep_paragraph(lockstep: &Lockstep, tolerance: &str) -> String {
    let runners: Vec<String> = lockstep.runners.iter().map(|r| r.runner.clone()).collect();
    let mut text = format!(
        "On the runners that run both ends of each connection in lockstep on one thread ({}; \
         see Disclosures), a round trip never waits in a server queue behind another \
         connection's request",
        join_and(&runners)
    );
    text.push_str(&versus_unloaded(lockstep, tolerance));
    if let Some(fixed) = &lockstep.fixed {
        // In flight at once where the thread count is fixed: `seq 1; rayon 2`.
        let mut counts: Vec<(f64, Vec<String>)> = Vec::new();
        for p in &fixed.points {
            match counts.iter_mut().find(|(n, _)| *n == p.in_flight) {
                Some((_, names)) => names.push(p.runner.clone()),
                None => counts.push((p.in_flight, vec![p.runner.clone()])),
            }
        }
        let counts: Vec<String> = counts
            .iter()
            .map(|(n, names)| format!("{} {}", join_and(names), thousands(*n)))
            .collect();
        write!(
            text,
            " Where the thread count is fixed, at most min(connections, threads) connections \
             are in flight ({}), and {}.",
            counts.join("; "),
            little(fixed, "that count", tolerance)
        )
        .expect("write to String");
    }
    if let Some(per_task) = &lockstep.per_task {
        let mut counts: Vec<f64> = per_task.points.iter().map(|p| p.connections).collect();
        counts.sort_by(f64::total_cmp);
        counts.dedup();
        let how_many = match counts.as_slice() {
            [one] => format!("all {}", thousands(*one)),
            _ => "all of them".to_owned(),
        };
        let verb = if per_task.points.len() == 1 {
            "gives"
        } else {
            "give"
        };
        let but = if per_task.agreement == Agreement::Everywhere {
            "and"
        } else {
            "but"
        };
        write!(
            text,
            " {} {verb} each connection its own OS thread, so {how_many} can be in flight, \
             {but} {}.",
            names(&per_task.points),
            little(per_task, "that many", tolerance)
        )
        .expect("write to String");
    }
    text
}

/// The lockstep runners' loaded p50 against their unloaded one, as the clause
/// that ends the paragraph's first sentence.
fn versus_unloaded(lockstep: &Lockstep, tolerance: &str) -> String {
    let loaded_p50: Vec<f64> = lockstep.runners.iter().map(|r| r.loaded_p50_us).collect();
    let paired = lockstep
        .runners
        .iter()
        .filter_map(|r| Some((r, r.unloaded.as_ref()?)));
    match lockstep.comparison {
        Comparison::NoUnloaded => {
            format!("; measured p50 {}.", span_us(&loaded_p50))
        }
        Comparison::UnloadedCost => {
            let alone: Vec<f64> = paired.clone().map(|(_, u)| u.p50_us).collect();
            let ratios: Vec<f64> = paired.map(|(_, u)| u.ratio).collect();
            format!(
                ", so the measured p50 is the unloaded cost rather than connections ÷ \
                 throughput: {} loaded against {} unloaded ({} per runner).",
                span_us(&loaded_p50),
                span_us(&alone),
                times_range(&ratios)
            )
        }
        Comparison::Ratios => {
            let (close, far): (Vec<_>, Vec<_>) = paired.partition(|(_, u)| u.near);
            let show = |pairs: Vec<(&LockstepRunner, &VersusUnloaded)>| -> Vec<String> {
                pairs
                    .into_iter()
                    .map(|(r, u)| format!("{} ({})", r.runner, times(u.ratio)))
                    .collect()
            };
            let (close, far) = (show(close), show(far));
            let ratio = "; loaded p50 ÷ unloaded p50 is";
            match (close.is_empty(), far.is_empty()) {
                (true, _) => format!(
                    "{ratio} not within {tolerance} of 1 on any of them: {}.",
                    join_and(&far)
                ),
                // The others have no unloaded cell to compare with.
                (false, true) => {
                    format!("{ratio} within {tolerance} of 1 on {}.", join_and(&close))
                }
                (false, false) => format!(
                    "{ratio} within {tolerance} of 1 on {}, not on {}.",
                    join_and(&close),
                    join_and(&far)
                ),
            }
        }
    }
}

/// Little's law over `law`'s points, worked out for its example: whether the
/// measured p50 fits everywhere, somewhere or nowhere, naming the misfits with
/// what was measured. `with` names the in-flight count (`that count`).
fn little(law: &Law, with: &str, tolerance: &str) -> String {
    let example = law.example();
    let misfits: Vec<String> = law.points.iter().filter(|p| !p.fits).map(misfit).collect();
    let n = law.points.len();
    match (n, law.agreement) {
        (1, Agreement::Everywhere) => format!(
            "Little's law holds with {with}: {}; measured p50 {} (within {tolerance})",
            equation(example),
            duration_us(example.p50_us)
        ),
        (1, _) => {
            let mut text = format!(
                "Little's law with {with} does not fit: {} against a measured p50 of {} ({} \
                 that)",
                equation(example),
                duration_us(example.p50_us),
                times(example.ratio)
            );
            if let Some(measured) = in_flight_measured(example) {
                write!(
                    text,
                    "; read the other way, its mean round trip gives {measured} round trips \
                     in flight on average"
                )
                .expect("write to String");
            }
            text
        }
        (n, Agreement::Everywhere) => format!(
            "Little's law holds with {with}: {} (within {tolerance} on all {n})",
            worked(example)
        ),
        (_, Agreement::Nowhere) => format!(
            "Little's law with {with} ({}) is not within {tolerance} on any of them: {}",
            worked(example),
            join_and(&misfits)
        ),
        (n, Agreement::Partly) => format!(
            "Little's law with {with} ({}) fits within {tolerance} on {} of {n}, not on {}",
            worked(example),
            n - misfits.len(),
            join_and(&misfits)
        ),
    }
}

/// The runners of `points`: `seq, threads and rayon`.
fn names(points: &[Point]) -> String {
    let names: Vec<String> = points.iter().map(|p| p.runner.clone()).collect();
    join_and(&names)
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

/// `2 connections ÷ 497,871 req/s = 4.02 µs`.
fn equation(p: &Point) -> String {
    format!(
        "{} ÷ {} req/s = {}",
        connections_text(p.in_flight),
        thousands(p.throughput_per_s),
        duration_us(p.estimate_us)
    )
}

/// `threads-static: 2 connections ÷ 497,871 req/s = 4.02 µs; measured p50 3.66 µs`.
fn worked(p: &Point) -> String {
    format!(
        "{}: {}; measured p50 {}",
        p.runner,
        equation(p),
        duration_us(p.p50_us)
    )
}

/// Little's law read the other way, when the file has the mean: `6.09 µs ×
/// 385,859 req/s = 2.35`, the round trips in flight on average.
fn in_flight_measured(p: &Point) -> Option<String> {
    Some(format!(
        "{} × {} req/s = {}",
        duration_us(p.mean_us?),
        thousands(p.throughput_per_s),
        sig3(p.in_flight_measured?)
    ))
}

/// `threads (p50 0.03× the estimate; mean 6.09 µs × 385,859 req/s = 2.35 round
/// trips in flight on average)`.
fn misfit(p: &Point) -> String {
    let mut text = format!("{} (p50 {} the estimate", p.runner, times(p.ratio));
    if let Some(measured) = in_flight_measured(p) {
        write!(text, "; mean {measured} round trips in flight on average")
            .expect("write to String");
    }
    text.push(')');
    text
}

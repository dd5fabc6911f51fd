//! The section's table and ranking in words: the introduction's sentence on how
//! lateness is read against each runner's own timer, the table of every cell
//! (each latency column in the unit that suits its own values, the timer
//! columns when the run measured a timer) and the ranking per variant.

use super::*;
use crate::format::{ColumnUnit, duration_us, thousands};
use crate::table::{Align, Table};
use crate::text::{NONE, join_and, plural, sig3};
use std::fmt::Write as _;

/// How the section reads lateness against the runners' own timers: beyond
/// them, naming the runners without a `timer` cell, or, when none has one, as
/// measured.
pub(super) fn timer_words(finding: &HogsFinding) -> String {
    let term = crate::terms::link(crate::terms::Term::TimerLateness);
    let timer = crate::sections::timer::TIMER;
    if !finding.timer_ran {
        return format!(
            "The run has no `{timer}` cell, so each runner's own {term} is not known and \
             lateness is read as measured, timer granularity included."
        );
    }
    let mut text = format!(
        "*Beyond timer* is that lateness less the runner's own {term}: the p50 of its 1 ms \
         sleeps on `{timer}` (at the same thread count, else the nearest), so it is what the \
         hogs added. Runners are ranked by it, and the comparisons below read it."
    );
    if !finding.no_timer.is_empty() {
        let (has, is) = if finding.no_timer.len() == 1 {
            ("has", "its lateness is")
        } else {
            ("have", "theirs is")
        };
        write!(
            text,
            " {} {has} no `{timer}` cell: {is} read as measured.",
            join_and(&finding.no_timer)
        )
        .expect("write to String");
    }
    text
}

/// The ranking as a table, one column per variant and one row per place:
/// each runner at its best cell with the p99 it is ranked by, marked `as
/// measured` where the run has timers but not this runner's. With the sentence
/// that introduces it; nothing when no variant has a ranked runner.
pub(super) fn ranking_table(finding: &HogsFinding, out: &mut String) {
    let places = finding
        .ranking
        .iter()
        .map(|r| r.runners.len())
        .max()
        .unwrap_or(0);
    if places == 0 {
        return;
    }
    let by = if finding.timer_ran {
        "tick lateness p99 beyond their own timer"
    } else {
        "tick lateness p99"
    };
    writeln!(
        out,
        "Runners ranked by {by}, each at its best thread count, lowest first:\n"
    )
    .expect("write to String");
    let mut headers = vec![("Place".to_owned(), Align::Right)];
    headers.extend(
        finding
            .ranking
            .iter()
            .map(|r| (format!("`{}`", r.variant), Align::Left)),
    );
    let mut table = Table::new(headers);
    for place in 0..places {
        let mut row = vec![(place + 1).to_string()];
        row.extend(finding.ranking.iter().map(|r| {
            r.runners.get(place).map_or(String::new(), |e| {
                let measured = if finding.timer_ran && e.timer.is_none() {
                    ", as measured"
                } else {
                    ""
                };
                format!(
                    "{} ({}): {}{measured}",
                    e.cell.runner,
                    plural(e.cell.threads, "thread", "threads"),
                    duration_us(e.ranked_us())
                )
            })
        }));
        table.push_row(row);
    }
    out.push_str(&table.to_markdown());
    out.push('\n');
}

/// The table of every cell; `limit` is the stall threshold as printed, ms.
/// With `timer_ran`, each runner's timer p50 and the lateness beyond it too.
pub(super) fn table(rows: &[HogsRow], limit: &str, timer_ran: bool) -> Table {
    let finished: Vec<&Measures> = rows
        .iter()
        .filter_map(|r| match &r.outcome {
            RowOutcome::Finished(m) => Some(m),
            RowOutcome::Ended(_) => None,
        })
        .collect();
    let column = |value: fn(&Measures) -> Option<f64>| {
        ColumnUnit::for_values(finished.iter().filter_map(|m| value(m)))
    };
    let units = [
        column(|m| Some(m.lateness?.p50_us)),
        column(|m| Some(m.lateness?.p99_us)),
        column(|m| Some(m.lateness?.max_us)),
        column(|m| m.round_trip_p99_us),
    ];
    let timer_units = [
        column(|m| Some(m.timer?.p50_us)),
        column(|m| Some(m.beyond_timer?.p50_us)),
        column(|m| Some(m.beyond_timer?.p99_us)),
    ];
    let mut headers = vec![
        ("Runner".to_owned(), Align::Left),
        ("Threads".to_owned(), Align::Right),
        ("Variant".to_owned(), Align::Left),
        (units[0].header("Tick lateness p50"), Align::Right),
        (units[1].header("p99"), Align::Right),
        (units[2].header("max"), Align::Right),
    ];
    if timer_ran {
        headers.extend([
            (timer_units[0].header("Own 1 ms timer p50"), Align::Right),
            (timer_units[1].header("Beyond timer p50"), Align::Right),
            (timer_units[2].header("p99"), Align::Right),
        ]);
    }
    headers.extend([
        (format!("Stalled samples (max > {limit} ms)"), Align::Right),
        ("Hog chunks/s".to_owned(), Align::Right),
        (units[3].header("Round-trip p99"), Align::Right),
    ]);
    let mut table = Table::new(headers);
    for r in rows {
        let cell = &r.cell;
        let mark = if r.disturbed {
            format!(" {}", crate::judge::DISTURBED)
        } else {
            String::new()
        };
        let mut row = vec![
            format!("{}{mark}", cell.runner),
            cell.threads.to_string(),
            cell.workload
                .strip_prefix(PREFIX)
                .unwrap_or(&cell.workload)
                .to_owned(),
        ];
        match &r.outcome {
            RowOutcome::Finished(m) => {
                let show = |unit: ColumnUnit, of: fn(Lateness) -> f64| {
                    m.lateness.map_or(NONE.to_owned(), |l| unit.show(of(l)))
                };
                row.extend([
                    show(units[0], |l| l.p50_us),
                    show(units[1], |l| l.p99_us),
                    show(units[2], |l| l.max_us),
                ]);
                if timer_ran {
                    let beyond = |unit: ColumnUnit, of: fn(Lateness) -> f64| {
                        m.beyond_timer.map_or(NONE.to_owned(), |l| unit.show(of(l)))
                    };
                    row.extend([
                        m.timer
                            .map_or(NONE.to_owned(), |t| timer_units[0].show(t.p50_us)),
                        beyond(timer_units[1], |l| l.p50_us),
                        beyond(timer_units[2], |l| l.p99_us),
                    ]);
                }
                row.extend([
                    m.stalls.as_ref().map_or(NONE.into(), stalls_text),
                    m.chunks_per_s.map_or(NONE.into(), thousands),
                    m.round_trip_p99_us
                        .map_or(NONE.into(), |us| units[3].show(us)),
                ]);
            }
            RowOutcome::Ended(status) => {
                row.push(status.as_str().to_owned());
                row.resize(table.columns().len(), NONE.into());
            }
        }
        table.push_row(row);
    }
    table
}

/// `2 of 5 (worst 101 ms)`, or `0 of 5` when none stalled.
pub(super) fn stalls_text(s: &Stalls) -> String {
    if s.stalled == 0 {
        format!("0 of {}", s.samples)
    } else {
        format!(
            "{} of {} (worst {} ms)",
            s.stalled,
            s.samples,
            sig3(s.worst_us / 1e3)
        )
    }
}

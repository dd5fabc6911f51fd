//! The section read beyond each runner's own timer: the table's timer columns,
//! the ranking per variant, and the comparisons, from the v2 fixture with tokio's
//! whole-millisecond timer added to it.

use super::derive::derive;
use super::render::sentences;
use super::*;
use crate::fixtures::add_timer_cell;
use crate::model::Results;
use crate::sections::Section as _;

/// The v2 fixture, whose `timer` cells leave out tokio and futures-pool, with
/// tokio-ct's timer measured as it is (about a millisecond late at 1 ms) and its
/// yielding ticks as late as that timer makes them, and futures-pool's timer
/// measured at 1 thread only. tokio-mt keeps no `timer` cell.
fn with_tokio_timer() -> Results {
    let mut results = crate::fixtures::v2();
    add_timer_cell(&mut results, "tokio-ct", 1, 996.0, 1_090.0);
    add_timer_cell(&mut results, "futures-pool", 1, 25.0, 27.0);
    let tokio_yield = results
        .cells
        .iter_mut()
        .find(|c| c.runner == "tokio-ct" && c.workload == YIELD)
        .unwrap();
    tokio_yield.latency_us.as_mut().unwrap().p99 = 1_900.0;
    crate::summary::summarize(&mut results);
    results
}

fn finished<'f>(found: &'f HogsFinding, runner: &str, workload: &str) -> &'f Measures {
    let row = found
        .cells
        .iter()
        .find(|r| r.cell.runner == runner && r.cell.workload == workload)
        .unwrap();
    match &row.outcome {
        RowOutcome::Finished(m) => m,
        RowOutcome::Ended(status) => panic!("{runner} {workload}: {status:?}"),
    }
}

fn ranked<'f>(found: &'f HogsFinding, workload: &str) -> Vec<&'f str> {
    found
        .ranking
        .iter()
        .find(|r| r.variant == workload)
        .unwrap()
        .runners
        .iter()
        .map(|e| e.cell.runner.as_str())
        .collect()
}

#[test]
fn each_cell_is_read_beyond_its_own_runners_timer() {
    let results = with_tokio_timer();
    let report = Report::new(&results, &[]);
    let found = derive(&report).unwrap();
    assert!(found.timer_ran);
    assert_eq!(found.no_timer, ["tokio-mt"]);
    let tokio = finished(&found, "tokio-ct", YIELD);
    let timer = tokio.timer.unwrap();
    assert_eq!((timer.threads, timer.same_threads), (1, true));
    assert_eq!(tokio.beyond_timer.unwrap().p99_us, 1_900.0 - 1_090.0);
    // futures-pool ran the hogs at 2 threads, its timer only at 1: the nearest.
    let pool = finished(&found, "futures-pool", YIELD).timer.unwrap();
    assert_eq!((pool.threads, pool.same_threads), (1, false));
    let tokio_mt = finished(&found, "tokio-mt", YIELD);
    assert_eq!((tokio_mt.timer, tokio_mt.beyond_timer), (None, None));
    assert!(tokio_mt.lateness.is_some(), "shown as measured");
}

#[test]
fn runners_are_ranked_by_what_the_hogs_added() {
    let results = with_tokio_timer();
    let found = derive(&Report::new(&results, &[])).unwrap();
    // As measured, tokio-ct's yielding ticks are the latest of the three
    // single-threaded executors (1.90 ms against 0.977 and 1.20 ms); less its
    // own timer's millisecond, the hog added the least there.
    let yielding = ranked(&found, YIELD);
    let at = |runner: &str| yielding.iter().position(|r| *r == runner).unwrap();
    assert!(at("tokio-ct") < at("smol-local"), "{yielding:?}");
    assert!(at("smol-local") < at("futures-local"), "{yielding:?}");
    let entry = |runner: &str| {
        found.ranking[1]
            .runners
            .iter()
            .find(|e| e.cell.runner == runner)
            .unwrap()
    };
    assert_eq!(found.ranking[1].variant, YIELD);
    assert_eq!(entry("tokio-ct").ranked_us(), 810.0);
    assert_eq!(entry("tokio-mt").ranked_us(), 186.2, "as measured");
    // The comparisons read the same figures, and say so.
    let recovery = found.comparisons.yielding.as_ref().unwrap();
    let tokio = recovery
        .ticks
        .cells
        .iter()
        .find(|t| t.cell.runner == "tokio-ct")
        .unwrap();
    assert_eq!(tokio.p99_read_us(), 810.0);
    let words = sentences(&found.comparisons, STALL_US);
    assert!(
        words[2].contains("tick lateness beyond the timer p99 810 µs to 1.17 ms"),
        "{}",
        words[2]
    );
    // The multithreaded pool has tokio-mt, read as measured, among its cells:
    // the introduction names it.
    assert!(
        words[1].contains("Tick lateness beyond the timer p99 "),
        "{}",
        words[1]
    );
}

#[test]
fn the_section_shows_both_and_names_who_has_no_timer() {
    let results = with_tokio_timer();
    let report = Report::new(&results, &[]);
    let mut out = String::new();
    HogsSection.render(&report, &mut out);
    assert!(
        out.contains("| Own 1 ms timer p50 | Beyond timer p50 |     p99 |"),
        "{out}"
    );
    assert!(
        out.contains("tokio-mt has no `timer` cell: its lateness is read as measured."),
        "{out}"
    );
    assert!(out.contains("[timer lateness](#glossary-timer-lateness)"));
    assert!(
        out.contains(
            "Runners ranked by tick lateness p99 beyond their own timer, each at its best \
             thread count, lowest first:\n\n| Place | `mixed-inline` "
        ),
        "{out}"
    );
    assert!(
        out.contains("|     1 | threads (2 threads): 69.4 µs "),
        "{out}"
    );
    assert!(
        out.contains("tokio-mt (2 threads): 186 µs, as measured"),
        "{out}"
    );
    // findings.json carries the same finding.
    let json = HogsSection.findings(&report).unwrap();
    assert_eq!(json["timer_ran"], true);
    assert_eq!(
        json["ranking"][1]["runners"][0]["cell"]["runner"],
        "threads"
    );
}

#[test]
fn without_a_timer_cell_lateness_is_read_as_measured() {
    let mut results = crate::fixtures::v2();
    results
        .cells
        .retain(|c| c.workload != crate::sections::timer::TIMER);
    crate::summary::summarize(&mut results);
    let report = Report::new(&results, &[]);
    let found = derive(&report).unwrap();
    assert!(!found.timer_ran);
    assert!(found.no_timer.is_empty(), "nothing to single out");
    assert!(found.cells.iter().all(|r| match &r.outcome {
        RowOutcome::Finished(m) => m.timer.is_none() && m.beyond_timer.is_none(),
        RowOutcome::Ended(_) => true,
    }));
    // Ranked by the p99 as measured: smol-local's yielding ticks ahead of tokio-ct's.
    let yielding = ranked(&found, YIELD);
    let at = |runner: &str| yielding.iter().position(|r| *r == runner).unwrap();
    assert!(at("smol-local") < at("tokio-ct"), "{yielding:?}");
    let mut out = String::new();
    HogsSection.render(&report, &mut out);
    assert!(
        out.contains("The run has no `timer` cell, so each runner's own [timer lateness]"),
        "{out}"
    );
    assert!(out.contains("Runners ranked by tick lateness p99, each at its best thread count"));
    assert!(!out.contains("Beyond timer"), "{out}");
    assert!(!out.contains("beyond the timer"), "{out}");
}

//! The `timer` workload across the sections: its own table, verdict, answer and
//! grid entry, the verdicts on the `mixed-*` workloads read beyond each runner's
//! timer, and the disclosures' measured figure behind a caveat about a timer.

use super::*;
use crate::fixtures::add_timer_cell;
use crate::sections::Report;
use crate::sections::answers::{Measure, Pick, Work};
use crate::sections::timer::TIMER;
use crate::sections::verdict::{LatencyRanking, Outcome};
use crate::summary::Summarized;

/// The v2 fixture with tokio-ct's timer measured as tokio's is (a 100 µs sleep
/// about a millisecond late), and tokio-ct's offloaded ticks late by that timer
/// and 100 µs more.
fn with_tokio_timer() -> Results {
    let mut results = crate::fixtures::v2();
    add_timer_cell(&mut results, "tokio-ct", 1, 996.0, 1_090.0);
    let offload = results
        .cells
        .iter_mut()
        .find(|c| c.runner == "tokio-ct" && c.workload == "mixed-offload")
        .unwrap();
    offload.latency_us.as_mut().unwrap().p99 = 1_190.0;
    results
}

/// The verdict outcome on `workload`.
fn outcome(results: &Results, workload: &str) -> Outcome {
    let summarized = Summarized::new(results.clone());
    let report = Report::new(&summarized, &[]);
    let finding = report.verdict_finding();
    finding
        .workloads
        .iter()
        .find(|w| w.workload == workload)
        .unwrap_or_else(|| panic!("no verdict on {workload}"))
        .outcome
        .clone()
}

fn lowest(ranking: &LatencyRanking) -> Vec<(&str, f64)> {
    ranking
        .lowest
        .iter()
        .map(|e| (e.cell.runner.as_str(), e.ranked_us()))
        .collect()
}

#[test]
fn timer_is_ranked_by_its_lateness_not_compared_with_seq() {
    let results = with_tokio_timer();
    let Outcome::Timer(ranking) = outcome(&results, TIMER) else {
        panic!("{:?}", outcome(&results, TIMER));
    };
    assert_eq!(lowest(&ranking), [("smol-local", 31.0), ("smol-mt", 40.3)]);
    assert!(ranking.lowest.iter().all(|e| e.timer.is_none()), "raw");
    let report = render(&results);
    let line = verdict_of(&report, TIMER);
    assert!(
        line.contains(
            "speedups mean nothing: ranked by the p99 of its 100 µs sleeps' lateness: lowest \
             smol-local (1 thread) at 31.0 µs, then smol-mt (2 threads) at 40.3 µs."
        ),
        "{line}"
    );
    // Its table ranks by that p99, without speedups.
    let start = report.find("### timer").unwrap();
    let table = &report[start..start + report[start..].find("\n\n![").unwrap()];
    assert!(
        table.contains("Relative [p99]") && !table.contains("Speedup"),
        "{table}"
    );
    assert!(table.contains("| tokio-ct "), "{table}");
}

#[test]
fn mixed_verdicts_rank_by_lateness_beyond_the_runners_timer() {
    let results = with_tokio_timer();
    let Outcome::Latency(ranking) = outcome(&results, "mixed-offload") else {
        panic!("not ranked by latency");
    };
    // As measured tokio-ct's ticks are the latest (1.19 ms against smol-local's
    // 229 µs); beyond its own timer's 1.09 ms, its hog added the least.
    assert_eq!(lowest(&ranking)[0], ("tokio-ct", 100.0));
    assert_eq!(ranking.lowest[0].p99_us, 1_190.0);
    assert_eq!(ranking.lowest[0].timer.unwrap().p50_us, 1_090.0);
    let report = render(&results);
    assert!(
        verdict_of(&report, "mixed-offload").contains(
            "lowest tokio-ct (1 thread) at 100 µs beyond its timer (1.19 ms measured), then \
             smol-local (1 thread) at 214 µs beyond its timer (229 µs measured)."
        ),
        "{}",
        verdict_of(&report, "mixed-offload")
    );
    assert!(report.contains(
        "Where `timer` measured a runner's own [timer lateness](#glossary-timer-lateness), they \
         are ranked by the p99 beyond it."
    ));
    // A runner without a `timer` cell is ranked as measured, and marked so.
    let mut no_threads = results.clone();
    no_threads
        .cells
        .retain(|c| c.workload != TIMER || c.runner != "threads");
    let report = render(&no_threads);
    let inline = verdict_of(&report, "mixed-inline");
    assert!(
        inline.contains("lowest threads (2 threads) at 130 µs (no `timer` cell)"),
        "{inline}"
    );
}

#[test]
fn without_timer_cells_the_mixed_verdicts_read_as_before() {
    let mut results = crate::fixtures::v2();
    results.cells.retain(|c| c.workload != TIMER);
    let Outcome::Latency(ranking) = outcome(&results, "mixed-inline") else {
        panic!("not ranked by latency");
    };
    assert_eq!(lowest(&ranking), [("threads", 130.2), ("smol-mt", 228.0)]);
    let report = render(&results);
    assert!(
        verdict_of(&report, "mixed-inline")
            .ends_with("ranked by p99: lowest threads (2 threads) at 130 µs, then smol-mt (2 threads) at 228 µs."),
        "{}",
        verdict_of(&report, "mixed-inline")
    );
    assert!(!report.contains("ranked by the p99 beyond it"));
}

#[test]
fn the_answers_rank_unloaded_timers_by_p99_and_the_grid_leaves_them_out() {
    let results = with_tokio_timer();
    let summarized = Summarized::new(results.clone());
    let report = Report::new(&summarized, &[]);
    let answers = report.answers();
    let timer = answers
        .answers
        .iter()
        .find(|a| a.work == Work::TimerLateness)
        .unwrap();
    assert_eq!(timer.measure, Measure::LatencyP99);
    assert_eq!(timer.workloads, [TIMER]);
    let Pick::Ranked { winner, .. } = &timer.pick else {
        panic!("{:?}", timer.pick);
    };
    assert_eq!(
        (winner.cell.runner.as_str(), winner.median),
        ("smol-local", Some(31.0))
    );
    let text = render(&results);
    assert!(
        text.contains("| Timer lateness, unloaded | 100 µs sleep lateness [p99](#glossary-p99)"),
        "{text}"
    );
    let grid = report.grid();
    let grid = grid.as_ref().as_ref().unwrap();
    assert_eq!(grid.one_task, [TIMER]);
    assert!(!grid.workloads.iter().any(|w| w == TIMER));
    assert!(text.contains(
        "Not in the grid, timing one task's own sleeps, which leave concurrency and \
         parallelism nothing to overlap: `timer`."
    ));
}

#[test]
fn a_caveat_about_a_timer_points_at_what_timer_measured() {
    let results = with_tokio_timer();
    let report = render(&results);
    let disclosures = disclosures(&report);
    assert!(
        disclosures.contains(
            "so timer-heavy cells mix timer granularity with scheduling cost. The `timer` \
             workload measured a 100 µs sleep's p50 lateness (a 1 ms sleep's in brackets): 996 \
             µs (1.09 ms) on tokio-ct."
        ),
        "{disclosures}"
    );
    // tokio-mt has no `timer` cell: nothing is said for it.
    assert!(!disclosures.contains("on tokio-mt"), "{disclosures}");
    // A caveat about something else gets no figure.
    assert_eq!(
        disclosures.matches("The `timer` workload measured").count(),
        2
    );
}

//! The verdict's typed finding: which cells lead, and what each comparison
//! amounts to, asserted on the numbers and enums rather than the words.

use super::*;
use crate::sections::Report;
use crate::sections::verdict::*;
use crate::summary::Summarized;

/// The verdict finding of `results`.
fn finding(results: &Results) -> VerdictFinding {
    let summarized = Summarized::new(results.clone());
    let report = Report::new(&summarized, &[]);
    (*report.verdict_finding()).clone()
}

/// The comparison with `seq` on `workload`.
fn compared(f: &VerdictFinding, workload: &str) -> Compared {
    let w = f
        .workloads
        .iter()
        .find(|w| w.workload == workload)
        .unwrap_or_else(|| panic!("no verdict on {workload}"));
    match &w.outcome {
        Outcome::Compared(c) => (**c).clone(),
        other => panic!("{workload} is not compared with seq: {other:?}"),
    }
}

fn parallel(c: &Compared) -> ParallelLead {
    match &c.parallelism {
        Some(Parallelism::Best(lead)) => (**lead).clone(),
        other => panic!("no parallel leader: {other:?}"),
    }
}

fn concurrent(c: &Compared) -> (Leader, Versus) {
    match &c.concurrency {
        Some(Concurrency::Best { leader, vs_seq }) => (leader.clone(), *vs_seq),
        other => panic!("no concurrent leader: {other:?}"),
    }
}

#[test]
fn cpu_work_credits_parallelism_and_not_concurrency() {
    let f = finding(&fixture());
    let cpu = compared(&f, "cpu");
    let lead = parallel(&cpu);
    assert_eq!(
        (lead.leader.cell.runner.as_str(), lead.leader.cell.threads),
        ("tokio-mt", 2)
    );
    assert_eq!(lead.vs_seq.change, Change::Faster);
    assert!(
        (lead.vs_seq.ratio - 1.97).abs() < 0.01,
        "{}",
        lead.vs_seq.ratio
    );
    let Credit::CpuGain { efficiency, .. } = lead.credit else {
        panic!("{:?}", lead.credit)
    };
    assert!(efficiency.is_some_and(|e| e > 0.95));
    // One thread of interleaving on CPU work is level with `seq`.
    let (conc, vs_seq) = concurrent(&cpu);
    assert_eq!(conc.cell.runner, "smol-local");
    assert_eq!(vs_seq.change, Change::Level);
    // Five samples per cell: a lowest median, never a ranking.
    assert!(!lead.leader.ranked);
    assert_eq!(lead.leader.fewest_samples, Some(5));
    assert_eq!(
        f.weakest_interval.map(|w| w.samples),
        Some(5),
        "the caveat names the weakest interval"
    );
}

#[test]
fn waits_overlap_on_one_core_and_parallelism_gets_no_credit() {
    let f = finding(&fixture());
    let sleep = compared(&f, "sleep");
    let (conc, vs_seq) = concurrent(&sleep);
    assert_eq!(conc.cell.runner, "smol-local");
    assert_eq!(vs_seq.change, Change::Faster);
    assert!(vs_seq.ratio > 900.0, "{}", vs_seq.ratio);
    let lead = parallel(&sleep);
    let Credit::NotParallel {
        vs_concurrency: Some(vs),
    } = &lead.credit
    else {
        panic!("{:?}", lead.credit)
    };
    assert_eq!(vs.runner, "smol-local");
    assert!(lead.leader.cpu_utilisation < 1.2);
    // `seq` ran a subset of the sleeps and was scaled up.
    assert!(sleep.extrapolated.contains(&"seq".to_owned()));
}

#[test]
fn one_runner_that_clearly_wins_is_ranked_alone() {
    // Twelve samples per cell, each ±0.05% around its median: every interval
    // supports a ranking; tokio-mt then runs 20% faster than it did.
    let mut results = with_samples(fixture(), "cpu", 12);
    reshape(&mut results, "tokio-mt", "cpu", 0.8, 2.0);
    let f = finding(&results);
    let lead = parallel(&compared(&f, "cpu"));
    assert!(lead.leader.ranked);
    assert!(lead.leader.tied.is_empty(), "{:?}", lead.leader.tied);
    assert_eq!(lead.leader.fewest_samples, None);
    assert_eq!(lead.leader.cell.runner, "tokio-mt");
}

#[test]
fn runners_the_data_cannot_separate_are_tied_not_ranked() {
    // Every multithreaded cell of `cpu` given tokio-mt's samples: one time.
    let mut results = with_samples(fixture(), "cpu", 12);
    let leader = results
        .cells
        .iter()
        .find(|c| c.runner == "tokio-mt" && c.workload == "cpu")
        .unwrap()
        .samples
        .clone();
    for c in results.cells.iter_mut().filter(|c| c.workload == "cpu") {
        if c.threads == 2 && c.runner != BASELINE_RUNNER {
            c.samples = leader.clone();
        }
    }
    let f = finding(&results);
    let lead = parallel(&compared(&f, "cpu"));
    assert!(lead.leader.ranked);
    assert!(
        lead.leader.tied.len() >= 2,
        "the others at 2 threads tie with the leader: {:?}",
        lead.leader.tied
    );
    assert!(lead.leader.tied.iter().all(|c| c.threads == 2));
    let words = render(&results);
    assert!(verdict_of(&words, "cpu").contains("Statistically tied with it:"));
}

#[test]
fn sockets_are_compared_like_any_other_work() {
    // No share of a lead is credited to blocking I/O: with the clients inside
    // the cell that story measured a different workload.
    let f = finding(&fixture_quick());
    let echo = compared(&f, "tcp-echo");
    let lead = parallel(&echo);
    assert_eq!(lead.leader.cell.runner, "threads-static");
    let Credit::BeyondConcurrency { vs_concurrency } = &lead.credit else {
        panic!("{:?}", lead.credit)
    };
    assert_eq!(vs_concurrency.runner, "tokio-ct");
}

#[test]
fn open_loops_and_overhead_get_their_own_outcomes() {
    let f = finding(&fixture_quick());
    let outcome = |w: &str| {
        &f.workloads
            .iter()
            .find(|v| v.workload == w)
            .unwrap()
            .outcome
    };
    assert!(matches!(outcome("tcp-echo-open"), Outcome::OpenLoop(_)));
    assert!(matches!(outcome("spawn"), Outcome::Overhead(_)));
    // Beside CPU hogs, the runners are ranked by latency.
    let Outcome::Latency(ranking) = outcome("mixed-inline") else {
        panic!("{:?}", outcome("mixed-inline"))
    };
    assert_eq!(ranking.lowest.len(), 2);
    assert!(ranking.lowest[0].p99_us <= ranking.lowest[1].p99_us);
    assert_ne!(ranking.lowest[0].cell.runner, ranking.lowest[1].cell.runner);
    // CPU-bound first, then I/O-bound, mixed and overhead.
    let kinds: Vec<_> = f.workloads.iter().map(|w| w.kind).collect();
    let mut sorted = kinds.clone();
    sorted.sort();
    assert_eq!(kinds, sorted);
}

#[test]
fn a_disturbed_cell_is_named_and_never_leads() {
    let mut results = with_samples(fixture(), "cpu", 12);
    disturb(&mut results, "tokio-mt", "cpu");
    let f = finding(&results);
    assert!(
        f.disturbed
            .iter()
            .any(|c| c.runner == "tokio-mt" && c.workload == "cpu")
    );
    let lead = parallel(&compared(&f, "cpu"));
    assert_ne!(lead.leader.cell.runner, "tokio-mt");
}

#[test]
fn the_finding_is_in_findings_json() {
    let summarized = Summarized::new(fixture());
    let json: serde_json::Value =
        serde_json::from_str(&crate::findings::render_summarized(&summarized)).unwrap();
    let verdict = &json["sections"]["verdict"];
    assert_eq!(verdict["workloads"][0]["workload"], "cpu");
    assert_eq!(
        verdict["workloads"][0]["outcome"]["Compared"]["parallelism"]["Best"]["leader"]["cell"]["runner"],
        "tokio-mt"
    );
}

#[test]
fn each_finding_is_derived_once_per_report() {
    let summarized = Summarized::new(fixture());
    let report = Report::new(&summarized, &[]);
    let calls = std::cell::Cell::new(0);
    let derive = || {
        calls.set(calls.get() + 1);
        7_u32
    };
    let first = report.derived("probe", derive);
    let again = report.derived("probe", derive);
    assert_eq!((*first, *again, calls.get()), (7, 7, 1));
    // The verdict the Markdown renders is the one findings.json holds.
    assert!(std::rc::Rc::ptr_eq(
        &report.verdict_finding(),
        &report.verdict_finding()
    ));
}

/// `runner`'s samples of `workload` with their wall (and CPU) times scaled by
/// `factor`.
fn scale_walls(results: &mut Results, runner: &str, workload: &str, factor: f64) {
    for cell in results
        .cells
        .iter_mut()
        .filter(|c| c.runner == runner && c.workload == workload)
    {
        for s in &mut cell.samples {
            s.wall_s *= factor;
            s.user_s *= factor;
            s.sys_s *= factor;
        }
    }
}

#[test]
fn thread_per_core_is_set_against_dynamic_scheduling_on_cpu_work() {
    let results = crate::fixtures::per_core();
    let f = finding(&results);
    let summarized = Summarized::new(results.clone());
    let median = |runner: &str, workload: &str| {
        summarized
            .cells
            .iter()
            .find(|c| c.runner == runner && c.workload == workload)
            .and_then(|c| c.summary.as_ref())
            .unwrap_or_else(|| panic!("no summary of {runner}/{workload}"))
            .median_wall_s
    };
    let skewed = compared(&f, "cpu-skewed");
    let Some(FixedShares::Compared {
        split,
        dynamic,
        walls_s,
        reading,
        ..
    }) = &skewed.thread_per_core
    else {
        panic!("{:?}", skewed.thread_per_core)
    };
    // The better of the two thread-per-core runners, against the best dynamic
    // scheduler at its thread count, from their medians.
    let best = ["tokio-per-core", "monoio"]
        .into_iter()
        .min_by(|a, b| median(a, "cpu-skewed").total_cmp(&median(b, "cpu-skewed")))
        .unwrap();
    assert_eq!((split.runner.as_str(), split.threads), (best, 2));
    assert_eq!(walls_s[0], median(best, "cpu-skewed"));
    assert_eq!(walls_s[1], median(&dynamic.runner, "cpu-skewed"));
    let family = |runner: &str| {
        results
            .runners
            .iter()
            .find(|r| r.id == runner)
            .unwrap()
            .family
    };
    assert!(matches!(
        family(&dynamic.runner),
        Family::WorkStealing | Family::SharedQueue
    ));
    // Round robin leaves one core 100 of the 175 units: uneven, as the
    // static split is, but by less.
    let SplitReading::Uneven { slower_by } = reading else {
        panic!("{reading:?}")
    };
    assert!((walls_s[0] / walls_s[1] - 1.0 - slower_by).abs() < 1e-12);
    let Some(FixedShares::Compared {
        reading: SplitReading::Uneven {
            slower_by: split_by,
        },
        ..
    }) = &skewed.static_split
    else {
        panic!("{:?}", skewed.static_split)
    };
    assert!(slower_by < split_by, "{slower_by} against {split_by}");
    // Waiting work is not CPU-bound: no such comparison; and none without a
    // thread-per-core runner.
    let Outcome::Compared(sleep) = &f
        .workloads
        .iter()
        .find(|w| w.workload == "sleep")
        .unwrap()
        .outcome
    else {
        panic!("sleep is compared with seq")
    };
    assert!(sleep.thread_per_core.is_none());
    assert!(
        compared(&finding(&fixture()), "cpu-skewed")
            .thread_per_core
            .is_none()
    );
}

#[test]
fn a_thread_per_core_runner_can_lead_the_parallel_runners() {
    let mut results = crate::fixtures::per_core();
    scale_walls(&mut results, "monoio", "cpu", 0.9);
    let lead = parallel(&compared(&finding(&results), "cpu"));
    assert_eq!(
        (lead.leader.cell.runner.as_str(), lead.leader.cell.threads),
        ("monoio", 2)
    );
    let report = render(&results);
    let cpu = verdict_of(&report, "cpu");
    assert!(
        cpu.contains("(best multithreaded runner: monoio, 2 threads)"),
        "{cpu}"
    );
    // And the grid's concurrent-parallel row.
    let grid = report
        .lines()
        .find(|l| l.starts_with("| concurrent-parallel"))
        .unwrap();
    assert!(grid.contains("monoio (t2)"), "{grid}");
}

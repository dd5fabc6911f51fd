//! The answers asserted on their findings: the right runner where one clearly
//! wins, "cannot separate" where the data do not, the measure each kind of work
//! is ranked by, and the caveat that matters.

use super::*;
use crate::model::Results;
use crate::sections::Report;
use crate::summary::Summarized;

fn answers(results: &Results) -> AnswersFinding {
    let summarized = Summarized::new(results.clone());
    let report = Report::new(&summarized, &[]);
    (*report.answers()).clone()
}

fn answer(f: &AnswersFinding, work: Work) -> &Answer {
    f.answers
        .iter()
        .find(|a| a.work == work)
        .unwrap_or_else(|| panic!("no answer for {work:?}: {f:#?}"))
}

fn ranked(a: &Answer) -> (&Entry, &Entry, &Margin) {
    match &a.pick {
        Pick::Ranked {
            winner,
            runner_up,
            margin,
        } => (winner, runner_up, margin),
        other => panic!("not ranked: {other:?}"),
    }
}

/// Every sample of `runner`'s cells of `workload` scaled by `factor`, in wall
/// time, latency and the workload's measures.
fn scale(results: &mut Results, runner: &str, workload: &str, factor: f64) {
    for cell in results
        .cells
        .iter_mut()
        .filter(|c| c.runner == runner && c.workload == workload)
    {
        for s in &mut cell.samples {
            s.wall_s *= factor;
            s.user_s *= factor;
            s.latency_p99_us = s.latency_p99_us.map(|v| v * factor);
            for v in s.metrics.values_mut() {
                *v *= factor;
            }
        }
    }
}

/// Every cell of `workload` given 12 samples, ±0.05% around its own median
/// (in process 0), so each median has a 95% interval.
fn twelve_samples(mut results: Results, workload: &str) -> Results {
    for cell in results.cells.iter_mut().filter(|c| c.workload == workload) {
        let Some(first) = cell.samples.first().cloned() else {
            continue;
        };
        let walls: Vec<f64> = cell.samples.iter().map(|s| s.wall_s).collect();
        let median = crate::stats::median(&walls);
        cell.samples = (0..12)
            .map(|i| crate::model::Sample {
                wall_s: median * (1.0 + 0.001 * (f64::from(i) / 12.0 - 0.5)),
                process: 0,
                ..first.clone()
            })
            .collect();
    }
    results
}

/// `results` with every cell of `workload` given `runner`'s samples at its
/// thread count, so the data cannot separate the runners.
fn all_like(mut results: Results, runner: &str, workload: &str) -> Results {
    let model = results
        .cells
        .iter()
        .find(|c| c.runner == runner && c.workload == workload && c.threads == 2)
        .unwrap()
        .samples
        .clone();
    for c in results.cells.iter_mut().filter(|c| c.workload == workload) {
        if c.status == crate::model::Status::Ok && c.extrapolation.is_none() {
            c.samples = model.clone();
        }
    }
    results
}

#[test]
fn one_runner_that_clearly_wins_is_recommended() {
    let mut results = twelve_samples(crate::fixtures::quick(), "cpu");
    // rayon twice as fast as it was on even CPU chunks: clearly ahead.
    scale(&mut results, "rayon", "cpu", 0.5);
    let f = answers(&results);
    let cpu = answer(&f, Work::CpuUniform);
    assert_eq!(cpu.measure, Measure::WallTime);
    let (winner, up, margin) = ranked(cpu);
    assert_eq!(winner.cell.runner, "rayon");
    assert_ne!(up.cell.runner, "rayon", "the runner-up is another runner");
    assert!(margin.separated, "{margin:?}");
    assert!(margin.ratio > 1.8 && margin.interval[0] > 1.5, "{margin:?}");
}

#[test]
fn runners_the_data_cannot_separate_are_not_ranked() {
    let results = all_like(
        twelve_samples(crate::fixtures::quick(), "cpu"),
        "tokio-mt",
        "cpu",
    );
    let f = answers(&results);
    let (_, _, margin) = ranked(answer(&f, Work::CpuUniform));
    assert!(margin.supported && !margin.separated, "{margin:?}");
    assert!((margin.ratio - 1.0).abs() < 1e-9, "{margin:?}");
    let report = crate::markdown::render(&results);
    let row = report
        .lines()
        .find(|l| l.starts_with("| CPU, even chunks"))
        .unwrap();
    assert!(row.contains("cannot separate"), "{row}");
}

#[test]
fn three_samples_are_too_few_to_rank_even_a_clear_lead() {
    let mut results = crate::fixtures::quick();
    scale(&mut results, "rayon", "cpu", 0.5);
    let f = answers(&results);
    let (winner, _, margin) = ranked(answer(&f, Work::CpuUniform));
    assert_eq!(winner.cell.runner, "rayon", "the lowest median still leads");
    assert!(!margin.supported && !margin.separated, "{margin:?}");
    let report = crate::markdown::render(&results);
    let row = report
        .lines()
        .find(|l| l.starts_with("| CPU, even chunks"))
        .unwrap();
    assert!(row.contains("too few samples to rank"), "{row}");
}

#[test]
fn each_kind_of_work_is_ranked_by_what_matters_for_it() {
    let f = answers(&crate::fixtures::quick());
    let works: Vec<Work> = f.answers.iter().map(|a| a.work).collect();
    assert_eq!(
        works,
        [
            Work::CpuUniform,
            Work::CpuSkewed,
            Work::ForkJoin,
            Work::Timers,
            Work::TcpThroughput,
            Work::TcpLatency,
            Work::LatencyBesideHogs,
            Work::SpawnHeavy,
            Work::MessagePassing,
        ]
    );
    assert_eq!(answer(&f, Work::TcpLatency).measure, Measure::LatencyP99);
    let hogs = answer(&f, Work::LatencyBesideHogs);
    assert_eq!(hogs.measure, Measure::LatencyP99);
    assert_eq!(hogs.workloads.len(), 3, "{:?}", hogs.workloads);
    let Measure::Cost { key, .. } = &answer(&f, Work::SpawnHeavy).measure else {
        panic!()
    };
    assert_eq!(key, "ns-per-task");
    // The cheapest spawn is the lowest ns per task of any cell.
    let (winner, _, _) = ranked(answer(&f, Work::SpawnHeavy));
    let results = crate::fixtures::quick();
    let cheapest = results
        .cells
        .iter()
        .filter(|c| c.workload == "spawn" && crate::judge::judged_summary(c).is_some())
        .filter_map(|c| {
            let v: Vec<f64> = c
                .samples
                .iter()
                .filter_map(|s| s.metrics.get("ns-per-task").copied())
                .collect();
            (!v.is_empty()).then(|| crate::stats::median(&v))
        })
        .fold(f64::INFINITY, f64::min);
    assert_eq!(winner.median, cheapest);
}

#[test]
fn the_caveat_that_matters_is_named() {
    let f = answers(&crate::fixtures::quick());
    // Timers: a tokio runner leads or follows and its timer ticks, or another
    // caveat applies; never none when a ticking timer is among the two.
    let timers = answer(&f, Work::Timers);
    let (winner, up, _) = ranked(timers);
    if [&winner.cell.runner, &up.cell.runner]
        .iter()
        .any(|r| r.starts_with("tokio"))
    {
        assert!(
            matches!(timers.caveat, Some(Caveat::TimerTicks { .. })),
            "{timers:?}"
        );
    }
    // A blocking runner among the TCP leaders plays both ends in lockstep.
    for work in [Work::TcpThroughput, Work::TcpLatency] {
        let a = answer(&f, work);
        let (winner, up, _) = ranked(a);
        let blocking = [
            "seq",
            "threads",
            "thread-pool",
            "threads-static",
            "rayon",
            "gil",
        ];
        if blocking.contains(&winner.cell.runner.as_str())
            || blocking.contains(&up.cell.runner.as_str())
        {
            assert!(matches!(a.caveat, Some(Caveat::Lockstep { .. })), "{a:?}");
        }
    }
}

#[test]
fn a_disturbed_cell_never_answers() {
    let mut results = crate::fixtures::quick();
    scale(&mut results, "rayon", "cpu", 0.5);
    crate::sections::tests::disturb(&mut results, "rayon", "cpu");
    let f = answers(&results);
    let cpu = answer(&f, Work::CpuUniform);
    let (winner, up, _) = ranked(cpu);
    assert_ne!(winner.cell.runner, "rayon");
    assert_ne!(up.cell.runner, "rayon");
    assert_eq!(cpu.disturbed, 1);
    assert_eq!(f.disturbed, 1);
}

#[test]
fn the_answers_are_the_first_section_after_the_header() {
    let report = crate::markdown::render(&crate::fixtures::quick());
    let answers = report.find("## Answers").unwrap();
    let next = report[answers + 1..].find("\n## ").unwrap() + answers + 1;
    assert!(
        report[..answers].matches("\n## ").count() == 0,
        "only the header before"
    );
    let lines = report[answers..next].lines().count();
    assert!(lines <= 25, "{lines} lines:\n{}", &report[answers..next]);
}

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
    assert_eq!(winner.median, Some(cheapest));
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
    // The fixture predates the external generator: its TCP answers say their
    // cells were measured with the clients inside them.
    for work in [Work::TcpThroughput, Work::TcpLatency] {
        let a = answer(&f, work);
        assert!(
            matches!(a.caveat, Some(Caveat::InCellClients { .. })),
            "{a:?}"
        );
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

#[test]
fn servers_on_a_ladder_of_rates_are_ranked_by_knee() {
    let f = answers(&crate::fixtures::network());
    let a = answer(&f, Work::TcpOfferedLoad);
    assert_eq!(
        a.measure,
        Measure::Knee {
            p99_bound_us: 1_000.0
        }
    );
    let Pick::Ordered {
        winner,
        runner_up,
        ratio,
        tie_break,
    } = &a.pick
    else {
        panic!("{:?}", a.pick)
    };
    assert_eq!(
        (winner.cell.runner.as_str(), winner.cell.threads),
        ("tokio-mt", 2)
    );
    assert_eq!(winner.median, Some(80_000.0));
    assert_eq!(runner_up.cell.runner, "smol-mt");
    assert_eq!(*ratio, Some(2.0));
    assert_eq!(*tie_break, None);
    // smol-mt's knee is a floor: the generator fell behind above it.
    let Some(Caveat::Served(served)) = &a.caveat else {
        panic!("{:?}", a.caveat)
    };
    assert_eq!(served.generator_bound, ["smol-mt"]);
    assert_eq!(served.costs[0].server_cpu_us_per_request, 13.4);
    assert_eq!(served.costs[1].generator_cores, 0.26);
    assert_eq!(served.logical_cores, 2);
}

#[test]
fn equal_knees_go_to_the_lower_server_cpu_at_the_highest_rate_both_kept_up_with() {
    let mut results = crate::fixtures::network();
    // tokio-mt at 2 threads over the bound at 80,000 req/s: smol-mt, tokio-ct
    // and tokio-mt (now at 1 thread, cheaper at the same knee) share 40,000.
    for cell in results
        .cells
        .iter_mut()
        .filter(|c| c.workload == "tcp-echo-open" && c.runner == "tokio-mt" && c.threads == 2)
    {
        for step in &mut cell.load.as_mut().unwrap().steps {
            if step.offered_rate_per_s == Some(80_000.0) {
                step.latency_us.p99 = 2_000.0;
            }
        }
    }
    let f = answers(&results);
    let a = answer(&f, Work::TcpOfferedLoad);
    let Pick::Ordered {
        winner,
        runner_up,
        ratio,
        tie_break,
    } = &a.pick
    else {
        panic!("{:?}", a.pick)
    };
    assert_eq!(winner.cell.runner, "smol-mt");
    assert_eq!(runner_up.cell.runner, "tokio-ct");
    assert_eq!(*ratio, Some(1.0));
    // smol-mt fell behind at 80,000, so 40,000 is the highest rate all three
    // kept up with: 8.6 µs against 9.0 µs per request.
    assert_eq!(
        *tie_break,
        Some(TieBreak {
            rate_per_s: 40_000.0,
            winner_cpu_us: 8.6,
            runner_up_cpu_us: 9.0
        })
    );
}

#[test]
fn servers_in_a_closed_loop_are_ranked_by_throughput_with_their_costs() {
    let f = answers(&crate::fixtures::network());
    let a = answer(&f, Work::TcpThroughput);
    assert_eq!(a.measure, Measure::Throughput);
    let (winner, up, margin) = ranked(a);
    assert_eq!(winner.cell.runner, "smol-mt");
    assert_eq!(up.cell.runner, "tokio-mt");
    // The winner's median throughput over the runner-up's: above 1.
    assert!(
        (margin.ratio - 121_300.0 / 118_400.0).abs() < 1e-9,
        "{margin:?}"
    );
    assert!(margin.interval[0] <= margin.ratio && margin.ratio <= margin.interval[1]);
    let Some(Caveat::Served(served)) = &a.caveat else {
        panic!("{:?}", a.caveat)
    };
    assert_eq!(served.generator_bound, ["smol-mt"]);
    let costs: Vec<(&str, f64, f64)> = served
        .costs
        .iter()
        .map(|c| {
            (
                c.runner.as_str(),
                c.server_cpu_us_per_request,
                c.generator_cores,
            )
        })
        .collect();
    assert_eq!(costs, [("smol-mt", 8.3, 0.98), ("tokio-mt", 12.9, 0.45)]);
}

#[test]
fn a_cell_with_in_cell_clients_is_never_ranked_beside_the_generator_s() {
    let mut results = crate::fixtures::network();
    let smol = results
        .cells
        .iter_mut()
        .find(|c| c.workload == "tcp-echo" && c.runner == "smol-mt")
        .unwrap();
    smol.load = None;
    let f = answers(&results);
    let a = answer(&f, Work::TcpThroughput);
    let (winner, up, _) = ranked(a);
    assert_eq!(winner.cell.runner, "tokio-mt");
    assert_eq!(up.cell.runner, "tokio-ct");
    assert!(matches!(a.caveat, Some(Caveat::Served(_))), "{a:?}");
}

#[test]
fn thread_per_core_runners_are_candidates() {
    // The fixture's thread-per-core runners ran the CPU work: made clearly the
    // fastest there, one of them is the answer.
    let mut results = crate::fixtures::per_core();
    scale(&mut results, "tokio-per-core", "cpu-skewed", 0.8);
    scale(&mut results, "monoio", "cpu", 0.8);
    let f = answers(&twelve_samples(
        twelve_samples(results, "cpu"),
        "cpu-skewed",
    ));
    for (work, runner) in [
        (Work::CpuUniform, "monoio"),
        (Work::CpuSkewed, "tokio-per-core"),
    ] {
        let (winner, _, margin) = ranked(answer(&f, work));
        assert_eq!(winner.cell.runner, runner, "{work:?}");
        assert!(margin.separated, "{work:?}: {margin:?}");
    }
    // Where they do not apply (`sleep`: no per-core share), they are not.
    let timers = answer(&f, Work::Timers);
    let (winner, up, _) = ranked(timers);
    for entry in [winner, up] {
        assert!(!["tokio-per-core", "monoio"].contains(&entry.cell.runner.as_str()));
    }
}

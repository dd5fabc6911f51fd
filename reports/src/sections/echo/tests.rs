//! The echo section's tests: the findings' numbers and decisions, with the wording
//! checked where it is the point.

use super::derive::*;
use super::little::{self, CLOSED_LOOP};
use super::{LOADED, UNLOADED};
use crate::cell_ref::CellRef;
use crate::judge::Disturbance;
use crate::model::{Cell, Latency, Results, Status};
use crate::sections::shared::{NetKind, net_kind};
use crate::sections::{Report, Section};

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

fn loaded(results: &Results, runner: &str) -> Cell {
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

/// `a` is `b` to within rounding of the last printed digit.
fn near(a: f64, b: f64) -> bool {
    (a - b).abs() <= 0.005 * b.abs()
}

fn runners_of(points: &[Point]) -> Vec<&str> {
    points.iter().map(|p| p.runner.as_str()).collect()
}

#[test]
fn queueing_matches_connections_over_throughput() {
    let results = fixture();
    let cell = with(loaded(&results, "tokio-mt"), 50.0, 180_000.0, 270.0);
    let q = queueing(&[&cell], &[], &results.runners).unwrap();
    assert!(q.lockstep.is_none());
    let reactor = q.reactor.as_ref().unwrap();
    assert!(!reactor.unknown_serving);
    let p = reactor.law.example();
    assert_eq!((p.runner.as_str(), p.threads), ("tokio-mt", cell.threads));
    assert_eq!(p.in_flight, 50.0);
    assert!(near(p.estimate_us, 277.8) && near(p.ratio, 0.972) && p.fits);
    assert_eq!(reactor.law.agreement, Agreement::Everywhere);
    assert_eq!(
        little::queueing(&q),
        [format!(
            "{CLOSED_LOOP} With every connection in flight, that is connections ÷ \
             throughput, whatever the runtime. For example, tokio-mt (2 threads): 50 \
             connections ÷ 180,000 req/s = 278 µs; measured p50 270 µs. The measured p50 is \
             within 25% of connections ÷ throughput on the one cell (column *Connections ÷ \
             req/s*). So closed-loop latency under load measures queueing behind the other \
             connections, not the runtime's cost per round trip; the unloaded columns show \
             that cost."
        )]
    );
}

#[test]
fn a_runner_far_from_the_estimate_is_named() {
    let results = fixture();
    let runners = &results.runners;
    let close = with(loaded(&results, "tokio-mt"), 50.0, 180_000.0, 270.0);
    let far = with(loaded(&results, "smol-mt"), 50.0, 100_000.0, 2_000.0);
    let q = queueing(&[&close, &far], &[], runners).unwrap();
    let law = &q.reactor.as_ref().unwrap().law;
    // The worked example is the runner with the highest throughput.
    assert_eq!(law.example().runner, "tokio-mt");
    assert_eq!(law.agreement, Agreement::Partly);
    let smol = &law.points[1];
    assert!(!smol.fits && near(smol.ratio, 4.0) && near(smol.estimate_us, 500.0));
    let text = little::queueing(&q).join("\n\n");
    assert!(
        text.contains("within 25% of connections ÷ throughput on 1 of 2 cells")
            && text.contains("It is not on smol-mt (2 threads, p50 4.00× the estimate)"),
        "{text}"
    );

    let q = queueing(&[&far], &[], runners).unwrap();
    let law = &q.reactor.as_ref().unwrap().law;
    assert_eq!(law.agreement, Agreement::Nowhere);
    assert_eq!(law.example().p50_us, 2_000.0);
    // No connection count: nothing to compute.
    let mut bare = close.clone();
    bare.params = serde_json::json!({});
    assert!(queueing(&[&bare], &[], runners).is_none());
}

/// A runner is read as serving in lockstep from its `net` description.
#[test]
fn blocking_runners_serve_in_lockstep() {
    let results = fixture();
    let kind = |id: &str| net_kind(results.runners.iter().find(|m| m.id == id).unwrap());
    assert_eq!(kind("seq"), Some(NetKind::Blocking));
    assert_eq!(kind("threads"), Some(NetKind::Blocking));
    assert_eq!(kind("tokio-mt"), Some(NetKind::Reactor));
    // A runner whose results do not say how it serves is grouped with the
    // reactors, and the group is called only "the other runners".
    let mut runners = results.runners.clone();
    runners.iter_mut().find(|m| m.id == "tokio-mt").unwrap().net = "mio, non-blocking".into();
    runners.iter_mut().find(|m| m.id == "smol-mt").unwrap().net = String::new();
    let seq = loaded(&results, "seq");
    let (tokio, smol) = (loaded(&results, "tokio-mt"), loaded(&results, "smol-mt"));
    let q = queueing(&[&seq, &tokio, &smol], &[], &runners).unwrap();
    let reactor = q.reactor.as_ref().unwrap();
    assert_eq!(runners_of(&reactor.law.points), ["tokio-mt", "smol-mt"]);
    assert!(reactor.unknown_serving);
    assert!(little::queueing(&q)[0].contains("The other runners (tokio-mt and smol-mt) keep"));
}

/// The quick run's numbers (50 connections, 2 threads): the lockstep runners'
/// p50 is their unloaded cost; min(connections, threads) in flight fits Little's
/// law where the thread count is fixed; `threads` (a thread per connection) could
/// have all 50 in flight but does not fit, and what was measured is said instead.
#[test]
fn lockstep_runners_are_explained_from_the_cells() {
    let results = fixture();
    let runners = &results.runners;
    let tokio = with(loaded(&results, "tokio-mt"), 50.0, 200_237.0, 240.4);
    let mut seq = with_mean(loaded(&results, "seq"), 50.0, 260_965.0, 3.54, 3.63);
    seq.threads = 1;
    let threads = with_mean(loaded(&results, "threads"), 50.0, 385_859.0, 3.64, 6.09);
    let statics = with_mean(
        loaded(&results, "threads-static"),
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
    let q = queueing(&[&tokio, &seq, &threads, &statics], &unloaded, runners).unwrap();
    assert_eq!(
        runners_of(&q.reactor.as_ref().unwrap().law.points),
        ["tokio-mt"]
    );
    let lockstep = q.lockstep.as_ref().unwrap();
    let names: Vec<&str> = lockstep.runners.iter().map(|r| r.runner.as_str()).collect();
    assert_eq!(names, ["seq", "threads", "threads-static"]);
    assert_eq!(lockstep.comparison, Comparison::UnloadedCost);
    let ratios: Vec<f64> = lockstep
        .runners
        .iter()
        .map(|r| r.unloaded.as_ref().unwrap().ratio)
        .collect();
    assert!(near(ratios[0], 1.009) && near(ratios[1], 0.976) && near(ratios[2], 1.031));
    // A fixed thread count: min(connections, threads) in flight, and the law fits.
    let fixed = lockstep.fixed.as_ref().unwrap();
    assert_eq!(runners_of(&fixed.points), ["seq", "threads-static"]);
    let in_flight: Vec<f64> = fixed.points.iter().map(|p| p.in_flight).collect();
    assert_eq!(in_flight, [1.0, 2.0]);
    assert_eq!(fixed.example().runner, "threads-static");
    assert!(near(fixed.example().estimate_us, 4.017));
    assert_eq!(fixed.agreement, Agreement::Everywhere);
    // A thread per connection: all 50 could be in flight, but 2.35 are on average.
    let per_task = lockstep.per_task.as_ref().unwrap();
    let p = per_task.example();
    assert_eq!((p.runner.as_str(), p.in_flight), ("threads", 50.0));
    assert!(!p.fits && near(p.ratio, 0.028));
    assert!(near(p.in_flight_measured.unwrap(), 2.35));
    assert_eq!(per_task.agreement, Agreement::Nowhere);

    let paragraphs = little::queueing(&q);
    assert_eq!(paragraphs.len(), 4, "{paragraphs:#?}");
    assert!(
        paragraphs[0].starts_with(&format!(
            "{CLOSED_LOOP} The runners that wait on a reactor (tokio-mt) keep every \
             connection in flight, so that is connections ÷ throughput."
        )),
        "{}",
        paragraphs[0]
    );
    assert_eq!(
        paragraphs[1..],
        [
            "On seq, threads and threads-static, both ends of each connection run in lockstep \
             on one thread (see Disclosures). A round trip there never waits in a server queue \
             behind another connection's request. So their measured p50 is the unloaded cost \
             rather than connections ÷ throughput: 3.54–3.66 µs loaded against 3.51–3.73 µs \
             unloaded (0.98–1.03× per runner).",
            "Where the thread count is fixed, at most min(connections, threads) connections \
             are in flight: one per thread on seq and threads-static. Little's law holds with \
             that count, within 25% on both cells. For example, threads-static (2 threads): 2 \
             connections ÷ 497,871 req/s = 4.02 µs; measured p50 3.66 µs.",
            "On threads, each connection has its own OS thread, so all 50 can be in flight. \
             But Little's law with that many does not fit: 50 connections ÷ 385,859 req/s = \
             130 µs against a measured p50 of 3.64 µs (0.03× that). Read the other way, its \
             mean round trip gives 6.09 µs × 385,859 req/s = 2.35 round trips in flight on \
             average.",
        ]
    );
}

/// A lockstep runner whose loaded p50 is far from its unloaded one is named with
/// the ratio, not explained away; a runner without an unloaded cell is left out of
/// the comparison; without unloaded cells the range is all there is; a per-task
/// runner that fits Little's law with every connection says so.
#[test]
fn lockstep_runners_far_from_their_unloaded_cost_are_named() {
    let results = fixture();
    let runners = &results.runners;
    let mut seq = with_mean(loaded(&results, "seq"), 50.0, 260_965.0, 3.54, 3.63);
    seq.threads = 1;
    let slow = with(loaded(&results, "threads"), 50.0, 121_600.0, 383.0);
    let statics = with(loaded(&results, "threads-static"), 50.0, 497_871.0, 3.66);
    let unloaded = [
        alone(&results, "seq", 3.51),
        alone(&results, "threads", 3.73),
    ];
    let unloaded: Vec<&Cell> = unloaded.iter().collect();

    let q = queueing(&[&seq, &slow], &unloaded, runners).unwrap();
    let lockstep = q.lockstep.as_ref().unwrap();
    assert_eq!(lockstep.comparison, Comparison::Ratios);
    let versus: Vec<(bool, f64)> = lockstep
        .runners
        .iter()
        .map(|r| r.unloaded.as_ref().map(|u| (u.near, u.ratio)).unwrap())
        .collect();
    assert!(versus[0].0 && near(versus[0].1, 1.009));
    assert!(!versus[1].0 && near(versus[1].1, 102.7));
    let per_task = lockstep.per_task.as_ref().unwrap();
    assert_eq!(per_task.agreement, Agreement::Everywhere);
    assert!(near(per_task.example().estimate_us, 411.2));
    let text = little::queueing(&q).join("\n\n");
    assert!(
        text.contains(
            " Their loaded p50 ÷ unloaded p50 is within 25% of 1 on seq (1 thread, 1.01×). It \
             is not on threads (2 threads, 103×)."
        ) && text.contains("so all 50 can be in flight. Little's law holds with that many"),
        "{text}"
    );

    let q = queueing(&[&seq, &statics], &unloaded[..1], runners).unwrap();
    let lockstep = q.lockstep.as_ref().unwrap();
    assert_eq!(lockstep.comparison, Comparison::Ratios);
    assert!(lockstep.runners[1].unloaded.is_none());

    // Only lockstep runners: no reactor paragraph beyond the law itself.
    let q = queueing(&[&seq], &[], runners).unwrap();
    assert!(q.reactor.is_none());
    let lockstep = q.lockstep.as_ref().unwrap();
    assert_eq!(lockstep.comparison, Comparison::NoUnloaded);
    let fixed = lockstep.fixed.as_ref().unwrap();
    assert_eq!(fixed.agreement, Agreement::Everywhere);
    assert!(near(fixed.example().estimate_us, 3.832));
    assert_eq!(little::queueing(&q)[0], CLOSED_LOOP);
}

#[test]
fn the_fixture_agrees_on_every_finished_runner() {
    let results = fixture();
    let rank = crate::fixtures::runner_rank(&results);
    let finding = derive(&results, &rank).unwrap();
    let q = finding.queueing.as_ref().unwrap();
    let law = &q.reactor.as_ref().unwrap().law;
    assert_eq!(law.points.len(), 7);
    assert_eq!(law.agreement, Agreement::Everywhere);
    assert_eq!(law.example().runner, "tokio-mt");
    assert!(near(law.example().estimate_us, 283.4));
    // The capped blocking runners fit Little's law with their in-flight count,
    // but their loaded p50 is not their unloaded cost.
    let lockstep = q.lockstep.as_ref().unwrap();
    let fixed = lockstep.fixed.as_ref().unwrap();
    assert_eq!(fixed.agreement, Agreement::Everywhere);
    assert_eq!(fixed.example().runner, "thread-pool");
    assert_eq!(fixed.example().in_flight, 2.0);
    assert_eq!(lockstep.comparison, Comparison::Ratios);
    let ratio = |runner: &str| {
        let r = lockstep
            .runners
            .iter()
            .find(|r| r.runner == runner)
            .unwrap();
        let u = r.unloaded.as_ref().unwrap();
        (u.near, u.ratio)
    };
    assert!(ratio("seq").0 && near(ratio("seq").1, 1.0));
    assert!(!ratio("threads").0 && near(ratio("threads").1, 22.8));
    assert!(!ratio("thread-pool").0 && near(ratio("thread-pool").1, 1.28));
}

/// The table's rows and what ran, in report order, with the cells that did not
/// finish or do not apply shown by their status.
#[test]
fn the_table_is_derived_in_report_order() {
    let mut results = fixture();
    let rank = crate::fixtures::runner_rank(&results);
    let finding = derive(&results, &rank).unwrap();
    assert!(finding.ran.unloaded);
    assert_eq!(finding.ran.loaded_connections, Some(vec![1.0, 2.0, 50.0]));
    assert_eq!(finding.ran.open_rates, Some(vec![20_000.0]));
    assert!(finding.disturbed.is_empty());
    let order: Vec<(&str, usize)> = finding
        .rows
        .iter()
        .map(|r| (r.runner.as_str(), r.threads))
        .collect();
    assert_eq!(order.len(), 12);
    assert_eq!(order[0], ("seq", 1));
    let seq = &finding.rows[0];
    assert!(matches!(seq.open, Entry::Unfinished(Status::NotApplicable)));
    let loaded = seq.loaded.finished().unwrap();
    assert_eq!(
        (loaded.connections, loaded.throughput_per_s),
        (Some(1.0), Some(55_800.0))
    );
    assert!(near(loaded.estimate_us.unwrap(), 17.92));
    assert_eq!(seq.unloaded.finished().unwrap().unwrap().p50_us, 17.2);
    drop(rank);

    // A disturbed cell is marked on its row and named, and left out of Little's law.
    let cell = results
        .cells
        .iter_mut()
        .find(|c| c.workload == LOADED && c.runner == "tokio-mt")
        .unwrap();
    cell.interference = Some(crate::model::Interference {
        retaken: 3,
        disturbed_samples: 1,
        foreign_cores_max: 0.7,
        foreign_cores_median: 0.2,
        steal_cores_max: 0.0,
        discarded_foreign_cores: Vec::new(),
    });
    let (cell, samples) = (CellRef::of(cell), cell.samples.len());
    let rank = crate::fixtures::runner_rank(&results);
    let finding = derive(&results, &rank).unwrap();
    assert_eq!(
        finding.disturbed,
        [Disturbance {
            cell,
            foreign_cores_max: 0.7,
            disturbed_samples: 1,
            samples,
            retaken: 3,
        }]
    );
    assert!(
        finding
            .rows
            .iter()
            .any(|r| r.runner == "tokio-mt" && r.disturbed)
    );
    let law = &finding.queueing.unwrap().reactor.unwrap().law;
    assert!(!runners_of(&law.points).contains(&"tokio-mt"));
}

/// `findings.json` carries the finding under the section's id, and nothing when
/// the run has no echo cells.
#[test]
fn the_findings_are_the_derived_finding() {
    let results = fixture();
    let report = Report::new(&results, &[]);
    let json = super::Echo.findings(&report).unwrap();
    assert_eq!(json["rows"].as_array().unwrap().len(), 12);
    assert_eq!(
        json["rows"][0]["open"],
        serde_json::json!({ "Unfinished": "n/a" })
    );
    assert_eq!(json["queueing"]["tolerance"], 0.25);
    assert_eq!(
        json["queueing"]["reactor"]["law"]["agreement"],
        "Everywhere"
    );
    assert!(crate::sections::findings(&report).contains_key("tcp-echo"));

    let without = crate::fixtures::claims();
    let report = Report::new(&without, &[]);
    assert!(super::Echo.findings(&report).is_none());
    let mut out = String::new();
    super::Echo.render(&report, &mut out);
    assert!(out.is_empty());
}

//! The claims against the claims fixture and the older fixtures: the shared
//! helpers and the tests of all claims at once here, each claim's own in
//! `claims_1_to_4` and `claims_5_to_8`.

use super::advice::{
    AdviceClaim, BRIEF_TABLE, CLASSIC, Contradiction, InSetting, Judgement, Lock, Setting,
    SettingGap, Unit,
};
use super::cores_bound::{Beyond, CoresBound};
use super::gil_cpu::GilCpu;
use super::gil_waits::GilWaits;
use super::isolation::{Crashes, Isolation, Memory};
use super::lightweight::Lightweight;
use super::message_passing::{BatchedPart, MessagePassing};
use super::one_core::{OnCpu, OneCore, OneCoreGap};
use super::*;
use crate::summary::summarize;

mod against_cpython;
mod claims_1_to_4;
mod claims_5_to_8;

fn parse(text: &str) -> Results {
    crate::parse(std::path::Path::new("fixture"), text).expect("fixture parses")
}

fn fixture() -> Results {
    parse(include_str!("../../../tests/fixtures/results-claims.json"))
}

/// The checks of `results`, summarised as the report does.
fn checked(results: &Results) -> Vec<Check> {
    let mut results = results.clone();
    summarize(&mut results);
    let rank = crate::fixtures::runner_rank(&results);
    let workloads = crate::fixtures::workload_order(&results);
    checks(&results, &rank, &workloads)
}

/// The typed finding of claim `C` on `results`, summarised as the report does.
fn derived<C: Claim>(results: &Results) -> C::Finding {
    let mut results = results.clone();
    summarize(&mut results);
    let rank = crate::fixtures::runner_rank(&results);
    let workloads = crate::fixtures::workload_order(&results);
    let run = Run {
        results: &results,
        all: &results,
        rank: &rank,
        workloads: &workloads,
        cores: results.machine.logical_cores.max(1),
    };
    C::derive(&run)
}

/// The measured part of an outcome; panics when it was not measured.
fn measured<M: std::fmt::Debug, G: std::fmt::Debug>(outcome: Outcome<M, G>) -> M {
    match outcome {
        Outcome::Measured(m) => m,
        Outcome::NotMeasured(gaps) => panic!("not measured: {gaps:?}"),
    }
}

/// The gaps of an outcome; panics when it was measured.
fn gaps<M: std::fmt::Debug, G: std::fmt::Debug>(outcome: Outcome<M, G>) -> Vec<G> {
    match outcome {
        Outcome::Measured(m) => panic!("measured: {m:?}"),
        Outcome::NotMeasured(gaps) => gaps,
    }
}

/// Whether `x` is `y` to three significant digits.
fn close(x: f64, y: f64) -> bool {
    ((x - y) / y).abs() < 0.005
}

fn verdicts(results: &Results) -> Vec<Verdict> {
    checked(results).into_iter().map(|c| c.verdict).collect()
}

/// Check `n` (1-based) of `results`.
fn claim(results: &Results, n: usize) -> Check {
    checked(results).swap_remove(n - 1)
}

/// Multiplies the wall times of the matching cells' samples by `factor`.
fn scale_wall(results: &mut Results, runner: &str, workload: &str, threads: usize, factor: f64) {
    let mut found = false;
    for c in &mut results.cells {
        if c.runner == runner && c.workload == workload && c.threads == threads {
            for s in &mut c.samples {
                s.wall_s *= factor;
            }
            found = true;
        }
    }
    assert!(found, "no cell {runner}/{workload}/t{threads}");
}

/// Sets the measure `key` of the matching cells to `value`.
fn set_metric(results: &mut Results, runner: &str, workload: &str, key: &str, value: f64) {
    for c in &mut results.cells {
        if c.runner == runner && c.workload == workload && c.applies() {
            c.metrics.insert(key.into(), value);
        }
    }
}

fn holds_only(when: &str) -> Verdict {
    Verdict::HoldsOnly(when.into())
}

#[test]
fn the_claims_fixture() {
    assert_eq!(
        verdicts(&fixture()),
        vec![
            Verdict::Holds,
            Verdict::Holds,
            Verdict::Holds,
            Verdict::Holds,
            Verdict::DoesNotHold,
            Verdict::Holds,
            Verdict::Holds,
            holds_only("when a message is sent per update"),
        ]
    );
    // Claim 5's second wording, the usual advice, holds.
    let second: Vec<Option<Verdict>> = checked(&fixture())
        .into_iter()
        .map(|c| c.also.map(|a| a.verdict))
        .collect();
    assert_eq!(
        second,
        [
            None,
            None,
            None,
            None,
            Some(Verdict::Holds),
            None,
            None,
            None
        ]
    );
}

#[test]
fn without_processes_claims_1_2_and_5_are_not_measured() {
    let mut results = fixture();
    results.cells.retain(|c| c.runner != PROCESSES);
    let checks = checked(&results);
    for n in [1, 2, 5] {
        let check = &checks[n - 1];
        assert_eq!(check.verdict, Verdict::NotMeasured, "claim {n}");
        assert!(check.measured.is_empty(), "claim {n}: {:?}", check.measured);
        assert!(
            check.why.contains("did not run on processes"),
            "claim {n}: {}",
            check.why
        );
    }
    for n in [3, 4, 6, 7] {
        assert_eq!(checks[n - 1].verdict, Verdict::Holds, "claim {n}");
    }
    // Merging on processes was one runner of many.
    assert_eq!(
        checks[7].verdict,
        holds_only("when a message is sent per update")
    );
    // Cells that do not apply are no measurement either.
    let mut na = fixture();
    for c in &mut na.cells {
        if c.runner == PROCESSES {
            c.status = Status::NotApplicable;
            c.error = Some("not today".into());
        }
    }
    let one = claim(&na, 1);
    assert_eq!(one.verdict, Verdict::NotMeasured);
    assert_eq!(one.why, "`spawn` does not apply to processes");
}

#[test]
fn older_fixtures_measure_what_they_have() {
    let v1 = parse(include_str!("../../../tests/fixtures/results.json"));
    let sweep = parse(include_str!("../../../tests/fixtures/sweep.json"));
    let v2 = parse(include_str!("../../../tests/fixtures/results-v2.json"));
    use Verdict::{Holds, NotMeasured};
    assert_eq!(
        verdicts(&v1),
        vec![
            NotMeasured,
            NotMeasured,
            Holds,
            Holds,
            NotMeasured,
            NotMeasured,
            NotMeasured,
            NotMeasured
        ]
    );
    assert!(
        claim(&v1, 4)
            .why
            .contains("Threads beyond the cores: not measured")
    );
    // The sweep has threads above the cores.
    assert_eq!(claim(&sweep, 4).verdict, Holds);
    assert!(!claim(&sweep, 4).why.contains("not measured"));
    // v2 has `spawn` on threads but no processes.
    let one = claim(&v2, 1);
    assert_eq!(one.verdict, NotMeasured);
    assert_eq!(one.why, "`spawn` did not run on processes");
    assert!(verdicts(&v2).iter().all(|v| *v == NotMeasured));
    // Claim 5's second wording needs processes and the GIL too.
    for results in [&v1, &sweep, &v2] {
        assert_eq!(claim(results, 5).also.unwrap().verdict, NotMeasured);
    }
}

#[test]
fn point_is_the_core_count_or_below() {
    let results = fixture();
    let cells: Vec<&Cell> = results
        .cells
        .iter()
        .filter(|c| c.runner == "tokio-mt" && c.workload == CPU)
        .collect();
    assert_eq!(point_of(&cells, 2).unwrap().threads, 2);
    assert_eq!(point_of(&cells, 3).unwrap().threads, 2);
    assert_eq!(point_of(&cells, 8).unwrap().threads, 4);
    let above: Vec<&Cell> = cells.iter().copied().filter(|c| c.threads == 4).collect();
    assert_eq!(point_of(&above, 2).unwrap().threads, 4);
    assert_eq!(point_of(&[], 2), None);
}

#[test]
fn numbers_with_units() {
    assert_eq!(ns(0.618), "0.618 ns");
    assert_eq!(ns(15.0), "15.0 ns");
    assert_eq!(ns(14_480.0), "14.5 µs");
    assert_eq!(ns(1_481_000.0), "1.48 ms");
    assert_eq!(threads(1), "1 thread");
    assert!(helps(1.5, 2.0) && !helps(1.49, 2.0) && helps(2.5, 4.0));
}

#[test]
fn findings_serialize_and_the_dagger_is_a_flag() {
    let results = fixture();
    let json = serde_json::to_value(derived::<OneCore>(&results)).expect("serializes");
    assert_eq!(json["outcome"]["Measured"]["verdict"], "Holds");
    assert_eq!(
        json["outcome"]["Measured"]["sleep"][0]["cell"]["runner"],
        "tokio-ct"
    );
    // `sleep` on claim 3 was scaled up; claim 1 shows no speedup.
    let checks = checked(&results);
    assert!(checks[2].extrapolated && !checks[0].extrapolated);
}

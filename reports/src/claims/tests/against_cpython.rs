//! Claims 5 to 7 against CPython: the emulation's speedups beside the CPython
//! runners' at the same thread counts, agreeing within the tolerance or not, or
//! not compared; and nothing said when no CPython runner ran.

use super::super::interpreter::{Agreement, Counterpart, Fit, Uncompared};
use super::*;
use crate::summary::Summarized;

fn cpython() -> Results {
    parse(include_str!("../../../tests/fixtures/cpython.json"))
}

/// The finding of claim `C` on `results`, its groups split as the report splits
/// them: the claims judge the `seq` group and look at every cell for CPython.
fn derived_groups<C: Claim>(results: &Results) -> C::Finding {
    let summarized = Summarized::new(results.clone());
    let rank = crate::fixtures::runner_rank(summarized.results());
    let workloads = crate::fixtures::workload_order(summarized.seq_group());
    let run = Run {
        results: summarized.seq_group(),
        all: summarized.results(),
        rank: &rank,
        workloads: &workloads,
        cores: summarized.machine.logical_cores.max(1),
    };
    C::derive(&run)
}

/// The checks of `results` in words, groups split as the report splits them.
fn checked_groups(results: &Results) -> Vec<Check> {
    let summarized = Summarized::new(results.clone());
    let rank = crate::fixtures::runner_rank(summarized.results());
    let workloads = crate::fixtures::workload_order(summarized.seq_group());
    derive(
        summarized.seq_group(),
        summarized.results(),
        &rank,
        &workloads,
    )
    .into_iter()
    .map(|d| d.check)
    .collect()
}

#[test]
fn without_cpython_runners_the_claims_say_nothing_of_it() {
    let results = fixture();
    assert!(derived::<AdviceClaim>(&results).against_cpython.is_none());
    assert!(derived::<GilCpu>(&results).against_cpython.is_none());
    assert!(derived::<GilWaits>(&results).against_cpython.is_none());
    assert!(checked(&results).iter().all(|c| c.against.is_none()));
    // And the split changes nothing for a run without them.
    assert_eq!(checked_groups(&results), checked(&results));
}

#[test]
fn the_emulation_agrees_with_cpython_in_the_fixture() {
    let results = cpython();
    // Claim 6: gil against cpython-threads on `cpu` at 2 and 4 threads.
    let six = derived_groups::<GilCpu>(&results);
    let against = six.against_cpython.expect("CPython ran");
    assert_eq!(against.tolerance, EMULATION_TOLERANCE);
    assert_eq!(against.agreement, Agreement::Agrees);
    let pairs: Vec<(String, String, usize)> = against
        .compared
        .iter()
        .map(|b| {
            (
                b.emulated.cell.runner.clone(),
                b.interpreted.cell.runner.clone(),
                b.emulated.cell.threads,
            )
        })
        .collect();
    assert_eq!(
        pairs,
        [
            ("gil".into(), "cpython-threads".into(), 2),
            ("gil".into(), "cpython-threads".into(), 4)
        ]
    );
    let at_2 = &against.compared[0];
    assert!(close(at_2.emulated.value(), 0.98) && close(at_2.interpreted.value(), 0.96));
    assert!(close(at_2.ratio, 0.98 / 0.96) && at_2.fit == Fit::Within);
    assert_eq!(at_2.baseline, "cpython-seq");
    assert!(against.uncompared.is_empty());
    let verdict = against
        .interpreter_verdict
        .expect("CPython's threads judged");
    assert_eq!(verdict.verdict, Verdict::Holds);
    assert_eq!(verdict.same, Some(true));
    // Claim 7 on `sleep`, the same way.
    let seven = derived_groups::<GilWaits>(&results)
        .against_cpython
        .expect("CPython ran");
    assert_eq!(seven.agreement, Agreement::Agrees);
    assert_eq!(seven.compared.len(), 2);
    assert_eq!(
        seven.interpreter_verdict.map(|v| (v.verdict, v.same)),
        Some((Verdict::Holds, Some(true)))
    );
    // Claim 5 at its thread count (2), both counterparts, `cpu` then `sleep`.
    let five = derived_groups::<AdviceClaim>(&results)
        .against_cpython
        .expect("CPython ran");
    assert_eq!(five.agreement, Agreement::Agrees);
    let pairs: Vec<(Counterpart, &str, &str, usize)> = five
        .compared
        .iter()
        .map(|b| {
            (
                b.counterpart,
                b.emulated.cell.workload.as_str(),
                b.interpreted.cell.runner.as_str(),
                b.emulated.cell.threads,
            )
        })
        .collect();
    assert_eq!(
        pairs,
        [
            (Counterpart::LockedThreads, CPU, "cpython-threads", 2),
            (Counterpart::Processes, CPU, CPYTHON_PROCESSES, 2),
            (Counterpart::LockedThreads, SLEEP, "cpython-threads", 2),
            (Counterpart::Processes, SLEEP, CPYTHON_PROCESSES, 2),
        ]
    );
    assert!(five.interpreter_verdict.is_none());

    // In words: its own line, after the verdicts.
    let checks = checked_groups(&results);
    let words = checks[5].against.as_ref().expect("claim 6 has the line");
    assert_eq!(words.word, "agrees");
    assert_eq!(
        words.lines[0],
        "`cpu` at 2 threads: gil 0.98× against cpython-threads 0.96× (1.02)"
    );
    assert_eq!(
        words.lines.last().unwrap(),
        "the same rule on CPython's threads under its GIL: they give the same verdict, \
         **holds** (cpython-threads at 2 and 4 threads: 0.96× and 0.95×)"
    );
    let mut out = String::new();
    section(
        &derive(
            Summarized::new(results.clone()).seq_group(),
            &Summarized::new(results).into_results(),
            &|_| 0,
            &[],
        ),
        &mut out,
    );
    assert_eq!(out.matches("- *Against CPython:* **agrees**").count(), 3);
}

/// `results` with the wall times of `cpython-threads` on `cpu` at 2 threads
/// multiplied by `factor`: a ratio of 0.98 / (0.96 / factor) to gil's.
fn with_cpython_threads_slower(factor: f64) -> Results {
    let mut results = cpython();
    scale_wall(&mut results, "cpython-threads", CPU, 2, factor);
    results
}

#[test]
fn a_pair_is_beyond_the_tolerance_only_when_its_intervals_are_too() {
    let t = 0.15;
    assert_eq!(Fit::of(1.10, Some([0.90, 1.30]), t), Fit::Within);
    assert_eq!(Fit::of(0.86, None, t), Fit::Within);
    assert_eq!(Fit::of(1.20, Some([1.10, 1.30]), t), Fit::Unclear);
    assert_eq!(Fit::of(1.20, Some([1.16, 1.30]), t), Fit::Beyond);
    assert_eq!(Fit::of(0.80, Some([0.70, 0.84]), t), Fit::Beyond);
    assert_eq!(Fit::of(0.80, Some([0.70, 0.86]), t), Fit::Unclear);
    // Without intervals the medians are all there is.
    assert_eq!(Fit::of(1.20, None, t), Fit::Beyond);
}

#[test]
fn agreement_is_within_the_tolerance_and_names_the_worst_pair_beyond_it() {
    // 1.02 × 1.117 = 1.14: inside ±15%.
    let inside = derived_groups::<GilCpu>(&with_cpython_threads_slower(1.117))
        .against_cpython
        .unwrap();
    assert!(close(inside.compared[0].ratio, 1.14));
    assert_eq!(inside.agreement, Agreement::Agrees);
    // 1.02 × 1.137 = 1.16: beyond it.
    let beyond = derived_groups::<GilCpu>(&with_cpython_threads_slower(1.137))
        .against_cpython
        .unwrap();
    assert!(close(beyond.compared[0].ratio, 1.16));
    // The fixture's samples are tight: the whole interval of ratios is beyond.
    let [lo, hi] = beyond.compared[0].ratio_range.unwrap();
    assert!(lo > 1.15 && hi > 1.16, "{lo} {hi}");
    let Agreement::Disagrees { worst } = &beyond.agreement else {
        panic!("{:?}", beyond.agreement)
    };
    assert_eq!(worst.emulated.cell.threads, 2);
    assert!(worst.fit == Fit::Beyond && beyond.compared[1].fit == Fit::Within);
    // Scattered samples of the same median: the medians are beyond, but the
    // intervals allow ratios within, so the run cannot tell, and says which pair
    // needs more samples.
    let mut scattered = with_cpython_threads_slower(1.137);
    scatter_wall(&mut scattered, "cpython-threads", CPU, 2, 0.2);
    let unclear = derived_groups::<GilCpu>(&scattered)
        .against_cpython
        .unwrap();
    assert!(close(unclear.compared[0].ratio, 1.16));
    let [lo, hi] = unclear.compared[0].ratio_range.unwrap();
    assert!(lo < 1.15 && hi > 1.16, "{lo} {hi}");
    let Agreement::CannotTell { worst } = &unclear.agreement else {
        panic!("{:?}", unclear.agreement)
    };
    assert!(worst.fit == Fit::Unclear && worst.emulated.cell.threads == 2);
    let words = checked_groups(&scattered)[5].against.clone().unwrap();
    assert_eq!(words.word, "cannot tell");
    assert!(
        words.why.ends_with("more samples would decide"),
        "{}",
        words.why
    );
    // A lock that let CPU work run in parallel: the emulation disagrees, worst
    // at 4 threads, and CPython's threads give another verdict than its own.
    let mut results = cpython();
    scale_wall(&mut results, "gil", CPU, 4, 0.5);
    let six = derived_groups::<GilCpu>(&results);
    let against = six.against_cpython.unwrap();
    let Agreement::Disagrees { worst } = &against.agreement else {
        panic!("{:?}", against.agreement)
    };
    assert_eq!(worst.emulated.cell.threads, 4);
    assert!(close(worst.ratio, 1.94 / 0.95));
    let verdict = against.interpreter_verdict.unwrap();
    assert_eq!(
        (verdict.verdict, verdict.same),
        (Verdict::Holds, Some(false))
    );
    let words = checked_groups(&results)[5].against.clone().unwrap();
    assert_eq!(words.word, "disagrees");
    assert_eq!(
        words.why,
        "gil at 4 threads on `cpu` ran at 1.94×, CPython's cpython-threads at 0.95×: 2.04 \
         times as fast (2.03–2.06 by the intervals), beyond ±15%"
    );
    assert!(
        words
            .lines
            .last()
            .unwrap()
            .contains("give another verdict, **holds**")
    );
}

/// Spreads the matching cell's samples around their median: every sample but
/// the middle one moved by up to `spread` of it, outwards in rank order, so the
/// median stays and its interval widens.
fn scatter_wall(results: &mut Results, runner: &str, workload: &str, threads: usize, spread: f64) {
    let cell = results
        .cells
        .iter_mut()
        .find(|c| c.runner == runner && c.workload == workload && c.threads == threads)
        .expect("the cell");
    let mut order: Vec<usize> = (0..cell.samples.len()).collect();
    order.sort_by(|&a, &b| cell.samples[a].wall_s.total_cmp(&cell.samples[b].wall_s));
    let mid = order.len() as f64 / 2.0;
    for (rank, &i) in order.iter().enumerate() {
        let offset = (rank as f64 + 0.5 - mid) / mid; // -1 .. 1
        cell.samples[i].wall_s *= 1.0 + spread * offset;
    }
}

#[test]
fn cpythons_own_verdict_is_settled_only_when_its_intervals_agree() {
    // cpython-threads at 2 threads made to look 1.2x faster than cpython-seq at its
    // median (the claim's rule: no gain up to 1.1x), but with samples scattered so
    // widely that the interval's low end is below 1.1x: the run cannot tell.
    let mut results = cpython();
    scale_wall(&mut results, "cpython-threads", CPU, 2, 0.96 / 1.2);
    scatter_wall(&mut results, "cpython-threads", CPU, 2, 0.3);
    let six = derived_groups::<GilCpu>(&results);
    let verdict = six.against_cpython.unwrap().interpreter_verdict.unwrap();
    assert_eq!(verdict.verdict, Verdict::DoesNotHold);
    assert!(!verdict.settled);
    let words = checked_groups(&results)[5].against.clone().unwrap();
    assert!(
        words
            .lines
            .last()
            .unwrap()
            .contains("cannot tell: their medians say **does not hold**"),
        "{:?}",
        words.lines
    );
    // The fixture as it is: every end of every interval gives the same verdict.
    let six = derived_groups::<GilCpu>(&cpython());
    assert!(
        six.against_cpython
            .unwrap()
            .interpreter_verdict
            .unwrap()
            .settled
    );
}

/// `results` with every cell of the CPython runners n/a for `reason`.
fn without_python(reason: &str) -> Results {
    let mut results = cpython();
    for cell in results
        .cells
        .iter_mut()
        .filter(|c| c.runner.starts_with("cpython-"))
    {
        cell.status = Status::NotApplicable;
        cell.error = Some(reason.to_owned());
        cell.samples.clear();
        cell.interpreter = None;
    }
    results.machine.interpreters.clear();
    results
}

#[test]
fn a_missing_side_is_not_compared_and_says_why() {
    let results = without_python("no python3 on PATH");
    let six = derived_groups::<GilCpu>(&results);
    // The claim itself is judged as before.
    assert_eq!(measured(six.outcome).verdict, Verdict::Holds);
    let against = six
        .against_cpython
        .expect("the CPython runners were selected");
    assert_eq!(against.agreement, Agreement::NotCompared);
    assert!(against.compared.is_empty() && against.interpreter_verdict.is_none());
    let words = checked_groups(&results);
    let six = words[5].against.as_ref().unwrap();
    assert_eq!(six.word, "not compared");
    assert_eq!(six.why, "cpython-threads is n/a: no python3 on PATH");
    assert!(six.lines.is_empty());
    let five = words[4].against.as_ref().unwrap();
    assert_eq!(
        five.why,
        "cpython-threads is n/a: no python3 on PATH and cpython-processes is n/a: no python3 \
         on PATH"
    );
    // Only the baseline missing: the speedups it would give are missing.
    let mut results = cpython();
    results.cells.retain(|c| c.runner != "cpython-seq");
    let against = derived_groups::<GilWaits>(&results)
        .against_cpython
        .unwrap();
    assert_eq!(
        against.uncompared,
        [Uncompared::Missing {
            absence: Absence::Cell {
                runner: "cpython-seq".into(),
                workload: SLEEP.into(),
                why: AbsenceKind::NotRunOn,
            },
            reason: None,
        }]
    );
    // No emulated lock: the claim is not measured, nor is the comparison.
    let mut results = cpython();
    results.cells.retain(|c| c.runner != "gil");
    let words = checked_groups(&results);
    assert_eq!(words[5].verdict, Verdict::NotMeasured);
    let six = words[5].against.as_ref().unwrap();
    assert_eq!(
        (six.word, six.why.as_str()),
        (
            "not compared",
            "no emulated runner with threads under a global lock ran"
        )
    );
    // One side compared, the other not: the verdict rests on the pairs compared
    // and names the rest.
    let mut results = cpython();
    for cell in results
        .cells
        .iter_mut()
        .filter(|c| c.runner == CPYTHON_PROCESSES)
    {
        cell.status = Status::Failed;
        cell.error = Some("BrokenProcessPool".into());
    }
    let five = &checked_groups(&results)[4];
    let words = five.against.as_ref().unwrap();
    assert_eq!(words.word, "agrees");
    assert!(
        words
            .why
            .ends_with("; not compared: `cpu` failed on cpython-processes and `sleep` failed on cpython-processes"),
        "{}",
        words.why
    );
}

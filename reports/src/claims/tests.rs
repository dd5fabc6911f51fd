//! The claims against the claims fixture and the older fixtures.

use super::advice::{AdviceClaim, Setting, SettingGap};
use super::cores_bound::{Beyond, CoresBound};
use super::gil_cpu::GilCpu;
use super::gil_waits::GilWaits;
use super::isolation::{Crashes, Isolation, Memory};
use super::lightweight::Lightweight;
use super::message_passing::{BatchedPart, MessagePassing};
use super::one_core::{OnCpu, OneCore, OneCoreGap};
use super::*;
use crate::summary::summarize;

fn parse(text: &str) -> Results {
    crate::parse(std::path::Path::new("fixture"), text).expect("fixture parses")
}

fn fixture() -> Results {
    parse(include_str!("../../tests/fixtures/results-claims.json"))
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
fn claim_1_lightweight() {
    let check = claim(&fixture(), 1);
    assert_eq!(
        check.measured,
        vec![
            "an async task: 150 ns and 318 B (smol-local, the cheapest)",
            "an OS thread: 14.5 µs and 12.4 KiB (threads)",
            "a process: 1.48 ms (processes at 2 threads) and 1.31 MiB (proportional set \
             size of one worker process)",
        ]
    );
    assert_eq!(
        check.why,
        "a process cost 102× a thread to create and join and 108× its memory. Lightweight \
         is relative: a thread cost 96.8× an async task to create and join and 39.8× its \
         memory"
    );
    // A cheap process: creation 3× a thread's, memory as before (108×).
    let mut results = fixture();
    let thread = results
        .cells
        .iter()
        .find(|c| c.runner == THREADS && c.workload == SPAWN)
        .unwrap()
        .clone();
    let (t_ns, t_mem) = (thread.metrics[NS_PER_TASK], thread.metrics[RSS_PER_TASK]);
    set_metric(&mut results, PROCESSES, SPAWN, NS_PER_TASK, 3.0 * t_ns);
    assert_eq!(claim(&results, 1).verdict, holds_only("for memory"));
    // And small: 2× a thread's memory, wherever processes measured it.
    for w in [SPAWN, CPU, SLEEP, SHARED_MERGE, crash::PANIC, crash::ABORT] {
        set_metric(&mut results, PROCESSES, w, RSS_PER_PROCESS, 2.0 * t_mem);
    }
    let m = measured(derived::<Lightweight>(&results).outcome);
    assert_eq!(m.verdict, Verdict::DoesNotHold);
    assert!(close(m.create, 3.0) && close(m.memory, 2.0), "{m:?}");
    assert!(!m.heavy_create && !m.heavy_memory);
    // Creation only.
    set_metric(&mut results, PROCESSES, SPAWN, NS_PER_TASK, 1.5e6);
    assert_eq!(claim(&results, 1).verdict, holds_only("for creation cost"));
    // Without one thread per task: not measured, saying so.
    let mut results = fixture();
    results
        .cells
        .retain(|c| !(c.runner == THREADS && c.workload == SPAWN));
    let check = claim(&results, 1);
    assert_eq!(check.verdict, Verdict::NotMeasured);
    assert_eq!(check.why, "`spawn` did not run on threads");
}

#[test]
fn claim_2_isolation_and_shared_memory() {
    let check = claim(&fixture(), 2);
    assert_eq!(
        check.measured[0],
        "`crash-abort`: processes kept 7 of 8 jobs; threads and thread-pool died (killed by \
         signal 6 (SIGABRT)), 0 of 8 kept"
    );
    assert!(check.why.starts_with(
        "an abort cost processes 1 of 8 jobs but ended the whole process on threads and \
         thread-pool; state in shared memory worked on threads and thread-pool and does not \
         apply to processes; a panic, though, unwound only its own thread"
    ));
    // The crash workloads are opt-in: without them, memory alone decides.
    let mut results = fixture();
    results
        .cells
        .retain(|c| !c.workload.starts_with(crash::PREFIX));
    let f = derived::<Isolation>(&results);
    assert_eq!(f.verdict, Verdict::Holds);
    assert!(
        matches!(&f.crashes, Crashes::Unmeasured(absent)
            if absent == &[Absence::NotRun { workload: crash::ABORT.into() }]),
        "{:?}",
        f.crashes
    );
    assert!(matches!(f.memory, Memory::NotApplicable { .. }));
    assert!(
        claim(&results, 2)
            .why
            .starts_with("isolation: not measured in this run (`crash-abort` did not run)")
    );
    // An abort that kills processes too: isolation fails, memory holds.
    let mut results = fixture();
    for c in &mut results.cells {
        if c.runner == PROCESSES && c.workload == crash::ABORT {
            c.status = Status::Failed;
            c.error = Some("cell process killed by signal 6 (SIGABRT)".into());
        }
    }
    let f = derived::<Isolation>(&results);
    assert_eq!(f.verdict, holds_only("for memory"));
    assert!(
        matches!(&f.crashes, Crashes::ProcessesDied { threads } if threads == &[1, 2, 4]),
        "{:?}",
        f.crashes
    );
    // And shared state that worked across processes: nothing holds.
    let merge = results
        .cells
        .iter()
        .find(|c| c.runner == PROCESSES && c.workload == SHARED_MERGE)
        .unwrap()
        .clone();
    for c in &mut results.cells {
        if c.runner == PROCESSES && c.workload == SHARED_MUTEX {
            let threads = c.threads;
            *c = Cell {
                workload: SHARED_MUTEX.into(),
                threads,
                ..merge.clone()
            };
        }
    }
    let f = derived::<Isolation>(&results);
    assert_eq!(f.verdict, Verdict::DoesNotHold);
    assert!(matches!(f.memory, Memory::WorkedAcrossProcesses { .. }));
}

#[test]
fn claim_3_one_core() {
    let check = claim(&fixture(), 3);
    assert_eq!(
        check.measured,
        vec![
            "`cpu`: tokio-ct 1.00× on 0.99 cores, smol-local 1.00× on 1.00 cores",
            "`sleep`: tokio-ct 888×†, smol-local 984×†",
        ]
    );
    // A single-threaded runner that sped up CPU work.
    let mut results = fixture();
    scale_wall(&mut results, "tokio-ct", CPU, 1, 0.6);
    let m = measured(derived::<OneCore>(&results).outcome);
    assert_eq!(m.verdict, Verdict::DoesNotHold);
    assert_eq!(m.on_cpu, OnCpu::Gained);
    assert_eq!(m.fastest.cell.runner, "tokio-ct");
    assert!(close(m.fastest.value(), 1.66), "{:?}", m.fastest);
    // No single-threaded concurrent runner, or no `seq`.
    let mut results = fixture();
    results.cells.retain(|c| c.class != Class::Concurrent);
    assert_eq!(
        gaps(derived::<OneCore>(&results).outcome),
        vec![OneCoreGap::NoSingleThreadedRunner]
    );
    assert_eq!(
        claim(&results, 3).why,
        "no single-threaded concurrent runner ran"
    );
    let mut results = fixture();
    results
        .cells
        .retain(|c| !(c.runner == BASELINE_RUNNER && c.workload == CPU));
    assert_eq!(claim(&results, 3).why, "`cpu` did not run on seq");
}

#[test]
fn claim_4_cores() {
    let check = claim(&fixture(), 4);
    assert_eq!(
        check.why,
        "no cell exceeded min(threads, cores); the closest above one thread was tokio-mt at \
         2 threads, 1.98× against a bound of 2; threads beyond the 2 cores bought nothing: \
         at 4 threads the runners reached 0.99× their speedup at 2 threads"
    );
    // No thread count above the cores: that part is named as not measured.
    let mut results = fixture();
    results.cells.retain(|c| c.threads <= 2);
    let m = measured(derived::<CoresBound>(&results).outcome);
    assert_eq!(m.verdict, Verdict::Holds);
    assert!(matches!(m.beyond, Beyond::NoCountAbove));
    assert!(claim(&results, 4).why.ends_with(
        "threads beyond the cores: not measured in this run (no thread count above the 2 \
         logical cores)"
    ));
    // Four threads that beat two on two cores, within the bound.
    let mut results = fixture();
    scale_wall(&mut results, "tokio-mt", CPU, 2, 1.25);
    let m = measured(derived::<CoresBound>(&results).outcome);
    assert_eq!(m.verdict, holds_only("as a bound on speedup"));
    match &m.beyond {
        Beyond::Gained {
            above,
            reference,
            gain,
        } => {
            assert_eq!(
                (above.runner.as_str(), above.threads, reference.threads),
                ("tokio-mt", 4, 2)
            );
            assert!(close(*gain, 1.24), "{gain}");
        }
        other => panic!("{other:?}"),
    }
    // A speedup above the core count breaks the bound.
    scale_wall(&mut results, "tokio-mt", CPU, 4, 0.7);
    let m = measured(derived::<CoresBound>(&results).outcome);
    assert_eq!(m.verdict, Verdict::DoesNotHold);
    assert_eq!(m.bound, PartVerdict::Fails);
    assert_eq!(m.worst.speedup.cell.threads, 4);
    assert!(close(m.worst.speedup.value(), 2.81) && m.worst.bound == 2.0);
    assert!(
        claim(&results, 4)
            .why
            .starts_with("tokio-mt at 4 threads reached 2.81×, above min(threads, cores) = 2")
    );
    // Only one thread: nothing to say.
    let mut results = fixture();
    results.cells.retain(|c| c.threads == 1);
    assert_eq!(claim(&results, 4).verdict, Verdict::NotMeasured);
}

#[test]
fn claim_5_advice_either_way_round() {
    let check = claim(&fixture(), 5);
    assert_eq!(
        check.claim,
        "Use multiprocessing for I/O-bound work, multithreading for CPU-bound work."
    );
    assert!(
        check.why.starts_with(
            "without a GIL, processes are not needed for waiting work: threads gained \
             2.01×† against 2.00×† for processes; under a GIL, threads under the lock did \
             not help CPU work (0.98×) and processes are not needed for waiting work"
        ),
        "{}",
        check.why
    );
    assert!(check.why.ends_with(
        ". In this run CPU work sped up on threads and processes but not on threads under a \
         global lock, and waiting work on all of threads, processes and threads under a \
         global lock"
    ));
    // The advice the other way round holds under a GIL only.
    let mut results = fixture();
    summarize(&mut results);
    let rank = |r: &str| results.config.runners.iter().position(|x| x == r).unwrap();
    let workloads: Vec<&str> = results
        .config
        .workloads
        .iter()
        .map(String::as_str)
        .collect();
    let run = Run {
        results: &results,
        rank: &rank,
        workloads: &workloads,
        cores: 2,
    };
    let classic = advice::render(&advice::derive(
        &run,
        Advice {
            io: Unit::Threads,
            cpu: Unit::Processes,
        },
    ));
    assert_eq!(
        classic.claim,
        "Use multithreading for I/O-bound work, multiprocessing for CPU-bound work."
    );
    assert_eq!(classic.verdict, holds_only("under a GIL"));
    assert!(
        classic.why.starts_with(
            "without a GIL, processes are not needed for CPU work: threads gained 1.98× \
             against 1.96× for processes; under a GIL, processes helped CPU work (1.96×) and \
             threads under the lock helped waiting work (1.98×†)"
        ),
        "{}",
        classic.why
    );
    // Without the GIL runner, the setting without one decides and the other is named.
    let mut results = fixture();
    results
        .cells
        .retain(|c| c.class != Class::ConcurrentSerialized);
    let m = measured(derived::<AdviceClaim>(&results).outcome);
    assert_eq!(m.verdict, Verdict::DoesNotHold);
    assert!(matches!(
        m.settings[1],
        Setting::NotMeasured(SettingGap::NoLockedRunner)
    ));
    assert!(matches!(m.settings[0], Setting::Judged(_)));
}

#[test]
fn claims_6_and_7_the_gil() {
    let results = fixture();
    let six = claim(&results, 6);
    assert_eq!(
        six.measured,
        vec![
            "gil at 2 and 4 threads: 0.98× and 0.97× `seq`, on 1.00 and 1.00 cores",
            "thread-pool at 2 and 4 threads: 1.98× and 1.96×",
        ]
    );
    let seven = claim(&results, 7);
    assert_eq!(
        seven.why,
        "waits release the lock, so the threads overlapped them: 1.98×† at 2 threads and \
         3.97×† at 4 threads, 99% and 99% of thread-pool's at the same thread counts"
    );
    // A lock that let CPU work run in parallel; waits that did not overlap.
    let mut results = fixture();
    scale_wall(&mut results, "gil", CPU, 4, 0.5);
    scale_wall(&mut results, "gil", SLEEP, 4, 2.0);
    let six_found = measured(derived::<GilCpu>(&results).outcome);
    assert_eq!(six_found.verdict, Verdict::DoesNotHold);
    assert_eq!(six_found.top.cell.threads, 4);
    assert!(close(six_found.top.value(), 1.94));
    let six = claim(&results, 6);
    assert_eq!(
        six.why,
        "gil at 4 threads ran CPU work at 1.94× `seq`, where the same threads without the \
         lock reached up to 1.98×"
    );
    let seven_found = measured(derived::<GilWaits>(&results).outcome);
    assert_eq!(seven_found.verdict, Verdict::DoesNotHold);
    assert_eq!(seven_found.short.len(), 1);
    assert_eq!(seven_found.short[0].speedup.cell.threads, 4);
    assert_eq!(seven_found.short[0].half_ideal, 2.5);
    let seven = claim(&results, 7);
    assert_eq!(
        seven.why,
        "gil at 4 threads reached only 1.99×† (half the ideal: 2.50×)"
    );
    // No runner with a global lock; one at one thread only.
    let mut results = fixture();
    results
        .cells
        .retain(|c| c.class != Class::ConcurrentSerialized);
    for n in [6, 7] {
        let check = claim(&results, n);
        assert_eq!(check.verdict, Verdict::NotMeasured);
        assert_eq!(
            check.why,
            "no runner with a global lock (class concurrent-serialized) ran"
        );
    }
    let mut results = fixture();
    results
        .cells
        .retain(|c| c.class != Class::ConcurrentSerialized || c.threads == 1);
    assert_eq!(
        claim(&results, 6).why,
        "`cpu` finished on gil at one thread only"
    );
}

#[test]
fn claim_8_message_passing() {
    let check = claim(&fixture(), 8);
    assert!(
        check.measured.contains(
            &"thread-pool at 2 threads: merge 0.618 ns, atomic 18.4 ns, mutex 47.9 ns per update"
                .to_owned()
        )
    );
    assert!(
        check.measured.contains(
            &"processes at 2 threads: merge 0.716 ns per update (shared memory does not apply)"
                .to_owned()
        )
    );
    assert_eq!(
        check.why,
        "batched, messages were faster: the fastest shared-memory update cost 4.86× (seq) \
         to 29.8× (thread-pool) as much as merging private copies on the same runner; one \
         message per update costs more: a channel hop cost 13.6× (smol-local) to 296× \
         (threads) an atomic update"
    );
    // Merging dearer than an atomic everywhere: the claim holds outright.
    let mut results = fixture();
    for c in &mut results.cells {
        if c.workload == SHARED_MERGE && c.applies() {
            c.metrics.insert(NS_PER_UPDATE.into(), 100.0);
        }
    }
    assert_eq!(claim(&results, 8).verdict, Verdict::Holds);
    // Without channels the batched comparison decides alone.
    let mut results = fixture();
    results.cells.retain(|c| c.workload != CHANNELS);
    let m = measured(derived::<MessagePassing>(&results).outcome);
    assert_eq!(m.verdict, Verdict::DoesNotHold);
    assert_eq!(m.per_update_part, PartVerdict::Unmeasured);
    assert_eq!(m.batched_part, BatchedPart::Faster);
    assert!(claim(&results, 8).why.ends_with(
        "a message per update: not measured in this run (needs `channels` and \
         `shared-atomic` finished on one runner at one thread count)"
    ));
    // Without the merge, nothing.
    let mut results = fixture();
    results.cells.retain(|c| c.workload != SHARED_MERGE);
    let check = claim(&results, 8);
    assert_eq!(check.verdict, Verdict::NotMeasured);
    assert_eq!(check.why, "`shared-merge` did not run");
}

#[test]
fn older_fixtures_measure_what_they_have() {
    let v1 = parse(include_str!("../../tests/fixtures/results.json"));
    let sweep = parse(include_str!("../../tests/fixtures/sweep.json"));
    let v2 = parse(include_str!("../../tests/fixtures/results-v2.json"));
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
            .contains("threads beyond the cores: not measured")
    );
    // The sweep has threads above the cores.
    assert_eq!(claim(&sweep, 4).verdict, Holds);
    assert!(!claim(&sweep, 4).why.contains("not measured"));
    // v2 has `spawn` on threads but no processes.
    let one = claim(&v2, 1);
    assert_eq!(one.verdict, NotMeasured);
    assert_eq!(one.why, "`spawn` did not run on processes");
    assert!(verdicts(&v2).iter().all(|v| *v == NotMeasured));
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

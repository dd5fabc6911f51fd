//! Claims 1 to 4, each on the fixture and on variations of it.

use super::*;

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
         thread-pool. State in shared memory worked on threads and thread-pool and does not \
         apply to processes. A panic, though, unwound only its own thread"
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
            c.exit = Some(crate::model::ProcessExit {
                code: None,
                signal: Some(6),
                signal_name: Some("SIGABRT".into()),
                timed_out: false,
                reported: false,
            });
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
        "no cell exceeded min(threads, cores): the closest above one thread was tokio-mt at \
         2 threads, 1.98× against a bound of 2. Threads beyond the 2 cores bought nothing: \
         at 4 threads the runners reached 0.99× their speedup at 2 threads"
    );
    // No thread count above the cores: that part is named as not measured.
    let mut results = fixture();
    results.cells.retain(|c| c.threads <= 2);
    let m = measured(derived::<CoresBound>(&results).outcome);
    assert_eq!(m.verdict, Verdict::Holds);
    assert!(matches!(m.beyond, Beyond::NoCountAbove));
    assert!(claim(&results, 4).why.ends_with(
        "Threads beyond the cores: not measured in this run (no thread count above the 2 \
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
    assert!(claim(&results, 4).why.starts_with(
        "the bound was broken: tokio-mt at 4 threads reached 2.81×, above \
                 min(threads, cores) = 2"
    ));
    // Only one thread: nothing to say.
    let mut results = fixture();
    results.cells.retain(|c| c.threads == 1);
    assert_eq!(claim(&results, 4).verdict, Verdict::NotMeasured);
}

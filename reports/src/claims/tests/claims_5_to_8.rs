//! Claims 5 to 8, each on the fixture and on variations of it.

use super::*;

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

//! Claims 5 to 8, each on the fixture and on variations of it.

use super::*;

#[test]
fn claim_5_in_both_wordings() {
    let f = derived::<AdviceClaim>(&fixture());
    // 5a, the brief's table: processes are not needed for waits anywhere, and
    // threads under the lock did not help CPU work.
    assert_eq!(f.brief.advice, BRIEF_TABLE);
    assert_eq!(f.brief.verdict, Verdict::DoesNotHold);
    let locks: Vec<Lock> = f.brief.settings.iter().map(|s| s.lock).collect();
    assert_eq!(locks, [Lock::NoGil, Lock::Gil]);
    // 5b, the usual advice, under a GIL only: processes for CPU work (threads
    // under the lock gained nothing), threads for waits.
    assert_eq!(f.classic.advice, CLASSIC);
    assert_eq!(f.classic.verdict, Verdict::Holds);
    let [
        InSetting {
            lock: Lock::Gil,
            setting: Setting::Judged(judged),
        },
    ] = f.classic.settings.as_slice()
    else {
        panic!("{:?}", f.classic.settings)
    };
    let [
        Judgement::Helped {
            named: Unit::Processes,
            speedup: cpu,
        },
        Judgement::Helped {
            named: Unit::Threads,
            speedup: sleep,
        },
    ] = judged.as_ref()
    else {
        panic!("{judged:?}")
    };
    assert!(close(cpu.value(), 1.96) && cpu.cell.runner == PROCESSES);
    assert!(close(sleep.value(), 1.98) && sleep.cell.runner == "gil");
    // The brief's table against its GIL sentence: the lock's threads gained
    // nothing on CPU work, the same threads without it did.
    let Contradiction::Measured {
        locked,
        free,
        locked_gained_nothing: true,
        free_helped: true,
    } = &f.contradiction
    else {
        panic!("{:?}", f.contradiction)
    };
    assert!(close(locked.value(), 0.98) && locked.cell.threads == 2);
    assert!(close(free.as_ref().unwrap().value(), 1.98));
    let m = measured(f.outcome);
    assert_eq!(m.threads, 2);

    // In words: both verdicts, each with its numbers, then the notes.
    let check = claim(&fixture(), 5);
    assert_eq!(
        check.claim,
        "Use multiprocessing for I/O-bound work, multithreading for CPU-bound work (as \
         rtcompare's brief puts it)."
    );
    assert_eq!(check.verdict, Verdict::DoesNotHold);
    assert_eq!(
        check.why,
        "without a GIL, processes are not needed for waiting work: threads gained 2.01×† \
         against 2.00×† for processes. Under a GIL, threads under the lock did not help CPU \
         work (0.98×) and processes are not needed for waiting work: threads under the lock \
         gained 1.98×† against 2.00×† for processes"
    );
    let also = check.also.expect("a second wording");
    assert_eq!(
        also.claim,
        "Under a [GIL](#glossary-gil), use multiprocessing for CPU-bound work, multithreading \
         for I/O-bound work (the usual Python advice)."
    );
    assert_eq!(also.verdict, Verdict::Holds);
    assert_eq!(
        also.why,
        "under a GIL, processes helped CPU work (1.96×) and threads under the lock helped \
         waiting work (1.98×†)"
    );
    let notes: Vec<&str> = also.notes.iter().map(|(label, _)| label.as_str()).collect();
    assert_eq!(notes, ["In this run", "The brief against itself"]);
    assert!(also.notes[0].1.starts_with(
        "CPU work sped up on threads and processes but not on threads under a global lock"
    ));
    assert!(
        also.notes[1]
            .1
            .ends_with("So the table's advice on CPU-bound work can hold only without a GIL"),
        "{}",
        also.notes[1].1
    );
}

#[test]
fn claim_5_without_the_gil_or_processes() {
    // Without the GIL runner, 5a is judged without a GIL alone and 5b not at all.
    let mut results = fixture();
    results
        .cells
        .retain(|c| c.class != Class::ConcurrentSerialized);
    let f = derived::<AdviceClaim>(&results);
    assert_eq!(f.brief.verdict, Verdict::DoesNotHold);
    assert!(matches!(f.brief.settings[0].setting, Setting::Judged(_)));
    assert!(matches!(
        f.brief.settings[1].setting,
        Setting::NotMeasured(SettingGap::NoLockedRunner)
    ));
    assert_eq!(f.classic.verdict, Verdict::NotMeasured);
    assert!(matches!(f.contradiction, Contradiction::NotMeasured));
    let check = claim(&results, 5);
    let also = check.also.unwrap();
    assert_eq!(also.why, "under a GIL: no runner with a global lock ran");
    assert!(
        also.notes[1].1.ends_with("to show which"),
        "{}",
        also.notes[1].1
    );

    // A lock that lets CPU work through: 5b still holds only if threads under
    // it do not help CPU work, and the GIL sentence fails.
    let mut results = fixture();
    scale_wall(&mut results, "gil", CPU, 2, 0.5);
    let f = derived::<AdviceClaim>(&results);
    assert_eq!(f.classic.verdict, Verdict::DoesNotHold);
    assert!(matches!(
        f.contradiction,
        Contradiction::Measured {
            locked_gained_nothing: false,
            ..
        }
    ));

    // Without processes neither wording is measured; the contradiction still is.
    let mut results = fixture();
    results.cells.retain(|c| c.runner != PROCESSES);
    let f = derived::<AdviceClaim>(&results);
    assert_eq!(f.brief.verdict, Verdict::NotMeasured);
    assert_eq!(f.classic.verdict, Verdict::NotMeasured);
    assert!(f.brief.settings.is_empty() && f.classic.settings.is_empty());
    assert!(matches!(f.contradiction, Contradiction::Measured { .. }));
    assert_eq!(claim(&results, 5).also.unwrap().why, "for the same reasons");
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
         to 29.8× (thread-pool) as much as merging private copies on the same runner. One \
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
        "A message per update: not measured in this run (needs `channels` and \
         `shared-atomic` finished on one runner at one thread count)"
    ));
    // Without the merge, nothing.
    let mut results = fixture();
    results.cells.retain(|c| c.workload != SHARED_MERGE);
    let check = claim(&results, 8);
    assert_eq!(check.verdict, Verdict::NotMeasured);
    assert_eq!(check.why, "`shared-merge` did not run");
}

//! The section's finding from the fixtures, and a few of its words.

use super::derive::{chunk_ms, compare, derive, stalls};
use super::render::sentences;
use super::render_table::stalls_text;
use super::*;
use crate::model::{Cell, Results};
use crate::sections::Section as _;
use crate::sections::timer::as_measured;
use rtcompare_api::Class;

fn fixture() -> Results {
    crate::fixtures::v2()
}

/// The mixed cells that apply, in the run's runner order (as the report
/// passes them).
fn mixed(results: &Results) -> Vec<&Cell> {
    let rank = crate::fixtures::runner_rank(results);
    let mut cells: Vec<&Cell> = results
        .cells
        .iter()
        .filter(|c| c.workload.starts_with(PREFIX) && c.applies())
        .collect();
    cells.sort_by_key(|c| (rank(&c.runner), c.threads));
    cells
}

fn cell<'a>(results: &'a Results, runner: &str, workload: &str) -> &'a Cell {
    results
        .cells
        .iter()
        .find(|c| c.runner == runner && c.workload == workload)
        .unwrap()
}

fn runners(group: &Group) -> Vec<&str> {
    group.cells.iter().map(|t| t.cell.runner.as_str()).collect()
}

fn stalls_of(group: &Group, runner: &str) -> Option<Stalls> {
    group
        .cells
        .iter()
        .find(|t| t.cell.runner == runner)
        .and_then(|t| t.stalls)
}

#[test]
fn stalled_samples_are_counted_against_the_threshold() {
    let results = fixture();
    let tokio = cell(&results, "tokio-mt", INLINE);
    let s = stalls(tokio, STALL_US).unwrap();
    assert_eq!((s.stalled, s.samples), (2, 5));
    assert_eq!(s.worst_us, 101_300.0);
    assert_eq!(stalls_text(&s), "2 of 5 (worst 101 ms)");
    // The merged p99 looks fine although two samples stalled.
    assert!(tokio.latency_us.unwrap().p99 < STALL_US);
    let smol = stalls(cell(&results, "smol-mt", INLINE), STALL_US).unwrap();
    assert_eq!((smol.stalled, stalls_text(&smol).as_str()), (0, "0 of 5"));
    // A threshold above every maximum counts none; samples without a maximum
    // (schema 1) give no count at all.
    assert_eq!(stalls(tokio, 200_000.0).unwrap().stalled, 0);
    let mut old = tokio.clone();
    for s in &mut old.samples {
        s.latency_max_us = None;
    }
    assert_eq!(stalls(&old, STALL_US), None);
}

#[test]
fn chunk_length_from_the_parameters() {
    let results = fixture();
    let mut c = cell(&results, "tokio-ct", INLINE).clone();
    assert_eq!(chunk_ms(&c), Some(100.0));
    c.params = serde_json::json!({ "hog_chunk_us": 50000 });
    assert_eq!(chunk_ms(&c), Some(50.0));
    c.params = serde_json::json!({ "chunks": 10 });
    assert_eq!(chunk_ms(&c), None);
}

#[test]
fn the_table_has_every_mixed_cell_that_applies() {
    let results = fixture();
    let report = Report::new(&results, &[]);
    let found = derive(&report).unwrap();
    assert_eq!(found.hogs, Some(1.0));
    assert_eq!(found.variants, [INLINE, YIELD, OFFLOAD]);
    assert_eq!(found.cells.len(), mixed(&results).len());
    let row = |runner: &str, workload: &str| {
        found
            .cells
            .iter()
            .find(|r| r.cell.runner == runner && r.cell.workload == workload)
            .unwrap()
    };
    assert_eq!(
        row("async-std", OFFLOAD).outcome,
        RowOutcome::Ended(Status::Failed)
    );
    let RowOutcome::Finished(m) = &row("tokio-mt", INLINE).outcome else {
        panic!("tokio-mt finished");
    };
    assert_eq!(m.stalls.map(|s| s.stalled), Some(2));
    assert_eq!(m.lateness.map(|l| l.max_us), Some(101_300.0));
    assert!(found.cells.iter().all(|r| !r.disturbed));
    assert!(found.disturbed.is_empty());
    // The findings carry the same finding; a run without mixed cells has none.
    let json = HogsSection.findings(&report).unwrap();
    assert_eq!(json, serde_json::to_value(&found).unwrap());
    assert_eq!(json["comparisons"]["inline"]["wait"], "OneChunk");
    let other = crate::fixtures::claims();
    assert!(!other.cells.iter().any(|c| c.workload.starts_with(PREFIX)));
    assert_eq!(HogsSection.findings(&Report::new(&other, &[])), None);
}

#[test]
fn hog_comparisons_from_the_cells() {
    let results = fixture();
    let found = compare(&mixed(&results), &results.runners, &as_measured);
    assert!(!found.several_hogs);
    assert_eq!(found.inline_worst_us, Some(101_200.0));

    // One thread: each tick waits about one chunk, and every sample stalls.
    let inline = found.inline.as_ref().unwrap();
    assert_eq!(inline.wait, InlineWait::OneChunk);
    assert_eq!(
        runners(&inline.ticks),
        ["tokio-ct", "smol-local", "futures-local"]
    );
    assert!(inline.ticks.cells.iter().all(|t| {
        t.chunk
            .is_some_and(|c| c.ms == 100.0 && !c.measured && (1.0..1.03).contains(&c.waited))
    }));
    assert_eq!(
        inline.ticks.stalls,
        StallSummary::EveryStalled {
            stalled: 15,
            samples: 15
        }
    );
    assert_eq!(
        sentences(&found, STALL_US)[0],
        "**Inline hog, one thread:** on the single-threaded executors (tokio-ct, smol-local \
         and futures-local) a tick due while a chunk runs waits for the chunk to end. Tick \
         lateness p99 100 ms, worst 101 ms (tokio-ct) to 102 ms (futures-local), 1.01–1.02× \
         each runner's hog chunk (100 ms, from the parameters). Every sample stalled over \
         10 ms (15 of 15)."
    );

    // One hog on two workers leaves one free; tokio-mt stalled nonetheless. A
    // thread per task leaves the ticks to the kernel.
    let multi = found.multithreading.as_ref().unwrap();
    assert_eq!(multi.threads, [2]);
    let [pool] = multi.pools.as_slice() else {
        panic!("one pool: {:?}", multi.pools);
    };
    assert_eq!(
        pool.occupancy,
        Occupancy::WorkersFree {
            on: vec![HogsOnWorkers {
                hogs: 1.0,
                workers: 2
            }],
            free: Some(1.0)
        }
    );
    assert_eq!(
        runners(&pool.ticks),
        ["tokio-mt", "smol-mt", "async-std", "futures-pool"]
    );
    assert_eq!(pool.ticks.stalls, StallSummary::SomeStalled);
    assert_eq!(stalls_of(&pool.ticks, "tokio-mt").unwrap().stalled, 2);
    assert_eq!(stalls_of(&pool.ticks, "smol-mt").unwrap().stalled, 0);
    let per_task = multi.per_task.as_ref().unwrap();
    assert!(per_task.preempted);
    assert_eq!(runners(&per_task.ticks), ["threads"]);
    assert_eq!(per_task.ticks.stalls, StallSummary::NoneStalled);

    // Yielding and offloading recover the ticks, smol-local most.
    for recovered in [&found.yielding, &found.offloading] {
        let recovered = recovered.as_ref().unwrap();
        assert_eq!(recovered.ticks.stalls, StallSummary::NoneStalled);
        assert_eq!(recovered.best.runner, "smol-local");
        assert_eq!(recovered.cost.unwrap().inline_chunks_per_s, 9.93);
    }
    assert_eq!(
        found.yielding.as_ref().unwrap().cost.unwrap().chunks_per_s,
        9.61
    );
}

/// Mixed cells as the quick preset runs them: 2 hogs of 1 chunk each, the
/// chunk's compute time measured, and worst ticks as measured on a 2-core
/// machine (µs).
fn quick_like(results: &Results) -> Vec<Cell> {
    let runs = [
        ("tokio-ct", 219_152.0, 109.695),
        ("smol-local", 220_725.0, 110.341),
        ("futures-local", 222_953.0, 111.680),
        ("tokio-mt", 109_445.0, 109.768),
        ("smol-mt", 110_166.0, 111.202),
        ("async-std", 112_132.0, 112.775),
        ("futures-pool", 111_542.0, 112.595),
        ("threads", 3_707.0, 116.635),
    ];
    runs.iter()
        .map(|&(runner, max, chunk)| {
            let mut c = cell(results, runner, INLINE).clone();
            c.params = serde_json::json!({
                "hogs": 2, "chunks_per_hog": 1, "chunk_steps": 83_000_000, "mode": "inline"
            });
            c.metrics.insert(CHUNK_MS.into(), chunk);
            let mut l = c.latency_us.unwrap();
            l.max = max;
            l.p99 = max.min(l.p99.max(max * 0.99));
            c.latency_us = Some(l);
            for s in &mut c.samples {
                s.latency_max_us = Some(max);
            }
            c
        })
        .collect()
}

#[test]
fn several_hogs_wait_back_to_back_and_hold_every_worker() {
    let results = fixture();
    let cells = quick_like(&results);
    let cells: Vec<&Cell> = cells.iter().collect();
    let found = compare(&cells, &results.runners, &as_measured);
    assert!(found.several_hogs);
    let inline = found.inline.as_ref().unwrap();
    assert_eq!(
        inline.wait,
        InlineWait::BackToBack {
            hogs: 2.0,
            chunks_per_hog: Some(1.0)
        }
    );
    assert!(inline.ticks.cells.iter().all(|t| {
        t.chunk
            .is_some_and(|c| c.measured && (1.99..2.01).contains(&c.waited))
    }));
    let multi = found.multithreading.as_ref().unwrap();
    let [pool] = multi.pools.as_slice() else {
        panic!("one pool: {:?}", multi.pools);
    };
    assert_eq!(
        pool.occupancy,
        Occupancy::EveryWorker {
            on: vec![HogsOnWorkers {
                hogs: 2.0,
                workers: 2
            }],
            still: Some(StillWaits::AboutOneChunk)
        }
    );
    assert_eq!(
        pool.ticks.stalls,
        StallSummary::EveryStalled {
            stalled: 20,
            samples: 20
        }
    );
    assert_eq!(
        runners(&multi.per_task.as_ref().unwrap().ticks),
        ["threads"]
    );
    // The words of both, which the golden reports do not reach.
    let words = sentences(&found, STALL_US);
    assert_eq!(
        words[0],
        "**Inline hogs, one thread:** on the single-threaded executors (tokio-ct, smol-local \
         and futures-local) a tick due while the hogs run waits for all their chunks back to \
         back (2 hogs of 1 chunk each). Tick lateness p99 217–221 ms, worst 219 ms \
         (tokio-ct) to 223 ms (futures-local), 2.00× each runner's measured hog chunk \
         (110–112 ms). Every sample stalled over 10 ms (15 of 15)."
    );
    assert_eq!(
        words[1],
        "**Multithreading:** the inline hogs on multithreaded runners at 2 threads, against \
         219 ms worst inline on one thread:\n  - On tokio-mt, smol-mt, async-std and \
         futures-pool, 2 hogs on 2 worker threads occupy every worker, so a tick still \
         waits about one chunk. Tick lateness p99 108–111 ms, worst 109 ms (tokio-mt) to \
         112 ms (async-std), 0.99–1.00× each runner's measured hog chunk (110–113 ms). \
         Every sample stalled over 10 ms (20 of 20).\n  - On threads, every task has its \
         own OS thread, so the kernel preempts the hogs to run the ticks. Tick lateness p99 \
         3.67 ms, worst 3.71 ms (threads). No sample stalled over 10 ms."
    );

    // Four hogs on two workers hold them for longer than one chunk when a tick
    // waits for two: the ratio is reported, "about one chunk" is not claimed.
    let mut longer: Vec<Cell> = cells.iter().map(|c| (*c).clone()).collect();
    for c in longer.iter_mut().filter(|c| c.runner == "tokio-mt") {
        c.latency_us.as_mut().unwrap().max = 219_000.0;
    }
    let longer: Vec<&Cell> = longer.iter().collect();
    let found = compare(&longer, &results.runners, &as_measured);
    let pool = &found.multithreading.as_ref().unwrap().pools[0];
    assert!(matches!(
        pool.occupancy,
        Occupancy::EveryWorker {
            still: Some(StillWaits::ForChunks),
            ..
        }
    ));
    assert!(sentences(&found, STALL_US)[1].contains("0.99–2.00× each runner's measured hog chunk"));

    // Without the runners' descriptions the thread-per-task runner is not told
    // apart, and no relation is claimed for it.
    let found = compare(&cells, &[], &as_measured);
    let multi = found.multithreading.as_ref().unwrap();
    assert_eq!(multi.per_task, None);
    let [pool] = multi.pools.as_slice() else {
        panic!("one pool: {:?}", multi.pools);
    };
    assert_eq!(pool.occupancy, Occupancy::Undescribed);
    assert_eq!(
        runners(&pool.ticks),
        [
            "tokio-mt",
            "smol-mt",
            "async-std",
            "futures-pool",
            "threads"
        ]
    );
}

#[test]
fn missing_cells_are_not_measured_in_this_run() {
    let mut results = fixture();
    // No single-threaded executor ran, and nothing was offloaded.
    results
        .cells
        .retain(|c| c.class != Class::Concurrent && c.workload != OFFLOAD);
    let found = compare(&mixed(&results), &results.runners, &as_measured);
    assert_eq!(found.inline, None);
    assert_eq!(found.inline_worst_us, None);
    assert!(found.multithreading.is_some());
    assert_eq!((&found.yielding, &found.offloading), (&None, &None));
    let words = sentences(&found, STALL_US);
    assert_eq!(
        words[0],
        "**Inline hog, one thread:** not measured in this run."
    );
    assert!(
        !words[1].contains("worst inline on one thread"),
        "{}",
        words[1]
    );
    assert_eq!(
        words[3],
        "**Offloading** (`mixed-offload` on the single-threaded executors): not measured in \
         this run."
    );
    // And without multithreaded runners at more than one thread.
    results
        .cells
        .retain(|c| c.class != Class::ConcurrentParallel);
    let found = compare(&mixed(&results), &results.runners, &as_measured);
    assert_eq!(found.multithreading, None);
    assert!(
        sentences(&found, STALL_US)[1].ends_with("not measured in this run."),
        "{:?}",
        sentences(&found, STALL_US)
    );
}

#[test]
fn disturbed_cells_are_shown_but_not_compared() {
    let mut results = fixture();
    for c in &mut results.cells {
        if c.runner == "tokio-ct" && c.workload.starts_with(PREFIX) {
            c.interference = Some(crate::model::Interference {
                retaken: 3,
                disturbed_samples: 2,
                foreign_cores_max: 0.7,
                ..Default::default()
            });
        }
    }
    let report = Report::new(&results, &[]);
    let found = derive(&report).unwrap();
    let disturbed: Vec<&str> = found
        .cells
        .iter()
        .filter(|r| r.disturbed)
        .map(|r| r.cell.workload.as_str())
        .collect();
    assert_eq!(disturbed, [INLINE, YIELD, OFFLOAD]);
    // The footnote's disturbances, in table order, with their foreign load.
    let named: Vec<(&str, f64, usize, usize)> = found
        .disturbed
        .iter()
        .map(|d| {
            (
                d.cell.workload.as_str(),
                d.foreign_cores_max,
                d.disturbed_samples,
                d.retaken,
            )
        })
        .collect();
    assert_eq!(
        named,
        [
            (INLINE, 0.7, 2, 3),
            (YIELD, 0.7, 2, 3),
            (OFFLOAD, 0.7, 2, 3)
        ]
    );
    assert!(found.disturbed.iter().all(|d| d.cell.runner == "tokio-ct"));
    let inline = found.comparisons.inline.as_ref().unwrap();
    assert_eq!(runners(&inline.ticks), ["smol-local", "futures-local"]);
    let mut out = String::new();
    HogsSection.render(&report, &mut out);
    assert!(out.contains("| tokio-ct §"), "{out}");
    assert!(out.contains("§ Disturbed by other load"), "{out}");
}

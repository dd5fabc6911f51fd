//! The verdict lines and the words of comparisons: against `seq`, parallelism
//! against concurrency, static splits, open-loop schedules.

use super::*;

#[test]
fn verdict_without_seq_says_so() {
    let mut results = fixture();
    results
        .cells
        .retain(|c| !(c.runner == "seq" && c.workload == "cpu"));
    for c in &mut results.cells {
        if c.runner == "seq" && c.workload == "cpu-skewed" {
            c.status = Status::Failed;
            c.error = Some("boom".into());
        }
    }
    let report = render(&results);
    let cpu = verdict_of(&report, "cpu");
    assert!(
        cpu.contains("`seq` is missing, so speedups can't be computed"),
        "{cpu}"
    );
    // Five samples per cell: a lowest median, never a fastest runner.
    assert!(
        cpu.contains(
            "speedups can't be computed. The lowest median was tokio-mt's (given 2 threads; \
             1.97 cores busy) at 204 ms (5 samples: too few to rank)."
        ),
        "{cpu}"
    );
    assert!(!cpu.contains("fastest"), "{cpu}");
    let skewed = verdict_of(&report, "cpu-skewed");
    assert!(skewed.contains("`seq` failed"), "{skewed}");
    // The per-workload table shows no speedups, the failure is listed.
    assert!(report.contains("- **Failed:** seq (t1). Reason: boom."));
}

#[test]
fn a_multithreaded_runner_at_one_thread_is_not_parallelism() {
    let mut results = fixture();
    let mut one = results
        .cells
        .iter()
        .find(|c| c.runner == "smol-mt" && c.workload == "sleep")
        .unwrap()
        .clone();
    one.threads = 1;
    for s in &mut one.samples {
        s.wall_s *= 0.9; // the fastest cell of all
    }
    results.cells.push(one);
    let report = render(&results);
    let sleep = verdict_of(&report, "sleep");
    assert!(!sleep.contains("1 thread,"), "{sleep}");
    let grid = report
        .lines()
        .find(|l| l.starts_with("| concurrent-parallel"))
        .unwrap();
    assert!(!grid.contains("(t1)"), "{grid}");
}

#[test]
fn io_verdict_compares_parallelism_with_concurrency() {
    let report = render(&fixture());
    let sleep = verdict_of(&report, "sleep");
    assert!(sleep.contains("concurrency alone (best single-threaded executor: smol-local)"));
    // The multithreaded leader kept under one core busy: no credit to parallelism.
    assert!(
        sleep.contains(
            "The best multithreaded runner (smol-mt, 2 threads) ran at 995× `seq` with 0.06 \
             cores busy and was level with smol-local (1.00×): not a gain from parallelism."
        ),
        "{sleep}"
    );
    assert!(
        sleep.contains("`seq`'s time was scaled up from a subset of the work (†)."),
        "{sleep}"
    );
    assert!(
        sleep.contains(
            "The lowest median (smol-mt, 101 ms; 5 samples: too few to rank) was 1.3% over \
             the ideal of 100 ms"
        ),
        "{sleep}"
    );
    let skewed = verdict_of(&report, "cpu-skewed");
    assert!(
        skewed.contains("62% slower. With fixed shares the thread holding"),
        "{skewed}"
    );
}

#[test]
fn a_small_static_split_gap_is_not_called_uneven_work() {
    let mut results = fixture();
    let dynamic = results
        .cells
        .iter()
        .find(|c| c.runner == "tokio-mt" && c.workload == "cpu")
        .unwrap()
        .clone();
    let median =
        crate::stats::median(&dynamic.samples.iter().map(|s| s.wall_s).collect::<Vec<_>>());
    for c in &mut results.cells {
        if c.family == Family::StaticSplit && c.workload == "cpu" {
            for s in &mut c.samples {
                s.wall_s = median * 1.05;
            }
        }
    }
    let report = render(&results);
    let cpu = verdict_of(&report, "cpu");
    assert!(cpu.contains("5.0% slower, a small gap"), "{cpu}");
    assert!(!cpu.contains("sit idle"), "{cpu}");
}

#[test]
fn a_ratio_below_one_is_worded_as_a_slowdown() {
    let seq = summary_at(1.0);
    let slower = Versus::of(&summary_at(1.0 / 0.75), &seq);
    assert_eq!(slower.change, Change::Slower);
    assert_eq!(
        slower.against_seq(true),
        "ran at 0.75× `seq`'s speed, taking 1.33× as long"
    );
    assert_eq!(slower.against("x"), "ran at 0.75× x's speed");
    assert_eq!(slower.in_all(), "0.75× `seq`'s speed in all");
    let faster = Versus::of(&summary_at(0.5), &seq);
    assert_eq!(faster.against_seq(true), "bought 2.00× over `seq`");
    assert_eq!(faster.against_seq(false), "ran at 2.00× `seq`");
    assert_eq!(faster.against("x"), "ran 2.00× as fast as x");

    // On the real run, every kind: no ratio below 1 is called bought or a gain.
    let report = render(&fixture_quick());
    let verdict =
        &report[report.find("## Verdict").unwrap()..report.find("## Network servers").unwrap()];
    for word in ["bought 0.", "further 0.", "0.75× over", "0.66× over"] {
        assert!(!verdict.contains(word), "{word} in {verdict}");
    }
    assert!(
        verdict_of(&report, "tcp-echo").contains(
            "concurrency alone (best single-threaded executor: tokio-ct) ran at 0.75× \
             `seq`'s speed, taking 1.33× as long."
        ),
        "{verdict}"
    );
    assert!(
        verdict_of(&report, "tcp-echo-1").contains("ran at 0.66× `seq`'s speed, taking 1.52×"),
        "{verdict}"
    );
}

#[test]
fn a_difference_within_the_band_is_nothing_measurable() {
    let base = summary_at(1.0);
    // 0.4% slower, outside each other's interval: still level.
    let level = Versus::of(&summary_at(1.0 / 0.996), &base);
    assert_eq!(level.change, Change::Level);
    assert_eq!(level.level(), "0.996×");
    assert_eq!(level.against_seq(true), "was level with `seq` (0.996×)");
    // Just beyond the band either way.
    assert_eq!(
        Versus::of(&summary_at(1.0 / 0.96), &base).change,
        Change::Slower
    );
    assert_eq!(
        Versus::of(&summary_at(1.0 / 1.04), &base).change,
        Change::Faster
    );
    // Overlapping intervals are level however far apart the medians are.
    let mut wide = summary_at(1.0 / 1.2);
    wide.interval_wall_s = [0.5, 1.5];
    let noisy = Versus::of(&wide, &base);
    assert_eq!(noisy.change, Change::Level);
    assert_eq!(noisy.level(), "1.20×, within noise");

    // On the real run: smol-mt 0.996× smol-local on sleep.
    let report = render(&fixture_quick());
    let sleep = verdict_of(&report, "sleep");
    assert!(
        sleep.contains("was level with smol-local (0.996×)"),
        "{sleep}"
    );
    assert!(!sleep.contains("slower"), "{sleep}");
    let cpu = verdict_of(&report, "cpu");
    assert!(cpu.contains("was level with `seq` (0.978×)"), "{cpu}");

    // A multithreaded leader that was parallel: level, then slower, than
    // concurrency alone.
    let mut results = fixture();
    let others: Vec<String> = results
        .cells
        .iter()
        .filter(|c| c.workload == "sleep" && c.runner != "smol-mt")
        .filter(|c| multithreaded_class(c.class))
        .map(|c| c.runner.clone())
        .collect();
    for runner in &others {
        reshape(&mut results, runner, "sleep", 1.5, 1.5);
    }
    reshape(&mut results, "smol-mt", "sleep", 1.0, 1.5);
    let sleep = render(&results);
    let sleep = verdict_of(&sleep, "sleep");
    assert!(
        sleep.contains(
            "Adding parallelism (best multithreaded runner: smol-mt, 2 threads) added \
             nothing measurable (1.00×) with 1.50 cores busy, 995× over `seq` in all. `seq`'s \
             time was scaled up"
        ),
        "{sleep}"
    );
    reshape(&mut results, "smol-mt", "sleep", 1.0 / 0.9, 1.5);
    let report = render(&results);
    let sleep = verdict_of(&report, "sleep");
    assert!(
        sleep.contains("made it slower (0.90×) with 1.50 cores busy"),
        "{sleep}"
    );
}

#[test]
fn parallelism_is_credited_only_with_more_than_one_core_busy() {
    let results = fixture_quick();
    let report = render(&results);
    // One connection: one thread works.
    let single = verdict_of(&report, "tcp-echo-1");
    assert!(
        single.ends_with(
            "The best multithreaded runner (threads-static, 2 threads) was level with `seq` \
             (0.976×) with 1.00 cores busy and ran 1.48× as fast as tokio-ct: not a gain \
             from parallelism."
        ),
        "{single}"
    );
    assert!(!single.contains("Adding parallelism"), "{single}");
    // 50 connections on 2 cores, in a file from before the external generator:
    // compared as any other work, no share credited to blocking I/O.
    let loaded = verdict_of(&report, "tcp-echo");
    assert!(
        loaded.contains(
            "Adding parallelism (best multithreaded runner: threads-static, 2 threads) bought \
             a further 2.53× with 1.96 cores busy, 1.91× over `seq` in all."
        ),
        "{loaded}"
    );
    assert!(!loaded.contains("blocking I/O"), "{loaded}");
    // CPU-bound work keeps its sentence.
    assert!(verdict_of(&report, "cpu").contains(
        "Parallelism (best multithreaded runner: threads-static, 2 threads) reached 1.99× \
         (efficiency 100%)"
    ));
    // The grid marks the multithreaded cells that were not parallel.
    let row = |report: &str, class: &str| -> String {
        report
            .lines()
            .find(|l| l.starts_with(&format!("| {class} ")))
            .unwrap()
            .to_owned()
    };
    let grid = row(&report, "concurrent-parallel");
    assert!(grid.contains("threads-static (t2) 0.98× ‡"), "{grid}");
    assert!(grid.contains("threads-static (t2) 1.91× |"), "{grid}");
    assert!(report.contains(
        "‡ At most 1.20 cores busy (here 0.00–1.00): that speedup is not a gain from \
         parallelism."
    ));

    // The same leader with two cores busy is credited.
    let mut busy = results.clone();
    reshape(&mut busy, "threads-static", "tcp-echo-1", 1.0, 1.9);
    let report = render(&busy);
    let single = verdict_of(&report, "tcp-echo-1");
    assert!(!single.contains("not a gain from parallelism"), "{single}");
    assert!(
        single.contains(
            "Adding parallelism (best multithreaded runner: threads-static, 2 threads) bought \
             a further 1.48×"
        ),
        "{single}"
    );
    assert!(!row(&report, "concurrent-parallel").contains("0.98× ‡"));
}

#[test]
fn open_loop_wall_time_is_the_schedule() {
    let results = fixture_quick();
    let report = render(&results);
    let open = verdict_of(&report, "tcp-echo-open");
    assert_eq!(
        open,
        "- **tcp-echo-open** (I/O-bound): sends on a fixed schedule (20,000 req/s), so the \
         schedule sets its wall time (100–106 ms on every runner that finished) and speedups \
         mean nothing: compare latencies. Ranked by p99: lowest smol-local (1 thread) at \
         198 µs, then smol-mt (2 threads) at 281 µs. Each of seq, thread-pool, threads-static \
         and rayon blocks on one connection per thread, so 1–2 of the 50 are served at a \
         time. The requests of the connections waiting their turn go out late: open-loop \
         p50 48.6–50.8 ms against 78.4 µs to 1.16 ms for the other runners."
    );
    // Not in the grid.
    let header = report.lines().find(|l| l.starts_with("| Class ")).unwrap();
    assert!(!header.contains("tcp-echo-open"), "{header}");
    assert!(header.contains("tcp-echo-1"), "{header}");
    // A closed loop is not an open loop.
    assert!(!verdict_of(&report, "tcp-echo").contains("schedule"));

    // Without a rate in the parameters, the description says open loop; a
    // runner on a reactor that falls behind is named without a cause.
    let mut described = results;
    for c in &mut described.cells {
        if let Some(params) = c.params.as_object_mut() {
            params.remove(OPEN_LOOP_RATE);
        }
        if c.workload == "tcp-echo-open" && c.runner == "tokio-ct" {
            c.latency_us.as_mut().unwrap().p50 = 60_000.0;
        }
    }
    let report = render(&described);
    let open = verdict_of(&report, "tcp-echo-open");
    assert!(
        open.contains("sends on a fixed schedule, so the schedule sets its wall time"),
        "{open}"
    );
    assert!(
        open.contains(
            "Behind the schedule: seq, tokio-ct, thread-pool, threads-static and rayon, with \
             open-loop p50 48.6–60.0 ms against 78.4 µs to 1.15 ms for the other runners."
        ),
        "{open}"
    );
    // With nothing but the description, no open loop is assumed.
    let mut plain = described.clone();
    for w in &mut plain.workloads {
        w.summary = "C connections over loopback TCP".into();
    }
    let report = render(&plain);
    assert!(!verdict_of(&report, "tcp-echo-open").contains("schedule"));
}

#[test]
fn thread_per_core_is_worded_beside_the_static_split() {
    use crate::sections::verdict::{FixedShares, Outcome};
    let results = crate::fixtures::per_core();
    let summarized = crate::summary::Summarized::new(results.clone());
    let report = crate::sections::Report::new(&summarized, &[]);
    let finding = report.verdict_finding();
    let speedups = |workload: &str| {
        let w = finding
            .workloads
            .iter()
            .find(|w| w.workload == workload)
            .unwrap();
        let Outcome::Compared(c) = &w.outcome else {
            panic!("{workload}: {:?}", w.outcome)
        };
        let Some(FixedShares::Compared {
            split,
            dynamic,
            speedups: Some([a, b]),
            ..
        }) = &c.thread_per_core
        else {
            panic!("{workload}: {:?}", c.thread_per_core)
        };
        (split.runner.clone(), dynamic.runner.clone(), *a, *b)
    };
    let text = render(&results);
    // Uneven shares: the figures from the finding, the reason said once, for the
    // static split before it.
    let (runner, dynamic, a, b) = speedups("cpu-skewed");
    let skewed = verdict_of(&text, "cpu-skewed");
    assert!(
        skewed.contains(&format!(
            "Thread-per-core ({runner}: a fixed share per core, no stealing) reached {} \
             against {} for dynamic scheduling ({dynamic}) on 2 threads: ",
            crate::text::times(a),
            crate::text::times(b)
        )),
        "{skewed}"
    );
    assert!(skewed.contains("slower, for the same reason."), "{skewed}");
    assert_eq!(skewed.matches("sit idle").count(), 1, "{skewed}");
    // Even shares: close to dynamic scheduling.
    let (runner, ..) = speedups("cpu");
    let cpu = verdict_of(&text, "cpu");
    assert!(
        cpu.contains(&format!(
            "({runner}: a fixed share per core, no stealing) reached"
        )),
        "{cpu}"
    );
    assert!(!cpu.contains("for the same reason"), "{cpu}");
    // Not on waiting work, and not without a thread-per-core runner.
    assert!(!verdict_of(&text, "sleep").contains("Thread-per-core"));
    assert!(!render(&fixture()).contains("Thread-per-core ("));
}

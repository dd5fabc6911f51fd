//! The header and the workload tables: parameters, cells that do not apply,
//! measures and notes, efficiency, intervals, disturbed and oversubscribed cells,
//! as the Markdown words them; the tables' findings in `tables/findings.rs`.

use super::*;

mod findings;
mod guide;

#[test]
fn parameters_in_one_line() {
    let params = serde_json::json!({
        "tasks": 8, "name": "x", "w": [1, 1, 1, 1, 1], "s": [1, 9, 2, 3, 4], "p": [1, 2]
    });
    // In the order the workload wrote them (its parameter struct's fields).
    assert_eq!(
        describe_params(&params),
        "tasks = 8, name = x, w = 5 × 1, s = 5 values, 1–9, p = [1,2]"
    );
}

#[test]
fn partial_runs_carry_a_warning() {
    let mut results = fixture();
    assert!(!render(&results).contains("**Warning"));
    results.partial = true;
    assert!(render(&results).contains("**Warning: this run was interrupted"));
}

#[test]
fn workload_header_uses_the_workload_description() {
    let mut results = fixture();
    let report = render(&results);
    assert!(report.contains(
        "### cpu\n\nCPU-bound — K equal chunks of a CPU kernel (dependent multiply-adds, \
         no syscalls). Size: 64 chunks, 4.16e8 kernel steps.\n"
    ));
    // The preset is named once, above the tables.
    assert_eq!(report.matches("`quick` preset").count(), 1);
    assert!(guide_of(&report).contains("- Sizes are those of the `quick` preset.\n"));
    results.workloads.clear();
    let report = render(&results);
    assert!(
        report.contains(
            "### cpu\n\nCPU-bound; parameters: unit_steps = 6500000, weights = 64 × 1.\n"
        )
    );
}

#[test]
fn cells_that_do_not_apply_are_grouped_by_reason() {
    let cells = [
        na_cell("seq", 1, "runs 1 job at a time."),
        na_cell("thread-pool", 2, "needs 100 jobs at once; runs 2"),
        na_cell("rayon", 2, "needs 100 jobs at once; runs 2"),
        na_cell("threads-static", 2, "needs 100 jobs at once; runs 2"),
        // The same runner at another thread count with the same reason: once.
        na_cell("rayon", 4, "needs 100 jobs at once; runs 2"),
    ];
    let refs: Vec<&Cell> = cells.iter().collect();
    let groups = not_applicable(&refs);
    let group = |reason: &str, runners: &[&str]| NotApplicableGroup {
        reason: reason.into(),
        runners: runners
            .iter()
            .map(|r| NotApplicableRunner {
                runner: (*r).into(),
                threads: None,
            })
            .collect(),
    };
    assert_eq!(
        groups,
        [
            group("runs 1 job at a time", &["seq"]),
            group(
                "needs 100 jobs at once; runs 2",
                &["thread-pool", "rayon", "threads-static"]
            ),
        ]
    );
    let lines: Vec<String> = groups.iter().map(not_applicable_line).collect();
    assert_eq!(
        lines,
        [
            "- **Not applicable:** seq. Reason: runs 1 job at a time.",
            "- **Not applicable:** thread-pool, rayon and threads-static. Reason: needs 100 jobs \
             at once; runs 2."
        ]
    );
    // A runner with two reasons is named with its thread count in each group;
    // text from the file cannot become markup.
    let cells = [
        na_cell("rayon", 1, "needs 2 <threads>"),
        na_cell("rayon", 2, "needs `more`"),
    ];
    let refs: Vec<&Cell> = cells.iter().collect();
    let groups = not_applicable(&refs);
    let threads: Vec<Option<usize>> = groups.iter().map(|g| g.runners[0].threads).collect();
    assert_eq!(threads, [Some(1), Some(2)]);
    let lines: Vec<String> = groups.iter().map(not_applicable_line).collect();
    assert_eq!(
        lines,
        [
            "- **Not applicable:** rayon (t1). Reason: needs 2 \\<threads>.",
            "- **Not applicable:** rayon (t2). Reason: needs \\`more\\`."
        ]
    );
    // Cells that apply are not listed; with none left out, no line.
    let ok = fixture();
    let refs: Vec<&Cell> = ok.cells.iter().collect();
    assert!(not_applicable(&refs).is_empty());
}

#[test]
fn cells_that_do_not_apply_are_neither_failures_nor_compared() {
    let report = render(&fixture_v2());
    // Not a failure anywhere.
    assert!(!report.contains("failed — seq spawns nothing"));
    assert!(!report.contains("): n/a"));
    // Beside CPU hogs, runners are ranked by latency, not by wall time.
    let inline = verdict_of(&report, "mixed-inline");
    assert!(
        inline.contains("ranked by p99: lowest threads (2 threads)"),
        "{inline}"
    );
    assert!(!inline.contains("speedups"), "{inline}");
    // fork-join: the static split does not apply, so no static-split sentence.
    let fork = verdict_of(&report, "fork-join");
    assert!(!fork.contains("Static split"), "{fork}");
    // The grid leaves out workloads without a speedup.
    let grid = report.lines().find(|l| l.starts_with("| Class ")).unwrap();
    assert!(
        grid.contains("fork-join") && !grid.contains("spawn"),
        "{grid}"
    );
    assert!(report.contains(
        "Not in the grid, having no finished, undisturbed `seq` cell to take speedups \
         from: `spawn`, \
         `channels`, `mixed-inline`, `mixed-yield` and `mixed-offload`."
    ));
    assert!(report.contains(
        "Not in the grid, sending on a fixed schedule that sets the wall time, so a speedup \
         means nothing: `tcp-echo-open`."
    ));
    // The overhead verdicts.
    let spawn = verdict_of(&report, "spawn");
    assert!(spawn.starts_with("- **spawn** (runtime overhead): spawn+await from 151"));
}

#[test]
fn declared_measures_latencies_and_notes_in_the_workload_table() {
    let report = render(&fixture_v2());
    let section = |from: &str, to: &str| -> &str {
        &report[report.find(from).unwrap()..report.find(to).unwrap()]
    };
    let spawn = section("### spawn", "### channels");
    assert!(
        spawn.contains("| Spawn+await [ns/task] | Memory per task |"),
        "{spawn}"
    );
    assert!(
        spawn.contains("|                14,480 |        12.4 KiB |"),
        "{spawn}"
    );
    assert!(spawn.contains("| threads ¹ "), "{spawn}");
    assert!(
        spawn.contains("¹ threads: tasks capped from 100,000 to 10,000: one OS thread per task")
    );
    // No `seq`: no speedup or efficiency columns.
    assert!(!spawn.contains("Speedup"), "{spawn}");
    let echo = section("### tcp-echo\n", "### tcp-echo-1");
    assert!(
        echo.contains("| p50 [µs] | p99 [µs] | p99.9 [µs] | max [µs] | Throughput [req/s] |"),
        "{echo}"
    );
    assert!(echo.contains("¹ thread-pool, rayon and threads-static: connections capped"));
    let inline = section("### mixed-inline", "### mixed-yield");
    assert!(
        inline.contains("| p50 [ms] | p99 [ms] | p99.9 [ms] | max [ms] | Round trip p99 [ms] |"),
        "{inline}"
    );
    assert!(guide_of(&report).contains(
        "*1 ms sleep lateness p99* and *Round trip p99* are the p99s of further latencies"
    ));
    // The timer's own latency is its 100 µs sleeps' lateness; it ranks by its p99.
    let timer = section("### timer", "### tcp-echo\n");
    assert!(
        timer.contains(
            "| p50 [µs] | p99 [µs] | p99.9 [µs] | max [µs] | 1 ms sleep lateness p99 [µs] | \
             Relative [p99] |"
        ),
        "{timer}"
    );
    let channels = section("### channels", "### fork-join");
    assert!(channels.contains("Throughput [ops/s]"), "{channels}");
}

#[test]
fn efficiency_is_shown_for_cpu_bound_work_only() {
    let report = render(&fixture());
    let sleep = table_of(&report, "sleep");
    // Work that waits has speedups but no efficiency column, and says why once,
    // above the tables.
    assert!(
        sleep.contains("| Speedup |") && !sleep.contains("Efficiency"),
        "{sleep}"
    );
    let guide = guide_of(&report);
    for note in [WAITING_NOTE, NO_EFFICIENCY_NOTE, EFFICIENCY_NOTE] {
        assert_eq!(report.matches(note).count(), 1, "{note}");
        assert!(guide.contains(note), "{note}");
    }
    // Without a speedup column anywhere on work that waits, no sentence on it.
    let v2 = render(&fixture_v2());
    let open = table_of(&v2, "tcp-echo-open");
    assert!(!open.contains("Speedup") && !open.contains(WAITING_NOTE));
    assert!(!verdict_of(&report, "sleep").contains("efficiency"));
    let cpu = table_of(&report, "cpu");
    let header = cpu.lines().find(|l| l.starts_with("| Runner")).unwrap();
    let at = header
        .split('|')
        .position(|h| h.trim() == "Efficiency")
        .unwrap();
    let column: Vec<&str> = cpu
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| Runner") && !l.starts_with("| -"))
        .map(|l| l.split('|').nth(at).unwrap().trim())
        .collect();
    assert!(column.contains(&"98%"), "{column:?}");
    assert!(!cpu.contains(WAITING_NOTE));
}

/// The guide above the workload tables.
fn guide_of(report: &str) -> &str {
    let start = report.find("How to read these tables:").expect("a guide");
    let end = start + report[start..].find("\n### ").unwrap();
    &report[start..end]
}

#[test]
fn three_sample_cells_claim_no_95_percent_no_fastest_and_no_tie() {
    let mut results = fixture();
    for cell in &mut results.cells {
        cell.samples.truncate(3);
    }
    let report = render(&results);
    // The guide explains every label once; nothing else uses them.
    let guide = guide_of(&report).to_owned();
    assert!(
        guide.contains("It is the samples' range, below 95% coverage, unless the table says"),
        "{guide}"
    );
    let rest = without_claims(&report).replace(&guide, "");
    for word in ["95%", "tied", "fastest"] {
        assert!(!rest.contains(word), "{word} in:\n{rest}");
    }
    let cpu = table_of(&report, "cpu");
    // Every row has the usual kind: the table says nothing of it.
    assert!(!cpu.contains("Median interval:"), "{cpu}");
    assert!(cpu.contains("1.00 (lowest median)"), "{cpu}");
}

#[test]
fn tight_samples_support_fastest_and_a_95_percent_label() {
    let results = with_samples(fixture(), "cpu", 12);
    let report = render(&results);
    let cpu = table_of(&report, "cpu");
    // The other workloads' 5 samples make a range the usual interval; the cpu
    // table says its own is stronger.
    assert!(
        cpu.contains("Median interval: a 95% CI from order statistics in every row."),
        "{cpu}"
    );
    assert!(cpu.contains(" 204–204 (96.1%) |"), "{cpu}");
    // tokio-mt and rayon share a 204 ms median: tied, on 12 samples each.
    assert!(cpu.contains("1.00 (tied)"), "{cpu}");
    let verdict = verdict_of(&report, "cpu");
    assert!(
        verdict.contains("Statistically tied with it: rayon."),
        "{verdict}"
    );
    // The same run with the fastest runner alone in front is called fastest.
    let mut alone = with_samples(fixture(), "cpu", 12);
    for c in alone.cells.iter_mut().filter(|c| c.workload == "cpu") {
        if c.runner == "tokio-mt" {
            c.samples.iter_mut().for_each(|s| s.wall_s *= 0.9);
        }
    }
    let cpu = table_of(&render(&alone), "cpu").to_owned();
    assert!(cpu.contains("| 1.00 (fastest) |"), "{cpu}");
}

#[test]
fn a_disturbed_cell_is_shown_but_never_the_best() {
    let mut results = with_samples(fixture(), "cpu", 12);
    for c in results.cells.iter_mut().filter(|c| c.workload == "cpu") {
        if c.runner == "tokio-mt" {
            // It would be the fastest by far...
            c.samples.iter_mut().for_each(|s| s.wall_s *= 0.5);
        }
    }
    // ...but other load disturbed it.
    disturb(&mut results, "tokio-mt", "cpu");
    let report = render(&results);
    let verdict = verdict_of(&report, "cpu");
    assert!(!verdict.contains("tokio-mt"), "{verdict}");
    assert!(
        verdict.contains("best multithreaded runner: rayon"),
        "{verdict}"
    );
    assert!(report.contains(
        "1 cell was disturbed by other load on the machine even after re-takes: \
         `tokio-mt/cpu/t2`. It is left out of the verdicts"
    ));
    let cpu = table_of(&report, "cpu");
    let row = cpu.lines().find(|l| l.starts_with("| tokio-mt §")).unwrap();
    assert!(row.ends_with(" disturbed |"), "{row}");
    assert!(
        cpu.contains(
            "§ Disturbed by other load on the machine even after re-takes, so shown but left \
             out of every verdict, ranking and finding: tokio-mt at 2 threads (foreign load \
             up to 0.85 cores; 2 of 12 samples disturbed after 4 re-takes)."
        ),
        "{cpu}"
    );
    // rayon leads the ranking; tokio-mt sits below the judged cells.
    assert!(cpu.contains("1.00 (fastest)") || cpu.contains("1.00 (tied)"));
    let grid = report
        .lines()
        .find(|l| l.starts_with("| concurrent-parallel"))
        .unwrap();
    assert!(!grid.contains("tokio-mt (t2) 3.9"), "{grid}");
}

#[test]
fn oversubscription_is_its_own_fact_not_lost_efficiency() {
    let mut results = fixture();
    for c in results.cells.iter_mut().filter(|c| c.workload == "cpu") {
        if c.runner == "tokio-mt" {
            c.threads = 4;
        }
    }
    let report = render(&results);
    let cpu = table_of(&report, "cpu");
    let row = cpu.lines().find(|l| l.starts_with("| tokio-mt ")).unwrap();
    // 1.97× on 2 cores is 98% of the ideal, whatever the 4 threads.
    assert!(row.contains("|      4↑ |"), "{row}");
    assert!(row.contains("|        98% |"), "{row}");
    assert!(cpu.contains("\n↑ 4 threads on 2 cores.\n"), "{cpu}");
    assert!(guide_of(&report).contains(
        "- **↑**: more threads than the machine's 2 logical cores. Efficiency counts only the \
         cores, so a runner that uses them fully still scores 100%."
    ));
    let verdict = verdict_of(&report, "cpu");
    assert!(
        verdict.contains(
            "reached 1.97× (efficiency 98% of the 2 cores; 4 threads on 2 cores (oversubscribed))"
        ),
        "{verdict}"
    );
}

#[test]
fn the_header_summarises_sampling_and_interference() {
    let mut results = fixture();
    results.config.sampling = Some(sampling_rule());
    results.preflight = Some(crate::model::Preflight {
        load_average: [0.52, 0.4, 0.33],
        foreign_cores: 0.12,
        window_s: 1.0,
        busiest: vec![crate::model::BusyProcess {
            pid: 42,
            name: "cc1".into(),
            cores: 0.9,
        }],
    });
    for (i, c) in results.cells.iter_mut().enumerate() {
        c.sampling = Some(crate::model::Sampling {
            processes: 2,
            stop: if i % 4 == 0 {
                crate::model::StopReason::Budget
            } else {
                crate::model::StopReason::Precision
            },
            target: 0.02,
            half_width: Some(0.01 + 0.001 * i as f64),
            budget_s: Some(20.0),
            spent_s: 10.0,
        });
        c.interference = Some(crate::model::Interference::default());
    }
    disturb(&mut results, "rayon", "cpu");
    let report = render(&results);
    let header = &report[..report.find("## Verdict").unwrap()];
    assert!(
        header.contains(
            "- **Sampling:** 6–40 samples per cell, 3 per process from at least 2 processes. \
             Precision target ±2% of the median for CPU-bound cells, ±5% for the others; \
             time budget 15 min. A sample is disturbed above 0.10 cores of foreign load and \
             re-taken up to 3 times per cell process. Cells stopped on precision"
        ),
        "{header}"
    );
    assert!(header.contains("CPU-bound cells reached ±"), "{header}");
    assert!(
        header.contains(
            "- **Interference:** Before the run, load average 0.52, 0.40, 0.33 and 0.12 \
             cores of foreign load over 1.00 s (busiest: cc1 (0.90 cores)). During the run, 4 \
             samples re-taken in 1 of"
        ),
        "{header}"
    );
    assert!(
        header.contains("1 cell stayed disturbed and is left out of the verdicts: `rayon/cpu/t2`."),
        "{header}"
    );
    // The per-workload table says why each cell stopped.
    assert!(table_of(&report, "cpu").contains(", precision |"));
    // Older files record none of it, and say nothing of it.
    let old = render(&fixture_v2());
    let header = &old[..old.find("## Verdict").unwrap()];
    assert!(!header.contains("Sampling") && !header.contains("Interference"));
}

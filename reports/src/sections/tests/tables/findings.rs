//! The workload tables' findings: row order, the best and what it may be called,
//! disturbed and oversubscribed rows, the columns, descriptions, failures, cells
//! that do not apply, scaling, and the JSON they give `findings.json`.

use super::*;
use crate::cell_ref::CellRef;
use crate::judge::Disturbance;
use crate::sections::Report;
use crate::summary::Summarized;

/// Every workload's table of `results`.
fn tables_of(results: Results) -> Vec<WorkloadTable> {
    let results = Summarized::new(results);
    Report::new(&results, &[]).workloads_finding().tables
}

/// The table of `workload` among `tables`.
fn table<'t>(tables: &'t [WorkloadTable], workload: &str) -> &'t WorkloadTable {
    tables
        .iter()
        .find(|t| t.workload == workload)
        .unwrap_or_else(|| panic!("no table for {workload}"))
}

fn row<'t>(table: &'t WorkloadTable, runner: &str) -> &'t Row {
    table
        .rows
        .iter()
        .find(|r| r.runner == runner)
        .unwrap_or_else(|| panic!("no row for {runner}"))
}

#[test]
fn rows_are_judged_cells_fastest_first_then_the_unfinished() {
    let tables = tables_of(fixture());
    let cpu = table(&tables, "cpu");
    assert_eq!(cpu.kind, rtcompare_api::WorkloadKind::Cpu);
    let medians: Vec<f64> = cpu
        .rows
        .iter()
        .filter_map(|r| Some(r.measured.as_ref()?.median_wall_s))
        .collect();
    assert_eq!(medians.len(), 11);
    assert!(medians.windows(2).all(|w| w[0] <= w[1]), "{medians:?}");
    // The cell that failed comes last, with its status and no numbers.
    let last = cpu.rows.last().unwrap();
    assert_eq!(
        (last.runner.as_str(), last.status),
        ("smol-mt", Status::Failed)
    );
    assert!(last.measured.is_none() && last.error.is_some());
    // The best is the first row; every other is relative to its median.
    let best = cpu.best.as_ref().unwrap();
    assert_eq!((best.runner.as_str(), best.threads), ("tokio-mt", 2));
    let first = cpu.rows[0].measured.as_ref().unwrap();
    assert!(first.best && first.relative == Some(1.0));
    for r in cpu.rows.iter().skip(1) {
        let Some(m) = &r.measured else { continue };
        assert!(!m.best);
        assert_eq!(m.relative, Some(m.median_wall_s / first.median_wall_s));
    }
    // `seq` divides the speedups: its own is 1, efficiency is speedup ÷ cores.
    let seq = row(cpu, BASELINE_RUNNER).measured.as_ref().unwrap();
    assert_eq!((seq.speedup, seq.efficiency), (Some(1.0), Some(1.0)));
    let rayon = row(cpu, "rayon").measured.as_ref().unwrap();
    assert_eq!(rayon.efficiency, Some(rayon.speedup.unwrap() / 2.0));
}

#[test]
fn the_best_is_named_only_as_far_as_the_samples_support() {
    // 3 samples: a range with 75% coverage, so only the lowest median.
    let mut results = fixture();
    for cell in &mut results.cells {
        cell.samples.truncate(3);
    }
    let tables = tables_of(results);
    let cpu = table(&tables, "cpu");
    assert_eq!(
        cpu.best.as_ref().unwrap().standing,
        Standing::LowestMedian { fewest_samples: 3 }
    );
    for m in cpu.rows.iter().filter_map(|r| r.measured.as_ref()) {
        assert_eq!(
            (m.interval.kind, m.interval.samples),
            (IntervalKind::Range, 3)
        );
        assert!(m.interval.coverage < 0.95 && m.interval.lo_s <= m.interval.hi_s);
    }
    // 12 tight samples: a 95% interval; tokio-mt and rayon share a median.
    let tables = tables_of(with_samples(fixture(), "cpu", 12));
    let cpu = table(&tables, "cpu");
    let best = cpu.best.as_ref().unwrap();
    let Standing::Tied { with } = &best.standing else {
        panic!("{best:?}");
    };
    let mut tied: Vec<&str> = with.iter().map(|c| c.runner.as_str()).collect();
    tied.push(&best.runner);
    assert!(
        tied.contains(&"tokio-mt") && tied.contains(&"rayon"),
        "{tied:?}"
    );
    let m = cpu.rows[0].measured.as_ref().unwrap();
    assert_eq!(
        (m.interval.kind, m.interval.samples),
        (IntervalKind::Ci95, 12)
    );
    // Alone in front, it is the fastest.
    let mut alone = with_samples(fixture(), "cpu", 12);
    for c in alone.cells.iter_mut().filter(|c| c.workload == "cpu") {
        if c.runner == "tokio-mt" {
            c.samples.iter_mut().for_each(|s| s.wall_s *= 0.9);
        }
    }
    let tables = tables_of(alone);
    let best = table(&tables, "cpu").best.clone().unwrap();
    assert_eq!(
        (best.runner.as_str(), best.standing),
        ("tokio-mt", Standing::Fastest)
    );
}

#[test]
fn a_disturbed_row_follows_the_judged_ones_and_is_never_ranked() {
    let mut results = with_samples(fixture(), "cpu", 12);
    for c in results.cells.iter_mut().filter(|c| c.workload == "cpu") {
        if c.runner == "tokio-mt" {
            c.samples.iter_mut().for_each(|s| s.wall_s *= 0.5);
        }
    }
    disturb(&mut results, "tokio-mt", "cpu");
    let tables = tables_of(results);
    let cpu = table(&tables, "cpu");
    let at = cpu
        .rows
        .iter()
        .position(|r| r.runner == "tokio-mt")
        .unwrap();
    // After every judged finished row, before the failed one.
    assert_eq!(at, cpu.rows.len() - 2);
    let disturbed = &cpu.rows[at];
    assert_eq!(
        disturbed.disturbed,
        Some(Disturbance {
            cell: CellRef {
                runner: "tokio-mt".into(),
                workload: "cpu".into(),
                threads: disturbed.threads,
            },
            foreign_cores_max: 0.85,
            disturbed_samples: 2,
            samples: 12,
            retaken: 4,
        })
    );
    let m = disturbed.measured.as_ref().unwrap();
    assert!(!m.best && m.relative.is_none());
    assert_eq!(cpu.best.as_ref().unwrap().runner, "rayon");
    assert!(
        cpu.rows
            .iter()
            .filter(|r| r.runner != "tokio-mt")
            .all(|r| r.disturbed.is_none())
    );
}

#[test]
fn oversubscribed_rows_keep_their_efficiency() {
    let mut results = fixture();
    for c in results.cells.iter_mut().filter(|c| c.workload == "cpu") {
        if c.runner == "tokio-mt" {
            c.threads = 4;
        }
    }
    let tables = tables_of(results);
    let cpu = table(&tables, "cpu");
    let over = row(cpu, "tokio-mt");
    assert!(over.oversubscribed && over.threads == 4);
    let efficiency = over.measured.as_ref().unwrap().efficiency.unwrap();
    assert!((efficiency - 0.98).abs() < 0.01, "{efficiency}");
    assert_eq!(
        (cpu.oversubscribed_threads.as_slice(), cpu.logical_cores),
        (&[4][..], 2)
    );
    assert!(
        cpu.rows
            .iter()
            .filter(|r| r.runner != "tokio-mt")
            .all(|r| !r.oversubscribed)
    );
}

#[test]
fn columns_are_there_only_for_what_the_cells_measured() {
    let tables = tables_of(fixture_v2());
    // Runtime overhead: no `seq`, the declared measures by key, context switches.
    let spawn = table(&tables, "spawn");
    assert!(!spawn.columns.speedup && spawn.columns.context_switches);
    let keys: Vec<&str> = spawn
        .columns
        .metrics
        .iter()
        .map(|m| m.key.as_str())
        .collect();
    assert_eq!(keys, ["ns-per-task", "rss-per-task-bytes"]);
    let threads = row(spawn, "threads");
    let m = threads.measured.as_ref().unwrap();
    assert_eq!(m.metrics.get("ns-per-task"), Some(&14_480.0));
    assert!(m.context_switches.is_some() && m.speedup.is_none());
    // Its note, numbered from 1, names the runners it applies to.
    assert_eq!(threads.notes, [1]);
    assert_eq!(spawn.notes[0].runners, ["threads"]);
    assert!(
        spawn.notes[0]
            .note
            .starts_with("tasks capped from 100,000 to 10,000")
    );
    // Requests, timed in µs.
    let echo = table(&tables, "tcp-echo");
    assert_eq!(
        (echo.columns.latency, echo.columns.throughput),
        (Some(LatencyUnit::Micros), Some(ThroughputUnit::Requests))
    );
    assert_eq!(
        echo.notes[0].runners,
        ["thread-pool", "rayon", "threads-static"]
    );
    let p = row(echo, "tokio-mt")
        .measured
        .as_ref()
        .unwrap()
        .latency_us
        .clone()
        .unwrap();
    assert!(p.p50 <= p.p99 && p.p99 <= p.p999 && p.p999 <= p.max);
    // Latencies of a millisecond and more, with a further one by name.
    let inline = table(&tables, "mixed-inline");
    assert_eq!(inline.columns.latency, Some(LatencyUnit::Millis));
    let further: Vec<(&str, &str)> = inline
        .columns
        .more_latencies
        .iter()
        .map(|l| (l.name.as_str(), l.label.as_str()))
        .collect();
    assert_eq!(further, [("round-trip", "Round trip")]);
    assert!(inline.rows.iter().all(|r| {
        r.measured
            .as_ref()
            .is_none_or(|m| m.more_p99_us.contains_key("round-trip"))
    }));
    // Operations where nothing is timed per request.
    let channels = table(&tables, "channels");
    assert_eq!(
        channels.columns.throughput,
        Some(ThroughputUnit::Operations)
    );
}

#[test]
fn efficiency_is_a_number_for_cpu_bound_work_only() {
    let tables = tables_of(fixture());
    let sleep = table(&tables, "sleep");
    assert!(sleep.columns.speedup && sleep.columns.times_ideal);
    let measured: Vec<&Measured> = sleep
        .rows
        .iter()
        .filter_map(|r| r.measured.as_ref())
        .collect();
    assert_eq!(measured.len(), 11);
    assert!(
        measured
            .iter()
            .all(|m| m.efficiency.is_none() && m.times_ideal.is_some())
    );
    // Cells that ran part of the work and were scaled: one footnote each kind.
    let scaled: Vec<&str> = sleep
        .rows
        .iter()
        .filter(|r| r.extrapolated)
        .map(|r| r.runner.as_str())
        .collect();
    let noted: Vec<&str> = sleep
        .extrapolations
        .iter()
        .flat_map(|e| e.runners.iter().map(String::as_str))
        .collect();
    assert_eq!(scaled.len(), noted.len());
    assert!(
        scaled.iter().all(|r| noted.contains(r)),
        "{scaled:?} {noted:?}"
    );
    let cpu = table(&tables, "cpu");
    assert!(
        cpu.rows
            .iter()
            .filter_map(|r| r.measured.as_ref())
            .all(|m| m.efficiency.is_some())
    );
}

#[test]
fn descriptions_come_from_the_results_file() {
    let mut results = fixture();
    let tables = tables_of(results.clone());
    let Description::Declared { ideal_wall_s, .. } = &table(&tables, "cpu").description else {
        panic!("cpu is described");
    };
    assert_eq!(*ideal_wall_s, None);
    let Description::Declared { ideal_wall_s, .. } = &table(&tables, "sleep").description else {
        panic!("sleep is described");
    };
    assert!(ideal_wall_s.is_some());
    results.workloads.clear();
    let tables = tables_of(results);
    let Description::Params { params } = &table(&tables, "cpu").description else {
        panic!("without descriptions, the parameters");
    };
    assert_eq!(params["unit_steps"], 6_500_000);
}

#[test]
fn failures_and_cells_that_do_not_apply_are_kept_apart() {
    let tables = tables_of(fixture_v2());
    for t in &tables {
        assert!(
            t.rows.iter().all(|r| r.status != Status::NotApplicable),
            "{}",
            t.workload
        );
    }
    let open = table(&tables, "tcp-echo-open");
    assert!(!open.not_applicable.is_empty());
    let offload = table(&tables, "mixed-offload");
    let failed = row(offload, "async-std");
    assert_eq!(failed.status, Status::Failed);
    assert!(failed.measured.is_none() && failed.error.is_some());
    let named: Vec<&str> = offload
        .not_applicable
        .iter()
        .flat_map(|g| g.runners.iter().map(|r| r.runner.as_str()))
        .collect();
    assert!(!named.contains(&"async-std"), "{named:?}");
}

#[test]
fn cpu_bound_thread_sweeps_get_a_scaling_fit() {
    let sweep: Results =
        serde_json::from_str(include_str!("../../../../tests/fixtures/sweep.json"))
            .expect("sweep fixture parses");
    let tables = tables_of(sweep);
    let cpu = table(&tables, "cpu");
    let scaling = cpu
        .scaling
        .as_ref()
        .expect("a sweep of CPU-bound work scales");
    assert_eq!(scaling.cores, 2);
    for r in &scaling.rows {
        assert!(r.points.len() >= 2, "{r:?}");
        assert!(r.points.windows(2).all(|w| w[0].threads < w[1].threads));
        assert!((0.0..=1.0).contains(&r.serial_fraction) && r.rms_residual >= 0.0);
    }
    // Single-threaded runners are measured at one count: no fit.
    assert!(!scaling.rows.iter().any(|r| r.runner == BASELINE_RUNNER));
    assert!(table(&tables, "sleep").scaling.is_none());
    // Without a sweep, nothing to fit.
    assert!(tables_of(fixture()).iter().all(|t| t.scaling.is_none()));
}

#[test]
fn the_notes_use_the_judges_words() {
    // The table labels intervals and disturbed cells as the verdicts do; the
    // other workloads' 5 samples make a range the usual kind, which only the
    // guide names.
    for (n, kind, note) in [
        (
            1,
            IntervalKind::Single,
            Some("one sample, so no interval in every row"),
        ),
        (3, IntervalKind::Range, None),
        (
            12,
            IntervalKind::Ci95,
            Some("a 95% CI from order statistics in every row"),
        ),
    ] {
        let results = with_samples(fixture(), "cpu", n);
        let text = render(&results);
        let cpu = table_of(&text, "cpu");
        let summarized = Summarized::new(results.clone());
        let summary = summarized
            .cells
            .iter()
            .filter(|c| c.workload == "cpu")
            .find_map(|c| c.summary.as_ref())
            .unwrap();
        let label = crate::judge::interval_kind(summary);
        let word = match kind {
            IntervalKind::Ci95 => "95% CI",
            IntervalKind::Range => "range of",
            IntervalKind::Single => "no interval",
        };
        assert!(label.contains(word), "{label}");
        let tables = tables_of(results);
        let rows = &table(&tables, "cpu").rows;
        assert!(
            rows.iter()
                .filter_map(|r| r.measured.as_ref())
                .all(|m| m.interval.kind == kind)
        );
        let coverage = crate::judge::coverage(summary.interval_coverage);
        assert!(
            cpu.contains(&format!("({coverage}) |")),
            "{coverage}\n{cpu}"
        );
        match note {
            Some(note) => assert!(cpu.contains(&format!("Median interval: {note}.")), "{cpu}"),
            None => assert!(!cpu.contains("Median interval:"), "{cpu}"),
        }
    }
    let mut results = with_samples(fixture(), "cpu", 12);
    disturb(&mut results, "rayon", "cpu");
    let text = render(&results);
    let rayon = results
        .cells
        .iter()
        .find(|c| c.runner == "rayon" && c.workload == "cpu")
        .unwrap();
    let rayon = Disturbance::of(rayon).expect("disturbed");
    let note = crate::judge::disturbed_note(&[rayon]).unwrap();
    assert!(table_of(&text, "cpu").contains(&note), "{note}");
}

#[test]
fn findings_list_every_workload_in_report_order() {
    let results = Summarized::new(fixture_v2());
    let report = Report::new(&results, &[]);
    let findings = crate::sections::findings(&report);
    let tables = findings["workloads"]["tables"].as_array().unwrap();
    let ids: Vec<&str> = tables
        .iter()
        .map(|t| t["workload"].as_str().unwrap())
        .collect();
    let text = render(&fixture_v2());
    let mut at = 0;
    for id in &ids {
        let here = text[at..]
            .find(&format!("### {id}\n"))
            .unwrap_or_else(|| panic!("{id}"));
        at += here;
    }
    assert_eq!(ids.len(), results.config.workloads.len());
    let spawn = &tables[ids.iter().position(|id| *id == "spawn").unwrap()];
    assert_eq!(spawn["kind"], "overhead");
    assert_eq!(spawn["rows"][0]["measured"]["interval"]["kind"], "Range");
    // Spawn's runners do different amounts of work: ranked by the cost per
    // task, whose lowest is the cheapest spawn, with no order claimed beyond it.
    assert_eq!(spawn["columns"]["ranked_by"]["Cost"]["key"], "ns-per-task");
    assert_eq!(spawn["best"]["standing"], "Lowest");
    assert_eq!(spawn["best"]["runner"], "smol-local");
    assert_eq!(spawn["rows"][0]["runner"], "smol-local");
    assert!(spawn["columns"]["latency"].is_null());
}

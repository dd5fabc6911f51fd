//! The header's finding: the run's fingerprint, its sampling and what other load
//! did to it, as the header prints them.

use super::*;
use crate::model::{BusyProcess, Interference, Preflight, SamplingConfig, StopReason};
use crate::sections::header::*;
use crate::sections::{Report, Section};
use rtcompare_api::WorkloadKind;

fn header_of(results: &Results) -> HeaderFinding {
    Report::new(results, &[]).derive_header()
}

fn cell_id(runner: &str, workload: &str, threads: usize) -> crate::claims::CellRef {
    crate::claims::CellRef {
        runner: runner.into(),
        workload: workload.into(),
        threads,
    }
}

#[test]
fn the_fingerprint_is_the_files_own() {
    let mut results = fixture();
    let header = header_of(&results);
    assert!(!header.partial);
    assert_eq!(header.machine.logical_cores, 2);
    assert_eq!(header.machine.profile, "release");
    assert_eq!(header.source.git_commit.as_deref(), Some("3f2c9a1e7b04"));
    assert_eq!(header.run.samples, SamplePlan::Count { samples: 5 });
    assert!(!header.run.warmup_per_process);
    assert_eq!(
        (
            header.run.seed,
            header.run.threads.as_slice(),
            header.run.timeout_s
        ),
        (42, &[2][..], 60.0)
    );
    assert_eq!(header.run.rate, None);
    assert_eq!(
        header.runtimes.get("tokio").map(String::as_str),
        Some("1.54.1")
    );
    assert_eq!(header.command, results.config.command);
    // Schema-1 files record neither sampling nor interference.
    assert_eq!((header.sampling, header.interference), (None, None));

    results.partial = true;
    results.config.rate = Some(50_000.0);
    results.machine.git_commit = None;
    results.config.sampling = Some(SamplingConfig {
        min_samples: 5,
        max_samples: 5,
        ..sampling_rule()
    });
    let header = header_of(&results);
    assert!(header.partial);
    assert_eq!(header.run.rate, Some(50_000.0));
    assert_eq!(header.source.git_commit, None);
    // A rule that fixes the count states the configured count, warm-up per process.
    assert_eq!(header.run.samples, SamplePlan::Count { samples: 5 });
    assert!(header.run.warmup_per_process);
    let text = render(&results);
    assert!(text.contains("commit unknown"), "{text}");
    assert!(text.contains("open-loop rate 50,000 req/s"), "{text}");
}

#[test]
fn sampling_and_interference_are_counted_by_cell() {
    let mut results = fixture();
    results.config.sampling = Some(sampling_rule());
    results.preflight = Some(Preflight {
        load_average: [0.52, 0.4, 0.33],
        foreign_cores: 0.12,
        window_s: 1.0,
        busiest: ["cc1", "ld", "rustc", "make"]
            .iter()
            .enumerate()
            .map(|(pid, name)| BusyProcess {
                pid: pid as u32,
                name: (*name).into(),
                cores: 0.9 - 0.1 * pid as f64,
            })
            .collect(),
    });
    for (i, c) in results.cells.iter_mut().enumerate() {
        c.sampling = Some(crate::model::Sampling {
            processes: 2,
            stop: if i % 4 == 0 {
                StopReason::Budget
            } else {
                StopReason::Precision
            },
            target: 0.02,
            half_width: Some(0.01 + 0.001 * i as f64),
            budget_s: Some(20.0),
            spent_s: 10.0,
        });
        c.interference = Some(Interference::default());
    }
    disturb(&mut results, "rayon", "cpu");
    results.cells[1]
        .interference
        .as_mut()
        .unwrap()
        .steal_cores_max = 0.3;
    let n = results.cells.len();
    let header = header_of(&results);

    assert_eq!(header.run.samples, SamplePlan::Range { min: 6, max: 40 });
    assert!(header.run.warmup_per_process);
    let sampling = header.sampling.expect("the file records sampling");
    assert_eq!(sampling.rule, Some(sampling_rule()));
    let cells = sampling.cells.expect("the cells record how they stopped");
    assert_eq!(cells.cells, n);
    let budget = n.div_ceil(4);
    let stops: Vec<(StopReason, usize)> = cells.stops.iter().map(|s| (s.reason, s.cells)).collect();
    assert_eq!(
        stops,
        [
            (StopReason::Precision, n - budget),
            (StopReason::Budget, budget)
        ]
    );
    // The worst CPU-bound precision is the last finished `cpu` cell's (widths grow
    // with the cell's index).
    let (last, worst) = results
        .cells
        .iter()
        .enumerate()
        .rfind(|(_, c)| c.workload_kind == WorkloadKind::Cpu && c.status == Status::Ok)
        .unwrap();
    let cpu = cells.cpu_precision.expect("finished CPU-bound cells");
    assert_eq!(cpu.worst, 0.01 + 0.001 * last as f64);
    assert_eq!(cpu.worst_cell, crate::claims::CellRef::of(worst));
    assert!(cpu.median < cpu.worst);

    let interference = header.interference.expect("the file records interference");
    let preflight = interference.preflight.expect("a pre-flight check");
    let busiest: Vec<&str> = preflight.busiest.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(busiest, ["cc1", "ld", "rustc"]);
    let during = interference.during.expect("measured in the cells");
    assert_eq!(
        (during.cells, during.retaken_samples, during.cells_retaken),
        (n, 4, 1)
    );
    assert_eq!(
        (during.foreign_cores_max, during.steal_cores_max),
        (0.85, 0.3)
    );
    assert_eq!(
        during.disturbed,
        [DisturbedCell {
            cell: cell_id("rayon", "cpu", 2),
            disturbed_samples: 2,
            retaken: 4,
        }]
    );
    let text = render(&results);
    assert!(text.contains(", the most steal 0.30 cores."), "{text}");
}

#[test]
fn the_header_and_disclosures_are_in_the_findings() {
    let results = fixture();
    let report = Report::new(&results, &[]);
    let findings = crate::sections::findings(&report);
    let header = &findings["header"];
    assert_eq!(
        header["run"]["samples"],
        serde_json::json!({ "count": { "samples": 5 } })
    );
    assert_eq!(header["sampling"], serde_json::Value::Null);
    let disclosures = &findings["disclosures"];
    assert_eq!(disclosures["facts"][0], "isolation");
    assert_eq!(disclosures["runners"][0]["runner"], BASELINE_RUNNER);
    assert_eq!(
        disclosures["runners"][0]["threads"]["one"]["seen"]["transient"],
        0
    );

    // Without cells the disclosures have nothing to show; the header still has
    // the run's fingerprint.
    let mut empty = fixture();
    empty.cells.clear();
    let report = Report::new(&empty, &[]);
    assert!(crate::sections::header::Header.findings(&report).is_some());
    assert_eq!(
        crate::sections::disclosures::Disclosures.findings(&report),
        None
    );
}

//! *CPython beside the emulation*: derived from the CPython fixture, absent
//! without CPython runners, and what it says when they did not run.

use super::super::Report;
use super::super::Section;
use super::super::cpython::{CpythonFinding, CpythonSection};
use super::*;
use crate::summary::Summarized;

fn finding(results: &Results) -> Option<CpythonFinding> {
    let summarized = Summarized::new(results.clone());
    Report::new(&summarized, &[]).derive_cpython()
}

/// The section of `report`, up to the next.
fn section(report: &str) -> &str {
    let start = report
        .find("## CPython beside the emulation")
        .expect("has the section");
    let end = report[start + 3..]
        .find("\n## ")
        .map_or(report.len(), |i| start + 3 + i);
    &report[start..end]
}

#[test]
fn absent_without_runners_of_another_group() {
    for results in [fixture(), fixture_claims(), fixture_v2()] {
        assert_eq!(finding(&results), None);
        let summarized = Summarized::new(results.clone());
        let report = Report::new(&summarized, &[]);
        assert_eq!(CpythonSection.findings(&report), None);
        let mut out = String::new();
        CpythonSection.render(&report, &mut out);
        assert!(out.is_empty());
        assert!(!crate::markdown::render(&results).contains("CPython beside"));
    }
}

#[test]
fn the_cpython_runners_beside_the_emulated_ones() {
    let f = finding(&crate::fixtures::cpython()).expect("CPython ran");
    assert_eq!(
        f.runners,
        [
            "cpython-seq",
            "cpython-threads",
            "cpython-processes",
            "cpython-nogil-threads"
        ]
    );
    assert_eq!(f.baselines, ["cpython-seq"]);
    assert_eq!(
        f.machine_interpreters.get("python3").map(String::as_str),
        Some("CPython 3.11.7, GIL enabled")
    );
    assert_eq!(f.ran_in.len(), 1);
    assert_eq!(
        f.ran_in[0].runners,
        ["cpython-seq", "cpython-threads", "cpython-processes"]
    );
    let workloads: Vec<&str> = f.workloads.iter().map(|w| w.workload.as_str()).collect();
    assert_eq!(workloads, ["cpu", "sleep"]);
    let cpu = &f.workloads[0];
    assert_eq!(cpu.emulated, ["gil", "processes", "thread-pool"]);
    // By thread count, then runner: the rows at one count side by side.
    let rows: Vec<(&str, usize)> = cpu
        .rows
        .iter()
        .map(|r| (r.cell.runner.as_str(), r.cell.threads))
        .collect();
    assert_eq!(
        rows,
        [
            ("cpython-seq", 1),
            ("cpython-threads", 1),
            ("cpython-processes", 1),
            ("cpython-threads", 2),
            ("cpython-processes", 2),
            ("cpython-threads", 4),
            ("cpython-processes", 4),
        ]
    );
    let threads_2 = &cpu.rows[3];
    assert_eq!(threads_2.baseline, "cpython-seq");
    let m = threads_2.measured.as_ref().unwrap();
    assert!((m.speedup.unwrap() - 0.96).abs() < 0.005);
    assert!((m.cpu_cores - 1.01).abs() < 0.005);
    // gil, processes and thread-pool over seq at 2 threads.
    let beside: Vec<f64> = threads_2
        .emulated
        .iter()
        .map(|e| e.as_ref().unwrap().speedup)
        .collect();
    assert!((beside[0] - 0.98).abs() < 0.005, "{beside:?}");
    assert!((beside[1] - 1.96).abs() < 0.005, "{beside:?}");
    assert!((beside[2] - 1.98).abs() < 0.005, "{beside:?}");
    let steps = cpu.steps.as_ref().expect("cpu records its steps");
    assert_eq!(
        (steps.unit_steps, steps.seq_unit_steps, steps.chunks),
        (40_625.0, 5_200_000.0, Some(64))
    );
    assert_eq!(steps.runner, "cpython-seq");
    // The free-threaded runner: n/a, with its reason.
    assert_eq!(cpu.not_applicable.len(), 1);
    assert!(cpu.not_applicable[0].reason.contains("python3.13t"));
    // sleep: extrapolated on both sides, and no kernel steps.
    let sleep = &f.workloads[1];
    assert!(sleep.steps.is_none());
    assert!(sleep.rows.iter().all(|r| r.extrapolated));
    assert!(
        sleep.rows[3].emulated[0]
            .as_ref()
            .is_some_and(|e| e.extrapolated)
    );
    // Every other workload: n/a on all four, said once.
    assert_eq!(f.elsewhere.len(), 1);
    assert_eq!(f.elsewhere[0].workloads.len(), 8);

    let report = crate::markdown::render(&crate::fixtures::cpython());
    let text = section(&report);
    for expected in [
        "Their speedups are against `cpython-seq`, never against `seq`",
        "Their cells ran in CPython 3.11.7, GIL enabled (cpython-seq, cpython-threads and \
         cpython-processes).",
        "| gil [× seq] | processes [× seq] | thread-pool [× seq] |",
        "Kernel steps per unit of work: 40,625 on cpython-seq, 5,200,000 on `seq` (1/128); the \
         64 chunks and their weights are the same.",
        "- **Not applicable:** cpython-nogil-threads. Reason: no free-threaded CPython found",
        "On `spawn`, `channels`,",
    ] {
        assert!(text.contains(expected), "{expected}\n{text}");
    }
    let row = text
        .lines()
        .find(|l| l.starts_with("| cpython-threads ¹ ") && l.contains(" 326 "))
        .expect("cpython-threads at 2 threads");
    let fields: Vec<&str> = row.split('|').map(str::trim).collect();
    assert_eq!(
        fields[1..fields.len() - 1],
        [
            "cpython-threads ¹",
            "2",
            "326",
            "326–327 (75%)",
            "0.96×",
            "1.01",
            "0.98×",
            "1.96×",
            "1.98×"
        ]
    );
}

#[test]
fn without_python_every_cell_is_listed_with_its_reason() {
    let mut results = crate::fixtures::cpython();
    for cell in results
        .cells
        .iter_mut()
        .filter(|c| c.runner.starts_with("cpython-") && c.applies())
    {
        cell.status = Status::NotApplicable;
        cell.error = Some("no python3 on PATH".into());
        cell.samples.clear();
        cell.interpreter = None;
    }
    results.machine.interpreters.clear();
    let f = finding(&results).expect("the runners were selected");
    assert!(f.workloads.is_empty() && f.ran_in.is_empty());
    // cpu and sleep for one set of reasons, the others for theirs.
    let on: Vec<Vec<String>> = f.elsewhere.iter().map(|e| e.workloads.clone()).collect();
    assert_eq!(on[0], ["cpu", "sleep"]);
    assert_eq!(on[1].len(), 8);
    let report = crate::markdown::render(&results);
    let text = section(&report);
    assert!(text.contains("None of their cells ran. Interpreters the run found: none."));
    assert!(text.contains("On `cpu` and `sleep`:"));
    assert!(
        text.contains(
            "On `cpu` and `sleep`:\n\n- **Not applicable:** cpython-seq, cpython-threads and \
             cpython-processes. Reason: no python3 on PATH.\n"
        ),
        "{text}"
    );
}

//! One bad cell fails alone: a panic, a hang, a wrong answer and an abort, injected
//! through the test-only fault switch read in the child, are each recorded with their
//! reason, and with how its process ended, while every other cell completes and the
//! run exits 0.

mod common;

use rtcompare_reports::Status;

fn run_with_fault(fault: &str, cell: &str, extra: &[&str]) -> rtcompare_reports::Results {
    let dir = tempfile::tempdir().unwrap();
    common::tiny_compare(
        dir.path(),
        &[
            &[
                "--runners",
                "seq,tokio-ct,tokio-mt,thread-pool",
                "--workloads",
                "cpu,sleep",
                "--threads",
                "2",
            ],
            extra,
        ]
        .concat(),
    )
    .env("RTCOMPARE_FAULT", fault)
    .env("RTCOMPARE_FAULT_CELL", cell)
    .assert()
    .success();
    let results = common::results(dir.path());
    assert_eq!(results.cells.len(), 8);
    assert!(!results.partial);
    let report = common::report_text(dir.path());
    let (runner, workload) = cell.split_once('/').unwrap();
    for c in &results.cells {
        if c.runner == runner && c.workload == workload {
            assert!(
                report.contains(c.error.as_deref().unwrap()),
                "report lacks the reason"
            );
        } else {
            assert_eq!(c.status, Status::Ok, "{}: {:?}", c.key(), c.error);
            let exit = c.exit.as_ref().expect("every process's end is recorded");
            assert!(exit.reported && exit.code == Some(0), "{exit:?}");
        }
    }
    results
}

fn faulty<'a>(results: &'a rtcompare_reports::Results, cell: &str) -> &'a rtcompare_reports::Cell {
    let (runner, workload) = cell.split_once('/').unwrap();
    results
        .cells
        .iter()
        .find(|c| c.runner == runner && c.workload == workload)
        .unwrap()
}

#[test]
fn a_panicking_cell_is_failed_with_its_message() {
    let results = run_with_fault("panic", "tokio-mt/cpu", &[]);
    let cell = faulty(&results, "tokio-mt/cpu");
    assert_eq!(cell.status, Status::Failed);
    let error = cell.error.as_deref().unwrap();
    assert!(
        error.contains("injected fault") && error.contains("panicked at"),
        "{error}"
    );
    assert!(cell.summary.is_none());
}

#[test]
fn a_hanging_cell_times_out() {
    let results = run_with_fault("hang", "thread-pool/sleep", &["--timeout", "3"]);
    let cell = faulty(&results, "thread-pool/sleep");
    assert_eq!(cell.status, Status::Timeout);
    assert!(
        cell.error.as_deref().unwrap().contains("3 s"),
        "{:?}",
        cell.error
    );
    let exit = cell.exit.as_ref().unwrap();
    assert!(exit.timed_out && !exit.reported && !exit.died(), "{exit:?}");
}

#[test]
fn a_wrong_answer_fails_loudly() {
    let results = run_with_fault("wrong-checksum", "seq/cpu", &[]);
    let cell = faulty(&results, "seq/cpu");
    assert_eq!(cell.status, Status::Failed);
    assert!(!cell.verified);
    assert!(
        cell.error.as_deref().unwrap().contains("wrong answer"),
        "{:?}",
        cell.error
    );
    assert_ne!(cell.checksum, cell.expected_checksum);
    // The cell reported its own failure: its process did not die.
    let exit = cell.exit.as_ref().unwrap();
    assert!(exit.reported && !exit.died(), "{exit:?}");
}

#[test]
fn a_crashing_cell_is_failed_with_its_signal() {
    let results = run_with_fault("abort", "tokio-ct/sleep", &[]);
    let cell = faulty(&results, "tokio-ct/sleep");
    assert_eq!(cell.status, Status::Failed);
    assert!(
        cell.error.as_deref().unwrap().contains("SIGABRT"),
        "{:?}",
        cell.error
    );
    let exit = cell.exit.as_ref().unwrap();
    assert_eq!(exit.signal, Some(libc::SIGABRT));
    assert_eq!(exit.signal_name.as_deref(), Some("SIGABRT"));
    assert!(exit.died() && exit.code.is_none(), "{exit:?}");
}

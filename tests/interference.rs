//! Interference detection against a real competing process, and the sampling rule
//! through the real binary: a spinning child beside a CPU cell makes its samples
//! re-taken or disturbed, the same cell on a quiet machine has none; `--require-quiet`
//! refuses to start beside the spinner; adaptive sampling stops on precision for a
//! steady cell and on its budget for one too noisy to reach the target.
//!
//! The tests in this file run one after another (they hold `SERIAL`): a cell run by
//! one of them would be foreign load to another.

mod common;

use predicates::str::contains;
use rtcompare_reports::{Cell, StopReason};
use std::path::Path;
use std::process::{Child, Command};
use std::sync::Mutex;

static SERIAL: Mutex<()> = Mutex::new(());

/// A shell loop that keeps one core busy until killed.
struct Spinner(Child);

impl Spinner {
    fn start() -> Spinner {
        let child = Command::new("sh")
            .args(["-c", "while :; do :; done"])
            .spawn()
            .expect("sh runs");
        // Let it get going before the cell's first sample.
        std::thread::sleep(std::time::Duration::from_millis(200));
        Spinner(child)
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One `seq/cpu` cell at the quick size (about 0.3 s a sample: well above the
/// counters' 10 ms resolution), 3 samples.
fn cpu_cell(out: &Path, extra: &[&str]) -> Cell {
    common::rtcompare()
        .args(["compare", "--preset", "quick", "--workloads", "cpu"])
        .args(["--runners", "seq", "--samples", "3", "--seed", "3"])
        .arg("--out")
        .arg(out)
        .args(extra)
        .assert()
        .success();
    let results = common::results(out);
    assert_eq!(results.cells.len(), 1);
    results.cells.into_iter().next().unwrap()
}

fn interference(cell: &Cell) -> (usize, usize) {
    let i = cell.interference.as_ref().expect("interference recorded");
    (i.retaken, i.disturbed_samples)
}

#[test]
fn a_spinning_process_disturbs_samples_and_a_quiet_machine_does_not() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();

    let busy = {
        let _spinner = Spinner::start();
        cpu_cell(&dir.path().join("busy"), &[])
    };
    let (retaken, disturbed) = interference(&busy);
    assert!(
        retaken + disturbed > 0,
        "a spinning process beside the cell went unnoticed: {:?}",
        busy.interference
    );
    let seen = busy.interference.as_ref().unwrap().foreign_cores_max;
    assert!(seen > 0.5, "the spinner keeps a core busy, seen {seen}");
    // With no re-takes allowed, the spinner's samples are kept, marked, and the
    // cell is disturbed.
    let kept = {
        let _spinner = Spinner::start();
        cpu_cell(&dir.path().join("kept"), &["--max-retakes", "0"])
    };
    assert!(kept.disturbed(), "{:?}", kept.interference);
    assert!(kept.samples.iter().any(|s| s.disturbed));

    // The same cell with the spinner gone. A shared machine may have a moment of
    // other load, so a quiet cell gets a second chance before the test calls it.
    let quiet = || cpu_cell(&dir.path().join("quiet"), &[]);
    let mut cell = quiet();
    if interference(&cell) != (0, 0) {
        cell = quiet();
    }
    assert_eq!(
        interference(&cell),
        (0, 0),
        "a quiet machine had disturbed samples: {:?}",
        cell.interference
    );
    assert!(!cell.disturbed());
    assert!(
        cell.samples
            .iter()
            .all(|s| s.foreign_cpu_s.is_some() && !s.disturbed)
    );
}

#[test]
fn require_quiet_refuses_to_start_beside_a_spinning_process() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let _spinner = Spinner::start();
    let out = dir.path().join("out");
    common::rtcompare()
        .args(["compare", "--preset", "tiny", "--workloads", "cpu"])
        .args(["--runners", "seq", "--require-quiet"])
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(contains("the machine is not quiet"))
        .stderr(contains("sh (pid"));
    assert!(!out.join("results.json").exists());
}

fn adaptive_cell(out: &Path, env: Option<(&str, &str)>, extra: &[&str]) -> Cell {
    let mut cmd = common::rtcompare();
    if let Some((key, value)) = env {
        cmd.env(key, value);
    }
    cmd.args(["compare", "--preset", "tiny", "--seed", "5"])
        .arg("--out")
        .arg(out)
        .args(extra)
        .assert()
        .success();
    let results = common::results(out);
    assert!(results.config.sampling.is_some());
    results.cells.into_iter().next().unwrap()
}

#[test]
fn adaptive_sampling_stops_on_precision_when_steady_and_on_budget_when_noisy() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    // Timer-bound: every sample is one 2 ms sleep after another, steady to a few
    // percent; a 50% target is met as soon as a 95% interval exists.
    let steady = adaptive_cell(
        &dir.path().join("steady"),
        None,
        &[
            "--workloads",
            "sleep",
            "--runners",
            "tokio-ct",
            "--min-samples",
            "6",
            "--samples-per-process",
            "3",
            "--processes",
            "2",
            "--precision",
            "50",
        ],
    );
    let sampling = steady.sampling.as_ref().expect("sampling recorded");
    assert_eq!(sampling.stop, StopReason::Precision, "{sampling:?}");
    assert!(steady.samples.len() >= 6);
    assert!(sampling.processes >= 2, "{sampling:?}");
    assert!(steady.samples.iter().any(|s| s.process == 1));
    assert!(sampling.half_width.unwrap() <= 0.5);

    // Each sample lengthened by up to 100% at random: a 0.1% target is out of
    // reach, so the cell samples until its 2 s budget is spent.
    let noisy = adaptive_cell(
        &dir.path().join("noisy"),
        Some(("RTCOMPARE_JITTER", "1.0")),
        &[
            "--workloads",
            "cpu",
            "--runners",
            "seq",
            "--min-samples",
            "6",
            "--max-samples",
            "100000",
            "--precision",
            "0.1",
            "--budget",
            "2s",
        ],
    );
    let sampling = noisy.sampling.as_ref().expect("sampling recorded");
    assert_eq!(sampling.stop, StopReason::Budget, "{sampling:?}");
    assert!(sampling.half_width.is_none_or(|h| h > 0.001));
    assert!(sampling.spent_s < 4.0, "{sampling:?}");
    assert!(noisy.samples.len() > 6);
}

//! Ctrl-C keeps what finished: the results file holds the completed cells, marked
//! partial, the report is written, and the exit code is 130.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn interrupted_run_keeps_finished_cells() {
    let dir = tempfile::tempdir().unwrap();
    let exe = assert_cmd::cargo::cargo_bin("rtcompare");
    // seq on quick sleep takes 0.5 s per sample; 7 samples keep each of those cells busy for 3.5 s.
    let mut child = Command::new(exe)
        .args([
            "compare",
            "--preset",
            "quick",
            "--workloads",
            "sleep",
            "--samples",
            "6",
        ])
        .args([
            "--runners",
            "tokio-ct,seq,thread-pool",
            "--seed",
            "3",
            "--out",
        ])
        .arg(dir.path())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let results = dir.path().join("results.json");
    let start = Instant::now();
    while !results.exists() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no cell finished"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // SAFETY: sending SIGINT to our own child process.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    let saved = common::results(dir.path());
    assert!(saved.partial);
    assert!(
        !saved.cells.is_empty() && saved.cells.len() < 3,
        "{}",
        saved.cells.len()
    );
    let report = common::report_text(dir.path());
    assert!(report.to_lowercase().contains("interrupted"), "{report}");
}

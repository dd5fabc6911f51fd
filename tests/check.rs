//! Regression checks through the real binary: baselines, `check` of a file and of a
//! fresh run (with a known slowdown injected by the test-only knob), `ab` of two
//! builds, Bencher export, and the exit codes 0 / 1 / 2.

mod common;

use predicates::str::contains;
use std::path::{Path, PathBuf};

/// Timer-bound cells: a few milliseconds each and steady, so 10 samples separate a
/// 50% slowdown from noise without a long test.
const CELLS: &[&str] = &[
    "--workloads",
    "sleep",
    "--runners",
    "seq,tokio-ct,smol-local",
];

fn make_baseline(dir: &Path) -> PathBuf {
    let out = dir.join("base-run");
    common::rtcompare()
        .args([
            "compare",
            "--preset",
            "tiny",
            "--samples",
            "10",
            "--seed",
            "5",
        ])
        .args(CELLS)
        .arg("--out")
        .arg(&out)
        .args(["--save-baseline", "main", "--baseline-dir"])
        .arg(dir.join("baselines"))
        .assert()
        .success()
        .stderr(contains("saved baseline"));
    let path = dir.join("baselines/main.json");
    assert!(path.exists());
    path
}

#[test]
fn a_results_file_against_itself_has_no_regression() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = make_baseline(dir.path());
    let bmf = dir.path().join("bmf.json");
    common::rtcompare()
        .args(["check", "--baseline"])
        .arg(&baseline)
        .arg(&baseline)
        .arg("--out")
        .arg(dir.path().join("check"))
        .arg("--export-bmf")
        .arg(&bmf)
        .assert()
        .code(0)
        .stdout(contains("Summary: 0 regressions"));
    assert!(dir.path().join("check/check.md").exists());
    let exported: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(bmf).unwrap()).unwrap();
    assert!(
        exported["tokio-ct/sleep/t1"]["latency"]["value"]
            .as_f64()
            .unwrap()
            > 0.0
    );
}

#[test]
fn check_run_catches_an_injected_slowdown_and_confirms_it() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = make_baseline(dir.path());
    let out = dir.path().join("check");
    let assert = common::rtcompare()
        .args(["check", "--run", "--baseline"])
        .arg(&baseline)
        .arg("--out")
        .arg(&out)
        .env("RTCOMPARE_SLOWDOWN", "tokio-ct/sleep=0.5")
        .assert()
        .code(1);
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    let table_rows: Vec<&str> = stdout.lines().filter(|l| l.starts_with("| ")).collect();
    // Regressions come first: the row after the header and rule is the slowed cell.
    assert!(table_rows[2].contains("tokio-ct/sleep/t1"), "{stdout}");
    assert!(
        table_rows[2].to_lowercase().contains("regression"),
        "{stdout}"
    );
    let regressions = table_rows
        .iter()
        .filter(|l| l.contains("**regression**"))
        .count();
    assert_eq!(regressions, 1, "{stdout}");
    assert!(out.join("results.json").exists());
    assert!(
        out.join("confirm-results.json").exists(),
        "flagged cell was not re-run"
    );
}

#[test]
fn ab_of_a_build_against_a_slower_build_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let exe = assert_cmd::cargo::cargo_bin("rtcompare");
    // Build B: the same binary behind a wrapper that turns on the slowdown knob.
    let slower = dir.path().join("slower.sh");
    std::fs::write(
        &slower,
        format!(
            "#!/bin/sh\nRTCOMPARE_SLOWDOWN=smol-local/sleep=0.5 exec '{}' \"$@\"\n",
            exe.display()
        ),
    )
    .unwrap();
    let mut perms = std::fs::metadata(&slower).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&slower, perms).unwrap();

    let run_ab = |b: &Path| {
        let mut cmd = common::rtcompare();
        cmd.args(["ab", "--a"])
            .arg(&exe)
            .arg("--b")
            .arg(b)
            .args(["--preset", "tiny", "--samples", "10", "--seed", "9"])
            .args(["--workloads", "sleep", "--runners", "tokio-ct,smol-local"])
            .arg("--out")
            .arg(dir.path().join("ab"));
        cmd
    };
    run_ab(&exe).assert().code(0);
    run_ab(&slower)
        .assert()
        .code(1)
        .stdout(contains("smol-local/sleep/t1"));
    assert!(dir.path().join("ab/a.json").exists() && dir.path().join("ab/b.json").exists());
}

#[test]
fn bad_baselines_exit_2_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "corrupt.json",
            "{\"schema_version\": 1, \"cells\": [",
            "not a valid rtcompare results file",
        ),
        (
            "future.json",
            "{\"schema_version\": 4}",
            "has schema_version 4",
        ),
        ("empty.json", "", "not a valid rtcompare results file"),
    ];
    for (name, text, message) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        common::rtcompare()
            .args(["check", "--baseline"])
            .arg(&path)
            .arg(&path)
            .arg("--out")
            .arg(dir.path().join("out"))
            .assert()
            .code(2)
            .stderr(contains(name))
            .stderr(contains(message));
    }
    common::rtcompare()
        .args(["check", "--baseline", "/nonexistent/base.json", "--run"])
        .assert()
        .code(2)
        .stderr(contains("cannot read /nonexistent/base.json"));
}

#[test]
fn partial_files_are_refused_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = make_baseline(dir.path());
    let mut results = rtcompare_reports::load(&baseline).unwrap();
    results.partial = true;
    let partial = dir.path().join("partial.json");
    rtcompare_reports::save(&partial, &results).unwrap();
    let check = |extra: &[&str]| {
        let mut cmd = common::rtcompare();
        cmd.args(["check", "--baseline"])
            .arg(&baseline)
            .arg(&partial)
            .arg("--out")
            .arg(dir.path().join("out"))
            .args(extra);
        cmd
    };
    check(&[])
        .assert()
        .code(2)
        .stderr(contains("partial.json is partial"));
    check(&["--allow-partial"]).assert().code(0);
    common::rtcompare()
        .args(["baseline", "save"])
        .arg(&partial)
        .arg("p")
        .arg("--dir")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(contains("is partial"));
}

#[test]
fn baseline_names_are_file_names() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = make_baseline(dir.path());
    common::rtcompare()
        .args(["baseline", "save"])
        .arg(&baseline)
        .arg("../escape")
        .assert()
        .code(2)
        .stderr(contains("baseline name '../escape'"));
    common::rtcompare()
        .args(["baseline", "save"])
        .arg(&baseline)
        .arg("tokio-1.47")
        .arg("--dir")
        .arg(dir.path().join("b"))
        .assert()
        .success();
    assert!(dir.path().join("b/tokio-1.47.json").exists());
}

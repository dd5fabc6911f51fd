//! Regression checks through the real binary: baselines, `check` of a file and of a
//! fresh run (with a known slowdown injected by the test-only knob), `ab` of two
//! builds, Bencher export, and the exit codes 0 / 1 / 2.

mod common;

use predicates::str::contains;
use std::path::{Path, PathBuf};

/// Timer-bound cells: a few milliseconds each and steady, so 10 samples separate a
/// 50% slowdown from noise without a long test. These tests are about the check's
/// logic, not about interference (`tests/interference.rs` is): with the threshold
/// beyond any machine, a build beside them cannot leave their cells disturbed and
/// unjudged.
const CELLS: &[&str] = &[
    "--workloads",
    "sleep",
    "--runners",
    "seq,tokio-ct,smol-local",
    "--interference-threshold",
    "1000",
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
fn a_baseline_from_an_extended_binary_names_the_binary_that_can_run_its_cells() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = make_baseline(dir.path());
    // As if crate custom-runtime's binary had added a runner `mini` and run it.
    let mut value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&baseline).unwrap()).unwrap();
    let mut mini = value["runners"][1].clone();
    mini["id"] = "mini".into();
    mini["origin"] = serde_json::json!({"crate": "custom-runtime", "version": "0.1.0"});
    value["runners"].as_array_mut().unwrap().push(mini);
    let mut cell = value["cells"][0].clone();
    cell["runner"] = "mini".into();
    value["cells"].as_array_mut().unwrap().push(cell);
    value["config"]["runners"]
        .as_array_mut()
        .unwrap()
        .push("mini".into());
    let extended = dir.path().join("extended.json");
    std::fs::write(&extended, serde_json::to_string_pretty(&value).unwrap()).unwrap();

    common::rtcompare()
        .args(["check", "--run", "--baseline"])
        .arg(&extended)
        .arg("--out")
        .arg(dir.path().join("check"))
        .assert()
        .code(0)
        .stderr(contains(
            "has runner 'mini', which this binary does not have: its cells cannot run again; \
             it came from crate custom-runtime 0.1.0: run the check with that crate's binary",
        ))
        .stdout(contains("1 missing"));
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

    // The recorded check re-judged offline: its own confirmation reproduces the
    // regression; an unslowed run (the baseline's) as the confirmation does not.
    let rejudge = |confirmation: &Path| {
        common::rtcompare()
            .args(["check", "--baseline"])
            .arg(&baseline)
            .arg(out.join("results.json"))
            .arg("--confirmation")
            .arg(confirmation)
            .arg("--out")
            .arg(dir.path().join("rejudged"))
            .assert()
    };
    rejudge(&out.join("confirm-results.json"))
        .code(1)
        .stdout(contains("1 of 1 regression reproduced"));
    rejudge(&baseline)
        .code(0)
        .stdout(contains("0 regressions"))
        .stdout(contains("1 unconfirmed"));

    // A check's run repeats the baseline's plan, though from its own number of
    // processes, so it can join the baseline as one more run.
    common::rtcompare()
        .args(["baseline", "calibrate"])
        .arg(&baseline)
        .arg(out.join("results.json"))
        .assert()
        .code(0)
        .stderr(contains("2 runs"));
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
            .args(["--interference-threshold", "1000"])
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
    // One version past the newest this build writes.
    let next = rtcompare_reports::SCHEMA_VERSION + 1;
    let cases = [
        (
            "corrupt.json",
            "{\"schema_version\": 1, \"cells\": [".to_owned(),
            "not a valid rtcompare results file".to_owned(),
        ),
        (
            "future.json",
            format!("{{\"schema_version\": {next}}}"),
            format!("has schema_version {next}"),
        ),
        (
            "empty.json",
            String::new(),
            "not a valid rtcompare results file".to_owned(),
        ),
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
            .stderr(contains(message.as_str()));
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
        .args(["baseline", "save", "--allow-few-runs"])
        .arg(&baseline)
        .arg("tokio-1.47")
        .arg("--dir")
        .arg(dir.path().join("b"))
        .assert()
        .success();
    assert!(dir.path().join("b/tokio-1.47.json").exists());
}

/// Copies of the run behind `baseline` as if repeated: the same plan, another
/// seed and date, every wall time scaled by `factors[i]` in run `i`.
fn repeated_runs(dir: &Path, baseline: &Path, factors: &[f64]) -> Vec<PathBuf> {
    let original = rtcompare_reports::load(baseline).unwrap();
    factors
        .iter()
        .enumerate()
        .map(|(i, factor)| {
            let mut run = original.clone();
            run.config.seed = 100 + i as u64;
            run.created = format!("2025-01-0{}T00:00:00Z", i + 1);
            for cell in &mut run.cells {
                for s in &mut cell.samples {
                    s.wall_s *= factor;
                }
            }
            let path = dir.join(format!("run{i}.json"));
            rtcompare_reports::save(&path, &run).unwrap();
            path
        })
        .collect()
}

#[test]
fn baseline_save_of_three_runs_records_their_noise_and_calibrate_adds_runs() {
    let dir = tempfile::tempdir().unwrap();
    let single = make_baseline(dir.path());
    let runs = repeated_runs(dir.path(), &single, &[1.0, 1.02, 0.98, 1.01]);
    let store = dir.path().join("stored");
    common::rtcompare()
        .args(["baseline", "save"])
        .args(&runs[..3])
        .arg("main")
        .arg("--dir")
        .arg(&store)
        .assert()
        .code(0)
        .stderr(contains("from 3 run(s)"));
    let path = store.join("main.json");
    let stored = rtcompare_reports::load_baseline(&path).unwrap();
    let repeats = stored.repeats.as_ref().expect("repeats recorded");
    assert_eq!(repeats.runs.len(), 3);
    assert_eq!(repeats.runs[1].source, runs[1].display().to_string());
    let cell = &repeats.cells["tokio-ct/sleep/t1"];
    assert_eq!(cell.median_wall_s.len(), 3);
    assert!(cell.spread.contains_key("median-wall"));
    let merged = stored
        .results
        .cells
        .iter()
        .find(|c| c.key() == "tokio-ct/sleep/t1")
        .unwrap();
    assert_eq!(merged.samples.len(), 30);

    common::rtcompare()
        .args(["baseline", "calibrate"])
        .arg(&path)
        .arg(&runs[3])
        .assert()
        .code(0)
        .stderr(contains("4 runs"));
    let calibrated = rtcompare_reports::load_baseline(&path).unwrap();
    assert_eq!(calibrated.repeats.unwrap().runs.len(), 4);

    // A check against it prints each cell's band and what it can detect, and passes
    // on one of its own runs.
    common::rtcompare()
        .args(["check", "--baseline"])
        .arg(&path)
        .arg(&runs[0])
        .arg("--out")
        .arg(dir.path().join("check"))
        .assert()
        .code(0)
        .stdout(contains("| Band | Detects |"))
        .stdout(contains("Summary: 0 regressions"));

    // `--calibrate` adds a passing check's results to the baseline, and leaves the
    // baseline alone when the check finds a regression.
    let check_calibrating = |run: &Path| {
        common::rtcompare()
            .args(["check", "--calibrate", "--baseline"])
            .arg(&path)
            .arg(run)
            .arg("--out")
            .arg(dir.path().join("check"))
            .assert()
    };
    check_calibrating(&runs[1])
        .code(0)
        .stderr(contains("--calibrate: added"))
        .stderr(contains("(now 5 runs)"));
    let slow_dir = dir.path().join("slow");
    std::fs::create_dir_all(&slow_dir).unwrap();
    let slower = repeated_runs(&slow_dir, &single, &[1.5]);
    check_calibrating(&slower[0])
        .code(1)
        .stderr(contains("left as it was: the check did not pass"));
    let after = rtcompare_reports::load_baseline(&path).unwrap();
    assert_eq!(after.repeats.unwrap().runs.len(), 5);
}

#[test]
fn baseline_save_refuses_too_few_runs_and_runs_of_different_plans() {
    let dir = tempfile::tempdir().unwrap();
    let single = make_baseline(dir.path());
    let runs = repeated_runs(dir.path(), &single, &[1.0, 1.0, 1.0]);
    common::rtcompare()
        .args(["baseline", "save"])
        .args(&runs[..2])
        .arg("main")
        .arg("--dir")
        .arg(dir.path().join("b"))
        .assert()
        .code(2)
        .stderr(contains(
            "a baseline needs at least 3 runs of the same plan",
        ))
        .stderr(contains("got 2"))
        .stderr(contains("--allow-few-runs"));
    assert!(!dir.path().join("b/main.json").exists());

    // A run of another plan (20 samples instead of 10), named with the first run.
    let mut other = rtcompare_reports::load(&runs[2]).unwrap();
    other.config.samples = 20;
    let odd = dir.path().join("other-plan.json");
    rtcompare_reports::save(&odd, &other).unwrap();
    for cmd in [
        vec!["baseline".to_owned(), "save".to_owned()],
        vec!["baseline".to_owned(), "calibrate".to_owned()],
    ] {
        let mut c = common::rtcompare();
        c.args(&cmd);
        if cmd[1] == "save" {
            c.args(&runs[..2])
                .arg(&odd)
                .arg("main")
                .arg("--dir")
                .arg(dir.path().join("b"));
        } else {
            c.arg(&single).arg(&odd);
        }
        c.assert()
            .code(2)
            .stderr(contains("other-plan.json and "))
            .stderr(contains("are runs of different plans"))
            .stderr(contains("config.samples: 10 -> 20"));
    }
    assert!(!dir.path().join("b/main.json").exists());
}

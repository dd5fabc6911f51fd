//! The outside crate's binary, driven as its author would drive it: `compare --preset
//! tiny` with its runner beside `seq` on every workload and its workload on every
//! built-in runner, then `report`, `check` and `ab` on what that wrote.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

/// The example crate's binary, as cargo built it for these tests.
fn binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_custom-runtime"))
}

/// Timer-bound cells of `mini`: their wall time is the sleeps', steady enough for a
/// regression verdict on a busy machine, with interference ignored.
const MINI_SLEEP: &[&str] = &[
    "--runners",
    "mini",
    "--workloads",
    "sleep",
    "--interference-threshold",
    "1000",
];

fn custom_runtime(args: &[&str], out: &Path) -> Output {
    let output = binary()
        .args(args)
        .arg("--out")
        .arg(out)
        .env_remove("RTCOMPARE_FAULT")
        .output()
        .expect("the example's binary starts");
    assert!(
        output.status.code().is_some(),
        "{args:?}: killed: {output:?}"
    );
    output
}

fn tiny_compare(out: &Path, select: &[&str]) -> Value {
    let mut args = vec![
        "compare",
        "--preset",
        "tiny",
        "--samples",
        "1",
        "--seed",
        "18",
        "--threads",
        "2",
    ];
    args.extend_from_slice(select);
    let output = custom_runtime(&args, out);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = std::fs::read_to_string(out.join("results.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn cells(results: &Value) -> &Vec<Value> {
    results["cells"].as_array().unwrap()
}

fn str_of<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key].as_str().unwrap_or_default()
}

/// A cell that ran, verified, and reproduced the checksum its parameters imply.
fn assert_verified(cell: &Value) {
    let key = format!("{}/{}", str_of(cell, "runner"), str_of(cell, "workload"));
    assert_eq!(str_of(cell, "status"), "ok", "{key}: {}", cell["error"]);
    assert_eq!(cell["verified"], true, "{key}");
    assert_eq!(cell["checksum"], cell["expected_checksum"], "{key}");
}

/// Where a runner cannot start on this machine (glommio without io_uring, no
/// free-threaded CPython), its cells are n/a saying so, never failed.
fn cannot_run_here(cell: &Value) -> bool {
    let runner = str_of(cell, "runner");
    str_of(cell, "status") == "n/a"
        && str_of(cell, "error").starts_with(&format!("{runner} cannot run here: "))
}

#[test]
fn the_custom_runner_reproduces_seq_on_every_workload() {
    let dir = tempfile::tempdir().unwrap();
    let results = tiny_compare(dir.path(), &["--runners", "seq,mini"]);
    let workloads: Vec<&str> = results["config"]["workloads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    // Every built-in workload of a default run, and this crate's.
    assert!(workloads.len() > 15, "{workloads:?}");
    assert!(workloads.contains(&"tcp-echo") && workloads.contains(&"yield-chain"));

    let cell = |runner: &str, workload: &str| {
        cells(&results)
            .iter()
            .find(|c| str_of(c, "runner") == runner && str_of(c, "workload") == workload)
            .unwrap_or_else(|| panic!("no {runner}/{workload} cell"))
    };
    let mut same_params = 0;
    for workload in &workloads {
        // A single-threaded executor runs every async body.
        let mini = cell("mini", workload);
        assert_verified(mini);
        let seq = cell("seq", workload);
        if str_of(seq, "status") == "n/a" {
            continue; // seq cannot keep a ring of tasks in progress; it says why
        }
        assert_verified(seq);
        // Where both ran the same parameters (seq runs a subset of long waits and
        // extrapolates), they computed the same checksum.
        if mini["params"] == seq["params"] {
            same_params += 1;
            assert_eq!(mini["checksum"], seq["checksum"], "{workload}");
        }
    }
    assert!(same_params >= 8, "only {same_params} workloads compared");
}

#[test]
fn the_custom_workload_is_verified_on_every_built_in_runner() {
    let dir = tempfile::tempdir().unwrap();
    let results = tiny_compare(dir.path(), &["--workloads", "yield-chain,cpu"]);
    let runners: Vec<&str> = results["runners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| str_of(r, "id"))
        .collect();
    assert!(
        runners.len() > 20 && runners.contains(&"mini"),
        "{runners:?}"
    );
    let mut checksums: BTreeMap<String, &Value> = BTreeMap::new();
    for cell in cells(&results) {
        if cannot_run_here(cell) {
            continue;
        }
        assert_verified(cell);
        let params = format!("{}:{}", str_of(cell, "workload"), cell["params"]);
        let first = checksums.entry(params).or_insert(&cell["checksum"]);
        assert_eq!(*first, &cell["checksum"], "{}", str_of(cell, "runner"));
    }
    let ran = |runner: &str| {
        cells(&results)
            .iter()
            .any(|c| str_of(c, "runner") == runner && str_of(c, "workload") == "yield-chain")
    };
    assert!(runners.iter().all(|r| ran(r)));
    // The optional hooks apply: thread-per-core shares and the interpreter's script.
    for runner in ["tokio-per-core", "cpython-threads", "processes", "gil"] {
        let cell = cells(&results)
            .iter()
            .find(|c| str_of(c, "runner") == runner && str_of(c, "workload") == "yield-chain")
            .unwrap();
        assert_eq!(str_of(cell, "status"), "ok", "{runner}: {}", cell["error"]);
    }
}

#[test]
fn results_and_report_name_what_came_from_this_crate() {
    let dir = tempfile::tempdir().unwrap();
    let results = tiny_compare(
        dir.path(),
        &["--runners", "seq,mini", "--workloads", "cpu,yield-chain"],
    );
    let origin = |list: &str, id: &str| {
        results[list]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| str_of(x, "id") == id)
            .unwrap()["origin"]
            .clone()
    };
    let ours = serde_json::json!({"crate": "custom-runtime", "version": "0.1.0"});
    assert_eq!(origin("runners", "mini"), ours);
    assert_eq!(origin("workloads", "yield-chain"), ours);
    assert_eq!(origin("runners", "seq"), Value::Null);
    assert_eq!(origin("workloads", "cpu"), Value::Null);
    assert_eq!(
        results["machine"]["crate_versions"]["custom-runtime"],
        "0.1.0"
    );
    let command = str_of(&results["config"], "command");
    assert!(
        command.starts_with("cargo run --release -p custom-runtime -- compare "),
        "{command}"
    );

    // `report` renders from the file alone, and the Disclosures say where the
    // additions came from.
    let report_dir = dir.path().join("again");
    std::fs::create_dir_all(&report_dir).unwrap();
    let report = report_dir.join("report.md");
    let output = binary()
        .arg("report")
        .arg(dir.path().join("results.json"))
        .arg("--out")
        .arg(&report)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let text = std::fs::read_to_string(&report).unwrap()
        + &std::fs::read_to_string(report_dir.join("details.md")).unwrap();
    assert!(
        text.contains(
            "- The runner **mini** and the workload **yield-chain** are not rtcompare's: \
             crate `custom-runtime` 0.1.0 added them"
        ),
        "the Disclosures do not name the crate:\n{text}"
    );
    assert!(text.contains("- **mini** (concurrent, single-queue). Built as custom-runtime's"));

    // `check` of the run against itself finds nothing.
    let output = binary()
        .args(["check", "--baseline"])
        .arg(dir.path().join("results.json"))
        .arg(dir.path().join("results.json"))
        .arg("--out")
        .arg(dir.path().join("check"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("mini/yield-chain/t1"));
}

#[test]
fn check_run_and_ab_run_the_custom_cells_again() {
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("base");
    tiny_compare(&baseline, MINI_SLEEP);
    let output = custom_runtime(
        &[
            "check",
            "--baseline",
            baseline.join("results.json").to_str().unwrap(),
            "--run",
        ],
        &dir.path().join("check"),
    );
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let rerun = std::fs::read_to_string(dir.path().join("check/results.json")).unwrap();
    assert!(
        rerun.contains("\"runner\": \"mini\""),
        "the check ran mini again"
    );

    let exe = env!("CARGO_BIN_EXE_custom-runtime");
    let mut ab = vec![
        "ab",
        "--a",
        exe,
        "--b",
        exe,
        "--preset",
        "tiny",
        "--samples",
        "6",
        "--seed",
        "18",
    ];
    ab.extend_from_slice(MINI_SLEEP);
    let output = custom_runtime(&ab, &dir.path().join("ab"));
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("mini/sleep/t1"));
}

#[test]
fn list_and_unknown_names_include_the_additions() {
    // `list` shows the additions with their crate.
    let output = binary().arg("list").output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("(from custom-runtime 0.1.0)"), "{text}");
    // An unknown name lists every valid one, the additions included.
    let output = binary()
        .args(["compare", "--preset", "tiny", "--runners", "nope"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.contains("unknown runner 'nope'") && err.contains("mini"),
        "{err}"
    );
}

//! Helpers shared by the integration tests: run the real binary on tiny presets.

#![allow(dead_code)]

use assert_cmd::Command;
use rtcompare_reports::Results;
use std::path::Path;

/// The rtcompare binary under test.
pub fn rtcompare() -> Command {
    let mut cmd = Command::cargo_bin("rtcompare").expect("binary built");
    cmd.env_remove("RTCOMPARE_FAULT")
        .env_remove("RTCOMPARE_FAULT_CELL");
    cmd
}

/// `compare --preset tiny` into `out` with fixed seed, one sample, one warm-up (the
/// least `compare` accepts).
pub fn tiny_compare(out: &Path, extra: &[&str]) -> Command {
    let mut cmd = rtcompare();
    cmd.args([
        "compare",
        "--preset",
        "tiny",
        "--samples",
        "1",
        "--warmup",
        "1",
        "--seed",
        "7",
    ])
    .arg("--out")
    .arg(out)
    .args(extra);
    cmd
}

/// Loads `out/results.json` through the library's own schema-checking loader.
pub fn results(out: &Path) -> Results {
    rtcompare_reports::load(&out.join("results.json")).expect("results.json loads")
}

/// The report a run wrote into `dir`: `report.md`, then `details.md` (every
/// workload's table and the charts).
pub fn report_text(dir: &Path) -> String {
    let read = |name: &str| {
        std::fs::read_to_string(dir.join(name))
            .unwrap_or_else(|e| panic!("{}: {e}", dir.join(name).display()))
    };
    read("report.md") + &read("details.md")
}

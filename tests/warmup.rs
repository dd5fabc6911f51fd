//! `--warmup 0` is refused: the first sample of some runners would carry state they
//! create on first use (issue 17, point 6).

mod common;

use predicates::prelude::*;
use predicates::str::contains;

#[test]
fn a_warmup_of_zero_is_refused_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    common::rtcompare()
        .args(["compare", "--preset", "tiny", "--warmup", "0", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(contains("--warmup"))
        .stderr(contains("must be at least 1"))
        .stderr(contains("first measured sample"))
        .stderr(contains("panicked").not());
    assert!(!out.join("results.json").exists(), "nothing was measured");
}

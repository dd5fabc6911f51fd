//! Bad input gets a one-line error naming the problem, exit code 2, no panic and no
//! half-written file.

mod common;

use predicates::prelude::*;
use predicates::str::contains;

fn fails_with(args: &[&str], message: &str) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    common::rtcompare()
        .args(args)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(contains(message))
        .stderr(contains("panicked").not());
    assert!(
        !out.join("results.json").exists(),
        "a results file was written"
    );
}

#[test]
fn unknown_runner_lists_the_valid_ones() {
    fails_with(
        &["compare", "--runners", "seq,tokyo"],
        "unknown runner 'tokyo' (valid: seq, tokio-ct",
    );
}

#[test]
fn unknown_workload_lists_the_valid_ones() {
    fails_with(
        &["compare", "--workloads", "cpux"],
        "unknown workload 'cpux' (valid: cpu, cpu-skewed, sleep",
    );
}

#[test]
fn zero_threads_and_samples_are_refused() {
    fails_with(&["compare", "--threads", "0"], "must be at least 1");
    fails_with(&["compare", "--samples", "0"], "must be at least 1");
    fails_with(&["compare", "--preset", "huge"], "unknown preset 'huge'");
    fails_with(
        &["compare", "--timeout", "0"],
        "not a positive number of seconds",
    );
}

#[test]
fn rate_must_be_a_positive_number() {
    for rate in ["0", "-5", "abc", "inf"] {
        fails_with(&["compare", &format!("--rates={rate}")], "--rates");
    }
    fails_with(
        &["compare", "--rates", "1000", "--workloads", "cpu"],
        "--rates sets the offered rates of open-loop workloads (tcp-echo-open), and none is selected",
    );
}

#[test]
fn unwritable_output_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    common::rtcompare()
        .args(["compare", "--preset", "tiny", "--out"])
        .arg(file.join("sub"))
        .assert()
        .code(2)
        .stderr(contains("cannot create output directory"));
}

#[test]
fn report_of_a_missing_file_names_it() {
    common::rtcompare()
        .args(["report", "/nonexistent/results.json"])
        .assert()
        .code(2)
        .stderr(contains("cannot read /nonexistent/results.json"));
}

#[test]
fn report_of_a_corrupt_or_foreign_file_names_it_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let future = format!(
        "has schema_version 99, this rtcompare reads versions {} to {}",
        rtcompare_reports::OLDEST_READABLE_SCHEMA,
        rtcompare_reports::SCHEMA_VERSION
    );
    let cases = [
        (
            "truncated.json",
            r#"{"schema_version": 1, "cells": ["#,
            "is not a valid rtcompare results file",
        ),
        ("future.json", r#"{"schema_version": 99}"#, future.as_str()),
        (
            "other.json",
            r#"{"name": "not ours"}"#,
            "no schema_version field",
        ),
        (
            "shape.json",
            r#"{"schema_version": 1, "cells": 3}"#,
            "is not a valid rtcompare results file",
        ),
    ];
    for (name, text, message) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let out = dir.path().join(format!("{name}.md"));
        common::rtcompare()
            .arg("report")
            .arg(&path)
            .arg("--out")
            .arg(&out)
            .assert()
            .code(2)
            .stderr(contains(name))
            .stderr(contains(message));
        assert!(!out.exists(), "{name}: a report was written");
    }
}

#[test]
fn list_names_every_runner_with_class_and_family() {
    let assert = common::rtcompare().arg("list").assert().success();
    let out = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    for runner in rtcompare_runners::ALL {
        let line = out
            .lines()
            .find(|l| l.split_whitespace().next() == Some(runner.id))
            .unwrap();
        assert!(
            line.contains(runner.class.as_str()) && line.contains(runner.family.as_str()),
            "{line}"
        );
    }
    for workload in rtcompare_workloads::ALL {
        assert!(out.contains(workload.id));
    }
}

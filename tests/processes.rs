//! The `processes` runner and the crash-isolation workloads, through the real binary:
//! worker processes reproduce the expected checksums, workloads whose jobs share
//! memory are n/a with a reason, a dead worker fails its cell and says which, a crash
//! takes one worker process on `processes` but the whole cell on threads, and no
//! worker process outlives the run.

mod common;

use rtcompare_reports::{Cell, Results, Status};
use std::path::Path;

/// A tag in the environment of one test's processes, so the leftover check sees only
/// this test's workers (tests run in parallel, other runs may share the machine).
fn run_tag(test: &str) -> String {
    format!("{test}-{}", std::process::id())
}

/// Worker processes (`cell ... --process-worker`) and load generators still alive from
/// the run tagged `tag`.
fn leftover_workers(tag: &str) -> Vec<String> {
    let wanted = format!("RTCOMPARE_TEST_RUN={tag}");
    let mut left = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let dir = entry.path();
        let (Ok(cmdline), Ok(environ)) = (
            std::fs::read(dir.join("cmdline")),
            std::fs::read(dir.join("environ")),
        ) else {
            continue; // not a process, or gone
        };
        let has =
            |bytes: &[u8], what: &str| bytes.split(|&b| b == 0).any(|part| part == what.as_bytes());
        // Worker processes, and the load generator of a network cell.
        let generator = environ
            .split(|&b| b == 0)
            .any(|part| part.starts_with(format!("{}=", rtcompare_loadgen::CHILD_ENV).as_bytes()));
        let worker = has(&cmdline, rtcompare_runners::WORKER_FLAG);
        if (worker || generator) && has(&environ, &wanted) {
            left.push(format!(
                "{}: {}",
                dir.display(),
                String::from_utf8_lossy(&cmdline)
            ));
        }
    }
    left
}

fn run(out: &Path, tag: &str, extra: &[&str]) -> Results {
    run_command(common::tiny_compare(out, extra), out, tag)
}

fn run_command(mut cmd: assert_cmd::Command, out: &Path, tag: &str) -> Results {
    cmd.env("RTCOMPARE_TEST_RUN", tag).assert().success();
    let left = leftover_workers(tag);
    assert!(
        left.is_empty(),
        "worker processes outlived the run: {left:?}"
    );
    let results = common::results(out);
    assert!(!results.partial);
    results
}

fn cell<'a>(results: &'a Results, runner: &str, workload: &str) -> &'a Cell {
    results
        .cells
        .iter()
        .find(|c| c.runner == runner && c.workload == workload)
        .unwrap_or_else(|| panic!("no cell {runner}/{workload}"))
}

fn metric(cell: &Cell, key: &str) -> f64 {
    *cell
        .metrics
        .get(key)
        .unwrap_or_else(|| panic!("{}: no metric {key}: {:?}", cell.key(), cell.metrics))
}

fn assert_verified(cell: &Cell) {
    let key = cell.key();
    assert_eq!(cell.status, Status::Ok, "{key}: {:?}", cell.error);
    assert!(cell.verified, "{key}");
    assert!(cell.checksum.is_some(), "{key}");
    assert_eq!(cell.checksum, cell.expected_checksum, "{key}");
}

#[test]
fn processes_runs_independent_jobs_and_says_why_not_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let tag = run_tag("independent");
    let results = run(
        dir.path(),
        &tag,
        &[
            "--runners",
            "processes",
            "--threads",
            "2",
            "--workloads",
            "cpu,cpu-skewed,sleep,spawn,channels,mixed-inline,mixed-yield,mixed-offload,\
             fork-join",
        ],
    );
    assert_eq!(results.cells.len(), 9);
    for workload in ["cpu", "cpu-skewed", "sleep", "spawn"] {
        let cell = cell(&results, "processes", workload);
        assert_verified(cell);
        assert_eq!(cell.threads, 2);
        assert_eq!(metric(cell, "workers"), 2.0, "{}", cell.key());
        // A whole process of this binary holds far more than a thread's stack pages.
        let per_process = metric(cell, "rss-per-process-bytes");
        assert!(
            per_process > 256.0 * 1024.0,
            "{}: {per_process}",
            cell.key()
        );
        // The cell's peak covers its two workers' peaks as well as its own.
        let workers_peak = metric(cell, "workers-peak-rss-bytes");
        let peak = cell.peak_rss_bytes.expect("a peak") as f64;
        assert!(
            workers_peak > 2.0 * 256.0 * 1024.0,
            "{}: {workers_peak}",
            cell.key()
        );
        assert!(
            peak > workers_peak,
            "{}: {peak} vs {workers_peak}",
            cell.key()
        );
    }

    let spawn = cell(&results, "processes", "spawn");
    let cap = rtcompare_runners::PROCESS_CAP as u64;
    assert_eq!(spawn.params["tasks"].as_u64(), Some(cap));
    assert!(
        spawn.notes.iter().any(|n| n.contains("processes alive")),
        "{:?}",
        spawn.notes
    );
    assert!(metric(spawn, "ns-per-task") > 0.0);
    assert!(metric(spawn, "rss-per-task-bytes") > 256.0 * 1024.0);
    // The 200 fresh processes held alive in the probe count in the peak too.
    assert!(
        metric(spawn, "workers-peak-rss-bytes") > 200.0 * 128.0 * 1024.0,
        "{}",
        metric(spawn, "workers-peak-rss-bytes")
    );

    // n/a, each with what its jobs share.
    for (workload, shared) in [
        ("channels", "ring of channels"),
        ("mixed-inline", "stop flag"),
        ("mixed-yield", "stop flag"),
        ("mixed-offload", "stop flag"),
        ("fork-join", ""),
    ] {
        let cell = cell(&results, "processes", workload);
        assert_eq!(cell.status, Status::NotApplicable, "{}", cell.key());
        let why = cell.error.as_deref().unwrap_or_default();
        assert!(
            why.contains(shared) && why.len() > 20,
            "{}: {why}",
            cell.key()
        );
        if !shared.is_empty() {
            assert!(why.contains("share no memory"), "{}: {why}", cell.key());
        }
    }
}

#[test]
fn processes_is_a_pre_fork_server_and_leaves_no_process_behind() {
    // Two worker processes accept on the cell's one listener, inherited: each serves
    // whole connections, so all 4 of tiny's connections are verified byte for byte
    // by the generator, and neither a worker nor the generator outlives the run.
    let dir = tempfile::tempdir().unwrap();
    let tag = run_tag("prefork");
    let results = run(
        dir.path(),
        &tag,
        &[
            "--runners",
            "processes",
            "--threads",
            "2",
            "--workloads",
            "tcp-echo,tcp-echo-open",
        ],
    );
    for workload in ["tcp-echo", "tcp-echo-open"] {
        let cell = cell(&results, "processes", workload);
        assert_verified(cell);
        assert_eq!(metric(cell, "workers"), 2.0, "{}", cell.key());
        let load = cell.load.as_ref().expect("a load record");
        for step in &load.steps {
            // The workers' CPU time is the server's: more than the cell's own thread
            // could spend relaying job indices.
            assert!(step.server_cpu_us_per_request > 0.0, "{step:?}");
        }
    }
}

#[test]
fn a_dead_worker_fails_its_cell_and_says_which() {
    let dir = tempfile::tempdir().unwrap();
    let tag = run_tag("dead-worker");
    let mut cmd = common::tiny_compare(
        dir.path(),
        &[
            "--runners",
            "processes",
            "--threads",
            "2",
            "--workloads",
            "cpu,sleep,spawn",
        ],
    );
    cmd.env("RTCOMPARE_TEST_RUN", &tag)
        .env("RTCOMPARE_FAULT", "worker-abort")
        .env("RTCOMPARE_FAULT_CELL", "processes/cpu")
        .assert()
        .success();
    assert!(leftover_workers(&tag).is_empty());
    let results = common::results(dir.path());
    let failed = cell(&results, "processes", "cpu");
    assert_eq!(failed.status, Status::Failed);
    let why = failed.error.as_deref().unwrap_or_default();
    for part in [
        "worker process",
        "killed by SIGABRT",
        "while holding job",
        "pid",
    ] {
        assert!(why.contains(part), "{why}");
    }
    // The other cells ran as usual.
    assert_verified(cell(&results, "processes", "sleep"));
    assert_verified(cell(&results, "processes", "spawn"));
}

#[test]
fn a_crash_takes_one_process_but_the_whole_cell_on_threads() {
    let dir = tempfile::tempdir().unwrap();
    let tag = run_tag("crash");
    // A warm-up and two samples: a replacement worker must stay in step with the
    // samples after the one in which it replaced a dead worker.
    let mut cmd = common::rtcompare();
    cmd.args([
        "compare",
        "--preset",
        "tiny",
        "--samples",
        "2",
        "--warmup",
        "1",
    ])
    .args(["--seed", "7", "--crash", "--threads", "2"])
    .args(["--runners", "processes,threads,thread-pool"])
    .args(["--workloads", "crash-panic,crash-abort", "--out"])
    .arg(dir.path());
    let results = run_command(cmd, dir.path(), &tag);
    assert_eq!(results.cells.len(), 6);
    let survived = |cell: &Cell| {
        assert_verified(cell);
        let key = cell.key();
        assert_eq!(metric(cell, "jobs"), 8.0, "{key}");
        assert_eq!(metric(cell, "jobs-completed"), 7.0, "{key}");
        assert_eq!(metric(cell, "jobs-lost"), 1.0, "{key}");
        assert_eq!(cell.samples.len(), 2, "{key}");
    };
    // A worker process dies with its job, panic or abort; a replacement finishes.
    survived(cell(&results, "processes", "crash-panic"));
    survived(cell(&results, "processes", "crash-abort"));
    for runner in ["threads", "thread-pool"] {
        // A panic unwinds one thread and is caught per job...
        survived(cell(&results, runner, "crash-panic"));
        // ...an abort ends the process, every thread with it.
        let died = cell(&results, runner, "crash-abort");
        assert_eq!(died.status, Status::Failed, "{}", died.key());
        let why = died.error.as_deref().unwrap_or_default();
        assert!(why.contains("SIGABRT"), "{}: {why}", died.key());
        assert!(died.samples.is_empty());
    }
}

#[test]
fn list_marks_the_crash_workloads_opt_in() {
    let assert = common::rtcompare().arg("list").assert().success();
    let out = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    for id in ["crash-panic", "crash-abort"] {
        let line = out
            .lines()
            .find(|l| l.split_whitespace().next() == Some(id))
            .unwrap_or_else(|| panic!("{id} not listed"));
        assert!(line.ends_with("(opt-in: --crash)"), "{line}");
    }
    let cpu = out
        .lines()
        .find(|l| l.split_whitespace().next() == Some("cpu"))
        .unwrap();
    assert!(!cpu.contains("opt-in"), "{cpu}");
}

#[test]
fn a_processes_cell_peak_includes_its_workers() {
    // The same work on threads and on four worker processes: each worker is a whole
    // process of this binary, so the processes cell's peak must exceed the threads
    // cell's by at least the workers' own (the cell process alone is about the same).
    let dir = tempfile::tempdir().unwrap();
    let tag = run_tag("peak");
    let results = run(
        dir.path(),
        &tag,
        &[
            "--runners",
            "threads,processes",
            "--threads",
            "4",
            "--workloads",
            "cpu",
        ],
    );
    let threads = cell(&results, "threads", "cpu");
    let processes = cell(&results, "processes", "cpu");
    assert_verified(threads);
    assert_verified(processes);
    // The tenders live as long as the pool (started once, not per batch), so the
    // census taken after the samples still finds one per worker but the first.
    assert_eq!(
        processes.thread_names.get("tender").copied(),
        Some(3),
        "{:?}",
        processes.thread_names
    );
    let workers_peak = metric(processes, "workers-peak-rss-bytes");
    let (t, p) = (
        threads.peak_rss_bytes.unwrap() as f64,
        processes.peak_rss_bytes.unwrap() as f64,
    );
    assert!(workers_peak > 4.0 * 256.0 * 1024.0, "{workers_peak}");
    assert!(
        p > t + workers_peak / 2.0,
        "processes {p} vs threads {t} (workers {workers_peak})"
    );
}

#[test]
fn memory_per_unit_is_measured_alike_for_tasks_threads_and_processes() {
    // One probe, one method: the growth of the process tree's unique set with every
    // unit alive. A process adds far more than a thread, a thread more than a task;
    // and the figure for processes does not depend on how many pool workers idle
    // beside it (a proportional share of their pages would).
    let dir = tempfile::tempdir().unwrap();
    let tag = run_tag("per-unit");
    let results = run(
        dir.path(),
        &tag,
        &[
            "--runners",
            "tokio-mt,threads,processes",
            "--threads",
            "1,4",
            "--workloads",
            "spawn",
        ],
    );
    // `threads` starts one thread per task, so it may be planned at one count only.
    let per_unit = |runner: &str, threads: usize| {
        let c = results
            .cells
            .iter()
            .find(|c| {
                c.runner == runner
                    && c.workload == "spawn"
                    && (c.threads == threads || runner == "threads")
            })
            .unwrap_or_else(|| panic!("no {runner}/spawn/t{threads}"));
        assert_verified(c);
        metric(c, "rss-per-task-bytes")
    };
    let (task, thread) = (per_unit("tokio-mt", 4), per_unit("threads", 4));
    let (one, four) = (per_unit("processes", 1), per_unit("processes", 4));
    assert!(
        task < thread && thread < one,
        "task {task}, thread {thread}, process {one}"
    );
    // The same fresh processes either way: within a quarter of each other.
    assert!(
        (one - four).abs() < 0.25 * one.max(four),
        "t1 {one} vs t4 {four}"
    );
}

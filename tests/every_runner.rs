//! Every runner × every workload at tiny size, through the real binary and its child
//! processes: each cell verifies, reproduces `seq`'s checksum, and runs exactly the
//! worker threads it was given. In the spirit of tokio's `tests/rt_common.rs`, the
//! list comes from the registries, so a new runner or workload is covered unasked.

mod common;

use rtcompare_api::Family;
use rtcompare_reports::Status;
use rtcompare_runners::ThreadsKnob;
use std::collections::BTreeMap;

/// Thread names (as grouped by the census) of each runner's workers.
fn worker_thread_name(runner: &str) -> Option<&'static str> {
    Some(match runner {
        "tokio-mt" => "tokio-rt-worker",
        "smol-mt" => "smol",
        "async-std" => "async-std/runti",
        "futures-pool" => "futures-pool",
        "thread-pool" => "pool",
        "threads-static" => "static",
        "rayon" => "rayon",
        "tokio-per-core" => "tokio-core",
        "monoio" => "monoio-core",
        "compio" => "compio-core",
        "glommio" => "glommio-core",
        "may" => "may-worker",
        // The interpreter's census: its executor's threads, its pool's processes.
        "cpython-threads" | "cpython-nogil-threads" => "python ThreadPoolExecutor (thread)",
        "cpython-processes" => "python ForkPoolWorker (process)",
        _ => return None,
    })
}

/// Whether `workload` cannot apply to `runner` at tiny size with 3 threads, by design:
/// stated here independently of the workloads' own `fit`, so a cell that turns n/a (or
/// stops being n/a) unexpectedly fails the test.
fn not_applicable(runner: &str, workload: &str) -> bool {
    // The interpreter runners run only the work that has a script body.
    if runner.starts_with("cpython-") {
        return !matches!(workload, "cpu" | "cpu-skewed" | "sleep");
    }
    // Blocking runners that cannot keep every task of a ring or a hog set in progress.
    let pooled = matches!(
        runner,
        "seq" | "thread-pool" | "threads-static" | "rayon" | "gil"
    );
    // Worker processes share no memory: only jobs that share nothing apply, and a
    // job cannot fork into another process's job.
    if runner == "processes" {
        return matches!(
            workload,
            "channels"
                | "mixed-inline"
                | "mixed-yield"
                | "mixed-offload"
                | "fork-join"
                | "shared-mutex"
                | "shared-atomic"
                | "shared-async-mutex"
                | "timer"
        );
    }
    // Thread-per-core runtimes share nothing: one structure every worker updates has
    // no per-core share.
    let per_core = rtcompare_runners::find(runner).unwrap().family == Family::ThreadPerCore;
    if per_core {
        return matches!(
            workload,
            "shared-mutex" | "shared-atomic" | "shared-async-mutex"
        );
    }
    // Coroutines on shared workers: only waits routed through the strategy suspend a
    // job; the std waits of the channel ring and the mixed ticker and echo would block
    // a worker.
    let coroutines = runner == "may";
    match workload {
        "spawn" => pooled,
        "channels" | "mixed-inline" | "mixed-yield" => pooled || coroutines,
        "mixed-offload" => pooled || coroutines || runner == "threads",
        "fork-join" => runner == "threads-static",
        "shared-async-mutex" => pooled || coroutines || runner == "threads",
        _ => false,
    }
}

#[test]
fn every_runner_reproduces_seq_on_every_workload() {
    let dir = tempfile::tempdir().unwrap();
    // 3 threads on a machine that may have 2 cores: counts must come from --threads,
    // never from a runtime's own default.
    common::tiny_compare(dir.path(), &["--threads", "3"])
        .assert()
        .success();
    let results = common::results(dir.path());
    assert!(!results.partial);

    let runners = rtcompare_runners::ALL;
    // The opt-in crash workloads are not part of a default run.
    let workloads: Vec<_> = rtcompare_workloads::ALL
        .iter()
        .filter(|w| !w.opt_in)
        .collect();
    assert_eq!(results.cells.len(), runners.len() * workloads.len());
    assert!(
        results
            .cells
            .iter()
            .all(|c| workloads.iter().any(|w| w.id == c.workload)),
        "an opt-in workload ran by default"
    );

    // Cells that ran the same parameters must agree on the checksum (and every cell
    // agrees with the checksum its parameters imply).
    let mut checksum_of_params = BTreeMap::new();
    // glommio needs io_uring and enough locked memory, cpython-nogil-threads a
    // free-threaded python3.13t or later on PATH; where a runner cannot start, every
    // one of its cells is n/a with the reason, never a failure.
    let unavailable = |cell: &rtcompare_reports::Cell| {
        cell.status == Status::NotApplicable
            && cell
                .error
                .as_deref()
                .is_some_and(|e| e.starts_with(&format!("{} cannot run here: ", cell.runner)))
    };
    let may_be_unavailable = ["glommio", "cpython-nogil-threads"];
    let runner_unavailable = |runner: &str| {
        may_be_unavailable.contains(&runner)
            && results
                .cells
                .iter()
                .any(|c| c.runner == runner && unavailable(c))
    };
    for cell in &results.cells {
        let key = cell.key();
        if runner_unavailable(&cell.runner) {
            // A workload that does not apply may say so before the runner starts
            // (the CPython runners start no interpreter for it) or after.
            if not_applicable(&cell.runner, &cell.workload) {
                assert_eq!(cell.status, Status::NotApplicable, "{key}");
                continue;
            }
            assert!(
                unavailable(cell),
                "{key}: {:?} {:?}",
                cell.status,
                cell.error
            );
            continue;
        }
        assert!(!unavailable(cell), "{key}: {:?}", cell.error);
        if not_applicable(&cell.runner, &cell.workload) {
            assert_eq!(
                cell.status,
                Status::NotApplicable,
                "{key}: {:?}",
                cell.error
            );
            let reason = cell.error.as_deref().unwrap_or_default();
            assert!(
                reason.len() > 20,
                "{key}: n/a needs a reason, got {reason:?}"
            );
            assert!(cell.samples.is_empty() && cell.summary.is_none(), "{key}");
            continue;
        }
        assert_eq!(cell.status, Status::Ok, "{key}: {:?}", cell.error);
        assert!(cell.verified, "{key}");
        assert_eq!(cell.checksum, cell.expected_checksum, "{key}");
        let params = format!("{}:{}", cell.workload, cell.params);
        let first = checksum_of_params
            .entry(params)
            .or_insert_with(|| cell.checksum.clone());
        assert_eq!(first, &cell.checksum, "{key}");
        assert_eq!(cell.samples.len(), 1, "{key}");
        assert!(cell.samples[0].wall_s > 0.0, "{key}");
        assert!(cell.peak_rss_bytes.unwrap() > 0, "{key}");
        assert!(cell.summary.is_some(), "{key}");

        let info = rtcompare_runners::find(&cell.runner).unwrap();
        assert_eq!(cell.class, info.class, "{key}");
        assert_eq!(cell.family, info.family, "{key}");
        let expected_threads = match info.threads {
            ThreadsKnob::One => 1,
            ThreadsKnob::Workers | ThreadsKnob::PerTask => 3,
        };
        assert_eq!(cell.threads, expected_threads, "{key}");
        // Offloading adds the runtime's blocking-pool threads (tokio names them like
        // its workers), so worker counts are exact everywhere else.
        let offloads = cell.workload == "mixed-offload";
        if let Some(name) = worker_thread_name(&cell.runner) {
            let seen = cell.thread_names.get(name).copied().unwrap_or(0);
            assert!(
                seen == 3 || (offloads && seen > 3),
                "{key}: workers seen {:?}",
                cell.thread_names
            );
        }
        if info.threads == ThreadsKnob::One && !offloads {
            // Single-threaded executors run every task on the main thread; helper
            // threads (async-io's driver) may exist but no workers.
            assert!(
                cell.thread_names.keys().all(|n| n == "rtcompare"
                    || n == "async-io"
                    || n == "python MainThread (thread)"),
                "{key}: {:?}",
                cell.thread_names
            );
        }
    }
    assert_workload_measures(&results);

    // Thread-per-task really creates a thread per task: cpu at tiny size has 16 chunks.
    let threads_cpu = results
        .cells
        .iter()
        .find(|c| c.runner == "threads" && c.workload == "cpu")
        .unwrap();
    assert!(
        threads_cpu.os_threads.unwrap() >= 17,
        "{:?}",
        threads_cpu.os_threads
    );

    let report = common::report_text(dir.path());
    // Charts sit beside the report as SVG and the report links them.
    for chart in ["speedup-cpu.svg", "wall-cpu.svg", "wall-sleep.svg"] {
        let svg = std::fs::read_to_string(dir.path().join(chart)).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.contains("tokio-mt"),
            "{chart}"
        );
        assert!(
            report.contains(&format!("]({chart})")),
            "report does not link {chart}"
        );
    }
    for runner in runners {
        assert!(
            report.contains(runner.id),
            "report does not name {}",
            runner.id
        );
    }
    for workload in workloads {
        assert!(
            report.contains(&format!("### {}", workload.id)),
            "report lacks {}",
            workload.id
        );
    }
}

/// What each new workload must have measured at tiny size, beyond its checksum.
fn assert_workload_measures(results: &rtcompare_reports::Results) {
    let ok = |workload: &'static str| {
        results
            .cells
            .iter()
            .filter(move |c| c.workload == workload && c.status == Status::Ok)
    };
    let metric = |cell: &rtcompare_reports::Cell, key: &str| {
        *cell
            .metrics
            .get(key)
            .unwrap_or_else(|| panic!("{}: no metric {key}: {:?}", cell.key(), cell.metrics))
    };
    for workload in ["tcp-echo", "tcp-echo-1", "tcp-echo-open", "tcp-echo-conns"] {
        for cell in ok(workload) {
            let key = cell.key();
            let steps = cell.params["steps"].as_array().unwrap();
            let requests: u64 = steps
                .iter()
                .map(|s| s["connections"].as_u64().unwrap() * s["round_trips"].as_u64().unwrap())
                .sum();
            // Served to the external generator: one load step per planned step, the
            // server's CPU apart from the generator's.
            let load = cell
                .load
                .as_ref()
                .unwrap_or_else(|| panic!("{key}: no load"));
            assert_eq!(load.steps.len(), steps.len(), "{key}");
            for step in &load.steps {
                assert!(step.server_cpu_us_per_request > 0.0, "{key}: {step:?}");
                assert!(step.generator_cpu_us_per_request > 0.0, "{key}: {step:?}");
            }
            let latency = cell
                .latency_us
                .unwrap_or_else(|| panic!("{key}: no latency"));
            // One round-trip time per request echoed, merged over the samples.
            assert_eq!(latency.count, requests * cell.samples.len() as u64, "{key}");
            assert!(latency.p50 > 0.0 && latency.p50 <= latency.p99, "{key}");
            assert!(latency.p99 <= latency.max, "{key}");
            assert!(cell.throughput_per_s.unwrap() > 0.0, "{key}");
        }
    }
    for cell in ok("tcp-echo-conns") {
        if cell.family == Family::ThreadPerCore {
            // 21 connections over 3 cores' SO_REUSEPORT listeners: the kernel hands
            // them to all of them (one core taking all 21 has odds of 3 × 3^-21).
            let busiest = metric(cell, "busiest-core-connections");
            assert!(
                (1.0 / 3.0..1.0).contains(&busiest),
                "{}: {busiest}",
                cell.key()
            );
        }
    }
    for cell in ok("spawn") {
        assert!(metric(cell, "ns-per-task") > 0.0, "{}", cell.key());
        assert!(metric(cell, "rss-per-task-bytes") > 0.0, "{}", cell.key());
    }
    for cell in ok("channels") {
        assert!(metric(cell, "ns-per-hop") > 0.0, "{}", cell.key());
    }
    for cell in ok("fork-join") {
        // 64 units split down to single units: 63 subtasks, on every runner but the
        // thread-per-core ones, whose 3 cores each split their own contiguous third
        // (21, 21 and 22 units: 20 + 20 + 21 subtasks).
        let subtasks = match cell.family {
            Family::ThreadPerCore => 61.0,
            _ => 63.0,
        };
        assert_eq!(metric(cell, "tasks-spawned"), subtasks, "{}", cell.key());
    }
    for cell in ok("timer") {
        let key = cell.key();
        // tiny: 20 sleeps of 100 µs, then 5 of 1 ms, each in its own histogram.
        let short = cell
            .latency_us
            .unwrap_or_else(|| panic!("{key}: no lateness"));
        let long = cell.more_latency_us.get("sleep-1ms-lateness");
        let samples = cell.samples.len() as u64;
        assert_eq!(short.count, 20 * samples, "{key}");
        assert_eq!(long.map(|l| l.count), Some(5 * samples), "{key}");
    }
    for workload in ["mixed-inline", "mixed-yield", "mixed-offload"] {
        for cell in ok(workload) {
            let key = cell.key();
            let ticks = cell.latency_us.unwrap_or_else(|| panic!("{key}: no ticks"));
            assert!(ticks.count > 0, "{key}");
            assert_eq!(ticks.count as f64, metric(cell, "ticks"), "{key}");
            assert!(cell.more_latency_us.contains_key("round-trip"), "{key}");
            assert!(
                cell.samples.iter().all(|s| s.latency_max_us.is_some()),
                "{key}"
            );
        }
    }
}

#[test]
fn report_renders_again_from_results_alone() {
    let dir = tempfile::tempdir().unwrap();
    common::tiny_compare(
        dir.path(),
        &["--runners", "seq,tokio-ct,rayon", "--workloads", "cpu"],
    )
    .assert()
    .success();
    let again = dir.path().join("again.md");
    common::rtcompare()
        .arg("report")
        .arg(dir.path().join("results.json"))
        .arg("--out")
        .arg(&again)
        .assert()
        .success();
    let first = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
    assert_eq!(first, std::fs::read_to_string(&again).unwrap());

    // The same rows as CSV, for spreadsheets: a header and one line per cell.
    common::rtcompare()
        .arg("report")
        .arg(dir.path().join("results.json"))
        .args(["--format", "md,csv", "--out"])
        .arg(&again)
        .assert()
        .success();
    let csv = std::fs::read_to_string(dir.path().join("again.csv")).unwrap();
    let results = common::results(dir.path());
    assert_eq!(csv.lines().count(), results.cells.len() + 1);
    assert!(csv.starts_with("workload,workload_kind,runner,"));

    // Several files: one cross-machine comparison keyed by fingerprint.
    let copy = dir.path().join("other.json");
    std::fs::copy(dir.path().join("results.json"), &copy).unwrap();
    common::rtcompare()
        .arg("report")
        .arg(dir.path().join("results.json"))
        .arg(&copy)
        .assert()
        .success();
    let machines = std::fs::read_to_string(dir.path().join("machines.md")).unwrap();
    assert!(machines.contains("# rtcompare across machines"));
    assert!(machines.contains("M2 speedup") && machines.contains("other.json"));
}

#[test]
fn sleep_on_blocking_runners_is_extrapolated_not_invented() {
    let dir = tempfile::tempdir().unwrap();
    // The quick sleep preset (1,000 tasks × 5 × 10 ms) would take 50 s on `seq`.
    common::rtcompare()
        .args([
            "compare",
            "--preset",
            "quick",
            "--samples",
            "1",
            "--warmup",
            "1",
        ])
        .args([
            "--runners",
            "seq,thread-pool,tokio-ct",
            "--workloads",
            "sleep",
            "--threads",
            "2",
        ])
        .arg("--out")
        .arg(dir.path())
        .assert()
        .success();
    let results = common::results(dir.path());
    for cell in &results.cells {
        assert_eq!(cell.status, Status::Ok, "{}: {:?}", cell.key(), cell.error);
        let tasks = cell.params["tasks"].as_u64().unwrap();
        match cell.runner.as_str() {
            "tokio-ct" => {
                assert!(cell.extrapolation.is_none());
                assert_eq!(tasks, 1_000);
            }
            "seq" => {
                let e = cell.extrapolation.as_ref().expect("seq extrapolates");
                // 1,000 rounds of 50 ms; the quick budget of 0.2 s keeps 4 of them.
                assert_eq!((tasks, e.factor), (4, 250.0));
                let median = cell.summary.as_ref().unwrap().median_wall_s;
                assert!(median >= 50.0, "scaled median {median}");
            }
            "thread-pool" => {
                let e = cell.extrapolation.as_ref().expect("pool extrapolates");
                // 2 threads: 500 rounds, 4 kept, 8 tasks.
                assert_eq!((tasks, e.factor), (8, 125.0));
            }
            other => panic!("unexpected runner {other}"),
        }
    }
    let report = common::report_text(dir.path());
    assert!(
        report.contains("extrapolated") || report.contains('†'),
        "{report}"
    );
}

//! The network workloads through the real binary: open-loop latency is measured from
//! the schedule (so a slow server shows up in full), and the open-file limit caps the
//! connection count with a recorded note instead of failing.

mod common;

use rtcompare_reports::{Cell, Status};

fn cell<'a>(results: &'a rtcompare_reports::Results, runner: &str, workload: &str) -> &'a Cell {
    results
        .cells
        .iter()
        .find(|c| c.runner == runner && c.workload == workload)
        .unwrap_or_else(|| panic!("no {runner}/{workload} cell"))
}

#[test]
fn open_loop_counts_the_queue_behind_a_slow_server() {
    let dir = tempfile::tempdir().unwrap();
    // Every reply waits 2 ms; open loop asks each of the 4 connections for a request
    // every 1 ms (4,000/s in all), so requests queue behind the slow replies and their
    // latency, counted from the intended send time, grows over the run. Closed loop
    // waits for each reply before sending, so it only ever sees the 2 ms.
    common::tiny_compare(
        dir.path(),
        &[
            "--runners",
            "tokio-ct,threads",
            "--workloads",
            "tcp-echo,tcp-echo-open",
            "--threads",
            "2",
            "--rate",
            "4000",
        ],
    )
    .env("RTCOMPARE_ECHO_DELAY_US", "2000")
    .assert()
    .success();
    let results = common::results(dir.path());
    assert_eq!(results.config.rate, Some(4000.0));
    for runner in ["tokio-ct", "threads"] {
        let closed = cell(&results, runner, "tcp-echo");
        let open = cell(&results, runner, "tcp-echo-open");
        for c in [closed, open] {
            assert_eq!(c.status, Status::Ok, "{}: {:?}", c.key(), c.error);
            assert_eq!(c.params["server_delay_us"], 2000, "{}", c.key());
        }
        let (closed, open) = (closed.latency_us.unwrap(), open.latency_us.unwrap());
        // Both include the 2 ms delay...
        assert!(
            closed.p50 >= 2000.0 && open.p50 >= 2000.0,
            "{closed:?} {open:?}"
        );
        // ...but only open loop counts the time requests waited for their turn.
        assert!(
            open.p99 > 2.0 * closed.p99,
            "{runner}: open-loop p99 {} µs should far exceed closed-loop p99 {} µs",
            open.p99,
            closed.p99
        );
    }
}

#[test]
fn open_file_limit_caps_connections_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    // 70 descriptors leave room for 3 of tiny's 4 connections (2 fds each + 64 spare).
    common::tiny_compare(
        dir.path(),
        &[
            "--runners",
            "tokio-mt,threads",
            "--workloads",
            "tcp-echo",
            "--threads",
            "2",
        ],
    )
    .env("RTCOMPARE_NOFILE", "70")
    .assert()
    .success();
    let results = common::results(dir.path());
    for runner in ["tokio-mt", "threads"] {
        let c = cell(&results, runner, "tcp-echo");
        assert_eq!(c.status, Status::Ok, "{}: {:?}", c.key(), c.error);
        assert_eq!(c.params["connections"], 3, "{}", c.key());
        assert!(
            c.notes
                .iter()
                .any(|n| n.contains("capped") && n.contains("70")),
            "{}: {:?}",
            c.key(),
            c.notes
        );
    }
    let report = common::report_text(dir.path());
    assert!(
        report.contains("capped"),
        "the report must say the count was capped"
    );
}

#[test]
fn a_runner_whose_sleeps_return_early_fails_sleep() {
    // RTCOMPARE_EARLY_SLEEP=1: every sleep of every task but the first returns at once, so
    // the sample as a whole still lasts one task's S × D; only a check on every sleep
    // can see it. Every kind of timer: tokio's, async-io's (smol, futures) and
    // std::thread::sleep on threads and in worker processes.
    let runners = [
        "tokio-ct",
        "tokio-mt",
        "smol-mt",
        "futures-pool",
        "threads",
        "processes",
    ];
    let dir = tempfile::tempdir().unwrap();
    common::tiny_compare(
        dir.path(),
        &[
            "--runners",
            &runners.join(","),
            "--workloads",
            "sleep",
            "--threads",
            "2",
        ],
    )
    .env("RTCOMPARE_EARLY_SLEEP", "1")
    .assert()
    .success();
    let results = common::results(dir.path());
    for runner in runners {
        let cell = cell(&results, runner, "sleep");
        assert_eq!(
            cell.status,
            Status::Failed,
            "{}: early sleeps passed",
            cell.key()
        );
        let why = cell.error.as_deref().unwrap_or_default();
        assert!(why.contains("wrong answer"), "{}: {why}", cell.key());
    }
}

#[test]
fn timer_shows_tokio_rounding_sleeps_up_to_whole_milliseconds() {
    // Tokio's time wheel ends a sleep on a whole millisecond, so a 100 µs sleep taken
    // right after the previous one woke lasts about a millisecond; async-io's Timer
    // fires at its deadline. Bounds are loose: 400 µs sits far from both.
    let dir = tempfile::tempdir().unwrap();
    common::tiny_compare(
        dir.path(),
        &["--runners", "tokio-ct,smol-local", "--workloads", "timer"],
    )
    .assert()
    .success();
    let results = common::results(dir.path());
    let short_p50 = |runner: &str| {
        let cell = cell(&results, runner, "timer");
        let key = cell.key();
        assert_eq!(cell.status, Status::Ok, "{key}: {:?}", cell.error);
        assert!(cell.verified, "{key}");
        let short = cell
            .latency_us
            .unwrap_or_else(|| panic!("{key}: no latency"));
        let long = cell.more_latency_us["sleep-1ms-lateness"];
        // tiny: 20 sleeps of 100 µs, then 5 of 1 ms, per sample.
        assert_eq!(short.count, 20 * cell.samples.len() as u64, "{key}");
        assert_eq!(long.count, 5 * cell.samples.len() as u64, "{key}");
        eprintln!(
            "{key}: 100 µs sleep lateness p50 {} p99 {} max {} µs; 1 ms sleep lateness p50 {} \
             p99 {} µs",
            short.p50, short.p99, short.max, long.p50, long.p99
        );
        short.p50
    };
    let (tokio, smol) = (short_p50("tokio-ct"), short_p50("smol-local"));
    assert!(
        tokio >= 400.0,
        "tokio-ct's 100 µs sleeps were only {tokio} µs late at p50: no whole-ms rounding?"
    );
    assert!(
        smol < 400.0,
        "smol-local's 100 µs sleeps were {smol} µs late at p50: async-io's timer is finer"
    );
}

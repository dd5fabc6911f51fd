//! The network workloads through the real binary, served to the external load
//! generator: open-loop latency is measured from the schedule (so a slow server shows
//! up in full), a pool narrower than its connections makes the rest wait and shows it,
//! a generator that falls behind its schedule is flagged, the sweep steps are recorded
//! one by one, and the open-file limit caps the connection count with a recorded note
//! instead of failing. (Sleep's early-return check is here too.)

mod common;

use rtcompare_reports::{Cell, Status};

fn cell<'a>(results: &'a rtcompare_reports::Results, runner: &str, workload: &str) -> &'a Cell {
    results
        .cells
        .iter()
        .find(|c| c.runner == runner && c.workload == workload)
        .unwrap_or_else(|| panic!("no {runner}/{workload} cell"))
}

fn ok(c: &Cell) -> &Cell {
    assert_eq!(c.status, Status::Ok, "{}: {:?}", c.key(), c.error);
    assert!(c.verified, "{}", c.key());
    c
}

#[test]
fn open_loop_counts_the_queue_behind_a_slow_server() {
    let dir = tempfile::tempdir().unwrap();
    // Every reply waits 2 ms; open loop asks each of the 4 connections for a request
    // every 0.5 ms (8,000/s in all), 20 rounds each, so requests queue behind the slow
    // replies and their latency, counted from the intended send time, grows by about
    // 1.5 ms a round. Closed loop waits for each reply before sending, so it only ever
    // sees the 2 ms.
    common::tiny_compare(
        dir.path(),
        &[
            "--runners",
            "tokio-ct,threads",
            "--workloads",
            "tcp-echo,tcp-echo-open",
            "--threads",
            "2",
            "--rates",
            "8000",
        ],
    )
    .env("RTCOMPARE_ECHO_DELAY_US", "2000")
    .assert()
    .success();
    let results = common::results(dir.path());
    let network = results
        .config
        .network
        .as_ref()
        .expect("schema 5 network config");
    assert_eq!(network.rates.as_deref(), Some(&[8000.0][..]));
    for runner in ["tokio-ct", "threads"] {
        let closed = ok(cell(&results, runner, "tcp-echo"));
        let open = ok(cell(&results, runner, "tcp-echo-open"));
        for c in [closed, open] {
            assert_eq!(c.params["server_delay_us"], 2000, "{}", c.key());
        }
        let steps = &open.load.as_ref().expect("a load record").steps;
        assert_eq!(steps.len(), 1, "one rate, one step");
        assert_eq!(steps[0].offered_rate_per_s, Some(8000.0));
        let (closed, open) = (closed.latency_us.unwrap(), open.latency_us.unwrap());
        // Both include the 2 ms delay...
        assert!(
            closed.p50 >= 2000.0 && open.p50 >= 2000.0,
            "{closed:?} {open:?}"
        );
        // ...but only open loop counts the time requests waited for their turn: by
        // the middle round about 15 ms.
        assert!(
            open.p50 > 3.0 * closed.p50,
            "{runner}: open-loop p50 {} µs should far exceed closed-loop p50 {} µs",
            open.p50,
            closed.p50
        );
    }
}

#[test]
fn a_pool_of_two_makes_the_other_connections_wait() {
    let dir = tempfile::tempdir().unwrap();
    // 4 connections x 20 round trips, each reply 1 ms late. A thread per connection
    // serves all 4 at once; a pool of 2 serves 2 connections to the end (20 ms each)
    // before it accepts the other 2, whose first requests have waited all that time.
    common::tiny_compare(
        dir.path(),
        &[
            "--runners",
            "threads,thread-pool",
            "--workloads",
            "tcp-echo",
            "--threads",
            "2",
        ],
    )
    .env("RTCOMPARE_ECHO_DELAY_US", "1000")
    .assert()
    .success();
    let results = common::results(dir.path());
    let threads = ok(cell(&results, "threads", "tcp-echo"))
        .latency_us
        .unwrap();
    let pool = ok(cell(&results, "thread-pool", "tcp-echo"))
        .latency_us
        .unwrap();
    // The waiting connections' first round trips: at least 20 replies of 1 ms each.
    assert!(pool.max >= 19_000.0, "pool of 2: {pool:?}");
    assert!(
        threads.p50 < pool.max / 4.0,
        "a thread per connection waits for nobody: {threads:?} vs {pool:?}"
    );
    for c in [&results.cells[0], &results.cells[1]] {
        let load = c.load.as_ref().expect("a load record");
        let step = &load.steps[0];
        assert_eq!((step.connections, step.requests), (4, 80), "{}", c.key());
        assert!(step.server_cpu_us_per_request > 0.0, "{}", c.key());
        assert!(step.generator_cpu_us_per_request > 0.0, "{}", c.key());
        // The sample's CPU is the server's; the generator's is apart.
        let sample = &c.samples[0];
        assert!(
            sample.generator_cpu_s.is_some_and(|g| g > 0.0),
            "{}",
            c.key()
        );
    }
}

#[test]
fn a_generator_that_falls_behind_its_schedule_says_so() {
    let dir = tempfile::tempdir().unwrap();
    // The generator sleeps 2 ms after every send while its schedule wants one every
    // 0.25 ms: its own lag, not the server's, so the step is flagged.
    common::tiny_compare(
        dir.path(),
        &[
            "--runners",
            "tokio-ct",
            "--workloads",
            "tcp-echo-open",
            "--rates",
            "4000",
        ],
    )
    .env(rtcompare_loadgen::engine::STALL_ENV, "2000")
    .assert()
    .success();
    let results = common::results(dir.path());
    let c = ok(cell(&results, "tokio-ct", "tcp-echo-open"));
    let step = &c.load.as_ref().expect("a load record").steps[0];
    assert!(step.generator_behind_samples > 0, "{step:?}");
    assert!(step.generator_behind.is_some(), "{step:?}");
}

#[test]
fn the_sweeps_record_one_step_each() {
    let dir = tempfile::tempdir().unwrap();
    common::tiny_compare(
        dir.path(),
        &[
            "--runners",
            "smol-mt,thread-pool",
            "--workloads",
            "tcp-echo-open,tcp-echo-conns",
            "--threads",
            "2",
        ],
    )
    .assert()
    .success();
    let results = common::results(dir.path());
    for runner in ["smol-mt", "thread-pool"] {
        let open = ok(cell(&results, runner, "tcp-echo-open"));
        let rates: Vec<Option<f64>> = open
            .load
            .as_ref()
            .unwrap()
            .steps
            .iter()
            .map(|s| s.offered_rate_per_s)
            .collect();
        assert_eq!(rates, [Some(2000.0), Some(8000.0)], "{}", open.key());
        let conns = ok(cell(&results, runner, "tcp-echo-conns"));
        let steps = &conns.load.as_ref().unwrap().steps;
        let counts: Vec<usize> = steps.iter().map(|s| s.connections).collect();
        assert_eq!(counts, [1, 4, 16], "{}", conns.key());
        for step in steps {
            assert!(step.offered_rate_per_s.is_none() && step.achieved_rate_per_s > 0.0);
            assert!(step.latency_us.count >= step.requests, "{step:?}");
        }
    }
    // The async server holds every connection at once, so its memory per connection
    // is measured; a pool of 2 never holds 16.
    let pool = cell(&results, "thread-pool", "tcp-echo-conns")
        .load
        .as_ref()
        .unwrap();
    assert!(pool.steps[2].rss_per_connection_bytes.is_none());
    let tasks = cell(&results, "smol-mt", "tcp-echo-conns")
        .load
        .as_ref()
        .unwrap();
    assert!(tasks.steps[2].rss_per_connection_bytes.is_some());
}

#[test]
fn open_file_limit_caps_connections_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    // 67 descriptors leave room for 3 of tiny's 4 connections (1 fd each + 64 spare).
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
    .env("RTCOMPARE_NOFILE", "67")
    .assert()
    .success();
    let results = common::results(dir.path());
    for runner in ["tokio-mt", "threads"] {
        let c = ok(cell(&results, runner, "tcp-echo"));
        assert_eq!(c.params["steps"][0]["connections"], 3, "{}", c.key());
        assert_eq!(c.params["requested_connections"], 4, "{}", c.key());
        assert!(
            c.notes
                .iter()
                .any(|n| n.contains("capped") && n.contains("67")),
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

#[test]
fn pin_places_the_generator_and_the_server_on_separate_cpus() {
    let dir = tempfile::tempdir().unwrap();
    common::tiny_compare(
        dir.path(),
        &[
            "--runners",
            "tokio-mt",
            "--workloads",
            "tcp-echo",
            "--threads",
            "2",
            "--pin",
        ],
    )
    .assert()
    .success();
    let results = common::results(dir.path());
    assert!(results.config.network.as_ref().unwrap().pin);
    let c = ok(cell(&results, "tokio-mt", "tcp-echo"));
    let load = c.load.as_ref().expect("a load record");
    assert!(load.pinned);
    let allowed = rtcompare_loadgen::process::cpus_allowed();
    let (last, rest) = allowed.split_last().expect("some CPU is allowed");
    if rest.is_empty() {
        return; // one CPU: both keep it, and there is nothing to separate
    }
    let last = *last as u32;
    assert_eq!(load.generator_cpus, [last], "{load:?}");
    assert!(
        !load.server_cpus.is_empty() && !load.server_cpus.contains(&last),
        "{load:?}"
    );
}

#[test]
fn a_wrong_byte_fails_the_cell_with_the_generators_words_even_mid_sweep() {
    let dir = tempfile::tempdir().unwrap();
    // The server corrupts the first reply of every connection in step 1 of 3: the
    // generator fails that step, releases the connections the server still waits
    // for, and the cell fails at once with its message, not at the cell time limit.
    let started = std::time::Instant::now();
    common::tiny_compare(
        dir.path(),
        &[
            "--runners",
            "tokio-ct,thread-pool",
            "--workloads",
            "tcp-echo-conns",
            "--threads",
            "2",
        ],
    )
    .env(rtcompare_workloads::tcp_echo::CORRUPT_ENV, "1")
    .assert()
    .success();
    let results = common::results(dir.path());
    for runner in ["tokio-ct", "thread-pool"] {
        let c = cell(&results, runner, "tcp-echo-conns");
        assert_eq!(c.status, Status::Failed, "{}: {:?}", c.key(), c.error);
        let why = c.error.as_deref().unwrap_or_default();
        assert!(
            why.contains("step 1") && why.contains("echoed byte 0"),
            "{}: {why}",
            c.key()
        );
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(50),
        "the cells waited for their time limit: {:?}",
        started.elapsed()
    );
}

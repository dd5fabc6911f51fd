//! The disclosures and the parts table: only the runners present, from their
//! descriptions, and names that change nothing but names.

use super::*;

#[test]
fn disclosures_only_for_runners_present() {
    let mut results = fixture();
    // The runner descriptions stay: a runner without cells is not disclosed.
    results
        .cells
        .retain(|c| !c.runner.starts_with("futures") && c.runner != "async-std");
    results
        .config
        .runners
        .retain(|r| !r.starts_with("futures") && r != "async-std");
    let report = render(&results);
    let disclosures = disclosures(&report);
    assert!(!disclosures.contains("futures"), "{disclosures}");
    assert!(!disclosures.contains("discontinued"), "{disclosures}");
    assert!(
        disclosures.contains(
            "- **tokio-mt** (concurrent-parallel, work-stealing). Built as \
             tokio::runtime::Builder::new_multi_thread().worker_threads(N).enable_all(). \
             Timer: tokio's time driver"
        ),
        "{disclosures}"
    );
    assert!(
        disclosures.contains("Threads: 2 workers; threads seen: tokio-runtime-w ×2, rtcompare ×1."),
        "{disclosures}"
    );
    assert!(
        disclosures.contains("(here **tokio-ct** and **smol-local**)."),
        "{disclosures}"
    );
}

#[test]
fn disclosures_follow_the_runner_descriptions() {
    let results = fixture();
    let report = render(&results);
    let disclosures = disclosures(&report);
    // One bullet per runner, in the order of `results.runners`.
    let bullets: Vec<&str> = disclosures
        .lines()
        .filter_map(|l| l.strip_prefix("- **")?.split("**").next())
        .collect();
    let ids: Vec<&str> = results.runners.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(bullets, ids);
    // Caveats are sub-bullets of their runner.
    let async_std = disclosures
        .split("\n- ")
        .find(|b| b.starts_with("**async-std**"))
        .unwrap();
    assert!(
        async_std.contains("\n  - discontinued upstream (1.13, 2025: \"use smol instead\")"),
        "{async_std}"
    );
    // Each thread knob in words, with the census.
    assert!(disclosures.contains(
        "**tokio-ct** (concurrent, single-queue). Built as \
         tokio::runtime::Builder::new_current_thread().enable_all()."
    ));
    assert!(
        disclosures
            .contains("Threads: 1 thread runs tasks; threads seen: async-io ×1, rtcompare ×1.")
    );
    assert!(disclosures.contains(
        "Threads: one OS thread per task (up to 1000 alive); compared at `--threads 2`; \
         threads seen: rtcompare ×1."
    ));
    // Text from the file cannot turn into markup.
    assert!(
        disclosures.contains("one Mutex\\<VecDeque> queue"),
        "{disclosures}"
    );
    // The harness facts are there.
    for fact in [ISOLATION, CPU_TIME, CHECKSUMS, CENSUS, THREAD_COUNTS] {
        assert!(disclosures.contains(fact), "{fact}");
    }
    assert!(
        disclosures.contains(
            "the calling thread (here **tokio-ct**, **smol-local** and **futures-local**)."
        )
    );
}

#[test]
fn disclosures_without_runner_descriptions_use_the_cells() {
    let mut results = fixture();
    results.runners.clear();
    let report = render(&results);
    let disclosures = disclosures(&report);
    assert!(!disclosures.contains("Built as"), "{disclosures}");
    assert!(!disclosures.contains("Timer:"), "{disclosures}");
    assert!(
        disclosures.contains(
            "- **tokio-mt** (concurrent-parallel, work-stealing). Threads: 2 threads; \
             threads seen: tokio-runtime-w ×2, rtcompare ×1.\n"
        ),
        "{disclosures}"
    );
    // Threads started within a sample are counted, not hidden.
    assert!(
        disclosures.contains(
            "- **threads** (concurrent-parallel, os-scheduler). Threads: 2 threads; \
             threads seen: rtcompare ×1, plus up to 1000 started and joined within a sample."
        ),
        "{disclosures}"
    );
    assert_eq!(
        disclosures.matches("\n- **").count(),
        results.config.runners.len()
    );
}

#[test]
fn renaming_runners_changes_nothing_but_their_names() {
    // The report may name no runner in code but the baseline: give every other
    // runner another id of the same length and the report must differ only there.
    // All fixtures: the schema-2 sections (latency, hogs, overhead, crashes) too, and
    // the verdict's attributions from the runner descriptions on a real run.
    // The one exception is the claims section, whose claims are about a few
    // runners by name (`claims::NAMED_RUNNERS`: "processes are isolated" is about
    // the runner `processes`, not about whatever has its class): renaming every
    // runner must change nothing outside that section, and renaming all but
    // those must change nothing at all, so the claims find every other runner
    // (the GIL, one thread per task, the async runners) by what the file says.
    for original in [fixture(), fixture_v2(), fixture_quick(), fixture_claims()] {
        let everything = |id: &str| id == BASELINE_RUNNER;
        renamed_report_matches(&original, &everything, &without_claims);
        let unnamed =
            |id: &str| id == BASELINE_RUNNER || crate::claims::NAMED_RUNNERS.contains(&id);
        renamed_report_matches(&original, &unnamed, &|report: &str| report.to_owned());
    }
}

#[test]
fn parts_table_only_when_the_file_names_the_parts() {
    let report = render(&fixture_v2());
    let disclosures = disclosures(&report);
    assert!(disclosures.contains("| Runner         | Timer and reactor "));
    assert!(
        disclosures.contains("| tokio::sync::mpsc "),
        "{disclosures}"
    );
    // The configuration table then leaves the timer to the parts table.
    let config = &disclosures[disclosures.find("Configuration as run").unwrap()..];
    let header = config.lines().find(|l| l.starts_with("| Runner")).unwrap();
    assert!(!header.contains("Timer"), "{header}");
    // A column no runner fills is left out.
    let mut results = fixture_v2();
    for r in &mut results.runners {
        r.offload.clear();
    }
    let report = render(&results);
    let parts = &report[report.find("Parts each runner uses").unwrap()..];
    let header = parts.lines().find(|l| l.starts_with("| Runner")).unwrap();
    assert!(
        header.contains("Channel") && !header.contains("Offload"),
        "{header}"
    );
}

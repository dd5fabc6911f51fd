//! The combinations' finding on the fixtures: which cell stands for each
//! class, the cores it kept busy, and the `sleep` figures behind the labels.

use super::*;
use crate::model::Results;
use crate::summary::Summarized;

fn parse(name: &str, text: &str) -> Results {
    crate::parse(std::path::Path::new(name), text).expect("fixture parses")
}

/// The combinations of `results`.
fn combinations(results: Results) -> Combinations {
    let summarized = Summarized::new(results);
    let report = Report::new(&summarized, &[]);
    report.combinations().as_ref().clone().expect("a grid")
}

fn row(c: &Combinations, class: Class) -> &Combination {
    c.rows.iter().find(|r| r.class == class).expect("a row")
}

/// `runner`, its thread count and its speedup to three significant digits.
fn is(e: &Option<Example>, runner: &str, threads: usize, speedup: f64) -> bool {
    e.as_ref().is_some_and(|e| {
        e.cell.runner == runner
            && e.cell.threads == threads
            && ((e.speedup - speedup) / speedup).abs() < 0.005
    })
}

#[test]
fn schema_1_run_has_four_combinations_and_the_labels_explained() {
    let c = combinations(parse(
        "results.json",
        include_str!("../../../tests/fixtures/results.json"),
    ));
    assert_eq!(c.cpu_workload.as_deref(), Some("cpu"));
    assert_eq!(c.waiting_workload.as_deref(), Some("sleep"));
    let classes: Vec<Class> = c.rows.iter().map(|r| r.class).collect();
    assert_eq!(classes, CLASSES);
    // Concurrency alone bought nothing on CPU work and ~1000× on waits, on a
    // fraction of a core; parallelism bought ~2× on CPU work on ~2 cores.
    let concurrent = row(&c, Class::Concurrent);
    assert!(is(&concurrent.cpu, "smol-local", 1, 1.00));
    assert!(is(&concurrent.waiting, "smol-local", 1, 991.0));
    assert!(concurrent.waiting.as_ref().unwrap().cores < 0.1);
    let parallel = row(&c, Class::Parallel);
    assert!(is(&parallel.cpu, "rayon", 2, 1.97));
    assert!(parallel.cpu.as_ref().unwrap().cores > 1.9);
    assert!(is(
        &row(&c, Class::ConcurrentParallel).waiting,
        "smol-mt",
        2,
        995.0
    ));
    // Sleep speedups were scaled up from part of the work.
    assert!(concurrent.waiting.as_ref().unwrap().extrapolated);
    assert!(!parallel.cpu.as_ref().unwrap().extrapolated);
    // No GIL in this run.
    let gil = row(&c, Class::ConcurrentSerialized);
    assert!(!gil.ran && gil.cpu.is_none() && gil.waiting.is_none());

    // rayon holds a thread per wait, as do the blocking pools; smol-mt does not.
    let labels = c.labels.expect("rayon ran");
    assert_eq!(labels.parallel_runners, ["rayon"]);
    assert!(is(&labels.parallel, "rayon", 2, 2.00));
    let one_wait: Vec<&str> = labels
        .one_wait_per_thread
        .iter()
        .map(|e| e.cell.runner.as_str())
        .collect();
    assert_eq!(one_wait, ["thread-pool", "threads-static"]);
    assert!(is(&labels.beyond, "smol-mt", 2, 995.0));
}

#[test]
fn the_gil_row_and_no_parallel_runner() {
    let c = combinations(crate::fixtures::claims());
    let gil = row(&c, Class::ConcurrentSerialized);
    assert!(gil.ran);
    assert!(is(&gil.cpu, "gil", 2, 0.98));
    assert!(gil.cpu.as_ref().unwrap().cores <= 1.01);
    assert!(is(&gil.waiting, "gil", 4, 3.97));
    let parallel = row(&c, Class::Parallel);
    assert!(!parallel.ran && parallel.cpu.is_none());
    assert_eq!(c.labels, None);
}

#[test]
fn other_workloads_stand_in_and_labels_need_sleep() {
    let c = combinations(crate::fixtures::v2());
    assert_eq!(c.cpu_workload.as_deref(), Some("fork-join"));
    assert_eq!(c.waiting_workload.as_deref(), Some("tcp-echo"));
    assert!(is(&row(&c, Class::Parallel).waiting, "rayon", 2, 1.44));
    let labels = c.labels.expect("rayon ran");
    assert_eq!(labels.parallel, None);
    assert!(labels.one_wait_per_thread.is_empty() && labels.beyond.is_none());
}

//! The disclosures and the parts table: only the runners present, from their
//! descriptions, and names that change nothing but names.

use super::*;
use crate::sections::Report;
use crate::sections::disclosures::render::{CENSUS, CHECKSUMS, CPU_TIME, ISOLATION, THREAD_COUNTS};

fn disclosures_of(results: &Results) -> DisclosuresFinding {
    Report::new(results, &[]).derive_disclosures()
}

/// The runner `id` of `finding`.
fn runner<'f>(finding: &'f DisclosuresFinding, id: &str) -> &'f RunnerDisclosure {
    finding
        .runners
        .iter()
        .find(|r| r.runner == id)
        .unwrap_or_else(|| panic!("{id} is not disclosed"))
}

/// A census of `names` (name, most), with `transient` threads.
fn census(names: &[(&str, usize)], transient: usize) -> Census {
    Census {
        names: names
            .iter()
            .map(|&(name, most)| ThreadName {
                name: name.into(),
                most,
            })
            .collect(),
        transient,
    }
}

/// The names of the runners `finding` discloses.
fn disclosed(finding: &DisclosuresFinding) -> Vec<&str> {
    finding.runners.iter().map(|r| r.runner.as_str()).collect()
}

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
    let finding = disclosures_of(&results);
    assert!(
        disclosed(&finding)
            .iter()
            .all(|r| !r.starts_with("futures") && *r != "async-std"),
        "{finding:?}"
    );
    assert_eq!(
        finding.facts[1],
        HarnessFact::RootTask {
            single_threaded: vec!["tokio-ct".into(), "smol-local".into()]
        }
    );
    assert_eq!(
        runner(&finding, "tokio-mt").threads,
        Threads::Counted {
            unit: ThreadUnit::Workers,
            by_count: vec![CountSeen {
                threads: 2,
                seen: census(&[("tokio-runtime-w", 2), ("rtcompare", 1)], 0),
            }],
        }
    );
    let report = render(&results);
    let disclosures = disclosures(&report);
    assert!(!disclosures.contains("futures"), "{disclosures}");
    assert!(!disclosures.contains("discontinued"), "{disclosures}");
    assert!(
        disclosures.contains(
            "- **tokio-mt** (concurrent-parallel, work-stealing). Built as \
             tokio::runtime::Builder::new_multi_thread().worker_threads(N).enable_all(). \
             Threads:"
        ),
        "{disclosures}"
    );
    // The timer is in the configuration table, not said again in the bullet.
    assert!(
        disclosures.contains("| tokio's time driver (1 ms resolution) and mio reactor, driven"),
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
    let finding = disclosures_of(&results);
    let ids: Vec<&str> = results.runners.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(disclosed(&finding), ids);
    assert_eq!(
        finding.facts,
        [
            HarnessFact::Isolation,
            HarnessFact::RootTask {
                single_threaded: vec![
                    "tokio-ct".into(),
                    "smol-local".into(),
                    "futures-local".into()
                ]
            },
            HarnessFact::ThreadCounts,
            HarnessFact::CpuTime,
            HarnessFact::Checksums,
            HarnessFact::Census,
        ]
    );
    // The description and its caveats come verbatim from the file.
    let async_std = runner(&finding, "async-std");
    let meta = results
        .runners
        .iter()
        .find(|r| r.id == "async-std")
        .unwrap();
    let description = async_std.description.as_ref().unwrap();
    assert_eq!(description.caveats, meta.caveats);
    assert_eq!(description.thread_knob, "workers");
    // Each thread knob as its variant, with the census.
    assert_eq!(
        runner(&finding, "smol-local").threads,
        Threads::One {
            seen: census(&[("async-io", 1), ("rtcompare", 1)], 0)
        }
    );
    let threads = runner(&finding, "threads");
    assert_eq!(
        threads.threads,
        Threads::PerTask {
            seen: census(&[("rtcompare", 1)], 1000)
        }
    );
    assert_eq!(threads.threads_run, [2]);
    assert_eq!(runner(&finding, BASELINE_RUNNER).threads_run, [1]);
    // A schema-1 file names no part but the timer: no parts table.
    assert!(finding.parts.is_empty());

    let report = render(&results);
    let disclosures = disclosures(&report);
    // One bullet per runner, in the order of `results.runners`, after the
    // caveats several runners share.
    let (shared, each) = disclosures
        .split_once("Each runner as the run described it")
        .unwrap();
    let bullets: Vec<&str> = each
        .lines()
        .filter_map(|l| l.strip_prefix("- **")?.split("**").next())
        .collect();
    assert_eq!(bullets, ids);
    // A caveat several runners give is said once, naming them.
    let tokio_timer = &runner(&finding, "tokio-ct")
        .description
        .as_ref()
        .unwrap()
        .caveats[0];
    assert!(
        tokio_timer.starts_with("tokio's timer rounds"),
        "{tokio_timer}"
    );
    assert!(
        shared.contains(&format!("- **tokio-ct and tokio-mt:** {tokio_timer}")),
        "{shared}"
    );
    assert_eq!(disclosures.matches(tokio_timer.as_str()).count(), 1);
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
    let finding = disclosures_of(&results);
    assert_eq!(disclosed(&finding), results.config.runners);
    assert!(finding.runners.iter().all(|r| r.description.is_none()));
    // Without a knob, every runner counts threads; the census is the cells' own.
    assert_eq!(
        runner(&finding, "threads").threads,
        Threads::Counted {
            unit: ThreadUnit::Threads,
            by_count: vec![CountSeen {
                threads: 2,
                seen: census(&[("rtcompare", 1)], 1000),
            }],
        }
    );
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
    // All fixtures: the schema-2 sections (latency, hogs, overhead, crashes) too, the
    // verdict's attributions from the runner descriptions on a real run, and the
    // thread-per-core runners with their I/O drivers.
    // The one exception is the claims section, whose claims are about a few
    // runners by name (`claims::NAMED_RUNNERS`: "processes are isolated" is about
    // the runner `processes`, not about whatever has its class): renaming every
    // runner must change nothing outside that section, and renaming all but
    // those must change nothing at all, so the claims find every other runner
    // (the GIL, one thread per task, the async runners) by what the file says.
    for original in [
        fixture(),
        fixture_v2(),
        fixture_quick(),
        fixture_claims(),
        crate::fixtures::per_core(),
        crate::fixtures::cpython(),
    ] {
        let everything = |id: &str| id == BASELINE_RUNNER;
        renamed_report_matches(&original, &everything, &without_claims);
        let unnamed =
            |id: &str| id == BASELINE_RUNNER || crate::claims::NAMED_RUNNERS.contains(&id);
        renamed_report_matches(&original, &unnamed, &|report: &str| report.to_owned());
    }
}

#[test]
fn parts_table_only_when_the_file_names_the_parts() {
    let all = [Part::Timer, Part::Channel, Part::Net, Part::Offload];
    assert_eq!(disclosures_of(&fixture_v2()).parts, all);
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
    assert_eq!(disclosures_of(&results).parts, all[..3]);
    let report = render(&results);
    let parts = &report[report.find("Parts each runner uses").unwrap()..];
    let header = parts.lines().find(|l| l.starts_with("| Runner")).unwrap();
    assert!(
        header.contains("Channel") && !header.contains("Offload"),
        "{header}"
    );
}

#[test]
fn disclosures_without_cells_say_so() {
    let mut results = fixture();
    results.cells.clear();
    assert!(disclosures_of(&results).runners.is_empty());
    assert!(
        render(&results).contains("## Disclosures\n\nNo cells were recorded.\n"),
        "{}",
        render(&results)
    );
}

#[test]
fn a_runner_run_at_several_counts_has_a_census_per_count() {
    let mut results = fixture();
    let mut more = results
        .cells
        .iter()
        .find(|c| c.runner == "tokio-mt")
        .unwrap()
        .clone();
    more.threads = 4;
    more.thread_names.insert("tokio-runtime-w".into(), 4);
    results.cells.push(more);
    let finding = disclosures_of(&results);
    let tokio = runner(&finding, "tokio-mt");
    assert_eq!(tokio.threads_run, [2, 4]);
    let Threads::Counted { unit, by_count } = &tokio.threads else {
        panic!("{:?}", tokio.threads);
    };
    assert_eq!(*unit, ThreadUnit::Workers);
    let counts: Vec<(usize, usize)> = by_count
        .iter()
        .map(|g| (g.threads, g.seen.names[0].most))
        .collect();
    assert_eq!(counts, [(2, 2), (4, 4)]);
    let report = render(&results);
    assert!(
        disclosures(&report).contains(
            "Threads: 2 and 4 workers; threads seen at each: tokio-runtime-w ×2/4, rtcompare ×1."
        ),
        "{report}"
    );
}

/// The parts table of `report`: its header and rows, up to the blank line.
fn parts_table(report: &str) -> &str {
    let start = report
        .find("Parts each runner uses")
        .expect("a parts table");
    let table = &report[start..];
    let rows = table.find("\n| Runner").expect("a header") + 1;
    let end = table[rows..].find("\n\n").map_or(table.len(), |i| rows + i);
    &table[rows..end]
}

/// The parts-table row of `runner`, its cells trimmed.
fn parts_row<'r>(table: &'r str, runner: &str) -> Vec<&'r str> {
    let row = table
        .lines()
        .find(|l| l.starts_with(&format!("| {runner} ")))
        .unwrap_or_else(|| panic!("no row for {runner} in\n{table}"));
    row.trim_matches('|').split(" | ").map(str::trim).collect()
}

#[test]
fn io_drivers_are_disclosed_per_runner_and_in_the_parts_table() {
    let results = crate::fixtures::per_core();
    let finding = disclosures_of(&results);
    let uring = |cells| IoDrivers {
        drivers: vec![DriverCells {
            driver: "io_uring".into(),
            cells,
        }],
        unrecorded: 0,
    };
    assert_eq!(runner(&finding, "monoio").io_drivers, Some(uring(3)));
    assert_eq!(runner(&finding, "tokio-mt").io_drivers, None);
    // The driver is a part of its own, after those the descriptions name.
    assert_eq!(
        finding.parts,
        [
            Part::Timer,
            Part::Channel,
            Part::Net,
            Part::Offload,
            Part::IoDriver
        ]
    );
    // The family is a fact of how those runners' cells were measured.
    assert!(finding.facts.contains(&HarnessFact::ThreadPerCore {
        runners: vec!["tokio-per-core".into(), "monoio".into()]
    }));

    let report = render(&results);
    let disclosures = disclosures(&report);
    // One line for every runner whose cells recorded a driver, in runner order.
    assert!(
        disclosures.contains(
            "\nThe I/O driver each runner's runtimes ran on, as its cells recorded it from the \
             runtime:\n\n- **tokio-per-core**: epoll (mio) in all 3 cells\n- **monoio**: io_uring \
             in all 3 cells\n"
        ),
        "{disclosures}"
    );
    assert!(
        disclosures.contains(
            "On the [thread-per-core](#glossary-thread-per-core) runners (here **tokio-per-core** \
             and **monoio**) each thread runs its own single-threaded runtime"
        ),
        "{disclosures}"
    );
    assert!(disclosures.contains("(no work stealing)"), "{disclosures}");
    // The column: filled for the runners that recorded one, a dash elsewhere.
    let table = parts_table(disclosures);
    let header = parts_row(table, "Runner");
    assert_eq!(header.last(), Some(&"I/O driver"), "{table}");
    assert_eq!(parts_row(table, "monoio").last(), Some(&"io_uring"));
    assert_eq!(
        parts_row(table, "tokio-per-core").last(),
        Some(&"epoll (mio)")
    );
    assert_eq!(parts_row(table, "tokio-mt").last(), Some(&NONE));
}

#[test]
fn mixed_io_drivers_are_counted_by_cell() {
    let mut results = crate::fixtures::per_core();
    for cell in results.cells.iter_mut().filter(|c| c.runner == "monoio") {
        cell.io_driver = match cell.workload.as_str() {
            "cpu" => Some("io_uring".into()),
            "cpu-skewed" => Some("epoll (legacy)".into()),
            _ => None,
        };
    }
    let mut another = results
        .cells
        .iter()
        .find(|c| c.runner == "monoio" && c.workload == "cpu")
        .unwrap()
        .clone();
    another.threads = 4;
    results.cells.push(another);
    let finding = disclosures_of(&results);
    // Most cells first, then by name; the cell without one is counted apart.
    assert_eq!(
        runner(&finding, "monoio").io_drivers,
        Some(IoDrivers {
            drivers: vec![
                DriverCells {
                    driver: "io_uring".into(),
                    cells: 2
                },
                DriverCells {
                    driver: "epoll (legacy)".into(),
                    cells: 1
                },
            ],
            unrecorded: 1,
        })
    );
    let report = render(&results);
    let disclosures = disclosures(&report);
    assert!(
        disclosures.contains(
            "- **monoio**: io_uring in 2 cells and epoll (legacy) in 1 cell, none recorded in \
             1 cell\n"
        ),
        "{disclosures}"
    );
    let table = parts_table(disclosures);
    assert_eq!(
        parts_row(table, "monoio").last(),
        Some(&"io_uring, epoll (legacy)")
    );
}

#[test]
fn the_io_driver_column_only_where_a_cell_recorded_one() {
    // No cell of a schema-2 file records a driver: no column, no line.
    let report = render(&fixture_v2());
    let v2 = disclosures(&report);
    assert!(!v2.contains("| I/O driver"), "{v2}");
    assert!(!v2.contains("The I/O driver each runner"), "{v2}");
    assert!(!v2.contains("thread-per-core"), "{v2}");
    // A schema-1 file names no part but the timer; one recorded driver makes a
    // parts table of the timer and the driver alone.
    let mut results = fixture();
    let cell = results
        .cells
        .iter_mut()
        .find(|c| c.runner == "smol-mt" && c.workload == "cpu")
        .unwrap();
    cell.io_driver = Some("epoll".into());
    assert_eq!(
        disclosures_of(&results).parts,
        [Part::Timer, Part::IoDriver]
    );
    let report = render(&results);
    let disclosures = disclosures(&report);
    let table = parts_table(disclosures);
    assert_eq!(
        parts_row(table, "Runner"),
        ["Runner", "Timer and reactor", "I/O driver"]
    );
    assert_eq!(parts_row(table, "smol-mt").last(), Some(&"epoll"));
    assert!(
        disclosures.contains("- **smol-mt**: epoll in 1 cell, none recorded in 2 cells\n"),
        "{disclosures}"
    );
    // A family fact only for the families present.
    assert!(!disclosures.contains("thread-per-core"), "{disclosures}");
}

#[test]
fn what_an_outside_crate_added_is_named_first_with_its_crate() {
    let mut results = fixture();
    let origin = crate::model::Origin {
        crate_name: "custom-runtime".into(),
        version: "0.1.0".into(),
    };
    // A runner and a workload of the run, as if an outside crate had added them;
    // a runner of the file with no cells is not named.
    results.runners[1].origin = Some(origin.clone());
    let added_runner = results.runners[1].id.clone();
    let added_workload = results.workloads[0].id.clone();
    results.workloads[0].origin = Some(origin.clone());
    let mut idle = results.runners[2].clone();
    idle.id = "idle".into();
    idle.origin = Some(origin);
    results.runners.push(idle);

    let finding = disclosures_of(&results);
    assert_eq!(
        finding.facts[0],
        HarnessFact::Added {
            crates: vec![crate::sections::disclosures::AddedBy {
                crate_name: "custom-runtime".into(),
                version: "0.1.0".into(),
                runners: vec![added_runner.clone()],
                workloads: vec![added_workload.clone()],
            }]
        }
    );
    assert_eq!(finding.facts[1], HarnessFact::Isolation);
    let report = render(&results);
    let disclosures = disclosures(&report);
    assert!(
        disclosures.contains(&format!(
            "- The runner **{added_runner}** and the workload **{added_workload}** are not \
             rtcompare's: crate `custom-runtime` 0.1.0 added them"
        )),
        "{disclosures}"
    );
    assert!(!disclosures.contains("**idle**"), "{disclosures}");

    // Built-in runners only: no such fact.
    let finding = disclosures_of(&fixture());
    assert!(
        !finding
            .facts
            .iter()
            .any(|f| matches!(f, HarnessFact::Added { .. }))
    );
}

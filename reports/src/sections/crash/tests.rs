//! The crash section on the claims fixture: the fates read from each cell, the
//! rows and outcomes derived from them, and a few of the sentences they become.

use super::derive::*;
use crate::cell_ref::CellRef;
use crate::fates::*;
use crate::judge::Disturbance;
use crate::model::{Cell, Interference, ProcessExit, Results, Status};

fn fixture() -> Results {
    crate::fixtures::claims()
}

/// A process that ended with `code`, having reported its cell or not.
fn exited(code: i32, reported: bool) -> ProcessExit {
    ProcessExit {
        code: Some(code),
        signal: None,
        signal_name: None,
        timed_out: false,
        reported,
    }
}

/// How the fixture's thread-side abort cells died.
fn sigabrt() -> ProcessExit {
    ProcessExit {
        code: None,
        signal: Some(6),
        signal_name: Some("SIGABRT".into()),
        timed_out: false,
        reported: false,
    }
}

fn derived(results: &Results) -> CrashFinding {
    let rank = crate::fixtures::runner_rank(results);
    let workloads = crate::fixtures::workload_order(results);
    derive(results, &rank, &workloads).expect("crash cells")
}

fn rendered(results: &Results) -> String {
    let finding = derived(results);
    let mut out = String::new();
    super::render::render(&finding, &mut out);
    out
}

fn variant_of<'f>(finding: &'f CrashFinding, workload: &str) -> &'f Variant {
    finding
        .variants
        .iter()
        .find(|v| v.workload == workload)
        .unwrap_or_else(|| panic!("no variant {workload} in {finding:?}"))
}

fn cell<'a>(results: &'a Results, runner: &str, workload: &str, threads: usize) -> &'a Cell {
    results
        .cells
        .iter()
        .find(|c| c.runner == runner && c.workload == workload && c.threads == threads)
        .unwrap()
}

/// `runner` named alone (all its cells ended alike).
fn whole(runner: &str) -> RunnerAt {
    RunnerAt {
        runner: runner.into(),
        threads: None,
    }
}

#[test]
fn fates_from_status_measures_and_exit() {
    let results = fixture();
    assert_eq!(
        fate(cell(&results, "processes", ABORT, 2), None),
        Fate::Survived {
            completed: 7,
            lost: 1,
            jobs: 8
        }
    );
    assert_eq!(
        fate(cell(&results, "thread-pool", ABORT, 2), Some(8)),
        Fate::Died { exit: sigabrt() }
    );
    let failed = Fate::Unknown {
        why: Why::Ended(Status::Failed),
    };
    // A failure the cell reported itself: its process did not die.
    let mut other = cell(&results, "thread-pool", ABORT, 2).clone();
    other.error = Some("checksum 0x1 differs from the expected 0x2".into());
    other.exit = Some(exited(1, true));
    assert_eq!(fate(&other, Some(8)), failed);
    // Killed for time: not a crash of its own.
    other.exit = Some(ProcessExit {
        code: None,
        signal: Some(9),
        signal_name: Some("SIGKILL".into()),
        timed_out: true,
        reported: false,
    });
    assert_eq!(fate(&other, Some(8)), failed);
    // The error text alone says nothing: only the recorded exit does.
    other.error = Some("cell process exited with code 101".into());
    other.exit = None;
    assert_eq!(fate(&other, Some(8)), failed);
    other.status = Status::Timeout;
    assert_eq!(
        fate(&other, Some(8)),
        Fate::Unknown {
            why: Why::Ended(Status::Timeout)
        }
    );
    other.status = Status::Failed;
    other.exit = Some(exited(101, false));
    assert_eq!(
        fate(&other, Some(8)),
        Fate::Died {
            exit: exited(101, false)
        }
    );
    // Finished, but without the job counts.
    let mut bare = cell(&results, "processes", ABORT, 2).clone();
    bare.metrics.clear();
    assert_eq!(
        fate(&bare, None),
        Fate::Unknown {
            why: Why::NoJobCounts
        }
    );
    assert_eq!(batch(&results, ABORT), Some(8));
    assert_eq!(variant(ABORT), "abort");
}

#[test]
fn one_row_per_runner_variant_and_outcome() {
    let results = fixture();
    let finding = derived(&results);
    let order: Vec<&str> = finding
        .variants
        .iter()
        .map(|v| v.workload.as_str())
        .collect();
    assert_eq!(order, [PANIC, ABORT]);
    let abort = variant_of(&finding, ABORT);
    assert_eq!(abort.jobs, Some(8));
    let row = |runner: &str| abort.rows.iter().find(|r| r.runner == runner).unwrap();
    assert_eq!(row("processes").threads, [1, 2, 4]);
    assert_eq!(
        row("processes").fate,
        Fate::Survived {
            completed: 7,
            lost: 1,
            jobs: 8
        }
    );
    assert_eq!(row("thread-pool").threads, [1, 2, 4]);
    assert_eq!(row("thread-pool").fate, Fate::Died { exit: sigabrt() });
    // Five runners ran each variant; the async runners do not apply.
    let rows: usize = finding.variants.iter().map(|v| v.rows.len()).sum();
    assert_eq!(rows, 10, "{finding:?}");
    assert!(finding.variants.iter().all(|v| v.disturbed.is_empty()));

    // The wording of the opening and of a dead row.
    let out = rendered(&results);
    assert!(out.starts_with(
        "## Crash isolation\n\n`crash-panic` and `crash-abort` run a batch of jobs of which \
         one fails midway (by panic in `crash-panic` and by abort in `crash-abort`) and keep \
         the results"
    ));
    assert!(
        out.contains(
            "| thread-pool | 1, 2, 4 | abort   |         0 of 8 |         8 | no answer: the \
             process was killed by signal 6 (SIGABRT) |"
        ),
        "{out}"
    );
}

#[test]
fn one_outcome_per_variant() {
    let results = fixture();
    let finding = derived(&results);
    let panic = &variant_of(&finding, PANIC).outcome;
    assert_eq!(panic.contained, Contained::Everywhere);
    assert_eq!(
        panic.kept,
        [Kept {
            completed: 7,
            jobs: 8,
            runners: ["seq", "threads", "thread-pool", "processes", "gil"]
                .map(whole)
                .to_vec(),
        }]
    );
    assert!(panic.died.is_empty() && panic.unknown.is_empty());

    let abort = &variant_of(&finding, ABORT).outcome;
    assert_eq!(abort.contained, Contained::SomeRunners);
    assert_eq!(
        abort.kept,
        [Kept {
            completed: 7,
            jobs: 8,
            runners: vec![whole("processes")],
        }]
    );
    assert_eq!(
        abort.died,
        [Died {
            exit: sigabrt(),
            runners: ["seq", "threads", "thread-pool", "gil"].map(whole).to_vec(),
        }]
    );

    let out = rendered(&results);
    assert!(
        out.contains(
            "- **crash-abort** (8 jobs; one fails by abort): contained on some runners only: \
             processes kept 7 of 8 jobs. On seq, threads, thread-pool and gil it killed the \
             whole cell process (killed by signal 6 (SIGABRT)), 0 of 8 kept.\n"
        ),
        "{out}"
    );
}

#[test]
fn mixed_outcomes_of_one_runner_name_the_thread_counts() {
    let mut results = fixture();
    for c in &mut results.cells {
        if c.runner == "processes" && c.workload == ABORT && c.threads == 4 {
            c.status = Status::Timeout;
            c.error = Some("exceeded the 60 s cell time limit and was killed".into());
            c.metrics.clear();
        }
    }
    let finding = derived(&results);
    let abort = variant_of(&finding, ABORT);
    let timeout = Fate::Unknown {
        why: Why::Ended(Status::Timeout),
    };
    assert!(
        abort
            .rows
            .iter()
            .any(|r| r.runner == "processes" && r.threads == [4] && r.fate == timeout),
        "{abort:?}"
    );
    let outcome = &abort.outcome;
    assert_eq!(outcome.contained, Contained::SomeRunners);
    assert_eq!(
        outcome.kept[0].runners,
        [RunnerAt {
            runner: "processes".into(),
            threads: Some(vec![1, 2]),
        }]
    );
    assert_eq!(
        outcome.unknown,
        [NotKnown {
            runner: RunnerAt {
                runner: "processes".into(),
                threads: Some(vec![4]),
            },
            why: Why::Ended(Status::Timeout),
        }]
    );

    let out = rendered(&results);
    assert!(
        out.contains("processes at 1 and 2 threads kept 7 of 8 jobs"),
        "{out}"
    );
    assert!(
        out.contains(". Not known on processes at 4 threads: timeout."),
        "{out}"
    );
    assert!(
        out.contains(
            "| processes   |       4 | abort   |              — |         — | no answer: timeout"
        ),
        "{out}"
    );
}

#[test]
fn contained_nowhere_or_not_known() {
    let mut results = fixture();
    for c in &mut results.cells {
        if c.runner == "processes" && c.workload == ABORT {
            c.status = Status::Failed;
            c.error = Some("cell process exited with code 134: worker lost".into());
            c.exit = Some(exited(134, false));
            c.metrics.clear();
        }
        if c.workload == PANIC && c.applies() {
            c.status = Status::Timeout;
        }
    }
    let finding = derived(&results);
    let abort = &variant_of(&finding, ABORT).outcome;
    assert_eq!(abort.contained, Contained::Nowhere);
    let died: Vec<(&ProcessExit, usize)> = abort
        .died
        .iter()
        .map(|d| (&d.exit, d.runners.len()))
        .collect();
    assert_eq!(died, [(&sigabrt(), 4), (&exited(134, false), 1)]);
    assert_eq!(abort.died[1].runners, [whole("processes")]);

    let panic = &variant_of(&finding, PANIC).outcome;
    assert_eq!(panic.contained, Contained::NotKnown);
    assert_eq!(panic.unknown.len(), 5);
    assert!(
        panic
            .unknown
            .iter()
            .all(|u| u.why == Why::Ended(Status::Timeout) && u.runner.threads.is_none())
    );

    let out = rendered(&results);
    assert!(
        out.contains(
            "- **crash-abort** (8 jobs; one fails by abort): contained nowhere. On seq, \
             threads, thread-pool and gil (killed by signal 6 (SIGABRT)) and processes \
             (exited with code 134) it killed the whole cell process, 0 of 8 kept.\n"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "- **crash-panic** (8 jobs; one fails by panic): what it took is not known \
             (seq: timeout, threads: timeout, thread-pool: timeout, processes: timeout and \
             gil: timeout).\n"
        ),
        "{out}"
    );
}

#[test]
fn disturbed_cells_are_shown_but_left_out_of_the_outcome() {
    let mut results = fixture();
    for c in &mut results.cells {
        if c.runner == "processes" && c.workload == ABORT && c.threads == 2 {
            c.interference = Some(Interference {
                disturbed_samples: 1,
                foreign_cores_max: 0.8,
                ..Interference::default()
            });
        }
    }
    let finding = derived(&results);
    let abort = variant_of(&finding, ABORT);
    assert_eq!(
        abort.disturbed,
        [Disturbance {
            cell: CellRef {
                runner: "processes".into(),
                workload: ABORT.into(),
                threads: 2,
            },
            foreign_cores_max: 0.8,
            disturbed_samples: 1,
            samples: cell(&results, "processes", ABORT, 2).samples.len(),
            retaken: 0,
        }]
    );
    assert!(
        abort
            .rows
            .iter()
            .any(|r| r.runner == "processes" && r.threads == [2] && r.disturbed)
    );
    // Its undisturbed rows alone decide: one row left, so named without threads.
    assert_eq!(abort.outcome.kept[0].runners, [whole("processes")]);
    let out = rendered(&results);
    assert!(out.contains("| processes § |       2 |"), "{out}");
    assert!(out.contains("§ Disturbed by other load"), "{out}");
}

#[test]
fn absent_without_crash_cells() {
    let mut results = fixture();
    // Cells that do not apply (the async runners) do not make a section.
    results
        .cells
        .retain(|c| !c.workload.starts_with(PREFIX) || !c.applies());
    let rank = crate::fixtures::runner_rank(&results);
    let workloads = crate::fixtures::workload_order(&results);
    assert!(derive(&results, &rank, &workloads).is_none());
    let report = super::Report::new(&results, &[]);
    assert!(!crate::sections::findings(&report).contains_key("crash-isolation"));
}

#[test]
fn findings_carry_the_variants_under_the_section_id() {
    let results = fixture();
    let report = super::Report::new(&results, &[]);
    let findings = crate::sections::findings(&report);
    let crash = &findings["crash-isolation"];
    assert_eq!(crash["variants"][1]["workload"], ABORT);
    assert_eq!(crash["variants"][1]["outcome"]["contained"], "SomeRunners");
    assert_eq!(
        crash["variants"][1]["outcome"]["died"][0]["exit"]["signal"],
        6
    );
    assert_eq!(
        crash["variants"][0]["rows"][0]["fate"]["Survived"]["completed"],
        7
    );
}

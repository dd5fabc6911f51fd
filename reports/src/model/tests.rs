//! The schema migration's reading of older files, and which versions are read.

use super::migrate::exit_from_schema_3_error;
use super::*;

fn died(code: Option<i32>, signal: Option<i32>, name: Option<&str>) -> ProcessExit {
    ProcessExit {
        code,
        signal,
        signal_name: name.map(str::to_owned),
        timed_out: false,
        reported: false,
    }
}

#[test]
fn schema_3_error_text_is_read_into_the_exit() {
    let read = exit_from_schema_3_error;
    assert_eq!(
        read("cell process killed by signal 6 (SIGABRT): crash-abort: job 4 aborts"),
        Some(died(None, Some(6), Some("SIGABRT")))
    );
    assert_eq!(
        read("cell process killed by signal 15 (signal)"),
        Some(died(None, Some(15), None))
    );
    assert_eq!(
        read("cell process exited with code 101: thread 'main' panicked"),
        Some(died(Some(101), None, None))
    );
    assert_eq!(
        read("cell process ended abnormally"),
        Some(died(None, None, None))
    );
    assert_eq!(read("cannot start the cell process: no such file"), None);
    assert_eq!(read("panicked at src/lib.rs:1: boom"), None);
}

#[test]
fn an_exit_describes_itself_as_the_old_harness_did() {
    for text in [
        "killed by signal 6 (SIGABRT)",
        "exited with code 134",
        "ended abnormally",
    ] {
        let exit = exit_from_schema_3_error(&format!("cell process {text}: last line"));
        assert_eq!(exit.unwrap().describe(), text);
    }
}

#[test]
fn only_old_files_are_migrated() {
    let text = include_str!("../../tests/fixtures/results-claims.json");
    let mut results: Results = serde_json::from_str(text).unwrap();
    migrate(&mut results, u64::from(SCHEMA_VERSION));
    assert!(results.cells.iter().all(|c| c.exit.is_none()));
    migrate(&mut results, 2);
    let died: Vec<&Cell> = results.cells.iter().filter(|c| c.exit.is_some()).collect();
    assert_eq!(died.len(), 8);
    assert!(died.iter().all(|c| c.exit.as_ref().unwrap().died()));
}

#[test]
fn every_schema_from_the_oldest_is_read_as_this_one() {
    use std::path::Path;
    assert_eq!(SCHEMA_VERSION, 8);
    // The schema-1 fixture under every version number this build reads: every
    // field added since is optional.
    let text = include_str!("../../tests/fixtures/results.json");
    for version in OLDEST_READABLE_SCHEMA..=SCHEMA_VERSION + 1 {
        let text = text.replacen(
            "\"schema_version\": 1,",
            &format!("\"schema_version\": {version},"),
            1,
        );
        let read = crate::parse(Path::new("results.json"), &text);
        if version > SCHEMA_VERSION {
            assert!(matches!(read, Err(crate::FileError::Schema { .. })));
            continue;
        }
        let results = read.unwrap_or_else(|e| panic!("version {version}: {e}"));
        assert_eq!(results.schema_version, SCHEMA_VERSION);
        assert!(results.cells.iter().all(|c| c.io_driver.is_none()));
        // Schema 7's fields are empty in every older file.
        assert!(results.machine.interpreters.is_empty());
        assert!(results.runners.iter().all(|r| r.baseline.is_none()));
        assert!(results.cells.iter().all(|c| c.interpreter.is_none()));
        // Schema 8's: nothing in an older file came from an outside crate.
        assert!(results.runners.iter().all(|r| r.origin.is_none()));
        assert!(results.workloads.iter().all(|w| w.origin.is_none()));
    }
    // A schema-5 file as written: no cell has a driver.
    let network = crate::fixtures::network();
    assert!(network.cells.iter().all(|c| c.io_driver.is_none()));
}

#[test]
fn an_outside_crates_runner_and_workload_say_so_and_round_trip() {
    let mut results = crate::fixtures::per_core();
    let origin = Origin {
        crate_name: "custom-runtime".into(),
        version: "0.1.0".into(),
    };
    results.runners[0].origin = Some(origin.clone());
    results.workloads[0].origin = Some(origin);
    let text = serde_json::to_string_pretty(&results).unwrap();
    let compact = serde_json::to_string(&results.runners[0]).unwrap();
    assert!(
        compact.ends_with(r#""origin":{"crate":"custom-runtime","version":"0.1.0"}}"#),
        "{compact}"
    );
    // Written only where there is one: built-in runners and workloads carry none.
    assert_eq!(text.matches("\"origin\"").count(), 2);
    let back: Results = serde_json::from_str(&text).unwrap();
    assert_eq!(back, results);
}

#[test]
fn thread_per_core_cells_and_their_io_driver_round_trip() {
    let results = crate::fixtures::per_core();
    let monoio: Vec<&Cell> = results
        .cells
        .iter()
        .filter(|c| c.runner == "monoio")
        .collect();
    assert_eq!(monoio.len(), 3);
    for cell in &monoio {
        assert_eq!(cell.family, Family::ThreadPerCore);
        assert_eq!(cell.io_driver.as_deref(), Some("io_uring"));
    }
    let text = serde_json::to_string_pretty(&results).unwrap();
    assert!(text.contains("\"family\": \"thread-per-core\""));
    assert!(text.contains("\"io_driver\": \"io_uring\""));
    // Written only where recorded.
    assert_eq!(
        text.matches("\"io_driver\"").count(),
        results
            .cells
            .iter()
            .filter(|c| c.io_driver.is_some())
            .count()
    );
    let back: Results = serde_json::from_str(&text).unwrap();
    assert_eq!(back, results);
}

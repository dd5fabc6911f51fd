//! The schema migration's reading of older files.

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

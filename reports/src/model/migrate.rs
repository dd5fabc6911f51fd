//! Reading older schemas: what a file of an earlier schema wrote another way is
//! brought into this build's fields once, at load, so nothing after loading
//! depends on the schema a file was written with.

use super::{ProcessExit, Results, Status};

/// Brings a file of schema `from` up to this build's reading of it: fields added
/// since are absent and stay so, except where an older file wrote the same fact
/// another way.
///
/// Migration of old files only (schemas 1–3): their harness recorded how a dead
/// cell process ended only in the cell's error text, `cell process killed by
/// signal 6 (SIGABRT): <last stderr line>`. That text is read once here into
/// [`Cell::exit`], so nothing after loading parses error text.
///
/// [`Cell::exit`]: super::Cell::exit
pub(crate) fn migrate(results: &mut Results, from: u64) {
    if from < 4 {
        for cell in &mut results.cells {
            if cell.status == Status::Failed && cell.exit.is_none() {
                cell.exit = cell.error.as_deref().and_then(exit_from_schema_3_error);
            }
        }
    }
}

/// The [`ProcessExit`] that a schema 1–3 harness described in `error` when the
/// cell's process ended without reporting, `None` for any other error.
pub(super) fn exit_from_schema_3_error(error: &str) -> Option<ProcessExit> {
    let rest = error.trim().strip_prefix("cell process ")?;
    let how = rest.split(": ").next().unwrap_or(rest).trim();
    let died = |code, signal, signal_name| ProcessExit {
        code,
        signal,
        signal_name,
        timed_out: false,
        reported: false,
    };
    if let Some(code) = how.strip_prefix("exited with code ") {
        return Some(died(Some(code.parse().ok()?), None, None));
    }
    if let Some(signal) = how.strip_prefix("killed by signal ") {
        let (number, name) = match signal.split_once(' ') {
            Some((number, name)) => (number, Some(name)),
            None => (signal, None),
        };
        let name = name
            .and_then(|n| n.strip_prefix('(')?.strip_suffix(')'))
            // That harness wrote `(signal)` for a signal it had no name for.
            .filter(|n| *n != "signal")
            .map(str::to_owned);
        return Some(died(None, Some(number.parse().ok()?), name));
    }
    (how == "ended abnormally").then(|| died(None, None, None))
}

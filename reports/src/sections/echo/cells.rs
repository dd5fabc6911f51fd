//! How a runner and a step read in any of the section's tables (the name with
//! its marks, a throughput with its floor mark, the generator's column header),
//! shared by the report's tables and the details' steps.

use super::{Runner, Step, Table};
use crate::format::thousands;
use crate::judge::DISTURBED;
use crate::network::{FLOOR, IN_CELL_CLIENTS};
use crate::text::NONE;
use std::fmt::Write as _;

/// Whether some row of `table` was measured by the external generator: the
/// tables then have its columns.
pub(super) fn served(table: &Table) -> bool {
    table.runners.iter().any(|r| !r.in_cell_clients)
}

/// `Generator [cores of 2]`.
pub(super) fn generator_header(logical_cores: usize) -> String {
    format!("Generator [cores of {logical_cores}]")
}

pub(super) fn or_none(value: Option<String>) -> String {
    value.unwrap_or_else(|| NONE.into())
}

/// A step's throughput, `≥` before it where the generator limited the step.
pub(super) fn throughput(s: &Step) -> String {
    match s.throughput_per_s {
        Some(t) if s.generator_bound.is_some() => format!("{FLOOR} {}", thousands(t)),
        Some(t) => thousands(t),
        None => NONE.into(),
    }
}

/// The runner with its marks: note numbers, ¶ and §.
pub(super) fn name(r: &Runner) -> String {
    let mut text = r.runner.clone();
    if !r.notes.is_empty() {
        let marks: Vec<String> = r
            .notes
            .iter()
            .map(|&n| crate::format::superscript(n))
            .collect();
        write!(text, " {}", marks.join(" ")).expect("write to String");
    }
    if r.in_cell_clients {
        write!(text, " {IN_CELL_CLIENTS}").expect("write to String");
    }
    if r.disturbed {
        write!(text, " {DISTURBED}").expect("write to String");
    }
    text
}

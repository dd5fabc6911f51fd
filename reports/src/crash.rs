//! The report section "Crash isolation", rendered when a run has cells of the
//! opt-in crash workloads (ids starting [`PREFIX`]): J jobs of which one fails
//! midway, by panicking ([`PANIC`]) or by aborting the process it runs in
//! ([`ABORT`]), and the jobs that complete are kept and verified.
//!
//! What a failure takes with it is read from each cell: a cell that finished
//! reports how many jobs completed and were lost (the measures [`JOBS`],
//! [`JOBS_COMPLETED`] and [`JOBS_LOST`]) and so produced a partial answer; a cell
//! whose process died has no numbers at all, only the harness's record of how it
//! ended ([`Cell::exit`]): then nothing survived. The table shows both, per
//! runner and variant (thread counts with the same outcome share a row); one
//! sentence per variant says which runners contained the failure and which lost
//! the whole batch.

use crate::model::{Cell, Results, Status};
use crate::table::{Align, Table};
use crate::text::{NONE, join_and};
use rtcompare_api::ids;
use std::fmt::Write as _;

/// The section's heading, also named where other sections point to it.
pub(crate) const TITLE: &str = "Crash isolation";

/// Workload ids of the crash workloads start with this.
pub(crate) const PREFIX: &str = ids::workload::CRASH_PREFIX;
/// One job panics: the failure unwinds the thread it runs on.
pub(crate) const PANIC: &str = ids::workload::CRASH_PANIC;
/// One job aborts: the failure ends the process it runs in.
pub(crate) const ABORT: &str = ids::workload::CRASH_ABORT;
/// The workload measure: jobs submitted (J).
pub(crate) const JOBS: &str = ids::metric::JOBS;
/// The workload measure: jobs whose result was kept.
pub(crate) const JOBS_COMPLETED: &str = ids::metric::JOBS_COMPLETED;
/// The workload measure: jobs that failed or died with another.
pub(crate) const JOBS_LOST: &str = ids::metric::JOBS_LOST;

/// What became of one crash cell.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Fate {
    /// The cell finished with the results of `completed` of `jobs` jobs.
    Survived {
        /// Jobs whose result was kept.
        completed: usize,
        /// Jobs lost.
        lost: usize,
        /// Jobs submitted.
        jobs: usize,
    },
    /// The cell's process died, `how` (`killed by signal 6 (SIGABRT)`): no job's
    /// result survived.
    Died {
        /// How the process ended, as the harness said.
        how: String,
    },
    /// The cell timed out, or failed for a reason other than its process dying, or
    /// finished without the job counts: what the failure took is unknown.
    Unknown {
        /// The cell's status, or `no job counts`.
        why: String,
    },
}

impl Fate {
    /// Whether the cell produced (part of) an answer.
    pub(crate) fn survived(&self) -> bool {
        matches!(self, Fate::Survived { .. })
    }
}

/// The fate of `cell`, a crash cell that applies. `jobs` is the batch size when
/// the cell itself does not say it (a process that died reports nothing).
pub(crate) fn fate(cell: &Cell, jobs: Option<usize>) -> Fate {
    let count = |key: &str| {
        cell.metrics
            .get(key)
            .filter(|v| v.is_finite() && **v >= 0.0)
            .map(|v| v.round() as usize)
    };
    match cell.status {
        Status::Ok => match (count(JOBS_COMPLETED), count(JOBS).or(jobs)) {
            (Some(completed), Some(jobs)) => Fate::Survived {
                completed,
                lost: count(JOBS_LOST).unwrap_or(jobs.saturating_sub(completed)),
                jobs,
            },
            _ => Fate::Unknown {
                why: "no job counts".into(),
            },
        },
        Status::Failed => match &cell.exit {
            Some(exit) if exit.died() => Fate::Died {
                how: exit.describe(),
            },
            _ => Fate::Unknown {
                why: "failed".into(),
            },
        },
        other => Fate::Unknown {
            why: other.as_str().into(),
        },
    }
}

/// The batch size of `workload`: what any of its cells reports or was given.
pub(crate) fn batch(results: &Results, workload: &str) -> Option<usize> {
    let cells = || results.cells.iter().filter(|c| c.workload == workload);
    cells()
        .find_map(|c| c.metrics.get(JOBS).copied())
        .or_else(|| cells().find_map(|c| c.param(JOBS)))
        .filter(|v| v.is_finite() && *v >= 0.0)
        .map(|v| v.round() as usize)
}

/// `panic` for `crash-panic`.
pub(crate) fn variant(workload: &str) -> &str {
    workload.strip_prefix(PREFIX).unwrap_or(workload)
}

/// Whether the run has any crash cell that applies.
pub(crate) fn present(results: &Results) -> bool {
    results
        .cells
        .iter()
        .any(|c| c.workload.starts_with(PREFIX) && c.applies())
}

/// `7 of 8`, or `7` when the batch size is unknown.
fn of(n: usize, jobs: Option<usize>) -> String {
    match jobs {
        Some(j) => format!("{n} of {j}"),
        None => n.to_string(),
    }
}

/// One row of the table: the cells of one runner and variant that ended alike.
struct Row<'a> {
    runner: &'a str,
    workload: &'a str,
    threads: Vec<usize>,
    fate: Fate,
    /// Other load disturbed these cells: shown, marked, but left out of the finding.
    disturbed: bool,
}

/// Writes the section. `rank` orders runners as the rest of the report does;
/// `workloads` is the report's workload order (variants follow it).
pub(crate) fn section(
    results: &Results,
    rank: &dyn Fn(&str) -> usize,
    workloads: &[&str],
    out: &mut String,
) {
    let variant_rank = |w: &str| workloads.iter().position(|x| *x == w).unwrap_or(usize::MAX);
    let mut cells: Vec<&Cell> = results
        .cells
        .iter()
        .filter(|c| c.workload.starts_with(PREFIX) && c.applies())
        .collect();
    cells.sort_by_key(|c| (variant_rank(&c.workload), rank(&c.runner), c.threads));
    let mut variants: Vec<&str> = Vec::new();
    for cell in &cells {
        if !variants.contains(&cell.workload.as_str()) {
            variants.push(&cell.workload);
        }
    }

    let mut rows: Vec<Row<'_>> = Vec::new();
    for cell in &cells {
        let fate = fate(cell, batch(results, &cell.workload));
        match rows.iter_mut().find(|r| {
            r.runner == cell.runner
                && r.workload == cell.workload
                && r.fate == fate
                && r.disturbed == cell.disturbed()
        }) {
            Some(row) => row.threads.push(cell.threads),
            None => rows.push(Row {
                runner: &cell.runner,
                workload: &cell.workload,
                threads: vec![cell.threads],
                fate,
                disturbed: cell.disturbed(),
            }),
        }
    }

    writeln!(out, "## {TITLE}\n").expect("write to String");
    let how: Vec<String> = variants
        .iter()
        .map(|w| format!("by {} in `{w}`", variant(w)))
        .collect();
    writeln!(
        out,
        "{} a batch of jobs of which one fails midway ({}) and keep{} the results of the jobs \
         that complete. Whether a failure takes only its own job or the whole process depends \
         on where the jobs run: a cell that finished gave a partial answer; a cell whose process \
         died gave none. Cells that do not apply are listed under each workload below.\n",
        match variants.as_slice() {
            [one] => format!("`{one}` runs"),
            _ => format!(
                "{} run",
                join_and(
                    &variants
                        .iter()
                        .map(|w| format!("`{w}`"))
                        .collect::<Vec<_>>()
                )
            ),
        },
        join_and(&how),
        if variants.len() == 1 { "s" } else { "" },
    )
    .expect("write to String");

    let mut table = Table::new([
        ("Runner", Align::Left),
        ("Threads", Align::Right),
        ("Variant", Align::Left),
        ("Jobs completed", Align::Right),
        ("Jobs lost", Align::Right),
        ("Outcome", Align::Left),
    ]);
    for row in &rows {
        let jobs = batch(results, row.workload);
        let threads: Vec<String> = row.threads.iter().map(ToString::to_string).collect();
        let (completed, lost, outcome) = match &row.fate {
            Fate::Survived {
                completed,
                lost,
                jobs,
            } => (
                of(*completed, Some(*jobs)),
                lost.to_string(),
                if *lost == 0 {
                    "complete answer: the cell finished".to_owned()
                } else {
                    "partial answer: the cell finished".to_owned()
                },
            ),
            Fate::Died { how } => (
                of(0, jobs),
                jobs.map_or("all".into(), |j| j.to_string()),
                format!("no answer: the process was {how}"),
            ),
            Fate::Unknown { why } => (NONE.into(), NONE.into(), format!("no answer: {why}")),
        };
        table.push_row(vec![
            format!("{}{}", row.runner, if row.disturbed { " §" } else { "" }),
            threads.join(", "),
            variant(row.workload).to_owned(),
            completed,
            lost,
            outcome,
        ]);
    }
    out.push_str(&table.to_markdown());
    out.push('\n');
    if let Some(note) = crate::judge::disturbed_note(&cells) {
        writeln!(out, "{note}\n").expect("write to String");
    }
    for workload in &variants {
        // Disturbed cells take no part in the finding (see `judge`).
        let mine: Vec<&Row<'_>> = rows
            .iter()
            .filter(|r| r.workload == *workload && !r.disturbed)
            .collect();
        writeln!(
            out,
            "- {}",
            finding(workload, batch(results, workload), &mine)
        )
        .expect("write to String");
    }
    out.push('\n');
}

/// The runners of `rows`, each once, in order; a runner that appears with other
/// outcomes elsewhere in `all` is named with its thread counts.
fn runners(rows: &[&Row<'_>], all: &[&Row<'_>]) -> String {
    let mut names: Vec<String> = Vec::new();
    for row in rows {
        let split = all.iter().filter(|r| r.runner == row.runner).count() > 1;
        let name = if split {
            let counts: Vec<String> = row.threads.iter().map(ToString::to_string).collect();
            format!("{} at {} threads", row.runner, join_and(&counts))
        } else {
            row.runner.to_owned()
        };
        if !names.contains(&name) {
            names.push(name);
        }
    }
    join_and(&names)
}

/// One sentence on `workload`: which runners contained its failure (and kept how
/// many jobs), on which it killed the whole cell process, and where the outcome is
/// unknown.
fn finding(workload: &str, jobs: Option<usize>, rows: &[&Row<'_>]) -> String {
    let head = match jobs {
        Some(j) => format!(
            "**{workload}** ({j} jobs; one fails by {})",
            variant(workload)
        ),
        None => format!("**{workload}** (one job fails by {})", variant(workload)),
    };
    let survived: Vec<&Row<'_>> = rows.iter().copied().filter(|r| r.fate.survived()).collect();
    let died: Vec<&Row<'_>> = rows
        .iter()
        .copied()
        .filter(|r| matches!(r.fate, Fate::Died { .. }))
        .collect();
    let unknown: Vec<&Row<'_>> = rows
        .iter()
        .copied()
        .filter(|r| matches!(r.fate, Fate::Unknown { .. }))
        .collect();

    // Survivors grouped by what they kept.
    let mut kept: Vec<((usize, usize), Vec<&Row<'_>>)> = Vec::new();
    for row in &survived {
        if let Fate::Survived {
            completed, jobs, ..
        } = row.fate
        {
            match kept.iter_mut().find(|(k, _)| *k == (completed, jobs)) {
                Some((_, members)) => members.push(row),
                None => kept.push(((completed, jobs), vec![row])),
            }
        }
    }
    let kept_text: Vec<String> = kept
        .iter()
        .map(|((completed, jobs), members)| {
            format!("{} kept {completed} of {jobs} jobs", runners(members, rows))
        })
        .collect();
    // The dead grouped by how they died.
    let mut hows: Vec<(&str, Vec<&Row<'_>>)> = Vec::new();
    for row in &died {
        if let Fate::Died { how } = &row.fate {
            match hows.iter_mut().find(|(h, _)| *h == how.as_str()) {
                Some((_, members)) => members.push(row),
                None => hows.push((how, vec![row])),
            }
        }
    }
    // One way of dying: said once after the runners; several: after each group.
    let died_text = match hows.as_slice() {
        [(how, members)] => format!(
            "on {} it killed the whole cell process ({how})",
            runners(members, rows)
        ),
        _ => {
            let groups: Vec<String> = hows
                .iter()
                .map(|(how, members)| format!("{} ({how})", runners(members, rows)))
                .collect();
            format!("on {} it killed the whole cell process", join_and(&groups))
        }
    };
    let lost_all = format!("{} kept", of(0, jobs));
    let every = if unknown.is_empty() {
        "on every runner"
    } else {
        "wherever the outcome is known"
    };

    let whys: Vec<String> = unknown
        .iter()
        .filter_map(|r| match &r.fate {
            Fate::Unknown { why } => Some(format!("{}: {why}", runners(&[r], rows))),
            _ => None,
        })
        .collect();
    let mut text = head;
    text.push_str(": ");
    match (survived.is_empty(), died.is_empty()) {
        (false, true) => write!(text, "contained {every}: {}", join_and(&kept_text)),
        (false, false) => write!(
            text,
            "contained on some runners only: {}; {died_text}, {lost_all}",
            join_and(&kept_text)
        ),
        (true, false) => write!(text, "contained nowhere: {died_text}, {lost_all}"),
        (true, true) => write!(text, "what it took is not known ({})", join_and(&whys)),
    }
    .expect("write to String");
    let known = !survived.is_empty() || !died.is_empty();
    if known && !whys.is_empty() {
        write!(text, "; not known on {}", join_and(&whys)).expect("write to String");
    }
    text.push('.');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ProcessExit;

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

    fn render(results: &Results) -> String {
        let rank = crate::fixtures::runner_rank(results);
        let workloads = crate::fixtures::workload_order(results);
        let mut out = String::new();
        section(results, &rank, &workloads, &mut out);
        out
    }

    fn cell<'a>(results: &'a Results, runner: &str, workload: &str, threads: usize) -> &'a Cell {
        results
            .cells
            .iter()
            .find(|c| c.runner == runner && c.workload == workload && c.threads == threads)
            .unwrap()
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
            Fate::Died {
                how: "killed by signal 6 (SIGABRT)".into()
            }
        );
        // A failure the cell reported itself: its process did not die.
        let mut other = cell(&results, "thread-pool", ABORT, 2).clone();
        other.error = Some("checksum 0x1 differs from the expected 0x2".into());
        other.exit = Some(exited(1, true));
        assert_eq!(
            fate(&other, Some(8)),
            Fate::Unknown {
                why: "failed".into()
            }
        );
        // Killed for time: not a crash of its own.
        other.exit = Some(ProcessExit {
            code: None,
            signal: Some(9),
            signal_name: Some("SIGKILL".into()),
            timed_out: true,
            reported: false,
        });
        assert_eq!(
            fate(&other, Some(8)),
            Fate::Unknown {
                why: "failed".into()
            }
        );
        // The error text alone says nothing: only the recorded exit does.
        other.error = Some("cell process exited with code 101".into());
        other.exit = None;
        assert_eq!(
            fate(&other, Some(8)),
            Fate::Unknown {
                why: "failed".into()
            }
        );
        other.status = Status::Timeout;
        assert_eq!(
            fate(&other, Some(8)),
            Fate::Unknown {
                why: "timeout".into()
            }
        );
        other.status = Status::Failed;
        other.exit = Some(exited(101, false));
        assert_eq!(
            fate(&other, Some(8)),
            Fate::Died {
                how: "exited with code 101".into()
            }
        );
        assert_eq!(batch(&results, ABORT), Some(8));
    }

    /// The table rows of `out`, cells trimmed, header and rule left out.
    fn rows(out: &str) -> Vec<Vec<String>> {
        out.lines()
            .filter(|l| l.starts_with("| ") && !l.starts_with("| Runner") && !l.starts_with("| -"))
            .map(|l| {
                l.trim_matches('|')
                    .split('|')
                    .map(|c| c.trim().to_owned())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn one_row_per_runner_variant_and_outcome() {
        let out = render(&fixture());
        assert!(out.starts_with(
            "## Crash isolation\n\n`crash-panic` and `crash-abort` run a batch of jobs of which \
             one fails midway (by panic in `crash-panic` and by abort in `crash-abort`) and keep \
             the results"
        ));
        let rows = rows(&out);
        assert!(
            rows.contains(
                &[
                    "processes",
                    "1, 2, 4",
                    "abort",
                    "7 of 8",
                    "1",
                    "partial answer: the cell finished"
                ]
                .map(String::from)
                .to_vec()
            ),
            "{out}"
        );
        assert!(
            rows.contains(
                &[
                    "thread-pool",
                    "1, 2, 4",
                    "abort",
                    "0 of 8",
                    "8",
                    "no answer: the process was killed by signal 6 (SIGABRT)"
                ]
                .map(String::from)
                .to_vec()
            ),
            "{out}"
        );
        // Five runners ran each variant; the async runners do not apply.
        assert_eq!(rows.len(), 10, "{out}");
    }

    #[test]
    fn one_sentence_per_variant() {
        let out = render(&fixture());
        assert!(
            out.contains(
                "- **crash-panic** (8 jobs; one fails by panic): contained on every runner: seq, \
                 threads, thread-pool, processes and gil kept 7 of 8 jobs.\n"
            ),
            "{out}"
        );
        assert!(
            out.contains(
                "- **crash-abort** (8 jobs; one fails by abort): contained on some runners only: \
                 processes kept 7 of 8 jobs; on seq, threads, thread-pool and gil it killed the \
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
        let out = render(&results);
        assert!(
            out.contains("processes at 1 and 2 threads kept 7 of 8 jobs"),
            "{out}"
        );
        assert!(
            out.contains("; not known on processes at 4 threads: timeout."),
            "{out}"
        );
        assert!(
            rows(&out).contains(
                &["processes", "4", "abort", "—", "—", "no answer: timeout"]
                    .map(String::from)
                    .to_vec()
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
        let out = render(&results);
        assert!(
            out.contains(
                "- **crash-abort** (8 jobs; one fails by abort): contained nowhere: on seq, \
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
    fn absent_without_crash_cells() {
        let mut results = fixture();
        assert!(present(&results));
        // Cells that do not apply (the async runners) do not make a section.
        results
            .cells
            .retain(|c| !c.workload.starts_with(PREFIX) || !c.applies());
        assert!(!present(&results));
    }
}

//! The section in Markdown, formatted from a [`CrashFinding`] alone: the opening paragraph, one table row per [`Row`], and one sentence per variant
//! saying which runners contained the failure and which lost the whole batch.

use super::TITLE;
use super::derive::{Contained, CrashFinding, Outcome, Row, RunnerAt, Variant};
use crate::fates::{Fate, Why, variant};
use crate::table::{Align, Table};
use crate::text::{NONE, join_and};
use std::fmt::Write as _;

/// Writes `finding` as the section.
pub(super) fn render(finding: &CrashFinding, out: &mut String) {
    writeln!(out, "## {TITLE}\n").expect("write to String");
    intro(finding, out);
    let mut table = Table::new([
        ("Runner", Align::Left),
        ("Threads", Align::Right),
        ("Variant", Align::Left),
        ("Jobs completed", Align::Right),
        ("Jobs lost", Align::Right),
        ("Outcome", Align::Left),
    ]);
    for v in &finding.variants {
        for row in &v.rows {
            table.push_row(table_row(v, row));
        }
    }
    out.push_str(&table.to_markdown());
    out.push('\n');
    let disturbed: Vec<_> = finding
        .variants
        .iter()
        .flat_map(|v| v.disturbed.iter().cloned())
        .collect();
    if let Some(note) = crate::judge::disturbed_note(&disturbed) {
        writeln!(out, "{note}\n").expect("write to String");
    }
    for v in &finding.variants {
        writeln!(out, "- {}", sentence(v)).expect("write to String");
    }
    out.push('\n');
}

/// The paragraph under the heading: what the variants do.
fn intro(finding: &CrashFinding, out: &mut String) {
    let ids: Vec<&str> = finding
        .variants
        .iter()
        .map(|v| v.workload.as_str())
        .collect();
    let how: Vec<String> = ids
        .iter()
        .map(|w| format!("by {} in `{w}`", variant(w)))
        .collect();
    let quoted: Vec<String> = ids.iter().map(|w| format!("`{w}`")).collect();
    writeln!(
        out,
        "{} a batch of jobs of which one fails midway ({}) and keep{} the results of the jobs \
         that complete. Whether a failure takes only its own job or the whole process depends \
         on where the jobs run. A cell that finished gave a partial answer; a cell whose process \
         died gave none. Cells that do not apply are listed under each workload's table in [the \
         details]({}).\n",
        match quoted.as_slice() {
            [one] => format!("{one} runs"),
            _ => format!("{} run", join_and(&quoted)),
        },
        join_and(&how),
        if ids.len() == 1 { "s" } else { "" },
        crate::text::DETAILS_FILE,
    )
    .expect("write to String");
}

/// `7 of 8`, or `7` when the batch size is unknown.
fn of(n: usize, jobs: Option<usize>) -> String {
    match jobs {
        Some(j) => format!("{n} of {j}"),
        None => n.to_string(),
    }
}

/// `timeout`, `no job counts`.
fn why_text(why: Why) -> &'static str {
    match why {
        Why::NoJobCounts => "no job counts",
        Why::Ended(status) => status.as_str(),
    }
}

/// The table's cells for `row` of `v`.
fn table_row(v: &Variant, row: &Row) -> Vec<String> {
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
        Fate::Died { exit } => (
            of(0, v.jobs),
            v.jobs.map_or("all".into(), |j| j.to_string()),
            format!("no answer: the process was {}", exit.describe()),
        ),
        Fate::Unknown { why } => (
            NONE.into(),
            NONE.into(),
            format!("no answer: {}", why_text(*why)),
        ),
    };
    vec![
        format!("{}{}", row.runner, if row.disturbed { " §" } else { "" }),
        threads.join(", "),
        variant(&v.workload).to_owned(),
        completed,
        lost,
        outcome,
    ]
}

/// `processes`, or `processes at 1 and 2 threads` for a runner whose cells ended
/// in more than one way.
fn runners(group: &[RunnerAt]) -> String {
    let names: Vec<String> = group
        .iter()
        .map(|at| match &at.threads {
            Some(threads) => {
                let counts: Vec<String> = threads.iter().map(ToString::to_string).collect();
                format!("{} at {} threads", at.runner, join_and(&counts))
            }
            None => at.runner.clone(),
        })
        .collect();
    join_and(&names)
}

/// The sentences on `v`: which runners contained its failure (and kept how many
/// jobs), on which it killed the whole cell process, and where the outcome is
/// unknown.
fn sentence(v: &Variant) -> String {
    let workload = &v.workload;
    let mut text = match v.jobs {
        Some(j) => format!(
            "**{workload}** ({j} jobs; one fails by {}): ",
            variant(workload)
        ),
        None => format!("**{workload}** (one job fails by {}): ", variant(workload)),
    };
    let Outcome {
        contained,
        kept,
        died,
        unknown,
    } = &v.outcome;
    let kept_text: Vec<String> = kept
        .iter()
        .map(|k| {
            format!(
                "{} kept {} of {} jobs",
                runners(&k.runners),
                k.completed,
                k.jobs
            )
        })
        .collect();
    // One way of dying: said once after the runners; several: after each group.
    let died_text = match died.as_slice() {
        [one] => format!(
            "On {} it killed the whole cell process ({})",
            runners(&one.runners),
            one.exit.describe()
        ),
        _ => {
            let groups: Vec<String> = died
                .iter()
                .map(|d| format!("{} ({})", runners(&d.runners), d.exit.describe()))
                .collect();
            format!("On {} it killed the whole cell process", join_and(&groups))
        }
    };
    let lost_all = format!("{} kept", of(0, v.jobs));
    let whys: Vec<String> = unknown
        .iter()
        .map(|u| {
            format!(
                "{}: {}",
                runners(std::slice::from_ref(&u.runner)),
                why_text(u.why)
            )
        })
        .collect();
    match contained {
        Contained::Everywhere => {
            write!(text, "contained on every runner: {}", join_and(&kept_text))
        }
        Contained::WhereKnown => write!(
            text,
            "contained wherever the outcome is known: {}",
            join_and(&kept_text)
        ),
        Contained::SomeRunners => write!(
            text,
            "contained on some runners only: {}. {died_text}, {lost_all}",
            join_and(&kept_text)
        ),
        Contained::Nowhere => write!(text, "contained nowhere. {died_text}, {lost_all}"),
        Contained::NotKnown => write!(text, "what it took is not known ({})", join_and(&whys)),
    }
    .expect("write to String");
    if *contained != Contained::NotKnown && !whys.is_empty() {
        write!(text, ". Not known on {}", join_and(&whys)).expect("write to String");
    }
    text.push('.');
    text
}

//! *CPython beside the emulation*: the runners whose speedups are taken against
//! another baseline than `seq` (the CPython runners, against `cpython-seq`),
//! shown apart from every other section, since they ran the workloads at their
//! own size. Per workload they ran: one row per cell (median wall with its
//! interval, speedup over its own baseline, CPU utilisation), beside the speedups
//! over `seq` of the emulated runners at the same thread count (the runner with
//! a global lock, [`PROCESSES`] and [`THREAD_POOL`]); the interpreter the cells
//! ran in and the kernel steps each side ran; the cells that failed or do not
//! apply, with their reasons. Shown only when such runners ran. Derived into a
//! [`CpythonFinding`], then rendered from it alone; `findings.json` carries the
//! same finding.
//!
//! No wall time here is compared with a Rust cell's: only speedups, each over its
//! own group's baseline, stand side by side.

use super::Report;
use super::workloads::{
    FailedRunner, FailureGroup, NotApplicableGroup, failure_line, not_applicable,
    not_applicable_line,
};
use crate::cell_ref::CellAt;
use crate::claims::{PROCESSES, THREAD_POOL};
use crate::judge::{DISTURBED, Disturbance, coverage, disturbed_note};
use crate::model::{Cell, Status};
use crate::sections::shared::{EXTRAPOLATED, Footnote, footnotes, status_word, write_footnotes};
use crate::summary::{BASELINE_RUNNER, baseline_of, in_seq_group};
use crate::table::{Align, Table};
use crate::text::{NONE, cores, escape_inline, join_and, ms, times};
use rtcompare_api::Class;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The key of the per-unit kernel steps in a CPU workload's params.
const UNIT_STEPS: &str = "unit_steps";
/// The key of the chunks' weights in a CPU workload's params.
const WEIGHTS: &str = "weights";

/// What *CPython beside the emulation* shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct CpythonFinding {
    /// The runners of the other groups, in report order.
    pub(crate) runners: Vec<String>,
    /// Their baselines, each once: `cpython-seq`.
    pub(crate) baselines: Vec<String>,
    /// The interpreters the machine recorded, by the command that found them.
    pub(crate) machine_interpreters: BTreeMap<String, String>,
    /// The interpreters their cells ran in, each with its runners.
    pub(crate) ran_in: Vec<RanIn>,
    /// The workloads on which some cell of theirs applies, in report order.
    pub(crate) workloads: Vec<CpythonWorkload>,
    /// The other workloads of the run, on which every cell of theirs is n/a,
    /// with the reasons (each runner once per reason).
    pub(crate) elsewhere: Vec<Elsewhere>,
}

/// An interpreter and the runners whose cells ran in it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct RanIn {
    /// As the cells recorded it: `CPython 3.11.7, GIL enabled`.
    pub(crate) interpreter: String,
    pub(crate) runners: Vec<String>,
}

/// Workloads on which no cell of these runners applies, for one set of reasons.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Elsewhere {
    pub(crate) workloads: Vec<String>,
    pub(crate) not_applicable: Vec<NotApplicableGroup>,
}

/// One workload these runners ran.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct CpythonWorkload {
    pub(crate) workload: String,
    /// The emulated runners shown beside, in report order: those with a
    /// finished cell at some thread count of the rows.
    pub(crate) emulated: Vec<String>,
    /// The cells that apply, by thread count, then runner.
    pub(crate) rows: Vec<CpythonRow>,
    /// The kernel steps each side ran, when the cells record them.
    pub(crate) steps: Option<Steps>,
    pub(crate) failures: Vec<FailureGroup>,
    pub(crate) not_applicable: Vec<NotApplicableGroup>,
    /// The cells' notes, numbered from 1 in row order.
    pub(crate) notes: Vec<Footnote>,
    /// The extrapolations of the rows' cells, as their notes say.
    pub(crate) extrapolations: Vec<Footnote>,
}

/// One cell of these runners.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct CpythonRow {
    pub(crate) cell: CellAt,
    /// The runner its speedup is against.
    pub(crate) baseline: String,
    pub(crate) status: Status,
    /// `None` when it did not finish with samples.
    pub(crate) measured: Option<RowMeasured>,
    /// Scaled up from part of the work.
    pub(crate) extrapolated: bool,
    /// Disturbed by other load: shown, and compared with nothing.
    pub(crate) disturbed: Option<Disturbance>,
    /// The numbers of its notes among the workload's.
    pub(crate) notes: Vec<usize>,
    /// Each emulated runner's speedup over `seq` at the row's thread count, in
    /// the order of [`CpythonWorkload::emulated`]; `None` without a finished cell.
    pub(crate) emulated: Vec<Option<EmulatedAt>>,
}

/// The numbers of a finished cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct RowMeasured {
    pub(crate) median_wall_s: f64,
    pub(crate) interval_wall_s: [f64; 2],
    pub(crate) interval_coverage: f64,
    /// Over its baseline; `None` when the baseline did not finish.
    pub(crate) speedup: Option<f64>,
    /// CPU time over wall time, in cores.
    pub(crate) cpu_cores: f64,
}

/// An emulated runner's speedup over `seq` at a thread count.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct EmulatedAt {
    pub(crate) speedup: f64,
    /// It or `seq` was scaled up from part of the work.
    pub(crate) extrapolated: bool,
}

/// The kernel steps each side ran per unit of work, from the cells' params:
/// the baseline of these runners against `seq`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Steps {
    /// The runner whose cell recorded them: these runners' baseline.
    pub(crate) runner: String,
    pub(crate) unit_steps: f64,
    pub(crate) seq_unit_steps: f64,
    /// Both ran the same chunks (the same weights).
    pub(crate) same_chunks: bool,
    /// How many chunks, when both ran the same.
    pub(crate) chunks: Option<usize>,
}

impl<'a> Report<'a> {
    /// The finding of *CPython beside the emulation*; `None` when every runner
    /// is in the `seq` group.
    pub(super) fn derive_cpython(&self) -> Option<CpythonFinding> {
        let all = self.all;
        let others = |c: &Cell| !in_seq_group(all, &c.runner);
        let runners: Vec<String> = self
            .all_runners
            .iter()
            .filter(|r| !in_seq_group(all, r))
            .map(|r| r.to_string())
            .collect();
        if runners.is_empty() {
            return None;
        }
        let mut baselines: Vec<String> = Vec::new();
        for r in &runners {
            let b = baseline_of(all, r).to_owned();
            if !baselines.contains(&b) {
                baselines.push(b);
            }
        }
        let mut ran_in: Vec<RanIn> = Vec::new();
        for cell in self.all_cells(others) {
            let Some(interpreter) = &cell.interpreter else {
                continue;
            };
            match ran_in.iter_mut().find(|r| r.interpreter == *interpreter) {
                Some(r) if r.runners.contains(&cell.runner) => {}
                Some(r) => r.runners.push(cell.runner.clone()),
                None => ran_in.push(RanIn {
                    interpreter: interpreter.clone(),
                    runners: vec![cell.runner.clone()],
                }),
            }
        }
        let mut workloads = Vec::new();
        let mut elsewhere: Vec<Elsewhere> = Vec::new();
        for workload in self.all_workloads() {
            let cells = self.all_cells(|c| others(c) && c.workload == workload);
            if cells.is_empty() {
                continue;
            }
            if cells.iter().any(|c| c.applies()) {
                workloads.push(self.cpython_workload(workload, &cells));
                continue;
            }
            let not_applicable = not_applicable(&cells);
            match elsewhere
                .iter_mut()
                .find(|e| e.not_applicable == not_applicable)
            {
                Some(e) => e.workloads.push(workload.to_owned()),
                None => elsewhere.push(Elsewhere {
                    workloads: vec![workload.to_owned()],
                    not_applicable,
                }),
            }
        }
        Some(CpythonFinding {
            runners,
            baselines,
            machine_interpreters: all.machine.interpreters.clone(),
            ran_in,
            workloads,
            elsewhere,
        })
    }

    /// Every cell that matches, in runner order (every group), then by thread
    /// count.
    fn all_cells(&self, matches: impl Fn(&Cell) -> bool) -> Vec<&'a Cell> {
        let rank = |r: &str| {
            self.all_runners
                .iter()
                .position(|x| *x == r)
                .unwrap_or(usize::MAX)
        };
        let mut cells: Vec<&'a Cell> = self.all.cells.iter().filter(|c| matches(c)).collect();
        cells.sort_by_key(|c| (rank(&c.runner), c.threads));
        cells
    }

    /// Workload ids of every cell: the configured order, then as they appear.
    fn all_workloads(&self) -> Vec<&'a str> {
        let mut ids: Vec<&'a str> = Vec::new();
        let configured = self.all.config.workloads.iter().map(String::as_str);
        for id in configured.chain(self.all.cells.iter().map(|c| c.workload.as_str())) {
            if !ids.contains(&id) && self.all.cells.iter().any(|c| c.workload == id) {
                ids.push(id);
            }
        }
        ids
    }

    /// One workload of these runners: `cells` (in runner order), with the
    /// emulated runners beside.
    fn cpython_workload(&self, workload: &str, cells: &[&'a Cell]) -> CpythonWorkload {
        let applies: Vec<&Cell> = {
            let mut applies: Vec<&Cell> = cells.iter().copied().filter(|c| c.applies()).collect();
            // Stable: within a thread count, runner order.
            applies.sort_by_key(|c| c.threads);
            applies
        };
        let counts: Vec<usize> = applies.iter().map(|c| c.threads).collect();
        let locked: Vec<&str> = self
            .runners
            .iter()
            .copied()
            .filter(|r| {
                self.results
                    .cells
                    .iter()
                    .any(|c| c.runner == *r && c.class == Class::ConcurrentSerialized)
            })
            .collect();
        let emulated: Vec<&str> = locked
            .into_iter()
            .chain([PROCESSES, THREAD_POOL])
            .filter(|r| {
                counts
                    .iter()
                    .any(|&n| self.emulated_at(r, workload, n).is_some())
            })
            .collect();
        let notes = footnotes(&applies, |c| c.notes.iter().map(String::as_str).collect());
        let extrapolations = footnotes(&applies, |c| {
            c.extrapolation.iter().map(|e| e.note.as_str()).collect()
        });
        let rows = applies
            .iter()
            .map(|cell| CpythonRow {
                cell: CellAt::of(cell),
                baseline: baseline_of(self.all, &cell.runner).to_owned(),
                status: cell.status,
                measured: cell.summary.as_ref().map(|s| RowMeasured {
                    median_wall_s: s.median_wall_s,
                    interval_wall_s: s.interval_wall_s,
                    interval_coverage: s.interval_coverage,
                    speedup: s.speedup_vs_seq,
                    cpu_cores: s.cpu_utilisation,
                }),
                extrapolated: cell.extrapolation.is_some(),
                disturbed: Disturbance::of(cell),
                notes: cell
                    .notes
                    .iter()
                    .filter_map(|note| notes.iter().position(|n| n.note == *note))
                    .map(|i| i + 1)
                    .collect(),
                emulated: emulated
                    .iter()
                    .map(|r| self.emulated_at(r, workload, cell.threads))
                    .collect(),
            })
            .collect();
        CpythonWorkload {
            workload: workload.to_owned(),
            emulated: emulated.iter().map(|r| r.to_string()).collect(),
            rows,
            steps: self.steps(workload, cells),
            failures: failures(&applies),
            not_applicable: not_applicable(cells),
            notes,
            extrapolations,
        }
    }

    /// The speedup over `seq` of the `seq` group's `runner` on `workload` at
    /// `threads`, when it finished undisturbed with one.
    fn emulated_at(&self, runner: &str, workload: &str, threads: usize) -> Option<EmulatedAt> {
        let judged = |c: &&Cell| crate::judge::judged_summary(c).is_some();
        let cell = self
            .results
            .cells
            .iter()
            .filter(judged)
            .find(|c| c.runner == runner && c.workload == workload && c.threads == threads)?;
        let seq = self
            .results
            .cells
            .iter()
            .filter(judged)
            .filter(|c| c.runner == BASELINE_RUNNER && c.workload == workload)
            .min_by_key(|c| c.threads);
        Some(EmulatedAt {
            speedup: cell.summary.as_ref()?.speedup_vs_seq?,
            extrapolated: cell.extrapolation.is_some()
                || seq.is_some_and(|s| s.extrapolation.is_some()),
        })
    }

    /// The kernel steps per unit of work of these runners' baseline (else of
    /// any of `cells`) against `seq`'s on `workload`, when both have a finished
    /// cell that records them.
    fn steps(&self, workload: &str, cells: &[&'a Cell]) -> Option<Steps> {
        let first = |cells: Vec<&'a Cell>| {
            cells
                .into_iter()
                .filter(|c| c.status == Status::Ok && c.param(UNIT_STEPS).is_some())
                .min_by_key(|c| c.threads)
        };
        let base = baseline_of(self.all, &cells.first()?.runner);
        let mine = first(cells.iter().copied().filter(|c| c.runner == base).collect())
            .or_else(|| first(cells.to_vec()))?;
        let seq = first(
            self.results
                .cells
                .iter()
                .filter(|c| c.runner == BASELINE_RUNNER && c.workload == workload)
                .collect(),
        )?;
        let weights = |c: &Cell| c.params.get(WEIGHTS).cloned();
        let same_chunks = weights(mine) == weights(seq);
        Some(Steps {
            runner: mine.runner.clone(),
            unit_steps: mine.param(UNIT_STEPS)?,
            seq_unit_steps: seq.param(UNIT_STEPS)?,
            same_chunks,
            chunks: weights(mine)
                .as_ref()
                .and_then(|w| w.as_array())
                .map(Vec::len)
                .filter(|_| same_chunks),
        })
    }
}

/// The cells of `cells` that did not finish with samples, grouped by status and
/// reason, each runner once with its thread counts.
fn failures(cells: &[&Cell]) -> Vec<FailureGroup> {
    let mut groups: Vec<FailureGroup> = Vec::new();
    for cell in cells.iter().filter(|c| c.summary.is_none()) {
        let reason = cell
            .error
            .as_deref()
            .map(|e| e.split_whitespace().collect::<Vec<_>>().join(" "));
        let at = match groups
            .iter()
            .position(|g| g.status == cell.status && g.reason == reason)
        {
            Some(at) => at,
            None => {
                groups.push(FailureGroup {
                    status: cell.status,
                    reason,
                    runners: Vec::new(),
                });
                groups.len() - 1
            }
        };
        let group = &mut groups[at];
        match group.runners.iter_mut().find(|r| r.runner == cell.runner) {
            Some(r) => r.threads.push(cell.threads),
            None => group.runners.push(FailedRunner {
                runner: cell.runner.clone(),
                threads: vec![cell.threads],
            }),
        }
    }
    for runner in groups.iter_mut().flat_map(|g| &mut g.runners) {
        runner.threads.sort_unstable();
    }
    groups
}

// ---------------------------------------------------------------------------
// Rendering

/// The section's heading.
pub(crate) const TITLE: &str = "CPython beside the emulation";

/// Writes the section from `finding`.
fn render(f: &CpythonFinding, out: &mut String) {
    writeln!(out, "## {TITLE}\n").expect("write to String");
    let baselines: Vec<String> = f.baselines.iter().map(|b| format!("`{b}`")).collect();
    let runners: Vec<String> = f.runners.iter().map(|r| format!("**{r}**")).collect();
    writeln!(
        out,
        "The runners {} run the workloads in a real interpreter. Their speedups are against \
         {}, never against `{BASELINE_RUNNER}`: they ran each workload at their own size, so no \
         wall time here compares with a Rust cell's. Beside each cell are the speedups over \
         `{BASELINE_RUNNER}` of the emulated runners at the same thread count.\n",
        join_and(&runners),
        join_and(&baselines),
    )
    .expect("write to String");
    match f.ran_in.as_slice() {
        [] => {
            let found: Vec<String> = f
                .machine_interpreters
                .iter()
                .map(|(command, what)| format!("`{command}`: {}", escape_inline(what)))
                .collect();
            let found = if found.is_empty() {
                "none".to_owned()
            } else {
                join_and(&found)
            };
            writeln!(
                out,
                "None of their cells ran. Interpreters the run found: {found}.\n"
            )
            .expect("write to String");
        }
        ran_in => {
            writeln!(out, "Their cells ran in {}.\n", ran_in_words(ran_in))
                .expect("write to String");
        }
    }
    for w in &f.workloads {
        workload(w, out);
    }
    for e in &f.elsewhere {
        let names: Vec<String> = e.workloads.iter().map(|w| format!("`{w}`")).collect();
        writeln!(out, "On {}:\n", join_and(&names)).expect("write to String");
        for group in &e.not_applicable {
            writeln!(out, "{}", not_applicable_line(group)).expect("write to String");
        }
        out.push('\n');
    }
}

/// One workload's table and what is said under it.
fn workload(w: &CpythonWorkload, out: &mut String) {
    writeln!(out, "### `{}`\n", w.workload).expect("write to String");
    if !w.rows.is_empty() {
        let mut headers: Vec<(String, Align)> = vec![
            ("Runner".into(), Align::Left),
            ("Threads".into(), Align::Right),
            ("Median wall [ms]".into(), Align::Right),
            ("Median interval [ms]".into(), Align::Right),
            ("Speedup".into(), Align::Right),
            ("CPU util. [cores]".into(), Align::Right),
        ];
        headers.extend(
            w.emulated
                .iter()
                .map(|r| (format!("{r} [× {BASELINE_RUNNER}]"), Align::Right)),
        );
        let mut table = Table::new(headers);
        for row in &w.rows {
            table.push_row(cells_of(row));
        }
        out.push_str(&table.to_markdown());
        out.push('\n');
        let baselines: Vec<String> = {
            let mut b: Vec<String> = Vec::new();
            for row in &w.rows {
                let name = format!("`{}`", row.baseline);
                if !b.contains(&name) {
                    b.push(name);
                }
            }
            b
        };
        let mut under = format!("Speedup is over {}", join_and(&baselines));
        if !w.emulated.is_empty() {
            write!(
                under,
                "; the emulated runners' columns are their speedups over `{BASELINE_RUNNER}` at \
                 the row's thread count"
            )
            .expect("write to String");
        }
        writeln!(out, "{under}.\n").expect("write to String");
    }
    if let Some(steps) = &w.steps {
        writeln!(out, "{}\n", steps_line(steps)).expect("write to String");
    }
    let disturbed: Vec<Disturbance> = w.rows.iter().filter_map(|r| r.disturbed.clone()).collect();
    if let Some(note) = disturbed_note(&disturbed) {
        writeln!(out, "{note}\n").expect("write to String");
    }
    for e in &w.extrapolations {
        writeln!(out, "{EXTRAPOLATED} {}: {}\n", join_and(&e.runners), e.note)
            .expect("write to String");
    }
    write_footnotes(&w.notes, out);
    let lines: Vec<String> = w
        .failures
        .iter()
        .map(failure_line)
        .chain(w.not_applicable.iter().map(not_applicable_line))
        .collect();
    if !lines.is_empty() {
        writeln!(out, "{}\n", lines.join("\n")).expect("write to String");
    }
}

/// A row's cells, in the table's columns.
fn cells_of(row: &CpythonRow) -> Vec<String> {
    let mut name = row.cell.runner.clone();
    if !row.notes.is_empty() {
        let marks: Vec<String> = row
            .notes
            .iter()
            .map(|&n| crate::format::superscript(n))
            .collect();
        write!(name, " {}", marks.join(" ")).expect("write to String");
    }
    if row.disturbed.is_some() {
        write!(name, " {DISTURBED}").expect("write to String");
    }
    let mut line = vec![name, row.cell.threads.to_string()];
    match &row.measured {
        Some(m) => {
            let mark = if row.extrapolated { EXTRAPOLATED } else { "" };
            line.extend([
                format!("{}{mark}", ms(m.median_wall_s)),
                format!(
                    "{}–{} ({})",
                    ms(m.interval_wall_s[0]),
                    ms(m.interval_wall_s[1]),
                    coverage(m.interval_coverage)
                ),
                m.speedup.map_or(NONE.into(), times),
                cores(m.cpu_cores),
            ]);
        }
        None => {
            line.push(match row.status {
                Status::Ok => "no samples".into(),
                other => status_word(other).into(),
            });
            line.resize(6, String::new());
        }
    }
    line.extend(row.emulated.iter().map(|e| match e {
        Some(e) if e.extrapolated => format!("{}{EXTRAPOLATED}", times(e.speedup)),
        Some(e) => times(e.speedup),
        None => NONE.into(),
    }));
    line
}

/// `Kernel steps per unit of work: 40,625 in CPython, 5,200,000 in Rust
/// (1/128); the 64 chunks are the same.`
fn steps_line(steps: &Steps) -> String {
    let ratio = steps.seq_unit_steps / steps.unit_steps;
    // Integer division of the steps leaves 1,875,000 / 14,648 = 128.003: within 1%
    // of a whole ratio, say the ratio.
    let share = if (ratio - ratio.round()).abs() < 0.01 * ratio && ratio > 1.0 {
        format!(" (1/{})", ratio.round())
    } else {
        format!(" ({:.3} of it)", 1.0 / ratio)
    };
    let chunks = match (steps.same_chunks, steps.chunks) {
        (true, Some(n)) => format!("; the {n} chunks and their weights are the same"),
        (true, None) => "; the chunks are the same".to_owned(),
        (false, _) => "; the chunks differ".to_owned(),
    };
    format!(
        "Kernel steps per unit of work: {} on {}, {} on `{BASELINE_RUNNER}`{share}{chunks}.",
        crate::format::thousands(steps.unit_steps),
        steps.runner,
        crate::format::thousands(steps.seq_unit_steps),
    )
}

/// The section itself, for the registry.
pub(super) struct CpythonSection;

impl super::Section for CpythonSection {
    fn id(&self) -> &'static str {
        "cpython"
    }

    fn findings(&self, report: &Report<'_>) -> Option<serde_json::Value> {
        super::as_json(
            report
                .derived("cpython", || report.derive_cpython())
                .as_ref()
                .as_ref(),
        )
    }

    fn render(&self, report: &Report<'_>, out: &mut String) {
        if let Some(finding) = &*report.derived("cpython", || report.derive_cpython()) {
            render(finding, out);
        }
    }
}

/// `CPython 3.11.7, GIL enabled (cpython-seq and cpython-threads)`, each
/// interpreter with the runners whose cells ran in it.
pub(crate) fn ran_in_words(ran_in: &[RanIn]) -> String {
    let each: Vec<String> = ran_in
        .iter()
        .map(|r| {
            format!(
                "{} ({})",
                escape_inline(&r.interpreter),
                join_and(&r.runners)
            )
        })
        .collect();
    join_and(&each)
}

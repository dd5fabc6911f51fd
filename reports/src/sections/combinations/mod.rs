//! *Concurrency and parallelism in this run*: the four combinations (neither,
//! concurrent only, parallel only, both) and the GIL's serialized one, each
//! with its best cell on CPU work and on waiting work, taken from the grid
//! ([`super::grid`]) with the cores the cell kept busy. Also why the parallel
//! class and the concurrent-parallel runners that block on a wait carry
//! different labels, with their `sleep` figures. Derived into a
//! [`Combinations`], then rendered.

#[cfg(test)]
mod tests;

use super::Report;
use super::glossary::{self, Term};
use super::grid::Grid;
use super::shared::EXTRAPOLATED;
use crate::cell_ref::CellRef;
use crate::model::Cell;
use crate::summary::BASELINE_RUNNER;
use crate::table::{Align, Table};
use crate::text::{NONE, cores, join_and, times};
use rtcompare_api::ids::workload::SLEEP;
use rtcompare_api::{Class, WorkloadKind};
use serde::Serialize;
use std::fmt::Write as _;

use super::shared::CLASSES;

/// A speedup on `sleep` may exceed the thread count by this fraction and
/// still count as one wait per thread (noise, timer slack).
const ONE_WAIT_SLACK: f64 = 0.05;

/// What the section shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Combinations {
    /// The workload of the CPU examples: the grid's first CPU-bound one.
    pub(crate) cpu_workload: Option<String>,
    /// The workload of the waiting examples: the grid's first I/O-bound one.
    pub(crate) waiting_workload: Option<String>,
    /// One per class, in the order of [`CLASSES`].
    pub(crate) rows: Vec<Combination>,
    /// Why the parallel class differs from the concurrent-parallel runners
    /// whose waits also hold a thread; `None` when no parallel runner ran.
    pub(crate) labels: Option<Labels>,
}

/// One combination of concurrency and parallelism in this run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Combination {
    pub(crate) class: Class,
    /// Some runner of the class has a cell in this run.
    pub(crate) ran: bool,
    /// The class's best cell on [`Combinations::cpu_workload`].
    pub(crate) cpu: Option<Example>,
    /// The class's best cell on [`Combinations::waiting_workload`].
    pub(crate) waiting: Option<Example>,
}

/// A measured cell standing for its class.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Example {
    pub(crate) cell: CellRef,
    /// Its speedup over `seq`.
    pub(crate) speedup: f64,
    /// The cell or its `seq` ran part of the work and was scaled up (†).
    pub(crate) extrapolated: bool,
    /// Median CPU utilisation, in cores.
    pub(crate) cores: f64,
}

/// The parallel class against concurrent-parallel runners on `sleep`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Labels {
    /// The parallel runners, in report order.
    pub(crate) parallel_runners: Vec<String>,
    /// The first parallel runner's `sleep` cell above one thread, at its
    /// comparison point; `None` when it has none.
    pub(crate) parallel: Option<Example>,
    /// Concurrent-parallel cells at that thread count that overlapped at most
    /// one wait per thread (speedup within [`ONE_WAIT_SLACK`] of the count).
    pub(crate) one_wait_per_thread: Vec<Example>,
    /// The concurrent-parallel cell at that count that overlapped the most
    /// waits beyond one per thread.
    pub(crate) beyond: Option<Example>,
}

impl<'a> Report<'a> {
    /// The combinations, or `None` without a grid or a CPU-bound or waiting
    /// workload in it.
    fn derive_combinations(&self) -> Option<Combinations> {
        let grid = self.grid();
        let grid: &Grid = grid.as_ref().as_ref()?;
        let first_of = |kind: WorkloadKind| {
            grid.workloads
                .iter()
                .position(|w| self.kind_of(w) == Some(kind))
        };
        let (cpu, waiting) = (first_of(WorkloadKind::Cpu), first_of(WorkloadKind::Io));
        if cpu.is_none() && waiting.is_none() {
            return None;
        }
        let rows = CLASSES
            .into_iter()
            .map(|class| {
                let row = grid.rows.iter().find(|r| r.class == class);
                let example = |column: Option<usize>| {
                    let w = &grid.workloads[column?];
                    let best = row?.best[column?].as_ref()?;
                    self.example(w, &best.runner, best.threads)
                };
                Combination {
                    class,
                    ran: self.results.cells.iter().any(|c| c.class == class),
                    cpu: example(cpu),
                    waiting: example(waiting),
                }
            })
            .collect();
        let name = |i: Option<usize>| i.map(|i| grid.workloads[i].clone());
        Some(Combinations {
            cpu_workload: name(cpu),
            waiting_workload: name(waiting),
            rows,
            labels: self.labels(),
        })
    }

    /// The judged cell `runner` at `threads` on `workload` as an example.
    fn example(&self, workload: &str, runner: &str, threads: usize) -> Option<Example> {
        let cell = self
            .results
            .cells
            .iter()
            .find(|c| c.workload == workload && c.runner == runner && c.threads == threads)?;
        self.example_of(cell)
    }

    fn example_of(&self, cell: &Cell) -> Option<Example> {
        let summary = crate::judge::judged_summary(cell)?;
        let seq_scaled = self.results.cells.iter().any(|c| {
            c.workload == cell.workload
                && c.runner == BASELINE_RUNNER
                && crate::judge::judged(c)
                && c.extrapolation.is_some()
        });
        Some(Example {
            cell: CellRef::of(cell),
            speedup: summary.speedup_vs_seq?,
            extrapolated: cell.extrapolation.is_some() || seq_scaled,
            cores: summary.cpu_utilisation,
        })
    }

    /// The parallel class against the concurrent-parallel runners on `sleep`.
    fn labels(&self) -> Option<Labels> {
        let of_class = |class: Class| -> Vec<String> {
            let mut ids: Vec<String> = Vec::new();
            for r in &self.runners {
                let ran = self
                    .results
                    .cells
                    .iter()
                    .any(|c| c.runner == *r && c.class == class);
                if ran {
                    ids.push((*r).to_owned());
                }
            }
            ids
        };
        let parallel_runners = of_class(Class::Parallel);
        let first = parallel_runners.first()?;
        let cells = self.cells_of(SLEEP);
        let above_one: Vec<&Cell> = cells
            .iter()
            .copied()
            .filter(|c| c.runner == *first && c.threads > 1)
            .filter(|c| self.example_of(c).is_some())
            .collect();
        let cores = self.results.machine.logical_cores.max(1);
        let parallel = crate::claims::point_of(&above_one, cores).and_then(|c| self.example_of(c));
        let mut one_wait_per_thread = Vec::new();
        let mut beyond: Option<Example> = None;
        if let Some(p) = &parallel {
            let n = p.cell.threads;
            let others = cells
                .iter()
                .filter(|c| c.class == Class::ConcurrentParallel && c.threads == n)
                .filter_map(|c| self.example_of(c));
            for e in others {
                if e.speedup <= n as f64 * (1.0 + ONE_WAIT_SLACK) {
                    one_wait_per_thread.push(e);
                } else if beyond.as_ref().is_none_or(|b| e.speedup > b.speedup) {
                    beyond = Some(e);
                }
            }
        }
        Some(Labels {
            parallel_runners,
            parallel,
            one_wait_per_thread,
            beyond,
        })
    }

    /// The combinations, derived once per report.
    pub(crate) fn combinations(&self) -> std::rc::Rc<Option<Combinations>> {
        self.derived("combinations", || self.derive_combinations())
    }
}

/// The combination a class stands for, and what its runners do.
fn combination(class: Class) -> String {
    match class {
        Class::Sequential => "Neither: one task after another on one thread".into(),
        Class::Concurrent => "Concurrent only: many tasks in progress on one thread".into(),
        Class::Parallel => "Parallel only: one computation split over the cores".into(),
        Class::ConcurrentParallel => "Both: many tasks in progress on many threads".into(),
        Class::ConcurrentSerialized => format!(
            "Concurrent, serialized: many threads, one running at a time, as under a {}",
            glossary::link(Term::Gil)
        ),
    }
}

/// `rayon (t2): 1.97× on 1.98 cores`.
fn example_text(e: &Example) -> String {
    format!(
        "{} (t{}): {}{} on {} cores",
        e.cell.runner,
        e.cell.threads,
        times(e.speedup),
        if e.extrapolated { EXTRAPOLATED } else { "" },
        cores(e.cores)
    )
}

/// `rayon 2.00×`, with † when scaled up.
fn speedup_text(e: &Example) -> String {
    format!(
        "{} {}{}",
        e.cell.runner,
        times(e.speedup),
        if e.extrapolated { EXTRAPOLATED } else { "" }
    )
}

/// Writes the section.
fn render(c: &Combinations, out: &mut String) {
    out.push_str("## Concurrency and parallelism in this run\n\n");
    out.push_str(
        "Concurrency is many tasks in progress at once; parallelism is work running on several \
         cores at the same instant. Each combination below has its best cell in this run, its \
         speedup over `seq`, and the cores it kept busy.\n\n",
    );
    let column = |kind: &str, w: &Option<String>| match w {
        Some(w) => (format!("{kind} (`{w}`)"), Align::Left),
        None => (kind.to_owned(), Align::Left),
    };
    let mut table = Table::new(vec![
        ("Combination".to_owned(), Align::Left),
        ("Class".to_owned(), Align::Left),
        column("CPU work", &c.cpu_workload),
        column("Waiting work", &c.waiting_workload),
    ]);
    for row in &c.rows {
        let cell = |e: &Option<Example>| match (row.ran, e) {
            (false, _) => "did not run".to_owned(),
            (true, Some(e)) => example_text(e),
            (true, None) => NONE.to_owned(),
        };
        table.push_row(vec![
            combination(row.class),
            row.class.to_string(),
            cell(&row.cpu),
            cell(&row.waiting),
        ]);
    }
    out.push_str(&table.to_markdown());
    out.push('\n');
    let scaled = c
        .rows
        .iter()
        .flat_map(|r| r.cpu.iter().chain(&r.waiting))
        .any(|e| e.extrapolated);
    if scaled {
        writeln!(
            out,
            "{EXTRAPOLATED} Extrapolated, as in the grid: scaled up from part of the work.\n"
        )
        .expect("write to String");
    }
    if let Some(labels) = &c.labels {
        render_labels(labels, out);
    }
}

/// Why the parallel class and the blocking concurrent-parallel runners differ.
fn render_labels(l: &Labels, out: &mut String) {
    let parallel = join_and(&l.parallel_runners);
    write!(
        out,
        "Why {parallel} is *parallel*, not *concurrent-parallel*: a class names what a runner is \
         built for, not how it waits. A parallel runner ({parallel}) splits one computation over \
         the cores; the concurrent-parallel runners run independent tasks."
    )
    .expect("write to String");
    if let (Some(p), false) = (&l.parallel, l.one_wait_per_thread.is_empty()) {
        let others: Vec<String> = l
            .one_wait_per_thread
            .iter()
            .map(|e| e.cell.runner.clone())
            .collect();
        let mut figures = vec![speedup_text(p)];
        figures.extend(l.one_wait_per_thread.iter().map(speedup_text));
        write!(
            out,
            " Yet a blocking wait holds a worker thread in {} just as in {}. On `{SLEEP}` at {} \
             threads each overlapped one wait per thread: {}.",
            p.cell.runner,
            join_and(&others),
            p.cell.threads,
            figures.join(", ")
        )
        .expect("write to String");
        if let Some(b) = &l.beyond {
            write!(
                out,
                " At the same count {} ran {}{}, overlapping more waits than it has threads.",
                b.cell.runner,
                times(b.speedup),
                if b.extrapolated { EXTRAPOLATED } else { "" }
            )
            .expect("write to String");
        }
    }
    out.push_str("\n\n");
}

/// The section itself, for the registry.
pub(super) struct CombinationsSection;

impl super::Section for CombinationsSection {
    fn id(&self) -> &'static str {
        "combinations"
    }

    fn findings(&self, report: &Report<'_>) -> Option<serde_json::Value> {
        super::as_json(report.combinations().as_ref().as_ref())
    }

    fn render(&self, report: &Report<'_>, out: &mut String) {
        if let Some(c) = report.combinations().as_ref() {
            render(c, out);
        }
    }
}

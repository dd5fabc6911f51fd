//! *Disclosures*: the harness facts that hold for every cell, the parts each runner
//! uses, and one bullet per runner with its build, threads and caveats.

use super::Report;
use crate::model::{Cell, Results, RunnerMeta};
use crate::table::{Align, Table};
use crate::text::{NONE, escape_inline, join_and, plural, sentence};
use rtcompare_api::{Class, Family};
use std::collections::BTreeMap;
use std::fmt::Write as _;

impl<'a> Report<'a> {
    // -- disclosures --------------------------------------------------------

    /// The harness facts that hold for every cell, then one bullet per runner with
    /// cells: what it is, how it is built, its timer, its threads as run and seen,
    /// and its caveats. Everything runner-specific comes from the results file.
    pub(super) fn disclosures(&self, out: &mut String) {
        out.push_str("## Disclosures\n\n");
        let runners = self.disclosed_runners();
        if runners.is_empty() {
            out.push_str("No cells were recorded.\n");
            return;
        }
        let single: Vec<String> = runners
            .iter()
            .filter(|r| r.class == Class::Concurrent)
            .map(|r| format!("**{}**", r.id))
            .collect();
        let which = if single.is_empty() {
            String::new()
        } else {
            format!(" (here {})", join_and(&single))
        };
        let facts = [
            ISOLATION.to_string(),
            format!("{ROOT_TASK}{which}."),
            THREAD_COUNTS.to_string(),
            CPU_TIME.to_string(),
            CHECKSUMS.to_string(),
            CENSUS.to_string(),
        ];
        out.push_str("How every cell was measured:\n\n");
        for fact in facts {
            writeln!(out, "- {fact}").expect("write to String");
        }
        self.knobs_table(out, &runners);
        out.push_str(
            "Each runner as the run described it, with the threads it ran with and the caveats \
             that bear on its numbers:\n\n",
        );
        for runner in &runners {
            runner.disclose(out);
        }
    }

    /// Every runner's configuration as run, one row each, the parts each runner
    /// uses (when the results file names more than the timer), and the environment.
    pub(super) fn knobs_table(&self, out: &mut String, runners: &[Disclosed<'a>]) {
        out.push_str("\nConfiguration as run:\n\n");
        let parts = parts_table(runners);
        let mut columns = vec![
            ("Runner", Align::Left),
            ("Class", Align::Left),
            ("Family", Align::Left),
            ("Thread knob", Align::Left),
            ("Threads run", Align::Right),
        ];
        // The parts table, when there is one, names the timer with the other parts.
        if parts.is_none() {
            columns.push(("Timer and reactor", Align::Left));
        }
        let mut table = Table::new(columns);
        for runner in runners {
            let mut counts: Vec<usize> = runner.cells.iter().map(|c| c.threads).collect();
            counts.sort_unstable();
            counts.dedup();
            let counts: Vec<String> = counts.iter().map(ToString::to_string).collect();
            table.push_row(vec![
                runner.id.to_owned(),
                runner.class.to_string(),
                runner.family.to_string(),
                runner.meta.map_or(NONE.into(), |m| m.threads_knob.clone()),
                counts.join(", "),
                runner.meta.map_or(NONE.into(), |m| escape_inline(&m.timer)),
            ]);
        }
        out.push_str(&table.to_markdown());
        if let Some(parts) = parts {
            out.push_str("\nParts each runner uses (what each workload runs on it):\n\n");
            out.push_str(&parts.to_markdown());
        }
        let env: Vec<String> = self
            .results
            .machine
            .env
            .iter()
            .map(|(k, v)| format!("`{k}={v}`"))
            .collect();
        writeln!(
            out,
            "\nEnvironment: {}; cargo features: {}.\n",
            if env.is_empty() {
                "no runtime variables set".to_owned()
            } else {
                env.join(", ")
            },
            if self.results.machine.features.is_empty() {
                "default".to_owned()
            } else {
                self.results.machine.features.join(", ")
            }
        )
        .expect("write to String");
    }

    /// The runners to disclose: those of `results.runners` that have cells, in that
    /// order, then any other runner seen in the cells (described by its cells alone).
    pub(super) fn disclosed_runners(&self) -> Vec<Disclosed<'a>> {
        let results: &'a Results = self.results;
        let cells_of = |id: &str| -> Vec<&'a Cell> {
            results.cells.iter().filter(|c| c.runner == id).collect()
        };
        let mut runners: Vec<Disclosed<'a>> = Vec::new();
        for meta in &results.runners {
            let cells = cells_of(&meta.id);
            if cells.is_empty() || runners.iter().any(|r| r.id == meta.id) {
                continue;
            }
            runners.push(Disclosed {
                id: &meta.id,
                class: meta.class,
                family: meta.family,
                meta: Some(meta),
                cells,
            });
        }
        for &id in &self.runners {
            if runners.iter().any(|r| r.id == id) {
                continue;
            }
            let cells = cells_of(id);
            let Some(first) = cells.first() else {
                continue;
            };
            runners.push(Disclosed {
                id,
                class: first.class,
                family: first.family,
                meta: None,
                cells,
            });
        }
        runners
    }
}

/// Which timer, channel, TCP sockets and offload each runner uses, from the
/// runner descriptions; a column no runner fills is left out, and there is no
/// table when no runner names more than its timer (schema-1 files).
pub(super) fn parts_table(runners: &[Disclosed<'_>]) -> Option<Table> {
    type Part = fn(&RunnerMeta) -> &str;
    let parts: [(&str, Part); 4] = [
        ("Timer and reactor", |m| &m.timer),
        ("Channel", |m| &m.channel),
        ("TCP", |m| &m.net),
        ("Offload", |m| &m.offload),
    ];
    let filled = |part: Part| {
        runners
            .iter()
            .any(|r| r.meta.is_some_and(|m| !part(m).is_empty()))
    };
    if !parts[1..].iter().any(|&(_, part)| filled(part)) {
        return None;
    }
    let shown: Vec<(&str, Part)> = parts.into_iter().filter(|&(_, p)| filled(p)).collect();
    let mut columns = vec![("Runner", Align::Left)];
    columns.extend(shown.iter().map(|&(h, _)| (h, Align::Left)));
    let mut table = Table::new(columns);
    for runner in runners {
        let mut row = vec![runner.id.to_owned()];
        for &(_, part) in &shown {
            row.push(runner.meta.map_or(NONE.into(), |m| match part(m) {
                "" => NONE.into(),
                text => escape_inline(text),
            }));
        }
        table.push_row(row);
    }
    Some(table)
}

/// The isolation and timing facts of every cell.
pub(super) const ISOLATION: &str = "Each cell runs in its own child process. Runtimes and thread pools are \
    built, and their threads started, before the clock starts; a runner with one OS thread per \
    task creates its threads inside the timed region, as that cost is part of what it shows.";
/// How the root task reaches an async runtime; the single-threaded runners present
/// and a full stop follow.
pub(super) const ROOT_TASK: &str = "On async runtimes each sample's root task is spawned inside the runtime \
    and the calling thread only waits for it, except on the single-threaded runtimes, whose one \
    thread is the calling thread";
/// Why no runtime default thread count is involved.
pub(super) const THREAD_COUNTS: &str = "Worker counts are set explicitly from `--threads`, never left to a \
    runtime's default (defaults differ: one thread for some executors, one per logical core for \
    others).";
/// What CPU time and CPU utilisation include.
pub(super) const CPU_TIME: &str = "CPU time comes from `getrusage(RUSAGE_SELF)`, which counts every thread \
    of the process, helper threads (timer and I/O drivers, blocking pools) included; CPU util. is \
    CPU time over wall time, in cores.";
/// Answer verification.
pub(super) const CHECKSUMS: &str = "Every sample's checksum, warm-up included, is verified against the one \
    the workload's parameters imply; a cell with a wrong answer is reported as failed, not timed.";
/// How to read the thread census.
pub(super) const CENSUS: &str = "*Threads seen* are the threads alive in the cell's process after its last \
    sample, with the runtime still up, grouped by the name the OS reports (trailing digits \
    dropped, names cut at 15 characters); for each name, the most seen in any one cell. The OS \
    threads column also counts threads started and joined within a sample.";
/// A runner as the disclosures describe it.
pub(super) struct Disclosed<'a> {
    pub(super) id: &'a str,
    pub(super) class: Class,
    pub(super) family: Family,
    /// Its description from the results file, if the file has one.
    pub(super) meta: Option<&'a RunnerMeta>,
    /// Its cells (at least one).
    pub(super) cells: Vec<&'a Cell>,
}

impl Disclosed<'_> {
    /// Writes the runner's bullet and its caveats as sub-bullets.
    pub(super) fn disclose(&self, out: &mut String) {
        let mut line = format!("- **{}** ({}, {}).", self.id, self.class, self.family);
        let knob = self.meta.map_or("", |m| m.threads_knob.as_str());
        if let Some(meta) = self.meta {
            if !meta.summary.is_empty() {
                write!(line, " Built as {}", sentence(&meta.summary)).expect("write to String");
            }
            if !meta.timer.is_empty() {
                write!(line, " Timer: {}", sentence(&meta.timer)).expect("write to String");
            }
        }
        // Already Markdown: the names in it are escaped.
        write!(line, " Threads: {}.", self.threads(knob)).expect("write to String");
        writeln!(out, "{line}").expect("write to String");
        for caveat in self.meta.iter().flat_map(|m| &m.caveats) {
            writeln!(out, "  - {}", sentence(caveat)).expect("write to String");
        }
    }

    /// The thread knob in words with the thread counts run and the threads seen.
    pub(super) fn threads(&self, knob: &str) -> String {
        match knob {
            "one" => format!(
                "1 thread runs tasks; threads seen: {}",
                Census::of(&self.cells).describe(true)
            ),
            "per-task" => {
                let census = Census::of(&self.cells);
                let alive = if census.transient > 0 {
                    format!(" (up to {} alive)", census.transient)
                } else {
                    String::new()
                };
                let mut counts: Vec<usize> = self.cells.iter().map(|c| c.threads).collect();
                counts.sort_unstable();
                counts.dedup();
                let counts: Vec<String> = counts.iter().map(ToString::to_string).collect();
                format!(
                    "one OS thread per task{alive}; compared at `--threads {}`; threads seen: {}",
                    join_and(&counts),
                    census.describe(false)
                )
            }
            _ => {
                let (one, many) = if knob == "workers" {
                    ("worker", "workers")
                } else {
                    ("thread", "threads")
                };
                let mut by_threads: BTreeMap<usize, Vec<&Cell>> = BTreeMap::new();
                for &cell in &self.cells {
                    by_threads.entry(cell.threads).or_default().push(cell);
                }
                let groups: Vec<(String, String)> = by_threads
                    .into_iter()
                    .map(|(n, cells)| (plural(n, one, many), Census::of(&cells).describe(true)))
                    .collect();
                match groups.as_slice() {
                    [(count, seen)] => format!("{count}; threads seen: {seen}"),
                    _ => groups
                        .iter()
                        .map(|(count, seen)| format!("{count} (threads seen: {seen})"))
                        .collect::<Vec<_>>()
                        .join("; "),
                }
            }
        }
    }
}

/// The threads a set of cells reported.
pub(super) struct Census<'a> {
    /// Per name, the most seen alive in any one cell.
    pub(super) names: BTreeMap<&'a str, usize>,
    /// The most threads any one cell started and joined within a sample.
    pub(super) transient: usize,
}

impl<'a> Census<'a> {
    pub(super) fn of(cells: &[&'a Cell]) -> Self {
        let mut names: BTreeMap<&'a str, usize> = BTreeMap::new();
        let mut transient = 0;
        for cell in cells {
            for (name, &count) in &cell.thread_names {
                let most = names.entry(name).or_default();
                *most = (*most).max(count);
            }
            if let Some(total) = cell.os_threads {
                let live: usize = cell.thread_names.values().sum();
                transient = transient.max(total.saturating_sub(live));
            }
        }
        Self { names, transient }
    }

    /// `tokio-runtime-w ×2, rtcompare ×1`, most numerous first, with the threads
    /// started within a sample when `with_transient`.
    pub(super) fn describe(&self, with_transient: bool) -> String {
        let mut names: Vec<(&str, usize)> = self.names.iter().map(|(&n, &c)| (n, c)).collect();
        names.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let mut text = if names.is_empty() {
            "not recorded".to_string()
        } else {
            names
                .iter()
                .map(|(n, c)| format!("{} ×{c}", escape_inline(n)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if with_transient && self.transient > 0 {
            write!(
                text,
                ", plus up to {} started and joined within a sample",
                self.transient
            )
            .expect("write to String");
        }
        text
    }
}

/// The section itself, for the registry.
pub(super) struct Disclosures;

impl super::Section for Disclosures {
    fn id(&self) -> &'static str {
        "disclosures"
    }

    fn render(&self, report: &Report<'_>, out: &mut String) {
        report.disclosures(out);
    }
}

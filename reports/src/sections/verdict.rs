//! The *Verdict*: one line per workload, saying what concurrency alone and what
//! parallelism bought there, with its caveats.

use super::Report;
use super::shared::*;
use crate::model::{Cell, Status};
use crate::summary::BASELINE_RUNNER;
use crate::text::{cores, join_and, ms, plural};
use rtcompare_api::{Class, WorkloadKind};
use std::fmt::Write as _;

impl<'a> Report<'a> {
    // -- verdict ------------------------------------------------------------

    pub(super) fn verdict(&self, out: &mut String) {
        out.push_str("## Verdict\n\n");
        self.verdict_caveats(out);
        let mut any = false;
        for kind in [
            WorkloadKind::Cpu,
            WorkloadKind::Io,
            WorkloadKind::Mixed,
            WorkloadKind::Overhead,
            WorkloadKind::Fault,
        ] {
            for &workload in &self.workloads {
                let all = self.cells_of(workload);
                if all.first().map(|c| c.workload_kind) != Some(kind) {
                    continue;
                }
                any = true;
                // Cells that do not apply, or that other load disturbed, take no
                // part in any comparison.
                let cells: Vec<&Cell> = all
                    .iter()
                    .copied()
                    .filter(|c| crate::judge::judged(c))
                    .collect();
                let line = if cells.is_empty() && all.iter().any(|c| c.disturbed()) {
                    format!(
                        "**{workload}** ({}): every cell that applies was disturbed by other \
                         load, so there is no verdict (see {} under its table).",
                        kind_label(kind),
                        crate::judge::DISTURBED
                    )
                } else if kind == WorkloadKind::Overhead {
                    format!(
                        "**{workload}** ({}): {}",
                        kind_label(kind),
                        crate::overhead::verdict(self.results, workload, &cells)
                    )
                } else if kind == WorkloadKind::Fault {
                    // Its times say nothing; what survived is the result.
                    format!(
                        "**{workload}** ({}): see *{}*.",
                        kind_label(kind),
                        super::crash::TITLE
                    )
                } else {
                    self.verdict_line(workload, kind, &all, &cells)
                };
                writeln!(out, "- {line}").expect("write to String");
            }
        }
        if !any {
            out.push_str("No cells were recorded.\n");
        }
        out.push('\n');
    }

    /// What the verdicts below leave out and how far they may rank: the disturbed
    /// cells, named, and the weakest interval they rest on when it is too weak for
    /// "fastest" or "tied".
    pub(super) fn verdict_caveats(&self, out: &mut String) {
        let disturbed: Vec<String> = self
            .results
            .cells
            .iter()
            .filter(|c| c.applies() && c.disturbed())
            .map(|c| format!("`{}`", c.key()))
            .collect();
        if !disturbed.is_empty() {
            writeln!(
                out,
                "{} {} disturbed by other load on the machine even after re-takes and {} left \
                 out of the verdicts, the grid, the claims and the findings (shown, marked {}, \
                 in the tables): {}.\n",
                plural(disturbed.len(), "cell", "cells"),
                if disturbed.len() == 1 { "was" } else { "were" },
                if disturbed.len() == 1 { "is" } else { "are" },
                crate::judge::DISTURBED,
                join_and(&disturbed)
            )
            .expect("write to String");
        }
        let weakest = self
            .results
            .cells
            .iter()
            .filter_map(crate::judge::judged_summary)
            .filter(|s| !s.supports_claims())
            .min_by(|a, b| {
                a.interval_coverage
                    .total_cmp(&b.interval_coverage)
                    .then(a.samples.cmp(&b.samples))
            });
        if let Some(s) = weakest {
            writeln!(
                out,
                "Some cells have too few samples for a ranking (the weakest interval: {}), so \
                 where they are compared, \"best\" means only the lowest median: no order \
                 between runners is claimed there.\n",
                crate::judge::interval_kind(s)
            )
            .expect("write to String");
        }
    }

    /// The verdict on one workload; `all` are its cells, `cells` those judged.
    pub(super) fn verdict_line(
        &self,
        workload: &str,
        kind: WorkloadKind,
        all: &[&'a Cell],
        cells: &[&'a Cell],
    ) -> String {
        let mut line = format!("**{workload}** ({}): ", kind_label(kind));
        if cells.is_empty() {
            line.push_str("no runner applies.");
            return line;
        }
        // On a send schedule, wall time is the schedule's: no speedup means anything.
        if let Some(rate) = self.open_loop(workload) {
            self.open_loop_verdict(&mut line, workload, rate, cells);
            return line;
        }
        let seq_cells: Vec<&Cell> = all
            .iter()
            .copied()
            .filter(|c| c.runner == BASELINE_RUNNER)
            .collect();
        let Some(seq) = seq_cells
            .iter()
            .find(|c| crate::judge::judged_summary(c).is_some())
        else {
            let why = match seq_cells.first() {
                Some(c) if c.disturbed() => "`seq` was disturbed by other load",
                Some(c) if c.status == Status::Timeout => "`seq` timed out",
                Some(c) if c.status == Status::NotApplicable => "`seq` does not apply",
                Some(_) => "`seq` failed",
                None => "`seq` is missing",
            };
            write!(line, "{why}, so speedups can't be computed").expect("write to String");
            match Best::of(cells.iter().copied()) {
                Some(best) => {
                    let (title, caveat) = best.title();
                    write!(
                        line,
                        "; {title} was {}{} (given {}; {} cores busy) at {} ms{}.",
                        best.cell.runner,
                        if caveat.is_some() { "'s" } else { "" },
                        plural(best.cell.threads, "thread", "threads"),
                        cores(best.summary.cpu_utilisation),
                        ms(best.summary.median_wall_s),
                        caveat.map_or(String::new(), |c| format!(" ({c})"))
                    )
                }
                None => write!(line, "; no cell finished."),
            }
            .expect("write to String");
            return self.see_also(workload, line);
        };

        let concurrent: Vec<&Cell> = cells
            .iter()
            .copied()
            .filter(|c| c.class == Class::Concurrent)
            .collect();
        // A multithreaded runner given one thread is not parallel in that cell.
        let multithreaded: Vec<&Cell> = cells
            .iter()
            .copied()
            .filter(|c| matches!(c.class, Class::ConcurrentParallel | Class::Parallel))
            .filter(|c| c.threads > 1)
            .collect();
        let conc = Best::of(concurrent.iter().copied());
        let par = Best::of(multithreaded.iter().copied());

        let seq_summary = seq.summary.as_ref().expect("seq finished");
        let mut clauses = Vec::new();
        match &conc {
            Some(b) => clauses.push(format!(
                "concurrency alone (best single-threaded executor: {}{}) {}",
                b.cell.runner,
                b.ties(),
                Versus::of(b.summary, seq_summary).against_seq(true)
            )),
            None if !concurrent.is_empty() => {
                clauses.push("no single-threaded executor finished".into())
            }
            None => {}
        }
        match &par {
            Some(b) => clauses.push(self.parallel_clause(
                workload,
                kind,
                seq,
                conc.as_ref(),
                b,
                &multithreaded,
            )),
            None if !multithreaded.is_empty() => {
                clauses.push("no multithreaded runner finished".into())
            }
            None => {}
        }
        if clauses.is_empty() {
            line.push_str("only `seq` ran.");
        } else {
            line.push_str(&clauses.join("; "));
            line.push('.');
        }

        let mut extrapolated: Vec<String> = Vec::new();
        let leaders = [
            Some(*seq),
            conc.as_ref().map(|b| b.cell),
            par.as_ref().map(|b| b.cell),
        ];
        for cell in leaders.into_iter().flatten() {
            let name = format!("`{}`", cell.runner);
            if cell.extrapolation.is_some() && !extrapolated.contains(&name) {
                extrapolated.push(name);
            }
        }
        if !extrapolated.is_empty() {
            write!(
                line,
                " ({} extrapolated from a subset of the work; see {EXTRAPOLATED} below.)",
                join_and(&extrapolated)
            )
            .expect("write to String");
        }

        if let Some(s) = self.ideal_sentence(workload, cells) {
            line.push(' ');
            line.push_str(&s);
        }
        if kind == WorkloadKind::Cpu {
            if let Some(s) = self.static_split_sentence(cells) {
                line.push(' ');
                line.push_str(&s);
            }
        }
        self.see_also(workload, line)
    }
}

/// The section itself, for the registry.
pub(super) struct Verdict;

impl super::Section for Verdict {
    fn id(&self) -> &'static str {
        "verdict"
    }

    fn render(&self, report: &Report<'_>, out: &mut String) {
        report.verdict(out);
    }
}

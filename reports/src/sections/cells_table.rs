//! The table of one workload's cells, with its footnotes.

use super::Report;
use super::shared::*;
use crate::model::{Cell, Latency, MetricMeta, Sample, Status, Summary};
use crate::table::{Align, Table};
use crate::text::{NONE, cores, escape_inline, join_and, mib, ms, percent, plural, times};
use rtcompare_api::WorkloadKind;
use std::fmt::Write as _;

impl<'a> Report<'a> {
    /// The table of the cells of `workload` that apply (at least one), in the
    /// order given, with the footnotes on extrapolated and noted cells.
    pub(super) fn cells_table(&self, out: &mut String, workload: &str, cells: &[&'a Cell]) {
        let ideal = self.workload_meta(workload).and_then(|m| m.ideal_wall_s);
        let finished = || cells.iter().filter(|c| c.status == Status::Ok);
        // Without a speedup anywhere (no `seq` to divide by) the two columns go.
        let speedups = cells.iter().any(|c| {
            c.summary
                .as_ref()
                .is_some_and(|s| s.speedup_vs_seq.is_some())
        });
        let latencies: Vec<&Latency> = finished().filter_map(|c| c.latency_us.as_ref()).collect();
        let unit = crate::format::TimeUnit::for_medians(latencies.iter().copied());
        let latency = !latencies.is_empty();
        let mut more: Vec<&str> = Vec::new();
        for cell in finished() {
            for name in cell.more_latency_us.keys() {
                if !more.contains(&name.as_str()) {
                    more.push(name);
                }
            }
        }
        let throughput = finished().any(|c| c.throughput_per_s.is_some());
        let metrics: Vec<MetricMeta> = crate::overhead::measures(self.results, workload, cells)
            .into_iter()
            .filter(|m| finished().any(|c| c.metrics.contains_key(&m.key)))
            .collect();

        let u = unit.symbol();
        let mut columns: Vec<(String, Align)> = [
            ("Runner", Align::Left),
            ("Class", Align::Left),
            ("Family", Align::Left),
            ("Threads", Align::Right),
            ("Median wall [ms]", Align::Right),
            ("Median interval [ms]", Align::Right),
            ("Samples", Align::Right),
        ]
        .into_iter()
        .map(|(h, a)| (h.to_owned(), a))
        .collect();
        if speedups {
            columns.push(("Speedup".into(), Align::Right));
            columns.push(("Efficiency".into(), Align::Right));
        }
        columns.extend(
            [
                ("CPU util.", Align::Right),
                ("Peak RSS [MiB]", Align::Right),
                ("OS threads", Align::Right),
            ]
            .map(|(h, a)| (h.to_owned(), a)),
        );
        if ideal.is_some() {
            columns.push(("× ideal".into(), Align::Right));
        }
        if latency {
            for p in ["p50", "p99", "p99.9", "max"] {
                columns.push((format!("{p} [{u}]"), Align::Right));
            }
        }
        for name in &more {
            columns.push((format!("{name} p99 [{u}]"), Align::Right));
        }
        if throughput {
            // Workloads that time requests have requests; the others operations.
            let per = if cells.first().map(|c| c.workload_kind) == Some(WorkloadKind::Io) && latency
            {
                "req/s"
            } else {
                "ops/s"
            };
            columns.push((format!("Throughput [{per}]"), Align::Right));
        }
        for meta in &metrics {
            columns.push((crate::format::metric_header(meta), Align::Right));
        }
        // Where the work is synchronisation, contention shows as context switches:
        // voluntary (a thread sleeping on a lock or queue) and involuntary (preempted,
        // possibly while holding one), per sample, of the whole process.
        let contention = cells.first().map(|c| c.workload_kind) == Some(WorkloadKind::Overhead);
        if contention {
            columns.push(("Context switches vol. / invol.".into(), Align::Right));
        }
        columns.push(("Relative".into(), Align::Right));

        // One footnote per distinct note, numbered in order of first appearance.
        let mut notes: Vec<(&str, Vec<String>)> = Vec::new();
        for cell in cells {
            for note in &cell.notes {
                match notes.iter_mut().find(|(n, _)| n == note) {
                    Some((_, runners)) => runners.push(cell.runner.clone()),
                    None => notes.push((note, vec![cell.runner.clone()])),
                }
            }
        }
        let marks = |cell: &Cell| -> String {
            let numbers: Vec<String> = cell
                .notes
                .iter()
                .filter_map(|note| notes.iter().position(|(n, _)| n == note))
                .map(|i| crate::format::superscript(i + 1))
                .collect();
            if numbers.is_empty() {
                String::new()
            } else {
                format!(" {}", numbers.join(" "))
            }
        };

        let fastest = Best::of(cells.iter().copied());
        let mut table = Table::new(columns);
        for cell in cells {
            let oversubscribed = cell.summary.as_ref().is_some_and(|s| s.oversubscribed);
            let mut row = vec![
                format!("{}{}{}", cell.runner, marks(cell), crate::judge::mark(cell)),
                cell.class.to_string(),
                cell.family.to_string(),
                if oversubscribed {
                    format!("{}{OVERSUBSCRIBED}", cell.threads)
                } else {
                    cell.threads.to_string()
                },
            ];
            match &cell.summary {
                Some(s) => {
                    let mark = if cell.extrapolation.is_some() {
                        EXTRAPOLATED
                    } else {
                        ""
                    };
                    row.extend([
                        format!("{}{mark}", ms(s.median_wall_s)),
                        format!(
                            "{}–{} ({})",
                            ms(s.interval_wall_s[0]),
                            ms(s.interval_wall_s[1]),
                            crate::judge::coverage(s.interval_coverage)
                        ),
                        samples_text(cell, s),
                    ]);
                    if speedups {
                        row.extend([
                            s.speedup_vs_seq.map_or(NONE.into(), times),
                            s.efficiency.map_or(NONE.into(), percent),
                        ]);
                    }
                    row.extend([
                        cores(s.cpu_utilisation),
                        cell.peak_rss_bytes.map_or(NONE.into(), mib),
                        cell.os_threads.map_or(NONE.into(), |n| n.to_string()),
                    ]);
                    if let Some(ideal) = ideal {
                        row.push(times(s.median_wall_s / ideal));
                    }
                    if latency {
                        match &cell.latency_us {
                            Some(l) => {
                                row.extend([l.p50, l.p99, l.p999, l.max].map(|v| unit.show(v)))
                            }
                            None => row.extend([NONE; 4].map(String::from)),
                        }
                    }
                    for name in &more {
                        row.push(
                            cell.more_latency_us
                                .get(*name)
                                .map_or(NONE.into(), |l| unit.show(l.p99)),
                        );
                    }
                    if throughput {
                        row.push(
                            cell.throughput_per_s
                                .map_or(NONE.into(), crate::format::thousands),
                        );
                    }
                    for meta in &metrics {
                        row.push(
                            cell.metrics.get(&meta.key).map_or(NONE.into(), |&v| {
                                crate::format::metric_value(&meta.key, v)
                            }),
                        );
                    }
                    if contention {
                        let median_of = |count: fn(&Sample) -> u64| {
                            let values: Vec<f64> =
                                cell.samples.iter().map(|s| count(s) as f64).collect();
                            crate::format::thousands(crate::stats::median(&values))
                        };
                        row.push(format!(
                            "{} / {}",
                            median_of(|s| s.ctx_voluntary),
                            median_of(|s| s.ctx_involuntary)
                        ));
                    }
                    row.push(relative(cell, s, fastest.as_ref()));
                }
                None => {
                    let status = match cell.status {
                        Status::Ok => "no samples",
                        other => status_word(other),
                    };
                    row.push(status.into());
                    row.resize(table.columns().len(), NONE.into());
                }
            }
            table.push_row(row);
        }
        out.push_str(&table.to_markdown());
        out.push('\n');

        // What the intervals are, and what the table may therefore claim.
        if let Some(note) = crate::judge::interval_note(cells) {
            let mut note = note;
            if let Some(best) = fastest.as_ref().filter(|b| !b.ranked) {
                write!(
                    note,
                    " Here {} has the lowest median ({}).",
                    best.cell.runner,
                    crate::judge::too_few(best.group.iter().copied())
                )
                .expect("write to String");
            }
            if cells.iter().any(|c| c.sampling.is_some()) {
                write!(note, " {SAMPLES_NOTE}").expect("write to String");
            }
            writeln!(out, "{note}\n").expect("write to String");
        }
        if let Some(note) = crate::judge::disturbed_note(cells) {
            writeln!(out, "{note}\n").expect("write to String");
        }
        let over: Vec<&Cell> = cells
            .iter()
            .copied()
            .filter(|c| c.summary.as_ref().is_some_and(|s| s.oversubscribed))
            .collect();
        if !over.is_empty() {
            let cores = self.results.machine.logical_cores;
            let mut counts: Vec<usize> = over.iter().map(|c| c.threads).collect();
            counts.sort_unstable();
            counts.dedup();
            let counts: Vec<String> = counts.iter().map(ToString::to_string).collect();
            writeln!(
                out,
                "{OVERSUBSCRIBED} Oversubscribed: {} threads on {}. Efficiency is measured \
                 against the {cores} cores (speedup ÷ min(threads, cores)), so a runner that \
                 uses them fully still scores 100%.\n",
                join_and(&counts),
                plural(cores, "core", "cores")
            )
            .expect("write to String");
        }
        if kind_of_cells(cells) == Some(WorkloadKind::Cpu) && speedups {
            writeln!(out, "{CPU_EFFICIENCY_NOTE}\n").expect("write to String");
        }

        // One footnote per distinct extrapolation note, naming every cell it applies to.
        let mut scaled: Vec<(&str, Vec<String>)> = Vec::new();
        for cell in cells {
            let Some(e) = &cell.extrapolation else {
                continue;
            };
            match scaled.iter_mut().find(|(note, _)| *note == e.note) {
                Some((_, runners)) => runners.push(cell.runner.clone()),
                None => scaled.push((&e.note, vec![cell.runner.clone()])),
            }
        }
        for (note, runners) in scaled {
            writeln!(out, "{EXTRAPOLATED} {}: {note}\n", join_and(&runners))
                .expect("write to String");
        }
        for (i, (note, runners)) in notes.iter().enumerate() {
            writeln!(
                out,
                "{} {}: {}\n",
                crate::format::superscript(i + 1),
                join_and(runners),
                escape_inline(note)
            )
            .expect("write to String");
        }
        let about: Vec<String> = metrics
            .iter()
            .filter(|m| !m.about.trim().is_empty())
            .map(|m| {
                format!(
                    "*{}*: {}",
                    escape_inline(&crate::format::metric_header(m)),
                    escape_inline(m.about.trim().trim_end_matches('.'))
                )
            })
            .collect();
        if !about.is_empty() {
            writeln!(out, "{}.\n", about.join("; ")).expect("write to String");
        }
        if latency {
            let mut named = String::new();
            if !more.is_empty() {
                let names: Vec<String> = more.iter().map(|n| format!("*{n}*")).collect();
                write!(
                    named,
                    "; {} p99 is the workload's further latency of that name",
                    join_and(&names)
                )
                .expect("write to String");
            }
            writeln!(
                out,
                "p50 to max: the workload's own latency, histograms merged over the measured \
                 samples{named}.\n"
            )
            .expect("write to String");
        }
    }
}

/// The kind of the workload of `cells` (all of one workload).
pub(super) fn kind_of_cells(cells: &[&Cell]) -> Option<WorkloadKind> {
    cells.first().map(|c| c.workload_kind)
}

/// `12, precision`: the cell's samples and why sampling stopped, or the count
/// alone in files that do not record it.
pub(super) fn samples_text(cell: &Cell, summary: &Summary) -> String {
    let n = if summary.samples > 0 {
        summary.samples
    } else {
        cell.samples.len()
    };
    match &cell.sampling {
        Some(s) => {
            let stop = match s.stop {
                crate::model::StopReason::MaxSamples => "max",
                other => other.as_str(),
            };
            format!("{n}, {stop}")
        }
        None => n.to_string(),
    }
}

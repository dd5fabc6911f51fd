//! The clauses a verdict line is built from: where a workload's latencies are read,
//! what parallelism added, open-loop schedules, efficiency, ideal times and static
//! splits.

use super::Report;
use super::shared::*;
use crate::model::{Cell, RunnerMeta, Status, Summary};
use crate::text::{capitalise, cores, join_and, ms, percent, plural, times};
use rtcompare_api::{Family, WorkloadKind};
use std::fmt::Write as _;

impl<'a> Report<'a> {
    /// `line` with a pointer to the section that reads the workload's latencies,
    /// when the report has one for it.
    pub(super) fn see_also(&self, workload: &str, mut line: String) -> String {
        if let Some(section) = self.latency_section(workload) {
            write!(line, " Latencies: see *{section}*.").expect("write to String");
        }
        line
    }

    /// The title of the section that reads `workload`'s latencies, when the report
    /// has one for it and a finished cell of the workload measured latency.
    pub(super) fn latency_section(&self, workload: &str) -> Option<&'static str> {
        let section = if [
            super::echo::UNLOADED,
            super::echo::LOADED,
            super::echo::OPEN,
        ]
        .contains(&workload)
        {
            super::echo::TITLE
        } else if workload.starts_with(crate::hogs::PREFIX) {
            crate::hogs::TITLE
        } else {
            return None;
        };
        let has_latency =
            self.results.cells.iter().any(|c| {
                c.workload == workload && c.status == Status::Ok && c.latency_us.is_some()
            });
        has_latency.then_some(section)
    }

    /// The description of the runner of `cell` in the results file, if it has one.
    pub(super) fn runner_meta(&self, cell: &Cell) -> Option<&'a RunnerMeta> {
        self.results.runners.iter().find(|m| m.id == cell.runner)
    }

    /// What the best multithreaded runner bought, as measured and attributed.
    ///
    /// Parallelism is credited only when the runner kept more than
    /// [`PARALLEL_CORES`] busy; otherwise its speed came from something else and
    /// the clause says so. On the socket workloads, a multithreaded runner that
    /// blocks on its sockets as `seq` does (no reactor) is measured against `seq`,
    /// not against the single-threaded executors (which wait on a reactor), so
    /// the I/O model's share of its lead is not credited to parallelism.
    pub(super) fn parallel_clause(
        &self,
        workload: &str,
        kind: WorkloadKind,
        seq: &'a Cell,
        conc: Option<&Best<'a>>,
        par: &Best<'a>,
        multithreaded: &[&'a Cell],
    ) -> String {
        let seq_summary = seq.summary.as_ref().expect("seq finished");
        let name = format!(
            "{}, {}{}",
            par.cell.runner,
            plural(par.cell.threads, "thread", "threads"),
            par.ties()
        );
        let busy = format!("{} cores busy", cores(par.summary.cpu_utilisation));
        let vs_seq = Versus::of(par.summary, seq_summary);
        let like_seq = conc.is_some_and(|c| self.blocks_like_seq(workload, seq, c.cell, par.cell));

        if !ran_in_parallel(par.summary) {
            let mut text = format!(
                "the best multithreaded runner ({name}) {} with {busy}",
                vs_seq.against_seq(false)
            );
            let mut cause = String::new();
            if let Some(c) = conc {
                let vs_conc = Versus::of(par.summary, c.summary);
                write!(text, " and {}", vs_conc.against(&c.cell.runner)).expect("write to String");
                let seq_lead = Versus::of(seq_summary, c.summary);
                if like_seq && vs_conc.change == Change::Faster && seq_lead.change == Change::Faster
                {
                    cause = format!(
                        "; like `seq` it blocks on its sockets with no reactor, which is where \
                         its lead over {} comes from",
                        c.cell.runner
                    );
                }
            }
            write!(text, ": not a gain from parallelism{cause}").expect("write to String");
            return text;
        }

        let who = format!("(best multithreaded runner: {name})");
        let Some(c) = conc.filter(|_| kind != WorkloadKind::Cpu) else {
            if kind == WorkloadKind::Cpu && vs_seq.change == Change::Faster {
                let efficiency = par.summary.efficiency.map_or(String::new(), |e| {
                    format!(" ({})", self.efficiency_words(e, par.cell, par.summary))
                });
                return format!("parallelism {who} at {}{efficiency}", times(vs_seq.ratio));
            }
            return format!("parallelism {who} {} with {busy}", vs_seq.against_seq(true));
        };
        let vs_conc = Versus::of(par.summary, c.summary);
        if like_seq {
            // Its gain over `seq` is parallelism's; the rest of its lead over the
            // single-threaded executors is blocking I/O against a reactor.
            let mut text = format!(
                "parallelism {who} {} with {busy}, blocking on its sockets with no reactor as \
                 `seq` does",
                vs_seq.against_seq(true)
            );
            let seq_lead = Versus::of(seq_summary, c.summary);
            if vs_conc.change == Change::Faster
                && vs_seq.change == Change::Faster
                && seq_lead.change == Change::Faster
            {
                write!(
                    text,
                    ", so of its {} over {}, {} is blocking I/O's lead (`seq` over it), not \
                     parallelism",
                    times(vs_conc.ratio),
                    c.cell.runner,
                    times(seq_lead.ratio)
                )
            } else {
                write!(text, "; it {}", vs_conc.against(&c.cell.runner))
            }
            .expect("write to String");
            // What parallelism bought where the sockets wait on a reactor.
            let reactor = Best::of(multithreaded.iter().copied().filter(|m| {
                self.runner_meta(m)
                    .is_some_and(|meta| net_kind(meta) == Some(NetKind::Reactor))
            }));
            if let Some(r) = reactor {
                let vs = Versus::of(r.summary, c.summary);
                let name = format!(
                    "{}, {}",
                    r.cell.runner,
                    plural(r.cell.threads, "thread", "threads")
                );
                let busy = format!("{} cores busy", cores(r.summary.cpu_utilisation));
                if vs.change == Change::Faster && ran_in_parallel(r.summary) {
                    write!(
                        text,
                        "; on a reactor, parallelism ({name}) bought a further {} over {} with \
                         {busy}",
                        times(vs.ratio),
                        c.cell.runner
                    )
                } else {
                    write!(
                        text,
                        "; on a reactor, the best multithreaded runner ({name}) {} with {busy}",
                        vs.against(&c.cell.runner)
                    )
                }
                .expect("write to String");
            }
            return text;
        }
        let gain = match vs_conc.change {
            Change::Faster => format!("bought a further {}", times(vs_conc.ratio)),
            Change::Level => format!("added nothing measurable ({})", vs_conc.level()),
            Change::Slower => format!("made it slower ({})", times(vs_conc.ratio)),
        };
        format!(
            "adding parallelism {who} {gain} with {busy}, {}",
            vs_seq.in_all()
        )
    }

    /// Whether, on a socket workload, `seq` and the multithreaded runner `par`
    /// both block on their sockets while the single-threaded executor `conc`
    /// waits on a reactor (from the runners' `net` descriptions).
    pub(super) fn blocks_like_seq(
        &self,
        workload: &str,
        seq: &Cell,
        conc: &Cell,
        par: &Cell,
    ) -> bool {
        let sockets = [
            super::echo::UNLOADED,
            super::echo::LOADED,
            super::echo::OPEN,
        ]
        .contains(&workload);
        let kind = |cell: &Cell| self.runner_meta(cell).and_then(net_kind);
        sockets
            && kind(seq) == Some(NetKind::Blocking)
            && kind(par) == Some(NetKind::Blocking)
            && kind(conc) == Some(NetKind::Reactor)
    }

    /// The send rate of an open-loop workload (`Some(None)` when it does not say
    /// one), or `None` for a workload that is not open loop: one whose cells have
    /// a [`OPEN_LOOP_RATE`] parameter, or whose description says `open loop`.
    pub(super) fn open_loop(&self, workload: &str) -> Option<Option<f64>> {
        let rate = self
            .results
            .cells
            .iter()
            .filter(|c| c.workload == workload && c.applies())
            .find_map(|c| c.param(OPEN_LOOP_RATE));
        if rate.is_some() {
            return Some(rate);
        }
        let summary = self.workload_meta(workload)?.summary.to_lowercase();
        (summary.contains("open loop") || summary.contains("open-loop"))
            .then_some(self.results.config.rate)
    }

    /// The verdict on an open-loop workload (after its name in `line`): the send
    /// schedule sets the wall time, so it points to the latencies instead and
    /// names the runners that fell behind the schedule.
    pub(super) fn open_loop_verdict(
        &self,
        line: &mut String,
        workload: &str,
        rate: Option<f64>,
        cells: &[&'a Cell],
    ) {
        line.push_str("sends on a fixed schedule");
        if let Some(rate) = rate {
            write!(line, " ({} req/s)", crate::format::thousands(rate)).expect("write to String");
        }
        line.push_str(", so the schedule sets its wall time");
        let walls: Vec<f64> = cells
            .iter()
            .filter_map(|c| Some(crate::judge::judged_summary(c)?.median_wall_s))
            .collect();
        if !walls.is_empty() {
            write!(
                line,
                " ({} ms on every runner that finished)",
                ms_range(&walls)
            )
            .expect("write to String");
        }
        line.push_str(" and speedups mean nothing: compare latencies");
        if let Some(section) = self.latency_section(workload) {
            write!(line, " (see *{section}*)").expect("write to String");
        }
        line.push('.');
        if let Some(behind) = self.behind_schedule(cells) {
            line.push(' ');
            line.push_str(&behind);
        }
    }

    /// The runners whose open-loop p50 is more than [`BEHIND_SCHEDULE`] times the
    /// median of every runner's, with the numbers, and why when the runner
    /// descriptions say: a runner that blocks on one connection per thread, with
    /// a fixed number of threads, serves only that many connections at a time,
    /// so the requests of the others go out late.
    pub(super) fn behind_schedule(&self, cells: &[&'a Cell]) -> Option<String> {
        let measured: Vec<(&Cell, f64)> = cells
            .iter()
            .filter(|c| c.status == Status::Ok && crate::judge::judged(c))
            .filter_map(|&c| Some((c, c.latency_us?.p50)))
            .filter(|(_, p50)| p50.is_finite())
            .collect();
        let p50s: Vec<f64> = measured.iter().map(|&(_, p)| p).collect();
        if p50s.is_empty() {
            return None;
        }
        let limit = BEHIND_SCHEDULE * crate::stats::median(&p50s);
        let (behind, kept): (Vec<_>, Vec<_>) =
            measured.iter().copied().partition(|&(_, p)| p > limit);
        if behind.is_empty() || kept.is_empty() {
            return None;
        }
        let mut names: Vec<String> = Vec::new();
        for (cell, _) in &behind {
            if !names.contains(&cell.runner) {
                names.push(cell.runner.clone());
            }
        }
        let numbers = format!(
            "open-loop p50 {} against {} for the other runners",
            crate::format::span_us(&behind.iter().map(|&(_, p)| p).collect::<Vec<_>>()),
            crate::format::span_us(&kept.iter().map(|&(_, p)| p).collect::<Vec<_>>())
        );
        // A fixed number of threads, each blocked on one connection at a time.
        let one_at_a_time = behind.iter().all(|(cell, _)| {
            self.runner_meta(cell).is_some_and(|m| {
                net_kind(m) == Some(NetKind::Blocking) && m.threads_knob != "per-task"
            })
        });
        let connections: Vec<f64> = behind
            .iter()
            .filter_map(|(cell, _)| super::echo::connections(cell))
            .collect();
        if !one_at_a_time {
            return Some(format!(
                "{} fell behind the schedule: {numbers}.",
                join_and(&names)
            ));
        }
        let at_once = match connections.as_slice() {
            [first, rest @ ..]
                if connections.len() == behind.len() && rest.iter().all(|c| c == first) =>
            {
                let counts: Vec<f64> = behind
                    .iter()
                    .map(|(cell, _)| first.min(cell.threads as f64))
                    .collect();
                let low = counts.iter().copied().fold(f64::INFINITY, f64::min);
                let high = counts.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let range = if low == high {
                    crate::format::thousands(low)
                } else {
                    format!(
                        "{}–{}",
                        crate::format::thousands(low),
                        crate::format::thousands(high)
                    )
                };
                format!(
                    ", {range} of the {} at a time",
                    crate::format::thousands(*first)
                )
            }
            _ => String::new(),
        };
        Some(format!(
            "{} block on one connection per thread{at_once}, so the requests of the \
             connections waiting their turn go out late: {numbers}.",
            join_and(&names)
        ))
    }

    /// `efficiency 100%`, or, for more threads than cores, `efficiency 100% of the
    /// 2 cores; 4 threads on 2 cores (oversubscribed)`: efficiency is speedup ÷
    /// min(threads, cores), so oversubscription is its own fact, not lost efficiency.
    pub(super) fn efficiency_words(
        &self,
        efficiency: f64,
        cell: &Cell,
        summary: &Summary,
    ) -> String {
        let mut text = format!("efficiency {}", percent(efficiency));
        if summary.oversubscribed {
            let cores = self.results.machine.logical_cores;
            write!(
                text,
                " of the {cores} cores; {} on {cores} cores (oversubscribed)",
                plural(cell.threads, "thread", "threads")
            )
            .expect("write to String");
        }
        text
    }

    /// How close the best runner came to the workload's ideal wall time, and why
    /// none reaches it.
    pub(super) fn ideal_sentence(&self, workload: &str, cells: &[&'a Cell]) -> Option<String> {
        let ideal = self.workload_meta(workload)?.ideal_wall_s?;
        let best = Best::of(cells.iter().copied())?;
        // Only a timer that says it has a resolution ends sleeps on a tick.
        let ticks = self
            .runner_meta(best.cell)
            .is_some_and(|m| m.timer.contains("resolution"));
        let why = if ticks {
            "timer granularity (each sleep ends at the timer's next tick) plus waking and \
             scheduling every task"
        } else {
            "the timer's lateness in firing plus waking and scheduling every task"
        };
        let (title, caveat) = best.title();
        Some(format!(
            "{} ({}, {} ms{}) was {:.1}% over the ideal of {} ms: the gap is {why}.",
            capitalise(title),
            best.cell.runner,
            ms(best.summary.median_wall_s),
            caveat.map_or(String::new(), |c| format!("; {c}")),
            (best.summary.median_wall_s / ideal - 1.0) * 100.0,
            ms(ideal)
        ))
    }

    /// Compares the static split with the best dynamic scheduler at the same thread
    /// count, for CPU-bound workloads (where only scheduling differs between them).
    pub(super) fn static_split_sentence(&self, cells: &[&'a Cell]) -> Option<String> {
        let statics: Vec<&Cell> = cells
            .iter()
            .copied()
            .filter(|c| c.family == Family::StaticSplit)
            .collect();
        let first = statics.first()?;
        let Some(stat) = Best::of(statics.iter().copied()) else {
            return Some(format!(
                "Static split ({}) did not finish ({}).",
                first.runner,
                status_word(first.status)
            ));
        };
        let dynamic = Best::of(cells.iter().copied().filter(|c| {
            matches!(c.family, Family::WorkStealing | Family::SharedQueue)
                && c.threads == stat.cell.threads
        }))?;
        let (s, d) = (stat.summary, dynamic.summary);
        let figures = match (s.speedup_vs_seq, d.speedup_vs_seq) {
            (Some(a), Some(b)) => format!("reached {} against {}", times(a), times(b)),
            _ => format!(
                "took {} ms against {} ms",
                ms(s.median_wall_s),
                ms(d.median_wall_s)
            ),
        };
        let behind = s.median_wall_s / d.median_wall_s - 1.0;
        let supported = crate::judge::supports(s, d);
        let reading = if overlaps(s.interval_wall_s, d.interval_wall_s) && supported {
            "statistically tied, so equal shares were enough here".to_owned()
        } else if overlaps(s.interval_wall_s, d.interval_wall_s) {
            format!(
                "their intervals overlap, but with {} no order between them is claimed",
                crate::judge::too_few([s, d]).replace(": too few to rank", "")
            )
        } else if behind >= UNEVEN_GAP {
            format!(
                "{:.0}% slower, because with fixed shares the thread holding the costly chunks \
                 sets the pace while the others sit idle",
                behind * 100.0
            )
        } else if behind > 0.0 {
            format!(
                "{:.1}% slower, a small gap (the fixed shares were close to even)",
                behind * 100.0
            )
        } else if supported {
            "faster here, as equal shares need no coordination".to_owned()
        } else {
            format!(
                "a lower median here, as equal shares need no coordination ({})",
                crate::judge::too_few([s, d])
            )
        };
        Some(format!(
            "Static split ({}) {figures} for dynamic scheduling ({}) on {}: {reading}.",
            stat.cell.runner,
            dynamic.cell.runner,
            plural(stat.cell.threads, "thread", "threads"),
        ))
    }
}

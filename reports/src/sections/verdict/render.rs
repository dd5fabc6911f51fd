//! The verdict in words: one bullet per workload, from the [`VerdictFinding`]
//! alone.

use super::*;
use crate::sections::shared::*;
use crate::text::{capitalise, cores, join_and, ms, percent, plural, times};
use std::fmt::Write as _;

/// Appends the section.
pub(super) fn verdict(finding: &VerdictFinding, out: &mut String) {
    out.push_str("## Verdict\n\n");
    caveats(finding, out);
    for w in &finding.workloads {
        writeln!(out, "- {}", line(w)).expect("write to String");
    }
    if finding.workloads.is_empty() {
        out.push_str("No cells were recorded.\n");
    }
    out.push('\n');
}

/// What the verdicts leave out and how far they may rank: the disturbed cells,
/// named, and the weakest interval they rest on when it is too weak for
/// "fastest" or "tied".
fn caveats(finding: &VerdictFinding, out: &mut String) {
    let disturbed: Vec<String> = finding
        .disturbed
        .iter()
        .map(|c| format!("`{}`", c.key()))
        .collect();
    if !disturbed.is_empty() {
        let one = disturbed.len() == 1;
        writeln!(
            out,
            "{} {} disturbed by other load on the machine even after re-takes and {} left \
             out of the verdicts, the grid, the claims and the findings (shown, marked {}, \
             in the tables): {}.\n",
            plural(disturbed.len(), "cell", "cells"),
            if one { "was" } else { "were" },
            if one { "is" } else { "are" },
            crate::judge::DISTURBED,
            join_and(&disturbed)
        )
        .expect("write to String");
    }
    if let Some(weakest) = finding.weakest_interval {
        writeln!(
            out,
            "Some cells have too few samples for a ranking (the weakest interval: {}), so \
             where they are compared, \"best\" means only the lowest median: no order \
             between runners is claimed there.\n",
            crate::judge::interval_kind_of(weakest.samples, weakest.coverage)
        )
        .expect("write to String");
    }
}

/// The bullet of one workload.
fn line(w: &WorkloadVerdict) -> String {
    let mut line = format!("**{}** ({}): ", w.workload, kind_label(w.kind));
    match &w.outcome {
        Outcome::AllDisturbed => write!(
            line,
            "every cell that applies was disturbed by other load, so there is no verdict \
             (see {} under its table).",
            crate::judge::DISTURBED
        )
        .expect("write to String"),
        Outcome::Overhead(verdict) => line.push_str(&crate::overhead::render_verdict(verdict)),
        Outcome::Fault => {
            write!(line, "see *{}*.", crate::sections::crash::TITLE).expect("write to String")
        }
        Outcome::NoRunnerApplies => line.push_str("no runner applies."),
        Outcome::OpenLoop(open) => open_loop(&mut line, open, w.latencies),
        Outcome::Latency(ranking) => {
            line.push_str("the hogs set the wall time, so runners are ranked by the p99 of");
            line.push_str(" the latency it measures");
            latency_words(&mut line, ranking);
            see_also(&mut line, w.latencies);
        }
        Outcome::NoSeq { why, best } => {
            no_seq(&mut line, *why, best.as_ref());
            see_also(&mut line, w.latencies);
        }
        Outcome::Compared(compared) => {
            self::compared(&mut line, compared);
            see_also(&mut line, w.latencies);
        }
    }
    line
}

/// The title of the section a workload's latencies are read in.
fn title(section: LatencySection) -> &'static str {
    match section {
        LatencySection::Echo => crate::sections::echo::TITLE,
        LatencySection::Hogs => crate::sections::hogs::TITLE,
    }
}

/// ` Latencies: see *…*.` when the report reads the workload's latencies.
fn see_also(line: &mut String, latencies: Option<LatencySection>) {
    if let Some(section) = latencies {
        write!(line, " Latencies: see *{}*.", title(section)).expect("write to String");
    }
}

impl Leader {
    /// How to name the leader: `the fastest runner` and no caveat, or `the
    /// lowest median` and `3 samples: too few to rank` when the samples do not
    /// support a ranking.
    fn title(&self) -> (&'static str, Option<String>) {
        match self.fewest_samples {
            Some(n) if !self.ranked => ("the lowest median", Some(crate::judge::too_few_of(n))),
            _ => ("the fastest runner", None),
        }
    }

    /// `, statistically tied with X and Y` or nothing.
    fn ties(&self) -> String {
        if self.tied.is_empty() {
            return String::new();
        }
        let names: Vec<String> = self
            .tied
            .iter()
            .map(|c| {
                if c.threads == self.cell.threads {
                    c.runner.clone()
                } else {
                    format!("{} at {}", c.runner, plural(c.threads, "thread", "threads"))
                }
            })
            .collect();
        format!(", statistically tied with {}", join_and(&names))
    }
}

fn no_seq(line: &mut String, why: SeqMissing, best: Option<&Leader>) {
    let why = match why {
        SeqMissing::Disturbed => "`seq` was disturbed by other load",
        SeqMissing::TimedOut => "`seq` timed out",
        SeqMissing::NotApplicable => "`seq` does not apply",
        SeqMissing::Failed => "`seq` failed",
        SeqMissing::Missing => "`seq` is missing",
    };
    write!(line, "{why}, so speedups can't be computed").expect("write to String");
    match best {
        Some(best) => {
            let (title, caveat) = best.title();
            write!(
                line,
                "; {title} was {}{} (given {}; {} cores busy) at {} ms{}.",
                best.cell.runner,
                if caveat.is_some() { "'s" } else { "" },
                plural(best.cell.threads, "thread", "threads"),
                cores(best.cpu_utilisation),
                ms(best.median_wall_s),
                caveat.map_or(String::new(), |c| format!(" ({c})"))
            )
        }
        None => write!(line, "; no cell finished."),
    }
    .expect("write to String");
}

fn compared(line: &mut String, c: &Compared) {
    let mut clauses = Vec::new();
    match &c.concurrency {
        Some(Concurrency::Best { leader, vs_seq }) => clauses.push(format!(
            "concurrency alone (best single-threaded executor: {}{}) {}",
            leader.cell.runner,
            leader.ties(),
            vs_seq.against_seq(true)
        )),
        Some(Concurrency::NoneFinished) => {
            clauses.push("no single-threaded executor finished".into())
        }
        None => {}
    }
    match &c.parallelism {
        Some(Parallelism::Best(lead)) => {
            clauses.push(parallel_clause(&lead.leader, &lead.vs_seq, &lead.credit))
        }
        Some(Parallelism::NoneFinished) => clauses.push("no multithreaded runner finished".into()),
        None => {}
    }
    if clauses.is_empty() {
        line.push_str("only `seq` ran.");
    } else {
        line.push_str(&clauses.join("; "));
        line.push('.');
    }
    if !c.extrapolated.is_empty() {
        let names: Vec<String> = c.extrapolated.iter().map(|r| format!("`{r}`")).collect();
        write!(
            line,
            " ({} extrapolated from a subset of the work; see {EXTRAPOLATED} below.)",
            join_and(&names)
        )
        .expect("write to String");
    }
    if let Some(ideal) = &c.ideal {
        line.push(' ');
        line.push_str(&ideal_sentence(ideal));
    }
    if let Some(split) = &c.static_split {
        line.push(' ');
        line.push_str(&static_split_sentence(split));
    }
}

/// What the best multithreaded runner bought, as the finding credits it.
fn parallel_clause(leader: &Leader, vs_seq: &Versus, credit: &Credit) -> String {
    let name = format!(
        "{}, {}{}",
        leader.cell.runner,
        plural(leader.cell.threads, "thread", "threads"),
        leader.ties()
    );
    let busy = format!("{} cores busy", cores(leader.cpu_utilisation));
    let who = format!("(best multithreaded runner: {name})");
    match credit {
        Credit::NotParallel {
            vs_concurrency,
            blocking_io_lead,
        } => {
            let mut text = format!(
                "the best multithreaded runner ({name}) {} with {busy}",
                vs_seq.against_seq(false)
            );
            let mut cause = String::new();
            if let Some(c) = vs_concurrency {
                write!(text, " and {}", c.versus.against(&c.runner)).expect("write to String");
                if *blocking_io_lead {
                    cause = format!(
                        "; like `seq` it blocks on its sockets with no reactor, which is where \
                         its lead over {} comes from",
                        c.runner
                    );
                }
            }
            write!(text, ": not a gain from parallelism{cause}").expect("write to String");
            text
        }
        Credit::CpuGain {
            efficiency,
            oversubscribed,
            logical_cores,
        } => {
            let efficiency = efficiency.map_or(String::new(), |e| {
                let mut words = format!("efficiency {}", percent(e));
                // Efficiency is speedup ÷ min(threads, cores), so oversubscription
                // is its own fact, not lost efficiency.
                if *oversubscribed {
                    write!(
                        words,
                        " of the {logical_cores} cores; {} on {logical_cores} cores \
                         (oversubscribed)",
                        plural(leader.cell.threads, "thread", "threads")
                    )
                    .expect("write to String");
                }
                format!(" ({words})")
            });
            format!("parallelism {who} at {}{efficiency}", times(vs_seq.ratio))
        }
        Credit::AgainstSeq => {
            format!("parallelism {who} {} with {busy}", vs_seq.against_seq(true))
        }
        Credit::BlockingLikeSeq {
            vs_concurrency,
            seq_lead,
            reactor,
        } => blocking_like_seq(&who, &busy, vs_seq, vs_concurrency, seq_lead, reactor),
        Credit::BeyondConcurrency { vs_concurrency } => {
            let vs = &vs_concurrency.versus;
            let gain = match vs.change {
                Change::Faster => format!("bought a further {}", times(vs.ratio)),
                Change::Level => format!("added nothing measurable ({})", vs.level()),
                Change::Slower => format!("made it slower ({})", times(vs.ratio)),
            };
            format!(
                "adding parallelism {who} {gain} with {busy}, {}",
                vs_seq.in_all()
            )
        }
    }
}

/// Its gain over `seq` is parallelism's; the rest of its lead over the
/// single-threaded executors is blocking I/O against a reactor.
fn blocking_like_seq(
    who: &str,
    busy: &str,
    vs_seq: &Versus,
    conc: &Against,
    seq_lead: &Versus,
    reactor: &Option<ReactorLeader>,
) -> String {
    let mut text = format!(
        "parallelism {who} {} with {busy}, blocking on its sockets with no reactor as `seq` does",
        vs_seq.against_seq(true)
    );
    let vs_conc = &conc.versus;
    if vs_conc.change == Change::Faster
        && vs_seq.change == Change::Faster
        && seq_lead.change == Change::Faster
    {
        write!(
            text,
            ", so of its {} over {}, {} is blocking I/O's lead (`seq` over it), not parallelism",
            times(vs_conc.ratio),
            conc.runner,
            times(seq_lead.ratio)
        )
    } else {
        write!(text, "; it {}", vs_conc.against(&conc.runner))
    }
    .expect("write to String");
    // What parallelism bought where the sockets wait on a reactor.
    if let Some(r) = reactor {
        let name = format!(
            "{}, {}",
            r.cell.runner,
            plural(r.cell.threads, "thread", "threads")
        );
        let busy = format!("{} cores busy", cores(r.cpu_utilisation));
        let vs = &r.vs_concurrency;
        if vs.change == Change::Faster && r.parallel {
            write!(
                text,
                "; on a reactor, parallelism ({name}) bought a further {} over {} with {busy}",
                times(vs.ratio),
                conc.runner
            )
        } else {
            write!(
                text,
                "; on a reactor, the best multithreaded runner ({name}) {} with {busy}",
                vs.against(&conc.runner)
            )
        }
        .expect("write to String");
    }
    text
}

/// The schedule sets an open loop's wall time, so the verdict points to the
/// latencies instead and names the runners that fell behind the schedule.
fn open_loop(line: &mut String, open: &OpenLoop, latencies: Option<LatencySection>) {
    line.push_str("sends on a fixed schedule");
    if let Some(rate) = open.rate_per_s {
        write!(line, " ({} req/s)", crate::format::thousands(rate)).expect("write to String");
    }
    line.push_str(", so the schedule sets its wall time");
    if let Some(walls) = open.walls_s {
        write!(
            line,
            " ({} ms on every runner that finished)",
            ms_range(&walls)
        )
        .expect("write to String");
    }
    line.push_str(" and speedups mean nothing: compare latencies");
    if let Some(section) = latencies {
        write!(line, " (see *{}*)", title(section)).expect("write to String");
    }
    line.push('.');
    if !open.latency.lowest.is_empty() {
        line.push_str(" Ranked by p99");
        latency_words(line, &open.latency);
    }
    if let Some(behind) = &open.behind {
        line.push(' ');
        line.push_str(&behind_sentence(behind));
    }
}

/// `: lowest tokio-ct (1 thread) at 134 µs, then smol-local (1 thread) at 189
/// µs.`, or `: no cell measured it.`
fn latency_words(line: &mut String, ranking: &LatencyRanking) {
    let entries: Vec<String> = ranking
        .lowest
        .iter()
        .map(|e| {
            format!(
                "{} ({}) at {}",
                e.cell.runner,
                plural(e.cell.threads, "thread", "threads"),
                crate::format::duration_us(e.p99_us)
            )
        })
        .collect();
    match entries.as_slice() {
        [] => line.push_str(": no cell measured it."),
        [only] => write!(line, ": lowest {only}.").expect("write to String"),
        [first, next, ..] => {
            write!(line, ": lowest {first}, then {next}.").expect("write to String")
        }
    }
}

fn behind_sentence(behind: &Behind) -> String {
    let numbers = format!(
        "open-loop p50 {} against {} for the other runners",
        crate::format::span_us(&behind.behind_p50_us),
        crate::format::span_us(&behind.kept_p50_us)
    );
    let names = join_and(&behind.runners);
    let Some(one) = &behind.one_connection_per_thread else {
        return format!("{names} fell behind the schedule: {numbers}.");
    };
    let at_once = one
        .served
        .map_or(String::new(), |([low, high], connections)| {
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
                crate::format::thousands(connections)
            )
        });
    format!(
        "{names} block on one connection per thread{at_once}, so the requests of the \
         connections waiting their turn go out late: {numbers}."
    )
}

/// How close the best runner came to the workload's ideal wall time, and why
/// none reaches it.
fn ideal_sentence(ideal: &Ideal) -> String {
    let why = if ideal.ticks {
        "timer granularity (each sleep ends at the timer's next tick) plus waking and \
         scheduling every task"
    } else {
        "the timer's lateness in firing plus waking and scheduling every task"
    };
    let best = &ideal.best;
    let (title, caveat) = best.title();
    format!(
        "{} ({}, {} ms{}) was {:.1}% over the ideal of {} ms: the gap is {why}.",
        capitalise(title),
        best.cell.runner,
        ms(best.median_wall_s),
        caveat.map_or(String::new(), |c| format!("; {c}")),
        (best.median_wall_s / ideal.ideal_s - 1.0) * 100.0,
        ms(ideal.ideal_s)
    )
}

fn static_split_sentence(split: &StaticSplit) -> String {
    let (split, dynamic, speedups, walls, reading) = match split {
        StaticSplit::DidNotFinish { runner, status } => {
            return format!(
                "Static split ({runner}) did not finish ({}).",
                status_word(*status)
            );
        }
        StaticSplit::Compared {
            split,
            dynamic,
            speedups,
            walls_s,
            reading,
        } => (split, dynamic, speedups, walls_s, reading),
    };
    let figures = match speedups {
        Some([a, b]) => format!("reached {} against {}", times(*a), times(*b)),
        None => format!("took {} ms against {} ms", ms(walls[0]), ms(walls[1])),
    };
    let reading = match reading {
        SplitReading::Tied => "statistically tied, so equal shares were enough here".to_owned(),
        SplitReading::OverlapUnranked { fewest_samples } => format!(
            "their intervals overlap, but with {} no order between them is claimed",
            crate::judge::samples(*fewest_samples)
        ),
        SplitReading::Uneven { slower_by } => format!(
            "{:.0}% slower, because with fixed shares the thread holding the costly chunks \
             sets the pace while the others sit idle",
            slower_by * 100.0
        ),
        SplitReading::SlightlySlower { slower_by } => format!(
            "{:.1}% slower, a small gap (the fixed shares were close to even)",
            slower_by * 100.0
        ),
        SplitReading::Faster => "faster here, as equal shares need no coordination".to_owned(),
        SplitReading::LowerMedianUnranked { fewest_samples } => format!(
            "a lower median here, as equal shares need no coordination ({})",
            crate::judge::too_few_of(*fewest_samples)
        ),
    };
    format!(
        "Static split ({}) {figures} for dynamic scheduling ({}) on {}: {reading}.",
        split.runner,
        dynamic.runner,
        plural(split.threads, "thread", "threads"),
    )
}

//! The verdict in words: one bullet per workload, from the [`VerdictFinding`]
//! alone.

use super::*;
use crate::sections::shared::*;
use crate::text::{join_and, plural};
use std::fmt::Write as _;

/// Appends the section.
pub(super) fn verdict(finding: &VerdictFinding, out: &mut String) {
    out.push_str("## Verdict\n\n");
    caveats(finding, out);
    latencies_note(&finding.workloads, out);
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
            "{} {} disturbed by other load on the machine even after re-takes: {}. {} left \
             out of the verdicts, the grid, the claims and the findings, and shown marked {} \
             in the tables.\n",
            plural(disturbed.len(), "cell", "cells"),
            if one { "was" } else { "were" },
            join_and(&disturbed),
            if one { "It is" } else { "They are" },
            crate::judge::DISTURBED,
        )
        .expect("write to String");
    }
    if let Some(weakest) = finding.weakest_interval {
        writeln!(
            out,
            "Some cells have too few samples for a ranking (the weakest interval: {}). Where \
             they are compared, \"best\" means only the lowest median: no order between \
             runners is claimed there.\n",
            crate::judge::interval_kind_of(weakest.samples, weakest.coverage)
        )
        .expect("write to String");
    }
}

/// Where the workloads' latencies are read, and how the workloads beside CPU
/// hogs are ranked: said once above the bullets rather than on each.
fn latencies_note(workloads: &[WorkloadVerdict], out: &mut String) {
    let named = |keep: &dyn Fn(&WorkloadVerdict) -> bool| -> String {
        let names: Vec<String> = workloads
            .iter()
            .filter(|w| keep(w))
            .map(|w| format!("`{}`", w.workload))
            .collect();
        join_and(&names)
    };
    let mut sentences = Vec::new();
    let read: Vec<String> = [LatencySection::Echo, LatencySection::Hogs]
        .into_iter()
        .map(|section| (named(&|w| w.latencies == Some(section)), title(section)))
        .filter(|(names, _)| !names.is_empty())
        .enumerate()
        .map(|(i, (names, title))| match i {
            0 => format!("The latencies of {names} are read in *{title}*"),
            _ => format!("those of {names} in *{title}*"),
        })
        .collect();
    if !read.is_empty() {
        sentences.push(format!("{}.", read.join(", ")));
    }
    let ranked = named(&|w| matches!(w.outcome, Outcome::Latency(_)));
    if !ranked.is_empty() {
        sentences.push(format!(
            "On {ranked} the hogs set the wall time, so runners are ranked by the p99 of the \
             latency each workload measures."
        ));
        let beyond = workloads.iter().any(|w| match &w.outcome {
            Outcome::Latency(ranking) => ranking.lowest.iter().any(|e| e.timer.is_some()),
            _ => false,
        });
        if beyond {
            sentences.push(format!(
                "Where `{}` measured a runner's own {}, they are ranked by the p99 beyond it.",
                crate::sections::timer::TIMER,
                crate::terms::link(crate::terms::Term::TimerLateness),
            ));
        }
    }
    if !sentences.is_empty() {
        writeln!(out, "{}\n", sentences.join(" ")).expect("write to String");
    }
}

/// The bullet of one workload: its name and kind, then its sentences, the first
/// after a colon.
fn line(w: &WorkloadVerdict) -> String {
    let sentences: Vec<String> = match &w.outcome {
        Outcome::AllDisturbed => vec![format!(
            "Every cell that applies was disturbed by other load, so there is no verdict (see \
             {} under its table).",
            crate::judge::DISTURBED
        )],
        Outcome::Overhead(verdict) => vec![crate::overhead::render_verdict(
            verdict,
            &crate::sections::workloads::names::measure,
        )],
        Outcome::Fault => vec![format!("See *{}*.", crate::sections::crash::TITLE)],
        Outcome::NoRunnerApplies => vec!["No runner applies.".to_owned()],
        Outcome::OpenLoop(open) => open_loop(open),
        Outcome::Served(served) => super::served::words(served),
        Outcome::Latency(ranking) => vec![format!("Ranked by p99{}", latency_words(ranking))],
        Outcome::Timer(ranking) => vec![format!(
            "One task's sleeps set the wall time, so speedups mean nothing: ranked by the p99 \
             of its 100 µs sleeps' lateness{}",
            latency_words(ranking)
        )],
        Outcome::NoSeq { why, best } => compared::no_seq(*why, best.as_ref()),
        Outcome::Compared(c) => compared::compared(c),
    };
    format!(
        "**{}** ({}): {}",
        w.workload,
        kind_label(w.kind),
        after_colon(&sentences.join(" "))
    )
}

/// `text` with its first letter in lower case, as it follows a colon, unless
/// the first word is an abbreviation (`CPU`) or a name in code.
fn after_colon(text: &str) -> String {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && second.is_lowercase() => {
            first.to_lowercase().chain(text.chars().skip(1)).collect()
        }
        _ => text.to_owned(),
    }
}

/// The title of the section a workload's latencies are read in.
fn title(section: LatencySection) -> &'static str {
    match section {
        LatencySection::Echo => crate::sections::echo::TITLE,
        LatencySection::Hogs => crate::sections::hogs::TITLE,
    }
}

/// The schedule sets an open loop's wall time, so the verdict ranks by latency
/// instead and names the runners that fell behind the schedule.
fn open_loop(open: &OpenLoop) -> Vec<String> {
    let mut first = "Sends on a fixed schedule".to_owned();
    if let Some(rate) = open.rate_per_s {
        write!(first, " ({} req/s)", crate::format::thousands(rate)).expect("write to String");
    }
    first.push_str(", so the schedule sets its wall time");
    if let Some(walls) = open.walls_s {
        write!(
            first,
            " ({} ms on every runner that finished)",
            ms_range(&walls)
        )
        .expect("write to String");
    }
    first.push_str(" and speedups mean nothing: compare latencies.");
    let mut sentences = vec![first];
    if !open.latency.lowest.is_empty() {
        sentences.push(format!("Ranked by p99{}", latency_words(&open.latency)));
    }
    if let Some(behind) = &open.behind {
        sentences.extend(behind_sentences(behind));
    }
    sentences
}

/// `: lowest tokio-ct (1 thread) at 134 µs, then smol-local (1 thread) at 189
/// µs.`, or `: no cell measured it.` Read beyond the timer: `at 35.0 µs beyond
/// its timer (100 µs measured)`, or `at 100 µs (no timer cell)` for a runner
/// without one.
fn latency_words(ranking: &LatencyRanking) -> String {
    let beyond = ranking.lowest.iter().any(|e| e.timer.is_some());
    let entries: Vec<String> = ranking
        .lowest
        .iter()
        .map(|e| {
            let value = match (beyond, e.timer) {
                (false, _) => crate::format::duration_us(e.p99_us),
                (true, Some(_)) => format!(
                    "{} beyond its timer ({} measured)",
                    crate::format::duration_us(e.ranked_us()),
                    crate::format::duration_us(e.p99_us)
                ),
                (true, None) => format!(
                    "{} (no `{}` cell)",
                    crate::format::duration_us(e.p99_us),
                    crate::sections::timer::TIMER
                ),
            };
            format!(
                "{} ({}) at {value}",
                e.cell.runner,
                plural(e.cell.threads, "thread", "threads"),
            )
        })
        .collect();
    match entries.as_slice() {
        [] => ": no cell measured it.".to_owned(),
        [only] => format!(": lowest {only}."),
        [first, next, ..] => format!(": lowest {first}, then {next}."),
    }
}

/// Who fell behind the open loop's schedule, why when the finding says, and
/// by how much.
fn behind_sentences(behind: &Behind) -> Vec<String> {
    let numbers = format!(
        "open-loop p50 {} against {} for the other runners",
        crate::format::span_us(&behind.behind_p50_us),
        crate::format::span_us(&behind.kept_p50_us)
    );
    let names = join_and(&behind.runners);
    let Some(one) = &behind.one_connection_per_thread else {
        return vec![format!("Behind the schedule: {names}, with {numbers}.")];
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
                ", so {range} of the {} are served at a time",
                crate::format::thousands(connections)
            )
        });
    vec![
        format!("Each of {names} blocks on one connection per thread{at_once}."),
        format!("The requests of the connections waiting their turn go out late: {numbers}."),
    ]
}

//! The answers in words: one table row per kind of work, from the
//! [`AnswersFinding`] alone.

use super::*;
use crate::format::{duration_us, metric_with_unit, split_header};
use crate::model::MetricMeta;
use crate::table::{Align, Table};
use crate::text::{escape_inline, ms, plural, sig3};
use std::fmt::Write as _;

/// Appends the section; nothing when no kind of work ran.
pub(super) fn render(finding: &AnswersFinding, out: &mut String) {
    if finding.answers.is_empty() {
        return;
    }
    out.push_str("## Answers\n\n");
    let [fewest, most] = finding.samples;
    let samples = if fewest == most {
        plural(fewest, "sample", "samples")
    } else {
        format!("{fewest}–{most} samples")
    };
    write!(
        out,
        "Which runner to use for each kind of work on this machine, from {} with {samples} each",
        plural(finding.cells, "judged cell", "judged cells"),
    )
    .expect("write to String");
    if finding.disturbed > 0 {
        write!(
            out,
            "; {} left out, disturbed by other load",
            plural(finding.disturbed, "cell", "cells")
        )
        .expect("write to String");
    }
    let all_supported = finding.answers.iter().all(|a| match &a.pick {
        Pick::Ranked { margin, .. } => margin.supported,
        Pick::Only { .. } => true,
    });
    write!(
        out,
        ". Each runner stands with its best thread count. The margin is the runner-up's median \
         over the winner's, with a {}bootstrap interval across processes.\n\n",
        if all_supported { "95% " } else { "" }
    )
    .expect("write to String");
    let mut table = Table::new([
        ("Work", Align::Left),
        ("Ranked by", Align::Left),
        ("Use", Align::Left),
        ("Runner-up", Align::Left),
        ("Margin [interval]", Align::Right),
        ("Samples", Align::Right),
        ("Caveat", Align::Left),
    ]);
    for answer in &finding.answers {
        table.push_row(row(answer));
    }
    out.push_str(&table.to_markdown());
    out.push('\n');
}

fn row(a: &Answer) -> Vec<String> {
    let (winner, up, margin) = match &a.pick {
        Pick::Only { winner } => (winner, None, "only runner".to_owned()),
        Pick::Ranked {
            winner,
            runner_up,
            margin,
        } => (winner, Some(runner_up), margin_words(margin)),
    };
    let samples = match up {
        Some(up) => format!("{} + {}", winner.samples, up.samples),
        None => winner.samples.to_string(),
    };
    let samples = if a.disturbed > 0 {
        format!("{samples}; {} disturbed", a.disturbed)
    } else {
        samples
    };
    vec![
        work_label(a),
        measure_label(a),
        format!("**{}**", entry(a, winner)),
        up.map_or_else(|| crate::text::NONE.to_owned(), |u| entry(a, u)),
        margin,
        samples,
        a.caveat
            .as_ref()
            .map_or_else(|| crate::text::NONE.to_owned(), caveat_words),
    ]
}

fn work_label(a: &Answer) -> String {
    let label = match a.work {
        Work::CpuUniform => "CPU, even chunks",
        Work::CpuSkewed => "CPU, uneven chunks",
        Work::ForkJoin => "Fork-join",
        Work::Timers => "Timers",
        Work::TimerLateness => "Timer lateness, unloaded",
        Work::TcpThroughput => "TCP, many connections",
        Work::TcpLatency => "TCP, one connection",
        Work::LatencyBesideHogs => "Latency beside CPU hogs",
        Work::SpawnHeavy => "Spawning tasks",
        Work::MessagePassing => "Message passing",
        Work::SharedState => "Shared state",
    };
    match a.workers_at_once {
        Some(n) if n > 1 => format!("{label} ({n}+ workers at once)"),
        _ => label.to_owned(),
    }
}

fn measure_label(a: &Answer) -> String {
    match (&a.measure, a.work) {
        (Measure::WallTime, _) => "wall time".into(),
        // The report's first use of the p99: linked to the glossary.
        (Measure::LatencyP99, Work::LatencyBesideHogs) => format!("tick lateness {}", p99()),
        (Measure::LatencyP99, Work::TcpLatency) => format!("round trip {}", p99()),
        (Measure::LatencyP99, Work::TimerLateness) => format!("100 µs sleep lateness {}", p99()),
        (Measure::LatencyP99, _) => format!("latency {}", p99()),
        (Measure::Cost { header, .. }, _) => escape_inline(&cost_label(header)),
    }
}

/// `ns per task` for the header `ns/task`; the label of `Chunk [ms]`.
fn cost_label(header: &str) -> String {
    match split_header(header) {
        (label, "") => label.replace('/', " per "),
        (label, _) => label.to_owned(),
    }
}

/// `p99`, linked to its glossary entry.
fn p99() -> String {
    crate::terms::link(crate::terms::Term::P99)
}

/// `tokio-mt, 2 threads: 121 ms`, with the workload when the kind has several.
fn entry(a: &Answer, e: &Entry) -> String {
    let value = match &a.measure {
        Measure::WallTime => format!("{} ms", ms(e.median)),
        Measure::LatencyP99 => duration_us(e.median),
        // A header that is its unit (`ns/task`) is said after the number.
        Measure::Cost { header, .. } if split_header(header).1.is_empty() => {
            format!("{} {header}", crate::format::thousands(e.median))
        }
        Measure::Cost { key, header } => metric_with_unit(
            &MetricMeta {
                key: key.clone(),
                header: header.clone(),
                about: String::new(),
            },
            e.median,
        ),
    };
    let variant = if a.workloads.len() > 1 {
        format!(", `{}`", e.cell.workload)
    } else {
        String::new()
    };
    format!(
        "{} ({}{variant}): {value}",
        e.cell.runner,
        plural(e.cell.threads, "thread", "threads")
    )
}

/// `1.52× [1.40–1.63]`, or `cannot separate: 1.01× [0.99–1.03]`.
fn margin_words(m: &Margin) -> String {
    let [lo, hi] = m.interval;
    let figures = if lo.is_finite() && hi.is_finite() {
        format!("{}× [{}–{}]", sig3(m.ratio), sig3(lo), sig3(hi))
    } else {
        format!("{}×", sig3(m.ratio))
    };
    if m.separated {
        figures
    } else if m.supported {
        format!("cannot separate: {figures}")
    } else {
        format!("too few samples to rank: {figures}")
    }
}

fn caveat_words(c: &Caveat) -> String {
    match c {
        Caveat::Lockstep { runner } => format!(
            "{runner} plays client and server in lockstep on one thread, unlike the async runners"
        ),
        Caveat::TimerTicks { runner } => {
            format!("{runner}'s timer ends each sleep on a tick of its resolution")
        }
        Caveat::Extrapolated { runner } => {
            format!("{runner}'s time is scaled up from part of the work (†)")
        }
        Caveat::BorrowedReactor { runner } => {
            format!("{runner} has no timer or reactor of its own (see Disclosures)")
        }
        Caveat::Discontinued { runner } => {
            format!("{runner} is discontinued upstream (see Disclosures)")
        }
    }
}

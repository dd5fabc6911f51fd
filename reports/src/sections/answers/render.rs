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
        Pick::Only { .. } | Pick::Ordered { .. } => true,
    });
    write!(
        out,
        ". Each runner stands with its best thread count. The margin is the ratio of the two \
         medians, above 1 where the winner leads, with a {}bootstrap interval across \
         processes.\n\n",
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
        Pick::Ordered {
            winner,
            runner_up,
            ratio,
            tie_break,
        } => (
            winner,
            Some(runner_up),
            order_words(*ratio, tie_break.as_ref()),
        ),
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
        Work::TcpOfferedLoad => "TCP, offered load",
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
        (Measure::Throughput, _) => "throughput".into(),
        (Measure::Knee { p99_bound_us }, _) => {
            format!("knee ({} ≤ {})", p99(), duration_us(*p99_bound_us))
        }
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
    let Some(median) = e.median else {
        return format!(
            "{} ({}): no rate within the bound",
            e.cell.runner,
            plural(e.cell.threads, "thread", "threads")
        );
    };
    let value = match &a.measure {
        Measure::WallTime => format!("{} ms", ms(median)),
        Measure::LatencyP99 => duration_us(median),
        Measure::Throughput | Measure::Knee { .. } => {
            format!("{} req/s", crate::format::thousands(median))
        }
        // A header that is its unit (`ns/task`) is said after the number.
        Measure::Cost { header, .. } if split_header(header).1.is_empty() => {
            format!("{} {header}", crate::format::thousands(median))
        }
        Measure::Cost { key, header } => metric_with_unit(
            &MetricMeta {
                key: key.clone(),
                header: header.clone(),
                about: String::new(),
            },
            median,
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

/// `knee 2.00×`, `same knee; server CPU 0.81× at 40,000 req/s`, or `the
/// runner-up has no knee`.
fn order_words(ratio: Option<f64>, tie: Option<&TieBreak>) -> String {
    match (ratio, tie) {
        (_, Some(t)) => format!(
            "same knee; server CPU {}× at {} req/s",
            sig3(t.winner_cpu_us / t.runner_up_cpu_us),
            crate::format::thousands(t.rate_per_s)
        ),
        (Some(r), None) if r > 1.0 => format!("knee {}×", sig3(r)),
        (Some(_), None) => "same knee".to_owned(),
        (None, _) => "the runner-up has no knee".to_owned(),
    }
}

/// `generator-bound: tokio-mt's figure is a floor; server CPU 3.10 µs/req
/// (tokio-mt), 4.20 (smol-mt); generator 0.61, 0.58 of 2 cores`.
fn served_words(c: &ServedCaveat) -> String {
    let mut parts = Vec::new();
    match c.generator_bound.as_slice() {
        [] => {}
        [one] => parts.push(format!("generator-bound: {one}'s figure is a floor")),
        many => parts.push(format!(
            "generator-bound: the figures of {} are floors",
            crate::text::join_and(many)
        )),
    }
    let cpu: Vec<String> = c
        .costs
        .iter()
        .map(|k| format!("{} {} µs", k.runner, sig3(k.server_cpu_us_per_request)))
        .collect();
    parts.push(format!("server CPU per request {}", cpu.join(", ")));
    let generator: Vec<String> = c
        .costs
        .iter()
        .map(|k| crate::text::cores(k.generator_cores))
        .collect();
    parts.push(format!(
        "generator {} of {} cores",
        generator.join(" and "),
        c.logical_cores
    ));
    parts.join("; ")
}

fn caveat_words(c: &Caveat) -> String {
    match c {
        Caveat::InCellClients { runner } => format!(
            "{runner} was measured with its clients inside the cell (results schema 4 or older)"
        ),
        Caveat::Served(served) => served_words(served),
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

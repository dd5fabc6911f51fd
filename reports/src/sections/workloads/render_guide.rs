//! "How to read these tables": the list above the workload tables that says once
//! what they share, from the [`GuideItem`]s alone. Every sentence here is said
//! nowhere else in the section.

use super::{GuideItem, IntervalKind, MeasureNote};
use crate::sections::shared::{EXTRAPOLATED, OVERSUBSCRIBED};
use crate::text::{escape_inline, join_and, plural};
use std::fmt::Write as _;

/// The median interval, and what the table may claim from it.
pub(in crate::sections) const INTERVAL_NOTE: &str = "**Median interval**: around the median wall time, \
    with its coverage (the chance that it holds the true median) in brackets.";
/// Why a weak interval ranks nothing.
pub(in crate::sections) const WEAK_INTERVAL_NOTE: &str = "A range of fewer than 6 samples is too likely to \
    miss the median to rank runners on, so no order is claimed where one is compared.";
/// Explains the Samples column.
pub(in crate::sections) const SAMPLES_NOTE: &str = "**Samples**: measured samples, and why sampling stopped \
    where the run recorded it (precision: the interval reached its target; budget: the cell's \
    time ran out; max: the most samples allowed; fixed: `--samples N`).";
/// Explains the Efficiency column.
pub(in crate::sections) const EFFICIENCY_NOTE: &str = "**Efficiency**: speedup ÷ min(threads, cores), the \
    share of the ideal speedup the machine can give the cell. 100% is perfect scaling; more \
    threads than cores are their own fact (↑), not lost efficiency.";
/// Where a table of work that waits has speedups.
pub(in crate::sections) const NO_EFFICIENCY_NOTE: &str = "Efficiency is for CPU-bound work only: on work \
    that waits, a speedup can come from overlapping waits rather than from the threads.";
/// Beside the tables of work that waits (I/O-bound or mixed).
pub(in crate::sections) const WAITING_NOTE: &str = "**I/O-bound and mixed work**: every runner waits with \
    its own parts (timer, reactor or blocking calls; see Disclosures). They differ in cost and, \
    for timers, in granularity, so these times measure those parts as well as the scheduler.";

/// Writes the guide: a short list, nothing when it has no item.
pub(super) fn render(items: &[GuideItem], out: &mut String) {
    if items.is_empty() {
        return;
    }
    out.push_str("How to read these tables:\n\n");
    for item in items {
        writeln!(out, "- {}", words(item)).expect("write to String");
    }
    out.push('\n');
}

/// One item of the guide, in Markdown (a measure list is nested under it).
fn words(item: &GuideItem) -> String {
    match item {
        GuideItem::Preset { preset } => format!("Sizes are those of the `{preset}` preset."),
        GuideItem::Oversubscribed { cores } => format!(
            "**{OVERSUBSCRIBED}**: more threads than the machine's {}. Efficiency counts only \
             the cores, so a runner that uses them fully still scores 100%.",
            plural(*cores, "logical core", "logical cores")
        ),
        GuideItem::Intervals { usual } => format!(
            "{INTERVAL_NOTE} {} unless the table says otherwise.",
            match usual {
                IntervalKind::Ci95 => "It is a 95% confidence interval from order statistics",
                IntervalKind::Range => "It is the samples' range, below 95% coverage,",
                IntervalKind::Single => "Most cells have one sample, so no interval,",
            }
        ),
        GuideItem::WeakIntervals => WEAK_INTERVAL_NOTE.into(),
        GuideItem::Extrapolated => format!(
            "**{EXTRAPOLATED}**: a time measured on part of the work and scaled up; the note \
             under the table says how."
        ),
        GuideItem::SamplingStops => SAMPLES_NOTE.into(),
        GuideItem::Speedup => "**Speedup**: `seq`'s median wall over the cell's.".into(),
        GuideItem::Efficiency => EFFICIENCY_NOTE.into(),
        GuideItem::NoEfficiencyWhereWaiting => NO_EFFICIENCY_NOTE.into(),
        GuideItem::CpuUtilisation => {
            "**CPU util.**: median CPU time over median wall time, in cores.".into()
        }
        GuideItem::TimesIdeal => "**× ideal**: median wall over the workload's ideal wall \
             time, the shortest any runner could achieve."
            .into(),
        GuideItem::Latency { further } => latency(further),
        GuideItem::Measures { measures } => measures_list(measures),
        GuideItem::ContextSwitches => "**Context switches vol. / invol.**: medians per \
             sample, of the whole process. Voluntary: a thread slept on a lock or queue; \
             involuntary: it was preempted, possibly while holding one."
            .into(),
        GuideItem::Relative => "**Relative**: median wall over the best cell's. The best is \
             called *fastest* or *tied* only where every interval of its table allows; else \
             it has only the *lowest median*. Where wall time is not the point, the header names \
             what is compared instead. That is the p99 where a schedule or CPU hogs set the \
             wall time, or the cost per unit where runners did different amounts of work. Its \
             best is the *lowest*."
            .into(),
        GuideItem::Waiting => WAITING_NOTE.into(),
        GuideItem::Served { cores } => format!(
            "**Server CPU** and **Generator** (network workloads): the server's CPU time per \
             request over every step of the generator's plan, weighted by requests, and the most \
             of the machine's {} the external load generator took in any step.",
            plural(*cores, "logical core", "logical cores")
        ),
        GuideItem::InCellClients => format!(
            "**{}**: a network cell measured with its clients inside the cell (results schema 4 \
             or older); see Disclosures.",
            crate::network::IN_CELL_CLIENTS
        ),
        GuideItem::Scaling { cores } => format!(
            "**Scaling** (CPU-bound work at several thread counts): Amdahl's law `speedup = 1 \
             / (s + (1 - s) / p)` fitted by least squares, p = threads capped at the {}. s = 0 \
             is perfectly parallel work; the residual (RMS, in ×) says how well the law fits.",
            plural(*cores, "logical core", "logical cores")
        ),
    }
}

/// The latency columns: the workload's own latency, and any further ones.
fn latency(further: &[String]) -> String {
    let mut text = String::from(
        "**p50 to max**: the workload's own latency, histograms merged over the measured \
         samples.",
    );
    if !further.is_empty() {
        let names: Vec<String> = further
            .iter()
            .map(|n| format!("*{} p99*", escape_inline(n)))
            .collect();
        write!(
            text,
            " {} {} of {} the workload records.",
            join_and(&names),
            if names.len() == 1 {
                "is the p99"
            } else {
                "are the p99s"
            },
            if names.len() == 1 {
                "a further latency"
            } else {
                "further latencies"
            }
        )
        .expect("write to String");
    }
    text
}

/// The workloads' own measures, one nested item each; a header that means
/// different things in different workloads names them.
fn measures_list(measures: &[MeasureNote]) -> String {
    let mut text = String::from("**Other columns**:");
    for m in measures {
        let ambiguous = measures.iter().filter(|o| o.header == m.header).count() > 1;
        let which = if ambiguous {
            format!(" ({})", m.workloads.join(", "))
        } else {
            String::new()
        };
        write!(
            text,
            "\n  - *{}*{which}: {}.",
            escape_inline(&m.header),
            escape_inline(&m.about)
        )
        .expect("write to String");
    }
    text
}

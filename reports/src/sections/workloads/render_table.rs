//! The Markdown table of one workload's cells and the footnotes under it, from its
//! [`WorkloadTable`] alone.

use super::{Columns, IntervalKind, LatencyUnit, Measured, Row, Standing, ThroughputUnit};
use super::{Interval, WorkloadTable};
use crate::format::TimeUnit;
use crate::judge::{DISTURBED, Disturbance, coverage, disturbed_note, samples};
use crate::model::{Status, StopReason};
use crate::sections::shared::{
    CPU_EFFICIENCY_NOTE, EXTRAPOLATED, OVERSUBSCRIBED, SAMPLES_NOTE, status_word,
};
use crate::table::{Align, Table};
use crate::text::{NONE, cores, escape_inline, join_and, mib, ms, percent, plural, times};
use rtcompare_api::WorkloadKind;
use std::fmt::Write as _;

/// Writes the table of `table`'s rows (at least one), then its footnotes.
pub(super) fn render(table: &WorkloadTable, out: &mut String) {
    let columns = &table.columns;
    let mut grid = Table::new(headers(columns));
    for row in &table.rows {
        let mut line = vec![
            name(row),
            row.class.to_string(),
            row.family.to_string(),
            if row.oversubscribed {
                format!("{}{OVERSUBSCRIBED}", row.threads)
            } else {
                row.threads.to_string()
            },
        ];
        match &row.measured {
            Some(m) => line.extend(numbers(table, row, m)),
            None => {
                let status = match row.status {
                    Status::Ok => "no samples",
                    other => status_word(other),
                };
                line.push(status.into());
                line.resize(grid.columns().len(), NONE.into());
            }
        }
        grid.push_row(line);
    }
    out.push_str(&grid.to_markdown());
    out.push('\n');
    footnotes(table, out);
}

/// The runner, its note marks and the disturbed mark.
fn name(row: &Row) -> String {
    let mut text = row.runner.clone();
    if !row.notes.is_empty() {
        let marks: Vec<String> = row
            .notes
            .iter()
            .map(|&n| crate::format::superscript(n))
            .collect();
        write!(text, " {}", marks.join(" ")).expect("write to String");
    }
    if row.disturbed.is_some() {
        write!(text, " {DISTURBED}").expect("write to String");
    }
    text
}

/// The unit the table's latencies are shown in.
fn time_unit(unit: LatencyUnit) -> TimeUnit {
    match unit {
        LatencyUnit::Micros => TimeUnit::Micros,
        LatencyUnit::Millis => TimeUnit::Millis,
    }
}

/// The column headers, with their alignment.
fn headers(columns: &Columns) -> Vec<(String, Align)> {
    let mut headers: Vec<(String, Align)> = [
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
    let mut right = |header: String| headers.push((header, Align::Right));
    if columns.speedup {
        right("Speedup".into());
        right("Efficiency".into());
    }
    right("CPU util.".into());
    right("Peak RSS [MiB]".into());
    right("OS threads".into());
    if columns.times_ideal {
        right("× ideal".into());
    }
    let u = columns.latency.map_or(TimeUnit::Micros, time_unit).symbol();
    if columns.latency.is_some() {
        for p in ["p50", "p99", "p99.9", "max"] {
            right(format!("{p} [{u}]"));
        }
    }
    for name in &columns.more_latencies {
        right(format!("{name} p99 [{u}]"));
    }
    if let Some(unit) = columns.throughput {
        let per = match unit {
            ThroughputUnit::Requests => "req/s",
            ThroughputUnit::Operations => "ops/s",
        };
        right(format!("Throughput [{per}]"));
    }
    for meta in &columns.metrics {
        right(crate::format::metric_header(meta));
    }
    if columns.context_switches {
        right("Context switches vol. / invol.".into());
    }
    right("Relative".into());
    headers
}

/// A finished row's cells after its threads.
fn numbers(table: &WorkloadTable, row: &Row, m: &Measured) -> Vec<String> {
    let columns = &table.columns;
    let unit = columns.latency.map_or(TimeUnit::Micros, time_unit);
    let mark = if row.extrapolated { EXTRAPOLATED } else { "" };
    let samples = match row.stop {
        Some(StopReason::MaxSamples) => format!("{}, max", m.samples),
        Some(stop) => format!("{}, {}", m.samples, stop.as_str()),
        None => m.samples.to_string(),
    };
    let mut cells = vec![
        format!("{}{mark}", ms(m.median_wall_s)),
        format!(
            "{}–{} ({})",
            ms(m.interval.lo_s),
            ms(m.interval.hi_s),
            coverage(m.interval.coverage)
        ),
        samples,
    ];
    if columns.speedup {
        cells.push(m.speedup.map_or(NONE.into(), times));
        cells.push(m.efficiency.map_or(NONE.into(), percent));
    }
    cells.push(cores(m.cpu_utilisation));
    cells.push(m.peak_rss_bytes.map_or(NONE.into(), mib));
    cells.push(m.os_threads.map_or(NONE.into(), |n| n.to_string()));
    if columns.times_ideal {
        cells.push(m.times_ideal.map_or(NONE.into(), times));
    }
    if columns.latency.is_some() {
        match &m.latency_us {
            Some(l) => cells.extend([l.p50, l.p99, l.p999, l.max].map(|v| unit.show(v))),
            None => cells.extend([NONE; 4].map(String::from)),
        }
    }
    for name in &columns.more_latencies {
        cells.push(
            m.more_p99_us
                .get(name)
                .map_or(NONE.into(), |&p| unit.show(p)),
        );
    }
    if columns.throughput.is_some() {
        cells.push(
            m.throughput_per_s
                .map_or(NONE.into(), crate::format::thousands),
        );
    }
    for meta in &columns.metrics {
        cells.push(
            m.metrics
                .get(&meta.key)
                .map_or(NONE.into(), |&v| crate::format::metric_value(&meta.key, v)),
        );
    }
    if let Some(c) = &m.context_switches {
        cells.push(format!(
            "{} / {}",
            crate::format::thousands(c.voluntary),
            crate::format::thousands(c.involuntary)
        ));
    }
    cells.push(relative(table, row, m));
    cells
}

/// Median wall relative to the best judged cell's (hyperfine's "Relative"): the
/// best is called fastest or tied only where every interval supports it.
fn relative(table: &WorkloadTable, row: &Row, m: &Measured) -> String {
    if row.disturbed.is_some() {
        return "disturbed".into();
    }
    match (&table.best, m.relative) {
        (Some(best), _) if m.best => match best.standing {
            Standing::LowestMedian { .. } => "1.00 (lowest median)".into(),
            Standing::Fastest => "1.00 (fastest)".into(),
            Standing::Tied { .. } => "1.00 (tied)".into(),
        },
        (_, Some(ratio)) => format!("{ratio:.2}"),
        (_, None) => NONE.into(),
    }
}

/// `range of 3 samples (75%)`, `95% CI (order statistics, n = 12, 96.1%)` or
/// `1 sample (no interval)`, in the judge's words.
pub(super) fn interval_label(interval: &Interval) -> String {
    crate::judge::interval_kind_of(interval.samples, interval.coverage)
}

/// The notes under the table: its intervals, disturbed and oversubscribed cells,
/// efficiency, extrapolations, the cells' own notes, the measures and latencies.
fn footnotes(table: &WorkloadTable, out: &mut String) {
    if let Some(note) = interval_note(table) {
        writeln!(out, "{note}\n").expect("write to String");
    }
    let disturbed: Vec<Disturbance> = table
        .rows
        .iter()
        .filter_map(|r| r.disturbed.clone())
        .collect();
    if let Some(note) = disturbed_note(&disturbed) {
        writeln!(out, "{note}\n").expect("write to String");
    }
    if !table.oversubscribed_threads.is_empty() {
        let counts: Vec<String> = table
            .oversubscribed_threads
            .iter()
            .map(ToString::to_string)
            .collect();
        let cores = table.logical_cores;
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
    if table.kind == WorkloadKind::Cpu && table.columns.speedup {
        writeln!(out, "{CPU_EFFICIENCY_NOTE}\n").expect("write to String");
    }
    for e in &table.extrapolations {
        writeln!(out, "{EXTRAPOLATED} {}: {}\n", join_and(&e.runners), e.note)
            .expect("write to String");
    }
    for (i, n) in table.notes.iter().enumerate() {
        writeln!(
            out,
            "{} {}: {}\n",
            crate::format::superscript(i + 1),
            join_and(&n.runners),
            escape_inline(&n.note)
        )
        .expect("write to String");
    }
    measures_note(&table.columns, out);
}

/// What the median intervals are, and so what the table may claim: one kind for
/// every row, or each kind with its cells; why the best only has the lowest
/// median; what the Samples column says. `None` when no row finished.
fn interval_note(table: &WorkloadTable) -> Option<String> {
    let mut kinds: Vec<(String, Vec<String>)> = Vec::new();
    for row in &table.rows {
        let Some(m) = &row.measured else { continue };
        let kind = interval_label(&m.interval);
        let name = format!("{} (t{})", row.runner, row.threads);
        match kinds.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, names)) => names.push(name),
            None => kinds.push((kind, vec![name])),
        }
    }
    let mut text = String::from("Median interval: ");
    match kinds.as_slice() {
        [] => return None,
        [(kind, _)] => write!(text, "{kind} in every row"),
        _ => {
            kinds.sort_by(|a, b| a.0.cmp(&b.0));
            let parts: Vec<String> = kinds
                .iter()
                .map(|(kind, names)| format!("{kind} for {}", names.join(", ")))
                .collect();
            write!(text, "{}", parts.join("; "))
        }
    }
    .expect("write to String");
    let weak = table
        .rows
        .iter()
        .filter_map(|r| r.measured.as_ref())
        .any(|m| m.interval.kind != IntervalKind::Ci95);
    if weak {
        text.push_str(
            ". A range of fewer than 6 samples is too likely to miss the median to rank \
             runners on, so no order is claimed where one is compared",
        );
    }
    text.push('.');
    if let Some((best, Standing::LowestMedian { fewest_samples })) =
        table.best.as_ref().map(|b| (b, &b.standing))
    {
        write!(
            text,
            " Here {} has the lowest median ({}: too few to rank).",
            best.runner,
            samples(*fewest_samples)
        )
        .expect("write to String");
    }
    if table.rows.iter().any(|r| r.stop.is_some()) {
        write!(text, " {SAMPLES_NOTE}").expect("write to String");
    }
    Some(text)
}

/// What the workload's own measures mean, and what the latency columns are.
fn measures_note(columns: &Columns, out: &mut String) {
    let about: Vec<String> = columns
        .metrics
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
    if columns.latency.is_some() {
        let mut named = String::new();
        if !columns.more_latencies.is_empty() {
            let names: Vec<String> = columns
                .more_latencies
                .iter()
                .map(|n| format!("*{n}*"))
                .collect();
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

//! The Markdown table of one workload's cells and the footnotes that are its own
//! (intervals of another kind than most, disturbed and oversubscribed cells,
//! extrapolations, the cells' notes), from its [`WorkloadTable`] alone; what every
//! table shares is said once above them (`render_guide.rs`).

use super::{Columns, IntervalGroup, IntervalKind, LatencyUnit, Measured, MetricMeta, Row};
use super::{RankedBy, Standing, ThroughputUnit, WorkloadTable};
use crate::format::TimeUnit;
use crate::judge::{DISTURBED, Disturbance, coverage, disturbed_note};
use crate::model::{Status, StopReason};
use crate::sections::shared::{EXTRAPOLATED, OVERSUBSCRIBED, status_word};
use crate::table::{Align, Table};
use crate::text::{NONE, cores, escape_inline, join_and, mib, ms, percent, plural, times};
use std::fmt::Write as _;

/// A column the table shows, in table order, after runner, class, family and
/// threads.
enum Column<'t> {
    Wall,
    Interval,
    Samples,
    Speedup,
    Efficiency,
    CpuUtilisation,
    PeakRss,
    OsThreads,
    TimesIdeal,
    Latency(&'static str),
    MoreLatency(&'t str, &'t str),
    Throughput(ThroughputUnit),
    ServerCpu,
    GeneratorCores,
    Metric(&'t MetricMeta),
    ContextSwitches,
    Relative(&'t RankedBy),
}

/// The columns `columns` says the table shows, in order.
fn shown(columns: &Columns) -> Vec<Column<'_>> {
    let mut shown = vec![Column::Wall];
    let mut add = |on: bool, column: Column<'static>| {
        if on {
            shown.push(column);
        }
    };
    add(columns.measured, Column::Interval);
    add(columns.measured, Column::Samples);
    add(columns.speedup, Column::Speedup);
    add(columns.efficiency, Column::Efficiency);
    add(columns.measured, Column::CpuUtilisation);
    add(columns.peak_rss, Column::PeakRss);
    add(columns.os_threads, Column::OsThreads);
    add(columns.times_ideal, Column::TimesIdeal);
    if columns.latency.is_some() {
        shown.extend(["p50", "p99", "p99.9", "max"].map(Column::Latency));
    }
    shown.extend(
        columns
            .more_latencies
            .iter()
            .map(|l| Column::MoreLatency(&l.name, &l.label)),
    );
    shown.extend(columns.throughput.map(Column::Throughput));
    if columns.served {
        shown.extend([Column::ServerCpu, Column::GeneratorCores]);
    }
    shown.extend(columns.metrics.iter().map(Column::Metric));
    if columns.context_switches {
        shown.push(Column::ContextSwitches);
    }
    if columns.relative {
        shown.push(Column::Relative(&columns.ranked_by));
    }
    shown
}

/// Writes the table of `table`'s rows (at least one), then its footnotes.
pub(super) fn render(table: &WorkloadTable, out: &mut String) {
    let columns = shown(&table.columns);
    let unit = table.columns.latency.map_or(TimeUnit::Micros, time_unit);
    let mut headers: Vec<(String, Align)> = ["Runner", "Class", "Family"]
        .map(|h| (h.to_owned(), Align::Left))
        .into();
    headers.push(("Threads".into(), Align::Right));
    headers.extend(columns.iter().map(|c| (header(c, unit), Align::Right)));
    let mut grid = Table::new(headers);
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
            Some(m) => line.extend(columns.iter().map(|c| value(c, table, row, m, unit))),
            None => {
                // The reason is under the table; the other columns stay empty.
                line.push(match row.status {
                    Status::Ok => "no samples".into(),
                    other => status_word(other).into(),
                });
                line.resize(4 + columns.len(), String::new());
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
    if row.in_cell_clients {
        write!(text, " {}", crate::network::IN_CELL_CLIENTS).expect("write to String");
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

/// The header of `column`, latencies in `unit`.
fn header(column: &Column<'_>, unit: TimeUnit) -> String {
    let u = unit.symbol();
    match column {
        Column::Wall => "Median wall [ms]".into(),
        Column::Interval => "Median interval [ms]".into(),
        Column::Samples => "Samples".into(),
        Column::Speedup => "Speedup".into(),
        Column::Efficiency => "Efficiency".into(),
        Column::CpuUtilisation => "CPU util.".into(),
        Column::PeakRss => "Peak RSS [MiB]".into(),
        Column::OsThreads => "OS threads".into(),
        Column::TimesIdeal => "× ideal".into(),
        Column::Latency(p) => format!("{p} [{u}]"),
        Column::MoreLatency(_, label) => format!("{label} p99 [{u}]"),
        Column::Throughput(ThroughputUnit::Requests) => "Throughput [req/s]".into(),
        Column::Throughput(ThroughputUnit::Operations) => "Throughput [ops/s]".into(),
        Column::ServerCpu => "Server CPU [µs/req]".into(),
        Column::GeneratorCores => "Generator [cores]".into(),
        Column::Metric(meta) => crate::format::metric_header(meta),
        Column::ContextSwitches => "Context switches vol. / invol.".into(),
        Column::Relative(ranked_by) => match ranked_by {
            RankedBy::Wall => "Relative".into(),
            RankedBy::LatencyP99 => "Relative [p99]".into(),
            RankedBy::Cost { header, .. } => format!("Relative [{}]", escape_inline(header)),
        },
    }
}

/// A finished row's value in `column`.
fn value(
    column: &Column<'_>,
    table: &WorkloadTable,
    row: &Row,
    m: &Measured,
    unit: TimeUnit,
) -> String {
    let or_none = |v: Option<String>| v.unwrap_or_else(|| NONE.into());
    match column {
        Column::Wall => {
            let mark = if row.extrapolated { EXTRAPOLATED } else { "" };
            format!("{}{mark}", ms(m.median_wall_s))
        }
        Column::Interval => format!(
            "{}–{} ({})",
            ms(m.interval.lo_s),
            ms(m.interval.hi_s),
            coverage(m.interval.coverage)
        ),
        Column::Samples => match row.stop {
            Some(StopReason::MaxSamples) => format!("{}, max", m.samples),
            Some(stop) => format!("{}, {}", m.samples, stop.as_str()),
            None => m.samples.to_string(),
        },
        Column::Speedup => or_none(m.speedup.map(times)),
        Column::Efficiency => or_none(m.efficiency.map(percent)),
        Column::CpuUtilisation => cores(m.cpu_utilisation),
        Column::PeakRss => or_none(m.peak_rss_bytes.map(mib)),
        Column::OsThreads => or_none(m.os_threads.map(|n| n.to_string())),
        Column::TimesIdeal => or_none(m.times_ideal.map(times)),
        Column::Latency(p) => or_none(m.latency_us.as_ref().map(|l| {
            let v = match *p {
                "p50" => l.p50,
                "p99" => l.p99,
                "p99.9" => l.p999,
                _ => l.max,
            };
            unit.show(v)
        })),
        Column::MoreLatency(name, _) => or_none(m.more_p99_us.get(*name).map(|&p| unit.show(p))),
        Column::Throughput(_) => or_none(m.throughput_per_s.map(crate::format::thousands)),
        Column::ServerCpu => or_none(m.server_cpu_us_per_request.map(crate::text::sig3)),
        Column::GeneratorCores => or_none(m.generator_cores.map(cores)),
        Column::Metric(meta) => or_none(
            m.metrics
                .get(&meta.key)
                .map(|&v| crate::format::metric_value(&meta.key, v)),
        ),
        Column::ContextSwitches => or_none(m.context_switches.as_ref().map(|c| {
            format!(
                "{} / {}",
                crate::format::thousands(c.voluntary),
                crate::format::thousands(c.involuntary)
            )
        })),
        Column::Relative(_) => relative(table, row, m),
    }
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
            Standing::Lowest => "1.00 (lowest)".into(),
        },
        (_, Some(ratio)) => format!("{ratio:.2}"),
        (_, None) => NONE.into(),
    }
}

/// What an interval of `kind` is, in a few words.
pub(super) fn interval_words(kind: IntervalKind) -> &'static str {
    match kind {
        IntervalKind::Ci95 => "a 95% CI from order statistics",
        IntervalKind::Range => "the samples' range, below 95% coverage",
        IntervalKind::Single => "one sample, so no interval",
    }
}

/// The notes under the table that are its own: its intervals of another kind
/// than most, disturbed and oversubscribed cells, extrapolations, the cells'
/// notes.
fn footnotes(table: &WorkloadTable, out: &mut String) {
    if let Some(note) = interval_note(&table.intervals) {
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
        writeln!(
            out,
            "{OVERSUBSCRIBED} {} threads on {}.\n",
            join_and(&counts),
            plural(table.logical_cores, "core", "cores")
        )
        .expect("write to String");
    }
    for e in &table.extrapolations {
        writeln!(out, "{EXTRAPOLATED} {}: {}\n", join_and(&e.runners), e.note)
            .expect("write to String");
    }
    crate::sections::shared::write_footnotes(&table.notes, out);
}

/// `Median interval: the samples' range … in every row.`, or the rows of each
/// kind, for the rows whose interval is not of the kind most rows have; `None`
/// when every row's is.
fn interval_note(groups: &[IntervalGroup]) -> Option<String> {
    let parts: Vec<String> = groups
        .iter()
        .map(|g| {
            if g.every_row {
                format!("{} in every row", interval_words(g.kind))
            } else {
                let cells: Vec<String> = g
                    .cells
                    .iter()
                    .map(|c| format!("{} (t{})", c.runner, c.threads))
                    .collect();
                format!("{} for {}", interval_words(g.kind), join_and(&cells))
            }
        })
        .collect();
    (!parts.is_empty()).then(|| format!("Median interval: {}.", parts.join("; ")))
}

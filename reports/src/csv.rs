//! The per-workload results as one CSV table for spreadsheets: one row per cell, raw
//! numbers in base units named in the header (no `×`, `%` or thousands marks), the
//! same rows the Markdown tables show. Cells that do not apply have status `n/a`,
//! their reason in `error` and no numbers. The workload's own measures are one
//! field, `key=value` pairs separated by `; `, since each workload has its own.
//!
//! The median's interval is named for what it is: `interval_low_ms` and
//! `interval_high_ms` are two order statistics of the samples, and
//! `interval_coverage` their real coverage (0.75 for the range of 3 samples, at
//! least 0.95 from 6). `sampling_stop` says why the cell stopped sampling, and
//! `disturbed` and `oversubscribed` are the facts the report marks (empty or
//! `false` in files that do not record them). `speedup_vs_seq` and `efficiency`
//! are over the runner's baseline, named in `speedup_baseline`: `seq`, or the
//! runner a runner of another group names (`cpython-seq` for the CPython
//! runners, whose cells ran the workloads at their own size); `interpreter` is the
//! interpreter a CPython cell ran in (schema 7). The two close every row, so the
//! columns before them keep their places.

use crate::model::Results;
use crate::summary::Summarized;

const HEADER: &[&str] = &[
    "workload",
    "workload_kind",
    "runner",
    "class",
    "family",
    "threads",
    "status",
    "median_wall_ms",
    "interval_low_ms",
    "interval_high_ms",
    "interval_coverage",
    "extrapolation_factor",
    "speedup_vs_seq",
    "efficiency",
    "cpu_utilisation",
    "peak_rss_bytes",
    "os_threads",
    "samples",
    "sampling_stop",
    "disturbed",
    "oversubscribed",
    "throughput_per_s",
    "latency_p50_us",
    "latency_p99_us",
    "latency_p999_us",
    "latency_max_us",
    "metrics",
    "notes",
    "error",
    "speedup_baseline",
    "interpreter",
];

/// Renders `results` (summaries recomputed on a copy) as RFC 4180 CSV.
pub fn render(results: &Results) -> String {
    render_summarized(&Summarized::new(results.clone()))
}

/// Renders `results` as RFC 4180 CSV.
pub fn render_summarized(results: &Summarized) -> String {
    let mut out = writer();
    out.write_record(HEADER).expect(IN_MEMORY);
    let num = |x: Option<f64>| x.map_or(String::new(), |v| format!("{v}"));
    for cell in &results.cells {
        let summary = cell.summary.as_ref();
        out.write_record([
            cell.workload.clone(),
            cell.workload_kind.to_string(),
            cell.runner.clone(),
            cell.class.to_string(),
            cell.family.to_string(),
            cell.threads.to_string(),
            cell.status.as_str().to_string(),
            num(summary.map(|s| s.median_wall_s * 1e3)),
            num(summary.map(|s| s.interval_wall_s[0] * 1e3)),
            num(summary.map(|s| s.interval_wall_s[1] * 1e3)),
            num(summary.map(|s| s.interval_coverage)),
            num(cell.extrapolation.as_ref().map(|e| e.factor)),
            num(summary.and_then(|s| s.speedup_vs_seq)),
            num(summary.and_then(|s| s.efficiency)),
            num(summary.map(|s| s.cpu_utilisation)),
            cell.peak_rss_bytes.map_or(String::new(), |b| b.to_string()),
            cell.os_threads.map_or(String::new(), |n| n.to_string()),
            cell.samples.len().to_string(),
            cell.sampling
                .as_ref()
                .map_or(String::new(), |s| s.stop.as_str().to_owned()),
            cell.disturbed().to_string(),
            summary.is_some_and(|s| s.oversubscribed).to_string(),
            num(cell.throughput_per_s),
            num(cell.latency_us.map(|l| l.p50)),
            num(cell.latency_us.map(|l| l.p99)),
            num(cell.latency_us.map(|l| l.p999)),
            num(cell.latency_us.map(|l| l.max)),
            cell.metrics
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; "),
            cell.notes.join("; "),
            cell.error.clone().unwrap_or_default(),
            crate::summary::baseline_of(results, &cell.runner).to_owned(),
            cell.interpreter.clone().unwrap_or_default(),
        ])
        .expect(IN_MEMORY);
    }
    let bytes = out.into_inner().expect(IN_MEMORY);
    String::from_utf8(bytes).expect("every field is a Rust string")
}

/// Why writing CSV cannot fail here: the writer's sink is a `Vec`.
const IN_MEMORY: &str = "writing CSV into memory";

/// An RFC 4180 writer into memory: CRLF after each record, and a field quoted
/// only when it holds a comma, a quote or a line break.
fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_what_needs_it() {
        let mut out = writer();
        out.write_record(["tokio-mt", "a, b", "say \"hi\"", "two\nlines", ""])
            .unwrap();
        let text = String::from_utf8(out.into_inner().unwrap()).unwrap();
        assert_eq!(
            text,
            "tokio-mt,\"a, b\",\"say \"\"hi\"\"\",\"two\nlines\",\r\n"
        );
    }

    #[test]
    fn one_row_per_cell_with_the_header_width() {
        let text = include_str!("../tests/fixtures/results.json");
        let results = crate::parse(std::path::Path::new("fixture"), text).unwrap();
        let csv = render(&results);
        let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(lines.len(), results.cells.len() + 1);
        assert_eq!(lines[0].split(',').count(), HEADER.len());
        // Rows without quoted commas have exactly the header's number of fields.
        for line in lines.iter().filter(|l| !l.contains('"')) {
            assert_eq!(line.split(',').count(), HEADER.len(), "{line}");
        }
        assert!(csv.contains("seq,sequential,single-queue,1,ok,"));
    }

    #[test]
    fn intervals_are_named_with_their_coverage() {
        let csv = render(&crate::fixtures::v2());
        let header = csv.lines().next().unwrap();
        assert!(!header.contains("ci95"), "{header}");
        assert!(
            header.contains("interval_low_ms,interval_high_ms,interval_coverage"),
            "{header}"
        );
    }

    #[test]
    fn schema_2_cells_carry_their_status_measures_and_notes() {
        let text = include_str!("../tests/fixtures/results-v2.json");
        let results = crate::parse(std::path::Path::new("fixture"), text).unwrap();
        let csv = render(&results);
        let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(lines.len(), results.cells.len() + 1);
        let row = |workload: &str, runner: &str| -> &str {
            let prefix = format!("{workload},");
            lines
                .iter()
                .find(|l| l.starts_with(&prefix) && l.split(',').nth(2) == Some(runner))
                .unwrap_or_else(|| panic!("no row {runner}/{workload}"))
        };
        // Not applicable: the status, the reason and no numbers.
        let na = row("spawn", "seq");
        assert!(
            na.starts_with(
                "spawn,overhead,seq,sequential,single-queue,1,n/a,,,,,,,,,,,0,,false,false,"
            ),
            "{na}"
        );
        assert!(
            na.ends_with(
                ",seq spawns nothing: it runs each job in turn on the calling thread,seq,"
            )
        );
        // Measures and notes.
        let threads = row("spawn", "threads");
        assert!(
            threads.contains(",ns-per-task=14480; rss-per-task-bytes=12650,"),
            "{threads}"
        );
        assert!(
            threads.contains("\"tasks capped from 100,000 to 10,000"),
            "{threads}"
        );
        let echo = row("tcp-echo", "tokio-mt");
        assert!(echo.contains(",176400,"), "{echo}");
    }

    #[test]
    fn cpython_cells_name_their_baseline_and_interpreter() {
        let text = include_str!("../tests/fixtures/cpython.json");
        let results = crate::parse(std::path::Path::new("fixture"), text).unwrap();
        let csv = render(&results);
        let header = csv.lines().next().unwrap();
        assert!(
            header.ends_with(",error,speedup_baseline,interpreter"),
            "{header}"
        );
        let row = |key: &str| -> &str {
            csv.lines()
                .find(|l| l.starts_with(key))
                .unwrap_or_else(|| panic!("no row {key}"))
        };
        let threads = row("cpu,cpu,cpython-threads,concurrent-serialized,os-scheduler,2,ok,");
        assert!(
            threads.ends_with(",cpython-seq,\"CPython 3.11.7, GIL enabled\""),
            "{threads}"
        );
        let gil = row("cpu,cpu,gil,concurrent-serialized,os-scheduler,2,ok,");
        assert!(gil.ends_with(",,seq,"), "{gil}");
    }
}

//! The report section "CPU hogs next to latency-sensitive work", rendered when a
//! run has cells of the mixed workloads (ids starting [`PREFIX`]): a CPU hog in
//! long chunks next to a 1 ms ticker and an echo client, with the hog run inline
//! ([`INLINE`]), yielding ([`YIELD`]) or offloaded to a blocking pool
//! ([`OFFLOAD`]). The primary latency of these workloads is tick lateness (how
//! late each tick ran); [`ROUND_TRIP`] is the echo client's.
//!
//! The table shows, per runner, thread count and variant, the merged lateness
//! percentiles and how many samples stalled (their worst tick more than
//! [`STALL_US`] late), which a merged p99 hides when only some samples stall. The
//! sentences under it compare the variants with the numbers of the cells; a
//! comparison whose cells are missing says "not measured in this run".

use crate::format::{TimeUnit, thousands};
use crate::markdown::{join_and, sig3, times};
use crate::model::{Cell, Results, Status};
use crate::table::{Align, Table};
use rtcompare_api::Class;
use std::fmt::Write as _;

/// Workload ids of the mixed workloads start with this.
pub(crate) const PREFIX: &str = "mixed-";
/// The hog computes inline in its task.
pub(crate) const INLINE: &str = "mixed-inline";
/// The hog yields to the scheduler between short slices of work.
pub(crate) const YIELD: &str = "mixed-yield";
/// The hog's chunks run on the runtime's blocking pool.
pub(crate) const OFFLOAD: &str = "mixed-offload";
/// The secondary latency of the mixed workloads: the echo client's round trip.
pub(crate) const ROUND_TRIP: &str = "round-trip";
/// The workload measure of hog progress.
pub(crate) const CHUNKS_PER_S: &str = "hog-chunks-per-s";
/// A sample whose worst tick was later than this (µs) counts as stalled: ten
/// ticks of 1 ms missed in a row.
pub(crate) const STALL_US: f64 = 10_000.0;

/// How many of a cell's samples stalled, and the worst lateness of any sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Stalls {
    /// Samples whose worst latency exceeded the threshold.
    pub(crate) stalled: usize,
    /// Samples that recorded their worst latency.
    pub(crate) samples: usize,
    /// The worst latency of any sample, µs.
    pub(crate) worst_us: f64,
}

impl Stalls {
    /// `2 of 5 (worst 101 ms)`, or `0 of 5` when none stalled.
    pub(crate) fn describe(&self) -> String {
        if self.stalled == 0 {
            format!("0 of {}", self.samples)
        } else {
            format!(
                "{} of {} (worst {} ms)",
                self.stalled,
                self.samples,
                sig3(self.worst_us / 1e3)
            )
        }
    }
}

/// The stalled samples of `cell`: those whose `latency_max_us` exceeds
/// `threshold_us`. `None` when no measured sample recorded its worst latency.
pub(crate) fn stalls(cell: &Cell, threshold_us: f64) -> Option<Stalls> {
    let maxima: Vec<f64> = cell
        .samples
        .iter()
        .filter_map(|s| s.latency_max_us)
        .collect();
    if maxima.is_empty() {
        return None;
    }
    Some(Stalls {
        stalled: maxima.iter().filter(|&&m| m > threshold_us).count(),
        samples: maxima.len(),
        worst_us: maxima.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    })
}

/// The hog's chunk length in milliseconds: as measured (`hog-chunk-ms`), else from
/// the cell's parameters: `chunk_ms`, or any parameter naming a chunk in ms, µs or ns.
pub(crate) fn chunk_ms(cell: &Cell) -> Option<f64> {
    if let Some(&ms) = cell.metrics.get("hog-chunk-ms") {
        return Some(ms);
    }
    if let Some(ms) = cell.param("chunk_ms") {
        return Some(ms);
    }
    let map = cell.params.as_object()?;
    map.iter().find_map(|(key, value)| {
        if !key.contains("chunk") {
            return None;
        }
        let v = value.as_f64()?;
        if key.ends_with("_ms") {
            Some(v)
        } else if key.ends_with("_us") {
            Some(v / 1e3)
        } else if key.ends_with("_ns") {
            Some(v / 1e6)
        } else {
            None
        }
    })
}

/// Whether the run has any mixed cell that applies.
pub(crate) fn present(results: &Results) -> bool {
    results
        .cells
        .iter()
        .any(|c| c.workload.starts_with(PREFIX) && c.applies())
}

/// Writes the section. `rank` orders runners as the rest of the report does;
/// `workloads` is the report's workload order (variants follow it).
pub(crate) fn section(
    results: &Results,
    rank: &dyn Fn(&str) -> usize,
    workloads: &[&str],
    out: &mut String,
) {
    let variant_rank = |w: &str| workloads.iter().position(|x| *x == w).unwrap_or(usize::MAX);
    let mut cells: Vec<&Cell> = results
        .cells
        .iter()
        .filter(|c| c.workload.starts_with(PREFIX) && c.applies())
        .collect();
    cells.sort_by_key(|c| (rank(&c.runner), c.threads, variant_rank(&c.workload)));

    out.push_str("## CPU hogs next to latency-sensitive work\n\n");
    writeln!(
        out,
        "A CPU hog works in long chunks next to a ticker and an echo client, in {}. *Tick \
         lateness* is how late each tick ran (merged over the measured samples); a sample \
         *stalled* when its latest tick was more than {} ms late, which a merged p99 hides when \
         only some samples stall. Cells that do not apply are listed under each workload below.\n",
        variants_text(&cells, workloads),
        thousands(STALL_US / 1e3)
    )
    .expect("write to String");

    let unit = TimeUnit::for_medians(
        cells
            .iter()
            .filter(|c| c.status == Status::Ok)
            .filter_map(|c| c.latency_us.as_ref()),
    );
    let u = unit.symbol();
    let mut table = Table::new([
        ("Runner".to_owned(), Align::Left),
        ("Threads".to_owned(), Align::Right),
        ("Variant".to_owned(), Align::Left),
        (format!("Tick lateness p50 [{u}]"), Align::Right),
        (format!("p99 [{u}]"), Align::Right),
        (format!("max [{u}]"), Align::Right),
        (
            format!("Stalled samples (max > {} ms)", thousands(STALL_US / 1e3)),
            Align::Right,
        ),
        ("Hog chunks/s".to_owned(), Align::Right),
        (format!("Round-trip p99 [{u}]"), Align::Right),
    ]);
    for cell in &cells {
        let mut row = vec![
            cell.runner.clone(),
            cell.threads.to_string(),
            variant(&cell.workload).to_owned(),
        ];
        if cell.status == Status::Ok {
            let (p50, p99, max) = cell
                .latency_us
                .map_or((NONE.to_owned(), NONE.to_owned(), NONE.to_owned()), |l| {
                    (unit.show(l.p50), unit.show(l.p99), unit.show(l.max))
                });
            row.extend([
                p50,
                p99,
                max,
                stalls(cell, STALL_US).map_or(NONE.into(), |s| s.describe()),
                cell.metrics
                    .get(CHUNKS_PER_S)
                    .map_or(NONE.into(), |&v| thousands(v)),
                cell.more_latency_us
                    .get(ROUND_TRIP)
                    .map_or(NONE.into(), |l| unit.show(l.p99)),
            ]);
        } else {
            row.push(cell.status.as_str().to_owned());
            row.resize(table.columns().len(), NONE.into());
        }
        table.push_row(row);
    }
    out.push_str(&table.to_markdown());
    out.push('\n');
    for finding in findings(&cells) {
        writeln!(out, "- {finding}").expect("write to String");
    }
    out.push('\n');
}

/// Stands in for a number that does not exist.
const NONE: &str = "—";

/// `inline` for `mixed-inline`.
fn variant(workload: &str) -> &str {
    workload.strip_prefix(PREFIX).unwrap_or(workload)
}

/// `three variants: inline, yield and offload`.
fn variants_text(cells: &[&Cell], workloads: &[&str]) -> String {
    let mut ids: Vec<&str> = workloads
        .iter()
        .copied()
        .filter(|w| cells.iter().any(|c| c.workload == *w))
        .collect();
    for cell in cells {
        if !ids.contains(&cell.workload.as_str()) {
            ids.push(&cell.workload);
        }
    }
    let names: Vec<String> = ids.iter().map(|w| format!("`{w}`")).collect();
    match names.len() {
        1 => format!("one variant, {}", names[0]),
        n => format!("{n} variants: {}", join_and(&names)),
    }
}

/// Finished cells of `workload` that measured latency, filtered by `which`.
fn finished<'a>(
    cells: &[&'a Cell],
    workload: &str,
    which: impl Fn(&Cell) -> bool,
) -> Vec<&'a Cell> {
    cells
        .iter()
        .copied()
        .filter(|c| c.workload == workload && c.status == Status::Ok && c.latency_us.is_some())
        .filter(|c| which(c))
        .collect()
}

fn single_threaded(cell: &Cell) -> bool {
    cell.class == Class::Concurrent
}

fn multithreaded(cell: &Cell) -> bool {
    cell.class == Class::ConcurrentParallel && cell.threads > 1
}

/// Worst tick lateness of a finished cell, µs.
fn worst(cell: &Cell) -> f64 {
    cell.latency_us.map_or(f64::NAN, |l| l.max)
}

fn p99(cell: &Cell) -> f64 {
    cell.latency_us.map_or(f64::NAN, |l| l.p99)
}

/// `1.61 ms (smol-local) to 2.45 ms (futures-local)`: the smallest and largest
/// of `value` over `cells`, with their runners.
fn span(cells: &[&Cell], value: fn(&Cell) -> f64) -> String {
    let mut sorted: Vec<&Cell> = cells.to_vec();
    sorted.sort_by(|a, b| value(a).total_cmp(&value(b)));
    let show = |c: &Cell| format!("{} ms ({})", sig3(value(c) / 1e3), c.runner);
    match sorted.as_slice() {
        [] => NONE.into(),
        [one] => show(one),
        [low, .., high] if sig3(value(low) / 1e3) == sig3(value(high) / 1e3) => {
            let names: Vec<String> = cells.iter().map(|c| c.runner.clone()).collect();
            format!("{} ms ({})", sig3(value(low) / 1e3), join_and(&names))
        }
        [low, .., high] => format!("{} to {}", show(low), show(high)),
    }
}

/// `0.31 ms` or `0.148–0.31 ms`: the range of `value` over `cells`.
fn range(cells: &[&Cell], value: fn(&Cell) -> f64) -> String {
    let values: Vec<f64> = cells.iter().map(|c| value(c)).collect();
    let low = values.iter().copied().fold(f64::INFINITY, f64::min);
    let high = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (a, b) = (sig3(low / 1e3), sig3(high / 1e3));
    if a == b {
        format!("{a} ms")
    } else {
        format!("{a}–{b} ms")
    }
}

/// The cell with the smallest worst lateness.
fn best<'a>(cells: &[&'a Cell]) -> Option<&'a Cell> {
    cells
        .iter()
        .copied()
        .min_by(|a, b| worst(a).total_cmp(&worst(b)))
}

/// `; samples stalled on tokio-mt (2 of 5, worst 101 ms)` or `; no sample
/// stalled` (over the threshold).
fn stalled_clause(cells: &[&Cell]) -> String {
    let stalled: Vec<String> = cells
        .iter()
        .filter_map(|c| Some((c, stalls(c, STALL_US)?)))
        .filter(|(_, s)| s.stalled > 0)
        .map(|(c, s)| {
            format!(
                "{} ({} of {}, worst {} ms)",
                c.runner,
                s.stalled,
                s.samples,
                sig3(s.worst_us / 1e3)
            )
        })
        .collect();
    let limit = thousands(STALL_US / 1e3);
    let counts: Vec<Stalls> = cells.iter().filter_map(|c| stalls(c, STALL_US)).collect();
    let (stalled_samples, samples) = counts
        .iter()
        .fold((0, 0), |(k, n), s| (k + s.stalled, n + s.samples));
    if cells.len() > 1 && counts.len() == cells.len() && stalled_samples == samples {
        return format!("; every sample stalled over {limit} ms ({stalled_samples} of {samples})");
    }
    if stalled.is_empty() {
        if cells.iter().any(|c| stalls(c, STALL_US).is_some()) {
            format!("; no sample stalled over {limit} ms")
        } else {
            String::new()
        }
    } else {
        format!(
            "; samples stalled over {limit} ms on {}",
            join_and(&stalled)
        )
    }
}

/// The sentences under the table, computed from `cells` (the mixed cells that
/// apply): what an inline hog does to ticks on the single-threaded executors,
/// and what multithreading, yielding and offloading recover.
pub(crate) fn findings(cells: &[&Cell]) -> Vec<String> {
    let limit = thousands(STALL_US / 1e3);
    let inline_single = finished(cells, INLINE, single_threaded);
    let mut out = Vec::new();

    // The problem: an inline hog on one thread.
    let inline_worst = inline_single
        .iter()
        .map(|c| worst(c))
        .fold(f64::NAN, f64::min);
    if inline_single.is_empty() {
        out.push("**Inline hog, one thread:** not measured in this run.".to_owned());
    } else {
        let names: Vec<String> = inline_single.iter().map(|c| c.runner.clone()).collect();
        let mut text = format!(
            "**Inline hog, one thread:** on the single-threaded executors ({}) ",
            join_and(&names)
        );
        let most = inline_single
            .iter()
            .map(|c| worst(c))
            .fold(f64::NEG_INFINITY, f64::max);
        if most > STALL_US {
            text.push_str("a tick due while a chunk runs waits for the chunk to end: ");
        } else {
            write!(text, "the hog delayed no tick by more than {limit} ms: ")
                .expect("write to String");
        }
        write!(
            text,
            "tick lateness p99 {}, worst {}",
            range(&inline_single, p99),
            span(&inline_single, worst)
        )
        .expect("write to String");
        if let Some(chunk) = inline_single.iter().find_map(|c| chunk_ms(c)) {
            write!(
                text,
                ", against hog chunks of {} ms (the worst is {} a chunk)",
                sig3(chunk),
                times(most / (chunk * 1e3))
            )
            .expect("write to String");
        }
        text.push_str(&stalled_clause(&inline_single));
        text.push('.');
        out.push(text);
    }
    let against_inline = |text: &mut String| {
        if inline_worst.is_finite() {
            write!(
                text,
                ", against {} worst inline on one thread",
                format_ms(inline_worst)
            )
            .expect("write to String");
        }
    };

    // Multithreading: the hog holds one worker, the ticks can run on another.
    let inline_multi = finished(cells, INLINE, multithreaded);
    if inline_multi.is_empty() {
        out.push(
            "**Multithreading** (an inline hog on a multithreaded runner with more than one \
             thread): not measured in this run."
                .to_owned(),
        );
    } else {
        let mut counts: Vec<usize> = inline_multi.iter().map(|c| c.threads).collect();
        counts.sort_unstable();
        counts.dedup();
        let threads = match counts.as_slice() {
            [one] => format!("{one} threads"),
            [low, .., high] => format!("{low} to {high} threads"),
            [] => unreachable!("cells are not empty"),
        };
        let mut text = format!(
            "**Multithreading** (the inline hog on multithreaded runners at {threads}): tick \
             lateness p99 {}, worst {}",
            range(&inline_multi, p99),
            span(&inline_multi, worst)
        );
        against_inline(&mut text);
        text.push_str(&stalled_clause(&inline_multi));
        text.push('.');
        out.push(text);
    }

    // Yielding and offloading, on the executors the inline hog stalls.
    for (workload, label, what) in [
        (YIELD, "Yielding", "the hog yielding between slices"),
        (
            OFFLOAD,
            "Offloading",
            "the hog's chunks on the blocking pool",
        ),
    ] {
        let single = finished(cells, workload, single_threaded);
        if single.is_empty() {
            out.push(format!(
                "**{label}** (`{workload}` on the single-threaded executors): not measured in \
                 this run."
            ));
            continue;
        }
        let mut text = format!(
            "**{label}** (`{workload}`, {what}, on the single-threaded executors): tick lateness \
             p99 {}, worst {}",
            range(&single, p99),
            span(&single, worst)
        );
        against_inline(&mut text);
        text.push_str(&stalled_clause(&single));
        // What it cost the hog, on the runner that recovered most.
        if let Some(b) = best(&single) {
            let inline = inline_single.iter().find(|c| c.runner == b.runner);
            if let (Some(now), Some(before)) = (
                b.metrics.get(CHUNKS_PER_S),
                inline.and_then(|c| c.metrics.get(CHUNKS_PER_S)),
            ) {
                write!(
                    text,
                    "; the hog ran {} chunks/s on {} against {} inline",
                    thousands(*now),
                    b.runner,
                    thousands(*before)
                )
                .expect("write to String");
            }
        }
        text.push('.');
        out.push(text);
    }
    out
}

/// Microseconds as milliseconds with the unit.
fn format_ms(micros: f64) -> String {
    format!("{} ms", sig3(micros / 1e3))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> Results {
        crate::parse(
            std::path::Path::new("fixture"),
            include_str!("../tests/fixtures/results-v2.json"),
        )
        .unwrap()
    }

    /// The mixed cells that apply, in the run's runner order (as the report
    /// passes them).
    fn mixed(results: &Results) -> Vec<&Cell> {
        let rank = |r: &str| results.config.runners.iter().position(|x| x == r);
        let mut cells: Vec<&Cell> = results
            .cells
            .iter()
            .filter(|c| c.workload.starts_with(PREFIX) && c.applies())
            .collect();
        cells.sort_by_key(|c| (rank(&c.runner), c.threads));
        cells
    }

    fn cell<'a>(results: &'a Results, runner: &str, workload: &str) -> &'a Cell {
        results
            .cells
            .iter()
            .find(|c| c.runner == runner && c.workload == workload)
            .unwrap()
    }

    #[test]
    fn stalled_samples_are_counted_against_the_threshold() {
        let results = fixture();
        let tokio = cell(&results, "tokio-mt", INLINE);
        let s = stalls(tokio, STALL_US).unwrap();
        assert_eq!((s.stalled, s.samples), (2, 5));
        assert_eq!(s.worst_us, 101_300.0);
        assert_eq!(s.describe(), "2 of 5 (worst 101 ms)");
        // The merged p99 looks fine although two samples stalled.
        assert!(tokio.latency_us.unwrap().p99 < STALL_US);
        let smol = stalls(cell(&results, "smol-mt", INLINE), STALL_US).unwrap();
        assert_eq!((smol.stalled, smol.describe().as_str()), (0, "0 of 5"));
        // A threshold above every maximum counts none; samples without a maximum
        // (schema 1) give no count at all.
        assert_eq!(stalls(tokio, 200_000.0).unwrap().stalled, 0);
        let mut old = tokio.clone();
        for s in &mut old.samples {
            s.latency_max_us = None;
        }
        assert_eq!(stalls(&old, STALL_US), None);
    }

    #[test]
    fn chunk_length_from_the_parameters() {
        let results = fixture();
        let mut c = cell(&results, "tokio-ct", INLINE).clone();
        assert_eq!(chunk_ms(&c), Some(100.0));
        c.params = serde_json::json!({ "hog_chunk_us": 50000 });
        assert_eq!(chunk_ms(&c), Some(50.0));
        c.params = serde_json::json!({ "chunks": 10 });
        assert_eq!(chunk_ms(&c), None);
    }

    #[test]
    fn hog_sentences_from_the_cells() {
        let results = fixture();
        let found = findings(&mixed(&results));
        assert_eq!(found.len(), 4, "{found:#?}");
        assert_eq!(
            found[0],
            "**Inline hog, one thread:** on the single-threaded executors (tokio-ct, smol-local \
             and futures-local) a tick due while a chunk runs waits for the chunk to end: tick \
             lateness p99 100 ms, worst 101 ms (tokio-ct) to 102 ms (futures-local), against hog \
             chunks of 100 ms (the worst is 1.02× a chunk); every sample stalled over 10 ms \
             (15 of 15)."
        );
        assert!(
            found[1].starts_with(
                "**Multithreading** (the inline hog on multithreaded runners at 2 threads): \
                 tick lateness p99 "
            ),
            "{}",
            found[1]
        );
        assert!(
            found[1].contains("to 101 ms (tokio-mt), against 101 ms worst inline on one thread")
                && found[1]
                    .contains("samples stalled over 10 ms on tokio-mt (2 of 5, worst 101 ms)"),
            "{}",
            found[1]
        );
        assert!(
            found[2].starts_with("**Yielding** (`mixed-yield`"),
            "{}",
            found[2]
        );
        assert!(
            found[2].contains("; no sample stalled over 10 ms"),
            "{}",
            found[2]
        );
        assert!(
            found[2].contains("chunks/s on smol-local against"),
            "{}",
            found[2]
        );
        assert!(
            found[3].starts_with("**Offloading** (`mixed-offload`"),
            "{}",
            found[3]
        );
    }

    #[test]
    fn missing_cells_are_not_measured_in_this_run() {
        let mut results = fixture();
        // No single-threaded executor ran, and nothing was offloaded.
        results
            .cells
            .retain(|c| c.class != Class::Concurrent && c.workload != OFFLOAD);
        let found = findings(&mixed(&results));
        assert_eq!(
            found[0],
            "**Inline hog, one thread:** not measured in this run."
        );
        assert!(
            found[1].starts_with("**Multithreading** (the inline hog"),
            "{}",
            found[1]
        );
        assert!(
            !found[1].contains("worst inline on one thread"),
            "{}",
            found[1]
        );
        assert_eq!(
            found[2],
            "**Yielding** (`mixed-yield` on the single-threaded executors): not measured in \
             this run."
        );
        assert_eq!(
            found[3],
            "**Offloading** (`mixed-offload` on the single-threaded executors): not measured in \
             this run."
        );
        // And without multithreaded runners at more than one thread.
        results
            .cells
            .retain(|c| c.class != Class::ConcurrentParallel);
        let found = findings(&mixed(&results));
        assert!(
            found[1].ends_with("not measured in this run."),
            "{}",
            found[1]
        );
    }
}

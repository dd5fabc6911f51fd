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

use crate::format::{ColumnUnit, thousands, times_range};
use crate::model::{Cell, Results, RunnerMeta, Status};
use crate::table::{Align, Table};
use crate::text::{NONE, join_and, sig3};
use rtcompare_api::Class;
use rtcompare_api::ids;
use std::fmt::Write as _;

/// The section's heading, also named where other sections point to it.
pub(crate) const TITLE: &str = "CPU hogs next to latency-sensitive work";

/// Workload ids of the mixed workloads start with this.
pub(crate) const PREFIX: &str = ids::workload::MIXED_PREFIX;
/// The hog computes inline in its task.
pub(crate) const INLINE: &str = ids::workload::MIXED_INLINE;
/// The hog yields to the scheduler between short slices of work.
pub(crate) const YIELD: &str = ids::workload::MIXED_YIELD;
/// The hog's chunks run on the runtime's blocking pool.
pub(crate) const OFFLOAD: &str = ids::workload::MIXED_OFFLOAD;
/// The secondary latency of the mixed workloads: the echo client's round trip.
pub(crate) const ROUND_TRIP: &str = ids::latency::ROUND_TRIP;
/// The workload measure of hog progress.
pub(crate) const CHUNKS_PER_S: &str = ids::metric::HOG_CHUNKS_PER_S;
/// The workload measure of one hog chunk's compute time, ms.
pub(crate) const CHUNK_MS: &str = ids::metric::HOG_CHUNK_MS;
/// How far a worst tick may be from a whole number of chunks and still be said to
/// have waited for them.
const CHUNK_TOLERANCE: f64 = 0.25;
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
    if let Some(&ms) = cell.metrics.get(CHUNK_MS) {
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

    writeln!(out, "## {TITLE}\n").expect("write to String");
    let who = match common(&cells, hog_count) {
        Some(1.0) => "A CPU hog works".to_owned(),
        Some(n) => format!("{} CPU hogs work", thousands(n)),
        None => "CPU hogs work".to_owned(),
    };
    writeln!(
        out,
        "{who} in long chunks next to a ticker and an echo client, in {}. *Tick \
         lateness* is how late each tick ran (merged over the measured samples); a sample \
         *stalled* when its latest tick was more than {} ms late, which a merged p99 hides when \
         only some samples stall. Cells that do not apply are listed under each workload below.\n",
        variants_text(&cells, workloads),
        thousands(STALL_US / 1e3)
    )
    .expect("write to String");

    // Each column of latencies gets the unit that suits its own values.
    let finished: Vec<&Cell> = cells
        .iter()
        .copied()
        .filter(|c| c.status == Status::Ok)
        .collect();
    let column = |value: fn(&Cell) -> Option<f64>| {
        ColumnUnit::for_values(finished.iter().filter_map(|c| value(c)))
    };
    let units = [
        column(|c| Some(c.latency_us?.p50)),
        column(|c| Some(c.latency_us?.p99)),
        column(|c| Some(c.latency_us?.max)),
        column(|c| Some(c.more_latency_us.get(ROUND_TRIP)?.p99)),
    ];
    let mut table = Table::new([
        ("Runner".to_owned(), Align::Left),
        ("Threads".to_owned(), Align::Right),
        ("Variant".to_owned(), Align::Left),
        (units[0].header("Tick lateness p50"), Align::Right),
        (units[1].header("p99"), Align::Right),
        (units[2].header("max"), Align::Right),
        (
            format!("Stalled samples (max > {} ms)", thousands(STALL_US / 1e3)),
            Align::Right,
        ),
        ("Hog chunks/s".to_owned(), Align::Right),
        (units[3].header("Round-trip p99"), Align::Right),
    ]);
    for cell in &cells {
        let mut row = vec![
            format!("{}{}", cell.runner, crate::judge::mark(cell)),
            cell.threads.to_string(),
            variant(&cell.workload).to_owned(),
        ];
        if cell.status == Status::Ok {
            let (p50, p99, max) =
                cell.latency_us
                    .map_or((NONE.to_owned(), NONE.to_owned(), NONE.to_owned()), |l| {
                        (
                            units[0].show(l.p50),
                            units[1].show(l.p99),
                            units[2].show(l.max),
                        )
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
                    .map_or(NONE.into(), |l| units[3].show(l.p99)),
            ]);
        } else {
            row.push(cell.status.as_str().to_owned());
            row.resize(table.columns().len(), NONE.into());
        }
        table.push_row(row);
    }
    out.push_str(&table.to_markdown());
    out.push('\n');
    if let Some(note) = crate::judge::disturbed_note(&cells) {
        writeln!(out, "{note}\n").expect("write to String");
    }
    for finding in findings(&cells, &results.runners) {
        writeln!(out, "- {finding}").expect("write to String");
    }
    out.push('\n');
}

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
        // Disturbed cells are shown in the table but judged by no finding.
        .filter(|c| crate::judge::judged(c))
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

/// A mixed cell's hog count, from its parameters.
fn hog_count(cell: &Cell) -> Option<f64> {
    cell.param("hogs")
}

/// Chunks each hog runs straight through when inline, from the parameters (1 when
/// the file does not say).
fn chunks_per_hog(cell: &Cell) -> f64 {
    cell.param("chunks_per_hog").unwrap_or(1.0)
}

/// The value `of` the cells when all that have one have the same (cells without
/// one, such as a failed cell without parameters, are left out).
fn common(cells: &[&Cell], of: fn(&Cell) -> Option<f64>) -> Option<f64> {
    let mut values = cells.iter().filter_map(|c| of(c));
    let first = values.next()?;
    values.all(|v| v == first).then_some(first)
}

/// How a cell's worst tick compares with its hog chunk: `, 2.00× each runner's
/// measured hog chunk (110–112 ms)`. The measured chunk ([`CHUNK_MS`]) is
/// preferred over the parameters, and the text says which it is. Empty when no
/// cell has a chunk length.
fn against_chunk(cells: &[&Cell]) -> String {
    let with: Vec<&Cell> = cells
        .iter()
        .copied()
        .filter(|c| chunk_ms(c).is_some())
        .collect();
    if with.is_empty() {
        return String::new();
    }
    let ratios: Vec<f64> = with.iter().filter_map(|c| chunks_waited(c)).collect();
    let measured = with
        .iter()
        .filter(|c| c.metrics.contains_key(CHUNK_MS))
        .count();
    let (source, set) = if measured == with.len() {
        ("measured ", "")
    } else if measured == 0 {
        ("", ", from the parameters")
    } else {
        ("measured or set ", "")
    };
    let whose = if with.len() == 1 {
        "its"
    } else {
        "each runner's"
    };
    format!(
        ", {} {whose} {source}hog chunk ({}{set})",
        times_range(&ratios),
        range(&with, |c| chunk_ms(c).map_or(f64::NAN, |ms| ms * 1e3))
    )
}

/// Worst tick lateness over the cell's own hog chunk.
fn chunks_waited(cell: &Cell) -> Option<f64> {
    Some(worst(cell) / (chunk_ms(cell)? * 1e3))
}

/// The sentences under the table, computed from `cells` (the mixed cells that
/// apply) and the runners as the results file describes them: what inline hogs do
/// to ticks on the single-threaded executors (each hog's chunks run straight
/// through, so a tick can wait for every hog's chunks back to back), what
/// multithreading recovers (as many hogs as worker threads hold every worker; a
/// runner with a thread per task, `threads_knob` `per-task`, leaves the ticks to
/// the kernel's scheduler), and what yielding and offloading recover.
pub(crate) fn findings(cells: &[&Cell], runners: &[RunnerMeta]) -> Vec<String> {
    let limit = thousands(STALL_US / 1e3);
    let knob = |cell: &Cell| {
        runners
            .iter()
            .find(|m| m.id == cell.runner)
            .map(|m| m.threads_knob.as_str())
    };
    let several = cells.iter().any(|c| hog_count(c).is_some_and(|n| n > 1.0));
    let (hog, hogs_have, ran) = if several {
        ("hogs", "hogs'", "the hogs ran")
    } else {
        ("hog", "hog's", "the hog ran")
    };
    let inline_single = finished(cells, INLINE, single_threaded);
    let mut out = Vec::new();

    // The problem: inline hogs on one thread.
    let inline_worst = inline_single
        .iter()
        .map(|c| worst(c))
        .fold(f64::NAN, f64::min);
    let label = format!("**Inline {hog}, one thread:**");
    if inline_single.is_empty() {
        out.push(format!("{label} not measured in this run."));
    } else {
        let names: Vec<String> = inline_single.iter().map(|c| c.runner.clone()).collect();
        let mut text = format!(
            "{label} on the single-threaded executors ({}) ",
            join_and(&names)
        );
        let most = inline_single
            .iter()
            .map(|c| worst(c))
            .fold(f64::NEG_INFINITY, f64::max);
        // How many chunks a tick can wait for: every hog's, back to back.
        let back_to_back = common(&inline_single, |c| Some(hog_count(c)? * chunks_per_hog(c)));
        let waited: Vec<f64> = inline_single
            .iter()
            .filter_map(|c| chunks_waited(c))
            .collect();
        let near = |x: f64, target: f64| (x / target - 1.0).abs() <= CHUNK_TOLERANCE;
        if most <= STALL_US {
            write!(text, "the {hog} delayed no tick by more than {limit} ms: ")
                .expect("write to String");
        } else if let Some(n) = back_to_back
            .filter(|&n| n > 1.0 && !waited.is_empty() && waited.iter().all(|&w| near(w, n)))
        {
            let per_hog = common(&inline_single, |c| Some(chunks_per_hog(c)));
            let of = per_hog.map_or(String::new(), |k| {
                format!(
                    " of {} each",
                    if k == 1.0 {
                        "1 chunk".to_owned()
                    } else {
                        format!("{} chunks", thousands(k))
                    }
                )
            });
            let hogs = common(&inline_single, hog_count).unwrap_or(n);
            write!(
                text,
                "a tick due while the hogs run waits for all their chunks back to back ({} \
                 hogs{of}): ",
                thousands(hogs)
            )
            .expect("write to String");
        } else if !waited.is_empty() && waited.iter().all(|&w| near(w, 1.0)) {
            text.push_str("a tick due while a chunk runs waits for the chunk to end: ");
        } else {
            write!(text, "ticks wait behind the {hog}: ").expect("write to String");
        }
        write!(
            text,
            "tick lateness p99 {}, worst {}{}",
            range(&inline_single, p99),
            span(&inline_single, worst),
            against_chunk(&inline_single)
        )
        .expect("write to String");
        text.push_str(&stalled_clause(&inline_single));
        text.push('.');
        out.push(text);
    }

    // Multithreading: hogs hold as many workers as there are hogs; a thread per
    // task leaves the ticks to the kernel's scheduler.
    let inline_multi = finished(cells, INLINE, multithreaded);
    if inline_multi.is_empty() {
        out.push(format!(
            "**Multithreading** (inline {hog} on a multithreaded runner with more than one \
             thread): not measured in this run."
        ));
    } else {
        let mut counts: Vec<usize> = inline_multi.iter().map(|c| c.threads).collect();
        counts.sort_unstable();
        counts.dedup();
        let threads = match counts.as_slice() {
            [one] => format!("{one} threads"),
            [low, .., high] => format!("{low} to {high} threads"),
            [] => unreachable!("cells are not empty"),
        };
        let against = if inline_worst.is_finite() {
            format!(
                ", against {} worst inline on one thread",
                format_ms(inline_worst)
            )
        } else {
            String::new()
        };
        let mut text = format!(
            "**Multithreading** (the inline {hog} on multithreaded runners at {threads}{against}):"
        );
        let per_task: Vec<&Cell> = inline_multi
            .iter()
            .copied()
            .filter(|c| knob(c) == Some("per-task"))
            .collect();
        let pooled: Vec<&Cell> = inline_multi
            .iter()
            .copied()
            .filter(|c| knob(c) != Some("per-task"))
            .collect();
        // Pools, by whether the hogs occupy every worker thread (not said when the
        // file does not describe the runner or give the hog count).
        let busy = |c: &&Cell| {
            knob(c)?;
            hog_count(c).map(|h| h >= c.threads as f64)
        };
        let groups = [
            (
                Some(true),
                pooled
                    .iter()
                    .copied()
                    .filter(|c| busy(c) == Some(true))
                    .collect::<Vec<_>>(),
            ),
            (
                Some(false),
                pooled
                    .iter()
                    .copied()
                    .filter(|c| busy(c) == Some(false))
                    .collect(),
            ),
            (
                None,
                pooled
                    .iter()
                    .copied()
                    .filter(|c| busy(c).is_none())
                    .collect(),
            ),
        ];
        let mut clauses = Vec::new();
        for (occupied, group) in groups {
            if group.is_empty() {
                continue;
            }
            let names: Vec<String> = group.iter().map(|c| c.runner.clone()).collect();
            let how = match occupied {
                Some(true) => {
                    let waited: Vec<f64> = group.iter().filter_map(|c| chunks_waited(c)).collect();
                    let waits = |test: &dyn Fn(f64) -> bool| {
                        !waited.is_empty() && waited.iter().all(|&w| test(w))
                    };
                    let still = if waits(&|w| (w - 1.0).abs() <= CHUNK_TOLERANCE) {
                        ", so a tick still waits about one chunk"
                    } else if waits(&|w| w >= 1.0 - CHUNK_TOLERANCE) {
                        ", so a tick still waits for chunks to end"
                    } else {
                        ""
                    };
                    format!("{} occupy every worker{still}", hogs_on_workers(&group))
                }
                Some(false) => {
                    let free = match common(&group, |c| Some(c.threads as f64 - hog_count(c)?)) {
                        Some(1.0) => "leaves 1 worker free of hogs".to_owned(),
                        Some(n) => format!("leaves {} workers free of hogs", thousands(n)),
                        None => "leave workers free of hogs".to_owned(),
                    };
                    format!("{} {free}", hogs_on_workers(&group))
                }
                None => String::new(),
            };
            let how = if how.is_empty() {
                String::new()
            } else {
                format!(", {how}")
            };
            let mut clause = format!(
                "on {}{how}: tick lateness p99 {}, worst {}",
                join_and(&names),
                range(&group, p99),
                span(&group, worst)
            );
            if occupied == Some(true) {
                clause.push_str(&against_chunk(&group));
            }
            clause.push_str(&stalled_clause(&group));
            clauses.push(clause);
        }
        if !per_task.is_empty() {
            let names: Vec<String> = per_task.iter().map(|c| c.runner.clone()).collect();
            let verb = if names.len() == 1 { "gives" } else { "give" };
            // Preemption shows as ticks far shorter than a chunk.
            let preempted = per_task
                .iter()
                .all(|c| chunks_waited(c).is_some_and(|w| w < 0.5));
            let so = if preempted {
                format!(", so the kernel preempts the {hog} to run the ticks")
            } else {
                String::new()
            };
            clauses.push(format!(
                "{} {verb} every task its own OS thread{so}: tick lateness p99 {}, worst {}{}",
                join_and(&names),
                range(&per_task, p99),
                span(&per_task, worst),
                stalled_clause(&per_task)
            ));
        }
        // The first clause follows the colon; the others are sentences of their
        // own (a runner id keeps its case).
        for (i, clause) in clauses.iter().enumerate() {
            match clause.strip_prefix("on ") {
                Some(rest) if i > 0 => write!(text, " On {rest}."),
                _ => write!(text, " {clause}."),
            }
            .expect("write to String");
        }
        out.push(text);
    }

    // Yielding and offloading, on the executors the inline hog stalls.
    for (workload, label, what) in [
        (
            YIELD,
            "Yielding",
            format!("the {hog} yielding between slices"),
        ),
        (
            OFFLOAD,
            "Offloading",
            format!("the {hogs_have} chunks on the blocking pool"),
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
        if inline_worst.is_finite() {
            write!(
                text,
                ", against {} worst inline on one thread",
                format_ms(inline_worst)
            )
            .expect("write to String");
        }
        text.push_str(&stalled_clause(&single));
        // What it cost the hogs, on the runner that recovered most.
        if let Some(b) = best(&single) {
            let inline = inline_single.iter().find(|c| c.runner == b.runner);
            if let (Some(now), Some(before)) = (
                b.metrics.get(CHUNKS_PER_S),
                inline.and_then(|c| c.metrics.get(CHUNKS_PER_S)),
            ) {
                write!(
                    text,
                    "; {ran} {} chunks/s on {} against {} inline",
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

/// `2 hogs on 2 worker threads`, or each pair of counts the cells ran with.
fn hogs_on_workers(cells: &[&Cell]) -> String {
    let mut pairs: Vec<(f64, usize)> = Vec::new();
    for cell in cells {
        if let Some(h) = hog_count(cell) {
            if !pairs.contains(&(h, cell.threads)) {
                pairs.push((h, cell.threads));
            }
        }
    }
    let text: Vec<String> = pairs
        .iter()
        .map(|&(h, w)| {
            format!(
                "{} {} on {w} worker {}",
                thousands(h),
                if h == 1.0 { "hog" } else { "hogs" },
                if w == 1 { "thread" } else { "threads" }
            )
        })
        .collect();
    join_and(&text)
}

/// Microseconds as milliseconds with the unit.
fn format_ms(micros: f64) -> String {
    format!("{} ms", sig3(micros / 1e3))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> Results {
        crate::fixtures::v2()
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
        let found = findings(&mixed(&results), &results.runners);
        assert_eq!(found.len(), 4, "{found:#?}");
        assert_eq!(
            found[0],
            "**Inline hog, one thread:** on the single-threaded executors (tokio-ct, smol-local \
             and futures-local) a tick due while a chunk runs waits for the chunk to end: tick \
             lateness p99 100 ms, worst 101 ms (tokio-ct) to 102 ms (futures-local), 1.01–1.02× \
             each runner's hog chunk (100 ms, from the parameters); every sample stalled over \
             10 ms (15 of 15)."
        );
        // One hog on two workers leaves one free; tokio-mt stalled nonetheless, and
        // the sentence says so.
        assert!(
            found[1].starts_with(
                "**Multithreading** (the inline hog on multithreaded runners at 2 threads, \
                 against 101 ms worst inline on one thread): on tokio-mt, smol-mt, async-std and \
                 futures-pool, 1 hog on 2 worker threads leaves 1 worker free of hogs: tick \
                 lateness p99 "
            ),
            "{}",
            found[1]
        );
        assert!(
            found[1].contains("to 101 ms (tokio-mt); samples stalled over 10 ms on tokio-mt (2 of 5, worst 101 ms).")
                && found[1].ends_with(
                    " threads gives every task its own OS thread, so the kernel preempts the hog \
                     to run the ticks: tick lateness p99 0.130 ms, worst 0.930 ms (threads); no \
                     sample stalled over 10 ms."
                ),
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

    /// Mixed cells as the quick preset runs them: 2 hogs of 1 chunk each, the
    /// chunk's compute time measured, and worst ticks as measured on a 2-core
    /// machine (µs).
    fn quick_like(results: &Results) -> Vec<Cell> {
        let runs = [
            ("tokio-ct", INLINE, 219_152.0, 109.695),
            ("smol-local", INLINE, 220_725.0, 110.341),
            ("futures-local", INLINE, 222_953.0, 111.680),
            ("tokio-mt", INLINE, 109_445.0, 109.768),
            ("smol-mt", INLINE, 110_166.0, 111.202),
            ("async-std", INLINE, 112_132.0, 112.775),
            ("futures-pool", INLINE, 111_542.0, 112.595),
            ("threads", INLINE, 3_707.0, 116.635),
        ];
        runs.iter()
            .map(|&(runner, workload, max, chunk)| {
                let mut c = cell(results, runner, workload).clone();
                c.params = serde_json::json!({
                    "hogs": 2, "chunks_per_hog": 1, "chunk_steps": 83_000_000, "mode": "inline"
                });
                c.metrics.insert(CHUNK_MS.into(), chunk);
                let mut l = c.latency_us.unwrap();
                l.max = max;
                l.p99 = max.min(l.p99.max(max * 0.99));
                c.latency_us = Some(l);
                for s in &mut c.samples {
                    s.latency_max_us = Some(max);
                }
                c
            })
            .collect()
    }

    #[test]
    fn several_hogs_wait_back_to_back_and_hold_every_worker() {
        let results = fixture();
        let cells = quick_like(&results);
        let cells: Vec<&Cell> = cells.iter().collect();
        let found = findings(&cells, &results.runners);
        assert_eq!(
            found[0],
            "**Inline hogs, one thread:** on the single-threaded executors (tokio-ct, smol-local \
             and futures-local) a tick due while the hogs run waits for all their chunks back to \
             back (2 hogs of 1 chunk each): tick lateness p99 217–221 ms, worst 219 ms \
             (tokio-ct) to 223 ms (futures-local), 2.00× each runner's measured hog chunk \
             (110–112 ms); every sample stalled over 10 ms (15 of 15)."
        );
        assert_eq!(
            found[1],
            "**Multithreading** (the inline hogs on multithreaded runners at 2 threads, against \
             219 ms worst inline on one thread): on tokio-mt, smol-mt, async-std and \
             futures-pool, 2 hogs on 2 worker threads occupy every worker, so a tick still \
             waits about one chunk: tick lateness p99 108–111 ms, worst 109 ms (tokio-mt) to \
             112 ms (async-std), 0.99–1.00× each runner's measured hog chunk (110–113 ms); \
             every sample stalled over 10 ms (20 of 20). threads gives every task its own OS \
             thread, so the kernel preempts the hogs to run the ticks: tick lateness p99 \
             3.67 ms, worst 3.71 ms (threads); no sample stalled over 10 ms."
        );
        // Four hogs on two workers hold them for longer than one chunk when a tick
        // waits for two: the ratio is reported, "about one chunk" is not claimed.
        let mut longer: Vec<Cell> = cells.iter().map(|c| (*c).clone()).collect();
        for c in longer.iter_mut().filter(|c| c.runner == "tokio-mt") {
            c.latency_us.as_mut().unwrap().max = 219_000.0;
        }
        let longer: Vec<&Cell> = longer.iter().collect();
        let found = findings(&longer, &results.runners);
        assert!(
            found[1].contains("occupy every worker, so a tick still waits for chunks to end:")
                && found[1].contains("0.99–2.00× each runner's measured hog chunk"),
            "{}",
            found[1]
        );
        // Without the runners' descriptions the thread-per-task runner is not told
        // apart, and no relation is claimed for it.
        let found = findings(&cells, &[]);
        assert!(
            found[1].contains(
                "(the inline hogs on multithreaded runners at 2 threads, against 219 ms worst \
                 inline on one thread): on tokio-mt, smol-mt, async-std, futures-pool and \
                 threads: tick lateness p99 "
            ) && !found[1].contains("worker"),
            "{}",
            found[1]
        );
    }

    #[test]
    fn missing_cells_are_not_measured_in_this_run() {
        let mut results = fixture();
        // No single-threaded executor ran, and nothing was offloaded.
        results
            .cells
            .retain(|c| c.class != Class::Concurrent && c.workload != OFFLOAD);
        let found = findings(&mixed(&results), &results.runners);
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
        let found = findings(&mixed(&results), &results.runners);
        assert!(
            found[1].ends_with("not measured in this run."),
            "{}",
            found[1]
        );
    }
}

//! Derives [`HogsFinding`] from the mixed cells: the table's numbers, and the
//! comparisons under it. Inline hogs on one thread run each hog's chunks straight
//! through, so a tick can wait for every hog's chunks back to back;
//! multithreading recovers what workers the hogs leave free (as many hogs as
//! worker threads hold every worker, and a runner with a thread per task leaves
//! the ticks to the kernel's scheduler); yielding and offloading recover the
//! ticks on one thread, at some cost to the hogs. Every tick is read beyond
//! its runner's own timer lateness where the run measured it (`timer`), so the
//! comparisons and the ranking weigh what the hogs added, not the timer's
//! granularity; stalls stay as measured (a sample's worst tick against the
//! threshold).

use super::*;
use crate::cell_ref::CellRef;
use crate::model::{Cell, RunnerMeta};
use crate::sections::timer::ranked_by_p99;
use rtcompare_api::Class;

/// The mixed cells that apply, by runner, then thread count, then variant, in
/// the report's orders.
fn mixed_cells<'a>(report: &Report<'a>) -> Vec<&'a Cell> {
    let variant_rank = |w: &str| {
        report
            .workloads
            .iter()
            .position(|x| *x == w)
            .unwrap_or(usize::MAX)
    };
    let mut cells: Vec<&Cell> = report
        .results
        .cells
        .iter()
        .filter(|c| c.workload.starts_with(PREFIX) && c.applies())
        .collect();
    cells.sort_by_key(|c| {
        (
            report.runner_rank(&c.runner),
            c.threads,
            variant_rank(&c.workload),
        )
    });
    cells
}

/// A cell's runner's own timer lateness, when the finding reads beyond it.
pub(super) type TimerOf<'t> = &'t dyn Fn(&Cell) -> Option<TimerBaseline>;

/// The finding, or `None` when the run has no mixed cell that applies.
pub(super) fn derive(report: &Report<'_>) -> Option<HogsFinding> {
    let cells = mixed_cells(report);
    if cells.is_empty() {
        return None;
    }
    let timer_ran = report.timer_ran();
    // Without any `timer` cell every baseline is `None`: read as measured.
    let timer: TimerOf<'_> = &|c: &Cell| report.timer_baseline_of(c);
    let variants = variants(&cells, &report.workloads);
    let mut no_timer: Vec<String> = Vec::new();
    for cell in &cells {
        if timer_ran && timer(cell).is_none() && !no_timer.contains(&cell.runner) {
            no_timer.push(cell.runner.clone());
        }
    }
    let rank = |runner: &str| report.runner_rank(runner);
    Some(HogsFinding {
        hogs: common(&cells, hog_count),
        ranking: variants
            .iter()
            .map(|variant| VariantRanking {
                variant: variant.clone(),
                runners: ranked_by_p99(&finished(&cells, variant, |_| true), timer, &rank),
            })
            .collect(),
        variants,
        stall_threshold_us: STALL_US,
        timer_ran,
        no_timer,
        cells: cells.iter().map(|c| row(c, timer(c))).collect(),
        disturbed: cells.iter().filter_map(|c| Disturbance::of(c)).collect(),
        comparisons: compare(&cells, &report.results.runners, timer),
    })
}

/// The workloads of `cells`: in the report's order, then any others as they
/// first appear.
fn variants(cells: &[&Cell], workloads: &[&str]) -> Vec<String> {
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
    ids.into_iter().map(str::to_owned).collect()
}

fn row(cell: &Cell, timer: Option<TimerBaseline>) -> HogsRow {
    let outcome = if cell.status == Status::Ok {
        let lateness = cell.latency_us.map(|l| Lateness {
            p50_us: l.p50,
            p99_us: l.p99,
            max_us: l.max,
        });
        RowOutcome::Finished(Measures {
            lateness,
            timer,
            beyond_timer: lateness.zip(timer).map(|(l, t)| Lateness {
                p50_us: t.beyond(l.p50_us),
                p99_us: t.beyond(l.p99_us),
                max_us: t.beyond(l.max_us),
            }),
            stalls: stalls(cell, STALL_US),
            chunks_per_s: cell.metrics.get(CHUNKS_PER_S).copied(),
            round_trip_p99_us: cell.more_latency_us.get(ROUND_TRIP).map(|l| l.p99),
        })
    } else {
        RowOutcome::Ended(cell.status)
    };
    HogsRow {
        cell: CellRef::of(cell),
        disturbed: cell.disturbed(),
        outcome,
    }
}

/// The stalled samples of `cell`: those whose `latency_max_us` exceeds
/// `threshold_us`. `None` when no measured sample recorded its worst latency.
pub(super) fn stalls(cell: &Cell, threshold_us: f64) -> Option<Stalls> {
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
pub(super) fn chunk_ms(cell: &Cell) -> Option<f64> {
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

/// Finished cells of `workload` that measured latency, filtered by `which`.
fn finished<'a>(cells: &[&'a Cell], workload: &str, which: fn(&Cell) -> bool) -> Vec<&'a Cell> {
    cells
        .iter()
        .copied()
        .filter(|c| c.workload == workload && c.status == Status::Ok && c.latency_us.is_some())
        // Disturbed cells are shown in the table but judged by no comparison.
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

/// Worst tick lateness of a finished cell as measured, µs.
fn worst(cell: &Cell) -> f64 {
    cell.latency_us.map_or(f64::NAN, |l| l.max)
}

/// Worst tick lateness of a finished cell as the comparisons read it (beyond
/// its runner's timer, where `timer` gives one), µs.
fn worst_read(cell: &Cell, timer: TimerOf<'_>) -> f64 {
    beyond(worst(cell), timer(cell))
}

/// Worst tick lateness, as read, over the cell's own hog chunk.
fn chunks_waited(cell: &Cell, timer: TimerOf<'_>) -> Option<f64> {
    Some(worst_read(cell, timer) / (chunk_ms(cell)? * 1e3))
}

fn ticks(cell: &Cell, timer: TimerOf<'_>) -> Ticks {
    Ticks {
        cell: CellRef::of(cell),
        p99_us: cell.latency_us.map_or(f64::NAN, |l| l.p99),
        worst_us: worst(cell),
        timer: timer(cell),
        chunk: chunk_ms(cell).map(|ms| Chunk {
            ms,
            measured: cell.metrics.contains_key(CHUNK_MS),
            waited: worst_read(cell, timer) / (ms * 1e3),
        }),
        stalls: stalls(cell, STALL_US),
    }
}

fn group(cells: &[&Cell], timer: TimerOf<'_>) -> Group {
    let counts: Vec<Stalls> = cells.iter().filter_map(|c| stalls(c, STALL_US)).collect();
    let (stalled, samples) = counts
        .iter()
        .fold((0, 0), |(k, n), s| (k + s.stalled, n + s.samples));
    let stalls = if cells.len() > 1 && counts.len() == cells.len() && stalled == samples {
        StallSummary::EveryStalled { stalled, samples }
    } else if counts.is_empty() {
        StallSummary::NotCounted
    } else if stalled == 0 {
        StallSummary::NoneStalled
    } else {
        StallSummary::SomeStalled
    };
    Group {
        cells: cells.iter().map(|c| ticks(c, timer)).collect(),
        stalls,
    }
}

/// The comparisons, from `cells` (the mixed cells that apply) and the runners as
/// the results file describes them, each tick read beyond `timer`.
pub(super) fn compare(cells: &[&Cell], runners: &[RunnerMeta], timer: TimerOf<'_>) -> Comparisons {
    let inline_single = finished(cells, INLINE, single_threaded);
    let inline_worst = inline_single
        .iter()
        .map(|c| worst_read(c, timer))
        .fold(f64::NAN, f64::min);
    Comparisons {
        several_hogs: cells.iter().any(|c| hog_count(c).is_some_and(|n| n > 1.0)),
        inline_worst_us: inline_worst.is_finite().then_some(inline_worst),
        inline: inline(&inline_single, timer),
        multithreading: multithreading(&finished(cells, INLINE, multithreaded), runners, timer),
        yielding: recovery(
            &finished(cells, YIELD, single_threaded),
            &inline_single,
            timer,
        ),
        offloading: recovery(
            &finished(cells, OFFLOAD, single_threaded),
            &inline_single,
            timer,
        ),
    }
}

/// The inline hog on the single-threaded executors.
fn inline(cells: &[&Cell], timer: TimerOf<'_>) -> Option<Inline> {
    if cells.is_empty() {
        return None;
    }
    // A stall is of a sample as measured: its worst tick over the threshold.
    let most = cells
        .iter()
        .map(|c| worst(c))
        .fold(f64::NEG_INFINITY, f64::max);
    // How many chunks a tick can wait for: every hog's, back to back.
    let back_to_back = common(cells, |c| Some(hog_count(c)? * chunks_per_hog(c)));
    let waited: Vec<f64> = cells
        .iter()
        .filter_map(|c| chunks_waited(c, timer))
        .collect();
    let all_near = |target: f64| {
        !waited.is_empty()
            && waited
                .iter()
                .all(|&w| (w / target - 1.0).abs() <= CHUNK_TOLERANCE)
    };
    let wait = if most <= STALL_US {
        InlineWait::NoStall
    } else if let Some(n) = back_to_back.filter(|&n| n > 1.0 && all_near(n)) {
        InlineWait::BackToBack {
            hogs: common(cells, hog_count).unwrap_or(n),
            chunks_per_hog: common(cells, |c| Some(chunks_per_hog(c))),
        }
    } else if all_near(1.0) {
        InlineWait::OneChunk
    } else {
        InlineWait::Behind
    };
    Some(Inline {
        wait,
        ticks: group(cells, timer),
    })
}

/// The inline hog on multithreaded runners: pools by whether the hogs occupy
/// every worker (not said when the file does not describe the runner or give
/// the hog count), and the runners with a thread per task.
fn multithreading(
    cells: &[&Cell],
    runners: &[RunnerMeta],
    timer: TimerOf<'_>,
) -> Option<Multithreading> {
    if cells.is_empty() {
        return None;
    }
    let mut threads: Vec<usize> = cells.iter().map(|c| c.threads).collect();
    threads.sort_unstable();
    threads.dedup();
    let knob = |cell: &Cell| {
        runners
            .iter()
            .find(|m| m.id == cell.runner)
            .map(|m| m.threads_knob.as_str())
    };
    let (per_task, pooled): (Vec<&Cell>, Vec<&Cell>) =
        cells.iter().partition(|c| knob(c) == Some("per-task"));
    let busy = |c: &Cell| {
        knob(c)?;
        hog_count(c).map(|h| h >= c.threads as f64)
    };
    let pools = [Some(true), Some(false), None]
        .into_iter()
        .filter_map(|occupied| {
            let members: Vec<&Cell> = pooled
                .iter()
                .copied()
                .filter(|c| busy(c) == occupied)
                .collect();
            (!members.is_empty()).then(|| Pool {
                occupancy: occupancy(occupied, &members, timer),
                ticks: group(&members, timer),
            })
        })
        .collect();
    let per_task = (!per_task.is_empty()).then(|| PerTask {
        // Preemption shows as ticks far shorter than a chunk.
        preempted: per_task
            .iter()
            .all(|c| chunks_waited(c, timer).is_some_and(|w| w < 0.5)),
        ticks: group(&per_task, timer),
    });
    Some(Multithreading {
        threads,
        pools,
        per_task,
    })
}

fn occupancy(occupied: Option<bool>, cells: &[&Cell], timer: TimerOf<'_>) -> Occupancy {
    match occupied {
        Some(true) => {
            let waited: Vec<f64> = cells
                .iter()
                .filter_map(|c| chunks_waited(c, timer))
                .collect();
            let waits =
                |test: fn(f64) -> bool| !waited.is_empty() && waited.iter().all(|&w| test(w));
            let still = if waits(|w| (w - 1.0).abs() <= CHUNK_TOLERANCE) {
                Some(StillWaits::AboutOneChunk)
            } else if waits(|w| w >= 1.0 - CHUNK_TOLERANCE) {
                Some(StillWaits::ForChunks)
            } else {
                None
            };
            Occupancy::EveryWorker {
                on: hogs_on_workers(cells),
                still,
            }
        }
        Some(false) => Occupancy::WorkersFree {
            on: hogs_on_workers(cells),
            free: common(cells, |c| Some(c.threads as f64 - hog_count(c)?)),
        },
        None => Occupancy::Undescribed,
    }
}

/// Each pair of hog and worker counts the cells ran with, as they first appear.
fn hogs_on_workers(cells: &[&Cell]) -> Vec<HogsOnWorkers> {
    let mut pairs: Vec<HogsOnWorkers> = Vec::new();
    for cell in cells {
        if let Some(hogs) = hog_count(cell) {
            let pair = HogsOnWorkers {
                hogs,
                workers: cell.threads,
            };
            if !pairs.contains(&pair) {
                pairs.push(pair);
            }
        }
    }
    pairs
}

/// Yielding or offloading on the single-threaded executors, held against
/// `inline` (the inline cells there).
fn recovery(cells: &[&Cell], inline: &[&Cell], timer: TimerOf<'_>) -> Option<Recovery> {
    // The runner that recovered most.
    let best = cells
        .iter()
        .copied()
        .min_by(|a, b| worst_read(a, timer).total_cmp(&worst_read(b, timer)))?;
    let before = inline.iter().find(|c| c.runner == best.runner);
    let cost = match (
        best.metrics.get(CHUNKS_PER_S),
        before.and_then(|c| c.metrics.get(CHUNKS_PER_S)),
    ) {
        (Some(&now), Some(&then)) => Some(HogCost {
            chunks_per_s: now,
            inline_chunks_per_s: then,
        }),
        _ => None,
    };
    Some(Recovery {
        ticks: group(cells, timer),
        best: CellRef::of(best),
        cost,
    })
}

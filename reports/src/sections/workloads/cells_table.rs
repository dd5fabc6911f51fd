//! Derives the table of one workload's cells: which optional columns it has, one
//! [`Row`] of numbers per cell, its best cell and the footnotes on noted and
//! extrapolated cells.

use super::{
    CellAt, Columns, ContextSwitches, Footnote, Interval, IntervalKind, LatencyColumn, LatencyUnit,
    Measured, Percentiles, RankedBy, Row, Standing, TableBest, ThroughputUnit,
};
use crate::format::TimeUnit;
use crate::judge::Disturbance;
use crate::model::{Cell, MetricMeta, Sample, Status, Summary};
use crate::sections::Report;
use crate::sections::shared::{Best, footnotes};
use rtcompare_api::WorkloadKind;

/// What [`Report::cells_table`] derives, for its [`super::WorkloadTable`].
pub(super) struct CellsTable {
    pub(super) columns: Columns,
    pub(super) rows: Vec<Row>,
    pub(super) best: Option<TableBest>,
    pub(super) notes: Vec<Footnote>,
    pub(super) extrapolations: Vec<Footnote>,
    pub(super) oversubscribed_threads: Vec<usize>,
}

impl<'a> Report<'a> {
    /// The table of `cells`, the cells of `workload` that apply, in table order.
    pub(super) fn cells_table(
        &self,
        workload: &str,
        kind: WorkloadKind,
        cells: &[&'a Cell],
        ranked_by: RankedBy,
    ) -> CellsTable {
        let ideal = self.workload_meta(workload).and_then(|m| m.ideal_wall_s);
        let fastest = match ranked_by {
            RankedBy::Wall => Best::of(cells.iter().copied()),
            _ => None,
        };
        // Ranked by a latency or a cost: the judged cell with the lowest value.
        let lowest = cells
            .iter()
            .copied()
            .filter(|_| ranked_by != RankedBy::Wall)
            .filter(|c| crate::judge::judged_summary(c).is_some())
            .filter_map(|c| Some((c, rank_value(&ranked_by, c)?)))
            .min_by(|a, b| a.1.total_cmp(&b.1));
        let mut columns = self.columns(
            workload,
            kind,
            cells,
            ideal.is_some(),
            fastest.is_some() || lowest.is_some(),
        );
        columns.ranked_by = ranked_by.clone();
        let notes = footnotes(cells, |c| c.notes.iter().map(String::as_str).collect());
        let extrapolations = footnotes(cells, |c| {
            c.extrapolation.iter().map(|e| e.note.as_str()).collect()
        });
        let rows = cells
            .iter()
            .map(|cell| {
                let measured = cell.summary.as_ref().map(|s| {
                    let mut m = measured(cell, s, &columns, ideal, fastest.as_ref());
                    if let Some((best, value)) = lowest {
                        m.best = std::ptr::eq(*cell, best);
                        m.relative = rank_value(&ranked_by, cell)
                            .filter(|_| !cell.disturbed())
                            .map(|v| v / value);
                    }
                    m
                });
                Row {
                    runner: cell.runner.clone(),
                    class: cell.class,
                    family: cell.family,
                    threads: cell.threads,
                    status: cell.status,
                    error: cell.error.clone(),
                    measured,
                    stop: cell.sampling.as_ref().map(|s| s.stop),
                    notes: cell
                        .notes
                        .iter()
                        .filter_map(|note| notes.iter().position(|n| n.note == *note))
                        .map(|i| i + 1)
                        .collect(),
                    extrapolated: cell.extrapolation.is_some(),
                    oversubscribed: cell.summary.as_ref().is_some_and(|s| s.oversubscribed),
                    disturbed: Disturbance::of(cell),
                    in_cell_clients: crate::network::in_cell_clients(cell),
                }
            })
            .collect();
        let mut oversubscribed_threads: Vec<usize> = cells
            .iter()
            .filter(|c| c.summary.as_ref().is_some_and(|s| s.oversubscribed))
            .map(|c| c.threads)
            .collect();
        oversubscribed_threads.sort_unstable();
        oversubscribed_threads.dedup();
        CellsTable {
            columns,
            rows,
            best: fastest.as_ref().map(table_best).or_else(|| {
                lowest.map(|(cell, _)| TableBest {
                    runner: cell.runner.clone(),
                    threads: cell.threads,
                    standing: Standing::Lowest,
                })
            }),
            notes,
            extrapolations,
            oversubscribed_threads,
        }
    }

    /// The optional columns: each only where some cell has something to put in
    /// it; `best`: the table has a best cell to be relative to.
    fn columns(
        &self,
        workload: &str,
        kind: WorkloadKind,
        cells: &[&Cell],
        ideal: bool,
        best: bool,
    ) -> Columns {
        let finished = || cells.iter().filter(|c| c.status == Status::Ok);
        let measured = || cells.iter().filter(|c| c.summary.is_some());
        let any_measured = measured().next().is_some();
        let latency = {
            let medians: Vec<_> = finished().filter_map(|c| c.latency_us.as_ref()).collect();
            (!medians.is_empty()).then(|| match TimeUnit::for_medians(medians) {
                TimeUnit::Micros => LatencyUnit::Micros,
                TimeUnit::Millis => LatencyUnit::Millis,
            })
        };
        let mut more_latencies: Vec<LatencyColumn> = Vec::new();
        for cell in finished() {
            for name in cell.more_latency_us.keys() {
                if !more_latencies.iter().any(|l| l.name == *name) {
                    more_latencies.push(LatencyColumn {
                        name: name.clone(),
                        label: super::names::latency(name),
                    });
                }
            }
        }
        // Workloads that time requests have requests; the others operations.
        let throughput = finished().any(|c| c.throughput_per_s.is_some()).then_some(
            if kind == WorkloadKind::Io && latency.is_some() {
                ThroughputUnit::Requests
            } else {
                ThroughputUnit::Operations
            },
        );
        let metrics: Vec<MetricMeta> = crate::overhead::measures(self.results, workload, cells)
            .into_iter()
            .filter(|m| finished().any(|c| c.metrics.contains_key(&m.key)))
            .filter(|m| !super::names::repeats_a_column(&m.key))
            .map(|m| super::names::measure(&m))
            .collect();
        let summaries = || measured().filter_map(|c| c.summary.as_ref());
        Columns {
            measured: any_measured,
            // Without a speedup anywhere (no `seq` to divide by) the columns go;
            // `timer` times one task's own sleeps, which nothing can speed up.
            speedup: workload != crate::sections::timer::TIMER
                && summaries().any(|s| s.speedup_vs_seq.is_some()),
            efficiency: summaries().any(|s| s.efficiency.is_some()),
            peak_rss: measured().any(|c| c.peak_rss_bytes.is_some()),
            os_threads: measured().any(|c| c.os_threads.is_some()),
            times_ideal: ideal && any_measured,
            latency,
            more_latencies,
            throughput,
            served: finished().any(|c| c.load.is_some()),
            metrics,
            // Where the work is synchronisation, contention shows as context
            // switches: voluntary (a thread sleeping on a lock or queue) and
            // involuntary (preempted, possibly while holding one).
            context_switches: kind == WorkloadKind::Overhead && any_measured,
            // Disturbed rows say so in it.
            relative: best || measured().any(|c| c.disturbed()),
            ranked_by: RankedBy::Wall,
        }
    }
}

/// The numbers of a finished cell with summary `s`.
fn measured(
    cell: &Cell,
    s: &Summary,
    columns: &Columns,
    ideal: Option<f64>,
    fastest: Option<&Best<'_>>,
) -> Measured {
    let best = fastest.is_some_and(|b| std::ptr::eq(cell, b.cell));
    let relative = fastest
        .filter(|_| !cell.disturbed())
        .map(|b| s.median_wall_s / b.summary.median_wall_s);
    let median_of = |count: fn(&Sample) -> u64| {
        let values: Vec<f64> = cell.samples.iter().map(|s| count(s) as f64).collect();
        crate::stats::median(&values)
    };
    Measured {
        median_wall_s: s.median_wall_s,
        interval: Interval {
            lo_s: s.interval_wall_s[0],
            hi_s: s.interval_wall_s[1],
            coverage: s.interval_coverage,
            samples: s.samples,
            kind: interval_kind(s),
        },
        samples: if s.samples > 0 {
            s.samples
        } else {
            cell.samples.len()
        },
        speedup: s.speedup_vs_seq,
        efficiency: s.efficiency,
        cpu_utilisation: s.cpu_utilisation,
        peak_rss_bytes: cell.peak_rss_bytes,
        os_threads: cell.os_threads,
        times_ideal: ideal.map(|ideal| s.median_wall_s / ideal),
        latency_us: cell.latency_us.as_ref().map(|l| Percentiles {
            p50: l.p50,
            p99: l.p99,
            p999: l.p999,
            max: l.max,
        }),
        more_p99_us: cell
            .more_latency_us
            .iter()
            .map(|(name, l)| (name.clone(), l.p99))
            .collect(),
        throughput_per_s: cell.throughput_per_s,
        server_cpu_us_per_request: cell.load.as_ref().and_then(|l| {
            let requests: f64 = l.steps.iter().map(|s| s.requests as f64).sum();
            let cpu: f64 = l
                .steps
                .iter()
                .map(|s| s.server_cpu_us_per_request * s.requests as f64)
                .sum();
            (requests > 0.0).then(|| cpu / requests)
        }),
        generator_cores: cell.load.as_ref().and_then(|l| {
            l.steps
                .iter()
                .map(|s| s.generator_cores)
                .max_by(f64::total_cmp)
        }),
        metrics: cell.metrics.clone(),
        context_switches: columns.context_switches.then(|| ContextSwitches {
            voluntary: median_of(|s| s.ctx_voluntary),
            involuntary: median_of(|s| s.ctx_involuntary),
        }),
        relative,
        best,
    }
}

/// A cell's value of what its table ranks by other than wall time.
pub(super) fn rank_value(ranked_by: &RankedBy, cell: &Cell) -> Option<f64> {
    match ranked_by {
        RankedBy::Wall => cell.summary.as_ref().map(|s| s.median_wall_s),
        RankedBy::LatencyP99 => cell.latency_us.as_ref().map(|l| l.p99),
        RankedBy::Cost { key, .. } => cell.metrics.get(key).copied(),
    }
    .filter(|v| v.is_finite())
}

/// What `s`'s interval is, by its real coverage.
pub(super) fn interval_kind(s: &Summary) -> IntervalKind {
    if s.supports_claims() {
        IntervalKind::Ci95
    } else if s.samples <= 1 {
        IntervalKind::Single
    } else {
        IntervalKind::Range
    }
}

/// The best of a table, and what its samples allow calling it.
fn table_best(best: &Best<'_>) -> TableBest {
    let standing = if !best.ranked {
        // The weakest interval says why.
        let fewest = crate::judge::weakest(best.group.iter().copied());
        Standing::LowestMedian {
            fewest_samples: fewest.map_or(0, |s| s.samples),
        }
    } else if best.tied.is_empty() {
        Standing::Fastest
    } else {
        Standing::Tied {
            with: best.tied.iter().map(|c| CellAt::of(c)).collect(),
        }
    };
    TableBest {
        runner: best.cell.runner.clone(),
        threads: best.cell.threads,
        standing,
    }
}

//! How many samples a cell takes, and from how many processes: the sampling rule.
//!
//! A cell's samples come from one or more cell processes, each with its own warm-up,
//! so they do not all share one memory layout, allocator state and thread placement.
//! The parent runs processes of `per_process` samples until the median's interval is
//! narrow enough (`precision`), the cell's share of the run's budget is spent, or
//! `max_samples` is reached, and never stops before `min_samples` samples from
//! `min_processes` processes. [`merge`] folds each process's report into the cell:
//! samples tagged with their process, histograms merged (never percentiles
//! averaged), per-sample medians recomputed over every sample.

use crate::cell::CellReport;
use crate::histograms::{histogram_from_buckets, latency};
use rtcompare_api::{Histogram, WorkloadKind};
use rtcompare_reports::stats::{median, median_interval};
use rtcompare_reports::summary::INTERVAL_CONFIDENCE;
use rtcompare_reports::{Cell, Interference, Sampling, SamplingConfig, Status, StopReason};
use std::collections::BTreeMap;
use std::time::Duration;

/// The sampling rule of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// `--samples N`: exactly N samples per cell (no precision target, no budget).
    pub fixed: Option<usize>,
    /// Fewest measured samples per cell.
    pub min_samples: usize,
    /// Most measured samples per cell.
    pub max_samples: usize,
    /// Samples per cell process.
    pub per_process: usize,
    /// Fewest processes per cell.
    pub min_processes: usize,
    /// Target half-width of the median interval, fraction of the median, CPU-bound.
    pub precision_cpu: f64,
    /// The same for I/O-bound and mixed work.
    pub precision_other: f64,
    /// The whole run's budget.
    pub budget: Option<Duration>,
    /// Foreign load, in cores, that disturbs a sample.
    pub threshold_cores: f64,
    /// Re-takes per cell process.
    pub max_retakes: usize,
}

impl Policy {
    /// Exactly `n` samples per cell, from `processes` processes: for tests and for
    /// checks that repeat a fixed plan.
    pub fn fixed(n: usize, processes: usize) -> Policy {
        let processes = processes.clamp(1, n.max(1));
        Policy {
            fixed: Some(n),
            min_samples: n,
            max_samples: n,
            per_process: n.div_ceil(processes),
            min_processes: processes,
            precision_cpu: 0.0,
            precision_other: 0.0,
            budget: None,
            threshold_cores: crate::interference::DEFAULT_THRESHOLD_CORES,
            max_retakes: n.max(3),
        }
    }

    /// The rule as recorded in the results file.
    pub fn config(&self) -> SamplingConfig {
        SamplingConfig {
            min_samples: self.min_samples,
            max_samples: self.max_samples,
            samples_per_process: self.per_process,
            min_processes: self.min_processes,
            precision_cpu: self.precision_cpu,
            precision_other: self.precision_other,
            budget_s: self.budget.map(|b| b.as_secs_f64()),
            interference_threshold_cores: self.threshold_cores,
            max_retakes: self.max_retakes,
        }
    }

    /// The rule a results file recorded, or for older files, exactly the sample
    /// count they took from one process.
    pub fn from_config(config: Option<&SamplingConfig>, samples: usize) -> Policy {
        match config {
            Some(c) => Policy {
                fixed: (c.min_samples == c.max_samples).then_some(c.min_samples),
                min_samples: c.min_samples,
                max_samples: c.max_samples,
                per_process: c.samples_per_process,
                min_processes: c.min_processes,
                precision_cpu: c.precision_cpu,
                precision_other: c.precision_other,
                budget: c.budget_s.map(Duration::from_secs_f64),
                threshold_cores: c.interference_threshold_cores,
                max_retakes: c.max_retakes,
            },
            None => Policy::fixed(samples, 1),
        }
    }

    /// The precision target for a workload of `kind`.
    pub fn target(&self, kind: WorkloadKind) -> f64 {
        if kind == WorkloadKind::Cpu {
            self.precision_cpu
        } else {
            self.precision_other
        }
    }

    /// How many samples the next process should take, given `taken` so far from
    /// `processes` processes.
    pub fn next_batch(&self, taken: usize) -> usize {
        let left = self.max_samples.saturating_sub(taken).max(1);
        self.per_process.min(left)
    }

    /// Why sampling should stop now, or `None` to run another process.
    /// `spent`/`last` are the cell's time so far and its last process's time;
    /// `allowed` is the cell's share of the budget.
    pub fn stop(
        &self,
        cell: &Cell,
        processes: usize,
        spent: Duration,
        last: Duration,
        allowed: Option<Duration>,
    ) -> Option<StopReason> {
        if cell.status != Status::Ok {
            return Some(StopReason::Ended);
        }
        let n = cell.samples.len();
        if let Some(fixed) = self.fixed {
            return (n >= fixed).then_some(StopReason::Fixed);
        }
        if n >= self.max_samples {
            return Some(StopReason::MaxSamples);
        }
        if n < self.min_samples || processes < self.min_processes {
            return None;
        }
        if half_width(cell).is_some_and(|h| h <= self.target(cell.workload_kind)) {
            return Some(StopReason::Precision);
        }
        // Another process would likely take as long as the last one did.
        allowed
            .is_some_and(|allowed| spent + last > allowed)
            .then_some(StopReason::Budget)
    }
}

/// The half-width of the cell's median interval as a fraction of its median (the
/// larger side, so an asymmetric interval is not flattered); `None` while the
/// samples are too few for a 95% interval.
pub fn half_width(cell: &Cell) -> Option<f64> {
    let walls: Vec<f64> = cell.samples.iter().map(|s| s.wall_s).collect();
    let interval = median_interval(&walls, INTERVAL_CONFIDENCE)?;
    if interval.coverage < INTERVAL_CONFIDENCE {
        return None;
    }
    let m = median(&walls);
    Some((m - interval.lo).max(interval.hi - m) / m)
}

/// A cell being assembled from its processes' reports.
#[derive(Debug, Default)]
pub struct Merged {
    cell: Option<Cell>,
    histograms: Vec<(String, Histogram)>,
    load: Option<crate::network::LoadSums>,
    probe_metrics: BTreeMap<String, f64>,
    processes: usize,
}

impl Merged {
    /// Processes merged so far.
    pub fn processes(&self) -> usize {
        self.processes
    }

    /// The cell so far.
    pub fn cell(&self) -> Option<&Cell> {
        self.cell.as_ref()
    }

    /// Folds in the report of the next process.
    pub fn add(&mut self, report: CellReport) {
        self.processes += 1;
        for (name, buckets) in &report.histograms {
            let histogram = histogram_from_buckets(buckets);
            match self.histograms.iter_mut().find(|(n, _)| n == name) {
                Some((_, merged)) => merged
                    .add(&histogram)
                    .expect("auto-resizing histograms merge"),
                None => self.histograms.push((name.clone(), histogram)),
            }
        }
        if let Some(load) = report.load {
            match self.load.as_mut() {
                Some(mine) => mine.merge(load),
                None => self.load = Some(load),
            }
        }
        let next = report.cell;
        let Some(cell) = self.cell.as_mut() else {
            let per_sample: Vec<&String> =
                next.samples.iter().flat_map(|s| s.metrics.keys()).collect();
            self.probe_metrics = next
                .metrics
                .iter()
                .filter(|(k, _)| !per_sample.contains(k))
                .map(|(k, v)| (k.clone(), *v))
                .collect();
            self.cell = Some(next);
            return;
        };
        cell.samples.extend(next.samples);
        cell.warmup.extend(next.warmup);
        if next.status != Status::Ok {
            // A later process failed: the cell fails with its reason, keeping what
            // the earlier processes measured.
            cell.status = next.status;
            cell.error = next.error;
            cell.exit = next.exit;
            cell.verified = false;
            cell.checksum = next.checksum.or(cell.checksum.take());
        } else if cell.status == Status::Ok {
            // The exit on record is the one that decided the status: the first
            // failure, else the latest process.
            cell.exit = next.exit;
        }
        cell.peak_rss_bytes = cell.peak_rss_bytes.max(next.peak_rss_bytes);
        cell.os_threads = cell.os_threads.max(next.os_threads);
        for note in next.notes {
            if !cell.notes.contains(&note) {
                cell.notes.push(note);
            }
        }
        if let Some(more) = next.interference {
            let mine = cell.interference.get_or_insert_with(Interference::default);
            mine.retaken += more.retaken;
            mine.disturbed_samples += more.disturbed_samples;
            mine.foreign_cores_max = mine.foreign_cores_max.max(more.foreign_cores_max);
            mine.steal_cores_max = mine.steal_cores_max.max(more.steal_cores_max);
            mine.discarded_foreign_cores
                .extend(more.discarded_foreign_cores);
        }
    }

    /// The finished cell: medians and percentiles recomputed over every process,
    /// and how sampling went. `None` if no process reported.
    pub fn finish(self, sampling: Sampling) -> Option<Cell> {
        let mut cell = self.cell?;
        cell.sampling = Some(sampling);
        if cell.status != Status::Ok {
            return Some(cell);
        }
        cell.metrics = crate::cell::median_metrics(&cell.samples);
        cell.metrics.extend(self.probe_metrics);
        let scale = cell.scale();
        let mut throughput: Vec<f64> = cell
            .samples
            .iter()
            .filter_map(|s| Some(s.ops? as f64 / (s.wall_s * scale)))
            .collect();
        throughput.sort_by(f64::total_cmp);
        cell.throughput_per_s = (!throughput.is_empty()).then(|| median(&throughput));
        if let Some(load) = &self.load {
            cell.load = load.finish();
        }
        let mut histograms = self.histograms.into_iter();
        if let Some((_, primary)) = histograms.next() {
            cell.latency_us = Some(latency(&primary));
            cell.more_latency_us = histograms.map(|(name, h)| (name, latency(&h))).collect();
        }
        if let Some(i) = cell.interference.as_mut() {
            let loads: Vec<f64> = cell
                .samples
                .iter()
                .filter_map(crate::interference::sample_cores)
                .collect();
            i.foreign_cores_median = if loads.is_empty() {
                0.0
            } else {
                median(&loads)
            };
        }
        Some(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rtcompare_reports::Sample;

    fn cell(walls: &[f64], kind: WorkloadKind) -> Cell {
        let spec = crate::cell::CellSpec {
            runner: rtcompare_runners::find("seq").unwrap(),
            workload: rtcompare_workloads::find("cpu").unwrap(),
            threads: 1,
            preset: rtcompare_workloads::Preset::Tiny,
            warmup: 1,
            samples: walls.len(),
            network: crate::network::Network::default(),
            process: 0,
            threshold_cores: 0.1,
            max_retakes: 3,
        };
        let mut cell = spec.blank(Status::Ok, None);
        cell.workload_kind = kind;
        cell.verified = true;
        cell.samples = walls.iter().map(|&w| Sample::of_wall(w)).collect();
        cell
    }

    fn adaptive() -> Policy {
        Policy {
            fixed: None,
            min_samples: 6,
            max_samples: 20,
            per_process: 5,
            min_processes: 2,
            precision_cpu: 0.02,
            precision_other: 0.05,
            budget: Some(Duration::from_secs(60)),
            threshold_cores: 0.1,
            max_retakes: 5,
        }
    }

    const S: Duration = Duration::from_secs(1);

    #[test]
    fn a_stable_cell_stops_on_precision() {
        let p = adaptive();
        let stable: Vec<f64> = (0..10).map(|i| 0.100 + 0.0001 * f64::from(i)).collect();
        assert_eq!(
            p.stop(&cell(&stable, WorkloadKind::Cpu), 2, S, S, Some(10 * S)),
            Some(StopReason::Precision)
        );
        // Not before the minimum processes, even when precise.
        assert_eq!(
            p.stop(&cell(&stable, WorkloadKind::Cpu), 1, S, S, Some(10 * S)),
            None
        );
    }

    #[test]
    fn a_noisy_cell_stops_on_budget_or_max() {
        let p = adaptive();
        let noisy: Vec<f64> = (0..10)
            .map(|i| 0.1 * (1.0 + 0.3 * f64::from(i % 3)))
            .collect();
        let c = cell(&noisy, WorkloadKind::Cpu);
        assert!(half_width(&c).unwrap() > 0.02);
        assert_eq!(p.stop(&c, 2, 2 * S, S, Some(10 * S)), None);
        assert_eq!(
            p.stop(&c, 2, 9 * S, 2 * S, Some(10 * S)),
            Some(StopReason::Budget)
        );
        let twenty: Vec<f64> = (0..20)
            .map(|i| 0.1 * (1.0 + 0.3 * f64::from(i % 3)))
            .collect();
        assert_eq!(
            p.stop(&cell(&twenty, WorkloadKind::Cpu), 4, S, S, None),
            Some(StopReason::MaxSamples)
        );
    }

    #[test]
    fn io_cells_use_their_own_target_and_fixed_counts_ignore_precision() {
        let p = adaptive();
        // About ±3%: too wide for CPU work's 2%, within I/O's 5%.
        let walls: Vec<f64> = (0..10)
            .map(|i| 0.1 * (0.97 + 0.006 * f64::from(i)))
            .collect();
        assert_eq!(
            p.stop(&cell(&walls, WorkloadKind::Cpu), 2, S, S, None),
            None
        );
        assert_eq!(
            p.stop(&cell(&walls, WorkloadKind::Io), 2, S, S, None),
            Some(StopReason::Precision)
        );
        let fixed = Policy::fixed(3, 1);
        assert_eq!(
            fixed.stop(&cell(&walls[..2], WorkloadKind::Cpu), 1, S, S, None),
            None
        );
        assert_eq!(
            fixed.stop(&cell(&walls[..3], WorkloadKind::Cpu), 1, S, S, None),
            Some(StopReason::Fixed)
        );
        assert_eq!(Policy::fixed(10, 3).per_process, 4);
    }

    #[test]
    fn too_few_samples_have_no_half_width() {
        assert_eq!(half_width(&cell(&[0.1, 0.1, 0.1], WorkloadKind::Cpu)), None);
        let six = half_width(&cell(
            &[0.098, 0.099, 0.1, 0.1, 0.101, 0.103],
            WorkloadKind::Cpu,
        ))
        .unwrap();
        assert!((six - 0.03).abs() < 1e-9, "{six}");
    }

    #[test]
    fn merging_processes_keeps_every_sample_and_recomputes_medians() {
        let mut a = cell(&[0.1, 0.1], WorkloadKind::Io);
        a.samples[0].ops = Some(100);
        a.samples[1].ops = Some(100);
        a.metrics.insert("rss-per-task-bytes".into(), 512.0); // a probe value
        let mut b = cell(&[0.2, 0.2], WorkloadKind::Io);
        for s in &mut b.samples {
            s.ops = Some(100);
            s.process = 1;
        }
        let mut h = rtcompare_api::new_histogram();
        h.record(1_000).unwrap();
        let mut h2 = rtcompare_api::new_histogram();
        h2.record(9_000_000).unwrap();
        let mut merged = Merged::default();
        merged.add(CellReport {
            cell: a,
            histograms: vec![(
                "round-trip".into(),
                crate::histograms::histogram_buckets(&h),
            )],
            load: None,
        });
        merged.add(CellReport {
            cell: b,
            histograms: vec![(
                "round-trip".into(),
                crate::histograms::histogram_buckets(&h2),
            )],
            load: None,
        });
        let sampling = Sampling {
            processes: 2,
            stop: StopReason::Fixed,
            target: 0.0,
            half_width: None,
            budget_s: None,
            spent_s: 1.0,
        };
        let c = merged.finish(sampling).unwrap();
        assert_eq!(c.samples.len(), 4);
        assert_eq!(c.samples.iter().filter(|s| s.process == 1).count(), 2);
        // Throughput per sample: 1000/s and 500/s; median 750/s.
        assert_eq!(c.throughput_per_s, Some(750.0));
        let lat = c.latency_us.unwrap();
        assert_eq!(lat.count, 2);
        assert!(lat.max > 8_000.0, "{lat:?}");
        assert_eq!(c.metrics.get("rss-per-task-bytes"), Some(&512.0));
    }
}

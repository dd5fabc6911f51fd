//! Derives each cell's [`Summary`] from its samples and from the `seq` cell of the
//! same workload: median wall time and its bootstrap interval (scaled for
//! extrapolated cells), speedup over `seq`, efficiency (CPU-bound work only) and
//! CPU utilisation. [`Summarized`] is a results file whose summaries have been
//! derived, the one input every report renderer takes, so a report derives them
//! once however many formats it writes.

use crate::model::{Cell, Results, Status, Summary};
use crate::stats::{median, median_interval};
use rtcompare_api::WorkloadKind;

/// The runner every speedup is relative to.
pub const BASELINE_RUNNER: &str = "seq";

/// The coverage the median's interval aims at; fewer than 6 samples cannot reach
/// it, and then the interval is their range with its real, lower coverage.
pub const INTERVAL_CONFIDENCE: f64 = 0.95;

/// Fills `summary` for every cell that finished ([`Status::Ok`]) with at least one
/// sample, and clears it for every other cell: failed, timed out, or not
/// applicable ([`Status::NotApplicable`], which ran nothing; a `seq` that does not
/// apply is no baseline, so that workload has no speedups).
///
/// Speedup is `seq`'s median wall time on the same workload (its only ok cell,
/// whatever its thread count; the one with fewest threads if there are several)
/// divided by the cell's own; it and efficiency are `None` when that workload has
/// no ok `seq` cell. Efficiency is speedup ÷ min(threads, logical cores): the
/// share of the parallelism the machine can actually give the cell, so 4 threads
/// on 2 cores that run twice as fast as `seq` score 100%, and the oversubscription
/// is flagged apart (`oversubscribed`). It is only computed for CPU-bound
/// workloads: where tasks mostly wait, a speedup comes from overlapping the waits,
/// not from the threads. The median's interval is distribution-free (order
/// statistics), so the numbers do not depend on a seed or on the order cells ran in.
pub fn summarize(results: &mut Results) {
    let cores = results.machine.logical_cores.max(1);
    for cell in &mut results.cells {
        cell.summary = basic_summary(cell, cores);
    }
    let baselines: Vec<Option<f64>> = results
        .cells
        .iter()
        .map(|cell| baseline(&results.cells, &cell.workload))
        .collect();
    for (cell, seq_wall) in results.cells.iter_mut().zip(baselines) {
        let parallelism = cell.threads.clamp(1, cores) as f64;
        if let (Some(summary), Some(seq_wall)) = (cell.summary.as_mut(), seq_wall) {
            let speedup = seq_wall / summary.median_wall_s;
            summary.speedup_vs_seq = Some(speedup);
            summary.efficiency =
                (cell.workload_kind == WorkloadKind::Cpu).then_some(speedup / parallelism);
        }
    }
}

/// Results whose every cell's [`Summary`] was derived by [`summarize`] from its
/// samples, whatever the file stored (a file written before its run finished
/// renders the same as a complete one). Built only by [`Summarized::new`], so a
/// renderer that takes one never needs to summarize again; reads as the
/// [`Results`] it wraps.
#[derive(Debug, Clone, PartialEq)]
pub struct Summarized(Results);

impl Summarized {
    /// Derives the summaries of `results`.
    pub fn new(mut results: Results) -> Self {
        summarize(&mut results);
        Self(results)
    }

    /// The results with their summaries.
    pub fn results(&self) -> &Results {
        &self.0
    }

    /// The results with their summaries, to save or to extend.
    pub fn into_results(self) -> Results {
        self.0
    }
}

impl std::ops::Deref for Summarized {
    type Target = Results;
    fn deref(&self) -> &Results {
        &self.0
    }
}

/// Median, interval and utilisation of one cell; speedup and efficiency left empty.
fn basic_summary(cell: &Cell, cores: usize) -> Option<Summary> {
    if cell.status != Status::Ok || cell.samples.is_empty() {
        return None;
    }
    let scale = cell.scale();
    let walls: Vec<f64> = cell.samples.iter().map(|s| s.wall_s).collect();
    let cpus: Vec<f64> = cell.samples.iter().map(|s| s.user_s + s.sys_s).collect();
    let median_wall = median(&walls);
    let interval = median_interval(&walls, INTERVAL_CONFIDENCE)?;
    Some(Summary {
        median_wall_s: median_wall * scale,
        interval_wall_s: [interval.lo * scale, interval.hi * scale],
        interval_coverage: interval.coverage,
        samples: walls.len(),
        speedup_vs_seq: None,
        efficiency: None,
        oversubscribed: cell.threads > cores,
        cpu_utilisation: median(&cpus) / median_wall,
    })
}

/// The extrapolated median wall time of the `seq` cell of `workload`, if one
/// finished.
fn baseline(cells: &[Cell], workload: &str) -> Option<f64> {
    cells
        .iter()
        .filter(|c| c.workload == workload && c.runner == BASELINE_RUNNER)
        .filter_map(|c| Some((c.threads, c.summary.as_ref()?.median_wall_s)))
        .min_by_key(|&(threads, _)| threads)
        .map(|(_, wall)| wall)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Config, Extrapolation, Machine, Sample};
    use rtcompare_api::{Class, Family, WorkloadKind};
    use std::collections::BTreeMap;

    fn sample(wall_s: f64, cpu_s: f64) -> Sample {
        Sample {
            wall_s,
            user_s: cpu_s * 0.9,
            sys_s: cpu_s * 0.1,
            ctx_voluntary: 0,
            ctx_involuntary: 0,
            latency_p99_us: None,
            latency_max_us: None,
            metrics: BTreeMap::new(),
            ..Sample::of_wall(wall_s)
        }
    }

    fn cell(runner: &str, workload: &str, threads: usize, walls: &[f64]) -> Cell {
        Cell {
            runner: runner.into(),
            class: Class::ConcurrentParallel,
            family: Family::WorkStealing,
            workload: workload.into(),
            workload_kind: WorkloadKind::Cpu,
            threads,
            status: Status::Ok,
            error: None,
            checksum: Some("0x1".into()),
            expected_checksum: Some("0x1".into()),
            verified: true,
            params: serde_json::Value::Null,
            extrapolation: None,
            os_threads: Some(threads + 1),
            thread_names: BTreeMap::new(),
            warmup: vec![],
            samples: walls
                .iter()
                .map(|&w| sample(w, w * threads as f64))
                .collect(),
            peak_rss_bytes: None,
            latency_us: None,
            more_latency_us: BTreeMap::new(),
            throughput_per_s: None,
            metrics: BTreeMap::new(),
            notes: vec![],
            io_driver: None,
            interpreter: None,
            summary: None,
            interference: None,
            exit: None,
            load: None,
            sampling: None,
        }
    }

    fn results(cells: Vec<Cell>) -> Results {
        Results {
            schema_version: crate::SCHEMA_VERSION,
            tool_version: "0.0.0".into(),
            created: "2026-01-01T00:00:00Z".into(),
            partial: false,
            machine: Machine {
                cpu_model: "test".into(),
                logical_cores: 2,
                os: "test".into(),
                kernel: "test".into(),
                rustc: "test".into(),
                profile: "release".into(),
                crate_versions: BTreeMap::new(),
                features: vec![],
                env: BTreeMap::new(),
                git_commit: None,
                open_files_limit: None,
                interpreters: Default::default(),
            },
            config: Config {
                preset: "tiny".into(),
                threads: vec![2],
                samples: 3,
                warmup: 1,
                seed: 42,
                timeout_s: 10.0,
                runners: vec![],
                workloads: vec![],
                command: "rtcompare compare".into(),
                rate: None,
                network: None,
                sampling: None,
            },
            runners: vec![],
            workloads: vec![],
            cells,
            preflight: None,
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn speedup_efficiency_and_utilisation() {
        let mut r = results(vec![
            cell("seq", "cpu", 1, &[0.40, 0.41, 0.39]),
            cell("rayon", "cpu", 2, &[0.21, 0.20, 0.19]),
        ]);
        summarize(&mut r);
        let seq = r.cells[0].summary.as_ref().unwrap();
        assert!(close(seq.median_wall_s, 0.40));
        assert!(close(seq.speedup_vs_seq.unwrap(), 1.0));
        assert!(close(seq.efficiency.unwrap(), 1.0));
        assert!(close(seq.cpu_utilisation, 1.0));
        let rayon = r.cells[1].summary.as_ref().unwrap();
        assert!(close(rayon.median_wall_s, 0.20));
        assert!(close(rayon.speedup_vs_seq.unwrap(), 2.0));
        assert!(close(rayon.efficiency.unwrap(), 1.0));
        assert!(close(rayon.cpu_utilisation, 2.0));
        let [lo, hi] = rayon.interval_wall_s;
        assert!(lo <= 0.20 && 0.20 <= hi && lo >= 0.19 && hi <= 0.21);
    }

    #[test]
    fn extrapolated_seq_is_scaled() {
        let mut seq = cell("seq", "sleep", 1, &[0.101, 0.102, 0.100]);
        seq.extrapolation = Some(Extrapolation {
            factor: 10.0,
            note: "ran 10 of 100 tasks".into(),
        });
        let mut r = results(vec![seq, cell("tokio-ct", "sleep", 1, &[0.0101; 3])]);
        summarize(&mut r);
        let seq = r.cells[0].summary.as_ref().unwrap();
        assert!(close(seq.median_wall_s, 1.01));
        assert!(seq.interval_wall_s[0] >= 1.0 && seq.interval_wall_s[1] <= 1.02);
        // Utilisation is a ratio of unscaled times.
        assert!(close(seq.cpu_utilisation, 1.0));
        assert!(close(seq.speedup_vs_seq.unwrap(), 1.0));
        let ct = r.cells[1].summary.as_ref().unwrap();
        assert!(close(ct.speedup_vs_seq.unwrap(), 100.0));
        assert_eq!(ct.interval_wall_s, [0.0101, 0.0101]);
    }

    #[test]
    fn efficiency_only_for_cpu_bound_work() {
        let io = |runner: &str, threads: usize, walls: &[f64]| {
            let mut c = cell(runner, "sleep", threads, walls);
            c.workload_kind = WorkloadKind::Io;
            c
        };
        let mut mixed = cell("tokio-mt", "mixed", 2, &[0.1]);
        mixed.workload_kind = WorkloadKind::Mixed;
        let mut r = results(vec![
            io("seq", 1, &[1.0]),
            io("tokio-mt", 2, &[0.01]),
            cell("seq", "mixed", 1, &[0.4]),
            mixed,
        ]);
        r.cells[2].workload_kind = WorkloadKind::Mixed;
        summarize(&mut r);
        for c in &r.cells {
            let s = c.summary.as_ref().unwrap();
            assert!(s.speedup_vs_seq.is_some(), "{}", c.key());
            assert_eq!(s.efficiency, None, "{}", c.key());
        }
        assert!(close(
            r.cells[1].summary.as_ref().unwrap().speedup_vs_seq.unwrap(),
            100.0
        ));
    }

    #[test]
    fn no_seq_means_no_speedup() {
        let mut seq = cell("seq", "cpu", 1, &[0.4]);
        seq.status = Status::Failed;
        seq.error = Some("boom".into());
        let mut r = results(vec![
            seq,
            cell("rayon", "cpu", 2, &[0.2]),
            // A seq cell of another workload is not a baseline for this one.
            cell("seq", "other", 1, &[0.4]),
            cell("rayon", "missing", 2, &[0.2]),
        ]);
        summarize(&mut r);
        assert!(r.cells[0].summary.is_none());
        for i in [1, 3] {
            let s = r.cells[i].summary.as_ref().unwrap();
            assert!(close(s.median_wall_s, 0.2));
            assert_eq!(s.speedup_vs_seq, None);
            assert_eq!(s.efficiency, None);
        }
    }

    #[test]
    fn failed_timeout_and_empty_cells_get_no_summary() {
        let mut failed = cell("smol-mt", "cpu", 2, &[0.2]);
        failed.status = Status::Failed;
        failed.summary = Some(Summary {
            median_wall_s: 1.0,
            interval_wall_s: [1.0, 1.0],
            interval_coverage: 0.0,
            samples: 1,
            speedup_vs_seq: None,
            efficiency: None,
            oversubscribed: false,
            cpu_utilisation: 1.0,
        });
        let mut timeout = cell("tokio-mt", "cpu", 2, &[]);
        timeout.status = Status::Timeout;
        let mut r = results(vec![
            cell("seq", "cpu", 1, &[0.4]),
            failed,
            timeout,
            cell("rayon", "cpu", 2, &[]),
        ]);
        summarize(&mut r);
        assert!(r.cells[0].summary.is_some());
        assert!(r.cells[1..].iter().all(|c| c.summary.is_none()));
    }

    #[test]
    fn not_applicable_cells_get_no_summary_and_are_no_baseline() {
        let mut seq = cell("seq", "spawn", 1, &[0.4]);
        seq.status = Status::NotApplicable;
        seq.error = Some("seq spawns nothing".into());
        // Even with samples and a stale summary, a cell that does not apply gets none.
        seq.summary = Some(Summary {
            median_wall_s: 0.4,
            interval_wall_s: [0.4, 0.4],
            interval_coverage: 0.0,
            samples: 1,
            speedup_vs_seq: Some(1.0),
            efficiency: None,
            oversubscribed: false,
            cpu_utilisation: 1.0,
        });
        let mut r = results(vec![seq, cell("tokio-mt", "spawn", 2, &[0.02, 0.021])]);
        summarize(&mut r);
        assert!(r.cells[0].summary.is_none());
        let tokio = r.cells[1].summary.as_ref().unwrap();
        assert!(close(tokio.median_wall_s, 0.0205));
        assert_eq!(tokio.speedup_vs_seq, None);
    }

    #[test]
    fn independent_of_cell_order() {
        let cells = vec![
            cell("seq", "cpu", 1, &[0.40, 0.43, 0.39, 0.45, 0.41]),
            cell("rayon", "cpu", 2, &[0.21, 0.20, 0.19, 0.25, 0.22]),
        ];
        let mut a = results(cells.clone());
        let mut b = results(cells.into_iter().rev().collect());
        summarize(&mut a);
        summarize(&mut b);
        assert_eq!(a.cells[0].summary, b.cells[1].summary);
        assert_eq!(a.cells[1].summary, b.cells[0].summary);
    }

    #[test]
    fn efficiency_at_more_threads_than_cores_is_against_the_cores() {
        // 2 cores (the fixture's machine): 4 threads twice as fast as seq use the
        // whole machine, so their efficiency is 100%, and they are oversubscribed.
        let mut r = results(vec![
            cell("seq", "cpu", 1, &[0.40, 0.40, 0.40]),
            cell("tokio-mt", "cpu", 4, &[0.20, 0.20, 0.20]),
            cell("tokio-mt", "cpu", 2, &[0.20, 0.20, 0.20]),
        ]);
        assert_eq!(r.machine.logical_cores, 2);
        summarize(&mut r);
        let four = r.cells[1].summary.as_ref().unwrap();
        assert!(close(four.efficiency.unwrap(), 1.0), "{four:?}");
        assert!(four.oversubscribed);
        let two = r.cells[2].summary.as_ref().unwrap();
        assert!(close(two.efficiency.unwrap(), 1.0));
        assert!(!two.oversubscribed);
    }

    #[test]
    fn three_samples_give_their_range_at_75_percent() {
        let mut r = results(vec![cell("seq", "cpu", 1, &[0.40, 0.43, 0.39])]);
        summarize(&mut r);
        let s = r.cells[0].summary.as_ref().unwrap();
        assert_eq!(s.interval_wall_s, [0.39, 0.43]);
        assert!(close(s.interval_coverage, 0.75));
        assert!(!s.supports_claims());
        assert_eq!(s.samples, 3);
    }
}

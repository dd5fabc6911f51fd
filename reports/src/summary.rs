//! Derives each cell's [`Summary`] from its samples and from its baseline runner's
//! cell of the same workload: median wall time and its bootstrap interval (scaled
//! for extrapolated cells), speedup over the baseline, efficiency (CPU-bound work
//! only) and CPU utilisation. [`Summarized`] is a results file whose summaries have
//! been derived, the one input every report renderer takes, so a report derives
//! them once however many formats it writes.
//!
//! A runner's baseline is `seq` ([`BASELINE_RUNNER`]) unless the results file
//! names another for it (`runners[].baseline`, schema 7: the CPython runners take
//! theirs against `cpython-seq`, since they run the workloads at their own size).
//! The runners that share a baseline form a **comparison group**; only the `seq`
//! group is compared across runners ([`Summarized::seq_group`]), so a run with
//! other groups renders every cross-runner section exactly as the same run without
//! them would.

use crate::model::{Cell, Results, Status, Summary};
use crate::stats::{median, median_interval};
use rtcompare_api::WorkloadKind;

/// The runner speedups are relative to unless a runner names another
/// ([`baseline_of`]): the baseline of the Rust runners, whose group every
/// cross-runner section of the report compares.
pub const BASELINE_RUNNER: &str = "seq";

/// The coverage the median's interval aims at; fewer than 6 samples cannot reach
/// it, and then the interval is their range with its real, lower coverage.
pub const INTERVAL_CONFIDENCE: f64 = 0.95;

/// The runner whose median wall time `runner`'s speedups are taken against: the
/// one its description in `results` names (`runners[].baseline`), else
/// [`BASELINE_RUNNER`] (also for a runner the file does not describe).
pub fn baseline_of<'a>(results: &'a Results, runner: &str) -> &'a str {
    results
        .runners
        .iter()
        .find(|r| r.id == runner)
        .and_then(|r| r.baseline.as_deref())
        .unwrap_or(BASELINE_RUNNER)
}

/// Whether `runner` is in the `seq` group: its speedups are taken against
/// [`BASELINE_RUNNER`], so it may be compared with every other runner of the group.
pub fn in_seq_group(results: &Results, runner: &str) -> bool {
    baseline_of(results, runner) == BASELINE_RUNNER
}

/// Fills `summary` for every cell that finished ([`Status::Ok`]) with at least one
/// sample, and clears it for every other cell: failed, timed out, or not
/// applicable ([`Status::NotApplicable`], which ran nothing; a baseline that does
/// not apply is no baseline, so that workload has no speedups in its group).
///
/// Speedup is the median wall time of the cell's baseline runner ([`baseline_of`]:
/// `seq` unless the file names another) on the same workload (its only ok cell,
/// whatever its thread count; the one with fewest threads if there are several)
/// divided by the cell's own; it and efficiency are `None` when that workload has
/// no ok cell of that baseline. The field keeps its name, `speedup_vs_seq`, for the
/// schema's sake. Efficiency is speedup ÷ min(threads, logical cores): the
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
        .map(|cell| {
            let runner = baseline_of(results, &cell.runner);
            baseline(&results.cells, &cell.workload, runner)
        })
        .collect();
    for (cell, base_wall) in results.cells.iter_mut().zip(baselines) {
        let parallelism = cell.threads.clamp(1, cores) as f64;
        if let (Some(summary), Some(base_wall)) = (cell.summary.as_mut(), base_wall) {
            let speedup = base_wall / summary.median_wall_s;
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
/// [`Results`] it wraps, every cell included.
#[derive(Debug, Clone, PartialEq)]
pub struct Summarized {
    results: Results,
    /// The `seq` group alone, when the run has runners of another group.
    seq_group: Option<Results>,
}

impl Summarized {
    /// Derives the summaries of `results`, and splits off its `seq` group.
    pub fn new(mut results: Results) -> Self {
        summarize(&mut results);
        let seq_group = seq_group(&results);
        Self { results, seq_group }
    }

    /// The results with their summaries.
    pub fn results(&self) -> &Results {
        &self.results
    }

    /// The `seq` group: the results with only the runners whose speedups are taken
    /// against `seq` (their descriptions, their cells and their place in
    /// `config.runners`), everything else as it is. The same as [`Self::results`]
    /// when every runner is in that group. Every section, chart and verdict that
    /// compares runners reads this, never the runners of another group.
    pub fn seq_group(&self) -> &Results {
        self.seq_group.as_ref().unwrap_or(&self.results)
    }

    /// Whether the run has runners outside the `seq` group.
    pub fn has_other_groups(&self) -> bool {
        self.seq_group.is_some()
    }

    /// The results with their summaries, to save or to extend.
    pub fn into_results(self) -> Results {
        self.results
    }
}

impl std::ops::Deref for Summarized {
    type Target = Results;
    fn deref(&self) -> &Results {
        &self.results
    }
}

/// `results` without the runners of any group but `seq`'s, or `None` when it has
/// none: one split, made once, so no section filters runners of its own.
fn seq_group(results: &Results) -> Option<Results> {
    let others = results
        .cells
        .iter()
        .map(|c| c.runner.as_str())
        .chain(results.runners.iter().map(|r| r.id.as_str()))
        .any(|r| !in_seq_group(results, r));
    if !others {
        return None;
    }
    let mut group = results.clone();
    group.cells.retain(|c| in_seq_group(results, &c.runner));
    group.runners.retain(|r| in_seq_group(results, &r.id));
    group.config.runners.retain(|r| in_seq_group(results, r));
    Some(group)
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

/// The extrapolated median wall time of the `runner` cell of `workload` (the
/// baseline of some group), if one finished.
fn baseline(cells: &[Cell], workload: &str, runner: &str) -> Option<f64> {
    cells
        .iter()
        .filter(|c| c.workload == workload && c.runner == runner)
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

    fn runner(id: &str, baseline: Option<&str>) -> crate::model::RunnerMeta {
        crate::model::RunnerMeta {
            id: id.into(),
            class: Class::Sequential,
            family: Family::SingleQueue,
            threads_knob: "one".into(),
            summary: String::new(),
            timer: String::new(),
            channel: String::new(),
            net: String::new(),
            offload: String::new(),
            caveats: vec![],
            baseline: baseline.map(str::to_owned),
            origin: None,
        }
    }

    /// A run of `seq` and `rayon`, and of an interpreter's own sequential runner
    /// and threads, whose speedups are against the former.
    fn two_groups() -> Results {
        let mut r = results(vec![
            cell("seq", "cpu", 1, &[0.40, 0.40, 0.40]),
            cell("rayon", "cpu", 2, &[0.20, 0.20, 0.20]),
            cell("py-seq", "cpu", 1, &[0.30, 0.30, 0.30]),
            cell("py-threads", "cpu", 2, &[0.32, 0.32, 0.32]),
        ]);
        r.runners = vec![
            runner("seq", None),
            runner("rayon", None),
            runner("py-seq", Some("py-seq")),
            runner("py-threads", Some("py-seq")),
        ];
        r.config.runners = r.runners.iter().map(|m| m.id.clone()).collect();
        r
    }

    #[test]
    fn a_runner_that_names_a_baseline_is_timed_against_it() {
        let mut r = two_groups();
        assert_eq!(baseline_of(&r, "rayon"), BASELINE_RUNNER);
        assert_eq!(baseline_of(&r, "py-threads"), "py-seq");
        assert_eq!(baseline_of(&r, "not-described"), BASELINE_RUNNER);
        summarize(&mut r);
        let speedup = |i: usize| r.cells[i].summary.as_ref().unwrap().speedup_vs_seq.unwrap();
        let efficiency = |i: usize| r.cells[i].summary.as_ref().unwrap().efficiency.unwrap();
        assert!(close(speedup(1), 2.0));
        // Against py-seq's 0.30 s, never seq's 0.40 s.
        assert!(close(speedup(2), 1.0));
        assert!(close(speedup(3), 0.30 / 0.32));
        assert!(close(efficiency(3), 0.30 / 0.32 / 2.0));
        // Without its own baseline's cell, no speedup, even with seq's there.
        let mut r = two_groups();
        r.cells.remove(2);
        summarize(&mut r);
        assert_eq!(r.cells[2].summary.as_ref().unwrap().speedup_vs_seq, None);
    }

    #[test]
    fn the_seq_group_leaves_out_the_runners_of_other_groups() {
        let s = Summarized::new(two_groups());
        assert!(s.has_other_groups());
        assert_eq!(s.results().cells.len(), 4);
        let group = s.seq_group();
        let runners: Vec<&str> = group.cells.iter().map(|c| c.runner.as_str()).collect();
        assert_eq!(runners, ["seq", "rayon"]);
        assert_eq!(group.config.runners, ["seq", "rayon"]);
        let described: Vec<&str> = group.runners.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(described, ["seq", "rayon"]);
        // The cells it keeps are the summarised ones.
        assert_eq!(group.cells[1], s.results().cells[1]);
        // With one group, it is the results themselves.
        let mut one = two_groups();
        one.cells.truncate(2);
        one.runners.truncate(2);
        let s = Summarized::new(one);
        assert!(!s.has_other_groups());
        assert!(std::ptr::eq(s.seq_group(), s.results()));
        // A described runner of another group with no cells still makes a group.
        let mut described = two_groups();
        described.cells.truncate(2);
        assert!(Summarized::new(described).has_other_groups());
    }
}

//! Baselines made from repeated runs of one plan: merging results files into one
//! [`Baseline`] whose cells hold every run's samples, and whose [`Repeats`] record
//! what each cell measured in each run, so a check knows each cell's run-to-run
//! noise. Pure: the CLI reads and writes the files.
//!
//! A run is added with [`add_run`]; [`from_runs`] starts a baseline from its first
//! run and adds the others. Runs must come from the same plan on the same machine
//! ([`plan_differences`]): a noise floor across different plans or machines would
//! measure the difference, not the noise.
//!
//! ```
//! use rtcompare_reports::baseline::{from_runs, MIN_RUNS};
//! # let run = rtcompare_reports::parse(std::path::Path::new("r.json"),
//! #     include_str!("../tests/fixtures/results.json")).unwrap();
//! let runs: Vec<(String, _)> = (0..MIN_RUNS).map(|i| (format!("run{i}.json"), run.clone())).collect();
//! let baseline = from_runs(&runs).unwrap();
//! assert_eq!(baseline.repeats.unwrap().runs.len(), 3);
//! ```

use crate::fingerprint::machine_differences;
use crate::metric::Metric;
use crate::model::{
    Baseline, Cell, CellRepeats, Interference, RepeatRun, Repeats, Results, Sampling, Status,
};
use crate::stats::{median, relative_iqr};

/// Fewest runs a baseline is made from by default: the fewest from which an
/// interquartile range of the per-run values says anything.
pub const MIN_RUNS: usize = 3;

/// How two runs' plans differ, one line per field: the machine fingerprint (as
/// [`machine_differences`] compares it) and the configuration that decides what
/// each cell measures (preset, threads, samples, warm-up, runners, workloads,
/// rate, sampling rule). Seed, date, command line and the number of processes
/// per cell may differ. Empty when the runs can make one baseline.
pub fn plan_differences(a: &Results, b: &Results) -> Vec<String> {
    let mut out = machine_differences(a, b);
    let (x, y) = (&a.config, &b.config);
    let mut diff = |field: &str, p: String, q: String| {
        if p != q {
            out.push(format!("config.{field}: {p} -> {q}"));
        }
    };
    diff("samples", x.samples.to_string(), y.samples.to_string());
    diff("warmup", x.warmup.to_string(), y.warmup.to_string());
    diff("runners", x.runners.join(","), y.runners.join(","));
    diff("workloads", x.workloads.join(","), y.workloads.join(","));
    diff("rate", format!("{:?}", x.rate), format!("{:?}", y.rate));
    // How many processes take a cell's samples may differ: a check's run (2
    // processes per cell) joins a baseline of 3-process runs. Its per-run medians are
    // a little noisier, which widens the floor towards what a check sees.
    let rule = |s: &Option<crate::model::SamplingConfig>| {
        s.clone().map(|s| crate::model::SamplingConfig {
            min_processes: 0,
            samples_per_process: 0,
            ..s
        })
    };
    diff(
        "sampling",
        format!("{:?}", rule(&x.sampling)),
        format!("{:?}", rule(&y.sampling)),
    );
    out
}

/// A baseline of `runs` (each with the name of the file it came from), in order.
/// Errors, naming the two files and how they differ, when a run's plan differs
/// from the first's, and when a run is partial. Needs at least one run; the CLI
/// asks for [`MIN_RUNS`].
pub fn from_runs(runs: &[(String, Results)]) -> Result<Baseline, String> {
    let ((first_name, first), rest) = runs.split_first().ok_or("no runs given")?;
    if first.partial {
        return Err(format!("{first_name} is partial (an interrupted run)"));
    }
    let mut baseline = Baseline {
        results: first.clone(),
        repeats: None,
    };
    start_repeats(&mut baseline, first_name);
    for (name, run) in rest {
        add_run_named(&mut baseline, first_name, name, run)?;
    }
    Ok(baseline)
}

/// Adds one more run (from the file `name`) to `baseline`: its samples join each
/// cell's (its processes numbered after the ones already there), its values are
/// recorded, and every spread is derived again. A baseline without repeats (a
/// single run saved as is) becomes the first run, named `baseline_name`. Errors
/// as [`from_runs`] does.
pub fn add_run(
    baseline: &mut Baseline,
    baseline_name: &str,
    name: &str,
    run: &Results,
) -> Result<(), String> {
    if baseline.repeats.is_none() {
        start_repeats(baseline, baseline_name);
    }
    add_run_named(baseline, baseline_name, name, run)
}

fn add_run_named(
    baseline: &mut Baseline,
    baseline_name: &str,
    name: &str,
    run: &Results,
) -> Result<(), String> {
    if run.partial {
        return Err(format!("{name} is partial (an interrupted run)"));
    }
    let differences = plan_differences(&baseline.results, run);
    if !differences.is_empty() {
        return Err(format!(
            "{name} and {baseline_name} are runs of different plans or machines ({}); a \
             baseline's runs must repeat one plan on one machine",
            differences.join("; ")
        ));
    }
    let repeats = baseline.repeats.get_or_insert_with(Repeats::default);
    repeats.runs.push(repeat_run(name, run));
    let n_runs = repeats.runs.len();
    for cell in &run.cells {
        let key = cell.key();
        let entry = repeats.cells.entry(key.clone()).or_default();
        pad(entry, n_runs - 1);
        push_values(entry, cell);
        match baseline.results.cells.iter_mut().find(|c| c.key() == key) {
            Some(merged) => merge_into(merged, cell),
            None => baseline.results.cells.push(cell.clone()),
        }
    }
    for entry in repeats.cells.values_mut() {
        pad(entry, n_runs);
        entry.spread = spreads(entry);
    }
    crate::summary::summarize(&mut baseline.results);
    Ok(())
}

/// Makes `baseline`'s own cells the first run of its repeats.
fn start_repeats(baseline: &mut Baseline, name: &str) {
    let mut repeats = Repeats {
        runs: vec![repeat_run(name, &baseline.results)],
        ..Repeats::default()
    };
    for cell in &baseline.results.cells {
        let entry = repeats.cells.entry(cell.key()).or_default();
        push_values(entry, cell);
        entry.spread = spreads(entry);
    }
    baseline.repeats = Some(repeats);
}

fn repeat_run(name: &str, run: &Results) -> RepeatRun {
    RepeatRun {
        source: name.to_owned(),
        created: run.created.clone(),
        seed: run.config.seed,
        git_commit: run.machine.git_commit.clone(),
    }
}

/// Fills `entry`'s vectors with "no value" up to `n` runs.
fn pad(entry: &mut CellRepeats, n: usize) {
    for v in [
        &mut entry.median_wall_s,
        &mut entry.throughput_per_s,
        &mut entry.latency_p99_us,
        &mut entry.peak_rss_bytes,
    ] {
        v.resize(n, None);
    }
    entry.disturbed.resize(n, false);
}

/// Records one run's values of `cell`.
fn push_values(entry: &mut CellRepeats, cell: &Cell) {
    let values = RunValues::of(cell);
    entry.median_wall_s.push(values.median_wall_s);
    entry.throughput_per_s.push(values.throughput_per_s);
    entry.latency_p99_us.push(values.latency_p99_us);
    entry.peak_rss_bytes.push(values.peak_rss_bytes);
    entry.disturbed.push(cell.disturbed());
}

/// What one run measured of one cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunValues {
    /// Median wall of the undisturbed samples, scaled.
    pub median_wall_s: Option<f64>,
    /// Median of `ops / wall_s` over the undisturbed samples, when all count ops.
    pub throughput_per_s: Option<f64>,
    /// Merged latency p99, µs.
    pub latency_p99_us: Option<f64>,
    /// Peak RSS, bytes: the median over the run's processes of each one's peak.
    pub peak_rss_bytes: Option<f64>,
}

impl RunValues {
    /// The values of a cell as one run measured it (all `None` unless `ok`).
    pub fn of(cell: &Cell) -> RunValues {
        if cell.status != Status::Ok {
            return RunValues {
                median_wall_s: None,
                throughput_per_s: None,
                latency_p99_us: None,
                peak_rss_bytes: None,
            };
        }
        let clean: Vec<_> = cell.samples.iter().filter(|s| !s.disturbed).collect();
        let walls: Vec<f64> = clean.iter().map(|s| s.wall_s * cell.scale()).collect();
        let rates: Option<Vec<f64>> = clean
            .iter()
            .map(|s| {
                s.ops
                    .filter(|_| s.wall_s > 0.0)
                    .map(|o| o as f64 / s.wall_s)
            })
            .collect();
        let finite = |x: f64| (x.is_finite() && x > 0.0).then_some(x);
        RunValues {
            median_wall_s: finite(median(&walls)),
            throughput_per_s: rates
                .filter(|r| !r.is_empty())
                .and_then(|r| finite(median(&r))),
            latency_p99_us: cell.latency_us.map(|l| l.p99).and_then(finite),
            peak_rss_bytes: Some(median(&cell.process_peaks_rss_bytes())).and_then(finite),
        }
    }
}

/// The values of `metric` in `entry` from the runs where the cell was not
/// disturbed.
pub fn clean_values(entry: &CellRepeats, metric: Metric) -> Vec<f64> {
    let values = match metric {
        Metric::MedianWall => &entry.median_wall_s,
        Metric::Throughput => &entry.throughput_per_s,
        Metric::LatencyP99 => &entry.latency_p99_us,
        Metric::PeakRss => &entry.peak_rss_bytes,
    };
    values
        .iter()
        .zip(entry.disturbed.iter().chain(std::iter::repeat(&false)))
        .filter(|(_, disturbed)| !**disturbed)
        .filter_map(|(v, _)| *v)
        .collect()
}

/// The relative interquartile range of each metric's undisturbed per-run values,
/// for the metrics with at least [`MIN_RUNS`] of them.
fn spreads(entry: &CellRepeats) -> std::collections::BTreeMap<String, f64> {
    [
        Metric::MedianWall,
        Metric::Throughput,
        Metric::LatencyP99,
        Metric::PeakRss,
    ]
    .into_iter()
    .filter_map(|m| {
        let values = clean_values(entry, m);
        let spread = relative_iqr(&values);
        (values.len() >= MIN_RUNS && spread.is_finite()).then(|| (m.name().to_owned(), spread))
    })
    .collect()
}

/// Joins `other` (the same cell in a later run) into `merged`: its samples, with
/// process numbers after `merged`'s, and its interference and sampling records. A
/// cell that did not finish in one run keeps the other run's cell.
fn merge_into(merged: &mut Cell, other: &Cell) {
    if other.status != Status::Ok {
        return;
    }
    if merged.status != Status::Ok {
        *merged = other.clone();
        return;
    }
    let offset = merged
        .samples
        .iter()
        .chain(&merged.warmup)
        .map(|s| s.process + 1)
        .max()
        .unwrap_or(0);
    let shifted = |s: &crate::model::Sample| {
        let mut s = s.clone();
        s.process += offset;
        s
    };
    merged.samples.extend(other.samples.iter().map(shifted));
    merged.warmup.extend(other.warmup.iter().map(shifted));
    merged.verified &= other.verified;
    merged.interference = match (merged.interference.take(), &other.interference) {
        (Some(a), Some(b)) => Some(Interference {
            retaken: a.retaken + b.retaken,
            disturbed_samples: a.disturbed_samples + b.disturbed_samples,
            foreign_cores_max: a.foreign_cores_max.max(b.foreign_cores_max),
            foreign_cores_median: a.foreign_cores_median.max(b.foreign_cores_median),
            steal_cores_max: a.steal_cores_max.max(b.steal_cores_max),
            discarded_foreign_cores: [a.discarded_foreign_cores, b.discarded_foreign_cores.clone()]
                .concat(),
        }),
        (a, b) => a.or_else(|| b.clone()),
    };
    merged.sampling = match (merged.sampling.take(), &other.sampling) {
        (Some(a), Some(b)) => Some(Sampling {
            processes: a.processes + b.processes,
            spent_s: a.spent_s + b.spent_s,
            half_width: None,
            ..a
        }),
        (a, b) => a.or_else(|| b.clone()),
    };
}

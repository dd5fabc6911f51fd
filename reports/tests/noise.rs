//! The regression check's knowledge of each cell's noise, on recorded data: noise
//! floors from a baseline's repeated runs, the "too noisy" verdict, the
//! hierarchical test across processes, derived metrics that never outrun their
//! base, disturbed cells, and drift. Runs are the fixture results file with 10
//! jittered samples per cell (±1%), as in `regression.rs`.

use rtcompare_reports::baseline::{add_run, from_runs, plan_differences};
use rtcompare_reports::regression::{
    CheckOptions, Method, Metric, Verdict, check, check_baseline, render_markdown,
};
use rtcompare_reports::stats::Rng;
use rtcompare_reports::summary::summarize;
use rtcompare_reports::{Baseline, Cell, Interference, Results, load, load_baseline};
use std::path::Path;

const NOISY: &str = "tokio-mt/cpu/t2";
const QUIET: &str = "rayon/cpu/t2";

fn fixture() -> Results {
    load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/results.json"))
        .expect("fixture loads")
}

fn unit(rng: &mut Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// The fixture with `per_process` samples from each of `processes` processes per
/// finished cell, jittered ±1%, derived from `seed`.
fn run_shaped(seed: u64, processes: usize, per_process: usize) -> Results {
    let mut results = fixture();
    results.config.seed = seed;
    for cell in results.cells.iter_mut().filter(|c| !c.samples.is_empty()) {
        let key_hash = cell.key().bytes().fold(seed, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
        let mut rng = Rng::new(key_hash);
        let recorded = cell.samples.clone();
        cell.samples = (0..processes * per_process)
            .map(|k| {
                let mut s = recorded[k % recorded.len()].clone();
                let jitter = 1.0 + (unit(&mut rng) - 0.5) * 0.02;
                s.wall_s *= jitter;
                s.process = k / per_process;
                s
            })
            .collect();
    }
    summarize(&mut results);
    results
}

fn run(seed: u64) -> Results {
    run_shaped(seed, 1, 10)
}

fn cell_mut<'a>(results: &'a mut Results, key: &str) -> &'a mut Cell {
    results
        .cells
        .iter_mut()
        .find(|c| c.key() == key)
        .unwrap_or_else(|| panic!("no cell {key}"))
}

/// `results` with every wall time of `key` multiplied by `factor`.
fn scaled(mut results: Results, key: &str, factor: f64) -> Results {
    for s in &mut cell_mut(&mut results, key).samples {
        s.wall_s *= factor;
    }
    results
}

/// A baseline of 3 runs in which `NOISY`'s median moved ±30% (0.7, 1.0, 1.3 of
/// its typical time) and every other cell by its ±1% jitter only.
fn noisy_baseline() -> Baseline {
    let runs: Vec<(String, Results)> = [(1, 0.7), (2, 1.0), (3, 1.3)]
        .into_iter()
        .map(|(seed, factor)| (format!("run{seed}.json"), scaled(run(seed), NOISY, factor)))
        .collect();
    from_runs(&runs).expect("one plan")
}

fn find<'a>(
    check: &'a rtcompare_reports::regression::Check,
    cell: &str,
    metric: Metric,
) -> &'a rtcompare_reports::regression::Finding {
    check
        .findings
        .iter()
        .find(|f| f.cell == cell && f.metric == metric)
        .unwrap_or_else(|| panic!("no finding {cell} {metric}"))
}

#[test]
fn a_baseline_of_three_runs_records_each_cells_spread() {
    let baseline = noisy_baseline();
    let repeats = baseline.repeats.as_ref().unwrap();
    assert_eq!(repeats.runs.len(), 3);
    assert_eq!(repeats.runs[2].source, "run3.json");
    let noisy = &repeats.cells[NOISY];
    assert_eq!(noisy.median_wall_s.len(), 3);
    let spread = noisy.spread["median-wall"];
    assert!((spread - 0.30).abs() < 0.02, "{spread}");
    assert!(repeats.cells[QUIET].spread["median-wall"] < 0.02);
    // Every run's samples, each run's process numbered after the last.
    let cell = baseline
        .results
        .cells
        .iter()
        .find(|c| c.key() == NOISY)
        .unwrap();
    assert_eq!(cell.samples.len(), 30);
    let processes: std::collections::BTreeSet<usize> =
        cell.samples.iter().map(|s| s.process).collect();
    assert_eq!(processes.into_iter().collect::<Vec<_>>(), [0, 1, 2]);
}

#[test]
fn a_cell_whose_runs_spread_30_percent_is_not_flagged_at_20_but_is_at_60() {
    let baseline = noisy_baseline();
    let options = CheckOptions::against_baseline();

    let at_20 = check_baseline(&baseline, &scaled(run(9), NOISY, 1.2), &options);
    let f = find(&at_20, NOISY, Metric::MedianWall);
    assert_ne!(f.verdict, Verdict::Regression, "{f:#?}");
    assert_eq!(f.verdict, Verdict::TooNoisy);
    let floor = f.floor.unwrap();
    assert!((floor - 0.45).abs() < 0.03, "1.5 × 30%: {floor}");
    assert_eq!(f.runs, 3);
    assert_eq!(f.band, floor);
    assert!(f.detectable.unwrap() > floor);
    assert!(!at_20.has_regression(), "{:#?}", at_20.findings[0]);

    let at_60 = check_baseline(&baseline, &scaled(run(9), NOISY, 1.6), &options);
    let f = find(&at_60, NOISY, Metric::MedianWall);
    assert_eq!(f.verdict, Verdict::Regression, "{f:#?}");
    assert_eq!(at_60.flagged_cells(), [NOISY]);

    // The floor is the cell's own: a quiet cell of the same baseline is caught at +20%.
    let quiet = check_baseline(&baseline, &scaled(run(9), QUIET, 1.2), &options);
    let f = find(&quiet, QUIET, Metric::MedianWall);
    assert_eq!(f.verdict, Verdict::Regression);
    assert_eq!(f.band, 0.10, "its floor is below the band");
    assert_eq!(quiet.flagged_cells(), [QUIET]);
}

#[test]
fn too_noisy_is_said_where_the_floor_exceeds_the_band_and_nowhere_else() {
    let baseline = noisy_baseline();
    let check = check_baseline(&baseline, &run(9), &CheckOptions::against_baseline());
    let noisy: Vec<&str> = check
        .findings
        .iter()
        .filter(|f| f.verdict == Verdict::TooNoisy)
        .map(|f| f.cell.as_str())
        .collect();
    assert_eq!(noisy, [NOISY]);
    assert!(!check.has_regression());
    let md = render_markdown(&check, "base.json", "now.json");
    let row = md
        .lines()
        .find(|l| l.starts_with(&format!("| {NOISY} ")) && l.contains("median-wall"))
        .unwrap();
    assert!(row.contains("too noisy to detect ±10% here"), "{row}");
    assert!(row.contains("(floor, 3 runs)"), "{row}");
    assert!(
        check.summary_line().contains(", 1 too noisy ("),
        "{}",
        check.summary_line()
    );
    // Asked for a band wider than the floor, the same cell is simply unchanged.
    let wide = CheckOptions {
        noise: 0.5,
        ..CheckOptions::against_baseline()
    };
    let check = check_baseline(&baseline, &run(9), &wide);
    assert_eq!(
        find(&check, NOISY, Metric::MedianWall).verdict,
        Verdict::NoChange
    );
    assert_eq!(check.count(Verdict::TooNoisy), 0);
}

#[test]
fn independent_runs_against_a_three_run_baseline_raise_no_alarm() {
    let baseline = noisy_baseline();
    for seed in 10..20 {
        let now = scaled(run(seed), NOISY, [0.75, 1.0, 1.25][seed as usize % 3]);
        let check = check_baseline(&baseline, &now, &CheckOptions::against_baseline());
        let changed: Vec<_> = check
            .findings
            .iter()
            .filter(|f| matches!(f.verdict, Verdict::Regression | Verdict::Improvement))
            .collect();
        assert!(changed.is_empty(), "seed {seed}: {changed:#?}");
    }
}

/// Cell `key` with `ops` operations in sample `i` (`ops(i)`), and a single
/// throughput value `single`.
fn with_ops(mut results: Results, key: &str, ops: impl Fn(usize) -> u64, single: f64) -> Results {
    let cell = cell_mut(&mut results, key);
    for (i, s) in cell.samples.iter_mut().enumerate() {
        s.ops = Some(ops(i));
    }
    cell.throughput_per_s = Some(single);
    results
}

#[test]
fn a_derived_metric_never_yields_a_finding_its_base_metrics_test_rejects() {
    let options = CheckOptions::against_baseline();
    let base = with_ops(run(1), NOISY, |_| 1000, 4000.0);
    // Fixed work: the same operations in every sample, so throughput is a function
    // of wall time alone. Whatever its single value says, and whatever the walls
    // do, it is never a finding of its own.
    for (wall, single) in [
        (1.0, 3400.0),
        (1.03, 3880.0),
        (1.15, 3480.0),
        (0.85, 4700.0),
    ] {
        let now = with_ops(scaled(run(2), NOISY, wall), NOISY, |_| 1000, single);
        let check = check(&base, &now, &options);
        assert!(
            !check
                .findings
                .iter()
                .any(|f| f.metric == Metric::Throughput),
            "wall ×{wall}: {:#?}",
            check.findings
        );
        let wall_verdict = find(&check, NOISY, Metric::MedianWall).verdict;
        assert_eq!(
            wall_verdict == Verdict::NoChange,
            wall < 1.1 && wall > 0.9,
            "×{wall}"
        );
        assert!(
            check
                .notes
                .iter()
                .any(|n| n.contains("judged by its median wall time"))
        );
    }

    // Fixed time: operations vary per sample and the walls hold still, so
    // throughput is tested per sample, like wall time, with its own p and interval.
    let varied = |scale: f64| move |i: usize| ((1000 + (i as u64 * 7) % 13) as f64 * scale) as u64;
    let base = with_ops(run(1), NOISY, varied(1.0), 4000.0);
    // The single value claims −15%, the samples did not move: no change.
    let same = with_ops(run(2), NOISY, varied(1.0), 3400.0);
    let check = rtcompare_reports::regression::check(&base, &same, &options);
    let f = find(&check, NOISY, Metric::Throughput);
    assert_eq!(f.verdict, Verdict::NoChange, "{f:#?}");
    assert!(f.p.is_some() && f.ci95.is_some());
    // 15% fewer operations in every sample: a regression, on its own test.
    let fewer = with_ops(run(2), NOISY, varied(0.85), 4000.0);
    let check = rtcompare_reports::regression::check(&base, &fewer, &options);
    let f = find(&check, NOISY, Metric::Throughput);
    assert_eq!(f.verdict, Verdict::Regression, "{f:#?}");
    assert!(f.p_adjusted.unwrap() < options.alpha);
    assert!(f.ci95.unwrap()[1] < 0.9);
    // Every throughput change stands on its own significant test.
    for f in check
        .findings
        .iter()
        .filter(|f| f.metric == Metric::Throughput)
    {
        if f.verdict != Verdict::NoChange {
            assert!(f.p_adjusted.unwrap() < options.alpha);
        }
    }
}

#[test]
fn samples_from_several_processes_are_tested_hierarchically() {
    // 4 processes of 5 samples; each process sits at its own level (±8%).
    let shaped = |seed: u64, factor: f64| {
        let mut r = run_shaped(seed, 4, 5);
        let levels = [0.92, 1.0, 1.08, 0.96];
        let c = cell_mut(&mut r, NOISY);
        for s in &mut c.samples {
            s.wall_s *= levels[(s.process + seed as usize) % 4] * factor;
        }
        r
    };
    let base = shaped(1, 1.0);
    let options = CheckOptions::against_baseline();
    let same = check(&base, &shaped(2, 1.0), &options);
    let f = find(&same, NOISY, Metric::MedianWall);
    let spread = f.spread.as_ref().unwrap();
    assert_eq!(spread.method, Method::Processes);
    assert_eq!(spread.processes, [4, 4]);
    assert_eq!(spread.samples, [20, 20]);
    let between = spread.between_process[0].unwrap();
    let within = spread.within_process[0].unwrap();
    assert!(
        between > 0.04 && within < 0.03,
        "between {between}, within {within}"
    );
    assert_eq!(f.verdict, Verdict::NoChange);
    // A hierarchical interval is wider than one treating the 20 samples as
    // independent: it carries the spread between processes.
    let [lo, hi] = f.ci95.unwrap();
    assert!(hi - lo > 0.05, "[{lo}, {hi}]");
    let md = render_markdown(&same, "a", "b");
    assert!(md.contains("hierarchical bootstrap"));

    let slower = check(&base, &shaped(2, 1.4), &options);
    let f = find(&slower, NOISY, Metric::MedianWall);
    assert_eq!(f.verdict, Verdict::Regression, "{f:#?}");
    assert!(f.p_adjusted.unwrap() < 0.05);
}

fn disturb(results: &mut Results, key: &str, samples: usize) {
    let cell = cell_mut(results, key);
    for s in cell.samples.iter_mut().take(samples) {
        s.disturbed = true;
        s.wall_s *= 2.0;
    }
    cell.interference = Some(Interference {
        disturbed_samples: samples,
        foreign_cores_max: 0.9,
        ..Interference::default()
    });
}

#[test]
fn disturbed_cells_are_listed_not_judged() {
    let base = run(1);
    let mut now = scaled(run(2), NOISY, 1.5);
    disturb(&mut now, NOISY, 3);
    let check = check(&base, &now, &CheckOptions::against_baseline());
    assert!(!check.has_regression(), "{:#?}", check.findings[0]);
    assert!(!check.findings.iter().any(|f| f.cell == NOISY));
    assert_eq!(
        check.disturbed,
        [(
            NOISY.to_owned(),
            "disturbed in the results (3 samples stayed disturbed after re-takes)".to_owned()
        )]
    );
    assert!(
        check.summary_line().ends_with(", 1 disturbed)."),
        "{}",
        check.summary_line()
    );
    let md = render_markdown(&check, "a", "b");
    assert!(
        md.contains("## Disturbed, not judged\n\n- `tokio-mt/cpu/t2`: disturbed in the results")
    );

    // The same in a single-run baseline.
    let mut base = run(1);
    disturb(&mut base, QUIET, 1);
    let check =
        rtcompare_reports::regression::check(&base, &run(2), &CheckOptions::against_baseline());
    assert!(
        check
            .disturbed
            .iter()
            .any(|(k, why)| k == QUIET && why.contains("in the baseline"))
    );

    // A baseline of repeated runs disturbed in one of them is judged on the others'
    // undisturbed samples; its disturbed samples stay out of the test.
    let mut second = run(2);
    disturb(&mut second, QUIET, 4);
    let runs = vec![
        ("a.json".to_owned(), run(1)),
        ("b.json".to_owned(), second),
        ("c.json".to_owned(), run(3)),
    ];
    let baseline = from_runs(&runs).unwrap();
    assert_eq!(
        baseline.repeats.as_ref().unwrap().cells[QUIET].disturbed,
        [false, true, false]
    );
    let check = check_baseline(&baseline, &run(4), &CheckOptions::against_baseline());
    assert!(check.disturbed.is_empty(), "{:?}", check.disturbed);
    let f = find(&check, QUIET, Metric::MedianWall);
    assert_eq!(f.spread.as_ref().unwrap().samples[0], 26);
    assert_eq!(f.verdict, Verdict::NoChange);
    assert!(
        check
            .notes
            .iter()
            .any(|n| n.starts_with("4 samples marked disturbed"))
    );
}

#[test]
fn drift_is_measured_on_the_calibration_cells_and_normalized_on_request() {
    let base = run(1);
    // The whole machine is 20% slower, and one cell 30% slower on top.
    let mut now = run(2);
    for c in &mut now.cells {
        for s in &mut c.samples {
            s.wall_s *= 1.2;
        }
    }
    let now = scaled(now, NOISY, 1.3);
    let plain = check(&base, &now, &CheckOptions::against_baseline());
    let drift = plain.drift.as_ref().unwrap();
    let names: Vec<&str> = drift.cells.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["seq/cpu/t1", "seq/cpu-skewed/t1"]);
    assert!((drift.factor - 1.2).abs() < 0.02, "{}", drift.factor);
    assert!(!drift.normalized);
    assert!(
        plain.flagged_cells().len() > 20,
        "absolute: everything is slower"
    );

    let options = CheckOptions {
        normalize: true,
        ..CheckOptions::against_baseline()
    };
    let normalized = check(&base, &now, &options);
    assert!(normalized.drift.as_ref().unwrap().normalized);
    assert_eq!(normalized.flagged_cells(), [NOISY]);
    assert!(
        normalized
            .not_compared
            .iter()
            .any(|(k, why)| k == "seq/cpu/t1" && why.contains("calibration"))
    );
    let md = render_markdown(&normalized, "a", "b");
    assert!(
        md.contains("Drift of the machine since the baseline, from the calibration cells: +"),
        "{md}"
    );

    // Without calibration cells, normalisation says it could not be done.
    let mut bare = base.clone();
    bare.cells.retain(|c| !c.key().starts_with("seq/cpu"));
    let check = rtcompare_reports::regression::check(&bare, &now, &options);
    assert!(check.drift.is_none());
    assert!(
        check
            .notes
            .iter()
            .any(|n| n.starts_with("Normalisation was asked for"))
    );
}

#[test]
fn runs_of_different_plans_do_not_make_one_baseline() {
    let mut other = run(2);
    other.config.samples = 20;
    assert_eq!(
        plan_differences(&run(1), &other),
        ["config.samples: 5 -> 20"]
    );
    // The number of processes per cell may differ (a check's run joins a baseline of
    // 3-process runs); the rest of the sampling rule may not.
    let rule = rtcompare_reports::model::SamplingConfig {
        min_samples: 3,
        max_samples: 20,
        samples_per_process: 3,
        min_processes: 3,
        precision_cpu: 0.02,
        precision_other: 0.05,
        budget_s: Some(50.0),
        interference_threshold_cores: 0.1,
        max_retakes: 3,
    };
    let sampled = |rule: &rtcompare_reports::model::SamplingConfig| {
        let mut r = run(1);
        r.config.sampling = Some(rule.clone());
        r
    };
    let two_processes = rtcompare_reports::model::SamplingConfig {
        min_processes: 2,
        samples_per_process: 5,
        ..rule.clone()
    };
    assert!(plan_differences(&sampled(&rule), &sampled(&two_processes)).is_empty());
    let other_precision = rtcompare_reports::model::SamplingConfig {
        precision_cpu: 0.01,
        ..rule.clone()
    };
    let differences = plan_differences(&sampled(&rule), &sampled(&other_precision));
    assert_eq!(differences.len(), 1, "{differences:?}");
    assert!(differences[0].starts_with("config.sampling: "));

    let err = from_runs(&[("one.json".into(), run(1)), ("two.json".into(), other)]).unwrap_err();
    assert!(
        err.starts_with("two.json and one.json are runs of different plans"),
        "{err}"
    );
    assert!(err.contains("config.samples: 5 -> 20"), "{err}");

    // Calibrating a single-run baseline makes it the first of its runs.
    let mut baseline = Baseline {
        results: run(1),
        repeats: None,
    };
    add_run(&mut baseline, "main.json", "r2.json", &run(2)).unwrap();
    add_run(&mut baseline, "main.json", "r3.json", &run(3)).unwrap();
    let repeats = baseline.repeats.as_ref().unwrap();
    let sources: Vec<&str> = repeats.runs.iter().map(|r| r.source.as_str()).collect();
    assert_eq!(sources, ["main.json", "r2.json", "r3.json"]);
    assert!(repeats.cells[NOISY].spread.contains_key("median-wall"));

    // It survives a round trip through a file, and a plain results reader ignores it.
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("noise-baseline-round-trip.json");
    rtcompare_reports::save_baseline(&path, &baseline).unwrap();
    assert_eq!(load_baseline(&path).unwrap(), baseline);
    assert_eq!(load(&path).unwrap(), baseline.results);
}

#[test]
fn processes_in_different_modes_widen_the_floor_where_runs_agree_by_chance() {
    // Each of 3 runs has 3 processes of NOISY: two at the usual time, one 60%
    // slower (a second mode, as tokio-mt's `spawn` has). The runs' medians agree to
    // 1%, so their spread alone would give a floor under the band; the farthest of
    // the 9 processes' medians (the process reach) shows the slow mode.
    let modal = |seed: u64, levels: [f64; 3]| {
        let mut r = run_shaped(seed, 3, 4);
        for s in &mut cell_mut(&mut r, NOISY).samples {
            s.wall_s *= levels[s.process];
        }
        r
    };
    let runs: Vec<(String, Results)> = (1..=3)
        .map(|seed| (format!("run{seed}.json"), modal(seed, [1.0, 1.0, 1.6])))
        .collect();
    let baseline = from_runs(&runs).expect("one plan");
    let spread = baseline.repeats.as_ref().unwrap().cells[NOISY].spread["median-wall"];
    assert!(spread < 0.05, "the runs agree: {spread}");
    // A check whose processes both landed in the slow mode is not a regression.
    let options = CheckOptions::against_baseline();
    let slow = check_baseline(&baseline, &modal(9, [1.6, 1.6, 1.6]), &options);
    let f = find(&slow, NOISY, Metric::MedianWall);
    assert_ne!(f.verdict, Verdict::Regression, "{f:#?}");
    assert!(f.floor.unwrap() > 0.45, "{f:#?}");
    assert_eq!(f.floor, f.reach, "the reach is the floor: {f:#?}");
    assert_eq!(f.floor_processes, 9, "{f:#?}");
    // Twice as slow as its slowest process ever was: caught despite the modes.
    let slower = check_baseline(&baseline, &modal(9, [3.2, 3.2, 3.2]), &options);
    assert_eq!(
        find(&slower, NOISY, Metric::MedianWall).verdict,
        Verdict::Regression
    );
    // A quiet cell of the same baseline keeps its narrow floor.
    let quiet = check_baseline(&baseline, &scaled(modal(9, [1.0; 3]), QUIET, 1.2), &options);
    assert_eq!(
        find(&quiet, QUIET, Metric::MedianWall).verdict,
        Verdict::Regression
    );
}

#[test]
fn peak_rss_is_judged_per_process_not_as_the_highest_of_all() {
    // 3 runs of 3 processes whose peaks are 100, 104 and 130 MiB: the highest of
    // several processes is an extreme draw, which a check of fewer processes rarely
    // reaches.
    const MIB: u64 = 1 << 20;
    let with_peaks = |seed: u64, peaks: &[u64]| {
        let mut r = run_shaped(seed, peaks.len(), 4);
        let cell = cell_mut(&mut r, QUIET);
        for s in &mut cell.samples {
            s.process_peak_rss_bytes = Some(peaks[s.process] * MIB);
        }
        cell.peak_rss_bytes = peaks.iter().max().map(|p| p * MIB);
        r
    };
    let runs: Vec<(String, Results)> = (1..=3)
        .map(|seed| {
            (
                format!("run{seed}.json"),
                with_peaks(seed, &[100, 104, 130]),
            )
        })
        .collect();
    let baseline = from_runs(&runs).expect("one plan");
    assert_eq!(
        baseline.repeats.as_ref().unwrap().cells[QUIET].peak_rss_bytes,
        [Some(104.0 * MIB as f64); 3],
        "a run's value is the median of its processes' peaks"
    );
    let options = CheckOptions::against_baseline();
    // Two processes at 101 and 103 MiB: no improvement, though the highest peaks of
    // the two sides (130 and 103 MiB) differ by 21%. The floor (below) is above the
    // 20% band, so it says so.
    let same = check_baseline(&baseline, &with_peaks(9, &[101, 103]), &options);
    let f = find(&same, QUIET, Metric::PeakRss);
    assert_eq!(f.verdict, Verdict::TooNoisy, "{f:#?}");
    assert_eq!(f.baseline, 104.0 * MIB as f64);
    assert_eq!(f.now, 102.0 * MIB as f64);
    // The floor knows the 130 MiB process: 25% from 104.
    assert!((f.floor.unwrap() - 0.25).abs() < 1e-9, "{f:#?}");
    // Every process growing by half is caught beyond that floor.
    let grown = check_baseline(&baseline, &with_peaks(9, &[156, 156]), &options);
    assert_eq!(
        find(&grown, QUIET, Metric::PeakRss).verdict,
        Verdict::Regression
    );
    // Files whose samples do not carry the process's peak: the cell's one value.
    let mut old = with_peaks(9, &[101, 103]);
    for s in &mut cell_mut(&mut old, QUIET).samples {
        s.process_peak_rss_bytes = None;
    }
    assert_eq!(
        cell_mut(&mut old, QUIET).process_peaks_rss_bytes(),
        [103.0 * MIB as f64]
    );
}

#[test]
fn latency_p99_is_tested_per_sample_not_as_one_merged_value() {
    // Each sample's own p99 around 100 µs (±1% jitter from the wall times).
    let with_p99 = |mut r: Results, level: f64, merged: f64| {
        let c = cell_mut(&mut r, NOISY);
        for s in &mut c.samples {
            s.latency_p99_us = Some(s.wall_s / 0.1 * 100.0 * level);
        }
        c.latency_us = Some(rtcompare_reports::Latency {
            count: 1000,
            mean: 50.0,
            p50: 40.0,
            p90: 80.0,
            p99: merged,
            p999: merged * 2.0,
            max: merged * 3.0,
        });
        r
    };
    let runs: Vec<(String, Results)> = (1..=3)
        .map(|seed| {
            (
                format!("run{seed}.json"),
                with_p99(run_shaped(seed, 3, 4), 1.0, 100.0),
            )
        })
        .collect();
    let baseline = from_runs(&runs).expect("one plan");
    let options = CheckOptions::against_baseline();
    // The merged p99 of a few samples jumped 5× (one stalled sample), the samples'
    // own p99s did not: no finding on p99.
    let stall = check_baseline(
        &baseline,
        &with_p99(run_shaped(9, 2, 3), 1.0, 500.0),
        &options,
    );
    let f = find(&stall, NOISY, Metric::LatencyP99);
    assert_eq!(f.verdict, Verdict::NoChange, "{f:#?}");
    assert!(f.p.is_some(), "a test, not a single value");
    // Every sample's p99 60% higher: a regression.
    let slower = check_baseline(
        &baseline,
        &with_p99(run_shaped(9, 2, 3), 1.6, 160.0),
        &options,
    );
    let f = find(&slower, NOISY, Metric::LatencyP99);
    assert_eq!(f.verdict, Verdict::Regression, "{f:#?}");
}

//! The regression check on recorded data. The baseline is the fixture results file
//! with 10 samples per finished cell: each cell's 5 recorded wall times, twice,
//! each multiplied by a deterministic jitter of up to ±1% (the spread the recorded
//! samples themselves show). A "new run" is the same construction with another
//! jitter seed.

use rtcompare_reports::regression::{
    CheckOptions, Correction, Metric, Mode, Verdict, check, machine_differences, render_markdown,
};
use rtcompare_reports::stats::Rng;
use rtcompare_reports::summary::summarize;
use rtcompare_reports::{Cell, Latency, Results, Status, bmf, load};
use std::path::Path;

const CELL: &str = "tokio-mt/cpu/t2";

fn fixture() -> Results {
    load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/results.json"))
        .expect("fixture loads")
}

/// The fixture with 10 jittered samples per finished cell, derived from `seed`.
fn run(seed: u64) -> Results {
    let mut results = fixture();
    for cell in results.cells.iter_mut().filter(|c| !c.samples.is_empty()) {
        let key_hash = cell.key().bytes().fold(seed, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
        let mut rng = Rng::new(key_hash);
        let recorded = cell.samples.clone();
        cell.samples = (0..10)
            .map(|k| {
                let mut s = recorded[k % recorded.len()].clone();
                let u = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
                let jitter = 1.0 + (u - 0.5) * 0.02;
                s.wall_s *= jitter;
                s.user_s *= jitter;
                s
            })
            .collect();
    }
    results.config.samples = 10;
    summarize(&mut results);
    results
}

fn baseline() -> Results {
    run(1)
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

fn ok_cells(results: &Results) -> usize {
    results
        .cells
        .iter()
        .filter(|c| c.status == Status::Ok)
        .count()
}

#[test]
fn same_samples_give_no_change() {
    let base = baseline();
    let check = check(&base, &base, &CheckOptions::against_baseline());
    assert_eq!(check.mode, Mode::Absolute);
    assert!(check.machine_differences.is_empty());
    assert!(!check.has_regression());
    assert!(
        check
            .findings
            .iter()
            .all(|f| f.verdict == Verdict::NoChange)
    );
    // Median wall and peak RSS of each of the 34 finished cells.
    assert_eq!(ok_cells(&base), 34);
    assert_eq!(check.findings.len(), 68);
    for f in check
        .findings
        .iter()
        .filter(|f| f.metric == Metric::MedianWall)
    {
        assert_eq!(f.change, 0.0);
        // Each side is resampled independently, so the interval has the width
        // of the noise even for identical samples, around 1.
        let [lo, hi] = f.ci95.unwrap();
        assert!(
            lo <= 1.0 && 1.0 <= hi && lo > 0.95 && hi < 1.05,
            "[{lo}, {hi}]"
        );
        assert_eq!(f.p, Some(1.0));
    }
    // A single-run baseline of one process per cell: no floor, samples taken as
    // independent; both said once.
    assert_eq!(check.notes.len(), 2, "{:?}", check.notes);
    assert!(check.notes[0].contains("of one process on a side"));
    assert!(check.notes[1].starts_with("No noise floor: the baseline is 1 single run"));
    assert!(
        check
            .findings
            .iter()
            .all(|f| f.floor.is_none() && f.runs == 0)
    );
    // The failed and the timed-out cell are listed with the reason.
    let keys: Vec<&str> = check.not_compared.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["futures-local/sleep/t1", "smol-mt/cpu/t2"]);
    let reasons: Vec<&str> = check.not_compared.iter().map(|(_, r)| r.as_str()).collect();
    assert!(
        reasons[0].starts_with("timed out in the baseline and the results: "),
        "{reasons:?}"
    );
    assert!(reasons[1].starts_with("failed in the baseline and the results: "));
    // A cell that failed on one side only says which.
    let mut now = base.clone();
    let c = now.cells.iter_mut().find(|c| c.key() == CELL).unwrap();
    c.status = Status::Failed;
    c.error = Some("wrong checksum".into());
    let one_side = rtcompare_reports::regression::check(&base, &now, &CheckOptions::ab());
    let expected = (
        CELL.to_owned(),
        "failed in the results: wrong checksum".to_owned(),
    );
    assert!(one_side.not_compared.contains(&expected));
    assert!(check.only_in_baseline.is_empty() && check.only_in_results.is_empty());
}

#[test]
fn an_independent_run_of_the_same_code_gives_no_change() {
    let base = baseline();
    for seed in 2..12 {
        let check = check(&base, &run(seed), &CheckOptions::against_baseline());
        let changed: Vec<_> = check
            .findings
            .iter()
            .filter(|f| f.verdict != Verdict::NoChange)
            .collect();
        assert!(changed.is_empty(), "seed {seed}: {changed:#?}");
    }
}

#[test]
fn one_cell_15_percent_slower_is_exactly_one_regression() {
    let base = baseline();
    for now in [scaled(base.clone(), CELL, 1.15), scaled(run(7), CELL, 1.15)] {
        let check = check(&base, &now, &CheckOptions::against_baseline());
        assert!(check.has_regression());
        assert_eq!(check.flagged_cells(), [CELL]);
        let regressions: Vec<_> = check
            .findings
            .iter()
            .filter(|f| f.verdict == Verdict::Regression)
            .collect();
        assert_eq!(regressions.len(), 1);
        let f = regressions[0];
        assert_eq!(f, &check.findings[0], "regressions come first");
        assert_eq!((f.cell.as_str(), f.metric), (CELL, Metric::MedianWall));
        assert_eq!(
            (f.runner.as_str(), f.workload.as_str(), f.threads),
            ("tokio-mt", "cpu", 2)
        );
        assert!((f.change - 0.15).abs() < 0.02, "{}", f.change);
        let [lo, hi] = f.ci95.unwrap();
        assert!(lo > 1.10 && hi < 1.20, "[{lo}, {hi}]");
        assert!(f.p_adjusted.unwrap() < 0.05);
        assert!(
            check
                .findings
                .iter()
                .filter(|f| f.cell != CELL || f.metric != Metric::MedianWall)
                .all(|f| f.verdict == Verdict::NoChange)
        );
    }
}

#[test]
fn three_percent_slower_is_significant_but_inside_the_band() {
    let base = baseline();
    let check = check(
        &base,
        &scaled(base.clone(), CELL, 1.03),
        &CheckOptions::against_baseline(),
    );
    assert!(!check.has_regression());
    assert!(
        check
            .findings
            .iter()
            .all(|f| f.verdict == Verdict::NoChange)
    );
    let f = check
        .findings
        .iter()
        .find(|f| f.cell == CELL && f.metric == Metric::MedianWall)
        .unwrap();
    assert!(
        f.p_adjusted.unwrap() < 0.05,
        "separated samples: significant"
    );
    assert!((f.change - 0.03).abs() < 1e-9);
    // It is the largest change, so it leads the no-change group.
    assert_eq!(check.findings[0].cell, CELL);
}

#[test]
fn fifteen_percent_faster_is_an_improvement() {
    let base = baseline();
    let check = check(
        &base,
        &scaled(base.clone(), CELL, 0.85),
        &CheckOptions::against_baseline(),
    );
    assert!(!check.has_regression());
    assert!(check.flagged_cells().is_empty());
    let changed: Vec<_> = check
        .findings
        .iter()
        .filter(|f| f.verdict != Verdict::NoChange)
        .collect();
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].verdict, Verdict::Improvement);
    assert_eq!(changed[0].cell, CELL);
    assert!(changed[0].change < -0.14);
}

#[test]
fn different_machine_switches_to_within_run_ratios() {
    let base = baseline();
    let mut other = base.clone();
    other.machine.cpu_model = "Intel(R) Xeon(R) Platinum 8370C CPU @ 2.80GHz".into();
    for cell in &mut other.cells {
        for s in &mut cell.samples {
            s.wall_s *= 1.3;
        }
    }
    let differences = machine_differences(&base, &other);
    assert_eq!(
        differences,
        [
            "cpu_model: AMD EPYC 7763 64-Core Processor -> Intel(R) Xeon(R) Platinum 8370C CPU @ 2.80GHz"
        ]
    );

    let ratio = check(&base, &other, &CheckOptions::against_baseline());
    assert_eq!(ratio.mode, Mode::WithinRunRatio);
    assert_eq!(ratio.machine_differences, differences);
    assert!(!ratio.has_regression());
    assert!(
        ratio
            .findings
            .iter()
            .all(|f| f.verdict == Verdict::NoChange)
    );
    // Only median wall, as ratios to seq (about 0.5 for a 2-thread cell of cpu).
    assert!(
        ratio
            .findings
            .iter()
            .all(|f| f.metric == Metric::MedianWall)
    );
    let f = ratio.findings.iter().find(|f| f.cell == CELL).unwrap();
    assert!((f.baseline - 0.51).abs() < 0.02, "{}", f.baseline);
    // 34 finished cells, 3 of them seq: 31 compared; seq listed as the reference.
    assert_eq!(ratio.findings.len(), 31);
    for workload in ["cpu", "cpu-skewed", "sleep"] {
        let key = format!("seq/{workload}/t1");
        assert!(
            ratio
                .not_compared
                .iter()
                .any(|(k, why)| *k == key && why.contains("reference")),
            "{key}"
        );
    }
    assert!(ratio.notes.iter().any(|n| n.contains("peak RSS")));

    // A real slowdown of one cell still shows through the ratios.
    let slower = scaled(other.clone(), CELL, 1.15);
    let ratio = check(&base, &slower, &CheckOptions::against_baseline());
    assert_eq!(ratio.flagged_cells(), [CELL]);

    // strict_machine: absolute times, and the uniform slowdown is everywhere.
    let strict = CheckOptions {
        strict_machine: true,
        ..CheckOptions::against_baseline()
    };
    let absolute = check(&base, &other, &strict);
    assert_eq!(absolute.mode, Mode::Absolute);
    assert_eq!(absolute.machine_differences, differences);
    assert!(absolute.has_regression());
    assert_eq!(absolute.flagged_cells().len(), 34);
    assert!(absolute.notes.iter().any(|n| n.contains("machines differ")));
    let md = render_markdown(&absolute, "a", "b");
    assert!(md.contains("Mode: absolute values, although the machines differ: cpu_model: "));
}

#[test]
fn ratio_mode_without_seq_lists_the_workload_as_not_compared() {
    let base = baseline();
    let mut other = base.clone();
    other.machine.kernel = "6.11.0-1018-azure".into();
    other
        .machine
        .crate_versions
        .insert("tokio".into(), "1.55.0".into());
    other.cells.retain(|c| c.key() != "seq/sleep/t1");
    let check = check(&base, &other, &CheckOptions::against_baseline());
    assert_eq!(check.mode, Mode::WithinRunRatio);
    assert_eq!(
        check.machine_differences,
        [
            "kernel: 6.8.0-1021-azure -> 6.11.0-1018-azure",
            "crate_versions.tokio: 1.54.1 -> 1.55.0"
        ]
    );
    assert_eq!(check.only_in_baseline, ["seq/sleep/t1"]);
    let (_, why) = check
        .not_compared
        .iter()
        .find(|(k, _)| k == "tokio-mt/sleep/t2")
        .unwrap();
    assert!(why.contains("`sleep` in the results"), "{why}");
    assert!(check.findings.iter().all(|f| f.workload != "sleep"));
}

#[test]
fn missing_cells_are_listed_not_fatal() {
    let mut base = baseline();
    let mut now = scaled(base.clone(), CELL, 1.15);
    base.cells.retain(|c| c.key() != "seq/sleep/t1");
    now.cells.retain(|c| c.key() != "rayon/cpu/t2");
    let check = check(&base, &now, &CheckOptions::against_baseline());
    assert_eq!(check.only_in_baseline, ["rayon/cpu/t2"]);
    assert_eq!(check.only_in_results, ["seq/sleep/t1"]);
    assert_eq!(check.flagged_cells(), [CELL]);
    assert_eq!(check.cells_compared(), 32);
    assert!(
        check.summary_line().contains("2 missing"),
        "{}",
        check.summary_line()
    );
}

#[test]
fn confirmation_rerun_that_does_not_reproduce_unconfirms() {
    let base = baseline();
    let options = CheckOptions::against_baseline();
    let mut first = check(&base, &scaled(base.clone(), CELL, 1.15), &options);
    assert!(first.has_regression());

    // The re-run of the flagged cell is back to normal.
    let mut rerun = run(5);
    rerun
        .cells
        .retain(|c| first.flagged_cells().contains(&c.key()));
    let recheck = check(&base, &rerun, &options);
    assert!(!recheck.has_regression());
    let mut unconfirmed = first.clone();
    unconfirmed.confirm(&recheck);
    assert!(!unconfirmed.has_regression());
    assert_eq!(unconfirmed.findings[0].verdict, Verdict::Unconfirmed);
    assert_eq!(unconfirmed.findings[0].cell, CELL);
    assert!(
        unconfirmed
            .notes
            .iter()
            .any(|n| n.contains("0 of 1 regression"))
    );
    assert!(unconfirmed.summary_line().contains("0 regressions"));
    assert!(unconfirmed.summary_line().contains("1 unconfirmed"));

    // A re-run that reproduces it keeps it.
    let rerun = scaled(rerun, CELL, 1.15);
    first.confirm(&check(&base, &rerun, &options));
    assert!(first.has_regression());
    assert_eq!(first.flagged_cells(), [CELL]);
}

#[test]
fn markdown_lists_regressions_first_and_ends_with_the_summary() {
    let base = baseline();
    let mut now = scaled(base.clone(), CELL, 1.15);
    now = scaled(now, "rayon/cpu/t2", 0.8);
    now.cells.retain(|c| c.key() != "threads/sleep/t2");
    let check = check(&base, &now, &CheckOptions::against_baseline());
    let md = render_markdown(&check, "baselines/main.json", "results.json");
    assert!(md.starts_with("# rtcompare check\n"));
    assert!(md.contains("Mode: absolute values."));
    assert!(md.contains("Noise band ±10%"));
    assert!(md.contains("alpha 0.05 after Holm correction over 33 tests"));

    let table: Vec<&str> = md.lines().filter(|l| l.starts_with('|')).collect();
    let cells = |line: &str| line.trim().trim_matches('|').split(" | ").count();
    assert_eq!(
        table[0]
            .split('|')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect::<Vec<_>>(),
        [
            "Cell",
            "Metric",
            "Baseline",
            "Now",
            "Change [95% CI]",
            "p (adj.)",
            "Band",
            "Detects",
            "Verdict"
        ]
    );
    // The findings table, then the spread table (median wall of 33 cells).
    let findings_table = &table[..2 + check.findings.len()];
    assert!(findings_table.iter().all(|l| cells(l) == 9), "{table:#?}");
    assert_eq!(table.len(), 2 + check.findings.len() + 2 + 33);
    assert!(md.contains("## Spread\n"));
    assert!(
        table[2].contains(" ±10% ") && table[2].contains(" ≥11% "),
        "{}",
        table[2]
    );
    assert!(
        table[2].contains(CELL) && table[2].contains("**regression**"),
        "{}",
        table[2]
    );
    assert!(table[3].contains("rayon/cpu/t2") && table[3].contains("improvement"));
    assert!(table[2].contains("+15.0% ["), "{}", table[2]);
    assert!(md.contains("## Only in the baseline\n\n- `threads/sleep/t2`\n"));
    assert!(md.contains("## Not compared\n\n- `futures-local/sleep/t1`: timed out"));

    let last = md.lines().last().unwrap();
    assert_eq!(
        last,
        "Summary: 1 regression, 1 improvement, 64 unchanged, 0 unconfirmed \
         (33 cells compared, 2 not compared, 1 missing)."
    );
    assert!(md.ends_with(".\n"));
}

#[test]
fn markdown_in_ratio_mode_shows_plain_ratios() {
    let base = baseline();
    let mut other = base.clone();
    other.machine.rustc = "rustc 1.96.0".into();
    let check = check(&base, &other, &CheckOptions::ab());
    let md = render_markdown(&check, "a", "b");
    assert!(md.contains("Mode: within-run ratios (machines differ: rustc: "));
    assert!(md.contains("Noise band ±5%"));
    let row = md
        .lines()
        .find(|l| l.starts_with(&format!("| {CELL} ")))
        .unwrap();
    assert!(!row.contains(" ms"), "{row}");
    let baseline_value = row.split('|').nth(3).unwrap().trim();
    assert!(baseline_value.starts_with("0.5"), "{row}");
}

#[test]
fn too_few_samples_give_one_note_with_the_samples_needed() {
    // The recorded fixture has 5 samples per cell: the smallest p is 2/252 =
    // 0.0079, above 0.05 / 34 = 0.0015.
    let recorded = fixture();
    let check = check(
        &recorded,
        &scaled(recorded.clone(), CELL, 1.5),
        &CheckOptions::against_baseline(),
    );
    assert!(!check.has_regression(), "cannot be significant");
    let notes: Vec<&String> = check
        .notes
        .iter()
        .filter(|n| n.starts_with("Too few"))
        .collect();
    assert_eq!(notes.len(), 1, "{:?}", check.notes);
    let note = notes[0];
    // Nor can the check detect any change there: it says so per cell.
    assert!(
        check
            .findings
            .iter()
            .filter(|f| f.metric == Metric::MedianWall)
            .all(|f| f.detectable.is_none())
    );
    assert!(note.contains("34 of 34"), "{note}");
    assert!(note.contains("0.0079"), "{note}");
    assert!(note.contains("at least 7 samples per side"), "{note}");
}

#[test]
fn single_value_metrics_use_the_band_only() {
    let mut base = baseline();
    let tp = "tokio-mt/sleep/t2";
    {
        let c = cell_mut(&mut base, tp);
        c.throughput_per_s = Some(1000.0);
        c.latency_us = Some(Latency {
            count: 100,
            mean: 0.0,
            p90: 0.0,
            p50: 50.0,
            p99: 100.0,
            p999: 200.0,
            max: 300.0,
        });
    }
    cell_mut(&mut base, "rayon/cpu/t2").peak_rss_bytes = Some(100 << 20);
    let mut now = base.clone();
    {
        let c = cell_mut(&mut now, tp);
        c.throughput_per_s = Some(850.0); // 15% fewer operations: worse
        c.latency_us.as_mut().unwrap().p99 = 95.0; // 5% better: inside the band
    }
    cell_mut(&mut now, CELL).peak_rss_bytes = Some(4_212_326 * 3 / 2); // +2 MiB, +50%
    cell_mut(&mut now, "rayon/cpu/t2").peak_rss_bytes = Some(115 << 20); // +15% < 20%
    cell_mut(&mut now, "seq/cpu/t1").peak_rss_bytes = Some(3_168_870 + 900_000); // +28%, < 1 MiB
    let check = check(&base, &now, &CheckOptions::against_baseline());

    let find = |cell: &str, metric| {
        check
            .findings
            .iter()
            .find(|f| f.cell == cell && f.metric == metric)
            .unwrap_or_else(|| panic!("{cell} {metric}"))
    };
    // Throughput is derived from the samples: without per-sample operation counts
    // its single value is not judged at all (the note says why).
    assert!(
        !check
            .findings
            .iter()
            .any(|f| f.metric == Metric::Throughput),
        "{:#?}",
        check.findings
    );
    assert!(
        check
            .notes
            .iter()
            .any(|n| n.starts_with("Throughput of 1 cell is not compared")),
        "{:?}",
        check.notes
    );
    // Latency p99 is judged per sample: a merged p99 with no per-sample values
    // behind it is no finding at all.
    assert!(
        !check
            .findings
            .iter()
            .any(|f| f.metric == Metric::LatencyP99),
        "{:#?}",
        check.findings
    );
    assert_eq!(find(CELL, Metric::PeakRss).verdict, Verdict::Regression);
    assert_eq!(
        find("rayon/cpu/t2", Metric::PeakRss).verdict,
        Verdict::NoChange
    );
    assert_eq!(
        find("seq/cpu/t1", Metric::PeakRss).verdict,
        Verdict::NoChange
    );
    assert_eq!(check.flagged_cells(), [CELL]);
    // Single values are not tests: the correction still counts 34.
    assert_eq!(check.findings.iter().filter(|f| f.p.is_some()).count(), 34);
}

#[test]
fn benjamini_hochberg_and_determinism() {
    let base = baseline();
    let now = scaled(scaled(run(3), CELL, 1.15), "rayon/sleep/t2", 1.2);
    let options = CheckOptions {
        correction: Correction::BenjaminiHochberg,
        ..CheckOptions::against_baseline()
    };
    let a = check(&base, &now, &options);
    let b = check(&base, &now, &options);
    assert_eq!(a, b);
    let mut flagged = a.flagged_cells();
    flagged.sort();
    assert_eq!(flagged, ["rayon/sleep/t2", CELL]);
    // BH adjusts less than Holm.
    let holm = check(&base, &now, &CheckOptions::against_baseline());
    for (f, g) in a.findings.iter().zip(&holm.findings) {
        assert_eq!((&f.cell, f.metric), (&g.cell, g.metric));
        if let (Some(bh), Some(h)) = (f.p_adjusted, g.p_adjusted) {
            assert!(bh <= h + 1e-15);
        }
    }
    // The check serialises (for a JSON copy of the report).
    let json = serde_json::to_value(&a).unwrap();
    assert_eq!(json["mode"], "absolute");
    assert_eq!(json["findings"][0]["metric"], "median-wall");
    assert_eq!(json["findings"][0]["verdict"], "regression");
}

#[test]
fn bencher_metric_format_has_one_benchmark_per_finished_cell() {
    for results in [baseline(), fixture()] {
        let mut without_summaries = results.clone();
        for c in &mut without_summaries.cells {
            c.summary = None;
        }
        let mut summarized = results.clone();
        summarize(&mut summarized);
        for input in [&results, &without_summaries] {
            let bmf = bmf::bencher_metric_format(input);
            let map = bmf.as_object().unwrap();
            assert_eq!(map.len(), 34);
            for cell in summarized.cells.iter().filter(|c| c.status == Status::Ok) {
                let entry = &map[&cell.key()];
                let summary = cell.summary.as_ref().unwrap();
                let latency = &entry["latency"];
                assert_eq!(
                    latency["value"].as_f64().unwrap(),
                    summary.median_wall_s * 1e9
                );
                assert_eq!(
                    latency["lower_value"].as_f64().unwrap(),
                    summary.interval_wall_s[0] * 1e9
                );
                assert_eq!(
                    latency["upper_value"].as_f64().unwrap(),
                    summary.interval_wall_s[1] * 1e9
                );
                assert_eq!(
                    entry["peak-rss"]["value"].as_f64().unwrap(),
                    cell.peak_rss_bytes.unwrap() as f64
                );
                assert!(entry.get("throughput").is_none());
            }
            assert!(!map.contains_key("smol-mt/cpu/t2"));
            assert!(!map.contains_key("futures-local/sleep/t1"));
        }
    }
    // Extrapolated cells report the whole workload's time: seq/sleep ran 1/100.
    let bmf = bmf::bencher_metric_format(&fixture());
    let seq_sleep = bmf["seq/sleep/t1"]["latency"]["value"].as_f64().unwrap();
    assert!((seq_sleep / 1e9 - 100.8).abs() < 0.1, "{seq_sleep}");
    // Throughput when present.
    let mut with_tp = fixture();
    cell_mut(&mut with_tp, CELL).throughput_per_s = Some(1234.5);
    let bmf = bmf::bencher_metric_format(&with_tp);
    assert_eq!(bmf[CELL]["throughput"]["value"], 1234.5);
}

/// The schema-2 fixture: cells that do not apply (`n/a`) beside finished ones.
fn fixture_v2() -> Results {
    load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/results-v2.json"))
        .expect("schema-2 fixture loads")
}

#[test]
fn cells_not_applicable_on_both_sides_are_skipped() {
    let results = fixture_v2();
    let na: Vec<String> = results
        .cells
        .iter()
        .filter(|c| c.status == Status::NotApplicable)
        .map(Cell::key)
        .collect();
    assert!(na.len() > 10, "{na:?}");
    let check = check(&results, &results, &CheckOptions::ab());
    assert!(!check.has_regression());
    for key in &na {
        assert!(
            !check.findings.iter().any(|f| &f.cell == key),
            "{key} compared"
        );
        assert!(
            !check.not_compared.iter().any(|(k, _)| k == key),
            "{key} listed as not compared"
        );
    }
    assert!(check.applicability_changed.is_empty());
    assert!(
        check.notes.contains(&format!(
            "{} cells are not applicable on both sides (the workload does not apply to the \
             runner) and skipped.",
            na.len()
        )),
        "{:?}",
        check.notes
    );
    // The failed and timed-out cells are still listed as not compared.
    let keys: Vec<&str> = check.not_compared.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        ["async-std/mixed-offload/t2", "futures-pool/fork-join/t2"]
    );
    assert!(!check.summary_line().contains("applicability"));
}

#[test]
fn a_cell_that_ran_other_parameters_is_not_compared() {
    let base = baseline();
    let mut now = scaled(run(2), CELL, 1.5);
    // A build whose sizes changed: other parameters, and more time.
    let before = cell_mut(&mut now, CELL).params.clone();
    let mut after = before.clone();
    after["other"] = serde_json::json!(1);
    cell_mut(&mut now, CELL).params = after;
    let checked = check(&base, &now, &CheckOptions::against_baseline());
    assert!(!checked.has_regression(), "{:#?}", checked.findings);
    assert!(!checked.findings.iter().any(|f| f.cell == CELL));
    let (_, why) = checked
        .not_compared
        .iter()
        .find(|(k, _)| k == CELL)
        .expect("listed as not compared");
    assert!(
        why.starts_with("other work on each side: parameters {"),
        "{why}"
    );
    // The same parameters: the slowdown is found.
    cell_mut(&mut now, CELL).params = before;
    let checked = check(&base, &now, &CheckOptions::against_baseline());
    assert!(checked.has_regression());
}

#[test]
fn a_cell_becoming_or_ceasing_to_be_applicable_is_listed_not_a_regression() {
    let base = fixture_v2();
    let mut now = base.clone();
    // ok -> n/a: a runner stops supporting the workload.
    let gone = cell_mut(&mut now, "tokio-mt/channels/t2");
    gone.status = Status::NotApplicable;
    gone.error = Some("no longer applies".into());
    gone.samples.clear();
    gone.metrics.clear();
    gone.summary = None;
    // n/a -> ok: a runner starts supporting one (its numbers borrowed from another).
    let donor = base
        .cells
        .iter()
        .find(|c| c.key() == "threads/spawn/t2")
        .unwrap()
        .clone();
    let came = cell_mut(&mut now, "rayon/spawn/t2");
    let (runner, class, family) = (came.runner.clone(), came.class, came.family);
    *came = Cell {
        runner,
        class,
        family,
        ..donor
    };
    let check = check(&base, &now, &CheckOptions::ab());
    assert!(!check.has_regression(), "{:#?}", check.findings);
    assert_eq!(
        check.applicability_changed,
        [
            (
                "rayon/spawn/t2".to_owned(),
                "n/a in the baseline: a pool runs jobs on the threads it already has; there is no \
                 task to spawn; ok in the results"
                    .to_owned()
            ),
            (
                "tokio-mt/channels/t2".to_owned(),
                "ok in the baseline; n/a in the results: no longer applies".to_owned()
            ),
        ]
    );
    for key in ["rayon/spawn/t2", "tokio-mt/channels/t2"] {
        assert!(!check.findings.iter().any(|f| f.cell == key), "{key}");
        assert!(!check.not_compared.iter().any(|(k, _)| k == key), "{key}");
    }
    assert!(
        check
            .summary_line()
            .ends_with(", 2 changed applicability)."),
        "{}",
        check.summary_line()
    );
    let markdown = render_markdown(&check, "base.json", "now.json");
    assert!(markdown.contains(
        "## Applicability changed\n\n- `rayon/spawn/t2`: n/a in the baseline: a pool runs jobs"
    ));
    assert!(markdown.contains("- `tokio-mt/channels/t2`: ok in the baseline; n/a in the results"));
}

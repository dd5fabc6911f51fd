//! The judging: each cell's samples grouped by process, its floor, the tests and
//! their correction, and the verdicts, by the rule in the module documentation.

use super::*;

/// A sampled comparison waiting for the corrected p-values.
struct Pending {
    finding: Finding,
    base: Vec<Vec<f64>>,
    now: Vec<Vec<f64>>,
    /// The baseline's reference value when it comes from repeated runs (the median
    /// of the runs' medians, taken as exact: the floor covers its uncertainty).
    reference: Option<f64>,
}

/// Samples of `cell` left after dropping disturbed ones, grouped by process, each
/// value from `value` (`None` drops the sample).
fn groups(cell: &Cell, value: impl Fn(&Sample) -> Option<f64>) -> Vec<Vec<f64>> {
    let mut by_process: BTreeMap<usize, Vec<f64>> = BTreeMap::new();
    for s in cell.samples.iter().filter(|s| !s.disturbed) {
        if let Some(v) = value(s).filter(|v| v.is_finite()) {
            by_process.entry(s.process).or_default().push(v);
        }
    }
    by_process.into_values().collect()
}

fn flat(groups: &[Vec<f64>]) -> Vec<f64> {
    groups.iter().flatten().copied().collect()
}

/// Between- and within-process spread of grouped samples.
fn side_spread(groups: &[Vec<f64>]) -> (Option<f64>, Option<f64>) {
    let medians: Vec<f64> = groups.iter().map(|g| median(g)).collect();
    let between = (groups.len() >= 2).then(|| relative_iqr(&medians));
    let within: Vec<f64> = groups
        .iter()
        .filter(|g| g.len() >= 2)
        .map(|g| relative_iqr(g))
        .collect();
    (
        between.filter(|x| x.is_finite()),
        (!within.is_empty()).then(|| median(&within)),
    )
}

/// Whether `cell` is kept out of the check as disturbed: it stayed disturbed after
/// its re-takes, unless it is a baseline cell of repeated runs with at least one
/// undisturbed run (then it is judged on its undisturbed samples).
fn disturbed_side(cell: &Cell, repeats: Option<&CellRepeats>) -> bool {
    match repeats {
        Some(r) if r.disturbed.len() >= 2 => r.disturbed.iter().all(|d| *d),
        _ => cell.disturbed(),
    }
}

/// The calibration cells present and finished (and not disturbed) on both sides.
fn calibration_keys(baseline: &Results, results: &Results) -> Vec<String> {
    let usable = |r: &Results, key: &str| {
        r.cells
            .iter()
            .any(|c| c.key() == key && c.status == Status::Ok && !c.disturbed())
    };
    CALIBRATION_CELLS
        .iter()
        .filter(|key| usable(baseline, key) && usable(results, key))
        .map(|key| (*key).to_owned())
        .collect()
}

/// Compares `results` with `baseline`, with `repeats` the baseline's repeated runs
/// if it has them, by the rule in the module documentation.
pub fn check_with_repeats(
    baseline: &Results,
    repeats: Option<&Repeats>,
    results: &Results,
    options: &CheckOptions,
) -> Check {
    let machine_differences = machine_differences(baseline, results);
    let mode = if machine_differences.is_empty() || options.strict_machine {
        Mode::Absolute
    } else {
        Mode::WithinRunRatio
    };
    let mut check = Check {
        mode,
        machine_differences,
        options: *options,
        findings: Vec::new(),
        only_in_baseline: Vec::new(),
        only_in_results: Vec::new(),
        not_compared: Vec::new(),
        applicability_changed: Vec::new(),
        disturbed: Vec::new(),
        drift: None,
        notes: Vec::new(),
    };
    if !check.machine_differences.is_empty() && options.strict_machine {
        check.notes.push(format!(
            "The machines differ ({}); absolute values are compared anyway, as asked \
             (strict machine matching).",
            check.machine_differences.join("; ")
        ));
    }

    let base_cells = index(&baseline.cells, "baseline", &mut check.notes);
    let now_cells = index(&results.cells, "results", &mut check.notes);
    check.only_in_baseline = base_cells
        .iter()
        .filter(|(id, _)| !now_cells.contains_key(*id))
        .map(|(_, c)| c.key())
        .collect();
    check.only_in_results = now_cells
        .iter()
        .filter(|(id, _)| !base_cells.contains_key(*id))
        .map(|(_, c)| c.key())
        .collect();
    let cell_repeats = |key: &str| -> Option<&CellRepeats> { repeats?.cells.get(key) };
    let run_count = repeats.map_or(1, |r| r.runs.len());

    // The machine's drift since the baseline, from the calibration cells.
    let calibration = if mode == Mode::Absolute {
        calibration_keys(baseline, results)
    } else {
        Vec::new()
    };
    let reference_wall = |cell: &Cell| -> Option<f64> {
        let floor_runs = cell_repeats(&cell.key())
            .map(|r| crate::baseline::clean_values(r, Metric::MedianWall))
            .filter(|v| v.len() >= FLOOR_MIN_RUNS);
        floor_runs
            .map(|v| median(&v))
            .or_else(|| crate::baseline::RunValues::of(cell).median_wall_s)
    };
    if !calibration.is_empty() {
        let ratios: Vec<(String, f64)> = calibration
            .iter()
            .filter_map(|key| {
                let b = baseline.cells.iter().find(|c| &c.key() == key)?;
                let n = results.cells.iter().find(|c| &c.key() == key)?;
                let ratio = crate::baseline::RunValues::of(n).median_wall_s? / reference_wall(b)?;
                ratio.is_finite().then(|| (key.clone(), ratio))
            })
            .collect();
        if !ratios.is_empty() {
            let log_mean = ratios.iter().map(|(_, r)| r.ln()).sum::<f64>() / ratios.len() as f64;
            check.drift = Some(Drift {
                cells: ratios,
                factor: log_mean.exp(),
                normalized: options.normalize,
            });
        }
    }
    let drift = check
        .drift
        .as_ref()
        .filter(|d| d.normalized)
        .map_or(1.0, |d| d.factor);
    if options.normalize && mode == Mode::Absolute && check.drift.is_none() {
        check.notes.push(format!(
            "Normalisation was asked for, but no calibration cell ({} or a single-threaded \
             spawn cell) finished undisturbed on both sides: cells are judged without it.",
            CALIBRATION_CELLS[0]
        ));
    }

    let seq_base = seq_medians(baseline);
    let seq_now = seq_medians(results);
    let mut skipped_single_values = false;
    let mut pending: Vec<Pending> = Vec::new();
    let mut both_not_applicable = 0;
    let mut excluded_samples = 0;
    let mut throughput_by_wall = 0;
    let mut throughput_without_ops = 0;
    let mut without_floor = 0;

    for (id, base) in &base_cells {
        let Some(now) = now_cells.get(id) else {
            continue;
        };
        let key = base.key();
        match (base.applies(), now.applies()) {
            (false, false) => {
                both_not_applicable += 1;
                continue;
            }
            (true, false) | (false, true) => {
                check
                    .applicability_changed
                    .push((key, applicability_change(base, now)));
                continue;
            }
            (true, true) => {}
        }
        if let Some(why) = not_ok(base, now) {
            check.not_compared.push((key, why));
            continue;
        }
        let reps = cell_repeats(&key);
        let sides = [
            (disturbed_side(base, reps), base, "the baseline"),
            (disturbed_side(now, None), now, "the results"),
        ];
        let where_: Vec<String> = sides
            .iter()
            .filter(|(d, _, _)| *d)
            .map(|(_, c, side)| {
                let n = c.interference.as_ref().map_or(0, |i| i.disturbed_samples);
                format!(
                    "disturbed in {side} ({} stayed disturbed after re-takes)",
                    plural(n, "sample", "samples")
                )
            })
            .collect();
        if !where_.is_empty() {
            check.disturbed.push((key, where_.join("; ")));
            continue;
        }
        excluded_samples += [base, *now]
            .iter()
            .map(|c| c.samples.iter().filter(|s| s.disturbed).count())
            .sum::<usize>();
        if options.normalize && calibration.contains(&key) && check.drift.is_some() {
            check.not_compared.push((
                key,
                "calibration cell: the reference of normalisation".to_owned(),
            ));
            continue;
        }
        // The run-to-run part of a floor: `floor_k ×` the relative IQR of the
        // baseline's undisturbed per-run values (after `transform`), with their
        // median as the reference.
        let runs_of = |metric: Metric, transform: &dyn Fn(usize, f64) -> Option<f64>| {
            let r = reps?;
            let values: Vec<f64> = match metric {
                Metric::MedianWall => &r.median_wall_s,
                Metric::Throughput => &r.throughput_per_s,
                Metric::LatencyP99 => &r.latency_p99_us,
                Metric::PeakRss => &r.peak_rss_bytes,
            }
            .iter()
            .enumerate()
            .filter(|(i, _)| !r.disturbed.get(*i).copied().unwrap_or(false))
            .filter_map(|(i, v)| transform(i, (*v)?))
            .collect();
            let spread = relative_iqr(&values);
            (values.len() >= FLOOR_MIN_RUNS && spread.is_finite()).then(|| Floor {
                run_spread: spread,
                reach: None,
                processes: 0,
                runs: values.len(),
                reference: median(&values),
                k: options.floor_k,
            })
        };

        let scale_b = base.scale();
        let scale_n = now.scale();
        let mut gb = groups(base, |s| Some(s.wall_s * scale_b));
        let mut gn = groups(now, |s| Some(s.wall_s * scale_n / drift));
        let mut wall_floor = runs_of(Metric::MedianWall, &|_, v| Some(v));
        if mode == Mode::WithinRunRatio {
            skipped_single_values |= base.throughput_per_s.is_some()
                || base.latency_us.is_some()
                || base.peak_rss_bytes.is_some();
            if base.runner == BASELINE_RUNNER {
                check.not_compared.push((
                    key,
                    format!("`{BASELINE_RUNNER}` is the reference of within-run ratios"),
                ));
                continue;
            }
            let sides = [
                ("the baseline", seq_base.get(&base.workload)),
                ("the results", seq_now.get(&base.workload)),
            ];
            let missing: Vec<&str> = sides
                .iter()
                .filter(|(_, m)| m.is_none())
                .map(|(side, _)| *side)
                .collect();
            if !missing.is_empty() {
                check.not_compared.push((
                    key,
                    format!(
                        "no finished `{BASELINE_RUNNER}` cell of workload `{}` in {} to take \
                         ratios to",
                        base.workload,
                        missing.join(" or ")
                    ),
                ));
                continue;
            }
            let (sb, sn) = (seq_base[&base.workload], seq_now[&base.workload]);
            gb.iter_mut().flatten().for_each(|w| *w /= sb);
            gn.iter_mut().flatten().for_each(|w| *w /= sn);
            // The floor of a ratio: the spread of the per-run ratios to seq.
            let seq_key = format!("{BASELINE_RUNNER}/{}/t1", base.workload);
            let seq_runs = cell_repeats(&seq_key).map(|r| r.median_wall_s.clone());
            wall_floor = seq_runs.and_then(|seq_runs| {
                runs_of(Metric::MedianWall, &|i, v| {
                    Some(v / seq_runs.get(i).copied().flatten()?)
                })
            });
        }
        let wall_floor = wall_floor.map(|f| f.with_reach(&gb));
        let (nb, nn) = (flat(&gb).len(), flat(&gn).len());
        if nb < MIN_SAMPLES || nn < MIN_SAMPLES {
            check.not_compared.push((
                key.clone(),
                format!(
                    "median wall: {} in the baseline and {} in the results; at least \
                     {MIN_SAMPLES} per side needed",
                    plural(nb, "undisturbed sample", "undisturbed samples"),
                    nn
                ),
            ));
        } else {
            let (mb, mn) = (
                wall_floor.map_or_else(|| median(&flat(&gb)), |f| f.reference),
                median(&flat(&gn)),
            );
            if mb > 0.0 && mb.is_finite() && mn.is_finite() {
                let mut f = finding(base, Metric::MedianWall, mb, mn);
                f.set_floor(wall_floor);
                without_floor += usize::from(f.floor.is_none());
                pending.push(Pending {
                    reference: wall_floor.map(|f| f.reference),
                    finding: f,
                    base: gb,
                    now: gn,
                });
            } else {
                check.not_compared.push((
                    key.clone(),
                    "median wall: the baseline's median is zero or not a number".to_owned(),
                ));
            }
        }
        if mode != Mode::Absolute {
            continue;
        }

        // Throughput: ops / wall per sample, never a single value.
        let rate = |s: &Sample| {
            s.ops
                .filter(|_| s.wall_s > 0.0)
                .map(|o| o as f64 / s.wall_s)
        };
        let has_ops = |c: &Cell| {
            c.samples
                .iter()
                .filter(|s| !s.disturbed)
                .all(|s| s.ops.is_some())
        };
        if base.throughput_per_s.is_some() || now.throughput_per_s.is_some() {
            let ops: BTreeSet<u64> = [base, *now]
                .iter()
                .flat_map(|c| c.samples.iter().filter(|s| !s.disturbed))
                .filter_map(|s| s.ops)
                .collect();
            if !(has_ops(base) && has_ops(now)) {
                throughput_without_ops += 1;
            } else if ops.len() <= 1 {
                throughput_by_wall += 1;
            } else {
                let tb = groups(base, rate);
                let tn = groups(now, |s| rate(s).map(|r| r * drift));
                let tp_floor =
                    runs_of(Metric::Throughput, &|_, v| Some(v)).map(|f| f.with_reach(&tb));
                let mb = tp_floor.map_or_else(|| median(&flat(&tb)), |f| f.reference);
                let mn = median(&flat(&tn));
                if flat(&tb).len() >= MIN_SAMPLES && flat(&tn).len() >= MIN_SAMPLES && mb > 0.0 {
                    let mut f = finding(base, Metric::Throughput, mb, mn);
                    f.set_floor(tp_floor);
                    pending.push(Pending {
                        reference: tp_floor.map(|f| f.reference),
                        finding: f,
                        base: tb,
                        now: tn,
                    });
                }
            }
        }

        // Latency p99: each sample's own p99, tested per sample like wall time. The
        // p99 merged over a handful of samples is a tail statistic that moves by tens
        // of percent between identical runs; judging it against a floor from three
        // runs raised false alarms on every self-check of the whole matrix.
        let p99 = |s: &Sample| s.latency_p99_us;
        let (lb, ln) = (groups(base, p99), groups(now, p99));
        if flat(&lb).len() >= MIN_SAMPLES && flat(&ln).len() >= MIN_SAMPLES {
            // The floor: the larger of the runs' spread of their merged p99s and the
            // reach of the baseline's processes' median p99s around the median of
            // all its samples' p99s (the value the test compares).
            let (mb, mn) = (median(&flat(&lb)), median(&flat(&ln)));
            let floor = runs_of(Metric::LatencyP99, &|_, v| Some(v))
                .map(|f| Floor { reference: mb, ..f }.with_reach(&lb));
            if mb > 0.0 && mb.is_finite() && mn.is_finite() {
                let mut f = finding(base, Metric::LatencyP99, mb, mn);
                f.set_floor(floor);
                pending.push(Pending {
                    reference: None,
                    finding: f,
                    base: lb,
                    now: ln,
                });
            }
        }

        // True single values: peak RSS, one per process. The median of the
        // processes' peaks, not their maximum: a check of 2 processes against a
        // baseline of 9 would otherwise read as a smaller peak every time.
        let (peaks_b, peaks_n) = (
            base.process_peaks_rss_bytes(),
            now.process_peaks_rss_bytes(),
        );
        let single = [(
            Metric::PeakRss,
            (!peaks_b.is_empty()).then(|| median(&peaks_b)),
            (!peaks_n.is_empty()).then(|| median(&peaks_n)),
            peaks_b,
        )];
        for (metric, b, n, processes) in single {
            let (Some(b), Some(n)) = (b, n) else {
                continue;
            };
            let per_process: Vec<Vec<f64>> = processes.iter().map(|p| vec![*p]).collect();
            let floor = runs_of(metric, &|_, v| Some(v)).map(|f| f.with_reach(&per_process));
            let b = floor.map_or(b, |f| f.reference);
            if !(b > 0.0 && b.is_finite() && n.is_finite()) {
                check.not_compared.push((
                    key.clone(),
                    format!("{metric}: the baseline's value is zero or not a number"),
                ));
                continue;
            }
            let mut f = finding(base, metric, b, n);
            f.set_floor(floor);
            f.band = options.band(metric).max(f.floor.unwrap_or(0.0));
            f.detectable = Some(f.band);
            let beyond = band_verdict(metric, f.change + 1.0, f.change + 1.0, f.band);
            f.verdict = if metric == Metric::PeakRss && (n - b).abs() < RSS_MIN_BYTES {
                Verdict::NoChange
            } else {
                beyond
            };
            f.verdict = too_noisy(f.verdict, f.floor, options.band(metric));
            check.findings.push(f);
        }
    }

    // Every sampled comparison is a test; correct across all of them, then decide.
    let m = pending.len();
    let threshold = options.alpha / m.max(1) as f64;
    // Enough hierarchical resamples that a bootstrap p can fall below alpha / m.
    let resamples_h = options
        .resamples
        .max((20.0 / threshold).ceil() as usize)
        .min(200_000);
    let mut evaluated: Vec<(Finding, [usize; 2])> = Vec::with_capacity(m);
    for Pending {
        mut finding,
        base,
        now,
        reference,
    } in pending
    {
        let seed = match finding.metric {
            Metric::MedianWall => options.seed ^ fnv1a(&finding.cell),
            metric => options.seed ^ fnv1a(&finding.cell) ^ fnv1a(metric.name()),
        };
        let (fb, fnow) = (flat(&base), flat(&now));
        let method = if base.len() >= 2 && now.len() >= 2 {
            Method::Processes
        } else {
            Method::Samples
        };
        let (ci, p) = match method {
            Method::Processes => {
                let (ci, p) = hierarchical_ratio_of_medians(&base, &now, resamples_h, seed);
                let ci = match reference {
                    Some(r) => {
                        let [lo, hi] = hierarchical_median_ci(&now, options.resamples, seed);
                        [lo / r, hi / r]
                    }
                    None => ci,
                };
                (ci, p)
            }
            Method::Samples => {
                let ci = match reference {
                    Some(r) => {
                        let [lo, hi] = bootstrap_median_ci(&fnow, options.resamples, seed);
                        [lo / r, hi / r]
                    }
                    None => bootstrap_ratio_of_medians_ci(&fb, &fnow, options.resamples, seed),
                };
                (ci, mann_whitney_u(&fnow, &fb).p_two_sided)
            }
        };
        let (bb, bw) = side_spread(&base);
        let (nb, nw) = side_spread(&now);
        finding.spread = Some(Spread {
            method,
            processes: [base.len(), now.len()],
            samples: [fb.len(), fnow.len()],
            between_process: [bb, nb],
            within_process: [bw, nw],
        });
        finding.ci95 = Some(ci);
        finding.p = Some(p);
        let min_p = match method {
            Method::Processes => 2.0 / (resamples_h + 1) as f64,
            Method::Samples => mann_whitney_min_p(fb.len(), fnow.len()),
        };
        finding.band = options
            .band(finding.metric)
            .max(finding.floor.unwrap_or(0.0));
        finding.detectable = (min_p < threshold).then(|| finding.band + (ci[1] - ci[0]) / 2.0);
        evaluated.push((finding, [fb.len(), fnow.len()]));
    }
    let raw: Vec<f64> = evaluated.iter().map(|(f, _)| f.p.unwrap_or(1.0)).collect();
    let adjusted = options.correction.adjust(&raw);
    for ((f, _), p_adj) in evaluated.iter_mut().zip(adjusted) {
        f.p_adjusted = Some(p_adj);
        let [lo, hi] = f.ci95.unwrap_or([f64::NAN; 2]);
        let verdict = if p_adj < options.alpha {
            band_verdict(f.metric, lo, hi, f.band)
        } else {
            Verdict::NoChange
        };
        f.verdict = too_noisy(verdict, f.floor, options.band(f.metric));
    }
    // A derived metric never outruns its base: throughput counts as a change only
    // where its own per-sample test found one (it has no finding otherwise).
    let sample_tests: Vec<(Finding, [usize; 2])> = evaluated
        .iter()
        .filter(|(f, _)| {
            f.spread
                .as_ref()
                .is_some_and(|s| s.method == Method::Samples)
        })
        .cloned()
        .collect();
    if let Some(note) = too_few_samples_note(&sample_tests, m, options) {
        check.notes.push(note);
    }
    check.findings.extend(evaluated.into_iter().map(|(f, _)| f));
    let single_process = check
        .findings
        .iter()
        .filter(|f| {
            f.spread
                .as_ref()
                .is_some_and(|s| s.method == Method::Samples)
        })
        .count();
    if single_process > 0 {
        check.notes.push(format!(
            "{} of one process on a side: their samples are tested as independent \
             (Mann-Whitney U), so the spread between processes, which a run-to-run \
             comparison also carries, is not in their p-values or intervals.",
            plural(
                single_process,
                "comparison has samples",
                "comparisons have samples"
            )
        ));
    }
    if without_floor > 0 && run_count < FLOOR_MIN_RUNS {
        check.notes.push(format!(
            "No noise floor: the baseline is {} (fewer than {FLOOR_MIN_RUNS}), so each cell \
             is judged against the configured band alone. Make the baseline from at least \
             {FLOOR_MIN_RUNS} runs (`baseline save` of {FLOOR_MIN_RUNS} results files, or \
             `baseline calibrate`) to give every cell its own floor.",
            plural(run_count, "single run", "runs")
        ));
    } else if without_floor > 0 {
        check.notes.push(format!(
            "{} fewer than {FLOOR_MIN_RUNS} undisturbed baseline runs: no noise floor, \
             judged against the configured band alone.",
            plural(without_floor, "cell has", "cells have")
        ));
    }
    if excluded_samples > 0 {
        check.notes.push(format!(
            "{} marked disturbed (other load on the machine, kept after the re-takes ran \
             out) left out of every test.",
            plural(excluded_samples, "sample", "samples")
        ));
    }
    if throughput_by_wall > 0 {
        check.notes.push(format!(
            "Throughput of {} is operations ÷ wall time with the same operations in every \
             sample: it is judged by its median wall time, not as a separate finding.",
            plural(throughput_by_wall, "cell", "cells")
        ));
    }
    if throughput_without_ops > 0 {
        check.notes.push(format!(
            "Throughput of {} not compared: samples without operation counts (files before \
             schema 3) leave only a single value, and a single value derived from the \
             samples would skip their test.",
            plural(throughput_without_ops, "cell is", "cells are")
        ));
    }
    if skipped_single_values {
        check.notes.push(
            "Within-run ratio mode compares median wall times only: throughput, latency p99 \
             and peak RSS are single values per cell with no within-run reference, so they \
             are not compared across different machines."
                .to_owned(),
        );
    }
    if both_not_applicable > 0 {
        check.notes.push(format!(
            "{} not applicable on both sides (the workload does not apply to the runner) and \
             skipped.",
            plural(both_not_applicable, "cell is", "cells are")
        ));
    }
    check.not_compared.sort();
    check.applicability_changed.sort();
    check.disturbed.sort();
    check.sort();
    check
}

impl Finding {
    /// Records `floor` (none: the configured band alone applies).
    fn set_floor(&mut self, floor: Option<Floor>) {
        self.floor = floor.map(|f| f.value());
        self.runs = floor.map_or(0, |f| f.runs);
        self.run_spread = floor.map(|f| f.run_spread);
        self.reach = floor.and_then(|f| f.reach);
        self.floor_processes = floor.map_or(0, |f| f.processes);
    }
}

/// `verdict`, or [`Verdict::TooNoisy`] in place of "no change" where the cell's
/// floor is above the requested band.
fn too_noisy(verdict: Verdict, floor: Option<f64>, band: f64) -> Verdict {
    match (verdict, floor) {
        (Verdict::NoChange, Some(floor)) if floor > band => Verdict::TooNoisy,
        (v, _) => v,
    }
}

/// `: ` and the first line of `cell`'s error, cut at 120 characters; empty
/// without an error.
fn error_line(cell: &Cell) -> String {
    cell.error
        .as_deref()
        .and_then(|e| e.lines().next())
        .map(|e| {
            let short: String = e.chars().take(120).collect();
            if short.len() < e.len() {
                format!(": {short}…")
            } else {
                format!(": {short}")
            }
        })
        .unwrap_or_default()
}

/// How a cell that is `n/a` on exactly one side differs: each side's status, with
/// the reason the workload does not apply (and any failure's first line).
fn applicability_change(base: &Cell, now: &Cell) -> String {
    let side = |cell: &Cell, name: &str| -> String {
        let reason = if cell.status == Status::Ok {
            String::new()
        } else {
            error_line(cell)
        };
        format!("{} in the {name}{reason}", cell.status.as_str())
    };
    format!("{}; {}", side(base, "baseline"), side(now, "results"))
}

/// A finding with the values filled in and no verdict yet.
fn finding(cell: &Cell, metric: Metric, baseline: f64, now: f64) -> Finding {
    Finding {
        cell: cell.key(),
        runner: cell.runner.clone(),
        workload: cell.workload.clone(),
        threads: cell.threads,
        metric,
        baseline,
        now,
        change: now / baseline - 1.0,
        ci95: None,
        p: None,
        p_adjusted: None,
        verdict: Verdict::NoChange,
        band: 0.0,
        floor: None,
        runs: 0,
        run_spread: None,
        reach: None,
        floor_processes: 0,
        detectable: None,
        spread: None,
    }
}

/// The verdict of a ratio interval `[lo, hi]` (a point for single values) against
/// the band, in the metric's direction.
fn band_verdict(metric: Metric, lo: f64, hi: f64, band: f64) -> Verdict {
    let (above, below) = (lo > 1.0 + band, hi < 1.0 - band);
    match (above, below, metric.higher_is_better()) {
        (true, _, false) | (_, true, true) => Verdict::Regression,
        (true, _, true) | (_, true, false) => Verdict::Improvement,
        _ => Verdict::NoChange,
    }
}

/// Cells by (runner, workload, threads); a duplicate is noted and the first kept.
fn index<'a>(
    cells: &'a [Cell],
    side: &str,
    notes: &mut Vec<String>,
) -> BTreeMap<(&'a str, &'a str, usize), &'a Cell> {
    let mut map = BTreeMap::new();
    for cell in cells {
        let id = (cell.runner.as_str(), cell.workload.as_str(), cell.threads);
        if let std::collections::btree_map::Entry::Vacant(slot) = map.entry(id) {
            slot.insert(cell);
        } else {
            notes.push(format!(
                "The {side} has cell {} more than once; the first one is used.",
                cell.key()
            ));
        }
    }
    map
}

/// Why a matched pair cannot be compared at all: a side did not finish.
fn not_ok(base: &Cell, now: &Cell) -> Option<String> {
    let why = |cell: &Cell, side: &str| -> Option<String> {
        let status = match cell.status {
            Status::Ok => return None,
            Status::Failed => "failed",
            Status::Timeout => "timed out",
            Status::NotApplicable => "n/a",
        };
        let error = error_line(cell);
        Some(format!("{status} in the {side}{error}"))
    };
    if base.status != Status::Ok && base.status == now.status && base.error == now.error {
        return why(base, "baseline and the results");
    }
    let reasons: Vec<String> = [why(base, "baseline"), why(now, "results")]
        .into_iter()
        .flatten()
        .collect();
    (!reasons.is_empty()).then(|| reasons.join("; "))
}

/// Median wall time (scaled) of the `seq` cell of each workload that has a
/// finished one with samples (the one with fewest threads if several).
fn seq_medians(results: &Results) -> BTreeMap<String, f64> {
    let mut best: BTreeMap<String, (usize, f64)> = BTreeMap::new();
    for cell in &results.cells {
        if cell.runner != BASELINE_RUNNER || cell.status != Status::Ok || cell.samples.is_empty() {
            continue;
        }
        let walls: Vec<f64> = cell.samples.iter().map(|s| s.wall_s).collect();
        let wall = median(&walls) * cell.scale();
        if !(wall > 0.0 && wall.is_finite()) {
            continue;
        }
        let entry = best
            .entry(cell.workload.clone())
            .or_insert((cell.threads, wall));
        if cell.threads < entry.0 {
            *entry = (cell.threads, wall);
        }
    }
    best.into_iter().map(|(w, (_, wall))| (w, wall)).collect()
}

/// The one note about sample counts too small for any significant result, if
/// some compared cell has them.
fn too_few_samples_note(
    tests: &[(Finding, [usize; 2])],
    m: usize,
    options: &CheckOptions,
) -> Option<String> {
    if tests.is_empty() || m == 0 {
        return None;
    }
    let threshold = options.alpha / m as f64;
    let short: Vec<(f64, [usize; 2])> = tests
        .iter()
        .map(|(_, [nb, nn])| (mann_whitney_min_p(*nb, *nn), [*nb, *nn]))
        .filter(|(min_p, _)| *min_p >= threshold)
        .collect();
    let (worst_p, [nb, nn]) = short.iter().copied().max_by(|a, b| a.0.total_cmp(&b.0))?;
    let needed = (MIN_SAMPLES..=10_000)
        .find(|&n| mann_whitney_min_p(n, n) < threshold)
        .unwrap_or(10_000);
    Some(format!(
        "Too few samples for a significant result in {} of {m} compared cells: with {nb} \
         baseline and {nn} new samples the smallest two-sided Mann-Whitney p-value possible is \
         {}, and after {} correction over {m} tests the smallest p must be below {} / {m} = {}. \
         No median-wall regression or improvement can be reported for them; record at least \
         {needed} samples per side.",
        short.len(),
        format_p(worst_p),
        options.correction.name(),
        options.alpha,
        format_p(threshold),
    ))
}

/// FNV-1a of a cell key: independent, order-free bootstrap streams per cell.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

//! The judging: each cell's samples grouped by process, its floor, the tests and
//! their correction, and the verdicts, by the rule in the module documentation.
//!
//! [`check_with_repeats`] drives it: it matches the cells and measures the drift,
//! screens each matched pair (`screen`), judges it metric by metric (`wall`,
//! `throughput`, `latency`, `peak_rss`), then tests every sampled comparison and
//! corrects across all of them (`decide`) and adds the notes (`notes`). The
//! pieces they share (grouping samples, the run-to-run floor) are in `samples`.

use super::{
    CALIBRATION_CELLS, Check, CheckOptions, Finding, Metric, Mode, Verdict, machine_differences,
};
use crate::floor::Floor;
use crate::model::{Cell, CellRepeats, Repeats, Results};
use std::collections::BTreeMap;

mod decide;
mod drift;
mod latency;
mod notes;
mod peak_rss;
mod samples;
mod screen;
mod throughput;
mod wall;

/// A sampled comparison waiting for the corrected p-values.
struct Pending {
    finding: Finding,
    base: Vec<Vec<f64>>,
    now: Vec<Vec<f64>>,
    /// The baseline's reference value when it comes from repeated runs (the median
    /// of the runs' medians, taken as exact: the floor covers its uncertainty).
    reference: Option<f64>,
}

/// What judging a cell needs from the whole check.
struct Judge<'a> {
    options: &'a CheckOptions,
    mode: Mode,
    repeats: Option<&'a Repeats>,
    /// The calibration cells usable on both sides (absolute mode only).
    calibration: Vec<String>,
    /// What every time of the results is divided by: the drift when the check
    /// normalises by it, else 1.
    drift: f64,
    /// Median wall of each workload's `seq` cell (and of every other baseline
    /// a runner names), by runner and workload, per side (for ratio mode).
    seq_base: BTreeMap<(String, String), f64>,
    seq_now: BTreeMap<(String, String), f64>,
    /// The two files, for the baseline each runner names.
    baseline: &'a Results,
    results: &'a Results,
}

impl Judge<'_> {
    /// The baseline's repeated values of the cell `key`, if it has them.
    fn cell_repeats(&self, key: &str) -> Option<&CellRepeats> {
        self.repeats?.cells.get(key)
    }
}

/// One matched pair of cells being judged.
struct Pair<'a> {
    key: String,
    base: &'a Cell,
    now: &'a Cell,
    /// The baseline's repeated values of this cell.
    reps: Option<&'a CellRepeats>,
}

/// What judging the cells gathers besides the check's own lists: the sampled
/// comparisons still to test and the counts the closing notes report.
#[derive(Default)]
struct Tally {
    pending: Vec<Pending>,
    skipped_single_values: bool,
    both_not_applicable: usize,
    excluded_samples: usize,
    throughput_by_wall: usize,
    throughput_without_ops: usize,
    without_floor: usize,
}

/// Compares `results` with `baseline`, with `repeats` the baseline's repeated runs
/// if it has them, by the rule in the module documentation.
pub fn check_with_repeats(
    baseline: &Results,
    repeats: Option<&Repeats>,
    results: &Results,
    options: &CheckOptions,
) -> Check {
    let mut check = empty_check(baseline, results, options);
    let base_cells = screen::index(&baseline.cells, "baseline", &mut check.notes);
    let now_cells = screen::index(&results.cells, "results", &mut check.notes);
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

    let judge = prepare(baseline, repeats, results, options, &mut check);
    let mut tally = Tally::default();
    for (id, base) in &base_cells {
        if let Some(now) = now_cells.get(id) {
            judge_pair(&judge, base, now, &mut check, &mut tally);
        }
    }

    let m = tally.pending.len();
    let evaluated = decide::decide(std::mem::take(&mut tally.pending), options);
    if let Some(note) = notes::too_few_samples(&evaluated, m, options) {
        check.notes.push(note);
    }
    check.findings.extend(evaluated.into_iter().map(|(f, _)| f));
    let run_count = repeats.map_or(1, |r| r.runs.len());
    notes::closing(&mut check, &tally, run_count);
    check.not_compared.sort();
    check.applicability_changed.sort();
    check.disturbed.sort();
    check.sort();
    check
}

/// A check with its mode chosen from the machines and nothing judged yet.
fn empty_check(baseline: &Results, results: &Results, options: &CheckOptions) -> Check {
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
    check
}

/// The whole check's part of judging each cell: the machine's drift since the
/// baseline (recorded in `check`) and each workload's `seq` medians.
fn prepare<'a>(
    baseline: &'a Results,
    repeats: Option<&'a Repeats>,
    results: &'a Results,
    options: &'a CheckOptions,
    check: &mut Check,
) -> Judge<'a> {
    let mode = check.mode;
    let calibration = if mode == Mode::Absolute {
        drift::calibration_keys(baseline, results)
    } else {
        Vec::new()
    };
    check.drift = drift::measure(baseline, repeats, results, &calibration, options);
    let drift = check
        .drift
        .as_ref()
        .filter(|d| d.normalized)
        .map_or(1.0, |d| d.factor);
    if mode == Mode::WithinRunRatio {
        if let Some(note) = own_baselines_note(baseline, results) {
            check.notes.push(note);
        }
    }
    if options.normalize && mode == Mode::Absolute && check.drift.is_none() {
        check.notes.push(format!(
            "Normalisation was asked for, but no calibration cell ({} or a single-threaded \
             spawn cell) finished undisturbed on both sides: cells are judged without it.",
            CALIBRATION_CELLS[0]
        ));
    }
    Judge {
        options,
        mode,
        repeats,
        calibration,
        drift,
        seq_base: wall::seq_medians(baseline),
        seq_now: wall::seq_medians(results),
        baseline,
        results,
    }
}

/// In ratio mode, which runners are divided by another baseline than `seq`: the
/// one they name (`runners[].baseline`); `None` when none does.
fn own_baselines_note(baseline: &Results, results: &Results) -> Option<String> {
    let mut by_reference: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for file in [baseline, results] {
        for meta in &file.runners {
            // The reference itself is not compared at all.
            let Some(reference) = meta.baseline.as_deref().filter(|b| *b != meta.id) else {
                continue;
            };
            let runners = by_reference.entry(reference).or_default();
            if !runners.contains(&meta.id.as_str()) {
                runners.push(&meta.id);
            }
        }
    }
    if by_reference.is_empty() {
        return None;
    }
    let each: Vec<String> = by_reference
        .iter()
        .map(|(reference, runners)| {
            let runners: Vec<String> = runners.iter().map(|r| r.to_string()).collect();
            format!("{} by `{reference}`", crate::text::join_and(&runners))
        })
        .collect();
    Some(format!(
        "Runners that name their own baseline are divided by it, not by `{}`: {}.",
        crate::summary::BASELINE_RUNNER,
        each.join("; ")
    ))
}

/// Judges one matched pair, metric by metric, unless the screen keeps it out.
fn judge_pair(judge: &Judge<'_>, base: &Cell, now: &Cell, check: &mut Check, tally: &mut Tally) {
    let key = base.key();
    let pair = Pair {
        reps: judge.cell_repeats(&key),
        key,
        base,
        now,
    };
    if !screen::admit(judge, &pair, check, tally) {
        return;
    }
    wall::judge(judge, &pair, check, tally);
    if judge.mode != Mode::Absolute {
        return;
    }
    throughput::judge(judge, &pair, tally);
    latency::judge(judge, &pair, tally);
    peak_rss::judge(judge, &pair, check);
}

impl Finding {
    /// A finding of `metric` on `cell` with the values filled in and no verdict yet.
    fn unjudged(cell: &Cell, metric: Metric, baseline: f64, now: f64) -> Finding {
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

    /// Records `floor` (none: the configured band alone applies).
    fn set_floor(&mut self, floor: Option<Floor>) {
        self.floor = floor.map(|f| f.value());
        self.runs = floor.map_or(0, |f| f.runs);
        self.run_spread = floor.map(|f| f.run_spread);
        self.reach = floor.and_then(|f| f.reach);
        self.floor_processes = floor.map_or(0, |f| f.processes);
    }
}

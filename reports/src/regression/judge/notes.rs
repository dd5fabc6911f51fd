//! The notes a check closes with: what a reader must know to interpret its
//! verdicts (samples too few for significance, tests across samples of one
//! process, missing noise floors, what was left out or judged another way).

use super::Tally;
use crate::regression::{
    Check, CheckOptions, FLOOR_MIN_RUNS, Finding, MIN_SAMPLES, Method, format_p,
};
use crate::stats::mann_whitney_min_p;
use crate::text::plural;

/// The one note about sample counts too small for any significant result, if
/// some comparison of the `m` tested across samples (`evaluated`, with each one's
/// sample counts per side) has them.
pub(super) fn too_few_samples(
    evaluated: &[(Finding, [usize; 2])],
    m: usize,
    options: &CheckOptions,
) -> Option<String> {
    let tests: Vec<[usize; 2]> = evaluated
        .iter()
        .filter(|(f, _)| {
            f.spread
                .as_ref()
                .is_some_and(|s| s.method == Method::Samples)
        })
        .map(|(_, counts)| *counts)
        .collect();
    if tests.is_empty() || m == 0 {
        return None;
    }
    let threshold = options.alpha / m as f64;
    let short: Vec<(f64, [usize; 2])> = tests
        .iter()
        .map(|[nb, nn]| (mann_whitney_min_p(*nb, *nn), [*nb, *nn]))
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

/// Adds the notes that follow the findings, from the check's findings and the
/// counts in `tally`; `run_count` is the baseline's runs (1 without repeats).
pub(super) fn closing(check: &mut Check, tally: &Tally, run_count: usize) {
    let single_process = check
        .findings
        .iter()
        .filter(|f| {
            f.spread
                .as_ref()
                .is_some_and(|s| s.method == Method::Samples)
        })
        .count();
    let notes = &mut check.notes;
    if single_process > 0 {
        notes.push(format!(
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
    if let Some(note) = floor_note(tally.without_floor, run_count) {
        notes.push(note);
    }
    if tally.excluded_samples > 0 {
        notes.push(format!(
            "{} marked disturbed (other load on the machine, kept after the re-takes ran \
             out) left out of every test.",
            plural(tally.excluded_samples, "sample", "samples")
        ));
    }
    if tally.throughput_by_wall > 0 {
        notes.push(format!(
            "Throughput of {} is operations ÷ wall time with the same operations in every \
             sample: it is judged by its median wall time, not as a separate finding.",
            plural(tally.throughput_by_wall, "cell", "cells")
        ));
    }
    if tally.throughput_without_ops > 0 {
        notes.push(format!(
            "Throughput of {} not compared: samples without operation counts (files before \
             schema 3) leave only a single value, and a single value derived from the \
             samples would skip their test.",
            plural(tally.throughput_without_ops, "cell is", "cells are")
        ));
    }
    if tally.skipped_single_values {
        notes.push(
            "Within-run ratio mode compares median wall times only: throughput, latency p99 \
             and peak RSS are single values per cell with no within-run reference, so they \
             are not compared across different machines."
                .to_owned(),
        );
    }
    if tally.both_not_applicable > 0 {
        notes.push(format!(
            "{} not applicable on both sides (the workload does not apply to the runner) and \
             skipped.",
            plural(tally.both_not_applicable, "cell is", "cells are")
        ));
    }
}

/// The note on cells judged without a noise floor, `without_floor` of them, with
/// a baseline of `run_count` runs.
fn floor_note(without_floor: usize, run_count: usize) -> Option<String> {
    if without_floor == 0 {
        None
    } else if run_count < FLOOR_MIN_RUNS {
        Some(format!(
            "No noise floor: the baseline is {} (fewer than {FLOOR_MIN_RUNS}), so each cell \
             is judged against the configured band alone. Make the baseline from at least \
             {FLOOR_MIN_RUNS} runs (`baseline save` of {FLOOR_MIN_RUNS} results files, or \
             `baseline calibrate`) to give every cell its own floor.",
            plural(run_count, "single run", "runs")
        ))
    } else {
        Some(format!(
            "{} fewer than {FLOOR_MIN_RUNS} undisturbed baseline runs: no noise floor, \
             judged against the configured band alone.",
            plural(without_floor, "cell has", "cells have")
        ))
    }
}

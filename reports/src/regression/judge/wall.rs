//! Median wall time: every sample's wall (scaled by its cell's extrapolation, the
//! results' divided by the drift when normalising), as measured or, across
//! differing machines, as a ratio to its own file's `seq` on the same workload —
//! or to the baseline its runner names instead (`runners[].baseline`: the CPython
//! runners' `cpython-seq`), the runner its speedups are taken against.

use super::samples::{flat, groups};
use super::{Judge, Pair, Pending, Tally};
use crate::floor::Floor;
use crate::model::{Results, Status};
use crate::regression::{Check, Finding, MIN_SAMPLES, Metric, Mode};
use crate::stats::median;
use crate::summary::baseline_of;
use crate::text::plural;
use std::collections::BTreeMap;

/// Queues the median-wall comparison of `pair` for its test, or lists why it is
/// not compared.
pub(super) fn judge(judge: &Judge<'_>, pair: &Pair<'_>, check: &mut Check, tally: &mut Tally) {
    let (base, now, key) = (pair.base, pair.now, &pair.key);
    let (scale_b, scale_n) = (base.scale(), now.scale());
    let mut gb = groups(base, |s| Some(s.wall_s * scale_b));
    let mut gn = groups(now, |s| Some(s.wall_s * scale_n / judge.drift));
    let floor = match judge.mode {
        Mode::Absolute => {
            pair.run_floor(Metric::MedianWall, judge.options.floor_k, &|_, v| Some(v))
        }
        Mode::WithinRunRatio => {
            tally.skipped_single_values |= base.throughput_per_s.is_some()
                || base.latency_us.is_some()
                || base.peak_rss_bytes.is_some();
            match to_ratios(judge, pair, &mut gb, &mut gn) {
                Ok(floor) => floor,
                Err(why) => {
                    check.not_compared.push((key.clone(), why));
                    return;
                }
            }
        }
    };
    let floor = floor.map(|f| f.with_reach(&gb));
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
        return;
    }
    let (mb, mn) = (
        floor.map_or_else(|| median(&flat(&gb)), |f| f.reference),
        median(&flat(&gn)),
    );
    if !(mb > 0.0 && mb.is_finite() && mn.is_finite()) {
        check.not_compared.push((
            key.clone(),
            "median wall: the baseline's median is zero or not a number".to_owned(),
        ));
        return;
    }
    let mut f = Finding::unjudged(base, Metric::MedianWall, mb, mn);
    f.set_floor(floor);
    tally.without_floor += usize::from(f.floor.is_none());
    tally.pending.push(Pending {
        reference: floor.map(|f| f.reference),
        finding: f,
        base: gb,
        now: gn,
    });
}

/// Divides the grouped walls `gb` and `gn` by their side's median of the pair's
/// reference on its workload (`seq`, or the baseline the runner names), and
/// gives the floor of the ratio (the spread of the per-run ratios to the
/// reference); the reason the pair is not compared when the reference is the
/// pair itself or has no finished cell on a side.
fn to_ratios(
    judge: &Judge<'_>,
    pair: &Pair<'_>,
    gb: &mut [Vec<f64>],
    gn: &mut [Vec<f64>],
) -> Result<Option<Floor>, String> {
    let workload = &pair.base.workload;
    let (ref_base, ref_now) = (
        baseline_of(judge.baseline, &pair.base.runner),
        baseline_of(judge.results, &pair.now.runner),
    );
    if pair.base.runner == ref_base {
        return Err(format!(
            "`{ref_base}` is the reference of within-run ratios"
        ));
    }
    let key = |reference: &str| (reference.to_owned(), workload.clone());
    let (sb, sn) = (
        judge.seq_base.get(&key(ref_base)),
        judge.seq_now.get(&key(ref_now)),
    );
    let (Some(&sb), Some(&sn)) = (sb, sn) else {
        let missing: Vec<&str> = [("the baseline", sb), ("the results", sn)]
            .iter()
            .filter(|(_, m)| m.is_none())
            .map(|(side, _)| *side)
            .collect();
        return Err(format!(
            "no finished `{ref_base}` cell of workload `{workload}` in {} to take ratios to",
            missing.join(" or ")
        ));
    };
    gb.iter_mut().flatten().for_each(|w| *w /= sb);
    gn.iter_mut().flatten().for_each(|w| *w /= sn);
    let seq_key = format!("{ref_base}/{workload}/t1");
    let seq_runs = judge
        .cell_repeats(&seq_key)
        .map(|r| r.median_wall_s.clone());
    Ok(seq_runs.and_then(|seq_runs| {
        pair.run_floor(Metric::MedianWall, judge.options.floor_k, &|i, v| {
            Some(v / seq_runs.get(i).copied().flatten()?)
        })
    }))
}

/// Median wall time (scaled) of each reference runner's cell of each workload
/// that has a finished one with samples (the one with fewest threads if
/// several), by runner and workload: `seq`'s, and that of every baseline a
/// runner of `results` names.
pub(super) fn seq_medians(results: &Results) -> BTreeMap<(String, String), f64> {
    let references: Vec<&str> = results
        .cells
        .iter()
        .map(|c| baseline_of(results, &c.runner))
        .collect();
    let mut best: BTreeMap<(String, String), (usize, f64)> = BTreeMap::new();
    for cell in &results.cells {
        if !references.contains(&cell.runner.as_str())
            || cell.status != Status::Ok
            || cell.samples.is_empty()
        {
            continue;
        }
        let walls: Vec<f64> = cell.samples.iter().map(|s| s.wall_s).collect();
        let wall = median(&walls) * cell.scale();
        if !(wall > 0.0 && wall.is_finite()) {
            continue;
        }
        let entry = best
            .entry((cell.runner.clone(), cell.workload.clone()))
            .or_insert((cell.threads, wall));
        if cell.threads < entry.0 {
            *entry = (cell.threads, wall);
        }
    }
    best.into_iter().map(|(k, (_, wall))| (k, wall)).collect()
}

//! Throughput: operations ÷ wall time per sample, never a single value. Judged on
//! its own only where the samples count operations and those vary; with the same
//! operations in every sample it is a function of wall time, judged by that.

use super::samples::{flat, groups};
use super::{Judge, Pair, Pending, Tally};
use crate::model::{Cell, Sample};
use crate::regression::{Finding, MIN_SAMPLES, Metric};
use crate::stats::median;
use std::collections::BTreeSet;

/// Queues the throughput comparison of `pair` for its test where it is judged on
/// its own, else counts why not (for the notes).
pub(super) fn judge(judge: &Judge<'_>, pair: &Pair<'_>, tally: &mut Tally) {
    let (base, now) = (pair.base, pair.now);
    if base.throughput_per_s.is_none() && now.throughput_per_s.is_none() {
        return;
    }
    let ops: BTreeSet<u64> = [base, now]
        .iter()
        .flat_map(|c| c.samples.iter().filter(|s| !s.disturbed))
        .filter_map(|s| s.ops)
        .collect();
    if !(has_ops(base) && has_ops(now)) {
        tally.throughput_without_ops += 1;
        return;
    }
    if ops.len() <= 1 {
        tally.throughput_by_wall += 1;
        return;
    }
    let tb = groups(base, rate);
    let tn = groups(now, |s| rate(s).map(|r| r * judge.drift));
    let floor = pair
        .run_floor(Metric::Throughput, judge.options.floor_k, &|_, v| Some(v))
        .map(|f| f.with_reach(&tb));
    let mb = floor.map_or_else(|| median(&flat(&tb)), |f| f.reference);
    let mn = median(&flat(&tn));
    if flat(&tb).len() >= MIN_SAMPLES && flat(&tn).len() >= MIN_SAMPLES && mb > 0.0 {
        let mut f = Finding::unjudged(base, Metric::Throughput, mb, mn);
        f.set_floor(floor);
        tally.pending.push(Pending {
            reference: floor.map(|f| f.reference),
            finding: f,
            base: tb,
            now: tn,
        });
    }
}

/// A sample's operations per second, where it counts them.
fn rate(s: &Sample) -> Option<f64> {
    s.ops
        .filter(|_| s.wall_s > 0.0)
        .map(|o| o as f64 / s.wall_s)
}

/// Whether every undisturbed sample of `cell` counts its operations.
fn has_ops(c: &Cell) -> bool {
    c.samples
        .iter()
        .filter(|s| !s.disturbed)
        .all(|s| s.ops.is_some())
}

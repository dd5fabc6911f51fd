//! Latency p99: each sample's own p99, tested per sample like wall time. The p99
//! merged over a handful of samples is a tail statistic that moves by tens of
//! percent between identical runs; judging it against a floor from three runs
//! raised false alarms on every self-check of the whole matrix.

use super::samples::{flat, groups};
use super::{Judge, Pair, Pending, Tally};
use crate::floor::Floor;
use crate::model::Sample;
use crate::regression::{Finding, MIN_SAMPLES, Metric};
use crate::stats::median;

/// Queues the latency-p99 comparison of `pair` for its test, where both sides
/// have enough samples that carry a p99.
pub(super) fn judge(judge: &Judge<'_>, pair: &Pair<'_>, tally: &mut Tally) {
    let p99 = |s: &Sample| s.latency_p99_us;
    let (lb, ln) = (groups(pair.base, p99), groups(pair.now, p99));
    if flat(&lb).len() < MIN_SAMPLES || flat(&ln).len() < MIN_SAMPLES {
        return;
    }
    // The floor: the larger of the runs' spread of their merged p99s and the
    // reach of the baseline's processes' median p99s around the median of all
    // its samples' p99s (the value the test compares).
    let (mb, mn) = (median(&flat(&lb)), median(&flat(&ln)));
    let floor = pair
        .run_floor(Metric::LatencyP99, judge.options.floor_k, &|_, v| Some(v))
        .map(|f| Floor { reference: mb, ..f }.with_reach(&lb));
    if mb > 0.0 && mb.is_finite() && mn.is_finite() {
        let mut f = Finding::unjudged(pair.base, Metric::LatencyP99, mb, mn);
        f.set_floor(floor);
        tally.pending.push(Pending {
            reference: None,
            finding: f,
            base: lb,
            now: ln,
        });
    }
}

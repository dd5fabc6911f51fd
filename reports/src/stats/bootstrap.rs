//! Percentile-bootstrap intervals of a median and of a ratio of medians, flat and
//! hierarchical (processes, then samples within them), and the hierarchical
//! bootstrap test with its early stop.

use super::*;

/// A 95% percentile-bootstrap interval of the median of `samples`: the 2.5th and
/// 97.5th percentiles of the medians of `resamples` resamples drawn with
/// replacement. Deterministic for a given `seed`.
///
/// With one sample (or no resamples) the interval is that sample's median as a
/// point; with no samples it is `[NaN, NaN]`.
pub fn bootstrap_median_ci(samples: &[f64], resamples: usize, seed: u64) -> [f64; 2] {
    if samples.len() <= 1 || resamples == 0 {
        let m = median(samples);
        return [m, m];
    }
    let mut rng = Rng::new(seed);
    let mut scratch = vec![0.0; samples.len()];
    let mut medians = Vec::with_capacity(resamples);
    for _ in 0..resamples {
        for slot in scratch.iter_mut() {
            *slot = samples[rng.below(samples.len())];
        }
        scratch.sort_unstable_by(f64::total_cmp);
        medians.push(percentile_sorted(&scratch, 50.0));
    }
    medians.sort_unstable_by(f64::total_cmp);
    [
        percentile_sorted(&medians, 2.5),
        percentile_sorted(&medians, 97.5),
    ]
}

/// A 95% percentile-bootstrap interval of `median(now) / median(base)`: each
/// resample draws `base` and `now` independently with replacement (they are
/// independent runs), and the interval is the 2.5th and 97.5th percentiles of the
/// `resamples` ratios. Deterministic for a given `seed`.
///
/// With no resamples, or one sample on each side, the interval is the observed
/// ratio as a point; with an empty side it is `[NaN, NaN]`.
pub fn bootstrap_ratio_of_medians_ci(
    base: &[f64],
    now: &[f64],
    resamples: usize,
    seed: u64,
) -> [f64; 2] {
    if base.is_empty() || now.is_empty() {
        return [f64::NAN; 2];
    }
    if resamples == 0 || (base.len() == 1 && now.len() == 1) {
        let r = median(now) / median(base);
        return [r, r];
    }
    let mut rng = Rng::new(seed);
    let mut draw = |from: &[f64], scratch: &mut Vec<f64>| {
        scratch.clear();
        scratch.extend((0..from.len()).map(|_| from[rng.below(from.len())]));
        scratch.sort_unstable_by(f64::total_cmp);
        percentile_sorted(scratch, 50.0)
    };
    let (mut scratch_base, mut scratch_now) = (Vec::new(), Vec::new());
    let mut ratios = Vec::with_capacity(resamples);
    for _ in 0..resamples {
        let b = draw(base, &mut scratch_base);
        let n = draw(now, &mut scratch_now);
        ratios.push(n / b);
    }
    ratios.sort_unstable_by(f64::total_cmp);
    [
        percentile_sorted(&ratios, 2.5),
        percentile_sorted(&ratios, 97.5),
    ]
}

/// One hierarchical resample of `groups` (each group the samples of one cell
/// process): draw as many groups as there are, with replacement, then within each
/// drawn group as many samples as it has, with replacement; the median of all
/// the drawn samples together.
pub(super) fn hierarchical_draw(groups: &[Vec<f64>], rng: &mut Rng, scratch: &mut Vec<f64>) -> f64 {
    scratch.clear();
    for _ in 0..groups.len() {
        let group = &groups[rng.below(groups.len())];
        scratch.extend((0..group.len()).map(|_| group[rng.below(group.len())]));
    }
    median_in_place(scratch)
}

/// The median of `xs` (as [`median`] computes it), reordering `xs`: a selection in
/// linear time rather than a sort, for the bootstrap's inner loop.
pub(super) fn median_in_place(xs: &mut [f64]) -> f64 {
    let n = xs.len();
    if n == 0 {
        return f64::NAN;
    }
    let mid = (n - 1) / 2;
    let (_, &mut lower, above) = xs.select_nth_unstable_by(mid, f64::total_cmp);
    if n % 2 == 1 {
        return lower;
    }
    let upper = above
        .iter()
        .copied()
        .min_by(f64::total_cmp)
        .unwrap_or(lower);
    lower + (upper - lower) * 0.5
}

/// Resamples after which a bootstrap test may stop early, and the number of
/// resamples in each tail that lets it: once both tails hold this many, the p-value
/// is at least `2 × EARLY_STOP_TAIL / drawn`, above any threshold the full count
/// was chosen to resolve (Besag and Clifford's sequential Monte Carlo p-value).
pub(super) const EARLY_STOP_MIN: usize = 2_000;
pub(super) const EARLY_STOP_TAIL: usize = 20;

/// A hierarchical bootstrap of `median(now) / median(base)` where each side's
/// samples come in groups (one per cell process): each resample draws processes
/// with replacement, then samples within each drawn process, so the spread
/// between processes, not only within one, is in the result. Returns the 2.5th and 97.5th percentiles of the `resamples`
/// ratios and the two-sided bootstrap p-value of "the ratio is 1": twice the
/// smaller share of ratios at or beyond 1 on either side, counted as `(k + 1) /
/// (resamples + 1)`, capped at 1. It stops before `resamples` once, after 2,000
/// resamples, both sides of 1 hold 20: the p-value is then already far above
/// what the full count can resolve, and a check of 240 cells draws up to 200,000
/// resamples for each. Deterministic for a given `seed`. Empty groups are
/// ignored; an empty side gives `([NaN, NaN], 1.0)`.
///
/// ```
/// use rtcompare_reports::stats::hierarchical_ratio_of_medians;
/// let base = vec![vec![1.0, 1.01, 0.99], vec![1.1, 1.11, 1.09]];
/// let now: Vec<Vec<f64>> = base.iter().map(|g| g.iter().map(|x| x * 1.5).collect()).collect();
/// let ([lo, hi], p) = hierarchical_ratio_of_medians(&base, &now, 2000, 7);
/// assert!(lo > 1.2 && hi < 1.8, "[{lo}, {hi}]");
/// assert!(p < 0.01);
/// ```
pub fn hierarchical_ratio_of_medians(
    base: &[Vec<f64>],
    now: &[Vec<f64>],
    resamples: usize,
    seed: u64,
) -> ([f64; 2], f64) {
    let keep =
        |g: &[Vec<f64>]| -> Vec<Vec<f64>> { g.iter().filter(|g| !g.is_empty()).cloned().collect() };
    let (base, now) = (keep(base), keep(now));
    if base.is_empty() || now.is_empty() {
        return ([f64::NAN; 2], 1.0);
    }
    let resamples = resamples.max(1);
    let mut rng = Rng::new(seed);
    let (mut sb, mut sn) = (Vec::new(), Vec::new());
    let mut ratios = Vec::with_capacity(resamples.min(EARLY_STOP_MIN * 4));
    let (mut at_or_below, mut at_or_above) = (0, 0);
    for i in 0..resamples {
        let b = hierarchical_draw(&base, &mut rng, &mut sb);
        let n = hierarchical_draw(&now, &mut rng, &mut sn);
        let ratio = n / b;
        at_or_below += usize::from(ratio <= 1.0);
        at_or_above += usize::from(ratio >= 1.0);
        ratios.push(ratio);
        if i + 1 >= EARLY_STOP_MIN && at_or_below.min(at_or_above) >= EARLY_STOP_TAIL {
            break;
        }
    }
    ratios.sort_unstable_by(f64::total_cmp);
    let drawn = ratios.len();
    let tail = at_or_below.min(at_or_above);
    let p = (2.0 * (tail + 1) as f64 / (drawn + 1) as f64).min(1.0);
    (
        [
            percentile_sorted(&ratios, 2.5),
            percentile_sorted(&ratios, 97.5),
        ],
        p,
    )
}

/// A 95% hierarchical-bootstrap interval of the median of grouped samples (one
/// group per cell process), by the resampling of [`hierarchical_ratio_of_medians`];
/// with one group it is the ordinary percentile bootstrap of [`bootstrap_median_ci`].
pub fn hierarchical_median_ci(groups: &[Vec<f64>], resamples: usize, seed: u64) -> [f64; 2] {
    let groups: Vec<Vec<f64>> = groups.iter().filter(|g| !g.is_empty()).cloned().collect();
    match groups.len() {
        0 => [f64::NAN; 2],
        1 => bootstrap_median_ci(&groups[0], resamples, seed),
        _ => {
            let mut rng = Rng::new(seed);
            let mut scratch = Vec::new();
            let mut medians: Vec<f64> = (0..resamples.max(1))
                .map(|_| hierarchical_draw(&groups, &mut rng, &mut scratch))
                .collect();
            medians.sort_unstable_by(f64::total_cmp);
            [
                percentile_sorted(&medians, 2.5),
                percentile_sorted(&medians, 97.5),
            ]
        }
    }
}

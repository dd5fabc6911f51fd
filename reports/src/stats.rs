//! Pure statistics over samples: median, percentiles, the order-statistic interval
//! of a median with its exact coverage, percentile-bootstrap intervals of a median
//! and of a ratio of medians (also hierarchical: processes, then samples within
//! them), the relative interquartile range, the Mann-Whitney U test, the
//! Holm and Benjamini-Hochberg corrections for multiple tests, and the small seeded
//! PRNG they (and the harness's cell shuffle) use. No I/O, no allocation beyond
//! scratch copies of the input.
//!
//! ```
//! use rtcompare_reports::stats::{bootstrap_median_ci, median};
//!
//! let walls = [0.41, 0.40, 0.43, 0.39, 0.42];
//! assert_eq!(median(&walls), 0.41);
//! let [lo, hi] = bootstrap_median_ci(&walls, 2000, 42);
//! assert!(lo <= 0.41 && 0.41 <= hi);
//! ```

/// The middle value of `xs` (the mean of the two middle values for an even
/// count); NaN for an empty slice. NaNs in the input sort last.
pub fn median(xs: &[f64]) -> f64 {
    percentile(xs, 50.0)
}

/// The `p`-th percentile of `xs` (`p` in 0..=100, clamped), interpolating linearly
/// between the two nearest ranks (the "type 7" definition of R and NumPy, so the
/// 50th percentile is the median). NaN for an empty slice or a NaN `p`.
pub fn percentile(xs: &[f64], p: f64) -> f64 {
    let mut sorted = xs.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    percentile_sorted(&sorted, p)
}

/// [`percentile`] of a slice already sorted ascending.
fn percentile_sorted(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() || p.is_nan() {
        return f64::NAN;
    }
    let rank = p.clamp(0.0, 100.0) / 100.0 * (sorted.len() - 1) as f64;
    let below = rank.floor() as usize;
    let above = rank.ceil() as usize;
    let frac = rank - below as f64;
    if below == above || frac == 0.0 {
        sorted[below]
    } else {
        sorted[below] + (sorted[above] - sorted[below]) * frac
    }
}

/// A distribution-free interval for the median of `samples`, from order statistics.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MedianInterval {
    /// Lower end: the `k`-th smallest sample.
    pub lo: f64,
    /// Upper end: the `k`-th largest sample.
    pub hi: f64,
    /// The probability that `[lo, hi]` holds the true median of the distribution the
    /// samples came from, assuming only that they are independent draws from it:
    /// `1 - 2 P(B < k)` with `B ~ Binomial(n, 1/2)`.
    pub coverage: f64,
}

/// The order-statistic interval `[x(k), x(n+1-k)]` of the median of `samples`, with
/// the largest `k` whose coverage is still at least `confidence`; where even the
/// samples' full range falls short of it (fewer than 6 samples for 95%), the range
/// itself, with its real (lower) coverage: 75% for 3 samples, 87.5% for 4, 93.75% for
/// 5. `None` for no samples. NaNs sort last.
///
/// ```
/// use rtcompare_reports::stats::median_interval;
///
/// let three = median_interval(&[0.30, 0.31, 0.29], 0.95).unwrap();
/// assert_eq!((three.lo, three.hi), (0.29, 0.31));
/// assert_eq!(three.coverage, 0.75);
/// let ten: Vec<f64> = (1..=10).map(f64::from).collect();
/// let i = median_interval(&ten, 0.95).unwrap();
/// assert_eq!((i.lo, i.hi), (2.0, 9.0)); // k = 2: coverage 97.9%
/// assert!(i.coverage >= 0.95);
/// ```
pub fn median_interval(samples: &[f64], confidence: f64) -> Option<MedianInterval> {
    let n = samples.len();
    if n == 0 {
        return None;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    // cdf[i] = P(B <= i) for B ~ Binomial(n, 1/2), built in log space so large n
    // does not underflow 2^-n.
    let coverage_at = |k: usize| -> f64 {
        // P(B <= k - 1)
        let mut log_pmf = -(n as f64) * std::f64::consts::LN_2;
        let mut below = 0.0;
        for i in 0..k {
            below += log_pmf.exp();
            log_pmf += ((n - i) as f64).ln() - ((i + 1) as f64).ln();
        }
        (1.0 - 2.0 * below).max(0.0)
    };
    let mut k = 1;
    while 2 * (k + 1) <= n + 1 && coverage_at(k + 1) >= confidence {
        k += 1;
    }
    Some(MedianInterval {
        lo: sorted[k - 1],
        hi: sorted[n - k],
        coverage: coverage_at(k),
    })
}

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

/// The relative interquartile range of `xs`: `(Q3 - Q1) / median` with the
/// [`percentile`] definition (for 3 values, half their range over the middle
/// one). The spread estimator of the regression check's noise floor: robust to
/// one wild value among 5 or more, and defined from 2 values on. NaN for an empty
/// slice or a median of zero.
///
/// ```
/// use rtcompare_reports::stats::relative_iqr;
/// // Runs at 0.7, 1.0 and 1.3 of the typical time: ±30%.
/// assert!((relative_iqr(&[0.7, 1.0, 1.3]) - 0.30).abs() < 1e-12);
/// ```
pub fn relative_iqr(xs: &[f64]) -> f64 {
    let mut sorted = xs.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    let m = percentile_sorted(&sorted, 50.0);
    (percentile_sorted(&sorted, 75.0) - percentile_sorted(&sorted, 25.0)) / m
}

/// One hierarchical resample of `groups` (each group the samples of one cell
/// process): draw as many groups as there are, with replacement, then within each
/// drawn group as many samples as it has, with replacement; the median of all
/// the drawn samples together.
fn hierarchical_draw(groups: &[Vec<f64>], rng: &mut Rng, scratch: &mut Vec<f64>) -> f64 {
    scratch.clear();
    for _ in 0..groups.len() {
        let group = &groups[rng.below(groups.len())];
        scratch.extend((0..group.len()).map(|_| group[rng.below(group.len())]));
    }
    median_in_place(scratch)
}

/// The median of `xs` (as [`median`] computes it), reordering `xs`: a selection in
/// linear time rather than a sort, for the bootstrap's inner loop.
fn median_in_place(xs: &mut [f64]) -> f64 {
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
const EARLY_STOP_MIN: usize = 2_000;
const EARLY_STOP_TAIL: usize = 20;

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

/// The outcome of a two-sided Mann-Whitney U (Wilcoxon rank-sum) test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MannWhitney {
    /// U of the first sample: the number of pairs `(a_i, b_j)` with `a_i > b_j`,
    /// ties counting one half. 0 when every `a` is below every `b`; `n1 * n2` when
    /// every `a` is above.
    pub u: f64,
    /// Two-sided p-value of "both samples come from the same distribution".
    pub p_two_sided: f64,
    /// True when `p_two_sided` is from the exact permutation distribution of U,
    /// false when from the normal approximation.
    pub exact: bool,
}

/// Largest sample size on either side for which [`mann_whitney_u`] uses the exact
/// distribution of U (when there are no ties).
pub const MANN_WHITNEY_EXACT_MAX: usize = 25;

/// The two-sided Mann-Whitney U test of `a` against `b`.
///
/// When there are no ties and both samples have at most
/// [`MANN_WHITNEY_EXACT_MAX`] values, the p-value comes from the exact
/// permutation distribution of U (every way of splitting the pooled ranks into
/// groups of `a.len()` and `b.len()` equally likely): twice the smaller tail,
/// capped at 1. Otherwise it comes from the normal approximation with the tie
/// correction of the variance and a continuity correction of 0.5 (as R's
/// `wilcox.test` and SciPy's `mannwhitneyu` do). An empty side gives `p = 1`.
///
/// ```
/// use rtcompare_reports::stats::mann_whitney_u;
///
/// // Completely separated samples of 5: the most extreme of C(10, 5) = 252 splits,
/// // in either direction.
/// let r = mann_whitney_u(&[1.0, 2.0, 3.0, 4.0, 5.0], &[6.0, 7.0, 8.0, 9.0, 10.0]);
/// assert_eq!(r.u, 0.0);
/// assert!(r.exact);
/// assert!((r.p_two_sided - 2.0 / 252.0).abs() < 1e-15);
/// ```
pub fn mann_whitney_u(a: &[f64], b: &[f64]) -> MannWhitney {
    let (n1, n2) = (a.len(), b.len());
    if n1 == 0 || n2 == 0 {
        return MannWhitney {
            u: 0.0,
            p_two_sided: 1.0,
            exact: true,
        };
    }
    // Rank the pooled sample, averaging ranks over ties.
    let mut pooled: Vec<(f64, bool)> = a
        .iter()
        .map(|&x| (x, true))
        .chain(b.iter().map(|&x| (x, false)))
        .collect();
    pooled.sort_unstable_by(|x, y| x.0.total_cmp(&y.0));
    let mut rank_sum_a = 0.0;
    let mut tie_term = 0.0; // sum of t^3 - t over groups of tied values
    let mut i = 0;
    while i < pooled.len() {
        let mut j = i + 1;
        while j < pooled.len() && pooled[j].0.total_cmp(&pooled[i].0).is_eq() {
            j += 1;
        }
        let t = (j - i) as f64;
        // Ranks i+1 ..= j, averaged.
        let rank = (i + 1 + j) as f64 / 2.0;
        rank_sum_a += rank * pooled[i..j].iter().filter(|p| p.1).count() as f64;
        tie_term += t * t * t - t;
        i = j;
    }
    let f1 = n1 as f64;
    let u = rank_sum_a - f1 * (f1 + 1.0) / 2.0;
    let ties = tie_term > 0.0;
    if !ties && n1 <= MANN_WHITNEY_EXACT_MAX && n2 <= MANN_WHITNEY_EXACT_MAX {
        MannWhitney {
            u,
            p_two_sided: exact_p(u.round() as usize, n1, n2),
            exact: true,
        }
    } else {
        MannWhitney {
            u,
            p_two_sided: normal_p(u, n1, n2, tie_term),
            exact: false,
        }
    }
}

/// Number of ways to reach each U value in `0..=n1*n2` when `n1 + n2` distinct
/// values are split into groups of `n1` and `n2`: the coefficients of the Gaussian
/// binomial coefficient `[n1 + n2 choose n1]_q`, built one factor
/// `(1 - q^(n2 + i)) / (1 - q^i)` at a time (every partial product is a
/// polynomial, so the division is exact).
fn u_distribution(n1: usize, n2: usize) -> Vec<u128> {
    let max = n1 * n2;
    let mut c = vec![0i128; max + 1];
    c[0] = 1;
    for i in 1..=n1 {
        let up = n2 + i;
        for k in (up..=max).rev() {
            c[k] -= c[k - up];
        }
        for k in i..=max {
            c[k] += c[k - i];
        }
    }
    c.into_iter()
        .map(|x| u128::try_from(x).expect("counts are non-negative"))
        .collect()
}

/// Exact two-sided p-value of an observed `u` with sample sizes `n1`, `n2`.
fn exact_p(u: usize, n1: usize, n2: usize) -> f64 {
    let counts = u_distribution(n1, n2);
    let total: u128 = counts.iter().sum();
    let u = u.min(counts.len() - 1);
    let below: u128 = counts[..=u].iter().sum();
    let above: u128 = counts[u..].iter().sum();
    (2.0 * below.min(above) as f64 / total as f64).min(1.0)
}

/// Normal-approximation two-sided p-value, with tie and continuity corrections.
fn normal_p(u: f64, n1: usize, n2: usize, tie_term: f64) -> f64 {
    let (f1, f2) = (n1 as f64, n2 as f64);
    let n = f1 + f2;
    let mean = f1 * f2 / 2.0;
    let var = f1 * f2 / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)));
    if var <= 0.0 {
        return 1.0; // every value tied: no evidence of any difference
    }
    let z = ((u - mean).abs() - 0.5).max(0.0) / var.sqrt();
    erfc(z / std::f64::consts::SQRT_2).min(1.0)
}

/// The smallest two-sided p-value [`mann_whitney_u`] can return for samples of
/// `n1` and `n2` distinct values (completely separated samples): `2 / C(n1 + n2,
/// n1)` in the exact range, the normal approximation at `U = 0` beyond it. With 3
/// samples per side it is 0.1, with 5 it is 2/252.
pub fn mann_whitney_min_p(n1: usize, n2: usize) -> f64 {
    if n1 == 0 || n2 == 0 {
        return 1.0;
    }
    if n1 <= MANN_WHITNEY_EXACT_MAX && n2 <= MANN_WHITNEY_EXACT_MAX {
        // C(n1 + n2, n1) as a float: exact enough for a threshold.
        let (k, n) = (n1.min(n2), n1 + n2);
        let choose = (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64);
        (2.0 / choose).min(1.0)
    } else {
        normal_p(0.0, n1, n2, 0.0)
    }
}

/// The complementary error function, to about 1e-12 relative: the power series of
/// `erf` (all terms positive) below 2.5, Laplace's continued fraction above.
fn erfc(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x < 0.0 {
        return 2.0 - erfc(-x);
    }
    if x < 2.5 {
        // erf(x) = 2/sqrt(pi) exp(-x^2) sum_n (2x^2)^n x / (1 * 3 * ... * (2n+1))
        let (mut term, mut sum) = (x, x);
        for n in 1..200 {
            term *= 2.0 * x * x / f64::from(2 * n + 1);
            sum += term;
            if term <= 1e-17 * sum {
                break;
            }
        }
        1.0 - 2.0 / std::f64::consts::PI.sqrt() * (-x * x).exp() * sum
    } else {
        // erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))
        let mut f = x;
        for k in (1..=60).rev() {
            f = x + f64::from(k) / 2.0 / f;
        }
        (-x * x).exp() / std::f64::consts::PI.sqrt() / f
    }
}

/// Holm's step-down adjustment of `p` for `p.len()` tests: the adjusted p-values,
/// in the input order. Controls the family-wise error rate (the chance of any
/// false positive) under any dependence between the tests. Sorted ascending, the
/// i-th smallest (from 0) becomes `max over j <= i of min(1, (m - j) * p_(j))`.
pub fn holm(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let order = ascending_order(p);
    let mut adjusted = vec![0.0; m];
    let mut running = 0.0f64;
    for (rank, &i) in order.iter().enumerate() {
        running = running.max(((m - rank) as f64 * p[i]).min(1.0));
        adjusted[i] = running;
    }
    adjusted
}

/// The Benjamini-Hochberg adjustment of `p` for `p.len()` tests: the adjusted
/// p-values ("q-values"), in the input order. Controls the false discovery rate
/// (the expected share of false positives among the tests called significant);
/// less strict than [`holm`]. Sorted ascending, the i-th smallest (from 1)
/// becomes `min over j >= i of min(1, m / j * p_(j))`.
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let order = ascending_order(p);
    let mut adjusted = vec![0.0; m];
    let mut running = 1.0f64;
    for (rank, &i) in order.iter().enumerate().rev() {
        running = running.min((m as f64 / (rank + 1) as f64 * p[i]).min(1.0));
        adjusted[i] = running;
    }
    adjusted
}

/// Indices of `p` ordered by ascending value (NaN last, stable).
fn ascending_order(p: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..p.len()).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    order
}

/// A small, fast, seedable PRNG (splitmix64). Not cryptographic; used for the
/// bootstrap and for shuffling cell order, so both are reproducible from a seed.
#[derive(Debug, Clone)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// A generator whose whole sequence is determined by `seed`.
    pub const fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 uniformly distributed bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A uniformly distributed float in `[0, 1)` (53 random bits).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A uniformly distributed integer in `0..n`, without modulo bias (Lemire's
    /// multiply-and-reject method).
    ///
    /// # Panics
    /// When `n` is zero: the range is empty.
    pub fn below(&mut self, n: usize) -> usize {
        assert!(n > 0, "Rng::below(0): empty range");
        let n = n as u64;
        let mut m = u128::from(self.next_u64()) * u128::from(n);
        if (m as u64) < n {
            let threshold = n.wrapping_neg() % n;
            while (m as u64) < threshold {
                m = u128::from(self.next_u64()) * u128::from(n);
            }
        }
        (m >> 64) as usize
    }

    /// Puts `items` in a uniformly random order (Fisher–Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_selection_median_equals_the_sorted_one() {
        let mut rng = Rng::new(3);
        for n in 1..40 {
            let xs: Vec<f64> = (0..n).map(|_| (rng.next_u64() % 17) as f64).collect();
            assert_eq!(median_in_place(&mut xs.clone()), median(&xs), "{xs:?}");
        }
        assert!(median_in_place(&mut []).is_nan());
    }

    #[test]
    fn the_bootstrap_stops_early_only_when_far_from_significant() {
        let base = vec![vec![1.0, 1.02, 0.98], vec![1.01, 0.99, 1.0]];
        // The same values: both tails fill at once, and p is near 1.
        let (_, p_same) = hierarchical_ratio_of_medians(&base, &base, 200_000, 1);
        assert!(p_same > 0.5, "{p_same}");
        // Twice as slow: no resample reaches 1, so every one is drawn and p is the
        // smallest the count can give.
        let slow: Vec<Vec<f64>> = base
            .iter()
            .map(|g| g.iter().map(|x| x * 2.0).collect())
            .collect();
        let (_, p_slow) = hierarchical_ratio_of_medians(&base, &slow, 10_000, 1);
        assert!((p_slow - 2.0 / 10_001.0).abs() < 1e-12, "{p_slow}");
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(&[7.0]), 7.0);
        assert!(median(&[]).is_nan());
    }

    #[test]
    fn percentiles_interpolate_between_ranks() {
        let xs = [10.0, 20.0, 30.0, 40.0, 50.0];
        assert_eq!(percentile(&xs, 0.0), 10.0);
        assert_eq!(percentile(&xs, 100.0), 50.0);
        assert_eq!(percentile(&xs, 25.0), 20.0);
        assert_eq!(percentile(&xs, 90.0), 46.0);
        assert_eq!(percentile(&xs, 150.0), 50.0);
        assert!(percentile(&[], 50.0).is_nan());
        assert!(percentile(&xs, f64::NAN).is_nan());
    }

    #[test]
    fn ci_contains_the_median() {
        let xs = [0.52, 0.50, 0.49, 0.55, 0.51, 0.50, 0.53, 0.48, 0.60];
        let m = median(&xs);
        let [lo, hi] = bootstrap_median_ci(&xs, 2000, 7);
        assert!(lo <= m && m <= hi, "{lo} <= {m} <= {hi}");
        assert!(lo >= 0.48 && hi <= 0.60);
        assert!(lo < hi);
    }

    #[test]
    fn ci_of_constant_data_is_a_point() {
        assert_eq!(bootstrap_median_ci(&[2.5; 8], 2000, 1), [2.5, 2.5]);
    }

    #[test]
    fn ci_of_one_sample_is_that_sample() {
        assert_eq!(bootstrap_median_ci(&[3.0], 2000, 1), [3.0, 3.0]);
        let [lo, hi] = bootstrap_median_ci(&[], 2000, 1);
        assert!(lo.is_nan() && hi.is_nan());
    }

    #[test]
    fn ci_is_deterministic_for_a_seed() {
        let xs: Vec<f64> = (0..20).map(|i| f64::from(i * 37 % 11)).collect();
        assert_eq!(
            bootstrap_median_ci(&xs, 500, 99),
            bootstrap_median_ci(&xs, 500, 99)
        );
    }

    #[test]
    fn ci_narrows_with_more_samples() {
        // The same spread of values, observed 5 times versus 200 times.
        let draw = |n: usize| -> Vec<f64> {
            let mut rng = Rng::new(3);
            (0..n)
                .map(|_| 1.0 + (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64)
                .collect()
        };
        let width = |xs: &[f64]| {
            let [lo, hi] = bootstrap_median_ci(xs, 2000, 11);
            hi - lo
        };
        let few = width(&draw(5));
        let many = width(&draw(200));
        assert!(many < few / 2.0, "200 samples: {many}, 5 samples: {few}");
    }

    #[test]
    fn splitmix64_reference_values() {
        // First outputs for seed 1234567 from the reference implementation
        // (Vigna, splitmix64.c).
        let mut rng = Rng::new(1_234_567);
        assert_eq!(rng.next_u64(), 6_457_827_717_110_365_317);
        assert_eq!(rng.next_u64(), 3_203_168_211_198_807_973);
    }

    #[test]
    fn below_stays_in_range_and_covers_it() {
        let mut rng = Rng::new(5);
        let mut seen = [0usize; 7];
        for _ in 0..7000 {
            seen[rng.below(7)] += 1;
        }
        assert!(seen.iter().all(|&c| c > 800 && c < 1200), "{seen:?}");
        assert_eq!(rng.below(1), 0);
    }

    #[test]
    fn shuffle_is_a_deterministic_permutation() {
        let mut a: Vec<u32> = (0..50).collect();
        let mut b = a.clone();
        Rng::new(42).shuffle(&mut a);
        Rng::new(42).shuffle(&mut b);
        assert_eq!(a, b);
        assert_ne!(a, (0..50).collect::<Vec<_>>());
        let mut sorted = a.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..50).collect::<Vec<_>>());

        let mut empty: [u8; 0] = [];
        Rng::new(1).shuffle(&mut empty);
        let mut one = [9];
        Rng::new(1).shuffle(&mut one);
        assert_eq!(one, [9]);
    }

    fn close_to(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn mann_whitney_exact_for_separated_samples() {
        let r = mann_whitney_u(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]);
        assert_eq!(r.u, 0.0);
        assert!(r.exact);
        assert!(close_to(r.p_two_sided, 0.1, 1e-15));
        // The other direction: U = n1 * n2, same p.
        let r = mann_whitney_u(&[4.0, 5.0, 6.0], &[1.0, 2.0, 3.0]);
        assert_eq!(r.u, 9.0);
        assert!(close_to(r.p_two_sided, 0.1, 1e-15));
        let r = mann_whitney_u(&[6.0, 7.0, 8.0, 9.0, 10.0], &[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(r.u, 25.0);
        assert!(close_to(r.p_two_sided, 2.0 / 252.0, 1e-15));
        assert!(close_to(mann_whitney_min_p(3, 3), 0.1, 1e-15));
        assert!(close_to(mann_whitney_min_p(5, 5), 2.0 / 252.0, 1e-15));
        assert!(close_to(mann_whitney_min_p(10, 10), 2.0 / 184_756.0, 1e-18));
    }

    #[test]
    fn mann_whitney_exact_textbook_example() {
        // SciPy's `mannwhitneyu` documentation example (ages of male and female
        // employees): U = 17, exact two-sided p = 14/126 = 0.1111...
        let males = [19.0, 22.0, 16.0, 29.0, 24.0];
        let females = [20.0, 11.0, 17.0, 12.0];
        let r = mann_whitney_u(&males, &females);
        assert_eq!(r.u, 17.0);
        assert!(r.exact);
        assert!(close_to(r.p_two_sided, 1.0 / 9.0, 1e-15));
        // Its asymptotic p (continuity-corrected) is 0.11134688653314041:
        // z = (17 - 10 - 0.5) / sqrt(5 * 4 * 10 / 12).
        let p = normal_p(17.0, 5, 4, 0.0);
        assert!(close_to(p, 0.111_346_886_533_140_41, 1e-10), "{p}");
        // The middle of the distribution gives p = 1.
        let r = mann_whitney_u(&[1.0, 4.0], &[2.0, 3.0]);
        assert_eq!(r.u, 2.0);
        assert_eq!(r.p_two_sided, 1.0);
    }

    #[test]
    fn exact_distribution_sums_to_binomial() {
        let counts = u_distribution(5, 4);
        assert_eq!(counts.len(), 21);
        assert_eq!(counts.iter().sum::<u128>(), 126);
        assert_eq!(&counts[..4], &[1, 1, 2, 3]);
        // Symmetric.
        assert!(counts.iter().eq(counts.iter().rev()));
        let big = u_distribution(25, 25);
        assert_eq!(big.iter().sum::<u128>(), 126_410_606_437_752);
    }

    #[test]
    fn mann_whitney_normal_with_ties() {
        // a = [1, 2, 2, 3, 5, 6], b = [2, 4, 4, 7, 8, 9, 10]: pooled ties are the
        // three 2s (ranks 2-4, so 3 each) and the two 4s (ranks 6-7, 6.5 each).
        // Ranks of a: 1, 3, 3, 5, 8, 9 -> R = 29, U = 29 - 6 * 7 / 2 = 8.
        // Tie term: (27 - 3) + (8 - 2) = 30; var = 42/12 * (14 - 30/156)
        // = 48.326923...; z = (|8 - 21| - 0.5) / sqrt(var) = 1.798107 (by hand);
        // p = erfc(z / sqrt 2) = 0.0721601.
        let a = [1.0, 2.0, 2.0, 3.0, 5.0, 6.0];
        let b = [2.0, 4.0, 4.0, 7.0, 8.0, 9.0, 10.0];
        let r = mann_whitney_u(&a, &b);
        assert_eq!(r.u, 8.0);
        assert!(!r.exact);
        let var: f64 = 42.0 / 12.0 * (14.0 - 30.0 / 156.0);
        let z = 12.5 / var.sqrt();
        assert!(close_to(z, 1.798_107, 1e-6), "{z}");
        assert!(
            close_to(r.p_two_sided, 0.072_160_113, 1e-8),
            "{}",
            r.p_two_sided
        );
        // Identical samples: every value tied, p = 1.
        let r = mann_whitney_u(&[0.2; 5], &[0.2; 5]);
        assert_eq!(r.p_two_sided, 1.0);
        assert_eq!(r.u, 12.5);
        // An empty side has no evidence.
        assert_eq!(mann_whitney_u(&[], &[1.0]).p_two_sided, 1.0);
    }

    #[test]
    fn mann_whitney_normal_for_large_samples() {
        // 30 vs 30 completely separated: beyond the exact range.
        let a: Vec<f64> = (0..30).map(f64::from).collect();
        let b: Vec<f64> = (30..60).map(f64::from).collect();
        let r = mann_whitney_u(&a, &b);
        assert!(!r.exact);
        assert_eq!(r.u, 0.0);
        // z = (450 - 0.5) / sqrt(900 * 61 / 12) = 6.6468...; p ~ 3.0e-11.
        assert!(
            r.p_two_sided > 1e-11 && r.p_two_sided < 1e-10,
            "{}",
            r.p_two_sided
        );
        assert!(close_to(mann_whitney_min_p(30, 30), r.p_two_sided, 1e-20));
    }

    #[test]
    fn erfc_matches_reference_values() {
        // Values from Abramowitz and Stegun / any libm.
        assert!(close_to(erfc(0.0), 1.0, 1e-15));
        assert!(close_to(erfc(0.5), 0.479_500_122_186_953_5, 1e-13));
        assert!(close_to(erfc(1.0), 0.157_299_207_050_285_13, 1e-13));
        assert!(close_to(erfc(2.0), 0.004_677_734_981_047_266, 1e-14));
        assert!(close_to(erfc(3.0) / 2.209_049_699_858_544e-5, 1.0, 1e-10));
        assert!(close_to(
            erfc(5.0) / 1.537_459_794_428_034_8e-12,
            1.0,
            1e-10
        ));
        assert!(close_to(erfc(-1.0), 1.842_700_792_949_715, 1e-13));
    }

    #[test]
    fn holm_adjusts_step_down_monotone_and_capped() {
        let adjusted = holm(&[0.01, 0.04, 0.03, 0.005]);
        let expected = [0.03, 0.06, 0.06, 0.02];
        for (a, e) in adjusted.iter().zip(expected) {
            assert!(close_to(*a, e, 1e-15), "{adjusted:?}");
        }
        assert_eq!(holm(&[0.5, 0.9]), vec![1.0, 1.0]);
        assert_eq!(holm(&[0.02]), vec![0.02]);
        assert!(holm(&[]).is_empty());
    }

    #[test]
    fn benjamini_hochberg_step_up_monotone_and_capped() {
        let adjusted = benjamini_hochberg(&[0.01, 0.04, 0.03, 0.005]);
        let expected = [0.02, 0.04, 0.04, 0.02];
        for (a, e) in adjusted.iter().zip(expected) {
            assert!(close_to(*a, e, 1e-15), "{adjusted:?}");
        }
        assert_eq!(benjamini_hochberg(&[0.5, 0.9]), vec![0.9, 0.9]);
        assert_eq!(benjamini_hochberg(&[0.6, 0.7, 0.9]), vec![0.9, 0.9, 0.9]);
        assert!(benjamini_hochberg(&[]).is_empty());
    }

    #[test]
    fn ratio_ci_brackets_the_ratio() {
        let base = [1.00, 1.01, 0.99, 1.02, 0.98, 1.00, 1.01, 0.99, 1.00, 1.00];
        let now: Vec<f64> = base.iter().map(|x| x * 1.2).collect();
        let [lo, hi] = bootstrap_ratio_of_medians_ci(&base, &now, 2000, 3);
        assert!(
            lo > 1.15 && hi < 1.25 && lo <= 1.2 && 1.2 <= hi,
            "[{lo}, {hi}]"
        );
        assert_eq!(
            bootstrap_ratio_of_medians_ci(&base, &now, 2000, 3),
            [lo, hi],
            "deterministic"
        );
        assert_eq!(
            bootstrap_ratio_of_medians_ci(&[2.0; 4], &[3.0; 4], 100, 1),
            [1.5, 1.5]
        );
        assert_eq!(
            bootstrap_ratio_of_medians_ci(&[2.0], &[3.0], 100, 1),
            [1.5, 1.5]
        );
        assert!(bootstrap_ratio_of_medians_ci(&[], &[3.0], 100, 1)[0].is_nan());
    }
}

/// An Amdahl's-law fit of speedup against parallelism.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AmdahlFit {
    /// The serial fraction `s` in `speedup(p) = 1 / (s + (1 - s) / p)`: 0 is
    /// perfectly parallel, 1 gains nothing from more threads.
    pub serial_fraction: f64,
    /// Root-mean-square difference between the measured speedups and the curve.
    pub rms_residual: f64,
}

/// Speedup Amdahl's law predicts for serial fraction `s` on `p` parallel workers.
pub fn amdahl_speedup(s: f64, p: f64) -> f64 {
    1.0 / (s + (1.0 - s) / p)
}

/// Fits Amdahl's law to `(parallelism, speedup)` points by least squares over the
/// serial fraction in [0, 1] (a grid of 10,001 values: exact to 1e-4, and the sum
/// of squares is cheap). Parallelism is the number of threads that can run at once
/// (threads capped at the cores). `None` with fewer than two distinct parallelisms,
/// where any fraction fits.
pub fn amdahl_fit(points: &[(f64, f64)]) -> Option<AmdahlFit> {
    let mut distinct: Vec<f64> = points.iter().map(|&(p, _)| p).collect();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    if distinct.len() < 2 || points.iter().any(|&(p, s)| !(p >= 1.0 && s.is_finite())) {
        return None;
    }
    let sse = |s: f64| -> f64 {
        points
            .iter()
            .map(|&(p, speedup)| (speedup - amdahl_speedup(s, p)).powi(2))
            .sum()
    };
    let (best, best_sse) = (0..=10_000)
        .map(|i| f64::from(i) / 10_000.0)
        .map(|s| (s, sse(s)))
        .min_by(|a, b| a.1.total_cmp(&b.1))?;
    Some(AmdahlFit {
        serial_fraction: best,
        rms_residual: (best_sse / points.len() as f64).sqrt(),
    })
}

#[cfg(test)]
mod amdahl_tests {
    use super::*;

    #[test]
    fn recovers_a_known_serial_fraction() {
        for s in [0.0, 0.05, 0.1, 0.3, 0.9] {
            let points: Vec<(f64, f64)> = [1.0, 2.0, 4.0, 8.0]
                .iter()
                .map(|&p| (p, amdahl_speedup(s, p)))
                .collect();
            let fit = amdahl_fit(&points).unwrap();
            assert!((fit.serial_fraction - s).abs() < 0.01, "{s}: {fit:?}");
            assert!(fit.rms_residual < 1e-3, "{fit:?}");
        }
    }

    #[test]
    fn noisy_points_still_land_close_with_a_residual() {
        let s = 0.2;
        let noise = [0.02, -0.03, 0.01, -0.01];
        let points: Vec<(f64, f64)> = [1.0, 2.0, 3.0, 4.0]
            .iter()
            .zip(noise)
            .map(|(&p, e)| (p, amdahl_speedup(s, p) + e))
            .collect();
        let fit = amdahl_fit(&points).unwrap();
        assert!((fit.serial_fraction - s).abs() < 0.01, "{fit:?}");
        assert!(
            fit.rms_residual > 0.005 && fit.rms_residual < 0.05,
            "{fit:?}"
        );
    }

    #[test]
    fn one_parallelism_is_not_a_fit() {
        assert!(amdahl_fit(&[(2.0, 1.9), (2.0, 1.95)]).is_none());
        assert!(amdahl_fit(&[]).is_none());
        // Superlinear speedups clamp to a fully parallel fit.
        let fit = amdahl_fit(&[(1.0, 1.0), (2.0, 2.2)]).unwrap();
        assert_eq!(fit.serial_fraction, 0.0);
    }

    #[test]
    fn median_interval_coverage_is_exact() {
        let xs = |n: usize| (1..=n).map(|i| i as f64).collect::<Vec<_>>();
        // Ranges of small samples: 1 - 2 / 2^n.
        for (n, coverage) in [(2, 0.5), (3, 0.75), (4, 0.875), (5, 0.9375)] {
            let i = median_interval(&xs(n), 0.95).unwrap();
            assert_eq!((i.lo, i.hi), (1.0, n as f64), "n = {n}");
            assert!((i.coverage - coverage).abs() < 1e-12, "n = {n}: {i:?}");
        }
        // From 6 samples the range covers 96.9%: the first 95% interval.
        let six = median_interval(&xs(6), 0.95).unwrap();
        assert!((six.coverage - (1.0 - 2.0 / 64.0)).abs() < 1e-12);
        // Known table values (e.g. Conover): n = 20 gives [x(6), x(15)], 95.9%.
        let twenty = median_interval(&xs(20), 0.95).unwrap();
        assert_eq!((twenty.lo, twenty.hi), (6.0, 15.0));
        assert!((twenty.coverage - 0.958_610_5).abs() < 1e-6, "{twenty:?}");
        // Large n does not underflow and narrows around the median.
        let big = median_interval(&xs(2000), 0.95).unwrap();
        assert!(big.coverage >= 0.95 && big.coverage < 0.96, "{big:?}");
        assert!(big.lo > 940.0 && big.hi < 1060.0, "{big:?}");
        assert_eq!(median_interval(&[], 0.95), None);
        let one = median_interval(&[4.0], 0.95).unwrap();
        assert_eq!((one.lo, one.hi, one.coverage), (4.0, 4.0, 0.0));
    }

    #[test]
    fn median_interval_covers_the_median_as_often_as_it_says() {
        // Simulated coverage over skewed samples matches the stated coverage.
        let mut rng = Rng::new(7);
        for n in [3usize, 5, 8, 15] {
            let mut hits = 0;
            let mut stated = 0.0;
            let trials = 4000;
            for _ in 0..trials {
                // Exponential draws: true median ln 2.
                let xs: Vec<f64> = (0..n).map(|_| -(1.0 - rng.unit()).ln()).collect();
                let i = median_interval(&xs, 0.95).unwrap();
                stated = i.coverage;
                hits +=
                    usize::from(i.lo <= std::f64::consts::LN_2 && std::f64::consts::LN_2 <= i.hi);
            }
            let seen = hits as f64 / trials as f64;
            assert!(
                (seen - stated).abs() < 0.03,
                "n = {n}: seen {seen}, stated {stated}"
            );
        }
    }
}

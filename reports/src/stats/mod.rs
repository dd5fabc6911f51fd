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

mod bootstrap;
mod mann_whitney;
#[cfg(test)]
mod tests;

pub use bootstrap::{
    bootstrap_median_ci, bootstrap_ratio_of_medians_ci, hierarchical_median_ci,
    hierarchical_ratio_of_medians,
};
pub use mann_whitney::{MANN_WHITNEY_EXACT_MAX, MannWhitney, mann_whitney_min_p, mann_whitney_u};

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

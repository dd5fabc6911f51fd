//! Pure statistics over samples: median, percentiles, a percentile-bootstrap
//! interval of the median, and the small seeded PRNG they (and the harness's cell
//! shuffle) use. No I/O, no allocation beyond scratch copies of the input.
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
}

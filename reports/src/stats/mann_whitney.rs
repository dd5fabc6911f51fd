//! The two-sided Mann-Whitney U test: exact for small samples without ties, the
//! normal approximation otherwise, and the smallest p-value a pair of sample sizes
//! can give.

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
pub(super) fn u_distribution(n1: usize, n2: usize) -> Vec<u128> {
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
pub(super) fn exact_p(u: usize, n1: usize, n2: usize) -> f64 {
    let counts = u_distribution(n1, n2);
    let total: u128 = counts.iter().sum();
    let u = u.min(counts.len() - 1);
    let below: u128 = counts[..=u].iter().sum();
    let above: u128 = counts[u..].iter().sum();
    (2.0 * below.min(above) as f64 / total as f64).min(1.0)
}

/// Normal-approximation two-sided p-value, with tie and continuity corrections.
pub(super) fn normal_p(u: f64, n1: usize, n2: usize, tie_term: f64) -> f64 {
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
pub(super) fn erfc(x: f64) -> f64 {
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

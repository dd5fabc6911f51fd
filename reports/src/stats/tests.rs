//! The statistics against known values: medians, intervals and their coverage,
//! bootstraps, the Mann-Whitney U test, the corrections, the PRNG, Amdahl fits.

use super::bootstrap::*;
use super::mann_whitney::*;
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
            hits += usize::from(i.lo <= std::f64::consts::LN_2 && std::f64::consts::LN_2 <= i.hi);
        }
        let seen = hits as f64 / trials as f64;
        assert!(
            (seen - stated).abs() < 0.03,
            "n = {n}: seen {seen}, stated {stated}"
        );
    }
}

//! The decision: every sampled comparison is a test; each gets its interval and
//! p-value (across processes, or across samples when a side has one process),
//! the p-values are corrected across all of them, and each verdict follows from
//! the corrected p and the interval against the band.

use super::Pending;
use super::samples::{flat, side_spread};
use crate::regression::{CheckOptions, Finding, Method, Metric, Spread, Verdict};
use crate::stats::{
    bootstrap_median_ci, bootstrap_ratio_of_medians_ci, hierarchical_median_ci,
    hierarchical_ratio_of_medians, mann_whitney_min_p, mann_whitney_u,
};

/// Tests every comparison in `pending`, corrects the p-values across all of them
/// and decides each verdict; each finding comes with its sample counts per side.
pub(super) fn decide(pending: Vec<Pending>, options: &CheckOptions) -> Vec<(Finding, [usize; 2])> {
    let m = pending.len();
    let threshold = options.alpha / m.max(1) as f64;
    // Enough hierarchical resamples that a bootstrap p can fall below alpha / m.
    let resamples_h = options
        .resamples
        .max((20.0 / threshold).ceil() as usize)
        .min(200_000);
    let mut evaluated: Vec<(Finding, [usize; 2])> = pending
        .into_iter()
        .map(|p| test(p, options, resamples_h, threshold))
        .collect();
    let raw: Vec<f64> = evaluated.iter().map(|(f, _)| f.p.unwrap_or(1.0)).collect();
    let adjusted = options.correction.adjust(&raw);
    for ((f, _), p_adj) in evaluated.iter_mut().zip(adjusted) {
        f.p_adjusted = Some(p_adj);
        let [lo, hi] = f.ci95.unwrap_or([f64::NAN; 2]);
        let verdict = if p_adj < options.alpha {
            band_verdict(f.metric, lo, hi, f.band)
        } else {
            Verdict::NoChange
        };
        f.verdict = too_noisy(verdict, f.floor, options.band(f.metric));
    }
    evaluated
}

/// One comparison's test: its interval, p-value, spreads, band and the smallest
/// change it could report (none when `threshold`, the corrected significance
/// level, is out of the test's reach). No verdict yet.
fn test(
    pending: Pending,
    options: &CheckOptions,
    resamples_h: usize,
    threshold: f64,
) -> (Finding, [usize; 2]) {
    let Pending {
        mut finding,
        base,
        now,
        reference,
    } = pending;
    let seed = match finding.metric {
        Metric::MedianWall => options.seed ^ fnv1a(&finding.cell),
        metric => options.seed ^ fnv1a(&finding.cell) ^ fnv1a(metric.name()),
    };
    let (fb, fnow) = (flat(&base), flat(&now));
    let method = if base.len() >= 2 && now.len() >= 2 {
        Method::Processes
    } else {
        Method::Samples
    };
    let (ci, p) = match method {
        Method::Processes => {
            let (ci, p) = hierarchical_ratio_of_medians(&base, &now, resamples_h, seed);
            let ci = match reference {
                Some(r) => {
                    let [lo, hi] = hierarchical_median_ci(&now, options.resamples, seed);
                    [lo / r, hi / r]
                }
                None => ci,
            };
            (ci, p)
        }
        Method::Samples => {
            let ci = match reference {
                Some(r) => {
                    let [lo, hi] = bootstrap_median_ci(&fnow, options.resamples, seed);
                    [lo / r, hi / r]
                }
                None => bootstrap_ratio_of_medians_ci(&fb, &fnow, options.resamples, seed),
            };
            (ci, mann_whitney_u(&fnow, &fb).p_two_sided)
        }
    };
    let (bb, bw) = side_spread(&base);
    let (nb, nw) = side_spread(&now);
    finding.spread = Some(Spread {
        method,
        processes: [base.len(), now.len()],
        samples: [fb.len(), fnow.len()],
        between_process: [bb, nb],
        within_process: [bw, nw],
    });
    finding.ci95 = Some(ci);
    finding.p = Some(p);
    let min_p = match method {
        Method::Processes => 2.0 / (resamples_h + 1) as f64,
        Method::Samples => mann_whitney_min_p(fb.len(), fnow.len()),
    };
    finding.band = options
        .band(finding.metric)
        .max(finding.floor.unwrap_or(0.0));
    finding.detectable = (min_p < threshold).then(|| finding.band + (ci[1] - ci[0]) / 2.0);
    (finding, [fb.len(), fnow.len()])
}

/// `verdict`, or [`Verdict::TooNoisy`] in place of "no change" where the cell's
/// floor is above the requested band.
pub(super) fn too_noisy(verdict: Verdict, floor: Option<f64>, band: f64) -> Verdict {
    match (verdict, floor) {
        (Verdict::NoChange, Some(floor)) if floor > band => Verdict::TooNoisy,
        (v, _) => v,
    }
}

/// The verdict of a ratio interval `[lo, hi]` (a point for single values) against
/// the band, in the metric's direction.
pub(super) fn band_verdict(metric: Metric, lo: f64, hi: f64, band: f64) -> Verdict {
    let (above, below) = (lo > 1.0 + band, hi < 1.0 - band);
    match (above, below, metric.higher_is_better()) {
        (true, _, false) | (_, true, true) => Verdict::Regression,
        (true, _, true) | (_, true, false) => Verdict::Improvement,
        _ => Verdict::NoChange,
    }
}

/// FNV-1a of a cell key: independent, order-free bootstrap streams per cell.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

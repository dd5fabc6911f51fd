//! Peak RSS: a true single value per cell process (its high-water mark), so no
//! test and no interval: the median of the processes' peaks, judged against the
//! band (at least [`RSS_MIN_BAND`](crate::regression::RSS_MIN_BAND)) or the
//! floor, with differences under [`RSS_MIN_BYTES`] never a change. The median,
//! not the maximum: a check of 2 processes against a baseline of 9 would
//! otherwise read as a smaller peak every time.

use super::decide::{band_verdict, too_noisy};
use super::{Judge, Pair};
use crate::regression::{Check, Finding, Metric, RSS_MIN_BYTES, Verdict};
use crate::stats::median;

/// Judges the peak RSS of `pair` and records its finding in `check`, or lists
/// why it is not compared; nothing where a side has no peak.
pub(super) fn judge(judge: &Judge<'_>, pair: &Pair<'_>, check: &mut Check) {
    let metric = Metric::PeakRss;
    let (peaks_b, peaks_n) = (
        pair.base.process_peaks_rss_bytes(),
        pair.now.process_peaks_rss_bytes(),
    );
    if peaks_b.is_empty() || peaks_n.is_empty() {
        return;
    }
    let (b, n) = (median(&peaks_b), median(&peaks_n));
    let per_process: Vec<Vec<f64>> = peaks_b.iter().map(|p| vec![*p]).collect();
    let floor = pair
        .run_floor(metric, judge.options.floor_k, &|_, v| Some(v))
        .map(|f| f.with_reach(&per_process));
    let b = floor.map_or(b, |f| f.reference);
    if !(b > 0.0 && b.is_finite() && n.is_finite()) {
        check.not_compared.push((
            pair.key.clone(),
            format!("{metric}: the baseline's value is zero or not a number"),
        ));
        return;
    }
    let band = judge.options.band(metric);
    let mut f = Finding::unjudged(pair.base, metric, b, n);
    f.set_floor(floor);
    f.band = band.max(f.floor.unwrap_or(0.0));
    f.detectable = Some(f.band);
    let verdict = if (n - b).abs() < RSS_MIN_BYTES {
        Verdict::NoChange
    } else {
        band_verdict(metric, f.change + 1.0, f.change + 1.0, f.band)
    };
    f.verdict = too_noisy(verdict, f.floor, band);
    check.findings.push(f);
}

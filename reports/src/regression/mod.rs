//! Regression checks: compares a results file with a baseline, cell by cell and
//! metric by metric, and says of each whether it regressed, improved or did not
//! change beyond the noise, with the numbers that decide it. Pure: no I/O, no
//! clock; the same inputs and options give the same [`Check`].
//!
//! This module states the rule and its constants; a finding and its verdict are
//! in `finding`, the knobs in `options`, the whole check's outcome in `outcome`,
//! the judging in `judge` (one file per metric) and the Markdown in `render`.
//!
//! # The rule
//!
//! **Matching.** Cells are matched by runner, workload and thread count. A cell
//! present on one side only is listed (`only_in_baseline`, `only_in_results`),
//! never fatal. A cell that did not finish (`failed` or `timeout`) on either side
//! is listed under `not_compared`, with the side and the reason. A cell whose
//! workload does not apply to its runner (`n/a`) on both sides is skipped (a
//! note counts them); one that is `n/a` on one side only is listed under
//! `applicability_changed`: a difference to read, never a regression.
//!
//! **Disturbed samples and cells.** A sample marked `disturbed` (other load on
//! the machine, kept after the cell's re-takes ran out) is left out of every test,
//! and a note counts them. A cell that stayed disturbed ([`Cell::disturbed`]) in
//! the results, or in a single-run baseline, or in every run of a baseline of
//! repeated runs, is not judged at all: it is listed under `disturbed` ("disturbed,
//! not judged"), never a regression. A baseline cell disturbed in some of its runs
//! only is judged on the undisturbed samples.
//!
//! **Median wall time.** Compared for every cell with at least 2 undisturbed
//! samples on each side: the raw samples' wall times, each multiplied by its cell's
//! extrapolation factor. The verdict is *regression* only when both hold:
//!
//! 1. the test says the two sides differ: its p-value, adjusted for the number of
//!    tests in the check, is below `alpha` (default 0.05). The adjustment is Holm's
//!    step-down method by default (it bounds the chance of even one false alarm in
//!    the whole check) or Benjamini-Hochberg (it bounds the share of false alarms
//!    among the cells flagged; less strict). Which test depends on where the samples
//!    came from:
//!    - **samples from 2 or more processes on both sides** ([`Method::Processes`]):
//!      a hierarchical bootstrap. Each resample draws the cell's processes with
//!      replacement, then samples within each drawn process, and takes the median
//!      of all drawn samples; the ratio of the two sides' medians over the
//!      resamples gives the 95% interval, and twice the smaller share of ratios on
//!      either side of 1 the p-value (resamples raised to `20 m / alpha` so that p
//!      can fall below `alpha / m`). Samples of one process share its memory
//!      layout, allocator state and thread placement and drift together, so
//!      treating them as independent would understate the spread a stored baseline
//!      is compared across; resampling processes keeps it in;
//!    - **one process on a side** ([`Method::Samples`]): the two-sided Mann-Whitney
//!      U test over the samples, exact (the permutation distribution of U) when
//!      there are no ties and both sides have at most 25 samples, otherwise the
//!      normal approximation with tie and continuity corrections; and the 95%
//!      bootstrap interval of the ratio of medians (each side resampled
//!      independently, 2000 times, seeded). A note says the between-process spread
//!      is then unknown.
//!
//!    Each finding records both spreads per side ([`Spread`]): between processes
//!    (relative interquartile range of the per-process medians) and within them
//!    (median over processes of each one's relative interquartile range);
//! 2. the interval of the ratio now / baseline lies entirely above 1 + the cell's
//!    band.
//!
//! **The band and the noise floor.** The configured band is 10% against a stored
//! baseline (another job, perhaps another day and another machine of the same type:
//! shared 2-core CI runners swing 10–15% between identical runs) and 5% for an A/B
//! run, where both builds run interleaved in one job on one machine. A baseline
//! made from at least [`FLOOR_MIN_RUNS`] runs of one plan (`baseline save` of
//! several results files, `baseline calibrate`; see [`crate::baseline`]) records
//! each cell's value in each run. The cell's **run-to-run spread** is the relative
//! interquartile range of its undisturbed runs' medians ([`relative_iqr`]). Its
//! **noise floor** ([`crate::floor`]) is the larger of [`FLOOR_K`] (1.5) times that
//! and the **process reach**: the farthest any one of the baseline's processes
//! (all runs' samples, grouped by process) landed from the baseline's value. The
//! band a change must clear is `max(configured band, floor)`. Why the interquartile range: rustc-perf
//! derives its significance threshold from the interquartile range of historic
//! changes (Q3 + 1.5 IQR, Tukey's fence), and it ignores one wild run among five.
//! Why 1.5: it is that fence's factor, and with runs spread ±30% (0.7, 1.0, 1.3 of
//! the typical time: IQR 30%) it puts the floor at 45%, beyond every run the
//! baseline itself saw, while a 60% slowdown still clears it; the significance
//! test, the interval (which must clear the floor entirely, not just its point)
//! and the confirmation re-run add the margin a bare fence lacks. The reach covers
//! what three runs cannot show: cells whose processes settle into modes (one slow
//! process in nine) have runs that agree by chance, and a check's two processes
//! can both land in the rare mode. With a floor,
//! the baseline's value is the median of its runs' medians, taken as exact (the
//! floor covers its uncertainty), and the interval is the results' median interval
//! divided by it. Without repeats the band alone applies, and a note says so.
//!
//! A cell whose floor is above the configured band cannot show a change of the
//! band's size: unless the change clears the floor, its verdict is
//! [`Verdict::TooNoisy`] ("too noisy to detect 10% here"), never *no change* and
//! never a regression. Every finding states the band it used and the smallest
//! change it could have reported ([`Finding::detectable`]: the band plus the
//! half-width of the interval; none when too few samples make significance
//! impossible).
//!
//! *Improvement* is the mirror image: significant, and the interval entirely
//! below 1 − band. Everything else is *no change* (or *too noisy*): a significant
//! shift smaller than the band (real, perhaps, but within what the machine does
//! between runs) and a large shift that is not significant (too few or too noisy
//! samples to tell). The p and interval columns of the report show which.
//!
//! Why both conditions: with many samples a test finds differences of 1% that are
//! real but come from the machine, not the code; with few samples a 20% difference
//! can be chance. The rank test assumes nothing about the shape of the timings
//! (they are skewed, with outliers), and the correction keeps a matrix of 36 cells
//! from raising a false alarm every few runs.
//!
//! **Samples needed.** A rank test cannot reach a small p-value with few samples:
//! with `n` distinct samples per side the smallest two-sided p is `2 / C(2n, n)`,
//! 0.1 with 3 samples and 0.0079 with 5; and after correcting over `m` tests the
//! smallest p must be below `alpha / m` (0.05 / 36 = 0.0014). When a compared cell
//! has too few samples for that, the check adds one note saying how many samples
//! per side it needs (7 for 36 cells at alpha 0.05; 10 leave a margin).
//!
//! **Throughput** is operations ÷ wall time, a metric derived from the samples, so
//! it gets no shortcut: where every sample counts its operations
//! ([`Sample::ops`]) and they vary (fixed-time workloads), it is tested per sample
//! exactly like wall time (same test, interval, band and floor; throughput down is
//! the regression); where every sample did the same operations it is a function of
//! wall time alone and is judged by the median-wall finding, not as a finding of
//! its own; where samples do not count operations (files before schema 3) it is
//! not compared, and a note says so. A derived metric therefore never yields a
//! finding its base metric's test rejects.
//!
//! **Latency p99** is judged per sample: each sample's own p99
//! (`Sample::latency_p99_us`) is tested like wall time (significance across the
//! cell's processes, an interval beyond the band), against a floor that is the
//! larger of 1.5 × the spread of the baseline's per-run merged p99s and the reach
//! of its processes' median p99s. The p99 of histograms merged over a handful
//! of samples is a tail statistic that moved by 20–480% between identical runs
//! here; judged as one value against three runs' spread it raised false alarms in
//! every self-check of the whole matrix. A cell whose samples carry no p99 has no
//! p99 finding.
//!
//! **Peak RSS** is a true single value per cell process (its high-water mark,
//! [`Cell::process_peaks_rss_bytes`]), so there is no test and no interval: the
//! median of the processes' peaks is a regression or an improvement when its
//! change is beyond the band. The median, not the maximum, because a check's 2
//! processes against a baseline's 9 would otherwise read as a smaller peak every
//! time (the highest of 9 draws): that was most of the spurious improvements of the
//! whole-matrix self-checks. Its band is calibrated like wall time's: the larger of
//! the configured band and the floor (1.5 × the relative IQR of the baseline's
//! per-run medians, or the farthest any baseline process's peak lies from their
//! median), with the same *too noisy* verdict; without repeats, the fixed band. It
//! uses a band of at least 20% and ignores differences under 1 MiB: the resident
//! memory of a small process moves with allocator and kernel behaviour no code
//! change caused.
//!
//! **Drift.** When both sides have calibration cells ([`CALIBRATION_CELLS`]:
//! `seq/cpu/t1` and `seq/cpu-skewed/t1`) finished and undisturbed, the check reports the machine's drift since the
//! baseline: the geometric mean of their ratios of medians. With
//! [`CheckOptions::normalize`] every other cell's times are divided by it (its
//! throughput multiplied) before they are judged, and the calibration cells are
//! listed as its reference instead of being judged.
//!
//! **Machines.** The two fingerprints are compared first: CPU model, kernel,
//! logical cores, rustc, build profile, every runtime crate's version, the thread
//! counts and the preset ([`machine_differences`]). When any differ, absolute times
//! say little about the code, so the check switches to *within-run ratios*: each
//! sample's wall time is divided by the median wall time of `seq` on the same
//! workload in its own file, and those ratios are compared by the rule above (the
//! reference median is taken as exact; its own noise is left to the band). `seq`
//! itself (the reference), and cells whose workload has no finished `seq` on
//! either side, are not compared, nor are the single-value metrics. With
//! `strict_machine` absolute values are compared anyway, with a note that the
//! machines differ.
//!
//! **Confirmation.** When the check can run the cells itself, it re-runs the cells
//! [`Check::flagged_cells`] names and checks them again; [`Check::confirm`] keeps a
//! regression only if the re-run reproduces it (same cell, same metric) and marks
//! the others *unconfirmed*: reported, but not a failure.
//!
//! ```
//! use rtcompare_reports::regression::{CheckOptions, check};
//! # fn results() -> rtcompare_reports::Results {
//! #     rtcompare_reports::parse(std::path::Path::new("r.json"),
//! #         include_str!("../../tests/fixtures/results.json")).unwrap()
//! # }
//! let baseline = results();
//! let report = check(&baseline, &baseline, &CheckOptions::against_baseline());
//! assert!(!report.has_regression());
//! ```
//!
//! [`Cell::disturbed`]: crate::model::Cell::disturbed
//! [`Cell::process_peaks_rss_bytes`]: crate::model::Cell::process_peaks_rss_bytes
//! [`Sample::ops`]: crate::model::Sample::ops
//! [`relative_iqr`]: crate::stats::relative_iqr

pub use crate::fingerprint::machine_differences;
pub use crate::metric::Metric;
use crate::model::{Baseline, Results};
use crate::text::NONE;

mod finding;
mod judge;
mod options;
mod outcome;
mod render;

pub use finding::{Finding, Method, Spread, Verdict};
pub use judge::check_with_repeats;
pub use options::{CheckOptions, Correction};
pub use outcome::{Check, Drift, Mode};
pub use render::render_markdown;

/// Fewest samples per side for a median-wall comparison.
pub const MIN_SAMPLES: usize = 2;

/// The smallest noise band used for peak RSS, whatever [`CheckOptions::noise`] is.
pub const RSS_MIN_BAND: f64 = 0.20;

/// Peak-RSS differences smaller than this many bytes are never a change.
pub const RSS_MIN_BYTES: f64 = 1024.0 * 1024.0;

/// Default multiplier of a cell's run-to-run spread for its noise floor: Tukey's
/// outer-fence factor, the one rustc-perf applies to the interquartile range of
/// historic changes (a change is significant beyond Q3 + 1.5 IQR).
pub const FLOOR_K: f64 = 1.5;

/// Fewest undisturbed baseline runs of a cell for a noise floor.
pub const FLOOR_MIN_RUNS: usize = crate::baseline::MIN_RUNS;

/// The calibration cells whose change since the baseline measures the machine's
/// drift: CPU-bound cells with no scheduler at all. A `spawn` cell served here
/// before, but its processes settle into one of two modes (tokio-ct's 11 or 17 ms),
/// so it read as ±40% "drift" while `seq/cpu` moved 0–4%.
pub const CALIBRATION_CELLS: [&str; 2] = ["seq/cpu/t1", "seq/cpu-skewed/t1"];

/// A p-value: four decimals, or two significant digits in exponent form below
/// 0.0001.
fn format_p(p: f64) -> String {
    if !p.is_finite() {
        NONE.to_owned()
    } else if p >= 0.0001 || p == 0.0 {
        format!("{p:.4}")
    } else {
        format!("{p:.1e}")
    }
}

/// Compares `results` with `baseline` by the rule in the module documentation,
/// for a baseline of one run (no noise floor). Never fails: what cannot be
/// compared is listed with the reason.
pub fn check(baseline: &Results, results: &Results, options: &CheckOptions) -> Check {
    check_with_repeats(baseline, None, results, options)
}

/// [`check`] against a stored baseline, using its repeated runs (when it has
/// them) for each cell's noise floor.
pub fn check_baseline(baseline: &Baseline, results: &Results, options: &CheckOptions) -> Check {
    check_with_repeats(
        &baseline.results,
        baseline.repeats.as_ref(),
        results,
        options,
    )
}

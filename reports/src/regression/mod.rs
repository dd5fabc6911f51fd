//! Regression checks: compares a results file with a baseline, cell by cell and
//! metric by metric, and says of each whether it regressed, improved or did not
//! change beyond the noise, with the numbers that decide it. Pure: no I/O, no
//! clock; the same inputs and options give the same [`Check`].
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

pub use crate::fingerprint::machine_differences;
use crate::floor::Floor;
pub use crate::metric::Metric;
use crate::model::{Baseline, Cell, CellRepeats, Repeats, Results, Sample, Status};
use crate::stats::{
    benjamini_hochberg, bootstrap_median_ci, bootstrap_ratio_of_medians_ci, hierarchical_median_ci,
    hierarchical_ratio_of_medians, holm, mann_whitney_min_p, mann_whitney_u, median, relative_iqr,
};
use crate::summary::BASELINE_RUNNER;
use crate::table::{Align, Table};
use crate::text::{NONE, plural, sig3};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

mod judge;
mod render;

pub use judge::check_with_repeats;
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

/// The outcome for one cell and metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Worse, significantly and beyond the noise band.
    Regression,
    /// Better, significantly and beyond the noise band.
    Improvement,
    /// Not shown to differ beyond the noise band.
    NoChange,
    /// Flagged as a regression once, but the confirmation re-run did not
    /// reproduce it.
    Unconfirmed,
    /// Not shown to differ, and the cell's noise floor (from the baseline's repeated
    /// runs) is above the requested band: a change of the band's size could not have
    /// been seen here. Never a pass, never a regression.
    TooNoisy,
}

impl Verdict {
    /// The verdict in words: `regression`, `improvement`, `no change`,
    /// `unconfirmed`.
    pub fn word(&self) -> &'static str {
        match self {
            Self::Regression => "regression",
            Self::Improvement => "improvement",
            Self::NoChange => "no change",
            Self::Unconfirmed => "unconfirmed",
            Self::TooNoisy => "too noisy",
        }
    }

    /// Position in the report: regressions, improvements, unconfirmed, no change.
    fn rank(self) -> u8 {
        match self {
            Self::Regression => 0,
            Self::Improvement => 1,
            Self::Unconfirmed => 2,
            Self::TooNoisy => 3,
            Self::NoChange => 4,
        }
    }
}

/// What the median-wall comparison compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Times as measured: the machines match (or `strict_machine` was asked for).
    Absolute,
    /// Each runner's samples divided by the median wall time of `seq` on the same
    /// workload in its own run: the machines differ.
    WithinRunRatio,
}

/// How p-values are adjusted for the number of tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Correction {
    /// Holm's step-down method: bounds the family-wise error rate.
    Holm,
    /// Benjamini-Hochberg: bounds the false discovery rate.
    BenjaminiHochberg,
}

impl Correction {
    /// The method's name in prose.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Holm => "Holm",
            Self::BenjaminiHochberg => "Benjamini-Hochberg",
        }
    }

    /// Adjusts `p` for `p.len()` tests.
    pub fn adjust(&self, p: &[f64]) -> Vec<f64> {
        match self {
            Self::Holm => holm(p),
            Self::BenjaminiHochberg => benjamini_hochberg(p),
        }
    }
}

/// The knobs of a check.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CheckOptions {
    /// Half-width of the noise band as a fraction: 0.10 means changes within ±10%
    /// are never a regression or an improvement.
    pub noise: f64,
    /// Significance level of the corrected Mann-Whitney p-values.
    pub alpha: f64,
    /// How p-values are corrected for the number of cells compared.
    pub correction: Correction,
    /// Bootstrap resamples for the interval of the ratio of medians.
    pub resamples: usize,
    /// Seed of the bootstrap (mixed with each cell's key).
    pub seed: u64,
    /// Compare absolute values even when the machine fingerprints differ.
    pub strict_machine: bool,
    /// Multiplier of a cell's run-to-run spread (the relative interquartile range of
    /// the baseline's per-run values) that gives its noise floor: the band a change
    /// must clear is `max(band, floor_k × spread, process reach)`. Default [`FLOOR_K`].
    #[serde(default = "default_floor_k")]
    pub floor_k: f64,
    /// Judge cells relative to the machine's drift since the baseline, measured on
    /// the calibration cells ([`CALIBRATION_CELLS`]) of the same results.
    #[serde(default)]
    pub normalize: bool,
}

fn default_floor_k() -> f64 {
    FLOOR_K
}

impl CheckOptions {
    /// Defaults against a stored baseline: noise band 10%, alpha 0.05, Holm,
    /// 2000 resamples, seed 1, ratio mode when the machines differ.
    pub fn against_baseline() -> Self {
        Self {
            noise: 0.10,
            alpha: 0.05,
            correction: Correction::Holm,
            resamples: 2000,
            seed: 1,
            strict_machine: false,
            floor_k: FLOOR_K,
            normalize: false,
        }
    }

    /// Defaults for an A/B run of two builds interleaved in one job: as
    /// [`CheckOptions::against_baseline`] with a noise band of 5%.
    pub fn ab() -> Self {
        Self {
            noise: 0.05,
            ..Self::against_baseline()
        }
    }

    /// The noise band of `metric`: [`CheckOptions::noise`], at least
    /// [`RSS_MIN_BAND`] for peak RSS.
    pub fn band(&self, metric: Metric) -> f64 {
        match metric {
            Metric::PeakRss => self.noise.max(RSS_MIN_BAND),
            _ => self.noise,
        }
    }
}

impl Default for CheckOptions {
    fn default() -> Self {
        Self::against_baseline()
    }
}

/// The comparison of one cell on one metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The cell's key, `runner/workload/tN` ([`Cell::key`]).
    pub cell: String,
    /// Runner id.
    pub runner: String,
    /// Workload id.
    pub workload: String,
    /// Worker threads.
    pub threads: usize,
    /// What was compared.
    pub metric: Metric,
    /// The baseline's value: median wall in seconds (a ratio to `seq` in ratio
    /// mode), throughput per second, latency p99 in µs, peak RSS in bytes.
    pub baseline: f64,
    /// The results' value, in the same unit.
    pub now: f64,
    /// `now / baseline - 1`, whatever the metric's direction: +0.15 is 15% more
    /// wall time (worse) or 15% more throughput (better).
    pub change: f64,
    /// 95% bootstrap interval of the ratio `now / baseline` (median wall only).
    pub ci95: Option<[f64; 2]>,
    /// Two-sided Mann-Whitney p-value (median wall only).
    pub p: Option<f64>,
    /// `p` adjusted for the number of tests.
    pub p_adjusted: Option<f64>,
    /// The outcome.
    pub verdict: Verdict,
    /// The band the change had to clear: the configured one, or the noise floor
    /// where that is larger.
    #[serde(default)]
    pub band: f64,
    /// The cell's noise floor ([`Floor::value`]): the larger of `floor_k ×` its
    /// run-to-run spread and the reach of the baseline's processes, when the
    /// baseline has at least [`FLOOR_MIN_RUNS`] undisturbed runs of it.
    #[serde(default)]
    pub floor: Option<f64>,
    /// Undisturbed baseline runs the floor rests on (0: no repeats).
    #[serde(default)]
    pub runs: usize,
    /// The run-to-run spread behind the floor: the relative interquartile range of
    /// the baseline's per-run values.
    #[serde(default)]
    pub run_spread: Option<f64>,
    /// The process reach behind the floor ([`Floor::reach`]): the farthest one of
    /// the baseline's processes landed from its value.
    #[serde(default)]
    pub reach: Option<f64>,
    /// Baseline processes behind `reach`.
    #[serde(default)]
    pub floor_processes: usize,
    /// The smallest change this comparison could have reported, as a fraction: the
    /// band plus the half-width of the interval (the band alone for single values);
    /// `None` when too few samples make any significant result impossible.
    #[serde(default)]
    pub detectable: Option<f64>,
    /// How the samples were tested, and the spread they showed (sampled metrics).
    #[serde(default)]
    pub spread: Option<Spread>,
}

/// How a sampled metric was tested and how its samples spread (per side:
/// baseline, results).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    /// What the test resampled.
    pub method: Method,
    /// Cell processes contributing samples.
    pub processes: [usize; 2],
    /// Undisturbed samples used.
    pub samples: [usize; 2],
    /// Relative interquartile range of the per-process medians (from 2 processes).
    pub between_process: [Option<f64>; 2],
    /// Median over processes of the relative interquartile range of each process's
    /// samples (processes with at least 2 samples).
    pub within_process: [Option<f64>; 2],
}

/// What a sampled metric's test treats as independent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Samples from at least 2 processes on each side: a hierarchical bootstrap
    /// (processes, then samples within each) gives the interval and the p-value.
    Processes,
    /// One process on a side: samples are taken as independent (Mann-Whitney U and
    /// an independent bootstrap); the spread between processes is unknown.
    Samples,
}

/// The machine's drift since the baseline, from the calibration cells.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Drift {
    /// Each calibration cell and its ratio of medians, now / baseline.
    pub cells: Vec<(String, f64)>,
    /// Their geometric mean: 1.05 = the machine is 5% slower than when the baseline
    /// was made.
    pub factor: f64,
    /// Whether the other cells were judged relative to it (`normalize`).
    pub normalized: bool,
}

/// The outcome of a whole check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// Absolute values or within-run ratios.
    pub mode: Mode,
    /// How the fingerprints differ, one line each (empty when they match).
    pub machine_differences: Vec<String>,
    /// The options the check ran with.
    pub options: CheckOptions,
    /// Every comparison made, regressions first (see [`Check::sort`]).
    pub findings: Vec<Finding>,
    /// Keys of cells only the baseline has.
    pub only_in_baseline: Vec<String>,
    /// Keys of cells only the results have.
    pub only_in_results: Vec<String>,
    /// Cells (or metrics of cells) present on both sides but not compared: key
    /// and why.
    pub not_compared: Vec<(String, String)>,
    /// Cells that apply on one side and are `n/a` on the other: key and how
    /// (`ok in the baseline; n/a in the results: reason`). Listed, not compared,
    /// never a regression.
    #[serde(default)]
    pub applicability_changed: Vec<(String, String)>,
    /// Cells kept out of every comparison because other load on the machine
    /// disturbed them (on either side, after their re-takes): key and where.
    /// Listed, never a regression.
    #[serde(default)]
    pub disturbed: Vec<(String, String)>,
    /// The machine's drift since the baseline, when the calibration cells ran on
    /// both sides.
    #[serde(default)]
    pub drift: Option<Drift>,
    /// What a reader must know to interpret the verdicts.
    pub notes: Vec<String>,
}

impl Check {
    /// True when any finding is a [`Verdict::Regression`].
    pub fn has_regression(&self) -> bool {
        self.count(Verdict::Regression) > 0
    }

    /// Keys of the cells with a regression, each once, biggest change first: the
    /// cells a confirmation run should re-run. In [`Mode::WithinRunRatio`] the
    /// re-run also needs the `seq` cell of each of their workloads.
    pub fn flagged_cells(&self) -> Vec<String> {
        let mut seen = BTreeSet::new();
        self.findings
            .iter()
            .filter(|f| f.verdict == Verdict::Regression)
            .filter(|f| seen.insert(f.cell.clone()))
            .map(|f| f.cell.clone())
            .collect()
    }

    /// Applies a confirmation re-run: `rerun` is the same check (same baseline and
    /// options) of the re-run cells. A regression stays one only if `rerun` also
    /// has a regression for the same cell and metric; otherwise it becomes
    /// [`Verdict::Unconfirmed`]. Adds a note saying how many were reproduced.
    pub fn confirm(&mut self, rerun: &Check) {
        let reproduced = |f: &Finding| {
            rerun.findings.iter().any(|r| {
                r.cell == f.cell && r.metric == f.metric && r.verdict == Verdict::Regression
            })
        };
        let (mut flagged, mut kept) = (0, 0);
        for finding in &mut self.findings {
            if finding.verdict == Verdict::Regression {
                flagged += 1;
                if reproduced(finding) {
                    kept += 1;
                } else {
                    finding.verdict = Verdict::Unconfirmed;
                }
            }
        }
        if flagged > 0 {
            self.notes.push(format!(
                "Confirmation re-run: {kept} of {} reproduced; {} not reproduced and marked unconfirmed.",
                plural(flagged, "regression", "regressions"),
                flagged - kept
            ));
        }
        self.sort();
    }

    /// Orders the findings: regressions, improvements, unconfirmed, no change;
    /// within each, the largest |change| first (then by cell and metric).
    pub fn sort(&mut self) {
        self.findings.sort_by(|a, b| {
            a.verdict
                .rank()
                .cmp(&b.verdict.rank())
                .then_with(|| magnitude(b.change).total_cmp(&magnitude(a.change)))
                .then_with(|| a.cell.cmp(&b.cell))
                .then_with(|| a.metric.cmp(&b.metric))
        });
    }

    /// Number of findings with `verdict`.
    pub fn count(&self, verdict: Verdict) -> usize {
        self.findings
            .iter()
            .filter(|f| f.verdict == verdict)
            .count()
    }

    /// Number of distinct cells with at least one finding.
    pub fn cells_compared(&self) -> usize {
        self.findings
            .iter()
            .map(|f| f.cell.as_str())
            .collect::<BTreeSet<_>>()
            .len()
    }

    /// Number of distinct cells in `not_compared` with no finding at all.
    pub fn cells_not_compared(&self) -> usize {
        let compared: BTreeSet<&str> = self.findings.iter().map(|f| f.cell.as_str()).collect();
        self.not_compared
            .iter()
            .map(|(key, _)| key.as_str())
            .filter(|key| !compared.contains(key))
            .collect::<BTreeSet<_>>()
            .len()
    }

    /// The one-line summary that ends the report: `Summary: 1 regression, 0
    /// improvements, 35 unchanged, 0 unconfirmed (36 cells compared, 0 not
    /// compared, 0 missing).`, with `, 2 changed applicability` inside the
    /// parentheses when cells became or stopped being `n/a`.
    pub fn summary_line(&self) -> String {
        let mut changed = match self.applicability_changed.len() {
            0 => String::new(),
            n => format!(", {n} changed applicability"),
        };
        if !self.disturbed.is_empty() {
            changed.push_str(&format!(", {} disturbed", self.disturbed.len()));
        }
        let noisy = match self.count(Verdict::TooNoisy) {
            0 => String::new(),
            n => format!(", {n} too noisy"),
        };
        format!(
            "Summary: {}, {}, {} unchanged, {} unconfirmed{noisy} ({} compared, {} not compared, {} missing{changed}).",
            plural(self.count(Verdict::Regression), "regression", "regressions"),
            plural(
                self.count(Verdict::Improvement),
                "improvement",
                "improvements"
            ),
            self.count(Verdict::NoChange),
            self.count(Verdict::Unconfirmed),
            plural(self.cells_compared(), "cell", "cells"),
            self.cells_not_compared(),
            self.only_in_baseline.len() + self.only_in_results.len(),
        )
    }
}

/// |x| with NaN sorting last among descending magnitudes.
fn magnitude(x: f64) -> f64 {
    if x.is_nan() { -1.0 } else { x.abs() }
}

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

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
//! #         include_str!("../tests/fixtures/results.json")).unwrap()
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
use crate::text::{NONE, sig3};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

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

/// `1 regression`, `2 regressions`.
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
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

/// A sampled comparison waiting for the corrected p-values.
struct Pending {
    finding: Finding,
    base: Vec<Vec<f64>>,
    now: Vec<Vec<f64>>,
    /// The baseline's reference value when it comes from repeated runs (the median
    /// of the runs' medians, taken as exact: the floor covers its uncertainty).
    reference: Option<f64>,
}

/// Samples of `cell` left after dropping disturbed ones, grouped by process, each
/// value from `value` (`None` drops the sample).
fn groups(cell: &Cell, value: impl Fn(&Sample) -> Option<f64>) -> Vec<Vec<f64>> {
    let mut by_process: BTreeMap<usize, Vec<f64>> = BTreeMap::new();
    for s in cell.samples.iter().filter(|s| !s.disturbed) {
        if let Some(v) = value(s).filter(|v| v.is_finite()) {
            by_process.entry(s.process).or_default().push(v);
        }
    }
    by_process.into_values().collect()
}

fn flat(groups: &[Vec<f64>]) -> Vec<f64> {
    groups.iter().flatten().copied().collect()
}

/// Between- and within-process spread of grouped samples.
fn side_spread(groups: &[Vec<f64>]) -> (Option<f64>, Option<f64>) {
    let medians: Vec<f64> = groups.iter().map(|g| median(g)).collect();
    let between = (groups.len() >= 2).then(|| relative_iqr(&medians));
    let within: Vec<f64> = groups
        .iter()
        .filter(|g| g.len() >= 2)
        .map(|g| relative_iqr(g))
        .collect();
    (
        between.filter(|x| x.is_finite()),
        (!within.is_empty()).then(|| median(&within)),
    )
}

/// Whether `cell` is kept out of the check as disturbed: it stayed disturbed after
/// its re-takes, unless it is a baseline cell of repeated runs with at least one
/// undisturbed run (then it is judged on its undisturbed samples).
fn disturbed_side(cell: &Cell, repeats: Option<&CellRepeats>) -> bool {
    match repeats {
        Some(r) if r.disturbed.len() >= 2 => r.disturbed.iter().all(|d| *d),
        _ => cell.disturbed(),
    }
}

/// The calibration cells present and finished (and not disturbed) on both sides.
fn calibration_keys(baseline: &Results, results: &Results) -> Vec<String> {
    let usable = |r: &Results, key: &str| {
        r.cells
            .iter()
            .any(|c| c.key() == key && c.status == Status::Ok && !c.disturbed())
    };
    CALIBRATION_CELLS
        .iter()
        .filter(|key| usable(baseline, key) && usable(results, key))
        .map(|key| (*key).to_owned())
        .collect()
}

/// Compares `results` with `baseline`, with `repeats` the baseline's repeated runs
/// if it has them, by the rule in the module documentation.
pub fn check_with_repeats(
    baseline: &Results,
    repeats: Option<&Repeats>,
    results: &Results,
    options: &CheckOptions,
) -> Check {
    let machine_differences = machine_differences(baseline, results);
    let mode = if machine_differences.is_empty() || options.strict_machine {
        Mode::Absolute
    } else {
        Mode::WithinRunRatio
    };
    let mut check = Check {
        mode,
        machine_differences,
        options: *options,
        findings: Vec::new(),
        only_in_baseline: Vec::new(),
        only_in_results: Vec::new(),
        not_compared: Vec::new(),
        applicability_changed: Vec::new(),
        disturbed: Vec::new(),
        drift: None,
        notes: Vec::new(),
    };
    if !check.machine_differences.is_empty() && options.strict_machine {
        check.notes.push(format!(
            "The machines differ ({}); absolute values are compared anyway, as asked \
             (strict machine matching).",
            check.machine_differences.join("; ")
        ));
    }

    let base_cells = index(&baseline.cells, "baseline", &mut check.notes);
    let now_cells = index(&results.cells, "results", &mut check.notes);
    check.only_in_baseline = base_cells
        .iter()
        .filter(|(id, _)| !now_cells.contains_key(*id))
        .map(|(_, c)| c.key())
        .collect();
    check.only_in_results = now_cells
        .iter()
        .filter(|(id, _)| !base_cells.contains_key(*id))
        .map(|(_, c)| c.key())
        .collect();
    let cell_repeats = |key: &str| -> Option<&CellRepeats> { repeats?.cells.get(key) };
    let run_count = repeats.map_or(1, |r| r.runs.len());

    // The machine's drift since the baseline, from the calibration cells.
    let calibration = if mode == Mode::Absolute {
        calibration_keys(baseline, results)
    } else {
        Vec::new()
    };
    let reference_wall = |cell: &Cell| -> Option<f64> {
        let floor_runs = cell_repeats(&cell.key())
            .map(|r| crate::baseline::clean_values(r, Metric::MedianWall))
            .filter(|v| v.len() >= FLOOR_MIN_RUNS);
        floor_runs
            .map(|v| median(&v))
            .or_else(|| crate::baseline::RunValues::of(cell).median_wall_s)
    };
    if !calibration.is_empty() {
        let ratios: Vec<(String, f64)> = calibration
            .iter()
            .filter_map(|key| {
                let b = baseline.cells.iter().find(|c| &c.key() == key)?;
                let n = results.cells.iter().find(|c| &c.key() == key)?;
                let ratio = crate::baseline::RunValues::of(n).median_wall_s? / reference_wall(b)?;
                ratio.is_finite().then(|| (key.clone(), ratio))
            })
            .collect();
        if !ratios.is_empty() {
            let log_mean = ratios.iter().map(|(_, r)| r.ln()).sum::<f64>() / ratios.len() as f64;
            check.drift = Some(Drift {
                cells: ratios,
                factor: log_mean.exp(),
                normalized: options.normalize,
            });
        }
    }
    let drift = check
        .drift
        .as_ref()
        .filter(|d| d.normalized)
        .map_or(1.0, |d| d.factor);
    if options.normalize && mode == Mode::Absolute && check.drift.is_none() {
        check.notes.push(format!(
            "Normalisation was asked for, but no calibration cell ({} or a single-threaded \
             spawn cell) finished undisturbed on both sides: cells are judged without it.",
            CALIBRATION_CELLS[0]
        ));
    }

    let seq_base = seq_medians(baseline);
    let seq_now = seq_medians(results);
    let mut skipped_single_values = false;
    let mut pending: Vec<Pending> = Vec::new();
    let mut both_not_applicable = 0;
    let mut excluded_samples = 0;
    let mut throughput_by_wall = 0;
    let mut throughput_without_ops = 0;
    let mut without_floor = 0;

    for (id, base) in &base_cells {
        let Some(now) = now_cells.get(id) else {
            continue;
        };
        let key = base.key();
        match (base.applies(), now.applies()) {
            (false, false) => {
                both_not_applicable += 1;
                continue;
            }
            (true, false) | (false, true) => {
                check
                    .applicability_changed
                    .push((key, applicability_change(base, now)));
                continue;
            }
            (true, true) => {}
        }
        if let Some(why) = not_ok(base, now) {
            check.not_compared.push((key, why));
            continue;
        }
        let reps = cell_repeats(&key);
        let sides = [
            (disturbed_side(base, reps), base, "the baseline"),
            (disturbed_side(now, None), now, "the results"),
        ];
        let where_: Vec<String> = sides
            .iter()
            .filter(|(d, _, _)| *d)
            .map(|(_, c, side)| {
                let n = c.interference.as_ref().map_or(0, |i| i.disturbed_samples);
                format!(
                    "disturbed in {side} ({} stayed disturbed after re-takes)",
                    plural(n, "sample", "samples")
                )
            })
            .collect();
        if !where_.is_empty() {
            check.disturbed.push((key, where_.join("; ")));
            continue;
        }
        excluded_samples += [base, *now]
            .iter()
            .map(|c| c.samples.iter().filter(|s| s.disturbed).count())
            .sum::<usize>();
        if options.normalize && calibration.contains(&key) && check.drift.is_some() {
            check.not_compared.push((
                key,
                "calibration cell: the reference of normalisation".to_owned(),
            ));
            continue;
        }
        // The run-to-run part of a floor: `floor_k ×` the relative IQR of the
        // baseline's undisturbed per-run values (after `transform`), with their
        // median as the reference.
        let runs_of = |metric: Metric, transform: &dyn Fn(usize, f64) -> Option<f64>| {
            let r = reps?;
            let values: Vec<f64> = match metric {
                Metric::MedianWall => &r.median_wall_s,
                Metric::Throughput => &r.throughput_per_s,
                Metric::LatencyP99 => &r.latency_p99_us,
                Metric::PeakRss => &r.peak_rss_bytes,
            }
            .iter()
            .enumerate()
            .filter(|(i, _)| !r.disturbed.get(*i).copied().unwrap_or(false))
            .filter_map(|(i, v)| transform(i, (*v)?))
            .collect();
            let spread = relative_iqr(&values);
            (values.len() >= FLOOR_MIN_RUNS && spread.is_finite()).then(|| Floor {
                run_spread: spread,
                reach: None,
                processes: 0,
                runs: values.len(),
                reference: median(&values),
                k: options.floor_k,
            })
        };

        let scale_b = base.scale();
        let scale_n = now.scale();
        let mut gb = groups(base, |s| Some(s.wall_s * scale_b));
        let mut gn = groups(now, |s| Some(s.wall_s * scale_n / drift));
        let mut wall_floor = runs_of(Metric::MedianWall, &|_, v| Some(v));
        if mode == Mode::WithinRunRatio {
            skipped_single_values |= base.throughput_per_s.is_some()
                || base.latency_us.is_some()
                || base.peak_rss_bytes.is_some();
            if base.runner == BASELINE_RUNNER {
                check.not_compared.push((
                    key,
                    format!("`{BASELINE_RUNNER}` is the reference of within-run ratios"),
                ));
                continue;
            }
            let sides = [
                ("the baseline", seq_base.get(&base.workload)),
                ("the results", seq_now.get(&base.workload)),
            ];
            let missing: Vec<&str> = sides
                .iter()
                .filter(|(_, m)| m.is_none())
                .map(|(side, _)| *side)
                .collect();
            if !missing.is_empty() {
                check.not_compared.push((
                    key,
                    format!(
                        "no finished `{BASELINE_RUNNER}` cell of workload `{}` in {} to take \
                         ratios to",
                        base.workload,
                        missing.join(" or ")
                    ),
                ));
                continue;
            }
            let (sb, sn) = (seq_base[&base.workload], seq_now[&base.workload]);
            gb.iter_mut().flatten().for_each(|w| *w /= sb);
            gn.iter_mut().flatten().for_each(|w| *w /= sn);
            // The floor of a ratio: the spread of the per-run ratios to seq.
            let seq_key = format!("{BASELINE_RUNNER}/{}/t1", base.workload);
            let seq_runs = cell_repeats(&seq_key).map(|r| r.median_wall_s.clone());
            wall_floor = seq_runs.and_then(|seq_runs| {
                runs_of(Metric::MedianWall, &|i, v| {
                    Some(v / seq_runs.get(i).copied().flatten()?)
                })
            });
        }
        let wall_floor = wall_floor.map(|f| f.with_reach(&gb));
        let (nb, nn) = (flat(&gb).len(), flat(&gn).len());
        if nb < MIN_SAMPLES || nn < MIN_SAMPLES {
            check.not_compared.push((
                key.clone(),
                format!(
                    "median wall: {} in the baseline and {} in the results; at least \
                     {MIN_SAMPLES} per side needed",
                    plural(nb, "undisturbed sample", "undisturbed samples"),
                    nn
                ),
            ));
        } else {
            let (mb, mn) = (
                wall_floor.map_or_else(|| median(&flat(&gb)), |f| f.reference),
                median(&flat(&gn)),
            );
            if mb > 0.0 && mb.is_finite() && mn.is_finite() {
                let mut f = finding(base, Metric::MedianWall, mb, mn);
                f.set_floor(wall_floor);
                without_floor += usize::from(f.floor.is_none());
                pending.push(Pending {
                    reference: wall_floor.map(|f| f.reference),
                    finding: f,
                    base: gb,
                    now: gn,
                });
            } else {
                check.not_compared.push((
                    key.clone(),
                    "median wall: the baseline's median is zero or not a number".to_owned(),
                ));
            }
        }
        if mode != Mode::Absolute {
            continue;
        }

        // Throughput: ops / wall per sample, never a single value.
        let rate = |s: &Sample| {
            s.ops
                .filter(|_| s.wall_s > 0.0)
                .map(|o| o as f64 / s.wall_s)
        };
        let has_ops = |c: &Cell| {
            c.samples
                .iter()
                .filter(|s| !s.disturbed)
                .all(|s| s.ops.is_some())
        };
        if base.throughput_per_s.is_some() || now.throughput_per_s.is_some() {
            let ops: BTreeSet<u64> = [base, *now]
                .iter()
                .flat_map(|c| c.samples.iter().filter(|s| !s.disturbed))
                .filter_map(|s| s.ops)
                .collect();
            if !(has_ops(base) && has_ops(now)) {
                throughput_without_ops += 1;
            } else if ops.len() <= 1 {
                throughput_by_wall += 1;
            } else {
                let tb = groups(base, rate);
                let tn = groups(now, |s| rate(s).map(|r| r * drift));
                let tp_floor =
                    runs_of(Metric::Throughput, &|_, v| Some(v)).map(|f| f.with_reach(&tb));
                let mb = tp_floor.map_or_else(|| median(&flat(&tb)), |f| f.reference);
                let mn = median(&flat(&tn));
                if flat(&tb).len() >= MIN_SAMPLES && flat(&tn).len() >= MIN_SAMPLES && mb > 0.0 {
                    let mut f = finding(base, Metric::Throughput, mb, mn);
                    f.set_floor(tp_floor);
                    pending.push(Pending {
                        reference: tp_floor.map(|f| f.reference),
                        finding: f,
                        base: tb,
                        now: tn,
                    });
                }
            }
        }

        // Latency p99: each sample's own p99, tested per sample like wall time. The
        // p99 merged over a handful of samples is a tail statistic that moves by tens
        // of percent between identical runs; judging it against a floor from three
        // runs raised false alarms on every self-check of the whole matrix.
        let p99 = |s: &Sample| s.latency_p99_us;
        let (lb, ln) = (groups(base, p99), groups(now, p99));
        if flat(&lb).len() >= MIN_SAMPLES && flat(&ln).len() >= MIN_SAMPLES {
            // The floor: the larger of the runs' spread of their merged p99s and the
            // reach of the baseline's processes' median p99s around the median of
            // all its samples' p99s (the value the test compares).
            let (mb, mn) = (median(&flat(&lb)), median(&flat(&ln)));
            let floor = runs_of(Metric::LatencyP99, &|_, v| Some(v))
                .map(|f| Floor { reference: mb, ..f }.with_reach(&lb));
            if mb > 0.0 && mb.is_finite() && mn.is_finite() {
                let mut f = finding(base, Metric::LatencyP99, mb, mn);
                f.set_floor(floor);
                pending.push(Pending {
                    reference: None,
                    finding: f,
                    base: lb,
                    now: ln,
                });
            }
        }

        // True single values: peak RSS, one per process. The median of the
        // processes' peaks, not their maximum: a check of 2 processes against a
        // baseline of 9 would otherwise read as a smaller peak every time.
        let (peaks_b, peaks_n) = (
            base.process_peaks_rss_bytes(),
            now.process_peaks_rss_bytes(),
        );
        let single = [(
            Metric::PeakRss,
            (!peaks_b.is_empty()).then(|| median(&peaks_b)),
            (!peaks_n.is_empty()).then(|| median(&peaks_n)),
            peaks_b,
        )];
        for (metric, b, n, processes) in single {
            let (Some(b), Some(n)) = (b, n) else {
                continue;
            };
            let per_process: Vec<Vec<f64>> = processes.iter().map(|p| vec![*p]).collect();
            let floor = runs_of(metric, &|_, v| Some(v)).map(|f| f.with_reach(&per_process));
            let b = floor.map_or(b, |f| f.reference);
            if !(b > 0.0 && b.is_finite() && n.is_finite()) {
                check.not_compared.push((
                    key.clone(),
                    format!("{metric}: the baseline's value is zero or not a number"),
                ));
                continue;
            }
            let mut f = finding(base, metric, b, n);
            f.set_floor(floor);
            f.band = options.band(metric).max(f.floor.unwrap_or(0.0));
            f.detectable = Some(f.band);
            let beyond = band_verdict(metric, f.change + 1.0, f.change + 1.0, f.band);
            f.verdict = if metric == Metric::PeakRss && (n - b).abs() < RSS_MIN_BYTES {
                Verdict::NoChange
            } else {
                beyond
            };
            f.verdict = too_noisy(f.verdict, f.floor, options.band(metric));
            check.findings.push(f);
        }
    }

    // Every sampled comparison is a test; correct across all of them, then decide.
    let m = pending.len();
    let threshold = options.alpha / m.max(1) as f64;
    // Enough hierarchical resamples that a bootstrap p can fall below alpha / m.
    let resamples_h = options
        .resamples
        .max((20.0 / threshold).ceil() as usize)
        .min(200_000);
    let mut evaluated: Vec<(Finding, [usize; 2])> = Vec::with_capacity(m);
    for Pending {
        mut finding,
        base,
        now,
        reference,
    } in pending
    {
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
        evaluated.push((finding, [fb.len(), fnow.len()]));
    }
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
    // A derived metric never outruns its base: throughput counts as a change only
    // where its own per-sample test found one (it has no finding otherwise).
    let sample_tests: Vec<(Finding, [usize; 2])> = evaluated
        .iter()
        .filter(|(f, _)| {
            f.spread
                .as_ref()
                .is_some_and(|s| s.method == Method::Samples)
        })
        .cloned()
        .collect();
    if let Some(note) = too_few_samples_note(&sample_tests, m, options) {
        check.notes.push(note);
    }
    check.findings.extend(evaluated.into_iter().map(|(f, _)| f));
    let single_process = check
        .findings
        .iter()
        .filter(|f| {
            f.spread
                .as_ref()
                .is_some_and(|s| s.method == Method::Samples)
        })
        .count();
    if single_process > 0 {
        check.notes.push(format!(
            "{} of one process on a side: their samples are tested as independent \
             (Mann-Whitney U), so the spread between processes, which a run-to-run \
             comparison also carries, is not in their p-values or intervals.",
            plural(
                single_process,
                "comparison has samples",
                "comparisons have samples"
            )
        ));
    }
    if without_floor > 0 && run_count < FLOOR_MIN_RUNS {
        check.notes.push(format!(
            "No noise floor: the baseline is {} (fewer than {FLOOR_MIN_RUNS}), so each cell \
             is judged against the configured band alone. Make the baseline from at least \
             {FLOOR_MIN_RUNS} runs (`baseline save` of {FLOOR_MIN_RUNS} results files, or \
             `baseline calibrate`) to give every cell its own floor.",
            plural(run_count, "single run", "runs")
        ));
    } else if without_floor > 0 {
        check.notes.push(format!(
            "{} fewer than {FLOOR_MIN_RUNS} undisturbed baseline runs: no noise floor, \
             judged against the configured band alone.",
            plural(without_floor, "cell has", "cells have")
        ));
    }
    if excluded_samples > 0 {
        check.notes.push(format!(
            "{} marked disturbed (other load on the machine, kept after the re-takes ran \
             out) left out of every test.",
            plural(excluded_samples, "sample", "samples")
        ));
    }
    if throughput_by_wall > 0 {
        check.notes.push(format!(
            "Throughput of {} is operations ÷ wall time with the same operations in every \
             sample: it is judged by its median wall time, not as a separate finding.",
            plural(throughput_by_wall, "cell", "cells")
        ));
    }
    if throughput_without_ops > 0 {
        check.notes.push(format!(
            "Throughput of {} not compared: samples without operation counts (files before \
             schema 3) leave only a single value, and a single value derived from the \
             samples would skip their test.",
            plural(throughput_without_ops, "cell is", "cells are")
        ));
    }
    if skipped_single_values {
        check.notes.push(
            "Within-run ratio mode compares median wall times only: throughput, latency p99 \
             and peak RSS are single values per cell with no within-run reference, so they \
             are not compared across different machines."
                .to_owned(),
        );
    }
    if both_not_applicable > 0 {
        check.notes.push(format!(
            "{} not applicable on both sides (the workload does not apply to the runner) and \
             skipped.",
            plural(both_not_applicable, "cell is", "cells are")
        ));
    }
    check.not_compared.sort();
    check.applicability_changed.sort();
    check.disturbed.sort();
    check.sort();
    check
}

impl Finding {
    /// Records `floor` (none: the configured band alone applies).
    fn set_floor(&mut self, floor: Option<Floor>) {
        self.floor = floor.map(|f| f.value());
        self.runs = floor.map_or(0, |f| f.runs);
        self.run_spread = floor.map(|f| f.run_spread);
        self.reach = floor.and_then(|f| f.reach);
        self.floor_processes = floor.map_or(0, |f| f.processes);
    }
}

/// `verdict`, or [`Verdict::TooNoisy`] in place of "no change" where the cell's
/// floor is above the requested band.
fn too_noisy(verdict: Verdict, floor: Option<f64>, band: f64) -> Verdict {
    match (verdict, floor) {
        (Verdict::NoChange, Some(floor)) if floor > band => Verdict::TooNoisy,
        (v, _) => v,
    }
}

/// How a cell that is `n/a` on exactly one side differs: each side's status, with
/// the reason the workload does not apply (and any failure's first line).
fn applicability_change(base: &Cell, now: &Cell) -> String {
    let side = |cell: &Cell, name: &str| -> String {
        let reason = cell
            .error
            .as_deref()
            .and_then(|e| e.lines().next())
            .map(|e| {
                let short: String = e.chars().take(120).collect();
                if short.len() < e.len() {
                    format!(": {short}…")
                } else {
                    format!(": {short}")
                }
            })
            .filter(|_| cell.status != Status::Ok)
            .unwrap_or_default();
        format!("{} in the {name}{reason}", cell.status.as_str())
    };
    format!("{}; {}", side(base, "baseline"), side(now, "results"))
}

/// A finding with the values filled in and no verdict yet.
fn finding(cell: &Cell, metric: Metric, baseline: f64, now: f64) -> Finding {
    Finding {
        cell: cell.key(),
        runner: cell.runner.clone(),
        workload: cell.workload.clone(),
        threads: cell.threads,
        metric,
        baseline,
        now,
        change: now / baseline - 1.0,
        ci95: None,
        p: None,
        p_adjusted: None,
        verdict: Verdict::NoChange,
        band: 0.0,
        floor: None,
        runs: 0,
        run_spread: None,
        reach: None,
        floor_processes: 0,
        detectable: None,
        spread: None,
    }
}

/// The verdict of a ratio interval `[lo, hi]` (a point for single values) against
/// the band, in the metric's direction.
fn band_verdict(metric: Metric, lo: f64, hi: f64, band: f64) -> Verdict {
    let (above, below) = (lo > 1.0 + band, hi < 1.0 - band);
    match (above, below, metric.higher_is_better()) {
        (true, _, false) | (_, true, true) => Verdict::Regression,
        (true, _, true) | (_, true, false) => Verdict::Improvement,
        _ => Verdict::NoChange,
    }
}

/// Cells by (runner, workload, threads); a duplicate is noted and the first kept.
fn index<'a>(
    cells: &'a [Cell],
    side: &str,
    notes: &mut Vec<String>,
) -> BTreeMap<(&'a str, &'a str, usize), &'a Cell> {
    let mut map = BTreeMap::new();
    for cell in cells {
        let id = (cell.runner.as_str(), cell.workload.as_str(), cell.threads);
        if let std::collections::btree_map::Entry::Vacant(slot) = map.entry(id) {
            slot.insert(cell);
        } else {
            notes.push(format!(
                "The {side} has cell {} more than once; the first one is used.",
                cell.key()
            ));
        }
    }
    map
}

/// Why a matched pair cannot be compared at all: a side did not finish.
fn not_ok(base: &Cell, now: &Cell) -> Option<String> {
    let why = |cell: &Cell, side: &str| -> Option<String> {
        let status = match cell.status {
            Status::Ok => return None,
            Status::Failed => "failed",
            Status::Timeout => "timed out",
            Status::NotApplicable => "n/a",
        };
        let error = cell
            .error
            .as_deref()
            .and_then(|e| e.lines().next())
            .map(|e| {
                let short: String = e.chars().take(120).collect();
                if short.len() < e.len() {
                    format!(": {short}…")
                } else {
                    format!(": {short}")
                }
            })
            .unwrap_or_default();
        Some(format!("{status} in the {side}{error}"))
    };
    if base.status != Status::Ok && base.status == now.status && base.error == now.error {
        return why(base, "baseline and the results");
    }
    let reasons: Vec<String> = [why(base, "baseline"), why(now, "results")]
        .into_iter()
        .flatten()
        .collect();
    (!reasons.is_empty()).then(|| reasons.join("; "))
}

/// Median wall time (scaled) of the `seq` cell of each workload that has a
/// finished one with samples (the one with fewest threads if several).
fn seq_medians(results: &Results) -> BTreeMap<String, f64> {
    let mut best: BTreeMap<String, (usize, f64)> = BTreeMap::new();
    for cell in &results.cells {
        if cell.runner != BASELINE_RUNNER || cell.status != Status::Ok || cell.samples.is_empty() {
            continue;
        }
        let walls: Vec<f64> = cell.samples.iter().map(|s| s.wall_s).collect();
        let wall = median(&walls) * cell.scale();
        if !(wall > 0.0 && wall.is_finite()) {
            continue;
        }
        let entry = best
            .entry(cell.workload.clone())
            .or_insert((cell.threads, wall));
        if cell.threads < entry.0 {
            *entry = (cell.threads, wall);
        }
    }
    best.into_iter().map(|(w, (_, wall))| (w, wall)).collect()
}

/// The one note about sample counts too small for any significant result, if
/// some compared cell has them.
fn too_few_samples_note(
    tests: &[(Finding, [usize; 2])],
    m: usize,
    options: &CheckOptions,
) -> Option<String> {
    if tests.is_empty() || m == 0 {
        return None;
    }
    let threshold = options.alpha / m as f64;
    let short: Vec<(f64, [usize; 2])> = tests
        .iter()
        .map(|(_, [nb, nn])| (mann_whitney_min_p(*nb, *nn), [*nb, *nn]))
        .filter(|(min_p, _)| *min_p >= threshold)
        .collect();
    let (worst_p, [nb, nn]) = short.iter().copied().max_by(|a, b| a.0.total_cmp(&b.0))?;
    let needed = (MIN_SAMPLES..=10_000)
        .find(|&n| mann_whitney_min_p(n, n) < threshold)
        .unwrap_or(10_000);
    Some(format!(
        "Too few samples for a significant result in {} of {m} compared cells: with {nb} \
         baseline and {nn} new samples the smallest two-sided Mann-Whitney p-value possible is \
         {}, and after {} correction over {m} tests the smallest p must be below {} / {m} = {}. \
         No median-wall regression or improvement can be reported for them; record at least \
         {needed} samples per side.",
        short.len(),
        format_p(worst_p),
        options.correction.name(),
        options.alpha,
        format_p(threshold),
    ))
}

/// FNV-1a of a cell key: independent, order-free bootstrap streams per cell.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

// ---------------------------------------------------------------------------
// Rendering

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

/// A change as a signed percentage with one decimal: `+15.2%`, `-3.0%`, and
/// `0.0%` (no sign) for what rounds to zero.
fn format_change(change: f64) -> String {
    if !change.is_finite() {
        return NONE.to_owned();
    }
    let percent = (change * 1000.0).round() / 10.0;
    if percent == 0.0 {
        "0.0%".to_owned()
    } else {
        format!("{percent:+.1}%")
    }
}

/// A band or spread as an unsigned percentage: `±10%`, `±4.5%` below 10%.
fn format_band(x: f64) -> String {
    if !x.is_finite() {
        NONE.to_owned()
    } else if x < 0.1 {
        format!("±{:.1}%", x * 100.0)
    } else {
        format!("±{:.0}%", x * 100.0)
    }
}

/// A metric's value with its unit.
fn format_value(metric: Metric, mode: Mode, x: f64) -> String {
    if !x.is_finite() {
        return NONE.to_owned();
    }
    match metric {
        Metric::MedianWall if mode == Mode::WithinRunRatio => sig3(x),
        Metric::MedianWall => format!("{} ms", sig3(x * 1e3)),
        Metric::Throughput => format!("{}/s", sig3(x)),
        Metric::LatencyP99 => format!("{} µs", sig3(x)),
        Metric::PeakRss => format!("{:.1} MiB", x / RSS_MIN_BYTES),
    }
}

/// Renders `check` as Markdown: a heading, the mode and the thresholds, a table
/// of every finding (regressions first), the cells present on one side only or
/// not compared, the notes, and a one-line summary as the last line.
/// `baseline_label` and `results_label` name the two sides (usually file paths).
pub fn render_markdown(check: &Check, baseline_label: &str, results_label: &str) -> String {
    let opts = &check.options;
    let mut out = String::from("# rtcompare check\n\n");
    let _ = writeln!(
        out,
        "Baseline `{baseline_label}` against results `{results_label}`.\n"
    );
    match check.mode {
        Mode::Absolute if check.machine_differences.is_empty() => {
            out.push_str("Mode: absolute values.\n\n");
        }
        Mode::Absolute => {
            let _ = writeln!(
                out,
                "Mode: absolute values, although the machines differ: {}.\n",
                check.machine_differences.join("; ")
            );
        }
        Mode::WithinRunRatio => {
            let _ = writeln!(
                out,
                "Mode: within-run ratios (machines differ: {}). Median wall times are divided by \
                 the median wall time of `{BASELINE_RUNNER}` on the same workload in their own \
                 run.\n",
                check.machine_differences.join("; ")
            );
        }
    }
    let tests = check.findings.iter().filter(|f| f.p.is_some()).count();
    let _ = writeln!(
        out,
        "Noise band ±{:.0}% (peak RSS ±{:.0}% and at least 1 MiB), or a cell's noise floor \
         where larger: {} × the run-to-run spread of a baseline made from at least \
         {FLOOR_MIN_RUNS} runs, or the farthest any of its processes landed from its value; \
         significance: two-sided Mann-Whitney U, or a hierarchical \
         bootstrap where both sides have samples from 2 or more processes, alpha {} after {} \
         correction over {}; 95% intervals of the ratio of medians from {} bootstrap \
         resamples.\n",
        opts.noise * 100.0,
        opts.band(Metric::PeakRss) * 100.0,
        opts.floor_k,
        opts.alpha,
        opts.correction.name(),
        plural(tests, "test", "tests"),
        opts.resamples,
    );

    if check.findings.is_empty() {
        out.push_str("Nothing was compared.\n\n");
    } else {
        let mut table = Table::new([
            ("Cell", Align::Left),
            ("Metric", Align::Left),
            ("Baseline", Align::Right),
            ("Now", Align::Right),
            ("Change [95% CI]", Align::Right),
            ("p (adj.)", Align::Right),
            ("Band", Align::Right),
            ("Detects", Align::Right),
            ("Verdict", Align::Left),
        ]);
        for f in &check.findings {
            let change = match f.ci95 {
                Some([lo, hi]) => format!(
                    "{} [{}, {}]",
                    format_change(f.change),
                    format_change(lo - 1.0),
                    format_change(hi - 1.0)
                ),
                None => format_change(f.change),
            };
            let p = match (f.p, f.p_adjusted) {
                (Some(p), Some(adj)) => format!("{} ({})", format_p(p), format_p(adj)),
                (Some(p), None) => format_p(p),
                _ => NONE.to_owned(),
            };
            let verdict = match f.verdict {
                Verdict::Regression => format!("**{}**", f.verdict.word()),
                Verdict::TooNoisy => format!(
                    "too noisy to detect {} here",
                    format_band(opts.band(f.metric))
                ),
                v => v.word().to_owned(),
            };
            let band = match f.floor {
                Some(floor) if floor >= opts.band(f.metric) => {
                    let by_reach = f
                        .reach
                        .is_some_and(|r| r >= opts.floor_k * f.run_spread.unwrap_or(0.0));
                    if by_reach {
                        format!(
                            "{} (floor, {} processes)",
                            format_band(f.band),
                            f.floor_processes
                        )
                    } else {
                        format!("{} (floor, {} runs)", format_band(f.band), f.runs)
                    }
                }
                _ => format_band(f.band),
            };
            let detects = f.detectable.map_or_else(
                || "none".to_owned(),
                |d| format!("≥{}", format_band(d).trim_start_matches('±')),
            );
            table.push_row(vec![
                f.cell.clone(),
                f.metric.name().to_owned(),
                format_value(f.metric, check.mode, f.baseline),
                format_value(f.metric, check.mode, f.now),
                change,
                p,
                band,
                detects,
                verdict,
            ]);
        }
        out.push_str(&table.to_markdown());
        out.push('\n');
    }

    if let Some(drift) = &check.drift {
        let cells: Vec<String> = drift
            .cells
            .iter()
            .map(|(key, r)| format!("`{key}` {}", format_change(r - 1.0)))
            .collect();
        let _ = writeln!(
            out,
            "Drift of the machine since the baseline, from the calibration cells: {} ({}). {}\n",
            format_change(drift.factor - 1.0),
            cells.join(", "),
            if drift.normalized {
                "The other cells' times are divided by it before they are judged (--normalize)."
            } else {
                "Cells are judged on absolute times; --normalize would judge them relative to it."
            }
        );
    }
    let spread: Vec<&Finding> = check
        .findings
        .iter()
        .filter(|f| f.spread.is_some())
        .collect();
    if !spread.is_empty() {
        out.push_str(
            "## Spread\n\nBetween-process: relative interquartile range of the per-process \
             medians; within-process: median over processes of the relative interquartile \
             range of each one's samples; run-to-run: of the baseline's per-run medians; \
             process reach: the farthest one of the baseline's processes landed from its \
             value. A cell's noise floor is the larger of the floor factor times the \
             run-to-run spread and the process reach.\n\n",
        );
        let mut table = Table::new([
            ("Cell", Align::Left),
            ("Metric", Align::Left),
            ("Test", Align::Left),
            ("Processes", Align::Right),
            ("Samples", Align::Right),
            ("Between-process", Align::Right),
            ("Within-process", Align::Right),
            ("Run-to-run", Align::Right),
            ("Process reach", Align::Right),
        ]);
        let pct = |x: Option<f64>| x.map_or_else(|| NONE.to_owned(), format_band);
        let pair = |[a, b]: [Option<f64>; 2]| format!("{} / {}", pct(a), pct(b));
        for f in spread {
            let s = f.spread.as_ref().expect("filtered");
            table.push_row(vec![
                f.cell.clone(),
                f.metric.name().to_owned(),
                match s.method {
                    Method::Processes => "hierarchical bootstrap".to_owned(),
                    Method::Samples => "Mann-Whitney U".to_owned(),
                },
                format!("{} / {}", s.processes[0], s.processes[1]),
                format!("{} / {}", s.samples[0], s.samples[1]),
                pair(s.between_process),
                pair(s.within_process),
                match f.run_spread {
                    Some(spread) => format!("{} ({} runs)", format_band(spread), f.runs),
                    None => NONE.to_owned(),
                },
                match f.reach {
                    Some(reach) => {
                        format!("{} ({} processes)", format_band(reach), f.floor_processes)
                    }
                    None => NONE.to_owned(),
                },
            ]);
        }
        out.push_str(&table.to_markdown());
        out.push('\n');
    }

    let list = |out: &mut String, title: &str, items: &[String]| {
        if !items.is_empty() {
            let _ = writeln!(out, "## {title}\n");
            for item in items {
                let _ = writeln!(out, "- {item}");
            }
            out.push('\n');
        }
    };
    let keys = |keys: &[String]| -> Vec<String> { keys.iter().map(|k| format!("`{k}`")).collect() };
    list(
        &mut out,
        "Only in the baseline",
        &keys(&check.only_in_baseline),
    );
    list(
        &mut out,
        "Only in the results",
        &keys(&check.only_in_results),
    );
    let not_compared: Vec<String> = check
        .not_compared
        .iter()
        .map(|(key, why)| format!("`{key}`: {why}"))
        .collect();
    list(&mut out, "Not compared", &not_compared);
    let changed: Vec<String> = check
        .applicability_changed
        .iter()
        .map(|(key, how)| format!("`{key}`: {how}"))
        .collect();
    list(&mut out, "Applicability changed", &changed);
    let disturbed: Vec<String> = check
        .disturbed
        .iter()
        .map(|(key, how)| format!("`{key}`: {how}"))
        .collect();
    list(&mut out, "Disturbed, not judged", &disturbed);
    list(&mut out, "Notes", &check.notes);
    out.push_str(&check.summary_line());
    out.push('\n');
    out
}

//! The knobs of a check: the noise band, the significance level and its
//! correction, the bootstrap, the noise floor's multiplier, and whether to
//! compare across differing machines or relative to the machine's drift.

use super::{FLOOR_K, Metric, RSS_MIN_BAND};
use crate::stats::{benjamini_hochberg, holm};
use serde::{Deserialize, Serialize};

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
    ///
    /// [`CALIBRATION_CELLS`]: super::CALIBRATION_CELLS
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

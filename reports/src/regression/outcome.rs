//! The outcome of a whole check: how it compared, every finding, what was not
//! compared and why, the machine's drift and the notes; with the confirmation
//! step and the counts of the summary line.

use super::{CheckOptions, Finding, Verdict};
use crate::text::plural;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

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

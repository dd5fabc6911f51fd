//! What the report may judge and claim, decided in one place so every section
//! applies the same rule:
//!
//! - which cells take part in verdicts, rankings, bests, the grid, the claims and
//!   the findings of every section ([`judged`]): a cell that does not apply
//!   (`n/a`) or that stayed disturbed by other load after its re-takes
//!   ([`Cell::disturbed`]) is shown, marked, but judged by nothing;
//! - when two medians may be called "fastest", "tied" or "statistically tied"
//!   ([`supports`]): only when both intervals reach 95% coverage
//!   ([`Summary::supports_claims`]); otherwise the report says "lowest median" and
//!   why ([`too_few_of`], of the [`weakest`] interval);
//! - how an interval is labelled by what it is ([`interval_kind`]): the range of
//!   3 samples covers the median only 75% of the time, so it is never called a
//!   95% interval;
//! - how a disturbed cell is marked and named ([`DISTURBED`], [`Disturbance`],
//!   [`disturbed_note`]): every section's footnote is worded from its finding's
//!   disturbances alone.

use crate::cell_ref::CellRef;
use crate::model::{Cell, Summary};
use serde::Serialize;

/// Whether `cell` takes part in verdicts, rankings, bests, claims and findings:
/// its workload applies to its runner and other load did not disturb it. Its
/// numbers are shown either way.
pub(crate) fn judged(cell: &Cell) -> bool {
    cell.applies() && !cell.disturbed()
}

/// The summary of a judged cell that finished; `None` for any other cell, so a
/// comparison skips it the way it skips a failed one.
pub(crate) fn judged_summary(cell: &Cell) -> Option<&Summary> {
    cell.summary.as_ref().filter(|_| judged(cell))
}

/// Whether "fastest", "tied" or "statistically tied" may rest on comparing `a`
/// with `b`: both intervals have at least 95% coverage.
pub(crate) fn supports(a: &Summary, b: &Summary) -> bool {
    a.supports_claims() && b.supports_claims()
}

/// The weakest interval among `summaries` (lowest coverage, then fewest
/// samples): the one that decides whether a group may be ranked.
pub(crate) fn weakest<'s>(summaries: impl IntoIterator<Item = &'s Summary>) -> Option<&'s Summary> {
    summaries.into_iter().min_by(|a, b| {
        a.interval_coverage
            .total_cmp(&b.interval_coverage)
            .then(a.samples.cmp(&b.samples))
    })
}

/// `3 samples: too few to rank`.
pub(crate) fn too_few_of(samples_: usize) -> String {
    format!("{}: too few to rank", samples(samples_))
}

/// `1 sample`, `3 samples`.
pub(crate) fn samples(n: usize) -> String {
    format!("{n} {}", if n == 1 { "sample" } else { "samples" })
}

/// An interval's coverage in percent: `75%`, `96.1%` (one decimal unless whole;
/// rounded down so 94.96% never reads as 95%).
pub(crate) fn coverage(c: f64) -> String {
    let tenths = (c * 1000.0 + 1e-6).floor() / 10.0;
    if tenths.fract() == 0.0 {
        format!("{tenths:.0}%")
    } else {
        format!("{tenths:.1}%")
    }
}

/// What a cell's median interval is, by its real coverage: `range of 3 samples
/// (75%)` below 95% coverage, `95% CI (order statistics, n = 12, 96.1%)` from it,
/// `1 sample (no interval)` for a lone sample.
pub(crate) fn interval_kind(s: &Summary) -> String {
    interval_kind_of(s.samples, s.interval_coverage)
}

/// [`interval_kind`] of an interval of `n` samples with coverage `c`.
pub(crate) fn interval_kind_of(n: usize, c: f64) -> String {
    // The threshold of `Summary::supports_claims`.
    if c >= 0.95 - 1e-9 {
        format!("95% CI (order statistics, n = {n}, {})", coverage(c))
    } else if n <= 1 {
        format!("{} (no interval)", samples(n))
    } else {
        format!("range of {} ({})", samples(n), coverage(c))
    }
}

/// Marks a disturbed cell in tables; [`disturbed_note`] explains it.
pub(crate) const DISTURBED: &str = "§";

/// ` §` after the name of a disturbed cell, else nothing.
pub(crate) fn mark(cell: &Cell) -> &'static str {
    if cell.disturbed() { " §" } else { "" }
}

/// How other load disturbed a cell that stayed disturbed after its re-takes:
/// what a table's footnote ([`disturbed_note`]) names it with.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Disturbance {
    pub(crate) cell: CellRef,
    /// The largest foreign load over any sample, kept or discarded, cores.
    pub(crate) foreign_cores_max: f64,
    /// Samples still disturbed after the re-takes.
    pub(crate) disturbed_samples: usize,
    /// All its measured samples.
    pub(crate) samples: usize,
    /// Samples taken again for being disturbed.
    pub(crate) retaken: usize,
}

impl Disturbance {
    /// How other load disturbed `cell`; `None` unless it is [`Cell::disturbed`].
    pub(crate) fn of(cell: &Cell) -> Option<Self> {
        let i = cell.interference.as_ref().filter(|_| cell.disturbed())?;
        Some(Disturbance {
            cell: CellRef::of(cell),
            foreign_cores_max: i.foreign_cores_max,
            disturbed_samples: i.disturbed_samples,
            samples: cell.samples.len(),
            retaken: i.retaken,
        })
    }

    /// `tokio-mt at 2 threads (foreign load up to 0.85 cores; 2 of 3 samples
    /// disturbed after 4 re-takes)`.
    fn what(&self) -> String {
        let threads = self.cell.threads;
        format!(
            "{} at {threads} {} (foreign load up to {:.2} cores; {} of {} disturbed after {} \
             re-take{})",
            self.cell.runner,
            if threads == 1 { "thread" } else { "threads" },
            self.foreign_cores_max,
            self.disturbed_samples,
            samples(self.samples),
            self.retaken,
            if self.retaken == 1 { "" } else { "s" }
        )
    }
}

/// The footnote under a table that shows disturbed cells, naming each with its
/// foreign load; `None` when `disturbances` is empty.
pub(crate) fn disturbed_note(disturbances: &[Disturbance]) -> Option<String> {
    let what: Vec<String> = disturbances.iter().map(Disturbance::what).collect();
    (!what.is_empty()).then(|| {
        format!(
            "{DISTURBED} Disturbed by other load on the machine even after re-takes, so shown but \
             left out of every verdict, ranking and finding: {}.",
            what.join("; ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(samples: usize, coverage: f64) -> Summary {
        Summary {
            median_wall_s: 0.1,
            interval_wall_s: [0.09, 0.11],
            interval_coverage: coverage,
            samples,
            speedup_vs_seq: None,
            efficiency: None,
            oversubscribed: false,
            cpu_utilisation: 1.0,
        }
    }

    #[test]
    fn intervals_are_labelled_by_their_coverage() {
        assert_eq!(interval_kind(&summary(3, 0.75)), "range of 3 samples (75%)");
        assert_eq!(
            interval_kind(&summary(12, 0.961)),
            "95% CI (order statistics, n = 12, 96.1%)"
        );
        assert_eq!(interval_kind(&summary(1, 0.0)), "1 sample (no interval)");
        // Just short of 95% never rounds up into a 95% label.
        assert_eq!(coverage(0.9499), "94.9%");
        assert!(!interval_kind(&summary(5, 0.9499)).contains("95%"));
    }

    #[test]
    fn claims_need_both_intervals_at_95_percent() {
        let (weak, strong) = (summary(3, 0.75), summary(12, 0.961));
        assert!(supports(&strong, &strong));
        assert!(!supports(&weak, &strong) && !supports(&strong, &weak));
        assert_eq!(
            too_few_of(weakest([&strong, &weak]).unwrap().samples),
            "3 samples: too few to rank"
        );
    }

    #[test]
    fn a_disturbance_is_named_with_its_foreign_load() {
        let mut cell = crate::fixtures::v2()
            .cells
            .into_iter()
            .find(|c| c.samples.len() >= 3)
            .expect("a cell with samples");
        cell.samples.truncate(3);
        (cell.runner, cell.workload, cell.threads) = ("tokio-mt".into(), "cpu".into(), 1);
        assert_eq!(Disturbance::of(&cell), None);
        cell.interference = Some(crate::model::Interference {
            retaken: 1,
            disturbed_samples: 2,
            foreign_cores_max: 0.849,
            ..Default::default()
        });
        let one = Disturbance::of(&cell).expect("disturbed");
        assert_eq!(
            (one.cell.key().as_str(), one.samples),
            ("tokio-mt/cpu/t1", 3)
        );
        let mut two = one.clone();
        (two.cell.threads, two.retaken) = (2, 4);
        assert_eq!(disturbed_note(&[]), None);
        assert_eq!(
            disturbed_note(&[one, two]).unwrap(),
            "§ Disturbed by other load on the machine even after re-takes, so shown but left \
             out of every verdict, ranking and finding: tokio-mt at 1 thread (foreign load up \
             to 0.85 cores; 2 of 3 samples disturbed after 1 re-take); tokio-mt at 2 threads \
             (foreign load up to 0.85 cores; 2 of 3 samples disturbed after 4 re-takes)."
        );
    }
}

//! The report's sections, one module each, and the registries that order them.
//!
//! A section implements [`Section`]: a stable id, its findings (a typed,
//! serialisable derivation, cached once per report by [`Report::derived`]) and a
//! render step that appends its Markdown from those findings, reading the shared
//! [`Report`] context (the results, the order runners and workloads are listed in,
//! the charts). [`SECTIONS`] lists the sections of `report.md` and [`DETAILS`]
//! those of `details.md`, in the order they print, so a new section is one module
//! here and one line there. The claims (`claims/`) keep their own module and join
//! the registry through a small adapter below.
//!
//! No runner is known here by name except the baseline ([`BASELINE_RUNNER`]): what
//! a runner is (class, family, how it is built, its timer and other parts, its
//! caveats) and what a workload is (its measures and their units) come from the
//! results file, so a new runner needs no change here.
//!
//! Sections read the `seq` group ([`Report::results`], split once by
//! [`Summarized::seq_group`]): a runner whose speedups are taken against another
//! baseline (the CPython runners, against `cpython-seq`) ran the workloads at its
//! own size, so no ranking, verdict, grid or table beside the Rust runners may
//! show it. What describes the whole run (the header, the disclosures) and the
//! sections about those runners (*CPython beside the emulation*, the claims'
//! lines against CPython) read every cell (`Report::all`).
//!
//! A cell whose workload does not apply to its runner (`n/a`) is not a failure:
//! it is listed under its workload's table, grouped by reason, and left out of the
//! table, the failures, the verdict, the grid and every speedup.

mod answers;
mod combinations;
mod cpython;
pub(crate) mod crash;
mod disclosures;
mod echo;
pub(crate) mod glossary;
mod grid;
mod header;
mod hogs;
mod lookups;
mod reproduce;
mod shared;
#[cfg(test)]
mod tests;
pub(crate) mod timer;
mod verdict;
mod workloads;

use crate::charts::Chart;
use crate::model::{Cell, Results, WorkloadMeta};
use crate::summary::{BASELINE_RUNNER, Summarized};
use rtcompare_api::WorkloadKind;
use std::any::Any;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// One section of the report.
pub(crate) trait Section {
    /// Its key in `findings.json`, in kebab case.
    fn id(&self) -> &'static str;
    /// What it derived from the results, for `findings.json`: numbers, enums and
    /// cell references, no prose. `None` when the results have nothing for it, and
    /// for a section that derives nothing of its own (*Reproduce*).
    fn findings(&self, _report: &Report<'_>) -> Option<serde_json::Value> {
        None
    }
    /// Appends the section's Markdown to `out`; nothing when the results have
    /// nothing for it.
    fn render(&self, report: &Report<'_>, out: &mut String);
}

/// A section's finding as `findings.json` holds it; `None` for none.
pub(crate) fn as_json<T: serde::Serialize>(finding: Option<&T>) -> Option<serde_json::Value> {
    finding.map(|f| serde_json::to_value(f).expect("a finding serialises"))
}

/// Every section of `report.md`, in the order it prints them.
pub(crate) const SECTIONS: &[&dyn Section] = &[
    &header::Header,
    &answers::Answers,
    &grid::GridSection,
    &combinations::CombinationsSection,
    &Claims,
    &cpython::CpythonSection,
    &verdict::Verdict,
    &echo::Echo,
    &hogs::HogsSection,
    &crash::CrashIsolation,
    &disclosures::Disclosures,
    &glossary::GlossarySection,
    &reproduce::Reproduce,
];

/// Every section of `details.md`, in the order it prints them.
pub(crate) const DETAILS: &[&dyn Section] = &[&workloads::Workloads, &echo::EchoSteps];

/// *Claims checked* ([`crate::claims`]).
struct Claims;

impl Section for Claims {
    fn id(&self) -> &'static str {
        "claims"
    }

    fn findings(&self, report: &Report<'_>) -> Option<serde_json::Value> {
        let claims = report
            .claims()
            .iter()
            .map(|d| serde_json::json!({ "claim": d.id, "finding": d.finding }))
            .collect();
        Some(serde_json::Value::Array(claims))
    }

    fn render(&self, report: &Report<'_>, out: &mut String) {
        crate::claims::section(&report.claims(), out);
    }
}

/// What a report renders: the `seq` group, which every cross-runner section
/// reads, and every cell.
pub(crate) struct Source<'a> {
    seq_group: &'a Results,
    all: &'a Results,
}

impl<'a> From<&'a Summarized> for Source<'a> {
    fn from(results: &'a Summarized) -> Self {
        Source {
            seq_group: results.seq_group(),
            all: results.results(),
        }
    }
}

/// Results taken as they are, one group: for tests of a section alone.
#[cfg(test)]
impl<'a> From<&'a Results> for Source<'a> {
    fn from(results: &'a Results) -> Self {
        Source {
            seq_group: results,
            all: results,
        }
    }
}

/// The summarised results with the orders the report lists things in.
pub(crate) struct Report<'a> {
    /// The `seq` group: every cross-runner section reads this alone.
    results: &'a Results,
    /// Every cell, the runners of other groups included.
    all: &'a Results,
    /// The charts written beside the report, each linked under its workload's table.
    charts: &'a [Chart],
    /// Workload ids: the configured order, then any others as they first appear.
    workloads: Vec<&'a str>,
    /// Runner ids of the `seq` group, likewise.
    runners: Vec<&'a str>,
    /// Runner ids of every group, likewise.
    all_runners: Vec<&'a str>,
    /// What the sections derived, by section id: each finding is derived once
    /// per report, for the Markdown and for `findings.json` alike.
    derived: RefCell<HashMap<&'static str, Rc<dyn Any>>>,
}

impl<'a> Report<'a> {
    pub(crate) fn new(source: impl Into<Source<'a>>, charts: &'a [Chart]) -> Self {
        let Source {
            seq_group: results,
            all,
        } = source.into();
        let order = |results: &'a Results, configured: &'a [String], of_cell: fn(&Cell) -> &str| {
            let mut seen: Vec<&'a str> = Vec::new();
            let present = |id: &str| results.cells.iter().any(|c| of_cell(c) == id);
            for id in configured {
                if present(id) && !seen.contains(&id.as_str()) {
                    seen.push(id);
                }
            }
            for cell in &results.cells {
                let id = of_cell(cell);
                if !seen.contains(&id) {
                    seen.push(id);
                }
            }
            seen
        };
        Self {
            results,
            all,
            charts,
            workloads: order(results, &results.config.workloads, |c| &c.workload),
            runners: order(results, &results.config.runners, |c| &c.runner),
            all_runners: order(all, &all.config.runners, |c| &c.runner),
            derived: RefCell::default(),
        }
    }

    /// The results the report compares: the `seq` group.
    pub(crate) fn results(&self) -> &'a Results {
        self.results
    }

    /// The finding of the section `id`, derived by `derive` on first use and
    /// shared after that: a section's `render` and `findings` both call this, so
    /// the Markdown and `findings.json` come from one derivation.
    pub(crate) fn derived<T: Any>(&self, id: &'static str, derive: impl FnOnce() -> T) -> Rc<T> {
        if let Some(found) = self.derived.borrow().get(id) {
            return Rc::clone(found)
                .downcast()
                .expect("one finding type per section id");
        }
        // Not borrowed while deriving: a derivation may ask for another's.
        let finding = Rc::new(derive());
        self.derived
            .borrow_mut()
            .insert(id, Rc::clone(&finding) as Rc<dyn Any>);
        finding
    }

    /// The grid.
    fn grid(&self) -> Rc<Option<grid::Grid>> {
        self.derived("grid", || self.derive_grid())
    }

    /// The claims.
    fn claims(&self) -> Rc<Vec<crate::claims::Derived>> {
        self.derived("claims", || {
            // Over every group's runners: the `seq` group's keep their order.
            let rank = |r: &str| {
                self.all_runners
                    .iter()
                    .position(|x| *x == r)
                    .unwrap_or(usize::MAX)
            };
            crate::claims::derive(self.results, self.all, &rank, &self.workloads)
        })
    }

    fn runner_rank(&self, runner: &str) -> usize {
        self.runners
            .iter()
            .position(|r| *r == runner)
            .unwrap_or(usize::MAX)
    }

    /// The description of `workload` from the results file, if it has one.
    fn workload_meta(&self, workload: &str) -> Option<&'a WorkloadMeta> {
        self.results.workloads.iter().find(|w| w.id == workload)
    }

    /// The kind of `workload`, from its cells.
    fn kind_of(&self, workload: &str) -> Option<WorkloadKind> {
        self.results
            .cells
            .iter()
            .find(|c| c.workload == workload)
            .map(|c| c.workload_kind)
    }

    /// Whether `workload` has a finished `seq` cell that other load did not
    /// disturb: speedups divide by it, so without one they judge nothing.
    fn baseline_judged(&self, workload: &str) -> bool {
        self.results.cells.iter().any(|c| {
            c.workload == workload
                && c.runner == BASELINE_RUNNER
                && crate::judge::judged_summary(c).is_some()
        })
    }

    /// The cells of `workload`, in runner order, then by thread count.
    fn cells_of(&self, workload: &str) -> Vec<&'a Cell> {
        let mut cells: Vec<&Cell> = self
            .results
            .cells
            .iter()
            .filter(|c| c.workload == workload)
            .collect();
        cells.sort_by_key(|c| (self.runner_rank(&c.runner), c.threads));
        cells
    }
}

/// Every section's findings, keyed by its id, in registry order: the sections
/// that have derived findings and something to show in these results.
pub(crate) fn findings(report: &Report<'_>) -> serde_json::Map<String, serde_json::Value> {
    SECTIONS
        .iter()
        .chain(DETAILS)
        .filter_map(|s| Some((s.id().to_owned(), s.findings(report)?)))
        .collect()
}

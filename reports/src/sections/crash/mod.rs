//! The report section "Crash isolation", present when a run has cells of the
//! opt-in crash workloads: J jobs of which one fails midway, by panicking or by
//! aborting the process it runs in, and the jobs that complete are kept and
//! verified. What a failure took with it is read from each cell (`fates.rs`, also
//! read by claim 2); `derive.rs` groups the cells into a [`CrashFinding`] per
//! runner, variant and outcome (thread counts with the same outcome share a row),
//! and `render.rs` words it: a table, and one sentence per variant saying which
//! runners contained the failure and which lost the whole batch.

mod derive;
mod render;
#[cfg(test)]
mod tests;

use super::{Report, Section};
pub(crate) use derive::CrashFinding;

/// The section's heading, also named where other sections point to it.
pub(crate) const TITLE: &str = "Crash isolation";

/// The section for the registry; its findings are a [`CrashFinding`].
pub(super) struct CrashIsolation;

impl CrashIsolation {
    /// The finding of `report`, `None` without a crash cell that applies.
    fn derive(report: &Report<'_>) -> std::rc::Rc<Option<CrashFinding>> {
        report.derived("crash-isolation", || {
            let rank = |r: &str| report.runner_rank(r);
            derive::derive(report.results, &rank, &report.workloads)
        })
    }
}

impl Section for CrashIsolation {
    fn id(&self) -> &'static str {
        "crash-isolation"
    }

    fn findings(&self, report: &Report<'_>) -> Option<serde_json::Value> {
        super::as_json(Self::derive(report).as_ref().as_ref())
    }

    fn render(&self, report: &Report<'_>, out: &mut String) {
        if let Some(finding) = Self::derive(report).as_ref() {
            render::render(finding, out);
        }
    }
}

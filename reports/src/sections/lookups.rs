//! Lookups on the run that several sections share: a runner's description,
//! whether a workload sends on a schedule, and which section reads a workload's
//! latencies.

use super::Report;
use super::shared::OPEN_LOOP_RATE;
use super::verdict::LatencySection;
use crate::model::{Cell, RunnerMeta, Status};

impl<'a> Report<'a> {
    /// The section that reads `workload`'s latencies, when the report has one
    /// for it and a finished cell of the workload measured latency.
    pub(super) fn latency_section(&self, workload: &str) -> Option<LatencySection> {
        let section = if crate::network::is_network(workload) {
            LatencySection::Echo
        } else if workload.starts_with(super::hogs::PREFIX) {
            LatencySection::Hogs
        } else {
            return None;
        };
        let has_latency =
            self.results.cells.iter().any(|c| {
                c.workload == workload && c.status == Status::Ok && c.latency_us.is_some()
            });
        has_latency.then_some(section)
    }

    /// The description of the runner of `cell` in the results file, if it has one.
    pub(super) fn runner_meta(&self, cell: &Cell) -> Option<&'a RunnerMeta> {
        self.results.runners.iter().find(|m| m.id == cell.runner)
    }

    /// The send rate of an open-loop workload (`Some(None)` when it does not say
    /// one), or `None` for a workload that is not open loop: one whose cells have
    /// a [`OPEN_LOOP_RATE`] parameter, or whose description says `open loop`.
    pub(super) fn open_loop(&self, workload: &str) -> Option<Option<f64>> {
        let rate = self
            .results
            .cells
            .iter()
            .filter(|c| c.workload == workload && c.applies())
            .find_map(|c| c.param(OPEN_LOOP_RATE));
        if rate.is_some() {
            return Some(rate);
        }
        let summary = self.workload_meta(workload)?.summary.to_lowercase();
        (summary.contains("open loop") || summary.contains("open-loop"))
            .then_some(self.results.config.rate)
    }
}

//! The verdict on runtime-overhead workloads (`WorkloadKind::Overhead`: the cost
//! of a spawn, of a channel hop, of the memory a task holds): for each measure the
//! workload declares, the cheapest and the dearest runner, and what one OS thread
//! per task costs against the cheapest. Every figure comes from the cells; the
//! measure's label and unit come from its declared header.

use crate::format::{metric_with_unit, split_header};
use crate::markdown::times;
use crate::model::{Cell, MetricMeta, Results, Status};

/// The thread-count knob of a runner that starts one OS thread per task, the
/// point of comparison for per-task costs.
pub(crate) const PER_TASK_KNOB: &str = "per-task";

/// The measures of `workload`: those its description declares, in that order,
/// then any other key its cells carry (labelled by the key).
pub(crate) fn measures(results: &Results, workload: &str, cells: &[&Cell]) -> Vec<MetricMeta> {
    let mut metas: Vec<MetricMeta> = results
        .workloads
        .iter()
        .find(|w| w.id == workload)
        .map(|w| w.metrics.clone())
        .unwrap_or_default();
    for cell in cells {
        for key in cell.metrics.keys() {
            if !metas.iter().any(|m| &m.key == key) {
                metas.push(MetricMeta {
                    key: key.clone(),
                    header: key.clone(),
                    about: String::new(),
                });
            }
        }
    }
    metas
}

/// What follows `**workload** (runtime overhead): ` in the verdict: one clause per
/// measure, e.g. `Spawn+await: from 151 ns/task (smol-local) to 14,480 ns/task
/// (threads); one OS thread per task (threads) costs 95.9× the cheapest.`
pub(crate) fn verdict(results: &Results, workload: &str, cells: &[&Cell]) -> String {
    let done: Vec<&Cell> = cells
        .iter()
        .copied()
        .filter(|c| c.status == Status::Ok)
        .collect();
    if done.is_empty() {
        return if cells.is_empty() {
            "no runner applies.".into()
        } else {
            "no cell finished.".into()
        };
    }
    let per_task = |cell: &Cell| {
        results
            .runners
            .iter()
            .any(|r| r.id == cell.runner && r.threads_knob == PER_TASK_KNOB)
    };
    // A runner measured at several thread counts is named with its count.
    let name = |cell: &Cell| {
        let counts = done.iter().filter(|c| c.runner == cell.runner).count();
        if counts > 1 {
            let plural = if cell.threads == 1 { "" } else { "s" };
            format!("{} at {} thread{plural}", cell.runner, cell.threads)
        } else {
            cell.runner.clone()
        }
    };
    let mut clauses = Vec::new();
    for meta in measures(results, workload, &done) {
        let values: Vec<(&Cell, f64)> = done
            .iter()
            .filter_map(|c| Some((*c, *c.metrics.get(&meta.key)?)))
            .filter(|(_, v)| v.is_finite())
            .collect();
        let Some(&(low, low_v)) = values.iter().min_by(|a, b| a.1.total_cmp(&b.1)) else {
            continue;
        };
        let &(high, high_v) = values
            .iter()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .expect("not empty");
        let label = split_header(&meta.header).0;
        let mut clause = if std::ptr::eq(low, high) {
            format!(
                "{label}: {} ({})",
                metric_with_unit(&meta, low_v),
                name(low)
            )
        } else {
            format!(
                "{label}: from {} ({}) to {} ({})",
                metric_with_unit(&meta, low_v),
                name(low),
                metric_with_unit(&meta, high_v),
                name(high)
            )
        };
        if let Some(&(thread, thread_v)) = values.iter().find(|(c, _)| per_task(c)) {
            if !std::ptr::eq(thread, low) && low_v > 0.0 {
                clause.push_str(&format!(
                    "; one OS thread per task ({}) costs {} the cheapest",
                    name(thread),
                    times(thread_v / low_v)
                ));
            }
        }
        clause.push('.');
        clauses.push(clause);
    }
    if clauses.is_empty() {
        "no measures recorded.".into()
    } else {
        clauses.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> Results {
        crate::fixtures::v2()
    }

    fn cells<'a>(results: &'a Results, workload: &str) -> Vec<&'a Cell> {
        results
            .cells
            .iter()
            .filter(|c| c.workload == workload && c.applies())
            .collect()
    }

    #[test]
    fn cheapest_dearest_and_one_thread_per_task() {
        let results = fixture();
        let spawn = verdict(&results, "spawn", &cells(&results, "spawn"));
        assert_eq!(
            spawn,
            "Spawn+await: from 151 ns/task (smol-local) to 14,480 ns/task (threads); one OS \
             thread per task (threads) costs 95.9× the cheapest. Memory per task: from 250 B \
             (futures-local) to 12.4 KiB (threads); one OS thread per task (threads) costs \
             50.6× the cheapest."
        );
    }

    #[test]
    fn without_a_thread_per_task_runner_only_the_range() {
        let mut results = fixture();
        results.cells.retain(|c| c.runner != "threads");
        let hops = verdict(&results, "channels", &cells(&results, "channels"));
        assert!(
            hops.starts_with("Hop: from 81 ns (smol-local) to "),
            "{hops}"
        );
        assert!(!hops.contains("OS thread"), "{hops}");
        let mut none = fixture();
        for c in &mut none.cells {
            if c.workload == "channels" && c.applies() {
                c.status = Status::Failed;
            }
        }
        assert_eq!(
            verdict(&none, "channels", &cells(&none, "channels")),
            "no cell finished."
        );
        assert_eq!(verdict(&none, "channels", &[]), "no runner applies.");
    }
}

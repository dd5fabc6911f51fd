//! The verdict on runtime-overhead workloads (`WorkloadKind::Overhead`: the cost
//! of a spawn, of a channel hop, of the memory a task holds): for each measure the
//! workload declares, the cheapest and the dearest runner, and what one OS thread
//! per task costs against the cheapest. Every figure comes from the cells; the
//! measure's label and unit come from its declared header.
//!
//! Shared-state workloads (their parameters carry a `scheme` and a `workers` count)
//! are ranked only among rows of equal contention, [`contention`]: how many workers
//! update the structure at once. A lock taken by one worker at a time and a lock
//! fought over by eight are different experiments; each group of the verdict says its
//! contention.

use crate::format::{metric_with_unit, split_header};
use crate::model::{Cell, MetricMeta, Results, Status};
use crate::text::times;
use rtcompare_api::Class;

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

/// How many workers of a shared-state cell update the structure at once, or `None`
/// for any other workload: one on a runner that runs one task at a time (sequential,
/// single-threaded, or serialised by a global lock, which is never handed over
/// inside the update); every worker on a runner with one OS thread per task; else as
/// many as it has threads, at most the workers.
pub(crate) fn contention(results: &Results, cell: &Cell) -> Option<usize> {
    cell.params.get("scheme")?;
    let workers = usize::try_from(cell.params.get("workers")?.as_u64()?).ok()?;
    let per_task = results
        .runners
        .iter()
        .any(|r| r.id == cell.runner && r.threads_knob == PER_TASK_KNOB);
    let ways = match cell.class {
        Class::Sequential | Class::Concurrent | Class::ConcurrentSerialized => 1,
        _ if per_task => workers,
        _ => cell.threads.min(workers),
    };
    Some(ways.max(1))
}

/// What follows `**workload** (runtime overhead): ` in the verdict: one clause per
/// measure, e.g. `Spawn+await: from 151 ns/task (smol-local) to 14,480 ns/task
/// (threads); one OS thread per task (threads) costs 95.9× the cheapest.` For
/// shared-state workloads, one group of clauses per contention level, e.g. `With 1
/// worker updating at a time: Update: …. With 2 workers updating at once: …`.
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
    let mut levels: Vec<usize> = done.iter().filter_map(|c| contention(results, c)).collect();
    levels.sort_unstable();
    levels.dedup();
    if levels.is_empty() {
        return ranked(results, workload, &done, &done);
    }
    levels
        .into_iter()
        .map(|level| {
            let group: Vec<&Cell> = done
                .iter()
                .copied()
                .filter(|c| contention(results, c) == Some(level))
                .collect();
            let how = if level == 1 {
                "1 worker updating at a time".to_owned()
            } else {
                format!("{level} workers updating at once")
            };
            format!("With {how}: {}", ranked(results, workload, &group, &done))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The clauses ranking `done` (finished cells), one per measure; runners are named
/// with their thread count when `all` holds them at several.
fn ranked(results: &Results, workload: &str, done: &[&Cell], all: &[&Cell]) -> String {
    let per_task = |cell: &Cell| {
        results
            .runners
            .iter()
            .any(|r| r.id == cell.runner && r.threads_knob == PER_TASK_KNOB)
    };
    // A runner measured at several thread counts is named with its count.
    let name = |cell: &Cell| {
        let counts = all.iter().filter(|c| c.runner == cell.runner).count();
        if counts > 1 {
            let plural = if cell.threads == 1 { "" } else { "s" };
            format!("{} at {} thread{plural}", cell.runner, cell.threads)
        } else {
            cell.runner.clone()
        }
    };
    let mut clauses = Vec::new();
    for meta in measures(results, workload, done) {
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

    /// A shared-mutex row: `runner` (class and knob from the fixture) at `threads`.
    fn shared_row(results: &Results, runner: &str, threads: usize, ns: f64) -> Cell {
        let mut cell = results
            .cells
            .iter()
            .find(|c| c.runner == runner && c.status == Status::Ok)
            .unwrap_or_else(|| panic!("no {runner} cell"))
            .clone();
        cell.workload = "shared-mutex".into();
        cell.threads = threads;
        cell.params = serde_json::json!({"scheme": "mutex", "workers": 8, "updates": 2000});
        cell.metrics = [("ns-per-update".to_owned(), ns)].into_iter().collect();
        cell
    }

    #[test]
    fn shared_state_is_ranked_only_at_equal_contention() {
        let results = fixture();
        let rows = [
            shared_row(&results, "tokio-ct", 1, 20.0),
            shared_row(&results, "seq", 1, 25.0),
            shared_row(&results, "tokio-mt", 2, 60.0),
            shared_row(&results, "thread-pool", 2, 50.0),
            shared_row(&results, "tokio-mt", 16, 90.0),
            shared_row(&results, "threads", 2, 200.0),
        ];
        let ways: Vec<_> = rows.iter().map(|c| contention(&results, c)).collect();
        // One at a time; two threads; eight workers on 16 threads and, whatever its
        // thread label, on one OS thread per worker.
        assert_eq!(ways, [1, 1, 2, 2, 8, 8].map(Some));
        let cells: Vec<&Cell> = rows.iter().collect();
        let v = verdict(&results, "shared-mutex", &cells);
        assert!(
            v.starts_with(
                "With 1 worker updating at a time: ns-per-update: from 20 (tokio-ct) to 25 (seq)."
            ),
            "{v}"
        );
        assert!(
            v.contains("With 2 workers updating at once: ns-per-update: from 50 (thread-pool) to 60 (tokio-mt at 2 threads)."),
            "{v}"
        );
        assert!(
            v.contains("With 8 workers updating at once: ns-per-update: from 90 (tokio-mt at 16 threads) to 200 (threads)"),
            "{v}"
        );
        // The uncontended 20 ns is never set against the contended 200 ns.
        assert!(!v.contains("from 20 (tokio-ct) to 200"), "{v}");
        // Other overhead workloads keep one list.
        assert_eq!(contention(&results, &results.cells[0]), None);
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

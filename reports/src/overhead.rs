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

use crate::cell_ref::CellRef;
use crate::format::{metric_with_unit, split_header};
use crate::model::{Cell, MetricMeta, Results, Status};
use crate::text::times;
use rtcompare_api::Class;
use serde::Serialize;

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

/// The verdict on a runtime-overhead workload: its measures ranked over the
/// finished cells, by contention level for shared-state workloads.
#[derive(Debug, Clone, Serialize)]
pub(crate) enum OverheadVerdict {
    /// No cell applies.
    NoRunnerApplies,
    /// Cells apply but none finished.
    NoCellFinished,
    /// One range per measure over every finished cell.
    Ranked(Vec<MeasureRange>),
    /// Shared-state workloads: one group per contention level, fewest workers
    /// updating at once first.
    ByContention(Vec<ContentionGroup>),
}

/// The measures of the cells with one contention level.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ContentionGroup {
    /// How many workers update the structure at once ([`contention`]).
    pub(crate) workers_at_once: usize,
    pub(crate) measures: Vec<MeasureRange>,
}

/// One measure from its cheapest to its dearest cell.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct MeasureRange {
    /// The measure's key and its header as the workload declared it (the label
    /// and the unit).
    pub(crate) key: String,
    pub(crate) header: String,
    pub(crate) cheapest: Priced,
    /// `None` when one cell is both cheapest and dearest.
    pub(crate) dearest: Option<Priced>,
    /// One OS thread per task, when a runner does that and is not the cheapest:
    /// its cell and its cost over the cheapest's.
    pub(crate) per_task: Option<(Priced, f64)>,
}

/// A cell's value of one measure.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Priced {
    pub(crate) cell: CellRef,
    pub(crate) value: f64,
}

/// The verdict on `workload` from `cells`, its judged cells: one range per
/// measure; for shared-state workloads, one group of ranges per contention level.
pub(crate) fn verdict(results: &Results, workload: &str, cells: &[&Cell]) -> OverheadVerdict {
    let done: Vec<&Cell> = cells
        .iter()
        .copied()
        .filter(|c| c.status == Status::Ok)
        .collect();
    if done.is_empty() {
        return if cells.is_empty() {
            OverheadVerdict::NoRunnerApplies
        } else {
            OverheadVerdict::NoCellFinished
        };
    }
    let mut levels: Vec<usize> = done.iter().filter_map(|c| contention(results, c)).collect();
    levels.sort_unstable();
    levels.dedup();
    if levels.is_empty() {
        return OverheadVerdict::Ranked(ranked(results, workload, &done));
    }
    let groups = levels
        .into_iter()
        .map(|level| {
            let group: Vec<&Cell> = done
                .iter()
                .copied()
                .filter(|c| contention(results, c) == Some(level))
                .collect();
            ContentionGroup {
                workers_at_once: level,
                measures: ranked(results, workload, &group),
            }
        })
        .collect();
    OverheadVerdict::ByContention(groups)
}

/// One range per measure over `done` (finished cells).
fn ranked(results: &Results, workload: &str, done: &[&Cell]) -> Vec<MeasureRange> {
    let per_task = |cell: &Cell| {
        results
            .runners
            .iter()
            .any(|r| r.id == cell.runner && r.threads_knob == PER_TASK_KNOB)
    };
    let priced = |cell: &Cell, value: f64| Priced {
        cell: CellRef::of(cell),
        value,
    };
    let mut ranges = Vec::new();
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
        let per_task = values
            .iter()
            .find(|(c, _)| per_task(c))
            .filter(|(thread, _)| !std::ptr::eq(*thread, low) && low_v > 0.0)
            .map(|&(thread, thread_v)| (priced(thread, thread_v), thread_v / low_v));
        ranges.push(MeasureRange {
            key: meta.key.clone(),
            header: meta.header.clone(),
            cheapest: priced(low, low_v),
            dearest: (!std::ptr::eq(low, high)).then(|| priced(high, high_v)),
            per_task,
        });
    }
    ranges
}

/// A measure's readable name: its label and unit, from its key and declared
/// header (the workload tables' names).
pub(crate) type Name<'a> = &'a dyn Fn(&MetricMeta) -> MetricMeta;

/// The verdict in sentences: one per measure, `Spawn+await from 109 ns/task
/// (smol-local t1) to …`, each contention group opening with its own, `With 2
/// workers updating at once: update from …`. `name` gives each measure its
/// label and unit.
pub(crate) fn render_verdict(verdict: &OverheadVerdict, name: Name<'_>) -> String {
    match verdict {
        OverheadVerdict::NoRunnerApplies => "No runner applies.".into(),
        OverheadVerdict::NoCellFinished => "No cell finished.".into(),
        OverheadVerdict::Ranked(ranges) => render_ranges(ranges, name, None),
        OverheadVerdict::ByContention(groups) => groups
            .iter()
            .map(|g| {
                let how = if g.workers_at_once == 1 {
                    "1 worker updating at a time".to_owned()
                } else {
                    format!("{} workers updating at once", g.workers_at_once)
                };
                render_ranges(&g.measures, name, Some(&how))
            })
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// A sentence per measure; the first opens with `With {how}: ` when given.
fn render_ranges(ranges: &[MeasureRange], name: Name<'_>, how: Option<&str>) -> String {
    let Some((first, rest)) = ranges.split_first() else {
        return match how {
            Some(how) => format!("With {how}: no measures recorded."),
            None => "No measures recorded.".into(),
        };
    };
    let mut sentences = vec![match how {
        Some(how) => format!("With {how}: {}", lower_first(&render_range(first, name))),
        None => render_range(first, name),
    }];
    sentences.extend(rest.iter().map(|r| render_range(r, name)));
    sentences.join(" ")
}

/// `text` with its first letter in lower case, unless its first word is an
/// abbreviation (`RSS`).
fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && !second.is_uppercase() => {
            first.to_lowercase().chain(text.chars().skip(1)).collect()
        }
        _ => text.to_owned(),
    }
}

/// `Spawn+await from 109 ns/task (smol-local t1) to 945,557 ns/task (processes
/// t1); one OS thread per task (threads t2) costs 611× the cheapest.`
fn render_range(range: &MeasureRange, name: Name<'_>) -> String {
    let meta = name(&MetricMeta {
        key: range.key.clone(),
        header: range.header.clone(),
        about: String::new(),
    });
    // Always with its thread count, as the grid names cells: a runner may lead
    // at one count only.
    let cell = |p: &Priced| format!("{} t{}", p.cell.runner, p.cell.threads);
    let label = split_header(&meta.header).0;
    let low = &range.cheapest;
    let mut clause = match &range.dearest {
        None => format!(
            "{label} {} ({})",
            metric_with_unit(&meta, low.value),
            cell(low)
        ),
        Some(high) => format!(
            "{label} from {} ({}) to {} ({})",
            metric_with_unit(&meta, low.value),
            cell(low),
            metric_with_unit(&meta, high.value),
            cell(high)
        ),
    };
    if let Some((thread, ratio)) = &range.per_task {
        clause.push_str(&format!(
            "; one OS thread per task ({}) costs {} the cheapest",
            cell(thread),
            times(*ratio)
        ));
    }
    clause.push('.');
    clause
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> Results {
        crate::fixtures::v2()
    }

    /// Each measure named by its declared header.
    fn same(meta: &MetricMeta) -> MetricMeta {
        meta.clone()
    }

    fn cells<'a>(results: &'a Results, workload: &str) -> Vec<&'a Cell> {
        results
            .cells
            .iter()
            .filter(|c| c.workload == workload && c.applies())
            .collect()
    }

    /// The ranges of a verdict with one list.
    fn ranges(v: &OverheadVerdict) -> &[MeasureRange] {
        match v {
            OverheadVerdict::Ranked(r) => r,
            other => panic!("not one list: {other:?}"),
        }
    }

    /// `(runner, threads, value)` of a priced cell.
    fn at(p: &Priced) -> (&str, usize, f64) {
        (p.cell.runner.as_str(), p.cell.threads, p.value)
    }

    #[test]
    fn cheapest_dearest_and_one_thread_per_task() {
        let results = fixture();
        let spawn = verdict(&results, "spawn", &cells(&results, "spawn"));
        let r = ranges(&spawn);
        assert_eq!(r.len(), 2);
        assert_eq!(at(&r[0].cheapest), ("smol-local", 1, 151.0));
        assert_eq!(at(r[0].dearest.as_ref().unwrap()).0, "threads");
        let (thread, ratio) = r[0].per_task.as_ref().unwrap();
        assert_eq!(thread.cell.runner, "threads");
        assert!((ratio - thread.value / 151.0).abs() < 1e-12);
        assert_eq!(r[1].cheapest.cell.runner, "futures-local");
        // The words, once.
        assert_eq!(
            render_verdict(&spawn, &same),
            "Spawn+await from 151 ns/task (smol-local t1) to 14,480 ns/task (threads t2); one OS \
             thread per task (threads t2) costs 95.9× the cheapest. Memory per task from 250 B \
             (futures-local t1) to 12.4 KiB (threads t2); one OS thread per task (threads t2) \
             costs 50.6× the cheapest."
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
        let OverheadVerdict::ByContention(groups) = &v else {
            panic!("not by contention: {v:?}")
        };
        let levels: Vec<usize> = groups.iter().map(|g| g.workers_at_once).collect();
        assert_eq!(levels, [1, 2, 8]);
        type At<'a> = (&'a str, usize, f64);
        fn span(g: &ContentionGroup) -> (At<'_>, Option<At<'_>>) {
            let m = &g.measures[0];
            (at(&m.cheapest), m.dearest.as_ref().map(at))
        }
        assert_eq!(
            span(&groups[0]),
            (("tokio-ct", 1, 20.0), Some(("seq", 1, 25.0)))
        );
        assert_eq!(
            span(&groups[1]),
            (("thread-pool", 2, 50.0), Some(("tokio-mt", 2, 60.0)))
        );
        // The uncontended 20 ns is never set against the contended 200 ns.
        assert_eq!(
            span(&groups[2]),
            (("tokio-mt", 16, 90.0), Some(("threads", 2, 200.0)))
        );
        let words = render_verdict(&v, &same);
        assert!(
            words.starts_with(
                "With 1 worker updating at a time: ns-per-update from 20 (tokio-ct t1) to 25 (seq t1)."
            ),
            "{words}"
        );
        assert!(
            words.contains("With 2 workers updating at once: ns-per-update from 50 (thread-pool t2) to 60 (tokio-mt t2)."),
            "{words}"
        );
        // Other overhead workloads keep one list.
        assert_eq!(contention(&results, &results.cells[0]), None);
    }

    #[test]
    fn without_a_thread_per_task_runner_only_the_range() {
        let mut results = fixture();
        results.cells.retain(|c| c.runner != "threads");
        let hops = verdict(&results, "channels", &cells(&results, "channels"));
        let r = ranges(&hops);
        assert_eq!(at(&r[0].cheapest), ("smol-local", 1, 81.0));
        assert!(r.iter().all(|m| m.per_task.is_none()), "{hops:?}");
        assert!(render_verdict(&hops, &same).starts_with("Hop from 81 ns (smol-local t1) to "));
        let mut none = fixture();
        for c in &mut none.cells {
            if c.workload == "channels" && c.applies() {
                c.status = Status::Failed;
            }
        }
        assert!(matches!(
            verdict(&none, "channels", &cells(&none, "channels")),
            OverheadVerdict::NoCellFinished
        ));
        assert!(matches!(
            verdict(&none, "channels", &[]),
            OverheadVerdict::NoRunnerApplies
        ));
    }
}

//! What the workload tables share, said once above them ("How to read these
//! tables"): the marks and columns some table shows, the kind of median interval
//! most rows have, the preset that sets every size, the workloads' own measures.
//! Each table then says only what is its own, such as its rows whose interval is
//! of another kind ([`interval_groups`]).

use super::{CellAt, Description, IntervalGroup, IntervalKind, WorkloadTable};
use rtcompare_api::WorkloadKind;
use serde::Serialize;
use std::cmp::Reverse;

/// One thing the guide above the tables explains, present only where some table
/// shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) enum GuideItem {
    /// Every workload's size is the one of this preset.
    Preset { preset: String },
    /// ↑ marks more threads than the machine's logical cores.
    Oversubscribed { cores: usize },
    /// The median interval, and the kind most finished rows have: a table names
    /// only its rows of another kind.
    Intervals { usual: IntervalKind },
    /// Some interval is too weak to rank runners on (not a 95% CI).
    WeakIntervals,
    /// † marks a time measured on part of the work and scaled up.
    Extrapolated,
    /// Some row recorded why its sampling stopped.
    SamplingStops,
    /// Some table has speedups over `seq`.
    Speedup,
    /// Some table has efficiencies (CPU-bound work).
    Efficiency,
    /// A table of work that waits has speedups, and so no efficiency to go with
    /// them.
    NoEfficiencyWhereWaiting,
    /// Some row finished with samples.
    CpuUtilisation,
    /// Some table has wall time over the workload's ideal.
    TimesIdeal,
    /// Some table has the workload's own latency; `further` are the readable
    /// names of further latencies shown by their p99.
    Latency { further: Vec<String> },
    /// The workloads' own measures that have a meaning to give.
    Measures { measures: Vec<MeasureNote> },
    /// Some table has context switches.
    ContextSwitches,
    /// Some table has wall time relative to its best.
    Relative,
    /// Some table is of work that waits (I/O-bound or mixed).
    Waiting,
    /// Some row was measured by the external load generator: its server CPU
    /// per request and generator cores, the generator's of these cores.
    Served { cores: usize },
    /// ¶ marks a network cell measured with its clients inside the cell.
    InCellClients,
    /// Some table has a scaling fit, with parallelism capped at `cores`.
    Scaling { cores: usize },
}

/// A measure some table shows, and what it means.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct MeasureNote {
    /// Its column header.
    pub(crate) header: String,
    /// Its meaning, from the results file or the table of names.
    pub(crate) about: String,
    /// The workloads whose tables show it with this meaning, in report order.
    pub(crate) workloads: Vec<String>,
}

/// The kind of median interval most finished rows of `tables` have (a tie goes to
/// the stronger kind); `None` when no row finished.
pub(super) fn usual_interval(tables: &[WorkloadTable]) -> Option<IntervalKind> {
    let kinds: Vec<IntervalKind> = tables
        .iter()
        .flat_map(|t| &t.rows)
        .filter_map(|r| Some(r.measured.as_ref()?.interval.kind))
        .collect();
    [
        IntervalKind::Ci95,
        IntervalKind::Range,
        IntervalKind::Single,
    ]
    .into_iter()
    .map(|kind| (kind, kinds.iter().filter(|k| **k == kind).count()))
    .filter(|&(_, n)| n > 0)
    .max_by_key(|&(kind, n)| (n, Reverse(kind)))
    .map(|(kind, _)| kind)
}

/// The finished rows of `table` whose interval is not of the `usual` kind, by
/// kind, strongest first.
pub(super) fn interval_groups(
    table: &WorkloadTable,
    usual: Option<IntervalKind>,
) -> Vec<IntervalGroup> {
    let finished: Vec<(IntervalKind, CellAt)> = table
        .rows
        .iter()
        .filter_map(|r| {
            let kind = r.measured.as_ref()?.interval.kind;
            let at = CellAt {
                runner: r.runner.clone(),
                threads: r.threads,
            };
            Some((kind, at))
        })
        .collect();
    let mut groups: Vec<IntervalGroup> = Vec::new();
    for (kind, at) in finished.iter().filter(|(k, _)| Some(*k) != usual) {
        match groups.iter_mut().find(|g| g.kind == *kind) {
            Some(group) => group.cells.push(at.clone()),
            None => groups.push(IntervalGroup {
                kind: *kind,
                every_row: false,
                cells: vec![at.clone()],
            }),
        }
    }
    for group in &mut groups {
        group.every_row = group.cells.len() == finished.len();
    }
    groups.sort_by_key(|g| g.kind);
    groups
}

/// What the guide above `tables` explains, in its order; `preset` where some
/// workload's size is shown.
pub(super) fn guide(
    tables: &[WorkloadTable],
    usual: Option<IntervalKind>,
    preset: Option<&str>,
) -> Vec<GuideItem> {
    let any = |f: &dyn Fn(&WorkloadTable) -> bool| tables.iter().any(f);
    let rows = || tables.iter().flat_map(|t| &t.rows);
    let waits = |t: &WorkloadTable| matches!(t.kind, WorkloadKind::Io | WorkloadKind::Mixed);
    let mut items = Vec::new();
    let described = any(&|t| matches!(t.description, Description::Declared { .. }));
    if let Some(preset) = preset.filter(|_| described) {
        items.push(GuideItem::Preset {
            preset: preset.to_owned(),
        });
    }
    if let Some(t) = tables.iter().find(|t| !t.oversubscribed_threads.is_empty()) {
        items.push(GuideItem::Oversubscribed {
            cores: t.logical_cores,
        });
    }
    if let Some(usual) = usual {
        items.push(GuideItem::Intervals { usual });
    }
    let weak = rows().any(|r| {
        r.measured
            .as_ref()
            .is_some_and(|m| m.interval.kind != IntervalKind::Ci95)
    });
    let flags = [
        (weak, GuideItem::WeakIntervals),
        (rows().any(|r| r.extrapolated), GuideItem::Extrapolated),
        (rows().any(|r| r.stop.is_some()), GuideItem::SamplingStops),
        (any(&|t| t.columns.speedup), GuideItem::Speedup),
        (any(&|t| t.columns.efficiency), GuideItem::Efficiency),
        (
            any(&|t| waits(t) && t.columns.speedup),
            GuideItem::NoEfficiencyWhereWaiting,
        ),
        (any(&|t| t.columns.measured), GuideItem::CpuUtilisation),
        (any(&|t| t.columns.times_ideal), GuideItem::TimesIdeal),
    ];
    items.extend(
        flags
            .into_iter()
            .filter(|(on, _)| *on)
            .map(|(_, item)| item),
    );
    if any(&|t| t.columns.latency.is_some()) {
        let mut further: Vec<String> = Vec::new();
        for column in tables.iter().flat_map(|t| &t.columns.more_latencies) {
            if !further.contains(&column.label) {
                further.push(column.label.clone());
            }
        }
        items.push(GuideItem::Latency { further });
    }
    let measures = measure_notes(tables);
    if !measures.is_empty() {
        items.push(GuideItem::Measures { measures });
    }
    let flags = [
        (
            any(&|t| t.columns.context_switches),
            GuideItem::ContextSwitches,
        ),
        (any(&|t| t.columns.relative), GuideItem::Relative),
        (any(&waits), GuideItem::Waiting),
    ];
    items.extend(
        flags
            .into_iter()
            .filter(|(on, _)| *on)
            .map(|(_, item)| item),
    );
    if let Some(t) = tables.iter().find(|t| t.columns.served) {
        items.push(GuideItem::Served {
            cores: t.logical_cores,
        });
    }
    let flags = [(rows().any(|r| r.in_cell_clients), GuideItem::InCellClients)];
    items.extend(
        flags
            .into_iter()
            .filter(|(on, _)| *on)
            .map(|(_, item)| item),
    );
    if let Some(scaling) = tables.iter().find_map(|t| t.scaling.as_ref()) {
        items.push(GuideItem::Scaling {
            cores: scaling.cores,
        });
    }
    items
}

/// Every measure the tables show that has a meaning, once per header and meaning,
/// in order of first appearance.
fn measure_notes(tables: &[WorkloadTable]) -> Vec<MeasureNote> {
    let mut notes: Vec<MeasureNote> = Vec::new();
    for table in tables {
        for meta in &table.columns.metrics {
            let about = meta.about.trim().trim_end_matches('.');
            if about.is_empty() {
                continue;
            }
            let header = crate::format::metric_header(meta);
            match notes
                .iter_mut()
                .find(|n| n.header == header && n.about == about)
            {
                Some(note) if !note.workloads.contains(&table.workload) => {
                    note.workloads.push(table.workload.clone());
                }
                Some(_) => {}
                None => notes.push(MeasureNote {
                    header,
                    about: about.to_owned(),
                    workloads: vec![table.workload.clone()],
                }),
            }
        }
    }
    notes
}

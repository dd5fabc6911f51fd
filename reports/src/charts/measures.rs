//! The charts of an overhead workload: one bar chart per per-unit measure it
//! declares (ns per task and bytes per task for `spawn`, ns per hop, ns per
//! update), cheapest first, in place of its wall chart. Runners of an overhead
//! workload do different amounts of work (one OS thread per task cannot start as
//! many tasks as a runtime), so their wall times do not compare; their cost per
//! unit does.

use super::walls::{bar_label, interval_legend, mark_notes};
use super::*;
use crate::format::{bytes, is_bytes, split_header};
use crate::model::MetricMeta;
use crate::stats::median_interval;

/// Whether the measure `key` is a cost per unit of work (`ns-per-task`,
/// `rss-per-task-bytes`).
fn per_unit(key: &str) -> bool {
    key.contains("-per-")
}

/// One chart per per-unit measure that `workload` declares and any of its
/// finished `cells` reports; empty when there is none.
pub(super) fn measure_charts(
    results: &Results,
    ctx: &Ctx<'_>,
    workload: &str,
    slug: &str,
    cells: &[&Cell],
) -> Vec<Chart> {
    let declared: Vec<&MetricMeta> = results
        .workloads
        .iter()
        .filter(|w| w.id == workload)
        .flat_map(|w| &w.metrics)
        .filter(|m| per_unit(&m.key))
        .collect();
    declared
        .into_iter()
        .filter_map(|meta| measure_chart(ctx, workload, slug, meta, cells))
        .collect()
}

/// A cell's value of a measure, with the median interval of its samples' values
/// when at least two samples carry it: `(value, interval, samples, coverage)`.
type Value = (f64, Option<[f64; 2]>, usize, f64);

fn value_of(cell: &Cell, key: &str) -> Option<Value> {
    let value = *cell.metrics.get(key).filter(|v| v.is_finite())?;
    let per_sample: Vec<f64> = cell
        .samples
        .iter()
        .filter_map(|s| s.metrics.get(key).copied())
        .filter(|v| v.is_finite())
        .collect();
    let interval = (per_sample.len() >= 2)
        .then(|| median_interval(&per_sample, summary::INTERVAL_CONFIDENCE))
        .flatten();
    Some(match interval {
        Some(i) => (value, Some([i.lo, i.hi]), per_sample.len(), i.coverage),
        None => (value, None, per_sample.len(), 0.0),
    })
}

/// The bar chart of one measure, cheapest first; `None` when no cell reports it.
fn measure_chart(
    ctx: &Ctx<'_>,
    workload: &str,
    slug: &str,
    meta: &MetricMeta,
    cells: &[&Cell],
) -> Option<Chart> {
    let mut valued: Vec<(&Cell, Value)> = cells
        .iter()
        .filter_map(|c| Some((*c, value_of(c, &meta.key)?)))
        .collect();
    if valued.is_empty() {
        return None;
    }
    valued.sort_by(|(a, va), (b, vb)| {
        va.0.total_cmp(&vb.0)
            .then(
                ctx.palette
                    .order(&a.runner, a.class)
                    .cmp(&ctx.palette.order(&b.runner, b.class)),
            )
            .then(a.threads.cmp(&b.threads))
    });
    let (label, unit) = split_header(&meta.header);
    // Sizes in bytes are drawn in KiB once they reach a few KiB.
    let bytes_measure = is_bytes(&meta.key);
    let most = valued.iter().map(|(_, v)| v.0).fold(0.0, f64::max);
    let in_kib = bytes_measure && most >= 4096.0;
    let (unit, scale) = if in_kib {
        ("KiB", 1.0 / 1024.0)
    } else {
        (unit, 1.0)
    };
    let axis = if unit.is_empty() {
        label.to_owned()
    } else {
        format!("{label} [{unit}]")
    };
    let rows: Vec<Row> = valued
        .iter()
        .map(|&(c, (value, interval, _, _))| Row {
            label: bar_label(c),
            class: c.class,
            bands: vec![vec![Segment::bar(
                value * scale,
                ctx.palette.style(&c.runner, c.class).colour,
                c.extrapolation.is_some(),
            )]],
            interval: interval.map(|[lo, hi]| [lo * scale, hi * scale]),
            value_label: Some(if bytes_measure {
                bytes(value)
            } else {
                fmt_num(value)
            }),
        })
        .collect();
    let title = if unit.is_empty() {
        format!("{workload}: {label} per runner, cheapest first")
    } else {
        format!("{workload}: {label} ({unit}) per runner, cheapest first")
    };
    let log = bars::log_axis(&rows, Scale::Auto);
    let mut legend = Legend::default();
    legend.classes("class (shade: runner)", &bars::classes_of(&rows));
    let intervals: Vec<(usize, f64)> = valued
        .iter()
        .filter(|(_, v)| v.1.is_some())
        .map(|(_, v)| (v.2, v.3))
        .collect();
    legend.gap();
    if intervals.is_empty() {
        legend.note("one value per cell");
    } else {
        legend.error_bar("median interval");
        legend.note(&interval_legend(&intervals));
    }
    let drawn: Vec<&Cell> = valued.iter().map(|(c, _)| *c).collect();
    mark_notes(&mut legend, &drawn, log);
    let svg = ctx.render(&title, &legend, bar_height(rows.len()), |root, plot| {
        bar_chart(root, plot, &rows, &axis, Scale::Auto)
    });
    Some(Chart {
        workload: workload.to_owned(),
        file_name: format!("{}-{slug}.svg", file_slug(&meta.key)),
        title,
        svg,
    })
}

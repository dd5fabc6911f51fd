//! The wall-time chart (median wall per cell with its median interval) and the
//! latency chart (p50 to max per cell), bars sorted fastest first.

use super::*;

/// What the median intervals of `cells` are, for a chart title: `range of 3
/// samples (75%)` when every cell has the same kind, `95% CIs (order statistics)`
/// when every cell reaches 95% coverage, else `median intervals of mixed coverage`.
pub(super) fn interval_words(cells: &[&Cell]) -> String {
    let summaries: Vec<&crate::model::Summary> =
        cells.iter().filter_map(|c| c.summary.as_ref()).collect();
    let kinds: Vec<String> = summaries
        .iter()
        .map(|s| crate::judge::interval_kind(s))
        .collect();
    match kinds.first() {
        Some(first) if kinds.iter().all(|k| k == first) => first.clone(),
        _ if summaries.iter().all(|s| s.supports_claims()) => "95% CIs (order statistics)".into(),
        _ => "median intervals of mixed coverage".into(),
    }
}

/// The legend's short line under the error bar for intervals of `(samples,
/// coverage)`: `range of 3 samples, 75%`, `95% CI, order statistics`, or `coverage
/// varies: see report`.
pub(super) fn interval_legend(intervals: &[(usize, f64)]) -> String {
    if intervals.iter().all(|&(_, c)| c >= 0.95 - 1e-9) {
        "95% CI, order statistics".into()
    } else if let Some(&(n, c)) = intervals.first()
        && intervals.iter().all(|&(m, _)| m == n)
    {
        format!("range of {n} samples, {}", crate::judge::coverage(c))
    } else {
        "coverage varies: see report".into()
    }
}

/// The label of a cell's bar: `runner, N thr`, then `†` when extrapolated and `§`
/// when disturbed.
pub(super) fn bar_label(c: &Cell) -> String {
    format!(
        "{}, {} thr{}{}",
        c.runner,
        c.threads,
        if c.extrapolation.is_some() {
            " †"
        } else {
            ""
        },
        crate::judge::mark(c)
    )
}

/// The legend's notes on what marks and the axis mean, for those that apply.
pub(super) fn mark_notes(legend: &mut Legend, cells: &[&Cell], log: bool) {
    if cells.iter().any(|c| c.disturbed()) {
        legend.gap();
        legend.note("§ disturbed by other load:");
        legend.note("not judged");
    }
    if cells.iter().any(|c| c.extrapolation.is_some()) {
        legend.gap();
        legend.swatch(MUTED, true, "† extrapolated:");
        legend.note("ran a subset, times scaled");
    }
    if log {
        legend.gap();
        legend.note("log scale: bar length is");
        legend.note("not proportional to value");
    }
}

/// Median wall per (runner, threads) with its median interval, fastest first.
/// Sorts `cells` by `value`, lowest first; ties by the palette's runner order,
/// then thread count, so a chart's bars are in a stable order.
pub(super) fn sort_by_value(ctx: &Ctx<'_>, cells: &mut [&Cell], value: impl Fn(&Cell) -> f64) {
    cells.sort_by(|a, b| {
        value(a)
            .total_cmp(&value(b))
            .then(
                ctx.palette
                    .order(&a.runner, a.class)
                    .cmp(&ctx.palette.order(&b.runner, b.class)),
            )
            .then(a.threads.cmp(&b.threads))
    });
}

pub(super) fn wall_chart(ctx: &Ctx<'_>, workload: &str, slug: &str, cells: &[&Cell]) -> Chart {
    let title = format!(
        "{workload}: median wall time per runner, {}",
        interval_words(cells)
    );
    let median = |c: &Cell| {
        c.summary
            .as_ref()
            .map_or(f64::INFINITY, |s| s.median_wall_s)
    };
    let mut cells: Vec<&Cell> = cells.to_vec();
    sort_by_value(ctx, &mut cells, median);
    let rows: Vec<Row> = cells
        .iter()
        .filter_map(|c| {
            let s = c.summary.as_ref()?;
            let style = ctx.palette.style(&c.runner, c.class);
            let median = s.median_wall_s * 1e3;
            Some(Row {
                label: bar_label(c),
                class: c.class,
                bands: vec![vec![Segment::bar(
                    median,
                    style.colour,
                    c.extrapolation.is_some(),
                )]],
                interval: Some([s.interval_wall_s[0] * 1e3, s.interval_wall_s[1] * 1e3]),
                value_label: Some(fmt_num(median)),
            })
        })
        .collect();
    let log = bars::log_axis(&rows, Scale::Auto);
    let mut legend = Legend::default();
    legend.classes("class (shade: runner)", &bars::classes_of(&rows));
    legend.gap();
    legend.error_bar("median interval");
    let intervals: Vec<(usize, f64)> = cells
        .iter()
        .filter_map(|c| c.summary.as_ref())
        .map(|s| (s.samples, s.interval_coverage))
        .collect();
    legend.note(&interval_legend(&intervals));
    mark_notes(&mut legend, &cells, log);
    let svg = ctx.render(&title, &legend, bar_height(rows.len()), |root, plot| {
        bar_chart(root, plot, &rows, "median wall time [ms]", Scale::Auto)
    });
    Chart {
        workload: workload.to_owned(),
        file_name: format!("wall-{slug}.svg"),
        title,
        svg,
    }
}

/// Latency percentiles per (runner, threads), lowest p99 first; `None` when no
/// cell measured latency.
pub(super) fn latency_chart(
    ctx: &Ctx<'_>,
    workload: &str,
    slug: &str,
    cells: &[&Cell],
) -> Option<Chart> {
    const PERCENTILE_SHADES: [f64; 4] = [0.0, 0.3, 0.55, 0.78];
    let mut cells: Vec<&Cell> = cells
        .iter()
        .copied()
        .filter(|c| c.latency_us.is_some())
        .collect();
    if cells.is_empty() {
        return None;
    }
    let title = format!("{workload}: latency percentiles per runner");
    let p99 = |c: &Cell| c.latency_us.map_or(f64::INFINITY, |l| l.p99);
    sort_by_value(ctx, &mut cells, p99);
    let rows: Vec<Row> = cells
        .iter()
        .filter_map(|c| {
            let l = c.latency_us?;
            let base = class_colour(c.class);
            // The maximum shows a stall the percentiles leave out.
            let bands = [l.p50, l.p99, l.p999, l.max]
                .into_iter()
                .zip(PERCENTILE_SHADES)
                .map(|(v, s)| vec![Segment::bar(v, shade(base, s), false)])
                .collect();
            Some(Row {
                label: format!("{}, {} thr{}", c.runner, c.threads, crate::judge::mark(c)),
                class: c.class,
                bands,
                interval: None,
                value_label: Some(fmt_num(l.max)),
            })
        })
        .collect();
    let mut legend = Legend::default();
    legend.classes("class", &bars::classes_of(&rows));
    legend.gap();
    legend.heading("percentile (top to bottom)");
    for (name, s) in ["p50", "p99", "p99.9", "max (value printed)"]
        .into_iter()
        .zip(PERCENTILE_SHADES)
    {
        legend.swatch(shade(RGBColor(0x55, 0x55, 0x55), s), false, name);
    }
    legend.note("rows: lowest p99 first");
    if cells.iter().any(|c| c.disturbed()) {
        legend.gap();
        legend.note("§ disturbed by other load:");
        legend.note("not judged");
    }
    let svg = ctx.render(&title, &legend, bar_height(rows.len()), |root, plot| {
        bar_chart(root, plot, &rows, "latency [µs]", Scale::Auto)
    });
    Some(Chart {
        workload: workload.to_owned(),
        file_name: format!("latency-{slug}.svg"),
        title,
        svg,
    })
}

//! The bar charts: median wall time with its interval, and latency percentiles,
//! one bar group per cell.

use super::*;

/// One horizontal bar (or group of bars) of a bar chart.
pub(super) struct Row {
    pub(super) label: String,
    pub(super) class: Class,
    /// Bars drawn side by side within the row, top first: (value, colour, pale).
    pub(super) bars: Vec<(f64, RGBColor, bool)>,
    /// The interval drawn as an error bar across the row, if any.
    pub(super) interval: Option<[f64; 2]>,
    /// Value printed after the bar (or interval).
    pub(super) value_label: Option<String>,
}

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

/// The legend's short line under the error bar: `range of 3 samples, 75%`,
/// `95% CI, order statistics`, or `coverage varies: see report`.
pub(super) fn interval_legend(cells: &[&Cell]) -> String {
    let summaries: Vec<&crate::model::Summary> =
        cells.iter().filter_map(|c| c.summary.as_ref()).collect();
    let same =
        |f: fn(&crate::model::Summary) -> usize| summaries.windows(2).all(|w| f(w[0]) == f(w[1]));
    if summaries.iter().all(|s| s.supports_claims()) {
        "95% CI, order statistics".into()
    } else if same(|s| s.samples) {
        let s = summaries[0];
        format!(
            "range of {} samples, {}",
            s.samples,
            crate::judge::coverage(s.interval_coverage)
        )
    } else {
        "coverage varies: see report".into()
    }
}

/// Chart 2: median wall per (runner, threads) with its median interval.
pub(super) fn wall_chart(
    root: &Area<'_>,
    ctx: &Ctx<'_>,
    title: &str,
    cells: &[&Cell],
) -> DrawResult {
    let mut cells: Vec<&Cell> = cells.to_vec();
    cells.sort_by(|a, b| {
        let (sa, sb) = (a.summary.as_ref(), b.summary.as_ref());
        let ma = sa.map_or(f64::INFINITY, |s| s.median_wall_s);
        let mb = sb.map_or(f64::INFINITY, |s| s.median_wall_s);
        a.class
            .cmp(&b.class)
            .then(ma.total_cmp(&mb))
            .then(a.runner.cmp(&b.runner))
            .then(a.threads.cmp(&b.threads))
    });
    let any_extrapolated = cells.iter().any(|c| c.extrapolation.is_some());
    let rows: Vec<Row> = cells
        .iter()
        .filter_map(|c| {
            let s = c.summary.as_ref()?;
            let style = ctx.palette.style(&c.runner, c.class);
            let extrapolated = c.extrapolation.is_some();
            let median = s.median_wall_s * 1e3;
            Some(Row {
                label: format!(
                    "{}, {} thr{}{}",
                    c.runner,
                    c.threads,
                    if extrapolated { " †" } else { "" },
                    crate::judge::mark(c)
                ),
                class: c.class,
                bars: vec![(median, style.colour, extrapolated)],
                interval: Some([s.interval_wall_s[0] * 1e3, s.interval_wall_s[1] * 1e3]),
                value_label: Some(fmt_num(median)),
            })
        })
        .collect();
    let (plot, legend_area) = frame(root, title, ctx.subtitle)?;
    let log = bar_chart(&plot, root, &rows, "median wall time [ms]")?;

    let mut legend = Legend {
        area: &legend_area,
        y: 16,
    };
    legend.heading("class (shade: runner)")?;
    for class in classes_of(&rows) {
        legend.swatch(class_colour(class), false, class.as_str())?;
    }
    legend.gap();
    legend.error_bar("median interval")?;
    legend.text(&interval_legend(&cells), MUTED)?;
    legend.y += Legend::ROW;
    if cells.iter().any(|c| c.disturbed()) {
        legend.text("§ disturbed by other load:", MUTED)?;
        legend.y += Legend::ROW - 4;
        legend.text("not judged", MUTED)?;
        legend.y += Legend::ROW;
    }
    if any_extrapolated {
        legend.swatch(MUTED, true, "† extrapolated:")?;
        legend.y -= Legend::ROW / 3;
        legend.text("ran a subset, times scaled", MUTED)?;
        legend.y += Legend::ROW;
    }
    if log {
        legend.gap();
        legend.text("log scale: bar length is", MUTED)?;
        legend.y += Legend::ROW - 4;
        legend.text("not proportional to time", MUTED)?;
    }
    Ok(())
}

/// Chart 3: latency percentiles per (runner, threads).
pub(super) fn latency_chart(
    root: &Area<'_>,
    ctx: &Ctx<'_>,
    title: &str,
    cells: &[&Cell],
) -> DrawResult {
    const PERCENTILE_SHADES: [f64; 4] = [0.0, 0.3, 0.55, 0.78];
    let mut cells: Vec<&Cell> = cells.to_vec();
    let p99 = |c: &Cell| c.latency_us.map_or(f64::INFINITY, |l| l.p99);
    cells.sort_by(|a, b| {
        a.class
            .cmp(&b.class)
            .then(p99(a).total_cmp(&p99(b)))
            .then(a.runner.cmp(&b.runner))
            .then(a.threads.cmp(&b.threads))
    });
    let rows: Vec<Row> = cells
        .iter()
        .filter_map(|c| {
            let l = c.latency_us?;
            let base = class_colour(c.class);
            // The maximum shows a stall the percentiles leave out.
            let bars = [l.p50, l.p99, l.p999, l.max]
                .into_iter()
                .zip(PERCENTILE_SHADES)
                .map(|(v, s)| (v, shade(base, s), false))
                .collect();
            Some(Row {
                label: format!("{}, {} thr", c.runner, c.threads),
                class: c.class,
                bars,
                interval: None,
                value_label: Some(fmt_num(l.max)),
            })
        })
        .collect();
    let (plot, legend_area) = frame(root, title, ctx.subtitle)?;
    bar_chart(&plot, root, &rows, "latency [µs]")?;

    let mut legend = Legend {
        area: &legend_area,
        y: 16,
    };
    legend.heading("class")?;
    for class in classes_of(&rows) {
        legend.swatch(class_colour(class), false, class.as_str())?;
    }
    legend.gap();
    legend.heading("percentile (top to bottom)")?;
    for (name, s) in ["p50", "p99", "p99.9", "max (value printed)"]
        .into_iter()
        .zip(PERCENTILE_SHADES)
    {
        legend.swatch(shade(RGBColor(0x55, 0x55, 0x55), s), false, name)?;
    }
    Ok(())
}

pub(super) fn classes_of(rows: &[Row]) -> Vec<Class> {
    ALL_CLASSES
        .into_iter()
        .filter(|c| rows.iter().any(|r| r.class == *c))
        .collect()
}

/// Draws horizontal bars, first row at the top, on a linear axis from zero or, when
/// the values span more than [`LOG_RATIO`], a log axis (and says so in the axis
/// label). Returns whether the axis is logarithmic.
pub(super) fn bar_chart(
    plot: &Area<'_>,
    root: &Area<'_>,
    rows: &[Row],
    x_desc: &str,
) -> Result<bool, Box<dyn std::error::Error>> {
    let values = || {
        rows.iter().flat_map(|r| {
            r.bars
                .iter()
                .map(|b| b.0)
                .chain(r.interval.into_iter().flatten())
        })
    };
    let lo = values()
        .filter(|v| *v > 0.0 && v.is_finite())
        .fold(f64::INFINITY, f64::min);
    let hi = values().filter(|v| v.is_finite()).fold(0.0_f64, f64::max);
    let (lo, hi) = if lo.is_finite() && hi > 0.0 {
        (lo, hi)
    } else {
        (1.0, 1.0)
    };
    let log = hi / lo > LOG_RATIO;
    if log {
        // Whole decades, starting at least a third of a decade below the smallest
        // so the shortest bar is still visible, and room on the right for labels.
        let from = 10f64.powf((lo / 3.0).log10().floor());
        let to = hi * 6.0;
        draw_bars(
            plot,
            root,
            rows,
            (from..to).log_scale(),
            &format!("{x_desc}, log scale"),
            from,
        )?;
    } else {
        draw_bars(plot, root, rows, 0.0..hi * 1.2, x_desc, 0.0)?;
    }
    Ok(log)
}

pub(super) fn draw_bars<X>(
    plot: &Area<'_>,
    root: &Area<'_>,
    rows: &[Row],
    x: X,
    x_desc: &str,
    base: f64,
) -> DrawResult
where
    X: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
{
    let n = rows.len();
    let y_keys: Vec<f64> = (0..n).map(|i| i as f64 + 0.5).collect();
    let label_width = rows
        .iter()
        .map(|r| r.label.chars().count())
        .max()
        .unwrap_or(0) as u32
        * 8
        + 16;
    let mut chart = ChartBuilder::on(plot)
        .margin(8)
        .x_label_area_size(44)
        .y_label_area_size(label_width.max(40))
        .build_cartesian_2d(x, Keyed::new(0.0..n.max(1) as f64, y_keys))?;
    // Row i is drawn at the top: y = n - 1 - i.
    let label_of = |y: &f64| -> String {
        let i = n as isize - 1 - y.floor() as isize;
        usize::try_from(i)
            .ok()
            .and_then(|i| rows.get(i))
            .map_or_else(String::new, |r| r.label.clone())
    };
    chart
        .configure_mesh()
        .disable_y_mesh()
        .x_labels(6)
        .x_desc(x_desc)
        .x_label_formatter(&|v| fmt_num(*v))
        .y_label_formatter(&label_of)
        .axis_desc_style(text_style(16, INK))
        .label_style(text_style(14, INK))
        .light_line_style(WHITE.mix(0.0))
        .bold_line_style(RGBColor(0xe4, 0xe4, 0xe4).stroke_width(1))
        .draw()?;

    for (i, row) in rows.iter().enumerate() {
        let y0 = (n - 1 - i) as f64;
        let k = row.bars.len() as f64;
        let (top, bottom) = (y0 + 0.85, y0 + 0.15);
        let step = (top - bottom) / k;
        let mut right = base;
        for (j, &(value, colour, pale)) in row.bars.iter().enumerate() {
            let (b_top, b_bottom) = (top - step * j as f64, top - step * (j as f64 + 1.0));
            let corners = [(base, b_bottom), (value, b_top)];
            if pale {
                chart.draw_series(std::iter::once(Rectangle::new(
                    corners,
                    shade(colour, 0.8).filled(),
                )))?;
                chart.draw_series(std::iter::once(Rectangle::new(
                    corners,
                    colour.stroke_width(1),
                )))?;
            } else {
                chart.draw_series(std::iter::once(Rectangle::new(corners, colour.filled())))?;
            }
            right = right.max(value);
        }
        let mid = y0 + 0.5;
        if let Some([lo, hi]) = row.interval {
            let (a, b) = (
                chart.backend_coord(&(lo, mid)),
                chart.backend_coord(&(hi, mid)),
            );
            root.draw(&PathElement::new(vec![a, b], INK.stroke_width(1)))?;
            for (x, y) in [a, b] {
                root.draw(&PathElement::new(
                    vec![(x, y - 4), (x, y + 4)],
                    INK.stroke_width(1),
                ))?;
            }
            right = right.max(hi);
        }
        if let Some(label) = &row.value_label {
            let (x, y) = chart.backend_coord(&(right, mid));
            root.draw(&Text::new(
                label.clone(),
                (x + 5, y),
                anchored(13, MUTED, HPos::Left, VPos::Center),
            ))?;
        }
    }
    Ok(())
}

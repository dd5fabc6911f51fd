//! Horizontal bar charts, first row at the top: each row a label, one or more
//! bands side by side (the latency percentiles), each band one or more segments
//! end to end (jobs kept, then jobs lost), an optional interval and a value printed
//! after the bar in a margin kept free for it.

use super::*;

/// A stretch of a bar.
pub(super) struct Segment {
    /// Where it starts; `None` for the axis's start.
    pub(super) from: Option<f64>,
    /// Where it ends.
    pub(super) to: f64,
    pub(super) colour: RGBColor,
    /// Drawn pale with an outline (extrapolated cells, jobs lost).
    pub(super) pale: bool,
}

impl Segment {
    /// A bar from the axis's start to `to`.
    pub(super) fn bar(to: f64, colour: RGBColor, pale: bool) -> Self {
        Segment {
            from: None,
            to,
            colour,
            pale,
        }
    }
}

/// One row of a bar chart.
pub(super) struct Row {
    pub(super) label: String,
    pub(super) class: Class,
    /// Bands drawn one above the other within the row, top first, each a run of
    /// segments.
    pub(super) bands: Vec<Vec<Segment>>,
    /// The interval drawn as an error bar across the row, if any.
    pub(super) interval: Option<[f64; 2]>,
    /// Value printed after the bar (or interval).
    pub(super) value_label: Option<String>,
}

/// How a bar chart's value axis may be drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scale {
    /// Linear from zero, or logarithmic when the values span more than
    /// [`LOG_RATIO`].
    Auto,
    /// Linear from zero.
    Linear,
}

/// The classes of `rows`, in class order.
pub(super) fn classes_of<'r>(rows: impl IntoIterator<Item = &'r Row>) -> Vec<Class> {
    let present: Vec<Class> = rows.into_iter().map(|r| r.class).collect();
    ALL_CLASSES
        .into_iter()
        .filter(|c| present.contains(c))
        .collect()
}

/// The smallest positive and the largest value of `rows`, or `(1, 1)` for none.
fn span(rows: &[Row]) -> (f64, f64) {
    let values = || {
        rows.iter().flat_map(|r| {
            r.bands
                .iter()
                .flatten()
                .flat_map(|s| s.from.into_iter().chain([s.to]))
                .chain(r.interval.into_iter().flatten())
        })
    };
    let lo = values()
        .filter(|v| *v > 0.0 && v.is_finite())
        .fold(f64::INFINITY, f64::min);
    let hi = values().filter(|v| v.is_finite()).fold(0.0_f64, f64::max);
    if lo.is_finite() && hi > 0.0 {
        (lo, hi)
    } else {
        (1.0, 1.0)
    }
}

/// Whether `rows` are drawn on a log axis under `scale`.
pub(super) fn log_axis(rows: &[Row], scale: Scale) -> bool {
    let (lo, hi) = span(rows);
    scale == Scale::Auto && hi / lo > LOG_RATIO
}

/// Draws `rows` in `plot` (`root` is the whole canvas) on a linear axis from zero
/// or, as [`log_axis`] decides, a log axis, which the axis label then says.
pub(super) fn bar_chart(
    root: &Area<'_>,
    plot: &Area<'_>,
    rows: &[Row],
    x_desc: &str,
    scale: Scale,
) -> DrawResult {
    let (lo, hi) = span(rows);
    if log_axis(rows, scale) {
        // Whole decades, starting at least a third of a decade below the smallest
        // so the shortest bar is still visible.
        let from = 10f64.powf((lo / 3.0).log10().floor());
        draw_bars(
            root,
            plot,
            rows,
            (from..hi * 1.3).log_scale(),
            &format!("{x_desc}, log scale"),
            from,
        )
    } else {
        draw_bars(root, plot, rows, 0.0..hi * 1.05, x_desc, 0.0)
    }
}

fn draw_bars<X>(
    root: &Area<'_>,
    plot: &Area<'_>,
    rows: &[Row],
    x: X,
    x_desc: &str,
    base: f64,
) -> DrawResult
where
    X: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
{
    const VALUE_SIZE: u32 = 13;
    let n = rows.len();
    let y_keys: Vec<f64> = (0..n).map(|i| i as f64 + 0.5).collect();
    let widest = |texts: &mut dyn Iterator<Item = &String>, size: u32| {
        texts
            .map(|t| text_width(svg_px(size), t))
            .fold(0.0, f64::max)
            .ceil() as u32
    };
    let label_width = widest(&mut rows.iter().map(|r| &r.label), 14) + 16;
    let value_width = widest(
        &mut rows.iter().filter_map(|r| r.value_label.as_ref()),
        VALUE_SIZE,
    );
    let mut chart = ChartBuilder::on(plot)
        .margin(8)
        .margin_right(8 + value_width + 8)
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
        let k = row.bands.len().max(1) as f64;
        let (top, bottom) = (y0 + 0.85, y0 + 0.15);
        let step = (top - bottom) / k;
        let mut right = base;
        for (j, band) in row.bands.iter().enumerate() {
            let (b_top, b_bottom) = (top - step * j as f64, top - step * (j as f64 + 1.0));
            for segment in band {
                let corners = [
                    (segment.from.unwrap_or(base), b_bottom),
                    (segment.to, b_top),
                ];
                if segment.pale {
                    chart.draw_series(std::iter::once(Rectangle::new(
                        corners,
                        shade(segment.colour, 0.8).filled(),
                    )))?;
                    // Outlined darker, so a pale bar of a light shade still shows.
                    chart.draw_series(std::iter::once(Rectangle::new(
                        corners,
                        shade(segment.colour, -0.35).stroke_width(1),
                    )))?;
                } else {
                    chart.draw_series(std::iter::once(Rectangle::new(
                        corners,
                        segment.colour.filled(),
                    )))?;
                }
                right = right.max(segment.to);
            }
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
                anchored(VALUE_SIZE, MUTED, HPos::Left, VPos::Center),
            ))?;
        }
    }
    Ok(())
}

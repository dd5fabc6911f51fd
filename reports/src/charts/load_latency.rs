//! The latency-against-offered-load chart of a ladder of offered rates: p50 (top
//! panel) and p99 (bottom panel) against the offered rate, both axes on a log
//! scale, one line per runner at its best thread count, each runner's knee
//! ringed, and the knee's p99 bound dashed across the p99 panel.

use super::*;
use crate::network::{KNEE_P99_BOUND_US, Knee};

/// The file name's prefix.
pub(super) const PREFIX: &str = "load-latency-";

/// One runner's line: its cell and its steps as (offered rate, p50, p99).
struct Line<'a> {
    cell: &'a Cell,
    points: Vec<[f64; 3]>,
    knee: Option<f64>,
}

impl<'a> Line<'a> {
    /// The line of a generator-measured cell with open-loop steps.
    fn of(cell: &'a Cell) -> Option<Self> {
        let steps = &cell.load.as_ref()?.steps;
        let mut points: Vec<[f64; 3]> = steps
            .iter()
            .filter_map(|s| {
                let rate = s.offered_rate_per_s?;
                Some([rate, s.latency_us.p50, s.latency_us.p99])
            })
            .filter(|p| p.iter().all(|v| v.is_finite() && *v > 0.0))
            .collect();
        points.sort_by(|a, b| a[0].total_cmp(&b[0]));
        let knee = Knee::of(steps)?.rate_per_s;
        (!points.is_empty()).then_some(Line { cell, points, knee })
    }

    /// What picks a runner's best cell: its knee, then the lower server CPU per
    /// request there.
    fn score(&self) -> [f64; 2] {
        let cpu = self.knee.and_then(|k| {
            let steps = &self.cell.load.as_ref()?.steps;
            steps
                .iter()
                .find(|s| s.offered_rate_per_s == Some(k))
                .map(|s| s.server_cpu_us_per_request)
        });
        [self.knee.unwrap_or(-1.0), -cpu.unwrap_or(f64::INFINITY)]
    }
}

/// One line per runner from the judged (undisturbed) `cells` that make one: of a
/// runner's thread counts, the line `better` prefers. The network charts draw
/// each runner once, at its best thread count.
pub(super) fn best_per_runner<'a, L>(
    cells: &[&'a Cell],
    line: impl Fn(&'a Cell) -> Option<L>,
    cell_of: impl Fn(&L) -> &'a Cell,
    better: impl Fn(&L, &L) -> bool,
) -> Vec<L> {
    let mut lines: Vec<L> = Vec::new();
    for candidate in cells
        .iter()
        .copied()
        .filter(|c| crate::judge::judged(c))
        .filter_map(&line)
    {
        let runner = &cell_of(&candidate).runner;
        match lines.iter_mut().find(|l| &cell_of(l).runner == runner) {
            Some(best) if better(&candidate, best) => *best = candidate,
            Some(_) => {}
            None => lines.push(candidate),
        }
    }
    lines
}

/// The chart of `workload` from its finished `cells`, when some judged one has
/// open-loop steps; only judged (undisturbed) cells are drawn.
pub(super) fn load_latency_chart(
    ctx: &Ctx<'_>,
    workload: &str,
    slug: &str,
    cells: &[&Cell],
) -> Option<Chart> {
    let mut lines = best_per_runner(
        cells,
        Line::of,
        |l| l.cell,
        |a, b| {
            let (a, b) = (a.score(), b.score());
            a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])).is_gt()
        },
    );
    if lines.is_empty() {
        return None;
    }
    lines.sort_by_key(|l| ctx.palette.order(&l.cell.runner, l.cell.class));
    let title = format!("{workload}: latency against offered load, knee ringed");
    let legend = runner_legend(ctx, lines.iter().map(|l| l.cell), |legend| {
        legend.gap();
        legend.dashed(
            IDEAL,
            &format!(
                "p99 bound {}",
                crate::format::duration_us(KNEE_P99_BOUND_US)
            ),
        );
        legend.note("ringed: knee, the highest");
        legend.note("rate within the bound");
    });
    let svg = ctx.render(&title, &legend, HEIGHT + 200, |root, plot| {
        let (_, height) = plot.dim_in_pixel();
        let (upper, lower) = plot.split_vertically(height as i32 / 2);
        let panel = |area: &Area<'_>, at: usize, y_desc: &str, bound: Option<f64>| {
            draw_panel(root, area, ctx, &lines, at, y_desc, bound)
        };
        panel(&upper, 1, "p50 [µs], log scale", None)?;
        panel(&lower, 2, "p99 [µs], log scale", Some(KNEE_P99_BOUND_US))
    });
    Some(Chart {
        workload: workload.to_owned(),
        file_name: format!("{PREFIX}{slug}.svg"),
        title,
        svg,
    })
}

/// The legend of a chart with a line per runner: its runners under their class
/// headings, then what `more` adds.
pub(super) fn runner_legend<'c>(
    ctx: &Ctx<'_>,
    cells: impl Iterator<Item = &'c Cell>,
    more: impl FnOnce(&mut Legend),
) -> Legend {
    let mut legend = Legend::default();
    let mut last_class = None;
    for cell in cells {
        if last_class != Some(cell.class) {
            if last_class.is_some() {
                legend.gap();
            }
            legend.heading(cell.class.as_str());
            last_class = Some(cell.class);
        }
        legend.line(ctx.palette.style(&cell.runner, cell.class), &cell.runner);
    }
    more(&mut legend);
    legend
}

/// One panel: percentile `at` of every line against the offered rate, the bound
/// dashed across when given; the rate axis is labelled on the p99 panel only.
fn draw_panel(
    root: &Area<'_>,
    area: &Area<'_>,
    ctx: &Ctx<'_>,
    lines: &[Line<'_>],
    at: usize,
    y_desc: &str,
    bound: Option<f64>,
) -> DrawResult {
    let rates = lines.iter().flat_map(|l| l.points.iter().map(|p| p[0]));
    let (x_lo, x_hi) = rates.fold((f64::INFINITY, 0.0_f64), |(lo, hi), r| {
        (lo.min(r), hi.max(r))
    });
    let values = lines
        .iter()
        .flat_map(|l| l.points.iter().map(move |p| p[at]))
        .chain(bound);
    let (y_lo, y_hi) = values.fold((f64::INFINITY, 0.0_f64), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let x_axis = bound.map(|_| "offered load [req/s], log scale");
    let mut chart = ChartBuilder::on(area)
        .margin(8)
        .x_label_area_size(if x_axis.is_some() { 44 } else { 24 })
        .y_label_area_size(64)
        .build_cartesian_2d(
            (x_lo / 1.4..x_hi * 1.4).log_scale(),
            (y_lo / 1.6..y_hi * 1.6).log_scale(),
        )?;
    let mut mesh = chart.configure_mesh();
    mesh.x_labels(6)
        .y_labels(5)
        .x_label_formatter(&|v| fmt_num(*v))
        .y_label_formatter(&|v| fmt_num(*v))
        .y_desc(y_desc)
        .axis_desc_style(text_style(15, INK))
        .label_style(text_style(13, INK))
        .light_line_style(WHITE.mix(0.0))
        .bold_line_style(RGBColor(0xe4, 0xe4, 0xe4).stroke_width(1));
    if let Some(desc) = x_axis {
        mesh.x_desc(desc);
    }
    mesh.draw()?;
    if let Some(b) = bound {
        let ends = [
            chart.backend_coord(&(x_lo / 1.4, b)),
            chart.backend_coord(&(x_hi * 1.4, b)),
        ];
        draw_line(root, &ends, IDEAL, 2, Dash::Dashed)?;
    }
    for line in lines {
        let style = ctx.palette.style(&line.cell.runner, line.cell.class);
        let pixels: Vec<(i32, i32)> = line
            .points
            .iter()
            .map(|p| chart.backend_coord(&(p[0], p[at])))
            .collect();
        draw_line(root, &pixels, style.colour, 2, style.dash)?;
    }
    // Markers over every line, the knees ringed.
    for line in lines {
        let style = ctx.palette.style(&line.cell.runner, line.cell.class);
        for p in &line.points {
            let px = chart.backend_coord(&(p[0], p[at]));
            draw_marker(root, px, style)?;
            if line.knee == Some(p[0]) {
                root.draw(&Circle::new(px, 10, INK.stroke_width(2)))?;
            }
        }
    }
    Ok(())
}

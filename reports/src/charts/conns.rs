//! The throughput-against-connections chart of a sweep of connection counts:
//! closed-loop throughput at each count (log scale), one line per runner at its
//! best thread count, a throughput the generator limited drawn hollow.

use super::load_latency::{best_per_runner, runner_legend};
use super::*;

/// The file name's prefix.
pub(super) const PREFIX: &str = "throughput-conns-";

/// One runner's line: (connections, throughput, generator-bound) per step.
struct Line<'a> {
    cell: &'a Cell,
    points: Vec<(f64, f64, bool)>,
}

impl<'a> Line<'a> {
    fn of(cell: &'a Cell) -> Option<Self> {
        let steps = &cell.load.as_ref()?.steps;
        let mut points: Vec<(f64, f64, bool)> = steps
            .iter()
            .filter(|s| s.offered_rate_per_s.is_none() && s.connections > 0)
            .map(|s| {
                (
                    s.connections as f64,
                    s.achieved_rate_per_s,
                    s.generator_behind_samples > 0,
                )
            })
            .filter(|p| p.1.is_finite())
            .collect();
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        (points.len() > 1).then_some(Line { cell, points })
    }

    fn peak(&self) -> f64 {
        self.points.iter().map(|p| p.1).fold(0.0, f64::max)
    }
}

/// The chart of `workload` from its finished `cells`, when some judged one
/// swept more than one connection count; only judged cells are drawn.
pub(super) fn conns_chart(
    ctx: &Ctx<'_>,
    workload: &str,
    slug: &str,
    cells: &[&Cell],
) -> Option<Chart> {
    let mut lines = best_per_runner(cells, Line::of, |l| l.cell, |a, b| a.peak() > b.peak());
    if lines.is_empty() {
        return None;
    }
    lines.sort_by_key(|l| ctx.palette.order(&l.cell.runner, l.cell.class));
    let bound = lines.iter().any(|l| l.points.iter().any(|p| p.2));
    let title = format!("{workload}: throughput by open connections");
    let legend = runner_legend(ctx, lines.iter().map(|l| l.cell), |legend| {
        if bound {
            legend.gap();
            legend.note("hollow: the generator");
            legend.note("limited the step (a floor)");
        }
    });
    let svg = ctx.render(&title, &legend, HEIGHT, |root, plot| {
        draw(root, plot, ctx, &lines)
    });
    Some(Chart {
        workload: workload.to_owned(),
        file_name: format!("{PREFIX}{slug}.svg"),
        title,
        svg,
    })
}

fn draw(root: &Area<'_>, plot: &Area<'_>, ctx: &Ctx<'_>, lines: &[Line<'_>]) -> DrawResult {
    let counts = lines.iter().flat_map(|l| l.points.iter().map(|p| p.0));
    let (lo, hi) = counts.fold((f64::INFINITY, 0.0_f64), |(lo, hi), c| {
        (lo.min(c), hi.max(c))
    });
    let top = lines.iter().map(Line::peak).fold(0.0, f64::max).max(1.0) * 1.15;
    let mut chart = ChartBuilder::on(plot)
        .margin(8)
        .x_label_area_size(44)
        .y_label_area_size(72)
        .build_cartesian_2d((lo / 1.5..hi * 1.5).log_scale(), 0.0..top)?;
    chart
        .configure_mesh()
        .x_labels(6)
        .y_labels(6)
        .x_desc("open connections, log scale")
        .y_desc("throughput [req/s]")
        .x_label_formatter(&|v| fmt_num(*v))
        .y_label_formatter(&|v| fmt_num(*v))
        .axis_desc_style(text_style(16, INK))
        .label_style(text_style(14, INK))
        .light_line_style(WHITE.mix(0.0))
        .bold_line_style(RGBColor(0xe4, 0xe4, 0xe4).stroke_width(1))
        .draw()?;
    for line in lines {
        let style = ctx.palette.style(&line.cell.runner, line.cell.class);
        let pixels: Vec<(i32, i32)> = line
            .points
            .iter()
            .map(|p| chart.backend_coord(&(p.0, p.1)))
            .collect();
        draw_line(root, &pixels, style.colour, 2, style.dash)?;
    }
    for line in lines {
        let style = ctx.palette.style(&line.cell.runner, line.cell.class);
        for p in &line.points {
            let px = chart.backend_coord(&(p.0, p.1));
            if p.2 {
                root.draw(&Circle::new(px, 6, WHITE.filled()))?;
                root.draw(&Circle::new(px, 6, style.colour.stroke_width(2)))?;
            } else {
                draw_marker(root, px, style)?;
            }
        }
    }
    Ok(())
}

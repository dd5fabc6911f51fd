//! The speedup chart of a CPU-bound workload: speedup over `seq` against worker
//! threads, one curve per runner in its colour, marker and dash pattern, with the
//! ideal line.

use super::*;

/// The speedup chart of `workload` from its finished `cells`, when it is CPU-bound
/// and has a speedup over an undisturbed `seq`. Speedups judge runners, so only
/// judged (undisturbed) cells are drawn.
pub(super) fn speedup_chart(
    ctx: &Ctx<'_>,
    workload: &str,
    slug: &str,
    kind: WorkloadKind,
    cells: &[&Cell],
) -> Option<Chart> {
    let judged: Vec<&Cell> = cells
        .iter()
        .copied()
        .filter(|c| crate::judge::judged(c))
        .collect();
    let seq_judged = judged.iter().any(|c| c.runner == summary::BASELINE_RUNNER);
    if kind != WorkloadKind::Cpu || !seq_judged || !judged.iter().any(|c| speedup(c).is_some()) {
        return None;
    }
    let title = format!("{workload}: speedup over seq by worker threads");
    // (runner, class) in legend order: by class, then registry order.
    let mut runners: Vec<(&str, Class)> = judged
        .iter()
        .filter(|c| speedup(c).is_some())
        .map(|c| (c.runner.as_str(), c.class))
        .collect();
    runners.sort_by_key(|&(r, class)| (ctx.palette.order(r, class), r));
    runners.dedup();
    let mut legend = Legend::default();
    legend.dashed(IDEAL, &format!("ideal: min(threads, {})", ctx.cores));
    let mut last_class = None;
    for &(runner, class) in &runners {
        if last_class != Some(class) {
            legend.gap();
            legend.heading(class.as_str());
            last_class = Some(class);
        }
        legend.line(ctx.palette.style(runner, class), runner);
    }
    let svg = ctx.render(&title, &legend, HEIGHT, |root, plot| {
        draw_speedups(root, plot, ctx, &judged, &runners)
    });
    Some(Chart {
        workload: workload.to_owned(),
        file_name: format!("speedup-{slug}.svg"),
        title,
        svg,
    })
}

/// Speedup over `seq` versus worker threads, one line per runner, with the ideal
/// `min(threads, cores)`.
fn draw_speedups(
    root: &Area<'_>,
    plot: &Area<'_>,
    ctx: &Ctx<'_>,
    cells: &[&Cell],
    runners: &[(&str, Class)],
) -> DrawResult {
    let points_of = |runner: &str| -> Vec<(f64, f64)> {
        let mut pts: Vec<(usize, f64)> = cells
            .iter()
            .filter(|c| c.runner == runner)
            .filter_map(|c| Some((c.threads.max(1), speedup(c)?)))
            .collect();
        pts.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
        pts.into_iter().map(|(t, s)| (t as f64, s)).collect()
    };
    let threads: BTreeSet<usize> = cells.iter().map(|c| c.threads.max(1)).chain([1]).collect();
    let max_threads = threads.iter().copied().max().unwrap_or(1).max(2);
    let ideal: Vec<(f64, f64)> = {
        let mut knots: BTreeSet<usize> = [1, max_threads].into();
        if ctx.cores < max_threads {
            knots.insert(ctx.cores);
        }
        knots
            .into_iter()
            .map(|t| (t as f64, t.min(ctx.cores) as f64))
            .collect()
    };
    let top = cells
        .iter()
        .filter_map(|c| speedup(c))
        .chain(ideal.iter().map(|p| p.1))
        .fold(1.0_f64, f64::max)
        * 1.15;
    let x_keys: Vec<f64> = threads.iter().map(|&t| t as f64).collect();
    let x_max = max_threads as f64 + 0.4;

    let mut chart = ChartBuilder::on(plot)
        .margin(8)
        .x_label_area_size(44)
        .y_label_area_size(56)
        .build_cartesian_2d(Keyed::new(0.6..x_max, x_keys), 0.0..top)?;
    chart
        .configure_mesh()
        .x_desc("worker threads")
        .y_desc("speedup vs seq (×)")
        .x_label_formatter(&|v| format!("{}", v.round() as i64))
        .y_label_formatter(&|v| fmt_num(*v))
        .axis_desc_style(text_style(16, INK))
        .label_style(text_style(14, INK))
        .light_line_style(WHITE.mix(0.0))
        .bold_line_style(RGBColor(0xe4, 0xe4, 0xe4).stroke_width(1))
        .draw()?;

    // Ideal line, dashed: short segments in data space.
    let ideal_style = IDEAL.stroke_width(2);
    for w in ideal.windows(2) {
        let (a, b) = (w[0], w[1]);
        let steps = 24;
        for i in (0..steps).step_by(2) {
            let f0 = i as f64 / steps as f64;
            let f1 = (i + 1) as f64 / steps as f64;
            let p = |f: f64| (a.0 + (b.0 - a.0) * f, a.1 + (b.1 - a.1) * f);
            chart.draw_series(std::iter::once(PathElement::new(
                vec![p(f0), p(f1)],
                ideal_style,
            )))?;
        }
    }
    // Label the ideal line above the middle of its flat part (threads beyond the
    // cores), or else beside the middle of its rising part, away from the data.
    let label = if ideal.len() == 3 {
        let (a, b) = (ideal[1], ideal[2]);
        let at = chart.backend_coord(&((a.0 + b.0) / 2.0, a.1));
        (at.0, at.1 - 6, HPos::Center, VPos::Bottom)
    } else {
        let (a, b) = (ideal[0], ideal[1]);
        let at = chart.backend_coord(&((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0));
        (at.0 + 8, at.1 + 4, HPos::Left, VPos::Top)
    };
    root.draw(&Text::new(
        "ideal".to_owned(),
        (label.0, label.1),
        anchored(14, MUTED, label.2, label.3),
    ))?;

    for &(runner, class) in runners {
        let style = ctx.palette.style(runner, class);
        let mut pts = points_of(runner);
        if let [(t, s)] = pts[..] {
            // One thread count only: a short flat stroke through the point.
            pts = vec![(t - 0.12, s), (t + 0.12, s)];
        }
        let pixels: Vec<(i32, i32)> = pts.iter().map(|p| chart.backend_coord(p)).collect();
        draw_line(root, &pixels, style.colour, 2, style.dash)?;
    }
    // Markers over every line, so a line drawn later does not hide them.
    for &(runner, class) in runners {
        let style = ctx.palette.style(runner, class);
        for p in &points_of(runner) {
            draw_marker(root, chart.backend_coord(p), style)?;
        }
    }
    Ok(())
}

/// A linear `f64` axis whose ticks are exactly the given values (thread counts,
/// bar centres); plotters' own `with_key_points` drops the default formatter.
#[derive(Debug, Clone)]
pub(super) struct Keyed {
    pub(super) range: std::ops::Range<f64>,
    pub(super) keys: Vec<f64>,
}

impl Keyed {
    pub(super) fn new(range: std::ops::Range<f64>, keys: Vec<f64>) -> Self {
        Keyed { range, keys }
    }
}

impl Ranged for Keyed {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let span = self.range.end - self.range.start;
        let f = (value - self.range.start) / span;
        limit.0 + (f * f64::from(limit.1 - limit.0)).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.keys.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.range.clone()
    }
}

pub(super) fn speedup(c: &Cell) -> Option<f64> {
    c.summary.as_ref()?.speedup_vs_seq
}

//! SVG charts of a results file: speedup versus worker threads for CPU-bound
//! workloads, median wall time with its median interval for every workload
//! (labelled by its real coverage: the range of 3 samples is a 75% interval, not a
//! 95% one), and latency percentiles where cells measured them.
//!
//! A cell that other load disturbed ([`crate::model::Cell::disturbed`]) is drawn in
//! the wall and latency charts with a `§` after its label, and left out of the
//! speedup chart, whose curves are the conclusion; a workload whose `seq` was
//! disturbed has no speedup chart, since every speedup divides by it.
//!
//! Charts are drawn with `plotters`' SVG backend and no font backend: plotters then
//! estimates text extents from the character count and writes plain `<text>`
//! elements in `sans-serif`, so rendering needs no system fonts, no external tools
//! and gives byte-identical output for the same input on any machine.
//!
//! # Colours
//! Every runner is drawn in the fixed colour of its class, so charts from different
//! runs and machines read alike:
//!
//! | class | colour |
//! |---|---|
//! | `sequential` | grey `#7f7f7f` |
//! | `concurrent` | blue `#1f77b4` |
//! | `parallel` | green `#2ca02c` |
//! | `concurrent-parallel` | orange `#ff7f0e` |
//! | `concurrent-serialized` | red `#d62728` |
//!
//! Runners of the same class are told apart by shade (lighter or darker than the
//! class colour) and, in the speedup charts, by marker shape (circle, triangle,
//! square, diamond), both chosen by the runner's position among the runners of its
//! class in the results file's runner list (the registry order, so the same runner
//! gets the same shade whenever the same runners are selected). Latency bars (p50,
//! p99, p99.9 and the maximum, which shows a stall the percentiles leave out) use
//! the class colour itself, lighter for higher percentiles. Extrapolated cells have
//! a pale bar with an outline and a `†` after their label.
//!
//! Failed and timed-out cells are not drawn, nor cells whose workload does not
//! apply to their runner (`n/a`); the report's tables list them. Each workload
//! that measures latency gets its own latency chart, so a run with several (TCP
//! echo unloaded, loaded and open loop; CPU hogs beside a ticker) has one each.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let results = rtcompare_reports::load(std::path::Path::new("results.json"))?;
//! for chart in rtcompare_reports::charts::render_all(&results) {
//!     std::fs::write(&chart.file_name, &chart.svg)?;
//! }
//! # Ok(())
//! # }
//! ```

use crate::model::{Cell, Results, Status};
use crate::summary::{self, Summarized};
use plotters::coord::Shift;
use plotters::coord::ranged1d::{
    AsRangedCoord, DefaultFormatting, KeyPointHint, Ranged, ValueFormatter,
};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use rtcompare_api::{Class, WorkloadKind};
use std::collections::BTreeSet;

/// One rendered chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    /// File name to write it under, beside the report (e.g. `speedup-cpu.svg`).
    pub file_name: String,
    /// What it shows, in words; usable as the image's alt text.
    pub title: String,
    /// The SVG document.
    pub svg: String,
}

/// Width of every chart, pixels.
pub const WIDTH: u32 = 800;
/// Height of a chart, pixels; bar charts with many bars grow taller.
pub const HEIGHT: u32 = 480;

/// Walls or latencies spanning more than this ratio are drawn on a log axis.
const LOG_RATIO: f64 = 20.0;
/// Width of the legend panel on the right.
const LEGEND_WIDTH: u32 = 200;
const FONT: &str = "sans-serif";

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
type DrawResult = Result<(), Box<dyn std::error::Error>>;

/// Every chart for a results file, deterministic (same input, byte-identical SVG).
///
/// Statistics are recomputed with [`summary::summarize`] on a copy, so summaries
/// stored in the file (or missing from it) do not matter; a caller that has
/// [`Summarized`] results calls [`render_summarized`] instead. Per workload, in the
/// file's workload order: `speedup-<workload>.svg` (CPU-bound workloads with a
/// speedup), `wall-<workload>.svg` (every workload with an ok cell) and
/// `latency-<workload>.svg` (workloads whose cells measured latency: the
/// workload's own latency, p50 to max). Cells that did not finish or do not apply
/// are left out of every chart.
pub fn render_all(results: &Results) -> Vec<Chart> {
    render_summarized(&Summarized::new(results.clone()))
}

/// Every chart for `results`, as [`render_all`] describes them.
pub fn render_summarized(results: &Summarized) -> Vec<Chart> {
    let results: &Results = results;
    let palette = Palette::new(results);
    let subtitle = format!(
        "{} · {} logical cores · preset {}",
        results.machine.cpu_model, results.machine.logical_cores, results.config.preset
    );
    let mut charts = Vec::new();
    for workload in workload_ids(results) {
        let cells: Vec<&Cell> = results
            .cells
            .iter()
            .filter(|c| c.workload == workload && c.status == Status::Ok && c.summary.is_some())
            .collect();
        if cells.is_empty() {
            continue;
        }
        let kind = results
            .workloads
            .iter()
            .find(|w| w.id == workload)
            .map_or(cells[0].workload_kind, |w| w.kind);
        let slug = file_slug(&workload);
        let ctx = Ctx {
            subtitle: &subtitle,
            palette: &palette,
            cores: results.machine.logical_cores.max(1),
        };
        // Speedups judge runners: only judged cells, over an undisturbed `seq`.
        let judged: Vec<&Cell> = cells
            .iter()
            .copied()
            .filter(|c| crate::judge::judged(c))
            .collect();
        let seq_judged = cells
            .iter()
            .any(|c| c.runner == summary::BASELINE_RUNNER && crate::judge::judged(c));
        if kind == WorkloadKind::Cpu
            && seq_judged
            && judged.iter().any(|c| {
                c.summary
                    .as_ref()
                    .is_some_and(|s| s.speedup_vs_seq.is_some())
            })
        {
            let title = format!("{workload}: speedup over seq by worker threads");
            let svg = render(WIDTH, HEIGHT, |root| {
                speedup_chart(root, &ctx, &title, &judged)
            });
            charts.push(Chart {
                file_name: format!("speedup-{slug}.svg"),
                title,
                svg,
            });
        }
        let title = format!(
            "{workload}: median wall time per runner, {}",
            interval_words(&cells)
        );
        let svg = render(WIDTH, bar_height(cells.len()), |root| {
            wall_chart(root, &ctx, &title, &cells)
        });
        charts.push(Chart {
            file_name: format!("wall-{slug}.svg"),
            title,
            svg,
        });
        let latency: Vec<&Cell> = cells
            .iter()
            .copied()
            .filter(|c| c.latency_us.is_some())
            .collect();
        if !latency.is_empty() {
            let title = format!("{workload}: latency percentiles per runner");
            let svg = render(WIDTH, bar_height(latency.len()), |root| {
                latency_chart(root, &ctx, &title, &latency)
            });
            charts.push(Chart {
                file_name: format!("latency-{slug}.svg"),
                title,
                svg,
            });
        }
    }
    charts
}

/// The fixed colour of a class (see the module docs).
pub fn class_colour(class: Class) -> RGBColor {
    match class {
        Class::Sequential => RGBColor(0x7f, 0x7f, 0x7f),
        Class::Concurrent => RGBColor(0x1f, 0x77, 0xb4),
        Class::Parallel => RGBColor(0x2c, 0xa0, 0x2c),
        Class::ConcurrentParallel => RGBColor(0xff, 0x7f, 0x0e),
        Class::ConcurrentSerialized => RGBColor(0xd6, 0x27, 0x28),
    }
}

const ALL_CLASSES: [Class; 5] = [
    Class::Sequential,
    Class::Concurrent,
    Class::Parallel,
    Class::ConcurrentParallel,
    Class::ConcurrentSerialized,
];

/// What every chart of one workload shares.
struct Ctx<'a> {
    subtitle: &'a str,
    palette: &'a Palette,
    cores: usize,
}

/// Workload ids in the file's order, then any only named by cells.
fn workload_ids(results: &Results) -> Vec<String> {
    let mut ids: Vec<String> = results.workloads.iter().map(|w| w.id.clone()).collect();
    for cell in &results.cells {
        if !ids.contains(&cell.workload) {
            ids.push(cell.workload.clone());
        }
    }
    ids
}

/// A workload id made safe for a file name.
fn file_slug(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Height of a bar chart with `bars` bars: the standard height, or taller so each
/// bar keeps about 20 pixels.
fn bar_height(bars: usize) -> u32 {
    let wanted = 130 + 20 * bars as u32;
    wanted.max(HEIGHT)
}

/// Draws into an in-memory SVG of the given size.
fn render(width: u32, height: u32, draw: impl FnOnce(&Area<'_>) -> DrawResult) -> String {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        // The SVG backend writes to a String: none of these can fail.
        let drawn: DrawResult = (|| {
            root.fill(&WHITE)?;
            draw(&root)?;
            root.present()?;
            Ok(())
        })();
        drawn.expect("drawing to an in-memory SVG cannot fail");
    }
    if !svg.ends_with('\n') {
        svg.push('\n');
    }
    svg
}

/// How one runner is drawn.
#[derive(Debug, Clone, Copy)]
struct Style {
    colour: RGBColor,
    marker: Marker,
}

#[derive(Debug, Clone, Copy)]
enum Marker {
    Circle,
    Triangle,
    Square,
    Diamond,
}

/// Runner styles, fixed by class and position within the class.
struct Palette {
    runners: Vec<(String, Class)>,
}

impl Palette {
    fn new(results: &Results) -> Self {
        let mut runners: Vec<(String, Class)> = results
            .runners
            .iter()
            .map(|r| (r.id.clone(), r.class))
            .collect();
        let mut extra: Vec<(String, Class)> = results
            .cells
            .iter()
            .filter(|c| !runners.iter().any(|(id, _)| *id == c.runner))
            .map(|c| (c.runner.clone(), c.class))
            .collect();
        extra.sort();
        extra.dedup_by(|a, b| a.0 == b.0);
        runners.extend(extra);
        Palette { runners }
    }

    /// Position of `runner` among the runners of its class (0 if unknown).
    fn index(&self, runner: &str, class: Class) -> usize {
        self.runners
            .iter()
            .filter(|(_, c)| *c == class)
            .position(|(id, _)| id == runner)
            .unwrap_or(0)
    }

    /// Order of runners for legends: by class, then registry order.
    fn order(&self, runner: &str, class: Class) -> (Class, usize) {
        (class, self.index(runner, class))
    }

    fn style(&self, runner: &str, class: Class) -> Style {
        // Alternate lighter and darker so neighbours differ most.
        const SHADES: [f64; 8] = [0.0, 0.4, -0.3, 0.58, -0.5, 0.2, -0.15, -0.65];
        const MARKERS: [Marker; 4] = [
            Marker::Circle,
            Marker::Triangle,
            Marker::Square,
            Marker::Diamond,
        ];
        let i = self.index(runner, class);
        Style {
            colour: shade(class_colour(class), SHADES[i % SHADES.len()]),
            marker: MARKERS[i % MARKERS.len()],
        }
    }
}

/// `amount` > 0 mixes towards white, < 0 towards black.
fn shade(c: RGBColor, amount: f64) -> RGBColor {
    let mix = |v: u8| -> u8 {
        let v = f64::from(v);
        let out = if amount >= 0.0 {
            v + (255.0 - v) * amount
        } else {
            v * (1.0 + amount)
        };
        out.round().clamp(0.0, 255.0) as u8
    };
    RGBColor(mix(c.0), mix(c.1), mix(c.2))
}

fn text_style(size: u32, colour: RGBColor) -> TextStyle<'static> {
    let mut style = TextStyle::from((FONT, size).into_font());
    style.color = colour.to_backend_color();
    style
}

fn anchored(size: u32, colour: RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    text_style(size, colour).pos(Pos::new(h, v))
}

const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
const MUTED: RGBColor = RGBColor(0x66, 0x66, 0x66);
const IDEAL: RGBColor = RGBColor(0x99, 0x99, 0x99);

/// Draws the title and subtitle; returns the chart area and the legend panel.
fn frame<'a>(
    root: &Area<'a>,
    title: &str,
    subtitle: &str,
) -> Result<(Area<'a>, Area<'a>), Box<dyn std::error::Error>> {
    root.draw(&Text::new(
        title.to_owned(),
        (12, 10),
        anchored(24, INK, HPos::Left, VPos::Top),
    ))?;
    root.draw(&Text::new(
        subtitle.to_owned(),
        (12, 40),
        anchored(15, MUTED, HPos::Left, VPos::Top),
    ))?;
    let body = root.margin(64, 8, 4, 4);
    let (plot, legend) = body.split_horizontally(WIDTH - 8 - LEGEND_WIDTH);
    Ok((plot, legend))
}

/// A vertical list of legend entries, drawn in the legend panel's pixel space.
struct Legend<'a, 'b> {
    area: &'b Area<'a>,
    y: i32,
}

impl Legend<'_, '_> {
    const ROW: i32 = 19;
    const TEXT_X: i32 = 34;

    fn heading(&mut self, text: &str) -> DrawResult {
        self.area.draw(&Text::new(
            text.to_owned(),
            (4, self.y),
            anchored(15, INK, HPos::Left, VPos::Center),
        ))?;
        self.y += Self::ROW;
        Ok(())
    }

    fn text(&mut self, text: &str, colour: RGBColor) -> DrawResult {
        self.area.draw(&Text::new(
            text.to_owned(),
            (Self::TEXT_X, self.y),
            anchored(14, colour, HPos::Left, VPos::Center),
        ))?;
        Ok(())
    }

    /// A filled swatch (or an outlined pale one) and a label.
    fn swatch(&mut self, colour: RGBColor, outlined: bool, label: &str) -> DrawResult {
        let (x0, y0, x1, y1) = (8, self.y - 6, 26, self.y + 6);
        if outlined {
            self.area.draw(&Rectangle::new(
                [(x0, y0), (x1, y1)],
                shade(colour, 0.8).filled(),
            ))?;
            self.area.draw(&Rectangle::new(
                [(x0, y0), (x1, y1)],
                colour.stroke_width(1),
            ))?;
        } else {
            self.area
                .draw(&Rectangle::new([(x0, y0), (x1, y1)], colour.filled()))?;
        }
        self.text(label, INK)?;
        self.y += Self::ROW;
        Ok(())
    }

    /// A short line with a marker on it, and a label.
    fn line(&mut self, style: Style, label: &str) -> DrawResult {
        let y = self.y;
        self.area.draw(&PathElement::new(
            vec![(4, y), (30, y)],
            style.colour.stroke_width(2),
        ))?;
        draw_marker(self.area, (17, y), style)?;
        self.text(label, INK)?;
        self.y += Self::ROW;
        Ok(())
    }

    /// A dashed grey line and a label.
    fn dashed(&mut self, colour: RGBColor, label: &str) -> DrawResult {
        let y = self.y;
        for x in [4, 12, 20] {
            self.area.draw(&PathElement::new(
                vec![(x, y), (x + 5, y)],
                colour.stroke_width(2),
            ))?;
        }
        self.text(label, INK)?;
        self.y += Self::ROW;
        Ok(())
    }

    /// An error bar and a label.
    fn error_bar(&mut self, label: &str) -> DrawResult {
        let y = self.y;
        self.area.draw(&PathElement::new(
            vec![(6, y), (28, y)],
            INK.stroke_width(1),
        ))?;
        for x in [6, 28] {
            self.area.draw(&PathElement::new(
                vec![(x, y - 4), (x, y + 4)],
                INK.stroke_width(1),
            ))?;
        }
        self.text(label, INK)?;
        self.y += Self::ROW;
        Ok(())
    }

    fn gap(&mut self) {
        self.y += Self::ROW / 2;
    }
}

/// Draws a marker centred on `at`, in the pixel space of `area`.
fn draw_marker(area: &Area<'_>, at: (i32, i32), style: Style) -> DrawResult {
    let (x, y) = at;
    let fill = style.colour.filled();
    let edge = WHITE.stroke_width(1);
    match style.marker {
        Marker::Circle => {
            area.draw(&Circle::new(at, 5, fill))?;
            area.draw(&Circle::new(at, 5, edge))?;
        }
        Marker::Triangle => {
            let points = vec![(x, y - 6), (x + 6, y + 5), (x - 6, y + 5)];
            area.draw(&Polygon::new(points.clone(), fill))?;
            area.draw(&PathElement::new(
                [points.clone(), vec![points[0]]].concat(),
                edge,
            ))?;
        }
        Marker::Square => {
            area.draw(&Rectangle::new([(x - 5, y - 5), (x + 5, y + 5)], fill))?;
            area.draw(&Rectangle::new([(x - 5, y - 5), (x + 5, y + 5)], edge))?;
        }
        Marker::Diamond => {
            let points = vec![(x, y - 7), (x + 6, y), (x, y + 7), (x - 6, y)];
            area.draw(&Polygon::new(points.clone(), fill))?;
            area.draw(&PathElement::new(
                [points.clone(), vec![points[0]]].concat(),
                edge,
            ))?;
        }
    }
    Ok(())
}

/// Formats an axis or value label: thousands separators above 1000, three
/// significant digits below.
fn fmt_num(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        return "0".into();
    }
    if a >= 1e9 {
        return format!("{v:.0e}");
    }
    if a >= 1000.0 {
        let n = v.round() as i64;
        let digits = n.unsigned_abs().to_string();
        let mut out = String::new();
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(ch);
        }
        return if n < 0 { format!("-{out}") } else { out };
    }
    let decimals = if a >= 100.0 {
        0
    } else if a >= 10.0 {
        1
    } else if a >= 1.0 {
        2
    } else {
        (2.0 - a.log10().floor()) as usize
    };
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

/// Chart 1: speedup over `seq` versus worker threads, one line per runner, with the
/// ideal `min(threads, cores)`.
fn speedup_chart(root: &Area<'_>, ctx: &Ctx<'_>, title: &str, cells: &[&Cell]) -> DrawResult {
    let (plot, legend_area) = frame(root, title, ctx.subtitle)?;
    // (runner, class) -> points sorted by threads.
    let mut runners: Vec<(&str, Class)> = cells
        .iter()
        .filter(|c| speedup(c).is_some())
        .map(|c| (c.runner.as_str(), c.class))
        .collect();
    runners.sort_by_key(|&(r, class)| (ctx.palette.order(r, class), r));
    runners.dedup();
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

    let mut chart = ChartBuilder::on(&plot)
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

    for &(runner, class) in &runners {
        let style = ctx.palette.style(runner, class);
        let pts = points_of(runner);
        if pts.len() > 1 {
            chart.draw_series(std::iter::once(PathElement::new(
                pts.clone(),
                style.colour.stroke_width(2),
            )))?;
        } else if let Some(&(t, s)) = pts.first() {
            // One thread count only: a short flat stroke through the point.
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(t - 0.12, s), (t + 0.12, s)],
                style.colour.stroke_width(2),
            )))?;
        }
        for p in &pts {
            draw_marker(root, chart.backend_coord(p), style)?;
        }
    }

    let mut legend = Legend {
        area: &legend_area,
        y: 16,
    };
    legend.dashed(IDEAL, &format!("ideal: min(threads, {})", ctx.cores))?;
    let mut last_class = None;
    for &(runner, class) in &runners {
        if last_class != Some(class) {
            legend.gap();
            legend.heading(class.as_str())?;
            last_class = Some(class);
        }
        legend.line(ctx.palette.style(runner, class), runner)?;
    }
    Ok(())
}

/// A linear `f64` axis whose ticks are exactly the given values (thread counts,
/// bar centres); plotters' own `with_key_points` drops the default formatter.
#[derive(Debug, Clone)]
struct Keyed {
    range: std::ops::Range<f64>,
    keys: Vec<f64>,
}

impl Keyed {
    fn new(range: std::ops::Range<f64>, keys: Vec<f64>) -> Self {
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

fn speedup(c: &Cell) -> Option<f64> {
    c.summary.as_ref()?.speedup_vs_seq
}

/// One horizontal bar (or group of bars) of a bar chart.
struct Row {
    label: String,
    class: Class,
    /// Bars drawn side by side within the row, top first: (value, colour, pale).
    bars: Vec<(f64, RGBColor, bool)>,
    /// The interval drawn as an error bar across the row, if any.
    interval: Option<[f64; 2]>,
    /// Value printed after the bar (or interval).
    value_label: Option<String>,
}

/// What the median intervals of `cells` are, for a chart title: `range of 3
/// samples (75%)` when every cell has the same kind, `95% CIs (order statistics)`
/// when every cell reaches 95% coverage, else `median intervals of mixed coverage`.
fn interval_words(cells: &[&Cell]) -> String {
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
fn interval_legend(cells: &[&Cell]) -> String {
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
fn wall_chart(root: &Area<'_>, ctx: &Ctx<'_>, title: &str, cells: &[&Cell]) -> DrawResult {
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
fn latency_chart(root: &Area<'_>, ctx: &Ctx<'_>, title: &str, cells: &[&Cell]) -> DrawResult {
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

fn classes_of(rows: &[Row]) -> Vec<Class> {
    ALL_CLASSES
        .into_iter()
        .filter(|c| rows.iter().any(|r| r.class == *c))
        .collect()
}

/// Draws horizontal bars, first row at the top, on a linear axis from zero or, when
/// the values span more than [`LOG_RATIO`], a log axis (and says so in the axis
/// label). Returns whether the axis is logarithmic.
fn bar_chart(
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

fn draw_bars<X>(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_format_compactly() {
        assert_eq!(fmt_num(0.0), "0");
        assert_eq!(fmt_num(0.125), "0.125");
        assert_eq!(fmt_num(1.5), "1.5");
        assert_eq!(fmt_num(2.0), "2");
        assert_eq!(fmt_num(12.34), "12.3");
        assert_eq!(fmt_num(107.5), "108");
        assert_eq!(fmt_num(1_011_078.1), "1,011,078");
        assert_eq!(fmt_num(1000.0), "1,000");
        assert_eq!(fmt_num(1e8), "100,000,000");
        assert_eq!(fmt_num(1e9), "1e9");
    }

    #[test]
    fn shades_move_towards_white_or_black() {
        let c = RGBColor(100, 200, 0);
        assert_eq!(shade(c, 0.0), c);
        assert_eq!(shade(c, 1.0), RGBColor(255, 255, 255));
        assert_eq!(shade(c, -1.0), RGBColor(0, 0, 0));
    }

    #[test]
    fn slugs_are_file_safe() {
        assert_eq!(file_slug("cpu-skewed"), "cpu-skewed");
        assert_eq!(file_slug("a/b c"), "a_b_c");
    }
}

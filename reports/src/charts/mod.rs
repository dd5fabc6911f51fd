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

mod bars;
mod legend;
mod speedup;

use bars::{interval_words, latency_chart, wall_chart};
use legend::*;
use speedup::{Keyed, speedup_chart};

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

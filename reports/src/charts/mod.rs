//! SVG charts of a results file, per workload: speedup versus worker threads for
//! CPU-bound workloads; median wall time with its median interval (labelled by its
//! real coverage: the range of 3 samples is a 75% interval, not a 95% one); for
//! overhead workloads, their cost per unit (ns per task, bytes per task, ns per
//! hop, ns per update) instead of wall time, since their runners do different
//! amounts of work; for crash workloads, the jobs each runner kept and lost;
//! latency percentiles where cells measured them. Bars are sorted by value,
//! fastest or cheapest first.
//!
//! A cell that other load disturbed ([`crate::model::Cell::disturbed`]) is drawn in
//! the bar charts with a `§` after its label, and left out of the speedup chart,
//! whose curves are the conclusion; a workload whose `seq` was disturbed has no
//! speedup chart, since every speedup divides by it.
//!
//! Charts are drawn with `plotters`' SVG backend and no font backend: plain
//! `<text>` elements in `sans-serif`, so rendering needs no system fonts, no
//! external tools and gives byte-identical output for the same input on any
//! machine. Text extents are estimated ([`extent`]) so that each legend sits in a
//! column right of the plot, sized to its entries, in a `<g class="legend">`
//! group: the canvas grows wider or taller to hold it, and bar charts keep a margin
//! for the values printed after their bars.
//!
//! # Colours, markers and dashes
//! Every runner is drawn in the hue of its class, so charts from different runs and
//! machines read alike:
//!
//! | class | colour |
//! |---|---|
//! | `sequential` | grey `#7f7f7f` |
//! | `concurrent` | blue `#1f77b4` |
//! | `parallel` | green `#2ca02c` |
//! | `concurrent-parallel` | orange `#ff7f0e` |
//! | `concurrent-serialized` | red `#d62728` |
//!
//! A runner alone in its class gets the class colour itself; runners that share a
//! class get the class hue at evenly spaced lightnesses from dark to light (HSL
//! lightness 0.24 to 0.72). Each runner also has its own marker (8 shapes) and
//! dash pattern (4), both from its position in the results file's runner list
//! (the registry order), so no two runners of one chart share both, and the same
//! runner looks the same whenever the same runners are selected
//! ([`runner_styles`]). Latency bars (p50, p99, p99.9 and the maximum, which shows
//! a stall the percentiles leave out) use the class colour, lighter for higher
//! percentiles. Extrapolated cells have a pale bar with an outline and a `†` after
//! their label.
//!
//! Failed and timed-out cells are not drawn, nor cells whose workload does not
//! apply to their runner (`n/a`); the report's tables list them. The crash charts
//! are the exception: there a cell whose process died is the result, drawn as
//! every job lost with how the process ended. Each workload that measures latency
//! gets its own latency chart, so a run with several (TCP echo unloaded, loaded
//! and open loop; CPU hogs beside a ticker) has one each. Network cells the
//! external load generator measured are servers: a ladder of offered rates is
//! drawn as latency against offered load, and a sweep of connection counts as
//! throughput against connections, one line per runner at its best thread count.
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
mod conns;
mod crash;
pub mod extent;
mod legend;
mod load_latency;
mod measures;
mod speedup;
mod style;
#[cfg(test)]
mod tests;
mod walls;

use bars::{Row, Scale, Segment, bar_chart};
use extent::{svg_px, text_width};
use legend::Legend;
use speedup::{Keyed, speedup_chart};
pub use style::{DASHES, Dash, MARKERS, Marker, Style, class_colour, runner_styles};
use style::{Palette, draw_line, draw_marker, fmt_num, shade};
use walls::{latency_chart, wall_chart};

/// One rendered chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    /// The workload it charts: the report shows it beside that workload's table.
    pub workload: String,
    /// File name to write it under, beside the report (e.g. `speedup-cpu.svg`).
    pub file_name: String,
    /// What it shows, in words; usable as the image's alt text.
    pub title: String,
    /// The SVG document.
    pub svg: String,
}

/// The file-name prefixes of the network workloads' own charts (latency against
/// offered load, throughput by connections), which the *Network servers*
/// section links under its tables.
pub(crate) const NETWORK_CHARTS: [&str; 2] = [load_latency::PREFIX, conns::PREFIX];

/// Least width of a chart's plot, pixels (wider when the title needs it); the
/// canvas adds the legend column.
pub const WIDTH: u32 = 580;
/// Least height of a chart, pixels; bar charts with many bars and charts with long
/// legends grow taller.
pub const HEIGHT: u32 = 480;

/// Walls or latencies spanning more than this ratio are drawn on a log axis.
const LOG_RATIO: f64 = 20.0;
/// Padding around the canvas's content.
const PAD: u32 = 12;
/// Where the plot and the legend start, below the title and subtitle.
const BODY_TOP: u32 = 64;
/// Space between the plot and the legend column.
const GAP: u32 = 16;
const TITLE_SIZE: u32 = 24;
const SUBTITLE_SIZE: u32 = 15;
const FONT: &str = "sans-serif";

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
type DrawResult = Result<(), Box<dyn std::error::Error>>;

/// Every chart for a results file, deterministic (same input, byte-identical SVG).
///
/// Statistics are recomputed with [`summary::summarize`] on a copy, so summaries
/// stored in the file (or missing from it) do not matter; a caller that has
/// [`Summarized`] results calls [`render_summarized`] instead. Per workload, in the
/// file's workload order:
/// - `speedup-<workload>.svg`: CPU-bound workloads with a speedup;
/// - `<measure>-<workload>.svg`, one per per-unit measure an overhead workload
///   declares (`ns-per-task-spawn.svg`, `rss-per-task-bytes-spawn.svg`,
///   `ns-per-hop-channels.svg`), in place of its wall chart;
/// - `jobs-<workload>.svg`: the crash workloads, jobs kept and lost per runner, in
///   place of a wall chart;
/// - `wall-<workload>.svg`: every other workload with an ok cell;
/// - `latency-<workload>.svg`: workloads whose cells measured latency (the
///   workload's own latency, p50 to max);
/// - network workloads the external load generator measured have no wall chart:
///   `load-latency-<workload>.svg` for a ladder of offered rates (p50 and p99
///   against the offered rate, each runner's knee ringed),
///   `throughput-conns-<workload>.svg` for a sweep of connection counts, and
///   otherwise the latency chart.
///
/// Cells that did not finish or do not apply are left out of every chart but the
/// crash charts, where a cell whose process died has lost every job. Only the
/// `seq` group is charted ([`Summarized::seq_group`]): a runner whose speedups are
/// taken against another baseline ran the workloads at its own size, so its
/// times belong on no axis beside the Rust runners'.
pub fn render_all(results: &Results) -> Vec<Chart> {
    render_summarized(&Summarized::new(results.clone()))
}

/// Every chart for `results`, as [`render_all`] describes them.
pub fn render_summarized(results: &Summarized) -> Vec<Chart> {
    let results: &Results = results.seq_group();
    let palette = Palette::new(results);
    let subtitle = format!(
        "{} · {} logical cores · preset {}",
        results.machine.cpu_model, results.machine.logical_cores, results.config.preset
    );
    let ctx = Ctx {
        subtitle: &subtitle,
        palette: &palette,
        cores: results.machine.logical_cores.max(1),
    };
    let mut charts = Vec::new();
    for workload in workload_ids(results) {
        let slug = file_slug(&workload);
        if workload.starts_with(crash::PREFIX) {
            charts.extend(crash::crash_chart(results, &ctx, &workload, &slug));
            continue;
        }
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
        charts.extend(speedup_chart(&ctx, &workload, &slug, kind, &cells));
        // Servers under the external generator: their wall time is the
        // generator's plan, so no wall chart; a ladder of rates or a sweep of
        // connections has a chart of its own instead of latency bars.
        if cells.iter().any(|c| c.load.is_some()) {
            let swept: Vec<Chart> =
                load_latency::load_latency_chart(&ctx, &workload, &slug, &cells)
                    .into_iter()
                    .chain(conns::conns_chart(&ctx, &workload, &slug, &cells))
                    .collect();
            if swept.is_empty() {
                charts.extend(latency_chart(&ctx, &workload, &slug, &cells));
            }
            charts.extend(swept);
            continue;
        }
        let per_unit = if kind == WorkloadKind::Overhead {
            measures::measure_charts(results, &ctx, &workload, &slug, &cells)
        } else {
            Vec::new()
        };
        if per_unit.is_empty() {
            charts.push(wall_chart(&ctx, &workload, &slug, &cells));
        }
        charts.extend(per_unit);
        charts.extend(latency_chart(&ctx, &workload, &slug, &cells));
    }
    charts
}

const ALL_CLASSES: [Class; 5] = [
    Class::Sequential,
    Class::Concurrent,
    Class::Parallel,
    Class::ConcurrentParallel,
    Class::ConcurrentSerialized,
];

/// What every chart of a run shares.
struct Ctx<'a> {
    subtitle: &'a str,
    palette: &'a Palette,
    cores: usize,
}

impl Ctx<'_> {
    /// Draws a chart: its title and subtitle, the plot by `draw` (given the whole
    /// canvas and the plot's area), and `legend` in a column to the right of the
    /// plot. The canvas is [`WIDTH`] plus the legend column wide (wider if the
    /// title needs it) and at least `min_height` tall (taller if the legend needs
    /// it).
    fn render(
        &self,
        title: &str,
        legend: &Legend,
        min_height: u32,
        draw: impl FnOnce(&Area<'_>, &Area<'_>) -> DrawResult,
    ) -> String {
        let (legend_w, legend_h) = legend.size();
        let column = if legend_w > 0 { GAP + legend_w } else { 0 };
        let words = text_width(svg_px(TITLE_SIZE), title)
            .max(text_width(svg_px(SUBTITLE_SIZE), self.subtitle))
            .ceil() as u32;
        let width = (PAD + WIDTH + column + PAD).max(words + 2 * PAD);
        let height = min_height.max(BODY_TOP + 8 + legend_h + PAD);
        let plot_right = width - PAD - column;
        let mut svg = draw_svg(width, height, |root| {
            root.fill(&WHITE)?;
            root.draw(&Text::new(
                title.to_owned(),
                (PAD as i32, 10),
                anchored(TITLE_SIZE, INK, HPos::Left, VPos::Top),
            ))?;
            root.draw(&Text::new(
                self.subtitle.to_owned(),
                (PAD as i32, 40),
                anchored(SUBTITLE_SIZE, MUTED, HPos::Left, VPos::Top),
            ))?;
            let plot = root.margin(BODY_TOP, 8, 4, width - plot_right);
            draw(root, &plot)
        });
        if legend_w > 0 {
            let at = ((plot_right + GAP) as i32, (BODY_TOP + 8) as i32);
            let drawn = draw_svg(width, height, |root| legend.draw(root, at));
            // The legend's elements, without the document around them.
            let inner = drawn
                .split_once('>')
                .map_or("", |(_, rest)| rest)
                .trim_end()
                .trim_end_matches("</svg>")
                .trim_start_matches('\n');
            let end = svg
                .rfind("</svg>")
                .expect("an SVG document ends with </svg>");
            svg.insert_str(end, &format!("<g class=\"legend\">\n{inner}</g>\n"));
        }
        svg
    }
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

/// Draws into an in-memory SVG of the given size; the document ends with a newline.
fn draw_svg(width: u32, height: u32, draw: impl FnOnce(&Area<'_>) -> DrawResult) -> String {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        // The SVG backend writes to a String: none of these can fail.
        let drawn: DrawResult = (|| {
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

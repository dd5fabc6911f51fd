//! The legend: a column of entries to the right of the plot, measured with the text
//! estimate of [`super::extent`] before the canvas is sized, so it never overflows
//! the canvas, overprints the plot or overprints itself. It is drawn into its own
//! `<g class="legend">` group of the SVG.

use super::extent::{svg_px, text_width};
use super::*;

/// One row of a legend.
enum Entry {
    /// A heading, flush left.
    Heading(String),
    /// A runner's line, marker and dash pattern, and its name.
    Line(Style, String),
    /// A filled swatch (or a pale one with an outline) and a label.
    Swatch(RGBColor, bool, String),
    /// A dashed line and a label.
    Dashed(RGBColor, String),
    /// An error bar and a label.
    ErrorBar(String),
    /// A muted line of text under the entry before it.
    Note(String),
    /// Half a row of space.
    Gap,
}

/// A legend's entries, top to bottom.
#[derive(Default)]
pub(super) struct Legend {
    entries: Vec<Entry>,
}

const ROW: i32 = 19;
const TEXT_X: i32 = 34;
const HEADING_SIZE: u32 = 15;
const TEXT_SIZE: u32 = 14;

impl Legend {
    pub(super) fn heading(&mut self, text: &str) {
        self.entries.push(Entry::Heading(text.to_owned()));
    }

    pub(super) fn line(&mut self, style: Style, label: &str) {
        self.entries.push(Entry::Line(style, label.to_owned()));
    }

    /// A filled swatch, or with `pale` a pale one with an outline.
    pub(super) fn swatch(&mut self, colour: RGBColor, pale: bool, label: &str) {
        self.entries
            .push(Entry::Swatch(colour, pale, label.to_owned()));
    }

    pub(super) fn dashed(&mut self, colour: RGBColor, label: &str) {
        self.entries.push(Entry::Dashed(colour, label.to_owned()));
    }

    pub(super) fn error_bar(&mut self, label: &str) {
        self.entries.push(Entry::ErrorBar(label.to_owned()));
    }

    pub(super) fn note(&mut self, text: &str) {
        self.entries.push(Entry::Note(text.to_owned()));
    }

    pub(super) fn gap(&mut self) {
        self.entries.push(Entry::Gap);
    }

    /// The class swatches of a bar chart whose bars are in runner shades.
    pub(super) fn classes(&mut self, heading: &str, classes: &[Class]) {
        self.heading(heading);
        for &class in classes {
            self.swatch(class_colour(class), false, class.as_str());
        }
    }

    /// Width and height in pixels; (0, 0) when empty.
    pub(super) fn size(&self) -> (u32, u32) {
        let mut width = 0.0_f64;
        let mut height = 0;
        for entry in &self.entries {
            let (x, size, text) = match entry {
                Entry::Gap => {
                    height += ROW / 2;
                    continue;
                }
                Entry::Heading(t) => (0, HEADING_SIZE, t),
                Entry::Line(_, t)
                | Entry::Swatch(_, _, t)
                | Entry::Dashed(_, t)
                | Entry::ErrorBar(t)
                | Entry::Note(t) => (TEXT_X, TEXT_SIZE, t),
            };
            width = width.max(f64::from(x) + text_width(svg_px(size), text));
            height += ROW;
        }
        if height == 0 {
            return (0, 0);
        }
        (width.ceil() as u32 + 2, height as u32)
    }

    /// Draws the legend with its top-left corner at `origin`, in the pixel space of
    /// `area`.
    pub(super) fn draw(&self, area: &Area<'_>, origin: (i32, i32)) -> DrawResult {
        let (x0, mut top) = origin;
        let text = |x: i32, y: i32, size: u32, colour: RGBColor, t: &str| {
            area.draw(&Text::new(
                t.to_owned(),
                (x0 + x, y),
                anchored(size, colour, HPos::Left, VPos::Center),
            ))
        };
        for entry in &self.entries {
            if let Entry::Gap = entry {
                top += ROW / 2;
                continue;
            }
            let y = top + ROW / 2;
            top += ROW;
            match entry {
                Entry::Gap => {}
                Entry::Heading(t) => text(0, y, HEADING_SIZE, INK, t)?,
                Entry::Note(t) => text(TEXT_X, y, TEXT_SIZE, MUTED, t)?,
                Entry::Line(style, t) => {
                    let ends = [(x0 + 2, y), (x0 + 30, y)];
                    draw_line(area, &ends, style.colour, 2, style.dash)?;
                    draw_marker(area, (x0 + 16, y), *style)?;
                    text(TEXT_X, y, TEXT_SIZE, INK, t)?;
                }
                Entry::Swatch(colour, pale, t) => {
                    let corners = [(x0 + 8, y - 6), (x0 + 26, y + 6)];
                    if *pale {
                        area.draw(&Rectangle::new(corners, shade(*colour, 0.8).filled()))?;
                        area.draw(&Rectangle::new(
                            corners,
                            shade(*colour, -0.35).stroke_width(1),
                        ))?;
                    } else {
                        area.draw(&Rectangle::new(corners, colour.filled()))?;
                    }
                    text(TEXT_X, y, TEXT_SIZE, INK, t)?;
                }
                Entry::Dashed(colour, t) => {
                    for x in [4, 12, 20] {
                        area.draw(&PathElement::new(
                            vec![(x0 + x, y), (x0 + x + 5, y)],
                            colour.stroke_width(2),
                        ))?;
                    }
                    text(TEXT_X, y, TEXT_SIZE, INK, t)?;
                }
                Entry::ErrorBar(t) => {
                    let (a, b) = (x0 + 6, x0 + 28);
                    area.draw(&PathElement::new(vec![(a, y), (b, y)], INK.stroke_width(1)))?;
                    for x in [a, b] {
                        area.draw(&PathElement::new(
                            vec![(x, y - 4), (x, y + 4)],
                            INK.stroke_width(1),
                        ))?;
                    }
                    text(TEXT_X, y, TEXT_SIZE, INK, t)?;
                }
            }
        }
        Ok(())
    }
}

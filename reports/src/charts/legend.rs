//! What every chart shares beyond its frame: the legend, the markers of the
//! speedup curves, and compact numbers for axis labels.

use super::*;

/// A vertical list of legend entries, drawn in the legend panel's pixel space.
pub(super) struct Legend<'a, 'b> {
    pub(super) area: &'b Area<'a>,
    pub(super) y: i32,
}

impl Legend<'_, '_> {
    pub(super) const ROW: i32 = 19;
    const TEXT_X: i32 = 34;

    pub(super) fn heading(&mut self, text: &str) -> DrawResult {
        self.area.draw(&Text::new(
            text.to_owned(),
            (4, self.y),
            anchored(15, INK, HPos::Left, VPos::Center),
        ))?;
        self.y += Self::ROW;
        Ok(())
    }

    pub(super) fn text(&mut self, text: &str, colour: RGBColor) -> DrawResult {
        self.area.draw(&Text::new(
            text.to_owned(),
            (Self::TEXT_X, self.y),
            anchored(14, colour, HPos::Left, VPos::Center),
        ))?;
        Ok(())
    }

    /// A filled swatch (or an outlined pale one) and a label.
    pub(super) fn swatch(&mut self, colour: RGBColor, outlined: bool, label: &str) -> DrawResult {
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
    pub(super) fn line(&mut self, style: Style, label: &str) -> DrawResult {
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
    pub(super) fn dashed(&mut self, colour: RGBColor, label: &str) -> DrawResult {
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
    pub(super) fn error_bar(&mut self, label: &str) -> DrawResult {
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

    pub(super) fn gap(&mut self) {
        self.y += Self::ROW / 2;
    }
}

/// Draws a marker centred on `at`, in the pixel space of `area`.
pub(super) fn draw_marker(area: &Area<'_>, at: (i32, i32), style: Style) -> DrawResult {
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
pub(super) fn fmt_num(v: f64) -> String {
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

//! How runners are drawn: the fixed hue of each class, a lightness per runner
//! within its class, and a marker and dash pattern per runner; the drawing of
//! markers and dashed lines; compact numbers for axis and value labels.

use super::*;

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

/// The marker drawn on a runner's points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Marker {
    /// A filled circle.
    Circle,
    /// A filled triangle, point up.
    Triangle,
    /// A filled square.
    Square,
    /// A filled diamond.
    Diamond,
    /// A filled triangle, point down.
    TriangleDown,
    /// A diagonal cross.
    Cross,
    /// An open circle.
    Ring,
    /// An upright cross.
    Plus,
}

/// The markers, in the order runners take them.
pub const MARKERS: [Marker; 8] = [
    Marker::Circle,
    Marker::Triangle,
    Marker::Square,
    Marker::Diamond,
    Marker::TriangleDown,
    Marker::Cross,
    Marker::Ring,
    Marker::Plus,
];

/// The pattern of a runner's line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dash {
    /// Unbroken.
    Solid,
    /// Long dashes.
    Dashed,
    /// Dots.
    Dotted,
    /// Dash, dot, dash.
    DashDot,
}

impl Dash {
    /// Lengths of drawn and blank stretches in pixels, repeating; empty for solid.
    fn pattern(self) -> &'static [f64] {
        match self {
            Dash::Solid => &[],
            Dash::Dashed => &[8.0, 4.0],
            Dash::Dotted => &[2.0, 3.0],
            Dash::DashDot => &[8.0, 3.0, 2.0, 3.0],
        }
    }
}

/// The dash patterns, in the order runners take them.
pub const DASHES: [Dash; 4] = [Dash::Solid, Dash::Dashed, Dash::Dotted, Dash::DashDot];

/// How one runner is drawn in every chart of a results file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// Its class hue at its own lightness (the class colour itself for a runner
    /// alone in its class).
    pub colour: RGBColor,
    /// Its marker.
    pub marker: Marker,
    /// Its line pattern.
    pub dash: Dash,
}

/// Every runner of `results` (the runner list, then runners only cells name) with
/// its class and [`Style`]: what the charts draw it with.
pub fn runner_styles(results: &Results) -> Vec<(String, Class, Style)> {
    let palette = Palette::new(results);
    palette
        .runners
        .iter()
        .map(|(id, class)| (id.clone(), *class, palette.style(id, *class)))
        .collect()
}

/// Darkest and lightest CIELAB lightness (L*, 0 black to 100 white) of runners
/// that share a class.
const LIGHTNESS: [f64; 2] = [28.0, 80.0];

/// Runner styles, fixed by each runner's position in the results file's runner
/// list (the registry order) and within its class.
pub(super) struct Palette {
    runners: Vec<(String, Class)>,
}

impl Palette {
    pub(super) fn new(results: &Results) -> Self {
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

    /// Position of `runner` among the runners of its class (0 if unknown), and how
    /// many runners the class has.
    fn in_class(&self, runner: &str, class: Class) -> (usize, usize) {
        let mine = || self.runners.iter().filter(|(_, c)| *c == class);
        let n = mine().count().max(1);
        (mine().position(|(id, _)| id == runner).unwrap_or(0), n)
    }

    /// Order of runners for legends: by class, then registry order.
    pub(super) fn order(&self, runner: &str, class: Class) -> (Class, usize) {
        (class, self.in_class(runner, class).0)
    }

    /// Marker and dash come from the runner's place in the whole list, so no two
    /// runners of a chart share both (8 markers, 4 patterns: 32 runners); the
    /// colour is the class hue at one of as many evenly spaced lightnesses (L*, so
    /// the steps look even) as the class has runners, taken in a stride so
    /// neighbours in the list differ most.
    pub(super) fn style(&self, runner: &str, class: Class) -> Style {
        let g = self
            .runners
            .iter()
            .position(|(id, _)| id == runner)
            .unwrap_or(self.runners.len());
        let (i, n) = self.in_class(runner, class);
        let colour = if n == 1 {
            class_colour(class)
        } else {
            let stride = stride(n);
            let level = ((n - 1) / 2 + i * stride) % n;
            let l = LIGHTNESS[0] + (LIGHTNESS[1] - LIGHTNESS[0]) * level as f64 / (n - 1) as f64;
            at_lightness(class_colour(class), l)
        };
        Style {
            colour,
            marker: MARKERS[g % MARKERS.len()],
            dash: DASHES[(g + g / MARKERS.len()) % DASHES.len()],
        }
    }
}

/// The step through `n` lightness levels: about `n / φ`, coprime with `n` so every
/// level is taken once.
fn stride(n: usize) -> usize {
    let gcd = |mut a: usize, mut b: usize| {
        while b != 0 {
            (a, b) = (b, a % b);
        }
        a
    };
    let mut s = ((n as f64 / 1.618).round() as usize).max(1);
    while gcd(s, n) != 1 {
        s += 1;
    }
    s
}

/// The class hue and saturation of `c` at CIELAB lightness `target` (found by
/// bisection on HSL lightness, along which L* rises).
fn at_lightness(c: RGBColor, target: f64) -> RGBColor {
    let (mut lo, mut hi) = (0.0, 1.0);
    for _ in 0..40 {
        let mid = (lo + hi) / 2.0;
        if lab_lightness(with_lightness(c, mid)) < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    with_lightness(c, (lo + hi) / 2.0)
}

/// CIELAB lightness L* of an sRGB colour, 0 (black) to 100 (white).
pub(super) fn lab_lightness(c: RGBColor) -> f64 {
    let linear = |v: u8| {
        let v = f64::from(v) / 255.0;
        if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    let y = 0.2126 * linear(c.0) + 0.7152 * linear(c.1) + 0.0722 * linear(c.2);
    if y > 216.0 / 24389.0 {
        116.0 * y.cbrt() - 16.0
    } else {
        y * 24389.0 / 27.0
    }
}

/// `c` with its HSL lightness set to `l`, hue and saturation kept.
pub(super) fn with_lightness(c: RGBColor, l: f64) -> RGBColor {
    let (h, s, _) = hsl(c);
    let (r, g, b) = HSLColor(h, s, l).to_backend_color().rgb;
    RGBColor(r, g, b)
}

/// Hue, saturation and lightness of `c`, each in `0..=1`.
pub(super) fn hsl(c: RGBColor) -> (f64, f64, f64) {
    let [r, g, b] = [c.0, c.1, c.2].map(|v| f64::from(v) / 255.0);
    let max = r.max(g).max(b);
    let min = r.min(g).min(b);
    let l = (max + min) / 2.0;
    let d = max - min;
    if d == 0.0 {
        return (0.0, 0.0, l);
    }
    let s = d / (1.0 - (2.0 * l - 1.0).abs());
    let h = if max == r {
        ((g - b) / d).rem_euclid(6.0)
    } else if max == g {
        (b - r) / d + 2.0
    } else {
        (r - g) / d + 4.0
    };
    (h / 6.0, s, l)
}

/// `amount` > 0 mixes towards white, < 0 towards black.
pub(super) fn shade(c: RGBColor, amount: f64) -> RGBColor {
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

/// Draws a polyline of pixel points on `area` in `colour`, `width` pixels wide, in
/// the pattern `dash`: a solid line is one element, a broken one an element per
/// drawn stretch, the pattern running on across corners.
pub(super) fn draw_line(
    area: &Area<'_>,
    points: &[(i32, i32)],
    colour: RGBColor,
    width: u32,
    dash: Dash,
) -> DrawResult {
    let style = colour.stroke_width(width);
    let pattern = dash.pattern();
    if pattern.is_empty() {
        area.draw(&PathElement::new(points.to_vec(), style))?;
        return Ok(());
    }
    // Position within the pattern: index of the stretch, and length left of it.
    let (mut stretch, mut left) = (0, pattern[0]);
    for pair in points.windows(2) {
        let (a, b) = ((f64::from(pair[0].0), f64::from(pair[0].1)), pair[1]);
        let (dx, dy) = (f64::from(b.0) - a.0, f64::from(b.1) - a.1);
        let len = dx.hypot(dy);
        let mut at = 0.0;
        while at < len {
            let step = left.min(len - at);
            if stretch % 2 == 0 {
                let p = |f: f64| {
                    (
                        (a.0 + dx * f / len).round() as i32,
                        (a.1 + dy * f / len).round() as i32,
                    )
                };
                area.draw(&PathElement::new(vec![p(at), p(at + step)], style))?;
            }
            at += step;
            left -= step;
            if left <= 1e-9 {
                stretch = (stretch + 1) % pattern.len();
                left = pattern[stretch];
            }
        }
    }
    Ok(())
}

/// Draws a marker centred on `at`, in the pixel space of `area`.
pub(super) fn draw_marker(area: &Area<'_>, at: (i32, i32), style: Style) -> DrawResult {
    let (x, y) = at;
    let fill = style.colour.filled();
    let edge = WHITE.stroke_width(1);
    let polygon = |points: Vec<(i32, i32)>| -> DrawResult {
        area.draw(&Polygon::new(points.clone(), fill))?;
        area.draw(&PathElement::new(
            [points.clone(), vec![points[0]]].concat(),
            edge,
        ))?;
        Ok(())
    };
    let strokes = |arms: [[(i32, i32); 2]; 2]| -> DrawResult {
        for [a, b] in arms {
            area.draw(&PathElement::new(vec![a, b], style.colour.stroke_width(3)))?;
        }
        Ok(())
    };
    match style.marker {
        Marker::Circle => {
            area.draw(&Circle::new(at, 5, fill))?;
            area.draw(&Circle::new(at, 5, edge))?;
        }
        Marker::Ring => {
            area.draw(&Circle::new(at, 5, WHITE.filled()))?;
            area.draw(&Circle::new(at, 5, style.colour.stroke_width(2)))?;
        }
        Marker::Square => {
            area.draw(&Rectangle::new([(x - 5, y - 5), (x + 5, y + 5)], fill))?;
            area.draw(&Rectangle::new([(x - 5, y - 5), (x + 5, y + 5)], edge))?;
        }
        Marker::Triangle => polygon(vec![(x, y - 6), (x + 6, y + 5), (x - 6, y + 5)])?,
        Marker::TriangleDown => polygon(vec![(x, y + 6), (x + 6, y - 5), (x - 6, y - 5)])?,
        Marker::Diamond => polygon(vec![(x, y - 7), (x + 6, y), (x, y + 7), (x - 6, y)])?,
        Marker::Cross => strokes([
            [(x - 5, y - 5), (x + 5, y + 5)],
            [(x - 5, y + 5), (x + 5, y - 5)],
        ])?,
        Marker::Plus => strokes([[(x - 6, y), (x + 6, y)], [(x, y - 6), (x, y + 6)]])?,
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

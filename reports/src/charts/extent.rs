//! How much room the charts' text takes. The charts carry no font, so the SVG
//! viewer picks the `sans-serif` it has; the charts lay out their legends, bar
//! labels and canvas width from this estimate, and tests check the drawn SVG with
//! the same one. It is sized on DejaVu Sans, the widest common sans-serif (Liberation
//! Sans and Arial, what browsers often pick, are about 12% narrower), with a few
//! percent to spare.
//!
//! Sizes are in SVG pixels: the `font-size` attribute as written, which is the size
//! given to plotters divided by 1.24 (plotters' own convention).

/// Width of `text` at font size `px`, in pixels: a per-character width by shape
/// (narrow `i l . , :`, semi-narrow `f t r ( ) -`, digits, capitals, wide `m w %`,
/// and everything else as a lower-case letter).
pub fn text_width(px: f64, text: &str) -> f64 {
    text.chars().map(char_em).sum::<f64>() * px
}

/// The estimated box of a `<text>` element as the charts write it: its anchor
/// point (`x`, `y`), font size `px`, `text-anchor` (`start`, `middle`, `end`) and
/// `dy` (`0.76em` hangs the text below `y`, `0.5ex` centres it on `y`, `-0.5ex`
/// sets it above `y`; anything else is read as the baseline on `y`). Returns
/// `[left, top, right, bottom]` in pixels, from the ascent of tall letters to the
/// descent of `g` and `y`.
pub fn text_box(x: f64, y: f64, px: f64, anchor: &str, dy: &str, text: &str) -> [f64; 4] {
    let width = text_width(px, text);
    let left = match anchor {
        "middle" => x - width / 2.0,
        "end" => x - width,
        _ => x,
    };
    let baseline = y + match dy.trim() {
        "0.76em" => 0.76 * px,
        "0.5ex" => 0.5 * EX * px,
        "-0.5ex" => -0.5 * EX * px,
        _ => 0.0,
    };
    [
        left,
        baseline - ASCENT * px,
        left + width,
        baseline + DESCENT * px,
    ]
}

/// The SVG font size plotters writes for a text style of `size`.
pub(super) fn svg_px(size: u32) -> f64 {
    f64::from(size) / 1.24
}

/// Height of a capital above the baseline, in ems (DejaVu Sans: 0.73; accents
/// and `§` reach higher).
const ASCENT: f64 = 0.80;
/// Depth of a descender below the baseline, in ems (DejaVu Sans: 0.24).
const DESCENT: f64 = 0.26;
/// The x-height, in ems (DejaVu Sans: 0.55), which `ex` offsets are measured in.
const EX: f64 = 0.55;

/// Advance width of one character, in ems (DejaVu Sans, rounded up).
fn char_em(c: char) -> f64 {
    match c {
        'i' | 'l' | 'j' | '.' | ',' | ':' | ';' | '\'' | '!' | '|' | ' ' => 0.34,
        'f' | 't' | 'r' | '(' | ')' | '[' | ']' | '-' | '/' | 'I' | '·' => 0.44,
        'm' | 'w' | 'M' | 'W' | '%' | '×' | '=' | '+' | '<' | '>' | '@' | '~' => 1.0,
        '0'..='9' => 0.66,
        'A'..='Z' => 0.78,
        _ => 0.64,
    }
}

use super::style::{hsl, with_lightness};
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
fn lightness_keeps_hue_and_saturation() {
    for class in ALL_CLASSES {
        let base = class_colour(class);
        let (h, s, l) = hsl(base);
        let again = with_lightness(base, l);
        let near = |a: u8, b: u8| a.abs_diff(b) <= 1;
        assert!(
            near(again.0, base.0) && near(again.1, base.1) && near(again.2, base.2),
            "{class:?}: {again:?}"
        );
        let dark = hsl(with_lightness(base, 0.3));
        assert!((dark.2 - 0.3).abs() < 0.01);
        if s > 0.0 {
            let turn = (dark.0 - h).abs();
            assert!(turn.min(1.0 - turn) < 0.01, "{class:?} hue");
        }
    }
}

#[test]
fn slugs_are_file_safe() {
    assert_eq!(file_slug("cpu-skewed"), "cpu-skewed");
    assert_eq!(file_slug("a/b c"), "a_b_c");
}

#[test]
fn the_text_estimate_covers_dejavu_sans() {
    // Widths measured in Chromium at 100 px, DejaVu Sans.
    for (text, measured) in [
        ("concurrent-serialized", 1053.2),
        ("ideal: min(threads, 2)", 1081.0),
        ("range of 5 samples, 93.7%", 1343.1),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 1747.2),
        ("0123456789", 636.2),
        ("mmmmwwww", 716.8),
    ] {
        let estimate = extent::text_width(100.0, text);
        assert!(
            estimate >= measured && estimate <= measured * 1.2,
            "{text}: {estimate} against {measured}"
        );
    }
}

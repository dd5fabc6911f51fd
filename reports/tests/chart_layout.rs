//! The charts' layout and styles, read back from the SVG: legends stay in their own
//! column inside the canvas, clear of the plot and of every other text, with the
//! text-extent estimate the charts are laid out with; runners of one chart never
//! share both marker and dash, and runners of one class differ in lightness.

use rtcompare_api::Class;
use rtcompare_reports::charts::extent::text_box;
use rtcompare_reports::charts::{Chart, render_all, runner_styles};
use rtcompare_reports::{Results, RunnerMeta, load};
use std::path::Path;

type Rect = [f64; 4];

fn fixture(name: &str) -> Results {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    load(&path).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The fixture `results.json` with three more runners: `processes`
/// (concurrent-parallel, its eighth), `gil` (concurrent-serialized) and a runner
/// with a long name, so the `cpu` speedup legend has 15 runners in 5 classes.
fn crowded() -> Results {
    let mut r = fixture("results.json");
    for (id, class) in [
        ("processes", Class::ConcurrentParallel),
        ("gil", Class::ConcurrentSerialized),
        ("a-runner-with-a-rather-long-name", Class::Parallel),
    ] {
        let mut meta: RunnerMeta = r.runners.iter().find(|m| m.id == "rayon").unwrap().clone();
        meta.id = id.into();
        meta.class = class;
        r.runners.push(meta);
        let cells: Vec<_> = r
            .cells
            .iter()
            .filter(|c| c.runner == "rayon")
            .cloned()
            .map(|mut c| {
                c.runner = id.into();
                c.class = class;
                c
            })
            .collect();
        r.cells.extend(cells);
    }
    r
}

/// Every fixture, and the crowded one.
fn all_results() -> Vec<(&'static str, Results)> {
    let mut all: Vec<(&'static str, Results)> = [
        "results.json",
        "results-v2.json",
        "results-claims.json",
        "sweep.json",
        "quick-results.json",
        "network.json",
    ]
    .into_iter()
    .map(|n| (n, fixture(n)))
    .collect();
    all.push(("crowded", crowded()));
    all
}

fn number(node: roxmltree::Node<'_, '_>, attr: &str) -> f64 {
    node.attribute(attr)
        .unwrap_or_else(|| panic!("<{}> without {attr}", node.tag_name().name()))
        .parse()
        .expect("a number")
}

fn in_legend(node: roxmltree::Node<'_, '_>) -> bool {
    node.ancestors()
        .any(|a| a.has_tag_name("g") && a.attribute("class") == Some("legend"))
}

/// A `<text>`'s estimated box and its text; `None` for rotated text.
fn text_rect(node: roxmltree::Node<'_, '_>) -> Option<(Rect, String)> {
    if node.attribute("transform").is_some() {
        return None;
    }
    let text = node.text().unwrap_or("").trim().to_owned();
    let rect = text_box(
        number(node, "x"),
        number(node, "y"),
        number(node, "font-size"),
        node.attribute("text-anchor").unwrap_or("start"),
        node.attribute("dy").unwrap_or(""),
        &text,
    );
    Some((rect, text))
}

/// Points a legend shape covers: corners, path points, circle bounds.
fn shape_points(node: roxmltree::Node<'_, '_>) -> Vec<(f64, f64)> {
    let points = |s: &str| -> Vec<(f64, f64)> {
        s.split_whitespace()
            .filter_map(|p| {
                let (x, y) = p.split_once(',')?;
                Some((x.parse().ok()?, y.parse().ok()?))
            })
            .collect()
    };
    match node.tag_name().name() {
        "rect" => {
            let (x, y) = (number(node, "x"), number(node, "y"));
            let (w, h) = (number(node, "width"), number(node, "height"));
            vec![(x, y), (x + w, y + h)]
        }
        "circle" => {
            let (x, y, r) = (number(node, "cx"), number(node, "cy"), number(node, "r"));
            vec![(x - r, y - r), (x + r, y + r)]
        }
        "polyline" | "polygon" => points(node.attribute("points").unwrap_or("")),
        _ => Vec::new(),
    }
}

fn overlap(a: &Rect, b: &Rect) -> bool {
    a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]
}

fn inside(p: (f64, f64), r: &Rect) -> bool {
    p.0 > r[0] && p.0 < r[2] && p.1 > r[1] && p.1 < r[3]
}

/// The plot's axes rectangle: the span of the long black axis lines.
fn plot_rect(doc: &roxmltree::Document<'_>) -> Rect {
    let mut r = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for node in doc.descendants().filter(|n| n.has_tag_name("polyline")) {
        if node.attribute("stroke") != Some("#000000") || in_legend(node) {
            continue;
        }
        let pts = shape_points(node);
        let (Some(a), Some(b)) = (pts.first(), pts.last()) else {
            continue;
        };
        if (a.0 - b.0).hypot(a.1 - b.1) > 40.0 {
            r = [
                r[0].min(a.0.min(b.0)),
                r[1].min(a.1.min(b.1)),
                r[2].max(a.0.max(b.0)),
                r[3].max(a.1.max(b.1)),
            ];
        }
    }
    assert!(r[0].is_finite(), "no axes found");
    r
}

fn check_layout(source: &str, chart: &Chart) {
    let name = format!("{source}: {}", chart.file_name);
    let doc = roxmltree::Document::parse(&chart.svg).unwrap_or_else(|e| panic!("{name}: {e}"));
    let root = doc.root_element();
    let canvas: Rect = [0.0, 0.0, number(root, "width"), number(root, "height")];
    let plot = plot_rect(&doc);
    let groups = doc
        .descendants()
        .filter(|n| n.has_tag_name("g") && n.attribute("class") == Some("legend"))
        .count();
    assert_eq!(groups, 1, "{name}: one legend group");
    let (legend, others): (Vec<_>, Vec<_>) = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .partition(|n| in_legend(*n));
    let legend: Vec<(Rect, String)> = legend.into_iter().filter_map(text_rect).collect();
    let others: Vec<(Rect, String)> = others.into_iter().filter_map(text_rect).collect();
    assert!(legend.len() >= 2, "{name}: legend texts");
    for (rect, text) in legend.iter().chain(&others) {
        let within = rect[0] >= canvas[0]
            && rect[1] >= canvas[1]
            && rect[2] <= canvas[2]
            && rect[3] <= canvas[3];
        assert!(
            within,
            "{name}: {text:?} at {rect:?} leaves the canvas {canvas:?}"
        );
    }
    for (i, (a, ta)) in legend.iter().enumerate() {
        assert!(
            !overlap(a, &plot),
            "{name}: legend {ta:?} {a:?} inside the plot {plot:?}"
        );
        for (b, tb) in legend[i + 1..].iter().chain(&others) {
            assert!(
                !overlap(a, b),
                "{name}: legend {ta:?} {a:?} overprints {tb:?} {b:?}"
            );
        }
    }
    for node in doc.descendants().filter(|n| in_legend(*n)) {
        for p in shape_points(node) {
            assert!(
                !inside(p, &plot),
                "{name}: legend shape at {p:?} inside the plot"
            );
            assert!(
                p.0 >= 0.0 && p.1 >= 0.0 && p.0 <= canvas[2] && p.1 <= canvas[3],
                "{name}: legend shape at {p:?} leaves the canvas"
            );
            for (b, tb) in &legend {
                assert!(!inside(p, b), "{name}: legend shape at {p:?} under {tb:?}");
            }
        }
    }
}

#[test]
fn legends_stay_in_their_column_inside_the_canvas() {
    let mut checked = 0;
    for (source, results) in all_results() {
        for chart in render_all(&results) {
            check_layout(source, &chart);
            checked += 1;
        }
    }
    assert!(checked > 60, "{checked} charts");
}

/// CIELAB L* of a `#RRGGBB` colour, computed here independently of the charts.
fn lab_lightness(rgb: (u8, u8, u8)) -> f64 {
    let lin = |v: u8| {
        let v = f64::from(v) / 255.0;
        if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    let y = 0.2126 * lin(rgb.0) + 0.7152 * lin(rgb.1) + 0.0722 * lin(rgb.2);
    if y > 216.0 / 24389.0 {
        116.0 * y.cbrt() - 16.0
    } else {
        y * 24389.0 / 27.0
    }
}

#[test]
fn runners_of_one_chart_are_told_apart() {
    for (source, results) in all_results() {
        let styles = runner_styles(&results);
        for chart in render_all(&results) {
            let doc = roxmltree::Document::parse(&chart.svg).unwrap();
            let named: Vec<String> = doc
                .descendants()
                .filter(|n| n.has_tag_name("text"))
                .map(|n| n.text().unwrap_or("").trim().to_owned())
                .collect();
            // The runners the chart names, in its legend or on its bars.
            let drawn: Vec<_> = styles
                .iter()
                .filter(|(id, _, _)| {
                    named
                        .iter()
                        .any(|t| t == id || t.starts_with(&format!("{id}, ")))
                })
                .collect();
            assert!(!drawn.is_empty(), "{source}: {}", chart.file_name);
            for (i, (a, class_a, sa)) in drawn.iter().enumerate() {
                for (b, class_b, sb) in &drawn[i + 1..] {
                    assert!(
                        (sa.marker, sa.dash) != (sb.marker, sb.dash),
                        "{source} {}: {a} and {b} share marker and dash",
                        chart.file_name
                    );
                    if class_a == class_b {
                        let (la, lb) = (
                            lab_lightness((sa.colour.0, sa.colour.1, sa.colour.2)),
                            lab_lightness((sb.colour.0, sb.colour.1, sb.colour.2)),
                        );
                        assert!(
                            (la - lb).abs() >= 6.0,
                            "{source} {}: {a} (L* {la:.1}) and {b} (L* {lb:.1}) too alike",
                            chart.file_name
                        );
                    }
                }
            }
            // A speedup chart's legend draws each runner's line in its colour.
            if chart.file_name.starts_with("speedup-") {
                for (id, _, style) in &drawn {
                    let hex = format!(
                        "#{:02X}{:02X}{:02X}",
                        style.colour.0, style.colour.1, style.colour.2
                    );
                    let used = doc.descendants().filter(|n| in_legend(*n)).any(|n| {
                        n.attribute("stroke") == Some(hex.as_str())
                            || n.attribute("fill") == Some(hex.as_str())
                    });
                    assert!(
                        used,
                        "{source} {}: {id} not drawn in {hex}",
                        chart.file_name
                    );
                }
            }
        }
    }
}

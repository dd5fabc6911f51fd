//! The SVG charts: well-formed, labelled, deterministic, and unchanged by accident.
//! Run with `UPDATE_GOLDEN=1` to accept a deliberate change, then review the diff of
//! `tests/golden/charts/`.

use rtcompare_api::{Class, WorkloadKind};
use rtcompare_reports::charts::{Chart, Marker, class_colour, render_all, runner_styles};
use rtcompare_reports::{Cell, Extrapolation, Latency, Results, Status, load};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn manifest_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn fixture() -> Results {
    load(&manifest_path("tests/fixtures/results.json")).expect("fixture loads")
}

/// The text of every `<text>` element, trimmed.
fn texts(chart: &Chart) -> Vec<String> {
    let doc = roxmltree::Document::parse(&chart.svg)
        .unwrap_or_else(|e| panic!("{} is not well-formed XML: {e}", chart.file_name));
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").trim().to_owned())
        .collect()
}

fn chart<'a>(charts: &'a [Chart], name: &str) -> &'a Chart {
    charts
        .iter()
        .find(|c| c.file_name == name)
        .unwrap_or_else(|| {
            let names: Vec<_> = charts.iter().map(|c| &c.file_name).collect();
            panic!("no {name} among {names:?}")
        })
}

/// Elements of `tag` whose `attr` is `value` (case-insensitive).
fn count(chart: &Chart, tag: &str, attr: &str, value: &str) -> usize {
    let doc = roxmltree::Document::parse(&chart.svg).expect("well-formed");
    doc.descendants()
        .filter(|n| n.has_tag_name(tag))
        .filter(|n| {
            n.attribute(attr)
                .is_some_and(|v| v.eq_ignore_ascii_case(value))
        })
        .count()
}

#[test]
fn fixture_charts_are_well_formed_and_labelled() {
    let results = fixture();
    let charts = render_all(&results);
    let names: Vec<&str> = charts.iter().map(|c| c.file_name.as_str()).collect();
    assert_eq!(
        names,
        [
            "speedup-cpu.svg",
            "wall-cpu.svg",
            "speedup-cpu-skewed.svg",
            "wall-cpu-skewed.svg",
            "wall-sleep.svg"
        ]
    );
    for c in &charts {
        let texts = texts(c);
        assert!(
            texts.iter().any(|t| t == &c.title),
            "{}: title",
            c.file_name
        );
        let (workload, axes): (&str, &[&str]) =
            if let Some(w) = c.file_name.strip_prefix("speedup-") {
                (w, &["worker threads", "speedup vs seq (×)"])
            } else if let Some(w) = c.file_name.strip_prefix("wall-") {
                (w, &["median wall time [ms]"])
            } else {
                unreachable!("{}", c.file_name)
            };
        let workload = workload.trim_end_matches(".svg");
        for axis in axes {
            assert!(
                texts.iter().any(|t| t.starts_with(axis)),
                "{}: axis label {axis:?} missing from {texts:?}",
                c.file_name
            );
        }
        // Every ok runner is named; failed and timed-out ones are not drawn.
        for cell in results.cells.iter().filter(|c| c.workload == workload) {
            let named = texts
                .iter()
                .any(|t| t == &cell.runner || t.starts_with(&format!("{}, ", cell.runner)));
            if cell.status == Status::Ok {
                assert!(named, "{}: {} missing", c.file_name, cell.key());
            } else if !results.cells.iter().any(|o| {
                o.runner == cell.runner && o.workload == workload && o.status == Status::Ok
            }) {
                assert!(!named, "{}: failed {} drawn", c.file_name, cell.key());
            }
        }
    }
    // The fixture's sleep walls span 100 ms to seconds: a log axis, and it says so.
    let sleep = texts(chart(&charts, "wall-sleep.svg"));
    assert!(
        sleep
            .iter()
            .any(|t| t == "median wall time [ms], log scale")
    );
    let cpu = texts(chart(&charts, "wall-cpu.svg"));
    assert!(cpu.iter().any(|t| t == "median wall time [ms]"));
}

#[test]
fn fixture_charts_match_golden_files() {
    let charts = render_all(&fixture());
    let dir = manifest_path("tests/golden/charts");
    if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create golden dir");
        for c in &charts {
            std::fs::write(dir.join(&c.file_name), &c.svg).expect("write golden chart");
        }
        return;
    }
    let on_disk: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| {
            panic!(
                "cannot read {}: {e}; run with UPDATE_GOLDEN=1",
                dir.display()
            )
        })
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let rendered: BTreeSet<String> = charts.iter().map(|c| c.file_name.clone()).collect();
    assert_eq!(
        on_disk, rendered,
        "golden chart files differ from the rendered set; re-run with UPDATE_GOLDEN=1 if intended"
    );
    for c in &charts {
        let path = dir.join(&c.file_name);
        let expected = std::fs::read_to_string(&path).expect("read golden chart");
        if c.svg != expected {
            let line = c
                .svg
                .lines()
                .zip(expected.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            panic!(
                "{} differs from the rendered chart from line {}:\n  expected: {:?}\n  rendered: {:?}\n\
                 re-run with UPDATE_GOLDEN=1 if the change is intended",
                path.display(),
                line + 1,
                expected.lines().nth(line),
                c.svg.lines().nth(line),
            );
        }
    }
}

#[test]
fn rendering_is_deterministic_and_ignores_stored_summaries() {
    let mut results = fixture();
    let once = render_all(&results);
    assert_eq!(once, render_all(&results));
    rtcompare_reports::summary::summarize(&mut results);
    assert!(results.cells.iter().any(|c| c.summary.is_some()));
    assert_eq!(once, render_all(&results));
}

/// A copy of `cell` at `threads` threads whose walls are `seq_wall / speedup`.
fn at_threads(cell: &Cell, threads: usize, seq_wall: f64, speedup: f64) -> Cell {
    let mut c = cell.clone();
    c.threads = threads;
    for (i, s) in c.samples.iter_mut().enumerate() {
        s.wall_s = seq_wall / speedup * (1.0 + 0.001 * i as f64);
    }
    c.summary = None;
    c
}

/// The fixture's `cpu` workload only, swept over 1, 2 and 4 threads for rayon and
/// tokio-mt on a 2-core machine.
fn sweep() -> Results {
    let mut r = fixture();
    let find = |runner: &str| -> Cell {
        r.cells
            .iter()
            .find(|c| c.runner == runner && c.workload == "cpu")
            .expect("fixture cell")
            .clone()
    };
    let mut seq = find("seq");
    for (i, s) in seq.samples.iter_mut().enumerate() {
        s.wall_s = 1.0 + 0.001 * i as f64;
    }
    let (rayon, tokio) = (find("rayon"), find("tokio-mt"));
    assert_eq!(rayon.class, Class::Parallel);
    assert_eq!(tokio.class, Class::ConcurrentParallel);
    let mut cells = vec![seq];
    for (t, s) in [(1, 0.98), (2, 1.9), (4, 1.95)] {
        cells.push(at_threads(&rayon, t, 1.0, s));
        cells.push(at_threads(&tokio, t, 1.0, s * 0.99));
    }
    r.cells = cells;
    r.workloads.retain(|w| w.id == "cpu");
    r.machine.logical_cores = 2;
    r
}

#[test]
fn sweep_has_the_ideal_line_and_a_point_per_thread_count() {
    let charts = render_all(&sweep());
    let speedup = chart(&charts, "speedup-cpu.svg");
    let labels = texts(speedup);
    assert!(labels.iter().any(|t| t == "ideal"), "{labels:?}");
    assert!(
        labels
            .iter()
            .any(|t| t.starts_with("ideal: min(threads, 2)"))
    );
    for tick in ["1", "2", "4"] {
        assert!(
            labels.iter().any(|t| t == tick),
            "x tick {tick} in {labels:?}"
        );
    }
    // The ideal line is drawn in grey dashes.
    assert!(count(speedup, "polyline", "stroke", "#999999") >= 5);
    // rayon (parallel, alone in its class: the class green) and tokio-mt (one of
    // seven concurrent-parallel runners: its own orange) each have a marker at 1,
    // 2 and 4 threads and one in the legend, in their own colour.
    let styles = runner_styles(&sweep());
    let style = |id: &str| styles.iter().find(|s| s.0 == id).unwrap().2;
    assert_eq!(style("rayon").colour, class_colour(Class::Parallel));
    assert_ne!(
        style("tokio-mt").colour,
        class_colour(Class::ConcurrentParallel)
    );
    for runner in ["rayon", "tokio-mt"] {
        let s = style(runner);
        let hex = format!("#{:02X}{:02X}{:02X}", s.colour.0, s.colour.1, s.colour.2);
        let tag = match s.marker {
            Marker::Circle => "circle",
            Marker::Square => "rect",
            Marker::Triangle | Marker::TriangleDown | Marker::Diamond => "polygon",
            other => panic!("{runner}: a stroked marker {other:?}"),
        };
        assert_eq!(count(speedup, tag, "fill", &hex), 3 + 1, "{runner} {hex}");
    }
    // One bar per (runner, threads) cell in the wall chart, labelled with threads.
    let wall = texts(chart(&charts, "wall-cpu.svg"));
    for t in [1, 2, 4] {
        for runner in ["rayon", "tokio-mt"] {
            let label = format!("{runner}, {t} thr");
            assert!(wall.contains(&label), "{label} in {wall:?}");
        }
    }
}

#[test]
fn extrapolated_cells_are_marked_and_wide_spans_use_a_log_axis() {
    let mut r = sweep();
    let cell = r.cells.iter_mut().find(|c| c.runner == "seq").unwrap();
    cell.extrapolation = Some(Extrapolation {
        factor: 100.0,
        note: "ran 1 of 100 chunks".into(),
    });
    let charts = render_all(&r);
    let wall = texts(chart(&charts, "wall-cpu.svg"));
    assert!(wall.iter().any(|t| t == "seq, 1 thr †"), "{wall:?}");
    assert!(wall.iter().any(|t| t == "† extrapolated:"));
    assert!(wall.iter().any(|t| t == "median wall time [ms], log scale"));
}

#[test]
fn latency_chart_for_cells_that_measured_latency() {
    let mut r = fixture();
    let mut expected = Vec::new();
    for (i, c) in r.cells.iter_mut().enumerate() {
        if c.workload == "sleep" && c.status == Status::Ok {
            let base = 100.0 + 10.0 * i as f64;
            c.latency_us = Some(Latency {
                count: 1000,
                mean: base * 1.5,
                p50: base,
                p90: base * 2.0,
                p99: base * 5.0,
                p999: base * 40.0,
                max: base * 100.0,
            });
            expected.push(c.runner.clone());
        }
    }
    assert!(expected.len() > 3);
    let charts = render_all(&r);
    let latency = chart(&charts, "latency-sleep.svg");
    let texts = texts(latency);
    assert!(
        texts.iter().any(|t| t == "latency [µs], log scale"),
        "{texts:?}"
    );
    for runner in &expected {
        assert!(
            texts.iter().any(|t| t.starts_with(&format!("{runner}, "))),
            "{runner} missing"
        );
    }
    for p in ["p50", "p99", "p99.9", "max (value printed)"] {
        assert!(texts.iter().any(|t| t == p), "{p} missing");
    }
    // No latency chart for workloads without latency.
    assert!(!charts.iter().any(|c| c.file_name == "latency-cpu.svg"));
    assert!(
        r.workloads
            .iter()
            .any(|w| w.id == "sleep" && w.kind == WorkloadKind::Io)
    );
}

/// The schema-2 fixture: several workloads that measure latency, and cells that do
/// not apply.
#[test]
fn one_latency_chart_per_latency_workload_without_cells_that_do_not_apply() {
    let results = load(&manifest_path("tests/fixtures/results-v2.json")).expect("v2 loads");
    let charts = render_all(&results);
    let latency: Vec<&str> = charts
        .iter()
        .map(|c| c.file_name.as_str())
        .filter(|n| n.starts_with("latency-"))
        .collect();
    assert_eq!(
        latency,
        [
            "latency-timer.svg",
            "latency-tcp-echo.svg",
            "latency-tcp-echo-1.svg",
            "latency-tcp-echo-open.svg",
            "latency-mixed-inline.svg",
            "latency-mixed-yield.svg",
            "latency-mixed-offload.svg"
        ]
    );
    // Overhead workloads are charted per unit, not by wall time, and have no
    // speedup chart (no seq).
    for name in [
        "ns-per-task-spawn.svg",
        "rss-per-task-bytes-spawn.svg",
        "ns-per-hop-channels.svg",
    ] {
        assert!(charts.iter().any(|c| c.file_name == name), "{name}");
    }
    for name in ["wall-spawn.svg", "speedup-spawn.svg", "wall-channels.svg"] {
        assert!(!charts.iter().any(|c| c.file_name == name), "{name}");
    }
    // Bar charts label each bar `runner, N thr`.
    for c in charts
        .iter()
        .filter(|c| !c.file_name.starts_with("speedup-"))
    {
        let texts = texts(c);
        let workload = c.title.split_once(':').unwrap().0;
        for cell in results.cells.iter().filter(|x| x.workload == workload) {
            let drawn = texts
                .iter()
                .any(|t| t.starts_with(&format!("{}, ", cell.runner)));
            if cell.status == Status::NotApplicable {
                assert!(!drawn, "{}: n/a {} drawn", c.file_name, cell.key());
            } else if cell.status == Status::Ok {
                assert!(drawn, "{}: {} missing", c.file_name, cell.key());
            }
        }
    }
    // The maximum is printed, so the stall of one tokio-mt sample shows.
    let inline = texts(chart(&charts, "latency-mixed-inline.svg"));
    assert!(inline.iter().any(|t| t == "101,300"), "{inline:?}");
    assert!(inline.iter().any(|t| t == "max (value printed)"));
}

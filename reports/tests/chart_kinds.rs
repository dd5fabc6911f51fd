//! What each kind of chart plots: overhead workloads their cost per unit, crash
//! workloads the jobs kept and lost, and every bar chart its bars sorted by value.

use rtcompare_reports::charts::{Chart, render_all};
use rtcompare_reports::{Results, Status, load};
use std::path::Path;

fn fixture(name: &str) -> Results {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    load(&path).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn chart<'a>(charts: &'a [Chart], name: &str) -> &'a Chart {
    charts
        .iter()
        .find(|c| c.file_name == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

/// Every `<text>` outside the legend: (y, text).
fn plot_texts(chart: &Chart) -> Vec<(f64, String)> {
    let doc = roxmltree::Document::parse(&chart.svg).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter(|n| {
            !n.ancestors()
                .any(|a| a.attribute("class") == Some("legend"))
        })
        .map(|n| {
            (
                n.attribute("y").unwrap().parse().unwrap(),
                n.text().unwrap_or("").trim().to_owned(),
            )
        })
        .collect()
}

/// Widths of the filled bars outside the legend, in document order (top row first).
fn bar_widths(chart: &Chart) -> Vec<f64> {
    let doc = roxmltree::Document::parse(&chart.svg).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("rect"))
        .filter(|n| {
            !n.ancestors()
                .any(|a| a.attribute("class") == Some("legend"))
        })
        .filter(|n| !matches!(n.attribute("fill"), Some("none" | "#FFFFFF")))
        .map(|n| n.attribute("width").unwrap().parse().unwrap())
        .collect()
}

#[test]
fn overhead_workloads_are_charted_per_unit_of_work() {
    let results = fixture("results-claims.json");
    let charts = render_all(&results);
    let names: Vec<&str> = charts.iter().map(|c| c.file_name.as_str()).collect();
    for name in [
        "ns-per-task-spawn.svg",
        "rss-per-task-bytes-spawn.svg",
        "ns-per-hop-channels.svg",
        "ns-per-update-shared-mutex.svg",
        "ns-per-update-shared-atomic.svg",
        "ns-per-update-shared-async-mutex.svg",
        "ns-per-update-shared-merge.svg",
    ] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    assert!(!names.iter().any(|n| n.starts_with("wall-spawn")
        || n.starts_with("wall-channels")
        || n.starts_with("wall-shared")));
    // The bars are the cells' own measures, with the declared unit on the axis.
    let ns = plot_texts(chart(&charts, "ns-per-task-spawn.svg"));
    // The fixture declares `Spawn+await [ns/task]`.
    assert!(
        ns.iter()
            .any(|(_, t)| t == "Spawn+await [ns/task], log scale"),
        "{ns:?}"
    );
    for cell in results
        .cells
        .iter()
        .filter(|c| c.workload == "spawn" && c.status == Status::Ok)
    {
        let label = format!("{}, {} thr", cell.runner, cell.threads);
        assert!(ns.iter().any(|(_, t)| *t == label), "{label}");
    }
    let threads = results
        .cells
        .iter()
        .find(|c| c.workload == "spawn" && c.runner == "threads")
        .unwrap();
    let value = threads.metrics["ns-per-task"];
    let printed = if value >= 1000.0 {
        let n = value.round() as u64;
        format!("{},{:03}", n / 1000, n % 1000)
    } else {
        format!("{value}")
    };
    assert!(ns.iter().any(|(_, t)| *t == printed), "{printed} in {ns:?}");
    let rss = plot_texts(chart(&charts, "rss-per-task-bytes-spawn.svg"));
    assert!(
        rss.iter()
            .any(|(_, t)| t.contains("[KiB]") || t.contains("[B]")),
        "{rss:?}"
    );
}

#[test]
fn crash_workloads_are_charted_as_jobs_kept_and_lost() {
    let results = fixture("results-claims.json");
    let charts = render_all(&results);
    assert!(!charts.iter().any(|c| c.file_name.starts_with("wall-crash")));
    let abort = plot_texts(chart(&charts, "jobs-crash-abort.svg"));
    let y_of = |text: &str| {
        abort
            .iter()
            .find(|(_, t)| t == text)
            .unwrap_or_else(|| panic!("{text:?} in {abort:?}"))
            .0
    };
    // processes kept 7 of 8 at every thread count; every other runner's process
    // died of the abort and lost all 8, and is drawn so, with how it ended.
    assert!(abort.iter().any(|(_, t)| t == "7 kept, 1 lost"));
    let died = abort
        .iter()
        .filter(|(_, t)| t == "died (SIGABRT): all 8 lost")
        .count();
    assert_eq!(died, 4, "seq, thread-pool, threads, gil: {abort:?}");
    // Most kept first.
    assert!(y_of("processes, 1/2/4 thr") < y_of("seq, 1 thr"));
    assert!(y_of("processes, 1/2/4 thr") < y_of("gil, 1/2/4 thr"));
    // Runners to which the workload does not apply are not drawn.
    assert!(!abort.iter().any(|(_, t)| t.starts_with("tokio-mt")));
    let panic = plot_texts(chart(&charts, "jobs-crash-panic.svg"));
    assert!(
        panic.iter().any(|(_, t)| t == "gil, 1/2/4 thr"),
        "{panic:?}"
    );
    assert!(!panic.iter().any(|(_, t)| t.starts_with("died")));
}

#[test]
fn bars_are_sorted_by_value() {
    let mut checked = 0;
    for name in [
        "results.json",
        "results-v2.json",
        "results-claims.json",
        "sweep.json",
        "quick-results.json",
        "network.json",
    ] {
        for c in render_all(&fixture(name)) {
            let widths = bar_widths(&c);
            // Wall and per-unit bars: one per row. Latency: p50, p99, p99.9 and max
            // per row, sorted by p99.
            let sorted: Vec<f64> = if c.file_name.starts_with("latency-") {
                widths.chunks(4).map(|row| row[1]).collect()
            } else if c.file_name.starts_with("wall-") || c.file_name.contains("-per-") {
                widths
            } else {
                continue;
            };
            assert!(
                sorted.windows(2).all(|w| w[0] <= w[1]),
                "{name} {}: {sorted:?}",
                c.file_name
            );
            checked += 1;
        }
    }
    assert!(checked > 30, "{checked}");
}

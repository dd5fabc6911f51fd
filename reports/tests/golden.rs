//! The rendered report of a fixed, hand-made results file must not change by
//! accident. Run with `UPDATE_GOLDEN=1` to accept a deliberate change, then review
//! the diff of `tests/golden/report.md` (schema 1), `tests/golden/v2/` (schema 2:
//! TCP echo, overhead, fork-join and mixed workloads, with cells that do not
//! apply), `tests/golden/sweep/`, `tests/golden/claims/` (processes, the GIL,
//! shared state and crashes, behind the claims checked), `tests/golden/per-core/`
//! (schema 6: thread-per-core runners and the I/O drivers their cells recorded)
//! and `tests/golden/cpython/` (schema 7: the claims fixture with the CPython
//! runners, compared only with `cpython-seq` and set beside the emulation).
//!
//! Also checks the loader's contract: other schema versions and truncated files are
//! refused with messages naming the file, and `save` then `load` round-trips.

use rtcompare_reports::{FileError, SCHEMA_VERSION, load, markdown, save};
use std::path::{Path, PathBuf};

fn manifest_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn fixture() -> PathBuf {
    manifest_path("tests/fixtures/results.json")
}

/// A fresh directory under the target directory for files a test writes.
fn scratch_dir(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("golden-{test}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

#[test]
fn markdown_report_matches_golden_file() {
    let results = load(&fixture()).expect("fixture loads");
    matches_golden(&markdown::render(&results), "tests/golden/report.md");
    matches_golden(
        &markdown::render_details(&results),
        "tests/golden/details.md",
    );
}

/// `rendered` against the golden file at `relative`, or rewrites it with
/// `UPDATE_GOLDEN=1`.
fn matches_golden(rendered: &str, relative: &str) {
    let golden = manifest_path(relative);
    if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        std::fs::write(&golden, rendered).expect("write golden file");
        return;
    }
    let expected = std::fs::read_to_string(&golden).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}; run with UPDATE_GOLDEN=1",
            golden.display()
        )
    });
    if rendered != expected {
        let first = rendered
            .lines()
            .zip(expected.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| rendered.lines().count().min(expected.lines().count()));
        panic!(
            "rendered report differs from {} from line {}:\n  expected: {:?}\n  rendered: {:?}\n\
             re-run with UPDATE_GOLDEN=1 if the change is intended",
            golden.display(),
            first + 1,
            expected.lines().nth(first),
            rendered.lines().nth(first),
        );
    }
}

#[test]
fn rendering_is_deterministic_and_ignores_stored_summaries() {
    let mut results = load(&fixture()).expect("fixture loads");
    let once = markdown::render(&results);
    assert_eq!(once, markdown::render(&results));
    rtcompare_reports::summary::summarize(&mut results);
    assert!(results.cells.iter().any(|c| c.summary.is_some()));
    assert_eq!(once, markdown::render(&results));
}

#[test]
fn refuses_another_schema_version() {
    let text = std::fs::read_to_string(fixture()).expect("read fixture");
    // The fixture is a schema-1 file: still readable, so the test rewrites it.
    let text = text.replacen("\"schema_version\": 1,", "\"schema_version\": 99,", 1);
    assert!(text.contains("\"schema_version\": 99"));
    let path = scratch_dir("schema").join("future.json");
    std::fs::write(&path, text).expect("write");
    let err = load(&path).expect_err("version 99 is refused");
    assert!(
        matches!(err, FileError::Schema { found: 99, .. }),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(message.contains("99"), "{message}");
    assert!(
        message.contains(&format!("versions 1 to {SCHEMA_VERSION}")),
        "{message}"
    );
    assert!(message.contains("newer rtcompare"), "{message}");
}

#[test]
fn refuses_truncated_json() {
    let text = std::fs::read_to_string(fixture()).expect("read fixture");
    let path = scratch_dir("truncated").join("cut.json");
    std::fs::write(&path, &text[..text.len() / 2]).expect("write");
    let err = load(&path).expect_err("truncated file is refused");
    assert!(matches!(err, FileError::Corrupt { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(message.contains("EOF"), "{message}");
}

#[test]
fn missing_file_names_the_file() {
    let path = scratch_dir("missing").join("absent.json");
    let err = load(&path).expect_err("missing file");
    assert!(matches!(err, FileError::Read { .. }), "{err:?}");
    assert!(err.to_string().contains(&path.display().to_string()));
}

#[test]
fn save_then_load_round_trips() {
    let mut results = load(&fixture()).expect("fixture loads");
    rtcompare_reports::summary::summarize(&mut results);
    let dir = scratch_dir("round-trip");
    let path = dir.join("results.json");
    save(&path, &results).expect("save");
    assert_eq!(load(&path).expect("load"), results);
    // Saving again replaces the file atomically and leaves no temporary behind.
    save(&path, &results).expect("save again");
    let entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(entries, vec![std::ffi::OsString::from("results.json")]);
}

/// Renders `results` and its charts and compares them with the files in
/// `tests/golden/<dir>`, or rewrites those with `UPDATE_GOLDEN=1`. Returns the
/// rendered report and its details, one after the other.
fn report_and_charts_match(results: &rtcompare_reports::Results, dir: &str) -> String {
    let dir = manifest_path(dir);
    let charts = rtcompare_reports::charts::render_all(results);
    let mut files: Vec<(String, String)> = charts
        .iter()
        .map(|c| (c.file_name.clone(), c.svg.clone()))
        .collect();
    files.push((
        "report.md".into(),
        markdown::render_with_charts(results, &charts),
    ));
    files.push((
        "details.md".into(),
        markdown::render_details_with_charts(results, &charts),
    ));
    if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create golden dir");
        for (name, text) in &files {
            std::fs::write(dir.join(name), text).expect("write golden file");
        }
    }
    let on_disk: std::collections::BTreeSet<String> = std::fs::read_dir(&dir)
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
    let rendered: std::collections::BTreeSet<String> =
        files.iter().map(|(name, _)| name.clone()).collect();
    assert_eq!(
        on_disk,
        rendered,
        "golden files in {} differ from the rendered set; re-run with UPDATE_GOLDEN=1 if intended",
        dir.display()
    );
    for (name, text) in &files {
        let path = dir.join(name);
        let expected = std::fs::read_to_string(&path).expect("read golden file");
        if *text != expected {
            let first = text
                .lines()
                .zip(expected.lines())
                .position(|(a, b)| a != b)
                .unwrap_or_else(|| text.lines().count().min(expected.lines().count()));
            panic!(
                "{} differs from the rendering from line {}:\n  expected: {:?}\n  rendered: {:?}\n\
                 re-run with UPDATE_GOLDEN=1 if the change is intended",
                path.display(),
                first + 1,
                expected.lines().nth(first),
                text.lines().nth(first),
            );
        }
    }
    // report.md, then details.md.
    let details = files.pop().expect("details").1;
    let report = files.pop().expect("report").1;
    report + &details
}

/// A hand-made schema-2 run on a 2-core machine: the TCP echo trio, spawn and
/// channel overhead, fork-join and the three CPU-hog variants, with finished,
/// failed, timed-out, capped (noted) and not-applicable cells, and samples that
/// stalled. Its report and charts must not change by accident.
#[test]
fn schema_2_report_and_charts_match_golden_files() {
    let results = load(&manifest_path("tests/fixtures/results-v2.json")).expect("v2 loads");
    let report = report_and_charts_match(&results, "tests/golden/v2");
    for section in [
        "## Network servers",
        "¶ Measured before the external generator",
        "## CPU hogs next to latency-sensitive work",
        "Parts each runner uses",
        "- **Not applicable:** seq. Reason: seq spawns nothing",
    ] {
        assert!(report.contains(section), "{section}");
    }
    // Cells that do not apply are never failures, and are not in the tables.
    assert!(!report.contains("): n/a —"));
    let spawn = &report[report.find("### spawn").unwrap()..report.find("### channels").unwrap()];
    assert!(!spawn.contains("| seq "), "{spawn}");
}

/// A hand-made schema-5 run of the four network workloads on 2 cores, every
/// runner a server under the external load generator: a pool of 2 serving 50
/// connections, knees on a ladder of offered rates (one a floor, where the
/// generator fell behind), a sweep of connections with memory per connection.
/// Its report and charts must not change by accident.
#[test]
fn network_report_and_charts_match_golden_files() {
    let results = load(&manifest_path("tests/fixtures/network.json")).expect("network loads");
    let report = report_and_charts_match(&results, "tests/golden/network");
    for expected in [
        "## Network servers",
        "### `tcp-echo-open`: latency against offered load",
        "![tcp-echo-open: latency against offered load, knee ringed](load-latency-tcp-echo-open.svg)",
        "![tcp-echo-conns: throughput by open connections](throughput-conns-tcp-echo-conns.svg)",
        "One external load generator drives it",
    ] {
        assert!(report.contains(expected), "{expected}");
    }
    // Nothing of it was measured with the clients inside the cell.
    assert!(!report.contains(" ¶"), "no in-cell mark");
}

/// A hand-made schema-6 run: the schema-1 fixture's workloads with every
/// runner's parts, and two thread-per-core runners whose cells recorded their I/O
/// driver, `sleep` n/a on both. Its report and charts must not change by
/// accident.
#[test]
fn per_core_report_and_charts_match_golden_files() {
    let results = load(&manifest_path("tests/fixtures/per-core.json")).expect("per-core loads");
    assert_eq!(results.schema_version, SCHEMA_VERSION);
    let report = report_and_charts_match(&results, "tests/golden/per-core");
    for expected in [
        "| I/O driver ",
        "(here **tokio-per-core** and **monoio**)",
        "- **tokio-per-core**: epoll (mio) in all 3 cells\n- **monoio**: io_uring in all 3 cells\n",
        "- **tokio-per-core** (concurrent-parallel, thread-per-core).",
        "<a id=\"glossary-thread-per-core\"></a>",
    ] {
        assert!(report.contains(expected), "{expected}");
    }
    // The two runners are n/a on `sleep`, for want of a per-core share.
    assert!(
        report.contains(
            "- **Not applicable:** tokio-per-core and monoio. Reason: has no per-core share"
        ),
        "{report}"
    );
}

/// A hand-made run on 2 cores at 1, 2 and 4 threads with worker processes, a GIL,
/// the shared-state workloads and the opt-in crash workloads (an abort that kills
/// every runner but `processes`): the crash section and the claims with verdicts
/// must not change by accident.
#[test]
fn claims_report_and_charts_match_golden_files() {
    let results =
        load(&manifest_path("tests/fixtures/results-claims.json")).expect("claims fixture loads");
    let report = report_and_charts_match(&results, "tests/golden/claims");
    let section = |from: &str, to: &str| -> &str {
        let start = report.find(from).unwrap_or_else(|| panic!("no {from}"));
        let end = start
            + report[start..]
                .find(to)
                .unwrap_or_else(|| panic!("no {to}"));
        &report[start..end]
    };
    // The claims follow the grid; the crash section follows the verdicts.
    let crash = section("## Crash isolation", "## Disclosures");
    let claims = section("## Claims checked", "## Verdict");
    assert!(report.find("## Concurrency × parallelism") < report.find("## Claims checked"));
    assert!(crash.contains("- **crash-abort** (8 jobs; one fails by abort): contained on some"));
    // Every claim has a verdict computed from the cells, claim 5 one per wording
    // (5a and 5b): none is left unmeasured.
    assert_eq!(claims.matches("- *Verdict:* **").count(), 7, "{claims}");
    assert_eq!(claims.matches("- *Verdict on 5").count(), 2, "{claims}");
    assert!(
        !claims.contains(":* **not measured in this run**")
            && !squeezed(claims).contains("| not measured in this run |"),
        "{claims}"
    );
    assert!(squeezed(claims).contains(
        "| 8 | Message passing is slower than shared memory | holds only when a message is sent \
         per update |"
    ));
    // Extrapolated speedups are marked and explained.
    assert!(claims.contains("888×†") && claims.contains("\n† Extrapolated, as in the grid"));
}

/// A hand-made schema-7 run: the claims fixture with the four CPython runners,
/// their speedups against `cpython-seq`, the free-threaded one n/a for want of
/// an interpreter. Its report and charts must not change by accident; the charts
/// are the claims fixture's own (no CPython cell is charted).
#[test]
fn cpython_report_and_charts_match_golden_files() {
    let results = load(&manifest_path("tests/fixtures/cpython.json")).expect("cpython loads");
    assert_eq!(results.schema_version, SCHEMA_VERSION);
    let report = report_and_charts_match(&results, "tests/golden/cpython");
    for expected in [
        "- **Interpreters:** `python3`: CPython 3.11.7, GIL enabled",
        "## CPython beside the emulation",
        "- *Against CPython:* **agrees**: every speedup of the emulation is within ±15% of \
         CPython's at the same thread count",
        "No free-threaded interpreter (one with its GIL disabled) was found.",
    ] {
        assert!(report.contains(expected), "{expected}");
    }
    for chart in rtcompare_reports::charts::render_all(&results) {
        let claims = manifest_path("tests/golden/claims").join(&chart.file_name);
        assert_eq!(
            std::fs::read_to_string(&claims).expect("the claims fixture has the chart"),
            chart.svg,
            "{}",
            chart.file_name
        );
    }
}

/// `text` with every run of spaces made one, so table rows read without padding.
fn squeezed(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if !(c == ' ' && out.ends_with(' ')) {
            out.push(c);
        }
    }
    out
}

#[test]
fn schema_1_files_load_as_schema_2_with_the_new_fields_empty() {
    let results = load(&fixture()).expect("schema-1 fixture loads");
    assert_eq!(results.schema_version, SCHEMA_VERSION);
    assert!(
        results
            .runners
            .iter()
            .all(|r| r.channel.is_empty() && r.net.is_empty())
    );
    assert!(results.workloads.iter().all(|w| w.metrics.is_empty()));
    assert!(results.cells.iter().all(|c| c.notes.is_empty()
        && c.metrics.is_empty()
        && c.more_latency_us.is_empty()
        && c.samples.iter().all(|s| s.latency_max_us.is_none())));
    assert_eq!(results.config.rate, None);
    // None of the schema-2 sections appear in its report.
    let report = markdown::render(&results);
    for absent in [
        "Not applicable",
        "Parts each runner uses",
        "## Network servers",
        "## CPU hogs",
        "## Crash isolation",
    ] {
        assert!(!report.contains(absent), "{absent}");
    }
    // The claims always do, those without cells saying so.
    assert!(report.contains("## Claims checked"));
    assert!(
        squeezed(&report).contains(
            "| 1 | Threads are lightweight, processes are not | not measured in this run |"
        )
    );
}

/// A real quick-preset run with a 1, 2, 4 thread sweep on 2 cores (the example
/// report's results, with one cell turned into a failure): its report and charts,
/// with scaling tables, extrapolated cells and a failed cell, must not change by
/// accident either.
#[test]
fn sweep_report_and_charts_match_golden_files() {
    let results = load(&manifest_path("tests/fixtures/sweep.json")).expect("sweep fixture loads");
    let dir = manifest_path("tests/golden/sweep");
    let charts = rtcompare_reports::charts::render_all(&results);
    let mut files: Vec<(String, String)> = charts
        .iter()
        .map(|c| (c.file_name.clone(), c.svg.clone()))
        .collect();
    files.push((
        "details.md".into(),
        markdown::render_details_with_charts(&results, &charts),
    ));
    files.push((
        "report.md".into(),
        markdown::render_with_charts(&results, &charts),
    ));
    if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create golden dir");
        for (name, text) in &files {
            std::fs::write(dir.join(name), text).expect("write golden file");
        }
        return;
    }
    for (name, text) in &files {
        let path = dir.join(name);
        let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "cannot read {}: {e}; run with UPDATE_GOLDEN=1",
                path.display()
            )
        });
        assert!(
            *text == expected,
            "{} differs from the rendering; re-run with UPDATE_GOLDEN=1 if intended",
            path.display()
        );
    }
    // report.md and details.md together.
    let report: String = files
        .iter()
        .filter(|(name, _)| name.ends_with(".md"))
        .map(|(_, text)| text.as_str())
        .collect();
    assert!(
        report.contains("- **Scaling** (CPU-bound work at several thread counts): Amdahl's law")
    );
    assert!(report.contains("- **Failed:** smol-mt (t4). Reason: panicked at"));
    assert!(report.contains('†'));
}

//! Runners of another comparison group (the CPython runners, whose speedups are
//! against `cpython-seq`) change nothing the report compares across runners: the
//! CPython fixture, rendered with its CPython runners and without them, gives the
//! same details, charts, CSV rows and every section of `report.md` but those that
//! describe the whole run or speak of CPython (the header's interpreters, the
//! claims' lines against CPython, the section *CPython beside the emulation* and
//! the disclosures); and the same findings for those sections.

use rtcompare_reports::summary::{Summarized, in_seq_group};
use rtcompare_reports::{Results, charts, csv, findings, load, markdown};
use std::path::Path;

fn fixture() -> Results {
    load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cpython.json"))
        .expect("the CPython fixture loads")
}

/// `results` without its runners of other groups than `seq` and the
/// interpreters the run found: the same run had it not selected them. The
/// command that reproduces it is kept, so the *Reproduce* section compares too.
fn without_other_groups(results: &Results) -> Results {
    let mut without = results.clone();
    without.cells.retain(|c| in_seq_group(results, &c.runner));
    without.runners.retain(|r| in_seq_group(results, &r.id));
    without.config.runners.retain(|r| in_seq_group(results, r));
    without.machine.interpreters.clear();
    without
}

/// `report` cut at its `## ` headings: the part before the first, then each
/// section with its heading.
fn sections(report: &str) -> Vec<(String, String)> {
    let mut out = vec![(String::new(), String::new())];
    for line in report.split_inclusive('\n') {
        if let Some(title) = line.strip_prefix("## ") {
            out.push((title.trim().to_owned(), String::new()));
        }
        out.last_mut().expect("one at least").1.push_str(line);
    }
    out
}

/// `text` without the claims' lines against CPython (each with its sub-items).
fn without_against_lines(text: &str) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for line in text.split_inclusive('\n') {
        if line.starts_with("- *Against CPython:*") {
            skipping = true;
            continue;
        }
        if skipping && line.starts_with("  - ") {
            continue;
        }
        skipping = false;
        out.push_str(line);
    }
    out
}

#[test]
fn the_fixture_has_both_groups() {
    let results = fixture();
    let groups = Summarized::new(results.clone());
    assert!(groups.has_other_groups());
    let others: Vec<&str> = results
        .runners
        .iter()
        .filter(|r| !in_seq_group(&results, &r.id))
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(
        others,
        [
            "cpython-seq",
            "cpython-threads",
            "cpython-processes",
            "cpython-nogil-threads"
        ]
    );
    let without = without_other_groups(&results);
    assert!(!Summarized::new(without.clone()).has_other_groups());
    assert!(without.cells.len() < results.cells.len());
}

#[test]
fn other_groups_change_no_section_that_compares_runners() {
    let with = fixture();
    let without = without_other_groups(&with);
    // details.md: every workload's table, ranking and chart link.
    assert_eq!(
        markdown::render_details(&with),
        markdown::render_details(&without)
    );
    // Every chart, byte for byte.
    let chart_files = |r: &Results| -> Vec<(String, String)> {
        charts::render_all(r)
            .into_iter()
            .map(|c| (c.file_name, c.svg))
            .collect()
    };
    assert_eq!(chart_files(&with), chart_files(&without));

    let (report_with, report_without) = (markdown::render(&with), markdown::render(&without));
    let (with_parts, without_parts) = (sections(&report_with), sections(&report_without));
    let titles = |parts: &[(String, String)]| -> Vec<String> {
        parts.iter().map(|(t, _)| t.clone()).collect()
    };
    let mut expected_titles = titles(&without_parts);
    let claims_at = expected_titles
        .iter()
        .position(|t| t == "Claims checked")
        .expect("claims");
    expected_titles.insert(claims_at + 1, "CPython beside the emulation".to_owned());
    assert_eq!(titles(&with_parts), expected_titles);
    let mut compared = 0;
    for (title, text) in &without_parts {
        let (_, with_text) = with_parts
            .iter()
            .find(|(t, _)| t == title)
            .expect("same sections");
        match title.as_str() {
            // The header: the interpreters found, and one more section listed.
            "" => {
                let drop = |text: &str| -> String {
                    text.lines()
                        .filter(|l| {
                            !l.starts_with("- **Interpreters:**") && !l.starts_with("**Contents:**")
                        })
                        .map(|l| format!("{l}\n"))
                        .collect()
                };
                assert!(with_text.contains("- **Interpreters:** `python3`: CPython 3.11.7"));
                assert_eq!(drop(with_text), drop(text));
            }
            "Claims checked" => {
                assert_eq!(with_text.matches("- *Against CPython:*").count(), 3);
                assert_eq!(&without_against_lines(with_text), text);
            }
            // Describes every runner of the run, CPython's too.
            "Disclosures" => {
                assert!(with_text.contains("**cpython-threads** (concurrent-serialized"));
            }
            _ => {
                assert_eq!(with_text, text, "section {title:?}");
                compared += 1;
            }
        }
    }
    // The answers, grid, combinations, verdict, crash isolation, glossary and
    // reproduce sections all compared equal.
    assert!(compared >= 7, "{compared}");
    // Nothing but the command that reproduces the run names them.
    assert!(
        !report_without
            .replace(&with.config.command, "")
            .contains("cpython")
    );

    // findings.json: the same for every section but those four, and the claims
    // the same but for their findings against CPython.
    let findings_of = |r: &Results| -> serde_json::Value {
        serde_json::from_str(&findings::render_summarized(&Summarized::new(r.clone())))
            .expect("findings parse")
    };
    let (fw, fo) = (findings_of(&with), findings_of(&without));
    let (sw, so) = (
        fw["sections"].as_object().unwrap(),
        fo["sections"].as_object().unwrap(),
    );
    for (id, value) in so {
        match id.as_str() {
            "header" | "disclosures" => {}
            "claims" => {
                let mut claims = sw[id].clone();
                for claim in claims.as_array_mut().unwrap() {
                    claim["finding"]
                        .as_object_mut()
                        .unwrap()
                        .remove("against_cpython");
                }
                assert_eq!(&claims, value);
            }
            _ => assert_eq!(&sw[id], value, "findings of {id}"),
        }
    }
    assert!(sw.contains_key("cpython") && !so.contains_key("cpython"));

    // The CSV: every row of the run without them, and a row per CPython cell.
    let rows =
        |r: &Results| -> Vec<String> { csv::render(r).split("\r\n").map(str::to_owned).collect() };
    let (rw, ro) = (rows(&with), rows(&without));
    assert!(ro.iter().all(|row| rw.contains(row)), "every row kept");
    assert_eq!(rw.len() - ro.len(), with.cells.len() - without.cells.len());
}

#[test]
fn cpython_speedups_are_against_cpython_seq() {
    let results = Summarized::new(fixture());
    let speedup = |runner: &str, workload: &str, threads: usize| {
        results
            .cells
            .iter()
            .find(|c| c.runner == runner && c.workload == workload && c.threads == threads)
            .and_then(|c| c.summary.as_ref()?.speedup_vs_seq)
            .expect("a speedup")
    };
    // Against `seq` (0.401 s) cpython-seq (0.313 s, on 1/128 of the steps)
    // would read 1.28×.
    assert_eq!(speedup("cpython-seq", "cpu", 1), 1.0);
    let threads = speedup("cpython-threads", "cpu", 2);
    assert!((threads - 0.96).abs() < 0.005, "{threads}");
    let processes = speedup("cpython-processes", "cpu", 2);
    assert!((processes - 1.93).abs() < 0.005, "{processes}");
    let sleep = speedup("cpython-processes", "sleep", 2);
    assert!((sleep - 1.99).abs() < 0.005, "{sleep}");
}

/// Across interpreters, the check compares within-run ratios, each runner's to
/// the baseline it names: a new CPython that runs every CPython cell 40% slower
/// changes no ratio.
#[test]
fn a_regression_check_divides_cpython_cells_by_cpython_seq() {
    use rtcompare_reports::regression::{CheckOptions, Mode, check, machine_differences};
    let mut base = fixture();
    rtcompare_reports::summary::summarize(&mut base);
    let mut other = base.clone();
    other
        .machine
        .interpreters
        .insert("python3".into(), "CPython 3.12.1, GIL enabled".into());
    for cell in other
        .cells
        .iter_mut()
        .filter(|c| c.runner.starts_with("cpython-"))
    {
        for s in &mut cell.samples {
            s.wall_s *= 1.4;
        }
    }
    assert_eq!(
        machine_differences(&base, &other),
        ["interpreters.python3: CPython 3.11.7, GIL enabled -> CPython 3.12.1, GIL enabled"]
    );
    let found = check(&base, &other, &CheckOptions::against_baseline());
    assert_eq!(found.mode, Mode::WithinRunRatio);
    assert!(!found.has_regression(), "{:?}", found.flagged_cells());
    let ratio = |key: &str| {
        found
            .findings
            .iter()
            .find(|f| f.cell == key)
            .unwrap_or_else(|| panic!("no finding for {key}"))
    };
    // 0.326 s over cpython-seq's 0.313 s, not over seq's 0.401 s (0.81).
    let threads = ratio("cpython-threads/cpu/t2");
    assert!(
        (threads.baseline - 1.04).abs() < 0.01,
        "{}",
        threads.baseline
    );
    assert!((threads.now - threads.baseline).abs() < 1e-9);
    // Rust cells keep `seq` as their reference.
    let gil = ratio("gil/cpu/t2");
    assert!((gil.baseline - 1.02).abs() < 0.01, "{}", gil.baseline);
    for reference in ["seq/cpu/t1", "cpython-seq/cpu/t1"] {
        let (_, why) = found
            .not_compared
            .iter()
            .find(|(k, _)| k == reference)
            .unwrap_or_else(|| panic!("{reference} listed"));
        assert!(why.contains("is the reference"), "{why}");
    }
    assert!(
        found.notes.iter().any(|n| n.contains(
            "cpython-threads, cpython-processes and cpython-nogil-threads by `cpython-seq`"
        )),
        "{:?}",
        found.notes
    );
    // An interpreter only one run found is no difference: a run without the
    // CPython runners records none.
    let mut without = base.clone();
    without.machine.interpreters.clear();
    assert!(machine_differences(&without, &base).is_empty());
    assert!(machine_differences(&base, &without).is_empty());
}

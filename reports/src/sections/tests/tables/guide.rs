//! The workload tables as a whole: what they share is said once, above them;
//! every column they show holds data under a readable name; failures of one
//! reason share a line; no sentence of the section runs long.

use super::*;
use crate::sections::Report;
use crate::summary::Summarized;

/// Every results fixture: schema 1, a real sweep, schema 2, the claims run and a
/// quick run of every workload.
fn every_fixture() -> Vec<(&'static str, Results)> {
    let sweep: Results =
        serde_json::from_str(include_str!("../../../../tests/fixtures/sweep.json"))
            .expect("sweep fixture parses");
    vec![
        ("results", fixture()),
        ("sweep", sweep),
        ("v2", fixture_v2()),
        ("claims", fixture_claims()),
        ("quick", fixture_quick()),
    ]
}

/// The section *Results by workload* of `report`.
fn section(report: &str) -> &str {
    let start = report
        .find("## Results by workload\n")
        .expect("the section");
    let end = report[start + 1..]
        .find("\n## ")
        .map_or(report.len(), |i| start + 2 + i);
    &report[start..end]
}

/// The tables of `section`: per table its header cells and its rows' cells.
fn tables(section: &str) -> Vec<(Vec<String>, Vec<Vec<String>>)> {
    let cells = |line: &str| -> Vec<String> {
        let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
        inner.split(" | ").map(|c| c.trim().to_owned()).collect()
    };
    let mut tables: Vec<(Vec<String>, Vec<Vec<String>>)> = Vec::new();
    let mut in_table = false;
    for line in section.lines() {
        if !line.starts_with('|') {
            in_table = false;
        } else if !in_table {
            in_table = true;
            tables.push((cells(line), Vec::new()));
        } else if !line.starts_with("| -") {
            tables.last_mut().unwrap().1.push(cells(line));
        }
    }
    tables
}

#[test]
fn what_the_tables_share_is_said_once_above_them() {
    for (name, results) in every_fixture() {
        let report = render(&results);
        let section = section(&report);
        let guide = &section[..section.find("\n### ").unwrap()];
        // Every item of the guide is said once in the whole report.
        for item in guide.lines().filter(|l| l.starts_with("- ")) {
            assert_eq!(report.matches(item).count(), 1, "{name}: {item}");
        }
        // No sentence under the tables repeats one of the guide's.
        let sentences = |text: &str| -> Vec<String> {
            text.lines()
                .filter(|l| !l.starts_with('|'))
                .flat_map(|l| l.split(". "))
                .map(|s| s.trim_start_matches("- ").trim().to_owned())
                .filter(|s| s.split_whitespace().count() >= 6)
                .collect()
        };
        let tables = &section[guide.len()..];
        for sentence in sentences(guide) {
            assert!(!tables.contains(&sentence), "{name}: {sentence}");
        }
    }
}

#[test]
fn no_sentence_of_the_section_runs_over_40_words() {
    for (name, results) in every_fixture() {
        let report = render(&results);
        for line in section(&report).lines().filter(|l| !l.starts_with('|')) {
            // A sentence ends at a full stop before a space or the line's end.
            for sentence in line.split(". ") {
                let words = sentence.split_whitespace().count();
                assert!(words <= 40, "{name}: {words} words: {sentence}");
            }
        }
    }
}

#[test]
fn every_column_shown_holds_data_under_a_readable_name() {
    for (name, results) in every_fixture() {
        let report = render(&results);
        for (header, rows) in tables(section(&report)) {
            if header[0] != "Runner" || header.get(1).map(String::as_str) != Some("Class") {
                continue; // the scaling table
            }
            for (at, column) in header.iter().enumerate() {
                let filled = rows
                    .iter()
                    .any(|r| r.get(at).is_some_and(|c| !c.is_empty() && c != NONE));
                assert!(filled, "{name}: column {column} is empty in {rows:?}");
                // Not a raw key: `rss-per-process-bytes`, `ns-per-task`.
                let raw = column.contains('-') && !column.contains(' ');
                assert!(!raw && column != "workers", "{name}: column {column}");
            }
        }
    }
    // The measures a runner adds are named; those that repeat a column go.
    let claims = render(&fixture_claims());
    let cpu = table_of(&claims, "cpu");
    assert!(cpu.contains("| Memory per process |"), "{cpu}");
    assert!(!cpu.contains("Workers"), "{cpu}");
}

#[test]
fn failed_cells_of_one_reason_share_one_line() {
    let results = Summarized::new(fixture_claims());
    let finding = Report::new(&results, &[]).workloads_finding();
    let abort = finding
        .tables
        .iter()
        .find(|t| t.workload == "crash-abort")
        .unwrap();
    let [group] = abort.failures.as_slice() else {
        panic!("{:?}", abort.failures);
    };
    assert_eq!(group.status, Status::Failed);
    let runners: Vec<(&str, &[usize])> = group
        .runners
        .iter()
        .map(|r| (r.runner.as_str(), r.threads.as_slice()))
        .collect();
    assert_eq!(
        runners,
        [
            ("seq", &[1][..]),
            ("threads", &[2]),
            ("thread-pool", &[1, 2, 4]),
            ("gil", &[1, 2, 4])
        ]
    );
    let line = failure_line(group);
    assert_eq!(
        line,
        "- **Failed:** seq (t1), threads (t2), thread-pool (t1, t2, t4) and gil (t1, t2, t4). \
         Reason: cell process killed by signal 6 (SIGABRT): crash-abort: job 4 of 8 aborts \
         the process."
    );
    let report = render(&fixture_claims());
    assert_eq!(
        report
            .matches("Reason: cell process killed by signal 6")
            .count(),
        1
    );
    // The failed rows keep their place in the table, their numbers left blank.
    let table = table_of(&report, "crash-abort");
    let row = table.lines().find(|l| l.starts_with("| gil ")).unwrap();
    assert!(row.contains(" failed |") && !row.contains(NONE), "{row}");
}

#[test]
fn the_guide_lists_only_what_some_table_shows() {
    let results = Summarized::new(fixture_v2());
    let finding = Report::new(&results, &[]).workloads_finding();
    let has = |wanted: &dyn Fn(&GuideItem) -> bool| finding.guide.iter().any(wanted);
    // No oversubscribed or extrapolated row, no scaling fit in this run...
    assert!(
        finding
            .tables
            .iter()
            .all(|t| t.oversubscribed_threads.is_empty())
    );
    assert!(!has(&|i| matches!(i, GuideItem::Oversubscribed { .. })));
    assert!(!has(&|i| matches!(i, GuideItem::Extrapolated)));
    assert!(!has(&|i| matches!(i, GuideItem::Scaling { .. })));
    // ...but latencies, measures, work that waits, and 5-sample ranges.
    assert!(has(&|i| *i
        == GuideItem::Intervals {
            usual: IntervalKind::Range
        }));
    assert!(has(&|i| matches!(i, GuideItem::Latency { further }
            if further == &["1 ms sleep lateness", "Round trip"])));
    assert!(has(&|i| matches!(i, GuideItem::Waiting)));
    let Some(GuideItem::Measures { measures }) = finding
        .guide
        .iter()
        .find(|i| matches!(i, GuideItem::Measures { .. }))
    else {
        panic!("{:?}", finding.guide);
    };
    let headers: Vec<&str> = measures.iter().map(|m| m.header.as_str()).collect();
    assert!(headers.contains(&"Spawn+await [ns/task]"), "{headers:?}");
    // Every table's rows are of the usual kind: none names its intervals.
    assert!(finding.tables.iter().all(|t| t.intervals.is_empty()));
}

//! The rendered report parses as GitHub-flavoured Markdown (with a real parser, not
//! string counting) and every table row has as many cells as its header.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// The hand-made fixtures (schema 1 and 2, the claims run and the schema-5
/// network run) and a real sweep (the example report's results).
fn fixtures() -> Vec<rtcompare_reports::Results> {
    [
        "results.json",
        "sweep.json",
        "results-v2.json",
        "results-claims.json",
        "network.json",
    ]
    .iter()
    .map(|name| {
        let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        rtcompare_reports::load(std::path::Path::new(&path)).unwrap()
    })
    .collect()
}

/// Cells per row of every table in `markdown`, one Vec per table, header first.
/// The parser finds the tables and rows; since GFM pads or truncates rows to the
/// header's width when it parses them, a row's cells are counted in its own source
/// text (the pipes the parser did not read as escaped content).
fn table_shapes(markdown: &str) -> Vec<Vec<usize>> {
    let mut tables = Vec::new();
    for (event, range) in Parser::new_ext(markdown, Options::ENABLE_TABLES).into_offset_iter() {
        match event {
            Event::Start(Tag::Table(_)) => tables.push(Vec::new()),
            Event::Start(Tag::TableHead | Tag::TableRow) => {
                let source = markdown[range].trim();
                let unescaped = source
                    .char_indices()
                    .filter(|&(i, c)| c == '|' && !source[..i].ends_with('\\'))
                    .count();
                tables
                    .last_mut()
                    .expect("inside a table")
                    .push(unescaped - 1);
            }
            _ => {}
        }
    }
    tables
}

#[test]
fn a_ragged_table_is_caught() {
    let shapes = table_shapes("| a | b |\n| - | - |\n| 1 | 2 |\n| 3 |\n| 4 \\| 5 | 6 |\n");
    assert_eq!(shapes, vec![vec![2, 2, 1, 2]]);
}

/// `report.md` and `details.md` of `results`, one after the other.
fn whole(results: &rtcompare_reports::Results) -> String {
    rtcompare_reports::markdown::render(results)
        + &rtcompare_reports::markdown::render_details(results)
}

#[test]
fn every_table_is_rectangular() {
    for results in fixtures() {
        check_tables(&whole(&results));
    }
}

/// The golden reports as committed, read as a reader's Markdown viewer would.
#[test]
fn the_golden_reports_are_rectangular_gfm() {
    for golden in [
        "report.md",
        "details.md",
        "v2/report.md",
        "v2/details.md",
        "sweep/report.md",
        "sweep/details.md",
        "claims/report.md",
        "claims/details.md",
    ] {
        let path = format!("{}/tests/golden/{golden}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        check_tables(&text);
    }
    // The schema-2 report has its own sections' tables (answers, grid, latency,
    // hogs, claims, parts), and its details one per workload.
    let read = |golden: &str| {
        std::fs::read_to_string(format!(
            "{}/tests/golden/{golden}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    };
    let headers: Vec<usize> = table_shapes(&read("v2/report.md"))
        .iter()
        .map(|t| t[0])
        .collect();
    assert!(headers.len() >= 6, "{headers:?}");
    assert!(table_shapes(&read("v2/details.md")).len() >= 9);
    // The claims report has the answers (7 columns), the grid, then the
    // combinations (4 columns), the claims' verdicts (3) and the crash table (6).
    let path = format!(
        "{}/tests/golden/claims/report.md",
        env!("CARGO_MANIFEST_DIR")
    );
    let claims = std::fs::read_to_string(path).unwrap();
    let headers: Vec<usize> = table_shapes(&claims).iter().map(|t| t[0]).collect();
    assert_eq!(headers[0], 7, "{headers:?}");
    assert_eq!(&headers[2..5], &[4, 3, 6], "{headers:?}");
}

fn check_tables(report: &str) {
    let tables = table_shapes(report);
    // The answers and the grid of a report, or the workload tables of its
    // details: every document checked has a few.
    assert!(tables.len() >= 2, "found {} tables", tables.len());
    for (i, rows) in tables.iter().enumerate() {
        let header = rows[0];
        assert!(header >= 2, "table {i} has a {header}-cell header");
        assert!(rows.len() >= 2, "table {i} has no rows");
        for (r, &n) in rows.iter().enumerate() {
            assert_eq!(n, header, "table {i}, row {r}: {n} cells, header {header}");
        }
    }
}

/// The text of every heading of `markdown`, in order.
fn headings(markdown: &str) -> Vec<String> {
    let mut headings = Vec::new();
    let mut in_heading = false;
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Heading { .. }) => {
                in_heading = true;
                headings.push(String::new());
            }
            Event::End(TagEnd::Heading(_)) => in_heading = false,
            Event::Text(t) | Event::Code(t) if in_heading => {
                headings.last_mut().unwrap().push_str(&t)
            }
            _ => {}
        }
    }
    headings
}

#[test]
fn headings_are_the_report_sections() {
    let report = whole(&fixtures()[0]);
    let found = headings(&report);
    let v2 = whole(&fixtures()[2]);
    let v2_headings = headings(&v2);
    for section in [
        "Network servers",
        "CPU hogs next to latency-sensitive work",
        "Claims checked",
        "tcp-echo-open",
        "mixed-offload",
    ] {
        assert!(
            v2_headings.iter().any(|h| h == section),
            "no heading {section}: {v2_headings:?}"
        );
    }
    // The crash section only where crash cells are; the claims everywhere.
    let claims = headings(&whole(&fixtures()[3]));
    for section in ["Crash isolation", "Claims checked"] {
        assert!(
            claims.iter().any(|h| h == section),
            "no {section}: {claims:?}"
        );
    }
    assert!(!v2_headings.iter().any(|h| h == "Crash isolation"));
    for section in [
        "rtcompare report",
        "Claims checked",
        "Verdict",
        "Concurrency × parallelism",
        "Results by workload",
        "cpu",
        "sleep",
        "Disclosures",
        "Reproduce",
    ] {
        assert!(
            found.iter().any(|h| h == section),
            "no heading {section}: {found:?}"
        );
    }
}

/// GitHub's anchor for a heading: lower case, letters, digits, spaces and
/// hyphens kept, spaces turned into hyphens.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// Every in-page link lands: on an anchor the glossary wrote, or on a
/// heading's anchor (the table of contents); and the
/// GIL is linked where the report first names it in the claims.
#[test]
fn glossary_links_resolve() {
    for results in fixtures() {
        let report = rtcompare_reports::markdown::render(&results);
        let mut links = 0;
        for (event, _) in Parser::new_ext(&report, Options::ENABLE_TABLES).into_offset_iter() {
            if let Event::Start(Tag::Link { dest_url, .. }) = event
                && let Some(anchor) = dest_url.strip_prefix('#')
            {
                // Glossary terms carry their own anchors; the table of contents
                // points at the anchors GitHub gives headings.
                let heading = report
                    .lines()
                    .filter_map(|l| l.strip_prefix("## "))
                    .any(|h| slug(h) == anchor);
                assert!(
                    heading || report.contains(&format!("<a id=\"{anchor}\"></a>")),
                    "no anchor {anchor}"
                );
                links += 1;
            }
        }
        assert!(links > 0);
        assert!(report.contains("## Glossary\n\n- <a id=\"glossary-p50\"></a>"));
    }
}

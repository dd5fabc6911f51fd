//! The rendered report parses as GitHub-flavoured Markdown (with a real parser, not
//! string counting) and every table row has as many cells as its header.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// The hand-made fixture and a real sweep (the example report's results).
fn fixtures() -> Vec<rtcompare_reports::Results> {
    ["results.json", "sweep.json"]
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

#[test]
fn every_table_is_rectangular() {
    for results in fixtures() {
        check_tables(&rtcompare_reports::markdown::render(&results));
    }
}

fn check_tables(report: &str) {
    let tables = table_shapes(report);
    // Grid, three workload tables, at least one scaling-free report has these four.
    assert!(tables.len() >= 4, "found {} tables", tables.len());
    for (i, rows) in tables.iter().enumerate() {
        let header = rows[0];
        assert!(header >= 2, "table {i} has a {header}-cell header");
        assert!(rows.len() >= 2, "table {i} has no rows");
        for (r, &n) in rows.iter().enumerate() {
            assert_eq!(n, header, "table {i}, row {r}: {n} cells, header {header}");
        }
    }
}

#[test]
fn headings_are_the_report_sections() {
    let report = rtcompare_reports::markdown::render(&fixtures()[0]);
    let mut headings = Vec::new();
    let mut in_heading = false;
    for event in Parser::new_ext(&report, Options::ENABLE_TABLES) {
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
    for section in [
        "rtcompare report",
        "Verdict",
        "Concurrency × parallelism",
        "Results by workload",
        "cpu",
        "sleep",
        "Disclosures",
        "Reproduce",
    ] {
        assert!(
            headings.iter().any(|h| h == section),
            "no heading {section}: {headings:?}"
        );
    }
}

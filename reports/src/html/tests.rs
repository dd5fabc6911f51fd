use super::{render, slug};
use crate::charts::{self, Chart};
use crate::model::Results;
use crate::summary::Summarized;
use crate::{fixtures, markdown};
use std::collections::HashSet;

const SVG_NS: &str = "http://www.w3.org/2000/svg";

/// The Markdown report of `results`, its details and the charts they link.
fn report(results: Results) -> (String, String, Vec<Chart>) {
    let results = Summarized::new(results);
    let charts = charts::render_summarized(&results);
    let details = markdown::render_details_with_charts(&results, &charts);
    (
        markdown::render_summarized(&results, &charts),
        details,
        charts,
    )
}

/// `page` parsed as XML after its HTML5 doctype: an HTML page that is also
/// well-formed XML has every element closed where the author meant it to be.
fn parse(page: &str) -> roxmltree::Document<'_> {
    let xml = page
        .strip_prefix("<!DOCTYPE html>\n")
        .expect("starts with the HTML5 doctype");
    roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("not well-formed: {e}"))
}

/// The ids of the page's elements, each once.
fn ids<'a>(doc: &'a roxmltree::Document<'_>) -> HashSet<&'a str> {
    let mut ids = HashSet::new();
    for id in doc.descendants().filter_map(|n| n.attribute("id")) {
        assert!(ids.insert(id), "id {id} twice");
    }
    ids
}

/// Everything a page must be, whatever its documents: a titled HTML5 page with
/// an inline style, every chart inline, no reference to another file, an id on
/// every heading and every in-page link landing on one.
fn check(page: &str, charts: &[Chart]) {
    let doc = parse(page);
    let html = doc.root_element();
    assert!(html.has_tag_name("html"));
    assert_eq!(html.attribute("lang"), Some("en"));
    let head = html.children().find(|n| n.has_tag_name("head")).unwrap();
    let title = head.children().find(|n| n.has_tag_name("title")).unwrap();
    assert!(!title.text().unwrap_or("").trim().is_empty());
    let style = head.children().find(|n| n.has_tag_name("style")).unwrap();
    let css = style.text().unwrap();
    assert!(!css.contains("url(") && !css.contains("@import"), "{css}");
    assert!(!css.contains("sticky"));

    // Every chart inline, as its own SVG, named for screen readers.
    let svgs: Vec<_> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "svg" && n.tag_name().namespace() == Some(SVG_NS))
        .collect();
    for chart in charts {
        let body = chart.svg[chart.svg.find('>').unwrap()..].trim_end();
        assert!(page.contains(body), "{} not inline", chart.file_name);
        assert!(
            svgs.iter()
                .any(|s| s.attribute("aria-label") == Some(chart.title.as_str())),
            "{} unlabelled",
            chart.file_name
        );
    }
    assert!(svgs.len() >= charts.len());
    assert!(!page.contains("class=\"missing-chart\""));

    // Nothing loaded from elsewhere: no source, stylesheet, script or frame, and
    // links only within the page or to the web.
    for node in doc.descendants().filter(|n| n.is_element()) {
        let name = node.tag_name().name();
        assert!(
            !matches!(
                name,
                "img" | "link" | "script" | "iframe" | "object" | "embed"
            ),
            "<{name}>"
        );
        assert!(node.attribute("src").is_none(), "src on <{name}>");
        if let Some(href) = node.attribute("href") {
            assert!(
                href.starts_with('#') || href.starts_with("https://"),
                "href {href}"
            );
        }
    }

    // Every heading has an id, and every in-page link lands on one.
    let ids = ids(&doc);
    for heading in doc.descendants().filter(is_heading) {
        assert!(heading.attribute("id").is_some(), "{heading:?} has no id");
    }
    for href in doc.descendants().filter_map(|n| n.attribute("href")) {
        if let Some(target) = href.strip_prefix('#') {
            assert!(ids.contains(target), "#{target} lands nowhere");
        }
    }
}

fn is_heading(node: &roxmltree::Node<'_, '_>) -> bool {
    matches!(
        node.tag_name().name(),
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6"
    )
}

/// The id of the heading whose text is `text`, the `nth` such heading.
fn heading_id<'a>(doc: &'a roxmltree::Document<'_>, text: &str, nth: usize) -> &'a str {
    doc.descendants()
        .filter(is_heading)
        .filter(|n| {
            let all: String = n
                .descendants()
                .filter(|d| d.is_text())
                .filter_map(|d| d.text())
                .collect();
            all == text
        })
        .nth(nth)
        .and_then(|n| n.attribute("id"))
        .unwrap_or_else(|| panic!("no heading {text} #{nth}"))
}

#[test]
fn slugs_are_githubs() {
    assert_eq!(slug("Answers"), "answers");
    assert_eq!(
        slug("Latency: unloaded, loaded and open loop"),
        "latency-unloaded-loaded-and-open-loop"
    );
    // × is dropped and both spaces around it stay, as GitHub does.
    assert_eq!(
        slug("Concurrency × parallelism"),
        "concurrency--parallelism"
    );
    assert_eq!(slug("shared-async-mutex"), "shared-async-mutex");
    assert_eq!(slug("tcp_echo (open loop)"), "tcp_echo-open-loop");
    assert_eq!(slug("Café 2×"), "café-2");
}

#[test]
fn every_fixture_report_is_a_self_contained_page() {
    for results in [fixtures::quick(), fixtures::claims(), fixtures::v2()] {
        let (markdown, details, charts) = report(results);
        assert!(!charts.is_empty());
        let page = render(&[&markdown, &details], &charts);
        check(&page, &charts);
        assert_eq!(
            page,
            render(&[&markdown, &details], &charts),
            "deterministic"
        );
        // The report's title is the page's.
        let doc = parse(&page);
        let title = doc.descendants().find(|n| n.has_tag_name("title")).unwrap();
        assert_eq!(title.text(), Some("rtcompare report"));
    }
}

#[test]
fn tables_keep_their_alignment_and_scroll() {
    let (markdown, details, charts) = report(fixtures::quick());
    let page = render(&[&markdown, &details], &charts);
    let doc = parse(&page);
    let tables: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("table"))
        .collect();
    assert!(tables.len() > 5);
    for table in &tables {
        let parent = table.parent_element().unwrap();
        assert_eq!(parent.attribute("class"), Some("table"));
    }
    // The numbers are right-aligned as the Markdown says (`---:`).
    let right = doc
        .descendants()
        .filter(|n| n.has_tag_name("td"))
        .filter(|n| n.attribute("style") == Some("text-align: right"))
        .count();
    assert!(right > 100, "{right}");
}

/// A table of contents written for GitHub works on the page: the report's own
/// headings, anchored as GitHub anchors them.
#[test]
fn a_github_table_of_contents_works() {
    let (markdown, details, charts) = report(fixtures::quick());
    let toc = "- [Verdict](#verdict)\n\
               - [Concurrency × parallelism](#concurrency--parallelism)\n\
               - [Claims checked](#claims-checked)\n\
               - [Disclosures](#disclosures)\n\n";
    let (head, rest) = markdown.split_once("\n## ").unwrap();
    let markdown = format!("{head}\n{toc}## {rest}");
    let page = render(&[&markdown, &details], &charts);
    check(&page, &charts);
    for anchor in ["verdict", "concurrency--parallelism", "claims-checked"] {
        assert!(
            page.contains(&format!("<a href=\"#{anchor}\">")),
            "{anchor}"
        );
    }
}

#[test]
fn several_documents_make_one_page_with_links_between_them() {
    let report = "# rtcompare report\n\n\
                  - [Answers](#answers)\n\
                  - [Details](details.md)\n\n\
                  ## Answers\n\nUse rayon; see [cpu](details.md#cpu) and [Setup](#setup).\n\n\
                  ## cpu\n\nSummary.\n\n\
                  ## Setup\n\nOne.\n\n## Setup\n\nTwo: [again](#setup-1).\n";
    let details = "# Details\n\n[Back](report.md#answers)\n\n\
                   ## cpu\n\n| Runner | Wall [ms] |\n| --- | ---: |\n| rayon | 1.0 |\n\n\
                   ## cpu-1\n\n[the other cpu](#cpu)\n";
    let page = render(&[report, details], &[]);
    check(&page, &[]);
    let doc = parse(&page);
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("article"))
            .count(),
        2
    );
    // GitHub numbers a repeated heading within a document.
    assert_eq!(heading_id(&doc, "Setup", 0), "setup");
    assert_eq!(heading_id(&doc, "Setup", 1), "setup-1");
    // Across documents the first keeps the anchor; the later one is numbered past
    // every anchor in use (`cpu-1` is the details' own).
    assert_eq!(heading_id(&doc, "cpu", 0), "cpu");
    assert_eq!(heading_id(&doc, "cpu", 1), "cpu-2");
    assert_eq!(heading_id(&doc, "cpu-1", 0), "cpu-1");
    assert_eq!(heading_id(&doc, "Details", 0), "details");
    let href = |text: &str| {
        doc.descendants()
            .find(|n| n.has_tag_name("a") && n.text() == Some(text))
            .and_then(|n| n.attribute("href"))
            .unwrap_or_else(|| panic!("no link {text}"))
    };
    assert_eq!(href("Answers"), "#answers");
    assert_eq!(href("Details"), "#details");
    assert_eq!(href("cpu"), "#cpu-2", "details.md#cpu is the details' cpu");
    assert_eq!(href("again"), "#setup-1");
    assert_eq!(href("Back"), "#answers");
    assert_eq!(
        href("the other cpu"),
        "#cpu-2",
        "#cpu in the details is its own"
    );
    assert_eq!(
        doc.descendants()
            .find(|n| n.has_tag_name("title"))
            .unwrap()
            .text(),
        Some("rtcompare report")
    );
}

#[test]
fn a_chart_the_list_lacks_is_named_not_fetched() {
    let page = render(&["# R\n\n![Speedup & more](nowhere.svg)\n"], &[]);
    parse(&page);
    assert!(!page.contains("nowhere.svg"));
    assert!(page.contains("<em class=\"missing-chart\">Speedup &amp; more</em>"));
}

//! `report.html`: the Markdown report as one self-contained page. The Markdown is
//! parsed as GitHub-flavoured Markdown (tables on) and written as HTML inside a
//! small HTML5 template whose only style is inline; every chart the Markdown links
//! as an image (`![title](file.svg)`) is embedded as its SVG, so the page loads
//! with no other file beside it.
//!
//! Headings get GitHub's anchors (lowercased, punctuation dropped, spaces to `-`,
//! a repeated heading `-1`, `-2`, …), so a table of contents written for GitHub
//! (`[Answers](#answers)`) works on the page too. Several documents (the report and
//! its details) become one page: a link into another document (`details.md#cpu`)
//! becomes a link within the page (`#cpu`). The page is also well-formed XML
//! (XHTML-compatible), which the tests check with an XML parser.

use crate::charts::Chart;
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};
use std::collections::{HashMap, HashSet};

/// The page's inline style: readable line lengths, tables that scroll sideways
/// on screen and lay out flat on paper, numbers in equal-width digits.
const STYLE: &str = r#"
:root { color-scheme: light; }
body {
  margin: 0 auto; padding: 1.5rem 1.25rem 4rem; max-width: 80rem;
  font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: #1f2328; background: #fff;
}
p, li, blockquote, h1, h2, h3, h4, h5, h6 { max-width: 50rem; }
h1, h2, h3, h4 { line-height: 1.25; margin: 1.8em 0 0.6em; }
h1 { font-size: 2rem; margin-top: 0.5em; }
h2 { font-size: 1.5rem; padding-bottom: 0.3em; border-bottom: 1px solid #d0d7de; }
h3 { font-size: 1.2rem; }
a { color: #0969da; }
code, pre {
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.875em;
}
code { background: #f6f8fa; padding: 0.1em 0.3em; border-radius: 4px; }
pre {
  background: #f6f8fa; padding: 0.8em 1em; border-radius: 6px; max-width: 60rem;
  white-space: pre-wrap; overflow-wrap: anywhere;
}
pre code { background: none; padding: 0; font-size: 1em; }
.table { overflow-x: auto; margin: 1em 0; }
table { border-collapse: collapse; font-size: 0.875rem; }
th, td { border: 1px solid #d0d7de; padding: 0.3em 0.6em; vertical-align: top; }
th { background: #f6f8fa; }
td { font-variant-numeric: tabular-nums; }
td:first-child, td[style*="right"] { white-space: nowrap; }
tbody tr:nth-child(even) { background: #f9fafb; }
svg { display: block; max-width: 100%; height: auto; margin: 1em 0; }
.missing-chart { color: #9a6700; }
article + article { margin-top: 3em; border-top: 3px double #d0d7de; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  a { color: inherit; }
  .table { overflow: visible; }
  table { font-size: 7.5pt; }
  tr, svg, pre { break-inside: avoid; }
  h1, h2, h3, h4 { break-after: avoid; }
  article + article { break-before: page; border-top: none; }
}
"#;

/// The page of `documents` (Markdown, in page order: the report, then its
/// details), with `charts` embedded where the Markdown links them. Deterministic:
/// the same input gives the same page, byte for byte.
pub fn render(documents: &[&str], charts: &[Chart]) -> String {
    let anchors = Anchors::new(documents);
    let mut body = String::new();
    for (index, document) in documents.iter().enumerate() {
        body.push_str("<article>\n");
        let events = rewrite(
            Parser::new_ext(document, options()),
            index,
            &anchors,
            charts,
        );
        pulldown_cmark::html::push_html(&mut body, events.into_iter());
        body.push_str("</article>\n");
    }
    let title = anchors.title.as_deref().unwrap_or("rtcompare report");
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n{body}</main>\n\
         </body>\n</html>\n",
        escape(title)
    )
}

/// The Markdown the report writes: GitHub-flavoured, which for this report means
/// tables.
fn options() -> Options {
    Options::ENABLE_TABLES
}

pub(crate) use crate::text::slug;

/// Every heading's id on the page, and the page's title.
struct Anchors {
    /// Per document: a heading's anchor as GitHub gives it in that document → its
    /// id on the page (the same, unless an earlier document took it).
    ids: Vec<HashMap<String, String>>,
    /// Per document: the ids of its headings, in order.
    headings: Vec<Vec<String>>,
    /// The text of the first document's first top-level heading.
    title: Option<String>,
}

impl Anchors {
    fn new(documents: &[&str]) -> Self {
        let mut title = None;
        // GitHub's anchors, each document on its own: a repeated heading gets
        // `-1`, `-2`, … after the first.
        let per_document: Vec<Vec<String>> = documents
            .iter()
            .enumerate()
            .map(|(index, document)| {
                let mut seen: HashMap<String, usize> = HashMap::new();
                headings(document)
                    .into_iter()
                    .map(|(level, text)| {
                        if index == 0 && level == 1 && title.is_none() {
                            title = Some(text.clone());
                        }
                        let base = slug(&text);
                        let mut anchor = base.clone();
                        while seen.contains_key(&anchor) {
                            let n = seen.get_mut(&base).expect("base seen first");
                            *n += 1;
                            anchor = format!("{base}-{n}");
                        }
                        seen.insert(anchor.clone(), 0);
                        anchor
                    })
                    .collect()
            })
            .collect();
        // On one page an anchor an earlier document took is numbered on, past
        // every anchor any document uses.
        let all: HashSet<&String> = per_document.iter().flatten().collect();
        let mut taken: HashSet<String> = HashSet::new();
        let mut ids = Vec::new();
        let mut headings = Vec::new();
        for anchors in &per_document {
            let mut map = HashMap::new();
            let mut list = Vec::new();
            for anchor in anchors {
                let mut id = anchor.clone();
                let mut n = 0;
                while taken.contains(&id) || (n > 0 && all.contains(&id)) {
                    n += 1;
                    id = format!("{anchor}-{n}");
                }
                taken.insert(id.clone());
                map.insert(anchor.clone(), id.clone());
                list.push(id);
            }
            ids.push(map);
            headings.push(list);
        }
        Self {
            ids,
            headings,
            title,
        }
    }

    /// Where a link of document `from` to `dest` goes on the page, when it goes
    /// to a heading of one of the documents: `#answers` in its own document (or
    /// another), `details.md#cpu` in another (or its own), `details.md` to the
    /// start of the first other document.
    fn target(&self, from: usize, dest: &str) -> Option<String> {
        let others = (0..self.ids.len()).filter(|&i| i != from);
        if let Some(anchor) = dest.strip_prefix('#') {
            return std::iter::once(from)
                .chain(others)
                .find_map(|i| self.ids[i].get(anchor))
                .map(|id| format!("#{id}"));
        }
        let (path, anchor) = dest
            .split_once('#')
            .map_or((dest, None), |(p, a)| (p, Some(a)));
        let local = !path.contains(':') && !path.starts_with('/');
        if !local || !path.ends_with(".md") {
            return None;
        }
        match anchor {
            Some(anchor) => others
                .chain(std::iter::once(from))
                .find_map(|i| self.ids[i].get(anchor)),
            None => { others }.find_map(|i| self.headings[i].first()),
        }
        .map(|id| format!("#{id}"))
    }
}

/// The level and plain text of every heading of `document`, in order.
fn headings(document: &str) -> Vec<(u8, String)> {
    let mut out = Vec::new();
    let mut current: Option<(u8, String)> = None;
    for event in Parser::new_ext(document, options()) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                current = Some((level as u8, String::new()))
            }
            Event::Text(text) | Event::Code(text) => {
                if let Some((_, heading)) = &mut current {
                    heading.push_str(&text);
                }
            }
            Event::End(TagEnd::Heading(_)) => out.extend(current.take()),
            _ => {}
        }
    }
    out
}

/// The events of document `index` as the page shows them: headings with their
/// ids, links between documents made links within the page, chart images
/// replaced by the charts, tables in a box that scrolls sideways.
fn rewrite<'a>(
    parser: Parser<'a>,
    index: usize,
    anchors: &Anchors,
    charts: &[Chart],
) -> Vec<Event<'a>> {
    let mut ids = anchors.headings[index].iter();
    let mut out = Vec::new();
    // Inside an image: its chart (if the Markdown links one) and its alt text.
    let mut image: Option<(Option<&Chart>, String)> = None;
    for event in parser {
        if let Some((chart, alt)) = &mut image {
            match event {
                Event::End(TagEnd::Image) => {
                    out.push(Event::InlineHtml(match chart {
                        Some(chart) => inline_svg(chart).into(),
                        None => format!("<em class=\"missing-chart\">{}</em>", escape(alt)).into(),
                    }));
                    image = None;
                }
                Event::Text(text) | Event::Code(text) => alt.push_str(&text),
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(Tag::Heading {
                level,
                classes,
                attrs,
                ..
            }) => out.push(Event::Start(Tag::Heading {
                level,
                id: ids.next().map(|id| CowStr::from(id.clone())),
                classes,
                attrs,
            })),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = anchors
                    .target(index, &dest_url)
                    .map_or(dest_url, CowStr::from);
                out.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                let file = dest_url.trim_start_matches("./");
                image = Some((charts.iter().find(|c| c.file_name == file), String::new()));
            }
            Event::Start(Tag::Table(_)) => {
                out.push(Event::Html("<div class=\"table\">\n".into()));
                out.push(event);
            }
            Event::End(TagEnd::Table) => {
                out.push(event);
                out.push(Event::Html("</div>\n".into()));
            }
            event => out.push(event),
        }
    }
    out
}

/// `chart`'s SVG as an element of the page, named by its title for screen
/// readers; an XML declaration or doctype before it is dropped.
fn inline_svg(chart: &Chart) -> String {
    let svg = chart.svg.trim();
    let svg = svg.find("<svg").map_or(svg, |start| &svg[start..]);
    match svg.strip_prefix("<svg") {
        Some(rest) => format!(
            "<svg role=\"img\" aria-label=\"{}\"{}",
            escape(&chart.title),
            rest
        ),
        None => format!("<em class=\"missing-chart\">{}</em>", escape(&chart.title)),
    }
}

/// `text` safe in HTML (and XML) text and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests;

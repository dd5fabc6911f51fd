//! No prose sentence of `report.md` runs over 40 words (issue 13: "No sentence
//! runs over about 40 words"), for every fixture in `tests/fixtures` and for the
//! example report's run. The offenders are printed with their word counts.
//!
//! Prose is what is left of the Markdown once headings, table rows, fenced code
//! blocks and the table of contents (a list of links, not a sentence) are taken
//! out. Each bullet item is a text of its own; the lines of a paragraph are one
//! text. A text is cut into sentences where `.`, `?` or `!` (and any closing
//! `)`, `*` or `_` after it) is followed by a space and then a capital letter, a
//! backtick, an asterisk or a digit; words are what whitespace separates.
//!
//! Strings the run recorded and the report quotes as given (a runner's summary,
//! parts and caveats, a workload's summary) are the runners' and workloads'
//! words, not the report's: a sentence is counted with each of them as one word.

use std::path::Path;

/// The most words a sentence may have.
const MAX_WORDS: usize = 40;

/// The texts of `markdown` a reader reads as prose: each paragraph and each bullet
/// item, with headings, table rows, fenced code and the contents line taken out.
fn prose(markdown: &str) -> Vec<String> {
    let mut texts = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    let mut in_code = false;
    let flush = |current: &mut Vec<&str>, texts: &mut Vec<String>| {
        if !current.is_empty() {
            texts.push(current.join(" "));
            current.clear();
        }
    };
    for line in markdown.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            flush(&mut current, &mut texts);
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        if trimmed.is_empty()
            || trimmed.starts_with('#')
            || trimmed.starts_with('|')
            || trimmed.starts_with("**Contents:**")
            // The crate versions: a list of names, not a sentence.
            || bullet(trimmed)
                .unwrap_or(trimmed)
                .starts_with("**Runtimes:**")
        {
            flush(&mut current, &mut texts);
            continue;
        }
        if let Some(item) = bullet(trimmed) {
            flush(&mut current, &mut texts);
            current.push(item);
        } else {
            current.push(trimmed);
        }
    }
    flush(&mut current, &mut texts);
    texts
}

/// The text of a bullet or numbered list item, without its marker.
fn bullet(line: &str) -> Option<&str> {
    for marker in ["- ", "* ", "+ "] {
        if let Some(rest) = line.strip_prefix(marker) {
            return Some(rest);
        }
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    (digits > 0)
        .then(|| line[digits..].strip_prefix(". "))
        .flatten()
}

/// `text` cut into sentences (see the module docs), each trimmed.
fn sentences(text: &str) -> Vec<&str> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < chars.len() {
        let (_, c) = chars[i];
        if matches!(c, '.' | '?' | '!') {
            let mut j = i + 1;
            while j < chars.len() && matches!(chars[j].1, ')' | '*' | '_') {
                j += 1;
            }
            let spaced = j < chars.len() && chars[j].1 == ' ';
            let next = chars.get(j + 1).map(|&(_, c)| c);
            if spaced
                && next.is_some_and(|n| {
                    n.is_uppercase() || matches!(n, '`' | '*') || n.is_ascii_digit()
                })
            {
                out.push(text[start..chars[j].0].trim());
                start = chars[j].0;
                i = j;
            }
        }
        i += 1;
    }
    let rest = text[start..].trim();
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

/// The sentences of `markdown` over [`MAX_WORDS`] words, each with its count,
/// counting each of the `quoted` strings in it as one word.
fn too_long(markdown: &str, quoted: &[String]) -> Vec<(usize, String)> {
    prose(markdown)
        .iter()
        // A quote counts as one word, also one of several sentences (a runner's
        // caveat as its crate's author might write it): it is replaced before the
        // text is split, so its own full stops do not cut it.
        .map(|text| set_apart(text, quoted))
        .flat_map(|text| {
            sentences(&text)
                .into_iter()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .map(|s| (words(&s, quoted), s))
        .filter(|(words, _)| *words > MAX_WORDS)
        .collect()
}

/// `text` with each of the `quoted` strings in it replaced by one word.
fn set_apart(text: &str, quoted: &[String]) -> String {
    let mut rest = text.to_owned();
    for quote in quoted {
        rest = rest.replace(quote.as_str(), "«quoted»");
    }
    rest
}

/// The words of `sentence`, each of the `quoted` strings in it counted as one.
fn words(sentence: &str, quoted: &[String]) -> usize {
    let mut rest = sentence.to_owned();
    for quote in quoted {
        rest = rest.replace(quote.as_str(), "«quoted»");
    }
    rest.split_whitespace().count()
}

/// The strings `results` recorded that the report quotes as given, longest
/// first (so a quote inside a longer one does not cut it).
fn quoted(results: &rtcompare_reports::Results) -> Vec<String> {
    let mut quoted: Vec<String> = results
        .runners
        .iter()
        .flat_map(|r| {
            [&r.summary, &r.timer, &r.channel, &r.net, &r.offload]
                .into_iter()
                .chain(&r.caveats)
                .cloned()
        })
        .chain(results.workloads.iter().map(|w| w.summary.clone()))
        .filter(|s| s.split_whitespace().count() > 1)
        // As the report prints them too: Markdown's emphasis characters escaped.
        .flat_map(|s| [s.replace('*', "\\*").replace('_', "\\_"), s])
        .collect();
    quoted.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    quoted.dedup();
    quoted
}

#[test]
fn sentences_end_where_a_capital_backtick_asterisk_or_digit_follows() {
    assert_eq!(
        sentences("One two. Three four? `five` six! **Seven**. 8 nine."),
        vec![
            "One two.",
            "Three four?",
            "`five` six!",
            "**Seven**.",
            "8 nine."
        ]
    );
    // Not after a decimal point, an abbreviation or before a lower-case word.
    assert_eq!(
        sentences("It ran 1.5× faster, e.g. here. tokio-mt did too"),
        vec!["It ran 1.5× faster, e.g. here. tokio-mt did too"]
    );
    // Closing emphasis and brackets stay with the sentence they close.
    assert_eq!(
        sentences("*Verdict:* **holds.** Then (see below.) Next *one*. *Two*"),
        vec![
            "*Verdict:* **holds.**",
            "Then (see below.)",
            "Next *one*.",
            "*Two*"
        ]
    );
    assert_eq!(sentences("  "), Vec::<&str>::new());
    assert_eq!(sentences("No end"), vec!["No end"]);
}

#[test]
fn prose_skips_headings_tables_code_and_contents_and_splits_bullets() {
    let markdown = "# Title\n\n**Contents:** [A](#a) · [B](#b).\n\nFirst line\nsecond line.\n\n\
                    | a | b |\n| - | - |\n\n```sh\ncargo compare --long\n```\n\n\
                    - one item\n  continued\n- two\n  - nested\n1. numbered\n";
    assert_eq!(
        prose(markdown),
        vec![
            "First line second line.",
            "one item continued",
            "two",
            "nested",
            "numbered"
        ]
    );
}

#[test]
fn a_long_sentence_is_caught_with_its_count() {
    let long = format!("Word {}.", vec!["word"; 40].join(" "));
    let markdown = format!("Short one. {long} Short again.\n\n- {long}\n");
    let found = too_long(&markdown, &[]);
    assert_eq!(found.len(), 2);
    assert!(found.iter().all(|(words, s)| *words == 41 && *s == long));
    assert!(too_long(&format!("Short. Word {}.", vec!["word"; 39].join(" ")), &[]).is_empty());
    let quote = vec!["said"; 45].join(" ");
    assert!(too_long(&format!("- Built as {quote}.\n"), &[quote]).is_empty());
    // A quote of several sentences is still one word.
    let caveat = format!(
        "{}. {}",
        vec!["said"; 30].join(" "),
        vec!["said"; 30].join(" ")
    );
    assert!(too_long(&format!("- Note: {caveat}.\n"), &[caveat]).is_empty());
}

#[test]
fn no_sentence_of_any_fixture_report_runs_over_40_words() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures directory")
        .map(|entry| entry.expect("fixture entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .collect();
    names.sort();
    assert!(!names.is_empty());
    let mut offenders = Vec::new();
    for path in &names {
        let results = rtcompare_reports::load(path).expect("fixture loads");
        let report = rtcompare_reports::markdown::render(&results);
        for (words, sentence) in too_long(&report, &quoted(&results)) {
            let name = path.file_name().unwrap().to_string_lossy();
            offenders.push(format!("{name}: [{words} words] {sentence}"));
        }
    }
    assert!(
        offenders.is_empty(),
        "{} sentences of report.md over {MAX_WORDS} words:\n\n{}",
        offenders.len(),
        offenders.join("\n\n")
    );
}

/// The example report's run (`docs/example-report/results.json`): a full sweep
/// of every workload on every runner, so the longest lists of runners the
/// wording meets.
#[test]
fn no_sentence_of_the_example_report_runs_over_40_words() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/example-report/results.json");
    if !path.exists() {
        return;
    }
    let results = rtcompare_reports::load(&path).expect("the example's results load");
    let report = rtcompare_reports::markdown::render(&results);
    let offenders: Vec<String> = too_long(&report, &quoted(&results))
        .into_iter()
        .map(|(words, sentence)| format!("[{words} words] {sentence}"))
        .collect();
    assert!(
        offenders.is_empty(),
        "{} sentences of the example's report.md over {MAX_WORDS} words:\n\n{}",
        offenders.len(),
        offenders.join("\n\n")
    );
}

//! report.html in a real browser: headless Chromium loads the page written by
//! `write_report` and the DOM it builds holds every chart and heading.
//!
//! Chromium is not a build dependency: when it is not on PATH (or named by
//! `CHROMIUM`), the test says so and passes. Install it with
//! `apt-get install -y chromium` (Debian) and run
//! `cargo test -p rtcompare-reports --test browser -- --nocapture`, or
//! `just html-check` for a screenshot too.

use rtcompare_reports::summary::Summarized;
use rtcompare_reports::{Format, load, write_report};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The browser to run: `CHROMIUM`, else `chromium`; None when it does not start.
fn chromium() -> Option<String> {
    let bin = std::env::var("CHROMIUM").unwrap_or_else(|_| "chromium".into());
    let ok = Command::new(&bin)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then_some(bin)
}

/// A fresh directory under the target directory.
fn scratch_dir(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("browser-{test}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

/// Runs headless Chromium on `page` with `args`; its standard output.
fn run(bin: &str, dir: &Path, args: &[&str], page: &Path) -> String {
    let output = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 DOM")
}

#[test]
fn report_html_renders_in_chromium_with_every_chart() {
    let Some(bin) = chromium() else {
        eprintln!("note: chromium is not on PATH (or CHROMIUM); browser check skipped");
        return;
    };
    let dir = scratch_dir("quick");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/quick-results.json");
    let results = Summarized::new(load(&fixture).expect("fixture loads"));
    let markdown = dir.join("report.md");
    let written = write_report(&results, &markdown, &[Format::Markdown, Format::Html])
        .expect("report written");
    let page = dir.join("report.html");
    assert!(written.contains(&page));
    let charts = written
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "svg"))
        .count();
    assert!(charts > 0);

    // The DOM the browser built: every chart an inline SVG, every heading anchored.
    let dom = run(&bin, &dir, &["--dump-dom"], &page);
    assert_eq!(dom.matches("<svg ").count(), charts, "charts in the DOM");
    // The page holds report.md, then details.md.
    let details = markdown.with_file_name("details.md");
    let headings = (std::fs::read_to_string(&markdown).unwrap()
        + &std::fs::read_to_string(details).unwrap())
        .lines()
        .filter(|l| l.starts_with('#'))
        .count();
    let anchored = ["<h1 id=", "<h2 id=", "<h3 id=", "<h4 id="]
        .iter()
        .map(|h| dom.matches(h).count())
        .sum::<usize>();
    assert_eq!(anchored, headings, "headings with ids in the DOM");
    assert!(dom.contains("<title>rtcompare report</title>"));

    // And it paints: a blank 1280×2000 page compresses to a few kilobytes.
    let shot = dir.join("report.png");
    run(
        &bin,
        &dir,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1280,2000",
        ],
        &page,
    );
    let size = std::fs::metadata(&shot).expect("screenshot written").len();
    assert!(size > 50_000, "screenshot of {size} bytes looks blank");
    eprintln!("screenshot: {}", shot.display());
}

/// `--format html` alone writes the page and nothing beside it; with `md` the
/// page shows the very Markdown written beside it.
#[test]
fn write_report_puts_the_page_beside_the_markdown() {
    assert_eq!("html".parse::<Format>(), Ok(Format::Html));
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/results-v2.json");
    let results = Summarized::new(load(&fixture).expect("fixture loads"));

    let dir = scratch_dir("html-alone");
    let written = write_report(&results, &dir.join("report.md"), &[Format::Html]).unwrap();
    assert_eq!(written, [dir.join("report.html")]);

    let dir = scratch_dir("both");
    let written = write_report(
        &results,
        &dir.join("report.md"),
        &[Format::Markdown, Format::Html],
    )
    .unwrap();
    // The charts are linked from the details, and the page holds both.
    let markdown = std::fs::read_to_string(dir.join("details.md")).unwrap();
    let page = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let charts = rtcompare_reports::charts::render_summarized(&results);
    assert!(!charts.is_empty());
    for chart in &charts {
        assert!(written.contains(&dir.join(&chart.file_name)));
        assert!(markdown.contains(&format!("]({})", chart.file_name)));
        assert!(page.contains(chart.svg[chart.svg.find('>').unwrap()..].trim_end()));
    }
    assert!(
        !page.contains(".svg\""),
        "no chart is linked, every one is inline"
    );
}

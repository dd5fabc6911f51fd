//! Everything rtcompare does after the measurements: the versioned results model,
//! loading and atomic saving of results files, statistics, and the renderers that
//! turn a results file into a report. Knows no runtime: it reads numbers only.
//!
//! A results file is read with [`load`] (any schema from [`OLDEST_READABLE_SCHEMA`]
//! to [`SCHEMA_VERSION`], read as the latest), its cells' summaries are derived once
//! ([`summary::Summarized`]), and every renderer takes the result:
//!
//! ```
//! use rtcompare_reports::summary::Summarized;
//! use rtcompare_reports::{FileError, SCHEMA_VERSION, markdown};
//! use std::path::Path;
//!
//! // A small hand-made schema-1 file: it loads as the current schema, with the
//! // fields added since left empty.
//! let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/results.json");
//! let results = rtcompare_reports::load(&path)?;
//! assert_eq!(results.schema_version, SCHEMA_VERSION);
//!
//! // Speedups are taken against `seq`, so its own cell's is exactly 1.
//! let results = Summarized::new(results);
//! let seq = results.cells.iter().find(|c| c.runner == "seq" && c.workload == "cpu");
//! let speedup = seq.and_then(|c| c.summary.as_ref()?.speedup_vs_seq);
//! assert_eq!(speedup, Some(1.0));
//!
//! // The Markdown report (`report.md`), here without its charts.
//! let report = markdown::render_summarized(&results, &[]);
//! assert!(report.starts_with("# rtcompare report\n"));
//! assert!(report.contains(&results.machine.cpu_model));
//!
//! // A file from a newer build is refused, never misread.
//! let newer = format!(r#"{{"schema_version": {}}}"#, SCHEMA_VERSION + 1);
//! match rtcompare_reports::parse(Path::new("newer.json"), &newer) {
//!     Err(FileError::Schema { found, .. }) => assert_eq!(found, u64::from(SCHEMA_VERSION) + 1),
//!     other => panic!("not refused: {other:?}"),
//! }
//! # Ok::<(), FileError>(())
//! ```
#![warn(missing_docs, rust_2018_idioms)]

pub mod baseline;
pub mod bmf;
mod cell_ref;
pub mod charts;
mod claims;
pub mod csv;
mod fates;
pub mod findings;
pub mod fingerprint;
pub mod floor;
mod format;
pub mod html;
mod judge;
pub mod machines;
pub mod markdown;
pub mod metric;
pub mod model;
mod network;
mod overhead;
pub mod regression;
mod sections;
pub mod stats;
pub mod summary;
pub mod table;
mod terms;
mod text;

pub use model::*;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why a results file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The file could not be opened or read.
    #[error("cannot read {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file is not valid JSON or does not match the schema.
    #[error("{path} is not a valid rtcompare results file: {message}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong, with line and column.
        message: String,
    },
    /// The file was written by a build with another schema version.
    #[error(
        "{path} has schema_version {found}, this rtcompare reads versions {OLDEST_READABLE_SCHEMA} to {expected}; {hint}"
    )]
    Schema {
        /// The file.
        path: PathBuf,
        /// The version found in the file.
        found: u64,
        /// The version this build reads.
        expected: u32,
        /// What to do about it.
        hint: &'static str,
    },
    /// The file could not be written.
    #[error("cannot write {path}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}

/// Reads a results file, refusing other schema versions with a message that names
/// the file and the versions.
pub fn load(path: &Path) -> Result<Results, FileError> {
    let text = fs::read_to_string(path).map_err(|source| FileError::Read {
        path: path.to_owned(),
        source,
    })?;
    parse(path, &text)
}

/// Parses the text of a results file; `path` is only used in messages.
pub fn parse(path: &Path, text: &str) -> Result<Results, FileError> {
    let corrupt = |e: serde_json::Error| FileError::Corrupt {
        path: path.to_owned(),
        message: e.to_string(),
    };
    // Check the version before the shape, so an old or newer file gets the
    // version message rather than a confusing "missing field".
    let value: serde_json::Value = serde_json::from_str(text).map_err(corrupt)?;
    let found = value
        .get("schema_version")
        .ok_or_else(|| FileError::Corrupt {
            path: path.to_owned(),
            message: "no schema_version field (is this an rtcompare results file?)".into(),
        })?;
    let found = found.as_u64().ok_or_else(|| FileError::Corrupt {
        path: path.to_owned(),
        message: format!("schema_version is {found}, expected a whole number"),
    })?;
    if !(u64::from(OLDEST_READABLE_SCHEMA)..=u64::from(SCHEMA_VERSION)).contains(&found) {
        let hint = if found > u64::from(SCHEMA_VERSION) {
            "it was written by a newer rtcompare: upgrade to read it"
        } else {
            "it was written by an older rtcompare: re-run the comparison to regenerate it"
        };
        return Err(FileError::Schema {
            path: path.to_owned(),
            found,
            expected: SCHEMA_VERSION,
            hint,
        });
    }
    let mut results: Results = serde_json::from_value(value).map_err(corrupt)?;
    // Read as this version: every later field is optional and defaults to empty,
    // or is recovered from how the older file wrote it.
    model::migrate(&mut results, found);
    results.schema_version = SCHEMA_VERSION;
    Ok(results)
}

/// Reads a baseline file: a results file (as [`load`] reads it) and, when it was
/// made from repeated runs, its top-level `repeats`.
pub fn load_baseline(path: &Path) -> Result<Baseline, FileError> {
    let text = fs::read_to_string(path).map_err(|source| FileError::Read {
        path: path.to_owned(),
        source,
    })?;
    let results = parse(path, &text)?;
    #[derive(serde::Deserialize)]
    struct Top {
        #[serde(default)]
        repeats: Option<Repeats>,
    }
    let top: Top = serde_json::from_str(&text).map_err(|e| FileError::Corrupt {
        path: path.to_owned(),
        message: format!("repeats: {e}"),
    })?;
    Ok(Baseline {
        results,
        repeats: top.repeats,
    })
}

/// Writes a baseline as pretty JSON, atomically: its results with `repeats`
/// added at the top level when it has them.
pub fn save_baseline(path: &Path, baseline: &Baseline) -> Result<(), FileError> {
    let mut value = serde_json::to_value(&baseline.results).expect("results serialise");
    if let (Some(repeats), Some(map)) = (&baseline.repeats, value.as_object_mut()) {
        map.insert(
            "repeats".into(),
            serde_json::to_value(repeats).expect("repeats serialise"),
        );
    }
    let mut text = serde_json::to_string_pretty(&value).expect("baseline serialises");
    text.push('\n');
    write_atomic(path, text.as_bytes())
}

/// Writes `results` as pretty JSON, atomically: a reader sees the old file or the
/// new one, never half of either.
pub fn save(path: &Path, results: &Results) -> Result<(), FileError> {
    let mut text = serde_json::to_string_pretty(results).expect("results serialise");
    text.push('\n');
    write_atomic(path, text.as_bytes())
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a
/// rename, so an interrupted write never leaves a truncated file behind.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), FileError> {
    let err = |source| FileError::Write {
        path: path.to_owned(),
        source,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path.file_name().ok_or_else(|| {
        err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a file path",
        ))
    })?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(err)
}

/// An output format of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `report.md`: the report people read.
    Markdown,
    /// `report.csv`: the per-cell table for spreadsheets.
    Csv,
    /// `report.html`: the Markdown report as one self-contained page, charts inline.
    Html,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "md" | "markdown" => Ok(Format::Markdown),
            "csv" => Ok(Format::Csv),
            "html" => Ok(Format::Html),
            _ => Err(format!("unknown format '{s}' (valid: md, csv, html)")),
        }
    }
}

/// Writes the report of `results` in every format asked for, each atomically:
/// Markdown to `markdown_path` with its SVG charts beside it, and the others beside
/// it with their own extension, `details.md` beside the report. Every format
/// renders the same summaries, and the HTML page the same Markdown (the report,
/// then its details) with the same charts inline.
/// Returns the files written.
pub fn write_report(
    results: &summary::Summarized,
    markdown_path: &Path,
    formats: &[Format],
) -> Result<Vec<PathBuf>, FileError> {
    let mut written = Vec::new();
    let dir = markdown_path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // The Markdown, its charts and what its sections derived, once for every
    // format that shows them.
    let documents = formats
        .iter()
        .any(|f| matches!(f, Format::Markdown | Format::Html));
    let charts = if documents {
        charts::render_summarized(results)
    } else {
        Vec::new()
    };
    let report = sections::Report::new(results, &charts);
    let (text, details) = if documents {
        (
            markdown::render_report(&report),
            markdown::render_details_report(&report),
        )
    } else {
        (String::new(), String::new())
    };
    for format in formats {
        match format {
            Format::Markdown => {
                // The charts go beside the report, which links them by file name.
                for chart in &charts {
                    let path = dir.join(&chart.file_name);
                    write_atomic(&path, chart.svg.as_bytes())?;
                    written.push(path);
                }
                write_atomic(markdown_path, text.as_bytes())?;
                written.push(markdown_path.to_owned());
                // What the sections derived, as data, beside it: one derivation
                // for both.
                let path = dir.join(markdown::DETAILS_FILE);
                write_atomic(&path, details.as_bytes())?;
                written.push(path);
                let path = dir.join("findings.json");
                write_atomic(&path, findings::render_report(&report).as_bytes())?;
                written.push(path);
            }
            Format::Csv => {
                let path = markdown_path.with_extension("csv");
                write_atomic(&path, csv::render_summarized(results).as_bytes())?;
                written.push(path);
            }
            Format::Html => {
                let path = markdown_path.with_extension("html");
                // One page: the report, then its details.
                write_atomic(&path, html::render(&[&text, &details], &charts).as_bytes())?;
                written.push(path);
            }
        }
    }
    Ok(written)
}

/// The fixed results files under `tests/fixtures/`, parsed, for the unit tests of
/// every renderer.
#[cfg(test)]
pub(crate) mod fixtures {
    use crate::Results;
    use std::path::Path;

    fn load(name: &str, text: &str) -> Results {
        crate::parse(Path::new(name), text).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
    }

    /// A hand-made schema-2 run: the new workloads, n/a, failed and noted cells.
    pub(crate) fn v2() -> Results {
        load(
            "results-v2.json",
            include_str!("../tests/fixtures/results-v2.json"),
        )
    }

    /// A hand-made run with `processes`, `gil`, shared state and crash cells.
    pub(crate) fn claims() -> Results {
        load(
            "results-claims.json",
            include_str!("../tests/fixtures/results-claims.json"),
        )
    }

    /// The order the report lists runners in (as run), for sections tested alone.
    pub(crate) fn runner_rank(results: &Results) -> impl Fn(&str) -> usize + '_ {
        |runner| {
            results
                .config
                .runners
                .iter()
                .position(|r| r == runner)
                .unwrap_or(usize::MAX)
        }
    }

    /// The workloads in the order they ran.
    pub(crate) fn workload_order(results: &Results) -> Vec<&str> {
        results
            .config
            .workloads
            .iter()
            .map(String::as_str)
            .collect()
    }

    /// Gives `runner` a `timer` cell at `threads` in `results` (a v2 run), made
    /// from the fixture's smol-local one: its 100 µs and 1 ms sleeps' lateness
    /// p50 (µs) set, the other percentiles scaled alike; the runner's class and
    /// family from `results.runners`.
    pub(crate) fn add_timer_cell(
        results: &mut Results,
        runner: &str,
        threads: usize,
        short_p50: f64,
        long_p50: f64,
    ) {
        let mut cell = results
            .cells
            .iter()
            .find(|c| c.runner == "smol-local" && c.workload == "timer")
            .expect("the v2 fixture's smol-local timer cell")
            .clone();
        let meta = results
            .runners
            .iter()
            .find(|m| m.id == runner)
            .expect("runner");
        cell.runner = runner.to_owned();
        cell.class = meta.class;
        cell.family = meta.family;
        cell.threads = threads;
        let scale = |l: &mut crate::Latency, p50: f64| {
            let k = p50 / l.p50;
            for v in [
                &mut l.mean,
                &mut l.p50,
                &mut l.p90,
                &mut l.p99,
                &mut l.p999,
                &mut l.max,
            ] {
                *v *= k;
            }
        };
        let mut short = cell.latency_us.expect("timer latency");
        let k = short_p50 / short.p50;
        scale(&mut short, short_p50);
        cell.latency_us = Some(short);
        for sample in cell.samples.iter_mut().chain(cell.warmup.iter_mut()) {
            for v in [&mut sample.latency_p99_us, &mut sample.latency_max_us] {
                *v = v.map(|us| us * k);
            }
        }
        for (_, long) in cell.more_latency_us.iter_mut() {
            scale(long, long_p50);
        }
        results.cells.push(cell);
    }

    /// A hand-made schema-5 run of the network workloads, served to the external
    /// load generator on 2 cores.
    pub(crate) fn network() -> Results {
        load(
            "network.json",
            include_str!("../tests/fixtures/network.json"),
        )
    }

    /// A hand-made schema-6 run: the schema-1 fixture's cells with every
    /// runner's parts, and two thread-per-core runners (`io_driver` recorded,
    /// `sleep` n/a for want of a per-core share).
    pub(crate) fn per_core() -> Results {
        load(
            "per-core.json",
            include_str!("../tests/fixtures/per-core.json"),
        )
    }

    /// A hand-made schema-7 run: the claims fixture with the four CPython
    /// runners (`cpython-seq` their baseline), the free-threaded one n/a.
    pub(crate) fn cpython() -> Results {
        load(
            "cpython.json",
            include_str!("../tests/fixtures/cpython.json"),
        )
    }

    /// A real `quick` run on 2 cores.
    pub(crate) fn quick() -> Results {
        load(
            "quick-results.json",
            include_str!("../tests/fixtures/quick-results.json"),
        )
    }
}

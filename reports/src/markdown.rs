//! Renders a results file as a GitHub-flavoured Markdown report: the fingerprint
//! and the command that reproduces the run, a verdict computed from the data, the
//! concurrency × parallelism grid, the sections of workload families that read
//! best together (TCP echo latency in `echo.rs`, CPU hogs beside
//! latency-sensitive work in `hogs.rs`, crash isolation in `crash.rs`), the
//! claims checked (`claims.rs`), one table per workload, and the disclosures that
//! apply to the runners present.
//!
//! No runner is known here by name except the baseline ([`BASELINE_RUNNER`]): what
//! a runner is (class, family, how it is built, its timer and other parts, its
//! caveats) and what a workload is (its measures and their units) come from the
//! results file, so a new runner needs no change here.
//!
//! A cell whose workload does not apply to its runner (`n/a`) is not a failure:
//! it is listed under its workload's table, grouped by reason, and left out of the
//! table, the failures, the verdict, the grid and every speedup.
//!
//! The output depends on the [`Results`] alone (no clock, no environment), so a
//! report can be regenerated from its results file and diffed. It renders
//! [`Summarized`] results, whose summaries were derived once for every format of
//! the report, so a file written before its run finished renders the same as a
//! complete one.
//!
//! [`Table`] is the one place that knows how a table is laid out; other tabular
//! outputs (plain text, CSV) can build the same rows and lay them out their way.

use crate::charts::Chart;
use crate::model::{
    Cell, Latency, MetricMeta, Results, RunnerMeta, Sample, Sampling, Status, Summary, WorkloadMeta,
};
use crate::summary::{BASELINE_RUNNER, Summarized};
use crate::table::{Align, Table};
use crate::text::{
    NONE, capitalise, cores, escape_inline, join_and, mib, ms, percent, plural, sentence, sig3,
    times,
};
use rtcompare_api::{Class, Family, WorkloadKind};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// A static split this much slower than dynamic scheduling is called uneven work,
/// not overhead: above any gap seen between runners on evenly divided work.
const UNEVEN_GAP: f64 = 0.15;

/// Median wall relative to the best judged cell's (hyperfine's "Relative"). The
/// best is called fastest (or tied) only when every interval compared supports it
/// ([`crate::judge::supports`]), else it has the lowest median; a disturbed cell
/// is not ranked at all.
fn relative(cell: &Cell, summary: &Summary, fastest: Option<&Best<'_>>) -> String {
    if cell.disturbed() {
        return "disturbed".into();
    }
    let Some(best) = fastest else {
        return NONE.into();
    };
    if std::ptr::eq(cell, best.cell) {
        return if !best.ranked {
            "1.00 (lowest median)".into()
        } else if best.tied.is_empty() {
            "1.00 (fastest)".into()
        } else {
            "1.00 (tied)".into()
        };
    }
    format!("{:.2}", summary.median_wall_s / best.summary.median_wall_s)
}

/// Marks a time that was measured on a subset of the work and scaled up.
const EXTRAPOLATED: &str = "†";
/// A fraction as a percentage with up to one decimal: `2%`, `1.5%`.
fn percent_fine(x: f64) -> String {
    let tenths = (x * 1000.0).round() / 10.0;
    if tenths.fract() == 0.0 {
        format!("{tenths:.0}%")
    } else {
        format!("{tenths:.1}%")
    }
}

/// `90 s`, `15 min`, `1 h 30 min`: a duration in seconds, in words.
fn duration(seconds: f64) -> String {
    let s = seconds.round() as u64;
    match (s / 3600, (s % 3600) / 60, s % 60) {
        (0, 0, s) => format!("{s} s"),
        (0, m, 0) => format!("{m} min"),
        (0, m, s) => format!("{m} min {s} s"),
        (h, 0, _) => format!("{h} h"),
        (h, m, _) => format!("{h} h {m} min"),
    }
}

/// Renders `results` as a Markdown report. Deterministic: the same results give
/// the same text, byte for byte.
pub fn render(results: &Results) -> String {
    let results = Summarized::new(results.clone());
    render_summarized(&results, &crate::charts::render_summarized(&results))
}

/// [`render`], linking `charts` (SVG files the caller writes beside the report)
/// instead of rendering them again.
pub fn render_with_charts(results: &Results, charts: &[Chart]) -> String {
    render_summarized(&Summarized::new(results.clone()), charts)
}

/// The Markdown report of `results`, linking `charts` (SVG files the caller
/// writes beside the report).
pub fn render_summarized(results: &Summarized, charts: &[Chart]) -> String {
    let results: &Results = results;
    let report = Report::new(results);
    let mut out = String::new();
    report.header(&mut out);
    report.verdict(&mut out);
    report.quadrants(&mut out);
    let rank = |runner: &str| report.runner_rank(runner);
    if crate::echo::present(results) {
        crate::echo::section(results, &rank, &mut out);
    }
    if crate::hogs::present(results) {
        crate::hogs::section(results, &rank, &report.workloads, &mut out);
    }
    if crate::crash::present(results) {
        crate::crash::section(results, &rank, &report.workloads, &mut out);
    }
    crate::claims::section(results, &rank, &report.workloads, &mut out);
    report.workloads(&mut out);
    charts_section(&mut out, charts);
    report.disclosures(&mut out);
    report.reproduce(&mut out);
    out
}

/// Classes whose runners use several threads when given them.
fn multithreaded_class(class: Class) -> bool {
    matches!(
        class,
        Class::Parallel | Class::ConcurrentParallel | Class::ConcurrentSerialized
    )
}

/// Links the charts, which sit beside the report as SVG files.
fn charts_section(out: &mut String, charts: &[Chart]) {
    if charts.is_empty() {
        return;
    }
    out.push_str("## Charts\n\n");
    out.push_str(
        "Colours mark classes (sequential grey, concurrent blue, parallel green, \
         concurrent-parallel orange, concurrent-serialized red); shades and markers tell \
         runners of one class apart.\n\n",
    );
    for chart in charts {
        writeln!(
            out,
            "![{}]({})\n",
            escape_inline(&chart.title),
            chart.file_name
        )
        .expect("write to String");
    }
}

// ---------------------------------------------------------------------------
// Number formatting

/// A workload's parameters in one short line: `tasks = 1000, weights = 64 values,
/// 1–50`. Long arrays of numbers are summarised rather than listed.
fn describe_params(params: &serde_json::Value) -> String {
    use serde_json::Value;
    let value = |v: &Value| -> String {
        match v {
            Value::String(s) => s.clone(),
            Value::Array(items) => {
                let numbers: Option<Vec<f64>> = items.iter().map(Value::as_f64).collect();
                match numbers {
                    Some(ns) if ns.len() > 4 => {
                        let min = ns.iter().copied().fold(f64::INFINITY, f64::min);
                        let max = ns.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                        if min == max {
                            format!("{} × {min}", ns.len())
                        } else {
                            format!("{} values, {min}–{max}", ns.len())
                        }
                    }
                    _ => v.to_string(),
                }
            }
            other => other.to_string(),
        }
    };
    match params {
        Value::Object(map) if map.is_empty() => "none".into(),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{k} = {}", value(v)))
            .collect::<Vec<_>>()
            .join(", "),
        Value::Null => "not recorded".into(),
        other => value(other),
    }
}

/// Whether two closed intervals share a point.
fn overlaps(a: [f64; 2], b: [f64; 2]) -> bool {
    a[0] <= b[1] && b[0] <= a[1]
}

fn status_word(status: Status) -> &'static str {
    status.as_str()
}

fn kind_label(kind: WorkloadKind) -> &'static str {
    match kind {
        WorkloadKind::Cpu => "CPU-bound",
        WorkloadKind::Io => "I/O-bound",
        WorkloadKind::Mixed => "mixed CPU and I/O",
        WorkloadKind::Overhead => "runtime overhead",
        WorkloadKind::Fault => "fault isolation",
    }
}

// ---------------------------------------------------------------------------
// The report

/// The judged finished cell of a group with the lowest median, and, when the
/// samples support a ranking, the others whose interval overlaps its own.
struct Best<'a> {
    cell: &'a Cell,
    summary: &'a Summary,
    /// Empty unless `ranked`.
    tied: Vec<&'a Cell>,
    /// Every interval of the group supports claims ([`crate::judge::supports`]),
    /// so the best may be called fastest or tied; else it only has the lowest
    /// median.
    ranked: bool,
    /// The summaries of the group, for saying why it is not ranked.
    group: Vec<&'a Summary>,
}

impl<'a> Best<'a> {
    /// `None` when no judged cell of the group finished (disturbed cells and cells
    /// that do not apply take no part).
    fn of(cells: impl IntoIterator<Item = &'a Cell>) -> Option<Self> {
        let mut done: Vec<(&Cell, &Summary)> = cells
            .into_iter()
            .filter_map(|c| Some((c, crate::judge::judged_summary(c)?)))
            .collect();
        done.sort_by(|a, b| a.1.median_wall_s.total_cmp(&b.1.median_wall_s));
        let (&(cell, summary), rest) = done.split_first()?;
        let ranked = rest.iter().all(|(_, s)| crate::judge::supports(s, summary))
            && summary.supports_claims();
        let tied = if ranked {
            rest.iter()
                .filter(|(_, s)| overlaps(s.interval_wall_s, summary.interval_wall_s))
                .map(|&(c, _)| c)
                .collect()
        } else {
            Vec::new()
        };
        Some(Self {
            cell,
            summary,
            tied,
            ranked,
            group: done.iter().map(|&(_, s)| s).collect(),
        })
    }

    /// How to name the best: `the fastest runner` and no caveat, or `the lowest
    /// median` and `3 samples: too few to rank` when the samples do not support a
    /// ranking.
    fn title(&self) -> (&'static str, Option<String>) {
        if self.ranked {
            ("the fastest runner", None)
        } else {
            (
                "the lowest median",
                Some(crate::judge::too_few(self.group.iter().copied())),
            )
        }
    }

    /// `, statistically tied with X and Y` or nothing (always nothing when the
    /// samples do not support a ranking).
    fn ties(&self) -> String {
        if self.tied.is_empty() {
            return String::new();
        }
        let names: Vec<String> = self
            .tied
            .iter()
            .map(|c| {
                if c.threads == self.cell.threads {
                    c.runner.clone()
                } else {
                    format!("{} at {}", c.runner, plural(c.threads, "thread", "threads"))
                }
            })
            .collect();
        format!(", statistically tied with {}", join_and(&names))
    }
}

/// Two wall times within this fraction of each other are called level: neither a
/// gain nor a loss, whatever their intervals say.
const LEVEL_BAND: f64 = 0.03;

/// A multithreaded cell whose median CPU utilisation is at most this many cores
/// did about one thread's work at a time, so its speed is not credited to
/// parallelism.
const PARALLEL_CORES: f64 = 1.2;

/// An open-loop p50 more than this many times the median of every runner's
/// belongs to a runner that could not keep up with the send schedule.
const BEHIND_SCHEDULE: f64 = 10.0;

/// The parameter that holds an open-loop workload's send rate per second.
const OPEN_LOOP_RATE: &str = "rate_per_s";

/// Marks a multithreaded cell of the grid that did not run in parallel.
const NOT_PARALLEL: &str = "‡";

/// Whether a cell kept more than [`PARALLEL_CORES`] busy.
fn ran_in_parallel(summary: &Summary) -> bool {
    summary.cpu_utilisation > PARALLEL_CORES
}

/// How one wall time compares with another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    /// Faster beyond [`LEVEL_BAND`] and outside the other's interval.
    Faster,
    /// Within [`LEVEL_BAND`], or the intervals overlap.
    Level,
    /// Slower beyond [`LEVEL_BAND`] and outside the other's interval.
    Slower,
}

/// A cell's speed relative to another's: their median walls' ratio and what it
/// amounts to.
#[derive(Debug, Clone, Copy)]
struct Versus {
    /// The other's median wall over this one's: above 1 is faster.
    ratio: f64,
    change: Change,
}

impl Versus {
    /// `cell` against `base`.
    fn of(cell: &Summary, base: &Summary) -> Self {
        let ratio = base.median_wall_s / cell.median_wall_s;
        let change = if overlaps(cell.interval_wall_s, base.interval_wall_s)
            || (ratio - 1.0).abs() <= LEVEL_BAND
            || !ratio.is_finite()
        {
            Change::Level
        } else if ratio > 1.0 {
            Change::Faster
        } else {
            Change::Slower
        };
        Self { ratio, change }
    }

    /// The ratio of a level comparison, three significant digits: `0.996×`, or
    /// `1.10×, within noise` when only the intervals make it level.
    fn level(&self) -> String {
        if (self.ratio - 1.0).abs() <= LEVEL_BAND {
            format!("{}×", sig3(self.ratio))
        } else {
            format!("{}×, within noise", sig3(self.ratio))
        }
    }

    /// Against `seq`: `bought 998× over `seq`` (`ran at` without `credit`),
    /// `was level with `seq` (0.978×)`, or `ran at 0.75× `seq`'s speed, taking
    /// 1.33× as long`.
    fn against_seq(&self, credit: bool) -> String {
        match self.change {
            Change::Faster if credit => format!("bought {} over `seq`", times(self.ratio)),
            Change::Faster => format!("ran at {} `seq`", times(self.ratio)),
            Change::Level => format!("was level with `seq` ({})", self.level()),
            Change::Slower => format!(
                "ran at {} `seq`'s speed, taking {} as long",
                times(self.ratio),
                times(1.0 / self.ratio)
            ),
        }
    }

    /// Against the runner `other`: `ran 1.48× as fast as X`, `was level with X
    /// (1.02×)` or `ran at 0.50× X's speed`.
    fn against(&self, other: &str) -> String {
        match self.change {
            Change::Faster => format!("ran {} as fast as {other}", times(self.ratio)),
            Change::Level => format!("was level with {other} ({})", self.level()),
            Change::Slower => format!("ran at {} {other}'s speed", times(self.ratio)),
        }
    }

    /// The overall figure against `seq` after a further gain: `994× over `seq` in
    /// all`, or `0.98× `seq`'s speed in all`.
    fn in_all(&self) -> String {
        if self.ratio >= 1.0 {
            format!("{} over `seq` in all", times(self.ratio))
        } else {
            format!("{} `seq`'s speed in all", times(self.ratio))
        }
    }
}

/// How a runner's sockets wait, from its `net` description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NetKind {
    /// `net` says `blocking` (a whole word: `non-blocking` is not): no reactor.
    Blocking,
    /// Anything else: the sockets wait on a reactor.
    Reactor,
}

/// `None` when the results file does not describe the runner's sockets.
fn net_kind(meta: &RunnerMeta) -> Option<NetKind> {
    let net = meta.net.trim();
    if net.is_empty() {
        return None;
    }
    let blocking = net
        .split(|c: char| c.is_whitespace() || ",;:()".contains(c))
        .any(|word| word == "blocking");
    Some(if blocking {
        NetKind::Blocking
    } else {
        NetKind::Reactor
    })
}

/// `100–106`: the range of `seconds` in milliseconds, or one number.
fn ms_range(seconds: &[f64]) -> String {
    let low = seconds.iter().copied().fold(f64::INFINITY, f64::min);
    let high = seconds.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (a, b) = (ms(low), ms(high));
    if a == b { a } else { format!("{a}–{b}") }
}

/// The summarised results with the orders the report lists things in.
struct Report<'a> {
    results: &'a Results,
    /// Workload ids: the configured order, then any others as they first appear.
    workloads: Vec<&'a str>,
    /// Runner ids, likewise.
    runners: Vec<&'a str>,
}

impl<'a> Report<'a> {
    fn new(results: &'a Results) -> Self {
        let order = |configured: &'a [String], of_cell: fn(&Cell) -> &str| {
            let mut seen: Vec<&'a str> = Vec::new();
            let present = |id: &str| results.cells.iter().any(|c| of_cell(c) == id);
            for id in configured {
                if present(id) && !seen.contains(&id.as_str()) {
                    seen.push(id);
                }
            }
            for cell in &results.cells {
                let id = of_cell(cell);
                if !seen.contains(&id) {
                    seen.push(id);
                }
            }
            seen
        };
        Self {
            results,
            workloads: order(&results.config.workloads, |c| &c.workload),
            runners: order(&results.config.runners, |c| &c.runner),
        }
    }

    fn runner_rank(&self, runner: &str) -> usize {
        self.runners
            .iter()
            .position(|r| *r == runner)
            .unwrap_or(usize::MAX)
    }

    /// The description of `workload` from the results file, if it has one.
    fn workload_meta(&self, workload: &str) -> Option<&'a WorkloadMeta> {
        self.results.workloads.iter().find(|w| w.id == workload)
    }

    /// The kind of `workload`, from its cells.
    fn kind_of(&self, workload: &str) -> Option<WorkloadKind> {
        self.results
            .cells
            .iter()
            .find(|c| c.workload == workload)
            .map(|c| c.workload_kind)
    }

    /// Whether `workload` has a finished `seq` cell that other load did not
    /// disturb: speedups divide by it, so without one they judge nothing.
    fn baseline_judged(&self, workload: &str) -> bool {
        self.results.cells.iter().any(|c| {
            c.workload == workload
                && c.runner == BASELINE_RUNNER
                && crate::judge::judged_summary(c).is_some()
        })
    }

    /// The cells of `workload`, in runner order, then by thread count.
    fn cells_of(&self, workload: &str) -> Vec<&'a Cell> {
        let mut cells: Vec<&Cell> = self
            .results
            .cells
            .iter()
            .filter(|c| c.workload == workload)
            .collect();
        cells.sort_by_key(|c| (self.runner_rank(&c.runner), c.threads));
        cells
    }

    // -- header -------------------------------------------------------------

    fn header(&self, out: &mut String) {
        let r = self.results;
        let m = &r.machine;
        let c = &r.config;
        out.push_str("# rtcompare report\n\n");
        if r.partial {
            out.push_str(
                "**Warning: this run was interrupted or is still in progress; \
                 some cells are missing.**\n\n",
            );
        }
        let threads: Vec<String> = c.threads.iter().map(ToString::to_string).collect();
        let versions: Vec<String> = m
            .crate_versions
            .iter()
            .map(|(name, version)| format!("{name} {version}"))
            .collect();
        let env: Vec<String> = m.env.iter().map(|(k, v)| format!("`{k}={v}`")).collect();
        let mut lines = vec![
            (
                "Machine",
                format!(
                    "{}, {}",
                    m.cpu_model,
                    plural(m.logical_cores, "logical core", "logical cores")
                ),
            ),
            ("OS", format!("{}, kernel {}", m.os, m.kernel)),
            ("Compiler", format!("{}, `{}` profile", m.rustc, m.profile)),
            (
                "Source",
                format!(
                    "rtcompare {}, commit {}",
                    r.tool_version,
                    m.git_commit
                        .as_deref()
                        .map_or("unknown".into(), |g| format!("`{g}`"))
                ),
            ),
            ("Created", r.created.clone()),
            (
                "Run",
                format!(
                    "preset `{}`, {} after {} warm-up{}, seed {}, threads {}, cell time limit {} s{}",
                    c.preset,
                    match c.sampling {
                        Some(ref s) if s.min_samples != s.max_samples => {
                            format!("{}–{} samples", s.min_samples, s.max_samples)
                        }
                        _ => plural(c.samples, "sample", "samples"),
                    },
                    c.warmup,
                    if c.sampling.is_some() {
                        " per process"
                    } else {
                        ""
                    },
                    c.seed,
                    threads.join(", "),
                    c.timeout_s,
                    c.rate.map_or(String::new(), |r| format!(
                        ", open-loop rate {} req/s",
                        crate::format::thousands(r)
                    ))
                ),
            ),
            (
                "Runtimes",
                if versions.is_empty() {
                    "not recorded".into()
                } else {
                    versions.join(", ")
                },
            ),
            (
                "Features",
                if m.features.is_empty() {
                    "default".into()
                } else {
                    m.features.join(", ")
                },
            ),
            (
                "Environment",
                if env.is_empty() {
                    "no runtime variables set".into()
                } else {
                    env.join(", ")
                },
            ),
        ];
        // Files before schema 3 record neither: nothing is said then.
        if let Some(sampling) = self.sampling_line() {
            lines.push(("Sampling", sampling));
        }
        if let Some(interference) = self.interference_line() {
            lines.push(("Interference", interference));
        }
        for (label, value) in lines {
            writeln!(out, "- **{label}:** {value}").expect("write to String");
        }
        write!(out, "\nReproduce with:\n\n```sh\n{}\n```\n\n", c.command).expect("write to String");
    }

    /// The sampling rule of the run and how the cells ended under it: `None` when
    /// the file records neither (before schema 3).
    fn sampling_line(&self) -> Option<String> {
        let r = self.results;
        let cells: Vec<&Sampling> = r.cells.iter().filter_map(|c| c.sampling.as_ref()).collect();
        let mut parts: Vec<String> = Vec::new();
        if let Some(c) = &r.config.sampling {
            parts.push(format!(
                "{}–{} samples per cell, {} per process from at least {}; precision target \
                 ±{} of the median for CPU-bound cells, ±{} for the others; {}; a sample is \
                 disturbed above {} cores of foreign load, re-taken up to {} times per cell process",
                c.min_samples,
                c.max_samples,
                c.samples_per_process,
                plural(c.min_processes, "process", "processes"),
                percent_fine(c.precision_cpu),
                percent_fine(c.precision_other),
                c.budget_s.map_or("no time budget".into(), |b| format!(
                    "time budget {}",
                    duration(b)
                )),
                cores(c.interference_threshold_cores),
                c.max_retakes
            ));
        }
        if !cells.is_empty() {
            use crate::model::StopReason;
            let count = |reason: StopReason| cells.iter().filter(|s| s.stop == reason).count();
            let stops: Vec<String> = [
                StopReason::Precision,
                StopReason::Budget,
                StopReason::MaxSamples,
                StopReason::Fixed,
                StopReason::Ended,
            ]
            .into_iter()
            .filter(|&reason| count(reason) > 0)
            .map(|reason| format!("{} {}", reason.as_str(), count(reason)))
            .collect();
            parts.push(format!(
                "cells stopped on {} (of {})",
                stops.join(", "),
                cells.len()
            ));
            let mut cpu: Vec<(f64, &Cell)> = r
                .cells
                .iter()
                .filter(|c| c.workload_kind == WorkloadKind::Cpu && c.status == Status::Ok)
                .filter_map(|c| Some((c.sampling.as_ref()?.half_width?, c)))
                .collect();
            if !cpu.is_empty() {
                cpu.sort_by(|a, b| a.0.total_cmp(&b.0));
                let widths: Vec<f64> = cpu.iter().map(|&(w, _)| w).collect();
                let (worst, worst_cell) = cpu[cpu.len() - 1];
                parts.push(format!(
                    "CPU-bound cells reached ±{} (median) and ±{} at worst (`{}`)",
                    percent_fine(crate::stats::median(&widths)),
                    percent_fine(worst),
                    worst_cell.key()
                ));
            }
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }

    /// Other load on the machine: what the pre-flight check saw and what the cells
    /// measured during their samples. `None` when the file records neither.
    fn interference_line(&self) -> Option<String> {
        let r = self.results;
        let mut parts: Vec<String> = Vec::new();
        if let Some(p) = &r.preflight {
            let [one, five, fifteen] = p.load_average;
            let mut text = format!(
                "before the run, load average {one:.2}, {five:.2}, {fifteen:.2} and {} cores of \
                 foreign load over {} s",
                cores(p.foreign_cores),
                sig3(p.window_s)
            );
            if !p.busiest.is_empty() {
                let busiest: Vec<String> = p
                    .busiest
                    .iter()
                    .take(3)
                    .map(|b| format!("{} ({} cores)", escape_inline(&b.name), cores(b.cores)))
                    .collect();
                write!(text, " (busiest: {})", busiest.join(", ")).expect("write to String");
            }
            parts.push(text);
        }
        let measured: Vec<(&Cell, &crate::model::Interference)> = r
            .cells
            .iter()
            .filter_map(|c| Some((c, c.interference.as_ref()?)))
            .collect();
        if !measured.is_empty() {
            let retaken: Vec<usize> = measured.iter().map(|(_, i)| i.retaken).collect();
            let in_cells = retaken.iter().filter(|&&n| n > 0).count();
            let max = measured
                .iter()
                .map(|(_, i)| i.foreign_cores_max)
                .fold(0.0, f64::max);
            let steal = measured
                .iter()
                .map(|(_, i)| i.steal_cores_max)
                .fold(0.0, f64::max);
            let mut text = format!(
                "during the run, {} re-taken in {} of {} cells; the most foreign load over a \
                 sample was {} cores",
                plural(retaken.iter().sum(), "sample", "samples"),
                in_cells,
                measured.len(),
                cores(max)
            );
            if steal > 0.0 {
                write!(text, ", the most steal {} cores", cores(steal)).expect("write to String");
            }
            let disturbed: Vec<String> = measured
                .iter()
                .filter(|(c, _)| c.disturbed())
                .map(|(c, _)| format!("`{}`", c.key()))
                .collect();
            if disturbed.is_empty() {
                text.push_str("; no cell stayed disturbed");
            } else {
                write!(
                    text,
                    "; {} stayed disturbed and {} left out of the verdicts ({})",
                    plural(disturbed.len(), "cell", "cells"),
                    if disturbed.len() == 1 { "is" } else { "are" },
                    join_and(&disturbed)
                )
                .expect("write to String");
            }
            parts.push(text);
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }

    // -- verdict ------------------------------------------------------------

    fn verdict(&self, out: &mut String) {
        out.push_str("## Verdict\n\n");
        self.verdict_caveats(out);
        let mut any = false;
        for kind in [
            WorkloadKind::Cpu,
            WorkloadKind::Io,
            WorkloadKind::Mixed,
            WorkloadKind::Overhead,
            WorkloadKind::Fault,
        ] {
            for &workload in &self.workloads {
                let all = self.cells_of(workload);
                if all.first().map(|c| c.workload_kind) != Some(kind) {
                    continue;
                }
                any = true;
                // Cells that do not apply, or that other load disturbed, take no
                // part in any comparison.
                let cells: Vec<&Cell> = all
                    .iter()
                    .copied()
                    .filter(|c| crate::judge::judged(c))
                    .collect();
                let line = if cells.is_empty() && all.iter().any(|c| c.disturbed()) {
                    format!(
                        "**{workload}** ({}): every cell that applies was disturbed by other \
                         load, so there is no verdict (see {} under its table).",
                        kind_label(kind),
                        crate::judge::DISTURBED
                    )
                } else if kind == WorkloadKind::Overhead {
                    format!(
                        "**{workload}** ({}): {}",
                        kind_label(kind),
                        crate::overhead::verdict(self.results, workload, &cells)
                    )
                } else if kind == WorkloadKind::Fault {
                    // Its times say nothing; what survived is the result.
                    format!(
                        "**{workload}** ({}): see *{}*.",
                        kind_label(kind),
                        crate::crash::TITLE
                    )
                } else {
                    self.verdict_line(workload, kind, &all, &cells)
                };
                writeln!(out, "- {line}").expect("write to String");
            }
        }
        if !any {
            out.push_str("No cells were recorded.\n");
        }
        out.push('\n');
    }

    /// What the verdicts below leave out and how far they may rank: the disturbed
    /// cells, named, and the weakest interval they rest on when it is too weak for
    /// "fastest" or "tied".
    fn verdict_caveats(&self, out: &mut String) {
        let disturbed: Vec<String> = self
            .results
            .cells
            .iter()
            .filter(|c| c.applies() && c.disturbed())
            .map(|c| format!("`{}`", c.key()))
            .collect();
        if !disturbed.is_empty() {
            writeln!(
                out,
                "{} {} disturbed by other load on the machine even after re-takes and {} left \
                 out of the verdicts, the grid, the claims and the findings (shown, marked {}, \
                 in the tables): {}.\n",
                plural(disturbed.len(), "cell", "cells"),
                if disturbed.len() == 1 { "was" } else { "were" },
                if disturbed.len() == 1 { "is" } else { "are" },
                crate::judge::DISTURBED,
                join_and(&disturbed)
            )
            .expect("write to String");
        }
        let weakest = self
            .results
            .cells
            .iter()
            .filter_map(crate::judge::judged_summary)
            .filter(|s| !s.supports_claims())
            .min_by(|a, b| {
                a.interval_coverage
                    .total_cmp(&b.interval_coverage)
                    .then(a.samples.cmp(&b.samples))
            });
        if let Some(s) = weakest {
            writeln!(
                out,
                "Some cells have too few samples for a ranking (the weakest interval: {}), so \
                 where they are compared, \"best\" means only the lowest median: no order \
                 between runners is claimed there.\n",
                crate::judge::interval_kind(s)
            )
            .expect("write to String");
        }
    }

    /// The verdict on one workload; `all` are its cells, `cells` those judged.
    fn verdict_line(
        &self,
        workload: &str,
        kind: WorkloadKind,
        all: &[&'a Cell],
        cells: &[&'a Cell],
    ) -> String {
        let mut line = format!("**{workload}** ({}): ", kind_label(kind));
        if cells.is_empty() {
            line.push_str("no runner applies.");
            return line;
        }
        // On a send schedule, wall time is the schedule's: no speedup means anything.
        if let Some(rate) = self.open_loop(workload) {
            self.open_loop_verdict(&mut line, workload, rate, cells);
            return line;
        }
        let seq_cells: Vec<&Cell> = all
            .iter()
            .copied()
            .filter(|c| c.runner == BASELINE_RUNNER)
            .collect();
        let Some(seq) = seq_cells
            .iter()
            .find(|c| crate::judge::judged_summary(c).is_some())
        else {
            let why = match seq_cells.first() {
                Some(c) if c.disturbed() => "`seq` was disturbed by other load",
                Some(c) if c.status == Status::Timeout => "`seq` timed out",
                Some(c) if c.status == Status::NotApplicable => "`seq` does not apply",
                Some(_) => "`seq` failed",
                None => "`seq` is missing",
            };
            write!(line, "{why}, so speedups can't be computed").expect("write to String");
            match Best::of(cells.iter().copied()) {
                Some(best) => {
                    let (title, caveat) = best.title();
                    write!(
                        line,
                        "; {title} was {}{} (given {}; {} cores busy) at {} ms{}.",
                        best.cell.runner,
                        if caveat.is_some() { "'s" } else { "" },
                        plural(best.cell.threads, "thread", "threads"),
                        cores(best.summary.cpu_utilisation),
                        ms(best.summary.median_wall_s),
                        caveat.map_or(String::new(), |c| format!(" ({c})"))
                    )
                }
                None => write!(line, "; no cell finished."),
            }
            .expect("write to String");
            return self.see_also(workload, line);
        };

        let concurrent: Vec<&Cell> = cells
            .iter()
            .copied()
            .filter(|c| c.class == Class::Concurrent)
            .collect();
        // A multithreaded runner given one thread is not parallel in that cell.
        let multithreaded: Vec<&Cell> = cells
            .iter()
            .copied()
            .filter(|c| matches!(c.class, Class::ConcurrentParallel | Class::Parallel))
            .filter(|c| c.threads > 1)
            .collect();
        let conc = Best::of(concurrent.iter().copied());
        let par = Best::of(multithreaded.iter().copied());

        let seq_summary = seq.summary.as_ref().expect("seq finished");
        let mut clauses = Vec::new();
        match &conc {
            Some(b) => clauses.push(format!(
                "concurrency alone (best single-threaded executor: {}{}) {}",
                b.cell.runner,
                b.ties(),
                Versus::of(b.summary, seq_summary).against_seq(true)
            )),
            None if !concurrent.is_empty() => {
                clauses.push("no single-threaded executor finished".into())
            }
            None => {}
        }
        match &par {
            Some(b) => clauses.push(self.parallel_clause(
                workload,
                kind,
                seq,
                conc.as_ref(),
                b,
                &multithreaded,
            )),
            None if !multithreaded.is_empty() => {
                clauses.push("no multithreaded runner finished".into())
            }
            None => {}
        }
        if clauses.is_empty() {
            line.push_str("only `seq` ran.");
        } else {
            line.push_str(&clauses.join("; "));
            line.push('.');
        }

        let mut extrapolated: Vec<String> = Vec::new();
        let leaders = [
            Some(*seq),
            conc.as_ref().map(|b| b.cell),
            par.as_ref().map(|b| b.cell),
        ];
        for cell in leaders.into_iter().flatten() {
            let name = format!("`{}`", cell.runner);
            if cell.extrapolation.is_some() && !extrapolated.contains(&name) {
                extrapolated.push(name);
            }
        }
        if !extrapolated.is_empty() {
            write!(
                line,
                " ({} extrapolated from a subset of the work; see {EXTRAPOLATED} below.)",
                join_and(&extrapolated)
            )
            .expect("write to String");
        }

        if let Some(s) = self.ideal_sentence(workload, cells) {
            line.push(' ');
            line.push_str(&s);
        }
        if kind == WorkloadKind::Cpu {
            if let Some(s) = self.static_split_sentence(cells) {
                line.push(' ');
                line.push_str(&s);
            }
        }
        self.see_also(workload, line)
    }

    /// `line` with a pointer to the section that reads the workload's latencies,
    /// when the report has one for it.
    fn see_also(&self, workload: &str, mut line: String) -> String {
        if let Some(section) = self.latency_section(workload) {
            write!(line, " Latencies: see *{section}*.").expect("write to String");
        }
        line
    }

    /// The title of the section that reads `workload`'s latencies, when the report
    /// has one for it and a finished cell of the workload measured latency.
    fn latency_section(&self, workload: &str) -> Option<&'static str> {
        let section = if [
            crate::echo::UNLOADED,
            crate::echo::LOADED,
            crate::echo::OPEN,
        ]
        .contains(&workload)
        {
            crate::echo::TITLE
        } else if workload.starts_with(crate::hogs::PREFIX) {
            crate::hogs::TITLE
        } else {
            return None;
        };
        let has_latency =
            self.results.cells.iter().any(|c| {
                c.workload == workload && c.status == Status::Ok && c.latency_us.is_some()
            });
        has_latency.then_some(section)
    }

    /// The description of the runner of `cell` in the results file, if it has one.
    fn runner_meta(&self, cell: &Cell) -> Option<&'a RunnerMeta> {
        self.results.runners.iter().find(|m| m.id == cell.runner)
    }

    /// What the best multithreaded runner bought, as measured and attributed.
    ///
    /// Parallelism is credited only when the runner kept more than
    /// [`PARALLEL_CORES`] busy; otherwise its speed came from something else and
    /// the clause says so. On the socket workloads, a multithreaded runner that
    /// blocks on its sockets as `seq` does (no reactor) is measured against `seq`,
    /// not against the single-threaded executors (which wait on a reactor), so
    /// the I/O model's share of its lead is not credited to parallelism.
    fn parallel_clause(
        &self,
        workload: &str,
        kind: WorkloadKind,
        seq: &'a Cell,
        conc: Option<&Best<'a>>,
        par: &Best<'a>,
        multithreaded: &[&'a Cell],
    ) -> String {
        let seq_summary = seq.summary.as_ref().expect("seq finished");
        let name = format!(
            "{}, {}{}",
            par.cell.runner,
            plural(par.cell.threads, "thread", "threads"),
            par.ties()
        );
        let busy = format!("{} cores busy", cores(par.summary.cpu_utilisation));
        let vs_seq = Versus::of(par.summary, seq_summary);
        let like_seq = conc.is_some_and(|c| self.blocks_like_seq(workload, seq, c.cell, par.cell));

        if !ran_in_parallel(par.summary) {
            let mut text = format!(
                "the best multithreaded runner ({name}) {} with {busy}",
                vs_seq.against_seq(false)
            );
            let mut cause = String::new();
            if let Some(c) = conc {
                let vs_conc = Versus::of(par.summary, c.summary);
                write!(text, " and {}", vs_conc.against(&c.cell.runner)).expect("write to String");
                let seq_lead = Versus::of(seq_summary, c.summary);
                if like_seq && vs_conc.change == Change::Faster && seq_lead.change == Change::Faster
                {
                    cause = format!(
                        "; like `seq` it blocks on its sockets with no reactor, which is where \
                         its lead over {} comes from",
                        c.cell.runner
                    );
                }
            }
            write!(text, ": not a gain from parallelism{cause}").expect("write to String");
            return text;
        }

        let who = format!("(best multithreaded runner: {name})");
        let Some(c) = conc.filter(|_| kind != WorkloadKind::Cpu) else {
            if kind == WorkloadKind::Cpu && vs_seq.change == Change::Faster {
                let efficiency = par.summary.efficiency.map_or(String::new(), |e| {
                    format!(" ({})", self.efficiency_words(e, par.cell, par.summary))
                });
                return format!("parallelism {who} at {}{efficiency}", times(vs_seq.ratio));
            }
            return format!("parallelism {who} {} with {busy}", vs_seq.against_seq(true));
        };
        let vs_conc = Versus::of(par.summary, c.summary);
        if like_seq {
            // Its gain over `seq` is parallelism's; the rest of its lead over the
            // single-threaded executors is blocking I/O against a reactor.
            let mut text = format!(
                "parallelism {who} {} with {busy}, blocking on its sockets with no reactor as \
                 `seq` does",
                vs_seq.against_seq(true)
            );
            let seq_lead = Versus::of(seq_summary, c.summary);
            if vs_conc.change == Change::Faster
                && vs_seq.change == Change::Faster
                && seq_lead.change == Change::Faster
            {
                write!(
                    text,
                    ", so of its {} over {}, {} is blocking I/O's lead (`seq` over it), not \
                     parallelism",
                    times(vs_conc.ratio),
                    c.cell.runner,
                    times(seq_lead.ratio)
                )
            } else {
                write!(text, "; it {}", vs_conc.against(&c.cell.runner))
            }
            .expect("write to String");
            // What parallelism bought where the sockets wait on a reactor.
            let reactor = Best::of(multithreaded.iter().copied().filter(|m| {
                self.runner_meta(m)
                    .is_some_and(|meta| net_kind(meta) == Some(NetKind::Reactor))
            }));
            if let Some(r) = reactor {
                let vs = Versus::of(r.summary, c.summary);
                let name = format!(
                    "{}, {}",
                    r.cell.runner,
                    plural(r.cell.threads, "thread", "threads")
                );
                let busy = format!("{} cores busy", cores(r.summary.cpu_utilisation));
                if vs.change == Change::Faster && ran_in_parallel(r.summary) {
                    write!(
                        text,
                        "; on a reactor, parallelism ({name}) bought a further {} over {} with \
                         {busy}",
                        times(vs.ratio),
                        c.cell.runner
                    )
                } else {
                    write!(
                        text,
                        "; on a reactor, the best multithreaded runner ({name}) {} with {busy}",
                        vs.against(&c.cell.runner)
                    )
                }
                .expect("write to String");
            }
            return text;
        }
        let gain = match vs_conc.change {
            Change::Faster => format!("bought a further {}", times(vs_conc.ratio)),
            Change::Level => format!("added nothing measurable ({})", vs_conc.level()),
            Change::Slower => format!("made it slower ({})", times(vs_conc.ratio)),
        };
        format!(
            "adding parallelism {who} {gain} with {busy}, {}",
            vs_seq.in_all()
        )
    }

    /// Whether, on a socket workload, `seq` and the multithreaded runner `par`
    /// both block on their sockets while the single-threaded executor `conc`
    /// waits on a reactor (from the runners' `net` descriptions).
    fn blocks_like_seq(&self, workload: &str, seq: &Cell, conc: &Cell, par: &Cell) -> bool {
        let sockets = [
            crate::echo::UNLOADED,
            crate::echo::LOADED,
            crate::echo::OPEN,
        ]
        .contains(&workload);
        let kind = |cell: &Cell| self.runner_meta(cell).and_then(net_kind);
        sockets
            && kind(seq) == Some(NetKind::Blocking)
            && kind(par) == Some(NetKind::Blocking)
            && kind(conc) == Some(NetKind::Reactor)
    }

    /// The send rate of an open-loop workload (`Some(None)` when it does not say
    /// one), or `None` for a workload that is not open loop: one whose cells have
    /// a [`OPEN_LOOP_RATE`] parameter, or whose description says `open loop`.
    fn open_loop(&self, workload: &str) -> Option<Option<f64>> {
        let rate = self
            .results
            .cells
            .iter()
            .filter(|c| c.workload == workload && c.applies())
            .find_map(|c| c.param(OPEN_LOOP_RATE));
        if rate.is_some() {
            return Some(rate);
        }
        let summary = self.workload_meta(workload)?.summary.to_lowercase();
        (summary.contains("open loop") || summary.contains("open-loop"))
            .then_some(self.results.config.rate)
    }

    /// The verdict on an open-loop workload (after its name in `line`): the send
    /// schedule sets the wall time, so it points to the latencies instead and
    /// names the runners that fell behind the schedule.
    fn open_loop_verdict(
        &self,
        line: &mut String,
        workload: &str,
        rate: Option<f64>,
        cells: &[&'a Cell],
    ) {
        line.push_str("sends on a fixed schedule");
        if let Some(rate) = rate {
            write!(line, " ({} req/s)", crate::format::thousands(rate)).expect("write to String");
        }
        line.push_str(", so the schedule sets its wall time");
        let walls: Vec<f64> = cells
            .iter()
            .filter_map(|c| Some(crate::judge::judged_summary(c)?.median_wall_s))
            .collect();
        if !walls.is_empty() {
            write!(
                line,
                " ({} ms on every runner that finished)",
                ms_range(&walls)
            )
            .expect("write to String");
        }
        line.push_str(" and speedups mean nothing: compare latencies");
        if let Some(section) = self.latency_section(workload) {
            write!(line, " (see *{section}*)").expect("write to String");
        }
        line.push('.');
        if let Some(behind) = self.behind_schedule(cells) {
            line.push(' ');
            line.push_str(&behind);
        }
    }

    /// The runners whose open-loop p50 is more than [`BEHIND_SCHEDULE`] times the
    /// median of every runner's, with the numbers, and why when the runner
    /// descriptions say: a runner that blocks on one connection per thread, with
    /// a fixed number of threads, serves only that many connections at a time,
    /// so the requests of the others go out late.
    fn behind_schedule(&self, cells: &[&'a Cell]) -> Option<String> {
        let measured: Vec<(&Cell, f64)> = cells
            .iter()
            .filter(|c| c.status == Status::Ok && crate::judge::judged(c))
            .filter_map(|&c| Some((c, c.latency_us?.p50)))
            .filter(|(_, p50)| p50.is_finite())
            .collect();
        let p50s: Vec<f64> = measured.iter().map(|&(_, p)| p).collect();
        if p50s.is_empty() {
            return None;
        }
        let limit = BEHIND_SCHEDULE * crate::stats::median(&p50s);
        let (behind, kept): (Vec<_>, Vec<_>) =
            measured.iter().copied().partition(|&(_, p)| p > limit);
        if behind.is_empty() || kept.is_empty() {
            return None;
        }
        let mut names: Vec<String> = Vec::new();
        for (cell, _) in &behind {
            if !names.contains(&cell.runner) {
                names.push(cell.runner.clone());
            }
        }
        let numbers = format!(
            "open-loop p50 {} against {} for the other runners",
            crate::format::span_us(&behind.iter().map(|&(_, p)| p).collect::<Vec<_>>()),
            crate::format::span_us(&kept.iter().map(|&(_, p)| p).collect::<Vec<_>>())
        );
        // A fixed number of threads, each blocked on one connection at a time.
        let one_at_a_time = behind.iter().all(|(cell, _)| {
            self.runner_meta(cell).is_some_and(|m| {
                net_kind(m) == Some(NetKind::Blocking) && m.threads_knob != "per-task"
            })
        });
        let connections: Vec<f64> = behind
            .iter()
            .filter_map(|(cell, _)| crate::echo::connections(cell))
            .collect();
        if !one_at_a_time {
            return Some(format!(
                "{} fell behind the schedule: {numbers}.",
                join_and(&names)
            ));
        }
        let at_once = match connections.as_slice() {
            [first, rest @ ..]
                if connections.len() == behind.len() && rest.iter().all(|c| c == first) =>
            {
                let counts: Vec<f64> = behind
                    .iter()
                    .map(|(cell, _)| first.min(cell.threads as f64))
                    .collect();
                let low = counts.iter().copied().fold(f64::INFINITY, f64::min);
                let high = counts.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let range = if low == high {
                    crate::format::thousands(low)
                } else {
                    format!(
                        "{}–{}",
                        crate::format::thousands(low),
                        crate::format::thousands(high)
                    )
                };
                format!(
                    ", {range} of the {} at a time",
                    crate::format::thousands(*first)
                )
            }
            _ => String::new(),
        };
        Some(format!(
            "{} block on one connection per thread{at_once}, so the requests of the \
             connections waiting their turn go out late: {numbers}.",
            join_and(&names)
        ))
    }

    /// `efficiency 100%`, or, for more threads than cores, `efficiency 100% of the
    /// 2 cores; 4 threads on 2 cores (oversubscribed)`: efficiency is speedup ÷
    /// min(threads, cores), so oversubscription is its own fact, not lost efficiency.
    fn efficiency_words(&self, efficiency: f64, cell: &Cell, summary: &Summary) -> String {
        let mut text = format!("efficiency {}", percent(efficiency));
        if summary.oversubscribed {
            let cores = self.results.machine.logical_cores;
            write!(
                text,
                " of the {cores} cores; {} on {cores} cores (oversubscribed)",
                plural(cell.threads, "thread", "threads")
            )
            .expect("write to String");
        }
        text
    }

    /// How close the best runner came to the workload's ideal wall time, and why
    /// none reaches it.
    fn ideal_sentence(&self, workload: &str, cells: &[&'a Cell]) -> Option<String> {
        let ideal = self.workload_meta(workload)?.ideal_wall_s?;
        let best = Best::of(cells.iter().copied())?;
        // Only a timer that says it has a resolution ends sleeps on a tick.
        let ticks = self
            .runner_meta(best.cell)
            .is_some_and(|m| m.timer.contains("resolution"));
        let why = if ticks {
            "timer granularity (each sleep ends at the timer's next tick) plus waking and \
             scheduling every task"
        } else {
            "the timer's lateness in firing plus waking and scheduling every task"
        };
        let (title, caveat) = best.title();
        Some(format!(
            "{} ({}, {} ms{}) was {:.1}% over the ideal of {} ms: the gap is {why}.",
            capitalise(title),
            best.cell.runner,
            ms(best.summary.median_wall_s),
            caveat.map_or(String::new(), |c| format!("; {c}")),
            (best.summary.median_wall_s / ideal - 1.0) * 100.0,
            ms(ideal)
        ))
    }

    /// Compares the static split with the best dynamic scheduler at the same thread
    /// count, for CPU-bound workloads (where only scheduling differs between them).
    fn static_split_sentence(&self, cells: &[&'a Cell]) -> Option<String> {
        let statics: Vec<&Cell> = cells
            .iter()
            .copied()
            .filter(|c| c.family == Family::StaticSplit)
            .collect();
        let first = statics.first()?;
        let Some(stat) = Best::of(statics.iter().copied()) else {
            return Some(format!(
                "Static split ({}) did not finish ({}).",
                first.runner,
                status_word(first.status)
            ));
        };
        let dynamic = Best::of(cells.iter().copied().filter(|c| {
            matches!(c.family, Family::WorkStealing | Family::SharedQueue)
                && c.threads == stat.cell.threads
        }))?;
        let (s, d) = (stat.summary, dynamic.summary);
        let figures = match (s.speedup_vs_seq, d.speedup_vs_seq) {
            (Some(a), Some(b)) => format!("reached {} against {}", times(a), times(b)),
            _ => format!(
                "took {} ms against {} ms",
                ms(s.median_wall_s),
                ms(d.median_wall_s)
            ),
        };
        let behind = s.median_wall_s / d.median_wall_s - 1.0;
        let supported = crate::judge::supports(s, d);
        let reading = if overlaps(s.interval_wall_s, d.interval_wall_s) && supported {
            "statistically tied, so equal shares were enough here".to_owned()
        } else if overlaps(s.interval_wall_s, d.interval_wall_s) {
            format!(
                "their intervals overlap, but with {} no order between them is claimed",
                crate::judge::too_few([s, d]).replace(": too few to rank", "")
            )
        } else if behind >= UNEVEN_GAP {
            format!(
                "{:.0}% slower, because with fixed shares the thread holding the costly chunks \
                 sets the pace while the others sit idle",
                behind * 100.0
            )
        } else if behind > 0.0 {
            format!(
                "{:.1}% slower, a small gap (the fixed shares were close to even)",
                behind * 100.0
            )
        } else if supported {
            "faster here, as equal shares need no coordination".to_owned()
        } else {
            format!(
                "a lower median here, as equal shares need no coordination ({})",
                crate::judge::too_few([s, d])
            )
        };
        Some(format!(
            "Static split ({}) {figures} for dynamic scheduling ({}) on {}: {reading}.",
            stat.cell.runner,
            dynamic.cell.runner,
            plural(stat.cell.threads, "thread", "threads"),
        ))
    }

    // -- the concurrency × parallelism grid ---------------------------------

    /// One row per class present, one column per workload: the class's best cell
    /// and its speedup over `seq`. The spine of the report (DESIGN §1).
    fn quadrants(&self, out: &mut String) {
        const CLASSES: [Class; 5] = [
            Class::Sequential,
            Class::Concurrent,
            Class::Parallel,
            Class::ConcurrentParallel,
            Class::ConcurrentSerialized,
        ];
        // A workload on a send schedule has no speedup worth showing: the
        // schedule sets its wall time.
        let (scheduled, timed): (Vec<&str>, Vec<&str>) = self
            .workloads
            .iter()
            .filter(|&&w| self.kind_of(w) != Some(WorkloadKind::Fault))
            .partition(|&&w| self.open_loop(w).is_some());
        // A workload with no speedup at all (no `seq` that applies or finished)
        // has nothing to show in the grid.
        let (workloads, left_out): (Vec<&str>, Vec<&str>) = timed.iter().partition(|&&w| {
            self.baseline_judged(w)
                && self.results.cells.iter().any(|c| {
                    c.workload == w
                        && crate::judge::judged_summary(c)
                            .is_some_and(|s| s.speedup_vs_seq.is_some())
                })
        });
        let present: Vec<Class> = CLASSES
            .into_iter()
            .filter(|class| {
                self.results.cells.iter().any(|c| {
                    c.class == *class
                        && crate::judge::judged(c)
                        && workloads.contains(&c.workload.as_str())
                })
            })
            .collect();
        if present.is_empty() {
            return;
        }
        out.push_str("## Concurrency × parallelism\n\n");
        out.push_str(
            "The best runner of each class on each workload, and its speedup over `seq`.\n\n",
        );
        let mut columns = vec![("Class".to_owned(), Align::Left)];
        columns.extend(
            workloads
                .iter()
                .map(|w| (format!("{w} [speedup]"), Align::Right)),
        );
        let mut table = Table::new(columns);
        // CPU utilisation of the multithreaded cells shown that were not parallel.
        let mut not_parallel: Vec<f64> = Vec::new();
        for class in present {
            let mut row = vec![class.to_string()];
            for &workload in &workloads {
                let cells = self.cells_of(workload);
                let best = cells
                    .iter()
                    .copied()
                    .filter(|c| c.class == class)
                    // A multithreaded class at one thread is not parallel there.
                    .filter(|c| c.threads > 1 || !multithreaded_class(class))
                    .filter_map(|c| Some((c, crate::judge::judged_summary(c)?.speedup_vs_seq?)))
                    .max_by(|a, b| a.1.total_cmp(&b.1));
                row.push(match best {
                    Some((cell, speedup)) => {
                        let mut text =
                            format!("{} (t{}) {}", cell.runner, cell.threads, times(speedup));
                        if let Some(s) = cell
                            .summary
                            .as_ref()
                            .filter(|s| multithreaded_class(class) && !ran_in_parallel(s))
                        {
                            not_parallel.push(s.cpu_utilisation);
                            write!(text, " {NOT_PARALLEL}").expect("write to String");
                        }
                        text
                    }
                    None => NONE.into(),
                });
            }
            table.push_row(row);
        }
        out.push_str(&table.to_markdown());
        out.push('\n');
        if !not_parallel.is_empty() {
            let low = not_parallel.iter().copied().fold(f64::INFINITY, f64::min);
            let high = not_parallel
                .iter()
                .copied()
                .fold(f64::NEG_INFINITY, f64::max);
            let busy = if cores(low) == cores(high) {
                cores(low)
            } else {
                format!("{}–{}", cores(low), cores(high))
            };
            writeln!(
                out,
                "{NOT_PARALLEL} At most {} cores busy (here {busy}): that speedup is not a gain \
                 from parallelism.\n",
                cores(PARALLEL_CORES)
            )
            .expect("write to String");
        }
        let names = |ids: &[&str]| -> String {
            let names: Vec<String> = ids.iter().map(|w| format!("`{w}`")).collect();
            join_and(&names)
        };
        if !left_out.is_empty() {
            writeln!(
                out,
                "Not in the grid, having no finished, undisturbed `seq` cell to take speedups \
                 from: {}.\n",
                names(&left_out)
            )
            .expect("write to String");
        }
        if !scheduled.is_empty() {
            writeln!(
                out,
                "Not in the grid, sending on a fixed schedule that sets the wall time, so a \
                 speedup means nothing: {}.\n",
                names(&scheduled)
            )
            .expect("write to String");
        }
    }

    // -- reproduce ----------------------------------------------------------

    fn reproduce(&self, out: &mut String) {
        let r = self.results;
        if !out.ends_with("\n\n") {
            out.push('\n');
        }
        out.push_str("## Reproduce\n\n");
        writeln!(
            out,
            "rtcompare {}, commit `{}`, {}; created {}.\n\n```sh\n{}\n```",
            r.tool_version,
            r.machine.git_commit.as_deref().unwrap_or("unknown"),
            r.machine.rustc,
            r.created,
            r.config.command
        )
        .expect("write to String");
    }

    // -- per-workload tables ------------------------------------------------

    fn workloads(&self, out: &mut String) {
        out.push_str("## Results by workload\n\n");
        for &workload in &self.workloads {
            self.workload_table(out, workload);
        }
    }

    fn workload_table(&self, out: &mut String, workload: &str) {
        let all = self.cells_of(workload);
        // Cells that do not apply are listed under the table, not in it.
        let mut cells: Vec<&Cell> = all.iter().copied().filter(|c| c.applies()).collect();
        // Judged finished cells fastest first, then the disturbed ones (shown, not
        // ranked); the rest keep runner order at the bottom.
        let rank = |c: &Cell| match (&c.summary, c.disturbed()) {
            (Some(_), false) => 0,
            (Some(_), true) => 1,
            (None, _) => 2,
        };
        cells.sort_by(|a, b| {
            rank(a).cmp(&rank(b)).then(match (&a.summary, &b.summary) {
                (Some(x), Some(y)) => x.median_wall_s.total_cmp(&y.median_wall_s),
                _ => std::cmp::Ordering::Equal,
            })
        });

        writeln!(out, "### {workload}\n").expect("write to String");
        let kind = all.first().map(|c| c.workload_kind);
        if let Some(first) = all.first() {
            let kind = capitalise(kind_label(first.workload_kind));
            match self.workload_meta(workload) {
                Some(meta) => writeln!(
                    out,
                    "{kind} — {}; `{}` preset: {}.{}\n",
                    escape_inline(&meta.summary),
                    self.results.config.preset,
                    escape_inline(&meta.size),
                    meta.ideal_wall_s.map_or(String::new(), |ideal| format!(
                        " Ideal wall time: {} ms (no runner can finish sooner).",
                        ms(ideal)
                    ))
                ),
                None => {
                    let params = cells
                        .iter()
                        .find(|c| c.extrapolation.is_none())
                        .or(cells.first())
                        .map_or(&first.params, |c| &c.params);
                    writeln!(out, "{kind}; parameters: {}.\n", describe_params(params))
                }
            }
            .expect("write to String");
        }

        if !cells.is_empty() {
            self.cells_table(out, workload, &cells);
        }
        not_applicable(out, &all);
        if cells.is_empty() {
            return;
        }

        let failures: Vec<String> = cells
            .iter()
            .filter(|c| c.status != Status::Ok)
            .map(|c| {
                let reason = c.error.as_deref().unwrap_or("no reason recorded");
                let reason = reason.split_whitespace().collect::<Vec<_>>().join(" ");
                format!(
                    "- **{}** (t{}): {} — {reason}",
                    c.runner,
                    c.threads,
                    status_word(c.status)
                )
            })
            .collect();
        if !failures.is_empty() {
            out.push_str(&failures.join("\n"));
            out.push_str("\n\n");
        }
        if matches!(kind, Some(WorkloadKind::Io | WorkloadKind::Mixed)) {
            let speedups = cells.iter().any(|c| {
                c.summary
                    .as_ref()
                    .is_some_and(|s| s.speedup_vs_seq.is_some())
            });
            if speedups {
                writeln!(out, "{WAITING_NOTE} {EFFICIENCY_NOTE}\n")
            } else {
                writeln!(out, "{WAITING_NOTE}\n")
            }
            .expect("write to String");
        }
        if kind == Some(WorkloadKind::Cpu) && self.baseline_judged(workload) {
            self.scaling_table(out, &cells);
        }
    }

    /// The table of the cells of `workload` that apply (at least one), in the
    /// order given, with the footnotes on extrapolated and noted cells.
    fn cells_table(&self, out: &mut String, workload: &str, cells: &[&'a Cell]) {
        let ideal = self.workload_meta(workload).and_then(|m| m.ideal_wall_s);
        let finished = || cells.iter().filter(|c| c.status == Status::Ok);
        // Without a speedup anywhere (no `seq` to divide by) the two columns go.
        let speedups = cells.iter().any(|c| {
            c.summary
                .as_ref()
                .is_some_and(|s| s.speedup_vs_seq.is_some())
        });
        let latencies: Vec<&Latency> = finished().filter_map(|c| c.latency_us.as_ref()).collect();
        let unit = crate::format::TimeUnit::for_medians(latencies.iter().copied());
        let latency = !latencies.is_empty();
        let mut more: Vec<&str> = Vec::new();
        for cell in finished() {
            for name in cell.more_latency_us.keys() {
                if !more.contains(&name.as_str()) {
                    more.push(name);
                }
            }
        }
        let throughput = finished().any(|c| c.throughput_per_s.is_some());
        let metrics: Vec<MetricMeta> = crate::overhead::measures(self.results, workload, cells)
            .into_iter()
            .filter(|m| finished().any(|c| c.metrics.contains_key(&m.key)))
            .collect();

        let u = unit.symbol();
        let mut columns: Vec<(String, Align)> = [
            ("Runner", Align::Left),
            ("Class", Align::Left),
            ("Family", Align::Left),
            ("Threads", Align::Right),
            ("Median wall [ms]", Align::Right),
            ("Median interval [ms]", Align::Right),
            ("Samples", Align::Right),
        ]
        .into_iter()
        .map(|(h, a)| (h.to_owned(), a))
        .collect();
        if speedups {
            columns.push(("Speedup".into(), Align::Right));
            columns.push(("Efficiency".into(), Align::Right));
        }
        columns.extend(
            [
                ("CPU util.", Align::Right),
                ("Peak RSS [MiB]", Align::Right),
                ("OS threads", Align::Right),
            ]
            .map(|(h, a)| (h.to_owned(), a)),
        );
        if ideal.is_some() {
            columns.push(("× ideal".into(), Align::Right));
        }
        if latency {
            for p in ["p50", "p99", "p99.9", "max"] {
                columns.push((format!("{p} [{u}]"), Align::Right));
            }
        }
        for name in &more {
            columns.push((format!("{name} p99 [{u}]"), Align::Right));
        }
        if throughput {
            // Workloads that time requests have requests; the others operations.
            let per = if cells.first().map(|c| c.workload_kind) == Some(WorkloadKind::Io) && latency
            {
                "req/s"
            } else {
                "ops/s"
            };
            columns.push((format!("Throughput [{per}]"), Align::Right));
        }
        for meta in &metrics {
            columns.push((crate::format::metric_header(meta), Align::Right));
        }
        // Where the work is synchronisation, contention shows as context switches:
        // voluntary (a thread sleeping on a lock or queue) and involuntary (preempted,
        // possibly while holding one), per sample, of the whole process.
        let contention = cells.first().map(|c| c.workload_kind) == Some(WorkloadKind::Overhead);
        if contention {
            columns.push(("Context switches vol. / invol.".into(), Align::Right));
        }
        columns.push(("Relative".into(), Align::Right));

        // One footnote per distinct note, numbered in order of first appearance.
        let mut notes: Vec<(&str, Vec<String>)> = Vec::new();
        for cell in cells {
            for note in &cell.notes {
                match notes.iter_mut().find(|(n, _)| n == note) {
                    Some((_, runners)) => runners.push(cell.runner.clone()),
                    None => notes.push((note, vec![cell.runner.clone()])),
                }
            }
        }
        let marks = |cell: &Cell| -> String {
            let numbers: Vec<String> = cell
                .notes
                .iter()
                .filter_map(|note| notes.iter().position(|(n, _)| n == note))
                .map(|i| crate::format::superscript(i + 1))
                .collect();
            if numbers.is_empty() {
                String::new()
            } else {
                format!(" {}", numbers.join(" "))
            }
        };

        let fastest = Best::of(cells.iter().copied());
        let mut table = Table::new(columns);
        for cell in cells {
            let oversubscribed = cell.summary.as_ref().is_some_and(|s| s.oversubscribed);
            let mut row = vec![
                format!("{}{}{}", cell.runner, marks(cell), crate::judge::mark(cell)),
                cell.class.to_string(),
                cell.family.to_string(),
                if oversubscribed {
                    format!("{}{OVERSUBSCRIBED}", cell.threads)
                } else {
                    cell.threads.to_string()
                },
            ];
            match &cell.summary {
                Some(s) => {
                    let mark = if cell.extrapolation.is_some() {
                        EXTRAPOLATED
                    } else {
                        ""
                    };
                    row.extend([
                        format!("{}{mark}", ms(s.median_wall_s)),
                        format!(
                            "{}–{} ({})",
                            ms(s.interval_wall_s[0]),
                            ms(s.interval_wall_s[1]),
                            crate::judge::coverage(s.interval_coverage)
                        ),
                        samples_text(cell, s),
                    ]);
                    if speedups {
                        row.extend([
                            s.speedup_vs_seq.map_or(NONE.into(), times),
                            s.efficiency.map_or(NONE.into(), percent),
                        ]);
                    }
                    row.extend([
                        cores(s.cpu_utilisation),
                        cell.peak_rss_bytes.map_or(NONE.into(), mib),
                        cell.os_threads.map_or(NONE.into(), |n| n.to_string()),
                    ]);
                    if let Some(ideal) = ideal {
                        row.push(times(s.median_wall_s / ideal));
                    }
                    if latency {
                        match &cell.latency_us {
                            Some(l) => {
                                row.extend([l.p50, l.p99, l.p999, l.max].map(|v| unit.show(v)))
                            }
                            None => row.extend([NONE; 4].map(String::from)),
                        }
                    }
                    for name in &more {
                        row.push(
                            cell.more_latency_us
                                .get(*name)
                                .map_or(NONE.into(), |l| unit.show(l.p99)),
                        );
                    }
                    if throughput {
                        row.push(
                            cell.throughput_per_s
                                .map_or(NONE.into(), crate::format::thousands),
                        );
                    }
                    for meta in &metrics {
                        row.push(
                            cell.metrics.get(&meta.key).map_or(NONE.into(), |&v| {
                                crate::format::metric_value(&meta.key, v)
                            }),
                        );
                    }
                    if contention {
                        let median_of = |count: fn(&Sample) -> u64| {
                            let values: Vec<f64> =
                                cell.samples.iter().map(|s| count(s) as f64).collect();
                            crate::format::thousands(crate::stats::median(&values))
                        };
                        row.push(format!(
                            "{} / {}",
                            median_of(|s| s.ctx_voluntary),
                            median_of(|s| s.ctx_involuntary)
                        ));
                    }
                    row.push(relative(cell, s, fastest.as_ref()));
                }
                None => {
                    let status = match cell.status {
                        Status::Ok => "no samples",
                        other => status_word(other),
                    };
                    row.push(status.into());
                    row.resize(table.columns().len(), NONE.into());
                }
            }
            table.push_row(row);
        }
        out.push_str(&table.to_markdown());
        out.push('\n');

        // What the intervals are, and what the table may therefore claim.
        if let Some(note) = crate::judge::interval_note(cells) {
            let mut note = note;
            if let Some(best) = fastest.as_ref().filter(|b| !b.ranked) {
                write!(
                    note,
                    " Here {} has the lowest median ({}).",
                    best.cell.runner,
                    crate::judge::too_few(best.group.iter().copied())
                )
                .expect("write to String");
            }
            if cells.iter().any(|c| c.sampling.is_some()) {
                write!(note, " {SAMPLES_NOTE}").expect("write to String");
            }
            writeln!(out, "{note}\n").expect("write to String");
        }
        if let Some(note) = crate::judge::disturbed_note(cells) {
            writeln!(out, "{note}\n").expect("write to String");
        }
        let over: Vec<&Cell> = cells
            .iter()
            .copied()
            .filter(|c| c.summary.as_ref().is_some_and(|s| s.oversubscribed))
            .collect();
        if !over.is_empty() {
            let cores = self.results.machine.logical_cores;
            let mut counts: Vec<usize> = over.iter().map(|c| c.threads).collect();
            counts.sort_unstable();
            counts.dedup();
            let counts: Vec<String> = counts.iter().map(ToString::to_string).collect();
            writeln!(
                out,
                "{OVERSUBSCRIBED} Oversubscribed: {} threads on {}. Efficiency is measured \
                 against the {cores} cores (speedup ÷ min(threads, cores)), so a runner that \
                 uses them fully still scores 100%.\n",
                join_and(&counts),
                plural(cores, "core", "cores")
            )
            .expect("write to String");
        }
        if kind_of_cells(cells) == Some(WorkloadKind::Cpu) && speedups {
            writeln!(out, "{CPU_EFFICIENCY_NOTE}\n").expect("write to String");
        }

        // One footnote per distinct extrapolation note, naming every cell it applies to.
        let mut scaled: Vec<(&str, Vec<String>)> = Vec::new();
        for cell in cells {
            let Some(e) = &cell.extrapolation else {
                continue;
            };
            match scaled.iter_mut().find(|(note, _)| *note == e.note) {
                Some((_, runners)) => runners.push(cell.runner.clone()),
                None => scaled.push((&e.note, vec![cell.runner.clone()])),
            }
        }
        for (note, runners) in scaled {
            writeln!(out, "{EXTRAPOLATED} {}: {note}\n", join_and(&runners))
                .expect("write to String");
        }
        for (i, (note, runners)) in notes.iter().enumerate() {
            writeln!(
                out,
                "{} {}: {}\n",
                crate::format::superscript(i + 1),
                join_and(runners),
                escape_inline(note)
            )
            .expect("write to String");
        }
        let about: Vec<String> = metrics
            .iter()
            .filter(|m| !m.about.trim().is_empty())
            .map(|m| {
                format!(
                    "*{}*: {}",
                    escape_inline(&crate::format::metric_header(m)),
                    escape_inline(m.about.trim().trim_end_matches('.'))
                )
            })
            .collect();
        if !about.is_empty() {
            writeln!(out, "{}.\n", about.join("; ")).expect("write to String");
        }
        if latency {
            let mut named = String::new();
            if !more.is_empty() {
                let names: Vec<String> = more.iter().map(|n| format!("*{n}*")).collect();
                write!(
                    named,
                    "; {} p99 is the workload's further latency of that name",
                    join_and(&names)
                )
                .expect("write to String");
            }
            writeln!(
                out,
                "p50 to max: the workload's own latency, histograms merged over the measured \
                 samples{named}.\n"
            )
            .expect("write to String");
        }
    }

    /// For runners measured at several thread counts: speedup at each, and the
    /// Amdahl serial fraction that best explains the curve, so "how parallel is this
    /// work, really" is a number. Parallelism is threads capped at the cores.
    fn scaling_table(&self, out: &mut String, cells: &[&'a Cell]) {
        let cores = self.results.machine.logical_cores.max(1);
        let mut runners: Vec<&str> = Vec::new();
        for cell in cells {
            if !runners.contains(&cell.runner.as_str()) {
                runners.push(&cell.runner);
            }
        }
        let mut table = Table::new([
            ("Runner", Align::Left),
            ("Speedup by threads", Align::Left),
            ("Serial fraction", Align::Right),
            ("Fit residual", Align::Right),
        ]);
        for runner in runners {
            let mut points: Vec<(usize, f64)> = cells
                .iter()
                .filter(|c| c.runner == runner)
                .filter_map(|c| Some((c.threads, crate::judge::judged_summary(c)?.speedup_vs_seq?)))
                .collect();
            points.sort_by_key(|&(threads, _)| threads);
            let parallelism: Vec<(f64, f64)> = points
                .iter()
                .map(|&(threads, speedup)| (threads.min(cores) as f64, speedup))
                .collect();
            let Some(fit) = crate::stats::amdahl_fit(&parallelism) else {
                continue;
            };
            let curve: Vec<String> = points
                .iter()
                .map(|&(threads, speedup)| format!("{threads}: {}", times(speedup)))
                .collect();
            table.push_row(vec![
                runner.to_owned(),
                curve.join(", "),
                format!("{:.3}", fit.serial_fraction),
                format!("{:.3}", fit.rms_residual),
            ]);
        }
        if table.rows().is_empty() {
            return;
        }
        writeln!(
            out,
            "Scaling: Amdahl's law `speedup = 1 / (s + (1 - s) / p)` fitted by least squares, with \
             p = threads capped at the {cores} logical cores; s = 0 is perfectly parallel work, and \
             the residual (RMS, in ×) says how well the law explains the curve.\n"
        )
        .expect("write to String");
        out.push_str(&table.to_markdown());
        out.push('\n');
    }

    // -- disclosures --------------------------------------------------------

    /// The harness facts that hold for every cell, then one bullet per runner with
    /// cells: what it is, how it is built, its timer, its threads as run and seen,
    /// and its caveats. Everything runner-specific comes from the results file.
    fn disclosures(&self, out: &mut String) {
        out.push_str("## Disclosures\n\n");
        let runners = self.disclosed_runners();
        if runners.is_empty() {
            out.push_str("No cells were recorded.\n");
            return;
        }
        let single: Vec<String> = runners
            .iter()
            .filter(|r| r.class == Class::Concurrent)
            .map(|r| format!("**{}**", r.id))
            .collect();
        let which = if single.is_empty() {
            String::new()
        } else {
            format!(" (here {})", join_and(&single))
        };
        let facts = [
            ISOLATION.to_string(),
            format!("{ROOT_TASK}{which}."),
            THREAD_COUNTS.to_string(),
            CPU_TIME.to_string(),
            CHECKSUMS.to_string(),
            CENSUS.to_string(),
        ];
        out.push_str("How every cell was measured:\n\n");
        for fact in facts {
            writeln!(out, "- {fact}").expect("write to String");
        }
        self.knobs_table(out, &runners);
        out.push_str(
            "Each runner as the run described it, with the threads it ran with and the caveats \
             that bear on its numbers:\n\n",
        );
        for runner in &runners {
            runner.disclose(out);
        }
    }

    /// Every runner's configuration as run, one row each, the parts each runner
    /// uses (when the results file names more than the timer), and the environment.
    fn knobs_table(&self, out: &mut String, runners: &[Disclosed<'a>]) {
        out.push_str("\nConfiguration as run:\n\n");
        let parts = parts_table(runners);
        let mut columns = vec![
            ("Runner", Align::Left),
            ("Class", Align::Left),
            ("Family", Align::Left),
            ("Thread knob", Align::Left),
            ("Threads run", Align::Right),
        ];
        // The parts table, when there is one, names the timer with the other parts.
        if parts.is_none() {
            columns.push(("Timer and reactor", Align::Left));
        }
        let mut table = Table::new(columns);
        for runner in runners {
            let mut counts: Vec<usize> = runner.cells.iter().map(|c| c.threads).collect();
            counts.sort_unstable();
            counts.dedup();
            let counts: Vec<String> = counts.iter().map(ToString::to_string).collect();
            table.push_row(vec![
                runner.id.to_owned(),
                runner.class.to_string(),
                runner.family.to_string(),
                runner.meta.map_or(NONE.into(), |m| m.threads_knob.clone()),
                counts.join(", "),
                runner.meta.map_or(NONE.into(), |m| escape_inline(&m.timer)),
            ]);
        }
        out.push_str(&table.to_markdown());
        if let Some(parts) = parts {
            out.push_str("\nParts each runner uses (what each workload runs on it):\n\n");
            out.push_str(&parts.to_markdown());
        }
        let env: Vec<String> = self
            .results
            .machine
            .env
            .iter()
            .map(|(k, v)| format!("`{k}={v}`"))
            .collect();
        writeln!(
            out,
            "\nEnvironment: {}; cargo features: {}.\n",
            if env.is_empty() {
                "no runtime variables set".to_owned()
            } else {
                env.join(", ")
            },
            if self.results.machine.features.is_empty() {
                "default".to_owned()
            } else {
                self.results.machine.features.join(", ")
            }
        )
        .expect("write to String");
    }

    /// The runners to disclose: those of `results.runners` that have cells, in that
    /// order, then any other runner seen in the cells (described by its cells alone).
    fn disclosed_runners(&self) -> Vec<Disclosed<'a>> {
        let results: &'a Results = self.results;
        let cells_of = |id: &str| -> Vec<&'a Cell> {
            results.cells.iter().filter(|c| c.runner == id).collect()
        };
        let mut runners: Vec<Disclosed<'a>> = Vec::new();
        for meta in &results.runners {
            let cells = cells_of(&meta.id);
            if cells.is_empty() || runners.iter().any(|r| r.id == meta.id) {
                continue;
            }
            runners.push(Disclosed {
                id: &meta.id,
                class: meta.class,
                family: meta.family,
                meta: Some(meta),
                cells,
            });
        }
        for &id in &self.runners {
            if runners.iter().any(|r| r.id == id) {
                continue;
            }
            let cells = cells_of(id);
            let Some(first) = cells.first() else {
                continue;
            };
            runners.push(Disclosed {
                id,
                class: first.class,
                family: first.family,
                meta: None,
                cells,
            });
        }
        runners
    }
}

/// The line under a workload's table that lists the cells it does not apply to,
/// grouped by reason: ``Not applicable: `seq` (reason); `thread-pool`, `rayon`
/// (reason).`` Nothing when every cell applies.
fn not_applicable(out: &mut String, cells: &[&Cell]) {
    let line = not_applicable_line(cells);
    if !line.is_empty() {
        writeln!(out, "{line}\n").expect("write to String");
    }
}

/// The text of [`not_applicable`], empty when every cell applies. A runner that
/// does not apply at several thread counts for one reason is named once; one that
/// has several reasons is named with its thread count in each group.
fn not_applicable_line(cells: &[&Cell]) -> String {
    let na: Vec<&Cell> = cells.iter().copied().filter(|c| !c.applies()).collect();
    if na.is_empty() {
        return String::new();
    }
    let reason_of = |c: &Cell| {
        let reason = c.error.as_deref().unwrap_or("no reason recorded");
        let reason = reason.split_whitespace().collect::<Vec<_>>().join(" ");
        reason.trim_end_matches('.').to_owned()
    };
    let mut groups: Vec<(String, Vec<&Cell>)> = Vec::new();
    for cell in &na {
        let reason = reason_of(cell);
        match groups.iter_mut().find(|(r, _)| *r == reason) {
            Some((_, members)) => members.push(cell),
            None => groups.push((reason, vec![cell])),
        }
    }
    let in_groups = |runner: &str| {
        groups
            .iter()
            .filter(|(_, members)| members.iter().any(|c| c.runner == runner))
            .count()
    };
    let parts: Vec<String> = groups
        .iter()
        .map(|(reason, members)| {
            let mut names: Vec<String> = Vec::new();
            for cell in members {
                let name = if in_groups(&cell.runner) > 1 {
                    format!(
                        "`{}` at {}",
                        cell.runner,
                        plural(cell.threads, "thread", "threads")
                    )
                } else {
                    format!("`{}`", cell.runner)
                };
                if !names.contains(&name) {
                    names.push(name);
                }
            }
            format!("{} ({})", join_and(&names), escape_inline(reason))
        })
        .collect();
    format!("Not applicable: {}.", parts.join("; "))
}

/// Which timer, channel, TCP sockets and offload each runner uses, from the
/// runner descriptions; a column no runner fills is left out, and there is no
/// table when no runner names more than its timer (schema-1 files).
fn parts_table(runners: &[Disclosed<'_>]) -> Option<Table> {
    type Part = fn(&RunnerMeta) -> &str;
    let parts: [(&str, Part); 4] = [
        ("Timer and reactor", |m| &m.timer),
        ("Channel", |m| &m.channel),
        ("TCP", |m| &m.net),
        ("Offload", |m| &m.offload),
    ];
    let filled = |part: Part| {
        runners
            .iter()
            .any(|r| r.meta.is_some_and(|m| !part(m).is_empty()))
    };
    if !parts[1..].iter().any(|&(_, part)| filled(part)) {
        return None;
    }
    let shown: Vec<(&str, Part)> = parts.into_iter().filter(|&(_, p)| filled(p)).collect();
    let mut columns = vec![("Runner", Align::Left)];
    columns.extend(shown.iter().map(|&(h, _)| (h, Align::Left)));
    let mut table = Table::new(columns);
    for runner in runners {
        let mut row = vec![runner.id.to_owned()];
        for &(_, part) in &shown {
            row.push(runner.meta.map_or(NONE.into(), |m| match part(m) {
                "" => NONE.into(),
                text => escape_inline(text),
            }));
        }
        table.push_row(row);
    }
    Some(table)
}

/// The isolation and timing facts of every cell.
const ISOLATION: &str = "Each cell runs in its own child process. Runtimes and thread pools are \
    built, and their threads started, before the clock starts; a runner with one OS thread per \
    task creates its threads inside the timed region, as that cost is part of what it shows.";
/// How the root task reaches an async runtime; the single-threaded runners present
/// and a full stop follow.
const ROOT_TASK: &str = "On async runtimes each sample's root task is spawned inside the runtime \
    and the calling thread only waits for it, except on the single-threaded runtimes, whose one \
    thread is the calling thread";
/// Why no runtime default thread count is involved.
const THREAD_COUNTS: &str = "Worker counts are set explicitly from `--threads`, never left to a \
    runtime's default (defaults differ: one thread for some executors, one per logical core for \
    others).";
/// What CPU time and CPU utilisation include.
const CPU_TIME: &str = "CPU time comes from `getrusage(RUSAGE_SELF)`, which counts every thread \
    of the process, helper threads (timer and I/O drivers, blocking pools) included; CPU util. is \
    CPU time over wall time, in cores.";
/// Answer verification.
const CHECKSUMS: &str = "Every sample's checksum, warm-up included, is verified against the one \
    the workload's parameters imply; a cell with a wrong answer is reported as failed, not timed.";
/// How to read the thread census.
const CENSUS: &str = "*Threads seen* are the threads alive in the cell's process after its last \
    sample, with the runtime still up, grouped by the name the OS reports (trailing digits \
    dropped, names cut at 15 characters); for each name, the most seen in any one cell. The OS \
    threads column also counts threads started and joined within a sample.";
/// Beside the table of a workload that waits (I/O-bound or mixed).
const WAITING_NOTE: &str = "Every runner waits with its own parts (timer, reactor or blocking \
    calls; see Disclosures), which differ in cost and, for timers, in granularity, so these times \
    measure those parts as well as the scheduler.";
/// After [`WAITING_NOTE`] when the table has an efficiency column.
const EFFICIENCY_NOTE: &str = "Efficiency (speedup ÷ min(threads, cores)) is shown for \
    CPU-bound work only: on work that waits, a speedup can come from overlapping waits rather \
    than from the threads.";
/// Under a CPU-bound table with speedups.
const CPU_EFFICIENCY_NOTE: &str = "Efficiency is speedup ÷ min(threads, cores): the share of \
    the ideal speedup the machine can give the cell, so 100% is perfect scaling, and more \
    threads than cores are shown as their own fact, not as lost efficiency.";
/// Explains the Samples column.
const SAMPLES_NOTE: &str = "Samples: measured samples, and why sampling stopped where the run \
    recorded it (precision: the interval reached its target; budget: the cell's time ran out; \
    max: the most samples allowed; fixed: `--samples N`).";
/// Marks a cell with more threads than logical cores.
const OVERSUBSCRIBED: &str = "↑";

/// The kind of the workload of `cells` (all of one workload).
fn kind_of_cells(cells: &[&Cell]) -> Option<WorkloadKind> {
    cells.first().map(|c| c.workload_kind)
}

/// `12, precision`: the cell's samples and why sampling stopped, or the count
/// alone in files that do not record it.
fn samples_text(cell: &Cell, summary: &Summary) -> String {
    let n = if summary.samples > 0 {
        summary.samples
    } else {
        cell.samples.len()
    };
    match &cell.sampling {
        Some(s) => {
            let stop = match s.stop {
                crate::model::StopReason::MaxSamples => "max",
                other => other.as_str(),
            };
            format!("{n}, {stop}")
        }
        None => n.to_string(),
    }
}

/// A runner as the disclosures describe it.
struct Disclosed<'a> {
    id: &'a str,
    class: Class,
    family: Family,
    /// Its description from the results file, if the file has one.
    meta: Option<&'a RunnerMeta>,
    /// Its cells (at least one).
    cells: Vec<&'a Cell>,
}

impl Disclosed<'_> {
    /// Writes the runner's bullet and its caveats as sub-bullets.
    fn disclose(&self, out: &mut String) {
        let mut line = format!("- **{}** ({}, {}).", self.id, self.class, self.family);
        let knob = self.meta.map_or("", |m| m.threads_knob.as_str());
        if let Some(meta) = self.meta {
            if !meta.summary.is_empty() {
                write!(line, " Built as {}", sentence(&meta.summary)).expect("write to String");
            }
            if !meta.timer.is_empty() {
                write!(line, " Timer: {}", sentence(&meta.timer)).expect("write to String");
            }
        }
        // Already Markdown: the names in it are escaped.
        write!(line, " Threads: {}.", self.threads(knob)).expect("write to String");
        writeln!(out, "{line}").expect("write to String");
        for caveat in self.meta.iter().flat_map(|m| &m.caveats) {
            writeln!(out, "  - {}", sentence(caveat)).expect("write to String");
        }
    }

    /// The thread knob in words with the thread counts run and the threads seen.
    fn threads(&self, knob: &str) -> String {
        match knob {
            "one" => format!(
                "1 thread runs tasks; threads seen: {}",
                Census::of(&self.cells).describe(true)
            ),
            "per-task" => {
                let census = Census::of(&self.cells);
                let alive = if census.transient > 0 {
                    format!(" (up to {} alive)", census.transient)
                } else {
                    String::new()
                };
                let mut counts: Vec<usize> = self.cells.iter().map(|c| c.threads).collect();
                counts.sort_unstable();
                counts.dedup();
                let counts: Vec<String> = counts.iter().map(ToString::to_string).collect();
                format!(
                    "one OS thread per task{alive}; compared at `--threads {}`; threads seen: {}",
                    join_and(&counts),
                    census.describe(false)
                )
            }
            _ => {
                let (one, many) = if knob == "workers" {
                    ("worker", "workers")
                } else {
                    ("thread", "threads")
                };
                let mut by_threads: BTreeMap<usize, Vec<&Cell>> = BTreeMap::new();
                for &cell in &self.cells {
                    by_threads.entry(cell.threads).or_default().push(cell);
                }
                let groups: Vec<(String, String)> = by_threads
                    .into_iter()
                    .map(|(n, cells)| (plural(n, one, many), Census::of(&cells).describe(true)))
                    .collect();
                match groups.as_slice() {
                    [(count, seen)] => format!("{count}; threads seen: {seen}"),
                    _ => groups
                        .iter()
                        .map(|(count, seen)| format!("{count} (threads seen: {seen})"))
                        .collect::<Vec<_>>()
                        .join("; "),
                }
            }
        }
    }
}

/// The threads a set of cells reported.
struct Census<'a> {
    /// Per name, the most seen alive in any one cell.
    names: BTreeMap<&'a str, usize>,
    /// The most threads any one cell started and joined within a sample.
    transient: usize,
}

impl<'a> Census<'a> {
    fn of(cells: &[&'a Cell]) -> Self {
        let mut names: BTreeMap<&'a str, usize> = BTreeMap::new();
        let mut transient = 0;
        for cell in cells {
            for (name, &count) in &cell.thread_names {
                let most = names.entry(name).or_default();
                *most = (*most).max(count);
            }
            if let Some(total) = cell.os_threads {
                let live: usize = cell.thread_names.values().sum();
                transient = transient.max(total.saturating_sub(live));
            }
        }
        Self { names, transient }
    }

    /// `tokio-runtime-w ×2, rtcompare ×1`, most numerous first, with the threads
    /// started within a sample when `with_transient`.
    fn describe(&self, with_transient: bool) -> String {
        let mut names: Vec<(&str, usize)> = self.names.iter().map(|(&n, &c)| (n, c)).collect();
        names.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let mut text = if names.is_empty() {
            "not recorded".to_string()
        } else {
            names
                .iter()
                .map(|(n, c)| format!("{} ×{c}", escape_inline(n)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if with_transient && self.transient > 0 {
            write!(
                text,
                ", plus up to {} started and joined within a sample",
                self.transient
            )
            .expect("write to String");
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_in_one_line() {
        let params = serde_json::json!({
            "tasks": 8, "name": "x", "w": [1, 1, 1, 1, 1], "s": [1, 9, 2, 3, 4], "p": [1, 2]
        });
        assert_eq!(
            describe_params(&params),
            "name = x, p = [1,2], s = 5 values, 1–9, tasks = 8, w = 5 × 1"
        );
    }

    fn fixture() -> Results {
        serde_json::from_str(include_str!("../tests/fixtures/results.json"))
            .expect("fixture parses")
    }

    fn verdict_of<'r>(report: &'r str, workload: &str) -> &'r str {
        let start = format!("- **{workload}** (");
        report
            .lines()
            .find(|l| l.starts_with(&start))
            .unwrap_or_else(|| panic!("no verdict for {workload} in\n{report}"))
    }

    #[test]
    fn partial_runs_carry_a_warning() {
        let mut results = fixture();
        assert!(!render(&results).contains("**Warning"));
        results.partial = true;
        assert!(render(&results).contains("**Warning: this run was interrupted"));
    }

    #[test]
    fn verdict_without_seq_says_so() {
        let mut results = fixture();
        results
            .cells
            .retain(|c| !(c.runner == "seq" && c.workload == "cpu"));
        for c in &mut results.cells {
            if c.runner == "seq" && c.workload == "cpu-skewed" {
                c.status = Status::Failed;
                c.error = Some("boom".into());
            }
        }
        let report = render(&results);
        let cpu = verdict_of(&report, "cpu");
        assert!(
            cpu.contains("`seq` is missing, so speedups can't be computed"),
            "{cpu}"
        );
        // Five samples per cell: a lowest median, never a fastest runner.
        assert!(
            cpu.contains(
                "the lowest median was tokio-mt's (given 2 threads; 1.97 cores busy) at 204 ms \
                 (5 samples: too few to rank)."
            ),
            "{cpu}"
        );
        assert!(!cpu.contains("fastest"), "{cpu}");
        let skewed = verdict_of(&report, "cpu-skewed");
        assert!(skewed.contains("`seq` failed"), "{skewed}");
        // The per-workload table shows no speedups, the failure is listed.
        assert!(report.contains("- **seq** (t1): failed — boom"));
    }

    #[test]
    fn a_multithreaded_runner_at_one_thread_is_not_parallelism() {
        let mut results = fixture();
        let mut one = results
            .cells
            .iter()
            .find(|c| c.runner == "smol-mt" && c.workload == "sleep")
            .unwrap()
            .clone();
        one.threads = 1;
        for s in &mut one.samples {
            s.wall_s *= 0.9; // the fastest cell of all
        }
        results.cells.push(one);
        let report = render(&results);
        let sleep = verdict_of(&report, "sleep");
        assert!(!sleep.contains("1 thread,"), "{sleep}");
        let grid = report
            .lines()
            .find(|l| l.starts_with("| concurrent-parallel"))
            .unwrap();
        assert!(!grid.contains("(t1)"), "{grid}");
    }

    #[test]
    fn io_verdict_compares_parallelism_with_concurrency() {
        let report = render(&fixture());
        let sleep = verdict_of(&report, "sleep");
        assert!(sleep.contains("concurrency alone (best single-threaded executor: smol-local)"));
        // The multithreaded leader kept under one core busy: no credit to parallelism.
        assert!(
            sleep.contains(
                "the best multithreaded runner (smol-mt, 2 threads) ran at 995× `seq` with 0.06 cores busy and was level \
                 with smol-local (1.00×): not a gain from parallelism."
            ),
            "{sleep}"
        );
        assert!(
            sleep.contains("`seq` extrapolated from a subset"),
            "{sleep}"
        );
        assert!(
            sleep.contains(
                "The lowest median (smol-mt, 101 ms; 5 samples: too few to rank) was 1.3% over \
                 the ideal of 100 ms"
            ),
            "{sleep}"
        );
        let skewed = verdict_of(&report, "cpu-skewed");
        assert!(
            skewed.contains("62% slower, because with fixed shares the thread holding"),
            "{skewed}"
        );
    }

    #[test]
    fn a_small_static_split_gap_is_not_called_uneven_work() {
        let mut results = fixture();
        let dynamic = results
            .cells
            .iter()
            .find(|c| c.runner == "tokio-mt" && c.workload == "cpu")
            .unwrap()
            .clone();
        let median =
            crate::stats::median(&dynamic.samples.iter().map(|s| s.wall_s).collect::<Vec<_>>());
        for c in &mut results.cells {
            if c.family == Family::StaticSplit && c.workload == "cpu" {
                for s in &mut c.samples {
                    s.wall_s = median * 1.05;
                }
            }
        }
        let report = render(&results);
        let cpu = verdict_of(&report, "cpu");
        assert!(cpu.contains("5.0% slower, a small gap"), "{cpu}");
        assert!(!cpu.contains("sit idle"), "{cpu}");
    }

    fn disclosures(report: &str) -> &str {
        &report[report.find("## Disclosures").expect("has disclosures")..]
    }

    #[test]
    fn disclosures_only_for_runners_present() {
        let mut results = fixture();
        // The runner descriptions stay: a runner without cells is not disclosed.
        results
            .cells
            .retain(|c| !c.runner.starts_with("futures") && c.runner != "async-std");
        results
            .config
            .runners
            .retain(|r| !r.starts_with("futures") && r != "async-std");
        let report = render(&results);
        let disclosures = disclosures(&report);
        assert!(!disclosures.contains("futures"), "{disclosures}");
        assert!(!disclosures.contains("discontinued"), "{disclosures}");
        assert!(
            disclosures.contains(
                "- **tokio-mt** (concurrent-parallel, work-stealing). Built as \
                 tokio::runtime::Builder::new_multi_thread().worker_threads(N).enable_all(). \
                 Timer: tokio's time driver"
            ),
            "{disclosures}"
        );
        assert!(
            disclosures
                .contains("Threads: 2 workers; threads seen: tokio-runtime-w ×2, rtcompare ×1."),
            "{disclosures}"
        );
        assert!(
            disclosures.contains("(here **tokio-ct** and **smol-local**)."),
            "{disclosures}"
        );
    }

    #[test]
    fn disclosures_follow_the_runner_descriptions() {
        let results = fixture();
        let report = render(&results);
        let disclosures = disclosures(&report);
        // One bullet per runner, in the order of `results.runners`.
        let bullets: Vec<&str> = disclosures
            .lines()
            .filter_map(|l| l.strip_prefix("- **")?.split("**").next())
            .collect();
        let ids: Vec<&str> = results.runners.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(bullets, ids);
        // Caveats are sub-bullets of their runner.
        let async_std = disclosures
            .split("\n- ")
            .find(|b| b.starts_with("**async-std**"))
            .unwrap();
        assert!(
            async_std.contains("\n  - discontinued upstream (1.13, 2025: \"use smol instead\")"),
            "{async_std}"
        );
        // Each thread knob in words, with the census.
        assert!(disclosures.contains(
            "**tokio-ct** (concurrent, single-queue). Built as \
             tokio::runtime::Builder::new_current_thread().enable_all()."
        ));
        assert!(
            disclosures
                .contains("Threads: 1 thread runs tasks; threads seen: async-io ×1, rtcompare ×1.")
        );
        assert!(disclosures.contains(
            "Threads: one OS thread per task (up to 1000 alive); compared at `--threads 2`; \
             threads seen: rtcompare ×1."
        ));
        // Text from the file cannot turn into markup.
        assert!(
            disclosures.contains("one Mutex\\<VecDeque> queue"),
            "{disclosures}"
        );
        // The harness facts are there.
        for fact in [ISOLATION, CPU_TIME, CHECKSUMS, CENSUS, THREAD_COUNTS] {
            assert!(disclosures.contains(fact), "{fact}");
        }
        assert!(disclosures.contains(
            "the calling thread (here **tokio-ct**, **smol-local** and **futures-local**)."
        ));
    }

    #[test]
    fn disclosures_without_runner_descriptions_use_the_cells() {
        let mut results = fixture();
        results.runners.clear();
        let report = render(&results);
        let disclosures = disclosures(&report);
        assert!(!disclosures.contains("Built as"), "{disclosures}");
        assert!(!disclosures.contains("Timer:"), "{disclosures}");
        assert!(
            disclosures.contains(
                "- **tokio-mt** (concurrent-parallel, work-stealing). Threads: 2 threads; \
                 threads seen: tokio-runtime-w ×2, rtcompare ×1.\n"
            ),
            "{disclosures}"
        );
        // Threads started within a sample are counted, not hidden.
        assert!(
            disclosures.contains(
                "- **threads** (concurrent-parallel, os-scheduler). Threads: 2 threads; \
                 threads seen: rtcompare ×1, plus up to 1000 started and joined within a sample."
            ),
            "{disclosures}"
        );
        assert_eq!(
            disclosures.matches("\n- **").count(),
            results.config.runners.len()
        );
    }

    #[test]
    fn renaming_runners_changes_nothing_but_their_names() {
        // The report may name no runner in code but the baseline: give every other
        // runner another id of the same length and the report must differ only there.
        // All fixtures: the schema-2 sections (latency, hogs, overhead, crashes) too, and
        // the verdict's attributions from the runner descriptions on a real run.
        // The one exception is the claims section, whose claims are about a few
        // runners by name (`claims::NAMED_RUNNERS`: "processes are isolated" is about
        // the runner `processes`, not about whatever has its class): renaming every
        // runner must change nothing outside that section, and renaming all but
        // those must change nothing at all, so the claims find every other runner
        // (the GIL, one thread per task, the async runners) by what the file says.
        for original in [fixture(), fixture_v2(), fixture_quick(), fixture_claims()] {
            let everything = |id: &str| id == BASELINE_RUNNER;
            renamed_report_matches(&original, &everything, &without_claims);
            let unnamed =
                |id: &str| id == BASELINE_RUNNER || crate::claims::NAMED_RUNNERS.contains(&id);
            renamed_report_matches(&original, &unnamed, &|report: &str| report.to_owned());
        }
    }

    /// `report` without its claims section.
    fn without_claims(report: &str) -> String {
        let start = report.find("## Claims checked\n").expect("has claims");
        let end = report[start + 1..]
            .find("\n## ")
            .map_or(report.len(), |i| start + 2 + i);
        format!("{}{}", &report[..start], &report[end..])
    }

    /// Renders `original` with every runner not `kept` renamed and checks that,
    /// with the names put back and `part` taken, it matches the original.
    fn renamed_report_matches(
        original: &Results,
        kept: &dyn Fn(&str) -> bool,
        part: &dyn Fn(&str) -> String,
    ) {
        let text = render(original);
        let rename = |id: &str| -> String {
            if kept(id) {
                return id.to_string();
            }
            // A new id must not occur in the report already (the reverse of `gil`
            // is in "lightweight"), or putting the names back would change that text.
            let reversed: String = id.chars().rev().collect();
            [reversed.clone(), reversed.to_uppercase()]
                .into_iter()
                .find(|new| new != id && !text.contains(new.as_str()))
                .unwrap_or_else(|| panic!("no new name for {id} that the report lacks"))
        };
        let mut renamed = original.clone();
        for cell in &mut renamed.cells {
            cell.runner = rename(&cell.runner);
        }
        for id in &mut renamed.config.runners {
            *id = rename(id);
        }
        for meta in &mut renamed.runners {
            meta.id = rename(&meta.id);
        }
        let mut back = render(&renamed);
        let mut ids: Vec<&str> = original.config.runners.iter().map(String::as_str).collect();
        ids.sort_by_key(|id| std::cmp::Reverse(id.len()));
        for id in ids {
            back = back.replace(&rename(id), id);
        }
        assert_eq!(part(&back), part(&text));
    }

    #[test]
    fn workload_header_uses_the_workload_description() {
        let mut results = fixture();
        let report = render(&results);
        assert!(report.contains(
            "### cpu\n\nCPU-bound — K equal chunks of a CPU kernel (dependent multiply-adds, \
             no syscalls); `quick` preset: 64 chunks, 4.16e8 kernel steps.\n"
        ));
        results.workloads.clear();
        let report = render(&results);
        assert!(report.contains(
            "### cpu\n\nCPU-bound; parameters: unit_steps = 6500000, weights = 64 × 1.\n"
        ));
    }

    fn fixture_claims() -> Results {
        crate::fixtures::claims()
    }

    fn fixture_v2() -> Results {
        crate::fixtures::v2()
    }

    /// A cell of `runner` that does not apply, for `reason`, at `threads`.
    fn na_cell(runner: &str, threads: usize, reason: &str) -> Cell {
        let mut cell = fixture().cells[0].clone();
        cell.runner = runner.into();
        cell.threads = threads;
        cell.status = Status::NotApplicable;
        cell.error = Some(reason.into());
        cell
    }

    #[test]
    fn cells_that_do_not_apply_are_grouped_by_reason() {
        let cells = [
            na_cell("seq", 1, "runs 1 job at a time."),
            na_cell("thread-pool", 2, "needs 100 jobs at once; runs 2"),
            na_cell("rayon", 2, "needs 100 jobs at once; runs 2"),
            na_cell("threads-static", 2, "needs 100 jobs at once; runs 2"),
            // The same runner at another thread count with the same reason: once.
            na_cell("rayon", 4, "needs 100 jobs at once; runs 2"),
        ];
        let refs: Vec<&Cell> = cells.iter().collect();
        assert_eq!(
            not_applicable_line(&refs),
            "Not applicable: `seq` (runs 1 job at a time); `thread-pool`, `rayon` and \
             `threads-static` (needs 100 jobs at once; runs 2)."
        );
        // A runner with two reasons is named with its thread count in each group;
        // text from the file cannot become markup.
        let cells = [
            na_cell("rayon", 1, "needs 2 <threads>"),
            na_cell("rayon", 2, "needs `more`"),
        ];
        let refs: Vec<&Cell> = cells.iter().collect();
        assert_eq!(
            not_applicable_line(&refs),
            "Not applicable: `rayon` at 1 thread (needs 2 \\<threads>); `rayon` at 2 threads \
             (needs \\`more\\`)."
        );
        // Cells that apply are not listed; with none left out, no line.
        let ok = fixture();
        let refs: Vec<&Cell> = ok.cells.iter().collect();
        assert_eq!(not_applicable_line(&refs), "");
    }

    #[test]
    fn cells_that_do_not_apply_are_neither_failures_nor_compared() {
        let report = render(&fixture_v2());
        // Not a failure anywhere.
        assert!(!report.contains("failed — seq spawns nothing"));
        assert!(!report.contains("): n/a"));
        // A workload whose `seq` does not apply has no speedups and says why.
        let inline = verdict_of(&report, "mixed-inline");
        assert!(
            inline.contains("`seq` does not apply, so speedups can't be computed"),
            "{inline}"
        );
        // fork-join: the static split does not apply, so no static-split sentence.
        let fork = verdict_of(&report, "fork-join");
        assert!(!fork.contains("Static split"), "{fork}");
        // The grid leaves out workloads without a speedup.
        let grid = report.lines().find(|l| l.starts_with("| Class ")).unwrap();
        assert!(
            grid.contains("fork-join") && !grid.contains("spawn"),
            "{grid}"
        );
        assert!(report.contains(
            "Not in the grid, having no finished, undisturbed `seq` cell to take speedups \
             from: `spawn`, \
             `channels`, `mixed-inline`, `mixed-yield` and `mixed-offload`."
        ));
        assert!(report.contains(
            "Not in the grid, sending on a fixed schedule that sets the wall time, so a speedup \
             means nothing: `tcp-echo-open`."
        ));
        // The overhead verdicts.
        let spawn = verdict_of(&report, "spawn");
        assert!(spawn.starts_with("- **spawn** (runtime overhead): Spawn+await: from 151"));
    }

    #[test]
    fn declared_measures_latencies_and_notes_in_the_workload_table() {
        let report = render(&fixture_v2());
        let section = |from: &str, to: &str| -> &str {
            &report[report.find(from).unwrap()..report.find(to).unwrap()]
        };
        let spawn = section("### spawn", "### channels");
        assert!(
            spawn.contains("| Spawn+await [ns/task] | Memory per task |"),
            "{spawn}"
        );
        assert!(
            spawn.contains("|                14,480 |        12.4 KiB |"),
            "{spawn}"
        );
        assert!(spawn.contains("| threads ¹ "), "{spawn}");
        assert!(
            spawn
                .contains("¹ threads: tasks capped from 100,000 to 10,000: one OS thread per task")
        );
        // No `seq`: no speedup or efficiency columns.
        assert!(!spawn.contains("Speedup"), "{spawn}");
        let echo = section("### tcp-echo\n", "### tcp-echo-1");
        assert!(
            echo.contains("| p50 [µs] | p99 [µs] | p99.9 [µs] | max [µs] | Throughput [req/s] |"),
            "{echo}"
        );
        assert!(echo.contains("¹ thread-pool, rayon and threads-static: connections capped"));
        let inline = section("### mixed-inline", "### mixed-yield");
        assert!(
            inline
                .contains("| p50 [ms] | p99 [ms] | p99.9 [ms] | max [ms] | round-trip p99 [ms] |"),
            "{inline}"
        );
        assert!(inline.contains("*round-trip* p99 is the workload's further latency"));
        let channels = section("### channels", "### fork-join");
        assert!(channels.contains("Throughput [ops/s]"), "{channels}");
    }

    #[test]
    fn parts_table_only_when_the_file_names_the_parts() {
        let report = render(&fixture_v2());
        let disclosures = disclosures(&report);
        assert!(disclosures.contains("| Runner         | Timer and reactor "));
        assert!(
            disclosures.contains("| tokio::sync::mpsc "),
            "{disclosures}"
        );
        // The configuration table then leaves the timer to the parts table.
        let config = &disclosures[disclosures.find("Configuration as run").unwrap()..];
        let header = config.lines().find(|l| l.starts_with("| Runner")).unwrap();
        assert!(!header.contains("Timer"), "{header}");
        // A column no runner fills is left out.
        let mut results = fixture_v2();
        for r in &mut results.runners {
            r.offload.clear();
        }
        let report = render(&results);
        let parts = &report[report.find("Parts each runner uses").unwrap()..];
        let header = parts.lines().find(|l| l.starts_with("| Runner")).unwrap();
        assert!(
            header.contains("Channel") && !header.contains("Offload"),
            "{header}"
        );
    }

    #[test]
    fn efficiency_is_shown_for_cpu_bound_work_only() {
        let report = render(&fixture());
        let sleep =
            &report[report.find("### sleep").unwrap()..report.find("## Disclosures").unwrap()];
        let efficiency = |table: &str| -> Vec<String> {
            table
                .lines()
                .filter(|l| {
                    l.starts_with("| ") && !l.starts_with("| Runner") && !l.starts_with("| -")
                })
                .map(|l| l.split('|').nth(9).unwrap().trim().to_string())
                .collect()
        };
        let column = efficiency(sleep);
        assert_eq!(column.len(), 12);
        assert!(column.iter().all(|e| e == NONE), "{column:?}");
        assert!(sleep.contains(&format!("{WAITING_NOTE} {EFFICIENCY_NOTE}")));
        // Without a speedup column, the efficiency sentence has nothing to explain.
        let v2 = render(&fixture_v2());
        let open = &v2[v2.find("### tcp-echo-open").unwrap()..v2.find("### spawn").unwrap()];
        assert!(open.contains(WAITING_NOTE) && !open.contains(EFFICIENCY_NOTE));
        assert!(!verdict_of(&report, "sleep").contains("efficiency"));
        let cpu =
            &report[report.find("### cpu\n").unwrap()..report.find("### cpu-skewed").unwrap()];
        assert!(efficiency(cpu).iter().any(|e| e == "98%"));
        assert!(!cpu.contains(WAITING_NOTE));
    }

    fn fixture_quick() -> Results {
        crate::fixtures::quick()
    }

    /// A summary with median `wall` and a narrow interval around it.
    fn summary_at(wall: f64) -> Summary {
        Summary {
            median_wall_s: wall,
            interval_wall_s: [wall * 0.999, wall * 1.001],
            interval_coverage: 0.99,
            samples: 10,
            speedup_vs_seq: None,
            efficiency: None,
            oversubscribed: false,
            cpu_utilisation: 1.0,
        }
    }

    /// Scales the samples of `runner` on `workload`: wall times by `wall`, CPU
    /// times so the cell keeps `cores` busy.
    fn reshape(results: &mut Results, runner: &str, workload: &str, wall: f64, cores: f64) {
        let cell = results
            .cells
            .iter_mut()
            .find(|c| c.runner == runner && c.workload == workload)
            .unwrap_or_else(|| panic!("no {runner}/{workload}"));
        for s in &mut cell.samples {
            s.wall_s *= wall;
            s.user_s = s.wall_s * cores;
            s.sys_s = 0.0;
        }
    }

    #[test]
    fn a_ratio_below_one_is_worded_as_a_slowdown() {
        let seq = summary_at(1.0);
        let slower = Versus::of(&summary_at(1.0 / 0.75), &seq);
        assert_eq!(slower.change, Change::Slower);
        assert_eq!(
            slower.against_seq(true),
            "ran at 0.75× `seq`'s speed, taking 1.33× as long"
        );
        assert_eq!(slower.against("x"), "ran at 0.75× x's speed");
        assert_eq!(slower.in_all(), "0.75× `seq`'s speed in all");
        let faster = Versus::of(&summary_at(0.5), &seq);
        assert_eq!(faster.against_seq(true), "bought 2.00× over `seq`");
        assert_eq!(faster.against_seq(false), "ran at 2.00× `seq`");
        assert_eq!(faster.against("x"), "ran 2.00× as fast as x");

        // On the real run, every kind: no ratio below 1 is called bought or a gain.
        let report = render(&fixture_quick());
        let verdict =
            &report[report.find("## Verdict").unwrap()..report.find("## Latency").unwrap()];
        for word in ["bought 0.", "further 0.", "0.75× over", "0.66× over"] {
            assert!(!verdict.contains(word), "{word} in {verdict}");
        }
        assert!(
            verdict_of(&report, "tcp-echo").contains(
                "concurrency alone (best single-threaded executor: tokio-ct) ran at 0.75× \
                 `seq`'s speed, taking 1.33× as long;"
            ),
            "{verdict}"
        );
        assert!(
            verdict_of(&report, "tcp-echo-1").contains("ran at 0.66× `seq`'s speed, taking 1.52×"),
            "{verdict}"
        );
    }

    #[test]
    fn a_difference_within_the_band_is_nothing_measurable() {
        let base = summary_at(1.0);
        // 0.4% slower, outside each other's interval: still level.
        let level = Versus::of(&summary_at(1.0 / 0.996), &base);
        assert_eq!(level.change, Change::Level);
        assert_eq!(level.level(), "0.996×");
        assert_eq!(level.against_seq(true), "was level with `seq` (0.996×)");
        // Just beyond the band either way.
        assert_eq!(
            Versus::of(&summary_at(1.0 / 0.96), &base).change,
            Change::Slower
        );
        assert_eq!(
            Versus::of(&summary_at(1.0 / 1.04), &base).change,
            Change::Faster
        );
        // Overlapping intervals are level however far apart the medians are.
        let mut wide = summary_at(1.0 / 1.2);
        wide.interval_wall_s = [0.5, 1.5];
        let noisy = Versus::of(&wide, &base);
        assert_eq!(noisy.change, Change::Level);
        assert_eq!(noisy.level(), "1.20×, within noise");

        // On the real run: smol-mt 0.996× smol-local on sleep.
        let report = render(&fixture_quick());
        let sleep = verdict_of(&report, "sleep");
        assert!(
            sleep.contains("was level with smol-local (0.996×)"),
            "{sleep}"
        );
        assert!(!sleep.contains("slower"), "{sleep}");
        let cpu = verdict_of(&report, "cpu");
        assert!(cpu.contains("was level with `seq` (0.978×)"), "{cpu}");

        // A multithreaded leader that was parallel: level, then slower, than
        // concurrency alone.
        let mut results = fixture();
        let others: Vec<String> = results
            .cells
            .iter()
            .filter(|c| c.workload == "sleep" && c.runner != "smol-mt")
            .filter(|c| multithreaded_class(c.class))
            .map(|c| c.runner.clone())
            .collect();
        for runner in &others {
            reshape(&mut results, runner, "sleep", 1.5, 1.5);
        }
        reshape(&mut results, "smol-mt", "sleep", 1.0, 1.5);
        let sleep = render(&results);
        let sleep = verdict_of(&sleep, "sleep");
        assert!(
            sleep.contains(
                "adding parallelism (best multithreaded runner: smol-mt, 2 threads) added \
                 nothing measurable (1.00×) with 1.50 cores busy, 995× over `seq` in all. (`seq` \
                 extrapolated"
            ),
            "{sleep}"
        );
        reshape(&mut results, "smol-mt", "sleep", 1.0 / 0.9, 1.5);
        let report = render(&results);
        let sleep = verdict_of(&report, "sleep");
        assert!(
            sleep.contains("made it slower (0.90×) with 1.50 cores busy"),
            "{sleep}"
        );
    }

    #[test]
    fn parallelism_is_credited_only_with_more_than_one_core_busy() {
        let results = fixture_quick();
        let report = render(&results);
        // One connection: one thread works, and blocking I/O is the lead.
        let single = verdict_of(&report, "tcp-echo-1");
        assert!(
            single.contains(
                "the best multithreaded runner (threads-static, 2 threads) was level with `seq` \
                 (0.976×) with 1.00 cores busy and ran 1.48× as fast as tokio-ct: not a gain \
                 from parallelism; like `seq` it blocks on its sockets with no reactor, which is \
                 where its lead over tokio-ct comes from."
            ),
            "{single}"
        );
        assert!(!single.contains("adding parallelism"), "{single}");
        // 50 connections on 2 cores: parallelism's gain is measured against `seq`,
        // which blocks on its sockets too; the reactor runners are compared apart.
        let loaded = verdict_of(&report, "tcp-echo");
        assert!(
            loaded.contains(
                "parallelism (best multithreaded runner: threads-static, 2 threads) bought 1.91× over `seq` with 1.96 cores busy, \
                 blocking on its sockets with no reactor as `seq` does, so of its 2.53× over \
                 tokio-ct, 1.33× is blocking I/O's lead (`seq` over it), not parallelism; on a \
                 reactor, the best multithreaded runner (tokio-mt, 2 threads) was level with \
                 tokio-ct (1.02×) with 1.78 cores busy."
            ),
            "{loaded}"
        );
        assert!(!loaded.contains("further 2.53×"), "{loaded}");
        // CPU-bound work keeps its sentence.
        assert!(verdict_of(&report, "cpu").contains(
            "parallelism (best multithreaded runner: threads-static, 2 threads) at 1.99× \
             (efficiency 100%)"
        ));
        // The grid marks the multithreaded cells that were not parallel.
        let row = |report: &str, class: &str| -> String {
            report
                .lines()
                .find(|l| l.starts_with(&format!("| {class} ")))
                .unwrap()
                .to_owned()
        };
        let grid = row(&report, "concurrent-parallel");
        assert!(grid.contains("threads-static (t2) 0.98× ‡"), "{grid}");
        assert!(grid.contains("threads-static (t2) 1.91× |"), "{grid}");
        assert!(report.contains(
            "‡ At most 1.20 cores busy (here 0.00–1.00): that speedup is not a gain from \
             parallelism."
        ));

        // The same leader with two cores busy is credited.
        let mut busy = results.clone();
        reshape(&mut busy, "threads-static", "tcp-echo-1", 1.0, 1.9);
        let report = render(&busy);
        let single = verdict_of(&report, "tcp-echo-1");
        assert!(!single.contains("not a gain from parallelism"), "{single}");
        assert!(
            single.contains("parallelism (best multithreaded runner: threads-static, 2 threads)"),
            "{single}"
        );
        assert!(!row(&report, "concurrent-parallel").contains("0.98× ‡"));

        // Without the runners' socket descriptions, no cause is claimed.
        let mut unknown = results;
        for r in &mut unknown.runners {
            r.net.clear();
        }
        let report = render(&unknown);
        let single = verdict_of(&report, "tcp-echo-1");
        assert!(single.contains("not a gain from parallelism."), "{single}");
        assert!(!single.contains("blocks"), "{single}");
        assert!(!verdict_of(&report, "tcp-echo").contains("blocking"));
    }

    #[test]
    fn open_loop_wall_time_is_the_schedule() {
        let results = fixture_quick();
        let report = render(&results);
        let open = verdict_of(&report, "tcp-echo-open");
        assert_eq!(
            open,
            "- **tcp-echo-open** (I/O-bound): sends on a fixed schedule (20,000 req/s), so the \
             schedule sets its wall time (100–106 ms on every runner that finished) and speedups \
             mean nothing: compare latencies (see *Latency: unloaded, loaded and open loop*). \
             seq, thread-pool, threads-static and rayon block on one connection per thread, 1–2 \
             of the 50 at a time, so the requests of the connections waiting their turn go out \
             late: open-loop p50 48.6–50.8 ms against 78.4 µs to 1.16 ms for the other runners."
        );
        // Not in the grid.
        let header = report.lines().find(|l| l.starts_with("| Class ")).unwrap();
        assert!(!header.contains("tcp-echo-open"), "{header}");
        assert!(header.contains("tcp-echo-1"), "{header}");
        // A closed loop is not an open loop.
        assert!(!verdict_of(&report, "tcp-echo").contains("schedule"));

        // Without a rate in the parameters, the description says open loop; a
        // runner on a reactor that falls behind is named without a cause.
        let mut described = results;
        for c in &mut described.cells {
            if let Some(params) = c.params.as_object_mut() {
                params.remove(OPEN_LOOP_RATE);
            }
            if c.workload == "tcp-echo-open" && c.runner == "tokio-ct" {
                c.latency_us.as_mut().unwrap().p50 = 60_000.0;
            }
        }
        let report = render(&described);
        let open = verdict_of(&report, "tcp-echo-open");
        assert!(
            open.contains("sends on a fixed schedule, so the schedule sets its wall time"),
            "{open}"
        );
        assert!(
            open.contains(
                "seq, tokio-ct, thread-pool, threads-static and rayon fell behind the schedule: \
                 open-loop p50 48.6–60.0 ms against 78.4 µs to 1.15 ms for the other runners."
            ),
            "{open}"
        );
        // With nothing but the description, no open loop is assumed.
        let mut plain = described.clone();
        for w in &mut plain.workloads {
            w.summary = "C connections over loopback TCP".into();
        }
        let report = render(&plain);
        assert!(!verdict_of(&report, "tcp-echo-open").contains("schedule"));
    }

    // -- issue 10: honest intervals, disturbed cells, oversubscription ---------

    /// The report's `### workload` section up to the next one.
    fn table_of<'r>(report: &'r str, workload: &str) -> &'r str {
        let start = report.find(&format!("### {workload}\n")).unwrap();
        let end = report[start + 4..]
            .find("\n### ")
            .or_else(|| report[start + 4..].find("\n## "))
            .map_or(report.len(), |i| start + 4 + i);
        &report[start..end]
    }

    /// `fixture()` with every cell of `workload` given `n` samples spread ±0.1%
    /// around its median, so its intervals are tight and disjoint from other
    /// runners' but have the coverage of `n` samples.
    fn with_samples(mut results: Results, workload: &str, n: usize) -> Results {
        for cell in results.cells.iter_mut().filter(|c| c.workload == workload) {
            let Some(first) = cell.samples.first().cloned() else {
                continue;
            };
            let walls: Vec<f64> = cell.samples.iter().map(|s| s.wall_s).collect();
            let median = crate::stats::median(&walls);
            let cpu = (first.user_s + first.sys_s) / first.wall_s;
            cell.samples = (0..n)
                .map(|i| {
                    let wall = median * (1.0 + 0.001 * (i as f64 / n as f64 - 0.5));
                    Sample {
                        wall_s: wall,
                        user_s: wall * cpu,
                        sys_s: 0.0,
                        ..first.clone()
                    }
                })
                .collect();
        }
        results
    }

    #[test]
    fn three_sample_cells_claim_no_95_percent_no_fastest_and_no_tie() {
        let mut results = fixture();
        for cell in &mut results.cells {
            cell.samples.truncate(3);
        }
        let report = without_claims(&render(&results));
        for word in ["95%", "tied", "fastest"] {
            assert!(!report.contains(word), "{word} in:\n{report}");
        }
        let cpu = table_of(&report, "cpu");
        assert!(
            cpu.contains("Median interval: range of 3 samples (75%) in every row."),
            "{cpu}"
        );
        assert!(cpu.contains("1.00 (lowest median)"), "{cpu}");
        assert!(cpu.contains("(3 samples: too few to rank)"), "{cpu}");
    }

    #[test]
    fn tight_samples_support_fastest_and_a_95_percent_label() {
        let results = with_samples(fixture(), "cpu", 12);
        let report = render(&results);
        let cpu = table_of(&report, "cpu");
        assert!(
            cpu.contains("95% CI (order statistics, n = 12, 96.1%) in every row"),
            "{cpu}"
        );
        // tokio-mt and rayon share a 204 ms median: tied, on 12 samples each.
        assert!(cpu.contains("1.00 (tied)"), "{cpu}");
        let verdict = verdict_of(&report, "cpu");
        assert!(verdict.contains("statistically tied with"), "{verdict}");
        // The same run with the fastest runner alone in front is called fastest.
        let mut alone = with_samples(fixture(), "cpu", 12);
        for c in alone.cells.iter_mut().filter(|c| c.workload == "cpu") {
            if c.runner == "tokio-mt" {
                c.samples.iter_mut().for_each(|s| s.wall_s *= 0.9);
            }
        }
        let cpu = table_of(&render(&alone), "cpu").to_owned();
        assert!(cpu.contains("| 1.00 (fastest) |"), "{cpu}");
    }

    /// Marks `runner`'s `workload` cell disturbed, with a foreign load.
    fn disturb(results: &mut Results, runner: &str, workload: &str) {
        let cell = results
            .cells
            .iter_mut()
            .find(|c| c.runner == runner && c.workload == workload)
            .unwrap();
        cell.interference = Some(crate::model::Interference {
            retaken: 4,
            disturbed_samples: 2,
            foreign_cores_max: 0.85,
            foreign_cores_median: 0.4,
            steal_cores_max: 0.0,
            discarded_foreign_cores: vec![0.8, 0.85, 0.7, 0.6],
        });
    }

    #[test]
    fn a_disturbed_cell_is_shown_but_never_the_best() {
        let mut results = with_samples(fixture(), "cpu", 12);
        for c in results.cells.iter_mut().filter(|c| c.workload == "cpu") {
            if c.runner == "tokio-mt" {
                // It would be the fastest by far...
                c.samples.iter_mut().for_each(|s| s.wall_s *= 0.5);
            }
        }
        // ...but other load disturbed it.
        disturb(&mut results, "tokio-mt", "cpu");
        let report = render(&results);
        let verdict = verdict_of(&report, "cpu");
        assert!(!verdict.contains("tokio-mt"), "{verdict}");
        assert!(
            verdict.contains("best multithreaded runner: rayon"),
            "{verdict}"
        );
        assert!(report.contains(
            "1 cell was disturbed by other load on the machine even after re-takes and is left \
             out of the verdicts"
        ));
        let cpu = table_of(&report, "cpu");
        let row = cpu.lines().find(|l| l.starts_with("| tokio-mt §")).unwrap();
        assert!(row.ends_with(" disturbed |"), "{row}");
        assert!(
            cpu.contains(
                "§ Disturbed by other load on the machine even after re-takes, so shown but left \
                 out of every verdict, ranking and finding: tokio-mt at 2 threads (foreign load \
                 up to 0.85 cores; 2 of 12 samples disturbed after 4 re-takes)."
            ),
            "{cpu}"
        );
        // rayon leads the ranking; tokio-mt sits below the judged cells.
        assert!(cpu.contains("1.00 (fastest)") || cpu.contains("1.00 (tied)"));
        let grid = report
            .lines()
            .find(|l| l.starts_with("| concurrent-parallel"))
            .unwrap();
        assert!(!grid.contains("tokio-mt (t2) 3.9"), "{grid}");
    }

    #[test]
    fn oversubscription_is_its_own_fact_not_lost_efficiency() {
        let mut results = fixture();
        for c in results.cells.iter_mut().filter(|c| c.workload == "cpu") {
            if c.runner == "tokio-mt" {
                c.threads = 4;
            }
        }
        let report = render(&results);
        let cpu = table_of(&report, "cpu");
        let row = cpu.lines().find(|l| l.starts_with("| tokio-mt ")).unwrap();
        // 1.97× on 2 cores is 98% of the ideal, whatever the 4 threads.
        assert!(row.contains("|      4↑ |"), "{row}");
        assert!(row.contains("|        98% |"), "{row}");
        assert!(
            cpu.contains("↑ Oversubscribed: 4 threads on 2 cores. Efficiency is measured against"),
            "{cpu}"
        );
        let verdict = verdict_of(&report, "cpu");
        assert!(
            verdict.contains(
                "at 1.97× (efficiency 98% of the 2 cores; 4 threads on 2 cores (oversubscribed))"
            ),
            "{verdict}"
        );
    }

    #[test]
    fn the_header_summarises_sampling_and_interference() {
        let mut results = fixture();
        results.config.sampling = Some(crate::model::SamplingConfig {
            min_samples: 6,
            max_samples: 40,
            samples_per_process: 3,
            min_processes: 2,
            precision_cpu: 0.02,
            precision_other: 0.05,
            budget_s: Some(900.0),
            interference_threshold_cores: 0.1,
            max_retakes: 3,
        });
        results.preflight = Some(crate::model::Preflight {
            load_average: [0.52, 0.4, 0.33],
            foreign_cores: 0.12,
            window_s: 1.0,
            busiest: vec![crate::model::BusyProcess {
                pid: 42,
                name: "cc1".into(),
                cores: 0.9,
            }],
        });
        for (i, c) in results.cells.iter_mut().enumerate() {
            c.sampling = Some(crate::model::Sampling {
                processes: 2,
                stop: if i % 4 == 0 {
                    crate::model::StopReason::Budget
                } else {
                    crate::model::StopReason::Precision
                },
                target: 0.02,
                half_width: Some(0.01 + 0.001 * i as f64),
                budget_s: Some(20.0),
                spent_s: 10.0,
            });
            c.interference = Some(crate::model::Interference::default());
        }
        disturb(&mut results, "rayon", "cpu");
        let report = render(&results);
        let header = &report[..report.find("## Verdict").unwrap()];
        assert!(
            header.contains(
                "- **Sampling:** 6–40 samples per cell, 3 per process from at least 2 processes; \
                 precision target ±2% of the median for CPU-bound cells, ±5% for the others; \
                 time budget 15 min; a sample is disturbed above 0.10 cores of foreign load, \
                 re-taken up to 3 times per cell process; cells stopped on precision"
            ),
            "{header}"
        );
        assert!(header.contains("CPU-bound cells reached ±"), "{header}");
        assert!(
            header.contains(
                "- **Interference:** before the run, load average 0.52, 0.40, 0.33 and 0.12 \
                 cores of foreign load over 1.00 s (busiest: cc1 (0.90 cores)); during the run, 4 \
                 samples re-taken in 1 of"
            ),
            "{header}"
        );
        assert!(
            header.contains(
                "1 cell stayed disturbed and is left out of the verdicts (`rayon/cpu/t2`)"
            ),
            "{header}"
        );
        // The per-workload table says why each cell stopped.
        assert!(table_of(&report, "cpu").contains(", precision |"));
        // Older files record none of it, and say nothing of it.
        let old = render(&fixture_v2());
        let header = &old[..old.find("## Verdict").unwrap()];
        assert!(!header.contains("Sampling") && !header.contains("Interference"));
    }
}

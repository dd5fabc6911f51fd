//! A check as Markdown: the findings table (regressions first), each cell's
//! spread, the drift, the disturbed cells, the notes and the one-line summary.

use super::*;
use crate::summary::BASELINE_RUNNER;
use crate::table::{Align, Table};
use crate::text::{plural, sig3};
use std::fmt::Write as _;

/// A change as a signed percentage with one decimal: `+15.2%`, `-3.0%`, and
/// `0.0%` (no sign) for what rounds to zero.
fn format_change(change: f64) -> String {
    if !change.is_finite() {
        return NONE.to_owned();
    }
    let percent = (change * 1000.0).round() / 10.0;
    if percent == 0.0 {
        "0.0%".to_owned()
    } else {
        format!("{percent:+.1}%")
    }
}

/// A band or spread as an unsigned percentage: `±10%`, `±4.5%` below 10%.
fn format_band(x: f64) -> String {
    if !x.is_finite() {
        NONE.to_owned()
    } else if x < 0.1 {
        format!("±{:.1}%", x * 100.0)
    } else {
        format!("±{:.0}%", x * 100.0)
    }
}

/// A metric's value with its unit.
fn format_value(metric: Metric, mode: Mode, x: f64) -> String {
    if !x.is_finite() {
        return NONE.to_owned();
    }
    match metric {
        Metric::MedianWall if mode == Mode::WithinRunRatio => sig3(x),
        Metric::MedianWall => format!("{} ms", sig3(x * 1e3)),
        Metric::Throughput => format!("{}/s", sig3(x)),
        Metric::LatencyP99 => format!("{} µs", sig3(x)),
        Metric::PeakRss => format!("{:.1} MiB", x / RSS_MIN_BYTES),
    }
}

/// Renders `check` as Markdown: a heading, the mode and the thresholds, a table
/// of every finding (regressions first), the cells present on one side only or
/// not compared, the notes, and a one-line summary as the last line.
/// `baseline_label` and `results_label` name the two sides (usually file paths).
pub fn render_markdown(check: &Check, baseline_label: &str, results_label: &str) -> String {
    let mut out = String::from("# rtcompare check\n\n");
    let _ = writeln!(
        out,
        "Baseline `{baseline_label}` against results `{results_label}`.\n"
    );
    push_method(&mut out, check);
    push_findings(&mut out, check);
    push_drift(&mut out, check);
    push_spread(&mut out, check);
    push_lists(&mut out, check);
    out.push_str(&check.summary_line());
    out.push('\n');
    out
}

/// The mode, the band and floor, the test and the interval, in prose.
fn push_method(out: &mut String, check: &Check) {
    let opts = &check.options;
    match check.mode {
        Mode::Absolute if check.machine_differences.is_empty() => {
            out.push_str("Mode: absolute values.\n\n");
        }
        Mode::Absolute => {
            let _ = writeln!(
                out,
                "Mode: absolute values, although the machines differ: {}.\n",
                check.machine_differences.join("; ")
            );
        }
        Mode::WithinRunRatio => {
            let _ = writeln!(
                out,
                "Mode: within-run ratios (machines differ: {}). Median wall times are divided by \
                 the median wall time of `{BASELINE_RUNNER}` on the same workload in their own \
                 run.\n",
                check.machine_differences.join("; ")
            );
        }
    }
    let tests = check.findings.iter().filter(|f| f.p.is_some()).count();
    let _ = writeln!(
        out,
        "Noise band ±{:.0}% (peak RSS ±{:.0}% and at least 1 MiB), or a cell's noise floor \
         where larger: {} × the run-to-run spread of a baseline made from at least \
         {FLOOR_MIN_RUNS} runs, or the farthest any of its processes landed from its value; \
         significance: two-sided Mann-Whitney U, or a hierarchical \
         bootstrap where both sides have samples from 2 or more processes, alpha {} after {} \
         correction over {}; 95% intervals of the ratio of medians from {} bootstrap \
         resamples.\n",
        opts.noise * 100.0,
        opts.band(Metric::PeakRss) * 100.0,
        opts.floor_k,
        opts.alpha,
        opts.correction.name(),
        plural(tests, "test", "tests"),
        opts.resamples,
    );
}

/// The table of every finding, or that nothing was compared.
fn push_findings(out: &mut String, check: &Check) {
    let opts = &check.options;
    if check.findings.is_empty() {
        out.push_str("Nothing was compared.\n\n");
    } else {
        let mut table = Table::new([
            ("Cell", Align::Left),
            ("Metric", Align::Left),
            ("Baseline", Align::Right),
            ("Now", Align::Right),
            ("Change [95% CI]", Align::Right),
            ("p (adj.)", Align::Right),
            ("Band", Align::Right),
            ("Detects", Align::Right),
            ("Verdict", Align::Left),
        ]);
        for f in &check.findings {
            let change = match f.ci95 {
                Some([lo, hi]) => format!(
                    "{} [{}, {}]",
                    format_change(f.change),
                    format_change(lo - 1.0),
                    format_change(hi - 1.0)
                ),
                None => format_change(f.change),
            };
            let p = match (f.p, f.p_adjusted) {
                (Some(p), Some(adj)) => format!("{} ({})", format_p(p), format_p(adj)),
                (Some(p), None) => format_p(p),
                _ => NONE.to_owned(),
            };
            let verdict = match f.verdict {
                Verdict::Regression => format!("**{}**", f.verdict.word()),
                Verdict::TooNoisy => format!(
                    "too noisy to detect {} here",
                    format_band(opts.band(f.metric))
                ),
                v => v.word().to_owned(),
            };
            let band = match f.floor {
                Some(floor) if floor >= opts.band(f.metric) => {
                    let by_reach = f
                        .reach
                        .is_some_and(|r| r >= opts.floor_k * f.run_spread.unwrap_or(0.0));
                    if by_reach {
                        format!(
                            "{} (floor, {} processes)",
                            format_band(f.band),
                            f.floor_processes
                        )
                    } else {
                        format!("{} (floor, {} runs)", format_band(f.band), f.runs)
                    }
                }
                _ => format_band(f.band),
            };
            let detects = f.detectable.map_or_else(
                || "none".to_owned(),
                |d| format!("≥{}", format_band(d).trim_start_matches('±')),
            );
            table.push_row(vec![
                f.cell.clone(),
                f.metric.name().to_owned(),
                format_value(f.metric, check.mode, f.baseline),
                format_value(f.metric, check.mode, f.now),
                change,
                p,
                band,
                detects,
                verdict,
            ]);
        }
        out.push_str(&table.to_markdown());
        out.push('\n');
    }
}

/// The machine's drift, when the calibration cells measured it.
fn push_drift(out: &mut String, check: &Check) {
    if let Some(drift) = &check.drift {
        let cells: Vec<String> = drift
            .cells
            .iter()
            .map(|(key, r)| format!("`{key}` {}", format_change(r - 1.0)))
            .collect();
        let _ = writeln!(
            out,
            "Drift of the machine since the baseline, from the calibration cells: {} ({}). {}\n",
            format_change(drift.factor - 1.0),
            cells.join(", "),
            if drift.normalized {
                "The other cells' times are divided by it before they are judged (--normalize)."
            } else {
                "Cells are judged on absolute times; --normalize would judge them relative to it."
            }
        );
    }
}

/// The spread of every sampled comparison, with a paragraph on the measures.
fn push_spread(out: &mut String, check: &Check) {
    let spread: Vec<&Finding> = check
        .findings
        .iter()
        .filter(|f| f.spread.is_some())
        .collect();
    if !spread.is_empty() {
        out.push_str(
            "## Spread\n\nBetween-process: relative interquartile range of the per-process \
             medians; within-process: median over processes of the relative interquartile \
             range of each one's samples; run-to-run: of the baseline's per-run medians; \
             process reach: the farthest one of the baseline's processes landed from its \
             value. A cell's noise floor is the larger of the floor factor times the \
             run-to-run spread and the process reach.\n\n",
        );
        let mut table = Table::new([
            ("Cell", Align::Left),
            ("Metric", Align::Left),
            ("Test", Align::Left),
            ("Processes", Align::Right),
            ("Samples", Align::Right),
            ("Between-process", Align::Right),
            ("Within-process", Align::Right),
            ("Run-to-run", Align::Right),
            ("Process reach", Align::Right),
        ]);
        let pct = |x: Option<f64>| x.map_or_else(|| NONE.to_owned(), format_band);
        let pair = |[a, b]: [Option<f64>; 2]| format!("{} / {}", pct(a), pct(b));
        for f in spread {
            let s = f.spread.as_ref().expect("filtered");
            table.push_row(vec![
                f.cell.clone(),
                f.metric.name().to_owned(),
                match s.method {
                    Method::Processes => "hierarchical bootstrap".to_owned(),
                    Method::Samples => "Mann-Whitney U".to_owned(),
                },
                format!("{} / {}", s.processes[0], s.processes[1]),
                format!("{} / {}", s.samples[0], s.samples[1]),
                pair(s.between_process),
                pair(s.within_process),
                match f.run_spread {
                    Some(spread) => format!("{} ({} runs)", format_band(spread), f.runs),
                    None => NONE.to_owned(),
                },
                match f.reach {
                    Some(reach) => {
                        format!("{} ({} processes)", format_band(reach), f.floor_processes)
                    }
                    None => NONE.to_owned(),
                },
            ]);
        }
        out.push_str(&table.to_markdown());
        out.push('\n');
    }
}

/// The cells listed rather than judged, and the notes.
fn push_lists(out: &mut String, check: &Check) {
    let list = |out: &mut String, title: &str, items: &[String]| {
        if !items.is_empty() {
            let _ = writeln!(out, "## {title}\n");
            for item in items {
                let _ = writeln!(out, "- {item}");
            }
            out.push('\n');
        }
    };
    let keys = |keys: &[String]| -> Vec<String> { keys.iter().map(|k| format!("`{k}`")).collect() };
    list(out, "Only in the baseline", &keys(&check.only_in_baseline));
    list(out, "Only in the results", &keys(&check.only_in_results));
    let not_compared: Vec<String> = check
        .not_compared
        .iter()
        .map(|(key, why)| format!("`{key}`: {why}"))
        .collect();
    list(out, "Not compared", &not_compared);
    let changed: Vec<String> = check
        .applicability_changed
        .iter()
        .map(|(key, how)| format!("`{key}`: {how}"))
        .collect();
    list(out, "Applicability changed", &changed);
    let disturbed: Vec<String> = check
        .disturbed
        .iter()
        .map(|(key, how)| format!("`{key}`: {how}"))
        .collect();
    list(out, "Disturbed, not judged", &disturbed);
    list(out, "Notes", &check.notes);
}

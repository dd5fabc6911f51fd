//! The header's Markdown, written from its [`HeaderFinding`] alone.

use super::*;
use crate::sections::shared::{duration, percent_fine};
use crate::text::{cores, escape_inline, join_and, plural, sig3};
use std::fmt::Write as _;

/// Writes `header` as the top of the report.
pub(super) fn render(header: &HeaderFinding, out: &mut String) {
    out.push_str("# rtcompare report\n\n");
    if header.partial {
        out.push_str(
            "**Warning: this run was interrupted or is still in progress; \
             some cells are missing.**\n\n",
        );
    }
    let (m, s) = (&header.machine, &header.source);
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
                s.tool_version,
                s.git_commit
                    .as_deref()
                    .map_or("unknown".into(), |g| format!("`{g}`"))
            ),
        ),
        ("Created", s.created.clone()),
        ("Run", run_line(&header.run)),
        ("Runtimes", runtimes(&header.runtimes)),
    ];
    if !header.interpreters.is_empty() {
        lines.push(("Interpreters", interpreters(&header.interpreters)));
    }
    lines.extend([
        ("Features", features(&header.features)),
        ("Environment", environment(&header.env)),
    ]);
    // Files before schema 3 record neither: nothing is said then.
    if let Some(sampling) = &header.sampling {
        lines.push(("Sampling", sampling_line(sampling)));
    }
    if let Some(interference) = &header.interference {
        lines.push(("Interference", interference_line(interference)));
    }
    for (label, value) in lines {
        writeln!(out, "- **{label}:** {value}").expect("write to String");
    }
    // The command that reproduces the run closes the report (*Reproduce*), so
    // the first screen keeps to the machine, the run and the answers.
    out.push('\n');
}

/// The run's plan in one line.
fn run_line(run: &RunPlan) -> String {
    let threads: Vec<String> = run.threads.iter().map(ToString::to_string).collect();
    format!(
        "preset `{}`, {} after {} warm-up{}, seed {}, threads {}, cell time limit {} s{}",
        run.preset,
        match run.samples {
            SamplePlan::Range { min, max } => format!("{min}–{max} samples"),
            SamplePlan::Count { samples } => plural(samples, "sample", "samples"),
        },
        run.warmup,
        if run.warmup_per_process {
            " per process"
        } else {
            ""
        },
        run.seed,
        threads.join(", "),
        run.timeout_s,
        run.rate.map_or(String::new(), |r| format!(
            ", open-loop rate {} req/s",
            crate::format::thousands(r)
        ))
    )
}

/// `tokio 1.47.1, smol 2.0.2`, or that none were recorded.
fn runtimes(versions: &BTreeMap<String, String>) -> String {
    if versions.is_empty() {
        return "not recorded".into();
    }
    let versions: Vec<String> = versions
        .iter()
        .map(|(name, version)| format!("{name} {version}"))
        .collect();
    versions.join(", ")
}

/// `` `python3`: CPython 3.11.7, GIL enabled ``, each interpreter by the command
/// that found it.
pub(in crate::sections) fn interpreters(found: &BTreeMap<String, String>) -> String {
    let found: Vec<String> = found
        .iter()
        .map(|(command, what)| format!("`{command}`: {}", escape_inline(what)))
        .collect();
    found.join("; ")
}

/// The cargo features, or `default`. The disclosures say the same.
pub(in crate::sections) fn features(features: &[String]) -> String {
    if features.is_empty() {
        "default".into()
    } else {
        features.join(", ")
    }
}

/// The runtime variables set, as inline code. The disclosures say the same.
pub(in crate::sections) fn environment(env: &BTreeMap<String, String>) -> String {
    if env.is_empty() {
        return "no runtime variables set".into();
    }
    let env: Vec<String> = env.iter().map(|(k, v)| format!("`{k}={v}`")).collect();
    env.join(", ")
}

/// `runner/workload/tN`, as inline code.
fn cell_code(cell: &CellRef) -> String {
    format!("`{}/{}/t{}`", cell.runner, cell.workload, cell.threads)
}

/// The sampling rule of the run and how the cells ended under it, in short
/// sentences.
fn sampling_line(sampling: &SamplingFinding) -> String {
    let mut sentences: Vec<String> = Vec::new();
    if let Some(c) = &sampling.rule {
        sentences.push(format!(
            "{}–{} samples per cell, {} per process from at least {}.",
            c.min_samples,
            c.max_samples,
            c.samples_per_process,
            plural(c.min_processes, "process", "processes"),
        ));
        sentences.push(format!(
            "Precision target ±{} of the median for CPU-bound cells, ±{} for the others; {}.",
            percent_fine(c.precision_cpu),
            percent_fine(c.precision_other),
            c.budget_s.map_or("no time budget".into(), |b| format!(
                "time budget {}",
                duration(b)
            )),
        ));
        sentences.push(format!(
            "A sample is disturbed above {} cores of foreign load and re-taken up to {} times \
             per cell process.",
            cores(c.interference_threshold_cores),
            c.max_retakes
        ));
    }
    if let Some(cells) = &sampling.cells {
        let stops: Vec<String> = cells
            .stops
            .iter()
            .map(|s| format!("{} {}", s.reason.as_str(), s.cells))
            .collect();
        sentences.push(format!(
            "Cells stopped on {} (of {}).",
            stops.join(", "),
            cells.cells
        ));
        if let Some(cpu) = &cells.cpu_precision {
            sentences.push(format!(
                "CPU-bound cells reached ±{} (median) and ±{} at worst ({}).",
                percent_fine(cpu.median),
                percent_fine(cpu.worst),
                cell_code(&cpu.worst_cell)
            ));
        }
    }
    sentences.join(" ")
}

/// Other load on the machine: what the pre-flight check saw and what the cells
/// measured during their samples, in short sentences.
fn interference_line(interference: &InterferenceFinding) -> String {
    let mut sentences: Vec<String> = Vec::new();
    if let Some(p) = &interference.preflight {
        let [one, five, fifteen] = p.load_average;
        let mut text = format!(
            "Before the run, load average {one:.2}, {five:.2}, {fifteen:.2} and {} cores of \
             foreign load over {} s",
            cores(p.foreign_cores),
            sig3(p.window_s)
        );
        if !p.busiest.is_empty() {
            let busiest: Vec<String> = p
                .busiest
                .iter()
                .map(|b| format!("{} ({} cores)", escape_inline(&b.name), cores(b.cores)))
                .collect();
            write!(text, " (busiest: {})", busiest.join(", ")).expect("write to String");
        }
        text.push('.');
        sentences.push(text);
    }
    if let Some(d) = &interference.during {
        sentences.push(format!(
            "During the run, {} re-taken in {} of {} cells.",
            plural(d.retaken_samples, "sample", "samples"),
            d.cells_retaken,
            d.cells,
        ));
        let mut most = format!(
            "The most foreign load over a sample was {} cores",
            cores(d.foreign_cores_max)
        );
        if d.steal_cores_max > 0.0 {
            write!(most, ", the most steal {} cores", cores(d.steal_cores_max))
                .expect("write to String");
        }
        most.push('.');
        sentences.push(most);
        if d.disturbed.is_empty() {
            sentences.push("No cell stayed disturbed.".to_owned());
        } else {
            let cells: Vec<String> = d.disturbed.iter().map(|c| cell_code(&c.cell)).collect();
            sentences.push(format!(
                "{} stayed disturbed and {} left out of the verdicts: {}.",
                plural(cells.len(), "cell", "cells"),
                if cells.len() == 1 { "is" } else { "are" },
                join_and(&cells)
            ));
        }
    }
    sentences.join(" ")
}

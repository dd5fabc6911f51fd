//! The header: title, warnings, the machine and run fingerprint, how samples were
//! taken, and what other load on the machine did to them.

use super::Report;
use super::shared::*;
use crate::model::{Cell, Sampling, Status};
use crate::text::{cores, escape_inline, join_and, plural, sig3};
use rtcompare_api::WorkloadKind;
use std::fmt::Write as _;

impl<'a> Report<'a> {
    // -- header -------------------------------------------------------------

    pub(super) fn header(&self, out: &mut String) {
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
    pub(super) fn sampling_line(&self) -> Option<String> {
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
    pub(super) fn interference_line(&self) -> Option<String> {
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
}

/// The section itself, for the registry.
pub(super) struct Header;

impl super::Section for Header {
    fn id(&self) -> &'static str {
        "header"
    }

    fn render(&self, report: &Report<'_>, out: &mut String) {
        report.header(out);
    }
}

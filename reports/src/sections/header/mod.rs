//! The header: title, warnings, the machine and run fingerprint, how samples were
//! taken, and what other load on the machine did to them, over every cell of the
//! run (the runners of every group: it describes the run, it compares nothing). Derived into a
//! [`HeaderFinding`] of the results' own facts, counts and cell references, then
//! rendered (`header/render.rs`); `findings.json` carries the same finding.

mod render;

pub(super) use render::{environment, features, interpreters};

use super::Report;
use crate::cell_ref::CellRef;
use crate::model::{BusyProcess, Cell, Interference, SamplingConfig, Status, StopReason};
use rtcompare_api::WorkloadKind;
use serde::Serialize;
use std::collections::BTreeMap;

/// The busiest other processes the header names from the pre-flight check.
const BUSIEST_SHOWN: usize = 3;

/// What the header shows: the run's fingerprint, its sampling and what other
/// load did to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct HeaderFinding {
    /// The run was interrupted or is still in progress: some cells are missing.
    pub(crate) partial: bool,
    pub(crate) machine: MachineFacts,
    pub(crate) source: SourceFacts,
    pub(crate) run: RunPlan,
    /// The runtime crates and their versions, by crate name.
    pub(crate) runtimes: BTreeMap<String, String>,
    /// The interpreters the run found for its CPython runners, by the command
    /// that found them (results schema 7); absent when none was recorded.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) interpreters: BTreeMap<String, String>,
    /// The cargo features the binary was built with (empty: the defaults).
    pub(crate) features: Vec<String>,
    /// The runtime environment variables that were set, by name.
    pub(crate) env: BTreeMap<String, String>,
    /// `None` when the file records neither a sampling rule nor how cells
    /// stopped (before schema 3).
    pub(crate) sampling: Option<SamplingFinding>,
    /// `None` when the file records neither a pre-flight check nor any cell's
    /// interference.
    pub(crate) interference: Option<InterferenceFinding>,
    /// The command line that runs the same plan again, as the file records it.
    pub(crate) command: String,
}

/// The machine and toolchain, as the results file records them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct MachineFacts {
    pub(crate) cpu_model: String,
    pub(crate) logical_cores: usize,
    pub(crate) os: String,
    pub(crate) kernel: String,
    pub(crate) rustc: String,
    /// The cargo profile the binary was built with.
    pub(crate) profile: String,
}

/// Which build of rtcompare made the results, and when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct SourceFacts {
    pub(crate) tool_version: String,
    /// `None`: not recorded.
    pub(crate) git_commit: Option<String>,
    pub(crate) created: String,
}

/// The run's plan as configured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct RunPlan {
    pub(crate) preset: String,
    pub(crate) samples: SamplePlan,
    pub(crate) warmup: usize,
    /// The warm-up runs in every cell process (the run had a sampling rule),
    /// not once per cell.
    pub(crate) warmup_per_process: bool,
    pub(crate) seed: u64,
    pub(crate) threads: Vec<usize>,
    /// The time limit of one cell, seconds.
    pub(crate) timeout_s: f64,
    /// The open-loop request rate, requests per second, if one was set.
    pub(crate) rate: Option<f64>,
}

/// How many samples a cell takes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum SamplePlan {
    /// A fixed count.
    Count { samples: usize },
    /// From `min` to `max`, as the sampling rule decides.
    Range { min: usize, max: usize },
}

/// The sampling rule and how the cells ended under it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct SamplingFinding {
    /// The rule, as the file records it (schema 3 on).
    pub(crate) rule: Option<SamplingConfig>,
    /// How the cells that record their sampling stopped; `None` when none does.
    pub(crate) cells: Option<CellsSampled>,
}

/// How the cells that record their sampling stopped.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct CellsSampled {
    /// The cells that record their sampling.
    pub(crate) cells: usize,
    /// Per reason that stopped any cell, how many it stopped, in the order
    /// precision, budget, max-samples, fixed, ended.
    pub(crate) stops: Vec<StopCount>,
    /// The precision the finished CPU-bound cells reached; `None` when no such
    /// cell records a half-width.
    pub(crate) cpu_precision: Option<CpuPrecision>,
}

/// How many cells one reason stopped.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct StopCount {
    pub(crate) reason: StopReason,
    pub(crate) cells: usize,
}

/// The half-widths of the finished CPU-bound cells' intervals, as fractions of
/// their medians.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct CpuPrecision {
    pub(crate) median: f64,
    pub(crate) worst: f64,
    /// The cell with the widest.
    pub(crate) worst_cell: CellRef,
}

/// Other load on the machine: before the run and during its samples.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct InterferenceFinding {
    /// What the pre-flight check saw, if the file records it.
    pub(crate) preflight: Option<PreflightFinding>,
    /// What the cells measured, if any cell records it.
    pub(crate) during: Option<DuringRun>,
}

/// The machine's load before the run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct PreflightFinding {
    /// Over 1, 5 and 15 minutes.
    pub(crate) load_average: [f64; 3],
    /// CPU time of other processes over the window, in cores.
    pub(crate) foreign_cores: f64,
    pub(crate) window_s: f64,
    /// The busiest other processes, at most [`BUSIEST_SHOWN`], busiest first.
    pub(crate) busiest: Vec<BusyProcess>,
}

/// What other load did to the cells' samples.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct DuringRun {
    /// The cells that record interference.
    pub(crate) cells: usize,
    /// Samples taken again for being disturbed, over all cells.
    pub(crate) retaken_samples: usize,
    /// The cells with any sample taken again.
    pub(crate) cells_retaken: usize,
    /// The most foreign load over one sample, in cores.
    pub(crate) foreign_cores_max: f64,
    /// The most steal over one sample, in cores.
    pub(crate) steal_cores_max: f64,
    /// The cells that stayed disturbed after their re-takes, in file order:
    /// left out of the verdicts.
    pub(crate) disturbed: Vec<DisturbedCell>,
}

/// A cell that stayed disturbed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct DisturbedCell {
    pub(crate) cell: CellRef,
    /// Its samples still disturbed after the re-takes.
    pub(crate) disturbed_samples: usize,
    /// Its samples taken again.
    pub(crate) retaken: usize,
}

impl<'a> Report<'a> {
    /// The header's finding.
    pub(super) fn derive_header(&self) -> HeaderFinding {
        let r = self.all;
        let (m, c) = (&r.machine, &r.config);
        let samples = match &c.sampling {
            Some(s) if s.min_samples != s.max_samples => SamplePlan::Range {
                min: s.min_samples,
                max: s.max_samples,
            },
            _ => SamplePlan::Count { samples: c.samples },
        };
        HeaderFinding {
            partial: r.partial,
            machine: MachineFacts {
                cpu_model: m.cpu_model.clone(),
                logical_cores: m.logical_cores,
                os: m.os.clone(),
                kernel: m.kernel.clone(),
                rustc: m.rustc.clone(),
                profile: m.profile.clone(),
            },
            source: SourceFacts {
                tool_version: r.tool_version.clone(),
                git_commit: m.git_commit.clone(),
                created: r.created.clone(),
            },
            run: RunPlan {
                preset: c.preset.clone(),
                samples,
                warmup: c.warmup,
                warmup_per_process: c.sampling.is_some(),
                seed: c.seed,
                threads: c.threads.clone(),
                timeout_s: c.timeout_s,
                rate: c.rate,
            },
            runtimes: m.crate_versions.clone(),
            interpreters: m.interpreters.clone(),
            features: m.features.clone(),
            env: m.env.clone(),
            sampling: self.derive_sampling(),
            interference: self.derive_interference(),
            command: c.command.clone(),
        }
    }

    /// The sampling rule of the run and how the cells ended under it: `None` when
    /// the file records neither (before schema 3).
    fn derive_sampling(&self) -> Option<SamplingFinding> {
        let r = self.all;
        let sampled: Vec<StopReason> = r
            .cells
            .iter()
            .filter_map(|c| Some(c.sampling.as_ref()?.stop))
            .collect();
        let cells = (!sampled.is_empty()).then(|| {
            let stops = [
                StopReason::Precision,
                StopReason::Budget,
                StopReason::MaxSamples,
                StopReason::Fixed,
                StopReason::Ended,
            ]
            .into_iter()
            .map(|reason| StopCount {
                reason,
                cells: sampled.iter().filter(|&&s| s == reason).count(),
            })
            .filter(|s| s.cells > 0)
            .collect();
            CellsSampled {
                cells: sampled.len(),
                stops,
                cpu_precision: self.cpu_precision(),
            }
        });
        let rule = r.config.sampling.clone();
        (rule.is_some() || cells.is_some()).then_some(SamplingFinding { rule, cells })
    }

    /// The precision the finished CPU-bound cells reached.
    fn cpu_precision(&self) -> Option<CpuPrecision> {
        let mut cpu: Vec<(f64, &Cell)> = self
            .all
            .cells
            .iter()
            .filter(|c| c.workload_kind == WorkloadKind::Cpu && c.status == Status::Ok)
            .filter_map(|c| Some((c.sampling.as_ref()?.half_width?, c)))
            .collect();
        // Stable: of equally wide cells, the last in the file is the worst.
        cpu.sort_by(|a, b| a.0.total_cmp(&b.0));
        let &(worst, worst_cell) = cpu.last()?;
        let widths: Vec<f64> = cpu.iter().map(|&(w, _)| w).collect();
        Some(CpuPrecision {
            median: crate::stats::median(&widths),
            worst,
            worst_cell: CellRef::of(worst_cell),
        })
    }

    /// Other load on the machine: what the pre-flight check saw and what the cells
    /// measured during their samples. `None` when the file records neither.
    fn derive_interference(&self) -> Option<InterferenceFinding> {
        let r = self.all;
        let preflight = r.preflight.as_ref().map(|p| PreflightFinding {
            load_average: p.load_average,
            foreign_cores: p.foreign_cores,
            window_s: p.window_s,
            busiest: p.busiest.iter().take(BUSIEST_SHOWN).cloned().collect(),
        });
        let measured: Vec<(&Cell, &Interference)> = r
            .cells
            .iter()
            .filter_map(|c| Some((c, c.interference.as_ref()?)))
            .collect();
        let during = (!measured.is_empty()).then(|| DuringRun {
            cells: measured.len(),
            retaken_samples: measured.iter().map(|(_, i)| i.retaken).sum(),
            cells_retaken: measured.iter().filter(|(_, i)| i.retaken > 0).count(),
            foreign_cores_max: measured
                .iter()
                .map(|(_, i)| i.foreign_cores_max)
                .fold(0.0, f64::max),
            steal_cores_max: measured
                .iter()
                .map(|(_, i)| i.steal_cores_max)
                .fold(0.0, f64::max),
            disturbed: measured
                .iter()
                .filter(|(c, _)| c.disturbed())
                .map(|&(c, i)| DisturbedCell {
                    cell: CellRef::of(c),
                    disturbed_samples: i.disturbed_samples,
                    retaken: i.retaken,
                })
                .collect(),
        });
        (preflight.is_some() || during.is_some())
            .then_some(InterferenceFinding { preflight, during })
    }
}

/// The section itself, for the registry.
pub(super) struct Header;

impl super::Section for Header {
    fn id(&self) -> &'static str {
        "header"
    }

    fn findings(&self, report: &Report<'_>) -> Option<serde_json::Value> {
        let header = report.derived("header", || report.derive_header());
        super::as_json(Some(&*header))
    }

    fn render(&self, report: &Report<'_>, out: &mut String) {
        render::render(&report.derived("header", || report.derive_header()), out);
    }
}

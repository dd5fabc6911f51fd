//! The Markdown report's sections, rendered from fixtures: the shared fixtures and
//! helpers here, the tests by section in `verdicts.rs`, `tables.rs` and
//! `disclosures.rs`, and what the network servers bring to the verdict, the
//! disclosures and the tables in `network.rs`.

use super::disclosures::*;
use super::shared::*;
use super::workloads::*;

/// The whole report of `results`: `report.md`, then `details.md`.
fn render(results: &Results) -> String {
    crate::markdown::render(results) + &crate::markdown::render_details(results)
}

use crate::model::{Cell, Results, Sample, Status, Summary};
use crate::summary::BASELINE_RUNNER;
use crate::text::NONE;
use rtcompare_api::Family;

mod cpython;
mod disclosures;
mod header;
mod network;
mod tables;
mod timer;
mod verdict_findings;
mod verdicts;

fn fixture() -> Results {
    serde_json::from_str(include_str!("../../../tests/fixtures/results.json"))
        .expect("fixture parses")
}

fn verdict_of<'r>(report: &'r str, workload: &str) -> &'r str {
    let start = format!("- **{workload}** (");
    report
        .lines()
        .find(|l| l.starts_with(&start))
        .unwrap_or_else(|| panic!("no verdict for {workload} in\n{report}"))
}

/// The *Disclosures* section of `report`, up to the next section.
fn disclosures(report: &str) -> &str {
    let start = report.find("## Disclosures").expect("has disclosures");
    let end = report[start + 3..]
        .find("\n## ")
        .or_else(|| report[start + 3..].find("\n# "))
        .map_or(report.len(), |i| start + 3 + i);
    &report[start..end]
}

/// `report` without its claims section, and without *CPython beside the
/// emulation* when it has one: the sections that name runners.
fn without_claims(report: &str) -> String {
    let cut = |report: &str, heading: &str| -> String {
        let Some(start) = report.find(heading) else {
            return report.to_owned();
        };
        let end = report[start + 1..]
            .find("\n## ")
            .map_or(report.len(), |i| start + 2 + i);
        format!("{}{}", &report[..start], &report[end..])
    };
    assert!(report.contains("## Claims checked\n"), "has claims");
    let report = cut(report, "## Claims checked\n");
    cut(&report, "## CPython beside the emulation\n")
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
        meta.baseline = meta.baseline.as_deref().map(rename);
    }
    let mut back = render(&renamed);
    let mut ids: Vec<&str> = original.config.runners.iter().map(String::as_str).collect();
    ids.sort_by_key(|id| std::cmp::Reverse(id.len()));
    for id in ids {
        back = back.replace(&rename(id), id);
    }
    assert_eq!(part(&back), part(&text));
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

/// A sampling rule of 6–40 samples with a 15 min budget.
fn sampling_rule() -> crate::model::SamplingConfig {
    crate::model::SamplingConfig {
        min_samples: 6,
        max_samples: 40,
        samples_per_process: 3,
        min_processes: 2,
        precision_cpu: 0.02,
        precision_other: 0.05,
        budget_s: Some(900.0),
        interference_threshold_cores: 0.1,
        max_retakes: 3,
    }
}

/// Marks `runner`'s `workload` cell disturbed, with a foreign load; for the
/// sections' own tests too.
pub(super) fn disturb(results: &mut Results, runner: &str, workload: &str) {
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

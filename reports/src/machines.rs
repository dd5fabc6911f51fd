//! The cross-machine report: several results files (a laptop, a CI runner, a
//! many-core server) side by side, keyed by machine fingerprint, so "how does this
//! scale on more cores" is answered by merging files, not by re-running anything.
//! Speedup and efficiency are ratios within each file's own run, so they compare
//! across machines where absolute times would not.

use crate::model::{Cell, Results};
use crate::summary::Summarized;
use crate::table::{Align, Table};
use crate::text::{NONE, ms, percent, times};
use std::fmt::Write as _;

/// A short name for a machine: CPU model and logical cores.
fn machine_label(results: &Results) -> String {
    format!(
        "{} ({} cores)",
        results.machine.cpu_model.trim(),
        results.machine.logical_cores
    )
}

/// Renders the cross-machine comparison of `files` (each a label, usually the
/// file name, and its results). Cells are matched by runner, workload and threads.
pub fn render(files: &[(String, Summarized)]) -> String {
    let mut out = String::from("# rtcompare across machines\n\n");
    let mut machines = Table::new([
        ("#", Align::Right),
        ("File", Align::Left),
        ("Machine", Align::Left),
        ("OS / kernel", Align::Left),
        ("rustc", Align::Left),
        ("Preset", Align::Left),
        ("Threads", Align::Left),
        ("Created", Align::Left),
    ]);
    for (i, (label, r)) in files.iter().enumerate() {
        let threads: Vec<String> = r.config.threads.iter().map(usize::to_string).collect();
        machines.push_row(vec![
            format!("M{}", i + 1),
            label.clone(),
            machine_label(r),
            format!("{} / {}", r.machine.os, r.machine.kernel),
            r.machine.rustc.clone(),
            r.config.preset.clone(),
            threads.join(","),
            r.created.clone(),
        ]);
    }
    out.push_str(&machines.to_markdown());
    out.push('\n');
    let presets: Vec<&str> = files
        .iter()
        .map(|(_, r)| r.config.preset.as_str())
        .collect();
    if presets.windows(2).any(|w| w[0] != w[1]) {
        out.push_str(
            "**Note:** the files use different presets, so their workloads differ in size; \
             speedups still compare, wall times do not.\n\n",
        );
    }
    out.push_str(
        "Speedup is each cell's median wall time against `seq` on the same workload in the \
         same file, so it compares across machines where absolute times do not; efficiency is \
         speedup ÷ min(threads, cores) of that machine, for CPU-bound work.\n\n",
    );
    let mut own: Vec<String> = Vec::new();
    for (_, r) in files {
        for meta in r.runners.iter().filter(|m| m.baseline.is_some()) {
            let said = format!(
                "{} over `{}`",
                meta.id,
                meta.baseline.as_deref().unwrap_or_default()
            );
            if !own.contains(&said) {
                own.push(said);
            }
        }
    }
    if !own.is_empty() {
        writeln!(
            out,
            "Runners that name their own baseline have their speedups over it instead: {}. \
             They ran the workloads at their own size, so their wall times compare with no \
             other runner's.\n",
            crate::text::join_and(&own)
        )
        .expect("write to String");
    }

    // Workloads and (runner, threads) rows in order of first appearance.
    let mut workloads: Vec<&str> = Vec::new();
    for (_, r) in files {
        for c in &r.cells {
            if !workloads.contains(&c.workload.as_str()) {
                workloads.push(&c.workload);
            }
        }
    }
    for workload in workloads {
        writeln!(out, "## {workload}\n").expect("write to String");
        let mut columns = vec![
            ("Runner".to_owned(), Align::Left),
            ("Threads".to_owned(), Align::Right),
        ];
        for i in 0..files.len() {
            columns.push((format!("M{} speedup", i + 1), Align::Right));
            columns.push((format!("M{} efficiency", i + 1), Align::Right));
            columns.push((format!("M{} median [ms]", i + 1), Align::Right));
        }
        let mut table = Table::new(columns);
        let mut rows: Vec<(String, usize)> = Vec::new();
        for (_, r) in files {
            for c in r.cells.iter().filter(|c| c.workload == workload) {
                let key = (c.runner.clone(), c.threads);
                if !rows.contains(&key) {
                    rows.push(key);
                }
            }
        }
        for (runner, threads) in rows {
            let mut row = vec![runner.clone(), threads.to_string()];
            for (_, r) in files {
                let cell: Option<&Cell> = r
                    .cells
                    .iter()
                    .find(|c| c.workload == workload && c.runner == runner && c.threads == threads);
                match cell.and_then(|c| c.summary.as_ref()) {
                    Some(s) => row.extend([
                        s.speedup_vs_seq.map_or(NONE.into(), times),
                        s.efficiency.map_or(NONE.into(), percent),
                        ms(s.median_wall_s),
                    ]),
                    None => {
                        let why = cell.map_or("not run", |c| match c.status {
                            crate::model::Status::Timeout => "timeout",
                            crate::model::Status::NotApplicable => "n/a",
                            _ => "failed",
                        });
                        row.extend([why.to_owned(), NONE.into(), NONE.into()]);
                    }
                }
            }
            table.push_row(row);
        }
        out.push_str(&table.to_markdown());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> Results {
        let text = include_str!("../tests/fixtures/results.json");
        crate::parse(std::path::Path::new("fixture"), text).unwrap()
    }

    #[test]
    fn two_machines_side_by_side() {
        let laptop = fixture();
        let mut server = fixture();
        server.machine.cpu_model = "Big Server CPU".into();
        server.machine.logical_cores = 64;
        server.cells.retain(|c| c.runner != "rayon");
        let report = render(&[
            ("laptop.json".into(), Summarized::new(laptop)),
            ("server.json".into(), Summarized::new(server)),
        ]);
        let m2 = report
            .lines()
            .find(|l| l.split('|').nth(1).map(str::trim) == Some("M2"))
            .unwrap();
        assert!(
            m2.contains("server.json") && m2.contains("Big Server CPU (64 cores)"),
            "{m2}"
        );
        assert!(report.contains("## cpu-skewed"));
        // rayon ran on the laptop only: its server columns say so.
        let rayon = report
            .lines()
            .find(|l| l.starts_with("| rayon ") && l.contains("not run"))
            .expect("rayon row with a missing machine");
        assert_eq!(rayon.matches('|').count(), 2 + 2 * 3 + 1);
    }

    #[test]
    fn cells_that_do_not_apply_say_so() {
        let text = include_str!("../tests/fixtures/results-v2.json");
        let v2 = crate::parse(std::path::Path::new("fixture"), text).unwrap();
        let report = render(&[
            ("a.json".into(), Summarized::new(v2.clone())),
            ("b.json".into(), Summarized::new(v2)),
        ]);
        let spawn = &report[report.find("## spawn").unwrap()..];
        let seq = spawn.lines().find(|l| l.starts_with("| seq ")).unwrap();
        assert_eq!(seq.matches("n/a").count(), 2, "{seq}");
        assert!(!seq.contains("failed"), "{seq}");
    }

    #[test]
    fn runners_with_their_own_baseline_are_named() {
        let laptop = fixture();
        let text = include_str!("../tests/fixtures/cpython.json");
        let cpython = crate::parse(std::path::Path::new("fixture"), text).unwrap();
        let without = render(&[
            ("a.json".into(), Summarized::new(laptop.clone())),
            ("b.json".into(), Summarized::new(laptop.clone())),
        ]);
        assert!(!without.contains("their own baseline"));
        let with = render(&[
            ("a.json".into(), Summarized::new(laptop)),
            ("b.json".into(), Summarized::new(cpython)),
        ]);
        assert!(
            with.contains(
                "Runners that name their own baseline have their speedups over it instead: \
                 cpython-seq over `cpython-seq`, cpython-threads over `cpython-seq`"
            ),
            "{with}"
        );
        // cpython-threads at 2 threads: 0.96× over cpython-seq.
        let row = with
            .lines()
            .find(|l| {
                l.starts_with("| cpython-threads ")
                    && l.split('|').nth(2).map(str::trim) == Some("2")
            })
            .expect("a cpython-threads row");
        assert!(row.contains("0.96×"), "{row}");
    }
}

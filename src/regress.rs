//! The CLI side of regression checking: saving baselines, `check` (a results file or
//! a fresh run of a baseline's cells against the baseline, with a confirmation re-run
//! of flagged cells) and `ab` (two rtcompare builds, cells interleaved A B B A in one
//! job). The statistics live in `rtcompare_reports::regression`; this module runs
//! cells, reads and writes files, and turns the verdict into an exit code.

use crate::cell::CellSpec;
use crate::harness::{self, Plan, Session};
use crate::sampling::Policy;
use crate::suite::Catalog;
use anyhow::{Context, Result, bail};
use rtcompare_reports::regression::{self, Check, CheckOptions};
use rtcompare_reports::{Baseline, Cell, Results, Status, baseline};
use rtcompare_workloads::Preset;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// How many times the first pass's processes a confirmation re-run takes per cell.
pub const CONFIRM_PROCESS_FACTOR: usize = 2;

/// Exit code when a regression is found (confirmed, where the check ran the cells).
pub const EXIT_REGRESSION: u8 = 1;

/// Loads a results or baseline file, refusing a partial one unless allowed.
pub fn load_complete(path: &Path, allow_partial: bool) -> Result<Results> {
    let results = rtcompare_reports::load(path)?;
    if results.partial && !allow_partial {
        bail!(
            "{} is partial (an interrupted or unfinished run); pass --allow-partial to use it anyway",
            path.display()
        );
    }
    Ok(results)
}

/// A baseline name is a file name: letters, digits, `.`, `_` and `-`.
pub fn baseline_path(dir: &Path, name: &str) -> Result<PathBuf> {
    let valid = !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !valid {
        bail!(
            "baseline name '{name}' must be letters, digits, '.', '_' or '-' (e.g. main or tokio-1.47)"
        );
    }
    Ok(dir.join(format!("{name}.json")))
}

/// Stores `results` (one run: no noise floor) as the baseline `name` under `dir`,
/// atomically.
pub fn save_baseline(results: &Results, dir: &Path, name: &str) -> Result<PathBuf> {
    let baseline = Baseline {
        results: results.clone(),
        repeats: None,
    };
    store(&baseline, dir, name)
}

fn store(baseline: &Baseline, dir: &Path, name: &str) -> Result<PathBuf> {
    let path = baseline_path(dir, name)?;
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create baseline directory {}", dir.display()))?;
    rtcompare_reports::save_baseline(&path, baseline)?;
    Ok(path)
}

/// Loads each results file with the name it is given by.
fn load_runs(paths: &[PathBuf], allow_partial: bool) -> Result<Vec<(String, Results)>> {
    paths
        .iter()
        .map(|p| Ok((p.display().to_string(), load_complete(p, allow_partial)?)))
        .collect()
}

/// `baseline save`: stores repeated runs of one plan as baseline `name`, with each
/// cell's run-to-run spread. Fewer than [`baseline::MIN_RUNS`] runs need
/// `allow_few_runs`; runs of different plans are refused, naming the files.
pub fn save_baseline_runs(
    paths: &[PathBuf],
    dir: &Path,
    name: &str,
    allow_partial: bool,
    allow_few_runs: bool,
) -> Result<PathBuf> {
    baseline_path(dir, name)?;
    let runs = load_runs(paths, allow_partial)?;
    if paths.len() < baseline::MIN_RUNS && !allow_few_runs {
        bail!(
            "a baseline needs at least {} runs of the same plan to know each cell's noise              (its run-to-run spread sets the cell's noise floor); got {} ({}). Run the plan              again, or pass --allow-few-runs to store it without a floor (checks then use              the band alone)",
            baseline::MIN_RUNS,
            paths.len(),
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let baseline = if runs.len() == 1 {
        Baseline {
            results: runs[0].1.clone(),
            repeats: None,
        }
    } else {
        baseline::from_runs(&runs).map_err(anyhow::Error::msg)?
    };
    store(&baseline, dir, name)
}

/// `baseline calibrate`: adds runs to the stored baseline at `path`, in place;
/// returns how many runs it now has.
pub fn calibrate(path: &Path, paths: &[PathBuf], allow_partial: bool) -> Result<usize> {
    let mut stored = rtcompare_reports::load_baseline(path)?;
    if stored.results.partial && !allow_partial {
        bail!(
            "{} is partial (an interrupted or unfinished run); pass --allow-partial to use it anyway",
            path.display()
        );
    }
    let name = path.display().to_string();
    for (run_name, run) in load_runs(paths, allow_partial)? {
        baseline::add_run(&mut stored, &name, &run_name, &run).map_err(anyhow::Error::msg)?;
    }
    rtcompare_reports::save_baseline(path, &stored)?;
    Ok(stored.repeats.as_ref().map_or(1, |r| r.runs.len()))
}

/// `check --calibrate`: after a check that exited with `code`, adds the checked
/// `results` to the baseline at `path` when the check passed (a regression, an
/// interrupted run or a usage error leaves the baseline as it was, and says so).
pub fn calibrate_after_check(
    path: &Path,
    results: &Path,
    code: ExitCode,
    allow_partial: bool,
) -> Result<()> {
    if code != ExitCode::SUCCESS {
        eprintln!(
            "--calibrate: {} left as it was: the check did not pass",
            path.display()
        );
        return Ok(());
    }
    let runs = calibrate(path, &[results.to_owned()], allow_partial).with_context(|| {
        format!(
            "--calibrate: the check passed, but {} could not join the baseline",
            results.display()
        )
    })?;
    eprintln!(
        "--calibrate: added {} to {} (now {runs} runs)",
        results.display(),
        path.display()
    );
    Ok(())
}

/// Loads a baseline file (with its repeats), refusing a partial one unless allowed.
fn load_baseline_complete(path: &Path, allow_partial: bool) -> Result<Baseline> {
    let baseline = rtcompare_reports::load_baseline(path)?;
    if baseline.results.partial && !allow_partial {
        bail!(
            "{} is partial (an interrupted or unfinished run); pass --allow-partial to use it anyway",
            path.display()
        );
    }
    Ok(baseline)
}

/// Writes `results` in Bencher Metric Format to `path`, atomically.
pub fn export_bmf(results: &Results, path: &Path) -> Result<()> {
    let json = rtcompare_reports::bmf::bencher_metric_format(results);
    let mut text = serde_json::to_string_pretty(&json).expect("BMF serialises");
    text.push('\n');
    rtcompare_reports::write_atomic(path, text.as_bytes())?;
    Ok(())
}

/// Writes the check as Markdown to `out/check.md` and stdout; returns the exit code.
fn report_check(check: &Check, baseline: &str, now: &str, out: &Path) -> Result<ExitCode> {
    let markdown = regression::render_markdown(check, baseline, now);
    harness::prepare_out_dir(out)?;
    let path = out.join("check.md");
    rtcompare_reports::write_atomic(&path, markdown.as_bytes())?;
    print!("{markdown}");
    eprintln!("wrote {}", path.display());
    Ok(if check.has_regression() {
        ExitCode::from(EXIT_REGRESSION)
    } else {
        ExitCode::SUCCESS
    })
}

/// What `check` compares against and where it writes.
pub struct CheckJob<'a> {
    /// The baseline file.
    pub baseline: &'a Path,
    /// Statistics settings.
    pub options: &'a CheckOptions,
    /// Accept partial files.
    pub allow_partial: bool,
    /// Output directory for check.md (and a run's results).
    pub out: &'a Path,
    /// Where to export the checked results in Bencher Metric Format, if anywhere.
    pub bmf: Option<&'a Path>,
    /// A recorded confirmation re-run to apply (checks of a file only).
    pub confirmation: Option<&'a Path>,
    /// The runners and workloads this binary can run again (`--run`).
    pub catalog: &'static Catalog,
}

/// `check` of an existing results file: no re-run is possible, so flagged cells are
/// reported as regressions directly, unless a recorded confirmation re-run is given.
pub fn check_file(job: &CheckJob<'_>, results_path: &Path) -> Result<ExitCode> {
    let (baseline_path, options, out) = (job.baseline, job.options, job.out);
    let baseline = load_baseline_complete(baseline_path, job.allow_partial)?;
    let results = load_complete(results_path, job.allow_partial)?;
    if let Some(path) = job.bmf {
        export_bmf(&results, path)?;
    }
    let mut check = regression::check_baseline(&baseline, &results, options);
    if let Some(path) = job.confirmation {
        let rerun = load_complete(path, job.allow_partial)?;
        let recheck = regression::check_baseline(&baseline, &rerun, options);
        check.confirm(&recheck);
    }
    report_check(
        &check,
        &baseline_path.display().to_string(),
        &results_path.display().to_string(),
        out,
    )
}

/// The cell specs that reproduce `baseline`'s cells with this build; cells whose
/// runner or workload this build does not have are skipped (the check lists them).
fn specs_of(baseline: &Results, preset: Preset, catalog: &'static Catalog) -> Vec<CellSpec> {
    let policy = baseline_policy(baseline);
    baseline
        .cells
        .iter()
        .filter_map(|c| {
            Some(CellSpec {
                runner: catalog.runner(&c.runner).ok()?,
                workload: catalog.workload(&c.workload).ok()?,
                threads: c.threads,
                preset,
                warmup: baseline.config.warmup,
                samples: policy.per_process,
                network: crate::network::Network::of(&baseline.config),
                process: 0,
                threshold_cores: policy.threshold_cores,
                max_retakes: policy.max_retakes,
            })
        })
        .collect()
}

/// Says which of `baseline`'s runners and workloads this binary does not have, so
/// their cells cannot run again (the check lists them as missing), and for those an
/// outside crate added, which binary has them.
fn warn_unrunnable(baseline: &Results, path: &Path, catalog: &'static Catalog) {
    let runners = baseline.runners.iter().map(|r| {
        let known = catalog.runner(&r.id).is_ok();
        ("runner", &r.id, &r.origin, known)
    });
    let workloads = baseline.workloads.iter().map(|w| {
        let known = catalog.workload(&w.id).is_ok();
        ("workload", &w.id, &w.origin, known)
    });
    for (what, id, origin, known) in runners.chain(workloads) {
        if known {
            continue;
        }
        let hint = match origin {
            Some(o) => format!(
                "; it came from crate {} {}: run the check with that crate's binary \
                 (cargo run --release -p {} -- check ...)",
                o.crate_name, o.version, o.crate_name
            ),
            None => String::new(),
        };
        eprintln!(
            "warning: {} has {what} '{id}', which this binary does not have: its cells cannot \
             run again{hint}",
            path.display()
        );
    }
}

/// The sampling rule a check re-runs `baseline`'s cells with: the one it was taken
/// with (older files: their fixed count), from exactly 2 processes per cell at the
/// least, so the check can test per-process medians against the baseline's. The
/// baseline itself has more (3 runs of 3 processes from `just baseline`), and its
/// noise floor knows the spread between them.
fn baseline_policy(baseline: &Results) -> Policy {
    let mut policy =
        Policy::from_config(baseline.config.sampling.as_ref(), baseline.config.samples);
    policy.min_processes = 2;
    if let Some(n) = policy.fixed {
        policy = Policy {
            per_process: n.div_ceil(policy.min_processes),
            ..policy
        };
    }
    policy
}

/// A plan with `baseline`'s configuration, for the metadata of a re-run.
fn plan_like(baseline: &Results, preset: Preset, out: &Path, catalog: &'static Catalog) -> Plan {
    Plan {
        preset,
        threads: baseline.config.threads.clone(),
        sampling: baseline_policy(baseline),
        require_quiet: false,
        warmup: baseline.config.warmup,
        seed: baseline.config.seed,
        timeout: Duration::from_secs_f64(baseline.config.timeout_s.max(1.0)),
        runners: baseline
            .config
            .runners
            .iter()
            .filter_map(|id| catalog.runner(id).ok())
            .collect(),
        workloads: baseline
            .config
            .workloads
            .iter()
            .filter_map(|id| catalog.workload(id).ok())
            .collect(),
        out: out.to_owned(),
        formats: vec![
            rtcompare_reports::Format::Markdown,
            rtcompare_reports::Format::Html,
        ],
        network: crate::network::Network::of(&baseline.config),
        catalog,
    }
}

/// `check --run`: runs exactly the baseline's cells now, compares, re-runs each
/// flagged cell once and keeps only the regressions the re-run reproduces.
pub fn check_run(job: &CheckJob<'_>) -> Result<ExitCode> {
    let (baseline_path, options, out) = (job.baseline, job.options, job.out);
    let stored = load_baseline_complete(baseline_path, job.allow_partial)?;
    let baseline = &stored.results;
    let preset: Preset = baseline
        .config
        .preset
        .parse()
        .map_err(|e: String| anyhow::anyhow!("{}: {e}", baseline_path.display()))?;
    if options.normalize {
        let has = |key: &str| baseline.cells.iter().any(|c| c.key() == key);
        if !regression::CALIBRATION_CELLS.iter().any(|key| has(key)) {
            bail!(
                "--normalize needs a calibration cell in the baseline {} ({}) to measure the \
                 machine's drift; save the baseline with `--workloads ...,cpu --runners seq,...`",
                baseline_path.display(),
                regression::CALIBRATION_CELLS.join(" or ")
            );
        }
    }
    harness::prepare_out_dir(out)?;
    warn_unrunnable(baseline, baseline_path, job.catalog);
    let plan = plan_like(baseline, preset, out, job.catalog);
    let specs = specs_of(baseline, preset, job.catalog);
    let (mut session, open_files) = Session::start(specs.len(), plan.timeout, &plan.sampling)?;
    session.say(format!(
        "rtcompare check --run: {} cells of {}, preset {}, {}",
        specs.len(),
        baseline_path.display(),
        preset,
        harness::describe_policy(&plan.sampling, plan.warmup)
    ));
    let exe = harness::current_exe()?;
    let results_path = harness::results_path(out);
    let mut now = plan.empty_results(open_files);
    for spec in &specs {
        let Some(cell) = session.run(&exe, spec, "") else {
            break;
        };
        now.cells.push(cell);
        rtcompare_reports::save(&results_path, &now)?;
    }
    now.partial = session.interrupted();
    rtcompare_reports::summary::summarize(&mut now);
    rtcompare_reports::save(&results_path, &now)?;
    if now.partial {
        session.finish();
        eprintln!(
            "interrupted: kept {} cells in {}",
            now.cells.len(),
            results_path.display()
        );
        return Ok(ExitCode::from(harness::EXIT_INTERRUPTED));
    }
    if let Some(path) = job.bmf {
        export_bmf(&now, path)?;
    }

    let mut check = regression::check_baseline(&stored, &now, options);
    let flagged = check.flagged_cells();
    if !flagged.is_empty() {
        let mut rerun = now.clone();
        rerun.cells.clear();
        let again: Vec<&CellSpec> = specs
            .iter()
            .filter(|s| {
                let key = s.key();
                // A flagged cell's baseline on its workload: `seq`, or its
                // runner's own (cpython-seq for the CPython runners).
                let baseline_of_flagged = flagged.iter().any(|k| {
                    let mut parts = k.split('/');
                    let (runner, workload) = (parts.next(), parts.next());
                    workload == Some(s.workload.id)
                        && runner.is_some_and(|r| {
                            rtcompare_reports::summary::baseline_of(&now, r) == s.runner.id
                        })
                });
                // In ratio mode every cell is read against its baseline in its own
                // run, so the baseline runs again beside the flagged cells;
                // normalised, the calibration cells run again to measure the drift
                // of the re-run.
                let calibration = check
                    .drift
                    .as_ref()
                    .is_some_and(|d| d.normalized && d.cells.iter().any(|(k, _)| *k == key));
                flagged.contains(&key)
                    || (check.mode == regression::Mode::WithinRunRatio && baseline_of_flagged)
                    || calibration
            })
            .collect();
        session.expect_more(again.len());
        // Twice the processes of the first pass: a cell whose first processes
        // landed in one of its rarer modes is unlikely to land there 4 times again,
        // while a real slowdown shows in every process.
        let processes = CONFIRM_PROCESS_FACTOR * plan.sampling.min_processes;
        session.raise_min_processes(processes);
        session.say(format!(
            "confirming {} flagged cell(s) with a second run of {processes} processes each",
            flagged.len()
        ));
        for spec in again {
            let Some(cell) = session.run(&exe, spec, "confirm ") else {
                break;
            };
            rerun.cells.push(cell);
        }
        if session.interrupted() {
            session.finish();
            return Ok(ExitCode::from(harness::EXIT_INTERRUPTED));
        }
        let recheck = regression::check_baseline(&stored, &rerun, options);
        check.confirm(&recheck);
        let confirm_path = out.join("confirm-results.json");
        rtcompare_reports::save(&confirm_path, &rerun)?;
    }
    session.finish();
    report_check(
        &check,
        &baseline_path.display().to_string(),
        &format!("this run ({})", results_path.display()),
        out,
    )
}

/// Merges two runs of the same cell into one: samples of both, the worse status.
fn merge(first: Cell, second: Cell) -> Cell {
    if first.status != Status::Ok {
        return first;
    }
    if second.status != Status::Ok {
        return second;
    }
    let mut merged = first;
    merged.samples.extend(second.samples);
    merged.warmup.extend(second.warmup);
    merged.verified &= second.verified;
    merged.peak_rss_bytes = merged.peak_rss_bytes.max(second.peak_rss_bytes);
    merged.os_threads = merged.os_threads.max(second.os_threads);
    merged.summary = None;
    merged
}

/// What `ab` runs and where it writes.
pub struct AbJob<'a> {
    /// The baseline build.
    pub a: &'a Path,
    /// The candidate build.
    pub b: &'a Path,
    /// Cells, samples (split between the two halves of A B B A) and output directory.
    pub plan: &'a Plan,
    /// Statistics settings (noise band 5% by default).
    pub options: &'a CheckOptions,
}

/// Runs every cell of the plan on two rtcompare builds in the order A B B A, each
/// run with half the samples, so drift in the machine hits both builds alike; then
/// compares B against A and re-runs flagged cells once to confirm.
pub fn ab(job: &AbJob<'_>) -> Result<ExitCode> {
    for (label, exe) in [("--a", job.a), ("--b", job.b)] {
        let ok = exe.metadata().map(|m| m.is_file()).unwrap_or(false);
        if !ok {
            bail!("{label} {}: no such rtcompare binary", exe.display());
        }
    }
    let plan = job.plan;
    harness::prepare_out_dir(&plan.out)?;
    let per_run = plan
        .sampling
        .fixed
        .unwrap_or(plan.sampling.min_samples)
        .div_ceil(2)
        .max(1);
    let policy = Policy::fixed(per_run, 1);
    let specs: Vec<CellSpec> = plan
        .cells()
        .into_iter()
        .map(|mut spec| {
            spec.samples = per_run;
            spec
        })
        .collect();
    let (mut session, open_files) = Session::start(specs.len() * 4, plan.timeout, &policy)?;
    session.say(format!(
        "rtcompare ab: {} cells, A B B A with {} samples per run\n  A = {}\n  B = {}",
        specs.len(),
        per_run,
        job.a.display(),
        job.b.display()
    ));
    let mut results_a = plan.empty_results(open_files);
    // The fingerprint describes this machine, not the two builds' dependencies.
    results_a.machine.crate_versions.clear();
    results_a.config.command = format!(
        "rtcompare ab --a {} --b {} ({})",
        job.a.display(),
        job.b.display(),
        plan.command()
    );
    let mut results_b = results_a.clone();
    let pairs = run_abba(&mut session, job, &specs)?;
    let Some(pairs) = pairs else {
        session.finish();
        return Ok(ExitCode::from(harness::EXIT_INTERRUPTED));
    };
    for (a, b) in pairs {
        results_a.cells.push(a);
        results_b.cells.push(b);
    }
    for r in [&mut results_a, &mut results_b] {
        r.partial = false;
        rtcompare_reports::summary::summarize(r);
    }
    rtcompare_reports::save(&plan.out.join("a.json"), &results_a)?;
    rtcompare_reports::save(&plan.out.join("b.json"), &results_b)?;

    let mut check = regression::check(&results_a, &results_b, job.options);
    let flagged = check.flagged_cells();
    if !flagged.is_empty() {
        let again: Vec<CellSpec> = specs
            .iter()
            .filter(|s| flagged.contains(&s.key()))
            .cloned()
            .collect();
        session.expect_more(again.len() * 4);
        session.say(format!(
            "confirming {} flagged cell(s) with a second A B B A round",
            again.len()
        ));
        let Some(pairs) = run_abba(&mut session, job, &again)? else {
            session.finish();
            return Ok(ExitCode::from(harness::EXIT_INTERRUPTED));
        };
        let (mut again_a, mut again_b) = (results_a.clone(), results_b.clone());
        again_a.cells.clear();
        again_b.cells.clear();
        for (a, b) in pairs {
            again_a.cells.push(a);
            again_b.cells.push(b);
        }
        check.confirm(&regression::check(&again_a, &again_b, job.options));
    }
    session.finish();
    report_check(
        &check,
        &format!("A ({})", job.a.display()),
        &format!("B ({})", job.b.display()),
        &plan.out,
    )
}

/// Runs each spec as A B B A; `None` when interrupted.
fn run_abba(
    session: &mut Session,
    job: &AbJob<'_>,
    specs: &[CellSpec],
) -> Result<Option<Vec<(Cell, Cell)>>> {
    let mut pairs = Vec::with_capacity(specs.len());
    for spec in specs {
        let mut run = |exe: &Path, label: &str| session.run(exe, spec, label);
        let Some(a1) = run(job.a, "A ") else {
            return Ok(None);
        };
        let Some(b1) = run(job.b, "B ") else {
            return Ok(None);
        };
        let Some(b2) = run(job.b, "B ") else {
            return Ok(None);
        };
        let Some(a2) = run(job.a, "A ") else {
            return Ok(None);
        };
        pairs.push((merge(a1, a2), merge(b1, b2)));
    }
    Ok(Some(pairs))
}

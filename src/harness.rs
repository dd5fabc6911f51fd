//! The parent side of `compare`: plans the matrix, looks at the machine's load
//! first, runs every cell in its own child processes (as many as the sampling rule
//! asks, each under a timeout), survives cells that panic, crash, hang or answer
//! wrongly, shares the run's time budget out among the cells, and keeps
//! `results.json` (atomically rewritten after every cell) and `report.md` up to date
//! so an interrupted run loses nothing it finished. While a cell runs, the parent
//! only waits: the progress display is drawn between cells, never during one.

use crate::cell::{CellReport, CellSpec};
use crate::fingerprint;
use crate::measure::raise_open_files_limit;
use crate::sampling::{self, Merged, Policy};
use crate::suite::Catalog;
use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rtcompare_reports::stats::{self, Rng};
use rtcompare_reports::summary::Summarized;
use rtcompare_reports::{
    Cell, Config, Machine, MetricMeta, Preflight, ProcessExit, Results, RunnerMeta, SCHEMA_VERSION,
    Sampling, Status, WorkloadMeta,
};
use rtcompare_runners::{RunnerInfo, ThreadsKnob};
use rtcompare_workloads::{Preset, WorkloadInfo};
use std::io::Read;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use wait_timeout::ChildExt;

/// Exit code of a run stopped by Ctrl-C (results so far are kept, marked partial).
pub const EXIT_INTERRUPTED: u8 = 130;

/// A resolved `compare` invocation.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Size preset.
    pub preset: Preset,
    /// Worker-thread counts.
    pub threads: Vec<usize>,
    /// How many samples each cell takes, from how many processes, within what budget.
    pub sampling: Policy,
    /// Refuse to start when the pre-flight check finds other load (`--require-quiet`).
    pub require_quiet: bool,
    /// Warm-up samples per cell process.
    pub warmup: usize,
    /// Shuffle and bootstrap seed.
    pub seed: u64,
    /// Per-cell time limit.
    pub timeout: Duration,
    /// Runners to run.
    pub runners: Vec<&'static RunnerInfo>,
    /// Workloads to run.
    pub workloads: Vec<&'static WorkloadInfo>,
    /// Output directory.
    pub out: PathBuf,
    /// Report formats to write.
    pub formats: Vec<rtcompare_reports::Format>,
    /// How network workloads are driven.
    pub network: crate::network::Network,
    /// Every runner and workload this binary has, and where each came from.
    pub catalog: &'static Catalog,
}

impl Plan {
    /// The cells, in a seeded random order so no runner always runs first or last.
    pub fn cells(&self) -> Vec<CellSpec> {
        // Thread-per-task ignores the count, so it runs once, compared at the largest
        // count the cores can run in parallel (or the smallest requested).
        let cores = fingerprint::logical_cores();
        let per_task_threads = self
            .threads
            .iter()
            .copied()
            .filter(|&t| t <= cores)
            .max()
            .or_else(|| self.threads.iter().copied().min())
            .unwrap_or(1);
        let mut cells = Vec::new();
        for &workload in &self.workloads {
            for &runner in &self.runners {
                let counts = match runner.threads {
                    ThreadsKnob::One => vec![1],
                    ThreadsKnob::PerTask => vec![per_task_threads],
                    ThreadsKnob::Workers => self.threads.clone(),
                };
                for threads in counts {
                    cells.push(CellSpec {
                        runner,
                        workload,
                        threads,
                        preset: self.preset,
                        warmup: self.warmup,
                        samples: self.sampling.per_process,
                        network: self.network.clone(),
                        process: 0,
                        threshold_cores: self.sampling.threshold_cores,
                        max_retakes: self.sampling.max_retakes,
                    });
                }
            }
        }
        Rng::new(self.seed).shuffle(&mut cells);
        cells
    }

    /// The command line that reproduces this run exactly.
    pub fn command(&self) -> String {
        let join = |v: Vec<String>| v.join(",");
        let network: String = self
            .network
            .flags()
            .iter()
            .map(|f| format!(" {f}"))
            .collect();
        let s = &self.sampling;
        let sampling = match s.fixed {
            Some(n) => format!("--samples {n} --processes {}", s.min_processes),
            None => format!(
                "--min-samples {} --max-samples {} --samples-per-process {} --processes {} \
                 --precision {} --precision-io {}{}",
                s.min_samples,
                s.max_samples,
                s.per_process,
                s.min_processes,
                s.precision_cpu * 100.0,
                s.precision_other * 100.0,
                s.budget
                    .map(|b| format!(" --budget {}s", b.as_secs_f64()))
                    .unwrap_or_default(),
            ),
        };
        format!(
            "{} --preset {} --runners {} --workloads {} --threads {} {sampling} \
             --warmup {} --seed {} --timeout {}{network}",
            self.catalog.compare_command(),
            self.preset,
            join(self.runners.iter().map(|r| r.id.to_owned()).collect()),
            join(self.workloads.iter().map(|w| w.id.to_owned()).collect()),
            join(self.threads.iter().map(usize::to_string).collect()),
            self.warmup,
            self.seed,
            self.timeout.as_secs_f64(),
        )
    }

    /// The machine fingerprint, with the version of the crate that added runners
    /// or workloads beside the runtime crates'.
    fn fingerprint(&self, open_files: Option<[u64; 2]>) -> Machine {
        let mut machine = fingerprint::machine(open_files);
        if let Some(extension) = &self.catalog.extension {
            let origin = &extension.origin;
            machine
                .crate_versions
                .insert(origin.crate_name.clone(), origin.version.clone());
        }
        machine
    }

    /// A results file for this plan with no cells yet, marked partial.
    pub fn empty_results(&self, open_files: Option<[u64; 2]>) -> Results {
        Results {
            schema_version: SCHEMA_VERSION,
            tool_version: env!("CARGO_PKG_VERSION").into(),
            created: fingerprint::now_rfc3339(),
            partial: true,
            machine: Machine {
                // Probed only when a runner runs in an interpreter: starting one is
                // not free, and the fingerprint records what the run depends on.
                interpreters: if self.runners.iter().any(|r| r.baseline.is_some()) {
                    rtcompare_runners::interpreters()
                } else {
                    Default::default()
                },
                ..self.fingerprint(open_files)
            },
            config: Config {
                preset: self.preset.as_str().into(),
                threads: self.threads.clone(),
                samples: self.sampling.min_samples,
                warmup: self.warmup,
                seed: self.seed,
                timeout_s: self.timeout.as_secs_f64(),
                runners: self.runners.iter().map(|r| r.id.into()).collect(),
                workloads: self.workloads.iter().map(|w| w.id.into()).collect(),
                command: self.command(),
                rate: None,
                network: Some(self.network.config()),
                sampling: Some(self.sampling.config()),
            },
            runners: self
                .runners
                .iter()
                .map(|r| runner_meta(r, self.catalog))
                .collect(),
            workloads: self
                .workloads
                .iter()
                .map(|w| WorkloadMeta {
                    id: w.id.into(),
                    kind: w.kind,
                    summary: w.summary.into(),
                    size: (w.describe)(self.preset),
                    ideal_wall_s: (w.ideal_wall)(self.preset).map(|d| d.as_secs_f64()),
                    metrics: w
                        .metrics
                        .iter()
                        .map(|m| MetricMeta {
                            key: m.key.into(),
                            header: m.header.into(),
                            about: m.about.into(),
                        })
                        .collect(),
                    origin: self.catalog.origin_of(w.id).cloned(),
                })
                .collect(),
            cells: Vec::new(),
            preflight: None,
        }
    }
}

/// Runs cells, each in its own child process, with a progress display and Ctrl-C
/// handling: the part `compare`, `check --run` and `ab` share.
pub struct Session {
    timeout: Duration,
    interrupted: Arc<AtomicBool>,
    progress: ProgressBar,
    done: usize,
    /// Wall time the finished cells took, all together.
    cells_time: Duration,
    policy: Policy,
    started: Instant,
}

/// The most a cell may take of the budget, in equal shares of what is left.
const MAX_SHARES: u32 = 8;

/// [`Session::cell_allowance`] as arithmetic: `left` of the budget, `cells_left`
/// cells to run (this one included), `done` cells finished in `done_time`.
fn allowance(left: Duration, cells_left: usize, done: usize, done_time: Duration) -> Duration {
    let cells_left = cells_left.max(1);
    let share = left / cells_left as u32;
    if done == 0 {
        return share;
    }
    let typical = done_time / done as u32;
    let reserve = typical * (cells_left - 1) as u32;
    left.saturating_sub(reserve)
        .clamp(share, share * MAX_SHARES)
}

impl Session {
    /// A session expecting `cells` cells, each process limited to `timeout`, sampled
    /// by `policy`. Raises the open-file limit (children inherit it) and returns the
    /// limits in force.
    pub fn start(
        cells: usize,
        timeout: Duration,
        policy: &Policy,
    ) -> Result<(Session, Option<[u64; 2]>)> {
        let interrupted = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&interrupted);
        ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
            .context("cannot install the Ctrl-C handler")?;
        let open_files = raise_open_files_limit();
        let session = Session {
            timeout,
            interrupted,
            progress: progress_bar(cells, policy.budget.is_some()),
            done: 0,
            cells_time: Duration::ZERO,
            policy: policy.clone(),
            started: Instant::now(),
        };
        Ok((session, open_files))
    }

    /// The time the next cell may take. What is left of the budget is first set
    /// aside for the cells still to run, at the time a finished cell has taken on
    /// average (cells run in shuffled order, so that average is a fair guess, and
    /// most cells stop on precision well inside it); the next cell may use what is
    /// not set aside, at least an equal share of what is left and at most
    /// [`MAX_SHARES`] equal shares, so one noisy cell cannot take the budget of the
    /// others. `None` without a budget.
    fn cell_allowance(&self) -> Option<Duration> {
        let budget = self.policy.budget?;
        let left = budget.saturating_sub(self.started.elapsed());
        let total = self.progress.length().unwrap_or(0) as usize;
        let cells_left = total.saturating_sub(self.done).max(1);
        Some(allowance(left, cells_left, self.done, self.cells_time))
    }

    /// The progress message: the next cell, and what is left of the budget.
    fn progress_message(&self, key: &str) -> String {
        match self.policy.budget {
            Some(budget) => {
                let left = budget.saturating_sub(self.started.elapsed()).as_secs();
                format!("budget ~{}m{:02}s left  {key}", left / 60, left % 60)
            }
            None => key.to_owned(),
        }
    }

    /// Prints a line above the progress bar (or alone when stderr is not a terminal).
    pub fn say(&self, line: String) {
        say(&self.progress, line);
    }

    /// Expects `more` cells beyond those announced (confirmation re-runs).
    pub fn expect_more(&self, more: usize) {
        self.progress.inc_length(more as u64);
    }

    /// Runs every later cell in at least `processes` processes (a confirmation
    /// re-run, which should not hang on the same few processes as the first pass).
    pub fn raise_min_processes(&mut self, processes: usize) {
        let policy = &mut self.policy;
        policy.min_processes = policy.min_processes.max(processes);
        if let Some(n) = policy.fixed {
            // A fixed count is shared out over the processes, at least one each.
            policy.min_processes = policy.min_processes.min(n.max(1));
            policy.per_process = n.div_ceil(policy.min_processes);
        }
    }

    /// Whether Ctrl-C was pressed.
    pub fn interrupted(&self) -> bool {
        self.interrupted.load(Ordering::SeqCst)
    }

    /// Runs `spec` with the binary `exe`, printing one line when it ends. `None` when
    /// interrupted before it finished. `label` prefixes the cell's name (e.g. `A`).
    ///
    /// The cell runs in as many processes as the sampling rule asks: each takes its
    /// own warm-up and a batch of samples, and another is started until the median's
    /// interval meets the precision target, the cell's share of the budget is spent,
    /// or the sample limit is reached.
    pub fn run(&mut self, exe: &Path, spec: &CellSpec, label: &str) -> Option<Cell> {
        let key = format!("{label}{}", spec.key());
        self.progress.set_message(self.progress_message(&key));
        let allowed = self.cell_allowance();
        let started = Instant::now();
        let mut merged = Merged::default();
        let stop = loop {
            let taken = merged.cell().map_or(0, |c| c.samples.len());
            let batch = CellSpec {
                process: merged.processes(),
                samples: self.policy.next_batch(taken),
                ..spec.clone()
            };
            let process_started = Instant::now();
            let report = run_child(exe, &batch, self.timeout, &self.interrupted)?;
            merged.add(report);
            let cell = merged.cell().expect("a report was just added");
            if let Some(stop) = self.policy.stop(
                cell,
                merged.processes(),
                started.elapsed(),
                process_started.elapsed(),
                allowed,
            ) {
                break stop;
            }
        };
        let half_width = merged.cell().and_then(sampling::half_width);
        let processes = merged.processes();
        let cell = merged.finish(Sampling {
            processes,
            stop,
            target: self.policy.target(spec.workload.kind),
            half_width,
            budget_s: allowed.map(|a| a.as_secs_f64()),
            spent_s: started.elapsed().as_secs_f64(),
        })?;
        self.done += 1;
        self.cells_time += started.elapsed();
        let total = self.progress.length().unwrap_or(0);
        self.say(format!(
            "[{:>3}/{total}] {key:<34} {} ({:.1} s)",
            self.done,
            verdict(&cell),
            started.elapsed().as_secs_f64()
        ));
        self.progress.inc(1);
        Some(cell)
    }

    /// Clears the progress display.
    pub fn finish(&self) {
        self.progress.finish_and_clear();
    }
}

/// Runs the plan; returns the process exit code and the results as saved.
pub fn compare(plan: &Plan) -> Result<(ExitCode, Results)> {
    let results_path = results_path(&plan.out);
    let report_path = plan.out.join("report.md");
    prepare_out_dir(&plan.out)?;

    let cells = plan.cells();
    let preflight = check_quiet(plan)?;
    let (mut session, open_files) = Session::start(cells.len(), plan.timeout, &plan.sampling)?;
    let mut results = plan.empty_results(open_files);
    results.preflight = Some(preflight);
    session.say(format!(
        "rtcompare: {} cells ({} runners × {} workloads, threads {:?}), preset {}, {}, seed {}",
        cells.len(),
        plan.runners.len(),
        plan.workloads.len(),
        plan.threads,
        plan.preset,
        describe_policy(&plan.sampling, plan.warmup),
        plan.seed
    ));
    let exe = current_exe()?;
    for spec in &cells {
        let Some(cell) = session.run(&exe, spec, "") else {
            break; // interrupted: the unfinished cell is not recorded
        };
        results.cells.push(cell);
        rtcompare_reports::summary::summarize(&mut results);
        rtcompare_reports::save(&results_path, &results)?;
    }
    session.finish();

    let was_interrupted = session.interrupted();
    results.partial = was_interrupted || results.cells.len() < cells.len();
    let results = Summarized::new(results);
    rtcompare_reports::save(&results_path, &results)?;
    let written = rtcompare_reports::write_report(&results, &report_path, &plan.formats)?;

    let count = |status: Status| results.cells.iter().filter(|c| c.status == status).count();
    let failed = count(Status::Failed) + count(Status::Timeout);
    let not_applicable = match count(Status::NotApplicable) {
        0 => String::new(),
        n => format!(", {n} n/a"),
    };
    let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
    eprintln!(
        "wrote {} and {} ({} cells, {} failed{not_applicable}{})",
        results_path.display(),
        names.join(", "),
        results.cells.len(),
        failed,
        if was_interrupted {
            ", interrupted: partial"
        } else {
            ""
        }
    );
    let code = if was_interrupted {
        ExitCode::from(EXIT_INTERRUPTED)
    } else {
        ExitCode::SUCCESS
    };
    Ok((code, results.into_results()))
}

/// The sampling rule in one line, for the terminal.
pub fn describe_policy(p: &Policy, warmup: usize) -> String {
    let per = format!("{} warm-up + {} samples per process", warmup, p.per_process);
    match p.fixed {
        Some(n) => format!(
            "{n} samples per cell ({per}, {} process(es))",
            p.min_processes
        ),
        None => format!(
            "{}–{} samples per cell from ≥{} process(es) ({per}) until ±{}% (CPU) / ±{}% (other){}",
            p.min_samples,
            p.max_samples,
            p.min_processes,
            p.precision_cpu * 100.0,
            p.precision_other * 100.0,
            p.budget
                .map(|b| format!(", budget {}", duration_words(b)))
                .unwrap_or_default()
        ),
    }
}

/// `15 min`, `90 s`.
pub fn duration_words(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 120.0 && s % 60.0 == 0.0 {
        format!("{} min", s / 60.0)
    } else {
        format!("{s} s")
    }
}

/// The pre-flight look at the machine: warns with numbers when other processes
/// are busy, and with `--require-quiet` refuses to start.
fn check_quiet(plan: &Plan) -> Result<Preflight> {
    let preflight = crate::interference::preflight(Duration::from_millis(500));
    let line = crate::interference::describe(&preflight);
    let threshold = plan.sampling.threshold_cores;
    if preflight.foreign_cores > threshold {
        if plan.require_quiet {
            bail!(
                "the machine is not quiet ({line}); --require-quiet refuses to start above \
                 {threshold:.2} cores of other load"
            );
        }
        eprintln!(
            "warning: the machine is busy ({line}); disturbed samples will be taken again, \
             and cells that stay disturbed are kept out of the verdicts"
        );
    } else {
        eprintln!("pre-flight: {line}");
    }
    Ok(preflight)
}

/// This binary, to re-execute as a cell.
pub fn current_exe() -> Result<PathBuf> {
    std::env::current_exe().context("cannot find the rtcompare binary to re-execute")
}

/// Where a run that writes into `dir` (`compare`, `check --run`) keeps its results.
pub fn results_path(dir: &Path) -> PathBuf {
    dir.join("results.json")
}

/// Creates `dir` and checks it can be written, before any cell runs.
pub fn prepare_out_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create output directory {}", dir.display()))?;
    probe_writable(dir)
}

fn runner_meta(r: &RunnerInfo, catalog: &Catalog) -> RunnerMeta {
    RunnerMeta {
        id: r.id.into(),
        class: r.class,
        family: r.family,
        threads_knob: r.threads.as_str().into(),
        summary: r.summary.into(),
        timer: r.timer.into(),
        channel: r.channel.into(),
        net: r.net.into(),
        offload: r.offload.into(),
        caveats: r.caveats.iter().map(|c| (*c).to_owned()).collect(),
        baseline: r.baseline.map(str::to_owned),
        origin: catalog.origin_of(r.id).cloned(),
    }
}

fn probe_writable(dir: &Path) -> Result<()> {
    let probe = dir.join(format!(".rtcompare-write-probe.{}", std::process::id()));
    std::fs::write(&probe, b"")
        .with_context(|| format!("cannot write to output directory {}", dir.display()))?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}

/// The progress display. It has no steady tick: it is redrawn only between cells
/// (when a cell starts or ends), so the parent takes no CPU while a cell measures.
/// With a budget, the message says what is left of it; without, indicatif's ETA.
fn progress_bar(len: usize, budgeted: bool) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr());
    let template = if budgeted {
        "[{elapsed_precise}] {bar:30} {pos}/{len} cells  {msg}"
    } else {
        "[{elapsed_precise}] {bar:30} {pos}/{len} cells, ~{eta} left  {msg}"
    };
    bar.set_style(ProgressStyle::with_template(template).expect("valid template"));
    bar
}

/// A line above the progress bar, or on its own when stderr is not a terminal (CI
/// logs), where the bar is hidden.
fn say(progress: &ProgressBar, line: String) {
    if progress.is_hidden() {
        eprintln!("{line}");
    } else {
        progress.println(line);
    }
}

fn verdict(cell: &Cell) -> String {
    match cell.status {
        Status::Ok => {
            let walls: Vec<f64> = cell.samples.iter().map(|s| s.wall_s).collect();
            let sampling = cell
                .sampling
                .as_ref()
                .map(|s| {
                    let precision = s
                        .half_width
                        .map(|h| format!(", ±{:.1}%", h * 100.0))
                        .unwrap_or_default();
                    format!(
                        ", {} samples from {} process(es), stopped on {}{precision}",
                        cell.samples.len(),
                        s.processes,
                        s.stop.as_str()
                    )
                })
                .unwrap_or_default();
            let interference = match &cell.interference {
                Some(i) if i.disturbed_samples > 0 => format!(
                    ", DISTURBED: {} sample(s) kept under up to {:.2} cores of other load",
                    i.disturbed_samples, i.foreign_cores_max
                ),
                Some(i) if i.retaken > 0 => format!(", {} re-taken", i.retaken),
                _ => String::new(),
            };
            format!(
                "ok, median {:.1} ms{}{sampling}{interference}",
                stats::median(&walls) * cell.scale() * 1e3,
                if cell.extrapolation.is_some() {
                    " (extrapolated)"
                } else {
                    ""
                }
            )
        }
        status => format!(
            "{}: {}",
            match status {
                Status::Timeout => "TIMEOUT",
                Status::NotApplicable => "n/a",
                _ => "FAILED",
            },
            cell.error.as_deref().unwrap_or("no reason given")
        ),
    }
}

/// Runs one process of a cell. `None` when interrupted before it finished.
fn run_child(
    exe: &Path,
    spec: &CellSpec,
    timeout: Duration,
    interrupted: &AtomicBool,
) -> Option<CellReport> {
    let blank = |status, error| CellReport {
        cell: spec.blank(status, Some(error)),
        histograms: Vec::new(),
        load: None,
    };
    let mut command = Command::new(exe);
    command
        .args([
            "cell",
            "--runner",
            spec.runner.id,
            "--workload",
            spec.workload.id,
        ])
        .args(["--threads", &spec.threads.to_string()])
        .args(["--preset", spec.preset.as_str()])
        .args(["--warmup", &spec.warmup.to_string()])
        .args(["--samples", &spec.samples.to_string()])
        .args(["--process", &spec.process.to_string()])
        .args(["--threshold-cores", &spec.threshold_cores.to_string()])
        .args(["--max-retakes", &spec.max_retakes.to_string()])
        .args(spec.network.flags())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Its own process group: Ctrl-C reaches only us, and a kill reaches everything
        // the cell started.
        .process_group(0);
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) => {
            return Some(blank(
                Status::Failed,
                format!("cannot start the cell process: {e}"),
            ));
        }
    };
    let read_all = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let stdout = read_all(Box::new(child.stdout.take().expect("piped")));
    let stderr = read_all(Box::new(child.stderr.take().expect("piped")));

    let deadline = Instant::now() + timeout;
    let status = loop {
        if interrupted.load(Ordering::SeqCst) {
            kill_group(child.id());
            let _ = child.wait();
            return None;
        }
        let now = Instant::now();
        if now >= deadline {
            kill_group(child.id());
            let ended = child.wait();
            let mut report = blank(
                Status::Timeout,
                format!(
                    "exceeded the {:.0} s cell time limit and was killed",
                    timeout.as_secs_f64()
                ),
            );
            report.cell.exit = ended.ok().map(|status| ProcessExit {
                timed_out: true,
                ..process_exit(status, false)
            });
            return Some(report);
        }
        let slice = (deadline - now).min(Duration::from_millis(100));
        match child.wait_timeout(slice) {
            Ok(Some(status)) => break status,
            Ok(None) => continue,
            Err(e) => {
                kill_group(child.id());
                return Some(blank(
                    Status::Failed,
                    format!("cannot wait for the cell: {e}"),
                ));
            }
        }
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    let reported = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .and_then(|line| serde_json::from_str::<CellReport>(line).ok());
    Some(match reported {
        Some(mut report) => {
            report.cell.exit = Some(process_exit(status, true));
            report
        }
        None => {
            let exit = process_exit(status, false);
            let last = stderr
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .map(|l| format!(": {}", truncate(l.trim(), 300)))
                .unwrap_or_default();
            let mut report = blank(
                Status::Failed,
                format!("cell process {}{last}", exit.describe()),
            );
            report.cell.exit = Some(exit);
            report
        }
    })
}

/// How a cell process ended; `reported` says whether it printed its cell first.
fn process_exit(status: ExitStatus, reported: bool) -> ProcessExit {
    ProcessExit {
        code: status.code(),
        signal: status.signal(),
        signal_name: status.signal().and_then(signal_name).map(str::to_owned),
        timed_out: false,
        reported,
    }
}

fn kill_group(pid: u32) {
    // SAFETY: kill(2) with a negative pid signals the process group we created for
    // this child; at worst the group is already gone and the call fails harmlessly.
    unsafe {
        libc::kill(-(pid as libc::pid_t), libc::SIGKILL);
    }
}

/// The name of a signal that ends processes, `None` for the rest.
fn signal_name(sig: i32) -> Option<&'static str> {
    Some(match sig {
        libc::SIGABRT => "SIGABRT",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGKILL => "SIGKILL",
        libc::SIGBUS => "SIGBUS",
        libc::SIGILL => "SIGILL",
        libc::SIGFPE => "SIGFPE",
        libc::SIGTERM => "SIGTERM",
        libc::SIGINT => "SIGINT",
        libc::SIGQUIT => "SIGQUIT",
        libc::SIGHUP => "SIGHUP",
        libc::SIGPIPE => "SIGPIPE",
        libc::SIGTRAP => "SIGTRAP",
        libc::SIGSYS => "SIGSYS",
        libc::SIGXCPU => "SIGXCPU",
        _ => return None,
    })
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Fails with a clear message when `list` has a name that is not in `valid`.
pub fn validate_names<'a>(what: &str, names: &[String], valid: &[&'a str]) -> Result<Vec<&'a str>> {
    let mut chosen = Vec::new();
    for name in names {
        match valid.iter().find(|v| **v == name) {
            Some(v) if !chosen.contains(v) => chosen.push(*v),
            Some(_) => {}
            None => bail!("unknown {what} '{name}' (valid: {})", valid.join(", ")),
        }
    }
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    #[test]
    fn cells_that_finish_early_leave_time_to_the_others() {
        // 100 s left for 10 cells: an equal share is 10 s.
        assert_eq!(allowance(100 * S, 10, 0, Duration::ZERO), 10 * S);
        // Finished cells took 2 s each: 9 × 2 s set aside, the rest capped at 8 shares.
        assert_eq!(allowance(100 * S, 10, 5, 10 * S), 80 * S);
        assert_eq!(allowance(100 * S, 50, 5, 10 * S), 2 * S); // 100 - 49 × 2
        // Never less than an equal share, even when cells ran long so far.
        assert_eq!(allowance(100 * S, 10, 5, 100 * S), 10 * S);
        // The last cell may take what is left, up to 8 shares of it.
        assert_eq!(allowance(30 * S, 1, 9, 9 * S), 30 * S);
        // Nothing left: nothing allowed.
        assert_eq!(allowance(Duration::ZERO, 3, 2, 2 * S), Duration::ZERO);
    }
}

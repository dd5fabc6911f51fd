//! The child side of a cell: one runner × workload × thread count in its own process.
//! Builds the runtime (untimed), takes the warm-up and the samples, verifies every
//! answer, and prints the finished [`Cell`] as one JSON line on stdout. With
//! `--process-worker` the same command line is instead a worker process of the
//! `processes` runner ([`worker`]), started by the cell process itself.
//!
//! Test-only fault switch: `RTCOMPARE_FAULT=panic|hang|wrong-checksum|abort` injects
//! that fault into the first sample of the cells matching `RTCOMPARE_FAULT_CELL`
//! (`runner/workload`; every cell when unset). It exists so tests can prove that one
//! bad cell fails alone; it is read once, outside the timed region. The fault
//! `worker-abort` applies instead in the worker processes of a `processes` cell: every
//! job they are sent aborts the worker, so tests can prove a dead worker fails the
//! cell and says which.
//!
//! Test-only slowdown knob: `RTCOMPARE_SLOWDOWN=FRACTION` (every cell) or
//! `RTCOMPARE_SLOWDOWN=runner/workload=FRACTION[,runner/workload=FRACTION…]` makes
//! each sample of the matching cells spin for that fraction of its own wall time,
//! inside the timed region: a known regression for checking that `rtcompare check`
//! catches it. `RTCOMPARE_JITTER=FRACTION` adds a pseudo-random share of up to that
//! fraction instead, for a cell too noisy to meet its precision target.
//!
//! A network workload's cell first sets up its session (crate::network): the
//! listener and the external load generator, before the runner exists, so a
//! `processes` pool's workers inherit the listener. The generator's CPU time is kept
//! apart from the server's in every sample, and counted as the cell's own load when
//! judging interference.
//!
//! Every sample is bracketed by `/proc/stat` readings (crate::interference): one
//! that other load disturbed is discarded and taken again, up to `max_retakes`
//! times per process; after that it is kept, marked, and the cell is disturbed.

use crate::histograms::{histogram_buckets, latency, micros};
use crate::interference::{Disturbance, KernelThreadsCpu, SystemCpu, TasksCpu};
use crate::measure::{ChildrenCpu, Usage, peak_rss_bytes};
use crate::network::{self, LoadSums};
use rtcompare_api::ids;
use rtcompare_api::{
    AddressSpace, AsyncRuntime, Cores, Histogram, InterpreterError, Nesting, Outcome, RootFuture,
    ScriptJob, StartInterpreter, Strategy, Visitor, Waits,
};
use rtcompare_reports::{Cell, Extrapolation, Interference, Sample, Status};
use rtcompare_runners::{RunnerError, RunnerInfo, Runners, WorkerStrategy, census};
use rtcompare_workloads::{FitContext, Preset, Workload, WorkloadInfo, WorkloadVisitor, Workloads};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What the parent asks a cell process to run.
#[derive(Debug, Clone)]
pub struct CellSpec {
    /// Runner id.
    pub runner: &'static RunnerInfo,
    /// Workload id.
    pub workload: &'static WorkloadInfo,
    /// Worker threads.
    pub threads: usize,
    /// Size preset.
    pub preset: Preset,
    /// Warm-up samples.
    pub warmup: usize,
    /// Measured samples.
    pub samples: usize,
    /// How network workloads are driven.
    pub network: crate::network::Network,
    /// Which of the cell's processes this is, from 0 (each takes its own warm-up).
    pub process: usize,
    /// Foreign load, in cores, beyond which a sample is disturbed and taken again.
    pub threshold_cores: f64,
    /// Disturbed samples this process may take again before it keeps them, marked.
    pub max_retakes: usize,
}

/// What a cell process prints: its cell, and the latency histograms behind the
/// cell's percentiles, so the parent can merge them over the cell's processes
/// (percentiles are never averaged). Not part of the results file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CellReport {
    /// The cell as this process measured it.
    pub cell: Cell,
    /// Each named latency histogram of the measured samples, as `[value, count]`
    /// pairs of its recorded buckets, in nanoseconds.
    #[serde(default)]
    pub histograms: Vec<(String, Vec<[u64; 2]>)>,
    /// A network cell's load record before anything is derived from it, so the
    /// parent merges it over the cell's processes as it merges histograms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load: Option<LoadSums>,
}

impl From<Cell> for CellReport {
    /// A cell with no latency histograms (it failed, does not apply, or measures none).
    fn from(cell: Cell) -> CellReport {
        CellReport {
            cell,
            histograms: Vec::new(),
            load: None,
        }
    }
}

impl CellSpec {
    /// The offered rates of open-loop workloads (`--rates`), for the cell's whole
    /// life: fitting borrows them for `'static`, and a cell process fits once, so
    /// leaking the copy costs a few bytes once.
    fn rates(&self) -> Option<&'static [f64]> {
        let rates = self.network.rates.as_ref()?;
        Some(Box::leak(rates.clone().into_boxed_slice()))
    }

    /// `runner/workload/tN`, as `Cell::key` names the finished cell.
    pub fn key(&self) -> String {
        format!("{}/{}/t{}", self.runner.id, self.workload.id, self.threads)
    }

    /// A cell record with no measurements yet, to be completed or failed.
    pub fn blank(&self, status: Status, error: Option<String>) -> Cell {
        Cell {
            runner: self.runner.id.into(),
            class: self.runner.class,
            family: self.runner.family,
            workload: self.workload.id.into(),
            workload_kind: self.workload.kind,
            threads: self.threads,
            status,
            error,
            checksum: None,
            expected_checksum: None,
            verified: false,
            params: serde_json::Value::Null,
            extrapolation: None,
            os_threads: None,
            thread_names: BTreeMap::new(),
            warmup: Vec::new(),
            samples: Vec::new(),
            peak_rss_bytes: None,
            notes: Vec::new(),
            io_driver: None,
            interpreter: None,
            latency_us: None,
            more_latency_us: BTreeMap::new(),
            throughput_per_s: None,
            metrics: BTreeMap::new(),
            summary: None,
            interference: None,
            exit: None,
            load: None,
            sampling: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    Panic,
    Hang,
    WrongChecksum,
    Abort,
    WorkerAbort,
}

impl Fault {
    fn from_env(spec: &CellSpec) -> Option<Fault> {
        let fault = match std::env::var("RTCOMPARE_FAULT").ok()?.as_str() {
            "panic" => Fault::Panic,
            "hang" => Fault::Hang,
            "wrong-checksum" => Fault::WrongChecksum,
            "abort" => Fault::Abort,
            "worker-abort" => Fault::WorkerAbort,
            _ => return None,
        };
        let target = std::env::var("RTCOMPARE_FAULT_CELL").ok();
        let this = format!("{}/{}", spec.runner.id, spec.workload.id);
        target.is_none_or(|t| t == this).then_some(fault)
    }

    /// Injects the fault into an outcome; only called on the first sample.
    fn inject(self, outcome: Outcome) -> Outcome {
        match self {
            Fault::Panic => panic!("injected fault (RTCOMPARE_FAULT=panic)"),
            Fault::Hang => loop {
                std::thread::sleep(Duration::from_secs(3600));
            },
            Fault::Abort => std::process::abort(),
            Fault::WrongChecksum => Outcome::new(outcome.checksum ^ 1),
            Fault::WorkerAbort => outcome, // injected in the worker processes
        }
    }
}

/// The fraction by which `RTCOMPARE_SLOWDOWN` slows this cell, if it names it:
/// `FRACTION` (every cell) or a comma-separated list of `runner/workload=FRACTION`.
fn slowdown_from_env(spec: &CellSpec) -> Option<f64> {
    slowdown_for(
        &std::env::var("RTCOMPARE_SLOWDOWN").ok()?,
        spec.runner.id,
        spec.workload.id,
    )
}

fn slowdown_for(knob: &str, runner: &str, workload: &str) -> Option<f64> {
    let this = format!("{runner}/{workload}");
    knob.split(',').find_map(|item| {
        let (target, fraction) = match item.trim().rsplit_once('=') {
            Some((target, fraction)) => (Some(target), fraction),
            None => (None, item.trim()),
        };
        if target.is_some_and(|t| t != this) {
            return None;
        }
        fraction
            .parse::<f64>()
            .ok()
            .filter(|f| *f > 0.0 && f.is_finite())
    })
}

/// Test-only jitter knob: `RTCOMPARE_JITTER=FRACTION` lengthens each sample of every
/// cell by a pseudo-random share, up to FRACTION of its wall time, spun inside the
/// timed region: a cell too noisy to reach any precision target, for testing that
/// sampling then stops on its budget.
fn jitter_from_env() -> Option<f64> {
    std::env::var("RTCOMPARE_JITTER")
        .ok()?
        .parse::<f64>()
        .ok()
        .filter(|f| *f > 0.0 && f.is_finite())
}

/// Spins for `fraction` of `wall` and returns the lengthened wall time.
fn slow_down(wall: Duration, fraction: f64) -> Duration {
    let extra = wall.mul_f64(fraction);
    let until = Instant::now() + extra;
    while Instant::now() < until {
        std::hint::spin_loop();
    }
    wall + extra
}

static PANIC_MESSAGE: Mutex<Option<String>> = Mutex::new(None);

/// Runs the cell and returns its report; never panics (a panic becomes `failed`).
pub fn run<R: Runners, W: Workloads>(spec: &CellSpec) -> CellReport {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let mut slot = PANIC_MESSAGE.lock().unwrap_or_else(|e| e.into_inner());
        if slot.is_none() {
            let payload = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "non-string panic payload".into());
            let place = info
                .location()
                .map(|l| format!(" at {l}"))
                .unwrap_or_default();
            *slot = Some(format!("panicked{place}: {payload}"));
        }
        drop(slot);
        default_hook(info);
    }));

    let fault = Fault::from_env(spec);
    let measured = catch_unwind(AssertUnwindSafe(|| {
        W::visit(
            spec.workload.id,
            ForWorkload::<R> {
                spec,
                fault,
                runners: PhantomData,
            },
        )
        .expect("workload id validated by the parent")
    }));
    let mut report = match measured {
        Ok(report) => report,
        Err(_) => {
            let message = PANIC_MESSAGE
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take();
            spec.blank(
                Status::Failed,
                Some(message.unwrap_or_else(|| "panicked".into())),
            )
            .into()
        }
    };
    let cell = &mut report.cell;
    // Worker processes' peaks too (reported by the `processes` strategy), so the
    // column is comparable with runners whose every unit lives in this process.
    let workers_peak = cell
        .metrics
        .get(ids::metric::WORKERS_PEAK_RSS_BYTES)
        .copied();
    cell.peak_rss_bytes = peak_rss_bytes().map(|own| own + workers_peak.unwrap_or(0.0) as u64);
    // Each sample carries its process's peak: the parent merges several processes
    // into one cell, and a check compares peaks process by process.
    let peak = cell.peak_rss_bytes;
    for sample in cell.samples.iter_mut().chain(cell.warmup.iter_mut()) {
        sample.process_peak_rss_bytes = peak;
    }
    report
}

struct ForWorkload<'a, R> {
    spec: &'a CellSpec,
    fault: Option<Fault>,
    runners: PhantomData<R>,
}

impl<R: Runners> WorkloadVisitor for ForWorkload<'_, R> {
    type Out = CellReport;

    fn visit<W: Workload>(self) -> Self::Out {
        let spec = self.spec;
        if W::NETWORK {
            // Before the runner: its threads and worker processes inherit the
            // placement and the listener.
            let network = &spec.network;
            if let Err(why) = network::install_for_cell(network.loadgen_threads, network.pin) {
                return spec.blank(Status::Failed, Some(why)).into();
            }
        }
        let measure = Measure::<W> {
            spec,
            fault: self.fault,
            slowdown: slowdown_from_env(spec),
            jitter: jitter_from_env(),
            params: W::params(spec.preset),
            open_files: open_files_for_cell(),
        };
        match R::execute(spec.runner.id, spec.threads, measure) {
            Some(Ok(result)) => result,
            Some(Err(e @ RunnerError::Unavailable { .. })) => spec
                .blank(Status::NotApplicable, Some(e.to_string()))
                .into(),
            Some(Err(e)) => spec.blank(Status::Failed, Some(e.to_string())).into(),
            None => unreachable!("runner id validated by the parent"),
        }
    }
}

struct Measure<'a, W: Workload> {
    spec: &'a CellSpec,
    fault: Option<Fault>,
    slowdown: Option<f64>,
    jitter: Option<f64>,
    params: W::Params,
    open_files: Option<u64>,
}

impl<W: Workload> Visitor for Measure<'_, W> {
    type Out = CellReport;

    fn visit_async<R: AsyncRuntime>(
        self,
        runtime: &R,
        block_on: &mut dyn FnMut(RootFuture) -> Outcome,
    ) -> Self::Out {
        let context = FitContext {
            open_files: self.open_files,
            rates: self.spec.rates(),
            ..FitContext::for_async(self.spec.preset)
        };
        self.sample(&context, false, &mut |params| {
            // Built before the clock starts; boxed once per sample, never per task.
            let root: RootFuture = Box::pin(W::run_async(runtime.clone(), params.clone()));
            let start = Instant::now();
            let outcome = block_on(root);
            Ok((outcome, start.elapsed()))
        })
    }

    fn visit_per_core<R: AsyncRuntime>(self, runtime: &R, cores: &mut dyn Cores) -> Self::Out {
        let count = cores.count();
        let context = FitContext {
            open_files: self.open_files,
            rates: self.spec.rates(),
            cores: Some(count),
            ..FitContext::for_async(self.spec.preset)
        };
        let mut report = self.sample(&context, false, &mut |params| {
            // Split and boxed before the clock starts: one root per core, never a box
            // per task.
            let roots: Vec<RootFuture> = W::shares(params, count)
                .expect("the shares were checked when the workload was fitted")
                .into_iter()
                .map(|share| -> RootFuture { Box::pin(W::run_async(runtime.clone(), share)) })
                .collect();
            let start = Instant::now();
            let (outcomes, last_finished) = cores.run(roots);
            let wall = last_finished.saturating_duration_since(start);
            Ok((W::merge(params, outcomes), wall))
        });
        report.cell.io_driver = Some(cores.io_driver());
        report
    }

    fn visit_script(self, start: &mut StartInterpreter<'_>) -> Self::Out {
        if let Err(reason) = W::script(&self.params) {
            return self.spec.blank(Status::NotApplicable, Some(reason)).into();
        }
        let mut interpreter = match start() {
            Ok(interpreter) => interpreter,
            Err(InterpreterError::Unavailable(why)) => {
                return self.spec.blank(Status::NotApplicable, Some(why)).into();
            }
            Err(InterpreterError::Failed(why)) => {
                return self.spec.blank(Status::Failed, Some(why)).into();
            }
        };
        let context = FitContext {
            concurrency: Some(interpreter.concurrency()),
            // The script has no fork-join and no coroutines: its jobs are
            // independent, and a job that waits holds only its own thread or process.
            nesting: Some(Nesting::Unsupported),
            address_space: Some(interpreter.address_space()),
            spawns: None,
            waits: Some(Waits::Any),
            budget: self.spec.preset.blocking_budget(),
            open_files: self.open_files,
            preset: self.spec.preset,
            rates: self.spec.rates(),
            cores: None,
            script: true,
        };
        // The interpreter is a child process and its pool's workers are its
        // children: their CPU time is the sample's.
        let mut loaded: Option<Vec<ScriptJob>> = None;
        let mut report = self.sample(&context, true, &mut |params| {
            // Described and parsed on the other side before the clock starts, and
            // only when they change: every sample runs the same jobs, so after the
            // warm-up no sample's CPU time includes parsing them.
            let jobs = W::script(params).map_err(|e| format!("no script body: {e}"))?;
            if loaded.as_ref() != Some(&jobs) {
                interpreter.load(&jobs).map_err(|e| e.to_string())?;
                loaded = Some(jobs);
            }
            let start = Instant::now();
            let results = interpreter.run();
            let wall = start.elapsed();
            let results = results.map_err(|e| e.to_string())?;
            let outcome = W::script_outcome(params, &results)?;
            Ok((outcome, wall))
        });
        let cell = &mut report.cell;
        cell.interpreter = Some(interpreter.describe());
        if cell.status == Status::Ok {
            // What ran the jobs: the interpreter's threads and processes, not this
            // process's (which only waits on the pipe).
            if let Ok(census) = interpreter.census() {
                cell.thread_names = census.into_iter().collect();
                cell.os_threads = Some(cell.thread_names.values().sum());
            }
            if let Some(peak) = interpreter.peak_rss_bytes() {
                cell.metrics
                    .insert(ids::metric::WORKERS_PEAK_RSS_BYTES.to_owned(), peak as f64);
            }
        }
        report
    }

    fn visit_blocking(self, strategy: &dyn Strategy) -> Self::Out {
        let context = blocking_context(strategy, self.spec, self.open_files);
        // Jobs in other processes: their CPU time belongs to the sample too.
        let children = strategy.address_space() == AddressSpace::Separate;
        let mut report = self.sample(&context, children, &mut |params| {
            let start = Instant::now();
            let outcome = W::run_blocking(strategy, params);
            Ok((outcome, start.elapsed()))
        });
        let cell = &mut report.cell;
        let transient = strategy.transient_threads();
        cell.os_threads = cell.os_threads.map(|live| live + transient);
        if cell.status == Status::Ok {
            cell.metrics.extend(
                strategy
                    .metrics()
                    .into_iter()
                    .map(|(key, value)| (key.to_owned(), value)),
            );
        }
        report
    }
}

/// What a blocking workload is fitted to: the strategy's own description and the
/// cell's. A `processes` worker builds its context here too, from the same
/// arguments, so it fits the workload exactly as its cell did.
fn blocking_context(
    strategy: &dyn Strategy,
    spec: &CellSpec,
    open_files: Option<u64>,
) -> FitContext {
    FitContext {
        concurrency: Some(strategy.concurrency()),
        nesting: Some(strategy.nesting()),
        address_space: Some(strategy.address_space()),
        spawns: strategy.spawns(),
        waits: Some(strategy.waits()),
        budget: spec.preset.blocking_budget(),
        open_files,
        preset: spec.preset,
        rates: spec.rates(),
        cores: None,
        script: false,
    }
}

/// Runs as a worker process of the `processes` runner (the cell's own arguments
/// plus `--process-worker`): rebuilds the cell's workload and fitted parameters and
/// runs its blocking body forever on a [`WorkerStrategy`], which serves the jobs the
/// cell process sends over stdin and exits when the cell closes it. The probe runs
/// first, as in the cell. Nothing of the cell's measuring happens here.
pub fn worker<W: Workloads>(spec: &CellSpec) -> ! {
    let output = protocol_output().unwrap_or_else(|e| {
        eprintln!("worker process: cannot set up its output pipe: {e}");
        std::process::exit(2)
    });
    if spec.workload.network {
        if let Err(why) = network::install_for_worker() {
            eprintln!("worker process: {why}");
            std::process::exit(2)
        }
    }
    let strategy = WorkerStrategy::new(spec.threads, Box::new(std::io::stdin()), output);
    strategy.announce();
    let aborting = AbortingJobs(&strategy);
    let jobs: &dyn Strategy = match Fault::from_env(spec) {
        Some(Fault::WorkerAbort) => &aborting,
        _ => &strategy,
    };
    W::visit(
        spec.workload.id,
        AsWorker {
            spec,
            strategy: &strategy,
            jobs,
        },
    );
    unreachable!("workload id validated by the cell's arguments")
}

/// The worker's private copy of stdout, for frames only; stdout itself is pointed at
/// stderr, so a stray print from a body cannot corrupt the frame stream.
fn protocol_output() -> std::io::Result<Box<dyn std::io::Write + Send>> {
    use std::os::fd::FromRawFd;
    // SAFETY: fcntl(F_DUPFD_CLOEXEC) on fd 1 (open: the parent piped it) returns a
    // new descriptor or -1; it touches no memory.
    let fd = unsafe { libc::fcntl(libc::STDOUT_FILENO, libc::F_DUPFD_CLOEXEC, 0) };
    if fd < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: dup2 replaces fd 1 with a copy of fd 2, both open; nothing in this
    // process holds a Rust handle that owns fd 1 itself (std's stdout only borrows it).
    if unsafe { libc::dup2(libc::STDERR_FILENO, libc::STDOUT_FILENO) } < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: `fd` was just created above and nothing else owns it.
    let file = unsafe { std::fs::File::from_raw_fd(fd) };
    Ok(Box::new(file))
}

/// Test-only (`RTCOMPARE_FAULT=worker-abort`): the worker strategy, but every job it
/// is sent aborts the worker process.
struct AbortingJobs<'a>(&'a WorkerStrategy);

impl Strategy for AbortingJobs<'_> {
    fn concurrency(&self) -> rtcompare_api::Concurrency {
        self.0.concurrency()
    }
    fn nesting(&self) -> rtcompare_api::Nesting {
        self.0.nesting()
    }
    fn address_space(&self) -> AddressSpace {
        self.0.address_space()
    }
    fn spawns(&self) -> Option<rtcompare_api::Spawns> {
        self.0.spawns()
    }
    fn run(&self, jobs: usize, _job: rtcompare_api::Job<'_>) -> u64 {
        self.0.run(jobs, &|_| std::process::abort())
    }
    fn spawn_each(&self, jobs: usize, _job: rtcompare_api::Job<'_>) -> u64 {
        self.0.spawn_each(jobs, &|_| std::process::abort())
    }
    fn run_isolated(&self, jobs: usize, _job: rtcompare_api::Job<'_>) -> rtcompare_api::Isolated {
        self.0.run_isolated(jobs, &|_| std::process::abort())
    }
}

struct AsWorker<'a> {
    spec: &'a CellSpec,
    strategy: &'a WorkerStrategy,
    /// What the body runs its jobs on: the strategy itself, or a faulty wrapper.
    jobs: &'a dyn Strategy,
}

impl WorkloadVisitor for AsWorker<'_> {
    type Out = ();

    fn visit<W: Workload>(self) {
        let strategy = self.strategy;
        let context = blocking_context(strategy, self.spec, open_files_for_cell());
        let Ok(fitted) = W::fit(W::params(self.spec.preset), &context) else {
            strategy.idle_until_closed() // n/a: the cell sends no batch
        };
        let run = |params: &W::Params| {
            let before = strategy.batches();
            W::run_blocking(self.jobs, params);
            // A body that never asks the strategy for a batch would loop here without
            // reading its input, so it would never see the cell close it.
            assert!(
                strategy.batches() > before,
                "{}: the blocking body ran no batch on the strategy, so worker processes \
                 cannot follow it",
                W::ID
            );
        };
        if let Some(probe) = W::probe(&fitted.params) {
            run(&probe);
        }
        // Ends when the cell closes this worker's input (the strategy exits then).
        loop {
            run(&fitted.params);
        }
    }
}

/// One run of the workload: its outcome and the wall time of the timed part, or
/// why the run failed outside the workload's own checks (an interpreter's error).
type RunOnce<'a, P> = dyn FnMut(&P) -> Result<(Outcome, Duration), String> + 'a;

impl<W: Workload> Measure<'_, W> {
    /// Fits the workload, takes its probe (if any), the warm-up and the samples;
    /// `run_once` runs the parameters once and returns the outcome and the wall time
    /// of the timed run. CPU time and context switches bracket the same call; with
    /// `children`, the CPU time of this process's child processes (worker processes)
    /// in that span is added to its own. A wrong answer or a failed check returns the
    /// cell marked failed, with the samples taken so far; a workload that does not
    /// apply returns it marked n/a.
    fn sample(
        &self,
        context: &FitContext,
        children: bool,
        run_once: &mut RunOnce<'_, W::Params>,
    ) -> CellReport {
        let spec = self.spec;
        let fitted = match W::fit(self.params.clone(), context) {
            Ok(fitted) => fitted,
            Err(reason) => return spec.blank(Status::NotApplicable, Some(reason)).into(),
        };
        let params = &fitted.params;
        if let Some(cores) = context.cores {
            if let Err(reason) = W::shares(params, cores) {
                return spec.blank(Status::NotApplicable, Some(reason)).into();
            }
        }
        let expected = W::expected(params);
        let mut cell = spec.blank(Status::Ok, None);
        cell.params = serde_json::to_value(params).unwrap_or(serde_json::Value::Null);
        cell.expected_checksum = Some(hex(expected));
        cell.notes = fitted.notes.clone();
        cell.extrapolation = fitted
            .extrapolation
            .clone()
            .map(|(factor, note)| Extrapolation { factor, note });

        // The probe runs first, on the freshest heap the process will have.
        let mut probe_metrics = Vec::new();
        if let Some(probe) = W::probe(params) {
            let (outcome, _) = match run_once(&probe) {
                Ok(run) => run,
                Err(why) => {
                    cell.error = Some(format!("the probe run failed: {why}"));
                    cell.status = Status::Failed;
                    return cell.into();
                }
            };
            if outcome.checksum != W::expected(&probe) {
                cell.error = Some(format!(
                    "wrong answer in the probe run: checksum {} but {} expected",
                    hex(outcome.checksum),
                    hex(W::expected(&probe))
                ));
                cell.status = Status::Failed;
                return cell.into();
            }
            probe_metrics = outcome.metrics;
        }

        let mut latencies: Vec<(&'static str, Histogram)> = Vec::new();
        let mut load =
            W::NETWORK.then(|| LoadSums::new(spec.network.loadgen_threads, spec.network.pin));
        let mut ops_per_s = Vec::new();
        let mut interference = Interference::default();
        let mut retakes_left = spec.max_retakes;
        let total = spec.warmup + spec.samples;
        let mut i = 0;
        while i < total {
            let system_before = SystemCpu::now();
            let generator = network::generator_pid();
            let children_before = children.then(|| ChildrenCpu::now(generator));
            let kernel_before = KernelThreadsCpu::now();
            // The precise counter is read tightly around the sample, so that only
            // the sample and getrusage fall between its readings.
            let tasks_before = TasksCpu::now();
            let generator_before = network::generator_cpu_s();
            let before = Usage::now();
            let run = run_once(params);
            let usage_after = Usage::now();
            let generator_after = network::generator_cpu_s();
            let tasks_after = TasksCpu::now();
            let kernel_after = KernelThreadsCpu::now();
            let which = if i < spec.warmup {
                format!("warm-up sample {}", i + 1)
            } else {
                format!("sample {}", i + 1 - spec.warmup)
            };
            let (mut outcome, mut wall) = match run {
                Ok(run) => run,
                Err(why) => {
                    cell.error = Some(format!("{which}: {why}"));
                    cell.status = Status::Failed;
                    return cell.into();
                }
            };
            if let Some(fraction) = self.slowdown {
                wall = slow_down(wall, fraction);
            }
            if let Some(jitter) = self.jitter {
                let draw = (wall.subsec_nanos() as f64 * 0.618_033_988_7).fract();
                wall = slow_down(wall, jitter * draw);
            }
            let mut sample: Sample = before.sample_until(&usage_after, wall);
            if let Some(before) = children_before {
                let after = ChildrenCpu::now(generator);
                sample.user_s += (after.user - before.user).max(0.0);
                sample.sys_s += (after.sys - before.sys).max(0.0);
            }
            // The kernel's threads count with the cell's own time (see
            // `interference`): on a quiet machine they work for it.
            let kernel = kernel_before
                .zip(kernel_after)
                .map(|(before, after)| before.until(&after));
            sample.kernel_cpu_s = kernel;
            // The generator is not the server, but its load is the cell's own.
            sample.generator_cpu_s = generator_before
                .zip(generator_after)
                .map(|(before, after)| (after - before).max(0.0));
            let own = sample.user_s
                + sample.sys_s
                + kernel.unwrap_or(0.0)
                + sample.generator_cpu_s.unwrap_or(0.0);
            let disturbance = system_before
                .zip(SystemCpu::now())
                .map(|(before, after)| Disturbance::between(&before, &after, own))
                .map(|d| match tasks_before.zip(tasks_after) {
                    Some((before, after)) => d.with_tasks(&before, &after, own),
                    None => d,
                });
            if i == 0 {
                if let Some(fault) = self.fault {
                    outcome = fault.inject(outcome);
                }
            }
            cell.checksum = Some(hex(outcome.checksum));
            if outcome.checksum != expected {
                cell.error = Some(format!(
                    "wrong answer in {which}: checksum {} but {} expected",
                    hex(outcome.checksum),
                    hex(expected)
                ));
                cell.status = Status::Failed;
                return cell.into();
            }
            if let Err(why) = W::check_sample(params, wall) {
                cell.error = Some(format!("{which}: {why}"));
                cell.status = Status::Failed;
                return cell.into();
            }
            if let Some((_, primary)) = outcome.latencies.first() {
                sample.latency_p99_us = Some(micros(primary.value_at_quantile(0.99)));
                sample.latency_max_us = Some(micros(primary.max()));
            }
            sample.metrics = outcome
                .metrics
                .iter()
                .map(|&(key, value)| (key.to_owned(), value))
                .collect();
            sample.ops = outcome.ops;
            sample.process = spec.process;
            if let Some(d) = disturbance {
                sample.foreign_cpu_s = Some(d.foreign_s);
                sample.foreign_resolution_s = Some(d.resolution_s);
                sample.steal_s = Some(d.steal_s);
            }
            if let Some(load) = load.as_mut() {
                load.add_memory(&outcome.load_steps);
            }
            if i < spec.warmup {
                cell.warmup.push(sample);
                i += 1;
                continue;
            }
            if let Some(d) = disturbance {
                let cores = d.cores(sample.wall_s);
                interference.foreign_cores_max = interference.foreign_cores_max.max(cores);
                let steal = Disturbance {
                    foreign_s: 0.0,
                    ..d
                };
                interference.steal_cores_max =
                    interference.steal_cores_max.max(steal.cores(sample.wall_s));
                if d.disturbs(sample.wall_s, spec.threshold_cores) {
                    if retakes_left > 0 {
                        // Discarded: the same sample is taken again.
                        retakes_left -= 1;
                        interference.retaken += 1;
                        interference.discarded_foreign_cores.push(cores);
                        continue;
                    }
                    sample.disturbed = true;
                    interference.disturbed_samples += 1;
                }
            }
            i += 1;
            if let Some(load) = load.as_mut() {
                load.add_sample(&outcome.load_steps, network::server_cpus());
            }
            if let Some(ops) = outcome.ops {
                ops_per_s.push(ops as f64 / (wall.as_secs_f64() * cell.scale()));
            }
            for (name, histogram) in outcome.latencies {
                match latencies.iter_mut().find(|(n, _)| *n == name) {
                    Some((_, merged)) => merged
                        .add(&histogram)
                        .expect("auto-resizing histograms merge"),
                    None => latencies.push((name, histogram)),
                }
            }
            cell.samples.push(sample);
        }
        cell.verified = true;
        interference.foreign_cores_median = median(
            &mut cell
                .samples
                .iter()
                .filter_map(crate::interference::sample_cores)
                .collect::<Vec<_>>(),
        )
        .unwrap_or(0.0);
        cell.interference = Some(interference);
        cell.metrics = median_metrics(&cell.samples);
        cell.metrics.extend(
            probe_metrics
                .into_iter()
                .map(|(key, value)| (key.to_owned(), value)),
        );
        cell.throughput_per_s = median(&mut ops_per_s);
        let histograms = latencies
            .iter()
            .map(|(name, histogram)| ((*name).to_owned(), histogram_buckets(histogram)))
            .collect();
        let mut latencies = latencies.into_iter();
        cell.latency_us = latencies.next().map(|(_, h)| latency(&h));
        cell.more_latency_us = latencies
            .map(|(name, h)| (name.to_owned(), latency(&h)))
            .collect();
        // Counted while the runtime is still alive: workers, timer and reactor threads.
        cell.thread_names = census::live_threads();
        cell.os_threads = Some(cell.thread_names.values().sum());
        cell.load = load.as_ref().and_then(LoadSums::finish);
        CellReport {
            cell,
            histograms,
            load,
        }
    }
}

fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    })
}

/// The median over samples of each per-sample metric.
pub fn median_metrics(samples: &[Sample]) -> BTreeMap<String, f64> {
    let mut by_key: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for sample in samples {
        for (key, &value) in &sample.metrics {
            by_key.entry(key).or_default().push(value);
        }
    }
    by_key
        .into_iter()
        .filter_map(|(key, mut values)| Some((key.to_owned(), median(&mut values)?)))
        .collect()
}

/// The soft open-file limit this cell runs with (the parent raised it to the hard
/// limit). Test-only knob: `RTCOMPARE_NOFILE=N` lowers it to N first, so tests can
/// exercise the paths that cap connection counts.
fn open_files_for_cell() -> Option<u64> {
    if let Some(n) = std::env::var("RTCOMPARE_NOFILE")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        crate::measure::set_open_files_soft_limit(n);
    }
    crate::measure::open_files_limit().map(|[soft, _]| soft)
}

/// A checksum as `0x`-prefixed hex.
pub fn hex(value: u64) -> String {
    format!("{value:#018x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slowdown_targets_one_cell_or_several() {
        assert_eq!(slowdown_for("0.1", "seq", "cpu"), Some(0.1));
        assert_eq!(slowdown_for("seq/cpu=0.2", "seq", "cpu"), Some(0.2));
        assert_eq!(slowdown_for("seq/cpu=0.2", "seq", "sleep"), None);
        let several = "tokio-mt/cpu=0.1, seq/sleep=0.3";
        assert_eq!(slowdown_for(several, "seq", "sleep"), Some(0.3));
        assert_eq!(slowdown_for(several, "tokio-mt", "cpu"), Some(0.1));
        assert_eq!(slowdown_for(several, "rayon", "cpu"), None);
        assert_eq!(slowdown_for("seq/cpu=x", "seq", "cpu"), None);
    }
}

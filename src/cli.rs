//! The command line: parses it (clap), plans a run from it against the catalog of
//! runners and workloads this build has, and maps each command's `Result` to an
//! exit code: 0 ok, 1 regression found, 2 usage or data error, 130 interrupted.

use crate::suite::Catalog;
use crate::{cell, fingerprint, harness, interference, network, regress, sampling};
use anyhow::{Result, bail};
use clap::{Args, Parser, Subcommand};
use rtcompare_reports::regression::{CheckOptions, Correction};
use rtcompare_reports::summary::Summarized;
use rtcompare_workloads::Preset;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Exit code for bad input: an unknown name, a bad number, a corrupt file.
pub(crate) const EXIT_USAGE: u8 = 2;

#[derive(Parser)]
#[command(
    name = "rtcompare",
    version,
    about = "What concurrency alone and parallelism buy, measured across Rust async runtimes and OS threads",
    after_help = "Exit codes: 0 ok (failed cells are reported, not fatal; no regression), \
                  1 regression found (check, ab), 2 usage or data error, \
                  130 interrupted (finished cells kept, marked partial)."
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// List the runners (with class and scheduling family) and the workloads (with sizes).
    List,
    /// Run the matrix of runners × workloads × thread counts; write results.json and report.md.
    Compare(CompareArgs),
    /// Render report.md again from a results.json alone; with several files, one
    /// cross-machine comparison of them (machines.md).
    Report {
        /// The results file(s) written by `compare`.
        #[arg(required = true, num_args = 1..)]
        results: Vec<PathBuf>,
        /// Where to write the report [default: report.md beside RESULTS, or machines.md
        /// beside the first of several]; other formats go beside it (report.html, report.csv).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Report formats, comma-separated: md, html, csv.
        #[arg(long, value_delimiter = ',', default_value = "md,html", value_parser = parse_format)]
        format: Vec<rtcompare_reports::Format>,
    },
    /// Compare results (or, with --run, a fresh run of the baseline's cells) against a baseline.
    Check(CheckArgs),
    /// Manage stored baselines.
    #[command(subcommand)]
    Baseline(BaselineCmd),
    /// Run the same cells from two rtcompare builds, interleaved A B B A, and compare B with A.
    Ab(AbArgs),
    /// Run one cell in this process and print it as JSON (used by `compare`).
    #[command(hide = true)]
    Cell(CellArgs),
}

#[derive(Args)]
struct CompareArgs {
    #[command(flatten)]
    select: SelectArgs,
    /// Output directory for results.json and report.md.
    #[arg(long, default_value = "target/rtcompare")]
    out: PathBuf,
    /// Also store the results as baseline NAME (BASELINE_DIR/NAME.json) when the run completes.
    #[arg(long, value_name = "NAME")]
    save_baseline: Option<String>,
    /// Where baselines are stored.
    #[arg(long, default_value = "baselines")]
    baseline_dir: PathBuf,
    /// Also write the results in Bencher Metric Format to FILE.
    #[arg(long, value_name = "FILE")]
    export_bmf: Option<PathBuf>,
    /// Report formats, comma-separated: md (report.md), html (report.html, one
    /// self-contained page), csv (report.csv).
    #[arg(long, value_delimiter = ',', default_value = "md,html", value_parser = parse_format)]
    format: Vec<rtcompare_reports::Format>,
}

#[derive(Args)]
struct CheckArgs {
    /// The baseline results file to compare against.
    #[arg(long, value_name = "FILE")]
    baseline: PathBuf,
    /// The results to check [default: target/rtcompare/results.json]; not with --run.
    #[arg(conflicts_with = "run")]
    results: Option<PathBuf>,
    /// Run exactly the baseline's cells now (same preset, threads, samples), then compare;
    /// flagged cells are re-run once and count only if the re-run confirms them.
    #[arg(long)]
    run: bool,
    /// A confirmation re-run of the flagged cells (such as a recorded check's
    /// confirm-results.json): a regression counts only where it flags the cell again.
    /// Re-judges a recorded check, at other settings, without running anything.
    #[arg(long, value_name = "FILE", conflicts_with = "run")]
    confirmation: Option<PathBuf>,
    #[command(flatten)]
    stats: StatsArgs,
    /// Compare absolute times even when the machine fingerprints differ.
    #[arg(long)]
    strict_machine: bool,
    /// Judge cells relative to the machine's drift since the baseline, measured on the
    /// calibration cells (seq/cpu/t1 and seq/cpu-skewed/t1) of the same run.
    #[arg(long)]
    normalize: bool,
    /// When the check finds no regression, add the checked results to the baseline as
    /// one more run (as `baseline calibrate` does), so its noise floors learn how this
    /// machine varies from hour to hour and day to day. For the main branch's runs,
    /// not for the changes under review.
    #[arg(long)]
    calibrate: bool,
    /// Accept partial (interrupted) results or baseline files.
    #[arg(long)]
    allow_partial: bool,
    /// Output directory for check.md (and, with --run, the run's results.json).
    #[arg(long, default_value = "target/rtcompare-check")]
    out: PathBuf,
    /// Also write the checked results in Bencher Metric Format to FILE.
    #[arg(long, value_name = "FILE")]
    export_bmf: Option<PathBuf>,
}

#[derive(Args)]
struct StatsArgs {
    /// Noise band in percent: a change must lie beyond it [default: 10 against a baseline, 5 for ab].
    #[arg(long, value_parser = parse_percent)]
    noise: Option<f64>,
    /// Significance level for the Mann-Whitney U test, after correction.
    #[arg(long, default_value_t = 0.05, value_parser = parse_alpha)]
    alpha: f64,
    /// Correction for testing many cells at once.
    #[arg(long, default_value = "holm", value_parser = ["holm", "bh"])]
    correction: String,
}

impl StatsArgs {
    fn options(&self, mut options: CheckOptions) -> CheckOptions {
        if let Some(noise) = self.noise {
            options.noise = noise;
        }
        options.alpha = self.alpha;
        options.correction = match self.correction.as_str() {
            "bh" => Correction::BenjaminiHochberg,
            _ => Correction::Holm,
        };
        options
    }
}

#[derive(Subcommand)]
enum BaselineCmd {
    /// Store repeated runs of one plan (at least 3 results files) as baseline NAME
    /// (DIR/NAME.json), with each cell's run-to-run spread: its noise floor in checks.
    Save {
        /// The results files to store: runs of the same plan on the same machine.
        #[arg(required = true, num_args = 1..)]
        results: Vec<PathBuf>,
        /// The baseline's name: letters, digits, '.', '_', '-'.
        name: String,
        /// Where baselines are stored.
        #[arg(long, default_value = "baselines")]
        dir: PathBuf,
        /// Accept partial (interrupted) results files.
        #[arg(long)]
        allow_partial: bool,
        /// Store fewer than 3 runs: checks against it then have no noise floor and use
        /// the band alone.
        #[arg(long)]
        allow_few_runs: bool,
    },
    /// Add more runs of the baseline's plan to a stored baseline, refining each cell's
    /// noise floor (a single-run baseline becomes the first of its runs).
    Calibrate {
        /// The stored baseline file, rewritten in place.
        baseline: PathBuf,
        /// Results files of further runs of the same plan on the same machine.
        #[arg(required = true, num_args = 1..)]
        results: Vec<PathBuf>,
        /// Accept partial (interrupted) results files.
        #[arg(long)]
        allow_partial: bool,
    },
}

#[derive(Args)]
struct AbArgs {
    /// The baseline build (an rtcompare binary).
    #[arg(long, value_name = "BIN_A")]
    a: PathBuf,
    /// The candidate build (an rtcompare binary).
    #[arg(long, value_name = "BIN_B")]
    b: PathBuf,
    #[command(flatten)]
    select: SelectArgs,
    #[command(flatten)]
    stats: StatsArgs,
    /// Output directory for a.json, b.json and check.md.
    #[arg(long, default_value = "target/rtcompare-ab")]
    out: PathBuf,
}

#[derive(Args)]
struct SelectArgs {
    /// A first look (2 to 4 minutes on 2 cores with every runner): the default
    /// sample sizes at one thread count (the cores) unless --threads says otherwise,
    /// one process per cell, 3 samples and more while the 50 s budget lasts.
    #[arg(long, conflicts_with_all = ["full", "preset"])]
    quick: bool,
    /// Shorthand for --preset full: today's large samples (about 3 s of sequential
    /// CPU work each), for scale; no budget unless --budget sets one.
    #[arg(long, conflicts_with = "preset")]
    full: bool,
    /// Sample size preset: tiny (tests), quick (the default: tens of milliseconds
    /// per sample, precision from more samples) or full (large samples, for scale).
    #[arg(long, value_parser = parse_preset)]
    preset: Option<Preset>,
    /// Runners to run, comma-separated [default: all; see `rtcompare list`].
    #[arg(long, value_delimiter = ',')]
    runners: Vec<String>,
    /// Workloads to run, comma-separated [default: all but the opt-in crash workloads].
    #[arg(long, value_delimiter = ',')]
    workloads: Vec<String>,
    /// Worker-thread counts to sweep, comma-separated [default: 1, 2, … cores, and 2 × cores;
    /// quick: the cores only].
    #[arg(long, value_delimiter = ',', value_parser = parse_positive)]
    threads: Vec<usize>,
    /// Exactly N measured samples per cell, no precision target and no budget
    /// [default: adaptive; tiny presets take 2].
    #[arg(long, value_parser = parse_positive, conflicts_with_all = ["min_samples", "max_samples", "budget"])]
    samples: Option<usize>,
    /// Fewest measured samples per cell [default: 6; --quick 3].
    #[arg(long, value_parser = parse_positive)]
    min_samples: Option<usize>,
    /// Most measured samples per cell [default: 50; --quick 20].
    #[arg(long, value_parser = parse_positive)]
    max_samples: Option<usize>,
    /// Measured samples each cell process takes after its warm-up [default: 5; --quick 3].
    #[arg(long, value_parser = parse_positive)]
    samples_per_process: Option<usize>,
    /// Fewest cell processes per cell, so samples do not all share one process's
    /// memory layout and thread placement [default: 2; --quick and --samples 1].
    #[arg(long, value_parser = parse_positive)]
    processes: Option<usize>,
    /// Precision target for CPU-bound cells: sampling stops once the median's 95%
    /// interval is within ±PCT of it [default: 2].
    #[arg(long, value_name = "PCT", value_parser = parse_percent)]
    precision: Option<f64>,
    /// The same target for I/O-bound and mixed cells [default: 5].
    #[arg(long, value_name = "PCT", value_parser = parse_percent)]
    precision_io: Option<f64>,
    /// Time budget for the whole run's cells, e.g. 15m, 90s, 1h; shared out among the
    /// cells by the planner [default: 14m; --quick 50s; --preset full: none].
    #[arg(long, value_parser = parse_duration)]
    budget: Option<Duration>,
    /// Refuse to start when the pre-flight check finds other processes busy.
    #[arg(long)]
    require_quiet: bool,
    /// A sample is disturbed, and taken again, when other processes kept more than
    /// this many cores busy on average over it [default: 0.1].
    #[arg(long, value_name = "CORES", value_parser = parse_cores)]
    interference_threshold: Option<f64>,
    /// Disturbed samples each cell process may take again before it keeps them,
    /// marked, and the cell is shown as disturbed [default: 3 or the batch size].
    #[arg(long)]
    max_retakes: Option<usize>,
    /// Warm-up samples per cell process, not used in statistics (at least 1).
    #[arg(long, default_value_t = 1, value_parser = parse_warmup)]
    warmup: usize,
    /// Seed for the cell order and the bootstrap [default: from the clock; recorded].
    #[arg(long)]
    seed: Option<u64>,
    /// Per-cell time limit in seconds [default: tiny 60, quick 120, full 600].
    #[arg(long, value_parser = parse_seconds)]
    timeout: Option<f64>,
    /// Offered rates for the open-loop workload tcp-echo-open, requests per second
    /// over all connections, comma-separated, one step each [default: the preset's
    /// ladder: quick 10000,20000,40000,80000,160000; full from 5000; tiny 2000,8000].
    #[arg(long, alias = "rate", value_delimiter = ',', value_parser = parse_rate)]
    rates: Vec<f64>,
    /// Event-loop threads of the external load generator that drives the network
    /// workloads.
    #[arg(long, default_value_t = 1, value_parser = parse_positive)]
    loadgen_threads: usize,
    /// Pin the load generator to the last CPU this process may use and the server
    /// (the cell) to the others [default: unpinned; the CPUs each ran on are
    /// recorded either way].
    #[arg(long)]
    pin: bool,
    /// Also run the opt-in crash-isolation workloads (crash-panic, crash-abort): one job
    /// panics or aborts midway; on threads an abort ends the whole cell.
    #[arg(long)]
    crash: bool,
}

#[derive(Args)]
struct CellArgs {
    #[arg(long)]
    runner: String,
    #[arg(long)]
    workload: String,
    #[arg(long, value_parser = parse_positive)]
    threads: usize,
    #[arg(long, value_parser = parse_preset)]
    preset: Preset,
    #[arg(long)]
    warmup: usize,
    #[arg(long, value_parser = parse_positive)]
    samples: usize,
    #[arg(long, value_delimiter = ',', value_parser = parse_rate)]
    rates: Vec<f64>,
    #[arg(long, default_value_t = 1)]
    loadgen_threads: usize,
    #[arg(long)]
    pin: bool,
    #[arg(long, default_value_t = 0)]
    process: usize,
    #[arg(long, default_value_t = interference::DEFAULT_THRESHOLD_CORES)]
    threshold_cores: f64,
    #[arg(long, default_value_t = 3)]
    max_retakes: usize,
    /// Run as a worker process of the `processes` runner, started by the cell process
    /// with its own arguments (rtcompare_runners::WORKER_FLAG).
    #[arg(long, hide = true)]
    process_worker: bool,
}

fn parse_rate(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(r) if r.is_finite() && r > 0.0 && r <= 10_000_000.0 => Ok(r),
        Ok(_) => {
            Err("must be a number of requests per second above 0 and at most 10,000,000".into())
        }
        Err(_) => Err(format!("'{s}' is not a number of requests per second")),
    }
}

fn parse_preset(s: &str) -> Result<Preset, String> {
    s.parse()
}

fn parse_positive(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("'{s}' is not a whole number")),
    }
}

/// At least one warm-up: lazily created state (async-io's driver thread, tokio's and
/// `blocking`'s thread pools, glibc's stack cache) would otherwise land in the first
/// measured sample of the runners that have it, and in no other runner's.
fn parse_warmup(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err(
            "must be at least 1: without a warm-up, state created on first use \
                      (async-io's driver thread, tokio's and blocking's thread pools, glibc's \
                      stack cache) lands in the first measured sample of some runners only"
                .into(),
        ),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("'{s}' is not a whole number")),
    }
}

fn parse_format(s: &str) -> Result<rtcompare_reports::Format, String> {
    s.parse()
}

fn parse_percent(s: &str) -> Result<f64, String> {
    match s.trim_end_matches('%').parse::<f64>() {
        Ok(x) if (0.0..100.0).contains(&x) => Ok(x / 100.0),
        _ => Err(format!("'{s}' is not a percentage from 0 to 100")),
    }
}

fn parse_alpha(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x > 0.0 && x < 1.0 => Ok(x),
        _ => Err(format!("'{s}' is not a probability between 0 and 1")),
    }
}

fn parse_cores(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x > 0.0 && x.is_finite() => Ok(x),
        _ => Err(format!(
            "'{s}' is not a positive number of cores (e.g. 0.1)"
        )),
    }
}

/// `90s`, `15m`, `1h`, `1h30m`, or plain seconds.
fn parse_duration(s: &str) -> Result<Duration, String> {
    let bad = || format!("'{s}' is not a duration (e.g. 90s, 15m, 1h30m)");
    if let Ok(seconds) = s.parse::<f64>() {
        return (seconds > 0.0 && seconds.is_finite())
            .then(|| Duration::from_secs_f64(seconds))
            .ok_or_else(bad);
    }
    let mut total = 0.0;
    let mut number = String::new();
    for c in s.chars() {
        match c {
            '0'..='9' | '.' => number.push(c),
            'h' | 'm' | 's' => {
                let n: f64 = number.parse().map_err(|_| bad())?;
                total += n * match c {
                    'h' => 3600.0,
                    'm' => 60.0,
                    _ => 1.0,
                };
                number.clear();
            }
            _ => return Err(bad()),
        }
    }
    if !number.is_empty() || total <= 0.0 {
        return Err(bad());
    }
    Ok(Duration::from_secs_f64(total))
}

fn parse_seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x > 0.0 && x.is_finite() => Ok(x),
        _ => Err(format!("'{s}' is not a positive number of seconds")),
    }
}

/// Parses the command line (clap prints usage errors itself and exits with 2) and
/// runs it; `cell` is the one command that needs the suite's types, and comes back
/// to the caller as [`Parsed::Cell`].
pub(crate) fn parse(catalog: &'static Catalog, name: &'static str) -> Parsed {
    use clap::{CommandFactory, FromArgMatches};
    let matches = Cli::command().name(name).bin_name(name).get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    match cli.command {
        Cmd::Cell(args) => match cell_spec(args, catalog) {
            Ok(spec) => Parsed::Cell(spec),
            Err(e) => Parsed::Done(usage_error(e)),
        },
        command => Parsed::Done(run(command, catalog).unwrap_or_else(usage_error)),
    }
}

/// What [`parse`] leaves to the caller.
pub(crate) enum Parsed {
    /// A command that has run, with its exit code.
    Done(ExitCode),
    /// The hidden `cell` command (or a `processes` worker, with its flag set).
    Cell(CellCommand),
}

/// One cell to run in this process, as the parent asked for it.
pub(crate) struct CellCommand {
    /// The cell.
    pub spec: cell::CellSpec,
    /// Serve as a worker process of the `processes` runner instead.
    pub process_worker: bool,
}

fn usage_error(e: anyhow::Error) -> ExitCode {
    eprintln!("error: {e:#}");
    ExitCode::from(EXIT_USAGE)
}

fn run(command: Cmd, catalog: &'static Catalog) -> Result<ExitCode> {
    match command {
        Cmd::List => {
            list(catalog);
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Compare(args) => {
            let mut plan = plan(args.select, args.out, catalog)?;
            plan.formats = args.format;
            let (code, results) = harness::compare(&plan)?;
            if let Some(path) = &args.export_bmf {
                regress::export_bmf(&results, path)?;
                eprintln!("wrote {}", path.display());
            }
            if let Some(name) = &args.save_baseline {
                if !results.partial {
                    let path = regress::save_baseline(&results, &args.baseline_dir, name)?;
                    eprintln!("saved baseline {}", path.display());
                } else {
                    eprintln!("not saving baseline '{name}': the run did not complete");
                }
            }
            Ok(code)
        }
        Cmd::Check(args) => {
            let options = args.stats.options(CheckOptions {
                strict_machine: args.strict_machine,
                normalize: args.normalize,
                ..CheckOptions::against_baseline()
            });
            let job = regress::CheckJob {
                baseline: &args.baseline,
                options: &options,
                allow_partial: args.allow_partial,
                out: &args.out,
                bmf: args.export_bmf.as_deref(),
                confirmation: args.confirmation.as_deref(),
                catalog,
            };
            let (code, results) = if args.run {
                (regress::check_run(&job)?, harness::results_path(&args.out))
            } else {
                let results = args
                    .results
                    .unwrap_or_else(|| PathBuf::from("target/rtcompare/results.json"));
                (regress::check_file(&job, &results)?, results)
            };
            if args.calibrate {
                regress::calibrate_after_check(&args.baseline, &results, code, args.allow_partial)?;
            }
            Ok(code)
        }
        Cmd::Baseline(BaselineCmd::Save {
            results,
            name,
            dir,
            allow_partial,
            allow_few_runs,
        }) => {
            let path =
                regress::save_baseline_runs(&results, &dir, &name, allow_partial, allow_few_runs)?;
            eprintln!(
                "saved baseline {} from {} run(s)",
                path.display(),
                results.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Baseline(BaselineCmd::Calibrate {
            baseline,
            results,
            allow_partial,
        }) => {
            let runs = regress::calibrate(&baseline, &results, allow_partial)?;
            eprintln!("calibrated baseline {}: {runs} runs", baseline.display());
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Ab(args) => {
            let plan = plan(args.select, args.out, catalog)?;
            let options = args.stats.options(CheckOptions::ab());
            regress::ab(&regress::AbJob {
                a: &args.a,
                b: &args.b,
                plan: &plan,
                options: &options,
            })
        }
        Cmd::Report {
            results,
            out,
            format,
        } => {
            if let [first, _, ..] = results.as_slice() {
                let files = results
                    .iter()
                    .map(|path| {
                        let results = Summarized::new(rtcompare_reports::load(path)?);
                        Ok((path.display().to_string(), results))
                    })
                    .collect::<Result<Vec<_>>>()?;
                let out = out.unwrap_or_else(|| first.with_file_name("machines.md"));
                let text = rtcompare_reports::machines::render(&files);
                rtcompare_reports::write_atomic(&out, text.as_bytes())?;
                eprintln!("wrote {}", out.display());
                return Ok(ExitCode::SUCCESS);
            }
            let results = &results[0];
            let loaded = Summarized::new(rtcompare_reports::load(results)?);
            let out = out.unwrap_or_else(|| results.with_file_name("report.md"));
            for path in rtcompare_reports::write_report(&loaded, &out, &format)? {
                eprintln!("wrote {}", path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Cell(_) => unreachable!("parse hands the cell command back"),
    }
}

fn list(catalog: &Catalog) {
    println!("Runners (`--runners`):");
    let id = catalog
        .runners
        .iter()
        .map(|r| r.id.len())
        .max()
        .unwrap_or(0);
    println!("  {:<id$} {:<23} {:<15} threads", "id", "class", "family");
    for r in &catalog.runners {
        let knob = match r.threads {
            rtcompare_runners::ThreadsKnob::One => "1".to_string(),
            rtcompare_runners::ThreadsKnob::Workers => "N workers".to_string(),
            rtcompare_runners::ThreadsKnob::PerTask => {
                format!("1 per task (≤{})", rtcompare_runners::THREAD_CAP)
            }
        };
        let baseline = r
            .baseline
            .map(|b| format!(", speedups against {b}"))
            .unwrap_or_default();
        println!(
            "  {:<id$} {:<23} {:<15} {knob}{baseline}",
            r.id, r.class, r.family
        );
        println!("  {:<id$} {}{}", "", r.summary, catalog.added_by(r.id));
    }
    println!("\nWorkloads (`--workloads`):");
    for w in &catalog.workloads {
        let opt_in = if w.opt_in { " (opt-in: --crash)" } else { "" };
        println!(
            "  {:<14} {:<8} {}{opt_in}{}",
            w.id,
            w.kind,
            w.summary,
            catalog.added_by(w.id)
        );
        for preset in Preset::ALL {
            println!("  {:<23} {:<6} {}", "", preset, (w.describe)(preset));
        }
    }
}

/// 1, 2, … up to the cores, plus one oversubscribed point (2 × cores): what more
/// threads than cores buys (nothing on CPU work; something on blocking waits).
fn default_sweep(cores: usize) -> Vec<usize> {
    let mut sweep: Vec<usize> = (1..=cores).collect();
    sweep.push(2 * cores);
    sweep
}

fn plan(args: SelectArgs, out: PathBuf, catalog: &'static Catalog) -> Result<harness::Plan> {
    let preset = match (args.quick, args.full, args.preset) {
        (_, true, _) => Preset::Full,
        (_, _, Some(p)) => p,
        _ => Preset::Quick,
    };
    let runner_ids: Vec<&str> = catalog.runners.iter().map(|r| r.id).collect();
    let workload_ids: Vec<&str> = catalog.workloads.iter().map(|w| w.id).collect();
    let runners = if args.runners.is_empty() {
        runner_ids.clone()
    } else {
        harness::validate_names("runner", &args.runners, &runner_ids)?
    };
    // Opt-in workloads (the crash demonstrations) run only when named or with --crash.
    let opt_in = |wanted: bool| {
        catalog
            .workloads
            .iter()
            .filter(move |w| w.opt_in == wanted)
            .map(|w| w.id)
    };
    let mut workloads = if args.workloads.is_empty() {
        opt_in(false).collect()
    } else {
        harness::validate_names("workload", &args.workloads, &workload_ids)?
    };
    if args.crash {
        for id in opt_in(true) {
            if !workloads.contains(&id) {
                workloads.push(id);
            }
        }
    }
    if !args.rates.is_empty() {
        let open_loop: Vec<&str> = catalog
            .workloads
            .iter()
            .filter(|w| (w.takes_rate)())
            .map(|w| w.id)
            .collect();
        if !workloads.iter().any(|w| open_loop.contains(w)) {
            bail!(
                "--rates sets the offered rates of open-loop workloads ({}), and none is selected",
                open_loop.join(", ")
            );
        }
    }
    let sampling = sampling_policy(&args, preset)?;
    let mut threads = args.threads.clone();
    if threads.is_empty() {
        let cores = fingerprint::logical_cores();
        // A first look runs where parallelism is full; the sweep is for the report.
        threads = if args.quick {
            vec![cores]
        } else {
            default_sweep(cores)
        };
    }
    threads.sort_unstable();
    threads.dedup();
    if let Some(&t) = threads.iter().find(|&&t| t > 1024) {
        bail!("--threads {t} is more than 1024 worker threads; pick a smaller count");
    }
    let timeout = args.timeout.unwrap_or(match preset {
        Preset::Tiny => 60.0,
        Preset::Quick => 120.0,
        Preset::Full => 600.0,
    });
    let seed = args.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
            % 1_000_000_007
    });
    Ok(harness::Plan {
        preset,
        threads,
        sampling,
        require_quiet: args.require_quiet,
        warmup: args.warmup,
        seed,
        timeout: Duration::from_secs_f64(timeout),
        runners: runners
            .iter()
            .map(|id| catalog.runner(id))
            .collect::<Result<_>>()?,
        workloads: workloads
            .iter()
            .map(|id| catalog.workload(id))
            .collect::<Result<_>>()?,
        catalog,
        out,
        formats: vec![
            rtcompare_reports::Format::Markdown,
            rtcompare_reports::Format::Html,
        ],
        network: network::Network {
            rates: (!args.rates.is_empty()).then(|| args.rates.clone()),
            loadgen_threads: args.loadgen_threads,
            pin: args.pin,
        },
    })
}

/// The sampling rule from the flags and the preset's defaults.
fn sampling_policy(args: &SelectArgs, preset: Preset) -> Result<sampling::Policy> {
    let fixed = args.samples.or((preset == Preset::Tiny
        && args.min_samples.is_none()
        && args.max_samples.is_none()
        && args.budget.is_none())
    .then_some(2));
    let mut policy = match fixed {
        Some(n) => sampling::Policy::fixed(n, args.processes.unwrap_or(1)),
        None => {
            let quick = args.quick;
            let min_samples = args.min_samples.unwrap_or(if quick { 3 } else { 6 });
            let max_samples = args
                .max_samples
                .unwrap_or(if quick { 20 } else { 50 })
                .max(min_samples);
            let per_process = args
                .samples_per_process
                .unwrap_or(if quick { 3 } else { 5 });
            sampling::Policy {
                fixed: None,
                min_samples,
                max_samples,
                per_process,
                min_processes: args.processes.unwrap_or(if quick { 1 } else { 2 }),
                precision_cpu: args.precision.unwrap_or(0.02),
                precision_other: args.precision_io.or(args.precision).unwrap_or(0.05),
                budget: args.budget.or(match (quick, preset) {
                    (true, _) => Some(Duration::from_secs(50)),
                    (false, Preset::Full) => None,
                    (false, _) => Some(Duration::from_secs(14 * 60)),
                }),
                threshold_cores: interference::DEFAULT_THRESHOLD_CORES,
                max_retakes: per_process.max(3),
            }
        }
    };
    if let Some(t) = args.interference_threshold {
        policy.threshold_cores = t;
    }
    if let Some(r) = args.max_retakes {
        policy.max_retakes = r;
    }
    if policy.min_processes > policy.max_samples {
        bail!(
            "--processes {} is more than the {} samples a cell may take",
            policy.min_processes,
            policy.max_samples
        );
    }
    Ok(policy)
}

/// The hidden child command's cell, checked against the catalog (the parent
/// validated the names; a hand-typed command line gets the list of valid ones).
fn cell_spec(args: CellArgs, catalog: &'static Catalog) -> Result<CellCommand> {
    let runner = catalog.runner(&args.runner)?;
    let workload = catalog.workload(&args.workload)?;
    let spec = cell::CellSpec {
        runner,
        workload,
        threads: args.threads,
        preset: args.preset,
        warmup: args.warmup,
        samples: args.samples,
        network: network::Network {
            rates: (!args.rates.is_empty()).then_some(args.rates),
            loadgen_threads: args.loadgen_threads.max(1),
            pin: args.pin,
        },
        process: args.process,
        threshold_cores: args.threshold_cores,
        max_retakes: args.max_retakes,
    };
    Ok(CellCommand {
        spec,
        process_worker: args.process_worker,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workloads_planned(args: &[&str]) -> Vec<&'static str> {
        let cli = Cli::try_parse_from(
            ["rtcompare", "compare", "--preset", "tiny"]
                .iter()
                .chain(args),
        )
        .expect("valid arguments");
        let Cmd::Compare(compare) = cli.command else {
            unreachable!()
        };
        let plan =
            plan(compare.select, PathBuf::from("unused"), Catalog::built_in()).expect("a plan");
        plan.workloads.iter().map(|w| w.id).collect()
    }

    #[test]
    fn opt_in_workloads_run_only_when_asked() {
        let default = workloads_planned(&[]);
        assert!(default.contains(&"cpu"));
        assert!(
            !default.iter().any(|w| w.starts_with("crash")),
            "{default:?}"
        );

        let with_crash = workloads_planned(&["--crash"]);
        assert_eq!(with_crash.len(), default.len() + 2);
        assert!(with_crash.ends_with(&["crash-panic", "crash-abort"]));

        assert_eq!(
            workloads_planned(&["--workloads", "crash-abort"]),
            ["crash-abort"]
        );
        assert_eq!(
            workloads_planned(&["--workloads", "cpu,crash-abort", "--crash"]),
            ["cpu", "crash-abort", "crash-panic"]
        );
    }

    #[test]
    fn budgets_read_as_durations() {
        let secs = |s: &str| parse_duration(s).map(|d| d.as_secs_f64());
        assert_eq!(secs("90s"), Ok(90.0));
        assert_eq!(secs("15m"), Ok(900.0));
        assert_eq!(secs("1h30m"), Ok(5400.0));
        assert_eq!(secs("2.5"), Ok(2.5));
        for bad in ["", "15x", "m", "0", "-3", "1h30"] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_worker_flag_is_a_cell_flag() {
        let flag = rtcompare_runners::WORKER_FLAG;
        let cli = Cli::try_parse_from([
            "rtcompare",
            "cell",
            "--runner",
            "processes",
            "--workload",
            "cpu",
            "--threads",
            "2",
            "--preset",
            "tiny",
            "--warmup",
            "0",
            "--samples",
            "1",
            flag,
        ])
        .expect("the cell command accepts the worker flag");
        let Cmd::Cell(args) = cli.command else {
            unreachable!()
        };
        assert!(args.process_worker);
    }
}

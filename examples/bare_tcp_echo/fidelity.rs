//! `--vs-harness`: the bare server measured beside the harness's own cell processes,
//! pair by pair in one run, and the harness/bare ratios of throughput and of server
//! CPU per request, with a verdict against a 5% tolerance.
//!
//! The harness's figures are read from the JSON its cell prints, as the harness itself
//! derives them: throughput is the cell's `throughput_per_s` (the median over samples
//! of requests / the sample's wall time), server CPU per request the median over
//! samples of (`user_s` + `sys_s`) / `ops`, the cell process's own getrusage. The cell
//! retakes a sample that other processes disturbed; the bare program does not, so run
//! it on a quiet machine.

use super::{Args, Bench, Figures, Flavour, count, median};
use std::path::Path;
use std::process::{Command, Stdio};

/// How far the harness may stray from the bare program.
const TOLERANCE: f64 = 0.05;

/// The median of harness/bare ratios over the pairs, and their range.
struct Spread {
    median: f64,
    min: f64,
    max: f64,
}

impl Spread {
    fn of(ratios: &[f64]) -> Spread {
        Spread {
            median: median(ratios),
            min: ratios.iter().copied().fold(f64::INFINITY, f64::min),
            max: ratios.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        }
    }

    fn within(&self) -> bool {
        (self.median - 1.0).abs() <= TOLERANCE
    }
}

/// Runs the harness's own cell process for `runner` and reads its medians.
fn harness_cell(exe: &Path, runner: &str, threads: usize, runs: usize) -> Result<Figures, String> {
    let (threads, runs) = (threads.to_string(), runs.to_string());
    let mut args: Vec<&str> = "cell --workload tcp-echo --preset quick --warmup 1"
        .split(' ')
        .collect();
    args.extend([
        "--runner",
        runner,
        "--threads",
        &threads,
        "--samples",
        &runs,
    ]);
    let output = Command::new(exe)
        .args(&args)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .rfind(|l| !l.trim().is_empty())
        .ok_or_else(|| {
            format!(
                "`{} {}` printed nothing ({})",
                exe.display(),
                args.join(" "),
                output.status
            )
        })?;
    let report: serde_json::Value = serde_json::from_str(line)
        .map_err(|e| format!("the harness's cell printed a line that is not JSON ({e}): {line}"))?;
    let cell = &report["cell"];
    if cell["status"] != "ok" {
        return Err(format!(
            "the harness's {runner} cell ended {}: {}",
            cell["status"], cell["error"]
        ));
    }
    let field = |value: &serde_json::Value, name: &str| {
        value[name]
            .as_f64()
            .ok_or_else(|| format!("the harness's {runner} cell has no {name}"))
    };
    let mut cpu_us = Vec::new();
    for sample in cell["samples"].as_array().into_iter().flatten() {
        let cpu = field(sample, "user_s")? + field(sample, "sys_s")?;
        cpu_us.push(cpu * 1e6 / field(sample, "ops")?);
    }
    if cpu_us.is_empty() {
        return Err(format!("the harness's {runner} cell has no samples"));
    }
    Ok(Figures {
        throughput: field(cell, "throughput_per_s")?,
        cpu_us_per_request: median(&cpu_us),
        // The step's generator CPU over its wall time, all samples together.
        generator_cores: field(&cell["load"]["steps"][0], "generator_cores")?,
    })
}

/// The fidelity check for one runner: `pairs` bare measurements, each followed by the
/// harness's cell; prints the table and returns the (throughput, CPU) spreads.
fn fidelity(
    bench: &mut Bench,
    exe: &Path,
    (flavour, runner, threads): (Flavour, &str, usize),
    args: &Args,
) -> Result<(Spread, Spread), String> {
    println!(
        "\n{runner}, {}: {}, each {} of the bare {} and the harness's cell, in alternating order",
        count(threads, "thread"),
        count(args.pairs, "pair"),
        count(args.runs, "run"),
        flavour.name()
    );
    println!(
        "{:>4}  {:>11} {:>11} {:>6}   {:>11} {:>11} {:>6}   {:>15}",
        "", "requests/s", "", "", "CPU µs/req", "", "", "generator cores"
    );
    println!(
        "{:>4}  {:>11} {:>11} {:>6}   {:>11} {:>11} {:>6}   {:>15}",
        "pair", "bare", "harness", "ratio", "bare", "harness", "ratio", "bare / harness"
    );
    let (mut throughput, mut cpu) = (Vec::new(), Vec::new());
    for pair in 1..=args.pairs {
        // Alternate which goes first (A B, B A, ...), so a drift of the machine over
        // the pairs weighs on both sides alike.
        let (bare, harness) = if pair % 2 == 1 {
            let bare = Figures::of(&flavour.measure(bench, args.runs)?);
            (bare, harness_cell(exe, runner, threads, args.runs)?)
        } else {
            let harness = harness_cell(exe, runner, threads, args.runs)?;
            (Figures::of(&flavour.measure(bench, args.runs)?), harness)
        };
        throughput.push(harness.throughput / bare.throughput);
        cpu.push(harness.cpu_us_per_request / bare.cpu_us_per_request);
        println!(
            "{pair:>4}  {:>11.0} {:>11.0} {:>6.3}   {:>11.2} {:>11.2} {:>6.3}   {:>8.2} / {:.2}",
            bare.throughput,
            harness.throughput,
            throughput[pair - 1],
            bare.cpu_us_per_request,
            harness.cpu_us_per_request,
            cpu[pair - 1],
            bare.generator_cores,
            harness.generator_cores,
        );
    }
    let (throughput, cpu) = (Spread::of(&throughput), Spread::of(&cpu));
    for (what, s) in [("throughput", &throughput), ("server CPU/request", &cpu)] {
        println!(
            "median ratio harness/bare, {what}: {:.3} ({:.3}..{:.3})",
            s.median, s.min, s.max
        );
    }
    Ok((throughput, cpu))
}

/// The whole check: tokio-ct, then tokio-mt with `--workers` threads, then one verdict
/// over both. Errors only when a run cannot be made or read, never on the figures.
pub(crate) fn vs_harness(bench: &mut Bench, exe: &Path, args: &Args) -> Result<(), String> {
    println!(
        "harness/bare ratios: throughput below 1 and CPU per request above 1 are the \
         harness's cost; within {:.0}% means both medians within [{:.2}, {:.2}]",
        TOLERANCE * 100.0,
        1.0 - TOLERANCE,
        1.0 + TOLERANCE
    );
    let cells = [
        (Flavour::TokioCt, "tokio-ct", 1),
        (Flavour::TokioMt(args.workers), "tokio-mt", args.workers),
    ];
    let mut outside = Vec::new();
    for cell in cells {
        let (throughput, cpu) = fidelity(bench, exe, cell, args)?;
        for (what, s) in [("throughput", throughput), ("CPU/request", cpu)] {
            if !s.within() {
                outside.push(format!("{} {what} {:.3}", cell.1, s.median));
            }
        }
    }
    if outside.is_empty() {
        println!("\nverdict: within {:.0}%", TOLERANCE * 100.0);
    } else {
        println!(
            "\nverdict: NOT within {:.0}%: {}",
            TOLERANCE * 100.0,
            outside.join(", ")
        );
    }
    Ok(())
}

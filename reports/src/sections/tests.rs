//! The Markdown report's sections, rendered from fixtures.

use super::disclosures::*;
use super::shared::*;
use super::workloads::*;
use crate::markdown::render;

use crate::model::{Cell, Results, Sample, Status, Summary};
use crate::summary::BASELINE_RUNNER;
use crate::text::NONE;
use rtcompare_api::Family;

#[test]
fn parameters_in_one_line() {
    let params = serde_json::json!({
        "tasks": 8, "name": "x", "w": [1, 1, 1, 1, 1], "s": [1, 9, 2, 3, 4], "p": [1, 2]
    });
    assert_eq!(
        describe_params(&params),
        "name = x, p = [1,2], s = 5 values, 1–9, tasks = 8, w = 5 × 1"
    );
}

fn fixture() -> Results {
    serde_json::from_str(include_str!("../../tests/fixtures/results.json")).expect("fixture parses")
}

fn verdict_of<'r>(report: &'r str, workload: &str) -> &'r str {
    let start = format!("- **{workload}** (");
    report
        .lines()
        .find(|l| l.starts_with(&start))
        .unwrap_or_else(|| panic!("no verdict for {workload} in\n{report}"))
}

#[test]
fn partial_runs_carry_a_warning() {
    let mut results = fixture();
    assert!(!render(&results).contains("**Warning"));
    results.partial = true;
    assert!(render(&results).contains("**Warning: this run was interrupted"));
}

#[test]
fn verdict_without_seq_says_so() {
    let mut results = fixture();
    results
        .cells
        .retain(|c| !(c.runner == "seq" && c.workload == "cpu"));
    for c in &mut results.cells {
        if c.runner == "seq" && c.workload == "cpu-skewed" {
            c.status = Status::Failed;
            c.error = Some("boom".into());
        }
    }
    let report = render(&results);
    let cpu = verdict_of(&report, "cpu");
    assert!(
        cpu.contains("`seq` is missing, so speedups can't be computed"),
        "{cpu}"
    );
    // Five samples per cell: a lowest median, never a fastest runner.
    assert!(
        cpu.contains(
            "the lowest median was tokio-mt's (given 2 threads; 1.97 cores busy) at 204 ms \
             (5 samples: too few to rank)."
        ),
        "{cpu}"
    );
    assert!(!cpu.contains("fastest"), "{cpu}");
    let skewed = verdict_of(&report, "cpu-skewed");
    assert!(skewed.contains("`seq` failed"), "{skewed}");
    // The per-workload table shows no speedups, the failure is listed.
    assert!(report.contains("- **seq** (t1): failed — boom"));
}

#[test]
fn a_multithreaded_runner_at_one_thread_is_not_parallelism() {
    let mut results = fixture();
    let mut one = results
        .cells
        .iter()
        .find(|c| c.runner == "smol-mt" && c.workload == "sleep")
        .unwrap()
        .clone();
    one.threads = 1;
    for s in &mut one.samples {
        s.wall_s *= 0.9; // the fastest cell of all
    }
    results.cells.push(one);
    let report = render(&results);
    let sleep = verdict_of(&report, "sleep");
    assert!(!sleep.contains("1 thread,"), "{sleep}");
    let grid = report
        .lines()
        .find(|l| l.starts_with("| concurrent-parallel"))
        .unwrap();
    assert!(!grid.contains("(t1)"), "{grid}");
}

#[test]
fn io_verdict_compares_parallelism_with_concurrency() {
    let report = render(&fixture());
    let sleep = verdict_of(&report, "sleep");
    assert!(sleep.contains("concurrency alone (best single-threaded executor: smol-local)"));
    // The multithreaded leader kept under one core busy: no credit to parallelism.
    assert!(
        sleep.contains(
            "the best multithreaded runner (smol-mt, 2 threads) ran at 995× `seq` with 0.06 cores busy and was level \
             with smol-local (1.00×): not a gain from parallelism."
        ),
        "{sleep}"
    );
    assert!(
        sleep.contains("`seq` extrapolated from a subset"),
        "{sleep}"
    );
    assert!(
        sleep.contains(
            "The lowest median (smol-mt, 101 ms; 5 samples: too few to rank) was 1.3% over \
             the ideal of 100 ms"
        ),
        "{sleep}"
    );
    let skewed = verdict_of(&report, "cpu-skewed");
    assert!(
        skewed.contains("62% slower, because with fixed shares the thread holding"),
        "{skewed}"
    );
}

#[test]
fn a_small_static_split_gap_is_not_called_uneven_work() {
    let mut results = fixture();
    let dynamic = results
        .cells
        .iter()
        .find(|c| c.runner == "tokio-mt" && c.workload == "cpu")
        .unwrap()
        .clone();
    let median =
        crate::stats::median(&dynamic.samples.iter().map(|s| s.wall_s).collect::<Vec<_>>());
    for c in &mut results.cells {
        if c.family == Family::StaticSplit && c.workload == "cpu" {
            for s in &mut c.samples {
                s.wall_s = median * 1.05;
            }
        }
    }
    let report = render(&results);
    let cpu = verdict_of(&report, "cpu");
    assert!(cpu.contains("5.0% slower, a small gap"), "{cpu}");
    assert!(!cpu.contains("sit idle"), "{cpu}");
}

fn disclosures(report: &str) -> &str {
    &report[report.find("## Disclosures").expect("has disclosures")..]
}

#[test]
fn disclosures_only_for_runners_present() {
    let mut results = fixture();
    // The runner descriptions stay: a runner without cells is not disclosed.
    results
        .cells
        .retain(|c| !c.runner.starts_with("futures") && c.runner != "async-std");
    results
        .config
        .runners
        .retain(|r| !r.starts_with("futures") && r != "async-std");
    let report = render(&results);
    let disclosures = disclosures(&report);
    assert!(!disclosures.contains("futures"), "{disclosures}");
    assert!(!disclosures.contains("discontinued"), "{disclosures}");
    assert!(
        disclosures.contains(
            "- **tokio-mt** (concurrent-parallel, work-stealing). Built as \
             tokio::runtime::Builder::new_multi_thread().worker_threads(N).enable_all(). \
             Timer: tokio's time driver"
        ),
        "{disclosures}"
    );
    assert!(
        disclosures.contains("Threads: 2 workers; threads seen: tokio-runtime-w ×2, rtcompare ×1."),
        "{disclosures}"
    );
    assert!(
        disclosures.contains("(here **tokio-ct** and **smol-local**)."),
        "{disclosures}"
    );
}

#[test]
fn disclosures_follow_the_runner_descriptions() {
    let results = fixture();
    let report = render(&results);
    let disclosures = disclosures(&report);
    // One bullet per runner, in the order of `results.runners`.
    let bullets: Vec<&str> = disclosures
        .lines()
        .filter_map(|l| l.strip_prefix("- **")?.split("**").next())
        .collect();
    let ids: Vec<&str> = results.runners.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(bullets, ids);
    // Caveats are sub-bullets of their runner.
    let async_std = disclosures
        .split("\n- ")
        .find(|b| b.starts_with("**async-std**"))
        .unwrap();
    assert!(
        async_std.contains("\n  - discontinued upstream (1.13, 2025: \"use smol instead\")"),
        "{async_std}"
    );
    // Each thread knob in words, with the census.
    assert!(disclosures.contains(
        "**tokio-ct** (concurrent, single-queue). Built as \
         tokio::runtime::Builder::new_current_thread().enable_all()."
    ));
    assert!(
        disclosures
            .contains("Threads: 1 thread runs tasks; threads seen: async-io ×1, rtcompare ×1.")
    );
    assert!(disclosures.contains(
        "Threads: one OS thread per task (up to 1000 alive); compared at `--threads 2`; \
         threads seen: rtcompare ×1."
    ));
    // Text from the file cannot turn into markup.
    assert!(
        disclosures.contains("one Mutex\\<VecDeque> queue"),
        "{disclosures}"
    );
    // The harness facts are there.
    for fact in [ISOLATION, CPU_TIME, CHECKSUMS, CENSUS, THREAD_COUNTS] {
        assert!(disclosures.contains(fact), "{fact}");
    }
    assert!(
        disclosures.contains(
            "the calling thread (here **tokio-ct**, **smol-local** and **futures-local**)."
        )
    );
}

#[test]
fn disclosures_without_runner_descriptions_use_the_cells() {
    let mut results = fixture();
    results.runners.clear();
    let report = render(&results);
    let disclosures = disclosures(&report);
    assert!(!disclosures.contains("Built as"), "{disclosures}");
    assert!(!disclosures.contains("Timer:"), "{disclosures}");
    assert!(
        disclosures.contains(
            "- **tokio-mt** (concurrent-parallel, work-stealing). Threads: 2 threads; \
             threads seen: tokio-runtime-w ×2, rtcompare ×1.\n"
        ),
        "{disclosures}"
    );
    // Threads started within a sample are counted, not hidden.
    assert!(
        disclosures.contains(
            "- **threads** (concurrent-parallel, os-scheduler). Threads: 2 threads; \
             threads seen: rtcompare ×1, plus up to 1000 started and joined within a sample."
        ),
        "{disclosures}"
    );
    assert_eq!(
        disclosures.matches("\n- **").count(),
        results.config.runners.len()
    );
}

#[test]
fn renaming_runners_changes_nothing_but_their_names() {
    // The report may name no runner in code but the baseline: give every other
    // runner another id of the same length and the report must differ only there.
    // All fixtures: the schema-2 sections (latency, hogs, overhead, crashes) too, and
    // the verdict's attributions from the runner descriptions on a real run.
    // The one exception is the claims section, whose claims are about a few
    // runners by name (`claims::NAMED_RUNNERS`: "processes are isolated" is about
    // the runner `processes`, not about whatever has its class): renaming every
    // runner must change nothing outside that section, and renaming all but
    // those must change nothing at all, so the claims find every other runner
    // (the GIL, one thread per task, the async runners) by what the file says.
    for original in [fixture(), fixture_v2(), fixture_quick(), fixture_claims()] {
        let everything = |id: &str| id == BASELINE_RUNNER;
        renamed_report_matches(&original, &everything, &without_claims);
        let unnamed =
            |id: &str| id == BASELINE_RUNNER || crate::claims::NAMED_RUNNERS.contains(&id);
        renamed_report_matches(&original, &unnamed, &|report: &str| report.to_owned());
    }
}

/// `report` without its claims section.
fn without_claims(report: &str) -> String {
    let start = report.find("## Claims checked\n").expect("has claims");
    let end = report[start + 1..]
        .find("\n## ")
        .map_or(report.len(), |i| start + 2 + i);
    format!("{}{}", &report[..start], &report[end..])
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
    }
    let mut back = render(&renamed);
    let mut ids: Vec<&str> = original.config.runners.iter().map(String::as_str).collect();
    ids.sort_by_key(|id| std::cmp::Reverse(id.len()));
    for id in ids {
        back = back.replace(&rename(id), id);
    }
    assert_eq!(part(&back), part(&text));
}

#[test]
fn workload_header_uses_the_workload_description() {
    let mut results = fixture();
    let report = render(&results);
    assert!(report.contains(
        "### cpu\n\nCPU-bound — K equal chunks of a CPU kernel (dependent multiply-adds, \
         no syscalls); `quick` preset: 64 chunks, 4.16e8 kernel steps.\n"
    ));
    results.workloads.clear();
    let report = render(&results);
    assert!(
        report.contains(
            "### cpu\n\nCPU-bound; parameters: unit_steps = 6500000, weights = 64 × 1.\n"
        )
    );
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

#[test]
fn cells_that_do_not_apply_are_grouped_by_reason() {
    let cells = [
        na_cell("seq", 1, "runs 1 job at a time."),
        na_cell("thread-pool", 2, "needs 100 jobs at once; runs 2"),
        na_cell("rayon", 2, "needs 100 jobs at once; runs 2"),
        na_cell("threads-static", 2, "needs 100 jobs at once; runs 2"),
        // The same runner at another thread count with the same reason: once.
        na_cell("rayon", 4, "needs 100 jobs at once; runs 2"),
    ];
    let refs: Vec<&Cell> = cells.iter().collect();
    assert_eq!(
        not_applicable_line(&refs),
        "Not applicable: `seq` (runs 1 job at a time); `thread-pool`, `rayon` and \
         `threads-static` (needs 100 jobs at once; runs 2)."
    );
    // A runner with two reasons is named with its thread count in each group;
    // text from the file cannot become markup.
    let cells = [
        na_cell("rayon", 1, "needs 2 <threads>"),
        na_cell("rayon", 2, "needs `more`"),
    ];
    let refs: Vec<&Cell> = cells.iter().collect();
    assert_eq!(
        not_applicable_line(&refs),
        "Not applicable: `rayon` at 1 thread (needs 2 \\<threads>); `rayon` at 2 threads \
         (needs \\`more\\`)."
    );
    // Cells that apply are not listed; with none left out, no line.
    let ok = fixture();
    let refs: Vec<&Cell> = ok.cells.iter().collect();
    assert_eq!(not_applicable_line(&refs), "");
}

#[test]
fn cells_that_do_not_apply_are_neither_failures_nor_compared() {
    let report = render(&fixture_v2());
    // Not a failure anywhere.
    assert!(!report.contains("failed — seq spawns nothing"));
    assert!(!report.contains("): n/a"));
    // A workload whose `seq` does not apply has no speedups and says why.
    let inline = verdict_of(&report, "mixed-inline");
    assert!(
        inline.contains("`seq` does not apply, so speedups can't be computed"),
        "{inline}"
    );
    // fork-join: the static split does not apply, so no static-split sentence.
    let fork = verdict_of(&report, "fork-join");
    assert!(!fork.contains("Static split"), "{fork}");
    // The grid leaves out workloads without a speedup.
    let grid = report.lines().find(|l| l.starts_with("| Class ")).unwrap();
    assert!(
        grid.contains("fork-join") && !grid.contains("spawn"),
        "{grid}"
    );
    assert!(report.contains(
        "Not in the grid, having no finished, undisturbed `seq` cell to take speedups \
         from: `spawn`, \
         `channels`, `mixed-inline`, `mixed-yield` and `mixed-offload`."
    ));
    assert!(report.contains(
        "Not in the grid, sending on a fixed schedule that sets the wall time, so a speedup \
         means nothing: `tcp-echo-open`."
    ));
    // The overhead verdicts.
    let spawn = verdict_of(&report, "spawn");
    assert!(spawn.starts_with("- **spawn** (runtime overhead): Spawn+await: from 151"));
}

#[test]
fn declared_measures_latencies_and_notes_in_the_workload_table() {
    let report = render(&fixture_v2());
    let section = |from: &str, to: &str| -> &str {
        &report[report.find(from).unwrap()..report.find(to).unwrap()]
    };
    let spawn = section("### spawn", "### channels");
    assert!(
        spawn.contains("| Spawn+await [ns/task] | Memory per task |"),
        "{spawn}"
    );
    assert!(
        spawn.contains("|                14,480 |        12.4 KiB |"),
        "{spawn}"
    );
    assert!(spawn.contains("| threads ¹ "), "{spawn}");
    assert!(
        spawn.contains("¹ threads: tasks capped from 100,000 to 10,000: one OS thread per task")
    );
    // No `seq`: no speedup or efficiency columns.
    assert!(!spawn.contains("Speedup"), "{spawn}");
    let echo = section("### tcp-echo\n", "### tcp-echo-1");
    assert!(
        echo.contains("| p50 [µs] | p99 [µs] | p99.9 [µs] | max [µs] | Throughput [req/s] |"),
        "{echo}"
    );
    assert!(echo.contains("¹ thread-pool, rayon and threads-static: connections capped"));
    let inline = section("### mixed-inline", "### mixed-yield");
    assert!(
        inline.contains("| p50 [ms] | p99 [ms] | p99.9 [ms] | max [ms] | round-trip p99 [ms] |"),
        "{inline}"
    );
    assert!(inline.contains("*round-trip* p99 is the workload's further latency"));
    let channels = section("### channels", "### fork-join");
    assert!(channels.contains("Throughput [ops/s]"), "{channels}");
}

#[test]
fn parts_table_only_when_the_file_names_the_parts() {
    let report = render(&fixture_v2());
    let disclosures = disclosures(&report);
    assert!(disclosures.contains("| Runner         | Timer and reactor "));
    assert!(
        disclosures.contains("| tokio::sync::mpsc "),
        "{disclosures}"
    );
    // The configuration table then leaves the timer to the parts table.
    let config = &disclosures[disclosures.find("Configuration as run").unwrap()..];
    let header = config.lines().find(|l| l.starts_with("| Runner")).unwrap();
    assert!(!header.contains("Timer"), "{header}");
    // A column no runner fills is left out.
    let mut results = fixture_v2();
    for r in &mut results.runners {
        r.offload.clear();
    }
    let report = render(&results);
    let parts = &report[report.find("Parts each runner uses").unwrap()..];
    let header = parts.lines().find(|l| l.starts_with("| Runner")).unwrap();
    assert!(
        header.contains("Channel") && !header.contains("Offload"),
        "{header}"
    );
}

#[test]
fn efficiency_is_shown_for_cpu_bound_work_only() {
    let report = render(&fixture());
    let sleep = &report[report.find("### sleep").unwrap()..report.find("## Disclosures").unwrap()];
    let efficiency = |table: &str| -> Vec<String> {
        table
            .lines()
            .filter(|l| l.starts_with("| ") && !l.starts_with("| Runner") && !l.starts_with("| -"))
            .map(|l| l.split('|').nth(9).unwrap().trim().to_string())
            .collect()
    };
    let column = efficiency(sleep);
    assert_eq!(column.len(), 12);
    assert!(column.iter().all(|e| e == NONE), "{column:?}");
    assert!(sleep.contains(&format!("{WAITING_NOTE} {EFFICIENCY_NOTE}")));
    // Without a speedup column, the efficiency sentence has nothing to explain.
    let v2 = render(&fixture_v2());
    let open = &v2[v2.find("### tcp-echo-open").unwrap()..v2.find("### spawn").unwrap()];
    assert!(open.contains(WAITING_NOTE) && !open.contains(EFFICIENCY_NOTE));
    assert!(!verdict_of(&report, "sleep").contains("efficiency"));
    let cpu = &report[report.find("### cpu\n").unwrap()..report.find("### cpu-skewed").unwrap()];
    assert!(efficiency(cpu).iter().any(|e| e == "98%"));
    assert!(!cpu.contains(WAITING_NOTE));
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

#[test]
fn a_ratio_below_one_is_worded_as_a_slowdown() {
    let seq = summary_at(1.0);
    let slower = Versus::of(&summary_at(1.0 / 0.75), &seq);
    assert_eq!(slower.change, Change::Slower);
    assert_eq!(
        slower.against_seq(true),
        "ran at 0.75× `seq`'s speed, taking 1.33× as long"
    );
    assert_eq!(slower.against("x"), "ran at 0.75× x's speed");
    assert_eq!(slower.in_all(), "0.75× `seq`'s speed in all");
    let faster = Versus::of(&summary_at(0.5), &seq);
    assert_eq!(faster.against_seq(true), "bought 2.00× over `seq`");
    assert_eq!(faster.against_seq(false), "ran at 2.00× `seq`");
    assert_eq!(faster.against("x"), "ran 2.00× as fast as x");

    // On the real run, every kind: no ratio below 1 is called bought or a gain.
    let report = render(&fixture_quick());
    let verdict = &report[report.find("## Verdict").unwrap()..report.find("## Latency").unwrap()];
    for word in ["bought 0.", "further 0.", "0.75× over", "0.66× over"] {
        assert!(!verdict.contains(word), "{word} in {verdict}");
    }
    assert!(
        verdict_of(&report, "tcp-echo").contains(
            "concurrency alone (best single-threaded executor: tokio-ct) ran at 0.75× \
             `seq`'s speed, taking 1.33× as long;"
        ),
        "{verdict}"
    );
    assert!(
        verdict_of(&report, "tcp-echo-1").contains("ran at 0.66× `seq`'s speed, taking 1.52×"),
        "{verdict}"
    );
}

#[test]
fn a_difference_within_the_band_is_nothing_measurable() {
    let base = summary_at(1.0);
    // 0.4% slower, outside each other's interval: still level.
    let level = Versus::of(&summary_at(1.0 / 0.996), &base);
    assert_eq!(level.change, Change::Level);
    assert_eq!(level.level(), "0.996×");
    assert_eq!(level.against_seq(true), "was level with `seq` (0.996×)");
    // Just beyond the band either way.
    assert_eq!(
        Versus::of(&summary_at(1.0 / 0.96), &base).change,
        Change::Slower
    );
    assert_eq!(
        Versus::of(&summary_at(1.0 / 1.04), &base).change,
        Change::Faster
    );
    // Overlapping intervals are level however far apart the medians are.
    let mut wide = summary_at(1.0 / 1.2);
    wide.interval_wall_s = [0.5, 1.5];
    let noisy = Versus::of(&wide, &base);
    assert_eq!(noisy.change, Change::Level);
    assert_eq!(noisy.level(), "1.20×, within noise");

    // On the real run: smol-mt 0.996× smol-local on sleep.
    let report = render(&fixture_quick());
    let sleep = verdict_of(&report, "sleep");
    assert!(
        sleep.contains("was level with smol-local (0.996×)"),
        "{sleep}"
    );
    assert!(!sleep.contains("slower"), "{sleep}");
    let cpu = verdict_of(&report, "cpu");
    assert!(cpu.contains("was level with `seq` (0.978×)"), "{cpu}");

    // A multithreaded leader that was parallel: level, then slower, than
    // concurrency alone.
    let mut results = fixture();
    let others: Vec<String> = results
        .cells
        .iter()
        .filter(|c| c.workload == "sleep" && c.runner != "smol-mt")
        .filter(|c| multithreaded_class(c.class))
        .map(|c| c.runner.clone())
        .collect();
    for runner in &others {
        reshape(&mut results, runner, "sleep", 1.5, 1.5);
    }
    reshape(&mut results, "smol-mt", "sleep", 1.0, 1.5);
    let sleep = render(&results);
    let sleep = verdict_of(&sleep, "sleep");
    assert!(
        sleep.contains(
            "adding parallelism (best multithreaded runner: smol-mt, 2 threads) added \
             nothing measurable (1.00×) with 1.50 cores busy, 995× over `seq` in all. (`seq` \
             extrapolated"
        ),
        "{sleep}"
    );
    reshape(&mut results, "smol-mt", "sleep", 1.0 / 0.9, 1.5);
    let report = render(&results);
    let sleep = verdict_of(&report, "sleep");
    assert!(
        sleep.contains("made it slower (0.90×) with 1.50 cores busy"),
        "{sleep}"
    );
}

#[test]
fn parallelism_is_credited_only_with_more_than_one_core_busy() {
    let results = fixture_quick();
    let report = render(&results);
    // One connection: one thread works, and blocking I/O is the lead.
    let single = verdict_of(&report, "tcp-echo-1");
    assert!(
        single.contains(
            "the best multithreaded runner (threads-static, 2 threads) was level with `seq` \
             (0.976×) with 1.00 cores busy and ran 1.48× as fast as tokio-ct: not a gain \
             from parallelism; like `seq` it blocks on its sockets with no reactor, which is \
             where its lead over tokio-ct comes from."
        ),
        "{single}"
    );
    assert!(!single.contains("adding parallelism"), "{single}");
    // 50 connections on 2 cores: parallelism's gain is measured against `seq`,
    // which blocks on its sockets too; the reactor runners are compared apart.
    let loaded = verdict_of(&report, "tcp-echo");
    assert!(
        loaded.contains(
            "parallelism (best multithreaded runner: threads-static, 2 threads) bought 1.91× over `seq` with 1.96 cores busy, \
             blocking on its sockets with no reactor as `seq` does, so of its 2.53× over \
             tokio-ct, 1.33× is blocking I/O's lead (`seq` over it), not parallelism; on a \
             reactor, the best multithreaded runner (tokio-mt, 2 threads) was level with \
             tokio-ct (1.02×) with 1.78 cores busy."
        ),
        "{loaded}"
    );
    assert!(!loaded.contains("further 2.53×"), "{loaded}");
    // CPU-bound work keeps its sentence.
    assert!(verdict_of(&report, "cpu").contains(
        "parallelism (best multithreaded runner: threads-static, 2 threads) at 1.99× \
         (efficiency 100%)"
    ));
    // The grid marks the multithreaded cells that were not parallel.
    let row = |report: &str, class: &str| -> String {
        report
            .lines()
            .find(|l| l.starts_with(&format!("| {class} ")))
            .unwrap()
            .to_owned()
    };
    let grid = row(&report, "concurrent-parallel");
    assert!(grid.contains("threads-static (t2) 0.98× ‡"), "{grid}");
    assert!(grid.contains("threads-static (t2) 1.91× |"), "{grid}");
    assert!(report.contains(
        "‡ At most 1.20 cores busy (here 0.00–1.00): that speedup is not a gain from \
         parallelism."
    ));

    // The same leader with two cores busy is credited.
    let mut busy = results.clone();
    reshape(&mut busy, "threads-static", "tcp-echo-1", 1.0, 1.9);
    let report = render(&busy);
    let single = verdict_of(&report, "tcp-echo-1");
    assert!(!single.contains("not a gain from parallelism"), "{single}");
    assert!(
        single.contains("parallelism (best multithreaded runner: threads-static, 2 threads)"),
        "{single}"
    );
    assert!(!row(&report, "concurrent-parallel").contains("0.98× ‡"));

    // Without the runners' socket descriptions, no cause is claimed.
    let mut unknown = results;
    for r in &mut unknown.runners {
        r.net.clear();
    }
    let report = render(&unknown);
    let single = verdict_of(&report, "tcp-echo-1");
    assert!(single.contains("not a gain from parallelism."), "{single}");
    assert!(!single.contains("blocks"), "{single}");
    assert!(!verdict_of(&report, "tcp-echo").contains("blocking"));
}

#[test]
fn open_loop_wall_time_is_the_schedule() {
    let results = fixture_quick();
    let report = render(&results);
    let open = verdict_of(&report, "tcp-echo-open");
    assert_eq!(
        open,
        "- **tcp-echo-open** (I/O-bound): sends on a fixed schedule (20,000 req/s), so the \
         schedule sets its wall time (100–106 ms on every runner that finished) and speedups \
         mean nothing: compare latencies (see *Latency: unloaded, loaded and open loop*). \
         seq, thread-pool, threads-static and rayon block on one connection per thread, 1–2 \
         of the 50 at a time, so the requests of the connections waiting their turn go out \
         late: open-loop p50 48.6–50.8 ms against 78.4 µs to 1.16 ms for the other runners."
    );
    // Not in the grid.
    let header = report.lines().find(|l| l.starts_with("| Class ")).unwrap();
    assert!(!header.contains("tcp-echo-open"), "{header}");
    assert!(header.contains("tcp-echo-1"), "{header}");
    // A closed loop is not an open loop.
    assert!(!verdict_of(&report, "tcp-echo").contains("schedule"));

    // Without a rate in the parameters, the description says open loop; a
    // runner on a reactor that falls behind is named without a cause.
    let mut described = results;
    for c in &mut described.cells {
        if let Some(params) = c.params.as_object_mut() {
            params.remove(OPEN_LOOP_RATE);
        }
        if c.workload == "tcp-echo-open" && c.runner == "tokio-ct" {
            c.latency_us.as_mut().unwrap().p50 = 60_000.0;
        }
    }
    let report = render(&described);
    let open = verdict_of(&report, "tcp-echo-open");
    assert!(
        open.contains("sends on a fixed schedule, so the schedule sets its wall time"),
        "{open}"
    );
    assert!(
        open.contains(
            "seq, tokio-ct, thread-pool, threads-static and rayon fell behind the schedule: \
             open-loop p50 48.6–60.0 ms against 78.4 µs to 1.15 ms for the other runners."
        ),
        "{open}"
    );
    // With nothing but the description, no open loop is assumed.
    let mut plain = described.clone();
    for w in &mut plain.workloads {
        w.summary = "C connections over loopback TCP".into();
    }
    let report = render(&plain);
    assert!(!verdict_of(&report, "tcp-echo-open").contains("schedule"));
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

#[test]
fn three_sample_cells_claim_no_95_percent_no_fastest_and_no_tie() {
    let mut results = fixture();
    for cell in &mut results.cells {
        cell.samples.truncate(3);
    }
    let report = without_claims(&render(&results));
    for word in ["95%", "tied", "fastest"] {
        assert!(!report.contains(word), "{word} in:\n{report}");
    }
    let cpu = table_of(&report, "cpu");
    assert!(
        cpu.contains("Median interval: range of 3 samples (75%) in every row."),
        "{cpu}"
    );
    assert!(cpu.contains("1.00 (lowest median)"), "{cpu}");
    assert!(cpu.contains("(3 samples: too few to rank)"), "{cpu}");
}

#[test]
fn tight_samples_support_fastest_and_a_95_percent_label() {
    let results = with_samples(fixture(), "cpu", 12);
    let report = render(&results);
    let cpu = table_of(&report, "cpu");
    assert!(
        cpu.contains("95% CI (order statistics, n = 12, 96.1%) in every row"),
        "{cpu}"
    );
    // tokio-mt and rayon share a 204 ms median: tied, on 12 samples each.
    assert!(cpu.contains("1.00 (tied)"), "{cpu}");
    let verdict = verdict_of(&report, "cpu");
    assert!(verdict.contains("statistically tied with"), "{verdict}");
    // The same run with the fastest runner alone in front is called fastest.
    let mut alone = with_samples(fixture(), "cpu", 12);
    for c in alone.cells.iter_mut().filter(|c| c.workload == "cpu") {
        if c.runner == "tokio-mt" {
            c.samples.iter_mut().for_each(|s| s.wall_s *= 0.9);
        }
    }
    let cpu = table_of(&render(&alone), "cpu").to_owned();
    assert!(cpu.contains("| 1.00 (fastest) |"), "{cpu}");
}

/// Marks `runner`'s `workload` cell disturbed, with a foreign load.
fn disturb(results: &mut Results, runner: &str, workload: &str) {
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

#[test]
fn a_disturbed_cell_is_shown_but_never_the_best() {
    let mut results = with_samples(fixture(), "cpu", 12);
    for c in results.cells.iter_mut().filter(|c| c.workload == "cpu") {
        if c.runner == "tokio-mt" {
            // It would be the fastest by far...
            c.samples.iter_mut().for_each(|s| s.wall_s *= 0.5);
        }
    }
    // ...but other load disturbed it.
    disturb(&mut results, "tokio-mt", "cpu");
    let report = render(&results);
    let verdict = verdict_of(&report, "cpu");
    assert!(!verdict.contains("tokio-mt"), "{verdict}");
    assert!(
        verdict.contains("best multithreaded runner: rayon"),
        "{verdict}"
    );
    assert!(report.contains(
        "1 cell was disturbed by other load on the machine even after re-takes and is left \
         out of the verdicts"
    ));
    let cpu = table_of(&report, "cpu");
    let row = cpu.lines().find(|l| l.starts_with("| tokio-mt §")).unwrap();
    assert!(row.ends_with(" disturbed |"), "{row}");
    assert!(
        cpu.contains(
            "§ Disturbed by other load on the machine even after re-takes, so shown but left \
             out of every verdict, ranking and finding: tokio-mt at 2 threads (foreign load \
             up to 0.85 cores; 2 of 12 samples disturbed after 4 re-takes)."
        ),
        "{cpu}"
    );
    // rayon leads the ranking; tokio-mt sits below the judged cells.
    assert!(cpu.contains("1.00 (fastest)") || cpu.contains("1.00 (tied)"));
    let grid = report
        .lines()
        .find(|l| l.starts_with("| concurrent-parallel"))
        .unwrap();
    assert!(!grid.contains("tokio-mt (t2) 3.9"), "{grid}");
}

#[test]
fn oversubscription_is_its_own_fact_not_lost_efficiency() {
    let mut results = fixture();
    for c in results.cells.iter_mut().filter(|c| c.workload == "cpu") {
        if c.runner == "tokio-mt" {
            c.threads = 4;
        }
    }
    let report = render(&results);
    let cpu = table_of(&report, "cpu");
    let row = cpu.lines().find(|l| l.starts_with("| tokio-mt ")).unwrap();
    // 1.97× on 2 cores is 98% of the ideal, whatever the 4 threads.
    assert!(row.contains("|      4↑ |"), "{row}");
    assert!(row.contains("|        98% |"), "{row}");
    assert!(
        cpu.contains("↑ Oversubscribed: 4 threads on 2 cores. Efficiency is measured against"),
        "{cpu}"
    );
    let verdict = verdict_of(&report, "cpu");
    assert!(
        verdict.contains(
            "at 1.97× (efficiency 98% of the 2 cores; 4 threads on 2 cores (oversubscribed))"
        ),
        "{verdict}"
    );
}

#[test]
fn the_header_summarises_sampling_and_interference() {
    let mut results = fixture();
    results.config.sampling = Some(crate::model::SamplingConfig {
        min_samples: 6,
        max_samples: 40,
        samples_per_process: 3,
        min_processes: 2,
        precision_cpu: 0.02,
        precision_other: 0.05,
        budget_s: Some(900.0),
        interference_threshold_cores: 0.1,
        max_retakes: 3,
    });
    results.preflight = Some(crate::model::Preflight {
        load_average: [0.52, 0.4, 0.33],
        foreign_cores: 0.12,
        window_s: 1.0,
        busiest: vec![crate::model::BusyProcess {
            pid: 42,
            name: "cc1".into(),
            cores: 0.9,
        }],
    });
    for (i, c) in results.cells.iter_mut().enumerate() {
        c.sampling = Some(crate::model::Sampling {
            processes: 2,
            stop: if i % 4 == 0 {
                crate::model::StopReason::Budget
            } else {
                crate::model::StopReason::Precision
            },
            target: 0.02,
            half_width: Some(0.01 + 0.001 * i as f64),
            budget_s: Some(20.0),
            spent_s: 10.0,
        });
        c.interference = Some(crate::model::Interference::default());
    }
    disturb(&mut results, "rayon", "cpu");
    let report = render(&results);
    let header = &report[..report.find("## Verdict").unwrap()];
    assert!(
        header.contains(
            "- **Sampling:** 6–40 samples per cell, 3 per process from at least 2 processes; \
             precision target ±2% of the median for CPU-bound cells, ±5% for the others; \
             time budget 15 min; a sample is disturbed above 0.10 cores of foreign load, \
             re-taken up to 3 times per cell process; cells stopped on precision"
        ),
        "{header}"
    );
    assert!(header.contains("CPU-bound cells reached ±"), "{header}");
    assert!(
        header.contains(
            "- **Interference:** before the run, load average 0.52, 0.40, 0.33 and 0.12 \
             cores of foreign load over 1.00 s (busiest: cc1 (0.90 cores)); during the run, 4 \
             samples re-taken in 1 of"
        ),
        "{header}"
    );
    assert!(
        header.contains("1 cell stayed disturbed and is left out of the verdicts (`rayon/cpu/t2`)"),
        "{header}"
    );
    // The per-workload table says why each cell stopped.
    assert!(table_of(&report, "cpu").contains(", precision |"));
    // Older files record none of it, and say nothing of it.
    let old = render(&fixture_v2());
    let header = &old[..old.find("## Verdict").unwrap()];
    assert!(!header.contains("Sampling") && !header.contains("Interference"));
}

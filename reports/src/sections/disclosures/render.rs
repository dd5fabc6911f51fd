//! The disclosures' Markdown, written from a [`DisclosuresFinding`] alone: the
//! harness facts' fixed sentences, the configuration and parts tables with the
//! I/O drivers the runtimes ran on, the caveats several runners share (said
//! once), and one bullet per runner.

use super::*;
use crate::format::duration_us;
use crate::sections::header::{environment, features};
use crate::table::{Align, Table};
use crate::text::{NONE, escape_inline, join_and, plural, sentence};
use std::fmt::Write as _;

/// The isolation and timing facts of every cell.
pub(in crate::sections) const ISOLATION: &str = "Each cell runs in its own child process. Runtimes and thread pools are \
    built, and their threads started, before the clock starts. A runner with one OS thread per \
    task creates its threads inside the timed region, as that cost is part of what it shows.";
/// How the root task reaches an async runtime; the single-threaded runners present
/// and a full stop follow.
pub(in crate::sections) const ROOT_TASK: &str = "On async runtimes each sample's root task is spawned inside the runtime \
    and the calling thread only waits for it. The single-threaded runtimes are the exception: \
    their one thread is the calling thread";
/// How a thread-per-core runner places the work, after its runners.
pub(in crate::sections) const THREAD_PER_CORE: &str = "each thread runs its own \
    single-threaded runtime and nothing is shared. Each sample's work is split into one share \
    per core before the clock starts, and each share's root task runs on its own core's runtime. \
    No task moves to another core afterwards (no work stealing), so a core that finishes its \
    share early sits idle. A workload with no per-core share is n/a on them.";
/// Before the I/O drivers the runners' cells recorded.
pub(in crate::sections) const IO_DRIVERS: &str = "The I/O driver each runner's runtimes ran on, as \
    its cells recorded it from the runtime";
/// Why no runtime default thread count is involved.
pub(in crate::sections) const THREAD_COUNTS: &str = "Worker counts are set explicitly from `--threads`, never left to a \
    runtime's default (defaults differ: one thread for some executors, one per logical core for \
    others).";
/// What CPU time and CPU utilisation include.
pub(in crate::sections) const CPU_TIME: &str = "CPU time comes from `getrusage(RUSAGE_SELF)`, which counts every thread \
    of the process, helper threads (timer and I/O drivers, blocking pools) included; CPU util. is \
    CPU time over wall time, in cores.";
/// Answer verification.
pub(in crate::sections) const CHECKSUMS: &str = "Every sample's checksum, warm-up included, is verified against the one \
    the workload's parameters imply; a cell with a wrong answer is reported as failed, not timed.";
/// How to read the thread census.
pub(in crate::sections) const CENSUS: &str = "*Threads seen* are the threads alive in the cell's process after its last \
    sample, with the runtime still up. They are grouped by the name the OS reports (trailing \
    digits dropped, names cut at 15 characters), each with the most seen in any one cell. The OS \
    threads column also counts threads started and joined within a sample.";

/// The external load generator, before its thread count.
pub(in crate::sections) const GENERATOR: &str = "On the network workloads every runner is a server \
    under test. One external load generator drives it: a process of its own, the same for every \
    runner, running a mio event loop paced by timerfd";
/// What the generator measures, and whose CPU time a network cell's is.
pub(in crate::sections) const GENERATOR_MEASURES: &str = "It times each request from its intended \
    send time and verifies every echoed byte. A network cell's CPU time is the server's alone; \
    the generator's is reported beside it.";

/// Writes `disclosures` as the report's section.
pub(super) fn render(disclosures: &DisclosuresFinding, out: &mut String) {
    out.push_str("## Disclosures\n\n");
    if disclosures.runners.is_empty() {
        out.push_str("No cells were recorded.\n");
        return;
    }
    out.push_str("How every cell was measured:\n\n");
    for fact in &disclosures.facts {
        writeln!(out, "- {}", fact_sentence(fact)).expect("write to String");
    }
    knobs_table(disclosures, out);
    let shared = shared_caveats(&disclosures.runners);
    if !shared.is_empty() {
        out.push_str("Caveats that bear on several runners' numbers:\n\n");
        for (caveat, runners) in &shared {
            let about: Vec<&RunnerDisclosure> = disclosures
                .runners
                .iter()
                .filter(|r| runners.contains(&r.runner))
                .collect();
            writeln!(
                out,
                "- **{}:** {}{}",
                join_and(runners),
                sentence(caveat),
                measured_timer(caveat, &about)
            )
            .expect("write to String");
        }
        out.push('\n');
    }
    out.push_str(
        "Each runner as the run described it, with the threads it ran with and the caveats \
         that bear on its numbers alone:\n\n",
    );
    for runner in &disclosures.runners {
        disclose(runner, &shared, out);
    }
}

/// The caveats more than one runner gives, each with those runners, in the
/// order they first appear: said once rather than under every runner.
fn shared_caveats(runners: &[RunnerDisclosure]) -> Vec<(String, Vec<String>)> {
    let mut all: Vec<(String, Vec<String>)> = Vec::new();
    for runner in runners {
        for caveat in runner.description.iter().flat_map(|d| &d.caveats) {
            match all.iter_mut().find(|(c, _)| c == caveat) {
                Some((_, names)) => names.push(runner.runner.clone()),
                None => all.push((caveat.clone(), vec![runner.runner.clone()])),
            }
        }
    }
    all.retain(|(_, names)| names.len() > 1);
    all
}

/// The sentence that states `fact`.
fn fact_sentence(fact: &HarnessFact) -> String {
    match fact {
        HarnessFact::Isolation => ISOLATION.into(),
        HarnessFact::RootTask { single_threaded } => {
            let which = if single_threaded.is_empty() {
                String::new()
            } else {
                let names: Vec<String> =
                    single_threaded.iter().map(|r| format!("**{r}**")).collect();
                format!(" (here {})", join_and(&names))
            };
            format!("{ROOT_TASK}{which}.")
        }
        HarnessFact::ThreadPerCore { runners } => {
            let names: Vec<String> = runners.iter().map(|r| format!("**{r}**")).collect();
            format!(
                "On the {} runners (here {}) {THREAD_PER_CORE}",
                crate::terms::link(crate::terms::Term::ThreadPerCore),
                join_and(&names)
            )
        }
        HarnessFact::ThreadCounts => THREAD_COUNTS.into(),
        HarnessFact::CpuTime => CPU_TIME.into(),
        HarnessFact::Checksums => CHECKSUMS.into(),
        HarnessFact::Census => CENSUS.into(),
        HarnessFact::LoadGenerator(g) => generator_sentences(g),
        HarnessFact::InCellClients { cells } => format!(
            "{} predate the external load generator (results schema 4 or older): their clients \
             ran inside the cell, on the runner under test, and blocking runners played client \
             and server in lockstep. They are marked {} wherever shown and ranked with nothing \
             the generator measured.",
            plural(*cells, "network cell", "network cells"),
            crate::network::IN_CELL_CLIENTS
        ),
        HarnessFact::Interpreted(i) => interpreted_sentences(i),
        HarnessFact::Added { crates } => crates
            .iter()
            .map(added_sentence)
            .collect::<Vec<_>>()
            .join(" "),
    }
}

/// What one outside crate added, and how far rtcompare vouches for it:
/// ``The runner **mini** and the workload **yield-chain** are not rtcompare's:
/// crate `custom-runtime` 0.1.0 added them…``.
fn added_sentence(added: &AddedBy) -> String {
    let bold = |ids: &[String]| -> Vec<String> { ids.iter().map(|i| format!("**{i}**")).collect() };
    let mut parts = Vec::new();
    if !added.runners.is_empty() {
        let which = if added.runners.len() == 1 {
            "runner"
        } else {
            "runners"
        };
        parts.push(format!("the {which} {}", join_and(&bold(&added.runners))));
    }
    if !added.workloads.is_empty() {
        let which = if added.workloads.len() == 1 {
            "workload"
        } else {
            "workloads"
        };
        parts.push(format!("the {which} {}", join_and(&bold(&added.workloads))));
    }
    let count = added.runners.len() + added.workloads.len();
    let (are, them) = if count == 1 {
        ("is", "it")
    } else {
        ("are", "them")
    };
    let what = join_and(&parts);
    let mut what = what.chars();
    let first = what
        .next()
        .map(|c| c.to_uppercase().to_string())
        .unwrap_or_default();
    format!(
        "{first}{} {are} not rtcompare's: crate `{}` {} added {them} to the binary that \
         ran this report's cells. The harness measured and verified {them} as its own, but \
         their code and their description are that crate's.",
        what.as_str(),
        escape_inline(&added.crate_name),
        escape_inline(&added.version),
    )
}

/// The runners that run in an interpreter: what they are compared with, the
/// interpreters found and run in, and the kernel steps their cells ran.
fn interpreted_sentences(i: &Interpreted) -> String {
    let names: Vec<String> = i.runners.iter().map(|r| format!("**{r}**")).collect();
    let baselines: Vec<String> = i.baselines.iter().map(|b| format!("`{b}`")).collect();
    let mut text = format!(
        "{} run the workloads in an interpreter, at their own size. Their speedups are \
         against {} alone: no section ranks them with a Rust runner, and only their speedups \
         stand beside the emulation's.",
        join_and(&names),
        join_and(&baselines)
    );
    let found = if i.found.is_empty() {
        "The run found no interpreter".to_owned()
    } else {
        format!(
            "The run found {}",
            crate::sections::header::interpreters(&i.found)
        )
    };
    let free = if i.free_threaded {
        "A free-threaded interpreter (its GIL disabled) was found or ran"
    } else {
        "No free-threaded interpreter (one with its GIL disabled) was found"
    };
    write!(text, " {found}. {free}.").expect("write to String");
    if !i.ran_in.is_empty() {
        write!(
            text,
            " Their cells ran in {}.",
            crate::sections::cpython::ran_in_words(&i.ran_in)
        )
        .expect("write to String");
    }
    for w in &i.steps {
        write!(
            text,
            " On `{}` they ran {} kernel steps per unit of work, where `seq` ran {}, as their \
             params record.",
            w.workload,
            crate::format::thousands(w.steps.unit_steps),
            crate::format::thousands(w.steps.seq_unit_steps),
        )
        .expect("write to String");
    }
    text
}

/// Where the generator ran and what it measures, in sentences.
fn generator_sentences(g: &GeneratorPlacement) -> String {
    let threads: Vec<String> = g.threads.iter().map(ToString::to_string).collect();
    let unit = if g.threads == [1] {
        "thread"
    } else {
        "threads"
    };
    let placed = match g.pinned.as_slice() {
        [true] => "`--pin` placed it and the server on separate CPUs",
        [false] => "Not pinned: the scheduler placed it and the server",
        _ => "Some cells were pinned with `--pin`, others not",
    };
    let mut text = format!(
        "{GENERATOR} on {} {unit}. {placed}; it ran on {}, the server on {}. \
         {GENERATOR_MEASURES}",
        join_and(&threads),
        cpus(&g.generator_cpus),
        cpus(&g.server_cpus),
    );
    if g.serving_in_parts {
        text.push_str(" How each runner serves its connections is its *TCP* part below.");
    }
    text
}

/// `CPUs 0–3`, `CPUs 0 and 2`, `CPU 1`, `no recorded CPU`.
fn cpus(list: &[u32]) -> String {
    let mut runs: Vec<String> = Vec::new();
    let mut i = 0;
    while i < list.len() {
        let mut j = i;
        while j + 1 < list.len() && list[j + 1] == list[j] + 1 {
            j += 1;
        }
        if j - i >= 2 {
            runs.push(format!("{}–{}", list[i], list[j]));
        } else {
            runs.extend(list[i..=j].iter().map(ToString::to_string));
        }
        i = j + 1;
    }
    match list {
        [] => "no recorded CPU".to_owned(),
        [_] => format!("CPU {}", runs[0]),
        _ => format!("CPUs {}", join_and(&runs)),
    }
}

/// Every runner's configuration as run, one row each, the parts each runner
/// uses (when the results file names more than the timer), and the environment.
fn knobs_table(disclosures: &DisclosuresFinding, out: &mut String) {
    out.push_str("\nConfiguration as run:\n\n");
    let mut columns = vec![
        ("Runner", Align::Left),
        ("Class", Align::Left),
        ("Family", Align::Left),
        ("Thread knob", Align::Left),
        ("Threads run", Align::Right),
    ];
    // The parts table, when there is one, names the timer with the other parts.
    if disclosures.parts.is_empty() {
        columns.push(("Timer and reactor", Align::Left));
    }
    let mut table = Table::new(columns);
    for runner in &disclosures.runners {
        let counts: Vec<String> = runner.threads_run.iter().map(ToString::to_string).collect();
        let described = runner.description.as_ref();
        table.push_row(vec![
            runner.runner.clone(),
            runner.class.to_string(),
            runner.family.to_string(),
            described.map_or(NONE.into(), |d| d.thread_knob.clone()),
            counts.join(", "),
            described.map_or(NONE.into(), |d| escape_inline(&d.timer)),
        ]);
    }
    out.push_str(&table.to_markdown());
    if let Some(parts) = parts_table(disclosures) {
        out.push_str("\nParts each runner uses (what each workload runs on it):\n\n");
        out.push_str(&parts.to_markdown());
    }
    if let Some(line) = io_drivers_line(&disclosures.runners) {
        writeln!(out, "\n{line}").expect("write to String");
    }
    writeln!(
        out,
        "\nEnvironment: {}; cargo features: {}.\n",
        environment(&disclosures.env),
        features(&disclosures.features)
    )
    .expect("write to String");
}

/// The parts table's column header for `part`.
fn part_header(part: Part) -> &'static str {
    match part {
        Part::Timer => "Timer and reactor",
        Part::Channel => "Channel",
        Part::Net => "TCP",
        Part::Offload => "Offload",
        Part::IoDriver => "I/O driver",
    }
}

/// The drivers of `drivers` by name, most cells first: `io_uring`,
/// `io_uring, epoll (legacy)`.
fn driver_names(drivers: &IoDrivers) -> String {
    drivers
        .drivers
        .iter()
        .map(|d| escape_inline(&d.driver))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `io_uring in all 24 cells`, `io_uring in 20 cells and epoll (legacy) in 4
/// cells, none recorded in 1`: the drivers of `drivers` with their cells.
fn driver_cells(drivers: &IoDrivers) -> String {
    let text = match (drivers.drivers.as_slice(), drivers.unrecorded) {
        ([one], 0) if one.cells > 1 => {
            format!("{} in all {} cells", escape_inline(&one.driver), one.cells)
        }
        (all, _) => {
            let each: Vec<String> = all
                .iter()
                .map(|d| {
                    format!(
                        "{} in {}",
                        escape_inline(&d.driver),
                        plural(d.cells, "cell", "cells")
                    )
                })
                .collect();
            join_and(&each)
        }
    };
    match drivers.unrecorded {
        0 => text,
        n => format!("{text}, none recorded in {}", plural(n, "cell", "cells")),
    }
}

/// `The I/O driver each runner's runtimes ran on, ...: **monoio**: io_uring in
/// all 24 cells; ...`: the runners whose cells recorded a driver, in their
/// order; `None` when none did.
fn io_drivers_line(runners: &[RunnerDisclosure]) -> Option<String> {
    let each: Vec<String> = runners
        .iter()
        .filter_map(|r| {
            Some(format!(
                "**{}**: {}",
                r.runner,
                driver_cells(r.io_drivers.as_ref()?)
            ))
        })
        .collect();
    // One item per runner: a sentence naming them all would outgrow any reader.
    (!each.is_empty()).then(|| {
        let items: Vec<String> = each.iter().map(|line| format!("- {line}")).collect();
        format!("{IO_DRIVERS}:\n\n{}", items.join("\n"))
    })
}

/// Which timer, channel, TCP sockets, offload and I/O driver each runner uses,
/// in the columns the finding shows; none when it shows none.
fn parts_table(disclosures: &DisclosuresFinding) -> Option<Table> {
    if disclosures.parts.is_empty() {
        return None;
    }
    let mut columns = vec![("Runner", Align::Left)];
    columns.extend(
        disclosures
            .parts
            .iter()
            .map(|&p| (part_header(p), Align::Left)),
    );
    let mut table = Table::new(columns);
    for runner in &disclosures.runners {
        let mut row = vec![runner.runner.clone()];
        for &part in &disclosures.parts {
            let text = match part {
                Part::IoDriver => runner.io_drivers.as_ref().map(driver_names),
                part => runner
                    .description
                    .as_ref()
                    .map(|d| part.described(d))
                    .filter(|text| !text.is_empty())
                    .map(escape_inline),
            };
            row.push(text.unwrap_or_else(|| NONE.into()));
        }
        table.push_row(row);
    }
    Some(table)
}

/// Writes the runner's bullet and, as sub-bullets, its caveats that are not
/// `shared` with other runners. Its timer is in the tables above.
fn disclose(runner: &RunnerDisclosure, shared: &[(String, Vec<String>)], out: &mut String) {
    let mut line = format!(
        "- **{}** ({}, {}).",
        runner.runner, runner.class, runner.family
    );
    if let Some(d) = &runner.description {
        if !d.summary.is_empty() {
            write!(line, " Built as {}", sentence(&d.summary)).expect("write to String");
        }
    }
    // Already Markdown: the names in it are escaped.
    write!(line, " Threads: {}.", threads(runner)).expect("write to String");
    writeln!(out, "{line}").expect("write to String");
    for caveat in runner.description.iter().flat_map(|d| &d.caveats) {
        if !shared.iter().any(|(c, _)| c == caveat) {
            writeln!(
                out,
                "  - {}{}",
                sentence(caveat),
                measured_timer(caveat, &[runner])
            )
            .expect("write to String");
        }
    }
}

/// After a caveat about the runners' timer (one that names a timer): what
/// `timer` measured of it on `runners`, `` The `timer` workload measured a 100
/// µs sleep's p50 lateness (a 1 ms sleep's in brackets): 996 µs (1.09 ms) on
/// tokio-ct.``; nothing for another caveat or when none was measured.
fn measured_timer(caveat: &str, runners: &[&RunnerDisclosure]) -> String {
    if !caveat.to_lowercase().contains("timer") {
        return String::new();
    }
    let measured: Vec<(&RunnerDisclosure, MeasuredTimer)> = runners
        .iter()
        .filter_map(|r| Some((*r, r.timer?)))
        .collect();
    if measured.is_empty() {
        return String::new();
    }
    let long = measured.iter().any(|(_, m)| m.sleep_1ms_p50_us.is_some());
    let figures: Vec<String> = measured
        .iter()
        .map(|(r, m)| {
            let long = m
                .sleep_1ms_p50_us
                .map_or(String::new(), |us| format!(" ({})", duration_us(us)));
            format!(
                "{}{long} on {}",
                duration_us(m.sleep_100us_p50_us),
                r.runner
            )
        })
        .collect();
    format!(
        " The `{}` workload measured a 100 µs sleep's p50 lateness{}: {}.",
        crate::sections::timer::TIMER,
        if long {
            " (a 1 ms sleep's in brackets)"
        } else {
            ""
        },
        join_and(&figures)
    )
}

/// The thread knob in words with the thread counts run and the threads seen.
fn threads(runner: &RunnerDisclosure) -> String {
    match &runner.threads {
        Threads::One { seen } => {
            format!("1 thread runs tasks; threads seen: {}", census(seen, true))
        }
        Threads::PerTask { seen } => {
            let alive = if seen.transient > 0 {
                format!(" (up to {} alive)", seen.transient)
            } else {
                String::new()
            };
            let counts: Vec<String> = runner.threads_run.iter().map(ToString::to_string).collect();
            format!(
                "one OS thread per task{alive}; compared at `--threads {}`; threads seen: {}",
                join_and(&counts),
                census(seen, false)
            )
        }
        Threads::Counted { unit, by_count } => {
            let (one, many) = match unit {
                ThreadUnit::Workers => ("worker", "workers"),
                ThreadUnit::Threads => ("thread", "threads"),
            };
            match by_count.as_slice() {
                [g] => format!(
                    "{}; threads seen: {}",
                    plural(g.threads, one, many),
                    census(&g.seen, true)
                ),
                _ => {
                    let counts: Vec<String> =
                        by_count.iter().map(|g| g.threads.to_string()).collect();
                    format!(
                        "{} {many}; threads seen at each: {}",
                        join_and(&counts),
                        census_by_count(by_count)
                    )
                }
            }
        }
    }
}

/// `tokio-runtime-w ×1/2/4, rtcompare ×1`: each name once, in order of first
/// appearance, with its count at each thread count (once when they are all the
/// same; `–` where a count saw none), and the threads started within a sample
/// the same way: one sentence whatever the number of thread counts.
fn census_by_count(by_count: &[CountSeen]) -> String {
    let mut names: Vec<&str> = Vec::new();
    for g in by_count {
        for n in &g.seen.names {
            if !names.contains(&n.name.as_str()) {
                names.push(&n.name);
            }
        }
    }
    let each = |counts: Vec<usize>| -> String {
        if counts.windows(2).all(|w| w[0] == w[1]) {
            counts[0].to_string()
        } else {
            counts
                .iter()
                .map(|&c| {
                    if c == 0 {
                        "–".to_owned()
                    } else {
                        c.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join("/")
        }
    };
    let mut text = if names.is_empty() {
        "not recorded".to_owned()
    } else {
        names
            .iter()
            .map(|&name| {
                let counts = by_count
                    .iter()
                    .map(|g| {
                        g.seen
                            .names
                            .iter()
                            .find(|n| n.name == name)
                            .map_or(0, |n| n.most)
                    })
                    .collect();
                format!("{} ×{}", escape_inline(name), each(counts))
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    if by_count.iter().any(|g| g.seen.transient > 0) {
        let transient = each(by_count.iter().map(|g| g.seen.transient).collect());
        write!(
            text,
            ", plus up to {transient} started and joined within a sample"
        )
        .expect("write to String");
    }
    text
}

/// `tokio-runtime-w ×2, rtcompare ×1`, in the census's order, with the threads
/// started within a sample when `with_transient`.
fn census(census: &Census, with_transient: bool) -> String {
    let mut text = if census.names.is_empty() {
        "not recorded".to_string()
    } else {
        census
            .names
            .iter()
            .map(|n| format!("{} ×{}", escape_inline(&n.name), n.most))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if with_transient && census.transient > 0 {
        write!(
            text,
            ", plus up to {} started and joined within a sample",
            census.transient
        )
        .expect("write to String");
    }
    text
}

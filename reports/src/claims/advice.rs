//! Claim 5: multiprocessing for I/O-bound work, multithreading for CPU-bound
//! work (or the other way round, as [`ADVICE`] says).

use super::*;

/// A unit of execution the advice of claim 5 names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Unit {
    Threads,
    Processes,
}

/// What the advice of claim 5 prescribes for each kind of work.
pub(super) struct Advice {
    pub(super) io: Unit,
    pub(super) cpu: Unit,
}

impl Unit {
    fn advice_word(self) -> &'static str {
        match self {
            Unit::Threads => "multithreading",
            Unit::Processes => "multiprocessing",
        }
    }
}

/// A runner's `cpu` and `sleep` cells at one thread count.
pub(super) type Pair<'a> = (&'a Cell, &'a Cell);

/// The cell of `pair` for workload `w` (`cpu`, else `sleep`).
pub(super) fn side<'a>(pair: Pair<'a>, w: &str) -> &'a Cell {
    if w == CPU { pair.0 } else { pair.1 }
}

/// Claim 5: `advice` on processes and threads, on CPU work and waits, with and
/// without a GIL.
pub(super) fn advice(run: &Run<'_>, advice: &Advice) -> Check {
    let claim = format!(
        "Use {} for I/O-bound work, {} for CPU-bound work.",
        advice.io.advice_word(),
        advice.cpu.advice_word()
    );
    let gil = run.runners(|c| c.class == Class::ConcurrentSerialized);
    let gil_name = gil.first().copied();
    let experiment = format!(
        "`{CPU}` and `{SLEEP}` at the same thread count on {THREAD_POOL} (threads in one \
         process), {PROCESSES} (worker processes) and {}, against `seq`",
        gil_name.map_or(
            "a runner with threads under a global lock, as in CPython".to_owned(),
            |g| format!("{g} (threads under a global lock, as in CPython)")
        )
    );
    let rule = format!(
        "a unit helps when it reaches half the ideal gain (1 + (ideal − 1)/2: the ideal is \
         min(threads, cores) on CPU work and the thread count on waits; {}× at 2 threads); the \
         advice holds in a setting (without a GIL: {THREAD_POOL}'s threads; under a GIL: the \
         global lock's) when the unit it names for each kind of work helps and, where it names \
         processes, threads do not.",
        1.0 + HELPS
    );
    // The thread count: where processes finished both, at the comparison point.
    let both = |r: &str, n: usize| run.at(r, CPU, n).is_some() && run.at(r, SLEEP, n).is_some();
    let proc_cells: Vec<&Cell> = run
        .finished(PROCESSES, CPU)
        .into_iter()
        .filter(|c| c.threads > 1 && both(PROCESSES, c.threads))
        .collect();
    let n = point_of(&proc_cells, run.cores).map(|c| c.threads);
    let missing_seq: Vec<String> = [CPU, SLEEP]
        .iter()
        .filter_map(|w| run.missing_seq(w))
        .collect();
    let Some(n) = n.filter(|_| missing_seq.is_empty()) else {
        let mut missing = missing_seq;
        if n.is_none() {
            for w in [CPU, SLEEP] {
                if run.point(PROCESSES, w).is_none() {
                    missing.push(run.missing(PROCESSES, w));
                }
            }
            if missing.is_empty() {
                missing.push(format!(
                    "{PROCESSES} did not finish `{CPU}` and `{SLEEP}` at one thread count above 1"
                ));
            }
        }
        return not_measured(claim, experiment, rule, &missing);
    };
    let ideal = |w: &str| {
        if w == CPU {
            n.min(run.cores) as f64
        } else {
            n as f64
        }
    };
    let pair = |r: &str| Some((run.at(r, CPU, n)?, run.at(r, SLEEP, n)?));
    let processes = pair(PROCESSES).expect("chosen where processes finished both");
    let threads = pair(THREAD_POOL);
    let locked = gil_name.and_then(pair);

    let show = |label: String, cells: Option<Pair<'_>>, w: &str| {
        cells.map(|c| format!("{label} {}", run.sx(side(c, w))))
    };
    let mut measured = Vec::new();
    for w in [CPU, SLEEP] {
        let parts: Vec<String> = [
            show(format!("threads ({THREAD_POOL})"), threads, w),
            show(PROCESSES.to_owned(), Some(processes), w),
            show(
                format!("threads under a global lock ({})", gil_name.unwrap_or("")),
                locked,
                w,
            ),
        ]
        .into_iter()
        .flatten()
        .collect();
        measured.push(format!("`{w}` at {n} threads: {}", parts.join(", ")));
    }
    let per_task =
        run.runners(|c| c.workload == SLEEP && run.knob(&c.runner) == Some(PER_TASK_KNOB));
    if let Some(c) = per_task.iter().find_map(|r| run.point(r, SLEEP)) {
        let last = measured.last_mut().expect("two lines");
        write!(
            last,
            " (one OS thread per task, {}: {})",
            c.runner,
            run.sx(c)
        )
        .expect("write to String");
    }

    // Each setting: the threads it has, and what the advice says there.
    let speed = |c: &Cell| run.speedup(c).unwrap_or(f64::NAN);
    let mut settings: Vec<(&str, Part)> = Vec::new();
    for (label, threads_cells, word) in [
        ("without a GIL", threads, "threads"),
        ("under a GIL", locked, "threads under the lock"),
    ] {
        let Some(t) = threads_cells else {
            let who = if label == "without a GIL" {
                run.missing(THREAD_POOL, CPU)
            } else {
                match gil_name {
                    Some(g) => run.missing(g, CPU),
                    None => "no runner with a global lock ran".to_owned(),
                }
            };
            settings.push((label, Part::Unmeasured(label.to_owned(), who)));
            continue;
        };
        let mut fails = Vec::new();
        let mut fine = Vec::new();
        for (w, kind, unit, t_cell, p_cell) in [
            (CPU, "CPU", advice.cpu, t.0, processes.0),
            (SLEEP, "waiting", advice.io, t.1, processes.1),
        ] {
            let (named, named_cell) = match unit {
                Unit::Threads => (word, t_cell),
                Unit::Processes => (PROCESSES, p_cell),
            };
            if !helps(speed(named_cell), ideal(w)) {
                fails.push(format!(
                    "{named} did not help {kind} work ({})",
                    run.sx(named_cell)
                ));
            } else if unit == Unit::Processes && helps(speed(t_cell), ideal(w)) {
                fails.push(format!(
                    "{PROCESSES} are not needed for {kind} work: {word} gained {} against {} for \
                     {PROCESSES}",
                    run.sx(t_cell),
                    run.sx(p_cell)
                ));
            } else {
                fine.push(format!(
                    "{named} helped {kind} work ({})",
                    run.sx(named_cell)
                ));
            }
        }
        settings.push((
            label,
            if fails.is_empty() {
                Part::Holds(format!("{label}, {}", join_and(&fine)))
            } else {
                Part::Fails(format!("{label}, {}", join_and(&fails)))
            },
        ));
    }
    let (verdict, mut why) = combine(settings);
    // What the data show instead, unit by unit.
    let mut units: Vec<(String, Pair<'_>)> = vec![(PROCESSES.to_owned(), processes)];
    if let Some(t) = threads {
        units.insert(0, ("threads".to_owned(), t));
    }
    if let Some(l) = locked {
        units.push(("threads under a global lock".to_owned(), l));
    }
    let helped = |w: &str| -> (Vec<String>, Vec<String>) {
        let (yes, no): (Vec<_>, Vec<_>) = units
            .iter()
            .partition(|(_, cells)| helps(speed(side(*cells, w)), ideal(w)));
        (
            yes.into_iter().map(|(n, _)| n.clone()).collect(),
            no.into_iter().map(|(n, _)| n.clone()).collect(),
        )
    };
    let said = |(yes, no): (Vec<String>, Vec<String>)| match (yes.is_empty(), no.is_empty()) {
        (false, true) if yes.len() > 1 => format!("on all of {}", join_and(&yes)),
        (false, true) => format!("on {}", join_and(&yes)),
        (false, false) => format!("on {} but not on {}", join_and(&yes), join_and(&no)),
        (true, _) => "on none of them".to_owned(),
    };
    write!(
        why,
        ". In this run CPU work sped up {}, and waiting work {}",
        said(helped(CPU)),
        said(helped(SLEEP))
    )
    .expect("write to String");
    // Until this claim derives a typed finding, its † is read from its words.
    let extrapolated = measured.iter().any(|m| m.contains('†')) || why.contains('†');
    Check {
        claim,
        experiment,
        rule,
        measured,
        verdict,
        why,
        extrapolated,
    }
}

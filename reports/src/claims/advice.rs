//! Claim 5: multiprocessing for I/O-bound work, multithreading for CPU-bound
//! work (or the other way round, as [`ADVICE`] says).

use super::*;

/// A unit of execution the advice of claim 5 names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) enum Unit {
    Threads,
    Processes,
}

/// What the advice of claim 5 prescribes for each kind of work.
#[derive(Debug, Clone, Copy, Serialize)]
pub(crate) struct Advice {
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

/// Claim 5 as [`ADVICE`] puts it.
pub(super) struct AdviceClaim;

impl Claim for AdviceClaim {
    type Finding = AdviceFinding;

    fn derive(run: &Run<'_>) -> AdviceFinding {
        derive(run, ADVICE)
    }

    fn render(finding: &AdviceFinding) -> Check {
        render(finding)
    }
}

/// Claim 5 on this run: the advice on processes and threads, on CPU work and
/// waits, with and without a GIL.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct AdviceFinding {
    pub(super) advice: Advice,
    /// The first runner with a global lock, if any ran.
    pub(super) locked_runner: Option<String>,
    pub(super) outcome: Outcome<AdviceMeasured, AdviceGap>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) enum AdviceGap {
    Missing(Absence),
    /// Processes finished `cpu` and `sleep` at no common thread count above 1.
    NoCommonCount,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct AdviceMeasured {
    /// The thread count compared.
    pub(super) threads: usize,
    pub(super) thread_pool: Option<Pair>,
    pub(super) processes: Pair,
    pub(super) locked: Option<Pair>,
    /// `sleep` on a runner with one OS thread per task, for contrast.
    pub(super) per_task_sleep: Option<Speedup>,
    /// Without a GIL, then under one.
    pub(super) settings: [Setting; 2],
    /// Which units helped CPU work and waits, in the order they are named.
    pub(super) helped: Vec<Helped>,
    pub(super) verdict: Verdict,
}

/// A runner's `cpu` and `sleep` cells at one thread count.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Pair {
    pub(super) cpu: Speedup,
    pub(super) sleep: Speedup,
}

/// The advice in one setting.
#[derive(Debug, Clone, Serialize)]
pub(crate) enum Setting {
    NotMeasured(SettingGap),
    /// On CPU work, then on waits.
    Judged(Box<[Judgement; 2]>),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) enum SettingGap {
    Missing(Absence),
    NoLockedRunner,
}

/// What the advice names for one kind of work, against the data.
#[derive(Debug, Clone, Serialize)]
pub(crate) enum Judgement {
    /// The unit named did not reach half the ideal gain.
    DidNotHelp {
        named: Unit,
        speedup: Speedup,
    },
    /// Processes helped, but threads did too.
    NotNeeded {
        threads: Speedup,
        processes: Speedup,
    },
    Helped {
        named: Unit,
        speedup: Speedup,
    },
}

/// A unit of execution in the run, and whether it helped each kind of work.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Helped {
    pub(super) unit: Execution,
    pub(super) cpu: bool,
    pub(super) sleep: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub(crate) enum Execution {
    Threads,
    Processes,
    LockedThreads,
}

/// The settings, as qualifications of the verdict.
const SETTINGS: [&str; 2] = ["without a GIL", "under a GIL"];

/// Claim 5 for `advice`.
pub(super) fn derive(run: &Run<'_>, advice: Advice) -> AdviceFinding {
    let gil = run.runners(|c| c.class == Class::ConcurrentSerialized);
    let gil_name = gil.first().copied();
    let finding = |outcome| AdviceFinding {
        advice,
        locked_runner: gil_name.map(str::to_owned),
        outcome,
    };
    // The thread count: where processes finished both, at the comparison point.
    let both = |r: &str, n: usize| run.at(r, CPU, n).is_some() && run.at(r, SLEEP, n).is_some();
    let proc_cells: Vec<&Cell> = run
        .finished(PROCESSES, CPU)
        .into_iter()
        .filter(|c| c.threads > 1 && both(PROCESSES, c.threads))
        .collect();
    let n = point_of(&proc_cells, run.cores).map(|c| c.threads);
    let absent_seq: Vec<AdviceGap> = [CPU, SLEEP]
        .iter()
        .filter_map(|w| run.absent_seq(w))
        .map(AdviceGap::Missing)
        .collect();
    let Some(n) = n.filter(|_| absent_seq.is_empty()) else {
        let mut gaps = absent_seq;
        if n.is_none() {
            for w in [CPU, SLEEP] {
                if run.point(PROCESSES, w).is_none() {
                    gaps.push(AdviceGap::Missing(run.absence(PROCESSES, w)));
                }
            }
            if gaps.is_empty() {
                gaps.push(AdviceGap::NoCommonCount);
            }
        }
        return finding(Outcome::NotMeasured(gaps));
    };
    let ideal = |w: &str| {
        if w == CPU {
            n.min(run.cores) as f64
        } else {
            n as f64
        }
    };
    let pair = |r: &str| {
        Some(Pair {
            cpu: run.speedup_of(run.at(r, CPU, n)?),
            sleep: run.speedup_of(run.at(r, SLEEP, n)?),
        })
    };
    let processes = pair(PROCESSES).expect("chosen where processes finished both");
    let thread_pool = pair(THREAD_POOL);
    let locked = gil_name.and_then(pair);
    let per_task =
        run.runners(|c| c.workload == SLEEP && run.knob(&c.runner) == Some(PER_TASK_KNOB));
    let per_task_sleep = per_task
        .iter()
        .find_map(|r| run.point(r, SLEEP))
        .map(|c| run.speedup_of(c));

    let setting = |threads: &Option<Pair>, missing: SettingGap| -> Setting {
        let Some(t) = threads else {
            return Setting::NotMeasured(missing);
        };
        Setting::Judged(Box::new([
            judge(advice.cpu, ideal(CPU), &t.cpu, &processes.cpu),
            judge(advice.io, ideal(SLEEP), &t.sleep, &processes.sleep),
        ]))
    };
    let settings = [
        setting(
            &thread_pool,
            SettingGap::Missing(run.absence(THREAD_POOL, CPU)),
        ),
        setting(
            &locked,
            match gil_name {
                Some(g) => SettingGap::Missing(run.absence(g, CPU)),
                None => SettingGap::NoLockedRunner,
            },
        ),
    ];
    let part_verdicts: Vec<(&str, PartVerdict)> = SETTINGS
        .iter()
        .zip(&settings)
        .map(|(label, s)| (*label, setting_verdict(s)))
        .collect();
    let verdict = verdict_of(&part_verdicts);

    let mut units: Vec<(Execution, &Pair)> = vec![(Execution::Processes, &processes)];
    if let Some(t) = &thread_pool {
        units.insert(0, (Execution::Threads, t));
    }
    if let Some(l) = &locked {
        units.push((Execution::LockedThreads, l));
    }
    let helped = units
        .iter()
        .map(|(unit, cells)| Helped {
            unit: *unit,
            cpu: helps(speed(&cells.cpu), ideal(CPU)),
            sleep: helps(speed(&cells.sleep), ideal(SLEEP)),
        })
        .collect();
    finding(Outcome::Measured(AdviceMeasured {
        threads: n,
        thread_pool,
        processes,
        locked,
        per_task_sleep,
        settings,
        helped,
        verdict,
    }))
}

/// A speedup, NaN without one (which helps nothing).
fn speed(s: &Speedup) -> f64 {
    s.times.unwrap_or(f64::NAN)
}

/// The advice names `unit` for work whose ideal gain is `ideal`, against
/// threads' cell and processes' cell on it.
fn judge(unit: Unit, ideal: f64, t_cell: &Speedup, p_cell: &Speedup) -> Judgement {
    let named_cell = match unit {
        Unit::Threads => t_cell,
        Unit::Processes => p_cell,
    };
    if !helps(speed(named_cell), ideal) {
        Judgement::DidNotHelp {
            named: unit,
            speedup: named_cell.clone(),
        }
    } else if unit == Unit::Processes && helps(speed(t_cell), ideal) {
        Judgement::NotNeeded {
            threads: t_cell.clone(),
            processes: p_cell.clone(),
        }
    } else {
        Judgement::Helped {
            named: unit,
            speedup: named_cell.clone(),
        }
    }
}

fn setting_verdict(setting: &Setting) -> PartVerdict {
    match setting {
        Setting::NotMeasured(_) => PartVerdict::Unmeasured,
        Setting::Judged(j) if j.iter().all(|j| matches!(j, Judgement::Helped { .. })) => {
            PartVerdict::Holds
        }
        Setting::Judged(_) => PartVerdict::Fails,
    }
}

/// Claim 5 in words.
pub(super) fn render(finding: &AdviceFinding) -> Check {
    let advice = finding.advice;
    let claim = format!(
        "Use {} for I/O-bound work, {} for CPU-bound work.",
        advice.io.advice_word(),
        advice.cpu.advice_word()
    );
    let gil_name = finding.locked_runner.as_deref();
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
    let m = match &finding.outcome {
        Outcome::Measured(m) => m,
        Outcome::NotMeasured(gaps) => {
            let gaps: Vec<String> = gaps
                .iter()
                .map(|gap| match gap {
                    AdviceGap::Missing(absence) => absence.text(),
                    AdviceGap::NoCommonCount => format!(
                        "{PROCESSES} did not finish `{CPU}` and `{SLEEP}` at one thread count \
                         above 1"
                    ),
                })
                .collect();
            return not_measured(claim, experiment, rule, &gaps);
        }
    };
    let measured = measured_lines(m, gil_name);
    let parts: Vec<Part> = SETTINGS
        .iter()
        .zip(&m.settings)
        .zip(["threads", "threads under the lock"])
        .map(|((label, setting), word)| setting_part(label, setting, word))
        .collect();
    let mut why = reasons(parts);
    write!(why, ". In this run {}", instead(&m.helped)).expect("write to String");
    let shown = [
        m.thread_pool.as_ref(),
        Some(&m.processes),
        m.locked.as_ref(),
    ];
    let extrapolated = shown
        .into_iter()
        .flatten()
        .any(|p| p.cpu.extrapolated || p.sleep.extrapolated)
        || m.per_task_sleep.as_ref().is_some_and(|s| s.extrapolated);
    Check {
        claim,
        experiment,
        rule,
        measured,
        verdict: m.verdict.clone(),
        why,
        extrapolated,
    }
}

/// `` `cpu` at 2 threads: threads (thread-pool) 1.98×, processes 1.96×, … ``,
/// then the same for `sleep`.
fn measured_lines(m: &AdviceMeasured, gil_name: Option<&str>) -> Vec<String> {
    let n = m.threads;
    let side =
        |pair: &Pair, w: &str| -> String { sx(if w == CPU { &pair.cpu } else { &pair.sleep }) };
    let show = |label: String, pair: Option<&Pair>, w: &str| {
        pair.map(|p| format!("{label} {}", side(p, w)))
    };
    let mut measured = Vec::new();
    for w in [CPU, SLEEP] {
        let parts: Vec<String> = [
            show(
                format!("threads ({THREAD_POOL})"),
                m.thread_pool.as_ref(),
                w,
            ),
            show(PROCESSES.to_owned(), Some(&m.processes), w),
            show(
                format!("threads under a global lock ({})", gil_name.unwrap_or("")),
                m.locked.as_ref(),
                w,
            ),
        ]
        .into_iter()
        .flatten()
        .collect();
        measured.push(format!("`{w}` at {n} threads: {}", parts.join(", ")));
    }
    if let Some(s) = &m.per_task_sleep {
        let last = measured.last_mut().expect("two lines");
        write!(
            last,
            " (one OS thread per task, {}: {})",
            s.cell.runner,
            sx(s)
        )
        .expect("write to String");
    }

    measured
}

/// The advice in one setting, `label`, whose threads are called `word`.
fn setting_part(label: &str, setting: &Setting, word: &str) -> Part {
    let judged = match setting {
        Setting::NotMeasured(gap) => {
            let why = match gap {
                SettingGap::Missing(absence) => absence.text(),
                SettingGap::NoLockedRunner => "no runner with a global lock ran".to_owned(),
            };
            return Part::Unmeasured(label.to_owned(), why);
        }
        Setting::Judged(judged) => judged,
    };
    let named = |unit: &Unit| match unit {
        Unit::Threads => word,
        Unit::Processes => PROCESSES,
    };
    let mut fails = Vec::new();
    let mut fine = Vec::new();
    for (kind, judgement) in ["CPU", "waiting"].into_iter().zip(judged.iter()) {
        match judgement {
            Judgement::DidNotHelp {
                named: unit,
                speedup,
            } => fails.push(format!(
                "{} did not help {kind} work ({})",
                named(unit),
                sx(speedup)
            )),
            Judgement::NotNeeded { threads, processes } => fails.push(format!(
                "{PROCESSES} are not needed for {kind} work: {word} gained {} against {} for \
                 {PROCESSES}",
                sx(threads),
                sx(processes)
            )),
            Judgement::Helped {
                named: unit,
                speedup,
            } => fine.push(format!(
                "{} helped {kind} work ({})",
                named(unit),
                sx(speedup)
            )),
        }
    }
    if fails.is_empty() {
        Part::Holds(format!("{label}, {}", join_and(&fine)))
    } else {
        Part::Fails(format!("{label}, {}", join_and(&fails)))
    }
}

/// What the data show instead, unit by unit: `CPU work sped up on threads and
/// processes but not on …, and waiting work on all of …`.
fn instead(helped: &[Helped]) -> String {
    let unit_name = |u: Execution| -> String {
        match u {
            Execution::Threads => "threads",
            Execution::Processes => PROCESSES,
            Execution::LockedThreads => "threads under a global lock",
        }
        .to_owned()
    };
    let said = |cpu: bool| {
        let (yes, no): (Vec<&Helped>, Vec<&Helped>) = helped
            .iter()
            .partition(|h| if cpu { h.cpu } else { h.sleep });
        let yes: Vec<String> = yes.iter().map(|h| unit_name(h.unit)).collect();
        let no: Vec<String> = no.iter().map(|h| unit_name(h.unit)).collect();
        match (yes.is_empty(), no.is_empty()) {
            (false, true) if yes.len() > 1 => format!("on all of {}", join_and(&yes)),
            (false, true) => format!("on {}", join_and(&yes)),
            (false, false) => format!("on {} but not on {}", join_and(&yes), join_and(&no)),
            (true, _) => "on none of them".to_owned(),
        }
    };
    format!(
        "CPU work sped up {}, and waiting work {}",
        said(true),
        said(false)
    )
}

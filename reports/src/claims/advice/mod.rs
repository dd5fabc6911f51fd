//! Claim 5 in two wordings, judged on the same cells: (a) the project brief's
//! table, multiprocessing for I/O-bound work and multithreading for CPU-bound
//! work ([`BRIEF_TABLE`]), without a GIL and under one; (b) the usual Python
//! advice, under a GIL processes for CPU-bound work and threads for I/O-bound
//! work ([`CLASSIC`]), under a GIL only. Also where the brief's table meets its
//! own GIL sentence (claim 6): CPU-bound threads under a lock. This file derives
//! the finding; `render.rs` words it.

mod render;

use super::interpreter::{self, AgainstInterpreter, Comparison, Counterpart};
use super::*;

/// A unit of execution the advice of claim 5 names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) enum Unit {
    Threads,
    Processes,
}

/// What a wording of claim 5 prescribes for each kind of work.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub(crate) struct Advice {
    pub(super) io: Unit,
    pub(super) cpu: Unit,
}

/// 5a, the brief's table: multiprocessing for I/O-bound work, multithreading
/// for CPU-bound work.
pub(super) const BRIEF_TABLE: Advice = Advice {
    io: Unit::Processes,
    cpu: Unit::Threads,
};

/// 5b, the usual Python advice: under a GIL, processes for CPU-bound work,
/// threads for I/O-bound work.
pub(super) const CLASSIC: Advice = Advice {
    io: Unit::Threads,
    cpu: Unit::Processes,
};

/// Whether the threads of a setting run under a global lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) enum Lock {
    /// Threads without a lock: [`THREAD_POOL`]'s.
    NoGil,
    /// Threads under a global lock: the concurrent-serialized runner's.
    Gil,
}

/// Claim 5, derived and rendered.
pub(super) struct AdviceClaim;

impl Claim for AdviceClaim {
    type Finding = AdviceFinding;

    fn derive(run: &Run<'_>) -> AdviceFinding {
        derive(run)
    }

    fn render(finding: &AdviceFinding) -> Check {
        render::render(finding)
    }
}

/// Claim 5 on this run: both wordings with their verdicts, the cells they were
/// judged on, and the brief's table against its own GIL sentence.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct AdviceFinding {
    /// 5a, the brief's table, judged without a GIL and under one.
    pub(super) brief: Wording,
    /// 5b, the usual advice, judged under a GIL only.
    pub(super) classic: Wording,
    /// The first runner with a global lock, if any ran.
    pub(super) locked_runner: Option<String>,
    /// The cells both wordings are judged on, or why there are none.
    pub(super) outcome: Outcome<AdviceMeasured, AdviceGap>,
    /// Multithreading for CPU-bound work against "CPU-bound threads gain
    /// nothing under a GIL", on this run's cells.
    pub(super) contradiction: Contradiction,
    /// The lock's threads and processes beside CPython's on `cpu` and `sleep`,
    /// at the claim's thread count (at every count above one when the claim was
    /// not measured); absent when no runner of an interpreter ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) against_cpython: Option<AgainstInterpreter>,
}

/// One wording of claim 5 and how it fared.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Wording {
    pub(super) advice: Advice,
    /// The settings it speaks of, each judged; empty when the claim's cells
    /// are missing.
    pub(super) settings: Vec<InSetting>,
    pub(super) verdict: Verdict,
}

/// A wording judged in one setting.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct InSetting {
    pub(super) lock: Lock,
    pub(super) setting: Setting,
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
    /// Which units helped CPU work and waits, in the order they are named.
    pub(super) helped: Vec<Helped>,
}

/// A runner's `cpu` and `sleep` cells at one thread count.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Pair {
    pub(super) cpu: Speedup,
    pub(super) sleep: Speedup,
}

/// A wording in one setting.
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

/// What a wording names for one kind of work, against the data.
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

/// The brief's "multithreading for CPU-bound work" against its "CPU-bound
/// threads gain nothing under a GIL".
#[derive(Debug, Clone, Serialize)]
pub(crate) enum Contradiction {
    /// Threads under a global lock on `cpu`, at the lock runner's comparison
    /// point above one thread, and [`THREAD_POOL`]'s at the same count.
    Measured {
        locked: Speedup,
        free: Option<Speedup>,
        /// The locked threads stayed at or below [`NO_GAIN`]: the GIL sentence
        /// holds here, so the table's CPU advice fails under a GIL.
        locked_gained_nothing: bool,
        /// The same threads without a lock reached [`HELPS`] of the ideal.
        free_helped: bool,
    },
    /// No runner with a global lock finished `cpu` above one thread.
    NotMeasured,
}

/// Claim 5 on `run`, in both wordings, and against CPython.
pub(super) fn derive(run: &Run<'_>) -> AdviceFinding {
    let mut finding = wordings(run);
    let threads = match &finding.outcome {
        Outcome::Measured(m) => Some(m.threads),
        Outcome::NotMeasured(_) => None,
    };
    let pairs = [
        (Counterpart::LockedThreads, CPU),
        (Counterpart::Processes, CPU),
        (Counterpart::LockedThreads, SLEEP),
        (Counterpart::Processes, SLEEP),
    ];
    finding.against_cpython = interpreter::against(
        run,
        &Comparison {
            pairs: &pairs,
            threads,
        },
    );
    finding
}

/// Claim 5 on `run`, in both wordings.
fn wordings(run: &Run<'_>) -> AdviceFinding {
    let gil = run.runners(|c| c.class == Class::ConcurrentSerialized);
    let gil_name = gil.first().copied();
    let contradiction = contradiction(run, gil_name);
    let unmeasured = |advice| Wording {
        advice,
        settings: Vec::new(),
        verdict: Verdict::NotMeasured,
    };
    let finding = |outcome, brief, classic| AdviceFinding {
        brief,
        classic,
        locked_runner: gil_name.map(str::to_owned),
        outcome,
        contradiction: contradiction.clone(),
        against_cpython: None,
    };
    let n = match comparison_count(run) {
        Ok(n) => n,
        Err(gaps) => {
            return finding(
                Outcome::NotMeasured(gaps),
                unmeasured(BRIEF_TABLE),
                unmeasured(CLASSIC),
            );
        }
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

    let setting = |advice: Advice, lock: Lock| -> InSetting {
        let (threads, missing) = match lock {
            Lock::NoGil => (
                &thread_pool,
                SettingGap::Missing(run.absence(THREAD_POOL, CPU)),
            ),
            Lock::Gil => (
                &locked,
                match gil_name {
                    Some(g) => SettingGap::Missing(run.absence(g, CPU)),
                    None => SettingGap::NoLockedRunner,
                },
            ),
        };
        let setting = match threads {
            None => Setting::NotMeasured(missing),
            Some(t) => Setting::Judged(Box::new([
                judge(advice.cpu, ideal(CPU), &t.cpu, &processes.cpu),
                judge(advice.io, ideal(SLEEP), &t.sleep, &processes.sleep),
            ])),
        };
        InSetting { lock, setting }
    };
    let wording = |advice: Advice, locks: &[Lock]| -> Wording {
        let settings: Vec<InSetting> = locks.iter().map(|&l| setting(advice, l)).collect();
        let parts: Vec<(&str, PartVerdict)> = settings
            .iter()
            .map(|s| (setting_label(s.lock), setting_verdict(&s.setting)))
            .collect();
        Wording {
            advice,
            verdict: verdict_of(&parts),
            settings,
        }
    };
    let brief = wording(BRIEF_TABLE, &[Lock::NoGil, Lock::Gil]);
    let classic = wording(CLASSIC, &[Lock::Gil]);

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
    finding(
        Outcome::Measured(AdviceMeasured {
            threads: n,
            thread_pool,
            processes,
            locked,
            per_task_sleep,
            helped,
        }),
        brief,
        classic,
    )
}

/// The thread count both wordings are judged at: where processes finished
/// `cpu` and `sleep`, at the comparison point; or what is missing.
fn comparison_count(run: &Run<'_>) -> Result<usize, Vec<AdviceGap>> {
    let both = |r: &str, n: usize| run.at(r, CPU, n).is_some() && run.at(r, SLEEP, n).is_some();
    let proc_cells: Vec<&Cell> = run
        .finished(PROCESSES, CPU)
        .into_iter()
        .filter(|c| c.threads > 1 && both(PROCESSES, c.threads))
        .collect();
    let n = point_of(&proc_cells, run.cores).map(|c| c.threads);
    let mut gaps: Vec<AdviceGap> = [CPU, SLEEP]
        .iter()
        .filter_map(|w| run.absent_seq(w))
        .map(AdviceGap::Missing)
        .collect();
    match n {
        Some(n) if gaps.is_empty() => Ok(n),
        Some(_) => Err(gaps),
        None => {
            for w in [CPU, SLEEP] {
                if run.point(PROCESSES, w).is_none() {
                    gaps.push(AdviceGap::Missing(run.absence(PROCESSES, w)));
                }
            }
            if gaps.is_empty() {
                gaps.push(AdviceGap::NoCommonCount);
            }
            Err(gaps)
        }
    }
}

/// Threads under `gil` on `cpu` above one thread, against the same threads
/// without the lock.
fn contradiction(run: &Run<'_>, gil: Option<&str>) -> Contradiction {
    let Some(gil) = gil else {
        return Contradiction::NotMeasured;
    };
    let cells: Vec<&Cell> = run
        .finished(gil, CPU)
        .into_iter()
        .filter(|c| c.threads > 1 && run.speedup(c).is_some())
        .collect();
    let Some(cell) = point_of(&cells, run.cores) else {
        return Contradiction::NotMeasured;
    };
    let n = cell.threads;
    let locked = run.speedup_of(cell);
    let free = run
        .at(THREAD_POOL, CPU, n)
        .filter(|c| run.speedup(c).is_some())
        .map(|c| run.speedup_of(c));
    let ideal = n.min(run.cores) as f64;
    Contradiction::Measured {
        locked_gained_nothing: locked.value() <= NO_GAIN,
        free_helped: free.as_ref().is_some_and(|f| helps(f.value(), ideal)),
        locked,
        free,
    }
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

/// A setting as the verdict qualifies it: `without a GIL`, `under a GIL`.
fn setting_label(lock: Lock) -> &'static str {
    match lock {
        Lock::NoGil => "without a GIL",
        Lock::Gil => "under a GIL",
    }
}

//! Claim 2: processes are isolated, threads share memory.

use super::*;

/// Claim 2, derived and rendered.
pub(super) struct Isolation;

/// Claim 2 on this run: an abort on processes against threads; shared memory
/// on threads, not across processes.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct IsolationFinding {
    /// The runners on the threads side, in the order named.
    pub(super) threads_side: Vec<String>,
    /// Jobs per batch of `crash-abort` and of `crash-panic`, when known.
    pub(super) abort_jobs: Option<usize>,
    pub(super) panic_jobs: Option<usize>,
    /// The abort cells of both sides, when both were measured.
    pub(super) abort: Vec<CellFate>,
    pub(super) crashes: Crashes,
    /// The panic cells of both sides.
    pub(super) panic: Vec<CellFate>,
    /// The threads-side runners that kept the other jobs after a panic, when
    /// all did.
    pub(super) panic_unwound: Option<Vec<String>>,
    pub(super) memory: Memory,
    /// The runners that finished `shared-merge`, processes or threads side.
    pub(super) merged: Vec<String>,
    pub(super) verdict: Verdict,
}

/// How one crash cell ended.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CellFate {
    pub(super) cell: CellRef,
    pub(super) fate: Ended,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) enum Ended {
    Survived {
        completed: usize,
        lost: usize,
        jobs: usize,
    },
    /// The process died, `how` as the harness said.
    Died { how: String },
}

/// The crash part: an abort on processes against threads.
#[derive(Debug, Clone, Serialize)]
pub(crate) enum Crashes {
    Unmeasured(Vec<Absence>),
    /// An abort ended processes too, at these thread counts.
    ProcessesDied {
        threads: Vec<usize>,
    },
    /// These threads-side runners survived an abort.
    ThreadsSurvived {
        runners: Vec<String>,
    },
    /// Processes lost these (lost, jobs), the threads-side runners died.
    Holds {
        lost: Vec<(usize, usize)>,
        died: Vec<String>,
    },
}

/// The memory part: state in shared memory on threads and across processes.
#[derive(Debug, Clone, Serialize)]
pub(crate) enum Memory {
    /// The shared-state workloads did not run on processes (`anywhere`: on
    /// some other runner).
    NotRunOnProcesses {
        anywhere: bool,
    },
    NotFinishedOnThreads,
    Missing(Absence),
    /// Shared state worked across processes as on these threads-side runners.
    WorkedAcrossProcesses {
        threads: Vec<String>,
    },
    /// Shared state worked on these runners and does not apply to processes,
    /// for `reason` as the cell says.
    NotApplicable {
        threads: Vec<String>,
        reason: Option<String>,
    },
}

/// The qualifications of the two parts, for [`Verdict::HoldsOnly`].
const CRASH_PART: &str = "for crashes";
const MEMORY_PART: &str = "for memory";

/// The fates of the crash cells of `runners` on `workload` that apply and whose
/// outcome is known.
fn fates<'a>(run: &Run<'a>, runners: &[&str], workload: &str) -> Vec<(&'a Cell, Fate)> {
    let jobs = crash::batch(run.results, workload);
    runners
        .iter()
        .flat_map(|r| run.all(r, workload))
        .filter(|c| crate::judge::judged(c))
        .map(|c| (c, crash::fate(c, jobs)))
        .filter(|(_, f)| !matches!(f, Fate::Unknown { .. }))
        .collect()
}

/// The cells among `fates` whose fate is kept by `keep`.
fn cells_of<'a>(fates: &[(&'a Cell, Fate)], keep: fn(&Fate) -> bool) -> Vec<&'a Cell> {
    fates
        .iter()
        .filter(|(_, f)| keep(f))
        .map(|(c, _)| *c)
        .collect()
}

fn typed(fates: &[(&Cell, Fate)]) -> Vec<CellFate> {
    fates
        .iter()
        .filter_map(|(c, f)| {
            let fate = match f {
                Fate::Survived {
                    completed,
                    lost,
                    jobs,
                } => Ended::Survived {
                    completed: *completed,
                    lost: *lost,
                    jobs: *jobs,
                },
                Fate::Died { exit } => Ended::Died {
                    how: exit.describe(),
                },
                Fate::Unknown { .. } => return None,
            };
            Some(CellFate {
                cell: CellRef::of(c),
                fate,
            })
        })
        .collect()
}

impl Claim for Isolation {
    type Finding = IsolationFinding;

    fn derive(run: &Run<'_>) -> IsolationFinding {
        let mut threads_side: Vec<&str> = [THREADS, THREAD_POOL]
            .into_iter()
            .filter(|r| run.results.cells.iter().any(|c| c.runner == *r))
            .collect();
        if threads_side.is_empty() {
            threads_side = vec![THREADS, THREAD_POOL];
        }
        let runners_of = |cells: &[&Cell]| runners_of(run, cells);

        let (abort, crashes) = crashes(run, &threads_side);

        let p_panic = fates(run, &[PROCESSES], crash::PANIC);
        let t_panic = fates(run, &threads_side, crash::PANIC);
        let panic = typed(&p_panic.iter().chain(&t_panic).cloned().collect::<Vec<_>>());
        let panic_unwound = (!t_panic.is_empty() && t_panic.iter().all(|(_, f)| f.survived()))
            .then(|| runners_of(&cells_of(&t_panic, |_| true)));

        let memory = memory(run, &threads_side);
        let merged = owned(&run.runners(|c| {
            c.workload == SHARED_MERGE
                && c.status == Status::Ok
                && crate::judge::judged(c)
                && (c.runner == PROCESSES || threads_side.contains(&c.runner.as_str()))
        }));
        let verdict = verdict_of(&[
            (CRASH_PART, crashes.verdict()),
            (MEMORY_PART, memory.verdict()),
        ]);
        IsolationFinding {
            threads_side: owned(&threads_side),
            abort_jobs: crash::batch(run.results, crash::ABORT),
            panic_jobs: crash::batch(run.results, crash::PANIC),
            abort,
            crashes,
            panic,
            panic_unwound,
            memory,
            merged,
            verdict,
        }
    }

    fn render(f: &IsolationFinding) -> Check {
        let claim = "Processes are isolated, threads share memory.".to_owned();
        let threads_names = names(&f.threads_side, "");
        let experiment = format!(
            "`{}` and `{}` ({}one job fails midway, by aborting or panicking) on {PROCESSES} and \
             on {threads_names}. `{SHARED_MUTEX}` and `{SHARED_ATOMIC}` (state in shared \
             memory) and `{SHARED_MERGE}` (private copies merged at the end) ran on the same \
             runners",
            crash::ABORT,
            crash::PANIC,
            f.abort_jobs
                .map_or(String::new(), |j| format!("{j} jobs, ")),
        );
        let rule = "holds when an abort in one job costs processes only part of the batch but \
                    ends the whole process on threads. State in shared memory must also work on \
                    threads but not apply across processes. The panic and merge figures show \
                    where the two do not differ."
            .to_owned();
        let mut measured = Vec::new();
        if !f.abort.is_empty() {
            measured.push(format!(
                "`{}`: {}",
                crash::ABORT,
                fates_text(&f.abort, f.abort_jobs)
            ));
        }
        let crashes = f.crashes.part();
        if !f.panic.is_empty() {
            measured.push(format!(
                "`{}`: {}",
                crash::PANIC,
                fates_text(&f.panic, f.panic_jobs)
            ));
        }
        let memory = f.memory.part(&f.threads_side, &mut measured);
        if !f.merged.is_empty() {
            measured.push(format!(
                "`{SHARED_MERGE}`: finished on {}",
                names(&f.merged, "")
            ));
        }
        let mut why = reasons(vec![crashes, memory]);
        if f.verdict != Verdict::NotMeasured {
            if let Some(unwound) = &f.panic_unwound {
                write!(
                    why,
                    ". A panic, though, unwound only its own thread: {} kept the other jobs",
                    names(unwound, "")
                )
                .expect("write to String");
            }
            if f.merged.iter().any(|r| r == PROCESSES) && f.merged.len() > 1 {
                why.push_str(". Merging private copies worked on both");
            }
        } else {
            measured.clear();
        }
        Check {
            claim,
            experiment,
            rule,
            measured,
            verdict: f.verdict.clone(),
            why,
            // No speedup is shown.
            extrapolated: false,
            also: None,
            against: None,
        }
    }
}

/// The abort part: the abort cells of both sides (when both were measured),
/// and what they say.
fn crashes(run: &Run<'_>, threads_side: &[&str]) -> (Vec<CellFate>, Crashes) {
    let runners_of = |cells: &[&Cell]| runners_of(run, cells);
    let p_abort = fates(run, &[PROCESSES], crash::ABORT);
    let t_abort = fates(run, threads_side, crash::ABORT);
    let mut abort = Vec::new();
    let crashes = if p_abort.is_empty() {
        Crashes::Unmeasured(vec![run.absence(PROCESSES, crash::ABORT)])
    } else if t_abort.is_empty() {
        Crashes::Unmeasured(
            threads_side
                .iter()
                .map(|r| run.absence(r, crash::ABORT))
                .collect(),
        )
    } else {
        abort = typed(&p_abort.iter().chain(&t_abort).cloned().collect::<Vec<_>>());
        let p_died = cells_of(&p_abort, |f| !f.survived());
        let t_survived = cells_of(&t_abort, Fate::survived);
        if !p_died.is_empty() {
            Crashes::ProcessesDied {
                threads: p_died.iter().map(|c| c.threads).collect(),
            }
        } else if !t_survived.is_empty() {
            Crashes::ThreadsSurvived {
                runners: runners_of(&t_survived),
            }
        } else {
            let mut lost = Vec::new();
            for (_, f) in &p_abort {
                if let Fate::Survived { lost: l, jobs, .. } = f {
                    if !lost.contains(&(*l, *jobs)) {
                        lost.push((*l, *jobs));
                    }
                }
            }
            Crashes::Holds {
                lost,
                died: runners_of(&cells_of(&t_abort, |_| true)),
            }
        }
    };
    (abort, crashes)
}

/// The memory part: state in shared memory on the threads side and across
/// processes.
fn memory(run: &Run<'_>, threads_side: &[&str]) -> Memory {
    let shared_state = [SHARED_MUTEX, SHARED_ATOMIC];
    let t_shared = owned(&run.runners(|c| {
        threads_side.contains(&c.runner.as_str())
            && shared_state.contains(&c.workload.as_str())
            && c.status == Status::Ok
            && crate::judge::judged(c)
    }));
    let p_cells: Vec<&Cell> = shared_state
        .iter()
        .flat_map(|w| run.all(PROCESSES, w))
        .collect();
    if p_cells.is_empty() {
        Memory::NotRunOnProcesses {
            anywhere: run
                .results
                .cells
                .iter()
                .any(|c| shared_state.contains(&c.workload.as_str())),
        }
    } else if t_shared.is_empty() {
        Memory::NotFinishedOnThreads
    } else if p_cells
        .iter()
        .any(|c| c.status == Status::Ok && crate::judge::judged(c))
    {
        Memory::WorkedAcrossProcesses { threads: t_shared }
    } else if p_cells.iter().all(|c| !c.applies()) {
        Memory::NotApplicable {
            threads: t_shared,
            reason: p_cells[0].error.as_deref().map(|e| e.trim().to_owned()),
        }
    } else {
        Memory::Missing(run.absence(PROCESSES, shared_state[0]))
    }
}

/// The runners of `cells`, each once, in report order.
fn runners_of(run: &Run<'_>, cells: &[&Cell]) -> Vec<String> {
    owned(&run.runners(|c| cells.iter().any(|t| std::ptr::eq(*t, c))))
}

impl Crashes {
    /// The crash part in words.
    fn part(&self) -> Part {
        match self {
            Crashes::Unmeasured(absent) => Part::Unmeasured(
                "isolation".into(),
                join_and(&absent.iter().map(Absence::text).collect::<Vec<_>>()),
            ),
            Crashes::ProcessesDied { threads } => Part::Fails(format!(
                "an abort ended the whole process on {PROCESSES} too (at {} threads)",
                thread_counts(threads.iter().copied())
            )),
            Crashes::ThreadsSurvived { runners } => Part::Fails(format!(
                "an abort did not end the whole process on {}: {} survived as well as \
                 {PROCESSES} did",
                runners.join(" and "),
                if runners.len() == 1 { "it" } else { "they" }
            )),
            Crashes::Holds { lost, died } => Part::Holds(format!(
                "an abort cost {PROCESSES} {} jobs but ended the whole process on {}",
                join_and(
                    &lost
                        .iter()
                        .map(|(lost, jobs)| format!("{lost} of {jobs}"))
                        .collect::<Vec<_>>()
                ),
                names(died, "")
            )),
        }
    }

    fn verdict(&self) -> PartVerdict {
        match self {
            Crashes::Unmeasured(_) => PartVerdict::Unmeasured,
            Crashes::ProcessesDied { .. } | Crashes::ThreadsSurvived { .. } => PartVerdict::Fails,
            Crashes::Holds { .. } => PartVerdict::Holds,
        }
    }
}

impl Memory {
    /// The memory part in words, adding the line of what was measured.
    fn part(&self, threads_side: &[String], measured: &mut Vec<String>) -> Part {
        let state_names = format!("`{SHARED_MUTEX}` and `{SHARED_ATOMIC}`");
        match self {
            Memory::NotRunOnProcesses { anywhere } => Part::Unmeasured(
                "shared memory".into(),
                if *anywhere {
                    format!("{state_names} did not run on {PROCESSES}")
                } else {
                    format!("{state_names} did not run")
                },
            ),
            Memory::NotFinishedOnThreads => Part::Unmeasured(
                "shared memory".into(),
                format!(
                    "{state_names} finished on neither {}",
                    join_and(threads_side)
                ),
            ),
            Memory::Missing(absence) => Part::Unmeasured("shared memory".into(), absence.text()),
            Memory::WorkedAcrossProcesses { threads } => {
                measured.push(format!(
                    "{state_names}: finished on {} and on {PROCESSES}",
                    names(threads, "")
                ));
                Part::Fails(format!(
                    "state in shared memory worked across {PROCESSES} too"
                ))
            }
            Memory::NotApplicable { threads, reason } => {
                let reason = reason
                    .as_deref()
                    .map_or(String::new(), |e| format!(" — {}", escape_inline(e)));
                measured.push(format!(
                    "{state_names}: finished on {}; on {PROCESSES} they do not apply{reason}",
                    names(threads, "")
                ));
                Part::Holds(format!(
                    "state in shared memory worked on {} and does not apply to {PROCESSES}",
                    names(threads, "")
                ))
            }
        }
    }

    fn verdict(&self) -> PartVerdict {
        match self {
            Memory::NotRunOnProcesses { .. }
            | Memory::NotFinishedOnThreads
            | Memory::Missing(_) => PartVerdict::Unmeasured,
            Memory::WorkedAcrossProcesses { .. } => PartVerdict::Fails,
            Memory::NotApplicable { .. } => PartVerdict::Holds,
        }
    }
}

/// `processes kept 7 of 8 jobs; threads and thread-pool died (killed by signal
/// 6 (SIGABRT)), 0 of 8 kept`: runners with the same outcome at every thread
/// count grouped.
fn fates_text(fates: &[CellFate], jobs: Option<usize>) -> String {
    let describe = |f: &Ended| match f {
        Ended::Survived {
            completed, jobs, ..
        } => format!("kept {completed} of {jobs} jobs"),
        Ended::Died { how } => match jobs {
            Some(j) => format!("died ({how}), 0 of {j} kept"),
            None => format!("died ({how}), no job kept"),
        },
    };
    // Per runner: its outcome, or its outcomes by thread count.
    let mut per_runner: Vec<(&str, String)> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for cf in fates {
        let runner = cf.cell.runner.as_str();
        if seen.contains(&runner) {
            continue;
        }
        seen.push(runner);
        let mut outcomes: Vec<(String, Vec<usize>)> = Vec::new();
        for c in fates.iter().filter(|c| c.cell.runner == runner) {
            let d = describe(&c.fate);
            match outcomes.iter_mut().find(|(x, _)| *x == d) {
                Some((_, t)) => t.push(c.cell.threads),
                None => outcomes.push((d, vec![c.cell.threads])),
            }
        }
        let text = if outcomes.len() == 1 {
            outcomes.remove(0).0
        } else {
            outcomes
                .iter()
                .map(|(d, t)| {
                    let t: Vec<String> = t.iter().map(ToString::to_string).collect();
                    format!("{d} at {} threads", join_and(&t))
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        per_runner.push((runner, text));
    }
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for (runner, text) in per_runner {
        match groups.iter_mut().find(|(t, _)| *t == text) {
            Some((_, r)) => r.push(runner.to_owned()),
            None => groups.push((text, vec![runner.to_owned()])),
        }
    }
    groups
        .into_iter()
        .map(|(text, runners)| format!("{} {text}", join_and(&runners)))
        .collect::<Vec<_>>()
        .join("; ")
}

//! Claim 2: processes are isolated, threads share memory.

use super::*;

/// The fates of the crash cells of `runners` on `workload` that apply and whose
/// outcome is known.
pub(super) fn fates<'a>(run: &Run<'a>, runners: &[&str], workload: &str) -> Vec<(&'a Cell, Fate)> {
    let jobs = crash::batch(run.results, workload);
    runners
        .iter()
        .flat_map(|r| run.all(r, workload))
        .filter(|c| crate::judge::judged(c))
        .map(|c| (c, crash::fate(c, jobs)))
        .filter(|(_, f)| !matches!(f, Fate::Unknown { .. }))
        .collect()
}

/// `processes kept 7 of 8 jobs; threads and thread-pool died (killed by signal
/// 6 (SIGABRT)), 0 of 8 kept`: runners with the same outcome at every thread
/// count grouped.
pub(super) fn fates_text(fates: &[(&Cell, Fate)], jobs: Option<usize>) -> String {
    let describe = |f: &Fate| match f {
        Fate::Survived {
            completed, jobs, ..
        } => format!("kept {completed} of {jobs} jobs"),
        Fate::Died { how } => match jobs {
            Some(j) => format!("died ({how}), 0 of {j} kept"),
            None => format!("died ({how}), no job kept"),
        },
        Fate::Unknown { why } => why.clone(),
    };
    // Per runner: its outcome, or its outcomes by thread count.
    let mut per_runner: Vec<(&str, String)> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for (cell, _) in fates {
        if seen.contains(&cell.runner.as_str()) {
            continue;
        }
        seen.push(&cell.runner);
        let mine: Vec<&(&Cell, Fate)> = fates
            .iter()
            .filter(|(c, _)| c.runner == cell.runner)
            .collect();
        let mut outcomes: Vec<(String, Vec<usize>)> = Vec::new();
        for (c, f) in &mine {
            let d = describe(f);
            match outcomes.iter_mut().find(|(x, _)| *x == d) {
                Some((_, t)) => t.push(c.threads),
                None => outcomes.push((d, vec![c.threads])),
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
        per_runner.push((&cell.runner, text));
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

/// Claim 2: an abort on processes against threads; shared memory on threads, not
/// across processes.
pub(super) fn isolation(run: &Run<'_>) -> Check {
    let claim = "Processes are isolated, threads share memory.".to_owned();
    let mut threads_side: Vec<&str> = [THREADS, THREAD_POOL]
        .into_iter()
        .filter(|r| run.results.cells.iter().any(|c| c.runner == *r))
        .collect();
    if threads_side.is_empty() {
        threads_side = vec![THREADS, THREAD_POOL];
    }
    let threads_names = names(&threads_side, "");
    let jobs = crash::batch(run.results, crash::ABORT);
    let experiment = format!(
        "`{}` and `{}` ({}one job fails midway, by aborting or panicking) on {PROCESSES} and on \
         {threads_names}; `{SHARED_MUTEX}` and `{SHARED_ATOMIC}` (state in shared memory) and \
         `{SHARED_MERGE}` (private copies merged at the end) on the same runners",
        crash::ABORT,
        crash::PANIC,
        jobs.map_or(String::new(), |j| format!("{j} jobs, ")),
    );
    let rule = "holds when an abort in one job costs processes only part of the batch but ends \
                the whole process on threads, and state in shared memory works on threads but \
                does not apply across processes; the panic and merge figures show where the two \
                do not differ."
        .to_owned();
    let mut measured = Vec::new();

    // Isolation: the abort.
    let p_abort = fates(run, &[PROCESSES], crash::ABORT);
    let t_abort = fates(run, &threads_side, crash::ABORT);
    let isolation = if p_abort.is_empty() {
        Part::Unmeasured("isolation".into(), run.missing(PROCESSES, crash::ABORT))
    } else if t_abort.is_empty() {
        Part::Unmeasured(
            "isolation".into(),
            join_and(
                &threads_side
                    .iter()
                    .map(|r| run.missing(r, crash::ABORT))
                    .collect::<Vec<_>>(),
            ),
        )
    } else {
        let all: Vec<(&Cell, Fate)> = p_abort.iter().chain(&t_abort).cloned().collect();
        measured.push(format!("`{}`: {}", crash::ABORT, fates_text(&all, jobs)));
        let p_died: Vec<&Cell> = p_abort
            .iter()
            .filter(|(_, f)| !f.survived())
            .map(|(c, _)| *c)
            .collect();
        let t_survived: Vec<&Cell> = t_abort
            .iter()
            .filter(|(_, f)| f.survived())
            .map(|(c, _)| *c)
            .collect();
        if !p_died.is_empty() {
            Part::Fails(format!(
                "an abort ended the whole process on {PROCESSES} too (at {} threads)",
                counts(&p_died)
            ))
        } else if !t_survived.is_empty() {
            let names: Vec<&str> = run.runners(|c| t_survived.iter().any(|t| std::ptr::eq(*t, c)));
            Part::Fails(format!(
                "{} survived an abort as well as {PROCESSES} did",
                names.join(" and ")
            ))
        } else {
            let lost: Vec<String> = p_abort
                .iter()
                .filter_map(|(_, f)| match f {
                    Fate::Survived { lost, jobs, .. } => Some(format!("{lost} of {jobs}")),
                    _ => None,
                })
                .fold(Vec::new(), |mut v, x| {
                    if !v.contains(&x) {
                        v.push(x);
                    }
                    v
                });
            let t_names = run.runners(|c| t_abort.iter().any(|(t, _)| std::ptr::eq(*t, c)));
            Part::Holds(format!(
                "an abort cost {PROCESSES} {} jobs but ended the whole process on {}",
                join_and(&lost),
                names(&t_names, "")
            ))
        }
    };

    // A panic, for contrast.
    let p_panic = fates(run, &[PROCESSES], crash::PANIC);
    let t_panic = fates(run, &threads_side, crash::PANIC);
    let mut note = None;
    if !p_panic.is_empty() || !t_panic.is_empty() {
        let all: Vec<(&Cell, Fate)> = p_panic.iter().chain(&t_panic).cloned().collect();
        measured.push(format!(
            "`{}`: {}",
            crash::PANIC,
            fates_text(&all, crash::batch(run.results, crash::PANIC))
        ));
        if !t_panic.is_empty() && t_panic.iter().all(|(_, f)| f.survived()) {
            let t_names = run.runners(|c| t_panic.iter().any(|(t, _)| std::ptr::eq(*t, c)));
            note = Some(format!(
                "a panic, though, unwound only its own thread: {} kept the other jobs",
                names(&t_names, "")
            ));
        }
    }

    // Memory: shared state on threads, not across processes.
    let shared_state = [SHARED_MUTEX, SHARED_ATOMIC];
    let t_shared: Vec<&str> = run.runners(|c| {
        threads_side.contains(&c.runner.as_str())
            && shared_state.contains(&c.workload.as_str())
            && c.status == Status::Ok
            && crate::judge::judged(c)
    });
    let p_cells: Vec<&Cell> = shared_state
        .iter()
        .flat_map(|w| run.all(PROCESSES, w))
        .collect();
    let state_names = format!("`{SHARED_MUTEX}` and `{SHARED_ATOMIC}`");
    let sharing = if p_cells.is_empty() {
        let anywhere = run
            .results
            .cells
            .iter()
            .any(|c| shared_state.contains(&c.workload.as_str()));
        Part::Unmeasured(
            "shared memory".into(),
            if anywhere {
                format!("{state_names} did not run on {PROCESSES}")
            } else {
                format!("{state_names} did not run")
            },
        )
    } else if t_shared.is_empty() {
        Part::Unmeasured(
            "shared memory".into(),
            format!(
                "{state_names} finished on neither {}",
                join_and(
                    &threads_side
                        .iter()
                        .map(|s| s.to_string())
                        .collect::<Vec<_>>()
                )
            ),
        )
    } else if p_cells
        .iter()
        .any(|c| c.status == Status::Ok && crate::judge::judged(c))
    {
        measured.push(format!(
            "{state_names}: finished on {} and on {PROCESSES}",
            names(&t_shared, "")
        ));
        Part::Fails(format!(
            "state in shared memory worked across {PROCESSES} too"
        ))
    } else if p_cells.iter().all(|c| !c.applies()) {
        let reason = p_cells[0]
            .error
            .as_deref()
            .map_or(String::new(), |e| format!(" — {}", escape_inline(e.trim())));
        measured.push(format!(
            "{state_names}: finished on {}; on {PROCESSES} they do not apply{reason}",
            names(&t_shared, "")
        ));
        Part::Holds(format!(
            "state in shared memory worked on {} and does not apply to {PROCESSES}",
            names(&t_shared, "")
        ))
    } else {
        Part::Unmeasured(
            "shared memory".into(),
            run.missing(PROCESSES, shared_state[0]),
        )
    };
    let merged: Vec<&str> = run.runners(|c| {
        c.workload == SHARED_MERGE
            && c.status == Status::Ok
            && crate::judge::judged(c)
            && (c.runner == PROCESSES || threads_side.contains(&c.runner.as_str()))
    });
    if !merged.is_empty() {
        measured.push(format!(
            "`{SHARED_MERGE}`: finished on {}",
            names(&merged, "")
        ));
    }

    let (verdict, mut why) = combine(vec![("for crashes", isolation), ("for memory", sharing)]);
    if verdict != Verdict::NotMeasured {
        if let Some(note) = note {
            write!(why, "; {note}").expect("write to String");
        }
        if merged.contains(&PROCESSES) && merged.len() > 1 {
            why.push_str("; merging private copies worked on both");
        }
    }
    // Until this claim derives a typed finding, its † is read from its words.
    let measured = if verdict == Verdict::NotMeasured {
        Vec::new()
    } else {
        measured
    };
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

//! Claim 4: parallelism needs several cores.

use super::*;

/// Claim 4: speedup bounded by min(threads, cores); threads beyond the cores.
pub(super) fn cores_bound(run: &Run<'_>) -> Check {
    let claim = "Parallelism needs several cores.".to_owned();
    let parallel = run.runners(|c| {
        matches!(c.class, Class::Parallel | Class::ConcurrentParallel)
            && run.knob(&c.runner) != Some(PER_TASK_KNOB)
            && c.workload == CPU
    });
    let cells: Vec<&Cell> = parallel
        .iter()
        .flat_map(|r| run.finished(r, CPU))
        .filter(|c| run.speedup(c).is_some())
        .collect();
    let experiment = format!(
        "`{CPU}` on the runners whose thread count sets their workers ({}){}, on {} logical \
         cores, against `seq`",
        names(&parallel, "parallel classes"),
        if cells.is_empty() {
            String::new()
        } else {
            format!(" at {} threads", counts(&cells))
        },
        run.cores
    );
    let rule = format!(
        "holds when speedup is bounded by min(threads, cores) (no cell exceeds it by more than \
         {:.0}%) and threads beyond the cores buy nothing on CPU work (on each runner they raise \
         its speedup at the core count by at most {:.0}%).",
        BOUND_SLACK * 100.0,
        (BEYOND_GAIN - 1.0) * 100.0
    );
    if !cells.iter().any(|c| c.threads > 1) {
        let missing = match run.missing_seq(CPU) {
            Some(m) => vec![m],
            None if parallel.is_empty() => {
                vec![format!("no multithreaded runner ran `{CPU}`")]
            }
            None => vec![format!(
                "`{CPU}` finished at no thread count above 1 on {}",
                names(&parallel, "")
            )],
        };
        return not_measured(claim, experiment, rule, &missing);
    }
    let measured: Vec<String> = parallel
        .iter()
        .filter_map(|r| {
            let mine: Vec<&Cell> = cells.iter().copied().filter(|c| c.runner == *r).collect();
            if mine.is_empty() {
                return None;
            }
            let values: Vec<String> = mine.iter().map(|c| run.sx(c)).collect();
            Some(format!(
                "{r} at {} threads: {}",
                counts(&mine),
                join_and(&values)
            ))
        })
        .collect();
    let bound = |c: &Cell| c.threads.min(run.cores) as f64;
    let share = |c: &Cell| run.speedup(c).unwrap() / bound(c);
    let worst = cells
        .iter()
        .copied()
        .max_by(|a, b| share(a).total_cmp(&share(b)))
        .expect("not empty");
    // The closest to its bound among the cells that had more than one thread.
    let closest = cells
        .iter()
        .copied()
        .filter(|c| c.threads > 1)
        .max_by(|a, b| share(a).total_cmp(&share(b)))
        .expect("a cell above one thread");
    let bound_part = if share(worst) <= 1.0 + BOUND_SLACK {
        Part::Holds(format!(
            "no cell exceeded min(threads, cores); the closest above one thread was {} at {}, {} \
             against a bound of {}",
            closest.runner,
            threads(closest.threads),
            run.sx(closest),
            bound(closest)
        ))
    } else {
        Part::Fails(format!(
            "{} at {} reached {}, above min(threads, cores) = {}",
            worst.runner,
            threads(worst.threads),
            run.sx(worst),
            bound(worst)
        ))
    };
    // Threads beyond the cores against the same runner at the core count.
    let mut beyond: Vec<(&Cell, &Cell, f64)> = Vec::new();
    for r in &parallel {
        let mine: Vec<&Cell> = cells.iter().copied().filter(|c| c.runner == *r).collect();
        let Some(reference) = mine
            .iter()
            .copied()
            .filter(|c| c.threads <= run.cores)
            .max_by_key(|c| c.threads)
        else {
            continue;
        };
        for above in mine.iter().copied().filter(|c| c.threads > run.cores) {
            let gain = run.speedup(above).unwrap() / run.speedup(reference).unwrap();
            beyond.push((above, reference, gain));
        }
    }
    let beyond_part = match beyond.iter().max_by(|a, b| a.2.total_cmp(&b.2)) {
        None => Part::Unmeasured(
            "threads beyond the cores".into(),
            format!("no thread count above the {} logical cores", run.cores),
        ),
        Some(&(_, _, gain)) if gain <= BEYOND_GAIN => {
            let low = beyond.iter().map(|b| b.2).fold(f64::INFINITY, f64::min);
            let range = if times(low) == times(gain) {
                times(gain)
            } else {
                format!("{} to {}", times(low), times(gain))
            };
            let above: Vec<&Cell> = beyond.iter().map(|b| b.0).collect();
            let reference: Vec<&Cell> = beyond.iter().map(|b| b.1).collect();
            Part::Holds(format!(
                "threads beyond the {} cores bought nothing: at {} threads the runners reached \
                 {range} their speedup at {} threads",
                run.cores,
                counts(&above),
                counts(&reference)
            ))
        }
        Some(&(above, reference, gain)) => Part::Fails(format!(
            "{} gained a further {} from {} over {}",
            above.runner,
            times(gain),
            threads(above.threads),
            reference.threads
        )),
    };
    let (verdict, why) = combine(vec![
        ("as a bound on speedup", bound_part),
        ("for threads beyond the cores", beyond_part),
    ]);
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

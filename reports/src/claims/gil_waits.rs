//! Claim 7: under a GIL, I/O-bound threads still overlap their waits.

use super::*;

/// Claim 7: waits under a global lock.
pub(super) fn gil_waits(run: &Run<'_>) -> Check {
    let claim = "Under a GIL, I/O-bound threads still overlap their waits.".to_owned();
    let (gil, cells) = locked_cells(run, SLEEP);
    let experiment = format!(
        "`{SLEEP}` at more than one thread on {}, against `seq` and {THREAD_POOL} at the same \
         thread counts",
        locked_names(&gil, ", released while a thread waits")
    );
    let rule = format!(
        "holds when every cell of a runner with a global lock at N > 1 threads reaches half the \
         ideal N× over `seq` (1 + (N − 1)/2: {}× at 2 threads).",
        1.0 + HELPS
    );
    let cells = match cells {
        Ok(cells) => cells,
        Err(missing) => return not_measured(claim, experiment, rule, &missing),
    };
    let mut measured = Vec::new();
    for r in &gil {
        let mine: Vec<&Cell> = cells.iter().copied().filter(|c| c.runner == *r).collect();
        if !mine.is_empty() {
            measured.push(speedups_line(run, r, &mine));
        }
    }
    let pairs: Vec<(&Cell, Option<&Cell>)> = cells
        .iter()
        .map(|c| (*c, run.at(THREAD_POOL, SLEEP, c.threads)))
        .collect();
    let mut free: Vec<&Cell> = Vec::new();
    for (_, f) in &pairs {
        if let Some(f) = f {
            if !free.iter().any(|x| std::ptr::eq(*x, *f)) {
                free.push(f);
            }
        }
    }
    free.sort_by_key(|c| c.threads);
    if !free.is_empty() {
        measured.push(speedups_line(run, THREAD_POOL, &free));
    }
    let short: Vec<&Cell> = cells
        .iter()
        .copied()
        .filter(|c| !helps(run.speedup(c).unwrap(), c.threads as f64))
        .collect();
    let (verdict, why) = if short.is_empty() {
        let values: Vec<String> = cells
            .iter()
            .map(|c| format!("{} at {} threads", run.sx(c), c.threads))
            .collect();
        let mut why = format!(
            "waits release the lock, so the threads overlapped them: {}",
            join_and(&values)
        );
        let shares: Vec<String> = pairs
            .iter()
            .filter_map(|(g, f)| {
                let f = (*f)?;
                Some(format!("{:.0}%", run.speedup(g)? / run.speedup(f)? * 100.0))
            })
            .collect();
        if !shares.is_empty() {
            write!(
                why,
                ", {} of {THREAD_POOL}'s at the same thread count{}",
                join_and(&shares),
                if shares.len() > 1 { "s" } else { "" }
            )
            .expect("write to String");
        }
        (Verdict::Holds, why)
    } else {
        let values: Vec<String> = short
            .iter()
            .map(|c| {
                format!(
                    "{} at {} threads reached only {} (half the ideal: {})",
                    c.runner,
                    c.threads,
                    run.sx(c),
                    times(1.0 + HELPS * (c.threads as f64 - 1.0))
                )
            })
            .collect();
        (Verdict::DoesNotHold, join_and(&values))
    };
    Check {
        claim,
        experiment,
        rule,
        measured,
        verdict,
        why,
    }
}

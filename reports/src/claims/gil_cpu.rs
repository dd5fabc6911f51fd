//! Claim 6: under a GIL, CPU-bound threads gain nothing.

use super::*;

/// Claim 6: CPU work under a global lock.
pub(super) fn gil_cpu(run: &Run<'_>) -> Check {
    let claim = "Under a GIL, CPU-bound threads gain nothing.".to_owned();
    let (gil, cells) = locked_cells(run, CPU);
    let experiment = format!(
        "`{CPU}` at more than one thread on {}, against `seq` and {THREAD_POOL} (the same \
         threads without the lock) at the same thread counts",
        locked_names(&gil, "")
    );
    let rule = format!(
        "holds when every cell of a runner with a global lock at more than one thread stays at \
         or below {NO_GAIN}× `seq`."
    );
    let cells = match cells {
        Ok(cells) => cells,
        Err(missing) => return not_measured(claim, experiment, rule, &missing),
    };
    let mut measured = Vec::new();
    for r in &gil {
        let mine: Vec<&Cell> = cells.iter().copied().filter(|c| c.runner == *r).collect();
        if mine.is_empty() {
            continue;
        }
        let util: Vec<String> = mine.iter().map(|c| cores(run.util(c))).collect();
        measured.push(format!(
            "{} `seq`, on {} cores",
            speedups_line(run, r, &mine),
            join_and(&util)
        ));
    }
    let free: Vec<&Cell> = cells
        .iter()
        .filter_map(|c| run.at(THREAD_POOL, CPU, c.threads))
        .fold(Vec::new(), |mut v, c| {
            if !v.iter().any(|x: &&Cell| std::ptr::eq(*x, c)) {
                v.push(c);
            }
            v
        });
    if !free.is_empty() {
        measured.push(speedups_line(run, THREAD_POOL, &free));
    }
    let top = cells
        .iter()
        .copied()
        .max_by(|a, b| run.speedup(a).unwrap().total_cmp(&run.speedup(b).unwrap()))
        .expect("not empty");
    let most_threads = cells.iter().map(|c| c.threads).max().unwrap_or(1);
    let busiest = cells
        .iter()
        .map(|c| run.util(c))
        .fold(f64::NEG_INFINITY, f64::max);
    let (verdict, mut why) = if run.speedup(top).unwrap() <= NO_GAIN {
        (
            Verdict::Holds,
            format!(
                "one thread ran at a time: at most {} `seq` with up to {most_threads} threads, \
                 at most {} cores busy",
                run.sx(top),
                cores(busiest)
            ),
        )
    } else {
        (
            Verdict::DoesNotHold,
            format!(
                "{} at {} threads ran CPU work at {} `seq`",
                top.runner,
                top.threads,
                run.sx(top)
            ),
        )
    };
    if let Some(best) = free
        .iter()
        .copied()
        .max_by(|a, b| run.speedup(a).unwrap().total_cmp(&run.speedup(b).unwrap()))
    {
        write!(
            why,
            ", where the same threads without the lock reached up to {}",
            run.sx(best)
        )
        .expect("write to String");
    }
    Check {
        claim,
        experiment,
        rule,
        measured,
        verdict,
        why,
    }
}

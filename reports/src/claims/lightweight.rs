//! Claim 1: threads are lightweight, processes are not.

use super::*;

/// Claim 1: creation cost and memory of a task, a thread and a process, from
/// `spawn`.
pub(super) fn lightweight(run: &Run<'_>) -> Check {
    let claim = "Threads are lightweight, processes are not.".to_owned();
    let per_task = run.runners(|c| run.knob(&c.runner) == Some(PER_TASK_KNOB));
    let experiment = format!(
        "`{SPAWN}` creates and joins one unit per task and measures the memory each holds: an \
         async task (the async runners), an OS thread ({}, one per task) and a process \
         ({PROCESSES}, one fresh process per task)",
        names(&per_task, "a runner with one OS thread per task")
    );
    let rule = format!(
        "holds when a process costs at least {HEAVIER}× a thread both to create and in memory; \
         holds only for the one of the two where it does; does not hold when neither."
    );
    let both = |c: &&Cell| metric(c, NS_PER_TASK).is_some() && metric(c, RSS_PER_TASK).is_some();
    let thread = per_task
        .iter()
        .filter_map(|r| run.point(r, SPAWN))
        .find(|c| both(c));
    let process = run
        .point(PROCESSES, SPAWN)
        .filter(|c| metric(c, NS_PER_TASK).is_some());
    // The memory of one worker process: on `spawn`, else on the first workload
    // that has it.
    let process_memory = std::iter::once(SPAWN)
        .chain(run.workloads.iter().copied())
        .filter_map(|w| run.point(PROCESSES, w))
        .find_map(|c| Some((metric(c, RSS_PER_PROCESS)?, c)));

    let mut missing = Vec::new();
    if thread.is_none() {
        missing.push(match per_task.first() {
            Some(r) if run.point(r, SPAWN).is_some() => {
                format!("`{SPAWN}` on {r} recorded no time or memory per thread")
            }
            Some(r) => run.missing(r, SPAWN),
            None => format!("no runner with one OS thread per task ran `{SPAWN}`"),
        });
    }
    if process.is_none() {
        missing.push(run.missing(PROCESSES, SPAWN));
    } else if process_memory.is_none() {
        missing.push(format!(
            "{PROCESSES} recorded no memory per worker process (`{RSS_PER_PROCESS}`)"
        ));
    }
    let (Some(thread), Some(process), Some((p_mem, p_mem_cell))) =
        (thread, process, process_memory)
    else {
        return not_measured(claim, experiment, rule, &missing);
    };
    let t_ns = metric(thread, NS_PER_TASK).expect("checked");
    let t_mem = metric(thread, RSS_PER_TASK).expect("checked");
    let p_ns = metric(process, NS_PER_TASK).expect("checked");

    let mut measured = Vec::new();
    // The cheapest async task, on each measure.
    let tasks: Vec<&Cell> = run
        .runners(|c| c.workload == SPAWN && c.family != Family::OsScheduler)
        .iter()
        .flat_map(|r| run.finished(r, SPAWN))
        .collect();
    let cheapest = |key: &str| {
        tasks
            .iter()
            .filter_map(|c| Some((metric(c, key)?, *c)))
            .min_by(|a, b| a.0.total_cmp(&b.0))
    };
    let task = cheapest(NS_PER_TASK).zip(cheapest(RSS_PER_TASK));
    if let Some(((ns_v, ns_c), (mem_v, mem_c))) = task {
        measured.push(if std::ptr::eq(ns_c, mem_c) {
            format!(
                "an async task: {} and {} ({}, the cheapest)",
                ns(ns_v),
                bytes(mem_v),
                who(run, ns_c)
            )
        } else {
            format!(
                "an async task: {} ({}) and {} ({}), the cheapest",
                ns(ns_v),
                who(run, ns_c),
                bytes(mem_v),
                who(run, mem_c)
            )
        });
    }
    measured.push(format!(
        "an OS thread: {} and {} ({})",
        ns(t_ns),
        bytes(t_mem),
        who(run, thread)
    ));
    let where_memory = if p_mem_cell.workload == SPAWN {
        String::new()
    } else {
        format!(", measured on `{}`", p_mem_cell.workload)
    };
    measured.push(format!(
        "a process: {} ({}) and {} (proportional set size of one worker process{where_memory})",
        ns(p_ns),
        who(run, process),
        bytes(p_mem)
    ));

    let create = p_ns / t_ns;
    let memory = p_mem / t_mem;
    let (heavy_create, heavy_memory) = (create >= HEAVIER, memory >= HEAVIER);
    let (verdict, mut why) = match (heavy_create, heavy_memory) {
        (true, true) => (
            Verdict::Holds,
            format!(
                "a process cost {} a thread to create and join and {} its memory",
                times(create),
                times(memory)
            ),
        ),
        (true, false) => (
            Verdict::HoldsOnly("for creation cost".into()),
            format!(
                "a process cost {} a thread to create and join, but only {} its memory",
                times(create),
                times(memory)
            ),
        ),
        (false, true) => (
            Verdict::HoldsOnly("for memory".into()),
            format!(
                "a process held {} a thread's memory, but cost only {} its time to create and \
                 join",
                times(memory),
                times(create)
            ),
        ),
        (false, false) => (
            Verdict::DoesNotHold,
            format!(
                "a process cost only {} a thread to create and join and {} its memory",
                times(create),
                times(memory)
            ),
        ),
    };
    if let Some(((ns_v, _), (mem_v, _))) = task {
        write!(
            why,
            ". Lightweight is relative: a thread cost {} an async task to create and join and {} \
             its memory",
            times(t_ns / ns_v),
            times(t_mem / mem_v)
        )
        .expect("write to String");
    }
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

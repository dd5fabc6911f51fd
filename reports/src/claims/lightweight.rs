//! Claim 1: threads are lightweight, processes are not.

use super::*;

/// Claim 1, derived and rendered.
pub(super) struct Lightweight;

/// Claim 1 on this run: creation cost and memory of a task, a thread and a
/// process, from `spawn`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct LightweightFinding {
    /// The runners with one OS thread per task, in report order.
    pub(super) per_task_runners: Vec<String>,
    pub(super) outcome: Outcome<LightweightMeasured, LightweightGap>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) enum LightweightGap {
    Missing(Absence),
    /// The runner ran `spawn` but recorded no time or memory per thread.
    NoThreadMeasures {
        runner: String,
    },
    NoPerTaskRunner,
    /// Processes recorded no memory per worker process on any workload.
    NoProcessMemory,
}

/// A cell, and whether its runner finished the workload at several thread
/// counts (then the thread count is worth saying).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Who {
    pub(super) cell: CellRef,
    pub(super) several_counts: bool,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct LightweightMeasured {
    /// The cheapest async task, when one was measured.
    pub(super) task: Option<TaskCost>,
    pub(super) thread: Who,
    /// Per thread: ns to create and join, and bytes resident.
    pub(super) thread_ns: f64,
    pub(super) thread_bytes: f64,
    pub(super) process: Who,
    pub(super) process_ns: f64,
    /// Proportional set size of one worker process, and where it was measured.
    pub(super) process_bytes: f64,
    pub(super) process_bytes_workload: String,
    /// A process over a thread, to create and in memory.
    pub(super) create: f64,
    pub(super) memory: f64,
    /// Whether each reaches [`HEAVIER`].
    pub(super) heavy_create: bool,
    pub(super) heavy_memory: bool,
    pub(super) verdict: Verdict,
}

/// The cheapest async task on each measure, and a thread over it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TaskCost {
    pub(super) ns: f64,
    pub(super) ns_cell: Who,
    pub(super) bytes: f64,
    pub(super) bytes_cell: Who,
    pub(super) thread_create: f64,
    pub(super) thread_memory: f64,
}

fn who(run: &Run<'_>, cell: &Cell) -> Who {
    Who {
        cell: CellRef::of(cell),
        several_counts: run.finished(&cell.runner, &cell.workload).len() > 1,
    }
}

impl Claim for Lightweight {
    type Finding = LightweightFinding;

    fn derive(run: &Run<'_>) -> LightweightFinding {
        let per_task = run.runners(|c| run.knob(&c.runner) == Some(PER_TASK_KNOB));
        let finding = |outcome| LightweightFinding {
            per_task_runners: owned(&per_task),
            outcome,
        };
        let both =
            |c: &&Cell| metric(c, NS_PER_TASK).is_some() && metric(c, RSS_PER_TASK).is_some();
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

        let mut gaps = Vec::new();
        if thread.is_none() {
            gaps.push(match per_task.first() {
                Some(r) if run.point(r, SPAWN).is_some() => LightweightGap::NoThreadMeasures {
                    runner: r.to_string(),
                },
                Some(r) => LightweightGap::Missing(run.absence(r, SPAWN)),
                None => LightweightGap::NoPerTaskRunner,
            });
        }
        if process.is_none() {
            gaps.push(LightweightGap::Missing(run.absence(PROCESSES, SPAWN)));
        } else if process_memory.is_none() {
            gaps.push(LightweightGap::NoProcessMemory);
        }
        let (Some(thread), Some(process), Some((p_mem, p_mem_cell))) =
            (thread, process, process_memory)
        else {
            return finding(Outcome::NotMeasured(gaps));
        };
        let t_ns = metric(thread, NS_PER_TASK).expect("checked");
        let t_mem = metric(thread, RSS_PER_TASK).expect("checked");
        let p_ns = metric(process, NS_PER_TASK).expect("checked");

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
        let task = cheapest(NS_PER_TASK).zip(cheapest(RSS_PER_TASK)).map(
            |((ns_v, ns_c), (mem_v, mem_c))| TaskCost {
                ns: ns_v,
                ns_cell: who(run, ns_c),
                bytes: mem_v,
                bytes_cell: who(run, mem_c),
                thread_create: t_ns / ns_v,
                thread_memory: t_mem / mem_v,
            },
        );
        let create = p_ns / t_ns;
        let memory = p_mem / t_mem;
        let (heavy_create, heavy_memory) = (create >= HEAVIER, memory >= HEAVIER);
        let verdict = match (heavy_create, heavy_memory) {
            (true, true) => Verdict::Holds,
            (true, false) => Verdict::HoldsOnly("for creation cost".into()),
            (false, true) => Verdict::HoldsOnly("for memory".into()),
            (false, false) => Verdict::DoesNotHold,
        };
        finding(Outcome::Measured(LightweightMeasured {
            task,
            thread: who(run, thread),
            thread_ns: t_ns,
            thread_bytes: t_mem,
            process: who(run, process),
            process_ns: p_ns,
            process_bytes: p_mem,
            process_bytes_workload: p_mem_cell.workload.clone(),
            create,
            memory,
            heavy_create,
            heavy_memory,
            verdict,
        }))
    }

    fn render(finding: &LightweightFinding) -> Check {
        let claim = "Threads are lightweight, processes are not.".to_owned();
        let experiment = format!(
            "`{SPAWN}` creates and joins one unit per task and measures the memory each holds: \
             an async task (the async runners), an OS thread ({}, one per task) and a process \
             ({PROCESSES}, one fresh process per task)",
            names(
                &finding.per_task_runners,
                "a runner with one OS thread per task"
            )
        );
        let rule = format!(
            "holds when a process costs at least {HEAVIER}× a thread both to create and in \
             memory; holds only for the one of the two where it does; does not hold when \
             neither."
        );
        let m = match &finding.outcome {
            Outcome::Measured(m) => m,
            Outcome::NotMeasured(gaps) => {
                let gaps: Vec<String> = gaps
                    .iter()
                    .map(|gap| match gap {
                        LightweightGap::Missing(absence) => absence.text(),
                        LightweightGap::NoThreadMeasures { runner } => {
                            format!("`{SPAWN}` on {runner} recorded no time or memory per thread")
                        }
                        LightweightGap::NoPerTaskRunner => {
                            format!("no runner with one OS thread per task ran `{SPAWN}`")
                        }
                        LightweightGap::NoProcessMemory => format!(
                            "{PROCESSES} recorded no memory per worker process \
                             (`{RSS_PER_PROCESS}`)"
                        ),
                    })
                    .collect();
                return not_measured(claim, experiment, rule, &gaps);
            }
        };
        let mut measured = Vec::new();
        if let Some(task) = &m.task {
            measured.push(if task.ns_cell.cell == task.bytes_cell.cell {
                format!(
                    "an async task: {} and {} ({}, the cheapest)",
                    ns(task.ns),
                    bytes(task.bytes),
                    who_text(&task.ns_cell)
                )
            } else {
                format!(
                    "an async task: {} ({}) and {} ({}), the cheapest",
                    ns(task.ns),
                    who_text(&task.ns_cell),
                    bytes(task.bytes),
                    who_text(&task.bytes_cell)
                )
            });
        }
        measured.push(format!(
            "an OS thread: {} and {} ({})",
            ns(m.thread_ns),
            bytes(m.thread_bytes),
            who_text(&m.thread)
        ));
        let where_memory = if m.process_bytes_workload == SPAWN {
            String::new()
        } else {
            format!(", measured on `{}`", m.process_bytes_workload)
        };
        measured.push(format!(
            "a process: {} ({}) and {} (proportional set size of one worker \
             process{where_memory})",
            ns(m.process_ns),
            who_text(&m.process),
            bytes(m.process_bytes)
        ));
        let (create, memory) = (times(m.create), times(m.memory));
        let mut why = match (m.heavy_create, m.heavy_memory) {
            (true, true) => format!(
                "a process cost {create} a thread to create and join and {memory} its memory"
            ),
            (true, false) => format!(
                "a process cost {create} a thread to create and join, but only {memory} its \
                 memory"
            ),
            (false, true) => format!(
                "a process held {memory} a thread's memory, but cost only {create} its time to \
                 create and join"
            ),
            (false, false) => format!(
                "a process cost only {create} a thread to create and join and {memory} its \
                 memory"
            ),
        };
        if let Some(task) = &m.task {
            write!(
                why,
                ". Lightweight is relative: a thread cost {} an async task to create and join \
                 and {} its memory",
                times(task.thread_create),
                times(task.thread_memory)
            )
            .expect("write to String");
        }
        Check {
            claim,
            experiment,
            rule,
            measured,
            verdict: m.verdict.clone(),
            why,
            // No speedup is shown.
            extrapolated: false,
            also: None,
            against: None,
        }
    }
}

/// `runner` alone, or `runner at N threads` when it ran the workload finished
/// at several thread counts.
fn who_text(who: &Who) -> String {
    if who.several_counts {
        format!("{} at {}", who.cell.runner, threads(who.cell.threads))
    } else {
        who.cell.runner.clone()
    }
}

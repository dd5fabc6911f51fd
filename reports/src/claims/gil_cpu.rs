//! Claim 6: under a GIL, CPU-bound threads gain nothing.

use super::interpreter::{self, AgainstInterpreter};
use super::*;

/// Claim 6, derived and rendered.
pub(super) struct GilCpu;

/// Claim 6 on this run: CPU work under a global lock.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct GilCpuFinding {
    /// The runners with a global lock, in report order.
    pub(super) locked_runners: Vec<String>,
    pub(super) outcome: Outcome<GilCpuMeasured, LockedGap>,
    /// The lock's threads beside CPython's on `cpu`, and the rule applied to
    /// CPython's; absent when no runner of an interpreter ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) against_cpython: Option<AgainstInterpreter>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct GilCpuMeasured {
    /// The cells of the runners with a global lock at more than one thread.
    pub(super) locked: Vec<Speedup>,
    /// [`THREAD_POOL`] at the same thread counts: the same threads without the lock.
    pub(super) free: Vec<Speedup>,
    /// The fastest locked cell.
    pub(super) top: Speedup,
    /// The most threads a locked cell ran.
    pub(super) most_threads: usize,
    /// The most cores a locked cell kept busy.
    pub(super) busiest_cores: f64,
    /// The fastest cell of [`THREAD_POOL`] among `free`.
    pub(super) best_free: Option<Speedup>,
    pub(super) verdict: Verdict,
}

impl Claim for GilCpu {
    type Finding = GilCpuFinding;

    fn derive(run: &Run<'_>) -> GilCpuFinding {
        let (gil, cells) = locked_cells(run, CPU);
        let outcome = match cells {
            Ok(cells) => Outcome::Measured(measure(run, &cells)),
            Err(gaps) => Outcome::NotMeasured(gaps),
        };
        let verdict = match &outcome {
            Outcome::Measured(m) => Some(&m.verdict),
            Outcome::NotMeasured(_) => None,
        };
        let against_cpython = interpreter::against_locked(run, CPU, verdict, rule);
        GilCpuFinding {
            locked_runners: owned(&gil),
            outcome,
            against_cpython,
        }
    }

    fn render(finding: &GilCpuFinding) -> Check {
        let claim = "Under a GIL, CPU-bound threads gain nothing.".to_owned();
        let experiment = format!(
            "`{CPU}` at more than one thread on {}, against `seq` and {THREAD_POOL} (the same \
             threads without the lock) at the same thread counts",
            locked_names(&finding.locked_runners, "")
        );
        let rule = format!(
            "holds when every cell of a runner with a global lock at more than one thread stays \
             at or below {NO_GAIN}× `seq`."
        );
        let m = match &finding.outcome {
            Outcome::Measured(m) => m,
            Outcome::NotMeasured(gaps) => {
                let gaps: Vec<String> = gaps.iter().map(LockedGap::text).collect();
                let mut check = not_measured(claim, experiment, rule, &gaps);
                check.against = finding.against_cpython.as_ref().map(interpreter::words);
                return check;
            }
        };
        let mut measured = Vec::new();
        for r in &finding.locked_runners {
            let mine = of_runner(&m.locked, r);
            if mine.is_empty() {
                continue;
            }
            let util: Vec<String> = mine.iter().map(|s| cores(s.cores)).collect();
            measured.push(format!(
                "{} `seq`, on {} cores",
                speedups_line(r, &mine),
                join_and(&util)
            ));
        }
        if !m.free.is_empty() {
            measured.push(speedups_line(
                THREAD_POOL,
                &m.free.iter().collect::<Vec<_>>(),
            ));
        }
        let mut why = match m.verdict {
            Verdict::Holds => format!(
                "one thread ran at a time: at most {} `seq` with up to {} threads, at most {} \
                 cores busy",
                sx(&m.top),
                m.most_threads,
                cores(m.busiest_cores)
            ),
            _ => format!(
                "{} at {} threads ran CPU work at {} `seq`",
                m.top.cell.runner,
                m.top.cell.threads,
                sx(&m.top)
            ),
        };
        if let Some(best) = &m.best_free {
            write!(
                why,
                ", where the same threads without the lock reached up to {}",
                sx(best)
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
            extrapolated: m.locked.iter().chain(&m.free).any(|s| s.extrapolated),
            also: None,
            against: finding.against_cpython.as_ref().map(interpreter::words),
        }
    }
}

/// The locked cells `cells` (above one thread, with a speedup) measured.
fn measure(run: &Run<'_>, cells: &[&Cell]) -> GilCpuMeasured {
    let locked: Vec<Speedup> = cells.iter().map(|c| run.speedup_of(c)).collect();
    let mut free: Vec<Speedup> = Vec::new();
    for c in cells
        .iter()
        .filter_map(|c| run.at(THREAD_POOL, CPU, c.threads))
    {
        let s = run.speedup_of(c);
        if !free.iter().any(|f| f.cell == s.cell) {
            free.push(s);
        }
    }
    let top = locked
        .iter()
        .max_by(|a, b| a.value().total_cmp(&b.value()))
        .expect("not empty")
        .clone();
    let best_free = free
        .iter()
        .max_by(|a, b| a.value().total_cmp(&b.value()))
        .cloned();
    let verdict = rule(&locked);
    GilCpuMeasured {
        most_threads: cells.iter().map(|c| c.threads).max().unwrap_or(1),
        busiest_cores: locked
            .iter()
            .map(|s| s.cores)
            .fold(f64::NEG_INFINITY, f64::max),
        locked,
        free,
        top,
        best_free,
        verdict,
    }
}

/// The claim's rule: it holds when every cell of threads under a global lock
/// (above one thread) stays at or below [`NO_GAIN`] over its baseline.
fn rule(locked: &[Speedup]) -> Verdict {
    if locked.iter().all(|s| s.value() <= NO_GAIN) {
        Verdict::Holds
    } else {
        Verdict::DoesNotHold
    }
}

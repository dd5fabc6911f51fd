//! `crash-panic` and `crash-abort`: how far one failing job reaches. J jobs of CPU
//! kernel work run through [`Strategy::run_isolated`]; job J/2 fails halfway through
//! its work, by panicking (`crash-panic`) or by calling [`std::process::abort`]
//! (`crash-abort`). A panic unwinds only its own thread, so every runner that catches
//! it per job keeps the other J − 1 results; an abort ends the process it runs in, so
//! on a thread it takes the whole cell down (the cell fails with SIGABRT: that failure
//! is the evidence), while on `processes` it kills one worker process, whose job is
//! recorded as lost while a replacement finishes the rest.
//!
//! Verification: the checksum is the wrapping sum of the completed jobs' shares plus
//! a tag for each failed job, and the expected value is computed for "every job but
//! J/2 completed, J/2 failed": a run that lost another job, lost none, or lost more,
//! fails. Opt-in ([`Workload::OPT_IN`]): run with `compare --crash` or by name.
//!
//! Async runners are n/a: a task cannot be isolated from the process it shares with
//! every other task (an abort ends them all, as on threads), and the comparison here
//! is between OS threads and processes.

use crate::{FitContext, Fitted, Metric, Preset, Workload, kernel};
use rtcompare_api::ids;
use rtcompare_api::{AsyncRuntime, Outcome, Strategy, WorkloadKind};
use serde::Serialize;
use std::marker::PhantomData;

/// J jobs, one of which fails midway in the manner `F` says.
pub struct Crash<F>(PhantomData<F>);

/// How the failing job fails.
pub trait Failure: Send + Sync + 'static {
    /// The workload id.
    const ID: &'static str;
    /// One line on what it does.
    const SUMMARY: &'static str;
    /// Fails the calling job; never returns.
    fn fail(job: usize) -> !;
}

/// The failing job panics.
pub struct Panic;

/// The failing job aborts the process it runs in.
pub struct Abort;

impl Failure for Panic {
    const ID: &'static str = ids::workload::CRASH_PANIC;
    const SUMMARY: &'static str =
        "J CPU jobs, one panics midway: runners that catch a panic per job keep the other J-1";

    fn fail(job: usize) -> ! {
        panic!("crash-panic: job {job} panics midway, on purpose");
    }
}

impl Failure for Abort {
    const ID: &'static str = ids::workload::CRASH_ABORT;
    const SUMMARY: &'static str = "J CPU jobs, one aborts its process midway: a thread takes the cell with it, a worker process only itself";

    fn fail(job: usize) -> ! {
        eprintln!("crash-abort: job {job} aborts its process midway, on purpose");
        std::process::abort();
    }
}

/// What one crash run does.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct CrashParams {
    /// Jobs (J).
    pub jobs: usize,
    /// Kernel steps per job.
    pub steps: u64,
    /// The job that fails, halfway through its steps (J/2).
    pub failing_job: usize,
}

/// About 10 ms of kernel work (1.2 ns per step on the reference machine).
const STEPS_10_MS: u64 = 8_300_000;

/// Folded into the checksum for each failed job, so the checksum says which failed.
const FAILED: u64 = 0xFA11_ED00_0000_0000;

/// The share of the checksum a failed job contributes.
fn failure_tag(job: usize) -> u64 {
    kernel::seed(FAILED ^ job as u64)
}

/// Runs job `index`, failing midway if it is the failing job.
fn job<F: Failure>(p: &CrashParams, index: usize) -> u64 {
    let half = p.steps / 2;
    let midway = kernel::spin(kernel::seed(index as u64), half);
    if index == p.failing_job {
        F::fail(index);
    }
    let value = kernel::spin(midway, p.steps - half);
    kernel::contribution(index as u64, value)
}

impl<F: Failure> Workload for Crash<F> {
    const ID: &'static str = F::ID;
    const KIND: WorkloadKind = WorkloadKind::Fault;
    const SUMMARY: &'static str = F::SUMMARY;
    const OPT_IN: bool = true;
    const METRICS: &'static [Metric] = &[
        Metric {
            key: ids::metric::JOBS,
            header: "jobs",
            about: "jobs submitted",
        },
        Metric {
            key: ids::metric::JOBS_COMPLETED,
            header: "completed",
            about: "jobs whose result was kept",
        },
        Metric {
            key: ids::metric::JOBS_LOST,
            header: "lost",
            about: "jobs that failed (the failing job, and any the failure took with it)",
        },
    ];
    type Params = CrashParams;

    fn params(preset: Preset) -> CrashParams {
        let jobs = 8;
        let steps = match preset {
            Preset::Tiny => STEPS_10_MS / 20,
            Preset::Quick | Preset::Full => STEPS_10_MS,
        };
        CrashParams {
            jobs,
            steps,
            failing_job: jobs / 2,
        }
    }

    fn describe(p: &CrashParams) -> String {
        format!(
            "{} jobs of {:.1e} kernel steps; job {} fails halfway",
            p.jobs, p.steps as f64, p.failing_job
        )
    }

    fn fit(params: CrashParams, context: &FitContext) -> Result<Fitted<CrashParams>, String> {
        if context.concurrency.is_none() {
            return Err(
                "a task cannot be isolated from the process it shares with every \
                        other task (an abort ends them all, as on threads): crash isolation \
                        compares OS threads with processes"
                    .into(),
            );
        }
        Ok(Fitted::all(params))
    }

    fn expected(p: &CrashParams) -> u64 {
        (0..p.jobs).fold(0u64, |sum, i| {
            let share = if i == p.failing_job {
                failure_tag(i)
            } else {
                let value = kernel::jump(kernel::seed(i as u64), p.steps);
                kernel::contribution(i as u64, value)
            };
            sum.wrapping_add(share)
        })
    }

    async fn run_async<R: AsyncRuntime>(_runtime: R, _params: CrashParams) -> Outcome {
        unreachable!("{}: n/a on async runners (see fit)", F::ID)
    }

    fn run_blocking(strategy: &dyn Strategy, p: &CrashParams) -> Outcome {
        let isolated = strategy.run_isolated(p.jobs, &|i| job::<F>(p, i));
        let mut checksum = isolated.sum;
        for (index, why) in &isolated.failures {
            checksum = checksum.wrapping_add(failure_tag(*index));
            // Visible in the cell's stderr; the checksum already says which job.
            eprintln!("{}: job {index} failed: {why}", F::ID);
        }
        let completed = isolated.completed();
        Outcome::new(checksum)
            .with_ops(completed as u64)
            .with_metric(ids::metric::JOBS, p.jobs as f64)
            .with_metric(ids::metric::JOBS_COMPLETED, completed as f64)
            .with_metric(ids::metric::JOBS_LOST, isolated.failures.len() as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rtcompare_api::{Concurrency, Job};

    /// The default `run_isolated` (catch each job's panic) on a plain loop.
    struct Loop;
    impl Strategy for Loop {
        fn concurrency(&self) -> Concurrency {
            Concurrency::Bounded(1)
        }
        fn run(&self, jobs: usize, job: Job<'_>) -> u64 {
            (0..jobs).fold(0u64, |sum, i| sum.wrapping_add(job(i)))
        }
    }

    #[test]
    fn a_caught_panic_leaves_exactly_the_expected_checksum() {
        let p = Crash::<Panic>::params(Preset::Tiny);
        let out = Crash::<Panic>::run_blocking(&Loop, &p);
        assert_eq!(out.checksum, Crash::<Panic>::expected(&p));
        let metric = |key| out.metrics.iter().find(|(k, _)| *k == key).unwrap().1;
        assert_eq!(metric("jobs"), 8.0);
        assert_eq!(metric("jobs-completed"), 7.0);
        assert_eq!(metric("jobs-lost"), 1.0);
    }

    #[test]
    fn losing_no_job_or_another_job_does_not_verify() {
        let p = Crash::<Panic>::params(Preset::Tiny);
        let expected = Crash::<Panic>::expected(&p);
        // Nothing failed: the failing job's full share instead of its tag.
        let all: u64 = (0..p.jobs)
            .map(|i| {
                let value = kernel::jump(kernel::seed(i as u64), p.steps);
                kernel::contribution(i as u64, value)
            })
            .fold(0, u64::wrapping_add);
        assert_ne!(all, expected);
        // Another job failed instead.
        let other = CrashParams {
            failing_job: 1,
            ..p
        };
        assert_ne!(Crash::<Panic>::expected(&other), expected);
    }

    #[test]
    fn the_failing_job_is_the_middle_one_and_work_splits_exactly() {
        for preset in Preset::ALL {
            let p = Crash::<Abort>::params(preset);
            assert_eq!((p.jobs, p.failing_job), (8, 4));
        }
        // Two halves of spin are one spin.
        let (seed, steps) = (kernel::seed(3), 1_001);
        let half = steps / 2;
        assert_eq!(
            kernel::spin(kernel::spin(seed, half), steps - half),
            kernel::jump(seed, steps)
        );
    }

    #[test]
    fn async_runners_are_not_applicable() {
        let p = Crash::<Panic>::params(Preset::Tiny);
        let why = Crash::<Panic>::fit(p, &FitContext::for_async(Preset::Tiny)).unwrap_err();
        assert!(why.contains("cannot be isolated"), "{why}");
        // Registered, but only these two are opt-in.
        let opt_in: Vec<&str> = crate::ALL
            .iter()
            .filter(|w| w.opt_in)
            .map(|w| w.id)
            .collect();
        assert_eq!(opt_in, ["crash-panic", "crash-abort"]);
    }
}

//! `sleep`: M tasks, each awaiting S sleeps of D ms: simulated I/O latency, where
//! concurrency alone should buy almost everything. Async runners use their own timer;
//! blocking runners call `std::thread::sleep`, so a thread that sleeps is a thread that
//! cannot run another task.
//!
//! A blocking runner that can keep only `c < M` tasks in progress needs
//! `ceil(M / c)` rounds of `S × D`; when that exceeds the preset's budget, it runs `c × k`
//! tasks (k whole rounds within the budget) and its times are scaled by
//! `ceil(M / c) / k`, recorded as an extrapolation. The waits are exactly linear in
//! rounds, so the estimate is sound; it is never presented as measured.

use crate::{FitContext, Fitted, Preset, Workload};
use rtcompare_api::{AsyncRuntime, Concurrency, Outcome, Strategy, WorkloadKind};
use serde::Serialize;
use std::time::Duration;

/// Many tasks waiting on timers.
pub struct Sleep;

/// What one `sleep` run does.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct SleepParams {
    /// Tasks (M).
    pub tasks: usize,
    /// Sleeps per task (S).
    pub sleeps: u32,
    /// Length of one sleep in milliseconds (D).
    pub sleep_ms: u64,
}

impl SleepParams {
    fn per_task(&self) -> Duration {
        Duration::from_millis(self.sleep_ms) * self.sleeps
    }
}

impl Workload for Sleep {
    const ID: &'static str = "sleep";
    const KIND: WorkloadKind = WorkloadKind::Io;
    const SUMMARY: &'static str =
        "M tasks x S sleeps of D ms on the runner's own timer (simulated I/O latency)";
    type Params = SleepParams;

    fn params(preset: Preset) -> SleepParams {
        let tasks = match preset {
            Preset::Tiny => 20,
            Preset::Quick => 1_000,
            Preset::Full => 10_000,
        };
        let (sleeps, sleep_ms) = match preset {
            Preset::Tiny => (3, 2),
            _ => (10, 10),
        };
        SleepParams {
            tasks,
            sleeps,
            sleep_ms,
        }
    }

    fn describe(p: &SleepParams) -> String {
        format!(
            "{} tasks x {} sleeps of {} ms",
            p.tasks, p.sleeps, p.sleep_ms
        )
    }

    fn fit(params: SleepParams, context: &FitContext) -> Result<Fitted<SleepParams>, String> {
        Ok(fit_rounds(params, context.concurrency, context.budget))
    }

    fn expected(params: &SleepParams) -> u64 {
        params.tasks as u64 * u64::from(params.sleeps)
    }

    async fn run_async<R: AsyncRuntime>(runtime: R, params: SleepParams) -> Outcome {
        let pause = Duration::from_millis(params.sleep_ms);
        let tasks: Vec<_> = (0..params.tasks)
            .map(|_| {
                let rt = runtime.clone();
                runtime.spawn(async move {
                    for _ in 0..params.sleeps {
                        rt.sleep(pause).await;
                    }
                    u64::from(params.sleeps)
                })
            })
            .collect();
        let mut done = 0u64;
        for task in tasks {
            done += task.await;
        }
        Outcome::new(done)
    }

    fn run_blocking(strategy: &dyn Strategy, params: &SleepParams) -> Outcome {
        let pause = Duration::from_millis(params.sleep_ms);
        Outcome::new(strategy.run(params.tasks, &|_| {
            for _ in 0..params.sleeps {
                // A serialising strategy (the GIL) releases its lock around the wait.
                rtcompare_api::blocking(|| std::thread::sleep(pause));
            }
            u64::from(params.sleeps)
        }))
    }

    fn ideal_wall(params: &SleepParams) -> Option<Duration> {
        Some(params.per_task())
    }

    fn check_sample(params: &SleepParams, wall: Duration) -> Result<(), String> {
        // Every task slept S × D in sequence: a shorter sample means a timer fired early.
        let floor = params.per_task();
        if params.tasks > 0 && wall < floor {
            return Err(format!(
                "sample took {:.3} ms but each task sleeps {} ms: a timer fired early",
                wall.as_secs_f64() * 1e3,
                floor.as_millis()
            ));
        }
        Ok(())
    }
}

/// Keeps the whole rounds of a blocking run that fit in `budget` (all of them for an
/// async runner, `concurrency == None`).
fn fit_rounds(
    params: SleepParams,
    concurrency: Option<Concurrency>,
    budget: Duration,
) -> Fitted<SleepParams> {
    let Some(concurrency) = concurrency else {
        return Fitted::all(params);
    };

    let per_task = params.per_task();
    let in_flight = concurrency.for_jobs(params.tasks);
    let rounds = params.tasks.div_ceil(in_flight);
    if per_task.is_zero() || per_task * rounds as u32 <= budget {
        return Fitted::all(params);
    }
    let kept_rounds = ((budget.as_nanos() / per_task.as_nanos()) as usize).clamp(1, rounds);
    let tasks = in_flight * kept_rounds;
    let factor = rounds as f64 / kept_rounds as f64;
    let note = format!(
        "ran {tasks} of {} tasks: {in_flight} in progress at once need {rounds} rounds of \
         {} ms; {kept_rounds} round(s) measured, times scaled ×{factor:.0}",
        params.tasks,
        per_task.as_millis(),
    );
    Fitted {
        params: SleepParams { tasks, ..params },
        extrapolation: Some((factor, note)),
        notes: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fit(tasks: usize, c: Concurrency, budget_ms: u64) -> Fitted<SleepParams> {
        let p = SleepParams {
            tasks,
            sleeps: 10,
            sleep_ms: 10,
        };
        fit_rounds(p, Some(c), Duration::from_millis(budget_ms))
    }

    #[test]
    fn async_runners_run_everything() {
        let p = Sleep::params(Preset::Full);
        let f = fit_rounds(p, None, Duration::from_millis(1));
        assert_eq!(f.params.tasks, 10_000);
        assert!(f.extrapolation.is_none());
    }

    #[test]
    fn sequential_runs_whole_rounds_within_budget() {
        // 1,000 tasks one at a time = 1,000 rounds of 100 ms; a 500 ms budget keeps 5.
        let f = fit(1_000, Concurrency::Bounded(1), 500);
        assert_eq!(f.params.tasks, 5);
        let (factor, note) = f.extrapolation.unwrap();
        assert_eq!(factor, 200.0);
        assert!(note.contains("ran 5 of 1000 tasks"), "{note}");
    }

    #[test]
    fn pool_keeps_multiples_of_its_width() {
        let f = fit(1_000, Concurrency::Bounded(4), 500);
        assert_eq!(f.params.tasks, 20);
        assert_eq!(f.extrapolation.unwrap().0, 50.0);
    }

    #[test]
    fn fits_within_budget_untouched() {
        let f = fit(8, Concurrency::Bounded(4), 500);
        assert_eq!(f.params.tasks, 8);
        assert!(f.extrapolation.is_none());
        let f = fit(1_000, Concurrency::PerJob { cap: 10_000 }, 500);
        assert!(f.extrapolation.is_none());
    }

    #[test]
    fn at_least_one_round_even_over_budget() {
        let f = fit(1_000, Concurrency::Bounded(2), 50);
        assert_eq!(f.params.tasks, 2);
        assert_eq!(f.extrapolation.unwrap().0, 500.0);
    }

    #[test]
    fn early_timer_is_caught() {
        let p = Sleep::params(Preset::Tiny);
        assert!(Sleep::check_sample(&p, Duration::from_millis(1)).is_err());
        assert!(Sleep::check_sample(&p, Duration::from_millis(7)).is_ok());
    }
}

//! `sleep`: M tasks, each awaiting S sleeps of D ms: simulated I/O latency, where
//! concurrency alone should buy almost everything. Async runners use their own timer;
//! blocking runners sleep through their strategy ([`Strategy::sleep`]):
//! `std::thread::sleep`, so a thread that sleeps is a thread that cannot run another
//! task, except where jobs are coroutines, which sleep on their runtime's timer.
//!
//! A blocking runner that can keep only `c < M` tasks in progress needs
//! `ceil(M / c)` rounds of `S × D`; when that exceeds the preset's budget, it runs `c × k`
//! tasks (k whole rounds within the budget) and its times are scaled by
//! `ceil(M / c) / k`, recorded as an extrapolation. The waits are exactly linear in
//! rounds, so the estimate is sound; it is never presented as measured.
//!
//! Verification: every sleep times itself on the monotonic clock and counts only if it
//! lasted at least its duration; the checksum is the count of on-time sleeps, so a
//! timer that fires early, or a sleep that is skipped, fails the cell with a wrong
//! answer, whichever task it happens in. No early slack is allowed: none of the timers
//! measured fires early by its documentation (std's `thread::sleep` sleeps "at least"
//! the duration, tokio rounds its deadlines up to the next millisecond, async-io's
//! `Timer` fires once `Instant::now()` has reached its deadline, fixed at the call).
//!
//! Test-only knob: `RTCOMPARE_EARLY_SLEEP=1` makes every sleep of every task but the
//! first return at once, on every runner: the early timer that a check of the whole
//! sample's length alone cannot see (task 0 still takes S × D). (Shortening the sleeps
//! instead would not do: tokio rounds a half-length sleep up to the next millisecond,
//! which may well reach the full length.) It is
//! read once, in `fit`, outside the timed region, and a cell under it must fail.

use crate::{FitContext, Fitted, Preset, Workload};
use rtcompare_api::ids;
use rtcompare_api::{AsyncRuntime, Concurrency, Outcome, ScriptJob, Share, Strategy, WorkloadKind};
use serde::Serialize;
use std::time::{Duration, Instant};

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
    /// Test-only (`RTCOMPARE_EARLY_SLEEP`): the sleeps of tasks after the first return
    /// at once. Never set in a real run, so not recorded.
    #[serde(skip)]
    pub early: bool,
    /// On a thread-per-core runner, the core whose tasks these are (task `i` to core
    /// `i mod N`); `None`: every task.
    #[serde(skip)]
    pub share: Option<Share>,
}

/// The test-only knob that makes sleeps return early (see the module doc).
const EARLY_SLEEP_VAR: &str = "RTCOMPARE_EARLY_SLEEP";

impl SleepParams {
    fn per_task(&self) -> Duration {
        Duration::from_millis(self.sleep_ms) * self.sleeps
    }

    fn pause(&self) -> Duration {
        Duration::from_millis(self.sleep_ms)
    }

    /// Whether task `task` really sleeps: always, except under the test-only knob.
    fn sleeps_in_full(&self, task: usize) -> bool {
        !self.early || task == 0
    }
}

/// 1 if a sleep of `pause` that took `slept` lasted its duration, else 0: the unit
/// the checksum counts.
fn on_time(slept: Duration, pause: Duration) -> u64 {
    u64::from(slept >= pause)
}

impl Workload for Sleep {
    const ID: &'static str = ids::workload::SLEEP;
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
        // Quick: 50 ms of sleeps per task, a sample of tens of milliseconds.
        let (sleeps, sleep_ms) = match preset {
            Preset::Tiny => (3, 2),
            Preset::Quick => (5, 10),
            Preset::Full => (10, 10),
        };
        SleepParams {
            tasks,
            sleeps,
            sleep_ms,
            early: false,
            share: None,
        }
    }

    fn describe(p: &SleepParams) -> String {
        format!(
            "{} tasks x {} sleeps of {} ms",
            p.tasks, p.sleeps, p.sleep_ms
        )
    }

    fn fit(params: SleepParams, context: &FitContext) -> Result<Fitted<SleepParams>, String> {
        let params = SleepParams {
            early: std::env::var_os(EARLY_SLEEP_VAR).is_some_and(|v| v == "1"),
            ..params
        };
        Ok(fit_rounds(params, context.concurrency, context.budget))
    }

    fn shares(params: &SleepParams, cores: usize) -> Result<Vec<SleepParams>, String> {
        Ok(Share::all(cores)
            .map(|share| SleepParams {
                share: Some(share),
                ..*params
            })
            .collect())
    }

    /// Every sleep of every task on time.
    fn expected(params: &SleepParams) -> u64 {
        params.tasks as u64 * u64::from(params.sleeps)
    }

    async fn run_async<R: AsyncRuntime>(runtime: R, params: SleepParams) -> Outcome {
        let pause = params.pause();
        let share = params.share.unwrap_or(Share::WHOLE);
        let tasks: Vec<_> = share
            .units(params.tasks)
            .map(|task| {
                let rt = runtime.clone();
                let sleeps = params.sleeps_in_full(task);
                runtime.spawn(async move {
                    let mut on_schedule = 0u64;
                    for _ in 0..params.sleeps {
                        let start = Instant::now();
                        if sleeps {
                            rt.sleep(pause).await;
                        }
                        on_schedule += on_time(start.elapsed(), pause);
                    }
                    on_schedule
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
        let pause = params.pause();
        Outcome::new(strategy.run(params.tasks, &|task| {
            let sleeps = params.sleeps_in_full(task);
            let mut on_schedule = 0u64;
            for _ in 0..params.sleeps {
                let start = Instant::now();
                if sleeps {
                    // std's sleep (a serialising strategy releases its lock around
                    // it), or the strategy's own timer where jobs are coroutines.
                    strategy.sleep(pause);
                }
                on_schedule += on_time(start.elapsed(), pause);
            }
            on_schedule
        }))
    }

    /// One job per task: its sleeps, each timed by the interpreter.
    fn script(params: &SleepParams) -> Result<Vec<ScriptJob>, String> {
        let pause = params.pause().as_nanos() as u64;
        Ok((0..params.tasks)
            .map(|task| ScriptJob::Sleep {
                sleep_ns: if params.sleeps_in_full(task) {
                    pause
                } else {
                    0
                },
                at_least_ns: pause,
                times: params.sleeps,
            })
            .collect())
    }

    /// The on-time sleeps counted; a task that reports more sleeps than it took is
    /// named.
    fn script_outcome(params: &SleepParams, results: &[u64]) -> Result<Outcome, String> {
        if results.len() != params.tasks {
            return Err(format!(
                "{} results for {} tasks",
                results.len(),
                params.tasks
            ));
        }
        if let Some(task) = results
            .iter()
            .position(|&on_time| on_time > u64::from(params.sleeps))
        {
            return Err(format!(
                "task {task} counted {} on-time sleeps of {}",
                results[task], params.sleeps
            ));
        }
        Ok(Outcome::new(results.iter().sum()))
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
            early: false,
            share: None,
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
    fn only_sleeps_that_lasted_their_duration_count() {
        let d = Duration::from_millis(2);
        assert_eq!(on_time(d, d), 1);
        assert_eq!(on_time(d + Duration::from_micros(80), d), 1);
        assert_eq!(on_time(d - Duration::from_nanos(1), d), 0, "no early slack");
        assert_eq!(on_time(Duration::ZERO, d), 0, "a skipped sleep");
    }

    /// A strategy that runs every job on the calling thread, in order.
    struct Inline;
    impl Strategy for Inline {
        fn concurrency(&self) -> Concurrency {
            Concurrency::Bounded(1)
        }
        fn run(&self, jobs: usize, job: rtcompare_api::Job<'_>) -> u64 {
            (0..jobs).fold(0, |sum, i| sum.wrapping_add(job(i)))
        }
    }

    #[test]
    fn early_sleeps_in_any_task_change_the_checksum() {
        let p = SleepParams {
            tasks: 3,
            sleeps: 2,
            sleep_ms: 1,
            early: false,
            share: None,
        };
        let honest = Sleep::run_blocking(&Inline, &p);
        assert_eq!(honest.checksum, Sleep::expected(&p));
        // Task 0 sleeps in full, so the whole sample still lasts S × D...
        let early = SleepParams { early: true, ..p };
        let start = Instant::now();
        let outcome = Sleep::run_blocking(&Inline, &early);
        assert!(Sleep::check_sample(&early, start.elapsed()).is_ok());
        // ...but the other tasks' early sleeps are not counted.
        assert_eq!(outcome.checksum, 2, "only task 0's two sleeps were on time");
        assert_ne!(outcome.checksum, Sleep::expected(&early));
    }

    #[test]
    fn early_timer_is_caught() {
        let p = Sleep::params(Preset::Tiny);
        assert!(Sleep::check_sample(&p, Duration::from_millis(1)).is_err());
        assert!(Sleep::check_sample(&p, Duration::from_millis(7)).is_ok());
    }
}

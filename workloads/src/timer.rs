//! `timer`: the runner's own timer with nothing else running. One task sleeps S1
//! times for 100 µs, then S2 times for 1 ms, one sleep after the other, and records
//! how late each sleep ended (actual elapsed − requested, in ns) in two histograms:
//! `sleep-100us-lateness` (the primary latency) and `sleep-1ms-lateness`.
//!
//! Why it exists: every workload that waits on a timer mixes the timer's granularity
//! with the scheduler's cost. Tokio rounds each sleep up to a whole millisecond of its
//! time wheel, async-io's `Timer` fires at its deadline, `std::thread::sleep` is the
//! kernel's timer (with its slack): measured here unloaded, per runner, the report can
//! attribute that share of a tick's lateness to the timer and read the `mixed-*`
//! ticks beyond it.
//!
//! Async runners sleep on their own timer ([`AsyncRuntime::sleep`]) in one task
//! spawned from inside the runtime; blocking runners run one job that sleeps through
//! its strategy ([`Strategy::sleep`]: `std::thread::sleep` inside
//! [`rtcompare_api::blocking`], so a serialising strategy releases its lock around the
//! wait, or a coroutine runtime's own timer). Worker processes (`processes`) do not apply:
//! the histograms stay in the job's memory and a worker process returns only a number.
//!
//! Verification: a sleep that returns before its duration fails the cell with a panic
//! naming the sleep and how early it was; the checksum counts each sleep as one plus
//! its requested microseconds, so a skipped sleep or a wrong phase changes it. Nothing
//! is allocated per sleep: both histograms are made before the first one.

use crate::{FitContext, Fitted, Preset, Workload};
use rtcompare_api::ids;
use rtcompare_api::{
    AddressSpace, AsyncRuntime, Histogram, Outcome, Share, Strategy, WorkloadKind, new_histogram,
    record_ns,
};
use serde::Serialize;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One task's unloaded sleeps.
pub struct Timer;

/// The short sleep; its lateness is `sleep-100us-lateness`.
pub const SHORT: Duration = Duration::from_micros(100);
/// The long sleep, as long as a `mixed-*` tick; its lateness is `sleep-1ms-lateness`.
pub const LONG: Duration = Duration::from_millis(1);

/// What one `timer` run does. The sleep lengths are fixed (the histograms' names say
/// them) and recorded for the reader of the results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TimerParams {
    /// Sleeps of `short_us`, taken first (S1).
    pub short_sleeps: u32,
    /// The short sleep, µs (always 100).
    pub short_us: u64,
    /// Sleeps of `long_us`, taken after the short ones (S2).
    pub long_sleeps: u32,
    /// The long sleep, µs (always 1,000).
    pub long_us: u64,
    /// On a thread-per-core runner, the core this is: the one sleeper runs on core 0.
    #[serde(skip)]
    pub share: Option<Share>,
}

/// One run of equal sleeps.
#[derive(Debug, Clone, Copy)]
struct Phase {
    asked: Duration,
    sleeps: u32,
    histogram: &'static str,
}

impl TimerParams {
    /// The short sleeps, then the long ones.
    fn phases(&self) -> [Phase; 2] {
        [
            Phase {
                asked: SHORT,
                sleeps: self.short_sleeps,
                histogram: ids::latency::SLEEP_100US_LATENESS,
            },
            Phase {
                asked: LONG,
                sleeps: self.long_sleeps,
                histogram: ids::latency::SLEEP_1MS_LATENESS,
            },
        ]
    }
}

/// What one sleep adds to the checksum: one for the sleep, plus its requested
/// microseconds (so the checksum differs between sizes and between phases).
fn tally(asked: Duration) -> u64 {
    1 + asked.as_micros() as u64
}

/// How late a sleep of `asked` that took `took` ended, ns; `Err` naming it (sleep
/// `index` from 0 of `phase`) and by how much it was early when it returned before
/// its duration. No early slack: none of the timers measured fires early by its
/// documentation.
fn lateness(took: Duration, phase: &Phase, index: u32) -> Result<u64, String> {
    match took.checked_sub(phase.asked) {
        Some(late) => Ok(u64::try_from(late.as_nanos()).unwrap_or(u64::MAX)),
        None => Err(format!(
            "timer: sleep {} of {} of {:?} returned after {took:?}, {:?} early: the timer fired \
             early",
            index + 1,
            phase.sleeps,
            phase.asked,
            phase.asked - took
        )),
    }
}

/// The lateness histograms and the checksum of one run, filled sleep by sleep.
struct Record {
    /// One per phase, in phase order.
    histograms: [Histogram; 2],
    checksum: u64,
}

impl Record {
    /// Both histograms, made before the first sleep.
    fn new() -> Self {
        Record {
            histograms: [new_histogram(), new_histogram()],
            checksum: 0,
        }
    }

    /// Counts sleep `index` of phase `at` of `phases`, which took `took`; panics
    /// (failing the cell) when it returned early.
    fn sleep(&mut self, phases: &[Phase; 2], at: usize, index: u32, took: Duration) {
        let phase = &phases[at];
        let late = lateness(took, phase, index).unwrap_or_else(|early| panic!("{early}"));
        record_ns(&mut self.histograms[at], late);
        self.checksum = self.checksum.wrapping_add(tally(phase.asked));
    }

    /// The outcome, with `checksum` (the strategy's sum for a blocking run).
    fn outcome(self, phases: &[Phase; 2], checksum: u64) -> Outcome {
        let [short, long] = self.histograms;
        Outcome::new(checksum)
            .with_latency(phases[0].histogram, short)
            .with_latency(phases[1].histogram, long)
    }
}

impl Workload for Timer {
    const ID: &'static str = ids::workload::TIMER;
    const KIND: WorkloadKind = WorkloadKind::Io;
    const SUMMARY: &'static str = "one task sleeping 100 µs S1 times, then 1 ms S2 times, on the \
                                   runner's own timer with nothing else running; its latency is \
                                   how late each 100 µs sleep ends";
    type Params = TimerParams;

    fn params(preset: Preset) -> TimerParams {
        let (short_sleeps, long_sleeps) = match preset {
            Preset::Tiny => (20, 5),
            Preset::Quick => (200, 50),
            Preset::Full => (2_000, 500),
        };
        TimerParams {
            short_sleeps,
            short_us: SHORT.as_micros() as u64,
            long_sleeps,
            long_us: LONG.as_micros() as u64,
            share: None,
        }
    }

    fn describe(p: &TimerParams) -> String {
        format!(
            "1 task: {} sleeps of {} µs, then {} of {} ms",
            p.short_sleeps,
            p.short_us,
            p.long_sleeps,
            p.long_us / 1_000
        )
    }

    fn fit(params: TimerParams, context: &FitContext) -> Result<Fitted<TimerParams>, String> {
        if context.address_space == Some(AddressSpace::Separate) {
            return Err(
                "the sleeps' lateness histograms stay in the job's memory, and a \
                        worker process returns only a number"
                    .into(),
            );
        }
        Ok(Fitted::all(params))
    }

    /// Every sleep of both phases, each one plus its microseconds.
    fn expected(p: &TimerParams) -> u64 {
        p.phases()
            .iter()
            .map(|phase| u64::from(phase.sleeps) * tally(phase.asked))
            .sum()
    }

    async fn run_async<R: AsyncRuntime>(runtime: R, p: TimerParams) -> Outcome {
        if p.share.is_some_and(|share| share.index != 0) {
            return Outcome::new(0);
        }
        let rt = runtime.clone();
        let phases = p.phases();
        let sleeper = runtime.spawn(async move {
            let mut record = Record::new();
            for (at, phase) in phases.iter().enumerate() {
                for index in 0..phase.sleeps {
                    let start = Instant::now(); // before the timer is made, so elapsed ≥ asked
                    rt.sleep(phase.asked).await;
                    record.sleep(&phases, at, index, start.elapsed());
                }
            }
            record
        });
        let record = sleeper.await;
        let checksum = record.checksum;
        record.outcome(&phases, checksum)
    }

    /// One sleeper, on core 0; the other cores idle, as they would beside it.
    fn shares(p: &TimerParams, cores: usize) -> Result<Vec<TimerParams>, String> {
        Ok(Share::all(cores)
            .map(|share| TimerParams {
                share: Some(share),
                ..*p
            })
            .collect())
    }

    fn run_blocking(strategy: &dyn Strategy, p: &TimerParams) -> Outcome {
        let phases = p.phases();
        let slot = Mutex::new(None);
        let checksum = strategy.run(1, &|_| {
            let mut record = Record::new();
            for (at, phase) in phases.iter().enumerate() {
                for index in 0..phase.sleeps {
                    let start = Instant::now();
                    strategy.sleep(phase.asked);
                    record.sleep(&phases, at, index, start.elapsed());
                }
            }
            let sum = record.checksum;
            *slot.lock().expect("timer: the job's result slot") = Some(record);
            sum
        });
        let record = slot
            .into_inner()
            .expect("timer: the job's result slot")
            .expect("timer: the strategy ran the job");
        record.outcome(&phases, checksum)
    }

    fn ideal_wall(p: &TimerParams) -> Option<Duration> {
        Some(
            p.phases()
                .iter()
                .map(|phase| phase.asked * phase.sleeps)
                .sum(),
        )
    }

    fn check_sample(p: &TimerParams, wall: Duration) -> Result<(), String> {
        let floor = Self::ideal_wall(p).unwrap_or_default();
        if wall < floor {
            return Err(format!(
                "sample took {:.3} ms but its sleeps add up to {:.3} ms: a timer fired early",
                wall.as_secs_f64() * 1e3,
                floor.as_secs_f64() * 1e3
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rtcompare_api::{Concurrency, Job};

    #[test]
    fn presets_follow_the_brief() {
        let sizes: Vec<_> = Preset::ALL
            .iter()
            .map(|&p| Timer::params(p))
            .map(|p| (p.short_sleeps, p.long_sleeps, p.short_us, p.long_us))
            .collect();
        assert_eq!(
            sizes,
            [
                (20, 5, 100, 1_000),
                (200, 50, 100, 1_000),
                (2_000, 500, 100, 1_000)
            ]
        );
        assert_eq!(
            Timer::describe(&Timer::params(Preset::Quick)),
            "1 task: 200 sleeps of 100 µs, then 50 of 1 ms"
        );
    }

    #[test]
    fn ideal_wall_is_the_sum_of_the_sleeps() {
        let tiny = Timer::params(Preset::Tiny);
        assert_eq!(Timer::ideal_wall(&tiny), Some(Duration::from_millis(7)));
        let full = Timer::params(Preset::Full);
        assert_eq!(Timer::ideal_wall(&full), Some(Duration::from_millis(700)));
        assert!(Timer::check_sample(&tiny, Duration::from_millis(7)).is_ok());
        let err = Timer::check_sample(&tiny, Duration::from_micros(6_900)).unwrap_err();
        assert!(err.contains("a timer fired early"), "{err}");
    }

    #[test]
    fn expected_counts_sleeps_and_their_microseconds() {
        // 20 × (1 + 100) + 5 × (1 + 1000)
        assert_eq!(Timer::expected(&Timer::params(Preset::Tiny)), 7_025);
        assert_eq!(Timer::expected(&Timer::params(Preset::Quick)), 70_250);
        let only_short = TimerParams {
            long_sleeps: 0,
            ..Timer::params(Preset::Tiny)
        };
        assert_eq!(Timer::expected(&only_short), 2_020);
    }

    #[test]
    fn lateness_is_elapsed_minus_requested() {
        let phases = Timer::params(Preset::Tiny).phases();
        let late = lateness(Duration::from_micros(1_100), &phases[0], 0);
        assert_eq!(late, Ok(1_000_000));
        assert_eq!(lateness(LONG, &phases[1], 4), Ok(0), "on time is 0 late");
    }

    #[test]
    fn an_early_sleep_is_named_with_how_early() {
        let phases = Timer::params(Preset::Tiny).phases();
        let err = lateness(Duration::from_micros(97), &phases[0], 2).unwrap_err();
        assert!(err.starts_with("timer: sleep 3 of 20 of 100µs"), "{err}");
        assert!(err.contains("returned after 97µs, 3µs early"), "{err}");
        let err = lateness(Duration::from_nanos(999_999), &phases[1], 4).unwrap_err();
        assert!(err.contains("sleep 5 of 5 of 1ms"), "{err}");
        assert!(err.contains("1ns early"), "{err}");
        // Recording one fails the run.
        let early = std::panic::catch_unwind(|| {
            Record::new().sleep(&phases, 1, 0, Duration::from_micros(990));
        });
        let payload = early.unwrap_err();
        let message = rtcompare_api::panic_message(payload.as_ref());
        assert!(message.contains("10µs early"), "{message}");
    }

    /// A strategy that runs every job on the calling thread, in order.
    struct Inline;
    impl Strategy for Inline {
        fn concurrency(&self) -> Concurrency {
            Concurrency::Bounded(1)
        }
        fn run(&self, jobs: usize, job: Job<'_>) -> u64 {
            (0..jobs).fold(0, |sum, i| sum.wrapping_add(job(i)))
        }
    }

    #[test]
    fn blocking_body_records_every_sleep_in_its_histogram() {
        let p = TimerParams {
            short_sleeps: 4,
            long_sleeps: 2,
            ..Timer::params(Preset::Tiny)
        };
        let start = Instant::now();
        let out = Timer::run_blocking(&Inline, &p);
        assert!(Timer::check_sample(&p, start.elapsed()).is_ok());
        assert_eq!(out.checksum, Timer::expected(&p));
        let names: Vec<_> = out.latencies.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, ["sleep-100us-lateness", "sleep-1ms-lateness"]);
        assert_eq!(out.latencies[0].1.len(), 4);
        assert_eq!(out.latencies[1].1.len(), 2);
        // Loose: the kernel's timer ends a sleep late, never by a whole second.
        assert!(out.latencies[1].1.max() < 1_000_000_000);
    }

    #[test]
    fn worker_processes_do_not_apply() {
        let p = Timer::params(Preset::Tiny);
        let mut context = FitContext::for_async(Preset::Tiny);
        assert!(Timer::fit(p, &context).is_ok());
        context.address_space = Some(AddressSpace::Shared);
        assert!(Timer::fit(p, &context).is_ok());
        context.address_space = Some(AddressSpace::Separate);
        let reason = Timer::fit(p, &context).unwrap_err();
        assert!(reason.contains("worker process"), "{reason}");
    }
}

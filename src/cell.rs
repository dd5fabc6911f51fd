//! The child side of a cell: one runner × workload × thread count in its own process.
//! Builds the runtime (untimed), takes the warm-up and the samples, verifies every
//! answer, and prints the finished [`Cell`] as one JSON line on stdout.
//!
//! Test-only fault switch: `RTCOMPARE_FAULT=panic|hang|wrong-checksum|abort` injects
//! that fault into the first sample of the cells matching `RTCOMPARE_FAULT_CELL`
//! (`runner/workload`; every cell when unset). It exists so tests can prove that one
//! bad cell fails alone; it is read once, outside the timed region.
//!
//! Test-only slowdown knob: `RTCOMPARE_SLOWDOWN=FRACTION` (every cell) or
//! `RTCOMPARE_SLOWDOWN=runner/workload=FRACTION` makes each sample of the matching
//! cells spin for that fraction of its own wall time, inside the timed region: a
//! known regression for checking that `rtcompare check` catches it.

use crate::measure::{Usage, peak_rss_bytes};
use rtcompare_api::{AsyncRuntime, Outcome, RootFuture, Strategy, Visitor};
use rtcompare_reports::{Cell, Extrapolation, Sample, Status};
use rtcompare_runners::{RunnerInfo, census};
use rtcompare_workloads::{Fitted, Preset, Workload, WorkloadInfo, WorkloadVisitor};
use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What the parent asks a cell process to run.
#[derive(Debug, Clone)]
pub struct CellSpec {
    /// Runner id.
    pub runner: &'static RunnerInfo,
    /// Workload id.
    pub workload: &'static WorkloadInfo,
    /// Worker threads.
    pub threads: usize,
    /// Size preset.
    pub preset: Preset,
    /// Warm-up samples.
    pub warmup: usize,
    /// Measured samples.
    pub samples: usize,
}

impl CellSpec {
    /// `runner/workload/tN`, as `Cell::key` names the finished cell.
    pub fn key(&self) -> String {
        format!("{}/{}/t{}", self.runner.id, self.workload.id, self.threads)
    }

    /// A cell record with no measurements yet, to be completed or failed.
    pub fn blank(&self, status: Status, error: Option<String>) -> Cell {
        Cell {
            runner: self.runner.id.into(),
            class: self.runner.class,
            family: self.runner.family,
            workload: self.workload.id.into(),
            workload_kind: self.workload.kind,
            threads: self.threads,
            status,
            error,
            checksum: None,
            expected_checksum: None,
            verified: false,
            params: serde_json::Value::Null,
            extrapolation: None,
            os_threads: None,
            thread_names: BTreeMap::new(),
            warmup: Vec::new(),
            samples: Vec::new(),
            peak_rss_bytes: None,
            latency_us: None,
            throughput_per_s: None,
            summary: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    Panic,
    Hang,
    WrongChecksum,
    Abort,
}

impl Fault {
    fn from_env(spec: &CellSpec) -> Option<Fault> {
        let fault = match std::env::var("RTCOMPARE_FAULT").ok()?.as_str() {
            "panic" => Fault::Panic,
            "hang" => Fault::Hang,
            "wrong-checksum" => Fault::WrongChecksum,
            "abort" => Fault::Abort,
            _ => return None,
        };
        let target = std::env::var("RTCOMPARE_FAULT_CELL").ok();
        let this = format!("{}/{}", spec.runner.id, spec.workload.id);
        target.is_none_or(|t| t == this).then_some(fault)
    }

    /// Injects the fault into an outcome; only called on the first sample.
    fn inject(self, outcome: Outcome) -> Outcome {
        match self {
            Fault::Panic => panic!("injected fault (RTCOMPARE_FAULT=panic)"),
            Fault::Hang => loop {
                std::thread::sleep(Duration::from_secs(3600));
            },
            Fault::Abort => std::process::abort(),
            Fault::WrongChecksum => Outcome::new(outcome.checksum ^ 1),
        }
    }
}

/// The fraction by which `RTCOMPARE_SLOWDOWN` slows this cell, if it names it.
fn slowdown_from_env(spec: &CellSpec) -> Option<f64> {
    let knob = std::env::var("RTCOMPARE_SLOWDOWN").ok()?;
    let (target, fraction) = match knob.rsplit_once('=') {
        Some((target, fraction)) => (Some(target), fraction),
        None => (None, knob.as_str()),
    };
    let this = format!("{}/{}", spec.runner.id, spec.workload.id);
    if target.is_some_and(|t| t != this) {
        return None;
    }
    fraction
        .parse::<f64>()
        .ok()
        .filter(|f| *f > 0.0 && f.is_finite())
}

/// Spins for `fraction` of `wall` and returns the lengthened wall time.
fn slow_down(wall: Duration, fraction: f64) -> Duration {
    let extra = wall.mul_f64(fraction);
    let until = Instant::now() + extra;
    while Instant::now() < until {
        std::hint::spin_loop();
    }
    wall + extra
}

static PANIC_MESSAGE: Mutex<Option<String>> = Mutex::new(None);

/// Runs the cell and returns its record; never panics (a panic becomes `failed`).
pub fn run(spec: &CellSpec) -> Cell {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let mut slot = PANIC_MESSAGE.lock().unwrap_or_else(|e| e.into_inner());
        if slot.is_none() {
            let payload = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "non-string panic payload".into());
            let place = info
                .location()
                .map(|l| format!(" at {l}"))
                .unwrap_or_default();
            *slot = Some(format!("panicked{place}: {payload}"));
        }
        drop(slot);
        default_hook(info);
    }));

    let fault = Fault::from_env(spec);
    let measured = catch_unwind(AssertUnwindSafe(|| {
        rtcompare_workloads::visit(spec.workload.id, ForWorkload { spec, fault })
            .expect("workload id validated by the parent")
    }));
    let mut cell = match measured {
        Ok(cell) => cell,
        Err(_) => {
            let message = PANIC_MESSAGE
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take();
            spec.blank(
                Status::Failed,
                Some(message.unwrap_or_else(|| "panicked".into())),
            )
        }
    };
    cell.peak_rss_bytes = peak_rss_bytes();
    cell
}

struct ForWorkload<'a> {
    spec: &'a CellSpec,
    fault: Option<Fault>,
}

impl WorkloadVisitor for ForWorkload<'_> {
    type Out = Cell;

    fn visit<W: Workload>(self) -> Self::Out {
        let spec = self.spec;
        let measure = Measure::<W> {
            spec,
            fault: self.fault,
            slowdown: slowdown_from_env(spec),
            params: W::params(spec.preset),
        };
        match rtcompare_runners::execute(spec.runner.id, spec.threads, measure) {
            Some(Ok(result)) => result,
            Some(Err(e)) => spec.blank(Status::Failed, Some(e.to_string())),
            None => unreachable!("runner id validated by the parent"),
        }
    }
}

struct Measure<'a, W: Workload> {
    spec: &'a CellSpec,
    fault: Option<Fault>,
    slowdown: Option<f64>,
    params: W::Params,
}

impl<W: Workload> Visitor for Measure<'_, W> {
    type Out = Cell;

    fn visit_async<R: AsyncRuntime>(
        self,
        runtime: &R,
        block_on: &mut dyn FnMut(RootFuture) -> Outcome,
    ) -> Self::Out {
        let fitted = W::fit(
            self.params.clone(),
            None,
            self.spec.preset.blocking_budget(),
        );
        let params = fitted.params.clone();
        self.sample(fitted, &mut || {
            // Built before the clock starts; boxed once per sample, never per task.
            let root: RootFuture = Box::pin(W::run_async(runtime.clone(), params.clone()));
            let start = Instant::now();
            let outcome = block_on(root);
            (outcome, start.elapsed())
        })
    }

    fn visit_blocking(self, strategy: &dyn Strategy) -> Self::Out {
        let fitted = W::fit(
            self.params.clone(),
            Some(strategy.concurrency()),
            self.spec.preset.blocking_budget(),
        );
        let params = fitted.params.clone();
        let mut cell = self.sample(fitted, &mut || {
            let start = Instant::now();
            let outcome = W::run_blocking(strategy, &params);
            (outcome, start.elapsed())
        });
        let transient = strategy.transient_threads();
        cell.os_threads = cell.os_threads.map(|live| live + transient);
        cell
    }
}

impl<W: Workload> Measure<'_, W> {
    /// Takes the warm-up and the samples; `run_once` returns the outcome and the wall
    /// time of one timed run. CPU time and context switches bracket the same call.
    /// A wrong answer or a failed check returns the cell marked failed, with the
    /// samples taken so far.
    fn sample(
        &self,
        fitted: Fitted<W::Params>,
        run_once: &mut dyn FnMut() -> (Outcome, Duration),
    ) -> Cell {
        let spec = self.spec;
        let params = &fitted.params;
        let expected = W::expected(params);
        let mut cell = spec.blank(Status::Ok, None);
        cell.params = serde_json::to_value(params).unwrap_or(serde_json::Value::Null);
        cell.expected_checksum = Some(hex(expected));
        cell.extrapolation = fitted
            .extrapolation
            .map(|(factor, note)| Extrapolation { factor, note });

        let total = spec.warmup + spec.samples;
        for i in 0..total {
            let before = Usage::now();
            let (mut outcome, mut wall) = run_once();
            if let Some(fraction) = self.slowdown {
                wall = slow_down(wall, fraction);
            }
            let sample: Sample = before.sample_until(&Usage::now(), wall);
            if i == 0 {
                if let Some(fault) = self.fault {
                    outcome = fault.inject(outcome);
                }
            }
            cell.checksum = Some(hex(outcome.checksum));
            let which = if i < spec.warmup {
                format!("warm-up sample {}", i + 1)
            } else {
                format!("sample {}", i + 1 - spec.warmup)
            };
            if outcome.checksum != expected {
                cell.error = Some(format!(
                    "wrong answer in {which}: checksum {} but {} expected",
                    hex(outcome.checksum),
                    hex(expected)
                ));
                cell.status = Status::Failed;
                return cell;
            }
            if let Err(why) = W::check_sample(params, wall) {
                cell.error = Some(format!("{which}: {why}"));
                cell.status = Status::Failed;
                return cell;
            }
            if i < spec.warmup {
                cell.warmup.push(sample);
            } else {
                cell.samples.push(sample);
            }
        }
        cell.verified = true;
        // Counted while the runtime is still alive: workers, timer and reactor threads.
        cell.thread_names = census::live_threads();
        cell.os_threads = Some(cell.thread_names.values().sum());
        cell
    }
}

/// A checksum as `0x`-prefixed hex.
pub fn hex(value: u64) -> String {
    format!("{value:#018x}")
}

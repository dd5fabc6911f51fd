//! `cpu`: K equal, independent chunks of the CPU kernel. What parallelism buys and
//! concurrency alone does not.

use crate::chunks::Chunks;
use crate::{FitContext, Fitted, Preset, Workload};
use rtcompare_api::ids;
use rtcompare_api::{AsyncRuntime, Outcome, ScriptJob, Strategy, WorkloadKind};
use std::future::Future;

/// Equal chunks of CPU work.
pub struct Cpu;

impl Workload for Cpu {
    const ID: &'static str = ids::workload::CPU;
    const KIND: WorkloadKind = WorkloadKind::Cpu;
    const SUMMARY: &'static str =
        "K equal chunks of a CPU kernel (dependent multiply-adds, no syscalls)";
    type Params = Chunks;

    fn params(preset: Preset) -> Chunks {
        let (chunks, unit_steps) = match preset {
            Preset::Tiny => (16, 2_000),
            Preset::Quick => (64, QUICK_STEPS_PER_CHUNK),
            Preset::Full => (128, FULL_STEPS_PER_CHUNK),
        };
        Chunks {
            unit_steps,
            weights: vec![1; chunks].into(),
            share: None,
        }
    }

    fn describe(params: &Chunks) -> String {
        params.describe()
    }

    fn expected(params: &Chunks) -> u64 {
        params.expected()
    }

    fn run_async<R: AsyncRuntime>(
        runtime: R,
        params: Chunks,
    ) -> impl Future<Output = Outcome> + Send + 'static {
        params.run_async(runtime)
    }

    fn run_blocking(strategy: &dyn Strategy, params: &Chunks) -> Outcome {
        params.run_blocking(strategy)
    }

    fn shares(params: &Chunks, cores: usize) -> Result<Vec<Chunks>, String> {
        Ok(params.shares(cores))
    }

    fn fit(params: Chunks, context: &FitContext) -> Result<Fitted<Chunks>, String> {
        Ok(params.fit(context))
    }

    fn script(params: &Chunks) -> Result<Vec<ScriptJob>, String> {
        Ok(params.script())
    }

    fn script_outcome(params: &Chunks, results: &[u64]) -> Result<Outcome, String> {
        params.script_outcome(results)
    }
}

/// Kernel steps in one quick-preset chunk: 64 of them take about 0.15 s on one core of
/// the reference machine (a 2-core Xeon VM, about 1.2 ns per step): a sample well
/// above timer and harness noise (75 ms on 2 threads), small enough that a cell can
/// take many of them; precision comes from more samples, not bigger ones.
pub const QUICK_STEPS_PER_CHUNK: u64 = 1_875_000;

/// Kernel steps in one full-preset chunk: 128 of them take about 3 s.
pub const FULL_STEPS_PER_CHUNK: u64 = 19_500_000;

//! `cpu-skewed`: the `cpu` kernel with strongly uneven chunks. A few chunks cost
//! 10–50× the median and sit together at the front of the range, as skew in real data
//! tends to cluster (the dense region of a matrix, the busy shard). A static split hands
//! them all to the first thread; dynamic scheduling (work stealing, a shared queue)
//! spreads them.

use crate::chunks::Chunks;
use crate::{FitContext, Fitted, Preset, Workload};
use rtcompare_api::ids;
use rtcompare_api::{AsyncRuntime, Outcome, ScriptJob, Strategy, WorkloadKind};
use std::future::Future;

/// Uneven chunks of CPU work.
pub struct CpuSkewed;

/// Weights of the heavy chunks, in units of a light chunk, repeated at the front.
const HEAVY: [u32; 4] = [50, 35, 20, 10];

/// One chunk in this many is heavy.
const HEAVY_EVERY: usize = 16;

fn weights(chunks: usize) -> Vec<u32> {
    let heavy = (chunks / HEAVY_EVERY).max(1);
    (0..chunks)
        .map(|i| if i < heavy { HEAVY[i % HEAVY.len()] } else { 1 })
        .collect()
}

impl Workload for CpuSkewed {
    const ID: &'static str = ids::workload::CPU_SKEWED;
    const KIND: WorkloadKind = WorkloadKind::Cpu;
    const SUMMARY: &'static str =
        "the cpu kernel in uneven chunks: 1 in 16 costs 10-50x the median, clustered at the front";
    type Params = Chunks;

    fn params(preset: Preset) -> Chunks {
        // Same total work as `cpu` at each preset, so the two read side by side.
        let chunks = match preset {
            Preset::Tiny => 16,
            Preset::Quick => 64,
            Preset::Full => 128,
        };
        let cpu = crate::cpu::Cpu::params(preset);
        let cpu_total = cpu.unit_steps * cpu.weights.len() as u64;
        let weights = weights(chunks);
        let units: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        Chunks {
            unit_steps: cpu_total / units,
            weights: weights.into(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skew_is_strong_and_clustered() {
        let w = weights(64);
        let mut sorted = w.clone();
        sorted.sort_unstable();
        let median = sorted[sorted.len() / 2];
        assert_eq!(median, 1);
        let heavy: Vec<_> = w.iter().filter(|&&x| x >= 10 * median).collect();
        assert_eq!(heavy.len(), 4);
        assert!(w.iter().all(|&x| x <= 50 * median));
        // All heavy chunks land in the first half: a static split of 2 gives thread 0
        // (115 + 28) units of 175 against 32 for thread 1.
        assert!(w[..32].iter().filter(|&&x| x > 1).count() == 4);
    }

    #[test]
    fn same_total_work_as_cpu() {
        for preset in Preset::ALL {
            let skewed = CpuSkewed::params(preset);
            let cpu = crate::cpu::Cpu::params(preset);
            let total =
                |c: &Chunks| c.unit_steps * c.weights.iter().map(|&w| u64::from(w)).sum::<u64>();
            let (a, b) = (total(&skewed) as f64, total(&cpu) as f64);
            assert!((a / b - 1.0).abs() < 0.01, "{preset}: {a} vs {b}");
        }
    }
}

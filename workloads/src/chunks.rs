//! Independent chunks of the CPU kernel with given weights: the body shared by `cpu`
//! and `cpu-skewed`. Each chunk is one task (async) or one job (blocking).

use crate::{FitContext, Fitted, kernel};
use rtcompare_api::{AsyncRuntime, Outcome, ScriptJob, Share, Strategy};
use serde::Serialize;
use std::sync::Arc;

/// Chunk `i` advances the kernel `unit_steps × weights[i]` steps.
#[derive(Debug, Clone, Serialize)]
pub struct Chunks {
    /// Kernel steps in one unit of work.
    pub unit_steps: u64,
    /// Units per chunk, one entry per chunk.
    pub weights: Arc<[u32]>,
    /// On a thread-per-core runner, the core whose chunks these are (chunk `i` to
    /// core `i mod N`, round robin); `None`: every chunk.
    #[serde(skip)]
    pub share: Option<Share>,
}

/// How many times fewer kernel steps a chunk takes in an interpreter
/// ([`FitContext::script`]): CPython 3.11 takes about 130 ns per step of the kernel
/// (a multiply, an add and a mask on unbounded integers) where compiled code takes
/// about 1.2 ns, so at 1/128 of the steps a CPython sample lasts about as long as a
/// Rust one. The chunks and their weights stay the same, so the shape of the work
/// (and the skew of `cpu-skewed`) is the same on both sides.
pub const SCRIPT_STEP_DIVISOR: u64 = 128;

/// `1875000` as `1,875,000`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// Fewest kernel steps per unit an interpreter runs: below it (the tiny preset) a
/// chunk would be too short to measure anything but the interpreter's overhead.
const SCRIPT_MIN_UNIT_STEPS: u64 = 2_000;

impl Chunks {
    fn steps(&self, index: usize) -> u64 {
        self.unit_steps * u64::from(self.weights[index])
    }

    /// Runs chunk `index` and returns its share of the checksum.
    pub fn run_chunk(&self, index: usize) -> u64 {
        let value = kernel::spin(kernel::seed(index as u64), self.steps(index));
        kernel::contribution(index as u64, value)
    }

    /// "64 chunks, 4.2e8 kernel steps" and, when uneven, the spread.
    pub fn describe(&self) -> String {
        let units: u64 = self.weights.iter().map(|&w| u64::from(w)).sum();
        let max = self.weights.iter().copied().max().unwrap_or(0);
        let spread = if max > 1 {
            format!(", chunks of 1-{max} units")
        } else {
            String::new()
        };
        format!(
            "{} chunks, {:.2e} kernel steps{spread}",
            self.weights.len(),
            (units * self.unit_steps) as f64
        )
    }

    /// Fits the chunks to a runner: in an interpreter, each unit runs
    /// [`SCRIPT_STEP_DIVISOR`] times fewer steps (the params record it, and a note
    /// says so); elsewhere, unchanged.
    pub fn fit(self, context: &FitContext) -> Fitted<Chunks> {
        if !context.script {
            return Fitted::all(self);
        }
        let unit_steps =
            (self.unit_steps / SCRIPT_STEP_DIVISOR).max(SCRIPT_MIN_UNIT_STEPS.min(self.unit_steps));
        let note = format!(
            "an interpreter runs {} kernel steps per unit of work, 1/{} of a compiled \
             runner's {}; its speedups are against its own sequential runner",
            thousands(unit_steps),
            self.unit_steps / unit_steps,
            thousands(self.unit_steps)
        );
        Fitted {
            params: Chunks { unit_steps, ..self },
            extrapolation: None,
            notes: vec![note],
        }
    }

    /// One script job per chunk: the kernel from the chunk's seed for its steps.
    pub fn script(&self) -> Vec<ScriptJob> {
        (0..self.weights.len())
            .map(|i| ScriptJob::Spin {
                seed: kernel::seed(i as u64),
                steps: self.steps(i),
            })
            .collect()
    }

    /// The outcome from each chunk's final generator state, every one checked
    /// against the jump-ahead value, so a chunk computed wrong is named.
    pub fn script_outcome(&self, results: &[u64]) -> Result<Outcome, String> {
        if results.len() != self.weights.len() {
            return Err(format!(
                "{} results for {} chunks",
                results.len(),
                self.weights.len()
            ));
        }
        let mut sum = 0u64;
        for (i, &value) in results.iter().enumerate() {
            let expected = kernel::jump(kernel::seed(i as u64), self.steps(i));
            if value != expected {
                return Err(format!(
                    "chunk {i}: the interpreter's kernel ended at {value:#018x} after {} \
                     steps, but {expected:#018x} is right",
                    self.steps(i)
                ));
            }
            sum = sum.wrapping_add(kernel::contribution(i as u64, value));
        }
        Ok(Outcome::new(sum))
    }

    /// The checksum of all chunks, by jumping ahead.
    pub fn expected(&self) -> u64 {
        (0..self.weights.len()).fold(0u64, |sum, i| {
            let value = kernel::jump(kernel::seed(i as u64), self.steps(i));
            sum.wrapping_add(kernel::contribution(i as u64, value))
        })
    }

    /// One share per core, the chunks handed out round robin: what a
    /// thread-per-core runtime does with work it cannot rebalance later.
    pub fn shares(&self, cores: usize) -> Vec<Chunks> {
        Share::all(cores)
            .map(|share| Chunks {
                share: Some(share),
                ..self.clone()
            })
            .collect()
    }

    /// One task per chunk (of this share), all spawned before any is awaited.
    pub async fn run_async<R: AsyncRuntime>(self, runtime: R) -> Outcome {
        let chunks = Arc::new(self);
        let share = chunks.share;
        let tasks: Vec<_> = (0..chunks.weights.len())
            .filter(|&i| share.is_none_or(|s| s.owns(i)))
            .map(|i| {
                let chunks = Arc::clone(&chunks);
                runtime.spawn(async move { chunks.run_chunk(i) })
            })
            .collect();
        let mut sum = 0u64;
        for task in tasks {
            sum = sum.wrapping_add(task.await);
        }
        Outcome::new(sum)
    }

    /// One job per chunk.
    pub fn run_blocking(&self, strategy: &dyn Strategy) -> Outcome {
        Outcome::new(strategy.run(self.weights.len(), &|i| self.run_chunk(i)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Preset;
    use crate::Workload;

    #[test]
    fn an_interpreter_runs_fewer_steps_of_the_same_chunks() {
        let cpu = crate::cpu::Cpu::params(Preset::Quick);
        let context = FitContext {
            script: true,
            ..FitContext::for_async(Preset::Quick)
        };
        let fitted = cpu.clone().fit(&context);
        assert_eq!(
            fitted.params.unit_steps,
            cpu.unit_steps / SCRIPT_STEP_DIVISOR
        );
        assert_eq!(fitted.params.weights, cpu.weights);
        assert!(
            fitted.notes[0].contains(
                "14,648 kernel steps per unit of work, 1/128 of a compiled runner's 1,875,000"
            ),
            "{:?}",
            fitted.notes
        );
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        // Tiny chunks are not cut below the floor; compiled runners are untouched.
        let tiny = crate::cpu::Cpu::params(Preset::Tiny);
        assert_eq!(
            tiny.clone().fit(&context).params.unit_steps,
            tiny.unit_steps
        );
        let compiled = cpu.clone().fit(&FitContext::for_async(Preset::Quick));
        assert_eq!(compiled.params.unit_steps, cpu.unit_steps);
        assert!(compiled.notes.is_empty());
    }

    #[test]
    fn script_results_are_checked_chunk_by_chunk() {
        let chunks = crate::cpu_skewed::CpuSkewed::params(Preset::Tiny);
        let right: Vec<u64> = chunks
            .script()
            .iter()
            .map(|job| match *job {
                ScriptJob::Spin { seed, steps } => kernel::spin(seed, steps),
                ScriptJob::Sleep { .. } => unreachable!("chunks only spin"),
            })
            .collect();
        let outcome = chunks.script_outcome(&right).unwrap();
        assert_eq!(outcome.checksum, chunks.expected());
        let mut wrong = right.clone();
        wrong[3] ^= 1;
        let error = chunks.script_outcome(&wrong).unwrap_err();
        assert!(error.starts_with("chunk 3: "), "{error}");
        let error = chunks.script_outcome(&right[1..]).unwrap_err();
        assert!(error.contains("15 results for 16 chunks"), "{error}");
    }
}

//! Independent chunks of the CPU kernel with given weights: the body shared by `cpu`
//! and `cpu-skewed`. Each chunk is one task (async) or one job (blocking).

use crate::kernel;
use rtcompare_api::{AsyncRuntime, Outcome, Share, Strategy};
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

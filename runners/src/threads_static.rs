//! `threads-static`: N persistent OS threads, each handed a contiguous 1/N share of the
//! jobs up front (OpenMP's `schedule(static)`). No queue, no stealing: the cheapest
//! possible hand-out, and defenceless against uneven jobs.

use crate::pool::Batch;
use crate::{Runner, RunnerError, RunnerInfo, ThreadsKnob};
use rtcompare_api::{Class, Concurrency, Family, Job, Nesting, Strategy, Visitor};
use std::ops::Range;
use std::sync::Arc;
use std::sync::mpsc::{Sender, channel};
use std::thread::JoinHandle;

/// Static partitioning over N threads.
pub struct ThreadsStatic;

struct StaticSplit {
    inboxes: Vec<Sender<(Arc<Batch>, Range<usize>)>>,
    workers: Vec<JoinHandle<()>>,
}

/// Worker `w` of `n` gets jobs `[w·jobs/n, (w+1)·jobs/n)`.
fn share(jobs: usize, n: usize, w: usize) -> Range<usize> {
    (w * jobs / n)..((w + 1) * jobs / n)
}

impl StaticSplit {
    fn new(threads: usize) -> std::io::Result<Self> {
        let mut inboxes = Vec::with_capacity(threads);
        let mut workers = Vec::with_capacity(threads);
        for i in 0..threads {
            let (tx, rx) = channel::<(Arc<Batch>, Range<usize>)>();
            inboxes.push(tx);
            workers.push(
                std::thread::Builder::new()
                    .name(format!("static-{i}"))
                    .spawn(move || {
                        for (batch, range) in rx {
                            batch.run(range);
                        }
                    })?,
            );
        }
        Ok(StaticSplit { inboxes, workers })
    }
}

impl Strategy for StaticSplit {
    fn concurrency(&self) -> Concurrency {
        Concurrency::Bounded(self.workers.len())
    }

    fn run(&self, jobs: usize, job: Job<'_>) -> u64 {
        let n = self.inboxes.len();
        // SAFETY: `wait` below returns only after all `n` shares have run.
        let batch = unsafe { Batch::new(job, n) };
        for (w, inbox) in self.inboxes.iter().enumerate() {
            inbox
                .send((Arc::clone(&batch), share(jobs, n, w)))
                .expect("threads-static worker exited");
        }
        batch.wait()
    }

    fn nesting(&self) -> Nesting {
        Nesting::Unsupported
    }
}

impl Drop for StaticSplit {
    fn drop(&mut self) {
        self.inboxes.clear(); // closing the inboxes ends the workers' loops
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

impl Runner for ThreadsStatic {
    const INFO: RunnerInfo = RunnerInfo {
        id: "threads-static",
        class: Class::ConcurrentParallel,
        family: Family::StaticSplit,
        threads: ThreadsKnob::Workers,
        summary: "N std threads, each given a contiguous 1/N of the jobs up front",
        timer: "std::thread::sleep (the kernel's timer)",
        channel: "std::sync::mpsc",
        net: "std::net, blocking; each thread serves a fixed 1/N share of the connections, one at a time",
        offload: "n/a (blocking work holds its thread)",
        caveats: &[],
        baseline: None,
    };

    fn execute<V: Visitor>(threads: usize, visitor: V) -> Result<V::Out, RunnerError> {
        let split = StaticSplit::new(threads).map_err(|e| RunnerError::Build {
            runner: Self::INFO.id,
            message: e.to_string(),
        })?;
        Ok(visitor.visit_blocking(&split))
    }
}

#[cfg(test)]
mod tests {
    use super::share;

    #[test]
    fn shares_cover_every_job_once() {
        for (jobs, n) in [(64, 2), (10, 3), (3, 4), (0, 2)] {
            let all: Vec<usize> = (0..n).flat_map(|w| share(jobs, n, w)).collect();
            assert_eq!(all, (0..jobs).collect::<Vec<_>>(), "{jobs} jobs over {n}");
        }
    }
}

//! `rayon`: a rayon `ThreadPool` of exactly N threads running the jobs as a parallel
//! iterator. Parallel but not concurrent: a blocking wait holds its worker, and work
//! stealing balances the parts.

use crate::{Runner, RunnerError, RunnerInfo, ThreadsKnob};
use rayon::prelude::*;
use rtcompare_api::{Class, Concurrency, Family, Job, Nesting, Strategy, Task, Visitor};

/// rayon with a dedicated pool.
pub struct Rayon;

struct Parallel {
    pool: rayon::ThreadPool,
}

impl Strategy for Parallel {
    fn concurrency(&self) -> Concurrency {
        Concurrency::Bounded(self.pool.current_num_threads())
    }

    fn run(&self, jobs: usize, job: Job<'_>) -> u64 {
        self.pool.install(|| {
            (0..jobs)
                .into_par_iter()
                .map(job)
                .reduce(|| 0, u64::wrapping_add)
        })
    }

    fn nesting(&self) -> Nesting {
        Nesting::Parallel
    }

    fn join(&self, left: Task<'_>, right: Task<'_>) -> (u64, u64) {
        // Inside a job this is already on the pool; `install` then costs a check.
        self.pool.install(|| rayon::join(left, right))
    }
}

impl Runner for Rayon {
    const INFO: RunnerInfo = RunnerInfo {
        id: "rayon",
        class: Class::Parallel,
        family: Family::WorkStealing,
        threads: ThreadsKnob::Workers,
        summary: "rayon::ThreadPoolBuilder::new().num_threads(N); (0..jobs).into_par_iter()",
        timer: "std::thread::sleep (the kernel's timer)",
        channel: "std::sync::mpsc",
        net: "std::net, blocking; a rayon job per connection: N connections served at a time, the rest wait",
        offload: "n/a (blocking work holds a rayon worker)",
        caveats: &[
            "parallel, not concurrent: a blocking wait holds its worker thread",
            "into_par_iter() splits the job range adaptively into contiguous pieces that each \
             run sequentially; costly jobs clustered in one piece are not rebalanced (the \
             idiomatic default, kept on purpose; with_max_len(1) would split to single jobs)",
        ],
        baseline: None,
    };

    fn execute<V: Visitor>(threads: usize, visitor: V) -> Result<V::Out, RunnerError> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("rayon-{i}"))
            .build()
            .map_err(|e| RunnerError::Build {
                runner: Self::INFO.id,
                message: e.to_string(),
            })?;
        Ok(visitor.visit_blocking(&Parallel { pool }))
    }
}

//! `seq`: neither concurrent nor parallel. One job after another on the calling
//! thread; the baseline every speedup is measured against.

use crate::{Runner, RunnerError, RunnerInfo, ThreadsKnob};
use rtcompare_api::{Class, Concurrency, Family, Job, Strategy, Visitor};

/// The sequential baseline.
pub struct Seq;

struct Sequential;

impl Strategy for Sequential {
    fn concurrency(&self) -> Concurrency {
        Concurrency::Bounded(1)
    }

    fn run(&self, jobs: usize, job: Job<'_>) -> u64 {
        (0..jobs).fold(0u64, |sum, i| sum.wrapping_add(job(i)))
    }
}

impl Runner for Seq {
    const INFO: RunnerInfo = RunnerInfo {
        id: "seq",
        class: Class::Sequential,
        family: Family::SingleQueue,
        threads: ThreadsKnob::One,
        summary: "a plain loop on the calling thread; blocking waits block everything",
        timer: "std::thread::sleep",
        channel: "std::sync::mpsc",
        net: "std::net, blocking; serves one connection at a time while the rest wait in the listen backlog",
        offload: "n/a (no executor to keep free)",
        caveats: &[],
        baseline: None,
    };

    fn execute<V: Visitor>(_threads: usize, visitor: V) -> Result<V::Out, RunnerError> {
        Ok(visitor.visit_blocking(&Sequential))
    }
}

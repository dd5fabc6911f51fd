//! `tokio-mt`: tokio's multi_thread scheduler (work stealing) with exactly `--threads`
//! workers, set explicitly rather than left to tokio's one-per-core default.

use crate::{Runner, RunnerError, RunnerInfo, ThreadsKnob, tokio_rt};
use rtcompare_api::{Class, Family, Visitor};

/// tokio, multi_thread.
pub struct TokioMt;

impl Runner for TokioMt {
    const INFO: RunnerInfo = RunnerInfo {
        id: "tokio-mt",
        class: Class::ConcurrentParallel,
        family: Family::WorkStealing,
        threads: ThreadsKnob::Workers,
        summary: "tokio::runtime::Builder::new_multi_thread().worker_threads(N).enable_all()",
        timer: "tokio's time driver (1 ms resolution) and mio reactor, driven by whichever worker parks",
        channel: "tokio::sync::mpsc",
        net: "tokio::net (tokio's reactor), via tokio-util compat",
        offload: "tokio::task::spawn_blocking (tokio's blocking pool)",
        caveats: &[
            crate::TOKIO_TIMER,
            "each worker keeps the last task it scheduled in a LIFO slot that other workers \
             cannot steal (tokio issue #4941; stealing added in #7431, reverted in #8100), so \
             a task queued behind a long poll on the same worker waits for it",
            "spawn_blocking threads carry the workers' thread name",
        ],
        baseline: None,
    };

    fn execute<V: Visitor>(threads: usize, visitor: V) -> Result<V::Out, RunnerError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .enable_all()
            .build()
            .map_err(|e| RunnerError::Build {
                runner: Self::INFO.id,
                message: e.to_string(),
            })?;
        Ok(tokio_rt::drive(runtime, visitor))
    }
}

//! `tokio-ct`: tokio's current_thread scheduler. Concurrent, not parallel: every task
//! runs on the calling thread, which also drives tokio's timer and I/O driver.

use crate::{Runner, RunnerError, RunnerInfo, ThreadsKnob, tokio_rt};
use rtcompare_api::{Class, Family, Visitor};

/// tokio, current_thread.
pub struct TokioCt;

impl Runner for TokioCt {
    const INFO: RunnerInfo = RunnerInfo {
        id: "tokio-ct",
        class: Class::Concurrent,
        family: Family::SingleQueue,
        threads: ThreadsKnob::One,
        summary: "tokio::runtime::Builder::new_current_thread().enable_all()",
        timer: "tokio's time driver (1 ms resolution) and mio reactor, on the same thread",
        channel: "tokio::sync::mpsc",
        net: "tokio::net (tokio's reactor), via tokio-util compat",
        offload: "tokio::task::spawn_blocking (tokio's blocking pool)",
        caveats: &[crate::TOKIO_TIMER],
        baseline: None,
    };

    fn execute<V: Visitor>(_threads: usize, visitor: V) -> Result<V::Out, RunnerError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| RunnerError::Build {
                runner: Self::INFO.id,
                message: e.to_string(),
            })?;
        Ok(tokio_rt::drive(runtime, visitor))
    }
}

//! `tokio-per-core`: N tokio `current_thread` runtimes, one per thread, sharing
//! nothing. Each core runs its own share of the work, spawns only onto itself (no
//! stealing), and for TCP accepts on its own `SO_REUSEPORT` listener, as pingora and
//! many proxies run tokio.

use crate::per_core::{Core, CoreError, CoreThreads};
use crate::tokio_rt::{Tokio, unwrap_join};
use crate::{Runner, RunnerError, RunnerInfo, ThreadsKnob};
use rtcompare_api::{Class, Family, Visitor};
use std::time::Instant;

/// tokio, one current_thread runtime per core.
pub struct TokioPerCore;

impl Runner for TokioPerCore {
    const INFO: RunnerInfo = RunnerInfo {
        id: "tokio-per-core",
        class: Class::ConcurrentParallel,
        family: Family::ThreadPerCore,
        threads: ThreadsKnob::Workers,
        summary: "N threads, each with its own tokio::runtime::Builder::new_current_thread() \
                  runtime; work placed per core, tokio::spawn stays on the core",
        timer: "each core's own tokio time driver (1 ms resolution) and mio reactor",
        channel: "tokio::sync::mpsc",
        net: "tokio::net, one SO_REUSEPORT listener per core",
        offload: "tokio::task::spawn_blocking (each core's runtime has its own blocking pool)",
        caveats: &[crate::TOKIO_TIMER, crate::PER_CORE_SHARES],
        baseline: None,
    };

    fn execute<V: Visitor>(threads: usize, visitor: V) -> Result<V::Out, RunnerError> {
        let mut cores = CoreThreads::start(Self::INFO.id, "tokio-core", threads, |_| {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| CoreError::Failed(e.to_string()))?;
            Ok(Core {
                // The root runs as a task of the core's runtime, as on tokio-ct.
                run: Box::new(move |root| {
                    let outcome = runtime.block_on(async move { tokio::spawn(root).await });
                    // epoll: closes and deregistrations happen at once, nothing to settle.
                    (unwrap_join(outcome), Instant::now())
                }),
                io_driver: "epoll (mio)".into(),
            })
        })?;
        Ok(visitor.visit_per_core(&Tokio::current(), &mut cores))
    }
}

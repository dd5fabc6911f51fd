//! Sleeping and yielding through async-io, the timer and reactor that smol,
//! async-std and (for want of their own) the futures runners use.

use std::future::Future;
use std::time::Duration;

/// Waits `duration` on async-io's `Timer`. The deadline is fixed now, at the call,
/// as tokio's `sleep` fixes it, not at the first poll.
pub(crate) fn sleep(duration: Duration) -> impl Future<Output = ()> + Send {
    let timer = async_io::Timer::after(duration);
    async move {
        timer.await;
    }
}

/// Yields once to the executor (a runtime-neutral future: wake, then pending).
pub(crate) fn yield_now() -> impl Future<Output = ()> + Send {
    smol::future::yield_now()
}

//! tokio's runtime behind [`AsyncRuntime`]: shared by `tokio-ct` and `tokio-mt`, which
//! differ only in the scheduler they build.

use rtcompare_api::{AsyncRuntime, Outcome, Visitor};
use std::future::Future;
use std::panic::resume_unwind;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;
use tokio::runtime::{Handle, Runtime};
use tokio::task::{JoinError, JoinHandle};

/// A tokio runtime handle.
#[derive(Clone)]
pub struct Tokio(Handle);

/// tokio's `JoinHandle`, resolving to the task's output; a panic resumes in the awaiter.
pub struct TokioJoin<T>(JoinHandle<T>);

fn unwrap_join<T>(result: Result<T, JoinError>) -> T {
    match result {
        Ok(value) => value,
        Err(e) if e.is_panic() => resume_unwind(e.into_panic()),
        Err(e) => panic!("tokio task did not complete: {e}"),
    }
}

impl<T> Future for TokioJoin<T> {
    type Output = T;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        Poll::Ready(unwrap_join(ready!(Pin::new(&mut self.0).poll(cx))))
    }
}

impl AsyncRuntime for Tokio {
    type Join<T: Send + 'static> = TokioJoin<T>;

    fn spawn<F>(&self, future: F) -> TokioJoin<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        TokioJoin(self.0.spawn(future))
    }

    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send {
        tokio::time::sleep(duration)
    }

    fn yield_now(&self) -> impl Future<Output = ()> + Send {
        tokio::task::yield_now()
    }
}

/// Hands `runtime` to `visitor`; each root future is spawned on the runtime and the
/// caller blocks on its join handle.
pub fn drive<V: Visitor>(runtime: Runtime, visitor: V) -> V::Out {
    let handle = Tokio(runtime.handle().clone());
    let out = visitor.visit_async(&handle, &mut |root| -> Outcome {
        unwrap_join(runtime.block_on(handle.0.spawn(root)))
    });
    // Drop outside any timed region; tasks are all awaited, nothing is left to cancel.
    drop(runtime);
    out
}

//! [`OnThread`]: a value that belongs to the thread that made it, carried through the
//! `Send` bounds of [`AsyncRuntime`](rtcompare_api::AsyncRuntime).
//!
//! Thread-per-core runtimes (monoio, glommio, compio) give `!Send` join handles,
//! sockets and channels: they live on one thread's runtime. The workloads' async
//! bodies are written once against `Send` bounds, because multithreaded runtimes
//! need them. On a thread-per-core runner every task runs on the thread that spawned
//! it, so such a value never really moves; this wrapper states that, and checks it:
//! any use on another thread panics instead of touching the value, and a drop there
//! aborts the process (a pinned future may be linked into its runtime, a timer wheel
//! or a waiter list, so its memory must not be freed undropped, and dropping it there
//! is what the check prevents). The check is one thread-local address comparison per
//! poll, no allocation.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

thread_local! {
    /// Its address tells threads apart, more cheaply than `thread::current().id()`.
    static MARK: u8 = const { 0 };
}

fn this_thread() -> usize {
    MARK.with(|mark| std::ptr::from_ref(mark) as usize)
}

/// A value usable only on the thread that wrapped it (see the module docs).
pub(crate) struct OnThread<T> {
    value: std::mem::ManuallyDrop<T>,
    owner: usize,
}

// SAFETY: the value is only ever reached through `get`/`get_mut`/`into_inner` or
// dropped after `check()` confirmed the calling thread is the one that created it, so
// it is never used, nor dropped, on another thread; moving the wrapper itself moves
// only bytes.
unsafe impl<T> Send for OnThread<T> {}
// SAFETY: as above: a shared reference reaches the value only on its own thread.
unsafe impl<T> Sync for OnThread<T> {}

impl<T> OnThread<T> {
    /// Wraps `value`, which now belongs to the calling thread.
    pub(crate) fn new(value: T) -> Self {
        OnThread {
            value: std::mem::ManuallyDrop::new(value),
            owner: this_thread(),
        }
    }

    #[track_caller]
    fn check(&self) {
        assert!(
            self.owner == this_thread(),
            "a thread-per-core runtime's value was used on a thread other than its own"
        );
    }

    /// The value, on its own thread.
    #[track_caller]
    pub(crate) fn get(&self) -> &T {
        self.check();
        &self.value
    }

    /// The value, on its own thread.
    #[track_caller]
    pub(crate) fn get_mut(&mut self) -> &mut T {
        self.check();
        &mut self.value
    }
}

impl<T> Drop for OnThread<T> {
    fn drop(&mut self) {
        if self.owner != this_thread() {
            eprintln!(
                "a thread-per-core runtime's value was dropped on a thread other than its \
                 own: aborting, since it may still be linked into its runtime"
            );
            std::process::abort();
        }
        // SAFETY: dropped once, here, in place, on its own thread.
        unsafe { std::mem::ManuallyDrop::drop(&mut self.value) };
    }
}

// Not only `Unpin` futures: a runtime's own `!Send` futures (compio's sleep, accept
// and connect are `async fn`s) are wrapped as they are, without a box per call.
impl<T: Future> Future for OnThread<T> {
    type Output = T::Output;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T::Output> {
        self.check();
        // SAFETY: structural pinning of `value`. `OnThread<T>` is `Unpin` only when `T`
        // is; the value is never moved out (there is no `into_inner`, and `Drop` drops
        // it in place); and `get_mut` needs `&mut Self`, which a pinned `!Unpin`
        // wrapper never gives safely.
        unsafe { self.map_unchecked_mut(|this| &mut *this.value) }.poll(cx)
    }
}

impl<T: futures::io::AsyncRead + Unpin> futures::io::AsyncRead for OnThread<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(self.get_mut().get_mut()).poll_read(cx, buf)
    }
}

impl<T: futures::io::AsyncWrite + Unpin> futures::io::AsyncWrite for OnThread<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(self.get_mut().get_mut()).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(self.get_mut().get_mut()).poll_flush(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(self.get_mut().get_mut()).poll_close(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usable_on_its_thread() {
        let mut value = OnThread::new(std::rc::Rc::new(5));
        assert_eq!(**value.get(), 5);
        *value.get_mut() = std::rc::Rc::new(6);
        assert_eq!(**value.get(), 6);
    }

    #[test]
    fn another_thread_panics_instead_of_touching_it() {
        let value = OnThread::new(std::rc::Rc::new(5));
        let used = std::thread::spawn(move || {
            let used = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| **value.get()));
            std::mem::forget(value);
            used
        })
        .join()
        .unwrap();
        assert!(used.is_err(), "use on another thread must panic");
    }

    #[test]
    fn a_drop_on_another_thread_aborts_the_process() {
        const CHILD: &str = "RTCOMPARE_ON_THREAD_DROP_CHILD";
        if std::env::var_os(CHILD).is_some() {
            let value = OnThread::new(std::rc::Rc::new(5));
            let _ = std::thread::spawn(move || drop(value)).join();
            return; // not reached: the drop aborts
        }
        // The abort must end a process, so the test runs itself again as that process.
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "on_thread::tests::a_drop_on_another_thread_aborts_the_process",
            ])
            .env(CHILD, "1")
            .stderr(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(libc::SIGABRT), "{status:?}");
    }

    #[test]
    fn a_future_is_polled_in_place_on_its_thread() {
        let rc = std::rc::Rc::new(5);
        // An async block holding an `Rc` across an await: neither `Send` nor `Unpin`.
        let future = OnThread::new(async move {
            std::future::ready(()).await;
            *rc + 1
        });
        assert_eq!(futures::executor::block_on(future), 6);
    }

    #[test]
    fn a_future_polled_on_another_thread_panics() {
        let mut future = OnThread::new(std::future::ready(5));
        let polled = std::thread::spawn(move || {
            let polled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let mut cx = Context::from_waker(futures::task::noop_waker_ref());
                let _ = Pin::new(&mut future).poll(&mut cx);
            }));
            // Dropping it here would abort the test process, as designed.
            std::mem::forget(future);
            polled
        })
        .join()
        .unwrap();
        assert!(polled.is_err(), "polling on another thread must panic");
    }
}

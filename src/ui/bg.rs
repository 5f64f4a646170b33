//! Background work for the UI: futures spawned on the tokio runtime whose results the UI
//! polls each frame, waking the UI when they finish. The UI thread never waits on them.
//!
//! A panic in background work never takes the window down: it is caught where the work
//! runs, logged, turned into the task's error result ([`FromPanic`]) and recorded for the
//! window to show ([`failures_since`]).

use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures::FutureExt as _;
use poll_promise::Promise;

use crate::store::StoreError;

// One list of caught panics for the whole window: the chart's background jobs record theirs
// there too.
pub use wickview_chart::failures::{failures_since, panic_message, report_panic};

/// The result a background task stands for when it panicked.
pub trait FromPanic {
    /// The value carrying `message` as the task's error.
    fn from_panic(message: String) -> Self;
}

impl<T> FromPanic for Result<T, String> {
    fn from_panic(message: String) -> Self {
        Err(message)
    }
}

impl<T> FromPanic for Result<T, StoreError> {
    fn from_panic(message: String) -> Self {
        Err(StoreError::Backend {
            backend: "background task",
            detail: message,
        })
    }
}

impl<T> FromPanic for Vec<T> {
    /// Nothing (the failure is shown through [`failures_since`]).
    fn from_panic(_message: String) -> Self {
        Vec::new()
    }
}

impl<A: Default, B: FromPanic> FromPanic for (A, B) {
    fn from_panic(message: String) -> Self {
        (A::default(), B::from_panic(message))
    }
}

/// Spawns `fut` on the tokio runtime of `rt` and asks `ctx` to repaint when it is done.
/// A panic inside `fut` becomes its [`FromPanic`] error result.
pub fn spawn<T: Send + FromPanic + 'static>(
    rt: &tokio::runtime::Handle,
    ctx: &egui::Context,
    fut: impl Future<Output = T> + Send + 'static,
) -> Promise<T> {
    let ctx = ctx.clone();
    let _guard = rt.enter();
    Promise::spawn_async(async move {
        let out = match AssertUnwindSafe(fut).catch_unwind().await {
            Ok(out) => out,
            Err(payload) => T::from_panic(report_panic("a background task", payload.as_ref())),
        };
        ctx.request_repaint();
        out
    })
}

/// Takes the result out of `slot` if its promise has finished, leaving `None` behind.
pub fn take_ready<T: Send + 'static>(slot: &mut Option<Promise<T>>) -> Option<T> {
    let promise = slot.take()?;
    match promise.try_take() {
        Ok(v) => Some(v),
        Err(p) => {
            *slot = Some(p);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    #[test]
    fn a_panicking_task_becomes_an_error_not_a_crash() {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let ctx = egui::Context::default();
        let mut slot: Option<Promise<Result<u32, String>>> =
            Some(spawn(rt.handle(), &ctx, async move {
                let v: Vec<u32> = Vec::new();
                Ok(v[3])
            }));
        let started = Instant::now();
        let result = loop {
            if let Some(r) = take_ready(&mut slot) {
                break r;
            }
            assert!(started.elapsed() < Duration::from_secs(10));
            std::thread::sleep(Duration::from_millis(5));
        };
        let err = result.unwrap_err();
        assert!(err.contains("index out of bounds"), "{err}");
        assert!(
            failures_since(0)
                .0
                .iter()
                .any(|f| f.contains("index out of bounds"))
        );
    }
}

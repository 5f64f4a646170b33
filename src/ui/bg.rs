//! Background work for the UI: futures spawned on the tokio runtime whose results the UI
//! polls each frame, waking the UI when they finish. The UI thread never waits on them.
//!
//! A panic in background work never takes the window down: it is caught where the work
//! runs, logged, turned into the task's error result ([`FromPanic`]) and recorded for the
//! window to show ([`failures_since`]).

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Mutex, PoisonError};

use futures::FutureExt as _;
use poll_promise::Promise;

use crate::store::StoreError;

/// Panics caught in background work since the window last looked.
static FAILURES: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// The text of a panic payload.
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_owned())
}

/// Logs and records a panic caught in background work `what`; returns the message shown.
pub fn report_panic(what: &str, payload: &(dyn Any + Send)) -> String {
    let message = format!("{what} failed unexpectedly: {}", panic_message(payload));
    tracing::error!("{message}");
    FAILURES
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(message.clone());
    message
}

/// Panics caught in background work after the first `seen` ones, and how many there are
/// now (pass that as `seen` next time). Panics are rare; all of them are kept.
pub fn failures_since(seen: usize) -> (Vec<String>, usize) {
    let all = FAILURES.lock().unwrap_or_else(PoisonError::into_inner);
    (all.iter().skip(seen).cloned().collect(), all.len())
}

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

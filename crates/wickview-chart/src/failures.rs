//! Panics caught in background work, kept for the window to show.
//!
//! The chart's background jobs catch a panic where the work runs (it must never reach rayon,
//! which would abort the process), log it and record it here; an application embedding the
//! chart shows what [`failures_since`] returns, and may record its own background failures
//! with [`report_panic`] in the same list.

use std::any::Any;
use std::sync::{Mutex, PoisonError};

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reported_panic_is_listed_with_its_message() {
        let payload: Box<dyn Any + Send> = Box::new(String::from("index 7 out of range"));
        let (_, before) = failures_since(0);
        let shown = report_panic("a test job", payload.as_ref());
        assert_eq!(
            shown,
            "a test job failed unexpectedly: index 7 out of range"
        );
        let (new, now) = failures_since(before);
        assert!(now > before);
        assert!(new.contains(&shown), "{new:?}");
        let static_payload: Box<dyn Any + Send> = Box::new("boom");
        assert_eq!(panic_message(static_payload.as_ref()), "boom");
        let other: Box<dyn Any + Send> = Box::new(3_u8);
        assert_eq!(panic_message(other.as_ref()), "no message");
    }
}

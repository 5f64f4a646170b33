//! Per-source health over one run, and the circuit breaker that stops asking a source
//! that keeps failing.

use std::collections::BTreeMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};

use super::{SourceError, SourceId};

/// Consecutive failures after which a source is skipped for the rest of a run.
pub const DEFAULT_BREAKER_FAILURES: u32 = 3;

/// What one source did in a run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SourceHealth {
    /// When it last answered with data.
    pub last_success: Option<DateTime<Utc>>,
    /// When it last failed, and why.
    pub last_error: Option<(DateTime<Utc>, String)>,
    /// Failures since its last success.
    pub consecutive_failures: u32,
    /// Tickers it served.
    pub successes: u32,
    /// Downloads that failed (an unknown symbol is not a failure of the source).
    pub failures: u32,
    /// Whether the breaker tripped: the source is skipped for the rest of the run.
    pub tripped: bool,
}

impl SourceHealth {
    /// One line for the panel and the run summary.
    pub fn describe(&self) -> String {
        let mut line = format!("{} served, {} failed", self.successes, self.failures);
        if self.tripped {
            line.push_str(&format!(
                "; skipped for the rest of the run after {} failures in a row",
                self.consecutive_failures
            ));
        }
        if let Some((_, why)) = &self.last_error {
            line.push_str("; last error: ");
            line.push_str(why);
        }
        line
    }
}

/// The health of every source of a run, shared by its downloads.
#[derive(Debug)]
pub struct HealthBoard {
    threshold: u32,
    sources: Mutex<BTreeMap<SourceId, SourceHealth>>,
}

impl Default for HealthBoard {
    fn default() -> Self {
        Self::new(DEFAULT_BREAKER_FAILURES)
    }
}

impl HealthBoard {
    /// A board whose breaker trips after `threshold` consecutive failures (at least 1).
    pub fn new(threshold: u32) -> Self {
        Self {
            threshold: threshold.max(1),
            sources: Mutex::new(BTreeMap::new()),
        }
    }

    fn with<R>(&self, f: impl FnOnce(&mut BTreeMap<SourceId, SourceHealth>) -> R) -> R {
        // A panic while holding the lock cannot leave the map inconsistent (plain
        // counters), so a poisoned lock is used as is.
        let mut map = self
            .sources
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut map)
    }

    /// Whether the source may still be asked in this run.
    pub fn allows(&self, id: SourceId) -> bool {
        self.with(|m| !m.get(&id).is_some_and(|h| h.tripped))
    }

    /// Records data received from the source.
    pub fn record_success(&self, id: SourceId) {
        self.with(|m| {
            let h = m.entry(id).or_default();
            h.last_success = Some(Utc::now());
            h.consecutive_failures = 0;
            h.successes += 1;
        });
    }

    /// Records a failure; returns whether this one tripped the breaker. An unknown symbol
    /// says nothing about the source's health and is not counted.
    pub fn record_failure(&self, id: SourceId, err: &SourceError) -> bool {
        if matches!(err.root(), SourceError::UnknownSymbol { .. }) {
            return false;
        }
        let threshold = self.threshold;
        self.with(|m| {
            let h = m.entry(id).or_default();
            h.last_error = Some((Utc::now(), err.to_string()));
            h.consecutive_failures += 1;
            h.failures += 1;
            let trips = !h.tripped && h.consecutive_failures >= threshold;
            if trips {
                h.tripped = true;
                tracing::warn!(
                    source = id.name(),
                    "{} failed {} times in a row; skipped for the rest of the run",
                    id.label(),
                    h.consecutive_failures
                );
            }
            trips
        })
    }

    /// Every source asked in this run and its health.
    pub fn snapshot(&self) -> Vec<(SourceId, SourceHealth)> {
        self.with(|m| m.iter().map(|(id, h)| (*id, h.clone())).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breaker_trips_after_consecutive_failures_only() {
        let board = HealthBoard::new(3);
        let down = SourceError::Server { status: 503 };
        assert!(!board.record_failure(SourceId::Yahoo, &down));
        assert!(!board.record_failure(SourceId::Yahoo, &down));
        board.record_success(SourceId::Yahoo);
        assert!(!board.record_failure(SourceId::Yahoo, &down));
        assert!(!board.record_failure(SourceId::Yahoo, &down));
        assert!(board.allows(SourceId::Yahoo));
        let unknown = SourceError::UnknownSymbol {
            symbol: "X".into(),
            detail: String::new(),
        };
        assert!(!board.record_failure(SourceId::Yahoo, &unknown));
        assert!(board.allows(SourceId::Yahoo));
        assert!(board.record_failure(SourceId::Yahoo, &down));
        assert!(!board.allows(SourceId::Yahoo));
        assert!(board.allows(SourceId::Naver));
        let snap = board.snapshot();
        assert_eq!(snap.len(), 1);
        let (id, health) = &snap[0];
        assert_eq!(*id, SourceId::Yahoo);
        assert_eq!((health.successes, health.failures), (1, 5));
        assert!(health.tripped);
        assert!(
            health
                .describe()
                .contains("skipped for the rest of the run")
        );
    }
}

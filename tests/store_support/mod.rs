//! Shared helpers of the store tests: fixtures, fresh stores of each backend, the skip rule.

#![allow(
    dead_code,
    clippy::unwrap_used,
    reason = "shared test helpers: not every test uses each, and a failed set-up must fail the test"
)]

use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};

use chrono::NaiveDate;
use wickview::model::{Bar, BarIssue, DailySeries, SeriesBuilder};
use wickview::store::{Store, StoreConfig};

/// The environment variable naming the MongoDB server the tests use.
pub const MONGO_ENV: &str = "WICKVIEW_TEST_MONGODB_URI";

/// Which backend a test runs against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Embedded,
    Mongo,
}

/// A store opened for one test, with what it needs to clean up.
pub struct TestStore {
    pub store: Store,
    _dir: Option<tempfile::TempDir>,
}

impl TestStore {
    /// Drops the test's MongoDB database (the embedded one goes with its temp dir).
    pub async fn finish(self) {
        if !self.store.is_embedded() {
            self.store.drop_all_data().await.unwrap();
        }
    }
}

/// The MongoDB URI for tests. MongoDB tests carry
/// `#[cfg_attr(not(mongo_tests), ignore = "...")]` (the cfg comes from `build.rs` when
/// `WICKVIEW_TEST_MONGODB_URI` or `CI=true` is set), so without a server they are listed as
/// ignored and never get here; one that runs anyway (`--ignored`, or `CI=true` without a
/// server) fails loudly instead of passing without testing anything.
pub fn mongo_uri() -> Option<String> {
    match std::env::var(MONGO_ENV) {
        Ok(uri) if !uri.trim().is_empty() => Some(uri),
        _ => panic!(
            "{MONGO_ENV} is unset: this MongoDB test needs a server (start one with .ci/mongo-test-server.sh)"
        ),
    }
}

/// A database name no other test uses.
pub fn fresh_db_name() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "wickview_test_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A fresh, empty store of `backend` (always `Some`; MongoDB without a configured server panics).
pub async fn open(backend: Backend) -> Option<TestStore> {
    match backend {
        Backend::Embedded => {
            let dir = tempfile::tempdir().unwrap();
            let config = StoreConfig::Embedded {
                data_dir: dir.path().join("data"),
            };
            let store = Store::open(&config).await.unwrap();
            Some(TestStore {
                store,
                _dir: Some(dir),
            })
        }
        Backend::Mongo => {
            let uri = mongo_uri()?;
            let config = StoreConfig::Mongo {
                uri,
                db_name: fresh_db_name(),
            };
            let store = Store::open(&config).await.unwrap();
            Some(TestStore { store, _dir: None })
        }
    }
}

/// Parses a `date,open,high,low,close,volume` CSV into bars.
pub fn read_bars(path: &Path) -> Vec<Bar> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    reader
        .records()
        .map(|record| {
            let record = record.unwrap();
            let num = |i: usize| record[i].parse::<f64>().unwrap();
            Bar {
                date: NaiveDate::parse_from_str(&record[0], "%Y-%m-%d").unwrap(),
                open: num(1),
                high: num(2),
                low: num(3),
                close: num(4),
                volume: num(5),
                dividends: 0.0,
                stock_splits: 0.0,
            }
        })
        .collect()
}

/// A real sample series from `assets/sample`, built into a series, with the builder's report.
pub fn fixture(name: &str) -> (DailySeries, Vec<BarIssue>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/sample")
        .join(name);
    let mut builder = SeriesBuilder::new();
    for bar in read_bars(&path) {
        builder.push(bar);
    }
    builder.build()
}

/// `y-m-d` as a date.
pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

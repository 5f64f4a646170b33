//! MongoDB faults: a server that is down at start, and one killed in the middle of a bulk
//! upsert, restarted, and written again.
//!
//! The mid-write test starts its own SecantusDB process from `WICKVIEW_TEST_SECANTUSD`
//! (set by `.ci/mongo-test-server.sh`); without it the test prints a loud notice and
//! returns, except in CI (`CI=true`) where it fails.

#![allow(
    clippy::unwrap_used,
    reason = "test case bodies and helpers outside #[test] functions: failures must fail the test"
)]

mod store_support;

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use wickview::cli::bench_store::synthetic_series;
use wickview::model::{Category, Ticker, TickerMeta};
use wickview::store::{Store, StoreConfig, StoreError};

const SERVER_ENV: &str = "WICKVIEW_TEST_SECANTUSD";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn secantusd() -> Option<String> {
    match std::env::var(SERVER_ENV) {
        Ok(path) if !path.trim().is_empty() => Some(path),
        _ => {
            if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
                panic!("CI=true but {SERVER_ENV} is unset: the MongoDB fault test must run in CI");
            }
            eprintln!(
                "\n*** MongoDB fault test did NOT run: set {SERVER_ENV} to secantusd-py (e.g. via .ci/mongo-test-server.sh) ***\n"
            );
            None
        }
    }
}

/// Starts the server and waits until its port accepts connections.
fn start_server(bin: &str, port: u16, storage: &Path) -> Child {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(storage.with_extension("log"))
        .unwrap();
    let mut child = Command::new(bin)
        .args([
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--storage-path",
        ])
        .arg(storage)
        .args(["--log-level", "WARNING"])
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "server exited at start"
        );
        assert!(Instant::now() < deadline, "server did not open port {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
    child
}

/// The password-bearing URI of a port nobody listens on: open fails fast, names the host,
/// hides the password, and says a retry may help.
#[tokio::test]
async fn unreachable_server_is_a_clear_quick_error_without_the_password() {
    let port = free_port();
    let config = StoreConfig::Mongo {
        uri: format!("mongodb://wick:s3cr3t-pw@127.0.0.1:{port}/?directConnection=true"),
        db_name: "finance_db".into(),
    };
    assert_eq!(
        config.describe(),
        format!("MongoDB: 127.0.0.1:{port} / finance_db")
    );
    let started = Instant::now();
    let err = Store::open(&config).await.err().unwrap();
    let elapsed = started.elapsed();
    let msg = err.to_string();
    eprintln!("after {elapsed:?}: {msg}");
    assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
    assert!(
        matches!(&err, StoreError::Unreachable { host, .. } if *host == format!("127.0.0.1:{port}")),
        "{err:?}"
    );
    assert!(msg.contains(&format!("127.0.0.1:{port}")), "{msg}");
    assert!(!msg.contains("s3cr3t-pw") && !format!("{err:?}").contains("s3cr3t-pw"));
    assert!(err.is_transient());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_killed_mid_upsert_then_rerun_stores_exactly_the_series() {
    let Some(bin) = secantusd() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let storage = dir.path().join("data");
    std::fs::create_dir_all(&storage).unwrap();
    let port = free_port();
    let mut server = start_server(&bin, port, &storage);
    let config = StoreConfig::Mongo {
        uri: format!("mongodb://127.0.0.1:{port}/?directConnection=true"),
        db_name: store_support::fresh_db_name(),
    };
    let store = Store::open(&config).await.unwrap();

    // Another ticker's bars, already stored, must come through untouched.
    let other = Ticker::parse(Category::UsStock, "KEEP").unwrap();
    let other_bars = synthetic_series(500, 11);
    store.upsert_bars(&other, &other_bars).await.unwrap();
    let ticker = Ticker::parse(Category::UsStock, "FAULT").unwrap();
    store
        .add_ticker(&TickerMeta::new(ticker.clone(), "Fault test"))
        .await
        .unwrap();
    let series = synthetic_series(10_000, 5);
    let total = series.len() as u64;

    let writer = tokio::spawn({
        let store = store.clone();
        let ticker = ticker.clone();
        let series = series.clone();
        async move { store.upsert_bars(&ticker, &series).await }
    });
    // A second client watches the bars arrive and kills the server part-way through.
    let watcher = Store::open(&config).await.unwrap();
    let before_kill = loop {
        let n = watcher.bar_count("FAULT").await.unwrap();
        if n >= 1000 {
            break n;
        }
        assert!(
            !writer.is_finished(),
            "the write finished before the kill; make the series longer"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    server.kill().unwrap();
    server.wait().unwrap();
    let err = writer.await.unwrap().unwrap_err();
    eprintln!("write interrupted after >= {before_kill} of {total} bars: {err}");
    assert!(err.is_transient(), "{err:?}");
    assert!(
        matches!(&err, StoreError::Unreachable { host, .. } if *host == format!("127.0.0.1:{port}")),
        "{err:?}"
    );

    // Restart on the same data and port; the same Store handle reconnects.
    server = start_server(&bin, port, &storage);
    let partial = store.bar_count("FAULT").await.unwrap();
    eprintln!("after restart: {partial} bars of {total} stored");
    assert!(partial < total, "the kill came too late to test anything");
    let summary = store.upsert_bars(&ticker, &series).await.unwrap();
    eprintln!("rerun: {summary:?}");
    assert_eq!(summary.total(), total);
    assert_eq!(summary.inserted, total - partial);
    assert_eq!(summary.updated, 0, "bars that made it were complete");

    assert_eq!(store.bar_count("FAULT").await.unwrap(), total);
    assert_eq!(store.load_series(&ticker, None).await.unwrap(), series);
    assert_eq!(store.load_series(&other, None).await.unwrap(), other_bars);
    assert_eq!(
        store.ticker("FAULT").await.unwrap().unwrap().name,
        "Fault test"
    );
    let last = store.last_days(Category::UsStock).await.unwrap();
    assert_eq!(last["FAULT"], series.last_day().unwrap());

    store.drop_all_data().await.unwrap();
    server.kill().unwrap();
    server.wait().unwrap();
}

//! MongoDB faults: a server that is down at start, and one killed in the middle of a bulk
//! upsert, restarted, and written again.
//!
//! The mid-write test starts its own SecantusDB process from `WICKVIEW_TEST_SECANTUSD`
//! (set by `.ci/mongo-test-server.sh`); without it the test is listed as ignored, except in
//! CI (`CI=true`) where it runs and fails.

#![allow(
    clippy::unwrap_used,
    reason = "test case bodies and helpers outside #[test] functions: failures must fail the test"
)]

mod common;
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

/// The server binary. The tests that need it are ignored unless `build.rs` saw
/// `WICKVIEW_TEST_SECANTUSD` (or `CI=true`); one that runs without it fails loudly.
fn secantusd() -> Option<String> {
    match std::env::var(SERVER_ENV) {
        Ok(path) if !path.trim().is_empty() => Some(path),
        _ => panic!(
            "{SERVER_ENV} is unset: this test needs secantusd-py (set by .ci/mongo-test-server.sh)"
        ),
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
#[cfg_attr(
    not(mongo_fault_tests),
    ignore = "needs SecantusDB: set WICKVIEW_TEST_SECANTUSD (.ci/mongo-test-server.sh)"
)]
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

/// An update run whose MongoDB server is killed after its first ticker: the run stops
/// with one error naming the unreachable server (it does not try every remaining ticker
/// against a dead server), and once the server is back a rerun stores every ticker's
/// whole history, with no day missing in the middle.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(mongo_fault_tests),
    ignore = "needs SecantusDB: set WICKVIEW_TEST_SECANTUSD (.ci/mongo-test-server.sh)"
)]
async fn server_killed_during_an_update_stops_the_run_and_a_rerun_completes_it() {
    use wickview::update::{UpdateConfig, UpdateError, UpdateEvent, UpdateJob};
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

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

    let source = MockServer::start().await;
    common::mount_handshake(&source).await;
    let symbols = ["KA", "KB", "KC", "KD", "KE"];
    let mut expected = Vec::new();
    for (i, symbol) in symbols.iter().enumerate() {
        let ticker = Ticker::parse(Category::UsStock, symbol).unwrap();
        store
            .add_ticker(&TickerMeta::new(ticker.clone(), *symbol))
            .await
            .unwrap();
        let series = synthetic_series(2500, 100 + i as u64);
        let body = common::chart_json(symbol, "America/New_York", (9, 30), &series);
        // The first answers at once; the others take a moment, so the kill lands between.
        let delay = if i == 0 { 0 } else { 800 };
        Mock::given(method("GET"))
            .and(path(common::chart_path(symbol)))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_string(body)
                    .set_delay(Duration::from_millis(delay)),
            )
            .mount(&source)
            .await;
        expected.push((ticker, series));
    }
    let today = expected[0].1.last_day().unwrap();
    let update = UpdateConfig {
        categories: vec![Category::UsStock],
        concurrency: 1,
        today: Some(today),
        ..UpdateConfig::default()
    };
    let (mut handle, job) = UpdateJob::spawn(
        store.clone(),
        common::fast_config(&source.uri()),
        update.clone(),
        &tokio::runtime::Handle::current(),
    );
    let started = Instant::now();
    let mut killed = false;
    while let Some(event) = handle.events.recv().await {
        if matches!(event, UpdateEvent::TickerDone { .. }) && !killed {
            server.kill().unwrap();
            server.wait().unwrap();
            killed = true;
        }
    }
    assert!(killed, "no ticker finished before the kill");
    let err = job.await.unwrap().unwrap_err();
    let elapsed = started.elapsed();
    eprintln!("run stopped after {elapsed:?}: {err}");
    match &err {
        UpdateError::StoreLost { source, .. } => assert!(
            matches!(source, StoreError::Unreachable { host, .. } if *host == format!("127.0.0.1:{port}")),
            "{source:?}"
        ),
        other => panic!("{other:?}"),
    }
    let mut requested = 0;
    for symbol in symbols {
        requested += common::hits(&source, &common::chart_path(symbol)).await;
    }
    assert!(
        requested <= 3,
        "{requested} tickers downloaded against a dead store"
    );
    assert!(elapsed < Duration::from_secs(20), "{elapsed:?}");

    server = start_server(&bin, port, &storage);
    let (mut handle, job) = UpdateJob::spawn(
        store.clone(),
        common::fast_config(&source.uri()),
        update,
        &tokio::runtime::Handle::current(),
    );
    while handle.events.recv().await.is_some() {}
    let summary = job.await.unwrap().unwrap();
    assert_eq!(summary.succeeded, symbols.len(), "{summary:?}");
    for (ticker, series) in &expected {
        let stored = store.load_series(ticker, None).await.unwrap();
        assert_eq!(
            stored.days(),
            series.days(),
            "{ticker}: every day, none missing"
        );
        // Values pass through JSON, where the last bit of a float may round differently.
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * a.abs().max(b.abs());
        let first_difference = stored.bars().zip(series.bars()).position(|(a, b)| {
            !(close(a.open, b.open)
                && close(a.high, b.high)
                && close(a.low, b.low)
                && close(a.close, b.close)
                && a.volume == b.volume)
        });
        assert_eq!(
            first_difference,
            None,
            "{ticker}: {:?} vs {:?}",
            first_difference.and_then(|i| stored.bars().nth(i)),
            first_difference.and_then(|i| series.bars().nth(i))
        );
    }
    store.drop_all_data().await.unwrap();
    server.kill().unwrap();
    server.wait().unwrap();
}

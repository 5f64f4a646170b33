//! Update runs against a stalling source and a store that goes away mid-run (embedded,
//! opened read-only underneath the run; the MongoDB case with a killed server is in
//! `store_mongo_fault.rs`).

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use std::time::{Duration, Instant};

use common::*;
use wickview::model::{Category, Ticker, TickerMeta};
use wickview::store::{Store, StoreConfig, StoreError};
use wickview::update::{UpdateConfig, UpdateError, UpdateEvent, UpdateJob};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn serve(server: &MockServer, symbol: &str, template: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path(chart_path(symbol)))
        .respond_with(template)
        .mount(server)
        .await;
}

async fn add(store: &Store, symbol: &str) {
    let ticker = Ticker::parse(Category::UsStock, symbol).unwrap();
    store
        .add_ticker(&TickerMeta::new(ticker, symbol))
        .await
        .unwrap();
}

fn config(concurrency: usize) -> UpdateConfig {
    UpdateConfig {
        categories: vec![Category::UsStock],
        concurrency,
        today: Some(d(2024, 6, 14)),
        ..UpdateConfig::default()
    }
}

/// One stalling ticker fails with "timed out after 1 s" while the others are stored.
#[tokio::test]
async fn a_stalled_ticker_times_out_and_the_run_goes_on() {
    let server = MockServer::start().await;
    mount_handshake(&server).await;
    let sandbox = Sandbox::new();
    let store = Store::open(&StoreConfig::Embedded {
        data_dir: sandbox.data_dir(),
    })
    .await
    .unwrap();
    for symbol in ["MSFT", "SLOW"] {
        add(&store, symbol).await;
    }
    let body = yahoo_fixture("msft_today_twice.json");
    serve(
        &server,
        "MSFT",
        ResponseTemplate::new(200).set_body_string(body.clone()),
    )
    .await;
    serve(
        &server,
        "SLOW",
        ResponseTemplate::new(200)
            .set_body_string(body)
            .set_delay(Duration::from_secs(30)),
    )
    .await;
    let mut source = fast_config(&server.uri());
    source.read_timeout = Duration::from_millis(300);
    source.ticker_deadline = Duration::from_secs(1);
    source.retry.max_attempts = 10;
    let started = Instant::now();
    let (mut handle, job) = UpdateJob::spawn(
        store.clone(),
        source,
        config(2),
        &tokio::runtime::Handle::current(),
    );
    let mut failures = Vec::new();
    while let Some(event) = handle.events.recv().await {
        if let UpdateEvent::TickerFailed { ticker, reason, .. } = event {
            failures.push((ticker, reason));
        }
    }
    let summary = job.await.unwrap().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(summary.succeeded, 1);
    assert_eq!(
        failures,
        vec![(
            "SLOW".to_owned(),
            "timed out after 1 s (the per-ticker deadline)".to_owned()
        )]
    );
}

/// The store refuses every write from the first one on (here: a read-only handle): the run
/// stops with one error naming the store instead of downloading and failing every other
/// ticker the same way.
#[tokio::test]
async fn a_lost_store_stops_the_run_with_one_error() {
    let server = MockServer::start().await;
    mount_handshake(&server).await;
    let sandbox = Sandbox::new();
    let config_store = StoreConfig::Embedded {
        data_dir: sandbox.data_dir(),
    };
    let symbols = ["AAA", "BBB", "CCC", "DDD", "EEE", "FFF"];
    {
        let store = Store::open(&config_store).await.unwrap();
        for symbol in symbols {
            add(&store, symbol).await;
        }
    }
    let body = yahoo_fixture("msft_today_twice.json");
    for symbol in symbols {
        serve(
            &server,
            symbol,
            ResponseTemplate::new(200).set_body_string(body.clone()),
        )
        .await;
    }
    let read_only = Store::open_read_only(&config_store).await.unwrap();
    let (mut handle, job) = UpdateJob::spawn(
        read_only,
        fast_config(&server.uri()),
        config(1),
        &tokio::runtime::Handle::current(),
    );
    let mut events = Vec::new();
    while let Some(event) = handle.events.recv().await {
        events.push(event);
    }
    let err = job.await.unwrap().unwrap_err();
    match &err {
        UpdateError::StoreLost {
            source,
            done,
            total,
        } => {
            assert!(matches!(source, StoreError::ReadOnly { .. }), "{source:?}");
            assert_eq!((*done, *total), (1, 6));
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("read-only"), "{err}");
    let failed = events
        .iter()
        .filter(|e| matches!(e, UpdateEvent::TickerFailed { .. }))
        .count();
    assert_eq!(failed, 1, "{events:?}");
    let requested: usize = futures_count(&server, &symbols).await;
    assert!(
        requested <= 2,
        "{requested} tickers downloaded after the store was lost"
    );
}

async fn futures_count(server: &MockServer, symbols: &[&str]) -> usize {
    let mut n = 0;
    for s in symbols {
        n += hits(server, &chart_path(s)).await;
    }
    n
}

/// A long history is written in batches, and each batch is reported as it lands, so the
/// panel's "bars written" moves before the ticker is done.
#[tokio::test]
async fn bars_are_reported_as_they_land() {
    let server = MockServer::start().await;
    mount_handshake(&server).await;
    let sandbox = Sandbox::new();
    let store = Store::open(&StoreConfig::Embedded {
        data_dir: sandbox.data_dir(),
    })
    .await
    .unwrap();
    add(&store, "AAPL").await;
    let aapl = read_sample("AAPL.csv");
    serve(
        &server,
        "AAPL",
        ResponseTemplate::new(200).set_body_string(chart_json(
            "AAPL",
            "America/New_York",
            (9, 30),
            &aapl,
        )),
    )
    .await;
    let mut cfg = config(1);
    cfg.today = aapl.last_day();
    let (mut handle, job) = UpdateJob::spawn(
        store.clone(),
        fast_config(&server.uri()),
        cfg,
        &tokio::runtime::Handle::current(),
    );
    let mut progress = Vec::new();
    while let Some(event) = handle.events.recv().await {
        match event {
            UpdateEvent::BarsStored { written_so_far, .. } => progress.push(written_so_far),
            UpdateEvent::TickerDone { bars_written, .. } => progress.push(bars_written),
            _ => {}
        }
    }
    job.await.unwrap().unwrap();
    assert_eq!(aapl.len(), 3270);
    assert_eq!(progress, vec![1000, 2000, 3000, 3270]);
}

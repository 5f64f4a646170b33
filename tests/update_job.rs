//! The updater against a local mock Yahoo server and both stores: every fault of one run
//! reported while the other tickers are stored; idempotent reruns; cancel then rerun.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;
#[path = "store_support/mod.rs"]
mod store_support;

use std::collections::BTreeMap;
use std::time::Duration;

use common::*;
use store_support::{Backend, open};
use wickview::model::{Bar, Category, DailySeries, SeriesBuilder, Ticker, TickerMeta};
use wickview::store::Store;
use wickview::update::{UpdateConfig, UpdateEvent, UpdateJob, UpdateSummary};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn serve(server: &MockServer, symbol: &str, template: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path(chart_path(symbol)))
        .respond_with(template)
        .mount(server)
        .await;
}

fn ok(body: String) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_string(body)
}

async fn add(store: &Store, category: Category, symbol: &str) -> Ticker {
    let ticker = Ticker::parse(category, symbol).unwrap();
    store
        .add_ticker(&TickerMeta::new(ticker.clone(), symbol))
        .await
        .unwrap();
    ticker
}

fn config() -> UpdateConfig {
    UpdateConfig {
        concurrency: 4,
        today: Some(d(2024, 6, 14)),
        event_capacity: 4,
        ..UpdateConfig::default()
    }
}

/// Runs an update to the end, collecting every event.
async fn run(
    store: &Store,
    server: &MockServer,
    config: UpdateConfig,
) -> (Vec<UpdateEvent>, UpdateSummary) {
    let mut source = fast_config(&server.uri());
    source.request_timeout = Duration::from_millis(700);
    let (mut handle, job) = UpdateJob::spawn(
        store.clone(),
        source,
        config,
        &tokio::runtime::Handle::current(),
    );
    let mut events = Vec::new();
    while let Some(e) = handle.events.recv().await {
        events.push(e);
    }
    (events, job.await.unwrap().unwrap())
}

async fn load(store: &Store, t: &Ticker) -> DailySeries {
    store.load_series(t, None).await.unwrap()
}

async fn every_fault_is_reported_and_the_rest_stored(backend: Backend) {
    let Some(ts) = open(backend).await else {
        return;
    };
    let store = &ts.store;
    let server = MockServer::start().await;
    mount_handshake(&server).await;

    let aapl_series = read_sample("AAPL.csv");
    let aapl = add(store, Category::UsStock, "AAPL").await;
    serve(
        &server,
        "AAPL",
        ok(chart_json(
            "AAPL",
            "America/New_York",
            (9, 30),
            &aapl_series,
        )),
    )
    .await;
    let gspc_series = read_sample("GSPC.csv");
    let gspc = add(store, Category::Index, "^GSPC").await;
    serve(
        &server,
        "^GSPC",
        ok(chart_json(
            "^GSPC",
            "America/New_York",
            (9, 30),
            &gspc_series,
        )),
    )
    .await;
    let msft = add(store, Category::UsStock, "MSFT").await;
    serve(&server, "MSFT", ok(yahoo_fixture("msft_today_twice.json"))).await;
    let nulls = add(store, Category::UsStock, "NULZ").await;
    serve(&server, "NULZ", ok(yahoo_fixture("aapl_nulls.json"))).await;
    let divs = add(store, Category::UsStock, "DIVS").await;
    serve(&server, "DIVS", ok(yahoo_fixture("aapl_div_split.json"))).await;
    let kq = add(store, Category::KoreanStock, "247540").await;
    serve(
        &server,
        "247540.KS",
        ResponseTemplate::new(404).set_body_string(yahoo_fixture("unknown.json")),
    )
    .await;
    serve(&server, "247540.KQ", ok(yahoo_fixture("247540_kq.json"))).await;
    let rate = add(store, Category::UsStock, "RATE").await;
    Mock::given(method("GET"))
        .and(path(chart_path("RATE")))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    serve(&server, "RATE", ok(yahoo_fixture("aapl_nulls.json"))).await;
    let nope = add(store, Category::UsStock, "NOPE").await;
    serve(
        &server,
        "NOPE",
        ResponseTemplate::new(404).set_body_string(yahoo_fixture("unknown.json")),
    )
    .await;
    let down = add(store, Category::UsStock, "DOWN").await;
    serve(&server, "DOWN", ResponseTemplate::new(500)).await;
    let cut = add(store, Category::UsStock, "CUT").await;
    let full = yahoo_fixture("aapl_nulls.json");
    serve(&server, "CUT", ok(full[..full.len() / 2].to_owned())).await;
    let slow = add(store, Category::UsStock, "SLOW").await;
    serve(
        &server,
        "SLOW",
        ok(yahoo_fixture("aapl_nulls.json")).set_delay(Duration::from_secs(3)),
    )
    .await;
    // An inactive ticker is not collected.
    let idle = add(store, Category::UsStock, "IDLE").await;
    store
        .update_ticker(
            "IDLE",
            &wickview::store::TickerEdit {
                active: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap();

    let (events, summary) = run(store, &server, config()).await;

    // What is stored.
    assert_eq!(
        load(store, &aapl).await,
        aapl_series,
        "every AAPL bar, exactly"
    );
    assert_eq!(load(store, &gspc).await, gspc_series);
    let m = load(store, &msft).await;
    assert_eq!(m.len(), 3);
    assert_eq!(
        m.close()[2],
        441.579_986_572_265_6,
        "today's later bar kept"
    );
    let n = load(store, &nulls).await;
    assert_eq!(
        n.days(),
        &[d(2024, 3, 4), d(2024, 3, 5), d(2024, 3, 7), d(2024, 3, 8)]
    );
    let v = load(store, &divs).await;
    assert_eq!(v.dividends()[v.index_of(d(2020, 8, 7)).unwrap()], 0.205);
    assert_eq!(v.stock_splits()[v.index_of(d(2020, 8, 31)).unwrap()], 4.0);
    assert_eq!(
        load(store, &kq).await.close(),
        &[296_500.0, 279_000.0, 275_500.0]
    );
    assert_eq!(
        store
            .ticker("247540")
            .await
            .unwrap()
            .unwrap()
            .source_symbol
            .as_deref(),
        Some("247540.KQ"),
        "resolved symbol stored"
    );
    assert_eq!(load(store, &rate).await.len(), 4, "429 then success");
    for t in [&nope, &down, &cut, &slow, &idle] {
        assert!(load(store, t).await.is_empty(), "{t} stores nothing");
    }

    // What is reported.
    assert_eq!(events.first(), Some(&UpdateEvent::Started { total: 11 }));
    assert!(matches!(events.last(), Some(UpdateEvent::Finished(s)) if *s == summary));
    assert_eq!(summary.total, 11);
    assert_eq!(summary.succeeded, 7);
    assert!(!summary.cancelled);
    assert_eq!(
        summary.skipped_nulls, 2,
        "NULZ and RATE each had a null day"
    );
    let expected_bars = (aapl_series.len() + gspc_series.len() + 3 + 4 + 5 + 3 + 4) as u64;
    assert_eq!(summary.bars_inserted, expected_bars);
    let failures: BTreeMap<&str, &str> = summary
        .failed
        .iter()
        .map(|f| (f.ticker.as_str(), f.reason.as_str()))
        .collect();
    assert_eq!(
        failures.keys().copied().collect::<Vec<_>>(),
        vec!["CUT", "DOWN", "NOPE", "SLOW"]
    );
    assert!(
        failures["NOPE"].contains("unknown symbol NOPE"),
        "{}",
        failures["NOPE"]
    );
    assert!(
        failures["DOWN"].contains("gave up after 3 attempts")
            && failures["DOWN"].contains("HTTP 500")
    );
    assert!(failures["CUT"].contains("cut short"), "{}", failures["CUT"]);
    assert!(
        failures["SLOW"].contains("timed out"),
        "{}",
        failures["SLOW"]
    );
    let failed_events = events
        .iter()
        .filter(|e| matches!(e, UpdateEvent::TickerFailed { .. }))
        .count();
    let done: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            UpdateEvent::TickerDone {
                ticker,
                symbol,
                bars_written,
                skipped_nulls,
                ..
            } => Some((
                ticker.as_str(),
                (symbol.as_str(), *bars_written, *skipped_nulls),
            )),
            _ => None,
        })
        .collect::<BTreeMap<_, _>>()
        .into_iter()
        .collect();
    assert_eq!(failed_events, 4);
    assert_eq!(done.len(), 7);
    assert!(done.contains(&("247540", ("247540.KQ", 3, 0))));
    assert!(done.contains(&("NULZ", ("NULZ", 4, 1))));

    // A second run stores nothing new: only each ticker's last day is fetched again.
    let (_, again) = run(store, &server, config()).await;
    assert_eq!(again.bars_inserted, 0);
    assert_eq!(again.bars_updated, 0);
    assert_eq!(
        again.bars_unchanged, 7,
        "the last day of each stored ticker, re-sent"
    );
    assert_eq!(load(store, &aapl).await, aapl_series);
    ts.finish().await;
}

#[tokio::test]
async fn every_fault_is_reported_and_the_rest_stored_embedded() {
    every_fault_is_reported_and_the_rest_stored(Backend::Embedded).await;
}

#[tokio::test]
#[cfg_attr(
    not(mongo_tests),
    ignore = "needs a MongoDB test server: set WICKVIEW_TEST_MONGODB_URI"
)]
async fn every_fault_is_reported_and_the_rest_stored_mongo() {
    every_fault_is_reported_and_the_rest_stored(Backend::Mongo).await;
}

/// A ticker whose last stored bar is dated in the far future (written by an older version or
/// another tool) fails with that day named and the way out, instead of asking the source for
/// days after it, which Yahoo answers like an unknown symbol.
async fn a_last_bar_in_the_future_is_named(backend: Backend) {
    let Some(ts) = open(backend).await else {
        return;
    };
    let store = &ts.store;
    let server = MockServer::start().await;
    mount_handshake(&server).await;
    let aapl = add(store, Category::UsStock, "AAPL").await;
    let mut builder = SeriesBuilder::new().within(d(1900, 1, 1)..=d(9999, 12, 31));
    for bar in read_sample("AAPL.csv").bars().take(5) {
        builder.push(bar);
    }
    builder.push(Bar::ohlc(d(9999, 12, 31), 1.0, 1.0, 1.0, 1.0));
    let (planted, _) = builder.build();
    assert_eq!(planted.len(), 6);
    store.upsert_bars(&aapl, &planted).await.unwrap();
    serve(
        &server,
        "AAPL",
        ResponseTemplate::new(404).set_body_string(yahoo_fixture("unknown.json")),
    )
    .await;
    let (_, summary) = run(store, &server, config()).await;
    assert_eq!(summary.failed.len(), 1, "{summary:?}");
    let reason = &summary.failed[0].reason;
    assert!(
        reason.contains("last stored bar is dated 9999-12-31, after tomorrow")
            && reason.contains("wickview repair --remove-bad-dates"),
        "{reason}"
    );
    assert!(!reason.contains("unknown symbol"), "{reason}");
    ts.finish().await;
}

#[tokio::test]
async fn a_last_bar_in_the_future_is_named_embedded() {
    a_last_bar_in_the_future_is_named(Backend::Embedded).await;
}

#[tokio::test]
#[cfg_attr(
    not(mongo_tests),
    ignore = "needs a MongoDB test server: set WICKVIEW_TEST_MONGODB_URI"
)]
async fn a_last_bar_in_the_future_is_named_mongo() {
    a_last_bar_in_the_future_is_named(Backend::Mongo).await;
}

/// Twenty tickers cut from the sample series, each served slowly enough to cancel midway.
async fn slow_universe(server: &MockServer) -> Vec<(String, DailySeries)> {
    let sources = ["AAPL.csv", "MSFT.csv", "IBM.csv", "GOOG.csv"];
    let mut all = Vec::new();
    for i in 0..20 {
        let base = read_sample(sources[i % sources.len()]);
        let series = base.slice(i * 40..i * 40 + 600);
        let symbol = format!("T{i:02}");
        serve(
            server,
            &symbol,
            ok(chart_json(&symbol, "America/New_York", (9, 30), &series))
                .set_delay(Duration::from_millis(60)),
        )
        .await;
        all.push((symbol, series));
    }
    all
}

async fn cancelled_then_rerun_equals_uninterrupted(backend: Backend) {
    let server = MockServer::start().await;
    mount_handshake(&server).await;
    let universe = slow_universe(&server).await;
    let cfg = UpdateConfig {
        concurrency: 2,
        ..config()
    };

    // Interrupted: cancel after the third finished ticker, then run again.
    let Some(a) = open(backend).await else { return };
    for (s, _) in &universe {
        add(&a.store, Category::UsStock, s).await;
    }
    let (mut handle, job) = UpdateJob::spawn(
        a.store.clone(),
        fast_config(&server.uri()),
        cfg.clone(),
        &tokio::runtime::Handle::current(),
    );
    let mut done = 0;
    let mut last = None;
    while let Some(e) = handle.events.recv().await {
        if matches!(e, UpdateEvent::TickerDone { .. }) {
            done += 1;
            if done == 3 {
                handle.cancel();
            }
        }
        last = Some(e);
    }
    let cancelled = job.await.unwrap().unwrap();
    assert!(cancelled.cancelled);
    assert!(matches!(last, Some(UpdateEvent::Cancelled(ref s)) if *s == cancelled));
    assert!(
        cancelled.succeeded >= 3 && cancelled.succeeded < 20,
        "{cancelled:?}"
    );
    assert_eq!(
        cancelled.succeeded + cancelled.interrupted + cancelled.not_attempted,
        20
    );
    assert!(cancelled.failed.is_empty());
    let mut stored_after_cancel = 0;
    for (s, series) in &universe {
        let got = load(&a.store, &Ticker::parse(Category::UsStock, s).unwrap()).await;
        assert!(got.is_empty() || got == *series, "{s}: all or nothing");
        stored_after_cancel += usize::from(!got.is_empty());
    }
    assert_eq!(stored_after_cancel, cancelled.succeeded);
    let (_, rerun) = run(&a.store, &server, cfg.clone()).await;
    assert_eq!(rerun.succeeded, 20);

    // Uninterrupted, into a fresh store.
    let Some(b) = open(backend).await else { return };
    for (s, _) in &universe {
        add(&b.store, Category::UsStock, s).await;
    }
    let (_, full) = run(&b.store, &server, cfg).await;
    assert_eq!(full.succeeded, 20);
    assert_eq!(
        cancelled.bars_inserted + rerun.bars_inserted,
        full.bars_inserted,
        "no day written twice"
    );
    for (s, series) in &universe {
        let t = Ticker::parse(Category::UsStock, s).unwrap();
        let (x, y) = (load(&a.store, &t).await, load(&b.store, &t).await);
        assert_eq!(x, y, "{s}");
        assert_eq!(x, *series);
    }
    a.finish().await;
    b.finish().await;
}

#[tokio::test]
async fn cancelled_then_rerun_equals_uninterrupted_embedded() {
    cancelled_then_rerun_equals_uninterrupted(Backend::Embedded).await;
}

#[tokio::test]
#[cfg_attr(
    not(mongo_tests),
    ignore = "needs a MongoDB test server: set WICKVIEW_TEST_MONGODB_URI"
)]
async fn cancelled_then_rerun_equals_uninterrupted_mongo() {
    cancelled_then_rerun_equals_uninterrupted(Backend::Mongo).await;
}

#[tokio::test]
async fn cancel_is_prompt_even_during_long_retries() {
    let Some(ts) = open(Backend::Embedded).await else {
        return;
    };
    let server = MockServer::start().await;
    mount_handshake(&server).await;
    add(&ts.store, Category::UsStock, "AAPL").await;
    serve(
        &server,
        "AAPL",
        ResponseTemplate::new(429).insert_header("retry-after", "30"),
    )
    .await;
    let mut source = fast_config(&server.uri());
    source.retry.max_retry_after = Duration::from_secs(30);
    let (mut handle, job) = UpdateJob::spawn(
        ts.store.clone(),
        source,
        config(),
        &tokio::runtime::Handle::current(),
    );
    assert_eq!(
        handle.events.recv().await,
        Some(UpdateEvent::Started { total: 1 })
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    let asked = std::time::Instant::now();
    handle.cancel();
    let summary = job.await.unwrap().unwrap();
    assert!(asked.elapsed() < Duration::from_secs(1), "stopped promptly");
    assert!(summary.cancelled);
    assert_eq!(
        (summary.interrupted, summary.not_attempted),
        (1, 0),
        "the ticker whose download was under way counts as cancelled, not as not attempted"
    );
}

#[tokio::test]
async fn cli_update_reports_and_exits_non_zero_on_failure() {
    let server = MockServer::start().await;
    mount_handshake(&server).await;
    serve(&server, "MSFT", ok(yahoo_fixture("msft_today_twice.json"))).await;
    serve(
        &server,
        "NOPE",
        ResponseTemplate::new(404).set_body_string(yahoo_fixture("unknown.json")),
    )
    .await;
    let sandbox = Sandbox::new();
    let data = sandbox.data_dir();
    {
        let store = Store::open(&wickview::store::StoreConfig::Embedded {
            data_dir: data.clone(),
        })
        .await
        .unwrap();
        add(&store, Category::UsStock, "MSFT").await;
        add(&store, Category::UsStock, "NOPE").await;
    }
    let run_cli = |category: &'static str| {
        let root = sandbox.root().to_path_buf();
        let url = server.uri();
        tokio::task::spawn_blocking(move || {
            let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_wickview"));
            isolate(&mut cmd, &root)
                .args(["update", "--category", category, "--source-url", &url])
                .output()
                .unwrap()
        })
    };
    let out = run_cli("us").await.unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("MSFT (MSFT, yahoo): 3 bars written"),
        "{stderr}"
    );
    assert!(stderr.contains("sources: 1 from Yahoo Finance"), "{stderr}");
    assert!(
        stderr.contains("NOPE: FAILED: unknown symbol NOPE"),
        "{stderr}"
    );
    assert!(
        stderr.contains("1 of 2 tickers updated, 1 failed"),
        "{stderr}"
    );
    // Another category holds no tickers: nothing to do, success.
    let out = run_cli("fx").await.unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let store = Store::open(&wickview::store::StoreConfig::Embedded { data_dir: data })
        .await
        .unwrap();
    let msft = Ticker::parse(Category::UsStock, "MSFT").unwrap();
    assert_eq!(load(&store, &msft).await.len(), 3);
}

//! The Update tab's cross-source check (`VerifyPanel`), driven as the panel drives it: a
//! run in the background over an embedded store, its reports drained each frame, and the
//! *Replace history* action for a ticker with findings, against a local server speaking
//! Yahoo's chart format.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use std::time::{Duration, Instant};

use chrono::{Datelike as _, Weekday};
use common::*;
use wickview::model::{Bar, Category, DailySeries, Ticker, TickerMeta};
use wickview::store::{Store, StoreConfig};
use wickview::ui::update_verify::VerifyPanel;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// 30 weekdays of February and March 2024, closes 400, 401, …
fn history() -> DailySeries {
    let mut bars = Vec::new();
    let mut day = d(2024, 2, 1);
    while bars.len() < 30 {
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            let c = 400.0 + bars.len() as f64;
            bars.push(Bar {
                volume: 1_000.0,
                ..Bar::ohlc(day, c, c + 1.0, c - 1.0, c)
            });
        }
        day = day.succ_opt().unwrap();
    }
    DailySeries::from_bars(bars).0
}

/// Drains the panel each "frame" until `done` holds.
fn frames_until(panel: &mut VerifyPanel, done: impl Fn(&VerifyPanel) -> bool) {
    let ctx = egui::Context::default();
    let started = Instant::now();
    while !done(panel) {
        assert!(started.elapsed() < Duration::from_secs(20), "never ended");
        std::thread::sleep(Duration::from_millis(10));
        panel.tick(&ctx);
    }
}

#[test]
fn the_panel_names_a_day_five_percent_off_and_replaces_the_history() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let stored = history();
    let odd_day = stored.days()[20];
    // The source sends the same days with one close 5% higher.
    let (served, _) = DailySeries::from_bars(stored.bars().map(|b| {
        if b.date == odd_day {
            Bar {
                open: b.open * 1.05,
                high: b.high * 1.05,
                low: b.low * 1.05,
                close: b.close * 1.05,
                ..b
            }
        } else {
            b
        }
    }));
    let (server, store) = rt.block_on(async {
        let server = MockServer::start().await;
        mount_handshake(&server).await;
        Mock::given(method("GET"))
            .and(path(chart_path("AAPL")))
            .respond_with(ResponseTemplate::new(200).set_body_string(chart_json(
                "AAPL",
                "America/New_York",
                (9, 30),
                &served,
            )))
            .mount(&server)
            .await;
        let store = Store::open(&StoreConfig::Embedded {
            data_dir: dir.path().to_path_buf(),
        })
        .await
        .unwrap();
        let ticker = Ticker::parse(Category::UsStock, "AAPL").unwrap();
        store
            .add_ticker(&TickerMeta::new(ticker.clone(), "Apple"))
            .await
            .unwrap();
        store.upsert_bars(&ticker, &stored).await.unwrap();
        (server, store)
    });
    let config = fast_config(&server.uri());

    let mut panel = VerifyPanel::default();
    panel.start(Vec::new(), 60, &config, rt.handle(), &store);
    assert!(panel.is_running());
    frames_until(&mut panel, |p| !p.is_running());
    let progress = panel.progress().unwrap();
    assert_eq!(progress.error, None);
    assert_eq!(progress.total, Some(1));
    let found: Vec<_> = progress.with_findings().collect();
    assert_eq!(found.len(), 1, "{:?}", progress.reports);
    let comparison = found[0].comparison.as_ref().unwrap();
    assert_eq!(comparison.compared, 30);
    let days: Vec<_> = comparison.disagreements.iter().map(|d| d.date).collect();
    assert_eq!(days, [odd_day]);
    assert!((comparison.disagreements[0].diff - 0.05).abs() < 1e-9);
    assert!(
        found[0].lines()[1].contains(&format!("{odd_day}: stored 420, yahoo 441")),
        "{:?}",
        found[0].lines()
    );

    // *Replace AAPL's history from Yahoo Finance*.
    panel.refetch("AAPL", rt.handle(), &store);
    frames_until(&mut panel, |p| p.refetch_result("AAPL").is_some());
    let done = panel.refetch_result("AAPL").unwrap().as_ref().unwrap();
    assert!(
        done.lines[0].contains("1 closes changed by more than 0.5%"),
        "{:?}",
        done.lines
    );
    assert_eq!(panel.take_replaced(), ["AAPL"], "the views reload it");
    let ticker = Ticker::parse(Category::UsStock, "AAPL").unwrap();
    let now = rt.block_on(store.load_series(&ticker, None)).unwrap();
    assert_eq!(now.close(), served.close());
    let rows = rt.block_on(store.load_provenance(&ticker, None)).unwrap();
    assert!(rows.iter().all(|r| r.source.as_deref() == Some("yahoo")));
}

#[test]
fn an_unknown_ticker_stops_the_run_with_its_reason() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = rt
        .block_on(Store::open(&StoreConfig::Embedded {
            data_dir: dir.path().to_path_buf(),
        }))
        .unwrap();
    let config = fast_config("http://127.0.0.1:9");
    let mut panel = VerifyPanel::default();
    panel.start(vec!["NOPE".into()], 60, &config, rt.handle(), &store);
    frames_until(&mut panel, |p| !p.is_running());
    let progress = panel.progress().unwrap();
    assert_eq!(
        progress.error.as_deref(),
        Some("'NOPE' is not a stored ticker (`wickview tickers list` lists them)")
    );
    assert!(progress.reports.is_empty());
}

//! Failover between sources in an update: a ticker goes to the next source when one
//! fails, the breaker skips a source that keeps failing, every stored bar records its
//! source, a fallback whose overlap disagrees replaces the history instead of stitching,
//! and exchange rates never mix two fixings. The sources here are scripted doubles of the
//! `Source` trait (the HTTP sources have their own mock-server tests); the store is real.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;
#[path = "store_support/mod.rs"]
mod store_support;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use common::d;
use futures::future::BoxFuture;
use store_support::{Backend, open};
use wickview::model::{Bar, Category, DailySeries, Ticker, TickerMeta};
use wickview::source::{ChartData, Fetched, Routes, Source, SourceError, SourceId, SourceSet};
use wickview::store::Store;
use wickview::update::{UpdateConfig, UpdateJob, UpdateSummary};

/// A source that answers from a table of series per ticker, or fails for every ticker
/// while `down` holds an error.
#[derive(Debug)]
struct Scripted {
    id: SourceId,
    series: Mutex<HashMap<String, DailySeries>>,
    down: Mutex<Option<SourceError>>,
    asked: AtomicUsize,
}

impl Scripted {
    fn new(id: SourceId) -> Arc<Self> {
        Arc::new(Self {
            id,
            series: Mutex::new(HashMap::new()),
            down: Mutex::new(None),
            asked: AtomicUsize::new(0),
        })
    }

    fn serve(&self, ticker: &str, series: DailySeries) {
        self.series
            .lock()
            .unwrap()
            .insert(ticker.to_owned(), series);
    }

    fn fail(&self, err: Option<SourceError>) {
        *self.down.lock().unwrap() = err;
    }
}

impl Source for Scripted {
    fn id(&self) -> SourceId {
        self.id
    }

    fn symbol(&self, meta: &TickerMeta) -> Option<String> {
        Some(meta.ticker.as_str().to_owned())
    }

    fn fetch<'a>(
        &'a self,
        meta: &'a TickerMeta,
        from: NaiveDate,
        to: NaiveDate,
    ) -> BoxFuture<'a, Result<Fetched, SourceError>> {
        Box::pin(async move {
            self.asked.fetch_add(1, Ordering::SeqCst);
            if let Some(err) = self.down.lock().unwrap().clone() {
                return Err(err);
            }
            let all = self
                .series
                .lock()
                .unwrap()
                .get(meta.ticker.as_str())
                .cloned();
            let Some(all) = all else {
                return Err(SourceError::UnknownSymbol {
                    symbol: meta.ticker.as_str().to_owned(),
                    detail: "not scripted".to_owned(),
                });
            };
            let part = all.slice(all.range_of(from, to));
            let chart = ChartData {
                symbol: Some(meta.ticker.as_str().to_owned()),
                time_zone: "UTC".to_owned(),
                currency: None,
                name: None,
                series: part,
                skipped_nulls: 0,
                issues: Vec::new(),
                trading_period: None,
            };
            Ok(Fetched::new(meta.ticker.as_str().to_owned(), chart, 1))
        })
    }
}

/// Weekdays from `first` to `last` with closes from `price(i)`.
fn history(first: NaiveDate, last: NaiveDate, price: impl Fn(usize) -> f64) -> DailySeries {
    let mut bars = Vec::new();
    let mut day = first;
    while day <= last {
        if chrono::Datelike::weekday(&day).number_from_monday() <= 5 {
            let p = price(bars.len());
            let mut bar = Bar::ohlc(day, p, p * 1.01, p * 0.99, p);
            bar.volume = 1000.0;
            bars.push(bar);
        }
        day = day.succ_opt().unwrap();
    }
    DailySeries::from_bars(bars).0
}

fn close_only(series: &DailySeries) -> DailySeries {
    DailySeries::from_bars(series.bars().map(|b| Bar::close_only(b.date, b.close))).0
}

async fn add(store: &Store, category: Category, symbol: &str) -> Ticker {
    let t = Ticker::parse(category, symbol).unwrap();
    store
        .add_ticker(&TickerMeta::new(t.clone(), symbol))
        .await
        .unwrap();
    t
}

async fn run(
    store: &Store,
    sources: Vec<Arc<Scripted>>,
    routes: Routes,
    categories: Vec<Category>,
    today: NaiveDate,
) -> UpdateSummary {
    let dyns: Vec<Arc<dyn Source>> = sources.into_iter().map(|s| s as Arc<dyn Source>).collect();
    let set = Arc::new(SourceSet::with_sources(dyns, routes, 3));
    let config = UpdateConfig {
        categories,
        concurrency: 1,
        default_start: d(2024, 1, 1),
        today: Some(today),
        ..UpdateConfig::default()
    };
    let (tx, mut rx) = tokio::sync::mpsc::channel(1024);
    let drain = tokio::spawn(async move { while rx.recv().await.is_some() {} });
    let summary = UpdateJob::run_with(
        store.clone(),
        set,
        config,
        tx,
        tokio_util::sync::CancellationToken::new(),
    )
    .await
    .unwrap();
    drain.await.unwrap();
    summary
}

fn sources_of(rows: &[wickview::store::BarProvenance]) -> Vec<Option<&str>> {
    let mut names: Vec<Option<&str>> = rows.iter().map(|r| r.source.as_deref()).collect();
    names.dedup();
    names
}

async fn yahoo_down_korean_stocks_come_from_naver(backend: Backend) {
    let Some(ts) = open(backend).await else {
        return;
    };
    let store = &ts.store;
    let yahoo = Scripted::new(SourceId::Yahoo);
    let naver = Scripted::new(SourceId::Naver);
    let today = d(2024, 3, 29);
    let codes = ["005930", "000660", "035420", "051910"];
    for (k, code) in codes.iter().enumerate() {
        add(store, Category::KoreanStock, code).await;
        let h = history(d(2024, 1, 2), today, |i| {
            50_000.0 + (k * 1000 + i * 10) as f64
        });
        naver.serve(code, h.clone());
        yahoo.serve(code, h);
    }
    yahoo.fail(Some(SourceError::Server { status: 503 }));
    let summary = run(
        store,
        vec![Arc::clone(&yahoo), Arc::clone(&naver)],
        Routes::default(),
        vec![Category::KoreanStock],
        today,
    )
    .await;
    assert_eq!(summary.succeeded, 4, "{summary:?}");
    assert!(summary.failed.is_empty());
    assert_eq!(summary.served_by.get(&SourceId::Naver), Some(&4));
    assert_eq!(summary.fallbacks.len(), 4);
    for (_, id, why) in &summary.fallbacks {
        assert_eq!(*id, SourceId::Naver);
        assert!(why.contains("Yahoo Finance"), "{why}");
    }
    // The breaker: three failures in a row, then Yahoo is not asked again.
    assert_eq!(yahoo.asked.load(Ordering::SeqCst), 3);
    assert!(
        summary.fallbacks[3].2.contains("skipped"),
        "{:?}",
        summary.fallbacks[3]
    );
    let (_, yahoo_health) = summary
        .sources
        .iter()
        .find(|(id, _)| *id == SourceId::Yahoo)
        .unwrap();
    assert!(yahoo_health.tripped);
    assert_eq!(yahoo_health.failures, 3);
    // The stored history equals Naver's, and every bar says so.
    for code in codes {
        let t = Ticker::parse(Category::KoreanStock, code).unwrap();
        let stored = store.load_series(&t, None).await.unwrap();
        let served = naver.series.lock().unwrap().get(code).cloned().unwrap();
        assert_eq!(stored.close(), served.close());
        assert_eq!(stored.days(), served.days());
        let rows = store.load_provenance(&t, None).await.unwrap();
        assert_eq!(rows.len(), served.len());
        assert_eq!(sources_of(&rows), [Some("naver")]);
    }
    ts.finish().await;
}

#[tokio::test]
async fn yahoo_down_korean_stocks_come_from_naver_embedded() {
    yahoo_down_korean_stocks_come_from_naver(Backend::Embedded).await;
}

#[tokio::test]
#[cfg_attr(not(mongo_tests), ignore = "needs a MongoDB server")]
async fn yahoo_down_korean_stocks_come_from_naver_mongo() {
    yahoo_down_korean_stocks_come_from_naver(Backend::Mongo).await;
}

/// A fallback that agrees with the stored overlap is stitched on (each bar keeps its
/// source); one whose overlap differs replaces the history, so no step appears.
async fn fallback_stitches_only_when_the_overlap_agrees(backend: Backend) {
    let Some(ts) = open(backend).await else {
        return;
    };
    let store = &ts.store;
    let yahoo = Scripted::new(SourceId::Yahoo);
    let naver = Scripted::new(SourceId::Naver);
    let t = add(store, Category::KoreanStock, "005930").await;
    let u = add(store, Category::KoreanStock, "000660").await;
    let full = history(d(2024, 1, 2), d(2024, 3, 29), |i| {
        70_000.0 + i as f64 * 100.0
    });
    yahoo.serve("005930", full.clone());
    yahoo.serve("000660", full.clone());
    let routes = Routes::default();
    let first = run(
        store,
        vec![Arc::clone(&yahoo), Arc::clone(&naver)],
        routes.clone(),
        vec![Category::KoreanStock],
        d(2024, 2, 29),
    )
    .await;
    assert_eq!(first.served_by.get(&SourceId::Yahoo), Some(&2));

    // Yahoo goes down; Naver agrees for 005930 and is 5% off (unadjusted) for 000660.
    yahoo.fail(Some(SourceError::Server { status: 500 }));
    naver.serve("005930", full.clone());
    let (off, _) = DailySeries::from_bars(full.bars().map(|mut b| {
        for p in [&mut b.open, &mut b.high, &mut b.low, &mut b.close] {
            *p *= 1.05;
        }
        b
    }));
    naver.serve("000660", off.clone());
    let second = run(
        store,
        vec![Arc::clone(&yahoo), Arc::clone(&naver)],
        routes,
        vec![Category::KoreanStock],
        d(2024, 3, 29),
    )
    .await;
    assert_eq!(second.succeeded, 2, "{second:?}");
    assert_eq!(second.served_by.get(&SourceId::Naver), Some(&2));

    let stitched = store.load_provenance(&t, None).await.unwrap();
    assert_eq!(sources_of(&stitched), [Some("yahoo"), Some("naver")]);
    let split = stitched
        .iter()
        .position(|r| r.source.as_deref() == Some("naver"))
        .unwrap();
    // The overlap day (the last stored one) was re-sent by Naver.
    assert_eq!(stitched[split].date, d(2024, 2, 29));
    assert_eq!(
        store.load_series(&t, None).await.unwrap().close(),
        full.close()
    );

    let replaced = store.load_provenance(&u, None).await.unwrap();
    assert_eq!(sources_of(&replaced), [Some("naver")]);
    assert_eq!(
        store.load_series(&u, None).await.unwrap().close(),
        off.close()
    );
    let why = &second
        .readjusted
        .iter()
        .find(|(k, _)| k == "000660")
        .unwrap()
        .1;
    assert!(why.contains("2024-02-29"), "{why}");
    assert!(!second.readjusted.iter().any(|(k, _)| k == "005930"));
    ts.finish().await;
}

#[tokio::test]
async fn fallback_stitches_only_when_the_overlap_agrees_embedded() {
    fallback_stitches_only_when_the_overlap_agrees(Backend::Embedded).await;
}

#[tokio::test]
#[cfg_attr(not(mongo_tests), ignore = "needs a MongoDB server")]
async fn fallback_stitches_only_when_the_overlap_agrees_mongo() {
    fallback_stitches_only_when_the_overlap_agrees(Backend::Mongo).await;
}

/// Yahoo down for `KRW=X`: the history comes from the ECB whole (another fixing), and
/// when Yahoo is back it is taken whole from Yahoo again: never two fixings in one series.
#[tokio::test]
async fn exchange_rates_switch_fixings_whole() {
    let Some(ts) = open(Backend::Embedded).await else {
        return;
    };
    let store = &ts.store;
    let yahoo = Scripted::new(SourceId::Yahoo);
    let ecb = Scripted::new(SourceId::Ecb);
    let fred = Scripted::new(SourceId::Fred);
    let t = add(store, Category::Currency, "KRW=X").await;
    let quotes = history(d(2024, 1, 2), d(2024, 3, 29), |i| 1300.0 + i as f64);
    let fixings = close_only(&history(d(2024, 1, 2), d(2024, 3, 29), |i| {
        1301.5 + i as f64
    }));
    yahoo.serve("KRW=X", quotes.clone());
    ecb.serve("KRW=X", fixings.clone());
    let all = || vec![Arc::clone(&yahoo), Arc::clone(&ecb), Arc::clone(&fred)];
    let routes = Routes::default();
    run(
        store,
        all(),
        routes.clone(),
        vec![Category::Currency],
        d(2024, 2, 29),
    )
    .await;
    assert_eq!(
        sources_of(&store.load_provenance(&t, None).await.unwrap()),
        [Some("yahoo")]
    );

    yahoo.fail(Some(SourceError::NotData {
        what: "an HTML page".to_owned(),
    }));
    let down = run(
        store,
        all(),
        routes.clone(),
        vec![Category::Currency],
        d(2024, 3, 29),
    )
    .await;
    assert_eq!(down.served_by.get(&SourceId::Ecb), Some(&1), "{down:?}");
    let why = &down.readjusted[0].1;
    assert!(why.contains("ECB reference rate, ~16:00 CET"), "{why}");
    assert_eq!(
        sources_of(&store.load_provenance(&t, None).await.unwrap()),
        [Some("ecb")]
    );
    assert_eq!(
        store.load_series(&t, None).await.unwrap().close(),
        fixings.close()
    );
    assert_eq!(fred.asked.load(Ordering::SeqCst), 0);

    yahoo.fail(None);
    let back = run(
        store,
        all(),
        routes,
        vec![Category::Currency],
        d(2024, 3, 29),
    )
    .await;
    assert_eq!(back.served_by.get(&SourceId::Yahoo), Some(&1));
    assert_eq!(back.readjusted.len(), 1, "{back:?}");
    assert_eq!(
        sources_of(&store.load_provenance(&t, None).await.unwrap()),
        [Some("yahoo")]
    );
    assert_eq!(
        store.load_series(&t, None).await.unwrap().close(),
        quotes.close()
    );
    ts.finish().await;
}

/// With one source, a failure reads as before sources had fallbacks; every source
/// failing names each one.
#[tokio::test]
async fn failure_reasons_name_every_source_tried() {
    let Some(ts) = open(Backend::Embedded).await else {
        return;
    };
    let store = &ts.store;
    let yahoo = Scripted::new(SourceId::Yahoo);
    let naver = Scripted::new(SourceId::Naver);
    add(store, Category::UsStock, "AAPL").await;
    add(store, Category::KoreanStock, "005930").await;
    yahoo.fail(Some(SourceError::Server { status: 502 }));
    naver.fail(Some(SourceError::Timeout));
    let s = run(
        store,
        vec![Arc::clone(&yahoo), Arc::clone(&naver)],
        Routes::default(),
        vec![Category::KoreanStock, Category::UsStock],
        d(2024, 3, 29),
    )
    .await;
    let reason = |k: &str| {
        s.failed
            .iter()
            .find(|f| f.ticker == k)
            .unwrap()
            .reason
            .clone()
    };
    assert_eq!(reason("AAPL"), "source server error (HTTP 502)");
    let kr = reason("005930");
    assert!(
        kr.contains("Yahoo Finance: source server error (HTTP 502)")
            && kr.contains("Naver Finance: request timed out"),
        "{kr}"
    );
    ts.finish().await;
}

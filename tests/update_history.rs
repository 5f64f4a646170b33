//! Re-adjusted history against a mock Yahoo that answers the requested period, on both
//! stores: a split between two updates leaves exactly the adjusted history; an overlap
//! that disagrees triggers the full refetch too; an unchanged history is only appended to.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;
#[path = "store_support/mod.rs"]
mod store_support;

use std::collections::HashMap;
use std::time::Duration;

use chrono::NaiveDate;
use common::*;
use store_support::{Backend, open};
use wickview::model::{Bar, Category, DailySeries, Ticker, TickerMeta};
use wickview::store::Store;
use wickview::update::{UpdateConfig, UpdateJob, UpdateSummary};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Yahoo's chart endpoint for one symbol: the bars of `series` within the request's
/// `period1..period2` (Unix seconds), as Yahoo answers.
struct History {
    symbol: &'static str,
    series: DailySeries,
}

impl Respond for History {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let query: HashMap<String, String> = request.url.query_pairs().into_owned().collect();
        let secs = |k: &str, default: i64| {
            query
                .get(k)
                .and_then(|v| v.parse::<i64>().ok())
                .unwrap_or(default)
        };
        let (p1, p2) = (secs("period1", 0), secs("period2", i64::MAX));
        let bars = self.series.bars().filter(|b| {
            let t = b.date.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp();
            t >= p1 && t < p2
        });
        let (part, _) = DailySeries::from_bars(bars);
        ResponseTemplate::new(200).set_body_string(chart_json(
            self.symbol,
            "America/New_York",
            (9, 30),
            &part,
        ))
    }
}

async fn serve(server: &MockServer, symbol: &'static str, series: &DailySeries) {
    server.reset().await;
    mount_handshake(server).await;
    Mock::given(method("GET"))
        .and(path(chart_path(symbol)))
        .respond_with(History {
            symbol,
            series: series.clone(),
        })
        .mount(server)
        .await;
}

fn business_days(from: NaiveDate, n: usize) -> Vec<NaiveDate> {
    use chrono::Datelike as _;
    from.iter_days()
        .filter(|d| d.weekday().number_from_monday() <= 5)
        .take(n)
        .collect()
}

/// A smooth series at `level`, with a `split` on day index `split_at` if given.
fn series(days: &[NaiveDate], level: f64, split_at: Option<(usize, f64)>) -> DailySeries {
    let (s, issues) = DailySeries::from_bars(days.iter().enumerate().map(|(i, &d)| {
        // Whole cents, as Yahoo sends them (and exact through JSON).
        let cents = |p: f64| (p * 100.0).round() / 100.0;
        let c = cents(level * (1.0 + 0.002 * (i % 7) as f64));
        let mut bar = Bar::ohlc(d, cents(c * 0.995), cents(c * 1.01), cents(c * 0.99), c);
        bar.volume = 1000.0 + i as f64;
        if let Some((at, ratio)) = split_at
            && at == i
        {
            bar.stock_splits = ratio;
        }
        bar
    }));
    assert!(issues.is_empty());
    s
}

async fn update(store: &Store, server: &MockServer, today: NaiveDate) -> UpdateSummary {
    let mut source = fast_config(&server.uri());
    source.request_timeout = Duration::from_secs(5);
    let config = UpdateConfig {
        categories: vec![Category::UsStock],
        today: Some(today),
        ..UpdateConfig::default()
    };
    let (mut handle, job) = UpdateJob::spawn(
        store.clone(),
        source,
        config,
        &tokio::runtime::Handle::current(),
    );
    while handle.events.recv().await.is_some() {}
    job.await.unwrap().unwrap()
}

async fn add(store: &Store, symbol: &str) -> Ticker {
    let t = Ticker::parse(Category::UsStock, symbol).unwrap();
    store
        .add_ticker(&TickerMeta::new(t.clone(), symbol))
        .await
        .unwrap();
    t
}

async fn split_between_two_updates(backend: Backend) {
    let Some(ts) = open(backend).await else {
        return;
    };
    let store = &ts.store;
    let server = MockServer::start().await;
    let t = add(store, "AAPL").await;
    let days = business_days(d(2020, 6, 1), 45);

    // First update: 30 days at the pre-split level.
    let before = series(&days[..30], 400.0, None);
    serve(&server, "AAPL", &before).await;
    let first = update(store, &server, days[29]).await;
    assert_eq!(first.bars_inserted, 30, "{first:?}");
    assert!(first.readjusted.is_empty());

    // A 4:1 split on day 36; Yahoo now sends the whole history adjusted to the new level.
    let adjusted = series(&days, 100.0, Some((35, 4.0)));
    serve(&server, "AAPL", &adjusted).await;
    let second = update(store, &server, days[44]).await;
    assert_eq!(
        second.readjusted,
        vec![(
            "AAPL".to_owned(),
            format!("history re-adjusted: 4:1 split on {}", days[35])
        )]
    );
    assert_eq!(
        hits(&server, &chart_path("AAPL")).await,
        2,
        "from the last day, then the whole history"
    );
    let stored = store.load_series(&t, None).await.unwrap();
    assert_eq!(stored, adjusted, "exactly the adjusted history");
    assert!(
        stored.high().iter().all(|h| *h < 150.0),
        "no bar at the old level"
    );

    // A third update finds nothing to re-adjust (the split is before the last day).
    serve(&server, "AAPL", &adjusted).await;
    let third = update(store, &server, days[44]).await;
    assert!(third.readjusted.is_empty(), "{third:?}");
    assert_eq!(third.bars_written(), 0);
    assert_eq!(hits(&server, &chart_path("AAPL")).await, 1);
    ts.finish().await;
}

async fn overlap_mismatch_refetches_everything(backend: Backend) {
    let Some(ts) = open(backend).await else {
        return;
    };
    let store = &ts.store;
    let server = MockServer::start().await;
    let t = add(store, "MSFT").await;
    let days = business_days(d(2021, 3, 1), 25);
    let before = series(&days[..20], 300.0, None);
    serve(&server, "MSFT", &before).await;
    update(store, &server, days[19]).await;

    // The source re-adjusted everything (no split listed) and dropped day 5.
    let mut kept = days.clone();
    kept.remove(5);
    let adjusted = series(&kept, 150.0, None);
    serve(&server, "MSFT", &adjusted).await;
    let second = update(store, &server, days[24]).await;
    assert_eq!(second.readjusted.len(), 1, "{second:?}");
    assert!(
        second.readjusted[0]
            .1
            .starts_with("history re-adjusted: the source now sends"),
        "{:?}",
        second.readjusted
    );
    assert!(second.readjusted[0].1.contains(&days[19].to_string()));
    let stored = store.load_series(&t, None).await.unwrap();
    assert_eq!(stored, adjusted);
    assert_eq!(
        stored.index_of(days[5]),
        None,
        "the day the source dropped is gone"
    );
    ts.finish().await;
}

mod embedded {
    use super::*;

    #[tokio::test]
    async fn split_between_two_updates() {
        super::split_between_two_updates(Backend::Embedded).await;
    }

    #[tokio::test]
    async fn overlap_mismatch_refetches_everything() {
        super::overlap_mismatch_refetches_everything(Backend::Embedded).await;
    }
}

mod mongodb {
    use super::*;

    #[tokio::test]
    #[cfg_attr(
        not(mongo_tests),
        ignore = "needs a MongoDB test server: set WICKVIEW_TEST_MONGODB_URI"
    )]
    async fn split_between_two_updates() {
        super::split_between_two_updates(Backend::Mongo).await;
    }

    #[tokio::test]
    #[cfg_attr(
        not(mongo_tests),
        ignore = "needs a MongoDB test server: set WICKVIEW_TEST_MONGODB_URI"
    )]
    async fn overlap_mismatch_refetches_everything() {
        super::overlap_mismatch_refetches_everything(Backend::Mongo).await;
    }
}

/// A chart document whose current session (`meta.currentTradingPeriod.regular`) is the
/// last bar's day and ends at `end_secs`.
fn with_session(body: String, day: NaiveDate, end_secs: i64) -> String {
    let mut v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let start = day.and_hms_opt(13, 30, 0).unwrap().and_utc().timestamp();
    v["chart"]["result"][0]["meta"]["currentTradingPeriod"] = serde_json::json!({
        "regular": {"timezone": "EDT", "start": start, "end": end_secs, "gmtoffset": -14400}
    });
    v.to_string()
}

async fn provisional_bar_is_replaced(backend: Backend) {
    let Some(ts) = open(backend).await else {
        return;
    };
    let store = &ts.store;
    let server = MockServer::start().await;
    let t = add(store, "IBM").await;
    let days = business_days(d(2024, 5, 1), 10);
    let now = chrono::Utc::now().timestamp();

    // Fetched during the session: the last bar is stored as provisional.
    let intraday = series(&days, 170.0, None);
    let body = with_session(
        chart_json("IBM", "America/New_York", (9, 30), &intraday),
        days[9],
        now + 3600,
    );
    server.reset().await;
    mount_handshake(&server).await;
    Mock::given(method("GET"))
        .and(path(chart_path("IBM")))
        .respond_with(ResponseTemplate::new(200).set_body_string(body))
        .mount(&server)
        .await;
    update(store, &server, days[9]).await;
    let stored = store.load_series(&t, None).await.unwrap();
    assert_eq!(stored.provisional_day(), Some(days[9]));
    let mut out = Vec::new();
    wickview::import::write_export(&stored, &Default::default(), &mut out).unwrap();
    let csv = String::from_utf8(out).unwrap();
    assert!(
        csv.starts_with("date,open,high,low,close,volume,provisional,source,foreign_ratio\n"),
        "{csv}"
    );
    assert!(csv.trim_end().ends_with(",1,,"), "{csv}");

    // After the close: the day's final bar replaces it and is no longer provisional.
    let mut final_bars: Vec<Bar> = intraday.bars().collect();
    let last = final_bars.last_mut().unwrap();
    last.close *= 1.01;
    last.high = last.high.max(last.close);
    last.volume *= 3.0;
    let (closed, _) = DailySeries::from_bars(final_bars);
    let body = with_session(
        chart_json("IBM", "America/New_York", (9, 30), &closed),
        days[9],
        now - 60,
    );
    server.reset().await;
    mount_handshake(&server).await;
    Mock::given(method("GET"))
        .and(path(chart_path("IBM")))
        .respond_with(ResponseTemplate::new(200).set_body_string(body))
        .mount(&server)
        .await;
    let second = update(store, &server, days[9]).await;
    assert!(second.readjusted.is_empty(), "same open: no re-adjustment");
    let stored = store.load_series(&t, None).await.unwrap();
    assert_eq!(stored.provisional_day(), None);
    assert_eq!(stored, closed);
    ts.finish().await;
}

mod provisional {
    use super::*;

    #[tokio::test]
    async fn embedded() {
        provisional_bar_is_replaced(Backend::Embedded).await;
    }

    #[tokio::test]
    #[cfg_attr(
        not(mongo_tests),
        ignore = "needs a MongoDB test server: set WICKVIEW_TEST_MONGODB_URI"
    )]
    async fn mongodb() {
        provisional_bar_is_replaced(Backend::Mongo).await;
    }
}

//! What an update says of each ticker, against a local mock Yahoo that answers the requested
//! period and, as Yahoo does, answers a period without any bar "Not Found" (HTTP 404): a
//! ticker that merely has no new bar is up to date, not an unknown symbol; a symbol the
//! source does not know at all still is one. Both stores.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;
#[path = "store_support/mod.rs"]
mod store_support;

use std::collections::HashMap;
use std::time::Duration;

use common::*;
use store_support::{Backend, open};
use wickview::model::{Category, DailySeries, Ticker, TickerMeta};
use wickview::store::Store;
use wickview::update::{UpdateConfig, UpdateEvent, UpdateJob, UpdateSummary};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// The chart endpoint of one symbol: the bars of `series` within `period1..period2`, or
/// Yahoo's "Not Found" when there are none.
struct Period {
    symbol: &'static str,
    series: DailySeries,
}

impl Respond for Period {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let query: HashMap<String, String> = request.url.query_pairs().into_owned().collect();
        let secs = |k: &str| query.get(k).and_then(|v| v.parse::<i64>().ok());
        let (p1, p2) = (secs("period1").unwrap(), secs("period2").unwrap());
        let (part, _) = DailySeries::from_bars(self.series.bars().filter(|b| {
            let t = b.date.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp();
            t >= p1 && t < p2
        }));
        if part.is_empty() {
            return ResponseTemplate::new(404).set_body_string(yahoo_fixture("unknown.json"));
        }
        ResponseTemplate::new(200).set_body_string(chart_json(
            self.symbol,
            "America/New_York",
            (9, 30),
            &part,
        ))
    }
}

async fn add(store: &Store, symbol: &str, bars: &DailySeries) -> Ticker {
    let t = Ticker::parse(Category::UsStock, symbol).unwrap();
    store
        .add_ticker(&TickerMeta::new(t.clone(), symbol))
        .await
        .unwrap();
    store.upsert_bars(&t, bars).await.unwrap();
    t
}

async fn update(store: &Store, server: &MockServer) -> (Vec<UpdateEvent>, UpdateSummary) {
    let mut source = fast_config(&server.uri());
    source.request_timeout = Duration::from_secs(5);
    let config = UpdateConfig {
        categories: vec![Category::UsStock],
        today: Some(d(2013, 3, 8)),
        ..UpdateConfig::default()
    };
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

async fn no_new_bar_is_up_to_date(backend: Backend) {
    let Some(ts) = open(backend).await else {
        return;
    };
    let store = &ts.store;
    let server = MockServer::start().await;
    mount_handshake(&server).await;
    let sample = read_sample("AAPL.csv");
    let n = sample.len();
    // The stored history (an import) ends a week after the source's last bar: the source
    // has nothing on or after the last stored day, and nothing newer.
    let stored = sample.slice(n - 300..n);
    let at_source = sample.slice(0..n - 5);
    let aapl = add(store, "AAPL", &stored).await;
    Mock::given(method("GET"))
        .and(path(chart_path("AAPL")))
        .respond_with(Period {
            symbol: "AAPL",
            series: at_source,
        })
        .mount(&server)
        .await;
    // A symbol the source does not know at all, with stored bars too.
    add(store, "NOPE", &stored).await;
    Mock::given(method("GET"))
        .and(path(chart_path("NOPE")))
        .respond_with(ResponseTemplate::new(404).set_body_string(yahoo_fixture("unknown.json")))
        .mount(&server)
        .await;

    let (events, summary) = update(store, &server).await;
    assert_eq!(summary.succeeded, 1, "{summary:?}");
    assert_eq!(summary.up_to_date, 1, "{summary:?}");
    assert_eq!(summary.bars_written(), 0);
    let failed: Vec<&str> = summary.failed.iter().map(|f| f.ticker.as_str()).collect();
    assert_eq!(
        failed,
        ["NOPE"],
        "AAPL is not reported unknown: {summary:?}"
    );
    assert!(summary.failed[0].reason.contains("unknown symbol NOPE"));
    assert!(events.iter().any(|e| matches!(
        e,
        UpdateEvent::TickerDone { ticker, bars_written: 0, .. } if ticker == "AAPL"
    )));
    assert_eq!(
        store.load_series(&aapl, None).await.unwrap(),
        stored,
        "the stored history is untouched"
    );
    ts.finish().await;
}

#[tokio::test]
async fn no_new_bar_is_up_to_date_embedded() {
    no_new_bar_is_up_to_date(Backend::Embedded).await;
}

#[tokio::test]
#[cfg_attr(
    not(mongo_tests),
    ignore = "needs a MongoDB test server: set WICKVIEW_TEST_MONGODB_URI"
)]
async fn no_new_bar_is_up_to_date_mongo() {
    no_new_bar_is_up_to_date(Backend::Mongo).await;
}

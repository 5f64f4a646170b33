//! Ticker names on both stores: the search finds symbols without their decorations and names
//! in Korean and in English; the first update fills a missing name from Yahoo's long name
//! (else its short name), an English name beside a Korean one, and never replaces a name
//! that is set. The updater runs against a local mock Yahoo server.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;
#[path = "store_support/mod.rs"]
mod store_support;

use common::*;
use store_support::{Backend, open};
use wickview::model::{Category, Ticker, TickerMeta};
use wickview::store::{Store, TickerQuery};
use wickview::update::{UpdateConfig, UpdateJob, UpdateSummary};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn add(store: &Store, category: Category, symbol: &str, name: &str, name_en: &str) {
    let mut meta = TickerMeta::new(Ticker::parse(category, symbol).unwrap(), name);
    meta.name_en = name_en.to_owned();
    store.add_ticker(&meta).await.unwrap();
}

async fn found(store: &Store, text: &str) -> Vec<String> {
    store
        .search(text, 12)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.ticker.as_str().to_owned())
        .collect()
}

async fn search_ignores_decorations_and_reads_both_names(backend: Backend) {
    let Some(ts) = open(backend).await else {
        return;
    };
    let store = &ts.store;
    add(store, Category::Index, "^GSPC", "S&P 500", "").await;
    add(store, Category::UsStock, "GS", "Goldman Sachs", "").await;
    add(store, Category::UsStock, "GSK", "GSK plc", "").await;
    add(
        store,
        Category::KoreanStock,
        "005930",
        "삼성전자",
        "Samsung Electronics",
    )
    .await;
    add(store, Category::KoreanStock, "006400", "삼성SDI", "").await;
    add(store, Category::Currency, "KRW=X", "USD/KRW", "").await;
    add(store, Category::UsStock, "BRK-B", "Berkshire Hathaway", "").await;

    assert_eq!(found(store, "GSPC").await, ["^GSPC"]);
    assert_eq!(found(store, "gspc").await, ["^GSPC"]);
    assert_eq!(found(store, "^GSPC").await, ["^GSPC"]);
    // The symbol typed comes first, then the symbols that start with it.
    assert_eq!(found(store, "GS").await[..3], ["GS", "GSK", "^GSPC"]);
    assert_eq!(found(store, "krw").await, ["KRW=X"]);
    assert_eq!(found(store, "brk.b").await, ["BRK-B"]);
    assert_eq!(found(store, "005930.KS").await, ["005930"]);
    assert_eq!(found(store, "samsung").await, ["005930"]);
    assert_eq!(found(store, "Samsung Elec").await, ["005930"]);
    assert_eq!(found(store, "삼성").await, ["005930", "006400"]);
    assert!(found(store, "nothing").await.is_empty());
    assert_eq!(store.search("GS", 1).await.unwrap().len(), 1);

    // The ticker lists' filter matches the same way.
    let listed = |filter: &str| TickerQuery {
        filter: Some(filter.to_owned()),
        limit: 50,
        ..TickerQuery::default()
    };
    for (filter, want) in [("samsung", "005930"), ("GSPC", "^GSPC"), ("brkb", "BRK-B")] {
        let page = store.list_tickers(&listed(filter)).await.unwrap();
        let got: Vec<&str> = page.items.iter().map(|m| m.ticker.as_str()).collect();
        assert_eq!(got, [want], "filter {filter}");
    }
    ts.finish().await;
}

#[tokio::test]
async fn search_ignores_decorations_and_reads_both_names_embedded() {
    search_ignores_decorations_and_reads_both_names(Backend::Embedded).await;
}

#[tokio::test]
#[cfg_attr(
    not(mongo_tests),
    ignore = "needs a MongoDB test server: set WICKVIEW_TEST_MONGODB_URI"
)]
async fn search_ignores_decorations_and_reads_both_names_mongo() {
    search_ignores_decorations_and_reads_both_names(Backend::Mongo).await;
}

/// A chart of a few AAPL days under `symbol`, with these `meta` names (`None`: not sent).
fn named_chart(symbol: &str, long: Option<&str>, short: Option<&str>) -> String {
    let series = read_sample("AAPL.csv");
    let tail = series.slice(series.len() - 5..series.len());
    let tz = if symbol.ends_with(".KS") {
        "Asia/Seoul"
    } else {
        "America/New_York"
    };
    let mut doc: serde_json::Value =
        serde_json::from_str(&chart_json(symbol, tz, (9, 30), &tail)).unwrap();
    let meta = &mut doc["chart"]["result"][0]["meta"];
    if let Some(long) = long {
        meta["longName"] = long.into();
    }
    if let Some(short) = short {
        meta["shortName"] = short.into();
    }
    doc.to_string()
}

async fn serve(server: &MockServer, symbol: &str, body: String) {
    Mock::given(method("GET"))
        .and(path(chart_path(symbol)))
        .respond_with(ResponseTemplate::new(200).set_body_string(body))
        .mount(server)
        .await;
}

async fn update(store: &Store, server: &MockServer) -> UpdateSummary {
    let config = UpdateConfig {
        today: Some(d(2024, 6, 14)),
        ..UpdateConfig::default()
    };
    let (mut handle, job) = UpdateJob::spawn(
        store.clone(),
        fast_config(&server.uri()),
        config,
        &tokio::runtime::Handle::current(),
    );
    while handle.events.recv().await.is_some() {}
    job.await.unwrap().unwrap()
}

async fn names(store: &Store, ticker: &str) -> (String, String) {
    let meta = store.ticker(ticker).await.unwrap().unwrap();
    (meta.name, meta.name_en)
}

fn pair(name: &str, en: &str) -> (String, String) {
    (name.to_owned(), en.to_owned())
}

async fn the_first_update_fills_missing_names(backend: Backend) {
    let Some(ts) = open(backend).await else {
        return;
    };
    let store = &ts.store;
    let server = MockServer::start().await;
    mount_handshake(&server).await;

    // No name; the symbol as its name (what imports file); a name the user set, in English
    // and in Korean; a name only Yahoo's short name gives; no name from Yahoo at all.
    add(store, Category::UsStock, "AAPL", "", "").await;
    add(store, Category::UsStock, "MSFT", "MSFT", "").await;
    add(store, Category::UsStock, "IBM", "Big Blue", "").await;
    add(store, Category::KoreanStock, "005930", "삼성전자", "").await;
    add(store, Category::UsStock, "SHRT", "", "").await;
    add(store, Category::UsStock, "NONE", "", "").await;
    serve(
        &server,
        "AAPL",
        named_chart("AAPL", Some("Apple Inc."), Some("Apple")),
    )
    .await;
    serve(
        &server,
        "MSFT",
        named_chart("MSFT", Some("Microsoft Corporation"), None),
    )
    .await;
    serve(
        &server,
        "IBM",
        named_chart(
            "IBM",
            Some("International Business Machines Corporation"),
            None,
        ),
    )
    .await;
    serve(
        &server,
        "005930.KS",
        named_chart(
            "005930.KS",
            Some("Samsung Electronics Co., Ltd."),
            Some("SamsungElec"),
        ),
    )
    .await;
    serve(
        &server,
        "SHRT",
        named_chart("SHRT", None, Some("Short Only Inc")),
    )
    .await;
    serve(&server, "NONE", named_chart("NONE", None, None)).await;

    let summary = update(store, &server).await;
    assert_eq!(summary.succeeded, 6, "{summary:?}");
    assert_eq!(names(store, "AAPL").await, pair("Apple Inc.", ""));
    assert_eq!(
        names(store, "MSFT").await,
        pair("Microsoft Corporation", "")
    );
    assert_eq!(names(store, "IBM").await, pair("Big Blue", ""));
    assert_eq!(
        names(store, "005930").await,
        pair("삼성전자", "Samsung Electronics Co., Ltd.")
    );
    assert_eq!(names(store, "SHRT").await, pair("Short Only Inc", ""));
    assert_eq!(names(store, "NONE").await, pair("", ""));
    // The resolved symbol is stored with the name.
    let samsung = store.ticker("005930").await.unwrap().unwrap();
    assert_eq!(samsung.source_symbol.as_deref(), Some("005930.KS"));
    // Searching in English now finds the Korean stock.
    assert_eq!(found(store, "samsung").await, ["005930"]);

    // A later update never replaces a name that is set, whatever the source says now.
    server.reset().await;
    mount_handshake(&server).await;
    serve(
        &server,
        "AAPL",
        named_chart("AAPL", Some("Apple Renamed"), None),
    )
    .await;
    serve(
        &server,
        "005930.KS",
        named_chart("005930.KS", Some("Samsung Renamed"), None),
    )
    .await;
    for s in ["MSFT", "IBM", "SHRT", "NONE"] {
        serve(&server, s, named_chart(s, Some("Renamed"), None)).await;
    }
    let summary = update(store, &server).await;
    assert_eq!(summary.succeeded, 6, "{summary:?}");
    assert_eq!(names(store, "AAPL").await, pair("Apple Inc.", ""));
    assert_eq!(
        names(store, "005930").await,
        pair("삼성전자", "Samsung Electronics Co., Ltd.")
    );
    assert_eq!(names(store, "IBM").await, pair("Big Blue", ""));
    // The one still without a name gets the source's now.
    assert_eq!(names(store, "NONE").await, pair("Renamed", ""));
    ts.finish().await;
}

#[tokio::test]
async fn the_first_update_fills_missing_names_embedded() {
    the_first_update_fills_missing_names(Backend::Embedded).await;
}

#[tokio::test]
#[cfg_attr(
    not(mongo_tests),
    ignore = "needs a MongoDB test server: set WICKVIEW_TEST_MONGODB_URI"
)]
async fn the_first_update_fills_missing_names_mongo() {
    the_first_update_fills_missing_names(Backend::Mongo).await;
}

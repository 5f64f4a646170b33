//! `ticker_metadata` documents of other tools' shapes on the MongoDB test server: a numeric
//! name, `active: "yes"`, no `created_at`, nulls, a numeric ticker, no ticker, a ticker that
//! is no ticker, no category. Lists (store and `wickview tickers list`) read each document
//! on its own, `update` runs over the readable ones, and `repair` rewrites the fixable ones
//! and lists the others by `_id`.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;
#[path = "store_support/mod.rs"]
mod store_support;

use std::process::Output;

use common::*;
use mongodb::bson::{self, Bson, Document, doc, oid::ObjectId};
use wickview::model::{Category, DailySeries, Ticker};
use wickview::store::{Store, StoreConfig, TickerQuery};
use wickview::update::{UpdateConfig, UpdateJob};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The odd documents, inserted raw; returns the `_id`s of the three unreadable ones
/// (no ticker, `AAPL!`, and `TSLA` without a category).
async fn insert_odd_shapes(db: &mongodb::Database) -> [ObjectId; 3] {
    let meta = db.collection::<Document>("ticker_metadata");
    let t = bson::DateTime::from_millis(1_700_000_000_000);
    let no_ticker = ObjectId::new();
    let bad_ticker = ObjectId::new();
    let no_category = ObjectId::new();
    meta.insert_many([
        doc! { "ticker": "AAPL", "name": "Apple", "category": "us_stock",
        "source_symbol": Bson::Null, "active": true, "created_at": t, "updated_at": t },
        doc! { "ticker": "MSFT", "name": 1234_i32, "category": "us_stock",
        "active": true, "created_at": t, "updated_at": t },
        doc! { "ticker": "NVDA", "name": "Nvidia", "category": "us_stock",
        "active": "yes", "created_at": t, "updated_at": t },
        doc! { "ticker": "^GSPC", "name": "S&P 500", "category": "index",
        "active": true, "updated_at": t },
        doc! { "ticker": "KRW=X", "name": Bson::Null, "category": "currency",
        "source_symbol": Bson::Null, "active": Bson::Null,
        "created_at": Bson::Null, "updated_at": Bson::Null },
        doc! { "ticker": 5930_i32, "name": "삼성전자", "category": "korean_stock",
        "active": 1_i32, "created_at": t, "updated_at": t },
        doc! { "_id": no_ticker, "name": "orphan", "category": "us_stock", "active": true },
        doc! { "_id": bad_ticker, "ticker": "AAPL!", "category": "us_stock", "active": true },
        doc! { "_id": no_category, "ticker": "TSLA", "name": "Tesla", "category": Bson::Null,
        "active": true, "created_at": t, "updated_at": t },
    ])
    .await
    .unwrap();
    [no_ticker, bad_ticker, no_category]
}

fn tickers_of(page: &[wickview::model::TickerMeta]) -> Vec<&str> {
    page.iter().map(|m| m.ticker.as_str()).collect()
}

fn wickview(uri: &str, db: &str, args: &[&str], sandbox: &Sandbox) -> Output {
    sandbox
        .command()
        .args(["--mongodb-uri", uri, "--db-name", db])
        .args(args)
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(mongo_tests),
    ignore = "needs a MongoDB test server: set WICKVIEW_TEST_MONGODB_URI"
)]
async fn odd_metadata_documents_are_listed_updated_and_repaired() {
    let Some(uri) = store_support::mongo_uri() else {
        return;
    };
    let db_name = store_support::fresh_db_name();
    let client = mongodb::Client::with_uri_str(&uri).await.unwrap();
    let db = client.database(&db_name);
    let [no_ticker, bad_ticker, no_category] = insert_odd_shapes(&db).await;
    // TSLA's bars are in us_stocks: `repair` takes its category from there.
    db.collection::<Document>("us_stocks")
        .insert_one(doc! {
            "ticker": "TSLA", "date": bson::DateTime::from_millis(1_704_153_600_000),
            "open": 1.0, "high": 2.0, "low": 0.5, "close": 1.5, "volume": 10.0,
            "dividends": 0.0, "stock_splits": 0.0,
        })
        .await
        .unwrap();
    let config = StoreConfig::Mongo {
        uri: uri.clone(),
        db_name: db_name.clone(),
    };
    let store = Store::open(&config).await.unwrap();

    // The store lists every readable document, read for what it means.
    let all = store.list_tickers(&TickerQuery::default()).await.unwrap();
    assert_eq!(
        tickers_of(&all.items),
        ["005930", "AAPL", "KRW=X", "MSFT", "NVDA", "^GSPC"]
    );
    assert_eq!(all.total, 6);
    let by = |t: &str| all.items.iter().find(|m| m.ticker.as_str() == t).unwrap();
    assert_eq!(by("MSFT").name, "1234");
    assert!(by("NVDA").active && by("005930").active && by("KRW=X").active);
    assert_eq!(by("KRW=X").name, "KRW=X");
    assert_eq!(by("005930").name, "삼성전자");
    assert_eq!(by("005930").category(), Category::KoreanStock);
    assert!(by("^GSPC").created_at.timestamp() > 1_700_000_000);
    // Filters, `active` and pages work on what the documents mean.
    let page = |category, active_only, offset, limit, filter: Option<&str>| TickerQuery {
        category,
        filter: filter.map(str::to_owned),
        active_only,
        offset,
        limit,
    };
    let us_active = store
        .list_tickers(&page(Some(Category::UsStock), true, 0, 0, None))
        .await
        .unwrap();
    assert_eq!(tickers_of(&us_active.items), ["AAPL", "MSFT", "NVDA"]);
    let second = store
        .list_tickers(&page(None, false, 2, 2, None))
        .await
        .unwrap();
    assert_eq!(tickers_of(&second.items), ["KRW=X", "MSFT"]);
    assert_eq!(second.total, 6);
    let named = store
        .list_tickers(&page(None, false, 0, 0, Some("23")))
        .await
        .unwrap();
    assert_eq!(tickers_of(&named.items), ["MSFT"]);
    let code = store
        .list_tickers(&page(None, false, 0, 0, Some("0059")))
        .await
        .unwrap();
    assert_eq!(tickers_of(&code.items), ["005930"]);
    let samsung = store.ticker("005930").await.unwrap().unwrap();
    assert_eq!(samsung.name, "삼성전자");
    let found = store.search("삼성", 5).await.unwrap();
    assert_eq!(tickers_of(&found), ["005930"]);

    // `wickview tickers list` too; the log names the collection and each left-out `_id`.
    let sandbox = Sandbox::new();
    let listed = wickview(&uri, &db_name, &["tickers", "list", "--json"], &sandbox);
    let stderr = String::from_utf8_lossy(&listed.stderr).into_owned();
    assert!(listed.status.success(), "{stderr}");
    let rows: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    let symbols: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ticker"].as_str().unwrap())
        .collect();
    assert_eq!(
        symbols,
        ["005930", "AAPL", "KRW=X", "MSFT", "NVDA", "^GSPC"]
    );
    for id in [no_ticker, bad_ticker, no_category] {
        assert!(
            stderr.contains(&format!("ticker_metadata document _id ObjectId(\"{id}\")")),
            "{id}: {stderr}"
        );
    }

    // `update` runs over the readable active tickers instead of refusing to start.
    let server = MockServer::start().await;
    mount_handshake(&server).await;
    // The last 30 bars of each sample (the Python test server writes slowly).
    let recent = |name: &str| {
        let all = read_sample(name);
        let skip = all.len().saturating_sub(30);
        DailySeries::from_bars(all.bars().skip(skip)).0
    };
    let samsung_bars = recent("005930.csv");
    for (symbol, tz, open, series) in [
        ("005930.KS", "Asia/Seoul", (9, 0), &samsung_bars),
        ("AAPL", "America/New_York", (9, 30), &recent("AAPL.csv")),
    ] {
        Mock::given(method("GET"))
            .and(path(chart_path(symbol)))
            .respond_with(
                ResponseTemplate::new(200).set_body_string(chart_json(symbol, tz, open, series)),
            )
            .mount(&server)
            .await;
    }
    let (mut handle, job) = UpdateJob::spawn(
        store.clone(),
        fast_config(&server.uri()),
        UpdateConfig {
            concurrency: 2,
            today: Some(d(2024, 6, 14)),
            ..UpdateConfig::default()
        },
        &tokio::runtime::Handle::current(),
    );
    while handle.events.recv().await.is_some() {}
    let summary = job.await.unwrap().unwrap();
    assert_eq!(summary.total, 6, "{summary:?}");
    assert_eq!(summary.succeeded, 2, "{summary:?}");
    let samsung_ticker = Ticker::new(Category::KoreanStock, "005930").unwrap();
    assert_eq!(
        store.load_series(&samsung_ticker, None).await.unwrap(),
        samsung_bars
    );
    // The resolved symbol was written to the numeric-ticker document, in wickview's form.
    let stored = db
        .collection::<Document>("ticker_metadata")
        .find_one(doc! { "name": "삼성전자" })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.get_str("ticker").unwrap(), "005930");
    assert_eq!(stored.get_str("source_symbol").unwrap(), "005930.KS");
    assert!(stored.get_bool("active").unwrap());

    // `repair --dry-run` lists what it would rewrite and each unreadable document by `_id`.
    let dry = wickview(&uri, &db_name, &["repair", "--dry-run"], &sandbox);
    assert!(dry.status.success());
    let dry = String::from_utf8(dry.stdout).unwrap();
    eprintln!("{dry}");
    assert!(
        dry.contains("ticker_metadata: 5 documents to rewrite in wickview's form"),
        "{dry}"
    );
    for fixed in [
        "MSFT (name was the number 1234)",
        "NVDA (active was 'yes')",
        "^GSPC (created_at was missing or not a date)",
        "TSLA (category was missing or unknown)",
    ] {
        assert!(dry.contains(fixed), "{fixed}: {dry}");
    }
    assert!(dry.contains("KRW=X (name was missing or not text, active was missing or null, created_at was missing or not a date, updated_at was missing or not a date)"), "{dry}");
    assert!(
        dry.contains("2 unreadable rows or documents left as they are"),
        "{dry}"
    );
    assert!(
        dry.contains(&format!(
            "ticker_metadata: document _id ObjectId(\"{no_ticker}\"): it has no ticker"
        )),
        "{dry}"
    );
    assert!(
        dry.contains(&format!("_id ObjectId(\"{bad_ticker}\")")),
        "{dry}"
    );

    let report = store.repair(false).await.unwrap();
    assert_eq!(report.metadata_fixed.len(), 5, "{report:?}");
    assert_eq!(report.unreadable.len(), 2, "{report:?}");
    assert!(report.metadata_created.is_empty(), "TSLA has its document");
    let raw = |ticker: &'static str| {
        let db = db.clone();
        async move {
            db.collection::<Document>("ticker_metadata")
                .find_one(doc! { "ticker": ticker })
                .await
                .unwrap()
                .unwrap()
        }
    };
    assert_eq!(raw("MSFT").await.get_str("name").unwrap(), "1234");
    assert!(raw("NVDA").await.get_bool("active").unwrap());
    assert!(raw("^GSPC").await.get_datetime("created_at").is_ok());
    let krw = raw("KRW=X").await;
    assert_eq!(krw.get_str("name").unwrap(), "KRW=X");
    assert!(krw.get_bool("active").unwrap());
    assert!(krw.get_datetime("updated_at").is_ok());
    assert_eq!(raw("TSLA").await.get_str("category").unwrap(), "us_stock");
    // The unreadable ones are left as they are.
    let meta = db.collection::<Document>("ticker_metadata");
    assert_eq!(meta.count_documents(doc! {}).await.unwrap(), 9);
    assert!(
        meta.find_one(doc! { "_id": no_ticker })
            .await
            .unwrap()
            .is_some()
    );

    // Repaired: TSLA lists too, and a second run only lists the unreadable two again.
    let all = store.list_tickers(&TickerQuery::default()).await.unwrap();
    assert_eq!(all.total, 7);
    let again = store.repair(false).await.unwrap();
    assert!(again.nothing_to_do(), "{again:?}");
    assert_eq!(again.unreadable.len(), 2);
    store.drop_all_data().await.unwrap();
}

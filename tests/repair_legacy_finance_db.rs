//! `wickview repair` on the `finance_db` the earlier yfinance + pymongo scripts left.
//!
//! `tests/fixtures/finance_db/legacy_finance_db.json` was written by
//! `make_legacy_finance_db.py` (pymongo `insert_many` of yfinance-like `history()` and
//! `download()` frames, re-runs included) against a MongoDB test server and dumped as
//! extended JSON; `expected_bars.json` holds, from the script's own bookkeeping, the bars a
//! repaired store must hold. Here the dump is loaded into a fresh database of the MongoDB
//! test server, and the real binary runs `repair --dry-run`, `repair` and `repair` again.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

#[allow(dead_code)]
#[path = "common/sandbox.rs"]
mod sandbox;

mod store_support;

use std::path::PathBuf;
use std::process::{Command, Output};

use sandbox::succeeded;

use chrono::NaiveDate;
use mongodb::bson::{Bson, Document, doc};
use wickview::model::{Category, Ticker};
use wickview::store::{Store, StoreConfig};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/finance_db")
        .join(name)
}

fn wickview(uri: &str, db: &str, args: &[&str], home: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wickview"))
        .args(["--mongodb-uri", uri, "--db-name", db])
        .args(args)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env_remove("MONGODB_URI")
        .output()
        .unwrap()
}

/// Loads the dump into `db` (documents keep their `_id`s, so their write order).
async fn load_dump(db: &mongodb::Database) {
    let text = std::fs::read_to_string(fixture("legacy_finance_db.json")).unwrap();
    let dump: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text).unwrap();
    for (collection, docs) in dump {
        let docs: Vec<Document> = docs
            .as_array()
            .unwrap()
            .iter()
            .map(|v| match Bson::try_from(v.clone()).unwrap() {
                Bson::Document(d) => d,
                other => panic!("not a document: {other}"),
            })
            .collect();
        db.collection::<Document>(&collection)
            .insert_many(docs)
            .await
            .unwrap();
    }
}

#[tokio::test]
#[cfg_attr(
    not(mongo_tests),
    ignore = "needs a MongoDB test server: set WICKVIEW_TEST_MONGODB_URI"
)]
async fn repair_brings_the_earlier_finance_db_to_the_model() {
    let Some(uri) = store_support::mongo_uri() else {
        return;
    };
    let db_name = format!("wickview_test_repair_{}", std::process::id());
    let client = mongodb::Client::with_uri_str(&uri).await.unwrap();
    let db = client.database(&db_name);
    db.drop().await.unwrap();
    load_dump(&db).await;
    let home = tempfile::tempdir().unwrap();
    let korean = db.collection::<Document>("korean_stocks");
    let before = korean.count_documents(doc! {}).await.unwrap();

    // Before the repair, commands say what is wrong and reading works on the readable rows.
    let export = wickview(&uri, &db_name, &["export", "005930"], home.path());
    let stderr = String::from_utf8_lossy(&export.stderr).into_owned();
    assert!(stderr.contains("wickview repair"), "{stderr}");
    let exported = succeeded(&export);
    assert!(exported.lines().count() > 30, "{exported}");
    assert!(
        exported.contains("\n2024-01-02,"),
        "Seoul midnight read on its own day"
    );

    let dry = succeeded(&wickview(
        &uri,
        &db_name,
        &["repair", "--dry-run"],
        home.path(),
    ));
    eprintln!("repair --dry-run:\n{dry}");
    assert!(
        dry.contains("korean_stocks: 9 duplicate rows to remove"),
        "{dry}"
    );
    assert!(
        dry.contains("dates at a non-midnight instant to map"),
        "{dry}"
    );
    assert!(dry.contains("8 text dates to convert"), "{dry}");
    assert!(
        dry.contains("rows filed under a Yahoo symbol to move"),
        "{dry}"
    );
    assert!(
        dry.contains("rows with text, NaN, null or missing numbers to fix"),
        "{dry}"
    );
    assert!(dry.contains("035720"), "metadata to create: {dry}");
    assert!(
        dry.contains("unique (ticker, date) indexes to build"),
        "{dry}"
    );
    assert!(dry.contains("dry run: nothing was changed"), "{dry}");
    assert!(!dry.contains("unreadable"), "{dry}");
    assert_eq!(
        korean.count_documents(doc! {}).await.unwrap(),
        before,
        "a dry run changes nothing"
    );

    let fixed = succeeded(&wickview(&uri, &db_name, &["repair"], home.path()));
    eprintln!("repair:\n{fixed}");
    assert!(
        fixed.contains("korean_stocks: 9 duplicate rows removed"),
        "{fixed}"
    );
    assert!(
        fixed.contains("unique (ticker, date) indexes built"),
        "{fixed}"
    );
    let again = succeeded(&wickview(&uri, &db_name, &["repair"], home.path()));
    assert_eq!(again.trim(), "nothing to repair");
    let export = wickview(&uri, &db_name, &["export", "005930"], home.path());
    assert!(
        !String::from_utf8_lossy(&export.stderr).contains("wickview repair"),
        "repaired: no more warning"
    );

    // Every bar reads back once, on its own trading day, with the last written values.
    let store = Store::open(&StoreConfig::Mongo {
        uri: uri.clone(),
        db_name: db_name.clone(),
    })
    .await
    .unwrap();
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("expected_bars.json")).unwrap())
            .unwrap();
    let mut checked = 0;
    for (collection, tickers) in expected.as_object().unwrap() {
        let category = Category::ALL
            .into_iter()
            .find(|c| c.collection() == collection)
            .unwrap();
        let total: usize = tickers
            .as_object()
            .unwrap()
            .values()
            .map(|b| b.as_array().unwrap().len())
            .sum();
        assert_eq!(
            db.collection::<Document>(collection)
                .count_documents(doc! {})
                .await
                .unwrap(),
            total as u64,
            "{collection}: one row per ticker and day"
        );
        for (symbol, bars) in tickers.as_object().unwrap() {
            let meta = store
                .ticker(symbol)
                .await
                .unwrap()
                .unwrap_or_else(|| panic!("{symbol}: metadata created"));
            assert_eq!(meta.category(), category, "{symbol}");
            let ticker = Ticker::new(category, symbol).unwrap();
            let series = store.load_series(&ticker, None).await.unwrap();
            let bars = bars.as_array().unwrap();
            assert_eq!(series.len(), bars.len(), "{symbol}");
            for (bar, want) in series.bars().zip(bars) {
                let day: NaiveDate = want["date"].as_str().unwrap().parse().unwrap();
                assert_eq!(bar.date, day, "{symbol}");
                let got = [
                    bar.open,
                    bar.high,
                    bar.low,
                    bar.close,
                    bar.volume,
                    bar.dividends,
                    bar.stock_splits,
                ];
                let want_values: Vec<f64> = [
                    "open",
                    "high",
                    "low",
                    "close",
                    "volume",
                    "dividends",
                    "stock_splits",
                ]
                .iter()
                .map(|f| want[*f].as_f64().unwrap())
                .collect();
                assert_eq!(got.to_vec(), want_values, "{symbol} {day}");
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 106);
    let kakao = store.ticker("035720").await.unwrap().unwrap();
    assert_eq!(kakao.source_symbol.as_deref(), Some("035720.KQ"));
    assert!(kakao.active);
    // Other tools' fields are kept.
    let aapl = db
        .collection::<Document>("us_stocks")
        .find_one(doc! { "ticker": "AAPL" })
        .await
        .unwrap()
        .unwrap();
    assert!(aapl.get_f64("adj_close").is_ok(), "{aapl}");
    db.drop().await.unwrap();
}

/// `ticker_metadata` as re-run scripts leave it: a ticker's document written twice, and one
/// filed under its Yahoo symbol. The unique index cannot be built until `repair` merges them
/// into the last written document, under the canonical ticker; a second run finds nothing.
#[tokio::test]
#[cfg_attr(
    not(mongo_tests),
    ignore = "needs a MongoDB test server: set WICKVIEW_TEST_MONGODB_URI"
)]
async fn repair_merges_duplicate_and_yahoo_symbol_metadata() {
    let Some(uri) = store_support::mongo_uri() else {
        return;
    };
    let db_name = format!("wickview_test_repair_meta_{}", std::process::id());
    let client = mongodb::Client::with_uri_str(&uri).await.unwrap();
    let db = client.database(&db_name);
    db.drop().await.unwrap();
    let meta = db.collection::<Document>("ticker_metadata");
    let now = mongodb::bson::DateTime::now();
    let doc_of = |ticker: &str, name: &str, category: &str| {
        doc! {
            "ticker": ticker, "name": name, "category": category, "source_symbol": Bson::Null,
            "active": true, "created_at": now, "updated_at": now,
        }
    };
    meta.insert_many([
        doc_of("AAPL", "Apple (first run)", "us_stocks"),
        doc_of("AAPL", "Apple Inc.", "us_stocks"),
        doc_of("035720.KQ", "카카오", "korean_stocks"),
        doc_of("MSFT", "Microsoft", "us_stocks"),
    ])
    .await
    .unwrap();
    let home = tempfile::tempdir().unwrap();

    let dry = succeeded(&wickview(
        &uri,
        &db_name,
        &["repair", "--dry-run"],
        home.path(),
    ));
    assert!(
        dry.contains("ticker_metadata: to merge") && dry.contains("035720, AAPL"),
        "{dry}"
    );
    assert_eq!(meta.count_documents(doc! {}).await.unwrap(), 4, "dry run");

    let fixed = succeeded(&wickview(&uri, &db_name, &["repair"], home.path()));
    assert!(fixed.contains("ticker_metadata: merged"), "{fixed}");
    let again = succeeded(&wickview(&uri, &db_name, &["repair"], home.path()));
    assert!(again.contains("nothing to repair"), "{again}");

    let store = Store::open(&StoreConfig::Mongo {
        uri: uri.clone(),
        db_name: db_name.clone(),
    })
    .await
    .unwrap();
    assert!(store.repair_needed().is_none(), "the unique index is built");
    assert_eq!(meta.count_documents(doc! {}).await.unwrap(), 3);
    let aapl = store.ticker("AAPL").await.unwrap().unwrap();
    assert_eq!(aapl.name, "Apple Inc.", "the last written kept");
    let kakao = store.ticker("035720").await.unwrap().unwrap();
    assert_eq!(kakao.ticker.as_str(), "035720");
    assert_eq!(kakao.name, "카카오");
    assert_eq!(kakao.source_symbol.as_deref(), Some("035720.KQ"));
    assert_eq!(kakao.category(), Category::KoreanStock);
    assert!(store.ticker("MSFT").await.unwrap().is_some());
    db.drop().await.unwrap();
}

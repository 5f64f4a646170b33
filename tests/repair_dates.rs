//! `wickview repair` and stored bars dated before 1900 or after tomorrow (written by older
//! versions or other tools before such dates were refused): listed per ticker by every
//! repair, left as they are, and deleted only on request (`--remove-bad-dates`).

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;
#[path = "store_support/mod.rs"]
mod store_support;

use std::process::Output;

use chrono::NaiveDate;
use store_support::{Backend, day, open};
use wickview::model::{Bar, Category, SeriesBuilder, Ticker, TickerMeta};
use wickview::store::{BadDates, Store, StoreConfig};

/// Stores `good` ordinary bars from 2024-01-02 on and one bar on each of `bad` (the builder
/// told to accept any day, as older versions did) for a new ticker.
async fn plant(store: &Store, category: Category, symbol: &str, good: u32, bad: &[NaiveDate]) {
    let ticker = Ticker::parse(category, symbol).unwrap();
    store
        .add_ticker(&TickerMeta::new(ticker.clone(), symbol))
        .await
        .unwrap();
    let mut builder = SeriesBuilder::new().within(NaiveDate::MIN..=NaiveDate::MAX);
    for k in 0..good {
        builder.push(Bar::ohlc(day(2024, 1, 2 + k), 10.0, 11.0, 9.0, 10.5));
    }
    for &d in bad {
        builder.push(Bar::ohlc(d, 10.0, 11.0, 9.0, 10.5));
    }
    let (series, issues) = builder.build();
    assert!(issues.is_empty(), "{issues:?}");
    store.upsert_bars(&ticker, &series).await.unwrap();
}

fn bad(category: Category, ticker: &str, bars: u64, first: NaiveDate, last: NaiveDate) -> BadDates {
    BadDates {
        category,
        ticker: ticker.to_owned(),
        bars,
        first: Some(first),
        last: Some(last),
    }
}

async fn listed_then_removed_on_request(backend: Backend) {
    let Some(ts) = open(backend).await else {
        return;
    };
    let store = &ts.store;
    // Year 1, not 0: the MongoDB test server stores dates as Python datetimes.
    let (zero, ancient, far, mongo_far) = (
        NaiveDate::from_ymd_opt(1, 1, 1).unwrap(),
        day(1899, 12, 31),
        day(9999, 12, 31),
        day(3000, 1, 1),
    );
    plant(store, Category::UsStock, "AAPL", 5, &[zero, ancient, far]).await;
    plant(store, Category::KoreanStock, "005930", 3, &[mongo_far]).await;
    plant(store, Category::UsStock, "MSFT", 4, &[]).await;

    let want = vec![
        bad(Category::KoreanStock, "005930", 1, mongo_far, mongo_far),
        bad(Category::UsStock, "AAPL", 3, zero, far),
    ];
    for dry_run in [true, false] {
        let report = store.repair(dry_run).await.unwrap();
        assert_eq!(report.bad_dates, want, "dry run {dry_run}");
        assert!(report.nothing_to_do(), "listing them alone changes nothing");
        let lines = report.lines();
        assert!(
            lines.iter().any(|l| l.starts_with(
                "us_stocks: AAPL: 3 bars dated before 1900 or after tomorrow \
                 (0001-01-01 to 9999-12-31) left as they are"
            ) && l.contains("wickview repair --remove-bad-dates")),
            "{lines:?}"
        );
    }
    // Listed, not deleted: the last stored day is still the far one (what the updater sees),
    // and the series as loaded leaves them out.
    let last = store.last_days(Category::UsStock).await.unwrap();
    assert_eq!(last["AAPL"], far);
    let aapl = Ticker::parse(Category::UsStock, "AAPL").unwrap();
    assert_eq!(store.load_series(&aapl, None).await.unwrap().len(), 5);

    let removed = store.remove_bad_dates().await.unwrap();
    assert_eq!(removed, want);
    let last = store.last_days(Category::UsStock).await.unwrap();
    assert_eq!(last["AAPL"], day(2024, 1, 6));
    assert_eq!(last["MSFT"], day(2024, 1, 5));
    let kr = store.last_days(Category::KoreanStock).await.unwrap();
    assert_eq!(kr["005930"], day(2024, 1, 4));
    assert_eq!(store.load_series(&aapl, None).await.unwrap().len(), 5);
    assert!(store.repair(false).await.unwrap().bad_dates.is_empty());
    assert!(store.remove_bad_dates().await.unwrap().is_empty());
    ts.finish().await;
}

#[tokio::test]
async fn bad_dates_are_listed_then_removed_on_request_embedded() {
    listed_then_removed_on_request(Backend::Embedded).await;
}

#[tokio::test]
#[cfg_attr(
    not(mongo_tests),
    ignore = "needs a MongoDB test server: set WICKVIEW_TEST_MONGODB_URI"
)]
async fn bad_dates_are_listed_then_removed_on_request_mongo() {
    listed_then_removed_on_request(Backend::Mongo).await;
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// The command line: `repair` lists them, `--dry-run --remove-bad-dates` says what it would
/// delete and deletes nothing, `--remove-bad-dates` deletes them.
#[test]
fn the_command_lists_and_removes_on_request() {
    let sandbox = common::Sandbox::new();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let config = StoreConfig::Embedded {
        data_dir: sandbox.data_dir(),
    };
    let last_day = |runtime: &tokio::runtime::Runtime| {
        runtime.block_on(async {
            let store = Store::open(&config).await.unwrap();
            store.last_days(Category::UsStock).await.unwrap()["AAPL"]
        })
    };
    runtime.block_on(async {
        let store = Store::open(&config).await.unwrap();
        plant(&store, Category::UsStock, "AAPL", 2, &[day(9999, 12, 31)]).await;
    });
    let run = |args: &[&str]| sandbox.command().args(args).output().unwrap();

    let text = stdout(&run(&["repair"]));
    assert!(
        text.contains("us_stocks: AAPL: 1 bars dated before 1900 or after tomorrow (9999-12-31 to 9999-12-31) left as they are"),
        "{text}"
    );
    assert_eq!(last_day(&runtime), day(9999, 12, 31));

    let text = stdout(&run(&["repair", "--dry-run", "--remove-bad-dates"]));
    assert!(
        text.contains("us_stocks: AAPL: 1 bars dated before 1900 or after tomorrow (9999-12-31 to 9999-12-31) to remove"),
        "{text}"
    );
    assert_eq!(last_day(&runtime), day(9999, 12, 31));

    let text = stdout(&run(&["repair", "--remove-bad-dates"]));
    assert!(
        text.contains("us_stocks: AAPL: 1 bars dated before 1900 or after tomorrow (9999-12-31 to 9999-12-31) removed"),
        "{text}"
    );
    assert_eq!(last_day(&runtime), day(2024, 1, 3));
    assert_eq!(stdout(&run(&["repair"])).trim(), "nothing to repair");
}

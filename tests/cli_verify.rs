//! `wickview verify` through the real binary, against a local server speaking Yahoo's chart
//! format (`--source-url`): a day 5% off is named and exits 1, an identical history exits 0,
//! an unadjusted 4:1 split of a Korean stock breaks the KRX price limit (also listed by
//! `repair --dry-run`), and `--refetch` replaces the history.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use std::process::Output;

use chrono::{Datelike as _, NaiveDate, Weekday};
use common::*;
use wickview::model::{Bar, Category, DailySeries, Ticker, TickerMeta};
use wickview::store::{Store, StoreConfig};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// `n` weekdays from `start`, the close of day `i` given by `close(i)` (open/high/low around it).
fn weekdays(start: NaiveDate, n: usize, close: impl Fn(usize) -> f64) -> DailySeries {
    let mut bars = Vec::new();
    let mut day = start;
    while bars.len() < n {
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            let c = close(bars.len());
            bars.push(Bar {
                volume: 1_000.0,
                ..Bar::ohlc(day, c, c, c, c)
            });
        }
        day = day.succ_opt().unwrap();
    }
    let (s, issues) = DailySeries::from_bars(bars);
    assert!(issues.is_empty(), "{issues:?}");
    s
}

/// The same bars with the close (and open/high/low) of `day` multiplied by `factor`.
fn with_day_scaled(s: &DailySeries, day: NaiveDate, factor: f64) -> DailySeries {
    let (out, _) = DailySeries::from_bars(s.bars().map(|b| {
        if b.date == day {
            Bar {
                open: b.open * factor,
                high: b.high * factor,
                low: b.low * factor,
                close: b.close * factor,
                ..b
            }
        } else {
            b
        }
    }));
    out
}

async fn serve(server: &MockServer, symbol: &str, body: String) {
    Mock::given(method("GET"))
        .and(path(chart_path(symbol)))
        .respond_with(ResponseTemplate::new(200).set_body_string(body))
        .mount(server)
        .await;
}

async fn store_of(sandbox: &Sandbox) -> Store {
    Store::open(&StoreConfig::Embedded {
        data_dir: sandbox.data_dir(),
    })
    .await
    .unwrap()
}

/// Stores `series` under a new ticker.
async fn stored(sandbox: &Sandbox, category: Category, symbol: &str, series: &DailySeries) {
    let store = store_of(sandbox).await;
    let ticker = Ticker::parse(category, symbol).unwrap();
    store
        .add_ticker(&TickerMeta::new(ticker.clone(), symbol))
        .await
        .unwrap();
    store.upsert_bars(&ticker, series).await.unwrap();
}

/// Runs the binary in the sandbox (off the async runtime, which serves the mock).
async fn wickview(sandbox: &Sandbox, args: &[&str]) -> Output {
    let mut cmd = sandbox.command();
    cmd.args(args);
    tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn both(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        stdout(out),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The sandbox's config routes Korean stocks to Yahoo alone, so no test reaches a public
/// endpoint whatever other sources this build has.
fn yahoo_only(sandbox: &Sandbox) {
    std::fs::write(
        sandbox.config_file(),
        "[source.order]\nkorean_stock = [\"yahoo\"]\nindex = [\"yahoo\"]\ncurrency = [\"yahoo\"]\n",
    )
    .unwrap();
}

#[tokio::test]
async fn a_day_five_percent_off_is_named_and_exits_1() {
    let server = MockServer::start().await;
    mount_handshake(&server).await;
    let history = weekdays(d(2024, 1, 2), 40, |i| 400.0 + i as f64);
    let odd_day = history.days()[12];
    serve(
        &server,
        "MSFT",
        chart_json(
            "MSFT",
            "America/New_York",
            (9, 30),
            &with_day_scaled(&history, odd_day, 0.95),
        ),
    )
    .await;
    let sandbox = Sandbox::new();
    yahoo_only(&sandbox);
    stored(&sandbox, Category::UsStock, "MSFT", &history).await;
    let url = server.uri();

    let out = wickview(&sandbox, &["verify", "MSFT", "--source-url", &url]).await;
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    let text = stdout(&out);
    let stored_close = history.close()[12];
    assert!(
        text.contains(&format!(
            "  {odd_day}: stored {stored_close}, yahoo {} (-5.0%)",
            stored_close * 0.95
        )),
        "{}",
        both(&out)
    );
    assert!(
        text.contains("MSFT: 1 of 40 closes from 2024-01-02 to 2024-02-26 differ from yahoo"),
        "{text}"
    );
    assert!(
        text.contains("(only yahoo covers MSFT: compared with the source that wrote it)"),
        "{text}"
    );
    assert!(
        text.contains("1 tickers verified: 0 clean, 1 with findings"),
        "{text}"
    );

    // The same as JSON.
    let out = wickview(
        &sandbox,
        &["verify", "MSFT", "--json", "--source-url", &url],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["findings"], true);
    let msft = &doc["tickers"][0];
    assert_eq!(msft["ticker"], "MSFT");
    assert_eq!(msft["source"], "yahoo");
    let dis = &msft["comparison"]["disagreements"];
    assert_eq!(dis.as_array().unwrap().len(), 1, "{doc}");
    assert_eq!(dis[0]["date"], odd_day.to_string());
    assert!((dis[0]["diff"].as_f64().unwrap() + 0.05).abs() < 1e-9);

    // Five calendar days: the 5% day lies before the window.
    let out = wickview(
        &sandbox,
        &["verify", "MSFT", "--days", "5", "--source-url", &url],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert!(
        stdout(&out).contains("MSFT: 3 days from 2024-02-22 to 2024-02-26 agree with yahoo"),
        "{}",
        both(&out)
    );
}

#[tokio::test]
async fn an_identical_history_exits_0_and_missing_days_are_named() {
    let server = MockServer::start().await;
    mount_handshake(&server).await;
    let history = weekdays(d(2024, 3, 1), 30, |i| 180.0 - i as f64 * 0.5);
    serve(
        &server,
        "AAPL",
        chart_json("AAPL", "America/New_York", (9, 30), &history),
    )
    .await;
    // IBM's source lacks one day the store has.
    let ibm = weekdays(d(2024, 3, 1), 30, |i| 190.0 + i as f64);
    let gap = ibm.days()[10];
    let (served, _) = DailySeries::from_bars(ibm.bars().filter(|b| b.date != gap));
    serve(
        &server,
        "IBM",
        chart_json("IBM", "America/New_York", (9, 30), &served),
    )
    .await;
    let sandbox = Sandbox::new();
    yahoo_only(&sandbox);
    stored(&sandbox, Category::UsStock, "AAPL", &history).await;
    let url = server.uri();

    let out = wickview(&sandbox, &["verify", "--source-url", &url]).await;
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    assert!(
        stdout(&out).contains("AAPL: 30 days from 2024-03-01 to 2024-04-11 agree with yahoo"),
        "{}",
        both(&out)
    );

    stored(&sandbox, Category::UsStock, "IBM", &ibm).await;
    let out = wickview(&sandbox, &["verify", "--source-url", &url]).await;
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    let text = stdout(&out);
    assert!(
        text.contains(&format!("  {gap}: stored, missing in yahoo")),
        "{text}"
    );
    assert!(
        text.contains("2 tickers verified: 1 clean, 1 with findings"),
        "{text}"
    );

    // A source that does not know the ticker: reported, exit 1.
    Mock::given(method("GET"))
        .and(path(chart_path("NVDA")))
        .respond_with(ResponseTemplate::new(404).set_body_string(yahoo_fixture("unknown.json")))
        .mount(&server)
        .await;
    stored(&sandbox, Category::UsStock, "NVDA", &history).await;
    let out = wickview(&sandbox, &["verify", "NVDA", "--source-url", &url]).await;
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    assert!(
        stdout(&out).contains("NVDA: not compared: yahoo: unknown symbol NVDA"),
        "{}",
        both(&out)
    );
}

#[tokio::test]
async fn usage_and_store_errors_exit_2() {
    let sandbox = Sandbox::new();
    // No store yet: verify only reads, and says so.
    let out = wickview(&sandbox, &["verify", "MSFT"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("error: "), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");

    stored(
        &sandbox,
        Category::UsStock,
        "MSFT",
        &weekdays(d(2024, 1, 2), 3, |_| 1.0),
    )
    .await;
    let out = wickview(&sandbox, &["verify", "NOPE"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", both(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("'NOPE' is not a stored ticker"),
        "{}",
        both(&out)
    );
    for bad in [
        &["verify", "--days", "0"][..],
        &["verify", "--days", "20001"],
        &["verify", "--source", "bloomberg"],
        &["verify", "--refetch"],
        &["verify", "--source-url", "ftp://x"],
    ] {
        let out = wickview(&sandbox, bad).await;
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {}", both(&out));
    }
}

/// A Korean stock whose stored history missed a 4:1 split (the close drops 75% in one day,
/// beyond the ±30% limit): `verify` flags it even though the last 60 days agree, `repair
/// --dry-run` lists it, and `verify --refetch` replaces the history with the source's
/// split-adjusted one, after which `verify` is clean.
#[tokio::test]
async fn an_unadjusted_split_breaks_the_price_limit_and_refetch_replaces_it() {
    let server = MockServer::start().await;
    mount_handshake(&server).await;
    // 120 weekdays; the split takes effect on day 41, priced as day 40 was before it.
    let split_at = 41;
    let traded = |i: usize| 20_000.0 + 50.0 * ((i / 2) % 7) as f64;
    let raw = weekdays(d(2021, 1, 4), 120, |i| {
        if i < split_at {
            traded(i) * 4.0
        } else {
            traded(i)
        }
    });
    let adjusted = weekdays(d(2021, 1, 4), 120, traded);
    let split_day = raw.days()[split_at];
    serve(
        &server,
        "005930.KS",
        chart_json("005930.KS", "Asia/Seoul", (9, 0), &adjusted),
    )
    .await;
    let sandbox = Sandbox::new();
    yahoo_only(&sandbox);
    stored(&sandbox, Category::KoreanStock, "005930", &raw).await;
    let url = server.uri();

    let out = wickview(&sandbox, &["verify", "005930", "--source-url", &url]).await;
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    let text = stdout(&out);
    let prev = raw.close()[split_at - 1];
    let now = raw.close()[split_at];
    assert!(
        text.contains(&format!(
            "005930: {split_day}: -75.0% close-to-close ({prev} to {now}), beyond the ±30% \
             limit: a missing split adjustment or a bad print; `wickview verify --refetch \
             005930` replaces the history from yahoo"
        )),
        "{}",
        both(&out)
    );
    assert!(
        text.contains("agree with yahoo"),
        "the last 60 days agree: {text}"
    );
    assert_eq!(text.matches("close-to-close").count(), 1, "{text}");

    // `repair --dry-run` lists it too, and changes nothing.
    let out = wickview(&sandbox, &["repair", "--dry-run"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let text = stdout(&out);
    assert!(
        text.contains(&format!(
            "korean_stocks: 005930: {split_day}: -75.0% close-to-close"
        )) && text.contains("`wickview verify --refetch 005930` replaces the history from yahoo"),
        "{}",
        both(&out)
    );

    // The whole history, from 1970 to today, is fetched and replaces the stored one.
    let out = wickview(
        &sandbox,
        &["verify", "--refetch", "005930", "--source-url", &url],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let text = stdout(&out);
    assert!(
        text.contains(&format!(
            "005930: history replaced from yahoo (005930.KS): 120 days written, 0 stored days \
             removed, 0 added; {split_at} closes changed by more than 0.5%"
        )),
        "{}",
        both(&out)
    );
    let store = store_of(&sandbox).await;
    let ticker = Ticker::parse(Category::KoreanStock, "005930").unwrap();
    let now_stored = store.load_series(&ticker, None).await.unwrap();
    assert_eq!(now_stored.days(), adjusted.days());
    assert_eq!(now_stored.close(), adjusted.close());
    let meta = store.ticker("005930").await.unwrap().unwrap();
    assert_eq!(meta.source_symbol.as_deref(), Some("005930.KS"));
    drop(store);

    let out = wickview(&sandbox, &["verify", "005930", "--source-url", &url]).await;
    assert_eq!(out.status.code(), Some(0), "{}", both(&out));
    let out = wickview(&sandbox, &["repair", "--dry-run"]).await;
    assert!(!stdout(&out).contains("close-to-close"), "{}", both(&out));
}

/// A source whose history starts years after the stored one does not replace it.
#[tokio::test]
async fn a_refetch_that_would_cut_the_history_short_is_refused() {
    let server = MockServer::start().await;
    mount_handshake(&server).await;
    let long = weekdays(d(2020, 1, 2), 400, |i| 10_000.0 + 10.0 * (i % 5) as f64);
    let short = long.slice(300..400);
    serve(
        &server,
        "005930.KS",
        chart_json("005930.KS", "Asia/Seoul", (9, 0), &short),
    )
    .await;
    let sandbox = Sandbox::new();
    yahoo_only(&sandbox);
    stored(&sandbox, Category::KoreanStock, "005930", &long).await;
    let out = wickview(
        &sandbox,
        &[
            "verify",
            "--refetch",
            "005930",
            "--source-url",
            &server.uri(),
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "{}", both(&out));
    assert!(
        stdout(&out).contains(&format!(
            "005930: not replaced: yahoo's history starts on {}, the stored one on 2020-01-02: \
             replacing it would delete 300 stored days; the stored history is kept",
            short.days()[0]
        )),
        "{}",
        both(&out)
    );
    let store = store_of(&sandbox).await;
    let ticker = Ticker::parse(Category::KoreanStock, "005930").unwrap();
    assert_eq!(store.load_series(&ticker, None).await.unwrap().len(), 400);
}

//! Failover end to end: `wickview update` through the real binary with Yahoo answering 503
//! to everything and the fallback sources served by local mock servers in their real
//! formats (Naver's single-quoted siseJson array, the ECB's csvdata). The update completes
//! from the fallback, the store holds exactly the fallback's bars with their provenance, and
//! the summary names the source that served each ticker and why Yahoo was passed over.
//! A settled close that the serving source now sends otherwise is reported by the update's
//! own check on the day it fetched again.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use std::process::Output;

use common::*;
use wickview::model::{Bar, Category, DailySeries, Ticker, TickerMeta};
use wickview::store::{Provenance, Store, StoreConfig};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A Yahoo that is down: every request answers 503.
async fn yahoo_down() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path_regex(".*"))
        .respond_with(ResponseTemplate::new(503).set_body_string("Service Unavailable"))
        .mount(&server)
        .await;
    server
}

async fn store_of(sandbox: &Sandbox) -> Store {
    Store::open(&StoreConfig::Embedded {
        data_dir: sandbox.data_dir(),
    })
    .await
    .unwrap()
}

/// Runs the binary in the sandbox (off the async runtime, which serves the mocks).
async fn wickview(sandbox: &Sandbox, args: Vec<String>) -> Output {
    let mut cmd = sandbox.command();
    cmd.args(args);
    tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap()
}

fn both(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A sandbox whose store holds `bars` of `ticker` (named `name`), written by `source`.
async fn seeded(ticker: &Ticker, name: &str, bars: &DailySeries, source: Option<&str>) -> Sandbox {
    let sandbox = Sandbox::new();
    let store = store_of(&sandbox).await;
    store
        .add_ticker(&TickerMeta::new(ticker.clone(), name))
        .await
        .unwrap();
    store
        .upsert_bars_from(
            ticker,
            bars,
            Provenance {
                source,
                foreign_ratio: &[],
            },
        )
        .await
        .unwrap();
    sandbox
}

/// `wickview update --category CATEGORY` with a `--source-url` per `NAME=URL`; exit code 0
/// asserted, the output returned.
async fn update(sandbox: &Sandbox, category: &str, urls: &[String]) -> String {
    let mut args = vec!["update".to_owned(), "--category".into(), category.into()];
    for url in urls {
        args.extend(["--source-url".to_owned(), url.clone()]);
    }
    let out = wickview(sandbox, args).await;
    let text = both(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    text
}

fn series(bars: Vec<Bar>) -> DailySeries {
    let (s, issues) = DailySeries::from_bars(bars);
    assert!(issues.is_empty(), "{issues:?}");
    s
}

/// Naver serving Samsung Electronics' days as siseJson writes them.
async fn naver_server() -> MockServer {
    let naver = MockServer::start().await;
    // Samsung Electronics' days as Naver's siseJson writes them (open, high, low, close,
    // volume, foreign ownership ratio); the first is the last stored day, sent again.
    let body = "\n [['날짜', '시가', '고가', '저가', '종가', '거래량', '외국인소진율'],\n\t\t\n\
                [\"20240308\", 72900, 73400, 72000, 73300, 23563212, 54.3],\n\t\t\n\
                [\"20240311\", 73000, 73300, 72200, 72400, 18291425, 54.33],\n\t\t\n\
                [\"20240312\", 72300, 73700, 72200, 73600, 20326513, 54.4],\n\t\t\n\
                [\"20240313\", 73700, 74100, 73300, 74100, 17542931, 54.52]\n\t\t\n]\n";
    Mock::given(method("GET"))
        .and(path("/siseJson.naver"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(body.as_bytes().to_vec(), "text/plain;charset=UTF-8"),
        )
        .mount(&naver)
        .await;
    naver
}

#[tokio::test]
async fn yahoo_down_a_korean_stock_is_updated_from_naver() {
    let yahoo = yahoo_down().await;
    let naver = naver_server().await;

    let stored = series(vec![
        Bar::ohlc(d(2024, 3, 6), 73_000.0, 73_300.0, 72_200.0, 72_900.0),
        Bar::ohlc(d(2024, 3, 7), 73_400.0, 73_500.0, 72_600.0, 73_000.0),
        Bar::ohlc(d(2024, 3, 8), 72_900.0, 73_400.0, 72_000.0, 73_300.0),
    ]);
    let ticker = Ticker::parse(Category::KoreanStock, "005930").unwrap();
    let sandbox = seeded(&ticker, "Samsung Electronics", &stored, Some("yahoo")).await;
    let text = update(
        &sandbox,
        "kr",
        &[
            format!("yahoo={}", yahoo.uri()),
            format!("naver={}/", naver.uri()),
        ],
    )
    .await;
    assert!(text.contains("served by Naver Finance"), "{text}");
    assert!(
        text.contains("HTTP 503"),
        "why Yahoo was passed over: {text}"
    );
    assert!(text.contains("1 from Naver Finance"), "{text}");
    assert!(
        !yahoo.received_requests().await.unwrap().is_empty(),
        "Yahoo was tried first"
    );

    let store = store_of(&sandbox).await;
    let now = store.load_series(&ticker, None).await.unwrap();
    let closes: Vec<(chrono::NaiveDate, f64)> = now.bars().map(|b| (b.date, b.close)).collect();
    assert_eq!(
        closes,
        [
            (d(2024, 3, 6), 72_900.0),
            (d(2024, 3, 7), 73_000.0),
            (d(2024, 3, 8), 73_300.0),
            (d(2024, 3, 11), 72_400.0),
            (d(2024, 3, 12), 73_600.0),
            (d(2024, 3, 13), 74_100.0),
        ]
    );
    let last = now.bar(now.len() - 1).unwrap();
    assert_eq!(
        (last.open, last.high, last.low, last.volume),
        (73_700.0, 74_100.0, 73_300.0, 17_542_931.0)
    );
    let rows = store.load_provenance(&ticker, None).await.unwrap();
    let by_day: Vec<(chrono::NaiveDate, Option<&str>, Option<f64>)> = rows
        .iter()
        .map(|r| (r.date, r.source.as_deref(), r.foreign_ratio))
        .collect();
    assert_eq!(
        by_day,
        [
            (d(2024, 3, 6), Some("yahoo"), None),
            (d(2024, 3, 7), Some("yahoo"), None),
            (d(2024, 3, 8), Some("naver"), Some(54.3)),
            (d(2024, 3, 11), Some("naver"), Some(54.33)),
            (d(2024, 3, 12), Some("naver"), Some(54.4)),
            (d(2024, 3, 13), Some("naver"), Some(54.52)),
        ]
    );
}

fn ecb_row(currency: &str, name: &str, day: &str, value: f64) -> String {
    format!(
        "EXR.D.{currency}.EUR.SP00.A,D,{currency},EUR,SP00,A,{day},{value},A,F,,,P1D,,A,,,,,,,99Q1=100,,,4,,4F0,,{name}/Euro ECB reference exchange rate,\"ECB reference exchange rate, {name}/Euro, 2.15 pm (C.E.T.)\",{currency},0"
    )
}

#[tokio::test]
async fn yahoo_down_usd_krw_is_taken_whole_from_the_ecb() {
    let yahoo = yahoo_down().await;
    let ecb = MockServer::start().await;
    let krw = [
        ("2024-01-02", 1427.29),
        ("2024-01-03", 1430.72),
        ("2024-01-04", 1433.06),
        ("2024-01-05", 1436.95),
    ];
    let usd = [
        ("2024-01-02", 1.0956),
        ("2024-01-03", 1.0919),
        ("2024-01-04", 1.0953),
        ("2024-01-05", 1.0921),
    ];
    let mut lines = vec!["KEY,FREQ,CURRENCY,CURRENCY_DENOM,EXR_TYPE,EXR_SUFFIX,TIME_PERIOD,OBS_VALUE,OBS_STATUS,OBS_CONF,OBS_PRE_BREAK,OBS_COM,TIME_FORMAT,BREAKS,COLLECTION,COMPILING_ORG,DISS_ORG,DOM_SER_IDS,PUBL_ECB,PUBL_MU,PUBL_PUBLIC,UNIT_INDEX_BASE,COMPILATION,COVERAGE,DECIMALS,NAT_TITLE,SOURCE_AGENCY,SOURCE_PUB,TITLE,TITLE_COMPL,UNIT,UNIT_MULT".to_owned()];
    lines.extend(
        krw.iter()
            .map(|(day, v)| ecb_row("KRW", "Korean won (Republic)", day, *v)),
    );
    lines.extend(
        usd.iter()
            .map(|(day, v)| ecb_row("USD", "US dollar", day, *v)),
    );
    Mock::given(method("GET"))
        .and(path("/service/data/EXR/D.KRW+USD.EUR.SP00.A"))
        .respond_with(ResponseTemplate::new(200).set_body_string(lines.join("\r\n") + "\r\n"))
        .mount(&ecb)
        .await;

    // Two days Yahoo wrote earlier: its quotes are another fixing than the ECB's.
    let ticker = Ticker::parse(Category::Currency, "KRW=X").unwrap();
    let yahoo_bars = series(vec![
        Bar::ohlc(d(2024, 1, 2), 1288.0, 1305.0, 1287.0, 1290.1),
        Bar::ohlc(d(2024, 1, 3), 1300.2, 1311.0, 1299.0, 1301.5),
    ]);
    let sandbox = seeded(&ticker, "USD/KRW", &yahoo_bars, Some("yahoo")).await;
    let text = update(
        &sandbox,
        "fx",
        &[
            format!("yahoo={}", yahoo.uri()),
            format!("ecb={}", ecb.uri()),
            "fred=http://127.0.0.1:9".into(),
        ],
    )
    .await;
    assert!(text.contains("served by ECB reference rates"), "{text}");
    assert!(text.contains("one series never mixes two"), "{text}");

    let store = store_of(&sandbox).await;
    let now = store.load_series(&ticker, None).await.unwrap();
    let expected: Vec<(chrono::NaiveDate, f64)> = krw
        .iter()
        .zip(usd)
        .map(|((day, k), (_, u))| (day.parse().unwrap(), k / u))
        .collect();
    let got: Vec<(chrono::NaiveDate, f64)> = now.bars().map(|b| (b.date, b.close)).collect();
    assert_eq!(got.len(), expected.len(), "{got:?}");
    for ((day, close), (want_day, want)) in got.iter().zip(&expected) {
        assert_eq!(day, want_day);
        assert!(
            (close - want).abs() <= want * 1e-12,
            "{day}: {close} vs {want}"
        );
    }
    let rows = store.load_provenance(&ticker, None).await.unwrap();
    assert!(
        rows.iter().all(|r| r.source.as_deref() == Some("ecb")),
        "no Yahoo bar is left in the series: {rows:?}"
    );
}

#[tokio::test]
async fn a_settled_close_the_source_now_sends_otherwise_is_reported() {
    let naver = naver_server().await;
    // The stored 2024-03-08 has Naver's open but a close 1.8% lower.
    let ticker = Ticker::parse(Category::KoreanStock, "005930").unwrap();
    let bars = series(vec![Bar::ohlc(
        d(2024, 3, 8),
        72_900.0,
        73_400.0,
        71_900.0,
        72_000.0,
    )]);
    let sandbox = seeded(&ticker, "Samsung Electronics", &bars, None).await;
    std::fs::write(
        sandbox.config_file(),
        "[source.order]\nkorean_stock = [\"naver\"]\n",
    )
    .unwrap();
    let text = update(&sandbox, "kr", &[format!("naver={}/", naver.uri())]).await;
    assert!(
        text.contains(
            "005930: Naver Finance sends 73300 for 2024-03-08, stored 72000 (+1.8%); \
             `wickview verify 005930` compares the last 60 days"
        ),
        "{text}"
    );
    assert!(!text.contains("re-adjusted"), "the history is kept: {text}");
    let store = store_of(&sandbox).await;
    assert_eq!(store.load_series(&ticker, None).await.unwrap().len(), 4);
}

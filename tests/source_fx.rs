//! The ECB and FRED exchange-rate sources against local mock servers answering in their
//! real formats (the ECB Data Portal's `csvdata`, FRED's `fredgraph.csv`), with faults:
//! a 500, an HTML challenge served with 200, a cut body, an empty body, a stall.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use wickview::model::{Category, Ticker, TickerMeta};
use wickview::source::route::{Routes, build};
use wickview::source::{
    EcbSource, FredSource, Source, SourceConfig, SourceError, SourceId, SourceSet,
};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ECB_HEADER: &str = "KEY,FREQ,CURRENCY,CURRENCY_DENOM,EXR_TYPE,EXR_SUFFIX,TIME_PERIOD,OBS_VALUE,OBS_STATUS,OBS_CONF,OBS_PRE_BREAK,OBS_COM,TIME_FORMAT,BREAKS,COLLECTION,COMPILING_ORG,DISS_ORG,DOM_SER_IDS,PUBL_ECB,PUBL_MU,PUBL_PUBLIC,UNIT_INDEX_BASE,COMPILATION,COVERAGE,DECIMALS,NAT_TITLE,SOURCE_AGENCY,SOURCE_PUB,TITLE,TITLE_COMPL,UNIT,UNIT_MULT";

const CHALLENGE: &str = "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>Checking your browser</body></html>";

/// Euro reference rates of the first days of 2024 (won and dollars per euro), grouped by
/// series as the ECB sends them.
const KRW: [(&str, f64); 5] = [
    ("2023-12-29", 1433.66),
    ("2024-01-02", 1427.29),
    ("2024-01-03", 1430.72),
    ("2024-01-04", 1433.06),
    ("2024-01-05", 1436.95),
];
const USD: [(&str, f64); 4] = [
    ("2023-12-29", 1.105),
    ("2024-01-02", 1.0956),
    ("2024-01-03", 1.0919),
    ("2024-01-05", 1.0921),
];

fn ecb_row(currency: &str, name: &str, day: &str, value: &str) -> String {
    format!(
        "EXR.D.{currency}.EUR.SP00.A,D,{currency},EUR,SP00,A,{day},{value},A,F,,,P1D,,A,,,,,,,99Q1=100,,,4,,4F0,,{name}/Euro ECB reference exchange rate,\"ECB reference exchange rate, {name}/Euro, 2.15 pm (C.E.T.)\",{currency},0"
    )
}

fn ecb_body() -> String {
    let mut lines = vec![ECB_HEADER.to_owned()];
    lines.extend(
        KRW.iter()
            .map(|(day, v)| ecb_row("KRW", "Korean won (Republic)", day, &v.to_string())),
    );
    lines.extend(
        USD.iter()
            .map(|(day, v)| ecb_row("USD", "US dollar", day, &v.to_string())),
    );
    lines.join("\r\n") + "\r\n"
}

const ECB_PATH: &str = "/service/data/EXR/D.KRW+USD.EUR.SP00.A";

fn config(server: &MockServer) -> SourceConfig {
    let mut config = fast_config(&server.uri());
    config.set_url(SourceId::Ecb, &server.uri());
    config.set_url(SourceId::Fred, &server.uri());
    config
}

fn meta(symbol: &str) -> TickerMeta {
    TickerMeta::new(Ticker::parse(Category::Currency, symbol).unwrap(), "")
}

fn assert_close(got: f64, want: f64) {
    assert!((got - want).abs() <= 1e-12 * want.abs(), "{got} vs {want}");
}

#[tokio::test]
async fn ecb_usd_krw_is_won_per_euro_over_dollars_per_euro_from_one_request() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(ECB_PATH))
        // A week before the first day asked, so weekends never make an empty answer.
        .and(query_param("startPeriod", "2023-12-26"))
        .and(query_param("endPeriod", "2024-01-05"))
        .and(query_param("format", "csvdata"))
        .respond_with(ok(ecb_body()))
        .expect(1)
        .mount(&server)
        .await;
    let source = EcbSource::new(&config(&server)).unwrap();
    let krw = meta("KRW=X");
    assert_eq!(source.id(), SourceId::Ecb);
    assert_eq!(
        source.symbol(&krw).as_deref(),
        Some("EXR/D.KRW+USD.EUR.SP00.A")
    );

    let f = source
        .fetch(&krw, d(2024, 1, 2), d(2024, 1, 5))
        .await
        .unwrap();
    assert_eq!(f.symbol, "EXR/D.KRW+USD.EUR.SP00.A");
    assert_eq!(f.attempts, 1);
    let series = &f.chart.series;
    // The 29th is before the window; the 4th has no dollar rate, so no bar.
    assert_eq!(
        series.days(),
        &[d(2024, 1, 2), d(2024, 1, 3), d(2024, 1, 5)]
    );
    for (got, (k, u)) in
        series
            .close()
            .iter()
            .zip([(1427.29, 1.0956), (1430.72, 1.0919), (1436.95, 1.0921)])
    {
        assert_close(*got, k / u);
    }
    assert!(series.open().iter().all(|o| o.is_nan()), "close-only bars");
    assert_eq!(f.chart.skipped_nulls, 1);
    assert!(f.chart.issues.is_empty());
    assert_eq!(f.chart.time_zone, "Europe/Berlin");
    assert_eq!(f.chart.currency.as_deref(), Some("KRW"));
}

#[tokio::test]
async fn ecb_euro_pairs_are_the_published_rate_or_its_reciprocal() {
    let server = MockServer::start().await;
    let usd_only = [ECB_HEADER.to_owned()]
        .into_iter()
        .chain(
            USD.iter()
                .map(|(day, v)| ecb_row("USD", "US dollar", day, &v.to_string())),
        )
        .collect::<Vec<_>>()
        .join("\n")
        + "\n";
    Mock::given(method("GET"))
        .and(path("/service/data/EXR/D.USD.EUR.SP00.A"))
        .respond_with(ok(usd_only))
        .expect(2)
        .mount(&server)
        .await;
    let source = EcbSource::new(&config(&server)).unwrap();
    let eurusd = source
        .fetch(&meta("EURUSD=X"), d(2024, 1, 2), d(2024, 1, 5))
        .await
        .unwrap();
    assert_eq!(eurusd.chart.series.close(), &[1.0956, 1.0919, 1.0921]);
    let usdeur = source
        .fetch(&meta("EUR=X"), d(2024, 1, 2), d(2024, 1, 5))
        .await
        .unwrap();
    assert_eq!(
        usdeur.chart.series.close(),
        &[1.0 / 1.0956, 1.0 / 1.0919, 1.0 / 1.0921]
    );
    assert_eq!(usdeur.chart.currency.as_deref(), Some("EUR"));
}

#[tokio::test]
async fn ecb_retries_a_500_then_succeeds() {
    let server = MockServer::start().await;
    mount_first(&server, ECB_PATH, [ResponseTemplate::new(500)]).await;
    mount_always(&server, ECB_PATH, ok(ecb_body())).await;
    let source = EcbSource::new(&config(&server)).unwrap();
    let f = source
        .fetch(&meta("KRW=X"), d(2024, 1, 2), d(2024, 1, 5))
        .await
        .unwrap();
    assert_eq!(f.attempts, 2);
    assert_eq!(f.chart.series.len(), 3);
    assert_eq!(hits(&server, ECB_PATH).await, 2);
}

#[tokio::test]
async fn ecb_html_challenge_with_200_is_a_failure_never_no_bars() {
    let server = MockServer::start().await;
    // Once, then data: retried and served.
    mount_first(&server, ECB_PATH, [ok(CHALLENGE)]).await;
    mount_always(&server, ECB_PATH, ok(ecb_body())).await;
    let source = EcbSource::new(&config(&server)).unwrap();
    let f = source
        .fetch(&meta("KRW=X"), d(2024, 1, 2), d(2024, 1, 5))
        .await
        .unwrap();
    assert_eq!((f.attempts, f.chart.series.len()), (2, 3));

    // Always: every attempt used, then the failure.
    let server = MockServer::start().await;
    mount_always(&server, ECB_PATH, ok(CHALLENGE)).await;
    let source = EcbSource::new(&config(&server)).unwrap();
    let err = source
        .fetch(&meta("KRW=X"), d(2024, 1, 2), d(2024, 1, 5))
        .await
        .unwrap_err();
    assert!(
        matches!(err, SourceError::RetriesExhausted { attempts: 3, .. }),
        "{err:?}"
    );
    assert!(
        matches!(err.root(), SourceError::NotData { what } if what.contains("HTML page")),
        "{err:?}"
    );
    assert_eq!(hits(&server, ECB_PATH).await, 3);
}

#[tokio::test]
async fn ecb_cut_csv_is_retried_and_then_fails() {
    let whole = ecb_body();
    // Cut inside the last row's quoted title: the row has fewer fields than the header.
    let cut = whole[..whole.len() - 30].to_owned();
    let server = MockServer::start().await;
    mount_first(&server, ECB_PATH, [ok(cut.clone())]).await;
    mount_always(&server, ECB_PATH, ok(whole)).await;
    let source = EcbSource::new(&config(&server)).unwrap();
    let f = source
        .fetch(&meta("KRW=X"), d(2024, 1, 2), d(2024, 1, 5))
        .await
        .unwrap();
    assert_eq!(f.attempts, 2);
    assert_eq!(f.chart.series.len(), 3, "the whole answer, not the cut one");

    let server = MockServer::start().await;
    mount_always(&server, ECB_PATH, ok(cut)).await;
    let source = EcbSource::new(&config(&server)).unwrap();
    let err = source
        .fetch(&meta("KRW=X"), d(2024, 1, 2), d(2024, 1, 5))
        .await
        .unwrap_err();
    assert_eq!(err.root().malformed_truncated(), Some(true), "{err:?}");
}

#[tokio::test]
async fn ecb_weekend_window_is_an_empty_series() {
    let server = MockServer::start().await;
    // Saturday 6 and Sunday 7 January 2024: the week before comes back, none of it asked.
    Mock::given(method("GET"))
        .and(path(ECB_PATH))
        .and(query_param("startPeriod", "2023-12-30"))
        .and(query_param("endPeriod", "2024-01-07"))
        .respond_with(ok(ecb_body()))
        .expect(1)
        .mount(&server)
        .await;
    let source = EcbSource::new(&config(&server)).unwrap();
    let f = source
        .fetch(&meta("KRW=X"), d(2024, 1, 6), d(2024, 1, 7))
        .await
        .unwrap();
    assert!(f.chart.series.is_empty());
    assert_eq!(f.chart.skipped_nulls, 0);
    assert_eq!(f.attempts, 1);
}

#[tokio::test]
async fn ecb_no_results_404_is_an_empty_series_but_an_empty_body_is_a_failure() {
    // The ECB's answer for a window without observations (its documented 404).
    let server = MockServer::start().await;
    let body = r#"{"type":"/service/data/EXR/D.RUB.EUR.SP00.A","title":"Not Found","status":404,"detail":"No results found.","instance":"/service/data/EXR/D.RUB.EUR.SP00.A"}"#;
    Mock::given(method("GET"))
        .and(path("/service/data/EXR/D.RUB.EUR.SP00.A"))
        .respond_with(ResponseTemplate::new(404).set_body_string(body))
        .expect(1)
        .mount(&server)
        .await;
    let source = EcbSource::new(&config(&server)).unwrap();
    let f = source
        .fetch(&meta("EURRUB=X"), d(2024, 1, 2), d(2024, 1, 31))
        .await
        .unwrap();
    assert!(f.chart.series.is_empty());
    assert_eq!(f.symbol, "EXR/D.RUB.EUR.SP00.A");

    // Another 404 is an unknown symbol.
    let server = MockServer::start().await;
    mount_always(
        &server,
        ECB_PATH,
        ResponseTemplate::new(404).set_body_string(r#"{"status":404,"error":"Not Found"}"#),
    )
    .await;
    let source = EcbSource::new(&config(&server)).unwrap();
    let err = source
        .fetch(&meta("KRW=X"), d(2024, 1, 2), d(2024, 1, 5))
        .await
        .unwrap_err();
    assert!(matches!(err, SourceError::UnknownSymbol { .. }), "{err:?}");

    // An empty 200 body can be a cut or blocked answer: with a week of reach-back a real
    // ECB answer for a published currency is never empty, so it is a failure, retried.
    let server = MockServer::start().await;
    mount_always(&server, ECB_PATH, ok("")).await;
    let source = EcbSource::new(&config(&server)).unwrap();
    let err = source
        .fetch(&meta("KRW=X"), d(2024, 1, 6), d(2024, 1, 7))
        .await
        .unwrap_err();
    assert!(
        matches!(err.root(), SourceError::NotData { what } if what.contains("empty body")),
        "{err:?}"
    );
    assert_eq!(hits(&server, ECB_PATH).await, 3);
}

#[tokio::test]
async fn unknown_pairs_and_other_tickers_ask_nothing() {
    let server = MockServer::start().await;
    let config = config(&server);
    let ecb = EcbSource::new(&config).unwrap();
    let fred = FredSource::new(&config).unwrap();
    let vnd = meta("VND=X");
    assert_eq!(ecb.symbol(&vnd), None);
    assert_eq!(fred.symbol(&vnd), None);
    let pln = meta("EURPLN=X");
    assert_eq!(ecb.symbol(&pln).as_deref(), Some("EXR/D.PLN.EUR.SP00.A"));
    assert_eq!(fred.symbol(&pln), None, "H.10 has no zloty");
    let aapl = TickerMeta::new(Ticker::parse(Category::UsStock, "AAPL").unwrap(), "Apple");
    assert_eq!(ecb.symbol(&aapl), None);
    assert_eq!(fred.symbol(&aapl), None);
    for source in [&ecb as &dyn Source, &fred] {
        for m in [&vnd, &aapl] {
            let err = source
                .fetch(m, d(2024, 1, 2), d(2024, 1, 5))
                .await
                .unwrap_err();
            assert!(matches!(err, SourceError::UnknownSymbol { .. }), "{err:?}");
        }
    }
    let err = fred
        .fetch(&pln, d(2024, 1, 2), d(2024, 1, 5))
        .await
        .unwrap_err();
    assert!(matches!(err, SourceError::UnknownSymbol { .. }), "{err:?}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

const FRED_PATH: &str = "/graph/fredgraph.csv";

async fn mount_fred(server: &MockServer, id: &str, body: &str) {
    Mock::given(method("GET"))
        .and(path(FRED_PATH))
        .and(query_param("id", id))
        .respond_with(ok(body))
        .mount(server)
        .await;
}

/// Won per dollar in today's format: `observation_date`, an empty value on New Year's Day.
const DEXKOUS: &str = "observation_date,DEXKOUS\n2023-12-29,1288.00\n2024-01-01,\n2024-01-02,1300.50\n2024-01-03,1306.44\n2024-01-04,1311.94\n2024-01-05,1318.00\n";
/// Dollars per euro in the format before December 2024: `DATE` and `.` for a missing day.
const DEXUSEU: &str = "DATE,DEXUSEU\n2023-12-29,1.1039\n2024-01-01,.\n2024-01-02,1.0946\n2024-01-03,1.0920\n2024-01-04,.\n2024-01-05,1.0942\n";

#[tokio::test]
async fn fred_usd_krw_is_dexkous_as_published() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(FRED_PATH))
        .and(query_param("id", "DEXKOUS"))
        // Two weeks before the first day asked: H.10 comes out weekly.
        .and(query_param("cosd", "2023-12-18"))
        .and(query_param("coed", "2024-01-05"))
        .respond_with(ok(DEXKOUS))
        .expect(1)
        .mount(&server)
        .await;
    let source = FredSource::new(&config(&server)).unwrap();
    let krw = meta("KRW=X");
    assert_eq!(source.id(), SourceId::Fred);
    assert_eq!(source.symbol(&krw).as_deref(), Some("DEXKOUS"));
    let f = source
        .fetch(&krw, d(2024, 1, 1), d(2024, 1, 5))
        .await
        .unwrap();
    assert_eq!(f.symbol, "DEXKOUS");
    assert_eq!(
        f.chart.series.days(),
        &[d(2024, 1, 2), d(2024, 1, 3), d(2024, 1, 4), d(2024, 1, 5)]
    );
    assert_eq!(f.chart.series.close(), &[1300.5, 1306.44, 1311.94, 1318.0]);
    assert_eq!(f.chart.skipped_nulls, 1, "New Year's Day has no rate");
    assert_eq!(f.chart.time_zone, "America/New_York");
    assert!(f.chart.series.has_close_only());
}

#[tokio::test]
async fn fred_crosses_and_inversions() {
    let server = MockServer::start().await;
    mount_fred(&server, "DEXKOUS", DEXKOUS).await;
    mount_fred(&server, "DEXUSEU", DEXUSEU).await;
    let source = FredSource::new(&config(&server)).unwrap();

    // Dollars per euro as published, with the old header and `.` values.
    let eurusd = source
        .fetch(&meta("EURUSD=X"), d(2024, 1, 1), d(2024, 1, 5))
        .await
        .unwrap();
    assert_eq!(eurusd.symbol, "DEXUSEU");
    assert_eq!(eurusd.chart.series.close(), &[1.0946, 1.0920, 1.0942]);
    assert_eq!(eurusd.chart.skipped_nulls, 2);
    // Euros per dollar: the reciprocal.
    let usdeur = source
        .fetch(&meta("EUR=X"), d(2024, 1, 1), d(2024, 1, 5))
        .await
        .unwrap();
    assert_eq!(usdeur.symbol, "1/DEXUSEU");
    assert_eq!(
        usdeur.chart.series.close(),
        &[1.0 / 1.0946, 1.0 / 1.0920, 1.0 / 1.0942]
    );
    // Won per euro: won per dollar × dollars per euro, on the days both have a rate.
    let eurkrw = source
        .fetch(&meta("EURKRW=X"), d(2024, 1, 1), d(2024, 1, 5))
        .await
        .unwrap();
    assert_eq!(eurkrw.symbol, "DEXKOUS*DEXUSEU");
    assert_eq!(
        eurkrw.chart.series.days(),
        &[d(2024, 1, 2), d(2024, 1, 3), d(2024, 1, 5)]
    );
    for (got, want) in
        eurkrw
            .chart
            .series
            .close()
            .iter()
            .zip([1300.5 * 1.0946, 1306.44 * 1.0920, 1318.0 * 1.0942])
    {
        assert_close(*got, want);
    }
    assert_eq!(eurkrw.chart.skipped_nulls, 2, "New Year's Day and the 4th");
    assert_eq!(eurkrw.attempts, 1);
}

#[tokio::test]
async fn fred_faults_500_challenge_and_cut_body_are_retried() {
    let server = MockServer::start().await;
    let cut = &DEXKOUS[..DEXKOUS.len() - 3]; // "…,1318." with the line unfinished
    mount_first(
        &server,
        FRED_PATH,
        [ResponseTemplate::new(500), ok(CHALLENGE), ok(cut)],
    )
    .await;
    mount_always(&server, FRED_PATH, ok(DEXKOUS)).await;
    let mut four = config(&server);
    four.retry.max_attempts = 4;
    let source = FredSource::new(&four).unwrap();
    let f = source
        .fetch(&meta("KRW=X"), d(2024, 1, 2), d(2024, 1, 5))
        .await
        .unwrap();
    assert_eq!(f.attempts, 4);
    assert_eq!(f.chart.series.last_day(), Some(d(2024, 1, 5)));
    assert_eq!(
        f.chart.series.close().last(),
        Some(&1318.0),
        "never the cut 1318."
    );

    // A cut body every time: a failure, not a shorter history.
    let server = MockServer::start().await;
    mount_always(&server, FRED_PATH, ok(cut)).await;
    let source = FredSource::new(&config(&server)).unwrap();
    let err = source
        .fetch(&meta("KRW=X"), d(2024, 1, 2), d(2024, 1, 5))
        .await
        .unwrap_err();
    assert_eq!(err.root().malformed_truncated(), Some(true), "{err:?}");
}

#[tokio::test]
async fn fred_cross_fails_when_one_leg_fails() {
    let server = MockServer::start().await;
    mount_fred(&server, "DEXKOUS", DEXKOUS).await;
    mount_fred(&server, "DEXUSEU", CHALLENGE).await;
    let source = FredSource::new(&config(&server)).unwrap();
    let err = source
        .fetch(&meta("EURKRW=X"), d(2024, 1, 2), d(2024, 1, 5))
        .await
        .unwrap_err();
    assert!(matches!(err.root(), SourceError::NotData { .. }), "{err:?}");
}

#[tokio::test]
async fn fred_newest_days_not_yet_published_are_an_empty_series() {
    let server = MockServer::start().await;
    mount_fred(&server, "DEXKOUS", DEXKOUS).await;
    let source = FredSource::new(&config(&server)).unwrap();
    let f = source
        .fetch(&meta("KRW=X"), d(2024, 1, 8), d(2024, 1, 10))
        .await
        .unwrap();
    assert!(f.chart.series.is_empty());
    assert_eq!(f.attempts, 1);
    // A header without rows, too.
    let server = MockServer::start().await;
    mount_fred(&server, "DEXKOUS", "observation_date,DEXKOUS\n").await;
    let source = FredSource::new(&config(&server)).unwrap();
    let f = source
        .fetch(&meta("KRW=X"), d(2024, 1, 8), d(2024, 1, 10))
        .await
        .unwrap();
    assert!(f.chart.series.is_empty());
}

#[tokio::test]
async fn stalled_server_fails_each_attempt_at_the_read_timeout() {
    let server = MockServer::start().await;
    for p in [FRED_PATH, ECB_PATH] {
        mount_always(&server, p, ok(DEXKOUS).set_delay(Duration::from_secs(30))).await;
    }
    let mut config = config(&server);
    config.request_timeout = Duration::from_secs(30);
    config.read_timeout = Duration::from_millis(300);
    config.retry.max_attempts = 2;
    let fred = FredSource::new(&config).unwrap();
    let ecb = EcbSource::new(&config).unwrap();
    for source in [&fred as &dyn Source, &ecb] {
        let started = Instant::now();
        let err = source
            .fetch(&meta("KRW=X"), d(2024, 1, 2), d(2024, 1, 5))
            .await
            .unwrap_err();
        assert!(
            matches!(err, SourceError::RetriesExhausted { attempts: 2, .. }),
            "{err:?}"
        );
        assert_eq!(err.root(), &SourceError::Timeout);
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "took {:?}",
            started.elapsed()
        );
    }
    // And the per-ticker deadline bounds the whole fetch, whatever the retries allow.
    config.retry.max_attempts = 50;
    config.ticker_deadline = Duration::from_secs(1);
    let fred = FredSource::new(&config).unwrap();
    let started = Instant::now();
    let err = fred
        .fetch(&meta("KRW=X"), d(2024, 1, 2), d(2024, 1, 5))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        SourceError::DeadlineExceeded {
            after: Duration::from_secs(1)
        }
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn routes_build_both_sources_and_offer_them_for_exchange_rates_only() {
    let server = MockServer::start().await;
    let config = config(&server);
    assert_eq!(build(SourceId::Ecb, &config).unwrap().id(), SourceId::Ecb);
    assert_eq!(build(SourceId::Fred, &config).unwrap().id(), SourceId::Fred);
    let sources: Vec<Arc<dyn Source>> = vec![
        Arc::new(EcbSource::new(&config).unwrap()),
        Arc::new(FredSource::new(&config).unwrap()),
    ];
    let set = SourceSet::with_sources(sources, Routes::default(), 3);
    let ids = |m: &TickerMeta| set.order_for(m).iter().map(|s| s.id()).collect::<Vec<_>>();
    assert_eq!(ids(&meta("KRW=X")), vec![SourceId::Ecb, SourceId::Fred]);
    assert_eq!(ids(&meta("EURPLN=X")), vec![SourceId::Ecb]);
    assert_eq!(ids(&meta("LKR=X")), vec![SourceId::Fred]);
    assert!(ids(&meta("VND=X")).is_empty());
    let samsung = TickerMeta::new(
        Ticker::parse(Category::KoreanStock, "005930").unwrap(),
        "삼성전자",
    );
    assert!(ids(&samsung).is_empty());
}

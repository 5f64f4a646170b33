//! The Naver source against a local mock server answering in Naver's real formats
//! (siseJson's single-quoted JavaScript array, fchart's EUC-KR XML), with faults: a 500,
//! an HTML challenge page with status 200, a cut body, a stall, an unknown symbol.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{d, fast_config, hits, mount_always, mount_first, ok};
use wickview::model::{Category, Ticker, TickerMeta};
use wickview::source::naver::{FCHART_URL, NaverSource, SISE_JSON_URL};
use wickview::source::{Routes, Source, SourceConfig, SourceError, SourceId, SourceSet, route};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SISE: &str = "/siseJson.naver";
const FCHART: &str = "/sise.nhn";

/// Fast retries, Naver under the mock server's base URL (as `--source-url naver=URL`).
fn config(server: &MockServer) -> SourceConfig {
    let mut config = fast_config(&server.uri());
    config
        .apply_source_url(&format!("naver={}/", server.uri()))
        .unwrap();
    config
}

fn meta(category: Category, symbol: &str) -> TickerMeta {
    TickerMeta::new(Ticker::parse(category, symbol).unwrap(), "")
}

/// A siseJson answer exactly as Naver writes it: a newline and a space before the array,
/// the single-quoted header, one double-quoted row per day separated by `,\n\t\t\n`, a
/// blank line before the closing bracket.
fn sise_body(rows: &[(&str, [f64; 5], f64)]) -> String {
    let mut text =
        String::from("\n [['날짜', '시가', '고가', '저가', '종가', '거래량', '외국인소진율']");
    for (day, [o, h, l, c, v], ratio) in rows {
        text.push_str(&format!(
            ",\n\t\t\n[\"{day}\", {o}, {h}, {l}, {c}, {v}, {ratio}]"
        ));
    }
    text.push_str("\n\t\t\n]\n");
    text
}

/// An fchart answer as Naver sends it: EUC-KR bytes, the name in Korean.
fn fchart_body(symbol: &str, name: &str, items: &[&str]) -> Vec<u8> {
    let mut xml = format!(
        "<?xml version=\"1.0\" encoding=\"EUC-KR\" ?>\n\n<protocol>\n\n\n\n\t\n\t\n\t\t\t<chartdata symbol=\"{symbol}\" name=\"{name}\" count=\"{}\" timeframe=\"day\" precision=\"0\" origintime=\"19900103\">\n",
        items.len()
    );
    for item in items {
        xml.push_str(&format!("\t\t\t\n\t\t\t\t<item data=\"{item}\" />\n"));
    }
    xml.push_str("\t\t\t\n\t\n\n\n\t</chartdata>\n</protocol>\n");
    let (bytes, _, unmappable) = encoding_rs::EUC_KR.encode(&xml);
    assert!(!unmappable);
    bytes.into_owned()
}

fn xml_response(body: Vec<u8>) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body, "text/xml;charset=EUC-KR")
}

const SAMSUNG: [(&str, [f64; 5], f64); 4] = [
    (
        "20240102",
        [78200.0, 79800.0, 78200.0, 79600.0, 17142847.0],
        54.05,
    ),
    (
        "20240103",
        [78500.0, 78800.0, 77000.0, 77000.0, 21753644.0],
        54.04,
    ),
    (
        "20240104",
        [76100.0, 77300.0, 76100.0, 76600.0, 15324439.0],
        54.01,
    ),
    (
        "20240105",
        [76700.0, 77100.0, 76400.0, 76600.0, 11304316.0],
        53.96,
    ),
];

const SAMSUNG_XML: [&str; 6] = [
    "20231227|76700|78000|76500|78000|20651042",
    "20231228|77700|78500|77500|78500|17797536",
    "20240102|78200|79800|78200|79600|17142847",
    "20240103|78500|78800|77000|77000|21753644",
    "20240104|76100|77300|76100|76600|15324439",
    "20240105|76700|77100|76400|76600|11304316",
];

async fn serve_sise(server: &MockServer, symbol: &str, response: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path(SISE))
        .and(query_param("symbol", symbol))
        .and(query_param("requestType", "1"))
        .and(query_param("timeframe", "day"))
        .respond_with(response)
        .mount(server)
        .await;
}

async fn serve_fchart(server: &MockServer, symbol: &str, response: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path(FCHART))
        .and(query_param("symbol", symbol))
        .and(query_param("timeframe", "day"))
        .and(query_param("requestType", "0"))
        .respond_with(response)
        .mount(server)
        .await;
}

/// The `count` each fchart request asked for.
async fn fchart_counts(server: &MockServer) -> Vec<i64> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == FCHART)
        .filter_map(|r| {
            r.url
                .query_pairs()
                .find(|(k, _)| k == "count")
                .and_then(|(_, v)| v.parse().ok())
        })
        .collect()
}

#[tokio::test]
async fn sise_json_serves_the_window_with_the_foreign_ratio() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(SISE))
        .and(query_param("symbol", "005930"))
        .and(query_param("requestType", "1"))
        .and(query_param("startTime", "20240103"))
        .and(query_param("endTime", "20240105"))
        .and(query_param("timeframe", "day"))
        .respond_with(ok(sise_body(&SAMSUNG[1..])))
        .mount(&server)
        .await;
    let source = NaverSource::new(&config(&server)).unwrap();
    assert_eq!(source.id(), SourceId::Naver);
    let samsung = meta(Category::KoreanStock, "005930.KS");
    assert_eq!(source.symbol(&samsung).as_deref(), Some("005930"));
    let f = source
        .fetch(&samsung, d(2024, 1, 3), d(2024, 1, 5))
        .await
        .unwrap();
    assert_eq!(f.symbol, "005930");
    assert_eq!(f.attempts, 1);
    let s = &f.chart.series;
    assert_eq!(s.days(), &[d(2024, 1, 3), d(2024, 1, 4), d(2024, 1, 5)]);
    assert_eq!(s.open(), &[78500.0, 76100.0, 76700.0]);
    assert_eq!(s.high(), &[78800.0, 77300.0, 77100.0]);
    assert_eq!(s.low(), &[77000.0, 76100.0, 76400.0]);
    assert_eq!(s.close(), &[77000.0, 76600.0, 76600.0]);
    assert_eq!(s.volume(), &[21_753_644.0, 15_324_439.0, 11_304_316.0]);
    assert_eq!(
        f.foreign_ratio,
        vec![
            (d(2024, 1, 3), 54.04),
            (d(2024, 1, 4), 54.01),
            (d(2024, 1, 5), 53.96)
        ]
    );
    assert_eq!(f.chart.symbol.as_deref(), Some("005930"));
    assert_eq!(f.chart.time_zone, "Asia/Seoul");
    assert_eq!(f.chart.currency.as_deref(), Some("KRW"));
    assert_eq!(f.chart.name, None);
    assert_eq!(f.chart.skipped_nulls, 0);
    assert!(f.chart.issues.is_empty());
    assert_eq!(hits(&server, FCHART).await, 0, "no fallback needed");
}

#[tokio::test]
async fn a_server_error_is_retried() {
    let server = MockServer::start().await;
    mount_first(
        &server,
        SISE,
        [ResponseTemplate::new(500).set_body_string("Internal Server Error")],
    )
    .await;
    serve_sise(&server, "005930", ok(sise_body(&SAMSUNG))).await;
    let source = NaverSource::new(&config(&server)).unwrap();
    let f = source
        .fetch(
            &meta(Category::KoreanStock, "005930"),
            d(2024, 1, 2),
            d(2024, 1, 5),
        )
        .await
        .unwrap();
    assert_eq!(f.attempts, 2);
    assert_eq!(f.chart.series.len(), 4);
    assert_eq!(f.foreign_ratio.len(), 4);
    assert_eq!(hits(&server, SISE).await, 2);
    assert_eq!(hits(&server, FCHART).await, 0);
}

#[tokio::test]
async fn an_html_challenge_page_falls_back_to_fchart_and_fails_clearly_when_both_send_one() {
    const CHALLENGE: &str = "<!DOCTYPE html><html><head><title>네이버</title></head><body>\
        <p>비정상적인 접근이 감지되었습니다.</p><script>challenge()</script></body></html>";
    let server = MockServer::start().await;
    serve_sise(&server, "005930", ok(CHALLENGE)).await;
    serve_fchart(
        &server,
        "005930",
        xml_response(fchart_body("005930", "삼성전자", &SAMSUNG_XML)),
    )
    .await;
    let source = NaverSource::new(&config(&server)).unwrap();
    let f = source
        .fetch(
            &meta(Category::KoreanStock, "005930"),
            d(2024, 1, 2),
            d(2024, 1, 4),
        )
        .await
        .unwrap();
    // fchart's latest bars, cut to the window; the page was retried, never taken as bars.
    assert_eq!(
        f.chart.series.days(),
        &[d(2024, 1, 2), d(2024, 1, 3), d(2024, 1, 4)]
    );
    assert_eq!(f.chart.series.close(), &[79600.0, 77000.0, 76600.0]);
    assert_eq!(f.chart.series.volume()[0], 17_142_847.0);
    assert_eq!(f.chart.symbol.as_deref(), Some("005930"));
    assert!(f.foreign_ratio.is_empty(), "fchart has no ratio");
    assert_eq!(hits(&server, SISE).await, 3, "every attempt of the primary");
    let counts = fchart_counts(&server).await;
    assert_eq!(counts.len(), 1);
    assert!(
        counts[0] >= 3,
        "asked back to the window's first day: {counts:?}"
    );

    // Both endpoints behind the challenge: a failure that says so, never an empty series.
    let server = MockServer::start().await;
    for p in [SISE, FCHART] {
        mount_always(&server, p, ok(CHALLENGE)).await;
    }
    let source = NaverSource::new(&config(&server)).unwrap();
    let err = source
        .fetch(
            &meta(Category::KoreanStock, "005930"),
            d(2024, 1, 2),
            d(2024, 1, 4),
        )
        .await
        .unwrap_err();
    assert!(matches!(err.root(), SourceError::NotData { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains("gave up after 3 attempts") && message.contains("an HTML page"),
        "{message}"
    );
    assert_eq!(hits(&server, SISE).await, 3);
    assert_eq!(hits(&server, FCHART).await, 3);
}

#[tokio::test]
async fn a_cut_body_is_retried_then_falls_back() {
    let full = sise_body(&SAMSUNG);
    let cut = full[..full.len() / 2].to_owned();
    // Cut once, then whole: the retry gets the bars.
    let server = MockServer::start().await;
    mount_first(&server, SISE, [ok(cut.clone())]).await;
    serve_sise(&server, "005930", ok(full)).await;
    let source = NaverSource::new(&config(&server)).unwrap();
    let samsung = meta(Category::KoreanStock, "005930");
    let f = source
        .fetch(&samsung, d(2024, 1, 2), d(2024, 1, 5))
        .await
        .unwrap();
    assert_eq!(f.attempts, 2);
    assert_eq!(f.chart.series.len(), 4);

    // Always cut, and the fallback's XML cut too: a failure (cut short), not a short series.
    let server = MockServer::start().await;
    serve_sise(&server, "005930", ok(cut)).await;
    let xml = fchart_body("005930", "삼성전자", &SAMSUNG_XML);
    serve_fchart(
        &server,
        "005930",
        xml_response(xml[..xml.len() - 40].to_vec()),
    )
    .await;
    let source = NaverSource::new(&config(&server)).unwrap();
    let err = source
        .fetch(&samsung, d(2024, 1, 2), d(2024, 1, 5))
        .await
        .unwrap_err();
    assert_eq!(err.root().malformed_truncated(), Some(true), "{err:?}");
    assert!(err.to_string().contains("cut short"), "{err}");
    assert_eq!(hits(&server, SISE).await, 3);
    assert_eq!(hits(&server, FCHART).await, 3);
}

#[tokio::test]
async fn a_stalled_primary_falls_back_and_a_stall_everywhere_meets_the_deadline() {
    let slow = |body: String| {
        ResponseTemplate::new(200)
            .set_body_string(body)
            .set_delay(Duration::from_secs(30))
    };
    let server = MockServer::start().await;
    serve_sise(&server, "005930", slow(sise_body(&SAMSUNG))).await;
    serve_fchart(
        &server,
        "005930",
        xml_response(fchart_body("005930", "삼성전자", &SAMSUNG_XML)),
    )
    .await;
    let mut cfg = config(&server);
    cfg.read_timeout = Duration::from_millis(200);
    cfg.ticker_deadline = Duration::from_secs(10);
    let source = NaverSource::new(&cfg).unwrap();
    let samsung = meta(Category::KoreanStock, "005930");
    let started = Instant::now();
    let f = source
        .fetch(&samsung, d(2024, 1, 2), d(2024, 1, 5))
        .await
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(f.chart.series.len(), 4, "from fchart");
    assert_eq!(hits(&server, SISE).await, 3, "each attempt timed out");

    let server = MockServer::start().await;
    serve_sise(&server, "005930", slow(sise_body(&SAMSUNG))).await;
    mount_always(
        &server,
        FCHART,
        xml_response(fchart_body("005930", "삼성전자", &SAMSUNG_XML))
            .set_delay(Duration::from_secs(30)),
    )
    .await;
    let mut cfg = config(&server);
    cfg.read_timeout = Duration::from_millis(300);
    cfg.ticker_deadline = Duration::from_secs(1);
    cfg.retry.max_attempts = 20;
    let source = NaverSource::new(&cfg).unwrap();
    let started = Instant::now();
    let err = source
        .fetch(&samsung, d(2024, 1, 2), d(2024, 1, 5))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        SourceError::DeadlineExceeded {
            after: Duration::from_secs(1)
        }
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(hits(&server, SISE).await >= 2);
}

#[tokio::test]
async fn an_unknown_symbol_is_told_from_an_empty_window() {
    let header_only = sise_body(&[]);
    let server = MockServer::start().await;
    serve_sise(&server, "999990", ok(header_only.clone())).await;
    // Naver's answer for a symbol it does not know: a protocol without chart data.
    serve_fchart(
        &server,
        "999990",
        xml_response(b"<?xml version=\"1.0\" encoding=\"EUC-KR\" ?>\n\n<protocol />\n".to_vec()),
    )
    .await;
    serve_sise(&server, "005930", ok(header_only)).await;
    Mock::given(method("GET"))
        .and(path(FCHART))
        .and(query_param("symbol", "005930"))
        .and(query_param("count", "1"))
        .respond_with(xml_response(fchart_body(
            "005930",
            "삼성전자",
            &SAMSUNG_XML[5..],
        )))
        .mount(&server)
        .await;
    let source = NaverSource::new(&config(&server)).unwrap();

    let err = source
        .fetch(
            &meta(Category::KoreanStock, "999990"),
            d(2024, 1, 1),
            d(2024, 1, 5),
        )
        .await
        .unwrap_err();
    match &err {
        SourceError::UnknownSymbol { symbol, detail } => {
            assert_eq!(symbol, "999990");
            assert!(detail.contains("no bars"), "{detail}");
        }
        other => panic!("expected an unknown symbol, got {other:?}"),
    }
    assert!(!err.is_transient());

    // A known symbol over a holiday: an empty window, not an error.
    let f = source
        .fetch(
            &meta(Category::KoreanStock, "005930"),
            d(2024, 2, 9),
            d(2024, 2, 12),
        )
        .await
        .unwrap();
    assert!(f.chart.series.is_empty());
    assert!(f.foreign_ratio.is_empty());
    assert_eq!(
        fchart_counts(&server).await,
        vec![1, 1],
        "one bar confirms each"
    );
}

#[tokio::test]
async fn indices_map_to_naver_symbols_without_a_foreign_ratio() {
    let server = MockServer::start().await;
    let body = "\n [['날짜', '시가', '고가', '저가', '종가', '거래량', '외국인소진율'],\n\t\t\n\
        [\"20240102\", 2645.47, 2676.49, 2645.47, 2669.81, 415383, 0.0],\n\t\t\n\
        [\"20240103\", 2661.05, 2661.05, 2600.79, 2607.31, 491012, 0.0]\n\t\t\n]\n";
    serve_sise(&server, "KOSPI", ok(body)).await;
    let source = NaverSource::new(&config(&server)).unwrap();
    let kospi = meta(Category::Index, "^KS11");
    assert_eq!(source.symbol(&kospi).as_deref(), Some("KOSPI"));
    assert_eq!(
        source.symbol(&meta(Category::Index, "^KQ11")).as_deref(),
        Some("KOSDAQ")
    );
    assert_eq!(
        source.symbol(&meta(Category::Index, "^KS200")).as_deref(),
        Some("KPI200")
    );
    let f = source
        .fetch(&kospi, d(2024, 1, 2), d(2024, 1, 3))
        .await
        .unwrap();
    assert_eq!(f.symbol, "KOSPI");
    assert_eq!(f.chart.series.close(), &[2669.81, 2607.31]);
    assert_eq!(f.chart.series.low(), &[2645.47, 2600.79]);
    assert_eq!(f.chart.series.volume(), &[415_383.0, 491_012.0]);
    assert!(f.foreign_ratio.is_empty(), "an index has no foreign ratio");

    // Tickers Naver does not cover: no symbol, and a fetch says why without a request.
    for (category, symbol) in [
        (Category::Index, "^GSPC"),
        (Category::UsStock, "AAPL"),
        (Category::Currency, "KRW=X"),
    ] {
        let m = meta(category, symbol);
        assert_eq!(source.symbol(&m), None, "{symbol}");
        let err = source
            .fetch(&m, d(2024, 1, 2), d(2024, 1, 3))
            .await
            .unwrap_err();
        assert!(
            matches!(err, SourceError::UnknownSymbol { .. }),
            "{symbol}: {err:?}"
        );
    }
    assert_eq!(hits(&server, SISE).await, 1);
}

#[tokio::test]
async fn codes_with_letters_and_the_route_reach_naver() {
    let server = MockServer::start().await;
    let rows = [(
        "20251119",
        [200000.0, 210000.0, 195000.0, 205000.0, 1234567.0],
        3.2,
    )];
    serve_sise(&server, "0126Z0", ok(sise_body(&rows))).await;
    let cfg = config(&server);
    // The route builds the Naver source (with the mock's URLs) for Korean stocks.
    let naver: Arc<dyn Source> = route::build(SourceId::Naver, &cfg).unwrap();
    let set = SourceSet::with_sources(vec![naver], Routes::default(), 3);
    let code = meta(Category::KoreanStock, "0126z0");
    let order = set.order_for(&code);
    assert_eq!(order.len(), 1);
    let f = order[0]
        .fetch(&code, d(2025, 11, 19), d(2025, 11, 19))
        .await
        .unwrap();
    assert_eq!(f.symbol, "0126Z0");
    assert_eq!(f.chart.series.close(), &[205000.0]);
    assert_eq!(f.foreign_ratio, vec![(d(2025, 11, 19), 3.2)]);
    assert!(set.order_for(&meta(Category::UsStock, "AAPL")).is_empty());

    // Without an override, the public endpoints.
    let public = NaverSource::new(&SourceConfig::default()).unwrap();
    assert_eq!(public.endpoints(), (SISE_JSON_URL, FCHART_URL));
    let mocked = NaverSource::new(&cfg).unwrap();
    let (sise, fchart) = mocked.endpoints();
    assert_eq!(sise, format!("{}/siseJson.naver", server.uri()));
    assert_eq!(fchart, format!("{}/sise.nhn", server.uri()));
}

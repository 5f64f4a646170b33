//! The Yahoo source against a local mock server: handshake, parsing, faults, retries.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use std::time::{Duration, Instant};

use common::*;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use wickview::model::{BarIssue, Category, Ticker};
use wickview::source::{SourceError, YahooSource};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn serve(server: &MockServer, symbol: &str, status: u16, body: String) {
    Mock::given(method("GET"))
        .and(path(chart_path(symbol)))
        .and(query_param("crumb", CRUMB))
        .and(query_param("interval", "1d"))
        .respond_with(ResponseTemplate::new(status).set_body_string(body))
        .mount(server)
        .await;
}

async fn setup() -> (MockServer, YahooSource) {
    let server = MockServer::start().await;
    mount_handshake(&server).await;
    let source = YahooSource::new(fast_config(&server.uri())).unwrap();
    (server, source)
}

#[tokio::test]
async fn multi_year_response_round_trips_and_handshake_runs_once() {
    let (server, source) = setup().await;
    let aapl = read_sample("AAPL.csv");
    let msft = read_sample("MSFT.csv");
    serve(
        &server,
        "AAPL",
        200,
        chart_json("AAPL", "America/New_York", (9, 30), &aapl),
    )
    .await;
    serve(
        &server,
        "MSFT",
        200,
        chart_json("MSFT", "America/New_York", (9, 30), &msft),
    )
    .await;

    let from = d(1990, 1, 1);
    let to = d(2013, 3, 1);
    let a = source.fetch_symbol("AAPL", from, to).await.unwrap();
    let m = source.fetch_symbol("MSFT", from, to).await.unwrap();
    assert_eq!(a.chart.series, aapl, "every bar, exactly");
    assert_eq!(m.chart.series, msft);
    assert_eq!(a.chart.series.len(), 3270);
    assert_eq!(a.chart.skipped_nulls, 0);
    assert!(a.chart.issues.is_empty());
    assert_eq!(a.attempts, 1);
    assert_eq!(hits(&server, "/fc").await, 1, "one handshake per client");
    assert_eq!(hits(&server, "/v1/test/getcrumb").await, 1);

    // The requested range is honoured: bars before `from` are not returned.
    let tail = source
        .fetch_symbol("AAPL", d(2013, 2, 25), to)
        .await
        .unwrap();
    assert_eq!(tail.chart.series.first_day(), Some(d(2013, 2, 25)));
    assert_eq!(tail.chart.series.len(), 5);
}

#[tokio::test]
async fn nulls_inside_arrays_are_skipped_and_counted() {
    let (server, source) = setup().await;
    serve(&server, "AAPL", 200, yahoo_fixture("aapl_nulls.json")).await;
    let f = source
        .fetch_symbol("AAPL", d(2024, 3, 1), d(2024, 3, 8))
        .await
        .unwrap();
    assert_eq!(f.chart.skipped_nulls, 1);
    assert_eq!(
        f.chart.series.days(),
        &[d(2024, 3, 4), d(2024, 3, 5), d(2024, 3, 7), d(2024, 3, 8)]
    );
    assert_eq!(f.chart.series.close()[2], 169.0);
}

#[tokio::test]
async fn dividends_and_splits_join_their_days() {
    let (server, source) = setup().await;
    serve(&server, "AAPL", 200, yahoo_fixture("aapl_div_split.json")).await;
    let f = source
        .fetch_symbol("AAPL", d(2020, 8, 1), d(2020, 9, 1))
        .await
        .unwrap();
    let s = &f.chart.series;
    assert_eq!(s.len(), 5);
    let i = s.index_of(d(2020, 8, 7)).unwrap();
    assert_eq!(s.dividends()[i], 0.205);
    let j = s.index_of(d(2020, 8, 31)).unwrap();
    assert_eq!(s.stock_splits()[j], 4.0);
    let events: f64 = s.dividends().iter().chain(s.stock_splits()).sum();
    assert_eq!(events, 4.205, "no event lands on another day");
}

#[tokio::test]
async fn todays_bar_sent_twice_keeps_the_last() {
    let (server, source) = setup().await;
    serve(&server, "MSFT", 200, yahoo_fixture("msft_today_twice.json")).await;
    let f = source
        .fetch_symbol("MSFT", d(2024, 6, 10), d(2024, 6, 12))
        .await
        .unwrap();
    let s = &f.chart.series;
    assert_eq!(s.days(), &[d(2024, 6, 10), d(2024, 6, 11), d(2024, 6, 12)]);
    assert_eq!(s.close()[2], 441.579_986_572_265_6, "the later stamp wins");
    assert_eq!(s.volume()[2], 22_410_000.0);
    assert_eq!(
        f.chart.issues,
        vec![BarIssue::Duplicate {
            date: d(2024, 6, 12)
        }]
    );
}

#[tokio::test]
async fn unknown_ticker_is_a_clear_error_without_retries() {
    let (server, source) = setup().await;
    serve(&server, "NOPE", 404, yahoo_fixture("unknown.json")).await;
    let err = source
        .fetch_symbol("NOPE", d(2024, 1, 1), d(2024, 2, 1))
        .await
        .unwrap_err();
    match &err {
        SourceError::UnknownSymbol { symbol, detail } => {
            assert_eq!(symbol, "NOPE");
            assert!(detail.contains("No data found"), "{detail}");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("unknown symbol NOPE"));
    assert_eq!(hits(&server, &chart_path("NOPE")).await, 1, "not retried");
}

#[tokio::test]
async fn korean_code_known_only_as_kosdaq_resolves_to_kq() {
    let (server, source) = setup().await;
    serve(&server, "247540.KS", 404, yahoo_fixture("unknown.json")).await;
    serve(&server, "247540.KQ", 200, yahoo_fixture("247540_kq.json")).await;
    let ticker = Ticker::parse(Category::KoreanStock, "247540").unwrap();
    let f = source
        .fetch_ticker(&ticker, None, d(2024, 1, 1), d(2024, 1, 4))
        .await
        .unwrap();
    assert_eq!(f.symbol, "247540.KQ");
    assert_eq!(
        f.chart.series.days(),
        &[d(2024, 1, 2), d(2024, 1, 3), d(2024, 1, 4)]
    );
    assert_eq!(f.chart.series.close(), &[296_500.0, 279_000.0, 275_500.0]);
    assert_eq!(f.chart.time_zone, "Asia/Seoul");
    assert_eq!(hits(&server, &chart_path("247540.KS")).await, 1);

    // With the resolved symbol known, .KS is not asked again.
    let again = source
        .fetch_ticker(&ticker, Some("247540.KQ"), d(2024, 1, 1), d(2024, 1, 4))
        .await
        .unwrap();
    assert_eq!(again.symbol, "247540.KQ");
    assert_eq!(hits(&server, &chart_path("247540.KS")).await, 1);

    // A code unknown under both suffixes names both.
    serve(&server, "999999.KS", 404, yahoo_fixture("unknown.json")).await;
    serve(&server, "999999.KQ", 404, yahoo_fixture("unknown.json")).await;
    let none = Ticker::parse(Category::KoreanStock, "999999").unwrap();
    let err = source
        .fetch_ticker(&none, None, d(2024, 1, 1), d(2024, 1, 4))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, SourceError::UnknownSymbol { symbol, .. } if symbol == "999999.KS, 999999.KQ"),
        "{err:?}"
    );
}

#[tokio::test]
async fn rate_limit_with_retry_after_is_honoured_then_succeeds() {
    let (server, source) = setup().await;
    Mock::given(method("GET"))
        .and(path(chart_path("AAPL")))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "1")
                .set_body_string("Too Many Requests"),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    serve(&server, "AAPL", 200, yahoo_fixture("aapl_nulls.json")).await;
    let started = Instant::now();
    let f = source
        .fetch_symbol("AAPL", d(2024, 3, 1), d(2024, 3, 8))
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited for Retry-After"
    );
    assert_eq!(f.attempts, 2);
    assert_eq!(f.chart.series.len(), 4);
}

#[tokio::test]
async fn server_errors_until_retries_run_out() {
    let (server, source) = setup().await;
    Mock::given(method("GET"))
        .and(path(chart_path("AAPL")))
        .respond_with(ResponseTemplate::new(503).set_body_string("Service Unavailable"))
        .mount(&server)
        .await;
    let err = source
        .fetch_symbol("AAPL", d(2024, 3, 1), d(2024, 3, 8))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        SourceError::RetriesExhausted {
            attempts: 3,
            last: Box::new(SourceError::Server { status: 503 })
        }
    );
    assert_eq!(hits(&server, &chart_path("AAPL")).await, 3);
}

#[tokio::test]
async fn json_cut_in_the_middle_is_retried_then_reported() {
    let (server, source) = setup().await;
    let full = yahoo_fixture("aapl_nulls.json");
    serve(&server, "AAPL", 200, full[..full.len() / 2].to_owned()).await;
    let err = source
        .fetch_symbol("AAPL", d(2024, 3, 1), d(2024, 3, 8))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err.root(),
            SourceError::Malformed {
                truncated: true,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(matches!(
        err,
        SourceError::RetriesExhausted { attempts: 3, .. }
    ));

    // Not JSON at all (an HTML challenge page with 200) is a failure, retried like other
    // transient ones (Yahoo's non-JSON answers come in waves), never a chart without bars.
    serve(
        &server,
        "IBM",
        200,
        "<html><body>Oops</body></html>".to_owned(),
    )
    .await;
    let err = source
        .fetch_symbol("IBM", d(2024, 3, 1), d(2024, 3, 8))
        .await
        .unwrap_err();
    assert!(
        matches!(err.root(), SourceError::NotData { what } if what.contains("HTML page")),
        "{err:?}"
    );
    assert!(matches!(
        err,
        SourceError::RetriesExhausted { attempts: 3, .. }
    ));
    assert_eq!(hits(&server, &chart_path("IBM")).await, 3);

    // A JSON document that is no chart is not retried.
    serve(&server, "MSFT", 200, r#"{"quoteResponse":{}}"#.to_owned()).await;
    let err = source
        .fetch_symbol("MSFT", d(2024, 3, 1), d(2024, 3, 8))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            SourceError::Malformed {
                truncated: false,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(hits(&server, &chart_path("MSFT")).await, 1);
}

#[tokio::test]
async fn slow_server_past_the_timeout_fails_after_retries() {
    let server = MockServer::start().await;
    mount_handshake(&server).await;
    Mock::given(method("GET"))
        .and(path(chart_path("AAPL")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(yahoo_fixture("aapl_nulls.json"))
                .set_delay(Duration::from_secs(3)),
        )
        .mount(&server)
        .await;
    let mut config = fast_config(&server.uri());
    config.request_timeout = Duration::from_millis(200);
    config.retry.max_attempts = 2;
    let source = YahooSource::new(config).unwrap();
    let started = Instant::now();
    let err = source
        .fetch_symbol("AAPL", d(2024, 3, 1), d(2024, 3, 8))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        SourceError::RetriesExhausted {
            attempts: 2,
            last: Box::new(SourceError::Timeout)
        }
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "did not wait for the slow body"
    );
}

#[tokio::test]
async fn rejected_crumb_is_refreshed_once() {
    let (server, source) = setup().await;
    Mock::given(method("GET"))
        .and(path(chart_path("AAPL")))
        .respond_with(
            ResponseTemplate::new(401).set_body_string(
                r#"{"finance":{"result":null,"error":{"code":"Unauthorized","description":"Invalid Crumb"}}}"#,
            ),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    serve(&server, "AAPL", 200, yahoo_fixture("aapl_nulls.json")).await;
    let f = source
        .fetch_symbol("AAPL", d(2024, 3, 1), d(2024, 3, 8))
        .await
        .unwrap();
    assert_eq!(f.chart.series.len(), 4);
    assert_eq!(hits(&server, "/v1/test/getcrumb").await, 2, "one refresh");

    // A crumb that keeps being rejected is a clear, non-transient failure.
    Mock::given(method("GET"))
        .and(path(chart_path("MSFT")))
        .respond_with(ResponseTemplate::new(401).set_body_string("Invalid Crumb"))
        .mount(&server)
        .await;
    let err = source
        .fetch_symbol("MSFT", d(2024, 3, 1), d(2024, 3, 8))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, SourceError::Unauthorized { status: 401, detail } if detail == "Invalid Crumb"),
        "{err:?}"
    );
}

/// A server that promises a long body, sends part of it and hangs up.
async fn cut_body_server() -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let n = sock.read(&mut buf).await.unwrap_or(0);
                let req = String::from_utf8_lossy(&buf[..n]).to_string();
                let body = yahoo_fixture("aapl_nulls.json");
                let resp = if req.starts_with("GET /v1/test/getcrumb") {
                    format!(
                        "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{CRUMB}",
                        CRUMB.len()
                    )
                } else if req.starts_with("GET /v8/") {
                    format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{}",
                        body.len(),
                        &body[..body.len() / 3]
                    )
                } else {
                    "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                        .to_owned()
                };
                let _ = sock.write_all(resp.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    (format!("http://{addr}"), task)
}

#[tokio::test]
async fn body_cut_at_the_transport_is_retried_then_reported() {
    let (url, task) = cut_body_server().await;
    let source = YahooSource::new(fast_config(&url)).unwrap();
    let err = source
        .fetch_symbol("AAPL", d(2024, 3, 1), d(2024, 3, 8))
        .await
        .unwrap_err();
    match &err {
        SourceError::RetriesExhausted { attempts: 3, last } => {
            assert!(matches!(**last, SourceError::Body(_)), "{last:?}");
        }
        other => panic!("unexpected {other:?}"),
    }
    task.abort();
}

#[tokio::test]
async fn connection_refused_is_retried_then_reported() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let source = YahooSource::new(fast_config(&url)).unwrap();
    let err = source
        .fetch_symbol("AAPL", d(2024, 3, 1), d(2024, 3, 8))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, SourceError::RetriesExhausted { attempts: 3, last } if matches!(**last, SourceError::Connect(_))),
        "{err:?}"
    );
}

//! A stalling source, a rate-limited crumb and secrets in error messages, against a local
//! mock server.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use std::time::{Duration, Instant};

use common::*;
use wickview::model::{Category, Ticker};
use wickview::source::{SourceError, YahooSource};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn serve_with_crumb(server: &MockServer, symbol: &str, body: String) {
    Mock::given(method("GET"))
        .and(path(chart_path(symbol)))
        .and(query_param("crumb", CRUMB))
        .respond_with(ResponseTemplate::new(200).set_body_string(body))
        .mount(server)
        .await;
}

/// A server that answers after 30 s: each attempt gives up after the read timeout, and
/// the ticker as a whole after its deadline, whatever the retry policy would still allow.
#[tokio::test]
async fn stalled_source_fails_at_the_ticker_deadline() {
    let server = MockServer::start().await;
    mount_handshake(&server).await;
    Mock::given(method("GET"))
        .and(path(chart_path("SLOW")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(yahoo_fixture("aapl_nulls.json"))
                .set_delay(Duration::from_secs(30)),
        )
        .mount(&server)
        .await;
    let mut config = fast_config(&server.uri());
    config.request_timeout = Duration::from_secs(30);
    config.read_timeout = Duration::from_millis(300);
    config.ticker_deadline = Duration::from_secs(1);
    config.retry.max_attempts = 20;
    config.retry.base_delay = Duration::from_millis(100);
    config.retry.max_delay = Duration::from_millis(200);
    let source = YahooSource::new(config).unwrap();
    let ticker = Ticker::parse(Category::UsStock, "SLOW").unwrap();
    let started = Instant::now();
    let err = source
        .fetch_ticker(&ticker, None, d(2024, 3, 1), d(2024, 3, 8))
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    assert_eq!(
        err,
        SourceError::DeadlineExceeded {
            after: Duration::from_secs(1)
        }
    );
    assert_eq!(
        err.to_string(),
        "timed out after 1 s (the per-ticker deadline)"
    );
    assert!(elapsed < Duration::from_secs(10), "took {elapsed:?}");
    // Several attempts fit in the deadline: each one gave up after the read timeout.
    assert!(hits(&server, &chart_path("SLOW")).await >= 2);
}

/// The crumb endpoint answering "Too Many Requests" (with HTTP 200, as Yahoo does) is a
/// rate limit: retried after a pause, never sent as the crumb and never followed by a
/// chart request without one.
#[tokio::test]
async fn too_many_requests_from_the_crumb_endpoint_is_a_rate_limit() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/test/getcrumb"))
        .respond_with(ResponseTemplate::new(200).set_body_string("Too Many Requests"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    mount_handshake(&server).await;
    serve_with_crumb(&server, "AAPL", yahoo_fixture("aapl_nulls.json")).await;
    Mock::given(method("GET"))
        .and(path(chart_path("AAPL")))
        .respond_with(ResponseTemplate::new(401).set_body_string("Invalid Crumb"))
        .with_priority(10)
        .mount(&server)
        .await;
    let source = YahooSource::new(fast_config(&server.uri())).unwrap();
    let fetched = source
        .fetch_symbol("AAPL", d(2024, 3, 1), d(2024, 3, 8))
        .await
        .unwrap();
    assert!(!fetched.chart.series.is_empty());
    assert_eq!(hits(&server, "/v1/test/getcrumb").await, 2);
    assert_eq!(
        hits(&server, &chart_path("AAPL")).await,
        1,
        "no chart request went out without the crumb"
    );

    // A crumb endpoint that keeps saying so: the ticker fails as rate limited.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/test/getcrumb"))
        .respond_with(ResponseTemplate::new(200).set_body_string("Too Many Requests\n"))
        .mount(&server)
        .await;
    let source = YahooSource::new(fast_config(&server.uri())).unwrap();
    let err = source
        .fetch_symbol("AAPL", d(2024, 3, 1), d(2024, 3, 8))
        .await
        .unwrap_err();
    assert!(
        matches!(err.root(), SourceError::RateLimited { .. }),
        "{err:?}"
    );
    assert_eq!(hits(&server, &chart_path("AAPL")).await, 0);
}

/// Transport errors quote the request URL; its query (with the session crumb) is cut off.
#[tokio::test]
async fn errors_never_quote_the_crumb_or_the_query() {
    let server = MockServer::start().await;
    mount_handshake(&server).await;
    // Redirects back to itself with the crumb in the query, until the client gives up.
    Mock::given(method("GET"))
        .and(path(chart_path("LOOP")))
        .respond_with(ResponseTemplate::new(302).insert_header(
            "location",
            format!("{}?period1=1&crumb={CRUMB}", chart_path("LOOP")).as_str(),
        ))
        .mount(&server)
        .await;
    let source = YahooSource::new(fast_config(&server.uri())).unwrap();
    let err = source
        .fetch_symbol("LOOP", d(2024, 3, 1), d(2024, 3, 8))
        .await
        .unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(text.contains("/v8/finance/chart/LOOP"), "{text}");
    assert!(!text.contains(CRUMB), "{text}");
    assert!(!text.contains("period1"), "{text}");

    // Nobody listening: the connect error names the endpoint without the query.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let source = YahooSource::new(fast_config(&url)).unwrap();
    let err = source
        .fetch_symbol("AAPL", d(2024, 3, 1), d(2024, 3, 8))
        .await
        .unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(!text.contains("period1") && !text.contains('?'), "{text}");
}

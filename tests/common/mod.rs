//! Shared helpers of the source and updater tests: a Yahoo-like mock server on loopback.

#![allow(dead_code, missing_docs, clippy::unwrap_used)]

mod sandbox;
#[allow(unused_imports, reason = "not every test binary runs the binary")]
pub use sandbox::*;

use std::path::PathBuf;
use std::time::Duration;

use chrono::{NaiveDate, TimeZone as _};
use serde_json::json;
use wickview::model::DailySeries;
use wickview::source::{RetryPolicy, SourceConfig};
use wiremock::matchers::{header_exists, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The crumb the mock hands out.
pub const CRUMB: &str = "Xk1bV0Ga2Ob";

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub fn sample(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("assets/sample")
        .join(name)
}

pub fn yahoo_fixture(name: &str) -> String {
    std::fs::read_to_string(fixture(&format!("yahoo/{name}"))).unwrap()
}

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// Reads a plain `date,open,high,low,close,volume` CSV into a series (test-side parser,
/// independent of the importer under test).
pub fn read_sample(name: &str) -> DailySeries {
    let text = std::fs::read_to_string(sample(name)).unwrap();
    let bars = text
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let n = |i: usize| f[i].parse::<f64>().unwrap();
            wickview::model::Bar {
                date: f[0].parse().unwrap(),
                open: n(1),
                high: n(2),
                low: n(3),
                close: n(4),
                volume: n(5),
                dividends: 0.0,
                stock_splits: 0.0,
            }
        });
    let (s, _) = DailySeries::from_bars(bars);
    s
}

/// A chart document in Yahoo's layout for `series`, stamped at the session open
/// (09:30 New York, 09:00 Seoul, ...) of `tz`.
pub fn chart_json(symbol: &str, tz: &str, open_hm: (u32, u32), series: &DailySeries) -> String {
    let zone: chrono_tz::Tz = tz.parse().unwrap();
    let stamps: Vec<i64> = series
        .days()
        .iter()
        .map(|day| {
            zone.from_local_datetime(&day.and_hms_opt(open_hm.0, open_hm.1, 0).unwrap())
                .single()
                .unwrap()
                .timestamp()
        })
        .collect();
    let last = stamps.last().copied().unwrap_or(0);
    let offset = series
        .last_day()
        .map(|day| {
            use chrono::Offset as _;
            zone.from_local_datetime(&day.and_hms_opt(12, 0, 0).unwrap())
                .single()
                .unwrap()
                .offset()
                .fix()
                .local_minus_utc()
        })
        .unwrap_or(0);
    let mut dividends = serde_json::Map::new();
    let mut splits = serde_json::Map::new();
    for (i, bar) in series.bars().enumerate() {
        if bar.dividends > 0.0 {
            dividends.insert(
                stamps[i].to_string(),
                json!({"amount": bar.dividends, "date": stamps[i]}),
            );
        }
        if bar.stock_splits > 0.0 {
            splits.insert(
                stamps[i].to_string(),
                json!({"date": stamps[i], "numerator": bar.stock_splits, "denominator": 1.0,
                       "splitRatio": format!("{}:1", bar.stock_splits)}),
            );
        }
    }
    let mut result = json!({
        "meta": {
            "currency": if tz == "Asia/Seoul" { "KRW" } else { "USD" },
            "symbol": symbol,
            "exchangeName": "NMS",
            "fullExchangeName": "NasdaqGS",
            "instrumentType": "EQUITY",
            "firstTradeDate": stamps.first().copied().unwrap_or(0),
            "regularMarketTime": last,
            "hasPrePostMarketData": true,
            "gmtoffset": offset,
            "timezone": "EST",
            "exchangeTimezoneName": tz,
            "regularMarketPrice": series.close().last().copied().unwrap_or(0.0),
            "chartPreviousClose": series.close().first().copied().unwrap_or(0.0),
            "priceHint": 2,
            "dataGranularity": "1d",
            "range": "",
            "validRanges": ["1d","5d","1mo","3mo","6mo","1y","2y","5y","10y","ytd","max"]
        },
        "indicators": {
            "quote": [{
                "open": series.open(), "high": series.high(), "low": series.low(),
                "close": series.close(), "volume": series.volume()
            }],
            "adjclose": [{"adjclose": series.close()}]
        }
    });
    if !series.is_empty() {
        result["timestamp"] = json!(stamps);
    }
    if !dividends.is_empty() || !splits.is_empty() {
        result["events"] = json!({"dividends": dividends, "splits": splits});
    }
    json!({"chart": {"result": [result], "error": null}}).to_string()
}

/// Serves the cookie + crumb handshake: `/fc` answers 404 with a cookie (like
/// fc.yahoo.com), `/v1/test/getcrumb` hands out [`CRUMB`] only to a client that
/// presents the cookie.
pub async fn mount_handshake(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/fc"))
        .respond_with(
            ResponseTemplate::new(404)
                .insert_header("set-cookie", "A3=d=AQABBtest&S=AQAAAtest; Path=/; HttpOnly"),
        )
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/test/getcrumb"))
        .and(header_exists("cookie"))
        .respond_with(ResponseTemplate::new(200).set_body_string(CRUMB))
        .mount(server)
        .await;
}

/// Fast retries and short timeouts for tests.
pub fn fast_config(base_url: &str) -> SourceConfig {
    SourceConfig {
        request_timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(2),
        retry: RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(2),
            max_delay: Duration::from_millis(10),
            max_retry_after: Duration::from_secs(2),
        },
        // Yahoo alone: a test of the Yahoo client never falls back to a public source.
        routes: wickview::source::Routes::only(wickview::source::SourceId::Yahoo),
        ..SourceConfig::with_base_url(base_url)
    }
}

/// The chart endpoint path of `symbol` as the client sends it.
pub fn chart_path(symbol: &str) -> String {
    let encoded: String = symbol
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("/v8/finance/chart/{encoded}")
}

/// Requests the mock received on `p`.
pub async fn hits(server: &MockServer, p: &str) -> usize {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == p)
        .count()
}

/// A 200 answer with `body`.
pub fn ok(body: impl Into<String>) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_string(body.into())
}

/// Answers every GET to `p` with `response`.
pub async fn mount_always(server: &MockServer, p: &str, response: ResponseTemplate) {
    Mock::given(method("GET"))
        .and(path(p))
        .respond_with(response)
        .mount(server)
        .await;
}

/// Answers the first GETs to `p` with `responses`, one each in turn, ahead of any other
/// mock of `p`.
pub async fn mount_first(
    server: &MockServer,
    p: &str,
    responses: impl IntoIterator<Item = ResponseTemplate>,
) {
    for (priority, response) in (1u8..).zip(responses) {
        Mock::given(method("GET"))
            .and(path(p))
            .respond_with(response)
            .up_to_n_times(1)
            .with_priority(priority)
            .mount(server)
            .await;
    }
}

//! Update benchmark: 500 tickers x 25 years from a local Yahoo-like server into each store.
//!
//! `cargo bench --bench update` (release). Prints bars written per second for the embedded
//! store and, when `WICKVIEW_BENCH_MONGODB_URI` (or `WICKVIEW_TEST_MONGODB_URI`) is set,
//! for MongoDB, and the peak number of connections open at once at the server.
//!
//! Not a criterion bench: one run is a stateful multi-second job that needs a fresh store
//! each time, and criterion's minimum of ten samples would multiply the wall time for no
//! extra information; the job is measured once, end to end, like `cargo bench` users expect
//! from a throughput report.
//!
//! Knobs (environment): `WICKVIEW_BENCH_TICKERS` (500), `WICKVIEW_BENCH_YEARS` (25),
//! `WICKVIEW_BENCH_CONCURRENCY` (6), `WICKVIEW_BENCH_MONGO_TICKERS` (same as tickers).

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use chrono::{Datelike as _, NaiveDate, TimeZone as _, Weekday};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use wickview::model::{Category, Ticker, TickerMeta};
use wickview::source::{RetryPolicy, SourceConfig};
use wickview::store::{Store, StoreConfig};
use wickview::update::{UpdateConfig, UpdateEvent, UpdateJob};

const DISTINCT_BODIES: usize = 16;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A deterministic random-walk chart document in Yahoo's layout, weekdays only.
fn chart_body(seed: u64, first: NaiveDate, last: NaiveDate) -> Vec<u8> {
    let ny = chrono_tz::America::New_York;
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut rnd = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let (mut ts, mut o, mut h, mut l, mut c, mut v) = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    );
    let mut price = 50.0 + 100.0 * rnd();
    let mut day = first;
    while day <= last {
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            let open = price;
            price *= 1.0 + (rnd() - 0.5) * 0.04;
            let close = price;
            let hi = open.max(close) * (1.0 + rnd() * 0.01);
            let lo = open.min(close) * (1.0 - rnd() * 0.01);
            let stamp = ny
                .from_local_datetime(&day.and_hms_opt(9, 30, 0).unwrap())
                .earliest()
                .unwrap()
                .timestamp();
            ts.push(stamp);
            o.push(open);
            h.push(hi);
            l.push(lo);
            c.push(close);
            v.push((1_000_000.0 * (1.0 + rnd())).round());
        }
        day = day.succ_opt().unwrap();
    }
    serde_json::json!({"chart": {"result": [{
        "meta": {"currency": "USD", "symbol": "X", "exchangeName": "NMS", "instrumentType": "EQUITY",
                 "gmtoffset": -14400, "timezone": "EDT", "exchangeTimezoneName": "America/New_York",
                 "dataGranularity": "1d"},
        "timestamp": ts,
        "indicators": {"quote": [{"open": o, "high": h, "low": l, "close": c, "volume": v}],
                       "adjclose": [{"adjclose": c}]}
    }], "error": null}})
    .to_string()
    .into_bytes()
}

/// Connection counts seen by the server.
#[derive(Default)]
struct Counters {
    open: AtomicUsize,
    peak: AtomicUsize,
    accepted: AtomicUsize,
    requests: AtomicUsize,
}

/// A minimal HTTP/1.1 keep-alive server: the handshake endpoints and one chart body per
/// ticker (chosen by the symbol's digits). Counts connections as they open and close.
async fn serve(
    listener: tokio::net::TcpListener,
    bodies: Arc<Vec<Vec<u8>>>,
    counters: Arc<Counters>,
) {
    loop {
        let Ok((mut sock, _)) = listener.accept().await else {
            return;
        };
        let bodies = Arc::clone(&bodies);
        let counters = Arc::clone(&counters);
        counters.accepted.fetch_add(1, Ordering::Relaxed);
        let now = counters.open.fetch_add(1, Ordering::SeqCst) + 1;
        counters.peak.fetch_max(now, Ordering::SeqCst);
        tokio::spawn(async move {
            let mut buf = Vec::with_capacity(4096);
            let mut chunk = [0u8; 4096];
            'conn: loop {
                let end = loop {
                    if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break p + 4;
                    }
                    match sock.read(&mut chunk).await {
                        Ok(0) | Err(_) => break 'conn,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                };
                let head = String::from_utf8_lossy(&buf[..end]).to_string();
                buf.drain(..end);
                counters.requests.fetch_add(1, Ordering::Relaxed);
                let target = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let (status, body): (&str, &[u8]) = if target.starts_with("/v1/test/getcrumb") {
                    ("200 OK", b"benchCrumb")
                } else if let Some(rest) = target.strip_prefix("/v8/finance/chart/") {
                    let digits: String = rest
                        .chars()
                        .take_while(|c| *c != '?')
                        .filter(char::is_ascii_digit)
                        .collect();
                    let i = digits.parse::<usize>().unwrap_or(0) % bodies.len();
                    ("200 OK", &bodies[i])
                } else {
                    ("404 Not Found", b"")
                };
                let header = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nset-cookie: A3=bench; Path=/\r\n\r\n",
                    body.len()
                );
                if sock.write_all(header.as_bytes()).await.is_err()
                    || sock.write_all(body).await.is_err()
                {
                    break;
                }
            }
            counters.open.fetch_sub(1, Ordering::SeqCst);
        });
    }
}

async fn bench_store(
    label: &str,
    store: Store,
    tickers: usize,
    concurrency: usize,
    first: NaiveDate,
    last: NaiveDate,
    bodies: &Arc<Vec<Vec<u8>>>,
) {
    for i in 0..tickers {
        let t = Ticker::parse(Category::UsStock, &format!("B{i:04}")).unwrap();
        store
            .add_ticker(&TickerMeta::new(t, format!("Bench {i}")))
            .await
            .unwrap();
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let counters = Arc::new(Counters::default());
    let server = tokio::spawn(serve(listener, Arc::clone(bodies), Arc::clone(&counters)));
    let source = SourceConfig {
        retry: RetryPolicy {
            max_attempts: 2,
            ..RetryPolicy::default()
        },
        routes: wickview::source::Routes::only(wickview::source::SourceId::Yahoo),
        ..SourceConfig::with_base_url(&url)
    };
    let config = UpdateConfig {
        categories: vec![Category::UsStock],
        concurrency,
        default_start: first,
        today: Some(last),
        ..UpdateConfig::default()
    };
    let started = Instant::now();
    let (mut handle, job) = UpdateJob::spawn(
        store.clone(),
        source,
        config,
        &tokio::runtime::Handle::current(),
    );
    while let Some(e) = handle.events.recv().await {
        if let UpdateEvent::TickerFailed { ticker, reason, .. } = e {
            eprintln!("{ticker} failed: {reason}");
        }
    }
    let summary = job.await.unwrap().unwrap();
    let secs = started.elapsed().as_secs_f64();
    server.abort();
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "update/{label}: {tickers} tickers x {} bars = {} bars written in {secs:.2} s = {:.0} bars/s; \
         {} failed; concurrency {concurrency}; peak open connections {}, accepted {}, requests {}",
        summary.bars_written() / tickers.max(1) as u64,
        summary.bars_written(),
        summary.bars_written() as f64 / secs,
        summary.failed.len(),
        counters.peak.load(Ordering::SeqCst),
        counters.accepted.load(Ordering::SeqCst),
        counters.requests.load(Ordering::SeqCst),
    )
    .unwrap();
    if !store.is_embedded() {
        store.drop_all_data().await.unwrap();
    }
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this too: keep that quick.
    let quick = !std::env::args().any(|a| a == "--bench");
    let tickers = if quick {
        3
    } else {
        env_usize("WICKVIEW_BENCH_TICKERS", 500)
    };
    let years = if quick {
        1
    } else {
        env_usize("WICKVIEW_BENCH_YEARS", 25)
    };
    let concurrency = env_usize("WICKVIEW_BENCH_CONCURRENCY", 6);
    let last = NaiveDate::from_ymd_opt(2024, 12, 31).unwrap();
    let first = NaiveDate::from_ymd_opt(2024 - i32::try_from(years).unwrap() + 1, 1, 1).unwrap();
    let bodies: Arc<Vec<Vec<u8>>> = Arc::new(
        (0..DISTINCT_BODIES as u64)
            .map(|s| chart_body(s, first, last))
            .collect(),
    );

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("bench-update")
        .build()
        .unwrap();
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&StoreConfig::Embedded {
            data_dir: dir.path().join("data"),
        })
        .await
        .unwrap();
        bench_store(
            "embedded",
            store,
            tickers,
            concurrency,
            first,
            last,
            &bodies,
        )
        .await;

        let uri = std::env::var("WICKVIEW_BENCH_MONGODB_URI")
            .or_else(|_| std::env::var("WICKVIEW_TEST_MONGODB_URI"))
            .ok()
            .filter(|u| !u.trim().is_empty());
        match uri {
            Some(uri) => {
                let db_name = format!("wickview_bench_update_{}", std::process::id());
                let store = Store::open(&StoreConfig::Mongo { uri, db_name })
                    .await
                    .unwrap();
                let n = if quick {
                    tickers
                } else {
                    env_usize("WICKVIEW_BENCH_MONGO_TICKERS", tickers)
                };
                bench_store("mongodb", store, n, concurrency, first, last, &bodies).await;
            }
            None => eprintln!("update/mongodb: skipped (set WICKVIEW_BENCH_MONGODB_URI)"),
        }
    });
}

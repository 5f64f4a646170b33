//! Download sources of daily bars behind one interface ([`Source`]): Yahoo Finance's
//! chart API (the default primary), Naver Finance for KRX stocks and indices, and the ECB
//! and FRED for exchange rates; per-run health with a circuit breaker ([`HealthBoard`]),
//! and the order each category's sources are tried in ([`Routes`], [`SourceSet`]).
//!
//! Depends on `model`.

pub mod chart;
pub mod ecb;
pub mod fred;
pub mod fx_pair;
pub mod health;
pub mod http;
pub mod naver;
pub mod provider;
pub mod retry;
pub mod route;
pub mod yahoo;

use std::collections::BTreeMap;
use std::time::Duration;

pub use chart::{ChartData, ChartError, parse_chart};
pub use ecb::EcbSource;
pub use fred::FredSource;
pub use health::{HealthBoard, SourceHealth};
pub use provider::{Fetched, Source, SourceId};
pub use retry::RetryPolicy;
pub use route::{Routes, SourceSet};
pub use yahoo::YahooSource;

/// Yahoo Finance's API host, the default base URL.
pub const DEFAULT_BASE_URL: &str = "https://query1.finance.yahoo.com";
/// The endpoint that hands out Yahoo's session cookie (it answers 404, with cookies).
pub const DEFAULT_COOKIE_URL: &str = "https://fc.yahoo.com";
/// The environment variable that overrides the base URL (a mirror, a proxy, a test server).
pub const SOURCE_URL_ENV: &str = "WICKVIEW_SOURCE_URL";
/// A current desktop browser's User-Agent: Yahoo rejects obvious scripts.
pub const DEFAULT_USER_AGENT: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

/// Where and how to download.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceConfig {
    /// Base URL of the chart and crumb endpoints, without a trailing slash.
    pub base_url: String,
    /// URL of the cookie endpoint of the handshake.
    pub cookie_url: String,
    /// Time allowed for one whole request, body included.
    pub request_timeout: Duration,
    /// Time one attempt may wait for the next bytes of an answer before it counts as a
    /// timeout (and is retried): a stalled server fails an attempt this quickly.
    pub read_timeout: Duration,
    /// Time allowed for one ticker, every attempt, backoff and `.KS`/`.KQ` candidate
    /// included; then it fails with "timed out after N s" and the run goes on.
    pub ticker_deadline: Duration,
    /// Time allowed to open a connection.
    pub connect_timeout: Duration,
    /// Retries of transient failures.
    pub retry: RetryPolicy,
    /// The User-Agent header sent.
    pub user_agent: String,
    /// Base URLs of the other sources, where they are not the public ones (mirrors, test
    /// servers); Yahoo's is `base_url`.
    pub urls: BTreeMap<SourceId, String>,
    /// The order each category's sources are tried in.
    pub routes: Routes,
    /// Consecutive failures after which a source is skipped for the rest of a run.
    pub breaker_failures: u32,
}

impl Default for SourceConfig {
    fn default() -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.to_owned(),
            cookie_url: DEFAULT_COOKIE_URL.to_owned(),
            request_timeout: Duration::from_secs(30),
            read_timeout: Duration::from_secs(15),
            ticker_deadline: Duration::from_secs(90),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            urls: BTreeMap::new(),
            routes: Routes::default(),
            breaker_failures: health::DEFAULT_BREAKER_FAILURES,
        }
    }
}

impl SourceConfig {
    /// The defaults with every endpoint under `base_url` (the cookie endpoint becomes
    /// `{base_url}/fc`), so a mirror, proxy or mock server can serve the handshake too.
    pub fn with_base_url(base_url: &str) -> Self {
        let base = base_url.trim().trim_end_matches('/').to_owned();
        Self {
            cookie_url: format!("{base}/fc"),
            base_url: base,
            ..Self::default()
        }
    }

    /// The base URL of a source, without a trailing slash.
    pub fn url(&self, id: SourceId) -> String {
        match id {
            SourceId::Yahoo => self.base_url.clone(),
            other => self
                .urls
                .get(&other)
                .cloned()
                .unwrap_or_else(|| other.default_url().to_owned()),
        }
    }

    /// Sets a source's base URL (Yahoo's moves its cookie endpoint too).
    pub fn set_url(&mut self, id: SourceId, url: &str) {
        let url = url.trim().trim_end_matches('/').to_owned();
        match id {
            SourceId::Yahoo => {
                let moved = Self::with_base_url(&url);
                self.base_url = moved.base_url;
                self.cookie_url = moved.cookie_url;
            }
            other => {
                self.urls.insert(other, url);
            }
        }
    }

    /// Applies one `--source-url` value: `NAME=URL` for a named source (`naver=http://…`),
    /// a bare `URL` for Yahoo.
    pub fn apply_source_url(&mut self, flag: &str) -> Result<(), String> {
        let flag = flag.trim();
        let (id, url) = match flag.split_once('=') {
            Some((name, url)) if SourceId::parse(name).is_some() => {
                (SourceId::parse(name).unwrap_or(SourceId::Yahoo), url.trim())
            }
            Some((name, _))
                if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphabetic()) =>
            {
                return Err(format!(
                    "--source-url {}: unknown source {:?}; the sources are {}",
                    crate::model::shown_at_most(flag, 80),
                    crate::model::shown_at_most(name, 20),
                    SourceId::ALL.map(SourceId::name).join(", ")
                ));
            }
            _ => (SourceId::Yahoo, flag),
        };
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(format!(
                "--source-url {}: give an http:// or https:// URL",
                crate::model::shown_at_most(flag, 80)
            ));
        }
        self.set_url(id, url);
        Ok(())
    }

    /// The sources' URLs from `--source-url` values (after `WICKVIEW_SOURCE_URL`, which
    /// sets Yahoo's), else the public ones.
    pub fn from_flags(flags: &[String]) -> Result<Self, String> {
        let mut config = Self::from_flag_or_env(None);
        for flag in flags {
            config.apply_source_url(flag)?;
        }
        Ok(config)
    }

    /// Applies the `[source]` table of the config file (durations in seconds, URLs,
    /// orders, the breaker). URLs given on the command line win over the file's.
    pub fn with_settings(mut self, settings: &SourceSettings) -> Self {
        for (id, url) in &settings.url {
            let from_flag = match id {
                SourceId::Yahoo => self.base_url != DEFAULT_BASE_URL,
                other => self.urls.contains_key(other),
            };
            if !from_flag {
                self.set_url(*id, url);
            }
        }
        for (category, order) in &settings.order {
            // Checked when the table was read.
            let _checked = self.routes.set(*category, order.clone());
        }
        if let Some(n) = settings.breaker_failures {
            self.breaker_failures = n.max(1);
        }
        let secs = |s: Option<f64>| s.and_then(|s| Duration::try_from_secs_f64(s).ok());
        if let Some(d) = secs(settings.read_timeout_s) {
            self.read_timeout = d;
        }
        if let Some(d) = secs(settings.ticker_deadline_s) {
            self.ticker_deadline = d;
        }
        if let Some(d) = secs(settings.request_timeout_s) {
            self.request_timeout = d;
        }
        self
    }

    /// The base URL from a flag, else from `WICKVIEW_SOURCE_URL`, else Yahoo's.
    pub fn from_flag_or_env(flag: Option<&str>) -> Self {
        let from_env = std::env::var(SOURCE_URL_ENV).ok();
        match flag.or(from_env.as_deref()).map(str::trim) {
            Some(url) if !url.is_empty() => Self::with_base_url(url),
            _ => Self::default(),
        }
    }
}

/// The `[source]` table of the config file.
#[derive(Clone, Debug, Default, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceSettings {
    /// Seconds one attempt may wait for the next bytes of an answer (default 15).
    pub read_timeout_s: Option<f64>,
    /// Seconds allowed for one ticker, retries included (default 90).
    pub ticker_deadline_s: Option<f64>,
    /// Seconds allowed for one whole request, body included (default 30).
    pub request_timeout_s: Option<f64>,
    /// Consecutive failures after which a source is skipped for the rest of a run
    /// (default 3).
    pub breaker_failures: Option<u32>,
    /// `[source.url]`: base URLs by source name (`naver = "http://…"`).
    #[serde(default)]
    pub url: BTreeMap<SourceId, String>,
    /// `[source.order]`: sources tried per category (`korean_stock = ["naver", "yahoo"]`).
    #[serde(default)]
    pub order: BTreeMap<crate::model::Category, Vec<SourceId>>,
}

impl SourceSettings {
    /// The `[source]` table of a config file's text (other tables are ignored); every
    /// duration must be a positive number of seconds, at most a day.
    pub fn from_toml(text: &str) -> Result<Self, String> {
        #[derive(serde::Deserialize)]
        struct File {
            #[serde(default)]
            source: SourceSettings,
        }
        let file: File = toml::from_str(text).map_err(|e| {
            // Not the whole error: it quotes the line, which may hold a MongoDB password
            // elsewhere; the message itself may quote a key or value, shown short and inert.
            crate::model::shown_at_most(e.message(), 160)
        })?;
        let settings = file.source;
        for (name, value) in [
            ("read_timeout_s", settings.read_timeout_s),
            ("ticker_deadline_s", settings.ticker_deadline_s),
            ("request_timeout_s", settings.request_timeout_s),
        ] {
            let fits = |v: f64| v.is_finite() && v > 0.0 && v <= 86_400.0;
            if let Some(v) = value
                && !fits(v)
            {
                return Err(format!(
                    "[source] {name} = {v}: give a positive number of seconds (at most 86400)"
                ));
            }
        }
        if settings.breaker_failures == Some(0) {
            return Err("[source] breaker_failures = 0: give at least 1".to_owned());
        }
        for (id, url) in &settings.url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(format!(
                    "[source.url] {id} = {:?}: give an http:// or https:// URL",
                    crate::model::shown_at_most(url, 80)
                ));
            }
        }
        let mut routes = Routes::default();
        for (category, order) in &settings.order {
            routes.set(*category, order.clone())?;
        }
        Ok(settings)
    }
}

/// Why a download failed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SourceError {
    /// The source has no such symbol (`chart.error` "Not Found", HTTP 404).
    #[error("unknown symbol {symbol} ({detail})")]
    UnknownSymbol {
        /// The symbol(s) asked for.
        symbol: String,
        /// What the source said.
        detail: String,
    },
    /// HTTP 429.
    #[error("rate limited by the source (HTTP 429)")]
    RateLimited {
        /// The `Retry-After` the server asked for, if any.
        retry_after: Option<Duration>,
    },
    /// HTTP 5xx.
    #[error("source server error (HTTP {status})")]
    Server {
        /// The status code.
        status: u16,
    },
    /// HTTP 401 or 403, even after refreshing the cookie and crumb.
    #[error("source refused access (HTTP {status}): {detail}")]
    Unauthorized {
        /// The status code.
        status: u16,
        /// The start of the body (e.g. "Invalid Crumb").
        detail: String,
    },
    /// Another 4xx answer, or a `chart.error` other than "Not Found".
    #[error("source rejected the request (HTTP {status}): {detail}")]
    Rejected {
        /// The status code.
        status: u16,
        /// What the source said.
        detail: String,
    },
    /// One attempt got no answer (or no further bytes) within the read or request timeout.
    #[error("request timed out")]
    Timeout,
    /// The ticker's deadline passed (every attempt and candidate together).
    #[error("timed out after {} s (the per-ticker deadline)", .after.as_secs_f64())]
    DeadlineExceeded {
        /// The deadline.
        after: Duration,
    },
    /// No connection could be opened.
    #[error("could not connect: {0}")]
    Connect(String),
    /// The body broke off while being received.
    #[error("response body broke off: {0}")]
    Body(String),
    /// Another transport failure (connection reset, protocol error).
    #[error("network error: {0}")]
    Network(String),
    /// A successful status with a body that is no data: empty, an HTML page (a challenge
    /// or consent page), or another format than the source's. Retried, then a failure;
    /// never "no new bars".
    #[error("the answer is not data: {what}")]
    NotData {
        /// What came instead.
        what: String,
    },
    /// The body is not a usable chart document.
    #[error("malformed response ({}): {detail}", if *.truncated { "cut short" } else { "not a chart document" })]
    Malformed {
        /// What the parser said.
        detail: String,
        /// Whether the document stopped early (a cut body; retried).
        truncated: bool,
    },
    /// The HTTP client could not be built.
    #[error("could not build the HTTP client: {0}")]
    Client(String),
    /// A transient failure persisted through every attempt.
    #[error("gave up after {attempts} attempts; last error: {last}")]
    RetriesExhausted {
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        last: Box<SourceError>,
    },
}

/// An answer that does not parse: cut short (`truncated`, retried) or not the expected
/// shape.
pub(crate) fn malformed(detail: impl Into<String>, truncated: bool) -> SourceError {
    SourceError::Malformed {
        detail: detail.into(),
        truncated,
    }
}

impl SourceError {
    /// A malformed answer's `truncated` flag: `Some(true)` for a body cut short,
    /// `Some(false)` for one that is whole but not the expected shape, `None` for any
    /// other error.
    pub fn malformed_truncated(&self) -> Option<bool> {
        match self {
            Self::Malformed { truncated, .. } => Some(*truncated),
            _ => None,
        }
    }

    /// Whether trying again later may succeed: 429, 5xx, timeouts, connection and
    /// transport errors, and bodies cut short.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::RateLimited { .. }
            | Self::Server { .. }
            | Self::Timeout
            | Self::Connect(_)
            | Self::Body(_)
            | Self::Network(_)
            | Self::NotData { .. } => true,
            Self::Malformed { truncated, .. } => *truncated,
            Self::UnknownSymbol { .. }
            | Self::Unauthorized { .. }
            | Self::Rejected { .. }
            | Self::Client(_)
            | Self::DeadlineExceeded { .. }
            | Self::RetriesExhausted { .. } => false,
        }
    }

    /// The delay the server asked for (HTTP 429 with `Retry-After`).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after } => *retry_after,
            _ => None,
        }
    }

    /// The error behind retries, or this one.
    pub fn root(&self) -> &Self {
        match self {
            Self::RetriesExhausted { last, .. } => last.root(),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_moves_every_endpoint() {
        let c = SourceConfig::with_base_url("http://127.0.0.1:9/ ");
        assert_eq!(c.base_url, "http://127.0.0.1:9");
        assert_eq!(c.cookie_url, "http://127.0.0.1:9/fc");
        let d = SourceConfig::default();
        assert_eq!(d.base_url, DEFAULT_BASE_URL);
        assert_eq!(d.cookie_url, DEFAULT_COOKIE_URL);
    }

    #[test]
    fn source_url_flags_name_their_source() {
        let mut c = SourceConfig::default();
        c.apply_source_url("naver=http://127.0.0.1:7/").unwrap();
        c.apply_source_url("http://127.0.0.1:8/x?a=b").unwrap();
        c.apply_source_url("FRED=https://mirror.example/fred")
            .unwrap();
        assert_eq!(c.url(SourceId::Naver), "http://127.0.0.1:7");
        assert_eq!(c.url(SourceId::Yahoo), "http://127.0.0.1:8/x?a=b");
        assert_eq!(c.cookie_url, "http://127.0.0.1:8/x?a=b/fc");
        assert_eq!(c.url(SourceId::Fred), "https://mirror.example/fred");
        assert_eq!(c.url(SourceId::Ecb), SourceId::Ecb.default_url());
        let err = c.apply_source_url("bloomberg=http://x").unwrap_err();
        assert!(
            err.contains("unknown source") && err.contains("naver"),
            "{err}"
        );
        assert!(c.apply_source_url("naver=ftp://x").is_err());
        assert!(c.apply_source_url("").is_err());
    }

    #[test]
    fn source_table_sets_urls_orders_and_the_breaker() {
        let s = SourceSettings::from_toml(
            "[source]\nbreaker_failures = 5\n[source.url]\nnaver = \"http://127.0.0.1:9\"\n\
             [source.order]\nkorean_stock = [\"naver\", \"yahoo\"]\n",
        )
        .unwrap();
        let mut flagged = SourceConfig::default();
        flagged
            .apply_source_url("naver=http://127.0.0.1:10")
            .unwrap();
        let c = flagged.with_settings(&s);
        assert_eq!(
            c.url(SourceId::Naver),
            "http://127.0.0.1:10",
            "the flag wins"
        );
        let c = SourceConfig::default().with_settings(&s);
        assert_eq!(c.url(SourceId::Naver), "http://127.0.0.1:9");
        assert_eq!(c.breaker_failures, 5);
        assert_eq!(
            c.routes.for_category(crate::model::Category::KoreanStock),
            &[SourceId::Naver, SourceId::Yahoo]
        );
        assert_eq!(
            c.routes.for_category(crate::model::Category::Currency),
            &[SourceId::Yahoo, SourceId::Ecb, SourceId::Fred]
        );
        for bad in [
            "[source.order]\nkorean_stock = []\n",
            "[source.order]\nkorean_stock = [\"naver\", \"naver\"]\n",
            "[source.order]\nkorean_stock = [\"bloomberg\"]\n",
            "[source.url]\nnaver = \"file:///etc\"\n",
            "[source]\nbreaker_failures = 0\n",
        ] {
            assert!(SourceSettings::from_toml(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn transient_classification() {
        assert!(SourceError::RateLimited { retry_after: None }.is_transient());
        assert!(SourceError::Server { status: 503 }.is_transient());
        assert!(SourceError::Timeout.is_transient());
        assert!(
            SourceError::Malformed {
                detail: String::new(),
                truncated: true
            }
            .is_transient()
        );
        assert!(
            !SourceError::Malformed {
                detail: String::new(),
                truncated: false
            }
            .is_transient()
        );
        let unknown = SourceError::UnknownSymbol {
            symbol: "X".into(),
            detail: String::new(),
        };
        assert!(!unknown.is_transient());
        let exhausted = SourceError::RetriesExhausted {
            attempts: 3,
            last: Box::new(SourceError::Server { status: 500 }),
        };
        assert!(!exhausted.is_transient());
        assert_eq!(exhausted.root(), &SourceError::Server { status: 500 });
        assert!(exhausted.to_string().contains("HTTP 500"));
    }
}

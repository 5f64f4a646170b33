//! Download sources of daily bars (Yahoo Finance's chart API over reqwest).
//!
//! Depends on `model`.

pub mod chart;
pub mod retry;
pub mod yahoo;

use std::time::Duration;

pub use chart::{ChartData, ChartError, parse_chart};
pub use retry::RetryPolicy;
pub use yahoo::{Fetched, YahooSource};

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

    /// Applies the `[source]` table of the config file (durations in seconds).
    pub fn with_settings(mut self, settings: &SourceSettings) -> Self {
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

impl SourceError {
    /// Whether trying again later may succeed: 429, 5xx, timeouts, connection and
    /// transport errors, and bodies cut short.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::RateLimited { .. }
            | Self::Server { .. }
            | Self::Timeout
            | Self::Connect(_)
            | Self::Body(_)
            | Self::Network(_) => true,
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

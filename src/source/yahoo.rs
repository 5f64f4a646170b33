//! Yahoo Finance's v8 chart API: one HTTP client per run, cookie + crumb handshake,
//! retries with backoff, and the `.KS`/`.KQ` resolution of Korean codes.

use chrono::{NaiveDate, NaiveTime};
use reqwest::StatusCode;
use tokio::sync::Mutex;

use super::chart::{ChartData, ChartError, parse_chart};
use super::http::{from_reqwest, snippet};
use super::{Fetched, SourceConfig, SourceError, malformed};
use crate::model::Ticker;

#[derive(Debug, Default)]
struct CrumbState {
    /// Whether the handshake ran at least once.
    done: bool,
    /// The crumb, when the handshake got one.
    crumb: Option<String>,
    /// Bumped on every handshake, so concurrent requests refresh only once.
    generation: u64,
}

/// A Yahoo Finance daily-bar source. Create one per update run and share it (`&self`
/// methods, `Send + Sync`): it owns the connection pool and the cookie jar.
#[derive(Debug)]
pub struct YahooSource {
    http: reqwest::Client,
    config: SourceConfig,
    crumb: Mutex<CrumbState>,
}

/// Installs rustls' ring crypto provider for this process (once; later calls are no-ops).
pub fn install_crypto_provider() {
    // An error means a provider is already installed, which is all we need.
    let _already_installed = rustls::crypto::ring::default_provider().install_default();
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn midnight_utc_secs(day: NaiveDate) -> i64 {
    day.and_time(NaiveTime::MIN).and_utc().timestamp()
}

impl YahooSource {
    /// Builds the client (pool, cookie jar, gzip, timeouts, User-Agent).
    pub fn new(config: SourceConfig) -> Result<Self, SourceError> {
        let http = super::http::client(&config, true)?;
        Ok(Self {
            http,
            config,
            crumb: Mutex::new(CrumbState::default()),
        })
    }

    /// The configuration this source was built with.
    pub fn config(&self) -> &SourceConfig {
        &self.config
    }

    /// Runs the cookie + crumb handshake: a request to the cookie endpoint (its status
    /// does not matter, only the cookies it sets), then `/v1/test/getcrumb`. Failures
    /// are logged and leave the source without a crumb; the chart request decides. A
    /// rate limit (HTTP 429, or a body that says "Too Many Requests") is an error, to be
    /// retried like any other 429, never taken for a crumb.
    async fn handshake(&self) -> Result<Option<String>, SourceError> {
        match self.http.get(&self.config.cookie_url).send().await {
            Ok(resp) => tracing::debug!(status = %resp.status(), "cookie endpoint answered"),
            Err(err) => tracing::warn!("cookie endpoint failed: {}", from_reqwest(err)),
        }
        let url = format!("{}/v1/test/getcrumb", self.config.base_url);
        let resp = match self.http.get(&url).send().await {
            Ok(resp) => resp,
            Err(err) => {
                tracing::warn!("crumb request failed: {}", from_reqwest(err));
                return Ok(None);
            }
        };
        let status = resp.status();
        let retry_after = super::http::retry_after_of(&resp);
        let body = match resp.text().await {
            Ok(body) => body,
            Err(err) => {
                tracing::warn!("crumb body failed: {}", from_reqwest(err));
                return Ok(None);
            }
        };
        let crumb = body.trim();
        if status == StatusCode::TOO_MANY_REQUESTS
            || crumb.eq_ignore_ascii_case("Too Many Requests")
        {
            tracing::warn!(%status, "the crumb endpoint says: too many requests");
            return Err(SourceError::RateLimited { retry_after });
        }
        let plausible = status.is_success()
            && !crumb.is_empty()
            && crumb.len() <= 64
            && !crumb
                .chars()
                .any(|c| c.is_whitespace() || c == '<' || c == '{');
        if plausible {
            tracing::debug!("got a crumb");
            Ok(Some(crumb.to_owned()))
        } else {
            tracing::warn!(%status, "no usable crumb; continuing without one");
            Ok(None)
        }
    }

    /// The current crumb and its generation, running the handshake the first time (and
    /// again on the next call after a rate-limited one).
    async fn current_crumb(&self) -> Result<(Option<String>, u64), SourceError> {
        let mut state = self.crumb.lock().await;
        if !state.done {
            state.crumb = self.handshake().await?;
            state.done = true;
            state.generation += 1;
        }
        Ok((state.crumb.clone(), state.generation))
    }

    /// Runs the handshake again unless another request already did since `seen`.
    async fn refresh_crumb(&self, seen: u64) -> Result<(), SourceError> {
        let mut state = self.crumb.lock().await;
        if state.generation == seen {
            tracing::info!("crumb rejected; refreshing it");
            state.done = false;
            state.crumb = self.handshake().await?;
            state.done = true;
            state.generation += 1;
        }
        Ok(())
    }

    /// One request for `symbol` over `from..=to`, no retries.
    async fn fetch_once(
        &self,
        symbol: &str,
        from: NaiveDate,
        to: NaiveDate,
        crumb: Option<&str>,
    ) -> Result<ChartData, SourceError> {
        // A day of margin on both sides: the session open of an exchange east of UTC
        // (Sydney) falls on the previous UTC day.
        let period1 = midnight_utc_secs(from.pred_opt().unwrap_or(from));
        let period2 = midnight_utc_secs(to.succ_opt().and_then(|d| d.succ_opt()).unwrap_or(to));
        let mut url = format!(
            "{}/v8/finance/chart/{}?period1={period1}&period2={period2}&interval=1d&events=div%2Csplits&includePrePost=false",
            self.config.base_url,
            encode(symbol)
        );
        if let Some(crumb) = crumb {
            url.push_str("&crumb=");
            url.push_str(&encode(crumb));
        }
        let resp = self.http.get(&url).send().await.map_err(from_reqwest)?;
        let status = resp.status();
        let retry_after = super::http::retry_after_of(&resp);
        let body = resp.bytes().await.map_err(from_reqwest)?;
        chart_answer(symbol, from, status, retry_after, &body)
    }

    /// Daily bars of one Yahoo `symbol` from `from` (inclusive) to `to`, retrying
    /// transient failures (429, 5xx, timeouts, connection errors, cut bodies) with
    /// backoff, and refreshing the crumb once if Yahoo rejects it.
    pub async fn fetch_symbol(
        &self,
        symbol: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Fetched, SourceError> {
        let mut backoff = self.config.retry.backoff();
        let mut attempt = 0u32;
        let mut refreshed = false;
        loop {
            attempt += 1;
            let result = match self.current_crumb().await {
                Ok((crumb, generation)) => self
                    .fetch_once(symbol, from, to, crumb.as_deref())
                    .await
                    .map_err(|e| (e, Some(generation))),
                Err(e) => Err((e, None)),
            };
            let (err, generation) = match result {
                Ok(chart) => {
                    return Ok(Fetched::new(symbol.to_owned(), chart, attempt));
                }
                Err(failure) => failure,
            };
            if let (SourceError::Unauthorized { .. }, Some(generation)) = (&err, generation)
                && !refreshed
            {
                refreshed = true;
                attempt -= 1;
                if let Err(e) = self.refresh_crumb(generation).await {
                    tracing::debug!(symbol, "crumb refresh failed: {e}");
                }
                continue;
            }
            backoff.wait_to_retry(err, attempt, symbol).await?;
        }
    }

    /// Daily bars of `ticker` from `from` (inclusive) to `to`.
    ///
    /// `known_symbol` is the resolved source symbol stored for the ticker, tried first.
    /// Otherwise (or if Yahoo no longer knows it) the ticker's candidates are tried in
    /// order: `.KS` then `.KQ` for a 6-digit Korean code. Only an unknown symbol moves on
    /// to the next candidate; any other failure is returned at once.
    ///
    /// The whole call, every attempt and candidate included, must finish within the
    /// configured per-ticker deadline; past it the ticker fails with
    /// [`SourceError::DeadlineExceeded`].
    pub async fn fetch_ticker(
        &self,
        ticker: &Ticker,
        known_symbol: Option<&str>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Fetched, SourceError> {
        let deadline = self.config.ticker_deadline;
        tokio::time::timeout(
            deadline,
            self.fetch_candidates(ticker, known_symbol, from, to),
        )
        .await
        .unwrap_or(Err(SourceError::DeadlineExceeded { after: deadline }))
    }

    async fn fetch_candidates(
        &self,
        ticker: &Ticker,
        known_symbol: Option<&str>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Fetched, SourceError> {
        let mut candidates: Vec<String> = known_symbol.map(str::to_owned).into_iter().collect();
        for c in ticker.source_symbol_candidates() {
            if !candidates.contains(&c) {
                candidates.push(c);
            }
        }
        let mut unknown = Vec::new();
        for symbol in &candidates {
            match self.fetch_symbol(symbol, from, to).await {
                Err(SourceError::UnknownSymbol { detail, .. }) => {
                    tracing::debug!(%symbol, "unknown to the source: {detail}");
                    unknown.push(symbol.as_str());
                }
                other => return other,
            }
        }
        Err(SourceError::UnknownSymbol {
            symbol: unknown.join(", "),
            detail: "the source has no data under any of these symbols".to_owned(),
        })
    }
}

impl super::Source for YahooSource {
    fn id(&self) -> super::SourceId {
        super::SourceId::Yahoo
    }

    fn symbol(&self, meta: &crate::model::TickerMeta) -> Option<String> {
        meta.source_symbol
            .clone()
            .or_else(|| meta.ticker.source_symbol_candidates().into_iter().next())
    }

    fn fetch<'a>(
        &'a self,
        meta: &'a crate::model::TickerMeta,
        from: NaiveDate,
        to: NaiveDate,
    ) -> futures::future::BoxFuture<'a, Result<Fetched, SourceError>> {
        Box::pin(self.fetch_ticker(&meta.ticker, meta.source_symbol.as_deref(), from, to))
    }
}

/// What a chart answer of `symbol` (HTTP `status`, `body`) says: its bars from `from` on,
/// or the failure, told apart for retries (429, 5xx, a page that is not JSON), a rejected
/// crumb, an unknown symbol and an answer that does not parse.
fn chart_answer(
    symbol: &str,
    from: NaiveDate,
    status: StatusCode,
    retry_after: Option<std::time::Duration>,
    body: &[u8],
) -> Result<ChartData, SourceError> {
    if status == StatusCode::TOO_MANY_REQUESTS {
        return Err(SourceError::RateLimited { retry_after });
    }
    if status.is_server_error() {
        return Err(SourceError::Server {
            status: status.as_u16(),
        });
    }
    if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
        return Err(SourceError::Unauthorized {
            status: status.as_u16(),
            detail: snippet(body),
        });
    }
    // An HTML page (a challenge or consent page), an empty body or another format
    // served with 200 is a failure (retried: Yahoo's non-JSON answers come in waves),
    // never a chart without bars.
    if status.is_success() {
        super::http::sniff(body, super::http::BodyKind::Json)?;
    }
    match (status.is_success(), parse_chart(body)) {
        (true, Ok(chart)) => {
            let start = chart.series.lower_bound(from);
            let series = chart.series.slice(start..chart.series.len());
            Ok(ChartData { series, ..chart })
        }
        (_, Err(ChartError::Reported { code, description }))
            if status == StatusCode::NOT_FOUND || code.eq_ignore_ascii_case("Not Found") =>
        {
            Err(SourceError::UnknownSymbol {
                symbol: symbol.to_owned(),
                detail: format!("{code}: {description}"),
            })
        }
        (_, Err(ChartError::Reported { code, description })) => Err(SourceError::Rejected {
            status: status.as_u16(),
            detail: format!("{code}: {description}"),
        }),
        (false, _) if status == StatusCode::NOT_FOUND => Err(SourceError::UnknownSymbol {
            symbol: symbol.to_owned(),
            detail: format!("HTTP 404: {}", snippet(body)),
        }),
        (false, _) => Err(SourceError::Rejected {
            status: status.as_u16(),
            detail: snippet(body),
        }),
        (true, Err(ChartError::Malformed { detail, truncated })) => {
            Err(malformed(detail, truncated))
        }
        (true, Err(ChartError::NoResult)) => {
            Err(malformed("no result in the chart response", false))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_are_percent_encoded() {
        assert_eq!(encode("^GSPC"), "%5EGSPC");
        assert_eq!(encode("KRW=X"), "KRW%3DX");
        assert_eq!(encode("BRK-B"), "BRK-B");
        assert_eq!(encode("005930.KS"), "005930.KS");
        assert_eq!(encode("a/b c"), "a%2Fb%20c");
    }

    #[test]
    fn periods_are_midnight_utc() {
        let d = NaiveDate::from_ymd_opt(2024, 1, 2).unwrap();
        assert_eq!(midnight_utc_secs(d), 1_704_153_600);
    }
}

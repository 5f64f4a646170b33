//! What every HTTP source shares: the client, transport-error mapping, status mapping,
//! content sniffing, and a GET with retries.

use std::time::Duration;

use reqwest::StatusCode;

use super::retry::parse_retry_after;
use super::{SourceConfig, SourceError};

/// Builds a client with the configured timeouts and User-Agent (rustls, gzip; cookies
/// when `cookies`).
pub fn client(config: &SourceConfig, cookies: bool) -> Result<reqwest::Client, SourceError> {
    super::yahoo::install_crypto_provider();
    reqwest::Client::builder()
        .user_agent(config.user_agent.clone())
        .cookie_store(cookies)
        .gzip(true)
        .timeout(config.request_timeout)
        .read_timeout(config.read_timeout)
        .connect_timeout(config.connect_timeout)
        .pool_idle_timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| SourceError::Client(error_chain(&e)))
}

/// The first 200 characters of a body, for an error message.
pub fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut s: String = text.chars().take(200).collect();
    if text.chars().nth(200).is_some() {
        s.push('…');
    }
    s.trim().to_owned()
}

/// Maps a transport error, first cutting the query off its URL: a query may hold a
/// session crumb or key, which must not reach logs or the panel.
pub fn from_reqwest(mut err: reqwest::Error) -> SourceError {
    if let Some(url) = err.url_mut() {
        url.set_query(None);
    }
    let err = &err;
    if err.is_timeout() {
        SourceError::Timeout
    } else if err.is_connect() {
        SourceError::Connect(error_chain(err))
    } else if err.is_body() || err.is_decode() {
        SourceError::Body(error_chain(err))
    } else {
        SourceError::Network(error_chain(err))
    }
}

/// An error and its sources, joined by `: `.
pub fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// What a source expects a successful answer to be, for [`sniff`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyKind {
    /// A JSON document (or a JavaScript array).
    Json,
    /// An XML document.
    Xml,
    /// A CSV table.
    Csv,
}

/// Checks that a successful answer looks like data before it is parsed: an empty body, an
/// HTML page (a challenge, a consent or error page served with 200) or a body of another
/// kind is a failure ([`SourceError::NotData`]), never "no new bars".
pub fn sniff(body: &[u8], kind: BodyKind) -> Result<(), SourceError> {
    let text = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let start = text
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(text.len());
    let text = &text[start..];
    if text.is_empty() {
        return Err(SourceError::NotData {
            what: "an empty body".to_owned(),
        });
    }
    let head: Vec<u8> = text.iter().take(1024).map(u8::to_ascii_lowercase).collect();
    let contains = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
    if head.starts_with(b"<!doctype html") || contains(b"<html") || contains(b"<body") {
        return Err(SourceError::NotData {
            what: format!("an HTML page ({})", snippet(&text[..text.len().min(120)])),
        });
    }
    let fits = match kind {
        BodyKind::Json => matches!(text[0], b'{' | b'['),
        BodyKind::Xml => text[0] == b'<',
        BodyKind::Csv => !matches!(text[0], b'<' | b'{'),
    };
    if fits {
        Ok(())
    } else {
        Err(SourceError::NotData {
            what: format!(
                "not {} ({})",
                match kind {
                    BodyKind::Json => "JSON",
                    BodyKind::Xml => "XML",
                    BodyKind::Csv => "CSV",
                },
                snippet(&text[..text.len().min(120)])
            ),
        })
    }
}

/// The error an HTTP status other than success means: 429, 5xx, 401/403, 404 (an unknown
/// `symbol`), any other 4xx; `None` for a success.
pub fn status_error(
    status: StatusCode,
    body: &[u8],
    retry_after: Option<Duration>,
    symbol: &str,
) -> Option<SourceError> {
    if status.is_success() {
        return None;
    }
    Some(if status == StatusCode::TOO_MANY_REQUESTS {
        SourceError::RateLimited { retry_after }
    } else if status.is_server_error() {
        SourceError::Server {
            status: status.as_u16(),
        }
    } else if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
        SourceError::Unauthorized {
            status: status.as_u16(),
            detail: snippet(body),
        }
    } else if status == StatusCode::NOT_FOUND {
        SourceError::UnknownSymbol {
            symbol: symbol.to_owned(),
            detail: format!("HTTP 404: {}", snippet(body)),
        }
    } else {
        SourceError::Rejected {
            status: status.as_u16(),
            detail: snippet(body),
        }
    })
}

/// The delay a response's `Retry-After` header asks for, if any.
pub(super) fn retry_after_of(resp: &reqwest::Response) -> Option<Duration> {
    resp.headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_retry_after)
}

/// GETs `url` and hands a successful body to `parse`, retrying transient failures
/// (429, 5xx, timeouts, cut or non-data bodies) with the configured backoff, within the
/// per-ticker deadline. Returns the parsed value and the attempts made.
pub async fn get_with_retry<T>(
    http: &reqwest::Client,
    config: &SourceConfig,
    url: &str,
    symbol: &str,
    kind: BodyKind,
    parse: impl Fn(&[u8]) -> Result<T, SourceError>,
) -> Result<(T, u32), SourceError> {
    let deadline = config.ticker_deadline;
    let attempts = async {
        let mut backoff = config.retry.backoff();
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let result = async {
                let resp = http.get(url).send().await.map_err(from_reqwest)?;
                let status = resp.status();
                let retry_after = retry_after_of(&resp);
                let body = resp.bytes().await.map_err(from_reqwest)?;
                if let Some(err) = status_error(status, &body, retry_after, symbol) {
                    return Err(err);
                }
                sniff(&body, kind)?;
                parse(&body)
            }
            .await;
            let err = match result {
                Ok(value) => return Ok((value, attempt)),
                Err(err) => err,
            };
            backoff.wait_to_retry(err, attempt, symbol).await?;
        }
    };
    tokio::time::timeout(deadline, attempts)
        .await
        .unwrap_or(Err(SourceError::DeadlineExceeded { after: deadline }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing_tells_pages_from_data() {
        assert!(sniff(b"", BodyKind::Json).is_err());
        assert!(sniff(b"  \n", BodyKind::Csv).is_err());
        assert!(
            sniff(
                b"<!DOCTYPE html><html><body>Just a moment...</body></html>",
                BodyKind::Json
            )
            .is_err()
        );
        assert!(sniff(b"<html><head><title>Challenge</title>", BodyKind::Xml).is_err());
        assert!(
            sniff(
                b"<?xml version=\"1.0\" encoding=\"EUC-KR\"?><protocol>",
                BodyKind::Xml
            )
            .is_ok()
        );
        assert!(sniff(b"\xEF\xBB\xBF{\"chart\":{}}", BodyKind::Json).is_ok());
        assert!(sniff(b"[['a','b']]", BodyKind::Json).is_ok());
        assert!(sniff(b"DATE,DEXKOUS\n2024-01-02,1300.5\n", BodyKind::Csv).is_ok());
        assert!(sniff(b"{\"error\":1}", BodyKind::Csv).is_err());
        assert!(sniff(b"Too Many Requests", BodyKind::Json).is_err());
        let err = sniff(b"<html>blocked</html>", BodyKind::Json).unwrap_err();
        assert!(err.to_string().contains("HTML page"), "{err}");
        assert!(err.is_transient());
    }
}

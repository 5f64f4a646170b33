//! Exponential backoff with jitter (backon's schedule), bounded attempts, and `Retry-After`.

use std::time::{Duration, SystemTime};

use backon::{BackoffBuilder as _, ExponentialBackoff, ExponentialBuilder};

use super::SourceError;

/// How often and how patiently a failed request is retried.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in total, the first one included (at least 1).
    pub max_attempts: u32,
    /// The delay before the first retry; doubled for each further one.
    pub base_delay: Duration,
    /// The largest delay between two attempts.
    pub max_delay: Duration,
    /// The longest `Retry-After` honoured; a server asking for more gets this much.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

/// The delays between the attempts of one request, in order; empty once the attempts
/// are used up.
#[derive(Debug)]
pub struct Backoff {
    schedule: ExponentialBackoff,
    max_retry_after: Duration,
}

impl Backoff {
    /// After attempt `attempt` of `symbol` failed with `err`: waits for the next attempt
    /// and returns `Ok`, or returns the error to give up with: `err` itself when trying
    /// again cannot help, [`SourceError::RetriesExhausted`] when no attempt is left.
    pub async fn wait_to_retry(
        &mut self,
        err: SourceError,
        attempt: u32,
        symbol: &str,
    ) -> Result<(), SourceError> {
        if !err.is_transient() {
            return Err(err);
        }
        let Some(delay) = self.next_delay(err.retry_after()) else {
            return Err(SourceError::RetriesExhausted {
                attempts: attempt,
                last: Box::new(err),
            });
        };
        tracing::debug!(symbol, attempt, ?delay, "retrying after: {err}");
        tokio::time::sleep(delay).await;
        Ok(())
    }

    /// The delay before the next retry, or `None` when no attempt is left. The server's
    /// `Retry-After` wins when it asks for longer (capped at the policy's
    /// `max_retry_after`).
    pub fn next_delay(&mut self, retry_after: Option<Duration>) -> Option<Duration> {
        let backoff = self.schedule.next()?;
        Some(match retry_after {
            Some(wish) => wish.min(self.max_retry_after).max(backoff),
            None => backoff,
        })
    }
}

impl RetryPolicy {
    /// The schedule of one request's retries: exponential from `base_delay`, capped at
    /// `max_delay`, each delay drawn uniformly from `[d/2, d)` ("equal jitter", so that
    /// many tickers failing together do not retry in lockstep), `max_attempts - 1` of them.
    ///
    /// backon adds a jitter in `[0, d)` to a delay `d`: starting it at half the base and
    /// capping it at half the maximum gives exactly the equal-jitter range.
    pub fn backoff(&self) -> Backoff {
        let retries = self.max_attempts.max(1) - 1;
        let schedule = ExponentialBuilder::new()
            .with_min_delay(self.base_delay / 2)
            .with_max_delay(self.max_delay / 2)
            .with_factor(2.0)
            .with_jitter()
            .with_max_times(retries as usize)
            .build();
        Backoff {
            schedule,
            max_retry_after: self.max_retry_after,
        }
    }
}

/// Parses a `Retry-After` header value: delay seconds, or an HTTP date (RFC 9110, through
/// `httpdate`), as the time left until then (zero for a date already past).
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    parse_retry_after_at(value, SystemTime::now())
}

fn parse_retry_after_at(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use super::*;

    #[test]
    fn backoff_doubles_within_jitter_caps_and_ends() {
        let p = RetryPolicy {
            max_attempts: 11,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(1000),
            max_retry_after: Duration::from_secs(5),
        };
        for _ in 0..200 {
            let mut b = p.backoff();
            let d: Vec<Duration> = std::iter::from_fn(|| b.next_delay(None)).collect();
            assert_eq!(d.len(), 10, "one delay per retry");
            let ms = Duration::from_millis;
            assert!(d[0] >= ms(50) && d[0] < ms(100), "{:?}", d[0]);
            assert!(d[2] >= ms(200) && d[2] < ms(400), "{:?}", d[2]);
            assert!(d[9] >= ms(500) && d[9] < ms(1000), "{:?}", d[9]);
        }
        let once = RetryPolicy {
            max_attempts: 1,
            ..p.clone()
        };
        assert_eq!(once.backoff().next_delay(None), None, "no retry left");
        let zero = RetryPolicy {
            max_attempts: 0,
            ..p
        };
        assert_eq!(zero.backoff().next_delay(None), None);
    }

    #[test]
    fn retry_after_is_honoured_and_capped() {
        let p = RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
            max_retry_after: Duration::from_secs(5),
        };
        assert_eq!(
            p.backoff().next_delay(Some(Duration::from_secs(2))),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            p.backoff().next_delay(Some(Duration::from_secs(500))),
            Some(Duration::from_secs(5))
        );
        assert!(p.backoff().next_delay(None) <= Some(Duration::from_millis(1)));
        assert_eq!(parse_retry_after(" 7 "), Some(Duration::from_secs(7)));
        let now = UNIX_EPOCH + Duration::from_secs(1_445_412_400); // 2015-10-21 07:26:40 GMT
        assert_eq!(
            parse_retry_after_at("Wed, 21 Oct 2015 07:28:00 GMT", now),
            Some(Duration::from_secs(80))
        );
        assert_eq!(
            parse_retry_after_at("Wed, 21 Oct 2015 07:20:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }
}

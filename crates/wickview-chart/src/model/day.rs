//! Trading days written as text, and the days a bar may have.

use std::ops::RangeInclusive;

use chrono::{Days, NaiveDate, NaiveTime, Utc};

/// The earliest day a bar may have: 1900-01-01. Earlier dates in price data are placeholders
/// (`0000-01-01`) or typing mistakes, not trading days.
pub const EARLIEST_DAY: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// The latest day a bar may have when the UTC date is `today`: tomorrow, since a day's bar in
/// Seoul or Sydney is dated a day ahead of UTC for part of that day. Anything later
/// (`9999-12-31`, `3000-01-01`) is a placeholder or a mistake.
pub fn latest_day_after(today: NaiveDate) -> NaiveDate {
    today.checked_add_days(Days::new(1)).unwrap_or(today)
}

/// The latest day a bar may have now: tomorrow in UTC ([`latest_day_after`] of today).
pub fn latest_day() -> NaiveDate {
    latest_day_after(Utc::now().date_naive())
}

/// The days a bar may have now: [`EARLIEST_DAY`] to [`latest_day`].
pub fn plausible_days() -> RangeInclusive<NaiveDate> {
    EARLIEST_DAY..=latest_day()
}

/// Parses a trading day: `2024-01-02`, `2024/01/02`, `20240102`, or a timestamp whose
/// first ten characters are the local date (`2024-01-02 00:00:00-05:00`, yfinance;
/// `2024-01-02T00:00:00Z`). Anything else after the date (`2024-01-02x`) is rejected.
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    let (head, rest) = t.split_at_checked(10).unwrap_or((t, ""));
    if !rest.is_empty() && !is_time_of_day(rest) {
        return None;
    }
    NaiveDate::parse_from_str(head, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(head, "%Y/%m/%d"))
        .or_else(|_| NaiveDate::parse_from_str(t, "%Y%m%d"))
        .ok()
}

/// Whether `rest` (what follows a date) is a time of day with an optional fraction and
/// offset: ` 00:00:00-05:00`, `T00:00:00Z`, ` 00:00:00.000+09:00`, ` 00:00`.
fn is_time_of_day(rest: &str) -> bool {
    let Some(time) = rest.strip_prefix([' ', 'T']) else {
        return false;
    };
    let time = time.strip_suffix('Z').unwrap_or(time);
    let (clock, offset) = match time.find(['+', '-']) {
        Some(k) => time.split_at(k),
        None => (time, ""),
    };
    let clock_ok = NaiveTime::parse_from_str(clock, "%H:%M:%S%.f").is_ok()
        || NaiveTime::parse_from_str(clock, "%H:%M").is_ok();
    let offset_ok = offset.is_empty()
        || NaiveTime::parse_from_str(&offset[1..], "%H:%M").is_ok()
        || (offset.len() == 5 && NaiveTime::parse_from_str(&offset[1..], "%H%M").is_ok());
    clock_ok && offset_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn dates_with_trailing_garbage_are_rejected() {
        for good in [
            "2024-01-02",
            "2024-01-02 00:00:00-05:00",
            "2024-01-02 00:00:00+09:00",
            "2024-01-02T00:00:00Z",
            "2024-01-02 00:00:00.000",
            "2024/01/02",
            "20240102",
        ] {
            assert_eq!(parse_day(good), Some(d(2024, 1, 2)), "{good}");
        }
        for bad in [
            "2024-01-02x",
            "2024-01-0211",
            "2024-01-02 junk",
            "2024-01-02 25:00",
            "2024-13-02",
        ] {
            assert_eq!(parse_day(bad), None, "{bad}");
        }
    }
}

//! Parser of Yahoo Finance's v8 chart JSON (`/v8/finance/chart/{symbol}`).
//!
//! The document looks like this (abridged):
//!
//! ```json
//! {"chart":{"result":[{
//!     "meta":{"symbol":"AAPL","longName":"Apple Inc.","shortName":"Apple Inc.",
//!             "exchangeTimezoneName":"America/New_York","gmtoffset":-14400, ...},
//!     "timestamp":[1704205800, ...],
//!     "events":{"dividends":{"1707489000":{"amount":0.24,"date":1707489000}},
//!               "splits":{"1598880600":{"date":1598880600,"numerator":4,"denominator":1,"splitRatio":"4:1"}}},
//!     "indicators":{"quote":[{"open":[..],"high":[..],"low":[..],"close":[..],"volume":[..]}],
//!                   "adjclose":[{"adjclose":[..]}]}}],
//!   "error":null}}
//! ```
//!
//! Daily bars are stamped at the session open in the exchange's time zone (13:30Z or
//! 14:30Z for New York, 00:00Z for Seoul), so the trading day is the timestamp's date in
//! that zone, never its UTC date.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, NaiveDate, Offset as _, TimeZone as _, Utc};
use serde::Deserialize;

use crate::model::{Bar, BarIssue, DailySeries, SeriesBuilder};

/// What one chart document held, already validated into a series.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartData {
    /// The symbol Yahoo answered for (`meta.symbol`), if given.
    pub symbol: Option<String>,
    /// The exchange time zone used to find trading days (IANA name, or `UTC+hh:mm`).
    pub time_zone: String,
    /// The currency of the prices (`meta.currency`), if given.
    pub currency: Option<String>,
    /// The instrument's name (`meta.longName`, else `meta.shortName`), if given and not
    /// blank: `Samsung Electronics Co., Ltd.`, `Apple Inc.`.
    pub name: Option<String>,
    /// The valid bars, one per trading day, ascending.
    pub series: DailySeries,
    /// Days left out because a price (open, high, low or close) was null or missing, or
    /// the timestamp was out of range.
    pub skipped_nulls: usize,
    /// Impossible bars left out and days sent more than once (the last one is kept).
    pub issues: Vec<BarIssue>,
    /// The exchange's current regular session (`meta.currentTradingPeriod.regular`): its
    /// trading day and when it ends (Unix seconds), if given.
    pub trading_period: Option<(NaiveDate, i64)>,
}

impl ChartData {
    /// Marks the last bar provisional when it is the day of the current session and the
    /// session has not ended at `now` (Unix seconds): its values may still change.
    pub fn mark_provisional(&mut self, now_secs: i64) {
        let open = self
            .trading_period
            .is_some_and(|(day, end)| now_secs < end && self.series.last_day() == Some(day));
        self.series.set_last_provisional(open);
    }
}

/// Why a chart document could not be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChartError {
    /// The document carried `chart.error` (Yahoo's answer for unknown or delisted symbols).
    #[error("Yahoo reports {code}: {description}")]
    Reported {
        /// `chart.error.code`, e.g. `Not Found`.
        code: String,
        /// `chart.error.description`.
        description: String,
    },
    /// The text is not JSON, or not a chart document.
    #[error("malformed chart JSON: {detail}")]
    Malformed {
        /// What the JSON parser said.
        detail: String,
        /// Whether the text simply stopped early (a body cut in the middle).
        truncated: bool,
    },
    /// A well-formed chart document without any result.
    #[error("chart response has no result")]
    NoResult,
}

#[derive(Deserialize)]
struct Envelope {
    chart: Chart,
}

#[derive(Deserialize)]
struct Chart {
    #[serde(default)]
    result: Option<Vec<ChartResult>>,
    #[serde(default)]
    error: Option<ErrorBody>,
}

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Deserialize)]
struct ChartResult {
    #[serde(default)]
    meta: Meta,
    #[serde(default)]
    timestamp: Option<Vec<Option<i64>>>,
    #[serde(default)]
    events: Option<Events>,
    #[serde(default)]
    indicators: Option<Indicators>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Meta {
    #[serde(default)]
    symbol: Option<String>,
    #[serde(default)]
    currency: Option<String>,
    #[serde(default)]
    exchange_timezone_name: Option<String>,
    #[serde(default)]
    gmtoffset: Option<i64>,
    #[serde(default)]
    current_trading_period: Option<TradingPeriods>,
    #[serde(default)]
    long_name: Option<String>,
    #[serde(default)]
    short_name: Option<String>,
}

#[derive(Default, Deserialize)]
struct TradingPeriods {
    #[serde(default)]
    regular: Option<TradingPeriod>,
}

#[derive(Default, Deserialize)]
struct TradingPeriod {
    #[serde(default)]
    start: Option<i64>,
    #[serde(default)]
    end: Option<i64>,
}

#[derive(Deserialize)]
struct Events {
    #[serde(default)]
    dividends: Option<HashMap<String, Dividend>>,
    #[serde(default)]
    splits: Option<HashMap<String, Split>>,
}

#[derive(Deserialize)]
struct Dividend {
    #[serde(default)]
    amount: Option<f64>,
    #[serde(default)]
    date: Option<i64>,
}

#[derive(Deserialize)]
struct Split {
    #[serde(default)]
    date: Option<i64>,
    #[serde(default)]
    numerator: Option<f64>,
    #[serde(default)]
    denominator: Option<f64>,
}

#[derive(Deserialize)]
struct Indicators {
    #[serde(default)]
    quote: Option<Vec<Quote>>,
}

#[derive(Default, Deserialize)]
struct Quote {
    #[serde(default)]
    open: Option<Vec<Option<f64>>>,
    #[serde(default)]
    high: Option<Vec<Option<f64>>>,
    #[serde(default)]
    low: Option<Vec<Option<f64>>>,
    #[serde(default)]
    close: Option<Vec<Option<f64>>>,
    #[serde(default)]
    volume: Option<Vec<Option<f64>>>,
}

/// The time zone trading days are taken in.
enum DayZone {
    Named(chrono_tz::Tz),
    Fixed(FixedOffset),
}

impl DayZone {
    fn from_meta(meta: &Meta) -> Self {
        if let Some(tz) = meta
            .exchange_timezone_name
            .as_deref()
            .and_then(|name| name.parse::<chrono_tz::Tz>().ok())
        {
            return Self::Named(tz);
        }
        let offset = meta
            .gmtoffset
            .and_then(|s| i32::try_from(s).ok())
            .and_then(FixedOffset::east_opt)
            .unwrap_or_else(|| Utc.fix());
        Self::Fixed(offset)
    }

    fn name(&self) -> String {
        match self {
            Self::Named(tz) => tz.name().to_owned(),
            Self::Fixed(off) => format!("UTC{off}"),
        }
    }

    fn day(&self, timestamp_secs: i64) -> Option<NaiveDate> {
        let utc: DateTime<Utc> = DateTime::from_timestamp(timestamp_secs, 0)?;
        Some(match self {
            Self::Named(tz) => tz.from_utc_datetime(&utc.naive_utc()).date_naive(),
            Self::Fixed(off) => off.from_utc_datetime(&utc.naive_utc()).date_naive(),
        })
    }
}

fn element(values: Option<&Vec<Option<f64>>>, i: usize) -> Option<f64> {
    values.and_then(|v| v.get(i).copied().flatten())
}

/// The dividends (summed) and split ratios (numerator / denominator) of `events`, by the
/// trading day they fall on in `zone`.
fn events_by_day(
    events: Events,
    zone: &DayZone,
) -> (HashMap<NaiveDate, f64>, HashMap<NaiveDate, f64>) {
    let mut dividends: HashMap<NaiveDate, f64> = HashMap::new();
    let mut splits: HashMap<NaiveDate, f64> = HashMap::new();
    for d in events.dividends.into_iter().flat_map(HashMap::into_values) {
        if let (Some(amount), Some(day)) = (d.amount, d.date.and_then(|t| zone.day(t))) {
            *dividends.entry(day).or_insert(0.0) += amount;
        }
    }
    for s in events.splits.into_iter().flat_map(HashMap::into_values) {
        if let (Some(num), Some(den), Some(day)) =
            (s.numerator, s.denominator, s.date.and_then(|t| zone.day(t)))
            && den != 0.0
        {
            splits.insert(day, num / den);
        }
    }
    (dividends, splits)
}

/// Parses a chart document into validated daily bars.
///
/// Days whose open, high, low or close is null are skipped and counted; a null volume
/// is taken as 0 (indices and currencies often have none). Dividends and splits are
/// joined to the bar of their trading day (split ratio = numerator / denominator).
/// A day sent twice (Yahoo repeats today's bar) keeps the last one. Never panics.
pub fn parse_chart(body: &[u8]) -> Result<ChartData, ChartError> {
    let envelope: Envelope = serde_json::from_slice(body).map_err(|e| ChartError::Malformed {
        detail: e.to_string(),
        truncated: e.is_eof(),
    })?;
    let chart = envelope.chart;
    if let Some(err) = chart.error {
        return Err(ChartError::Reported {
            code: err.code.unwrap_or_else(|| "error".to_owned()),
            description: err.description.unwrap_or_default(),
        });
    }
    let result = chart
        .result
        .and_then(|r| r.into_iter().next())
        .ok_or(ChartError::NoResult)?;
    let zone = DayZone::from_meta(&result.meta);

    let (dividends, splits) = result
        .events
        .map(|events| events_by_day(events, &zone))
        .unwrap_or_default();

    let timestamps = result.timestamp.unwrap_or_default();
    let quote = result
        .indicators
        .and_then(|i| i.quote)
        .and_then(|q| q.into_iter().next())
        .unwrap_or_default();
    let mut builder = SeriesBuilder::with_capacity(timestamps.len());
    let mut skipped_nulls = 0;
    for (i, ts) in timestamps.iter().enumerate() {
        let day = ts.and_then(|t| zone.day(t));
        let prices = (
            element(quote.open.as_ref(), i),
            element(quote.high.as_ref(), i),
            element(quote.low.as_ref(), i),
            element(quote.close.as_ref(), i),
        );
        let (Some(date), (Some(open), Some(high), Some(low), Some(close))) = (day, prices) else {
            skipped_nulls += 1;
            continue;
        };
        builder.push(Bar {
            date,
            open,
            high,
            low,
            close,
            volume: element(quote.volume.as_ref(), i).unwrap_or(0.0),
            dividends: dividends.get(&date).copied().unwrap_or(0.0),
            stock_splits: splits.get(&date).copied().unwrap_or(0.0),
        });
    }
    let (series, issues) = builder.build();
    let trading_period = result
        .meta
        .current_trading_period
        .as_ref()
        .and_then(|p| p.regular.as_ref())
        .and_then(|r| Some((zone.day(r.start?)?, r.end?)));
    let name = [result.meta.long_name, result.meta.short_name]
        .into_iter()
        .flatten()
        .map(|n| n.trim().to_owned())
        .find(|n| !n.is_empty());
    Ok(ChartData {
        trading_period,
        name,
        symbol: result.meta.symbol,
        time_zone: zone.name(),
        currency: result.meta.currency,
        series,
        skipped_nulls,
        issues,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn new_york_days_are_taken_in_exchange_time() {
        // 2024-01-02 14:30Z (winter, EST) and 2024-07-01 13:30Z (summer, EDT).
        let body = br#"{"chart":{"result":[{"meta":{"symbol":"AAPL","currency":"USD",
            "exchangeTimezoneName":"America/New_York","gmtoffset":-14400},
            "timestamp":[1704205800,1719840600],
            "indicators":{"quote":[{"open":[187.15,212.09],"high":[188.44,217.51],
            "low":[183.89,211.92],"close":[185.64,216.75],"volume":[82488700,60402900]}]}}],
            "error":null}}"#;
        let data = parse_chart(body).unwrap();
        assert_eq!(data.series.days(), &[d(2024, 1, 2), d(2024, 7, 1)]);
        assert_eq!(data.series.close(), &[185.64, 216.75]);
        assert_eq!(data.series.volume(), &[82_488_700.0, 60_402_900.0]);
        assert_eq!(data.time_zone, "America/New_York");
        assert_eq!(data.symbol.as_deref(), Some("AAPL"));
    }

    #[test]
    fn the_long_name_is_taken_else_the_short_one() {
        let body = |names: &str| {
            format!(
                r#"{{"chart":{{"result":[{{"meta":{{"symbol":"005930.KS"{names}}},"timestamp":[],
                "indicators":{{"quote":[{{}}]}}}}],"error":null}}}}"#
            )
        };
        let name = |names: &str| parse_chart(body(names).as_bytes()).unwrap().name;
        assert_eq!(
            name(r#","longName":"Samsung Electronics Co., Ltd.","shortName":"SamsungElec""#)
                .as_deref(),
            Some("Samsung Electronics Co., Ltd.")
        );
        assert_eq!(
            name(r#","longName":" ","shortName":"SamsungElec""#).as_deref(),
            Some("SamsungElec")
        );
        assert_eq!(name(r#","longName":null"#), None);
        assert_eq!(name(""), None);
    }

    #[test]
    fn seoul_midnight_utc_is_the_same_day_and_sydney_is_the_next() {
        // 2024-01-02 00:00Z is 09:00 in Seoul; 2024-01-01 23:00Z is 10:00 in Sydney on Jan 2.
        let body = |tz: &str, ts: i64| {
            format!(
                r#"{{"chart":{{"result":[{{"meta":{{"exchangeTimezoneName":"{tz}"}},"timestamp":[{ts}],
                "indicators":{{"quote":[{{"open":[1],"high":[2],"low":[0.5],"close":[1.5],"volume":[0]}}]}}}}],"error":null}}}}"#
            )
        };
        let seoul = parse_chart(body("Asia/Seoul", 1_704_153_600).as_bytes()).unwrap();
        assert_eq!(seoul.series.days(), &[d(2024, 1, 2)]);
        let sydney = parse_chart(body("Australia/Sydney", 1_704_150_000).as_bytes()).unwrap();
        assert_eq!(sydney.series.days(), &[d(2024, 1, 2)]);
    }

    #[test]
    fn unknown_zone_name_falls_back_to_gmtoffset() {
        let body = br#"{"chart":{"result":[{"meta":{"exchangeTimezoneName":"Mars/Olympus","gmtoffset":32400},
            "timestamp":[1704153600],
            "indicators":{"quote":[{"open":[1],"high":[2],"low":[0.5],"close":[1.5],"volume":[null]}]}}],"error":null}}"#;
        let data = parse_chart(body).unwrap();
        assert_eq!(data.series.days(), &[d(2024, 1, 2)]);
        assert_eq!(data.time_zone, "UTC+09:00");
        assert_eq!(data.series.volume(), &[0.0], "null volume is 0");
    }

    #[test]
    fn chart_error_is_reported() {
        let body = br#"{"chart":{"result":null,"error":{"code":"Not Found","description":"No data found, symbol may be delisted"}}}"#;
        assert_eq!(
            parse_chart(body).unwrap_err(),
            ChartError::Reported {
                code: "Not Found".into(),
                description: "No data found, symbol may be delisted".into()
            }
        );
    }

    #[test]
    fn truncated_and_garbage_bodies_are_malformed() {
        let full = br#"{"chart":{"result":[{"meta":{},"timestamp":[1704205800]}],"error":null}}"#;
        let cut = &full[..full.len() / 2];
        assert!(matches!(
            parse_chart(cut),
            Err(ChartError::Malformed {
                truncated: true,
                ..
            })
        ));
        assert!(matches!(
            parse_chart(b"<html>Too Many Requests</html>"),
            Err(ChartError::Malformed {
                truncated: false,
                ..
            })
        ));
        assert_eq!(
            parse_chart(br#"{"chart":{"result":[],"error":null}}"#),
            Err(ChartError::NoResult)
        );
    }

    #[test]
    fn empty_range_has_no_bars() {
        let body = br#"{"chart":{"result":[{"meta":{"symbol":"AAPL","exchangeTimezoneName":"America/New_York"},
            "indicators":{"quote":[{}],"adjclose":[{}]}}],"error":null}}"#;
        let data = parse_chart(body).unwrap();
        assert!(data.series.is_empty());
        assert_eq!(data.skipped_nulls, 0);
    }

    #[test]
    fn prices_and_days_no_market_has_are_rejected_bars() {
        // 2024-01-02, 2024-01-03, 0000-01-01, 9999-12-31 and 3000-01-01 at 00:00Z.
        let body = br#"{"chart":{"result":[{"meta":{"exchangeTimezoneName":"UTC"},
            "timestamp":[1704153600,1704240000,-62167219200,253402214400,32503680000],
            "indicators":{"quote":[{"open":[1,1e308,1,1,1],"high":[2,1e308,2,2,2],
            "low":[0.5,1e308,0.5,0.5,0.5],"close":[1.5,1e308,1.5,1.5,1.5]}]}}],"error":null}}"#;
        let data = parse_chart(body).unwrap();
        assert_eq!(data.series.days(), &[d(2024, 1, 2)]);
        let said: Vec<String> = data.issues.iter().map(ToString::to_string).collect();
        assert_eq!(
            said,
            [
                "2024-01-03: a price is above 10^12, which no market has",
                "0000-01-01: the date is before 1900 or after tomorrow",
                "9999-12-31: the date is before 1900 or after tomorrow",
                "3000-01-01: the date is before 1900 or after tomorrow",
            ]
        );
    }

    #[test]
    fn short_arrays_count_as_nulls() {
        let body = br#"{"chart":{"result":[{"meta":{"exchangeTimezoneName":"UTC"},
            "timestamp":[1704153600,1704240000,1704326400],
            "indicators":{"quote":[{"open":[1,1],"high":[2,2,2],"low":[0.5,0.5,0.5],"close":[1.5,1.5,1.5]}]}}],"error":null}}"#;
        let data = parse_chart(body).unwrap();
        assert_eq!(data.series.len(), 2);
        assert_eq!(data.skipped_nulls, 1);
    }
}

//! Lenient reading of MongoDB bar documents.
//!
//! Documents written by other tools (the earlier yfinance + pymongo scripts) are not
//! always in wickview's own form: dates stored as text, numbers as text or integers,
//! NaN or null volumes, a missing field. Each document is decoded on its own, so one
//! that cannot be read is left out (and counted) instead of failing the whole series.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use mongodb::bson::{Bson, Document};

use super::from_epoch_days;
use crate::model::{Bar, parse_day, shown};

const MS_PER_DAY: i64 = 86_400_000;

/// How a stored `date` was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum DateForm {
    /// A BSON date at 00:00 UTC of the trading day (wickview's own form).
    Midnight,
    /// A BSON date at another instant (yfinance's zone-aware midnight, e.g. 15:00 UTC the
    /// day before for Seoul): its trading day is its calendar day in the exchange's zone.
    Shifted,
    /// Text (`2024-01-02`, `2024-01-02 00:00:00+09:00`).
    Text,
}

/// The trading day of a stored `date`, given the exchange's time zone `tz`.
pub(super) fn day_of(value: Option<&Bson>, tz: Tz) -> Result<(NaiveDate, DateForm), String> {
    match value {
        Some(Bson::DateTime(t)) => {
            let ms = t.timestamp_millis();
            if ms.rem_euclid(MS_PER_DAY) == 0 {
                return from_epoch_days(ms.div_euclid(MS_PER_DAY))
                    .map(|d| (d, DateForm::Midnight))
                    .ok_or_else(|| format!("date {t} is out of range"));
            }
            DateTime::<Utc>::from_timestamp_millis(ms)
                .map(|utc| (utc.with_timezone(&tz).date_naive(), DateForm::Shifted))
                .ok_or_else(|| format!("date {t} is out of range"))
        }
        Some(Bson::String(s)) => parse_day(s)
            .map(|d| (d, DateForm::Text))
            .ok_or_else(|| format!("'{}' is not a date", shown(s))),
        Some(other) => Err(format!("date {} is not a date", shown(&other.to_string()))),
        None => Err("no date".to_owned()),
    }
}

/// The number fields of a bar document, in order.
pub(super) const NUMBER_FIELDS: [&str; 7] = [
    "open",
    "high",
    "low",
    "close",
    "volume",
    "dividends",
    "stock_splits",
];

/// Whether a readable document stores a number in another form than wickview writes
/// (a double, or null for a close-only bar's open/high/low): text, NaN, null or a
/// missing volume, dividend or split.
pub(super) fn has_untidy_numbers(doc: &Document) -> bool {
    let prices_null = ["open", "high", "low"]
        .iter()
        .all(|f| matches!(doc.get(*f), None | Some(Bson::Null)));
    NUMBER_FIELDS.iter().any(|f| match doc.get(*f) {
        Some(Bson::Double(v)) => v.is_nan(),
        Some(Bson::Int32(_) | Bson::Int64(_)) => false,
        None | Some(Bson::Null) => !(prices_null && matches!(*f, "open" | "high" | "low")),
        Some(_) => true,
    })
}

/// A number field: doubles, integers and numeric text are read; null, a missing field
/// and NaN read as `None`.
pub(super) fn number_of(value: Option<&Bson>) -> Result<Option<f64>, String> {
    let v = match value {
        None | Some(Bson::Null | Bson::Undefined) => return Ok(None),
        Some(Bson::Double(v)) => *v,
        Some(Bson::Int32(v)) => f64::from(*v),
        Some(Bson::Int64(v)) => *v as f64,
        Some(Bson::Decimal128(v)) => v
            .to_string()
            .parse::<f64>()
            .map_err(|_| format!("{v} is not a number"))?,
        Some(Bson::String(s)) => {
            let t = s.trim();
            if t.is_empty() || t.eq_ignore_ascii_case("nan") || t.eq_ignore_ascii_case("null") {
                return Ok(None);
            }
            // A split written as a ratio ("4:1", "1/10") or a plain number ("4.0").
            if let Some((a, b)) = t.split_once([':', '/']) {
                let (a, b) = (a.trim().parse::<f64>(), b.trim().parse::<f64>());
                return match (a, b) {
                    (Ok(a), Ok(b)) if b != 0.0 => Ok(Some(a / b)),
                    _ => Err(format!("'{}' is not a number", shown(t))),
                };
            }
            t.parse::<f64>()
                .map_err(|_| format!("'{}' is not a number", shown(t)))?
        }
        Some(other) => return Err(format!("{} is not a number", shown(&other.to_string()))),
    };
    Ok((!v.is_nan()).then_some(v))
}

/// Decodes one bar document. Missing or null open/high/low (all three) make a
/// close-only bar; a missing, null or NaN volume, dividend or split reads as 0. The bar
/// is not checked here ([`crate::model::SeriesBuilder`] does that).
pub(super) fn decode_bar(doc: &Document, tz: Tz) -> Result<Bar, String> {
    let (date, _) = day_of(doc.get("date"), tz)?;
    let field = |name: &str| number_of(doc.get(name)).map_err(|e| format!("{date}: {name}: {e}"));
    let (open, high, low) = (field("open")?, field("high")?, field("low")?);
    let close = field("close")?.ok_or_else(|| format!("{date}: no close"))?;
    let price = |p: Option<f64>| p.unwrap_or(f64::NAN);
    Ok(Bar {
        date,
        open: price(open),
        high: price(high),
        low: price(low),
        close,
        volume: field("volume")?.unwrap_or(0.0),
        dividends: field("dividends")?.unwrap_or(0.0),
        stock_splits: field("stock_splits")?.unwrap_or(0.0),
    })
}

/// A price as written: a close-only bar's missing open/high/low (NaN) become null.
pub(super) fn price_value(p: f64) -> Option<f64> {
    p.is_finite().then_some(p)
}

#[cfg(test)]
mod tests {
    use mongodb::bson::{self, doc};

    use super::*;

    const NY: Tz = Tz::America__New_York;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn decode_bar_ny(doc: &Document) -> Result<Bar, String> {
        decode_bar(doc, NY)
    }

    #[test]
    fn instants_map_to_the_exchange_day() {
        // yfinance's midnight in Seoul: 15:00 UTC of the day before.
        let seoul_midnight = Bson::DateTime(bson::DateTime::from_millis(1_704_121_200_000));
        assert_eq!(
            day_of(Some(&seoul_midnight), Tz::Asia__Seoul),
            Ok((d(2024, 1, 2), DateForm::Shifted))
        );
        // Midnight in New York (05:00 UTC) stays on its day.
        let ny = Bson::DateTime(bson::DateTime::from_millis(1_704_171_600_000));
        assert_eq!(
            day_of(Some(&ny), NY),
            Ok((d(2024, 1, 2), DateForm::Shifted))
        );
        let utc = Bson::DateTime(bson::DateTime::from_millis(1_704_153_600_000));
        assert_eq!(
            day_of(Some(&utc), Tz::Asia__Seoul),
            Ok((d(2024, 1, 2), DateForm::Midnight))
        );
        assert_eq!(
            day_of(Some(&Bson::String("2024-01-02".into())), NY),
            Ok((d(2024, 1, 2), DateForm::Text))
        );
    }

    #[test]
    fn untidy_numbers() {
        let tidy = doc! { "open": 1.0, "high": 2.0, "low": 0.5, "close": 1.5, "volume": 3_i64,
        "dividends": 0.0, "stock_splits": 0.0 };
        assert!(!has_untidy_numbers(&tidy));
        let close_only = doc! { "open": Bson::Null, "high": Bson::Null, "low": Bson::Null,
        "close": 1.5, "volume": 0.0, "dividends": 0.0, "stock_splits": 0.0 };
        assert!(!has_untidy_numbers(&close_only));
        let mut nan = tidy.clone();
        nan.insert("volume", f64::NAN);
        assert!(has_untidy_numbers(&nan));
        let mut text = tidy.clone();
        text.insert("stock_splits", "0.0");
        assert!(has_untidy_numbers(&text));
        let mut missing = tidy;
        missing.remove("dividends");
        assert!(has_untidy_numbers(&missing));
    }

    #[test]
    fn integer_fields_and_missing_extras() {
        let bar = decode_bar_ny(&doc! {
            "date": bson::DateTime::from_millis(0),
            "open": 1_i32, "high": 2_i64, "low": 0.5, "close": 1.5, "volume": 100_i64,
        })
        .unwrap();
        assert_eq!((bar.open, bar.high, bar.volume), (1.0, 2.0, 100.0));
        assert_eq!((bar.dividends, bar.stock_splits), (0.0, 0.0));
        assert_eq!(bar.date, d(1970, 1, 1));
    }

    #[test]
    fn documents_of_other_tools() {
        let bar = decode_bar_ny(&doc! {
            "date": "2018-05-04", "open": "53000", "high": 53900.0, "low": 51800.0,
            "close": 51900.0, "volume": f64::NAN, "dividends": Bson::Null, "stock_splits": "50:1",
        })
        .unwrap();
        assert_eq!(bar.date, d(2018, 5, 4));
        assert_eq!(
            (bar.open, bar.volume, bar.stock_splits),
            (53000.0, 0.0, 50.0)
        );
        assert_eq!(
            decode_bar_ny(&doc! { "date": "2024-01-02 00:00:00+09:00", "close": 7 })
                .unwrap()
                .date,
            d(2024, 1, 2)
        );
        let close_only =
            decode_bar_ny(&doc! { "date": "2024-01-02", "close": 4.25, "open": Bson::Null })
                .unwrap();
        assert!(close_only.is_close_only());
        assert!(
            decode_bar_ny(&doc! { "date": "yesterday", "close": 1.0 })
                .unwrap_err()
                .contains("not a date")
        );
        assert!(
            decode_bar_ny(&doc! { "date": "2024-01-02" })
                .unwrap_err()
                .contains("no close")
        );
        assert!(
            decode_bar_ny(&doc! { "date": "2024-01-02", "close": 1.0, "open": "abc" })
                .unwrap_err()
                .contains("open")
        );
        assert!(
            decode_bar_ny(&doc! { "close": 1.0 })
                .unwrap_err()
                .contains("no date")
        );
    }
}

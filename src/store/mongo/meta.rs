//! `ticker_metadata` documents: their canonical form, and reading other tools' documents.
//!
//! wickview writes `{ticker, name, name_en, category, source_symbol, active, created_at,
//! updated_at}` with a text ticker, name, English name and category, a boolean `active` and
//! BSON dates (`name_en` only when there is one: a document without it, as earlier versions
//! wrote, is canonical and has none).
//! Other tools write other shapes, and each document is read on its own and leniently
//! where its meaning is clear:
//!
//! - a numeric `name` is its text (`7`, `3.5`); a null, missing or non-text one is the
//!   ticker (as `repair` names the metadata it creates);
//! - `active` as text (`"yes"`, `"true"`, `"1"`, `"y"`, `"on"`; `"no"`, `"false"`, `"0"`,
//!   `"n"`, `"off"`) or as a number (non-zero is true); null, missing or other text is
//!   true (tickers are collected unless turned off);
//! - `created_at` / `updated_at` as RFC 3339 or `YYYY-MM-DD[ HH:MM:SS]` text (UTC), or as a
//!   number of Unix seconds (below 10¹¹) or milliseconds; a missing or unreadable
//!   `created_at` is the insert time in an ObjectId `_id`, else `updated_at`, else now; a
//!   missing `updated_at` is `created_at`;
//! - a `category` spelled as [`Category::parse`] reads it (`us`, `us_stocks`, `KRX`, ...);
//! - a ticker stored as a number (spreadsheets and pandas read `005930` as 5930) is a KRX
//!   code: zero-padded to six digits in the categories where a KRX code is a ticker
//!   (Korean stocks, and KRX funds filed as indices); any other number is no ticker;
//! - a ticker filed under its Yahoo symbol (`005930.KS`) reads as the canonical ticker,
//!   the suffix as its source symbol.
//!
//! A document without a ticker, with one that is no valid ticker of its category, or
//! without a category is unreadable: lists leave it out (with a warning naming the
//! collection and `_id`) and `repair` reports it. `repair` rewrites every readable
//! document that is not in the canonical form (see [`Read::untidy`]).

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use mongodb::bson::{self, Bson, Document, doc};

use crate::model::{Category, KrMarket, Ticker, TickerMeta};

/// A document read as metadata.
#[derive(Clone, Debug, PartialEq)]
pub(in crate::store) struct Read {
    pub meta: TickerMeta,
    /// How the document differs from the canonical form (empty when it is canonical), e.g.
    /// `ticker was the number 5930`; a ticker filed under another spelling is in
    /// [`Read::filed_as`] instead.
    pub untidy: Vec<String>,
    /// The ticker text as stored, when it differs from the canonical ticker
    /// (`005930.KS`, `aapl`); `None` when it is canonical (or was a number, see `untidy`).
    pub filed_as: Option<String>,
}

/// The `_id` of a document, as shown in warnings and reports.
pub(in crate::store) fn id_text(doc: &Document) -> String {
    doc.get("_id")
        .map_or_else(|| "none".to_owned(), ToString::to_string)
}

/// The ticker text of a document before validation: a text ticker trimmed, a whole number
/// as a six-digit KRX code; `None` when there is none.
pub(in crate::store) fn ticker_text(doc: &Document) -> Result<String, String> {
    match doc.get("ticker") {
        None | Some(Bson::Null | Bson::Undefined) => Err("it has no ticker".to_owned()),
        Some(Bson::String(s)) if s.trim().is_empty() => Err("its ticker is empty".to_owned()),
        Some(Bson::String(s)) => Ok(s.trim().to_owned()),
        Some(other) => match whole_number(other) {
            Some(n) if (0..=999_999).contains(&n) => Ok(format!("{n:06}")),
            Some(n) => Err(format!("its ticker is the number {n}, which is no ticker")),
            None => Err(format!(
                "its ticker is {}, not text",
                crate::model::shown(&other.to_string())
            )),
        },
    }
}

/// Reads one document. `fallback` gives the category of a ticker (by its text) whose
/// document has none or an unknown one (`repair` passes the collection its bars are in;
/// reading passes `|_| None`).
pub(in crate::store) fn read(
    doc: &Document,
    fallback: &dyn Fn(&str) -> Option<Category>,
) -> Result<Read, String> {
    let mut untidy = Vec::new();
    let raw = ticker_text(doc)?;
    if !matches!(doc.get("ticker"), Some(Bson::String(_))) {
        untidy.push(format!(
            "ticker was the number {}",
            doc.get("ticker")
                .map(ToString::to_string)
                .unwrap_or_default()
        ));
    }
    let category = read_category(doc, &raw, fallback, &mut untidy)?;
    let ticker = Ticker::new(category, &raw).map_err(|e| e.to_string())?;
    let filed_as = matches!(doc.get("ticker"), Some(Bson::String(s)) if s != ticker.as_str())
        .then(|| raw.clone());
    let name = read_name(doc, &ticker, &mut untidy);
    let name_en = read_name_en(doc, &mut untidy);
    let source_symbol = read_source_symbol(doc, &raw, &ticker, &mut untidy);
    let active = read_active(doc, &mut untidy);
    let (created_at, updated_at) = read_times(doc, &mut untidy);
    Ok(Read {
        meta: TickerMeta {
            ticker,
            name,
            name_en,
            source_symbol,
            active,
            created_at,
            updated_at,
        },
        untidy,
        filed_as,
    })
}

/// The document's category as [`Category::parse`] reads it, else `fallback`'s for the
/// ticker text `raw`.
fn read_category(
    doc: &Document,
    raw: &str,
    fallback: &dyn Fn(&str) -> Option<Category>,
    untidy: &mut Vec<String>,
) -> Result<Category, String> {
    let category = match doc.get("category") {
        Some(Bson::String(s)) => match Category::parse(s) {
            Ok(c) => {
                if c.storage_name() != s {
                    untidy.push(format!("category was '{}'", crate::model::shown(s)));
                }
                Some(c)
            }
            Err(_) => None,
        },
        _ => None,
    };
    if let Some(c) = category {
        return Ok(c);
    }
    let c = fallback(raw).ok_or_else(|| match doc.get("category") {
        None | Some(Bson::Null) => {
            format!("'{}' has no category", crate::model::shown(raw))
        }
        Some(other) => format!(
            "'{}' has the category {}, which is none of wickview's",
            crate::model::shown(raw),
            crate::model::shown(&other.to_string())
        ),
    })?;
    untidy.push("category was missing or unknown".to_owned());
    Ok(c)
}

/// The name: text as it is, a number as its text, else the ticker.
fn read_name(doc: &Document, ticker: &Ticker, untidy: &mut Vec<String>) -> String {
    match doc.get("name") {
        Some(Bson::String(s)) => s.clone(),
        Some(other) => {
            if let Some(text) = number_text(other) {
                untidy.push(format!("name was the number {text}"));
                text
            } else {
                untidy.push("name was missing or not text".to_owned());
                ticker.as_str().to_owned()
            }
        }
        None => {
            untidy.push("name was missing or not text".to_owned());
            ticker.as_str().to_owned()
        }
    }
}

/// The English name; none where earlier versions and other tools wrote none (that is
/// not untidy).
fn read_name_en(doc: &Document, untidy: &mut Vec<String>) -> String {
    match doc.get("name_en") {
        Some(Bson::String(s)) => s.trim().to_owned(),
        None | Some(Bson::Null) => String::new(),
        Some(other) => number_text(other).unwrap_or_else(|| {
            untidy.push("name_en was not text".to_owned());
            String::new()
        }),
    }
}

/// The source symbol, or the Yahoo symbol a KRX code was filed under (`raw`).
fn read_source_symbol(
    doc: &Document,
    raw: &str,
    ticker: &Ticker,
    untidy: &mut Vec<String>,
) -> Option<String> {
    let source_symbol = match doc.get("source_symbol") {
        Some(Bson::String(s)) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        None | Some(Bson::Null) => None,
        Some(_) => {
            untidy.push("source_symbol was not text".to_owned());
            None
        }
    };
    if source_symbol.is_none()
        && let Some(market) = KrMarket::of_symbol(raw)
        && ticker.is_krx_code()
    {
        return Some(format!("{ticker}{}", market.suffix()));
    }
    source_symbol
}

/// Whether the ticker is collected: a flag, a flag's text or a number; true when unclear.
fn read_active(doc: &Document, untidy: &mut Vec<String>) -> bool {
    match doc.get("active") {
        Some(Bson::Boolean(b)) => *b,
        Some(Bson::String(s)) => {
            untidy.push(format!("active was '{}'", crate::model::shown(s)));
            flag_text(s).unwrap_or(true)
        }
        Some(other) if number_text(other).is_some() => {
            untidy.push(format!("active was {other}"));
            !matches!(whole_number(other), Some(0))
        }
        _ => {
            untidy.push("active was missing or null".to_owned());
            true
        }
    }
}

/// `created_at` (else the `_id`'s insert time, else `updated_at`, else now) and
/// `updated_at` (else `created_at`).
fn read_times(doc: &Document, untidy: &mut Vec<String>) -> (DateTime<Utc>, DateTime<Utc>) {
    let created = instant(doc.get("created_at"));
    let updated = instant(doc.get("updated_at"));
    if !matches!(created, Some((_, true))) {
        untidy.push("created_at was missing or not a date".to_owned());
    }
    if !matches!(updated, Some((_, true))) {
        untidy.push("updated_at was missing or not a date".to_owned());
    }
    let created_at = created
        .map(|(t, _)| t)
        .or_else(|| match doc.get("_id") {
            Some(Bson::ObjectId(id)) => Some(to_utc(id.timestamp().timestamp_millis())),
            _ => None,
        })
        .or_else(|| updated.map(|(t, _)| t))
        .unwrap_or_else(|| crate::store::to_millis(Utc::now()));
    let updated_at = updated.map_or(created_at, |(t, _)| t);
    (created_at, updated_at)
}

/// The canonical document of `meta` (what wickview writes, and `repair` `$set`s).
pub(in crate::store) fn to_document(meta: &TickerMeta) -> Document {
    let mut doc = doc! {
        "ticker": meta.ticker.as_str(),
        "name": meta.name.as_str(),
        "category": meta.category().storage_name(),
        "source_symbol": meta.source_symbol.as_deref().map_or(Bson::Null, |s| Bson::String(s.to_owned())),
        "active": meta.active,
        "created_at": bson::DateTime::from_millis(meta.created_at.timestamp_millis()),
        "updated_at": bson::DateTime::from_millis(meta.updated_at.timestamp_millis()),
    };
    if !meta.name_en.is_empty() {
        doc.insert("name_en", meta.name_en.as_str());
    }
    doc
}

/// An integer, or a double holding one, as `i64`.
fn whole_number(value: &Bson) -> Option<i64> {
    match value {
        Bson::Int32(n) => Some(i64::from(*n)),
        Bson::Int64(n) => Some(*n),
        Bson::Double(v) if v.is_finite() && v.fract() == 0.0 && v.abs() < 9.0e15 => Some(*v as i64),
        _ => None,
    }
}

/// A number's text (`7`, `3.5`; a whole double without `.0`).
fn number_text(value: &Bson) -> Option<String> {
    match value {
        Bson::Double(v) if v.is_finite() => {
            Some(whole_number(value).map_or_else(|| v.to_string(), |n| n.to_string()))
        }
        Bson::Int32(_) | Bson::Int64(_) => whole_number(value).map(|n| n.to_string()),
        Bson::Decimal128(d) => Some(d.to_string()),
        _ => None,
    }
}

/// `yes` / `no` and their usual spellings.
fn flag_text(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "1" | "on" | "t" => Some(true),
        "false" | "no" | "n" | "0" | "off" | "f" => Some(false),
        _ => None,
    }
}

fn to_utc(ms: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default()
}

/// A timestamp field, and whether it was a BSON date (the canonical form).
fn instant(value: Option<&Bson>) -> Option<(DateTime<Utc>, bool)> {
    match value? {
        Bson::DateTime(d) => {
            DateTime::<Utc>::from_timestamp_millis(d.timestamp_millis()).map(|t| (t, true))
        }
        Bson::String(s) => {
            let s = s.trim();
            DateTime::parse_from_rfc3339(s)
                .map(|t| t.with_timezone(&Utc))
                .ok()
                .or_else(|| {
                    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S")
                        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
                        .ok()
                        .or_else(|| {
                            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                                .ok()
                                .and_then(|d| d.and_hms_opt(0, 0, 0))
                        })
                        .map(|t| t.and_utc())
                })
                .map(|t| (crate::store::to_millis(t), false))
        }
        other => {
            let v = match other {
                Bson::Double(v) if v.is_finite() => *v,
                Bson::Int32(n) => f64::from(*n),
                Bson::Int64(n) => *n as f64,
                _ => return None,
            };
            // Unix seconds (`time.time()`) or milliseconds (`Date.now()`).
            let ms = if v.abs() < 1.0e11 { v * 1000.0 } else { v };
            DateTime::<Utc>::from_timestamp_millis(ms.round() as i64).map(|t| (t, false))
        }
    }
}

#[cfg(test)]
mod tests {
    use mongodb::bson::oid::ObjectId;

    use super::*;

    fn none(_: &str) -> Option<Category> {
        None
    }

    fn canonical() -> Document {
        let t = bson::DateTime::from_millis(1_700_000_000_000);
        doc! {
            "_id": ObjectId::new(), "ticker": "AAPL", "name": "Apple", "category": "us_stock",
            "source_symbol": Bson::Null, "active": true, "created_at": t, "updated_at": t,
        }
    }

    #[test]
    fn canonical_documents_read_as_they_are() {
        let read = read(&canonical(), &none).unwrap();
        assert!(read.untidy.is_empty(), "{:?}", read.untidy);
        assert_eq!(read.filed_as, None);
        assert_eq!(read.meta.ticker.as_str(), "AAPL");
        assert_eq!(read.meta.name, "Apple");
        assert_eq!(read.meta.created_at.timestamp_millis(), 1_700_000_000_000);
        // What wickview writes reads back the same, canonical.
        let mut written = to_document(&read.meta);
        written.insert("_id", ObjectId::new());
        let again = super::read(&written, &none).unwrap();
        assert_eq!(again.meta, read.meta);
        assert!(again.untidy.is_empty());
    }

    #[test]
    fn english_names_round_trip_and_may_be_missing() {
        let read = read(&canonical(), &none).unwrap();
        assert_eq!(read.meta.name_en, "");
        assert!(!to_document(&read.meta).contains_key("name_en"));
        let mut meta = read.meta;
        meta.name_en = "Apple Inc.".into();
        let written = to_document(&meta);
        assert_eq!(written.get_str("name_en"), Ok("Apple Inc."));
        let again = super::read(&written, &none).unwrap();
        assert_eq!(again.meta, meta);
        assert!(again.untidy.is_empty());
        let mut d = canonical();
        d.insert("name_en", Bson::Null);
        assert!(super::read(&d, &none).unwrap().untidy.is_empty());
    }

    #[test]
    fn odd_shapes_read_where_their_meaning_is_clear() {
        let mut d = canonical();
        d.insert("name", 1234_i32);
        d.insert("active", "yes");
        d.remove("created_at");
        let read = read(&d, &none).unwrap();
        assert_eq!(read.meta.name, "1234");
        assert!(read.meta.active);
        // The insert time in the ObjectId.
        let id = d.get_object_id("_id").unwrap();
        assert_eq!(
            read.meta.created_at.timestamp_millis(),
            id.timestamp().timestamp_millis()
        );
        assert_eq!(read.untidy.len(), 3, "{:?}", read.untidy);

        let nulls = doc! {
            "ticker": "MSFT", "name": Bson::Null, "category": "us_stock",
            "source_symbol": Bson::Null, "active": Bson::Null,
            "created_at": Bson::Null, "updated_at": Bson::Null,
        };
        let read = super::read(&nulls, &none).unwrap();
        assert_eq!(read.meta.name, "MSFT");
        assert!(read.meta.active);
        assert_eq!(read.meta.created_at, read.meta.updated_at);

        for (value, active) in [
            (Bson::String("No".into()), false),
            (Bson::String(" TRUE ".into()), true),
            (Bson::Int32(0), false),
            (Bson::Double(1.0), true),
            (Bson::String("maybe".into()), true),
        ] {
            let mut d = canonical();
            d.insert("active", value.clone());
            assert_eq!(
                super::read(&d, &none).unwrap().meta.active,
                active,
                "{value}"
            );
        }

        let mut d = canonical();
        d.insert("created_at", "2024-03-01");
        d.insert("updated_at", 1_709_251_200.5_f64);
        d.insert("category", "US");
        d.insert("name", 3.5_f64);
        let read = super::read(&d, &none).unwrap();
        assert_eq!(
            read.meta.created_at.to_rfc3339(),
            "2024-03-01T00:00:00+00:00"
        );
        assert_eq!(read.meta.updated_at.timestamp_millis(), 1_709_251_200_500);
        assert_eq!(read.meta.category(), Category::UsStock);
        assert_eq!(read.meta.name, "3.5");
        assert_eq!(read.untidy.len(), 4, "{:?}", read.untidy);
    }

    #[test]
    fn numeric_tickers_are_krx_codes() {
        let mut d = canonical();
        d.insert("category", "korean_stock");
        d.insert("ticker", 5930_i32);
        let read = read(&d, &none).unwrap();
        assert_eq!(read.meta.ticker.as_str(), "005930");
        assert_eq!(read.untidy, ["ticker was the number 5930"]);
        d.insert("ticker", 69_500.0_f64);
        d.insert("category", "index");
        assert_eq!(
            super::read(&d, &none).unwrap().meta.ticker.as_str(),
            "069500"
        );
        // A number is no US ticker, and no number is more than six digits.
        d.insert("category", "us_stock");
        assert!(super::read(&d, &none).is_err());
        d.insert("category", "korean_stock");
        d.insert("ticker", 12_345_678_i64);
        let err = super::read(&d, &none).unwrap_err();
        assert!(err.contains("12345678"), "{err}");
    }

    #[test]
    fn unreadable_documents_say_why() {
        let mut d = canonical();
        d.remove("ticker");
        assert_eq!(read(&d, &none).unwrap_err(), "it has no ticker");
        d.insert("ticker", Bson::Null);
        assert_eq!(read(&d, &none).unwrap_err(), "it has no ticker");
        d.insert("ticker", "AAPL!");
        assert!(read(&d, &none).unwrap_err().contains("AAPL!"));
        let mut d = canonical();
        d.insert("category", Bson::Null);
        assert_eq!(read(&d, &none).unwrap_err(), "'AAPL' has no category");
        // `repair` supplies the category of the ticker's bars.
        let read = read(&d, &|t| (t == "AAPL").then_some(Category::UsStock)).unwrap();
        assert_eq!(read.meta.category(), Category::UsStock);
        assert_eq!(read.untidy, ["category was missing or unknown"]);
    }

    #[test]
    fn yahoo_symbols_and_case_are_filed_as() {
        let mut d = canonical();
        d.insert("ticker", "005930.KS");
        d.insert("category", "korean_stock");
        let read = read(&d, &none).unwrap();
        assert_eq!(read.meta.ticker.as_str(), "005930");
        assert_eq!(read.filed_as.as_deref(), Some("005930.KS"));
        assert_eq!(read.meta.source_symbol.as_deref(), Some("005930.KS"));
        assert!(read.untidy.is_empty());
        let mut d = canonical();
        d.insert("ticker", "aapl");
        assert_eq!(
            super::read(&d, &none).unwrap().filed_as.as_deref(),
            Some("aapl")
        );
    }
}

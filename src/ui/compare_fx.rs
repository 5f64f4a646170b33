//! One currency for the whole comparison: every series in US dollars, in Korean won, or in
//! any other currency whose rate against the dollar is stored (`JPY=X`, `EURUSD=X`, …).
//! Prices are converted through the dollar with the stored daily closes of the rate series
//! (as of each day: the latest earlier rate when a day has none). The conversion runs in
//! the background.

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::chart::ChartSeries;
use crate::compute::fx::{FxDirection, convert};
pub use crate::model::{CurrencyCode, price_currency};
use crate::model::{DailySeries, TickerMeta};

/// The rate series of the won: Korean won per US dollar.
pub const KRW_RATE: &str = "KRW=X";

/// The currency the comparison shows prices in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DisplayCurrency {
    /// Each series in its own currency.
    #[default]
    Native,
    /// Every series in US dollars.
    Usd,
    /// Every series in Korean won.
    Krw,
    /// Every series in another currency, through its stored rate against the dollar.
    Other(CurrencyCode),
}

impl DisplayCurrency {
    /// The fixed choices, in menu order (other currencies follow, as the store has them).
    pub const ALL: [Self; 3] = [Self::Native, Self::Usd, Self::Krw];

    /// The choice for a currency code (`USD` and `KRW` are their own variants).
    pub fn of(code: CurrencyCode) -> Self {
        match code {
            CurrencyCode::USD => Self::Usd,
            CurrencyCode::KRW => Self::Krw,
            other => Self::Other(other),
        }
    }

    /// Menu label.
    pub fn label(self) -> String {
        match self.code() {
            None => "Own currency".to_owned(),
            Some(code) => format!("All in {code}"),
        }
    }

    /// The currency every series is shown in; `None` for each in its own.
    pub fn code(self) -> Option<CurrencyCode> {
        match self {
            Self::Native => None,
            Self::Usd => Some(CurrencyCode::USD),
            Self::Krw => Some(CurrencyCode::KRW),
            Self::Other(c) => Some(c),
        }
    }
}

/// A stored rate series of one currency against the US dollar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateSource {
    /// The currency priced.
    pub currency: CurrencyCode,
    /// The rate's ticker (`JPY=X`, `USDJPY=X` or `EURUSD=X`).
    pub ticker: String,
    /// `true` when the rate is units of the currency per dollar (`JPY=X`, `USDJPY=X`),
    /// `false` when it is dollars per unit (`EURUSD=X`).
    pub per_dollar: bool,
}

impl RateSource {
    /// Reads a currency ticker as a rate against the dollar: Yahoo's `XXX=X` and
    /// `USDXXX=X` (XXX per dollar) and `XXXUSD=X` (dollars per XXX). Cross rates without
    /// the dollar (`EURJPY=X`) are not used.
    pub fn parse(ticker: &str) -> Option<Self> {
        let pair = ticker.strip_suffix("=X")?;
        let (code, per_dollar) = match pair.len() {
            3 => (pair, true),
            6 if pair.starts_with("USD") => (&pair[3..], true),
            6 if pair.ends_with("USD") => (&pair[..3], false),
            _ => return None,
        };
        let currency = CurrencyCode::parse(code)?;
        (currency != CurrencyCode::USD).then(|| Self {
            currency,
            ticker: ticker.to_owned(),
            per_dollar,
        })
    }

    /// The won's rate, `KRW=X`, whether or not it is stored (so a missing one is named).
    pub fn krw() -> Self {
        Self {
            currency: CurrencyCode::KRW,
            ticker: KRW_RATE.to_owned(),
            per_dollar: true,
        }
    }
}

/// The rate series of every currency in `tickers` (the store's currency tickers), one per
/// currency (`XXX=X` preferred, then `USDXXX=X`, then `XXXUSD=X`), sorted by currency.
pub fn rate_sources(tickers: &[String]) -> Vec<RateSource> {
    let rank = |r: &RateSource| match (r.ticker.len(), r.per_dollar) {
        (5, _) => 0,
        (_, true) => 1,
        _ => 2,
    };
    let mut best: HashMap<CurrencyCode, RateSource> = HashMap::new();
    for source in tickers.iter().filter_map(|t| RateSource::parse(t)) {
        match best.get(&source.currency) {
            Some(have) if rank(have) <= rank(&source) => {}
            _ => {
                best.insert(source.currency, source);
            }
        }
    }
    let mut out: Vec<RateSource> = best.into_values().collect();
    out.sort_by_key(|r| r.currency);
    out
}

/// The rate series needed to show every series of `metas` in `target`: one per currency
/// other than the dollar among the target and the series' own currencies that differ
/// from it. `available` are the stored rates ([`rate_sources`]); the won's is `KRW=X`
/// even when it is not stored, so the view can say that it is missing. `Err` names a
/// currency with no stored rate.
pub fn needed_rates(
    target: DisplayCurrency,
    metas: &[&TickerMeta],
    available: &[RateSource],
) -> Result<Vec<RateSource>, CurrencyCode> {
    let Some(to) = target.code() else {
        return Ok(Vec::new());
    };
    let mut currencies: Vec<CurrencyCode> = metas
        .iter()
        .filter_map(|m| price_currency(m))
        .filter(|c| *c != to)
        .collect();
    if currencies.is_empty() {
        return Ok(Vec::new());
    }
    currencies.push(to);
    currencies.retain(|c| *c != CurrencyCode::USD);
    currencies.sort();
    currencies.dedup();
    currencies
        .into_iter()
        .map(|c| {
            available
                .iter()
                .find(|r| r.currency == c)
                .cloned()
                .or_else(|| (c == CurrencyCode::KRW).then(RateSource::krw))
                .ok_or(c)
        })
        .collect()
}

/// The rates named in a note: `KRW=X (won per dollar)`, `EURUSD=X (dollars per EUR)`.
pub fn describe_rates(rates: &[RateSource]) -> String {
    let one = |r: &RateSource| {
        let unit = if r.currency == CurrencyCode::KRW {
            "won"
        } else {
            r.currency.as_str()
        };
        if r.per_dollar {
            format!("{} ({unit} per dollar)", r.ticker)
        } else {
            format!("{} (dollars per {unit})", r.ticker)
        }
    };
    rates.iter().map(one).collect::<Vec<_>>().join(" and ")
}

/// `series` (priced as `meta` says) in `target`, converted through the dollar with the
/// loaded `rates` (each with its source). Builds the chart pyramids again: run it off the
/// UI thread. A series whose currency or target has no rate in `rates` is returned as it is.
pub fn convert_series(
    series: &ChartSeries,
    meta: &TickerMeta,
    target: DisplayCurrency,
    rates: &[(RateSource, ChartSeries)],
) -> ChartSeries {
    let (Some(from), Some(to)) = (price_currency(meta), target.code()) else {
        return series.clone();
    };
    if from == to {
        return series.clone();
    }
    // One leg through the dollar: into dollars (divide by units per dollar, multiply by
    // dollars per unit) or out of them (the other way round).
    let leg = |input: &DailySeries, c: CurrencyCode, into_dollars: bool| {
        let (source, rate) = rates.iter().find(|(r, _)| r.currency == c)?;
        let direction = if source.per_dollar == into_dollars {
            FxDirection::Divide
        } else {
            FxDirection::Multiply
        };
        Some(convert(input, &rate.series, direction).series)
    };
    let mut converted: Option<DailySeries> = None;
    if from != CurrencyCode::USD {
        let Some(usd) = leg(&series.series, from, true) else {
            return series.clone();
        };
        converted = Some(usd);
    }
    if to != CurrencyCode::USD {
        let input = converted.as_ref().unwrap_or(&*series.series);
        let Some(out) = leg(input, to, false) else {
            return series.clone();
        };
        converted = Some(out);
    }
    let Some(out) = converted else {
        return series.clone();
    };
    ChartSeries::new(format!("{} in {to}", series.name), Arc::new(out))
        .with_price_format(super::chart::PriceFormat::for_currency(Some(to)))
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::model::{Bar, Category, Ticker};

    fn meta(c: Category, s: &str) -> TickerMeta {
        TickerMeta::new(Ticker::parse(c, s).unwrap(), s)
    }

    fn closes(name: &str, points: &[(u32, f64)]) -> ChartSeries {
        let day = |d| NaiveDate::from_ymd_opt(2024, 1, d).unwrap();
        let (series, _) =
            DailySeries::from_bars(points.iter().map(|&(d, c)| Bar::ohlc(day(d), c, c, c, c)));
        ChartSeries::new(name, Arc::new(series))
    }

    #[test]
    fn rate_tickers_against_the_dollar() {
        let jpy = RateSource::parse("JPY=X").unwrap();
        assert_eq!((jpy.currency.as_str(), jpy.per_dollar), ("JPY", true));
        let eur = RateSource::parse("EURUSD=X").unwrap();
        assert_eq!((eur.currency.as_str(), eur.per_dollar), ("EUR", false));
        let chf = RateSource::parse("USDCHF=X").unwrap();
        assert_eq!((chf.currency.as_str(), chf.per_dollar), ("CHF", true));
        for not_a_rate in ["EURJPY=X", "USD=X", "AAPL", "KR1=X", "=X"] {
            assert_eq!(RateSource::parse(not_a_rate), None, "{not_a_rate}");
        }
        let stored: Vec<String> = ["EURUSD=X", "JPY=X", "USDJPY=X", "EURJPY=X", "KRW=X"]
            .map(String::from)
            .to_vec();
        let sources = rate_sources(&stored);
        let tickers: Vec<&str> = sources.iter().map(|r| r.ticker.as_str()).collect();
        assert_eq!(tickers, ["EURUSD=X", "JPY=X", "KRW=X"]);
    }

    #[test]
    fn needed_rates_name_the_missing_currency() {
        let aapl = meta(Category::UsStock, "AAPL");
        let samsung = meta(Category::KoreanStock, "005930");
        let stored = rate_sources(&["JPY=X".to_owned()]);
        let ok = |t, m: &[&TickerMeta]| needed_rates(t, m, &stored).unwrap();
        assert!(ok(DisplayCurrency::Usd, &[&aapl]).is_empty());
        assert!(ok(DisplayCurrency::Native, &[&aapl, &samsung]).is_empty());
        // The won's rate is named even when not stored, so the view can say it is missing.
        let krw: Vec<String> = ok(DisplayCurrency::Usd, &[&aapl, &samsung])
            .into_iter()
            .map(|r| r.ticker)
            .collect();
        assert_eq!(krw, ["KRW=X"]);
        let jpy = DisplayCurrency::of(CurrencyCode::parse("jpy").unwrap());
        let both: Vec<String> = ok(jpy, &[&aapl, &samsung])
            .into_iter()
            .map(|r| r.ticker)
            .collect();
        assert_eq!(both, ["JPY=X", "KRW=X"]);
        let eur = DisplayCurrency::of(CurrencyCode::parse("EUR").unwrap());
        assert_eq!(
            needed_rates(eur, &[&aapl], &stored),
            Err(CurrencyCode::parse("EUR").unwrap())
        );
    }

    #[test]
    fn converts_through_the_dollar() {
        let samsung = meta(Category::KoreanStock, "005930");
        let aapl = meta(Category::UsStock, "AAPL");
        let krw = closes("005930", &[(2, 70_000.0), (3, 71_000.0), (4, 72_000.0)]);
        let usd = closes("AAPL", &[(2, 180.0), (3, 182.0), (4, 184.0)]);
        let krw_rate = (
            RateSource::krw(),
            closes("KRW=X", &[(2, 1_400.0), (4, 1_300.0)]),
        );
        let jpy_rate = (
            RateSource::parse("JPY=X").unwrap(),
            closes("JPY=X", &[(2, 150.0), (3, 151.0), (4, 152.0)]),
        );
        let eur_rate = (
            RateSource::parse("EURUSD=X").unwrap(),
            closes("EURUSD=X", &[(2, 1.10), (3, 1.08), (4, 1.05)]),
        );
        let rates = [krw_rate, jpy_rate, eur_rate];
        let jpy = DisplayCurrency::of(CurrencyCode::parse("JPY").unwrap());
        // Won → dollars → yen; the 3rd has no won rate, so the 2nd's applies.
        let shown = convert_series(&krw, &samsung, jpy, &rates);
        assert_eq!(shown.name, "005930 in JPY");
        assert_eq!(
            shown.series.close(),
            &[
                70_000.0 / 1_400.0 * 150.0,
                71_000.0 / 1_400.0 * 151.0,
                72_000.0 / 1_300.0 * 152.0
            ]
        );
        // Dollars → euros divides by dollars per euro.
        let eur = DisplayCurrency::of(CurrencyCode::parse("EUR").unwrap());
        let shown = convert_series(&usd, &aapl, eur, &rates);
        assert_eq!(
            shown.series.close(),
            &[180.0 / 1.10, 182.0 / 1.08, 184.0 / 1.05]
        );
        // Dollars → won multiplies by won per dollar; a series already in the target stays.
        let shown = convert_series(&usd, &aapl, DisplayCurrency::Krw, &rates);
        assert_eq!(
            shown.series.close(),
            &[180.0 * 1_400.0, 182.0 * 1_400.0, 184.0 * 1_300.0]
        );
        let same = convert_series(&krw, &samsung, DisplayCurrency::Krw, &rates);
        assert_eq!(same.series.close(), krw.series.close());
        // A rate that is not there leaves the series as it is.
        let chf = DisplayCurrency::of(CurrencyCode::parse("CHF").unwrap());
        assert_eq!(convert_series(&usd, &aapl, chf, &rates).name, "AAPL");
    }

    #[test]
    fn codes_round_trip_through_settings() {
        let c = DisplayCurrency::Other(CurrencyCode::parse("eur").unwrap());
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(json, r#"{"Other":"EUR"}"#);
        assert_eq!(serde_json::from_str::<DisplayCurrency>(&json).unwrap(), c);
        assert!(serde_json::from_str::<DisplayCurrency>(r#"{"Other":"E1"}"#).is_err());
        assert_eq!(
            serde_json::from_str::<DisplayCurrency>(r#""Krw""#).unwrap(),
            DisplayCurrency::Krw
        );
        assert_eq!(DisplayCurrency::of(CurrencyCode::USD), DisplayCurrency::Usd);
        assert_eq!(c.label(), "All in EUR");
    }
}

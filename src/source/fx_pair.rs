//! Exchange-rate tickers as currency pairs, and the arithmetic shared by the sources that
//! publish rates against one pivot currency (the ECB against the euro, FRED against the
//! dollar): a pair's rate is a product and quotient of those published series.
//!
//! Tickers follow Yahoo's convention: `XXX=X` is USD/XXX (`KRW=X`: won per dollar) and
//! `AAABBB=X` is AAA/BBB (`EURUSD=X`: dollars per euro, `EURKRW=X`: won per euro). A pair
//! `AAA/BBB` is the price of one AAA in BBB; with rates `r(X)` in units of X per pivot it
//! is `r(BBB) / r(AAA)`, the pivot's own rate being 1.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use super::{ChartData, SourceError};
use crate::model::{Bar, BarIssue, Category, SeriesBuilder, Ticker, TickerMeta};

/// A three-letter currency code (ISO 4217), upper case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

impl Currency {
    /// The US dollar.
    pub const USD: Self = Self(*b"USD");
    /// The euro.
    pub const EUR: Self = Self(*b"EUR");

    /// A code of three ASCII letters, in any case (`krw` → `KRW`).
    pub fn parse(code: &str) -> Option<Self> {
        let bytes: [u8; 3] = code.as_bytes().try_into().ok()?;
        bytes
            .iter()
            .all(u8::is_ascii_alphabetic)
            .then(|| Self(bytes.map(|b| b.to_ascii_uppercase())))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        // Only ASCII letters get in (`parse` and the constants).
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl std::fmt::Display for Currency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A currency pair: the price of one unit of `base` in units of `quote` (USD/KRW is won
/// per dollar).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FxPair {
    /// The currency priced.
    pub base: Currency,
    /// The currency the price is in.
    pub quote: Currency,
}

impl FxPair {
    /// The pair of a Yahoo exchange-rate symbol: `XXX=X` is USD/XXX, `AAABBB=X` is
    /// AAA/BBB; `None` for anything else and for a currency against itself.
    pub fn of_symbol(symbol: &str) -> Option<Self> {
        let body = symbol.trim().to_ascii_uppercase();
        let body = body.strip_suffix("=X")?;
        let (base, quote) = match body.len() {
            3 => (Currency::USD, Currency::parse(body)?),
            6 => (
                Currency::parse(body.get(..3)?)?,
                Currency::parse(body.get(3..)?)?,
            ),
            _ => return None,
        };
        (base != quote).then_some(Self { base, quote })
    }

    /// The pair of an exchange-rate ticker; `None` for other categories.
    pub fn of_ticker(ticker: &Ticker) -> Option<Self> {
        if ticker.category() != Category::Currency {
            return None;
        }
        Self::of_symbol(ticker.as_str())
    }

    /// The pair of `meta`'s ticker, for a source that publishes exchange rates only; any
    /// other ticker is an unknown symbol, `detail` saying what the source publishes.
    pub(super) fn of_rate_ticker(meta: &TickerMeta, detail: &str) -> Result<Self, SourceError> {
        Self::of_ticker(&meta.ticker).ok_or_else(|| SourceError::UnknownSymbol {
            symbol: meta.ticker.to_string(),
            detail: detail.to_owned(),
        })
    }
}

impl std::fmt::Display for FxPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.base, self.quote)
    }
}

/// How a published series enters a pair's rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Power {
    /// The rate is multiplied by the series.
    Multiply,
    /// The rate is divided by the series.
    Divide,
}

impl Power {
    /// How the series of one leg enters the pair: `quote_leg` says whether the leg's
    /// currency X is the pair's quote (else its base), `per_pivot` whether the series is
    /// in units of X per pivot (KRW per EUR; FRED's `DEXKOUS`) rather than pivots per X
    /// (FRED's `DEXUSEU`, dollars per euro).
    pub fn of_leg(quote_leg: bool, per_pivot: bool) -> Self {
        if quote_leg == per_pivot {
            Self::Multiply
        } else {
            Self::Divide
        }
    }
}

/// The observations of one published series.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Observations {
    /// The values by day.
    pub values: BTreeMap<NaiveDate, f64>,
    /// Days listed without a value (FRED's `.` or an empty field, the ECB's `NaN`).
    pub missing: BTreeSet<NaiveDate>,
    /// Days listed more than once (the last value is kept).
    pub duplicates: Vec<NaiveDate>,
}

impl Observations {
    /// Records a day's value (`None` when the source marks it missing).
    pub fn insert(&mut self, day: NaiveDate, value: Option<f64>) {
        let seen = self.values.contains_key(&day) || self.missing.contains(&day);
        if seen {
            self.duplicates.push(day);
        }
        match value {
            Some(v) => {
                self.missing.remove(&day);
                self.values.insert(day, v);
            }
            None => {
                self.values.remove(&day);
                self.missing.insert(day);
            }
        }
    }

    /// Every day listed, with or without a value.
    pub fn days(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.values.keys().chain(self.missing.iter()).copied()
    }
}

/// A pair's rate on each day that every factor has a value: the product of the
/// [`Power::Multiply`] factors divided by the product of the [`Power::Divide`] ones
/// (a single factor passes through unchanged, to the last bit). Days where any factor
/// lacks a value are left out; no factors give no days.
pub fn combine(factors: &[(&BTreeMap<NaiveDate, f64>, Power)]) -> Vec<(NaiveDate, f64)> {
    let Some(((first, _), rest)) = factors.split_first() else {
        return Vec::new();
    };
    first
        .keys()
        .filter(|day| rest.iter().all(|(values, _)| values.contains_key(*day)))
        .filter_map(|day| {
            let mut numerator: Option<f64> = None;
            let mut denominator: Option<f64> = None;
            for (values, power) in factors {
                let v = *values.get(day)?;
                let side = match power {
                    Power::Multiply => &mut numerator,
                    Power::Divide => &mut denominator,
                };
                *side = Some(side.map_or(v, |acc| acc * v));
            }
            let rate = match (numerator, denominator) {
                (Some(n), Some(d)) => n / d,
                (Some(n), None) => n,
                (None, Some(d)) => 1.0 / d,
                (None, None) => return None,
            };
            Some((*day, rate))
        })
        .collect()
}

/// The chart of a pair from its factors' observations, limited to `from..=to`:
/// close-only bars validated by the model ([`SeriesBuilder`]); days listed by some series
/// without a bar (a missing value, or a value in one leg only) counted as skipped; days
/// a series listed twice reported as duplicates.
pub fn rates_chart(
    symbol: &str,
    time_zone: &str,
    pair: FxPair,
    factors: &[(&Observations, Power)],
    from: NaiveDate,
    to: NaiveDate,
) -> ChartData {
    let window = |day: &NaiveDate| (from..=to).contains(day);
    let values: Vec<(&BTreeMap<NaiveDate, f64>, Power)> =
        factors.iter().map(|(o, p)| (&o.values, *p)).collect();
    let rates: Vec<(NaiveDate, f64)> = combine(&values)
        .into_iter()
        .filter(|(day, _)| window(day))
        .collect();
    let mut builder = SeriesBuilder::with_capacity(rates.len());
    for &(day, rate) in &rates {
        builder.push(Bar::close_only(day, rate));
    }
    let (series, mut issues) = builder.build();
    let with_bar: BTreeSet<NaiveDate> = rates.iter().map(|(day, _)| *day).collect();
    let listed: BTreeSet<NaiveDate> = factors
        .iter()
        .flat_map(|(o, _)| o.days())
        .filter(window)
        .collect();
    let skipped_nulls = listed.difference(&with_bar).count();
    let duplicates: BTreeSet<NaiveDate> = factors
        .iter()
        .flat_map(|(o, _)| o.duplicates.iter().copied())
        .filter(window)
        .collect();
    issues.extend(
        duplicates
            .into_iter()
            .map(|date| BarIssue::Duplicate { date }),
    );
    ChartData {
        symbol: Some(symbol.to_owned()),
        time_zone: time_zone.to_owned(),
        currency: Some(pair.quote.to_string()),
        name: Some(pair.to_string()),
        series,
        skipped_nulls,
        issues,
        trading_period: None,
    }
}

/// Days of look-back added before a request's first day, so that the window asked for
/// always holds published days (a weekend-only window would otherwise come back empty,
/// which cannot be told from a cut answer); the answer is then limited to the days asked.
pub fn reach_back(from: NaiveDate, days: u64) -> NaiveDate {
    from.checked_sub_days(chrono::Days::new(days))
        .unwrap_or(from)
}

/// A CSV value: `None` for the missing-value markers (`.`, empty, `NaN`), else the number.
pub fn csv_number(field: &str) -> Result<Option<f64>, String> {
    let field = field.trim();
    if field.is_empty() || field == "." || field.eq_ignore_ascii_case("nan") {
        return Ok(None);
    }
    let plain = field
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
    match field.parse::<f64>() {
        Ok(v) if plain => Ok(Some(v)),
        _ => Err(format!(
            "\"{}\" is not a number",
            crate::model::shown(field)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn pair(base: &str, quote: &str) -> FxPair {
        FxPair {
            base: Currency::parse(base).unwrap(),
            quote: Currency::parse(quote).unwrap(),
        }
    }

    #[test]
    fn yahoo_symbols_name_their_pairs() {
        assert_eq!(FxPair::of_symbol("KRW=X"), Some(pair("USD", "KRW")));
        assert_eq!(FxPair::of_symbol("JPY=X"), Some(pair("USD", "JPY")));
        assert_eq!(FxPair::of_symbol("EURUSD=X"), Some(pair("EUR", "USD")));
        assert_eq!(FxPair::of_symbol("eurkrw=x"), Some(pair("EUR", "KRW")));
        assert_eq!(FxPair::of_symbol("USDKRW=X"), Some(pair("USD", "KRW")));
        assert_eq!(
            FxPair::of_symbol("USD=X"),
            None,
            "a currency against itself"
        );
        assert_eq!(FxPair::of_symbol("EUREUR=X"), None);
        assert_eq!(FxPair::of_symbol("KRW"), None);
        assert_eq!(FxPair::of_symbol("KRWW=X"), None);
        assert_eq!(FxPair::of_symbol("EU1USD=X"), None);
        assert_eq!(FxPair::of_symbol("유로달러=X"), None);
        assert_eq!(pair("USD", "KRW").to_string(), "USD/KRW");

        let krw = Ticker::parse(Category::Currency, "KRW=X").unwrap();
        assert_eq!(FxPair::of_ticker(&krw), Some(pair("USD", "KRW")));
        let aapl = Ticker::parse(Category::UsStock, "AAPL").unwrap();
        assert_eq!(FxPair::of_ticker(&aapl), None);
    }

    #[test]
    fn legs_enter_by_side_and_quotation() {
        // KRW per EUR for the quote of USD/KRW multiplies; USD per EUR for its base divides.
        assert_eq!(Power::of_leg(true, true), Power::Multiply);
        assert_eq!(Power::of_leg(false, true), Power::Divide);
        // Dollars per euro (DEXUSEU) for the base of EUR/USD multiplies; for the quote of
        // USD/EUR it divides.
        assert_eq!(Power::of_leg(false, false), Power::Multiply);
        assert_eq!(Power::of_leg(true, false), Power::Divide);
    }

    #[test]
    fn cross_rates_use_common_days_only() {
        let krw = BTreeMap::from([
            (d(2024, 1, 2), 1427.29),
            (d(2024, 1, 3), 1430.72),
            (d(2024, 1, 4), 1433.06),
        ]);
        let usd = BTreeMap::from([(d(2024, 1, 2), 1.0956), (d(2024, 1, 4), 1.0953)]);
        let rates = combine(&[(&krw, Power::Multiply), (&usd, Power::Divide)]);
        assert_eq!(rates.len(), 2);
        assert_eq!(rates[0].0, d(2024, 1, 2));
        assert!((rates[0].1 - 1427.29 / 1.0956).abs() <= 1e-12 * rates[0].1);
        assert_eq!(rates[1].0, d(2024, 1, 4));
        // One factor passes through exactly; one divisor is its reciprocal.
        assert_eq!(combine(&[(&usd, Power::Multiply)])[0].1, 1.0956);
        assert_eq!(combine(&[(&usd, Power::Divide)])[0].1, 1.0 / 1.0956);
        assert!(combine(&[]).is_empty());
        // Two multipliers (KRW per USD × USD per GBP = KRW per GBP).
        let gbp = BTreeMap::from([(d(2024, 1, 2), 1.2622)]);
        let kous = BTreeMap::from([(d(2024, 1, 2), 1300.0)]);
        let r = combine(&[(&kous, Power::Multiply), (&gbp, Power::Multiply)]);
        assert_eq!(r, vec![(d(2024, 1, 2), 1300.0 * 1.2622)]);
    }

    #[test]
    fn observations_keep_the_last_of_a_repeated_day() {
        let mut o = Observations::default();
        o.insert(d(2024, 1, 2), Some(1.0));
        o.insert(d(2024, 1, 3), None);
        o.insert(d(2024, 1, 2), Some(2.0));
        o.insert(d(2024, 1, 3), Some(3.0));
        assert_eq!(o.values.get(&d(2024, 1, 2)), Some(&2.0));
        assert_eq!(o.values.get(&d(2024, 1, 3)), Some(&3.0));
        assert!(o.missing.is_empty());
        assert_eq!(o.duplicates, vec![d(2024, 1, 2), d(2024, 1, 3)]);
    }

    #[test]
    fn rates_chart_counts_skipped_days_and_validates_bars() {
        let mut krw = Observations::default();
        let mut usd = Observations::default();
        for (day, k, u) in [
            (d(2024, 1, 2), Some(1427.29), Some(1.0956)),
            (d(2024, 1, 3), Some(1430.72), None),
            (d(2024, 1, 4), Some(0.0), Some(1.0953)),
            (d(2024, 1, 5), Some(1440.0), Some(1.0921)),
        ] {
            krw.insert(day, k);
            usd.insert(day, u);
        }
        let chart = rates_chart(
            "EXR/D.KRW+USD.EUR.SP00.A",
            "Europe/Berlin",
            pair("USD", "KRW"),
            &[(&krw, Power::Multiply), (&usd, Power::Divide)],
            d(2024, 1, 2),
            d(2024, 1, 4),
        );
        assert_eq!(
            chart.series.days(),
            &[d(2024, 1, 2)],
            "the zero rate is rejected, the 5th is outside"
        );
        assert_eq!(chart.skipped_nulls, 1, "the 3rd lacks its USD leg");
        assert_eq!(chart.issues.len(), 1);
        assert!(matches!(chart.issues[0], BarIssue::Rejected { .. }));
        assert!(chart.series.has_close_only());
        assert_eq!(chart.currency.as_deref(), Some("KRW"));
        assert_eq!(chart.name.as_deref(), Some("USD/KRW"));
        assert_eq!(chart.time_zone, "Europe/Berlin");
    }

    #[test]
    fn csv_numbers_and_missing_markers() {
        assert_eq!(csv_number("1.0956"), Ok(Some(1.0956)));
        assert_eq!(csv_number(" 1300.50 "), Ok(Some(1300.5)));
        assert_eq!(csv_number("."), Ok(None));
        assert_eq!(csv_number(""), Ok(None));
        assert_eq!(csv_number("NaN"), Ok(None));
        assert!(csv_number("inf").is_err());
        assert!(csv_number("1,300").is_err());
        assert!(csv_number("N/A").is_err());
    }
}

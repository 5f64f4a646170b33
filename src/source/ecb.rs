//! The European Central Bank's euro foreign exchange reference rates (daily since
//! 1999-01-04), from the ECB Data Portal's SDMX REST API as CSV:
//!
//! ```text
//! {url}/service/data/EXR/D.KRW+USD.EUR.SP00.A?startPeriod=2024-01-01&endPeriod=2024-01-31&format=csvdata
//! ```
//!
//! The key reads: daily (`D`), the currencies (`KRW+USD`, one request for every leg of a
//! pair), against the euro (`EUR`), spot (`SP00`), average (`A`). The answer has one row
//! per series and day, grouped by series; `TITLE_COMPL` is quoted because it holds commas:
//!
//! ```text
//! KEY,FREQ,CURRENCY,CURRENCY_DENOM,EXR_TYPE,EXR_SUFFIX,TIME_PERIOD,OBS_VALUE,OBS_STATUS,OBS_CONF,OBS_PRE_BREAK,OBS_COM,TIME_FORMAT,BREAKS,COLLECTION,COMPILING_ORG,DISS_ORG,DOM_SER_IDS,PUBL_ECB,PUBL_MU,PUBL_PUBLIC,UNIT_INDEX_BASE,COMPILATION,COVERAGE,DECIMALS,NAT_TITLE,SOURCE_AGENCY,SOURCE_PUB,TITLE,TITLE_COMPL,UNIT,UNIT_MULT
//! EXR.D.USD.EUR.SP00.A,D,USD,EUR,SP00,A,2024-01-02,1.0956,A,F,,,P1D,,A,,,,,,,99Q1=100,,,4,,4F0,,US dollar/Euro ECB reference exchange rate,"ECB reference exchange rate, US dollar/Euro, 2.15 pm (C.E.T.)",USD,0
//! ```
//!
//! `OBS_VALUE` is in units of `CURRENCY` per euro, so a pair AAA/BBB is
//! `rate(BBB) / rate(AAA)` with the euro's own rate 1: USD/KRW is KRW per euro ÷ USD per
//! euro, and a day is a bar only where both legs have a rate. Bars are close-only, dated
//! in Frankfurt's calendar (`Europe/Berlin`).
//!
//! Days without rates: the ECB answers a window without any observation with HTTP 404
//! "No results found." (its documented status code) and has also been seen to answer
//! HTTP 200 with an empty body (a Sunday-only window). An empty body cannot be told from a
//! cut or blocked answer, so every request reaches back [`REACH_BACK_DAYS`] days before
//! its first day: a week always holds a reference rate of every currency still
//! published, so a window of weekends and holidays gets its earlier rows back and becomes
//! an empty series once limited to the days asked, while an empty body stays what
//! [`sniff`](super::http::sniff) says it is: a failure, retried. A 404 "No results found"
//! (a currency no longer published, a window before 1999) is an empty series.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use futures::future::BoxFuture;

use super::fx_pair::{Currency, FxPair, Observations, Power, csv_number, rates_chart, reach_back};
use super::http::{BodyKind, get_with_retry, snippet};
use super::{Fetched, Source, SourceConfig, SourceError, SourceId, malformed};
use crate::model::TickerMeta;

/// The ECB's calendar: Frankfurt.
pub const TIME_ZONE: &str = "Europe/Berlin";

/// Days each request reaches back before its first day (see the module documentation):
/// the longest run of days without a reference rate is four (Good Friday to Easter Monday).
pub const REACH_BACK_DAYS: u64 = 7;

/// The currencies with euro reference rates: the 30 the ECB publishes (as of 2025), and
/// the Croatian kuna (until 2022-12-30, when Croatia joined the euro) and the Russian rouble
/// (suspended since 2022-03-02) for their history. The euro itself is the pivot.
pub const ECB_CURRENCIES: [&str; 32] = [
    "USD", "JPY", "BGN", "CZK", "DKK", "GBP", "HUF", "PLN", "RON", "SEK", "CHF", "ISK", "NOK",
    "TRY", "AUD", "BRL", "CAD", "CNY", "HKD", "IDR", "ILS", "INR", "KRW", "MXN", "MYR", "NZD",
    "PHP", "SGD", "THB", "ZAR", "HRK", "RUB",
];

/// Whether the ECB publishes a reference rate of `currency` against the euro.
pub fn has_rate(currency: Currency) -> bool {
    ECB_CURRENCIES.contains(&currency.as_str())
}

/// The legs of a pair: its currencies other than the euro, the quote first, each with how
/// its rate (units per euro) enters the pair's; `None` when the ECB has no rate of one.
pub fn legs(pair: FxPair) -> Option<Vec<(Currency, Power)>> {
    let mut legs = Vec::with_capacity(2);
    for (currency, quote_leg) in [(pair.quote, true), (pair.base, false)] {
        if currency == Currency::EUR {
            continue;
        }
        if !has_rate(currency) {
            return None;
        }
        legs.push((currency, Power::of_leg(quote_leg, true)));
    }
    Some(legs)
}

/// The ECB series key of a pair, `EXR/D.KRW+USD.EUR.SP00.A` for USD/KRW (the quote's
/// currency first), `EXR/D.USD.EUR.SP00.A` for EUR/USD; `None` when the ECB has no rate
/// of one of its currencies.
pub fn series_key(pair: FxPair) -> Option<String> {
    let legs = legs(pair)?;
    let currencies: Vec<&str> = legs.iter().map(|(c, _)| c.as_str()).collect();
    Some(format!("EXR/D.{}.EUR.SP00.A", currencies.join("+")))
}

/// Where an ECB `csvdata` table keeps what is read, found by name.
struct EcbColumns {
    currency: usize,
    period: usize,
    value: usize,
    /// The columns that pick daily spot rates against the euro, with the value wanted.
    filters: Vec<(usize, &'static str)>,
}

impl EcbColumns {
    /// The columns of `headers`; a table without them is malformed (cut, when `text` has
    /// no line end yet).
    fn of(headers: &csv::StringRecord, text: &[u8]) -> Result<Self, SourceError> {
        let column = |name: &str| {
            headers
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(name))
        };
        let (Some(currency), Some(period), Some(value)) = (
            column("CURRENCY"),
            column("TIME_PERIOD"),
            column("OBS_VALUE"),
        ) else {
            return Err(malformed(
                format!(
                    "not an ECB exchange-rate table (no CURRENCY, TIME_PERIOD and OBS_VALUE columns): {}",
                    snippet(&text[..text.len().min(120)])
                ),
                !text.contains(&b'\n'),
            ));
        };
        // Other series than daily spot rates against the euro are not asked for; left out.
        let filters = [
            ("FREQ", "D"),
            ("CURRENCY_DENOM", "EUR"),
            ("EXR_TYPE", "SP00"),
        ]
        .into_iter()
        .filter_map(|(name, wanted)| Some((column(name)?, wanted)))
        .collect();
        Ok(Self {
            currency,
            period,
            value,
            filters,
        })
    }
}

/// Rates by currency from an ECB `csvdata` answer, in units of the currency per euro.
/// Columns are found by name; rows of other series (another frequency, denominator or
/// rate type) are left out; `NaN` or empty values are missing days. A last row with fewer
/// fields than the header is a cut body (`truncated`, retried); any other row that does
/// not parse makes the answer malformed. A header without rows is an empty answer.
pub fn parse_ecb_csv(body: &[u8]) -> Result<BTreeMap<Currency, Observations>, SourceError> {
    let text = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(text);
    let headers = reader
        .headers()
        .map_err(|e| malformed(format!("unreadable CSV header: {e}"), false))?
        .clone();
    let EcbColumns {
        currency: currency_col,
        period: period_col,
        value: value_col,
        filters,
    } = EcbColumns::of(&headers, text)?;
    let width = headers.len();
    let mut rates: BTreeMap<Currency, Observations> = BTreeMap::new();
    let mut records = reader.into_records().peekable();
    let mut row = 1_usize;
    while let Some(record) = records.next() {
        row += 1;
        let last = records.peek().is_none();
        let record = record.map_err(|e| malformed(format!("row {row}: {e}"), last))?;
        if record.len() < width {
            return Err(malformed(
                format!(
                    "row {row} has {} of the header's {width} fields",
                    record.len()
                ),
                last,
            ));
        }
        let field = |i: usize| record.get(i).unwrap_or("").trim();
        if filters
            .iter()
            .any(|&(i, wanted)| !field(i).eq_ignore_ascii_case(wanted))
        {
            continue;
        }
        let currency = Currency::parse(field(currency_col)).ok_or_else(|| {
            malformed(
                format!(
                    "row {row}: {:?} is not a currency code",
                    crate::model::shown(field(currency_col))
                ),
                last,
            )
        })?;
        let day = NaiveDate::parse_from_str(field(period_col), "%Y-%m-%d").map_err(|_| {
            malformed(
                format!(
                    "row {row}: {:?} is not a day",
                    crate::model::shown(field(period_col))
                ),
                last,
            )
        })?;
        let value =
            csv_number(field(value_col)).map_err(|e| malformed(format!("row {row}: {e}"), last))?;
        rates.entry(currency).or_default().insert(day, value);
    }
    Ok(rates)
}

/// Whether a 404's detail is the ECB's "No results found." (an empty window).
fn no_results(detail: &str) -> bool {
    detail.to_ascii_lowercase().contains("no results found")
}

/// The ECB's euro reference rates as a [`Source`] of exchange-rate history. Create one
/// per run and share it: it owns its connection pool.
#[derive(Debug)]
pub struct EcbSource {
    http: reqwest::Client,
    config: SourceConfig,
    base_url: String,
}

impl EcbSource {
    /// Builds the client (timeouts, User-Agent, rustls) for the configured ECB base URL
    /// (`--source-url ecb=…`, else <https://data-api.ecb.europa.eu>).
    pub fn new(config: &SourceConfig) -> Result<Self, SourceError> {
        Ok(Self {
            http: super::http::client(config, false)?,
            config: config.clone(),
            base_url: config.url(SourceId::Ecb),
        })
    }

    /// The daily reference rates of `pair` from `from` (inclusive) to `to`, with one
    /// request for both legs, retried on transient failures within the per-ticker
    /// deadline. An empty window is an empty series; a window after `to` asks nothing
    /// (0 attempts).
    pub async fn fetch_pair(
        &self,
        pair: FxPair,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Fetched, SourceError> {
        let (Some(legs), Some(key)) = (legs(pair), series_key(pair)) else {
            return Err(SourceError::UnknownSymbol {
                symbol: pair.to_string(),
                detail: "the ECB publishes no euro reference rate of one of its currencies"
                    .to_owned(),
            });
        };
        let no_rates = BTreeMap::new();
        let (rates, attempts) = if from > to {
            (no_rates, 0)
        } else {
            let url = format!(
                "{}/service/data/{}?startPeriod={}&endPeriod={}&format=csvdata",
                self.base_url,
                key,
                reach_back(from, REACH_BACK_DAYS).format("%Y-%m-%d"),
                to.format("%Y-%m-%d"),
            );
            match get_with_retry(
                &self.http,
                &self.config,
                &url,
                &key,
                BodyKind::Csv,
                parse_ecb_csv,
            )
            .await
            {
                Ok(answer) => answer,
                Err(SourceError::UnknownSymbol { detail, .. }) if no_results(&detail) => {
                    (no_rates, 1)
                }
                Err(err) => return Err(err),
            }
        };
        let none = Observations::default();
        let factors: Vec<(&Observations, Power)> = legs
            .iter()
            .map(|(currency, power)| (rates.get(currency).unwrap_or(&none), *power))
            .collect();
        let chart = rates_chart(&key, TIME_ZONE, pair, &factors, from, to);
        Ok(Fetched::new(key, chart, attempts))
    }
}

impl Source for EcbSource {
    fn id(&self) -> SourceId {
        SourceId::Ecb
    }

    fn symbol(&self, meta: &TickerMeta) -> Option<String> {
        FxPair::of_ticker(&meta.ticker).and_then(series_key)
    }

    fn fetch<'a>(
        &'a self,
        meta: &'a TickerMeta,
        from: NaiveDate,
        to: NaiveDate,
    ) -> BoxFuture<'a, Result<Fetched, SourceError>> {
        Box::pin(async move {
            let pair = FxPair::of_rate_ticker(meta, "the ECB publishes exchange rates only")?;
            self.fetch_pair(pair, from, to).await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "KEY,FREQ,CURRENCY,CURRENCY_DENOM,EXR_TYPE,EXR_SUFFIX,TIME_PERIOD,OBS_VALUE,OBS_STATUS,OBS_CONF,OBS_PRE_BREAK,OBS_COM,TIME_FORMAT,BREAKS,COLLECTION,COMPILING_ORG,DISS_ORG,DOM_SER_IDS,PUBL_ECB,PUBL_MU,PUBL_PUBLIC,UNIT_INDEX_BASE,COMPILATION,COVERAGE,DECIMALS,NAT_TITLE,SOURCE_AGENCY,SOURCE_PUB,TITLE,TITLE_COMPL,UNIT,UNIT_MULT";

    fn row(currency: &str, name: &str, day: &str, value: &str, decimals: u8) -> String {
        format!(
            "EXR.D.{currency}.EUR.SP00.A,D,{currency},EUR,SP00,A,{day},{value},A,F,,,P1D,,A,,,,,,,99Q1=100,,,{decimals},,4F0,,{name}/Euro ECB reference exchange rate,\"ECB reference exchange rate, {name}/Euro, 2.15 pm (C.E.T.)\",{currency},0"
        )
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn cur(code: &str) -> Currency {
        Currency::parse(code).unwrap()
    }

    fn sample() -> String {
        [
            HEADER.to_owned(),
            row("KRW", "Korean won (Republic)", "2024-01-02", "1427.29", 2),
            row("KRW", "Korean won (Republic)", "2024-01-03", "1430.72", 2),
            row("USD", "US dollar", "2024-01-02", "1.0956", 4),
            row("USD", "US dollar", "2024-01-03", "1.0919", 4),
        ]
        .join("\r\n")
            + "\r\n"
    }

    #[test]
    fn parses_the_real_format_by_column_name() {
        let rates = parse_ecb_csv(sample().as_bytes()).unwrap();
        assert_eq!(rates.len(), 2);
        assert_eq!(rates[&cur("KRW")].values[&d(2024, 1, 2)], 1427.29);
        assert_eq!(rates[&cur("USD")].values[&d(2024, 1, 3)], 1.0919);
        assert!(rates[&cur("USD")].missing.is_empty());
    }

    #[test]
    fn usd_krw_is_krw_per_euro_over_usd_per_euro() {
        let rates = parse_ecb_csv(sample().as_bytes()).unwrap();
        let pair = FxPair::of_symbol("KRW=X").unwrap();
        let legs = legs(pair).unwrap();
        let factors: Vec<(&Observations, Power)> =
            legs.iter().map(|(c, p)| (&rates[c], *p)).collect();
        let chart = rates_chart(
            "k",
            TIME_ZONE,
            pair,
            &factors,
            d(2024, 1, 1),
            d(2024, 1, 31),
        );
        let close = chart.series.close();
        assert_eq!(chart.series.days(), &[d(2024, 1, 2), d(2024, 1, 3)]);
        for (got, want) in close.iter().zip([1427.29 / 1.0956, 1430.72 / 1.0919]) {
            assert!((got - want).abs() <= 1e-12 * want, "{got} vs {want}");
        }
        assert!((close[0] - 1302.747353048558).abs() < 1e-9);
        // EUR/USD is the published rate itself, to the last bit; USD/EUR its reciprocal.
        let eurusd = FxPair::of_symbol("EURUSD=X").unwrap();
        let legs = super::legs(eurusd).unwrap();
        assert_eq!(legs, vec![(cur("USD"), Power::Multiply)]);
        let chart = rates_chart(
            "k",
            TIME_ZONE,
            eurusd,
            &[(&rates[&cur("USD")], legs[0].1)],
            d(2024, 1, 1),
            d(2024, 1, 31),
        );
        assert_eq!(chart.series.close(), &[1.0956, 1.0919]);
        assert_eq!(
            super::legs(FxPair::of_symbol("EUR=X").unwrap()).unwrap(),
            vec![(cur("USD"), Power::Divide)]
        );
    }

    #[test]
    fn series_keys_ask_for_every_leg_at_once() {
        let key = |s: &str| series_key(FxPair::of_symbol(s).unwrap());
        assert_eq!(key("KRW=X").as_deref(), Some("EXR/D.KRW+USD.EUR.SP00.A"));
        assert_eq!(key("EURUSD=X").as_deref(), Some("EXR/D.USD.EUR.SP00.A"));
        assert_eq!(key("EURKRW=X").as_deref(), Some("EXR/D.KRW.EUR.SP00.A"));
        assert_eq!(key("USDKRW=X").as_deref(), Some("EXR/D.KRW+USD.EUR.SP00.A"));
        assert_eq!(key("JPYKRW=X").as_deref(), Some("EXR/D.KRW+JPY.EUR.SP00.A"));
        assert_eq!(key("EUR=X").as_deref(), Some("EXR/D.USD.EUR.SP00.A"));
        assert_eq!(key("VND=X"), None, "no reference rate of the dong");
        assert_eq!(key("XAU=X"), None);
    }

    #[test]
    fn missing_values_and_other_series() {
        let body = [
            HEADER.to_owned(),
            row("USD", "US dollar", "2024-01-02", "1.0956", 4),
            row("USD", "US dollar", "2024-01-03", "NaN", 4),
            row("USD", "US dollar", "2024-01-04", "", 4),
            row("USD", "US dollar", "2024-01-05", "1.0921", 4)
                .replace(",D,USD,EUR,SP00", ",M,USD,EUR,SP00"),
        ]
        .join("\n")
            + "\n";
        let rates = parse_ecb_csv(body.as_bytes()).unwrap();
        let usd = &rates[&cur("USD")];
        assert_eq!(usd.values.len(), 1);
        assert_eq!(
            usd.missing.iter().copied().collect::<Vec<_>>(),
            vec![d(2024, 1, 3), d(2024, 1, 4)]
        );
        assert!(
            !usd.values.contains_key(&d(2024, 1, 5)),
            "a monthly row is not asked for"
        );
    }

    #[test]
    fn header_only_is_an_empty_answer() {
        assert!(
            parse_ecb_csv(format!("{HEADER}\n").as_bytes())
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn cut_and_foreign_bodies_are_errors() {
        let whole = sample();
        // Cut inside the quoted title of the last row, inside its value, in the header.
        for cut in [whole.len() - 40, whole.rfind("1.0919").unwrap() + 3, 30] {
            let err = parse_ecb_csv(&whole.as_bytes()[..cut]).unwrap_err();
            assert_eq!(
                err.malformed_truncated(),
                Some(true),
                "cut at {cut}: {err:?}"
            );
            assert!(err.is_transient());
        }
        // A short row in the middle is no cut: the table is malformed.
        let body = format!(
            "{HEADER}\nEXR.D.USD.EUR.SP00.A,D,USD\n{}\n",
            row("USD", "US dollar", "2024-01-03", "1.0919", 4)
        );
        assert!(matches!(
            parse_ecb_csv(body.as_bytes()),
            Err(SourceError::Malformed {
                truncated: false,
                ..
            })
        ));
        let body = format!(
            "{HEADER}\n{}\n{}\n",
            row("USD", "US dollar", "2024-01-02", "1.09x", 4),
            row("USD", "US dollar", "2024-01-03", "1.0919", 4)
        );
        assert!(matches!(
            parse_ecb_csv(body.as_bytes()),
            Err(SourceError::Malformed {
                truncated: false,
                ..
            })
        ));
        let body = "DATE,DEXKOUS\n2024-01-02,1300.5\n";
        assert!(matches!(
            parse_ecb_csv(body.as_bytes()),
            Err(SourceError::Malformed {
                truncated: false,
                ..
            })
        ));
    }

    #[test]
    fn only_the_no_results_404_is_an_empty_window() {
        assert!(no_results(
            r#"HTTP 404: {"type":"/service/data/EXR/D.RUB.EUR.SP00.A","title":"Not Found","status":404,"detail":"No results found.","instance":"/service/data/EXR/D.RUB.EUR.SP00.A"}"#
        ));
        assert!(no_results("HTTP 404: No results found."));
        assert!(!no_results(
            r#"HTTP 404: {"status":404,"error":"Not Found","path":"/service/data/EXR/D.X.EUR.SP00.A"}"#
        ));
    }
}

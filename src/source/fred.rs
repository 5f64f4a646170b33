//! FRED's daily exchange rates from the Federal Reserve's H.10 release (noon buying rates
//! in New York, certified by the New York Fed), as CSV from FRED's graph download:
//!
//! ```text
//! {url}/graph/fredgraph.csv?id=DEXKOUS&cosd=2024-01-01&coed=2024-01-31
//! ```
//!
//! The answer is a date column and the series' values; the date column is named
//! `observation_date` (since December 2024) or `DATE` (before), and a day without a rate
//! (a US holiday) has an empty value (now) or `.` (before):
//!
//! ```text
//! observation_date,DEXKOUS
//! 2024-01-01,
//! 2024-01-02,1300.50
//! ```
//!
//! Most series are units of the currency per dollar (`DEXKOUS`: won per dollar); four are
//! dollars per unit (`DEXUSEU`, `DEXUSUK`, `DEXUSAL`, `DEXUSNZ`). USD/XXX is one series,
//! used as published or inverted; a pair without the dollar (`EURKRW=X`, `JPYKRW=X`)
//! combines two series on their common days. Bars are close-only, dated in New York's
//! calendar (`America/New_York`).
//!
//! H.10 comes out weekly (Mondays, for the week before), so the latest days often have no
//! rows yet: an answer with a header and no rows is an empty series. Each request reaches
//! back [`REACH_BACK_DAYS`] days before its first day, so that a window of the newest
//! days still gets rows (the answer is then limited to the days asked).

use chrono::NaiveDate;
use futures::future::BoxFuture;

use super::fx_pair::{Currency, FxPair, Observations, Power, csv_number, rates_chart, reach_back};
use super::http::{BodyKind, get_with_retry, snippet};
use super::{Fetched, Source, SourceConfig, SourceError, SourceId, malformed};
use crate::model::TickerMeta;

/// New York's calendar.
pub const TIME_ZONE: &str = "America/New_York";

/// Days each request reaches back before its first day: two weeks cover H.10's weekly
/// publication with a holiday's delay.
pub const REACH_BACK_DAYS: u64 = 14;

/// One H.10 daily series on FRED.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FredSeries {
    /// The currency (ISO 4217).
    pub currency: &'static str,
    /// FRED's series id.
    pub id: &'static str,
    /// Whether the series is units of the currency per dollar (`DEXKOUS`), rather than
    /// dollars per unit (`DEXUSEU`).
    pub per_dollar: bool,
}

const fn per_dollar(currency: &'static str, id: &'static str) -> FredSeries {
    FredSeries {
        currency,
        id,
        per_dollar: true,
    }
}

const fn dollars_per(currency: &'static str, id: &'static str) -> FredSeries {
    FredSeries {
        currency,
        id,
        per_dollar: false,
    }
}

/// The H.10 daily series on FRED (the Venezuelan series ended in 2013).
pub const FRED_SERIES: [FredSeries; 23] = [
    per_dollar("BRL", "DEXBZUS"),
    per_dollar("CAD", "DEXCAUS"),
    per_dollar("CNY", "DEXCHUS"),
    per_dollar("DKK", "DEXDNUS"),
    per_dollar("HKD", "DEXHKUS"),
    per_dollar("INR", "DEXINUS"),
    per_dollar("JPY", "DEXJPUS"),
    per_dollar("KRW", "DEXKOUS"),
    per_dollar("MYR", "DEXMAUS"),
    per_dollar("MXN", "DEXMXUS"),
    per_dollar("NOK", "DEXNOUS"),
    per_dollar("SEK", "DEXSDUS"),
    per_dollar("ZAR", "DEXSFUS"),
    per_dollar("SGD", "DEXSIUS"),
    per_dollar("LKR", "DEXSLUS"),
    per_dollar("CHF", "DEXSZUS"),
    per_dollar("TWD", "DEXTAUS"),
    per_dollar("THB", "DEXTHUS"),
    per_dollar("VEF", "DEXVZUS"),
    dollars_per("AUD", "DEXUSAL"),
    dollars_per("EUR", "DEXUSEU"),
    dollars_per("NZD", "DEXUSNZ"),
    dollars_per("GBP", "DEXUSUK"),
];

/// The H.10 series of `currency` against the dollar, if FRED has one.
pub fn series_of(currency: Currency) -> Option<&'static FredSeries> {
    FRED_SERIES.iter().find(|s| s.currency == currency.as_str())
}

/// The series of a pair, the quote's first, each with how it enters the pair's rate;
/// `None` when FRED has no series of one of its currencies.
pub fn legs(pair: FxPair) -> Option<Vec<(&'static FredSeries, Power)>> {
    let mut legs = Vec::with_capacity(2);
    for (currency, quote_leg) in [(pair.quote, true), (pair.base, false)] {
        if currency == Currency::USD {
            continue;
        }
        let series = series_of(currency)?;
        legs.push((series, Power::of_leg(quote_leg, series.per_dollar)));
    }
    Some(legs)
}

/// How the pair's rate is made of FRED series: `DEXKOUS` (USD/KRW), `DEXUSEU` (EUR/USD),
/// `1/DEXUSEU` (USD/EUR), `DEXKOUS/DEXJPUS` (JPY/KRW), `DEXKOUS*DEXUSEU` (EUR/KRW); `None`
/// when FRED has no series of one of its currencies.
pub fn formula(pair: FxPair) -> Option<String> {
    let legs = legs(pair)?;
    let ids = |power: Power| -> Vec<&str> {
        legs.iter()
            .filter(|(_, p)| *p == power)
            .map(|(s, _)| s.id)
            .collect()
    };
    let (up, down) = (ids(Power::Multiply), ids(Power::Divide));
    let mut text = if up.is_empty() {
        "1".to_owned()
    } else {
        up.join("*")
    };
    match down.len() {
        0 => {}
        1 => text.push_str(&format!("/{}", down[0])),
        _ => text.push_str(&format!("/({})", down.join("*"))),
    }
    Some(text)
}

/// The observations of `series_id` from a `fredgraph.csv` answer. The first column is the
/// date (`observation_date` or `DATE`), the value column is the one named after the
/// series; `.` and empty values are missing days. FRED ends every line with a newline and
/// the value is the last field, so a body whose last row does not end its line was cut
/// (`truncated`, retried), as is one whose last row lacks fields; any other row that does
/// not parse makes the answer malformed. A header without rows is an empty answer.
pub fn parse_fred_csv(body: &[u8], series_id: &str) -> Result<Observations, SourceError> {
    let text = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let ends_its_line = text.ends_with(b"\n");
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(text);
    let headers = reader
        .headers()
        .map_err(|e| malformed(format!("unreadable CSV header: {e}"), false))?
        .clone();
    let date_first = headers.get(0).map(str::trim).is_some_and(|h| {
        h.eq_ignore_ascii_case("observation_date") || h.eq_ignore_ascii_case("DATE")
    });
    let value_col = headers
        .iter()
        .position(|h| h.trim().eq_ignore_ascii_case(series_id));
    let (true, Some(value_col)) = (date_first, value_col) else {
        return Err(malformed(
            format!(
                "not a FRED table of {series_id} (first column observation_date or DATE, a column {series_id}): {}",
                snippet(&text[..text.len().min(120)])
            ),
            !text.contains(&b'\n'),
        ));
    };
    let width = headers.len();
    let mut observations = Observations::default();
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
        if last && !ends_its_line {
            return Err(malformed(
                format!("the last row ({row}) does not end its line: the body was cut"),
                true,
            ));
        }
        let field = |i: usize| record.get(i).unwrap_or("").trim();
        let day = NaiveDate::parse_from_str(field(0), "%Y-%m-%d").map_err(|_| {
            malformed(
                format!(
                    "row {row}: {:?} is not a day",
                    crate::model::shown(field(0))
                ),
                last,
            )
        })?;
        let value =
            csv_number(field(value_col)).map_err(|e| malformed(format!("row {row}: {e}"), last))?;
        observations.insert(day, value);
    }
    Ok(observations)
}

/// FRED's H.10 exchange rates as a [`Source`] of exchange-rate history. Create one per
/// run and share it: it owns its connection pool.
#[derive(Debug)]
pub struct FredSource {
    http: reqwest::Client,
    config: SourceConfig,
    base_url: String,
}

impl FredSource {
    /// Builds the client (timeouts, User-Agent, rustls) for the configured FRED base URL
    /// (`--source-url fred=…`, else <https://fred.stlouisfed.org>).
    pub fn new(config: &SourceConfig) -> Result<Self, SourceError> {
        Ok(Self {
            http: super::http::client(config, false)?,
            config: config.clone(),
            base_url: config.url(SourceId::Fred),
        })
    }

    async fn fetch_series(
        &self,
        series: &FredSeries,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<(Observations, u32), SourceError> {
        let url = format!(
            "{}/graph/fredgraph.csv?id={}&cosd={}&coed={}",
            self.base_url,
            series.id,
            reach_back(from, REACH_BACK_DAYS).format("%Y-%m-%d"),
            to.format("%Y-%m-%d"),
        );
        get_with_retry(
            &self.http,
            &self.config,
            &url,
            series.id,
            BodyKind::Csv,
            |body| parse_fred_csv(body, series.id),
        )
        .await
    }

    /// The daily rates of `pair` from `from` (inclusive) to `to`: one request per series
    /// (two, at once, for a pair without the dollar), each retried on transient failures
    /// within the per-ticker deadline. `attempts` is the most any series needed; a window
    /// after `to` asks nothing (0 attempts).
    pub async fn fetch_pair(
        &self,
        pair: FxPair,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Fetched, SourceError> {
        let (Some(legs), Some(symbol)) = (legs(pair), formula(pair)) else {
            return Err(SourceError::UnknownSymbol {
                symbol: pair.to_string(),
                detail: "FRED has no H.10 daily series of one of its currencies".to_owned(),
            });
        };
        let answers: Vec<(Observations, u32)> = if from > to {
            legs.iter().map(|_| (Observations::default(), 0)).collect()
        } else {
            futures::future::try_join_all(
                legs.iter()
                    .map(|(series, _)| self.fetch_series(series, from, to)),
            )
            .await?
        };
        let attempts = answers.iter().map(|(_, a)| *a).max().unwrap_or(0);
        let factors: Vec<(&Observations, Power)> = answers
            .iter()
            .zip(&legs)
            .map(|((observations, _), (_, power))| (observations, *power))
            .collect();
        let chart = rates_chart(&symbol, TIME_ZONE, pair, &factors, from, to);
        Ok(Fetched::new(symbol, chart, attempts))
    }
}

impl Source for FredSource {
    fn id(&self) -> SourceId {
        SourceId::Fred
    }

    fn symbol(&self, meta: &TickerMeta) -> Option<String> {
        FxPair::of_ticker(&meta.ticker).and_then(formula)
    }

    fn fetch<'a>(
        &'a self,
        meta: &'a TickerMeta,
        from: NaiveDate,
        to: NaiveDate,
    ) -> BoxFuture<'a, Result<Fetched, SourceError>> {
        Box::pin(async move {
            let pair = FxPair::of_rate_ticker(meta, "FRED's H.10 series are exchange rates only")?;
            self.fetch_pair(pair, from, to).await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn pair(symbol: &str) -> FxPair {
        FxPair::of_symbol(symbol).unwrap()
    }

    #[test]
    fn both_header_variants_and_both_missing_markers() {
        for body in [
            "observation_date,DEXKOUS\n2024-01-01,\n2024-01-02,1300.50\n2024-01-03,1306.44\n",
            "DATE,DEXKOUS\r\n2024-01-01,.\r\n2024-01-02,1300.50\r\n2024-01-03,1306.44\r\n",
            "\u{feff}observation_date,DEXKOUS\n2024-01-01,.\n2024-01-02,1300.50\n2024-01-03,1306.44\n",
        ] {
            let o = parse_fred_csv(body.as_bytes(), "DEXKOUS").unwrap();
            assert_eq!(o.values.len(), 2, "{body:?}");
            assert_eq!(o.values[&d(2024, 1, 2)], 1300.5);
            assert_eq!(o.values[&d(2024, 1, 3)], 1306.44);
            assert_eq!(
                o.missing.iter().copied().collect::<Vec<_>>(),
                vec![d(2024, 1, 1)]
            );
        }
        let empty = parse_fred_csv(b"observation_date,DEXKOUS\n", "DEXKOUS").unwrap();
        assert_eq!(empty, Observations::default());
    }

    #[test]
    fn cut_and_foreign_bodies_are_errors() {
        let whole = "observation_date,DEXKOUS\n2024-01-02,1300.50\n2024-01-03,1306.44\n";
        for cut in [whole.len() - 1, whole.len() - 4, whole.len() - 9, 12] {
            let err = parse_fred_csv(&whole.as_bytes()[..cut], "DEXKOUS").unwrap_err();
            assert_eq!(
                err.malformed_truncated(),
                Some(true),
                "cut at {cut}: {err:?}"
            );
        }
        for (body, id) in [
            ("observation_date,DEXJPUS\n2024-01-02,141.0\n", "DEXKOUS"),
            ("Date,Close\n2024-01-02,141.0\n", "DEXKOUS"),
            (
                "observation_date,DEXKOUS\n2024-01-02,N/A\n2024-01-03,1306.44\n",
                "DEXKOUS",
            ),
            (
                "observation_date,DEXKOUS\n01/02/2024,1300.5\n2024-01-03,1306.44\n",
                "DEXKOUS",
            ),
        ] {
            let err = parse_fred_csv(body.as_bytes(), id).unwrap_err();
            assert_eq!(err.malformed_truncated(), Some(false), "{body:?}: {err:?}");
        }
    }

    #[test]
    fn pairs_map_to_series_directly_inverted_or_crossed() {
        assert_eq!(formula(pair("KRW=X")).as_deref(), Some("DEXKOUS"));
        assert_eq!(formula(pair("USDKRW=X")).as_deref(), Some("DEXKOUS"));
        assert_eq!(formula(pair("JPY=X")).as_deref(), Some("DEXJPUS"));
        assert_eq!(formula(pair("EURUSD=X")).as_deref(), Some("DEXUSEU"));
        assert_eq!(formula(pair("GBPUSD=X")).as_deref(), Some("DEXUSUK"));
        assert_eq!(formula(pair("EUR=X")).as_deref(), Some("1/DEXUSEU"));
        assert_eq!(formula(pair("USDJPY=X")).as_deref(), Some("DEXJPUS"));
        assert_eq!(formula(pair("JPYUSD=X")).as_deref(), Some("1/DEXJPUS"));
        assert_eq!(
            formula(pair("EURKRW=X")).as_deref(),
            Some("DEXKOUS*DEXUSEU")
        );
        assert_eq!(
            formula(pair("JPYKRW=X")).as_deref(),
            Some("DEXKOUS/DEXJPUS")
        );
        assert_eq!(
            formula(pair("KRWEUR=X")).as_deref(),
            Some("1/(DEXUSEU*DEXKOUS)")
        );
        assert_eq!(
            formula(pair("EURGBP=X")).as_deref(),
            Some("DEXUSEU/DEXUSUK")
        );
        assert_eq!(formula(pair("VND=X")), None);
        assert_eq!(
            formula(pair("EURPLN=X")),
            None,
            "no H.10 series of the zloty"
        );
        assert_eq!(FRED_SERIES.iter().filter(|s| !s.per_dollar).count(), 4);
    }

    #[test]
    fn cross_rates_combine_on_common_days() {
        let mut kous = Observations::default();
        let mut useu = Observations::default();
        kous.insert(d(2024, 1, 2), Some(1300.5));
        kous.insert(d(2024, 1, 3), Some(1306.44));
        kous.insert(d(2024, 1, 4), None);
        useu.insert(d(2024, 1, 2), Some(1.0956));
        useu.insert(d(2024, 1, 3), None);
        useu.insert(d(2024, 1, 4), None);
        let eurkrw = pair("EURKRW=X");
        let legs = legs(eurkrw).unwrap();
        assert_eq!(legs[0].0.id, "DEXKOUS");
        assert_eq!(legs[1].0.id, "DEXUSEU");
        let chart = rates_chart(
            "f",
            TIME_ZONE,
            eurkrw,
            &[(&kous, legs[0].1), (&useu, legs[1].1)],
            d(2024, 1, 1),
            d(2024, 1, 31),
        );
        assert_eq!(chart.series.days(), &[d(2024, 1, 2)]);
        assert_eq!(chart.series.close(), &[1300.5 * 1.0956]);
        assert_eq!(chart.skipped_nulls, 2);
        assert_eq!(chart.time_zone, "America/New_York");
        // USD/EUR from dollars per euro is the reciprocal.
        let usdeur = pair("EUR=X");
        let legs = super::legs(usdeur).unwrap();
        let chart = rates_chart(
            "f",
            TIME_ZONE,
            usdeur,
            &[(&useu, legs[0].1)],
            d(2024, 1, 1),
            d(2024, 1, 31),
        );
        assert_eq!(chart.series.close(), &[1.0 / 1.0956]);
    }
}

//! The interface every download source implements, and what each source is: its name,
//! what it adjusts, and (for exchange rates) which fixing it publishes.

use chrono::NaiveDate;
use futures::future::BoxFuture;

use super::{ChartData, SourceError};
use crate::model::TickerMeta;

/// The download sources wickview knows.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum SourceId {
    /// Yahoo Finance's chart API: every category; the default primary.
    Yahoo,
    /// Naver Finance's chart data: KRX stocks and the KOSPI / KOSDAQ indices.
    Naver,
    /// The European Central Bank's euro reference rates (exchange rates since 1999).
    Ecb,
    /// FRED's H.10 noon buying rates in New York (exchange rates since 1971).
    Fred,
}

impl SourceId {
    /// Every source, in the order the panel lists them.
    pub const ALL: [Self; 4] = [Self::Yahoo, Self::Naver, Self::Ecb, Self::Fred];

    /// The short name used in flags, config, the store's `source` field and `export`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Yahoo => "yahoo",
            Self::Naver => "naver",
            Self::Ecb => "ecb",
            Self::Fred => "fred",
        }
    }

    /// The name shown to users.
    pub fn label(self) -> &'static str {
        match self {
            Self::Yahoo => "Yahoo Finance",
            Self::Naver => "Naver Finance",
            Self::Ecb => "ECB reference rates",
            Self::Fred => "FRED (H.10)",
        }
    }

    /// A source by its short name (case-insensitive).
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|id| id.name().eq_ignore_ascii_case(name.trim()))
    }

    /// What the source's prices are adjusted for.
    pub fn adjustment(self) -> &'static str {
        match self {
            Self::Yahoo => {
                "prices adjusted for splits (not dividends); dividends and splits as events"
            }
            Self::Naver => {
                "prices adjusted for splits and other capital changes (수정주가); volume as traded"
            }
            Self::Ecb | Self::Fred => "exchange rates: nothing to adjust",
        }
    }

    /// For exchange rates: which daily fixing the source publishes. Two sources with
    /// different fixings are never stitched together within one series.
    pub fn fixing(self) -> &'static str {
        match self {
            Self::Yahoo => "Yahoo's last quote of the day (no official fixing)",
            Self::Naver => "KRX closing prices",
            Self::Ecb => "ECB reference rate, ~16:00 CET",
            Self::Fred => "noon buying rate in New York (Federal Reserve H.10)",
        }
    }

    /// The public base URL of the source.
    pub fn default_url(self) -> &'static str {
        match self {
            Self::Yahoo => super::DEFAULT_BASE_URL,
            Self::Naver => "https://fchart.stock.naver.com",
            Self::Ecb => "https://data-api.ecb.europa.eu",
            Self::Fred => "https://fred.stlouisfed.org",
        }
    }
}

impl std::fmt::Display for SourceId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Bars fetched for one ticker from one source.
#[derive(Clone, Debug, PartialEq)]
pub struct Fetched {
    /// The source's symbol that answered (`005930.KS` on Yahoo, `005930` on Naver).
    pub symbol: String,
    /// The parsed chart, limited to days on or after the requested first day.
    pub chart: ChartData,
    /// Attempts made for the symbol that answered (1 when the first one succeeded).
    pub attempts: u32,
    /// Foreign ownership ratio in percent by day, where the source publishes it (Naver's
    /// 외국인소진율), aligned with nothing: look days up by date.
    pub foreign_ratio: Vec<(NaiveDate, f64)>,
}

impl Fetched {
    /// A fetch result without foreign ownership data.
    pub fn new(symbol: String, chart: ChartData, attempts: u32) -> Self {
        Self {
            symbol,
            chart,
            attempts,
            foreign_ratio: Vec::new(),
        }
    }
}

/// A provider of daily bars. Implementations own their HTTP client and are shared by
/// every download of a run (`&self`, `Send + Sync`).
pub trait Source: Send + Sync + std::fmt::Debug {
    /// Which source this is.
    fn id(&self) -> SourceId;

    /// The symbol this source knows the ticker by, or `None` when it does not cover the
    /// ticker (Naver has no US stocks; the ECB has no indices).
    fn symbol(&self, meta: &TickerMeta) -> Option<String>;

    /// The ticker's daily bars from `from` (inclusive) to `to`, with retries of transient
    /// failures inside the per-ticker deadline. A period without bars is an empty series,
    /// never an error; an unknown symbol is [`SourceError::UnknownSymbol`].
    fn fetch<'a>(
        &'a self,
        meta: &'a TickerMeta,
        from: NaiveDate,
        to: NaiveDate,
    ) -> BoxFuture<'a, Result<Fetched, SourceError>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for id in SourceId::ALL {
            assert_eq!(SourceId::parse(id.name()), Some(id));
            assert_eq!(SourceId::parse(&id.name().to_uppercase()), Some(id));
        }
        assert_eq!(SourceId::parse("bloomberg"), None);
    }
}

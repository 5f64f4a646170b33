//! One currency for the whole comparison: every series in US dollars or in Korean won,
//! converted with the stored `KRW=X` daily close (won per dollar; as of each day, the
//! latest earlier rate when a day has none). The conversion runs in the background.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::chart::ChartSeries;
use crate::compute::fx::{FxDirection, convert};
use crate::model::{Category, TickerMeta};

/// The rate series every conversion uses: Korean won per US dollar.
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
}

impl DisplayCurrency {
    /// Every choice, in menu order.
    pub const ALL: [Self; 3] = [Self::Native, Self::Usd, Self::Krw];

    /// Menu label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Native => "Own currency",
            Self::Usd => "All in USD",
            Self::Krw => "All in KRW",
        }
    }

    fn code(self) -> Option<PriceCurrency> {
        match self {
            Self::Native => None,
            Self::Usd => Some(PriceCurrency::Usd),
            Self::Krw => Some(PriceCurrency::Krw),
        }
    }
}

/// The currency a series is priced in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PriceCurrency {
    /// US dollars.
    Usd,
    /// Korean won.
    Krw,
}

/// The currency of `meta`'s prices: Korean stocks, KRX-listed funds and the KOSPI / KOSDAQ
/// indices (`^KS…`, `^KQ…`) are in won; US stocks and other indices in dollars; currency
/// pairs are rates, not prices (`None`: never converted).
pub fn price_currency(meta: &TickerMeta) -> Option<PriceCurrency> {
    let symbol = meta.ticker.as_str();
    match meta.category() {
        Category::KoreanStock => Some(PriceCurrency::Krw),
        Category::Currency => None,
        Category::UsStock => Some(PriceCurrency::Usd),
        Category::Index => {
            let krx_code = symbol.len() == 6 && symbol.bytes().all(|b| b.is_ascii_digit());
            if krx_code || symbol.starts_with("^KS") || symbol.starts_with("^KQ") {
                Some(PriceCurrency::Krw)
            } else {
                Some(PriceCurrency::Usd)
            }
        }
    }
}

/// Whether any of `metas` needs the rate to be shown in `target`.
pub fn needs_rate(target: DisplayCurrency, metas: &[&TickerMeta]) -> bool {
    let Some(to) = target.code() else {
        return false;
    };
    metas
        .iter()
        .any(|m| price_currency(m).is_some_and(|c| c != to))
}

/// `series` (priced as `meta` says) in `target`, converted with `rate` (`KRW=X` closes).
/// Builds the chart pyramids again: run it off the UI thread.
pub fn convert_series(
    series: &ChartSeries,
    meta: &TickerMeta,
    target: DisplayCurrency,
    rate: &ChartSeries,
) -> ChartSeries {
    let direction = match (price_currency(meta), target.code()) {
        (Some(PriceCurrency::Krw), Some(PriceCurrency::Usd)) => FxDirection::Divide,
        (Some(PriceCurrency::Usd), Some(PriceCurrency::Krw)) => FxDirection::Multiply,
        _ => return series.clone(),
    };
    let converted = convert(&series.series, &rate.series, direction);
    let suffix = match direction {
        FxDirection::Divide => "USD",
        FxDirection::Multiply => "KRW",
    };
    ChartSeries::new(
        format!("{} in {suffix}", series.name),
        Arc::new(converted.series),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Ticker;

    fn meta(c: Category, s: &str) -> TickerMeta {
        TickerMeta::new(Ticker::parse(c, s).unwrap(), s)
    }

    #[test]
    fn price_currencies() {
        assert_eq!(
            price_currency(&meta(Category::KoreanStock, "005930")),
            Some(PriceCurrency::Krw)
        );
        assert_eq!(
            price_currency(&meta(Category::Index, "^KS11")),
            Some(PriceCurrency::Krw)
        );
        assert_eq!(
            price_currency(&meta(Category::Index, "069500")),
            Some(PriceCurrency::Krw)
        );
        assert_eq!(
            price_currency(&meta(Category::Index, "^IXIC")),
            Some(PriceCurrency::Usd)
        );
        assert_eq!(price_currency(&meta(Category::Currency, "KRW=X")), None);
        let aapl = meta(Category::UsStock, "AAPL");
        assert!(!needs_rate(DisplayCurrency::Usd, &[&aapl]));
        assert!(needs_rate(DisplayCurrency::Krw, &[&aapl]));
        assert!(!needs_rate(DisplayCurrency::Native, &[&aapl]));
    }
}

//! How a series' prices are written, chosen from its currency: Korean won and Japanese yen
//! are quoted in whole units (`8,093`, `Δ +5,515`), as Korean and Japanese tools show them,
//! adjusted history included; every other price keeps the decimals its size needs
//! ([`format_price`]: `151.23`, `1.0845`). Exchange rates are rates, not prices, and keep
//! their decimals (`KRW=X` 1,380.25); so do index levels, which are points (KOSPI 2,501.53),
//! while an index fund listed in Seoul (`069500`) is priced in won.

use super::{format_price, format_price_mark, format_with};
use crate::model::{Category, CurrencyCode, TickerMeta, price_currency};

/// How prices are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PriceFormat {
    /// Decimals by the price's size ([`format_price`]).
    #[default]
    Auto,
    /// Whole units (won, yen): `53,400`, `8,093`. A value below one unit keeps its
    /// decimals, so it never reads `0`.
    Whole,
}

impl PriceFormat {
    /// The format of prices in `currency` (`None`: a rate or an unknown currency).
    pub fn for_currency(currency: Option<CurrencyCode>) -> Self {
        match currency {
            Some(c) if c == CurrencyCode::KRW || c.as_str() == "JPY" => Self::Whole,
            _ => Self::Auto,
        }
    }

    /// The format of `meta`'s prices: won for Korean stocks and KRX-listed funds
    /// ([`price_currency`]); index levels (`^KS11`, `^N225`) and rates keep their decimals.
    /// (Yen prices come from a comparison shown *All in JPY*.)
    pub fn for_ticker(meta: &TickerMeta) -> Self {
        if meta.ticker.as_str().starts_with('^') || meta.category() == Category::Currency {
            return Self::Auto;
        }
        Self::for_currency(price_currency(meta))
    }

    /// A price: `53,400` (whole) or as [`format_price`].
    pub fn price(self, v: f64) -> String {
        match self {
            Self::Whole if v.is_finite() && v.abs() >= 1.0 => format_with(v.round(), 0),
            _ => format_price(v),
        }
    }

    /// A price difference with its sign: `+5,515`, `-120`, `+1,234.00`.
    pub fn delta(self, v: f64) -> String {
        let text = self.price(v);
        if v >= 0.0 && !text.starts_with('-') && text != "–" {
            format!("+{text}")
        } else {
            text
        }
    }

    /// A linear price-axis mark `step` from the next ([`format_price_mark`]): a whole-unit
    /// axis drops decimals as long as its marks are a unit or more apart.
    pub fn mark(self, v: f64, step: f64) -> String {
        match self {
            Self::Whole if step >= 1.0 => self.price(v),
            _ => format_price_mark(v, step),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Ticker;

    fn meta(category: Category, symbol: &str) -> TickerMeta {
        TickerMeta::new(Ticker::parse(category, symbol).unwrap(), "")
    }

    #[test]
    fn won_and_yen_are_whole_other_prices_keep_decimals() {
        let won = PriceFormat::for_ticker(&meta(Category::KoreanStock, "005930"));
        assert_eq!(won, PriceFormat::Whole);
        assert_eq!(won.price(8_092.78), "8,093");
        assert_eq!(won.price(53_400.0), "53,400");
        assert_eq!(won.delta(5_515.06), "+5,515");
        assert_eq!(won.delta(-120.4), "-120");
        assert_eq!(won.delta(0.0), "+0");
        assert_eq!(won.price(0.35), "0.3500", "below a won keeps decimals");
        assert_eq!(won.price(f64::NAN), "–");
        assert_eq!(won.delta(f64::NAN), "–");
        assert_eq!(won.mark(8_100.0, 100.0), "8,100");
        assert_eq!(
            won.mark(8_100.5, 0.5),
            "8,100.5",
            "sub-won marks stay apart"
        );
        // A KRX-listed index fund is in won; index levels are points, as Korean tools show
        // them (KOSPI 2,501.53); a US stock is in dollars.
        assert_eq!(
            PriceFormat::for_ticker(&meta(Category::Index, "069500")),
            PriceFormat::Whole
        );
        assert_eq!(
            PriceFormat::for_ticker(&meta(Category::Index, "^KS11")),
            PriceFormat::Auto
        );
        let usd = PriceFormat::for_ticker(&meta(Category::UsStock, "AAPL"));
        assert_eq!(usd, PriceFormat::Auto);
        assert_eq!(usd.price(273.634), "273.63");
        assert_eq!(usd.delta(1_234.0), "+1,234.00");
        assert_eq!(
            PriceFormat::for_ticker(&meta(Category::Index, "^GSPC")),
            PriceFormat::Auto
        );
        // Yen (a comparison in JPY); the Nikkei's level is points.
        assert_eq!(
            PriceFormat::for_ticker(&meta(Category::Index, "^N225")),
            PriceFormat::Auto
        );
        assert_eq!(
            PriceFormat::for_currency(CurrencyCode::parse("jpy")),
            PriceFormat::Whole
        );
        // Rates keep their decimals, the won's included.
        assert_eq!(
            PriceFormat::for_ticker(&meta(Category::Currency, "KRW=X")),
            PriceFormat::Auto
        );
        assert_eq!(PriceFormat::for_currency(None), PriceFormat::Auto);
    }
}

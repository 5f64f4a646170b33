//! Currencies of prices: the three-letter code and the currency a ticker's prices are in.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::{Category, TickerMeta};

/// A three-letter currency code (`USD`, `KRW`, `JPY`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CurrencyCode([u8; 3]);

impl CurrencyCode {
    /// US dollars.
    pub const USD: Self = Self(*b"USD");
    /// Korean won.
    pub const KRW: Self = Self(*b"KRW");

    /// Three ASCII letters, any case; `None` otherwise.
    pub fn parse(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if b.len() == 3 && b.iter().all(u8::is_ascii_alphabetic) {
            Some(Self([
                b[0].to_ascii_uppercase(),
                b[1].to_ascii_uppercase(),
                b[2].to_ascii_uppercase(),
            ]))
        } else {
            None
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        // Only ASCII letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl fmt::Display for CurrencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for CurrencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for CurrencyCode {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s).ok_or_else(|| format!("'{s}' is not a three-letter currency code"))
    }
}

impl From<CurrencyCode> for String {
    fn from(c: CurrencyCode) -> Self {
        c.as_str().to_owned()
    }
}

/// The currency `meta`'s prices are in: Korean stocks, KRX-listed funds and the KOSPI /
/// KOSDAQ indices (`^KS…`, `^KQ…`) in won; US stocks and other indices in dollars; currency
/// pairs are rates, not prices (`None`: never converted).
pub fn price_currency(meta: &TickerMeta) -> Option<CurrencyCode> {
    let symbol = meta.ticker.as_str();
    match meta.category() {
        Category::KoreanStock => Some(CurrencyCode::KRW),
        Category::Currency => None,
        Category::UsStock => Some(CurrencyCode::USD),
        Category::Index => {
            let krx_code = super::is_krx_code(symbol);
            if krx_code || symbol.starts_with("^KS") || symbol.starts_with("^KQ") {
                Some(CurrencyCode::KRW)
            } else {
                Some(CurrencyCode::USD)
            }
        }
    }
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
            Some(CurrencyCode::KRW)
        );
        assert_eq!(
            price_currency(&meta(Category::Index, "^KS11")),
            Some(CurrencyCode::KRW)
        );
        assert_eq!(
            price_currency(&meta(Category::Index, "069500")),
            Some(CurrencyCode::KRW)
        );
        assert_eq!(
            price_currency(&meta(Category::Index, "^IXIC")),
            Some(CurrencyCode::USD)
        );
        assert_eq!(price_currency(&meta(Category::Currency, "KRW=X")), None);
    }
}

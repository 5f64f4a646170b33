//! Ticker symbols, validated per category, and ticker metadata.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Category, ModelError};

/// The Korean exchange a KRX code trades on, which picks its Yahoo suffix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KrMarket {
    /// KOSPI, Yahoo suffix `.KS`.
    Kospi,
    /// KOSDAQ, Yahoo suffix `.KQ`.
    Kosdaq,
}

impl KrMarket {
    /// The Yahoo Finance suffix, with its dot.
    pub fn suffix(self) -> &'static str {
        match self {
            Self::Kospi => ".KS",
            Self::Kosdaq => ".KQ",
        }
    }

    /// The market a resolved Yahoo symbol (`005930.KS`) names, if any.
    pub fn of_symbol(symbol: &str) -> Option<Self> {
        split_kr_suffix(&symbol.to_ascii_uppercase()).1
    }
}

/// `symbol` (upper case) without a Yahoo `.KS`/`.KQ` suffix, and the market that suffix
/// names: `005930.KS` → (`005930`, KOSPI), `035720.KQ` → (`035720`, KOSDAQ), `AAPL` →
/// (`AAPL`, none). Whether the rest is a KRX code is [`is_krx_code`]'s to say.
pub fn split_kr_suffix(symbol: &str) -> (&str, Option<KrMarket>) {
    [KrMarket::Kospi, KrMarket::Kosdaq]
        .into_iter()
        .find_map(|market| {
            symbol
                .strip_suffix(market.suffix())
                .map(|code| (code, Some(market)))
        })
        .unwrap_or((symbol, None))
}

/// A validated ticker of one category.
///
/// The stored `ticker` string is canonical: Korean stocks keep the bare 6-character code
/// (`005930`, `0126Z0`), the resolved `.KS`/`.KQ` symbol lives in [`TickerMeta::source_symbol`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Ticker {
    category: Category,
    symbol: String,
}

/// Whether `code` (upper case, no suffix) is a KRX short code (단축코드): six characters,
/// four digits, then a digit or a letter other than I, O and U, then a digit or one of
/// K, L, M, N.
///
/// Numeric codes ran out, so since the 2024 reform KRX hands out codes with a letter in
/// the fifth place (`0126Z0`, `0009K0`; I, O and U are never used, being easy to take for
/// 1, 0 and V); preferred shares issued as convertible or redeemable carry K to N in the
/// sixth (`00104K`, `02826K`). The pattern is FinanceDataReader's
/// (`\d{4}[0-9A-HJ-NP-TV-Z][0-9KLMN]`, "KRX stock code reform (2024.1.1~)").
pub fn is_krx_code(code: &str) -> bool {
    let b = code.as_bytes();
    let fifth =
        |c: u8| c.is_ascii_digit() || (c.is_ascii_uppercase() && !matches!(c, b'I' | b'O' | b'U'));
    let sixth = |c: u8| c.is_ascii_digit() || matches!(c, b'K' | b'L' | b'M' | b'N');
    b.len() == 6 && b[..4].iter().all(u8::is_ascii_digit) && fifth(b[4]) && sixth(b[5])
}

/// A KRX code ([`is_krx_code`]), with an optional `.KS`/`.KQ` suffix dropped.
fn kr_code(upper: &str) -> Option<String> {
    let (code, _) = split_kr_suffix(upper);
    is_krx_code(code).then(|| code.to_owned())
}

/// A US symbol in Yahoo's form (`BRK.B` becomes `BRK-B`).
fn us_symbol(upper: &str) -> Option<String> {
    let sym = upper.replace('.', "-");
    let valid_chars = sym.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let starts_ok = sym.bytes().next().is_some_and(|b| b.is_ascii_alphabetic());
    (sym.len() <= 10 && valid_chars && starts_ok && !sym.ends_with('-')).then_some(sym)
}

impl Ticker {
    /// Validates `input` as a ticker of `category` and returns it in canonical form.
    ///
    /// Korean stocks accept KRX codes ([`is_krx_code`]: `005930`, `0126Z0`, `00104K`), with
    /// or without `.KS`/`.KQ` (`005930.KS`, `005930.KQ`; the suffix is dropped
    /// here; use [`Ticker::market_hint`] to keep it). US stocks are upper-cased and a
    /// class dot becomes Yahoo's dash (`BRK.B` → `BRK-B`). Indices start with `^`,
    /// currencies end with `=X`.
    pub fn parse(category: Category, input: &str) -> Result<Self, ModelError> {
        let raw = input.trim();
        let invalid = |reason: &'static str| ModelError::InvalidTicker {
            category,
            input: input.to_owned(),
            reason,
        };
        if raw.is_empty() {
            return Err(invalid("empty"));
        }
        let upper = raw.to_ascii_uppercase();
        let symbol = match category {
            Category::KoreanStock => kr_code(&upper).ok_or_else(|| {
                invalid(
                    "a Korean stock is a 6-digit KRX code such as 005930, or since 2024 one with letters such as 0126Z0 (optionally with .KS or .KQ)",
                )
            })?,
            Category::UsStock => us_symbol(&upper).ok_or_else(|| {
                invalid(
                    "a US stock symbol is 1-10 letters or digits starting with a letter, with an optional class such as BRK-B",
                )
            })?,
            Category::Index => {
                // Indices are `^` symbols; index-tracking funds (a KRX ETF such as 069500,
                // a US one such as QQQ) may be filed here too, so the category can be edited.
                if let Some(body) = upper.strip_prefix('^') {
                    if body.is_empty()
                        || body.len() > 12
                        || !body
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
                    {
                        return Err(invalid(
                            "an index symbol is ^ followed by up to 12 letters or digits",
                        ));
                    }
                    upper
                } else {
                    kr_code(&upper).or_else(|| us_symbol(&upper)).ok_or_else(|| {
                        invalid("an index symbol starts with ^, such as ^GSPC or ^KS11")
                    })?
                }
            }
            Category::Currency => {
                let Some(body) = upper.strip_suffix("=X") else {
                    return Err(invalid(
                        "a currency pair ends with =X, such as KRW=X or EURUSD=X",
                    ));
                };
                if !(body.len() == 3 || body.len() == 6)
                    || !body.bytes().all(|b| b.is_ascii_alphabetic())
                {
                    return Err(invalid(
                        "a currency pair is 3 or 6 letters followed by =X, such as KRW=X or EURUSD=X",
                    ));
                }
                upper
            }
        };
        Ok(Self { category, symbol })
    }

    /// Builds a ticker from a stored, already canonical symbol (validated again).
    pub fn new(category: Category, symbol: &str) -> Result<Self, ModelError> {
        Self::parse(category, symbol)
    }

    /// The category this ticker belongs to.
    pub fn category(&self) -> Category {
        self.category
    }

    /// The canonical symbol, as stored in the `ticker` field.
    pub fn as_str(&self) -> &str {
        &self.symbol
    }

    /// For a Korean stock typed with a suffix (`035720.KQ`), the market it named.
    pub fn market_hint(input: &str) -> Option<KrMarket> {
        KrMarket::of_symbol(input.trim())
    }

    /// The Yahoo symbols to try, in order, when no resolved symbol is stored yet:
    /// `.KS` then `.KQ` for Korean codes, the symbol itself otherwise.
    pub fn source_symbol_candidates(&self) -> Vec<String> {
        if self.is_krx_code() {
            vec![
                format!("{}{}", self.symbol, KrMarket::Kospi.suffix()),
                format!("{}{}", self.symbol, KrMarket::Kosdaq.suffix()),
            ]
        } else {
            vec![self.symbol.clone()]
        }
    }

    /// Whether the symbol is a KRX code such as `005930` or `0126Z0` ([`is_krx_code`]): a
    /// Korean stock, or a KRX fund filed as an index.
    pub fn is_krx_code(&self) -> bool {
        is_krx_code(&self.symbol)
    }
}

impl std::fmt::Display for Ticker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.symbol)
    }
}

/// One document of `ticker_metadata`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TickerMeta {
    /// The validated ticker (its category is the metadata's `category`).
    pub ticker: Ticker,
    /// Display name, e.g. `삼성전자` or `Microsoft`; editable.
    pub name: String,
    /// The name in English where the display name is in another script (`Samsung
    /// Electronics` for 삼성전자), so a search in either finds the ticker; empty when none.
    /// Documents and files written before it existed read as empty.
    #[serde(default)]
    pub name_en: String,
    /// The resolved source symbol (`005930.KS`), once known.
    pub source_symbol: Option<String>,
    /// Whether updates collect this ticker.
    pub active: bool,
    /// When the ticker was added.
    pub created_at: DateTime<Utc>,
    /// When the metadata last changed.
    pub updated_at: DateTime<Utc>,
}

impl TickerMeta {
    /// New, active metadata for `ticker`, stamped now.
    pub fn new(ticker: Ticker, name: impl Into<String>) -> Self {
        let now = Utc::now();
        Self {
            ticker,
            name: name.into(),
            name_en: String::new(),
            source_symbol: None,
            active: true,
            created_at: now,
            updated_at: now,
        }
    }

    /// The category of the ticker.
    pub fn category(&self) -> Category {
        self.ticker.category()
    }

    /// The name shown in lists: the display name, or the symbol when it has none.
    pub fn display_name(&self) -> &str {
        if self.name.trim().is_empty() {
            self.ticker.as_str()
        } else {
            &self.name
        }
    }

    /// Whether the ticker has a name of its own: not empty, and not just its symbol (what
    /// imports and `repair` file when they know no name). An update fills a name from the
    /// source only where this is false.
    pub fn has_name(&self) -> bool {
        let name = self.name.trim();
        !name.is_empty() && !name.eq_ignore_ascii_case(self.ticker.as_str())
    }

    /// Whether a name from the download source would add to this metadata: it has no name
    /// ([`Self::has_name`]), or its name is in another script than English (삼성전자) and it
    /// has no English name yet.
    pub fn wants_source_name(&self) -> bool {
        !self.has_name() || (self.name_en.trim().is_empty() && !self.name.is_ascii())
    }
}

/// A symbol without its decorations, for matching what a user types: upper case, without
/// a `^`, a `=X`, a `.KS`/`.KQ` suffix, dashes, dots and spaces (`^GSPC` → `GSPC`,
/// `KRW=X` → `KRW`, `005930.KS` → `005930`, `BRK-B` and `brk.b` → `BRKB`).
pub fn bare_symbol(text: &str) -> String {
    let upper = text.trim().to_ascii_uppercase();
    let body = match split_kr_suffix(&upper) {
        (code, Some(_)) => code,
        (_, None) => upper.strip_suffix("=X").unwrap_or(&upper),
    };
    body.chars()
        .filter(|c| !matches!(c, '^' | '=' | '-' | '.') && !c.is_whitespace())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(c: Category, s: &str) -> String {
        Ticker::parse(c, s).unwrap().as_str().to_owned()
    }

    #[test]
    fn kr_suffix_splits_off_with_its_market() {
        assert_eq!(
            split_kr_suffix("005930.KS"),
            ("005930", Some(KrMarket::Kospi))
        );
        assert_eq!(
            split_kr_suffix("035720.KQ"),
            ("035720", Some(KrMarket::Kosdaq))
        );
        assert_eq!(split_kr_suffix("AAPL"), ("AAPL", None));
        assert_eq!(split_kr_suffix("005930.ks"), ("005930.ks", None));
    }

    #[test]
    fn canonical_forms() {
        assert_eq!(ok(Category::KoreanStock, "005930"), "005930");
        assert_eq!(ok(Category::KoreanStock, " 035720.kq "), "035720");
        assert_eq!(ok(Category::UsStock, "aapl"), "AAPL");
        assert_eq!(ok(Category::UsStock, "BRK.B"), "BRK-B");
        assert_eq!(ok(Category::UsStock, "BRK-B"), "BRK-B");
        assert_eq!(ok(Category::Index, "^gspc"), "^GSPC");
        assert_eq!(ok(Category::Index, "^KS11"), "^KS11");
        assert_eq!(ok(Category::Currency, "krw=x"), "KRW=X");
        assert_eq!(ok(Category::Currency, "EURUSD=X"), "EURUSD=X");
    }

    #[test]
    fn rejects_with_reasons() {
        for (c, s) in [
            (Category::KoreanStock, "5930"),
            (Category::KoreanStock, "00593A"),
            (Category::KoreanStock, "005930.T"),
            (Category::UsStock, ""),
            (Category::UsStock, "AAPL!"),
            (Category::UsStock, "TOOLONGSYMBOL"),
            (Category::UsStock, "-A"),
            (Category::Index, "^"),
            (Category::Index, "^GS PC"),
            (Category::Index, "KRW=X"),
            (Category::UsStock, "^GSPC"),
            (Category::UsStock, "005930"),
            (Category::Currency, "KRW"),
            (Category::Currency, "KRWW=X"),
            (Category::Currency, "12345=X"),
        ] {
            let err = Ticker::parse(c, s).unwrap_err();
            match &err {
                ModelError::InvalidTicker {
                    category, input, ..
                } => {
                    assert_eq!(*category, c);
                    assert_eq!(input, s);
                }
                other => panic!("unexpected {other:?}"),
            }
            assert!(!err.to_string().is_empty());
        }
    }

    #[test]
    fn krx_codes_with_letters_follow_the_2024_rule() {
        // Codes issued since the reform, preferred shares with K-N, ETFs with letters.
        for code in [
            "0126Z0", "0009K0", "0000J0", "00104K", "02826K", "00088K", "005935", "0088M0",
        ] {
            assert!(is_krx_code(code), "{code}");
            assert_eq!(ok(Category::KoreanStock, code), code);
        }
        assert_eq!(ok(Category::KoreanStock, " 0126z0.ks "), "0126Z0");
        assert_eq!(
            ok(Category::Index, "0000j0"),
            "0000J0",
            "a KRX fund filed as an index"
        );
        // I, O and U are never used in the fifth place; the sixth is a digit or K-N; the
        // first four are digits; exactly six characters, upper case once parsed.
        for code in [
            "0126I0", "0126O0", "0126U0", "00593A", "00104Z", "A12345", "01A6Z0", "0126Z",
            "0126Z00", "0126z0", "0126-0", "",
        ] {
            assert!(!is_krx_code(code), "{code}");
        }
        for bad in ["0126I0", "00593A", "A12345", "0126Z"] {
            assert!(Ticker::parse(Category::KoreanStock, bad).is_err(), "{bad}");
        }
        let t = Ticker::parse(Category::KoreanStock, "0126Z0.KQ").unwrap();
        assert!(t.is_krx_code());
        assert_eq!(t.source_symbol_candidates(), vec!["0126Z0.KS", "0126Z0.KQ"]);
        assert_eq!(Ticker::market_hint("0126Z0.KQ"), Some(KrMarket::Kosdaq));
        assert_eq!(bare_symbol("0126z0.ks"), "0126Z0");
        // Not a KRX code under another category: US symbols start with a letter.
        assert!(Ticker::parse(Category::UsStock, "0126Z0").is_err());
        assert!(
            !Ticker::parse(Category::UsStock, "AB12K0")
                .unwrap()
                .is_krx_code()
        );
    }

    #[test]
    fn bare_symbols_drop_decorations() {
        assert_eq!(bare_symbol("^GSPC"), "GSPC");
        assert_eq!(bare_symbol("gspc"), "GSPC");
        assert_eq!(bare_symbol("KRW=X"), "KRW");
        assert_eq!(bare_symbol("eurusd=x"), "EURUSD");
        assert_eq!(bare_symbol("005930.KS"), "005930");
        assert_eq!(bare_symbol("035720.kq"), "035720");
        assert_eq!(bare_symbol("BRK-B"), "BRKB");
        assert_eq!(bare_symbol("brk.b"), "BRKB");
        assert_eq!(bare_symbol(" ^ "), "");
    }

    #[test]
    fn a_name_that_is_the_symbol_is_no_name() {
        let t = Ticker::parse(Category::UsStock, "IBM").unwrap();
        assert!(!TickerMeta::new(t.clone(), "").has_name());
        assert!(!TickerMeta::new(t.clone(), " ibm ").has_name());
        assert!(TickerMeta::new(t, "International Business Machines").has_name());
        // Old documents without an English name still read.
        let json = r#"{"ticker":{"category":"us_stock","symbol":"IBM"},"name":"IBM",
            "source_symbol":null,"active":true,"created_at":"2024-01-01T00:00:00Z",
            "updated_at":"2024-01-01T00:00:00Z"}"#;
        let meta: TickerMeta = serde_json::from_str(json).unwrap();
        assert_eq!(meta.name_en, "");
    }

    #[test]
    fn korean_candidates_try_kospi_then_kosdaq() {
        let t = Ticker::parse(Category::KoreanStock, "005930").unwrap();
        assert_eq!(t.source_symbol_candidates(), vec!["005930.KS", "005930.KQ"]);
        assert_eq!(Ticker::market_hint("035720.KQ"), Some(KrMarket::Kosdaq));
        // A KRX fund filed as an index still resolves to .KS/.KQ; a US fund stays itself.
        let etf = Ticker::parse(Category::Index, "069500").unwrap();
        assert_eq!(
            etf.source_symbol_candidates(),
            vec!["069500.KS", "069500.KQ"]
        );
        assert_eq!(ok(Category::Index, "qqq"), "QQQ");
        let us = Ticker::parse(Category::UsStock, "MSFT").unwrap();
        assert_eq!(us.source_symbol_candidates(), vec!["MSFT"]);
    }
}

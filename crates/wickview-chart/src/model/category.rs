//! The four market categories and their default moving-average sets.

use serde::{Deserialize, Serialize};

use super::ModelError;

/// A market category. Each has its own collection (MongoDB) or table (embedded store).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Korean stocks: 6-character KRX codes (`005930`, `0126Z0`), resolved to `.KS` (KOSPI)
    /// or `.KQ` (KOSDAQ).
    KoreanStock,
    /// US stocks: `AAPL`, `MSFT`, `BRK-B`.
    UsStock,
    /// Stock indices: `^GSPC`, `^IXIC`, `^KS11`, `^KQ11`.
    Index,
    /// Exchange rates: `KRW=X`, `EURUSD=X`, `JPY=X`.
    Currency,
}

/// Moving-average set A: 5, 20, 60, 120 days (Korean convention).
pub const MA_SET_A: &[usize] = &[5, 20, 60, 120];
/// Moving-average set B: 5, 10, 20, 50, 200 days (US convention).
pub const MA_SET_B: &[usize] = &[5, 10, 20, 50, 200];

/// Which moving-average set the index view uses: the user picks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MaSet {
    /// 5, 20, 60, 120.
    #[default]
    A,
    /// 5, 10, 20, 50, 200.
    B,
}

impl MaSet {
    /// The windows of this set, in days.
    pub fn windows(self) -> &'static [usize] {
        match self {
            Self::A => MA_SET_A,
            Self::B => MA_SET_B,
        }
    }
}

impl Category {
    /// All categories, in display order.
    pub const ALL: [Self; 4] = [
        Self::KoreanStock,
        Self::UsStock,
        Self::Index,
        Self::Currency,
    ];

    /// The MongoDB collection (and embedded table) holding this category's daily bars.
    pub fn collection(self) -> &'static str {
        match self {
            Self::KoreanStock => "korean_stocks",
            Self::UsStock => "us_stocks",
            Self::Index => "indices",
            Self::Currency => "currencies",
        }
    }

    /// Human-readable name for menus and tabs.
    pub fn label(self) -> &'static str {
        match self {
            Self::KoreanStock => "Korean stocks",
            Self::UsStock => "US stocks",
            Self::Index => "Indices",
            Self::Currency => "Currencies",
        }
    }

    /// Short name used on the command line (`kr`, `us`, `index`, `fx`).
    pub fn short_name(self) -> &'static str {
        match self {
            Self::KoreanStock => "kr",
            Self::UsStock => "us",
            Self::Index => "index",
            Self::Currency => "fx",
        }
    }

    /// Parses a short name (`kr`, `us`, `index`, `fx`), a collection name or a label.
    pub fn parse(s: &str) -> Result<Self, ModelError> {
        let lower = s.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|c| {
                lower == c.short_name()
                    || lower == c.collection()
                    || lower == c.label().to_ascii_lowercase()
                    || lower == c.storage_name()
            })
            .or(match lower.as_str() {
                "korean" | "korea" | "krx" => Some(Self::KoreanStock),
                "usa" | "us_stock" => Some(Self::UsStock),
                "indices" | "idx" => Some(Self::Index),
                "currency" | "currencies" | "forex" => Some(Self::Currency),
                _ => None,
            })
            .ok_or_else(|| ModelError::UnknownCategory(s.to_owned()))
    }

    /// The value stored in `ticker_metadata.category`.
    pub fn storage_name(self) -> &'static str {
        match self {
            Self::KoreanStock => "korean_stock",
            Self::UsStock => "us_stock",
            Self::Index => "index",
            Self::Currency => "currency",
        }
    }

    /// Default moving-average windows of this category's viewer. Indices use the
    /// set the user picked; currencies have none switched on by default.
    pub fn default_ma_windows(self, index_set: MaSet) -> &'static [usize] {
        match self {
            Self::KoreanStock => MA_SET_A,
            Self::UsStock => MA_SET_B,
            Self::Index => index_set.windows(),
            Self::Currency => &[],
        }
    }

    /// Windows the user may switch on in this category's viewer (the defaults plus the other set).
    pub fn available_ma_windows(self) -> Vec<usize> {
        let mut all: Vec<usize> = MA_SET_A.iter().chain(MA_SET_B).copied().collect();
        all.sort_unstable();
        all.dedup();
        all
    }
}

impl std::fmt::Display for Category {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_spec() {
        assert_eq!(
            Category::KoreanStock.default_ma_windows(MaSet::B),
            &[5, 20, 60, 120]
        );
        assert_eq!(
            Category::UsStock.default_ma_windows(MaSet::A),
            &[5, 10, 20, 50, 200]
        );
        assert_eq!(Category::Index.default_ma_windows(MaSet::A), MA_SET_A);
        assert_eq!(Category::Index.default_ma_windows(MaSet::B), MA_SET_B);
        assert!(Category::Currency.default_ma_windows(MaSet::A).is_empty());
        assert_eq!(
            Category::Currency.available_ma_windows(),
            vec![5, 10, 20, 50, 60, 120, 200]
        );
    }

    #[test]
    fn parse_round_trips_every_name() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.short_name()).unwrap(), c);
            assert_eq!(Category::parse(c.collection()).unwrap(), c);
            assert_eq!(Category::parse(c.storage_name()).unwrap(), c);
            assert_eq!(Category::parse(c.label()).unwrap(), c);
        }
        assert!(matches!(
            Category::parse("bonds"),
            Err(ModelError::UnknownCategory(s)) if s == "bonds"
        ));
    }
}

//! What the search box and the ticker lists' filter match, and how suggestions are ranked;
//! shared by both backends, so they answer alike.
//!
//! A ticker matches when its symbol starts with the typed text, decorations ignored on both
//! sides ([`bare_symbol`]: `GSPC` finds `^GSPC`, `krw` finds `KRW=X`, `brk.b` finds `BRK-B`),
//! or when its name or its English name contains the text, case-insensitively in any script
//! (`삼성` and `samsung` both find 005930). Suggestions are ranked: the symbol as typed,
//! then the bare symbol, then symbols that start with the text, then names that start with
//! it (or have a word that does), then names that contain it; ties by ticker.

use crate::model::{TickerMeta, bare_symbol};

/// Typed text, prepared for matching.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SearchText {
    /// Trimmed and upper-cased, as canonical tickers are stored (`^`, `=X` kept).
    pub upper: String,
    /// Without decorations ([`bare_symbol`]); empty when the text was only decorations.
    pub bare: String,
    /// Lower-cased in every script, for names.
    pub folded: String,
}

impl SearchText {
    /// Prepares `text`; `None` when it is blank.
    pub fn new(text: &str) -> Option<Self> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        Some(Self {
            upper: text.to_ascii_uppercase(),
            bare: bare_symbol(text),
            folded: text.to_lowercase(),
        })
    }

    /// How well `meta` matches (0 best), or `None` when it does not.
    pub fn rank(&self, meta: &TickerMeta) -> Option<u8> {
        let ticker = meta.ticker.as_str();
        let bare = bare_symbol(ticker);
        let has_bare = !self.bare.is_empty();
        if ticker == self.upper {
            return Some(0);
        }
        if has_bare && bare == self.bare {
            return Some(1);
        }
        if ticker.starts_with(&self.upper) || (has_bare && bare.starts_with(&self.bare)) {
            return Some(2);
        }
        let names = [meta.name.to_lowercase(), meta.name_en.to_lowercase()];
        let word_start = |name: &String| {
            name.starts_with(&self.folded)
                || name
                    .match_indices(&self.folded)
                    .any(|(i, _)| name[..i].ends_with(|c: char| !c.is_alphanumeric()))
        };
        if names.iter().any(word_start) {
            return Some(3);
        }
        names.iter().any(|n| n.contains(&self.folded)).then_some(4)
    }

    /// Whether `meta` matches at all (the ticker lists' filter).
    pub fn matches(&self, meta: &TickerMeta) -> bool {
        self.rank(meta).is_some()
    }
}

/// The best `limit` of `candidates` for `text`, best first (see the module documentation);
/// candidates that do not match are left out, and a ticker listed twice counts once.
pub(crate) fn best(
    candidates: impl IntoIterator<Item = TickerMeta>,
    text: &SearchText,
    limit: usize,
) -> Vec<TickerMeta> {
    let mut ranked: Vec<(u8, TickerMeta)> = candidates
        .into_iter()
        .filter_map(|m| text.rank(&m).map(|r| (r, m)))
        .collect();
    ranked.sort_by(|(ra, a), (rb, b)| {
        ra.cmp(rb)
            .then_with(|| a.ticker.as_str().cmp(b.ticker.as_str()))
    });
    ranked.dedup_by(|(_, a), (_, b)| a.ticker == b.ticker);
    ranked.into_iter().take(limit).map(|(_, m)| m).collect()
}

/// The folded text the embedded store matches names in: the name and the English name,
/// lower-cased, one per line (a name holds no line break, so no match spans both).
pub(crate) fn folded_names(meta: &TickerMeta) -> String {
    let name = meta.name.to_lowercase();
    if meta.name_en.trim().is_empty() {
        name
    } else {
        format!("{name}\n{}", meta.name_en.to_lowercase())
    }
}

/// SQL of the bare form of the `ticker` column, for a prefix match in SQLite: the symbol
/// without `=X`, `^`, `-`, `.` and `=` (canonical tickers carry no `.KS`/`.KQ` suffix and no
/// space). It starts with [`bare_symbol`] of the ticker, so it finds at least what
/// [`SearchText::rank`] accepts.
pub(crate) const SQL_BARE_TICKER: &str = "replace(replace(replace(replace(replace(ticker, '=X', ''), '^', ''), '-', ''), '.', ''), '=', '')";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Category, Ticker};

    fn meta(c: Category, t: &str, name: &str, en: &str) -> TickerMeta {
        let mut m = TickerMeta::new(Ticker::parse(c, t).unwrap(), name);
        m.name_en = en.to_owned();
        m
    }

    fn set() -> Vec<TickerMeta> {
        vec![
            meta(Category::Index, "^GSPC", "S&P 500", ""),
            meta(Category::UsStock, "GS", "Goldman Sachs", ""),
            meta(
                Category::KoreanStock,
                "005930",
                "삼성전자",
                "Samsung Electronics",
            ),
            meta(Category::KoreanStock, "006400", "삼성SDI", "Samsung SDI"),
            meta(Category::KoreanStock, "028260", "삼성물산", ""),
            meta(Category::Currency, "KRW=X", "USD/KRW", ""),
            meta(Category::UsStock, "BRK-B", "Berkshire Hathaway", ""),
            meta(Category::UsStock, "SSNLF", "Samsung Electronics (OTC)", ""),
        ]
    }

    fn found(text: &str) -> Vec<String> {
        let text = SearchText::new(text).unwrap();
        best(set(), &text, 12)
            .into_iter()
            .map(|m| m.ticker.as_str().to_owned())
            .collect()
    }

    #[test]
    fn symbols_match_without_their_decorations() {
        assert_eq!(found("GSPC"), ["^GSPC"]);
        assert_eq!(found("gspc"), ["^GSPC"]);
        // `GS` is the bare symbol typed; the index follows.
        assert_eq!(found("^GS"), ["GS", "^GSPC"]);
        // `GS` itself first, then the index whose bare symbol starts with it.
        assert_eq!(found("gs")[..2], ["GS", "^GSPC"]);
        assert_eq!(found("krw"), ["KRW=X"]);
        assert_eq!(found("KRW=X"), ["KRW=X"]);
        assert_eq!(found("brk.b"), ["BRK-B"]);
        assert_eq!(found("BRKB"), ["BRK-B"]);
        assert_eq!(found("005930.KS"), ["005930"]);
    }

    #[test]
    fn names_match_in_korean_and_english() {
        assert_eq!(found("samsung"), ["005930", "006400", "SSNLF"]);
        assert_eq!(found("SAMSUNG ELEC"), ["005930", "SSNLF"]);
        assert_eq!(found("삼성"), ["005930", "006400", "028260"]);
        // A word start ranks before a match inside a word.
        assert_eq!(found("sachs"), ["GS"]);
        assert_eq!(found("ath"), ["BRK-B"]);
        assert!(found("nothing like it").is_empty());
    }

    #[test]
    fn ranking_and_limits() {
        let text = SearchText::new("s").unwrap();
        let all = best(set(), &text, 12);
        // Symbols starting with S first (by ticker), then names.
        assert_eq!(all[0].ticker.as_str(), "SSNLF");
        assert_eq!(best(set(), &text, 2).len(), 2);
        let twice: Vec<TickerMeta> = set().into_iter().chain(set()).collect();
        assert_eq!(
            best(twice, &SearchText::new("samsung").unwrap(), 12).len(),
            3
        );
        assert!(SearchText::new("  ").is_none());
        let only_decoration = SearchText::new("^").unwrap();
        assert_eq!(best(set(), &only_decoration, 12).len(), 1);
    }

    #[test]
    fn folded_names_hold_both_names() {
        assert_eq!(folded_names(&set()[2]), "삼성전자\nsamsung electronics");
        assert_eq!(folded_names(&set()[0]), "s&p 500");
    }
}

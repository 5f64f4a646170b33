//! The data model: categories, tickers and their metadata, and the columnar daily series.
//!
//! Depends on nothing else in the crate; every other module depends on it.

mod category;
mod currency;
mod day;
mod drawing;
mod exchange;
mod series;
mod ticker;

pub use category::{Category, MA_SET_A, MA_SET_B, MaSet};
pub use currency::{CurrencyCode, price_currency};
pub use day::{EARLIEST_DAY, latest_day, latest_day_after, parse_day, plausible_days};
pub use drawing::{
    Anchor, Drawing, DrawingChanges, DrawingError, DrawingKind, FIB_LEVELS, MAX_DRAWING_WIDTH,
    MAX_NOTE_CHARS, Measure, drawing_id_at, new_drawing_id, validate_set,
};
pub use exchange::exchange_time_zone;
pub use series::{Bar, BarIssue, BarProblem, DailySeries, MAX_PRICE, MAX_VOLUME, SeriesBuilder};
pub use ticker::{KrMarket, Ticker, TickerMeta, bare_symbol, is_krx_code, split_kr_suffix};

/// Errors of the data model: bad tickers and categories.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// The text does not name a ticker of that category.
    #[error("'{}' is not a valid {category} ticker: {reason}", shown(.input))]
    InvalidTicker {
        /// The category it was checked against.
        category: Category,
        /// What was given.
        input: String,
        /// What a valid ticker looks like.
        reason: &'static str,
    },
    /// The text names no category.
    #[error("unknown category '{}' (expected kr, us, index or fx)", shown(.0))]
    UnknownCategory(String),
}

/// Characters of user input quoted in a message before it is cut short.
const SHOWN_CHARS: usize = 40;

/// User input as a message may quote it: control characters (newlines, terminal escape
/// sequences, NUL) written as escapes, and at most [`SHOWN_CHARS`] characters followed by
/// how long the input really was.
pub fn shown(input: &str) -> String {
    shown_at_most(input, SHOWN_CHARS)
}

/// [`shown`] with room for `max_chars` characters: for a library's message that may quote
/// input itself (a parser's error), which is longer than one quoted value.
pub fn shown_at_most(input: &str, max_chars: usize) -> String {
    let mut out = String::new();
    let mut total = 0_usize;
    for c in input.chars() {
        total += 1;
        if total > max_chars {
            continue;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    if total > max_chars {
        out.push_str(&format!("… ({total} characters)"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_input_is_short_and_inert() {
        assert_eq!(shown("AAPL"), "AAPL");
        assert_eq!(shown("a\nb\u{1b}[31m"), "a\\nb\\u{1b}[31m");
        let long = "X".repeat(10_000);
        let msg = ModelError::UnknownCategory(long).to_string();
        assert!(msg.len() < 120, "{msg}");
        assert!(msg.contains("(10000 characters)"), "{msg}");
        assert_eq!(shown("2024\0\0"), "2024\\u{0}\\u{0}");
        assert_eq!(shown_at_most("abcdef", 3), "abc… (6 characters)");
    }
}

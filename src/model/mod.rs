//! The data model: categories, tickers and their metadata, and the columnar daily series.
//!
//! Depends on nothing else in the crate; every other module depends on it.

mod category;
mod day;
mod drawing;
mod exchange;
mod series;
mod ticker;

pub use category::{Category, MA_SET_A, MA_SET_B, MaSet};
pub use day::parse_day;
pub use drawing::{
    Anchor, Drawing, DrawingError, DrawingKind, FIB_LEVELS, MAX_DRAWING_WIDTH, MAX_NOTE_CHARS,
    Measure, validate_set,
};
pub use exchange::exchange_time_zone;
pub use series::{Bar, BarIssue, BarProblem, DailySeries, SeriesBuilder};
pub use ticker::{KrMarket, Ticker, TickerMeta};

/// Errors of the data model: bad tickers and categories.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// The text does not name a ticker of that category.
    #[error("'{input}' is not a valid {category} ticker: {reason}")]
    InvalidTicker {
        /// The category it was checked against.
        category: Category,
        /// What was given.
        input: String,
        /// What a valid ticker looks like.
        reason: &'static str,
    },
    /// The text names no category.
    #[error("unknown category '{0}' (expected kr, us, index or fx)")]
    UnknownCategory(String),
}

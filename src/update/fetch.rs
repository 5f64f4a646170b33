//! One ticker's download for an update, telling a ticker with no new bar from an unknown
//! symbol.
//!
//! Yahoo answers a period in which it has no bar as it answers an unknown symbol ("Not
//! Found: No data found, symbol may be delisted"). An update asks for the days from the
//! last stored one, so a ticker whose source has nothing on or after that day (its history
//! came from an import or the bundled sample and ends on a day the source does not list,
//! or the source is behind) would be reported as an unknown symbol although it merely has
//! no new bar. Such a ticker is asked once more over the [`LOOK_BACK_DAYS`] before: if the
//! source has bars there, the symbol is known and the ticker is up to date.

use chrono::NaiveDate;

use crate::model::TickerMeta;
use crate::source::{Fetched, SourceError, YahooSource};

/// How far before the first requested day the second request reaches, in calendar days.
pub const LOOK_BACK_DAYS: u64 = 31;

/// The bars of `meta` from `from` (inclusive) to `to`. `has_bars`: whether the ticker has
/// stored bars (then an unknown-symbol answer is checked over the days before `from`).
pub(super) async fn since(
    source: &YahooSource,
    meta: &TickerMeta,
    from: NaiveDate,
    to: NaiveDate,
    has_bars: bool,
) -> Result<Fetched, SourceError> {
    let symbol = meta.source_symbol.as_deref();
    let first = source.fetch_ticker(&meta.ticker, symbol, from, to).await;
    let unknown = match first {
        Err(err @ SourceError::UnknownSymbol { .. }) if has_bars => err,
        other => return other,
    };
    let earlier = from
        .checked_sub_days(chrono::Days::new(LOOK_BACK_DAYS))
        .unwrap_or(from);
    match source.fetch_ticker(&meta.ticker, symbol, earlier, to).await {
        Ok(mut fetched) if !fetched.chart.series.is_empty() => {
            tracing::debug!(
                ticker = %meta.ticker,
                "no bar on or after {from}, bars before: up to date"
            );
            let series = &fetched.chart.series;
            let start = series.lower_bound(from);
            fetched.chart.series = series.slice(start..series.len());
            Ok(fetched)
        }
        _ => Err(unknown),
    }
}

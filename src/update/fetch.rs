//! One ticker's download for an update: its sources in order (failover), telling a
//! ticker with no new bar from an unknown symbol.
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
use crate::source::{Fetched, Source, SourceError, SourceId, SourceSet};

/// How far before the first requested day the second request reaches, in calendar days.
pub const LOOK_BACK_DAYS: u64 = 31;

/// The bars of `meta` from `from` (inclusive) to `to`. `has_bars`: whether the ticker has
/// stored bars (then an unknown-symbol answer is checked over the days before `from`).
pub(super) async fn since(
    source: &dyn Source,
    meta: &TickerMeta,
    from: NaiveDate,
    to: NaiveDate,
    has_bars: bool,
) -> Result<Fetched, SourceError> {
    let first = source.fetch(meta, from, to).await;
    let unknown = match first {
        Err(err @ SourceError::UnknownSymbol { .. }) if has_bars => err,
        other => return other,
    };
    let earlier = from
        .checked_sub_days(chrono::Days::new(LOOK_BACK_DAYS))
        .unwrap_or(from);
    match source.fetch(meta, earlier, to).await {
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

/// The download that served a ticker: which source, and why the ones before it did not.
pub(super) struct Served {
    /// The source that answered.
    pub source: std::sync::Arc<dyn Source>,
    /// What it sent.
    pub fetched: Fetched,
    /// Why earlier sources were passed over (`Yahoo Finance: HTTP 503 …`), empty when the
    /// first source answered.
    pub passed_over: Vec<String>,
}

/// Asks the ticker's sources in order until one answers: an unknown symbol or a failure
/// moves on to the next, a source whose breaker tripped is skipped. Every failure counts
/// on the run's health board. Fails with every source's reason when none answers.
pub(super) async fn with_failover(
    set: &SourceSet,
    meta: &TickerMeta,
    from: NaiveDate,
    to: NaiveDate,
    has_bars: bool,
) -> Result<Served, String> {
    let sources = set.order_for(meta);
    let only_one = sources.len() == 1;
    if sources.is_empty() {
        return Err("no configured source covers this ticker".to_owned());
    }
    let mut passed_over = Vec::new();
    for source in sources {
        let id: SourceId = source.id();
        if !set.health().allows(id) {
            passed_over.push(format!(
                "{}: skipped, it failed repeatedly in this run",
                id.label()
            ));
            continue;
        }
        match since(source.as_ref(), meta, from, to, has_bars).await {
            Ok(fetched) => {
                set.health().record_success(id);
                return Ok(Served {
                    source,
                    fetched,
                    passed_over,
                });
            }
            Err(err) => {
                set.health().record_failure(id, &err);
                tracing::debug!(ticker = %meta.ticker, source = id.name(), "{err}");
                passed_over.push(format!("{}: {err}", id.label()));
            }
        }
    }
    // With one source the reason is its error alone, as before sources had fallbacks.
    match passed_over.as_slice() {
        [only] if only_one => Err(only
            .split_once(": ")
            .map_or_else(|| only.clone(), |(_, why)| why.to_owned())),
        _ => Err(passed_over.join("; ")),
    }
}

//! Cross-source checks of stored bars: the closes of a ticker's last N days compared with a
//! second source, the KRX daily price limit checked over a Korean stock's whole stored
//! history, and the replacement of a history with the one a source serves (`--refetch`).
//!
//! `wickview verify` and the side panel's Update tab both run these; each ticker's
//! [`TickerReport`] says what was found, as values and as lines for a terminal or a label.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Days, NaiveDate, Utc};
use serde::Serialize;

use crate::check::{
    Comparison, DEFAULT_TOLERANCE, LimitBreach, compare_closes, limit_breaches_in, on_grid_share,
};
use crate::model::{Category, DailySeries, KrMarket, TickerMeta, latest_day, shown};
use crate::source::{Source, SourceConfig, SourceId, SourceSet};
use crate::store::{Store, StoreError, TickerEdit, TickerQuery};

/// Calendar days compared by default, ending on each ticker's last stored day.
pub const DEFAULT_DAYS: u32 = 60;

/// Why a verification could not start.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The store could not be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The sources of the routes could not be built.
    #[error("sources: {0}")]
    Sources(#[from] crate::source::SourceError),
    /// A named ticker is not stored.
    #[error("'{0}' is not a stored ticker (`wickview tickers list` lists them)")]
    NotStored(String),
    /// The source asked for cannot be built.
    #[error("--source {id}: {why}")]
    Source {
        /// The source asked for.
        id: SourceId,
        /// Why it cannot be used.
        why: String,
    },
}

/// The sources of the configured routes (and `asked`), built once for the run, as an
/// update builds them.
pub fn source_set(
    config: &SourceConfig,
    asked: Option<SourceId>,
) -> Result<SourceSet, VerifyError> {
    let mut set = SourceSet::new(config)?;
    if let Some(id) = asked
        && set.get(id).is_none()
    {
        let source =
            crate::source::route::build(id, config).map_err(|err| VerifyError::Source {
                id,
                why: err.to_string(),
            })?;
        set.add(source);
    }
    Ok(set)
}

/// The tickers named (each must be stored), or every active ticker.
pub async fn targets(store: &Store, names: &[String]) -> Result<Vec<TickerMeta>, VerifyError> {
    if names.is_empty() {
        let page = store
            .list_tickers(&TickerQuery {
                active_only: true,
                ..TickerQuery::default()
            })
            .await?;
        return Ok(page.items);
    }
    let mut out: Vec<TickerMeta> = Vec::new();
    for name in names {
        let meta = store
            .ticker(name)
            .await?
            .ok_or_else(|| VerifyError::NotStored(shown(name)))?;
        if !out.iter().any(|m| m.ticker == meta.ticker) {
            out.push(meta);
        }
    }
    Ok(out)
}

/// The last stored day of each ticker of some categories.
#[derive(Clone, Debug, Default)]
pub struct LastDays(HashMap<Category, HashMap<String, NaiveDate>>);

impl LastDays {
    /// The last stored days of the categories of `metas` (one query per category).
    pub async fn of(store: &Store, metas: &[TickerMeta]) -> Result<Self, StoreError> {
        let mut categories: Vec<Category> = metas.iter().map(TickerMeta::category).collect();
        categories.sort_unstable();
        categories.dedup();
        let mut out = HashMap::new();
        for category in categories {
            out.insert(category, store.last_days(category).await?);
        }
        Ok(Self(out))
    }

    /// The last stored day of `meta`, if it has bars.
    pub fn get(&self, meta: &TickerMeta) -> Option<NaiveDate> {
        self.0
            .get(&meta.category())
            .and_then(|m| m.get(meta.ticker.as_str()))
            .copied()
    }
}

/// The market a Korean stock's resolved Yahoo symbol names (`.KS` / `.KQ`), if known.
fn market_of(meta: &TickerMeta) -> Option<KrMarket> {
    meta.source_symbol.as_deref().and_then(KrMarket::of_symbol)
}

/// The source that wrote most of `sources` (each bar's recorded source name), if any bar
/// records one.
pub fn majority_source<'a>(sources: impl IntoIterator<Item = Option<&'a str>>) -> Option<SourceId> {
    let mut counts: HashMap<SourceId, usize> = HashMap::new();
    for id in sources.into_iter().flatten().filter_map(SourceId::parse) {
        *counts.entry(id).or_default() += 1;
    }
    // Ties go to the source listed first in `SourceId::ALL`, so the answer is stable.
    SourceId::ALL
        .into_iter()
        .filter_map(|id| counts.get(&id).map(|n| (id, *n)))
        .fold(
            None,
            |best: Option<(SourceId, usize)>, (id, n)| match best {
                Some((_, m)) if m >= n => best,
                _ => Some((id, n)),
            },
        )
        .map(|(id, _)| id)
}

/// The source that wrote most of the stored bars of the window (`None` where the bars
/// record none: imports, earlier versions).
async fn stored_writer(
    store: &Store,
    meta: &TickerMeta,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Option<SourceId>, StoreError> {
    let rows = store
        .load_provenance(&meta.ticker, Some((from, to)))
        .await?;
    Ok(majority_source(rows.iter().map(|r| r.source.as_deref())))
}

/// The source to compare a ticker's stored bars with, from the sources covering it in
/// order: the first that is not the one that wrote the stored bars (`writer`; when unknown,
/// the first of the order is assumed to have written them), or the writer itself when no
/// other covers the ticker. Returns it and whether it is the writer.
pub fn default_other(order: &[SourceId], writer: Option<SourceId>) -> Option<(SourceId, bool)> {
    let writer = writer.or_else(|| order.first().copied())?;
    match order.iter().find(|id| **id != writer) {
        Some(other) => Some((*other, false)),
        None => order.contains(&writer).then_some((writer, true)),
    }
}

/// Share of closes on the KRX tick grid, stored and fetched, over the compared window.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct OnGrid {
    /// Share of the stored closes on the grid.
    pub stored: Option<f64>,
    /// Share of the other source's closes on the grid.
    pub other: Option<f64>,
}

/// What `verify` found for one ticker.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct TickerReport {
    /// The canonical ticker.
    pub ticker: String,
    /// Its category (`korean_stock`, `us_stock`, `index`, `currency`).
    pub category: &'static str,
    /// The source compared with.
    pub source: Option<SourceId>,
    /// Whether that is the source that wrote the stored bars (no other covers the ticker).
    pub same_source: bool,
    /// The window asked for: the N days ending on the last stored day.
    pub from: Option<NaiveDate>,
    /// Its last day.
    pub to: Option<NaiveDate>,
    /// The comparison of the closes, when the other source answered.
    pub comparison: Option<Comparison>,
    /// Korean stocks with disagreements: how many closes of each side lie on the tick grid.
    pub on_grid: Option<OnGrid>,
    /// Korean stocks: moves beyond the daily price limit over the whole stored history.
    pub breaches: Vec<LimitBreach>,
    /// The source `--refetch` would replace the history from.
    pub refetch_from: Option<SourceId>,
    /// Why the closes could not be compared.
    pub error: Option<String>,
    /// Something worth knowing that is no finding (nothing stored yet).
    pub note: Option<String>,
}

impl TickerReport {
    /// Whether anything was found: a close that differs, a day missing or extra, a move
    /// beyond the price limit, or a ticker that could not be compared.
    pub fn has_findings(&self) -> bool {
        self.error.is_some()
            || !self.breaches.is_empty()
            || self.comparison.as_ref().is_some_and(|c| !c.is_clean())
    }

    /// The report as lines for the terminal.
    pub fn lines(&self) -> Vec<String> {
        let t = &self.ticker;
        let mut out = Vec::new();
        let source = self.source.map_or("?", SourceId::name);
        let only = if self.same_source {
            format!(" (only {source} covers {t}: compared with the source that wrote it)")
        } else {
            String::new()
        };
        if let Some(note) = &self.note {
            out.push(format!("{t}: {note}"));
        }
        if let Some(err) = &self.error {
            out.push(format!("{t}: not compared: {err}"));
        }
        if let Some(c) = &self.comparison {
            match c.window {
                None => out.push(format!(
                    "{t}: {source} has no bars from {} to {}{only}",
                    day(self.from),
                    day(self.to)
                )),
                Some((from, to)) if c.is_clean() => out.push(format!(
                    "{t}: {} days from {from} to {to} agree with {source} (closes within {}%){only}",
                    c.compared,
                    DEFAULT_TOLERANCE * 100.0
                )),
                Some((from, to)) => {
                    out.push(format!(
                        "{t}: {} of {} closes from {from} to {to} differ from {source} by more than {}%, {} days missing in {source}, {} extra{only}",
                        c.disagreements.len(),
                        c.compared,
                        DEFAULT_TOLERANCE * 100.0,
                        c.missing_in_other.len(),
                        c.extra_in_other.len()
                    ));
                    for d in &c.disagreements {
                        out.push(format!(
                            "  {}: stored {}, {source} {} ({:+.1}%)",
                            d.date,
                            d.stored,
                            d.other,
                            d.diff * 100.0
                        ));
                    }
                    for d in &c.missing_in_other {
                        out.push(format!("  {d}: stored, missing in {source}"));
                    }
                    for d in &c.extra_in_other {
                        out.push(format!("  {d}: in {source}, not stored"));
                    }
                    if let Some(OnGrid {
                        stored: Some(a),
                        other: Some(b),
                    }) = self.on_grid
                    {
                        out.push(format!(
                            "  closes on the KRX tick grid: stored {:.0}% ({}), {source} {:.0}% ({})",
                            a * 100.0,
                            grid_word(a),
                            b * 100.0,
                            grid_word(b)
                        ));
                    }
                }
            }
        }
        let from = self.refetch_from.map_or("its first source", SourceId::name);
        out.extend(
            self.breaches
                .iter()
                .map(|b| format!("{t}: {}", breach_hint(t, b, from))),
        );
        out
    }
}

fn day(d: Option<NaiveDate>) -> String {
    d.map_or_else(|| "?".to_owned(), |d| d.to_string())
}

fn grid_word(share: f64) -> &'static str {
    if share >= 0.95 {
        "as traded"
    } else {
        "adjusted"
    }
}

/// A breach with the command that replaces the history: `2018-05-04: -98.0% close-to-close
/// …: a missing split adjustment or a bad print; `wickview verify --refetch 005930` replaces
/// the history from yahoo`.
pub fn breach_hint(ticker: &str, breach: &LimitBreach, source: &str) -> String {
    format!(
        "{}; `wickview verify --refetch {ticker}` replaces the history from {source}",
        breach.describe()
    )
}

/// What the update's check on the day it fetched again found ([`super::UpdateSummary::disagreements`]),
/// in one line: `005930: Naver Finance sends 71000 for 2024-03-05, stored 74000 (-4.1%);
/// \`wickview verify 005930\` compares the last 60 days`.
pub fn overlap_line(ticker: &str, source: SourceId, d: &crate::check::Disagreement) -> String {
    format!(
        "{ticker}: {} sends {} for {}, stored {} ({:+.1}%); `wickview verify {ticker}` compares \
         the last {DEFAULT_DAYS} days",
        source.label(),
        d.other,
        d.date,
        d.stored,
        d.diff * 100.0
    )
}

/// The closes of `series` without its provisional last bar (a session still open).
fn settled(series: &DailySeries) -> DailySeries {
    match series.provisional_day() {
        Some(_) => series.slice(0..series.len().saturating_sub(1)),
        None => series.clone(),
    }
}

/// One ticker's comparison with `asked` (or the other source of [`default_other`]) over
/// the `days` ending on `last_day`, and for a Korean stock the price-limit check of its
/// whole stored history.
pub async fn verify_one(
    store: &Store,
    set: &SourceSet,
    meta: &TickerMeta,
    days: u32,
    asked: Option<SourceId>,
    last_day: Option<NaiveDate>,
) -> Result<TickerReport, StoreError> {
    let mut report = TickerReport {
        ticker: meta.ticker.as_str().to_owned(),
        category: meta.category().storage_name(),
        ..TickerReport::default()
    };
    let order: Vec<SourceId> = set.order_for(meta).iter().map(|s| s.id()).collect();
    report.refetch_from = asked.or_else(|| order.first().copied());
    let market = market_of(meta);
    let whole = if meta.category() == Category::KoreanStock {
        let all = store.load_series(&meta.ticker, None).await?;
        report.breaches = limit_breaches_in(&all, None, market);
        Some(all)
    } else {
        None
    };
    let Some(to) = last_day else {
        report.note = Some("no stored bars to verify".to_owned());
        return Ok(report);
    };
    let from = to
        .checked_sub_days(Days::new(u64::from(days.saturating_sub(1))))
        .unwrap_or(NaiveDate::MIN);
    report.from = Some(from);
    report.to = Some(to);
    let writer = stored_writer(store, meta, from, to).await?;
    let (id, same) = match asked {
        Some(id) => {
            let covers = set.get(id).is_some_and(|s| s.symbol(meta).is_some());
            if !covers {
                report.error = Some(format!("{id} does not cover {}", report.ticker));
                return Ok(report);
            }
            (id, writer.or_else(|| order.first().copied()) == Some(id))
        }
        None => match default_other(&order, writer) {
            Some(pick) => pick,
            None => {
                report.error = Some("no configured source covers it".to_owned());
                return Ok(report);
            }
        },
    };
    report.source = Some(id);
    report.same_source = same;
    let Some(source) = set.get(id) else {
        report.error = Some(format!("{id} is not available"));
        return Ok(report);
    };
    if !set.health().allows(id) {
        report.error = Some(format!("{id} failed too often in this run; skipped"));
        return Ok(report);
    }
    let mut fetched = match source.fetch(meta, from, to).await {
        Ok(fetched) => {
            set.health().record_success(id);
            fetched
        }
        Err(err) => {
            set.health().record_failure(id, &err);
            report.error = Some(format!("{id}: {err}"));
            return Ok(report);
        }
    };
    fetched.chart.mark_provisional(Utc::now().timestamp());
    let other = settled(&fetched.chart.series);
    let other = other.slice(other.range_of(from, to));
    let stored = match whole {
        Some(all) => all.slice(all.range_of(from, to)),
        None => store.load_series(&meta.ticker, Some((from, to))).await?,
    };
    let stored = settled(&stored);
    let comparison = compare_closes(&stored, &other, DEFAULT_TOLERANCE);
    if meta.category() == Category::KoreanStock && !comparison.disagreements.is_empty() {
        report.on_grid = Some(OnGrid {
            stored: on_grid_share(&stored, market),
            other: on_grid_share(&other, market),
        });
    }
    report.comparison = Some(comparison);
    Ok(report)
}

/// How far a refetched history may start after the stored one before the replacement is
/// refused: a source with a shorter history must not silently cut decades off.
pub const SHORTER_HISTORY_DAYS: u64 = 31;

/// What a refetch did to one ticker.
pub struct Refetched {
    /// The source the history came from.
    pub source: SourceId,
    /// Its symbol for the ticker.
    pub symbol: String,
    /// What changed, as lines.
    pub lines: Vec<String>,
    /// Moves beyond the KRX price limit still in the new history (Korean stocks).
    pub breaches: Vec<LimitBreach>,
}

/// The whole history of `meta` from its first source that answers with bars (or `asked`),
/// or why none did.
async fn whole_history(
    set: &SourceSet,
    meta: &TickerMeta,
    asked: Option<SourceId>,
) -> Result<(SourceId, crate::source::Fetched), String> {
    let t = meta.ticker.as_str();
    let candidates: Vec<Arc<dyn Source>> = match asked {
        Some(id) => match set.get(id).filter(|s| s.symbol(meta).is_some()) {
            Some(source) => vec![source],
            None => return Err(format!("{id} does not cover {t}")),
        },
        None => set.order_for(meta),
    };
    if candidates.is_empty() {
        return Err("no configured source covers it".to_owned());
    }
    let to = latest_day();
    let mut failures = Vec::new();
    for source in candidates {
        let id = source.id();
        if !set.health().allows(id) {
            failures.push(format!("{id}: failed too often in this run; skipped"));
            continue;
        }
        match source.fetch(meta, super::default_start(), to).await {
            Ok(fetched) if fetched.chart.series.is_empty() => {
                set.health().record_success(id);
                failures.push(format!("{id}: no bars"));
            }
            Ok(fetched) => {
                set.health().record_success(id);
                return Ok((id, fetched));
            }
            Err(err) => {
                set.health().record_failure(id, &err);
                failures.push(format!("{id}: {err}"));
            }
        }
    }
    Err(failures.join("; "))
}

/// Fetches the whole history of `meta` from its first source that answers (or `asked`)
/// and replaces the stored one. `Ok(Err(why))` when no source served it or the replacement
/// was refused; `Err` for a store error.
pub async fn refetch_one(
    store: &Store,
    set: &SourceSet,
    meta: &TickerMeta,
    asked: Option<SourceId>,
) -> Result<Result<Refetched, String>, StoreError> {
    let t = meta.ticker.as_str();
    let (id, mut fetched) = match whole_history(set, meta, asked).await {
        Ok(served) => served,
        Err(why) => return Ok(Err(why)),
    };
    fetched.chart.mark_provisional(Utc::now().timestamp());
    let new = &fetched.chart.series;
    let old = store.load_series(&meta.ticker, None).await?;
    if let (Some(old_first), Some(new_first)) = (old.first_day(), new.first_day())
        && old_first
            .checked_add_days(Days::new(SHORTER_HISTORY_DAYS))
            .is_some_and(|limit| new_first > limit)
    {
        let lost = old.lower_bound(new_first);
        return Ok(Err(format!(
            "{id}'s history starts on {new_first}, the stored one on {old_first}: replacing it \
             would delete {lost} stored days; the stored history is kept"
        )));
    }
    let changes = compare_closes(&old, new, DEFAULT_TOLERANCE);
    let added = new
        .days()
        .iter()
        .filter(|d| old.index_of(**d).is_none())
        .count();
    let provenance = crate::store::Provenance {
        source: Some(id.name()),
        foreign_ratio: &fetched.foreign_ratio,
    };
    let summary = store
        .replace_series_from(&meta.ticker, new, provenance)
        .await?;
    let mut lines = vec![format!(
        "{t}: history replaced from {id} ({}): {} days written, {} stored days removed, {} added; {} closes changed by more than {}%",
        fetched.symbol,
        summary.written,
        summary.removed,
        added,
        changes.disagreements.len(),
        DEFAULT_TOLERANCE * 100.0
    )];
    if let (Some(first), Some(last)) = (changes.disagreements.first(), changes.disagreements.last())
    {
        lines.push(format!(
            "  first {}: {} → {}; last {}: {} → {}",
            first.date, first.stored, first.other, last.date, last.stored, last.other
        ));
    }
    if id == SourceId::Yahoo && meta.source_symbol.as_deref() != Some(fetched.symbol.as_str()) {
        store
            .update_ticker(
                t,
                &TickerEdit {
                    source_symbol: Some(Some(fetched.symbol.clone())),
                    ..TickerEdit::default()
                },
            )
            .await?;
    }
    let breaches = if meta.category() == Category::KoreanStock {
        limit_breaches_in(new, None, market_of(meta))
    } else {
        Vec::new()
    };
    Ok(Ok(Refetched {
        source: id,
        symbol: fetched.symbol,
        lines,
        breaches,
    }))
}

/// Every Korean stock's moves beyond the daily price limit over its whole stored history,
/// as lines with the `verify --refetch` hint naming `source` (`repair --dry-run` lists them).
pub async fn korean_breach_lines(store: &Store, source: &str) -> Result<Vec<String>, StoreError> {
    let page = store
        .list_tickers(&TickerQuery {
            category: Some(Category::KoreanStock),
            ..TickerQuery::default()
        })
        .await?;
    let mut lines = Vec::new();
    for meta in &page.items {
        let series = store.load_series(&meta.ticker, None).await?;
        let t = meta.ticker.as_str();
        for b in limit_breaches_in(&series, None, market_of(meta)) {
            lines.push(format!(
                "{}: {t}: {}",
                Category::KoreanStock.collection(),
                breach_hint(t, &b, source)
            ));
        }
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceId::{Ecb, Fred, Naver, Yahoo};

    #[test]
    fn the_other_source_is_the_first_that_did_not_write_the_bars() {
        // Unknown writer: the first of the order is assumed.
        assert_eq!(default_other(&[Yahoo, Naver], None), Some((Naver, false)));
        assert_eq!(default_other(&[Yahoo], None), Some((Yahoo, true)));
        assert_eq!(default_other(&[], None), None);
        // Known writer.
        assert_eq!(
            default_other(&[Yahoo, Naver], Some(Naver)),
            Some((Yahoo, false))
        );
        assert_eq!(
            default_other(&[Yahoo, Ecb, Fred], Some(Ecb)),
            Some((Yahoo, false))
        );
        assert_eq!(default_other(&[Naver], Some(Naver)), Some((Naver, true)));
        // Written by a source no longer in the route: the route's first.
        assert_eq!(default_other(&[Yahoo], Some(Naver)), Some((Yahoo, false)));
    }

    #[test]
    fn the_writer_is_the_majority_of_recorded_sources() {
        assert_eq!(majority_source([None, None]), None);
        assert_eq!(
            majority_source([Some("naver"), Some("yahoo"), Some("naver"), None]),
            Some(Naver)
        );
        assert_eq!(
            majority_source([Some("naver"), Some("yahoo")]),
            Some(Yahoo),
            "a tie goes to the source listed first"
        );
        assert_eq!(
            majority_source([Some("bloomberg"), Some("fred")]),
            Some(Fred)
        );
    }

    #[test]
    fn report_lines_name_each_finding() {
        let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day).unwrap();
        let report = TickerReport {
            ticker: "005930".into(),
            category: "korean_stock",
            source: Some(Yahoo),
            same_source: true,
            from: Some(d(1, 1)),
            to: Some(d(2, 29)),
            comparison: Some(Comparison {
                window: Some((d(1, 2), d(2, 29))),
                compared: 40,
                disagreements: vec![crate::check::Disagreement {
                    date: d(2, 14),
                    stored: 80_000.0,
                    other: 76_000.0,
                    diff: -0.05,
                }],
                missing_in_other: vec![d(2, 20)],
                extra_in_other: vec![],
            }),
            on_grid: Some(OnGrid {
                stored: Some(1.0),
                other: Some(0.25),
            }),
            breaches: vec![],
            refetch_from: Some(Yahoo),
            error: None,
            note: None,
        };
        let lines = report.lines();
        assert_eq!(
            lines,
            [
                "005930: 1 of 40 closes from 2024-01-02 to 2024-02-29 differ from yahoo by more \
                 than 0.5%, 1 days missing in yahoo, 0 extra (only yahoo covers 005930: \
                 compared with the source that wrote it)",
                "  2024-02-14: stored 80000, yahoo 76000 (-5.0%)",
                "  2024-02-20: stored, missing in yahoo",
                "  closes on the KRX tick grid: stored 100% (as traded), yahoo 25% (adjusted)",
            ]
        );
        assert!(report.has_findings());
        let clean = TickerReport {
            comparison: Some(Comparison {
                window: Some((d(1, 2), d(2, 29))),
                compared: 40,
                ..Comparison::default()
            }),
            on_grid: None,
            same_source: false,
            ..report
        };
        assert!(!clean.has_findings());
        assert_eq!(
            clean.lines(),
            ["005930: 40 days from 2024-01-02 to 2024-02-29 agree with yahoo (closes within 0.5%)"]
        );
    }
}

//! `wickview repair` on the embedded store (see [`super::repair`]).
//!
//! The schema already keeps one row per `(ticker, day)` with integer days, so what other
//! tools can leave here is bars filed under a Yahoo symbol, bars of tickers without
//! metadata (created, named by the ticker), and values that are not numbers (reported,
//! left alone). Everything runs in one transaction, rolled back on a dry run. Bars dated
//! before 1900 or after tomorrow are listed, and deleted on request, by
//! [`EmbeddedStore::bad_dates`].

use chrono::Utc;
use rusqlite::{Transaction, params};

use super::embedded::{EmbeddedStore, WriteError};
use super::repair::{BadDates, CategoryRepair, RepairReport};
use super::{StoreError, canonical_key, epoch_days, from_epoch_days};
use crate::model::{Category, EARLIEST_DAY, KrMarket, Ticker, latest_day, shown};

impl EmbeddedStore {
    /// The bars dated before 1900 or after tomorrow (UTC), per ticker; deleted if `remove`.
    pub(super) async fn bad_dates(&self, remove: bool) -> Result<Vec<BadDates>, StoreError> {
        let (earliest, latest) = (epoch_days(EARLIEST_DAY), epoch_days(latest_day()));
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let mut out = Vec::new();
            for category in Category::ALL {
                let table = category.collection();
                let outside = "typeof(date) = 'integer' AND (date < ?1 OR date > ?2)";
                let found = tx
                    .prepare(&format!(
                        "SELECT ticker, COUNT(*), MIN(date), MAX(date) FROM {table}
                         WHERE {outside} GROUP BY ticker ORDER BY ticker"
                    ))?
                    .query_map(params![earliest, latest], |r| {
                        Ok(BadDates {
                            category,
                            ticker: r.get(0)?,
                            bars: r.get::<_, i64>(1)?.try_into().unwrap_or(0),
                            first: from_epoch_days(r.get(2)?),
                            last: from_epoch_days(r.get(3)?),
                        })
                    })?
                    .collect::<Result<Vec<_>, _>>()?;
                if remove && !found.is_empty() {
                    tx.execute(
                        &format!("DELETE FROM {table} WHERE {outside}"),
                        params![earliest, latest],
                    )?;
                }
                out.extend(found);
            }
            tx.commit()?;
            Ok::<_, WriteError>(out)
        })
        .await
    }

    pub(super) async fn repair(&self, dry_run: bool) -> Result<RepairReport, StoreError> {
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let mut report = RepairReport::default();
            for category in Category::ALL {
                let table = category.collection();
                let mut counts = CategoryRepair::default();
                let markets = fold_yahoo_symbols(&tx, table, &mut counts)?;
                let unreadable: i64 = tx.query_row(
                    &format!(
                        "SELECT COUNT(*) FROM {table} WHERE typeof(date) != 'integer'
                            OR typeof(close) NOT IN ('real', 'integer')
                            OR typeof(volume) NOT IN ('real', 'integer')"
                    ),
                    [],
                    |r| r.get(0),
                )?;
                if unreadable > 0 {
                    report.unreadable.push(format!(
                        "{table}: {unreadable} rows whose date or close is not a number"
                    ));
                }
                document_orphans(&tx, category, &markets, &mut report)?;
                report.categories.push((category, counts));
            }
            if dry_run {
                tx.rollback()?;
            } else {
                tx.commit()?;
            }
            Ok::<_, WriteError>(report)
        })
        .await
    }
}

/// Moves the rows of `table` filed under a Yahoo symbol (`005930.KS`) or another spelling
/// to the canonical ticker (a day stored under both keeps the canonical row), counting
/// them in `counts`; returns the market each Yahoo symbol named, by canonical ticker.
fn fold_yahoo_symbols(
    tx: &Transaction<'_>,
    table: &str,
    counts: &mut CategoryRepair,
) -> rusqlite::Result<Vec<(String, KrMarket)>> {
    let filed: Vec<String> = tx
        .prepare(&format!("SELECT DISTINCT ticker FROM {table}"))?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut markets: Vec<(String, KrMarket)> = Vec::new();
    for t in filed {
        let canonical = canonical_key(&t);
        if canonical == t {
            continue;
        }
        let rows: i64 = tx.query_row(
            &format!("SELECT COUNT(*) FROM {table} WHERE ticker = ?1"),
            [&t],
            |r| r.get(0),
        )?;
        // A day stored under both forms keeps the canonical ticker's row.
        let moved = tx.execute(
            &format!(
                "INSERT OR IGNORE INTO {table}
                     (ticker, date, open, high, low, close, volume, dividends,
                      stock_splits, provisional, source, foreign_ratio)
                 SELECT ?2, date, open, high, low, close, volume, dividends,
                        stock_splits, provisional, source, foreign_ratio
                 FROM {table} WHERE ticker = ?1"
            ),
            params![t, canonical],
        )? as u64;
        tx.execute(&format!("DELETE FROM {table} WHERE ticker = ?1"), [&t])?;
        counts.yahoo_symbols += moved;
        counts.rewritten += moved;
        counts.duplicates += u64::try_from(rows).unwrap_or(0).saturating_sub(moved);
        if let Some(market) = KrMarket::of_symbol(&t) {
            markets.push((canonical, market));
        }
    }
    Ok(markets)
}

/// Creates the metadata of each ticker with bars in `category` but none, named by the
/// ticker (its source symbol from `markets`); rows of no valid ticker are reported.
fn document_orphans(
    tx: &Transaction<'_>,
    category: Category,
    markets: &[(String, KrMarket)],
    report: &mut RepairReport,
) -> rusqlite::Result<()> {
    let table = category.collection();
    let orphans: Vec<String> = tx
        .prepare(&format!(
            "SELECT DISTINCT ticker FROM {table}
             WHERE ticker NOT IN (SELECT ticker FROM ticker_metadata) ORDER BY ticker"
        ))?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for t in orphans {
        if Ticker::new(category, &t).map(|v| v.as_str() == t) != Ok(true) {
            report.unreadable.push(format!(
                "{table}: rows of '{}', which is not a {} ticker",
                shown(&t),
                category.label()
            ));
            continue;
        }
        let source = markets
            .iter()
            .find(|(c, _)| *c == t)
            .map(|(c, m)| format!("{c}{}", m.suffix()));
        let now = Utc::now().timestamp_millis();
        tx.execute(
            "INSERT INTO ticker_metadata
                 (ticker, name, name_folded, category, source_symbol, active, created_at, updated_at)
             VALUES (?1, ?1, ?5, ?2, ?3, 1, ?4, ?4)",
            params![t, category.storage_name(), source, now, t.to_lowercase()],
        )?;
        report.metadata_created.push(t);
    }
    Ok(())
}

//! Replacing a ticker's whole history (after a split re-adjusted it at the source).

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use futures::TryStreamExt as _;
use mongodb::bson::{Document, doc};

use super::embedded::{BarRow, EmbeddedStore, WriteError, insert_bar_sql};
use super::mongo::MongoStore;
use super::{Backend, Provenance, Stamp, Store, StoreError, epoch_days};
use crate::model::{DailySeries, Ticker, exchange_time_zone};

/// What [`Store::replace_series`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReplaceSummary {
    /// Days written (every day of the new history).
    pub written: u64,
    /// Stored days the new history does not have, removed.
    pub removed: u64,
}

impl Store {
    /// Replaces the ticker's stored bars by `series`, so that no bar of the old history
    /// remains. Embedded: one transaction. MongoDB: every day is upserted in ascending
    /// order, then the days the new history lacks are removed; a failure midway leaves a
    /// readable history whose last day is still the old one, so the next update sees the
    /// same split again and completes the replacement.
    ///
    /// Records no source: the same as [`Store::replace_series_from`] with
    /// [`Provenance::default`], so every day of the new history reads as of an unknown
    /// source.
    pub async fn replace_series(
        &self,
        ticker: &Ticker,
        series: &DailySeries,
    ) -> Result<ReplaceSummary, StoreError> {
        self.replace_series_from(ticker, series, Provenance::default())
            .await
    }

    /// [`Store::replace_series`], recording `from.source` on every day of the new history.
    /// A day's foreign ratio is the one `from` gives for it, or else the one stored for
    /// that day before (a ratio is not a price: a re-adjusted history does not change it).
    pub async fn replace_series_from(
        &self,
        ticker: &Ticker,
        series: &DailySeries,
        from: Provenance<'_>,
    ) -> Result<ReplaceSummary, StoreError> {
        let stamps = from.stamps(series);
        match &*self.backend {
            Backend::Embedded(b) => b.replace_series(ticker, series, stamps).await,
            Backend::Mongo(b) => b.replace_series(ticker, series, &stamps).await,
        }
    }
}

impl EmbeddedStore {
    async fn replace_series(
        &self,
        ticker: &Ticker,
        series: &DailySeries,
        stamps: Vec<Stamp>,
    ) -> Result<ReplaceSummary, StoreError> {
        let table = ticker.category().collection();
        let symbol = ticker.as_str().to_owned();
        let series = series.clone();
        self.write(move |conn| {
            let tx = conn.transaction()?;
            let keep: HashSet<i64> = series.days().iter().map(|d| epoch_days(*d)).collect();
            let stored: Vec<(i64, Option<f64>)> = tx
                .prepare(&format!(
                    "SELECT date, foreign_ratio FROM {table} WHERE ticker = ?1"
                ))?
                .query_map([&symbol], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            let removed = stored.iter().filter(|(d, _)| !keep.contains(d)).count() as u64;
            let stored_ratios: HashMap<i64, f64> = stored
                .into_iter()
                .filter_map(|(d, r)| Some((d, r?)))
                .collect();
            tx.execute(&format!("DELETE FROM {table} WHERE ticker = ?1"), [&symbol])?;
            {
                let mut stmt = tx.prepare(&insert_bar_sql(table))?;
                let provisional = series.provisional_day();
                for (bar, stamp) in series.bars().zip(&stamps) {
                    let row = BarRow {
                        provisional: provisional == Some(bar.date),
                        source: stamp.source.as_deref(),
                        foreign_ratio: stamp
                            .foreign_ratio
                            .or_else(|| stored_ratios.get(&epoch_days(bar.date)).copied()),
                    };
                    row.insert(&mut stmt, &symbol, &bar)?;
                }
            }
            tx.commit()?;
            Ok::<_, WriteError>(ReplaceSummary {
                written: series.len() as u64,
                removed,
            })
        })
        .await
    }
}

impl MongoStore {
    async fn replace_series(
        &self,
        ticker: &Ticker,
        series: &DailySeries,
        stamps: &[Stamp],
    ) -> Result<ReplaceSummary, StoreError> {
        let category = ticker.category();
        let upsert = self
            .upsert_into(category, ticker.as_str(), series, stamps)
            .await?;
        let keep: HashSet<NaiveDate> = series.days().iter().copied().collect();
        let tz = exchange_time_zone(category, ticker.as_str());
        let collection = self.db.collection::<Document>(category.collection());
        let stored: Vec<Document> = collection
            .find(doc! { "ticker": ticker.as_str() })
            .projection(doc! { "date": 1 })
            .await
            .map_err(|e| self.error(&e))?
            .try_collect()
            .await
            .map_err(|e| self.error(&e))?;
        // Stale rows by `_id`: whatever their date's form, the new history does not have them.
        let stale: Vec<_> = stored
            .iter()
            .filter(|d| {
                super::mongo_bars::day_of(d.get("date"), tz)
                    .map_or(true, |(day, _)| !keep.contains(&day))
            })
            .filter_map(|d| d.get("_id").cloned())
            .collect();
        let mut removed = 0;
        for chunk in stale.chunks(1000) {
            removed += collection
                .delete_many(doc! { "_id": { "$in": chunk.to_vec() } })
                .await
                .map_err(|e| self.error(&e))?
                .deleted_count;
        }
        Ok(ReplaceSummary {
            written: upsert.total(),
            removed,
        })
    }
}

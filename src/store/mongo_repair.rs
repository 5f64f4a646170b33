//! `wickview repair` on MongoDB (see [`super::repair`]).
//!
//! Per category collection and canonical ticker, every document filed under the ticker
//! or its Yahoo symbol is read in `_id` order (the order `insert_many` wrote them) and
//! grouped by trading day. The last written document of each day is kept and rewritten
//! in wickview's form (`$set`, so fields of other tools stay); the earlier ones are
//! deleted, only after the rewrites. An interrupted run leaves every day readable and
//! a rerun completes it: the kept document of a day stays the one with the highest `_id`.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use chrono_tz::Tz;
use futures::TryStreamExt as _;
use mongodb::bson::{Bson, Document, doc};

use super::mongo::{METADATA, MongoStore, meta};
use super::mongo_bars::{self, DateForm};
use super::repair::{CategoryRepair, RepairReport};
use super::{StoreError, canonical_key, epoch_days};
use crate::model::{Category, KrMarket, Ticker, TickerMeta, exchange_time_zone};

const MS_PER_DAY: i64 = 86_400_000;
/// `_id`s per `delete_many`.
const DELETE_BATCH: usize = 1000;

/// What to do with one ticker's documents.
#[derive(Debug, Default, PartialEq)]
struct TickerPlan {
    /// `(_id, $set)` of the kept documents that are not in wickview's form.
    rewrites: Vec<(Bson, Document)>,
    /// `_id`s of documents that a later-written document of the same day replaces.
    deletes: Vec<Bson>,
    counts: CategoryRepair,
    /// Documents that cannot be read, left alone.
    unreadable: Vec<String>,
    /// A Yahoo suffix (`.KS`/`.KQ`) some documents were filed under.
    market: Option<KrMarket>,
}

/// Plans the repair of one ticker's documents, given in write (`_id`) order.
fn plan_ticker(collection: &str, canonical: &str, docs: &[Document], tz: Tz) -> TickerPlan {
    let mut plan = TickerPlan::default();
    // Per day, the documents of that day in write order.
    let mut days: BTreeMap<NaiveDate, Vec<(usize, DateForm)>> = BTreeMap::new();
    for (k, doc) in docs.iter().enumerate() {
        let read = mongo_bars::day_of(doc.get("date"), tz)
            .and_then(|(day, form)| mongo_bars::decode_bar(doc, tz).map(|_| (day, form)));
        match read {
            Ok((day, form)) => days.entry(day).or_default().push((k, form)),
            Err(reason) => plan.unreadable.push(format!(
                "{collection} {} {}: {reason}",
                doc.get_str("ticker").unwrap_or("?"),
                doc.get("_id")
                    .map_or_else(|| "?".to_owned(), ToString::to_string)
            )),
        }
    }
    for (day, docs_of_day) in days {
        let Some(&(kept, form)) = docs_of_day.last() else {
            continue;
        };
        for &(k, _) in &docs_of_day[..docs_of_day.len() - 1] {
            if let Some(id) = docs[k].get("_id") {
                plan.deletes.push(id.clone());
                plan.counts.duplicates += 1;
            }
        }
        let doc = &docs[kept];
        let filed_as = doc.get_str("ticker").unwrap_or(canonical);
        let renamed = filed_as != canonical;
        if renamed && let Some(market) = KrMarket::of_symbol(filed_as) {
            plan.market = Some(market);
        }
        let untidy = mongo_bars::has_untidy_numbers(doc);
        let counts = &mut plan.counts;
        counts.shifted_dates += u64::from(form == DateForm::Shifted);
        counts.text_dates += u64::from(form == DateForm::Text);
        counts.untidy_numbers += u64::from(untidy);
        counts.yahoo_symbols += u64::from(renamed);
        if form == DateForm::Midnight && !untidy && !renamed {
            continue;
        }
        let (Some(id), Ok(bar)) = (doc.get("_id"), mongo_bars::decode_bar(doc, tz)) else {
            continue;
        };
        counts.rewritten += 1;
        let price = |p: f64| mongo_bars::price_value(p).map_or(Bson::Null, Bson::Double);
        plan.rewrites.push((
            id.clone(),
            doc! {
                "ticker": canonical,
                "date": mongodb::bson::DateTime::from_millis(epoch_days(day) * MS_PER_DAY),
                "open": price(bar.open),
                "high": price(bar.high),
                "low": price(bar.low),
                "close": bar.close,
                "volume": bar.volume,
                "dividends": bar.dividends,
                "stock_splits": bar.stock_splits,
            },
        ));
    }
    plan
}

impl MongoStore {
    pub(super) fn repair_needed(&self) -> Option<String> {
        self.repair_needed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The documents of `collection` matching `filter`, in `_id` order (the order
    /// `insert_many` wrote them).
    async fn in_write_order(
        &self,
        collection: &mongodb::Collection<Document>,
        filter: Document,
    ) -> Result<Vec<Document>, StoreError> {
        collection
            .find(filter)
            .sort(doc! { "_id": 1 })
            .await
            .map_err(|e| self.error(&e))?
            .try_collect()
            .await
            .map_err(|e| self.error(&e))
    }

    /// Brings `ticker_metadata` to the canonical form. Each document is read on its own
    /// ([`meta::read`]; a missing or unknown category is taken from the one collection
    /// holding the ticker's bars, if there is one). Documents naming one ticker (duplicates
    /// of re-run scripts, a Yahoo symbol such as `005930.KS` or a number such as 5930
    /// beside or instead of `005930`) are merged into the last written one: the others are
    /// deleted first, then it is rewritten (`$set`, so other tools' fields stay) in the
    /// canonical form, under the canonical ticker (its Yahoo symbol kept as the source
    /// symbol when it had none), so the unique index can be built and a rerun finds
    /// nothing left. A document that cannot be read is left as it is and reported with
    /// its `_id`. Returns the tickers that have a document, readable or not.
    async fn repair_metadata(
        &self,
        dry_run: bool,
        bar_categories: &HashMap<String, Vec<Category>>,
        report: &mut RepairReport,
    ) -> Result<HashSet<String>, StoreError> {
        let collection = self.db.collection::<Document>(METADATA);
        let docs = self.in_write_order(&collection, doc! {}).await?;
        let fallback = |raw: &str| match bar_categories.get(&canonical_key(raw)).map(Vec::as_slice)
        {
            Some([only]) => Some(*only),
            _ => None,
        };
        let mut documented = HashSet::new();
        let mut groups: BTreeMap<String, Vec<(Document, meta::Read)>> = BTreeMap::new();
        for d in docs {
            match meta::read(&d, &fallback) {
                Ok(read) => groups
                    .entry(read.meta.ticker.as_str().to_owned())
                    .or_default()
                    .push((d, read)),
                Err(reason) => {
                    if let Ok(raw) = meta::ticker_text(&d) {
                        documented.insert(canonical_key(&raw));
                    }
                    report.unreadable.push(format!(
                        "{METADATA}: document _id {}: {reason}",
                        meta::id_text(&d)
                    ));
                }
            }
        }
        for (ticker, mut docs) in groups {
            documented.insert(ticker.clone());
            let Some((kept, read)) = docs.pop() else {
                continue;
            };
            let merged = !docs.is_empty() || read.filed_as.is_some();
            let fixed = !read.untidy.is_empty();
            if merged {
                report.metadata_merged.push(ticker.clone());
            }
            if fixed {
                report
                    .metadata_fixed
                    .push(format!("{ticker} ({})", read.untidy.join(", ")));
            }
            if dry_run || !(merged || fixed) {
                continue;
            }
            let others: Vec<Bson> = docs
                .iter()
                .filter_map(|(d, _)| d.get("_id").cloned())
                .collect();
            if !others.is_empty() {
                collection
                    .delete_many(doc! { "_id": { "$in": others } })
                    .await
                    .map_err(|e| self.error(&e))?;
            }
            if let Some(id) = kept.get("_id") {
                collection
                    .update_one(
                        doc! { "_id": id.clone() },
                        doc! { "$set": meta::to_document(&read.meta) },
                    )
                    .await
                    .map_err(|e| self.error(&e))?;
            }
        }
        Ok(documented)
    }

    pub(super) async fn repair(&self, dry_run: bool) -> Result<RepairReport, StoreError> {
        let mut report = RepairReport {
            indexes_missing: self.repair_needed().is_some(),
            ..RepairReport::default()
        };
        // The tickers filed in each category collection, and the categories of each.
        let mut filed_per_category = Vec::new();
        let mut bar_categories: HashMap<String, Vec<Category>> = HashMap::new();
        for category in Category::ALL {
            let filed: Vec<Bson> = self
                .db
                .collection::<Document>(category.collection())
                .distinct("ticker", doc! {})
                .await
                .map_err(|e| self.error(&e))?;
            for t in &filed {
                if let Bson::String(s) = t {
                    let categories = bar_categories.entry(canonical_key(s)).or_default();
                    if !categories.contains(&category) {
                        categories.push(category);
                    }
                }
            }
            filed_per_category.push((category, filed));
        }
        let documented = self
            .repair_metadata(dry_run, &bar_categories, &mut report)
            .await?;
        let mut with_bars: Vec<(Ticker, Option<KrMarket>)> = Vec::new();
        for (category, filed) in filed_per_category {
            let counts = self
                .repair_bars(category, filed, dry_run, &mut report, &mut with_bars)
                .await?;
            report.categories.push((category, counts));
        }
        self.document_tickers(with_bars, &documented, dry_run, &mut report)
            .await?;
        if !dry_run {
            self.create_indexes().await?;
            *self
                .repair_needed
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
        }
        Ok(report)
    }

    /// Repairs the bars of `category` filed under the tickers `filed` (each group of
    /// spellings of one ticker in write order); adds each ticker with bars, and the market
    /// its Yahoo symbol named, to `with_bars`. Returns what was (or would be) repaired.
    async fn repair_bars(
        &self,
        category: Category,
        filed: Vec<Bson>,
        dry_run: bool,
        report: &mut RepairReport,
        with_bars: &mut Vec<(Ticker, Option<KrMarket>)>,
    ) -> Result<CategoryRepair, StoreError> {
        let collection = self.db.collection::<Document>(category.collection());
        let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for t in filed {
            match t {
                Bson::String(s) => groups.entry(canonical_key(&s)).or_default().push(s),
                other => report.unreadable.push(format!(
                    "{}: rows whose ticker is {other}",
                    category.collection()
                )),
            }
        }
        let mut counts = CategoryRepair::default();
        for (canonical, filed_as) in groups {
            let Ok(ticker) = Ticker::new(category, &canonical) else {
                report.unreadable.push(format!(
                    "{}: rows of '{canonical}', which is not a {} ticker",
                    category.collection(),
                    category.label()
                ));
                continue;
            };
            let docs = self
                .in_write_order(&collection, doc! { "ticker": { "$in": filed_as } })
                .await?;
            let tz = exchange_time_zone(category, &canonical);
            let plan = plan_ticker(category.collection(), &canonical, &docs, tz);
            report.unreadable.extend(plan.unreadable);
            let c = plan.counts;
            counts.duplicates += c.duplicates;
            counts.shifted_dates += c.shifted_dates;
            counts.text_dates += c.text_dates;
            counts.untidy_numbers += c.untidy_numbers;
            counts.yahoo_symbols += c.yahoo_symbols;
            counts.rewritten += c.rewritten;
            if !dry_run {
                // Rewrites first: until the duplicates go, every day stays readable.
                for (id, set) in plan.rewrites {
                    collection
                        .update_one(doc! { "_id": id }, doc! { "$set": set })
                        .await
                        .map_err(|e| self.error(&e))?;
                }
                for chunk in plan.deletes.chunks(DELETE_BATCH) {
                    collection
                        .delete_many(doc! { "_id": { "$in": chunk.to_vec() } })
                        .await
                        .map_err(|e| self.error(&e))?;
                }
            }
            with_bars.push((ticker, plan.market));
        }
        Ok(counts)
    }

    /// Creates the metadata of each ticker with bars but none (`documented` has those
    /// with metadata), named by the ticker as the README says.
    async fn document_tickers(
        &self,
        with_bars: Vec<(Ticker, Option<KrMarket>)>,
        documented: &HashSet<String>,
        dry_run: bool,
        report: &mut RepairReport,
    ) -> Result<(), StoreError> {
        let mut created = HashSet::new();
        for (ticker, market) in with_bars {
            // Filed in two category collections: the first one keeps it.
            if documented.contains(ticker.as_str()) || !created.insert(ticker.as_str().to_owned()) {
                continue;
            }
            report.metadata_created.push(ticker.as_str().to_owned());
            if !dry_run {
                // Named by the ticker, as the README says.
                let mut meta = TickerMeta::new(ticker.clone(), ticker.as_str());
                meta.source_symbol = market.map(|m| format!("{}{}", meta.ticker, m.suffix()));
                meta.created_at = super::to_millis(meta.created_at);
                meta.updated_at = meta.created_at;
                match self.add_ticker(&meta).await {
                    Ok(()) | Err(StoreError::DuplicateTicker(_)) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(())
    }
}

impl MongoStore {
    /// The bars dated before 1900 or after tomorrow (UTC), per ticker; deleted if `remove`.
    /// Dates compare as instants: before 1900-01-01 00:00 UTC, or from 00:00 UTC of the day
    /// after tomorrow on (a date stored as text counts once `repair` has converted it).
    pub(super) async fn bad_dates(&self, remove: bool) -> Result<Vec<super::BadDates>, StoreError> {
        let millis =
            |day: NaiveDate| mongodb::bson::DateTime::from_millis(epoch_days(day) * MS_PER_DAY);
        let after = crate::model::latest_day()
            .succ_opt()
            .unwrap_or(NaiveDate::MAX);
        let filter = doc! { "$or": [
            { "date": { "$lt": millis(crate::model::EARLIEST_DAY) } },
            { "date": { "$gte": millis(after) } },
        ] };
        let mut out = Vec::new();
        for category in Category::ALL {
            let collection = self.db.collection::<Document>(category.collection());
            let mut cursor = collection
                .find(filter.clone())
                .projection(doc! { "_id": 0, "ticker": 1, "date": 1 })
                .await
                .map_err(|e| self.error(&e))?;
            let mut found: BTreeMap<String, super::BadDates> = BTreeMap::new();
            while let Some(d) = cursor.try_next().await.map_err(|e| self.error(&e))? {
                let ticker = match d.get("ticker") {
                    Some(Bson::String(s)) => s.clone(),
                    Some(other) => other.to_string(),
                    None => "?".to_owned(),
                };
                let day = d
                    .get_datetime("date")
                    .ok()
                    .and_then(|t| chrono::DateTime::from_timestamp_millis(t.timestamp_millis()))
                    .map(|t| t.date_naive());
                let entry = found.entry(ticker.clone()).or_insert(super::BadDates {
                    category,
                    ticker,
                    bars: 0,
                    first: None,
                    last: None,
                });
                entry.bars += 1;
                if let Some(day) = day {
                    entry.first = Some(entry.first.map_or(day, |f| f.min(day)));
                    entry.last = Some(entry.last.map_or(day, |l| l.max(day)));
                }
            }
            if remove && !found.is_empty() {
                collection
                    .delete_many(filter.clone())
                    .await
                    .map_err(|e| self.error(&e))?;
            }
            out.extend(found.into_values());
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use mongodb::bson::oid::ObjectId;

    use super::*;

    fn bar_doc(ticker: &str, date: Bson, close: f64) -> Document {
        doc! {
            "_id": ObjectId::new(), "ticker": ticker, "date": date, "open": close,
            "high": close + 1.0, "low": close - 1.0, "close": close, "volume": 10.0,
            "dividends": 0.0, "stock_splits": 0.0,
        }
    }

    fn at(ms: i64) -> Bson {
        Bson::DateTime(mongodb::bson::DateTime::from_millis(ms))
    }

    #[test]
    fn duplicates_keep_the_last_written_and_shifted_days_move() {
        let seoul_jan2 = at(1_704_121_200_000); // 2024-01-02 00:00 KST
        let utc_jan2 = at(1_704_153_600_000); // 2024-01-02 00:00 UTC
        let docs = vec![
            bar_doc("005930.KS", seoul_jan2.clone(), 100.0),
            bar_doc("005930", utc_jan2.clone(), 101.0),
            bar_doc("005930.KS", seoul_jan2, 102.0), // re-run: the last written of the day
            bar_doc("005930", utc_jan2.clone() /* another day below */, 0.0),
        ];
        let mut docs = docs;
        docs[3].insert("date", at(1_704_153_600_000 + MS_PER_DAY));
        docs[3].insert("close", 103.0);
        docs[3].insert("open", 103.0);
        docs.push(
            doc! { "_id": ObjectId::new(), "ticker": "005930", "date": "garbage", "close": 1.0 },
        );
        let plan = plan_ticker("korean_stocks", "005930", &docs, Tz::Asia__Seoul);
        let id = |k: usize| docs[k].get("_id").unwrap().clone();
        assert_eq!(plan.deletes, vec![id(0), id(1)]);
        assert_eq!(plan.counts.duplicates, 2);
        assert_eq!(plan.counts.shifted_dates, 1);
        assert_eq!(plan.counts.yahoo_symbols, 1);
        assert_eq!(plan.counts.rewritten, 1);
        assert_eq!(plan.market, Some(KrMarket::Kospi));
        assert_eq!(plan.rewrites.len(), 1);
        let (id, set) = &plan.rewrites[0];
        assert_eq!(*id, docs[2].get("_id").unwrap().clone());
        assert_eq!(set.get_str("ticker").unwrap(), "005930");
        assert_eq!(set.get("date").unwrap(), &utc_jan2);
        assert_eq!(set.get_f64("close").unwrap(), 102.0);
        assert_eq!(plan.unreadable.len(), 1);
        assert!(
            plan.unreadable[0].contains("'garbage' is not a date"),
            "{:?}",
            plan.unreadable
        );

        // Once applied, nothing is left to do.
        let repaired: Vec<Document> = vec![
            {
                let mut d = docs[2].clone();
                for (k, v) in set {
                    d.insert(k.clone(), v.clone());
                }
                d
            },
            docs[3].clone(),
        ];
        let again = plan_ticker("korean_stocks", "005930", &repaired, Tz::Asia__Seoul);
        assert_eq!(again, TickerPlan::default());
    }

    /// `source` and `foreign_ratio` are not numbers of the bar: a tidy document with them
    /// needs nothing, and a rewrite (`$set`) names neither, so they stay as written.
    #[test]
    fn provenance_fields_are_left_as_written() {
        let mut tidy = bar_doc("005930", at(1_704_153_600_000), 79600.0);
        tidy.insert("source", "naver");
        tidy.insert("foreign_ratio", 52.31);
        let plan = plan_ticker("korean_stocks", "005930", &[tidy], Tz::Asia__Seoul);
        assert_eq!(plan, TickerPlan::default());

        let mut filed = bar_doc("005930.KS", at(1_704_121_200_000), 79600.0);
        filed.insert("source", "yahoo");
        let plan = plan_ticker("korean_stocks", "005930", &[filed], Tz::Asia__Seoul);
        assert_eq!(plan.counts.rewritten, 1);
        assert_eq!(plan.counts.untidy_numbers, 0);
        let set = &plan.rewrites[0].1;
        assert_eq!(set.get_str("ticker").unwrap(), "005930");
        assert!(!set.contains_key("source") && !set.contains_key("foreign_ratio"));
    }

    #[test]
    fn text_dates_and_untidy_numbers_are_rewritten() {
        let mut d = bar_doc("KRW=X", Bson::String("2024-04-02".into()), 1350.0);
        d.insert("volume", f64::NAN);
        d.insert("stock_splits", "0.0");
        let plan = plan_ticker("currencies", "KRW=X", &[d], Tz::Europe__London);
        assert_eq!(plan.counts.text_dates, 1);
        assert_eq!(plan.counts.untidy_numbers, 1);
        let set = &plan.rewrites[0].1;
        assert_eq!(set.get_f64("volume").unwrap(), 0.0);
        assert_eq!(set.get_f64("stock_splits").unwrap(), 0.0);
        assert_eq!(
            set.get_datetime("date").unwrap().timestamp_millis(),
            epoch_days(NaiveDate::from_ymd_opt(2024, 4, 2).unwrap()) * MS_PER_DAY
        );
    }
}

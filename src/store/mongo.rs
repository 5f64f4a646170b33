//! The MongoDB backend (official `mongodb` driver).
//!
//! Collections as in the spec: `korean_stocks`, `us_stocks`, `indices`, `currencies`
//! (bar documents `{ticker, date, open, high, low, close, volume, dividends,
//! stock_splits}`, `date` a BSON date at 00:00 UTC) with a unique `{ticker: 1, date: 1}`
//! index each, and `ticker_metadata` with a unique `{ticker: 1}` index and a
//! `{category: 1, ticker: 1}` index; `watchlists` with a unique `{name: 1}` index
//! (`mongo/watchlists.rs`). All are created at open.
//!
//! Bulk upserts use the classic `update` command with up to [`MONGO_BATCH`] upsert
//! statements per command, in date order and *ordered* (the server applies them one after
//! the other and stops at the first failure). So a write cut off by a lost server leaves
//! a ticker's earliest new days stored and none after a gap: the next update, which
//! fetches from the last stored day, completes it without leaving a hole. It is the batch
//! write every MongoDB server version understands (the driver's `Client::bulk_write`
//! needs MongoDB 8.0+), and its reply (`n`, `nModified`, `upserted`) gives exact
//! inserted/updated/unchanged counts.
//!
//! A standalone server has no multi-document transactions, so multi-step changes are
//! ordered to be safe to rerun: a category change copies the bars first, then updates
//! the metadata, then removes the ticker's bars from every other category collection;
//! a delete removes the bars first and the metadata last.

mod drawings;
mod watchlists;

use std::collections::HashMap;
use std::time::Duration;

use chrono::NaiveDate;
use futures::TryStreamExt as _;
use mongodb::bson::{self, Bson, Document, doc};
use mongodb::error::{ErrorKind, WriteFailure};
use mongodb::options::{ClientOptions, IndexOptions};
use mongodb::{Client, Collection, Database, IndexModel};
use serde::{Deserialize, Serialize};

use super::config::MongoUri;
use super::mongo_bars;
use super::{
    MONGO_BATCH, StoreError, TickerDeletion, TickerEdit, TickerPage, TickerQuery, UpsertSummary,
    apply_edit, epoch_days, escape_regex, from_epoch_days,
};
use crate::model::{
    Bar, Category, DailySeries, SeriesBuilder, Ticker, TickerMeta, exchange_time_zone,
};

/// How long the driver looks for a server before giving up (unless the URI says otherwise).
const SERVER_SELECTION_TIMEOUT: Duration = Duration::from_secs(4);
/// How long one TCP/TLS connect may take (unless the URI says otherwise).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(4);
const MS_PER_DAY: i64 = 86_400_000;
pub(super) const METADATA: &str = "ticker_metadata";
const DUPLICATE_KEY: i32 = 11000;

/// A bar document as written (`$set` part of an upsert; `ticker` and `date` come from the
/// filter). A close-only bar has null open/high/low.
#[derive(Serialize)]
struct BarValues {
    open: Option<f64>,
    high: Option<f64>,
    low: Option<f64>,
    close: f64,
    volume: f64,
    dividends: f64,
    stock_splits: f64,
}

/// A `ticker_metadata` document.
#[derive(Serialize, Deserialize)]
struct MetaDoc {
    ticker: String,
    name: String,
    category: String,
    source_symbol: Option<String>,
    active: bool,
    created_at: bson::DateTime,
    updated_at: bson::DateTime,
}

impl MetaDoc {
    fn from_meta(meta: &TickerMeta) -> Self {
        Self {
            ticker: meta.ticker.as_str().to_owned(),
            name: meta.name.clone(),
            category: meta.category().storage_name().to_owned(),
            source_symbol: meta.source_symbol.clone(),
            active: meta.active,
            created_at: bson::DateTime::from_millis(meta.created_at.timestamp_millis()),
            updated_at: bson::DateTime::from_millis(meta.updated_at.timestamp_millis()),
        }
    }

    fn into_meta(self) -> Result<TickerMeta, StoreError> {
        super::StoredMeta {
            ticker: self.ticker,
            name: self.name,
            category: self.category,
            source_symbol: self.source_symbol,
            active: self.active,
            created_at_ms: self.created_at.timestamp_millis(),
            updated_at_ms: self.updated_at.timestamp_millis(),
        }
        .into_meta(METADATA)
    }
}

fn bson_date(date: NaiveDate) -> bson::DateTime {
    bson::DateTime::from_millis(epoch_days(date) * MS_PER_DAY)
}

fn naive_date(date: bson::DateTime) -> Option<NaiveDate> {
    // A date stored at another hour of the day (by another tool) counts for its UTC day.
    from_epoch_days(date.timestamp_millis().div_euclid(MS_PER_DAY))
}

/// Handle to a MongoDB database; clones share the driver's connection pool.
pub(crate) struct MongoStore {
    pub(super) db: Database,
    db_name: String,
    uri: MongoUri,
    /// Why the unique indexes could not be built at open (duplicate rows left by other
    /// tools), until `wickview repair` fixes it.
    pub(super) repair_needed: std::sync::Mutex<Option<String>>,
}

impl MongoStore {
    /// Connects, pings and creates the indexes.
    pub async fn open(uri: &str, db_name: &str) -> Result<Self, StoreError> {
        let store = Self::connect(uri, db_name).await?;
        match store.create_indexes().await {
            Ok(()) => {}
            // Duplicates left by other tools: reading still works (the last written row of
            // a day wins); `wickview repair` removes them and builds the index.
            Err(StoreError::Corrupt { location, detail }) => {
                *store
                    .repair_needed
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) =
                    Some(format!("{location}: {detail}"));
            }
            Err(e) => return Err(e),
        }
        store.create_drawing_index().await?;
        Ok(store)
    }

    /// Connects and pings, creating nothing (for commands that only read).
    /// A category collection holding bars without its unique `(ticker, date)` index (a
    /// database written by other tools) is noted as needing `wickview repair`.
    pub async fn open_read_only(uri: &str, db_name: &str) -> Result<Self, StoreError> {
        let store = Self::connect(uri, db_name).await?;
        for category in Category::ALL {
            let bars = store.bars(category);
            let names = bars.list_index_names().await.unwrap_or_default();
            if names.iter().any(|n| n == "ticker_1_date_1") {
                continue;
            }
            let holds_bars = bars
                .find_one(doc! {})
                .await
                .map_err(|err| store.error(&err))?
                .is_some();
            if holds_bars {
                *store
                    .repair_needed
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(format!(
                    "{}.{}: it has no unique (ticker, date) index, so it may hold duplicate \
                     rows; `wickview repair` removes them (keeping the last written of each \
                     day) and builds it",
                    db_name,
                    category.collection()
                ));
                break;
            }
        }
        Ok(store)
    }

    async fn connect(uri: &str, db_name: &str) -> Result<Self, StoreError> {
        let parts = MongoUri::parse(uri)?;
        let unreachable = |detail: String| StoreError::Unreachable {
            host: parts.hosts.clone(),
            detail: parts.redact(&detail),
        };
        let mut options = match ClientOptions::parse(uri).await {
            Ok(options) => options,
            Err(err) => {
                return Err(match *err.kind {
                    ErrorKind::DnsResolve { .. } | ErrorKind::Io(_) => unreachable(err.to_string()),
                    _ => StoreError::Config(format!(
                        "invalid MongoDB URI for {}: {}",
                        parts.hosts,
                        parts.redact(&err.to_string())
                    )),
                });
            }
        };
        options
            .server_selection_timeout
            .get_or_insert(SERVER_SELECTION_TIMEOUT);
        options.connect_timeout.get_or_insert(CONNECT_TIMEOUT);
        options
            .app_name
            .get_or_insert_with(|| "wickview".to_owned());
        let client = Client::with_options(options).map_err(|err| {
            StoreError::Config(format!(
                "MongoDB client for {}: {}",
                parts.hosts,
                parts.redact(&err.to_string())
            ))
        })?;
        let store = Self {
            db: client.database(db_name),
            db_name: db_name.to_owned(),
            uri: parts,
            repair_needed: std::sync::Mutex::new(None),
        };
        store.ping().await?;
        Ok(store)
    }

    pub(super) async fn create_indexes(&self) -> Result<(), StoreError> {
        for category in Category::ALL {
            let model = IndexModel::builder()
                .keys(doc! { "ticker": 1, "date": 1 })
                .options(IndexOptions::builder().unique(true).build())
                .build();
            self.bars(category)
                .create_index(model)
                .await
                .map_err(|err| self.index_error(category.collection(), &err))?;
        }
        let unique_ticker = IndexModel::builder()
            .keys(doc! { "ticker": 1 })
            .options(IndexOptions::builder().unique(true).build())
            .build();
        let by_category = IndexModel::builder()
            .keys(doc! { "category": 1, "ticker": 1 })
            .build();
        for model in [unique_ticker, by_category] {
            self.meta()
                .create_index(model)
                .await
                .map_err(|err| self.index_error(METADATA, &err))?;
        }
        self.create_watchlist_indexes().await?;
        Ok(())
    }

    fn index_error(&self, collection: &str, err: &mongodb::error::Error) -> StoreError {
        if server_code(err) == Some(DUPLICATE_KEY) {
            StoreError::Corrupt {
                location: format!("{}.{collection}", self.db_name),
                detail: "it holds duplicate rows for one key (ticker and date, or ticker), so the \
                         unique index cannot be built; `wickview repair` removes them (keeping \
                         the last written of each day) and builds it"
                    .to_owned(),
            }
        } else {
            self.error(err)
        }
    }

    fn bars(&self, category: Category) -> Collection<Document> {
        self.db.collection(category.collection())
    }

    fn meta(&self) -> Collection<MetaDoc> {
        self.db.collection(METADATA)
    }

    pub fn describe(&self) -> String {
        format!("MongoDB: {} / {}", self.uri.hosts, self.db_name)
    }

    /// Maps a driver error to a store error, naming the host and redacting the password.
    pub(super) fn error(&self, err: &mongodb::error::Error) -> StoreError {
        let detail = self.uri.redact(&err.to_string());
        let host = self.uri.hosts.clone();
        match &*err.kind {
            ErrorKind::ServerSelection { .. }
            | ErrorKind::Io(_)
            | ErrorKind::ConnectionPoolCleared { .. }
            | ErrorKind::DnsResolve { .. }
            | ErrorKind::Shutdown => StoreError::Unreachable { host, detail },
            ErrorKind::Authentication { .. } => StoreError::Auth { host, detail },
            _ if err.contains_label("RetryableWriteError")
                || err.contains_label("TransientTransactionError") =>
            {
                StoreError::Unreachable { host, detail }
            }
            _ if matches!(server_code(err), Some(14031 | 12501)) => StoreError::StorageFull {
                location: format!("{host} / {}", self.db_name),
            },
            _ => StoreError::Backend {
                backend: "MongoDB",
                detail,
            },
        }
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        self.db
            .run_command(doc! { "ping": 1 })
            .await
            .map(|_| ())
            .map_err(|e| self.error(&e))
    }

    pub async fn load_series(
        &self,
        ticker: &Ticker,
        range: Option<(NaiveDate, NaiveDate)>,
    ) -> Result<DailySeries, StoreError> {
        // Bars an earlier tool filed under the Yahoo symbol (`005930.KS`) are read too,
        // until `wickview repair` moves them to the canonical ticker.
        let symbols: Vec<String> = std::iter::once(ticker.as_str().to_owned())
            .chain(
                ticker
                    .is_krx_code()
                    .then(|| [".KS", ".KQ"].map(|s| format!("{ticker}{s}")))
                    .into_iter()
                    .flatten(),
            )
            .collect();
        let mut filter = doc! { "ticker": { "$in": symbols } };
        if let Some((from, to)) = range {
            filter.insert(
                "date",
                doc! { "$gte": bson_date(from), "$lte": bson_date(to) },
            );
        }
        let mut cursor = self
            .bars(ticker.category())
            .find(filter)
            .sort(doc! { "date": 1 })
            .projection(doc! { "_id": 0, "ticker": 0 })
            .batch_size(10_000)
            .await
            .map_err(|e| self.error(&e))?;
        let tz = exchange_time_zone(ticker.category(), ticker.as_str());
        let mut builder = SeriesBuilder::with_capacity(8192);
        let mut unreadable = 0usize;
        let mut last_provisional = false;
        // Each document is decoded on its own: one unreadable document is left out.
        while let Some(doc) = cursor.try_next().await.map_err(|e| self.error(&e))? {
            match mongo_bars::decode_bar(&doc, tz) {
                Ok(bar) => {
                    last_provisional = doc.get_bool("provisional").unwrap_or(false);
                    builder.push(bar);
                }
                Err(reason) => {
                    if unreadable == 0 {
                        tracing::warn!("{}: {ticker}: unreadable bar: {reason}", self.describe());
                    }
                    unreadable += 1;
                }
            }
        }
        let (mut series, issues) = builder.build();
        series.set_last_provisional(last_provisional);
        if !issues.is_empty() || unreadable > 0 {
            tracing::warn!(
                "{}: {} stored bars of {ticker} are impossible or unreadable and were left out{}",
                self.describe(),
                issues.len() + unreadable,
                issues
                    .first()
                    .map(|i| format!(" (first: {i})"))
                    .unwrap_or_default()
            );
        }
        Ok(series)
    }

    pub async fn last_days(
        &self,
        category: Category,
    ) -> Result<HashMap<String, NaiveDate>, StoreError> {
        // Sorting like a backward walk of the unique (ticker, date) index and taking each
        // group's first date lets MongoDB answer from the index (DISTINCT_SCAN): one key
        // per ticker instead of every bar of the category.
        let pipeline = [
            doc! { "$sort": { "ticker": -1, "date": -1 } },
            doc! { "$group": { "_id": "$ticker", "last": { "$first": "$date" } } },
        ];
        let mut cursor = self
            .db
            .collection::<Document>(category.collection())
            .aggregate(pipeline)
            .await
            .map_err(|e| self.error(&e))?;
        let mut out = HashMap::new();
        while let Some(doc) = cursor.try_next().await.map_err(|e| self.error(&e))? {
            if let (Ok(ticker), Ok(last)) = (doc.get_str("_id"), doc.get_datetime("last"))
                && let Some(date) = naive_date(*last)
            {
                out.insert(ticker.to_owned(), date);
            }
        }
        Ok(out)
    }

    pub async fn upsert_bars(
        &self,
        ticker: &Ticker,
        bars: &DailySeries,
    ) -> Result<UpsertSummary, StoreError> {
        self.upsert_into(ticker.category(), ticker.as_str(), bars)
            .await
    }

    pub(super) async fn upsert_into(
        &self,
        category: Category,
        symbol: &str,
        bars: &DailySeries,
    ) -> Result<UpsertSummary, StoreError> {
        let collection = category.collection();
        let mut summary = UpsertSummary::default();
        let all: Vec<Bar> = bars.bars().collect();
        for chunk in all.chunks(MONGO_BATCH) {
            let mut updates = Vec::with_capacity(chunk.len());
            for bar in chunk {
                let values = BarValues {
                    open: mongo_bars::price_value(bar.open),
                    high: mongo_bars::price_value(bar.high),
                    low: mongo_bars::price_value(bar.low),
                    close: bar.close,
                    volume: bar.volume,
                    dividends: bar.dividends,
                    stock_splits: bar.stock_splits,
                };
                let set = bson::to_document(&values).map_err(|e| StoreError::Backend {
                    backend: "MongoDB",
                    detail: format!("encoding a bar of {symbol}: {e}"),
                })?;
                // Only a provisional bar carries the flag; a final one drops it.
                let update = if bars.provisional_day() == Some(bar.date) {
                    let mut set = set;
                    set.insert("provisional", true);
                    doc! { "$set": set }
                } else {
                    doc! { "$set": set, "$unset": { "provisional": "" } }
                };
                updates.push(Bson::Document(doc! {
                    "q": { "ticker": symbol, "date": bson_date(bar.date) },
                    "u": update,
                    "upsert": true,
                }));
            }
            let reply = self
                .db
                .run_command(doc! { "update": collection, "updates": updates, "ordered": true })
                .await
                .map_err(|e| self.error(&e))?;
            if let Ok(errors) = reply.get_array("writeErrors")
                && let Some(Bson::Document(first)) = errors.first()
            {
                return Err(StoreError::Backend {
                    backend: "MongoDB",
                    detail: self.uri.redact(&format!(
                        "{} of {} upserts into {collection} for {symbol} failed, first: {}",
                        errors.len(),
                        chunk.len(),
                        first.get_str("errmsg").unwrap_or("no message")
                    )),
                });
            }
            let matched_or_upserted = count_field(&reply, "n");
            let modified = count_field(&reply, "nModified");
            let inserted = reply.get_array("upserted").map_or(0, |a| a.len() as u64);
            summary += UpsertSummary {
                inserted,
                updated: modified,
                unchanged: matched_or_upserted.saturating_sub(inserted + modified),
            };
        }
        Ok(summary)
    }

    pub async fn add_ticker(&self, meta: &TickerMeta) -> Result<(), StoreError> {
        match self.meta().insert_one(MetaDoc::from_meta(meta)).await {
            Ok(_) => Ok(()),
            Err(err) if server_code(&err) == Some(DUPLICATE_KEY) => {
                Err(StoreError::DuplicateTicker(meta.ticker.as_str().to_owned()))
            }
            Err(err) => Err(self.error(&err)),
        }
    }

    pub async fn ticker(&self, key: &str) -> Result<Option<TickerMeta>, StoreError> {
        self.meta()
            .find_one(doc! { "ticker": key })
            .projection(doc! { "_id": 0 })
            .await
            .map_err(|e| self.error(&e))?
            .map(MetaDoc::into_meta)
            .transpose()
    }

    pub async fn update_ticker(
        &self,
        key: &str,
        edit: &TickerEdit,
    ) -> Result<TickerMeta, StoreError> {
        let current = self
            .ticker(key)
            .await?
            .ok_or_else(|| StoreError::UnknownTicker(key.to_owned()))?;
        let next = apply_edit(&current, edit)?;
        if next.category() != current.category() {
            self.copy_bars(key, current.category(), next.category())
                .await?;
        }
        self.meta()
            .replace_one(doc! { "ticker": key }, MetaDoc::from_meta(&next))
            .await
            .map_err(|e| self.error(&e))?;
        if edit.category.is_some() {
            // Also heals a category change that was interrupted after the metadata update.
            self.remove_bars_outside(key, next.category()).await?;
        }
        Ok(next)
    }

    /// Copies a ticker's bars into another category's collection (upserts, so safe to
    /// rerun); the caller removes them from the old one afterwards. Returns how many.
    async fn copy_bars(&self, key: &str, from: Category, to: Category) -> Result<u64, StoreError> {
        let ticker = Ticker::new(from, key)?;
        let bars = self.load_series(&ticker, None).await?;
        self.upsert_into(to, key, &bars).await?;
        Ok(bars.len() as u64)
    }

    /// Removes a ticker's bars from every category collection except `keep`.
    async fn remove_bars_outside(&self, key: &str, keep: Category) -> Result<u64, StoreError> {
        let mut removed = 0;
        for other in Category::ALL.into_iter().filter(|c| *c != keep) {
            removed += self
                .bars(other)
                .delete_many(doc! { "ticker": key })
                .await
                .map_err(|e| self.error(&e))?
                .deleted_count;
        }
        Ok(removed)
    }

    /// Deletes the ticker's bars, takes it out of every watchlist, then deletes its metadata
    /// (last, so a failed deletion can be rerun).
    pub async fn delete_ticker(&self, key: &str) -> Result<TickerDeletion, StoreError> {
        if self.ticker(key).await?.is_none() {
            return Err(StoreError::UnknownTicker(key.to_owned()));
        }
        let mut bars = 0;
        for category in Category::ALL {
            bars += self
                .bars(category)
                .delete_many(doc! { "ticker": key })
                .await
                .map_err(|e| self.error(&e))?
                .deleted_count;
        }
        let watchlists = self.watchlists_drop_ticker(key).await?;
        self.meta()
            .delete_one(doc! { "ticker": key })
            .await
            .map_err(|e| self.error(&e))?;
        Ok(TickerDeletion { bars, watchlists })
    }

    pub async fn list_tickers(&self, query: &TickerQuery) -> Result<TickerPage, StoreError> {
        let mut filter = Document::new();
        if let Some(category) = query.category {
            filter.insert("category", category.storage_name());
        }
        if query.active_only {
            filter.insert("active", true);
        }
        if let Some(text) = query
            .filter
            .as_deref()
            .map(str::trim)
            .filter(|f| !f.is_empty())
        {
            filter.insert(
                "$or",
                vec![
                    doc! { "ticker": prefix_regex(text) },
                    doc! { "name": substring_regex(text) },
                ],
            );
        }
        let total = self
            .meta()
            .count_documents(filter.clone())
            .await
            .map_err(|e| self.error(&e))?;
        let meta = self.meta();
        let mut find = meta
            .find(filter)
            .sort(doc! { "ticker": 1 })
            .projection(doc! { "_id": 0 })
            .skip(query.offset);
        if query.limit > 0 {
            find = find.limit(i64::try_from(query.limit).unwrap_or(i64::MAX));
        }
        let docs: Vec<MetaDoc> = find
            .await
            .map_err(|e| self.error(&e))?
            .try_collect()
            .await
            .map_err(|e| self.error(&e))?;
        let items = docs
            .into_iter()
            .map(MetaDoc::into_meta)
            .collect::<Result<_, _>>()?;
        Ok(TickerPage { items, total })
    }

    pub async fn search(&self, text: &str, limit: usize) -> Result<Vec<TickerMeta>, StoreError> {
        let limit_i64 = i64::try_from(limit).unwrap_or(i64::MAX);
        let by_prefix: Vec<MetaDoc> = self
            .meta()
            .find(doc! { "ticker": prefix_regex(text) })
            .sort(doc! { "ticker": 1 })
            .projection(doc! { "_id": 0 })
            .limit(limit_i64)
            .await
            .map_err(|e| self.error(&e))?
            .try_collect()
            .await
            .map_err(|e| self.error(&e))?;
        let mut out = by_prefix
            .into_iter()
            .map(MetaDoc::into_meta)
            .collect::<Result<Vec<_>, _>>()?;
        if out.len() < limit {
            // Fewer prefix matches than the limit means `out` holds all of them; asking
            // for `limit` name matches leaves enough after dropping those.
            let by_name: Vec<MetaDoc> = self
                .meta()
                .find(doc! { "name": substring_regex(text) })
                .sort(doc! { "ticker": 1 })
                .projection(doc! { "_id": 0 })
                .limit(limit_i64)
                .await
                .map_err(|e| self.error(&e))?
                .try_collect()
                .await
                .map_err(|e| self.error(&e))?;
            let prefix = text.to_ascii_uppercase();
            let room = limit - out.len();
            let extra = by_name
                .into_iter()
                .filter(|d| !d.ticker.starts_with(&prefix))
                .take(room)
                .map(MetaDoc::into_meta)
                .collect::<Result<Vec<_>, _>>()?;
            out.extend(extra);
        }
        Ok(out)
    }

    pub async fn drop_all_data(&self) -> Result<(), StoreError> {
        self.db.drop().await.map_err(|e| self.error(&e))
    }

    pub async fn bar_count(&self, key: &str) -> Result<u64, StoreError> {
        let mut total = 0;
        for category in Category::ALL {
            total += self
                .bars(category)
                .count_documents(doc! { "ticker": key })
                .await
                .map_err(|e| self.error(&e))?;
        }
        Ok(total)
    }
}

/// `{$regex: "^PREFIX"}` on the upper-cased text (tickers are stored upper-case).
///
/// The `$regex` operator form, not a bare BSON regular expression value: SecantusDB (the
/// CI server) matches nothing with a bare regex on an indexed field; MongoDB takes both.
fn prefix_regex(text: &str) -> Document {
    doc! { "$regex": format!("^{}", escape_regex(&text.to_ascii_uppercase())) }
}

/// A case-insensitive substring match (`$regex` operator form, see [`prefix_regex`]).
fn substring_regex(text: &str) -> Document {
    doc! { "$regex": escape_regex(text), "$options": "i" }
}

/// A count in a command reply (`Int32` or `Int64` depending on the server).
fn count_field(reply: &Document, key: &str) -> u64 {
    match reply.get(key) {
        Some(Bson::Int32(n)) => u64::try_from(*n).unwrap_or(0),
        Some(Bson::Int64(n)) => u64::try_from(*n).unwrap_or(0),
        Some(Bson::Double(n)) if *n >= 0.0 => *n as u64,
        _ => 0,
    }
}

/// The server error code of a failed command or write, if any.
fn server_code(err: &mongodb::error::Error) -> Option<i32> {
    match &*err.kind {
        ErrorKind::Command(e) => Some(e.code),
        ErrorKind::Write(WriteFailure::WriteError(e)) => Some(e.code),
        ErrorKind::Write(WriteFailure::WriteConcernError(e)) => Some(e.code),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_midnight_utc() {
        let d = NaiveDate::from_ymd_opt(2024, 3, 15).unwrap();
        let b = bson_date(d);
        assert_eq!(b.timestamp_millis() % MS_PER_DAY, 0);
        assert_eq!(b.try_to_rfc3339_string().unwrap(), "2024-03-15T00:00:00Z");
        assert_eq!(naive_date(b), Some(d));
        // Another tool's 15:00 UTC (midnight KST of the next day) counts for its UTC day.
        let later = bson::DateTime::from_millis(b.timestamp_millis() + 15 * 3_600_000);
        assert_eq!(naive_date(later), Some(d));
        let before_1970 = NaiveDate::from_ymd_opt(1965, 6, 1).unwrap();
        assert_eq!(naive_date(bson_date(before_1970)), Some(before_1970));
    }

    #[test]
    fn regexes_are_escaped_and_case_insensitive_for_names() {
        assert_eq!(prefix_regex("^ks"), doc! { "$regex": "^\\^KS" });
        assert_eq!(
            substring_regex("삼성"),
            doc! { "$regex": "삼성", "$options": "i" }
        );
    }

    /// The bar move of a category change, against a real server (skips loudly without one).
    #[tokio::test]
    async fn moving_bars_between_category_collections() {
        let Ok(uri) = std::env::var("WICKVIEW_TEST_MONGODB_URI") else {
            if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
                panic!("CI=true but WICKVIEW_TEST_MONGODB_URI is unset: MongoDB tests must run");
            }
            eprintln!("\n*** MongoDB tests did NOT run: set WICKVIEW_TEST_MONGODB_URI ***\n");
            return;
        };
        let db_name = format!("wickview_unit_move_{}", std::process::id());
        let store = MongoStore::open(&uri, &db_name).await.unwrap();
        let us = Ticker::parse(Category::UsStock, "MOVE").unwrap();
        let (bars, _) = DailySeries::from_bars([
            Bar::ohlc(
                NaiveDate::from_ymd_opt(2024, 1, 2).unwrap(),
                1.0,
                2.0,
                0.5,
                1.5,
            ),
            Bar::ohlc(
                NaiveDate::from_ymd_opt(2024, 1, 3).unwrap(),
                1.5,
                2.5,
                1.0,
                2.0,
            ),
        ]);
        store.upsert_bars(&us, &bars).await.unwrap();
        assert_eq!(
            store
                .copy_bars("MOVE", Category::UsStock, Category::Index)
                .await
                .unwrap(),
            2
        );
        // Rerunning an interrupted move is harmless.
        assert_eq!(
            store
                .copy_bars("MOVE", Category::UsStock, Category::Index)
                .await
                .unwrap(),
            2
        );
        assert_eq!(store.bar_count("MOVE").await.unwrap(), 4);
        assert_eq!(
            store
                .remove_bars_outside("MOVE", Category::Index)
                .await
                .unwrap(),
            2
        );
        assert!(store.load_series(&us, None).await.unwrap().is_empty());
        let last = store.last_days(Category::Index).await.unwrap();
        assert_eq!(
            last.get("MOVE"),
            NaiveDate::from_ymd_opt(2024, 1, 3).as_ref()
        );
        assert_eq!(store.bar_count("MOVE").await.unwrap(), 2);
        store.drop_all_data().await.unwrap();
    }

    #[test]
    fn reply_counts() {
        let reply = doc! { "n": 5_i32, "nModified": 2_i64, "ok": 1.0 };
        assert_eq!(count_field(&reply, "n"), 5);
        assert_eq!(count_field(&reply, "nModified"), 2);
        assert_eq!(count_field(&reply, "missing"), 0);
    }
}

//! The MongoDB backend (official `mongodb` driver).
//!
//! Collections as in the spec: `korean_stocks`, `us_stocks`, `indices`, `currencies`
//! (bar documents `{ticker, date, open, high, low, close, volume, dividends,
//! stock_splits}`, `date` a BSON date at 00:00 UTC, plus `source`, the download source that
//! last wrote it, and `foreign_ratio` (KRX, from Naver), each absent where not recorded,
//! and `provisional: true` on a bar fetched while its exchange was open) with a unique
//! `{ticker: 1, date: 1}`
//! index each, and `ticker_metadata` with a unique `{ticker: 1}` index and a
//! `{category: 1, ticker: 1}` index; `watchlists` with a unique `{name: 1}` index
//! (`mongo/watchlists.rs`). All are created at open; a user the server refuses them for
//! lack of rights (only the `read` role) opens a store that reads, and its writes fail with
//! [`StoreError::NotPermitted`]. Driver errors become one-line messages (`driver_error.rs`);
//! `ticker_metadata` documents are read one by one and leniently (`meta.rs`).
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
mod driver_error;
pub(super) mod meta;
mod watchlists;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::NaiveDate;
use futures::TryStreamExt as _;
use mongodb::bson::{self, Bson, Document, doc};
use mongodb::error::ErrorKind;
use mongodb::options::{ClientOptions, IndexOptions};
use mongodb::{Client, Collection, Database, IndexModel};
use serde::Serialize;

use self::driver_error::{Class, server_code};
use super::config::MongoUri;
use super::mongo_bars;
use super::search::{self, SearchText};
use super::{
    BarProvenance, MONGO_BATCH, Stamp, StoreError, TickerDeletion, TickerEdit, TickerPage,
    TickerQuery, UpsertSummary, apply_edit, epoch_days, from_epoch_days,
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

fn bson_date(date: NaiveDate) -> bson::DateTime {
    bson::DateTime::from_millis(epoch_days(date) * MS_PER_DAY)
}

fn naive_date(date: bson::DateTime) -> Option<NaiveDate> {
    // A date stored at another hour of the day (by another tool) counts for its UTC day.
    from_epoch_days(date.timestamp_millis().div_euclid(MS_PER_DAY))
}

/// The `ticker` values a stored ticker may be filed under: the text, and for a 6-digit
/// KRX code the number other tools may have written (5930 for `005930`).
fn ticker_forms(key: &str) -> Vec<Bson> {
    let mut forms = vec![Bson::String(key.to_owned())];
    if key.len() == 6
        && key.bytes().all(|b| b.is_ascii_digit())
        && let Ok(n) = key.parse::<i32>()
    {
        forms.extend([
            Bson::Int32(n),
            Bson::Int64(i64::from(n)),
            Bson::Double(f64::from(n)),
        ]);
    }
    forms
}

/// The filter of a ticker's bar documents, all or within `range` (inclusive days). Bars an
/// earlier tool filed under the Yahoo symbol (`005930.KS`) are matched too, until
/// `wickview repair` moves them to the canonical ticker.
fn bars_filter(ticker: &Ticker, range: Option<(NaiveDate, NaiveDate)>) -> Document {
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
    filter
}

/// Handle to a MongoDB database; clones share the driver's connection pool.
pub(crate) struct MongoStore {
    pub(super) db: Database,
    db_name: String,
    uri: MongoUri,
    /// The login's user name, if the URI has one (named when a login is refused).
    user: Option<String>,
    /// Why the unique indexes could not be built at open (duplicate rows left by other
    /// tools), until `wickview repair` fixes it.
    pub(super) repair_needed: std::sync::Mutex<Option<String>>,
    /// The server refused to build the indexes at open for lack of rights: the user may
    /// read only.
    writes_refused: AtomicBool,
    /// `_id`s of unreadable `ticker_metadata` documents already warned about.
    warned: std::sync::Mutex<HashSet<String>>,
}

impl MongoStore {
    /// Connects, pings and creates the indexes. A user who may only read (the server
    /// refuses the indexes with `Unauthorized`) gets a store that reads: a warning says
    /// so, and writes fail with [`StoreError::NotPermitted`].
    pub async fn open(uri: &str, db_name: &str) -> Result<Self, StoreError> {
        let store = Self::connect(uri, db_name).await?;
        let built = match store.create_indexes().await {
            Ok(()) => store.create_drawing_index().await,
            Err(e) => Err(e),
        };
        match built {
            Ok(()) => {}
            // Duplicates left by other tools: reading still works (the last written row of
            // a day wins); `wickview repair` removes them and builds the index.
            Err(StoreError::Corrupt { location, detail }) => {
                *store
                    .repair_needed
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) =
                    Some(format!("{location}: {detail}"));
                store.create_drawing_index().await?;
            }
            Err(refused @ StoreError::NotPermitted { .. }) => {
                store.check_indexes().await?;
                store.writes_refused.store(true, Ordering::Relaxed);
                tracing::warn!("{}: {refused}; opened for reading only", store.describe());
            }
            Err(e) => return Err(e),
        }
        Ok(store)
    }

    /// Connects and pings, creating nothing (for commands that only read).
    pub async fn open_read_only(uri: &str, db_name: &str) -> Result<Self, StoreError> {
        let store = Self::connect(uri, db_name).await?;
        store.check_indexes().await?;
        Ok(store)
    }

    /// Notes a category collection holding bars without its unique `(ticker, date)` index
    /// (a database written by other tools) as needing `wickview repair`. Reads only, so
    /// it also checks that the user may read: a refusal is [`StoreError::NotPermitted`].
    async fn check_indexes(&self) -> Result<(), StoreError> {
        for category in Category::ALL {
            let bars = self.bars(category);
            let names = match bars.list_index_names().await {
                Ok(names) => names,
                Err(err) if driver_error::classify(&err) == Class::Unauthorized => {
                    return Err(self.not_permitted("read"));
                }
                Err(_) => Vec::new(),
            };
            if names.iter().any(|n| n == "ticker_1_date_1") {
                continue;
            }
            let holds_bars = bars
                .find_one(doc! {})
                .await
                .map_err(|err| match driver_error::classify(&err) {
                    Class::Unauthorized => self.not_permitted("read"),
                    _ => self.error(&err),
                })?
                .is_some();
            if holds_bars {
                *self
                    .repair_needed
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(format!(
                    "{}.{}: it has no unique (ticker, date) index, so it may hold duplicate \
                     rows; `wickview repair` removes them (keeping the last written of each \
                     day) and builds it",
                    self.db_name,
                    category.collection()
                ));
                break;
            }
        }
        Ok(())
    }

    async fn connect(uri: &str, db_name: &str) -> Result<Self, StoreError> {
        let parts = MongoUri::parse(uri)?;
        let mut options = match ClientOptions::parse(uri).await {
            Ok(options) => options,
            Err(err) => {
                let detail = driver_error::summarize(&err, &parts, None);
                return Err(match *err.kind {
                    ErrorKind::DnsResolve { .. } | ErrorKind::Io(_) => StoreError::Unreachable {
                        host: parts.hosts.clone(),
                        detail,
                    },
                    _ => StoreError::Config(format!(
                        "invalid MongoDB URI for {}: {detail}",
                        parts.hosts
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
        let user = options.credential.as_ref().and_then(|c| c.username.clone());
        let client = Client::with_options(options).map_err(|err| {
            StoreError::Config(format!(
                "MongoDB client for {}: {}",
                parts.hosts,
                driver_error::summarize(&err, &parts, user.as_deref())
            ))
        })?;
        let store = Self {
            db: client.database(db_name),
            db_name: db_name.to_owned(),
            uri: parts,
            user,
            repair_needed: std::sync::Mutex::new(None),
            writes_refused: AtomicBool::new(false),
            warned: std::sync::Mutex::new(HashSet::new()),
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

    fn meta(&self) -> Collection<Document> {
        self.db.collection(METADATA)
    }

    /// `MongoDB: host / finance_db`, with `(read-only)` when the user may not write.
    pub fn describe(&self) -> String {
        let read_only = if self.writes_refused.load(Ordering::Relaxed) {
            " (read-only)"
        } else {
            ""
        };
        format!("MongoDB: {} / {}{read_only}", self.uri.hosts, self.db_name)
    }

    fn not_permitted(&self, action: &'static str) -> StoreError {
        StoreError::NotPermitted {
            action,
            database: self.db_name.clone(),
        }
    }

    /// Maps a driver error to a store error: one line naming what failed (never the
    /// driver's debug text or the server's raw reply), the host, no password. After an
    /// open, which checks that the user may read, a refusal for lack of rights (code 13)
    /// is a refused write.
    pub(super) fn error(&self, err: &mongodb::error::Error) -> StoreError {
        let detail = driver_error::summarize(err, &self.uri, self.user.as_deref());
        let host = self.uri.hosts.clone();
        match driver_error::classify(err) {
            Class::Unreachable => StoreError::Unreachable { host, detail },
            Class::Auth => StoreError::Auth { host, detail },
            Class::Unauthorized => self.not_permitted("write to"),
            Class::Other if matches!(server_code(err), Some(14031 | 12501)) => {
                StoreError::StorageFull {
                    location: format!("{host} / {}", self.db_name),
                }
            }
            Class::Other => StoreError::Backend {
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
        let mut cursor = self
            .bars(ticker.category())
            .find(bars_filter(ticker, range))
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

    /// The provenance of the ticker's stored days (also those filed under its Yahoo
    /// symbol, as [`MongoStore::load_series`] reads them), ascending; of a day stored twice,
    /// the document read last. A `source` that is not text or a `foreign_ratio` that is not
    /// a number reads as not recorded.
    pub async fn load_provenance(
        &self,
        ticker: &Ticker,
        range: Option<(NaiveDate, NaiveDate)>,
    ) -> Result<Vec<BarProvenance>, StoreError> {
        let mut cursor = self
            .bars(ticker.category())
            .find(bars_filter(ticker, range))
            .sort(doc! { "date": 1 })
            .projection(doc! { "_id": 0, "date": 1, "source": 1, "foreign_ratio": 1 })
            .batch_size(10_000)
            .await
            .map_err(|e| self.error(&e))?;
        let tz = exchange_time_zone(ticker.category(), ticker.as_str());
        let mut days: BTreeMap<NaiveDate, BarProvenance> = BTreeMap::new();
        while let Some(doc) = cursor.try_next().await.map_err(|e| self.error(&e))? {
            let Ok((date, _)) = mongo_bars::day_of(doc.get("date"), tz) else {
                continue;
            };
            days.insert(
                date,
                BarProvenance {
                    date,
                    source: match doc.get("source") {
                        Some(Bson::String(s)) if !s.is_empty() => Some(s.clone()),
                        _ => None,
                    },
                    foreign_ratio: mongo_bars::number_of(doc.get("foreign_ratio"))
                        .ok()
                        .flatten(),
                },
            );
        }
        Ok(days.into_values().collect())
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
        stamps: &[Stamp],
    ) -> Result<UpsertSummary, StoreError> {
        self.upsert_into(ticker.category(), ticker.as_str(), bars, stamps)
            .await
    }

    /// Upserts `bars` (each with its stamp, `stamps[i]` for the `i`-th bar) under `symbol`
    /// in `category`'s collection, [`MONGO_BATCH`] days per command.
    ///
    /// Each batch is two `update` commands. The first records the stamps on the days
    /// already stored (no upsert): one multi-document statement per source, one per day
    /// with a foreign ratio. The second upserts the values with the same stamps, which the
    /// stored days already have, so its `nModified` counts the days whose values changed
    /// and nothing else.
    pub(super) async fn upsert_into(
        &self,
        category: Category,
        symbol: &str,
        bars: &DailySeries,
        stamps: &[Stamp],
    ) -> Result<UpsertSummary, StoreError> {
        let collection = category.collection();
        let mut summary = UpsertSummary::default();
        let all: Vec<(Bar, &Stamp)> = bars.bars().zip(stamps).collect();
        for chunk in all.chunks(MONGO_BATCH) {
            self.stamp_stored(collection, symbol, chunk).await?;
            let mut updates = Vec::with_capacity(chunk.len());
            for (bar, stamp) in chunk {
                let values = BarValues {
                    open: mongo_bars::price_value(bar.open),
                    high: mongo_bars::price_value(bar.high),
                    low: mongo_bars::price_value(bar.low),
                    close: bar.close,
                    volume: bar.volume,
                    dividends: bar.dividends,
                    stock_splits: bar.stock_splits,
                };
                let mut set = bson::to_document(&values).map_err(|e| StoreError::Backend {
                    backend: "MongoDB",
                    detail: format!("encoding a bar of {symbol}: {e}"),
                })?;
                let mut unset = Document::new();
                // Only a provisional bar carries the flag; a final one drops it.
                if bars.provisional_day() == Some(bar.date) {
                    set.insert("provisional", true);
                } else {
                    unset.insert("provisional", "");
                }
                match &stamp.source {
                    Some(source) => set.insert("source", source.to_string()),
                    None => unset.insert("source", ""),
                };
                if let Some(ratio) = stamp.foreign_ratio {
                    set.insert("foreign_ratio", ratio);
                }
                let update = if unset.is_empty() {
                    doc! { "$set": set }
                } else {
                    doc! { "$set": set, "$unset": unset }
                };
                updates.push(Bson::Document(doc! {
                    "q": { "ticker": symbol, "date": bson_date(bar.date) },
                    "u": update,
                    "upsert": true,
                }));
            }
            let reply = self
                .run_updates(collection, symbol, "upserts", updates)
                .await?;
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

    /// Records the stamps of `chunk` on those of its days already stored under `symbol`.
    async fn stamp_stored(
        &self,
        collection: &str,
        symbol: &str,
        chunk: &[(Bar, &Stamp)],
    ) -> Result<(), StoreError> {
        let mut by_source: BTreeMap<Option<&str>, Vec<bson::DateTime>> = BTreeMap::new();
        let mut updates = Vec::new();
        for (bar, stamp) in chunk {
            by_source
                .entry(stamp.source.as_deref())
                .or_default()
                .push(bson_date(bar.date));
            if let Some(ratio) = stamp.foreign_ratio {
                updates.push(Bson::Document(doc! {
                    "q": { "ticker": symbol, "date": bson_date(bar.date) },
                    "u": { "$set": { "foreign_ratio": ratio } },
                }));
            }
        }
        for (source, dates) in by_source {
            let u = match source {
                Some(source) => doc! { "$set": { "source": source } },
                None => doc! { "$unset": { "source": "" } },
            };
            updates.push(Bson::Document(doc! {
                "q": { "ticker": symbol, "date": { "$in": dates } },
                "u": u,
                "multi": true,
            }));
        }
        self.run_updates(collection, symbol, "source updates", updates)
            .await
            .map(drop)
    }

    /// Runs one ordered `update` command; its reply, or the first write error.
    async fn run_updates(
        &self,
        collection: &str,
        symbol: &str,
        what: &str,
        updates: Vec<Bson>,
    ) -> Result<Document, StoreError> {
        let sent = updates.len();
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
                    "{} of {sent} {what} into {collection} for {symbol} failed, first: {}",
                    errors.len(),
                    driver_error::clip(
                        first.get_str("errmsg").unwrap_or("no message"),
                        driver_error::MAX_SERVER_MESSAGE
                    )
                )),
            });
        }
        Ok(reply)
    }

    pub async fn add_ticker(&self, meta: &TickerMeta) -> Result<(), StoreError> {
        match self.meta().insert_one(meta::to_document(meta)).await {
            Ok(_) => Ok(()),
            Err(err) if server_code(&err) == Some(DUPLICATE_KEY) => {
                Err(StoreError::DuplicateTicker(meta.ticker.as_str().to_owned()))
            }
            Err(err) => Err(self.error(&err)),
        }
    }

    pub async fn ticker(&self, key: &str) -> Result<Option<TickerMeta>, StoreError> {
        Ok(self.find_meta(key).await?.map(|(_, meta)| meta))
    }

    /// The metadata document of `key` (also filed as a number, see [`ticker_forms`]) and
    /// its `_id`: the last written readable one. Only unreadable ones: an error naming them.
    async fn find_meta(&self, key: &str) -> Result<Option<(Bson, TickerMeta)>, StoreError> {
        let docs: Vec<Document> = self
            .meta()
            .find(doc! { "ticker": { "$in": ticker_forms(key) } })
            .sort(doc! { "_id": 1 })
            .await
            .map_err(|e| self.error(&e))?
            .try_collect()
            .await
            .map_err(|e| self.error(&e))?;
        let mut found = None;
        let mut unreadable = None;
        for d in &docs {
            match meta::read(d, &|_| None) {
                Ok(read) if read.meta.ticker.as_str() == key => {
                    found = Some((d.get("_id").cloned().unwrap_or(Bson::Null), read.meta));
                }
                Ok(_) => {}
                Err(reason) => unreadable = Some((meta::id_text(d), reason)),
            }
        }
        match (found, unreadable) {
            (Some(found), _) => Ok(Some(found)),
            (None, Some((id, reason))) => Err(StoreError::Corrupt {
                location: format!("{}.{METADATA}", self.db_name),
                detail: format!(
                    "the document of {} (_id {id}) cannot be read: {reason}; `wickview \
                     repair` lists it",
                    crate::model::shown(key)
                ),
            }),
            (None, None) => Ok(None),
        }
    }

    pub async fn update_ticker(
        &self,
        key: &str,
        edit: &TickerEdit,
    ) -> Result<TickerMeta, StoreError> {
        let (id, current) = self
            .find_meta(key)
            .await?
            .ok_or_else(|| StoreError::UnknownTicker(key.to_owned()))?;
        let next = apply_edit(&current, edit)?;
        if next.category() != current.category() {
            self.copy_bars(key, current.category(), next.category())
                .await?;
        }
        // By `_id`: a document of another tool's shape is rewritten in the canonical one.
        match self
            .meta()
            .replace_one(doc! { "_id": id }, meta::to_document(&next))
            .await
        {
            Ok(_) => {}
            Err(err) if server_code(&err) == Some(DUPLICATE_KEY) => {
                return Err(StoreError::Corrupt {
                    location: format!("{}.{METADATA}", self.db_name),
                    detail: format!(
                        "it holds more than one document for {}; `wickview repair` merges them",
                        crate::model::shown(key)
                    ),
                });
            }
            Err(err) => return Err(self.error(&err)),
        }
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
        // Each day keeps its provenance.
        let provenance: HashMap<NaiveDate, BarProvenance> = self
            .load_provenance(&ticker, None)
            .await?
            .into_iter()
            .map(|p| (p.date, p))
            .collect();
        let stamps: Vec<Stamp> = bars
            .days()
            .iter()
            .map(|day| {
                provenance.get(day).map_or_else(Stamp::default, |p| Stamp {
                    source: p.source.as_deref().map(std::sync::Arc::from),
                    foreign_ratio: p.foreign_ratio,
                })
            })
            .collect();
        self.upsert_into(to, key, &bars, &stamps).await?;
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
            .delete_many(doc! { "ticker": { "$in": ticker_forms(key) } })
            .await
            .map_err(|e| self.error(&e))?;
        Ok(TickerDeletion { bars, watchlists })
    }

    /// Every readable `ticker_metadata` document, one per ticker (the last written where
    /// another tool wrote a ticker twice), sorted by ticker. Each document is read on its
    /// own ([`meta::read`]); an unreadable one is left out with a warning naming the
    /// collection and its `_id` (once per handle).
    async fn all_meta(&self) -> Result<Vec<TickerMeta>, StoreError> {
        let mut cursor = self
            .meta()
            .find(doc! {})
            .sort(doc! { "_id": 1 })
            .await
            .map_err(|e| self.error(&e))?;
        let mut by_ticker = BTreeMap::new();
        while let Some(d) = cursor.try_next().await.map_err(|e| self.error(&e))? {
            match meta::read(&d, &|_| None) {
                Ok(read) => {
                    by_ticker.insert(read.meta.ticker.as_str().to_owned(), read.meta);
                }
                Err(reason) => self.warn_unreadable(&d, &reason),
            }
        }
        Ok(by_ticker.into_values().collect())
    }

    fn warn_unreadable(&self, d: &Document, reason: &str) {
        let id = meta::id_text(d);
        let first = self
            .warned
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(id.clone());
        if first {
            tracing::warn!(
                "{}: {METADATA} document _id {id} left out: {reason}; `wickview repair` lists it",
                self.describe()
            );
        }
    }

    /// Filters and pages in memory, over [`Self::all_meta`]: a document of another tool's
    /// shape (`active: "yes"`, a numeric name or ticker, another category spelling) is
    /// matched by what it means, and a left-out document never shortens a page.
    pub async fn list_tickers(&self, query: &TickerQuery) -> Result<TickerPage, StoreError> {
        let text = query
            .filter
            .as_deref()
            .map(str::trim)
            .filter(|f| !f.is_empty());
        let text = text.and_then(SearchText::new);
        let matching: Vec<TickerMeta> = self
            .all_meta()
            .await?
            .into_iter()
            .filter(|m| query.category.is_none_or(|c| m.category() == c))
            .filter(|m| !query.active_only || m.active)
            .filter(|m| text.as_ref().is_none_or(|t| t.matches(m)))
            .collect();
        let total = matching.len() as u64;
        let offset = usize::try_from(query.offset).unwrap_or(usize::MAX);
        let limit = match query.limit {
            0 => usize::MAX,
            n => usize::try_from(n).unwrap_or(usize::MAX),
        };
        let items = matching.into_iter().skip(offset).take(limit).collect();
        Ok(TickerPage { items, total })
    }

    /// Ranks every readable document (as [`Self::list_tickers`] filters them), the same way
    /// as the embedded store: a document of another tool's shape matches by what it means.
    pub async fn search(
        &self,
        text: &SearchText,
        limit: usize,
    ) -> Result<Vec<TickerMeta>, StoreError> {
        Ok(search::best(self.all_meta().await?, text, limit))
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

/// A count in a command reply (`Int32` or `Int64` depending on the server).
fn count_field(reply: &Document, key: &str) -> u64 {
    match reply.get(key) {
        Some(Bson::Int32(n)) => u64::try_from(*n).unwrap_or(0),
        Some(Bson::Int64(n)) => u64::try_from(*n).unwrap_or(0),
        Some(Bson::Double(n)) if *n >= 0.0 => *n as u64,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No provenance on any bar of `bars`.
    fn unstamped(bars: &DailySeries) -> Vec<Stamp> {
        crate::store::Provenance::default().stamps(bars)
    }

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
        let jan3 = NaiveDate::from_ymd_opt(2024, 1, 3).unwrap();
        let naver = crate::store::Provenance {
            source: Some("naver"),
            foreign_ratio: &[(jan3, 51.5)],
        };
        store
            .upsert_bars(&us, &bars, &naver.stamps(&bars))
            .await
            .unwrap();
        // A day stored without provenance (an import) stays so.
        store
            .upsert_bars(&us, &bars.slice(0..1), &unstamped(&bars.slice(0..1)))
            .await
            .unwrap();
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
        // The provenance moved with the values.
        let moved: Vec<Document> = store
            .bars(Category::Index)
            .find(doc! { "ticker": "MOVE" })
            .sort(doc! { "date": 1 })
            .projection(doc! { "_id": 0, "source": 1, "foreign_ratio": 1 })
            .await
            .unwrap()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(
            moved,
            [doc! {}, doc! { "source": "naver", "foreign_ratio": 51.5 }]
        );
        store.drop_all_data().await.unwrap();
    }

    /// Driver errors become store errors of one short line; a refusal for lack of rights
    /// names the database.
    #[tokio::test]
    async fn driver_errors_map_to_short_store_errors() {
        let uri = "mongodb://reader:pa55w0rd@127.0.0.1:1/?directConnection=true";
        let store = MongoStore {
            db: Client::with_uri_str(uri)
                .await
                .unwrap()
                .database("finance_db"),
            db_name: "finance_db".to_owned(),
            uri: MongoUri::parse(uri).unwrap(),
            user: Some("reader".to_owned()),
            repair_needed: std::sync::Mutex::new(None),
            writes_refused: AtomicBool::new(false),
            warned: std::sync::Mutex::new(HashSet::new()),
        };
        let command = |code: i32, name: &str| {
            let e: mongodb::error::CommandError = bson::from_document(doc! {
                "code": code, "codeName": name,
                "errmsg": "not authorized on finance_db to execute command { insert: \"x\" }",
            })
            .unwrap();
            mongodb::error::Error::from(ErrorKind::Command(e))
        };
        let err = store.error(&command(13, "Unauthorized"));
        assert!(matches!(err, StoreError::NotPermitted { .. }), "{err:?}");
        assert_eq!(err.to_string(), "this user may not write to finance_db");
        let err = store.error(&command(18, "AuthenticationFailed"));
        assert_eq!(
            err.to_string(),
            "MongoDB at 127.0.0.1:1 refused the login: authentication failed for user 'reader'"
        );
        let err = store.error(&command(2, "BadValue"));
        let text = err.to_string();
        assert!(
            text.starts_with("MongoDB error: command failed: BadValue (2): not authorized"),
            "{text}"
        );
        assert!(!text.contains("pa55w0rd") && !text.contains('\n') && text.len() < 200);
    }

    #[test]
    fn reply_counts() {
        let reply = doc! { "n": 5_i32, "nModified": 2_i64, "ok": 1.0 };
        assert_eq!(count_field(&reply, "n"), 5);
        assert_eq!(count_field(&reply, "nModified"), 2);
        assert_eq!(count_field(&reply, "missing"), 0);
    }
}

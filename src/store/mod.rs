//! Storage of bars and ticker metadata: MongoDB `finance_db`, or the embedded default.
//!
//! Depends on `model`. One async interface, [`Store`], over two backends:
//!
//! - **Embedded** (the default on a fresh machine): SQLite (`wickview.sqlite3`) in the
//!   user's data directory, a `WITHOUT ROWID` table per category keyed by
//!   `(ticker, date)` plus `ticker_metadata`. Every call runs on tokio's blocking pool.
//! - **MongoDB**: database `finance_db` with the collections `korean_stocks`,
//!   `us_stocks`, `indices`, `currencies` and `ticker_metadata`, a unique
//!   `(ticker, date)` index on each category collection, created at open.
//!
//! Both keep watchlists (named, ordered sets of tickers) too: a `watchlists` collection /
//! table (`watchlists.rs`).
//!
//! Every bar write is an upsert keyed by `(ticker, date)`, so rerunning a write (after
//! a crash, a lost connection or a second update run) never duplicates a day.
//!
//! Every bar records its provenance ([`Provenance`], [`BarProvenance`]): the download
//! source that last wrote it (`source`, absent for imports and older rows) and, for KRX
//! bars from Naver, the day's foreign ownership ratio (`foreign_ratio`).

mod config;
mod drawings;
mod embedded;
mod embedded_migrate;
mod embedded_repair;
mod error;
mod mongo;
mod mongo_bars;
mod mongo_repair;
mod repair;
mod replace;
mod search;
mod watchlists;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};

use crate::model::{Category, DailySeries, ModelError, Ticker, TickerMeta};

pub use config::{
    DEFAULT_DB_NAME, EMBEDDED_FILE_NAME, StoreArgs, StoreConfig, default_config_path,
    default_data_dir, redact_uri,
};
pub use drawings::{DRAWINGS, TickerDrawings, UnreadableDrawing};
pub use error::StoreError;
pub use repair::{BadDates, CategoryRepair, RepairReport};
pub use replace::ReplaceSummary;
pub use watchlists::{
    EDIT_ATTEMPTS, MAX_WATCHLIST_NAME, TickerDeletion, Watchlist, WatchlistEdit, WatchlistEdited,
    WatchlistError, split_ticker_list, watchlist_name,
};

/// What an [`Store::upsert_bars`] call did, as far as the backend can tell.
///
/// Both backends report exactly: the embedded store compares row counts and the rows
/// an upsert actually changed; MongoDB reports `upserted` (inserted) and `nModified`
/// (changed) per batch, and matched-but-unmodified days are `unchanged`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UpsertSummary {
    /// Days that were not stored before.
    pub inserted: u64,
    /// Days that were stored with different values and were replaced.
    pub updated: u64,
    /// Days that were stored with the same values.
    pub unchanged: u64,
}

impl UpsertSummary {
    /// Days whose stored values changed (inserted or updated).
    pub fn written(&self) -> u64 {
        self.inserted + self.updated
    }

    /// All days sent.
    pub fn total(&self) -> u64 {
        self.inserted + self.updated + self.unchanged
    }
}

impl std::ops::AddAssign for UpsertSummary {
    fn add_assign(&mut self, rhs: Self) {
        self.inserted += rhs.inserted;
        self.updated += rhs.updated;
        self.unchanged += rhs.unchanged;
    }
}

/// Who wrote a batch of bars.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Provenance<'a> {
    /// The source's short name (`yahoo`, `naver`, `ecb`, `fred`), or None where it is not
    /// recorded (imports, the bundled sample, rows of older versions).
    pub source: Option<&'a str>,
    /// Foreign ownership ratio in percent by day, stored beside those days' bars (days not
    /// among the bars are ignored).
    pub foreign_ratio: &'a [(NaiveDate, f64)],
}

impl Provenance<'_> {
    /// What each bar of `bars` records beside its values, in order: the source on every
    /// bar (blank counts as not recorded), the ratio given for its day (the last one given
    /// for a day; a ratio that is not a finite number is not recorded).
    pub(crate) fn stamps(&self, bars: &DailySeries) -> Vec<Stamp> {
        let source: Option<Arc<str>> = self
            .source
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(Arc::from);
        let ratios: HashMap<NaiveDate, f64> = self
            .foreign_ratio
            .iter()
            .filter(|(_, r)| r.is_finite())
            .copied()
            .collect();
        bars.days()
            .iter()
            .map(|day| Stamp {
                source: source.clone(),
                foreign_ratio: ratios.get(day).copied(),
            })
            .collect()
    }
}

/// What one written bar records beside its values (per bar of a write, in order).
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Stamp {
    /// The writer's source; `None` clears a stored one.
    pub source: Option<Arc<str>>,
    /// The day's foreign ownership ratio; `None` keeps a stored one.
    pub foreign_ratio: Option<f64>,
}

/// One stored day's provenance.
#[derive(Clone, Debug, PartialEq)]
pub struct BarProvenance {
    /// The trading day.
    pub date: NaiveDate,
    /// The source that last wrote the day's bar, if recorded.
    pub source: Option<String>,
    /// The day's foreign ownership ratio in percent, if a source gave one.
    pub foreign_ratio: Option<f64>,
}

/// Changes to one ticker's metadata; `None` leaves a field as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TickerEdit {
    /// New display name (trimmed).
    pub name: Option<String>,
    /// New category: the symbol must be valid there; its bars move with it.
    pub category: Option<Category>,
    /// Whether updates collect the ticker.
    pub active: Option<bool>,
    /// New resolved source symbol (`Some(None)` clears it). A category change without
    /// this field clears the old category's symbol so the updater resolves it again.
    pub source_symbol: Option<Option<String>>,
    /// New English name (trimmed; empty clears it).
    pub name_en: Option<String>,
    /// A name the download source gave (Yahoo's long name): it becomes the display name
    /// when the ticker has none ([`TickerMeta::has_name`]), or the English name when the
    /// display name is in another script and there is no English name yet
    /// ([`TickerMeta::wants_source_name`]). A name already set is never replaced, and the
    /// check is made on the stored metadata, inside the write.
    pub source_name: Option<String>,
}

/// A filtered, paginated request for ticker metadata.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TickerQuery {
    /// Only this category; `None` for all.
    pub category: Option<Category>,
    /// Ticker prefix or name substring, case-insensitive; `None` or blank for all.
    pub filter: Option<String>,
    /// Only tickers that updates collect.
    pub active_only: bool,
    /// Items to skip (after sorting by ticker).
    pub offset: u64,
    /// Page size; 0 means no limit.
    pub limit: u64,
}

/// One page of tickers, sorted by ticker, and how many match in total.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TickerPage {
    /// The tickers of this page.
    pub items: Vec<TickerMeta>,
    /// How many tickers match the query across all pages.
    pub total: u64,
}

enum Backend {
    Embedded(embedded::EmbeddedStore),
    Mongo(mongo::MongoStore),
}

/// The store every part of wickview reads and writes. Cheap to clone (shared handle).
#[derive(Clone)]
pub struct Store {
    backend: Arc<Backend>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

macro_rules! dispatch {
    ($self:ident . $method:ident ( $($arg:expr),* )) => {
        match &*$self.backend {
            Backend::Embedded(b) => b.$method($($arg),*).await,
            Backend::Mongo(b) => b.$method($($arg),*).await,
        }
    };
}
// Also used by the `impl Store` blocks in the submodules.
use dispatch;

impl Store {
    /// Opens (and creates, if needed) the configured store: the schema and indexes are
    /// created here. MongoDB must answer a ping within a few seconds, otherwise
    /// [`StoreError::Unreachable`] names the host. A MongoDB user who may only read opens
    /// a store that reads (a warning says so; writes fail with [`StoreError::NotPermitted`]).
    pub async fn open(config: &StoreConfig) -> Result<Self, StoreError> {
        let backend = match config {
            StoreConfig::Embedded { data_dir } => {
                Backend::Embedded(embedded::EmbeddedStore::open(data_dir).await?)
            }
            StoreConfig::Mongo { uri, db_name } => {
                Backend::Mongo(mongo::MongoStore::open(uri, db_name).await?)
            }
        };
        let store = Self {
            backend: Arc::new(backend),
        };
        tracing::info!("store opened: {}", store.describe());
        if let Some(problem) = store.repair_needed() {
            tracing::warn!("{problem}");
        }
        Ok(store)
    }

    /// Opens the configured store for reading only: nothing is created or written (no
    /// directory, file, schema or index), so it works on a read-only data directory and
    /// never touches a damaged file. Writes through this handle fail with
    /// [`StoreError::ReadOnly`] (embedded) or [`StoreError::NotPermitted`] when the MongoDB
    /// user may not write.
    pub async fn open_read_only(config: &StoreConfig) -> Result<Self, StoreError> {
        let backend = match config {
            StoreConfig::Embedded { data_dir } => {
                Backend::Embedded(embedded::EmbeddedStore::open_read_only(data_dir).await?)
            }
            StoreConfig::Mongo { uri, db_name } => {
                Backend::Mongo(mongo::MongoStore::open_read_only(uri, db_name).await?)
            }
        };
        let store = Self {
            backend: Arc::new(backend),
        };
        tracing::debug!("store opened for reading: {}", store.describe());
        if let Some(problem) = store.repair_needed() {
            tracing::warn!("{problem}");
        }
        Ok(store)
    }

    /// `embedded: <file>` or `MongoDB: host1:27017,host2 / finance_db`; never the password.
    pub fn describe(&self) -> String {
        match &*self.backend {
            Backend::Embedded(b) => b.describe(),
            Backend::Mongo(b) => b.describe(),
        }
    }

    /// Whether this is the embedded store.
    pub fn is_embedded(&self) -> bool {
        matches!(&*self.backend, Backend::Embedded(_))
    }

    /// Checks the store answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        dispatch!(self.ping())
    }

    /// The ticker's bars, all or within `range` (inclusive days), as a columnar series.
    /// Stored rows that are not possible bars are left out with a warning in the log.
    pub async fn load_series(
        &self,
        ticker: &Ticker,
        range: Option<(NaiveDate, NaiveDate)>,
    ) -> Result<DailySeries, StoreError> {
        dispatch!(self.load_series(ticker, range))
    }

    /// The last stored day of every ticker of `category`, in one query.
    pub async fn last_days(
        &self,
        category: Category,
    ) -> Result<HashMap<String, NaiveDate>, StoreError> {
        dispatch!(self.last_days(category))
    }

    /// Stores `bars` under the ticker's category: one bar per day, a re-sent day
    /// replaces the stored values. Idempotent, so a failed call can simply be rerun.
    ///
    /// Embedded: one transaction for the whole call (all or nothing). MongoDB: batches
    /// of [`MONGO_BATCH`] upserts; after a failure, the batches already confirmed stay.
    ///
    /// Records no source: the same as [`Store::upsert_bars_from`] with
    /// [`Provenance::default`], so each day written reads as of an unknown source afterwards
    /// (its foreign ratio stays).
    pub async fn upsert_bars(
        &self,
        ticker: &Ticker,
        bars: &DailySeries,
    ) -> Result<UpsertSummary, StoreError> {
        self.upsert_bars_from(ticker, bars, Provenance::default())
            .await
    }

    /// [`Store::upsert_bars`], recording who wrote the bars: every day written takes
    /// `from.source` (`None` included: an unknown writer rewrote it), and a day's foreign
    /// ratio is replaced only where `from` gives one for it. The summary compares the bar
    /// values only: a day re-sent with the same values is `unchanged`, even when its source
    /// changed.
    pub async fn upsert_bars_from(
        &self,
        ticker: &Ticker,
        bars: &DailySeries,
        from: Provenance<'_>,
    ) -> Result<UpsertSummary, StoreError> {
        if bars.is_empty() {
            return Ok(UpsertSummary::default());
        }
        let stamps = from.stamps(bars);
        debug_assert_eq!(stamps.len(), bars.len());
        dispatch!(self.upsert_bars(ticker, bars, &stamps))
    }

    /// Provenance of the stored days of `ticker`, all or within `range` (inclusive),
    /// ascending. A day whose source was not recorded (imports, rows of older versions)
    /// has `source: None`.
    pub async fn load_provenance(
        &self,
        ticker: &Ticker,
        range: Option<(NaiveDate, NaiveDate)>,
    ) -> Result<Vec<BarProvenance>, StoreError> {
        dispatch!(self.load_provenance(ticker, range))
    }

    /// Adds a ticker; [`StoreError::DuplicateTicker`] if its symbol is already stored
    /// (in any category). Timestamps are stored with millisecond precision.
    pub async fn add_ticker(&self, meta: &TickerMeta) -> Result<(), StoreError> {
        let meta = normalized_meta(meta);
        check_name(&meta.name)?;
        check_name(&meta.name_en)?;
        dispatch!(self.add_ticker(&meta))
    }

    /// The metadata of `ticker` (canonical symbol such as `005930`, `AAPL`, `^GSPC`;
    /// case and a `.KS`/`.KQ` suffix are forgiven), if stored.
    pub async fn ticker(&self, ticker: &str) -> Result<Option<TickerMeta>, StoreError> {
        let key = canonical_key(ticker);
        dispatch!(self.ticker(&key))
    }

    /// Applies `edit` to a stored ticker and returns the new metadata (with `updated_at`
    /// bumped). A category change validates the symbol for the new category and moves
    /// the ticker's bars to that category's collection.
    pub async fn update_ticker(
        &self,
        ticker: &str,
        edit: &TickerEdit,
    ) -> Result<TickerMeta, StoreError> {
        let key = canonical_key(ticker);
        for name in [&edit.name, &edit.name_en].into_iter().flatten() {
            check_name(name)?;
        }
        dispatch!(self.update_ticker(&key, edit))
    }

    /// Deletes a ticker's metadata, all its bars and its drawings, and takes it out of every
    /// watchlist; returns how many bars were deleted and which watchlists held it.
    pub async fn delete_ticker(&self, ticker: &str) -> Result<TickerDeletion, StoreError> {
        let key = canonical_key(ticker);
        // The drawings go first and the metadata last, so a failed delete can be rerun.
        dispatch!(self.delete_all_drawings(&key))?;
        dispatch!(self.delete_ticker(&key))
    }

    /// A page of tickers matching `query`, sorted by ticker, with the total count.
    pub async fn list_tickers(&self, query: &TickerQuery) -> Result<TickerPage, StoreError> {
        dispatch!(self.list_tickers(query))
    }

    /// Autocomplete: tickers whose symbol starts with `text`, decorations ignored (`GSPC`
    /// finds `^GSPC`, `krw` finds `KRW=X`), then tickers whose name or English name contains
    /// it (`삼성` and `samsung` find 삼성전자); case-insensitive, any script; ranked as
    /// `search.rs` says (the symbol itself first). At most `limit` results; blank text finds
    /// nothing.
    pub async fn search(&self, text: &str, limit: usize) -> Result<Vec<TickerMeta>, StoreError> {
        let Some(text) = search::SearchText::new(text) else {
            return Ok(Vec::new());
        };
        if limit == 0 {
            return Ok(Vec::new());
        }
        dispatch!(self.search(&text, limit))
    }

    /// How many bars are stored under this ticker symbol (0 if none or unknown).
    pub async fn bar_count(&self, ticker: &str) -> Result<u64, StoreError> {
        let key = canonical_key(ticker);
        dispatch!(self.bar_count(&key))
    }
}

impl Store {
    /// Deletes every bar and every ticker of this store (MongoDB: drops the whole
    /// database). Meant for tests and benchmarks that use their own database.
    pub async fn drop_all_data(&self) -> Result<(), StoreError> {
        dispatch!(self.drop_all_data())
    }
}

/// Upserts per MongoDB `update` command.
pub const MONGO_BATCH: usize = 1000;

/// The stored form of a ticker string typed by a user: trimmed, ASCII upper-case, and
/// a 6-digit Korean code without its `.KS`/`.KQ` suffix.
pub fn canonical_key(input: &str) -> String {
    let upper = input.trim().to_ascii_uppercase();
    if let (code, Some(_)) = crate::model::split_kr_suffix(&upper)
        && crate::model::is_krx_code(code)
    {
        return code.to_owned();
    }
    upper
}

/// Truncates a timestamp to what both backends store (milliseconds).
pub(crate) fn to_millis(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap_or(t)
}

/// A display name must be one plain line: no newline, tab or terminal escape sequence.
fn check_name(name: &str) -> Result<(), StoreError> {
    if name.chars().any(char::is_control) {
        return Err(StoreError::InvalidName(name.to_owned()));
    }
    Ok(())
}

/// A name from the download source as one plain line: control characters dropped, runs
/// of spaces made one, at most 200 characters.
fn source_name(name: &str) -> String {
    name.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(200)
        .collect()
}

fn normalized_meta(meta: &TickerMeta) -> TickerMeta {
    let mut out = meta.clone();
    out.name = out.name.trim().to_owned();
    out.name_en = out.name_en.trim().to_owned();
    out.created_at = to_millis(out.created_at);
    out.updated_at = to_millis(out.updated_at);
    out
}

/// Applies an edit to stored metadata: validates a category change, clears a stale
/// source symbol and bumps `updated_at`. Shared by both backends.
pub(crate) fn apply_edit(
    current: &TickerMeta,
    edit: &TickerEdit,
) -> Result<TickerMeta, StoreError> {
    let mut next = current.clone();
    if let Some(name) = &edit.name {
        next.name = name.trim().to_owned();
    }
    if let Some(name_en) = &edit.name_en {
        next.name_en = name_en.trim().to_owned();
    }
    if let Some(found) = edit.source_name.as_deref().map(source_name)
        && !found.is_empty()
        && next.wants_source_name()
    {
        if next.has_name() {
            next.name_en = found;
        } else {
            next.name = found;
        }
    }
    if let Some(category) = edit.category
        && category != current.category()
    {
        let moved = Ticker::parse(category, current.ticker.as_str())?;
        if moved.as_str() != current.ticker.as_str() {
            return Err(StoreError::InvalidTicker(ModelError::InvalidTicker {
                category,
                input: current.ticker.as_str().to_owned(),
                reason: "its symbol would change in that category; delete it and add it again",
            }));
        }
        next.ticker = moved;
        next.source_symbol = None;
    }
    if let Some(active) = edit.active {
        next.active = active;
    }
    if let Some(source_symbol) = &edit.source_symbol {
        next.source_symbol = source_symbol
            .as_ref()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty());
    }
    next.updated_at = to_millis(Utc::now()).max(current.updated_at);
    Ok(next)
}

/// Days since 1970-01-01 (the embedded store's date column; BSON dates are this × 86 400 000 ms).
pub(crate) fn epoch_days(date: NaiveDate) -> i64 {
    i64::from(date.to_epoch_days())
}

/// The day `days` after 1970-01-01, if representable.
pub(crate) fn from_epoch_days(days: i64) -> Option<NaiveDate> {
    i32::try_from(days)
        .ok()
        .and_then(NaiveDate::from_epoch_days)
}

/// A stored `ticker_metadata` row, as both backends read it (timestamps in Unix milliseconds).
struct StoredMeta {
    ticker: String,
    name: String,
    name_en: String,
    category: String,
    source_symbol: Option<String>,
    active: bool,
    created_at_ms: i64,
    updated_at_ms: i64,
}

impl StoredMeta {
    /// Validates the row into [`TickerMeta`]; a row no valid ticker could have written is
    /// reported as corrupt at `location`, never silently fixed.
    fn into_meta(self, location: &str) -> Result<TickerMeta, StoreError> {
        let corrupt = |detail: String| StoreError::Corrupt {
            location: location.to_owned(),
            detail,
        };
        let category = Category::parse(&self.category)
            .map_err(|e| corrupt(format!("{}: {e}", self.ticker)))?;
        let ticker = Ticker::new(category, &self.ticker).map_err(|e| corrupt(e.to_string()))?;
        let time = |ms: i64| {
            DateTime::<Utc>::from_timestamp_millis(ms)
                .ok_or_else(|| corrupt(format!("{}: timestamp {ms} out of range", self.ticker)))
        };
        Ok(TickerMeta {
            created_at: time(self.created_at_ms)?,
            updated_at: time(self.updated_at_ms)?,
            ticker,
            name: self.name,
            name_en: self.name_en,
            source_symbol: self.source_symbol,
            active: self.active,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_keys() {
        assert_eq!(canonical_key(" aapl "), "AAPL");
        assert_eq!(canonical_key("005930.ks"), "005930");
        assert_eq!(canonical_key("035720.KQ"), "035720");
        assert_eq!(canonical_key("^gspc"), "^GSPC");
        assert_eq!(canonical_key("ABC.KS"), "ABC.KS");
    }

    #[test]
    fn epoch_days_round_trip() {
        let d = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        assert_eq!(epoch_days(NaiveDate::from_ymd_opt(1970, 1, 2).unwrap()), 1);
        assert_eq!(from_epoch_days(epoch_days(d)), Some(d));
        let old = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap();
        assert_eq!(from_epoch_days(epoch_days(old)), Some(old));
        assert_eq!(from_epoch_days(i64::MAX), None);
    }

    #[test]
    fn edits_validate_category_changes() {
        let meta = TickerMeta::new(Ticker::parse(Category::Index, "^KS11").unwrap(), "KOSPI");
        let err = apply_edit(
            &meta,
            &TickerEdit {
                category: Some(Category::UsStock),
                ..TickerEdit::default()
            },
        )
        .unwrap_err();
        assert!(matches!(err, StoreError::InvalidTicker(_)));
        assert!(err.to_string().contains("^KS11"), "{err}");

        let mut us = TickerMeta::new(Ticker::parse(Category::UsStock, "SPY").unwrap(), "SPDR");
        us.source_symbol = Some("SPY".into());
        let moved = apply_edit(
            &us,
            &TickerEdit {
                name: Some("  S&P 500 ETF ".into()),
                category: Some(Category::UsStock),
                active: Some(false),
                ..TickerEdit::default()
            },
        )
        .unwrap();
        assert_eq!(moved.name, "S&P 500 ETF");
        assert!(!moved.active);
        assert_eq!(
            moved.source_symbol.as_deref(),
            Some("SPY"),
            "same category keeps it"
        );
        assert!(moved.updated_at >= us.updated_at);
    }

    #[test]
    fn source_names_fill_only_missing_names() {
        let fill = |meta: &TickerMeta, found: &str| {
            apply_edit(
                meta,
                &TickerEdit {
                    source_name: Some(found.to_owned()),
                    ..TickerEdit::default()
                },
            )
            .unwrap()
        };
        let aapl = Ticker::parse(Category::UsStock, "AAPL").unwrap();
        // No name, or the symbol as its name (imports, `repair`): the source's name.
        for unnamed in ["", "AAPL", " aapl "] {
            let got = fill(&TickerMeta::new(aapl.clone(), unnamed), "Apple Inc.");
            assert_eq!(got.name, "Apple Inc.");
            assert_eq!(got.name_en, "", "no second copy in name_en");
        }
        // A name the user set stays; a Korean name gains the English one, an English name
        // no second English one.
        let mut named = TickerMeta::new(aapl.clone(), "애플");
        assert_eq!(fill(&named, "Apple Inc.").name, "애플");
        assert_eq!(fill(&named, "Apple Inc.").name_en, "Apple Inc.");
        named.name_en = "Apple".into();
        assert_eq!(fill(&named, "Apple Inc.").name_en, "Apple");
        let english = fill(&TickerMeta::new(aapl, "Apple"), "Apple Inc.");
        assert_eq!(
            (english.name.as_str(), english.name_en.as_str()),
            ("Apple", "")
        );
        // One plain line, never blank.
        let samsung = TickerMeta::new(Ticker::parse(Category::KoreanStock, "005930").unwrap(), "");
        let got = fill(&samsung, " Samsung\tElectronics\n Co., Ltd. ");
        assert_eq!(got.name, "Samsung Electronics Co., Ltd.");
        assert_eq!(fill(&samsung, " \u{7} ").name, "");
    }
}

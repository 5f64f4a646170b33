//! The embedded backend: SQLite through rusqlite (bundled), one file in the data directory.
//!
//! Schema (version 4, `PRAGMA user_version`; older files are upgraded in place at the
//! first read-write open: nullable open/high/low, the `provisional` flag, `watchlists`,
//! `drawings` (2), the English name `name_en` (3), the bars' provenance (4)):
//! - one `WITHOUT ROWID` table per category (`korean_stocks`, `us_stocks`, `indices`,
//!   `currencies`) with `PRIMARY KEY (ticker, date)`, so a ticker's bars are stored
//!   contiguously in day order and a 25-year load is one range scan; beside the values,
//!   each row has `source` (the download source that last wrote it, NULL where not
//!   recorded) and `foreign_ratio` (KRX, from Naver) (`embedded_migrate::bar_table_ddl`);
//! - `ticker_metadata` keyed by `ticker`, with an index on `(category, ticker)`; its
//!   `name_folded` holds the name and the English name lower-cased, one per line, for
//!   searches in any script (SQLite's `lower` folds ASCII only);
//! - `watchlists` keyed by `name`, tickers in order as a JSON array (`embedded/watchlists.rs`;
//!   created with `IF NOT EXISTS`, so older files gain it on open); every edit, and a
//!   ticker's deletion taking it out of them, reads and writes it in one transaction.
//!
//! Dates are integer days since 1970-01-01: a few bytes per row instead of 10 for ISO
//! text, integer comparisons for range queries, and no parsing when loading (a load
//! is dominated by row decoding). Timestamps are integer milliseconds since the Unix
//! epoch (the same precision as BSON dates). Read `date(date * 86400, 'unixepoch')`
//! in the sqlite3 shell to see them as text.
//!
//! Concurrency: WAL journal; one writer connection behind a mutex and a small pool of
//! reader connections, so loads never wait for an update's transaction. Every call
//! runs on tokio's blocking pool. Write transactions start `IMMEDIATE` (they take the
//! write lock before reading, so a read-then-write never fails on a snapshot another
//! process changed) and wait up to [`BUSY_TIMEOUT`] for another process's write to end.
//!
//! Read-only use ([`EmbeddedStore::open_read_only`]): no directory or file is created,
//! no schema written, and a database in a read-only directory is opened `immutable`. A
//! file of schema 3 (one upgrade behind, which only adds the provenance columns) reads as
//! it is, every day's provenance not recorded; older ones need a read-write open first.

mod drawings;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use rusqlite::types::Value;
use rusqlite::{
    Connection, ErrorCode, OpenFlags, OptionalExtension, Row, Transaction, TransactionBehavior,
    params,
};

mod watchlists;

use super::embedded_migrate::{BAR_COLUMNS, bar_table_ddl};
use super::search::{SQL_BARE_TICKER, SearchText, best};
use super::{
    BarProvenance, EMBEDDED_FILE_NAME, Stamp, StoreError, StoredMeta, TickerDeletion, TickerEdit,
    TickerPage, TickerQuery, UpsertSummary, apply_edit, epoch_days, from_epoch_days,
};
use crate::model::{Bar, Category, DailySeries, SeriesBuilder, Ticker, TickerMeta, bare_symbol};

/// 2: nullable open/high/low (close-only bars), the `provisional` flag, `watchlists`,
/// `drawings`; 3: `ticker_metadata.name_en`; 4: `source` and `foreign_ratio` on every bar
/// table. An older file is upgraded at the first read-write open.
const SCHEMA_VERSION: i64 = 4;
/// The oldest schema a read-only open reads as it is: 4 only adds nullable bar columns,
/// read as "not recorded" where they are missing.
const MIN_READABLE_SCHEMA: i64 = 3;
/// How long a write waits for another process's write transaction to end.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(30);
const MAX_IDLE_READERS: usize = 4;
/// Reads running at once. Each runs on its own blocking thread with its own connection:
/// 500 series requested together would otherwise start 500 threads and open 500
/// connections (each with its own page cache) on a machine with a few cores, so the rest
/// wait their turn and reuse the pooled connections.
const MAX_CONCURRENT_READS: usize = MAX_IDLE_READERS;
const META_COLUMNS: &str =
    "ticker, name, category, source_symbol, active, created_at, updated_at, name_en";

fn read_slots() -> Arc<tokio::sync::Semaphore> {
    Arc::new(tokio::sync::Semaphore::new(MAX_CONCURRENT_READS))
}

struct Shared {
    path: PathBuf,
    /// `None` when opened read-only: every write is refused.
    writer: Option<Mutex<Connection>>,
    readers: Mutex<Vec<Connection>>,
    /// Bounds the reads running at once ([`MAX_CONCURRENT_READS`]).
    read_slots: Arc<tokio::sync::Semaphore>,
    /// How readers are opened.
    mode: OpenMode,
    busy_timeout: Duration,
}

/// How connections to the file are opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OpenMode {
    ReadWrite,
    ReadOnly,
    /// Read-only in a directory where SQLite cannot create its `-shm` file: the file is
    /// taken as unchanging (nobody can write it there either).
    Immutable,
}

/// Handle to the embedded database; clones share the connections.
pub(crate) struct EmbeddedStore {
    shared: Arc<Shared>,
}

impl EmbeddedStore {
    /// Creates the data directory, opens the file, applies the schema.
    pub async fn open(data_dir: &Path) -> Result<Self, StoreError> {
        Self::open_with(data_dir, BUSY_TIMEOUT).await
    }

    /// [`EmbeddedStore::open`] with another busy timeout.
    pub(crate) async fn open_with(
        data_dir: &Path,
        busy_timeout: Duration,
    ) -> Result<Self, StoreError> {
        let data_dir = data_dir.to_path_buf();
        tokio::task::spawn_blocking(move || Self::open_blocking(&data_dir, busy_timeout))
            .await
            .map_err(|e| join_error(&e))?
    }

    /// Opens an existing database for reading only: creates nothing, writes nothing (not
    /// even the schema), and works in a read-only directory. Writes fail with
    /// [`StoreError::ReadOnly`].
    pub async fn open_read_only(data_dir: &Path) -> Result<Self, StoreError> {
        let data_dir = data_dir.to_path_buf();
        tokio::task::spawn_blocking(move || Self::open_read_only_blocking(&data_dir))
            .await
            .map_err(|e| join_error(&e))?
    }

    fn open_read_only_blocking(data_dir: &Path) -> Result<Self, StoreError> {
        let path = data_dir.join(EMBEDDED_FILE_NAME);
        if !path.is_file() {
            return Err(StoreError::Io {
                path,
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no embedded database here yet (import or update first)",
                ),
            });
        }
        let mut mode = OpenMode::ReadOnly;
        let conn = match open_connection(&path, mode, BUSY_TIMEOUT).and_then(|c| {
            check_schema_readable(&c, &path)?;
            Ok(c)
        }) {
            Ok(conn) => conn,
            Err(StoreError::Backend { .. }) if !dir_is_writable(data_dir) => {
                // SQLite cannot create the WAL index next to the file: read it as it is.
                mode = OpenMode::Immutable;
                let conn = open_connection(&path, mode, BUSY_TIMEOUT)?;
                check_schema_readable(&conn, &path)?;
                conn
            }
            Err(e) => return Err(e),
        };
        Ok(Self {
            shared: Arc::new(Shared {
                path,
                writer: None,
                readers: Mutex::new(vec![conn]),
                read_slots: read_slots(),
                mode,
                busy_timeout: BUSY_TIMEOUT,
            }),
        })
    }

    fn open_blocking(data_dir: &Path, busy_timeout: Duration) -> Result<Self, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::Io {
            path: data_dir.to_path_buf(),
            source,
        })?;
        let path = data_dir.join(EMBEDDED_FILE_NAME);
        // Another process may be creating, converting or upgrading the same file at this
        // moment (two imports started together on a new data directory). SQLite reports
        // some of those lock conflicts at once, without waiting: each step is retried
        // until it goes through or the busy timeout has passed.
        let retry = Retry::new(&path, busy_timeout);
        let mut writer = retry.run("opening it", || {
            Ok(connect(&path, OpenMode::ReadWrite, busy_timeout)?)
        })?;
        retry.run("switching it to WAL journaling", || switch_to_wal(&writer))?;
        let version = retry.run("reading its schema version", || {
            check_version(schema_version(&writer)?, &path).map_err(WriteError::Store)
        })?;
        if version == SCHEMA_VERSION {
            return Ok(Self::with_writer(path, writer, busy_timeout));
        }
        let step = if version == 0 {
            "creating its tables"
        } else {
            "upgrading its schema"
        };
        retry.run(step, || create_or_upgrade(&mut writer, &path))?;
        Ok(Self::with_writer(path, writer, busy_timeout))
    }

    fn with_writer(path: PathBuf, writer: Connection, busy_timeout: Duration) -> Self {
        Self {
            shared: Arc::new(Shared {
                path,
                writer: Some(Mutex::new(writer)),
                readers: Mutex::new(Vec::new()),
                read_slots: read_slots(),
                mode: OpenMode::ReadWrite,
                busy_timeout,
            }),
        }
    }

    /// Whether this handle refuses writes.
    pub fn is_read_only(&self) -> bool {
        self.shared.writer.is_none()
    }

    pub fn describe(&self) -> String {
        let read_only = if self.is_read_only() {
            " (read-only)"
        } else {
            ""
        };
        format!("embedded: {}{read_only}", self.shared.path.display())
    }

    /// Runs `f` on a reader connection on the blocking pool.
    async fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let shared = Arc::clone(&self.shared);
        let slot = Arc::clone(&shared.read_slots)
            .acquire_owned()
            .await
            .map_err(|e| StoreError::Backend {
                backend: "SQLite",
                detail: format!("the store is closing: {e}"),
            })?;
        tokio::task::spawn_blocking(move || {
            let _slot = slot;
            let pooled = shared
                .readers
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .pop();
            let conn = match pooled {
                Some(conn) => conn,
                None => open_connection(&shared.path, shared.mode, shared.busy_timeout)?,
            };
            let started = Instant::now();
            let result = f(&conn).map_err(|e| timed_error(&e, &shared, started));
            let mut idle = shared
                .readers
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if idle.len() < MAX_IDLE_READERS {
                idle.push(conn);
            }
            result
        })
        .await
        .map_err(|e| join_error(&e))?
    }

    /// Runs `f` on the writer connection on the blocking pool.
    pub(super) async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, WriteError> + Send + 'static,
    {
        let shared = Arc::clone(&self.shared);
        tokio::task::spawn_blocking(move || {
            let Some(writer) = &shared.writer else {
                return Err(StoreError::ReadOnly {
                    location: shared.path.display().to_string(),
                });
            };
            let mut conn = writer.lock().unwrap_or_else(PoisonError::into_inner);
            let started = Instant::now();
            f(&mut conn).map_err(|e| match e {
                WriteError::Sqlite(e) => timed_error(&e, &shared, started),
                WriteError::Store(e) => e,
            })
        })
        .await
        .map_err(|e| join_error(&e))?
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        self.read(|conn| conn.query_row("SELECT 1", [], |_| Ok(())))
            .await
    }

    pub async fn load_series(
        &self,
        ticker: &Ticker,
        range: Option<(NaiveDate, NaiveDate)>,
    ) -> Result<DailySeries, StoreError> {
        let table = ticker.category().collection();
        let symbol = ticker.as_str().to_owned();
        let (from, to) = range.map_or((i64::MIN, i64::MAX), |(a, b)| {
            (epoch_days(a), epoch_days(b))
        });
        let (series, issues) = self
            .read(move |conn| {
                let mut stmt = conn.prepare_cached(&format!(
                    "SELECT date, open, high, low, close, volume, dividends, stock_splits, provisional
                     FROM {table} WHERE ticker = ?1 AND date >= ?2 AND date <= ?3 ORDER BY date"
                ))?;
                let mut rows = stmt.query(params![symbol, from, to])?;
                let mut builder = SeriesBuilder::with_capacity(8192);
                let mut last_provisional = false;
                while let Some(row) = rows.next()? {
                    last_provisional = row.get::<_, i64>(8)? != 0;
                    let days: i64 = row.get(0)?;
                    let Some(date) = from_epoch_days(days) else {
                        return Err(rusqlite::Error::IntegralValueOutOfRange(0, days));
                    };
                    // NULL open/high/low: a close-only bar.
                    let price = |i| row.get::<_, Option<f64>>(i).map(|p| p.unwrap_or(f64::NAN));
                    builder.push(Bar {
                        date,
                        open: price(1)?,
                        high: price(2)?,
                        low: price(3)?,
                        close: row.get(4)?,
                        volume: row.get(5)?,
                        dividends: row.get(6)?,
                        stock_splits: row.get(7)?,
                    });
                }
                let (mut series, issues) = builder.build();
                series.set_last_provisional(last_provisional);
                Ok((series, issues))
            })
            .await?;
        if !issues.is_empty() {
            tracing::warn!(
                "{}: {} stored bars of {ticker} are impossible and were left out (first: {})",
                self.describe(),
                issues.len(),
                issues[0]
            );
        }
        Ok(series)
    }

    pub async fn last_days(
        &self,
        category: Category,
    ) -> Result<HashMap<String, NaiveDate>, StoreError> {
        let table = category.collection();
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT ticker, MAX(date) FROM {table} GROUP BY ticker"
            ))?;
            let rows = stmt.query_map([], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
            })?;
            let mut out = HashMap::new();
            for row in rows {
                let (ticker, days) = row?;
                if let Some(date) = from_epoch_days(days) {
                    out.insert(ticker, date);
                }
            }
            Ok(out)
        })
        .await
    }

    /// Upserts `bars`, each with its stamp (`stamps[i]` for the `i`-th bar).
    pub async fn upsert_bars(
        &self,
        ticker: &Ticker,
        bars: &DailySeries,
        stamps: &[Stamp],
    ) -> Result<UpsertSummary, StoreError> {
        let table = ticker.category().collection();
        let symbol = ticker.as_str().to_owned();
        let bars = bars.clone();
        debug_assert_eq!(stamps.len(), bars.len(), "one stamp per bar");
        let stamps = stamps.to_vec();
        self.write(move |conn| {
            let tx = immediate(conn)?;
            let count_sql = format!("SELECT COUNT(*) FROM {table} WHERE ticker = ?1");
            let before: i64 = tx.query_row(&count_sql, [&symbol], |r| r.get(0))?;
            let mut changed = 0u64;
            {
                // The WHERE clause skips identical rows, so `execute` returns 0 for them.
                // The provenance is left to the second statement, which counts nothing:
                // a day re-sent with the same values by another source is unchanged.
                let mut stmt = tx.prepare_cached(&format!(
                    "{}
                     ON CONFLICT (ticker, date) DO UPDATE SET
                         open = excluded.open, high = excluded.high, low = excluded.low,
                         close = excluded.close, volume = excluded.volume,
                         dividends = excluded.dividends, stock_splits = excluded.stock_splits,
                         provisional = excluded.provisional
                     WHERE open IS NOT excluded.open OR high IS NOT excluded.high
                        OR low IS NOT excluded.low OR close IS NOT excluded.close
                        OR volume IS NOT excluded.volume OR dividends IS NOT excluded.dividends
                        OR stock_splits IS NOT excluded.stock_splits
                        OR provisional IS NOT excluded.provisional",
                    insert_bar_sql(table)
                ))?;
                let mut stamp_stmt = tx.prepare_cached(&format!(
                    "UPDATE {table} SET source = ?3, foreign_ratio = COALESCE(?4, foreign_ratio)
                     WHERE ticker = ?1 AND date = ?2
                       AND (source IS NOT ?3 OR (?4 IS NOT NULL AND foreign_ratio IS NOT ?4))"
                ))?;
                let provisional = bars.provisional_day();
                for (bar, stamp) in bars.bars().zip(&stamps) {
                    let source = stamp.source.as_deref();
                    let row = BarRow {
                        provisional: provisional == Some(bar.date),
                        source,
                        foreign_ratio: stamp.foreign_ratio,
                    };
                    changed += row.insert(&mut stmt, &symbol, &bar)? as u64;
                    stamp_stmt.execute(params![
                        symbol,
                        epoch_days(bar.date),
                        source,
                        stamp.foreign_ratio
                    ])?;
                }
            }
            let after: i64 = tx.query_row(&count_sql, [&symbol], |r| r.get(0))?;
            tx.commit()?;
            let inserted = u64::try_from(after - before).unwrap_or(0);
            let updated = changed.saturating_sub(inserted);
            Ok(UpsertSummary {
                inserted,
                updated,
                unchanged: (bars.len() as u64).saturating_sub(inserted + updated),
            })
        })
        .await
    }

    /// The provenance of the ticker's stored days, ascending. A file of schema 3 opened
    /// read-only has no provenance columns: every day reads as not recorded.
    pub async fn load_provenance(
        &self,
        ticker: &Ticker,
        range: Option<(NaiveDate, NaiveDate)>,
    ) -> Result<Vec<BarProvenance>, StoreError> {
        let table = ticker.category().collection();
        let symbol = ticker.as_str().to_owned();
        let (from, to) = range.map_or((i64::MIN, i64::MAX), |(a, b)| {
            (epoch_days(a), epoch_days(b))
        });
        self.read(move |conn| {
            let recorded: bool = conn.query_row(
                &format!(
                    "SELECT COUNT(*) = 2 FROM pragma_table_info('{table}')
                     WHERE name IN ('source', 'foreign_ratio')"
                ),
                [],
                |r| r.get(0),
            )?;
            let columns = if recorded {
                "source, foreign_ratio"
            } else {
                "NULL, NULL"
            };
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT date, {columns} FROM {table}
                 WHERE ticker = ?1 AND date >= ?2 AND date <= ?3 ORDER BY date"
            ))?;
            let mut rows = stmt.query(params![symbol, from, to])?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                let days: i64 = row.get(0)?;
                let Some(date) = from_epoch_days(days) else {
                    return Err(rusqlite::Error::IntegralValueOutOfRange(0, days));
                };
                out.push(BarProvenance {
                    date,
                    source: row.get(1)?,
                    foreign_ratio: row.get(2)?,
                });
            }
            Ok(out)
        })
        .await
    }

    pub async fn add_ticker(&self, meta: &TickerMeta) -> Result<(), StoreError> {
        let meta = meta.clone();
        self.write(move |conn| {
            let result = conn.execute(
                "INSERT INTO ticker_metadata
                     (ticker, name, name_folded, category, source_symbol, active, created_at,
                      updated_at, name_en)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    meta.ticker.as_str(),
                    meta.name,
                    super::search::folded_names(&meta),
                    meta.category().storage_name(),
                    meta.source_symbol,
                    meta.active,
                    meta.created_at.timestamp_millis(),
                    meta.updated_at.timestamp_millis(),
                    meta.name_en,
                ],
            );
            match result {
                Ok(_) => Ok(()),
                Err(e) if e.sqlite_error_code() == Some(ErrorCode::ConstraintViolation) => Err(
                    WriteError::Store(StoreError::DuplicateTicker(meta.ticker.as_str().to_owned())),
                ),
                Err(e) => Err(e.into()),
            }
        })
        .await
    }

    pub async fn ticker(&self, key: &str) -> Result<Option<TickerMeta>, StoreError> {
        let key = key.to_owned();
        let row = self
            .read(move |conn| {
                conn.prepare_cached(&format!(
                    "SELECT {META_COLUMNS} FROM ticker_metadata WHERE ticker = ?1"
                ))?
                .query_row([&key], meta_row)
                .optional()
            })
            .await?;
        row.map(into_meta).transpose()
    }

    pub async fn update_ticker(
        &self,
        key: &str,
        edit: &TickerEdit,
    ) -> Result<TickerMeta, StoreError> {
        let key = key.to_owned();
        let edit = edit.clone();
        self.write(move |conn| {
            let tx = immediate(conn)?;
            let current = tx
                .query_row(
                    &format!("SELECT {META_COLUMNS} FROM ticker_metadata WHERE ticker = ?1"),
                    [&key],
                    meta_row,
                )
                .optional()?
                .ok_or_else(|| WriteError::Store(StoreError::UnknownTicker(key.clone())))
                .and_then(|row| into_meta(row).map_err(WriteError::Store))?;
            let next = apply_edit(&current, &edit).map_err(WriteError::Store)?;
            if next.category() != current.category() {
                move_bars(&tx, &key, current.category(), next.category())?;
            }
            tx.execute(
                "UPDATE ticker_metadata SET name = ?2, name_folded = ?3, category = ?4,
                     source_symbol = ?5, active = ?6, updated_at = ?7, name_en = ?8
                 WHERE ticker = ?1",
                params![
                    key,
                    next.name,
                    super::search::folded_names(&next),
                    next.category().storage_name(),
                    next.source_symbol,
                    next.active,
                    next.updated_at.timestamp_millis(),
                    next.name_en,
                ],
            )?;
            tx.commit()?;
            Ok(next)
        })
        .await
    }

    /// Deletes the ticker's metadata and bars and takes it out of every watchlist, in one
    /// transaction.
    pub async fn delete_ticker(&self, key: &str) -> Result<TickerDeletion, StoreError> {
        let key = key.to_owned();
        self.write(move |conn| {
            let tx = immediate(conn)?;
            let deleted_meta =
                tx.execute("DELETE FROM ticker_metadata WHERE ticker = ?1", [&key])?;
            if deleted_meta == 0 {
                return Err(WriteError::Store(StoreError::UnknownTicker(key)));
            }
            let mut bars = 0u64;
            for category in Category::ALL {
                bars += tx.execute(
                    &format!("DELETE FROM {} WHERE ticker = ?1", category.collection()),
                    [&key],
                )? as u64;
            }
            let watchlists = watchlists::drop_ticker(&tx, &key)?;
            tx.commit()?;
            Ok(TickerDeletion { bars, watchlists })
        })
        .await
    }

    pub async fn list_tickers(&self, query: &TickerQuery) -> Result<TickerPage, StoreError> {
        let query = query.clone();
        let (rows, total) = self
            .read(move |conn| {
                let mut conditions = Vec::new();
                let mut values: Vec<Value> = Vec::new();
                if let Some(category) = query.category {
                    values.push(Value::Text(category.storage_name().to_owned()));
                    conditions.push(format!("category = ?{}", values.len()));
                }
                if query.active_only {
                    conditions.push("active = 1".to_owned());
                }
                if let Some(filter) = query
                    .filter
                    .as_deref()
                    .map(str::trim)
                    .filter(|f| !f.is_empty())
                {
                    // What the search matches (`search.rs`): the symbol without its
                    // decorations, the name and the English name.
                    values.push(Value::Text(filter.to_ascii_uppercase()));
                    let prefix = values.len();
                    values.push(Value::Text(bare_symbol(filter)));
                    let bare = values.len();
                    values.push(Value::Text(filter.to_lowercase()));
                    conditions.push(format!(
                        "(instr(ticker, ?{prefix}) = 1 OR (?{bare} != '' AND instr({SQL_BARE_TICKER}, ?{bare}) = 1)
                          OR instr(name_folded, ?{}) > 0)",
                        values.len()
                    ));
                }
                let where_clause = if conditions.is_empty() {
                    String::new()
                } else {
                    format!("WHERE {}", conditions.join(" AND "))
                };
                let total: i64 = conn.query_row(
                    &format!("SELECT COUNT(*) FROM ticker_metadata {where_clause}"),
                    rusqlite::params_from_iter(values.iter()),
                    |r| r.get(0),
                )?;
                let limit = if query.limit == 0 {
                    -1
                } else {
                    i64::try_from(query.limit).unwrap_or(i64::MAX)
                };
                values.push(Value::Integer(limit));
                values.push(Value::Integer(
                    i64::try_from(query.offset).unwrap_or(i64::MAX),
                ));
                let n = values.len();
                let mut stmt = conn.prepare(&format!(
                    "SELECT {META_COLUMNS} FROM ticker_metadata {where_clause}
                     ORDER BY ticker LIMIT ?{} OFFSET ?{n}",
                    n - 1
                ))?;
                let rows = stmt
                    .query_map(rusqlite::params_from_iter(values.iter()), meta_row)?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok((rows, u64::try_from(total).unwrap_or(0)))
            })
            .await?;
        let items = rows
            .into_iter()
            .map(into_meta)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(TickerPage { items, total })
    }

    /// Every row that can match (SQL finds a superset of what [`SearchText::rank`]
    /// accepts), ranked in Rust the same way as on MongoDB.
    pub async fn search(
        &self,
        text: &SearchText,
        limit: usize,
    ) -> Result<Vec<TickerMeta>, StoreError> {
        let (upper, bare, folded) = (text.upper.clone(), text.bare.clone(), text.folded.clone());
        let rows = self
            .read(move |conn| {
                conn.prepare_cached(&format!(
                    "SELECT {META_COLUMNS} FROM ticker_metadata
                     WHERE instr(ticker, ?1) = 1
                        OR (?2 != '' AND instr({SQL_BARE_TICKER}, ?2) = 1)
                        OR instr(name_folded, ?3) > 0"
                ))?
                .query_map(params![upper, bare, folded], meta_row)?
                .collect::<rusqlite::Result<Vec<_>>>()
            })
            .await?;
        let metas = rows
            .into_iter()
            .map(into_meta)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(best(metas, text, limit))
    }

    pub async fn drop_all_data(&self) -> Result<(), StoreError> {
        self.write(|conn| {
            let tx = immediate(conn)?;
            tx.execute("DELETE FROM ticker_metadata", [])?;
            for category in Category::ALL {
                tx.execute(&format!("DELETE FROM {}", category.collection()), [])?;
            }
            tx.commit()?;
            Ok(())
        })
        .await
    }

    pub async fn bar_count(&self, key: &str) -> Result<u64, StoreError> {
        let key = key.to_owned();
        self.read(move |conn| {
            let union = Category::ALL
                .iter()
                .map(|c| {
                    format!(
                        "SELECT COUNT(*) AS n FROM {} WHERE ticker = ?1",
                        c.collection()
                    )
                })
                .collect::<Vec<_>>()
                .join(" UNION ALL ");
            conn.prepare_cached(&format!("SELECT SUM(n) FROM ({union})"))?
                .query_row([&key], |r| r.get::<_, i64>(0))
        })
        .await
        .map(|n| u64::try_from(n).unwrap_or(0))
    }
}

/// `INSERT INTO table` of one bar row, every column of [`BAR_COLUMNS`] bound in order
/// (`?1` the ticker … `?12` the foreign ratio): bind it with [`BarRow::insert`].
pub(super) fn insert_bar_sql(table: &str) -> String {
    format!(
        "INSERT INTO {table} ({BAR_COLUMNS})
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
    )
}

/// What a stored bar row holds beside the bar's own values.
pub(super) struct BarRow<'a> {
    /// Fetched while its exchange was open.
    pub(super) provisional: bool,
    /// The download source that wrote it.
    pub(super) source: Option<&'a str>,
    /// The day's foreign ownership ratio in percent.
    pub(super) foreign_ratio: Option<f64>,
}

impl BarRow<'_> {
    /// Runs `stmt` (an [`insert_bar_sql`], possibly with more clauses) with `bar` of
    /// `ticker` bound; a close-only bar's open/high/low (NaN) are stored as NULL. Returns
    /// the rows changed.
    pub(super) fn insert(
        &self,
        stmt: &mut rusqlite::Statement<'_>,
        ticker: &str,
        bar: &Bar,
    ) -> rusqlite::Result<usize> {
        let price = |p: f64| p.is_finite().then_some(p);
        stmt.execute(params![
            ticker,
            epoch_days(bar.date),
            price(bar.open),
            price(bar.high),
            price(bar.low),
            bar.close,
            bar.volume,
            bar.dividends,
            bar.stock_splits,
            self.provisional,
            self.source,
            self.foreign_ratio
        ])
    }
}

/// Moves a ticker's bars from one category's table to another's (inside the caller's
/// transaction); returns how many moved. A row of the same day already in the target
/// table (which should not exist) is replaced.
fn move_bars(
    tx: &Transaction<'_>,
    key: &str,
    from: Category,
    to: Category,
) -> rusqlite::Result<usize> {
    let (from, to) = (from.collection(), to.collection());
    let moved = tx.execute(
        &format!(
            "INSERT OR REPLACE INTO {to} ({BAR_COLUMNS})
             SELECT {BAR_COLUMNS} FROM {from} WHERE ticker = ?1"
        ),
        [key],
    )?;
    tx.execute(&format!("DELETE FROM {from} WHERE ticker = ?1"), [key])?;
    Ok(moved)
}

/// A failure inside a write closure: SQLite's own, or a store-level verdict.
pub(super) enum WriteError {
    Sqlite(rusqlite::Error),
    Store(StoreError),
}

impl From<rusqlite::Error> for WriteError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Sqlite(e)
    }
}

/// A `ticker_metadata` row (selected as [`META_COLUMNS`]) before validation.
fn meta_row(row: &Row<'_>) -> rusqlite::Result<StoredMeta> {
    Ok(StoredMeta {
        ticker: row.get(0)?,
        name: row.get(1)?,
        category: row.get(2)?,
        source_symbol: row.get(3)?,
        active: row.get(4)?,
        created_at_ms: row.get(5)?,
        updated_at_ms: row.get(6)?,
        name_en: row.get(7)?,
    })
}

/// A row of [`meta_row`] validated, a corrupt one reported in `ticker_metadata`.
fn into_meta(row: StoredMeta) -> Result<TickerMeta, StoreError> {
    row.into_meta("ticker_metadata")
}

/// Switches the file to the WAL journal (a no-op when it is in WAL already). On a new file
/// this writes its header, and SQLite reports a conflict with another process doing the
/// same at once (the caller retries).
fn switch_to_wal(conn: &Connection) -> Result<(), WriteError> {
    let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
    if mode.eq_ignore_ascii_case("wal") {
        return Ok(());
    }
    let now: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
    if !now.eq_ignore_ascii_case("wal") {
        // A file system without shared memory: still usable, writers just wait longer.
        tracing::warn!("embedded store: journal mode is {now}, not WAL");
    }
    Ok(())
}

/// Creates the tables of a new file, or upgrades an older one, in one write transaction.
/// The schema version is read again inside it: another process may have created or
/// upgraded the file since this one looked, and then nothing is left to do.
fn create_or_upgrade(conn: &mut Connection, path: &Path) -> Result<(), WriteError> {
    let tx = immediate(conn)?;
    if check_version(schema_version(&tx)?, path).map_err(WriteError::Store)? == SCHEMA_VERSION {
        return Ok(());
    }
    let mut ddl = String::from(
        "CREATE TABLE IF NOT EXISTS ticker_metadata (
            ticker TEXT NOT NULL PRIMARY KEY,
            name TEXT NOT NULL,
            name_folded TEXT NOT NULL,
            category TEXT NOT NULL,
            source_symbol TEXT,
            active INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            name_en TEXT NOT NULL DEFAULT ''
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS ticker_metadata_category ON ticker_metadata (category, ticker);",
    );
    for category in Category::ALL {
        ddl.push_str(&bar_table_ddl(category.collection()));
    }
    ddl.push_str(watchlists::DDL);
    ddl.push_str(drawings::DDL);
    ddl.push_str(&format!("PRAGMA user_version = {SCHEMA_VERSION};"));
    tx.execute_batch(&ddl)?;
    super::embedded_migrate::allow_close_only_bars(&tx)?;
    super::embedded_migrate::add_provisional_flag(&tx)?;
    super::embedded_migrate::add_english_names(&tx)?;
    super::embedded_migrate::add_provenance(&tx)?;
    tx.commit()?;
    Ok(())
}

/// Retries the steps of an open that fail on a lock, with a growing pause (2 ms to 100 ms)
/// until the busy timeout has passed since the open began.
struct Retry<'p> {
    path: &'p Path,
    busy_timeout: Duration,
    started: Instant,
}

impl<'p> Retry<'p> {
    fn new(path: &'p Path, busy_timeout: Duration) -> Self {
        Self {
            path,
            busy_timeout,
            started: Instant::now(),
        }
    }

    /// Runs `f` until it does not fail on a lock; `step` says what it does (`creating its
    /// tables`) in the error when the busy timeout passes first.
    fn run<T>(
        &self,
        step: &str,
        mut f: impl FnMut() -> Result<T, WriteError>,
    ) -> Result<T, StoreError> {
        let mut pause = Duration::from_millis(2);
        let mut tries = 0u32;
        loop {
            tries += 1;
            let e = match f() {
                Ok(value) => return Ok(value),
                Err(WriteError::Store(e)) => return Err(e),
                Err(WriteError::Sqlite(e)) if is_locked(&e) => e,
                Err(WriteError::Sqlite(e)) => return Err(sqlite_error(&e, self.path)),
            };
            let waited = self.started.elapsed();
            if waited >= self.busy_timeout {
                tracing::debug!("embedded store: {step}: {e} ({tries} tries)");
                return Err(StoreError::Contended {
                    location: self.path.display().to_string(),
                    detail: format!(
                        "another process was creating or upgrading the database at the same \
                         moment, and it was still locked after this one waited {} ({step})",
                        shown_duration(waited)
                    ),
                });
            }
            std::thread::sleep(pause.min(self.busy_timeout - waited));
            pause = (pause * 2).min(Duration::from_millis(100));
        }
    }
}

/// Whether SQLite refused for a lock another connection holds.
fn is_locked(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    )
}

/// `30 s`, `150 ms`.
fn shown_duration(d: Duration) -> String {
    if d >= Duration::from_secs(1) {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}

/// Starts a write transaction that takes the write lock at once (waiting for another
/// process's write up to the busy timeout), so its reads and writes see one snapshot.
fn immediate(conn: &mut Connection) -> rusqlite::Result<Transaction<'_>> {
    conn.transaction_with_behavior(TransactionBehavior::Immediate)
}

/// The schema version of an opened database; a newer one than this build knows is an error.
fn check_schema(conn: &Connection, path: &Path) -> Result<i64, StoreError> {
    let version = schema_version(conn).map_err(|e| sqlite_error(&e, path))?;
    check_version(version, path)
}

/// `PRAGMA user_version`: the schema version of the file (0 for a new one).
fn schema_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
}

/// `version`, unless it is newer than this build knows.
fn check_version(version: i64, path: &Path) -> Result<i64, StoreError> {
    if version > SCHEMA_VERSION {
        return Err(StoreError::Config(format!(
            "{}: written by a newer wickview (schema {version}, this one knows {SCHEMA_VERSION})",
            path.display()
        )));
    }
    Ok(version)
}

/// Like [`check_schema`], for a read-only open, which cannot upgrade an older file: one
/// of [`MIN_READABLE_SCHEMA`] or later reads as it is.
fn check_schema_readable(conn: &Connection, path: &Path) -> Result<i64, StoreError> {
    let version = check_schema(conn, path)?;
    if version < MIN_READABLE_SCHEMA {
        return Err(StoreError::Config(format!(
            "{}: written by an earlier wickview (schema {version}); open it once with the window or \
             a command that writes (`update`, `import`) to upgrade it",
            path.display()
        )));
    }
    Ok(version)
}

/// Whether a file can be created in `dir` (SQLite needs that for its WAL index).
fn dir_is_writable(dir: &Path) -> bool {
    let probe = dir.join(format!(".wickview-probe-{}", std::process::id()));
    match std::fs::File::create(&probe) {
        Ok(_) => {
            let _gone = std::fs::remove_file(&probe);
            true
        }
        Err(_) => false,
    }
}

/// `file:` URI of `path` with `immutable=1`, every byte outside the unreserved set escaped.
fn immutable_uri(path: &Path) -> String {
    let mut uri = String::from("file:");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'.' | b'_' | b'~') {
            uri.push(char::from(b));
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push_str("?immutable=1");
    uri
}

fn open_connection(
    path: &Path,
    mode: OpenMode,
    busy_timeout: Duration,
) -> Result<Connection, StoreError> {
    connect(path, mode, busy_timeout).map_err(|e| sqlite_error(&e, path))
}

/// [`open_connection`] with SQLite's error.
fn connect(path: &Path, mode: OpenMode, busy_timeout: Duration) -> rusqlite::Result<Connection> {
    let conn = match mode {
        OpenMode::ReadWrite => Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        ),
        OpenMode::ReadOnly => Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        ),
        OpenMode::Immutable => Connection::open_with_flags(
            immutable_uri(path),
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        ),
    }?;
    conn.busy_timeout(busy_timeout)?;
    if mode == OpenMode::ReadWrite {
        // (Reads the schema: waits for a lock like any read.)
        conn.pragma_update(None, "synchronous", "NORMAL")?;
    }
    conn.set_prepared_statement_cache_capacity(32);
    Ok(conn)
}

/// [`sqlite_error`] for a call that began at `started`: a lock reported before the busy
/// timeout passed is not "busy for 30 s" but a conflict SQLite did not wait for.
fn timed_error(err: &rusqlite::Error, shared: &Shared, started: Instant) -> StoreError {
    // (SQLite's busy handler sleeps the whole timeout before it gives up.)
    if is_locked(err) && started.elapsed() < shared.busy_timeout.mul_f64(0.9) {
        return StoreError::Contended {
            location: shared.path.display().to_string(),
            detail: format!(
                "another process locked the database at the same moment and SQLite reported \
                 the conflict after {} instead of waiting ({err})",
                shown_duration(started.elapsed())
            ),
        };
    }
    sqlite_error(err, &shared.path)
}

fn sqlite_error(err: &rusqlite::Error, path: &Path) -> StoreError {
    let location = path.display().to_string();
    match err.sqlite_error_code() {
        Some(ErrorCode::DiskFull) => StoreError::StorageFull { location },
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy { location },
        Some(ErrorCode::ReadOnly) => StoreError::ReadOnly { location },
        Some(ErrorCode::NotADatabase) => StoreError::Corrupt {
            location,
            detail: "the file is not an SQLite database (or is damaged); nothing was written to it"
                .to_owned(),
        },
        _ => StoreError::Backend {
            backend: "SQLite",
            detail: format!("{location}: {err}"),
        },
    }
}

fn join_error(err: &tokio::task::JoinError) -> StoreError {
    StoreError::Backend {
        backend: "SQLite",
        detail: format!("database task failed: {err}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No provenance on any bar of `bars`.
    fn unstamped(bars: &DailySeries) -> Vec<Stamp> {
        crate::store::Provenance::default().stamps(bars)
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// A file written by the first release (schema 1: NOT NULL prices, no `provisional`
    /// flag, no watchlists or drawings) is upgraded at the first read-write open and its
    /// bars load; before that, a read-only open says how to upgrade it.
    #[tokio::test]
    async fn schema_1_files_are_upgraded_at_open() {
        let dir = tempfile::tempdir().unwrap();
        {
            let c = Connection::open(dir.path().join(EMBEDDED_FILE_NAME)).unwrap();
            c.execute_batch(&format!(
                "{}
                 INSERT INTO us_stocks VALUES ('AAPL', 19724, 1.0, 2.0, 0.5, 1.5, 10, 0, 0);
                 PRAGMA user_version = 1;",
                super::super::embedded_migrate::schema_1_bar_table_ddl("us_stocks")
            ))
            .unwrap();
        }
        let t = Ticker::parse(Category::UsStock, "AAPL").unwrap();
        let Err(err) = EmbeddedStore::open_read_only(dir.path()).await else {
            panic!("a schema 1 file opened read-only without an upgrade");
        };
        let err = err.to_string();
        assert!(err.contains("earlier wickview"), "{err}");
        let store = EmbeddedStore::open(dir.path()).await.unwrap();
        let loaded = store.load_series(&t, None).await.unwrap();
        assert_eq!(loaded.close(), &[1.5]);
        assert_eq!(loaded.days(), &[d(2024, 1, 2)]);
        drop(store);
        let reader = EmbeddedStore::open_read_only(dir.path()).await.unwrap();
        assert_eq!(reader.load_series(&t, None).await.unwrap().close(), &[1.5]);
    }

    /// A schema 2 file (metadata without English names) gains `name_en` at the first
    /// read-write open; its tickers read with none, and one set afterwards is searched.
    #[tokio::test]
    async fn schema_2_files_gain_english_names() {
        let dir = tempfile::tempdir().unwrap();
        {
            let c = Connection::open(dir.path().join(EMBEDDED_FILE_NAME)).unwrap();
            c.execute_batch(
                "CREATE TABLE ticker_metadata (
                    ticker TEXT NOT NULL PRIMARY KEY, name TEXT NOT NULL,
                    name_folded TEXT NOT NULL, category TEXT NOT NULL, source_symbol TEXT,
                    active INTEGER NOT NULL, created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL) WITHOUT ROWID;
                 INSERT INTO ticker_metadata
                    VALUES ('005930', '삼성전자', '삼성전자', 'korean_stock', '005930.KS', 1, 0, 0);
                 PRAGMA user_version = 2;",
            )
            .unwrap();
        }
        let store = EmbeddedStore::open(dir.path()).await.unwrap();
        let meta = store.ticker("005930").await.unwrap().unwrap();
        assert_eq!(
            (meta.name.as_str(), meta.name_en.as_str()),
            ("삼성전자", "")
        );
        let search = |t: &str| SearchText::new(t).unwrap();
        assert_eq!(store.search(&search("삼성"), 5).await.unwrap().len(), 1);
        assert!(
            store
                .search(&search("samsung"), 5)
                .await
                .unwrap()
                .is_empty()
        );
        let edit = TickerEdit {
            name_en: Some("Samsung Electronics".into()),
            ..TickerEdit::default()
        };
        store.update_ticker("005930", &edit).await.unwrap();
        let found = store.search(&search("SAMSUNG"), 5).await.unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].name_en, "Samsung Electronics");
        assert_eq!(store.search(&search("삼성"), 5).await.unwrap().len(), 1);
    }

    /// A schema 3 file (bar tables without provenance) reads as it is through a read-only
    /// handle, every day's provenance not recorded; the first read-write open adds the
    /// columns, keeps the bars (still not recorded), and records what is written after.
    #[tokio::test]
    async fn schema_3_files_gain_provenance() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(EMBEDDED_FILE_NAME);
        {
            let c = Connection::open(&file).unwrap();
            let mut ddl = String::from(
                "CREATE TABLE ticker_metadata (
                    ticker TEXT NOT NULL PRIMARY KEY, name TEXT NOT NULL,
                    name_folded TEXT NOT NULL, category TEXT NOT NULL, source_symbol TEXT,
                    active INTEGER NOT NULL, created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL, name_en TEXT NOT NULL DEFAULT '')
                    WITHOUT ROWID;
                 INSERT INTO ticker_metadata
                    VALUES ('005930', '삼성전자', '삼성전자', 'korean_stock', '005930.KS', 1, 0, 0,
                            '');",
            );
            // Schema 3's bar DDL, with the flag schema 2 added.
            for category in Category::ALL {
                ddl.push_str(&super::super::embedded_migrate::schema_3_bar_table_ddl(
                    category.collection(),
                ));
            }
            ddl.push_str(
                "INSERT INTO korean_stocks VALUES ('005930', 19724, 78200, 79800, 78200, 79600,
                    17142847, 0, 0, 0);
                 INSERT INTO korean_stocks VALUES ('005930', 19725, 78500, 78800, 77000, 77000,
                    21753644, 0, 0, 1);
                 PRAGMA user_version = 3;",
            );
            c.execute_batch(&ddl).unwrap();
        }
        let t = Ticker::parse(Category::KoreanStock, "005930").unwrap();
        let (jan2, jan3) = (d(2024, 1, 2), d(2024, 1, 3));
        let not_recorded = |date| BarProvenance {
            date,
            source: None,
            foreign_ratio: None,
        };

        let reader = EmbeddedStore::open_read_only(dir.path()).await.unwrap();
        let stored = reader.load_series(&t, None).await.unwrap();
        assert_eq!(stored.close(), &[79600.0, 77000.0]);
        assert_eq!(stored.provisional_day(), Some(jan3));
        assert_eq!(
            reader.load_provenance(&t, None).await.unwrap(),
            [not_recorded(jan2), not_recorded(jan3)]
        );
        drop(reader);
        let version = |c: &Connection| schema_version(c).unwrap();
        assert_eq!(
            version(&Connection::open(&file).unwrap()),
            3,
            "reading wrote nothing"
        );

        let store = EmbeddedStore::open(dir.path()).await.unwrap();
        assert_eq!(version(&Connection::open(&file).unwrap()), SCHEMA_VERSION);
        assert_eq!(store.load_series(&t, None).await.unwrap(), stored);
        assert_eq!(
            store.load_provenance(&t, Some((jan3, jan3))).await.unwrap(),
            [not_recorded(jan3)]
        );
        let (fresh, _) =
            DailySeries::from_bars([Bar::ohlc(jan3, 78500.0, 78800.0, 77000.0, 77000.0)]);
        let naver = crate::store::Provenance {
            source: Some("naver"),
            foreign_ratio: &[(jan3, 52.31)],
        };
        let summary = store
            .upsert_bars(&t, &fresh, &naver.stamps(&fresh))
            .await
            .unwrap();
        assert_eq!(summary.written(), 1, "the provisional flag went");
        drop(store);
        let reader = EmbeddedStore::open_read_only(dir.path()).await.unwrap();
        assert_eq!(
            reader.load_provenance(&t, None).await.unwrap(),
            [
                not_recorded(jan2),
                BarProvenance {
                    date: jan3,
                    source: Some("naver".into()),
                    foreign_ratio: Some(52.31)
                }
            ]
        );
    }

    /// Many reads asked at once (a 500-series comparison) run a few at a time on the
    /// pooled connections, and every one of them completes with its own data.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn many_reads_at_once_take_turns_and_all_complete() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(EmbeddedStore::open(dir.path()).await.unwrap());
        let tickers: Vec<Ticker> = (0..40)
            .map(|i| Ticker::parse(Category::UsStock, &format!("T{i}")).unwrap())
            .collect();
        for (i, t) in tickers.iter().enumerate() {
            let c = 1.0 + i as f64;
            let (bars, _) = DailySeries::from_bars([Bar::ohlc(d(2024, 1, 2), c, c, c, c)]);
            store
                .upsert_bars(t, &bars, &unstamped(&bars))
                .await
                .unwrap();
        }
        let in_flight = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let most = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let reads = tickers.iter().cloned().map(|t| {
            let (store, in_flight, most) = (Arc::clone(&store), in_flight.clone(), most.clone());
            tokio::spawn(async move {
                store
                    .read(move |conn| {
                        use std::sync::atomic::Ordering::SeqCst;
                        let now = in_flight.fetch_add(1, SeqCst) + 1;
                        most.fetch_max(now, SeqCst);
                        std::thread::sleep(Duration::from_millis(5));
                        in_flight.fetch_sub(1, SeqCst);
                        conn.query_row(
                            "SELECT close FROM us_stocks WHERE ticker = ?1",
                            [t.as_str()],
                            |r| r.get::<_, f64>(0),
                        )
                    })
                    .await
                    .unwrap()
            })
        });
        let closes: Vec<f64> = futures::future::join_all(reads)
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();
        let want: Vec<f64> = (0..40).map(|i| 1.0 + f64::from(i)).collect();
        assert_eq!(closes, want);
        let most = most.load(std::sync::atomic::Ordering::SeqCst);
        assert!(
            (1..=MAX_CONCURRENT_READS).contains(&most),
            "{most} reads ran at once"
        );
    }

    #[tokio::test]
    async fn schema_is_created_once_and_reopens() {
        let dir = tempfile::tempdir().unwrap();
        let store = EmbeddedStore::open(dir.path()).await.unwrap();
        let t = Ticker::parse(Category::UsStock, "AAPL").unwrap();
        let (bars, _) = DailySeries::from_bars([Bar::ohlc(d(2024, 1, 2), 1.0, 2.0, 0.5, 1.5)]);
        store
            .upsert_bars(&t, &bars, &unstamped(&bars))
            .await
            .unwrap();
        drop(store);
        let again = EmbeddedStore::open(dir.path()).await.unwrap();
        assert_eq!(again.load_series(&t, None).await.unwrap(), bars);
        let mode: String = again
            .read(|c| c.pragma_query_value(None, "journal_mode", |r| r.get(0)))
            .await
            .unwrap();
        assert_eq!(mode, "wal");
    }

    #[tokio::test]
    async fn moving_bars_between_category_tables() {
        let dir = tempfile::tempdir().unwrap();
        let store = EmbeddedStore::open(dir.path()).await.unwrap();
        let us = Ticker::parse(Category::UsStock, "MOVE").unwrap();
        let (bars, _) = DailySeries::from_bars([
            Bar::ohlc(d(2024, 1, 2), 1.0, 2.0, 0.5, 1.5),
            Bar::ohlc(d(2024, 1, 3), 1.5, 2.5, 1.0, 2.0),
        ]);
        let naver = crate::store::Provenance {
            source: Some("naver"),
            foreign_ratio: &[(d(2024, 1, 3), 51.5)],
        };
        store
            .upsert_bars(&us, &bars, &naver.stamps(&bars))
            .await
            .unwrap();
        let moved = store
            .write(|conn| {
                let tx = immediate(conn)?;
                let n = move_bars(&tx, "MOVE", Category::UsStock, Category::Index)?;
                tx.commit()?;
                Ok(n)
            })
            .await
            .unwrap();
        assert_eq!(moved, 2);
        assert!(store.load_series(&us, None).await.unwrap().is_empty());
        let last = store.last_days(Category::Index).await.unwrap();
        assert_eq!(last.get("MOVE"), Some(&d(2024, 1, 3)));
        assert_eq!(store.bar_count("MOVE").await.unwrap(), 2);
        // The provenance moved with the values.
        let stamps: Vec<(i64, Option<String>, Option<f64>)> = store
            .read(|c| {
                c.prepare("SELECT date, source, foreign_ratio FROM indices ORDER BY date")?
                    .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect()
            })
            .await
            .unwrap();
        let naver = Some("naver".to_owned());
        assert_eq!(
            stamps,
            [
                (epoch_days(d(2024, 1, 2)), naver.clone(), None),
                (epoch_days(d(2024, 1, 3)), naver, Some(51.5))
            ]
        );
    }

    /// Another process's write transaction: a write waits for it to end, and one that
    /// outlasts the busy timeout is reported as busy, with nothing written.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn writes_wait_for_another_writer_then_report_busy() {
        let dir = tempfile::tempdir().unwrap();
        let store = EmbeddedStore::open_with(dir.path(), Duration::from_millis(2000))
            .await
            .unwrap();
        let t = Ticker::parse(Category::UsStock, "WAIT").unwrap();
        let (bars, _) = DailySeries::from_bars([Bar::ohlc(d(2024, 1, 2), 1.0, 2.0, 0.5, 1.5)]);
        // Read first, as the store's own upsert does, so a deferred transaction would
        // hold a snapshot that the other writer makes stale.
        assert!(store.load_series(&t, None).await.unwrap().is_empty());
        let path = dir.path().join(EMBEDDED_FILE_NAME);
        let hold = |millis: u64| {
            let path = path.clone();
            let (locked_tx, locked_rx) = std::sync::mpsc::channel();
            let thread = std::thread::Builder::new()
                .name("other-writer".into())
                .spawn(move || {
                    let mut other = Connection::open(&path).unwrap();
                    let tx = immediate(&mut other).unwrap();
                    tx.execute(
                        "INSERT INTO us_stocks
                         (ticker, date, open, high, low, close, volume, dividends, stock_splits)
                         VALUES ('OTHER', 1, 1, 1, 1, 1, 0, 0, 0)
                     ON CONFLICT DO NOTHING",
                        [],
                    )
                    .unwrap();
                    locked_tx.send(()).unwrap();
                    std::thread::sleep(Duration::from_millis(millis));
                    tx.commit().unwrap();
                })
                .unwrap();
            locked_rx.recv().unwrap();
            thread
        };
        let other = hold(300);
        let summary = store
            .upsert_bars(&t, &bars, &unstamped(&bars))
            .await
            .unwrap();
        assert_eq!(summary.inserted, 1);
        other.join().unwrap();

        let short = EmbeddedStore::open_with(dir.path(), Duration::from_millis(150))
            .await
            .unwrap();
        let other = hold(1500);
        let (more, _) = DailySeries::from_bars([Bar::ohlc(d(2024, 1, 3), 1.0, 2.0, 0.5, 1.5)]);
        let err = short
            .upsert_bars(&t, &more, &unstamped(&more))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Busy { .. }), "{err:?}");
        assert!(err.to_string().contains("another process"), "{err}");
        other.join().unwrap();
        assert_eq!(store.load_series(&t, None).await.unwrap(), bars);
    }

    /// Another process holds the write lock of a new (rollback-journal) file while this one
    /// switches it to WAL: SQLite reports that conflict at once, without waiting (this one
    /// holds a read lock it would have to upgrade). The open retries until the other write
    /// ends, then creates the store.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_open_waits_out_a_lock_sqlite_reports_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(EMBEDDED_FILE_NAME);
        let (locked_tx, locked_rx) = std::sync::mpsc::channel();
        let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
        let other = std::thread::Builder::new()
            .name("other-writer".into())
            .spawn(move || {
                let mut conn = Connection::open(&path).unwrap();
                let tx = immediate(&mut conn).unwrap();
                tx.execute_batch("CREATE TABLE other (x);").unwrap();
                locked_tx.send(()).unwrap();
                // Held until the open has met the lock at least once.
                release_rx.recv().unwrap();
                tx.commit().unwrap();
            })
            .unwrap();
        locked_rx.recv().unwrap();
        let data_dir = dir.path().to_owned();
        let opening = tokio::spawn(async move { EmbeddedStore::open(&data_dir).await });
        // The open either fails at once (the conflict is not retried) or is retrying.
        tokio::time::sleep(Duration::from_millis(200)).await;
        release_tx.send(()).unwrap();
        other.join().unwrap();
        let store = opening.await.unwrap().unwrap();
        let mode: String = store
            .read(|c| c.pragma_query_value(None, "journal_mode", |r| r.get(0)))
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        let version: i64 = store
            .read(|c| c.pragma_query_value(None, "user_version", |r| r.get(0)))
            .await
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        assert_eq!(store.bar_count("AAPL").await.unwrap(), 0);
    }

    /// Another process holds a new file locked while this one opens it: the open retries
    /// for its busy timeout, then says what happened and how long it waited (not "busy
    /// for 30 s"); once the lock is gone the open creates the store.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_open_that_cannot_create_the_store_says_why() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(EMBEDDED_FILE_NAME);
        let other = Connection::open(&path).unwrap();
        // A rollback-journal file in the middle of being written: every lock is held.
        other
            .execute_batch("BEGIN EXCLUSIVE; CREATE TABLE other (x);")
            .unwrap();
        let err = EmbeddedStore::open_with(dir.path(), Duration::from_millis(150))
            .await
            .err()
            .unwrap();
        assert!(matches!(err, StoreError::Contended { .. }), "{err:?}");
        assert!(err.is_transient());
        let msg = err.to_string();
        assert!(
            msg.contains(
                "another process was creating or upgrading the database at the same moment"
            ),
            "{msg}"
        );
        assert!(msg.contains("(opening it)"), "{msg}");
        assert!(msg.contains(" ms "), "{msg}");
        assert!(!msg.contains("30 s"), "{msg}");
        other.execute_batch("ROLLBACK").unwrap();
        drop(other);
        let store = EmbeddedStore::open_with(dir.path(), Duration::from_millis(150))
            .await
            .unwrap();
        let mode: String = store
            .read(|c| c.pragma_query_value(None, "journal_mode", |r| r.get(0)))
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(store.bar_count("AAPL").await.unwrap(), 0);
    }

    #[tokio::test]
    async fn read_only_handle_reads_and_refuses_writes() {
        let dir = tempfile::tempdir().unwrap();
        let t = Ticker::parse(Category::UsStock, "RO").unwrap();
        let (bars, _) = DailySeries::from_bars([Bar::ohlc(d(2024, 1, 2), 1.0, 2.0, 0.5, 1.5)]);
        {
            let store = EmbeddedStore::open(dir.path()).await.unwrap();
            store
                .upsert_bars(&t, &bars, &unstamped(&bars))
                .await
                .unwrap();
        }
        let file = dir.path().join(EMBEDDED_FILE_NAME);
        let before = std::fs::read(&file).unwrap();
        for mode in [OpenMode::ReadOnly, OpenMode::Immutable] {
            let ro = EmbeddedStore {
                shared: Arc::new(Shared {
                    path: file.clone(),
                    writer: None,
                    readers: Mutex::new(Vec::new()),
                    read_slots: read_slots(),
                    mode,
                    busy_timeout: BUSY_TIMEOUT,
                }),
            };
            assert_eq!(ro.load_series(&t, None).await.unwrap(), bars, "{mode:?}");
            let err = ro
                .upsert_bars(&t, &bars, &unstamped(&bars))
                .await
                .unwrap_err();
            assert!(matches!(err, StoreError::ReadOnly { .. }), "{err:?}");
        }
        let opened = EmbeddedStore::open_read_only(dir.path()).await.unwrap();
        assert!(opened.describe().ends_with("(read-only)"));
        assert_eq!(opened.load_series(&t, None).await.unwrap(), bars);
        drop(opened);
        assert_eq!(std::fs::read(&file).unwrap(), before);
        let missing = tempfile::tempdir().unwrap();
        assert!(matches!(
            EmbeddedStore::open_read_only(&missing.path().join("none")).await,
            Err(StoreError::Io { .. })
        ));
        assert!(!missing.path().join("none").exists());
    }

    #[tokio::test]
    async fn unwritable_data_dir_is_an_io_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a-file");
        std::fs::write(&file, b"x").unwrap();
        let err = EmbeddedStore::open(&file.join("sub")).await.err().unwrap();
        assert!(matches!(err, StoreError::Io { .. }), "{err}");
    }
}

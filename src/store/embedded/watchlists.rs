//! Watchlists in the embedded store: one row per watchlist in the `watchlists` table, its
//! tickers kept in order as a JSON array of symbols.

use chrono::{DateTime, Utc};
use rusqlite::{ErrorCode, OptionalExtension as _, params};

use super::{EmbeddedStore, WriteError};
use crate::store::{StoreError, Watchlist, WatchlistError};

/// The table, created on open (also in databases written before watchlists existed).
pub(super) const DDL: &str = "CREATE TABLE IF NOT EXISTS watchlists (
    name TEXT NOT NULL PRIMARY KEY,
    tickers TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) WITHOUT ROWID;";

struct Row {
    name: String,
    tickers: String,
    created_at: i64,
    updated_at: i64,
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok(Row {
        name: r.get(0)?,
        tickers: r.get(1)?,
        created_at: r.get(2)?,
        updated_at: r.get(3)?,
    })
}

impl Row {
    fn into_watchlist(self) -> Result<Watchlist, StoreError> {
        let corrupt = |detail: String| StoreError::Corrupt {
            location: "watchlists".to_owned(),
            detail: format!("{}: {detail}", self.name),
        };
        let tickers: Vec<String> =
            serde_json::from_str(&self.tickers).map_err(|e| corrupt(e.to_string()))?;
        let time = |ms: i64| {
            DateTime::<Utc>::from_timestamp_millis(ms)
                .ok_or_else(|| corrupt(format!("timestamp {ms} out of range")))
        };
        Ok(Watchlist {
            created_at: time(self.created_at)?,
            updated_at: time(self.updated_at)?,
            tickers,
            name: self.name,
        })
    }
}

fn tickers_json(list: &Watchlist) -> Result<String, WriteError> {
    serde_json::to_string(&list.tickers).map_err(|e| {
        WriteError::Store(StoreError::Backend {
            backend: "SQLite",
            detail: format!("watchlist {}: {e}", list.name),
        })
    })
}

const COLUMNS: &str = "name, tickers, created_at, updated_at";

impl EmbeddedStore {
    pub(crate) async fn watchlists_all(&self) -> Result<Vec<Watchlist>, StoreError> {
        let rows = self
            .read(|conn| {
                let mut stmt = conn
                    .prepare_cached(&format!("SELECT {COLUMNS} FROM watchlists ORDER BY name"))?;
                stmt.query_map([], row)?
                    .collect::<rusqlite::Result<Vec<Row>>>()
            })
            .await?;
        rows.into_iter().map(Row::into_watchlist).collect()
    }

    pub(crate) async fn watchlist_get(&self, name: &str) -> Result<Option<Watchlist>, StoreError> {
        let name = name.to_owned();
        let found = self
            .read(move |conn| {
                conn.query_row(
                    &format!("SELECT {COLUMNS} FROM watchlists WHERE name = ?1"),
                    [&name],
                    row,
                )
                .optional()
            })
            .await?;
        found.map(Row::into_watchlist).transpose()
    }

    pub(crate) async fn watchlist_insert(&self, list: &Watchlist) -> Result<(), StoreError> {
        let list = list.clone();
        self.write(move |conn| {
            let result = conn.execute(
                "INSERT INTO watchlists (name, tickers, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![
                    list.name,
                    tickers_json(&list)?,
                    list.created_at.timestamp_millis(),
                    list.updated_at.timestamp_millis()
                ],
            );
            match result {
                Ok(_) => Ok(()),
                Err(e) if e.sqlite_error_code() == Some(ErrorCode::ConstraintViolation) => Err(
                    WriteError::Store(WatchlistError::Duplicate(list.name.clone()).into()),
                ),
                Err(e) => Err(e.into()),
            }
        })
        .await
    }

    pub(crate) async fn watchlist_set_tickers(&self, list: &Watchlist) -> Result<bool, StoreError> {
        let list = list.clone();
        self.write(move |conn| {
            let n = conn.execute(
                "UPDATE watchlists SET tickers = ?2, updated_at = ?3 WHERE name = ?1",
                params![
                    list.name,
                    tickers_json(&list)?,
                    list.updated_at.timestamp_millis()
                ],
            )?;
            Ok(n > 0)
        })
        .await
    }

    pub(crate) async fn watchlist_rename(
        &self,
        old: &str,
        list: &Watchlist,
    ) -> Result<bool, StoreError> {
        let old = old.to_owned();
        let list = list.clone();
        self.write(move |conn| {
            let result = conn.execute(
                "UPDATE watchlists SET name = ?2, updated_at = ?3 WHERE name = ?1",
                params![old, list.name, list.updated_at.timestamp_millis()],
            );
            match result {
                Ok(n) => Ok(n > 0),
                Err(e) if e.sqlite_error_code() == Some(ErrorCode::ConstraintViolation) => Err(
                    WriteError::Store(WatchlistError::Duplicate(list.name.clone()).into()),
                ),
                Err(e) => Err(e.into()),
            }
        })
        .await
    }

    pub(crate) async fn watchlist_delete(&self, name: &str) -> Result<bool, StoreError> {
        let name = name.to_owned();
        self.write(move |conn| {
            Ok(conn.execute("DELETE FROM watchlists WHERE name = ?1", [&name])? > 0)
        })
        .await
    }
}

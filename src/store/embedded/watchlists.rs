//! Watchlists in the embedded store: one row per watchlist in the `watchlists` table, its
//! tickers kept in order as a JSON array of symbols. An edit reads, changes and writes the
//! row inside one `IMMEDIATE` transaction, so another process's edit waits for it instead of
//! being overwritten.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, ErrorCode, OptionalExtension as _, params};

use super::{EmbeddedStore, WriteError, immediate};
use crate::model::shown;
use crate::store::{StoreError, Watchlist, WatchlistEdit, WatchlistEdited, WatchlistError};

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
            detail: format!("{}: {detail}", shown(&self.name)),
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
            detail: format!("watchlist {}: {e}", shown(&list.name)),
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

    /// Applies `edit` to watchlist `name` in one transaction; `None` if there is none.
    pub(crate) async fn watchlist_edit(
        &self,
        name: &str,
        edit: &WatchlistEdit,
    ) -> Result<Option<WatchlistEdited>, StoreError> {
        let (name, edit) = (name.to_owned(), edit.clone());
        self.write(move |conn| {
            let tx = immediate(conn)?;
            let Some(before) = stored(&tx, &name)? else {
                return Ok(None);
            };
            let Some(after) = edit.apply(&before, Utc::now()) else {
                return Ok(Some(WatchlistEdited {
                    after: before.clone(),
                    before,
                }));
            };
            let result = tx.execute(
                "UPDATE watchlists SET name = ?2, tickers = ?3, updated_at = ?4 WHERE name = ?1",
                params![
                    before.name,
                    after.name,
                    tickers_json(&after)?,
                    after.updated_at.timestamp_millis()
                ],
            );
            match result {
                Ok(_) => {}
                Err(e) if e.sqlite_error_code() == Some(ErrorCode::ConstraintViolation) => {
                    return Err(WriteError::Store(
                        WatchlistError::Duplicate(after.name.clone()).into(),
                    ));
                }
                Err(e) => return Err(e.into()),
            }
            tx.commit()?;
            Ok(Some(WatchlistEdited { before, after }))
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

/// Watchlist `name` as stored, read on `conn` (inside the caller's transaction).
fn stored(conn: &Connection, name: &str) -> Result<Option<Watchlist>, WriteError> {
    let found = conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM watchlists WHERE name = ?1"),
            [name],
            row,
        )
        .optional()?;
    found
        .map(Row::into_watchlist)
        .transpose()
        .map_err(WriteError::Store)
}

/// Takes ticker `key` out of every watchlist that holds it, inside the caller's transaction
/// (the ticker's deletion); the names of those watchlists, sorted.
pub(super) fn drop_ticker(conn: &Connection, key: &str) -> Result<Vec<String>, WriteError> {
    // Only rows whose JSON holds the symbol as a string (a row that cannot be read stops the
    // deletion only if it may hold the ticker).
    let needle = serde_json::to_string(key).map_err(|e| {
        WriteError::Store(StoreError::Backend {
            backend: "SQLite",
            detail: format!("ticker {}: {e}", shown(key)),
        })
    })?;
    let rows = {
        let mut stmt = conn.prepare(&format!(
            "SELECT {COLUMNS} FROM watchlists WHERE instr(tickers, ?1) > 0 ORDER BY name"
        ))?;
        stmt.query_map([&needle], row)?
            .collect::<rusqlite::Result<Vec<Row>>>()?
    };
    let edit = WatchlistEdit::Remove(vec![key.to_owned()]);
    let now = Utc::now();
    let mut names = Vec::new();
    for r in rows {
        let list = r.into_watchlist().map_err(WriteError::Store)?;
        if let Some(next) = edit.apply(&list, now) {
            conn.execute(
                "UPDATE watchlists SET tickers = ?2, updated_at = ?3 WHERE name = ?1",
                params![
                    list.name,
                    tickers_json(&next)?,
                    next.updated_at.timestamp_millis()
                ],
            )?;
            names.push(list.name);
        }
    }
    Ok(names)
}

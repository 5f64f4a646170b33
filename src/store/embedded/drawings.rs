//! The embedded store's `drawings` table: one row per drawing, keyed `(ticker, id)`, with
//! its anchors as integer epoch days and prices (the second anchor NULL for one-anchor kinds).

use rusqlite::{Connection, params};

use super::{EmbeddedStore, WriteError};
use crate::model::{Anchor, Drawing};
use crate::store::drawings::{StoredDrawing, color_to_int};
use crate::store::{StoreError, epoch_days, from_epoch_days};

/// The table, created with the schema (and on an existing database when it lacks it).
pub(super) const DDL: &str = "CREATE TABLE IF NOT EXISTS drawings (
    ticker TEXT NOT NULL,
    id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    day1 INTEGER NOT NULL,
    price1 REAL NOT NULL,
    day2 INTEGER,
    price2 REAL,
    color INTEGER NOT NULL,
    width REAL NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (ticker, id)
) WITHOUT ROWID;";

/// A stored row before it is checked against the model.
struct DrawingRow {
    id: i64,
    kind: String,
    day1: i64,
    price1: f64,
    second: Option<(i64, f64)>,
    color: i64,
    width: f64,
    text: String,
}

impl DrawingRow {
    fn into_drawing(self) -> Result<Drawing, String> {
        let day = |d: i64| from_epoch_days(d).ok_or_else(|| format!("day {d} out of range"));
        let mut anchors = vec![Anchor::new(day(self.day1)?, self.price1)];
        if let Some((d, p)) = self.second {
            anchors.push(Anchor::new(day(d)?, p));
        }
        StoredDrawing {
            id: self.id,
            kind: self.kind,
            anchors,
            color: self.color,
            width: self.width,
            text: self.text,
        }
        .into_drawing()
    }
}

impl EmbeddedStore {
    pub async fn drawings(&self, key: &str) -> Result<Vec<Drawing>, StoreError> {
        let key = key.to_owned();
        let rows = self
            .read(move |conn: &Connection| {
                let mut stmt = conn.prepare_cached(
                    "SELECT id, kind, day1, price1, day2, price2, color, width, text
                     FROM drawings WHERE ticker = ?1 ORDER BY id",
                )?;
                stmt.query_map([&key], |r| {
                    let day2: Option<i64> = r.get(4)?;
                    let price2: Option<f64> = r.get(5)?;
                    Ok(DrawingRow {
                        id: r.get(0)?,
                        kind: r.get(1)?,
                        day1: r.get(2)?,
                        price1: r.get(3)?,
                        second: day2.zip(price2),
                        color: r.get(6)?,
                        width: r.get(7)?,
                        text: r.get(8)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()
            })
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let id = row.id;
            match row.into_drawing() {
                Ok(d) => out.push(d),
                Err(e) => tracing::warn!("{}: drawing {id} left out: {e}", self.describe()),
            }
        }
        Ok(out)
    }

    pub async fn save_drawings(&self, key: &str, drawings: &[Drawing]) -> Result<(), StoreError> {
        let key = key.to_owned();
        let drawings = drawings.to_vec();
        self.write(move |conn| {
            let tx = conn.transaction()?;
            tx.execute("DELETE FROM drawings WHERE ticker = ?1", [&key])?;
            {
                let mut stmt = tx.prepare_cached(
                    "INSERT INTO drawings
                         (ticker, id, kind, day1, price1, day2, price2, color, width, text)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )?;
                for d in &drawings {
                    let Some(first) = d.anchors.first() else {
                        continue;
                    };
                    let second = d.anchors.get(1);
                    stmt.execute(params![
                        key,
                        d.id,
                        d.kind.storage_name(),
                        epoch_days(first.day),
                        first.price,
                        second.map(|a| epoch_days(a.day)),
                        second.map(|a| a.price),
                        color_to_int(d.color),
                        f64::from(d.width),
                        d.text,
                    ])?;
                }
            }
            tx.commit()?;
            Ok::<(), WriteError>(())
        })
        .await
    }
}

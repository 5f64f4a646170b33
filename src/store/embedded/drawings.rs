//! The embedded store's `drawings` table: one row per drawing, keyed `(ticker, id)`, with
//! its anchors as integer epoch days and prices (the second anchor NULL for one-anchor kinds).
//!
//! Rows are read column by column whatever SQLite type each value has, so a row with text
//! in a numeric column (SQLite allows it) is reported as unreadable instead of failing the
//! query. Changes are written in one transaction, by `(ticker, id)`.

use rusqlite::types::ValueRef;
use rusqlite::{Connection, params};

use super::{EmbeddedStore, WriteError, immediate};
use crate::model::{Anchor, DrawingChanges, shown};
use crate::store::drawings::{
    DrawingRecord, TickerDrawings, UnreadableDrawing, color_to_int, finish_read, number,
};
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

/// The columns read, in order (after `ticker`).
const COLUMNS: [&str; 9] = [
    "id", "kind", "day1", "price1", "day2", "price2", "color", "width", "text",
];

/// One stored value, whatever its SQLite type.
#[derive(Clone, Debug, Default, PartialEq)]
enum Cell {
    #[default]
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(usize),
}

impl From<ValueRef<'_>> for Cell {
    fn from(v: ValueRef<'_>) -> Self {
        match v {
            ValueRef::Null => Self::Null,
            ValueRef::Integer(i) => Self::Integer(i),
            ValueRef::Real(f) => Self::Real(f),
            ValueRef::Text(t) => Self::Text(String::from_utf8_lossy(t).into_owned()),
            ValueRef::Blob(b) => Self::Blob(b.len()),
        }
    }
}

impl Cell {
    /// What the value is, for a reason (`text 'abc'`, `the number 3.5`, `NULL`).
    fn describe(&self) -> String {
        match self {
            Self::Null => "NULL".to_owned(),
            Self::Integer(i) => format!("the integer {i}"),
            Self::Real(f) => format!("the number {}", number(*f)),
            Self::Text(t) => format!("text '{}'", shown(t)),
            Self::Blob(n) => format!("a blob of {n} bytes"),
        }
    }
}

/// A stored row: its values by column, in [`COLUMNS`] order.
struct Row([Cell; 9]);

impl Row {
    fn mismatch(&self, k: usize) -> String {
        format!("{} is {}", COLUMNS[k], self.0[k].describe())
    }

    fn integer(&self, k: usize) -> Result<i64, String> {
        match self.0[k] {
            Cell::Integer(i) => Ok(i),
            _ => Err(self.mismatch(k)),
        }
    }

    fn real(&self, k: usize) -> Result<f64, String> {
        match self.0[k] {
            Cell::Real(f) => Ok(f),
            // REAL columns keep integral numbers as integers where they can.
            Cell::Integer(i) => Ok(i as f64),
            _ => Err(self.mismatch(k)),
        }
    }

    fn text(&self, k: usize) -> Result<String, String> {
        match &self.0[k] {
            Cell::Text(t) => Ok(t.clone()),
            _ => Err(self.mismatch(k)),
        }
    }

    fn day(&self, k: usize) -> Result<chrono::NaiveDate, String> {
        let d = self.integer(k)?;
        from_epoch_days(d).ok_or_else(|| format!("{} {d} is out of range", COLUMNS[k]))
    }

    /// The id if it is one; a number with a fraction counts, rounded up, for the highest id
    /// (SQLite compares it with integers).
    fn id(&self) -> (Option<i64>, Option<i64>) {
        match self.0[0] {
            Cell::Integer(i) => (Some(i), Some(i)),
            Cell::Real(f) if f.is_finite() => (None, Some(f.ceil() as i64)),
            _ => (None, None),
        }
    }

    fn into_record(self, id: i64) -> Result<DrawingRecord, String> {
        let mut anchors = vec![Anchor::new(self.day(2)?, self.real(3)?)];
        match (&self.0[4], &self.0[5]) {
            (Cell::Null, Cell::Null) => {}
            (_, Cell::Null) => return Err("day2 is set but price2 is NULL".to_owned()),
            (Cell::Null, _) => return Err("price2 is set but day2 is NULL".to_owned()),
            _ => anchors.push(Anchor::new(self.day(4)?, self.real(5)?)),
        }
        Ok(DrawingRecord {
            id,
            kind: self.text(1)?,
            anchors,
            color: self.integer(6)?,
            width: self.real(7)?,
            text: self.text(8)?,
        })
    }
}

impl EmbeddedStore {
    pub async fn drawings(&self, key: &str) -> Result<TickerDrawings, StoreError> {
        let key = key.to_owned();
        let rows = self
            .read(move |conn: &Connection| {
                let mut stmt = conn.prepare_cached(
                    "SELECT id, kind, day1, price1, day2, price2, color, width, text
                     FROM drawings WHERE ticker = ?1",
                )?;
                stmt.query_map([&key], |r| {
                    let mut cells: [Cell; 9] = Default::default();
                    for (k, cell) in cells.iter_mut().enumerate() {
                        *cell = Cell::from(r.get_ref(k)?);
                    }
                    Ok(Row(cells))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()
            })
            .await?;
        let (mut drawings, mut unreadable, mut ids) = (Vec::new(), Vec::new(), Vec::new());
        for row in rows {
            let (id, highest) = row.id();
            ids.extend(highest);
            let read = match id {
                Some(id) => row.into_record(id).and_then(DrawingRecord::into_drawing),
                None => Err(row.mismatch(0)),
            };
            match read {
                Ok(d) => drawings.push(d),
                Err(reason) => unreadable.push(UnreadableDrawing { id, reason }),
            }
        }
        Ok(finish_read(drawings, unreadable, ids.into_iter()))
    }

    /// Writes the changed drawings and deletes the deleted ones, in one transaction.
    pub async fn apply_drawing_changes(
        &self,
        key: &str,
        changes: &DrawingChanges,
    ) -> Result<(), StoreError> {
        let key = key.to_owned();
        let changes = changes.clone();
        self.write(move |conn| {
            let tx = immediate(conn)?;
            {
                let mut upsert = tx.prepare_cached(
                    "INSERT INTO drawings
                         (ticker, id, kind, day1, price1, day2, price2, color, width, text)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                     ON CONFLICT (ticker, id) DO UPDATE SET
                         kind = excluded.kind, day1 = excluded.day1, price1 = excluded.price1,
                         day2 = excluded.day2, price2 = excluded.price2,
                         color = excluded.color, width = excluded.width, text = excluded.text",
                )?;
                for d in &changes.upserts {
                    let Some(first) = d.anchors.first() else {
                        continue;
                    };
                    let second = d.anchors.get(1);
                    upsert.execute(params![
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
                let mut delete =
                    tx.prepare_cached("DELETE FROM drawings WHERE ticker = ?1 AND id = ?2")?;
                for id in &changes.deleted {
                    delete.execute(params![key, id])?;
                }
            }
            tx.commit()?;
            Ok::<(), WriteError>(())
        })
        .await
    }

    /// Deletes every drawing record of the ticker, readable or not (the ticker is deleted).
    pub async fn delete_all_drawings(&self, key: &str) -> Result<(), StoreError> {
        let key = key.to_owned();
        self.write(move |conn| {
            conn.execute("DELETE FROM drawings WHERE ticker = ?1", [&key])?;
            Ok::<(), WriteError>(())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_describe_what_is_stored() {
        assert_eq!(Cell::Text("abc".into()).describe(), "text 'abc'");
        assert_eq!(Cell::Real(7.5).describe(), "the number 7.5");
        assert_eq!(Cell::Blob(3).describe(), "a blob of 3 bytes");
        assert_eq!(
            Cell::from(ValueRef::Text(b"a\xffb")),
            Cell::Text("a\u{fffd}b".into()),
            "text that is not UTF-8 is still read"
        );
    }
}

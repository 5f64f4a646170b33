//! Migrations of embedded databases written by earlier versions, applied at open.
//!
//! Each step checks the schema itself (not `PRAGMA user_version`), so it is a no-op on a
//! database that already has the change and needs no coordination with other additions.

use rusqlite::Transaction;

use crate::model::Category;

/// Databases of the first schema declared `open`, `high` and `low` `NOT NULL`; a
/// close-only bar stores them as NULL. SQLite cannot drop a column constraint, so each
/// category table is rebuilt (rows copied in key order) inside the caller's transaction.
pub(super) fn allow_close_only_bars(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    for category in Category::ALL {
        let table = category.collection();
        let open_not_null: bool = tx.query_row(
            &format!("SELECT COALESCE(MAX(\"notnull\"), 0) FROM pragma_table_info('{table}') WHERE name = 'open'"),
            [],
            |r| r.get(0),
        )?;
        if !open_not_null {
            continue;
        }
        tracing::info!("embedded store: allowing close-only bars in {table}");
        tx.execute_batch(&format!(
            "CREATE TABLE {table}__new (
                ticker TEXT NOT NULL,
                date INTEGER NOT NULL,
                open REAL,
                high REAL,
                low REAL,
                close REAL NOT NULL,
                volume REAL NOT NULL,
                dividends REAL NOT NULL,
                stock_splits REAL NOT NULL,
                PRIMARY KEY (ticker, date)
            ) WITHOUT ROWID;
            INSERT INTO {table}__new
                SELECT ticker, date, open, high, low, close, volume, dividends, stock_splits
                FROM {table} ORDER BY ticker, date;
            DROP TABLE {table};
            ALTER TABLE {table}__new RENAME TO {table};"
        ))?;
    }
    Ok(())
}

/// Adds the `provisional` flag (1 on a bar fetched while its exchange was still open) to
/// every category table that lacks it.
pub(super) fn add_provisional_flag(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    for category in Category::ALL {
        let table = category.collection();
        let has: bool = tx.query_row(
            &format!(
                "SELECT COUNT(*) > 0 FROM pragma_table_info('{table}') WHERE name = 'provisional'"
            ),
            [],
            |r| r.get(0),
        )?;
        if !has {
            tx.execute_batch(&format!(
                "ALTER TABLE {table} ADD COLUMN provisional INTEGER NOT NULL DEFAULT 0;"
            ))?;
        }
    }
    Ok(())
}

/// Adds the English name `name_en` to `ticker_metadata` when it lacks it (files of schema
/// 2 and older). Their `name_folded` holds the name alone, which is what it holds for a
/// ticker without an English name.
pub(super) fn add_english_names(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    let has: bool = tx.query_row(
        "SELECT COUNT(*) > 0 FROM pragma_table_info('ticker_metadata') WHERE name = 'name_en'",
        [],
        |r| r.get(0),
    )?;
    if !has {
        tracing::info!("embedded store: adding English names to ticker_metadata");
        tx.execute_batch(
            "ALTER TABLE ticker_metadata ADD COLUMN name_en TEXT NOT NULL DEFAULT '';",
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::*;

    #[test]
    fn first_schema_tables_are_rebuilt_with_their_rows() {
        let mut conn = Connection::open_in_memory().unwrap();
        for category in Category::ALL {
            conn.execute_batch(&format!(
                "CREATE TABLE {} (ticker TEXT NOT NULL, date INTEGER NOT NULL,
                    open REAL NOT NULL, high REAL NOT NULL, low REAL NOT NULL,
                    close REAL NOT NULL, volume REAL NOT NULL, dividends REAL NOT NULL,
                    stock_splits REAL NOT NULL, PRIMARY KEY (ticker, date)) WITHOUT ROWID;",
                category.collection()
            ))
            .unwrap();
        }
        conn.execute(
            "INSERT INTO us_stocks VALUES ('AAPL', 19724, 1.0, 2.0, 0.5, 1.5, 10.0, 0.0, 0.0)",
            [],
        )
        .unwrap();
        let tx = conn.transaction().unwrap();
        allow_close_only_bars(&tx).unwrap();
        add_provisional_flag(&tx).unwrap();
        allow_close_only_bars(&tx).unwrap(); // a second run is a no-op
        add_provisional_flag(&tx).unwrap();
        tx.commit().unwrap();
        conn.execute(
            "INSERT INTO us_stocks VALUES ('AAPL', 19725, NULL, NULL, NULL, 1.6, 0.0, 0.0, 0.0, 1)",
            [],
        )
        .unwrap();
        let rows: Vec<(i64, Option<f64>, f64, i64)> = conn
            .prepare("SELECT date, open, close, provisional FROM us_stocks ORDER BY date")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            rows,
            vec![(19724, Some(1.0), 1.5, 0), (19725, None, 1.6, 1)]
        );
    }
}

//! Migrations of embedded databases written by earlier versions, applied at open.
//!
//! Each step checks the schema itself (not `PRAGMA user_version`), so it is a no-op on a
//! database that already has the change and needs no coordination with other additions.

use rusqlite::Transaction;

use crate::model::Category;

/// Every column of a category table, in the order of a new file's DDL (and of an upgraded
/// file's: the later columns are added at its end in this order).
pub(super) const BAR_COLUMNS: &str = "ticker, date, open, high, low, close, volume, dividends, \
     stock_splits, provisional, source, foreign_ratio";

/// The DDL of a category table (`IF NOT EXISTS`, so a file that has it keeps it): `open`,
/// `high` and `low` NULL for a close-only bar, `provisional` 1 on a bar fetched while its
/// exchange was open, `source` the download source that last wrote the bar (NULL where not
/// recorded), `foreign_ratio` the day's foreign ownership ratio in percent (KRX, from Naver).
pub(super) fn bar_table_ddl(table: &str) -> String {
    format!(
        "CREATE TABLE IF NOT EXISTS {table} (
            ticker TEXT NOT NULL,
            date INTEGER NOT NULL,
            open REAL,
            high REAL,
            low REAL,
            close REAL NOT NULL,
            volume REAL NOT NULL,
            dividends REAL NOT NULL,
            stock_splits REAL NOT NULL,
            provisional INTEGER NOT NULL DEFAULT 0,
            source TEXT,
            foreign_ratio REAL,
            PRIMARY KEY (ticker, date)
        ) WITHOUT ROWID;"
    )
}

/// The columns `table` has, in order.
fn columns_of(tx: &Transaction<'_>, table: &str) -> rusqlite::Result<Vec<String>> {
    tx.prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))?
        .query_map([], |r| r.get(0))?
        .collect()
}

/// Databases of the first schema declared `open`, `high` and `low` `NOT NULL`; a
/// close-only bar stores them as NULL. SQLite cannot drop a column constraint, so each
/// category table is rebuilt ([`bar_table_ddl`]; the columns it had copied, rows in key
/// order) inside the caller's transaction.
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
        let had = columns_of(tx, table)?;
        let copied = BAR_COLUMNS
            .split(", ")
            .filter(|c| had.iter().any(|h| h == c))
            .collect::<Vec<_>>()
            .join(", ");
        let new = format!("{table}__new");
        tx.execute_batch(&format!(
            "{}
            INSERT INTO {new} ({copied})
                SELECT {copied} FROM {table} ORDER BY ticker, date;
            DROP TABLE {table};
            ALTER TABLE {new} RENAME TO {table};",
            bar_table_ddl(&new)
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

/// Adds the provenance columns `source` and `foreign_ratio` (NULL: not recorded) to every
/// category table that lacks them (files of schema 3 and older).
pub(super) fn add_provenance(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    for category in Category::ALL {
        let table = category.collection();
        let had = columns_of(tx, table)?;
        for (column, kind) in [("source", "TEXT"), ("foreign_ratio", "REAL")] {
            if !had.iter().any(|h| h == column) {
                tx.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {kind};"))?;
            }
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

/// The bar table DDL of schema 1 (every price `NOT NULL`, no flag), as its files have it.
#[cfg(test)]
pub(super) fn schema_1_bar_table_ddl(table: &str) -> String {
    format!(
        "CREATE TABLE {table} (ticker TEXT NOT NULL, date INTEGER NOT NULL,
            open REAL NOT NULL, high REAL NOT NULL, low REAL NOT NULL,
            close REAL NOT NULL, volume REAL NOT NULL, dividends REAL NOT NULL,
            stock_splits REAL NOT NULL, PRIMARY KEY (ticker, date)) WITHOUT ROWID;"
    )
}

/// The bar table of schemas 2 and 3 as their files have it: nullable prices, the
/// `provisional` flag added at the end of the first DDL, no provenance.
#[cfg(test)]
pub(super) fn schema_3_bar_table_ddl(table: &str) -> String {
    format!(
        "CREATE TABLE {table} (ticker TEXT NOT NULL, date INTEGER NOT NULL,
            open REAL, high REAL, low REAL, close REAL NOT NULL,
            volume REAL NOT NULL, dividends REAL NOT NULL,
            stock_splits REAL NOT NULL, PRIMARY KEY (ticker, date)) WITHOUT ROWID;
         ALTER TABLE {table} ADD COLUMN provisional INTEGER NOT NULL DEFAULT 0;"
    )
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::*;

    #[test]
    fn first_schema_tables_are_rebuilt_with_their_rows() {
        let mut conn = Connection::open_in_memory().unwrap();
        for category in Category::ALL {
            conn.execute_batch(&schema_1_bar_table_ddl(category.collection()))
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
        add_provenance(&tx).unwrap();
        allow_close_only_bars(&tx).unwrap(); // a second run is a no-op
        add_provisional_flag(&tx).unwrap();
        add_provenance(&tx).unwrap();
        tx.commit().unwrap();
        conn.execute(
            "INSERT INTO us_stocks VALUES
                ('AAPL', 19725, NULL, NULL, NULL, 1.6, 0.0, 0.0, 0.0, 1, 'yahoo', NULL)",
            [],
        )
        .unwrap();
        type Row = (i64, Option<f64>, f64, i64, Option<String>, Option<f64>);
        let rows: Vec<Row> = conn
            .prepare(
                "SELECT date, open, close, provisional, source, foreign_ratio
                 FROM us_stocks ORDER BY date",
            )
            .unwrap()
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            rows,
            vec![
                (19724, Some(1.0), 1.5, 0, None, None),
                (19725, None, 1.6, 1, Some("yahoo".to_owned()), None)
            ]
        );
        // Every table has the columns of a new file's, in the same order.
        let mut fresh = Connection::open_in_memory().unwrap();
        fresh.execute_batch(&bar_table_ddl("fresh")).unwrap();
        let tx = fresh.transaction().unwrap();
        let want = columns_of(&tx, "fresh").unwrap();
        assert_eq!(want.join(", "), BAR_COLUMNS);
        drop(tx);
        let tx = conn.transaction().unwrap();
        for category in Category::ALL {
            assert_eq!(columns_of(&tx, category.collection()).unwrap(), want);
        }
    }

    /// A schema 2/3 table (provisional added to the first DDL) gains the provenance columns
    /// at its end; its rows read them as NULL.
    #[test]
    fn provenance_columns_are_added_to_older_tables() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(&format!(
            "{}
             INSERT INTO korean_stocks VALUES ('005930', 19724, 1, 2, 0.5, 1.5, 10, 0, 0, 0);",
            schema_3_bar_table_ddl("korean_stocks")
        ))
        .unwrap();
        let tx = conn.transaction().unwrap();
        for category in Category::ALL {
            tx.execute_batch(&bar_table_ddl(category.collection()))
                .unwrap();
        }
        add_provenance(&tx).unwrap();
        assert_eq!(
            columns_of(&tx, "korean_stocks").unwrap().join(", "),
            BAR_COLUMNS
        );
        let (source, ratio): (Option<String>, Option<f64>) = tx
            .query_row(
                "SELECT source, foreign_ratio FROM korean_stocks WHERE date = 19724",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((source, ratio), (None, None));
    }
}

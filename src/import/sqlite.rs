//! Importer of the earlier tools' SQLite files: tables `stocks` and `currency` with
//! columns symbol, date, open, high, low, close, volume, dividends, stock_splits.
//!
//! Files are opened read-only; column names are matched case-insensitively (pandas'
//! `to_sql` wrote `Date`, `Open`, `Stock Splits` as often as the snake-case names).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use chrono::{DateTime, NaiveDate};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

use super::csv::parse_day;
use super::{BadRow, ImportError, RowRef, infer_category, shown_list};
use crate::model::{Bar, Category, DailySeries, SeriesBuilder, plausible_days, shown};

/// The tables read, in order.
pub const TABLES: [&str; 2] = ["stocks", "currency"];

/// One symbol's bars from one table.
#[derive(Clone, Debug, PartialEq)]
pub struct SqliteSeries {
    /// The table it came from (`stocks` or `currency`).
    pub table: String,
    /// The symbol as written in the file (`005930.KS`, `AAPL`, `KRW=X`).
    pub symbol: String,
    /// The category inferred from the table and the symbol's shape.
    pub category: Category,
    /// The good rows, one bar per day.
    pub series: DailySeries,
    /// Rows of this symbol left out, and why.
    pub bad_rows: Vec<BadRow>,
    /// Kept rows whose high/low were widened around a rounding glitch ([`Bar::checked`]).
    pub repaired: usize,
}

/// What one SQLite file held.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SqliteImport {
    /// One entry per (table, symbol), in table then symbol order.
    pub series: Vec<SqliteSeries>,
    /// Rows without a usable symbol.
    pub bad_rows: Vec<BadRow>,
    /// Rows read in total.
    pub rows_read: usize,
}

struct Columns {
    symbol: String,
    date: String,
    open: String,
    high: String,
    low: String,
    close: String,
    volume: Option<String>,
    dividends: Option<String>,
    splits: Option<String>,
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn normalise(name: &str) -> String {
    name.trim().to_ascii_lowercase().replace(['_', ' '], "")
}

fn columns_of(conn: &Connection, table: &str) -> Result<Columns, ImportError> {
    let mut stmt = conn.prepare(&format!("PRAGMA table_info({})", quote_ident(table)))?;
    let names: Vec<String> = stmt
        .query_map([], |row| row.get::<_, String>(1))?
        .collect::<Result<_, _>>()?;
    let find = |wanted: &[&str]| {
        names
            .iter()
            .find(|n| wanted.contains(&normalise(n).as_str()))
            .cloned()
    };
    let need = |wanted: &[&str], column: &'static str| {
        find(wanted).ok_or_else(|| ImportError::MissingColumn {
            column,
            found: format!("table {}: {}", shown(table), shown_list(names.iter())),
        })
    };
    Ok(Columns {
        symbol: need(&["symbol", "ticker"], "symbol")?,
        date: need(&["date", "datetime", "timestamp"], "date")?,
        open: need(&["open"], "open")?,
        high: need(&["high"], "high")?,
        low: need(&["low"], "low")?,
        close: need(&["close"], "close")?,
        volume: find(&["volume"]),
        dividends: find(&["dividends", "dividend"]),
        splits: find(&["stocksplits", "splits"]),
    })
}

fn text_of(v: ValueRef<'_>) -> Option<String> {
    match v {
        ValueRef::Text(t) => Some(String::from_utf8_lossy(t).trim().to_owned()),
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(r) => Some(r.to_string()),
        ValueRef::Null | ValueRef::Blob(_) => None,
    }
}

fn day_of(v: ValueRef<'_>) -> Result<NaiveDate, String> {
    match v {
        ValueRef::Text(t) => {
            let s = String::from_utf8_lossy(t);
            parse_day(&s).ok_or_else(|| format!("'{}' is not a date", shown(s.trim())))
        }
        ValueRef::Integer(i) => {
            // YYYYMMDD written as a number.
            if (10_000_101..=99_991_231).contains(&i)
                && let Some(day) = parse_day(&i.to_string())
            {
                return Ok(day);
            }
            // Epoch seconds, or milliseconds when too large for seconds.
            let secs = if i.unsigned_abs() > 100_000_000_000 {
                i / 1000
            } else {
                i
            };
            DateTime::from_timestamp(secs, 0)
                .map(|t| t.date_naive())
                .ok_or_else(|| format!("{i} is not a date"))
        }
        ValueRef::Null => Err("missing date".to_owned()),
        ValueRef::Real(r) => Err(format!("{r} is not a date")),
        ValueRef::Blob(_) => Err("a blob is not a date".to_owned()),
    }
}

fn number_of(v: ValueRef<'_>, name: &str, required: bool) -> Result<f64, String> {
    match v {
        ValueRef::Integer(i) => Ok(i as f64),
        ValueRef::Real(r) => Ok(r),
        ValueRef::Text(t) => {
            let s = String::from_utf8_lossy(t);
            let s = s.trim();
            if s.is_empty() && !required {
                return Ok(0.0);
            }
            s.parse::<f64>()
                .map_err(|_| format!("{name}: '{}' is not a number", shown(s)))
        }
        ValueRef::Null if !required => Ok(0.0),
        ValueRef::Null => Err(format!("{name}: missing value")),
        ValueRef::Blob(_) => Err(format!("{name}: a blob is not a number")),
    }
}

struct Group {
    builder: SeriesBuilder,
    bad_rows: Vec<BadRow>,
    row_of_day: HashMap<NaiveDate, i64>,
    /// Whether the row kept for each day was repaired.
    repaired_on_day: HashMap<NaiveDate, bool>,
}

impl Group {
    /// Keeps `bar` (of row `rowid` of `table`); a repeated day keeps the later row and
    /// reports the earlier.
    fn keep(&mut self, bar: Bar, repaired: bool, table: &str, rowid: i64) {
        self.repaired_on_day.insert(bar.date, repaired);
        if let Some(first) = self.row_of_day.insert(bar.date, rowid) {
            self.bad_rows.push(BadRow {
                at: RowRef::Row {
                    table: table.to_owned(),
                    rowid: first,
                },
                reason: format!(
                    "{}: day repeated in row {rowid}; the later row is kept",
                    bar.date
                ),
            });
        }
        self.builder.push(bar);
    }
}

/// The bar of a row selected as in [`read_table`] (`value(i)`: its `i`-th value): open,
/// high and low all NULL make a close-only bar.
fn bar_of_row<'a>(value: &impl Fn(usize) -> ValueRef<'a>) -> Result<Bar, String> {
    let close_only = (3..=5).all(|i| matches!(value(i), ValueRef::Null));
    let price = |i: usize, name: &str| {
        if close_only {
            Ok(f64::NAN)
        } else {
            number_of(value(i), name, true)
        }
    };
    Ok(Bar {
        date: day_of(value(2))?,
        open: price(3, "open")?,
        high: price(4, "high")?,
        low: price(5, "low")?,
        close: number_of(value(6), "close", true)?,
        volume: number_of(value(7), "volume", false)?,
        dividends: number_of(value(8), "dividends", false)?,
        stock_splits: number_of(value(9), "stock_splits", false)?,
    })
}

fn read_table(
    conn: &Connection,
    table: &str,
    out: &mut SqliteImport,
) -> Result<BTreeMap<String, Group>, ImportError> {
    let cols = columns_of(conn, table)?;
    let optional = |c: &Option<String>| c.as_deref().map_or("NULL".to_owned(), quote_ident);
    let select = format!(
        "{}, {}, {}, {}, {}, {}, {}, {}, {} FROM {}",
        quote_ident(&cols.symbol),
        quote_ident(&cols.date),
        quote_ident(&cols.open),
        quote_ident(&cols.high),
        quote_ident(&cols.low),
        quote_ident(&cols.close),
        optional(&cols.volume),
        optional(&cols.dividends),
        optional(&cols.splits),
        quote_ident(table)
    );
    // Tables made WITHOUT ROWID have no rowid; number their rows instead.
    let (mut stmt, has_rowid) = match conn.prepare(&format!("SELECT rowid, {select}")) {
        Ok(stmt) => (stmt, true),
        Err(_) => (conn.prepare(&format!("SELECT 0, {select}"))?, false),
    };
    let mut rows = stmt.query([])?;
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    let mut ordinal = 0i64;
    // One clock reading for the whole table: every row is checked against the same days.
    let days = plausible_days();
    while let Some(row) = rows.next()? {
        ordinal += 1;
        out.rows_read += 1;
        let rowid = if has_rowid {
            row.get_ref(0)
                .ok()
                .and_then(|v| v.as_i64().ok())
                .unwrap_or(ordinal)
        } else {
            ordinal
        };
        let at = RowRef::Row {
            table: table.to_owned(),
            rowid,
        };
        let value = |i: usize| row.get_ref(i).unwrap_or(ValueRef::Null);
        let Some(symbol) = text_of(value(1)).filter(|s| !s.is_empty()) else {
            out.bad_rows.push(BadRow {
                at,
                reason: "missing symbol".to_owned(),
            });
            continue;
        };
        let group = groups.entry(symbol).or_insert_with(|| Group {
            builder: SeriesBuilder::new().within(days.clone()),
            bad_rows: Vec::new(),
            row_of_day: HashMap::new(),
            repaired_on_day: HashMap::new(),
        });
        match bar_of_row(&value).and_then(|b| {
            b.checked_within(&days)
                .map_err(|p| format!("{}: {p}", b.date))
        }) {
            Ok((bar, repaired)) => group.keep(bar, repaired, table, rowid),
            Err(reason) => group.bad_rows.push(BadRow { at, reason }),
        }
    }
    Ok(groups)
}

/// Opens a file from elsewhere for reading: read-only, its name always a plain path (a
/// name such as `file:x?vfs=...` is not read as a URI), and `trusted_schema=OFF`, so the
/// file's own views and triggers cannot call functions with side effects.
fn open_untrusted(path: &Path) -> rusqlite::Result<Connection> {
    // A relative name starting with `file:` would be taken as a URI where SQLite was built
    // with URI names on; `./` in front keeps it a file name.
    let plain = if path.is_relative() {
        Path::new(".").join(path)
    } else {
        path.to_path_buf()
    };
    let conn = Connection::open_with_flags(
        plain,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.pragma_update(None, "trusted_schema", false)?;
    Ok(conn)
}

/// Reads the `stocks` and `currency` tables of an SQLite file, opened read-only.
/// Fails when the file is not an SQLite database or has neither table; a table
/// missing a price column fails the import with the column named. Never panics.
pub fn read_sqlite(path: &Path) -> Result<SqliteImport, ImportError> {
    let conn = open_untrusted(path)?;
    let mut stmt = conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table'")?;
    let present: Vec<String> = stmt
        .query_map([], |row| row.get::<_, String>(0))?
        .collect::<Result<_, _>>()?;
    let mut out = SqliteImport::default();
    let mut any = false;
    for wanted in TABLES {
        let Some(table) = present.iter().find(|t| t.eq_ignore_ascii_case(wanted)) else {
            continue;
        };
        any = true;
        let fixed = (wanted == "currency").then_some(Category::Currency);
        for (symbol, group) in read_table(&conn, table, &mut out)? {
            let (series, _duplicates_already_reported) = group.builder.build();
            let mut bad_rows = group.bad_rows;
            bad_rows.sort_by_key(|b| b.at.clone());
            out.series.push(SqliteSeries {
                table: table.clone(),
                category: fixed.unwrap_or_else(|| infer_category(&symbol)),
                symbol,
                series,
                bad_rows,
                repaired: group.repaired_on_day.values().filter(|r| **r).count(),
            });
        }
    }
    if !any {
        return Err(ImportError::NoTables {
            found: shown_list(present.iter()),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imported_files_are_untrusted_and_never_uris() {
        let dir = tempfile::tempdir().unwrap();
        // A file literally named like a URI: opened as that file, not as `x` in memory.
        let named = dir.path().join("file:x?mode=memory");
        Connection::open(&named)
            .unwrap()
            .execute_batch("CREATE TABLE currency (Symbol TEXT)")
            .unwrap();
        let conn = open_untrusted(&named).unwrap();
        let tables: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE name = 'currency'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 1);
        let trusted: bool = conn
            .pragma_query_value(None, "trusted_schema", |r| r.get(0))
            .unwrap();
        assert!(
            !trusted,
            "trusted_schema must be OFF for files from elsewhere"
        );
        // Relative names too (the one case SQLite could read as a URI).
        let cwd_relative = Path::new("file:definitely-missing-wickview.db?mode=memory");
        assert!(open_untrusted(cwd_relative).is_err());
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn reads_both_tables_with_pandas_style_columns() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            r#"CREATE TABLE stocks ("index" INTEGER, Symbol TEXT, Date TEXT, Open REAL, High REAL,
                   Low REAL, Close REAL, Volume INTEGER, Dividends REAL, "Stock Splits" REAL);
               INSERT INTO stocks VALUES (0,'005930.KS','2018-05-04 00:00:00',53000,53900,51800,51900,39565391,0,50);
               INSERT INTO stocks VALUES (1,'005930.KS','2018-05-08 00:00:00',52600,53200,51900,52600,23104720,0,0);
               INSERT INTO stocks VALUES (2,'AAPL','2020-08-31 00:00:00-04:00',127.58,131.0,126.0,129.04,225702700,0,4);
               INSERT INTO stocks VALUES (3,'AAPL','2020-09-01',132.76,134.8,130.53,134.18,NULL,NULL,NULL);
               INSERT INTO stocks VALUES (4,'AAPL','2020-09-02',137.59,137.98,127.0,NULL,200119000,0,0);
               INSERT INTO stocks VALUES (5,NULL,'2020-09-02',1,1,1,1,1,0,0);
               INSERT INTO stocks VALUES (6,'^KS11',20240102,2645.47,2676.33,2641.7,2669.81,0,0,0);
               CREATE TABLE currency (symbol TEXT, date TEXT, open REAL, high REAL, low REAL,
                   close REAL, volume REAL, dividends REAL, stock_splits REAL);
               INSERT INTO currency VALUES ('KRW=X','2024-01-02',1288.5,1305.1,1287.2,1288.5,0,0,0);
               INSERT INTO currency VALUES ('KRW=X','2024-01-02',1289.5,1305.1,1287.2,1299.5,0,0,0);"#,
        )
        .unwrap();
        drop(conn);
        let r = read_sqlite(&path).unwrap();
        assert_eq!(r.rows_read, 9);
        let names: Vec<(&str, &str, Category)> = r
            .series
            .iter()
            .map(|s| (s.table.as_str(), s.symbol.as_str(), s.category))
            .collect();
        assert_eq!(
            names,
            vec![
                ("stocks", "005930.KS", Category::KoreanStock),
                ("stocks", "AAPL", Category::UsStock),
                ("stocks", "^KS11", Category::Index),
                ("currency", "KRW=X", Category::Currency),
            ]
        );
        let samsung = &r.series[0].series;
        assert_eq!(samsung.days(), &[d(2018, 5, 4), d(2018, 5, 8)]);
        assert_eq!(samsung.stock_splits(), &[50.0, 0.0]);
        let aapl = &r.series[1];
        assert_eq!(aapl.series.days(), &[d(2020, 8, 31), d(2020, 9, 1)]);
        assert_eq!(aapl.series.volume(), &[225_702_700.0, 0.0]);
        assert_eq!(aapl.bad_rows.len(), 1);
        assert_eq!(
            aapl.bad_rows[0].at,
            RowRef::Row {
                table: "stocks".into(),
                rowid: 5
            }
        );
        assert!(aapl.bad_rows[0].reason.contains("close: missing value"));
        assert_eq!(r.series[2].series.days(), &[d(2024, 1, 2)]);
        assert_eq!(r.bad_rows.len(), 1, "the row without a symbol");
        let krw = &r.series[3];
        assert_eq!(krw.series.close(), &[1299.5]);
        assert_eq!(krw.bad_rows.len(), 1);
        assert!(krw.bad_rows[0].reason.contains("repeated"));
    }

    #[test]
    fn prices_and_days_no_market_has_are_bad_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE stocks (symbol TEXT, date, open REAL, high REAL, low REAL,
                 close REAL, volume REAL, dividends REAL, stock_splits REAL);
             INSERT INTO stocks VALUES ('AAPL','2024-01-02',10,11,9,10.5,100,0,0);
             INSERT INTO stocks VALUES ('AAPL','2024-01-03',1e308,1e308,1e308,1e308,100,0,0);
             INSERT INTO stocks VALUES ('AAPL','0000-01-01 00:00:00',10,11,9,10.5,100,0,0);
             INSERT INTO stocks VALUES ('AAPL',99991231,10,11,9,10.5,100,0,0);
             INSERT INTO stocks VALUES ('AAPL',32503680000,10,11,9,10.5,100,0,0);",
        )
        .unwrap();
        drop(conn);
        let r = read_sqlite(&path).unwrap();
        let aapl = &r.series[0];
        assert_eq!(aapl.series.days(), &[d(2024, 1, 2)]);
        let said: Vec<String> = aapl.bad_rows.iter().map(ToString::to_string).collect();
        assert_eq!(
            said,
            [
                "table stocks row 2: 2024-01-03: a price is above 10^12, which no market has",
                "table stocks row 3: 0000-01-01: the date is before 1900 or after tomorrow",
                "table stocks row 4: 9999-12-31: the date is before 1900 or after tomorrow",
                "table stocks row 5: 3000-01-01: the date is before 1900 or after tomorrow",
            ]
        );
    }

    #[test]
    fn not_a_database_and_no_tables_fail_clearly() {
        let dir = tempfile::tempdir().unwrap();
        let junk = dir.path().join("junk.db");
        std::fs::write(
            &junk,
            b"this is not an sqlite file at all, just text padding it out",
        )
        .unwrap();
        assert!(matches!(read_sqlite(&junk), Err(ImportError::Sqlite(_))));
        let empty = dir.path().join("empty.db");
        Connection::open(&empty)
            .unwrap()
            .execute_batch("CREATE TABLE other (x INTEGER);")
            .unwrap();
        let err = read_sqlite(&empty).unwrap_err();
        assert!(
            matches!(&err, ImportError::NoTables { found } if found == "other"),
            "{err}"
        );
        assert!(matches!(
            read_sqlite(&dir.path().join("missing.db")),
            Err(ImportError::Sqlite(_))
        ));
    }
}

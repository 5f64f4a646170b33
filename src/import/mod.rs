//! Importers (CSV, the earlier SQLite files) and the CSV exporter.
//!
//! Depends on `model`, `compute` and `store`.

pub mod csv;
pub mod sqlite;

pub use self::csv::{CsvImport, read_csv};
pub use self::sqlite::{SqliteImport, SqliteSeries, read_sqlite};

use crate::model::Category;

/// Why an import failed as a whole (bad single rows are [`BadRow`]s instead).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read.
    #[error("could not read the file: {0}")]
    Read(String),
    /// A header names no column for a required field.
    #[error("no '{column}' column (found: {found})")]
    MissingColumn {
        /// The missing field.
        column: &'static str,
        /// The columns that are there.
        found: String,
    },
    /// The SQLite file could not be opened or queried.
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The SQLite file has neither a `stocks` nor a `currency` table.
    #[error("no 'stocks' or 'currency' table (found: {found})")]
    NoTables {
        /// The tables that are there.
        found: String,
    },
}

/// Where a row came from: a CSV line or an SQLite table row.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RowRef {
    /// 1-based line of a CSV file.
    Line(u64),
    /// A row of an SQLite table.
    Row {
        /// The table.
        table: String,
        /// Its rowid (or 1-based position in a table without rowids).
        rowid: i64,
    },
}

impl std::fmt::Display for RowRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Line(n) => write!(f, "line {n}"),
            Self::Row { table, rowid } => write!(f, "table {table} row {rowid}"),
        }
    }
}

/// A row left out of an import, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadRow {
    /// Where it is.
    pub at: RowRef,
    /// What is wrong with it.
    pub reason: String,
}

impl std::fmt::Display for BadRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.at, self.reason)
    }
}

/// The category a symbol's shape suggests: `^…` an index, `…=X` a currency pair, six
/// digits (with an optional `.KS`/`.KQ`) a Korean stock, anything else a US stock.
pub fn infer_category(symbol: &str) -> Category {
    let s = symbol.trim().to_ascii_uppercase();
    let code = s
        .strip_suffix(".KS")
        .or_else(|| s.strip_suffix(".KQ"))
        .unwrap_or(&s);
    if s.starts_with('^') {
        Category::Index
    } else if s.ends_with("=X") {
        Category::Currency
    } else if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        Category::KoreanStock
    } else {
        Category::UsStock
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_from_symbol_shapes() {
        assert_eq!(infer_category("^GSPC"), Category::Index);
        assert_eq!(infer_category("krw=x"), Category::Currency);
        assert_eq!(infer_category("005930"), Category::KoreanStock);
        assert_eq!(infer_category("247540.KQ"), Category::KoreanStock);
        assert_eq!(infer_category("AAPL"), Category::UsStock);
        assert_eq!(infer_category("BRK-B"), Category::UsStock);
        assert_eq!(infer_category("12345"), Category::UsStock);
    }
}

//! Importers (CSV, the earlier SQLite files) and the CSV exporter.
//!
//! Depends on `model`, `compute` and `store`.

pub mod csv;
pub mod export;
pub mod sqlite;

use std::path::Path;

pub use self::csv::{CsvImport, read_csv};
pub use self::export::{
    ExportOptions, FOREIGN_RATIO_COLUMN, PROVISIONAL_COLUMN, REBASED_COLUMN, SOURCE_COLUMN,
    write_export, write_export_with,
};
pub use self::sqlite::{SqliteImport, SqliteSeries, read_sqlite};

use crate::model::{Category, KrMarket, ModelError, Ticker, TickerMeta, shown};
use crate::store::{Store, StoreError, UpsertSummary};

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
    /// The ticker given or found in the file is not valid for its category.
    #[error(transparent)]
    Ticker(#[from] ModelError),
    /// The store failed.
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// The export could not be computed or written.
    #[error("export: {0}")]
    Export(String),
    /// `--ticker` was given for a file holding several symbols.
    #[error("--ticker names one ticker, but the file holds {0} symbols")]
    TickerForManySymbols(usize),
    /// The file holds no row that could be imported (empty, only a header, not a price
    /// file at all, or every row bad); no ticker is created.
    #[error("{}", nothing_message(.rows_read, .first_bad))]
    NothingToImport {
        /// Rows read (header and blank lines excluded).
        rows_read: usize,
        /// The first bad row, if any was read.
        first_bad: Option<BadRow>,
    },
    /// The file is UTF-16 text (a byte-order mark, or NUL in every other byte), which the
    /// CSV reader does not take.
    #[error("the file looks like UTF-16 text; save it as UTF-8 (CSV UTF-8) and import that")]
    Utf16,
    /// The SQLite file has neither a `stocks` nor a `currency` table.
    #[error("no 'stocks' or 'currency' table (found: {found})")]
    NoTables {
        /// The tables that are there.
        found: String,
    },
}

fn nothing_message(rows_read: &usize, first_bad: &Option<BadRow>) -> String {
    match (*rows_read, first_bad) {
        (0, _) => "no rows of prices found (the file is empty or holds only a header)".to_owned(),
        (n, Some(bad)) => {
            format!("none of its {n} rows could be imported (first: {bad})")
        }
        (n, None) => format!("none of its {n} rows could be imported"),
    }
}

/// Names found in a file (columns, tables) as a message lists them: each through
/// [`shown`], at most eight of them, then how many there were.
pub(crate) fn shown_list<S: AsRef<str>>(names: impl IntoIterator<Item = S>) -> String {
    const LISTED: usize = 8;
    let mut out = Vec::new();
    let mut total = 0_usize;
    for name in names {
        total += 1;
        if total <= LISTED {
            out.push(shown(name.as_ref()));
        }
    }
    let mut text = out.join(",");
    if total > LISTED {
        text.push_str(&format!(",… ({total} in all)"));
    }
    text
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

/// Choices for an import; `None` fields are taken from the file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// The category; otherwise inferred from the symbol's shape (and the SQLite table).
    pub category: Option<Category>,
    /// The ticker of a CSV file; otherwise the file's stem (`AAPL.csv` → `AAPL`).
    pub ticker: Option<String>,
    /// The display name of a ticker created by the import; otherwise its symbol.
    pub name: Option<String>,
}

/// What the import did for one ticker.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportedTicker {
    /// The canonical ticker.
    pub ticker: Ticker,
    /// Whether its metadata was created by this import.
    pub created: bool,
    /// Rows read for it.
    pub rows_read: usize,
    /// Rows left out, with where and why.
    pub bad_rows: Vec<BadRow>,
    /// Rows kept after widening high/low around a rounding glitch (among the good rows).
    pub repaired: usize,
    /// What the store did with the good rows.
    pub upsert: UpsertSummary,
}

/// Whether `path` is an SQLite file (by its 16-byte magic header).
pub fn is_sqlite_file(path: &Path) -> bool {
    use std::io::Read as _;
    let mut head = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| &head == b"SQLite format 3\0")
}

/// Makes sure `symbol` has metadata (created active, named `name` or the symbol) and
/// returns the stored ticker; a `.KS`/`.KQ` suffix is kept as the resolved source symbol.
async fn ensure_ticker(
    store: &Store,
    category: Category,
    symbol: &str,
    name: Option<&str>,
) -> Result<(Ticker, bool), ImportError> {
    let ticker = Ticker::parse(category, symbol)?;
    if let Some(meta) = store.ticker(ticker.as_str()).await? {
        return Ok((meta.ticker, false));
    }
    let mut meta = TickerMeta::new(ticker.clone(), name.unwrap_or(ticker.as_str()));
    if category == Category::KoreanStock && KrMarket::of_symbol(symbol.trim()).is_some() {
        meta.source_symbol = Some(symbol.trim().to_ascii_uppercase());
    }
    store.add_ticker(&meta).await?;
    Ok((ticker, true))
}

/// Stores what was read for one symbol (the rows of a CSV file, or one symbol's rows of
/// an SQLite file).
async fn store_series(
    store: &Store,
    category: Category,
    symbol: &str,
    name: Option<&str>,
    read: CsvImport,
) -> Result<ImportedTicker, ImportError> {
    let CsvImport {
        series,
        bad_rows,
        rows_read,
        repaired,
    } = read;
    // Validate the symbol before anything is written.
    Ticker::parse(category, symbol)?;
    if series.is_empty() {
        return Err(ImportError::NothingToImport {
            rows_read,
            first_bad: bad_rows.into_iter().next(),
        });
    }
    let (ticker, created) = ensure_ticker(store, category, symbol, name).await?;
    let upsert = store.upsert_bars(&ticker, &series).await?;
    Ok(ImportedTicker {
        ticker,
        created,
        rows_read,
        bad_rows,
        repaired,
        upsert,
    })
}

/// Imports one file (CSV, or SQLite recognised by its header) into the store: good rows
/// are upserted (so importing twice changes nothing), bad rows are reported.
pub async fn import_file(
    store: &Store,
    path: &Path,
    options: &ImportOptions,
) -> Result<Vec<ImportedTicker>, ImportError> {
    if is_sqlite_file(path) {
        let owned = path.to_owned();
        let parsed = tokio::task::spawn_blocking(move || read_sqlite(&owned))
            .await
            .map_err(|e| ImportError::Read(e.to_string()))??;
        if options.ticker.is_some() && parsed.series.len() > 1 {
            return Err(ImportError::TickerForManySymbols(parsed.series.len()));
        }
        if parsed.series.iter().all(|s| s.series.is_empty()) {
            return Err(ImportError::NothingToImport {
                rows_read: parsed.rows_read,
                first_bad: parsed
                    .series
                    .iter()
                    .flat_map(|s| &s.bad_rows)
                    .chain(&parsed.bad_rows)
                    .min_by_key(|b| b.at.clone())
                    .cloned(),
            });
        }
        let mut out = Vec::with_capacity(parsed.series.len());
        for s in parsed.series {
            let symbol = options.ticker.clone().unwrap_or(s.symbol);
            let rows = s.series.len() + s.bad_rows.len();
            if s.series.is_empty() {
                // No ticker is created for a symbol without one good row.
                tracing::warn!(
                    "{}: {}: none of its {rows} rows could be imported",
                    path.display(),
                    shown(&symbol)
                );
                for row in &s.bad_rows {
                    tracing::warn!("{}: {row}", path.display());
                }
                continue;
            }
            out.push(
                store_series(
                    store,
                    options.category.unwrap_or(s.category),
                    &symbol,
                    options.name.as_deref(),
                    CsvImport {
                        series: s.series,
                        bad_rows: s.bad_rows,
                        rows_read: rows,
                        repaired: s.repaired,
                    },
                )
                .await?,
            );
        }
        if !parsed.bad_rows.is_empty() {
            tracing::warn!("{} rows without a symbol left out", parsed.bad_rows.len());
            for row in &parsed.bad_rows {
                tracing::warn!("{}: {row}", path.display());
            }
        }
        return Ok(out);
    }
    let file = std::fs::File::open(path)
        .map_err(|e| ImportError::Read(format!("{}: {e}", path.display())))?;
    let parsed = read_csv(std::io::BufReader::new(file))?;
    let symbol = match &options.ticker {
        Some(t) => t.clone(),
        None => path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    let category = options.category.unwrap_or_else(|| infer_category(&symbol));
    let imported = store_series(store, category, &symbol, options.name.as_deref(), parsed).await?;
    Ok(vec![imported])
}

/// Loads `ticker`'s stored bars and their provenance and writes them as CSV (see
/// [`write_export_with`]).
pub async fn export_ticker(
    store: &Store,
    ticker: &str,
    options: &ExportOptions,
    out: impl std::io::Write,
) -> Result<usize, ImportError> {
    let meta = store
        .ticker(ticker)
        .await?
        .ok_or_else(|| StoreError::UnknownTicker(ticker.trim().to_owned()))?;
    let series = store.load_series(&meta.ticker, None).await?;
    let provenance = store.load_provenance(&meta.ticker, None).await?;
    write_export_with(&series, &provenance, options, out)
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
    } else if crate::model::is_krx_code(code) {
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

//! `wickview import`: CSV and the earlier SQLite files into the store.

use std::path::PathBuf;

use clap::Args;

use crate::import::{ImportOptions, import_file};
use crate::model::Category;
use crate::store::{Store, StoreArgs, StoreConfig};

/// Bad rows listed per ticker before the rest are only counted.
const BAD_ROWS_SHOWN: usize = 20;

/// Arguments of `wickview import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// CSV files (Yahoo/yfinance or date,open,high,low,close,volume) or SQLite files
    /// (tables `stocks` and `currency`).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Category (kr, us, index, fx); otherwise inferred from the symbol's shape.
    #[arg(long, value_parser = |s: &str| Category::parse(s))]
    pub category: Option<Category>,
    /// Ticker of a CSV file; otherwise the file name without extension.
    #[arg(long)]
    pub ticker: Option<String>,
    /// Display name of tickers the import creates.
    #[arg(long)]
    pub name: Option<String>,
}

/// Runs `wickview import`; exit code 1 when any file could not be imported at all, or held
/// no importable row (no ticker is created then); bad rows alone are reported and the good
/// rows of the file are kept. A row whose open or close lies outside high/low by rounding
/// is kept with high/low widened and counted as repaired.
pub fn run(
    args: &ImportArgs,
    store_args: &StoreArgs,
    runtime: &tokio::runtime::Runtime,
) -> anyhow::Result<std::process::ExitCode> {
    if args.ticker.is_some() && args.files.len() > 1 {
        anyhow::bail!("--ticker names one ticker; give one file with it");
    }
    let options = ImportOptions {
        category: args.category,
        ticker: args.ticker.clone(),
        name: args.name.clone(),
    };
    let failures = runtime.block_on(async {
        let store = Store::open(&StoreConfig::resolve(store_args)?).await?;
        let mut failures = 0usize;
        for file in &args.files {
            match import_file(&store, file, &options).await {
                Ok(tickers) => {
                    for t in tickers {
                        eprintln!(
                            "{}: {} ({}{}): {} rows read = {} bars kept ({} repaired) + {} bad rows; \
                             {} new bars, {} changed, {} unchanged",
                            file.display(),
                            t.ticker,
                            t.ticker.category().short_name(),
                            if t.created { ", new ticker" } else { "" },
                            t.rows_read,
                            t.upsert.total(),
                            t.repaired,
                            t.bad_rows.len(),
                            t.upsert.inserted,
                            t.upsert.updated,
                            t.upsert.unchanged,
                        );
                        if let Some(asked) = args.category
                            && !t.created
                            && asked != t.ticker.category()
                        {
                            eprintln!(
                                "  note: {} was already stored as {}; --category {} was not applied (its bars went to {}); change a ticker's category in the window's Tickers panel",
                                t.ticker,
                                t.ticker.category().short_name(),
                                asked.short_name(),
                                t.ticker.category().short_name()
                            );
                        }
                        for row in t.bad_rows.iter().take(BAD_ROWS_SHOWN) {
                            eprintln!("  {row}");
                        }
                        if t.bad_rows.len() > BAD_ROWS_SHOWN {
                            eprintln!("  … and {} more bad rows", t.bad_rows.len() - BAD_ROWS_SHOWN);
                        }
                    }
                }
                Err(err) => {
                    failures += 1;
                    eprintln!("{}: not imported: {err}", file.display());
                }
            }
        }
        anyhow::Ok(failures)
    })?;
    Ok(std::process::ExitCode::from(u8::from(failures > 0)))
}

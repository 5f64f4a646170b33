//! `wickview tickers`: list, add, remove, rename, activate and deactivate tickers without
//! the window (for administrators and cron jobs).
//!
//! Exit codes: 0 done; 1 the store refused or failed (unknown ticker, already listed,
//! bars present without `--yes`, store unreachable); 2 invalid arguments (a symbol that is
//! not valid for its category, and clap's usage errors).

use std::collections::HashMap;
use std::io::Write as _;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Args, Subcommand};
use serde::Serialize;

use crate::import::infer_category;
use crate::model::{Category, Ticker, TickerMeta, shown};
use crate::store::{Store, StoreArgs, StoreConfig, StoreError, TickerEdit, TickerQuery};

/// Exit code of a refused or failed store operation.
pub const EXIT_REFUSED: u8 = 1;
/// Exit code of invalid arguments (as clap uses for usage errors).
pub const EXIT_INVALID: u8 = 2;

/// Arguments of `wickview tickers`.
#[derive(Debug, Args)]
pub struct TickersArgs {
    /// Print JSON instead of text (`list`: an array; the other commands: the ticker).
    #[arg(long, global = true)]
    pub json: bool,
    /// What to do.
    #[command(subcommand)]
    pub action: TickersAction,
}

/// The `tickers` subcommands.
#[derive(Debug, Subcommand)]
pub enum TickersAction {
    /// List tickers (sorted by ticker) with their category, state and last stored day.
    List {
        /// Only this category: kr, us, index or fx.
        #[arg(long, value_parser = |s: &str| Category::parse(s))]
        category: Option<Category>,
        /// Ticker prefix or name substring (case-insensitive).
        #[arg(long)]
        filter: Option<String>,
        /// Only tickers that updates collect.
        #[arg(long)]
        active: bool,
    },
    /// Add a ticker, validated as the side panel does (`005930`, `035720.KQ`, `AAPL`,
    /// `BRK.B`, `^KS11`, `KRW=X`); it is collected by the next update.
    Add {
        /// The symbol.
        symbol: String,
        /// Category (kr, us, index, fx); otherwise inferred from the symbol's shape.
        #[arg(long, value_parser = |s: &str| Category::parse(s))]
        category: Option<Category>,
        /// Display name (e.g. 삼성전자); the symbol is shown when none is given.
        #[arg(long)]
        name: Option<String>,
        /// Add it switched off: updates skip it until `tickers activate`.
        #[arg(long)]
        inactive: bool,
    },
    /// Remove a ticker (and take it out of every watchlist, naming them). A ticker with
    /// stored bars is removed (with its bars) only with `--yes`.
    Remove {
        /// The ticker.
        ticker: String,
        /// Also delete its stored bars.
        #[arg(long)]
        yes: bool,
    },
    /// Change a ticker's display name.
    Rename {
        /// The ticker.
        ticker: String,
        /// The new display name.
        name: String,
    },
    /// Let updates collect these tickers.
    Activate {
        /// The tickers.
        #[arg(required = true)]
        tickers: Vec<String>,
    },
    /// Stop updates from collecting these tickers (their bars stay).
    Deactivate {
        /// The tickers.
        #[arg(required = true)]
        tickers: Vec<String>,
    },
}

/// One ticker as printed with `--json`.
#[derive(Debug, Serialize)]
struct TickerJson<'a> {
    ticker: &'a str,
    name: &'a str,
    category: &'static str,
    source_symbol: Option<&'a str>,
    active: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_day: Option<NaiveDate>,
    /// `remove`: the watchlists the ticker was taken out of.
    #[serde(skip_serializing_if = "Option::is_none")]
    watchlists: Option<&'a [String]>,
}

impl<'a> TickerJson<'a> {
    fn of(meta: &'a TickerMeta, last_day: Option<NaiveDate>) -> Self {
        Self {
            ticker: meta.ticker.as_str(),
            name: &meta.name,
            category: meta.category().short_name(),
            source_symbol: meta.source_symbol.as_deref(),
            active: meta.active,
            last_day,
            watchlists: None,
        }
    }
}

/// Why a `tickers` command did not do what it was asked.
#[derive(Debug, thiserror::Error)]
enum TickersError {
    #[error(transparent)]
    Invalid(crate::model::ModelError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{ticker} has {bars} stored bars; pass --yes to remove them with it")]
    HasBars { ticker: String, bars: u64 },
}

/// Runs `wickview tickers`; see the module documentation for the exit codes.
pub fn run(
    args: &TickersArgs,
    store_args: &StoreArgs,
    runtime: &tokio::runtime::Runtime,
) -> anyhow::Result<ExitCode> {
    // A symbol that is invalid for its category fails before the store is opened.
    if let TickersAction::Add {
        symbol, category, ..
    } = &args.action
        && let Err(e) = parse_new(symbol, *category)
    {
        eprintln!("error: {e}");
        return Ok(ExitCode::from(EXIT_INVALID));
    }
    let result = runtime.block_on(async {
        let store = Store::open(&StoreConfig::resolve(store_args)?).await?;
        anyhow::Ok(execute(&store, args).await)
    })?;
    match result {
        Ok(text) => {
            if !text.is_empty() {
                let mut out = std::io::stdout().lock();
                writeln!(out, "{text}")?;
                out.flush()?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Ok(ExitCode::from(match e {
                TickersError::Invalid(_) | TickersError::Store(StoreError::InvalidTicker(_)) => {
                    EXIT_INVALID
                }
                TickersError::Store(_) | TickersError::HasBars { .. } => EXIT_REFUSED,
            }))
        }
    }
}

/// A new ticker's metadata from the `add` arguments, validated for its category.
fn parse_new(symbol: &str, category: Option<Category>) -> Result<TickerMeta, TickersError> {
    let category = category.unwrap_or_else(|| infer_category(symbol));
    let ticker = Ticker::parse(category, symbol).map_err(TickersError::Invalid)?;
    let mut meta = TickerMeta::new(ticker, "");
    if let Some(market) = Ticker::market_hint(symbol) {
        meta.source_symbol = Some(format!("{}{}", meta.ticker, market.suffix()));
    }
    Ok(meta)
}

async fn execute(store: &Store, args: &TickersArgs) -> Result<String, TickersError> {
    let json = args.json;
    match &args.action {
        TickersAction::List {
            category,
            filter,
            active,
        } => {
            let query = TickerQuery {
                category: *category,
                filter: filter.clone(),
                active_only: *active,
                offset: 0,
                limit: 0,
            };
            list(store, &query, json).await
        }
        TickersAction::Add {
            symbol,
            category,
            name,
            inactive,
        } => {
            let mut meta = parse_new(symbol, *category)?;
            meta.name = name.as_deref().unwrap_or("").trim().to_owned();
            meta.active = !inactive;
            store.add_ticker(&meta).await?;
            let stored = store.ticker(meta.ticker.as_str()).await?.unwrap_or(meta);
            let text = format!(
                "added {} ({}){}",
                stored.ticker,
                stored.category().short_name(),
                if stored.active { "" } else { ", inactive" }
            );
            Ok(one(json, &stored, text))
        }
        TickersAction::Remove { ticker, yes } => remove(store, ticker, *yes, json).await,
        TickersAction::Rename { ticker, name } => {
            let meta = store
                .update_ticker(
                    ticker,
                    &TickerEdit {
                        name: Some(name.clone()),
                        ..TickerEdit::default()
                    },
                )
                .await?;
            Ok(one(
                json,
                &meta,
                format!("renamed {} to {}", meta.ticker, meta.display_name()),
            ))
        }
        TickersAction::Activate { tickers } => set_active(store, tickers, true, json).await,
        TickersAction::Deactivate { tickers } => set_active(store, tickers, false, json).await,
    }
}

/// A changed ticker's line: `text`, or its JSON object with `--json`.
fn one(json: bool, meta: &TickerMeta, text: String) -> String {
    if json {
        serde_json::to_string(&TickerJson::of(meta, None)).unwrap_or_default()
    } else {
        text
    }
}

/// `tickers list`: the tickers `query` finds with their last stored days, as a table or
/// as a JSON array.
async fn list(store: &Store, query: &TickerQuery, json: bool) -> Result<String, TickersError> {
    let page = store.list_tickers(query).await?;
    let mut last: HashMap<(Category, String), NaiveDate> = HashMap::new();
    for c in Category::ALL {
        if page.items.iter().any(|m| m.category() == c) {
            for (t, d) in store.last_days(c).await? {
                last.insert((c, t), d);
            }
        }
    }
    let last_of = |m: &TickerMeta| {
        last.get(&(m.category(), m.ticker.as_str().to_owned()))
            .copied()
    };
    if json {
        let rows: Vec<TickerJson<'_>> = page
            .items
            .iter()
            .map(|m| TickerJson::of(m, last_of(m)))
            .collect();
        return Ok(serde_json::to_string(&rows).unwrap_or_default());
    }
    Ok(list_table(&page.items, last_of))
}

/// `tickers remove`: the ticker with its bars, taken out of its watchlists; one with bars
/// only with `yes`.
async fn remove(
    store: &Store,
    ticker: &str,
    yes: bool,
    json: bool,
) -> Result<String, TickersError> {
    let meta = store
        .ticker(ticker)
        .await?
        .ok_or_else(|| StoreError::UnknownTicker(ticker.trim().to_owned()))?;
    let bars = store.bar_count(meta.ticker.as_str()).await?;
    if bars > 0 && !yes {
        return Err(TickersError::HasBars {
            ticker: meta.ticker.as_str().to_owned(),
            bars,
        });
    }
    let deleted = store.delete_ticker(meta.ticker.as_str()).await?;
    if json {
        let row = TickerJson {
            watchlists: Some(&deleted.watchlists),
            ..TickerJson::of(&meta, None)
        };
        return Ok(serde_json::to_string(&row).unwrap_or_default());
    }
    let mut text = format!("removed {} and {} bars", meta.ticker, deleted.bars);
    if !deleted.watchlists.is_empty() {
        let names: Vec<String> = deleted.watchlists.iter().map(|n| shown(n)).collect();
        text.push_str(&format!("; taken out of watchlists {}", names.join(", ")));
    }
    Ok(text)
}

/// `tickers activate` / `deactivate`: every ticker is checked before any is changed, so a
/// typo changes nothing.
async fn set_active(
    store: &Store,
    tickers: &[String],
    active: bool,
    json: bool,
) -> Result<String, TickersError> {
    let mut lines = Vec::with_capacity(tickers.len());
    for t in tickers {
        if store.ticker(t).await?.is_none() {
            return Err(StoreError::UnknownTicker(t.trim().to_owned()).into());
        }
    }
    for t in tickers {
        let meta = store
            .update_ticker(
                t,
                &TickerEdit {
                    active: Some(active),
                    ..TickerEdit::default()
                },
            )
            .await?;
        lines.push(one(
            json,
            &meta,
            format!(
                "{} {}",
                if active { "activated" } else { "deactivated" },
                meta.ticker
            ),
        ));
    }
    Ok(lines.join("\n"))
}

/// The tickers as a text table (one row each, columns as wide as their widest cell), then
/// how many there are.
fn list_table(items: &[TickerMeta], last_of: impl Fn(&TickerMeta) -> Option<NaiveDate>) -> String {
    let mut table = comfy_table::Table::new();
    table
        .load_style(comfy_table::presets::NOTHING)
        .set_header(["ticker", "cat", "active", "source", "last day", "name"]);
    for m in items {
        table.add_row([
            m.ticker.as_str().to_owned(),
            m.category().short_name().to_owned(),
            if m.active { "yes" } else { "no" }.to_owned(),
            m.source_symbol.as_deref().unwrap_or("-").to_owned(),
            last_of(m).map_or_else(|| "-".to_owned(), |d| d.to_string()),
            m.name.clone(),
        ]);
    }
    // Cells start at their column's left edge, one space apart.
    for column in table.column_iter_mut() {
        column.set_padding((0, 1));
    }
    format!("{}\n{} tickers", table.trim_fmt(), items.len())
}

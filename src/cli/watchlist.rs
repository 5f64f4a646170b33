//! `wickview watchlist ...`: the watchlists the comparison view opens (`--compare @NAME`),
//! kept in the store.

use std::io::Write;

use clap::{Args, Subcommand};

use crate::model::shown;
use crate::store::{
    Store, StoreArgs, StoreConfig, WatchlistEdit, WatchlistError, split_ticker_list,
};

/// Arguments of `wickview watchlist`.
#[derive(Debug, Args)]
pub struct WatchlistArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: WatchlistAction,
}

/// The watchlist commands.
#[derive(Debug, Subcommand)]
pub enum WatchlistAction {
    /// List every watchlist with its number of tickers.
    List,
    /// Print a watchlist's tickers, one per line, in order.
    Show {
        /// The watchlist.
        name: String,
    },
    /// Create a watchlist (tickers may be given now, comma or space separated).
    Create {
        /// Its name.
        name: String,
        /// Tickers to put in it (must be in the ticker list).
        tickers: Vec<String>,
    },
    /// Append tickers to a watchlist (those in it already stay where they are).
    Add {
        /// The watchlist.
        name: String,
        /// Tickers to add (must be in the ticker list).
        #[arg(required = true)]
        tickers: Vec<String>,
    },
    /// Remove tickers from a watchlist.
    Remove {
        /// The watchlist.
        name: String,
        /// Tickers to remove.
        #[arg(required = true)]
        tickers: Vec<String>,
    },
    /// Rename a watchlist.
    Rename {
        /// Its name.
        name: String,
        /// The new name.
        new_name: String,
    },
    /// Delete a watchlist (its tickers and their bars stay).
    Delete {
        /// The watchlist.
        name: String,
    },
}

/// Runs `wickview watchlist ...`. Exit code 1 when some tickers were not in the ticker list
/// (the others are still added) or a watchlist to delete did not exist; errors (a missing
/// watchlist, a taken name) are reported by `main` with exit code 1 too.
pub fn run(
    args: &WatchlistArgs,
    store_args: &StoreArgs,
    runtime: &tokio::runtime::Runtime,
) -> anyhow::Result<std::process::ExitCode> {
    let ok = runtime.block_on(async {
        let store = Store::open(&StoreConfig::resolve(store_args)?).await?;
        let mut out = std::io::stdout().lock();
        let ok = execute(&store, &args.action, &mut out).await?;
        out.flush()?;
        anyhow::Ok(ok)
    })?;
    Ok(std::process::ExitCode::from(u8::from(!ok)))
}

/// Runs one action on `store`, listings to `out` and reports to stderr; returns whether it
/// did all it was asked (every ticker known, every ticker to remove in the watchlist, the
/// watchlist to delete found).
async fn execute(
    store: &Store,
    action: &WatchlistAction,
    out: &mut impl Write,
) -> anyhow::Result<bool> {
    Ok(match action {
        WatchlistAction::List => {
            for list in store.watchlists().await? {
                writeln!(out, "{}\t{}", list.name, list.tickers.len())?;
            }
            true
        }
        WatchlistAction::Show { name } => {
            for t in store.existing_watchlist(name).await?.tickers {
                writeln!(out, "{t}")?;
            }
            true
        }
        WatchlistAction::Create { name, tickers } => {
            let (known, all_known) = known_tickers(store, tickers).await?;
            let list = store.create_watchlist(name, &known).await?;
            eprintln!(
                "created watchlist {} with {} tickers",
                list.name,
                list.tickers.len()
            );
            all_known
        }
        WatchlistAction::Add { name, tickers } => {
            let (known, all_known) = known_tickers(store, tickers).await?;
            let list = store.add_to_watchlist(name, &known).await?;
            eprintln!(
                "watchlist {} holds {} tickers",
                list.name,
                list.tickers.len()
            );
            all_known
        }
        WatchlistAction::Remove { name, tickers } => remove(store, name, tickers).await?,
        WatchlistAction::Rename { name, new_name } => {
            let edited = store
                .edit_watchlist(name, WatchlistEdit::Rename(new_name.clone()))
                .await?;
            eprintln!(
                "renamed watchlist {} to {}",
                edited.before.name, edited.after.name
            );
            true
        }
        WatchlistAction::Delete { name } => {
            let found = store.delete_watchlist(name).await?;
            if found {
                eprintln!("deleted watchlist {}", name.trim());
            } else {
                eprintln!("{}", WatchlistError::NotFound(name.trim().to_owned()));
            }
            found
        }
    })
}

/// `watchlist remove`: returns whether every ticker was in the watchlist (those that were
/// not are reported).
async fn remove(store: &Store, name: &str, tickers: &[String]) -> anyhow::Result<bool> {
    let wanted = split_ticker_list(&tickers.join(","));
    let edited = store
        .edit_watchlist(name, WatchlistEdit::Remove(wanted.clone()))
        .await?;
    let list = edited.after;
    let missing: Vec<&String> = wanted
        .iter()
        .filter(|t| !edited.before.tickers.contains(t))
        .collect();
    for t in &missing {
        eprintln!("{}: not in watchlist {}", shown(t), list.name);
    }
    eprintln!(
        "watchlist {} holds {} tickers",
        list.name,
        list.tickers.len()
    );
    Ok(missing.is_empty())
}

/// The tickers of `args` (each may hold several, comma separated) that are in the ticker
/// list, and whether all were; unknown ones are reported on stderr.
async fn known_tickers(store: &Store, args: &[String]) -> anyhow::Result<(Vec<String>, bool)> {
    let wanted = split_ticker_list(&args.join(","));
    let (known, unknown) = store.resolve_tickers(&wanted).await?;
    for t in &unknown {
        eprintln!(
            "{}: not in the ticker list (add it first, e.g. with wickview import); skipped",
            shown(t)
        );
    }
    Ok((
        known.iter().map(|m| m.ticker.as_str().to_owned()).collect(),
        unknown.is_empty(),
    ))
}

//! `wickview verify [TICKER…] [--days N] [--source NAME] [--json]`: compares the stored
//! closes of the last N days with a second source and, for Korean stocks, checks the whole
//! stored history against the KRX daily price limit; `--refetch` replaces a history with the
//! one its first source serves.
//!
//! Exit code 0 when nothing was found, 1 when anything was reported (a close differing by
//! more than 0.5%, a day missing or extra, a move beyond the price limit, a ticker that could
//! not be compared or refetched), 2 for a usage or store error (one `error:` line).

use std::io::Write as _;

use clap::Args;
use futures::StreamExt as _;
use serde::Serialize;

use crate::check::DEFAULT_TOLERANCE;
use crate::model::shown;
use crate::source::{SourceConfig, SourceId};
use crate::store::{Store, StoreArgs, StoreConfig};
use crate::update::verify::{self, LastDays, TickerReport};

/// Arguments of `wickview verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Tickers to verify (default: every active ticker).
    #[arg(value_name = "TICKER")]
    pub tickers: Vec<String>,
    /// Calendar days compared, ending on each ticker's last stored day.
    #[arg(long, default_value_t = verify::DEFAULT_DAYS, value_parser = clap::value_parser!(u32).range(1..=20_000))]
    pub days: u32,
    /// The source to compare with (or, with --refetch, to fetch from): yahoo, naver, ecb or
    /// fred. Default: the first source covering the ticker other than the one that wrote its
    /// stored bars (that one when no other covers it).
    #[arg(long, value_name = "NAME", value_parser = parse_source)]
    pub source: Option<SourceId>,
    /// Print one JSON document instead of lines.
    #[arg(long)]
    pub json: bool,
    /// Base URL of a source, `NAME=URL` (repeatable): a mirror or a test server; a bare URL
    /// is Yahoo's (also WICKVIEW_SOURCE_URL). The config file's `[source.url]` applies too.
    #[arg(long = "source-url", value_name = "[NAME=]URL")]
    pub source_url: Vec<String>,
    /// Replace the stored history of the named tickers with the whole history of their
    /// first source that answers (or --source), printing what changed.
    #[arg(long, requires = "tickers")]
    pub refetch: bool,
}

fn parse_source(s: &str) -> Result<SourceId, String> {
    SourceId::parse(s).ok_or_else(|| {
        format!(
            "unknown source '{}' (the sources are {})",
            shown(s),
            SourceId::ALL.map(SourceId::name).join(", ")
        )
    })
}

/// Exit code of a usage or store error.
const EXIT_ERROR: u8 = 2;

/// Runs `wickview verify` and returns its exit code: 0 when nothing was found, 1 when
/// anything was reported, 2 for a usage or store error (printed as one `error:` line).
pub fn run(
    args: &VerifyArgs,
    store_args: &StoreArgs,
    runtime: &tokio::runtime::Runtime,
) -> anyhow::Result<std::process::ExitCode> {
    let outcome = runtime.block_on(async {
        if args.refetch {
            refetch_all(args, store_args).await
        } else {
            verify_all(args, store_args).await
        }
    });
    match outcome {
        Ok(found) => Ok(std::process::ExitCode::from(u8::from(found))),
        Err(err) => {
            eprintln!("error: {}", super::error_text(&err));
            Ok(std::process::ExitCode::from(EXIT_ERROR))
        }
    }
}

/// The sources' configuration: `--source-url` values (and `WICKVIEW_SOURCE_URL`), then the
/// config file's `[source]` table, as `update` reads them.
fn source_config(args: &VerifyArgs, store_args: &StoreArgs) -> anyhow::Result<SourceConfig> {
    let config = SourceConfig::from_flags(&args.source_url).map_err(anyhow::Error::msg)?;
    Ok(config.with_settings(&super::config::source_settings(store_args)?))
}

/// Downloads at once while verifying.
const CONCURRENCY: usize = 4;

async fn verify_all(args: &VerifyArgs, store_args: &StoreArgs) -> anyhow::Result<bool> {
    let store = Store::open_read_only(&StoreConfig::resolve(store_args)?).await?;
    let config = source_config(args, store_args)?;
    let set = verify::source_set(&config, args.source)?;
    let metas = verify::targets(&store, &args.tickers).await?;
    let last_days = LastDays::of(&store, &metas).await?;
    let (store, set) = (&store, &set);
    let mut reports = futures::stream::iter(metas.iter())
        .map(|meta| {
            verify::verify_one(
                store,
                set,
                meta,
                args.days,
                args.source,
                last_days.get(meta),
            )
        })
        .buffered(CONCURRENCY);
    let mut all = Vec::new();
    let mut out = std::io::stdout().lock();
    while let Some(report) = reports.next().await {
        let report = report?;
        if !args.json {
            for line in report.lines() {
                writeln!(out, "{line}")?;
            }
        }
        all.push(report);
    }
    let found = all.iter().filter(|r| r.has_findings()).count();
    if args.json {
        #[derive(Serialize)]
        struct Document<'a> {
            findings: bool,
            tolerance: f64,
            days: u32,
            tickers: &'a [TickerReport],
        }
        let doc = Document {
            findings: found > 0,
            tolerance: DEFAULT_TOLERANCE,
            days: args.days,
            tickers: &all,
        };
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        writeln!(
            out,
            "{} tickers verified: {} clean, {found} with findings",
            all.len(),
            all.len() - found
        )?;
    }
    out.flush()?;
    Ok(found > 0)
}

async fn refetch_all(args: &VerifyArgs, store_args: &StoreArgs) -> anyhow::Result<bool> {
    let store = Store::open(&StoreConfig::resolve(store_args)?).await?;
    let config = source_config(args, store_args)?;
    let set = verify::source_set(&config, args.source)?;
    let metas = verify::targets(&store, &args.tickers).await?;
    let mut found = false;
    let mut json = Vec::new();
    let mut out = std::io::stdout().lock();
    for meta in &metas {
        let t = meta.ticker.as_str();
        let result = verify::refetch_one(&store, &set, meta, args.source).await?;
        let mut lines = Vec::new();
        match &result {
            Ok(done) => {
                lines.extend(done.lines.iter().cloned());
                for b in &done.breaches {
                    lines.push(format!(
                        "{t}: still in {}'s history: {}",
                        done.source,
                        b.describe()
                    ));
                }
                found |= !done.breaches.is_empty();
            }
            Err(why) => {
                lines.push(format!("{t}: not replaced: {why}"));
                found = true;
            }
        }
        if args.json {
            json.push(serde_json::json!({
                "ticker": t,
                "replaced": result.is_ok(),
                "source": result.as_ref().ok().map(|d| d.source),
                "symbol": result.as_ref().ok().map(|d| d.symbol.clone()),
                "breaches": result.as_ref().map_or(&[][..], |d| &d.breaches[..]),
                "lines": lines,
            }));
        } else {
            for line in &lines {
                writeln!(out, "{line}")?;
            }
        }
    }
    if args.json {
        let doc = serde_json::json!({ "findings": found, "tickers": json });
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
    }
    out.flush()?;
    Ok(found)
}

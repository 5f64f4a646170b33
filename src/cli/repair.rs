//! `wickview repair [--dry-run] [--remove-bad-dates]`: brings a store written by other tools
//! (the earlier yfinance + pymongo scripts) to wickview's model; see
//! [`crate::store::RepairReport`].

use std::io::Write as _;

use clap::Args;

use crate::store::{Store, StoreArgs, StoreConfig};

/// Arguments of `wickview repair`.
#[derive(Debug, Args)]
pub struct RepairArgs {
    /// Report what would be repaired, change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Also delete the bars dated before 1900 or after tomorrow, which every repair lists
    /// and otherwise leaves as they are.
    #[arg(long)]
    pub remove_bad_dates: bool,
}

/// Runs `wickview repair`: prints one line per finding on stdout; exit code 0 (also when
/// unreadable rows were left alone, which are listed), 1 when the store failed. A dry run
/// also lists the Korean stocks' moves beyond the KRX daily price limit (which a repair
/// cannot fix: `wickview verify --refetch TICKER` replaces such a history).
pub fn run(
    args: &RepairArgs,
    store_args: &StoreArgs,
    runtime: &tokio::runtime::Runtime,
) -> anyhow::Result<std::process::ExitCode> {
    let (report, breaches) = runtime.block_on(async {
        let store = Store::open(&StoreConfig::resolve(store_args)?).await?;
        let mut report = store.repair(args.dry_run).await?;
        if args.remove_bad_dates {
            if !args.dry_run {
                report.bad_dates = store.remove_bad_dates().await?;
            }
            report.remove_bad_dates = true;
        }
        let breaches = if args.dry_run {
            crate::update::verify::korean_breach_lines(&store, &refetch_source(store_args)).await?
        } else {
            Vec::new()
        };
        anyhow::Ok((report, breaches))
    })?;
    let mut lines = report.lines();
    // Before the closing line ("nothing to repair" or "dry run: nothing was changed").
    let last = lines.pop();
    lines.extend(breaches);
    lines.extend(last);
    let mut out = std::io::stdout().lock();
    for line in lines {
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    Ok(std::process::ExitCode::SUCCESS)
}

/// The source `verify --refetch` takes a Korean stock's history from: the first of the
/// configured Korean route (the config file's `[source.order]`), else "its first source".
fn refetch_source(store_args: &StoreArgs) -> String {
    super::config::source_config(store_args, &[])
        .ok()
        .and_then(|c| {
            c.routes
                .for_category(crate::model::Category::KoreanStock)
                .first()
                .map(|id| id.name().to_owned())
        })
        .unwrap_or_else(|| "its first source".to_owned())
}

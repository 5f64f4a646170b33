//! `wickview export`: stored bars as CSV on stdout.

use std::io::Write as _;

use chrono::NaiveDate;
use clap::Args;

use crate::compute::indicators::Indicator;
use crate::import::{ExportOptions, export_ticker};
use crate::store::{Store, StoreArgs, StoreConfig};

/// Arguments of `wickview export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The ticker (`005930`, `AAPL`, `^GSPC`, `KRW=X`).
    pub ticker: String,
    /// First day, YYYY-MM-DD (inclusive).
    #[arg(long)]
    pub from: Option<NaiveDate>,
    /// Last day, YYYY-MM-DD (inclusive).
    #[arg(long)]
    pub to: Option<NaiveDate>,
    /// Simple moving averages to add, e.g. 5,20,60,120 (columns sma_5, …; empty until defined).
    #[arg(long, value_delimiter = ',')]
    pub ma: Vec<usize>,
    /// Add close_rebased_100: the close rebased to 100 at the first exported day.
    #[arg(long)]
    pub normalize: bool,
    /// Add an indicator's columns (repeatable), computed over the whole history with TA-Lib's
    /// semantics, then cut to --from/--to: rsi:14, macd:12,26,9, bb:20,2, stoch:14,3,3,
    /// atr:14, ema:10,20,30, obv, roc:10 (a bare name takes these defaults).
    #[arg(long = "indicator", value_name = "SPEC", value_parser = parse_indicator)]
    pub indicators: Vec<Indicator>,
    /// Total-return prices: adjusted for the stored dividends as well as splits (as if each
    /// dividend were reinvested; Yahoo's adjusted close). Averages and indicators follow.
    #[arg(long)]
    pub total_return: bool,
    /// Bars of d (daily, as stored), w (ISO weeks) or m (calendar months), each weekly or
    /// monthly bar dated by its last trading day; averages and indicators are computed on
    /// the bars written.
    #[arg(long, default_value = "d", value_parser = super::parse_interval)]
    pub interval: crate::compute::Interval,
}

fn parse_indicator(spec: &str) -> Result<Indicator, String> {
    spec.parse::<Indicator>().map_err(|e| e.to_string())
}

/// Runs `wickview export`, writing CSV to stdout.
pub fn run(
    args: &ExportArgs,
    store_args: &StoreArgs,
    runtime: &tokio::runtime::Runtime,
) -> anyhow::Result<std::process::ExitCode> {
    if let (Some(from), Some(to)) = (args.from, args.to)
        && from > to
    {
        anyhow::bail!("--from {from} is after --to {to}: that range holds no day");
    }
    // `--ma 5,5` is one column.
    let mut ma_windows: Vec<usize> = Vec::with_capacity(args.ma.len());
    for w in &args.ma {
        if !ma_windows.contains(w) {
            ma_windows.push(*w);
        }
    }
    let options = ExportOptions {
        from: args.from,
        to: args.to,
        ma_windows,
        normalize: args.normalize,
        indicators: args.indicators.clone(),
        total_return: args.total_return,
        interval: args.interval,
    };
    let rows = runtime.block_on(async {
        // Read-only: works on a read-only data directory and never writes to the file.
        let store = Store::open_read_only(&StoreConfig::resolve(store_args)?).await?;
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        let rows = export_ticker(&store, &args.ticker, &options, &mut out).await?;
        out.flush()?;
        anyhow::Ok(rows)
    })?;
    tracing::info!(rows, "exported");
    Ok(std::process::ExitCode::SUCCESS)
}

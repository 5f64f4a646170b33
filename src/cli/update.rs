//! `wickview update`: download what is newer than the stored bars, with a progress bar.

use std::io::IsTerminal as _;

use anyhow::Context as _;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use crate::model::Category;
use crate::store::{Store, StoreArgs, StoreConfig};
use crate::update::{UpdateConfig, UpdateEvent, UpdateJob, UpdateSummary};

/// Arguments of `wickview update`.
#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// Categories to update: kr, us, index, fx or all (comma-separated or repeated).
    #[arg(long, value_delimiter = ',', default_value = "all")]
    pub category: Vec<String>,
    /// Downloads at once.
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub concurrency: u32,
    /// Base URL of a download source (a mirror, a proxy, a test server): `NAME=URL` for a
    /// named source (yahoo, naver, ecb, fred), a bare URL for Yahoo; repeatable. Yahoo's
    /// also from WICKVIEW_SOURCE_URL.
    #[arg(long, value_name = "[NAME=]URL")]
    pub source_url: Vec<String>,
}

fn categories(names: &[String]) -> anyhow::Result<Vec<Category>> {
    let mut out = Vec::new();
    for name in names {
        if name.trim().eq_ignore_ascii_case("all") {
            out.extend(Category::ALL);
        } else {
            out.push(Category::parse(name)?);
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// Exit code when the run was cancelled (as a shell reports SIGINT).
const EXIT_CANCELLED: u8 = 130;

/// Runs `wickview update` and returns the exit code: 0 when every ticker was updated,
/// 1 when any failed, 130 when cancelled with Ctrl-C.
pub fn run(
    args: &UpdateArgs,
    store_args: &StoreArgs,
    runtime: &tokio::runtime::Runtime,
) -> anyhow::Result<std::process::ExitCode> {
    let categories = categories(&args.category)?;
    let summary = runtime.block_on(async {
        let config = StoreConfig::resolve(store_args)?;
        let store = Store::open(&config).await?;
        let source = super::config::source_config(store_args, &args.source_url)?;
        let update = UpdateConfig {
            categories,
            concurrency: args.concurrency as usize,
            ..UpdateConfig::default()
        };
        let (mut handle, job) = UpdateJob::spawn(store, source, update, &tokio::runtime::Handle::current());
        let cancel = handle.cancel_token();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                cancel.cancel();
            }
        });
        let tty = std::io::stderr().is_terminal();
        let bar = if tty { ProgressBar::new(0) } else { ProgressBar::hidden() };
        if let Ok(style) =
            ProgressStyle::with_template("{bar:30} {pos}/{len} tickers  {msg}  [{elapsed_precise}]")
        {
            bar.set_style(style);
        }
        let mut written = 0u64;
        let mut failed = 0usize;
        while let Some(event) = handle.events.recv().await {
            match event {
                UpdateEvent::Started { total } => {
                    bar.set_length(total as u64);
                    if !tty {
                        eprintln!("updating {total} tickers");
                    }
                }
                UpdateEvent::TickerDone { ticker, symbol, source, fallback, bars_written, skipped_nulls, rejected_bars, readjusted, .. } => {
                    written += bars_written;
                    bar.inc(1);
                    bar.set_message(format!("{written} bars written, {failed} failed"));
                    if !tty {
                        eprintln!("{ticker} ({symbol}, {source}): {bars_written} bars written, {skipped_nulls} null days skipped, {rejected_bars} impossible bars left out");
                    }
                    if let Some(why) = fallback {
                        let line = format!("{ticker}: served by {} because {why}", source.label());
                        if tty { bar.println(line) } else { eprintln!("{line}") }
                    }
                    if let Some(why) = readjusted {
                        let line = format!("{ticker}: {why}");
                        if tty { bar.println(line) } else { eprintln!("{line}") }
                    }
                }
                UpdateEvent::TickerFailed { ticker, reason, .. } => {
                    failed += 1;
                    bar.inc(1);
                    bar.set_message(format!("{written} bars written, {failed} failed"));
                    let line = format!("{ticker}: FAILED: {reason}");
                    if tty { bar.println(line) } else { eprintln!("{line}") }
                }
                UpdateEvent::BarsStored { written_so_far, .. } => {
                    bar.set_message(format!("{} bars written, {failed} failed", written + written_so_far));
                }
                UpdateEvent::Finished(_) | UpdateEvent::Cancelled(_) => {}
            }
        }
        bar.finish_and_clear();
        let summary = job.await.context("the update task")??;
        anyhow::Ok(summary)
    })?;
    report(&summary);
    Ok(std::process::ExitCode::from(if summary.cancelled {
        EXIT_CANCELLED
    } else {
        u8::from(!summary.failed.is_empty())
    }))
}

fn report(s: &UpdateSummary) {
    let state = if s.cancelled { "cancelled" } else { "done" };
    eprintln!(
        "update {state} in {:.1} s: {} of {} tickers updated, {} failed{}; {} bars written ({} new, {} changed, {} unchanged); {} null days skipped, {} impossible bars left out",
        s.elapsed.as_secs_f64(),
        s.succeeded,
        s.total,
        s.failed.len(),
        [
            (s.up_to_date, "already up to date"),
            (s.interrupted, "cancelled while downloading"),
            (s.not_attempted, "not attempted"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!(", {n} {what}"))
        .collect::<String>(),
        s.bars_written(),
        s.bars_inserted,
        s.bars_updated,
        s.bars_unchanged,
        s.skipped_nulls,
        s.rejected_bars,
    );
    if !s.served_by.is_empty() {
        let by: Vec<String> = s
            .served_by
            .iter()
            .map(|(id, n)| format!("{n} from {}", id.label()))
            .collect();
        eprintln!("  sources: {}", by.join(", "));
    }
    for (id, health) in &s.sources {
        if health.failures > 0 {
            eprintln!("  {}: {}", id.label(), health.describe());
        }
    }
    for (ticker, id, why) in &s.fallbacks {
        eprintln!("  {ticker}: served by {} ({why})", id.label());
    }
    for (ticker, why) in &s.readjusted {
        eprintln!("  {ticker}: {why}");
    }
    for (ticker, id, d) in &s.disagreements {
        eprintln!("  {}", crate::update::verify::overlap_line(ticker, *id, d));
    }
    for f in &s.failed {
        eprintln!("  failed: {}: {}", f.ticker, f.reason);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_lists() {
        assert_eq!(categories(&["all".into()]).unwrap(), Category::ALL.to_vec());
        assert_eq!(
            categories(&["fx".into(), "kr".into(), "fx".into()]).unwrap(),
            vec![Category::KoreanStock, Category::Currency]
        );
        assert!(categories(&["bonds".into()]).is_err());
    }
}

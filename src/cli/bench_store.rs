//! `wickview bench store`: write and read back many long series in each backend.
//!
//! Runs against a fresh embedded database in a temporary directory and, when a
//! MongoDB URI is configured (`--mongodb-uri`, `MONGODB_URI` or the config file), a
//! fresh database on that server (`wickview_bench_<pid>_<time>`, dropped afterwards).
//! The user's own data is never touched.

use std::io::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chrono::{Datelike as _, NaiveDate, Weekday};
use rand::{Rng as _, SeedableRng as _};
use serde::Serialize;

use crate::model::{Bar, Category, DailySeries, Ticker};
use crate::store::{Store, StoreArgs, StoreConfig};

/// Options of `wickview bench store`.
#[derive(Clone, Debug, clap::Args)]
pub struct BenchStoreArgs {
    /// Number of tickers to write and read back.
    #[arg(long, default_value_t = 500)]
    pub tickers: usize,
    /// Trading days per ticker (6,300 is about 25 years).
    #[arg(long, default_value_t = 6300)]
    pub days: usize,
    /// Repetitions of the single-ticker load (the median is reported).
    #[arg(long, default_value_t = 30)]
    pub loads: usize,
    /// Skip the embedded backend (only benchmark MongoDB).
    #[arg(long)]
    pub no_embedded: bool,
    /// Print the results as JSON.
    #[arg(long)]
    pub json: bool,
}

/// The results for one backend.
#[derive(Clone, Debug, Serialize)]
pub struct StoreBenchResult {
    /// `embedded` or `mongodb`.
    pub backend: String,
    /// Where it ran (`Store::describe`).
    pub location: String,
    /// Tickers written and read.
    pub tickers: usize,
    /// Days per ticker.
    pub days: usize,
    /// Time to upsert every bar (new rows), one `upsert_bars` call per ticker.
    pub write_ms: f64,
    /// Bars written per second.
    pub write_bars_per_s: f64,
    /// Time to upsert everything again (all rows unchanged).
    pub rewrite_ms: f64,
    /// Time to load every ticker's full series.
    pub read_ms: f64,
    /// Bars read per second.
    pub read_bars_per_s: f64,
    /// Median time to load one ticker's full series (`days` bars).
    pub load_one_median_ms: f64,
    /// Fastest single-ticker load.
    pub load_one_min_ms: f64,
}

/// Runs the benchmark and prints a table (or JSON) on stdout.
pub async fn run(args: &BenchStoreArgs, store_args: &StoreArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.tickers > 0 && args.days > 0,
        "--tickers and --days must be positive"
    );
    let series = synthetic_series(args.days, 7);
    let mut results = Vec::new();
    if !args.no_embedded {
        let dir = std::env::temp_dir().join(format!(
            "wickview-bench-{}-{}",
            std::process::id(),
            unique_suffix()
        ));
        let result = bench_embedded(args, &series, dir.clone()).await;
        if let Err(err) = std::fs::remove_dir_all(&dir) {
            tracing::warn!("could not remove {}: {err}", dir.display());
        }
        results.push(result?);
    }
    if let StoreConfig::Mongo { uri, .. } = StoreConfig::resolve(store_args)? {
        let db_name = format!("wickview_bench_{}_{}", std::process::id(), unique_suffix());
        let config = StoreConfig::Mongo { uri, db_name };
        let store = Store::open(&config)
            .await
            .with_context(|| format!("opening {}", config.describe()))?;
        let result = bench_store(args, &series, &store, "mongodb").await;
        if let Err(err) = store.drop_all_data().await {
            tracing::warn!("could not drop the benchmark database: {err}");
        }
        results.push(result?);
    } else {
        tracing::info!("no MongoDB URI configured: benchmarking the embedded store only");
    }
    print_results(&results, args.json)
}

async fn bench_embedded(
    args: &BenchStoreArgs,
    series: &DailySeries,
    dir: PathBuf,
) -> anyhow::Result<StoreBenchResult> {
    let store = Store::open(&StoreConfig::Embedded { data_dir: dir }).await?;
    bench_store(args, series, &store, "embedded").await
}

async fn bench_store(
    args: &BenchStoreArgs,
    series: &DailySeries,
    store: &Store,
    backend: &str,
) -> anyhow::Result<StoreBenchResult> {
    let tickers: Vec<Ticker> = (0..args.tickers)
        .map(|i| Ticker::parse(Category::UsStock, &format!("BN{i:05}")))
        .collect::<Result<_, _>>()?;
    let total_bars = (args.tickers * series.len()) as f64;

    let started = Instant::now();
    for ticker in &tickers {
        let summary = store.upsert_bars(ticker, series).await?;
        anyhow::ensure!(
            summary.inserted == series.len() as u64,
            "{ticker}: expected {} new bars, got {summary:?}",
            series.len()
        );
    }
    let write = started.elapsed();

    let started = Instant::now();
    for ticker in &tickers {
        let summary = store.upsert_bars(ticker, series).await?;
        anyhow::ensure!(
            summary.unchanged == series.len() as u64,
            "{ticker}: expected only unchanged bars, got {summary:?}"
        );
    }
    let rewrite = started.elapsed();

    let started = Instant::now();
    for ticker in &tickers {
        let loaded = store.load_series(ticker, None).await?;
        anyhow::ensure!(
            loaded.len() == series.len() && loaded.close() == series.close(),
            "{ticker}: read back {} bars that differ from the {} written",
            loaded.len(),
            series.len()
        );
    }
    let read = started.elapsed();

    let mut loads = Vec::with_capacity(args.loads.max(1));
    for _ in 0..args.loads.max(1) {
        let started = Instant::now();
        let loaded = store.load_series(&tickers[0], None).await?;
        loads.push(started.elapsed());
        anyhow::ensure!(loaded.len() == series.len(), "single load lost bars");
    }
    loads.sort_unstable();

    Ok(StoreBenchResult {
        backend: backend.to_owned(),
        location: store.describe(),
        tickers: args.tickers,
        days: series.len(),
        write_ms: ms(write),
        write_bars_per_s: total_bars / write.as_secs_f64().max(1e-9),
        rewrite_ms: ms(rewrite),
        read_ms: ms(read),
        read_bars_per_s: total_bars / read.as_secs_f64().max(1e-9),
        load_one_median_ms: ms(loads[loads.len() / 2]),
        load_one_min_ms: ms(loads[0]),
    })
}

fn print_results(results: &[StoreBenchResult], json: bool) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        out.write_all(json_lines(results)?.as_bytes())?;
        return Ok(());
    }
    for r in results {
        writeln!(out, "{} ({})", r.backend, r.location)?;
        writeln!(
            out,
            "  write    {:>6} tickers x {} days: {:>10.1} ms  {:>12.0} bars/s",
            r.tickers, r.days, r.write_ms, r.write_bars_per_s
        )?;
        writeln!(
            out,
            "  rewrite  (all unchanged):          {:>10.1} ms",
            r.rewrite_ms
        )?;
        writeln!(
            out,
            "  read back all:                     {:>10.1} ms  {:>12.0} bars/s",
            r.read_ms, r.read_bars_per_s
        )?;
        writeln!(
            out,
            "  load one ticker ({} bars):       {:>10.2} ms median, {:.2} ms min",
            r.days, r.load_one_median_ms, r.load_one_min_ms
        )?;
    }
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn unique_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

/// A deterministic random-walk series of `days` weekdays starting 2000-01-03.
pub fn synthetic_series(days: usize, seed: u64) -> DailySeries {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut date = NaiveDate::from_ymd_opt(2000, 1, 3).unwrap_or_default();
    let mut close = 100.0_f64;
    let mut bars = Vec::with_capacity(days);
    while bars.len() < days {
        if !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            let open = close;
            close = (close * (1.0 + rng.random_range(-0.03..0.03))).max(0.01);
            let high = open.max(close) * (1.0 + rng.random_range(0.0..0.01));
            let low = open.min(close) * (1.0 - rng.random_range(0.0..0.01));
            let mut bar = Bar::ohlc(date, open, high, low, close);
            bar.volume = f64::from(rng.random_range(1_000..10_000_000_u32));
            bars.push(bar);
        }
        date = date.succ_opt().unwrap_or(date);
    }
    DailySeries::from_bars(bars).0
}

/// One JSON object per line, as the other `bench` commands print them.
fn json_lines(results: &[StoreBenchResult]) -> anyhow::Result<String> {
    let mut text = String::new();
    for r in results {
        text.push_str(&serde_json::to_string(r)?);
        text.push('\n');
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_series_is_valid_and_deterministic() {
        let a = synthetic_series(300, 1);
        assert_eq!(a.len(), 300);
        assert_eq!(a, synthetic_series(300, 1));
        assert!(
            a.days()
                .iter()
                .all(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        );
        let (rebuilt, issues) = DailySeries::from_bars(a.bars());
        assert!(issues.is_empty());
        assert_eq!(rebuilt, a);
    }

    #[tokio::test]
    async fn small_embedded_run_reads_back_what_it_wrote() {
        let dir = tempfile::tempdir().unwrap();
        let args = BenchStoreArgs {
            tickers: 3,
            days: 50,
            loads: 2,
            no_embedded: false,
            json: true,
        };
        let series = synthetic_series(args.days, 7);
        let r = bench_embedded(&args, &series, dir.path().join("db"))
            .await
            .unwrap();
        assert_eq!((r.tickers, r.days), (3, 50));
        assert!(r.write_bars_per_s > 0.0 && r.load_one_min_ms <= r.load_one_median_ms);
        // --json: one object per line, like `bench compute --json`.
        let text = json_lines(&[r.clone(), r]).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        for line in lines {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(v["tickers"], 3);
        }
    }
}

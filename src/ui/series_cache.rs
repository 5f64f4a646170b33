//! Loaded series shared by every view: each ticker is loaded from the store (and its
//! pyramids built) once, in the background, and reloaded when an update writes new bars.
//!
//! The cache is bounded by bytes ([`DEFAULT_BUDGET_BYTES`], estimated per bar): past the
//! budget, the series viewed least recently are dropped (never one viewed in the last two
//! frames), and load again when viewed. Generations only ever grow, also across
//! [`SeriesCache::clear`], so a view never mistakes new data for what it already shows.
//!
//! Every series is loaded on one price basis, the cache's: split-adjusted as stored, or
//! total return (dividends reinvested, [`crate::compute::adjust`]). Switching the basis
//! reloads what is loaded, so the views refresh through their generations.

use std::collections::HashMap;
use std::sync::Arc;

use poll_promise::Promise;

use super::bg;
use super::chart::ChartSeries;
use crate::compute::adjust;
use crate::model::{DailySeries, TickerMeta};
use crate::store::Store;

/// A ticker ready to chart.
#[derive(Clone)]
pub struct LoadedSeries {
    /// Its metadata.
    pub meta: TickerMeta,
    /// Bars and pyramids.
    pub chart: ChartSeries,
    /// Bumped each time the ticker is reloaded, so views know to refresh.
    pub generation: u64,
    /// Whether the prices are total return (dividend-adjusted) and the series had
    /// dividends to apply.
    pub total_return: bool,
}

/// Chart label of a ticker: `삼성전자 (005930)`, or the symbol alone when it has no name.
pub fn series_label(meta: &TickerMeta) -> String {
    let name = meta.display_name();
    if name == meta.ticker.as_str() {
        name.to_owned()
    } else {
        format!("{name} ({})", meta.ticker)
    }
}

type LoadResult = Result<(TickerMeta, ChartSeries, bool), String>;

/// The default memory budget of the cache.
pub const DEFAULT_BUDGET_BYTES: usize = 512 << 20;

/// Memory of one loaded bar, estimated: the columns of the series (a day and seven
/// values).
const BYTES_PER_BAR: usize = 64;

/// Memory of one bar's pyramids once a candle chart built them: the candle and close-line
/// pyramids (about twice the bars, on the CPU and in GPU buffers).
const PYRAMID_BYTES_PER_BAR: usize = 2 * 2 * (24 + 16);

/// The estimated memory of a loaded series.
fn approx_bytes(chart: &ChartSeries) -> usize {
    let per_bar = if chart.has_pyramids() {
        BYTES_PER_BAR + PYRAMID_BYTES_PER_BAR
    } else {
        BYTES_PER_BAR
    };
    chart.len().max(1) * per_bar
}

/// The cache.
pub struct SeriesCache {
    loaded: HashMap<String, LoadedSeries>,
    pending: HashMap<String, Promise<LoadResult>>,
    errors: HashMap<String, String>,
    generation: u64,
    /// Frame (poll) of each loaded ticker's last request.
    used: HashMap<String, u64>,
    frame: u64,
    budget_bytes: usize,
    /// Load total-return (dividend-adjusted) prices.
    total_return: bool,
}

impl Default for SeriesCache {
    fn default() -> Self {
        Self::with_budget(DEFAULT_BUDGET_BYTES)
    }
}

async fn load(store: Store, ticker: String, total_return: bool) -> LoadResult {
    let meta = store
        .ticker(&ticker)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("{ticker} is not in the ticker list"))?;
    let series: DailySeries = store
        .load_series(&meta.ticker, None)
        .await
        .map_err(|e| e.to_string())?;
    let label = series_label(&meta);
    let price_format = super::chart::PriceFormat::for_ticker(&meta);
    // Adjusting and building the pyramids are passes over the bars: keep them off the
    // async workers.
    let (chart, adjusted) = tokio::task::spawn_blocking(move || {
        let adjusted = total_return && adjust::has_dividends(&series);
        let series = if adjusted {
            adjust::total_return(&series)
        } else {
            series
        };
        let chart = ChartSeries::new(label, Arc::new(series)).with_price_format(price_format);
        (chart, adjusted)
    })
    .await
    .map_err(|e| format!("building the chart data failed: {e}"))?;
    Ok((meta, chart, adjusted))
}

impl SeriesCache {
    /// An empty cache that keeps at most about `budget_bytes` of series.
    pub fn with_budget(budget_bytes: usize) -> Self {
        Self {
            loaded: HashMap::new(),
            pending: HashMap::new(),
            errors: HashMap::new(),
            generation: 0,
            used: HashMap::new(),
            frame: 0,
            budget_bytes,
            total_return: false,
        }
    }

    /// Whether series load as total return (dividend-adjusted).
    pub fn total_return(&self) -> bool {
        self.total_return
    }

    /// Sets the price basis: total return (dividends reinvested) or split-adjusted as
    /// stored. A change reloads every loaded series on the new basis (the old data stays
    /// shown until then) and restarts loads under way.
    pub fn set_total_return(
        &mut self,
        on: bool,
        rt: &tokio::runtime::Handle,
        ctx: &egui::Context,
        store: &Store,
    ) {
        if on == self.total_return {
            return;
        }
        self.total_return = on;
        let mut again: Vec<String> = self.loaded.keys().cloned().collect();
        again.extend(self.pending.drain().map(|(t, _)| t));
        again.sort();
        again.dedup();
        for ticker in again {
            self.start(&ticker, rt, ctx, store);
        }
    }

    /// Estimated bytes of every loaded series.
    pub fn bytes(&self) -> usize {
        self.loaded.values().map(|l| approx_bytes(&l.chart)).sum()
    }

    /// Tickers loaded now.
    pub fn loaded_tickers(&self) -> Vec<String> {
        let mut out: Vec<String> = self.loaded.keys().cloned().collect();
        out.sort();
        out
    }

    /// Drops the least recently viewed series until the cache fits its budget, sparing
    /// those viewed in this frame or the last.
    fn evict(&mut self) {
        let mut bytes = self.bytes();
        while bytes > self.budget_bytes {
            let oldest = self
                .loaded
                .keys()
                .map(|k| (self.used.get(k).copied().unwrap_or(0), k))
                .filter(|(used, _)| used + 1 < self.frame)
                .min()
                .map(|(_, k)| k.clone());
            let Some(ticker) = oldest else {
                break;
            };
            if let Some(gone) = self.loaded.remove(&ticker) {
                bytes = bytes.saturating_sub(approx_bytes(&gone.chart));
                tracing::debug!(%ticker, "series cache: dropped (least recently viewed)");
            }
            self.used.remove(&ticker);
        }
    }

    /// Drains finished loads; called once per frame.
    pub fn poll(&mut self) {
        self.frame += 1;
        let done: Vec<String> = self
            .pending
            .iter()
            .filter(|(_, p)| p.ready().is_some())
            .map(|(k, _)| k.clone())
            .collect();
        for ticker in done {
            let Some(promise) = self.pending.remove(&ticker) else {
                continue;
            };
            let Ok(result) = promise.try_take() else {
                continue;
            };
            match result {
                Ok((meta, chart, total_return)) => {
                    self.generation += 1;
                    self.errors.remove(&ticker);
                    self.loaded.insert(
                        ticker,
                        LoadedSeries {
                            meta,
                            chart,
                            generation: self.generation,
                            total_return,
                        },
                    );
                }
                Err(e) => {
                    tracing::warn!("loading {ticker} failed: {e}");
                    self.errors.insert(ticker, e);
                }
            }
        }
        self.evict();
    }

    /// The loaded series of `ticker`, starting a load if there is none (and none failed).
    pub fn request(
        &mut self,
        ticker: &str,
        rt: &tokio::runtime::Handle,
        ctx: &egui::Context,
        store: &Store,
    ) -> Option<&LoadedSeries> {
        if !self.loaded.contains_key(ticker)
            && !self.pending.contains_key(ticker)
            && !self.errors.contains_key(ticker)
        {
            self.start(ticker, rt, ctx, store);
        }
        self.used.insert(ticker.to_owned(), self.frame);
        self.loaded.get(ticker)
    }

    fn start(
        &mut self,
        ticker: &str,
        rt: &tokio::runtime::Handle,
        ctx: &egui::Context,
        store: &Store,
    ) {
        let promise = bg::spawn(
            rt,
            ctx,
            load(store.clone(), ticker.to_owned(), self.total_return),
        );
        self.pending.insert(ticker.to_owned(), promise);
    }

    /// Reloads `ticker` if it is loaded or failed (new bars were written, or it was edited).
    /// The old data stays shown until the new data is there.
    pub fn reload(
        &mut self,
        ticker: &str,
        rt: &tokio::runtime::Handle,
        ctx: &egui::Context,
        store: &Store,
    ) {
        let known = self.loaded.contains_key(ticker) || self.errors.remove(ticker).is_some();
        if known && !self.pending.contains_key(ticker) {
            self.start(ticker, rt, ctx, store);
        }
    }

    /// Forgets `ticker` (it was deleted).
    pub fn forget(&mut self, ticker: &str) {
        self.loaded.remove(ticker);
        self.used.remove(ticker);
        self.pending.remove(ticker);
        self.errors.remove(ticker);
    }

    /// Forgets everything (the store changed). The generation keeps counting up, so a
    /// series loaded after this never carries a generation a view saw before.
    pub fn clear(&mut self) {
        *self = Self {
            generation: self.generation,
            frame: self.frame,
            total_return: self.total_return,
            ..Self::with_budget(self.budget_bytes)
        };
    }

    /// Whether `ticker` is being loaded.
    pub fn is_loading(&self, ticker: &str) -> bool {
        self.pending.contains_key(ticker)
    }

    /// Whether any load is under way.
    pub fn any_loading(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Why `ticker` could not be loaded, if it could not.
    pub fn error(&self, ticker: &str) -> Option<&str> {
        self.errors.get(ticker).map(String::as_str)
    }

    /// The loaded series of `ticker`, without starting a load.
    pub fn get(&self, ticker: &str) -> Option<&LoadedSeries> {
        self.loaded.get(ticker)
    }

    /// Clears a failure so the next request tries again.
    pub fn retry(&mut self, ticker: &str) {
        self.errors.remove(ticker);
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;
    use crate::model::{Bar, Category, Ticker};
    use crate::store::StoreConfig;

    struct Fixture {
        rt: tokio::runtime::Runtime,
        store: Store,
        ctx: egui::Context,
        _dir: tempfile::TempDir,
    }

    /// A store with tickers `T0..Tn`, each of `bars` bars.
    fn fixture(n: usize, bars: usize) -> Fixture {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let store = rt.block_on(async {
            let store = Store::open(&StoreConfig::Embedded {
                data_dir: dir.path().to_path_buf(),
            })
            .await
            .unwrap();
            for i in 0..n {
                let ticker = Ticker::parse(Category::UsStock, &format!("T{i}")).unwrap();
                store
                    .add_ticker(&TickerMeta::new(ticker.clone(), "t"))
                    .await
                    .unwrap();
                let start = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
                let (series, _) = DailySeries::from_bars((0..bars).map(|d| {
                    let day = start + chrono::Days::new(d as u64);
                    Bar::ohlc(day, 10.0, 11.0, 9.0, 10.5)
                }));
                store.upsert_bars(&ticker, &series).await.unwrap();
            }
            store
        });
        Fixture {
            rt,
            store,
            ctx: egui::Context::default(),
            _dir: dir,
        }
    }

    /// Requests `ticker` every frame until it is loaded; returns its generation.
    fn load(cache: &mut SeriesCache, f: &Fixture, ticker: &str) -> u64 {
        let started = Instant::now();
        loop {
            cache.poll();
            if let Some(l) = cache.request(ticker, f.rt.handle(), &f.ctx, &f.store) {
                return l.generation;
            }
            assert!(cache.error(ticker).is_none(), "{:?}", cache.error(ticker));
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "{ticker} never loaded"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    #[test]
    fn generations_keep_growing_across_a_reconnect() {
        let f = fixture(1, 10);
        let mut cache = SeriesCache::default();
        let before = load(&mut cache, &f, "T0");
        cache.clear();
        assert!(cache.get("T0").is_none());
        let after = load(&mut cache, &f, "T0");
        assert!(
            after > before,
            "generation {after} after clear, {before} before"
        );
    }

    #[test]
    fn switching_to_total_return_reloads_with_dividend_adjusted_prices() {
        let f = fixture(1, 10);
        // T1: closes 10.5 every day, a dividend of 0.21 on the 6th day (close before: 10.5).
        let ticker = Ticker::parse(Category::UsStock, "T1").unwrap();
        f.rt.block_on(async {
            f.store
                .add_ticker(&TickerMeta::new(ticker.clone(), "t"))
                .await
                .unwrap();
            let start = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
            let (series, _) = DailySeries::from_bars((0..10u64).map(|d| Bar {
                dividends: if d == 5 { 0.21 } else { 0.0 },
                ..Bar::ohlc(start + chrono::Days::new(d), 10.0, 11.0, 9.0, 10.5)
            }));
            f.store.upsert_bars(&ticker, &series).await.unwrap();
        });
        let mut cache = SeriesCache::default();
        let before = load(&mut cache, &f, "T1");
        load(&mut cache, &f, "T0");
        assert!(!cache.get("T1").unwrap().total_return);
        assert_eq!(cache.get("T1").unwrap().chart.series.close()[0], 10.5);

        cache.set_total_return(true, f.rt.handle(), &f.ctx, &f.store);
        assert!(
            cache.is_loading("T1") && cache.is_loading("T0"),
            "both reload"
        );
        // The old data stays until the new arrives.
        assert!(cache.get("T1").is_some());
        let started = Instant::now();
        while cache.any_loading() {
            assert!(started.elapsed() < Duration::from_secs(20));
            cache.poll();
            std::thread::sleep(Duration::from_millis(2));
        }
        let t1 = cache.get("T1").unwrap();
        assert!(t1.generation > before && t1.total_return);
        let closes = t1.chart.series.close();
        let factor = 1.0 - 0.21 / 10.5;
        assert!((closes[4] - 10.5 * factor).abs() < 1e-12, "{closes:?}");
        assert_eq!(closes[5], 10.5, "from the ex-day on, as paid");
        // A series without dividends is not marked as adjusted.
        assert!(!cache.get("T0").unwrap().total_return);
    }

    #[test]
    fn the_least_recently_viewed_series_goes_past_the_budget() {
        let f = fixture(3, 100);
        let one = 100 * BYTES_PER_BAR;
        let mut cache = SeriesCache::with_budget(2 * one + one / 2);
        load(&mut cache, &f, "T0");
        load(&mut cache, &f, "T1");
        // T0 viewed again, later than T1.
        for _ in 0..3 {
            cache.poll();
            cache.request("T0", f.rt.handle(), &f.ctx, &f.store);
        }
        load(&mut cache, &f, "T2");
        for _ in 0..3 {
            cache.poll();
        }
        assert_eq!(cache.loaded_tickers(), ["T0", "T2"]);
        assert!(cache.bytes() <= 2 * one + one / 2);
    }
}

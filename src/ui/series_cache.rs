//! Loaded series shared by every view: each ticker is loaded from the store (and its
//! pyramids built) once, in the background, and reloaded when an update writes new bars.
//!
//! The cache is bounded by bytes ([`DEFAULT_BUDGET_BYTES`], estimated per bar): past the
//! budget, the series viewed least recently are dropped (never one viewed in the last two
//! frames), and load again when viewed. Generations only ever grow, also across
//! [`SeriesCache::clear`], so a view never mistakes new data for what it already shows.

use std::collections::HashMap;
use std::sync::Arc;

use poll_promise::Promise;

use super::bg;
use super::chart::ChartSeries;
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

type LoadResult = Result<(TickerMeta, ChartSeries), String>;

/// The default memory budget of the cache.
pub const DEFAULT_BUDGET_BYTES: usize = 512 << 20;

/// Memory of one loaded bar, estimated: the columns of the series (a day and seven
/// values), the candle and close-line pyramids (about twice the bars, on the CPU and in
/// GPU buffers).
const BYTES_PER_BAR: usize = 64 + 2 * 2 * (24 + 16);

/// The estimated memory of a loaded series.
fn approx_bytes(chart: &ChartSeries) -> usize {
    chart.len().max(1) * BYTES_PER_BAR
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
}

impl Default for SeriesCache {
    fn default() -> Self {
        Self::with_budget(DEFAULT_BUDGET_BYTES)
    }
}

async fn load(store: Store, ticker: String) -> LoadResult {
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
    // Building the pyramids is one pass over the bars: keep it off the async workers.
    let chart = tokio::task::spawn_blocking(move || ChartSeries::new(label, Arc::new(series)))
        .await
        .map_err(|e| format!("building the chart data failed: {e}"))?;
    Ok((meta, chart))
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
                Ok((meta, chart)) => {
                    self.generation += 1;
                    self.errors.remove(&ticker);
                    self.loaded.insert(
                        ticker,
                        LoadedSeries {
                            meta,
                            chart,
                            generation: self.generation,
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
        let promise = bg::spawn(rt, ctx, load(store.clone(), ticker.to_owned()));
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

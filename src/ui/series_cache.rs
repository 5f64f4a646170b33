//! Loaded series shared by every view: each ticker is loaded from the store (and its
//! pyramids built) once, in the background, and reloaded when an update writes new bars.

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

/// The cache.
#[derive(Default)]
pub struct SeriesCache {
    loaded: HashMap<String, LoadedSeries>,
    pending: HashMap<String, Promise<LoadResult>>,
    errors: HashMap<String, String>,
    generation: u64,
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
    /// Drains finished loads.
    pub fn poll(&mut self) {
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
        self.pending.remove(ticker);
        self.errors.remove(ticker);
    }

    /// Forgets everything (the store changed).
    pub fn clear(&mut self) {
        *self = Self::default();
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

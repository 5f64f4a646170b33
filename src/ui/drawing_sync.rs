//! Keeps a chart's drawings in the store: loads the drawings of the ticker a chart shows,
//! and saves the set whenever the user changes it, all in the background (a drawing never
//! blocks a frame). Saves are sent one at a time, the latest set last, so the store ends
//! with what the user sees; a change made while the previous save runs is sent after it.

use poll_promise::Promise;

use super::bg;
use super::chart::CandleChart;
use crate::model::Drawing;
use crate::store::Store;

type Pending<T> = Option<Promise<Result<T, String>>>;

/// The store side of one chart's drawings.
#[derive(Default)]
pub struct DrawingSync {
    /// The ticker whose drawings are in the chart (or loading).
    ticker: Option<String>,
    load: Pending<Vec<Drawing>>,
    save: Pending<()>,
    queued: Option<(String, Vec<Drawing>)>,
    error: Option<String>,
}

impl DrawingSync {
    /// Brings `chart`'s drawings in line with the store for `ticker` (the ticker whose
    /// bars the chart shows): loads them when the ticker changes, saves the user's changes.
    pub fn sync(
        &mut self,
        chart: &mut CandleChart,
        ticker: &str,
        rt: &tokio::runtime::Handle,
        ctx: &egui::Context,
        store: Option<&Store>,
    ) {
        // Changes belong to the ticker they were drawn on: queue them before switching.
        if let Some(set) = chart.drawings_mut().take_changed()
            && let Some(t) = &self.ticker
        {
            self.queued = Some((t.clone(), set));
        }
        if self.ticker.as_deref() != Some(ticker) {
            self.ticker = Some(ticker.to_owned());
            self.error = None;
            chart.drawings_mut().begin_loading();
            self.load = store.map(|s| {
                let (s, t) = (s.clone(), ticker.to_owned());
                bg::spawn(rt, ctx, async move {
                    s.drawings(&t).await.map_err(|e| e.to_string())
                })
            });
        }
        match bg::take_ready(&mut self.load) {
            Some(Ok(set)) => chart.drawings_mut().set_drawings(set),
            // The tools stay off: drawing now could overwrite the stored drawings.
            Some(Err(e)) => self.error = Some(format!("Could not load the drawings: {e}")),
            None => {}
        }
        if let Some(result) = bg::take_ready(&mut self.save)
            && let Err(e) = result
        {
            self.error = Some(format!("Could not save the drawings: {e}"));
        }
        if self.save.is_none()
            && let Some(store) = store
            && let Some((t, set)) = self.queued.take()
        {
            let s = store.clone();
            self.save = Some(bg::spawn(rt, ctx, async move {
                s.save_drawings(&t, &set).await.map_err(|e| e.to_string())
            }));
        }
    }

    /// Loads the drawings again (after a failed load).
    pub fn retry(&mut self) {
        self.ticker = None;
    }

    /// Whether a load or save is still under way.
    pub fn is_busy(&self) -> bool {
        self.load.is_some() || self.save.is_some() || self.queued.is_some()
    }

    /// The last load or save error.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }
}

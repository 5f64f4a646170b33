//! The demo window, without a store (docs, bug reports, benchmarks): a series from a CSV
//! file or N synthetic series, and the `--screenshot` mode that saves a
//! PNG once everything shown has loaded and then closes the window.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use super::chart::{CandleChart, ChartSeries, ComparisonChart, RangePreset};
use super::series_list::{ListAction, SeriesList};
use super::theme::CandleColors;
use crate::model::{Category, DailySeries};

/// Errors of the demo data sources and the screenshot.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The CSV file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The CSV file has no usable layout, or no good row.
    #[error("{path}: {reason}")]
    Import {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The CSV file has no usable bar.
    #[error("{0}: no valid bars")]
    Empty(PathBuf),
    /// The screenshot could not be saved.
    #[error("cannot save the screenshot to {path}: {reason}")]
    Screenshot {
        /// Target file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

/// Reads a CSV of daily bars with the import module's reader (Yahoo/yfinance or plain
/// `date,open,high,low,close[,volume]` layouts). Rows the reader leaves out are logged; a file
/// with no usable bar is an error naming the first bad row.
pub fn read_csv(path: &Path) -> Result<DailySeries, DemoError> {
    let file = std::fs::File::open(path).map_err(|source| DemoError::Read {
        path: path.to_owned(),
        source,
    })?;
    let parsed = crate::import::csv::read_csv(std::io::BufReader::new(file)).map_err(|e| {
        DemoError::Import {
            path: path.to_owned(),
            reason: e.to_string(),
        }
    })?;
    for bad in parsed.bad_rows.iter().take(5) {
        tracing::warn!(file = %path.display(), "{bad}");
    }
    if parsed.series.is_empty() {
        return Err(match parsed.bad_rows.first() {
            Some(bad) => DemoError::Import {
                path: path.to_owned(),
                reason: bad.to_string(),
            },
            None => DemoError::Empty(path.to_owned()),
        });
    }
    Ok(parsed.series)
}

/// `n` synthetic daily series of `days` weekdays each, from the compute module's seeded
/// panel generator (every run draws the same data).
pub fn synthetic_panel(n: usize, days: usize, seed: u64) -> Vec<DailySeries> {
    crate::compute::panel::SyntheticPanel::generate(n, days, seed).all_daily_series()
}

/// What the demo window shows.
#[derive(Clone, Debug)]
pub enum DemoSource {
    /// One series from a CSV file, as candles.
    Csv {
        /// The file.
        path: PathBuf,
        /// Category (decides up/down colours and moving averages).
        category: Category,
    },
    /// `series` synthetic series of `days` days: candles for one, a comparison for more.
    Synthetic {
        /// Number of series.
        series: usize,
        /// Days per series.
        days: usize,
    },
}

enum Shown {
    Candles(Box<CandleChart>),
    Comparison(Box<ComparisonChart>, SeriesList, Vec<String>),
}

/// The demo eframe app.
pub struct DemoApp {
    shown: Shown,
    range: RangePreset,
    range_applied: bool,
    screenshot: Option<PathBuf>,
    screenshot_requested: bool,
    frames_ready: u32,
    shot_rx: Option<Receiver<Arc<egui::ColorImage>>>,
    shot_tx: SyncSender<Arc<egui::ColorImage>>,
    /// Set when the screenshot could not be saved (read by the CLI after the window closes).
    pub error: Arc<std::sync::Mutex<Option<String>>>,
}

impl DemoApp {
    /// Draws the price of a one-series demo as `chart_type` (a comparison has lines only).
    pub fn with_chart_type(mut self, chart_type: super::chart::ChartType) -> Self {
        if let Shown::Candles(chart) = &mut self.shown {
            chart.set_chart_type(chart_type);
        }
        self
    }

    /// Loads `source` and builds the app; `screenshot` makes it save a PNG and close.
    pub fn new(
        source: &DemoSource,
        range: RangePreset,
        screenshot: Option<PathBuf>,
    ) -> Result<Self, DemoError> {
        let shown = match source {
            DemoSource::Csv { path, category } => {
                let series = read_csv(path)?;
                let name = path
                    .file_stem()
                    .map_or_else(|| "series".to_owned(), |s| s.to_string_lossy().into_owned());
                let mut chart = CandleChart::new("demo");
                chart.set_series(
                    ChartSeries::new(name, Arc::new(series)),
                    CandleColors::for_category(*category),
                    category.default_ma_windows(crate::model::MaSet::A),
                );
                Shown::Candles(Box::new(chart))
            }
            DemoSource::Synthetic { series, days } => {
                let panel = synthetic_panel(*series, *days, 7);
                if *series == 1 {
                    let mut chart = CandleChart::new("demo");
                    let s = panel.into_iter().next().unwrap_or_default();
                    chart.set_series(
                        ChartSeries::new("SYN0", Arc::new(s)),
                        CandleColors::WESTERN,
                        crate::model::MA_SET_B,
                    );
                    Shown::Candles(Box::new(chart))
                } else {
                    let mut chart = ComparisonChart::new("demo");
                    let keys: Vec<String> = (0..panel.len()).map(|i| format!("SYN{i}")).collect();
                    chart.set_series(
                        panel
                            .into_iter()
                            .zip(&keys)
                            .map(|(s, key)| ChartSeries::new(key.clone(), Arc::new(s)))
                            .collect(),
                    );
                    Shown::Comparison(Box::new(chart), SeriesList::default(), keys)
                }
            }
        };
        let (shot_tx, shot_rx) = sync_channel(1);
        Ok(Self {
            shown,
            range,
            range_applied: false,
            screenshot,
            screenshot_requested: false,
            frames_ready: 0,
            shot_rx: Some(shot_rx),
            shot_tx,
            error: Arc::default(),
        })
    }

    /// Shows the candle chart in bars of `interval` (a comparison is always daily).
    #[must_use]
    pub fn with_interval(mut self, interval: crate::compute::Interval) -> Self {
        if let Shown::Candles(c) = &mut self.shown {
            c.set_interval(interval);
        }
        self
    }

    fn is_loading(&self) -> bool {
        match &self.shown {
            Shown::Candles(c) => c.is_loading(),
            Shown::Comparison(c, ..) => c.is_loading(),
        }
    }

    fn save_screenshot(path: &Path, image: &egui::ColorImage) -> Result<(), DemoError> {
        super::save_file::save_png(image, path).map_err(|reason| DemoError::Screenshot {
            path: path.to_owned(),
            reason,
        })
    }
}

impl eframe::App for DemoApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        egui::CentralPanel::default().show(ui, |ui| match &mut self.shown {
            Shown::Candles(c) => {
                if !self.range_applied {
                    c.apply_range(self.range);
                    self.range_applied = true;
                }
                c.ui(ui);
            }
            Shown::Comparison(c, list, keys) => {
                if !self.range_applied && c.calendar().is_some() {
                    c.apply_range(self.range);
                    self.range_applied = true;
                }
                let mut actions = Vec::new();
                egui::Panel::right("demo_series_list")
                    .resizable(true)
                    .default_size(260.0)
                    .show(ui, |ui| actions = list.ui(ui, c, keys));
                apply_list_actions(c, keys, actions);
                c.ui(ui);
            }
        });
        let Some(path) = self.screenshot.clone() else {
            return;
        };
        let ctx = ui.ctx().clone();
        if self.is_loading() || !self.range_applied {
            ctx.request_repaint();
            return;
        }
        // Everything has loaded: let two more frames settle (legend, axis widths), then shoot.
        if self.frames_ready < 2 {
            self.frames_ready += 1;
            ctx.request_repaint();
            return;
        }
        if !self.screenshot_requested {
            self.screenshot_requested = true;
            let tx = self.shot_tx.clone();
            let repaint = ctx.clone();
            ctx.request_screenshot(move |image| {
                let _ = tx.try_send(image);
                repaint.request_repaint();
            });
            ctx.request_repaint();
            return;
        }
        if let Some(rx) = &self.shot_rx
            && let Ok(image) = rx.try_recv()
        {
            if let Err(e) = Self::save_screenshot(&path, &image) {
                tracing::error!("{e}");
                *self
                    .error
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(e.to_string());
            } else {
                tracing::info!(path = %path.display(), "screenshot saved");
            }
            self.shot_rx = None;
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        } else {
            ctx.request_repaint();
        }
    }
}

/// What the series list asks of a chart without a store: show, hide, solo, remove.
fn apply_list_actions(
    chart: &mut ComparisonChart,
    keys: &mut Vec<String>,
    actions: Vec<ListAction>,
) {
    for action in actions {
        match action {
            ListAction::Remove(gone) => {
                while let Some(k) = keys.iter().position(|x| gone.contains(x)) {
                    keys.remove(k);
                    chart.remove_series(k);
                }
            }
            ListAction::SetVisible(key, visible) => {
                if let Some(k) = keys.iter().position(|x| *x == key) {
                    chart.set_visible(k, visible);
                }
            }
            ListAction::Solo(key) => {
                let only = (0..keys.len()).all(|k| chart.is_visible(k) == (keys[k] == key));
                for (k, x) in keys.iter().enumerate() {
                    chart.set_visible(k, only || *x == key);
                }
            }
            ListAction::ShowAll => {
                for k in 0..keys.len() {
                    chart.set_visible(k, true);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_reader_reads_and_reports() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.csv");
        std::fs::write(&p, "date,open,high,low,close,volume\n2024-01-02,1,2,0.5,1.5,100\n2024-01-03,1.5,2,1,1.2,50\n").unwrap();
        let s = read_csv(&p).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s.volume(), &[100.0, 50.0]);
        std::fs::write(&p, "date,open,high,low,close\n2024-01-02,1,x,0.5,1.5\n").unwrap();
        let e = read_csv(&p).unwrap_err().to_string();
        assert!(e.contains("line 2"), "{e}");
        std::fs::write(&p, "a,b\n").unwrap();
        assert!(read_csv(&p).is_err());
    }

    #[test]
    fn synthetic_panel_is_valid_and_seeded() {
        let a = synthetic_panel(3, 300, 1);
        let b = synthetic_panel(3, 300, 1);
        assert_eq!(a, b);
        assert!(a.iter().all(|s| s.len() == 300));
        assert_ne!(a[0].close(), a[1].close());
    }
}

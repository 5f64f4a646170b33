//! The chart crate on its own: a window with one synthetic daily series (ten years of seeded
//! OHLCV from `compute::panel`), its moving averages, Bollinger Bands, RSI and MACD panes, and
//! three drawings (a level, a trend line and a Fibonacci retracement). Everything the chart
//! can do works here: zoom and pan, the range buttons, the interval, the indicator editor, the
//! drawing tools, undo and redo.
//!
//! ```sh
//! cargo run -p wickview-chart --example synthetic
//! cargo run -p wickview-chart --example synthetic -- --quit-when-loaded   # a start-up check
//! ```
//!
//! With `--quit-when-loaded` the window closes once the averages and indicators have been
//! computed and drawn, saying what it drew, and the program exits with 0 (1 if the window
//! could not open).

use std::process::ExitCode;
use std::sync::Arc;

use wickview_chart::chart::{CandleChart, ChartSeries, RangePreset, init_render_resources};
use wickview_chart::compute::indicators::Indicator;
use wickview_chart::compute::panel::SyntheticPanel;
use wickview_chart::model::{Anchor, Category, DailySeries, Drawing, DrawingKind};
use wickview_chart::theme::{CandleColors, ma_window_color};

/// Trading days of the synthetic series (about ten years).
const DAYS: usize = 2_600;
/// The seed of the series: the same bars every run.
const SEED: u64 = 7;
/// Moving averages drawn over the candles.
const MA_WINDOWS: [usize; 3] = [20, 60, 120];
/// Frames drawn after everything has loaded before `--quit-when-loaded` closes the window.
const SETTLE_FRAMES: u32 = 3;

struct SyntheticApp {
    chart: CandleChart,
    quit_when_loaded: bool,
    frames_loaded: u32,
}

impl SyntheticApp {
    fn new(quit_when_loaded: bool) -> Self {
        // Series 2 of the panel starts between 1 and ~3000: prices with a readable scale.
        let series: DailySeries = SyntheticPanel::generate(3, DAYS, SEED).daily_series(2);
        let drawings = sample_drawings(&series);
        let mut chart = CandleChart::new("synthetic");
        chart.set_series(
            ChartSeries::new("SYNTH", Arc::new(series)),
            CandleColors::for_category(Category::UsStock),
            &MA_WINDOWS,
        );
        chart.set_indicators(&[
            Indicator::Bollinger { period: 20, k: 2.0 },
            Indicator::Rsi { period: 14 },
            Indicator::Macd {
                fast: 12,
                slow: 26,
                signal: 9,
            },
        ]);
        chart.drawings_mut().set_drawings(drawings);
        chart.apply_range(RangePreset::Y1);
        Self {
            chart,
            quit_when_loaded,
            frames_loaded: 0,
        }
    }
}

/// A level at the last close, a trend line across the last year's lows, and a Fibonacci
/// retracement of the last year's range, anchored to bars of `series`.
fn sample_drawings(series: &DailySeries) -> Vec<Drawing> {
    let days = series.days();
    let (close, low, high) = (series.close(), series.low(), series.high());
    let n = days.len();
    if n < 2 {
        return Vec::new();
    }
    let year = n.saturating_sub(252);
    let min_in = |range: std::ops::Range<usize>| {
        range
            .into_iter()
            .min_by(|a, b| low[*a].total_cmp(&low[*b]))
            .unwrap_or(0)
    };
    let first_low = min_in(year..year + (n - year) / 2);
    let second_low = min_in(year + (n - year) / 2..n);
    let top = (year..n)
        .max_by(|a, b| high[*a].total_cmp(&high[*b]))
        .unwrap_or(n - 1);
    let bottom = min_in(year..n);

    let mut level = Drawing::new(
        1,
        DrawingKind::Level,
        vec![Anchor::new(days[n - 1], close[n - 1])],
    );
    level.color = ma_window_color(20).to_srgba_unmultiplied();
    let trend = Drawing::new(
        2,
        DrawingKind::TrendLine,
        vec![
            Anchor::new(days[first_low], low[first_low]),
            Anchor::new(days[second_low], low[second_low]),
        ],
    );
    let fib = Drawing::new(
        3,
        DrawingKind::Fibonacci,
        vec![
            Anchor::new(days[bottom], low[bottom]),
            Anchor::new(days[top], high[top]),
        ],
    );
    vec![level, trend, fib]
}

impl eframe::App for SyntheticApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        egui::CentralPanel::default().show(ui, |ui| self.chart.ui(ui));
        if !self.quit_when_loaded {
            return;
        }
        let ctx = ui.ctx().clone();
        let loaded = !self.chart.is_loading() && self.chart.overlays().iter().all(|o| o.is_ready());
        if loaded {
            self.frames_loaded += 1;
        }
        if self.frames_loaded > SETTLE_FRAMES {
            eprintln!(
                "synthetic: loaded; {} bars, {} drawings, {} GPU primitives in the last frame",
                self.chart.series().map_or(0, ChartSeries::len),
                self.chart.drawings().drawings().len(),
                self.chart.primitives()
            );
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
        } else {
            ctx.request_repaint();
        }
    }
}

fn main() -> ExitCode {
    let quit_when_loaded = std::env::args().any(|a| a == "--quit-when-loaded");
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("wickview-chart: synthetic series")
            .with_inner_size([1200.0, 800.0]),
        renderer: eframe::Renderer::Wgpu,
        // The chart renderer draws into egui's render pass: no multisampling, no depth.
        multisampling: 0,
        depth_buffer: 0,
        ..Default::default()
    };
    let result = eframe::run_native(
        "wickview-chart synthetic",
        options,
        Box::new(move |cc| {
            let Some(render_state) = &cc.wgpu_render_state else {
                return Err("no wgpu render state: the chart cannot be drawn".into());
            };
            init_render_resources(render_state, 1, None);
            Ok(Box::new(SyntheticApp::new(quit_when_loaded)))
        }),
    );
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("synthetic: the window failed: {e}");
            ExitCode::FAILURE
        }
    }
}

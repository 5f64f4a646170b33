//! The interaction benchmark: a scripted session through the comparison view's real widgets
//! (the code a user runs), headless, over N series x D days of the seeded synthetic panel
//! written to a temporary embedded store: add the N series, then zoom 1M → Max → 1M in 60
//! wheel steps, pan across the whole history in 60 drags, sweep the pointer across the plot
//! (highlight and tooltip), and set a rebase day by clicking the chart. Used by
//! `wickview bench interact` and `benches/interact.rs`.

use std::time::{Duration, Instant};

use crate::compute::panel::SyntheticPanel;
use crate::model::{Category, Ticker, TickerMeta};
use crate::store::{Store, StoreConfig};
use crate::ui::bench_render::{Headless, RenderBenchError};
use crate::ui::chart::RangePreset;
use crate::ui::series_cache::SeriesCache;
use crate::ui::settings::Settings;
use crate::ui::viewer::ComparisonViewer;

/// Errors of the interaction benchmark.
#[derive(Debug, thiserror::Error)]
pub enum InteractBenchError {
    /// No GPU adapter, or the GPU failed.
    #[error(transparent)]
    Render(#[from] RenderBenchError),
    /// The temporary store could not be written.
    #[error("the benchmark store failed: {0}")]
    Store(String),
    /// The series did not load in time.
    #[error("{0} series did not load within {1:?}")]
    Timeout(usize, Duration),
}

/// What to measure.
#[derive(Clone, Debug, PartialEq)]
pub struct InteractConfig {
    /// Series counts, one case each.
    pub series: Vec<usize>,
    /// Days per series (6,300 is about 25 years).
    pub days: usize,
    /// Frame size in pixels.
    pub width: u32,
    /// Frame height in pixels.
    pub height: u32,
    /// Seed of the synthetic panel.
    pub seed: u64,
}

impl Default for InteractConfig {
    fn default() -> Self {
        Self {
            series: vec![1, 10, 100, 500],
            days: 6300,
            width: 1400,
            height: 900,
            seed: crate::compute::panel::DEFAULT_SEED,
        }
    }
}

/// One case's figures.
#[derive(Clone, Debug, serde::Serialize)]
pub struct InteractRow {
    /// Series shown.
    pub series: usize,
    /// Days per series.
    pub days: usize,
    /// Median CPU time of a scripted frame (egui run + tessellation + GPU prepare, upload
    /// and pass recording).
    pub p50_frame_cpu_ms: f64,
    /// 95th percentile of the same.
    pub p95_frame_cpu_ms: f64,
    /// Slowest scripted frame.
    pub max_frame_cpu_ms: f64,
    /// From "add N series" to the first complete frame: store loads, pyramids, the shared
    /// calendar and the rebase.
    pub first_frame_ms: f64,
    /// From "add N series" to the frame where every series had loaded from the store
    /// (bars read, pyramids not built yet): the store's part of `first_frame_ms`.
    pub loaded_ms: f64,
    /// Peak resident memory of the process during the case (Linux; 0 elsewhere).
    pub rss_mb: f64,
    /// Scripted frames measured.
    pub frames: usize,
}

/// Peak resident set size so far (VmHWM), in MiB; 0 where unknown.
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Resets the peak RSS counter (Linux), so each case reports its own peak.
fn reset_peak_rss() {
    // Not available everywhere; the figure is then the process's peak so far.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn percentile_ms(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1e3
}

/// Writes `n` synthetic US tickers of `days` days into a new embedded store in `dir`.
async fn seed_store(
    dir: &std::path::Path,
    n: usize,
    days: usize,
    seed: u64,
) -> Result<(Store, Vec<String>), String> {
    let store = Store::open(&StoreConfig::Embedded {
        data_dir: dir.to_owned(),
    })
    .await
    .map_err(|e| e.to_string())?;
    let panel = SyntheticPanel::generate(n, days, seed);
    let mut tickers = Vec::with_capacity(n);
    for i in 0..n {
        let symbol = format!("S{i:03}");
        let ticker = Ticker::parse(Category::UsStock, &symbol).map_err(|e| e.to_string())?;
        store
            .add_ticker(&TickerMeta::new(ticker.clone(), format!("Synthetic {i}")))
            .await
            .map_err(|e| e.to_string())?;
        store
            .upsert_bars(&ticker, &panel.daily_series(i))
            .await
            .map_err(|e| e.to_string())?;
        tickers.push(symbol);
    }
    Ok((store, tickers))
}

/// Runs every case on the runtime `rt` and returns the rows.
pub fn bench(
    config: &InteractConfig,
    rt: &tokio::runtime::Handle,
    mut on_row: impl FnMut(&InteractRow),
) -> Result<Vec<InteractRow>, InteractBenchError> {
    let mut h = Headless::new(config.width, config.height)?;
    tracing::info!(adapter = %h.adapter_name(), "bench-interact");
    let mut rows = Vec::new();
    for &n in &config.series {
        let dir = tempfile_dir(n)?;
        let (store, tickers) = rt
            .block_on(seed_store(&dir, n, config.days, config.seed))
            .map_err(InteractBenchError::Store)?;
        reset_peak_rss();
        let row = run_case(&mut h, rt, &store, tickers, config.days);
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
        let row = row?;
        on_row(&row);
        rows.push(row);
    }
    Ok(rows)
}

fn tempfile_dir(n: usize) -> Result<std::path::PathBuf, InteractBenchError> {
    let dir = std::env::temp_dir().join(format!(
        "wickview-bench-interact-{}-{n}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos())
    ));
    std::fs::create_dir_all(&dir).map_err(|e| InteractBenchError::Store(e.to_string()))?;
    Ok(dir)
}

fn run_case(
    h: &mut Headless,
    rt: &tokio::runtime::Handle,
    store: &Store,
    tickers: Vec<String>,
    days: usize,
) -> Result<InteractRow, InteractBenchError> {
    let n = tickers.len();
    let _guard = rt.enter();
    let mut case = Case {
        h,
        rt,
        store,
        viewer: ComparisonViewer::default(),
        cache: SeriesCache::default(),
        settings: Settings::default(),
        times: Vec::new(),
    };
    let (loaded_ms, first_frame_ms) = case.load(tickers)?;

    case.viewer.chart.apply_range(RangePreset::M1);
    case.frame()?;
    let plot = case
        .viewer
        .chart
        .plot_rect()
        .unwrap_or(egui::Rect::from_min_size(
            egui::pos2(50.0, 80.0),
            egui::vec2(800.0, 600.0),
        ));
    let calendar_len = case.viewer.chart.calendar().map_or(days, <[_]>::len).max(2);
    case.zoom(plot.center(), calendar_len)?;
    case.pan(plot, calendar_len)?;
    case.sweep(plot)?;
    case.rebase(plot.center())?;
    let rss_mb = peak_rss_mb();
    let mut times = case.times;
    times.sort();
    Ok(InteractRow {
        series: n,
        days,
        p50_frame_cpu_ms: percentile_ms(&times, 0.5),
        p95_frame_cpu_ms: percentile_ms(&times, 0.95),
        max_frame_cpu_ms: times.last().map_or(f64::NAN, |d| d.as_secs_f64() * 1e3),
        first_frame_ms,
        loaded_ms: loaded_ms.unwrap_or(first_frame_ms),
        rss_mb,
        frames: times.len(),
    })
}

/// One case of the benchmark: the comparison viewer on its store, and the CPU time of
/// every timed frame.
struct Case<'a> {
    h: &'a mut Headless,
    rt: &'a tokio::runtime::Handle,
    store: &'a Store,
    viewer: ComparisonViewer,
    cache: SeriesCache,
    settings: Settings,
    times: Vec<Duration>,
}

/// A primary button press or release at `pos`.
fn button(pos: egui::Pos2, pressed: bool) -> egui::Event {
    egui::Event::PointerButton {
        pos,
        button: egui::PointerButton::Primary,
        pressed,
        modifiers: egui::Modifiers::NONE,
    }
}

impl Case<'_> {
    /// Runs one frame of the viewer; returns its CPU time.
    fn frame(&mut self) -> Result<Duration, InteractBenchError> {
        let (viewer, settings, cache) = (&mut self.viewer, &mut self.settings, &mut self.cache);
        let (rt, store) = (self.rt, self.store);
        let (cpu, _) = self.h.frame(|ui| {
            cache.poll();
            viewer.ui(ui, settings, cache, rt, Some(store));
        })?;
        Ok(cpu)
    }

    /// Runs one frame after `events`, and keeps its CPU time.
    fn timed(&mut self, events: Vec<egui::Event>) -> Result<(), InteractBenchError> {
        for e in events {
            self.h.push_event(e);
        }
        let cpu = self.frame()?;
        self.times.push(cpu);
        Ok(())
    }

    /// Settles an empty view, then adds `tickers` and waits for the first complete frame;
    /// returns when every series had loaded and when that frame came (ms from the add).
    fn load(&mut self, tickers: Vec<String>) -> Result<(Option<f64>, f64), InteractBenchError> {
        let n = tickers.len();
        self.frame()?;
        let t0 = Instant::now();
        self.settings.comparison = tickers;
        let timeout = Duration::from_secs(600);
        let mut loaded_ms = None;
        loop {
            self.frame()?;
            if loaded_ms.is_none()
                && self
                    .settings
                    .comparison
                    .iter()
                    .all(|t| self.cache.get(t).is_some())
            {
                loaded_ms = Some(t0.elapsed().as_secs_f64() * 1e3);
            }
            if self.viewer.shown_tickers().len() == n
                && !self.viewer.chart.is_loading()
                && !self.viewer.is_mode_pending()
                && self.viewer.chart.primitives() > 0
            {
                break;
            }
            if t0.elapsed() > timeout {
                return Err(InteractBenchError::Timeout(n, timeout));
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        Ok((loaded_ms, t0.elapsed().as_secs_f64() * 1e3))
    }

    /// Zooms 1M → Max → 1M in 60 wheel steps (30 out, 30 in) around `centre`.
    fn zoom(&mut self, centre: egui::Pos2, calendar_len: usize) -> Result<(), InteractBenchError> {
        let width_1m = self.viewer.chart.view().width().max(1.0);
        let notches = (calendar_len as f64 / width_1m).ln() / crate::ui::chart::ZOOM_PER_NOTCH.ln();
        let per_step = (notches / 30.0) as f32;
        let wheel = |d: f32| egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Line,
            delta: egui::vec2(0.0, d),
            modifiers: egui::Modifiers::NONE,
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Unknown,
        };
        for step in 0..60 {
            let d = if step < 30 { -per_step } else { per_step };
            self.timed(vec![egui::Event::PointerMoved(centre), wheel(d)])?;
        }
        Ok(())
    }

    /// Pans across the whole history in 60 drags, at one year per screen.
    fn pan(&mut self, plot: egui::Rect, calendar_len: usize) -> Result<(), InteractBenchError> {
        let centre = plot.center();
        let mut view = self.viewer.chart.view();
        view.start = -0.5;
        view.end = 251.5_f64.min(calendar_len as f64 - 0.5);
        self.viewer.chart.set_view(view);
        let bars_per_pt = view.width() / f64::from(plot.width().max(1.0));
        let dx = ((calendar_len as f64 - view.width()) / 60.0 / bars_per_pt) as f32;
        for _ in 0..60 {
            let from = centre + egui::vec2(dx / 2.0, 0.0);
            let to = centre - egui::vec2(dx / 2.0, 0.0);
            self.timed(vec![egui::Event::PointerMoved(from), button(from, true)])?;
            self.timed(vec![egui::Event::PointerMoved(to)])?;
            self.timed(vec![button(to, false)])?;
        }
        Ok(())
    }

    /// Sweeps the pointer across the plot over a year: highlight and tooltip every frame.
    fn sweep(&mut self, plot: egui::Rect) -> Result<(), InteractBenchError> {
        self.viewer.chart.apply_range(RangePreset::Y1);
        for i in 0..60 {
            let x = plot.left() + plot.width() * (i as f32 + 0.5) / 60.0;
            let y = plot.top() + plot.height() * (0.2 + 0.6 * ((i % 7) as f32 / 6.0));
            self.timed(vec![egui::Event::PointerMoved(egui::pos2(x, y))])?;
        }
        Ok(())
    }

    /// Sets a rebase day by clicking the chart at `centre`.
    fn rebase(&mut self, centre: egui::Pos2) -> Result<(), InteractBenchError> {
        self.viewer.chart.pick_anchor();
        self.timed(vec![
            egui::Event::PointerMoved(centre),
            button(centre, true),
        ])?;
        self.timed(vec![button(centre, false)])?;
        for _ in 0..3 {
            self.timed(Vec::new())?;
        }
        if self.viewer.chart.anchor().is_none() {
            tracing::warn!("bench-interact: the click did not set a rebase day");
        }
        Ok(())
    }
}

/// Formats rows as an aligned text table.
pub fn format_table(rows: &[InteractRow]) -> String {
    use std::fmt::Write as _;
    let mut out = format!(
        "{:>6} {:>6} {:>9} {:>9} {:>9} {:>14} {:>9} {:>8} {:>6}\n",
        "series",
        "days",
        "p50_ms",
        "p95_ms",
        "max_ms",
        "first_frame_ms",
        "loaded_ms",
        "rss_mb",
        "frames"
    );
    for r in rows {
        let _ = writeln!(out, "{}", format_row(r));
    }
    out
}

/// One row of [`format_table`].
pub fn format_row(r: &InteractRow) -> String {
    format!(
        "{:>6} {:>6} {:>9.3} {:>9.3} {:>9.3} {:>14.1} {:>9.1} {:>8.0} {:>6}",
        r.series,
        r.days,
        r.p50_frame_cpu_ms,
        r.p95_frame_cpu_ms,
        r.max_frame_cpu_ms,
        r.first_frame_ms,
        r.loaded_ms,
        r.rss_mb,
        r.frames
    )
}

//! The rendering benchmark: headless frame cost of the GPU charts next to egui_plot drawing
//! the same series as plain lines, on whatever adapter wgpu finds. Used by
//! `wickview bench render`, the side panel's benchmarks and `benches/render.rs`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use egui_plot::{Line, Plot, PlotPoint, PlotPoints};

use crate::compute::indicators::Indicator;
use crate::ui::chart::{
    CandleChart, ChartSeries, CompareMode, ComparisonChart, RangePreset, XView,
};
use crate::ui::demo::synthetic_panel;
use crate::ui::theme::CandleColors;

/// The indicator panes of the `wickview_3_panes` scenario (the candle chart with them).
pub const PANES_CASE: [&str; 3] = ["rsi:14", "macd:12,26,9", "stoch:14,3,3"];

/// Errors of the rendering benchmark.
#[derive(Debug, thiserror::Error)]
pub enum RenderBenchError {
    /// wgpu found no adapter (no GPU and no software rasterizer).
    #[error("no usable GPU adapter: {0}")]
    NoAdapter(String),
    /// Waiting for the GPU failed.
    #[error("GPU wait failed: {0}")]
    Gpu(String),
}

/// What to measure.
#[derive(Clone, Debug, PartialEq)]
pub struct RenderBenchConfig {
    /// Series counts to measure.
    pub series: Vec<usize>,
    /// History lengths in years (252 trading days each).
    pub years: Vec<usize>,
    /// Frame width in pixels.
    pub width: u32,
    /// Frame height in pixels.
    pub height: u32,
    /// Measured frames per scenario (after warm-up).
    pub frames: usize,
    /// Stop measuring a scenario after this many seconds (slow baselines).
    pub max_seconds: f64,
}

impl Default for RenderBenchConfig {
    fn default() -> Self {
        Self {
            series: vec![1, 10, 100],
            years: vec![1, 25],
            width: 1000,
            height: 700,
            frames: 15,
            max_seconds: 20.0,
        }
    }
}

/// One measured scenario.
#[derive(Clone, Debug, serde::Serialize)]
pub struct BenchRow {
    /// `wickview` (GPU lines), `wickview_candles` (GPU candles + MAs + volume, 1 series),
    /// `wickview_3_panes` (the same with RSI, MACD and Stochastic panes, see [`PANES_CASE`])
    /// or `egui_plot` (egui_plot `Line`s).
    pub scenario: &'static str,
    /// Series drawn.
    pub series: usize,
    /// Days per series.
    pub days: usize,
    /// `max` or `1m`.
    pub zoom: &'static str,
    /// Median CPU time of a frame: egui run + tessellation + prepare/upload + pass recording.
    pub frame_cpu_ms: f64,
    /// Primitives drawn (GPU quads for wickview, line segments for egui_plot).
    pub primitives: u64,
    /// Median time to submit and wait for the GPU queue (the rasterizer).
    pub raster_ms: f64,
    /// Frames measured.
    pub frames: usize,
}

/// A headless egui + wgpu frame loop (also used by the criterion bench).
pub struct Headless {
    rs: egui_wgpu::RenderState,
    target: wgpu::Texture,
    size: [u32; 2],
    ctx: egui::Context,
    time: f64,
    events: Vec<egui::Event>,
}

impl Headless {
    /// A `width` x `height` pixel target on the first adapter wgpu finds, with the chart
    /// renderer registered.
    pub fn new(width: u32, height: u32) -> Result<Self, RenderBenchError> {
        let setup = egui_wgpu::WgpuSetup::without_display_handle();
        let instance = futures::executor::block_on(setup.new_instance());
        let rs = futures::executor::block_on(egui_wgpu::RenderState::create(
            &egui_wgpu::WgpuConfiguration {
                wgpu_setup: setup,
                ..Default::default()
            },
            &instance,
            None,
            egui_wgpu::RendererOptions::PREDICTABLE,
        ))
        .map_err(|e| RenderBenchError::NoAdapter(e.to_string()))?;
        crate::ui::chart::init_render_resources(&rs, 1, None);
        let target = rs.device.create_texture(&wgpu::TextureDescriptor {
            label: Some("bench_target"),
            size: wgpu::Extent3d {
                width,
                height,
                depth_or_array_layers: 1,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: rs.target_format,
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT,
            view_formats: &[],
        });
        Ok(Self {
            rs,
            target,
            size: [width, height],
            ctx: egui::Context::default(),
            time: 0.0,
            events: Vec::new(),
        })
    }

    /// Name and backend of the adapter.
    pub fn adapter_name(&self) -> String {
        let info = self.rs.adapter.get_info();
        format!("{} ({:?})", info.name, info.backend)
    }

    /// Queues an input event (pointer, wheel, key) for the next frame.
    pub fn push_event(&mut self, event: egui::Event) {
        self.events.push(event);
    }

    /// The egui context of the frames.
    pub fn ctx(&self) -> &egui::Context {
        &self.ctx
    }

    /// Runs one frame with the queued events; returns (CPU time, raster time).
    pub fn frame(
        &mut self,
        mut ui_fn: impl FnMut(&mut egui::Ui),
    ) -> Result<(Duration, Duration), RenderBenchError> {
        self.time += 1.0 / 60.0;
        let raw = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(
                egui::Pos2::ZERO,
                egui::vec2(self.size[0] as f32, self.size[1] as f32),
            )),
            time: Some(self.time),
            events: std::mem::take(&mut self.events),
            ..Default::default()
        };
        let t0 = Instant::now();
        let output = self.ctx.run_ui(raw, |ui| {
            egui::CentralPanel::default().show(ui, |ui| ui_fn(ui));
        });
        let primitives = self.ctx.tessellate(output.shapes, output.pixels_per_point);
        let screen = egui_wgpu::ScreenDescriptor {
            size_in_pixels: self.size,
            pixels_per_point: output.pixels_per_point,
        };
        let device = &self.rs.device;
        let queue = &self.rs.queue;
        let mut renderer = self.rs.renderer.write();
        for (id, deltas) in &output.textures_delta.set {
            for delta in deltas {
                renderer.update_texture(device, queue, *id, delta);
            }
        }
        let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("bench"),
        });
        let user_buffers =
            renderer.update_buffers(device, queue, &mut encoder, &primitives, &screen);
        let view = self
            .target
            .create_view(&wgpu::TextureViewDescriptor::default());
        {
            let mut pass = encoder
                .begin_render_pass(&wgpu::RenderPassDescriptor {
                    label: Some("bench_pass"),
                    color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                        view: &view,
                        resolve_target: None,
                        ops: wgpu::Operations {
                            load: wgpu::LoadOp::Clear(wgpu::Color::BLACK),
                            store: wgpu::StoreOp::Store,
                        },
                        depth_slice: None,
                    })],
                    ..Default::default()
                })
                .forget_lifetime();
            renderer.render(&mut pass, &primitives, &screen);
        }
        let cpu = t0.elapsed();
        let t1 = Instant::now();
        queue.submit(
            user_buffers
                .into_iter()
                .chain(std::iter::once(encoder.finish())),
        );
        device
            .poll(wgpu::PollType::Wait {
                submission_index: None,
                timeout: Some(Duration::from_secs(120)),
            })
            .map_err(|e| RenderBenchError::Gpu(e.to_string()))?;
        let raster = t1.elapsed();
        let mut textures = output.textures_delta;
        for id in &textures.free {
            renderer.free_texture(id);
        }
        textures.clear();
        Ok((cpu, raster))
    }
}

fn median_ms(mut v: Vec<Duration>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort();
    v[v.len() / 2].as_secs_f64() * 1e3
}

/// A pan of one bar left and right on alternate frames, so every frame refits the y axis
/// and replans the level of detail as it would while the user drags.
fn wiggle(view: XView, frame: usize, n: usize) -> XView {
    let dx = if frame.is_multiple_of(2) { -1.0 } else { 1.0 };
    view.panned(dx, n)
}

struct Measure {
    cpu: Vec<Duration>,
    raster: Vec<Duration>,
}

fn measure(
    h: &mut Headless,
    frames: usize,
    max_seconds: f64,
    mut ui_fn: impl FnMut(&mut egui::Ui, usize),
) -> Result<Measure, RenderBenchError> {
    let mut m = Measure {
        cpu: Vec::new(),
        raster: Vec::new(),
    };
    let start = Instant::now();
    for f in 0..frames {
        let (cpu, raster) = h.frame(|ui| ui_fn(ui, f))?;
        m.cpu.push(cpu);
        m.raster.push(raster);
        if start.elapsed().as_secs_f64() > max_seconds && m.cpu.len() >= 3 {
            break;
        }
    }
    Ok(m)
}

/// Runs every scenario and returns the rows.
pub fn bench(
    args: &RenderBenchConfig,
    mut on_row: impl FnMut(&BenchRow),
) -> Result<Vec<BenchRow>, RenderBenchError> {
    let mut h = Headless::new(args.width, args.height)?;
    tracing::info!(adapter = %h.adapter_name(), "bench-render");
    let mut rows = Vec::new();
    let mut keep = |row: BenchRow| {
        on_row(&row);
        rows.push(row);
    };
    for &years in &args.years {
        let days = years * 252;
        for &n in &args.series {
            let panel = synthetic_panel(n, days, 42);
            let charted: Vec<ChartSeries> = panel
                .iter()
                .enumerate()
                .map(|(i, s)| ChartSeries::new(format!("S{i}"), Arc::new(s.clone())))
                .collect();
            for (zoom, preset) in [("max", RangePreset::Max), ("1m", RangePreset::M1)] {
                let case = Case {
                    series: n,
                    days,
                    zoom,
                    preset,
                };
                keep(bench_comparison(&mut h, args, &case, &charted)?);
                if n == 1 {
                    for (scenario, indicators) in [
                        ("wickview_candles", &[][..]),
                        ("wickview_3_panes", &PANES_CASE[..]),
                    ] {
                        keep(bench_candles(
                            &mut h,
                            args,
                            &case,
                            (scenario, indicators),
                            &charted[0],
                        )?);
                    }
                }
                keep(bench_egui_plot(&mut h, args, &case, &panel)?);
            }
        }
    }
    Ok(rows)
}

/// One size and zoom of the benchmark.
struct Case {
    series: usize,
    days: usize,
    zoom: &'static str,
    preset: RangePreset,
}

impl Case {
    /// The row of `scenario` from its measurement.
    fn row(&self, scenario: &'static str, m: Measure, primitives: u64) -> BenchRow {
        BenchRow {
            scenario,
            series: self.series,
            days: self.days,
            zoom: self.zoom,
            frames: m.cpu.len(),
            frame_cpu_ms: median_ms(m.cpu),
            primitives,
            raster_ms: median_ms(m.raster),
        }
    }
}

/// wickview: the comparison chart, series as GPU lines.
fn bench_comparison(
    h: &mut Headless,
    args: &RenderBenchConfig,
    case: &Case,
    charted: &[ChartSeries],
) -> Result<BenchRow, RenderBenchError> {
    let days = case.days;
    let mut chart = ComparisonChart::new(("bench", case.series, days, case.zoom));
    chart.set_series(charted.to_vec());
    chart.set_mode(CompareMode::Absolute);
    let deadline = Instant::now() + Duration::from_secs(120);
    while (chart.is_loading() || chart.calendar().is_none()) && Instant::now() < deadline {
        h.frame(|ui| chart.ui(ui))?;
        std::thread::sleep(Duration::from_millis(2));
    }
    chart.apply_range(case.preset);
    // Warm-up: uploads of the levels this view needs.
    for _ in 0..3 {
        h.frame(|ui| chart.ui(ui))?;
    }
    let base = chart.view();
    let m = measure(h, args.frames, args.max_seconds, |ui, f| {
        chart.set_view(wiggle(base, f, days));
        chart.ui(ui);
    })?;
    Ok(case.row("wickview", m, chart.primitives()))
}

/// wickview's candle chart of one series, with `indicators` in panes below it.
fn bench_candles(
    h: &mut Headless,
    args: &RenderBenchConfig,
    case: &Case,
    (scenario, indicators): (&'static str, &[&str]),
    series: &ChartSeries,
) -> Result<BenchRow, RenderBenchError> {
    let days = case.days;
    let mut candles = CandleChart::new(("bench_candles", days, case.zoom, scenario));
    candles.set_series(
        series.clone(),
        CandleColors::WESTERN,
        crate::model::MA_SET_B,
    );
    let indicators: Vec<Indicator> = indicators.iter().filter_map(|s| s.parse().ok()).collect();
    candles.set_indicators(&indicators);
    let deadline = Instant::now() + Duration::from_secs(60);
    while candles.is_loading() && Instant::now() < deadline {
        h.frame(|ui| {
            candles.ui(ui);
        })?;
        std::thread::sleep(Duration::from_millis(2));
    }
    candles.apply_range(case.preset);
    for _ in 0..3 {
        h.frame(|ui| {
            candles.ui(ui);
        })?;
    }
    let base = candles.view();
    let m = measure(h, args.frames, args.max_seconds, |ui, f| {
        candles.set_view(wiggle(base, f, days));
        candles.ui(ui);
    })?;
    Ok(case.row(scenario, m, candles.primitives()))
}

/// Baseline: egui_plot drawing the same closes as plain lines.
fn bench_egui_plot(
    h: &mut Headless,
    args: &RenderBenchConfig,
    case: &Case,
    panel: &[crate::model::DailySeries],
) -> Result<BenchRow, RenderBenchError> {
    let days = case.days;
    let points: Vec<Vec<PlotPoint>> = panel
        .iter()
        .map(|s| {
            s.close()
                .iter()
                .enumerate()
                .map(|(i, c)| PlotPoint::new(i as f64, *c))
                .collect()
        })
        .collect();
    let view = case.preset.view(panel[0].days());
    let id = egui::Id::unique(("bench_egui_plot", case.series, days, case.zoom));
    let m = measure(h, args.frames, args.max_seconds, |ui, f| {
        let v = wiggle(view, f, days);
        Plot::new(id).show(ui, |plot_ui| {
            plot_ui.set_plot_bounds_x(v.start..=v.end);
            for (k, p) in points.iter().enumerate() {
                plot_ui.line(Line::new(format!("S{k}"), PlotPoints::Borrowed(p)));
            }
        });
    })?;
    let segments: u64 = points
        .iter()
        .map(|p| p.len().saturating_sub(1) as u64)
        .sum();
    Ok(case.row("egui_plot", m, segments))
}

/// Runs the benchmark for `series` counts at 1 and 25 years and formats a table.
pub fn run_table(series: &[usize]) -> Result<String, String> {
    let config = RenderBenchConfig {
        series: series.to_vec(),
        frames: 7,
        max_seconds: 10.0,
        ..RenderBenchConfig::default()
    };
    let rows = bench(&config, |_| {}).map_err(|e| e.to_string())?;
    Ok(format_table(&rows))
}

/// Formats rows as an aligned text table.
pub fn format_table(rows: &[BenchRow]) -> String {
    use std::fmt::Write as _;
    let mut out = format!(
        "{:<17} {:>6} {:>6} {:>4} {:>13} {:>11} {:>10} {:>6}\n",
        "scenario", "series", "days", "zoom", "frame_cpu_ms", "primitives", "raster_ms", "frames"
    );
    for r in rows {
        let _ = writeln!(out, "{}", format_row(r));
    }
    out
}

/// One row of [`format_table`].
pub fn format_row(r: &BenchRow) -> String {
    format!(
        "{:<17} {:>6} {:>6} {:>4} {:>13.3} {:>11} {:>10.2} {:>6}",
        r.scenario, r.series, r.days, r.zoom, r.frame_cpu_ms, r.primitives, r.raster_ms, r.frames
    )
}

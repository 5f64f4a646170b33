//! The chart widgets alone under egui_kittest, for the chart's UI tests: the bundled
//! samples, a wgpu render state with the chart's resources, a harness showing one chart,
//! and stepping until its background work is done. Included by those test files
//! (`#[path = "common/chart_harness.rs"]`), so the other test binaries do not build it.

#![allow(dead_code, clippy::unwrap_used)]

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use egui_kittest::{Harness, HarnessBuilder};
use wickview::model::DailySeries;
use wickview::ui::chart::CandleChart;
use wickview::ui::demo::read_csv;

/// A bundled sample series (`assets/sample/name`).
pub fn sample(name: &str) -> Arc<DailySeries> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/sample")
        .join(name);
    Arc::new(read_csv(&path).unwrap())
}

/// A wgpu render state with the chart's GPU resources installed.
pub fn render_state() -> egui_wgpu::RenderState {
    let rs = egui_kittest::wgpu::create_render_state(
        egui_kittest::wgpu::default_wgpu_setup(),
        egui_wgpu::RendererOptions::PREDICTABLE,
    );
    wickview::ui::chart::init_render_resources(&rs, 1, None);
    rs
}

/// A harness built by `builder` (its size, its step) showing `chart` on the wgpu renderer.
pub fn candle_harness_with(
    builder: HarnessBuilder<CandleChart>,
    chart: CandleChart,
) -> Harness<'static, CandleChart> {
    let renderer = egui_kittest::wgpu::WgpuTestRenderer::from_render_state(render_state());
    builder.renderer(renderer).build_ui_state(
        |ui, chart: &mut CandleChart| {
            chart.ui(ui);
        },
        chart,
    )
}

/// A harness of `size` points showing `chart` on the wgpu renderer.
pub fn candle_harness(chart: CandleChart, size: (f32, f32)) -> Harness<'static, CandleChart> {
    candle_harness_with(Harness::builder().with_size(size), chart)
}

/// Steps until `loading` no longer holds (background work done, 30 s at most), then three
/// frames more for the UI to settle.
pub fn settle<S>(h: &mut Harness<'_, S>, loading: impl Fn(&S) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while loading(h.state()) {
        assert!(Instant::now() < deadline, "background work did not finish");
        h.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    h.run_steps(3);
}

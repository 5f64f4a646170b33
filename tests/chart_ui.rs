//! UI tests of the chart widgets with egui_kittest on the wgpu renderer (a software
//! rasterizer such as Mesa's lavapipe is enough): range buttons, wheel zoom, drag pan, the
//! fitted y axis, the comparison modes, and snapshot images.

// Helpers outside #[test] functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

#[path = "common/chart_harness.rs"]
mod chart_harness;

use std::sync::Arc;

use chart_harness::{render_state, sample, settle};

use egui_kittest::kittest::Queryable as _;
use egui_kittest::{Harness, SnapshotOptions};
use wickview::model::{DailySeries, MA_SET_A, MA_SET_B};
use wickview::ui::chart::{
    CandleChart, ChartSeries, CompareMode, ComparisonChart, RangePreset, XView,
};
use wickview::ui::theme::CandleColors;

const SIZE: (f32, f32) = (1000.0, 700.0);

fn candle_harness(chart: CandleChart) -> Harness<'static, CandleChart> {
    chart_harness::candle_harness(chart, SIZE)
}

fn gspc_chart() -> (CandleChart, Arc<DailySeries>) {
    let s = sample("GSPC.csv");
    let mut chart = CandleChart::new("test");
    chart.set_series(
        ChartSeries::new("^GSPC", Arc::clone(&s)),
        CandleColors::WESTERN,
        MA_SET_B,
    );
    (chart, s)
}

/// Brute-force (min low, max high) of bars in `r` and, unless the scale fits the candles
/// only, of the enabled MAs there.
fn brute_y(chart: &CandleChart, s: &DailySeries, r: std::ops::Range<usize>) -> (f64, f64) {
    let mut lo = s.low()[r.clone()]
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min);
    let mut hi = s.high()[r.clone()]
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    let fit_mas = !chart.scale_candles_only();
    for o in chart.overlays().iter().filter(|o| fit_mas && o.enabled) {
        for v in o.values().unwrap()[r.clone()]
            .iter()
            .filter(|v| v.is_finite())
        {
            lo = lo.min(*v);
            hi = hi.max(*v);
        }
    }
    (lo, hi)
}

fn assert_y_fits(chart: &CandleChart, s: &DailySeries) {
    let view = chart.view();
    let (lo, hi) = brute_y(chart, s, view.bar_range(s.len()));
    let (y0, y1) = chart.y_bounds().unwrap();
    let span = hi - lo;
    assert!(y0 <= lo && y1 >= hi, "y {y0}..{y1} must contain {lo}..{hi}");
    assert!(
        y0 >= lo - 0.1 * span && y1 <= hi + 0.1 * span,
        "y {y0}..{y1} must fit {lo}..{hi} tightly"
    );
}

/// A point well inside the price pane (under the toolbar, left of the price axis).
fn plot_center() -> egui::Pos2 {
    egui::pos2(SIZE.0 * 0.45, SIZE.1 * 0.35)
}

#[test]
fn opens_on_last_month_and_range_buttons_set_the_view() {
    let (chart, s) = gspc_chart();
    let mut h = candle_harness(chart);
    settle(&mut h, CandleChart::is_loading);
    let n = s.len();
    let v = h.state().view();
    assert_eq!(v, RangePreset::M1.view(s.days()));
    assert_eq!(v.end, n as f64 - 0.5, "ends on the last bar");
    let first = v.bar_range(n).start;
    assert_eq!(
        s.days()[first].to_string(),
        "2020-03-18",
        "last month of 2020-04-17"
    );
    assert_y_fits(h.state(), &s);

    h.get_by_label("Max").click();
    h.run_steps(3);
    assert_eq!(h.state().view(), XView::full(n));
    assert_y_fits(h.state(), &s);

    h.get_by_label("1Y").click();
    h.run_steps(3);
    let v = h.state().view();
    assert!(
        (245.0..=260.0).contains(&v.width()),
        "1Y is about 252 bars: {}",
        v.width()
    );
    assert_y_fits(h.state(), &s);

    h.get_by_label("YTD").click();
    h.run_steps(3);
    let first = h.state().view().bar_range(n).start;
    assert_eq!(s.days()[first].to_string(), "2020-01-02");

    h.get_by_label("Log").click();
    h.run_steps(3);
    assert!(h.state().log_y());
    assert_y_fits(h.state(), &s);
}

#[test]
fn wheel_zooms_around_the_cursor_and_drag_pans_to_the_first_bar() {
    let (chart, s) = gspc_chart();
    let mut h = candle_harness(chart);
    settle(&mut h, CandleChart::is_loading);
    let n = s.len();
    h.get_by_label("1Y").click();
    h.run_steps(3);
    let before = h.state().view();
    let p = plot_center();
    h.hover_at(p);
    h.run_steps(2);
    h.event(egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Line,
        delta: egui::vec2(0.0, 2.0),
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Unknown,
        modifiers: egui::Modifiers::NONE,
    });
    h.run_steps(2);
    let zoomed = h.state().view();
    assert!(
        (zoomed.width() - before.width() / 1.44).abs() < 1.0,
        "two notches zoom in 1.2^2: {} -> {}",
        before.width(),
        zoomed.width()
    );
    assert!(
        zoomed.start > before.start && zoomed.end < before.end,
        "zoomed around the cursor"
    );
    assert_y_fits(h.state(), &s);

    // Zoom far out: reaches the whole history and stops there.
    for _ in 0..10 {
        h.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Line,
            delta: egui::vec2(0.0, -5.0),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Unknown,
            modifiers: egui::Modifiers::NONE,
        });
        h.run_steps(1);
    }
    assert_eq!(h.state().view(), XView::full(n));

    // Back to 1M, then drag right (content moves right: earlier days come into view).
    h.get_by_label("1M").click();
    h.run_steps(3);
    let before = h.state().view();
    h.drag_at(p);
    h.run_steps(1);
    h.event(egui::Event::PointerMoved(p + egui::vec2(300.0, 40.0)));
    h.run_steps(1);
    h.drop_at(p + egui::vec2(300.0, 40.0));
    h.run_steps(2);
    let panned = h.state().view();
    assert!(
        panned.start < before.start - 3.0,
        "panned left in time: {before:?} -> {panned:?}"
    );
    assert!(
        (panned.width() - before.width()).abs() < 1e-9,
        "x-only pan keeps the zoom"
    );
    assert_y_fits(h.state(), &s);

    // Drag the range slider's thumb far left: the view stops at the first bar.
    let track = h.get_by_label("History range").rect();
    let thumb = egui::pos2(track.right() - 72.0 - 3.0, track.center().y);
    h.drag_at(thumb);
    h.run_steps(1);
    h.event(egui::Event::PointerMoved(egui::pos2(2.0, track.center().y)));
    h.run_steps(1);
    h.drop_at(egui::pos2(2.0, track.center().y));
    h.run_steps(2);
    let v = h.state().view();
    assert_eq!(v.start, -0.5, "reached the first bar: {v:?}");
    assert!((v.width() - before.width()).abs() < 1e-9);
    assert_y_fits(h.state(), &s);
}

#[test]
fn moving_averages_switch_and_fit() {
    let (chart, s) = gspc_chart();
    let mut h = candle_harness(chart);
    settle(&mut h, CandleChart::is_loading);
    assert_eq!(
        h.state()
            .overlays()
            .iter()
            .map(|o| o.window)
            .collect::<Vec<_>>(),
        MA_SET_B
    );
    assert!(h.state().overlays().iter().all(|o| o.is_ready()));
    // In the weeks after the March 2020 crash the longer averages lie far above the prices:
    // with the scale fitting the lines too, y includes them; switched off, y fits the bars
    // (and the short MA5) only.
    h.state_mut().set_scale_candles_only(false);
    h.run_steps(2);
    let with = h.state().y_bounds().unwrap();
    for w in [10, 20, 50, 200] {
        // The toolbar checkbox (the legend has an entry of the same name after it).
        h.get_all_by_label(&format!("MA{w}"))
            .next()
            .unwrap()
            .click();
        h.run_steps(2);
    }
    assert_eq!(
        h.state()
            .overlays()
            .iter()
            .map(|o| o.enabled)
            .collect::<Vec<_>>(),
        [true, false, false, false, false]
    );
    let without = h.state().y_bounds().unwrap();
    assert!(
        without.1 < with.1,
        "y shrinks without the long MAs: {with:?} -> {without:?}"
    );
    assert_y_fits(h.state(), &s);
}

#[test]
fn snapshots_candles_with_mas_and_volume() {
    let s = sample("005930.csv");
    let mut chart = CandleChart::new("snap");
    chart.set_series(
        ChartSeries::new("005930 Samsung Electronics", s),
        CandleColors::KOREAN,
        MA_SET_A,
    );
    let mut h = candle_harness(chart);
    settle(&mut h, CandleChart::is_loading);
    let opts = SnapshotOptions::new().threshold(2.0).max_failed_pixels(400);
    h.snapshot_options("candles_1m", &opts);
    // Crosshair and tooltip (date, OHLC, volume, every MA) over a candle.
    h.hover_at(egui::pos2(SIZE.0 * 0.5, SIZE.1 * 0.5));
    h.run_steps(3);
    h.snapshot_options("candles_1m_crosshair", &opts);
    h.get_by_label("Max").click();
    h.run_steps(3);
    h.remove_cursor();
    h.run_steps(2);
    h.snapshot_options("candles_max", &opts);
}

fn comparison_harness(chart: ComparisonChart) -> Harness<'static, ComparisonChart> {
    let renderer = egui_kittest::wgpu::WgpuTestRenderer::from_render_state(render_state());
    Harness::builder()
        .with_size(SIZE)
        .renderer(renderer)
        .build_ui_state(|ui, chart: &mut ComparisonChart| chart.ui(ui), chart)
}

#[test]
fn comparison_rebases_and_maps_two_axes() {
    let names = ["AAPL.csv", "MSFT.csv", "IBM.csv"];
    let series: Vec<ChartSeries> = names
        .iter()
        .map(|n| ChartSeries::new(n.trim_end_matches(".csv"), sample(n)))
        .collect();
    let mut chart = ComparisonChart::new("cmp");
    chart.set_series(series.clone());
    let mut h = comparison_harness(chart);
    settle(&mut h, ComparisonChart::is_loading);
    h.state_mut().apply_range(RangePreset::Y1);
    h.run_steps(3);
    // Rebased: every series is 100 at the first visible day, and y covers every line.
    let view = h.state().view();
    let first = view.bar_range(h.state().calendar().unwrap().len()).start;
    for (k, (scale, offset)) in h.state().transforms().iter().enumerate() {
        let close_at_first = {
            let cal = h.state().calendar().unwrap();
            let s = &series[k].series;
            s.close()[s.index_of(cal[first]).unwrap()]
        };
        assert!((close_at_first * scale + offset - 100.0).abs() < 1e-9);
    }
    let (y0, y1) = h.state().y_bounds().unwrap();
    assert!(y0 < 100.0 && y1 > 100.0);

    h.state_mut().set_mode(CompareMode::PercentChange);
    h.run_steps(2);
    let (y0, y1) = h.state().y_bounds().unwrap();
    assert!(
        y0 < 0.0 && y1 > 0.0,
        "percent change straddles 0: {y0}..{y1}"
    );

    // Two series, dual axis: the second's visible range maps onto the first's.
    h.state_mut().remove_series(2);
    h.state_mut().set_mode(CompareMode::DualAxis);
    settle(&mut h, ComparisonChart::is_loading);
    h.run_steps(2);
    assert_eq!(h.state().effective_mode(), CompareMode::DualAxis);
    assert_eq!(h.state().series_names(), ["AAPL", "MSFT"]);
    let (s1, o1) = h.state().transforms()[1];
    let r = h
        .state()
        .view()
        .bar_range(h.state().calendar().unwrap().len());
    let cal = h.state().calendar().unwrap().to_vec();
    let vis = |s: &DailySeries| {
        let a = s.lower_bound(cal[r.start]);
        let b = s.lower_bound(cal[r.end - 1]) + 1;
        let c = &s.close()[a..b];
        (
            c.iter().copied().fold(f64::INFINITY, f64::min),
            c.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        )
    };
    let (l0, l1) = vis(&series[0].series);
    let (r0, r1) = vis(&series[1].series);
    assert!((r0 * s1 + o1 - l0).abs() < 1e-6 * l0.abs().max(1.0));
    assert!((r1 * s1 + o1 - l1).abs() < 1e-6 * l1.abs().max(1.0));
}

#[test]
fn gpu_buffers_are_uploaded_once_per_level_and_freed_with_the_series() {
    let rs = render_state();
    let stats = |rs: &egui_wgpu::RenderState| {
        rs.renderer
            .read()
            .callback_resources
            .get::<wickview::render::ChartRenderer>()
            .unwrap()
            .stats()
    };
    let (chart, _) = gspc_chart();
    let mut h = Harness::builder()
        .with_size(SIZE)
        .renderer(egui_kittest::wgpu::WgpuTestRenderer::from_render_state(
            rs.clone(),
        ))
        .build_ui_state(
            |ui, chart: &mut CandleChart| {
                chart.ui(ui);
            },
            chart,
        );
    settle(&mut h, CandleChart::is_loading);
    h.render().unwrap();
    let first = stats(&rs);
    // Level 0 of candles, volume and five MA lines, every chunk of it (decades of daily
    // bars fit in one frame's upload budget).
    let chunks = |buckets: usize| buckets.div_ceil(wickview::render::CHUNK_BUCKETS) as u64;
    let bars = h.state().series().map_or(0, |s| s.series.len());
    assert!(bars > 5000);
    assert_eq!(first.buffers_created, 7 * chunks(bars), "{first:?}");
    h.render().unwrap();
    assert_eq!(
        stats(&rs).buffers_created,
        first.buffers_created,
        "same view: nothing uploaded"
    );

    h.get_by_label("Max").click();
    h.run_steps(2);
    h.render().unwrap();
    let max = stats(&rs);
    let coarser = max.buffers_created - first.buffers_created;
    assert!(
        coarser > 0 && coarser % 7 == 0 && coarser < first.buffers_created,
        "the same chunks of one coarser level of each: {max:?}"
    );
    assert!(max.bytes_uploaded - first.bytes_uploaded < first.bytes_uploaded / 2);

    // Another series: the old one's buffers go once nothing draws it any more.
    h.state_mut().set_series(
        ChartSeries::new("AAPL", sample("AAPL.csv")),
        CandleColors::WESTERN,
        &[20],
    );
    settle(&mut h, CandleChart::is_loading);
    h.render().unwrap();
    h.render().unwrap();
    let after = stats(&rs);
    assert_eq!(
        after.buffers_cached as u64,
        after.buffers_created - max.buffers_created,
        "only the new series' levels stay: {after:?}"
    );
}

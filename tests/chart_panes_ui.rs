//! Indicator panes of the candle chart through egui_kittest on the wgpu renderer: panes added
//! and removed from the toolbar's indicator editor, parameters edited, the crosshair tooltip
//! showing the kernels' values at the hovered day in every pane, panes resized by their handle.

// Helpers outside #[test] functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use wickview::compute::indicators::{Indicator, macd, rsi, stochastic};
use wickview::model::{DailySeries, MA_SET_A};
use wickview::ui::chart::{CandleChart, ChartSeries, format_price};
use wickview::ui::demo::read_csv;
use wickview::ui::theme::CandleColors;

const SIZE: (f32, f32) = (1000.0, 900.0);

fn sample(name: &str) -> Arc<DailySeries> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets/sample")
        .join(name);
    Arc::new(read_csv(&path).unwrap())
}

fn harness(chart: CandleChart) -> Harness<'static, CandleChart> {
    let rs = egui_kittest::wgpu::create_render_state(
        egui_kittest::wgpu::default_wgpu_setup(),
        egui_wgpu::RendererOptions::PREDICTABLE,
    );
    wickview::ui::chart::init_render_resources(&rs, 1, None);
    let renderer = egui_kittest::wgpu::WgpuTestRenderer::from_render_state(rs);
    Harness::builder()
        .with_size(SIZE)
        .renderer(renderer)
        .build_ui_state(|ui, chart: &mut CandleChart| chart.ui(ui), chart)
}

fn settle(h: &mut Harness<'_, CandleChart>) {
    let deadline = Instant::now() + Duration::from_secs(30);
    h.run_steps(2);
    while h.state().is_loading() {
        assert!(Instant::now() < deadline, "indicators did not finish");
        h.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    h.run_steps(3);
}

fn samsung_chart() -> (CandleChart, Arc<DailySeries>) {
    let s = sample("005930.csv");
    let mut chart = CandleChart::new("panes");
    chart.set_series(
        ChartSeries::new("005930 Samsung Electronics", Arc::clone(&s)),
        CandleColors::KOREAN,
        MA_SET_A,
    );
    (chart, s)
}

/// Hovers 60 points below the top of the pane under the handle named `handle`.
fn hover_in_pane(h: &mut Harness<'_, CandleChart>, handle: &str, x: f32) {
    let rect = h.get_by_label(handle).rect();
    h.hover_at(egui::pos2(x, rect.bottom() + 60.0));
    h.run_steps(2);
}

#[test]
fn add_rsi_and_macd_from_the_toolbar_and_read_them_under_the_crosshair() {
    let (chart, s) = samsung_chart();
    let mut h = harness(chart);
    settle(&mut h);
    h.get_by_label("Indicators (0)").click();
    h.run_steps(2);
    h.get_by_label("+ RSI").click();
    h.run_steps(1);
    h.get_by_label("+ MACD").click();
    settle(&mut h);
    assert_eq!(
        h.state().indicators(),
        vec![
            Indicator::Rsi { period: 14 },
            Indicator::Macd {
                fast: 12,
                slow: 26,
                signal: 9
            }
        ]
    );
    let want_rsi = rsi(s.close(), 14).unwrap();
    let want_macd = macd(s.close(), (12, 26, 9)).unwrap();

    // The crosshair over the RSI pane, then over the MACD pane: the same day's full tooltip.
    for (handle, x) in [
        ("Resize rsi:14 pane", 500.0),
        ("Resize macd:12,26,9 pane", 300.0),
    ] {
        hover_in_pane(&mut h, handle, x);
        let day = h.state().hovered_bar().expect("a day under the pointer");
        let view = h.state().view();
        assert!(
            (view.start..=view.end).contains(&(day as f64)),
            "{day} in {view:?}"
        );
        let text = h.state().tooltip_text().unwrap();
        let date = s.days()[day].format("%Y-%m-%d").to_string();
        assert!(text.contains(&date), "{text}");
        for line in [
            format!("RSI 14 {}", format_price(want_rsi[day])),
            format!("MACD {}", format_price(want_macd.macd[day])),
            format!("signal {}", format_price(want_macd.signal[day])),
            format!("histogram {}", format_price(want_macd.hist[day])),
            format!("C {}", format_price(s.close()[day])),
        ] {
            assert!(text.contains(&line), "{line:?} missing from\n{text}");
        }
        // The chart's lines are the kernels' values, bit for bit.
        let rsi_line = &h.state().indicator_entries()[0].lines().unwrap()[0];
        assert_eq!(rsi_line.values[day].to_bits(), want_rsi[day].to_bits());
    }

    // Drag the RSI pane's handle up: the pane grows.
    let before = h.state().indicator_entries()[0].height;
    let handle = h.get_by_label("Resize rsi:14 pane").rect().center();
    h.drag_at(handle);
    h.run_steps(1);
    h.hover_at(handle - egui::vec2(0.0, 40.0));
    h.run_steps(1);
    h.drop_at(handle - egui::vec2(0.0, 40.0));
    h.run_steps(2);
    let after = h.state().indicator_entries()[0].height;
    assert!(after > before + 20.0, "{before} -> {after}");

    // Remove the RSI pane.
    h.get_by_label("× rsi").click();
    settle(&mut h);
    assert_eq!(h.state().indicators().len(), 1);
    assert!(h.query_by_label("Resize rsi:14 pane").is_none());
    assert!(h.query_by_label("Resize macd:12,26,9 pane").is_some());
}

/// Replaces the text of the parameter field holding `current` with `text` (Enter follows).
fn edit_field(h: &mut Harness<'_, CandleChart>, current: &str, text: &str) {
    let current = current.to_owned();
    let is_field = move |n: &egui_kittest::kittest::AccessKitNode<'_>| {
        n.role() == Role::TextInput && n.value().as_deref() == Some(current.as_str())
    };
    h.get_by(is_field.clone()).click();
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by(is_field).type_text(text);
    h.run_steps(1);
}

#[test]
fn edited_parameters_recompute_and_bad_ones_are_explained() {
    let (mut chart, s) = samsung_chart();
    chart.set_indicators(&[Indicator::Stochastic {
        k: 14,
        slowing: 3,
        d: 3,
    }]);
    let mut h = harness(chart);
    settle(&mut h);
    h.get_by_label("Indicators (1)").click();
    h.run_steps(2);
    edit_field(&mut h, "stoch:14,3,3", "stoch:5,3,3");
    h.run_steps(1);
    h.key_press(egui::Key::Enter);
    settle(&mut h);
    assert_eq!(
        h.state().indicators(),
        vec![Indicator::Stochastic {
            k: 5,
            slowing: 3,
            d: 3
        }]
    );
    let (k, d) = stochastic(s.high(), s.low(), s.close(), (5, 3, 3)).unwrap();
    let lines = h.state().indicator_entries()[0].lines().unwrap();
    assert!(
        lines[0]
            .values
            .iter()
            .zip(&k)
            .all(|(a, b)| a.to_bits() == b.to_bits())
    );
    assert!(
        lines[1]
            .values
            .iter()
            .zip(&d)
            .all(|(a, b)| a.to_bits() == b.to_bits())
    );

    // A bad spec keeps the indicator and says why.
    edit_field(&mut h, "stoch:5,3,3", "stoch:0,3,3");
    h.run_steps(1);
    h.key_press(egui::Key::Enter);
    h.run_steps(2);
    assert_eq!(h.state().indicators().len(), 1);
    assert!(
        h.query_by_label_contains("%K must be at least 1, got 0")
            .is_some(),
        "the error is shown"
    );
}

//! Indicators in the whole application: added from the chart's toolbar in a category viewer,
//! remembered for that category, and shown again after a restart with the saved settings.

// Helpers outside #[test] functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use wickview::compute::indicators::Indicator;
use wickview::model::Category;
use wickview::store::StoreConfig;
use wickview::ui::app::{AppOptions, WickviewApp};
use wickview::ui::settings::Settings;

const TIMEOUT: Duration = Duration::from_secs(30);

/// An app on the store in `dir` with `settings` (as a restart would read them back).
fn start(
    rt: &tokio::runtime::Runtime,
    dir: &std::path::Path,
    settings: Settings,
) -> Harness<'static, WickviewApp> {
    let options = AppOptions {
        store: Some(StoreConfig::Embedded {
            data_dir: dir.to_owned(),
        }),
        seed_sample: true,
        fresh_settings: true,
        ticker: Some("005930".into()),
        ..AppOptions::default()
    };
    let handle = rt.handle().clone();
    let rs = egui_kittest::wgpu::create_render_state(
        egui_kittest::wgpu::default_wgpu_setup(),
        egui_wgpu::RendererOptions::PREDICTABLE,
    );
    let renderer = egui_kittest::wgpu::WgpuTestRenderer::from_render_state(rs);
    let _guard = rt.enter();
    Harness::builder()
        .with_size((1000.0, 800.0))
        .renderer(renderer)
        .build_eframe(move |cc| {
            if let Some(rs) = &cc.wgpu_render_state {
                wickview::ui::chart::init_render_resources(rs, 1, None);
            }
            let hangul = wickview::ui::fonts::install_hangul_fallback(&cc.egui_ctx);
            WickviewApp::with_settings(&cc.egui_ctx, handle, options, settings, hangul)
        })
}

fn wait_settled(rt: &tokio::runtime::Runtime, h: &mut Harness<'static, WickviewApp>) {
    let _guard = rt.enter();
    let deadline = Instant::now() + TIMEOUT;
    loop {
        h.step();
        let app = h.state();
        if app.is_settled() && app.viewer(Category::KoreanStock).shown_ticker().is_some() {
            break;
        }
        assert!(Instant::now() < deadline, "the app did not settle");
        std::thread::sleep(Duration::from_millis(10));
    }
    h.run_steps(2);
}

#[test]
fn indicator_parameters_are_remembered_after_a_restart() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut h = start(&rt, dir.path(), Settings::default());
    wait_settled(&rt, &mut h);
    {
        let _guard = rt.enter();
        h.get_by_label("Indicators (0)").click();
        h.run_steps(2);
        h.get_by_label("+ BB").click();
        h.run_steps(1);
        h.get_by_label("+ RSI").click();
        h.run_steps(2);
    }
    wait_settled(&rt, &mut h);
    let want = vec![
        Indicator::Bollinger { period: 20, k: 2.0 },
        Indicator::Rsi { period: 14 },
    ];
    let settings = h.state().settings.clone();
    assert_eq!(settings.indicators_for(Category::KoreanStock), want);
    assert!(settings.indicators_for(Category::UsStock).is_empty());
    drop(h);

    // Restart with what was saved (eframe stores the settings with serde).
    let saved: Settings = serde_json::from_str(&serde_json::to_string(&settings).unwrap()).unwrap();
    let mut h = start(&rt, dir.path(), saved);
    wait_settled(&rt, &mut h);
    let chart = &h.state().viewer(Category::KoreanStock).chart;
    assert_eq!(chart.indicators(), want);
    assert!(
        chart
            .indicator_entries()
            .iter()
            .all(|e| e.lines().is_some()),
        "computed again after the restart"
    );
    assert!(h.query_by_label("Resize rsi:14 pane").is_some());
}

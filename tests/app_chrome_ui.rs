//! The chart's chrome (issue 19): range keys light their button as a click does, and a
//! multi-chart layout shows one toolbar, the active chart's, above the grid. egui_kittest
//! drives the real [`WickviewApp`] at 1000 × 700 on its own temporary embedded store seeded
//! with the bundled sample.

// Helpers outside #[test] functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

#[path = "common/app_harness.rs"]
mod app_harness;

use std::path::Path;
use std::time::Duration;

use app_harness::{Ready, Start, TestApp, runtime};

use egui::Key;
use egui::accesskit::Toggled;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use wickview::model::{Category, DailySeries, Ticker};
use wickview::ui::chart::RangePreset;
use wickview::ui::layout::{Layout, LayoutSettings};
use wickview::ui::settings::ViewKind;

const TIMEOUT: Duration = Duration::from_secs(30);

fn start_app(dir: &Path) -> TestApp {
    let start = Start::new(&runtime())
        .in_dir(dir)
        .timeout(TIMEOUT)
        .ready(Ready::Settled);
    TestApp::start(start, |o| {
        o.view = Some(ViewKind::Category(Category::KoreanStock));
        o.ticker = Some("005930".into());
    })
}

impl TestApp {
    fn key(&mut self, key: Key) {
        self.harness.key_press(key);
        self.steps(2);
    }

    fn series(&self, category: Category, symbol: &str) -> DailySeries {
        let store = self.harness.state().store().unwrap().clone();
        let t = Ticker::parse(category, symbol).unwrap();
        self.rt.block_on(store.load_series(&t, None)).unwrap()
    }

    /// How many widgets carry exactly `label`.
    fn count(&self, label: &str) -> usize {
        self.harness.query_all_by_label(label).count()
    }

    /// Whether the (only) widget labelled `label` is shown selected.
    fn lit(&self, label: &str) -> bool {
        self.harness.get_by_label(label).accesskit_node().toggled() == Some(Toggled::True)
    }
}

/// The range buttons that are lit.
fn lit_ranges(app: &TestApp) -> Vec<&'static str> {
    RangePreset::ALL
        .iter()
        .map(|p| p.label())
        .filter(|l| app.lit(l))
        .collect()
}

/// A number key picks its range and lights that range's button, as clicking it does.
#[test]
fn range_keys_light_their_button() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = start_app(dir.path());
    assert_eq!(lit_ranges(&app), ["1M"], "the chart opens on one month");
    app.key(Key::Num6);
    let chart = &app.harness.state().viewer(Category::KoreanStock).chart;
    assert_eq!(chart.active_range(), Some(RangePreset::Y1));
    assert_eq!(lit_ranges(&app), ["1Y"]);
    app.key(Key::Num0);
    assert_eq!(lit_ranges(&app), ["Max"]);
    // Panning away from the range unlights it, as after a click.
    app.key(Key::ArrowLeft);
    app.key(Key::Num3);
    assert_eq!(lit_ranges(&app), ["3M"]);
    app.key(Key::ArrowLeft);
    assert!(lit_ranges(&app).is_empty());
}

/// In 2x2 one toolbar sits above the grid (not one per chart, each wrapping to many rows in
/// a quarter of 1000 × 700) and acts on the active chart: the one last clicked.
#[test]
fn a_2x2_layout_has_one_toolbar_for_the_active_chart() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = start_app(dir.path());
    app.harness.state_mut().settings.layouts.insert(
        Category::KoreanStock.storage_name().to_owned(),
        LayoutSettings {
            layout: Layout::Grid,
            tickers: vec!["AAPL".into(), "MSFT".into(), "^GSPC".into()],
            ..LayoutSettings::default()
        },
    );
    app.wait_for("the four charts to load", |a| a.is_settled());
    app.steps(2);
    for label in ["1W", "1Y", "Max", "Log", "Measure", "Magnet"] {
        assert_eq!(app.count(label), 1, "one '{label}' in the window");
    }
    assert_eq!(
        app.harness
            .query_all_by_label_contains("Indicators (")
            .count(),
        1
    );
    // The toolbar is above every chart, in at most two rows.
    let header_tops: Vec<f32> = (1..=4)
        .map(|k| {
            app.harness
                .query_all_by_label_contains(&format!("Chart {k}: "))
                .next()
                .unwrap()
                .rect()
                .top()
        })
        .collect();
    let first_cell_top = header_tops.iter().copied().fold(f32::INFINITY, f32::min);
    let range_button = app.harness.get_by_label("1W").rect();
    let indicators = app
        .harness
        .query_all_by_label_contains("Indicators (")
        .next()
        .unwrap()
        .rect();
    assert!(range_button.bottom() < first_cell_top && indicators.bottom() < first_cell_top);
    assert!(
        indicators.center().y - range_button.center().y < 2.0 * range_button.height() + 8.0,
        "the chart toolbar wraps to at most two rows: {range_button:?} {indicators:?}"
    );

    // Chart 2 (AAPL): a click makes it active; the toolbar's range button then acts on it.
    app.harness.get_by_label("Chart 2: AAPL").click();
    app.steps(3);
    let v = app.harness.state().viewer(Category::KoreanStock);
    assert!(v.chart_at(1).unwrap().link().keyboard, "chart 2 is active");
    app.harness.get_by_label("1Y").click();
    app.steps(3);
    let v = app.harness.state().viewer(Category::KoreanStock);
    let aapl = app.series(Category::UsStock, "AAPL");
    assert_eq!(
        v.chart_at(1).unwrap().view(),
        RangePreset::Y1.view(aapl.days())
    );
    assert_eq!(v.chart_at(1).unwrap().active_range(), Some(RangePreset::Y1));
    assert_ne!(
        v.chart.active_range(),
        Some(RangePreset::Y1),
        "chart 1 followed by date only"
    );
    assert_eq!(lit_ranges(&app), ["1Y"]);
    // A range key goes to the active chart too, and lights the shared button.
    app.key(Key::Num3);
    let v = app.harness.state().viewer(Category::KoreanStock);
    assert_eq!(v.chart_at(1).unwrap().active_range(), Some(RangePreset::M3));
    assert_eq!(lit_ranges(&app), ["3M"]);

    // Chart 4 (^GSPC): its toolbar shows its own state (moved by the link: no range lit).
    app.harness.get_by_label("Chart 4: ^GSPC").click();
    app.steps(3);
    let v = app.harness.state().viewer(Category::KoreanStock);
    assert!(v.chart_at(3).unwrap().link().keyboard, "chart 4 is active");
    assert!(v.chart_at(3).unwrap().active_range().is_none());
    assert!(lit_ranges(&app).is_empty());
    app.harness.get_by_label("Log").click();
    app.steps(3);
    let v = app.harness.state().viewer(Category::KoreanStock);
    assert!(v.chart_at(3).unwrap().log_y(), "Log switched chart 4");
    assert!(!v.chart_at(1).unwrap().log_y(), "and only chart 4");
    assert_eq!(app.count("Log"), 1);
}

//! Acceptance tests of the comparison view with many series: egui_kittest drives the real
//! [`WickviewApp`] at 1400x900 on the wgpu renderer, each test on its own temporary embedded
//! store filled with seeded synthetic tickers or the bundled sample; assertions read the
//! app's state, the chart's drawn geometry and the store.

// Helpers outside #[test] functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

#[path = "common/app_harness.rs"]
mod app_harness;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use app_harness::{Start, TestApp, runtime};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use wickview::compute::panel::SyntheticPanel;
use wickview::model::{Category, Ticker, TickerMeta};
use wickview::store::{Store, StoreConfig};
use wickview::ui::app::{AppOptions, WickviewApp};
use wickview::ui::chart::RangePreset;
use wickview::ui::settings::ViewKind;

/// How long background work may take before a test fails.
const TIMEOUT: Duration = Duration::from_secs(60);

fn seed_synthetic(rt: &tokio::runtime::Runtime, dir: &Path, n: usize, days: usize) {
    rt.block_on(async {
        let store = Store::open(&StoreConfig::Embedded {
            data_dir: dir.to_owned(),
        })
        .await
        .unwrap();
        let panel = SyntheticPanel::generate(n, days, 11).all_daily_series();
        for (i, series) in panel.iter().enumerate() {
            let ticker = Ticker::parse(Category::UsStock, &format!("T{i:03}")).unwrap();
            store
                .add_ticker(&TickerMeta::new(ticker.clone(), format!("Synthetic {i}")))
                .await
                .unwrap();
            store.upsert_bars(&ticker, series).await.unwrap();
        }
    });
}

fn start_app(
    rt: &Arc<tokio::runtime::Runtime>,
    dir: &Path,
    customise: impl FnOnce(&mut AppOptions),
) -> TestApp {
    let start = Start::new(rt)
        .in_dir(dir)
        .size((1400.0, 900.0))
        .timeout(TIMEOUT);
    TestApp::start(start, |o| {
        o.view = Some(ViewKind::Comparison);
        customise(o);
    })
}

impl TestApp {
    fn click(&mut self, role: Role, label: &str) {
        self.harness.get_by_role_and_label(role, label).click();
        self.steps(2);
    }

    fn type_into(&mut self, placeholder: &'static str, text: &str) {
        let node = |h: &Harness<'static, WickviewApp>| {
            h.get_by(move |n| is_text_input(n, placeholder)).focus();
        };
        node(&self.harness);
        self.steps(1);
        self.harness
            .get_by(move |n| is_text_input(n, placeholder))
            .type_text(text);
        self.steps(1);
    }

    /// Plot area over the comparison view's area.
    fn plot_share(&self) -> f32 {
        let a = self.app();
        let plot = a.comparison.chart.plot_rect().unwrap();
        let area = a.comparison.area().unwrap();
        plot.area() / area.area()
    }
}

fn is_text_input(n: &egui_kittest::kittest::AccessKitNode<'_>, placeholder: &str) -> bool {
    matches!(n.role(), Role::TextInput | Role::MultilineTextInput)
        && n.placeholder() == Some(placeholder)
}

fn settled(a: &WickviewApp, n: usize) -> bool {
    a.is_settled() && a.comparison.shown_tickers().len() == n
}

/// "Add many" → "All US stocks" adds a category of 25 tickers: every one is in the chart
/// and in the series list, and the plot keeps most of the view (the list is beside it,
/// not over it).
#[test]
fn adding_a_category_lists_every_ticker_and_the_plot_keeps_the_view() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    seed_synthetic(&rt, dir.path(), 25, 300);
    let mut app = start_app(&rt, dir.path(), |o| o.seed_sample = false);
    app.click(Role::DisclosureTriangle, "Add many");
    app.click(Role::Button, "All US stocks");
    app.wait_for("25 series to load", |a| settled(a, 25));
    let want: Vec<String> = (0..25).map(|i| format!("T{i:03}")).collect();
    assert_eq!(app.app().settings.comparison, want);
    assert_eq!(app.app().comparison.chart.len(), 25);
    assert_eq!(app.app().comparison.list.shown_rows(), 25);
    // The list's rows are real widgets: the first rows' controls are on screen.
    for t in ["T000", "T001", "T002"] {
        assert!(
            app.harness
                .query_by_role_and_label(Role::Button, &format!("Remove {t}"))
                .is_some(),
            "row of {t}"
        );
    }
    let share = app.plot_share();
    assert!(share >= 0.6, "the plot covers {share:.2} of the view");

    // Hiding one with its swatch takes it off the chart; solo leaves one.
    app.click(Role::CheckBox, "Show T003");
    assert!(!app.app().comparison.chart.is_visible(3));
    assert_eq!(app.app().settings.comparison_hidden, ["T003"]);
    app.click(Role::Button, "Solo T001");
    let chart = &app.app().comparison.chart;
    assert!((0..25).all(|k| chart.is_visible(k) == (k == 1)));
    // Remove selected: two rows selected, both gone.
    app.click(Role::CheckBox, "Select T000");
    app.click(Role::CheckBox, "Select T002");
    app.click(Role::Button, "Remove selected (2)");
    app.wait_for("23 series", |a| settled(a, 23));
    assert!(
        !app.app()
            .settings
            .comparison
            .iter()
            .any(|t| t == "T000" || t == "T002")
    );
}

/// The line nearest the pointer is highlighted, and the tooltip names it first.
#[test]
fn hover_highlights_and_names_the_nearest_line() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    seed_synthetic(&rt, dir.path(), 12, 300);
    let mut app = start_app(&rt, dir.path(), |o| {
        o.seed_sample = false;
        o.compare = (0..12).map(|i| format!("T{i:03}")).collect();
        o.range = Some(RangePreset::M6);
    });
    app.wait_for("12 series to load", |a| settled(a, 12));
    let chart = &app.app().comparison.chart;
    let days = chart.calendar().unwrap().len();
    let bar = chart.view().bar_range(days).start + 40;
    // The series whose rebased value that day is farthest from every other one.
    let values: Vec<f64> = (0..12)
        .map(|k| chart.plotted_value(k, bar).unwrap())
        .collect();
    let gap = |k: usize| {
        values
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != k)
            .map(|(_, v)| (v - values[k]).abs())
            .fold(f64::INFINITY, f64::min)
    };
    let target = (0..12).max_by(|a, b| gap(*a).total_cmp(&gap(*b))).unwrap();
    let pos = chart.screen_pos(target, bar).unwrap();
    app.harness.hover_at(pos);
    app.steps(3);
    let chart = &app.app().comparison.chart;
    assert_eq!(chart.hovered_bar(), Some(bar));
    assert_eq!(chart.highlighted(), Some(target));
    let tip = chart.tooltip().unwrap();
    let name = chart.series_names()[target].to_owned();
    let second = tip.lines().nth(1).unwrap();
    assert!(second.starts_with(&format!("> {name} ")), "{tip}");
    // Twelve lines: the tooltip lists the extremes, not all of them.
    assert!(tip.lines().count() <= 12, "{tip}");
    assert!(tip.contains("Highest:") && tip.contains("Lowest:"), "{tip}");
}

/// A watchlist saved from the app survives a restart and opens with `--compare @NAME`;
/// a pasted list reports the tickers it does not know and adds the rest.
#[test]
fn a_watchlist_survives_a_restart() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    {
        let mut app = start_app(&rt, dir.path(), |_| {});
        app.click(Role::DisclosureTriangle, "Add many");
        app.type_into(
            "Paste tickers: AAPL, MSFT 005930 …",
            "msft, AAPL\nNOPE 005930",
        );
        app.click(Role::Button, "Add list");
        app.wait_for("the list to be added", |a| settled(a, 3));
        assert_eq!(app.app().settings.comparison, ["MSFT", "AAPL", "005930"]);
        let (msg, is_err) = app.app().comparison.add_many.message().unwrap();
        assert!(
            !is_err && msg.contains("not in the ticker list: NOPE"),
            "{msg}"
        );
        app.type_into("Watchlist name", "Tech and Samsung");
        app.click(Role::Button, "Save comparison as");
        app.wait_for("the watchlist to be saved", |a| {
            a.comparison
                .add_many
                .watchlists()
                .is_some_and(|l| l.iter().any(|w| w.name == "Tech and Samsung"))
        });
    }
    // A new app on the same store.
    let mut app = start_app(&rt, dir.path(), |o| {
        o.compare = vec!["IBM".into(), "@Tech and Samsung".into()];
    });
    app.wait_for("the watchlist to open", |a| settled(a, 4));
    assert_eq!(
        app.app().settings.comparison,
        ["IBM", "MSFT", "AAPL", "005930"]
    );
    // A missing watchlist is a clear message, and the comparison stays as it was.
    let mut app = start_app(&rt, dir.path(), |o| o.compare = vec!["@Nope".into()]);
    app.wait_for("the lookup", |a| {
        !a.comparison.is_adding() && a.is_settled()
    });
    let (msg, is_err) = app.app().comparison.add_many.message().unwrap();
    assert!(is_err && msg.contains("no watchlist named 'Nope'"), "{msg}");
    assert!(app.app().settings.comparison.is_empty());
}

/// A fixed rebase day: every series is close / close(anchor) x 100, whatever the view;
/// a series that starts after it is rebased on its own first day and marked.
#[test]
fn a_fixed_rebase_day_gives_close_over_close_at_the_anchor() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let mut app = start_app(&rt, dir.path(), |o| {
        o.compare = vec!["MSFT".into(), "GOOG".into(), "IBM".into()];
        o.range = Some(RangePreset::Y1);
    });
    app.wait_for("the comparison", |a| settled(a, 3));
    app.type_into("Rebase day YYYY-MM-DD", "2004-03-01");
    app.click(Role::Button, "Set");
    let anchor = chrono::NaiveDate::from_ymd_opt(2004, 3, 1).unwrap();
    assert_eq!(app.app().comparison.chart.anchor(), Some(anchor));
    let store = app.app().store().unwrap().clone();
    let closes = |t: &str| {
        let s = rt
            .block_on(store.load_series(&Ticker::parse(Category::UsStock, t).unwrap(), None))
            .unwrap();
        s.days()
            .iter()
            .copied()
            .zip(s.close().iter().copied())
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let (msft, ibm, goog) = (closes("MSFT"), closes("IBM"), closes("GOOG"));
    let check = |app: &TestApp| {
        let chart = &app.app().comparison.chart;
        let cal = chart.calendar().unwrap();
        let i = cal.len() - 30;
        let day = cal[i];
        for (k, c) in [(0, &msft), (2, &ibm)] {
            let want = c[&day] / c[&anchor] * 100.0;
            let got = chart.plotted_value(k, i).unwrap();
            assert!((got - want).abs() < 1e-9 * want, "{day}: {got} != {want}");
        }
        // GOOG listed in August 2004: rebased on its first day, and marked.
        assert!(chart.starts_after_rebase_day(1));
        let first = *goog.keys().next().unwrap();
        let want = goog[&day] / goog[&first] * 100.0;
        assert!((chart.plotted_value(1, i).unwrap() - want).abs() < 1e-9 * want);
    };
    check(&app);
    // Kept while panning: drag the plot to the left.
    let rect = app.app().comparison.chart.plot_rect().unwrap();
    let before = app.app().comparison.chart.view();
    app.harness.drag_at(rect.center());
    app.steps(1);
    app.harness.hover_at(rect.center() + egui::vec2(250.0, 0.0));
    app.steps(1);
    app.harness.drop_at(rect.center() + egui::vec2(250.0, 0.0));
    app.steps(2);
    assert!(
        app.app().comparison.chart.view().start < before.start,
        "panned"
    );
    assert_eq!(app.app().comparison.chart.anchor(), Some(anchor));
    check(&app);
}

/// 500 series open without the frame waiting for them: the frame that takes the 500
/// tickers returns while their loads run in the background; then all 500 are drawn and
/// listed, and the plot keeps most of the view.
#[test]
fn five_hundred_series_open_without_blocking_the_frame() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    seed_synthetic(&rt, dir.path(), 500, 260);
    let mut app = start_app(&rt, dir.path(), |o| o.seed_sample = false);
    app.click(Role::DisclosureTriangle, "Add many");
    app.click(Role::Button, "All US stocks");
    let deadline = Instant::now() + TIMEOUT;
    {
        let _guard = app.rt.enter();
        while app.app().settings.comparison.len() < 500 {
            assert!(Instant::now() < deadline, "the category was not added");
            app.harness.step();
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    // The frame that took the 500 tickers asked for their series and returned before they
    // were loaded: loading happens off the UI thread.
    assert!(
        app.app().comparison.shown_tickers().len() < 500,
        "the frame waited for the loads"
    );
    app.wait_for("500 series", |a| settled(a, 500));
    assert_eq!(app.app().comparison.chart.len(), 500);
    assert_eq!(app.app().comparison.list.shown_rows(), 500);
    assert!(app.app().comparison.chart.primitives() > 0);
    let share = app.plot_share();
    assert!(share >= 0.6, "the plot covers {share:.2} of the view");
}

/// Writes `ticker` with these closes (one bar a day) into the store in `dir`.
fn seed_closes(
    rt: &tokio::runtime::Runtime,
    dir: &Path,
    category: Category,
    symbol: &str,
    closes: &[(u32, f64)],
) {
    rt.block_on(async {
        let store = Store::open(&StoreConfig::Embedded {
            data_dir: dir.to_owned(),
        })
        .await
        .unwrap();
        let ticker = Ticker::parse(category, symbol).unwrap();
        store
            .add_ticker(&TickerMeta::new(ticker.clone(), symbol))
            .await
            .unwrap();
        let bars = closes.iter().map(|&(d, c)| {
            wickview::model::Bar::ohlc(
                chrono::NaiveDate::from_ymd_opt(2024, 1, d).unwrap(),
                c,
                c,
                c,
                c,
            )
        });
        let (series, issues) = wickview::model::DailySeries::from_bars(bars);
        assert!(issues.is_empty());
        store.upsert_bars(&ticker, &series).await.unwrap();
    });
}

/// Opens the Currency menu showing `from` and picks `to`.
fn choose_currency(app: &mut TestApp, from: &str, to: &str) {
    app.harness
        .get_by(|n| n.role() == Role::ComboBox && n.value().as_deref() == Some(from))
        .click();
    app.steps(2);
    app.harness.get_by_label(to).click();
    app.steps(2);
}

/// "All in USD": a KRW-priced series is divided by the stored KRW=X close of each day (the
/// latest earlier one on a day without a rate); a USD series stays as it is. Without a
/// KRW=X series the view says so and draws no chart.
#[test]
fn a_krw_series_shown_in_usd() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let krw = [(2, 70_000.0), (3, 71_000.0), (4, 72_000.0), (5, 73_000.0)];
    let usd = [(2, 10.0), (3, 11.0), (4, 12.0), (5, 13.0)];
    seed_closes(&rt, dir.path(), Category::KoreanStock, "123450", &krw);
    seed_closes(&rt, dir.path(), Category::UsStock, "USX", &usd);
    let choose_usd = |app: &mut TestApp| {
        choose_currency(app, "Own currency", "All in USD");
        app.click(Role::Button, "Absolute");
    };
    // No rate series yet.
    {
        let mut app = start_app(&rt, dir.path(), |o| {
            o.seed_sample = false;
            o.compare = vec!["123450".into(), "USX".into()];
        });
        app.wait_for("the comparison", |a| settled(a, 2));
        choose_usd(&mut app);
        app.wait_for("the missing rate", |a| {
            a.comparison.currency_note().is_some()
        });
        let (msg, is_err) = app.app().comparison.currency_note().unwrap();
        assert!(is_err && msg.contains("no KRW=X rate series"), "{msg}");
        assert!(
            app.harness
                .query_by_label_contains("no KRW=X rate series")
                .is_some(),
            "the message is on screen"
        );
    }
    // KRW=X with no rate on the 4th.
    seed_closes(
        &rt,
        dir.path(),
        Category::Currency,
        "KRW=X",
        &[(2, 1_300.0), (3, 1_310.0), (5, 1_290.0)],
    );
    let mut app = start_app(&rt, dir.path(), |o| {
        o.seed_sample = false;
        o.compare = vec!["123450".into(), "USX".into()];
    });
    app.wait_for("the comparison", |a| settled(a, 2));
    choose_usd(&mut app);
    app.wait_for("the conversion", |a| {
        a.is_settled() && a.comparison.currency_note().is_some_and(|(_, e)| !e)
    });
    let (msg, _) = app.app().comparison.currency_note().unwrap();
    assert!(msg.contains("KRW=X"), "{msg}");
    let chart = &app.app().comparison.chart;
    assert_eq!(
        chart.aligned_values(0).unwrap(),
        &[
            70_000.0 / 1_300.0,
            71_000.0 / 1_310.0,
            72_000.0 / 1_310.0,
            73_000.0 / 1_290.0
        ]
    );
    assert_eq!(chart.aligned_values(1).unwrap(), &[10.0, 11.0, 12.0, 13.0]);
    assert_eq!(chart.plotted_value(0, 2), Some(72_000.0 / 1_310.0));
}

/// Another currency stored as a rate against the dollar is offered in the Currency menu:
/// "All in JPY" converts won through the dollar (÷ KRW=X × JPY=X) and dollars with JPY=X
/// alone; a rate given as dollars per unit (EURUSD=X) is divided by.
#[test]
fn series_shown_in_yen_and_euros_through_the_dollar() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    seed_closes(
        &rt,
        dir.path(),
        Category::KoreanStock,
        "123450",
        &[(2, 70_000.0), (3, 71_000.0), (4, 72_000.0)],
    );
    seed_closes(
        &rt,
        dir.path(),
        Category::UsStock,
        "USX",
        &[(2, 10.0), (3, 11.0), (4, 12.0)],
    );
    seed_closes(
        &rt,
        dir.path(),
        Category::Currency,
        "KRW=X",
        &[(2, 1_300.0), (4, 1_290.0)],
    );
    seed_closes(
        &rt,
        dir.path(),
        Category::Currency,
        "JPY=X",
        &[(2, 150.0), (3, 151.0), (4, 152.0)],
    );
    seed_closes(
        &rt,
        dir.path(),
        Category::Currency,
        "EURUSD=X",
        &[(2, 1.10), (3, 1.08), (4, 1.05)],
    );
    let mut app = start_app(&rt, dir.path(), |o| {
        o.seed_sample = false;
        o.compare = vec!["123450".into(), "USX".into()];
    });
    app.wait_for("the comparison", |a| settled(a, 2));
    choose_currency(&mut app, "Own currency", "All in JPY");
    app.click(Role::Button, "Absolute");
    app.wait_for("the conversion to yen", |a| {
        a.is_settled()
            && a.comparison
                .currency_note()
                .is_some_and(|(m, e)| !e && m.starts_with("Prices in JPY"))
    });
    let (msg, _) = app.app().comparison.currency_note().unwrap();
    assert!(msg.contains("JPY=X") && msg.contains("KRW=X"), "{msg}");
    let chart = &app.app().comparison.chart;
    assert_eq!(
        chart.aligned_values(0).unwrap(),
        &[
            70_000.0 / 1_300.0 * 150.0,
            71_000.0 / 1_300.0 * 151.0,
            72_000.0 / 1_290.0 * 152.0
        ]
    );
    assert_eq!(
        chart.aligned_values(1).unwrap(),
        &[10.0 * 150.0, 11.0 * 151.0, 12.0 * 152.0]
    );
    choose_currency(&mut app, "All in JPY", "All in EUR");
    app.wait_for("the conversion to euros", |a| {
        a.is_settled()
            && a.comparison
                .currency_note()
                .is_some_and(|(m, e)| !e && m.starts_with("Prices in EUR"))
    });
    let chart = &app.app().comparison.chart;
    assert_eq!(
        chart.aligned_values(1).unwrap(),
        &[10.0 / 1.10, 11.0 / 1.08, 12.0 / 1.05]
    );
    assert_eq!(
        chart.aligned_values(0).unwrap()[2],
        72_000.0 / 1_290.0 / 1.05
    );
}

/// A rate stored while the window is open is offered once the Currency menu is opened again.
#[test]
fn opening_the_currency_menu_reads_rates_added_since() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    seed_closes(
        &rt,
        dir.path(),
        Category::UsStock,
        "USX",
        &[(2, 10.0), (3, 11.0)],
    );
    let mut app = start_app(&rt, dir.path(), |o| {
        o.seed_sample = false;
        o.compare = vec!["USX".into()];
    });
    app.wait_for("the comparison", |a| settled(a, 1));
    let menu = |app: &mut TestApp| {
        app.harness
            .get_by(|n| n.role() == Role::ComboBox && n.value().as_deref() == Some("Own currency"))
            .click();
        app.steps(2);
    };
    menu(&mut app);
    assert!(app.harness.query_by_label("All in CHF").is_none());
    menu(&mut app); // closed again
    seed_closes(
        &rt,
        dir.path(),
        Category::Currency,
        "CHF=X",
        &[(2, 0.9), (3, 0.91)],
    );
    menu(&mut app);
    app.wait_for("the stored rates", |a| !a.comparison.is_converting());
    assert!(app.harness.query_by_label("All in CHF").is_some());
    menu(&mut app); // closed again
    choose_currency(&mut app, "Own currency", "All in CHF");
    app.wait_for("the conversion to francs", |a| {
        a.is_settled()
            && a.comparison
                .currency_note()
                .is_some_and(|(m, e)| !e && m.starts_with("Prices in CHF"))
    });
    assert_eq!(
        app.app().comparison.chart.aligned_values(0).unwrap(),
        &[10.0 * 0.9, 11.0 * 0.91]
    );
}

/// Types `query` into the search box and clicks the suggestion whose label contains `label`.
fn pick_suggestion(app: &mut TestApp, query: &str, label: &str) {
    app.type_into("Search ticker or name (e.g. 삼성, AAPL)", query);
    let deadline = Instant::now() + TIMEOUT;
    while app.harness.query_by_label_contains(label).is_none() {
        assert!(Instant::now() < deadline, "no suggestion for {query}");
        app.steps(1);
        std::thread::sleep(Duration::from_millis(10));
    }
    app.harness.get_by_label_contains(label).click();
}

/// The performance table's figure for `ticker` (return over the visible range, %).
fn perf_return(app: &TestApp, ticker: &str) -> Option<f64> {
    let rows = app.app().comparison.perf.rows();
    rows.iter()
        .find(|r| r.key == ticker)
        .and_then(|r| r.perf.return_pct)
}

/// The performance table follows every change of what is compared: a currency switch and a
/// series added recompute it (it kept the figures of the previous set until the range
/// changed, and Save CSV wrote them).
#[test]
fn the_performance_table_follows_the_currency_and_the_set() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let krw = [(2, 70_000.0), (3, 71_000.0), (4, 72_000.0), (5, 73_000.0)];
    let usd = [(2, 10.0), (3, 11.0), (4, 12.0), (5, 13.0)];
    seed_closes(&rt, dir.path(), Category::KoreanStock, "123450", &krw);
    seed_closes(&rt, dir.path(), Category::UsStock, "USX", &usd);
    seed_closes(
        &rt,
        dir.path(),
        Category::UsStock,
        "USY",
        &[(2, 20.0), (3, 20.0), (4, 25.0), (5, 30.0)],
    );
    seed_closes(
        &rt,
        dir.path(),
        Category::Currency,
        "KRW=X",
        &[(2, 1_300.0), (3, 1_310.0), (4, 1_320.0), (5, 1_290.0)],
    );
    let mut app = start_app(&rt, dir.path(), |o| {
        o.seed_sample = false;
        o.compare = vec!["123450".into(), "USX".into()];
    });
    app.wait_for("the comparison", |a| settled(a, 2));
    app.click(Role::Button, "Performance");
    let close = |a: Option<f64>, b: f64| a.is_some_and(|a| (a - b).abs() < 1e-9);
    app.wait_for("the figures in won", |a| {
        !a.comparison.perf.is_busy() && a.comparison.perf.rows().len() == 2
    });
    let won = (73_000.0 / 70_000.0 - 1.0) * 100.0;
    assert!(close(perf_return(&app, "123450"), won));
    assert!(close(perf_return(&app, "USX"), 30.0));

    choose_currency(&mut app, "Own currency", "All in USD");
    let dollars = ((73_000.0 / 1_290.0) / (70_000.0 / 1_300.0) - 1.0) * 100.0;
    app.wait_for("the figures in dollars", |a| {
        a.is_settled()
            && !a.comparison.perf.is_busy()
            && a.comparison
                .perf
                .rows()
                .iter()
                .any(|r| r.key == "123450" && close(r.perf.return_pct, dollars))
    });
    assert!(close(perf_return(&app, "USX"), 30.0));
    assert!(
        app.app()
            .comparison
            .perf
            .csv()
            .contains(&format!("{dollars:.6}"))
    );

    // A third series joins: its row appears with its own figure, the others stay right.
    pick_suggestion(&mut app, "USY", "USY  USY");
    app.wait_for("three rows", |a| {
        settled(a, 3) && !a.comparison.perf.is_busy() && a.comparison.perf.rows().len() == 3
    });
    assert!(close(perf_return(&app, "USY"), 50.0));
    assert!(close(perf_return(&app, "123450"), dollars));
    assert!(close(perf_return(&app, "USX"), 30.0));
}

/// First and last day in view of the comparison.
fn days_in_view(app: &TestApp) -> (chrono::NaiveDate, chrono::NaiveDate) {
    let chart = &app.app().comparison.chart;
    let calendar = chart.calendar().unwrap();
    let range = chart.view().bar_range(calendar.len());
    (calendar[range.start], calendar[range.end - 1])
}

/// Adding a series with a longer history keeps the dates in view (the view kept its bar
/// indices, so a series from 2000 moved a 2012 view to years earlier).
#[test]
fn adding_an_older_series_keeps_the_dates_in_view() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let mut app = start_app(&rt, dir.path(), |o| {
        o.compare = vec!["GOOG".into()];
    });
    app.wait_for("the comparison", |a| settled(a, 1));
    app.click(Role::Button, "1Y");
    let before = days_in_view(&app);
    assert!(before.0.to_string().starts_with("2012-03"), "{before:?}");
    pick_suggestion(&mut app, "^GSPC", "^GSPC  S&P 500");
    app.wait_for("two series", |a| settled(a, 2));
    assert_eq!(days_in_view(&app), before);
}

//! Acceptance tests of the comparison's axes and series list and of linked time ranges
//! (issue 19): egui_kittest drives the real [`WickviewApp`] on the wgpu renderer, each test
//! on its own temporary embedded store seeded with its own series; assertions read what was
//! painted (the axis labels' text shapes), the accessibility tree and the app's state.

// Helpers outside #[test] functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

#[path = "common/app_harness.rs"]
mod app_harness;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use app_harness::{Start, TestApp, runtime};

use chrono::{Datelike as _, NaiveDate};
use egui::accesskit::Role;
use egui::{Modifiers, Pos2, Rect, vec2};
use egui_kittest::kittest::Queryable as _;
use wickview::model::{Bar, Category, DailySeries, Ticker, TickerMeta};
use wickview::store::{Store, StoreConfig};
use wickview::ui::app::{AppOptions, WickviewApp};
use wickview::ui::chart::{CompareMode, format_price};
use wickview::ui::layout::{Layout, LayoutSettings};
use wickview::ui::settings::{Settings, ViewKind};

const TIMEOUT: Duration = Duration::from_secs(60);

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// Weekdays from `from` to `to`, inclusive.
fn weekdays(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    from.iter_days()
        .take_while(|x| *x <= to)
        .filter(|x| x.weekday().num_days_from_monday() < 5)
        .collect()
}

/// Writes `symbol` with one close a day into the store in `dir`.
fn seed(rt: &tokio::runtime::Runtime, dir: &Path, symbol: &str, closes: &[(NaiveDate, f64)]) {
    rt.block_on(async {
        let store = Store::open(&StoreConfig::Embedded {
            data_dir: dir.to_owned(),
        })
        .await
        .unwrap();
        let ticker = Ticker::parse(Category::UsStock, symbol).unwrap();
        store
            .add_ticker(&TickerMeta::new(ticker.clone(), symbol))
            .await
            .unwrap();
        let bars = closes
            .iter()
            .map(|&(day, c)| Bar::ohlc(day, c, c * 1.01, c * 0.99, c));
        let (series, issues) = DailySeries::from_bars(bars);
        assert!(issues.is_empty());
        store.upsert_bars(&ticker, &series).await.unwrap();
    });
}

/// The app on the store in `dir`, with `settings` as if remembered (none: fresh).
fn start_app(
    rt: Arc<tokio::runtime::Runtime>,
    dir: &Path,
    customise: impl FnOnce(&mut AppOptions),
    settings: Option<Settings>,
) -> TestApp {
    let start = Start::new(&rt)
        .in_dir(dir)
        .size((1400.0, 900.0))
        .timeout(TIMEOUT)
        .settings(settings);
    TestApp::start(start, |o| {
        o.seed_sample = false;
        customise(o);
    })
}

impl TestApp {
    fn click(&mut self, role: Role, label: &str) {
        self.harness.get_by_role_and_label(role, label).click();
        self.steps(2);
    }

    /// Every text painted visibly last frame (whole inside its clip rectangle), with its
    /// rectangle.
    fn texts(&self) -> Vec<(String, Rect)> {
        fn walk(shape: &egui::Shape, clip: Rect, out: &mut Vec<(String, Rect)>) {
            match shape {
                egui::Shape::Text(t) => {
                    let r = t.visual_bounding_rect();
                    if clip.expand(0.5).contains_rect(r) {
                        out.push((t.galley.text().to_owned(), r));
                    }
                }
                egui::Shape::Vec(v) => v.iter().for_each(|s| walk(s, clip, out)),
                _ => {}
            }
        }
        let mut out = Vec::new();
        for clipped in &self.harness.output().shapes {
            walk(&clipped.shape, clipped.clip_rect, &mut out);
        }
        out
    }
}

/// Saves the window to `$WICKVIEW_SCREENSHOT_DIR/name` when that is set (to look at).
fn save_if_asked(app: &mut TestApp, name: &str) {
    if let Some(dir) = std::env::var_os("WICKVIEW_SCREENSHOT_DIR") {
        let image = app.harness.render().unwrap();
        image.save(Path::new(&dir).join(name)).unwrap();
    }
}

fn compared(a: &WickviewApp, n: usize) -> bool {
    a.is_settled()
        && a.comparison.shown_tickers().len() == n
        && !a.comparison.chart.is_loading()
        && !a.comparison.is_mode_pending()
}

/// A round 1-2-5 step (1, 2 or 5 times a power of ten).
fn is_round_step(step: f64) -> bool {
    let m = step / 10f64.powf(step.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().any(|r| (m - r).abs() < 1e-6)
}

fn number(label: &str) -> Option<f64> {
    label.replace(',', "").trim_end_matches('%').parse().ok()
}

/// Dual axis: the right axis has round ticks of its own in the second series' units (it
/// read 316.01545, 308.74780… from the left grid), painted in the plot's right margin; the
/// series list shows the right series' real close at the crosshair, not its value mapped
/// onto the left axis.
#[test]
fn dual_axis_has_its_own_round_right_axis_and_the_list_shows_real_closes() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let days = weekdays(d(2024, 1, 2), d(2024, 1, 31));
    let big: Vec<(NaiveDate, f64)> = days
        .iter()
        .enumerate()
        .map(|(i, day)| (*day, 1_000.0 + 7.3 * i as f64))
        .collect();
    let small: Vec<(NaiveDate, f64)> = days
        .iter()
        .enumerate()
        .map(|(i, day)| {
            (
                *day,
                243.17 + 3.41 * i as f64 + if i % 3 == 0 { 1.7 } else { 0.0 },
            )
        })
        .collect();
    seed(&rt, dir.path(), "BIG", &big);
    seed(&rt, dir.path(), "SMALL", &small);
    let mut app = start_app(
        rt,
        dir.path(),
        |o| {
            o.view = Some(ViewKind::Comparison);
            o.compare = vec!["BIG".into(), "SMALL".into()];
        },
        None,
    );
    app.wait_for("the comparison", |a| compared(a, 2));
    app.click(Role::Button, "Dual axis");
    app.wait_for("dual axis", |a| {
        compared(a, 2) && a.comparison.chart.effective_mode() == CompareMode::DualAxis
    });
    app.steps(3);
    let chart = &app.app().comparison.chart;
    let ticks = chart.right_axis_labels().to_vec();
    assert!(ticks.len() >= 3, "{ticks:?}");
    let step = ticks[1].0 - ticks[0].0;
    assert!(is_round_step(step), "step {step} of {ticks:?}");
    for (value, label) in &ticks {
        let k = value / step;
        assert!(
            (k - k.round()).abs() < 1e-6,
            "{value} is no multiple of {step}"
        );
        assert_eq!(number(label), Some(*value), "{label}");
        // In SMALL's own range.
        assert!(*value > 230.0 && *value < 330.0, "{value}");
    }
    // Painted right of the plot, in the right margin.
    let plot = chart.plot_rect().unwrap();
    let texts = app.texts();
    for (_, label) in &ticks {
        assert!(
            texts.iter().any(|(t, r)| t == label
                && r.left() >= plot.right()
                && r.center().y <= plot.bottom()),
            "{label} is not painted beside the plot"
        );
    }

    // The list's value of SMALL under the crosshair is its close.
    app.harness.hover_at(plot.center());
    app.steps(3);
    save_if_asked(&mut app, "dual-axis.png");
    let chart = &app.app().comparison.chart;
    let bar = chart.hovered_bar().unwrap();
    let real = chart.aligned_values(1).unwrap()[bar];
    let mapped = chart.plotted_value(1, bar).unwrap();
    assert!((real - mapped).abs() > 1.0, "the mapping is not trivial");
    let want = format_price(real);
    assert!(
        app.harness.query_by_label(&want).is_some(),
        "the list shows {want} for SMALL"
    );
    assert!(app.harness.query_by_label(&format_price(mapped)).is_none());

    // The performance CSV names its range, currency, price basis and benchmark in leading
    // '#' lines; the table after them has a header and one row per series.
    app.click(Role::Button, "Performance");
    app.wait_for("the performance figures", |a| {
        !a.comparison.perf.is_busy() && a.comparison.perf.rows().len() == 2
    });
    let csv = app.app().comparison.perf.csv();
    let comments: Vec<&str> = csv.lines().take_while(|l| l.starts_with('#')).collect();
    let range = format!("# range: {} to {} (", days[0], days[days.len() - 1]);
    for want in [
        range.as_str(),
        "# currency: each series in its own",
        "# prices: adjusted for splits",
        "# benchmark: BIG (correlation of daily simple returns)",
    ] {
        assert!(
            comments.iter().any(|l| l.starts_with(want)),
            "no '{want}' in {comments:?}"
        );
    }
    let table: Vec<&str> = csv.lines().filter(|l| !l.starts_with('#')).collect();
    assert!(table[0].starts_with("ticker,name,return_pct"), "{csv}");
    assert_eq!(table.len(), 3, "{csv}");
    assert!(table.iter().all(|l| l.split(',').count() == 6), "{csv}");
}

/// A log axis over 60 to 180 (rebased) carries several round labels, not 100 alone.
#[test]
fn a_log_axis_labels_a_threefold_range_several_times() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let days = weekdays(d(2024, 1, 2), d(2024, 1, 31));
    let n = days.len() as f64 - 1.0;
    let up: Vec<(NaiveDate, f64)> = days
        .iter()
        .enumerate()
        .map(|(i, day)| (*day, 50.0 * (1.0 + 0.8 * i as f64 / n)))
        .collect();
    let down: Vec<(NaiveDate, f64)> = days
        .iter()
        .enumerate()
        .map(|(i, day)| (*day, 20.0 * (1.0 - 0.4 * i as f64 / n)))
        .collect();
    seed(&rt, dir.path(), "UP", &up);
    seed(&rt, dir.path(), "DOWN", &down);
    let mut app = start_app(
        rt,
        dir.path(),
        |o| {
            o.view = Some(ViewKind::Comparison);
            o.compare = vec!["UP".into(), "DOWN".into()];
        },
        None,
    );
    app.wait_for("the comparison", |a| compared(a, 2));
    app.click(Role::Button, "Rebased to 100");
    app.click(Role::CheckBox, "Log scale");
    app.wait_for("a rebased log axis", |a| {
        compared(a, 2)
            && a.comparison.chart.effective_mode() == CompareMode::Rebased100
            && a.comparison.chart.effective_log_y()
    });
    app.steps(3);
    save_if_asked(&mut app, "log-axis.png");
    let plot = app.app().comparison.chart.plot_rect().unwrap();
    let labels: Vec<f64> = app
        .texts()
        .into_iter()
        .filter(|(_, r)| {
            r.left() >= plot.right() && r.center().y >= plot.top() && r.center().y <= plot.bottom()
        })
        .filter_map(|(t, _)| number(&t))
        .filter(|v| (55.0..=200.0).contains(v))
        .collect();
    assert!(labels.len() >= 3, "y labels over 60..180: {labels:?}");
    assert!(labels.contains(&100.0), "{labels:?}");
}

/// Opening another watchlist clears the series list's filter: a filter typed for the
/// first list hid every row of the second ("Series (2)" and no rows).
#[test]
fn opening_a_watchlist_clears_the_series_filter() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let days = weekdays(d(2024, 1, 2), d(2024, 1, 31));
    for (k, symbol) in ["AAA", "BBB", "CCC", "DDD"].iter().enumerate() {
        let closes: Vec<(NaiveDate, f64)> = days
            .iter()
            .enumerate()
            .map(|(i, day)| (*day, 10.0 * (k + 1) as f64 + i as f64))
            .collect();
        seed(&rt, dir.path(), symbol, &closes);
    }
    rt.block_on(async {
        let store = Store::open(&StoreConfig::Embedded {
            data_dir: dir.path().to_owned(),
        })
        .await
        .unwrap();
        store
            .create_watchlist("First", &["AAA".into(), "BBB".into()])
            .await
            .unwrap();
        store
            .create_watchlist("Second", &["CCC".into(), "DDD".into()])
            .await
            .unwrap();
    });
    let mut app = start_app(
        rt,
        dir.path(),
        |o| {
            o.view = Some(ViewKind::Comparison);
            o.compare = vec!["@First".into()];
        },
        None,
    );
    app.wait_for("the first watchlist", |a| compared(a, 2));
    let filter = |n: &egui_kittest::kittest::AccessKitNode<'_>| {
        n.role() == Role::TextInput && n.placeholder() == Some("Filter series")
    };
    app.harness.get_by(filter).focus();
    app.steps(1);
    app.harness.get_by(filter).type_text("AAA");
    app.steps(2);
    assert_eq!(app.app().comparison.list.shown_rows(), 1);

    app.click(Role::DisclosureTriangle, "Add many");
    app.wait_for("the watchlists", |a| {
        a.comparison
            .add_many
            .watchlists()
            .is_some_and(|l| l.len() == 2)
    });
    app.harness
        .get_by(|n| n.role() == Role::ComboBox && n.value().as_deref() == Some("Pick a watchlist"))
        .click();
    app.steps(2);
    app.harness.get_by_label("Second (2)").click();
    app.steps(2);
    app.click(Role::Button, "Open");
    app.wait_for("the second watchlist", |a| {
        compared(a, 2) && a.comparison.shown_tickers() == ["CCC", "DDD"]
    });
    let list = &app.app().comparison.list;
    assert_eq!(list.filter(), "");
    assert_eq!(list.shown_rows(), 2, "every row of the watchlist is listed");
    assert!(app.harness.query_by_label("Series (2)").is_some());
}

/// The plot rectangles of the charts of a layout, left to right (from their range sliders).
fn chart_sliders(app: &TestApp) -> Vec<Rect> {
    let mut r: Vec<Rect> = app
        .harness
        .query_all_by_label("History range")
        .map(|n| n.rect())
        .collect();
    r.sort_by(|a, b| a.left().total_cmp(&b.left()));
    r
}

/// Where `day` sits across the view of `slot`, as a fraction of its width.
fn place_of(app: &TestApp, slot: usize, day: NaiveDate) -> f64 {
    let chart = app.app().viewer(Category::UsStock).chart_at(slot).unwrap();
    let days = chart.series().unwrap().series.days();
    let i = days.iter().position(|x| *x == day).unwrap() as f64;
    let v = chart.view();
    (i - v.start) / v.width()
}

fn linked_dates(app: &TestApp, slot: usize) -> Option<(NaiveDate, NaiveDate)> {
    app.app()
        .viewer(Category::UsStock)
        .chart_at(slot)
        .and_then(|c| c.view_dates())
}

/// Two charts side by side whose histories end on different days (LONG on 2024-06-14,
/// SHORT on 2024-06-05), time range linked: they show the same first and last date (SHORT
/// with its last days empty) and a day sits at the same place in both, when they open and
/// after a zoom; a restart opens both on the linked dates again (each opened on its own
/// last month).
#[test]
fn linked_charts_share_dates_across_different_last_days_and_a_restart() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let closes = |to: NaiveDate, base: f64| -> Vec<(NaiveDate, f64)> {
        weekdays(d(2023, 1, 2), to)
            .into_iter()
            .enumerate()
            .map(|(i, day)| (day, base + (i as f64 * 0.1).sin() * 5.0 + i as f64 * 0.05))
            .collect()
    };
    seed(&rt, dir.path(), "LONG", &closes(d(2024, 6, 14), 100.0));
    seed(&rt, dir.path(), "SHORT", &closes(d(2024, 6, 5), 40.0));
    let us = Category::UsStock.storage_name().to_owned();
    let customise = |o: &mut AppOptions| {
        o.view = Some(ViewKind::Category(Category::UsStock));
        o.ticker = Some("LONG".into());
    };
    let mut app = start_app(rt, dir.path(), customise, None);
    app.harness.state_mut().settings.layouts.insert(
        us.clone(),
        LayoutSettings {
            layout: Layout::SideBySide,
            tickers: vec!["SHORT".into()],
            ..LayoutSettings::default()
        },
    );
    let both = |a: &WickviewApp| {
        let v = a.viewer(Category::UsStock);
        a.is_settled()
            && v.shown_ticker_at(0) == Some("LONG")
            && v.shown_ticker_at(1) == Some("SHORT")
    };
    app.wait_for("both charts", both);
    app.steps(3);
    let opened = linked_dates(&app, 0).unwrap();
    assert_eq!(
        linked_dates(&app, 1),
        Some(opened),
        "the charts open on one date span"
    );

    // Zoom out over LONG (left): its last bar stays at the right edge; SHORT follows with
    // the same dates, its days after June 5 empty.
    let sliders = chart_sliders(&app);
    assert_eq!(sliders.len(), 2);
    let p = Pos2::new(sliders[0].center().x + 60.0, sliders[0].top() - 120.0);
    app.harness.hover_at(p);
    app.steps(2);
    app.harness.event(egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Line,
        delta: vec2(0.0, -6.0),
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Unknown,
        modifiers: Modifiers::NONE,
    });
    app.steps(4);
    let (from, to) = linked_dates(&app, 0).unwrap();
    assert_ne!((from, to), opened, "the zoom moved the view");
    assert_eq!(to, d(2024, 6, 14), "LONG's last day stays at the right");
    assert_eq!(
        linked_dates(&app, 1),
        Some((from, to)),
        "SHORT shows the same first and last date"
    );
    let short = app.app().viewer(Category::UsStock).chart_at(1).unwrap();
    assert_eq!(
        short.visible_days().unwrap().1,
        d(2024, 6, 5),
        "SHORT's last bar, with empty days after it"
    );
    for day in [d(2024, 5, 1), d(2024, 6, 3)] {
        if day < from {
            continue;
        }
        let (a, b) = (place_of(&app, 0, day), place_of(&app, 1, day));
        assert!(
            (a - b).abs() < 1e-6,
            "{day} at {a} in LONG and {b} in SHORT"
        );
    }
    save_if_asked(&mut app, "linked.png");
    let saved = app.app().settings.clone();
    assert_eq!(saved.layouts[&us].linked_days, Some((from, to)));
    drop(app);

    // A restart with what eframe saved opens both charts on the linked dates.
    let saved: Settings = serde_json::from_str(&serde_json::to_string(&saved).unwrap()).unwrap();
    let mut app = start_app(runtime(), dir.path(), customise, Some(saved));
    app.wait_for("both charts after the restart", both);
    app.steps(3);
    assert_eq!(linked_dates(&app, 0), Some((from, to)));
    assert_eq!(linked_dates(&app, 1), Some((from, to)));
}

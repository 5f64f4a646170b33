//! Acceptance tests of drawing, keyboard control and linked layouts (issue 13):
//! egui_kittest drives the real [`WickviewApp`] on the wgpu renderer, each test on its own
//! temporary embedded store seeded with the bundled sample, with the mouse and keyboard like
//! a user; assertions read the app's state and the store.

// Helpers outside #[test] functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

#[path = "common/app_harness.rs"]
mod app_harness;

use std::path::Path;
use std::time::{Duration, Instant};

use app_harness::{Ready, Start, TestApp, runtime};

use egui::accesskit::Role;
use egui::{Key, Modifiers, Pos2, Rect, vec2};
use egui_kittest::kittest::Queryable as _;
use wickview::model::{Category, DailySeries, Drawing, DrawingKind, Ticker};
use wickview::store::EMBEDDED_FILE_NAME;
use wickview::ui::app::AppOptions;
use wickview::ui::chart::{RangePreset, XView};
use wickview::ui::layout::{Layout, LayoutSettings};
use wickview::ui::settings::{Settings, ViewKind};

const TIMEOUT: Duration = Duration::from_secs(30);
const SIZE: (f32, f32) = (1200.0, 800.0);

/// One app on a store in `dir` (which outlives it: a restart opens the same store).
fn start_app(dir: &Path, customise: impl FnOnce(&mut AppOptions)) -> TestApp {
    start_app_with(dir, customise, None)
}

fn start_app_with(
    dir: &Path,
    customise: impl FnOnce(&mut AppOptions),
    settings: Option<Settings>,
) -> TestApp {
    let start = Start::new(&runtime())
        .in_dir(dir)
        .size(SIZE)
        .timeout(TIMEOUT)
        .ready(Ready::Settled)
        .settings(settings);
    TestApp::start(start, customise)
}

impl TestApp {
    fn key(&mut self, key: Key) {
        self.harness.key_press(key);
        self.steps(2);
    }

    /// Presses at `from`, moves to `to` in steps, releases there.
    fn drag(&mut self, from: Pos2, to: Pos2) {
        self.harness.hover_at(from);
        self.steps(1);
        self.harness.drag_at(from);
        self.steps(1);
        for k in 1..=4 {
            self.harness.hover_at(from + (to - from) * (k as f32 / 4.0));
            self.steps(1);
        }
        self.release_at(to);
    }

    /// Releases the primary button at `p`, the pointer staying there.
    fn release_at(&mut self, p: Pos2) {
        self.harness.event(egui::Event::PointerButton {
            pos: p,
            button: egui::PointerButton::Primary,
            pressed: false,
            modifiers: Modifiers::NONE,
        });
        self.steps(2);
    }

    fn click_at(&mut self, p: Pos2) {
        self.harness.hover_at(p);
        self.steps(1);
        self.harness.drag_at(p);
        self.steps(1);
        self.release_at(p);
    }

    fn click_button(&mut self, label: &str) {
        self.harness
            .get_by_role_and_label(Role::Button, label)
            .click();
        self.steps(2);
    }

    fn series(&self, category: Category, symbol: &str) -> DailySeries {
        let store = self.app().store().unwrap().clone();
        let t = Ticker::parse(category, symbol).unwrap();
        self.rt.block_on(store.load_series(&t, None)).unwrap()
    }

    fn stored_drawings(&self, ticker: &str) -> Vec<Drawing> {
        let store = self.app().store().unwrap().clone();
        self.rt.block_on(store.drawings(ticker)).unwrap().drawings
    }

    fn drawings(&self) -> Vec<Drawing> {
        self.app()
            .viewer(Category::KoreanStock)
            .chart
            .drawings()
            .drawings()
            .to_vec()
    }

    /// A rectangle well inside the (only) price pane: right of the side panel, under the
    /// drawing tools, left of the price axis.
    fn price_area(&self) -> Rect {
        let slider = self.harness.get_by_label("History range").rect();
        let tools = self
            .harness
            .get_by_role_and_label(Role::Button, "Measure")
            .rect();
        Rect::from_min_max(
            Pos2::new(slider.left() + 40.0, tools.bottom() + 40.0),
            Pos2::new(slider.right() - 72.0 - 40.0, tools.bottom() + 300.0),
        )
    }
}

/// Halfway between the highest and the lowest of `rects`.
fn mid_y(rects: &[Rect]) -> f32 {
    let ys = rects.iter().map(|r| r.center().y);
    0.5 * (ys.clone().fold(f32::INFINITY, f32::min) + ys.fold(f32::NEG_INFINITY, f32::max))
}

fn korean_view(o: &mut AppOptions) {
    o.view = Some(ViewKind::Category(Category::KoreanStock));
    o.ticker = Some("005930".into());
}

fn at(r: Rect, fx: f32, fy: f32) -> Pos2 {
    r.min + vec2(r.width() * fx, r.height() * fy)
}

/// Draw a trend line and a level on 005930, restart the app: both are there at the same
/// (day, price); move the line by a handle; undo restores it; the store follows each change.
#[test]
fn drawings_survive_a_restart_move_by_handle_and_undo() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = start_app(dir.path(), korean_view);
    app.key(Key::Num3); // 3M: a fixed, reproducible view
    let area = app.price_area();
    let (p1, p2, p3) = (at(area, 0.15, 0.7), at(area, 0.7, 0.2), at(area, 0.5, 0.5));

    app.click_button("Trend line");
    app.drag(p1, p2);
    app.click_button("Level");
    app.click_at(p3);
    let drawn = app.drawings();
    assert_eq!(
        drawn.iter().map(|d| d.kind).collect::<Vec<_>>(),
        [DrawingKind::TrendLine, DrawingKind::Level]
    );
    let series = app.series(Category::KoreanStock, "005930");
    let view = app.app().viewer(Category::KoreanStock).chart.view();
    let visible = &series.days()[view.bar_range(series.len())];
    let (lo, hi) = app
        .app()
        .viewer(Category::KoreanStock)
        .chart
        .y_bounds()
        .unwrap();
    for d in &drawn {
        for a in &d.anchors {
            assert!(visible.contains(&a.day), "{a:?} is a visible trading day");
            assert!(a.price > lo && a.price < hi, "{a:?} lies on the pane");
        }
    }
    let line = &drawn[0];
    assert!(
        line.anchors[0].day < line.anchors[1].day,
        "drawn left to right"
    );
    assert!(line.anchors[0].price < line.anchors[1].price, "and upwards");
    // Each point is the (day, price) under the pointer: back on screen, it is within half a
    // bar (x) of where the mouse was, at the same height.
    let chart = &app.app().viewer(Category::KoreanStock).chart;
    let half_bar = 0.5 * area.width() / 0.9 / view.width() as f32 + 1.0;
    for (a, p) in [
        (line.anchors[0], p1),
        (line.anchors[1], p2),
        (drawn[1].anchors[0], p3),
    ] {
        let q = chart.screen_pos(a.day, a.price).unwrap();
        assert!(
            (q.x - p.x).abs() <= half_bar && (q.y - p.y).abs() < 0.5,
            "{a:?}: {q:?} vs {p:?}"
        );
    }
    app.wait_for("the drawings to be saved", |a| {
        !a.viewer(Category::KoreanStock).drawings_busy()
    });
    assert_eq!(app.stored_drawings("005930"), drawn);

    // Restart on the same store.
    drop(app);
    let mut app = start_app(dir.path(), korean_view);
    assert_eq!(app.drawings(), drawn, "same (day, price) after a restart");
    app.key(Key::Num3);

    // Select the line by clicking on it, then drag its second handle.
    let chart = &app.app().viewer(Category::KoreanStock).chart;
    let (q1, q2) = (
        chart
            .screen_pos(line.anchors[0].day, line.anchors[0].price)
            .unwrap(),
        chart
            .screen_pos(line.anchors[1].day, line.anchors[1].price)
            .unwrap(),
    );
    app.click_at(q1 + (q2 - q1) * 0.5);
    let chart = &app.app().viewer(Category::KoreanStock).chart;
    assert_eq!(
        chart.drawings().selected(),
        Some(line.id),
        "clicked the line"
    );
    let area = app.price_area();
    let p4 = at(area, 0.85, 0.9);
    app.drag(q2, p4);
    let moved = app.drawings();
    assert_eq!(moved[0].anchors[0], line.anchors[0], "the other end stays");
    assert!(
        moved[0].anchors[1].day > line.anchors[1].day,
        "{:?}",
        moved[0]
    );
    assert!(
        moved[0].anchors[1].price < line.anchors[1].price,
        "{:?}",
        moved[0]
    );
    assert_eq!(moved[1], drawn[1], "the level did not move");
    app.wait_for("the move to be saved", |a| {
        !a.viewer(Category::KoreanStock).drawings_busy()
    });
    assert_eq!(app.stored_drawings("005930"), moved);

    app.harness.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    app.steps(2);
    assert_eq!(app.drawings(), drawn, "undo restores the line");
    app.wait_for("the undo to be saved", |a| {
        !a.viewer(Category::KoreanStock).drawings_busy()
    });
    assert_eq!(app.stored_drawings("005930"), drawn);
    app.harness
        .key_press_modifiers(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z);
    app.steps(2);
    assert_eq!(app.drawings(), moved, "redo moves it again");

    // Delete removes the selected drawing; Esc first clears nothing drawn.
    app.key(Key::Delete);
    assert_eq!(app.drawings(), [drawn[1].clone()]);
}

/// The rows of `ticker` in the embedded database in `dir`, exactly as stored (every column
/// with its SQLite type), sorted.
fn raw_drawing_rows(dir: &Path, ticker: &str) -> Vec<Vec<rusqlite::types::Value>> {
    let conn = rusqlite::Connection::open(dir.join(EMBEDDED_FILE_NAME)).unwrap();
    let mut stmt = conn
        .prepare("SELECT * FROM drawings WHERE ticker = ?1")
        .unwrap();
    let mut rows: Vec<Vec<rusqlite::types::Value>> = stmt
        .query_map([ticker], |r| (0..10).map(|i| r.get(i)).collect())
        .unwrap()
        .map(Result::unwrap)
        .collect();
    rows.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
    rows
}

/// 005930 holds three drawings this version reads and seven it cannot (another tool's kind, a
/// width of 1e9, an infinite price, a day far out of range, a one-point trend line, text in a
/// price column, a text id). The chart shows the three and says how many were left out and
/// why; drawing a level stores it under an id above every stored one and leaves each of the
/// seven rows exactly as it was.
#[test]
fn unreadable_drawings_are_reported_and_kept_by_the_next_edit() {
    let dir = tempfile::tempdir().unwrap();
    drop(start_app(dir.path(), korean_view)); // creates and seeds the store
    {
        let conn = rusqlite::Connection::open(dir.path().join(EMBEDDED_FILE_NAME)).unwrap();
        conn.execute_batch(
            "INSERT INTO drawings (ticker, id, kind, day1, price1, day2, price2, color, width, text)
             VALUES
               ('005930', 1, 'level', 19724, 71000.0, NULL, NULL, 4290840575, 1.5, ''),
               ('005930', 5, 'trend_line', 19724, 70000.0, 19754, 74000.0, 4290840575, 2.0, ''),
               ('005930', 9, 'text', 19754, 72000.0, NULL, NULL, 4290840575, 1.5, 'note'),
               ('005930', 2, 'blob', 19724, 71000.0, NULL, NULL, 4290840575, 1.5, ''),
               ('005930', 3, 'level', 19724, 71000.0, NULL, NULL, 4290840575, 1e9, ''),
               ('005930', 4, 'level', 19724, 1e999, NULL, NULL, 4290840575, 1.5, ''),
               ('005930', 6, 'level', 1000000000000, 71000.0, NULL, NULL, 4290840575, 1.5, ''),
               ('005930', 7, 'trend_line', 19724, 71000.0, NULL, NULL, 4290840575, 1.5, ''),
               ('005930', 8, 'level', 19724, 'abc', NULL, NULL, 4290840575, 1.5, ''),
               ('005930', 'x7', 'level', 19724, 71000.0, NULL, NULL, 4290840575, 1.5, '');",
        )
        .unwrap();
    }
    let before = raw_drawing_rows(dir.path(), "005930");
    assert_eq!(before.len(), 10);

    let mut app = start_app(dir.path(), korean_view);
    assert_eq!(
        app.drawings().iter().map(|d| d.id).collect::<Vec<_>>(),
        [1, 5, 9],
        "the readable drawings are shown"
    );
    assert!(
        app.harness
            .query_by_label_contains(
                "7 drawings of 005930 could not be read and are kept unchanged in the store"
            )
            .is_some(),
        "the window says how many were left out"
    );
    assert!(
        app.harness
            .query_by_label_contains("#2 unknown kind 'blob'")
            .is_some(),
        "and why"
    );

    app.key(Key::Num3);
    let area = app.price_area();
    app.click_button("Level");
    app.click_at(at(area, 0.5, 0.5));
    let drawn = app.drawings();
    assert_eq!(drawn.len(), 4, "{drawn:?}");
    app.wait_for("the new level to be saved", |a| {
        !a.viewer(Category::KoreanStock).drawings_busy()
    });
    let after = raw_drawing_rows(dir.path(), "005930");
    for row in &before {
        assert!(after.contains(row), "{row:?} is kept as it was");
    }
    assert_eq!(after.len(), before.len() + 1, "one row added");
    let new_id = drawn[3].id;
    let max_before = before
        .iter()
        .filter_map(|r| match r[1] {
            rusqlite::types::Value::Integer(id) => Some(id),
            _ => None,
        })
        .max()
        .unwrap();
    assert!(new_id > max_before, "new id {new_id} above every stored id");
    assert_eq!(app.stored_drawings("005930"), drawn);

    app.click_button("Dismiss");
    assert!(
        app.harness
            .query_by_label_contains("could not be read")
            .is_none(),
        "the notice is closed"
    );
}

/// The measure tool (with the magnet on) between two bars reports their Δ price, Δ %,
/// bars and calendar days, checked against the stored bars.
#[test]
fn measure_tool_reports_the_change_between_two_bars() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = start_app(dir.path(), korean_view);
    app.key(Key::Num4); // 6M
    let area = app.price_area();
    app.harness.get_by_label("Magnet").click();
    app.click_button("Measure");
    app.drag(at(area, 0.2, 0.6), at(area, 0.8, 0.3));
    let (a, b) = app
        .app()
        .viewer(Category::KoreanStock)
        .chart
        .drawings()
        .measure()
        .expect("a measure is shown");
    let series = app.series(Category::KoreanStock, "005930");
    let ia = series.days().binary_search(&a.day).unwrap();
    let ib = series.days().binary_search(&b.day).unwrap();
    // The magnet put each point on one of its bar's prices.
    for (i, p) in [(ia, a.price), (ib, b.price)] {
        let bar = series.bar(i).unwrap();
        assert!(
            [bar.open, bar.high, bar.low, bar.close].contains(&p),
            "{p} is an OHLC value of {}",
            bar.date
        );
    }
    assert!(ib > ia + 20, "the points are far apart: {ia} {ib}");
    let m = wickview::model::Measure::between(a, ia, b, ib);
    let expected_pct = (b.price / a.price - 1.0) * 100.0;
    assert!((m.delta_pct - expected_pct).abs() < 1e-9);
    assert_eq!(m.bars, (ib - ia) as i64);
    assert_eq!(m.calendar_days, (b.day - a.day).num_days());
    let text = wickview::ui::chart::measure_text(&m);
    assert!(text.contains(&format!("({expected_pct:+.2}%)")), "{text}");
    assert!(text.contains(&format!(
        "{} bars, {} days",
        ib - ia,
        (b.day - a.day).num_days()
    )));
    // Measures are not stored; Esc clears it.
    app.key(Key::Escape);
    assert!(
        app.app()
            .viewer(Category::KoreanStock)
            .chart
            .drawings()
            .measure()
            .is_none()
    );
    assert!(app.drawings().is_empty());
}

/// ←/→ pan by a bar (Shift: a screen), ↑/↓ zoom around the last bar, Home/End, number
/// keys pick ranges; keys do nothing while the search box has focus; `g` goes to a date;
/// `?` shows the help.
#[test]
fn keyboard_drives_the_visible_range() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = start_app(dir.path(), korean_view);
    let series = app.series(Category::KoreanStock, "005930");
    let n = series.len();
    let view = |app: &TestApp| app.app().viewer(Category::KoreanStock).chart.view();

    app.key(Key::Num6);
    let y1 = RangePreset::Y1.view(series.days());
    assert_eq!(view(&app), y1);
    app.key(Key::ArrowLeft);
    assert_eq!(
        view(&app),
        XView {
            start: y1.start - 1.0,
            end: y1.end - 1.0
        }
    );
    app.key(Key::ArrowRight);
    assert_eq!(view(&app), y1);
    app.harness
        .key_press_modifiers(Modifiers::SHIFT, Key::ArrowLeft);
    app.steps(2);
    assert_eq!(
        view(&app),
        XView {
            start: y1.start - y1.width(),
            end: y1.start
        }
    );
    app.key(Key::End);
    assert_eq!(view(&app), y1);
    app.key(Key::ArrowUp);
    let zoomed = view(&app);
    assert!((zoomed.width() - y1.width() / 1.2).abs() < 1e-9);
    assert_eq!(zoomed.end, n as f64 - 0.5, "zoomed around the last bar");
    app.key(Key::ArrowDown);
    assert!((view(&app).width() - y1.width()).abs() < 1e-9);
    app.key(Key::Home);
    assert_eq!(view(&app).start, -0.5);
    app.key(Key::Num0);
    assert_eq!(view(&app), XView::full(n));

    // `/` focuses the search box; typing there never moves the chart.
    app.key(Key::Num2);
    let m1 = view(&app);
    app.key(Key::Slash);
    assert!(
        app.harness.ctx.text_edit_focused(),
        "the search box has focus"
    );
    app.key(Key::ArrowLeft);
    app.key(Key::Num0);
    assert_eq!(view(&app), m1, "keys do not fire while typing");
    app.key(Key::Escape);
    assert!(!app.harness.ctx.text_edit_focused());

    // `g`: go to a date; the view centres on it.
    app.key(Key::G);
    assert!(app.app().key_windows.is_goto_open());
    app.harness
        .get_by(|n| n.role() == Role::TextInput && n.placeholder() == Some("YYYY-MM-DD"))
        .type_text("2020-03-23");
    app.steps(1);
    app.key(Key::Enter);
    let v = view(&app);
    let center = series.days()[((v.start + v.end) * 0.5).round() as usize];
    assert_eq!(center.to_string(), "2020-03-23");
    assert!((v.width() - m1.width()).abs() < 1e-9, "the zoom is kept");

    // `?`: the help overlay lists the keys.
    app.key(Key::Questionmark);
    assert!(app.app().key_windows.help_open);
    assert!(
        app.harness
            .query_by_label_contains("pan by one bar")
            .is_some()
    );
    app.key(Key::Escape);
    assert!(!app.app().key_windows.help_open);
}

/// A 2x2 layout across categories and calendars (a Korean stock, two US stocks, an index)
/// with linked time range: zooming one chart moves the others to the same dates; the
/// hovered day is marked in the others.
#[test]
fn linked_2x2_layout_follows_a_zoom_by_date() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = start_app(dir.path(), korean_view);
    app.harness.state_mut().settings.layouts.insert(
        Category::KoreanStock.storage_name().to_owned(),
        LayoutSettings {
            layout: Layout::Grid,
            tickers: vec!["AAPL".into(), "MSFT".into(), "^GSPC".into()],
            ..LayoutSettings::default()
        },
    );
    app.wait_for("the four charts to load", |a| a.is_settled());
    let v = app.app().viewer(Category::KoreanStock);
    for (slot, t) in ["005930", "AAPL", "MSFT", "^GSPC"].iter().enumerate() {
        assert_eq!(v.shown_ticker_at(slot), Some(*t));
    }
    // Chart 2 (AAPL, top right): wheel-zoom over its volume pane.
    let sliders: Vec<Rect> = app
        .harness
        .query_all_by_label("History range")
        .map(|n| n.rect())
        .collect();
    assert_eq!(sliders.len(), 4);
    let top_right = sliders
        .iter()
        .copied()
        .filter(|r| r.center().y < mid_y(&sliders))
        .max_by(|a, b| a.left().total_cmp(&b.left()))
        .unwrap();
    let p = Pos2::new(top_right.center().x - 40.0, top_right.top() - 25.0);
    app.harness.hover_at(p);
    app.steps(2);
    app.harness.event(egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Line,
        delta: vec2(0.0, -10.0),
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Unknown,
        modifiers: Modifiers::NONE,
    });
    app.steps(3);
    let v = app.app().viewer(Category::KoreanStock);
    let (from, to) = v.chart_at(1).unwrap().visible_days().unwrap();
    assert!((to - from).num_days() > 30, "zoomed out: {from}..{to}");
    assert_eq!(
        to.to_string(),
        "2013-03-01",
        "AAPL's last bar is kept at the right"
    );
    for (slot, category, symbol) in [
        (0, Category::KoreanStock, "005930"),
        (2, Category::UsStock, "MSFT"),
        (3, Category::Index, "^GSPC"),
    ] {
        let s = app.series(category, symbol);
        let days = s.days();
        let first = days[days.partition_point(|d| *d < from)];
        let last = days[days.partition_point(|d| *d <= to) - 1];
        assert_eq!(
            v.chart_at(slot).unwrap().visible_days(),
            Some((first, last)),
            "{symbol} shows the same dates ({from}..{to}) in its own calendar"
        );
    }
    // The day under the pointer is marked in the other charts.
    let hovered = v.chart_at(1).unwrap().link().hovered_day().unwrap();
    assert_eq!(v.chart_at(0).unwrap().link().linked_day, Some(hovered));
    assert_eq!(v.chart_at(3).unwrap().link().linked_day, Some(hovered));
}

/// In a multi-chart layout the search box fills the active chart (any category); the
/// layout, its tickers and links are remembered: a restart with the saved settings shows
/// the same charts.
#[test]
fn layout_is_remembered_and_search_fills_the_active_chart() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = start_app(dir.path(), korean_view);
    app.harness.get_by_label("2 side by side").click();
    app.steps(2);
    app.harness.get_by_label("Chart 2: empty").click();
    app.steps(2);
    let search = |n: &egui_kittest::kittest::AccessKitNode<'_>| {
        n.role() == Role::TextInput
            && n.placeholder() == Some("Search ticker or name (e.g. 삼성, AAPL)")
    };
    app.harness.get_by(search).focus();
    app.steps(1);
    app.harness.get_by(search).type_text("^GSPC");
    app.steps(1);
    let deadline = Instant::now() + TIMEOUT;
    while app
        .harness
        .query_by_label_contains("^GSPC  S&P 500")
        .is_none()
    {
        assert!(Instant::now() < deadline, "no suggestion for ^GSPC");
        app.steps(1);
        std::thread::sleep(Duration::from_millis(10));
    }
    app.key(Key::Enter);
    app.wait_for("the index to load beside the Korean stock", |a| {
        a.is_settled() && a.viewer(Category::KoreanStock).shown_ticker_at(1) == Some("^GSPC")
    });
    let a = app.app();
    assert_eq!(a.settings.view, ViewKind::Category(Category::KoreanStock));
    assert_eq!(
        a.viewer(Category::KoreanStock).shown_ticker(),
        Some("005930")
    );
    let layout = a.settings.layouts[Category::KoreanStock.storage_name()].clone();
    assert_eq!(layout.layout, Layout::SideBySide);
    assert_eq!(layout.tickers, ["^GSPC"]);
    assert_eq!(layout.active, 1);
    app.harness.get_by_label("Link crosshair").click();
    app.steps(2);
    let saved = app.app().settings.clone();
    assert!(!saved.layouts[Category::KoreanStock.storage_name()].link_crosshair);
    drop(app);

    // Restart with what eframe saved (serde).
    let saved: Settings = serde_json::from_str(&serde_json::to_string(&saved).unwrap()).unwrap();
    let app = start_app_with(dir.path(), |_| {}, Some(saved.clone()));
    let v = app.app().viewer(Category::KoreanStock);
    assert_eq!(v.shown_ticker_at(0), Some("005930"));
    assert_eq!(v.shown_ticker_at(1), Some("^GSPC"));
    assert_eq!(
        app.app().settings.layouts[Category::KoreanStock.storage_name()],
        saved.layouts[Category::KoreanStock.storage_name()]
    );
}

/// Documentation screenshots: a marked-up chart and a 2x2 linked layout. Not a check:
/// `cargo test --test app_drawing -- --ignored` with `WICKVIEW_SCREENSHOT_DIR` set.
#[test]
#[ignore = "writes documentation screenshots"]
fn docs_screenshots_of_drawings_and_layout() {
    let Some(out) = std::env::var_os("WICKVIEW_SCREENSHOT_DIR").map(std::path::PathBuf::from)
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut app = start_app(dir.path(), korean_view);
    app.harness.state_mut().settings.panel_open = false;
    app.steps(3);
    app.key(Key::Num4);
    let area = app.price_area();
    app.click_button("Trend line");
    app.drag(at(area, 0.05, 0.75), at(area, 0.55, 0.35));
    app.click_button("Ray");
    app.drag(at(area, 0.05, 0.3), at(area, 0.3, 0.35));
    app.click_button("Level");
    app.click_at(at(area, 0.5, 0.12));
    app.click_button("Fibonacci");
    app.drag(at(area, 0.6, 0.9), at(area, 0.95, 0.1));
    app.click_button("Rectangle");
    app.drag(at(area, 0.3, 0.55), at(area, 0.45, 0.8));
    app.click_button("Note");
    app.click_at(at(area, 0.32, 0.5));
    app.click_button("Measure");
    app.drag(at(area, 0.62, 0.85), at(area, 0.9, 0.2));
    app.harness.remove_cursor();
    app.steps(3);
    app.harness
        .render()
        .unwrap()
        .save(out.join("chart-drawings.png"))
        .unwrap();

    app.key(Key::Escape);
    app.harness.state_mut().settings.layouts.insert(
        Category::KoreanStock.storage_name().to_owned(),
        LayoutSettings {
            layout: Layout::Grid,
            tickers: vec!["^GSPC".into(), "AAPL".into(), "MSFT".into()],
            ..LayoutSettings::default()
        },
    );
    app.wait_for("the four charts to load", |a| a.is_settled());
    let sliders: Vec<Rect> = app
        .harness
        .query_all_by_label("History range")
        .map(|n| n.rect())
        .collect();
    let bottom_left = sliders
        .iter()
        .copied()
        .filter(|r| r.center().y > mid_y(&sliders))
        .min_by(|a, b| a.left().total_cmp(&b.left()))
        .unwrap();
    // Show 2008 through 2012 in the AAPL chart; the others follow; hover a day.
    app.harness
        .state_mut()
        .go_to_day(chrono::NaiveDate::from_ymd_opt(2011, 1, 3).unwrap());
    app.steps(3);
    let p = Pos2::new(bottom_left.center().x, bottom_left.top() - 120.0);
    app.harness.hover_at(p);
    app.steps(3);
    app.harness
        .render()
        .unwrap()
        .save(out.join("layout-2x2-linked.png"))
        .unwrap();
}

/// A note placed on the chart takes the keys typed next: its placeholder text is replaced,
/// and letters that are chart shortcuts (`g` opens Go to date) go to the note instead.
#[test]
fn a_new_note_takes_the_typing() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = start_app(dir.path(), korean_view);
    let area = app.price_area();
    app.click_button("Note");
    app.click_at(at(area, 0.4, 0.5));
    assert!(
        app.harness.ctx.text_edit_focused(),
        "the note's text has the keyboard"
    );
    // As a keyboard sends them: the key, then its text.
    for c in "gap".chars() {
        let key = Key::from_name(&c.to_string()).unwrap();
        app.harness.key_press(key);
        app.harness.event(egui::Event::Text(c.to_string()));
        app.steps(1);
    }
    app.steps(2);
    assert!(!app.app().key_windows.is_goto_open(), "g went to the note");
    let notes: Vec<String> = app
        .drawings()
        .into_iter()
        .filter(|d| d.kind == DrawingKind::Text)
        .map(|d| d.text)
        .collect();
    assert_eq!(notes, ["gap"]);
}

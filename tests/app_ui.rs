//! Acceptance tests of the whole application (issue 6): egui_kittest drives the real
//! [`WickviewApp`] on the wgpu renderer (a software rasterizer such as lavapipe is enough),
//! each test on its own temporary embedded store seeded with the bundled sample, clicking and
//! typing through the accessibility tree like a user; assertions read the app's state and
//! the store.

// Helpers outside #[test] functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

#[path = "common/app_harness.rs"]
mod app_harness;
mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use app_harness::{MemoryStorage, Start, TestApp, runtime};

use common::{chart_json, chart_path, d, mount_handshake, read_sample};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{AccessKitNode, NodeT as _, Queryable as _};
use wickview::model::{Bar, Category, DailySeries, Ticker};
use wickview::store::{Store, StoreConfig};
use wickview::ui::app::{AppOptions, WickviewApp};
use wickview::ui::chart::CompareMode;
use wickview::ui::fonts::{HangulLoader, HangulStatus};
use wickview::ui::layout::Layout;
use wickview::ui::settings::{PanelTab, STORAGE_KEY, Settings, ViewKind};
use wickview::ui::updates::Target;
use wickview::ui::viewer::auto_compare_mode;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// How long background work (store, sample, downloads) may take before a test fails.
const TIMEOUT: Duration = Duration::from_secs(20);

fn start_app(rt: Arc<tokio::runtime::Runtime>, customise: impl FnOnce(&mut AppOptions)) -> TestApp {
    start_app_stored(rt, None, customise)
}

/// [`start_app`] with `storage` as eframe's storage at start-up (the settings are read
/// from it unless `fresh_settings` stays on).
fn start_app_stored(
    rt: Arc<tokio::runtime::Runtime>,
    storage: Option<MemoryStorage>,
    customise: impl FnOnce(&mut AppOptions),
) -> TestApp {
    TestApp::start(Start::new(&rt).timeout(TIMEOUT).storage(storage), customise)
}

impl TestApp {
    fn store(&self) -> Store {
        self.app().store().unwrap().clone()
    }

    /// Runs a store query on the test's runtime.
    fn block_on<T>(&self, f: impl Future<Output = T>) -> T {
        self.rt.block_on(f)
    }
}

fn placeholder_is(text: &'static str) -> impl Fn(&AccessKitNode<'_>) -> bool {
    move |n| n.role() == Role::TextInput && n.placeholder() == Some(text)
}

const SEARCH_HINT: &str = "Search ticker or name (e.g. 삼성, AAPL)";

/// Types `text` into the search box like a user: focus it, then type.
fn type_in_search(app: &mut TestApp, text: &str) {
    app.harness.get_by(placeholder_is(SEARCH_HINT)).focus();
    app.steps(1);
    app.harness
        .get_by(placeholder_is(SEARCH_HINT))
        .type_text(text);
    app.steps(1);
}

/// Searching a Korean name from another view opens the Korean stocks viewer on the ticker.
#[test]
fn search_korean_name_opens_the_ticker() {
    let mut app = start_app(runtime(), |o| {
        o.view = Some(ViewKind::Category(Category::UsStock));
    });
    assert_eq!(
        app.app().settings.view,
        ViewKind::Category(Category::UsStock)
    );
    type_in_search(&mut app, "삼성");
    app.wait_for_node("the suggestion 005930 삼성전자", |h| {
        h.query_by_label_contains("005930  삼성전자").is_some()
    });
    // The suggestion names the ticker, its Korean name and its category.
    let suggestion = app.harness.get_by_label_contains("005930  삼성전자");
    let label = suggestion.accesskit_node().label().unwrap_or_default();
    assert!(label.contains("Korean stocks"), "{label}");
    suggestion.click();
    app.wait_for("005930 to load in the Korean stocks viewer", |a| {
        a.viewer(Category::KoreanStock).shown_ticker() == Some("005930")
            && !a.viewer(Category::KoreanStock).chart.is_loading()
    });
    let a = app.app();
    assert_eq!(a.settings.view, ViewKind::Category(Category::KoreanStock));
    assert_eq!(
        a.settings
            .selected
            .get(Category::KoreanStock.storage_name()),
        Some(&"005930".to_owned())
    );
    // The picked suggestion closed the list and cleared the box.
    assert!(
        app.harness
            .query_by_label_contains("005930  삼성전자")
            .is_none()
    );
    assert_eq!(
        app.harness.get_by(placeholder_is(SEARCH_HINT)).value(),
        Some(String::new())
    );

    // Keyboard: type, then Enter picks the first suggestion.
    app.harness
        .get_by_role_and_label(Role::Button, "US stocks")
        .click();
    app.steps(2);
    assert_eq!(
        app.app().settings.view,
        ViewKind::Category(Category::UsStock)
    );
    type_in_search(&mut app, "ibm");
    app.wait_for_node("the suggestion IBM", |h| {
        h.query_by_label_contains("IBM  IBM").is_some()
    });
    app.harness.key_press(egui::Key::Enter);
    app.wait_for("IBM to load in the US stocks viewer", |a| {
        a.viewer(Category::UsStock).shown_ticker() == Some("IBM")
    });
    assert_eq!(
        app.app().settings.view,
        ViewKind::Category(Category::UsStock)
    );
}

/// (min close, max close) of `ticker` over the days `from..=to` (brute force, from the store).
fn close_range(
    store: &Store,
    rt: &tokio::runtime::Runtime,
    ticker: &Ticker,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> (f64, f64) {
    let s = rt.block_on(store.load_series(ticker, None)).unwrap();
    s.days()
        .iter()
        .zip(s.close())
        .filter(|(day, _)| **day >= from && **day <= to)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), (_, c)| {
            (lo.min(*c), hi.max(*c))
        })
}

/// Three series are normalised; removing one with its ✖ leaves two alike series on a dual
/// axis, as the automatic rule says for their visible ranges.
#[test]
fn comparison_three_normalised_then_two_dual_axis() {
    let mut app = start_app(runtime(), |o| o.view = Some(ViewKind::Comparison));
    // Add three series through the search box, as a user does in the comparison view.
    for (query, suggestion) in [
        ("AAPL", "AAPL  Apple"),
        ("MSFT", "MSFT  Microsoft"),
        ("IBM", "IBM  IBM"),
    ] {
        type_in_search(&mut app, query);
        app.wait_for_node(suggestion, |h| {
            h.query_by_label_contains(suggestion).is_some()
        });
        app.harness.get_by_label_contains(suggestion).click();
        app.steps(2);
    }
    assert_eq!(app.app().settings.comparison, ["AAPL", "MSFT", "IBM"]);
    app.wait_for("the three series to load", |a| {
        a.comparison.shown_tickers() == ["AAPL", "MSFT", "IBM"] && !a.comparison.chart.is_loading()
    });
    assert_eq!(
        app.app().comparison.chart.effective_mode(),
        CompareMode::Rebased100,
        "three series are shown rebased to 100"
    );
    // Every series is named in the tooltip over the plot (the pointer put there: the last
    // click was on a suggestion, wherever the list of suggestions was drawn).
    let plot = app.app().comparison.chart.plot_rect().unwrap();
    app.harness.hover_at(plot.center());
    app.steps(3);
    for name in ["Apple", "Microsoft", "IBM"] {
        assert!(
            app.harness
                .query_all_by_label_contains(name)
                .next()
                .is_some(),
            "{name} is listed"
        );
    }

    app.harness
        .get_by_role_and_label(Role::Button, "Remove AAPL")
        .click();
    app.wait_for("the chart to drop AAPL", |a| {
        a.comparison.shown_tickers() == ["MSFT", "IBM"] && !a.comparison.chart.is_loading()
    });
    assert_eq!(app.app().settings.comparison, ["MSFT", "IBM"]);
    let mode = app.app().comparison.chart.effective_mode();
    assert_eq!(mode, CompareMode::DualAxis, "two alike series: dual axis");

    // The rule, checked independently: MSFT and IBM moved alike over the visible days
    // (relative ranges within the dual-axis ratio), so Auto must pick dual axis for them.
    let chart = &app.app().comparison.chart;
    let days = chart.calendar().unwrap().to_vec();
    let visible = chart.view().bar_range(days.len());
    let (from, to) = (days[visible.start], days[visible.end - 1]);
    let store = app.store();
    let ranges: Vec<(f64, f64)> = ["MSFT", "IBM"]
        .iter()
        .map(|t| {
            close_range(
                &store,
                &app.rt,
                &Ticker::parse(Category::UsStock, t).unwrap(),
                from,
                to,
            )
        })
        .collect();
    assert!(ranges.iter().all(|(lo, hi)| lo.is_finite() && hi > lo));
    assert_eq!(auto_compare_mode(&ranges), CompareMode::DualAxis);
}

/// `n` weekday bars after `after`, priced near `price`.
fn bars_after(after: chrono::NaiveDate, n: usize, price: f64) -> DailySeries {
    let mut out = Vec::new();
    let mut day = after;
    while out.len() < n {
        day = day.succ_opt().unwrap();
        if matches!(day.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun) {
            continue;
        }
        let p = price * (1.0 + 0.01 * out.len() as f64);
        out.push(Bar {
            date: day,
            open: p,
            high: p * 1.01,
            low: p * 0.99,
            close: p * 1.005,
            volume: 1000.0,
            dividends: 0.0,
            stock_splits: 0.0,
        });
    }
    DailySeries::from_bars(out).0
}

use chrono::Datelike as _;

/// Serves `symbol`'s chart document, after `delay`.
async fn serve_chart(server: &MockServer, symbol: &str, body: String, delay: Duration) {
    Mock::given(method("GET"))
        .and(path(chart_path(symbol)))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(body)
                .set_delay(delay),
        )
        .mount(server)
        .await;
}

/// "Update All categories" against a local mock source runs to "finished" and stores the
/// new bars; a second run, whose downloads are slow, is cancelled midway from its button.
#[test]
fn update_all_runs_to_completion_then_cancel_midway() {
    let rt = runtime();
    let server = rt.block_on(MockServer::start());
    rt.block_on(mount_handshake(&server));
    // New days after the last bar of each active sample (005930 and ^GSPC).
    let samsung_last = read_sample("005930.csv").last_day().unwrap();
    let gspc_last = read_sample("GSPC.csv").last_day().unwrap();
    assert_eq!(samsung_last, d(2025, 1, 10));
    let samsung_new = bars_after(samsung_last, 5, 55_000.0);
    let gspc_new = bars_after(gspc_last, 3, 2_900.0);
    rt.block_on(serve_chart(
        &server,
        "005930.KS",
        chart_json("005930.KS", "Asia/Seoul", (9, 0), &samsung_new),
        Duration::ZERO,
    ));
    rt.block_on(serve_chart(
        &server,
        "^GSPC",
        chart_json("^GSPC", "America/New_York", (9, 30), &gspc_new),
        Duration::ZERO,
    ));
    let uri = server.uri();
    let mut app = start_app(rt, |o| o.source_urls = mock_only(uri));
    let store = app.store();
    let before = (
        app.block_on(store.bar_count("005930")).unwrap(),
        app.block_on(store.bar_count("^GSPC")).unwrap(),
    );
    assert!(
        before.0 > 6000 && before.1 > 5000,
        "the sample's bars: {before:?}"
    );

    // The Update tab is the first panel tab.
    app.harness
        .get_by_role_and_label(Role::Button, "Update All categories")
        .click();
    app.wait_for("the update to finish", |a| {
        a.updates.progress(Target::All).is_some_and(|p| p.is_over())
    });
    let p = app.app().updates.progress(Target::All).unwrap().clone();
    assert_eq!(p.total, Some(2), "the two active samples");
    assert_eq!(p.done, 2);
    assert!(p.failures.is_empty(), "{:?}", p.failures);
    assert_eq!(p.bars_written, 5 + 3);
    assert!(!p.summary.as_ref().unwrap().cancelled);
    app.steps(2);
    assert!(
        app.harness
            .query_by_label_contains("finished: 2 / 2 tickers, 8 bars written, 0 failed")
            .is_some(),
        "the panel shows the finished run"
    );
    let after = (
        app.block_on(store.bar_count("005930")).unwrap(),
        app.block_on(store.bar_count("^GSPC")).unwrap(),
    );
    assert_eq!(after, (before.0 + 5, before.1 + 3), "new bars stored");
    // The Korean stocks view (open, on 005930 and its latest month) reloads and follows the
    // new bars in: its view now ends on the last new day.
    let n = usize::try_from(after.0).unwrap();
    app.wait_for("the open chart to show the new bars", |a| {
        let v = a.viewer(Category::KoreanStock);
        v.chart.series().is_some_and(|s| s.series.len() == n)
            && v.chart.view().end == n as f64 - 0.5
    });

    // Second run: every download takes 10 s; cancel while they are in flight.
    app.block_on(server.reset());
    app.block_on(mount_handshake(&server));
    for (symbol, tz, hm, series) in [
        ("005930.KS", "Asia/Seoul", (9, 0), &samsung_new),
        ("^GSPC", "America/New_York", (9, 30), &gspc_new),
    ] {
        app.block_on(serve_chart(
            &server,
            symbol,
            chart_json(symbol, tz, hm, series),
            Duration::from_secs(10),
        ));
    }
    app.harness
        .get_by_role_and_label(Role::Button, "Update All categories")
        .click();
    app.wait_for("the second run to start its downloads", |a| {
        a.updates
            .progress(Target::All)
            .is_some_and(|p| p.total == Some(2) && !p.is_over())
    });
    // Wait until the downloads are at the server, so the cancel lands midway.
    let deadline = Instant::now() + TIMEOUT;
    while app
        .block_on(server.received_requests())
        .unwrap()
        .iter()
        .filter(|r| r.url.path().starts_with("/v8/finance/chart/"))
        .count()
        < 2
    {
        assert!(Instant::now() < deadline, "the downloads never started");
        app.steps(1);
        std::thread::sleep(Duration::from_millis(10));
    }
    let cancelled_at = Instant::now();
    app.harness
        .get_by_role_and_label(Role::Button, "Cancel All categories")
        .click();
    app.wait_for("the second run to end", |a| {
        a.updates.progress(Target::All).is_some_and(|p| p.is_over())
    });
    assert!(
        cancelled_at.elapsed() < Duration::from_secs(8),
        "the cancel stopped the run before the slow downloads answered"
    );
    let p = app.app().updates.progress(Target::All).unwrap().clone();
    let summary = p.summary.clone().unwrap();
    assert!(summary.cancelled, "the run ended cancelled: {summary:?}");
    assert_eq!(p.bars_written, 0);
    app.steps(2);
    assert!(
        app.harness.query_by_label_contains("cancelled: ").is_some(),
        "the panel shows the cancelled run"
    );
    // Both downloads were under way: cancelled, not "not attempted".
    assert_eq!((summary.interrupted, summary.not_attempted), (2, 0));
    assert!(
        app.harness
            .query_by_label_contains("2 tickers cancelled while downloading")
            .is_some()
            && app
                .harness
                .query_by_label_contains("not attempted")
                .is_none(),
        "the panel counts the downloads in flight as cancelled"
    );
    // Nothing stored was lost, nothing half-written.
    assert_eq!(
        (
            app.block_on(store.bar_count("005930")).unwrap(),
            app.block_on(store.bar_count("^GSPC")).unwrap(),
        ),
        after
    );
}

/// Tickers tab: add a ticker, rename two rows and apply them together, delete one.
/// An update keeps going, and the charts refresh, while the side panel shows another tab
/// (its progress is drained every frame, not only when the Update tab is drawn).
#[test]
fn update_progresses_while_the_panel_shows_another_tab() {
    let rt = runtime();
    let server = rt.block_on(MockServer::start());
    rt.block_on(mount_handshake(&server));
    let samsung_new = bars_after(read_sample("005930.csv").last_day().unwrap(), 4, 55_000.0);
    let gspc_new = bars_after(read_sample("GSPC.csv").last_day().unwrap(), 2, 2_900.0);
    for (symbol, tz, hm, series) in [
        ("005930.KS", "Asia/Seoul", (9, 0), &samsung_new),
        ("^GSPC", "America/New_York", (9, 30), &gspc_new),
    ] {
        rt.block_on(serve_chart(
            &server,
            symbol,
            chart_json(symbol, tz, hm, series),
            Duration::ZERO,
        ));
    }
    let uri = server.uri();
    let mut app = start_app(rt, |o| o.source_urls = mock_only(uri));
    let store = app.store();
    let before = app.block_on(store.bar_count("005930")).unwrap();

    app.harness
        .get_by_role_and_label(Role::Button, "Update All categories")
        .click();
    app.steps(1);
    // Switch the panel away from the Update tab before the run reports anything.
    app.harness.get_by_label("Tickers").click();
    app.steps(1);
    assert!(
        app.harness
            .query_by_role_and_label(Role::Button, "Update All categories")
            .is_none(),
        "the Update tab is hidden"
    );
    app.wait_for("the hidden run to finish", |a| {
        a.updates.progress(Target::All).is_some_and(|p| p.is_over())
    });
    let p = app.app().updates.progress(Target::All).unwrap().clone();
    assert_eq!((p.done, p.bars_written), (2, 4 + 2), "{:?}", p.failures);
    let n = usize::try_from(before + 4).unwrap();
    app.wait_for("the open chart to show the new bars", |a| {
        a.viewer(Category::KoreanStock)
            .chart
            .series()
            .is_some_and(|s| s.series.len() == n)
    });
}

/// A ticker added without bars, open in its viewer, then updated from the side panel:
/// when its first bars land the chart opens on the default 1M range (it used to open on
/// 1W), with only that range button lit.
#[test]
fn an_empty_viewer_opens_on_one_month_when_its_first_bars_land() {
    let rt = runtime();
    let server = rt.block_on(MockServer::start());
    rt.block_on(mount_handshake(&server));
    let bars = bars_after(d(2024, 1, 1), 120, 40.0);
    rt.block_on(serve_chart(
        &server,
        "NEWCO",
        chart_json("NEWCO", "America/New_York", (9, 30), &bars),
        Duration::ZERO,
    ));
    let uri = server.uri();
    let mut app = start_app(rt, |o| {
        o.source_urls = mock_only(uri);
        o.seed_sample = false;
        o.view = Some(ViewKind::Category(Category::UsStock));
    });
    let store = app.store();
    let meta = wickview::model::TickerMeta::new(
        Ticker::parse(Category::UsStock, "NEWCO").unwrap(),
        "New Co",
    );
    app.block_on(store.add_ticker(&meta)).unwrap();
    app.harness.state_mut().open_ticker(&meta);
    app.wait_for("the empty viewer", |a| {
        a.viewer(Category::UsStock).shown_ticker() == Some("NEWCO")
    });
    assert_eq!(
        app.app()
            .viewer(Category::UsStock)
            .chart
            .series()
            .map(|s| s.series.len()),
        Some(0)
    );
    app.harness
        .get_by_role_and_label(Role::Button, "Update All categories")
        .click();
    app.wait_for("the first bars in the chart", |a| {
        a.viewer(Category::UsStock)
            .chart
            .series()
            .is_some_and(|s| s.series.len() == 120)
    });
    let chart = &app.app().viewer(Category::UsStock).chart;
    let days = chart.series().unwrap().series.days().to_vec();
    assert_eq!(
        chart.view(),
        wickview::ui::chart::RangePreset::M1.view(&days)
    );
    assert_eq!(
        chart.active_range(),
        Some(wickview::ui::chart::RangePreset::M1)
    );
}

#[test]
fn tickers_add_rename_batch_and_delete() {
    let mut app = start_app(runtime(), |_| {});
    let store = app.store();
    app.harness
        .get_by_role_and_label(Role::Button, "Tickers")
        .click();
    app.wait_for_node("the Korean stocks list", |h| {
        h.query_by_label_contains("Page 1 of 1 (1 tickers)")
            .is_some()
    });

    // Add 000660 (SK hynix) to Korean stocks, the tab that opens first.
    app.harness.get_by(placeholder_is("005930")).focus();
    app.steps(1);
    app.harness
        .get_by(placeholder_is("005930"))
        .type_text("000660");
    app.steps(1);
    app.harness.get_by(placeholder_is("name")).focus();
    app.steps(1);
    app.harness
        .get_by(placeholder_is("name"))
        .type_text("SK하이닉스");
    app.steps(1);
    app.harness
        .get_by_role_and_label(Role::Button, "Add")
        .click();
    app.wait_for_node("the new row", |h| {
        h.query_by_label_contains("Page 1 of 1 (2 tickers)")
            .is_some()
    });
    let added = app.block_on(store.ticker("000660")).unwrap().unwrap();
    assert_eq!(added.name, "SK하이닉스");
    assert_eq!(added.category(), Category::KoreanStock);

    // Rename both rows, then apply them together.
    for (ticker, name) in [("005930", "삼성전자 보통주"), ("000660", "SK hynix")] {
        let field = app.harness.get_by_role_and_label(Role::TextInput, ticker);
        field.focus();
        app.steps(1);
        app.harness
            .key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
        app.steps(1);
        app.harness
            .get_by_role_and_label(Role::TextInput, ticker)
            .type_text(name);
        app.steps(1);
    }
    assert_eq!(app.app().tickers.unsaved_count(), 2);
    // Not applied yet: the store still has the old names.
    assert_eq!(
        app.block_on(store.ticker("005930")).unwrap().unwrap().name,
        "삼성전자"
    );
    app.harness
        .get_by_role_and_label(Role::Button, "Apply all (2)")
        .click();
    app.wait_for("both edits to be applied", |a| {
        a.tickers.unsaved_count() == 0
    });
    assert_eq!(
        app.block_on(store.ticker("005930")).unwrap().unwrap().name,
        "삼성전자 보통주"
    );
    assert_eq!(
        app.block_on(store.ticker("000660")).unwrap().unwrap().name,
        "SK hynix"
    );

    // Delete 005930 (it has bars, and a watchlist holds it): its Delete button, then confirm.
    assert!(app.block_on(store.bar_count("005930")).unwrap() > 6000);
    let semis = ["000660".to_owned(), "005930".to_owned()];
    app.block_on(store.create_watchlist("Semis", &semis))
        .unwrap();
    app.wait_for_node("the delete button", |h| {
        h.query_by_role_and_label(Role::Button, "Delete 005930")
            .is_some()
    });
    app.harness
        .get_by_role_and_label(Role::Button, "Delete 005930")
        .click();
    app.wait_for_node("the confirmation", |h| {
        h.query_by_label_contains("Delete 005930?").is_some()
    });
    app.harness
        .get_by_role_and_label(Role::Button, "Delete")
        .click();
    app.wait_for_node("the list without 005930", |h| {
        h.query_by_label_contains("Page 1 of 1 (1 tickers)")
            .is_some()
    });
    assert!(app.block_on(store.ticker("005930")).unwrap().is_none());
    assert_eq!(app.block_on(store.bar_count("005930")).unwrap(), 0);
    // It left the watchlist, and the panel says so.
    assert_eq!(
        app.block_on(store.watchlist("Semis"))
            .unwrap()
            .unwrap()
            .tickers,
        ["000660"]
    );
    app.wait_for_node("the deletion's message", |h| {
        h.query_by_label_contains("taken out of watchlists Semis")
            .is_some()
    });
    assert!(app.block_on(store.ticker("000660")).unwrap().is_some());
    // The Korean viewer no longer shows the deleted ticker.
    assert_ne!(
        app.app()
            .settings
            .selected
            .get(Category::KoreanStock.storage_name())
            .map(String::as_str),
        Some("005930")
    );
}

/// Every symbol the app draws has a glyph in the fonts it installs (egui's bundled fonts plus
/// the Hangul fallback): a missing one would draw as a box.
#[test]
fn symbols_and_hangul_have_glyphs() {
    let app = start_app(runtime(), |_| {});
    assert!(
        app.app().hangul().warning().is_none(),
        "a Hangul font is installed on this machine (fonts-nanum): {:?}",
        app.app().hangul()
    );
    let ctx = app.harness.ctx.clone();
    let missing: Vec<char> = "◀▶✖●→…삼성전자하이닉스"
        .chars()
        .filter(|c| !ctx.fonts_mut(|f| f.has_glyph(&egui::FontId::proportional(14.0), *c)))
        .collect();
    assert!(missing.is_empty(), "no glyph for {missing:?}");
}

/// The system font scan runs off the UI thread: frames are drawn while it is still going
/// (here held back until the test lets it finish), and the Hangul font it finds is then
/// installed and used.
#[test]
fn frames_do_not_wait_for_the_font_scan() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let options = AppOptions {
        store: Some(StoreConfig::Embedded {
            data_dir: dir.path().to_owned(),
        }),
        fresh_settings: true,
        ..AppOptions::default()
    };
    let (release, gate) = std::sync::mpsc::channel::<()>();
    let handle = rt.handle().clone();
    let mut harness = {
        let _guard = rt.enter();
        Harness::builder()
            .with_size((1000.0, 700.0))
            // Korean text (the search box's example) is drawn as boxes until the font is in.
            .allow_missing_glyphs()
            .build_eframe(move |cc| {
                let loader = HangulLoader::spawn_with(&cc.egui_ctx, move || {
                    // The scan "takes" until the test releases it.
                    let _ = gate.recv();
                    wickview::ui::fonts::hangul_font()
                });
                WickviewApp::with_settings(
                    &cc.egui_ctx,
                    handle,
                    options,
                    Default::default(),
                    HangulStatus::Searching,
                )
                .with_hangul_loader(loader)
            })
    };
    let _guard = rt.enter();
    for _ in 0..5 {
        harness.step();
    }
    assert_eq!(*harness.state().hangul(), HangulStatus::Searching);
    assert!(
        !harness.state().is_settled(),
        "not settled while fonts load"
    );
    release.send(()).unwrap();
    let deadline = Instant::now() + TIMEOUT;
    while *harness.state().hangul() == HangulStatus::Searching {
        assert!(Instant::now() < deadline, "the font scan never finished");
        harness.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(
        matches!(harness.state().hangul(), HangulStatus::Installed { .. }),
        "a Hangul font is installed on this machine (fonts-nanum): {:?}",
        harness.state().hangul()
    );
    harness.step();
    let ctx = harness.ctx.clone();
    assert!(
        "삼성전자"
            .chars()
            .all(|c| ctx.fonts_mut(|f| f.has_glyph(&egui::FontId::proportional(14.0), c))),
        "the late font is used"
    );
}

/// Remembered settings with a page size of `"big"` and an unknown layout: the window
/// keeps every other setting, names the two in a notice until it is dismissed, and the
/// next start (from what the window saved) has nothing to say.
#[test]
fn unreadable_settings_are_named_once_and_the_rest_kept() {
    let remembered = r#"(view:Comparison,comparison:["AAPL","MSFT"],log_y:true,panel_tab:Storage,
        page_size:"big",layouts:{"us":(layout:"3x3",tickers:["IBM"],active:1)})"#;
    let mut storage = MemoryStorage::default();
    eframe::Storage::set_string(&mut storage, STORAGE_KEY, remembered.to_owned());
    let mut app = start_app_stored(runtime(), Some(storage), |o| o.fresh_settings = false);
    let notice = "Some settings could not be read and were reset to their defaults";
    app.wait_for_node("the notice", |h| {
        h.query_by_label_contains(notice).is_some()
    });
    for named in [
        r#"page size ("big" is not a number)"#,
        r#"layouts → us → layout (unknown layout "3x3")"#,
    ] {
        // (A label's text is its accessibility value.)
        assert!(
            app.harness
                .get_by_label_contains(notice)
                .value()
                .is_some_and(|text| text.contains(named)),
            "{named} is not named in the window: {:?}",
            app.harness.state().settings_notice()
        );
    }
    let settings = &app.harness.state().settings;
    assert_eq!(settings.view, ViewKind::Comparison);
    assert_eq!(settings.comparison, vec!["AAPL", "MSFT"]);
    assert!(settings.log_y);
    assert_eq!(settings.panel_tab, PanelTab::Storage);
    assert_eq!(settings.page_size, Settings::default().page_size);
    let us = &settings.layouts["us"];
    assert_eq!(us.layout, Layout::One);
    assert_eq!((us.tickers.clone(), us.active), (vec!["IBM".to_owned()], 1));

    app.harness.get_by_label("Dismiss").click();
    app.steps(2);
    assert!(app.harness.query_by_label_contains(notice).is_none());
    assert_eq!(app.harness.state().settings_notice(), None);

    // What the window saves reads back whole: the next start says nothing.
    let mut saved = MemoryStorage::default();
    eframe::App::save(app.harness.state_mut(), &mut saved);
    let (again, resets) = Settings::load(Some(&saved));
    assert!(resets.is_empty(), "{resets:?}");
    assert_eq!(&again, &app.harness.state().settings);
    drop(app);
    let mut next = start_app_stored(runtime(), Some(saved), |o| o.fresh_settings = false);
    next.steps(3);
    assert_eq!(next.harness.state().settings_notice(), None);
    assert!(next.harness.query_by_label_contains(notice).is_none());
    assert_eq!(
        next.harness.state().settings.comparison,
        vec!["AAPL", "MSFT"]
    );
}

/// The *Total return* switch shows dividend-adjusted prices in the viewer and in the
/// comparison: every price before an ex-day times `1 - dividend / close the day before`.
#[test]
fn total_return_switch_adjusts_for_dividends_in_viewer_and_comparison() {
    let mut app = start_app(runtime(), |o| {
        o.view = Some(ViewKind::Category(Category::UsStock));
    });
    // DIVS: closes 50, 51, …; dividends of 1.0 on day 10 and 0.5 on day 20.
    let ticker = Ticker::parse(Category::UsStock, "DIVS").unwrap();
    let store = app.store();
    let meta = wickview::model::TickerMeta::new(ticker.clone(), "Dividend payer");
    let (series, _) = DailySeries::from_bars((0..30u32).map(|i| {
        let c = 50.0 + f64::from(i);
        Bar {
            dividends: match i {
                10 => 1.0,
                20 => 0.5,
                _ => 0.0,
            },
            ..Bar::ohlc(
                d(2024, 1, 1) + chrono::Days::new(i.into()),
                c,
                c + 1.0,
                c - 1.0,
                c,
            )
        }
    }));
    app.block_on(async {
        store.add_ticker(&meta).await.unwrap();
        store.upsert_bars(&ticker, &series).await.unwrap();
    });
    app.harness.state_mut().open_ticker(&meta);
    let shown_close = |a: &WickviewApp, i: usize| {
        a.viewer(Category::UsStock)
            .chart
            .series()
            .map(|s| s.series.close()[i])
    };
    app.wait_for("DIVS in the viewer", |a| shown_close(a, 0) == Some(50.0));

    app.harness
        .get_by_role_and_label(Role::CheckBox, "Total return")
        .click();
    let f20 = 1.0 - 0.5 / 69.0; // the close on day 19
    let f10 = 1.0 - 1.0 / 59.0; // the close on day 9
    app.wait_for("the adjusted prices", |a| {
        shown_close(a, 0).is_some_and(|c| c != 50.0) && a.is_settled()
    });
    let a = app.app();
    assert!(a.settings.total_return);
    for (i, want) in [
        (0, 50.0 * f10 * f20),
        (9, 59.0 * f10 * f20),
        (10, 60.0 * f20),
        (19, 69.0 * f20),
        (20, 70.0),
        (29, 79.0),
    ] {
        let got = shown_close(a, i).unwrap();
        assert!((got - want).abs() < 1e-9, "day {i}: {got} vs {want}");
    }
    let high0 = a
        .viewer(Category::UsStock)
        .chart
        .series()
        .unwrap()
        .series
        .high()[0];
    assert!(
        (high0 - 51.0 * f10 * f20).abs() < 1e-9,
        "every price is adjusted"
    );

    // The comparison follows the same switch.
    app.harness.state_mut().settings.comparison = vec!["DIVS".into(), "AAPL".into()];
    app.harness.state_mut().settings.view = ViewKind::Comparison;
    app.wait_for("the comparison", |a| {
        a.comparison.shown_tickers() == ["DIVS", "AAPL"] && a.is_settled()
    });
    let chart = &app.app().comparison.chart;
    let days = chart.calendar().unwrap();
    let k = days.iter().position(|&day| day == d(2024, 1, 1)).unwrap();
    let values = chart.aligned_values(0).unwrap();
    assert!((values[k] - 50.0 * f10 * f20).abs() < 1e-9, "{}", values[k]);

    // Off again: the stored prices.
    app.harness
        .get_by_role_and_label(Role::CheckBox, "Total return")
        .click();
    app.wait_for("the stored prices", |a| {
        a.comparison
            .chart
            .aligned_values(0)
            .is_some_and(|v| v[k] == 50.0)
            && a.is_settled()
    });
}

/// Opening the comparison on two alike series at once (as `--compare MSFT,IBM` does) picks
/// the dual axis once their shared calendar is built, and a range given at start-up is
/// applied to the whole set (both used to be decided before the calendar existed).
#[test]
fn comparison_opened_with_two_alike_series_is_dual_axis() {
    let mut app = start_app(runtime(), |o| {
        o.compare = vec!["MSFT".into(), "IBM".into()];
        o.range = Some(wickview::ui::chart::RangePreset::Y1);
    });
    app.wait_for("the comparison to settle", |a| {
        a.is_settled() && a.comparison.shown_tickers() == ["MSFT", "IBM"]
    });
    let chart = &app.app().comparison.chart;
    let days = chart.calendar().unwrap();
    assert_eq!(
        chart.view(),
        wickview::ui::chart::RangePreset::Y1.view(days),
        "the start-up range applies to the full set"
    );
    assert_eq!(chart.effective_mode(), CompareMode::DualAxis);
}

/// Saves the window to `$WICKVIEW_SCREENSHOT_DIR/name` (docs screenshots; run with
/// `--ignored`).
fn save_render(app: &mut TestApp, dir: &std::path::Path, name: &str) {
    app.harness.remove_cursor();
    app.steps(3);
    let image = app.harness.render().unwrap();
    image.save(dir.join(name)).unwrap();
}

/// Renders the Update tab after a run against a local mock source and the Benchmarks tab
/// after a compute run, for docs/screenshots. Not a check: `cargo test --test app_ui --
/// --ignored` with `WICKVIEW_SCREENSHOT_DIR` set.
#[test]
#[ignore = "writes documentation screenshots"]
fn docs_screenshots_of_update_and_benchmarks() {
    let Some(dir) = std::env::var_os("WICKVIEW_SCREENSHOT_DIR").map(std::path::PathBuf::from)
    else {
        return;
    };
    let rt = runtime();
    let server = rt.block_on(MockServer::start());
    rt.block_on(mount_handshake(&server));
    let samsung_new = bars_after(read_sample("005930.csv").last_day().unwrap(), 5, 55_000.0);
    rt.block_on(serve_chart(
        &server,
        "005930.KS",
        chart_json("005930.KS", "Asia/Seoul", (9, 0), &samsung_new),
        Duration::ZERO,
    ));
    // ^GSPC answers 404 so the panel shows a failure with its reason.
    rt.block_on(
        Mock::given(method("GET"))
            .and(path(chart_path("^GSPC")))
            .respond_with(ResponseTemplate::new(404).set_body_string(
                r#"{"chart":{"result":null,"error":{"code":"Not Found","description":"No data found, symbol may be delisted"}}}"#,
            ))
            .mount(&server),
    );
    let uri = server.uri();
    let mut app = start_app(rt, |o| {
        o.source_urls = mock_only(uri);
        o.ticker = Some("005930".into());
    });
    app.harness
        .get_by_role_and_label(Role::Button, "Update All categories")
        .click();
    app.wait_for("the update to finish", |a| {
        a.updates.progress(Target::All).is_some_and(|p| p.is_over())
    });
    app.wait_for("the chart to reload", |a| a.is_settled());
    if let Some(h) = app.harness.query_by_label_contains("Failures (") {
        h.click();
    }
    save_render(&mut app, &dir, "panel-update-after-run.png");

    app.harness
        .get_by_role_and_label(Role::Button, "Benchmarks")
        .click();
    app.steps(2);
    app.harness
        .get_by_role_and_label(Role::Button, "Run compute benchmark")
        .click();
    app.steps(2);
    let deadline = Instant::now() + Duration::from_secs(300);
    while app
        .harness
        .query_by_label_contains("Benchmark running")
        .is_some()
    {
        assert!(Instant::now() < deadline, "the benchmark did not finish");
        app.steps(1);
        std::thread::sleep(Duration::from_millis(50));
    }
    save_render(&mut app, &dir, "panel-benchmarks.png");
}

/// Suggestions are one line each (ticker, name and category), as wide as they need and
/// inside the window: the popup used to keep the width of its first, empty frame and wrap
/// every suggestion one character per line. Checked in the single view and in a 2×2 layout.
#[test]
fn search_suggestions_are_one_readable_line_each() {
    let mut app = start_app(runtime(), |o| {
        o.view = Some(ViewKind::Category(Category::UsStock));
    });
    for layout in [None, Some("2x2")] {
        if let Some(label) = layout {
            app.harness.get_by_label(label).click();
            app.steps(2);
        }
        for query in ["A", "S&P", "^GSPC", "삼성"] {
            type_in_search(&mut app, query);
            app.wait_for_node(&format!("suggestions for {query}"), |h| {
                h.query_all_by_role(Role::Button).any(|n| {
                    n.accesskit_node()
                        .label()
                        .is_some_and(|l| l.contains(" · "))
                })
            });
            app.steps(2);
            let rows: Vec<(String, egui::Rect)> = app
                .harness
                .query_all_by_role(Role::Button)
                .filter_map(|n| {
                    let label = n.accesskit_node().label()?;
                    label.contains(" · ").then(|| (label, n.rect()))
                })
                .collect();
            assert!(!rows.is_empty(), "{query}: no suggestion");
            let window = app.harness.ctx.content_rect();
            for (label, rect) in &rows {
                // One line of body text is about 14–20 points high.
                assert!(
                    rect.height() < 24.0,
                    "{query} ({layout:?}): '{label}' wraps: {rect:?}"
                );
                // Wider than a few characters: at least 4 points per character of the label.
                let chars = label.chars().count() as f32;
                assert!(
                    rect.width() >= chars * 4.0,
                    "{query} ({layout:?}): '{label}' is squeezed into {rect:?}"
                );
                assert!(
                    window.contains_rect(*rect),
                    "{query} ({layout:?}): '{label}' runs off the window: {rect:?}"
                );
            }
            // Enter picks the first suggestion, which empties the box for the next query.
            app.harness.key_press(egui::Key::Enter);
            app.steps(2);
        }
    }
}

/// `--interval w` opens the charts on weekly bars; the keys `d` and `m` on the active chart
/// switch it, and the settings remember each chart's interval (the other viewers keep
/// theirs). Korean prices carry the whole-won format from the store's metadata.
#[test]
fn bar_interval_from_the_command_line_and_the_keys_is_remembered_per_chart() {
    use wickview::compute::Interval;
    let mut app = start_app(runtime(), |o| {
        o.view = Some(ViewKind::Category(Category::KoreanStock));
        o.ticker = Some("005930".into());
        o.interval = Some(Interval::Weekly);
    });
    let loaded = |a: &WickviewApp, interval: Interval| {
        let v = a.viewer(Category::KoreanStock);
        v.shown_ticker() == Some("005930")
            && !v.chart.is_loading()
            && v.chart.interval() == interval
    };
    app.wait_for("005930 in weekly bars", |a| loaded(a, Interval::Weekly));
    let chart = &app.app().viewer(Category::KoreanStock).chart;
    let daily = chart.daily_series().unwrap().len();
    assert!(chart.series().unwrap().len() < daily / 4);
    assert_eq!(
        chart.series().unwrap().price_format,
        wickview::ui::chart::PriceFormat::Whole
    );
    app.harness.key_press(egui::Key::D);
    app.wait_for("daily bars", |a| loaded(a, Interval::Daily));
    assert_eq!(
        app.app()
            .viewer(Category::KoreanStock)
            .chart
            .series()
            .unwrap()
            .len(),
        daily
    );
    app.harness.key_press(egui::Key::M);
    app.wait_for("monthly bars, remembered", |a| {
        loaded(a, Interval::Monthly)
            && a.settings.interval(Category::KoreanStock, 0) == Interval::Monthly
    });
    let s = &app.app().settings;
    assert_eq!(s.interval(Category::KoreanStock, 1), Interval::Weekly);
    assert_eq!(s.interval(Category::UsStock, 0), Interval::Weekly);
}

/// `--chart-type` opens every category chart with that type; picking another in the chart's
/// combo box and switching "scale on candles only" in its context menu land in the settings
/// (so they are saved and come back).
#[test]
fn chart_type_and_candles_only_scale_are_remembered() {
    use wickview::ui::chart::ChartType;
    // Remembered settings in use (none stored yet), so that the window saves them.
    let mut app = start_app_stored(runtime(), None, |o| {
        o.fresh_settings = false;
        o.view = Some(ViewKind::Category(Category::KoreanStock));
        o.ticker = Some("005930".to_owned());
        o.chart_type = Some(ChartType::Area);
    });
    app.wait_for("005930 in the viewer", |a| {
        a.viewer(Category::KoreanStock).chart.series().is_some() && a.is_settled()
    });
    let chart = &app.app().viewer(Category::KoreanStock).chart;
    assert_eq!(chart.chart_type(), ChartType::Area);
    assert!(chart.scale_candles_only());
    assert_eq!(
        app.app().settings.chart_type(Category::KoreanStock),
        ChartType::Area
    );
    app.harness
        .get_by(|n| n.role() == Role::ComboBox && n.value().as_deref() == Some("Area"))
        .click();
    app.steps(2);
    app.harness.get_by_label("OHLC bars").click();
    app.steps(2);
    assert_eq!(
        app.app().viewer(Category::KoreanStock).chart.chart_type(),
        ChartType::Ohlc
    );
    assert_eq!(
        app.app().settings.chart_type(Category::KoreanStock),
        ChartType::Ohlc
    );

    // A point of the price pane: the last close.
    let chart = &app.app().viewer(Category::KoreanStock).chart;
    let series = chart.series().unwrap().series.clone();
    let last = series.len() - 1;
    let price_pane = chart
        .screen_pos(series.days()[last], series.close()[last])
        .unwrap()
        - egui::vec2(30.0, 0.0);
    app.harness.hover_at(price_pane);
    app.steps(1);
    for pressed in [true, false] {
        app.harness.event(egui::Event::PointerButton {
            pos: price_pane,
            button: egui::PointerButton::Secondary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        });
        app.steps(1);
    }
    // The menu's first frame only measures it.
    app.steps(2);
    app.harness.get_by_label("Scale on candles only").click();
    app.steps(2);
    assert!(!app.app().settings.scale_candles_only);
    let mut saved = MemoryStorage::default();
    eframe::App::save(app.harness.state_mut(), &mut saved);
    let (back, _) = Settings::load(Some(&saved));
    assert_eq!(back.chart_type(Category::KoreanStock), ChartType::Ohlc);
    assert!(!back.scale_candles_only);
}

/// The `--source-url` values of a test: Yahoo at the mock server, every other source at a
/// closed local port, so no fallback ever reaches a public source.
fn mock_only(yahoo: String) -> Vec<String> {
    let mut urls = vec![yahoo];
    for name in ["naver", "ecb", "fred"] {
        urls.push(format!("{name}=http://127.0.0.1:9"));
    }
    urls
}

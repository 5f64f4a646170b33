//! The search box finds tickers as users type them (`GSPC` without its caret, `samsung` for
//! 삼성전자), and Save CSV writes where the save target says without a dialog: egui_kittest
//! drives the real [`WickviewApp`] on its own embedded store seeded with the bundled sample.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

#[path = "common/app_harness.rs"]
mod app_harness;

use std::time::{Duration, Instant};

use app_harness::{Start, TestApp, runtime};

use egui::accesskit::Role;
use egui_kittest::kittest::{AccessKitNode, NodeT as _, Queryable as _};
use wickview::model::Category;
use wickview::ui::app::AppOptions;
use wickview::ui::save_file::{SaveTarget, set_target};
use wickview::ui::settings::ViewKind;

const TIMEOUT: Duration = Duration::from_secs(20);
const SEARCH_HINT: &str = "Search ticker or name (e.g. 삼성, AAPL)";

fn start_app(customise: impl FnOnce(&mut AppOptions)) -> TestApp {
    TestApp::start(Start::new(&runtime()).timeout(TIMEOUT), customise)
}

impl TestApp {
    fn type_in_search(&mut self, text: &str) {
        let is_search = |n: &AccessKitNode<'_>| {
            n.role() == Role::TextInput && n.placeholder() == Some(SEARCH_HINT)
        };
        self.harness.get_by(is_search).focus();
        self.steps(1);
        self.harness.get_by(is_search).type_text(text);
        self.steps(1);
    }

    /// The labels of the suggestions shown (`TICKER  name  · category`).
    fn suggestions(&self) -> Vec<String> {
        self.harness
            .query_all_by_role(Role::Button)
            .filter_map(|n| n.accesskit_node().label())
            .filter(|l| l.contains(" · "))
            .collect()
    }
}

/// Typing `GSPC` (no caret) suggests ^GSPC first; typing `samsung` suggests 005930 through
/// its English name; Enter opens each in its viewer.
#[test]
fn search_finds_bare_symbols_and_english_names() {
    let mut app = start_app(|o| o.view = Some(ViewKind::Category(Category::UsStock)));

    app.type_in_search("GSPC");
    app.wait_for_label("^GSPC  S&P 500");
    let shown = app.suggestions();
    assert!(shown[0].starts_with("^GSPC  S&P 500"), "{shown:?}");
    app.harness.key_press(egui::Key::Enter);
    app.wait_for("^GSPC in the index viewer", |a| {
        a.viewer(Category::Index).shown_ticker() == Some("^GSPC")
    });
    assert_eq!(
        app.harness.state().settings.view,
        ViewKind::Category(Category::Index)
    );

    app.type_in_search("samsung");
    app.wait_for_label("005930  삼성전자");
    let shown = app.suggestions();
    assert_eq!(shown.len(), 1, "{shown:?}");
    // The row names the English name that matched, beside the Korean one.
    assert!(
        shown[0].starts_with("005930  삼성전자  Samsung Electronics"),
        "{shown:?}"
    );
    app.harness.key_press(egui::Key::Enter);
    app.wait_for("005930 in the Korean stocks viewer", |a| {
        a.viewer(Category::KoreanStock).shown_ticker() == Some("005930")
    });
}

/// Save CSV with a fixed save target writes the performance table into that folder at once
/// (the path tests and scripted runs use instead of the dialog), under a proposed name.
#[test]
fn save_csv_writes_into_the_fixed_folder() {
    let mut app = start_app(|o| {
        o.view = Some(ViewKind::Comparison);
        o.compare = vec!["AAPL".into(), "MSFT".into()];
    });
    let out = tempfile::tempdir().unwrap();
    set_target(&app.harness.ctx, SaveTarget::Folder(out.path().to_owned()));
    app.wait_for("the comparison", |a| a.is_settled());
    app.harness
        .get_by_role_and_label(Role::Button, "Performance")
        .click();
    app.wait_for("the figures", |a| {
        !a.comparison.perf.is_busy() && a.comparison.perf.rows().len() == 2
    });
    app.harness
        .get_by_role_and_label(Role::Button, "Save CSV")
        .click();
    let deadline = Instant::now() + TIMEOUT;
    let file = loop {
        app.steps(1);
        let files: Vec<_> = std::fs::read_dir(out.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        if let [file] = files.as_slice()
            && std::fs::metadata(file).unwrap().len() > 0
        {
            break file.clone();
        }
        assert!(
            Instant::now() < deadline,
            "no CSV in {}",
            out.path().display()
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with("wickview-performance-") && name.ends_with(".csv"),
        "{name}"
    );
    app.wait_for_label("Saved ");
    let text = std::fs::read_to_string(&file).unwrap();
    // The `#` lines name the range, currency and benchmark; the table follows them.
    assert!(text.starts_with("# wickview performance table"), "{text}");
    assert!(
        text.lines()
            .find(|l| !l.starts_with('#'))
            .is_some_and(|l| l.starts_with("ticker,name,return_pct")),
        "{text}"
    );
    assert!(text.contains("AAPL") && text.contains("MSFT"), "{text}");
}

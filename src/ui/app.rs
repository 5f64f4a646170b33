//! The wickview window: view tabs and search on top, the collapsible side panel on the left,
//! the open viewer in the centre. Every store access and download runs in the background.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use poll_promise::Promise;

use super::bench_panel::BenchPanel;
use super::bg;
use super::chart::RangePreset;
use super::fonts::{self, HangulLoader, HangulStatus};
use super::help::{AppKey, KeyWindows};
use super::search::SearchBox;
use super::series_cache::SeriesCache;
use super::settings::{PanelTab, STORAGE_KEY, Settings, SettingsSaver, ViewKind};
use super::tickers::{TickerChange, TickerPanel};
use super::updates::UpdatePanel;
use super::viewer::{CategoryViewer, ComparisonViewer};
use crate::model::{Category, TickerMeta};
use crate::store::{Store, StoreConfig, StoreError, TickerQuery};

/// What the window starts with, from the command line.
#[derive(Clone, Debug, Default)]
pub struct AppOptions {
    /// Where the data lives.
    pub store: Option<StoreConfig>,
    /// `--source-url` values: `NAME=URL` for a named source, a bare URL for Yahoo (mirrors,
    /// test servers); the public sources by default.
    pub source_urls: Vec<String>,
    /// Timeouts of the download source (the config file's `[source]` table).
    pub source_settings: crate::source::SourceSettings,
    /// Load the bundled sample series into an empty embedded store.
    pub seed_sample: bool,
    /// Open this view instead of the remembered one.
    pub view: Option<ViewKind>,
    /// Show this ticker in its category's viewer (and open that view).
    pub ticker: Option<String>,
    /// Tickers for the comparison view (opens it).
    pub compare: Vec<String>,
    /// The comparison's currency (`None`: as remembered).
    pub currency: Option<super::compare_fx::DisplayCurrency>,
    /// Range preset of the charts once loaded.
    pub range: Option<RangePreset>,
    /// Save a PNG of the window here once everything shown has loaded, then exit.
    pub screenshot: Option<PathBuf>,
    /// Ignore remembered settings (for reproducible screenshots and tests).
    pub fresh_settings: bool,
    /// Open the side panel on this tab.
    pub panel_tab: Option<PanelTab>,
    /// The index viewer's moving-average set.
    pub index_ma_set: Option<crate::model::MaSet>,
    /// Indicators on every category chart, instead of the remembered ones.
    pub indicators: Vec<crate::compute::indicators::Indicator>,
    /// The bar interval of every category chart, instead of the remembered ones.
    pub interval: Option<crate::compute::Interval>,
    /// How every category chart draws the price, instead of the remembered way.
    pub chart_type: Option<crate::ui::chart::ChartType>,
}

enum StoreState {
    Connecting(Promise<Result<Store, String>>),
    Seeding(Store, Promise<Result<usize, String>>),
    Ready(Store),
    Failed(String),
}

/// How often the settings are compared with what was written, and written when changed.
const SETTINGS_SAVE_INTERVAL: Duration = Duration::from_millis(500);

/// The application.
pub struct WickviewApp {
    rt: tokio::runtime::Handle,
    options: AppOptions,
    store: StoreState,
    hangul: HangulStatus,
    /// The search for a Hangul font, while it runs (off the UI thread).
    hangul_loader: Option<HangulLoader>,
    /// Remembered between runs.
    pub settings: Settings,
    viewers: Vec<CategoryViewer>,
    /// The comparison view.
    pub comparison: ComparisonViewer,
    cache: SeriesCache,
    search: SearchBox,
    /// Ticker lists and metadata editor.
    pub tickers: TickerPanel,
    /// Updaters.
    pub updates: UpdatePanel,
    bench: BenchPanel,
    /// The keyboard help overlay and "go to date".
    pub key_windows: KeyWindows,
    defaults_requested: Option<Promise<Vec<TickerMeta>>>,
    explicit_ticker_pending: bool,
    pending_range: Option<RangePreset>,
    status: Option<(String, bool)>,
    screenshot_requested: bool,
    settled_frames: u32,
    shot: Option<PendingShot>,
    /// Where Export PNG saves, while its save dialog is open.
    export_choice: super::save_file::PendingChoice,
    exit_error: Option<String>,
    /// Panics caught in background work, shown until dismissed, and how many were seen.
    failures: (Vec<String>, usize),
    /// Watchlists named on the command line (`--compare @NAME`), opened once the store is.
    open_watchlists: Vec<String>,
    /// The remembered settings that could not be read and were reset, until dismissed.
    settings_notice: Option<String>,
    /// Writes the settings when they change.
    saver: SettingsSaver,
    /// When the settings were last compared with what was written.
    settings_checked: Option<Instant>,
}

struct PendingShot {
    path: PathBuf,
    then_exit: bool,
    rx: std::sync::mpsc::Receiver<Arc<egui::ColorImage>>,
    /// The PNG being encoded and written on the blocking pool, once the pixels arrived.
    saving: Option<Promise<Result<(), String>>>,
}

impl WickviewApp {
    /// Builds the app; `cc` gives the GPU state (to register the chart renderer) and storage.
    pub fn new(
        cc: &eframe::CreationContext<'_>,
        rt: tokio::runtime::Handle,
        options: AppOptions,
    ) -> Self {
        if let Some(render_state) = &cc.wgpu_render_state {
            super::chart::init_render_resources(render_state, 1, None);
        } else {
            tracing::error!("no wgpu render state: charts cannot be drawn");
        }
        let (settings, resets) = if options.fresh_settings {
            (Settings::default(), Vec::new())
        } else {
            Settings::load(cc.storage)
        };
        // The system fonts are searched on a thread of their own: the first frame does not
        // wait for the scan, and the Hangul fallback is installed once it is found (at once
        // when this process searched them already).
        let app = match fonts::searched_hangul_font() {
            Some(found) => {
                let hangul = fonts::install_font(&cc.egui_ctx, found);
                Self::with_settings(&cc.egui_ctx, rt, options, settings, hangul)
            }
            None => {
                Self::with_settings(&cc.egui_ctx, rt, options, settings, HangulStatus::Searching)
                    .with_hangul_loader(HangulLoader::spawn(&cc.egui_ctx))
            }
        };
        app.with_reset_settings(&resets)
    }

    /// Says (in the log at warn, and in the window until dismissed) which remembered
    /// settings could not be read and were reset to their defaults.
    fn with_reset_settings(mut self, resets: &[super::lenient::Reset]) -> Self {
        if resets.is_empty() {
            return self;
        }
        let all: Vec<String> = resets.iter().map(ToString::to_string).collect();
        tracing::warn!(
            "some remembered settings could not be read and were reset to their defaults: {}",
            all.join("; ")
        );
        /// Named in the window; the log has them all.
        const SHOWN: usize = 5;
        let mut text = all[..all.len().min(SHOWN)].join(", ");
        if all.len() > SHOWN {
            text.push_str(&format!(" and {} more", all.len() - SHOWN));
        }
        self.settings_notice = Some(format!(
            "Some settings could not be read and were reset to their defaults: {text}"
        ));
        self
    }

    /// Which remembered settings were reset, while the window says so.
    pub fn settings_notice(&self) -> Option<&str> {
        self.settings_notice.as_deref()
    }

    /// Installs the Hangul font that `loader` finds, once it is found (the status stays
    /// [`HangulStatus::Searching`] until then).
    pub fn with_hangul_loader(mut self, loader: HangulLoader) -> Self {
        self.hangul = HangulStatus::Searching;
        self.hangul_loader = Some(loader);
        self
    }

    fn poll_fonts(&mut self, ctx: &egui::Context) {
        if let Some(status) = self.hangul_loader.as_ref().and_then(|l| l.poll(ctx)) {
            self.hangul = status;
            self.hangul_loader = None;
        }
    }

    /// Builds the app with explicit settings (tests).
    pub fn with_settings(
        ctx: &egui::Context,
        rt: tokio::runtime::Handle,
        options: AppOptions,
        mut settings: Settings,
        hangul: HangulStatus,
    ) -> Self {
        let open_watchlists = apply_options(&options, &mut settings);
        let store = connect(&rt, ctx, options.store.clone());
        Self {
            tickers: TickerPanel::new(settings.page_size),
            updates: UpdatePanel::new(&options.source_urls)
                .with_source_settings(&options.source_settings),
            pending_range: options.range,
            rt,
            store,
            hangul,
            hangul_loader: None,
            settings,
            viewers: Category::ALL.into_iter().map(CategoryViewer::new).collect(),
            comparison: ComparisonViewer::default(),
            cache: SeriesCache::default(),
            search: SearchBox::default(),
            bench: BenchPanel::default(),
            key_windows: KeyWindows::default(),
            defaults_requested: None,
            explicit_ticker_pending: false,
            status: None,
            screenshot_requested: false,
            settled_frames: 0,
            shot: None,
            export_choice: super::save_file::PendingChoice::default(),
            exit_error: None,
            failures: (Vec::new(), 0),
            open_watchlists,
            settings_notice: None,
            saver: SettingsSaver::default(),
            settings_checked: None,
            options,
        }
    }

    /// The connected store, once ready.
    pub fn store(&self) -> Option<&Store> {
        match &self.store {
            StoreState::Ready(s) => Some(s),
            _ => None,
        }
    }

    /// Whether Korean text can be shown.
    pub fn hangul(&self) -> &HangulStatus {
        &self.hangul
    }

    /// The viewer of `category`.
    pub fn viewer(&self, category: Category) -> &CategoryViewer {
        &self.viewers[category_index(category)]
    }

    /// The viewer of `category`, mutably.
    pub fn viewer_mut(&mut self, category: Category) -> &mut CategoryViewer {
        &mut self.viewers[category_index(category)]
    }

    /// Whether nothing shown is still loading (store, sample, series, averages).
    pub fn is_settled(&self) -> bool {
        if self.hangul == HangulStatus::Searching {
            return false;
        }
        if !matches!(self.store, StoreState::Ready(_) | StoreState::Failed(_)) {
            return false;
        }
        if self.defaults_requested.is_some() || self.cache.any_loading() {
            return false;
        }
        match self.settings.view {
            ViewKind::Category(c) => {
                let v = self.viewer(c);
                let want = self.settings.selected.get(c.storage_name());
                want.is_none_or(|t| {
                    self.cache.error(t).is_some()
                        || (v.shown_ticker() == Some(t.as_str()) && !v.chart.is_loading())
                }) && v.extra_settled(&self.settings, &self.cache)
                    && !v.drawings_busy()
            }
            ViewKind::Comparison => {
                self.comparison.shown_tickers().len()
                    == self
                        .settings
                        .comparison
                        .iter()
                        .filter(|t| self.cache.error(t).is_none())
                        .count()
                    && !self.comparison.chart.is_loading()
                    && !self.comparison.is_mode_pending()
                    && !self.comparison.is_adding()
                    && !self.comparison.is_converting()
                    && (self.open_watchlists.is_empty()
                        || matches!(self.store, StoreState::Failed(_)))
            }
        }
    }

    /// Shows `meta` in its category's viewer and opens that view.
    pub fn open_ticker(&mut self, meta: &TickerMeta) {
        let c = meta.category();
        self.settings
            .selected
            .insert(c.storage_name().to_owned(), meta.ticker.as_str().to_owned());
        self.settings.view = ViewKind::Category(c);
    }

    /// Adds `ticker` to the comparison (once).
    pub fn add_to_comparison(&mut self, ticker: &str) {
        if !self.settings.comparison.iter().any(|t| t == ticker) {
            self.settings.comparison.push(ticker.to_owned());
        }
    }

    fn poll_store(&mut self, ctx: &egui::Context) {
        let next = match &mut self.store {
            StoreState::Connecting(p) => match p.ready() {
                Some(Ok(store)) => {
                    let store = store.clone();
                    tracing::info!("store: {}", store.describe());
                    if self.options.seed_sample {
                        let s = store.clone();
                        Some(StoreState::Seeding(
                            store,
                            bg::spawn(&self.rt, ctx, async move {
                                crate::sample::seed_if_empty(&s)
                                    .await
                                    .map_err(|e| e.to_string())
                            }),
                        ))
                    } else {
                        Some(StoreState::Ready(store))
                    }
                }
                Some(Err(e)) => Some(StoreState::Failed(e.clone())),
                None => None,
            },
            StoreState::Seeding(store, p) => match p.ready() {
                Some(result) => {
                    match result {
                        Ok(0) => {}
                        Ok(n) => {
                            self.status = Some((
                                format!("Loaded {n} sample series into the new store"),
                                false,
                            ));
                        }
                        Err(e) => {
                            self.status =
                                Some((format!("Could not load the sample series: {e}"), true));
                        }
                    }
                    Some(StoreState::Ready(store.clone()))
                }
                None => None,
            },
            StoreState::Ready(_) | StoreState::Failed(_) => None,
        };
        if let Some(next) = next {
            self.store = next;
            if let StoreState::Ready(store) = &self.store {
                let store = store.clone();
                self.tickers.invalidate();
                self.request_defaults(ctx, store.clone());
                // `--compare @NAME`: the watchlists' tickers join the ones named beside them.
                let names = std::mem::take(&mut self.open_watchlists);
                if !names.is_empty() {
                    let keep = self.settings.comparison.clone();
                    self.comparison
                        .add_many
                        .open_watchlists(&names, keep, &self.rt, ctx, &store);
                }
            }
        }
    }

    /// For categories with no remembered ticker, picks the first ticker of the store.
    fn request_defaults(&mut self, ctx: &egui::Context, store: Store) {
        if let Some(t) = self.options.ticker.take() {
            // A ticker from the command line: find its category first.
            self.explicit_ticker_pending = true;
            let p = bg::spawn(&self.rt, ctx, async move {
                store.ticker(&t).await.ok().flatten().into_iter().collect()
            });
            self.defaults_requested = Some(p);
            return;
        }
        let missing: Vec<Category> = Category::ALL
            .into_iter()
            .filter(|c| !self.settings.selected.contains_key(c.storage_name()))
            .collect();
        if missing.is_empty() {
            return;
        }
        self.defaults_requested = Some(bg::spawn(&self.rt, ctx, async move {
            let mut out = Vec::new();
            for c in missing {
                let q = TickerQuery {
                    category: Some(c),
                    filter: None,
                    active_only: false,
                    offset: 0,
                    limit: 1,
                };
                if let Ok(page) = store.list_tickers(&q).await {
                    out.extend(page.items);
                }
            }
            out
        }));
    }

    fn poll_defaults(&mut self) {
        if let Some(found) = bg::take_ready(&mut self.defaults_requested) {
            let explicit_ticker = self.explicit_ticker_pending;
            self.explicit_ticker_pending = false;
            for meta in found {
                let key = meta.category().storage_name().to_owned();
                self.settings
                    .selected
                    .entry(key)
                    .or_insert_with(|| meta.ticker.as_str().to_owned());
                if explicit_ticker {
                    self.settings.view = ViewKind::Category(meta.category());
                    self.settings.selected.insert(
                        meta.category().storage_name().to_owned(),
                        meta.ticker.as_str().to_owned(),
                    );
                }
            }
        }
    }

    fn apply_pending_range(&mut self) {
        let Some(range) = self.pending_range else {
            return;
        };
        // A view with nothing to show (an empty category, an empty comparison) takes no
        // range; keeping it pending would keep `--screenshot` waiting forever.
        let store_ready = matches!(self.store, StoreState::Ready(_) | StoreState::Failed(_));
        let nothing_to_show = match self.settings.view {
            ViewKind::Category(c) => !self.settings.selected.contains_key(c.storage_name()),
            ViewKind::Comparison => {
                self.settings.comparison.is_empty()
                    && self.open_watchlists.is_empty()
                    && !self.comparison.is_adding()
            }
        };
        if store_ready && self.defaults_requested.is_none() && nothing_to_show {
            self.pending_range = None;
            return;
        }
        match self.settings.view {
            ViewKind::Category(c) => {
                let v = self.viewer_mut(c);
                if v.shown_ticker().is_some() {
                    v.chart.apply_range(range);
                    // The other charts of a linked layout follow.
                    v.mark_view_moved(0);
                    self.pending_range = None;
                }
            }
            ViewKind::Comparison => {
                // Once every series is in and the shared calendar is built (before that
                // the chart cannot place a range, and a later series would reset it).
                let wanted = self
                    .settings
                    .comparison
                    .iter()
                    .filter(|t| self.cache.error(t).is_none())
                    .count();
                if self.comparison.shown_tickers().len() == wanted
                    && !self.comparison.chart.is_loading()
                    && self.comparison.chart.calendar().is_some()
                {
                    self.comparison.chart.apply_range(range);
                    self.comparison.refresh_mode();
                    self.pending_range = None;
                }
            }
        }
    }

    fn handle_ticker_changes(&mut self, ctx: &egui::Context) {
        let changes = self.tickers.take_changes();
        let Some(store) = self.store().cloned() else {
            return;
        };
        for change in changes {
            match change {
                TickerChange::Added(meta) => {
                    self.settings
                        .selected
                        .entry(meta.category().storage_name().to_owned())
                        .or_insert_with(|| meta.ticker.as_str().to_owned());
                }
                TickerChange::Edited(meta) => {
                    let t = meta.ticker.as_str().to_owned();
                    // A category change moves the ticker to another viewer.
                    for c in Category::ALL {
                        if c != meta.category()
                            && self.settings.selected.get(c.storage_name()) == Some(&t)
                        {
                            self.settings.selected.remove(c.storage_name());
                        }
                    }
                    self.cache.reload(&t, &self.rt, ctx, &store);
                }
                TickerChange::Deleted(t) => {
                    self.cache.forget(&t);
                    self.settings.selected.retain(|_, v| *v != t);
                    self.settings.comparison.retain(|v| *v != t);
                    self.comparison.add_many.reread_watchlists();
                    self.request_defaults(ctx, store.clone());
                }
            }
        }
        for t in self.updates.take_updated_tickers() {
            self.cache.reload(&t, &self.rt, ctx, &store);
            self.tickers.invalidate();
        }
    }

    /// A bar under the top bar listing background work that failed unexpectedly (a caught
    /// panic), until dismissed.
    fn failures_ui(&mut self, ui: &mut egui::Ui) {
        let (new, seen) = bg::failures_since(self.failures.1);
        self.failures.0.extend(new);
        self.failures.1 = seen;
        if self.failures.0.is_empty() {
            return;
        }
        egui::Panel::top("background_failures").show(ui, |ui| {
            ui.horizontal_wrapped(|ui| {
                if ui.button("Dismiss").clicked() {
                    self.failures.0.clear();
                }
                for failure in &self.failures.0 {
                    ui.colored_label(egui::Color32::LIGHT_RED, format!("⚠ {failure}"));
                }
            });
        });
    }

    fn top_bar_ui(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            self.views_and_search_ui(ui);
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                self.export_and_store_ui(ui);
            });
        });
        self.notices_ui(ui);
    }

    /// The panel toggle, the view tabs and the search box (its pick opens the ticker).
    fn views_and_search_ui(&mut self, ui: &mut egui::Ui) {
        let label = if self.settings.panel_open {
            "◀ Panel"
        } else {
            "▶ Panel"
        };
        if ui
            .button(label)
            .on_hover_text("Show or hide the side panel")
            .clicked()
        {
            self.settings.panel_open = !self.settings.panel_open;
        }
        ui.separator();
        for view in ViewKind::ALL {
            if ui
                .selectable_label(self.settings.view == view, view.label())
                .clicked()
            {
                self.settings.view = view;
            }
        }
        ui.separator();
        let store = self.store().cloned();
        if let Some(meta) = self.search.ui(ui, &self.rt, store.as_ref()) {
            if self.settings.view == ViewKind::Comparison {
                self.add_to_comparison(meta.ticker.as_str());
            } else if !self.settings.place_in_active_chart(meta.ticker.as_str()) {
                self.open_ticker(&meta);
            }
        }
    }

    /// Export PNG, and which store the app is on (or why it is not).
    fn export_and_store_ui(&mut self, ui: &mut egui::Ui) {
        if ui
            .add_enabled(
                !self.export_choice.is_open(),
                egui::Button::new("Export PNG"),
            )
            .on_hover_text("Save the window as a PNG image")
            .clicked()
        {
            let name = export_file_name(&self.settings);
            self.export_choice
                .start(ui.ctx(), &self.rt, super::save_file::SaveKind::Image, &name);
        }
        match &self.store {
            StoreState::Ready(s) => {
                let kind = if s.is_embedded() {
                    "Embedded store"
                } else {
                    "MongoDB"
                };
                ui.weak(kind).on_hover_text(s.describe());
            }
            StoreState::Connecting(_) => {
                ui.spinner();
                ui.label("Connecting…");
            }
            StoreState::Seeding(..) => {
                ui.spinner();
                ui.label("Loading sample data…");
            }
            StoreState::Failed(_) => {
                ui.colored_label(egui::Color32::LIGHT_RED, "Store unavailable");
            }
        }
    }

    /// The lines under the bar: a missing Hangul font, data to repair, unreadable
    /// settings, the last action's status (the last two dismissable).
    fn notices_ui(&mut self, ui: &mut egui::Ui) {
        if let Some(w) = self.hangul.warning() {
            ui.colored_label(egui::Color32::YELLOW, w);
        }
        // Data left by other tools (duplicates): readable, but `wickview repair` should run.
        if let StoreState::Ready(store) = &self.store
            && let Some(problem) = store.repair_needed()
        {
            ui.colored_label(egui::Color32::YELLOW, problem);
        }
        if let Some(notice) = &self.settings_notice {
            let mut close = false;
            ui.horizontal(|ui| {
                close = ui.small_button("Dismiss").clicked();
                ui.add(
                    egui::Label::new(egui::RichText::new(notice).color(egui::Color32::YELLOW))
                        .wrap(),
                );
            });
            if close {
                self.settings_notice = None;
            }
        }
        if let Some((msg, is_err)) = &self.status {
            let color = if *is_err {
                egui::Color32::LIGHT_RED
            } else {
                egui::Color32::LIGHT_GREEN
            };
            let mut close = false;
            ui.horizontal(|ui| {
                ui.colored_label(color, msg);
                close = ui.small_button("✖").clicked();
            });
            if close {
                self.status = None;
            }
        }
    }

    fn side_panel_ui(&mut self, ui: &mut egui::Ui) {
        ui.horizontal_wrapped(|ui| {
            for tab in PanelTab::ALL {
                ui.selectable_value(&mut self.settings.panel_tab, tab, tab.label());
            }
        });
        ui.separator();
        let store = self.store().cloned();
        egui::ScrollArea::vertical()
            .id_salt("side_panel_scroll")
            .show(ui, |ui| match self.settings.panel_tab {
                PanelTab::Update => self.updates.ui(ui, &self.rt, store.as_ref()),
                PanelTab::Tickers => {
                    self.tickers.ui(ui, &self.rt, store.as_ref());
                    self.settings.page_size = self.tickers.page_size();
                }
                PanelTab::Benchmarks => self.bench.ui(ui),
                PanelTab::Storage => self.storage_ui(ui),
            });
    }

    fn storage_ui(&mut self, ui: &mut egui::Ui) {
        let config = self.options.store.clone();
        match &self.store {
            StoreState::Ready(s) => {
                ui.label("In use:");
                ui.monospace(s.describe());
                ui.colored_label(egui::Color32::LIGHT_GREEN, "Connected");
            }
            StoreState::Connecting(_) | StoreState::Seeding(..) => {
                ui.spinner();
            }
            StoreState::Failed(e) => {
                ui.colored_label(egui::Color32::LIGHT_RED, "Not connected");
                ui.label(e);
            }
        }
        if let Some(cfg) = &config {
            ui.small(format!("Configured: {}", cfg.describe()));
        }
        ui.add_space(6.0);
        if ui
            .button("Reconnect")
            .on_hover_text("Connect to the configured store again")
            .clicked()
        {
            self.cache.clear();
            self.store = connect(&self.rt, ui.ctx(), config);
        }
        ui.add_space(6.0);
        ui.small(
            "The store is chosen at start-up: --mongodb-uri, the MONGODB_URI environment \
             variable or the config file select MongoDB; otherwise the embedded database in \
             the data directory (--data-dir / WICKVIEW_DATA_DIR) is used.",
        );
    }

    fn central_ui(&mut self, ui: &mut egui::Ui) {
        if let StoreState::Failed(e) = &self.store {
            ui.colored_label(
                egui::Color32::LIGHT_RED,
                format!("The store is unavailable: {e}"),
            );
            if ui.button("Retry").clicked() {
                self.store = connect(&self.rt, ui.ctx(), self.options.store.clone());
            }
            return;
        }
        let store = self.store().cloned();
        match self.settings.view {
            ViewKind::Category(c) => {
                let i = category_index(c);
                self.viewers[i].ui(
                    ui,
                    &mut self.settings,
                    &mut self.cache,
                    &self.rt,
                    store.as_ref(),
                );
            }
            ViewKind::Comparison => {
                self.comparison.ui(
                    ui,
                    &mut self.settings,
                    &mut self.cache,
                    &self.rt,
                    store.as_ref(),
                );
            }
        }
    }

    /// Asks for the window's pixels; they are saved to `path` when they arrive (and the
    /// window closes if `then_exit`).
    fn request_shot(&mut self, ctx: &egui::Context, path: PathBuf, then_exit: bool) {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let repaint = ctx.clone();
        ctx.request_screenshot(move |image| {
            // The app may have gone away meanwhile; nothing to do then.
            let _ = tx.try_send(image);
            repaint.request_repaint();
        });
        self.shot = Some(PendingShot {
            path,
            then_exit,
            rx,
            saving: None,
        });
    }

    fn handle_screenshots(&mut self, ctx: &egui::Context) {
        // Export PNG: the save dialog closed; the pixels are asked for once it is gone.
        match self.export_choice.take() {
            Some(Ok(Some(path))) => self.request_shot(ctx, path, false),
            Some(Err(e)) => self.status = Some((format!("Could not save the PNG: {e}"), true)),
            Some(Ok(None)) | None => {}
        }
        // The pixels arrive in a frame; encoding and writing the PNG happen off the UI thread.
        if let Some(shot) = &mut self.shot
            && shot.saving.is_none()
            && let Ok(image) = shot.rx.try_recv()
        {
            let path = shot.path.clone();
            shot.saving = Some(bg::spawn(&self.rt, ctx, async move {
                tokio::task::spawn_blocking(move || super::save_file::save_png(&image, &path))
                    .await
                    .map_err(|e| format!("writing the PNG failed: {e}"))?
            }));
        }
        if let Some(shot) = &mut self.shot
            && let Some(result) = bg::take_ready(&mut shot.saving)
            && let Some(shot) = self.shot.take()
        {
            if shot.then_exit {
                match &result {
                    Ok(()) => tracing::info!("screenshot saved to {}", shot.path.display()),
                    Err(e) => {
                        tracing::error!("could not save the screenshot: {e}");
                        self.exit_error = Some(e.clone());
                    }
                }
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            } else {
                self.status = Some(match result {
                    Ok(()) => (format!("Saved {}", shot.path.display()), false),
                    Err(e) => (format!("Could not save the PNG: {e}"), true),
                });
            }
        }
        // --screenshot: once everything shown has loaded (and a few frames have settled the
        // layout), ask for the window's pixels.
        if let Some(path) = self.options.screenshot.clone()
            && !self.screenshot_requested
        {
            if self.is_settled() && self.pending_range.is_none() {
                self.settled_frames += 1;
            } else {
                self.settled_frames = 0;
            }
            if self.settled_frames > 3 {
                self.screenshot_requested = true;
                self.request_shot(ctx, path, true);
            }
            ctx.request_repaint();
        }
    }

    /// Centres the active chart of the open view on `day` (keeping its zoom).
    pub fn go_to_day(&mut self, day: chrono::NaiveDate) {
        match self.settings.view {
            ViewKind::Category(c) => {
                let active = self.settings.active_slot(c);
                let v = &mut self.viewers[category_index(c)];
                if v.chart_at_mut(active).is_some_and(|c| c.center_on_day(day)) {
                    // The other charts of a linked layout follow.
                    v.mark_view_moved(active);
                }
            }
            ViewKind::Comparison => {
                let chart = &mut self.comparison.chart;
                if let Some(days) = chart.calendar() {
                    let view = super::chart::view_of_days(days, day, day);
                    let center = 0.5 * (view.start + view.end);
                    let w = chart.view().width();
                    chart.set_view(super::chart::XView {
                        start: center - 0.5 * w,
                        end: center + 0.5 * w,
                    });
                }
            }
        }
    }

    /// Why the window could not do what the command line asked (e.g. save the screenshot).
    pub fn exit_error(&self) -> Option<&str> {
        self.exit_error.as_deref()
    }
}

fn category_index(c: Category) -> usize {
    Category::ALL.iter().position(|x| *x == c).unwrap_or(0)
}

fn connect(
    rt: &tokio::runtime::Handle,
    ctx: &egui::Context,
    config: Option<StoreConfig>,
) -> StoreState {
    let Some(config) = config else {
        return StoreState::Failed("no store is configured".to_owned());
    };
    StoreState::Connecting(bg::spawn(rt, ctx, async move {
        match Store::open(&config).await {
            Ok(store) => Ok(store),
            // A data directory or file this user may not write: browse it read-only.
            Err(e @ (StoreError::ReadOnly { .. } | StoreError::Io { .. })) => {
                match Store::open_read_only(&config).await {
                    Ok(store) => {
                        tracing::warn!("{e}; opened read-only");
                        Ok(store)
                    }
                    Err(_) => Err(e.to_string()),
                }
            }
            Err(e) => Err(e.to_string()),
        }
    }))
}

/// The file name Export PNG proposes: `wickview-{ticker or view}-{time}.png`.
fn export_file_name(settings: &Settings) -> String {
    let what = match settings.view {
        ViewKind::Category(c) => settings
            .selected
            .get(c.storage_name())
            .cloned()
            .unwrap_or_else(|| c.short_name().to_owned()),
        ViewKind::Comparison => "comparison".to_owned(),
    };
    let safe: String = what
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
    format!("wickview-{safe}-{stamp}.png")
}

/// Applies what the command line asked for (view, panel tab, studies, currency, interval,
/// chart type, compared tickers) to `settings`; returns the watchlists `--compare @NAME`
/// opens once the store is open.
fn apply_options(options: &AppOptions, settings: &mut Settings) -> Vec<String> {
    if let Some(view) = options.view {
        settings.view = view;
    }
    if let Some(tab) = options.panel_tab {
        settings.panel_tab = tab;
        settings.panel_open = true;
    }
    if let Some(set) = options.index_ma_set {
        settings.index_ma_set = set;
    }
    if !options.indicators.is_empty() {
        for c in Category::ALL {
            settings.set_indicators(c, &options.indicators);
        }
    }
    if let Some(currency) = options.currency {
        settings.comparison_currency = currency;
    }
    if let Some(interval) = options.interval {
        for c in Category::ALL {
            for slot in 0..4 {
                settings.set_interval(c, slot, interval);
            }
        }
    }
    if let Some(chart_type) = options.chart_type {
        for c in Category::ALL {
            settings.set_chart_type(c, chart_type);
        }
    }
    let mut open_watchlists = Vec::new();
    if !options.compare.is_empty() {
        // `@NAME` opens a watchlist (read once the store is open); the rest are tickers.
        settings.comparison = options
            .compare
            .iter()
            .filter(|t| !t.starts_with('@'))
            .cloned()
            .collect();
        open_watchlists = options
            .compare
            .iter()
            .filter_map(|t| t.strip_prefix('@'))
            .map(str::to_owned)
            .collect();
        settings.view = ViewKind::Comparison;
    }
    open_watchlists
}

impl eframe::App for WickviewApp {
    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        self.poll_fonts(&ctx);
        self.poll_store(&ctx);
        self.poll_defaults();
        self.cache.poll();
        if let StoreState::Ready(store) = &self.store {
            // Switching the price basis reloads what is loaded (background loads).
            self.cache
                .set_total_return(self.settings.total_return, &self.rt, &ctx, store);
        }
        self.updates.tick(&ctx);
        self.handle_ticker_changes(&ctx);
        self.key_windows.close_on_escape(&ctx);
        for key in super::help::app_keys(&ctx) {
            match key {
                AppKey::Search => self.search.request_focus(),
                other => self.key_windows.on_key(other),
            }
        }

        egui::Panel::top("top_bar").show(ui, |ui| self.top_bar_ui(ui));
        self.failures_ui(ui);
        let mut panel_open = self.settings.panel_open;
        // A quarter of the window at first (260 to 340 points; its tabs take two rows below 330),
        // so a small window keeps most of its width for the charts; the user's own width is
        // kept after a resize.
        let side_width = (ui.available_width() * 0.25).clamp(260.0, 340.0);
        egui::Panel::left("side_panel")
            .resizable(true)
            .default_size(side_width)
            .show_collapsible(ui, &mut panel_open, |ui| self.side_panel_ui(ui));
        self.settings.panel_open = panel_open;
        egui::CentralPanel::default().show(ui, |ui| self.central_ui(ui));
        if let Some(day) = self.key_windows.ui(&ctx) {
            self.go_to_day(day);
        }

        self.apply_pending_range();
        self.handle_screenshots(&ctx);
        // A change is written within half a second, so it survives a crash or a kill; the
        // settings are compared (and written) at most that often, so a drag that changes
        // them every frame does not write the file, or wait for the last write, every frame.
        if !self.options.fresh_settings
            && let Some(storage) = frame.storage_mut()
        {
            let now = Instant::now();
            match self.settings_checked.map(|t| t + SETTINGS_SAVE_INTERVAL) {
                // Checked lately: look again once the interval is over (one more frame).
                Some(next) if now < next => ctx.request_repaint_after(next - now),
                _ => {
                    self.settings_checked = Some(now);
                    self.saver.save_if_changed(&self.settings, storage);
                }
            }
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        if !self.options.fresh_settings {
            eframe::set_value(storage, STORAGE_KEY, &self.settings);
        }
    }
}

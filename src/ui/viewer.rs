//! The viewers: one per category (a candlestick chart of one ticker with its moving averages)
//! and the comparison view (any number of tickers from any categories).

use poll_promise::Promise;

use super::bg;
use super::chart::{CandleChart, ChartResponse, ChartSeries, CompareMode, ComparisonChart};
use super::compare_add::{AddMany, AddOutcome};
use super::compare_fx::{
    DisplayCurrency, RateSource, convert_series, describe_rates, needed_rates, rate_sources,
};
use super::drawing_sync::DrawingSync;
use super::layout::{ChartEvents, LayoutSettings, link_charts};
use super::perf_table::PerfTable;
use super::series_cache::{LoadedSeries, SeriesCache};
use super::series_list::{ListAction, SeriesList};
use super::settings::{CompareChoice, Settings};
use super::theme::CandleColors;
use crate::model::{Category, MaSet};
use crate::store::Store;

/// In automatic mode, two series share a dual-axis chart unless one moved much more than the
/// other over the visible days: each axis of a dual-axis chart is fitted to its own series'
/// range, so a series that moved 3% would fill the pane as fully as one that moved 60% and
/// look as volatile. Past this ratio of relative ranges (`ln(max/min)`), the normalised view
/// is used, where both are in percent and directly comparable.
pub const DUAL_AXIS_MAX_RANGE_RATIO: f64 = 4.0;

/// The viewer of one category.
pub struct CategoryViewer {
    /// Its category.
    pub category: Category,
    /// The chart (the first chart of a multi-chart layout).
    pub chart: CandleChart,
    /// The ticker the chart shows (whose data is in it), and the cache generation it came from.
    shown: Option<(String, u64)>,
    /// The store side of the first chart's drawings.
    drawings: DrawingSync,
    /// What the first chart told, kept until the charts of a layout are linked.
    events: ChartEvents,
    /// Charts 2 to 4 of a multi-chart layout.
    extra: Vec<ExtraChart>,
    /// Whether the charts took their remembered bar intervals (once, at the first frame).
    intervals_applied: bool,
}

/// A chart of a layout after the first, with its own ticker.
struct ExtraChart {
    chart: CandleChart,
    shown: Option<(String, u64)>,
    drawings: DrawingSync,
    events: ChartEvents,
}

/// Everything a chart slot needs from the app for one frame.
struct SlotEnv<'a> {
    category: Category,
    settings: &'a Settings,
    cache: &'a mut SeriesCache,
    rt: &'a tokio::runtime::Handle,
    store: Option<&'a Store>,
}

impl CategoryViewer {
    /// An empty viewer of `category`.
    pub fn new(category: Category) -> Self {
        Self {
            category,
            chart: CandleChart::new(("viewer", category.short_name())),
            shown: None,
            drawings: DrawingSync::default(),
            events: ChartEvents::default(),
            extra: (1..4)
                .map(|slot| ExtraChart {
                    chart: CandleChart::new(("viewer", category.short_name(), slot)),
                    shown: None,
                    drawings: DrawingSync::default(),
                    events: ChartEvents::default(),
                })
                .collect(),
            intervals_applied: false,
        }
    }

    /// Gives each chart its remembered bar interval at the first frame; from then on the
    /// charts' D / W / M choices are copied back into the settings every frame.
    fn sync_intervals(&mut self, settings: &mut Settings) {
        let (category, applied) = (self.category, self.intervals_applied);
        for slot in 0..=self.extra.len() {
            let Some((chart, events)) = self.slot_mut(slot) else {
                continue;
            };
            if applied {
                settings.set_interval(category, slot, chart.interval());
            } else if chart.set_interval(settings.interval(category, slot)) {
                events.view_moved = true;
            }
        }
        self.intervals_applied = true;
    }

    /// The ticker whose data the chart shows.
    pub fn shown_ticker(&self) -> Option<&str> {
        self.shown.as_ref().map(|(t, _)| t.as_str())
    }

    /// Chart `slot` of the layout (0 is [`Self::chart`]).
    pub fn chart_at(&self, slot: usize) -> Option<&CandleChart> {
        match slot {
            0 => Some(&self.chart),
            k => self.extra.get(k - 1).map(|e| &e.chart),
        }
    }

    /// Chart `slot` of the layout, mutably.
    pub fn chart_at_mut(&mut self, slot: usize) -> Option<&mut CandleChart> {
        self.slot_mut(slot).map(|(chart, _)| chart)
    }

    /// Chart `slot` of the layout and what it told, mutably.
    fn slot_mut(&mut self, slot: usize) -> Option<(&mut CandleChart, &mut ChartEvents)> {
        match slot {
            0 => Some((&mut self.chart, &mut self.events)),
            k => self
                .extra
                .get_mut(k - 1)
                .map(|e| (&mut e.chart, &mut e.events)),
        }
    }

    /// Says that the app moved the view of chart `slot` (a range from the command line, a
    /// date picked): the other charts of a linked layout follow, as after a drag.
    pub fn mark_view_moved(&mut self, slot: usize) {
        if let Some((_, events)) = self.slot_mut(slot) {
            events.view_moved = true;
        }
    }

    /// The ticker whose data chart `slot` shows.
    pub fn shown_ticker_at(&self, slot: usize) -> Option<&str> {
        match slot {
            0 => self.shown_ticker(),
            k => self
                .extra
                .get(k - 1)?
                .shown
                .as_ref()
                .map(|(t, _)| t.as_str()),
        }
    }

    /// Whether a drawing load or save of any chart is still under way.
    pub fn drawings_busy(&self) -> bool {
        self.drawings.is_busy() || self.extra.iter().any(|e| e.drawings.is_busy())
    }

    /// Whether every chart of the layout after the first shows its ticker, loaded.
    pub fn extra_settled(&self, settings: &Settings, cache: &SeriesCache) -> bool {
        let layout = layout_of(settings, self.category);
        (1..layout.layout.count()).all(|slot| {
            layout.ticker(slot).is_none_or(|t| {
                cache.error(t).is_some()
                    || self.extra.get(slot - 1).is_some_and(|e| {
                        e.shown.as_ref().is_some_and(|(s, _)| s == t)
                            && !e.chart.is_loading()
                            && !e.drawings.is_busy()
                    })
            })
        })
    }

    /// Copies what the user switched in the chart's toolbar back into the settings.
    fn sync_settings(&self, settings: &mut Settings) {
        for o in self.chart.overlays() {
            let was_on = settings
                .ma_windows(self.category)
                .iter()
                .any(|(w, on)| *w == o.window && *on);
            if was_on != o.enabled {
                settings.set_ma(self.category, o.window, o.enabled);
            }
        }
        settings.log_y = self.chart.log_y();
        settings.scale_candles_only = self.chart.scale_candles_only();
        if self.chart.chart_type() != settings.chart_type(self.category) {
            settings.set_chart_type(self.category, self.chart.chart_type());
        }
        let shown = self.chart.indicators();
        if shown != settings.indicators_for(self.category) {
            settings.set_indicators(self.category, &shown);
        }
    }

    /// Shows the viewer: its layout row and its chart(s).
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        settings: &mut Settings,
        cache: &mut SeriesCache,
        rt: &tokio::runtime::Handle,
        store: Option<&Store>,
    ) {
        let category = self.category;
        let key = category.storage_name();
        self.sync_intervals(settings);
        let mut layout = layout_of(settings, category);
        let layout_before = layout.clone();
        let selected = settings.selected.get(key).cloned();
        // Said once the series is loaded on the basis asked for (not while it reloads).
        let dividends_note = selected
            .as_deref()
            .filter(|t| !cache.is_loading(t))
            .and_then(|t| cache.get(t))
            .map(|l| !l.total_return);
        layout.bar_ui(ui, |ui| total_return_ui(ui, settings, dividends_note));
        if category == Category::Index {
            self.ma_set_ui(ui, settings);
        }
        let count = layout.layout.count();
        if count == 1 {
            self.chart.set_toolbar_outside(false);
            self.chart.link_mut().keyboard = true;
            self.chart.link_mut().linked_day = None;
            let mut env = SlotEnv {
                category,
                settings,
                cache,
                rt,
                store,
            };
            match &selected {
                Some(ticker) => {
                    let response = slot_ui(
                        ui,
                        &mut self.chart,
                        &mut self.shown,
                        &mut self.drawings,
                        ticker,
                        &mut env,
                    );
                    if let Some(response) = response {
                        self.events.record(&response);
                    }
                }
                None => {
                    ui.centered_and_justified(|ui| {
                        ui.label(format!(
                            "No {} yet. Search above, or add one in the side panel's Tickers tab and \
                             run its updater.",
                            category.label().to_lowercase()
                        ));
                    });
                }
            }
        } else {
            self.layout_ui(
                ui,
                &mut layout,
                selected.as_deref(),
                settings,
                cache,
                rt,
                store,
            );
        }
        if layout != layout_before {
            settings.layouts.insert(key.to_owned(), layout);
        }
        // Only a chart that shows the selected ticker has the user's choices to keep (before
        // it loads, it has none, and copying them would forget the remembered ones).
        if selected.is_some() && self.shown_ticker() == selected.as_deref() {
            self.sync_settings(settings);
        }
    }

    /// The charts of a multi-chart layout, each in its cell, then the links between them.
    #[allow(
        clippy::too_many_arguments,
        reason = "the app state a viewer draws with"
    )]
    fn layout_ui(
        &mut self,
        ui: &mut egui::Ui,
        layout: &mut LayoutSettings,
        first: Option<&str>,
        settings: &Settings,
        cache: &mut SeriesCache,
        rt: &tokio::runtime::Handle,
        store: Option<&Store>,
    ) {
        self.active_toolbar_ui(ui, layout, first);
        let area = ui.available_rect_before_wrap();
        let cells = layout.layout.cells(area, 8.0);
        let mut env = SlotEnv {
            category: self.category,
            settings,
            cache,
            rt,
            store,
        };
        let clicked_at = ui.input(|i| {
            i.pointer
                .any_pressed()
                .then(|| i.pointer.interact_pos())
                .flatten()
        });
        let mut joined = false;
        // Charts whose ticker loaded this frame (every chart, after a restart).
        let mut new_tickers: Vec<usize> = Vec::new();
        for (slot, rect) in cells.iter().enumerate() {
            if clicked_at.is_some_and(|p| rect.contains(p)) && layout.active != slot {
                layout.active = slot;
                // The toolbar above, drawn already, now belongs to this chart.
                ui.ctx().request_repaint();
            }
            let ticker = if slot == 0 {
                first.map(str::to_owned)
            } else {
                layout.ticker(slot).map(str::to_owned)
            };
            let Some((changed, new_ticker)) =
                self.cell_ui(ui, (slot, *rect), layout, ticker, &mut env)
            else {
                continue;
            };
            joined |= changed;
            if new_ticker {
                new_tickers.push(slot);
            }
        }
        ui.advance_cursor_after_rect(area);
        self.link_after_frame(ui, layout, &new_tickers, joined);
    }

    /// The chart of layout cell `slot` in `rect`, framed, under its header (a click makes
    /// it the active chart), showing `ticker`; `None` for a cell without one. Returns
    /// whether what it shows changed, and whether its ticker did.
    fn cell_ui(
        &mut self,
        ui: &mut egui::Ui,
        (slot, rect): (usize, egui::Rect),
        layout: &mut LayoutSettings,
        ticker: Option<String>,
        env: &mut SlotEnv<'_>,
    ) -> Option<(bool, bool)> {
        let active = layout.active == slot;
        let mut child = ui.new_child(
            egui::UiBuilder::new()
                .max_rect(rect)
                .id_salt(("layout_slot", slot))
                .layout(egui::Layout::top_down(egui::Align::Min)),
        );
        let stroke = if active {
            egui::Stroke::new(1.5, child.visuals().selection.stroke.color)
        } else {
            egui::Stroke::new(1.0, child.visuals().widgets.noninteractive.bg_stroke.color)
        };
        child
            .painter()
            .rect_stroke(rect, 2.0, stroke, egui::StrokeKind::Outside);
        let name = ticker.clone().unwrap_or_else(|| "empty".to_owned());
        let header = child
            .selectable_label(active, format!("Chart {}: {name}", slot + 1))
            .on_hover_text("The active chart takes the keyboard and the search box's pick");
        if header.clicked() {
            layout.active = slot;
        }
        let Some(ticker) = ticker else {
            child.centered_and_justified(|ui| {
                ui.label("Click this chart, then search above to pick its ticker (any category).");
            });
            return None;
        };
        let (chart, shown, sync, events) = match slot {
            0 => (
                &mut self.chart,
                &mut self.shown,
                &mut self.drawings,
                &mut self.events,
            ),
            k => {
                let e = self.extra.get_mut(k - 1)?;
                (&mut e.chart, &mut e.shown, &mut e.drawings, &mut e.events)
            }
        };
        chart.link_mut().keyboard = active;
        chart.set_toolbar_outside(true);
        let before = shown.clone();
        if let Some(response) = slot_ui(&mut child, chart, shown, sync, &ticker, env) {
            events.record(&response);
        }
        Some((
            *shown != before,
            shown.as_ref().map(|s| &s.0) != before.as_ref().map(|s| &s.0),
        ))
    }

    /// After the charts of a layout drew: those whose ticker loaded (`new_tickers`) open on
    /// the remembered linked dates, or one that `joined` takes the lead chart's, and the
    /// linked crosshair and range are passed between the charts.
    fn link_after_frame(
        &mut self,
        ui: &egui::Ui,
        layout: &mut LayoutSettings,
        new_tickers: &[usize],
        joined: bool,
    ) {
        let count = layout.layout.count();
        let restored = !new_tickers.is_empty() && {
            // A chart whose ticker just loaded opens on the remembered linked dates.
            let (first_chart, rest) = (&mut self.chart, &mut self.extra);
            let mut loaded: Vec<&mut CandleChart> = std::iter::once(first_chart)
                .chain(rest.iter_mut().map(|e| &mut e.chart))
                .enumerate()
                .filter(|(slot, _)| new_tickers.contains(slot))
                .map(|(_, c)| c)
                .collect();
            super::layout::show_linked_days(&mut loaded, layout)
        };
        if joined && layout.link_range && !restored {
            // A chart that just loaded takes the dates of the active chart (or the first).
            let lead = self
                .chart_at(layout.active)
                .filter(|c| c.series().is_some())
                .map_or(0, |_| layout.active);
            self.mark_view_moved(lead);
        }
        let first = (&mut self.chart, &mut self.events);
        let mut charts: Vec<(&mut CandleChart, &mut ChartEvents)> = std::iter::once(first)
            .chain(self.extra.iter_mut().map(|e| (&mut e.chart, &mut e.events)))
            .take(count)
            .filter(|(c, _)| c.series().is_some())
            .collect();
        if link_charts(&mut charts, layout) {
            ui.ctx().request_repaint();
        }
    }

    /// The one toolbar of a multi-chart layout, above the grid: the active chart's, once
    /// it shows its ticker.
    fn active_toolbar_ui(
        &mut self,
        ui: &mut egui::Ui,
        layout: &LayoutSettings,
        first: Option<&str>,
    ) {
        let slot = layout.active.min(layout.layout.count() - 1);
        let ticker = if slot == 0 {
            first
        } else {
            layout.ticker(slot)
        };
        let loaded = ticker.is_some() && ticker == self.shown_ticker_at(slot);
        let chart = self.chart_at_mut(slot).filter(|_| loaded);
        if super::layout_toolbar::active_toolbar_ui(ui, slot, chart) {
            // A range button moved this chart: linked charts follow, as after a drag.
            self.mark_view_moved(slot);
        }
    }

    /// The index viewer's choice of moving-average set.
    fn ma_set_ui(&mut self, ui: &mut egui::Ui, settings: &mut Settings) {
        let mut changed = false;
        ui.horizontal_wrapped(|ui| {
            ui.label("Moving averages:");
            for (set, label) in [
                (MaSet::A, "Set A (5/20/60/120)"),
                (MaSet::B, "Set B (5/10/20/50/200)"),
            ] {
                if ui
                    .selectable_label(settings.index_ma_set == set, label)
                    .clicked()
                    && settings.index_ma_set != set
                {
                    settings.index_ma_set = set;
                    changed = true;
                }
            }
        });
        if changed {
            apply_ma_settings(&mut self.chart, self.category, settings);
            for e in &mut self.extra {
                apply_ma_settings(&mut e.chart, self.category, settings);
            }
        }
    }
}

/// The remembered layout of `category`'s viewer.
fn layout_of(settings: &Settings, category: Category) -> LayoutSettings {
    settings
        .layouts
        .get(category.storage_name())
        .cloned()
        .unwrap_or_default()
}

/// Gives `chart` every moving average offered in `category`, each on or off as the
/// settings say (the chart's toolbar switches them).
fn apply_ma_settings(chart: &mut CandleChart, category: Category, settings: &Settings) {
    let offered = settings.ma_windows(category);
    let windows: Vec<usize> = offered.iter().map(|(w, _)| *w).collect();
    chart.set_ma_windows(&windows);
    for (w, on) in offered {
        chart.set_ma_enabled(w, on);
    }
}

/// The "Total return" switch (dividend-adjusted prices, in every view at once).
/// `without_dividends`: whether the series on screen had no dividend to apply (then said).
pub fn total_return_ui(
    ui: &mut egui::Ui,
    settings: &mut Settings,
    without_dividends: Option<bool>,
) {
    ui.checkbox(&mut settings.total_return, "Total return")
        .on_hover_text(
            "Prices adjusted for dividends as well as splits, as if every dividend were \
         reinvested (Yahoo's adjusted close)",
        );
    if settings.total_return && without_dividends == Some(true) {
        ui.weak("no dividends stored");
    }
}

/// Puts the cache's `loaded` series of `ticker` into `chart` with the settings' studies
/// and style; new bars of the ticker on screen keep the view (one that ended on the last
/// bar follows them in).
fn show_loaded(
    chart: &mut CandleChart,
    shown: &mut Option<(String, u64)>,
    ticker: &str,
    loaded: &LoadedSeries,
    (category, settings): (Category, &Settings),
) {
    let old_len = chart.daily_series().map_or(0, |s| s.series.len());
    // A ticker that had no bars yet opens on the default range like any other.
    let same_ticker = shown.as_ref().is_some_and(|(t, _)| t == ticker) && old_len > 0;
    let mut view = chart.view();
    let new_len = loaded.chart.series.len();
    // A view that ended on the last bar follows the new bars in (a trader
    // watching the latest days sees the update land); any other view stays.
    if same_ticker && new_len > old_len && view.end >= old_len as f64 - 0.5 - 1e-6 {
        let shift = (new_len - old_len) as f64;
        view.start += shift;
        view.end += shift;
    }
    chart.set_series(
        loaded.chart.clone(),
        CandleColors::for_category(category),
        &[],
    );
    apply_ma_settings(chart, category, settings);
    chart.set_indicators(&settings.indicators_for(category));
    chart.set_log_y(settings.log_y);
    chart.set_chart_type(settings.chart_type(category));
    chart.set_scale_candles_only(settings.scale_candles_only);
    if same_ticker {
        // New bars arrived for the ticker on screen: keep where the user looks.
        chart.set_view(view);
    }
    *shown = Some((ticker.to_owned(), loaded.generation));
}

/// A failed drawing save (with Retry) and the note about drawings that could not be read
/// (dismissable).
fn drawing_notes_ui(ui: &mut egui::Ui, drawings: &mut DrawingSync) {
    if let Some(err) = drawings.error() {
        let mut retry = false;
        ui.horizontal(|ui| {
            ui.colored_label(egui::Color32::LIGHT_RED, err);
            retry = ui.small_button("Retry").clicked();
        });
        if retry {
            drawings.retry();
        }
    }
    if let Some(notice) = drawings.notice() {
        let mut dismiss = false;
        // Wrapped: the line names a few records and may be wider than the chart.
        ui.horizontal_wrapped(|ui| {
            dismiss = ui
                .small_button("Dismiss")
                .on_hover_text("Hide this note for this ticker")
                .clicked();
            let text = egui::RichText::new(&notice.summary).color(ui.visuals().warn_fg_color);
            ui.add(egui::Label::new(text).wrap())
                .on_hover_text(&notice.details);
        });
        if dismiss {
            drawings.dismiss_notice();
        }
    }
}

/// One chart of a viewer showing `ticker`: brings it up to date with the cache (first load,
/// or a reload after an update), keeps its drawings in the store, and draws it. Returns the
/// chart's response, or `None` while it is not drawn (loading, or an error said instead).
fn slot_ui(
    ui: &mut egui::Ui,
    chart: &mut CandleChart,
    shown: &mut Option<(String, u64)>,
    drawings: &mut DrawingSync,
    ticker: &str,
    env: &mut SlotEnv<'_>,
) -> Option<ChartResponse> {
    if let Some(store) = env.store
        && let Some(loaded) = env.cache.request(ticker, env.rt, ui.ctx(), store)
    {
        let fresh = shown
            .as_ref()
            .is_none_or(|(t, g)| *t != ticker || *g != loaded.generation);
        if fresh {
            show_loaded(chart, shown, ticker, loaded, (env.category, env.settings));
        }
    }

    if let Some(err) = env.cache.error(ticker) {
        ui.colored_label(
            egui::Color32::LIGHT_RED,
            format!("Could not load {ticker}: {err}"),
        );
        if ui.button("Retry").clicked() {
            env.cache.retry(ticker);
        }
        return None;
    }
    if shown.as_ref().is_none_or(|(t, _)| t != ticker) {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(format!("Loading {ticker}…"));
        });
        return None;
    }
    drawings.sync(chart, ticker, env.rt, ui.ctx(), env.store);
    drawing_notes_ui(ui, drawings);
    Some(chart.ui(ui))
}

/// The comparison view: mode and rebase-day row, the chart, and beside it the series list
/// (the chart's legend) with the "Add many" panel and the watchlists.
pub struct ComparisonViewer {
    /// The chart.
    pub chart: ComparisonChart,
    /// The series list beside the chart.
    pub list: SeriesList,
    /// Adding many series at once, and the watchlists.
    pub add_many: AddMany,
    /// The performance table (return, volatility, drawdown, correlation).
    pub perf: PerfTable,
    /// Whether the performance table is shown.
    pub perf_open: bool,
    /// Tickers in the chart, with the cache generation of each.
    shown: Vec<(String, u64)>,
    /// The mode must be chosen again once the chart's shared calendar is built (the series
    /// changed, or the view jumped to a preset range): Auto reads the visible ranges.
    mode_stale: bool,
    /// Text of the rebase-day box.
    anchor_text: String,
    anchor_error: Option<String>,
    /// The area the view had last frame (the central panel), in screen points.
    area: Option<egui::Rect>,
    /// Currency and rate generation of the series in the chart.
    shown_fx: FxKey,
    /// A conversion under way: for which set, currency and rate.
    fx_job: Option<FxJob>,
    /// Which rate series converted the chart, or why it could not be converted.
    fx_note: Option<(String, bool)>,
    /// The stored rates against the dollar (the Currency menu's choices); `None` until
    /// first read from the store.
    rate_list: Option<Vec<RateSource>>,
    /// A read of the stored currency tickers under way.
    rate_list_job: Option<Promise<Result<Vec<String>, String>>>,
    /// The Currency menu was opened: read the stored rates again.
    rates_wanted: bool,
    /// When the chart last took a partly loaded set (egui time, seconds).
    partial_sync_at: Option<f64>,
}

/// Room the comparison's *Series* and *Performance* toggles need at the end of the mode
/// row, in points.
const MODE_ROW_TOGGLES_WIDTH: f32 = 180.0;

/// How often a set still loading is shown as far as it has loaded.
const PARTIAL_SYNC_INTERVAL_S: f64 = 2.0;

/// The currency shown and the cache generation of the rate series used (if any).
type FxKey = (DisplayCurrency, Option<u64>);

/// A conversion under way: the loaded set, the currency key, and the converted series.
type FxJob = (Vec<(String, u64)>, FxKey, Promise<Vec<ChartSeries>>);

impl Default for ComparisonViewer {
    fn default() -> Self {
        let mut chart = ComparisonChart::new("comparison");
        // The view's own Mode row (with Auto) picks the mode.
        chart.set_mode_picker(false);
        Self {
            chart,
            list: SeriesList::default(),
            add_many: AddMany::default(),
            perf: PerfTable::default(),
            perf_open: false,
            shown: Vec::new(),
            mode_stale: false,
            anchor_text: String::new(),
            anchor_error: None,
            area: None,
            shown_fx: (DisplayCurrency::Native, None),
            fx_job: None,
            fx_note: None,
            rate_list: None,
            rate_list_job: None,
            rates_wanted: false,
            partial_sync_at: None,
        }
    }
}

/// The mode automatic choice picks for `ranges` (`(min, max)` of each series over the
/// visible days): dual axis for two series of similar relative range, rebased otherwise.
pub fn auto_compare_mode(ranges: &[(f64, f64)]) -> CompareMode {
    match ranges {
        [a, b] => {
            let rel = |(lo, hi): (f64, f64)| {
                if lo > 0.0 && hi >= lo {
                    (hi / lo).ln()
                } else {
                    f64::NAN
                }
            };
            let (ra, rb) = (rel(*a), rel(*b));
            if !(ra.is_finite() && rb.is_finite()) {
                return CompareMode::Rebased100;
            }
            let (small, large) = if ra < rb { (ra, rb) } else { (rb, ra) };
            // Two flat series are alike; otherwise compare how far each moved.
            if large <= f64::EPSILON || large <= small * DUAL_AXIS_MAX_RANGE_RATIO {
                CompareMode::DualAxis
            } else {
                CompareMode::Rebased100
            }
        }
        // One series, or three and more: normalised.
        _ => CompareMode::Rebased100,
    }
}

impl ComparisonViewer {
    /// Asks for the mode to be chosen again once the chart has its calendar (after the
    /// view jumped, e.g. to a range from the command line).
    pub fn refresh_mode(&mut self) {
        self.mode_stale = true;
    }

    /// Whether the mode still waits for the chart's calendar.
    pub fn is_mode_pending(&self) -> bool {
        self.mode_stale
    }

    /// Tickers currently in the chart.
    pub fn shown_tickers(&self) -> Vec<&str> {
        self.shown.iter().map(|(t, _)| t.as_str()).collect()
    }

    /// The mode in effect for `choice`.
    pub fn mode_for(&self, choice: CompareChoice) -> CompareMode {
        match choice {
            CompareChoice::Rebased100 => CompareMode::Rebased100,
            CompareChoice::PercentChange => CompareMode::PercentChange,
            CompareChoice::DualAxis => CompareMode::DualAxis,
            CompareChoice::Absolute => CompareMode::Absolute,
            CompareChoice::Auto => {
                // The visible range of each line, from the chart's own pyramids of the
                // aligned closes (in the order of `shown`).
                let ranges: Vec<(f64, f64)> = (0..self.shown.len())
                    .filter_map(|k| self.chart.visible_min_max(k))
                    .collect();
                auto_compare_mode(&ranges)
            }
        }
    }

    /// The area the view had last frame, in screen points.
    pub fn area(&self) -> Option<egui::Rect> {
        self.area
    }

    /// Which rate series converted the chart's prices, or why they could not be converted
    /// (`true`: an error, and the chart is not shown).
    pub fn currency_note(&self) -> Option<(&str, bool)> {
        self.fx_note.as_ref().map(|(m, e)| (m.as_str(), *e))
    }

    /// Whether a watchlist or a group of tickers is still being read from the store.
    pub fn is_adding(&self) -> bool {
        self.add_many.is_busy()
    }

    /// Whether a currency conversion, or the read of the stored rates, is under way.
    pub fn is_converting(&self) -> bool {
        self.fx_job.is_some() || self.rate_list_job.is_some()
    }

    /// Shows the view.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        settings: &mut Settings,
        cache: &mut SeriesCache,
        rt: &tokio::runtime::Handle,
        store: Option<&Store>,
    ) {
        self.area = Some(ui.max_rect());
        self.take_added(settings, rt, ui.ctx(), store);
        let waiting = self.load_and_sync(ui, settings, cache, rt, store);
        self.mode_row_ui(ui, settings, waiting);
        failed_loads_ui(ui, settings, cache);
        let fx_failed = match &self.fx_note {
            Some((msg, is_err)) => {
                let color = if *is_err {
                    egui::Color32::LIGHT_RED
                } else {
                    ui.visuals().weak_text_color()
                };
                ui.colored_label(color, msg);
                *is_err
            }
            None => false,
        };
        let keys: Vec<String> = self.shown.iter().map(|(t, _)| t.clone()).collect();
        self.list_panel_ui(ui, settings, rt, store, &keys);
        if self.perf_open && !keys.is_empty() {
            let currency = self.shown_fx.0.code().map(|c| c.to_string());
            self.perf.set_basis(currency, settings.total_return);
            self.perf.poll(&self.chart, &keys, ui.ctx());
            egui::Panel::bottom("comparison_performance")
                .resizable(true)
                .default_size(200.0)
                .min_size(90.0)
                .show(ui, |ui| self.perf.ui(ui, rt, &keys));
        }
        if settings.comparison.is_empty() {
            ui.centered_and_justified(|ui| {
                ui.label(
                    "Add series with the search box above (any tickers, from any category), \
                     or many at once in the series list's \"Add many\".",
                );
            });
            return;
        }
        if fx_failed {
            // No rate: no chart in a currency it could not be converted to.
            return;
        }
        self.chart.ui(ui);
    }

    /// Takes the tickers "Add many" finished reading: added to the set, or replacing it.
    fn take_added(
        &mut self,
        settings: &mut Settings,
        rt: &tokio::runtime::Handle,
        ctx: &egui::Context,
        store: Option<&Store>,
    ) {
        match self.add_many.poll(rt, ctx, store) {
            Some(AddOutcome::Add(tickers)) => {
                for t in tickers {
                    if !settings.comparison.contains(&t) {
                        settings.comparison.push(t);
                    }
                }
            }
            Some(AddOutcome::Replace(tickers)) => {
                // Another watchlist: a filter typed for the last one would hide its rows.
                settings.comparison = tickers;
                self.list.set_filter("");
            }
            None => {}
        }
    }

    /// Loads every ticker of the set and rebuilds the chart when the loaded set changes;
    /// applies the settings' scale and a pending mode. Returns how many loads are still
    /// under way.
    fn load_and_sync(
        &mut self,
        ui: &egui::Ui,
        settings: &Settings,
        cache: &mut SeriesCache,
        rt: &tokio::runtime::Handle,
        store: Option<&Store>,
    ) -> usize {
        let mut wanted: Vec<(String, u64)> = Vec::new();
        let mut waiting = 0;
        if let Some(store) = store {
            for t in &settings.comparison {
                if let Some(l) = cache.request(t, rt, ui.ctx(), store) {
                    wanted.push((t.clone(), l.generation));
                } else if cache.error(t).is_none() {
                    waiting += 1;
                }
            }
        }
        // The chart (its shared calendar and aligned lines: one pass over every series) is
        // rebuilt once the whole set has loaded, not at each series that lands: 500 series
        // arriving over many frames would otherwise rebuild it for every frame. A store so
        // slow that loads are still arriving shows what it has every two seconds.
        let now = ui.input(|i| i.time);
        let due = self
            .partial_sync_at
            .is_none_or(|at| now - at >= PARTIAL_SYNC_INTERVAL_S);
        let refresh_rates = std::mem::take(&mut self.rates_wanted);
        self.poll_rate_list(refresh_rates, rt, ui.ctx(), store);
        if waiting == 0 || due {
            self.partial_sync_at = (waiting > 0).then_some(now);
            self.sync_series(wanted, settings, cache, rt, ui.ctx(), store);
        }
        if self.chart.log_y() != settings.comparison_log_y {
            self.chart.set_log_y(settings.comparison_log_y);
        }
        self.chart.poll_jobs(ui.ctx());
        if self.mode_stale && !self.chart.is_loading() {
            let mode = self.mode_for(settings.compare_choice);
            self.chart.set_mode(mode);
            self.mode_stale = false;
        }
        if self.shown.is_empty() {
            self.mode_stale = false;
        }
        waiting
    }

    /// The collapsible series list on the right ("Add many" above it), and what was done
    /// in it applied.
    fn list_panel_ui(
        &mut self,
        ui: &mut egui::Ui,
        settings: &mut Settings,
        rt: &tokio::runtime::Handle,
        store: Option<&Store>,
        keys: &[String],
    ) {
        let mut actions = Vec::new();
        let mut list_open = settings.comparison_list_open;
        // The list starts at about a fifth of the view (220 to 250 points, room for the
        // ticker and its value): the plot keeps most of the width in a small window too.
        let list_width = (ui.available_width() * 0.2).clamp(220.0, 250.0);
        egui::Panel::right("comparison_series_list")
            .resizable(true)
            .default_size(list_width)
            .min_size(220.0)
            .show_collapsible(ui, &mut list_open, |ui| {
                egui::CollapsingHeader::new("Add many")
                    .id_salt("comparison_add_many")
                    .show(ui, |ui| {
                        self.add_many.ui(ui, rt, store, &settings.comparison);
                    });
                if let Some((msg, is_err)) = self.add_many.message() {
                    let color = if is_err {
                        egui::Color32::LIGHT_RED
                    } else {
                        egui::Color32::LIGHT_GREEN
                    };
                    ui.colored_label(color, msg);
                }
                ui.separator();
                actions = self.list.ui(ui, &mut self.chart, keys);
            });
        settings.comparison_list_open = list_open;
        for action in actions {
            self.apply(action, settings, keys);
        }
    }

    /// Reads the store's currency tickers (the rates the Currency menu offers) once, and
    /// again when `refresh` (the menu was opened); takes the answer when it is in.
    fn poll_rate_list(
        &mut self,
        refresh: bool,
        rt: &tokio::runtime::Handle,
        ctx: &egui::Context,
        store: Option<&Store>,
    ) {
        if let Some(promise) = self.rate_list_job.take() {
            match promise.try_take() {
                Ok(Ok(tickers)) => self.rate_list = Some(rate_sources(&tickers)),
                Ok(Err(e)) => {
                    tracing::warn!("the stored currency tickers could not be read: {e}");
                    // The won's rate is still tried by name.
                    self.rate_list.get_or_insert_with(Vec::new);
                }
                Err(promise) => self.rate_list_job = Some(promise),
            }
        }
        let Some(store) = store else {
            return;
        };
        if self.rate_list_job.is_none() && (self.rate_list.is_none() || refresh) {
            let store = store.clone();
            self.rate_list_job = Some(bg::spawn(rt, ctx, async move {
                let q = crate::store::TickerQuery {
                    category: Some(Category::Currency),
                    ..crate::store::TickerQuery::default()
                };
                let page = store.list_tickers(&q).await.map_err(|e| e.to_string())?;
                Ok(page
                    .items
                    .into_iter()
                    .map(|m| m.ticker.as_str().to_owned())
                    .collect())
            }));
        }
    }

    /// Shows `wanted` in their own currencies and says why they could not be converted
    /// (`note`); the chart is not drawn while the note is an error.
    fn show_unconverted(
        &mut self,
        wanted: Vec<(String, u64)>,
        key: FxKey,
        note: String,
        settings: &Settings,
        cache: &SeriesCache,
    ) {
        self.fx_note = Some((note, true));
        self.fx_job = None;
        if wanted != self.shown || self.shown_fx != key {
            let series = wanted
                .iter()
                .filter_map(|(t, _)| cache.get(t).map(|l| l.chart.clone()))
                .collect();
            self.show_series(series, wanted, key, settings);
        }
    }

    /// Brings the chart to the loaded set `wanted` in the currency of the settings: at
    /// once in their own currencies, or once the background conversion with the stored
    /// rates against the dollar (`KRW=X`, `JPY=X`, `EURUSD=X`, …) is done.
    fn sync_series(
        &mut self,
        wanted: Vec<(String, u64)>,
        settings: &Settings,
        cache: &mut SeriesCache,
        rt: &tokio::runtime::Handle,
        ctx: &egui::Context,
        store: Option<&Store>,
    ) {
        let target = settings.comparison_currency;
        // Named in the notes, which only a conversion (a target currency) writes.
        let code = target.code().map_or_else(String::new, |c| c.to_string());
        let mut key: FxKey = (target, None);
        let needed = {
            let metas: Vec<&crate::model::TickerMeta> = wanted
                .iter()
                .filter_map(|(t, _)| cache.get(t).map(|l| &l.meta))
                .collect();
            if matches!(target, DisplayCurrency::Other(_)) && self.rate_list.is_none() {
                return; // which rates are stored is being read
            }
            needed_rates(target, &metas, self.rate_list.as_deref().unwrap_or(&[]))
        };
        let needed = match needed {
            Ok(needed) => needed,
            Err(code) => {
                let note = format!(
                    "Cannot show every series in {code}: no stored rate of {code} against the \
                     dollar ({code}=X, USD{code}=X or {code}USD=X). Add one under Currencies \
                     and update it."
                );
                self.show_unconverted(wanted, key, note, settings, cache);
                return;
            }
        };
        let convert = !needed.is_empty();
        if convert {
            match rate_generation(&needed, cache, rt, ctx, store) {
                Err((ticker, err)) => {
                    let note = format!(
                        "Cannot show every series in {code}: no {ticker} rate series ({err}). \
                         Add {ticker} under Currencies and update it."
                    );
                    self.show_unconverted(wanted, key, note, settings, cache);
                    return;
                }
                Ok(None) => return, // a rate is loading
                Ok(Some(generation)) => key.1 = Some(generation),
            }
        } else {
            self.fx_note = None;
        }
        if wanted == self.shown && key == self.shown_fx {
            return;
        }
        if !convert {
            let series = wanted
                .iter()
                .filter_map(|(t, _)| cache.get(t).map(|l| l.chart.clone()))
                .collect();
            self.fx_job = None;
            self.fx_note = None;
            self.show_series(series, wanted, key, settings);
            return;
        }
        self.convert(wanted, key, &needed, settings, cache, (rt, ctx));
    }

    /// Converts the loaded set `wanted` to the currency of `key` with the `needed` rates in
    /// the background (started once per set and rates), and shows it when done; the chart
    /// keeps what it shows until then.
    fn convert(
        &mut self,
        wanted: Vec<(String, u64)>,
        key: FxKey,
        needed: &[RateSource],
        settings: &Settings,
        cache: &SeriesCache,
        (rt, ctx): (&tokio::runtime::Handle, &egui::Context),
    ) {
        let target = key.0;
        let code = target.code().map_or_else(String::new, |c| c.to_string());
        let job_is_current = self
            .fx_job
            .as_ref()
            .is_some_and(|(w, k, _)| *w == wanted && *k == key);
        if !job_is_current {
            let inputs: Vec<(ChartSeries, crate::model::TickerMeta)> = wanted
                .iter()
                .filter_map(|(t, _)| cache.get(t).map(|l| (l.chart.clone(), l.meta.clone())))
                .collect();
            let rates: Vec<(RateSource, ChartSeries)> = needed
                .iter()
                .filter_map(|r| cache.get(&r.ticker).map(|l| (r.clone(), l.chart.clone())))
                .collect();
            let promise = bg::spawn(rt, ctx, async move {
                tokio::task::spawn_blocking(move || {
                    inputs
                        .iter()
                        .map(|(s, m)| convert_series(s, m, target, &rates))
                        .collect::<Vec<ChartSeries>>()
                })
                .await
                .unwrap_or_default()
            });
            self.fx_job = Some((wanted.clone(), key, promise));
        }
        if let Some((w, k, promise)) = self.fx_job.take() {
            match promise.try_take() {
                Ok(series) => {
                    self.fx_note = Some((
                        format!(
                            "Prices in {code}: series in other currencies converted with {} \
                             (daily close; the latest earlier rate on days without one)",
                            describe_rates(needed)
                        ),
                        false,
                    ));
                    self.show_series(series, w, k, settings);
                }
                Err(promise) => self.fx_job = Some((w, k, promise)),
            }
        }
    }

    fn show_series(
        &mut self,
        series: Vec<ChartSeries>,
        wanted: Vec<(String, u64)>,
        key: FxKey,
        settings: &Settings,
    ) {
        let count_changed = wanted.len() != self.shown.len();
        self.chart.set_series(series);
        for (k, (t, _)) in wanted.iter().enumerate() {
            self.chart
                .set_visible(k, !settings.comparison_hidden.contains(t));
        }
        self.shown = wanted;
        self.shown_fx = key;
        if count_changed {
            // The shared calendar of the new set is built in the background: until it
            // arrives the chart's view and calendar are the old set's, so the automatic
            // choice waits for it (choosing now picked "rebased" for two alike series
            // opened together, whose calendar did not exist yet).
            self.mode_stale = true;
        }
    }

    fn apply(&mut self, action: ListAction, settings: &mut Settings, keys: &[String]) {
        let set_hidden = |t: &str, hidden: bool, settings: &mut Settings| {
            settings.comparison_hidden.retain(|h| h != t);
            if hidden {
                settings.comparison_hidden.push(t.to_owned());
            }
        };
        match action {
            ListAction::Remove(tickers) => {
                settings.comparison.retain(|t| !tickers.contains(t));
                settings.comparison_hidden.retain(|t| !tickers.contains(t));
            }
            ListAction::SetVisible(t, visible) => {
                set_hidden(&t, !visible, settings);
                if let Some(k) = keys.iter().position(|x| *x == t) {
                    self.chart.set_visible(k, visible);
                }
            }
            ListAction::Solo(t) => {
                let only = keys
                    .iter()
                    .enumerate()
                    .all(|(k, x)| self.chart.is_visible(k) == (*x == t));
                for (k, x) in keys.iter().enumerate() {
                    let visible = only || *x == t;
                    set_hidden(x, !visible, settings);
                    self.chart.set_visible(k, visible);
                }
            }
            ListAction::ShowAll => {
                settings.comparison_hidden.clear();
                for k in 0..keys.len() {
                    self.chart.set_visible(k, true);
                }
            }
        }
    }

    fn mode_row_ui(&mut self, ui: &mut egui::Ui, settings: &mut Settings, waiting: usize) {
        ui.horizontal_wrapped(|ui| {
            // Labels move to the next line whole rather than breaking mid-phrase
            // ("Rebase on: first / visible day") when the row wraps.
            ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Extend);
            ui.label("Mode:");
            for choice in CompareChoice::ALL {
                if ui
                    .selectable_label(settings.compare_choice == choice, choice.label())
                    .clicked()
                {
                    settings.compare_choice = choice;
                    let mode = self.mode_for(choice);
                    self.chart.set_mode(mode);
                }
            }
            if settings.compare_choice == CompareChoice::Auto {
                ui.weak(format!("({})", self.chart.effective_mode().label()))
                    .on_hover_text("What Auto shows for these series");
            }
            ui.separator();
            self.currency_ui(ui, settings);
            total_return_ui(ui, settings, None);
            let mut log_y = settings.comparison_log_y;
            if ui
                .checkbox(&mut log_y, "Log scale")
                .on_hover_text("Logarithmic y axis (not in dual-axis mode)")
                .changed()
            {
                settings.comparison_log_y = log_y;
                self.chart.set_log_y(log_y);
            }
            if matches!(
                self.chart.effective_mode(),
                CompareMode::Rebased100 | CompareMode::PercentChange
            ) {
                ui.separator();
                self.anchor_ui(ui);
            }
            if waiting > 0 {
                ui.spinner();
                ui.weak(format!("loading {waiting}"));
            }
            // The right-aligned toggles go to a row of their own when this one is too full
            // for them (a right-to-left layout in a wrapped row would draw over its items).
            if ui.available_size_before_wrap().x < MODE_ROW_TOGGLES_WIDTH {
                ui.end_row();
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                ui.toggle_value(&mut self.perf_open, "Performance")
                    .on_hover_text("Return, volatility, drawdown and correlation of each series");
                let label = if settings.comparison_list_open {
                    "Series ▶"
                } else {
                    "◀ Series"
                };
                if ui
                    .button(label)
                    .on_hover_text("Show or hide the series list")
                    .clicked()
                {
                    settings.comparison_list_open = !settings.comparison_list_open;
                }
            });
        });
    }

    /// The currency menu: each series in its own, the dollar, the won, and every currency
    /// with a stored rate.
    fn currency_ui(&mut self, ui: &mut egui::Ui, settings: &mut Settings) {
        let mut currency = settings.comparison_currency;
        let mut choices: Vec<DisplayCurrency> = DisplayCurrency::ALL.to_vec();
        for rate in self.rate_list.iter().flatten() {
            let choice = DisplayCurrency::of(rate.currency);
            if !choices.contains(&choice) {
                choices.push(choice);
            }
        }
        if !choices.contains(&currency) {
            choices.push(currency);
        }
        let menu = egui::ComboBox::from_label("Currency")
            .selected_text(currency.label())
            .show_ui(ui, |ui| {
                for c in choices {
                    ui.selectable_value(&mut currency, c, c.label());
                }
            });
        // Opening the menu reads the stored rates again (one may have been added).
        self.rates_wanted |= menu.response.clicked();
        settings.comparison_currency = currency;
    }

    /// The rebase day: the first visible day, or a fixed day typed or picked on the chart.
    fn anchor_ui(&mut self, ui: &mut egui::Ui) {
        ui.label("Rebase on:");
        match self.chart.anchor() {
            Some(day) => {
                ui.strong(day.format("%Y-%m-%d").to_string());
                if ui
                    .small_button("First visible day")
                    .on_hover_text("Rebase on the first visible day again")
                    .clicked()
                {
                    self.chart.set_anchor(None);
                }
            }
            None => {
                ui.weak("first visible day");
            }
        }
        let edit = ui.add(
            egui::TextEdit::singleline(&mut self.anchor_text)
                .hint_text("Rebase day YYYY-MM-DD")
                .desired_width(110.0),
        );
        let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui.small_button("Set").clicked() || enter {
            match chrono::NaiveDate::parse_from_str(self.anchor_text.trim(), "%Y-%m-%d") {
                Ok(day) => {
                    self.chart.set_anchor(Some(day));
                    self.anchor_error = None;
                }
                Err(_) => {
                    self.anchor_error = Some(format!(
                        "'{}' is not a date (YYYY-MM-DD)",
                        self.anchor_text.trim()
                    ));
                }
            }
        }
        let picking = self.chart.is_picking_anchor();
        if ui
            .selectable_label(picking, "Pick on chart")
            .on_hover_text("Click a day on the chart to rebase on it")
            .clicked()
        {
            if picking {
                self.chart.set_anchor(self.chart.anchor());
            } else {
                self.chart.pick_anchor();
            }
        }
        if let Some(e) = &self.anchor_error {
            ui.colored_label(egui::Color32::LIGHT_RED, e);
        }
    }
}

/// Asks for the `needed` rate series; returns the sum of their generations once all are
/// loaded (it changes whenever any rate reloads), `None` while one is loading, or the first
/// that failed with its error.
fn rate_generation(
    needed: &[RateSource],
    cache: &mut SeriesCache,
    rt: &tokio::runtime::Handle,
    ctx: &egui::Context,
    store: Option<&Store>,
) -> Result<Option<u64>, (String, String)> {
    if let Some(store) = store {
        for rate in needed {
            cache.request(&rate.ticker, rt, ctx, store);
        }
    }
    if let Some(failed) = needed.iter().find_map(|r| {
        cache
            .error(&r.ticker)
            .map(|e| (r.ticker.clone(), e.to_owned()))
    }) {
        return Err(failed);
    }
    // Generations only grow, so their sum changes whenever any rate reloads.
    let mut generation = 0u64;
    for rate in needed {
        let Some(loaded) = cache.get(&rate.ticker) else {
            return Ok(None);
        };
        generation = generation.wrapping_add(loaded.generation);
    }
    Ok(Some(generation))
}
/// The tickers of the set that could not be loaded (each error on hover), and a button to
/// remove them.
fn failed_loads_ui(ui: &mut egui::Ui, settings: &mut Settings, cache: &SeriesCache) {
    let failed: Vec<(String, String)> = settings
        .comparison
        .iter()
        .filter_map(|t| cache.error(t).map(|e| (t.clone(), e.to_owned())))
        .collect();
    if failed.is_empty() {
        return;
    }
    ui.horizontal_wrapped(|ui| {
        ui.colored_label(egui::Color32::LIGHT_RED, "Not loaded:");
        for (t, e) in &failed {
            ui.colored_label(egui::Color32::LIGHT_RED, t)
                .on_hover_text(e);
        }
        if ui.small_button("Remove them").clicked() {
            settings
                .comparison
                .retain(|t| !failed.iter().any(|(f, _)| f == t));
        }
    });
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_mode_rules() {
        // Two series that moved alike: dual axis, whatever their price levels.
        assert_eq!(
            auto_compare_mode(&[(1200.0, 1400.0), (50_000.0, 60_000.0)]),
            CompareMode::DualAxis
        );
        // One moved 10x more (in log terms): normalised.
        assert_eq!(
            auto_compare_mode(&[(100.0, 101.0), (100.0, 200.0)]),
            CompareMode::Rebased100
        );
        assert_eq!(
            auto_compare_mode(&[(1.0, 2.0), (1.0, 2.0), (1.0, 2.0)]),
            CompareMode::Rebased100
        );
        assert_eq!(
            auto_compare_mode(&[(5.0, 5.0), (7.0, 7.0)]),
            CompareMode::DualAxis
        );
        assert_eq!(
            auto_compare_mode(&[(0.0, 5.0), (7.0, 9.0)]),
            CompareMode::Rebased100
        );
    }
}

//! The viewers: one per category (a candlestick chart of one ticker with its moving averages)
//! and the comparison view (any number of tickers from any categories).

use super::chart::{CandleChart, CompareMode, ComparisonChart};
use super::drawing_sync::DrawingSync;
use super::layout::{LayoutSettings, link_charts};
use super::series_cache::SeriesCache;
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
    /// Charts 2 to 4 of a multi-chart layout.
    extra: Vec<ExtraChart>,
}

/// A chart of a layout after the first, with its own ticker.
struct ExtraChart {
    chart: CandleChart,
    shown: Option<(String, u64)>,
    drawings: DrawingSync,
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
            extra: (1..4)
                .map(|slot| ExtraChart {
                    chart: CandleChart::new(("viewer", category.short_name(), slot)),
                    shown: None,
                    drawings: DrawingSync::default(),
                })
                .collect(),
        }
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
        match slot {
            0 => Some(&mut self.chart),
            k => self.extra.get_mut(k - 1).map(|e| &mut e.chart),
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
        let mut layout = layout_of(settings, category);
        let layout_before = layout.clone();
        layout.bar_ui(ui);
        if category == Category::Index {
            self.ma_set_ui(ui, settings);
        }
        let selected = settings.selected.get(key).cloned();
        let count = layout.layout.count();
        if count == 1 {
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
                    slot_ui(
                        ui,
                        &mut self.chart,
                        &mut self.shown,
                        &mut self.drawings,
                        ticker,
                        &mut env,
                    );
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
        for (slot, rect) in cells.iter().enumerate() {
            if clicked_at.is_some_and(|p| rect.contains(p)) {
                layout.active = slot;
            }
            let ticker = if slot == 0 {
                first.map(str::to_owned)
            } else {
                layout.ticker(slot).map(str::to_owned)
            };
            let active = layout.active == slot;
            let mut child = ui.new_child(
                egui::UiBuilder::new()
                    .max_rect(*rect)
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
                .rect_stroke(*rect, 2.0, stroke, egui::StrokeKind::Outside);
            let name = ticker.clone().unwrap_or_else(|| "empty".to_owned());
            let header = child
                .selectable_label(active, format!("Chart {}: {name}", slot + 1))
                .on_hover_text("The active chart takes the keyboard and the search box's pick");
            if header.clicked() {
                layout.active = slot;
            }
            let Some(ticker) = ticker else {
                child.centered_and_justified(|ui| {
                    ui.label(
                        "Click this chart, then search above to pick its ticker (any category).",
                    );
                });
                continue;
            };
            let (chart, shown, sync) = match slot {
                0 => (&mut self.chart, &mut self.shown, &mut self.drawings),
                k => {
                    let Some(e) = self.extra.get_mut(k - 1) else {
                        continue;
                    };
                    (&mut e.chart, &mut e.shown, &mut e.drawings)
                }
            };
            chart.link_mut().keyboard = active;
            let before = shown.clone();
            slot_ui(&mut child, chart, shown, sync, &ticker, &mut env);
            joined |= *shown != before;
        }
        ui.advance_cursor_after_rect(area);
        let count = layout.layout.count();
        if joined && layout.link_range {
            // A chart that just loaded takes the dates of the active chart (or the first).
            let lead = self
                .chart_at(layout.active)
                .filter(|c| c.series().is_some())
                .map_or(0, |_| layout.active);
            if let Some(c) = self.chart_at_mut(lead) {
                c.link_mut().view_moved = true;
            }
        }
        let (first_chart, rest) = (&mut self.chart, &mut self.extra);
        let mut charts: Vec<&mut CandleChart> = std::iter::once(first_chart)
            .chain(rest.iter_mut().map(|e| &mut e.chart))
            .take(count)
            .filter(|c| c.series().is_some())
            .collect();
        if link_charts(&mut charts, layout) {
            ui.ctx().request_repaint();
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

/// One chart of a viewer showing `ticker`: brings it up to date with the cache (first load,
/// or a reload after an update), keeps its drawings in the store, and draws it.
fn slot_ui(
    ui: &mut egui::Ui,
    chart: &mut CandleChart,
    shown: &mut Option<(String, u64)>,
    drawings: &mut DrawingSync,
    ticker: &str,
    env: &mut SlotEnv<'_>,
) {
    if let Some(store) = env.store
        && let Some(loaded) = env.cache.request(ticker, env.rt, ui.ctx(), store)
    {
        let fresh = shown
            .as_ref()
            .is_none_or(|(t, g)| *t != ticker || *g != loaded.generation);
        if fresh {
            let same_ticker = shown.as_ref().is_some_and(|(t, _)| t == ticker);
            let mut view = chart.view();
            let old_len = chart.series().map_or(0, |s| s.series.len());
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
                CandleColors::for_category(env.category),
                &[],
            );
            apply_ma_settings(chart, env.category, env.settings);
            chart.set_indicators(&env.settings.indicators_for(env.category));
            chart.set_log_y(env.settings.log_y);
            if same_ticker {
                // New bars arrived for the ticker on screen: keep where the user looks.
                chart.set_view(view);
            }
            *shown = Some((ticker.to_owned(), loaded.generation));
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
        return;
    }
    if shown.as_ref().is_none_or(|(t, _)| t != ticker) {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(format!("Loading {ticker}…"));
        });
        return;
    }
    drawings.sync(chart, ticker, env.rt, ui.ctx(), env.store);
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
    chart.ui(ui);
}

/// The comparison view.
pub struct ComparisonViewer {
    /// The chart.
    pub chart: ComparisonChart,
    /// Tickers in the chart, with the cache generation of each.
    shown: Vec<(String, u64)>,
    /// The mode must be chosen again once the chart's shared calendar is built (the series
    /// changed, or the view jumped to a preset range): Auto reads the visible ranges.
    mode_stale: bool,
}

impl Default for ComparisonViewer {
    fn default() -> Self {
        let mut chart = ComparisonChart::new("comparison");
        // The view's own Mode row (with Auto) picks the mode.
        chart.set_mode_picker(false);
        Self {
            chart,
            shown: Vec::new(),
            mode_stale: false,
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
    pub fn mode_for(&self, choice: CompareChoice, cache: &SeriesCache) -> CompareMode {
        match choice {
            CompareChoice::Rebased100 => CompareMode::Rebased100,
            CompareChoice::PercentChange => CompareMode::PercentChange,
            CompareChoice::DualAxis => CompareMode::DualAxis,
            CompareChoice::Absolute => CompareMode::Absolute,
            CompareChoice::Auto => {
                let view = self.chart.view();
                let ranges: Vec<(f64, f64)> = self
                    .shown
                    .iter()
                    .filter_map(|(t, _)| {
                        let s = &cache.get(t)?.chart;
                        let days = self.chart.calendar()?;
                        // The chart's view is in shared-calendar indices: map to this series.
                        let range = view.bar_range(days.len());
                        let from = *days.get(range.start)?;
                        let to = *days.get(range.end.checked_sub(1)?)?;
                        let r = s.series.range_of(from, to);
                        s.close.pyramid().min_max(r)
                    })
                    .collect();
                auto_compare_mode(&ranges)
            }
        }
    }

    /// Shows the view. Returns the index of a ticker the user removed, if any.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        settings: &mut Settings,
        cache: &mut SeriesCache,
        rt: &tokio::runtime::Handle,
        store: Option<&Store>,
    ) {
        // Load every ticker of the set and rebuild the chart when the loaded set changes.
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
        if wanted != self.shown {
            let series = wanted
                .iter()
                .filter_map(|(t, _)| cache.get(t).map(|l| l.chart.clone()))
                .collect();
            let count_changed = wanted.len() != self.shown.len();
            self.chart.set_series(series);
            self.shown = wanted;
            if count_changed {
                // The shared calendar of the new set is built in the background: until it
                // arrives the chart's view and calendar are the old set's, so the automatic
                // choice waits for it (choosing now picked "rebased" for two alike series
                // opened together, whose calendar did not exist yet).
                self.mode_stale = true;
            }
        }
        if self.mode_stale && !self.chart.is_loading() {
            let mode = self.mode_for(settings.compare_choice, cache);
            self.chart.set_mode(mode);
            self.mode_stale = false;
        }
        if self.shown.is_empty() {
            self.mode_stale = false;
        }

        ui.horizontal_wrapped(|ui| {
            ui.label("Mode:");
            for choice in CompareChoice::ALL {
                if ui
                    .selectable_label(settings.compare_choice == choice, choice.label())
                    .clicked()
                {
                    settings.compare_choice = choice;
                    let mode = self.mode_for(choice, cache);
                    self.chart.set_mode(mode);
                }
            }
            if settings.compare_choice == CompareChoice::Auto {
                ui.weak(format!("→ {}", self.chart.effective_mode().label()));
            }
        });
        let mut remove = None;
        ui.horizontal_wrapped(|ui| {
            ui.label("Series:");
            for (i, t) in settings.comparison.iter().enumerate() {
                let label = cache
                    .get(t)
                    .map_or_else(|| t.clone(), |l| l.chart.name.clone());
                ui.group(|ui| {
                    ui.label(&label);
                    if let Some(err) = cache.error(t) {
                        // A word: egui's bundled fonts have no "⚠" glyph.
                        ui.colored_label(egui::Color32::LIGHT_RED, "not loaded")
                            .on_hover_text(err);
                    }
                    let remove_button = ui.small_button("✖");
                    // Screen readers (and UI tests) need to know which series it removes.
                    remove_button.widget_info(|| {
                        egui::WidgetInfo::labeled(
                            egui::accesskit::Role::Button,
                            true,
                            format!("Remove {t}"),
                        )
                    });
                    if remove_button
                        .on_hover_text(format!("Remove {t} from the comparison"))
                        .clicked()
                    {
                        remove = Some(i);
                    }
                });
            }
            if waiting > 0 {
                ui.spinner();
            }
        });
        if let Some(i) = remove {
            settings.comparison.remove(i);
        }
        if settings.comparison.is_empty() {
            ui.centered_and_justified(|ui| {
                ui.label("Add series with the search box above: any tickers, from any category.");
            });
            return;
        }
        self.chart.ui(ui);
    }
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

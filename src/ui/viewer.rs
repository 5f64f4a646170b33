//! The viewers: one per category (a candlestick chart of one ticker with its moving averages)
//! and the comparison view (any number of tickers from any categories).

use super::chart::{CandleChart, CompareMode, ComparisonChart};
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
    /// The chart.
    pub chart: CandleChart,
    /// The ticker the chart shows (whose data is in it), and the cache generation it came from.
    shown: Option<(String, u64)>,
}

impl CategoryViewer {
    /// An empty viewer of `category`.
    pub fn new(category: Category) -> Self {
        Self {
            category,
            chart: CandleChart::new(("viewer", category.short_name())),
            shown: None,
        }
    }

    /// The ticker whose data the chart shows.
    pub fn shown_ticker(&self) -> Option<&str> {
        self.shown.as_ref().map(|(t, _)| t.as_str())
    }

    /// Gives the chart every moving average offered in this category, each on or off as
    /// the settings say (the chart's toolbar switches them; see [`Self::sync_settings`]).
    fn apply_ma_settings(&mut self, settings: &Settings) {
        let offered = settings.ma_windows(self.category);
        let windows: Vec<usize> = offered.iter().map(|(w, _)| *w).collect();
        self.chart.set_ma_windows(&windows);
        for (w, on) in offered {
            self.chart.set_ma_enabled(w, on);
        }
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

    /// Shows the viewer for `ticker` (the one selected in the settings).
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        settings: &mut Settings,
        cache: &mut SeriesCache,
        rt: &tokio::runtime::Handle,
        store: Option<&Store>,
    ) {
        let category = self.category;
        let selected = settings.selected.get(category.storage_name()).cloned();
        let Some(ticker) = selected else {
            ui.centered_and_justified(|ui| {
                ui.label(format!(
                    "No {} yet. Search above, or add one in the side panel's Tickers tab and \
                     run its updater.",
                    category.label().to_lowercase()
                ));
            });
            return;
        };

        // Bring the chart up to date with the cache (first load, or a reload after an update).
        if let Some(store) = store
            && let Some(loaded) = cache.request(&ticker, rt, ui.ctx(), store)
        {
            let fresh = self
                .shown
                .as_ref()
                .is_none_or(|(t, g)| *t != ticker || *g != loaded.generation);
            if fresh {
                let same_ticker = self.shown_ticker() == Some(ticker.as_str());
                let mut view = self.chart.view();
                let old_len = self.chart.series().map_or(0, |s| s.series.len());
                let new_len = loaded.chart.series.len();
                // A view that ended on the last bar follows the new bars in (a trader
                // watching the latest days sees the update land); any other view stays.
                if same_ticker && new_len > old_len && view.end >= old_len as f64 - 0.5 - 1e-6 {
                    let shift = (new_len - old_len) as f64;
                    view.start += shift;
                    view.end += shift;
                }
                self.chart.set_series(
                    loaded.chart.clone(),
                    CandleColors::for_category(category),
                    &[],
                );
                self.apply_ma_settings(settings);
                self.chart
                    .set_indicators(&settings.indicators_for(category));
                self.chart.set_log_y(settings.log_y);
                if same_ticker {
                    // New bars arrived for the ticker on screen: keep where the user looks.
                    self.chart.set_view(view);
                }
                self.shown = Some((ticker.clone(), loaded.generation));
            }
        }

        if category == Category::Index {
            self.ma_set_ui(ui, settings);
        }

        if let Some(err) = cache.error(&ticker) {
            ui.colored_label(
                egui::Color32::LIGHT_RED,
                format!("Could not load {ticker}: {err}"),
            );
            if ui.button("Retry").clicked() {
                cache.retry(&ticker);
            }
            return;
        }
        if self.shown_ticker() != Some(ticker.as_str()) {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(format!("Loading {ticker}…"));
            });
            return;
        }
        self.chart.ui(ui);
        self.sync_settings(settings);
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
            self.apply_ma_settings(settings);
        }
    }
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

//! The candlestick chart: candles, moving averages and indicator overlays in the price pane,
//! volume below, then any indicator panes ([`super::panes`]), range buttons and the indicator
//! editor above and a range slider over the whole history below.

use std::sync::Arc;

use egui::{Color32, Sense, Vec2b};
use egui_plot::{HPlacement, Plot};

use super::chart_type::ChartType;
use super::context_menu::{ContextMenu, MenuAction};
use super::drawings::{DrawingLayer, Geometry};
use super::jobs::Jobs;
use super::keys::{self, ChartKey};
use super::panes::{ChartIndicator, HANDLE_HEIGHT, IndicatorSet, PANE_MIN_HEIGHT};
use super::price_scale::PriceScale;
use super::time_axis::{RangePreset, XView, bar_at, calendar_marks, date_label_among};
use super::{ChartSeries, ZOOM_PER_NOTCH, format_price, format_volume, padded_y, wheel_notches};
use crate::compute::Interval;
use crate::compute::indicators::Indicator;
use crate::compute::lod::LinePyramid;
use crate::render::{DrawCmd, GpuLine};
use crate::theme::{self, CandleColors};

mod frame;
mod pane_ui;

/// A moving-average overlay of the chart.
#[derive(Clone, Debug)]
pub struct MaOverlay {
    /// Window in trading days.
    pub window: usize,
    /// Whether it is drawn.
    pub enabled: bool,
    /// Line colour (from the theme's MA palette).
    pub color: Color32,
    values: Option<Arc<Vec<f64>>>,
    line: Option<Arc<GpuLine>>,
    requested: bool,
}

impl MaOverlay {
    /// Legend name, e.g. `MA20`.
    pub fn name(&self) -> String {
        format!("MA{}", self.window)
    }

    /// Whether its values have been computed.
    pub fn is_ready(&self) -> bool {
        self.line.is_some()
    }

    /// The computed values (NaN until the window is full), once ready.
    pub fn values(&self) -> Option<&[f64]> {
        self.values.as_deref().map(Vec::as_slice)
    }
}

/// A ready overlay as drawn this frame: name, colour, GPU line, values (for the tooltip).
type OverlayItem = (String, Color32, Arc<GpuLine>, Arc<Vec<f64>>);

struct MaResult {
    window: usize,
    values: Arc<Vec<f64>>,
    line: Arc<GpuLine>,
}

/// Width reserved for the right-hand price axis, so both panes line up.
const Y_AXIS_WIDTH: f32 = 72.0;
/// Vertical padding of the fitted price range, as a fraction of the span.
const Y_PADDING: f64 = 0.06;

/// A candlestick chart of one series.
pub struct CandleChart {
    id: egui::Id,
    data: Option<ChartSeries>,
    colors: CandleColors,
    overlays: Vec<MaOverlay>,
    view: XView,
    log_y: bool,
    y_plot: Option<(f64, f64)>,
    volume_top: Option<f64>,
    jobs: Jobs<Vec<MaResult>>,
    primitives: u64,
    /// The range preset last applied; its button is the highlighted one while the view
    /// is still that preset's.
    range: Option<RangePreset>,
    drawings: DrawingLayer,
    link: super::link::LinkState,
    /// The price pane's transform as last drawn.
    price_transform: Option<egui_plot::PlotTransform>,
    indicators: IndicatorSet,
    hovered: Option<usize>,
    tooltip_lines: Vec<TooltipLine>,
    /// The bar interval, and the daily series the shown bars are made of.
    interval: Interval,
    daily: Option<ChartSeries>,
    /// Whether the series has volume (else no volume pane).
    has_volume: bool,
    /// The price axis width every pane uses: the widest labels of the last frame.
    axis_width: f32,
    legend_folded: bool,
    volume_legend_folded: bool,
    pane_rects: Vec<(String, egui::Rect)>,
    legend_texts: Vec<String>,
    /// The toolbars (range, log, averages, indicators; drawing tools) are drawn by the
    /// viewer above a multi-chart layout, for the active chart only ([`Self::toolbar_ui`]).
    toolbar_outside: bool,
    /// Where the legends were and which bar they showed (last frame).
    legend_areas: Vec<egui::Rect>,
    legend_bar_shown: Option<usize>,
    chart_type: ChartType,
    price_scale: PriceScale,
    context_menu: ContextMenu,
}

impl CandleChart {
    /// An empty chart; `id_salt` must be unique among charts shown at once.
    pub fn new(id_salt: impl std::hash::Hash + std::fmt::Debug) -> Self {
        Self {
            id: egui::Id::unique(("wickview_candle_chart", id_salt)),
            data: None,
            colors: CandleColors::WESTERN,
            overlays: Vec::new(),
            view: XView::full(0),
            log_y: false,
            y_plot: None,
            volume_top: None,
            jobs: Jobs::new(),
            primitives: 0,
            range: None,
            drawings: DrawingLayer::default(),
            link: super::link::LinkState::default(),
            price_transform: None,
            indicators: IndicatorSet::new(),
            hovered: None,
            tooltip_lines: Vec::new(),
            interval: Interval::Daily,
            daily: None,
            has_volume: false,
            axis_width: Y_AXIS_WIDTH,
            legend_folded: false,
            volume_legend_folded: false,
            pane_rects: Vec::new(),
            legend_texts: Vec::new(),
            toolbar_outside: false,
            legend_areas: Vec::new(),
            legend_bar_shown: None,
            chart_type: ChartType::default(),
            price_scale: PriceScale::default(),
            context_menu: ContextMenu::default(),
        }
    }

    /// Whether the chart leaves its toolbars to the viewer (a multi-chart layout draws one
    /// set, the active chart's, above the grid) instead of drawing them itself.
    pub fn set_toolbar_outside(&mut self, outside: bool) {
        self.toolbar_outside = outside;
    }

    /// Shows `series` (daily bars) with the given candle colours and moving averages (each
    /// enabled), at the chart's interval, opening on its default range (the last month of
    /// daily bars). The averages are computed in the background.
    pub fn set_series(&mut self, series: ChartSeries, colors: CandleColors, ma_windows: &[usize]) {
        self.daily = Some(series.clone());
        let series = super::interval::shown_series(&series, self.interval);
        let range = super::interval::interval_default_range(self.interval);
        self.view = range.view(series.series.days());
        self.range = Some(range);
        self.drawings.set_price_format(series.price_format);
        self.indicators.set_series(Arc::clone(&series.series));
        self.hovered = None;
        self.has_volume = series
            .series
            .volume()
            .iter()
            .any(|v| v.is_finite() && *v != 0.0);
        if self.data.as_ref().is_none_or(|d| d.name != series.name) {
            // Another series: its prices have another scale.
            self.price_scale.set_auto();
        }
        self.data = Some(series);
        self.colors = colors;
        self.indicators.set_colors(colors);
        self.jobs.new_generation();
        self.overlays.clear();
        self.set_ma_windows(ma_windows);
        self.update_y();
    }

    /// The series shown (the bars of the chart's interval).
    pub fn series(&self) -> Option<&ChartSeries> {
        self.data.as_ref()
    }

    /// The daily series given to [`Self::set_series`].
    pub fn daily_series(&self) -> Option<&ChartSeries> {
        self.daily.as_ref()
    }

    /// The bar interval: daily, weekly or monthly.
    pub fn interval(&self) -> Interval {
        self.interval
    }

    /// Shows bars of `interval`, made from the daily series; moving averages and indicators
    /// are computed again on them. A range button's range stays (the default range of the
    /// old interval becomes the new one's), any other view keeps its dates. Returns whether
    /// the view moved (the interval changed on a shown series): linked charts then follow.
    pub fn set_interval(&mut self, interval: Interval) -> bool {
        if interval == self.interval {
            return false;
        }
        let active = self.active_range();
        let visible = self.data.as_ref().and_then(|d| {
            super::interval::covered_days(d.series.days(), self.view.bar_range(d.len()))
        });
        let old_default = super::interval::interval_default_range(self.interval);
        self.interval = interval;
        let Some(daily) = &self.daily else {
            return false;
        };
        let shown = super::interval::shown_series(daily, interval);
        self.indicators.set_series(Arc::clone(&shown.series));
        self.jobs.new_generation();
        for o in &mut self.overlays {
            o.values = None;
            o.line = None;
            o.requested = false;
        }
        self.hovered = None;
        let days = Arc::clone(&shown.series);
        self.data = Some(shown);
        match (active, visible) {
            (Some(p), _) if p == old_default => {
                self.apply_range(super::interval::interval_default_range(interval));
            }
            (Some(p), _) => self.apply_range(p),
            (None, Some((from, to))) => {
                self.range = None;
                self.set_view(super::interval::view_covering(days.days(), from, to));
            }
            (None, None) => self.set_view(XView::full(days.len())),
        }
        true
    }

    /// Replaces the moving-average set, keeping computed lines of windows still in it.
    pub fn set_ma_windows(&mut self, windows: &[usize]) {
        let old = std::mem::take(&mut self.overlays);
        self.overlays = windows
            .iter()
            .map(|&window| {
                old.iter()
                    .find(|o| o.window == window)
                    .cloned()
                    .map(|mut o| {
                        o.color = theme::ma_window_color(window);
                        o
                    })
                    .unwrap_or(MaOverlay {
                        window,
                        enabled: true,
                        color: theme::ma_window_color(window),
                        values: None,
                        line: None,
                        requested: false,
                    })
            })
            .collect();
    }

    /// Replaces the indicators (overlays and panes), keeping computed ones still in the set.
    /// They are computed in the background.
    pub fn set_indicators(&mut self, indicators: &[Indicator]) {
        self.indicators.set(indicators);
        self.update_y();
    }

    /// The indicators shown, in order.
    pub fn indicators(&self) -> Vec<Indicator> {
        self.indicators
            .entries()
            .iter()
            .map(|e| e.indicator.clone())
            .collect()
    }

    /// The indicators with their computed lines and pane heights.
    pub fn indicator_entries(&self) -> &[ChartIndicator] {
        self.indicators.entries()
    }

    /// Sets the height of the indicator at `index` (a pane), in points.
    pub fn set_pane_height(&mut self, index: usize, height: f32) {
        if let Some(e) = self.indicators.entries_mut().get_mut(index) {
            e.height = height.max(PANE_MIN_HEIGHT);
        }
    }

    /// The bar under the pointer in the last frame, in any pane.
    pub fn hovered_bar(&self) -> Option<usize> {
        self.hovered
    }

    /// The values at the bar under the pointer as one text (what the panes' legends show):
    /// date, OHLC, volume, and the value of every visible line, moving averages and
    /// indicators.
    pub fn tooltip_text(&self) -> Option<String> {
        let data = self.data.as_ref()?;
        price_tooltip(&data.name, data, &self.tooltip_lines, self.hovered? as f64)
    }

    /// Switches one moving average on or off.
    pub fn set_ma_enabled(&mut self, window: usize, enabled: bool) {
        for o in &mut self.overlays {
            if o.window == window {
                o.enabled = enabled;
            }
        }
        self.update_y();
    }

    /// The moving averages, in set order.
    pub fn overlays(&self) -> &[MaOverlay] {
        &self.overlays
    }

    /// Shows a preset range ending at the last bar.
    pub fn apply_range(&mut self, preset: RangePreset) {
        if let Some(d) = &self.data {
            self.view = preset.view(d.series.days());
            self.range = Some(preset);
            self.update_y();
        }
    }

    /// The range preset whose button is highlighted: the one last applied, while the view
    /// is still exactly its range (panning or zooming away highlights none). Several
    /// presets may give the same view on a short history; only the applied one counts.
    pub fn active_range(&self) -> Option<RangePreset> {
        let d = self.data.as_ref()?;
        self.range
            .filter(|preset| preset.view(d.series.days()) == self.view)
    }

    /// The visible x range in bar indices.
    pub fn view(&self) -> XView {
        self.view
    }

    /// Sets the visible x range (clamped to the history).
    pub fn set_view(&mut self, view: XView) {
        self.view = view.clamped(self.len());
        self.update_y();
    }

    /// Linear (false) or logarithmic (true) price axis.
    pub fn set_log_y(&mut self, log_y: bool) {
        if log_y != self.log_y {
            // A range set by hand is in the other axis' units.
            self.price_scale.set_auto();
        }
        self.log_y = log_y;
        self.update_y();
    }

    /// Whether the price axis is logarithmic.
    pub fn log_y(&self) -> bool {
        self.log_y
    }

    /// The price axis range in prices (not log10), as fitted to the visible bars and lines.
    pub fn y_bounds(&self) -> Option<(f64, f64)> {
        self.y_plot.map(|(lo, hi)| {
            if self.log_y {
                (10f64.powf(lo), 10f64.powf(hi))
            } else {
                (lo, hi)
            }
        })
    }

    /// The top of the volume axis (its bottom is 0).
    pub fn volume_top(&self) -> Option<f64> {
        self.volume_top
    }

    /// Whether moving averages are still being computed.
    pub fn is_loading(&self) -> bool {
        self.indicators.is_loading()
            || self.jobs.is_busy()
            || self
                .overlays
                .iter()
                .any(|o| !o.requested && o.line.is_none())
    }

    /// GPU primitives (quads) drawn in the last frame.
    pub fn primitives(&self) -> u64 {
        self.primitives
    }

    fn len(&self) -> usize {
        self.data.as_ref().map_or(0, ChartSeries::len)
    }

    /// Refits the y axes to the visible bars and enabled, computed overlays.
    fn update_y(&mut self) {
        self.update_y_with_hidden(&egui_plot::ItemIdSet::default());
    }

    fn update_y_with_hidden(&mut self, hidden: &egui_plot::ItemIdSet) {
        let Some(data) = &self.data else {
            self.y_plot = None;
            self.volume_top = None;
            return;
        };
        let range = self.view.bar_range(data.len());
        let mut lo_hi = super::chart_type::price_range(data, self.chart_type, range.clone());
        // "Scale on candles only": the overlays do not widen the fitted range.
        let fit_lines = !self.price_scale.candles_only();
        for o in &self.overlays {
            if !o.enabled
                || !fit_lines
                || hidden.contains(&egui_plot::ItemId::new(o.name().as_str()))
            {
                continue;
            }
            if let Some(line) = &o.line
                && let Some((a, b)) = line.pyramid().min_max(range.clone())
            {
                lo_hi = Some(lo_hi.map_or((a, b), |(lo, hi)| (lo.min(a), hi.max(b))));
            }
        }
        for e in self
            .indicators
            .entries()
            .iter()
            .filter(|e| fit_lines && !e.is_pane())
        {
            for l in e.lines().unwrap_or(&[]) {
                if hidden.contains(&egui_plot::ItemId::new(l.label.as_str())) {
                    continue;
                }
                if let Some((a, b)) = l.pyramid().min_max(range.clone()) {
                    lo_hi = Some(lo_hi.map_or((a, b), |(lo, hi)| (lo.min(a), hi.max(b))));
                }
            }
        }
        if let Some((lo, hi)) = lo_hi {
            self.y_plot = padded_y(lo, hi, self.log_y, Y_PADDING);
        }
        self.y_plot = self.price_scale.shown(self.y_plot);
        self.volume_top = data
            .candles()
            .pyramid()
            .volume_max(range)
            .map(|v| if v > 0.0 { v * 1.1 } else { 1.0 });
    }

    /// Drains finished moving averages and starts the missing ones.
    fn poll_jobs(&mut self, ctx: &egui::Context) {
        let mut changed = self.indicators.poll(ctx);
        for r in self.jobs.poll().into_iter().flatten() {
            if let Some(o) = self.overlays.iter_mut().find(|o| o.window == r.window) {
                o.values = Some(r.values);
                o.line = Some(r.line);
                changed = true;
            }
        }
        let Some(data) = &self.data else { return };
        // All missing windows in one job: the multi-window SMA kernel makes one pass.
        let windows: Vec<usize> = self
            .overlays
            .iter_mut()
            .filter(|o| o.line.is_none() && !o.requested)
            .map(|o| {
                o.requested = true;
                o.window
            })
            .collect();
        if !windows.is_empty() {
            let series = Arc::clone(&data.series);
            self.jobs.spawn(Some(ctx.clone()), move || {
                let lines = match crate::compute::sma(series.close(), &windows) {
                    Ok(lines) => lines,
                    Err(e) => {
                        tracing::warn!("moving averages {windows:?}: {e}");
                        windows
                            .iter()
                            .map(|_| vec![f64::NAN; series.len()])
                            .collect()
                    }
                };
                windows
                    .iter()
                    .zip(lines)
                    .map(|(&window, values)| {
                        let line = GpuLine::new(LinePyramid::build(&values));
                        MaResult {
                            window,
                            values: Arc::new(values),
                            line,
                        }
                    })
                    .collect()
            });
        }
        if changed {
            self.update_y();
        }
    }

    /// Shows the chart: toolbar, price pane, volume pane, indicator panes and range slider.
    /// Returns what happened: the price pane's response, whether the user moved the view,
    /// and the day and bar under the pointer.
    pub fn ui(&mut self, ui: &mut egui::Ui) -> super::ChartResponse {
        self.poll_jobs(ui.ctx());
        let view_before = self.view;
        let mut moved = false;
        let Some(data) = self.header_ui(ui, &mut moved) else {
            // As before any pane is drawn: only an interval change counts as a move.
            return self.response(None, moved);
        };
        let plan = self.plan_frame(ui, &data);
        self.hovered = None;
        let price = self.price_pane_ui(ui, &data, &plan);
        let mut primitives = price.primitives;
        let mut frames = vec![price.frame];
        if plan.with_volume {
            let (frame, drawn) = self.volume_pane_ui(ui, &data, &plan);
            primitives += drawn;
            frames.push(frame);
        }
        primitives += self.indicator_section_ui(ui, &data, &plan, &mut frames);
        self.primitives = primitives;
        self.over_panes_ui(ui, &data, &frames, &price.overlay_items, &plan.hidden);
        self.slider_ui(ui, data.len(), &plan);
        self.response(Some(price.response), moved || self.view != view_before)
    }

    /// This frame's [`super::ChartResponse`], once the panes are drawn.
    fn response(&self, response: Option<egui::Response>, view_moved: bool) -> super::ChartResponse {
        super::ChartResponse {
            response,
            view_moved,
            hovered_day: self.link.hovered_day(),
            hovered_bar: self.hovered,
        }
    }

    /// The drawings on the price pane and the drawing tools.
    pub fn drawings(&self) -> &DrawingLayer {
        &self.drawings
    }

    /// The drawings and tools, mutably (to load drawings, pick a tool).
    pub fn drawings_mut(&mut self) -> &mut DrawingLayer {
        &mut self.drawings
    }

    /// Linked-chart state: keyboard focus, hovered day, linked crosshair.
    pub fn link(&self) -> &super::link::LinkState {
        &self.link
    }

    /// Linked-chart state, mutably.
    pub fn link_mut(&mut self) -> &mut super::link::LinkState {
        &mut self.link
    }

    /// Where (`day`, `price`) was on screen in the last frame's price pane.
    pub fn screen_pos(&self, day: chrono::NaiveDate, price: f64) -> Option<egui::Pos2> {
        let data = self.data.as_ref()?;
        let transform = self.price_transform.as_ref()?;
        let g = Geometry {
            series: &data.series,
            log_y: self.log_y,
            transform,
        };
        Some(g.screen(crate::model::Anchor::new(day, price)))
    }

    /// The first and last days of the bars in view.
    pub fn visible_days(&self) -> Option<(chrono::NaiveDate, chrono::NaiveDate)> {
        let data = self.data.as_ref()?;
        let range = self.view.bar_range(data.len());
        let days = data.series.days();
        Some((
            *days.get(range.start)?,
            *days.get(range.end.checked_sub(1)?)?,
        ))
    }

    /// The calendar dates at the edges of the view (past the history, where a linked view
    /// reaches there, counted in weekdays): what a linked time range shares.
    pub fn view_dates(&self) -> Option<(chrono::NaiveDate, chrono::NaiveDate)> {
        super::link::dates_of_view(self.data.as_ref()?.series.days(), self.view)
    }

    /// Shows the calendar dates `from` to `to` edge to edge (with another trading calendar,
    /// the bars of this series that fall between them; past its history, empty days), so
    /// linked charts show one date span. Returns whether it could: no bar of this series
    /// between the dates leaves the view as it was.
    pub fn show_days(&mut self, from: chrono::NaiveDate, to: chrono::NaiveDate) -> bool {
        self.show_span(super::link::LinkedSpan {
            from,
            to,
            start_offset: 0.0,
            end_offset: 0.0,
        })
    }

    /// The view's dates and edge offsets, as linked charts share them.
    pub fn linked_span(&self) -> Option<super::link::LinkedSpan> {
        super::link::span_of_view(self.data.as_ref()?.series.days(), self.view)
    }

    /// Shows `span` (see [`Self::show_days`]); returns whether it could.
    pub fn show_span(&mut self, span: super::link::LinkedSpan) -> bool {
        let Some(data) = &self.data else {
            return false;
        };
        let Some(view) = super::link::view_of_span(data.series.days(), span) else {
            return false;
        };
        // Not clamped to the history: the dates it lacks stay empty.
        self.view = view;
        self.update_y();
        true
    }

    /// Centres the view on `day` (the first bar on or after it), keeping the zoom. Returns
    /// whether a series is shown (the view moved: linked charts then follow).
    pub fn center_on_day(&mut self, day: chrono::NaiveDate) -> bool {
        if let Some(data) = &self.data {
            let days = data.series.days();
            let i = days
                .partition_point(|d| *d < day)
                .min(days.len().saturating_sub(1));
            let half = 0.5 * self.view.width();
            self.set_view(XView {
                start: i as f64 - half,
                end: i as f64 + half,
            });
            true
        } else {
            false
        }
    }

    /// Applies this frame's keyboard commands (never while a text field has focus). Returns
    /// whether an interval key moved the view (other moves show in the view itself).
    fn handle_keys(&mut self, ctx: &egui::Context) -> bool {
        let commands = keys::chart_keys(ctx);
        if commands.is_empty() {
            return false;
        }
        let mut moved = false;
        let series = self.data.as_ref().map(|d| Arc::clone(&d.series));
        for key in commands {
            match key {
                ChartKey::Cancel => self.drawings.cancel(),
                ChartKey::Delete => {
                    self.drawings.delete_selected();
                }
                ChartKey::Undo => {
                    self.drawings.undo();
                }
                ChartKey::Redo => {
                    self.drawings.redo();
                }
                ChartKey::Interval(interval) => moved |= self.set_interval(interval),
                // As its button does: the preset's button lights up.
                ChartKey::Range(preset) => self.apply_range(preset),
                nav => {
                    if let Some(s) = &series
                        && let Some(v) = keys::apply_view_key(nav, self.view, s.days())
                    {
                        self.view = v.clamped(s.len());
                    }
                }
            }
        }
        self.update_y();
        moved
    }

    fn price_cmds_for_count(
        &self,
        data: &ChartSeries,
        overlays: &[OverlayItem],
        hidden: &egui_plot::ItemIdSet,
    ) -> Vec<DrawCmd> {
        let mut cmds = super::chart_type::price_cmds(data, self.chart_type, self.colors, 1.0);
        for (name, _, line, _) in overlays {
            if !hidden.contains(&egui_plot::ItemId::new(name.as_str())) {
                cmds.push(DrawCmd::Line {
                    data: Arc::clone(line),
                    color: [0.0; 4],
                    width_px: 1.0,
                    y_scale: 1.0,
                    y_offset: 0.0,
                });
            }
        }
        cmds
    }

    /// Applies this frame's drag and wheel over a plot area (`response`, `frame`) to the
    /// view and refits y. egui_plot's own navigation is off: the chart owns the view.
    fn interact_and_fit(
        &mut self,
        response: &egui::Response,
        frame: egui::Rect,
        hidden: &egui_plot::ItemIdSet,
    ) {
        let n = self.len();
        let (view, changed) = navigate(self.view, n, response, frame);
        self.view = view;
        if changed || self.y_plot.is_none() {
            self.update_y_with_hidden(hidden);
        } else {
            // Legend toggles and finished overlays change what y must fit; cheap (O(log n)).
            self.update_y_with_hidden(hidden);
        }
    }

    /// The chart's toolbar: name, range buttons, log switch, moving averages, indicators
    /// (and the indicator editor when open). Drawn by [`Self::ui`] unless
    /// [`Self::set_toolbar_outside`]; then the viewer draws it (with
    /// [`Self::drawing_toolbar_ui`]) where it wants. Returns whether it moved the view (a
    /// range or interval button): linked charts then follow.
    pub fn toolbar_ui(&mut self, ui: &mut egui::Ui) -> bool {
        let view_before = self.view;
        self.toolbar_buttons_ui(ui) || self.view != view_before
    }

    /// The toolbar of [`Self::toolbar_ui`]; returns whether an interval button moved the
    /// view (a move the view alone may not show).
    fn toolbar_buttons_ui(&mut self, ui: &mut egui::Ui) -> bool {
        let mut moved = false;
        ui.horizontal_wrapped(|ui| {
            if let Some(d) = &self.data {
                ui.strong(&d.name);
                ui.separator();
            }
            let active_range = self.active_range();
            for preset in RangePreset::ALL {
                let active = active_range == Some(preset);
                if ui.selectable_label(active, preset.label()).clicked() {
                    self.apply_range(preset);
                }
            }
            ui.separator();
            if let Some(i) = super::interval::interval_buttons_ui(ui, self.interval) {
                moved = self.set_interval(i);
            }
            ui.separator();
            let mut log_y = self.log_y;
            if ui.checkbox(&mut log_y, "Log").changed() {
                self.set_log_y(log_y);
            }
            if self.price_scale.auto_toggle_ui(ui, self.y_plot) {
                self.update_y();
            }
            let mut chart_type = self.chart_type;
            if chart_type.combo_ui(ui, self.id) {
                self.set_chart_type(chart_type);
            }
            ui.separator();
            let mut toggles = Vec::new();
            for o in &self.overlays {
                let mut on = o.enabled;
                let text = egui::RichText::new(o.name()).color(o.color);
                if ui.checkbox(&mut on, text).changed() {
                    toggles.push((o.window, on));
                }
            }
            for (w, on) in toggles {
                self.set_ma_enabled(w, on);
            }
            ui.separator();
            let label = format!("Indicators ({})", self.indicators.entries().len());
            if ui
                .selectable_label(self.indicators.editor_open, label)
                .clicked()
            {
                self.indicators.editor_open = !self.indicators.editor_open;
            }
            if self.is_loading() {
                ui.spinner();
            }
        });
        if self.indicators.editor_open && self.indicators.editor_ui(ui) {
            self.update_y();
        }
        moved
    }

    /// The drawing tools of the chart, shown once it has bars (the chart draws them itself
    /// when it is active, unless [`Self::set_toolbar_outside`]).
    pub fn drawing_toolbar_ui(&mut self, ui: &mut egui::Ui) {
        if self.data.as_ref().is_some_and(|d| !d.is_empty()) {
            self.drawings.toolbar_ui(ui);
        }
    }

    /// How the price is drawn.
    pub fn chart_type(&self) -> ChartType {
        self.chart_type
    }

    /// Draws the price as `chart_type` (the autoscale fits what it draws).
    pub fn set_chart_type(&mut self, chart_type: ChartType) {
        self.chart_type = chart_type;
        self.update_y();
    }

    /// Whether the price scale follows the visible bars (not set by dragging the axis).
    pub fn auto_scale(&self) -> bool {
        self.price_scale.is_auto()
    }

    /// Back to the automatic price scale (`true`), or keeps the range shown (`false`).
    pub fn set_auto_scale(&mut self, on: bool) {
        if on {
            self.price_scale.set_auto();
        } else if let Some(r) = self.y_plot {
            self.price_scale.freeze(r);
        }
        self.update_y();
    }

    /// Whether the autoscale fits the bars only, not the moving averages and overlays.
    pub fn scale_candles_only(&self) -> bool {
        self.price_scale.candles_only()
    }

    /// Makes the autoscale fit the bars only (`true`) or the overlays too.
    pub fn set_scale_candles_only(&mut self, on: bool) {
        self.price_scale.set_candles_only(on);
        self.update_y();
    }

    /// The price axis right of the price pane (drag to stretch, double-click for auto) and
    /// the context menu's choice of this frame.
    fn price_axis_ui(&mut self, ui: &egui::Ui, price_id: egui::Id, action: Option<MenuAction>) {
        let Some(transform) = self.price_transform else {
            return;
        };
        let frame = *transform.frame();
        let axis = egui::Rect::from_x_y_ranges(
            frame.right()..=frame.right() + self.axis_width,
            frame.y_range(),
        );
        let mut changed = self
            .price_scale
            .axis_ui(ui, price_id.with("axis"), axis, self.y_plot);
        match action {
            Some(MenuAction::ResetView) => {
                self.price_scale.set_auto();
                self.apply_range(self.range.unwrap_or(RangePreset::M1));
                changed = true;
            }
            Some(MenuAction::CandlesOnly(on)) => {
                self.price_scale.set_candles_only(on);
                changed = true;
            }
            None => {}
        }
        if changed {
            // The price pane drew this frame with the old range.
            self.update_y();
            ui.ctx().request_repaint();
        }
    }

    /// Records the bar under the pointer of a pane (for [`Self::hovered_bar`]).
    fn track_hover(&mut self, response: &egui::Response, transform: &egui_plot::PlotTransform) {
        let mut hovered = self.hovered;
        hover_bar(response, transform, self.len(), &mut hovered);
        self.hovered = hovered;
    }
}

/// Sets `hovered` to the bar under the pointer if it is over this pane.
fn hover_bar(
    response: &egui::Response,
    transform: &egui_plot::PlotTransform,
    n: usize,
    hovered: &mut Option<usize>,
) {
    if let Some(p) = response.hover_pos()
        && n > 0
    {
        let x = transform.value_from_position(p).x;
        *hovered = Some((x.round().max(0.0) as usize).min(n - 1));
    }
}

/// The drag handle above a pane; returns the vertical drag this frame (points, down > 0).
fn pane_handle_ui(ui: &mut egui::Ui, title: &str) -> Option<f32> {
    let width = ui.available_width();
    let (rect, response) = ui.allocate_exact_size(egui::vec2(width, HANDLE_HEIGHT), Sense::drag());
    response.widget_info(|| {
        egui::WidgetInfo::labeled(egui::Role::Splitter, true, format!("Resize {title} pane"))
    });
    let hot = response.hovered() || response.dragged();
    if hot {
        ui.ctx().set_cursor_icon(egui::CursorIcon::ResizeVertical);
    }
    let stroke = if hot {
        ui.visuals().widgets.hovered.fg_stroke
    } else {
        ui.visuals().widgets.noninteractive.bg_stroke
    };
    ui.painter().hline(rect.x_range(), rect.center().y, stroke);
    let dy = response.drag_delta().y;
    (response.dragged() && dy != 0.0).then_some(dy)
}

/// The view after this frame's drag (pan, x only) and wheel (zoom around the pointer)
/// over the plot area `frame`; and whether it changed.
pub(crate) fn navigate(
    view: XView,
    n: usize,
    response: &egui::Response,
    frame: egui::Rect,
) -> (XView, bool) {
    let before = view;
    let mut view = view;
    let bars_per_pt = view.width() / f64::from(frame.width().max(1.0));
    if response.dragged() {
        let dx = response.drag_delta().x;
        if dx != 0.0 {
            view = view.panned(-f64::from(dx) * bars_per_pt, n);
        }
    }
    if let Some(p) = response.hover_pos() {
        let notches = wheel_notches(&response.ctx);
        if notches != 0.0 {
            let anchor = view.start + f64::from(p.x - frame.left()) * bars_per_pt;
            view = view.zoomed(ZOOM_PER_NOTCH.powf(f64::from(notches)), anchor, n);
        }
    }
    (view, view != before)
}

/// A plot with the chart's shared settings: the chart owns navigation, the x axis shows
/// dates on calendar marks, the price axis is on the right.
pub(crate) fn base_plot<'a>(
    id: egui::Id,
    days: Arc<[chrono::NaiveDate]>,
    link: egui::Id,
) -> Plot<'a> {
    let days_for_grid = Arc::clone(&days);
    // The marks of this frame, for labels that add the year at the first mark.
    let marks = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let marks_for_labels = std::rc::Rc::clone(&marks);
    Plot::new("wickview_plot")
        .id(id)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .allow_axis_zoom_drag(false)
        .auto_bounds(Vec2b::FALSE)
        .set_margin_fraction(egui::Vec2::ZERO)
        .y_axis_position(HPlacement::Right)
        .y_axis_min_width(Y_AXIS_WIDTH)
        .show_crosshair(true)
        .link_axis(link, Vec2b::new(true, false))
        .link_cursor(link, Vec2b::new(true, false))
        .x_grid_spacer(move |input| {
            let grid = calendar_marks(&days_for_grid, &input, 8.0);
            marks.borrow_mut().clone_from(&grid);
            grid
        })
        .x_axis_formatter(move |mark, _| date_label_among(&days, mark, &marks_for_labels.borrow()))
        .sense(Sense::click_and_drag())
}

/// Grid marks at 1-2-5 multiples: labelled marks at least ~40 points apart, and faint
/// minor marks a fifth (or half) of that apart.
pub(crate) fn nice_linear_marks(input: &egui_plot::GridInput) -> Vec<egui_plot::GridMark> {
    super::y_axis::round_marks(input, 40.0)
}

/// Grid marks for a log10 price axis at 1-2-5 prices.
pub(crate) fn log_price_marks(input: &egui_plot::GridInput) -> Vec<egui_plot::GridMark> {
    let (lo, hi) = input.bounds;
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo {
        return Vec::new();
    }
    // Aim for a mark every ~40 points: base_step_size is log10 units per 8 points.
    let min_step = input.base_step_size * 5.0;
    let mut marks = Vec::new();
    let mut decade = lo.floor() as i32 - 1;
    while f64::from(decade) <= hi {
        for m in [1.0, 2.0, 5.0] {
            let v = (m * 10f64.powi(decade)).log10();
            if v >= lo && v <= hi {
                marks.push(v);
            }
        }
        decade += 1;
    }
    // Thin out marks that would be too close.
    let mut out: Vec<egui_plot::GridMark> = Vec::new();
    for v in marks {
        if out.last().is_none_or(|m| v - m.value >= min_step) {
            out.push(egui_plot::GridMark {
                value: v,
                step_size: min_step.max(0.1),
            });
        }
    }
    out
}

/// A line of the tooltip: name, values, and whether they are prices (moving averages and
/// overlays, written in the series' price format) or indicator values.
type TooltipLine = (String, Arc<Vec<f64>>, bool);

/// Tooltip text for the bar nearest `x`: date, OHLC, volume and every shown line's value,
/// prices written in the series' [`super::PriceFormat`].
fn price_tooltip(name: &str, data: &ChartSeries, lines: &[TooltipLine], x: f64) -> Option<String> {
    let (series, fmt) = (&*data.series, data.price_format);
    let i = bar_at(series.days(), x)?;
    let bar = series.bar(i)?;
    let change = i
        .checked_sub(1)
        .and_then(|p| series.close().get(p))
        .map(|prev| (bar.close / prev - 1.0) * 100.0);
    let change = change.map_or(String::new(), |c| format!(" ({c:+.2}%)"));
    let day = format!(
        "{}{}",
        bar.date.format("%Y-%m-%d %a"),
        if series.provisional_day() == Some(bar.date) {
            " (provisional)"
        } else {
            ""
        }
    );
    // A close-only bar (rates, FRED-style series) has no open, high, low or volume.
    let mut text = if bar.is_close_only() {
        format!("{name}  {day}\nClose {}{change}", fmt.price(bar.close))
    } else {
        format!(
            "{name}  {day}\nO {}  H {}\nL {}  C {}{change}\nVolume {}",
            fmt.price(bar.open),
            fmt.price(bar.high),
            fmt.price(bar.low),
            fmt.price(bar.close),
            format_volume(bar.volume),
        )
    };
    for (line_name, values, is_price) in lines {
        if let Some(v) = values.get(i) {
            let v = if *is_price {
                fmt.price(*v)
            } else {
                format_price(*v)
            };
            text.push_str(&format!("\n{line_name} {v}"));
        }
    }
    Some(text)
}

/// A scrollbar over the whole history: the thumb is the visible range. Drag the thumb to
/// pan, click the track to centre the view there. Returns the new view if changed.
pub(crate) fn range_slider_ui(
    ui: &mut egui::Ui,
    view: XView,
    n: usize,
    height: f32,
) -> Option<XView> {
    range_slider_with_axis(ui, view, n, height, Y_AXIS_WIDTH)
}

/// [`range_slider_ui`] under plots whose price axis is `axis_w` wide.
fn range_slider_with_axis(
    ui: &mut egui::Ui,
    view: XView,
    n: usize,
    height: f32,
    axis_w: f32,
) -> Option<XView> {
    let width = ui.available_width();
    let (rect, response) =
        ui.allocate_exact_size(egui::vec2(width, height), Sense::click_and_drag());
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Slider, true, "History range"));
    // Line the track up with the plot frame (the price axis is on the right).
    let track = egui::Rect::from_min_max(rect.min, egui::pos2(rect.max.x - axis_w, rect.max.y));
    let full = XView::full(n);
    let to_x = |v: f64| track.left() + ((v - full.start) / full.width()) as f32 * track.width();
    let visuals = ui.visuals();
    let painter = ui.painter();
    painter.rect_filled(track, 3.0, visuals.extreme_bg_color);
    let thumb = egui::Rect::from_min_max(
        egui::pos2(to_x(view.start), track.top() + 2.0),
        egui::pos2(
            to_x(view.end).max(to_x(view.start) + 4.0),
            track.bottom() - 2.0,
        ),
    );
    let thumb_color = if response.dragged() || response.hovered() {
        visuals.widgets.hovered.bg_fill
    } else {
        visuals.widgets.inactive.bg_fill
    };
    painter.rect_filled(thumb, 3.0, thumb_color);
    painter.rect_stroke(
        thumb,
        3.0,
        visuals.widgets.inactive.fg_stroke,
        egui::StrokeKind::Inside,
    );
    let bars_per_pt = full.width() / f64::from(track.width().max(1.0));
    if response.dragged() {
        let dx = f64::from(response.drag_delta().x) * bars_per_pt;
        if dx != 0.0 {
            return Some(view.panned(dx, n));
        }
    } else if response.clicked()
        && let Some(p) = response.interact_pointer_pos()
    {
        let center = full.start + f64::from(p.x - track.left()) * bars_per_pt;
        return Some(view.panned(center - 0.5 * (view.start + view.end), n));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_marks_are_round_and_spaced() {
        // 700 points showing 48,000..76,000: 8 points = 320 units, labels >= 1,600 apart.
        let input = egui_plot::GridInput {
            bounds: (48_000.0, 76_000.0),
            base_step_size: 320.0,
        };
        let marks = nice_linear_marks(&input);
        let majors: Vec<f64> = marks
            .iter()
            .filter(|m| m.step_size == 2000.0)
            .map(|m| m.value)
            .collect();
        assert_eq!(majors.first(), Some(&48_000.0));
        assert_eq!(majors.last(), Some(&76_000.0));
        assert_eq!(majors.len(), 15);
        assert!(
            marks
                .iter()
                .any(|m| m.step_size == 1000.0 && m.value == 49_000.0)
        );
    }

    /// On a history shorter than every preset all presets give the same view; only the
    /// one applied is highlighted, and none once the user moved away from it.
    #[test]
    fn only_the_applied_range_is_active() {
        use crate::model::{Bar, DailySeries};
        let day = |d: u32| chrono::NaiveDate::from_ymd_opt(2024, 3, d).unwrap();
        let (series, _) =
            DailySeries::from_bars((4..7).map(|d| Bar::ohlc(day(d), 10.0, 11.0, 9.0, 10.5)));
        let mut chart = CandleChart::new("active_range_test");
        assert_eq!(chart.active_range(), None);
        chart.set_series(
            ChartSeries::new("x", Arc::new(series)),
            CandleColors::WESTERN,
            &[],
        );
        assert_eq!(
            chart.active_range(),
            Some(RangePreset::M1),
            "the default range"
        );
        let same: Vec<_> = RangePreset::ALL
            .iter()
            .filter(|p| p.view(chart.series().unwrap().series.days()) == chart.view())
            .collect();
        assert_eq!(
            same.len(),
            RangePreset::ALL.len(),
            "every preset fits 3 bars"
        );
        chart.apply_range(RangePreset::Y5);
        assert_eq!(chart.active_range(), Some(RangePreset::Y5));

        // Panning away from the preset's range highlights none.
        let start = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
        let (long, _) = DailySeries::from_bars(
            (0..400u64).map(|i| Bar::ohlc(start + chrono::Days::new(i), 10.0, 11.0, 9.0, 10.5)),
        );
        chart.set_series(
            ChartSeries::new("y", Arc::new(long)),
            CandleColors::WESTERN,
            &[],
        );
        chart.apply_range(RangePreset::M3);
        assert_eq!(chart.active_range(), Some(RangePreset::M3));
        chart.set_view(XView {
            start: 100.5,
            end: 160.5,
        });
        assert_eq!(chart.active_range(), None);

        // No bars at all: still just the default.
        let mut empty = CandleChart::new("active_range_empty");
        empty.set_series(
            ChartSeries::new("e", Arc::new(DailySeries::default())),
            CandleColors::WESTERN,
            &[],
        );
        assert_eq!(empty.active_range(), Some(RangePreset::M1));
    }

    #[test]
    fn log_marks_are_nice_prices_in_range() {
        let input = egui_plot::GridInput {
            bounds: (1.0f64.log10() + 1.0, 3.2),
            base_step_size: 0.01,
        };
        let marks = log_price_marks(&input);
        let prices: Vec<f64> = marks.iter().map(|m| 10f64.powf(m.value).round()).collect();
        assert_eq!(prices, vec![10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0]);
    }
}

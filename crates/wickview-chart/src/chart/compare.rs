//! The comparison chart: many series as close lines on one shared calendar (the union of
//! their trading days), absolute, rebased to 100 / percent change at the first visible day
//! or at a fixed day, or on two y axes for two series; linear or logarithmic. The line under
//! the pointer is highlighted and named; the series list beside the chart is its legend.

use std::sync::Arc;

use chrono::NaiveDate;
use egui_plot::{AxisHints, HPlacement, HoverPosition, Plot, PlotBounds, PlotUi, VLine};
use rayon::prelude::*;

use super::candle::{base_plot, navigate, nice_linear_marks, range_slider_ui};
use super::compare_axis::{linear_ticks, log_marks, round_value_step};
use super::compare_mode::CompareMode;
use super::compare_read::{
    LineRef, nearest_line, plotted_at, range_return, range_volatility, tooltip_text, value_text,
};
use super::jobs::Jobs;
use super::time_axis::{RangePreset, XView, bar_at};
use super::{ChartSeries, GpuLayer, PriceFormat, format_percent_mark, format_price_mark, padded_y};
use crate::compute::lod::LinePyramid;
use crate::render::{DrawCmd, DrawList, GpuLine, count_primitives};
use crate::theme;

/// One series of the comparison, aligned to the shared calendar.
struct Aligned {
    values: Arc<Vec<f64>>,
    line: Arc<GpuLine>,
}

struct Alignment {
    calendar: Arc<[NaiveDate]>,
    lines: Vec<Aligned>,
}

struct Entry {
    series: ChartSeries,
    color: egui::Color32,
    visible: bool,
}

/// One aligned line as the frame draws it: its GPU line and its values on the calendar.
type AlignedLine = (Arc<GpuLine>, Arc<Vec<f64>>);

/// Height of the range slider under the plot.
const SLIDER_HEIGHT: f32 = 18.0;

/// Width of the highlighted line relative to the others.
const HIGHLIGHT_WIDTH: f32 = 2.2;
/// Opacity of the other lines while one is highlighted.
const DIMMED_ALPHA: f32 = 0.3;

/// The comparison chart.
pub struct ComparisonChart {
    id: egui::Id,
    entries: Vec<Entry>,
    names: Arc<[String]>,
    aligned: Option<Alignment>,
    mode: CompareMode,
    log_y: bool,
    anchor: Option<NaiveDate>,
    picking_anchor: bool,
    view: XView,
    view_set: bool,
    /// The range preset applied last (highlighted while the view is still that range).
    range: Option<RangePreset>,
    y_plot: Option<(f64, f64)>,
    transforms: Vec<(f64, f64)>,
    jobs: Jobs<Alignment>,
    requested: bool,
    /// Counts the alignments taken: figures computed from the lines name the generation
    /// they were computed from.
    generation: u64,
    primitives: u64,
    mode_picker: bool,
    highlight: Option<usize>,
    emphasis: Option<usize>,
    hover_bar: Option<usize>,
    tooltip: Option<String>,
    plot_transform: Option<egui_plot::PlotTransform>,
    /// The dual-axis mode's right axis as drawn last frame: each tick's value in the
    /// second series' units and its label.
    right_axis: Vec<(f64, String)>,
}

impl ComparisonChart {
    /// An empty comparison; `id_salt` must be unique among charts shown at once.
    pub fn new(id_salt: impl std::hash::Hash + std::fmt::Debug) -> Self {
        Self {
            id: egui::Id::unique(("wickview_comparison_chart", id_salt)),
            entries: Vec::new(),
            names: Arc::from(Vec::new()),
            aligned: None,
            mode: CompareMode::Rebased100,
            log_y: false,
            anchor: None,
            picking_anchor: false,
            view: XView::full(0),
            view_set: false,
            range: None,
            y_plot: None,
            transforms: Vec::new(),
            jobs: Jobs::new(),
            requested: false,
            generation: 0,
            primitives: 0,
            mode_picker: true,
            highlight: None,
            emphasis: None,
            hover_bar: None,
            tooltip: None,
            plot_transform: None,
            right_axis: Vec::new(),
        }
    }

    /// Whether the toolbar offers its own mode picker (on by default; a host that picks the
    /// mode itself, like the app's comparison view, turns it off).
    pub fn set_mode_picker(&mut self, show: bool) {
        self.mode_picker = show;
    }

    /// Replaces the compared series (colours from the theme's comparison palette, every
    /// series shown). The shared calendar is built in the background; the view keeps its
    /// dates if it can.
    pub fn set_series(&mut self, series: Vec<ChartSeries>) {
        self.entries = series
            .into_iter()
            .enumerate()
            .map(|(i, series)| Entry {
                series,
                color: theme::comparison_color(i),
                visible: true,
            })
            .collect();
        self.names = self.entries.iter().map(|e| e.series.name.clone()).collect();
        self.highlight = None;
        self.emphasis = None;
        self.jobs.new_generation();
        self.requested = false;
    }

    /// Adds a series at the end.
    pub fn add_series(&mut self, series: ChartSeries) {
        let mut all: Vec<ChartSeries> = self.entries.iter().map(|e| e.series.clone()).collect();
        all.push(series);
        self.set_series(all);
    }

    /// Removes the series at `index` (no-op when out of range).
    pub fn remove_series(&mut self, index: usize) {
        if index < self.entries.len() {
            let mut all: Vec<ChartSeries> = self.entries.iter().map(|e| e.series.clone()).collect();
            all.remove(index);
            self.set_series(all);
        }
    }

    /// Which alignment the chart shows, or `None` while the shared calendar of the current
    /// series is still being built (the lines shown then belong to the previous set).
    /// Anything computed from [`Self::aligned_lines`] is current only for the generation it
    /// was computed from.
    pub fn data_generation(&self) -> Option<u64> {
        let current = self.requested && !self.jobs.is_busy() && self.aligned.is_some();
        current.then_some(self.generation)
    }

    /// Names of the compared series, in order.
    pub fn series_names(&self) -> Vec<&str> {
        self.entries
            .iter()
            .map(|e| e.series.name.as_str())
            .collect()
    }

    /// Number of compared series.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no series is compared.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The colour of series `k`.
    pub fn color(&self, k: usize) -> Option<egui::Color32> {
        self.entries.get(k).map(|e| e.color)
    }

    /// Whether series `k` is drawn.
    pub fn is_visible(&self, k: usize) -> bool {
        self.entries.get(k).is_some_and(|e| e.visible)
    }

    /// Shows or hides series `k`; the y axis refits to the lines shown.
    pub fn set_visible(&mut self, k: usize, visible: bool) {
        if let Some(e) = self.entries.get_mut(k)
            && e.visible != visible
        {
            e.visible = visible;
            self.fit_y();
        }
    }

    /// Series `k` is drawn on top, the others dimmed (a row of the series list is hovered);
    /// the line under the pointer takes precedence.
    pub fn set_emphasis(&mut self, k: Option<usize>) {
        self.emphasis = k;
    }

    /// Sets the y mapping.
    pub fn set_mode(&mut self, mode: CompareMode) {
        self.mode = mode;
        self.fit_y();
    }

    /// The mode as drawn: dual axis needs exactly two series.
    pub fn effective_mode(&self) -> CompareMode {
        match self.mode {
            CompareMode::DualAxis if self.entries.len() != 2 => CompareMode::Rebased100,
            m => m,
        }
    }

    /// The mode chosen by the user.
    pub fn mode(&self) -> CompareMode {
        self.mode
    }

    /// Logarithmic y axis (in every mode but dual axis: rebased and percent lines are drawn
    /// as rebased values on a log axis, labelled in their own units).
    pub fn set_log_y(&mut self, log_y: bool) {
        self.log_y = log_y;
        self.fit_y();
    }

    /// Whether the log axis was asked for.
    pub fn log_y(&self) -> bool {
        self.log_y
    }

    /// Whether the y axis is drawn logarithmic now.
    pub fn effective_log_y(&self) -> bool {
        self.log_y && self.effective_mode() != CompareMode::DualAxis
    }

    /// The fixed rebase day (`None`: the first visible day). Kept while panning; a series
    /// that starts later is rebased on its first day after it.
    pub fn set_anchor(&mut self, anchor: Option<NaiveDate>) {
        self.anchor = anchor;
        self.picking_anchor = false;
        self.fit_y();
    }

    /// The fixed rebase day, if any.
    pub fn anchor(&self) -> Option<NaiveDate> {
        self.anchor
    }

    /// The next click on the plot sets the rebase day.
    pub fn pick_anchor(&mut self) {
        self.picking_anchor = true;
    }

    /// Whether the next click on the plot sets the rebase day.
    pub fn is_picking_anchor(&self) -> bool {
        self.picking_anchor
    }

    /// The index on the shared calendar of the day series are rebased on: the anchor's day
    /// (or the first day after it), or the first visible day.
    pub fn rebase_index(&self) -> Option<usize> {
        let a = self.aligned.as_ref()?;
        Some(match self.anchor {
            Some(day) => a.calendar.partition_point(|d| *d < day),
            None => self.view.bar_range(a.calendar.len()).start,
        })
    }

    /// Whether series `k` has no value on the rebase day (it starts later and is rebased on
    /// its own first day after it).
    pub fn starts_after_rebase_day(&self, k: usize) -> bool {
        let (Some(a), Some(i)) = (&self.aligned, self.rebase_index()) else {
            return false;
        };
        a.lines
            .get(k)
            .is_some_and(|l| l.values.get(i).is_none_or(|v| !v.is_finite()))
    }

    /// The visible x range (indices into the shared calendar).
    pub fn view(&self) -> XView {
        self.view
    }

    /// Sets the visible x range (clamped to the shared calendar).
    pub fn set_view(&mut self, view: XView) {
        let n = self.calendar().map_or(0, <[NaiveDate]>::len);
        self.view = view.clamped(n);
        self.view_set = true;
        self.fit_y();
    }

    /// Shows a preset range ending at the last day of the shared calendar.
    pub fn apply_range(&mut self, preset: RangePreset) {
        if let Some(a) = &self.aligned {
            self.view = preset.view(&a.calendar);
            self.view_set = true;
            self.range = Some(preset);
            self.fit_y();
        }
    }

    /// The range preset the view shows: the one applied last, while the view is still
    /// that range (never two presets at once, even where YTD and 1Y are the same days).
    pub fn active_range(&self) -> Option<RangePreset> {
        let calendar = self.calendar()?;
        self.range.filter(|p| p.view(calendar) == self.view)
    }

    /// The shared calendar, once built.
    pub fn calendar(&self) -> Option<&[NaiveDate]> {
        self.aligned.as_ref().map(|a| &a.calendar[..])
    }

    /// Series `k`'s values on the shared calendar, once built.
    pub fn aligned_values(&self, k: usize) -> Option<&[f64]> {
        self.aligned
            .as_ref()
            .and_then(|a| a.lines.get(k))
            .map(|l| l.values.as_slice())
    }

    /// The lowest and highest value of series `k` (in its own units, before rebasing) over
    /// the visible days, from its line pyramid; `None` before the calendar is built or when
    /// it has no value there.
    pub fn visible_min_max(&self, k: usize) -> Option<(f64, f64)> {
        let a = self.aligned.as_ref()?;
        let line = a.lines.get(k)?;
        line.line
            .pyramid()
            .min_max(self.view.bar_range(a.calendar.len()))
    }

    /// Every series' values on the shared calendar (shared, not copied), once built.
    pub fn aligned_lines(&self) -> Vec<Arc<Vec<f64>>> {
        self.aligned
            .as_ref()
            .map(|a| a.lines.iter().map(|l| Arc::clone(&l.values)).collect())
            .unwrap_or_default()
    }

    /// The y range in plotted units (rebased values, percent, or the left axis' units;
    /// log10 of those on a log axis).
    pub fn y_bounds(&self) -> Option<(f64, f64)> {
        self.y_plot
    }

    /// Per series `(scale, offset)`: plotted = value * scale + offset.
    pub fn transforms(&self) -> &[(f64, f64)] {
        &self.transforms
    }

    /// Series `k`'s plotted value (rebased, percent or raw; before any log) on `bar`.
    pub fn plotted_value(&self, k: usize, bar: usize) -> Option<f64> {
        let line = self.line_refs().into_iter().nth(k)?;
        plotted_at(&line, bar)
    }

    /// The series under the pointer (or the emphasised one), drawn on top of the others.
    pub fn highlighted(&self) -> Option<usize> {
        self.highlight
    }

    /// The day under the pointer, as an index into the shared calendar.
    pub fn hovered_bar(&self) -> Option<usize> {
        self.hover_bar
    }

    /// The tooltip shown last frame (the highlighted series and the day's extremes).
    pub fn tooltip(&self) -> Option<&str> {
        self.tooltip.as_deref()
    }

    /// The plot area last frame, in screen points.
    pub fn plot_rect(&self) -> Option<egui::Rect> {
        self.plot_transform.map(|t| *t.frame())
    }

    /// The right axis of the dual-axis mode as drawn last frame: each tick's value in the
    /// second series' own units (round 1-2-5 steps of its own) and its label; empty in
    /// the other modes.
    pub fn right_axis_labels(&self) -> &[(f64, String)] {
        &self.right_axis
    }

    /// Where series `k`'s value on `bar` was drawn last frame, in screen points.
    pub fn screen_pos(&self, k: usize, bar: usize) -> Option<egui::Pos2> {
        let t = self.plot_transform?;
        let mut y = self.plotted_value(k, bar)?;
        if self.effective_log_y() {
            y = y.log10();
        }
        Some(t.position_from_point(&egui_plot::PlotPoint::new(bar as f64, y)))
    }

    /// Percent return of series `k` over the visible days.
    pub fn visible_return(&self, k: usize) -> Option<f64> {
        let a = self.aligned.as_ref()?;
        range_return(
            &a.lines.get(k)?.values,
            self.view.bar_range(a.calendar.len()),
        )
    }

    /// Annualised volatility (percent) of series `k`'s daily returns over the visible days.
    pub fn visible_volatility(&self, k: usize) -> Option<f64> {
        let a = self.aligned.as_ref()?;
        range_volatility(
            &a.lines.get(k)?.values,
            self.view.bar_range(a.calendar.len()),
        )
    }

    /// Series `k`'s value on `bar` as the tooltip shows it (raw, and rebased or percent).
    pub fn value_text(&self, k: usize, bar: usize) -> Option<String> {
        let raw = *self.aligned_values(k)?.get(bar)?;
        let p = self.plotted_value(k, bar)?;
        Some(value_text(
            raw,
            p,
            self.effective_mode(),
            self.effective_log_y(),
            self.price_format(k),
        ))
    }

    /// How series `k`'s prices are written (whole won).
    pub fn price_format(&self, k: usize) -> PriceFormat {
        self.entries
            .get(k)
            .map_or(PriceFormat::Auto, |e| e.series.price_format)
    }

    /// Series `k`'s value on `bar` in a few characters, as the series list shows it: the
    /// rebased value, the percent change, or the real value (in dual-axis mode too: the
    /// right series' close in its own units, not mapped onto the left axis).
    pub fn list_value_text(&self, k: usize, bar: usize) -> Option<String> {
        let p = self.plotted_value(k, bar)?;
        Some(match self.effective_mode() {
            CompareMode::Rebased100 => format!("{p:.1}"),
            CompareMode::PercentChange if self.effective_log_y() => format!("{:+.1}%", p - 100.0),
            CompareMode::PercentChange => format!("{p:+.1}%"),
            CompareMode::Absolute | CompareMode::DualAxis => self
                .price_format(k)
                .price(*self.aligned_values(k)?.get(bar)?),
        })
    }

    /// Whether the shared calendar is still being built.
    pub fn is_loading(&self) -> bool {
        !self.entries.is_empty()
            && (self.jobs.is_busy() || !self.requested || self.aligned.is_none())
    }

    /// GPU primitives (quads) drawn in the last frame.
    pub fn primitives(&self) -> u64 {
        self.primitives
    }

    fn line_refs(&self) -> Vec<LineRef<'_>> {
        let Some(a) = &self.aligned else {
            return Vec::new();
        };
        a.lines
            .iter()
            .enumerate()
            .map(|(k, l)| LineRef {
                values: &l.values,
                transform: self.transforms.get(k).copied().unwrap_or((1.0, 0.0)),
                visible: self.is_visible(k),
                price_format: self.price_format(k),
            })
            .collect()
    }

    /// Takes the background results that arrived (the shared calendar) and starts the
    /// ones needed; [`Self::ui`] does it too. A host that decides something from the
    /// calendar (the automatic mode) calls it first, so the decision and the first
    /// complete frame fall in the same frame.
    pub fn poll_jobs(&mut self, ctx: &egui::Context) {
        for a in self.jobs.poll() {
            let n = a.calendar.len();
            if !self.view_set {
                self.view = RangePreset::M1.view(&a.calendar);
                self.view_set = true;
                self.range = Some(RangePreset::M1);
            } else {
                // Keep the dates in view, not the bar indices: a series that starts earlier
                // shifts every index of the shared calendar.
                let view = match &self.aligned {
                    Some(old) => self.view.remapped(&old.calendar, &a.calendar),
                    None => self.view,
                };
                self.view = view.clamped(n);
            }
            self.generation += 1;
            self.aligned = Some(a);
            self.fit_y();
        }
        if !self.requested && !self.entries.is_empty() {
            self.requested = true;
            let inputs: Vec<Arc<crate::model::DailySeries>> = self
                .entries
                .iter()
                .map(|e| Arc::clone(&e.series.series))
                .collect();
            self.jobs.spawn(Some(ctx.clone()), move || align(&inputs));
        }
    }

    /// Value of line `k` to rebase on: the first finite value at or after the view's first bar.
    fn base_value(values: &[f64], from: usize) -> Option<f64> {
        values[from.min(values.len())..]
            .iter()
            .copied()
            .find(|v| v.is_finite() && *v != 0.0)
    }

    fn fit_y(&mut self) {
        let Some(a) = &self.aligned else {
            self.y_plot = None;
            return;
        };
        let range = self.view.bar_range(a.calendar.len());
        let base_from = self.rebase_index().unwrap_or(range.start);
        let mode = self.effective_mode();
        let log_y = self.effective_log_y();
        let ranges: Vec<Option<(f64, f64)>> = a
            .lines
            .iter()
            .map(|l| l.line.pyramid().min_max(range.clone()))
            .collect();
        self.transforms =
            a.lines
                .iter()
                .enumerate()
                .map(|(k, l)| match mode {
                    CompareMode::Absolute => (1.0, 0.0),
                    CompareMode::Rebased100 => Self::base_value(&l.values, base_from)
                        .map_or((1.0, 0.0), |b| (100.0 / b, 0.0)),
                    // On a log axis percent lines are drawn as rebased values (100 = 0%).
                    CompareMode::PercentChange => Self::base_value(&l.values, base_from)
                        .map_or((1.0, 0.0), |b| {
                            (100.0 / b, if log_y { 0.0 } else { -100.0 })
                        }),
                    CompareMode::DualAxis => {
                        if k == 0 {
                            (1.0, 0.0)
                        } else {
                            match (ranges[0], ranges[k]) {
                                (Some((l0, l1)), Some((r0, r1))) if r1 > r0 => {
                                    let scale = (l1 - l0) / (r1 - r0);
                                    (scale, l0 - r0 * scale)
                                }
                                _ => (1.0, 0.0),
                            }
                        }
                    }
                })
                .collect();
        let mut lo_hi: Option<(f64, f64)> = None;
        for (k, r) in ranges.iter().enumerate() {
            if !self.entries.get(k).is_some_and(|e| e.visible) {
                continue;
            }
            if let Some((a, b)) = r {
                let (s, o) = self.transforms[k];
                let (p, q) = (a * s + o, b * s + o);
                let (p, q) = (p.min(q), p.max(q));
                lo_hi = Some(lo_hi.map_or((p, q), |(lo, hi)| (lo.min(p), hi.max(q))));
            }
        }
        if let Some((lo, hi)) = lo_hi {
            // A log axis needs positive values; keep the last range otherwise.
            if let Some(y) = padded_y(lo, hi, log_y, 0.06) {
                self.y_plot = Some(y);
            }
        }
    }

    /// Shows the comparison: toolbar (ranges, log, rebase day, mode), the plot and the
    /// range slider.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        self.poll_jobs(ui.ctx());
        self.toolbar_ui(ui);
        let Some(a) = &self.aligned else {
            ui.centered_and_justified(|ui| {
                ui.label(if self.entries.is_empty() {
                    "Add series to compare"
                } else {
                    "Loading…"
                })
            });
            return;
        };
        let calendar = Arc::clone(&a.calendar);
        let lines: Vec<AlignedLine> = a
            .lines
            .iter()
            .map(|l| (Arc::clone(&l.line), Arc::clone(&l.values)))
            .collect();
        let n = calendar.len();
        let mode = self.effective_mode();
        let log_y = self.effective_log_y();
        let height =
            (ui.available_height() - SLIDER_HEIGHT - ui.spacing().item_spacing.y).max(100.0);
        let line_px = theme::LINE_WIDTH_PT * ui.ctx().pixels_per_point();

        let plot = self.axes_plot(ui, &calendar, mode, log_y, height);
        let plot = self.with_tooltip(plot, &lines, &calendar, mode, log_y);
        let mut count_cmds = Vec::new();
        let mut pointer = None;
        let mut clicked_at = None;
        let response = plot.show(ui, |plot_ui: &mut PlotUi<'_>| {
            let response = plot_ui.response().clone();
            let (view, _) = navigate(self.view, n, &response, *plot_ui.transform().frame());
            self.view = view;
            self.fit_y();
            let (y0, y1) = self.y_plot.unwrap_or((0.0, 1.0));
            plot_ui.set_plot_bounds(PlotBounds::from_min_max(
                [self.view.start, y0],
                [self.view.end, y1],
            ));
            pointer = plot_ui.pointer_coordinate().filter(|_| response.hovered());
            if response.clicked() {
                clicked_at = plot_ui.pointer_coordinate();
            }
            // The line nearest the pointer is highlighted, the others dimmed.
            self.hover_bar = pointer.and_then(|p| bar_at(&calendar, p.x));
            self.highlight = match (pointer, self.hover_bar) {
                (Some(p), Some(i)) => nearest_line(&self.line_refs(), i, p.y, log_y),
                _ => self.emphasis.filter(|k| self.is_visible(*k)),
            };
            let cmds = self.line_cmds(&lines, line_px);
            count_cmds.clone_from(&cmds);
            plot_ui.add(GpuLayer::new(cmds, log_y));
            if let Some(i) = self.rebase_index().filter(|_| self.anchor.is_some()) {
                plot_ui.add(
                    VLine::new("", i as f64)
                        .color(ANCHOR_COLOR)
                        .style(egui_plot::LineStyle::dashed_loose()),
                );
            }
        });
        self.plot_transform = Some(response.transform);
        self.right_axis = if mode == CompareMode::DualAxis {
            self.paint_right_axis(ui, &response.transform, response.response.rect)
        } else {
            Vec::new()
        };
        self.tooltip = pointer
            .and(self.hover_bar)
            .map(|i| self.tooltip_at(&calendar, i, mode, log_y));
        if self.picking_anchor
            && let Some(p) = clicked_at
            && let Some(i) = bar_at(&calendar, p.x)
        {
            self.set_anchor(Some(calendar[i]));
        }
        self.primitives = count_primitives(&DrawList {
            view: super::view_of(&response.transform, ui.ctx().pixels_per_point(), log_y),
            cmds: count_cmds,
        });
        if let Some(v) = range_slider_ui(ui, self.view, n, SLIDER_HEIGHT) {
            self.view = v;
            self.fit_y();
        }
    }

    /// The plot with its y axes: the left in the first series' units (or rebased units), and
    /// in dual-axis mode a right axis for the second series, whose ticks are painted after
    /// the plot. Transforms are those fitted last frame.
    fn axes_plot<'a>(
        &self,
        ui: &egui::Ui,
        calendar: &Arc<[NaiveDate]>,
        mode: CompareMode,
        log_y: bool,
        height: f32,
    ) -> Plot<'a> {
        let left_fmt = move |mark: egui_plot::GridMark, _: &std::ops::RangeInclusive<f64>| {
            axis_label(mode, log_y, mark.value, mark.step_size)
        };
        let plot = base_plot(
            self.id.with("plot"),
            Arc::clone(calendar),
            self.id.with("x_link"),
        )
        .height(height)
        .y_grid_spacer(move |input| {
            if log_y {
                // base_step_size is log10 units per 8 points: labels ~40 points apart.
                log_marks(input.bounds.0, input.bounds.1, input.base_step_size * 5.0)
            } else {
                nice_linear_marks(&input)
            }
        });
        if mode != CompareMode::DualAxis {
            return plot.y_axis_formatter(left_fmt);
        }
        let mut left = AxisHints::new_y()
            .placement(HPlacement::Left)
            .formatter(left_fmt);
        // The right axis has ticks of its own (painted after the plot): the left grid
        // mapped into its units would read 316.01545, 308.74780…
        let right = AxisHints::new_y()
            .placement(HPlacement::Right)
            .formatter(|_, _| String::new())
            .min_thickness(self.right_axis_width(ui));
        if let Some(c) = self.color(0) {
            left = left.tick_label_color(c);
        }
        plot.custom_y_axes(vec![left, right])
    }

    /// The plot's tooltip: the line under the pointer and the day's extremes, never all N.
    fn with_tooltip<'a>(
        &self,
        plot: Plot<'a>,
        lines: &[AlignedLine],
        calendar: &Arc<[NaiveDate]>,
        mode: CompareMode,
        log_y: bool,
    ) -> Plot<'a> {
        let tip_names = Arc::clone(&self.names);
        let tip_lines = lines.to_vec();
        let tip_calendar = Arc::clone(calendar);
        let tip_transforms = self.transforms.clone();
        let tip_visible: Vec<bool> = self.entries.iter().map(|e| e.visible).collect();
        let tip_formats: Vec<PriceFormat> = (0..self.entries.len())
            .map(|k| self.price_format(k))
            .collect();
        plot.label_formatter(move |pos| {
            let (HoverPosition::Elsewhere { position }
            | HoverPosition::NearDataPoint { position, .. }) = *pos;
            let i = bar_at(&tip_calendar, position.x)?;
            let refs: Vec<LineRef<'_>> = tip_lines
                .iter()
                .enumerate()
                .map(|(k, l)| LineRef {
                    values: &l.1,
                    transform: tip_transforms.get(k).copied().unwrap_or((1.0, 0.0)),
                    visible: tip_visible.get(k).copied().unwrap_or(true),
                    price_format: tip_formats.get(k).copied().unwrap_or_default(),
                })
                .collect();
            let h = nearest_line(&refs, i, position.y, log_y);
            Some(tooltip_text(
                &tip_calendar[i].format("%Y-%m-%d %a").to_string(),
                &tip_names,
                &refs,
                i,
                h,
                mode,
                log_y,
            ))
        })
    }

    /// The visible lines' draw commands: the highlighted one wider and last (on top), the
    /// others dimmed while one is highlighted.
    fn line_cmds(&self, lines: &[AlignedLine], line_px: f32) -> Vec<DrawCmd> {
        let mut cmds = Vec::with_capacity(self.entries.len());
        let mut top = None;
        for (k, entry) in self.entries.iter().enumerate() {
            let Some((line, _)) = lines.get(k) else {
                continue;
            };
            if !entry.visible {
                continue;
            }
            let (s, o) = self.transforms.get(k).copied().unwrap_or((1.0, 0.0));
            let (color, width_px) = match self.highlight {
                None => (theme::rgba(entry.color), line_px),
                Some(h) if h == k => (theme::rgba(entry.color), line_px * HIGHLIGHT_WIDTH),
                Some(_) => (theme::rgba_dimmed(entry.color, DIMMED_ALPHA), line_px),
            };
            let cmd = DrawCmd::Line {
                data: Arc::clone(line),
                color,
                width_px,
                y_scale: s,
                y_offset: o,
            };
            if self.highlight == Some(k) {
                top = Some(cmd);
            } else {
                cmds.push(cmd);
            }
        }
        cmds.extend(top);
        cmds
    }

    /// The short tooltip of bar `i` of the shared calendar, as the chart shows it beside the
    /// plot's own (the highlighted line and the day's extremes).
    fn tooltip_at(
        &self,
        calendar: &[NaiveDate],
        i: usize,
        mode: CompareMode,
        log_y: bool,
    ) -> String {
        tooltip_text(
            &calendar[i].format("%Y-%m-%d %a").to_string(),
            &self.names,
            &self.line_refs(),
            i,
            self.highlight,
            mode,
            log_y,
        )
    }

    /// Width of the dual-axis mode's right axis: its widest label last frame, with margins.
    fn right_axis_width(&self, ui: &egui::Ui) -> f32 {
        let font = egui::TextStyle::Body.resolve(ui.style());
        let widest = self
            .right_axis
            .iter()
            .map(|(_, label)| {
                ui.fonts_mut(|f| {
                    f.layout_no_wrap(label.clone(), font.clone(), egui::Color32::WHITE)
                        .size()
                        .x
                })
            })
            .fold(0.0_f32, f32::max);
        (widest + 2.0 * RIGHT_AXIS_MARGIN).max(RIGHT_AXIS_MIN_WIDTH)
    }

    /// Paints the right axis of the dual-axis mode beside the plot drawn with `transform`
    /// (`widget` is the whole plot, axes included): round ticks in the second series' own
    /// units, in its colour, with a short tick mark at the plot's edge. Returns the ticks.
    fn paint_right_axis(
        &self,
        ui: &egui::Ui,
        transform: &egui_plot::PlotTransform,
        widget: egui::Rect,
    ) -> Vec<(f64, String)> {
        let (s, o) = self.transforms.get(1).copied().unwrap_or((1.0, 0.0));
        if !(s.is_finite() && s != 0.0 && o.is_finite()) {
            return Vec::new();
        }
        let frame = *transform.frame();
        let bounds = transform.bounds();
        let (r0, r1) = ((bounds.min()[1] - o) / s, (bounds.max()[1] - o) / s);
        let ticks = linear_ticks(
            r0.min(r1),
            r0.max(r1),
            f64::from(frame.height()),
            RIGHT_TICK_SPACING_PT,
        );
        let color = self.color(1).unwrap_or(ui.visuals().text_color());
        let font = egui::TextStyle::Body.resolve(ui.style());
        // The axis' own strip right of the plot (the plot widget's response covers the
        // plot area only), a label's half height above and below it.
        let right = widget
            .right()
            .max(frame.right() + self.right_axis_width(ui));
        let painter = ui.painter().with_clip_rect(egui::Rect::from_x_y_ranges(
            frame.left()..=right,
            (frame.top() - 10.0)..=(frame.bottom() + 10.0),
        ));
        let mut out = Vec::with_capacity(ticks.len());
        for (value, step) in ticks {
            let y = transform.position_from_point_y(value * s + o);
            if y < frame.top() || y > frame.bottom() {
                continue;
            }
            let label = format_price_mark(value, step);
            painter.line_segment(
                [
                    egui::pos2(frame.right() - 4.0, y),
                    egui::pos2(frame.right(), y),
                ],
                egui::Stroke::new(1.0, color),
            );
            painter.text(
                egui::pos2(frame.right() + RIGHT_AXIS_MARGIN, y),
                egui::Align2::LEFT_CENTER,
                &label,
                font.clone(),
                color,
            );
            out.push((value, label));
        }
        out
    }

    fn toolbar_ui(&mut self, ui: &mut egui::Ui) {
        ui.horizontal_wrapped(|ui| {
            let active_range = self.active_range();
            for preset in RangePreset::ALL {
                let active = active_range == Some(preset);
                if ui.selectable_label(active, preset.label()).clicked() {
                    self.apply_range(preset);
                }
            }
            if self.mode_picker {
                // A host that picks the mode (the app's view) offers the log axis too.
                ui.separator();
                let mut log_y = self.log_y;
                if ui
                    .checkbox(&mut log_y, "Log")
                    .on_hover_text("Logarithmic y axis (rebased, % change and absolute modes)")
                    .changed()
                {
                    self.set_log_y(log_y);
                }
                ui.separator();
                let mut mode = self.mode;
                egui::ComboBox::from_label("Scale")
                    .selected_text(mode.label())
                    .show_ui(ui, |ui| {
                        for m in CompareMode::ALL {
                            ui.selectable_value(&mut mode, m, m.label());
                        }
                    });
                if mode != self.mode {
                    self.set_mode(mode);
                }
            }
            if self.is_loading() {
                ui.spinner();
            }
        });
    }
}

/// Smallest distance between the right axis' ticks, in points.
const RIGHT_TICK_SPACING_PT: f64 = 40.0;
/// Space left and right of the right axis' labels, in points.
const RIGHT_AXIS_MARGIN: f32 = 4.0;
/// Narrowest right axis, in points.
const RIGHT_AXIS_MIN_WIDTH: f32 = 48.0;

/// Colour of the rebase-day marker.
const ANCHOR_COLOR: egui::Color32 = egui::Color32::from_rgb(200, 200, 200);

/// The left axis' label of a mark at `value` (plot units: log10 of the value on a log
/// axis), `step` from the next: prices and rebased values with the decimals the step
/// needs, percent changes signed. On a log axis the marks are uneven, so values are
/// formatted by their own size.
fn axis_label(mode: CompareMode, log_y: bool, value: f64, step: f64) -> String {
    if log_y {
        // Marks sit on round values (see `log_marks`): each written with the decimals it
        // needs (150, 2.5), not those of its neighbours.
        let v = 10f64.powf(value);
        let v = (v * 1e9).round() / 1e9;
        return match mode {
            CompareMode::PercentChange => format_percent_mark(v - 100.0, round_value_step(v)),
            _ => format_price_mark(v, round_value_step(v)),
        };
    }
    match mode {
        CompareMode::PercentChange => format_percent_mark(value, step),
        _ => format_price_mark(value, step),
    }
}

/// Builds the shared calendar (union of every series' days) and each series' close on it:
/// NaN before its first day and after its last, carried forward over days it did not trade.
/// Every day of any series, ascending: each series' days marked in one flag per calendar
/// day between the earliest and the latest (a few thousand flags for decades), then read
/// out in order — linear in the bars, where sorting 500 x 6,300 days was not.
fn union_of_days(series: &[Arc<crate::model::DailySeries>]) -> Vec<NaiveDate> {
    use chrono::Datelike as _;
    let bounds = series
        .iter()
        .filter_map(|s| Some((s.first_day()?, s.last_day()?)))
        .reduce(|(a, b), (c, d)| (a.min(c), b.max(d)));
    let Some((first, last)) = bounds else {
        return Vec::new();
    };
    let origin = first.num_days_from_ce();
    let span = usize::try_from(last.num_days_from_ce() - origin).unwrap_or(0) + 1;
    let mut present = vec![false; span];
    for s in series {
        for d in s.days() {
            // Within the bounds by construction.
            if let Ok(i) = usize::try_from(d.num_days_from_ce() - origin) {
                present[i] = true;
            }
        }
    }
    present
        .iter()
        .enumerate()
        .filter(|(_, on)| **on)
        .filter_map(|(i, _)| first.checked_add_days(chrono::Days::new(i as u64)))
        .collect()
}

fn align(series: &[Arc<crate::model::DailySeries>]) -> Alignment {
    let calendar = union_of_days(series);
    let lines = series
        .par_iter()
        .map(|s| {
            let mut values = vec![f64::NAN; calendar.len()];
            if let (Some(first), Some(last)) = (s.first_day(), s.last_day()) {
                let start = calendar.partition_point(|d| *d < first);
                let mut j = 0;
                let mut carried = f64::NAN;
                for (i, d) in calendar.iter().enumerate().skip(start) {
                    if *d > last {
                        break;
                    }
                    while j < s.len() && s.days()[j] <= *d {
                        carried = s.close()[j];
                        j += 1;
                    }
                    values[i] = carried;
                }
            }
            let line = GpuLine::new(LinePyramid::build(&values));
            Aligned {
                values: Arc::new(values),
                line,
            }
        })
        .collect();
    Alignment {
        calendar: Arc::from(calendar),
        lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Bar, DailySeries};

    fn series(days: &[(u32, f64)]) -> Arc<DailySeries> {
        let bars = days
            .iter()
            .map(|&(d, c)| Bar::ohlc(NaiveDate::from_ymd_opt(2024, 1, d).unwrap(), c, c, c, c));
        Arc::new(DailySeries::from_bars(bars).0)
    }

    #[test]
    fn axis_labels_follow_the_mark_step() {
        // EURUSD=X in absolute mode: marks 0.0025 apart never read the same.
        assert_eq!(
            axis_label(CompareMode::Absolute, false, 1.0725, 0.0025),
            "1.0725"
        );
        assert_eq!(
            axis_label(CompareMode::DualAxis, false, 53_500.0, 500.0),
            "53,500"
        );
        assert_eq!(
            axis_label(CompareMode::Rebased100, false, 102.5, 0.5),
            "102.5"
        );
        assert_eq!(
            axis_label(CompareMode::PercentChange, false, 1.5, 0.5),
            "+1.5%"
        );
        // Log axis: the mark is log10 of the value (rebased 100 = percent change 0).
        assert_eq!(
            axis_label(CompareMode::PercentChange, true, 2.0, 0.1),
            "+0%"
        );
        assert_eq!(axis_label(CompareMode::Absolute, true, 3.0, 0.1), "1,000");
        assert_eq!(
            axis_label(CompareMode::Absolute, true, 150f64.log10(), 0.1),
            "150"
        );
        assert_eq!(
            axis_label(CompareMode::PercentChange, true, 60f64.log10(), 0.1),
            "-40%"
        );
    }

    #[test]
    fn alignment_is_a_union_with_carry_forward() {
        let a = series(&[(2, 10.0), (3, 11.0), (5, 12.0)]);
        let b = series(&[(3, 100.0), (4, 101.0)]);
        let al = align(&[a, b]);
        assert_eq!(al.calendar.len(), 4);
        assert_eq!(al.lines[0].values.as_slice(), &[10.0, 11.0, 11.0, 12.0]);
        let v = &al.lines[1].values;
        assert!(v[0].is_nan() && v[3].is_nan());
        assert_eq!(&v[1..3], &[100.0, 101.0]);
    }

    #[test]
    fn rebase_uses_first_finite_visible_value() {
        let v = [f64::NAN, f64::NAN, 5.0, 6.0];
        assert_eq!(ComparisonChart::base_value(&v, 0), Some(5.0));
        assert_eq!(ComparisonChart::base_value(&v, 3), Some(6.0));
        assert_eq!(ComparisonChart::base_value(&v, 9), None);
    }
}

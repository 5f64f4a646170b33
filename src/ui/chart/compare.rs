//! The comparison chart: many series as close lines on one shared calendar (the union of
//! their trading days), absolute, rebased to 100 / percent change at the first visible day,
//! or on two y axes for two series.

use std::sync::Arc;

use chrono::NaiveDate;
use egui::Vec2b;
use egui_plot::{AxisHints, HPlacement, HoverPosition, Legend, PlotBounds, PlotUi};
use rayon::prelude::*;

use super::candle::{base_plot, navigate, nice_linear_marks, range_slider_ui};
use super::jobs::Jobs;
use super::time_axis::{RangePreset, XView, bar_at};
use super::{
    ChartSeries, GpuLayer, LegendEntry, format_price, format_price_mark, hidden_in_legend, padded_y,
};
use crate::compute::lod::LinePyramid;
use crate::render::{DrawCmd, DrawList, GpuLine, count_primitives};
use crate::ui::theme;

/// How the comparison maps values to the y axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompareMode {
    /// Raw values on one axis (series in the same unit).
    Absolute,
    /// Each series rebased to 100 at the first visible day.
    Rebased100,
    /// Each series as percent change since the first visible day.
    PercentChange,
    /// Two series: the first on the left axis in its units, the second on the right axis in
    /// its units (mapped linearly onto the left's visible range). With more than two series
    /// it falls back to [`CompareMode::Rebased100`].
    DualAxis,
}

impl CompareMode {
    /// Every mode, in menu order.
    pub const ALL: [Self; 4] = [
        Self::Rebased100,
        Self::PercentChange,
        Self::DualAxis,
        Self::Absolute,
    ];

    /// Menu label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Absolute => "Absolute",
            Self::Rebased100 => "Rebased to 100",
            Self::PercentChange => "% change",
            Self::DualAxis => "Dual axis",
        }
    }
}

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
}

/// The comparison chart.
pub struct ComparisonChart {
    id: egui::Id,
    entries: Vec<Entry>,
    aligned: Option<Alignment>,
    mode: CompareMode,
    view: XView,
    view_set: bool,
    y_plot: Option<(f64, f64)>,
    transforms: Vec<(f64, f64)>,
    jobs: Jobs<Alignment>,
    requested: bool,
    primitives: u64,
    mode_picker: bool,
}

impl ComparisonChart {
    /// An empty comparison; `id_salt` must be unique among charts shown at once.
    pub fn new(id_salt: impl std::hash::Hash + std::fmt::Debug) -> Self {
        Self {
            id: egui::Id::unique(("wickview_comparison_chart", id_salt)),
            entries: Vec::new(),
            aligned: None,
            mode: CompareMode::Rebased100,
            view: XView::full(0),
            view_set: false,
            y_plot: None,
            transforms: Vec::new(),
            jobs: Jobs::new(),
            requested: false,
            primitives: 0,
            mode_picker: true,
        }
    }

    /// Whether the toolbar offers its own mode picker (on by default; a host that picks the
    /// mode itself, like the app's comparison view, turns it off).
    pub fn set_mode_picker(&mut self, show: bool) {
        self.mode_picker = show;
    }

    /// Replaces the compared series (colours from the theme's comparison palette). The
    /// shared calendar is built in the background; the view keeps its dates if it can.
    pub fn set_series(&mut self, series: Vec<ChartSeries>) {
        self.entries = series
            .into_iter()
            .enumerate()
            .map(|(i, series)| Entry {
                series,
                color: theme::comparison_color(i),
            })
            .collect();
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

    /// Names of the compared series, in order.
    pub fn series_names(&self) -> Vec<&str> {
        self.entries
            .iter()
            .map(|e| e.series.name.as_str())
            .collect()
    }

    /// Sets the y mapping.
    pub fn set_mode(&mut self, mode: CompareMode) {
        self.mode = mode;
        self.fit_y(&egui_plot::ItemIdSet::default());
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

    /// The visible x range (indices into the shared calendar).
    pub fn view(&self) -> XView {
        self.view
    }

    /// Sets the visible x range (clamped to the shared calendar).
    pub fn set_view(&mut self, view: XView) {
        let n = self.calendar().map_or(0, <[NaiveDate]>::len);
        self.view = view.clamped(n);
        self.view_set = true;
        self.fit_y(&egui_plot::ItemIdSet::default());
    }

    /// Shows a preset range ending at the last day of the shared calendar.
    pub fn apply_range(&mut self, preset: RangePreset) {
        if let Some(a) = &self.aligned {
            self.view = preset.view(&a.calendar);
            self.view_set = true;
            self.fit_y(&egui_plot::ItemIdSet::default());
        }
    }

    /// The shared calendar, once built.
    pub fn calendar(&self) -> Option<&[NaiveDate]> {
        self.aligned.as_ref().map(|a| &a.calendar[..])
    }

    /// The y range in plotted units (rebased values, percent, or the left axis' units).
    pub fn y_bounds(&self) -> Option<(f64, f64)> {
        self.y_plot
    }

    /// Per series `(scale, offset)`: plotted = value * scale + offset.
    pub fn transforms(&self) -> &[(f64, f64)] {
        &self.transforms
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

    fn poll_jobs(&mut self, ctx: &egui::Context) {
        for a in self.jobs.poll() {
            let n = a.calendar.len();
            if !self.view_set {
                self.view = RangePreset::M1.view(&a.calendar);
                self.view_set = true;
            } else {
                self.view = self.view.clamped(n);
            }
            self.aligned = Some(a);
            self.fit_y(&egui_plot::ItemIdSet::default());
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

    fn fit_y(&mut self, hidden: &egui_plot::ItemIdSet) {
        let Some(a) = &self.aligned else {
            self.y_plot = None;
            return;
        };
        let range = self.view.bar_range(a.calendar.len());
        let mode = self.effective_mode();
        let ranges: Vec<Option<(f64, f64)>> = a
            .lines
            .iter()
            .map(|l| l.line.pyramid().min_max(range.clone()))
            .collect();
        self.transforms = a
            .lines
            .iter()
            .enumerate()
            .map(|(k, l)| match mode {
                CompareMode::Absolute => (1.0, 0.0),
                CompareMode::Rebased100 => Self::base_value(&l.values, range.start)
                    .map_or((1.0, 0.0), |b| (100.0 / b, 0.0)),
                CompareMode::PercentChange => Self::base_value(&l.values, range.start)
                    .map_or((1.0, 0.0), |b| (100.0 / b, -100.0)),
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
            let name = &self.entries.get(k).map_or("", |e| e.series.name.as_str());
            if hidden.contains(&egui_plot::ItemId::new(*name)) {
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
            self.y_plot = padded_y(lo, hi, false, 0.06);
        }
    }

    /// Shows the comparison: toolbar (ranges, mode), the plot and the range slider.
    pub fn ui(&mut self, ui: &mut egui::Ui) {
        self.poll_jobs(ui.ctx());
        ui.horizontal_wrapped(|ui| {
            for preset in RangePreset::ALL {
                let active = self.calendar().is_some_and(|c| preset.view(c) == self.view);
                if ui.selectable_label(active, preset.label()).clicked() {
                    self.apply_range(preset);
                }
            }
            if self.mode_picker {
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
        let lines: Vec<(Arc<GpuLine>, Arc<Vec<f64>>)> = a
            .lines
            .iter()
            .map(|l| (Arc::clone(&l.line), Arc::clone(&l.values)))
            .collect();
        let n = calendar.len();
        let plot_id = self.id.with("plot");
        let hidden = hidden_in_legend(ui.ctx(), plot_id);
        let mode = self.effective_mode();
        let names: Vec<(String, egui::Color32)> = self
            .entries
            .iter()
            .map(|e| (e.series.name.clone(), e.color))
            .collect();
        let slider_h = 18.0;
        let height = (ui.available_height() - slider_h - ui.spacing().item_spacing.y).max(100.0);
        let line_px = theme::LINE_WIDTH_PT * ui.ctx().pixels_per_point();

        // Axis labels: left in the first series' units (or rebased units), right for the
        // second series in dual-axis mode. Transforms are those fitted last frame.
        let left_fmt =
            move |mark: egui_plot::GridMark, _: &std::ops::RangeInclusive<f64>| match mode {
                CompareMode::PercentChange => format!("{:+.0}%", mark.value),
                _ => format_price_mark(mark.value, mark.step_size),
            };
        let mut plot = base_plot(plot_id, Arc::clone(&calendar), self.id.with("x_link"))
            .height(height)
            .y_grid_spacer(|input| nice_linear_marks(&input))
            .legend(
                Legend::default()
                    .position(egui_plot::Corner::LeftTop)
                    .follow_insertion_order(true),
            );
        if mode == CompareMode::DualAxis {
            let (s, o) = self.transforms.get(1).copied().unwrap_or((1.0, 0.0));
            let left_color = names.first().map(|n| n.1);
            let right_color = names.get(1).map(|n| n.1);
            let mut left = AxisHints::new_y()
                .placement(HPlacement::Left)
                .formatter(left_fmt);
            let mut right =
                AxisHints::new_y()
                    .placement(HPlacement::Right)
                    .formatter(move |mark, _| {
                        format_price_mark((mark.value - o) / s, mark.step_size / s.abs())
                    });
            if let Some(c) = left_color {
                left = left.tick_label_color(c);
            }
            if let Some(c) = right_color {
                right = right.tick_label_color(c);
            }
            plot = plot.custom_y_axes(vec![left, right]);
        } else {
            plot = plot.y_axis_formatter(left_fmt);
        }
        let tooltip_names = names.clone();
        let tooltip_lines = lines.clone();
        let tooltip_calendar = Arc::clone(&calendar);
        let tooltip_transforms = self.transforms.clone();
        plot = plot.label_formatter(move |pos| {
            let (HoverPosition::Elsewhere { position }
            | HoverPosition::NearDataPoint { position, .. }) = *pos;
            let i = bar_at(&tooltip_calendar, position.x)?;
            let mut text = tooltip_calendar[i].format("%Y-%m-%d %a").to_string();
            for (k, (name, _)) in tooltip_names.iter().enumerate() {
                let v = tooltip_lines
                    .get(k)
                    .and_then(|l| l.1.get(i))
                    .copied()
                    .unwrap_or(f64::NAN);
                let (s, o) = tooltip_transforms.get(k).copied().unwrap_or((1.0, 0.0));
                let shown = match mode {
                    CompareMode::Rebased100 => format!("{} ({:.1})", format_price(v), v * s + o),
                    CompareMode::PercentChange => {
                        format!("{} ({:+.2}%)", format_price(v), v * s + o)
                    }
                    CompareMode::Absolute | CompareMode::DualAxis => format_price(v),
                };
                text.push_str(&format!("\n{name} {shown}"));
            }
            Some(text)
        });
        let mut count_cmds = Vec::new();
        let response = plot.show(ui, |plot_ui: &mut PlotUi<'_>| {
            let response = plot_ui.response().clone();
            let (view, _) = navigate(self.view, n, &response, *plot_ui.transform().frame());
            self.view = view;
            self.fit_y(&hidden);
            let (y0, y1) = self.y_plot.unwrap_or((0.0, 1.0));
            plot_ui.set_plot_bounds(PlotBounds::from_min_max(
                [self.view.start, y0],
                [self.view.end, y1],
            ));
            let mut cmds = Vec::new();
            for (k, (name, color)) in names.iter().enumerate() {
                let Some((line, _)) = lines.get(k) else {
                    continue;
                };
                if hidden.contains(&egui_plot::ItemId::new(name.as_str())) {
                    continue;
                }
                let (s, o) = self.transforms.get(k).copied().unwrap_or((1.0, 0.0));
                cmds.push(DrawCmd::Line {
                    data: Arc::clone(line),
                    color: theme::rgba(*color),
                    width_px: line_px,
                    y_scale: s,
                    y_offset: o,
                });
            }
            count_cmds.clone_from(&cmds);
            plot_ui.add(GpuLayer::new(cmds, false));
            for (name, color) in &names {
                plot_ui.add(LegendEntry::new(name, *color));
            }
        });
        self.primitives = count_primitives(&DrawList {
            view: super::view_of(&response.transform, ui.ctx().pixels_per_point(), false),
            cmds: count_cmds,
        });
        if let Some(v) = range_slider_ui(ui, self.view, n, slider_h) {
            self.view = v;
            self.fit_y(&hidden);
        }
        let _ = Vec2b::TRUE;
    }
}

/// Builds the shared calendar (union of every series' days) and each series' close on it:
/// NaN before its first day and after its last, carried forward over days it did not trade.
fn align(series: &[Arc<crate::model::DailySeries>]) -> Alignment {
    let mut calendar: Vec<NaiveDate> = series
        .iter()
        .flat_map(|s| s.days().iter().copied())
        .collect();
    calendar.par_sort_unstable();
    calendar.dedup();
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

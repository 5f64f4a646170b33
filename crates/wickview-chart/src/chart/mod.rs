//! The chart widgets: a candlestick chart with moving averages and a volume pane
//! ([`CandleChart`]), and the comparison chart of many series ([`ComparisonChart`]).
//!
//! Both are egui_plot plots (axes, grid, legend, crosshair) whose data is drawn by the wgpu
//! renderer of [`crate::render`] through an egui_wgpu paint callback; call
//! [`init_render_resources`] once at start-up. The x axis counts trading days (bar
//! indices, no gaps) with date labels; the view is owned by the chart (not by egui_plot) so
//! that panning is x-only, clamped to the history, and the y axis fits the visible data in
//! the same frame, answered by the level-of-detail pyramids.

mod axis_tags;
mod callback;
mod candle;
mod chart_type;
mod compare;
pub mod compare_axis;
mod compare_mode;
pub mod compare_read;
mod context_menu;
mod drawings;
mod interval;
mod jobs;
mod keys;
mod legend;
mod link;
mod pane_layout;
mod panes;
mod price_format;
mod price_scale;
mod provisional;
mod response;
mod time_axis;
mod y_axis;

use std::sync::Arc;

use egui::Color32;
use egui_plot::{PlotBounds, PlotGeometry, PlotItem, PlotItemBase, PlotTransform};

use crate::compute::lod::{CandlePyramid, LinePyramid};
use crate::model::DailySeries;
use crate::render::{DrawCmd, DrawList, GpuCandles, GpuLine, ViewTransform};
use crate::theme::CandleColors;

pub use callback::{ChartCallback, init_render_resources};
pub use candle::{CandleChart, MaOverlay};
pub use chart_type::ChartType;
pub use compare::ComparisonChart;
pub use compare_mode::CompareMode;
pub use drawings::{DrawingLayer, PALETTE, Tool, measure_text};
pub use interval::interval_default_range;
pub use keys::{CHART_KEY_HELP, ChartKey, RANGE_KEYS, apply_view_key, chart_keys};
pub use link::{LinkState, LinkedSpan, view_of_days};
pub use panes::{ChartIndicator, IndicatorLine, PANE_DEFAULT_HEIGHT, PANE_MIN_HEIGHT};
pub use price_format::PriceFormat;
pub use price_scale::PriceScale;
pub use response::ChartResponse;
pub use time_axis::{RangePreset, XView, bar_at, calendar_marks, date_label};

/// One series ready to chart: its bars and, built on first use and shared by every clone,
/// its pyramids (candles for OHLC and volume, a line pyramid of the close). A comparison
/// draws its own aligned lines and never needs either, so a series only compared costs its
/// bars alone; a candle chart builds them at its first frame (one pass over the bars, well
/// under a millisecond for decades of daily bars) or [`ChartSeries::with_pyramids`] builds
/// them ahead, off the UI thread.
#[derive(Clone, Debug)]
pub struct ChartSeries {
    /// Display name (ticker or name).
    pub name: String,
    /// The bars.
    pub series: Arc<DailySeries>,
    pyramids: Arc<Pyramids>,
    /// Whether some bar has only a close: the price is then drawn as the close line,
    /// never as invented candles.
    pub close_only: bool,
    /// How its prices are written (whole won and yen).
    pub price_format: PriceFormat,
}

#[derive(Debug, Default)]
struct Pyramids {
    candles: std::sync::OnceLock<Arc<GpuCandles>>,
    close: std::sync::OnceLock<Arc<GpuLine>>,
}

impl ChartSeries {
    /// A series to chart; its pyramids are built when first needed.
    pub fn new(name: impl Into<String>, series: Arc<DailySeries>) -> Self {
        Self {
            name: name.into(),
            close_only: series.has_close_only(),
            series,
            pyramids: Arc::default(),
            price_format: PriceFormat::Auto,
        }
    }

    /// The same series with its prices written as `format` says.
    #[must_use]
    pub fn with_price_format(mut self, format: PriceFormat) -> Self {
        self.price_format = format;
        self
    }

    /// Builds both pyramids now (for a caller off the UI thread).
    pub fn with_pyramids(self) -> Self {
        self.candles();
        self.close();
        self
    }

    /// The candle pyramid (OHLC and volume), uploaded to the GPU on first draw.
    pub fn candles(&self) -> &Arc<GpuCandles> {
        self.pyramids
            .candles
            .get_or_init(|| GpuCandles::new(CandlePyramid::from_series(&self.series)))
    }

    /// The close-line pyramid.
    pub fn close(&self) -> &Arc<GpuLine> {
        self.pyramids
            .close
            .get_or_init(|| GpuLine::new(LinePyramid::build(self.series.close())))
    }

    /// Whether the pyramids were built (tests and memory estimates).
    pub fn has_pyramids(&self) -> bool {
        self.pyramids.candles.get().is_some() || self.pyramids.close.get().is_some()
    }

    /// What draws the price: candles in `colors`, or the close line of a close-only series.
    pub(crate) fn price_cmd(&self, colors: CandleColors, width_px: f32) -> DrawCmd {
        if self.close_only {
            DrawCmd::Line {
                data: Arc::clone(self.close()),
                color: crate::theme::rgba(crate::theme::CLOSE_LINE),
                width_px,
                y_scale: 1.0,
                y_offset: 0.0,
            }
        } else {
            DrawCmd::Candles {
                data: Arc::clone(self.candles()),
                up: crate::theme::rgba(colors.up),
                down: crate::theme::rgba(colors.down),
            }
        }
    }

    /// The lowest and highest price drawn over the bars `range`: low/high of the candles,
    /// or the close line's range for a close-only series.
    pub(crate) fn price_range(&self, range: std::ops::Range<usize>) -> Option<(f64, f64)> {
        if self.close_only {
            self.close().pyramid().min_max(range)
        } else {
            self.candles().pyramid().price_range(range)
        }
    }

    /// Number of bars.
    pub fn len(&self) -> usize {
        self.series.len()
    }

    /// Whether there are no bars.
    pub fn is_empty(&self) -> bool {
        self.series.is_empty()
    }
}

/// Decimals a price of this size is shown with: none from 10,000 (53,400), two from 10
/// (151.23, 1,380.25), four below (1.0845, 0.8123), more for tiny prices (at least four
/// significant digits).
fn price_decimals(v: f64) -> usize {
    let a = v.abs();
    if a >= 10_000.0 {
        0
    } else if a >= 10.0 {
        2
    } else if a >= 0.1 || a == 0.0 {
        4
    } else {
        // 0.012345 → 0.01235: four significant digits, at most 10 decimals.
        let leading_zeros = (-a.log10()).floor().max(0.0) as usize;
        (leading_zeros + 4).min(10)
    }
}

fn format_with(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "–".to_owned();
    }
    if v == 0.0 {
        return "0".to_owned();
    }
    group_thousands(&format!("{v:.decimals$}"))
}

/// Formats a price with a precision that suits its size (53,400 / 1,380.25 / 151.23 /
/// 1.0845 / 0.8123): tooltip, legend and every other text.
pub fn format_price(v: f64) -> String {
    format_with(v, price_decimals(v))
}

/// Formats an axis mark `step` apart from the next with the decimals the step needs, so
/// neighbouring marks never read the same (1.0700, 1.0725, 1.0750 rather than 1.07, 1.07,
/// 1.08; 53,500 and 3,000 without decimals). Without a usable step, as [`format_price`].
pub fn format_price_mark(v: f64, step: f64) -> String {
    if !(step.is_finite() && step > 0.0) {
        return format_price(v);
    }
    format_with(v, step_decimals(step))
}

/// The decimals that tell marks `step` apart: a step of 0.0025 needs 4, 0.5 needs 1,
/// 100 none.
fn step_decimals(step: f64) -> usize {
    let mut decimals = 0usize;
    while decimals < 10 {
        let scaled = step * 10f64.powi(decimals as i32);
        if (scaled - scaled.round()).abs() < 1e-6 * scaled.max(1.0) {
            break;
        }
        decimals += 1;
    }
    decimals
}

/// Formats a percent-change axis mark (`+12%`, `−0.5%` when marks are half a percent
/// apart), with the decimals its `step` needs.
pub fn format_percent_mark(v: f64, step: f64) -> String {
    if !v.is_finite() {
        return "–".to_owned();
    }
    let decimals = if step.is_finite() && step > 0.0 {
        step_decimals(step)
    } else {
        0
    };
    // No "-0%" for a value that rounds to zero.
    let v = if format!("{:.decimals$}", v.abs())
        .trim_matches(['0', '.'])
        .is_empty()
    {
        0.0
    } else {
        v
    };
    format!("{v:+.decimals$}%")
}

/// Formats a volume compactly (1.2M, 350K).
pub fn format_volume(v: f64) -> String {
    let a = v.abs();
    if a >= 1e9 {
        format!("{:.2}B", v / 1e9)
    } else if a >= 1e6 {
        format!("{:.2}M", v / 1e6)
    } else if a >= 1e3 {
        format!("{:.1}K", v / 1e3)
    } else {
        format!("{v:.0}")
    }
}

fn group_thousands(s: &str) -> String {
    let (sign, rest) = s.strip_prefix('-').map_or(("", s), |r| ("-", r));
    let (int, frac) = rest
        .split_once('.')
        .map_or((rest, None), |(i, f)| (i, Some(f)));
    let mut out = String::with_capacity(s.len() + int.len() / 3);
    for (k, ch) in int.chars().enumerate() {
        if k > 0 && (int.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

/// `(min, max)` padded by `frac` of the span (or of the value when flat), in plotted units
/// (log10 when `log_y`).
pub(crate) fn padded_y(min: f64, max: f64, log_y: bool, frac: f64) -> Option<(f64, f64)> {
    let (lo, hi) = if log_y {
        if min <= 0.0 || max <= 0.0 {
            return None;
        }
        (min.log10(), max.log10())
    } else {
        (min, max)
    };
    if !(lo.is_finite() && hi.is_finite()) || hi < lo {
        return None;
    }
    let span = if hi > lo {
        hi - lo
    } else {
        (hi.abs() * 0.02).max(1e-6)
    };
    let mut bottom = lo - span * frac;
    if !log_y && lo >= 0.0 {
        // Prices are positive: padding never shows negative prices.
        bottom = bottom.max(0.0);
    }
    Some((bottom, hi + span * frac))
}

/// The plot item that draws a list of GPU commands through one paint callback.
struct GpuLayer {
    base: PlotItemBase,
    cmds: Vec<DrawCmd>,
    log_y: bool,
}

impl GpuLayer {
    /// A nameless item stays out of the legend (nameless items share one id, which is
    /// harmless: they are never hidden or highlighted).
    fn new(cmds: Vec<DrawCmd>, log_y: bool) -> Self {
        Self {
            base: PlotItemBase::new(String::new()),
            cmds,
            log_y,
        }
    }
}

/// The view of a paint rect for `transform`.
pub(crate) fn view_of(
    transform: &PlotTransform,
    pixels_per_point: f32,
    log_y: bool,
) -> ViewTransform {
    let b = transform.bounds();
    let frame = transform.frame();
    ViewTransform {
        x_min: b.min()[0],
        x_max: b.max()[0],
        y_min: b.min()[1],
        y_max: b.max()[1],
        log_y,
        width_px: frame.width() * pixels_per_point,
        height_px: frame.height() * pixels_per_point,
    }
}

impl PlotItem for GpuLayer {
    fn shapes(&self, ui: &egui::Ui, transform: &PlotTransform, shapes: &mut Vec<egui::Shape>) {
        let view = view_of(transform, ui.ctx().pixels_per_point(), self.log_y);
        if !view.is_drawable() || self.cmds.is_empty() {
            return;
        }
        let list = DrawList {
            view,
            cmds: self.cmds.clone(),
        };
        shapes.push(egui::Shape::Callback(
            egui_wgpu::Callback::new_paint_callback(
                *transform.frame(),
                ChartCallback::new(list).repaint_while_uploading(ui.ctx()),
            ),
        ));
    }

    fn initialize(&mut self, _x_range: std::ops::RangeInclusive<f64>) {}

    fn color(&self) -> Color32 {
        Color32::TRANSPARENT
    }

    fn geometry(&self) -> PlotGeometry<'_> {
        PlotGeometry::None
    }

    fn bounds(&self) -> PlotBounds {
        PlotBounds::NOTHING
    }

    fn base(&self) -> &PlotItemBase {
        &self.base
    }

    fn base_mut(&mut self) -> &mut PlotItemBase {
        &mut self.base
    }
}

/// Names hidden by clicking the legend of plot `plot_id` (last frame's state).
pub(crate) fn hidden_in_legend(ctx: &egui::Context, plot_id: egui::Id) -> egui_plot::ItemIdSet {
    egui_plot::PlotMemory::load(ctx, plot_id)
        .map(|m| m.hidden_items)
        .unwrap_or_default()
}

/// Wheel notches (positive = zoom in) over the last frame, read from raw events so that a
/// wheel zooms without a modifier and tests are deterministic.
pub(crate) fn wheel_notches(ctx: &egui::Context) -> f32 {
    ctx.input(|i| {
        let mut notches = 0.0;
        for e in &i.events {
            if let egui::Event::MouseWheel { unit, delta, .. } = e {
                let per_notch = match unit {
                    egui::MouseWheelUnit::Point => 50.0,
                    egui::MouseWheelUnit::Line => 1.0,
                    egui::MouseWheelUnit::Page => 0.1,
                };
                notches += (delta.y + delta.x) / per_notch;
            }
        }
        notches
    })
}

/// Zoom factor of one wheel notch.
pub const ZOOM_PER_NOTCH: f64 = 1.2;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_and_volumes_read_well() {
        assert_eq!(format_price(53400.0), "53,400");
        assert_eq!(format_price(1234567.4), "1,234,567");
        assert_eq!(format_price(172.349), "172.35");
        assert_eq!(format_price(0.81234), "0.8123");
        // Rates keep the digits that move: EURUSD=X, KRW=X, JPY=X.
        assert_eq!(format_price(1.084_52), "1.0845");
        assert_eq!(format_price(1380.25), "1,380.25");
        assert_eq!(format_price(151.234), "151.23");
        assert_eq!(format_price(0.012_345_6), "0.01235");
        assert_eq!(format_price(f64::NAN), "–");
        assert_eq!(format_price(-1500.0), "-1,500.00");
        assert_eq!(format_price(-15_000.0), "-15,000");
        assert_eq!(format_volume(12_345_678.0), "12.35M");
        assert_eq!(format_volume(950.0), "950");
        assert_eq!(format_price(0.0), "0");
    }

    #[test]
    fn axis_marks_never_repeat_a_label() {
        for (start, step) in [
            (1.07, 0.0025),
            (1.07, 0.005),
            (151.0, 0.25),
            (53_000.0, 100.0),
        ] {
            let labels: Vec<String> = (0..5)
                .map(|i| format_price_mark(start + f64::from(i) * step, step))
                .collect();
            let mut unique = labels.clone();
            unique.dedup();
            assert_eq!(unique, labels, "step {step}");
        }
        assert_eq!(format_percent_mark(12.0, 5.0), "+12%");
        assert_eq!(format_percent_mark(-0.5, 0.5), "-0.5%");
        assert_eq!(format_percent_mark(1.25, 0.25), "+1.25%");
        assert_eq!(format_percent_mark(-0.0001, 1.0), "+0%");
        assert_eq!(format_percent_mark(f64::NAN, 1.0), "–");
        assert_eq!(format_price_mark(1.0725, 0.0025), "1.0725");
        assert_eq!(format_price_mark(1.075, 0.005), "1.075");
        assert_eq!(format_price_mark(3_000.0, 100.0), "3,000");
        assert_eq!(format_price_mark(53_500.0, 500.0), "53,500");
        assert_eq!(format_price_mark(151.25, 0.25), "151.25");
    }

    #[test]
    fn y_padding_linear_and_log() {
        let (lo, hi) = padded_y(90.0, 110.0, false, 0.05).unwrap();
        assert!((lo - 89.0).abs() < 1e-9 && (hi - 111.0).abs() < 1e-9);
        let (lo, hi) = padded_y(10.0, 1000.0, true, 0.0).unwrap();
        assert!((lo - 1.0).abs() < 1e-12 && (hi - 3.0).abs() < 1e-12);
        assert!(padded_y(0.0, 10.0, true, 0.05).is_none());
        let (lo, hi) = padded_y(5.0, 5.0, false, 0.05).unwrap();
        assert!(lo < 5.0 && hi > 5.0);
        assert_eq!(
            padded_y(1.0, 100.0, false, 0.1).unwrap().0,
            0.0,
            "no negative prices"
        );
    }
}

//! The y axes of the candle chart's panes: round marks in every pane (several labels even in a
//! short pane), the oscillators' levels (RSI 30/50/70, Stochastic 20/50/80), no label so
//! close to a pane's edge that it would run into the next pane's, and one axis width for all
//! panes of a chart (the widest label of any pane), so their plots, and dates, line up.

use egui_plot::{GridInput, GridMark, PlotTransform};

use super::{PriceFormat, format_price, format_price_mark, format_volume};
use crate::compute::indicators::IndicatorKind;

/// egui_plot's default smallest grid spacing: `base_step_size` is value units per this many
/// points.
const GRID_SPACING_PT: f64 = 8.0;
/// Labels closer than this to a pane's top or bottom edge are left out (half a label's
/// height: it would spill over the edge into the neighbouring pane's labels).
const EDGE_CLEARANCE_PT: f64 = 8.0;
/// Fewest points between labelled marks of the price pane.
const PRICE_LABEL_SPACING_PT: f64 = 40.0;
/// Fewest points between labelled marks of the volume and indicator panes.
const PANE_LABEL_SPACING_PT: f64 = 22.0;
/// Fewest points between an oscillator's level labels (a label's height).
const LEVEL_LABEL_SPACING_PT: f64 = 15.0;
/// egui_plot paints a label only when its mark's step is wider than this (points).
const PLOT_LABEL_MIN_PT: f64 = 20.0;
/// Room either side of a label on the y axis (egui_plot's margin).
const LABEL_SIDE_MARGIN: f32 = 4.0;

/// The kind of y axis of a pane: its marks and labels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum YAxis {
    /// Prices, linear or log10.
    Price {
        /// Log10 price axis.
        log: bool,
        /// How the prices are written (whole won).
        format: PriceFormat,
    },
    /// Volume, compact labels (1.2M).
    Volume,
    /// A bounded oscillator with its levels labelled (RSI 30/50/70).
    Levels(&'static [f64]),
    /// An indicator's values at round marks; `compact` labels big numbers as 1.2B (OBV).
    Values {
        /// Labels as volumes.
        compact: bool,
    },
}

impl YAxis {
    /// The axis of an indicator pane.
    pub(crate) fn of_indicator(kind: IndicatorKind) -> Self {
        match kind {
            IndicatorKind::Rsi => Self::Levels(&[30.0, 50.0, 70.0]),
            IndicatorKind::Stochastic => Self::Levels(&[20.0, 50.0, 80.0]),
            IndicatorKind::Obv => Self::Values { compact: true },
            _ => Self::Values { compact: false },
        }
    }

    /// The grid marks (labelled and minor) for `input`.
    pub(crate) fn marks(self, input: &GridInput) -> Vec<GridMark> {
        let marks = match self {
            Self::Price { log: true, .. } => super::candle::log_price_marks(input),
            Self::Price { log: false, .. } => round_marks(input, PRICE_LABEL_SPACING_PT),
            Self::Volume | Self::Values { .. } => round_marks(input, PANE_LABEL_SPACING_PT),
            Self::Levels(levels) => level_marks(input, levels),
        };
        clear_of_edges(marks, input)
    }

    /// The label of `mark`.
    pub(crate) fn label(self, mark: GridMark) -> String {
        match self {
            Self::Price { log: true, format } => format.price(10f64.powf(mark.value)),
            Self::Price { log: false, format } => format.mark(mark.value, mark.step_size),
            Self::Values { compact: false } => format_price_mark(mark.value, mark.step_size),
            Self::Volume | Self::Values { compact: true } => format_volume(mark.value),
            Self::Levels(_) => format!("{:.0}", mark.value),
        }
    }

    /// The value at a pointer, as the crosshair tag on the axis shows it.
    pub(crate) fn value_label(self, value: f64) -> String {
        match self {
            Self::Price { log: true, format } => format.price(10f64.powf(value)),
            Self::Price { log: false, format } => format.price(value),
            Self::Values { compact: false } | Self::Levels(_) => format_price(value),
            Self::Volume | Self::Values { compact: true } => format_volume(value),
        }
    }

    /// Width the labels of this axis need on a pane drawn with `transform` (points,
    /// margins included): the widest label egui_plot would paint.
    pub(crate) fn label_width(self, ui: &egui::Ui, transform: &PlotTransform) -> f32 {
        let b = transform.bounds();
        let per_pt = transform.dvalue_dpos()[1].abs();
        let input = GridInput {
            bounds: (b.min()[1], b.max()[1]),
            base_step_size: per_pt * GRID_SPACING_PT,
        };
        let font = egui::TextStyle::Body.resolve(ui.style());
        let widest = self
            .marks(&input)
            .into_iter()
            .filter(|m| per_pt > 0.0 && m.step_size / per_pt > PLOT_LABEL_MIN_PT)
            .map(|m| {
                let text = self.label(m);
                ui.painter()
                    .layout_no_wrap(text, font.clone(), egui::Color32::WHITE)
                    .size()
                    .x
            })
            .fold(0.0f32, f32::max);
        widest + 2.0 * LABEL_SIDE_MARGIN
    }
}

/// Marks at 1-2-5 multiples: labelled ones at least `spacing_pt` apart, and minor ones a
/// fifth (or half) of that apart.
pub(crate) fn round_marks(input: &GridInput, spacing_pt: f64) -> Vec<GridMark> {
    let (lo, hi) = input.bounds;
    let min_step = input.base_step_size / GRID_SPACING_PT * spacing_pt;
    if !(lo.is_finite() && hi.is_finite() && min_step > 0.0) || hi <= lo {
        return Vec::new();
    }
    let decade = 10f64.powf(min_step.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * decade)
        .find(|s| *s >= min_step)
        .unwrap_or(10.0 * decade);
    let minor = if (step / decade - 2.0).abs() < 1e-9 {
        step / 2.0
    } else {
        step / 5.0
    };
    let first = (lo / minor).ceil() as i64;
    let last = (hi / minor).floor() as i64;
    if last - first > 10_000 {
        return Vec::new();
    }
    (first..=last)
        .map(|k| {
            let value = k as f64 * minor;
            let major = ((value / step).round() * step - value).abs() < minor * 1e-6;
            GridMark {
                value,
                step_size: if major { step } else { minor },
            }
        })
        .collect()
}

/// The levels of a bounded oscillator as marks, thinned (the middle one first) until labels
/// are [`LEVEL_LABEL_SPACING_PT`] apart. Their step is the visible range, so that egui_plot
/// labels them however short the pane.
fn level_marks(input: &GridInput, levels: &[f64]) -> Vec<GridMark> {
    let (lo, hi) = input.bounds;
    let per_pt = input.base_step_size / GRID_SPACING_PT;
    if !(lo.is_finite() && hi.is_finite() && per_pt > 0.0) || hi <= lo {
        return Vec::new();
    }
    let min_gap = per_pt * LEVEL_LABEL_SPACING_PT;
    let mut shown: Vec<f64> = levels
        .iter()
        .copied()
        .filter(|v| *v >= lo && *v <= hi)
        .collect();
    while shown.len() > 1 && shown.windows(2).any(|w| w[1] - w[0] < min_gap) {
        if shown.len() == 2 {
            shown.pop();
        } else {
            shown.remove(shown.len() / 2);
        }
    }
    shown
        .into_iter()
        .map(|value| GridMark {
            value,
            step_size: (hi - lo).max(per_pt * 2.0 * PLOT_LABEL_MIN_PT),
        })
        .collect()
}

/// `marks` without those within [`EDGE_CLEARANCE_PT`] of the top or bottom edge.
fn clear_of_edges(marks: Vec<GridMark>, input: &GridInput) -> Vec<GridMark> {
    let (lo, hi) = input.bounds;
    let clearance = input.base_step_size / GRID_SPACING_PT * EDGE_CLEARANCE_PT;
    marks
        .into_iter()
        .filter(|m| m.value >= lo + clearance && m.value <= hi - clearance)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pane `height_pt` tall showing `lo..hi`.
    fn input(lo: f64, hi: f64, height_pt: f64) -> GridInput {
        GridInput {
            bounds: (lo, hi),
            base_step_size: (hi - lo) / height_pt * GRID_SPACING_PT,
        }
    }

    fn labelled(axis: YAxis, input: &GridInput) -> Vec<String> {
        let per_pt = input.base_step_size / GRID_SPACING_PT;
        axis.marks(input)
            .into_iter()
            .filter(|m| m.step_size / per_pt > PLOT_LABEL_MIN_PT)
            .map(|m| axis.label(m))
            .collect()
    }

    #[test]
    fn short_panes_get_several_round_labels() {
        // MACD of Samsung in a 120-point pane: -1,400..900.
        let macd = labelled(
            YAxis::Values { compact: false },
            &input(-1400.0, 900.0, 120.0),
        );
        assert!(macd.len() >= 3, "{macd:?}");
        assert!(macd.contains(&"0".to_owned()), "{macd:?}");
        assert!(
            macd.iter()
                .all(|l| l.trim_start_matches('-').starts_with(['1', '2', '5', '0']))
        );
        // ATR 700..1,900 in 60 points (a squeezed pane).
        let atr = labelled(
            YAxis::Values { compact: false },
            &input(700.0, 1900.0, 60.0),
        );
        assert!(atr.len() >= 2, "{atr:?}");
        // ROC -8..12 %.
        let roc = labelled(YAxis::Values { compact: false }, &input(-8.0, 12.0, 100.0));
        assert!(roc.len() >= 3, "{roc:?}");
        // OBV in billions: compact.
        let obv = labelled(
            YAxis::Values { compact: true },
            &input(-2.0e9, 6.0e9, 120.0),
        );
        assert!(
            obv.len() >= 3 && obv.iter().all(|l| l.len() <= 6),
            "{obv:?}"
        );
    }

    #[test]
    fn oscillators_label_their_levels() {
        let rsi = YAxis::of_indicator(IndicatorKind::Rsi);
        assert_eq!(labelled(rsi, &input(0.0, 100.0, 100.0)), ["30", "50", "70"]);
        // Too short for three labels: the outer two stay.
        assert_eq!(labelled(rsi, &input(0.0, 100.0, 40.0)), ["30", "70"]);
        let stoch = YAxis::of_indicator(IndicatorKind::Stochastic);
        assert_eq!(
            labelled(stoch, &input(0.0, 100.0, 120.0)),
            ["20", "50", "80"]
        );
    }

    #[test]
    fn no_label_at_a_pane_edge() {
        // The price pane ends on a round value: no label there to collide with the volume
        // pane's top label.
        let i = input(48_000.0, 76_000.0, 300.0);
        let marks = YAxis::Price {
            log: false,
            format: PriceFormat::Auto,
        }
        .marks(&i);
        let per_pt = i.base_step_size / GRID_SPACING_PT;
        assert!(
            marks
                .iter()
                .all(|m| m.value - 48_000.0 >= 8.0 * per_pt && 76_000.0 - m.value >= 8.0 * per_pt)
        );
        assert!(!marks.is_empty());
        let vol = YAxis::Volume.marks(&input(0.0, 11_000_000.0, 100.0));
        assert!(vol.iter().all(|m| m.value > 0.0), "no 0 at the bottom edge");
    }
}

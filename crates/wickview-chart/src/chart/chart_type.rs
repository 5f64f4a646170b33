//! How the price pane draws a series: candles, OHLC bars, the close as a line, or the close
//! as a line over a filled area. Each is drawn on the GPU (`shaders/candles.wgsl`,
//! `ohlc.wgsl`, `lines.wgsl`, `area.wgsl`); the autoscale fits what is drawn (high and low
//! for candles and bars, the close for the line and the area).

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::ChartSeries;
use crate::render::DrawCmd;
use crate::theme::{self, CandleColors};

/// How the price of a series is drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChartType {
    /// Candlesticks: body from open to close, wick from low to high.
    #[default]
    Candles,
    /// OHLC bars: a line from low to high, the open as a tick to the left, the close to
    /// the right.
    Ohlc,
    /// The close as a line.
    Line,
    /// The close as a line over a filled area.
    Area,
}

/// Opacity of the area under the close line.
const AREA_ALPHA: f32 = 0.28;

impl ChartType {
    /// Every type, in menu order.
    pub const ALL: [Self; 4] = [Self::Candles, Self::Ohlc, Self::Line, Self::Area];

    /// Menu label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Candles => "Candles",
            Self::Ohlc => "OHLC bars",
            Self::Line => "Line",
            Self::Area => "Area",
        }
    }

    /// The command-line name (`candles`, `ohlc`, `line`, `area`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Candles => "candles",
            Self::Ohlc => "ohlc",
            Self::Line => "line",
            Self::Area => "area",
        }
    }

    /// Parses a command-line name, any case (`bars` for OHLC bars too).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "bars" | "ohlc-bars" => Some(Self::Ohlc),
            lower => Self::ALL.into_iter().find(|t| t.name() == lower),
        }
    }

    /// Whether the type draws the close only (line and area).
    pub fn close_only(self) -> bool {
        matches!(self, Self::Line | Self::Area)
    }

    /// A compact combo box choosing the type; whether the choice changed.
    pub fn combo_ui(&mut self, ui: &mut egui::Ui, id: egui::Id) -> bool {
        let before = *self;
        egui::ComboBox::from_id_salt(id.with("chart_type"))
            .selected_text(self.label())
            .width(86.0)
            .show_ui(ui, |ui| {
                for t in Self::ALL {
                    ui.selectable_value(self, t, t.label());
                }
            })
            .response
            .on_hover_text("Chart type");
        *self != before
    }
}

/// What draws the price of `data` as `chart_type`, back to front. A close-only series
/// (rates) is always its close line: it has no open, high or low to draw.
pub(crate) fn price_cmds(
    data: &ChartSeries,
    chart_type: ChartType,
    colors: CandleColors,
    width_px: f32,
) -> Vec<DrawCmd> {
    if data.close_only {
        return vec![data.price_cmd(colors, width_px)];
    }
    let line = || DrawCmd::Line {
        data: Arc::clone(data.close()),
        color: theme::rgba(theme::CLOSE_LINE),
        width_px,
        y_scale: 1.0,
        y_offset: 0.0,
    };
    match chart_type {
        ChartType::Candles => vec![data.price_cmd(colors, width_px)],
        ChartType::Ohlc => vec![DrawCmd::Ohlc {
            data: Arc::clone(data.candles()),
            up: theme::rgba(colors.up),
            down: theme::rgba(colors.down),
            width_px: width_px.max(1.0),
        }],
        ChartType::Line => vec![line()],
        ChartType::Area => {
            let mut fill = theme::rgba(theme::CLOSE_LINE);
            fill[3] = AREA_ALPHA;
            vec![
                DrawCmd::Area {
                    data: Arc::clone(data.close()),
                    color: fill,
                },
                line(),
            ]
        }
    }
}

/// The lowest and highest price drawn as `chart_type` over the bars `range`.
pub(crate) fn price_range(
    data: &ChartSeries,
    chart_type: ChartType,
    range: std::ops::Range<usize>,
) -> Option<(f64, f64)> {
    if chart_type.close_only() && !data.close_only {
        data.close().pyramid().min_max(range)
    } else {
        data.price_range(range)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Bar, DailySeries};

    fn series() -> ChartSeries {
        let day = |d: u32| chrono::NaiveDate::from_ymd_opt(2024, 3, d).unwrap();
        let (s, _) = DailySeries::from_bars([
            Bar::ohlc(day(4), 10.0, 14.0, 8.0, 12.0),
            Bar::ohlc(day(5), 12.0, 13.0, 9.0, 11.0),
        ]);
        ChartSeries::new("x", Arc::new(s))
    }

    #[test]
    fn names_parse_back_and_labels_differ() {
        for t in ChartType::ALL {
            assert_eq!(ChartType::parse(t.name()), Some(t));
            assert_eq!(ChartType::parse(&t.name().to_uppercase()), Some(t));
        }
        assert_eq!(ChartType::parse("bars"), Some(ChartType::Ohlc));
        assert_eq!(ChartType::parse("heikin"), None);
        let mut labels: Vec<_> = ChartType::ALL.iter().map(|t| t.label()).collect();
        labels.dedup();
        assert_eq!(labels.len(), 4);
        assert_eq!(ChartType::default(), ChartType::Candles);
        // Stored as snake_case names.
        assert_eq!(serde_json::to_string(&ChartType::Ohlc).unwrap(), "\"ohlc\"");
    }

    #[test]
    fn each_type_draws_its_own_commands() {
        let s = series();
        let c = CandleColors::WESTERN;
        let kinds = |t| -> Vec<&'static str> {
            price_cmds(&s, t, c, 1.5)
                .iter()
                .map(|cmd| match cmd {
                    DrawCmd::Candles { .. } => "candles",
                    DrawCmd::Ohlc { .. } => "ohlc",
                    DrawCmd::Line { .. } => "line",
                    DrawCmd::Area { .. } => "area",
                    DrawCmd::Volume { .. } | DrawCmd::Histogram { .. } => "other",
                })
                .collect()
        };
        assert_eq!(kinds(ChartType::Candles), ["candles"]);
        assert_eq!(kinds(ChartType::Ohlc), ["ohlc"]);
        assert_eq!(kinds(ChartType::Line), ["line"]);
        assert_eq!(
            kinds(ChartType::Area),
            ["area", "line"],
            "fill under the line"
        );
    }

    #[test]
    fn line_types_fit_the_close_and_bars_the_range() {
        let s = series();
        assert_eq!(price_range(&s, ChartType::Candles, 0..2), Some((8.0, 14.0)));
        assert_eq!(price_range(&s, ChartType::Ohlc, 0..2), Some((8.0, 14.0)));
        assert_eq!(price_range(&s, ChartType::Line, 0..2), Some((11.0, 12.0)));
        assert_eq!(price_range(&s, ChartType::Area, 0..2), Some((11.0, 12.0)));
    }
}

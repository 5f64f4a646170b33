//! What a chart's frame tells its caller, as egui_plot's `PlotResponse` does: the plot's
//! response, whether the user moved the view and what is under the pointer. The caller
//! reads these values instead of the chart's state after [`super::CandleChart::ui`].

use chrono::NaiveDate;

/// What happened in one frame of a [`super::CandleChart`].
#[derive(Clone, Debug, Default)]
pub struct ChartResponse {
    /// The price pane's response (its rect, hover, clicks); `None` when no series was drawn.
    pub response: Option<egui::Response>,
    /// Whether the user moved the view this frame: a drag, the wheel, a key, a range or
    /// interval button, the range slider. Linked charts follow such a move.
    pub view_moved: bool,
    /// The day under the pointer, in any pane (a linked crosshair shows it elsewhere).
    pub hovered_day: Option<NaiveDate>,
    /// The bar under the pointer, in any pane.
    pub hovered_bar: Option<usize>,
}

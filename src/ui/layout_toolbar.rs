//! The one toolbar of a multi-chart layout: the active chart's (the one last clicked) range
//! buttons, log switch, moving averages, indicators and drawing tools, drawn once above
//! the grid, as TradingView does, instead of a toolbar in every cell that wraps to many rows
//! in a quarter of the window.

use super::chart::CandleChart;

/// Draws the toolbars of `chart`, the active chart (`slot`, from 0) of a layout; `None`
/// while that chart has no ticker or its series is still loading. Returns whether a button
/// moved the chart's view (linked charts then follow, as after a drag).
pub fn active_toolbar_ui(ui: &mut egui::Ui, slot: usize, chart: Option<&mut CandleChart>) -> bool {
    let Some(chart) = chart else {
        ui.weak(format!(
            "Chart {}: click a chart to show its tools here; search above to pick its ticker.",
            slot + 1
        ));
        return false;
    };
    let before = chart.view();
    let moved = chart.toolbar_ui(ui);
    chart.drawing_toolbar_ui(ui);
    moved || chart.view() != before
}

//! The mark on a provisional bar: one fetched while its exchange was still open, whose
//! values the next update replaces.

use egui::{Align2, Color32};
use egui_plot::{PlotPoint, Text};

use crate::model::DailySeries;

/// The label drawn above the provisional last bar of `series`, if it has one.
pub(crate) fn marker(series: &DailySeries, log_y: bool) -> Option<Text> {
    let day = series.provisional_day()?;
    let i = series.index_of(day)?;
    let bar = series.bar(i)?;
    let top = if bar.is_close_only() {
        bar.close
    } else {
        bar.high
    };
    let y = if log_y { top.log10() } else { top };
    Some(
        Text::new(
            "",
            PlotPoint::new(i as f64, y),
            egui::RichText::new("provisional").italics().size(11.0),
        )
        .anchor(Align2::CENTER_BOTTOM)
        .color(Color32::from_rgb(255, 193, 7)),
    )
}

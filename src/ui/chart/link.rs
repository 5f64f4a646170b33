//! What links charts shown side by side: the day under the pointer (for a linked
//! crosshair, drawn in the other charts at the same calendar day), whether the user moved
//! the view this frame (for a linked time range), and which chart takes the keyboard.
//! Charts of different trading calendars align by calendar date.

use chrono::NaiveDate;
use egui::{Align2, Color32, FontId, Pos2, Stroke};
use egui_plot::{PlotPoint, PlotTransform};

use super::time_axis::{XView, bar_at};
use crate::model::DailySeries;

/// The link state of one chart.
#[derive(Clone, Debug)]
pub struct LinkState {
    /// Whether this chart reads the keyboard (the active chart of a layout).
    pub keyboard: bool,
    /// Set when the user moved the view (drag, wheel, keys, buttons, slider); the layout
    /// clears it with [`Self::take_view_moved`].
    pub view_moved: bool,
    /// The day another chart's pointer is on, drawn as a crosshair line here.
    pub linked_day: Option<NaiveDate>,
    hovered_day: Option<NaiveDate>,
}

impl Default for LinkState {
    fn default() -> Self {
        Self {
            keyboard: true,
            view_moved: false,
            linked_day: None,
            hovered_day: None,
        }
    }
}

impl LinkState {
    /// The day under the pointer in this chart (this frame), if any.
    pub fn hovered_day(&self) -> Option<NaiveDate> {
        self.hovered_day
    }

    /// Whether the user moved the view since the last call.
    pub fn take_view_moved(&mut self) -> bool {
        std::mem::take(&mut self.view_moved)
    }

    pub(crate) fn begin_frame(&mut self) {
        self.hovered_day = None;
    }

    /// Records the day under the pointer of a pane.
    pub(crate) fn hover(
        &mut self,
        series: &DailySeries,
        response: &egui::Response,
        pointer: Option<PlotPoint>,
    ) {
        if response.hovered()
            && let Some(p) = pointer
            && let Some(i) = bar_at(series.days(), p.x)
        {
            self.hovered_day = Some(series.days()[i]);
        }
    }

    /// Draws the linked crosshair (a vertical line at the linked day, at the last bar on
    /// or before it) over a pane of `series` drawn with `transform`, unless this chart has
    /// the pointer.
    pub(crate) fn paint_x(
        &self,
        painter: &egui::Painter,
        series: &DailySeries,
        transform: &PlotTransform,
    ) {
        let (Some(day), None) = (self.linked_day, self.hovered_day) else {
            return;
        };
        let days = series.days();
        let i = days.partition_point(|d| *d <= day);
        if i == 0 {
            return;
        }
        let x = transform
            .position_from_point(&PlotPoint::new((i - 1) as f64, 0.0))
            .x;
        let frame = *transform.frame();
        if x < frame.left() || x > frame.right() {
            return;
        }
        let color = Color32::from_rgb(255, 167, 38);
        let painter = painter.with_clip_rect(frame);
        painter.extend(egui::Shape::dashed_line(
            &[Pos2::new(x, frame.top()), Pos2::new(x, frame.bottom())],
            Stroke::new(1.0, color),
            5.0,
            3.0,
        ));
        painter.text(
            Pos2::new(x + 3.0, frame.top() + 2.0),
            Align2::LEFT_TOP,
            day.format("%Y-%m-%d").to_string(),
            FontId::proportional(11.0),
            color,
        );
    }
}

/// The view over `days` that shows the bars from `from` to `to` (inclusive calendar days);
/// with no bar between them, the nearest bars around `from`.
pub fn view_of_days(days: &[NaiveDate], from: NaiveDate, to: NaiveDate) -> XView {
    let n = days.len();
    let first = days.partition_point(|d| *d < from);
    let end = days.partition_point(|d| *d <= to);
    let view = if end > first {
        XView {
            start: first as f64 - 0.5,
            end: end as f64 - 0.5,
        }
    } else {
        XView {
            start: first as f64 - 1.0,
            end: first as f64,
        }
    };
    view.clamped(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn days_map_to_views_across_calendars() {
        // Weekdays of January 2024, one holiday (Jan 15) missing.
        let days: Vec<NaiveDate> = (1..=31)
            .map(|k| d(2024, 1, k))
            .filter(|x| chrono::Datelike::weekday(x).number_from_monday() <= 5 && x.day0() != 14)
            .collect();
        use chrono::Datelike as _;
        let v = view_of_days(&days, d(2024, 1, 8), d(2024, 1, 19));
        let r = v.bar_range(days.len());
        assert_eq!(days[r.start], d(2024, 1, 8));
        assert_eq!(days[r.end - 1], d(2024, 1, 19));
        assert_eq!(r.len(), 9, "the holiday is not a bar");
        // A weekend start: the first bar after it.
        let v = view_of_days(&days, d(2024, 1, 13), d(2024, 1, 26));
        assert_eq!(days[v.bar_range(days.len()).start], d(2024, 1, 16));
        // Past the history: clamped, never empty.
        let v = view_of_days(&days, d(2023, 1, 1), d(2030, 1, 1));
        assert_eq!(v, XView::full(days.len()));
        let v = view_of_days(&days, d(2030, 1, 1), d(2030, 2, 1));
        assert!(v.width() >= 5.0 && v.end == days.len() as f64 - 0.5);
    }
}

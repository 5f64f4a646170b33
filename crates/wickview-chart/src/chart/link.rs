//! What links charts shown side by side: the day under the pointer (for a linked
//! crosshair, drawn in the other charts at the same calendar day), the dates a moved view
//! shows (for a linked time range), and which chart takes the keyboard. Charts of different
//! trading calendars align by calendar date. Whether the user moved the view is told by
//! [`super::ChartResponse`].

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
    /// The day another chart's pointer is on, drawn as a crosshair line here.
    pub linked_day: Option<NaiveDate>,
    hovered_day: Option<NaiveDate>,
}

impl Default for LinkState {
    fn default() -> Self {
        Self {
            keyboard: true,
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

/// `day` moved by `k` weekdays (Monday to Friday; negative: back). Past either end of a
/// history its trading days are not known: weekdays stand in for them.
fn add_weekdays(day: NaiveDate, k: i64) -> NaiveDate {
    use chrono::Datelike as _;
    let mut d = day;
    let step = if k < 0 { -1 } else { 1 };
    let mut left = k.unsigned_abs();
    // Whole weeks first (five weekdays are seven days), then day by day.
    let weeks = left / 5;
    if weeks > 1 {
        let days = chrono::Days::new((weeks - 1) * 7);
        d = if step > 0 {
            d.checked_add_days(days).unwrap_or(d)
        } else {
            d.checked_sub_days(days).unwrap_or(d)
        };
        left -= (weeks - 1) * 5;
    }
    while left > 0 {
        let next = if step > 0 { d.succ_opt() } else { d.pred_opt() };
        let Some(next) = next else { break };
        d = next;
        if d.weekday().num_days_from_monday() < 5 {
            left -= 1;
        }
    }
    d
}

/// Weekdays after `a` up to and including `b` (0 when `b <= a`).
fn weekdays_after(a: NaiveDate, b: NaiveDate) -> i64 {
    use chrono::Datelike as _;
    if b <= a {
        return 0;
    }
    let days = (b - a).num_days();
    let (weeks, rest) = (days / 7, days % 7);
    let mut n = weeks * 5;
    let mut d = a + chrono::Days::new(u64::try_from(weeks * 7).unwrap_or(0));
    for _ in 0..rest {
        d = d.succ_opt().unwrap_or(d);
        if d.weekday().num_days_from_monday() < 5 {
            n += 1;
        }
    }
    n
}

/// The calendar dates at the edges of `view` over `days`: the first and the last day at
/// least half visible. A view reaching past the history (a chart linked to one whose
/// history ends later) counts weekdays there, so two linked charts name the same dates.
pub fn dates_of_view(days: &[NaiveDate], view: XView) -> Option<(NaiveDate, NaiveDate)> {
    let (&first, &last) = (days.first()?, days.last()?);
    let n = days.len() as i64;
    if !(view.start.is_finite() && view.end.is_finite()) {
        return None;
    }
    let at = |i: i64| {
        if i < 0 {
            add_weekdays(first, i)
        } else if i >= n {
            add_weekdays(last, i - (n - 1))
        } else {
            days[i as usize]
        }
    };
    let a = (view.start + 0.5).ceil() as i64;
    let b = ((view.end + 0.5).floor() as i64 - 1).max(a);
    Some((at(a), at(b)))
}

/// What linked charts share: the dates at the view's edges (see [`dates_of_view`]) and how
/// far each edge sits from the edge of its date's bar, in bars (`start_offset` in `(-1, 0]`,
/// `end_offset` in `[0, 1)`), so a zoom that shows part of a bar puts each day at the same
/// place in every chart.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LinkedSpan {
    /// The first date at least half visible.
    pub from: NaiveDate,
    /// The last date at least half visible.
    pub to: NaiveDate,
    /// The view's left edge minus the left edge of `from`'s bar.
    pub start_offset: f64,
    /// The view's right edge minus the right edge of `to`'s bar.
    pub end_offset: f64,
}

/// The [`LinkedSpan`] of `view` over `days`.
pub fn span_of_view(days: &[NaiveDate], view: XView) -> Option<LinkedSpan> {
    let (from, to) = dates_of_view(days, view)?;
    let a = (view.start + 0.5).ceil();
    let b = ((view.end + 0.5).floor() - 1.0).max(a);
    Some(LinkedSpan {
        from,
        to,
        start_offset: (view.start - (a - 0.5)).clamp(-1.0, 0.0),
        end_offset: (view.end - (b + 0.5)).clamp(0.0, 1.0),
    })
}

/// The view over `days` showing `span`: [`view_of_dates`] with the span's edge offsets.
pub fn view_of_span(days: &[NaiveDate], span: LinkedSpan) -> Option<XView> {
    let v = view_of_dates(days, span.from, span.to)?;
    let (start, end) = (v.start + span.start_offset, v.end + span.end_offset);
    (end > start).then_some(XView { start, end })
}

/// The view over `days` that shows the calendar dates `from` to `to` at its edges, reaching
/// past the history where the dates do (counted in weekdays there), so charts whose
/// histories end on different days show one date span. `None` when no bar of `days` falls
/// between the dates (the chart keeps its own view).
pub fn view_of_dates(days: &[NaiveDate], from: NaiveDate, to: NaiveDate) -> Option<XView> {
    let (&first, &last) = (days.first()?, days.last()?);
    let n = days.len();
    let start = if from < first {
        -(weekdays_after(from, first) as f64) - 0.5
    } else {
        days.partition_point(|d| *d < from) as f64 - 0.5
    };
    let end = if to > last {
        (n - 1) as f64 + weekdays_after(last, to) as f64 + 0.5
    } else {
        days.partition_point(|d| *d <= to) as f64 - 0.5
    };
    // Some bar of this history must be in view.
    if from > last || to < first || end <= start {
        return None;
    }
    let end = end.max(start + super::time_axis::MIN_VISIBLE_BARS.min(n as f64));
    Some(XView { start, end })
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

    /// Weekdays from `from` to `to`, inclusive.
    fn weekdays(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
        use chrono::Datelike as _;
        from.iter_days()
            .take_while(|x| *x <= to)
            .filter(|x| x.weekday().num_days_from_monday() < 5)
            .collect()
    }

    #[test]
    fn weekday_arithmetic() {
        // Fri 2024-06-07 + 1 weekday = Mon 06-10; + 6 = Mon 06-17; - 5 = Fri 05-31.
        assert_eq!(add_weekdays(d(2024, 6, 7), 1), d(2024, 6, 10));
        assert_eq!(add_weekdays(d(2024, 6, 7), 6), d(2024, 6, 17));
        assert_eq!(add_weekdays(d(2024, 6, 7), -5), d(2024, 5, 31));
        assert_eq!(add_weekdays(d(2024, 6, 7), 0), d(2024, 6, 7));
        for k in [1, 2, 4, 5, 6, 11, 23, 260] {
            let to = add_weekdays(d(2024, 6, 5), k);
            assert_eq!(weekdays_after(d(2024, 6, 5), to), k, "{k}");
            assert_eq!(add_weekdays(to, -k), d(2024, 6, 5), "{k}");
        }
        assert_eq!(weekdays_after(d(2024, 6, 7), d(2024, 6, 9)), 0);
    }

    /// Two histories ending on different days: the one that ends earlier shows the same
    /// first and last date as the other once linked, its last days left empty, and each
    /// date sits at the same fraction of both views.
    #[test]
    fn histories_ending_on_different_days_link_by_date() {
        let long = weekdays(d(2024, 1, 1), d(2024, 6, 14));
        let short = weekdays(d(2024, 1, 1), d(2024, 6, 5));
        // The long chart shows its last month.
        let view = super::super::RangePreset::M1.view(&long);
        let (from, to) = dates_of_view(&long, view).unwrap();
        assert_eq!(to, d(2024, 6, 14));
        let linked = view_of_dates(&short, from, to).unwrap();
        assert_eq!(dates_of_view(&short, linked), Some((from, to)));
        assert!(
            (linked.width() - view.width()).abs() < 1e-9,
            "{linked:?} {view:?}"
        );
        // The same day at the same place (both calendars are weekdays here).
        let frac = |v: XView, days: &[NaiveDate], day| {
            let i = days.iter().position(|x| *x == day).unwrap() as f64;
            (i - v.start) / v.width()
        };
        let day = d(2024, 6, 3);
        assert!((frac(view, &long, day) - frac(linked, &short, day)).abs() < 1e-9);
        // A zoom showing parts of bars: the span keeps the parts too.
        let zoomed = XView {
            start: view.start - 3.3,
            end: view.end - 0.2,
        };
        let span = span_of_view(&long, zoomed).unwrap();
        let linked = view_of_span(&short, span).unwrap();
        assert_eq!(span_of_view(&short, linked), Some(span));
        assert!((frac(zoomed, &long, day) - frac(linked, &short, day)).abs() < 1e-9);
        // Before the history, the other way round.
        let late = weekdays(d(2024, 2, 1), d(2024, 6, 14));
        let v = view_of_dates(&late, d(2024, 1, 15), d(2024, 3, 1)).unwrap();
        assert_eq!(
            dates_of_view(&late, v),
            Some((d(2024, 1, 15), d(2024, 3, 1)))
        );
        // No bar between the dates: no view.
        assert_eq!(view_of_dates(&short, d(2024, 7, 1), d(2024, 7, 31)), None);
        assert_eq!(view_of_dates(&late, d(2023, 1, 1), d(2023, 2, 1)), None);
    }
}

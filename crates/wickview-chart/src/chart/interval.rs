//! Daily, weekly and monthly bars of a candle chart: the D / W / M buttons (keys `d`, `w`,
//! `m`), the bars shown at each interval ([`crate::compute::resample`]) and the view kept
//! across a switch. Moving averages and indicators are computed on the bars shown, so an
//! MA20 of weekly bars spans 20 weeks.

use std::sync::Arc;

use chrono::NaiveDate;

use super::ChartSeries;
use super::time_axis::{RangePreset, XView};
use crate::compute::{Interval, resample};

/// The series shown at `interval`: the daily series itself, or its weekly or monthly bars
/// under the same name and price format.
pub(crate) fn shown_series(daily: &ChartSeries, interval: Interval) -> ChartSeries {
    if interval == Interval::Daily {
        return daily.clone();
    }
    ChartSeries::new(
        daily.name.clone(),
        Arc::new(resample(&daily.series, interval)),
    )
    .with_price_format(daily.price_format)
}

/// The range a chart opens on at `interval`: a month of days, a year of weeks, five years
/// of months (each a few dozen bars).
pub fn interval_default_range(interval: Interval) -> RangePreset {
    match interval {
        Interval::Daily => RangePreset::M1,
        Interval::Weekly => RangePreset::Y1,
        Interval::Monthly => RangePreset::Y5,
    }
}

/// The view of the bars `days` that covers the calendar days `from..=to` as seen at
/// another interval: from the bar of `from`'s period to the bar of `to`'s period (a bar
/// is dated by its period's last trading day, so that is the first bar on or after each).
pub(crate) fn view_covering(days: &[NaiveDate], from: NaiveDate, to: NaiveDate) -> XView {
    let n = days.len();
    let first = days.partition_point(|d| *d < from);
    let last = days.partition_point(|d| *d < to).min(n.saturating_sub(1));
    XView {
        start: first.min(last) as f64 - 0.5,
        end: last as f64 + 0.5,
    }
    .clamped(n)
}

/// The calendar days the bars `range` of `days` cover: from the day after the bar before
/// the first (a weekly bar covers its week from Monday), to the last bar's day.
pub(crate) fn covered_days(
    days: &[NaiveDate],
    range: std::ops::Range<usize>,
) -> Option<(NaiveDate, NaiveDate)> {
    let last = *days.get(range.end.checked_sub(1)?)?;
    let first = match range.start.checked_sub(1) {
        Some(before) => days.get(before)?.succ_opt()?,
        None => *days.get(range.start)?,
    };
    Some((first.min(last), last))
}

/// The D / W / M buttons; returns the interval clicked, if another than `current`.
pub(crate) fn interval_buttons_ui(ui: &mut egui::Ui, current: Interval) -> Option<Interval> {
    let mut picked = None;
    for interval in Interval::ALL {
        let response = ui
            .selectable_label(current == interval, interval.label())
            .on_hover_text(format!(
                "{} bars (key {})",
                capitalised(interval.name()),
                interval.label().to_ascii_lowercase()
            ));
        if response.clicked() && interval != current {
            picked = Some(interval);
        }
    }
    picked
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().chain(chars).collect::<String>()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Bar, DailySeries};

    #[test]
    fn weekly_bars_keep_name_and_format_and_views_cover_the_days() {
        let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        let (s, _) = DailySeries::from_bars(
            (0..70u64)
                .map(|i| start + chrono::Days::new(i))
                .map(|d| Bar::ohlc(d, 10.0, 11.0, 9.0, 10.5)),
        );
        let daily =
            ChartSeries::new("x", Arc::new(s)).with_price_format(super::super::PriceFormat::Whole);
        let weekly = shown_series(&daily, Interval::Weekly);
        assert_eq!(weekly.name, "x");
        assert_eq!(weekly.price_format, super::super::PriceFormat::Whole);
        assert_eq!(weekly.len(), 10);
        // Wednesday 2024-01-10 to Tuesday 02-20: weeks 2 to 8 (bars 1..=7).
        let v = view_covering(
            weekly.series.days(),
            NaiveDate::from_ymd_opt(2024, 1, 10).unwrap(),
            NaiveDate::from_ymd_opt(2024, 2, 20).unwrap(),
        );
        assert_eq!((v.start, v.end), (0.5, 7.5));
        // Weeks 2 to 8 cover Monday 01-08 to Sunday 02-25.
        assert_eq!(
            covered_days(weekly.series.days(), 1..8),
            Some((
                NaiveDate::from_ymd_opt(2024, 1, 8).unwrap(),
                NaiveDate::from_ymd_opt(2024, 2, 25).unwrap()
            ))
        );
        assert_eq!(covered_days(weekly.series.days(), 0..0), None);
        assert_eq!(capitalised("weekly"), "Weekly");
        assert_eq!(interval_default_range(Interval::Daily), RangePreset::M1);
    }
}

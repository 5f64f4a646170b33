//! The x axis in trading days: the visible range, its clamping, zoom and pan, the range
//! presets, calendar grid marks and date labels that adapt to the zoom.

use chrono::{Datelike as _, Months, NaiveDate};
use egui_plot::{GridInput, GridMark};

/// Fewest bars a view may show.
pub const MIN_VISIBLE_BARS: f64 = 5.0;

/// The range buttons.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RangePreset {
    /// One week.
    W1,
    /// One month (the opening view).
    M1,
    /// Three months.
    M3,
    /// Six months.
    M6,
    /// Since January 1st of the last bar's year.
    Ytd,
    /// One year.
    Y1,
    /// Three years.
    Y3,
    /// Five years.
    Y5,
    /// Ten years.
    Y10,
    /// The whole history.
    Max,
}

impl RangePreset {
    /// Every preset, in button order.
    pub const ALL: [Self; 10] = [
        Self::W1,
        Self::M1,
        Self::M3,
        Self::M6,
        Self::Ytd,
        Self::Y1,
        Self::Y3,
        Self::Y5,
        Self::Y10,
        Self::Max,
    ];

    /// Button label.
    pub fn label(self) -> &'static str {
        match self {
            Self::W1 => "1W",
            Self::M1 => "1M",
            Self::M3 => "3M",
            Self::M6 => "6M",
            Self::Ytd => "YTD",
            Self::Y1 => "1Y",
            Self::Y3 => "3Y",
            Self::Y5 => "5Y",
            Self::Y10 => "10Y",
            Self::Max => "Max",
        }
    }

    /// Parses a label (case-insensitive), as on the command line (`1m`, `ytd`, `max`).
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|p| p.label().eq_ignore_ascii_case(s.trim()))
    }

    /// The first calendar day shown when the last bar is on `last`; `None` for Max.
    pub fn start_date(self, last: NaiveDate) -> Option<NaiveDate> {
        let months = |m: u32| last.checked_sub_months(Months::new(m));
        match self {
            Self::W1 => last.checked_sub_days(chrono::Days::new(7)),
            Self::M1 => months(1),
            Self::M3 => months(3),
            Self::M6 => months(6),
            Self::Ytd => NaiveDate::from_ymd_opt(last.year(), 1, 1)
                .and_then(|d| d.checked_sub_days(chrono::Days::new(1))),
            Self::Y1 => months(12),
            Self::Y3 => months(36),
            Self::Y5 => months(60),
            Self::Y10 => months(120),
            Self::Max => None,
        }
    }

    /// The view of this preset over `days` (bars after the start date up to the last bar).
    pub fn view(self, days: &[NaiveDate]) -> XView {
        let n = days.len();
        let Some(&last) = days.last() else {
            return XView::full(0);
        };
        let first = match self.start_date(last) {
            // Bars strictly after the date one period back: 1M on Jan 10 starts on Dec 11.
            Some(d) => days.partition_point(|x| *x <= d),
            None => 0,
        };
        XView {
            start: first as f64 - 0.5,
            end: n as f64 - 0.5,
        }
        .clamped(n)
    }
}

/// The visible x range in bar-index units; bar `i` is centred on `x = i`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct XView {
    /// Left edge.
    pub start: f64,
    /// Right edge.
    pub end: f64,
}

impl XView {
    /// The whole history of `n` bars.
    pub fn full(n: usize) -> Self {
        Self {
            start: -0.5,
            end: n.max(1) as f64 - 0.5,
        }
    }

    /// Width in bars.
    pub fn width(&self) -> f64 {
        self.end - self.start
    }

    /// Kept inside the history (`-0.5 ..= n - 0.5`), at least [`MIN_VISIBLE_BARS`] wide
    /// (or the whole history if shorter), never wider than the history.
    pub fn clamped(self, n: usize) -> Self {
        let full = Self::full(n);
        if !(self.start.is_finite() && self.end.is_finite()) {
            return full;
        }
        let width = self
            .width()
            .clamp(MIN_VISIBLE_BARS.min(full.width()), full.width());
        let center = 0.5 * (self.start + self.end);
        let mut start = center - 0.5 * width;
        start = start.clamp(full.start, full.end - width);
        Self {
            start,
            end: start + width,
        }
    }

    /// Zoomed by `factor` (> 1 zooms in) keeping `anchor_x` where it is on screen.
    pub fn zoomed(self, factor: f64, anchor_x: f64, n: usize) -> Self {
        if !(factor.is_finite() && factor > 0.0) {
            return self;
        }
        let full = Self::full(n);
        let anchor = anchor_x.clamp(self.start, self.end);
        let mut start = anchor - (anchor - self.start) / factor;
        let mut end = anchor + (self.end - anchor) / factor;
        let min_width = MIN_VISIBLE_BARS.min(full.width());
        if end - start < min_width {
            let t = (anchor - self.start) / self.width().max(f64::EPSILON);
            start = anchor - t * min_width;
            end = start + min_width;
        }
        if end - start >= full.width() {
            return full;
        }
        // Keep the width when pushed against an edge.
        let width = end - start;
        if start < full.start {
            start = full.start;
            end = start + width;
        }
        if end > full.end {
            end = full.end;
            start = end - width;
        }
        Self { start, end }
    }

    /// Moved by `dx` bars, stopping at the first and last bar.
    pub fn panned(self, dx: f64, n: usize) -> Self {
        let full = Self::full(n);
        let width = self.width().min(full.width());
        let start = (self.start + dx).clamp(full.start, full.end - width);
        Self {
            start,
            end: start + width,
        }
    }

    /// The same dates on another calendar: each edge moves to the bar of the day it showed
    /// on `old` (or the first later day of `new`), keeping its fraction of a bar, so adding
    /// an older or newer series to a comparison keeps the dates in view. A view that ended at
    /// the last bar of `old` ends at the last bar of `new` when `new` goes no further.
    pub fn remapped(self, old: &[NaiveDate], new: &[NaiveDate]) -> Self {
        if old.is_empty() || new.is_empty() || old == new {
            return self;
        }
        let map = |x: f64| {
            let i = (x.round().max(0.0) as usize).min(old.len() - 1);
            let frac = x - i as f64;
            let j = new.partition_point(|d| *d < old[i]);
            j as f64 + frac
        };
        Self {
            start: map(self.start),
            end: map(self.end),
        }
    }

    /// Indices of the bars at least half visible, clamped to `0..n`.
    pub fn bar_range(&self, n: usize) -> std::ops::Range<usize> {
        let first = (self.start + 0.5).ceil().max(0.0) as usize;
        let end = ((self.end + 0.5).floor().max(0.0) as usize).min(n);
        first.min(end)..end
    }
}

/// Calendar periods used for x grid marks, finest first, with their typical length in bars.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Period {
    Day,
    Week,
    Month,
    Quarter,
    HalfYear,
    Year,
    Years(i32),
}

impl Period {
    const LADDER: [Self; 10] = [
        Self::Day,
        Self::Week,
        Self::Month,
        Self::Quarter,
        Self::HalfYear,
        Self::Year,
        Self::Years(2),
        Self::Years(5),
        Self::Years(10),
        Self::Years(20),
    ];

    fn bars(self) -> f64 {
        match self {
            Self::Day => 1.0,
            Self::Week => 5.0,
            Self::Month => 21.0,
            Self::Quarter => 63.0,
            Self::HalfYear => 126.0,
            Self::Year => 252.0,
            Self::Years(k) => 252.0 * f64::from(k),
        }
    }

    /// The first day of the period containing `d`.
    fn floor(self, d: NaiveDate) -> NaiveDate {
        let ymd = |y: i32, m: u32| NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(d);
        match self {
            Self::Day => d,
            Self::Week => d - chrono::Days::new(u64::from(d.weekday().num_days_from_monday())),
            Self::Month => ymd(d.year(), d.month()),
            Self::Quarter => ymd(d.year(), (d.month() - 1) / 3 * 3 + 1),
            Self::HalfYear => ymd(d.year(), (d.month() - 1) / 6 * 6 + 1),
            Self::Year => ymd(d.year(), 1),
            Self::Years(k) => ymd(d.year().div_euclid(k) * k, 1),
        }
    }

    fn next(self, d: NaiveDate) -> Option<NaiveDate> {
        match self {
            Self::Day => d.succ_opt(),
            Self::Week => d.checked_add_days(chrono::Days::new(7)),
            Self::Month => d.checked_add_months(Months::new(1)),
            Self::Quarter => d.checked_add_months(Months::new(3)),
            Self::HalfYear => d.checked_add_months(Months::new(6)),
            Self::Year => d.checked_add_months(Months::new(12)),
            Self::Years(k) => d.checked_add_months(Months::new(12 * k.unsigned_abs())),
        }
    }
}

/// Marks closer than this to either edge are left out (their label would be cut off).
const EDGE_CLEARANCE_PT: f64 = 24.0;

/// Minimum distance between labelled x marks, in points.
const X_LABEL_SPACING_PT: f64 = 70.0;

/// Grid marks on the first trading day of calendar periods (weeks, months, years, ...),
/// the period chosen so labels are at least ~70 points apart. `pt_per_bar` comes from the
/// grid input: `base_step_size` is bars per `min_grid_spacing_pt`.
pub fn calendar_marks(
    days: &[NaiveDate],
    input: &GridInput,
    min_grid_spacing_pt: f64,
) -> Vec<GridMark> {
    let n = days.len();
    if n == 0 || input.base_step_size <= 0.0 {
        return Vec::new();
    }
    let pt_per_bar = min_grid_spacing_pt / input.base_step_size;
    // Weekly and monthly bars span several trading days each.
    let pt_per_day = pt_per_bar / trading_days_per_bar(days);
    let period = Period::LADDER
        .into_iter()
        .find(|p| p.bars() * pt_per_day >= X_LABEL_SPACING_PT)
        .unwrap_or(Period::Years(50));
    let lo = (input.bounds.0.floor().max(0.0) as usize).min(n - 1);
    let hi = (input.bounds.1.ceil().max(0.0) as usize).min(n - 1);
    let mut marks = Vec::new();
    let mut d = period.floor(days[lo]);
    if period == Period::Day {
        // One mark per bar: trading days are the periods.
        for i in lo..=hi {
            let edge_pt = (i as f64 - input.bounds.0).min(input.bounds.1 - i as f64) * pt_per_bar;
            if edge_pt < EDGE_CLEARANCE_PT {
                continue;
            }
            marks.push(GridMark {
                value: i as f64,
                step_size: 1.0,
            });
        }
        return marks;
    }
    while d <= days[hi] {
        let i = days.partition_point(|x| *x < d);
        if i >= n {
            break;
        }
        // Skip marks left of the view and a period whose first trading day is the previous
        // period's (long holidays).
        let edge_pt = (i as f64 - input.bounds.0).min(input.bounds.1 - i as f64) * pt_per_bar;
        if edge_pt >= EDGE_CLEARANCE_PT
            && marks.last().is_none_or(|m: &GridMark| m.value < i as f64)
        {
            marks.push(GridMark {
                value: i as f64,
                step_size: period.bars(),
            });
        }
        match period.next(d) {
            Some(next) => d = next,
            None => break,
        }
    }
    marks
}

/// Trading days per bar, from the calendar span of the bars: 1 for daily bars (at most 1.5
/// calendar days each), about 5 for weekly and 21 for monthly bars.
fn trading_days_per_bar(days: &[NaiveDate]) -> f64 {
    match (days.first(), days.last()) {
        (Some(first), Some(last)) if days.len() > 1 => {
            let per_bar = (*last - *first).num_days() as f64 / (days.len() - 1) as f64;
            (per_bar / 1.5).max(1.0)
        }
        _ => 1.0,
    }
}

/// The date label of the mark at bar `value`, formatted for the mark's period: years,
/// months (with the year at January), or days.
pub fn date_label(days: &[NaiveDate], mark: GridMark) -> String {
    let Some(&d) = usize::try_from(mark.value.round() as i64)
        .ok()
        .and_then(|i| days.get(i))
    else {
        return String::new();
    };
    if mark.step_size >= 250.0 {
        d.format("%Y").to_string()
    } else if mark.step_size >= 20.0 {
        if d.month() == 1 {
            d.format("%Y").to_string()
        } else {
            d.format("%b").to_string()
        }
    } else if d.day() <= 7 && d.month() == 1 && mark.step_size >= 5.0 {
        d.format("%Y").to_string()
    } else {
        d.format("%b %-d").to_string()
    }
}

/// The label of `mark` among the axis' `marks` (in order): as [`date_label`], with the year
/// added at the first mark and where the year changes, when the marks are days, weeks or
/// months (`Mar 2024`, `Mar 5, 2024`), so a zoomed-in axis always says which year it shows.
pub fn date_label_among(days: &[NaiveDate], mark: GridMark, marks: &[GridMark]) -> String {
    let label = date_label(days, mark);
    let day_of = |m: &GridMark| {
        usize::try_from(m.value.round() as i64)
            .ok()
            .and_then(|i| days.get(i))
            .copied()
    };
    let Some(d) = day_of(&mark) else {
        return label;
    };
    if mark.step_size >= 250.0 || label.len() == 4 {
        // Years, or a January that is labelled by its year already.
        return label;
    }
    let Some(pos) = marks.iter().position(|m| m.value == mark.value) else {
        return label;
    };
    let new_year = match pos
        .checked_sub(1)
        .and_then(|p| marks.get(p))
        .and_then(day_of)
    {
        None => true,
        Some(prev) => prev.year() != d.year(),
    };
    if !new_year {
        label
    } else if mark.step_size >= 20.0 {
        d.format("%b %Y").to_string()
    } else {
        d.format("%b %-d, %Y").to_string()
    }
}

/// The full date of the bar nearest `x`, for tooltips.
pub fn bar_at(days: &[NaiveDate], x: f64) -> Option<usize> {
    if days.is_empty() || !x.is_finite() {
        return None;
    }
    Some((x.round().max(0.0) as usize).min(days.len() - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn remapped_views_keep_their_dates() {
        let old = weekdays(d(2024, 1, 1), 260);
        // A series from 2000 joins: its days come first.
        let mut new = weekdays(d(2000, 1, 3), 6000);
        new.retain(|x| *x < d(2024, 1, 1));
        new.extend(old.iter().copied());
        let view = XView {
            start: 9.5,
            end: 259.5,
        };
        let moved = view.remapped(&old, &new);
        let first = bar_at(&new, moved.start + 0.5).unwrap();
        assert_eq!(new[first], old[10]);
        assert_eq!(new[moved.bar_range(new.len()).end - 1], old[259]);
        assert!((moved.width() - view.width()).abs() < 1e-9);
        // A day missing from the new calendar maps to the next one it has.
        let thinner: Vec<NaiveDate> = old.iter().copied().step_by(2).collect();
        let v = XView {
            start: 2.5,
            end: 20.5,
        }
        .remapped(&old, &thinner);
        assert!(v.start >= 0.5 && v.end <= 10.5, "{v:?}");
        // Same calendar: unchanged.
        assert_eq!(view.remapped(&old, &old), view);
    }

    /// Weekdays from `from` for `n` trading days.
    fn weekdays(from: NaiveDate, n: usize) -> Vec<NaiveDate> {
        let mut out = Vec::new();
        let mut x = from;
        while out.len() < n {
            if x.weekday().num_days_from_monday() < 5 {
                out.push(x);
            }
            x = x.succ_opt().unwrap();
        }
        out
    }

    #[test]
    fn presets_pick_calendar_spans() {
        let days = weekdays(d(2020, 1, 1), 1300);
        let last = *days.last().unwrap();
        let v = RangePreset::M1.view(&days);
        let first = v.bar_range(days.len()).start;
        assert!(days[first] > last.checked_sub_months(Months::new(1)).unwrap());
        assert!(days[first - 1] <= last.checked_sub_months(Months::new(1)).unwrap());
        assert_eq!(v.end, days.len() as f64 - 0.5);
        let ytd = RangePreset::Ytd.view(&days);
        assert_eq!(
            days[ytd.bar_range(days.len()).start],
            d(last.year(), 1, 1)
                .max(days[0])
                .max(days[days.partition_point(|x| *x < d(last.year(), 1, 1))])
        );
        assert_eq!(RangePreset::Max.view(&days), XView::full(days.len()));
        // A preset longer than the history shows all of it.
        let short = weekdays(d(2024, 1, 1), 30);
        assert_eq!(RangePreset::Y5.view(&short), XView::full(30));
        assert_eq!(RangePreset::parse("ytd"), Some(RangePreset::Ytd));
        assert_eq!(RangePreset::parse("10y"), Some(RangePreset::Y10));
        assert_eq!(RangePreset::parse("2w"), None);
    }

    #[test]
    fn zoom_keeps_anchor_and_clamps() {
        let n = 1000;
        let v = XView {
            start: 100.0,
            end: 200.0,
        };
        let z = v.zoomed(2.0, 150.0, n);
        assert!((z.start - 125.0).abs() < 1e-9 && (z.end - 175.0).abs() < 1e-9);
        let z = v.zoomed(2.0, 100.0, n);
        assert!((z.start - 100.0).abs() < 1e-9 && (z.end - 150.0).abs() < 1e-9);
        // Zooming far out reaches the whole history, not beyond.
        assert_eq!(v.zoomed(0.001, 150.0, n), XView::full(n));
        // Zooming far in stops at the minimum width.
        let tiny = v.zoomed(1e6, 150.0, n);
        assert!((tiny.width() - MIN_VISIBLE_BARS).abs() < 1e-9);
        // Panning stops at both ends, keeping the width.
        let p = v.panned(-1e6, n);
        assert_eq!((p.start, p.end), (-0.5, 99.5));
        let p = v.panned(1e6, n);
        assert_eq!((p.start, p.end), (n as f64 - 100.5, n as f64 - 0.5));
        assert_eq!(
            XView {
                start: -50.0,
                end: 10.0
            }
            .clamped(n)
            .start,
            -0.5
        );
    }

    #[test]
    fn marks_follow_the_calendar_and_labels_adapt() {
        let days = weekdays(d(2000, 1, 3), 252 * 25);
        // Zoomed out on 25 years in ~900 points: yearly or coarser marks.
        let input = GridInput {
            bounds: (-0.5, days.len() as f64 - 0.5),
            base_step_size: 8.0 * days.len() as f64 / 900.0,
        };
        let marks = calendar_marks(&days, &input, 8.0);
        assert!(marks.len() >= 5 && marks.len() <= 14, "{}", marks.len());
        for m in &marks {
            let label = date_label(&days, *m);
            assert_eq!(label.len(), 4, "year label {label}");
            assert_eq!(days[m.value as usize].month(), 1);
        }
        // One month in 900 points: daily or weekly marks with day labels.
        let n = days.len() as f64;
        let input = GridInput {
            bounds: (n - 22.0, n - 0.5),
            base_step_size: 8.0 * 22.0 / 900.0,
        };
        let marks = calendar_marks(&days, &input, 8.0);
        assert!(!marks.is_empty());
        assert!(date_label(&days, marks[0]).contains(' '), "day label");
        // Months in a one-year view.
        let input = GridInput {
            bounds: (n - 252.0, n - 0.5),
            base_step_size: 8.0 * 252.0 / 900.0,
        };
        let marks = calendar_marks(&days, &input, 8.0);
        assert!(marks.iter().all(|m| days[m.value as usize].day() <= 5));
    }

    #[test]
    fn zoomed_in_axes_name_the_year_first_and_where_it_changes() {
        let days = weekdays(d(2023, 6, 1), 300);
        let n = days.len() as f64;
        // A year in 900 points: months; the first names its year, January is the year.
        let input = GridInput {
            bounds: (n - 252.0, n - 0.5),
            base_step_size: 8.0 * 252.0 / 900.0,
        };
        let marks = calendar_marks(&days, &input, 8.0);
        let labels: Vec<String> = marks
            .iter()
            .map(|m| date_label_among(&days, *m, &marks))
            .collect();
        assert!(labels[0].ends_with(" 2023"), "{labels:?}");
        assert!(labels.contains(&"2024".to_owned()), "{labels:?}");
        assert!(
            labels[1..].iter().all(|l| !l.contains("2023")),
            "{labels:?}"
        );
        // A month across New Year: days; the first and the first of January name the year.
        let ny = days.partition_point(|x| *x < d(2024, 1, 1)) as f64;
        let input = GridInput {
            bounds: (ny - 10.0, ny + 10.0),
            base_step_size: 8.0 * 20.0 / 900.0,
        };
        let marks = calendar_marks(&days, &input, 8.0);
        let labels: Vec<String> = marks
            .iter()
            .map(|m| date_label_among(&days, *m, &marks))
            .collect();
        assert!(labels[0].ends_with(", 2023"), "{labels:?}");
        assert_eq!(
            labels.iter().filter(|l| l.contains("2024")).count(),
            1,
            "{labels:?}"
        );
        assert_eq!(
            labels.iter().filter(|l| l.contains("2023")).count(),
            1,
            "{labels:?}"
        );
    }

    /// Weekly bars: a year of 52 bars in 900 points is labelled by month, not every week.
    #[test]
    fn weekly_bars_are_labelled_by_month() {
        let weeks: Vec<NaiveDate> = (0..520u64)
            .map(|i| d(2010, 1, 8) + chrono::Days::new(7 * i))
            .collect();
        let n = weeks.len() as f64;
        let input = GridInput {
            bounds: (n - 52.5, n - 0.5),
            base_step_size: 8.0 * 52.0 / 900.0,
        };
        let marks = calendar_marks(&weeks, &input, 8.0);
        assert!((6..=13).contains(&marks.len()), "{} marks", marks.len());
        assert!(
            marks.iter().all(|m| !date_label(&weeks, *m).contains(' ')),
            "month or year labels"
        );
        assert_eq!(trading_days_per_bar(&weeks[..1]), 1.0);
        assert!((trading_days_per_bar(&weeks) - 4.67).abs() < 0.01);
    }
}

//! Weekly and monthly bars from daily ones.
//!
//! A period is an ISO week (Monday to Sunday, so a week that spans New Year stays one
//! week: 2020-12-28 … 2021-01-03 is 2020-W53) or a calendar month. Each period with at
//! least one daily bar gives one bar: open = the first bar's open, high = the highest high,
//! low = the lowest low, close = the last bar's close, volume and dividends summed, split
//! ratios multiplied. The bar is dated by the period's **last trading day** (the Thursday
//! of a week whose Friday is a holiday; the 29th of a month ending on a weekend), so every
//! aggregated day is a real day of the daily series and a chart's dates, drawings and links
//! keep working on it.
//!
//! pandas gives the same values with `resample("W-SUN", closed="right", label="right")`
//! (weeks ending Sunday are ISO weeks) or `resample("ME")` and `first`/`max`/`min`/`last`/
//! `sum`, but labels each bin by its calendar end (the Sunday, the month's last calendar
//! day) whether or not that day traded, and keeps empty bins as NaN rows; here the label is
//! the last day that traded and a period without bars has no bar.
//! (`tests/compute_resample_pandas.rs` checks this against pandas on 20 years of the S&P 500.)
//!
//! A close-only day (rates, FRED-style series) counts with its close as its open, high and
//! low; a period of close-only days only is a close-only bar.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::model::{Bar, DailySeries, MAX_PRICE, MAX_VOLUME, SeriesBuilder};

/// The period one bar of a chart covers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Interval {
    /// One bar per trading day (the stored bars).
    #[default]
    Daily,
    /// One bar per ISO week, dated by its last trading day.
    Weekly,
    /// One bar per calendar month, dated by its last trading day.
    Monthly,
}

impl Interval {
    /// Every interval, in button order.
    pub const ALL: [Self; 3] = [Self::Daily, Self::Weekly, Self::Monthly];

    /// The short label of its button and key: `D`, `W`, `M`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Daily => "D",
            Self::Weekly => "W",
            Self::Monthly => "M",
        }
    }

    /// The long name: `daily`, `weekly`, `monthly`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Daily => "daily",
            Self::Weekly => "weekly",
            Self::Monthly => "monthly",
        }
    }

    /// Parses `d`, `w`, `m` or `daily`, `weekly`, `monthly` (any case).
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "d" | "day" | "daily" | "1d" => Some(Self::Daily),
            "w" | "week" | "weekly" | "1w" => Some(Self::Weekly),
            "m" | "month" | "monthly" | "1mo" => Some(Self::Monthly),
            _ => None,
        }
    }

    /// The period `day` falls in, as a key that changes exactly when the period does.
    fn period(self, day: NaiveDate) -> (i32, u32) {
        match self {
            Self::Daily => (day.year(), day.ordinal()),
            Self::Weekly => {
                let w = day.iso_week();
                (w.year(), w.week())
            }
            Self::Monthly => (day.year(), day.month()),
        }
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The index ranges of the daily bars of each period, in order.
pub fn periods(days: &[NaiveDate], interval: Interval) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=days.len() {
        if i == days.len() || interval.period(days[i]) != interval.period(days[start]) {
            out.push(start..i);
            start = i;
        }
    }
    out
}

/// One bar of the daily bars `range` of `series` (not empty), dated by its last day.
fn aggregate(series: &DailySeries, range: std::ops::Range<usize>) -> Bar {
    let r = range;
    let last = r.end - 1;
    let close = series.close()[last];
    // A close-only day's only price stands for its open, high and low.
    let or_close = |v: f64, i: usize| if v.is_finite() { v } else { series.close()[i] };
    let volume = series.volume()[r.clone()]
        .iter()
        .sum::<f64>()
        .min(MAX_VOLUME);
    let dividends = series.dividends()[r.clone()]
        .iter()
        .sum::<f64>()
        .min(MAX_PRICE);
    let stock_splits = series.stock_splits()[r.clone()]
        .iter()
        .filter(|s| **s > 0.0)
        .fold(None, |acc: Option<f64>, s| Some(acc.unwrap_or(1.0) * s))
        .map_or(0.0, |p| p.min(MAX_PRICE));
    let date = series.days()[last];
    if r.clone().all(|i| series.open()[i].is_nan()) {
        return Bar {
            volume,
            dividends,
            stock_splits,
            ..Bar::close_only(date, close)
        };
    }
    let open = or_close(series.open()[r.start], r.start);
    // Open and close are inside [low, high] by construction, even if a daily bar had them
    // a rounding error outside its own range.
    let mut high = open.max(close);
    let mut low = open.min(close);
    for i in r {
        high = high.max(or_close(series.high()[i], i));
        low = low.min(or_close(series.low()[i], i));
    }
    Bar {
        date,
        open,
        high,
        low,
        close,
        volume,
        dividends,
        stock_splits,
    }
}

/// `series` in bars of `interval` (a copy for [`Interval::Daily`]). The last bar is
/// provisional when the series' last daily bar is.
pub fn resample(series: &DailySeries, interval: Interval) -> DailySeries {
    let (Some(first), Some(last)) = (series.first_day(), series.last_day()) else {
        return series.clone();
    };
    if interval == Interval::Daily {
        return series.clone();
    }
    let ranges = periods(series.days(), interval);
    // Every aggregated bar is dated by a day of the series and is a valid bar.
    let mut builder = SeriesBuilder::with_capacity(ranges.len()).within(first..=last);
    for r in ranges {
        builder.push(aggregate(series, r));
    }
    let (mut out, issues) = builder.build();
    if let Some(issue) = issues.first() {
        tracing::warn!(
            "{} {interval} bars could not be built, e.g. {issue}",
            issues.len()
        );
    }
    if series.provisional_day().is_some() {
        out.set_last_provisional(true);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn bar(date: NaiveDate, o: f64, h: f64, l: f64, c: f64, v: f64) -> Bar {
        Bar {
            volume: v,
            ..Bar::ohlc(date, o, h, l, c)
        }
    }

    fn series(bars: Vec<Bar>) -> DailySeries {
        let (s, issues) = DailySeries::from_bars(bars);
        assert!(issues.is_empty(), "{issues:?}");
        s
    }

    #[test]
    fn weekly_bars_aggregate_ohlcv_and_take_the_last_trading_day() {
        // Mon 2024-03-04 .. Fri 03-08, then Mon 03-11 .. Thu 03-14 (Friday a holiday).
        let s = series(vec![
            bar(d(2024, 3, 4), 10.0, 12.0, 9.0, 11.0, 100.0),
            bar(d(2024, 3, 5), 11.0, 15.0, 10.5, 14.0, 200.0),
            bar(d(2024, 3, 6), 14.0, 14.5, 8.0, 9.0, 50.0),
            bar(d(2024, 3, 8), 9.0, 10.0, 8.5, 9.5, 25.0),
            bar(d(2024, 3, 11), 9.5, 11.0, 9.0, 10.0, 10.0),
            bar(d(2024, 3, 14), 10.0, 10.2, 7.0, 7.5, 20.0),
        ]);
        let w = resample(&s, Interval::Weekly);
        assert_eq!(w.days(), &[d(2024, 3, 8), d(2024, 3, 14)]);
        assert_eq!(w.open(), &[10.0, 9.5]);
        assert_eq!(w.high(), &[15.0, 11.0]);
        assert_eq!(w.low(), &[8.0, 7.0]);
        assert_eq!(w.close(), &[9.5, 7.5]);
        assert_eq!(w.volume(), &[375.0, 30.0]);
        // Daily is the series itself.
        assert_eq!(resample(&s, Interval::Daily), s);
    }

    #[test]
    fn an_iso_week_spans_new_year_and_months_split_at_month_ends() {
        // Thu 2020-12-31, Fri 2021-01-01 (ISO 2020-W53), Mon 2021-01-04 (2021-W01).
        let s = series(vec![
            bar(d(2020, 12, 30), 1.0, 2.0, 0.5, 1.5, 1.0),
            bar(d(2020, 12, 31), 1.5, 3.0, 1.0, 2.0, 1.0),
            bar(d(2021, 1, 1), 2.0, 2.5, 1.8, 2.2, 1.0),
            bar(d(2021, 1, 4), 2.2, 2.4, 2.0, 2.1, 1.0),
            bar(d(2021, 1, 29), 2.1, 4.0, 2.1, 3.9, 1.0),
            bar(d(2021, 2, 1), 3.9, 4.1, 3.0, 3.1, 1.0),
        ]);
        let w = resample(&s, Interval::Weekly);
        assert_eq!(
            w.days(),
            &[d(2021, 1, 1), d(2021, 1, 4), d(2021, 1, 29), d(2021, 2, 1)]
        );
        assert_eq!(w.open()[0], 1.0);
        assert_eq!(w.close()[0], 2.2);
        assert_eq!(w.high()[0], 3.0);
        let m = resample(&s, Interval::Monthly);
        assert_eq!(m.days(), &[d(2020, 12, 31), d(2021, 1, 29), d(2021, 2, 1)]);
        assert_eq!(m.open(), &[1.0, 2.0, 3.9]);
        assert_eq!(m.high(), &[3.0, 4.0, 4.1]);
        assert_eq!(m.low(), &[0.5, 1.8, 3.0]);
        assert_eq!(m.close(), &[2.0, 3.9, 3.1]);
        assert_eq!(m.volume(), &[2.0, 3.0, 1.0]);
    }

    #[test]
    fn close_only_days_events_and_provisional_bars() {
        let mut s = series(vec![
            Bar::close_only(d(2024, 1, 2), 5.0),
            Bar::close_only(d(2024, 1, 3), 6.0),
            Bar {
                dividends: 0.5,
                ..Bar::close_only(d(2024, 1, 4), 4.0)
            },
            // Next week: a close-only day then a full bar.
            Bar {
                stock_splits: 2.0,
                ..Bar::close_only(d(2024, 1, 8), 7.0)
            },
            Bar {
                stock_splits: 3.0,
                dividends: 0.25,
                ..bar(d(2024, 1, 9), 6.5, 6.8, 6.0, 6.2, 9.0)
            },
        ]);
        s.set_last_provisional(true);
        let w = resample(&s, Interval::Weekly);
        assert_eq!(w.len(), 2);
        let first = w.bar(0).unwrap();
        assert!(
            first.is_close_only(),
            "a week of close-only days: {first:?}"
        );
        assert_eq!(first.close, 4.0);
        assert_eq!(first.dividends, 0.5);
        assert_eq!(first.stock_splits, 0.0);
        let second = w.bar(1).unwrap();
        assert_eq!(
            (second.open, second.high, second.low, second.close),
            (7.0, 7.0, 6.0, 6.2),
            "the close-only day counts with its close"
        );
        assert_eq!(second.stock_splits, 6.0);
        assert_eq!(second.dividends, 0.25);
        assert_eq!(w.provisional_day(), Some(d(2024, 1, 9)));
        assert!(!w.has_close_only() || w.open()[0].is_nan());
        assert!(resample(&DailySeries::default(), Interval::Monthly).is_empty());
    }

    #[test]
    fn intervals_parse_and_label() {
        for i in Interval::ALL {
            assert_eq!(Interval::parse(i.label()), Some(i));
            assert_eq!(Interval::parse(i.name()), Some(i));
        }
        assert_eq!(Interval::parse(" W "), Some(Interval::Weekly));
        assert_eq!(Interval::parse("y"), None);
    }

    #[test]
    fn periods_cover_every_day_once() {
        let start = d(2019, 12, 1);
        let days: Vec<NaiveDate> = (0..800u64)
            .map(|i| start + chrono::Days::new(i))
            .filter(|d| d.weekday().num_days_from_monday() < 5)
            .collect();
        for interval in Interval::ALL {
            let p = periods(&days, interval);
            assert_eq!(p.first().map(|r| r.start), Some(0));
            assert_eq!(p.last().map(|r| r.end), Some(days.len()));
            for w in p.windows(2) {
                assert_eq!(w[0].end, w[1].start);
            }
        }
        // Five weekdays per week, except the partial weeks at either end.
        let weeks = periods(&days, Interval::Weekly);
        assert!(weeks[1..weeks.len() - 1].iter().all(|r| r.len() == 5));
    }
}

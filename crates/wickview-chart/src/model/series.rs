//! The columnar daily series and its validating builder.

use std::ops::{Range, RangeInclusive};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::day::plausible_days;

/// The largest price a bar may have (and the largest dividend or split ratio): 10^12. No
/// market quotes anything near it in any currency; a value above it is a unit mix-up or
/// garbage, and values near 1e308 overflow every running sum computed over them.
pub const MAX_PRICE: f64 = 1e12;

/// The largest volume a bar may have: 10^15.
pub const MAX_VOLUME: f64 = 1e15;

/// One daily bar, as read from a source or a store row.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bar {
    /// The trading day, in the exchange's own calendar.
    pub date: NaiveDate,
    /// Opening price.
    pub open: f64,
    /// Highest price of the day.
    pub high: f64,
    /// Lowest price of the day.
    pub low: f64,
    /// Closing price.
    pub close: f64,
    /// Shares (or contracts) traded; 0 where the source has none (indices, currencies).
    pub volume: f64,
    /// Cash dividend paid on this day, 0 if none.
    pub dividends: f64,
    /// Split ratio effective this day (2.0 for 2:1), 0 if none.
    pub stock_splits: f64,
}

impl Bar {
    /// A bar with no volume, dividend or split.
    pub fn ohlc(date: NaiveDate, open: f64, high: f64, low: f64, close: f64) -> Self {
        Self {
            date,
            open,
            high,
            low,
            close,
            volume: 0.0,
            dividends: 0.0,
            stock_splits: 0.0,
        }
    }

    /// A close-only bar (rates, indices, FRED-style series): open, high and low are NaN.
    pub fn close_only(date: NaiveDate, close: f64) -> Self {
        Self {
            date,
            open: f64::NAN,
            high: f64::NAN,
            low: f64::NAN,
            close,
            volume: 0.0,
            dividends: 0.0,
            stock_splits: 0.0,
        }
    }

    /// Whether the bar has only a close: open, high and low are all missing (NaN).
    pub fn is_close_only(&self) -> bool {
        self.open.is_nan() && self.high.is_nan() && self.low.is_nan()
    }

    /// Checks the bar is possible ([`Bar::check_within`]) on the days a bar may have now,
    /// 1900-01-01 to tomorrow in UTC ([`plausible_days`](super::plausible_days)).
    pub fn check(&self) -> Result<(), BarProblem> {
        self.check_within(&plausible_days())
    }

    /// Checks the bar is possible: dated within `days`, prices finite, positive and at most
    /// [`MAX_PRICE`], `low <= open, close <= high`, a volume from 0 to [`MAX_VOLUME`]. A
    /// close-only bar ([`Bar::is_close_only`]) needs only such a close.
    pub fn check_within(&self, days: &RangeInclusive<NaiveDate>) -> Result<(), BarProblem> {
        if !days.contains(&self.date) {
            return Err(BarProblem::DayOutOfRange);
        }
        if self.is_close_only() {
            if !self.close.is_finite() {
                return Err(BarProblem::NonFinitePrice);
            }
            if self.close <= 0.0 {
                return Err(BarProblem::NonPositivePrice);
            }
            if self.close > MAX_PRICE {
                return Err(BarProblem::PriceOutOfRange);
            }
            return self.check_extras();
        }
        let prices = [self.open, self.high, self.low, self.close];
        if prices.iter().any(|p| !p.is_finite()) {
            return Err(BarProblem::NonFinitePrice);
        }
        if prices.iter().any(|p| *p <= 0.0) {
            return Err(BarProblem::NonPositivePrice);
        }
        if prices.iter().any(|p| *p > MAX_PRICE) {
            return Err(BarProblem::PriceOutOfRange);
        }
        if self.high < self.low {
            return Err(BarProblem::HighBelowLow);
        }
        // A relative tolerance absorbs rounding in sources that store adjusted prices.
        let tol = self.high.abs() * 1e-9;
        let inside = |p: f64| p >= self.low - tol && p <= self.high + tol;
        if !inside(self.open) || !inside(self.close) {
            return Err(BarProblem::OpenCloseOutsideRange);
        }
        self.check_extras()
    }

    fn check_extras(&self) -> Result<(), BarProblem> {
        // A range holds no NaN.
        if !(0.0..=MAX_VOLUME).contains(&self.volume) {
            return Err(BarProblem::BadVolume);
        }
        let event = 0.0..=MAX_PRICE;
        if !event.contains(&self.dividends) || !event.contains(&self.stock_splits) {
            return Err(BarProblem::BadEvent);
        }
        Ok(())
    }
}

/// How far (relative to the price) an open or close may lie outside high/low and still
/// count as a rounding glitch of the source, repaired by widening high/low.
pub const ROUNDING_TOLERANCE: f64 = 0.01;

impl Bar {
    /// Checks the bar like [`Bar::check`], but first repairs a rounding glitch: an open or
    /// close lying outside high/low by at most [`ROUNDING_TOLERANCE`] of the price widens
    /// high/low to include it. Returns the bar and whether it was repaired.
    pub fn checked(self) -> Result<(Self, bool), BarProblem> {
        self.checked_within(&plausible_days())
    }

    /// [`Bar::checked`] with the bar's day accepted within `days` (see [`Bar::check_within`]).
    pub fn checked_within(
        mut self,
        days: &RangeInclusive<NaiveDate>,
    ) -> Result<(Self, bool), BarProblem> {
        match self.check_within(days) {
            Ok(()) => Ok((self, false)),
            Err(BarProblem::OpenCloseOutsideRange) => {
                let top = self.open.max(self.close);
                let bottom = self.open.min(self.close);
                let above = (top - self.high).max(0.0);
                let below = (self.low - bottom).max(0.0);
                if above <= self.high * ROUNDING_TOLERANCE && below <= self.low * ROUNDING_TOLERANCE
                {
                    self.high = self.high.max(top);
                    self.low = self.low.min(bottom);
                    self.check_within(days).map(|()| (self, true))
                } else {
                    Err(BarProblem::OpenCloseOutsideRange)
                }
            }
            Err(problem) => Err(problem),
        }
    }
}

/// Why a bar was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BarProblem {
    /// A price is NaN or infinite.
    #[error("a price is not a finite number")]
    NonFinitePrice,
    /// A price is zero or negative.
    #[error("a price is zero or negative")]
    NonPositivePrice,
    /// A price is above [`MAX_PRICE`].
    #[error("a price is above 10^12, which no market has")]
    PriceOutOfRange,
    /// The day is before 1900-01-01 or after tomorrow (UTC).
    #[error("the date is before 1900 or after tomorrow")]
    DayOutOfRange,
    /// `high < low`.
    #[error("high is below low")]
    HighBelowLow,
    /// Open or close lies outside `[low, high]`.
    #[error("open or close lies outside the low-high range")]
    OpenCloseOutsideRange,
    /// Volume is negative, above [`MAX_VOLUME`] or not finite.
    #[error("volume is negative, above 10^15 or not a number")]
    BadVolume,
    /// Dividend or split is negative, above [`MAX_PRICE`] or not finite.
    #[error("dividend or split is negative, above 10^12 or not a number")]
    BadEvent,
}

/// Something the builder noticed about its input.
#[derive(Clone, Debug, PartialEq)]
pub enum BarIssue {
    /// The bar was impossible and was left out.
    Rejected {
        /// The bar as given.
        bar: Bar,
        /// Why it was left out.
        problem: BarProblem,
    },
    /// A day came more than once; the last one given was kept.
    Duplicate {
        /// The repeated day.
        date: NaiveDate,
    },
    /// Open or close lay outside high/low by rounding; high/low were widened to keep it.
    Widened {
        /// The repaired day.
        date: NaiveDate,
    },
}

impl std::fmt::Display for BarIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Rejected { bar, problem } => write!(f, "{}: {problem}", bar.date),
            Self::Duplicate { date } => {
                write!(f, "{date}: day given more than once, kept the last")
            }
            Self::Widened { date } => write!(
                f,
                "{date}: open or close lay outside high/low by rounding; high/low widened"
            ),
        }
    }
}

/// A daily OHLCV series stored column by column, days strictly ascending and unique.
///
/// Built only through [`SeriesBuilder`], so the
/// invariant holds for every value of this type.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DailySeries {
    days: Vec<NaiveDate>,
    open: Vec<f64>,
    high: Vec<f64>,
    low: Vec<f64>,
    close: Vec<f64>,
    volume: Vec<f64>,
    dividends: Vec<f64>,
    stock_splits: Vec<f64>,
    /// The last day, when its bar was fetched while its exchange was still open.
    provisional: Option<NaiveDate>,
}

impl DailySeries {
    /// An empty series.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty series with room for `n` bars in every column.
    fn with_capacity(n: usize) -> Self {
        Self {
            days: Vec::with_capacity(n),
            open: Vec::with_capacity(n),
            high: Vec::with_capacity(n),
            low: Vec::with_capacity(n),
            close: Vec::with_capacity(n),
            volume: Vec::with_capacity(n),
            dividends: Vec::with_capacity(n),
            stock_splits: Vec::with_capacity(n),
            provisional: None,
        }
    }

    /// Builds a series from bars, checking each; returns the series and what was noticed.
    pub fn from_bars(bars: impl IntoIterator<Item = Bar>) -> (Self, Vec<BarIssue>) {
        let mut b = SeriesBuilder::new();
        for bar in bars {
            b.push(bar);
        }
        b.build()
    }

    /// Number of trading days.
    pub fn len(&self) -> usize {
        self.days.len()
    }

    /// Whether the series has no bars.
    pub fn is_empty(&self) -> bool {
        self.days.is_empty()
    }

    /// Trading days, ascending.
    pub fn days(&self) -> &[NaiveDate] {
        &self.days
    }
    /// Opening prices.
    pub fn open(&self) -> &[f64] {
        &self.open
    }
    /// Daily highs.
    pub fn high(&self) -> &[f64] {
        &self.high
    }
    /// Daily lows.
    pub fn low(&self) -> &[f64] {
        &self.low
    }
    /// Closing prices.
    pub fn close(&self) -> &[f64] {
        &self.close
    }
    /// Volumes.
    pub fn volume(&self) -> &[f64] {
        &self.volume
    }
    /// Dividends (0 where none).
    pub fn dividends(&self) -> &[f64] {
        &self.dividends
    }
    /// Split ratios (0 where none).
    pub fn stock_splits(&self) -> &[f64] {
        &self.stock_splits
    }

    /// Whether some bar has only a close (see [`Bar::is_close_only`]): such a series is
    /// drawn as a close line instead of candles.
    pub fn has_close_only(&self) -> bool {
        self.open.iter().any(|o| o.is_nan())
    }

    /// The day of the last bar when that bar is provisional: fetched while its exchange
    /// was still open, so the next update replaces it.
    pub fn provisional_day(&self) -> Option<NaiveDate> {
        self.provisional
    }

    /// Marks the last bar provisional (or final).
    pub fn set_last_provisional(&mut self, provisional: bool) {
        self.provisional = if provisional { self.last_day() } else { None };
    }

    /// The first trading day, if any.
    pub fn first_day(&self) -> Option<NaiveDate> {
        self.days.first().copied()
    }

    /// The last trading day, if any.
    pub fn last_day(&self) -> Option<NaiveDate> {
        self.days.last().copied()
    }

    /// The bar at index `i`.
    pub fn bar(&self, i: usize) -> Option<Bar> {
        (i < self.len()).then(|| self.bar_at(i))
    }

    /// The bar at index `i`, which must be in range (all columns have the same length).
    fn bar_at(&self, i: usize) -> Bar {
        Bar {
            date: self.days[i],
            open: self.open[i],
            high: self.high[i],
            low: self.low[i],
            close: self.close[i],
            volume: self.volume[i],
            dividends: self.dividends[i],
            stock_splits: self.stock_splits[i],
        }
    }

    /// All bars, in order.
    pub fn bars(&self) -> impl ExactSizeIterator<Item = Bar> + '_ {
        (0..self.len()).map(|i| self.bar_at(i))
    }

    /// Index of `date` if it is a trading day of this series.
    pub fn index_of(&self, date: NaiveDate) -> Option<usize> {
        self.days.binary_search(&date).ok()
    }

    /// The index of the first trading day on or after `date` (may equal `len()`).
    pub fn lower_bound(&self, date: NaiveDate) -> usize {
        self.days.partition_point(|d| *d < date)
    }

    /// Indices of the trading days within `from..=to` (inclusive dates).
    pub fn range_of(&self, from: NaiveDate, to: NaiveDate) -> Range<usize> {
        let start = self.lower_bound(from);
        let end = self.days.partition_point(|d| *d <= to);
        start..end.max(start)
    }

    /// A copy of the bars at `range` (clamped to the series).
    pub fn slice(&self, range: Range<usize>) -> Self {
        let end = range.end.min(self.len());
        let r = range.start.min(end)..end;
        Self {
            days: self.days[r.clone()].to_vec(),
            open: self.open[r.clone()].to_vec(),
            high: self.high[r.clone()].to_vec(),
            low: self.low[r.clone()].to_vec(),
            close: self.close[r.clone()].to_vec(),
            volume: self.volume[r.clone()].to_vec(),
            dividends: self.dividends[r.clone()].to_vec(),
            stock_splits: self.stock_splits[r.clone()].to_vec(),
            provisional: self
                .provisional
                .filter(|p| r.end > r.start && self.days[r.end - 1] == *p),
        }
    }

    /// Merges `newer` into this series: days of `newer` replace the same days here
    /// (an upsert), other days are kept. Both inputs are valid, so the result is too.
    /// The result's last bar is provisional if it is the provisional bar of its input.
    pub fn merge(&self, newer: &Self) -> Self {
        let mut out = Self::default();
        out.merge_into(self, newer);
        let last = out.last_day();
        out.provisional = newer
            .provisional
            .or(self.provisional.filter(|p| newer.index_of(*p).is_none()))
            .filter(|p| Some(*p) == last);
        out
    }

    fn merge_into(&mut self, old: &Self, newer: &Self) {
        let out = self;
        let (mut i, mut j) = (0, 0);
        while i < old.len() || j < newer.len() {
            let take_new = match (old.days.get(i), newer.days.get(j)) {
                (Some(a), Some(b)) if a == b => {
                    i += 1;
                    true
                }
                (Some(a), Some(b)) => b < a,
                (None, Some(_)) => true,
                (Some(_), None) | (None, None) => false,
            };
            let bar = if take_new {
                j += 1;
                newer.bar(j - 1)
            } else {
                i += 1;
                old.bar(i - 1)
            };
            if let Some(bar) = bar {
                out.push_unchecked(bar);
            }
        }
    }

    fn push_unchecked(&mut self, bar: Bar) {
        self.days.push(bar.date);
        self.open.push(bar.open);
        self.high.push(bar.high);
        self.low.push(bar.low);
        self.close.push(bar.close);
        self.volume.push(bar.volume);
        self.dividends.push(bar.dividends);
        self.stock_splits.push(bar.stock_splits);
    }
}

/// Collects bars in any order and builds a [`DailySeries`]: sorts by day, keeps the last
/// of duplicated days, and leaves out impossible bars, reporting each as a [`BarIssue`].
/// Days are accepted from 1900-01-01 to tomorrow in UTC as of the builder's creation
/// ([`plausible_days`](super::plausible_days)).
#[derive(Debug)]
pub struct SeriesBuilder {
    bars: Vec<Bar>,
    issues: Vec<BarIssue>,
    /// The days accepted.
    days: RangeInclusive<NaiveDate>,
}

impl Default for SeriesBuilder {
    fn default() -> Self {
        Self::with_capacity(0)
    }
}

impl SeriesBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty builder with room for `n` bars.
    pub fn with_capacity(n: usize) -> Self {
        Self {
            bars: Vec::with_capacity(n),
            issues: Vec::new(),
            days: plausible_days(),
        }
    }

    /// Accepts the days in `days` instead of 1900-01-01 to tomorrow: a fixed clock, for
    /// tests and for callers that checked their bars against one range already.
    #[must_use]
    pub fn within(mut self, days: RangeInclusive<NaiveDate>) -> Self {
        self.days = days;
        self
    }

    /// Adds a bar; one with a rounding glitch is repaired ([`Bar::checked`]) and
    /// recorded as widened, an impossible one is recorded as rejected and left out.
    pub fn push(&mut self, bar: Bar) -> &mut Self {
        match bar.checked_within(&self.days) {
            Ok((bar, repaired)) => {
                if repaired {
                    self.issues.push(BarIssue::Widened { date: bar.date });
                }
                self.bars.push(bar);
            }
            Err(problem) => self.issues.push(BarIssue::Rejected { bar, problem }),
        }
        self
    }

    /// Builds the series and returns it with every issue noticed, in input order for
    /// rejections followed by duplicates in day order.
    pub fn build(self) -> (DailySeries, Vec<BarIssue>) {
        let Self {
            mut bars,
            mut issues,
            days: _,
        } = self;
        // Stable sort keeps input order among equal days, so "last given wins" holds.
        bars.sort_by_key(|b| b.date);
        let mut out = DailySeries::with_capacity(bars.len());
        for (k, bar) in bars.iter().enumerate() {
            if bars.get(k + 1).is_some_and(|next| next.date == bar.date) {
                if issues
                    .last()
                    .is_none_or(|last| *last != BarIssue::Duplicate { date: bar.date })
                {
                    issues.push(BarIssue::Duplicate { date: bar.date });
                }
                continue;
            }
            out.push_unchecked(*bar);
        }
        (out, issues)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EARLIEST_DAY, latest_day, latest_day_after};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn bar(date: NaiveDate, c: f64) -> Bar {
        Bar::ohlc(date, c, c * 1.1, c * 0.9, c)
    }

    #[test]
    fn builder_sorts_dedups_and_rejects() {
        let mut b = SeriesBuilder::new();
        b.push(bar(d(2024, 1, 3), 10.0))
            .push(bar(d(2024, 1, 2), 9.0))
            .push(bar(d(2024, 1, 3), 11.0))
            .push(Bar::ohlc(d(2024, 1, 4), 5.0, 4.0, 6.0, 5.0))
            .push(Bar::ohlc(d(2024, 1, 5), f64::NAN, 4.0, 3.0, 3.5))
            .push(Bar::ohlc(d(2024, 1, 8), -1.0, 4.0, 3.0, 3.5))
            .push(Bar::ohlc(d(2024, 1, 9), 9.0, 4.0, 3.0, 3.5));
        let (s, issues) = b.build();
        assert_eq!(s.days(), &[d(2024, 1, 2), d(2024, 1, 3)]);
        assert_eq!(s.close(), &[9.0, 11.0], "last duplicate wins");
        let problems: Vec<_> = issues
            .iter()
            .filter_map(|i| match i {
                BarIssue::Rejected { problem, .. } => Some(*problem),
                BarIssue::Duplicate { .. } | BarIssue::Widened { .. } => None,
            })
            .collect();
        assert_eq!(
            problems,
            vec![
                BarProblem::HighBelowLow,
                BarProblem::NonFinitePrice,
                BarProblem::NonPositivePrice,
                BarProblem::OpenCloseOutsideRange
            ]
        );
        assert!(issues.contains(&BarIssue::Duplicate {
            date: d(2024, 1, 3)
        }));
        assert_eq!(issues.len(), 5);
    }

    #[test]
    fn prices_no_market_has_and_impossible_days_are_rejected() {
        let with = |date: NaiveDate, f: fn(&mut Bar)| {
            let mut b = bar(date, 10.0);
            f(&mut b);
            b
        };
        let bars = [
            bar(d(2024, 1, 2), 10.0),
            with(d(2024, 1, 3), |b| {
                b.high = 1e308;
                b.close = 1e308;
            }),
            Bar::close_only(d(2024, 1, 4), 2e12),
            with(d(2024, 1, 5), |b| b.volume = 1e300),
            with(d(2024, 1, 8), |b| b.dividends = 1e300),
            bar(NaiveDate::from_ymd_opt(0, 1, 1).unwrap(), 10.0),
            bar(d(1899, 12, 31), 10.0),
            bar(d(9999, 12, 31), 10.0),
            bar(d(3000, 1, 1), 10.0),
            bar(d(1900, 1, 1), 10.0),
            Bar::close_only(d(2024, 1, 9), 1e12),
        ];
        let (s, issues) = DailySeries::from_bars(bars);
        assert_eq!(s.days(), &[d(1900, 1, 1), d(2024, 1, 2), d(2024, 1, 9)]);
        let said: Vec<String> = issues.iter().map(ToString::to_string).collect();
        assert_eq!(said.len(), 8, "{said:?}");
        assert!(
            said[0].starts_with("2024-01-03: a price is above 10^12"),
            "{said:?}"
        );
        assert!(
            said[1].starts_with("2024-01-04: a price is above 10^12"),
            "{said:?}"
        );
        assert!(
            said[2].contains("volume is negative, above 10^15"),
            "{said:?}"
        );
        assert!(said[3].contains("dividend or split"), "{said:?}");
        for (text, day) in
            said[4..]
                .iter()
                .zip(["0000-01-01", "1899-12-31", "9999-12-31", "3000-01-01"])
        {
            assert_eq!(
                *text,
                format!("{day}: the date is before 1900 or after tomorrow")
            );
        }
    }

    #[test]
    fn tomorrow_in_utc_is_the_latest_day() {
        let latest = latest_day_after(d(2024, 6, 3));
        assert_eq!(latest, d(2024, 6, 4));
        let mut b = SeriesBuilder::new().within(EARLIEST_DAY..=latest);
        b.push(bar(d(2024, 6, 3), 1.0))
            .push(bar(d(2024, 6, 4), 1.0))
            .push(bar(d(2024, 6, 5), 1.0));
        let (s, issues) = b.build();
        assert_eq!(s.last_day(), Some(d(2024, 6, 4)));
        assert_eq!(
            issues,
            vec![BarIssue::Rejected {
                bar: bar(d(2024, 6, 5), 1.0),
                problem: BarProblem::DayOutOfRange
            }]
        );
        // The real clock, with margins no change of date during the test can cross.
        let tomorrow = latest_day();
        let yesterday = tomorrow.checked_sub_days(chrono::Days::new(2)).unwrap();
        let later = tomorrow.checked_add_days(chrono::Days::new(2)).unwrap();
        assert_eq!(bar(yesterday, 1.0).check(), Ok(()));
        assert_eq!(bar(later, 1.0).check(), Err(BarProblem::DayOutOfRange));
        assert_eq!(DailySeries::from_bars([bar(later, 1.0)]).0.len(), 0);
    }

    #[test]
    fn close_only_bars_are_possible_and_partial_ones_are_not() {
        let c = Bar::close_only(d(2024, 1, 2), 4.25);
        assert!(c.is_close_only());
        assert_eq!(c.check(), Ok(()));
        assert_eq!(
            Bar::close_only(d(2024, 1, 2), 0.0).check(),
            Err(BarProblem::NonPositivePrice)
        );
        assert_eq!(
            Bar::close_only(d(2024, 1, 2), f64::NAN).check(),
            Err(BarProblem::NonFinitePrice)
        );
        let partial = Bar::ohlc(d(2024, 1, 2), f64::NAN, 5.0, 4.0, 4.5);
        assert_eq!(partial.check(), Err(BarProblem::NonFinitePrice));
        let (s, issues) = DailySeries::from_bars([c, bar(d(2024, 1, 3), 4.0)]);
        assert!(issues.is_empty());
        assert!(s.has_close_only());
        assert!(s.open()[0].is_nan() && s.close()[0] == 4.25);
        let (full, _) = DailySeries::from_bars([bar(d(2024, 1, 3), 4.0)]);
        assert!(!full.has_close_only());
    }

    #[test]
    fn rounding_glitches_are_widened_and_impossible_bars_rejected() {
        // Close a cent above the high (a real S&P 500 panel has such bars).
        let glitch = Bar::ohlc(d(2024, 1, 2), 20.00, 20.50, 19.80, 20.51);
        let (fixed, repaired) = glitch.checked().unwrap();
        assert!(repaired);
        assert_eq!((fixed.high, fixed.low), (20.51, 19.80));
        let low_glitch = Bar::ohlc(d(2024, 1, 2), 19.79, 20.50, 19.80, 20.0);
        assert_eq!(low_glitch.checked().unwrap().0.low, 19.79);
        assert_eq!(
            Bar::ohlc(d(2024, 1, 2), 20.0, 20.5, 19.8, 21.0).checked(),
            Err(BarProblem::OpenCloseOutsideRange),
            "2.4% above the high is no rounding"
        );
        assert_eq!(
            bar(d(2024, 1, 2), 10.0).checked(),
            Ok((bar(d(2024, 1, 2), 10.0), false))
        );
        let mut b = SeriesBuilder::new();
        b.push(glitch).push(bar(d(2024, 1, 3), 20.0));
        let (s, issues) = b.build();
        assert_eq!(s.len(), 2);
        assert_eq!(s.high()[0], 20.51);
        assert_eq!(
            issues,
            vec![BarIssue::Widened {
                date: d(2024, 1, 2)
            }]
        );
    }

    #[test]
    fn ranges_and_lookup() {
        let (s, _) = DailySeries::from_bars([
            bar(d(2024, 1, 2), 1.0),
            bar(d(2024, 1, 3), 2.0),
            bar(d(2024, 1, 5), 3.0),
        ]);
        assert_eq!(s.index_of(d(2024, 1, 5)), Some(2));
        assert_eq!(s.index_of(d(2024, 1, 4)), None);
        assert_eq!(s.range_of(d(2024, 1, 3), d(2024, 1, 4)), 1..2);
        assert_eq!(s.range_of(d(2025, 1, 1), d(2025, 2, 1)), 3..3);
        assert_eq!(s.range_of(d(2024, 1, 5), d(2024, 1, 1)), 2..2);
        assert_eq!(s.slice(1..10).close(), &[2.0, 3.0]);
        assert_eq!(s.first_day(), Some(d(2024, 1, 2)));
        assert_eq!(s.last_day(), Some(d(2024, 1, 5)));
    }

    #[test]
    fn merge_is_an_upsert() {
        let (old, _) = DailySeries::from_bars([
            bar(d(2024, 1, 2), 1.0),
            bar(d(2024, 1, 3), 2.0),
            bar(d(2024, 1, 5), 3.0),
        ]);
        let (new, _) = DailySeries::from_bars([bar(d(2024, 1, 5), 30.0), bar(d(2024, 1, 8), 4.0)]);
        let m = old.merge(&new);
        assert_eq!(m.close(), &[1.0, 2.0, 30.0, 4.0]);
        assert_eq!(m.merge(&new), m, "merging again changes nothing");
        assert_eq!(DailySeries::new().merge(&new), new);
    }
}

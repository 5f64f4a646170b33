//! Dividend-adjusted (total-return) prices, the way Yahoo computes its `adjclose`: each
//! cash dividend of `D` paid on ex-day `t` multiplies every price before `t` by
//! `1 − D / close(t − 1)`, the close of the trading day before the ex-day (the CRSP method).
//! Prices are already split-adjusted when they are stored, so splits need no factor here.
//!
//! The factors are derived from the stored dividends rather than stored themselves: a new
//! dividend changes every earlier factor, which a stored `adjclose` column fetched a few days
//! at a time would miss.

use crate::model::{Bar, DailySeries};

/// The total-return factor of each day (1 on and after the last dividend), into `out`.
///
/// A dividend on the first day (no earlier close) or one not below the earlier close
/// (bad data) is left out instead of giving a factor of zero or less.
///
/// # Panics
/// Never; `out` is resized to the input.
pub fn dividend_factors_into(close: &[f64], dividends: &[f64], out: &mut Vec<f64>) {
    let n = close.len().min(dividends.len());
    out.clear();
    out.resize(n, 1.0);
    let mut f = 1.0f64;
    for i in (0..n).rev() {
        out[i] = f;
        let d = dividends[i];
        if i > 0 && d.is_finite() && d > 0.0 {
            let before = close[i - 1];
            if before.is_finite() && before > d {
                f *= 1.0 - d / before;
            }
        }
    }
}

/// The total-return factor of each day of `series` (see [`dividend_factors_into`]).
pub fn dividend_factors(series: &DailySeries) -> Vec<f64> {
    let mut out = Vec::with_capacity(series.len());
    dividend_factors_into(series.close(), series.dividends(), &mut out);
    out
}

/// Whether `series` holds any dividend that [`total_return`] would apply.
pub fn has_dividends(series: &DailySeries) -> bool {
    series.dividends().iter().skip(1).any(|d| *d > 0.0)
}

/// `series` with every price (open, high, low, close) multiplied by its day's
/// total-return factor: the chart of a holding whose dividends were reinvested. Volume,
/// dividends, splits and the provisional mark stay as they were.
pub fn total_return(series: &DailySeries) -> DailySeries {
    if !has_dividends(series) {
        return series.clone();
    }
    let factors = dividend_factors(series);
    let bars = series.bars().zip(&factors).map(|(bar, &f)| Bar {
        open: bar.open * f,
        high: bar.high * f,
        low: bar.low * f,
        close: bar.close * f,
        ..bar
    });
    // Multiplying a valid bar's prices by one positive factor keeps it valid.
    let (mut out, _) = DailySeries::from_bars(bars);
    out.set_last_provisional(series.provisional_day().is_some());
    out
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 3, d).unwrap()
    }

    fn series(points: &[(u32, f64, f64)]) -> DailySeries {
        DailySeries::from_bars(points.iter().map(|&(d, c, div)| Bar {
            dividends: div,
            ..Bar::ohlc(day(d), c, c * 1.01, c * 0.99, c)
        }))
        .0
    }

    #[test]
    fn factors_follow_yahoos_method() {
        // Dividends of 1.0 on the 4th (close before: 50) and 0.5 on the 6th (close before: 25).
        let s = series(&[
            (1, 40.0, 0.0),
            (2, 45.0, 0.0),
            (3, 50.0, 0.0),
            (4, 48.0, 1.0),
            (5, 25.0, 0.0),
            (6, 26.0, 0.5),
            (7, 27.0, 0.0),
        ]);
        let f = dividend_factors(&s);
        let a = 1.0 - 1.0 / 50.0;
        let b = 1.0 - 0.5 / 25.0;
        let want = [a * b, a * b, a * b, b, b, 1.0, 1.0];
        for (got, want) in f.iter().zip(want) {
            assert!((got - want).abs() < 1e-15, "{f:?}");
        }
        let tr = total_return(&s);
        assert_eq!(tr.days(), s.days());
        assert!((tr.close()[0] - 40.0 * a * b).abs() < 1e-12);
        assert!((tr.high()[3] - 48.0 * 1.01 * b).abs() < 1e-12);
        assert_eq!(tr.close()[6], 27.0);
        assert_eq!(tr.volume(), s.volume());
        assert_eq!(tr.dividends(), s.dividends());
    }

    #[test]
    fn no_dividend_leaves_the_series_alone_and_bad_ones_are_skipped() {
        let plain = series(&[(1, 10.0, 0.0), (2, 11.0, 0.0)]);
        assert!(!has_dividends(&plain));
        assert_eq!(total_return(&plain), plain);
        // A dividend on the first day has no earlier close; one above the close is bad data.
        let odd = series(&[(1, 10.0, 3.0), (2, 11.0, 0.0), (3, 12.0, 20.0)]);
        assert_eq!(dividend_factors(&odd), [1.0, 1.0, 1.0]);
    }

    #[test]
    fn the_provisional_mark_is_kept() {
        let mut s = series(&[(1, 10.0, 0.0), (2, 11.0, 0.1), (3, 12.0, 0.0)]);
        s.set_last_provisional(true);
        assert_eq!(total_return(&s).provisional_day(), Some(day(3)));
    }

    #[test]
    fn close_only_bars_are_adjusted_too() {
        let (s, _) = DailySeries::from_bars([
            Bar::close_only(day(1), 100.0),
            Bar {
                dividends: 2.0,
                ..Bar::close_only(day(2), 99.0)
            },
        ]);
        let tr = total_return(&s);
        assert!((tr.close()[0] - 98.0).abs() < 1e-12);
        assert!(tr.open()[0].is_nan(), "no open invented");
    }
}

//! Currency conversion of daily series with a stored exchange-rate series (e.g. `KRW=X`,
//! Korean won per US dollar): each day's prices are divided (into the rate's base currency)
//! or multiplied (out of it) by the rate of that day, or of the latest earlier day the rate
//! has. Days before the rate's first day cannot be converted and are left out.

use crate::model::{Bar, DailySeries};

/// Which way a rate applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FxDirection {
    /// price / rate: from the quote currency into the base (KRW prices → USD with `KRW=X`).
    Divide,
    /// price × rate: from the base currency into the quote (USD prices → KRW with `KRW=X`).
    Multiply,
}

/// A converted series and how many of its days had no rate on or before them.
#[derive(Clone, Debug, PartialEq)]
pub struct Converted {
    /// The converted bars (volume, dividends and splits as they were).
    pub series: DailySeries,
    /// Days left out because the rate series starts after them.
    pub days_without_rate: usize,
}

/// Converts every price of `series` with the closes of `rate` (as of each day: the rate of
/// that day, or of the latest earlier day the rate has).
pub fn convert(series: &DailySeries, rate: &DailySeries, direction: FxDirection) -> Converted {
    let rate_days = rate.days();
    let rate_close = rate.close();
    let mut j = 0usize;
    let mut current: Option<f64> = None;
    let mut skipped = 0usize;
    let mut bars = Vec::with_capacity(series.len());
    for bar in series.bars() {
        while j < rate_days.len() && rate_days[j] <= bar.date {
            if rate_close[j].is_finite() && rate_close[j] > 0.0 {
                current = Some(rate_close[j]);
            }
            j += 1;
        }
        let Some(r) = current else {
            skipped += 1;
            continue;
        };
        let f = |p: f64| match direction {
            FxDirection::Divide => p / r,
            FxDirection::Multiply => p * r,
        };
        bars.push(Bar {
            open: f(bar.open),
            high: f(bar.high),
            low: f(bar.low),
            close: f(bar.close),
            ..bar
        });
    }
    let (series, _) = DailySeries::from_bars(bars);
    Converted {
        series,
        days_without_rate: skipped,
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 1, d).unwrap()
    }

    fn closes(points: &[(u32, f64)]) -> DailySeries {
        DailySeries::from_bars(
            points
                .iter()
                .map(|&(d, c)| Bar::ohlc(day(d), c, c * 1.1, c * 0.9, c)),
        )
        .0
    }

    #[test]
    fn converts_as_of_the_latest_rate() {
        let krw = closes(&[(2, 70_000.0), (3, 71_000.0), (4, 72_000.0), (5, 73_000.0)]);
        // No rate on the 4th: the 3rd's applies. None before the 3rd: the 2nd is left out.
        let rate = closes(&[(3, 1_400.0), (5, 1_250.0)]);
        let usd = convert(&krw, &rate, FxDirection::Divide);
        assert_eq!(usd.days_without_rate, 1);
        assert_eq!(usd.series.days(), &[day(3), day(4), day(5)]);
        assert_eq!(
            usd.series.close(),
            &[71_000.0 / 1_400.0, 72_000.0 / 1_400.0, 73_000.0 / 1_250.0]
        );
        assert_eq!(usd.series.high()[0], 71_000.0 * 1.1 / 1_400.0);
        let back = convert(&usd.series, &rate, FxDirection::Multiply);
        for (a, b) in back.series.close().iter().zip(&krw.close()[1..]) {
            assert!((a - b).abs() < 1e-9 * b);
        }
    }
}

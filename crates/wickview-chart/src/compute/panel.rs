//! A synthetic panel of daily OHLCV series for benchmarks and demo scenes.
//!
//! Deterministic for a given seed (ChaCha8, one stream per series, so every series is the same
//! whatever the thread count): geometric random walks with realistic daily volatility, positive
//! prices, `high >= max(open, close)`, `low <= min(open, close)`, whole-number volumes. Price
//! levels span 1e-2 to 1e5 so kernels meet wide dynamic ranges: series 0, 5, 10, ... start near
//! 1e-2, series 1, 6, 11, ... near 1e5, the others anywhere in between. Stored contiguously per
//! series (series `i` is `close()[i * days .. (i + 1) * days]`), the layout the kernels scan
//! fastest. Days are consecutive weekdays ending on [`DEFAULT_LAST_DAY`] (or a chosen day).
//!
//! This is generated data, not market data; it only ever feeds benchmarks and demo scenes.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::pool;
use crate::model::{Bar, DailySeries};

/// The seed of the benchmark panel.
pub const DEFAULT_SEED: u64 = 0x5eed_cafe_f00d_2024;

/// The last day of generated panels unless another is chosen: Wednesday 2025-12-31.
pub const DEFAULT_LAST_DAY: NaiveDate = match NaiveDate::from_ymd_opt(2025, 12, 31) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// `days` consecutive weekdays ending on `last` (or the weekday before it if it is a weekend).
pub fn weekdays_ending(last: NaiveDate, days: usize) -> Vec<NaiveDate> {
    let mut out = Vec::with_capacity(days);
    let mut d = last;
    while out.len() < days {
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            out.push(d);
        }
        match d.checked_sub_days(Days::new(1)) {
            Some(prev) => d = prev,
            None => break,
        }
    }
    out.reverse();
    out
}

/// N series x D days of synthetic OHLCV, each column contiguous per series.
#[derive(Clone, Debug, PartialEq)]
pub struct SyntheticPanel {
    n_series: usize,
    days: Vec<NaiveDate>,
    open: Vec<f64>,
    high: Vec<f64>,
    low: Vec<f64>,
    close: Vec<f64>,
    volume: Vec<f64>,
}

/// One standard normal deviate (Box-Muller; the second deviate is dropped for simplicity).
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    // 1 - u is in (0, 1], so the log is finite.
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

struct SeriesOut<'a> {
    open: &'a mut [f64],
    high: &'a mut [f64],
    low: &'a mut [f64],
    close: &'a mut [f64],
    volume: &'a mut [f64],
}

fn generate_series(seed: u64, index: usize, out: &mut SeriesOut<'_>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(index as u64);
    let start_price = match index % 5 {
        0 => 10f64.powf(rng.random_range(-2.3..-1.7)),
        1 => 10f64.powf(rng.random_range(4.7..5.3)),
        _ => 10f64.powf(rng.random_range(0.0..3.5)),
    };
    let sigma = rng.random_range(0.008..0.03);
    let drift = rng.random_range(-0.0002..0.0006);
    let base_volume = 10f64.powf(rng.random_range(4.0..8.0));
    let mut prev_close = start_price;
    for i in 0..out.close.len() {
        let open = prev_close * (0.3 * sigma * normal(&mut rng)).exp();
        let close = open * (drift + sigma * normal(&mut rng)).exp();
        let high = open.max(close) * (0.5 * sigma * normal(&mut rng).abs()).exp();
        let low = open.min(close) * (-0.5 * sigma * normal(&mut rng).abs()).exp();
        out.open[i] = open;
        out.high[i] = high;
        out.low[i] = low;
        out.close[i] = close;
        out.volume[i] = (base_volume * (0.4 * normal(&mut rng)).exp()).round();
        prev_close = close;
    }
}

impl SyntheticPanel {
    /// Generates `n_series` series of `days` days with `seed`, ending on [`DEFAULT_LAST_DAY`].
    pub fn generate(n_series: usize, days: usize, seed: u64) -> Self {
        Self::generate_ending(n_series, days, seed, DEFAULT_LAST_DAY)
    }

    /// Generates `n_series` series of `days` weekdays ending on `last_day`, in parallel.
    pub fn generate_ending(n_series: usize, days: usize, seed: u64, last_day: NaiveDate) -> Self {
        let dates = weekdays_ending(last_day, days);
        // Only as many days as the calendar allows before its start (never fewer in practice).
        let days = dates.len();
        let total = n_series * days;
        let (mut open, mut high, mut low, mut close, mut volume) = (
            vec![0.0; total],
            vec![0.0; total],
            vec![0.0; total],
            vec![0.0; total],
            vec![0.0; total],
        );
        if days > 0 {
            pool::install(|| {
                open.par_chunks_mut(days)
                    .zip(high.par_chunks_mut(days))
                    .zip(low.par_chunks_mut(days))
                    .zip(close.par_chunks_mut(days))
                    .zip(volume.par_chunks_mut(days))
                    .enumerate()
                    .for_each(|(index, ((((open, high), low), close), volume))| {
                        generate_series(
                            seed,
                            index,
                            &mut SeriesOut {
                                open,
                                high,
                                low,
                                close,
                                volume,
                            },
                        );
                    });
            });
        }
        Self {
            n_series,
            days: dates,
            open,
            high,
            low,
            close,
            volume,
        }
    }

    /// Number of series.
    pub fn n_series(&self) -> usize {
        self.n_series
    }

    /// Days per series.
    pub fn n_days(&self) -> usize {
        self.days.len()
    }

    /// The trading days, shared by every series.
    pub fn dates(&self) -> &[NaiveDate] {
        &self.days
    }

    /// All opens, series after series.
    pub fn open(&self) -> &[f64] {
        &self.open
    }
    /// All highs, series after series.
    pub fn high(&self) -> &[f64] {
        &self.high
    }
    /// All lows, series after series.
    pub fn low(&self) -> &[f64] {
        &self.low
    }
    /// All closes, series after series.
    pub fn close(&self) -> &[f64] {
        &self.close
    }
    /// All volumes, series after series.
    pub fn volume(&self) -> &[f64] {
        &self.volume
    }

    fn range(&self, i: usize) -> std::ops::Range<usize> {
        let d = self.n_days();
        let i = i.min(self.n_series);
        i * d..(i + 1).min(self.n_series) * d
    }

    /// Closes of series `i` (empty if out of range).
    pub fn close_of(&self, i: usize) -> &[f64] {
        &self.close[self.range(i)]
    }

    /// Series `i` as a [`DailySeries`] (empty if out of range). Every generated bar passes the
    /// model's checks.
    pub fn daily_series(&self, i: usize) -> DailySeries {
        let r = self.range(i);
        let bars = self.days.iter().zip(r).map(|(&date, k)| Bar {
            date,
            open: self.open[k],
            high: self.high[k],
            low: self.low[k],
            close: self.close[k],
            volume: self.volume[k],
            dividends: 0.0,
            stock_splits: 0.0,
        });
        let (series, issues) = DailySeries::from_bars(bars);
        if !issues.is_empty() {
            tracing::warn!(
                series = i,
                issues = issues.len(),
                "generated bars failed the model checks"
            );
        }
        series
    }

    /// Every series as a [`DailySeries`], built in parallel.
    pub fn all_daily_series(&self) -> Vec<DailySeries> {
        pool::install(|| {
            (0..self.n_series)
                .into_par_iter()
                .map(|i| self.daily_series(i))
                .collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekdays_end_on_the_day() {
        let d = weekdays_ending(DEFAULT_LAST_DAY, 7);
        assert_eq!(d.len(), 7);
        assert_eq!(d[6], DEFAULT_LAST_DAY);
        assert_eq!(d[0], NaiveDate::from_ymd_opt(2025, 12, 23).unwrap());
        assert!(d.windows(2).all(|w| w[0] < w[1]));
        // A Sunday end steps back to Friday.
        let sun = NaiveDate::from_ymd_opt(2025, 12, 28).unwrap();
        assert_eq!(
            weekdays_ending(sun, 1)[0],
            NaiveDate::from_ymd_opt(2025, 12, 26).unwrap()
        );
    }

    #[test]
    fn panel_is_deterministic_and_valid() {
        let a = SyntheticPanel::generate(7, 300, 42);
        let b = SyntheticPanel::generate(7, 300, 42);
        assert_eq!(a, b);
        let c = SyntheticPanel::generate(7, 300, 43);
        assert_ne!(a.close(), c.close());
        assert_eq!(a.n_series(), 7);
        assert_eq!(a.n_days(), 300);
        for i in 0..7 {
            let s = a.daily_series(i);
            assert_eq!(s.len(), 300, "series {i} lost bars to the model checks");
            assert_eq!(s.close(), a.close_of(i));
            for k in 0..300 {
                let (o, h, l, c) = (s.open()[k], s.high()[k], s.low()[k], s.close()[k]);
                assert!(l > 0.0 && h >= o.max(c) && l <= o.min(c));
                assert!(s.volume()[k] >= 0.0 && s.volume()[k].fract() == 0.0);
            }
        }
        // Wide dynamic range: series 0 near 1e-2, series 1 near 1e5.
        assert!(a.close_of(0)[0] < 0.1);
        assert!(a.close_of(1)[0] > 1e4);
        assert!(a.daily_series(99).is_empty());
    }
}

//! Performance figures of aligned series over a range of days: return, annualised
//! volatility, maximum drawdown, and the correlation of daily returns with a benchmark.
//! Series are close values on one shared calendar (NaN where a series has no value); the
//! panel form runs on the compute pool.

use rayon::prelude::*;

/// Trading days per year, for annualising.
pub const TRADING_DAYS_PER_YEAR: f64 = 252.0;

/// One series' figures over the range.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Performance {
    /// Percent change from the first value in the range to the last.
    pub return_pct: Option<f64>,
    /// Sample standard deviation of daily log returns, annualised, in percent.
    pub volatility_pct: Option<f64>,
    /// Largest fall from a running peak to a later trough, in percent (0 or negative).
    pub max_drawdown_pct: Option<f64>,
    /// Pearson correlation of daily simple returns with the benchmark's, over days both
    /// have one (simple returns, as pandas' `pct_change().corr()`; volatility uses log returns).
    pub correlation: Option<f64>,
}

/// Simple daily returns over `range`: `r[i] = v[i] / v[i-1] - 1` (NaN when either is
/// missing); `r[0]` is NaN.
fn daily_returns(values: &[f64], range: std::ops::Range<usize>) -> Vec<f64> {
    let slice = &values[range];
    let mut out = vec![f64::NAN; slice.len()];
    for i in 1..slice.len() {
        let (a, b) = (slice[i - 1], slice[i]);
        if a.is_finite() && b.is_finite() && a > 0.0 {
            out[i] = b / a - 1.0;
        }
    }
    out
}

fn correlation(a: &[f64], b: &[f64]) -> Option<f64> {
    let (mut n, mut sa, mut sb) = (0usize, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        if x.is_finite() && y.is_finite() {
            n += 1;
            sa += x;
            sb += y;
        }
    }
    if n < 3 {
        return None;
    }
    let (ma, mb) = (sa / n as f64, sb / n as f64);
    let (mut cov, mut va, mut vb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        if x.is_finite() && y.is_finite() {
            cov += (x - ma) * (y - mb);
            va += (x - ma) * (x - ma);
            vb += (y - mb) * (y - mb);
        }
    }
    (va > 0.0 && vb > 0.0).then(|| cov / (va * vb).sqrt())
}

/// The figures of `values` over `range` (clamped to the values), correlated with
/// `benchmark_returns` (from [`benchmark_returns`] over the same range) when given.
pub fn performance(
    values: &[f64],
    range: std::ops::Range<usize>,
    benchmark_returns: Option<&[f64]>,
) -> Performance {
    let range = range.start.min(values.len())..range.end.min(values.len());
    let slice = &values[range.clone()];
    let first = slice.iter().copied().find(|v| v.is_finite() && *v > 0.0);
    let last = slice.iter().rev().copied().find(|v| v.is_finite());
    let return_pct = first.zip(last).map(|(f, l)| (l / f - 1.0) * 100.0);

    let (mut n, mut sum, mut sum_sq) = (0usize, 0.0f64, 0.0f64);
    let (mut peak, mut worst) = (f64::NAN, 0.0f64);
    let mut seen = false;
    let mut prev = f64::NAN;
    for &v in slice {
        if !(v.is_finite() && v > 0.0) {
            continue;
        }
        seen = true;
        if peak.is_nan() || v > peak {
            peak = v;
        }
        worst = worst.min(v / peak - 1.0);
        if prev.is_finite() {
            let r = (v / prev).ln();
            n += 1;
            sum += r;
            sum_sq += r * r;
        }
        prev = v;
    }
    let volatility_pct = (n >= 2).then(|| {
        let nf = n as f64;
        let var = ((sum_sq - sum * sum / nf) / (nf - 1.0)).max(0.0);
        var.sqrt() * TRADING_DAYS_PER_YEAR.sqrt() * 100.0
    });
    let correlation = benchmark_returns.and_then(|b| correlation(&daily_returns(values, range), b));
    Performance {
        return_pct,
        volatility_pct,
        max_drawdown_pct: seen.then_some(worst * 100.0),
        correlation,
    }
}

/// The benchmark's daily returns over `range`, for [`performance`].
pub fn benchmark_returns(values: &[f64], range: std::ops::Range<usize>) -> Vec<f64> {
    let range = range.start.min(values.len())..range.end.min(values.len());
    daily_returns(values, range)
}

/// [`performance`] of every series over `range` against `benchmark` (an index into
/// `series`), in parallel on the compute pool.
pub fn performance_panel(
    series: &[&[f64]],
    range: std::ops::Range<usize>,
    benchmark: Option<usize>,
) -> Vec<Performance> {
    let bench = benchmark
        .and_then(|b| series.get(b))
        .map(|b| benchmark_returns(b, range.clone()));
    let run = || {
        series
            .par_iter()
            .map(|v| performance(v, range.clone(), bench.as_deref()))
            .collect()
    };
    match super::pool::pool() {
        Some(pool) => pool.install(run),
        None => run(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_match_hand_computation() {
        let v = [f64::NAN, 100.0, 120.0, 90.0, 108.0, 126.0];
        let p = performance(&v, 0..6, None);
        assert!((p.return_pct.unwrap() - 26.0).abs() < 1e-9);
        // Peak 120, trough 90: -25 %.
        assert!((p.max_drawdown_pct.unwrap() + 25.0).abs() < 1e-9);
        let logs: Vec<f64> = [1.2f64, 0.75, 1.2, 126.0 / 108.0]
            .iter()
            .map(|x| x.ln())
            .collect();
        let mean = logs.iter().sum::<f64>() / 4.0;
        let var = logs.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / 3.0;
        let want = var.sqrt() * 252f64.sqrt() * 100.0;
        assert!((p.volatility_pct.unwrap() - want).abs() < 1e-9);
        assert_eq!(p.correlation, None);
        // Only the range counts.
        let p = performance(&v, 2..4, None);
        assert!((p.return_pct.unwrap() + 25.0).abs() < 1e-9);
    }

    #[test]
    fn correlation_with_a_benchmark() {
        let a = [100.0, 101.0, 99.0, 102.0, 103.0, 100.0];
        // Twice a's daily moves: correlation 1. Opposite moves: -1.
        let ra = benchmark_returns(&a, 0..6);
        let mut b = vec![50.0];
        let mut c = vec![50.0];
        for r in &ra[1..] {
            b.push(b.last().unwrap() * (1.0 + 2.0 * r));
            c.push(c.last().unwrap() * (1.0 - r));
        }
        let all = performance_panel(&[&a, &b, &c], 0..6, Some(0));
        assert!((all[0].correlation.unwrap() - 1.0).abs() < 1e-9);
        assert!((all[1].correlation.unwrap() - 1.0).abs() < 1e-9);
        assert!((all[2].correlation.unwrap() + 1.0).abs() < 1e-9);
        let flat = [5.0; 6];
        assert_eq!(performance(&flat, 0..6, Some(&ra)).correlation, None);
        assert_eq!(performance(&flat, 0..6, None).max_drawdown_pct, Some(0.0));
    }
}

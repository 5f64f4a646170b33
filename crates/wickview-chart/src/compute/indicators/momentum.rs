//! Momentum oscillators: RSI (Wilder), rate of change and the slow Stochastic, as TA-Lib computes
//! them (`TA_RSI`, `TA_ROC`, `TA_STOCH` with SMA smoothing).

use super::{ComputeError, by_runs, check_all, check_period, run_panel, ta_is_zero, ta_sma_from};

/// RSI kernel; `out` has `values`' length, `period >= 2`.
fn rsi_kernel(values: &[f64], period: usize, out: &mut [f64]) {
    by_runs([values], [out], |[v], [o]| rsi_run(v, period, o));
}

/// RSI of a series without missing values.
fn rsi_run(values: &[f64], period: usize, out: &mut [f64]) {
    let n = values.len();
    if n <= period {
        out.fill(f64::NAN);
        return;
    }
    out[..period].fill(f64::NAN);
    // Seed: plain averages of the first `period` gains and losses (TA-Lib, default
    // compatibility), then Wilder's smoothing avg = (avg * (period - 1) + x) / period.
    let (mut gain, mut loss) = (0.0_f64, 0.0_f64);
    let mut prev = values[0];
    for &v in &values[1..=period] {
        let d = v - prev;
        prev = v;
        if d < 0.0 {
            loss -= d;
        } else {
            gain += d;
        }
    }
    let p = period as f64;
    let p1 = (period - 1) as f64;
    loss /= p;
    gain /= p;
    let value = |gain: f64, loss: f64| {
        let total = gain + loss;
        if ta_is_zero(total) {
            0.0
        } else {
            100.0 * (gain / total)
        }
    };
    out[period] = value(gain, loss);
    for i in period + 1..n {
        let v = values[i];
        let d = v - prev;
        prev = v;
        loss *= p1;
        gain *= p1;
        if d < 0.0 {
            loss -= d;
        } else {
            gain += d;
        }
        loss /= p;
        gain /= p;
        out[i] = value(gain, loss);
    }
}

/// Wilder's RSI over `period` days into `out` (TA-Lib `RSI`): defined from day `period` on, 0
/// where the average gain and loss are both (nearly) zero. After a missing value the averages
/// are seeded again, `period` days later (see the [module](super) documentation).
///
/// # Errors
/// [`ComputeError::BadParameter`] for a period below 2, [`ComputeError::LengthMismatch`].
pub fn rsi_into(values: &[f64], period: usize, out: &mut [f64]) -> Result<(), ComputeError> {
    check_period("RSI period", period, 2)?;
    check_all("rsi output", values.len(), &[out.len()])?;
    rsi_kernel(values, period, out);
    Ok(())
}

/// Allocating form of [`rsi_into`].
///
/// # Errors
/// As [`rsi_into`].
pub fn rsi(values: &[f64], period: usize) -> Result<Vec<f64>, ComputeError> {
    let mut out = vec![0.0; values.len()];
    rsi_into(values, period, &mut out)?;
    Ok(out)
}

/// Panel form of [`rsi_into`] over series of `days` values back to back.
///
/// # Errors
/// As [`rsi_into`], plus [`ComputeError::RaggedPanel`].
pub fn rsi_panel_into(
    values: &[f64],
    days: usize,
    period: usize,
    out: &mut [f64],
) -> Result<(), ComputeError> {
    check_period("RSI period", period, 2)?;
    run_panel("rsi panel", [values], [out], days, |[v], [o]| {
        rsi_kernel(v, period, o);
    })
}

fn roc_kernel(values: &[f64], period: usize, out: &mut [f64]) {
    let n = values.len();
    let start = period.min(n);
    out[..start].fill(f64::NAN);
    for i in start..n {
        let base = values[i - period];
        out[i] = if base != 0.0 {
            ((values[i] / base) - 1.0) * 100.0
        } else {
            0.0
        };
    }
}

/// Rate of change in percent over `period` days into `out` (TA-Lib `ROC`:
/// `(x[i] / x[i - period] - 1) * 100`, 0 where the earlier value is 0).
///
/// # Errors
/// [`ComputeError::BadParameter`] for a period of 0, [`ComputeError::LengthMismatch`].
pub fn roc_into(values: &[f64], period: usize, out: &mut [f64]) -> Result<(), ComputeError> {
    check_period("ROC period", period, 1)?;
    check_all("roc output", values.len(), &[out.len()])?;
    roc_kernel(values, period, out);
    Ok(())
}

/// Allocating form of [`roc_into`].
///
/// # Errors
/// As [`roc_into`].
pub fn roc(values: &[f64], period: usize) -> Result<Vec<f64>, ComputeError> {
    let mut out = vec![0.0; values.len()];
    roc_into(values, period, &mut out)?;
    Ok(out)
}

/// Panel form of [`roc_into`].
///
/// # Errors
/// As [`roc_into`], plus [`ComputeError::RaggedPanel`].
pub fn roc_panel_into(
    values: &[f64],
    days: usize,
    period: usize,
    out: &mut [f64],
) -> Result<(), ComputeError> {
    check_period("ROC period", period, 1)?;
    run_panel("roc panel", [values], [out], days, |[v], [o]| {
        roc_kernel(v, period, o);
    })
}

/// Fast %K into `fast` (from day `fastk - 1` on): `100 * (close - lowest low) / (highest high -
/// lowest low)` over the last `fastk` days, 0 where the range is empty. TA-Lib divides by
/// `(highest - lowest) / 100`, which this repeats.
fn fast_k(high: &[f64], low: &[f64], close: &[f64], fastk: usize, fast: &mut [f64]) {
    let n = close.len();
    let first = fastk - 1;
    fast[..first.min(n)].fill(f64::NAN);
    // Monotonic deques of indices would make this O(n); the TA-Lib rescan on expiry is
    // amortised near O(n) on prices too, and keeps the same comparisons (ties pick the newest).
    let (mut lowest_idx, mut highest_idx) = (usize::MAX, usize::MAX);
    let (mut lowest, mut highest) = (0.0_f64, 0.0_f64);
    for today in first..n {
        let trailing = today + 1 - fastk;
        if lowest_idx == usize::MAX || lowest_idx < trailing {
            lowest_idx = trailing;
            lowest = low[trailing];
            for (i, &l) in low.iter().enumerate().take(today + 1).skip(trailing + 1) {
                if l < lowest {
                    lowest_idx = i;
                    lowest = l;
                }
            }
        } else if low[today] <= lowest {
            lowest_idx = today;
            lowest = low[today];
        }
        if highest_idx == usize::MAX || highest_idx < trailing {
            highest_idx = trailing;
            highest = high[trailing];
            for (i, &h) in high.iter().enumerate().take(today + 1).skip(trailing + 1) {
                if h > highest {
                    highest_idx = i;
                    highest = h;
                }
            }
        } else if high[today] >= highest {
            highest_idx = today;
            highest = high[today];
        }
        let diff = (highest - lowest) / 100.0;
        fast[today] = if diff != 0.0 {
            (close[today] - lowest) / diff
        } else {
            0.0
        };
    }
}

fn stochastic_kernel(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    periods: (usize, usize, usize),
    k_out: &mut [f64],
    d_out: &mut [f64],
) {
    by_runs([high, low, close], [k_out, d_out], |[h, l, c], [k, d]| {
        stochastic_run(h, l, c, periods, k, d);
    });
}

/// The slow Stochastic of a series without missing values.
fn stochastic_run(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    (fastk, slowk, slowd): (usize, usize, usize),
    k_out: &mut [f64],
    d_out: &mut [f64],
) {
    let n = close.len();
    // %K (slow) = SMA of fast %K; %D = SMA of slow %K. The fast %K goes into d_out as scratch.
    fast_k(high, low, close, fastk, d_out);
    ta_sma_from(d_out, (fastk - 1).min(n), slowk, k_out);
    let k_first = (fastk - 1 + slowk - 1).min(n);
    ta_sma_from(k_out, k_first, slowd, d_out);
    // TA-Lib outputs both lines from the first defined %D.
    let first = (fastk - 1 + slowk - 1 + slowd - 1).min(n);
    k_out[..first].fill(f64::NAN);
}

fn check_stoch(fastk: usize, slowk: usize, slowd: usize) -> Result<(), ComputeError> {
    check_period("Stochastic %K period", fastk, 1)?;
    check_period("Stochastic %K slowing", slowk, 1)?;
    check_period("Stochastic %D period", slowd, 1)
}

/// The slow Stochastic (TA-Lib `STOCH` with SMA smoothing): %K is the `slowk`-day SMA of the
/// `fastk`-day fast %K, %D the `slowd`-day SMA of %K. Both are written from day
/// `fastk + slowk + slowd - 3` on (NaN before), as TA-Lib outputs them.
///
/// # Errors
/// [`ComputeError::BadParameter`] for a period of 0, [`ComputeError::LengthMismatch`] unless all
/// five buffers have one length.
pub fn stochastic_into(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    (fastk, slowk, slowd): (usize, usize, usize),
    k_out: &mut [f64],
    d_out: &mut [f64],
) -> Result<(), ComputeError> {
    check_stoch(fastk, slowk, slowd)?;
    check_all(
        "stochastic input or output",
        close.len(),
        &[high.len(), low.len(), k_out.len(), d_out.len()],
    )?;
    stochastic_kernel(high, low, close, (fastk, slowk, slowd), k_out, d_out);
    Ok(())
}

/// Allocating form of [`stochastic_into`]: `(%K, %D)`.
///
/// # Errors
/// As [`stochastic_into`].
pub fn stochastic(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    periods: (usize, usize, usize),
) -> Result<(Vec<f64>, Vec<f64>), ComputeError> {
    let mut k = vec![0.0; close.len()];
    let mut d = vec![0.0; close.len()];
    stochastic_into(high, low, close, periods, &mut k, &mut d)?;
    Ok((k, d))
}

/// Panel form of [`stochastic_into`].
///
/// # Errors
/// As [`stochastic_into`], plus [`ComputeError::RaggedPanel`].
pub fn stochastic_panel_into(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    days: usize,
    (fastk, slowk, slowd): (usize, usize, usize),
    k_out: &mut [f64],
    d_out: &mut [f64],
) -> Result<(), ComputeError> {
    check_stoch(fastk, slowk, slowd)?;
    run_panel(
        "stochastic panel",
        [close, high, low],
        [k_out, d_out],
        days,
        |[c, h, l], [k, d]| stochastic_kernel(h, l, c, (fastk, slowk, slowd), k, d),
    )
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Textbook RSI: Wilder averages seeded with the plain mean of the first `period` changes.
    fn rsi_reference(x: &[f64], p: usize) -> Vec<f64> {
        let mut out = vec![f64::NAN; x.len()];
        if x.len() <= p {
            return out;
        }
        let ch: Vec<f64> = x.windows(2).map(|w| w[1] - w[0]).collect();
        let mut g = ch[..p].iter().map(|d| d.max(0.0)).sum::<f64>() / p as f64;
        let mut l = ch[..p].iter().map(|d| (-d).max(0.0)).sum::<f64>() / p as f64;
        let rs = |g: f64, l: f64| {
            if g + l < 1e-8 {
                0.0
            } else {
                100.0 - 100.0 / (1.0 + g / l)
            }
        };
        out[p] = rs(g, l);
        for i in p + 1..x.len() {
            let d = ch[i - 1];
            g = (g * (p as f64 - 1.0) + d.max(0.0)) / p as f64;
            l = (l * (p as f64 - 1.0) + (-d).max(0.0)) / p as f64;
            out[i] = rs(g, l);
        }
        out
    }

    fn stoch_reference(
        h: &[f64],
        l: &[f64],
        c: &[f64],
        f: usize,
        k: usize,
        d: usize,
    ) -> Vec<[f64; 2]> {
        let n = c.len();
        let sma = |v: &[f64], i: usize, w: usize| v[i + 1 - w..=i].iter().sum::<f64>() / w as f64;
        let fast: Vec<f64> = (0..n)
            .map(|i| {
                if i + 1 < f {
                    return f64::NAN;
                }
                let lo = l[i + 1 - f..=i]
                    .iter()
                    .copied()
                    .fold(f64::INFINITY, f64::min);
                let hi = h[i + 1 - f..=i]
                    .iter()
                    .copied()
                    .fold(f64::NEG_INFINITY, f64::max);
                if hi == lo {
                    0.0
                } else {
                    100.0 * (c[i] - lo) / (hi - lo)
                }
            })
            .collect();
        let slow: Vec<f64> = (0..n)
            .map(|i| {
                if i + 2 < f + k {
                    f64::NAN
                } else {
                    sma(&fast, i, k)
                }
            })
            .collect();
        (0..n)
            .map(|i| {
                if i + 3 < f + k + d {
                    [f64::NAN; 2]
                } else {
                    [slow[i], sma(&slow, i, d)]
                }
            })
            .collect()
    }

    fn close_to(a: f64, b: f64, scale: f64) -> bool {
        (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-9 * scale.max(b.abs())
    }

    fn prices() -> impl Strategy<Value = Vec<f64>> {
        prop::collection::vec(1.0_f64..1000.0, 0..120)
    }

    proptest! {
        #[test]
        fn rsi_matches_reference(x in prices(), p in 2_usize..30) {
            let got = rsi(&x, p).unwrap();
            let want = rsi_reference(&x, p);
            for i in 0..x.len() {
                prop_assert!(close_to(got[i], want[i], 100.0), "{i}: {} vs {}", got[i], want[i]);
                prop_assert!(got[i].is_nan() || (0.0..=100.0).contains(&got[i]));
            }
        }

        #[test]
        fn roc_matches_definition(x in prices(), p in 1_usize..30) {
            let got = roc(&x, p).unwrap();
            for i in 0..x.len() {
                if i < p {
                    prop_assert!(got[i].is_nan());
                } else {
                    prop_assert!(close_to(got[i], (x[i] / x[i - p] - 1.0) * 100.0, 1.0));
                }
            }
        }

        #[test]
        fn stochastic_matches_reference(
            bars in prop::collection::vec((1.0_f64..1000.0, 0.0_f64..50.0, 0.0_f64..1.0), 0..120),
            f in 1_usize..20, k in 1_usize..5, d in 1_usize..5,
        ) {
            let l: Vec<f64> = bars.iter().map(|b| b.0).collect();
            let h: Vec<f64> = bars.iter().map(|b| b.0 + b.1).collect();
            let c: Vec<f64> = bars.iter().map(|b| b.0 + b.1 * b.2).collect();
            let (gk, gd) = stochastic(&h, &l, &c, (f, k, d)).unwrap();
            let want = stoch_reference(&h, &l, &c, f, k, d);
            for i in 0..c.len() {
                prop_assert!(close_to(gk[i], want[i][0], 100.0), "k {i}: {} vs {}", gk[i], want[i][0]);
                prop_assert!(close_to(gd[i], want[i][1], 100.0), "d {i}: {} vs {}", gd[i], want[i][1]);
            }
        }
    }

    #[test]
    fn bad_parameters_and_flat_prices() {
        assert!(matches!(
            rsi(&[1.0], 1),
            Err(ComputeError::BadParameter { .. })
        ));
        assert!(matches!(
            roc(&[1.0], 0),
            Err(ComputeError::BadParameter { .. })
        ));
        assert!(matches!(
            stochastic(&[1.0], &[1.0], &[1.0], (0, 3, 3)),
            Err(ComputeError::BadParameter { .. })
        ));
        assert!(matches!(
            stochastic(&[1.0], &[1.0, 2.0], &[1.0], (1, 1, 1)),
            Err(ComputeError::LengthMismatch { .. })
        ));
        // No movement: RSI and %K are 0 by TA-Lib's convention, not NaN.
        let flat = [5.0; 10];
        assert_eq!(rsi(&flat, 3).unwrap()[3..], [0.0; 7]);
        let (k, d) = stochastic(&flat, &flat, &flat, (3, 2, 2)).unwrap();
        assert!(k[..4].iter().all(|x| x.is_nan()));
        assert_eq!(k[4..], [0.0; 6]);
        assert_eq!(d[4..], [0.0; 6]);
        assert_eq!(roc(&[0.0, 1.0, 2.0], 1).unwrap()[1..], [0.0, 100.0]);
    }

    #[test]
    fn panels_match_single_series() {
        let days = 40;
        let c: Vec<f64> = (0..days * 3)
            .map(|i| 100.0 + ((i * 37) % 23) as f64)
            .collect();
        let h: Vec<f64> = c.iter().map(|x| x + 2.0).collect();
        let l: Vec<f64> = c.iter().map(|x| x - 3.0).collect();
        let mut r = vec![0.0; c.len()];
        rsi_panel_into(&c, days, 14, &mut r).unwrap();
        let mut q = vec![0.0; c.len()];
        roc_panel_into(&c, days, 5, &mut q).unwrap();
        let (mut k, mut d) = (vec![0.0; c.len()], vec![0.0; c.len()]);
        stochastic_panel_into(&h, &l, &c, days, (14, 3, 3), &mut k, &mut d).unwrap();
        for s in 0..3 {
            let at = s * days..(s + 1) * days;
            let same =
                |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits());
            assert!(same(&r[at.clone()], &rsi(&c[at.clone()], 14).unwrap()));
            assert!(same(&q[at.clone()], &roc(&c[at.clone()], 5).unwrap()));
            let (k1, d1) =
                stochastic(&h[at.clone()], &l[at.clone()], &c[at.clone()], (14, 3, 3)).unwrap();
            assert!(same(&k[at.clone()], &k1));
            assert!(same(&d[at], &d1));
        }
    }
}

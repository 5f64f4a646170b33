//! Trend-following lines: TA-Lib's EMA (seeded with a simple average), EMA ribbons and MACD
//! (`TA_EMA`, `TA_MACD`, default compatibility).
//!
//! This EMA differs from [`crate::compute::ema`] (pandas `ewm(adjust=False)`, which starts at the
//! first value): TA-Lib starts it on day `period - 1` at the mean of the first `period` values,
//! and recurs `prev + (x - prev) * k` with `k = 2 / (period + 1)`.

use super::{ComputeError, by_runs, check_all, check_period, run_panel};

fn ta_ema_kernel(values: &[f64], period: usize, out: &mut [f64]) {
    by_runs([values], [out], |[v], [o]| ta_ema_run(v, period, o));
}

/// TA-Lib's EMA of a series without missing values.
fn ta_ema_run(values: &[f64], period: usize, out: &mut [f64]) {
    let n = values.len();
    if n < period {
        out.fill(f64::NAN);
        return;
    }
    let k = 2.0 / (period + 1) as f64;
    out[..period - 1].fill(f64::NAN);
    let mut sum = 0.0;
    for &v in &values[..period] {
        sum += v;
    }
    let mut prev = sum / period as f64;
    out[period - 1] = prev;
    for i in period..n {
        prev = ((values[i] - prev) * k) + prev;
        out[i] = prev;
    }
}

/// TA-Lib's EMA over `period` days into `out`: defined from day `period - 1` on, and seeded
/// again `period - 1` days after a missing value (see the [module](super) documentation).
///
/// # Errors
/// [`ComputeError::BadParameter`] for a period of 0, [`ComputeError::LengthMismatch`].
pub fn ta_ema_into(values: &[f64], period: usize, out: &mut [f64]) -> Result<(), ComputeError> {
    check_period("EMA period", period, 1)?;
    check_all("ema output", values.len(), &[out.len()])?;
    ta_ema_kernel(values, period, out);
    Ok(())
}

/// Allocating form of [`ta_ema_into`].
///
/// # Errors
/// As [`ta_ema_into`].
pub fn ta_ema(values: &[f64], period: usize) -> Result<Vec<f64>, ComputeError> {
    let mut out = vec![0.0; values.len()];
    ta_ema_into(values, period, &mut out)?;
    Ok(out)
}

/// Panel form of [`ta_ema_into`].
///
/// # Errors
/// As [`ta_ema_into`], plus [`ComputeError::RaggedPanel`].
pub fn ta_ema_panel_into(
    values: &[f64],
    days: usize,
    period: usize,
    out: &mut [f64],
) -> Result<(), ComputeError> {
    check_period("EMA period", period, 1)?;
    run_panel("ema panel", [values], [out], days, |[v], [o]| {
        ta_ema_kernel(v, period, o);
    })
}

/// An EMA ribbon: one TA-Lib EMA per period, written into `rows` (one row of `values.len()`
/// values per period, back to back).
///
/// # Errors
/// [`ComputeError::BadParameter`] for a period of 0, [`ComputeError::LengthMismatch`] unless
/// `rows` holds `periods.len()` rows.
pub fn ema_ribbon_into(
    values: &[f64],
    periods: &[usize],
    rows: &mut [f64],
) -> Result<(), ComputeError> {
    for &p in periods {
        check_period("EMA period", p, 1)?;
    }
    let n = values.len();
    check_all("ema ribbon rows", n * periods.len(), &[rows.len()])?;
    if n == 0 {
        return Ok(());
    }
    for (&p, row) in periods.iter().zip(rows.chunks_mut(n)) {
        ta_ema_kernel(values, p, row);
    }
    Ok(())
}

/// Allocating form of [`ema_ribbon_into`]: one vector per period.
///
/// # Errors
/// As [`ema_ribbon_into`].
pub fn ema_ribbon(values: &[f64], periods: &[usize]) -> Result<Vec<Vec<f64>>, ComputeError> {
    periods.iter().map(|&p| ta_ema(values, p)).collect()
}

/// The three MACD lines of one series.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MacdLines {
    /// Fast EMA minus slow EMA.
    pub macd: Vec<f64>,
    /// EMA of the MACD line.
    pub signal: Vec<f64>,
    /// MACD minus signal.
    pub hist: Vec<f64>,
}

fn macd_kernel(
    values: &[f64],
    periods: (usize, usize, usize),
    macd_out: &mut [f64],
    signal_out: &mut [f64],
    hist_out: &mut [f64],
) {
    by_runs(
        [values],
        [macd_out, signal_out, hist_out],
        |[v], [m, s, h]| {
            macd_run(v, periods, m, s, h);
        },
    );
}

/// MACD of a series without missing values.
fn macd_run(
    values: &[f64],
    (fast, slow, signal): (usize, usize, usize),
    macd_out: &mut [f64],
    signal_out: &mut [f64],
    hist_out: &mut [f64],
) {
    // TA-Lib swaps the periods when the "slow" one is the shorter.
    let (fast, slow) = if slow < fast {
        (slow, fast)
    } else {
        (fast, slow)
    };
    let n = values.len();
    let start = (slow - 1) + (signal - 1);
    if n <= start {
        for o in [macd_out, signal_out, hist_out] {
            o.fill(f64::NAN);
        }
        return;
    }
    for o in [&mut *macd_out, &mut *signal_out, &mut *hist_out] {
        o[..start].fill(f64::NAN);
    }
    let slow_k = 2.0 / (slow + 1) as f64;
    let fast_k = 2.0 / (fast + 1) as f64;
    let signal_k = 2.0 / (signal + 1) as f64;
    // Seeds: the slow EMA starts at the mean of the first `slow` values, the fast one at the
    // mean of the last `fast` of those (both windows end on day slow - 1).
    let mut today = 0;
    let mut slow_sum = 0.0;
    for &v in &values[..slow - fast] {
        slow_sum += v;
    }
    today += slow - fast;
    let mut prev_fast = 0.0;
    for &v in &values[today..slow] {
        prev_fast += v;
        slow_sum += v;
    }
    today = slow;
    let mut prev_slow = slow_sum / slow as f64;
    prev_fast /= fast as f64;
    let mut macd = prev_fast - prev_slow;
    // The signal EMA starts at the mean of the first `signal` MACD values.
    let mut prev_signal = 0.0;
    prev_signal += macd;
    for &v in &values[today..today + signal - 1] {
        prev_fast = (v - prev_fast) * fast_k + prev_fast;
        prev_slow = (v - prev_slow) * slow_k + prev_slow;
        macd = prev_fast - prev_slow;
        prev_signal += macd;
    }
    today += signal - 1;
    prev_signal /= signal as f64;
    macd_out[start] = macd;
    signal_out[start] = prev_signal;
    hist_out[start] = macd - prev_signal;
    for i in today..n {
        let v = values[i];
        prev_fast = (v - prev_fast) * fast_k + prev_fast;
        prev_slow = (v - prev_slow) * slow_k + prev_slow;
        macd = prev_fast - prev_slow;
        prev_signal = (macd - prev_signal) * signal_k + prev_signal;
        macd_out[i] = macd;
        signal_out[i] = prev_signal;
        hist_out[i] = macd - prev_signal;
    }
}

fn check_macd(fast: usize, slow: usize, signal: usize) -> Result<(), ComputeError> {
    check_period("MACD fast period", fast, 2)?;
    check_period("MACD slow period", slow, 2)?;
    check_period("MACD signal period", signal, 1)
}

/// MACD (TA-Lib `MACD`): the fast minus the slow EMA, its `signal`-day EMA and their
/// difference, all written from day `slow + signal - 2` on (NaN before), as TA-Lib outputs them.
///
/// # Errors
/// [`ComputeError::BadParameter`] for a fast or slow period below 2 or a signal period of 0,
/// [`ComputeError::LengthMismatch`].
pub fn macd_into(
    values: &[f64],
    periods: (usize, usize, usize),
    macd_out: &mut [f64],
    signal_out: &mut [f64],
    hist_out: &mut [f64],
) -> Result<(), ComputeError> {
    check_macd(periods.0, periods.1, periods.2)?;
    check_all(
        "macd output",
        values.len(),
        &[macd_out.len(), signal_out.len(), hist_out.len()],
    )?;
    macd_kernel(values, periods, macd_out, signal_out, hist_out);
    Ok(())
}

/// Allocating form of [`macd_into`].
///
/// # Errors
/// As [`macd_into`].
pub fn macd(values: &[f64], periods: (usize, usize, usize)) -> Result<MacdLines, ComputeError> {
    let n = values.len();
    let mut lines = MacdLines {
        macd: vec![0.0; n],
        signal: vec![0.0; n],
        hist: vec![0.0; n],
    };
    macd_into(
        values,
        periods,
        &mut lines.macd,
        &mut lines.signal,
        &mut lines.hist,
    )?;
    Ok(lines)
}

/// Panel form of [`macd_into`].
///
/// # Errors
/// As [`macd_into`], plus [`ComputeError::RaggedPanel`].
pub fn macd_panel_into(
    values: &[f64],
    days: usize,
    periods: (usize, usize, usize),
    macd_out: &mut [f64],
    signal_out: &mut [f64],
    hist_out: &mut [f64],
) -> Result<(), ComputeError> {
    check_macd(periods.0, periods.1, periods.2)?;
    run_panel(
        "macd panel",
        [values],
        [macd_out, signal_out, hist_out],
        days,
        |[v], [m, s, h]| macd_kernel(v, periods, m, s, h),
    )
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Textbook EMA seeded with the mean of the first `p` values, from index `first`.
    fn ema_reference(x: &[f64], p: usize, first: usize) -> Vec<f64> {
        let mut out = vec![f64::NAN; x.len()];
        if x.len() < first + p {
            return out;
        }
        let k = 2.0 / (p as f64 + 1.0);
        let mut e = x[first..first + p].iter().sum::<f64>() / p as f64;
        out[first + p - 1] = e;
        for i in first + p..x.len() {
            e = k * x[i] + (1.0 - k) * e;
            out[i] = e;
        }
        out
    }

    fn close_to(a: f64, b: f64, scale: f64) -> bool {
        (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-9 * scale.max(b.abs())
    }

    proptest! {
        #[test]
        fn ema_matches_reference(x in prop::collection::vec(1.0_f64..1000.0, 0..100), p in 1_usize..30) {
            let got = ta_ema(&x, p).unwrap();
            let want = ema_reference(&x, p, 0);
            for i in 0..x.len() {
                prop_assert!(close_to(got[i], want[i], 1000.0), "{i}: {} vs {}", got[i], want[i]);
            }
        }

        #[test]
        fn macd_matches_reference(
            x in prop::collection::vec(1.0_f64..1000.0, 0..150),
            f in 2_usize..15, s in 2_usize..40, g in 1_usize..12,
        ) {
            let got = macd(&x, (f, s, g)).unwrap();
            let (f, s) = (f.min(s), f.max(s));
            // Both EMAs start on day s - 1; the fast one from the mean of its last f values.
            let slow = ema_reference(&x, s, 0);
            let fast = ema_reference(&x, f, s - f);
            let line: Vec<f64> = fast.iter().zip(&slow).map(|(a, b)| a - b).collect();
            let start = s - 1 + g - 1;
            let sig = if x.len() >= s { ema_reference(&line, g, s - 1) } else { vec![f64::NAN; x.len()] };
            for i in 0..x.len() {
                if i < start {
                    prop_assert!(got.macd[i].is_nan() && got.signal[i].is_nan() && got.hist[i].is_nan());
                    continue;
                }
                prop_assert!(close_to(got.macd[i], line[i], 1000.0), "macd {i}");
                prop_assert!(close_to(got.signal[i], sig[i], 1000.0), "signal {i}");
                prop_assert!(close_to(got.hist[i], line[i] - sig[i], 1000.0), "hist {i}");
            }
        }
    }

    #[test]
    fn ribbon_rows_and_errors() {
        let x: Vec<f64> = (1..=30).map(f64::from).collect();
        let mut rows = vec![0.0; 60];
        ema_ribbon_into(&x, &[3, 10], &mut rows).unwrap();
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&rows[..30]), bits(&ta_ema(&x, 3).unwrap()));
        assert!(rows[30..39].iter().all(|v| v.is_nan()));
        assert_eq!(rows[39], 5.5);
        assert_eq!(ema_ribbon(&x, &[3, 10]).unwrap().concat().len(), 60);
        assert!(matches!(
            ema_ribbon_into(&x, &[3], &mut rows),
            Err(ComputeError::LengthMismatch { .. })
        ));
        assert!(matches!(
            macd(&x, (1, 26, 9)),
            Err(ComputeError::BadParameter { .. })
        ));
        assert!(matches!(
            ta_ema(&x, 0),
            Err(ComputeError::BadParameter { .. })
        ));
        let mut out = vec![0.0; 60];
        ta_ema_panel_into(&x.repeat(2), 30, 3, &mut out).unwrap();
        assert_eq!(bits(&out[30..]), bits(&rows[..30]));
        let (mut m, mut s, mut h) = (vec![0.0; 60], vec![0.0; 60], vec![0.0; 60]);
        macd_panel_into(&x.repeat(2), 30, (3, 6, 2), &mut m, &mut s, &mut h).unwrap();
        let one = macd(&x, (3, 6, 2)).unwrap();
        assert_eq!(m[36..], one.macd[6..]);
        assert_eq!(h[36..], one.hist[6..]);
    }
}

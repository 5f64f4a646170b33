//! Volatility: Bollinger Bands (SMA ± k population standard deviations) and Wilder's Average
//! True Range, as TA-Lib computes them (`TA_BBANDS` with an SMA, `TA_ATR`, `TA_TRANGE`).

use super::{
    ComputeError, by_runs, check_all, check_period, run_panel, ta_is_zero_or_neg, ta_sma_from,
};

/// The three Bollinger lines of one series.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Bands {
    /// Middle + k·σ.
    pub upper: Vec<f64>,
    /// The `period`-day simple moving average.
    pub middle: Vec<f64>,
    /// Middle − k·σ.
    pub lower: Vec<f64>,
}

fn bollinger_kernel(
    values: &[f64],
    period: usize,
    k: f64,
    upper: &mut [f64],
    middle: &mut [f64],
    lower: &mut [f64],
) {
    by_runs([values], [upper, middle, lower], |[v], [u, m, l]| {
        bollinger_run(v, period, k, u, m, l);
    });
}

/// Bollinger Bands of a series without missing values.
fn bollinger_run(
    values: &[f64],
    period: usize,
    k: f64,
    upper: &mut [f64],
    middle: &mut [f64],
    lower: &mut [f64],
) {
    let n = values.len();
    ta_sma_from(values, 0, period, middle);
    if n < period {
        upper.fill(f64::NAN);
        lower.fill(f64::NAN);
        return;
    }
    let start = period - 1;
    upper[..start].fill(f64::NAN);
    lower[..start].fill(f64::NAN);
    // σ from the running sum of squares and the SMA just computed (TA-Lib's
    // stddev_using_precalc_ma): mean of squares minus squared mean, 0 when (nearly) non-positive.
    let mut total2 = 0.0;
    for &v in &values[..start] {
        total2 += v * v;
    }
    let p = period as f64;
    for i in start..n {
        let v = values[i];
        total2 += v * v;
        let mut mean2 = total2 / p;
        let old = values[i + 1 - period];
        total2 -= old * old;
        let m = middle[i];
        mean2 -= m * m;
        let sd = if ta_is_zero_or_neg(mean2) {
            0.0
        } else {
            mean2.sqrt()
        };
        let dev = if k == 1.0 { sd } else { sd * k };
        upper[i] = m + dev;
        lower[i] = m - dev;
    }
}

fn check_bollinger(period: usize, k: f64) -> Result<(), ComputeError> {
    check_period("Bollinger period", period, 2)?;
    if k.is_finite() && k >= 0.0 {
        Ok(())
    } else {
        Err(ComputeError::BadMultiplier(k.to_string()))
    }
}

/// Bollinger Bands into `upper`, `middle`, `lower`: the `period`-day SMA ± `k` population
/// standard deviations, defined from day `period - 1` on, and again from `period - 1` days
/// after a missing value (see the [module](super) documentation).
///
/// # Errors
/// [`ComputeError::BadParameter`] for a period below 2, [`ComputeError::BadMultiplier`] for a
/// negative or non-finite `k`, [`ComputeError::LengthMismatch`].
pub fn bollinger_into(
    values: &[f64],
    period: usize,
    k: f64,
    upper: &mut [f64],
    middle: &mut [f64],
    lower: &mut [f64],
) -> Result<(), ComputeError> {
    check_bollinger(period, k)?;
    check_all(
        "bollinger output",
        values.len(),
        &[upper.len(), middle.len(), lower.len()],
    )?;
    bollinger_kernel(values, period, k, upper, middle, lower);
    Ok(())
}

/// Allocating form of [`bollinger_into`].
///
/// # Errors
/// As [`bollinger_into`].
pub fn bollinger(values: &[f64], period: usize, k: f64) -> Result<Bands, ComputeError> {
    let n = values.len();
    let mut b = Bands {
        upper: vec![0.0; n],
        middle: vec![0.0; n],
        lower: vec![0.0; n],
    };
    bollinger_into(values, period, k, &mut b.upper, &mut b.middle, &mut b.lower)?;
    Ok(b)
}

/// Panel form of [`bollinger_into`].
///
/// # Errors
/// As [`bollinger_into`], plus [`ComputeError::RaggedPanel`].
pub fn bollinger_panel_into(
    values: &[f64],
    days: usize,
    period: usize,
    k: f64,
    upper: &mut [f64],
    middle: &mut [f64],
    lower: &mut [f64],
) -> Result<(), ComputeError> {
    check_bollinger(period, k)?;
    run_panel(
        "bollinger panel",
        [values],
        [upper, middle, lower],
        days,
        |[v], [u, m, l]| bollinger_kernel(v, period, k, u, m, l),
    )
}

/// The true range into `out` (TA-Lib `TRANGE`): from day 1 on, the largest of high − low,
/// |previous close − high| and |previous close − low|; day 0 is NaN.
///
/// # Errors
/// [`ComputeError::LengthMismatch`] unless all four buffers have one length.
pub fn true_range_into(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    out: &mut [f64],
) -> Result<(), ComputeError> {
    check_all(
        "true range input or output",
        close.len(),
        &[high.len(), low.len(), out.len()],
    )?;
    true_range_kernel(high, low, close, out);
    Ok(())
}

fn true_range_kernel(high: &[f64], low: &[f64], close: &[f64], out: &mut [f64]) {
    let Some(first) = out.first_mut() else {
        return;
    };
    *first = f64::NAN;
    for i in 1..close.len() {
        let (h, l, prev) = (high[i], low[i], close[i - 1]);
        let mut greatest = h - l;
        let v2 = (prev - h).abs();
        if v2 > greatest {
            greatest = v2;
        }
        let v3 = (prev - l).abs();
        if v3 > greatest {
            greatest = v3;
        }
        out[i] = greatest;
    }
}

fn atr_kernel(high: &[f64], low: &[f64], close: &[f64], period: usize, out: &mut [f64]) {
    by_runs([high, low, close], [out], |[h, l, c], [o]| {
        atr_run(h, l, c, period, o);
    });
}

/// Wilder's ATR of a series without missing values.
fn atr_run(high: &[f64], low: &[f64], close: &[f64], period: usize, out: &mut [f64]) {
    // The true ranges go into `out` first and are then smoothed in place: each ATR value only
    // reads the true range of its own day.
    true_range_kernel(high, low, close, out);
    if period == 1 {
        return;
    }
    let n = close.len();
    if n <= period {
        out.fill(f64::NAN);
        return;
    }
    // Seed on day `period`: the plain mean of the true ranges of days 1..=period; then Wilder's
    // smoothing atr = (atr * (period - 1) + tr) / period.
    let mut sum = 0.0;
    for &tr in &out[1..=period] {
        sum += tr;
    }
    let p = period as f64;
    let p1 = (period - 1) as f64;
    let mut prev = sum / p;
    out[..period].fill(f64::NAN);
    out[period] = prev;
    for v in &mut out[period + 1..] {
        prev *= p1;
        prev += *v;
        prev /= p;
        *v = prev;
    }
}

/// Wilder's Average True Range over `period` days into `out` (TA-Lib `ATR`): defined from day
/// `period` on (for a period of 1, the true range from day 1). After a day with a missing
/// high, low or close the smoothing is seeded again, `period` days later (see the
/// [module](super) documentation).
///
/// # Errors
/// [`ComputeError::BadParameter`] for a period of 0, [`ComputeError::LengthMismatch`] unless
/// all four buffers have one length.
pub fn atr_into(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    period: usize,
    out: &mut [f64],
) -> Result<(), ComputeError> {
    check_period("ATR period", period, 1)?;
    check_all(
        "atr input or output",
        close.len(),
        &[high.len(), low.len(), out.len()],
    )?;
    atr_kernel(high, low, close, period, out);
    Ok(())
}

/// Allocating form of [`atr_into`].
///
/// # Errors
/// As [`atr_into`].
pub fn atr(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    period: usize,
) -> Result<Vec<f64>, ComputeError> {
    let mut out = vec![0.0; close.len()];
    atr_into(high, low, close, period, &mut out)?;
    Ok(out)
}

/// Panel form of [`atr_into`].
///
/// # Errors
/// As [`atr_into`], plus [`ComputeError::RaggedPanel`].
pub fn atr_panel_into(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    days: usize,
    period: usize,
    out: &mut [f64],
) -> Result<(), ComputeError> {
    check_period("ATR period", period, 1)?;
    run_panel(
        "atr panel",
        [close, high, low],
        [out],
        days,
        |[c, h, l], [o]| atr_kernel(h, l, c, period, o),
    )
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn close_to(a: f64, b: f64, scale: f64) -> bool {
        (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-9 * scale.max(b.abs())
    }

    proptest! {
        #[test]
        fn bollinger_matches_two_pass_reference(
            x in prop::collection::vec(1.0_f64..1000.0, 0..100), p in 2_usize..30, k in 0.0_f64..4.0,
        ) {
            let b = bollinger(&x, p, k).unwrap();
            for i in 0..x.len() {
                if i + 1 < p {
                    prop_assert!(b.upper[i].is_nan() && b.middle[i].is_nan() && b.lower[i].is_nan());
                    continue;
                }
                let w = &x[i + 1 - p..=i];
                let mean = w.iter().sum::<f64>() / p as f64;
                let var = w.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / p as f64;
                let sd = var.sqrt();
                prop_assert!(close_to(b.middle[i], mean, 1000.0));
                // The running sum of squares loses digits against the two-pass variance; the
                // bands stay within 1e-9 of the price scale.
                prop_assert!(close_to(b.upper[i], mean + k * sd, 1000.0), "{i}: {} vs {}", b.upper[i], mean + k * sd);
                prop_assert!(close_to(b.lower[i], mean - k * sd, 1000.0));
            }
        }

        #[test]
        fn atr_matches_reference(
            bars in prop::collection::vec((1.0_f64..1000.0, 0.0_f64..50.0, 0.0_f64..1.0), 0..100),
            p in 1_usize..20,
        ) {
            let l: Vec<f64> = bars.iter().map(|b| b.0).collect();
            let h: Vec<f64> = bars.iter().map(|b| b.0 + b.1).collect();
            let c: Vec<f64> = bars.iter().map(|b| b.0 + b.1 * b.2).collect();
            let got = atr(&h, &l, &c, p).unwrap();
            let tr: Vec<f64> = (0..c.len())
                .map(|i| if i == 0 { f64::NAN } else {
                    (h[i] - l[i]).max((h[i] - c[i - 1]).abs()).max((l[i] - c[i - 1]).abs())
                })
                .collect();
            let mut want = vec![f64::NAN; c.len()];
            if p == 1 {
                want.clone_from(&tr);
            } else if c.len() > p {
                let mut a = tr[1..=p].iter().sum::<f64>() / p as f64;
                want[p] = a;
                for i in p + 1..c.len() {
                    a = (a * (p as f64 - 1.0) + tr[i]) / p as f64;
                    want[i] = a;
                }
            }
            for i in 0..c.len() {
                prop_assert!(close_to(got[i], want[i], 1000.0), "{i}: {} vs {}", got[i], want[i]);
            }
        }
    }

    #[test]
    fn flat_bands_errors_and_panels() {
        let b = bollinger(&[3.0; 5], 2, 2.0).unwrap();
        assert_eq!(b.upper[1..], [3.0; 4]);
        assert_eq!(b.lower[1..], [3.0; 4]);
        assert!(matches!(
            bollinger(&[1.0], 1, 2.0),
            Err(ComputeError::BadParameter { .. })
        ));
        assert!(matches!(
            bollinger(&[1.0], 5, -1.0),
            Err(ComputeError::BadMultiplier(_))
        ));
        assert!(matches!(
            atr(&[1.0], &[1.0], &[1.0], 0),
            Err(ComputeError::BadParameter { .. })
        ));
        let days = 30;
        let c: Vec<f64> = (0..days * 2)
            .map(|i| 50.0 + ((i * 13) % 7) as f64)
            .collect();
        let h: Vec<f64> = c.iter().map(|x| x + 1.5).collect();
        let l: Vec<f64> = c.iter().map(|x| x - 2.0).collect();
        let mut a = vec![0.0; c.len()];
        atr_panel_into(&h, &l, &c, days, 5, &mut a).unwrap();
        let (mut u, mut m, mut lo) = (vec![0.0; c.len()], vec![0.0; c.len()], vec![0.0; c.len()]);
        bollinger_panel_into(&c, days, 10, 2.0, &mut u, &mut m, &mut lo).unwrap();
        let same = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits());
        assert!(same(
            &a[days..],
            &atr(&h[days..], &l[days..], &c[days..], 5).unwrap()
        ));
        let one = bollinger(&c[days..], 10, 2.0).unwrap();
        assert!(same(&u[days..], &one.upper) && same(&lo[days..], &one.lower));
    }
}

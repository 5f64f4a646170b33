//! Exponential moving average with alpha = 2/(n+1), the recursive form, exactly as pandas
//! `Series.ewm(span=n, adjust=False).mean()` computes it (default `ignore_na=False`,
//! `min_periods=0`).
//!
//! pandas' `ewm` kernel (`pandas/_libs/window/aggregations.pyx`) keeps a weight `old_wt` for the
//! running average: each step multiplies it by `1 - alpha` (also across missing values, so the
//! old average loses weight over a gap), and an observation `x` that differs from the average
//! gives `avg = (old_wt * avg + new_wt * x) / (old_wt + new_wt)` with `new_wt = alpha`; every
//! observation then resets `old_wt` to 1. For span 3 (`com == 1`) pandas takes
//! `new_wt = 1 - old_wt` instead ("irregular-interval series"), which only matters after a gap.
//! A missing value repeats the previous output; before the first observation the output is NaN.
//! Missing is NaN as in pandas, and also an infinity or a value beyond
//! [`LARGEST_VALUE`](super::LARGEST_VALUE) ([`is_usable`]), where pandas would keep an infinite
//! average for good (or one decaying from 1e308 for years).
//! This module performs the same floating-point operations in the same order, so it agrees with
//! pandas (checked against pandas 3.1.1, see `tests/fixtures/make_pandas_fixture.py`) to the
//! last bit.

use rayon::prelude::*;

use super::{ComputeError, check_len, is_usable, panel_series_count, pool};

/// The EMA of `values` with span `span` (alpha = 2/(span+1)) into `out`.
///
/// # Errors
/// [`ComputeError::ZeroWindow`] for a span of 0, [`ComputeError::LengthMismatch`] if
/// `out.len() != values.len()`.
pub fn ema_into(values: &[f64], span: usize, out: &mut [f64]) -> Result<(), ComputeError> {
    if span == 0 {
        return Err(ComputeError::ZeroWindow);
    }
    check_len("ema output", values.len(), out.len())?;
    ema_kernel(values, span, out);
    Ok(())
}

fn ema_kernel(values: &[f64], span: usize, out: &mut [f64]) {
    // The common case first, with pandas' own test for a missing value (NaN), which keeps the
    // loop as fast as it was; then a check of the values that run left in the cache, and only
    // a series holding an infinity or a value beyond LARGEST_VALUE is computed again.
    ema_run(values, span, out, |x| !x.is_nan());
    let unusable = values
        .iter()
        .fold(0_u32, |n, &x| n + u32::from(x.abs() > super::LARGEST_VALUE));
    if unusable > 0 {
        ema_run(values, span, out, is_usable);
    }
}

/// The EMA with `observed` telling the values taken from those skipped as missing.
#[inline(always)]
fn ema_run(values: &[f64], span: usize, out: &mut [f64], observed: impl Fn(f64) -> bool) {
    let (Some((&first, rest)), Some((out_first, out_rest))) =
        (values.split_first(), out.split_first_mut())
    else {
        return;
    };
    // pandas: com = (span - 1) / 2, alpha = 1 / (1 + com); both exact up to the final rounding,
    // which equals the rounding of 2 / (span + 1).
    let com = (span as f64 - 1.0) / 2.0;
    let alpha = 1.0 / (1.0 + com);
    let old_wt_factor = 1.0 - alpha;
    let mut new_wt = alpha;
    let irregular_update = com == 1.0;

    // pandas turns min_periods = 0 into 1: NaN until the first observation.
    let mut seen = observed(first);
    let mut weighted = if seen { first } else { f64::NAN };
    *out_first = weighted;
    let mut old_wt = 1.0_f64;
    for (&cur, o) in rest.iter().zip(out_rest) {
        let is_observation = observed(cur);
        seen |= is_observation;
        if !weighted.is_nan() {
            old_wt *= old_wt_factor;
            if is_observation {
                if weighted != cur {
                    if irregular_update {
                        new_wt = 1.0 - old_wt;
                    }
                    weighted = old_wt * weighted + new_wt * cur;
                    let denom = old_wt + new_wt;
                    // Dividing by exactly 1 changes nothing; skipping it keeps the division
                    // off the loop's dependency chain in the common gap-free case.
                    if denom != 1.0 {
                        weighted /= denom;
                    }
                }
                old_wt = 1.0;
            }
        } else if is_observation {
            weighted = cur;
        }
        *o = if seen { weighted } else { f64::NAN };
    }
}

/// The EMA of `values` with span `span`.
///
/// # Errors
/// [`ComputeError::ZeroWindow`] for a span of 0.
pub fn ema(values: &[f64], span: usize) -> Result<Vec<f64>, ComputeError> {
    let mut out = vec![0.0; values.len()];
    ema_into(values, span, &mut out)?;
    Ok(out)
}

/// Panel form of [`ema_into`]: `values` and `out` hold series of `days` values back to back.
/// Series run in parallel on the compute pool.
///
/// # Errors
/// As [`ema_into`], plus [`ComputeError::RaggedPanel`].
pub fn ema_panel_into(
    values: &[f64],
    days: usize,
    span: usize,
    out: &mut [f64],
) -> Result<(), ComputeError> {
    if span == 0 {
        return Err(ComputeError::ZeroWindow);
    }
    panel_series_count(values.len(), days)?;
    check_len("ema panel output", values.len(), out.len())?;
    if days == 0 {
        return Ok(());
    }
    pool::install(|| {
        values
            .par_chunks(days)
            .zip(out.par_chunks_mut(days))
            .with_min_len(4)
            .for_each(|(src, dst)| ema_kernel(src, span, dst));
    });
    Ok(())
}

/// Panel form of [`ema`] over series of any lengths, in parallel on the compute pool.
///
/// # Errors
/// [`ComputeError::ZeroWindow`] for a span of 0.
pub fn ema_panel<S>(series: &[S], span: usize) -> Result<Vec<Vec<f64>>, ComputeError>
where
    S: AsRef<[f64]> + Sync,
{
    if span == 0 {
        return Err(ComputeError::ZeroWindow);
    }
    Ok(pool::install(|| {
        series
            .par_iter()
            .map(|s| {
                let s = s.as_ref();
                let mut out = vec![0.0; s.len()];
                ema_kernel(s, span, &mut out);
                out
            })
            .collect()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recursive_form_without_gaps() {
        let v = [10.0, 11.0, 12.5, 9.0];
        let out = ema(&v, 3).unwrap();
        let a = 0.5;
        let mut e = 10.0;
        assert_eq!(out[0], 10.0);
        for i in 1..4 {
            e = (1.0 - a) * e + a * v[i];
            assert!((out[i] - e).abs() < 1e-12);
        }
    }

    #[test]
    fn gaps_repeat_and_decay_like_pandas() {
        let nan = f64::NAN;
        // pandas 3.1.1: pd.Series([nan, 1, nan, nan, 4]).ewm(span=5, adjust=False).mean()
        //   -> [nan, 1.0, 1.0, 1.0, 2.5882352941176467]
        // old_wt decays over the gap: (2/3)^3 = 8/27, so (8/27 + 4/3) / (8/27 + 1/3).
        let out = ema(&[nan, 1.0, nan, nan, 4.0], 5).unwrap();
        assert!(out[0].is_nan());
        assert_eq!(&out[1..4], &[1.0, 1.0, 1.0]);
        assert!(
            (out[4] - 2.588_235_294_117_646_7).abs() < 1e-15,
            "{}",
            out[4]
        );
        // Span 3 uses new_wt = 1 - old_wt: pandas gives 3.625 = 0.125 * 1 + 0.875 * 4.
        let out = ema(&[nan, 1.0, nan, nan, 4.0], 3).unwrap();
        assert_eq!(out[4], 3.625);
        // A repeated value still resets the weight: pandas [5.0, 5.0, 5.0, 5.5].
        assert_eq!(
            ema(&[5.0, 5.0, 5.0, 6.0], 3).unwrap(),
            vec![5.0, 5.0, 5.0, 5.5]
        );
        // pandas [1.0, 1.0, 1.75, 1.875, 1.875, 2.71875, 2.859375]
        let out = ema(&[1.0, nan, 2.0, 2.0, nan, 3.0, 3.0], 3).unwrap();
        assert_eq!(out, vec![1.0, 1.0, 1.75, 1.875, 1.875, 2.71875, 2.859375]);
    }

    #[test]
    fn span_zero_and_empty() {
        assert_eq!(ema(&[1.0], 0), Err(ComputeError::ZeroWindow));
        assert!(ema(&[], 5).unwrap().is_empty());
        assert_eq!(ema(&[7.0], 5).unwrap(), vec![7.0]);
    }

    #[test]
    fn panel_matches_single_series() {
        let days = 50;
        let values: Vec<f64> = (0..days * 3).map(|i| ((i * 31) % 17) as f64).collect();
        let mut out = vec![0.0; values.len()];
        ema_panel_into(&values, days, 9, &mut out).unwrap();
        let ragged = ema_panel(&values.chunks(days).collect::<Vec<_>>(), 9).unwrap();
        for (s, chunk) in values.chunks(days).enumerate() {
            let one = ema(chunk, 9).unwrap();
            assert_eq!(&out[s * days..][..days], one.as_slice());
            assert_eq!(ragged[s], one);
        }
    }
}

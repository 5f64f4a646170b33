//! Normalisation for comparing series of different scales: rebase to 100 at a start day, or
//! percent change since that day.
//!
//! The base is the first finite, non-zero value at or after the start index. Every value of the
//! series (also those before the start, so panning left keeps working) is divided by it:
//! rebase gives `v / base * 100`, percent change gives `(v / base - 1) * 100` — the same
//! operations, in the same order, as pandas `s / base * 100` and `(s / base - 1) * 100`.
//! With no usable base every output is NaN.

use rayon::prelude::*;

use super::{ComputeError, check_len, panel_series_count, pool};

/// Which normalisation to apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Normalization {
    /// `v / base * 100`: the base day shows 100.
    Rebase100,
    /// `(v / base - 1) * 100`: the base day shows 0 (%).
    PercentChange,
}

/// Index of the base value: the first finite, non-zero value at or after `start`.
pub fn first_base_index(values: &[f64], start: usize) -> Option<usize> {
    values
        .get(start..)?
        .iter()
        .position(|v| v.is_finite() && *v != 0.0)
        .map(|i| i + start)
}

fn kernel(values: &[f64], start: usize, how: Normalization, out: &mut [f64]) -> Option<usize> {
    let Some(base_index) = first_base_index(values, start) else {
        out.fill(f64::NAN);
        return None;
    };
    let base = values[base_index];
    match how {
        Normalization::Rebase100 => {
            for (o, &v) in out.iter_mut().zip(values) {
                *o = v / base * 100.0;
            }
        }
        Normalization::PercentChange => {
            for (o, &v) in out.iter_mut().zip(values) {
                *o = (v / base - 1.0) * 100.0;
            }
        }
    }
    Some(base_index)
}

/// Normalises `values` into `out` with the base at or after `start`; returns the base index,
/// `None` if there is no finite non-zero value from `start` on (then `out` is all NaN).
///
/// # Errors
/// [`ComputeError::LengthMismatch`] if `out.len() != values.len()`.
pub fn normalize_into(
    values: &[f64],
    start: usize,
    how: Normalization,
    out: &mut [f64],
) -> Result<Option<usize>, ComputeError> {
    check_len("normalisation output", values.len(), out.len())?;
    Ok(kernel(values, start, how, out))
}

/// Rebases `values` to 100 at `start` into `out` (see [`normalize_into`]).
///
/// # Errors
/// [`ComputeError::LengthMismatch`] if `out.len() != values.len()`.
pub fn rebase_into(
    values: &[f64],
    start: usize,
    out: &mut [f64],
) -> Result<Option<usize>, ComputeError> {
    normalize_into(values, start, Normalization::Rebase100, out)
}

/// Percent change of `values` since `start` into `out` (see [`normalize_into`]).
///
/// # Errors
/// [`ComputeError::LengthMismatch`] if `out.len() != values.len()`.
pub fn pct_change_into(
    values: &[f64],
    start: usize,
    out: &mut [f64],
) -> Result<Option<usize>, ComputeError> {
    normalize_into(values, start, Normalization::PercentChange, out)
}

/// `values` rebased to 100 at `start`.
pub fn rebase(values: &[f64], start: usize) -> Vec<f64> {
    let mut out = vec![0.0; values.len()];
    kernel(values, start, Normalization::Rebase100, &mut out);
    out
}

/// Percent change of `values` since `start`.
pub fn pct_change(values: &[f64], start: usize) -> Vec<f64> {
    let mut out = vec![0.0; values.len()];
    kernel(values, start, Normalization::PercentChange, &mut out);
    out
}

/// Panel form of [`normalize_into`]: `values` and `out` hold series of `days` values back to
/// back, all normalised at the same `start` index, in parallel on the compute pool.
///
/// # Errors
/// [`ComputeError::RaggedPanel`] or [`ComputeError::LengthMismatch`] for bad buffer sizes.
pub fn normalize_panel_into(
    values: &[f64],
    days: usize,
    start: usize,
    how: Normalization,
    out: &mut [f64],
) -> Result<(), ComputeError> {
    panel_series_count(values.len(), days)?;
    check_len("normalisation panel output", values.len(), out.len())?;
    if days == 0 {
        return Ok(());
    }
    pool::install(|| {
        values
            .par_chunks(days)
            .zip(out.par_chunks_mut(days))
            .with_min_len(4)
            .for_each(|(src, dst)| {
                kernel(src, start, how, dst);
            });
    });
    Ok(())
}

/// Panel form over series of any lengths, each with its own start index (for example the
/// first visible day of each series in a comparison view), in parallel on the compute pool.
///
/// # Errors
/// [`ComputeError::LengthMismatch`] if `starts.len() != series.len()`.
pub fn normalize_panel<S>(
    series: &[S],
    starts: &[usize],
    how: Normalization,
) -> Result<Vec<Vec<f64>>, ComputeError>
where
    S: AsRef<[f64]> + Sync,
{
    check_len("start indices", series.len(), starts.len())?;
    Ok(pool::install(|| {
        series
            .par_iter()
            .zip(starts)
            .map(|(s, &start)| {
                let s = s.as_ref();
                let mut out = vec![0.0; s.len()];
                kernel(s, start, how, &mut out);
                out
            })
            .collect()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rebase_and_pct_change() {
        let nan = f64::NAN;
        let v = [50.0, nan, 0.0, 200.0, 100.0];
        let r = rebase(&v, 1);
        assert_eq!(first_base_index(&v, 1), Some(3));
        assert_eq!(r[0], 25.0);
        assert!(r[1].is_nan());
        assert_eq!(&r[2..], &[0.0, 100.0, 50.0]);
        let p = pct_change(&v, 0);
        assert_eq!(p[0], 0.0);
        assert_eq!(p[3], 300.0);
        assert!(rebase(&v, 5).iter().all(|x| x.is_nan()));
        assert!(rebase(&[], 0).is_empty());
        let mut out = [0.0; 4];
        assert!(rebase_into(&v, 0, &mut out).is_err());
    }

    #[test]
    fn panels_match_single_series() {
        let days = 10;
        let values: Vec<f64> = (1..=days * 4).map(|i| i as f64 * 1.5).collect();
        let mut out = vec![0.0; values.len()];
        normalize_panel_into(&values, days, 3, Normalization::PercentChange, &mut out).unwrap();
        let chunks: Vec<&[f64]> = values.chunks(days).collect();
        let ragged = normalize_panel(&chunks, &[3, 3, 3, 3], Normalization::PercentChange).unwrap();
        for (s, c) in chunks.iter().enumerate() {
            assert_eq!(&out[s * days..][..days], pct_change(c, 3).as_slice());
            assert_eq!(ragged[s], pct_change(c, 3));
        }
        assert!(normalize_panel(&chunks, &[0], Normalization::Rebase100).is_err());
    }
}

//! Simple moving averages for several windows in one pass, with pandas `rolling(w).mean()`
//! semantics (default `min_periods`): NaN until the window is full and NaN whenever the window
//! holds a missing value.
//!
//! One pass builds a compensated (double-double) prefix sum and a prefix count of missing values;
//! every window is then a branch-free difference of two prefix entries, which the compiler
//! vectorises. The double-double prefix keeps the result within a few ulps of the exact window
//! mean even when small values follow huge ones (a plain prefix sum would lose them).

use rayon::prelude::*;

use super::{ComputeError, check_len, panel_series_count, pool};

/// Reusable scratch space for [`sma_into`], so repeated calls do not allocate.
///
/// Holds the prefix sums of one series; grows to the longest series seen and is kept.
#[derive(Clone, Debug, Default)]
pub struct SmaScratch {
    hi: Vec<f64>,
    lo: Vec<f64>,
    missing: Vec<u32>,
}

impl SmaScratch {
    /// Empty scratch space.
    pub fn new() -> Self {
        Self::default()
    }

    /// Scratch space with room for series of `days` values.
    pub fn with_capacity(days: usize) -> Self {
        Self {
            hi: Vec::with_capacity(days + 1),
            lo: Vec::with_capacity(days + 1),
            missing: Vec::with_capacity(days + 1),
        }
    }

    /// Fills the prefix arrays for `values`; returns how many values are missing (non-finite).
    ///
    /// `hi[i] + lo[i]` is the sum of the finite values among the first `i`, to about 2^-100
    /// relative; `missing[i]` counts the non-finite ones.
    fn fill(&mut self, values: &[f64]) -> u32 {
        let n = values.len();
        self.hi.resize(n + 1, 0.0);
        self.lo.resize(n + 1, 0.0);
        self.missing.resize(n + 1, 0);
        self.hi[0] = 0.0;
        self.lo[0] = 0.0;
        self.missing[0] = 0;
        let (hi_out, lo_out, miss_out) =
            (&mut self.hi[1..], &mut self.lo[1..], &mut self.missing[1..]);
        let (mut hi, mut lo, mut missing) = (0.0_f64, 0.0_f64, 0_u32);
        for (((&x, h), l), m) in values.iter().zip(hi_out).zip(lo_out).zip(miss_out) {
            let bad = !x.is_finite();
            let x = if bad { 0.0 } else { x };
            missing += u32::from(bad);
            // Knuth's TwoSum: s + err == hi + x exactly, whatever the magnitudes and signs.
            let s = hi + x;
            let bp = s - hi;
            let err = (hi - (s - bp)) + (x - bp);
            hi = s;
            lo += err;
            *h = hi;
            *l = lo;
            *m = missing;
        }
        missing
    }
}

/// Writes the `w`-day mean of `values` into `out` from prefix arrays (`values.len() == out.len()`).
fn window_from_prefix(scratch: &SmaScratch, any_missing: bool, w: usize, out: &mut [f64]) {
    let n = out.len();
    if w > n {
        out.fill(f64::NAN);
        return;
    }
    let (head, tail) = out.split_at_mut(w - 1);
    head.fill(f64::NAN);
    // tail[j] is the mean of values[j .. j + w], i.e. prefix[j + w] - prefix[j].
    let count = w as f64;
    let hi_end = &scratch.hi[w..=n];
    let hi_start = &scratch.hi[..=n - w];
    let lo_end = &scratch.lo[w..=n];
    let lo_start = &scratch.lo[..=n - w];
    if any_missing {
        let m_end = &scratch.missing[w..=n];
        let m_start = &scratch.missing[..=n - w];
        for (((((o, &he), &hs), &le), &ls), (&me, &ms)) in tail
            .iter_mut()
            .zip(hi_end)
            .zip(hi_start)
            .zip(lo_end)
            .zip(lo_start)
            .zip(m_end.iter().zip(m_start))
        {
            let mean = ((he - hs) + (le - ls)) / count;
            *o = if me == ms { mean } else { f64::NAN };
        }
    } else {
        for ((((o, &he), &hs), &le), &ls) in tail
            .iter_mut()
            .zip(hi_end)
            .zip(hi_start)
            .zip(lo_end)
            .zip(lo_start)
        {
            *o = ((he - hs) + (le - ls)) / count;
        }
    }
}

fn check_windows(windows: &[usize]) -> Result<(), ComputeError> {
    if windows.contains(&0) {
        Err(ComputeError::ZeroWindow)
    } else {
        Ok(())
    }
}

/// Simple moving averages of `values` for every window in `windows`, in one pass, into `out`.
///
/// `out` holds `windows.len()` rows of `values.len()` values, window after window:
/// `out[k * n + i]` is the mean of `values[i + 1 - windows[k] ..= i]`. Like pandas
/// `rolling(w).mean()`: NaN for `i + 1 < w` and NaN when the window holds a NaN (or an
/// infinity, which pandas would propagate instead). Does not allocate once `scratch` has grown
/// to the series length.
///
/// # Errors
/// [`ComputeError::ZeroWindow`] for a window of 0, [`ComputeError::LengthMismatch`] if `out`
/// has the wrong size.
pub fn sma_into(
    values: &[f64],
    windows: &[usize],
    out: &mut [f64],
    scratch: &mut SmaScratch,
) -> Result<(), ComputeError> {
    check_windows(windows)?;
    let n = values.len();
    check_len("sma output", windows.len() * n, out.len())?;
    if n == 0 {
        return Ok(());
    }
    let missing = scratch.fill(values);
    for (&w, row) in windows.iter().zip(out.chunks_exact_mut(n)) {
        window_from_prefix(scratch, missing > 0, w, row);
    }
    Ok(())
}

/// Simple moving averages of `values` for every window in `windows`; one `Vec` per window.
///
/// # Errors
/// [`ComputeError::ZeroWindow`] for a window of 0.
pub fn sma(values: &[f64], windows: &[usize]) -> Result<Vec<Vec<f64>>, ComputeError> {
    let n = values.len();
    let mut flat = vec![0.0; n * windows.len()];
    sma_into(
        values,
        windows,
        &mut flat,
        &mut SmaScratch::with_capacity(n),
    )?;
    if n == 0 {
        return Ok(vec![Vec::new(); windows.len()]);
    }
    Ok(flat.chunks_exact(n).map(<[f64]>::to_vec).collect())
}

/// Panel form of [`sma_into`]: `values` holds series of `days` values back to back; `out` holds,
/// for each series in turn, `windows.len()` rows of `days` values (series-major, then window).
/// Series are computed in parallel on the compute pool, one scratch buffer per task.
///
/// # Errors
/// As [`sma_into`], plus [`ComputeError::RaggedPanel`] if `values` is not whole series.
pub fn sma_panel_into(
    values: &[f64],
    days: usize,
    windows: &[usize],
    out: &mut [f64],
) -> Result<(), ComputeError> {
    check_windows(windows)?;
    let n_series = panel_series_count(values.len(), days)?;
    check_len(
        "sma panel output",
        n_series * windows.len() * days,
        out.len(),
    )?;
    if days == 0 || windows.is_empty() {
        return Ok(());
    }
    pool::install(|| {
        values
            .par_chunks(days)
            .zip(out.par_chunks_mut(days * windows.len()))
            .with_min_len(4)
            .for_each_init(
                || SmaScratch::with_capacity(days),
                |scratch, (series, dst)| {
                    let missing = scratch.fill(series);
                    for (&w, row) in windows.iter().zip(dst.chunks_exact_mut(days)) {
                        window_from_prefix(scratch, missing > 0, w, row);
                    }
                },
            );
    });
    Ok(())
}

/// Panel form of [`sma`] over series of any lengths: `result[s][k]` is series `s` averaged over
/// `windows[k]`. Computed in parallel on the compute pool.
///
/// # Errors
/// [`ComputeError::ZeroWindow`] for a window of 0.
pub fn sma_panel<S>(series: &[S], windows: &[usize]) -> Result<Vec<Vec<Vec<f64>>>, ComputeError>
where
    S: AsRef<[f64]> + Sync,
{
    check_windows(windows)?;
    Ok(pool::install(|| {
        series
            .par_iter()
            .map_init(SmaScratch::new, |scratch, s| {
                let s = s.as_ref();
                let n = s.len();
                let missing = if n == 0 { 0 } else { scratch.fill(s) };
                windows
                    .iter()
                    .map(|&w| {
                        let mut row = vec![0.0; n];
                        if n > 0 {
                            window_from_prefix(scratch, missing > 0, w, &mut row);
                        }
                        row
                    })
                    .collect()
            })
            .collect()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(x, y)| (x.is_nan() && y.is_nan()) || x == y)
    }

    #[test]
    fn small_example_like_pandas() {
        let v = [1.0, 2.0, 3.0, f64::NAN, 5.0, 6.0, 7.0];
        let out = sma(&v, &[1, 2, 3, 8]).unwrap();
        let nan = f64::NAN;
        assert!(same(&out[0], &[1.0, 2.0, 3.0, nan, 5.0, 6.0, 7.0]));
        assert!(same(&out[1], &[nan, 1.5, 2.5, nan, nan, 5.5, 6.5]));
        assert!(same(&out[2], &[nan, nan, 2.0, nan, nan, nan, 6.0]));
        assert!(out[3].iter().all(|x| x.is_nan()));
    }

    #[test]
    fn zero_window_and_sizes() {
        assert_eq!(sma(&[1.0], &[0]), Err(ComputeError::ZeroWindow));
        assert_eq!(sma(&[], &[3]).unwrap(), vec![Vec::<f64>::new()]);
        let mut out = vec![0.0; 3];
        assert!(matches!(
            sma_into(&[1.0, 2.0], &[1, 2], &mut out, &mut SmaScratch::new()),
            Err(ComputeError::LengthMismatch {
                expected: 4,
                got: 3,
                ..
            })
        ));
        assert!(matches!(
            sma_panel_into(&[1.0; 5], 2, &[1], &mut [0.0; 5]),
            Err(ComputeError::RaggedPanel { len: 5, days: 2 })
        ));
    }

    #[test]
    fn small_values_after_huge_ones_survive() {
        // A plain prefix sum would return 0 (or garbage) for the last windows.
        let mut v = vec![1e15; 50];
        v.extend(std::iter::repeat_n(1e-3, 50));
        let out = sma(&v, &[5]).unwrap();
        for x in &out[0][55..] {
            assert!((x - 1e-3).abs() <= 1e-3 * 1e-12, "{x}");
        }
    }

    #[test]
    fn panel_matches_single_series() {
        let days = 37;
        let values: Vec<f64> = (0..days * 5)
            .map(|i| ((i * 7919) % 101) as f64 + 0.5)
            .collect();
        let windows = [1, 3, 36, 40];
        let mut out = vec![0.0; values.len() * windows.len()];
        sma_panel_into(&values, days, &windows, &mut out).unwrap();
        let series: Vec<&[f64]> = values.chunks(days).collect();
        let ragged = sma_panel(&series, &windows).unwrap();
        for (s, chunk) in series.iter().enumerate() {
            let one = sma(chunk, &windows).unwrap();
            for k in 0..windows.len() {
                let row = &out[(s * windows.len() + k) * days..][..days];
                assert!(same(row, &one[k]));
                assert!(same(&ragged[s][k], &one[k]));
            }
        }
    }
}

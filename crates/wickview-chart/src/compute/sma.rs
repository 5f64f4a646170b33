//! Simple moving averages for several windows in one pass, with pandas `rolling(w).mean()`
//! semantics (default `min_periods`): NaN until the window is full and NaN whenever the window
//! holds a missing value. Missing is NaN, an infinity or a value beyond
//! [`LARGEST_VALUE`](super::LARGEST_VALUE) ([`is_usable`]); such a value adds nothing to the
//! prefix sums, so a window that has moved past it is exact again (pandas' running sum would
//! carry an infinity, or overflow on two values near 1e308, for the rest of the series).
//!
//! One pass builds a compensated (double-double) prefix sum and a prefix count of missing values;
//! every window is then a branch-free difference of two prefix entries, which the compiler
//! vectorises. The double-double prefix keeps the result within a few ulps of the exact window
//! mean even when small values follow huge ones (a plain prefix sum would lose them).

use rayon::prelude::*;

use super::{ComputeError, check_len, is_usable, panel_series_count, pool};

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

    /// Fills the prefix arrays for `values`; returns whether any value is missing (not
    /// [`is_usable`]).
    ///
    /// `hi[i] + lo[i]` is the sum of the usable values among the first `i`, to about 2^-100
    /// relative; `missing[i]` counts the missing ones (only filled when there are some).
    fn fill(&mut self, values: &[f64]) -> bool {
        let n = values.len();
        // A vectorised count first: the common gap-free case then skips the third array.
        let missing_total = values
            .iter()
            .fold(0_u32, |c, &x| c + u32::from(!is_usable(x)));
        self.hi.resize(n + 1, 0.0);
        self.lo.resize(n + 1, 0.0);
        self.hi[0] = 0.0;
        self.lo[0] = 0.0;
        let (hi_out, lo_out) = (&mut self.hi[1..], &mut self.lo[1..]);
        let (mut hi, mut lo) = (0.0_f64, 0.0_f64);
        for ((&x, h), l) in values.iter().zip(hi_out).zip(lo_out) {
            let x = if is_usable(x) { x } else { 0.0 };
            // Knuth's TwoSum: s + err == hi + x exactly, whatever the magnitudes and signs.
            let s = hi + x;
            let bp = s - hi;
            let err = (hi - (s - bp)) + (x - bp);
            hi = s;
            lo += err;
            *h = hi;
            *l = lo;
        }
        if missing_total > 0 {
            self.missing.resize(n + 1, 0);
            self.missing[0] = 0;
            let mut missing = 0_u32;
            for (&x, m) in values.iter().zip(&mut self.missing[1..]) {
                missing += u32::from(!is_usable(x));
                *m = missing;
            }
        }
        missing_total > 0
    }
}

/// Writes the `w`-day mean into `out` from the prefix arrays, for the days `i` in `days`
/// (all with `i + 1 >= w`), checking for missing values if `any_missing`.
fn window_span(
    scratch: &SmaScratch,
    any_missing: bool,
    w: usize,
    days: std::ops::Range<usize>,
    out: &mut [f64],
) {
    // out[i] is the mean of values[i + 1 - w ..= i], i.e. prefix[i + 1] - prefix[i + 1 - w].
    let out = &mut out[days.clone()];
    let (a, b) = (days.start + 1 - w, days.start + 1);
    let m = out.len();
    // Multiplying by 1/w instead of dividing by w is at most one rounding apart (far inside
    // the 1e-9 agreement with pandas) and several times cheaper than a vector division.
    let inv_w = 1.0 / w as f64;
    let (hi_end, hi_start) = (&scratch.hi[b..b + m], &scratch.hi[a..a + m]);
    let (lo_end, lo_start) = (&scratch.lo[b..b + m], &scratch.lo[a..a + m]);
    if any_missing {
        let (m_end, m_start) = (&scratch.missing[b..b + m], &scratch.missing[a..a + m]);
        for i in 0..m {
            let mean = ((hi_end[i] - hi_start[i]) + (lo_end[i] - lo_start[i])) * inv_w;
            out[i] = if m_end[i] == m_start[i] {
                mean
            } else {
                f64::NAN
            };
        }
    } else {
        for i in 0..m {
            out[i] = ((hi_end[i] - hi_start[i]) + (lo_end[i] - lo_start[i])) * inv_w;
        }
    }
}

/// Up to four windows at once over the days where all of them are full, gap-free case: each
/// prefix entry at the window end is loaded once and the four output rows are written side by
/// side, which is markedly faster than four separate passes.
fn windows_fused<const K: usize>(
    scratch: &SmaScratch,
    windows: [usize; K],
    outs: [&mut [f64]; K],
    n: usize,
) {
    let max_w = windows.iter().copied().max().unwrap_or(1);
    let start = max_w - 1;
    let m = n - start;
    let hi_end = &scratch.hi[start + 1..=n];
    let lo_end = &scratch.lo[start + 1..=n];
    let hi_start = windows.map(|w| &scratch.hi[start + 1 - w..][..m]);
    let lo_start = windows.map(|w| &scratch.lo[start + 1 - w..][..m]);
    let inv_w = windows.map(|w| 1.0 / w as f64);
    let outs = outs.map(|o| &mut o[start..][..m]);
    for i in 0..m {
        let (he, le) = (hi_end[i], lo_end[i]);
        for k in 0..K {
            outs[k][i] = ((he - hi_start[k][i]) + (le - lo_start[k][i])) * inv_w[k];
        }
    }
}

/// Writes every window's means of one series (already in `scratch`) into `rows`, one row of
/// `n` values per window.
fn windows_into(
    scratch: &SmaScratch,
    any_missing: bool,
    windows: &[usize],
    rows: &mut [f64],
    n: usize,
) {
    // Gap-free windows are gathered in groups of up to four for the fused kernel.
    let mut rest = rows;
    let mut pending: [(usize, Option<&mut [f64]>); 4] =
        [(0, None), (0, None), (0, None), (0, None)];
    let mut count = 0;
    for &w in windows {
        let (row, tail) = rest.split_at_mut(n);
        rest = tail;
        if w > n {
            row.fill(f64::NAN);
            continue;
        }
        row[..w - 1].fill(f64::NAN);
        if any_missing {
            window_span(scratch, true, w, w - 1..n, row);
            continue;
        }
        pending[count] = (w, Some(row));
        count += 1;
        if count == 4 {
            flush_fused(scratch, &mut pending, count, n);
            count = 0;
        }
    }
    flush_fused(scratch, &mut pending, count, n);
}

/// Runs the fused kernel over the `count` pending windows (gap-free case), first filling each
/// row's days before the longest window of the group is full.
fn flush_fused(
    scratch: &SmaScratch,
    pending: &mut [(usize, Option<&mut [f64]>); 4],
    count: usize,
    n: usize,
) {
    let max_w = pending[..count].iter().map(|p| p.0).max().unwrap_or(1);
    let mut rows = pending[..count]
        .iter_mut()
        .filter_map(|(w, row)| Some((*w, row.take()?)));
    match (rows.next(), rows.next(), rows.next(), rows.next()) {
        (Some(a), Some(b), Some(c), Some(d)) => {
            for (w, row) in [
                (a.0, &mut *a.1),
                (b.0, &mut *b.1),
                (c.0, &mut *c.1),
                (d.0, &mut *d.1),
            ] {
                window_span(scratch, false, w, w - 1..max_w - 1, row);
            }
            windows_fused(scratch, [a.0, b.0, c.0, d.0], [a.1, b.1, c.1, d.1], n);
        }
        (Some(a), Some(b), Some(c), None) => {
            for (w, row) in [(a.0, &mut *a.1), (b.0, &mut *b.1), (c.0, &mut *c.1)] {
                window_span(scratch, false, w, w - 1..max_w - 1, row);
            }
            windows_fused(scratch, [a.0, b.0, c.0], [a.1, b.1, c.1], n);
        }
        (Some(a), Some(b), None, _) => {
            for (w, row) in [(a.0, &mut *a.1), (b.0, &mut *b.1)] {
                window_span(scratch, false, w, w - 1..max_w - 1, row);
            }
            windows_fused(scratch, [a.0, b.0], [a.1, b.1], n);
        }
        (Some(a), None, _, _) => windows_fused(scratch, [a.0], [a.1], n),
        (None, ..) => {}
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
/// infinity or a value beyond [`LARGEST_VALUE`](super::LARGEST_VALUE), which pandas would sum
/// and carry on to every later window instead). Does not allocate once `scratch` has grown to
/// the series length.
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
    let any_missing = scratch.fill(values);
    windows_into(scratch, any_missing, windows, out, n);
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
                    let any_missing = scratch.fill(series);
                    windows_into(scratch, any_missing, windows, dst, days);
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
                if n == 0 {
                    return vec![Vec::new(); windows.len()];
                }
                let any_missing = scratch.fill(s);
                let mut flat = vec![0.0; n * windows.len()];
                windows_into(scratch, any_missing, windows, &mut flat, n);
                flat.chunks_exact(n).map(<[f64]>::to_vec).collect()
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

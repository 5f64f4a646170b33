//! Technical indicators with TA-Lib's semantics: Bollinger Bands, RSI, MACD, slow Stochastic,
//! ATR, EMA ribbons, OBV and rate of change.
//!
//! Each kernel performs the floating-point operations of the TA-Lib C library (0.8, default
//! compatibility, no unstable period) in the same order, so the values agree with it to 1e-9
//! relative, in practice within 2e-11: the library's build fuses some multiply-adds, so part of
//! the values differ in the last bits (checked against TA-Lib from PyPI, see
//! `tests/fixtures/make_talib_fixture.py`). Outputs have the input's length; days before an
//! indicator is defined (TA-Lib's look-back) hold NaN.
//!
//! A day whose input is missing (NaN, infinite, or beyond
//! [`LARGEST_VALUE`](super::LARGEST_VALUE): see [`super::is_usable`]) is NaN in every output, and
//! each kernel then starts again on the next day as on a new series: look-back, seeding and
//! Wilder's smoothing restart, so a window that has moved past the missing day, and a
//! recursion seeded after it, is a number again and equals the kernel run on the days after it.
//! TA-Lib itself would carry the NaN (or an overflowed running sum) to the end of the series.
//! Rate of change, which reads two single days, is left as TA-Lib computes it.
//!
//! Like the moving averages, every kernel comes as an allocation-free `*_into` form, an
//! allocating form and a `*_panel_into` form over a flat panel of series of equal length, run in
//! parallel on the compute pool. [`Indicator`] names an indicator with its parameters (parsed
//! from `rsi:14`, `macd:12,26,9`, …) and computes its output columns from a series.

mod momentum;
mod spec;
mod trend;
mod volatility;
mod volume;

use rayon::prelude::*;

use super::{ComputeError, check_len, is_usable, panel_series_count, pool};

pub use momentum::{
    roc, roc_into, roc_panel_into, rsi, rsi_into, rsi_panel_into, stochastic, stochastic_into,
    stochastic_panel_into,
};
pub use spec::{Indicator, IndicatorColumn, IndicatorKind, SpecError};
pub use trend::{
    MacdLines, ema_ribbon, ema_ribbon_into, macd, macd_into, macd_panel_into, ta_ema, ta_ema_into,
    ta_ema_panel_into,
};
pub use volatility::{
    Bands, atr, atr_into, atr_panel_into, bollinger, bollinger_into, bollinger_panel_into,
    true_range_into,
};
pub use volume::{obv, obv_into, obv_panel_into};

/// TA-Lib's `TA_IS_ZERO`: |v| below 1e-8.
fn ta_is_zero(v: f64) -> bool {
    -0.000_000_01 < v && v < 0.000_000_01
}

/// TA-Lib's `TA_IS_ZERO_OR_NEG`: v below 1e-8.
fn ta_is_zero_or_neg(v: f64) -> bool {
    v < 0.000_000_01
}

/// Rejects a period below `min` with a message naming the parameter.
fn check_period(what: &'static str, period: usize, min: usize) -> Result<(), ComputeError> {
    if period < min {
        Err(ComputeError::BadParameter {
            what,
            min,
            got: period,
        })
    } else {
        Ok(())
    }
}

/// Checks that every buffer has `len` values.
fn check_all(what: &'static str, len: usize, buffers: &[usize]) -> Result<(), ComputeError> {
    for &got in buffers {
        check_len(what, len, got)?;
    }
    Ok(())
}

/// One series of a panel: its input slices and its output slices.
type PanelTask<'a, const I: usize, const O: usize> = ([&'a [f64]; I], [&'a mut [f64]; O]);

/// Runs `kernel` on each series of a flat panel (series of `days` values back to back in every
/// input and output), in parallel on the compute pool.
fn run_panel<const I: usize, const O: usize>(
    what: &'static str,
    inputs: [&[f64]; I],
    outs: [&mut [f64]; O],
    days: usize,
    kernel: impl Fn([&[f64]; I], [&mut [f64]; O]) + Sync,
) -> Result<(), ComputeError> {
    let len = inputs.first().map_or(0, |s| s.len());
    let lens: Vec<usize> = inputs
        .iter()
        .map(|s| s.len())
        .chain(outs.iter().map(|s| s.len()))
        .collect();
    check_all(what, len, &lens)?;
    let count = panel_series_count(len, days)?;
    if count == 0 {
        return Ok(());
    }
    let mut out_chunks = outs.map(|o| o.chunks_mut(days));
    let tasks: Vec<PanelTask<'_, I, O>> = (0..count)
        .map(|s| {
            let ins = inputs.map(|v| &v[s * days..(s + 1) * days]);
            let os = out_chunks
                .each_mut()
                .map(|it| it.next().unwrap_or_default());
            (ins, os)
        })
        .collect();
    pool::install(|| {
        tasks
            .into_par_iter()
            .with_min_len(4)
            .for_each(|(ins, os)| kernel(ins, os));
    });
    Ok(())
}

/// Whether every value of `values` is usable (a vectorisable scan, no early exit per value).
fn all_usable(values: &[f64]) -> bool {
    values
        .chunks(64)
        .all(|c| c.iter().fold(true, |ok, &x| ok & is_usable(x)))
}

/// Runs `kernel` over each run of consecutive days whose inputs are all usable, as if that run
/// were a series of its own, and writes NaN into every output on the other days. Inputs and
/// outputs all have one length (checked by the callers). Without a missing day this is one
/// call of `kernel` on the whole series.
fn by_runs<const I: usize, const O: usize>(
    inputs: [&[f64]; I],
    mut outs: [&mut [f64]; O],
    kernel: impl Fn([&[f64]; I], [&mut [f64]; O]),
) {
    // The kernel first, then the check: the kernel's loop hides the reads from memory behind
    // its arithmetic, and the check then reads what the kernel left in the cache. A series
    // with a missing day (rare) is computed again run by run.
    kernel(inputs, outs.each_mut().map(|o| &mut **o));
    if inputs.iter().all(|v| all_usable(v)) {
        return;
    }
    let n = inputs.first().map_or(0, |v| v.len());
    let usable_at = |i: usize| inputs.iter().all(|v| is_usable(v[i]));
    let mut i = 0;
    while i < n {
        if !usable_at(i) {
            for o in &mut outs {
                o[i] = f64::NAN;
            }
            i += 1;
            continue;
        }
        let start = i;
        while i < n && usable_at(i) {
            i += 1;
        }
        kernel(
            inputs.map(|v| &v[start..i]),
            outs.each_mut().map(|o| &mut o[start..i]),
        );
    }
}

/// TA-Lib's simple moving average (`TA_INT_SMA`): a running sum that adds the newest value and
/// subtracts the oldest, divided by the period, from index `first + period - 1` on (NaN before).
/// `values[..first]` are not read; `out` has `values`' length.
fn ta_sma_from(values: &[f64], first: usize, period: usize, out: &mut [f64]) {
    let n = values.len();
    let start = first + period - 1;
    if start >= n {
        out.fill(f64::NAN);
        return;
    }
    out[..start].fill(f64::NAN);
    let mut total = 0.0;
    for &v in &values[first..start] {
        total += v;
    }
    let inv = period as f64;
    for i in start..n {
        total += values[i];
        let t = total;
        total -= values[i + 1 - period];
        out[i] = t / inv;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ta_sma_running_sum() {
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        let mut out = [0.0; 5];
        ta_sma_from(&v, 0, 3, &mut out);
        assert!(out[0].is_nan() && out[1].is_nan());
        assert_eq!(&out[2..], &[2.0, 3.0, 4.0]);
        ta_sma_from(&v, 1, 3, &mut out);
        assert!(out[2].is_nan());
        assert_eq!(&out[3..], &[3.0, 4.0]);
        ta_sma_from(&v, 3, 3, &mut out);
        assert!(out.iter().all(|x| x.is_nan()));
    }

    #[test]
    fn runs_between_missing_days_are_separate_series() {
        let nan = f64::NAN;
        let v = [1.0, 2.0, nan, 3.0, 4.0, 5.0, f64::INFINITY, 1e300];
        let mut out = [0.0; 8];
        by_runs([&v[..]], [&mut out[..]], |[v], [o]| {
            ta_sma_from(v, 0, 2, o);
        });
        let want = [nan, 1.5, nan, nan, 3.5, 4.5, nan, nan];
        assert!(
            out.iter()
                .zip(want)
                .all(|(a, b)| (a.is_nan() && b.is_nan()) || *a == b),
            "{out:?}"
        );
    }

    #[test]
    fn panel_checks_lengths() {
        let v = [1.0; 6];
        let mut out = [0.0; 5];
        let r = run_panel("t", [&v[..]], [&mut out[..]], 3, |_, _| {});
        assert!(matches!(r, Err(ComputeError::LengthMismatch { .. })));
        let mut out = [0.0; 6];
        let r = run_panel("t", [&v[..]], [&mut out[..]], 4, |_, _| {});
        assert!(matches!(r, Err(ComputeError::RaggedPanel { .. })));
        run_panel("t", [&v[..]], [&mut out[..]], 3, |[i], [o]| {
            o.copy_from_slice(i);
        })
        .unwrap();
        assert_eq!(out, v);
    }
}

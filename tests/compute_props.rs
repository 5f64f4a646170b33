//! Property tests: every compute kernel against a plain reference implementation, and the
//! level-of-detail pyramids against brute force.

// Test helpers outside #[test] functions may unwrap too: a failure is a test failure.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use wickview::compute::{
    CandlePyramid, LinePyramid, Normalization, SmaScratch, ema, ema_panel_into, normalize_panel,
    pct_change, rebase, sma, sma_into, sma_panel, sma_panel_into,
};

// ---------------------------------------------------------------- inputs

/// A positive value with a wide dynamic range: 1e-3 .. 1e6.
fn wide_value() -> impl Strategy<Value = f64> {
    (1.0_f64..10.0, -3_i32..6).prop_map(|(m, e)| m * 10_f64.powi(e))
}

/// A series of 0..len values, each missing (NaN) with probability `nan_pct`%.
fn series(len: usize, nan_pct: u32) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(
        (0_u32..100, wide_value()).prop_map(move |(p, v)| if p < nan_pct { f64::NAN } else { v }),
        0..len,
    )
}

/// Mixed-sign values, also with a wide range.
fn signed_series(len: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(
        (wide_value(), any::<bool>()).prop_map(|(v, neg)| if neg { -v } else { v }),
        0..len,
    )
}

// ---------------------------------------------------------------- references

/// pandas `rolling(w).mean()` by definition: sum the window, NaN if short or holding a NaN.
/// Also returns, per output, the sum of |x| over the window (the scale of rounding errors).
fn sma_reference(v: &[f64], w: usize) -> Vec<(f64, f64)> {
    (0..v.len())
        .map(|i| {
            if i + 1 < w {
                return (f64::NAN, 0.0);
            }
            let win = &v[i + 1 - w..=i];
            if win.iter().any(|x| x.is_nan()) {
                return (f64::NAN, 0.0);
            }
            // Sum in order with the largest magnitudes last is not needed: a sorted pairwise
            // sum in f64 is accurate to ~w eps of sum |x|, far inside the tolerance.
            let mut sorted = win.to_vec();
            sorted.sort_by(|a, b| a.abs().total_cmp(&b.abs()));
            let sum: f64 = sorted.iter().sum();
            let abs: f64 = win.iter().map(|x| x.abs()).sum();
            (sum / w as f64, abs / w as f64)
        })
        .collect()
}

/// pandas `ewm(span, adjust=False).mean()` from its definition on gaps: the average stays put
/// over missing values; an observation after `g` missing ones weighs the old average by
/// `(1 - a)^(g + 1)` and itself by `a` (by `1 - (1 - a)^(g + 1)` for span 3), normalised.
fn ema_reference(v: &[f64], span: usize) -> Vec<f64> {
    let a = 2.0 / (span as f64 + 1.0);
    let mut out = Vec::with_capacity(v.len());
    let mut avg = f64::NAN;
    let mut steps_since_update = 0_i32;
    for &x in v {
        if avg.is_nan() {
            avg = x;
            steps_since_update = 0;
        } else {
            steps_since_update += 1;
            if !x.is_nan() {
                let old = (1.0 - a).powi(steps_since_update);
                let new = if span == 3 { 1.0 - old } else { a };
                avg = (old * avg + new * x) / (old + new);
                steps_since_update = 0;
            }
        }
        out.push(avg);
    }
    out
}

fn rebase_reference(v: &[f64], start: usize, pct: bool) -> Vec<f64> {
    let base = v.iter().skip(start).find(|x| x.is_finite() && **x != 0.0);
    v.iter()
        .map(|x| match base {
            Some(b) if pct => (x / b - 1.0) * 100.0,
            Some(b) => x / b * 100.0,
            None => f64::NAN,
        })
        .collect()
}

fn close_to(got: f64, want: f64, scale: f64, rel: f64) -> bool {
    if want.is_nan() {
        return got.is_nan();
    }
    (got - want).abs() <= rel * scale.max(want.abs())
}

// ---------------------------------------------------------------- kernels

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn sma_matches_reference(
        v in series(300, 8),
        windows in prop::collection::vec(1_usize..320, 1..8),
    ) {
        let out = sma(&v, &windows).unwrap();
        prop_assert_eq!(out.len(), windows.len());
        for (w, got) in windows.iter().zip(&out) {
            prop_assert_eq!(got.len(), v.len());
            for (i, ((want, _), g)) in sma_reference(&v, *w).into_iter().zip(got).enumerate() {
                prop_assert!(close_to(*g, want, 0.0, 1e-9), "w={} i={} got {} want {}", w, i, g, want);
            }
        }
        // The allocation-free form gives the same, reusing one scratch buffer.
        let mut flat = vec![0.0; v.len() * windows.len()];
        let mut scratch = SmaScratch::new();
        sma_into(&v, &windows, &mut flat, &mut scratch).unwrap();
        sma_into(&v, &windows, &mut flat, &mut scratch).unwrap();
        for (k, got) in out.iter().enumerate() {
            let row = &flat[k * v.len()..(k + 1) * v.len()];
            prop_assert!(row.iter().zip(got).all(|(a, b)| a.to_bits() == b.to_bits()));
        }
    }

    #[test]
    fn sma_mixed_signs_within_rounding_of_the_window_scale(
        v in signed_series(200),
        w in 1_usize..60,
    ) {
        let got = &sma(&v, &[w]).unwrap()[0];
        for ((want, scale), g) in sma_reference(&v, w).into_iter().zip(got) {
            prop_assert!(close_to(*g, want, scale, 1e-9), "got {} want {} scale {}", g, want, scale);
        }
    }

    #[test]
    fn sma_panel_matches_per_series(
        days in 0_usize..80,
        n in 0_usize..6,
        seed in any::<u64>(),
    ) {
        let values: Vec<f64> = (0..days * n)
            .map(|i| {
                let h = (i as u64 + 1).wrapping_mul(seed | 1).rotate_left(17);
                if h.is_multiple_of(13) { f64::NAN } else { (h % 100_000) as f64 / 7.0 }
            })
            .collect();
        let windows = [1, 5, 20, 100];
        let mut out = vec![0.0; values.len() * windows.len()];
        sma_panel_into(&values, days, &windows, &mut out).unwrap();
        let chunks: Vec<&[f64]> = if days == 0 { Vec::new() } else { values.chunks(days).collect() };
        let ragged = sma_panel(&chunks, &windows).unwrap();
        let mut ema_out = vec![0.0; values.len()];
        ema_panel_into(&values, days, 20, &mut ema_out).unwrap();
        for (s, chunk) in chunks.iter().enumerate() {
            let one = sma(chunk, &windows).unwrap();
            for (k, row) in one.iter().enumerate() {
                let flat = &out[(s * windows.len() + k) * days..][..days];
                prop_assert!(flat.iter().zip(row).all(|(a, b)| a.to_bits() == b.to_bits()));
                prop_assert!(ragged[s][k].iter().zip(row).all(|(a, b)| a.to_bits() == b.to_bits()));
            }
            let e = ema(chunk, 20).unwrap();
            prop_assert!(ema_out[s * days..][..days].iter().zip(&e).all(|(a, b)| a.to_bits() == b.to_bits()));
        }
    }

    #[test]
    fn ema_matches_reference(v in series(300, 15), span in 1_usize..80) {
        let got = ema(&v, span).unwrap();
        let want = ema_reference(&v, span);
        prop_assert_eq!(got.len(), v.len());
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            prop_assert!(close_to(*g, *w, 0.0, 1e-12), "span={} i={} got {} want {}", span, i, g, w);
        }
    }

    #[test]
    fn normalisation_matches_reference(v in series(200, 20), start in 0_usize..220) {
        let r = rebase(&v, start);
        let p = pct_change(&v, start);
        for (got, want) in [(r, rebase_reference(&v, start, false)), (p, rebase_reference(&v, start, true))] {
            prop_assert_eq!(got.len(), v.len());
            prop_assert!(got.iter().zip(&want).all(|(g, w)| close_to(*g, *w, 0.0, 1e-12)));
        }
        let panel = normalize_panel(&[&v, &v], &[start, 0], Normalization::Rebase100).unwrap();
        prop_assert!(panel[0].iter().zip(&rebase(&v, start)).all(|(a, b)| a.to_bits() == b.to_bits()));
        prop_assert!(panel[1].iter().zip(&rebase(&v, 0)).all(|(a, b)| a.to_bits() == b.to_bits()));
    }
}

// ---------------------------------------------------------------- pyramids

/// Random OHLCV bars (whole-number volumes, as real ones are).
fn bars(len: usize) -> impl Strategy<Value = Vec<(f64, f64, f64, f64, f64)>> {
    prop::collection::vec(
        (
            wide_value(),
            0.0_f64..0.2,
            0.0_f64..0.2,
            0.0_f64..1.0,
            0_u32..1_000_000,
        ),
        0..len,
    )
    .prop_map(|v| {
        v.into_iter()
            .map(|(o, up, down, t, vol)| {
                let high = o * (1.0 + up);
                let low = o * (1.0 - down);
                let close = low + t * (high - low);
                (o, high, low, close, f64::from(vol))
            })
            .collect()
    })
}

fn columns(b: &[(f64, f64, f64, f64, f64)]) -> [Vec<f64>; 5] {
    [
        b.iter().map(|x| x.0).collect(),
        b.iter().map(|x| x.1).collect(),
        b.iter().map(|x| x.2).collect(),
        b.iter().map(|x| x.3).collect(),
        b.iter().map(|x| x.4).collect(),
    ]
}

fn min_of(v: &[f64]) -> f64 {
    v.iter()
        .copied()
        .filter(|x| !x.is_nan())
        .fold(f64::INFINITY, f64::min)
}

fn max_of(v: &[f64]) -> f64 {
    v.iter()
        .copied()
        .filter(|x| !x.is_nan())
        .fold(f64::NEG_INFINITY, f64::max)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn candle_pyramid_equals_brute_force(
        b in bars(600),
        ranges in prop::collection::vec((0_usize..700, 0_usize..700), 20),
    ) {
        let [o, h, l, c, v] = columns(&b);
        let p = CandlePyramid::build(&o, &h, &l, &c, &v);
        let n = b.len();
        prop_assert_eq!(p.len(), n);
        prop_assert!(!p.levels().is_empty());
        prop_assert_eq!(p.levels().last().unwrap().len(), n.min(1));
        for (k, level) in p.levels().iter().enumerate() {
            let bl = 1_usize << k;
            prop_assert_eq!(level.bucket_len, bl);
            prop_assert_eq!(level.len(), n.div_ceil(bl));
            for j in 0..level.len() {
                let r = j * bl..((j + 1) * bl).min(n);
                prop_assert_eq!(level.open[j], o[r.start]);
                prop_assert_eq!(level.close[j], c[r.end - 1]);
                prop_assert_eq!(level.high[j], max_of(&h[r.clone()]));
                prop_assert_eq!(level.low[j], min_of(&l[r.clone()]));
                prop_assert_eq!(level.volume[j], v[r.clone()].iter().sum::<f64>());
                prop_assert_eq!(level.volume_max[j], max_of(&v[r.clone()]));
            }
        }
        for (a, z) in ranges {
            let r = a.min(z)..a.max(z);
            let clamped = r.start.min(n)..r.end.min(n);
            let want = (!clamped.is_empty()).then(|| (min_of(&l[clamped.clone()]), max_of(&h[clamped.clone()])));
            prop_assert_eq!(p.price_range(r.clone()), want);
            let want_v = (!clamped.is_empty()).then(|| max_of(&v[clamped.clone()]));
            prop_assert_eq!(p.volume_max(r), want_v);
        }
    }

    #[test]
    fn line_pyramid_equals_brute_force(
        v in series(600, 20),
        ranges in prop::collection::vec((0_usize..700, 0_usize..700), 20),
    ) {
        let p = LinePyramid::build(&v);
        let n = v.len();
        prop_assert_eq!(p.len(), n);
        for (k, level) in p.levels().iter().enumerate() {
            let bl = 1_usize << k;
            prop_assert_eq!(level.len(), n.div_ceil(bl));
            for j in 0..level.len() {
                let bucket = &v[j * bl..((j + 1) * bl).min(n)];
                let finite: Vec<f64> = bucket.iter().copied().filter(|x| x.is_finite()).collect();
                if finite.is_empty() {
                    prop_assert!(level.min[j].is_nan() && level.max[j].is_nan());
                    prop_assert!(level.first[j].is_nan() && level.last[j].is_nan());
                } else {
                    prop_assert_eq!(level.min[j], min_of(&finite));
                    prop_assert_eq!(level.max[j], max_of(&finite));
                    prop_assert_eq!(level.first[j], finite[0]);
                    prop_assert_eq!(level.last[j], *finite.last().unwrap());
                }
            }
        }
        for (a, z) in ranges {
            let r = a.min(z)..a.max(z);
            let clamped = r.start.min(n)..r.end.min(n);
            let lo = min_of(&v[clamped.clone()]);
            let want = lo.is_finite().then(|| (lo, max_of(&v[clamped])));
            prop_assert_eq!(p.min_max(r), want);
        }
    }

    #[test]
    fn level_for_fits_the_width(
        n in 1_usize..20_000,
        visible_frac in 0.0_f64..1.0,
        width in 1.0_f32..4000.0,
    ) {
        let p = LinePyramid::build(&vec![1.0; n]);
        let visible = (n as f64 * visible_frac).max(1.0);
        let k = p.level_for(visible, width);
        let columns = f64::from(width.floor());
        let buckets = |k: usize| (visible / (1_u64 << k) as f64).ceil();
        // At most one bucket per pixel column, unless even the top level has more.
        prop_assert!(buckets(k) <= columns || k == p.levels().len() - 1);
        prop_assert!(visible / (1_u64 << k) as f64 <= f64::from(width) || k == p.levels().len() - 1);
        // And the finest such level.
        prop_assert!(k == 0 || buckets(k - 1) > columns);
        // Drawn primitives never exceed two per pixel column, plus the partial edge buckets.
        let drawn = p.buckets_for(k, 0..visible.ceil() as usize).len();
        prop_assert!(drawn as f64 <= columns + 1.0 || k == p.levels().len() - 1);
    }
}

// ---------------------------------------------------------------- values no market has

/// Values that used to poison every later output: NaN, infinities, and finite values so large
/// that a running sum (or a sum of squares) of two of them overflows.
fn bad_value() -> impl Strategy<Value = f64> {
    prop::sample::select(vec![
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        1e308,
        f64::MAX,
        -1e300,
        1e200,
    ])
}

/// A gap-free series of `len` positive values around 100 (a price), a position `k` and a run
/// of 1 to 3 bad values written there: `(clean, poisoned, k, after)`, `after` the first good
/// day past the run.
fn poisoned(len: usize) -> impl Strategy<Value = (Vec<f64>, Vec<f64>, usize, usize)> {
    (
        prop::collection::vec(50.0_f64..150.0, 60..len),
        0.0_f64..0.6,
        1_usize..4,
        bad_value(),
    )
        .prop_map(|(clean, at, run, bad)| {
            let k = (clean.len() as f64 * at) as usize;
            let after = (k + run).min(clean.len());
            let mut v = clean.clone();
            v[k..after].fill(bad);
            (clean, v, k, after)
        })
}

/// Bit-equal, NaN equal to NaN.
fn same_value(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a.to_bits() == b.to_bits()
}

/// The recovery contract of a kernel run on a series with bad values at `k..after`: outputs
/// before `k` are those of the kernel on the clean days before it, outputs from `after` on
/// are those of the kernel on the days after the bad run (`fresh`, compared within `rel`;
/// 0 for bit-equal), and finite from `after + lookback` on.
fn recovers(
    name: &str,
    got: &[f64],
    before: &[f64],
    fresh: &[f64],
    (k, after, lookback): (usize, usize, usize),
    rel: f64,
) -> Result<(), TestCaseError> {
    for (i, (g, w)) in got.iter().zip(before).enumerate().take(k) {
        prop_assert!(
            same_value(*g, *w),
            "{name}: day {i} before the bad value: {g} vs {w}"
        );
    }
    for (j, w) in fresh.iter().enumerate() {
        let i = after + j;
        let g = got[i];
        if rel == 0.0 {
            prop_assert!(
                same_value(g, *w),
                "{name}: day {i} (bad at {k}..{after}): {g} vs {w}"
            );
        } else {
            prop_assert!(
                close_to(g, *w, 0.0, rel),
                "{name}: day {i} (bad at {k}..{after}): {g} vs {w}"
            );
        }
        if j >= lookback {
            prop_assert!(
                g.is_finite(),
                "{name}: day {i} (bad at {k}..{after}) is {g}"
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn sma_recovers_after_a_bad_value((_, v, k, after) in poisoned(300), w in 1_usize..40) {
        let got = &sma(&v, &[w]).unwrap()[0];
        let before = &sma(&v[..k], &[w]).unwrap()[0];
        let fresh = &sma(&v[after..], &[w]).unwrap()[0];
        recovers("sma", got, before, fresh, (k, after, w - 1), 1e-12)?;
        // Windows holding a bad value are missing, like pandas' windows holding a NaN.
        for (i, g) in got.iter().enumerate().take((after + w - 1).min(v.len())).skip(k) {
            prop_assert!(g.is_nan(), "sma day {} is {}", i, g);
        }
    }

    #[test]
    fn ema_skips_a_bad_value_like_pandas_skips_nan((_, v, k, after) in poisoned(300), span in 1_usize..40) {
        // pandas' ewm carries the average over a NaN; an infinity or a value no market has
        // counts as missing the same way instead of sticking in the average for good.
        let mut as_nan = v.clone();
        as_nan[k..after].fill(f64::NAN);
        let got = ema(&v, span).unwrap();
        let want = ema(&as_nan, span).unwrap();
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            prop_assert!(same_value(*g, *w), "ema day {}: {} vs {}", i, g, w);
            prop_assert!(i < k || g.is_finite() || (k == 0 && i < after), "ema day {} is {}", i, g);
        }
    }

    #[test]
    fn indicators_restart_after_a_bad_value(
        (clean, v, k, after) in poisoned(300),
        p in 2_usize..20,
    ) {
        use wickview::compute::indicators::{atr, bollinger, macd, obv, rsi, stochastic, ta_ema};
        // High and low around the close; the bad run is in the close, the high and the volume.
        let high_of = |c: &[f64]| c.iter().map(|x| x * 1.02).collect::<Vec<_>>();
        let low: Vec<f64> = clean.iter().map(|x| x * 0.97).collect();
        let mut high = high_of(&clean);
        high[k..after].copy_from_slice(&v[k..after]);
        let mut volume: Vec<f64> = clean.iter().map(|x| (x * 1000.0).round()).collect();
        volume[k..after].copy_from_slice(&v[k..after]);
        let parts = |x: &[f64]| (x[..k].to_vec(), x[after..].to_vec());
        let (hb, ha) = parts(&high);
        let (lb, la) = parts(&low);
        let (cb, ca) = parts(&v);
        let (vb, va) = parts(&volume);
        let at = |lookback: usize| (k, after, lookback);

        let b = bollinger(&v, p, 2.0).unwrap();
        let (bb, ba) = (bollinger(&cb, p, 2.0).unwrap(), bollinger(&ca, p, 2.0).unwrap());
        recovers("bollinger upper", &b.upper, &bb.upper, &ba.upper, at(p - 1), 0.0)?;
        recovers("bollinger middle", &b.middle, &bb.middle, &ba.middle, at(p - 1), 0.0)?;
        recovers("bollinger lower", &b.lower, &bb.lower, &ba.lower, at(p - 1), 0.0)?;

        let a = atr(&high, &low, &v, p).unwrap();
        recovers("atr", &a, &atr(&hb, &lb, &cb, p).unwrap(), &atr(&ha, &la, &ca, p).unwrap(), at(p), 0.0)?;

        let r = rsi(&v, p).unwrap();
        recovers("rsi", &r, &rsi(&cb, p).unwrap(), &rsi(&ca, p).unwrap(), at(p), 0.0)?;

        let e = ta_ema(&v, p).unwrap();
        recovers("ta ema", &e, &ta_ema(&cb, p).unwrap(), &ta_ema(&ca, p).unwrap(), at(p - 1), 0.0)?;

        let periods = (p, p + 7, 4);
        let m = macd(&v, periods).unwrap();
        let (mb, ma) = (macd(&cb, periods).unwrap(), macd(&ca, periods).unwrap());
        let look = p + 7 + 4 - 2;
        recovers("macd", &m.macd, &mb.macd, &ma.macd, at(look), 0.0)?;
        recovers("macd signal", &m.signal, &mb.signal, &ma.signal, at(look), 0.0)?;
        recovers("macd hist", &m.hist, &mb.hist, &ma.hist, at(look), 0.0)?;

        let periods = (p, 3, 3);
        let (sk, sd) = stochastic(&high, &low, &v, periods).unwrap();
        let (skb, sdb) = stochastic(&hb, &lb, &cb, periods).unwrap();
        let (ska, sda) = stochastic(&ha, &la, &ca, periods).unwrap();
        recovers("stochastic %K", &sk, &skb, &ska, at(p + 4), 0.0)?;
        recovers("stochastic %D", &sd, &sdb, &sda, at(p + 4), 0.0)?;

        let o = obv(&v, &volume).unwrap();
        recovers("obv", &o, &obv(&cb, &vb).unwrap(), &obv(&ca, &va).unwrap(), at(0), 0.0)?;
    }
}

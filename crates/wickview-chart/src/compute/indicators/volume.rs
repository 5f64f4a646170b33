//! Volume studies: On-Balance Volume as TA-Lib computes it (`TA_OBV`).

use super::{ComputeError, by_runs, check_all, run_panel};

fn obv_kernel(close: &[f64], volume: &[f64], out: &mut [f64]) {
    by_runs([close, volume], [out], |[c, v], [o]| obv_run(c, v, o));
}

/// OBV of a series without missing values.
fn obv_run(close: &[f64], volume: &[f64], out: &mut [f64]) {
    let (Some(&c0), Some(&v0)) = (close.first(), volume.first()) else {
        return;
    };
    // TA-Lib starts at the first day's volume (not at 0) and adds or subtracts each day's
    // volume as the close rises or falls; an unchanged close keeps the total.
    let (mut total, mut prev) = (v0, c0);
    for ((&c, &v), o) in close.iter().zip(volume).zip(out.iter_mut()) {
        if c > prev {
            total += v;
        } else if c < prev {
            total -= v;
        }
        *o = total;
        prev = c;
    }
}

/// On-Balance Volume into `out`, defined from day 0 (TA-Lib `OBV`); after a missing close or
/// volume it starts again from the next day's volume (see the [module](super) documentation).
///
/// # Errors
/// [`ComputeError::LengthMismatch`] unless all three buffers have one length.
pub fn obv_into(close: &[f64], volume: &[f64], out: &mut [f64]) -> Result<(), ComputeError> {
    check_all(
        "obv input or output",
        close.len(),
        &[volume.len(), out.len()],
    )?;
    obv_kernel(close, volume, out);
    Ok(())
}

/// Allocating form of [`obv_into`].
///
/// # Errors
/// As [`obv_into`].
pub fn obv(close: &[f64], volume: &[f64]) -> Result<Vec<f64>, ComputeError> {
    let mut out = vec![0.0; close.len()];
    obv_into(close, volume, &mut out)?;
    Ok(out)
}

/// Panel form of [`obv_into`].
///
/// # Errors
/// As [`obv_into`], plus [`ComputeError::RaggedPanel`].
pub fn obv_panel_into(
    close: &[f64],
    volume: &[f64],
    days: usize,
    out: &mut [f64],
) -> Result<(), ComputeError> {
    run_panel("obv panel", [close, volume], [out], days, |[c, v], [o]| {
        obv_kernel(c, v, o);
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn obv_is_the_signed_volume_sum(
            bars in prop::collection::vec((1_u32..20, 0_u32..1000), 0..100),
        ) {
            let c: Vec<f64> = bars.iter().map(|b| f64::from(b.0)).collect();
            let v: Vec<f64> = bars.iter().map(|b| f64::from(b.1)).collect();
            let got = obv(&c, &v).unwrap();
            for (i, &g) in got.iter().enumerate() {
                // Integer volumes: the sums are exact.
                let want = v[0] + (1..=i)
                    .map(|j| (c[j] - c[j - 1]).signum() * v[j] * f64::from(u8::from(c[j] != c[j - 1])))
                    .sum::<f64>();
                prop_assert_eq!(g, want);
            }
        }
    }

    #[test]
    fn errors_and_panel() {
        assert!(obv(&[], &[]).unwrap().is_empty());
        assert!(matches!(
            obv(&[1.0], &[]),
            Err(ComputeError::LengthMismatch { .. })
        ));
        let c = [1.0, 2.0, 2.0, 1.0, 3.0, 1.0, 1.0, 2.0];
        let v = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0];
        assert_eq!(
            obv(&c, &v).unwrap(),
            vec![10.0, 30.0, 30.0, -10.0, 40.0, -20.0, -20.0, 60.0]
        );
        let mut out = [0.0; 8];
        obv_panel_into(&c, &v, 4, &mut out).unwrap();
        assert_eq!(out, [10.0, 30.0, 30.0, -10.0, 50.0, -10.0, -10.0, 70.0]);
    }
}

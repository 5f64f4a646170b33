//! The comparison's y-axis marks: round 1-2-5 steps on a linear axis in its own units (the
//! right axis of the dual-axis mode gets its own, not the left axis' grid mapped into its
//! units), and round 1-2-5 values within each decade of a logarithmic axis, as many as fit
//! (60 to 180 is labelled 60, 80, 100, 150 rather than 100 alone). Pure functions.

use egui_plot::GridMark;

/// The smallest round step (1, 2 or 5 times a power of ten) of at least `min_step`;
/// `None` for a step that is not a positive finite number.
pub fn nice_step(min_step: f64) -> Option<f64> {
    if !(min_step.is_finite() && min_step > 0.0) {
        return None;
    }
    let decade = 10f64.powf(min_step.log10().floor());
    [1.0, 2.0, 5.0, 10.0, 20.0]
        .into_iter()
        .map(|m| m * decade)
        .find(|s| *s >= min_step * (1.0 - 1e-9))
}

/// Ticks of a linear axis showing `lo..=hi` (its own units) over `height_pt` points, at
/// least `spacing_pt` points apart: every multiple of one round step in the range, with
/// that step. Empty for an empty or unusable range.
pub fn linear_ticks(lo: f64, hi: f64, height_pt: f64, spacing_pt: f64) -> Vec<(f64, f64)> {
    if !(lo.is_finite() && hi.is_finite() && hi > lo && height_pt > 0.0) {
        return Vec::new();
    }
    let Some(step) = nice_step((hi - lo) * spacing_pt / height_pt) else {
        return Vec::new();
    };
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    if last < first || last - first > 1_000 {
        return Vec::new();
    }
    (first..=last)
        // A multiple of the step, not an accumulated sum: 0.3 reads 0.3, not 0.30000000004.
        .map(|k| ((k as f64 * step * 1e9).round() / 1e9, step))
        .collect()
}

/// Most candidate values one step of [`log_marks`] looks at.
const MAX_CANDIDATES: f64 = 2_000.0;

/// Grid marks of a log10 axis over `lo..=hi` (log10 units) at round values, none closer
/// than `min_gap` (log10 units) to another: powers of ten first (every first, second,
/// fifth… decade when decades are narrow), then the multiples of ever finer 1-2-5 steps
/// (…, 100, 50, 20, 10, 5, …) wherever they fit. A range of 3× so shows several labels
/// (60 to 180: 60, 70, 80, 100, 120, 150, 180 when there is room), a range of decades one
/// to a few per decade. Each mark's `step_size` is its gap (log10 units) to its nearer
/// neighbour, which egui_plot reads to fade labels.
pub fn log_marks(lo: f64, hi: f64, min_gap: f64) -> Vec<GridMark> {
    if !(lo.is_finite() && hi.is_finite() && hi > lo && min_gap > 0.0) || hi - lo > 600.0 {
        return Vec::new();
    }
    let eps = 1e-9;
    // Sorted chosen values (log10 units).
    let mut chosen: Vec<f64> = Vec::new();
    let fits = |chosen: &[f64], v: f64| {
        let i = chosen.partition_point(|c| *c < v);
        let before = i.checked_sub(1).map(|j| v - chosen[j]);
        let after = chosen.get(i).map(|c| c - v);
        before.is_none_or(|g| g >= min_gap - eps) && after.is_none_or(|g| g >= min_gap - eps)
    };
    let insert = |chosen: &mut Vec<f64>, v: f64| {
        let i = chosen.partition_point(|c| *c < v);
        chosen.insert(i, v);
    };
    // Powers of ten, every `every` decades.
    let every = if min_gap > 1.0 {
        nice_step(min_gap).unwrap_or(1.0)
    } else {
        1.0
    };
    let mut d = (lo / every - eps).ceil() * every;
    while d <= hi + eps {
        insert(&mut chosen, d);
        d += every;
    }
    if min_gap <= 1.0 {
        // Then multiples of finer and finer round steps, from the top decade's size down.
        let (vlo, vhi) = (10f64.powf(lo), 10f64.powf(hi));
        let mut e = hi.floor() as i32;
        'steps: loop {
            for m in [5.0, 2.0, 1.0] {
                let step = m * 10f64.powi(e);
                // Even at the low end two multiples are too close: so are all finer steps.
                if ((vlo + step) / vlo).log10() < min_gap * 0.5 {
                    break 'steps;
                }
                let (k0, k1) = ((vlo / step).ceil(), (vhi / step).floor());
                if k1 - k0 > MAX_CANDIDATES {
                    break 'steps;
                }
                let mut k = k0;
                while k <= k1 {
                    let v = (k * step).log10();
                    if v >= lo - eps && v <= hi + eps && fits(&chosen, v) {
                        insert(&mut chosen, v);
                    }
                    k += 1.0;
                }
            }
            e -= 1;
        }
    }
    chosen.dedup_by(|a, b| (*a - *b).abs() < eps);
    let gap_at = |i: usize| {
        let before = i.checked_sub(1).map(|j| chosen[i] - chosen[j]);
        let after = chosen.get(i + 1).map(|v| v - chosen[i]);
        match (before, after) {
            (Some(a), Some(b)) => a.min(b),
            (Some(g), None) | (None, Some(g)) => g,
            (None, None) => hi - lo,
        }
    };
    (0..chosen.len())
        .map(|i| GridMark {
            value: chosen[i],
            step_size: gap_at(i),
        })
        .collect()
}

/// A log-axis value (not log10) written with as few decimals as it needs: 150, 2.5, 0.04.
pub fn round_value_step(v: f64) -> f64 {
    if !(v.is_finite() && v != 0.0) {
        return 1.0;
    }
    let mut p = 10f64.powf(v.abs().log10().floor());
    // The largest power of ten that divides the value (within rounding).
    for _ in 0..12 {
        let q = v / p;
        if (q - q.round()).abs() < 1e-6 {
            return p;
        }
        p /= 10.0;
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_steps_are_one_two_five() {
        assert_eq!(nice_step(0.7), Some(1.0));
        assert_eq!(nice_step(1.0), Some(1.0));
        assert_eq!(nice_step(1.3), Some(2.0));
        assert_eq!(nice_step(3.0), Some(5.0));
        assert_eq!(nice_step(6.0), Some(10.0));
        assert_eq!(nice_step(0.0031), Some(0.005));
        assert_eq!(nice_step(0.0), None);
        assert_eq!(nice_step(f64::NAN), None);
    }

    #[test]
    fn linear_ticks_are_round_in_their_own_units() {
        // The right axis of the issue: 273.63 over a range the left grid made 316.01545,
        // 308.74780…: its own ticks read 250, 260, … instead.
        let ticks = linear_ticks(243.2, 318.7, 500.0, 40.0);
        let values: Vec<f64> = ticks.iter().map(|t| t.0).collect();
        assert_eq!(values, [250.0, 260.0, 270.0, 280.0, 290.0, 300.0, 310.0]);
        assert!(ticks.iter().all(|t| t.1 == 10.0));
        // At least the spacing apart on screen, and at least three over a usable height.
        let ticks = linear_ticks(1.0712, 1.0931, 300.0, 40.0);
        assert!(ticks.len() >= 3, "{ticks:?}");
        let step = ticks[0].1;
        assert!(step * 300.0 / (1.0931 - 1.0712) >= 40.0);
        assert_eq!(ticks[0].0, 1.075);
        assert!(linear_ticks(5.0, 5.0, 300.0, 40.0).is_empty());
        assert!(linear_ticks(0.0, 1.0, 0.0, 40.0).is_empty());
    }

    fn values(marks: &[GridMark]) -> Vec<f64> {
        marks
            .iter()
            .map(|m| (10f64.powf(m.value) * 1e6).round() / 1e6)
            .collect()
    }

    #[test]
    fn a_log_axis_labels_a_threefold_range_several_times() {
        // 60 to 180 over 400 points, labels at least 40 points apart.
        let (lo, hi) = (60f64.log10(), 180f64.log10());
        let min_gap = (hi - lo) * 40.0 / 400.0;
        let marks = log_marks(lo, hi, min_gap);
        let v = values(&marks);
        assert!(v.len() >= 3, "{v:?}");
        assert!(v.contains(&100.0), "{v:?}");
        for w in marks.windows(2) {
            assert!(w[1].value - w[0].value >= min_gap - 1e-9, "{v:?}");
        }
        // Every mark is a round 1-2-5 multiple in its decade.
        for x in &v {
            let p = 10f64.powf(x.log10().floor());
            let q = x / p * 10.0;
            assert!((q - q.round()).abs() < 1e-6, "{x}");
        }
        // Even over 150 points there are three labels.
        let marks = log_marks(lo, hi, (hi - lo) * 40.0 / 150.0);
        assert!(marks.len() >= 3, "{:?}", values(&marks));
        // Each mark's step is its gap to the nearer neighbour (what egui_plot fades by).
        let m = &marks[1];
        let gap = (m.value - marks[0].value).min(marks[2].value - m.value);
        assert!((m.step_size - gap).abs() < 1e-12);
    }

    #[test]
    fn log_marks_over_decades_thin_out() {
        // 1 to 10,000 in 300 points: one mark per decade at most.
        let marks = log_marks(0.0, 4.0, 4.0 * 40.0 / 300.0);
        let v = values(&marks);
        assert!(v.contains(&1.0) && v.contains(&10_000.0), "{v:?}");
        for w in marks.windows(2) {
            assert!(w[1].value - w[0].value >= 4.0 * 40.0 / 300.0 - 1e-9);
        }
        // Twelve decades in 100 points: every other decade or sparser.
        let marks = log_marks(-2.0, 10.0, 12.0 * 40.0 / 100.0);
        assert!(
            !marks.is_empty() && marks.len() <= 4,
            "{:?}",
            values(&marks)
        );
        assert!(log_marks(1.0, 1.0, 0.1).is_empty());
    }

    #[test]
    fn round_values_know_their_decimals() {
        assert_eq!(round_value_step(150.0), 10.0);
        assert_eq!(round_value_step(100.0), 100.0);
        assert_eq!(round_value_step(2.5), 0.1);
        assert!((round_value_step(0.04) - 0.01).abs() < 1e-15);
    }
}

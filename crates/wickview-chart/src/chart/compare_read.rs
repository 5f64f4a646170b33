//! Reading many lines of a comparison: which line is nearest the pointer, the short
//! tooltip (that line plus the few highest and lowest of the day, never all N), and the
//! per-series figures of the visible range the series list shows and sorts by.
//! Pure functions over the aligned values; no egui state.

use super::PriceFormat;
use super::compare_mode::CompareMode;

/// Lines listed above and below in the tooltip when there are too many to list them all.
pub const TOOLTIP_EXTREMES: usize = 3;

/// What the readers need of one line: its values on the shared calendar, its
/// `(scale, offset)` to plotted units, and whether it is drawn.
#[derive(Clone, Copy)]
pub struct LineRef<'a> {
    /// Values on the shared calendar (NaN where the series has no value).
    pub values: &'a [f64],
    /// Plotted = value * scale + offset (before the log in log mode).
    pub transform: (f64, f64),
    /// Whether the line is shown.
    pub visible: bool,
    /// How its raw values are written (whole won).
    pub price_format: PriceFormat,
}

/// The plotted value (before any log) of `line` at `bar`, if it has one.
pub fn plotted_at(line: &LineRef<'_>, bar: usize) -> Option<f64> {
    let v = *line.values.get(bar)?;
    v.is_finite()
        .then_some(v * line.transform.0 + line.transform.1)
}

/// The visible line whose value at `bar` is nearest the pointer's `y` (in plot units: log10
/// of the plotted value when `log_y`).
pub fn nearest_line(lines: &[LineRef<'_>], bar: usize, y: f64, log_y: bool) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for (k, line) in lines.iter().enumerate() {
        if !line.visible {
            continue;
        }
        let Some(mut p) = plotted_at(line, bar) else {
            continue;
        };
        if log_y {
            if p <= 0.0 {
                continue;
            }
            p = p.log10();
        }
        let d = (p - y).abs();
        if best.is_none_or(|(_, bd)| d < bd) {
            best = Some((k, d));
        }
    }
    best.map(|(k, _)| k)
}

/// One line's value as the tooltip and the series list show it in `mode`: the raw value
/// (written as `fmt` says), and the rebased value or percent change in brackets.
pub fn value_text(
    raw: f64,
    plotted: f64,
    mode: CompareMode,
    log_y: bool,
    fmt: PriceFormat,
) -> String {
    match mode {
        CompareMode::Rebased100 => format!("{} ({:.1})", fmt.price(raw), plotted),
        CompareMode::PercentChange => {
            // In log mode percent lines are drawn as rebased values (100 = 0%).
            let pct = if log_y { plotted - 100.0 } else { plotted };
            format!("{} ({pct:+.2}%)", fmt.price(raw))
        }
        CompareMode::Absolute | CompareMode::DualAxis => fmt.price(raw),
    }
}

/// The tooltip of day `bar`: the date, the highlighted line first (marked ●), then every
/// visible line by value when there are few, or the [`TOOLTIP_EXTREMES`] highest and lowest.
pub fn tooltip_text(
    date: &str,
    names: &[String],
    lines: &[LineRef<'_>],
    bar: usize,
    highlighted: Option<usize>,
    mode: CompareMode,
    log_y: bool,
) -> String {
    let mut text = date.to_owned();
    let row = |k: usize| -> Option<String> {
        let line = lines.get(k)?;
        let raw = *line.values.get(bar)?;
        let p = plotted_at(line, bar)?;
        Some(format!(
            "{} {}",
            names.get(k).map_or("", String::as_str),
            value_text(raw, p, mode, log_y, line.price_format)
        ))
    };
    if let Some(h) = highlighted {
        match row(h) {
            Some(r) => text.push_str(&format!("\n> {r}")),
            None => text.push_str(&format!(
                "\n> {}: no value this day",
                names.get(h).map_or("", String::as_str)
            )),
        }
    }
    let mut ranked: Vec<(usize, f64)> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.visible)
        .filter_map(|(k, l)| Some((k, plotted_at(l, bar)?)))
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    let others = |ks: &mut dyn Iterator<Item = usize>, text: &mut String| {
        for k in ks {
            if Some(k) != highlighted
                && let Some(r) = row(k)
            {
                text.push_str(&format!("\n{r}"));
            }
        }
    };
    if ranked.len() <= 2 * TOOLTIP_EXTREMES + 1 {
        others(&mut ranked.iter().map(|(k, _)| *k), &mut text);
    } else {
        text.push_str("\nHighest:");
        others(
            &mut ranked.iter().take(TOOLTIP_EXTREMES).map(|(k, _)| *k),
            &mut text,
        );
        text.push_str("\nLowest:");
        others(
            &mut ranked
                .iter()
                .skip(ranked.len() - TOOLTIP_EXTREMES)
                .map(|(k, _)| *k),
            &mut text,
        );
        text.push_str(&format!("\n({} series)", ranked.len()));
    }
    text
}

/// Percent return of `values` over `range`: from the first finite value in it to the last.
pub fn range_return(values: &[f64], range: std::ops::Range<usize>) -> Option<f64> {
    let slice = values.get(range)?;
    let first = slice.iter().copied().find(|v| v.is_finite() && *v != 0.0)?;
    let last = slice.iter().rev().copied().find(|v| v.is_finite())?;
    Some((last / first - 1.0) * 100.0)
}

/// Annualised volatility (percent) of daily log returns over `range`, 252 trading days a
/// year; days without a value on both ends are skipped. `None` with fewer than two returns.
pub fn range_volatility(values: &[f64], range: std::ops::Range<usize>) -> Option<f64> {
    let slice = values.get(range)?;
    let (mut n, mut sum, mut sum_sq) = (0usize, 0.0f64, 0.0f64);
    for w in slice.windows(2) {
        let (a, b) = (w[0], w[1]);
        if a.is_finite() && b.is_finite() && a > 0.0 && b > 0.0 {
            let r = (b / a).ln();
            n += 1;
            sum += r;
            sum_sq += r * r;
        }
    }
    if n < 2 {
        return None;
    }
    let nf = n as f64;
    let var = ((sum_sq - sum * sum / nf) / (nf - 1.0)).max(0.0);
    Some(var.sqrt() * 252f64.sqrt() * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(values: &[f64], scale: f64) -> LineRef<'_> {
        LineRef {
            values,
            transform: (scale, 0.0),
            visible: true,
            price_format: PriceFormat::Auto,
        }
    }

    #[test]
    fn nearest_line_skips_hidden_and_missing_values() {
        let a = [10.0, 20.0];
        let b = [f64::NAN, 30.0];
        let c = [12.0, 12.0];
        let mut lines = vec![line(&a, 1.0), line(&b, 1.0), line(&c, 1.0)];
        assert_eq!(nearest_line(&lines, 0, 11.5, false), Some(2));
        assert_eq!(nearest_line(&lines, 1, 28.0, false), Some(1));
        lines[1].visible = false;
        assert_eq!(nearest_line(&lines, 1, 28.0, false), Some(0));
        // Log axis: distances in log10 units (13 is nearer 12 than 20 either way; 17 is
        // nearer 20 in log terms than in linear ones: log10(17/12) > log10(20/17)).
        assert_eq!(nearest_line(&lines, 1, 17f64.log10(), true), Some(0));
        assert_eq!(nearest_line(&[], 0, 1.0, false), None);
    }

    #[test]
    fn tooltip_lists_few_lines_or_the_extremes() {
        let names: Vec<String> = (0..10).map(|i| format!("S{i}")).collect();
        let vals: Vec<[f64; 1]> = (0..10).map(|i| [f64::from(i) + 1.0]).collect();
        let lines: Vec<LineRef<'_>> = vals.iter().map(|v| line(v, 1.0)).collect();
        let t = tooltip_text(
            "2024-01-02",
            &names,
            &lines,
            0,
            Some(4),
            CompareMode::Absolute,
            false,
        );
        let rows: Vec<&str> = t.lines().collect();
        assert_eq!(rows[0], "2024-01-02");
        assert_eq!(rows[1], "> S4 5.0000");
        assert_eq!(
            &rows[2..],
            &[
                "Highest:",
                "S9 10.00",
                "S8 9.0000",
                "S7 8.0000",
                "Lowest:",
                "S2 3.0000",
                "S1 2.0000",
                "S0 1.0000",
                "(10 series)"
            ]
        );
        // Three lines: all of them, by value.
        let t = tooltip_text(
            "d",
            &names[..3],
            &lines[..3],
            0,
            None,
            CompareMode::Rebased100,
            false,
        );
        assert_eq!(t, "d\nS2 3.0000 (3.0)\nS1 2.0000 (2.0)\nS0 1.0000 (1.0)");
        // A series in won reads in whole won, the others keep their decimals.
        let won = [8_092.78];
        let usd = [273.634];
        let mixed = [
            LineRef {
                price_format: PriceFormat::Whole,
                ..line(&won, 1.0)
            },
            line(&usd, 1.0),
        ];
        let t = tooltip_text(
            "d",
            &names[..2],
            &mixed,
            0,
            Some(0),
            CompareMode::Absolute,
            false,
        );
        assert_eq!(t, "d\n> S0 8,093\nS1 273.63");
    }

    #[test]
    fn returns_and_volatility_over_a_range() {
        let v = [f64::NAN, 100.0, 110.0, 99.0, 121.0];
        assert!((range_return(&v, 0..5).unwrap() - 21.0).abs() < 1e-9);
        assert!((range_return(&v, 2..4).unwrap() + 10.0).abs() < 1e-9);
        assert_eq!(range_return(&v, 0..1), None);
        // Constant growth: zero volatility.
        let g: Vec<f64> = (0..50).map(|i| 1.01f64.powi(i)).collect();
        assert!(range_volatility(&g, 0..50).unwrap() < 1e-6);
        // Alternating +/-x log returns: sample std x*sqrt(n/(n-1)), annualised.
        let x: f64 = 0.01;
        let alt: Vec<f64> = (0..101)
            .map(|i| if i % 2 == 0 { 1.0 } else { x.exp() })
            .collect();
        let want = x * (100.0f64 / 99.0).sqrt() * 252f64.sqrt() * 100.0;
        assert!((range_volatility(&alt, 0..101).unwrap() - want).abs() < 1e-9);
        assert_eq!(range_volatility(&v, 0..2), None);
    }
}

//! The indicator rows of `wickview bench compute`: every TA-Lib indicator kernel over the whole
//! panel, in its panel form, into preallocated buffers.

use super::{BenchRow, rate_per_sec, time_runs};
use crate::compute::ComputeError;
use crate::compute::indicators::{
    atr_panel_into, bollinger_panel_into, macd_panel_into, obv_panel_into, roc_panel_into,
    rsi_panel_into, stochastic_panel_into, ta_ema_panel_into,
};
use crate::compute::panel::SyntheticPanel;

/// Periods of the EMA ribbon row.
pub const RIBBON: [usize; 6] = [10, 20, 30, 40, 50, 60];

/// Times each indicator on `panel` (`repeat` runs after a warm-up; the median is reported).
pub(super) fn indicator_rows(
    panel: &SyntheticPanel,
    repeat: usize,
) -> Result<Vec<BenchRow>, ComputeError> {
    let (series, days) = (panel.n_series(), panel.n_days());
    let (h, l, c, v) = (panel.high(), panel.low(), panel.close(), panel.volume());
    let n = c.len();
    let mut a = vec![0.0; n];
    let mut b = vec![0.0; n];
    let mut d = vec![0.0; n];
    let mut err: Option<ComputeError> = None;
    let mut keep = |r: Result<(), ComputeError>| {
        if let Err(e) = r {
            err = Some(e);
        }
    };
    let mut rows = Vec::new();
    let mut row = |name: &str, outputs: usize, timing: super::Timing| {
        rows.push(
            BenchRow::timed(name, series, days, timing)
                .with("outputs_per_sec", rate_per_sec(outputs, timing.median_ms)),
        );
    };

    let t = time_runs(repeat, || {
        keep(bollinger_panel_into(
            c, days, 20, 2.0, &mut a, &mut b, &mut d,
        ));
    });
    row("bollinger 20,2", 3 * n, t);
    let t = time_runs(repeat, || keep(rsi_panel_into(c, days, 14, &mut a)));
    row("rsi 14", n, t);
    let t = time_runs(repeat, || {
        keep(macd_panel_into(
            c,
            days,
            (12, 26, 9),
            &mut a,
            &mut b,
            &mut d,
        ));
    });
    row("macd 12,26,9", 3 * n, t);
    let t = time_runs(repeat, || {
        keep(stochastic_panel_into(
            h,
            l,
            c,
            days,
            (14, 3, 3),
            &mut a,
            &mut b,
        ));
    });
    row("stochastic 14,3,3", 2 * n, t);
    let t = time_runs(repeat, || keep(atr_panel_into(h, l, c, days, 14, &mut a)));
    row("atr 14", n, t);
    let t = time_runs(repeat, || {
        for p in RIBBON {
            keep(ta_ema_panel_into(c, days, p, &mut a));
        }
    });
    row("ema ribbon 10..60 (6 lines)", RIBBON.len() * n, t);
    let t = time_runs(repeat, || keep(obv_panel_into(c, v, days, &mut a)));
    row("obv", n, t);
    let t = time_runs(repeat, || keep(roc_panel_into(c, days, 10, &mut a)));
    row("roc 10", n, t);
    match err {
        Some(e) => Err(e),
        None => Ok(rows),
    }
}

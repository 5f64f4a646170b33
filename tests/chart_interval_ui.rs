//! The candle chart's bar interval, price format and palette, driven through egui_kittest on
//! the wgpu renderer (a software rasterizer such as lavapipe is enough): `w` shows weekly
//! bars, `D` daily again, `m` monthly, with the moving averages computed on the bars shown;
//! Korean prices read in whole won under the crosshair; an MA window keeps its colour
//! whichever category's set it is in.

// Helpers outside #[test] functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

#[path = "common/chart_harness.rs"]
mod chart_harness;

use std::sync::Arc;

use chart_harness::{candle_harness, sample};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use wickview::compute::{Interval, resample, sma};
use wickview::model::{DailySeries, MA_SET_A, MA_SET_B};
use wickview::ui::chart::{CandleChart, ChartSeries, PriceFormat, RangePreset};
use wickview::ui::theme::CandleColors;

fn harness(chart: CandleChart) -> Harness<'static, CandleChart> {
    candle_harness(chart, (1000.0, 700.0))
}

fn settle(h: &mut Harness<'_, CandleChart>) {
    h.run_steps(2);
    chart_harness::settle(h, CandleChart::is_loading);
}

fn samsung() -> (CandleChart, Arc<DailySeries>) {
    let s = sample("005930.csv");
    let mut chart = CandleChart::new("interval");
    chart.set_series(
        ChartSeries::new("005930 Samsung Electronics", Arc::clone(&s))
            .with_price_format(PriceFormat::Whole),
        CandleColors::KOREAN,
        MA_SET_A,
    );
    (chart, s)
}

/// The MA20 the chart computed, at the last bar.
fn last_ma20(chart: &CandleChart) -> f64 {
    let o = chart.overlays().iter().find(|o| o.window == 20).unwrap();
    *o.values().unwrap().last().unwrap()
}

#[test]
fn w_shows_weekly_bars_d_returns_and_m_shows_monthly() {
    let (chart, daily) = samsung();
    let mut h = harness(chart);
    settle(&mut h);
    assert_eq!(h.state().interval(), Interval::Daily);
    assert_eq!(h.state().series().unwrap().len(), daily.len());
    let daily_bars_in_view = h.state().view().width();

    // The key `w`: weekly bars, fewer of them, each an ISO week dated by its last day.
    h.key_press(egui::Key::W);
    settle(&mut h);
    let weekly = resample(&daily, Interval::Weekly);
    let shown = h.state().series().unwrap().series.clone();
    assert_eq!(h.state().interval(), Interval::Weekly);
    assert!(shown.len() < daily.len() / 4, "{} weekly bars", shown.len());
    assert_eq!(*shown, weekly);
    assert_eq!(
        h.state().daily_series().unwrap().len(),
        daily.len(),
        "the daily bars are kept"
    );
    // The moving average is of weekly closes: the last 20 weeks.
    let want = sma(weekly.close(), &[20]).unwrap()[0]
        .last()
        .copied()
        .unwrap();
    assert_eq!(last_ma20(h.state()).to_bits(), want.to_bits());
    // The default month of days became the default year of weeks.
    assert_eq!(h.state().active_range(), Some(RangePreset::Y1));
    assert_eq!(h.state().view(), RangePreset::Y1.view(weekly.days()));
    assert!(h.state().view().width() > 40.0 && daily_bars_in_view < 30.0);

    // The D button: daily bars again, on the month of days.
    h.get_by_label("D").click();
    settle(&mut h);
    assert_eq!(h.state().interval(), Interval::Daily);
    assert_eq!(h.state().series().unwrap().len(), daily.len());
    assert_eq!(h.state().active_range(), Some(RangePreset::M1));
    let want = sma(daily.close(), &[20]).unwrap()[0]
        .last()
        .copied()
        .unwrap();
    assert_eq!(last_ma20(h.state()).to_bits(), want.to_bits());

    // A range button's range stays across a switch: 3Y of days, then 3Y of months.
    h.get_by_label("3Y").click();
    h.run_steps(2);
    h.key_press(egui::Key::M);
    settle(&mut h);
    let monthly = resample(&daily, Interval::Monthly);
    assert_eq!(h.state().interval(), Interval::Monthly);
    assert_eq!(*h.state().series().unwrap().series, monthly);
    assert_eq!(h.state().active_range(), Some(RangePreset::Y3));
    assert_eq!(h.state().view(), RangePreset::Y3.view(monthly.days()));

    // A view of the user's own keeps its dates.
    h.get_by_label("W").click();
    settle(&mut h);
    let (from, to) = h.state().visible_days().unwrap();
    h.key_press(egui::Key::ArrowLeft);
    h.run_steps(2);
    let (from, to) = {
        let (f, t) = h.state().visible_days().unwrap();
        assert!(f < from && t < to, "panned a week back");
        (f, t)
    };
    h.key_press(egui::Key::D);
    settle(&mut h);
    let (f, t) = h.state().visible_days().unwrap();
    assert_eq!(h.state().active_range(), None);
    assert!(
        f >= from - chrono::Days::new(6) && f <= from,
        "{f} vs {from}"
    );
    assert!(t <= to && t >= to - chrono::Days::new(6), "{t} vs {to}");
}

#[test]
fn korean_prices_read_in_whole_won_under_the_crosshair() {
    let (chart, s) = samsung();
    let mut h = harness(chart);
    settle(&mut h);
    // Back to 2000, when the adjusted prices were under 10,000 won (4,405.234375).
    h.key_press(egui::Key::Home);
    settle(&mut h);
    h.hover_at(egui::pos2(450.0, 250.0));
    h.run_steps(2);
    let day = h.state().hovered_bar().expect("a day under the pointer");
    let text = h.state().tooltip_text().unwrap();
    let close = s.close()[day];
    assert!(
        PriceFormat::Auto.price(close).contains('.'),
        "a price that would show fractions: {close}"
    );
    let whole = PriceFormat::Whole.price(close);
    assert!(!whole.contains('.'), "{whole}");
    assert!(text.contains(&format!("C {whole}")), "{text}");
    let ma_line = text.lines().find(|l| l.starts_with("MA20 ")).unwrap();
    assert!(!ma_line.contains('.'), "{ma_line}");
}

#[test]
fn an_ma_window_keeps_its_colour_in_every_category() {
    let s = sample("GSPC.csv");
    let colour_of = |windows: &[usize], colors: CandleColors, w: usize| {
        let mut chart = CandleChart::new(("colours", w, windows.len()));
        chart.set_series(ChartSeries::new("x", Arc::clone(&s)), colors, windows);
        chart
            .overlays()
            .iter()
            .find(|o| o.window == w)
            .unwrap()
            .color
    };
    // MA20 is the second of Korea's set and the third of the US one.
    for w in [5, 20] {
        assert_eq!(
            colour_of(MA_SET_A, CandleColors::KOREAN, w),
            colour_of(MA_SET_B, CandleColors::WESTERN, w),
            "MA{w}"
        );
    }
    let mut chart = CandleChart::new("colours all");
    chart.set_series(
        ChartSeries::new("x", Arc::clone(&s)),
        CandleColors::KOREAN,
        MA_SET_A,
    );
    chart.set_ma_windows(&[200, 20]);
    assert_eq!(
        chart.overlays()[1].color,
        colour_of(MA_SET_B, CandleColors::WESTERN, 20)
    );
}

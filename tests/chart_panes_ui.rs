//! Indicator panes of the candle chart through egui_kittest on the wgpu renderer: panes added
//! and removed from the toolbar's indicator editor, parameters edited, the crosshair tooltip
//! showing the kernels' values at the hovered day in every pane, panes resized by their handle.

// Helpers outside #[test] functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

#[path = "common/chart_harness.rs"]
mod chart_harness;

use std::sync::Arc;

use chart_harness::{candle_harness, sample};

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use wickview::compute::indicators::{Indicator, IndicatorKind, macd, rsi, stochastic};
use wickview::model::{DailySeries, MA_SET_A};
use wickview::ui::chart::{CandleChart, ChartSeries, format_price};
use wickview::ui::theme::CandleColors;

const SIZE: (f32, f32) = (1000.0, 900.0);

fn harness(chart: CandleChart) -> Harness<'static, CandleChart> {
    candle_harness(chart, SIZE)
}

fn settle(h: &mut Harness<'_, CandleChart>) {
    h.run_steps(2);
    chart_harness::settle(h, CandleChart::is_loading);
}

fn samsung_chart() -> (CandleChart, Arc<DailySeries>) {
    let s = sample("005930.csv");
    let mut chart = CandleChart::new("panes");
    chart.set_series(
        ChartSeries::new("005930 Samsung Electronics", Arc::clone(&s)),
        CandleColors::KOREAN,
        MA_SET_A,
    );
    (chart, s)
}

/// Hovers 60 points below the top of the pane under the handle named `handle`.
fn hover_in_pane(h: &mut Harness<'_, CandleChart>, handle: &str, x: f32) {
    let rect = h.get_by_label(handle).rect();
    h.hover_at(egui::pos2(x, rect.bottom() + 60.0));
    h.run_steps(2);
}

#[test]
fn add_rsi_and_macd_from_the_toolbar_and_read_them_under_the_crosshair() {
    let (chart, s) = samsung_chart();
    let mut h = harness(chart);
    settle(&mut h);
    h.get_by_label("Indicators (0)").click();
    h.run_steps(2);
    h.get_by_label("+ RSI").click();
    h.run_steps(1);
    h.get_by_label("+ MACD").click();
    settle(&mut h);
    assert_eq!(
        h.state().indicators(),
        vec![
            Indicator::Rsi { period: 14 },
            Indicator::Macd {
                fast: 12,
                slow: 26,
                signal: 9
            }
        ]
    );
    let want_rsi = rsi(s.close(), 14).unwrap();
    let want_macd = macd(s.close(), (12, 26, 9)).unwrap();

    // The crosshair over the RSI pane, then over the MACD pane: the same day's full tooltip.
    for (handle, x) in [
        ("Resize rsi:14 pane", 500.0),
        ("Resize macd:12,26,9 pane", 300.0),
    ] {
        hover_in_pane(&mut h, handle, x);
        let day = h.state().hovered_bar().expect("a day under the pointer");
        let view = h.state().view();
        assert!(
            (view.start..=view.end).contains(&(day as f64)),
            "{day} in {view:?}"
        );
        let text = h.state().tooltip_text().unwrap();
        let date = s.days()[day].format("%Y-%m-%d").to_string();
        assert!(text.contains(&date), "{text}");
        for line in [
            format!("RSI 14 {}", format_price(want_rsi[day])),
            format!("MACD {}", format_price(want_macd.macd[day])),
            format!("signal {}", format_price(want_macd.signal[day])),
            format!("histogram {}", format_price(want_macd.hist[day])),
            format!("C {}", format_price(s.close()[day])),
        ] {
            assert!(text.contains(&line), "{line:?} missing from\n{text}");
        }
        // Each pane's legend shows that day's values, the price legend the day's OHLC.
        let legends = h.state().legend_texts().to_vec();
        for want in [
            format!("RSI (14)  {}", format_price(want_rsi[day])),
            format!("signal {}", format_price(want_macd.signal[day])),
            format!("C {}", format_price(s.close()[day])),
            date.clone(),
        ] {
            assert!(
                legends.iter().any(|l| l.contains(&want)),
                "{want:?} missing from the legends {legends:#?}"
            );
        }
        // The chart's lines are the kernels' values, bit for bit.
        let rsi_line = &h.state().indicator_entries()[0].lines().unwrap()[0];
        assert_eq!(rsi_line.values[day].to_bits(), want_rsi[day].to_bits());
    }

    // Drag the RSI pane's handle up: the pane grows.
    let before = h.state().indicator_entries()[0].height;
    let handle = h.get_by_label("Resize rsi:14 pane").rect().center();
    h.drag_at(handle);
    h.run_steps(1);
    h.hover_at(handle - egui::vec2(0.0, 40.0));
    h.run_steps(1);
    h.drop_at(handle - egui::vec2(0.0, 40.0));
    h.run_steps(2);
    let after = h.state().indicator_entries()[0].height;
    assert!(after > before + 20.0, "{before} -> {after}");

    // Remove the RSI pane.
    h.get_by_label("× rsi").click();
    settle(&mut h);
    assert_eq!(h.state().indicators().len(), 1);
    assert!(h.query_by_label("Resize rsi:14 pane").is_none());
    assert!(h.query_by_label("Resize macd:12,26,9 pane").is_some());
}

/// Replaces the text of the parameter field holding `current` with `text` (Enter follows).
fn edit_field(h: &mut Harness<'_, CandleChart>, current: &str, text: &str) {
    let current = current.to_owned();
    let is_field = move |n: &egui_kittest::kittest::AccessKitNode<'_>| {
        n.role() == Role::TextInput && n.value().as_deref() == Some(current.as_str())
    };
    h.get_by(is_field.clone()).click();
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.get_by(is_field).type_text(text);
    h.run_steps(1);
}

#[test]
fn edited_parameters_recompute_and_bad_ones_are_explained() {
    let (mut chart, s) = samsung_chart();
    chart.set_indicators(&[Indicator::Stochastic {
        k: 14,
        slowing: 3,
        d: 3,
    }]);
    let mut h = harness(chart);
    settle(&mut h);
    h.get_by_label("Indicators (1)").click();
    h.run_steps(2);
    edit_field(&mut h, "stoch:14,3,3", "stoch:5,3,3");
    h.run_steps(1);
    h.key_press(egui::Key::Enter);
    settle(&mut h);
    assert_eq!(
        h.state().indicators(),
        vec![Indicator::Stochastic {
            k: 5,
            slowing: 3,
            d: 3
        }]
    );
    let (k, d) = stochastic(s.high(), s.low(), s.close(), (5, 3, 3)).unwrap();
    let lines = h.state().indicator_entries()[0].lines().unwrap();
    assert!(
        lines[0]
            .values
            .iter()
            .zip(&k)
            .all(|(a, b)| a.to_bits() == b.to_bits())
    );
    assert!(
        lines[1]
            .values
            .iter()
            .zip(&d)
            .all(|(a, b)| a.to_bits() == b.to_bits())
    );

    // A bad spec keeps the indicator and says why.
    edit_field(&mut h, "stoch:5,3,3", "stoch:0,3,3");
    h.run_steps(1);
    h.key_press(egui::Key::Enter);
    h.run_steps(2);
    assert_eq!(h.state().indicators().len(), 1);
    assert!(
        h.query_by_label_contains("%K must be at least 1, got 0")
            .is_some(),
        "the error is shown"
    );
}

fn rect_of(h: &Harness<'_, CandleChart>, name: &str) -> egui::Rect {
    h.state()
        .pane_rects()
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, r)| *r)
        .unwrap_or_else(|| panic!("no {name} pane in {:?}", h.state().pane_rects()))
}

/// The share of the chart (from the price pane's top to the range slider) the price and
/// volume panes take.
fn price_share(h: &Harness<'_, CandleChart>) -> f32 {
    let price = rect_of(h, "price");
    let volume = rect_of(h, "volume");
    let slider = h.get_by_label("History range").rect();
    (volume.bottom() - price.top()) / (slider.top() - price.top())
}

/// Every study on at 1000x700: the price pane keeps its share (the panes scroll), every pane
/// has the same axis width, a handle dragged far up cannot squeeze the price pane, and a
/// pane collapses to its name and last value.
#[test]
fn every_study_at_1000x700_keeps_the_price_pane() {
    let (mut chart, s) = samsung_chart();
    let all: Vec<Indicator> = IndicatorKind::ALL
        .iter()
        .map(|k| k.default_indicator())
        .collect();
    chart.set_indicators(&all);
    let mut h = candle_harness(chart, (1000.0, 700.0));
    settle(&mut h);
    let price = rect_of(&h, "price");
    assert!(price.height() >= 180.0, "price pane {price:?}");
    assert!(price_share(&h) >= 0.45, "share {}", price_share(&h));
    // One axis width: every pane's plot ends at the same x (the dates line up).
    let rights: Vec<f32> = h
        .state()
        .pane_rects()
        .iter()
        .map(|(_, r)| r.right())
        .collect();
    assert!(
        rights.iter().all(|r| (r - rights[0]).abs() < 0.5),
        "{:?}",
        h.state().pane_rects()
    );
    // The panes scroll: some are below the visible room.
    let slider = h.get_by_label("History range").rect();
    assert!(
        h.state()
            .pane_rects()
            .iter()
            .any(|(_, r)| r.top() > slider.top()),
        "{:?}",
        h.state().pane_rects()
    );

    // Drag the first pane's handle far up: the price pane keeps its share.
    let handle = h.get_by_label("Resize rsi:14 pane").rect().center();
    h.drag_at(handle);
    h.run_steps(1);
    h.hover_at(handle - egui::vec2(0.0, 300.0));
    h.run_steps(1);
    h.drop_at(handle - egui::vec2(0.0, 300.0));
    h.run_steps(3);
    assert!(price_share(&h) >= 0.45, "after a drag: {}", price_share(&h));
    assert!(rect_of(&h, "price").height() >= 180.0);

    // Collapse the RSI pane from its legend: one line with its last value.
    h.remove_cursor();
    h.run_steps(1);
    h.get_by_label("Collapse the rsi:14 pane").click();
    h.run_steps(3);
    assert!(
        !h.state().pane_rects().iter().any(|(n, _)| n == "rsi:14"),
        "collapsed"
    );
    let want_rsi = rsi(s.close(), 14).unwrap();
    let last = format!("RSI (14)  {}", format_price(want_rsi[s.len() - 1]));
    assert!(
        h.state().legend_texts().contains(&last),
        "{last:?} in {:#?}",
        h.state().legend_texts()
    );
    h.get_by_label("Expand the rsi:14 pane").click();
    h.run_steps(3);
    assert!(h.state().pane_rects().iter().any(|(n, _)| n == "rsi:14"));
}

/// Clicking a line's name in a legend hides the line; clicking it again shows it.
#[test]
fn clicking_a_legend_name_hides_its_line() {
    let (mut chart, s) = samsung_chart();
    chart.set_indicators(&[Indicator::Macd {
        fast: 12,
        slow: 26,
        signal: 9,
    }]);
    let mut h = harness(chart);
    settle(&mut h);
    let want = macd(s.close(), (12, 26, 9)).unwrap();
    let label = format!("signal {}", format_price(want.signal[s.len() - 1]));
    h.get_by_label(&label).click();
    h.run_steps(3);
    // The pointer rests on the legend: it keeps showing the last day, not the day under it.
    let macd_last = format!("MACD {}", format_price(want.macd[s.len() - 1]));
    assert!(
        h.state()
            .legend_texts()
            .iter()
            .any(|l| l.contains(&macd_last)),
        "{macd_last:?} in {:#?}",
        h.state().legend_texts()
    );
    assert!(
        h.state()
            .legend_texts()
            .iter()
            .any(|l| l.contains("signal (hidden)")),
        "{:#?}",
        h.state().legend_texts()
    );
    h.get_by_label("signal").click();
    h.run_steps(1);
    // The pointer off the chart: the legend shows the last day again.
    h.remove_cursor();
    h.run_steps(3);
    assert!(
        h.state().legend_texts().iter().any(|l| l.contains(&label)),
        "{:#?}",
        h.state().legend_texts()
    );
    // An MA hidden from the price legend leaves the fitted range (when the scale fits the
    // lines too, not the candles only).
    h.state_mut().set_scale_candles_only(false);
    h.run_steps(2);
    let ma = h.state().overlays()[3].clone();
    let value = format_price(ma.values().unwrap()[s.len() - 1]);
    let before = h.state().y_bounds().unwrap();
    h.get_by_label(&format!("{} {value}", ma.name())).click();
    h.run_steps(3);
    let after = h.state().y_bounds().unwrap();
    assert!(
        after.1 < before.1,
        "y no longer fits {}: {before:?} -> {after:?}",
        ma.name()
    );
    assert!(
        h.state()
            .legend_texts()
            .iter()
            .any(|l| l.contains(&format!("{} (hidden)", ma.name()))),
        "{:#?}",
        h.state().legend_texts()
    );
}

/// A series without volume (a currency) has no volume pane: the price pane takes its room.
#[test]
fn no_volume_pane_without_volume() {
    let s = sample("GSPC.csv");
    let (fx, _) = DailySeries::from_bars(s.bars().map(|mut b| {
        b.volume = 0.0;
        b
    }));
    let mut chart = CandleChart::new("fx");
    chart.set_series(
        ChartSeries::new("KRW=X", Arc::new(fx)),
        CandleColors::WESTERN,
        &[20],
    );
    let mut h = candle_harness(chart, (1000.0, 700.0));
    settle(&mut h);
    assert!(!h.state().has_volume_pane());
    let names: Vec<&str> = h
        .state()
        .pane_rects()
        .iter()
        .map(|(n, _)| n.as_str())
        .collect();
    assert_eq!(names, ["price"]);
    assert!(
        !h.state()
            .legend_texts()
            .iter()
            .any(|l| l.starts_with("Volume")),
        "{:?}",
        h.state().legend_texts()
    );
    let (chart, _) = samsung_chart();
    let mut with = candle_harness(chart, (1000.0, 700.0));
    settle(&mut with);
    assert!(with.state().has_volume_pane());
    assert!(rect_of(&h, "price").height() > rect_of(&with, "price").height() + 50.0);
}

/// Pixels of `color` (within 2 per channel) in `rect` of `image`.
fn count_color(image: &image::RgbaImage, rect: egui::Rect, color: egui::Color32) -> usize {
    let mut n = 0;
    for y in rect.top().max(0.0) as u32..(rect.bottom() as u32).min(image.height()) {
        for x in rect.left().max(0.0) as u32..(rect.right() as u32).min(image.width()) {
            let p = image.get_pixel(x, y).0;
            if p[..3]
                .iter()
                .zip([color.r(), color.g(), color.b()])
                .all(|(a, b)| a.abs_diff(b) <= 2)
            {
                n += 1;
            }
        }
    }
    n
}

/// The last close is tagged on the price axis in the last candle's colour; under the pointer
/// the price axis shows the price there and the time axis the date (a snapshot at 1000x700
/// with every study on shows them).
#[test]
fn axis_tags_mark_the_last_price_and_the_crosshair() {
    let (mut chart, s) = samsung_chart();
    let all: Vec<Indicator> = IndicatorKind::ALL
        .iter()
        .map(|k| k.default_indicator())
        .collect();
    chart.set_indicators(&all);
    let mut h = candle_harness(chart, (1000.0, 700.0));
    settle(&mut h);
    let price = rect_of(&h, "price");
    let axis =
        egui::Rect::from_x_y_ranges(price.right() + 2.0..=price.right() + 12.0, price.y_range());
    let n = s.len();
    let last_up = s.close()[n - 1] >= s.open()[n - 1];
    let (tag, other) = if last_up {
        (CandleColors::KOREAN.up, CandleColors::KOREAN.down)
    } else {
        (CandleColors::KOREAN.down, CandleColors::KOREAN.up)
    };
    let image = h.render().unwrap();
    assert!(count_color(&image, axis, tag) > 50, "a last-price tag");
    assert_eq!(count_color(&image, axis, other), 0);

    // The crosshair over the price pane: a tag on the price axis at the pointer, and one on
    // the time axis under the lowest pane on screen (the volume pane: the panes scroll).
    let p = egui::pos2(price.center().x, price.top() + price.height() * 0.3);
    h.hover_at(p);
    h.run_steps(3);
    let image = h.render().unwrap();
    // The crosshair tags' fill (dark or light theme).
    let gray = |r: egui::Rect| {
        count_color(&image, r, egui::Color32::from_gray(80))
            + count_color(&image, r, egui::Color32::from_gray(60))
    };
    let at_pointer = egui::Rect::from_x_y_ranges(axis.x_range(), p.y - 3.0..=p.y + 3.0);
    assert!(gray(at_pointer) > 20, "a price tag at the pointer");
    let volume = rect_of(&h, "volume");
    let date_strip = egui::Rect::from_x_y_ranges(
        p.x - 20.0..=p.x + 20.0,
        volume.bottom() + 2.0..=volume.bottom() + 12.0,
    );
    assert!(gray(date_strip) > 100, "a date tag at the pointer");
    let opts = egui_kittest::SnapshotOptions::new()
        .threshold(2.0)
        .max_failed_pixels(400);
    h.snapshot_options("panes_all_studies_1000x700", &opts);
}

//! UI tests of the candle chart's basic tools with egui_kittest on the wgpu renderer, driven
//! by real pointer events: the manual price scale (drag the price axis, double-click it, the
//! Auto toggle, "scale on candles only"), the chart types (pixel rules on the rendered
//! image) and the context menu on the chart and on a drawing.

// Helpers outside #[test] functions unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

#[path = "common/chart_harness.rs"]
mod chart_harness;

use std::path::Path;
use std::sync::Arc;

use chart_harness::{candle_harness_with, sample};

use egui::{Event, Modifiers, PointerButton, Pos2, pos2, vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT as _, Queryable as _};
use wickview::model::{Anchor, DailySeries, Drawing, DrawingKind, MA_SET_B};
use wickview::ui::chart::{CandleChart, ChartSeries, ChartType};
use wickview::ui::theme::{self, CandleColors};

const SIZE: (f32, f32) = (1000.0, 700.0);

fn harness(chart: CandleChart) -> Harness<'static, CandleChart> {
    // Short steps, so that two clicks a step or two apart make a double-click (0.3 s).
    candle_harness_with(Harness::builder().with_size(SIZE).with_step_dt(0.05), chart)
}

fn settle(h: &mut Harness<'_, CandleChart>) {
    chart_harness::settle(h, CandleChart::is_loading);
}

/// ^GSPC on its default month (the weeks after the March 2020 crash: the long averages lie
/// far above the prices), with `windows` as moving averages.
fn gspc(windows: &[usize]) -> (Harness<'static, CandleChart>, Arc<DailySeries>) {
    let s = sample("GSPC.csv");
    let mut chart = CandleChart::new("tools");
    chart.set_series(
        ChartSeries::new("^GSPC", Arc::clone(&s)),
        CandleColors::WESTERN,
        windows,
    );
    let mut h = harness(chart);
    settle(&mut h);
    (h, s)
}

/// A point inside the price pane, left of the price axis.
fn plot_point() -> Pos2 {
    pos2(SIZE.0 * 0.45, SIZE.1 * 0.35)
}

fn press(h: &Harness<'_, CandleChart>, pos: Pos2, button: PointerButton, pressed: bool) {
    h.event(Event::PointerButton {
        pos,
        button,
        pressed,
        modifiers: Modifiers::NONE,
    });
}

fn right_click(h: &mut Harness<'_, CandleChart>, pos: Pos2) {
    h.hover_at(pos);
    h.run_steps(1);
    press(h, pos, PointerButton::Secondary, true);
    h.run_steps(1);
    press(h, pos, PointerButton::Secondary, false);
    h.run_steps(2);
}

fn drag(h: &mut Harness<'_, CandleChart>, from: Pos2, to: Pos2) {
    h.hover_at(from);
    h.run_steps(1);
    h.drag_at(from);
    h.run_steps(1);
    for k in 1..=4 {
        h.hover_at(from + (to - from) * (k as f32 / 4.0));
        h.run_steps(1);
    }
    h.drop_at(to);
    h.run_steps(2);
}

fn span((lo, hi): (f64, f64)) -> f64 {
    hi - lo
}

fn near(a: (f64, f64), b: (f64, f64), tol: f64) -> bool {
    (a.0 - b.0).abs() <= tol && (a.1 - b.1).abs() <= tol
}

/// Highest value of the enabled moving averages over the bars in view.
fn ma_max(chart: &CandleChart, s: &DailySeries) -> f64 {
    let r = chart.view().bar_range(s.len());
    chart
        .overlays()
        .iter()
        .filter(|o| o.enabled)
        .flat_map(|o| o.values().unwrap()[r.clone()].to_vec())
        .filter(|v| v.is_finite())
        .fold(f64::NEG_INFINITY, f64::max)
}

fn bars_high(chart: &CandleChart, s: &DailySeries) -> f64 {
    let r = chart.view().bar_range(s.len());
    s.high()[r]
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max)
}

#[test]
fn dragging_the_price_axis_stretches_the_scale_and_a_double_click_restores_auto() {
    let (mut h, s) = gspc(&[]);
    assert!(h.state().auto_scale());
    let auto = h.state().y_bounds().unwrap();
    let axis = h.get_by_label("Price scale").rect();
    assert!(axis.left() > SIZE.0 * 0.8, "on the right: {axis:?}");

    // Down compresses: the span grows around the same centre (120 points double it).
    let c = axis.center();
    drag(&mut h, c, c + vec2(0.0, 60.0));
    let down = h.state().y_bounds().unwrap();
    assert!(!h.state().auto_scale(), "a drag sets the scale by hand");
    let ratio = span(down) / span(auto);
    assert!(
        (1.25..1.6).contains(&ratio),
        "span x{ratio}: {auto:?} -> {down:?}"
    );
    let centre = |r: (f64, f64)| 0.5 * (r.0 + r.1);
    assert!((centre(down) - centre(auto)).abs() < 1e-6 * centre(auto));

    // Up stretches: the span shrinks below the fitted one.
    drag(&mut h, c, c - vec2(0.0, 120.0));
    let up = h.state().y_bounds().unwrap();
    assert!(span(up) < span(auto) * 0.9, "{auto:?} -> {up:?}");

    // Panning keeps the range set by hand (the autoscale would follow the bars).
    let p = plot_point();
    drag(&mut h, p, p + vec2(250.0, 0.0));
    assert_ne!(
        h.state().view(),
        wickview::ui::chart::RangePreset::M1.view(s.days())
    );
    assert!(near(h.state().y_bounds().unwrap(), up, 1e-9));

    // A double-click on the axis returns to auto: the range fits the bars in view again.
    h.hover_at(c);
    h.run_steps(1);
    for _ in 0..2 {
        press(&h, c, PointerButton::Primary, true);
        h.step();
        press(&h, c, PointerButton::Primary, false);
        h.step();
    }
    h.run_steps(2);
    assert!(h.state().auto_scale(), "double-click: auto again");
    let r = h.state().view().bar_range(s.len());
    let lo = s.low()[r.clone()]
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min);
    let hi = bars_high(h.state(), &s);
    let (y0, y1) = h.state().y_bounds().unwrap();
    assert!(
        y0 <= lo && y1 >= hi && y1 - y0 < 1.2 * (hi - lo),
        "{y0}..{y1} fits {lo}..{hi}"
    );
}

#[test]
fn the_auto_toggle_shows_and_switches_the_autoscale() {
    let (mut h, _) = gspc(&[]);
    let fitted = h.state().y_bounds().unwrap();
    h.get_by_label("Auto").click();
    h.run_steps(2);
    assert!(!h.state().auto_scale(), "off, keeping the range shown");
    assert!(near(h.state().y_bounds().unwrap(), fitted, 1e-9));
    let c = h.get_by_label("Price scale").rect().center();
    drag(&mut h, c, c + vec2(0.0, 120.0));
    assert!(span(h.state().y_bounds().unwrap()) > 1.5 * span(fitted));
    h.get_by_label("Auto").click();
    h.run_steps(2);
    assert!(h.state().auto_scale());
    assert!(near(h.state().y_bounds().unwrap(), fitted, 1e-9));
}

#[test]
fn scale_on_candles_only_keeps_long_averages_from_squeezing_the_bars() {
    let (mut h, s) = gspc(MA_SET_B);
    assert!(h.state().overlays().iter().all(|o| o.is_ready()));
    assert!(h.state().scale_candles_only(), "on by default");
    let high = bars_high(h.state(), &s);
    let mas = ma_max(h.state(), &s);
    assert!(
        mas > high * 1.05,
        "MA200 far above the bars: {mas} vs {high}"
    );
    let (_, y1) = h.state().y_bounds().unwrap();
    assert!(
        y1 < mas && y1 < high * 1.05,
        "fits the bars only: top {y1}, bars {high}"
    );

    // Switched off in the context menu: the averages widen the range again.
    right_click(&mut h, plot_point());
    h.get_by_label("Scale on candles only").click();
    h.run_steps(3);
    assert!(!h.state().scale_candles_only());
    let (_, y1) = h.state().y_bounds().unwrap();
    assert!(y1 >= mas, "fits the averages too: top {y1}, MAs {mas}");
}

#[test]
fn context_menu_adds_a_level_copies_the_price_and_resets_the_view() {
    let (mut h, s) = gspc(&[]);
    let p = plot_point();
    right_click(&mut h, p);
    h.get_by_label("Reset view");
    h.get_by_label("Add level here").click();
    h.run_steps(2);
    let levels: Vec<Drawing> = h.state().drawings().drawings().to_vec();
    assert_eq!(levels.len(), 1, "{levels:?}");
    assert_eq!(levels[0].kind, DrawingKind::Level);
    let at = h
        .state()
        .screen_pos(levels[0].anchors[0].day, levels[0].anchors[0].price)
        .unwrap();
    assert!(
        (at.y - p.y).abs() < 1.5,
        "level at the click: {at:?} vs {p:?}"
    );
    assert!(
        h.state_mut().drawings_mut().take_changed().is_some(),
        "saved like any edit"
    );
    assert!(h.query_by_label("Add level here").is_none(), "menu closed");

    // Copy price: the price at the pointer goes to the clipboard, without separators.
    let q = p + vec2(40.0, 60.0);
    right_click(&mut h, q);
    let button = h.get_by_label_contains("Copy price");
    let label = button.accesskit_node().label().unwrap();
    button.click();
    let mut copied = None;
    for _ in 0..4 {
        h.step();
        for c in &h.output().platform_output.commands {
            if let egui::OutputCommand::CopyText(t) = c {
                copied = Some(t.clone());
            }
        }
    }
    let copied = copied.expect("a price was copied");
    let value: f64 = copied.parse().unwrap();
    assert_eq!(
        label,
        format!("Copy price {}", wickview::ui::chart::format_price(value))
    );
    assert!(!copied.contains(','), "{copied}");

    // Reset view: back to the range preset after a pan (away from the level, which a drag
    // would move).
    let from = pos2(SIZE.0 * 0.3, SIZE.1 * 0.5);
    drag(&mut h, from, from + vec2(300.0, 0.0));
    assert_ne!(
        h.state().view(),
        wickview::ui::chart::RangePreset::M1.view(s.days())
    );
    right_click(&mut h, pos2(SIZE.0 * 0.3, SIZE.1 * 0.25));
    h.get_by_label("Reset view").click();
    h.run_steps(2);
    assert_eq!(
        h.state().view(),
        wickview::ui::chart::RangePreset::M1.view(s.days())
    );
}

#[test]
fn drawing_menu_restyles_extends_labels_and_deletes() {
    let (mut h, s) = gspc(&[]);
    let n = s.len();
    let (a, b) = (s.days()[n - 15], s.days()[n - 5]);
    let (pa, pb) = (s.close()[n - 15], s.close()[n - 5]);
    h.state_mut().drawings_mut().add(Drawing::new(
        0,
        DrawingKind::TrendLine,
        vec![Anchor::new(a, pa), Anchor::new(b, pb)],
    ));
    h.state_mut().drawings_mut().select(None);
    h.state_mut().drawings_mut().take_changed();
    h.run_steps(2);
    let id = h.state().drawings().drawings()[0].id;
    let mid = {
        let (sa, sb) = (
            h.state().screen_pos(a, pa).unwrap(),
            h.state().screen_pos(b, pb).unwrap(),
        );
        sa + (sb - sa) * 0.5
    };
    right_click(&mut h, mid);
    assert_eq!(
        h.state().drawings().selected(),
        Some(id),
        "the drawing is picked"
    );
    assert!(
        h.query_by_label("Add level here").is_none(),
        "the drawing's menu, not the chart's"
    );

    h.get_by_label("Extend").click();
    h.run_steps(2);
    assert_eq!(h.state().drawings().drawings()[0].kind, DrawingKind::Ray);

    h.get_by_role(egui::accesskit::Role::TextInput).focus();
    h.run_steps(1);
    h.get_by_role(egui::accesskit::Role::TextInput)
        .type_text("breakout");
    h.run_steps(2);
    assert_eq!(h.state().drawings().drawings()[0].text, "breakout");
    let changed = h.state_mut().drawings_mut().take_changed().unwrap();
    assert_eq!(changed[0].text, "breakout", "handed over to be saved");

    // One undo step for the label typed, one for the extension.
    h.state_mut().drawings_mut().undo();
    assert_eq!(h.state().drawings().drawings()[0].text, "");
    assert_eq!(h.state().drawings().drawings()[0].kind, DrawingKind::Ray);
    h.state_mut().drawings_mut().redo();
    h.run_steps(1);

    // Delete from the menu (still open on the drawing).
    h.get_by_label("Delete").click();
    h.run_steps(2);
    assert!(h.state().drawings().drawings().is_empty());
    assert!(
        h.state_mut()
            .drawings_mut()
            .take_changed()
            .unwrap()
            .is_empty()
    );
}

/// The colour of the pixel at `p` (points) of `img`.
fn pixel(img: &image::RgbaImage, p: Pos2) -> [u8; 3] {
    let scale = img.width() as f32 / SIZE.0;
    let px = img.get_pixel((p.x * scale) as u32, (p.y * scale) as u32);
    [px[0], px[1], px[2]]
}

fn close_to(c: [u8; 3], want: egui::Color32, tol: i32) -> bool {
    let w = [want.r(), want.g(), want.b()];
    c.iter()
        .zip(w)
        .all(|(a, b)| (i32::from(*a) - i32::from(b)).abs() <= tol)
}

fn distance(a: [u8; 3], b: [u8; 3]) -> i32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (i32::from(*x) - i32::from(y)).abs())
        .sum()
}

/// Each chart type draws what it is, checked on the rendered image at bars whose open and
/// close lie far apart on screen: candles fill their bodies; OHLC bars have the open and
/// close ticks and no body; the line passes through the close with no body; the area is
/// filled below the line and not above the highest high.
#[test]
fn chart_types_draw_their_own_pixels() {
    let (mut h, s) = gspc(&[]);
    let colors = CandleColors::WESTERN;
    let n = s.len();
    let range = h.state().view().bar_range(n);
    h.remove_cursor();
    h.run_steps(2);
    let screen = |h: &Harness<'_, CandleChart>, i: usize, price: f64| {
        h.state().screen_pos(s.days()[i], price).unwrap()
    };
    let spacing = screen(&h, range.start + 1, 0.0).x - screen(&h, range.start, 0.0).x;
    assert!(spacing > 20.0, "bars wide enough to look inside: {spacing}");
    // Bars (not the first or last in view) with at least 12 points between open and close.
    let bars: Vec<usize> = (range.start + 1..range.end - 1)
        .filter(|&i| {
            let b = s.bar(i).unwrap();
            (screen(&h, i, b.open).y - screen(&h, i, b.close).y).abs() >= 12.0
        })
        .collect();
    assert!(bars.len() >= 3, "tall bodies to test: {bars:?}");
    let colour = |i: usize| {
        let b = s.bar(i).unwrap();
        if b.close >= b.open {
            colors.up
        } else {
            colors.down
        }
    };
    let render = |h: &mut Harness<'_, CandleChart>, t: ChartType| {
        h.state_mut().set_chart_type(t);
        h.run_steps(3);
        assert_eq!(h.state().chart_type(), t);
        h.render().unwrap()
    };

    // Screen positions under each type's own fit: candles and bars fit the highs and lows,
    // line and area the closes.
    let at = |h: &Harness<'_, CandleChart>, i: usize| {
        let b = s.bar(i).unwrap();
        let (o, c) = (screen(h, i, b.open), screen(h, i, b.close));
        (o.x, o.y, c.y)
    };
    let candles = render(&mut h, ChartType::Candles);
    let bar_pos: Vec<_> = bars.iter().map(|&i| at(&h, i)).collect();
    let ohlc = render(&mut h, ChartType::Ohlc);
    assert_eq!(bars.iter().map(|&i| at(&h, i)).collect::<Vec<_>>(), bar_pos);
    let line = render(&mut h, ChartType::Line);
    let area = render(&mut h, ChartType::Area);
    let close_pos: Vec<_> = bars.iter().map(|&i| at(&h, i)).collect();
    if let Ok(dir) = std::env::var("WICKVIEW_TEST_IMAGES") {
        for (name, img) in [
            ("candles", &candles),
            ("ohlc", &ohlc),
            ("line", &line),
            ("area", &area),
        ] {
            img.save(Path::new(&dir).join(format!("{name}.png")))
                .unwrap();
        }
    }
    for (k, &i) in bars.iter().enumerate() {
        let (x, y_open, y_close) = bar_pos[k];
        let body = pos2(x + 0.22 * spacing, 0.5 * (y_open + y_close));
        assert!(
            close_to(pixel(&candles, body), colour(i), 40),
            "candle body at bar {i}"
        );
        assert!(
            !close_to(pixel(&ohlc, body), colour(i), 60),
            "OHLC has no body at bar {i}"
        );
        let open_tick = pos2(x - 0.22 * spacing, y_open);
        let close_tick = pos2(x + 0.22 * spacing, y_close);
        assert!(
            close_to(pixel(&ohlc, open_tick), colour(i), 40),
            "open tick at bar {i}"
        );
        assert!(
            close_to(pixel(&ohlc, close_tick), colour(i), 40),
            "close tick at bar {i}"
        );

        let (x, y_open, y_close) = close_pos[k];
        let body = pos2(x + 0.22 * spacing, 0.5 * (y_open + y_close));
        assert!(
            !close_to(pixel(&line, body), colour(i), 60),
            "line has no body at bar {i}"
        );
        assert!(
            close_to(pixel(&line, pos2(x, y_close)), theme::CLOSE_LINE, 50),
            "the line through the close at bar {i}: {:?}",
            pixel(&line, pos2(x, y_close))
        );
        // Below the close: filled in the area chart, empty in the line chart.
        let below = pos2(x, y_close + 8.0);
        let (filled, empty) = (pixel(&area, below), pixel(&line, below));
        assert!(
            distance(filled, empty) > 30,
            "area filled at bar {i}: {filled:?} vs {empty:?}"
        );
        assert!(
            filled[2] > empty[2],
            "tinted with the line's blue: {filled:?} vs {empty:?}"
        );
    }
    // Above every close: nothing is filled.
    let top_close = s.close()[range.clone()]
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    let above = pos2(close_pos[0].0, screen(&h, bars[0], top_close).y - 6.0);
    let (a, l) = (pixel(&area, above), pixel(&line, above));
    assert!(
        distance(a, l) < 10,
        "nothing above the line: {a:?} vs {l:?}"
    );
}

//! Keyboard control of a chart: ←/→ pan by a bar (Shift: by a screen), ↑/↓ or +/− zoom
//! around the last bar, Home/End, number keys for the range buttons, d/w/m for daily, weekly
//! or monthly bars, and the drawing keys (Esc, Delete, Ctrl+Z, Ctrl+Shift+Z). Keys never
//! fire while a text field has focus.

use egui::{Key, Modifiers};

use super::ZOOM_PER_NOTCH;
use super::time_axis::{RangePreset, XView};
use crate::compute::Interval;

/// A chart command read from the keyboard.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ChartKey {
    /// Pan by this many bars (negative: back in time).
    PanBars(f64),
    /// Pan by this many screen widths.
    PanScreens(f64),
    /// Zoom by this factor (> 1 zooms in) around the last bar.
    Zoom(f64),
    /// Show the first bar at the left edge.
    Home,
    /// Show the last bar at the right edge.
    End,
    /// A range button.
    Range(RangePreset),
    /// Cancel the drawing in progress (or the selection).
    Cancel,
    /// Delete the selected drawing.
    Delete,
    /// Undo the last drawing change.
    Undo,
    /// Redo the last undone drawing change.
    Redo,
    /// Daily, weekly or monthly bars.
    Interval(Interval),
}

/// The number keys, in range-button order: 1 → 1W … 9 → 10Y, 0 → Max.
pub const RANGE_KEYS: [(Key, RangePreset); 10] = [
    (Key::Num1, RangePreset::W1),
    (Key::Num2, RangePreset::M1),
    (Key::Num3, RangePreset::M3),
    (Key::Num4, RangePreset::M6),
    (Key::Num5, RangePreset::Ytd),
    (Key::Num6, RangePreset::Y1),
    (Key::Num7, RangePreset::Y3),
    (Key::Num8, RangePreset::Y5),
    (Key::Num9, RangePreset::Y10),
    (Key::Num0, RangePreset::Max),
];

/// Every chart key with what it does, for the help overlay. Plain ASCII: the bundled
/// fonts draw arrow glyphs (← →) as specks, so keys are named in words.
pub const CHART_KEY_HELP: [(&str, &str); 12] = [
    ("Left / Right", "pan by one bar"),
    ("Shift + Left / Right", "pan by one screen"),
    ("Up / Down, + / -", "zoom in / out around the last bar"),
    ("Home / End", "go to the first / last bar"),
    (
        "1 to 9, 0",
        "range 1W, 1M, 3M, 6M, YTD, 1Y, 3Y, 5Y, 10Y, Max",
    ),
    ("d / w / m", "daily, weekly or monthly bars"),
    ("Esc", "cancel the drawing or measure in progress"),
    ("Delete", "delete the selected drawing"),
    ("Ctrl + Z", "undo a drawing change"),
    ("Ctrl + Shift + Z", "redo"),
    ("Drag", "pan; wheel zooms around the pointer"),
    (
        "Click a drawing",
        "select it; drag it or its handles to move",
    ),
];

/// Reads (and consumes) this frame's chart keys; none while a text field has focus.
pub fn chart_keys(ctx: &egui::Context) -> Vec<ChartKey> {
    if ctx.text_edit_focused() {
        return Vec::new();
    }
    ctx.input_mut(|i| {
        let mut out = Vec::new();
        // Most specific shortcuts first: consume_key ignores extra Shift.
        if i.consume_key(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z)
            || i.consume_key(Modifiers::COMMAND, Key::Y)
        {
            out.push(ChartKey::Redo);
        }
        if i.consume_key(Modifiers::COMMAND, Key::Z) {
            out.push(ChartKey::Undo);
        }
        for (dir, key) in [(-1.0, Key::ArrowLeft), (1.0, Key::ArrowRight)] {
            let screens = i.count_and_consume_key(Modifiers::SHIFT, key);
            for _ in 0..screens {
                out.push(ChartKey::PanScreens(dir));
            }
            for _ in 0..i.count_and_consume_key(Modifiers::NONE, key) {
                out.push(ChartKey::PanBars(dir));
            }
        }
        for key in [Key::ArrowUp, Key::Plus, Key::Equals] {
            for _ in 0..i.count_and_consume_key(Modifiers::NONE, key) {
                out.push(ChartKey::Zoom(ZOOM_PER_NOTCH));
            }
        }
        for key in [Key::ArrowDown, Key::Minus] {
            for _ in 0..i.count_and_consume_key(Modifiers::NONE, key) {
                out.push(ChartKey::Zoom(1.0 / ZOOM_PER_NOTCH));
            }
        }
        if i.consume_key(Modifiers::NONE, Key::Home) {
            out.push(ChartKey::Home);
        }
        if i.consume_key(Modifiers::NONE, Key::End) {
            out.push(ChartKey::End);
        }
        for (key, preset) in RANGE_KEYS {
            if i.consume_key(Modifiers::NONE, key) {
                out.push(ChartKey::Range(preset));
            }
        }
        for (key, interval) in [
            (Key::D, Interval::Daily),
            (Key::W, Interval::Weekly),
            (Key::M, Interval::Monthly),
        ] {
            if i.consume_key(Modifiers::NONE, key) {
                out.push(ChartKey::Interval(interval));
            }
        }
        if i.consume_key(Modifiers::NONE, Key::Escape) {
            out.push(ChartKey::Cancel);
        }
        if i.consume_key(Modifiers::NONE, Key::Delete)
            || i.consume_key(Modifiers::NONE, Key::Backspace)
        {
            out.push(ChartKey::Delete);
        }
        out
    })
}

/// The view after a navigation key over `n` bars (`None` for keys that are not about
/// the view). `days` are the bars' days (for the range keys).
pub fn apply_view_key(key: ChartKey, view: XView, days: &[chrono::NaiveDate]) -> Option<XView> {
    let n = days.len();
    let last_bar_edge = n as f64 - 0.5;
    Some(match key {
        ChartKey::PanBars(bars) => view.panned(bars, n),
        ChartKey::PanScreens(screens) => view.panned(screens * view.width(), n),
        // Around the last bar: the right edge stays put when the last bar is shown.
        ChartKey::Zoom(factor) => view.zoomed(factor, last_bar_edge.min(view.end), n),
        ChartKey::Home => view.panned(-0.5 - view.start, n),
        ChartKey::End => view.panned(last_bar_edge - view.end, n),
        ChartKey::Range(preset) => preset.view(days),
        ChartKey::Cancel
        | ChartKey::Delete
        | ChartKey::Undo
        | ChartKey::Redo
        | ChartKey::Interval(_) => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn days(n: usize) -> Vec<chrono::NaiveDate> {
        let start = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
        (0..n)
            .map(|i| start + chrono::Days::new(i as u64))
            .collect()
    }

    #[test]
    fn navigation_keys_move_the_view_as_specified() {
        let d = days(1000);
        let view = XView {
            start: 499.5,
            end: 599.5,
        };
        let k = |key| apply_view_key(key, view, &d).unwrap();
        assert_eq!(
            k(ChartKey::PanBars(-1.0)),
            XView {
                start: 498.5,
                end: 598.5
            }
        );
        assert_eq!(
            k(ChartKey::PanScreens(1.0)),
            XView {
                start: 599.5,
                end: 699.5
            }
        );
        let zoomed = k(ChartKey::Zoom(1.25));
        assert!((zoomed.width() - 80.0).abs() < 1e-9);
        assert!(
            (zoomed.end - 599.5).abs() < 1e-9,
            "the right edge stays: {zoomed:?}"
        );
        assert_eq!(
            k(ChartKey::Home),
            XView {
                start: -0.5,
                end: 99.5
            }
        );
        assert_eq!(
            k(ChartKey::End),
            XView {
                start: 899.5,
                end: 999.5
            }
        );
        assert_eq!(k(ChartKey::Range(RangePreset::Max)), XView::full(1000));
        assert_eq!(apply_view_key(ChartKey::Undo, view, &d), None);
        // At the last bar, zooming keeps the last bar at the right edge.
        let at_end = XView {
            start: 899.5,
            end: 999.5,
        };
        let z = apply_view_key(ChartKey::Zoom(2.0), at_end, &d).unwrap();
        assert_eq!(
            z,
            XView {
                start: 949.5,
                end: 999.5
            }
        );
    }
}

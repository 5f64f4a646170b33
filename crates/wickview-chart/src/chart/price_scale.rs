//! The price axis's scale: fitted to the visible bars (auto) or set by hand. Dragging
//! vertically on the price axis stretches (up) or compresses (down) the price range around
//! its centre and turns auto off; a double-click on the axis, or the *Auto* toggle, turns it
//! back on. "Scale on candles only" makes the autoscale fit the bars alone, so long moving
//! averages and overlays far from the prices no longer squeeze the candles.

use egui::{Rect, Sense};

/// Points of vertical drag that double (down) or halve (up) the price span.
const DRAG_POINTS_PER_DOUBLING: f64 = 120.0;
/// The narrowest span a drag may reach, relative to the centre's size (or absolute near 0).
const MIN_RELATIVE_SPAN: f64 = 1e-9;
/// The widest span a drag may reach.
const MAX_SPAN: f64 = 1e15;

/// How the price pane's y range is chosen.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PriceScale {
    /// The y range set by hand, in plotted units (log10 of the price on a log axis);
    /// `None` while the scale is automatic.
    manual: Option<(f64, f64)>,
    /// Whether the autoscale fits the bars only (not the moving averages and overlays).
    candles_only: bool,
}

impl Default for PriceScale {
    fn default() -> Self {
        Self {
            manual: None,
            candles_only: true,
        }
    }
}

impl PriceScale {
    /// Whether the y range follows the visible bars.
    pub fn is_auto(&self) -> bool {
        self.manual.is_none()
    }

    /// Back to the autoscale.
    pub fn set_auto(&mut self) {
        self.manual = None;
    }

    /// Turns the autoscale off, keeping `current` (the range shown) fixed.
    pub fn freeze(&mut self, current: (f64, f64)) {
        if usable(current) {
            self.manual = Some(current);
        }
    }

    /// The range set by hand, if any (plotted units).
    pub fn manual(&self) -> Option<(f64, f64)> {
        self.manual
    }

    /// Whether the autoscale fits the bars only.
    pub fn candles_only(&self) -> bool {
        self.candles_only
    }

    /// Makes the autoscale fit the bars only (`true`) or the overlays too.
    pub fn set_candles_only(&mut self, on: bool) {
        self.candles_only = on;
    }

    /// The y range to show: the one set by hand, else `fitted`.
    pub fn shown(&self, fitted: Option<(f64, f64)>) -> Option<(f64, f64)> {
        self.manual.or(fitted)
    }

    /// Applies a vertical drag of `dy` points (down > 0) on the axis to `current`: the span
    /// grows (down) or shrinks (up) around its centre, and the scale is manual from then on.
    pub fn drag(&mut self, current: (f64, f64), dy: f32) {
        if let Some(r) = stretched(self.manual.unwrap_or(current), f64::from(dy)) {
            self.manual = Some(r);
        }
    }

    /// Handles the pointer on the price axis (`rect`, right of the plot frame): a vertical
    /// drag stretches the scale, a double-click returns to auto. `current` is the range
    /// shown. Whether the scale changed.
    pub fn axis_ui(
        &mut self,
        ui: &egui::Ui,
        id: egui::Id,
        rect: Rect,
        current: Option<(f64, f64)>,
    ) -> bool {
        if !rect.is_positive() {
            return false;
        }
        let response = ui.interact(rect, id, Sense::click_and_drag());
        response
            .widget_info(|| egui::WidgetInfo::labeled(egui::Role::Splitter, true, "Price scale"));
        if response.hovered() || response.dragged() {
            ui.ctx().set_cursor_icon(egui::CursorIcon::ResizeVertical);
        }
        let response = response
            .on_hover_text("Drag up or down to stretch the price scale; double-click for auto");
        if response.double_clicked() {
            let changed = !self.is_auto();
            self.set_auto();
            return changed;
        }
        let dy = response.drag_delta().y;
        if response.dragged()
            && dy != 0.0
            && let Some(current) = current
        {
            let before = self.manual;
            self.drag(current, dy);
            return self.manual != before;
        }
        false
    }

    /// The *Auto* toggle (lit while the scale is automatic); `current` is the range shown,
    /// kept when auto is switched off. Whether it changed.
    pub fn auto_toggle_ui(&mut self, ui: &mut egui::Ui, current: Option<(f64, f64)>) -> bool {
        let auto = self.is_auto();
        let clicked = ui
            .selectable_label(auto, "Auto")
            .on_hover_text(if auto {
                "Price scale fits the visible bars; drag the price axis to set it by hand"
            } else {
                "Price scale set by hand: click (or double-click the price axis) to fit the bars"
            })
            .clicked();
        if !clicked {
            return false;
        }
        if auto {
            if let Some(c) = current {
                self.freeze(c);
            }
        } else {
            self.set_auto();
        }
        true
    }
}

fn usable((lo, hi): (f64, f64)) -> bool {
    lo.is_finite() && hi.is_finite() && hi > lo
}

/// `range` with its span multiplied by 2^(dy / [`DRAG_POINTS_PER_DOUBLING`]) around its
/// centre; `None` for an unusable range or a result out of bounds.
pub fn stretched(range: (f64, f64), dy: f64) -> Option<(f64, f64)> {
    if !usable(range) || !dy.is_finite() {
        return None;
    }
    let (lo, hi) = range;
    let centre = 0.5 * (lo + hi);
    let half = 0.5 * (hi - lo) * (dy / DRAG_POINTS_PER_DOUBLING).exp2();
    let min_half = 0.5 * MIN_RELATIVE_SPAN * centre.abs().max(1e-6);
    let half = half.clamp(min_half, 0.5 * MAX_SPAN);
    let out = (centre - half, centre + half);
    usable(out).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drag_up_stretches_and_down_compresses_around_the_centre() {
        let r = (90.0, 110.0);
        let (lo, hi) = stretched(r, -120.0).unwrap();
        assert!(
            (lo - 95.0).abs() < 1e-9 && (hi - 105.0).abs() < 1e-9,
            "{lo}..{hi}"
        );
        let (lo, hi) = stretched(r, 120.0).unwrap();
        assert!(
            (lo - 80.0).abs() < 1e-9 && (hi - 120.0).abs() < 1e-9,
            "{lo}..{hi}"
        );
        assert_eq!(stretched(r, 0.0), Some(r));
        assert_eq!(stretched((1.0, 1.0), 10.0), None);
        assert_eq!(stretched((f64::NAN, 1.0), 10.0), None);
        // Never collapses to nothing or explodes.
        let (lo, hi) = stretched(r, -1e6).unwrap();
        assert!(hi > lo && (0.5 * (lo + hi) - 100.0).abs() < 1e-6);
        let (lo, hi) = stretched(r, 1e6).unwrap();
        assert!(hi - lo <= MAX_SPAN && hi.is_finite());
    }

    #[test]
    fn manual_range_wins_until_auto() {
        let mut s = PriceScale::default();
        assert!(s.is_auto());
        assert!(s.candles_only(), "on by default");
        let fitted = Some((10.0, 20.0));
        assert_eq!(s.shown(fitted), fitted);
        s.drag((10.0, 20.0), 120.0);
        assert!(!s.is_auto());
        assert_eq!(s.shown(fitted), Some((5.0, 25.0)));
        // A second drag starts from the manual range, not the fitted one.
        s.drag((0.0, 1.0), -120.0);
        assert_eq!(s.shown(Some((0.0, 1.0))), Some((10.0, 20.0)));
        s.set_auto();
        assert_eq!(s.shown(Some((1.0, 2.0))), Some((1.0, 2.0)));
        s.freeze((3.0, 4.0));
        assert_eq!(s.manual(), Some((3.0, 4.0)));
        s.set_auto();
        s.freeze((4.0, 3.0));
        assert!(s.is_auto(), "an empty range is not frozen");
    }
}

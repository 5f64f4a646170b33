//! The price pane's context menu (right click). On the chart: reset the view, copy the price
//! at the pointer, add a horizontal level there, and switch "scale on candles only". On a
//! drawing: its colour, width, extension (trend lines and rays), label (a note's text) and
//! delete. Drawing edits go through the [`DrawingLayer`], so they are undoable and saved
//! like every other drawing edit.

use egui::{Color32, Vec2};

use super::drawings::{DrawingLayer, Geometry, PALETTE, Tool};
use super::format_price;
use crate::model::{Anchor, DrawingKind, MAX_DRAWING_WIDTH, MAX_NOTE_CHARS};

/// What the menu was opened on.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Target {
    /// The chart, at this day and price.
    Chart(Anchor),
    /// A drawing, by id.
    Drawing(i64),
}

/// What the chart must do after a choice of the chart menu (drawing edits are made in the
/// layer directly).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum MenuAction {
    /// Back to the range preset and the autoscale.
    ResetView,
    /// Autoscale on the bars only (`true`) or the overlays too.
    CandlesOnly(bool),
}

/// The menu's state between frames.
#[derive(Debug, Default)]
pub(crate) struct ContextMenu {
    target: Option<Target>,
    /// A label or width edit of this opening is under way: later keystrokes join its undo step.
    editing_label: bool,
    editing_width: bool,
    /// Whether the menu was shown in the last frame.
    open: bool,
}

impl ContextMenu {
    /// Opens the menu on a secondary click of the price pane (`response`), on the drawing
    /// under the pointer or else on the chart, and shows it while it is open. Returns what
    /// the chart must do.
    pub(crate) fn ui(
        &mut self,
        response: &egui::Response,
        g: &Geometry<'_>,
        layer: &mut DrawingLayer,
        candles_only: bool,
    ) -> Option<MenuAction> {
        if response.secondary_clicked()
            && let Some(pos) = response.interact_pointer_pos()
        {
            self.editing_label = false;
            self.editing_width = false;
            self.target = match layer.drawing_at(pos, g) {
                Some(id) => {
                    layer.select(Some(id));
                    Some(Target::Drawing(id))
                }
                None => g.anchor_at(pos, false).map(|(a, _)| Target::Chart(a)),
            };
        }
        let Some(target) = self.target else {
            self.open = false;
            return None;
        };
        let mut action = None;
        // Clicks inside keep it open (colours, width, label); its buttons close it.
        self.open = egui::Popup::context_menu(response)
            .close_behavior(egui::PopupCloseBehavior::CloseOnClickOutside)
            .show(|ui| match target {
                Target::Chart(at) => action = chart_menu(ui, at, layer, candles_only),
                Target::Drawing(id) => self.drawing_menu(ui, id, layer),
            })
            .is_some();
        action
    }

    fn drawing_menu(&mut self, ui: &mut egui::Ui, id: i64, layer: &mut DrawingLayer) {
        let Some(d) = layer.drawings().iter().find(|d| d.id == id).cloned() else {
            ui.close();
            return;
        };
        ui.label(egui::RichText::new(d.kind.label()).strong());
        ui.horizontal(|ui| {
            ui.label("Colour");
            for c in PALETTE {
                let fill = Color32::from_rgba_unmultiplied(c[0], c[1], c[2], c[3]);
                let button = egui::Button::new("")
                    .fill(fill)
                    .min_size(Vec2::splat(16.0))
                    .selected(c == d.color);
                if ui.add(button).clicked() {
                    layer.edit_drawing(id, false, |d| d.color = c);
                }
            }
        });
        let mut width = d.width;
        if ui
            .add(
                egui::DragValue::new(&mut width)
                    .range(0.5..=MAX_DRAWING_WIDTH)
                    .speed(0.1)
                    .prefix("Width "),
            )
            .changed()
        {
            layer.edit_drawing(id, self.editing_width, |d| d.width = width);
            self.editing_width = true;
        }
        if matches!(d.kind, DrawingKind::TrendLine | DrawingKind::Ray) {
            let mut extend = d.kind == DrawingKind::Ray;
            if ui
                .checkbox(&mut extend, "Extend")
                .on_hover_text("Extend the line past its second point to the chart's edge")
                .changed()
            {
                layer.edit_drawing(id, false, |d| {
                    d.kind = if extend {
                        DrawingKind::Ray
                    } else {
                        DrawingKind::TrendLine
                    };
                });
            }
        }
        ui.horizontal(|ui| {
            ui.label(if d.kind == DrawingKind::Text {
                "Text"
            } else {
                "Label"
            });
            let mut text = d.text.clone();
            let edit = egui::TextEdit::singleline(&mut text)
                .id_salt(("drawing_label", id))
                .char_limit(MAX_NOTE_CHARS)
                .desired_width(150.0);
            if ui.add(edit).changed() {
                layer.edit_drawing(id, self.editing_label, |d| d.text = text);
                self.editing_label = true;
            }
        });
        ui.separator();
        if ui.button("Delete").clicked() {
            layer.delete(id);
            self.target = None;
            ui.close();
        }
    }
}

/// The chart's menu at `at` (day and price under the pointer).
fn chart_menu(
    ui: &mut egui::Ui,
    at: Anchor,
    layer: &mut DrawingLayer,
    candles_only: bool,
) -> Option<MenuAction> {
    let mut action = None;
    if ui
        .button("Reset view")
        .on_hover_text("Back to the range preset and the automatic price scale")
        .clicked()
    {
        action = Some(MenuAction::ResetView);
        ui.close();
    }
    if ui
        .button(format!("Copy price {}", format_price(at.price)))
        .clicked()
    {
        ui.ctx().copy_text(plain_price(at.price));
        ui.close();
    }
    if ui
        .add_enabled(layer.is_ready(), egui::Button::new("Add level here"))
        .on_hover_text(format!("A horizontal level at {}", format_price(at.price)))
        .clicked()
    {
        layer.set_tool(Tool::Select);
        layer.add_styled(DrawingKind::Level, vec![at]);
        ui.close();
    }
    ui.separator();
    let mut on = candles_only;
    if ui
        .checkbox(&mut on, "Scale on candles only")
        .on_hover_text("The automatic price scale fits the bars, not the moving averages")
        .changed()
    {
        action = Some(MenuAction::CandlesOnly(on));
    }
    action
}

/// A price as a spreadsheet reads it: the decimals shown on the chart, no thousands separators.
pub(crate) fn plain_price(price: f64) -> String {
    format_price(price).replace(',', "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copied_prices_have_no_separators() {
        assert_eq!(plain_price(53_400.0), "53400");
        assert_eq!(plain_price(1_380.254), "1380.25");
        assert_eq!(plain_price(1.08451), "1.0845");
    }
}

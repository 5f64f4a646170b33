//! The legend of a pane: one transparent line of text at the pane's top-left (wrapping only
//! when the pane is too narrow), clipped to the pane, with each line's name and its value at
//! the crosshair (the last bar's when the pointer is elsewhere) in the line's colour. A small
//! triangle folds it (the price pane) or collapses the pane (indicator panes); clicking a name
//! hides or shows that line.

use egui::{Color32, FontId, Pos2, Rect, Sense, Stroke, Vec2, pos2, vec2};

/// Font size of the legend text, in points.
const FONT_SIZE: f32 = 12.0;
/// Inset from the pane's top-left corner.
const INSET: Vec2 = vec2(4.0, 2.0);
/// Room between entries.
const ENTRY_GAP: f32 = 10.0;
/// Width of the fold toggle.
const TOGGLE_W: f32 = 14.0;

/// One line of the legend.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct LegendEntry {
    /// The line's name (what hides it).
    pub name: String,
    /// Shown before the value (an indicator's only line shows its value alone).
    pub show_name: bool,
    /// Its value at the crosshair day, formatted.
    pub value: String,
    /// The line's colour.
    pub color: Color32,
    /// Hidden by a click.
    pub hidden: bool,
}

/// A pane's legend.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Legend {
    /// The pane's title (the ticker, the indicator and its parameters).
    pub title: String,
    /// Text after the title in the text colour (the day's OHLC in the price pane).
    pub detail: String,
    /// The lines.
    pub entries: Vec<LegendEntry>,
    /// Folded: the toggle and the title only.
    pub folded: bool,
    /// The toggle's triangle points down (open) or right (folded, or a collapsed pane).
    pub expanded: bool,
    /// What the toggle does, for screen readers (`Fold legend`, `Collapse RSI pane`).
    pub toggle_label: String,
}

impl Legend {
    /// The legend as one line of text, as painted (tests and screen readers).
    pub(crate) fn text(&self) -> String {
        let mut parts = vec![self.title.clone()];
        if !self.folded {
            if !self.detail.is_empty() {
                parts.push(self.detail.clone());
            }
            for e in &self.entries {
                parts.push(match (e.show_name, e.hidden) {
                    (_, true) => format!("{} (hidden)", e.name),
                    (true, false) => format!("{} {}", e.name, e.value),
                    (false, false) => e.value.clone(),
                });
            }
        }
        parts.join("  ")
    }
}

/// What a click on the legend asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum LegendClick {
    /// The fold (or collapse) toggle.
    Toggle,
    /// The entry of this name: hide or show its line.
    Entry(String),
}

/// The most of its pane's height a legend covers (it keeps at least one line).
const MAX_LEGEND_SHARE: f32 = 0.3;

/// Draws `legend` at the top-left of `frame`, clipped to `frame` and `clip` (a scroll
/// area's visible part); returns what was clicked this frame and the rect the legend
/// covers.
pub(crate) fn show(
    ui: &mut egui::Ui,
    id: egui::Id,
    legend: &Legend,
    frame: Rect,
    clip: Rect,
) -> (Option<LegendClick>, Rect) {
    let clip = frame.intersect(clip);
    if !clip.is_positive() {
        return (None, Rect::NOTHING);
    }
    let painter = ui.painter().with_clip_rect(clip);
    let font = FontId::proportional(FONT_SIZE);
    let text_color = ui.visuals().text_color();
    let strong = ui.visuals().strong_text_color();
    let row_h = ui.ctx().fonts_mut(|f| f.row_height(&font));
    let right = frame.right() - INSET.x;
    let mut clicked = None;

    // The toggle: a triangle pointing down (open) or right (folded).
    let toggle = Rect::from_min_size(frame.min + INSET, vec2(TOGGLE_W, row_h));
    let response = ui
        .interact(toggle.intersect(clip), id.with("toggle"), Sense::click())
        .on_hover_cursor(egui::CursorIcon::PointingHand);
    response.widget_info(|| {
        egui::WidgetInfo::selected(
            egui::Role::Button,
            true,
            legend.expanded,
            &legend.toggle_label,
        )
    });
    if response.clicked() {
        clicked = Some(LegendClick::Toggle);
    }
    let c = toggle.center();
    let tri_color = if response.hovered() {
        strong
    } else {
        text_color
    };
    let s = 3.5;
    let points = if !legend.expanded {
        vec![
            pos2(c.x - s * 0.6, c.y - s),
            pos2(c.x + s, c.y),
            pos2(c.x - s * 0.6, c.y + s),
        ]
    } else {
        vec![
            pos2(c.x - s, c.y - s * 0.6),
            pos2(c.x + s, c.y - s * 0.6),
            pos2(c.x, c.y + s),
        ]
    };
    painter.add(egui::Shape::convex_polygon(points, tri_color, Stroke::NONE));

    let mut pos = pos2(toggle.right() + 2.0, toggle.top());
    // A legend never covers more than a fraction of its pane: in a short pane (a cell of a
    // 2x2 layout) it keeps to one line, and what does not fit is counted as "+N".
    let max_rows = ((frame.height() * MAX_LEGEND_SHARE) / row_h)
        .floor()
        .max(1.0);
    let last_row_top = toggle.top() + (max_rows - 1.0) * row_h;
    let place = |pos: &mut Pos2, width: f32| -> Option<Pos2> {
        if pos.x + width > right && pos.x > toggle.right() + 2.0 {
            if pos.y + row_h > last_row_top + 0.5 {
                return None;
            }
            *pos = pos2(toggle.right() + 2.0, pos.y + row_h);
        }
        let at = *pos;
        pos.x += width + ENTRY_GAP;
        Some(at)
    };
    let more_width = painter
        .layout_no_wrap("+99".to_owned(), font.clone(), text_color)
        .size()
        .x
        + ENTRY_GAP;
    let title = painter.layout_no_wrap(legend.title.clone(), font.clone(), strong);
    let at = place(&mut pos, title.size().x).unwrap_or(pos);
    let mut area = toggle.union(Rect::from_min_size(at, title.size()));
    painter.galley(at, title, strong);
    if legend.folded {
        return (clicked, area);
    }
    if !legend.detail.is_empty() {
        let detail = painter.layout_no_wrap(legend.detail.clone(), font.clone(), text_color);
        let at = place(&mut pos, detail.size().x).unwrap_or(pos);
        area = area.union(Rect::from_min_size(at, detail.size()));
        painter.galley(at, detail, text_color);
    }
    let mut left_out = 0;
    for (k, entry) in legend.entries.iter().enumerate() {
        if left_out > 0 {
            left_out += 1;
            continue;
        }
        let color = if entry.hidden {
            entry.color.gamma_multiply(0.35)
        } else {
            entry.color
        };
        let text = match (entry.show_name, entry.hidden) {
            (true, true) => entry.name.clone(),
            (true, false) => format!("{} {}", entry.name, entry.value),
            (false, true) => format!("{} (hidden)", entry.name),
            (false, false) => entry.value.clone(),
        };
        let galley = painter.layout_no_wrap(text, font.clone(), color);
        // On the last row an entry leaves room for the "+N" of the entries after it.
        let on_last_row = pos.y + row_h > last_row_top + 0.5;
        let reserve = if on_last_row && k + 1 < legend.entries.len() {
            more_width
        } else {
            0.0
        };
        let Some(at) = place(&mut pos, galley.size().x + reserve) else {
            left_out = 1;
            continue;
        };
        let rect = Rect::from_min_size(at, galley.size());
        area = area.union(rect);
        painter.galley(at, galley, color);
        let visible = rect.intersect(clip);
        if !visible.is_positive() {
            continue;
        }
        let response = ui
            .interact(visible, id.with(("entry", k)), Sense::click())
            .on_hover_cursor(egui::CursorIcon::PointingHand);
        let label = if entry.hidden {
            entry.name.clone()
        } else {
            format!("{} {}", entry.name, entry.value)
        };
        response.widget_info(|| {
            egui::WidgetInfo::selected(egui::Role::CheckBox, true, !entry.hidden, &label)
        });
        if response.hovered() {
            painter.hline(rect.x_range(), rect.bottom(), Stroke::new(1.0, color));
        }
        if response.clicked() {
            clicked = Some(LegendClick::Entry(entry.name.clone()));
        }
    }
    if left_out > 0 {
        let more = painter.layout_no_wrap(format!("+{left_out}"), font, text_color);
        let at = pos2(pos.x.min(right - more.size().x), pos.y);
        area = area.union(Rect::from_min_size(at, more.size()));
        painter.galley(at, more, text_color);
    }
    (clicked, area)
}

/// Hides `name` in the plot `plot_id` if shown, shows it if hidden (the set the chart reads
/// back with [`super::hidden_in_legend`]).
pub(crate) fn toggle_hidden(ctx: &egui::Context, plot_id: egui::Id, name: &str) {
    if let Some(mut memory) = egui_plot::PlotMemory::load(ctx, plot_id) {
        let item = egui_plot::ItemId::new(name);
        if !memory.hidden_items.remove(&item) {
            memory.hidden_items.insert(item);
        }
        memory.store(ctx, plot_id);
    }
}

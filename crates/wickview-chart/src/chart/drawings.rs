//! Drawings on the price pane: levels, trend lines and rays, rectangles, Fibonacci
//! retracements, text notes, and the measure tool. Each drawing is anchored to (trading
//! day, price), so it stays put under zoom, pan, log scale and range changes; an optional
//! magnet snaps a placed point to the nearest open, high, low or close.
//!
//! The layer is app-free: it takes the series and the plot transform, and hands back what
//! the user changed ([`DrawingLayer::take_changed`]); the viewer persists it.

use chrono::NaiveDate;
use egui::{Align2, Color32, FontId, Pos2, Rect, Stroke, StrokeKind, Vec2};
use egui_plot::{PlotPoint, PlotTransform};

use crate::model::{Anchor, DailySeries, Drawing, DrawingKind, MAX_DRAWING_WIDTH, Measure};

use super::PriceFormat;

/// What a click or drag on the price pane does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    /// Select and move drawings; drag elsewhere pans.
    Select,
    /// Draw a new drawing of this kind.
    Draw(DrawingKind),
    /// Measure between two points (shown while dragging, not stored).
    Measure,
}

/// How near (points) the pointer must be to pick a drawing or a handle.
const PICK_DISTANCE: f32 = 6.0;
/// Radius of a selected drawing's handles.
const HANDLE_RADIUS: f32 = 4.5;

/// Colours offered for drawings; a new drawing takes the first, which no moving average,
/// band or candle has ([`crate::theme::DRAWING_DEFAULT`]).
pub const PALETTE: [[u8; 4]; 6] = [
    crate::theme::DRAWING_DEFAULT,
    [255, 193, 7, 255],
    [66, 165, 245, 255],
    [239, 83, 80, 255],
    [102, 187, 106, 255],
    [171, 71, 188, 255],
];

/// A drag in progress.
#[derive(Clone, Debug)]
enum Drag {
    /// A new two-anchor drawing from `first` to the pointer.
    Creating { kind: DrawingKind, first: Anchor },
    /// Moving drawing `id`: one anchor (`handle`) or all of them.
    Moving {
        id: i64,
        handle: Option<usize>,
        origin: PlotPoint,
        original: Drawing,
        before: Vec<Drawing>,
    },
    /// Measuring from `first` to the pointer.
    Measuring { first: Anchor },
}

/// The drawings of one chart and the state of the tools.
pub struct DrawingLayer {
    drawings: Vec<Drawing>,
    tool: Tool,
    selected: Option<i64>,
    drag: Option<Drag>,
    /// First point of a click-click drawing or measure.
    pending: Option<Anchor>,
    /// The last measure (from, to), shown until Esc or the next action.
    measure: Option<(Anchor, Anchor)>,
    pointer: Option<Anchor>,
    undo: Vec<Vec<Drawing>>,
    redo: Vec<Vec<Drawing>>,
    /// The highest id known for this ticker: loaded, stored (readable or not) or given to a
    /// drawing since (one deleted or undone too); new drawings take ids above it.
    id_floor: i64,
    magnet: bool,
    color: [u8; 4],
    width: f32,
    changed: bool,
    ready: bool,
    /// Where each text note was drawn last frame (to pick it).
    note_rects: Vec<(i64, Rect)>,
    note_edit_started: bool,
    /// Put the keyboard focus in the note editor on the next frame (a note was just placed).
    focus_note: bool,
    /// How the labels write prices (whole won).
    price_format: PriceFormat,
}

impl Default for DrawingLayer {
    fn default() -> Self {
        Self {
            drawings: Vec::new(),
            tool: Tool::Select,
            selected: None,
            drag: None,
            pending: None,
            measure: None,
            pointer: None,
            undo: Vec::new(),
            redo: Vec::new(),
            id_floor: 0,
            magnet: false,
            color: PALETTE[0],
            width: 1.5,
            changed: false,
            ready: true,
            note_rects: Vec::new(),
            note_edit_started: false,
            focus_note: false,
            price_format: PriceFormat::Auto,
        }
    }
}

/// Maps between (day, price) anchors, plot coordinates and the screen for one frame.
pub(crate) struct Geometry<'a> {
    /// The bars.
    pub series: &'a DailySeries,
    /// Whether the price axis is log10.
    pub log_y: bool,
    /// The plot's transform.
    pub transform: &'a PlotTransform,
}

impl Geometry<'_> {
    /// The x of `day`: its bar, or between the bars around it if it is not a trading day
    /// of this series.
    pub fn x_of(&self, day: NaiveDate) -> f64 {
        match self.series.days().binary_search(&day) {
            Ok(i) => i as f64,
            Err(i) => i as f64 - 0.5,
        }
    }

    fn y_of(&self, price: f64) -> f64 {
        if self.log_y {
            price.max(f64::MIN_POSITIVE).log10()
        } else {
            price
        }
    }

    fn price_of(&self, y: f64) -> f64 {
        if self.log_y { 10f64.powf(y) } else { y }
    }

    /// Screen position of an anchor.
    pub fn screen(&self, a: Anchor) -> Pos2 {
        self.transform
            .position_from_point(&PlotPoint::new(self.x_of(a.day), self.y_of(a.price)))
    }

    /// The bar index under screen x, clamped to the history.
    fn bar_at(&self, x: f64) -> Option<usize> {
        let n = self.series.len();
        if n == 0 || !x.is_finite() {
            return None;
        }
        Some(x.round().clamp(0.0, (n - 1) as f64) as usize)
    }

    /// The anchor under `pos` (its bar's day; the price, or with `magnet` the bar's
    /// nearest open/high/low/close on screen), with its bar index.
    pub fn anchor_at(&self, pos: Pos2, magnet: bool) -> Option<(Anchor, usize)> {
        let p = self.transform.value_from_position(pos);
        let i = self.bar_at(p.x)?;
        let day = self.series.days()[i];
        let mut price = self.price_of(p.y);
        if magnet && let Some(bar) = self.series.bar(i) {
            let nearest = [bar.open, bar.high, bar.low, bar.close]
                .into_iter()
                .min_by(|a, b| {
                    let da = (self.y_of(*a) - p.y).abs();
                    let db = (self.y_of(*b) - p.y).abs();
                    da.total_cmp(&db)
                });
            if let Some(v) = nearest {
                price = v;
            }
        }
        price.is_finite().then_some((Anchor::new(day, price), i))
    }

    fn bar_of(&self, day: NaiveDate) -> usize {
        let days = self.series.days();
        days.partition_point(|d| *d < day)
            .min(days.len().saturating_sub(1))
    }

    /// The measure from `a` to `b` (bars counted in this series).
    pub fn measure(&self, a: Anchor, b: Anchor) -> Measure {
        Measure::between(a, self.bar_of(a.day), b, self.bar_of(b.day))
    }
}

/// Distance from `p` to the segment `a`–`b`.
fn segment_distance(p: Pos2, a: Pos2, b: Pos2) -> f32 {
    let ab = b - a;
    let len2 = ab.length_sq();
    if len2 <= f32::EPSILON {
        return p.distance(a);
    }
    let t = ((p - a).dot(ab) / len2).clamp(0.0, 1.0);
    p.distance(a + ab * t)
}

/// The end of a ray from `a` through `b`, at the frame's right (or left) edge.
fn ray_end(a: Pos2, b: Pos2, frame: Rect) -> Pos2 {
    let d = b - a;
    if d.x.abs() <= f32::EPSILON {
        return b;
    }
    let edge = if d.x > 0.0 {
        frame.right()
    } else {
        frame.left()
    };
    let t = ((edge - a.x) / d.x).max(1.0);
    a + d * t
}

fn color32(c: [u8; 4]) -> Color32 {
    Color32::from_rgba_unmultiplied(c[0], c[1], c[2], c[3])
}

impl DrawingLayer {
    /// Writes the prices of levels, Fibonacci levels and measures as `format` says.
    pub fn set_price_format(&mut self, format: PriceFormat) {
        self.price_format = format;
    }

    /// The drawings, in id order.
    pub fn drawings(&self) -> &[Drawing] {
        &self.drawings
    }

    /// Replaces the drawings (e.g. loaded from the store): clears the selection and the
    /// undo history, and enables the tools.
    pub fn set_drawings(&mut self, mut drawings: Vec<Drawing>) {
        drawings.sort_by_key(|d| d.id);
        self.id_floor = drawings.iter().map(|d| d.id).max().unwrap_or(0);
        self.drawings = drawings;
        self.selected = None;
        self.drag = None;
        self.pending = None;
        self.measure = None;
        self.undo.clear();
        self.redo.clear();
        self.changed = false;
        self.ready = true;
    }

    /// New drawings take ids above `id` too (the highest id stored for the ticker, including
    /// records that could not be read: a new drawing must never replace one).
    pub fn keep_ids_above(&mut self, id: i64) {
        self.id_floor = self.id_floor.max(id);
    }

    /// Forgets the drawings and disables the tools until [`Self::set_drawings`] (while
    /// the drawings of a new ticker load, so nothing drawn meanwhile is overwritten).
    pub fn begin_loading(&mut self) {
        self.set_drawings(Vec::new());
        self.ready = false;
    }

    /// Whether the tools are enabled (the drawings are loaded).
    pub fn is_ready(&self) -> bool {
        self.ready
    }

    /// The drawings if the user changed them since the last call.
    pub fn take_changed(&mut self) -> Option<Vec<Drawing>> {
        std::mem::take(&mut self.changed).then(|| self.drawings.clone())
    }

    /// The active tool.
    pub fn tool(&self) -> Tool {
        self.tool
    }

    /// Picks a tool (cancelling anything in progress).
    pub fn set_tool(&mut self, tool: Tool) {
        self.tool = tool;
        self.drag = None;
        self.pending = None;
        if tool != Tool::Measure {
            self.measure = None;
        }
    }

    /// The selected drawing's id.
    pub fn selected(&self) -> Option<i64> {
        self.selected
    }

    /// Selects a drawing (or none).
    pub fn select(&mut self, id: Option<i64>) {
        self.selected = id.filter(|id| self.drawings.iter().any(|d| d.id == *id));
    }

    /// Whether the magnet snaps points to the nearest open/high/low/close.
    pub fn magnet(&self) -> bool {
        self.magnet
    }

    /// Switches the magnet.
    pub fn set_magnet(&mut self, on: bool) {
        self.magnet = on;
    }

    /// The last measure shown: from, to.
    pub fn measure(&self) -> Option<(Anchor, Anchor)> {
        self.measure
    }

    /// Whether an undo is possible.
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    /// Whether a redo is possible.
    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// Adds a drawing and selects it; undoable. Returns its id: a new one, above every id
    /// this ticker's drawings had (see [`crate::model::new_drawing_id`]).
    pub fn add(&mut self, mut drawing: Drawing) -> i64 {
        let before = self.drawings.clone();
        let known = self.drawings.iter().map(|d| d.id).max().unwrap_or(0);
        drawing.id = crate::model::new_drawing_id(self.id_floor.max(known));
        self.id_floor = drawing.id;
        let id = drawing.id;
        self.drawings.push(drawing);
        self.selected = Some(id);
        self.commit(before);
        id
    }

    /// Deletes the selected drawing; undoable.
    pub fn delete_selected(&mut self) -> bool {
        let Some(id) = self.selected.take() else {
            return false;
        };
        let before = self.drawings.clone();
        self.drawings.retain(|d| d.id != id);
        if self.drawings.len() != before.len() {
            self.commit(before);
            true
        } else {
            false
        }
    }

    /// Undoes the last change.
    pub fn undo(&mut self) -> bool {
        let Some(prev) = self.undo.pop() else {
            return false;
        };
        self.redo.push(std::mem::replace(&mut self.drawings, prev));
        self.after_history_step();
        true
    }

    /// Redoes the last undone change.
    pub fn redo(&mut self) -> bool {
        let Some(next) = self.redo.pop() else {
            return false;
        };
        self.undo.push(std::mem::replace(&mut self.drawings, next));
        self.after_history_step();
        true
    }

    fn after_history_step(&mut self) {
        self.drag = None;
        self.select(self.selected);
        self.changed = true;
    }

    /// Esc: cancels a drawing or measure in progress, else the measure shown, else the
    /// selection, else the tool.
    pub fn cancel(&mut self) {
        match self.drag.take() {
            Some(Drag::Moving { before, .. }) => {
                self.drawings = before;
                return;
            }
            Some(_) => return,
            None => {}
        }
        if self.pending.take().is_some() || self.measure.take().is_some() {
            return;
        }
        if self.selected.take().is_none() {
            self.tool = Tool::Select;
        }
    }

    fn commit(&mut self, before: Vec<Drawing>) {
        if before != self.drawings {
            self.undo.push(before);
            self.redo.clear();
            self.changed = true;
        }
    }

    fn find_mut(&mut self, id: i64) -> Option<&mut Drawing> {
        self.drawings.iter_mut().find(|d| d.id == id)
    }

    /// Restyles the selected drawing; undoable.
    pub fn restyle_selected(&mut self, color: Option<[u8; 4]>, width: Option<f32>) {
        let Some(id) = self.selected else { return };
        let before = self.drawings.clone();
        if let Some(d) = self.find_mut(id) {
            if let Some(c) = color {
                d.color = c;
            }
            if let Some(w) = width {
                d.width = w.clamp(0.5, MAX_DRAWING_WIDTH);
            }
        }
        self.commit(before);
    }

    /// The drawing under `pos` (its body or a handle of the selected one), topmost first.
    pub(crate) fn drawing_at(&self, pos: Pos2, g: &Geometry<'_>) -> Option<i64> {
        self.pick(pos, g).map(|(id, _)| id)
    }

    /// Adds a drawing of `kind` through `anchors` in the tools' colour and width, selected;
    /// undoable. Returns its id.
    pub fn add_styled(&mut self, kind: DrawingKind, anchors: Vec<Anchor>) -> i64 {
        let d = self.styled(kind, anchors);
        self.add(d)
    }

    /// Changes drawing `id` with `edit` (its width kept within the limits); undoable: one
    /// undo step, or with `merge` part of the last one (a label typed is one step). Whether
    /// it changed.
    pub fn edit_drawing(&mut self, id: i64, merge: bool, edit: impl FnOnce(&mut Drawing)) -> bool {
        let before = self.drawings.clone();
        let Some(d) = self.find_mut(id) else {
            return false;
        };
        edit(d);
        d.width = d.width.clamp(0.5, MAX_DRAWING_WIDTH);
        d.text = d.text.chars().take(crate::model::MAX_NOTE_CHARS).collect();
        if before == self.drawings {
            return false;
        }
        if merge && !self.undo.is_empty() {
            self.redo.clear();
            self.changed = true;
        } else {
            self.commit(before);
        }
        true
    }

    /// Deletes drawing `id`; undoable. Whether it was there.
    pub fn delete(&mut self, id: i64) -> bool {
        self.select(Some(id));
        self.delete_selected()
    }

    /// The drawing whose handle (anchor index) or body is under `pos`, topmost first.
    fn pick(&self, pos: Pos2, g: &Geometry<'_>) -> Option<(i64, Option<usize>)> {
        if let Some(sel) = self
            .selected
            .and_then(|id| self.drawings.iter().find(|d| d.id == id))
        {
            for (k, a) in sel.anchors.iter().enumerate() {
                if g.screen(*a).distance(pos) <= PICK_DISTANCE + 2.0 {
                    return Some((sel.id, Some(k)));
                }
            }
        }
        let frame = *g.transform.frame();
        self.drawings
            .iter()
            .rev()
            .find(|d| self.distance(d, pos, g, frame) <= PICK_DISTANCE)
            .map(|d| (d.id, None))
    }

    fn distance(&self, d: &Drawing, p: Pos2, g: &Geometry<'_>, frame: Rect) -> f32 {
        let pts: Vec<Pos2> = d.anchors.iter().map(|a| g.screen(*a)).collect();
        match (d.kind, pts.as_slice()) {
            (DrawingKind::Level, [a]) => (p.y - a.y).abs(),
            (DrawingKind::TrendLine, [a, b]) => segment_distance(p, *a, *b),
            (DrawingKind::Ray, [a, b]) => segment_distance(p, *a, ray_end(*a, *b, frame)),
            (DrawingKind::Rectangle, [a, b]) => {
                let r = Rect::from_two_pos(*a, *b);
                if r.expand(PICK_DISTANCE).contains(p) {
                    0.0
                } else {
                    f32::INFINITY
                }
            }
            (DrawingKind::Fibonacci, [a, _]) => {
                let left = a.x.min(pts[1].x);
                d.fib_prices()
                    .iter()
                    .map(|(_, price)| {
                        let y = g.screen(Anchor::new(d.anchors[0].day, *price)).y;
                        segment_distance(p, Pos2::new(left, y), Pos2::new(frame.right(), y))
                    })
                    .fold(f32::INFINITY, f32::min)
            }
            (DrawingKind::Text, [a]) => {
                let hit = self
                    .note_rects
                    .iter()
                    .any(|(id, r)| *id == d.id && r.contains(p));
                if hit { 0.0 } else { p.distance(*a) }
            }
            _ => f32::INFINITY,
        }
    }

    /// Handles this frame's pointer on the price pane. Returns whether the layer used the
    /// pointer (then the chart must not pan).
    pub(crate) fn interact(&mut self, response: &egui::Response, g: &Geometry<'_>) -> bool {
        let magnet = self.magnet;
        let now = response
            .hover_pos()
            .or_else(|| response.interact_pointer_pos())
            .and_then(|p| g.anchor_at(p, magnet))
            .map(|(a, _)| a);
        // A pointer gone on release keeps the last point of the drag.
        if now.is_some() || !(response.dragged() || response.drag_stopped()) {
            self.pointer = now;
        }
        if !self.ready {
            return false;
        }
        let press_origin = response.ctx.input(|i| i.pointer.press_origin());
        let current = response.interact_pointer_pos();
        match self.tool {
            Tool::Select => self.select_interact(response, g, press_origin, current),
            Tool::Draw(kind) => {
                self.draw_interact(response, g, kind, press_origin, current);
                true
            }
            Tool::Measure => {
                self.measure_interact(response, g, press_origin, current);
                true
            }
        }
    }

    fn select_interact(
        &mut self,
        response: &egui::Response,
        g: &Geometry<'_>,
        press_origin: Option<Pos2>,
        current: Option<Pos2>,
    ) -> bool {
        if response.drag_started()
            && let Some(origin) = press_origin
            && let Some((id, handle)) = self.pick(origin, g)
            && let Some(original) = self.drawings.iter().find(|d| d.id == id).cloned()
        {
            self.selected = Some(id);
            self.drag = Some(Drag::Moving {
                id,
                handle,
                origin: g.transform.value_from_position(origin),
                original,
                before: self.drawings.clone(),
            });
        }
        if let Some(Drag::Moving {
            id,
            handle,
            origin,
            original,
            before,
        }) = self.drag.clone()
        {
            if let Some(pos) = current {
                let moved = self.moved(&original, handle, origin, pos, g);
                if let Some(d) = self.find_mut(id) {
                    *d = moved;
                }
            }
            if response.drag_stopped() || !response.dragged() {
                self.drag = None;
                self.commit(before);
            }
            return true;
        }
        if response.clicked()
            && let Some(pos) = current
        {
            self.selected = self.pick(pos, g).map(|(id, _)| id);
        }
        false
    }

    /// `original` moved by the pointer from `origin` to `pos`: one anchor to the pointer
    /// (snapped by the magnet), or every anchor by the same bars and price offset.
    fn moved(
        &self,
        original: &Drawing,
        handle: Option<usize>,
        origin: PlotPoint,
        pos: Pos2,
        g: &Geometry<'_>,
    ) -> Drawing {
        let mut d = original.clone();
        if let Some(k) = handle {
            if let (Some(slot), Some((a, _))) =
                (d.anchors.get_mut(k), g.anchor_at(pos, self.magnet))
            {
                *slot = a;
            }
            return d;
        }
        let now = g.transform.value_from_position(pos);
        let dx_bars = (now.x - origin.x).round();
        let dy = now.y - origin.y;
        let n = g.series.len();
        for a in &mut d.anchors {
            let x = g.x_of(a.day).round() + dx_bars;
            if n > 0 {
                let i = x.clamp(0.0, (n - 1) as f64) as usize;
                a.day = g.series.days()[i];
            }
            let price = g.price_of(g.y_of(a.price) + dy);
            if price.is_finite() {
                a.price = price;
            }
        }
        d
    }

    fn draw_interact(
        &mut self,
        response: &egui::Response,
        g: &Geometry<'_>,
        kind: DrawingKind,
        press_origin: Option<Pos2>,
        current: Option<Pos2>,
    ) {
        let at = |p: Option<Pos2>| p.and_then(|p| g.anchor_at(p, self.magnet)).map(|(a, _)| a);
        if kind.anchor_count() == 1 {
            if response.clicked()
                && let Some(a) = at(current)
            {
                let mut d = self.styled(kind, vec![a]);
                if kind == DrawingKind::Text {
                    d.text = "Note".to_owned();
                    // Typing goes to the new note at once (not to the chart's shortcuts).
                    self.focus_note = true;
                }
                self.add(d);
                self.tool = Tool::Select;
            }
            return;
        }
        if response.drag_started()
            && let Some(first) = at(press_origin)
        {
            self.pending = None;
            self.drag = Some(Drag::Creating { kind, first });
        }
        if let Some(Drag::Creating { kind, first }) = self.drag.clone()
            && (response.drag_stopped() || !response.dragged())
        {
            self.drag = None;
            if let Some(second) = at(current).or(self.pointer)
                && second != first
            {
                self.add(self.styled(kind, vec![first, second]));
                self.tool = Tool::Select;
            }
            return;
        }
        if response.clicked()
            && let Some(a) = at(current)
        {
            match self.pending.take() {
                None => self.pending = Some(a),
                Some(first) if first != a => {
                    self.add(self.styled(kind, vec![first, a]));
                    self.tool = Tool::Select;
                }
                Some(first) => self.pending = Some(first),
            }
        }
    }

    fn measure_interact(
        &mut self,
        response: &egui::Response,
        g: &Geometry<'_>,
        press_origin: Option<Pos2>,
        current: Option<Pos2>,
    ) {
        let at = |p: Option<Pos2>| p.and_then(|p| g.anchor_at(p, self.magnet)).map(|(a, _)| a);
        if response.drag_started()
            && let Some(first) = at(press_origin)
        {
            self.pending = None;
            self.drag = Some(Drag::Measuring { first });
        }
        if let Some(Drag::Measuring { first }) = self.drag.clone() {
            if let Some(second) = at(current) {
                self.measure = Some((first, second));
            }
            if response.drag_stopped() || !response.dragged() {
                self.drag = None;
            }
            return;
        }
        if response.clicked()
            && let Some(a) = at(current)
        {
            match self.pending.take() {
                None => {
                    self.pending = Some(a);
                    self.measure = None;
                }
                Some(first) => self.measure = Some((first, a)),
            }
        }
    }

    fn styled(&self, kind: DrawingKind, anchors: Vec<Anchor>) -> Drawing {
        let mut d = Drawing::new(0, kind, anchors);
        d.color = self.color;
        d.width = self.width;
        d
    }

    /// Paints the drawings, the one being made, the measure and the selection's handles
    /// over the price pane (clipped to its frame).
    pub(crate) fn paint(&mut self, painter: &egui::Painter, g: &Geometry<'_>) {
        let frame = *g.transform.frame();
        let painter = painter.with_clip_rect(frame);
        let mut note_rects = Vec::new();
        for d in &self.drawings {
            paint_drawing(
                &painter,
                d,
                g,
                frame,
                self.selected == Some(d.id),
                &mut note_rects,
                self.price_format,
            );
        }
        self.note_rects = note_rects;
        // Previews: a drawing being made (drag or click-click) follows the pointer.
        let preview = match (&self.drag, self.tool, self.pending, self.pointer) {
            (Some(Drag::Creating { kind, first }), _, _, Some(p)) => {
                Some(self.styled(*kind, vec![*first, p]))
            }
            (None, Tool::Draw(kind), Some(first), Some(p)) if kind.anchor_count() == 2 => {
                Some(self.styled(kind, vec![first, p]))
            }
            _ => None,
        };
        if let Some(d) = preview {
            paint_drawing(
                &painter,
                &d,
                g,
                frame,
                false,
                &mut Vec::new(),
                self.price_format,
            );
        }
        let measure = match (self.tool, self.pending, self.pointer, self.measure) {
            (Tool::Measure, Some(first), Some(p), _) => Some((first, p)),
            (_, _, _, m) => m,
        };
        if let Some((a, b)) = measure {
            paint_measure(&painter, g, a, b, self.price_format);
        }
    }

    /// The drawing tools' row: tools, magnet, style of the selection, undo/redo.
    pub fn toolbar_ui(&mut self, ui: &mut egui::Ui) {
        ui.horizontal_wrapped(|ui| {
            ui.add_enabled_ui(self.ready, |ui| {
                ui.label("Draw:");
                let mut pick = None;
                if ui
                    .selectable_label(self.tool == Tool::Select, "Select")
                    .on_hover_text("Select and move drawings; drag elsewhere to pan")
                    .clicked()
                {
                    pick = Some(Tool::Select);
                }
                for kind in DrawingKind::ALL {
                    let label = match kind {
                        DrawingKind::Text => "Note",
                        k => k.label(),
                    };
                    if ui
                        .selectable_label(self.tool == Tool::Draw(kind), label)
                        .clicked()
                    {
                        pick = Some(Tool::Draw(kind));
                    }
                }
                if ui
                    .selectable_label(self.tool == Tool::Measure, "Measure")
                    .on_hover_text("Drag between two points: Δ price, Δ %, bars and days")
                    .clicked()
                {
                    pick = Some(Tool::Measure);
                }
                if let Some(t) = pick {
                    self.set_tool(t);
                }
                ui.checkbox(&mut self.magnet, "Magnet")
                    .on_hover_text("Snap points to the nearest open, high, low or close");
                ui.separator();
                for c in PALETTE {
                    let (rect, resp) =
                        ui.allocate_exact_size(Vec2::splat(14.0), egui::Sense::click());
                    ui.painter().rect_filled(rect, 2.0, color32(c));
                    if c == self.color {
                        ui.painter().rect_stroke(
                            rect.expand(1.5),
                            2.0,
                            Stroke::new(1.5, ui.visuals().strong_text_color()),
                            StrokeKind::Outside,
                        );
                    }
                    if resp.clicked() {
                        self.color = c;
                        self.restyle_selected(Some(c), None);
                    }
                }
                let mut width = self.width;
                if ui
                    .add(
                        egui::DragValue::new(&mut width)
                            .range(0.5..=MAX_DRAWING_WIDTH)
                            .speed(0.1)
                            .prefix("width "),
                    )
                    .changed()
                {
                    self.width = width;
                    self.restyle_selected(None, Some(width));
                }
                ui.separator();
                if ui
                    .add_enabled(self.can_undo(), egui::Button::new("Undo"))
                    .clicked()
                {
                    self.undo();
                }
                if ui
                    .add_enabled(self.can_redo(), egui::Button::new("Redo"))
                    .clicked()
                {
                    self.redo();
                }
                if ui
                    .add_enabled(self.selected.is_some(), egui::Button::new("Delete drawing"))
                    .clicked()
                {
                    self.delete_selected();
                }
                self.note_editor_ui(ui);
            });
        });
    }

    /// A text field for the selected note.
    fn note_editor_ui(&mut self, ui: &mut egui::Ui) {
        let Some(id) = self.selected else { return };
        let Some(text) = self
            .drawings
            .iter()
            .find(|d| d.id == id && d.kind == DrawingKind::Text)
            .map(|d| d.text.clone())
        else {
            return;
        };
        let mut edited = text.clone();
        let before = self.drawings.clone();
        let output = egui::TextEdit::singleline(&mut edited)
            .id_salt(("note", id))
            .hint_text("note")
            .char_limit(crate::model::MAX_NOTE_CHARS)
            .desired_width(180.0)
            .show(ui);
        let resp = output.response;
        if std::mem::take(&mut self.focus_note) {
            // Focused with its placeholder text selected: the first key typed replaces it.
            resp.request_focus();
            let mut state = output.state;
            state
                .cursor
                .set_char_range(Some(egui::text::CCursorRange::select_all_str(&edited)));
            state.store(ui.ctx(), resp.id);
        }
        if resp.changed() && edited != text {
            if let Some(d) = self.find_mut(id) {
                d.text = edited;
            }
            // One undo step per editing session, not per character.
            if !self.note_edit_started {
                self.undo.push(before);
                self.redo.clear();
                self.note_edit_started = true;
            }
            self.changed = true;
        }
        if resp.lost_focus() {
            self.note_edit_started = false;
        }
    }
}

fn paint_drawing(
    painter: &egui::Painter,
    d: &Drawing,
    g: &Geometry<'_>,
    frame: Rect,
    selected: bool,
    note_rects: &mut Vec<(i64, Rect)>,
    price_format: PriceFormat,
) {
    let color = color32(d.color);
    let stroke = Stroke::new(d.width, color);
    let pts: Vec<Pos2> = d.anchors.iter().map(|a| g.screen(*a)).collect();
    let label_font = FontId::proportional(11.0);
    match (d.kind, pts.as_slice()) {
        (DrawingKind::Level, [a]) => {
            painter.line_segment(
                [Pos2::new(frame.left(), a.y), Pos2::new(frame.right(), a.y)],
                stroke,
            );
            painter.text(
                Pos2::new(frame.right() - 4.0, a.y - 2.0),
                Align2::RIGHT_BOTTOM,
                price_format.price(d.anchors[0].price),
                label_font,
                color,
            );
        }
        (DrawingKind::TrendLine, [a, b]) => {
            painter.line_segment([*a, *b], stroke);
        }
        (DrawingKind::Ray, [a, b]) => {
            painter.line_segment([*a, ray_end(*a, *b, frame)], stroke);
        }
        (DrawingKind::Rectangle, [a, b]) => {
            let r = Rect::from_two_pos(*a, *b);
            painter.rect_filled(r, 0.0, color.gamma_multiply(0.15));
            painter.rect_stroke(r, 0.0, stroke, StrokeKind::Middle);
        }
        (DrawingKind::Fibonacci, [a, b]) => {
            let left = a.x.min(b.x);
            painter.extend(egui::Shape::dashed_line(
                &[*a, *b],
                Stroke::new(1.0, color.gamma_multiply(0.7)),
                4.0,
                4.0,
            ));
            for (ratio, price) in d.fib_prices() {
                let y = g.screen(Anchor::new(d.anchors[0].day, price)).y;
                painter.line_segment([Pos2::new(left, y), Pos2::new(frame.right(), y)], stroke);
                painter.text(
                    Pos2::new(left + 4.0, y - 2.0),
                    Align2::LEFT_BOTTOM,
                    format!("{:.1}%  {}", ratio * 100.0, price_format.price(price)),
                    label_font.clone(),
                    color,
                );
            }
        }
        (DrawingKind::Text, [a]) => {
            let galley = painter.layout_no_wrap(d.text.clone(), FontId::proportional(13.0), color);
            let rect = Rect::from_min_size(*a - Vec2::new(0.0, galley.size().y), galley.size())
                .expand(3.0);
            painter.rect_filled(rect, 3.0, Color32::from_black_alpha(170));
            painter.rect_stroke(
                rect,
                3.0,
                Stroke::new(d.width.min(2.0), color),
                StrokeKind::Inside,
            );
            painter.galley(rect.min + Vec2::splat(3.0), galley, color);
            note_rects.push((d.id, rect));
        }
        _ => {}
    }
    // A label on a line, level, rectangle or retracement (notes show their text already).
    if d.kind != DrawingKind::Text
        && !d.text.is_empty()
        && let Some(at) = label_position(d.kind, &pts, frame)
    {
        painter.text(
            at,
            Align2::LEFT_BOTTOM,
            &d.text,
            FontId::proportional(12.0),
            color,
        );
    }
    if selected {
        for p in &pts {
            painter.circle(*p, HANDLE_RADIUS, Color32::WHITE, Stroke::new(1.5, color));
        }
    }
}

/// Where a drawing's label goes (its bottom-left corner): above a level at the left edge,
/// above the end of a line, inside a rectangle's top-left corner, above a retracement's
/// first anchor.
fn label_position(kind: DrawingKind, pts: &[Pos2], frame: Rect) -> Option<Pos2> {
    match (kind, pts) {
        (DrawingKind::Level, [a]) => Some(Pos2::new(frame.left() + 4.0, a.y - 2.0)),
        (DrawingKind::TrendLine | DrawingKind::Ray, [a, b]) => {
            let end = if b.x >= a.x { b } else { a };
            Some(Pos2::new(end.x + 4.0, end.y - 4.0))
        }
        (DrawingKind::Rectangle, [a, b]) => {
            let r = Rect::from_two_pos(*a, *b);
            Some(Pos2::new(r.left() + 4.0, r.top() + 16.0))
        }
        (DrawingKind::Fibonacci, [a, _]) => Some(Pos2::new(a.x + 4.0, a.y - 16.0)),
        _ => None,
    }
}

/// The text a measure shows: `Δ 1,234.00 (+5.23%)` and `12 bars, 16 days`.
pub fn measure_text(m: &Measure) -> String {
    measure_text_in(m, PriceFormat::Auto)
}

/// The text a measure shows, its price difference written as `format` says
/// (`Δ +5,515 (+5.23%)` in won).
pub fn measure_text_in(m: &Measure, format: PriceFormat) -> String {
    format!(
        "Δ {} ({:+.2}%)\n{} bars, {} days",
        format.delta(m.delta_price),
        m.delta_pct,
        m.bars,
        m.calendar_days
    )
}

fn paint_measure(
    painter: &egui::Painter,
    g: &Geometry<'_>,
    a: Anchor,
    b: Anchor,
    format: PriceFormat,
) {
    let m = g.measure(a, b);
    let (pa, pb) = (g.screen(a), g.screen(b));
    let color = if m.delta_price >= 0.0 {
        Color32::from_rgb(38, 166, 154)
    } else {
        Color32::from_rgb(239, 83, 80)
    };
    let r = Rect::from_two_pos(pa, pb);
    painter.rect_filled(r, 0.0, color.gamma_multiply(0.18));
    painter.arrow(pa, pb - pa, Stroke::new(1.5, color));
    let galley = painter.layout_no_wrap(
        measure_text_in(&m, format),
        FontId::proportional(12.0),
        Color32::WHITE,
    );
    let pos = Pos2::new(pb.x + 8.0, pb.y - galley.size().y - 8.0);
    let bg = Rect::from_min_size(pos, galley.size()).expand(4.0);
    painter.rect_filled(bg, 4.0, color.gamma_multiply(0.9));
    painter.galley(pos, galley, Color32::WHITE);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn level(price: f64) -> Drawing {
        Drawing::new(
            0,
            DrawingKind::Level,
            vec![Anchor::new(d(2024, 1, 2), price)],
        )
    }

    #[test]
    fn undo_redo_delete_and_restyle() {
        let mut layer = DrawingLayer::default();
        let a = layer.add(level(10.0));
        let b = layer.add(level(20.0));
        assert!(0 < a && a < b, "{a} {b}");
        assert_eq!(layer.take_changed().map(|v| v.len()), Some(2));
        assert_eq!(layer.take_changed(), None);
        layer.select(Some(a));
        layer.restyle_selected(Some(PALETTE[2]), Some(4.0));
        assert_eq!(layer.drawings()[0].color, PALETTE[2]);
        assert_eq!(layer.drawings()[0].width, 4.0);
        assert!(layer.delete_selected());
        assert_eq!(layer.drawings().len(), 1);
        assert!(layer.undo());
        assert_eq!(layer.drawings().len(), 2);
        assert_eq!(layer.drawings()[0].width, 4.0);
        assert!(layer.undo());
        assert_eq!(layer.drawings()[0].width, 1.5, "restyle undone");
        assert!(layer.redo() && layer.redo());
        assert_eq!(layer.drawings().len(), 1);
        assert!(!layer.redo());
        // A new change clears the redo history.
        layer.undo();
        let c = layer.add(level(30.0));
        assert!(!layer.can_redo());
        assert!(c > b);
        assert_eq!(
            layer.drawings().iter().map(|d| d.id).collect::<Vec<_>>(),
            [a, b, c]
        );
    }

    #[test]
    fn new_ids_are_never_ones_known_before() {
        let mut layer = DrawingLayer::default();
        let mut far = level(1.0);
        far.id = 1 << 60; // ahead of any clock-made id
        layer.set_drawings(vec![far]);
        // Records stored but unreadable reach higher still.
        layer.keep_ids_above((1 << 60) + 40);
        let a = layer.add(level(2.0));
        assert_eq!(a, (1 << 60) + 41);
        // Deleting the highest drawing (or undoing its add) does not free its id.
        layer.select(Some(a));
        assert!(layer.delete_selected());
        assert_eq!(layer.add(level(3.0)), a + 1);
        layer.undo();
        assert_eq!(layer.add(level(4.0)), a + 2);
        // Another ticker's drawings start over from what that ticker has.
        layer.begin_loading();
        layer.set_drawings(vec![level(5.0)]);
        assert!(layer.add(level(6.0)) < 1 << 60);
    }

    /// Every change the layer reports, undo and redo included, is the difference between
    /// two sets, so a saver that sends the difference stores exactly what is on screen.
    #[test]
    fn undo_and_redo_give_the_reverse_changes() {
        use crate::model::DrawingChanges;
        let mut layer = DrawingLayer::default();
        layer.set_drawings(vec![Drawing {
            id: 3,
            ..level(1.0)
        }]);
        let mut saved = layer.drawings().to_vec();
        let mut step = |layer: &mut DrawingLayer| {
            let now = layer.take_changed().expect("a change");
            let changes = DrawingChanges::between(&saved, &now);
            changes.apply_to(&mut saved);
            assert_eq!(saved, now);
            changes
        };
        let a = layer.add(level(2.0));
        let add = step(&mut layer);
        assert_eq!((add.upserts.len(), add.deleted.len()), (1, 0));
        assert!(layer.undo());
        let undo = step(&mut layer);
        assert_eq!((undo.upserts.len(), &undo.deleted[..]), (0, &[a][..]));
        assert!(layer.redo());
        assert_eq!(step(&mut layer).upserts[0].id, a);
        layer.select(Some(3));
        assert!(layer.delete_selected());
        assert_eq!(step(&mut layer).deleted, [3]);
        assert!(layer.undo());
        let back = step(&mut layer);
        assert_eq!((back.upserts[0].id, back.deleted.len()), (3, 0));
    }

    #[test]
    fn loading_disables_the_tools_until_the_drawings_arrive() {
        let mut layer = DrawingLayer::default();
        layer.add(level(1.0));
        layer.begin_loading();
        assert!(!layer.is_ready() && layer.drawings().is_empty() && !layer.can_undo());
        layer.set_drawings(vec![level(5.0)]);
        assert!(layer.is_ready());
        assert_eq!(layer.take_changed(), None, "loading is not a change");
    }

    #[test]
    fn esc_cancels_in_steps() {
        let mut layer = DrawingLayer::default();
        let id = layer.add(level(1.0));
        layer.set_tool(Tool::Draw(DrawingKind::TrendLine));
        layer.pending = Some(Anchor::new(d(2024, 1, 2), 1.0));
        layer.selected = Some(id);
        layer.cancel();
        assert!(layer.pending.is_none() && layer.selected == Some(id));
        layer.cancel();
        assert_eq!(layer.selected, None);
        layer.cancel();
        assert_eq!(layer.tool(), Tool::Select);
    }

    #[test]
    fn segment_and_ray_geometry() {
        let a = Pos2::new(0.0, 0.0);
        let b = Pos2::new(10.0, 0.0);
        assert_eq!(segment_distance(Pos2::new(5.0, 3.0), a, b), 3.0);
        assert_eq!(segment_distance(Pos2::new(-4.0, 3.0), a, b), 5.0);
        let frame = Rect::from_min_max(Pos2::ZERO, Pos2::new(100.0, 100.0));
        let end = ray_end(Pos2::new(10.0, 50.0), Pos2::new(20.0, 40.0), frame);
        assert_eq!(end, Pos2::new(100.0, -40.0));
    }

    #[test]
    fn measure_text_reads_well() {
        let m = Measure {
            delta_price: 1234.0,
            delta_pct: 5.234,
            bars: 12,
            calendar_days: 16,
        };
        assert_eq!(measure_text(&m), "Δ +1,234.00 (+5.23%)\n12 bars, 16 days");
        let won = Measure {
            delta_price: 5_515.06,
            ..m
        };
        assert_eq!(
            measure_text_in(&won, PriceFormat::Whole),
            "Δ +5,515 (+5.23%)\n12 bars, 16 days"
        );
        let down = Measure {
            delta_price: -1_234.0,
            ..m
        };
        assert_eq!(
            measure_text(&down),
            "Δ -1,234.00 (+5.23%)\n12 bars, 16 days"
        );
    }
}

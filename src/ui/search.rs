//! The search box of every view: matches ticker or name as you type (from `ticker_metadata`;
//! `GSPC` finds `^GSPC`, `삼성` and `samsung` find 005930, see `store/search.rs`), with
//! keyboard navigation of the suggestions.

use poll_promise::Promise;

use super::bg;
use crate::model::TickerMeta;
use crate::store::Store;

/// How many suggestions are shown.
pub const MAX_SUGGESTIONS: usize = 12;

/// A query in flight: its text and the promise of its answer.
type PendingQuery = (String, Promise<Result<Vec<TickerMeta>, String>>);

/// State of one search box.
#[derive(Default)]
pub struct SearchBox {
    text: String,
    /// The text the shown suggestions answer.
    answered: String,
    suggestions: Vec<TickerMeta>,
    highlighted: usize,
    pending: Option<PendingQuery>,
    error: Option<String>,
    open: bool,
    focus_requested: bool,
}

impl SearchBox {
    /// The text typed so far.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Puts the keyboard focus in the box on the next frame (the `/` key).
    pub fn request_focus(&mut self) {
        self.focus_requested = true;
    }

    /// Suggestions for the current text, best first.
    pub fn suggestions(&self) -> &[TickerMeta] {
        &self.suggestions
    }

    fn poll(&mut self) {
        let Some((query, promise)) = self.pending.take() else {
            return;
        };
        match promise.try_take() {
            Ok(result) => {
                // Only the answer to the current text is shown; older answers are dropped.
                if query == self.text.trim() {
                    match result {
                        Ok(items) => {
                            self.suggestions = items;
                            self.error = None;
                        }
                        Err(e) => {
                            self.suggestions.clear();
                            self.error = Some(e);
                        }
                    }
                    self.answered = query;
                    self.highlighted = 0;
                }
            }
            Err(promise) => self.pending = Some((query, promise)),
        }
    }

    /// Shows the box; returns the ticker the user picked (click or Enter), if any.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        rt: &tokio::runtime::Handle,
        store: Option<&Store>,
    ) -> Option<TickerMeta> {
        self.poll();
        let response = ui.add(
            egui::TextEdit::singleline(&mut self.text)
                .id_salt("ticker_search")
                .hint_text("Search ticker or name (e.g. 삼성, AAPL)")
                .desired_width(260.0),
        );
        if std::mem::take(&mut self.focus_requested) {
            response.request_focus();
        }
        let query = self.text.trim().to_owned();
        if response.changed() {
            self.open = !query.is_empty();
        }
        self.ask(&query, rt, ui.ctx(), store);
        let mut picked = self.keys(ui, &response);
        let show = self.open && !query.is_empty();
        if let Some(meta) = self.popup_ui(&response, show) {
            picked = Some(meta);
        }
        if picked.is_some() {
            self.open = false;
            self.text.clear();
            self.suggestions.clear();
            self.answered.clear();
        }
        picked
    }

    /// Starts a search for `query` unless its answer is in or on its way.
    fn ask(
        &mut self,
        query: &str,
        rt: &tokio::runtime::Handle,
        ctx: &egui::Context,
        store: Option<&Store>,
    ) {
        if query.is_empty() {
            self.suggestions.clear();
            self.answered.clear();
        } else if query != self.answered
            && self.pending.as_ref().is_none_or(|(q, _)| *q != query)
            && let Some(store) = store
        {
            let store = store.clone();
            let q = query.to_owned();
            let promise = bg::spawn(rt, ctx, async move {
                store
                    .search(&q, MAX_SUGGESTIONS)
                    .await
                    .map_err(|e| e.to_string())
            });
            self.pending = Some((query.to_owned(), promise));
        }
    }

    /// The arrow keys move the highlight, Enter picks it (returned), Escape closes.
    fn keys(&mut self, ui: &egui::Ui, response: &egui::Response) -> Option<TickerMeta> {
        if response.has_focus() && !self.suggestions.is_empty() {
            let (down, up) = ui.input_mut(|i| {
                (
                    i.consume_key(egui::Modifiers::NONE, egui::Key::ArrowDown),
                    i.consume_key(egui::Modifiers::NONE, egui::Key::ArrowUp),
                )
            });
            if down {
                self.highlighted = (self.highlighted + 1).min(self.suggestions.len() - 1);
                self.open = true;
            }
            if up {
                self.highlighted = self.highlighted.saturating_sub(1);
            }
        }
        let mut picked = None;
        if response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
            picked = self.suggestions.get(self.highlighted).cloned();
        }
        if ui.input(|i| i.key_pressed(egui::Key::Escape)) {
            self.open = false;
        }
        picked
    }

    /// The suggestions under the box (while `show`); returns the one clicked.
    fn popup_ui(&self, response: &egui::Response, show: bool) -> Option<TickerMeta> {
        let mut picked = None;
        egui::Popup::from_response(response)
            .open(show)
            .close_behavior(egui::PopupCloseBehavior::IgnoreClicks)
            .width(response.rect.width().max(260.0))
            .show(|ui| {
                // One line per suggestion, as wide as its text: the popup's first frame may
                // hold only a spinner, and egui keeps an area's size from frame to frame, so
                // wrapping would squeeze every later suggestion into that width.
                ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Extend);
                ui.set_min_width(response.rect.width().max(260.0));
                if let Some(err) = &self.error {
                    ui.colored_label(egui::Color32::LIGHT_RED, err);
                } else if self.suggestions.is_empty() {
                    if self.pending.is_some() {
                        ui.spinner();
                    } else {
                        ui.weak("No matching ticker");
                    }
                }
                for (i, meta) in self.suggestions.iter().enumerate() {
                    let row = suggestion_row(ui, meta);
                    if ui.selectable_label(i == self.highlighted, row).clicked() {
                        picked = Some(meta.clone());
                    }
                }
            });
        picked
    }
}

/// One suggestion's text: the ticker in strong text, its name, its English name (where it
/// has one) and its category in weak text (`005930  삼성전자  Samsung Electronics  · Korean
/// stocks`), never wrapped.
fn suggestion_row(ui: &egui::Ui, meta: &TickerMeta) -> egui::text::LayoutJob {
    let style = ui.style();
    let font = egui::TextStyle::Button.resolve(style);
    let visuals = &style.visuals;
    let mut job = egui::text::LayoutJob::default();
    let mut add = |text: &str, color: egui::Color32| {
        job.append(text, 0.0, egui::TextFormat::simple(font.clone(), color));
    };
    add(meta.ticker.as_str(), visuals.strong_text_color());
    add(&format!("  {}", meta.display_name()), visuals.text_color());
    let name_en = meta.name_en.trim();
    if !name_en.is_empty() && name_en != meta.display_name() {
        add(&format!("  {name_en}"), visuals.weak_text_color());
    }
    add(
        &format!("  · {}", meta.category().label()),
        visuals.weak_text_color(),
    );
    job.wrap.max_width = f32::INFINITY;
    job
}

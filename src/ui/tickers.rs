//! The side panel's ticker lists (per category, paginated, filtered, add and delete) and the
//! metadata editor (edit name and category per row, apply one row or all edited rows).

use std::collections::BTreeMap;

use egui::{Color32, RichText};
use poll_promise::Promise;

use super::bg;
use crate::model::{Category, Ticker, TickerMeta, shown};
use crate::store::{Store, StoreError, TickerDeletion, TickerEdit, TickerPage, TickerQuery};

/// Page sizes offered in the list.
pub const PAGE_SIZES: [u64; 4] = [10, 25, 50, 100];

/// An edit of one row that has not been applied yet.
#[derive(Clone, Debug, PartialEq)]
struct RowEdit {
    name: String,
    category: Category,
}

/// What happened to a row's last apply.
#[derive(Clone, Debug, PartialEq)]
enum RowStatus {
    Saved,
    Failed(String),
}

/// Something the panel changed in the store, for the rest of the app to react to.
#[derive(Clone, Debug, PartialEq)]
pub enum TickerChange {
    /// A ticker was added.
    Added(TickerMeta),
    /// A ticker's metadata changed.
    Edited(TickerMeta),
    /// A ticker and its bars were deleted (and it was taken out of every watchlist).
    Deleted(String),
}

type ApplyResults = Vec<(String, Result<TickerMeta, String>)>;

/// State of the ticker lists and metadata editor.
pub struct TickerPanel {
    tab: Category,
    filter: String,
    page: u64,
    page_size: u64,
    page_data: Option<TickerPage>,
    load: Option<Promise<Result<TickerPage, StoreError>>>,
    load_error: Option<String>,
    stale: bool,
    edits: BTreeMap<String, RowEdit>,
    status: BTreeMap<String, RowStatus>,
    apply: Option<Promise<ApplyResults>>,
    add_symbol: String,
    add_name: String,
    add_message: Option<Result<String, String>>,
    add: Option<Promise<Result<TickerMeta, String>>>,
    confirm_delete: Option<String>,
    delete: Option<Promise<(String, Result<TickerDeletion, String>)>>,
    changes: Vec<TickerChange>,
}

impl Default for TickerPanel {
    fn default() -> Self {
        Self::new(25)
    }
}

impl TickerPanel {
    /// A panel showing the Korean stocks tab with `page_size` rows per page.
    pub fn new(page_size: u64) -> Self {
        Self {
            tab: Category::KoreanStock,
            filter: String::new(),
            page: 0,
            page_size: if PAGE_SIZES.contains(&page_size) {
                page_size
            } else {
                25
            },
            page_data: None,
            load: None,
            load_error: None,
            stale: true,
            edits: BTreeMap::new(),
            status: BTreeMap::new(),
            apply: None,
            add_symbol: String::new(),
            add_name: String::new(),
            add_message: None,
            add: None,
            confirm_delete: None,
            delete: None,
            changes: Vec::new(),
        }
    }

    /// Rows per page.
    pub fn page_size(&self) -> u64 {
        self.page_size
    }

    /// Number of rows with unapplied edits.
    pub fn unsaved_count(&self) -> usize {
        self.edits.len()
    }

    /// Changes made since the last call, for views to refresh.
    pub fn take_changes(&mut self) -> Vec<TickerChange> {
        std::mem::take(&mut self.changes)
    }

    /// Marks the list for reloading (e.g. after an update added tickers).
    pub fn invalidate(&mut self) {
        self.stale = true;
    }

    fn poll(&mut self) {
        if let Some(result) = bg::take_ready(&mut self.load) {
            match result {
                Ok(page) => {
                    self.page_data = Some(page);
                    self.load_error = None;
                }
                Err(err) => self.load_error = Some(err.to_string()),
            }
        }
        if let Some(results) = bg::take_ready(&mut self.apply) {
            for (ticker, result) in results {
                match result {
                    Ok(meta) => {
                        self.edits.remove(&ticker);
                        self.status.insert(ticker, RowStatus::Saved);
                        self.changes.push(TickerChange::Edited(meta));
                    }
                    // The edit stays in place so nothing typed is lost; the row shows why.
                    Err(msg) => {
                        self.status.insert(ticker, RowStatus::Failed(msg));
                    }
                }
            }
            self.stale = true;
        }
        if let Some(result) = bg::take_ready(&mut self.add) {
            match result {
                Ok(meta) => {
                    self.add_message = Some(Ok(format!("Added {}", meta.ticker)));
                    self.add_symbol.clear();
                    self.add_name.clear();
                    self.changes.push(TickerChange::Added(meta));
                    self.stale = true;
                }
                Err(msg) => self.add_message = Some(Err(msg)),
            }
        }
        if let Some((ticker, result)) = bg::take_ready(&mut self.delete) {
            match result {
                Ok(deleted) => {
                    let mut msg = format!("Deleted {ticker} and its {} bars", deleted.bars);
                    if !deleted.watchlists.is_empty() {
                        let names: Vec<String> =
                            deleted.watchlists.iter().map(|n| shown(n)).collect();
                        msg.push_str(&format!("; taken out of watchlists {}", names.join(", ")));
                    }
                    self.add_message = Some(Ok(msg));
                    self.edits.remove(&ticker);
                    self.status.remove(&ticker);
                    self.changes.push(TickerChange::Deleted(ticker));
                    self.stale = true;
                }
                Err(msg) => self.add_message = Some(Err(msg)),
            }
        }
    }

    fn reload(&mut self, rt: &tokio::runtime::Handle, ctx: &egui::Context, store: &Store) {
        let query = TickerQuery {
            category: Some(self.tab),
            filter: (!self.filter.trim().is_empty()).then(|| self.filter.trim().to_owned()),
            active_only: false,
            offset: self.page * self.page_size,
            limit: self.page_size,
        };
        let store = store.clone();
        self.load = Some(bg::spawn(rt, ctx, async move {
            store.list_tickers(&query).await
        }));
        self.stale = false;
    }

    /// Shows the panel. `store` is `None` while no store is connected.
    pub fn ui(&mut self, ui: &mut egui::Ui, rt: &tokio::runtime::Handle, store: Option<&Store>) {
        self.poll();
        let Some(store) = store else {
            ui.label("No store connected.");
            return;
        };

        ui.horizontal_wrapped(|ui| {
            for c in Category::ALL {
                if ui.selectable_label(self.tab == c, c.label()).clicked() && self.tab != c {
                    self.tab = c;
                    self.page = 0;
                    self.stale = true;
                }
            }
        });
        ui.horizontal(|ui| {
            ui.label("Filter");
            let r = ui.add(
                egui::TextEdit::singleline(&mut self.filter)
                    .hint_text("ticker or name")
                    .desired_width(140.0),
            );
            if r.changed() {
                self.page = 0;
                self.stale = true;
            }
            egui::ComboBox::from_id_salt("ticker_page_size")
                .selected_text(format!("{} / page", self.page_size))
                .width(90.0)
                .show_ui(ui, |ui| {
                    for size in PAGE_SIZES {
                        if ui
                            .selectable_value(&mut self.page_size, size, format!("{size} / page"))
                            .clicked()
                        {
                            self.page = 0;
                            self.stale = true;
                        }
                    }
                });
        });

        if self.stale && self.load.is_none() {
            self.reload(rt, ui.ctx(), store);
        }

        self.list_ui(ui, rt, store);
        ui.separator();
        self.add_ui(ui, rt, store);
        self.delete_confirm_ui(ui, rt, store);
    }

    fn list_ui(&mut self, ui: &mut egui::Ui, rt: &tokio::runtime::Handle, store: &Store) {
        if let Some(err) = &self.load_error {
            ui.colored_label(Color32::LIGHT_RED, format!("Could not list tickers: {err}"));
        }
        let Some(page) = self.page_data.clone() else {
            ui.spinner();
            return;
        };
        self.pager_ui(ui, &page);
        let mut apply_rows = self.rows_ui(ui, &page);
        if let Some(all) = self.apply_all_ui(ui) {
            apply_rows = all;
        }
        self.start_apply(ui.ctx(), rt, store, apply_rows);
    }

    /// Prev / Next and where the page is.
    fn pager_ui(&mut self, ui: &mut egui::Ui, page: &TickerPage) {
        let pages = page.total.div_ceil(self.page_size).max(1);
        ui.horizontal(|ui| {
            if ui
                .add_enabled(self.page > 0, egui::Button::new("◀ Prev"))
                .clicked()
            {
                self.page -= 1;
                self.stale = true;
            }
            ui.label(format!(
                "Page {} of {pages} ({} tickers)",
                self.page + 1,
                page.total
            ));
            if ui
                .add_enabled(self.page + 1 < pages, egui::Button::new("Next ▶"))
                .clicked()
            {
                self.page += 1;
                self.stale = true;
            }
        });
    }

    /// The page's tickers, one editable row each; returns those whose Apply was clicked.
    fn rows_ui(&mut self, ui: &mut egui::Ui, page: &TickerPage) -> Vec<String> {
        let mut apply_rows = Vec::new();
        egui_extras::TableBuilder::new(ui)
            .id_salt("ticker_rows")
            .striped(true)
            .max_scroll_height(320.0)
            .columns(egui_extras::Column::auto(), 5)
            .header(20.0, |mut header| {
                for title in ["Ticker", "Name", "Category", "", ""] {
                    header.col(|ui| {
                        ui.strong(title);
                    });
                }
            })
            .body(|mut body| {
                for meta in &page.items {
                    body.row(24.0, |mut row| {
                        if self.row_ui(&mut row, meta) {
                            apply_rows.push(meta.ticker.as_str().to_owned());
                        }
                    });
                }
            });
        apply_rows
    }

    /// One ticker's row: its name and category to edit (kept as an edit while they differ
    /// from the stored ones), Apply, Delete and how the last apply went. Returns whether
    /// Apply was clicked.
    fn row_ui(&mut self, row: &mut egui_extras::TableRow<'_, '_>, meta: &TickerMeta) -> bool {
        let key = meta.ticker.as_str().to_owned();
        let mut edit = self.edits.get(&key).cloned().unwrap_or(RowEdit {
            name: meta.name.clone(),
            category: meta.category(),
        });
        let dirty_before = self.edits.contains_key(&key);
        let mut ticker_label = None;
        row.col(|ui| {
            let label = ui
                .label(&key)
                .on_hover_text(meta.source_symbol.as_deref().unwrap_or("not resolved yet"));
            ticker_label = Some(label.id);
        });
        row.col(|ui| {
            let field = ui.add(
                egui::TextEdit::singleline(&mut edit.name)
                    .id_salt(("name", &key))
                    // Without a minimum the field stays a few characters wide and cuts
                    // names off.
                    .min_size(egui::vec2(120.0, 0.0))
                    .desired_width(120.0),
            );
            // The name field is announced with its row's ticker.
            if let Some(id) = ticker_label {
                field.labelled_by(id);
            }
        });
        row.col(|ui| {
            egui::ComboBox::from_id_salt(("cat", &key))
                .selected_text(edit.category.label())
                .width(100.0)
                .show_ui(ui, |ui| {
                    for c in Category::ALL {
                        ui.selectable_value(&mut edit.category, c, c.label());
                    }
                });
        });
        let dirty = edit.name != meta.name || edit.category != meta.category();
        if dirty {
            self.edits.insert(key.clone(), edit);
            if !dirty_before {
                self.status.remove(&key);
            }
        } else {
            self.edits.remove(&key);
        }
        let mut apply = false;
        row.col(|ui| {
            apply = ui
                .add_enabled(dirty && self.apply.is_none(), egui::Button::new("Apply"))
                .on_hover_text(format!("Save the edits of {key}"))
                .clicked();
        });
        row.col(|ui| self.row_status_ui(ui, &key, dirty));
        apply
    }

    /// A row's Delete button, and whether it has unsaved edits, was saved or failed.
    fn row_status_ui(&mut self, ui: &mut egui::Ui, key: &str, dirty: bool) {
        ui.horizontal(|ui| {
            // A word, not "🗑": egui's bundled fonts have no such glyph (it drew as a
            // box), and a word is clearer anyway.
            let delete_button = ui.small_button("Delete");
            delete_button.widget_info(|| {
                egui::WidgetInfo::labeled(
                    egui::accesskit::Role::Button,
                    true,
                    format!("Delete {key}"),
                )
            });
            if delete_button
                .on_hover_text(format!("Delete {key}"))
                .clicked()
            {
                self.confirm_delete = Some(key.to_owned());
            }
            if dirty {
                ui.colored_label(Color32::YELLOW, "● unsaved");
            }
            match self.status.get(key) {
                Some(RowStatus::Saved) if !dirty => {
                    ui.colored_label(Color32::LIGHT_GREEN, "saved");
                }
                Some(RowStatus::Failed(msg)) => {
                    ui.colored_label(Color32::LIGHT_RED, "failed")
                        .on_hover_text(msg);
                    ui.label(RichText::new(msg).small().color(Color32::LIGHT_RED));
                }
                _ => {}
            }
        });
    }

    /// Apply all and Discard edits; returns every edited ticker when Apply all was clicked.
    fn apply_all_ui(&mut self, ui: &mut egui::Ui) -> Option<Vec<String>> {
        let mut all = None;
        ui.horizontal(|ui| {
            let n = self.edits.len();
            if ui
                .add_enabled(
                    n > 0 && self.apply.is_none(),
                    egui::Button::new(format!("Apply all ({n})")),
                )
                .clicked()
            {
                all = Some(self.edits.keys().cloned().collect());
            }
            if ui
                .add_enabled(n > 0, egui::Button::new("Discard edits"))
                .clicked()
            {
                self.edits.clear();
            }
            if self.apply.is_some() {
                ui.spinner();
            }
        });
        all
    }

    /// Saves the edits of `rows` in the background, one after the other.
    fn start_apply(
        &mut self,
        ctx: &egui::Context,
        rt: &tokio::runtime::Handle,
        store: &Store,
        rows: Vec<String>,
    ) {
        if rows.is_empty() {
            return;
        }
        let edits: Vec<(String, TickerEdit)> = rows
            .into_iter()
            .filter_map(|t| {
                let e = self.edits.get(&t)?;
                Some((
                    t,
                    TickerEdit {
                        name: Some(e.name.trim().to_owned()),
                        category: Some(e.category),
                        ..TickerEdit::default()
                    },
                ))
            })
            .collect();
        let store = store.clone();
        self.apply = Some(bg::spawn(rt, ctx, async move {
            let mut out = Vec::with_capacity(edits.len());
            for (ticker, edit) in edits {
                let r = store
                    .update_ticker(&ticker, &edit)
                    .await
                    .map_err(|e| e.to_string());
                out.push((ticker, r));
            }
            out
        }));
    }

    fn add_ui(&mut self, ui: &mut egui::Ui, rt: &tokio::runtime::Handle, store: &Store) {
        let category = self.tab;
        ui.label(format!("Add to {}", category.label()));
        let parsed = Ticker::parse(category, &self.add_symbol);
        ui.horizontal(|ui| {
            ui.add(
                egui::TextEdit::singleline(&mut self.add_symbol)
                    .id_salt("add_symbol")
                    .hint_text(match category {
                        Category::KoreanStock => "005930",
                        Category::UsStock => "AAPL",
                        Category::Index => "^GSPC",
                        Category::Currency => "KRW=X",
                    })
                    .desired_width(90.0),
            );
            ui.add(
                egui::TextEdit::singleline(&mut self.add_name)
                    .id_salt("add_name")
                    .hint_text("name")
                    .desired_width(110.0),
            );
            let can_add = parsed.is_ok() && self.add.is_none();
            if ui.add_enabled(can_add, egui::Button::new("Add")).clicked()
                && let Ok(ticker) = parsed.clone()
            {
                let mut meta = TickerMeta::new(ticker, self.add_name.trim());
                if let Some(market) = Ticker::market_hint(&self.add_symbol) {
                    meta.source_symbol = Some(format!("{}{}", meta.ticker, market.suffix()));
                }
                let store = store.clone();
                self.add = Some(bg::spawn(rt, ui.ctx(), async move {
                    store
                        .add_ticker(&meta)
                        .await
                        .map(|()| meta)
                        .map_err(|e| e.to_string())
                }));
            }
        });
        if !self.add_symbol.trim().is_empty()
            && let Err(err) = &parsed
        {
            ui.colored_label(Color32::LIGHT_RED, err.to_string());
        }
        match &self.add_message {
            Some(Ok(msg)) => {
                ui.colored_label(Color32::LIGHT_GREEN, msg);
            }
            Some(Err(msg)) => {
                ui.colored_label(Color32::LIGHT_RED, msg);
            }
            None => {}
        }
    }

    fn delete_confirm_ui(&mut self, ui: &mut egui::Ui, rt: &tokio::runtime::Handle, store: &Store) {
        let Some(ticker) = self.confirm_delete.clone() else {
            return;
        };
        let modal =
            egui::Modal::new(egui::Id::unique("confirm_delete_ticker")).show(ui.ctx(), |ui| {
                ui.heading(format!("Delete {ticker}?"));
                ui.label(
                    "Its metadata and every stored bar are removed, and it is taken out of \
                     every watchlist. This cannot be undone.",
                );
                ui.horizontal(|ui| {
                    if ui.button("Delete").clicked() {
                        let store = store.clone();
                        let t = ticker.clone();
                        self.delete = Some(bg::spawn(rt, ui.ctx(), async move {
                            let r = store.delete_ticker(&t).await.map_err(|e| e.to_string());
                            (t, r)
                        }));
                        self.confirm_delete = None;
                    }
                    if ui.button("Cancel").clicked() {
                        self.confirm_delete = None;
                    }
                });
            });
        if modal.should_close() {
            self.confirm_delete = None;
        }
    }
}

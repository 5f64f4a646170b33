//! Adding many series to the comparison at once — a whole category, every ticker matching
//! a filter, a pasted list (unknown tickers reported, the rest added) — and the watchlists
//! kept in the store: open, add, save the comparison as one, update, rename, delete.
//! Every store access runs in the background; the panel shows the outcome.

use poll_promise::Promise;

use super::bg;
use crate::model::{Category, shown};
use crate::store::{Store, TickerQuery, Watchlist, split_ticker_list};

/// What a finished background step asks of the comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AddOutcome {
    /// Append these tickers (those already shown stay where they are).
    Add(Vec<String>),
    /// Replace the comparison with these tickers (a watchlist opened).
    Replace(Vec<String>),
}

enum Done {
    /// Tickers to add or to show instead, and a message.
    Tickers(AddOutcome, String),
    /// A watchlist changed: a message; the list is read again.
    Changed(String),
    /// The watchlists of the store.
    Watchlists(Vec<Watchlist>),
}

type Job = Promise<Result<Done, String>>;

/// The "Add many" panel's state.
#[derive(Default)]
pub struct AddMany {
    filter: String,
    paste: String,
    job: Option<Job>,
    watchlists: Option<Vec<Watchlist>>,
    listing: Option<Job>,
    chosen: Option<String>,
    name: String,
    message: Option<(String, bool)>,
}

impl AddMany {
    /// Whether a background step is running.
    pub fn is_busy(&self) -> bool {
        self.job.is_some() || self.listing.is_some()
    }

    /// The last outcome's message, and whether it is an error.
    pub fn message(&self) -> Option<(&str, bool)> {
        self.message.as_ref().map(|(m, e)| (m.as_str(), *e))
    }

    /// The watchlists read from the store, once read.
    pub fn watchlists(&self) -> Option<&[Watchlist]> {
        self.watchlists.as_deref()
    }

    /// Reads the watchlists again at the next frame (another part of the app changed them:
    /// a deleted ticker is taken out of every watchlist).
    pub fn reread_watchlists(&mut self) {
        self.watchlists = None;
        self.listing = None;
    }

    fn start(
        &mut self,
        rt: &tokio::runtime::Handle,
        ctx: &egui::Context,
        fut: impl Future<Output = Result<Done, String>> + Send + 'static,
    ) {
        self.message = None;
        self.job = Some(bg::spawn(rt, ctx, fut));
    }

    /// Opens watchlist `name` (it replaces the comparison).
    pub fn open_watchlist(
        &mut self,
        name: &str,
        rt: &tokio::runtime::Handle,
        ctx: &egui::Context,
        store: &Store,
    ) {
        self.open_watchlists(&[name.to_owned()], Vec::new(), rt, ctx, store);
    }

    /// Shows `keep` followed by the tickers of the watchlists `names`, in order (for
    /// `--compare AAPL,@NAME`); a missing watchlist is reported and nothing changes.
    pub fn open_watchlists(
        &mut self,
        names: &[String],
        keep: Vec<String>,
        rt: &tokio::runtime::Handle,
        ctx: &egui::Context,
        store: &Store,
    ) {
        let (store, names) = (store.clone(), names.to_vec());
        self.start(rt, ctx, async move {
            let mut tickers = keep;
            let mut opened = Vec::new();
            for name in &names {
                let list = store
                    .existing_watchlist(name)
                    .await
                    .map_err(|e| e.to_string())?;
                for t in list.tickers {
                    if !tickers.contains(&t) {
                        tickers.push(t);
                    }
                }
                opened.push(list.name);
            }
            let msg = format!(
                "Opened watchlist {} ({} tickers)",
                opened.join(", "),
                tickers.len()
            );
            Ok(Done::Tickers(AddOutcome::Replace(tickers), msg))
        });
    }

    /// Adds every ticker of `category`.
    pub fn add_category(
        &mut self,
        category: Category,
        rt: &tokio::runtime::Handle,
        ctx: &egui::Context,
        store: &Store,
    ) {
        let store = store.clone();
        self.start(rt, ctx, async move {
            let q = TickerQuery {
                category: Some(category),
                ..TickerQuery::default()
            };
            let page = store.list_tickers(&q).await.map_err(|e| e.to_string())?;
            let tickers: Vec<String> = page
                .items
                .iter()
                .map(|m| m.ticker.as_str().to_owned())
                .collect();
            let msg = format!(
                "Added {} {}",
                tickers.len(),
                category.label().to_lowercase()
            );
            Ok(Done::Tickers(AddOutcome::Add(tickers), msg))
        });
    }

    /// Adds every ticker whose symbol starts with, or whose name contains, `filter`.
    pub fn add_matching(
        &mut self,
        filter: &str,
        rt: &tokio::runtime::Handle,
        ctx: &egui::Context,
        store: &Store,
    ) {
        let (store, filter) = (store.clone(), filter.trim().to_owned());
        if filter.is_empty() {
            self.message = Some(("Type a filter first".to_owned(), true));
            return;
        }
        self.start(rt, ctx, async move {
            let q = TickerQuery {
                filter: Some(filter.clone()),
                ..TickerQuery::default()
            };
            let page = store.list_tickers(&q).await.map_err(|e| e.to_string())?;
            let tickers: Vec<String> = page
                .items
                .iter()
                .map(|m| m.ticker.as_str().to_owned())
                .collect();
            let msg = format!(
                "Added {} tickers matching '{}'",
                tickers.len(),
                shown(&filter)
            );
            Ok(Done::Tickers(AddOutcome::Add(tickers), msg))
        });
    }

    /// Adds a pasted list (comma, space or newline separated); unknown tickers are reported.
    pub fn add_list(
        &mut self,
        text: &str,
        rt: &tokio::runtime::Handle,
        ctx: &egui::Context,
        store: &Store,
    ) {
        let wanted = split_ticker_list(text);
        if wanted.is_empty() {
            self.message = Some(("The list is empty".to_owned(), true));
            return;
        }
        let store = store.clone();
        self.start(rt, ctx, async move {
            let (known, unknown) = store
                .resolve_tickers(&wanted)
                .await
                .map_err(|e| e.to_string())?;
            let tickers: Vec<String> = known.iter().map(|m| m.ticker.as_str().to_owned()).collect();
            let mut msg = format!("Added {} tickers", tickers.len());
            if !unknown.is_empty() {
                let unknown: Vec<String> = unknown.iter().map(|t| shown(t)).collect();
                msg.push_str(&format!("; not in the ticker list: {}", unknown.join(", ")));
            }
            Ok(Done::Tickers(AddOutcome::Add(tickers), msg))
        });
    }

    fn refresh(&mut self, rt: &tokio::runtime::Handle, ctx: &egui::Context, store: &Store) {
        let store = store.clone();
        self.listing = Some(bg::spawn(rt, ctx, async move {
            store
                .watchlists()
                .await
                .map(Done::Watchlists)
                .map_err(|e| e.to_string())
        }));
    }

    /// Drains finished steps; returns what the comparison should do.
    pub fn poll(
        &mut self,
        rt: &tokio::runtime::Handle,
        ctx: &egui::Context,
        store: Option<&Store>,
    ) -> Option<AddOutcome> {
        if let Some(done) = bg::take_ready(&mut self.listing) {
            match done {
                Ok(Done::Watchlists(lists)) => {
                    if self
                        .chosen
                        .as_ref()
                        .is_some_and(|c| !lists.iter().any(|l| l.name == *c))
                    {
                        self.chosen = None;
                    }
                    self.watchlists = Some(lists);
                }
                Ok(_) => {}
                Err(e) => {
                    self.message = Some((format!("Could not read the watchlists: {e}"), true));
                }
            }
        }
        if self.watchlists.is_none()
            && self.listing.is_none()
            && let Some(store) = store
        {
            self.refresh(rt, ctx, store);
        }
        let done = bg::take_ready(&mut self.job)?;
        match done {
            Ok(Done::Tickers(outcome, msg)) => {
                self.message = Some((msg, false));
                Some(outcome)
            }
            Ok(Done::Changed(msg)) => {
                self.message = Some((msg, false));
                if let Some(store) = store {
                    self.refresh(rt, ctx, store);
                }
                None
            }
            Ok(Done::Watchlists(lists)) => {
                self.watchlists = Some(lists);
                None
            }
            Err(e) => {
                self.message = Some((e, true));
                if let Some(store) = store {
                    self.refresh(rt, ctx, store);
                }
                None
            }
        }
    }

    /// Shows the panel; `current` is the comparison's tickers (for "Save as" / "Update").
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        rt: &tokio::runtime::Handle,
        store: Option<&Store>,
        current: &[String],
    ) {
        let Some(store) = store else {
            ui.weak("The store is not open");
            return;
        };
        let ctx = ui.ctx().clone();
        let busy = self.job.is_some();
        ui.label("A whole category:");
        ui.horizontal_wrapped(|ui| {
            for (c, label) in [
                (Category::KoreanStock, "All Korean stocks"),
                (Category::UsStock, "All US stocks"),
                (Category::Index, "All indices"),
                (Category::Currency, "All currencies"),
            ] {
                if ui
                    .add_enabled(!busy, egui::Button::new(label).small())
                    .clicked()
                {
                    self.add_category(c, rt, &ctx, store);
                }
            }
        });
        ui.horizontal_wrapped(|ui| {
            ui.add(
                egui::TextEdit::singleline(&mut self.filter)
                    .hint_text("Ticker prefix or name")
                    .desired_width(110.0),
            );
            if ui
                .add_enabled(!busy, egui::Button::new("Add matching").small())
                .clicked()
            {
                let filter = self.filter.clone();
                self.add_matching(&filter, rt, &ctx, store);
            }
        });
        ui.add(
            egui::TextEdit::multiline(&mut self.paste)
                .hint_text("Paste tickers: AAPL, MSFT 005930 …")
                .desired_rows(2)
                .desired_width(f32::INFINITY),
        );
        if ui
            .add_enabled(!busy, egui::Button::new("Add list").small())
            .clicked()
        {
            let text = self.paste.clone();
            self.add_list(&text, rt, &ctx, store);
        }
        ui.separator();
        self.watchlists_ui(ui, rt, store, current);
        if busy {
            ui.spinner();
        }
        if let Some((msg, is_err)) = &self.message {
            let color = if *is_err {
                egui::Color32::LIGHT_RED
            } else {
                egui::Color32::LIGHT_GREEN
            };
            ui.colored_label(color, msg);
        }
    }

    fn watchlists_ui(
        &mut self,
        ui: &mut egui::Ui,
        rt: &tokio::runtime::Handle,
        store: &Store,
        current: &[String],
    ) {
        let busy = self.job.is_some();
        ui.label("Watchlists:");
        self.pick_watchlist_ui(ui);
        let chosen = self.chosen.clone();
        let enabled = chosen.is_some() && !busy;
        ui.horizontal_wrapped(|ui| {
            self.chosen_actions_ui(ui, (rt, store), current, chosen.as_deref(), enabled);
        });
        ui.horizontal_wrapped(|ui| self.save_or_rename_ui(ui, (rt, store), current, chosen, busy));
    }

    /// The watchlist menu (each with its count of tickers).
    fn pick_watchlist_ui(&mut self, ui: &mut egui::Ui) {
        let names: Vec<String> = self
            .watchlists
            .iter()
            .flatten()
            .map(|l| format!("{} ({})", l.name, l.tickers.len()))
            .collect();
        let lists: Vec<String> = self
            .watchlists
            .iter()
            .flatten()
            .map(|l| l.name.clone())
            .collect();
        ui.horizontal_wrapped(|ui| {
            let chosen_text = self
                .chosen
                .as_ref()
                .and_then(|c| lists.iter().position(|l| l == c))
                .map_or("Pick a watchlist", |i| names[i].as_str());
            egui::ComboBox::from_label("Watchlist")
                .selected_text(chosen_text)
                .show_ui(ui, |ui| {
                    for (name, label) in lists.iter().zip(&names) {
                        if ui
                            .selectable_label(self.chosen.as_ref() == Some(name), label)
                            .clicked()
                        {
                            self.chosen = Some(name.clone());
                        }
                    }
                });
            if lists.is_empty() {
                ui.weak("none yet");
            }
        });
    }

    /// Open, add the tickers of, update from the comparison or delete the `chosen`
    /// watchlist.
    fn chosen_actions_ui(
        &mut self,
        ui: &mut egui::Ui,
        (rt, store): (&tokio::runtime::Handle, &Store),
        current: &[String],
        chosen: Option<&str>,
        enabled: bool,
    ) {
        let ctx = ui.ctx().clone();
        if ui
            .add_enabled(enabled, egui::Button::new("Open").small())
            .on_hover_text("Show the watchlist's tickers instead of the comparison's")
            .clicked()
            && let Some(name) = chosen
        {
            self.open_watchlist(name, rt, &ctx, store);
        }
        if ui
            .add_enabled(enabled, egui::Button::new("Add its tickers").small())
            .clicked()
            && let Some(name) = chosen.map(str::to_owned)
        {
            let store = store.clone();
            self.start(rt, &ctx, async move {
                let list = store
                    .existing_watchlist(&name)
                    .await
                    .map_err(|e| e.to_string())?;
                let msg = format!("Added watchlist {}", list.name);
                Ok(Done::Tickers(AddOutcome::Add(list.tickers), msg))
            });
        }
        if ui
            .add_enabled(enabled, egui::Button::new("Update from comparison").small())
            .on_hover_text("Store the comparison's tickers, in order, in this watchlist")
            .clicked()
            && let Some(name) = chosen.map(str::to_owned)
        {
            let (store, tickers) = (store.clone(), current.to_vec());
            self.start(rt, &ctx, async move {
                let list = store
                    .set_watchlist_tickers(&name, &tickers)
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(Done::Changed(format!(
                    "Watchlist {} now holds {} tickers",
                    list.name,
                    list.tickers.len()
                )))
            });
        }
        if ui
            .add_enabled(enabled, egui::Button::new("Delete").small())
            .clicked()
            && let Some(name) = chosen.map(str::to_owned)
        {
            let store = store.clone();
            self.chosen = None;
            self.start(rt, &ctx, async move {
                store
                    .delete_watchlist(&name)
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(Done::Changed(format!("Deleted watchlist {name}")))
            });
        }
    }

    /// The name field, with "Save comparison as" and "Rename to" (the `chosen` watchlist).
    fn save_or_rename_ui(
        &mut self,
        ui: &mut egui::Ui,
        (rt, store): (&tokio::runtime::Handle, &Store),
        current: &[String],
        chosen: Option<String>,
        busy: bool,
    ) {
        let ctx = ui.ctx().clone();
        ui.add(
            egui::TextEdit::singleline(&mut self.name)
                .hint_text("Watchlist name")
                .desired_width(110.0),
        );
        if ui
            .add_enabled(
                !busy && !current.is_empty(),
                egui::Button::new("Save comparison as").small(),
            )
            .clicked()
        {
            let (store, name, tickers) = (store.clone(), self.name.clone(), current.to_vec());
            self.chosen = Some(name.trim().to_owned());
            self.start(rt, &ctx, async move {
                let list = store
                    .create_watchlist(&name, &tickers)
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(Done::Changed(format!(
                    "Saved watchlist {} ({} tickers)",
                    list.name,
                    list.tickers.len()
                )))
            });
        }
        if ui
            .add_enabled(
                !busy && chosen.is_some(),
                egui::Button::new("Rename to").small(),
            )
            .clicked()
            && let Some(from) = chosen
        {
            let (store, to) = (store.clone(), self.name.clone());
            self.chosen = Some(to.trim().to_owned());
            self.start(rt, &ctx, async move {
                let list = store
                    .rename_watchlist(&from, &to)
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(Done::Changed(format!("Renamed {from} to {}", list.name)))
            });
        }
    }
}

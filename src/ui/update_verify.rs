//! The Update tab's cross-source check: `wickview verify` from the panel. A run compares
//! the closes of the last N days of the chosen tickers (or every active one) with a second
//! source and checks Korean stocks against the KRX daily price limit, in the background;
//! each ticker with findings can have its history replaced from its first source.

use std::collections::HashMap;
use std::sync::Arc;

use futures::StreamExt as _;
use poll_promise::Promise;
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TryRecvError;
use tokio_util::sync::CancellationToken;

use crate::source::{SourceConfig, SourceSet};
use crate::store::Store;
use crate::update::verify::{self, LastDays, Refetched, TickerReport};

/// Tickers verified at once.
const CONCURRENCY: usize = 4;

/// What a verification run sends to the panel.
#[derive(Debug)]
enum Message {
    /// The tickers are known.
    Started(usize),
    /// One ticker's report.
    Report(Box<TickerReport>),
    /// The run could not go on (a store error, an unknown ticker).
    Failed(String),
}

/// One verification run as the panel shows it.
#[derive(Default)]
pub struct VerifyProgress {
    /// Tickers the run covers, once known.
    pub total: Option<usize>,
    /// Reports received, in completion order.
    pub reports: Vec<TickerReport>,
    /// Why the run stopped early.
    pub error: Option<String>,
    /// Whether the run has ended.
    pub over: bool,
}

impl VerifyProgress {
    /// Reports with findings.
    pub fn with_findings(&self) -> impl Iterator<Item = &TickerReport> {
        self.reports.iter().filter(|r| r.has_findings())
    }
}

struct Run {
    events: mpsc::Receiver<Message>,
    cancel: CancellationToken,
    progress: VerifyProgress,
    /// The sources of this run, kept for its refetches (`None` when they could not be
    /// built).
    sources: Option<Arc<SourceSet>>,
}

/// A refetch from the panel: the ticker's history replaced from its first source.
type RefetchResult = Result<Refetched, String>;

/// The panel section's state.
pub struct VerifyPanel {
    days: u32,
    tickers: String,
    run: Option<Run>,
    refetches: HashMap<String, Promise<RefetchResult>>,
    /// Tickers whose replaced history the views were told of.
    reported: std::collections::HashSet<String>,
}

impl Default for VerifyPanel {
    fn default() -> Self {
        Self {
            days: verify::DEFAULT_DAYS,
            tickers: String::new(),
            run: None,
            refetches: HashMap::new(),
            reported: std::collections::HashSet::new(),
        }
    }
}

impl VerifyPanel {
    /// The latest run's progress, if any.
    pub fn progress(&self) -> Option<&VerifyProgress> {
        self.run.as_ref().map(|r| &r.progress)
    }

    /// Whether a run is under way.
    pub fn is_running(&self) -> bool {
        self.run.as_ref().is_some_and(|r| !r.progress.over)
    }

    /// Tickers whose history a refetch replaced since the last call.
    pub fn take_replaced(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        for (ticker, promise) in &self.refetches {
            if matches!(promise.ready(), Some(Ok(_))) && self.reported.insert(ticker.clone()) {
                out.push(ticker.clone());
            }
        }
        out
    }

    /// The refetch of `ticker`, once it ended: the lines it printed or why it failed.
    pub fn refetch_result(&self, ticker: &str) -> Option<&RefetchResult> {
        self.refetches.get(ticker).and_then(Promise::ready)
    }

    /// Starts verifying `names` (every active ticker when empty) over the last `days`.
    pub fn start(
        &mut self,
        names: Vec<String>,
        days: u32,
        config: &SourceConfig,
        rt: &tokio::runtime::Handle,
        store: &Store,
    ) {
        if let Some(run) = &self.run {
            run.cancel.cancel();
        }
        let (tx, events) = mpsc::channel(64);
        let cancel = CancellationToken::new();
        let mut progress = VerifyProgress::default();
        let sources = match verify::source_set(config, None) {
            Ok(set) => {
                let set = Arc::new(set);
                let (store, run_set, stop) = (store.clone(), Arc::clone(&set), cancel.clone());
                rt.spawn(async move {
                    tokio::select! {
                        () = verify_all(store, run_set, names, days, &tx) => {}
                        () = stop.cancelled() => {}
                    }
                });
                Some(set)
            }
            Err(err) => {
                progress.error = Some(err.to_string());
                progress.over = true;
                None
            }
        };
        self.refetches.clear();
        self.reported.clear();
        self.run = Some(Run {
            events,
            cancel,
            progress,
            sources,
        });
    }

    /// Stops the run under way.
    pub fn cancel(&mut self) {
        if let Some(run) = &mut self.run {
            run.cancel.cancel();
            if !run.progress.over {
                run.progress.over = true;
                run.progress.error = Some("cancelled".to_owned());
            }
        }
    }

    /// Replaces `ticker`'s history from its first source that answers, in the background.
    pub fn refetch(&mut self, ticker: &str, rt: &tokio::runtime::Handle, store: &Store) {
        let Some(set) = self.run.as_ref().and_then(|r| r.sources.clone()) else {
            return;
        };
        let (store, name) = (store.clone(), ticker.to_owned());
        let (sender, promise) = Promise::new();
        rt.spawn(async move {
            let result = match store.ticker(&name).await {
                Ok(Some(meta)) => verify::refetch_one(&store, &set, &meta, None)
                    .await
                    .unwrap_or_else(|err| Err(format!("store: {err}"))),
                Ok(None) => Err(format!("{name} is no longer stored")),
                Err(err) => Err(format!("store: {err}")),
            };
            sender.send(result);
        });
        self.refetches.insert(ticker.to_owned(), promise);
    }

    /// Drains the run's reports and notes finished refetches; asks for another frame while
    /// anything is under way.
    pub fn tick(&mut self, ctx: &egui::Context) {
        let mut busy = false;
        if let Some(run) = &mut self.run {
            loop {
                match run.events.try_recv() {
                    Ok(Message::Started(n)) => run.progress.total = Some(n),
                    Ok(Message::Report(report)) => run.progress.reports.push(*report),
                    Ok(Message::Failed(why)) => run.progress.error = Some(why),
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => {
                        run.progress.over = true;
                        break;
                    }
                }
            }
            busy |= !run.progress.over;
        }
        busy |= self.refetches.values().any(|p| p.ready().is_none());
        if busy {
            ctx.request_repaint_after(std::time::Duration::from_millis(100));
        }
    }

    /// Shows the section: tickers and days, the run's progress, each ticker with findings
    /// with its lines and a button that replaces its history.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        config: &SourceConfig,
        rt: &tokio::runtime::Handle,
        store: &Store,
    ) {
        self.tick(ui.ctx());
        let findings = self.progress().map_or(0, |p| p.with_findings().count());
        let title = if findings > 0 {
            format!("Verify against a second source ({findings} with findings)")
        } else {
            "Verify against a second source".to_owned()
        };
        egui::CollapsingHeader::new(title)
            .id_salt("update_verify")
            .show(ui, |ui| {
                ui.small(
                    "Compares the stored closes of the last days with another source (more \
                     than 0.5% apart, days missing or extra) and checks Korean stocks' whole \
                     history against the KRX daily price limit.",
                );
                ui.horizontal(|ui| {
                    let label = ui.label("Tickers");
                    ui.add(
                        egui::TextEdit::singleline(&mut self.tickers)
                            .hint_text("all active")
                            .desired_width(140.0),
                    )
                    .labelled_by(label.id);
                    let label = ui.label("Days");
                    ui.add(egui::DragValue::new(&mut self.days).range(1..=20_000))
                        .labelled_by(label.id);
                });
                ui.horizontal(|ui| {
                    if ui
                        .add_enabled(!self.is_running(), egui::Button::new("Verify"))
                        .clicked()
                    {
                        let names = self
                            .tickers
                            .split([',', ' '])
                            .filter(|s| !s.is_empty())
                            .map(str::to_owned)
                            .collect();
                        self.start(names, self.days, config, rt, store);
                    }
                    if self.is_running() && ui.button("Cancel verify").clicked() {
                        self.cancel();
                    }
                });
                self.progress_ui(ui, rt, store);
            });
    }

    fn progress_ui(&mut self, ui: &mut egui::Ui, rt: &tokio::runtime::Handle, store: &Store) {
        let Some(run) = &self.run else {
            return;
        };
        let p = &run.progress;
        let done = p.reports.len();
        let total = p.total.unwrap_or(0);
        if !p.over {
            let fraction = if total > 0 {
                done as f32 / total as f32
            } else {
                0.0
            };
            ui.add(
                egui::ProgressBar::new(fraction)
                    .show_percentage()
                    .animate(true),
            );
        }
        let found = p.with_findings().count();
        ui.label(format!(
            "{}{done} of {total} tickers verified: {} clean, {found} with findings",
            if p.over { "" } else { "verifying: " },
            done - found
        ));
        if let Some(error) = &p.error {
            ui.colored_label(egui::Color32::LIGHT_RED, error);
        }
        let mut asked = None;
        for report in p.with_findings() {
            let t = report.ticker.as_str();
            ui.separator();
            for (i, line) in report.lines().iter().enumerate() {
                if i == 0 {
                    ui.colored_label(egui::Color32::LIGHT_RED, line);
                } else {
                    ui.small(line);
                }
            }
            // A report that only says the other source did not answer has nothing to
            // replace.
            let replaceable = !report.breaches.is_empty()
                || report.comparison.as_ref().is_some_and(|c| !c.is_clean());
            let from = report
                .refetch_from
                .map_or("its first source", |id| id.label());
            match self.refetches.get(t).map(Promise::ready) {
                None if replaceable
                    && ui
                        .button(format!("Replace {t}'s history"))
                        .on_hover_text(format!(
                            "Fetches the whole history again from {from} (or, when it fails, \
                             the next source of {t}'s category) and replaces the stored one"
                        ))
                        .clicked() =>
                {
                    asked = Some(t.to_owned());
                }
                None => {}
                Some(None) => {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label(format!("fetching the whole history from {from}…"));
                    });
                }
                Some(Some(Ok(done))) => {
                    for line in &done.lines {
                        ui.small(line);
                    }
                    for b in &done.breaches {
                        ui.small(format!(
                            "still in {}'s history: {}",
                            done.source,
                            b.describe()
                        ));
                    }
                }
                Some(Some(Err(why))) => {
                    ui.colored_label(egui::Color32::LIGHT_RED, format!("not replaced: {why}"));
                }
            }
        }
        if let Some(ticker) = asked {
            self.refetch(&ticker, rt, store);
        }
    }
}

/// Verifies `names` (every active ticker when empty), sending each report as it comes.
async fn verify_all(
    store: Store,
    set: Arc<SourceSet>,
    names: Vec<String>,
    days: u32,
    tx: &mpsc::Sender<Message>,
) {
    let metas = match verify::targets(&store, &names).await {
        Ok(metas) => metas,
        Err(err) => {
            let _closed = tx.send(Message::Failed(err.to_string())).await;
            return;
        }
    };
    let last_days = match LastDays::of(&store, &metas).await {
        Ok(days) => days,
        Err(err) => {
            let _closed = tx.send(Message::Failed(format!("store: {err}"))).await;
            return;
        }
    };
    if tx.send(Message::Started(metas.len())).await.is_err() {
        return;
    }
    let mut reports = futures::stream::iter(metas.into_iter().map(|meta| {
        let (store, set, last) = (store.clone(), Arc::clone(&set), last_days.get(&meta));
        async move { verify::verify_one(&store, &set, &meta, days, None, last).await }
    }))
    .buffered(CONCURRENCY);
    while let Some(report) = reports.next().await {
        let message = match report {
            Ok(report) => Message::Report(Box::new(report)),
            Err(err) => Message::Failed(format!("store: {err}")),
        };
        if tx.send(message).await.is_err() {
            return;
        }
    }
}

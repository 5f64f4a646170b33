//! The side panel's updaters: one button per category and one for all. Each run is an
//! [`UpdateJob`] in the background with progress, failures with reasons and a cancel button,
//! while the user keeps browsing; tickers that got new bars are handed to the views.

use futures::FutureExt as _;
use tokio::sync::mpsc::error::TryRecvError;
use tokio::task::JoinHandle;

use crate::model::Category;
use crate::source::SourceConfig;
use crate::store::Store;
use crate::update::{
    UpdateConfig, UpdateError, UpdateEvent, UpdateHandle, UpdateJob, UpdateSummary,
};

/// What one button updates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// One category.
    Category(Category),
    /// Every category.
    All,
}

impl Target {
    /// Every button, in order.
    pub const ALL: [Self; 5] = [
        Self::Category(Category::KoreanStock),
        Self::Category(Category::UsStock),
        Self::Category(Category::Index),
        Self::Category(Category::Currency),
        Self::All,
    ];

    /// Button label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Category(c) => c.label(),
            Self::All => "All categories",
        }
    }

    fn categories(self) -> Vec<Category> {
        match self {
            Self::Category(c) => vec![c],
            Self::All => Category::ALL.to_vec(),
        }
    }

    fn overlaps(self, other: Self) -> bool {
        match (self, other) {
            (Self::Category(a), Self::Category(b)) => a == b,
            _ => true,
        }
    }
}

/// Progress of one run, as the panel shows it.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct RunProgress {
    /// Tickers the run covers (known once it started).
    pub total: Option<usize>,
    /// Tickers finished, failed or not.
    pub done: usize,
    /// Days newly stored or changed, of finished tickers and of those still being written.
    pub bars_written: u64,
    /// Days written so far of tickers still being written (counted in `bars_written`).
    in_flight: std::collections::HashMap<String, u64>,
    /// Failed tickers with reasons.
    pub failures: Vec<(String, String)>,
    /// Tickers a fallback source served: ticker, source, why the earlier ones were passed
    /// over.
    pub fallbacks: Vec<(String, crate::source::SourceId, String)>,
    /// Tickers whose stored close of the day fetched again differs from what the serving
    /// source sends now (the update's own cross-source check).
    pub disagreements: Vec<(String, crate::source::SourceId, crate::check::Disagreement)>,
    /// Finished tickers the source had nothing new for (no day stored or changed).
    pub up_to_date: usize,
    /// The summary, once the run ended.
    pub summary: Option<UpdateSummary>,
    /// Why the run as a whole failed (the store went away, the job could not start or
    /// crashed), once it ended that way.
    pub error: Option<String>,
}

impl RunProgress {
    /// Whether the run has ended (finished or cancelled).
    pub fn is_over(&self) -> bool {
        self.summary.is_some()
    }
}

struct Run {
    target: Target,
    handle: Option<UpdateHandle>,
    /// The job's own result: its error is what the panel shows when the run fails.
    task: Option<JoinHandle<Result<UpdateSummary, UpdateError>>>,
    progress: RunProgress,
    cancel_requested: bool,
}

/// The panel's state.
pub struct UpdatePanel {
    source: SourceConfig,
    concurrency: usize,
    runs: Vec<Run>,
    updated: Vec<String>,
    verify: super::update_verify::VerifyPanel,
}

impl UpdatePanel {
    /// A panel whose runs download from `source_url` (a mirror or test server), or from the
    /// `WICKVIEW_SOURCE_URL` environment variable, or from Yahoo Finance.
    pub fn new(source_urls: &[String]) -> Self {
        // The command line checked the values before the window opened.
        let source = SourceConfig::from_flags(source_urls).unwrap_or_else(|e| {
            tracing::warn!("{e}; using the public sources");
            SourceConfig::from_flag_or_env(None)
        });
        Self {
            source,
            concurrency: UpdateConfig::default().concurrency,
            runs: Vec::new(),
            updated: Vec::new(),
            verify: super::update_verify::VerifyPanel::default(),
        }
    }

    /// Applies the config file's `[source]` timeouts to the runs this panel starts.
    #[must_use]
    pub fn with_source_settings(mut self, settings: &crate::source::SourceSettings) -> Self {
        self.source = self.source.with_settings(settings);
        self
    }

    /// Tickers that got new bars since the last call.
    pub fn take_updated_tickers(&mut self) -> Vec<String> {
        let mut out = std::mem::take(&mut self.updated);
        out.extend(self.verify.take_replaced());
        out
    }

    /// The cross-source check of the panel.
    pub fn verify(&mut self) -> &mut super::update_verify::VerifyPanel {
        &mut self.verify
    }

    /// The sources the panel's runs use.
    pub fn source_config(&self) -> &SourceConfig {
        &self.source
    }

    /// Progress of the latest run of `target`, if any.
    pub fn progress(&self, target: Target) -> Option<&RunProgress> {
        self.runs
            .iter()
            .rev()
            .find(|r| r.target == target)
            .map(|r| &r.progress)
    }

    /// Whether a run of `target` (or one overlapping it) is under way.
    pub fn is_running(&self, target: Target) -> bool {
        self.runs
            .iter()
            .any(|r| r.handle.is_some() && r.target.overlaps(target))
    }

    /// Starts a run of `target` on `rt`, unless an overlapping one is under way.
    pub fn start(&mut self, target: Target, rt: &tokio::runtime::Handle, store: &Store) -> bool {
        if self.is_running(target) {
            return false;
        }
        let config = UpdateConfig {
            categories: target.categories(),
            concurrency: self.concurrency,
            ..UpdateConfig::default()
        };
        let (handle, task) = UpdateJob::spawn(store.clone(), self.source.clone(), config, rt);
        self.runs.retain(|r| r.target != target);
        self.runs.push(Run {
            target,
            handle: Some(handle),
            task: Some(task),
            progress: RunProgress::default(),
            cancel_requested: false,
        });
        true
    }

    /// Asks the run of `target` to stop.
    pub fn cancel(&mut self, target: Target) {
        for r in &mut self.runs {
            if r.target == target
                && let Some(h) = &r.handle
            {
                h.cancel();
                r.cancel_requested = true;
            }
        }
    }

    /// Drains the events of every run.
    pub fn poll(&mut self) {
        for run in &mut self.runs {
            let Some(handle) = &mut run.handle else {
                continue;
            };
            loop {
                match handle.events.try_recv() {
                    Ok(event) => apply_event(&mut run.progress, &mut self.updated, event),
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => {
                        if run.progress.summary.is_some() {
                            run.handle = None;
                            run.task = None;
                        } else if let Some(result) = run.task.as_mut().and_then(|t| {
                            // The channel closes as the job returns: its result follows.
                            t.is_finished().then(|| t.now_or_never()).flatten()
                        }) {
                            // The job ended without its final event: it failed as a whole.
                            let error = match result {
                                Ok(Ok(_)) => "the update ended without a summary".to_owned(),
                                Ok(Err(e)) => e.to_string(),
                                Err(e) => UpdateError::Task(task_failure(e)).to_string(),
                            };
                            tracing::error!("update of {} failed: {error}", run.target.label());
                            run.progress.error = Some(error);
                            run.progress.summary = Some(UpdateSummary::default());
                            run.handle = None;
                            run.task = None;
                        }
                        break;
                    }
                }
            }
        }
    }

    /// Drains every run's events and, while one runs, schedules the next frame. Called every
    /// frame whether or not the panel is shown: a job waits when its bounded event channel is
    /// full, so a hidden panel must not stall an update.
    pub fn tick(&mut self, ctx: &egui::Context) {
        self.poll();
        self.verify.tick(ctx);
        if self.runs.iter().any(|r| r.handle.is_some()) {
            // Events arrive from the job; check again shortly while it runs.
            ctx.request_repaint_after(std::time::Duration::from_millis(100));
        }
    }

    /// Shows the panel.
    pub fn ui(&mut self, ui: &mut egui::Ui, rt: &tokio::runtime::Handle, store: Option<&Store>) {
        self.tick(ui.ctx());
        let last = self
            .runs
            .iter()
            .rev()
            .find_map(|r| r.progress.summary.as_ref());
        super::update_sources::sources_ui(ui, &self.source, last);
        ui.horizontal(|ui| {
            let label = ui.label("Downloads at once");
            ui.add(egui::DragValue::new(&mut self.concurrency).range(1..=16))
                .labelled_by(label.id);
        });
        let Some(store) = store else {
            ui.label("No store connected.");
            return;
        };
        ui.small(
            "Each run fetches, for every active ticker, the days after its last stored \
             bar (and that day again).",
        );
        for target in Target::ALL {
            ui.separator();
            ui.horizontal(|ui| {
                let running = self.is_running(target);
                if ui
                    .add_enabled(
                        !running,
                        egui::Button::new(format!("Update {}", target.label())),
                    )
                    .clicked()
                {
                    self.start(target, rt, store);
                }
                let mine = self
                    .runs
                    .iter()
                    .any(|r| r.target == target && r.handle.is_some());
                if mine && ui.button(format!("Cancel {}", target.label())).clicked() {
                    self.cancel(target);
                }
            });
            if let Some(run) = self.runs.iter().find(|r| r.target == target) {
                progress_ui(ui, run);
            }
        }
        ui.separator();
        self.verify.ui(ui, &self.source, rt, store);
    }
}

/// A panicked or aborted task, in words.
fn task_failure(err: tokio::task::JoinError) -> String {
    if err.is_panic() {
        let payload = err.into_panic();
        format!(
            "it panicked: {}",
            super::bg::panic_message(payload.as_ref())
        )
    } else {
        "it was aborted".to_owned()
    }
}

fn apply_event(progress: &mut RunProgress, updated: &mut Vec<String>, event: UpdateEvent) {
    match event {
        UpdateEvent::Started { total } => progress.total = Some(total),
        UpdateEvent::BarsStored {
            ticker,
            written_so_far,
        } => {
            let before = progress
                .in_flight
                .insert(ticker, written_so_far)
                .unwrap_or(0);
            progress.bars_written += written_so_far.saturating_sub(before);
        }
        UpdateEvent::TickerDone {
            ticker,
            bars_written,
            source,
            fallback,
            overlap,
            ..
        } => {
            progress.done += 1;
            if let Some(why) = fallback {
                progress.fallbacks.push((ticker.clone(), source, why));
            }
            if let Some(d) = overlap {
                progress.disagreements.push((ticker.clone(), source, d));
            }
            let counted = progress.in_flight.remove(&ticker).unwrap_or(0);
            progress.bars_written += bars_written.saturating_sub(counted);
            if bars_written > 0 {
                updated.push(ticker);
            } else {
                progress.up_to_date += 1;
            }
        }
        UpdateEvent::TickerFailed { ticker, reason, .. } => {
            progress.done += 1;
            // What landed before the failure stays stored and counted.
            progress.in_flight.remove(&ticker);
            progress.failures.push((ticker, reason));
        }
        UpdateEvent::Finished(summary) | UpdateEvent::Cancelled(summary) => {
            progress.summary = Some(summary);
        }
    }
}

fn progress_ui(ui: &mut egui::Ui, run: &Run) {
    let p = &run.progress;
    let total = p.total.unwrap_or(0);
    let fraction = if total > 0 {
        p.done as f32 / total as f32
    } else if p.is_over() {
        1.0
    } else {
        0.0
    };
    let state = match &p.summary {
        Some(_) if p.error.is_some() => "failed",
        Some(s) if s.cancelled => "cancelled",
        Some(_) => "finished",
        None if run.cancel_requested => "cancelling…",
        None if p.total.is_none() => "starting…",
        None => "running",
    };
    ui.add(
        egui::ProgressBar::new(fraction)
            .show_percentage()
            .animate(!p.is_over()),
    );
    ui.label(format!(
        "{state}: {} / {total} tickers, {} bars written, {} failed{}",
        p.done,
        p.bars_written,
        p.failures.len(),
        if p.up_to_date > 0 {
            format!(", {} up to date", p.up_to_date)
        } else {
            String::new()
        }
    ));
    if let Some(error) = &p.error {
        ui.colored_label(egui::Color32::LIGHT_RED, format!("The run failed: {error}"));
    }
    if let Some(line) = p.summary.as_ref().and_then(left_undone) {
        ui.label(line);
    }
    if let Some(line) = p
        .summary
        .as_ref()
        .and_then(super::update_sources::served_line)
    {
        ui.small(line);
    }
    super::update_sources::fallbacks_ui(ui, run.target.label(), &p.fallbacks);
    super::update_sources::disagreements_ui(ui, run.target.label(), &p.disagreements);
    if !p.failures.is_empty() {
        egui::CollapsingHeader::new(format!("Failures ({})", p.failures.len()))
            .id_salt(("failures", run.target.label()))
            .show(ui, |ui| {
                for (ticker, reason) in &p.failures {
                    ui.horizontal_wrapped(|ui| {
                        ui.strong(ticker);
                        ui.colored_label(egui::Color32::LIGHT_RED, reason);
                    });
                }
            });
    }
}

/// The tickers a cancelled run left: those whose download the cancel stopped, and those it
/// never started (`None` when there are none).
pub fn left_undone(s: &UpdateSummary) -> Option<String> {
    let tickers = |n: usize| if n == 1 { "ticker" } else { "tickers" };
    match (s.interrupted, s.not_attempted) {
        (0, 0) => None,
        (c, 0) => Some(format!("{c} {} cancelled while downloading", tickers(c))),
        (0, n) => Some(format!("{n} {} not attempted", tickers(n))),
        (c, n) => Some(format!(
            "{c} {} cancelled while downloading, {n} not attempted",
            tickers(c)
        )),
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::*;
    use crate::model::{Ticker, TickerMeta};
    use crate::store::StoreConfig;

    /// Bars count as they land, once: the ticker's final total does not add them again.
    #[test]
    fn bars_written_move_per_batch_and_count_once() {
        let mut p = RunProgress::default();
        let mut updated = Vec::new();
        let stored = |n| UpdateEvent::BarsStored {
            ticker: "AAPL".into(),
            written_so_far: n,
        };
        apply_event(&mut p, &mut updated, UpdateEvent::Started { total: 2 });
        apply_event(&mut p, &mut updated, stored(1000));
        assert_eq!((p.done, p.bars_written), (0, 1000));
        apply_event(&mut p, &mut updated, stored(2000));
        assert_eq!(p.bars_written, 2000);
        apply_event(
            &mut p,
            &mut updated,
            UpdateEvent::TickerDone {
                ticker: "AAPL".into(),
                category: Category::UsStock,
                symbol: "AAPL".into(),
                source: crate::source::SourceId::Yahoo,
                fallback: None,
                bars_fetched: 2500,
                bars_written: 2500,
                skipped_nulls: 0,
                rejected_bars: 0,
                readjusted: None,
                overlap: None,
            },
        );
        assert_eq!((p.done, p.bars_written), (1, 2500));
        assert_eq!(updated, ["AAPL"]);
    }

    /// A ticker the source had nothing new for is counted up to date, not updated.
    #[test]
    fn a_ticker_with_nothing_new_is_up_to_date() {
        let mut p = RunProgress::default();
        let mut updated = Vec::new();
        apply_event(
            &mut p,
            &mut updated,
            UpdateEvent::TickerDone {
                ticker: "AAPL".into(),
                category: Category::UsStock,
                symbol: "AAPL".into(),
                source: crate::source::SourceId::Yahoo,
                fallback: None,
                bars_fetched: 0,
                bars_written: 0,
                skipped_nulls: 0,
                rejected_bars: 0,
                readjusted: None,
                overlap: None,
            },
        );
        assert_eq!((p.done, p.up_to_date, p.failures.len()), (1, 1, 0));
        assert!(updated.is_empty());
    }

    /// A cancelled run names the tickers whose download it stopped apart from those it
    /// never started.
    #[test]
    fn a_cancel_counts_downloads_in_flight_as_cancelled() {
        let s = |interrupted, not_attempted| UpdateSummary {
            interrupted,
            not_attempted,
            cancelled: true,
            ..UpdateSummary::default()
        };
        assert_eq!(left_undone(&s(0, 0)), None);
        assert_eq!(
            left_undone(&s(1, 0)).as_deref(),
            Some("1 ticker cancelled while downloading")
        );
        assert_eq!(
            left_undone(&s(2, 7)).as_deref(),
            Some("2 tickers cancelled while downloading, 7 not attempted")
        );
        assert_eq!(
            left_undone(&s(0, 3)).as_deref(),
            Some("3 tickers not attempted")
        );
    }

    /// A run that fails as a whole (here: the store refuses writes) shows the job's own
    /// error in the panel, not "see the log".
    #[test]
    fn a_failed_run_shows_its_error() {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let config = StoreConfig::Embedded {
            data_dir: dir.path().to_path_buf(),
        };
        let (server, store) = rt.block_on(async {
            let server = MockServer::start().await;
            Mock::given(method("GET"))
                .and(path("/v8/finance/chart/MSFT"))
                .respond_with(ResponseTemplate::new(200).set_body_string(include_str!(
                    "../../tests/fixtures/yahoo/msft_today_twice.json"
                )))
                .mount(&server)
                .await;
            let writable = Store::open(&config).await.unwrap();
            let ticker = Ticker::parse(Category::UsStock, "MSFT").unwrap();
            writable
                .add_ticker(&TickerMeta::new(ticker, "Microsoft"))
                .await
                .unwrap();
            (server, Store::open_read_only(&config).await.unwrap())
        });
        let mut panel = UpdatePanel::new(&[server.uri()]);
        let target = Target::Category(Category::UsStock);
        assert!(panel.start(target, rt.handle(), &store));
        let started = Instant::now();
        while panel.progress(target).is_some_and(|p| !p.is_over()) {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "run never ended"
            );
            std::thread::sleep(Duration::from_millis(20));
            panel.poll();
        }
        let progress = panel.progress(target).unwrap();
        let error = progress.error.as_deref().unwrap_or_default();
        assert!(error.contains("read-only"), "{progress:?}");
        assert!(!panel.is_running(target));
    }
}

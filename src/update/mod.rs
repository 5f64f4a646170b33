//! Background update jobs: fetch what is newer than the last stored bar of each ticker.
//!
//! Depends on `model`, `store` and `source`.
//!
//! One [`UpdateJob`] run: list the active tickers of the requested categories, find the
//! last stored day of each (one query per category), then download from that day
//! (inclusive: it may have been partial) to today with a bounded number of downloads at
//! once over one HTTP client, and upsert each ticker's bars. Progress goes out as
//! [`UpdateEvent`]s over a bounded channel; [`UpdateHandle::cancel`] stops the run
//! promptly. A ticker's bars are upserted in one call after its download completes, and
//! a cancel never interrupts that call, so a cancelled run leaves every ticker either
//! updated for its fetched range or untouched; running again completes the work.
//!
//! ```no_run
//! # async fn demo(store: wickview::store::Store) {
//! use wickview::update::{UpdateConfig, UpdateEvent, UpdateJob};
//! let (mut handle, job) = UpdateJob::spawn(
//!     store,
//!     wickview::source::SourceConfig::default(),
//!     UpdateConfig::default(),
//!     &tokio::runtime::Handle::current(),
//! );
//! while let Some(event) = handle.events.recv().await {
//!     if let UpdateEvent::TickerFailed { ticker, reason, .. } = &event {
//!         eprintln!("{ticker}: {reason}");
//!     }
//! }
//! let summary = job.await;
//! # }
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use futures::StreamExt as _;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

mod fetch;
pub mod readjust;
pub mod verify;

use crate::model::{BarIssue, Category, TickerMeta, latest_day};
use crate::source::{SourceConfig, SourceError, SourceHealth, SourceId, SourceSet};
use crate::store::{Provenance, Store, StoreError, TickerEdit, TickerQuery};

/// Errors that stop a whole run (per-ticker failures are events instead).
#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    /// The store could not list tickers or last days.
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// The HTTP client could not be built.
    #[error("source: {0}")]
    Source(#[from] SourceError),
    /// The job's task panicked or was aborted.
    #[error("the update task ended abnormally: {0}")]
    Task(String),
    /// The store went away during the run (server unreachable, login refused, disk
    /// full): the run stopped instead of failing every remaining ticker the same way.
    /// Tickers already stored stay; a rerun completes the rest.
    #[error("stopped: {source} ({done} of {total} tickers done before)")]
    StoreLost {
        /// What the store said.
        #[source]
        source: StoreError,
        /// Tickers finished (stored or failed) before the run stopped.
        done: usize,
        /// Tickers of the run.
        total: usize,
    },
}

/// What to update and how.
#[derive(Clone, Debug, PartialEq)]
pub struct UpdateConfig {
    /// Categories whose active tickers are updated.
    pub categories: Vec<Category>,
    /// Downloads at once (at least 1).
    pub concurrency: usize,
    /// First day fetched for a ticker with no stored bars.
    pub default_start: NaiveDate,
    /// The last day fetched; `None` for today (UTC; the source adds margin for time zones).
    pub today: Option<NaiveDate>,
    /// Capacity of the bounded event channel.
    pub event_capacity: usize,
}

/// The default first day of a ticker with no bars: early enough to be Yahoo's whole
/// history for nearly every symbol.
pub fn default_start() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 3).unwrap_or(NaiveDate::MIN)
}

impl Default for UpdateConfig {
    fn default() -> Self {
        Self {
            categories: Category::ALL.to_vec(),
            concurrency: 6,
            default_start: default_start(),
            today: None,
            event_capacity: 256,
        }
    }
}

/// Progress of a run, in order: `Started`, then per ticker any number of `BarsStored` and
/// one `TickerDone` or `TickerFailed` (tickers in completion order), then `Finished` or
/// `Cancelled`.
#[derive(Clone, Debug, PartialEq)]
pub enum UpdateEvent {
    /// The tickers to update are known.
    Started {
        /// How many tickers this run covers.
        total: usize,
    },
    /// A ticker was downloaded and stored.
    TickerDone {
        /// The canonical ticker (`005930`, `AAPL`).
        ticker: String,
        /// Its category.
        category: Category,
        /// The source symbol that answered (`005930.KS`).
        symbol: String,
        /// The source that served the ticker.
        source: SourceId,
        /// Why the sources before it were passed over (`Yahoo Finance: HTTP 503; …`), when
        /// a fallback served the ticker.
        fallback: Option<String>,
        /// Bars fetched (valid ones, sent to the store).
        bars_fetched: usize,
        /// Days newly stored or changed.
        bars_written: u64,
        /// Days skipped because the source sent nulls.
        skipped_nulls: usize,
        /// Impossible bars left out.
        rejected_bars: usize,
        /// Set when the whole history was fetched again and replaced (a new split, or
        /// the overlapping day disagreed): `history re-adjusted: 4:1 split on 2020-07-20`.
        readjusted: Option<String>,
        /// The close of the day fetched again (the last stored one) differs from the stored
        /// close by more than 0.5% while the history was kept (see
        /// [`readjust::overlap_close`]): the source disagrees with the stored bar.
        overlap: Option<crate::check::Disagreement>,
    },
    /// Part of a ticker's bars landed in the store (sent after every batch of up to
    /// [`crate::store::MONGO_BATCH`] days, so progress moves while a long history is
    /// written); its `TickerDone` follows.
    BarsStored {
        /// The canonical ticker.
        ticker: String,
        /// Days newly stored or changed for this ticker so far in this run.
        written_so_far: u64,
    },
    /// A ticker failed; the run goes on.
    TickerFailed {
        /// The canonical ticker.
        ticker: String,
        /// Its category.
        category: Category,
        /// Why, in one line.
        reason: String,
    },
    /// The run completed (possibly with failed tickers).
    Finished(UpdateSummary),
    /// The run was cancelled; the summary covers what was done before.
    Cancelled(UpdateSummary),
}

/// One ticker's failure, for the summary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TickerFailure {
    /// The canonical ticker.
    pub ticker: String,
    /// Why.
    pub reason: String,
}

/// What a run did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UpdateSummary {
    /// Tickers the run covered.
    pub total: usize,
    /// Tickers downloaded and stored.
    pub succeeded: usize,
    /// Tickers that failed, with reasons.
    pub failed: Vec<TickerFailure>,
    /// Tickers not attempted because the run was cancelled before their download began.
    pub not_attempted: usize,
    /// Tickers whose download was under way when the run was cancelled: cancelled, nothing
    /// of them stored (the next run fetches them).
    pub interrupted: usize,
    /// Tickers downloaded and stored with nothing new: no day newly stored or changed (the
    /// source had no bar after the last stored one).
    pub up_to_date: usize,
    /// Days newly stored.
    pub bars_inserted: u64,
    /// Days stored again with different values.
    pub bars_updated: u64,
    /// Days re-sent with the same values.
    pub bars_unchanged: u64,
    /// Days skipped because the source sent nulls.
    pub skipped_nulls: usize,
    /// Impossible bars left out.
    pub rejected_bars: usize,
    /// Tickers whose whole history was fetched again and replaced, with why.
    pub readjusted: Vec<(String, String)>,
    /// Tickers served by a fallback source: ticker, the source, why the earlier ones
    /// were passed over.
    pub fallbacks: Vec<(String, SourceId, String)>,
    /// Tickers whose stored close of the day fetched again differs from what the serving
    /// source sends now by more than 0.5% (the history was kept): ticker, source, the day.
    pub disagreements: Vec<(String, SourceId, crate::check::Disagreement)>,
    /// Tickers served per source.
    pub served_by: std::collections::BTreeMap<SourceId, usize>,
    /// The health of every source asked in the run, at its end.
    pub sources: Vec<(SourceId, SourceHealth)>,
    /// Whether the run was cancelled.
    pub cancelled: bool,
    /// Wall time of the run.
    pub elapsed: Duration,
}

impl UpdateSummary {
    /// Days newly stored or changed.
    pub fn bars_written(&self) -> u64 {
        self.bars_inserted + self.bars_updated
    }
}

impl UpdateSummary {
    /// Counts a ticker the run stored; its event.
    fn count_done(&mut self, done: Done) -> UpdateEvent {
        let Done {
            ticker,
            category,
            symbol,
            source,
            fallback,
            bars_fetched,
            upsert,
            skipped_nulls,
            rejected_bars,
            readjusted,
            overlap,
        } = done;
        self.succeeded += 1;
        if let Some(d) = overlap {
            tracing::warn!(
                %ticker,
                "{}'s close of {} is {} (stored: {})",
                source.label(),
                d.date,
                d.other,
                d.stored
            );
            self.disagreements.push((ticker.clone(), source, d));
        }
        *self.served_by.entry(source).or_default() += 1;
        if let Some(why) = &fallback {
            tracing::info!(%ticker, "served by {}: {why}", source.label());
            self.fallbacks.push((ticker.clone(), source, why.clone()));
        }
        if upsert.written() == 0 {
            self.up_to_date += 1;
        }
        if let Some(why) = &readjusted {
            tracing::info!(%ticker, "{why}");
            self.readjusted.push((ticker.clone(), why.clone()));
        }
        self.bars_inserted += upsert.inserted;
        self.bars_updated += upsert.updated;
        self.bars_unchanged += upsert.unchanged;
        self.skipped_nulls += skipped_nulls;
        self.rejected_bars += rejected_bars;
        UpdateEvent::TickerDone {
            ticker,
            category,
            symbol,
            source,
            fallback,
            bars_fetched,
            bars_written: upsert.written(),
            skipped_nulls,
            rejected_bars,
            readjusted,
            overlap,
        }
    }

    /// Counts a ticker that failed; its event.
    fn count_failed(&mut self, ticker: String, category: Category, reason: String) -> UpdateEvent {
        self.failed.push(TickerFailure {
            ticker: ticker.clone(),
            reason: reason.clone(),
        });
        UpdateEvent::TickerFailed {
            ticker,
            category,
            reason,
        }
    }
}

/// The active tickers of `categories` with their last stored days (one query per category).
async fn work_list(
    store: &Store,
    categories: &[Category],
) -> Result<Vec<(TickerMeta, Option<NaiveDate>)>, StoreError> {
    let mut categories = categories.to_vec();
    categories.sort_unstable();
    categories.dedup();
    let mut work = Vec::new();
    for category in categories {
        let last_days = store.last_days(category).await?;
        for meta in list_active(store, category).await? {
            let last = last_days.get(meta.ticker.as_str()).copied();
            work.push((meta, last));
        }
    }
    Ok(work)
}

/// The caller's side of a running job: its events and its cancel switch.
#[derive(Debug)]
pub struct UpdateHandle {
    /// Progress events; the channel closes when the job ends.
    pub events: mpsc::Receiver<UpdateEvent>,
    cancel: CancellationToken,
}

impl UpdateHandle {
    /// Asks the job to stop: downloads in flight are dropped, stores in flight finish,
    /// nothing new starts. The job then sends `Cancelled` and ends.
    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    /// A clone of the cancel token (e.g. for a Ctrl-C handler).
    pub fn cancel_token(&self) -> CancellationToken {
        self.cancel.clone()
    }
}

/// What one ticker's update stored.
struct Done {
    ticker: String,
    category: Category,
    symbol: String,
    source: SourceId,
    fallback: Option<String>,
    bars_fetched: usize,
    upsert: crate::store::UpsertSummary,
    skipped_nulls: usize,
    rejected_bars: usize,
    readjusted: Option<String>,
    overlap: Option<crate::check::Disagreement>,
}

enum Outcome {
    Done(Box<Done>),
    /// The download was under way when the run was cancelled.
    Cancelled,
    Failed {
        ticker: String,
        category: Category,
        reason: String,
    },
    /// The store failed in a way every later write would too.
    StoreLost {
        ticker: String,
        category: Category,
        error: StoreError,
    },
    NotAttempted,
}

/// Whether a store error means the store as a whole is gone for this run.
fn store_lost(err: &StoreError) -> bool {
    matches!(
        err,
        StoreError::Unreachable { .. }
            | StoreError::Auth { .. }
            | StoreError::StorageFull { .. }
            | StoreError::ReadOnly { .. }
            | StoreError::NotPermitted { .. }
    )
}

/// The update job.
#[derive(Debug)]
pub struct UpdateJob;

impl UpdateJob {
    /// Starts a run on `runtime` and returns its handle and the task's result.
    pub fn spawn(
        store: Store,
        source: SourceConfig,
        config: UpdateConfig,
        runtime: &tokio::runtime::Handle,
    ) -> (UpdateHandle, JoinHandle<Result<UpdateSummary, UpdateError>>) {
        let (tx, rx) = mpsc::channel(config.event_capacity.max(1));
        let cancel = CancellationToken::new();
        let job_cancel = cancel.clone();
        let task =
            runtime.spawn(async move { Self::run(store, source, config, tx, job_cancel).await });
        (UpdateHandle { events: rx, cancel }, task)
    }

    /// Runs an update to the end (or until `cancel`), sending progress on `events`.
    /// A closed event channel does not stop the run.
    pub async fn run(
        store: Store,
        source: SourceConfig,
        config: UpdateConfig,
        events: mpsc::Sender<UpdateEvent>,
        cancel: CancellationToken,
    ) -> Result<UpdateSummary, UpdateError> {
        let sources = Arc::new(SourceSet::new(&source)?);
        Self::run_with(store, sources, config, events, cancel).await
    }

    /// Runs an update with a given set of sources (tests, tools).
    pub async fn run_with(
        store: Store,
        source: Arc<SourceSet>,
        config: UpdateConfig,
        events: mpsc::Sender<UpdateEvent>,
        cancel: CancellationToken,
    ) -> Result<UpdateSummary, UpdateError> {
        let started = Instant::now();
        let today = config.today.unwrap_or_else(|| Utc::now().date_naive());

        let work = work_list(&store, &config.categories).await?;
        let total = work.len();
        tracing::info!(total, "update started");
        send(&events, UpdateEvent::Started { total }, &cancel).await;

        let mut summary = UpdateSummary {
            total,
            ..UpdateSummary::default()
        };
        let concurrency = config.concurrency.max(1);
        let default_start = config.default_start;
        // Stops the remaining work when the store is lost, without counting as a cancel.
        let stop = cancel.child_token();
        let mut lost: Option<StoreError> = None;
        let mut outcomes = futures::stream::iter(work.into_iter().map(|(meta, last)| {
            let store = store.clone();
            let source = Arc::clone(&source);
            let cancel = stop.clone();
            let events = events.clone();
            async move {
                update_one(
                    &store,
                    &source,
                    &meta,
                    (last, default_start, today),
                    &events,
                    &cancel,
                )
                .await
            }
        }))
        .buffer_unordered(concurrency);

        while let Some(outcome) = outcomes.next().await {
            let event = match outcome {
                Outcome::Done(done) => summary.count_done(*done),
                Outcome::Failed {
                    ticker,
                    category,
                    reason,
                } => {
                    tracing::warn!(%ticker, "update failed: {reason}");
                    summary.count_failed(ticker, category, reason)
                }
                Outcome::StoreLost {
                    ticker,
                    category,
                    error,
                } => {
                    let event = summary.count_failed(ticker, category, format!("store: {error}"));
                    if lost.is_none() {
                        tracing::error!("{}: {error}; stopping the update", store.describe());
                        stop.cancel();
                        lost = Some(error);
                    }
                    event
                }
                Outcome::NotAttempted => {
                    summary.not_attempted += 1;
                    continue;
                }
                Outcome::Cancelled => {
                    summary.interrupted += 1;
                    continue;
                }
            };
            send(&events, event, &cancel).await;
        }
        summary.cancelled = cancel.is_cancelled();
        summary.elapsed = started.elapsed();
        summary.sources = source.health().snapshot();
        if let Some(source) = lost {
            let done = summary.succeeded + summary.failed.len();
            tracing::warn!(
                succeeded = summary.succeeded,
                not_attempted = summary.not_attempted,
                "update stopped: the store was lost"
            );
            return Err(UpdateError::StoreLost {
                source,
                done,
                total: summary.total,
            });
        }
        tracing::info!(
            succeeded = summary.succeeded,
            failed = summary.failed.len(),
            written = summary.bars_written(),
            cancelled = summary.cancelled,
            "update ended"
        );
        let last = if summary.cancelled {
            UpdateEvent::Cancelled(summary.clone())
        } else {
            UpdateEvent::Finished(summary.clone())
        };
        // The final event is always delivered while someone listens.
        let _receiver_gone = events.send(last).await;
        Ok(summary)
    }
}

/// Sends an event; waits while the channel is full unless the run is cancelled.
async fn send(events: &mpsc::Sender<UpdateEvent>, event: UpdateEvent, cancel: &CancellationToken) {
    tokio::select! {
        _receiver_gone = events.send(event) => {}
        () = cancel.cancelled() => {}
    }
}

async fn list_active(store: &Store, category: Category) -> Result<Vec<TickerMeta>, StoreError> {
    const PAGE: u64 = 1000;
    let mut all = Vec::new();
    let mut offset = 0;
    loop {
        let page = store
            .list_tickers(&TickerQuery {
                category: Some(category),
                filter: None,
                active_only: true,
                offset,
                limit: PAGE,
            })
            .await?;
        let n = page.items.len() as u64;
        all.extend(page.items);
        offset += n;
        if n < PAGE || offset >= page.total {
            return Ok(all);
        }
    }
}

async fn update_one(
    store: &Store,
    sources: &SourceSet,
    meta: &TickerMeta,
    (last, default_start, to): (Option<NaiveDate>, NaiveDate, NaiveDate),
    events: &mpsc::Sender<UpdateEvent>,
    cancel: &CancellationToken,
) -> Outcome {
    let from = last.unwrap_or(default_start);
    if cancel.is_cancelled() {
        return Outcome::NotAttempted;
    }
    let ticker = meta.ticker.as_str().to_owned();
    let category = meta.category();
    let failed = |reason: String| Outcome::Failed {
        ticker: ticker.clone(),
        category,
        reason,
    };
    // A bar stored by an older version or another tool can be dated in the far future; the
    // source has nothing after it and would answer as for an unknown symbol.
    if let Some(last) = last
        && last > latest_day()
    {
        return failed(format!(
            "its last stored bar is dated {last}, after tomorrow, so there is nothing newer to \
             fetch; `wickview repair` lists such bars and `wickview repair --remove-bad-dates` \
             deletes them"
        ));
    }
    let served = tokio::select! {
        served = fetch::with_failover(sources, meta, from, to, last.is_some()) => served,
        () = cancel.cancelled() => return Outcome::Cancelled,
    };
    let fetch::Served {
        source,
        mut fetched,
        passed_over,
    } = match served {
        Ok(served) => served,
        Err(reason) => return failed(reason),
    };
    let source_id = source.id();
    let stored = match StoredLast::load(store, meta, last).await {
        Ok(stored) => stored,
        Err(err) => return failed(format!("store: {err}")),
    };
    // A split after the last stored day, a re-adjusted overlap, or another source whose
    // overlap disagrees (or, for exchange rates, whose fixing differs): fetch everything
    // again from the source that answered, rather than stitch.
    let readjust = readjust::check_fixing(category, stored.source, source_id)
        .or_else(|| readjust::check(stored.bar.as_ref(), &fetched.chart.series));
    // The cheap cross-source check on the day fetched again, where the history is kept.
    let overlap = stored
        .bar
        .as_ref()
        .filter(|_| readjust.is_none())
        .and_then(|bar| readjust::overlap_close(bar, stored.provisional, &fetched.chart.series));
    if readjust.is_some() {
        let full = tokio::select! {
            full = source.fetch(meta, default_start, to) => full,
            () = cancel.cancelled() => return Outcome::Cancelled,
        };
        fetched = match full {
            Ok(f) => f,
            Err(err) => {
                sources.health().record_failure(source_id, &err);
                return failed(format!(
                    "fetching the whole history again from {}: {err}",
                    source_id.label()
                ));
            }
        };
    }
    // A bar of a session still open is stored as provisional; the next update replaces it.
    fetched.chart.mark_provisional(Utc::now().timestamp());
    let provenance = Provenance {
        source: Some(source_id.name()),
        foreign_ratio: &fetched.foreign_ratio,
    };
    let upsert = match write_bars(
        store,
        &meta.ticker,
        &fetched.chart.series,
        provenance,
        readjust.is_some(),
        events,
    )
    .await
    {
        Ok(upsert) => upsert,
        Err(error) if store_lost(&error) => {
            return Outcome::StoreLost {
                ticker,
                category,
                error,
            };
        }
        Err(err) => return failed(format!("store: {err}")),
    };
    if let Err(err) = record_names(store, meta, source_id, &fetched).await {
        return failed(format!("store (resolved symbol {}): {err}", fetched.symbol));
    }
    let rejected_bars = fetched
        .chart
        .issues
        .iter()
        .filter(|i| matches!(i, BarIssue::Rejected { .. }))
        .count();
    for issue in &fetched.chart.issues {
        tracing::debug!(%ticker, "{issue}");
    }
    let fallback = (!passed_over.is_empty()).then(|| passed_over.join("; "));
    Outcome::Done(Box::new(Done {
        ticker,
        category,
        source: source_id,
        fallback,
        symbol: fetched.symbol,
        bars_fetched: fetched.chart.series.len(),
        upsert,
        skipped_nulls: fetched.chart.skipped_nulls,
        rejected_bars,
        readjusted: readjust.map(|r| r.to_string()),
        overlap,
    }))
}

/// The last stored bar of a ticker as an update compares it with the download.
struct StoredLast {
    /// The bar (`None` without stored bars).
    bar: Option<crate::model::Bar>,
    /// Whether it was stored while its session was still open.
    provisional: bool,
    /// The source that wrote it, where recorded.
    source: Option<SourceId>,
}

impl StoredLast {
    async fn load(
        store: &Store,
        meta: &TickerMeta,
        last: Option<NaiveDate>,
    ) -> Result<Self, StoreError> {
        let Some(day) = last else {
            return Ok(Self {
                bar: None,
                provisional: false,
                source: None,
            });
        };
        let series = store.load_series(&meta.ticker, Some((day, day))).await?;
        let rows = store
            .load_provenance(&meta.ticker, Some((day, day)))
            .await?;
        Ok(Self {
            bar: series.bar(0),
            provisional: series.provisional_day().is_some(),
            source: rows
                .first()
                .and_then(|r| r.source.as_deref())
                .and_then(SourceId::parse),
        })
    }
}

/// Stores a ticker's downloaded bars. Not cancellable: the writes run to their end. A
/// re-adjusted history (`replace`) is replaced in one call (one transaction on the embedded
/// store; upserts in date order, then deletes, on MongoDB). Otherwise batches go out in date
/// order, so an interrupted write leaves the earliest days stored and no gap that the next
/// run (which starts from the last stored day) would skip; progress goes out after each.
async fn write_bars(
    store: &Store,
    ticker: &crate::model::Ticker,
    series: &crate::model::DailySeries,
    provenance: Provenance<'_>,
    replace: bool,
    events: &mpsc::Sender<UpdateEvent>,
) -> Result<crate::store::UpsertSummary, StoreError> {
    let mut upsert = crate::store::UpsertSummary::default();
    if replace {
        upsert.updated = store
            .replace_series_from(ticker, series, provenance)
            .await?
            .written;
        return Ok(upsert);
    }
    let mut start = 0;
    while start < series.len() {
        let end = (start + crate::store::MONGO_BATCH).min(series.len());
        upsert += store
            .upsert_bars_from(ticker, &series.slice(start..end), provenance)
            .await?;
        start = end;
        if start < series.len() {
            // A closed or full channel never holds up the write.
            let _progress_not_shown = events.try_send(UpdateEvent::BarsStored {
                ticker: ticker.as_str().to_owned(),
                written_so_far: upsert.written(),
            });
        }
    }
    Ok(upsert)
}

/// Records the resolved symbol, and the source's name where the ticker lacks one (the store
/// checks again, inside the write, that no name set meanwhile is replaced). The stored source
/// symbol is Yahoo's: other sources' symbols are not kept.
async fn record_names(
    store: &Store,
    meta: &TickerMeta,
    source: SourceId,
    fetched: &crate::source::Fetched,
) -> Result<(), StoreError> {
    let resolved =
        source == SourceId::Yahoo && meta.source_symbol.as_deref() != Some(fetched.symbol.as_str());
    let source_name = fetched
        .chart
        .name
        .clone()
        .filter(|_| meta.wants_source_name());
    if !resolved && source_name.is_none() {
        return Ok(());
    }
    let edit = TickerEdit {
        source_symbol: resolved.then(|| Some(fetched.symbol.clone())),
        source_name,
        ..TickerEdit::default()
    };
    store
        .update_ticker(meta.ticker.as_str(), &edit)
        .await
        .map(drop)
}

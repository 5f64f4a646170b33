//! Keeps a chart's drawings in the store: loads the drawings of the ticker a chart shows,
//! and stores what the user changes, all in the background (a drawing never blocks a frame).
//!
//! Only changes are written: each time the user changes the drawings, the difference from
//! what the store holds as far as this chart knows (the drawings loaded, with every change
//! since) becomes a change set: drawings added or changed, ids deleted. Undo and redo are
//! changes like any other. So records the chart could not read, and drawings another window
//! added, are never touched. Change sets are written one at a time, in order; one that
//! fails waits (with the following ones) for *Retry* or the next change, and is sent again.

use std::collections::{HashSet, VecDeque};

use poll_promise::Promise;

use super::bg;
use super::chart::CandleChart;
use crate::model::{Drawing, DrawingChanges, shown};
use crate::store::{Store, TickerDrawings, UnreadableDrawing};

type Pending<T> = Option<Promise<Result<T, String>>>;

/// Unreadable records named in a notice's one line; the rest are counted.
const NOTICE_NAMED: usize = 3;
/// Unreadable records listed in a notice's details.
const NOTICE_LISTED: usize = 50;

/// What could not be read of a ticker's stored drawings, for the window to say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnreadableNotice {
    /// One line: how many, of which ticker, and the first few with why.
    pub summary: String,
    /// Each record with why, one a line.
    pub details: String,
}

impl UnreadableNotice {
    /// The notice for `unreadable` records of `ticker` (none when every record was read).
    pub fn new(ticker: &str, unreadable: &[UnreadableDrawing]) -> Option<Self> {
        let n = unreadable.len();
        if n == 0 {
            return None;
        }
        let (noun, verb) = if n == 1 {
            ("drawing", "is")
        } else {
            ("drawings", "are")
        };
        let mut named: Vec<String> = unreadable
            .iter()
            .take(NOTICE_NAMED)
            .map(ToString::to_string)
            .collect();
        if n > NOTICE_NAMED {
            named.push(format!("and {} more", n - NOTICE_NAMED));
        }
        let mut details: Vec<String> = unreadable
            .iter()
            .take(NOTICE_LISTED)
            .map(ToString::to_string)
            .collect();
        if n > NOTICE_LISTED {
            details.push(format!("… and {} more (see the log)", n - NOTICE_LISTED));
        }
        Some(Self {
            summary: format!(
                "{n} {noun} of {} could not be read and {verb} kept unchanged in the store: {}",
                shown(ticker),
                named.join("; ")
            ),
            details: details.join("\n"),
        })
    }
}

/// Which store call failed last.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Failed {
    Load,
    Save,
}

/// The store side of one chart's drawings.
#[derive(Default)]
pub struct DrawingSync {
    /// The ticker whose drawings are in the chart (or loading).
    ticker: Option<String>,
    /// The drawings of `ticker` must be loaded (waits for changes of it still being written).
    load_due: bool,
    load: Pending<(String, TickerDrawings)>,
    /// The drawings of `ticker` the store holds as far as this chart knows: those loaded,
    /// with every change made since (written or queued).
    saved: Vec<Drawing>,
    /// Change sets to write, oldest first, each with its ticker.
    queue: VecDeque<(String, DrawingChanges)>,
    /// The change set being written.
    writing: Option<(String, DrawingChanges)>,
    save: Pending<()>,
    /// A write failed: the queue waits for *Retry* or the next change.
    stalled: bool,
    error: Option<(Failed, String)>,
    notice: Option<UnreadableNotice>,
    /// Tickers whose notice the user closed.
    dismissed: HashSet<String>,
}

impl DrawingSync {
    /// Brings `chart`'s drawings in line with the store for `ticker` (the ticker whose
    /// bars the chart shows): loads them when the ticker changes, stores the user's changes.
    pub fn sync(
        &mut self,
        chart: &mut CandleChart,
        ticker: &str,
        rt: &tokio::runtime::Handle,
        ctx: &egui::Context,
        store: Option<&Store>,
    ) {
        // Changes belong to the ticker they were drawn on: queue them before switching.
        if let Some(set) = chart.drawings_mut().take_changed()
            && let Some(t) = &self.ticker
        {
            let changes = DrawingChanges::between(&self.saved, &set);
            if !changes.is_empty() {
                self.queue.push_back((t.clone(), changes));
                self.saved = set;
                self.stalled = false;
            }
        }
        if self.ticker.as_deref() != Some(ticker) {
            self.ticker = Some(ticker.to_owned());
            self.error = None;
            self.notice = None;
            self.saved.clear();
            // Changes whose write failed are sent again before the load.
            self.stalled = false;
            chart.drawings_mut().begin_loading();
            self.load_due = store.is_some();
        }
        if let Some(result) = bg::take_ready(&mut self.save) {
            let written = self.writing.take();
            match result {
                Ok(()) => {
                    if self.error.as_ref().is_some_and(|(f, _)| *f == Failed::Save) {
                        self.error = None;
                    }
                }
                Err(e) => {
                    // Sent again, first, on Retry or with the next change.
                    if let Some(w) = written {
                        self.queue.push_front(w);
                    }
                    self.stalled = true;
                    self.error = Some((Failed::Save, format!("Could not save the drawings: {e}")));
                }
            }
        }
        if let Some(store) = store {
            self.start_load(store, rt, ctx);
            if self.save.is_none()
                && !self.stalled
                && let Some((t, changes)) = self.queue.pop_front()
            {
                let s = store.clone();
                let (t2, c2) = (t.clone(), changes.clone());
                self.writing = Some((t, changes));
                self.save = Some(bg::spawn(rt, ctx, async move {
                    s.apply_drawing_changes(&t2, &c2)
                        .await
                        .map_err(|e| e.to_string())
                }));
            }
        }
        match bg::take_ready(&mut self.load) {
            Some(Ok((t, read))) if self.ticker.as_deref() == Some(t.as_str()) => {
                self.loaded(chart, &t, read);
            }
            // The tools stay off: drawing now could overwrite the stored drawings.
            Some(Err(e)) => {
                self.error = Some((Failed::Load, format!("Could not load the drawings: {e}")));
            }
            // Loaded for a ticker the chart no longer shows: its own load follows.
            Some(Ok(_)) | None => {}
        }
    }

    /// Starts the due load, once no change is being written (a load must not read the
    /// store from before a change the user made; a stalled queue does not hold it up).
    fn start_load(&mut self, store: &Store, rt: &tokio::runtime::Handle, ctx: &egui::Context) {
        let writes_pending = self.save.is_some() || (!self.queue.is_empty() && !self.stalled);
        if !self.load_due || self.load.is_some() || writes_pending {
            return;
        }
        let Some(ticker) = self.ticker.clone() else {
            return;
        };
        self.load_due = false;
        let s = store.clone();
        self.load = Some(bg::spawn(rt, ctx, async move {
            s.drawings(&ticker)
                .await
                .map(|read| (ticker, read))
                .map_err(|e| e.to_string())
        }));
    }

    fn loaded(&mut self, chart: &mut CandleChart, ticker: &str, read: TickerDrawings) {
        // Changes of this ticker that could not be written yet are still the user's.
        let mut set = read.drawings;
        for (_, changes) in self.queue.iter().filter(|(t, _)| t == ticker) {
            changes.apply_to(&mut set);
        }
        self.saved = set.clone();
        let layer = chart.drawings_mut();
        layer.set_drawings(set);
        layer.keep_ids_above(read.max_id);
        self.notice = if self.dismissed.contains(ticker) {
            None
        } else {
            UnreadableNotice::new(ticker, &read.unreadable)
        };
    }

    /// Tries again what failed: a load loads again, a save sends its changes again.
    pub fn retry(&mut self) {
        match self.error.take() {
            Some((Failed::Save, _)) => self.stalled = false,
            Some((Failed::Load, _)) | None => self.ticker = None,
        }
    }

    /// Whether a load or save is still under way.
    pub fn is_busy(&self) -> bool {
        self.load_due
            || self.load.is_some()
            || self.save.is_some()
            || (!self.queue.is_empty() && !self.stalled)
    }

    /// The last load or save error.
    pub fn error(&self) -> Option<&str> {
        self.error.as_ref().map(|(_, e)| e.as_str())
    }

    /// What could not be read of the shown ticker's stored drawings, until dismissed.
    pub fn notice(&self) -> Option<&UnreadableNotice> {
        self.notice.as_ref()
    }

    /// Closes the notice; it does not come back for this ticker.
    pub fn dismiss_notice(&mut self) {
        self.notice = None;
        if let Some(t) = &self.ticker {
            self.dismissed.insert(t.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Anchor, DrawingKind};
    use crate::store::StoreConfig;

    /// Syncs until nothing is under way.
    fn settle(
        sync: &mut DrawingSync,
        chart: &mut CandleChart,
        rt: &tokio::runtime::Runtime,
        store: &Store,
    ) {
        let ctx = egui::Context::default();
        for _ in 0..10_000 {
            sync.sync(chart, "AAPL", rt.handle(), &ctx, Some(store));
            if !sync.is_busy() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        panic!("the drawings never settled");
    }

    fn level(price: f64) -> Drawing {
        let day = chrono::NaiveDate::from_ymd_opt(2024, 1, 2).unwrap();
        Drawing::new(0, DrawingKind::Level, vec![Anchor::new(day, price)])
    }

    /// A change the store refuses is kept, with the ones after it, and sent again (in order)
    /// on Retry; nothing the user drew is lost.
    #[test]
    fn a_failed_save_is_sent_again_on_retry() {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let config = StoreConfig::Embedded {
            data_dir: dir.path().to_owned(),
        };
        let store = rt.block_on(Store::open(&config)).unwrap();
        let read_only = rt.block_on(Store::open_read_only(&config)).unwrap();
        let mut chart = CandleChart::new("sync test");
        let mut sync = DrawingSync::default();
        settle(&mut sync, &mut chart, &rt, &store);
        assert!(chart.drawings().is_ready() && sync.error().is_none());

        chart.drawings_mut().add(level(10.0));
        settle(&mut sync, &mut chart, &rt, &read_only);
        let err = sync.error().unwrap_or_default().to_owned();
        assert!(err.starts_with("Could not save the drawings: "), "{err}");
        // Drawing on while the store refuses: tried again, refused again, kept.
        chart.drawings_mut().add(level(20.0));
        settle(&mut sync, &mut chart, &rt, &read_only);
        assert!(sync.error().is_some());
        let stored = rt.block_on(store.drawings("AAPL")).unwrap();
        assert!(stored.drawings.is_empty());

        sync.retry();
        settle(&mut sync, &mut chart, &rt, &store);
        assert_eq!(sync.error(), None);
        let stored = rt.block_on(store.drawings("AAPL")).unwrap();
        assert_eq!(stored.drawings, chart.drawings().drawings());
        assert_eq!(stored.drawings.len(), 2);
    }

    fn unreadable(n: usize) -> Vec<UnreadableDrawing> {
        (0..n)
            .map(|k| UnreadableDrawing {
                id: Some(k as i64 + 2),
                reason: format!("reason {k}"),
            })
            .collect()
    }

    #[test]
    fn notice_counts_names_the_first_and_lists_all() {
        assert_eq!(UnreadableNotice::new("AAPL", &[]), None);
        let one = UnreadableNotice::new("AAPL", &unreadable(1)).unwrap();
        assert_eq!(
            one.summary,
            "1 drawing of AAPL could not be read and is kept unchanged in the store: #2 reason 0"
        );
        let seven = UnreadableNotice::new("AAPL", &unreadable(7)).unwrap();
        assert_eq!(
            seven.summary,
            "7 drawings of AAPL could not be read and are kept unchanged in the store: \
             #2 reason 0; #3 reason 1; #4 reason 2; and 4 more"
        );
        assert_eq!(seven.details.lines().count(), 7);
        assert_eq!(seven.details.lines().last(), Some("#8 reason 6"));
        let many = UnreadableNotice::new("AAPL", &unreadable(60)).unwrap();
        assert_eq!(many.details.lines().count(), NOTICE_LISTED + 1);
    }
}

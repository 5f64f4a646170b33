//! Background work for the charts (moving averages, calendar alignment, pyramids) on the
//! compute module's rayon pool; results come back through a bounded channel drained each frame, and the
//! worker asks egui for a repaint. The UI thread never waits.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

/// Results in flight for one chart, tagged with the generation they were asked for.
pub(crate) struct Jobs<T> {
    tx: SyncSender<(u64, Option<T>)>,
    rx: Receiver<(u64, Option<T>)>,
    pending: usize,
    generation: u64,
}

impl<T: Send + 'static> Jobs<T> {
    pub(crate) fn new() -> Self {
        let (tx, rx) = sync_channel(256);
        Self {
            tx,
            rx,
            pending: 0,
            generation: 0,
        }
    }

    /// Forgets everything asked so far: late results are dropped when they arrive.
    pub(crate) fn new_generation(&mut self) {
        self.generation += 1;
    }

    /// Whether a result of the current generation is still being computed.
    pub(crate) fn is_busy(&self) -> bool {
        self.pending > 0
    }

    /// Runs `work` on the rayon pool.
    pub(crate) fn spawn(
        &mut self,
        ctx: Option<egui::Context>,
        work: impl FnOnce() -> T + Send + 'static,
    ) {
        let tx = self.tx.clone();
        let generation = self.generation;
        self.pending += 1;
        let job = move || {
            // A panic must not reach rayon (which would abort the process): it is caught,
            // reported for the window to show, and the job ends without a result.
            let result = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)) {
                Ok(result) => Some(result),
                Err(payload) => {
                    crate::failures::report_panic("a chart computation", payload.as_ref());
                    None
                }
            };
            // The chart may be gone; then nobody wants the result.
            if tx.send((generation, result)).is_ok()
                && let Some(ctx) = ctx
            {
                ctx.request_repaint();
            }
        };
        // The compute module's named pool; rayon's global pool if it could not be built.
        match crate::compute::pool::pool() {
            Some(pool) => pool.spawn(job),
            None => rayon::spawn(job),
        }
    }

    /// Results that arrived since the last call, of the current generation only.
    pub(crate) fn poll(&mut self) -> Vec<T> {
        let mut out = Vec::new();
        while let Ok((generation, result)) = self.rx.try_recv() {
            self.pending = self.pending.saturating_sub(1);
            if generation == self.generation
                && let Some(result) = result
            {
                out.push(result);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_arrive_and_stale_ones_are_dropped() {
        let mut jobs = Jobs::<u32>::new();
        jobs.spawn(None, || 1);
        jobs.new_generation();
        jobs.spawn(None, || 2);
        let mut got = Vec::new();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while jobs.is_busy() && std::time::Instant::now() < deadline {
            got.extend(jobs.poll());
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        assert_eq!(got, vec![2]);
    }

    #[test]
    fn a_panicking_job_is_reported_and_ends() {
        let mut jobs = Jobs::<u32>::new();
        jobs.spawn(None, || {
            let v: Vec<u32> = Vec::new();
            v[7]
        });
        jobs.spawn(None, || 3);
        let mut got = Vec::new();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while jobs.is_busy() && std::time::Instant::now() < deadline {
            got.extend(jobs.poll());
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        assert!(!jobs.is_busy());
        assert_eq!(got, vec![3]);
        assert!(
            crate::failures::failures_since(0)
                .0
                .iter()
                .any(|f| f.starts_with("a chart computation failed unexpectedly"))
        );
    }
}

//! The one rayon thread pool every panel-level kernel runs on, with named threads.
//!
//! Built lazily on first use. If it cannot be built (the OS refuses threads), kernels fall back
//! to rayon's global pool and a warning is logged once; nothing panics.

use std::sync::OnceLock;

use rayon::ThreadPool;

/// Thread name prefix of the compute pool: threads are `wickview-compute-0`, `-1`, ...
pub const THREAD_NAME_PREFIX: &str = "wickview-compute-";

static POOL: OnceLock<Option<ThreadPool>> = OnceLock::new();

/// The compute pool, built on first call; `None` if building it failed (then rayon's global
/// pool is used by [`install`]).
pub fn pool() -> Option<&'static ThreadPool> {
    POOL.get_or_init(|| {
        match rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("{THREAD_NAME_PREFIX}{i}"))
            .build()
        {
            Ok(pool) => {
                tracing::debug!(threads = pool.current_num_threads(), "compute pool built");
                Some(pool)
            }
            Err(err) => {
                tracing::warn!(%err, "could not build the compute thread pool; using rayon's global pool");
                None
            }
        }
    })
    .as_ref()
}

/// Runs `op` inside the compute pool, so rayon calls in it use the pool's named threads.
/// Falls back to running `op` on the current thread (rayon's global pool) if the pool could not
/// be built.
pub fn install<R, F>(op: F) -> R
where
    F: FnOnce() -> R + Send,
    R: Send,
{
    match pool() {
        Some(pool) => pool.install(op),
        None => op(),
    }
}

/// Number of threads kernels run on.
pub fn num_threads() -> usize {
    match pool() {
        Some(pool) => pool.current_num_threads(),
        None => rayon::current_num_threads(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn install_runs_on_named_threads() {
        let name = install(|| std::thread::current().name().map(str::to_owned));
        let name = name.unwrap();
        assert!(
            name.starts_with(THREAD_NAME_PREFIX),
            "thread was named {name}"
        );
        assert!(num_threads() >= 1);
        // Work spawned inside also lands on pool threads.
        let names: Vec<String> = install(|| {
            use rayon::prelude::*;
            (0..64)
                .into_par_iter()
                .map(|_| std::thread::current().name().unwrap_or("").to_owned())
                .collect()
        });
        assert!(names.iter().all(|n| n.starts_with(THREAD_NAME_PREFIX)));
    }
}

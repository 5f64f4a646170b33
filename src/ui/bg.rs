//! Background work for the UI: futures spawned on the tokio runtime whose results the UI
//! polls each frame, waking the UI when they finish. The UI thread never waits on them.

use std::future::Future;

use poll_promise::Promise;

/// Spawns `fut` on the tokio runtime of `rt` and asks `ctx` to repaint when it is done.
pub fn spawn<T: Send + 'static>(
    rt: &tokio::runtime::Handle,
    ctx: &egui::Context,
    fut: impl Future<Output = T> + Send + 'static,
) -> Promise<T> {
    let ctx = ctx.clone();
    let _guard = rt.enter();
    Promise::spawn_async(async move {
        let out = fut.await;
        ctx.request_repaint();
        out
    })
}

/// Takes the result out of `slot` if its promise has finished, leaving `None` behind.
pub fn take_ready<T: Send + 'static>(slot: &mut Option<Promise<T>>) -> Option<T> {
    let promise = slot.take()?;
    match promise.try_take() {
        Ok(v) => Some(v),
        Err(p) => {
            *slot = Some(p);
            None
        }
    }
}

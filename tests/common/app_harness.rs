//! The whole application under egui_kittest, for the UI tests: the real [`WickviewApp`] on
//! the wgpu renderer (a software rasterizer such as lavapipe is enough), on an embedded
//! store of its own, stepped on a tokio runtime of its own until what a test waits for
//! holds. Included by the UI test files (`#[path = "common/app_harness.rs"]`), so the other
//! test binaries do not build it.

#![allow(dead_code, clippy::unwrap_used)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use wickview::store::StoreConfig;
use wickview::ui::app::{AppOptions, WickviewApp};
use wickview::ui::fonts::HangulStatus;
use wickview::ui::settings::Settings;

/// A runtime for one app: two workers, timers and I/O.
pub fn runtime() -> Arc<tokio::runtime::Runtime> {
    Arc::new(
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap(),
    )
}

/// eframe's storage in memory (the window's remembered settings, as eframe keeps them).
#[derive(Clone, Default)]
pub struct MemoryStorage(pub std::collections::BTreeMap<String, String>);

impl eframe::Storage for MemoryStorage {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }
    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_owned(), value);
    }
    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }
    fn flush(&mut self) {}
}

/// What [`TestApp::start`] waits for before it returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ready {
    /// The store is open and the Hangul font search is done (the app shows the fonts a
    /// user sees once the window is up).
    Fonts,
    /// The store is open and the open view has settled (nothing loading).
    Settled,
}

/// How a [`TestApp`] starts.
pub struct Start {
    /// The runtime the app's background work runs on.
    pub rt: Arc<tokio::runtime::Runtime>,
    /// The embedded store's folder; `None`: a temporary one the app owns.
    pub data_dir: Option<PathBuf>,
    /// The window's size in points.
    pub size: (f32, f32),
    /// How long any wait may take before the test fails.
    pub timeout: Duration,
    /// What the start waits for.
    pub ready: Ready,
    /// Settings to start with, instead of reading them (through `WickviewApp::with_settings`).
    pub settings: Option<Settings>,
    /// eframe's storage at start-up (the settings are read from it unless
    /// `fresh_settings` stays on).
    pub storage: Option<MemoryStorage>,
}

impl Start {
    /// A 1000×700 window on a store of its own, waiting 20 s at most, ready once the
    /// fonts are in.
    pub fn new(rt: &Arc<tokio::runtime::Runtime>) -> Self {
        Self {
            rt: Arc::clone(rt),
            data_dir: None,
            size: (1000.0, 700.0),
            timeout: Duration::from_secs(20),
            ready: Ready::Fonts,
            settings: None,
            storage: None,
        }
    }

    /// The store in `dir`.
    pub fn in_dir(mut self, dir: &std::path::Path) -> Self {
        self.data_dir = Some(dir.to_owned());
        self
    }

    /// A window of `size` points.
    pub fn size(mut self, size: (f32, f32)) -> Self {
        self.size = size;
        self
    }

    /// Waits of `timeout` at most.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Ready once `ready` holds.
    pub fn ready(mut self, ready: Ready) -> Self {
        self.ready = ready;
        self
    }

    /// Starts with `settings` (when some).
    pub fn settings(mut self, settings: Option<Settings>) -> Self {
        self.settings = settings;
        self
    }

    /// Starts with `storage` as eframe's storage (when some).
    pub fn storage(mut self, storage: Option<MemoryStorage>) -> Self {
        self.storage = storage;
        self
    }
}

/// One app on its own store and runtime.
pub struct TestApp {
    pub harness: Harness<'static, WickviewApp>,
    // Dropped after the harness: background tasks of the app run on it.
    pub rt: Arc<tokio::runtime::Runtime>,
    /// How long any wait may take.
    pub timeout: Duration,
    _dir: Option<tempfile::TempDir>,
}

impl TestApp {
    /// Starts the app as `start` says, with its options (a store with the bundled sample,
    /// fresh settings) changed by `customise`, and waits until it is ready.
    pub fn start(start: Start, customise: impl FnOnce(&mut AppOptions)) -> Self {
        let (dir, data_dir) = match start.data_dir {
            Some(data_dir) => (None, data_dir),
            None => {
                let dir = tempfile::tempdir().unwrap();
                let data_dir = dir.path().join("data");
                (Some(dir), data_dir)
            }
        };
        let mut options = AppOptions {
            store: Some(StoreConfig::Embedded { data_dir }),
            seed_sample: true,
            fresh_settings: true,
            ..AppOptions::default()
        };
        customise(&mut options);
        // The harness lives for the test ('static): so does the storage it was built with.
        let storage: Option<&'static MemoryStorage> =
            start.storage.map(|s| &*Box::leak(Box::new(s)));
        let settings = start.settings;
        // The window searches the system fonts off the UI thread and draws its first
        // frames without Hangul; the harness panics on a missing glyph, so the search is
        // done here first and the app installs its result before its first frame.
        wickview::ui::fonts::hangul_font();
        let rt = start.rt;
        let handle = rt.handle().clone();
        let render_state = egui_kittest::wgpu::create_render_state(
            egui_kittest::wgpu::default_wgpu_setup(),
            egui_wgpu::RendererOptions::PREDICTABLE,
        );
        let renderer = egui_kittest::wgpu::WgpuTestRenderer::from_render_state(render_state);
        let harness = {
            let _guard = rt.enter();
            Harness::builder()
                .with_size(start.size)
                .renderer(renderer)
                .build_eframe(move |cc| {
                    if let Some(storage) = storage {
                        cc.storage = Some(storage);
                    }
                    match settings {
                        None => WickviewApp::new(cc, handle, options),
                        Some(settings) => {
                            if let Some(rs) = &cc.wgpu_render_state {
                                wickview::ui::chart::init_render_resources(rs, 1, None);
                            }
                            let hangul = wickview::ui::fonts::install_hangul_fallback(&cc.egui_ctx);
                            WickviewApp::with_settings(
                                &cc.egui_ctx,
                                handle,
                                options,
                                settings,
                                hangul,
                            )
                        }
                    }
                })
        };
        let mut app = Self {
            harness,
            rt,
            timeout: start.timeout,
            _dir: dir,
        };
        match start.ready {
            Ready::Fonts => app.wait_for("the store to open, and the fonts", |a| {
                a.store().is_some() && *a.hangul() != HangulStatus::Searching
            }),
            Ready::Settled => app.wait_for("the chart to settle", |a| {
                a.store().is_some() && a.is_settled()
            }),
        }
        app
    }

    /// Steps the app (10 ms apart) until `done` holds, then two frames more; fails after
    /// the timeout.
    pub fn wait_for(&mut self, what: &str, done: impl Fn(&WickviewApp) -> bool) {
        let timeout = self.timeout;
        let deadline = Instant::now() + timeout;
        let _guard = self.rt.enter();
        loop {
            self.harness.step();
            if done(self.harness.state()) {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "timed out after {timeout:?} waiting for {what}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        self.harness.run_steps(2);
    }

    /// Steps until `found` holds of the harness (a node in the accessibility tree).
    pub fn wait_for_node(
        &mut self,
        what: &str,
        found: impl Fn(&Harness<'static, WickviewApp>) -> bool,
    ) {
        let timeout = self.timeout;
        let deadline = Instant::now() + timeout;
        let _guard = self.rt.enter();
        while !found(&self.harness) {
            assert!(
                Instant::now() < deadline,
                "timed out after {timeout:?} waiting for {what}"
            );
            self.harness.step();
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Steps until a node whose label contains `label` exists.
    pub fn wait_for_label(&mut self, label: &str) {
        self.wait_for_node(&format!("'{label}'"), |h| {
            h.query_by_label_contains(label).is_some()
        });
    }

    /// Runs `n` frames.
    pub fn steps(&mut self, n: usize) {
        let _guard = self.rt.enter();
        self.harness.run_steps(n);
    }

    /// The app.
    pub fn app(&self) -> &WickviewApp {
        self.harness.state()
    }
}

//! The egui user interface: the chart widget, the viewers, the side panel.
//!
//! Depends on `model`, `compute`, `render`, and talks to `store`/`update` only through
//! background jobs and channels.

pub mod app;
pub mod bench_interact;
pub mod bench_panel;
pub mod bench_render;
pub mod bg;
pub mod compare_add;
pub mod compare_fx;
pub mod demo;
pub mod drawing_sync;
pub mod fonts;
pub mod help;
pub mod layout;
pub mod layout_toolbar;
pub mod lenient;
pub mod perf_table;
pub mod save_file;
pub mod search;
pub mod series_cache;
pub mod series_list;
pub mod settings;
pub mod tickers;
pub mod update_sources;
pub mod update_verify;
pub mod updates;
pub mod viewer;

// The chart widgets and their colours live in the chart crate.
pub use wickview_chart::{chart, theme};

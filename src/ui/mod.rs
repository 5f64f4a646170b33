//! The egui user interface: the chart widget, the viewers, the side panel.
//!
//! Depends on `model`, `compute`, `render`, and talks to `store`/`update` only through
//! background jobs and channels.

pub mod app;
pub mod bench_panel;
pub mod bench_render;
pub mod bg;
pub mod chart;
pub mod demo;
pub mod drawing_sync;
pub mod fonts;
pub mod help;
pub mod layout;
pub mod search;
pub mod series_cache;
pub mod settings;
pub mod theme;
pub mod tickers;
pub mod updates;
pub mod viewer;

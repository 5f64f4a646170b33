//! The egui user interface: the chart widget, the viewers, the side panel.
//!
//! Depends on `model`, `compute`, `render`, and talks to `store`/`update` only through
//! background jobs and channels.

pub mod bg;
pub mod chart;
pub mod demo;
pub mod fonts;
pub mod search;
pub mod settings;
pub mod tickers;
pub mod theme;

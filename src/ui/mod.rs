//! The egui user interface: the chart widget, the viewers, the side panel.
//!
//! Depends on `model`, `compute`, `render`, and talks to `store`/`update` only through
//! background jobs and channels.

pub mod bg;
pub mod fonts;

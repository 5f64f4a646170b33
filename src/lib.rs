//! wickview: a native desktop chart viewer for stocks, indices and exchange rates
//! over decades of daily data.
//!
//! Modules and their one-way dependencies are described in `ARCHITECTURE.md`.

pub mod check;
pub mod cli;
pub mod import;
pub mod sample;
pub mod source;
pub mod store;
pub mod ui;
pub mod update;

// The data model, the kernels and the GPU renderer live in the chart crate; the application
// reaches them by their old paths.
pub use wickview_chart::{compute, model, render};

//! wickview: a native desktop chart viewer for stocks, indices and exchange rates
//! over decades of daily data.
//!
//! Modules and their one-way dependencies are described in `ARCHITECTURE.md`.

pub mod check;
pub mod cli;
pub mod compute;
pub mod import;
pub mod model;
pub mod render;
pub mod sample;
pub mod source;
pub mod store;
pub mod ui;
pub mod update;

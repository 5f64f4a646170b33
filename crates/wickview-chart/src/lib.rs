//! wickview's chart: candle and line charts and the comparison plot over decades of daily
//! bars, drawn on the GPU, with the data model and the kernels they draw from.
//!
//! The crate depends on egui, egui_plot, wgpu and rayon, never on an application's storage,
//! network or settings: the application hands it series, indicator specifications and
//! drawings as plain values, and reads back what the user did.
//!
//! Modules, from the bottom up: [`model`] (tickers, daily series, drawings), [`compute`]
//! (moving averages, indicators, level-of-detail pyramids, on a rayon pool), [`render`] (the
//! wgpu renderer and its WGSL shaders), [`theme`] (every colour of the charts), [`failures`]
//! (panics caught in background work) and [`chart`] (the egui widgets).

pub mod chart;
pub mod compute;
pub mod failures;
pub mod model;
pub mod render;
pub mod theme;

//! GPU drawing of candles, wicks and lines with wgpu (WGSL in `shaders/`).
//!
//! Depends on `model` and `compute`; never on egui, `store` or `source`.

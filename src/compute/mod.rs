//! Parallel kernels over daily series: moving averages, normalisation, level of detail.
//!
//! Depends on `model` only (never on `store`, `source`, `render`, `ui`, egui, mongodb or reqwest).

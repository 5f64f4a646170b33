//! Download sources of daily bars (Yahoo Finance's chart API over reqwest).
//!
//! Depends on `model`.

//! Importers (CSV, the earlier SQLite files) and the CSV exporter.
//!
//! Depends on `model`, `compute` and `store`.

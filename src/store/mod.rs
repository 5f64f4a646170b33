//! Storage of bars and ticker metadata: MongoDB `finance_db`, or the embedded default.
//!
//! Depends on `model`.

//! Background update jobs: fetch what is newer than the last stored bar of each ticker.
//!
//! Depends on `model`, `store` and `source`.

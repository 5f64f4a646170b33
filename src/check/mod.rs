//! Checks of stored bars: the KRX rules a Korean stock's as-traded prices obey (the daily
//! price limit in force on each day, the tick-size grid), and the comparison of one source's
//! closes with another's over the days both cover.
//!
//! Pure functions over [`DailySeries`](crate::model::DailySeries): `wickview verify`,
//! `wickview repair --dry-run` and the updater run them on what they load or fetch.
//!
//! Depends on `model`.

pub mod compare;
pub mod krx;

pub use compare::{Comparison, DEFAULT_TOLERANCE, Disagreement, compare_closes};
pub use krx::{
    LIMIT_TOLERANCE, LimitBreach, RELISTING_GAP_DAYS, limit_breaches, limit_breaches_in,
    on_grid_share, price_limit, tick_size,
};

//! Parallel kernels over daily series: moving averages, normalisation, level of detail.
//!
//! Depends on `model` only (never on `store`, `source`, `render`, `ui`, egui, mongodb or reqwest).
//!
//! Every kernel comes in three forms:
//! - an allocation-free single-series form writing into caller buffers (`*_into`), for the
//!   viewer and for fair benchmarks;
//! - a convenient allocating single-series form;
//! - a panel form over many series, run in parallel on the named compute pool ([`pool`]).
//!
//! Semantics follow pandas: [`sma`] is `rolling(w).mean()`, [`ema`] is
//! `ewm(span=n, adjust=False).mean()`, both including their NaN behaviour. The technical
//! indicators ([`indicators`]) follow TA-Lib instead, which is what traders cross-check against.
//!
//! A value that is NaN, infinite or larger in magnitude than [`LARGEST_VALUE`] is missing to
//! every kernel ([`is_usable`]): no market has such prices, and a running sum holding one would
//! stay NaN (or overflow) for the rest of the series. Missing values never poison what comes
//! after them: a moving-average window that has moved past one is a number again, the pandas
//! EMA carries its average over one as pandas does over a NaN, and the TA-Lib indicators start
//! again after one as on a new series.

pub mod adjust;
pub mod bench;
mod ema;
pub mod fx;
pub mod indicators;
pub mod lod;
mod normalize;
pub mod panel;
pub mod perf;
pub mod pool;
pub mod resample;
mod sma;

pub use ema::{ema, ema_into, ema_panel, ema_panel_into};
pub use lod::{CandleLevel, CandlePyramid, LineLevel, LinePyramid};
pub use normalize::{
    Normalization, first_base_index, normalize_into, normalize_panel, normalize_panel_into,
    pct_change, pct_change_into, rebase, rebase_into,
};
pub use resample::{Interval, resample};
pub use sma::{SmaScratch, sma, sma_into, sma_panel, sma_panel_into};

/// Errors of the compute kernels: bad parameters or buffer sizes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComputeError {
    /// A moving-average window (or EMA span) of zero was asked for.
    #[error("a window (or span) of 0 days is meaningless; use 1 or more")]
    ZeroWindow,
    /// An output (or input) buffer has the wrong number of elements.
    #[error("buffer '{what}' holds {got} values, expected {expected}")]
    LengthMismatch {
        /// Which buffer.
        what: &'static str,
        /// The length the call needs.
        expected: usize,
        /// The length given.
        got: usize,
    },
    /// An indicator parameter below its minimum (an RSI period of 1, a MACD period of 0, …).
    #[error("{what} must be at least {min}, got {got}")]
    BadParameter {
        /// Which parameter.
        what: &'static str,
        /// The smallest accepted value.
        min: usize,
        /// The value given.
        got: usize,
    },
    /// A band width (standard deviations) that is negative or not finite.
    #[error("a band width of {0} standard deviations is not a finite number of 0 or more")]
    BadMultiplier(String),
    /// A benchmark was configured with impossible sizes.
    #[error("bad benchmark configuration: {0}")]
    BadBenchConfig(&'static str),
    /// A panel's flat buffer is not a whole number of series of the given length.
    #[error("a panel of {len} values is not a whole number of series of {days} days")]
    RaggedPanel {
        /// Length of the flat buffer.
        len: usize,
        /// Days per series.
        days: usize,
    },
}

/// The largest magnitude a kernel takes as a value; beyond it an input is missing, like NaN.
///
/// Far beyond any price, volume or indicator value, and small enough that a running sum, or a
/// running sum of squares, of any series of them stays finite.
pub const LARGEST_VALUE: f64 = 1e100;

/// Whether a kernel takes `x` as a value: finite and at most [`LARGEST_VALUE`] in magnitude
/// (false for NaN and infinities).
#[inline]
pub fn is_usable(x: f64) -> bool {
    x.abs() <= LARGEST_VALUE
}

/// Checks `got == expected` for a named buffer.
fn check_len(what: &'static str, expected: usize, got: usize) -> Result<(), ComputeError> {
    if expected == got {
        Ok(())
    } else {
        Err(ComputeError::LengthMismatch {
            what,
            expected,
            got,
        })
    }
}

/// Number of series in a flat panel of `len` values with `days` values per series.
fn panel_series_count(len: usize, days: usize) -> Result<usize, ComputeError> {
    if days == 0 {
        return if len == 0 {
            Ok(0)
        } else {
            Err(ComputeError::RaggedPanel { len, days })
        };
    }
    if len.is_multiple_of(days) {
        Ok(len / days)
    } else {
        Err(ComputeError::RaggedPanel { len, days })
    }
}

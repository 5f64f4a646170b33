//! How the comparison maps values to the y axis: a leaf that the chart
//! ([`super::compare`]) and its readers ([`super::compare_read`]) both use, so neither
//! imports the other for it.

/// How the comparison maps values to the y axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompareMode {
    /// Raw values on one axis (series in the same unit).
    Absolute,
    /// Each series rebased to 100 at the first visible day.
    Rebased100,
    /// Each series as percent change since the first visible day.
    PercentChange,
    /// Two series: the first on the left axis in its units, the second on the right axis in
    /// its units (mapped linearly onto the left's visible range). With more than two series
    /// it falls back to [`CompareMode::Rebased100`].
    DualAxis,
}

impl CompareMode {
    /// Every mode, in menu order.
    pub const ALL: [Self; 4] = [
        Self::Rebased100,
        Self::PercentChange,
        Self::DualAxis,
        Self::Absolute,
    ];

    /// Menu label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Absolute => "Absolute",
            Self::Rebased100 => "Rebased to 100",
            Self::PercentChange => "% change",
            Self::DualAxis => "Dual axis",
        }
    }
}

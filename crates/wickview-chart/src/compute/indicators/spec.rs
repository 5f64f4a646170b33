//! An indicator with its parameters, as the user names it (`rsi:14`, `macd:12,26,9`,
//! `bb:20,2`, …), and the named columns it computes from a daily series.

use std::fmt;
use std::str::FromStr;

use super::{atr, bollinger, ema_ribbon, macd, obv, roc, rsi, stochastic};
use crate::compute::ComputeError;
use crate::model::{DailySeries, shown};

/// The accepted forms, quoted by every parse error.
pub const ACCEPTED_FORMS: &str = "bb:PERIOD,K (bb:20,2), rsi:PERIOD (rsi:14), \
     macd:FAST,SLOW,SIGNAL (macd:12,26,9), stoch:K,SLOWING,D (stoch:14,3,3), atr:PERIOD (atr:14), \
     ema:P1,P2,... (ema:10,20,30,40,50,60), obv, roc:PERIOD (roc:10); \
     a bare name takes the defaults shown";

/// What kind of indicator, without its parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IndicatorKind {
    /// Bollinger Bands (price overlay).
    Bollinger,
    /// EMA ribbon (price overlay).
    EmaRibbon,
    /// Relative Strength Index (own pane, 0–100).
    Rsi,
    /// MACD line, signal and histogram (own pane).
    Macd,
    /// Slow Stochastic %K and %D (own pane, 0–100).
    Stochastic,
    /// Average True Range (own pane, price units).
    Atr,
    /// On-Balance Volume (own pane, volume units).
    Obv,
    /// Rate of change in percent (own pane).
    Roc,
}

impl IndicatorKind {
    /// Every kind, in menu order.
    pub const ALL: [Self; 8] = [
        Self::Bollinger,
        Self::EmaRibbon,
        Self::Rsi,
        Self::Macd,
        Self::Stochastic,
        Self::Atr,
        Self::Obv,
        Self::Roc,
    ];

    /// The spec keyword (`bb`, `rsi`, …).
    pub fn keyword(self) -> &'static str {
        match self {
            Self::Bollinger => "bb",
            Self::EmaRibbon => "ema",
            Self::Rsi => "rsi",
            Self::Macd => "macd",
            Self::Stochastic => "stoch",
            Self::Atr => "atr",
            Self::Obv => "obv",
            Self::Roc => "roc",
        }
    }

    /// A human name for menus.
    pub fn title(self) -> &'static str {
        match self {
            Self::Bollinger => "Bollinger Bands",
            Self::EmaRibbon => "EMA ribbon",
            Self::Rsi => "RSI",
            Self::Macd => "MACD",
            Self::Stochastic => "Stochastic",
            Self::Atr => "ATR",
            Self::Obv => "OBV",
            Self::Roc => "Rate of change",
        }
    }

    /// Whether it is drawn over the prices rather than in a pane of its own.
    pub fn is_overlay(self) -> bool {
        matches!(self, Self::Bollinger | Self::EmaRibbon)
    }

    /// The usual parameters.
    pub fn default_indicator(self) -> Indicator {
        match self {
            Self::Bollinger => Indicator::Bollinger { period: 20, k: 2.0 },
            Self::EmaRibbon => Indicator::EmaRibbon {
                periods: vec![10, 20, 30, 40, 50, 60],
            },
            Self::Rsi => Indicator::Rsi { period: 14 },
            Self::Macd => Indicator::Macd {
                fast: 12,
                slow: 26,
                signal: 9,
            },
            Self::Stochastic => Indicator::Stochastic {
                k: 14,
                slowing: 3,
                d: 3,
            },
            Self::Atr => Indicator::Atr { period: 14 },
            Self::Obv => Indicator::Obv,
            Self::Roc => Indicator::Roc { period: 10 },
        }
    }
}

/// An indicator with its parameters. Its text form (`Display` / `FromStr`) is the spec
/// `wickview export --indicator` takes, e.g. `macd:12,26,9`.
#[derive(Clone, Debug, PartialEq)]
pub enum Indicator {
    /// Bollinger Bands: `period`-day SMA ± `k` population standard deviations.
    Bollinger {
        /// Days in the window (2 or more).
        period: usize,
        /// Standard deviations from the middle band.
        k: f64,
    },
    /// TA-Lib EMAs of the close, one per period.
    EmaRibbon {
        /// The periods, each 1 or more.
        periods: Vec<usize>,
    },
    /// Wilder's RSI.
    Rsi {
        /// Days (2 or more).
        period: usize,
    },
    /// MACD.
    Macd {
        /// Fast EMA period.
        fast: usize,
        /// Slow EMA period.
        slow: usize,
        /// Signal EMA period.
        signal: usize,
    },
    /// Slow Stochastic.
    Stochastic {
        /// %K look-back days.
        k: usize,
        /// %K smoothing (SMA days).
        slowing: usize,
        /// %D (SMA days of %K).
        d: usize,
    },
    /// Wilder's ATR.
    Atr {
        /// Days (1 or more).
        period: usize,
    },
    /// On-Balance Volume.
    Obv,
    /// Rate of change in percent.
    Roc {
        /// Days back (1 or more).
        period: usize,
    },
}

/// One named output column of an indicator.
#[derive(Clone, Debug, PartialEq)]
pub struct IndicatorColumn {
    /// Column name, e.g. `macd_signal_12_26_9`.
    pub name: String,
    /// One value per day of the series, NaN until defined.
    pub values: Vec<f64>,
}

/// A spec that does not name an indicator with valid parameters.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("bad indicator '{}': {reason}; accepted: {ACCEPTED_FORMS}", shown(.spec))]
pub struct SpecError {
    /// The spec as given.
    pub spec: String,
    /// What is wrong with it (quoting the spec only through [`shown`]).
    pub reason: String,
}

impl Indicator {
    /// Its kind.
    pub fn kind(&self) -> IndicatorKind {
        match self {
            Self::Bollinger { .. } => IndicatorKind::Bollinger,
            Self::EmaRibbon { .. } => IndicatorKind::EmaRibbon,
            Self::Rsi { .. } => IndicatorKind::Rsi,
            Self::Macd { .. } => IndicatorKind::Macd,
            Self::Stochastic { .. } => IndicatorKind::Stochastic,
            Self::Atr { .. } => IndicatorKind::Atr,
            Self::Obv => IndicatorKind::Obv,
            Self::Roc { .. } => IndicatorKind::Roc,
        }
    }

    /// The parameters joined by `_`, as column names carry them (`12_26_9`; empty for OBV).
    fn suffix(&self) -> String {
        match self {
            Self::Bollinger { period, k } => format!("{period}_{k}"),
            Self::EmaRibbon { periods } => periods
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join("_"),
            Self::Rsi { period } | Self::Atr { period } | Self::Roc { period } => {
                period.to_string()
            }
            Self::Macd { fast, slow, signal } => format!("{fast}_{slow}_{signal}"),
            Self::Stochastic { k, slowing, d } => format!("{k}_{slowing}_{d}"),
            Self::Obv => String::new(),
        }
    }

    /// The output column names, in output order.
    pub fn column_names(&self) -> Vec<String> {
        let s = self.suffix();
        match self {
            Self::Bollinger { .. } => vec![
                format!("bb_upper_{s}"),
                format!("bb_middle_{s}"),
                format!("bb_lower_{s}"),
            ],
            Self::EmaRibbon { periods } => periods.iter().map(|p| format!("ema_{p}")).collect(),
            Self::Rsi { .. } => vec![format!("rsi_{s}")],
            Self::Macd { .. } => vec![
                format!("macd_{s}"),
                format!("macd_signal_{s}"),
                format!("macd_hist_{s}"),
            ],
            Self::Stochastic { .. } => vec![format!("stoch_k_{s}"), format!("stoch_d_{s}")],
            Self::Atr { .. } => vec![format!("atr_{s}")],
            Self::Obv => vec!["obv".to_owned()],
            Self::Roc { .. } => vec![format!("roc_{s}")],
        }
    }

    /// Short labels of the output lines for a legend or tooltip (`MACD`, `signal`, `%K`, …).
    pub fn line_labels(&self) -> Vec<String> {
        match self {
            Self::Bollinger { .. } => {
                vec!["BB upper".into(), "BB middle".into(), "BB lower".into()]
            }
            Self::EmaRibbon { periods } => periods.iter().map(|p| format!("EMA {p}")).collect(),
            Self::Rsi { period } => vec![format!("RSI {period}")],
            Self::Macd { .. } => vec!["MACD".into(), "signal".into(), "histogram".into()],
            Self::Stochastic { .. } => vec!["%K".into(), "%D".into()],
            Self::Atr { period } => vec![format!("ATR {period}")],
            Self::Obv => vec!["OBV".into()],
            Self::Roc { period } => vec![format!("ROC {period}")],
        }
    }

    /// Checks the parameters against what the kernels accept.
    ///
    /// # Errors
    /// The reason, in words.
    pub fn validate(&self) -> Result<(), String> {
        let at_least = |what: &str, v: usize, min: usize| {
            if v < min {
                Err(format!("{what} must be at least {min}, got {v}"))
            } else {
                Ok(())
            }
        };
        match self {
            Self::Bollinger { period, k } => {
                at_least("the period", *period, 2)?;
                if !(k.is_finite() && *k >= 0.0) {
                    return Err(format!("K must be a finite number of 0 or more, got {k}"));
                }
                Ok(())
            }
            Self::EmaRibbon { periods } => {
                if periods.is_empty() {
                    return Err("give at least one period".into());
                }
                periods
                    .iter()
                    .try_for_each(|p| at_least("every period", *p, 1))
            }
            Self::Rsi { period } => at_least("the period", *period, 2),
            Self::Macd { fast, slow, signal } => {
                at_least("the fast period", *fast, 2)?;
                at_least("the slow period", *slow, 2)?;
                at_least("the signal period", *signal, 1)
            }
            Self::Stochastic { k, slowing, d } => {
                at_least("%K", *k, 1)?;
                at_least("the slowing", *slowing, 1)?;
                at_least("%D", *d, 1)
            }
            Self::Atr { period } | Self::Roc { period } => at_least("the period", *period, 1),
            Self::Obv => Ok(()),
        }
    }

    /// Computes every output column over the whole series (close for the one-input
    /// indicators; high, low and close for Stochastic and ATR; close and volume for OBV).
    ///
    /// # Errors
    /// [`ComputeError`] for parameters the kernels reject (see [`Self::validate`]).
    pub fn compute(&self, series: &DailySeries) -> Result<Vec<IndicatorColumn>, ComputeError> {
        let (h, l, c) = (series.high(), series.low(), series.close());
        let values: Vec<Vec<f64>> = match self {
            Self::Bollinger { period, k } => {
                let b = bollinger(c, *period, *k)?;
                vec![b.upper, b.middle, b.lower]
            }
            Self::EmaRibbon { periods } => ema_ribbon(c, periods)?,
            Self::Rsi { period } => vec![rsi(c, *period)?],
            Self::Macd { fast, slow, signal } => {
                let m = macd(c, (*fast, *slow, *signal))?;
                vec![m.macd, m.signal, m.hist]
            }
            Self::Stochastic { k, slowing, d } => {
                let (k, d) = stochastic(h, l, c, (*k, *slowing, *d))?;
                vec![k, d]
            }
            Self::Atr { period } => vec![atr(h, l, c, *period)?],
            Self::Obv => vec![obv(c, series.volume())?],
            Self::Roc { period } => vec![roc(c, *period)?],
        };
        Ok(self
            .column_names()
            .into_iter()
            .zip(values)
            .map(|(name, values)| IndicatorColumn { name, values })
            .collect())
    }
}

impl fmt::Display for Indicator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kw = self.kind().keyword();
        match self {
            Self::Obv => f.write_str(kw),
            _ => write!(f, "{kw}:{}", self.suffix().replace('_', ",")),
        }
    }
}

impl FromStr for Indicator {
    type Err = SpecError;

    fn from_str(spec: &str) -> Result<Self, SpecError> {
        let err = |reason: String| SpecError {
            spec: spec.to_owned(),
            reason,
        };
        let text = spec.trim();
        let (name, params) = match text.split_once(':') {
            Some((n, p)) => (n.trim(), Some(p)),
            None => (text, None),
        };
        let name = name.to_ascii_lowercase();
        let kind = IndicatorKind::ALL
            .into_iter()
            .find(|k| k.keyword() == name)
            .ok_or_else(|| err(format!("unknown indicator '{}'", shown(&name))))?;
        let Some(params) = params else {
            return Ok(kind.default_indicator());
        };
        let parts: Vec<&str> = params.split(',').map(str::trim).collect();
        let int = |s: &str| {
            s.parse::<usize>()
                .map_err(|_| err(format!("'{}' is not a whole number of days", shown(s))))
        };
        let count = |n: usize| {
            if parts.len() == n {
                Ok(())
            } else {
                Err(err(format!(
                    "{} takes {n} parameter{}, got {}",
                    kind.keyword(),
                    if n == 1 { "" } else { "s" },
                    parts.len()
                )))
            }
        };
        let ind = match kind {
            IndicatorKind::Bollinger => {
                count(2)?;
                let k = parts[1]
                    .parse::<f64>()
                    .map_err(|_| err(format!("'{}' is not a number", shown(parts[1]))))?;
                Indicator::Bollinger {
                    period: int(parts[0])?,
                    k,
                }
            }
            IndicatorKind::EmaRibbon => Indicator::EmaRibbon {
                periods: parts.iter().map(|p| int(p)).collect::<Result<_, _>>()?,
            },
            IndicatorKind::Rsi => {
                count(1)?;
                Indicator::Rsi {
                    period: int(parts[0])?,
                }
            }
            IndicatorKind::Macd => {
                count(3)?;
                Indicator::Macd {
                    fast: int(parts[0])?,
                    slow: int(parts[1])?,
                    signal: int(parts[2])?,
                }
            }
            IndicatorKind::Stochastic => {
                count(3)?;
                Indicator::Stochastic {
                    k: int(parts[0])?,
                    slowing: int(parts[1])?,
                    d: int(parts[2])?,
                }
            }
            IndicatorKind::Atr => {
                count(1)?;
                Indicator::Atr {
                    period: int(parts[0])?,
                }
            }
            IndicatorKind::Obv => {
                return Err(err("obv takes no parameters".into()));
            }
            IndicatorKind::Roc => {
                count(1)?;
                Indicator::Roc {
                    period: int(parts[0])?,
                }
            }
        };
        ind.validate().map_err(err)?;
        Ok(ind)
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::model::Bar;

    #[test]
    fn parses_the_documented_forms_and_round_trips() {
        for (text, cols) in [
            ("rsi:14", vec!["rsi_14"]),
            (
                "macd:12,26,9",
                vec!["macd_12_26_9", "macd_signal_12_26_9", "macd_hist_12_26_9"],
            ),
            (
                "bb:20,2",
                vec!["bb_upper_20_2", "bb_middle_20_2", "bb_lower_20_2"],
            ),
            (
                "bb:20,2.5",
                vec!["bb_upper_20_2.5", "bb_middle_20_2.5", "bb_lower_20_2.5"],
            ),
            ("stoch:14,3,3", vec!["stoch_k_14_3_3", "stoch_d_14_3_3"]),
            ("atr:14", vec!["atr_14"]),
            ("obv", vec!["obv"]),
            ("roc:10", vec!["roc_10"]),
            ("ema:5,20", vec!["ema_5", "ema_20"]),
        ] {
            let ind: Indicator = text.parse().unwrap();
            assert_eq!(ind.column_names(), cols, "{text}");
            assert_eq!(ind.to_string(), text);
            assert_eq!(ind.to_string().parse::<Indicator>().unwrap(), ind);
        }
        assert_eq!(
            " RSI ".parse::<Indicator>().unwrap(),
            Indicator::Rsi { period: 14 }
        );
        assert_eq!(
            "macd".parse::<Indicator>().unwrap(),
            IndicatorKind::Macd.default_indicator()
        );
    }

    #[test]
    fn bad_specs_name_the_problem_and_the_accepted_forms() {
        for (text, reason) in [
            ("rsx:14", "unknown indicator 'rsx'"),
            ("rsi:1", "the period must be at least 2, got 1"),
            ("rsi:a", "'a' is not a whole number of days"),
            ("rsi:14,2", "rsi takes 1 parameter, got 2"),
            ("macd:12,26", "macd takes 3 parameters, got 2"),
            ("bb:20,x", "'x' is not a number"),
            ("bb:20,-1", "K must be a finite number of 0 or more, got -1"),
            ("stoch:0,3,3", "%K must be at least 1, got 0"),
            ("obv:3", "obv takes no parameters"),
            ("ema:", "'' is not a whole number of days"),
        ] {
            let e = text.parse::<Indicator>().unwrap_err();
            assert_eq!(e.reason, reason, "{text}");
            let msg = e.to_string();
            assert!(
                msg.contains(text) && msg.contains("macd:FAST,SLOW,SIGNAL"),
                "{msg}"
            );
        }
    }

    #[test]
    fn computes_named_columns_over_a_series() {
        let d0 = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        let (s, _) = DailySeries::from_bars((0..40_u32).map(|i| {
            let c = 100.0 + f64::from(i % 7) - f64::from(i % 3);
            let mut b = Bar::ohlc(d0 + chrono::Days::new(i.into()), c, c + 2.0, c - 2.0, c);
            b.volume = 1000.0 + f64::from(i);
            b
        }));
        let cols = "stoch:5,3,3"
            .parse::<Indicator>()
            .unwrap()
            .compute(&s)
            .unwrap();
        let (k, d) = stochastic(s.high(), s.low(), s.close(), (5, 3, 3)).unwrap();
        assert_eq!(cols[0].name, "stoch_k_5_3_3");
        assert_eq!(cols[0].values.len(), 40);
        assert!(
            cols[0]
                .values
                .iter()
                .zip(&k)
                .all(|(a, b)| a.to_bits() == b.to_bits())
        );
        assert!(
            cols[1]
                .values
                .iter()
                .zip(&d)
                .all(|(a, b)| a.to_bits() == b.to_bits())
        );
        let cols = Indicator::Obv.compute(&s).unwrap();
        assert_eq!(cols[0].values, obv(s.close(), s.volume()).unwrap());
        // Parameters the parser would reject still fail cleanly when built directly.
        assert!(Indicator::Rsi { period: 0 }.compute(&s).is_err());
    }
}

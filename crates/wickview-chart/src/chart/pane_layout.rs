//! Heights of the candle chart's panes: the price pane (with the volume pane under it) keeps
//! its share of the chart first; the indicator panes share the rest at the heights the user
//! dragged them to, shrink together down to [`PANE_MIN_HEIGHT`] when they do not fit, and
//! past that scroll (the chart shows them in a scroll area of the room left). A collapsed
//! pane is one line: its name and last value.

use super::panes::{HANDLE_HEIGHT, PANE_MIN_HEIGHT};

/// The share of the chart's height (above the range slider) the price and volume panes keep
/// whatever the indicator panes ask for: half, so that their plots keep the README's 45% with
/// the date axis under them.
pub(crate) const MIN_PRICE_SHARE: f32 = 0.5;
/// The price pane's share of the price and volume panes together.
pub(crate) const PRICE_OVER_VOLUME: f32 = 0.74;
/// Smallest height of a pane when the panes scroll anyway (a readable pane, with several
/// axis labels, rather than the smallest one).
pub(crate) const SCROLLED_MIN_HEIGHT: f32 = 90.0;
/// Height of a collapsed pane's one line, in points.
pub(crate) const COLLAPSED_HEIGHT: f32 = 18.0;

/// What one indicator pane asks for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct PaneRequest {
    /// The height the user gave it (plot area, points).
    pub height: f32,
    /// Folded to one line.
    pub collapsed: bool,
}

/// Where the panes go.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PaneLayout {
    /// Height of the price pane.
    pub price: f32,
    /// Height of the volume pane (0 without one).
    pub volume: f32,
    /// Height of each indicator pane's plot ([`COLLAPSED_HEIGHT`] for a collapsed one).
    pub panes: Vec<f32>,
    /// Height of the room the indicator panes are shown in: all of them, or the visible part
    /// of a scroll area when they do not fit.
    pub panes_room: f32,
    /// Whether the indicator panes scroll (their total is more than `panes_room`).
    pub scroll: bool,
}

/// The room one pane takes in the vertical layout (`gap` is the item spacing): an open pane
/// has its drag handle above it, a collapsed one is its line alone.
fn cost(height: f32, collapsed: bool, gap: f32) -> f32 {
    if collapsed {
        COLLAPSED_HEIGHT + gap
    } else {
        HANDLE_HEIGHT + gap + height + gap
    }
}

/// Lays out `avail` points (the chart's height above the range slider): the price pane and
/// the volume pane (when `with_volume`) keep at least [`MIN_PRICE_SHARE`] of it, the
/// indicator panes keep their heights when they fit in the rest, else shrink together down to
/// [`PANE_MIN_HEIGHT`], and past that scroll in the rest. Every widget is followed by `gap`.
pub(crate) fn layout(avail: f32, with_volume: bool, panes: &[PaneRequest], gap: f32) -> PaneLayout {
    let avail = avail.max(0.0);
    let room = (avail * (1.0 - MIN_PRICE_SHARE)).max(0.0);
    let fixed: f32 = panes
        .iter()
        .filter(|p| p.collapsed)
        .map(|_| cost(0.0, true, gap))
        .sum();
    let open_overhead: f32 = panes
        .iter()
        .filter(|p| !p.collapsed)
        .map(|_| cost(0.0, false, gap))
        .sum();
    let wanted: f32 = panes
        .iter()
        .filter(|p| !p.collapsed)
        .map(|p| p.height.max(PANE_MIN_HEIGHT))
        .sum();
    let for_plots = (room - fixed - open_overhead).max(0.0);
    let scale = if wanted > for_plots && wanted > 0.0 {
        for_plots / wanted
    } else {
        1.0
    };
    let heights_at = |floor: f32| -> Vec<f32> {
        panes
            .iter()
            .map(|p| {
                if p.collapsed {
                    COLLAPSED_HEIGHT
                } else {
                    (p.height.max(PANE_MIN_HEIGHT) * scale).max(floor).round()
                }
            })
            .collect()
    };
    let total_of = |heights: &[f32]| -> f32 {
        panes
            .iter()
            .zip(heights)
            .map(|(p, h)| cost(*h, p.collapsed, gap))
            .sum()
    };
    let mut heights = heights_at(PANE_MIN_HEIGHT);
    let mut total = total_of(&heights);
    let scroll = total > room + 0.5;
    if scroll {
        // They scroll anyway: each keeps a readable height.
        heights = heights_at(SCROLLED_MIN_HEIGHT.max(PANE_MIN_HEIGHT));
        total = total_of(&heights);
    }
    let panes_room = total.min(room);
    // The price (and volume) panes take what is left, followed by their gaps.
    let top = (avail - panes_room).max(0.0);
    let (price, volume) = if with_volume {
        let plots = (top - 2.0 * gap).max(0.0);
        let price = (plots * PRICE_OVER_VOLUME).round();
        (price, plots - price)
    } else {
        ((top - gap).max(0.0), 0.0)
    };
    PaneLayout {
        price,
        volume,
        panes: heights,
        panes_room,
        scroll,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open(height: f32) -> PaneRequest {
        PaneRequest {
            height,
            collapsed: false,
        }
    }

    fn top_share(l: &PaneLayout, avail: f32, gap: f32) -> f32 {
        let gaps = if l.volume > 0.0 { 2.0 * gap } else { gap };
        (l.price + l.volume + gaps) / avail
    }

    #[test]
    fn panes_keep_their_heights_when_they_fit() {
        let l = layout(800.0, true, &[open(120.0), open(100.0)], 3.0);
        assert_eq!(l.panes, vec![120.0, 100.0]);
        assert!(!l.scroll);
        // Everything adds up to the room given.
        let used = l.price + l.volume + 2.0 * 3.0 + l.panes_room;
        assert!((used - 800.0).abs() < 0.5, "{used}");
        assert!(l.price > 2.5 * l.volume);
    }

    #[test]
    fn the_price_share_holds_first_then_panes_shrink_then_scroll() {
        let gap = 3.0;
        // Six panes at the default height in a 600-point chart: the price and volume keep 45%.
        let six = vec![open(120.0); 6];
        let l = layout(600.0, true, &six, gap);
        assert!(top_share(&l, 600.0, gap) >= MIN_PRICE_SHARE - 1e-3, "{l:?}");
        assert!(l.price >= 190.0, "the price pane stays readable: {l:?}");
        assert!(
            l.scroll,
            "six panes at their minimum do not fit in 330 points"
        );
        assert!(l.panes.iter().all(|h| *h >= SCROLLED_MIN_HEIGHT), "{l:?}");
        assert!((l.panes_room - 600.0 * (1.0 - MIN_PRICE_SHARE)).abs() < 0.5);

        // Three panes shrink together to fit, no scrolling.
        let l = layout(600.0, true, &[open(120.0), open(120.0), open(60.0)], gap);
        assert!(!l.scroll, "{l:?}");
        assert!(l.panes[0] < 120.0 && l.panes[0] > l.panes[2]);
        assert!(top_share(&l, 600.0, gap) >= MIN_PRICE_SHARE - 1e-3);

        // A pane dragged huge cannot take the price pane's share.
        let l = layout(600.0, true, &[open(5000.0)], gap);
        assert!(top_share(&l, 600.0, gap) >= MIN_PRICE_SHARE - 1e-3, "{l:?}");
        assert!(!l.scroll);
    }

    #[test]
    fn collapsed_panes_are_one_line_and_free_room() {
        let gap = 3.0;
        let mut six = vec![open(120.0); 6];
        for p in six.iter_mut().skip(2) {
            p.collapsed = true;
        }
        let l = layout(600.0, true, &six, gap);
        assert_eq!(&l.panes[2..], &[COLLAPSED_HEIGHT; 4]);
        assert!(!l.scroll);
        let bigger = layout(600.0, true, &six[..2], gap);
        assert!(l.price < bigger.price + 1.0);
        assert!(l.panes[0] <= bigger.panes[0]);
    }

    #[test]
    fn no_volume_pane_gives_its_room_to_the_price() {
        let with = layout(600.0, true, &[], 3.0);
        let without = layout(600.0, false, &[], 3.0);
        assert_eq!(without.volume, 0.0);
        assert!(without.price > with.price + with.volume - 1.0);
        assert!((without.price + 3.0 - 600.0).abs() < 0.5);
    }

    #[test]
    fn tiny_windows_stay_non_negative() {
        let l = layout(10.0, true, &[open(120.0); 3], 3.0);
        assert!(l.price >= 0.0 && l.volume >= 0.0 && l.panes_room >= 0.0);
        assert!(l.scroll);
    }
}

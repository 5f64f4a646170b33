//! The window's first size: `--width` / `--height` when given, else the size the window
//! remembers from the last run (eframe restores it), else 1000 × 700 points.

/// Window width when neither `--width` nor a remembered size says otherwise, in points.
pub const DEFAULT_WIDTH: f32 = 1000.0;
/// Window height when neither `--height` nor a remembered size says otherwise, in points.
pub const DEFAULT_HEIGHT: f32 = 700.0;

/// The window's builder as the window is created: `builder` carries the remembered size
/// (eframe sets it before this runs) or the default one. A size given on the command line
/// wins over the remembered one, side by side (`--width` alone keeps the remembered
/// height); a window that must not depend on what was remembered (`fixed`: a screenshot,
/// `--fresh-settings`) takes the given or the default size. A window given a size is not
/// opened maximized or full screen.
pub fn sized(
    builder: egui::ViewportBuilder,
    width: Option<f32>,
    height: Option<f32>,
    fixed: bool,
) -> egui::ViewportBuilder {
    let (width, height) = if fixed {
        (
            Some(width.unwrap_or(DEFAULT_WIDTH)),
            Some(height.unwrap_or(DEFAULT_HEIGHT)),
        )
    } else {
        (width, height)
    };
    if width.is_none() && height.is_none() {
        return builder;
    }
    let current = builder
        .inner_size
        .unwrap_or(egui::vec2(DEFAULT_WIDTH, DEFAULT_HEIGHT));
    let size = egui::vec2(width.unwrap_or(current.x), height.unwrap_or(current.y));
    builder
        .with_inner_size(size)
        .with_maximized(false)
        .with_fullscreen(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A builder as eframe hands it over after restoring a remembered 1600 × 1000 window.
    fn remembered() -> egui::ViewportBuilder {
        egui::ViewportBuilder::default()
            .with_inner_size([DEFAULT_WIDTH, DEFAULT_HEIGHT])
            .with_inner_size([1600.0, 1000.0])
            .with_maximized(true)
    }

    #[test]
    fn the_command_line_size_wins_over_the_remembered_one() {
        let b = sized(remembered(), Some(800.0), Some(600.0), false);
        assert_eq!(b.inner_size, Some(egui::vec2(800.0, 600.0)));
        assert_eq!(b.maximized, Some(false));
        // One side given: the other stays as remembered.
        let b = sized(remembered(), Some(1200.0), None, false);
        assert_eq!(b.inner_size, Some(egui::vec2(1200.0, 1000.0)));
        let b = sized(remembered(), None, Some(900.0), false);
        assert_eq!(b.inner_size, Some(egui::vec2(1600.0, 900.0)));
    }

    #[test]
    fn without_a_size_the_remembered_one_stays() {
        let b = sized(remembered(), None, None, false);
        assert_eq!(b.inner_size, Some(egui::vec2(1600.0, 1000.0)));
        assert_eq!(b.maximized, Some(true));
    }

    #[test]
    fn a_screenshot_never_takes_the_remembered_size() {
        let b = sized(remembered(), None, None, true);
        assert_eq!(
            b.inner_size,
            Some(egui::vec2(DEFAULT_WIDTH, DEFAULT_HEIGHT))
        );
        let b = sized(remembered(), Some(1400.0), Some(900.0), true);
        assert_eq!(b.inner_size, Some(egui::vec2(1400.0, 900.0)));
    }
}

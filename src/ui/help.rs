//! Window-wide keys and their windows: `?` shows the keyboard help overlay, `g` opens
//! "go to date", `/` focuses the search box. Like the chart keys, they never fire while a
//! text field has focus.

use chrono::NaiveDate;
use egui::{Key, Modifiers};

use super::chart::CHART_KEY_HELP;

/// A window-wide key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppKey {
    /// `?`: show or hide the keyboard help.
    Help,
    /// `g`: go to a date.
    GoTo,
    /// `/`: focus the search box.
    Search,
}

/// The window-wide keys listed in the help overlay.
pub const APP_KEY_HELP: [(&str, &str); 3] = [
    ("?", "show or hide this help"),
    ("g", "go to a date"),
    ("/", "search tickers"),
];

/// The line under the help's table.
pub const HELP_NOTE: &str = "Keys act on the active chart and never while typing in a field.";

/// Reads (and consumes) this frame's window-wide keys; none while a text field has focus.
pub fn app_keys(ctx: &egui::Context) -> Vec<AppKey> {
    if ctx.text_edit_focused() {
        return Vec::new();
    }
    ctx.input_mut(|i| {
        let mut out = Vec::new();
        let question_typed = i
            .events
            .iter()
            .any(|e| matches!(e, egui::Event::Text(t) if t == "?"));
        if i.consume_key(Modifiers::NONE, Key::Questionmark)
            || i.consume_key(Modifiers::SHIFT, Key::Slash)
            || question_typed
        {
            out.push(AppKey::Help);
        }
        let slash = i.events.iter().any(|e| {
            matches!(e, egui::Event::Key { key: Key::Slash, pressed: true, modifiers, .. }
                if !modifiers.shift && !modifiers.command)
        });
        if slash {
            i.consume_key(Modifiers::NONE, Key::Slash);
            out.push(AppKey::Search);
        }
        if i.consume_key(Modifiers::NONE, Key::G) {
            out.push(AppKey::GoTo);
        }
        out
    })
}

/// The help overlay and the "go to date" window.
#[derive(Default)]
pub struct KeyWindows {
    /// Whether the help overlay is shown.
    pub help_open: bool,
    /// The "go to date" text while its window is open.
    goto: Option<String>,
    goto_error: Option<String>,
}

impl KeyWindows {
    /// Handles a window-wide key (the search key is the app's).
    pub fn on_key(&mut self, key: AppKey) {
        match key {
            AppKey::Help => self.help_open = !self.help_open,
            AppKey::GoTo => {
                self.goto = Some(String::new());
                self.goto_error = None;
            }
            AppKey::Search => {}
        }
    }

    /// Esc closes the help overlay (read before the charts take Esc for their drawings).
    pub fn close_on_escape(&mut self, ctx: &egui::Context) {
        if self.help_open && ctx.input(|i| i.key_pressed(Key::Escape)) {
            self.help_open = false;
        }
    }

    /// Whether "go to date" is open.
    pub fn is_goto_open(&self) -> bool {
        self.goto.is_some()
    }

    /// Shows the open windows; returns a date the user asked to go to.
    pub fn ui(&mut self, ctx: &egui::Context) -> Option<NaiveDate> {
        if self.help_open {
            let mut open = true;
            egui::Window::new("Keyboard shortcuts")
                .open(&mut open)
                .collapsible(false)
                .resizable(false)
                .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
                .show(ctx, |ui| {
                    egui::Grid::new("key_help").striped(true).show(ui, |ui| {
                        for (key, what) in CHART_KEY_HELP.iter().chain(APP_KEY_HELP.iter()) {
                            ui.strong(*key);
                            ui.label(*what);
                            ui.end_row();
                        }
                    });
                    ui.small(HELP_NOTE);
                });
            if !open {
                self.help_open = false;
            }
        }
        let mut picked = None;
        if let Some(text) = &mut self.goto {
            let mut close = false;
            egui::Window::new("Go to date")
                .collapsible(false)
                .resizable(false)
                .anchor(egui::Align2::CENTER_TOP, egui::vec2(0.0, 80.0))
                .show(ctx, |ui| {
                    let field = ui.add(
                        egui::TextEdit::singleline(text)
                            .id_salt("goto_date")
                            .hint_text("YYYY-MM-DD")
                            .desired_width(140.0),
                    );
                    if !field.has_focus() && !field.lost_focus() {
                        field.request_focus();
                    }
                    let enter = field.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
                    ui.horizontal(|ui| {
                        if ui.button("Go").clicked() || enter {
                            match parse_date(text) {
                                Some(d) => {
                                    picked = Some(d);
                                    close = true;
                                }
                                None => {
                                    self.goto_error = Some(format!(
                                        "'{}' is not a date (YYYY-MM-DD)",
                                        text.trim()
                                    ));
                                }
                            }
                        }
                        if ui.button("Cancel").clicked() || ui.input(|i| i.key_pressed(Key::Escape))
                        {
                            close = true;
                        }
                    });
                    if let Some(e) = &self.goto_error {
                        ui.colored_label(egui::Color32::LIGHT_RED, e);
                    }
                });
            if close {
                self.goto = None;
                self.goto_error = None;
            }
        }
        picked
    }
}

/// Parses `YYYY-MM-DD` (also `YYYY/MM/DD` and `YYYYMMDD`).
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(t, f).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The help names keys in words: the bundled fonts draw arrows (← → ↑ ↓), the minus
    /// sign and the ellipsis as specks or not at all, so every help text is plain ASCII.
    #[test]
    fn help_text_is_plain_ascii() {
        let texts = CHART_KEY_HELP
            .iter()
            .chain(APP_KEY_HELP.iter())
            .flat_map(|(k, w)| [*k, *w])
            .chain([HELP_NOTE]);
        for text in texts {
            assert!(
                text.chars().all(|c| c.is_ascii_graphic() || c == ' '),
                "'{text}' has a character the fonts draw poorly"
            );
        }
        assert!(CHART_KEY_HELP.iter().any(|(k, _)| *k == "Left / Right"));
    }

    #[test]
    fn dates_in_common_forms() {
        let d = NaiveDate::from_ymd_opt(2020, 3, 23);
        assert_eq!(parse_date(" 2020-03-23 "), d);
        assert_eq!(parse_date("2020/03/23"), d);
        assert_eq!(parse_date("20200323"), d);
        assert_eq!(parse_date("2020-02-30"), None);
        assert_eq!(parse_date("soon"), None);
    }
}

//! Hangul text: egui ships no Korean glyphs, so a system font that covers Hangul is found
//! (with fontdb) and added as a fallback to every text family.
//!
//! The search reads the system's font files, which takes a noticeable time on a machine
//! with many fonts: the window starts it on a thread of its own ([`HangulLoader`]) and
//! installs the font when it is found, so the first frame never waits for it.

use std::sync::mpsc::{self, Receiver, TryRecvError};
use std::sync::{Arc, OnceLock};

use skrifa::MetadataProvider as _;

/// Family names tried first, best first; any other installed face that covers Hangul follows.
const PREFERRED_FAMILIES: &[&str] = &[
    "Noto Sans CJK KR",
    "Noto Sans KR",
    "Source Han Sans K",
    "Source Han Sans KR",
    "NanumGothic",
    "NanumBarunGothic",
    "Malgun Gothic",
    "Apple SD Gothic Neo",
    "AppleGothic",
    "UnDotum",
    "Baekmuk Gulim",
];

/// Characters a face must map to count as covering Hangul (syllables and jamo).
const PROBE_CHARS: &[char] = &['가', '삼', '성', '전', '자', '힣', 'ㄱ'];

/// Debian/Ubuntu package that provides a Hangul font, named in the message when none is found.
pub const LINUX_FONT_PACKAGE: &str = "fonts-nanum (or fonts-noto-cjk)";

/// A system font face that covers Hangul.
#[derive(Clone, Debug)]
pub struct HangulFont {
    /// Its family name, e.g. `NanumGothic`.
    pub family: String,
    /// The font file's bytes.
    pub data: Arc<Vec<u8>>,
    /// The face index inside the file (collections hold several).
    pub index: u32,
}

/// Whether Korean text can be shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HangulStatus {
    /// The system fonts are still being searched (in the background).
    Searching,
    /// A font was found and installed as a fallback.
    Installed {
        /// Family name of the font used.
        family: String,
    },
    /// No installed font covers Hangul: Korean names would show as boxes.
    Missing,
}

impl HangulStatus {
    /// A message for the user when Korean text cannot render.
    pub fn warning(&self) -> Option<String> {
        match self {
            Self::Installed { .. } | Self::Searching => None,
            Self::Missing => Some(format!(
                "No font with Korean (Hangul) glyphs was found, so Korean names cannot be shown. \
                 Install one, e.g. on Debian/Ubuntu: sudo apt install {LINUX_FONT_PACKAGE}"
            )),
        }
    }
}

fn covers_hangul(data: &[u8], index: u32) -> bool {
    let Ok(font) = skrifa::FontRef::from_index(data, index) else {
        return false;
    };
    let charmap = font.charmap();
    PROBE_CHARS.iter().all(|c| charmap.map(*c).is_some())
}

fn search_system_fonts() -> Option<HangulFont> {
    let mut db = fontdb::Database::new();
    db.load_system_fonts();
    let preferred_rank = |face: &fontdb::FaceInfo| {
        face.families
            .iter()
            .filter_map(|(name, _)| PREFERRED_FAMILIES.iter().position(|p| p == name))
            .min()
            .unwrap_or(PREFERRED_FAMILIES.len())
    };
    let mut faces: Vec<&fontdb::FaceInfo> = db
        .faces()
        .filter(|f| f.style == fontdb::Style::Normal && f.weight == fontdb::Weight::NORMAL)
        .collect();
    // Preferred families first; otherwise keep the database's order (stable sort).
    faces.sort_by_key(|f| preferred_rank(f));
    faces.into_iter().find_map(|face| {
        let (data, index) = db.with_face_data(face.id, |data, index| (data.to_vec(), index))?;
        if !covers_hangul(&data, index) {
            return None;
        }
        let family = face
            .families
            .first()
            .map_or_else(|| face.post_script_name.clone(), |(n, _)| n.clone());
        Some(HangulFont {
            family,
            data: Arc::new(data),
            index,
        })
    })
}

static FOUND: OnceLock<Option<HangulFont>> = OnceLock::new();

/// The result of the search if it already ran in this process (`None` before that).
pub fn searched_hangul_font() -> Option<Option<HangulFont>> {
    FOUND.get().cloned()
}

/// The first installed font covering Hangul, searched once per process (the scan reads
/// font files, so its result is kept).
pub fn hangul_font() -> Option<HangulFont> {
    FOUND
        .get_or_init(|| {
            let found = search_system_fonts();
            match &found {
                Some(f) => tracing::info!("Hangul font: {}", f.family),
                None => tracing::warn!("no installed font covers Hangul"),
            }
            found
        })
        .clone()
}

/// Adds the Hangul font (if any) as the lowest-priority fallback of every family of `ctx`,
/// searching the system fonts on this thread if they were not searched yet.
pub fn install_hangul_fallback(ctx: &egui::Context) -> HangulStatus {
    install_font(ctx, hangul_font())
}

/// Adds `font` (if any) as the lowest-priority fallback of every family of `ctx`.
pub fn install_font(ctx: &egui::Context, font: Option<HangulFont>) -> HangulStatus {
    let Some(font) = font else {
        return HangulStatus::Missing;
    };
    let data = egui::FontData::from_blob(font.data.clone(), font.index);
    let families = [egui::FontFamily::Proportional, egui::FontFamily::Monospace]
        .into_iter()
        .map(|family| egui::epaint::text::InsertFontFamily {
            family,
            priority: egui::epaint::text::FontPriority::Lowest,
        })
        .collect();
    ctx.add_font(egui::epaint::text::FontInsert::new(
        "wickview-hangul",
        data,
        families,
    ));
    HangulStatus::Installed {
        family: font.family,
    }
}

/// The search for a Hangul font, running on a thread of its own; polled each frame.
pub struct HangulLoader {
    rx: Receiver<Option<HangulFont>>,
}

impl HangulLoader {
    /// Starts searching the system fonts (once per process; later loaders reuse the result).
    pub fn spawn(ctx: &egui::Context) -> Self {
        Self::spawn_with(ctx, hangul_font)
    }

    /// Starts `search` on a thread of its own; `ctx` is asked to repaint when it is done.
    pub fn spawn_with(
        ctx: &egui::Context,
        search: impl FnOnce() -> Option<HangulFont> + Send + 'static,
    ) -> Self {
        let (tx, rx) = mpsc::sync_channel(1);
        let ctx = ctx.clone();
        let spawned = std::thread::Builder::new()
            .name("wickview-fonts".into())
            .spawn(move || {
                // A panic in the search leaves the channel closed: reported as missing.
                let found = search();
                let _ = tx.send(found);
                ctx.request_repaint();
            });
        if let Err(e) = spawned {
            tracing::warn!("could not start the font search: {e}");
        }
        Self { rx }
    }

    /// Installs the font once the search is over and returns the new status; `None` while
    /// the search goes on.
    pub fn poll(&self, ctx: &egui::Context) -> Option<HangulStatus> {
        match self.rx.try_recv() {
            Ok(found) => Some(install_font(ctx, found)),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(HangulStatus::Missing),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_font_message_names_a_package() {
        let msg = HangulStatus::Missing.warning().unwrap();
        assert!(msg.contains("fonts-nanum"));
        assert!(
            HangulStatus::Installed { family: "X".into() }
                .warning()
                .is_none()
        );
    }

    #[test]
    fn garbage_is_not_a_hangul_font() {
        assert!(!covers_hangul(b"not a font at all", 0));
        assert!(!covers_hangul(&[], 0));
    }

    /// The CI installs fonts-nanum; on such a machine the search must find a face that
    /// really maps Hangul syllables.
    #[test]
    fn finds_an_installed_hangul_font_when_one_exists() {
        let has_nanum = std::path::Path::new("/usr/share/fonts/truetype/nanum").exists();
        match hangul_font() {
            Some(f) => assert!(covers_hangul(&f.data, f.index), "{}", f.family),
            None => assert!(!has_nanum, "fonts-nanum is installed but was not found"),
        }
    }
}

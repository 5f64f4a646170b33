//! Where "Export PNG" and "Save CSV" write: a native save dialog (the `rfd` crate: the XDG
//! desktop portal on Linux, zenity where no portal answers; the system dialogs on Windows
//! and macOS), opened off the UI thread on the platform's folder for the kind of file
//! ([`default_folder`]), so the window never freezes while it is open. Where no dialog can
//! open at all, the file goes into that folder under its proposed name. Tests and scripted
//! runs set a fixed folder instead ([`set_target`]), and nothing asks.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use poll_promise::Promise;

use super::bg;

/// What is saved, which picks the dialog's filter and its first folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SaveKind {
    /// A PNG of the window.
    Image,
    /// A CSV table.
    Table,
}

impl SaveKind {
    /// The dialog's filter name and the file extension.
    fn filter(self) -> (&'static str, &'static str) {
        match self {
            Self::Image => ("PNG image", "png"),
            Self::Table => ("CSV table", "csv"),
        }
    }
}

/// The user's folders as the platform names them (any may be unknown).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserFolders {
    /// Pictures (`XDG_PICTURES_DIR`, `~/Pictures`).
    pub pictures: Option<PathBuf>,
    /// Documents.
    pub documents: Option<PathBuf>,
    /// Downloads.
    pub downloads: Option<PathBuf>,
    /// The home folder.
    pub home: Option<PathBuf>,
}

impl UserFolders {
    /// This user's folders, as the platform reports them.
    pub fn of_platform() -> Self {
        let Some(dirs) = directories::UserDirs::new() else {
            return Self::default();
        };
        Self {
            pictures: dirs.picture_dir().map(Path::to_path_buf),
            documents: dirs.document_dir().map(Path::to_path_buf),
            downloads: dirs.download_dir().map(Path::to_path_buf),
            home: Some(dirs.home_dir().to_path_buf()),
        }
    }
}

/// The folder a save of `kind` starts in: the pictures folder for an image, the documents
/// folder for a table, else the downloads folder, else home; the first of them that
/// exists. `None` when none does (the dialog then opens where the platform likes).
pub fn default_folder(kind: SaveKind, folders: &UserFolders) -> Option<PathBuf> {
    let first = match kind {
        SaveKind::Image => &folders.pictures,
        SaveKind::Table => &folders.documents,
    };
    [first, &folders.downloads, &folders.home]
        .into_iter()
        .flatten()
        .find(|p| p.is_dir())
        .cloned()
}

/// How files are saved: by asking the user, or into a fixed folder.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum SaveTarget {
    /// A native save dialog (the default).
    #[default]
    Ask,
    /// Straight into this folder, under the proposed file name (tests, scripted use).
    Folder(PathBuf),
}

fn target_id() -> egui::Id {
    egui::Id::unique("wickview_save_target")
}

/// Sets how the window saves files from now on.
pub fn set_target(ctx: &egui::Context, target: SaveTarget) {
    ctx.data_mut(|d| d.insert_temp(target_id(), target));
}

fn target(ctx: &egui::Context) -> SaveTarget {
    ctx.data(|d| d.get_temp::<SaveTarget>(target_id()))
        .unwrap_or_default()
}

/// No dialog answers sooner than this when a person cancels it; a quicker "no file" means
/// no dialog could open (no portal, no zenity).
const NO_DIALOG: Duration = Duration::from_millis(400);

/// What a save dialog's answer means: the file chosen; nothing when the user cancelled; the
/// default folder's file when no dialog could open at all (the answer came back within
/// [`NO_DIALOG`]), so the button still saves somewhere sensible, and says where.
fn without_dialog(
    chosen: Option<PathBuf>,
    waited: Duration,
    fallback: Option<PathBuf>,
) -> Option<PathBuf> {
    if chosen.is_none() && waited < NO_DIALOG {
        tracing::warn!("no save dialog could open; saving into the default folder");
        return fallback;
    }
    chosen
}

/// `path` with the kind's extension when it has none (a name typed without one).
fn with_extension(mut path: PathBuf, kind: SaveKind) -> PathBuf {
    if path.extension().is_none() {
        path.set_extension(kind.filter().1);
    }
    path
}

/// A choice of where to save, while the dialog is open.
#[derive(Default)]
pub struct PendingChoice(Option<Promise<Result<Option<PathBuf>, String>>>);

impl PendingChoice {
    /// Asks where to save `file_name` (a dialog off the UI thread, or the fixed folder);
    /// nothing happens while a dialog is already open.
    pub fn start(
        &mut self,
        ctx: &egui::Context,
        rt: &tokio::runtime::Handle,
        kind: SaveKind,
        file_name: &str,
    ) {
        if self.0.is_some() {
            return;
        }
        self.0 = Some(match target(ctx) {
            SaveTarget::Folder(dir) => {
                Promise::from_ready(Ok(Some(with_extension(dir.join(file_name), kind))))
            }
            SaveTarget::Ask => {
                let (filter, extension) = kind.filter();
                let mut dialog = rfd::AsyncFileDialog::new()
                    .set_title(match kind {
                        SaveKind::Image => "Export PNG",
                        SaveKind::Table => "Save CSV",
                    })
                    .add_filter(filter, &[extension])
                    .set_file_name(file_name)
                    .set_can_create_directories(true);
                let folder = default_folder(kind, &UserFolders::of_platform());
                if let Some(dir) = &folder {
                    dialog = dialog.set_directory(dir);
                }
                let fallback = folder.map(|dir| dir.join(file_name));
                bg::spawn(rt, ctx, async move {
                    let asked = Instant::now();
                    let chosen = dialog.save_file().await.map(|h| h.path().to_path_buf());
                    let path = without_dialog(chosen, asked.elapsed(), fallback);
                    Ok(path.map(|p| with_extension(p, kind)))
                })
            }
        });
    }

    /// Whether a dialog is open.
    pub fn is_open(&self) -> bool {
        self.0.is_some()
    }

    /// Once the dialog closed: `Ok(Some(path))` to save there, `Ok(None)` when cancelled.
    /// `None` while it is open or when nothing was asked.
    pub fn take(&mut self) -> Option<Result<Option<PathBuf>, String>> {
        bg::take_ready(&mut self.0)
    }
}

/// Writes `image` as a PNG file.
pub fn save_png(image: &egui::ColorImage, path: &Path) -> Result<(), String> {
    let [w, h] = image.size;
    let bytes: Vec<u8> = image
        .pixels
        .iter()
        .flat_map(|c| c.to_srgba_unmultiplied())
        .collect();
    let (Ok(w), Ok(h)) = (u32::try_from(w), u32::try_from(h)) else {
        return Err("image too large".to_owned());
    };
    let buf = image::RgbaImage::from_raw(w, h, bytes)
        .ok_or_else(|| "the image size does not match its pixels".to_owned())?;
    if let Some(parent) = path.parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    buf.save(path)
        .map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fake home with some of the usual folders; the platform's names for them point
    /// into it whether they exist or not (as `user-dirs.dirs` may name a folder that was
    /// deleted).
    fn home_with(dirs: &[&str]) -> (tempfile::TempDir, UserFolders) {
        let home = tempfile::tempdir().unwrap();
        for d in dirs {
            std::fs::create_dir_all(home.path().join(d)).unwrap();
        }
        let folders = UserFolders {
            pictures: Some(home.path().join("Pictures")),
            documents: Some(home.path().join("Documents")),
            downloads: Some(home.path().join("Downloads")),
            home: Some(home.path().to_owned()),
        };
        (home, folders)
    }

    #[test]
    fn images_go_to_pictures_and_tables_to_documents() {
        let (home, folders) = home_with(&["Pictures", "Documents", "Downloads"]);
        assert_eq!(
            default_folder(SaveKind::Image, &folders),
            Some(home.path().join("Pictures"))
        );
        assert_eq!(
            default_folder(SaveKind::Table, &folders),
            Some(home.path().join("Documents"))
        );
    }

    #[test]
    fn without_them_downloads_then_home() {
        let (home, folders) = home_with(&["Downloads"]);
        assert_eq!(
            default_folder(SaveKind::Image, &folders),
            Some(home.path().join("Downloads"))
        );
        assert_eq!(
            default_folder(SaveKind::Table, &folders),
            Some(home.path().join("Downloads"))
        );
        let (home, folders) = home_with(&[]);
        assert_eq!(
            default_folder(SaveKind::Image, &folders),
            Some(home.path().to_owned())
        );
        // A platform that names no folder at all (no home either): the dialog decides.
        let none = UserFolders {
            pictures: None,
            documents: None,
            downloads: None,
            home: None,
        };
        assert_eq!(default_folder(SaveKind::Table, &none), None);
        // Unknown pictures folder (no XDG entry), existing documents: an image goes to
        // downloads or home, never to the documents.
        let (home, mut folders) = home_with(&["Documents"]);
        folders.pictures = None;
        assert_eq!(
            default_folder(SaveKind::Image, &folders),
            Some(home.path().to_owned())
        );
    }

    #[test]
    fn without_any_dialog_the_default_folder_is_used() {
        let chosen = Some(PathBuf::from("/chosen/a.png"));
        let fallback = Some(PathBuf::from("/home/u/Pictures/a.png"));
        let quick = Duration::from_millis(40);
        let slow = Duration::from_secs(3);
        // A choice stands, however fast; a cancel after a while is a cancel.
        assert_eq!(
            without_dialog(chosen.clone(), quick, fallback.clone()),
            chosen
        );
        assert_eq!(without_dialog(None, slow, fallback.clone()), None);
        // No dialog at all (an answer at once): the default folder.
        assert_eq!(without_dialog(None, quick, fallback.clone()), fallback);
        assert_eq!(without_dialog(None, quick, None), None);
    }

    #[test]
    fn a_fixed_folder_saves_without_asking() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let ctx = egui::Context::default();
        let dir = tempfile::tempdir().unwrap();
        set_target(&ctx, SaveTarget::Folder(dir.path().to_owned()));
        let mut choice = PendingChoice::default();
        choice.start(&ctx, rt.handle(), SaveKind::Table, "wickview-performance");
        assert_eq!(
            choice.take(),
            Some(Ok(Some(dir.path().join("wickview-performance.csv"))))
        );
        assert!(!choice.is_open());
        choice.start(&ctx, rt.handle(), SaveKind::Image, "chart.png");
        assert_eq!(choice.take(), Some(Ok(Some(dir.path().join("chart.png")))));
    }

    #[test]
    fn save_png_writes_the_pixels_and_reports_bad_paths() {
        let dir = tempfile::tempdir().unwrap();
        let mut image = egui::ColorImage::filled([3, 2], egui::Color32::from_rgb(10, 20, 30));
        image.pixels[0] = egui::Color32::from_rgb(200, 0, 0);
        let path = dir.path().join("nested").join("shot.png");
        save_png(&image, &path).unwrap();
        let back = image::open(&path).unwrap().to_rgba8();
        assert_eq!(back.dimensions(), (3, 2));
        assert_eq!(back.get_pixel(0, 0).0, [200, 0, 0, 255]);
        assert_eq!(back.get_pixel(2, 1).0, [10, 20, 30, 255]);
        // A directory where the file should go: a clear error, no panic.
        let err = save_png(&image, dir.path()).unwrap_err();
        assert!(!err.is_empty());
    }
}

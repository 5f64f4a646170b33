//! Runs the `wickview` binary so that it can never read or write the user's own data: its
//! own config file (`--config`), data directory (`--data-dir`), config/data/cache homes,
//! and none of the store or source settings of the environment the tests run in.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Environment variables that choose a store or a source; a test command never inherits them.
pub const STORE_ENV: [&str; 3] = ["MONGODB_URI", "WICKVIEW_DATA_DIR", "WICKVIEW_SOURCE_URL"];

/// A temporary home for one test's runs of the binary.
pub struct Sandbox {
    dir: tempfile::TempDir,
}

impl Default for Sandbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Sandbox {
    /// A fresh sandbox with an empty config file.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config.toml"), "").unwrap();
        Self { dir }
    }

    /// The sandbox's root directory.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// The embedded store's directory.
    pub fn data_dir(&self) -> PathBuf {
        self.root().join("data")
    }

    /// The config file every command is given (`--config`), empty unless a test writes it.
    pub fn config_file(&self) -> PathBuf {
        self.root().join("config.toml")
    }

    /// `wickview` with the sandbox's config, data directory and homes.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_wickview"));
        isolate(&mut cmd, self.root());
        cmd
    }
}

/// Points `cmd` at `root` for everything the binary reads or writes on its own: `--config`
/// (`root/config.toml`, created empty if missing), `--data-dir` (`root/data`), the XDG config,
/// data and cache homes under `root`, and no inherited store or source variables. Applied
/// last, it overrides whatever the command was given before.
pub fn isolate<'a>(cmd: &'a mut Command, root: &Path) -> &'a mut Command {
    let config = root.join("config.toml");
    if !config.exists() {
        std::fs::write(&config, "").unwrap();
    }
    for name in STORE_ENV {
        cmd.env_remove(name);
    }
    cmd.arg("--config")
        .arg(config)
        .arg("--data-dir")
        .arg(root.join("data"))
        .env("XDG_CONFIG_HOME", root.join("xdg-config"))
        .env("XDG_DATA_HOME", root.join("xdg-data"))
        .env("XDG_CACHE_HOME", root.join("xdg-cache"))
        .env("RUST_LOG", "warn,wickview=info")
}

/// Runs the binary sandboxed under `root` (its own config, data directory and homes).
pub fn wickview_in(root: &Path, args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wickview"));
    isolate(&mut cmd, root).args(args).output().unwrap()
}

/// The standard output of a run that must have succeeded (else the test fails, showing
/// its exit status and standard error).
pub fn succeeded(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

//! `wickview watchlist ...` through the real binary on a temporary embedded store: create,
//! add (unknown tickers reported, the rest added), remove, show, list, rename, delete, and
//! the exit codes.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn wickview(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wickview"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("MONGODB_URI")
        .env("XDG_CONFIG_HOME", data_dir.join("config"))
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn watchlists_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    // Two tickers in the store.
    for name in ["AAPL.csv", "MSFT.csv"] {
        let out = wickview(
            data,
            &[
                "import",
                common::sample(name).to_str().unwrap(),
                "--category",
                "us",
            ],
        );
        assert!(out.status.success(), "{}", stderr(&out));
    }

    let out = wickview(data, &["watchlist", "create", "Tech", "msft,NOPE", "AAPL"]);
    assert_eq!(out.status.code(), Some(1), "an unknown ticker: exit 1");
    assert!(
        stderr(&out).contains("NOPE: not in the ticker list"),
        "{}",
        stderr(&out)
    );
    let out = wickview(data, &["watchlist", "show", "Tech"]);
    assert!(out.status.success());
    assert_eq!(stdout(&out), "MSFT\nAAPL\n", "the known ones, in order");

    let out = wickview(data, &["watchlist", "remove", "Tech", "MSFT"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = wickview(data, &["watchlist", "add", "Tech", "MSFT"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&wickview(data, &["watchlist", "show", "Tech"])),
        "AAPL\nMSFT\n"
    );

    let out = wickview(data, &["watchlist", "create", "Tech"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("already exists"), "{}", stderr(&out));

    let out = wickview(data, &["watchlist", "rename", "Tech", "Mega caps"]);
    assert!(out.status.success(), "{}", stderr(&out));
    wickview(data, &["watchlist", "create", "Empty"]);
    assert_eq!(
        stdout(&wickview(data, &["watchlist", "list"])),
        "Empty\t0\nMega caps\t2\n"
    );

    let out = wickview(data, &["watchlist", "show", "Tech"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no watchlist named 'Tech'"),
        "{}",
        stderr(&out)
    );

    assert!(
        wickview(data, &["watchlist", "delete", "Empty"])
            .status
            .success()
    );
    assert_eq!(
        wickview(data, &["watchlist", "delete", "Empty"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        stdout(&wickview(data, &["watchlist", "list"])),
        "Mega caps\t2\n"
    );
}

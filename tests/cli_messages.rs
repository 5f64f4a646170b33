//! What the command line says: plain logs in files, each error once, hostile input quoted
//! short and inert, ranges and options that cannot mean what was typed refused or noted.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use std::process::Output;

use common::*;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn run(sandbox: &Sandbox, args: &[&str]) -> Output {
    sandbox.command().args(args).output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn import_msft(sandbox: &Sandbox) {
    let out = run(sandbox, &["import", sample("MSFT.csv").to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// stderr redirected to a file (the README's cron line) carries no colour escape codes.
#[tokio::test]
async fn logs_written_to_a_file_are_plain_text() {
    let server = MockServer::start().await;
    mount_handshake(&server).await;
    Mock::given(method("GET"))
        .and(path(chart_path("MSFT")))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let sandbox = Sandbox::new();
    import_msft(&sandbox);
    let log = sandbox.root().join("update.log");
    let file = std::fs::File::create(&log).unwrap();
    let status = sandbox
        .command()
        .args(["update", "--category", "us", "--source-url", &server.uri()])
        .stderr(file)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("update failed"), "{text}");
    assert!(
        !text.contains('\u{1b}'),
        "escape codes in the log file: {text:?}"
    );
}

/// An error whose cause is already in its message is printed once.
#[test]
fn each_error_is_said_once() {
    let sandbox = Sandbox::new();
    let out = run(&sandbox, &["export", "MSFT"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stderr(&out);
    assert_eq!(
        text.matches("no embedded database here yet").count(),
        1,
        "{text}"
    );
    assert_eq!(text.lines().count(), 1, "{text}");
}

/// A 10,000-character ticker or one with a terminal escape is quoted short and inert.
#[test]
fn hostile_tickers_are_quoted_short_and_inert() {
    let sandbox = Sandbox::new();
    import_msft(&sandbox);
    let long = "A".repeat(10_000);
    let out = run(&sandbox, &["export", &long]);
    assert_eq!(out.status.code(), Some(1));
    let text = stderr(&out);
    assert!(
        text.len() < 400,
        "{} bytes: {}",
        text.len(),
        &text[..400.min(text.len())]
    );
    assert!(text.contains("10000 characters"), "{text}");
    let out = run(&sandbox, &["export", "MS\u{1b}[2J\nFT"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!stderr(&out).contains('\u{1b}'), "{:?}", stderr(&out));
}

#[test]
fn names_must_be_one_plain_line() {
    let sandbox = Sandbox::new();
    let out = run(
        &sandbox,
        &[
            "import",
            sample("MSFT.csv").to_str().unwrap(),
            "--name",
            "Micro\nsoft\u{1b}[31m",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let text = stderr(&out);
    assert!(text.contains("control characters"), "{text}");
    assert!(!text.contains('\u{1b}'), "{text:?}");
}

/// `--from` after `--to` is an error (not a header alone); `--ma 5,5` is one column.
#[test]
fn export_ranges_and_windows_mean_what_was_typed() {
    let sandbox = Sandbox::new();
    import_msft(&sandbox);
    let out = run(
        &sandbox,
        &[
            "export",
            "MSFT",
            "--from",
            "2010-06-01",
            "--to",
            "2010-01-01",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--from 2010-06-01 is after --to 2010-01-01"));
    assert!(out.stdout.is_empty());
    let out = run(
        &sandbox,
        &[
            "export",
            "MSFT",
            "--ma",
            "5,5,20",
            "--from",
            "2010-01-04",
            "--to",
            "2010-01-08",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text.lines().next().unwrap(),
        "date,open,high,low,close,volume,sma_5,sma_20,source,foreign_ratio"
    );
    assert_eq!(text.lines().count(), 6);
}

/// `--category` for a ticker already stored under another category is not silently ignored.
#[test]
fn import_says_when_category_is_not_applied() {
    let sandbox = Sandbox::new();
    import_msft(&sandbox);
    let out = run(
        &sandbox,
        &[
            "import",
            sample("MSFT.csv").to_str().unwrap(),
            "--category",
            "index",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stderr(&out);
    assert!(
        text.contains("MSFT was already stored as us; --category index was not applied"),
        "{text}"
    );
}

//! What the command line says about hostile input (the real binary): a file, a cell, an
//! argument or a config value is quoted at most 40 characters long with control characters
//! escaped, whatever the file holds (a one-line 10 MB file, NUL bytes, UTF-16), and a failed
//! import leaves what is stored as it was.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use std::path::Path;
use std::process::Output;

use common::*;

fn run(sandbox: &Sandbox, args: &[&str]) -> Output {
    sandbox.command().args(args).output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts stderr is short and holds no control character but line ends.
fn short_and_inert(out: &Output, limit: usize) -> String {
    let text = stderr(out);
    assert!(
        out.stderr.len() < limit,
        "{} bytes: {:?}",
        out.stderr.len(),
        &text[..text.len().min(600)]
    );
    let bad: Vec<u8> = out
        .stderr
        .iter()
        .copied()
        .filter(|b| (*b < 0x20 && *b != b'\n') || *b == 0x7f)
        .collect();
    assert!(bad.is_empty(), "control bytes {bad:?} in {text:?}");
    text
}

/// MSFT imported; returns its export, to compare after a failed import.
fn stored_msft(sandbox: &Sandbox) -> Vec<u8> {
    let out = run(sandbox, &["export", "MSFT"]);
    assert!(out.status.success(), "{}", stderr(&out));
    out.stdout
}

fn import_as_msft(sandbox: &Sandbox, file: &Path) -> Output {
    run(
        sandbox,
        &["import", file.to_str().unwrap(), "--ticker", "MSFT"],
    )
}

fn sandbox_with_msft() -> (Sandbox, Vec<u8>) {
    let sandbox = Sandbox::new();
    let out = run(&sandbox, &["import", sample("MSFT.csv").to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let before = stored_msft(&sandbox);
    (sandbox, before)
}

#[test]
fn a_one_line_10_mb_file_is_quoted_short() {
    let (sandbox, before) = sandbox_with_msft();
    let huge = "A\u{1b}[2J".repeat(2_500_000);
    for (name, text) in [
        ("line.csv", huge.clone()),
        ("header.csv", format!("date,open,{huge}\n2024-01-02,1,2\n")),
        ("cell.csv", format!("date,close\n2024-01-02,{huge}\n")),
        ("day.csv", format!("{huge},1,2,0.5,1.5,100\n")),
    ] {
        let file = sandbox.root().join(name);
        std::fs::write(&file, &text).unwrap();
        let out = import_as_msft(&sandbox, &file);
        assert_eq!(out.status.code(), Some(1), "{name}: {}", stderr(&out));
        let said = short_and_inert(&out, 1024);
        assert!(said.contains("not imported"), "{name}: {said}");
        assert_eq!(stored_msft(&sandbox), before, "{name}: MSFT changed");
    }
}

#[test]
fn nul_bytes_and_utf16_come_out_escaped_or_named() {
    let (sandbox, before) = sandbox_with_msft();
    let nul = sandbox.root().join("nul.csv");
    std::fs::write(
        &nul,
        b"date,open,high,low,close,volume\n2024-01-02\0\0,1,2,0.5,1.5,100\n2024-01-03,1\0,2,0.5,1.5,100\n",
    )
    .unwrap();
    let out = import_as_msft(&sandbox, &nul);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let said = short_and_inert(&out, 1024);
    assert!(said.contains("\\u{0}"), "{said}");
    assert_eq!(stored_msft(&sandbox), before);

    let utf16 = sandbox.root().join("utf16.csv");
    let mut bytes = vec![0xff, 0xfe];
    for unit in "Date,Open,High,Low,Close,Volume\r\n2024-01-02,1,2,0.5,1.5,100\r\n".encode_utf16() {
        bytes.extend(unit.to_le_bytes());
    }
    std::fs::write(&utf16, &bytes).unwrap();
    let out = import_as_msft(&sandbox, &utf16);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let said = short_and_inert(&out, 1024);
    assert!(
        said.contains("looks like UTF-16") && said.contains("save it as UTF-8"),
        "{said}"
    );
    // Without a byte-order mark too.
    std::fs::write(&utf16, &bytes[2..]).unwrap();
    let out = import_as_msft(&sandbox, &utf16);
    assert!(short_and_inert(&out, 1024).contains("looks like UTF-16"));
    assert_eq!(stored_msft(&sandbox), before);

    let empty = sandbox.root().join("empty.csv");
    std::fs::write(&empty, b"").unwrap();
    let out = import_as_msft(&sandbox, &empty);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        short_and_inert(&out, 1024).contains("no rows of prices found (the file is empty"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stored_msft(&sandbox), before);
}

#[test]
fn arguments_are_quoted_short_and_inert() {
    let (sandbox, _) = sandbox_with_msft();
    let long = format!("rsi:{}", "\u{1b}[31m9".repeat(5000));
    for args in [
        vec!["export", "MSFT", "--indicator", long.as_str()],
        vec!["export", "MSFT", "--indicator", "rs\u{1b}[2Ji:14"],
        vec!["export", "MSFT", "--indicator", "rsi:1\u{1b}[2J4"],
        vec!["export", "MSFT", "--indicator", "bb:20,\u{1b}[2J"],
        vec!["export", "MSFT", long.as_str()],
        vec!["export", "MSFT", "--from", long.as_str()],
        vec!["--range", long.as_str()],
        vec!["--view", "k\u{1b}[2Jr"],
        vec!["--currency", long.as_str()],
        vec!["import", "x.csv", "--category", long.as_str()],
    ] {
        let out = run(&sandbox, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let said = short_and_inert(&out, 1024);
        assert!(said.starts_with("error: "), "{said}");
    }
    let out = run(&sandbox, &["--help"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("Usage"));
}

#[test]
fn config_values_are_quoted_short_and_inert() {
    let sandbox = Sandbox::new();
    let hostile = format!("\\u001b[2J{}", "x".repeat(10_000));
    std::fs::write(
        sandbox.config_file(),
        format!("[store]\nmongodb_uri = \"mongodb://127.0.0.1:9\"\ndb_name = \"{hostile}\"\n"),
    )
    .unwrap();
    let out = run(&sandbox, &["export", "MSFT"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(short_and_inert(&out, 1024).contains("not a valid MongoDB database name"));

    std::fs::write(
        sandbox.config_file(),
        format!("[store]\n\"{hostile}\" = 1\n"),
    )
    .unwrap();
    let out = run(&sandbox, &["export", "MSFT"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(short_and_inert(&out, 1024).contains("unknown field"));

    std::fs::write(
        sandbox.config_file(),
        format!("[source]\nread_timeout_s = \"{hostile}\"\n"),
    )
    .unwrap();
    let out = run(
        &sandbox,
        &[
            "update",
            "--category",
            "us",
            "--source-url",
            "http://127.0.0.1:9",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    short_and_inert(&out, 1024);
}

//! MongoDB users and rights, against a SecantusDB server of this test's own started with
//! `--auth` (users `admin` with `root`, `reader` with only `read` on `finance_db`): a reader
//! opens, lists and exports; its writes fail with "this user may not write to finance_db";
//! a wrong password is one short line naming the user. No message carries the driver's
//! debug text or a hex dump of the server's reply.
//!
//! Needs `WICKVIEW_TEST_SECANTUSD` (set by `.ci/mongo-test-server.sh`); without it the test
//! is listed as ignored, except in CI (`CI=true`) where it runs and fails.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

mod common;

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::Sandbox;
use mongodb::bson::doc;
use wickview::model::{Category, DailySeries, Ticker, TickerMeta};
use wickview::store::{Store, StoreConfig, StoreError, TickerQuery};

const DB: &str = "finance_db";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A server process, killed when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_server(port: u16, storage: &Path, auth: bool) -> Server {
    let bin = std::env::var("WICKVIEW_TEST_SECANTUSD")
        .ok()
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(|| {
            panic!("WICKVIEW_TEST_SECANTUSD is unset: this test needs secantusd-py")
        });
    let mut cmd = Command::new(bin);
    cmd.args(["--host", "127.0.0.1", "--port", &port.to_string()])
        .arg("--storage-path")
        .arg(storage)
        .args(["--log-level", "WARNING"])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // Provisioning commits to disk at once: the server is killed before it restarts.
    cmd.arg(if auth { "--auth" } else { "--sync-on-commit" });
    let mut child = cmd.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "server exited at start"
        );
        assert!(Instant::now() < deadline, "server did not open port {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
    Server(child)
}

fn uri(port: u16, user: &str, password: &str, auth_source: &str) -> String {
    format!(
        "mongodb://{user}:{password}@127.0.0.1:{port}/?directConnection=true&authSource={auth_source}"
    )
}

fn config(uri: String) -> StoreConfig {
    StoreConfig::Mongo {
        uri,
        db_name: DB.to_owned(),
    }
}

/// One line, short, no hex bytes, no driver internals, no password.
fn assert_tidy(message: &str, password: &str) {
    assert!(!message.trim_end().contains('\n'), "{message}");
    assert!(message.len() < 200, "{} chars: {message}", message.len());
    assert!(
        !message.contains("0x") && !message.contains("\\x"),
        "{message}"
    );
    assert!(
        !message.contains("labels") && !message.contains("server response"),
        "{message}"
    );
    assert!(!message.contains(password), "{message}");
}

fn wickview(uri: &str, args: &[&str], sandbox: &Sandbox) -> Output {
    sandbox
        .command()
        .args(["--mongodb-uri", uri, "--db-name", DB])
        .args(args)
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(mongo_fault_tests),
    ignore = "needs SecantusDB: set WICKVIEW_TEST_SECANTUSD (.ci/mongo-test-server.sh)"
)]
async fn read_only_users_read_and_are_told_they_may_not_write() {
    let dir = tempfile::tempdir().unwrap();
    let storage = dir.path().join("data");
    std::fs::create_dir_all(&storage).unwrap();
    let port = free_port();
    // Users are provisioned on a server without auth, then it is restarted with `--auth`.
    {
        let _server = start_server(port, &storage, false);
        let client = mongodb::Client::with_uri_str(format!(
            "mongodb://127.0.0.1:{port}/?directConnection=true"
        ))
        .await
        .unwrap();
        client
            .database("admin")
            .run_command(doc! { "createUser": "admin", "pwd": "adm1n-pw", "roles": ["root"] })
            .await
            .unwrap();
        client
            .database(DB)
            .run_command(doc! {
                "createUser": "reader", "pwd": "r3ader-pw",
                "roles": [{ "role": "read", "db": DB }],
            })
            .await
            .unwrap();
        client.shutdown().await;
    }
    let _server = start_server(port, &storage, true);

    // The owner writes a ticker with bars.
    let owner = Store::open(&config(uri(port, "admin", "adm1n-pw", "admin")))
        .await
        .unwrap();
    let aapl = Ticker::parse(Category::UsStock, "AAPL").unwrap();
    owner
        .add_ticker(&TickerMeta::new(aapl.clone(), "Apple"))
        .await
        .unwrap();
    let (bars, _) = DailySeries::from_bars([wickview::model::Bar::ohlc(
        chrono::NaiveDate::from_ymd_opt(2024, 1, 2).unwrap(),
        1.0,
        2.0,
        0.5,
        1.5,
    )]);
    owner.upsert_bars(&aapl, &bars).await.unwrap();

    // The reader opens (the indexes it may not build are left to the owner) and reads.
    let reader_uri = uri(port, "reader", "r3ader-pw", DB);
    let reader = Store::open(&config(reader_uri.clone())).await.unwrap();
    assert!(
        reader.describe().ends_with("(read-only)"),
        "{}",
        reader.describe()
    );
    let listed = reader.list_tickers(&TickerQuery::default()).await.unwrap();
    assert_eq!(listed.items.len(), 1);
    assert_eq!(reader.load_series(&aapl, None).await.unwrap(), bars);
    let read_only = Store::open_read_only(&config(reader_uri.clone()))
        .await
        .unwrap();
    assert_eq!(read_only.load_series(&aapl, None).await.unwrap(), bars);

    // Its writes are refused in plain words, and nothing changes.
    let msft = Ticker::parse(Category::UsStock, "MSFT").unwrap();
    let err = reader
        .add_ticker(&TickerMeta::new(msft.clone(), "Microsoft"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::NotPermitted { .. }), "{err:?}");
    assert_eq!(err.to_string(), "this user may not write to finance_db");
    let err = reader.upsert_bars(&msft, &bars).await.unwrap_err();
    assert_eq!(err.to_string(), "this user may not write to finance_db");
    assert_eq!(owner.ticker("MSFT").await.unwrap(), None);

    // The command line: `tickers list` and `export` work, a write says why it failed.
    let sandbox = Sandbox::new();
    let list = wickview(&reader_uri, &["tickers", "list"], &sandbox);
    let stderr = String::from_utf8_lossy(&list.stderr).into_owned();
    assert!(list.status.success(), "{stderr}");
    assert!(String::from_utf8_lossy(&list.stdout).contains("AAPL"));
    assert!(
        stderr.contains("this user may not write to finance_db; opened for reading only"),
        "{stderr}"
    );
    for line in stderr.lines() {
        assert_tidy(line, "r3ader-pw");
    }
    let export = wickview(&reader_uri, &["export", "AAPL"], &sandbox);
    assert!(
        export.status.success(),
        "{}",
        String::from_utf8_lossy(&export.stderr)
    );
    assert!(String::from_utf8_lossy(&export.stdout).contains("2024-01-02,"));
    let add = wickview(&reader_uri, &["tickers", "add", "MSFT"], &sandbox);
    assert!(!add.status.success());
    let stderr = String::from_utf8_lossy(&add.stderr).into_owned();
    assert!(
        stderr.contains("error: this user may not write to finance_db"),
        "{stderr}"
    );
    for line in stderr.lines() {
        assert_tidy(line, "r3ader-pw");
    }

    // A wrong password: one short line naming the user, for the store and the command line.
    let wrong = uri(port, "reader", "n0t-the-pw", DB);
    let err = Store::open(&config(wrong.clone())).await.unwrap_err();
    assert!(matches!(err, StoreError::Auth { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains("authentication failed for user 'reader'"),
        "{message}"
    );
    assert_tidy(&message, "n0t-the-pw");
    let list = wickview(&wrong, &["tickers", "list"], &sandbox);
    assert!(!list.status.success());
    let stderr = String::from_utf8_lossy(&list.stderr).into_owned();
    assert!(
        stderr.contains("authentication failed for user 'reader'"),
        "{stderr}"
    );
    for line in stderr.lines() {
        assert_tidy(line, "n0t-the-pw");
    }
    owner.drop_all_data().await.unwrap();
}

/// No server at all: one short line naming the host.
#[tokio::test]
async fn an_unreachable_server_is_one_short_line() {
    let port = free_port();
    let config = StoreConfig::Mongo {
        uri: format!(
            "mongodb://wick:s3cr3t-pw@127.0.0.1:{port}/?directConnection=true&serverSelectionTimeoutMS=300"
        ),
        db_name: DB.to_owned(),
    };
    let err = Store::open(&config).await.unwrap_err();
    let message = err.to_string();
    eprintln!("{message}");
    assert!(
        message.starts_with(&format!(
            "cannot reach MongoDB at 127.0.0.1:{port}: server selection timed out: no server at 127.0.0.1:{port} answered"
        )),
        "{message}"
    );
    assert_tidy(&message, "s3cr3t-pw");
}

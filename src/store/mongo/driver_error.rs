//! One-line summaries of the driver's errors.
//!
//! The driver's own `Display` of an error appends its labels, the `Debug` text of its
//! source error and the raw server reply (a hex dump of BSON bytes), so it is never shown:
//! every message built from a `mongodb::error::Error` goes through [`summarize`], which
//! reads the error's kind and gives one short line (the code name and number of a failed
//! command, the user whose login was refused, the hosts no server answered at), with the
//! password redacted and no control characters.

use mongodb::error::{Error, ErrorKind, WriteFailure};

use crate::store::config::MongoUri;

/// The most characters a summary keeps (a server's own message can quote a whole command).
const MAX_CHARS: usize = 160;
/// The most characters kept of a server's message inside a summary.
pub(super) const MAX_SERVER_MESSAGE: usize = 90;

/// Code of a failed login (`AuthenticationFailed`).
pub(super) const AUTHENTICATION_FAILED: i32 = 18;
/// Code of a command refused for lack of rights (`Unauthorized`).
pub(super) const UNAUTHORIZED: i32 = 13;

/// What an error is about, for the choice of [`crate::store::StoreError`] variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Class {
    /// No server answered, or the connection was lost.
    Unreachable,
    /// The login was refused.
    Auth,
    /// The user lacks the rights for the command (code 13).
    Unauthorized,
    /// Anything else.
    Other,
}

/// The class of `err`.
pub(super) fn classify(err: &Error) -> Class {
    match &*err.kind {
        ErrorKind::ServerSelection { .. }
        | ErrorKind::Io(_)
        | ErrorKind::ConnectionPoolCleared { .. }
        | ErrorKind::DnsResolve { .. }
        | ErrorKind::Shutdown => Class::Unreachable,
        ErrorKind::Authentication { .. } => Class::Auth,
        _ => match server_code(err) {
            Some(AUTHENTICATION_FAILED) => Class::Auth,
            Some(UNAUTHORIZED) => Class::Unauthorized,
            _ if err.contains_label("RetryableWriteError")
                || err.contains_label("TransientTransactionError") =>
            {
                Class::Unreachable
            }
            _ => Class::Other,
        },
    }
}

/// The server error code of a failed command or write, if any.
pub(super) fn server_code(err: &Error) -> Option<i32> {
    match &*err.kind {
        ErrorKind::Command(e) => Some(e.code),
        ErrorKind::Write(WriteFailure::WriteError(e)) => Some(e.code),
        ErrorKind::Write(WriteFailure::WriteConcernError(e)) => Some(e.code),
        ErrorKind::InsertMany(e) => e
            .write_errors
            .as_ref()
            .and_then(|w| w.first())
            .map(|w| w.code)
            .or_else(|| e.write_concern_error.as_ref().map(|w| w.code)),
        _ => None,
    }
}

/// One line saying what went wrong: no hex dump, no driver internals, no password.
/// `user` is the login's user name, if the URI has one.
pub(super) fn summarize(err: &Error, uri: &MongoUri, user: Option<&str>) -> String {
    let text = match &*err.kind {
        ErrorKind::ServerSelection { message, .. } => {
            let cause = inner_cause(message)
                .map(|c| format!(" ({})", clip(&c, MAX_SERVER_MESSAGE)))
                .unwrap_or_default();
            format!(
                "server selection timed out: no server at {} answered{cause}",
                uri.hosts
            )
        }
        ErrorKind::Authentication { message, .. } => auth_failed(user, Some(message)),
        ErrorKind::Io(io) => format!("connection error: {io}"),
        ErrorKind::DnsResolve { message, .. } => format!(
            "DNS resolution failed: {}",
            clip(message, MAX_SERVER_MESSAGE)
        ),
        ErrorKind::ConnectionPoolCleared { .. } => {
            "the connection was lost (the server went away during the operation)".to_owned()
        }
        ErrorKind::Shutdown => "the client was shut down".to_owned(),
        ErrorKind::Command(e) if e.code == AUTHENTICATION_FAILED => auth_failed(user, None),
        ErrorKind::Command(e) => format!(
            "command failed: {}{}",
            code_name(Some(&e.code_name), e.code),
            server_message(&e.message)
        ),
        ErrorKind::Write(WriteFailure::WriteError(e)) => format!(
            "write failed: {}{}",
            code_name(e.code_name.as_deref(), e.code),
            server_message(&e.message)
        ),
        ErrorKind::Write(WriteFailure::WriteConcernError(e)) => format!(
            "write concern failed: {}{}",
            code_name(Some(&e.code_name), e.code),
            server_message(&e.message)
        ),
        ErrorKind::InsertMany(e) => match e.write_errors.as_deref() {
            Some([first, ..]) => format!(
                "write failed: {} of the documents, first: {}{}",
                e.write_errors.as_ref().map_or(0, Vec::len),
                code_name(first.code_name.as_deref(), first.code),
                server_message(&first.message)
            ),
            _ => match &e.write_concern_error {
                Some(w) => format!(
                    "write concern failed: {}{}",
                    code_name(Some(&w.code_name), w.code),
                    server_message(&w.message)
                ),
                None => "write failed".to_owned(),
            },
        },
        ErrorKind::BulkWrite(_) => "bulk write failed".to_owned(),
        ErrorKind::InvalidResponse { message, .. } => format!(
            "the server's reply could not be read: {}",
            clip(message, MAX_SERVER_MESSAGE)
        ),
        ErrorKind::BsonDeserialization(e) => format!("a document could not be read: {e}"),
        ErrorKind::BsonSerialization(e) => format!("a document could not be written: {e}"),
        ErrorKind::InvalidArgument { message, .. } => format!("invalid argument: {message}"),
        ErrorKind::InvalidTlsConfig { message, .. } => format!("TLS configuration: {message}"),
        ErrorKind::IncompatibleServer { message, .. } => {
            format!("the server does not support this: {message}")
        }
        // Every other kind's own `Display` is its message alone (the error's, not the
        // kind's, is the one that appends the server reply).
        other => other.to_string(),
    };
    one_line(&uri.redact(&text))
}

fn auth_failed(user: Option<&str>, message: Option<&str>) -> String {
    let who = user.map_or_else(
        || "authentication failed (the URI names no user)".to_owned(),
        |u| {
            format!(
                "authentication failed for user '{}'",
                crate::model::shown(u)
            )
        },
    );
    // The mechanism, when the driver names it (`SCRAM-SHA-256 failure: ...`).
    let mechanism = message
        .and_then(|m| m.split_once(" failure"))
        .map(|(m, _)| m.trim())
        .filter(|m| !m.is_empty() && m.len() <= 20 && !m.contains(' '));
    match mechanism {
        Some(m) => format!("{who} ({m})"),
        None => who,
    }
}

fn code_name(name: Option<&str>, code: i32) -> String {
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(name) => format!("{name} ({code})"),
        None => format!("code {code}"),
    }
}

/// `: <the server's message>`, clipped, or nothing when it is empty.
fn server_message(message: &str) -> String {
    let m = message.trim();
    if m.is_empty() {
        String::new()
    } else {
        format!(": {}", clip(m, MAX_SERVER_MESSAGE))
    }
}

/// The first server's error inside a server-selection message
/// (`... Error: Kind: I/O error: Connection refused (os error 111), labels: {} ...`).
fn inner_cause(message: &str) -> Option<String> {
    let start = message.find("Kind: ")? + "Kind: ".len();
    let rest = &message[start..];
    let end = rest.find(", labels:").unwrap_or(rest.len());
    let cause = rest[..end].trim();
    (!cause.is_empty()).then(|| cause.to_owned())
}

/// At most `max` characters of `text` (whole characters), with `…` when cut.
pub(super) fn clip(text: &str, max: usize) -> String {
    let text = text.trim();
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", text[..cut].trim_end()),
        None => text.to_owned(),
    }
}

/// One line: control characters (newlines included) become spaces, runs of spaces one,
/// and the whole at most [`MAX_CHARS`] characters.
fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let c = if c.is_control() { ' ' } else { c };
        if c == ' ' && out.ends_with(' ') {
            continue;
        }
        out.push(c);
    }
    clip(&out, MAX_CHARS)
}

#[cfg(test)]
mod tests {
    use mongodb::bson::doc;
    use mongodb::error::{CommandError, WriteConcernError, WriteError};

    use super::*;

    fn uri() -> MongoUri {
        MongoUri::parse("mongodb://reader:pa55w0rd@db1:27017,db2/?authSource=admin").unwrap()
    }

    fn command_error(code: i32, name: &str, message: &str) -> Error {
        let e: CommandError = mongodb::bson::from_document(
            doc! { "code": code, "codeName": name, "errmsg": message },
        )
        .unwrap();
        Error::from(ErrorKind::Command(e))
    }

    /// A summary is one line, short, without hex bytes or the password.
    fn assert_tidy(summary: &str) {
        assert!(!summary.contains('\n'), "{summary}");
        assert!(summary.chars().count() <= MAX_CHARS + 1, "{summary}");
        assert!(
            !summary.contains("0x") && !summary.contains("\\x"),
            "{summary}"
        );
        assert!(!summary.contains("pa55w0rd"), "{summary}");
        assert!(
            !summary.contains("labels") && !summary.contains("Kind:"),
            "{summary}"
        );
    }

    #[test]
    fn command_errors_give_code_name_and_number() {
        let long_reply = format!(
            "not authorized on finance_db to execute command {{ update: \"us_stocks\", updates: [ {} ] }}",
            "{ q: { ticker: \"AAPL\" } }, ".repeat(200)
        );
        let err = command_error(UNAUTHORIZED, "Unauthorized", &long_reply);
        // The driver's own text carries the whole reply.
        assert!(err.to_string().len() > 1000);
        let s = summarize(&err, &uri(), Some("reader"));
        assert!(
            s.starts_with("command failed: Unauthorized (13): not authorized on finance_db"),
            "{s}"
        );
        assert_tidy(&s);
        assert_eq!(classify(&err), Class::Unauthorized);
        assert_eq!(server_code(&err), Some(13));

        let s = summarize(&command_error(2, "", "bad\nvalue"), &uri(), None);
        assert_eq!(s, "command failed: code 2: bad value");
    }

    #[test]
    fn login_failures_name_the_user_never_the_password() {
        let err = command_error(AUTHENTICATION_FAILED, "AuthenticationFailed", "pa55w0rd");
        assert_eq!(classify(&err), Class::Auth);
        let s = summarize(&err, &uri(), Some("reader"));
        assert_eq!(s, "authentication failed for user 'reader'");
        assert_tidy(&s);
        let s = summarize(&err, &uri(), None);
        assert_eq!(s, "authentication failed (the URI names no user)");
    }

    #[test]
    fn write_errors_and_io_errors() {
        let w: WriteError = mongodb::bson::from_document(
            doc! { "code": 11000, "codeName": "DuplicateKey", "errmsg": "E11000 duplicate key" },
        )
        .unwrap();
        let err = Error::from(ErrorKind::Write(WriteFailure::WriteError(w)));
        let s = summarize(&err, &uri(), None);
        assert_eq!(
            s,
            "write failed: DuplicateKey (11000): E11000 duplicate key"
        );
        assert_eq!(server_code(&err), Some(11000));
        let wc: WriteConcernError = mongodb::bson::from_document(
            doc! { "code": 64, "codeName": "WriteConcernFailed", "errmsg": "waiting timed out" },
        )
        .unwrap();
        let err = Error::from(ErrorKind::Write(WriteFailure::WriteConcernError(wc)));
        assert_eq!(
            summarize(&err, &uri(), None),
            "write concern failed: WriteConcernFailed (64): waiting timed out"
        );

        let io = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset by peer");
        let err = Error::from(ErrorKind::Io(std::sync::Arc::new(io)));
        assert_eq!(classify(&err), Class::Unreachable);
        assert_eq!(
            summarize(&err, &uri(), None),
            "connection error: reset by peer"
        );
    }

    #[test]
    fn server_selection_cause_is_kept_short() {
        let message = "Server selection timeout: No available servers. Topology: { Type: \
                       Unknown, Servers: [ { Address: db1:27017, Type: Unknown, Error: Kind: I/O \
                       error: Connection refused (os error 111), labels: {}, source: None, \
                       server response: None } ] }";
        assert_eq!(
            inner_cause(message).as_deref(),
            Some("I/O error: Connection refused (os error 111)")
        );
        assert_eq!(inner_cause("nothing here"), None);
    }

    #[test]
    fn one_line_and_clip() {
        assert_eq!(one_line("a\n\tb   c"), "a b c");
        let long = "가".repeat(400);
        let s = one_line(&long);
        assert_eq!(s.chars().count(), MAX_CHARS + 1);
        assert!(s.ends_with('…'));
    }
}

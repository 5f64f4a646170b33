//! Where the store lives: command-line options, the config file, and MongoDB URI
//! handling that never shows a password.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::StoreError;

/// The database name used when none is configured.
pub const DEFAULT_DB_NAME: &str = "finance_db";
/// The embedded database's file name inside the data directory.
pub const EMBEDDED_FILE_NAME: &str = "wickview.sqlite3";

/// Global store options of the command line.
///
/// Precedence when choosing the store: `--mongodb-uri` > `MONGODB_URI` > config file
/// `[store] mongodb_uri` > the embedded database in the data directory.
#[derive(Clone, Default, clap::Args)]
pub struct StoreArgs {
    /// Directory of the embedded database (used when no MongoDB URI is configured).
    /// Default: the user's data directory (e.g. ~/.local/share/wickview).
    #[arg(long, env = "WICKVIEW_DATA_DIR", global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// MongoDB connection string (single server, replica set or Atlas `mongodb+srv://`);
    /// switches from the embedded database to MongoDB.
    #[arg(
        long,
        env = "MONGODB_URI",
        global = true,
        value_name = "URI",
        hide_env_values = true
    )]
    pub mongodb_uri: Option<String>,
    /// MongoDB database name [default: finance_db].
    #[arg(long, global = true, value_name = "NAME")]
    pub db_name: Option<String>,
    /// Configuration file. Default: config.toml in the user's config directory
    /// (e.g. ~/.config/wickview/config.toml); a missing default file is fine.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

impl std::fmt::Debug for StoreArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreArgs")
            .field("data_dir", &self.data_dir)
            .field("mongodb_uri", &self.mongodb_uri.as_deref().map(redact_uri))
            .field("db_name", &self.db_name)
            .field("config", &self.config)
            .finish()
    }
}

/// Which store to open.
#[derive(Clone, PartialEq, Eq)]
pub enum StoreConfig {
    /// The embedded SQLite database `wickview.sqlite3` in `data_dir`.
    Embedded {
        /// The directory holding the database file (created if missing).
        data_dir: PathBuf,
    },
    /// A MongoDB server, replica set or Atlas cluster.
    Mongo {
        /// The connection string (may hold a password: never log it, use [`StoreConfig::describe`]).
        uri: String,
        /// The database name, `finance_db` by default.
        db_name: String,
    },
}

impl std::fmt::Debug for StoreConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

/// The `[store]` table of the config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileStoreSection {
    mongodb_uri: Option<String>,
    db_name: Option<String>,
    data_dir: Option<PathBuf>,
}

/// The parts of the config file the store reads; other tables belong to other modules.
#[derive(Debug, Default, Deserialize)]
struct ConfigFile {
    #[serde(default)]
    store: FileStoreSection,
}

impl StoreConfig {
    /// Chooses the store from the command line, the environment (already merged into
    /// `args` by clap) and the config file: a MongoDB URI from `--mongodb-uri`, then
    /// `MONGODB_URI`, then the config file; without one, the embedded database in
    /// `--data-dir` / `WICKVIEW_DATA_DIR` / the config file's `data_dir` / the user's
    /// data directory.
    pub fn resolve(args: &StoreArgs) -> Result<Self, StoreError> {
        Self::resolve_with_default_config(args, default_config_path().as_deref())
    }

    /// [`StoreConfig::resolve`] with an explicit default config path (`None`: no default file).
    pub fn resolve_with_default_config(
        args: &StoreArgs,
        default_config: Option<&Path>,
    ) -> Result<Self, StoreError> {
        let file = match (&args.config, default_config) {
            (Some(explicit), _) => read_config_file(explicit, true)?,
            (None, Some(default)) => read_config_file(default, false)?,
            (None, None) => ConfigFile::default(),
        }
        .store;
        let non_empty = |s: &Option<String>| s.as_ref().filter(|s| !s.trim().is_empty()).cloned();
        if let Some(uri) = non_empty(&args.mongodb_uri).or_else(|| non_empty(&file.mongodb_uri)) {
            let uri = uri.trim().to_owned();
            MongoUri::parse(&uri)?;
            let db_name = non_empty(&args.db_name)
                .or_else(|| non_empty(&file.db_name))
                .unwrap_or_else(|| DEFAULT_DB_NAME.to_owned());
            check_db_name(&db_name)?;
            return Ok(Self::Mongo { uri, db_name });
        }
        let data_dir = match args.data_dir.clone().or(file.data_dir) {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => default_data_dir()?,
        };
        Ok(Self::Embedded { data_dir })
    }

    /// A one-line description for logs and the UI: `embedded: <file>` or
    /// `MongoDB: host1:27017,host2 / finance_db`. Never contains a password.
    pub fn describe(&self) -> String {
        match self {
            Self::Embedded { data_dir } => {
                format!("embedded: {}", data_dir.join(EMBEDDED_FILE_NAME).display())
            }
            Self::Mongo { uri, db_name } => match MongoUri::parse(uri) {
                Ok(parts) => format!("MongoDB: {} / {db_name}", parts.hosts),
                Err(_) => format!("MongoDB: <invalid URI> / {db_name}"),
            },
        }
    }
}

/// The default embedded data directory (`ProjectDirs::from("", "", "wickview")`).
pub fn default_data_dir() -> Result<PathBuf, StoreError> {
    directories::ProjectDirs::from("", "", "wickview")
        .map(|dirs| dirs.data_dir().to_path_buf())
        .ok_or_else(|| {
            StoreError::Config(
                "no home directory found for the embedded database; pass --data-dir or set WICKVIEW_DATA_DIR"
                    .to_owned(),
            )
        })
}

/// The default config file: `config.toml` in the user's config directory.
pub fn default_config_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "wickview")
        .map(|dirs| dirs.config_dir().join("config.toml"))
}

/// Characters of a config parser's message shown (it may quote what the file holds).
pub(crate) const MESSAGE_CHARS: usize = 160;

fn read_config_file(path: &Path, must_exist: bool) -> Result<ConfigFile, StoreError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound && !must_exist => {
            return Ok(ConfigFile::default());
        }
        Err(source) => {
            return Err(StoreError::Io {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    toml::from_str(&text).map_err(|err| {
        // toml's message quotes the offending line, which may hold a URI with a password;
        // its own message may quote a key or value, which is shown short and inert.
        let mut detail = crate::model::shown_at_most(err.message(), MESSAGE_CHARS);
        if let Some(span) = err.span() {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            detail = format!("line {line}: {detail}");
        }
        StoreError::Config(format!("{}: {detail}", path.display()))
    })
}

fn check_db_name(name: &str) -> Result<(), StoreError> {
    let bad = name.len() > 63
        || name
            .chars()
            .any(|c| matches!(c, '/' | '\\' | '.' | ' ' | '"' | '$' | '\0'));
    if bad {
        return Err(StoreError::Config(format!(
            "'{}' is not a valid MongoDB database name (at most 63 characters, none of / \\ . \" $ or space)",
            crate::model::shown(name)
        )));
    }
    Ok(())
}

/// The parts of a MongoDB connection string needed to describe it and to redact it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MongoUri {
    /// The host list as written (`host1:27017,host2`), without credentials.
    pub hosts: String,
    /// The password as written (percent-encoded) and decoded, if the URI has one.
    passwords: Vec<String>,
}

impl MongoUri {
    /// Splits a `mongodb://` or `mongodb+srv://` URI the way the driver does: the options
    /// start at the first `?`, and the user info ends at the last `@` before them (so an
    /// `@` in an option value is not taken for the end of the password, while an unencoded
    /// `@` or `/` in the password still is never shown as a host). The password the
    /// driver's own parser decodes (`ConnectionString::parse`) is redacted too.
    pub fn parse(uri: &str) -> Result<Self, StoreError> {
        let uri = uri.trim();
        let Some(rest) = uri
            .strip_prefix("mongodb://")
            .or_else(|| uri.strip_prefix("mongodb+srv://"))
        else {
            return Err(StoreError::Config(
                "a MongoDB URI starts with mongodb:// or mongodb+srv://".to_owned(),
            ));
        };
        let before_options = rest.split_once('?').map_or(rest, |(before, _)| before);
        let (userinfo, after) = match before_options.rfind('@') {
            Some(at) => (Some(&rest[..at]), &rest[at + 1..]),
            None => (None, rest),
        };
        let hosts_end = after.find(['/', '?']).unwrap_or(after.len());
        let hosts = after[..hosts_end].to_owned();
        if hosts.is_empty() {
            return Err(StoreError::Config(
                "the MongoDB URI names no host".to_owned(),
            ));
        }
        let mut passwords = Vec::new();
        if let Some((_, password)) = userinfo.and_then(|u| u.split_once(':'))
            && !password.is_empty()
        {
            passwords.push(password.to_owned());
            let decoded = percent_decode(password);
            if decoded != password && !decoded.is_empty() {
                passwords.push(decoded);
            }
        }
        if let Ok(parsed) = mongodb::options::ConnectionString::parse(uri)
            && let Some(password) = parsed.credential.and_then(|c| c.password)
            && !password.is_empty()
            && !passwords.contains(&password)
        {
            passwords.push(password);
        }
        Ok(Self { hosts, passwords })
    }

    /// Replaces every occurrence of the password in `text` with `***`.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_owned();
        // Longest first, so a decoded password that contains the encoded one is caught whole.
        let mut passwords: Vec<&String> = self.passwords.iter().collect();
        passwords.sort_by_key(|p| std::cmp::Reverse(p.len()));
        for password in passwords {
            out = out.replace(password.as_str(), "***");
        }
        out
    }
}

/// The URI with its password replaced by `***` (for debugging output).
pub fn redact_uri(uri: &str) -> String {
    match MongoUri::parse(uri) {
        Ok(parts) => parts.redact(uri),
        Err(_) => "<invalid MongoDB URI>".to_owned(),
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            // Two hex digits always fit in a byte.
            out.push(u8::try_from(h * 16 + l).unwrap_or(b'%'));
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> StoreArgs {
        StoreArgs::default()
    }

    #[test]
    fn uri_hosts_and_redaction() {
        let uri = "mongodb://app:s3cr%40t!@db1.example:27017,db2.example/finance_db?replicaSet=rs0";
        let parts = MongoUri::parse(uri).unwrap();
        assert_eq!(parts.hosts, "db1.example:27017,db2.example");
        let msg = format!("failed {uri} with password s3cr@t! inside");
        let redacted = parts.redact(&msg);
        assert!(!redacted.contains("s3cr"), "{redacted}");
        assert!(redacted.contains("db1.example:27017"));
        assert_eq!(
            redact_uri(uri),
            "mongodb://app:***@db1.example:27017,db2.example/finance_db?replicaSet=rs0"
        );

        // An unencoded '/' and '@' in the password still never leaks into the host list.
        let raw = "mongodb://u:pa/ss@word@host:1/?tls=true";
        let parts = MongoUri::parse(raw).unwrap();
        assert_eq!(parts.hosts, "host:1");
        assert!(!parts.redact(raw).contains("pa/ss@word"));

        // An '@' in an option value does not end the user info.
        let at_in_query = "mongodb://app:s3cret@db1:27017/?appName=ops@team&tls=true";
        let parts = MongoUri::parse(at_in_query).unwrap();
        assert_eq!(parts.hosts, "db1:27017");
        assert_eq!(
            parts.redact("auth failed for s3cret"),
            "auth failed for ***"
        );
        assert_eq!(
            redact_uri(at_in_query),
            "mongodb://app:***@db1:27017/?appName=ops@team&tls=true"
        );

        let srv = MongoUri::parse("mongodb+srv://cluster0.ab1cd.mongodb.net").unwrap();
        assert_eq!(srv.hosts, "cluster0.ab1cd.mongodb.net");
        assert!(MongoUri::parse("http://x").is_err());
        assert!(MongoUri::parse("mongodb:///db").is_err());
    }

    #[test]
    fn describe_never_shows_the_password() {
        let config = StoreConfig::Mongo {
            uri: "mongodb://admin:hunter2@localhost:27017,other:27018/?authSource=admin".into(),
            db_name: "finance_db".into(),
        };
        assert_eq!(
            config.describe(),
            "MongoDB: localhost:27017,other:27018 / finance_db"
        );
        assert!(!format!("{config:?}").contains("hunter2"));
        let args = StoreArgs {
            mongodb_uri: Some("mongodb://admin:hunter2@localhost".into()),
            ..StoreArgs::default()
        };
        assert!(!format!("{args:?}").contains("hunter2"));
    }

    #[test]
    fn precedence_flag_then_file_then_embedded() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        std::fs::write(
            &file,
            "[store]\nmongodb_uri = \"mongodb://filehost:27017\"\ndb_name = \"from_file\"\n",
        )
        .unwrap();

        // The flag (or MONGODB_URI, which clap merges into the same field) wins.
        let mut a = args();
        a.mongodb_uri = Some("mongodb://flaghost".into());
        let c = StoreConfig::resolve_with_default_config(&a, Some(&file)).unwrap();
        assert_eq!(
            c,
            StoreConfig::Mongo {
                uri: "mongodb://flaghost".into(),
                db_name: "from_file".into()
            }
        );
        a.db_name = Some("flag_db".into());
        let c = StoreConfig::resolve_with_default_config(&a, Some(&file)).unwrap();
        assert!(matches!(c, StoreConfig::Mongo { db_name, .. } if db_name == "flag_db"));

        // Then the config file.
        let c = StoreConfig::resolve_with_default_config(&args(), Some(&file)).unwrap();
        assert!(matches!(c, StoreConfig::Mongo { uri, .. } if uri == "mongodb://filehost:27017"));

        // An empty MONGODB_URI counts as unset; no URI anywhere: embedded in --data-dir.
        let mut a = args();
        a.mongodb_uri = Some("  ".into());
        a.data_dir = Some(dir.path().join("data"));
        let c = StoreConfig::resolve_with_default_config(&a, None).unwrap();
        assert_eq!(
            c,
            StoreConfig::Embedded {
                data_dir: dir.path().join("data")
            }
        );
        assert!(c.describe().starts_with("embedded: "));
        assert!(c.describe().ends_with(EMBEDDED_FILE_NAME));

        // A missing default file is fine, a missing explicit one is an error.
        let missing = dir.path().join("nope.toml");
        assert!(StoreConfig::resolve_with_default_config(&a, Some(&missing)).is_ok());
        a.config = Some(missing);
        assert!(matches!(
            StoreConfig::resolve_with_default_config(&a, None),
            Err(StoreError::Io { .. })
        ));
    }

    #[test]
    fn bad_config_is_reported_without_the_password() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        std::fs::write(
            &file,
            "[store]\nmongodb_uri = \"mongodb://u:topsecret@h\"\nbogus = 1\n",
        )
        .unwrap();
        let err = StoreConfig::resolve_with_default_config(&args(), Some(&file)).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, StoreError::Config(_)), "{msg}");
        assert!(msg.contains("bogus") && msg.contains("line 3"), "{msg}");
        assert!(!msg.contains("topsecret"), "{msg}");

        let mut a = args();
        a.mongodb_uri = Some("mongodb://h".into());
        a.db_name = Some("bad.name".into());
        assert!(matches!(
            StoreConfig::resolve_with_default_config(&a, None),
            Err(StoreError::Config(_))
        ));
        a.mongodb_uri = Some("postgres://h".into());
        a.db_name = None;
        assert!(matches!(
            StoreConfig::resolve_with_default_config(&a, None),
            Err(StoreError::Config(_))
        ));
    }
}

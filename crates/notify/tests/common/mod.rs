//! The harness: a real SMTP server (`tests/smtp_sink.py`, aiosmtpd) and a
//! real database for each test, a SQLite file in a temporary folder or a
//! PostgreSQL database created for the test and dropped after it
//! (`MOTCUA_TEST_POSTGRES_URL`, default
//! `postgres://postgres@127.0.0.1:5432/postgres`).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use motcua_notify::{Mailer, SmtpConfig};
use motcua_store::{Database, DbConnection, SimpleConnection};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs a test body once per backend.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[test]
                fn sqlite() {
                    super::$name($crate::common::Backend::Sqlite)
                }
                #[test]
                fn postgres() {
                    super::$name($crate::common::Backend::Postgres)
                }
            }
        )*
    };
}

pub fn postgres_admin_url() -> String {
    std::env::var("MOTCUA_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A migrated database made for one test and removed after it.
pub struct TestDb {
    pub url: String,
    pub db: Database,
    pg_name: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub fn new(backend: Backend) -> TestDb {
        let (url, pg_name, dir) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}", dir.path().join("motcua.db").display());
                (url, None, Some(dir))
            }
            Backend::Postgres => {
                let admin = postgres_admin_url();
                let name = format!("motcua_notify_test_{}", uuid::Uuid::new_v4().simple());
                let mut conn = DbConnection::open(&admin).unwrap_or_else(|e| {
                    panic!("PostgreSQL is needed for this test at {admin} (set MOTCUA_TEST_POSTGRES_URL): {e}")
                });
                conn.batch_execute(&format!("CREATE DATABASE {name}"))
                    .unwrap();
                let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
                (format!("{base}/{name}"), Some(name), None)
            }
        };
        let db = Database::connect(&url, 4).unwrap();
        db.migrate().unwrap();
        TestDb {
            url,
            db,
            pg_name,
            _dir: dir,
        }
    }

    /// Another pool on the same database, as a second server has.
    pub fn second_pool(&self) -> Database {
        Database::connect(&self.url, 4).unwrap()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = &self.pg_name {
            if let Ok(mut conn) = DbConnection::open(&postgres_admin_url()) {
                let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

/// A port nothing listens on (at the moment).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn sink_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/smtp_sink.py")
}

/// `tests/smtp_sink.py` running on a port, writing to a file. Stopped when
/// dropped; the file stays with the test's folder.
pub struct Sink {
    child: Option<Child>,
    pub port: u16,
    pub out: PathBuf,
    reject_to: Option<String>,
    _dir: std::sync::Arc<tempfile::TempDir>,
}

impl Sink {
    /// A sink on a free port.
    pub fn start() -> Sink {
        Self::start_with(None)
    }

    /// A sink that refuses recipients containing `reject_to` with 550.
    pub fn start_with(reject_to: Option<&str>) -> Sink {
        let mut sink = Self::stopped();
        sink.reject_to = reject_to.map(str::to_string);
        sink.resume();
        sink
    }

    /// A port and a file, with no server yet: the mail server is down.
    pub fn stopped() -> Sink {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("mail.jsonl");
        Sink {
            child: None,
            port: free_port(),
            out,
            reject_to: None,
            _dir: std::sync::Arc::new(dir),
        }
    }

    /// Starts (or restarts) the server on this sink's port.
    pub fn resume(&mut self) {
        assert!(self.child.is_none(), "the sink is already running");
        let mut cmd = Command::new("python3");
        cmd.arg(sink_script())
            .args(["--port", &self.port.to_string()])
            .arg("--out")
            .arg(&self.out)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            // A file, not a pipe nobody reads, which would fill and block
            // the sink once it has logged enough.
            .stderr(std::fs::File::create(self.out.with_extension("stderr")).unwrap());
        if let Some(r) = &self.reject_to {
            cmd.args(["--reject-to", r]);
        }
        let mut child = cmd.spawn().unwrap_or_else(|e| {
            panic!("these tests need python3 with aiosmtpd (`pip install aiosmtpd`): cannot run python3: {e}")
        });
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        if line.trim() != "ready" {
            let _ = child.kill();
            let _ = child.wait();
            let err =
                std::fs::read_to_string(self.out.with_extension("stderr")).unwrap_or_default();
            panic!(
                "the SMTP sink did not start; these tests need python3 with aiosmtpd (`pip install aiosmtpd`).\n{err}"
            );
        }
        self.child = Some(child);
    }

    /// Stops the server: the mail server is down.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn config(&self) -> SmtpConfig {
        SmtpConfig {
            port: self.port,
            timeout: Duration::from_secs(10),
            ..SmtpConfig::default()
        }
    }

    pub fn mailer(&self) -> Mailer {
        Mailer::new(&self.config()).unwrap()
    }

    /// Every message received so far.
    pub fn messages(&self) -> Vec<Value> {
        match std::fs::read_to_string(&self.out) {
            Ok(text) => text
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| serde_json::from_str(l).unwrap())
                .collect(),
            Err(_) => Vec::new(),
        }
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.stop();
    }
}

//! The harness: a real SMTP server (`tests/smtp_sink.py`, aiosmtpd) and a
//! real database for each test, a SQLite file in a temporary folder or a
//! PostgreSQL database created for the test and dropped after it
//! (`MOTCUA_TEST_POSTGRES_URL`, default
//! `postgres://postgres@127.0.0.1:5432/postgres`).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use motcua_store::{Database, DbConnection, SimpleConnection};

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

mod sink;
pub use sink::*;

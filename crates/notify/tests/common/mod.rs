//! The harness: a real SMTP server (`tests/smtp_sink.py`, aiosmtpd) and a
//! real database for each test, a SQLite file in a temporary folder or a
//! PostgreSQL database created for the test and dropped after it
//! (`MOTCUA_TEST_POSTGRES_URL`, default
//! `postgres://postgres@127.0.0.1:5432/postgres`).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use motcua_store::Database;

#[path = "../../../../tests/common/db.rs"]
mod db;
pub use db::{Backend, ScratchDb};

/// A migrated database made for one test, with a pool on it.
pub struct TestDb {
    // Declared first: the pool closes before the database is dropped.
    pub db: Database,
    pub url: String,
    _scratch: ScratchDb,
}

impl TestDb {
    pub fn new(backend: Backend) -> TestDb {
        let scratch = ScratchDb::new(backend);
        let db = Database::connect(&scratch.url, 4).unwrap();
        db.migrate().unwrap();
        TestDb {
            db,
            url: scratch.url.clone(),
            _scratch: scratch,
        }
    }

    /// Another pool on the same database, as a second server has.
    pub fn second_pool(&self) -> Database {
        Database::connect(&self.url, 4).unwrap()
    }
}

mod sink;
pub use sink::*;

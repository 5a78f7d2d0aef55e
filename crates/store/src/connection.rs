//! The connection enum over both backends and the choice of backend by URL.

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;
use diesel::Connection;

use crate::StoreError;

/// A connection to either backend. Queries written against this type run
/// on both; the few statements that differ (upserts) match on the variant
/// through [`each_backend!`](crate::each_backend).
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Picks the backend from the URL's scheme: `postgres://` and
    /// `postgresql://` are PostgreSQL; `sqlite://PATH`, `sqlite:PATH` and a
    /// plain path are SQLite. Any other scheme is refused rather than being
    /// taken for a file name.
    pub fn from_url(url: &str) -> Result<(Backend, String), StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok((Backend::Postgres, url.to_string()));
        }
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                return Err(StoreError::UnsupportedUrl(url.to_string()));
            }
            return Ok((Backend::Sqlite, path.to_string()));
        }
        if url.is_empty() || url.contains("://") {
            return Err(StoreError::UnsupportedUrl(url.to_string()));
        }
        Ok((Backend::Sqlite, url.to_string()))
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Runs the same expression on the concrete connection of either backend,
/// for statements the multi-connection cannot express (`ON CONFLICT`).
#[macro_export]
macro_rules! each_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::DbConnection::Pg($c) => $body,
            $crate::DbConnection::Sqlite($c) => $body,
        }
    };
}

/// Serialises this process's SQLite write transactions (see
/// [`DbConnection::write_tx`]). One process normally owns one database
/// file; where tests open several, they share the lock, which only orders
/// their short write transactions.
static SQLITE_WRITER: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Takes this process's SQLite writer lock (also for the checkpoint that
/// restarts the log).
pub(crate) fn sqlite_writer() -> std::sync::MutexGuard<'static, ()> {
    SQLITE_WRITER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Per-connection SQLite settings: write-ahead log so readers never block
/// the writer, a busy timeout so concurrent writers queue instead of
/// failing, foreign keys enforced.
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode = WAL; \
     PRAGMA busy_timeout = 15000; \
     PRAGMA foreign_keys = ON; \
     PRAGMA synchronous = NORMAL; \
     PRAGMA temp_store = MEMORY;";

/// Every PostgreSQL session: no JIT compilation. The desk's queries are
/// short; the reports' reads are estimated expensive enough to trigger it,
/// and compiling them cost more than running them (one agency's month on
/// a million dossiers: the plan spent most of its time in JIT).
const POSTGRES_SETTINGS: &str = "SET jit = off;";

impl DbConnection {
    /// Opens a connection to the backend the URL names.
    pub fn open(url: &str) -> Result<DbConnection, StoreError> {
        let (backend, target) = Backend::from_url(url)?;
        match backend {
            Backend::Postgres => {
                let mut conn = PgConnection::establish(&target)
                    .map_err(|e| StoreError::Connection(e.to_string()))?;
                conn.batch_execute(POSTGRES_SETTINGS)
                    .map_err(|e| StoreError::Connection(e.to_string()))?;
                Ok(DbConnection::Pg(conn))
            }
            Backend::Sqlite => {
                let mut conn = SqliteConnection::establish(&target)
                    .map_err(|e| StoreError::Connection(e.to_string()))?;
                conn.batch_execute(SQLITE_PRAGMAS)
                    .map_err(|e| StoreError::Connection(e.to_string()))?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            DbConnection::Pg(_) => Backend::Postgres,
            DbConnection::Sqlite(_) => Backend::Sqlite,
        }
    }

    /// Runs `f` in one write transaction. On PostgreSQL it is an ordinary
    /// transaction. On SQLite it starts with `BEGIN IMMEDIATE`, taking the
    /// write lock up front: a deferred transaction that reads and then
    /// writes fails with `SQLITE_BUSY` when another writer committed in
    /// between, which the busy timeout cannot cure. SQLite writers of this
    /// process also queue on an in-process lock first: SQLite's own busy
    /// handler sleeps in steps of up to 100 ms, which made the slowest
    /// intakes wait hundreds of milliseconds under load. Called inside a
    /// transaction, it nests as a savepoint. On PostgreSQL the events it
    /// appends are written in one statement ([`crate::event_batch`]).
    pub fn write_tx<T, E, F>(&mut self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E>,
        E: From<diesel::result::Error>,
    {
        let depth = <Self as Connection>::TransactionManager::transaction_manager_status_mut(self)
            .transaction_depth()?;
        if depth.is_some() {
            // Events held so far belong to the enclosing transaction:
            // written before the savepoint, its rollback cannot take them.
            crate::event_batch::flush(self)?;
            let result = self.transaction(f);
            if result.is_err() {
                crate::event_batch::discard(self);
            }
            return result;
        }
        // What an earlier transaction on this connection touched and never
        // wrote (it unwound) is not this one's.
        crate::feed::discard(self);
        match self {
            DbConnection::Pg(c) => {
                // Events are held and written with the outbox or at the
                // end, saving round trips (see `event_batch`).
                let _held = crate::event_batch::open(c);
                self.transaction(|conn| {
                    let value = f(conn)?;
                    crate::feed::flush(conn)?;
                    crate::event_batch::flush(conn)?;
                    Ok(value)
                })
            }
            DbConnection::Sqlite(c) => {
                let _writer = sqlite_writer();
                AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
                let done = f(self).and_then(|value| {
                    crate::feed::flush(self)?;
                    Ok(value)
                });
                match done {
                    Ok(value) => {
                        <Self as Connection>::TransactionManager::commit_transaction(self)?;
                        Ok(value)
                    }
                    Err(e) => {
                        crate::feed::discard(self);
                        <Self as Connection>::TransactionManager::rollback_transaction(self)?;
                        Err(e)
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_is_chosen_by_scheme() {
        let cases = [
            ("postgres://u@h/db", Backend::Postgres, "postgres://u@h/db"),
            ("postgresql://h/db", Backend::Postgres, "postgresql://h/db"),
            ("sqlite://motcua.db", Backend::Sqlite, "motcua.db"),
            ("sqlite:///tmp/x.db", Backend::Sqlite, "/tmp/x.db"),
            ("sqlite:x.db", Backend::Sqlite, "x.db"),
            ("data/motcua.db", Backend::Sqlite, "data/motcua.db"),
        ];
        for (url, backend, target) in cases {
            let (b, t) = Backend::from_url(url).unwrap();
            assert_eq!((b, t.as_str()), (backend, target), "{url}");
        }
        for bad in ["mysql://h/db", "", "sqlite://", "http://x"] {
            assert!(Backend::from_url(bad).is_err(), "{bad:?} accepted");
        }
    }
}

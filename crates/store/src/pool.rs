//! The r2d2 pool over [`DbConnection`], with a manager that picks the
//! backend from the URL (the derive's own `establish` would let SQLite
//! accept any string as a path).

use std::sync::Arc;
use std::time::Duration;

use diesel::connection::SimpleConnection;

use crate::checkpoint::{self, Checkpointer};
use crate::connection::{Backend, DbConnection};
use crate::StoreError;

pub type PooledConnection = r2d2::PooledConnection<ConnectionManager>;

#[derive(Debug)]
pub struct ConnectionManager {
    url: String,
    /// Settings for each new connection beyond the backend's own (the
    /// SQLite pool's checkpoint settings).
    init: Option<&'static str>,
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = StoreError;

    fn connect(&self) -> Result<DbConnection, StoreError> {
        let mut conn = DbConnection::open(&self.url)?;
        if let Some(sql) = self.init {
            conn.batch_execute(sql)?;
        }
        Ok(conn)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), StoreError> {
        conn.batch_execute("SELECT 1").map_err(StoreError::from)
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        false
    }
}

/// A pool of connections to one database.
#[derive(Clone)]
pub struct Database {
    pool: r2d2::Pool<ConnectionManager>,
    backend: Backend,
    /// SQLite only: copies the write-ahead log back in the background
    /// (see [`crate::checkpoint`]); stops with the last clone.
    _checkpointer: Option<Arc<Checkpointer>>,
}

impl Database {
    /// Connects a pool. `max_size` of zero picks a default suited to the
    /// backend: SQLite has a single writer, so a few connections suffice
    /// for readers; PostgreSQL gets more.
    pub fn connect(url: &str, max_size: u32) -> Result<Database, StoreError> {
        let (backend, _) = Backend::from_url(url)?;
        let size = match (max_size, backend) {
            (0, Backend::Sqlite) => 8,
            (0, Backend::Postgres) => 16,
            (n, _) => n,
        };
        // The database file and its WAL mode exist before the checkpoint
        // thread opens its own connection.
        let pool = r2d2::Pool::builder()
            .max_size(size)
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(30))
            .build(ConnectionManager {
                url: url.to_string(),
                init: (backend == Backend::Sqlite).then_some(checkpoint::POOL_PRAGMAS),
            })?;
        let checkpointer = match backend {
            Backend::Sqlite => Some(Arc::new(Checkpointer::spawn(url, checkpoint::INTERVAL)?)),
            Backend::Postgres => None,
        };
        Ok(Database {
            pool,
            backend,
            _checkpointer: checkpointer,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn get(&self) -> Result<PooledConnection, StoreError> {
        Ok(self.pool.get()?)
    }

    /// Applies pending migrations.
    pub fn migrate(&self) -> Result<Vec<String>, StoreError> {
        let mut conn = self.get()?;
        crate::migrations::run(&mut conn)
    }

    /// True when the database answers a trivial query.
    pub fn ping(&self) -> bool {
        self.get()
            .and_then(|mut c| c.batch_execute("SELECT 1").map_err(StoreError::from))
            .is_ok()
    }
}

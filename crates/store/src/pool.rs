//! The r2d2 pool over [`DbConnection`], with a manager that picks the
//! backend from the URL (the derive's own `establish` would let SQLite
//! accept any string as a path).

use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use diesel::connection::{Connection, InstrumentationEvent, SimpleConnection};

use crate::checkpoint::{self, Checkpointer};
use crate::connection::{Backend, DbConnection};
use crate::error::connection_lost;
use crate::StoreError;

pub type PooledConnection = r2d2::PooledConnection<ConnectionManager>;

#[derive(Debug)]
pub struct ConnectionManager {
    url: String,
    /// Settings for each new connection beyond the backend's own (the
    /// SQLite pool's checkpoint settings).
    init: Option<&'static str>,
    health: Arc<Health>,
}

/// What the pool knows of its connections' health, shared by all of them.
///
/// A connection is not checked with a query each time it is taken from the
/// pool: on PostgreSQL that check (`SELECT 1`) was a round trip as long as
/// a short query, on every request. Instead each connection watches its
/// own statements (diesel's instrumentation): one that fails because the
/// connection is gone marks it lost, the pool drops it when it comes back
/// ([`r2d2::ManageConnection::has_broken`]) and opens a new one, and the
/// pool's generation moves on. A connection that last proved alive in an
/// earlier generation is probed once when next taken (a database restart
/// kills them all): so after a restart one request fails (503 with
/// `Retry-After`) and the others find fresh connections.
#[derive(Debug, Default)]
struct Health {
    generation: AtomicU64,
}

/// A pooled connection, whether it was seen to be lost, and the health
/// generation in which it last proved alive.
pub struct Checked {
    conn: DbConnection,
    lost: Arc<AtomicBool>,
    generation: u64,
}

impl Deref for Checked {
    type Target = DbConnection;
    fn deref(&self) -> &DbConnection {
        &self.conn
    }
}

impl DerefMut for Checked {
    fn deref_mut(&mut self) -> &mut DbConnection {
        &mut self.conn
    }
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = Checked;
    type Error = StoreError;

    fn connect(&self) -> Result<Checked, StoreError> {
        let mut conn = DbConnection::open(&self.url)?;
        if let Some(sql) = self.init {
            conn.batch_execute(sql)?;
        }
        let lost = Arc::new(AtomicBool::new(false));
        let seen = lost.clone();
        let health = self.health.clone();
        conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
            if let InstrumentationEvent::FinishQuery { error: Some(e), .. } = event {
                if connection_lost(e) && !seen.swap(true, Ordering::SeqCst) {
                    health.generation.fetch_add(1, Ordering::SeqCst);
                }
            }
        });
        Ok(Checked {
            conn,
            lost,
            generation: self.health.generation.load(Ordering::SeqCst),
        })
    }

    /// No round trip unless a connection was lost since this one last
    /// proved alive (see [`Health`]).
    fn is_valid(&self, conn: &mut Checked) -> Result<(), StoreError> {
        if conn.lost.load(Ordering::SeqCst) {
            return Err(StoreError::Connection("the connection was lost".into()));
        }
        let now = self.health.generation.load(Ordering::SeqCst);
        if conn.generation == now {
            return Ok(());
        }
        conn.conn
            .batch_execute("SELECT 1")
            .map_err(StoreError::from)?;
        conn.generation = now;
        Ok(())
    }

    /// A connection seen to be lost, handed back inside a transaction, or
    /// whose transaction manager gave up, is not reused.
    fn has_broken(&self, conn: &mut Checked) -> bool {
        use diesel::connection::{Connection, TransactionManager};
        if conn.lost.load(Ordering::SeqCst) {
            return true;
        }
        let status =
            <DbConnection as Connection>::TransactionManager::transaction_manager_status_mut(
                &mut conn.conn,
            );
        !matches!(status.transaction_depth(), Ok(None))
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
                health: Arc::default(),
            })?;
        let checkpointer = match backend {
            Backend::Sqlite => Some(Arc::new(Checkpointer::spawn(
                url,
                checkpoint::INTERVAL,
                checkpoint::RESTART_PAGES,
            )?)),
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

    /// The most connections the pool opens.
    pub fn max_size(&self) -> u32 {
        self.pool.max_size()
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

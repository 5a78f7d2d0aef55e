//! Storage for motcua: one binary speaks SQLite (the embedded default) and
//! PostgreSQL (production, several servers), chosen at run time by the
//! database URL.
//!
//! Repository functions take the connection explicitly so that callers
//! compose them inside one transaction ([`DbConnection::write_tx`]).

pub mod agencies;
pub mod connection;
pub mod counters;
pub mod dossiers;
pub mod error;
pub mod events;
pub mod guidance;
pub mod migrations;
pub mod pool;
pub mod procedures;
pub mod schema;
pub mod settings;
pub mod time;
pub mod users;

pub use connection::{Backend, DbConnection};
pub use error::{StoreError, StoreResult};
pub use pool::{Database, PooledConnection};
pub use diesel::result::Error as DieselError;

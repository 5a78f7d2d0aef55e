//! Storage errors. Unique-constraint violations are kept apart so callers
//! can answer 409 instead of 500; everything else is an internal error whose
//! details are logged, never shown to clients.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("already exists: {0}")]
    Duplicate(String),
    #[error("referenced row does not exist: {0}")]
    MissingReference(String),
    #[error("database error: {0}")]
    Database(diesel::result::Error),
    #[error("connection pool error: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("could not connect to the database: {0}")]
    Connection(String),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error("unsupported database URL {0:?}: use sqlite://PATH, a file path, or postgres://...")]
    UnsupportedUrl(String),
}

impl From<diesel::result::Error> for StoreError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => StoreError::NotFound,
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                StoreError::Duplicate(info.message().to_string())
            }
            Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => {
                StoreError::MissingReference(info.message().to_string())
            }
            other => StoreError::Database(other),
        }
    }
}

impl From<motcua_domain::DomainError> for StoreError {
    fn from(e: motcua_domain::DomainError) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

impl StoreError {
    /// True when the connection itself was lost (the database restarted,
    /// a network cut): the statement may succeed on a new connection, which
    /// the pool opens in its place.
    pub fn is_connection_lost(&self) -> bool {
        match self {
            StoreError::Database(e) => connection_lost(e),
            StoreError::Connection(_) => true,
            _ => false,
        }
    }
}

/// Errors that mean the connection is gone, not the statement.
pub(crate) fn connection_lost(e: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    matches!(
        e,
        Error::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _
        ) | Error::BrokenTransactionManager
    )
}

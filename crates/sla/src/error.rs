//! Why a clock operation was refused. The API maps each variant to one
//! status; none carries storage details to the client.

use motcua_domain::Status;
use motcua_store::StoreError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ClockError {
    #[error("dossier not found")]
    NotFound,
    /// Something other than a dossier does not exist (named).
    #[error("{0} not found")]
    Missing(&'static str),
    #[error("{0}")]
    Forbidden(String),
    /// The status table does not allow this move.
    #[error("a dossier in status {from:?} cannot move to {to:?}")]
    Transition {
        from: Status,
        to: Status,
        allowed: Vec<Status>,
    },
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The change's mail could not be written (not a mistyped address:
    /// those are skipped).
    #[error("mail: {0}")]
    Mail(motcua_notify::NotifyError),
}

impl From<motcua_notify::NotifyError> for ClockError {
    fn from(e: motcua_notify::NotifyError) -> Self {
        match e {
            motcua_notify::NotifyError::Store(s) => ClockError::Store(s),
            other => ClockError::Mail(other),
        }
    }
}

impl ClockError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        ClockError::Invalid {
            field: field.to_string(),
            message: message.into(),
        }
    }
}

impl From<motcua_store::DieselError> for ClockError {
    fn from(e: motcua_store::DieselError) -> Self {
        ClockError::Store(e.into())
    }
}

//! Errors of the outbox, the templates and SMTP delivery. Storage errors
//! keep their [`StoreError`] shape so the API maps them as it maps every
//! other repository error (404, 409, 500).

use motcua_store::StoreError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum NotifyError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No templates exist for this message kind.
    #[error("unknown message kind {0:?}")]
    UnknownKind(String),
    #[error("unknown locale {0:?}: use vi or en")]
    UnknownLocale(String),
    #[error("unknown outbox status {0:?}")]
    UnknownStatus(String),
    /// Template data that is not a JSON object.
    #[error("template data must be a JSON object, not {0}")]
    InvalidData(String),
    /// A value the message kind's templates print is missing.
    #[error("a {kind} message needs {name:?} in its data")]
    MissingValue {
        kind: &'static str,
        name: &'static str,
    },
    /// A recipient or sender address that is not a valid mailbox.
    #[error("invalid e-mail address {0:?}")]
    InvalidAddress(String),
    /// The template could not be rendered with this data (most often a
    /// variable the template needs is missing).
    #[error("template {name}: {source}")]
    Template {
        name: String,
        #[source]
        source: minijinja::Error,
    },
    #[error("invalid SMTP configuration: {0}")]
    Config(String),
    #[error("could not build the message: {0}")]
    Message(#[from] lettre::error::Error),
    #[error("SMTP: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    /// Only failed messages can be retried.
    #[error("message is {0}, not failed")]
    NotRetryable(String),
}

impl From<diesel::result::Error> for NotifyError {
    fn from(e: diesel::result::Error) -> Self {
        NotifyError::Store(StoreError::from(e))
    }
}

impl From<serde_json::Error> for NotifyError {
    fn from(e: serde_json::Error) -> Self {
        NotifyError::Store(StoreError::from(e))
    }
}

pub type NotifyResult<T> = Result<T, NotifyError>;

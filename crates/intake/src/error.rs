//! Why an intake was not accepted. Each variant maps to one HTTP status in
//! the API layer; none carries storage details to the client.

use motcua_domain::{FieldError, MissingDocument};
use motcua_store::StoreError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum IntakeError {
    #[error("invalid request")]
    Invalid(Vec<FieldError>),
    #[error("unknown procedure {0:?}")]
    UnknownProcedure(String),
    #[error("{0}")]
    Forbidden(String),
    /// The dossier is incomplete: nothing was issued. At the counter the
    /// guidance slip listing everything missing was recorded under
    /// `slip_id`; an online submission has none (the desk refuses it).
    #[error("the dossier is incomplete")]
    Incomplete {
        slip_id: Option<String>,
        missing: Vec<MissingDocument>,
    },
    /// The submission does not exist.
    #[error("not found")]
    NotFound,
    #[error("dossier not found")]
    NoDossier,
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The change's mail could not be written (not a mistyped address:
    /// those are skipped).
    #[error("mail: {0}")]
    Mail(motcua_notify::NotifyError),
}

impl From<motcua_notify::NotifyError> for IntakeError {
    fn from(e: motcua_notify::NotifyError) -> Self {
        match e {
            motcua_notify::NotifyError::Store(s) => IntakeError::Store(s),
            other => IntakeError::Mail(other),
        }
    }
}

impl From<motcua_store::DieselError> for IntakeError {
    fn from(e: motcua_store::DieselError) -> Self {
        IntakeError::Store(StoreError::from(e))
    }
}

//! Why an administrator's change was refused. Each variant maps to one HTTP
//! status in the API layer and to one message on the command line.

use motcua_domain::FieldError;
use motcua_store::{DieselError, StoreError};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum AdminError {
    /// Fields that fail their checks, all of them at once.
    #[error("{}", describe(.0))]
    Invalid(Vec<FieldError>),
    /// The account, agency or procedure named does not exist.
    #[error("no such {0}")]
    NotFound(&'static str),
    /// The change contradicts what is stored (a taken name, the last
    /// administrator).
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AdminError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> AdminError {
        AdminError::Invalid(vec![FieldError::new(field, message)])
    }
}

impl From<DieselError> for AdminError {
    fn from(e: DieselError) -> Self {
        AdminError::Store(e.into())
    }
}

pub(crate) fn describe(errors: &[FieldError]) -> String {
    let parts: Vec<String> = errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect();
    parts.join("; ")
}

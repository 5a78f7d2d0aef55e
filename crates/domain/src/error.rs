//! Errors raised by domain rules. Each names the offending value so the API
//! layer can turn it into a precise problem+json response.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    #[error("invalid agency code {0:?}: use 1-40 characters of A-Z, 0-9 and '.'")]
    InvalidAgencyCode(String),
    #[error(
        "invalid procedure code {0:?}: use 1-60 characters of A-Z, a-z, 0-9, '.', '-' and '_'"
    )]
    InvalidProcedureCode(String),
    #[error("invalid dossier code {0:?}")]
    InvalidDossierCode(String),
    #[error("unknown {kind} {value:?}")]
    UnknownValue { kind: &'static str, value: String },
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
}

impl DomainError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        DomainError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The error as one invalid field: the field it names, or `otherwise`
    /// for the errors that name none (an unknown value, a bad code).
    pub fn into_field_error(self, otherwise: &str) -> crate::FieldError {
        match self {
            DomainError::Invalid { field, message } => crate::FieldError::new(field, message),
            other => crate::FieldError::new(otherwise, other.to_string()),
        }
    }
}

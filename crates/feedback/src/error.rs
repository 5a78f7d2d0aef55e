//! What can go wrong with a feedback operation.

use motcua_domain::FieldError;
use motcua_notify::NotifyError;
use motcua_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum FeedbackError {
    /// Input that cannot be kept: every problem, by field.
    #[error("invalid feedback: {0:?}")]
    Invalid(Vec<FieldError>),
    /// No such feedback (or agency, procedure).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The staff member may not take this step on this feedback.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The step does not fit where the feedback stands.
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Notify(#[from] NotifyError),
}

impl From<motcua_store::DieselError> for FeedbackError {
    fn from(e: motcua_store::DieselError) -> Self {
        FeedbackError::Store(e.into())
    }
}

pub type FeedbackResult<T> = Result<T, FeedbackError>;

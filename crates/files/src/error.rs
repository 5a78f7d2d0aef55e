//! What can go wrong with a dossier file.

use motcua_domain::FieldError;
use motcua_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The upload or its parameters cannot be kept: every problem, by field.
    #[error("invalid file: {0:?}")]
    Invalid(Vec<FieldError>),
    /// The bytes are not a PDF, JPEG or PNG (named by what they are).
    #[error("{0}")]
    UnsupportedType(String),
    /// Over the limit per file or per dossier.
    #[error("{0}")]
    TooLarge(String),
    /// No such dossier or file (or not one this reader may see).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The file was removed after its retention period.
    #[error("the file was removed on {0} after its retention period")]
    Removed(String),
    /// The staff member may not do this on this dossier.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The dossier's state does not allow it.
    #[error("{0}")]
    Conflict(String),
    /// The stored bytes are missing or do not match the recorded hash.
    #[error("file {id} failed its integrity check: {problem}")]
    Integrity { id: String, problem: String },
    /// The file storage failed (a folder or an object store).
    #[error("file storage: {0}")]
    Storage(String),
    /// The storage URL cannot be used.
    #[error("file storage URL: {0}")]
    Config(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<motcua_store::DieselError> for FileError {
    fn from(e: motcua_store::DieselError) -> Self {
        FileError::Store(e.into())
    }
}

impl From<object_store::Error> for FileError {
    fn from(e: object_store::Error) -> Self {
        FileError::Storage(e.to_string())
    }
}

impl FileError {
    pub fn invalid(field: &str, message: impl Into<String>) -> FileError {
        FileError::Invalid(vec![FieldError::new(field, message)])
    }
}

pub type FileResult<T> = Result<T, FileError>;

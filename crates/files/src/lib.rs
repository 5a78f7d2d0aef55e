//! Digitised dossiers: the files a dossier's components are scanned into,
//! its electronic result, and how they are kept (docs/files.md).
//!
//! The bytes live in a [`Storage`] (a folder or an S3-compatible store),
//! their records in the database (`motcua_store::files`). An upload is
//! admitted and reserved, streamed to the storage while its type and
//! SHA-256 are worked out, then recorded in one transaction
//! ([`upload`]); a download checks the bytes against the recorded hash
//! before a byte is sent; the sweep removes the bytes of uploads that
//! never committed, the retention job those of dossiers long over.

pub mod content;
pub mod digitisation;
mod dossier_event;
pub mod error;
pub mod integrity;
pub mod link;
pub mod name;
pub mod retention;
pub mod storage;
pub mod upload;

pub use content::MediaType;
pub use error::{FileError, FileResult};
pub use storage::{FileWriter, Storage, Written};
pub use upload::{Admitted, Limits, Recorded, UploadRequest};

/// What a file is to its dossier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A component on one of the procedure's document lines.
    Component,
    /// The electronic result.
    Result,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Component => "component",
            Purpose::Result => "result",
        }
    }

    pub fn parse(s: &str) -> Option<Purpose> {
        match s {
            "component" => Some(Purpose::Component),
            "result" => Some(Purpose::Result),
            _ => None,
        }
    }
}

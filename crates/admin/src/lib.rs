//! What administrators change, each change one operation in its own
//! transaction with its event (docs/architecture.md, Operations):
//!
//! - [`accounts`]: staff accounts, their checks, and ending their sessions;
//! - [`sessions`]: a staff member ending their own session;
//! - [`agencies`]: the agency hierarchy;
//! - [`catalogue`]: the procedure catalogue and its checks;
//! - [`catalogue_file`]: the catalogue as a file (export and import);
//! - [`catalogue_sheet`]: the same file as an XLSX workbook;
//! - [`dossier_import`]: dossiers moved in from an older system.
//!
//! The HTTP layer and the command line call the same operations, so an
//! account created with `motcua user add` passes the checks an account
//! created over the API passes.

pub mod accounts;
pub mod agencies;
pub mod catalogue;
pub mod catalogue_file;
pub mod catalogue_sheet;
pub mod dossier_import;
mod error;
pub mod procedure_cases;
pub mod sessions;

pub use error::AdminError;

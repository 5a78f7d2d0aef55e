//! What supervisors are judged by (docs/measures.md). Today: the results
//! report ([`results`]), the periodic report on the handling of
//! administrative procedures.

pub mod printed;
pub mod results;
pub mod spreadsheet;

pub use results::{By, Counts, ResultsReport, ResultsRow};

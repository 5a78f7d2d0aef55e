//! What supervisors are judged by (docs/measures.md). Today: the results
//! report ([`results`]), the periodic report on the handling of
//! administrative procedures, in the forms of Circular 01/2020/TT-VPCP
//! ([`form`]).

mod counts;
pub mod forecast;
pub mod form;
pub mod frozen;
pub mod index;
pub mod lateness;
pub mod printed;
pub mod queue_times;
pub mod results;
pub mod rollup;
pub mod spreadsheet;
pub mod stay;

pub use results::{By, Counts, Form, ResultsReport, ResultsRow};

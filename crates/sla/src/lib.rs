//! The deadline clock's workflow on the database (docs/time.md): the clock
//! ledger stored per dossier, the clock operations (supplement, extension,
//! processed, group members), the breach scan and the apology letter.
//!
//! The pure working-time arithmetic these rely on is `motcua-calendar`;
//! this crate only loads, stores and checks.

pub mod apology;
pub mod breach_scan;
pub mod calendars;
pub mod digest;
pub mod error;
pub mod ledger;
pub mod ops;

pub use error::ClockError;

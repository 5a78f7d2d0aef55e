//! Interlinked processing (liên thông, docs/desk.md, Interlinked processing): a dossier's process
//! plan, handovers between agencies with each leg's verdict, the
//! process-control slip, and the rest of the lifecycle (payment,
//! withdrawal, return of the result).
//!
//! Errors are the dossier-operation errors of `motcua_sla` ([`ClockError`]):
//! the same checks (lock, permission, transition table) apply to every
//! write on a dossier.

pub mod control_slip;
pub mod end_notice;
pub mod handover;
pub mod lifecycle;
pub mod payment;
pub mod plan;
pub mod postal;
pub mod rating;
pub mod repair;

pub use motcua_sla::ClockError;
pub use plan::{legs, Leg};

//! Repair tools for supervisors (docs/repairs.md): mending a desk's
//! mistakes without rewriting history. Each repair is one transaction
//! with one event per dossier, checked against the supervisor's reach;
//! what was done wrong stays on the record (a recalled handover stays on
//! the slip, marked), and the repair is added after it.

pub mod bulk;
pub mod reassign;
pub mod recall;
pub mod reopen;
pub mod step_back;

use motcua_domain::{Dossier, Status};
use motcua_store::handovers::{self, Handover};
use motcua_store::DbConnection;

use crate::ClockError;

/// A move between agencies needs a dossier received or being processed
/// (not paused for the citizen, not waiting for a payment).
pub(crate) fn require_movable(d: &Dossier) -> Result<(), ClockError> {
    if matches!(d.status, Status::Received | Status::Processing) {
        Ok(())
    } else {
        Err(ClockError::Conflict(format!(
            "dossier {} is {} ({}); only a dossier received or being processed moves between agencies",
            d.code,
            d.status.name(),
            d.status.code()
        )))
    }
}

/// The handover the dossier is in transit on: the last one that stands
/// and is not acknowledged.
pub(crate) fn pending_handover(
    conn: &mut DbConnection,
    d: &Dossier,
) -> Result<Handover, ClockError> {
    handovers::for_dossier(conn, &d.id)?
        .into_iter()
        .rev()
        .find(Handover::stands)
        .filter(|h| h.received_at.is_none())
        .ok_or_else(|| ClockError::Conflict(format!("dossier {} is not in transit", d.code)))
}

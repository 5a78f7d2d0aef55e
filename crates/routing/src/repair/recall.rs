//! Recalling a dossier sent by mistake (docs/repairs.md, Recall): before
//! the receiving agency acknowledges it, a supervisor takes the handover
//! back. The handover stays on the slip marked recalled (it never started
//! a leg); the dossier is back with its sender, at the sender's step,
//! whose leg runs on as if it had not been sent.

use motcua_domain::{Dossier, EventKind, StaffMember};
use motcua_sla::ops::{actor, event, lock, require_supervisor_of, required_text};
use motcua_store::handovers::{self, Handover};
use motcua_store::{dossiers, time, DbConnection};
use serde_json::json;

use super::pending_handover;
use crate::ClockError;

#[derive(Debug, Clone)]
pub struct Recalled {
    pub dossier: Dossier,
    /// The handover recalled, as it is now (marked).
    pub handover: Handover,
}

/// Recalls the handover the dossier `code` is in transit on.
pub fn recall(
    conn: &mut DbConnection,
    staff: &StaffMember,
    code: &str,
    reason: &str,
) -> Result<Recalled, ClockError> {
    let reason = required_text("reason", reason, 1000)?;
    conn.write_tx(|conn| {
        let d = lock(conn, code)?;
        require_supervisor_of(conn, staff, &d, "recall dossiers")?;
        if !d.in_transit {
            return Err(ClockError::Conflict(format!(
                "dossier {} is not in transit: {} acknowledged it; move it back a step or reassign it instead",
                d.code, d.handling_agency
            )));
        }
        let pending = pending_handover(conn, &d)?;
        let now = time::now();
        handovers::recall(conn, &pending.id, &staff.user_id, now)?;
        dossiers::set_holder(
            conn,
            &d.id,
            &pending.from_agency,
            pending.from_step,
            false,
            now,
        )?;
        event(
            conn,
            &d,
            EventKind::DossierRecalled,
            &actor(staff),
            now,
            json!({
                "from_agency": pending.to_agency,
                "to_agency": pending.from_agency,
                "step": pending.from_step,
                "handover_seq": pending.seq,
                "reason": reason,
            }),
        )?;
        Ok(Recalled {
            dossier: lock(conn, code)?,
            handover: Handover {
                recalled_by: Some(staff.user_id.clone()),
                recalled_at: Some(now),
                ..pending
            },
        })
    })
}

//! Reopening a dossier closed by mistake (docs/repairs.md, Reopen): a
//! stop, a withdrawal or a "processed" logged on the wrong dossier, or a
//! return logged before the citizen came. Within the window after the
//! closing, a supervisor reopens it with a reason: a return is undone
//! (the result is back at the desk, 10 → 9); anything else resumes
//! processing (→ 4, or 5 when the clock was paused for the citizen) at
//! the agency that held it, with the appointment its ledger says. This is
//! the one way out of a final status, and only this operation takes it.

use chrono::{DateTime, Duration, Utc};
use motcua_domain::{Dossier, EventKind, StaffMember, Status};
use motcua_sla::ops::{actor, event, lock, require_supervisor_of, required_text};
use motcua_store::{dossiers, events, time, DbConnection};
use serde_json::json;

use crate::ClockError;

/// The events that close a dossier, and the status each leaves.
const CLOSINGS: [(EventKind, Status); 4] = [
    (EventKind::DossierWithdrawn, Status::Withdrawn),
    (EventKind::DossierStopped, Status::Stopped),
    (EventKind::DossierProcessed, Status::Processed),
    (EventKind::DossierReturned, Status::Returned),
];

#[derive(Debug, Clone)]
pub struct Reopened {
    pub dossier: Dossier,
    pub previous_status: Status,
    pub closed_at: DateTime<Utc>,
}

/// Reopens the dossier `code`, closed at most `window` ago.
pub fn reopen(
    conn: &mut DbConnection,
    staff: &StaffMember,
    code: &str,
    reason: &str,
    window: Duration,
) -> Result<Reopened, ClockError> {
    let reason = required_text("reason", reason, 1000)?;
    conn.write_tx(|conn| {
        let d = lock(conn, code)?;
        require_supervisor_of(conn, staff, &d, "reopen dossiers")?;
        let to = match d.status {
            Status::Returned => Status::Processed,
            Status::Withdrawn | Status::Stopped | Status::Processed if d.paused_since.is_some() => {
                Status::SupplementRequested
            }
            Status::Withdrawn | Status::Stopped | Status::Processed => Status::Processing,
            other => {
                return Err(ClockError::Conflict(format!(
                    "dossier {} is {} ({}): only a closed dossier (7, 8, 9 or 10) is reopened",
                    d.code,
                    other.name(),
                    other.code()
                )))
            }
        };
        if d.parent_id.is_some() || !dossiers::children(conn, &d.id)?.is_empty() {
            return Err(ClockError::Conflict(format!(
                "dossier {} is part of an interlinked group, whose parts close together: it is not reopened alone",
                d.code
            )));
        }
        let closed_at = events::for_dossier(conn, &d.id)?
            .into_iter()
            .rev()
            .find(|e| CLOSINGS.iter().any(|(k, s)| *k == e.kind && *s == d.status))
            .map(|e| e.at)
            .ok_or_else(|| {
                // An imported dossier may have closed in the older system.
                ClockError::Conflict(format!(
                    "dossier {} was not closed here (it was imported closed): there is no closing to undo",
                    d.code
                ))
            })?;
        let now = time::now();
        if now - closed_at > window {
            return Err(ClockError::Conflict(format!(
                "dossier {} was closed at {}, more than {} hours ago: beyond the window for reopening",
                d.code,
                closed_at.to_rfc3339(),
                window.num_hours()
            )));
        }
        dossiers::reopen(conn, &d.id, to, now)?;
        event(
            conn,
            &d,
            EventKind::DossierReopened,
            &actor(staff),
            now,
            json!({
                "previous_status_code": d.status.code(),
                "status_code": to.code(),
                "closed_at": closed_at,
                "reason": reason,
            }),
        )?;
        Ok(Reopened {
            dossier: lock(conn, code)?,
            previous_status: d.status,
            closed_at,
        })
    })
}

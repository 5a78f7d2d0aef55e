//! A supervisor's correction of a wrong appointment (docs/repairs.md, Correct
//! the due time): typed wrong from a paper receipt, counted from the wrong
//! case. The ledger gains a `correction` entry with the new time, so the
//! history says when, by whom, why and under which decision the
//! appointment moved; nothing already written changes.

use chrono::{DateTime, Utc};
use motcua_domain::{Dossier, EventKind, StaffMember};
use motcua_store::{clock, time, DbConnection};
use serde_json::json;

use super::{actor, event, lock, project, require_supervisor_of, required_text};
use crate::{ledger, ClockError};
use motcua_calendar::WorkingCalendar;

/// What the correction did.
#[derive(Debug, Clone, PartialEq)]
pub struct DueCorrected {
    pub dossier: Dossier,
    pub previous_due: DateTime<Utc>,
    pub due: DateTime<Utc>,
}

/// The correction asked for.
#[derive(Debug, Clone)]
pub struct Correction<'a> {
    pub due_at: DateTime<Utc>,
    pub reason: &'a str,
    /// The decision (quyết định) or minute that orders the correction.
    pub decision: &'a str,
}

/// Corrects the appointment of the open dossier `code`.
pub fn correct_due(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    staff: &StaffMember,
    code: &str,
    correction: &Correction<'_>,
) -> Result<DueCorrected, ClockError> {
    let reason = required_text("reason", correction.reason, 1000)?;
    let decision = required_text("decision", correction.decision, 200)?;
    let new_due = correction.due_at;
    conn.write_tx(|conn| {
        let d = lock(conn, code)?;
        require_supervisor_of(conn, staff, &d, "correct appointments")?;
        if !d.status.is_open() {
            return Err(ClockError::Conflict(format!(
                "dossier {} is {}: it has no appointment to correct (reopen it first if it was closed by mistake)",
                d.code,
                d.status.name()
            )));
        }
        let procedure = ledger::procedure_of(conn, &d)?;
        let before = ledger::state(conn, calendar, &d, &procedure)?;
        if new_due == before.due {
            return Err(ClockError::invalid(
                "due_at",
                format!("is the current appointment {} already", before.due.to_rfc3339()),
            ));
        }
        if new_due <= d.received_at {
            return Err(ClockError::invalid(
                "due_at",
                format!("must be after the receipt {}", d.received_at.to_rfc3339()),
            ));
        }
        if !calendar.is_working_day(calendar.local_date(new_due)) {
            return Err(ClockError::invalid("due_at", "must fall on a working day"));
        }
        let now = time::now();
        clock::append(conn, &d.id, "correction", now, Some(new_due))?;
        let after = ledger::state(conn, calendar, &d, &procedure)?;
        project(conn, &d, &after, now)?;
        event(
            conn,
            &d,
            EventKind::DossierDueCorrected,
            &actor(staff),
            now,
            json!({
                "previous_due_at": before.due,
                "due_at": after.due,
                "reason": reason,
                "decision": decision,
                "due_cause": format!(
                    "appointment corrected from {} to {} under {decision}: {reason}",
                    before.due.to_rfc3339(),
                    after.due.to_rfc3339()
                ),
            }),
        )?;
        Ok(DueCorrected {
            dossier: lock(conn, code)?,
            previous_due: before.due,
            due: after.due,
        })
    })
}

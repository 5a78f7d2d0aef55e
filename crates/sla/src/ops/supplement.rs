//! Supplement requests (docs/desk.md, Supplements): the agency asks once, in writing,
//! for what is missing; the clock stops while the citizen gathers it. A
//! second request is allowed but makes the dossier count as late.

use motcua_domain::Dossier;
use motcua_domain::EventKind;
use motcua_domain::{StaffMember, Status, SupplementPolicy};
use motcua_store::dossiers;
use motcua_store::supplements::{self, SupplementRequest};
use motcua_store::{clock, time, DbConnection};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{actor, check_transition, event, lock, project, require_clerk_of, require_officer_of};
use crate::{ledger, ClockError};
use motcua_calendar::WorkingCalendar;
use motcua_notify::{DeskMail, Kind};

/// One thing the citizen must bring.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeededItem {
    /// The procedure's document code, when it is a listed document.
    #[serde(default)]
    pub code: Option<String>,
    pub name: String,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SupplementOutcome {
    pub dossier: Dossier,
    pub request: SupplementRequest,
    /// Second (or later) request: the dossier now counts as late.
    pub counts_late: bool,
}

/// An officer of the handling agency asks the citizen for more papers.
pub fn request(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    mail: &DeskMail,
    staff: &StaffMember,
    code: &str,
    reason: &str,
    items: &[NeededItem],
) -> Result<SupplementOutcome, ClockError> {
    if reason.trim().is_empty() {
        return Err(ClockError::invalid("reason", "is required"));
    }
    if items.is_empty() {
        return Err(ClockError::invalid(
            "items",
            "list at least one document the citizen must bring",
        ));
    }
    if let Some(i) = items.iter().position(|i| i.name.trim().is_empty()) {
        return Err(ClockError::invalid(
            &format!("items[{i}].name"),
            "is required",
        ));
    }
    conn.write_tx(|conn| {
        let d = lock(conn, code)?;
        require_officer_of(staff, &d, "request supplements")?;
        check_transition(d.status, Status::SupplementRequested)?;
        let now = time::now();
        let number = dossiers::count_supplement_request(conn, &d.id)?;
        let request = SupplementRequest {
            id: uuid::Uuid::now_v7().to_string(),
            dossier_id: d.id.clone(),
            number,
            reason: reason.trim().to_string(),
            items: json!(items),
            requested_by: staff.user_id.clone(),
            requested_at: now,
            received_by: None,
            received_at: None,
            received_note: None,
        };
        supplements::insert_request(conn, &request)?;
        clock::append(conn, &d.id, "pause", now, None)?;
        let procedure = ledger::procedure_of(conn, &d)?;
        let state = ledger::state(conn, calendar, &d, &procedure)?;
        project(conn, &d, &state, now)?;
        dossiers::set_status(conn, &d.id, Status::SupplementRequested, now)?;
        let counts_late = number >= 2;
        event(
            conn,
            &d,
            EventKind::DossierSupplementRequested,
            &actor(staff),
            now,
            json!({
                "status_code": Status::SupplementRequested.code(),
                "number": number,
                "reason": request.reason,
                "items": items,
                "counts_late": counts_late,
                "due_at": state.due,
                "due_cause": format!(
                    "clock paused at {} waiting for the citizen's supplement (request no. {number}){}",
                    now.to_rfc3339(),
                    if counts_late { "; a second request makes the dossier late" } else { "" }
                ),
            }),
        )?;
        let dossier = lock(conn, code)?;
        let needed: Vec<&str> = items.iter().map(|i| i.name.as_str()).collect();
        mail.citizen(
            conn,
            Kind::SupplementRequested,
            &dossier,
            json!({"items": needed, "reason": request.reason}),
        )?;
        Ok(SupplementOutcome {
            dossier,
            request,
            counts_late,
        })
    })
}

#[derive(Debug, Clone)]
pub struct SupplementReceived {
    pub dossier: Dossier,
    pub policy: SupplementPolicy,
    /// Working seconds the wait moved the due time by (pause policy).
    pub shift_seconds: i64,
}

/// The clerk logs the supplement: the clock resumes, or restarts for
/// procedures whose policy says so (with a new appointment).
pub fn receive(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    staff: &StaffMember,
    code: &str,
    note: &str,
) -> Result<SupplementReceived, ClockError> {
    conn.write_tx(|conn| {
        let d = lock(conn, code)?;
        require_clerk_of(staff, &d, "log supplements")?;
        if d.status != Status::SupplementRequested {
            // Said as the desk would: nothing was asked for, or no longer.
            return Err(ClockError::Conflict(format!(
                "dossier {} is not waiting for a supplement: it is {} ({}); a supplement is logged only after the handling agency asked for one",
                d.code,
                d.status.name(),
                d.status.code()
            )));
        }
        check_transition(d.status, Status::Processing)?;
        let now = time::now();
        let procedure = ledger::procedure_of(conn, &d)?;
        let before = ledger::state(conn, calendar, &d, &procedure)?;
        let policy = procedure.supplement_policy;
        let kind = match policy {
            SupplementPolicy::Pause => "resume",
            SupplementPolicy::Restart => "restart",
        };
        clock::append(conn, &d.id, kind, now, None)?;
        supplements::mark_received(conn, &d.id, &staff.user_id, now, note.trim())?;
        let state = ledger::state(conn, calendar, &d, &procedure)?;
        project(conn, &d, &state, now)?;
        dossiers::set_status(conn, &d.id, Status::Processing, now)?;
        let shift = state.waited_seconds - before.waited_seconds;
        let cause = match policy {
            SupplementPolicy::Pause => format!(
                "supplement received at {}: the clock resumed; the {} working seconds waited for the citizen moved the appointment from {} to {}",
                now.to_rfc3339(),
                shift,
                before.due.to_rfc3339(),
                state.due.to_rfc3339()
            ),
            SupplementPolicy::Restart => format!(
                "supplement received at {}: the procedure restarts the full statutory time; new appointment {}",
                now.to_rfc3339(),
                state.due.to_rfc3339()
            ),
        };
        event(
            conn,
            &d,
            EventKind::DossierSupplementReceived,
            &actor(staff),
            now,
            json!({
                "status_code": Status::Processing.code(),
                "policy": policy.as_str(),
                "note": note.trim(),
                "previous_due_at": before.due,
                "due_at": state.due,
                "shift_seconds": shift,
                "due_cause": cause,
            }),
        )?;
        Ok(SupplementReceived {
            dossier: lock(conn, code)?,
            policy,
            shift_seconds: shift,
        })
    })
}

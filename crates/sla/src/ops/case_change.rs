//! A dossier found to be of another case of its procedure (docs/catalogue.md,
//! Cases): the case changes with its cause, the clock's ledger records when,
//! and the appointment is derived again with the new case's time limit from
//! the receipt (pauses and the extension kept), in one transaction with its
//! event.

use chrono::{DateTime, Utc};
use motcua_domain::{Channel, DomainError, Dossier, EventKind, StaffMember};
use motcua_store::{clock, dossiers, procedures, time, DbConnection};
use serde_json::json;

use super::{actor, event, lock, project, require_clerk_of, require_officer_of};
use crate::{ledger, ClockError};
use motcua_calendar::WorkingCalendar;

/// What the change did.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseChanged {
    /// The dossier as it is now.
    pub dossier: Dossier,
    pub previous_case: Option<String>,
    pub previous_due: DateTime<Utc>,
    pub due: DateTime<Utc>,
}

/// Moves the dossier `code` to case `case` of its procedure, because of
/// `cause`. The receiving desk's clerks and the handling agency's
/// officers may; only while the dossier is open.
pub fn change_case(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    staff: &StaffMember,
    code: &str,
    case: &str,
    cause: &str,
) -> Result<CaseChanged, ClockError> {
    let (case, cause) = (case.trim(), cause.trim());
    if cause.is_empty() {
        return Err(ClockError::invalid("cause", "say why the case changes"));
    }
    conn.write_tx(|conn| {
        let d = lock(conn, code)?;
        if require_clerk_of(staff, &d, "").is_err() && require_officer_of(staff, &d, "").is_err() {
            return Err(ClockError::Forbidden(
                "only the receiving desk's clerks and the handling agency's officers change a dossier's case".into(),
            ));
        }
        if !d.status.is_open() {
            return Err(ClockError::Conflict(format!(
                "dossier {} is {}: its case no longer changes",
                d.code,
                d.status.name()
            )));
        }
        if d.case_code.as_deref() == Some(case) {
            return Err(ClockError::Conflict(format!(
                "dossier {} is of case {case} already",
                d.code
            )));
        }
        let base = procedures::get_version(conn, &d.procedure_code, d.procedure_version)?
            .ok_or(ClockError::Missing("procedure version"))?;
        let applied = base
            .for_case(Some(case), d.channel == Channel::Online)
            .map_err(|e| match e {
                DomainError::Invalid { field, message } => ClockError::invalid(&field, message),
                other => ClockError::invalid("case", other.to_string()),
            })?;
        let current = ledger::procedure_of(conn, &d)?;
        let before = ledger::state(conn, calendar, &d, &current)?;
        let now = time::now();
        dossiers::set_case(conn, &d.id, case, &applied.name, applied.fee_vnd)?;
        clock::append(conn, &d.id, "case", now, None)?;
        let changed = Dossier {
            case_code: Some(case.to_string()),
            procedure_name: applied.name.clone(),
            fee_vnd: applied.fee_vnd,
            ..d.clone()
        };
        let after = ledger::state(conn, calendar, &changed, &applied)?;
        project(conn, &changed, &after, now)?;
        event(
            conn,
            &changed,
            EventKind::DossierCaseChanged,
            &actor(staff),
            now,
            json!({
                "previous_case": d.case_code,
                "case": case,
                "cause": cause,
                "previous_due_at": before.due,
                "due_at": after.due,
                "due_cause": format!(
                    "case changed to {case}: {cause}; appointment moved from {} to {}",
                    before.due.to_rfc3339(),
                    after.due.to_rfc3339()
                ),
            }),
        )?;
        let dossier = Dossier {
            due_at: after.due,
            ..changed
        };
        Ok(CaseChanged {
            dossier,
            previous_case: d.case_code,
            previous_due: before.due,
            due: after.due,
        })
    })
}

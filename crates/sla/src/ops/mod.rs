//! Writes on a dossier's clock. Each operation is one transaction: lock
//! the dossier, check the rules, append to the ledger, write the derived
//! due time back with a bumped clock version, and append the event that
//! says why the date is what it is.

pub mod calendar_edit;
pub mod case_change;
pub mod due_correction;
pub mod extension;
pub mod finish;
pub mod group;
pub mod recompute;
pub mod supplement;

use chrono::{DateTime, Utc};
use motcua_domain::Dossier;
use motcua_domain::{EventKind, Role, StaffMember, Status};
use motcua_store::dossiers::{self, ClockProjection};
use motcua_store::events::{self, Actor, NewEvent};
use motcua_store::DbConnection;
use serde_json::Value;

use crate::ClockError;
use motcua_calendar::clock::ClockState;

/// Loads and locks the dossier for a write.
pub fn lock(conn: &mut DbConnection, code: &str) -> Result<Dossier, ClockError> {
    dossiers::find_by_code_for_update(conn, code)?.ok_or(ClockError::NotFound)
}

/// Checks the move against the status table (docs/statuses.md, The transition table).
pub fn check_transition(from: Status, to: Status) -> Result<(), ClockError> {
    if from.can_move_to(to) {
        Ok(())
    } else {
        Err(ClockError::Transition {
            from,
            to,
            allowed: from.allowed_next().to_vec(),
        })
    }
}

/// Officers act on dossiers held by their agency.
pub fn require_officer_of(staff: &StaffMember, d: &Dossier, what: &str) -> Result<(), ClockError> {
    if staff.role != Role::Officer {
        return Err(ClockError::Forbidden(format!("only officers {what}")));
    }
    if staff.agency.as_str() != d.handling_agency {
        return Err(ClockError::Forbidden(format!(
            "dossier {} is handled by {}, not by your agency {}",
            d.code, d.handling_agency, staff.agency
        )));
    }
    // Received at another desk: its officers never decide it, only the
    // competent agency's (docs/desk.md, Intake at any desk).
    if d.received_for.is_some() && d.current_step == 0 {
        return Err(ClockError::Forbidden(format!(
            "dossier {} was received for {}: it is handed to that agency first",
            d.code,
            d.received_for.as_deref().unwrap_or_default()
        )));
    }
    Ok(())
}

/// Clerks act at the desk that received the dossier.
pub fn require_clerk_of(staff: &StaffMember, d: &Dossier, what: &str) -> Result<(), ClockError> {
    if staff.role != Role::Clerk {
        return Err(ClockError::Forbidden(format!("only counter clerks {what}")));
    }
    if staff.agency.as_str() != d.receiving_agency {
        return Err(ClockError::Forbidden(format!(
            "dossier {} was received at {}, not at your agency {}",
            d.code, d.receiving_agency, staff.agency
        )));
    }
    Ok(())
}

/// Does a supervisor's reach (their agency and every agency below it)
/// include `agency`?
pub fn supervises(
    conn: &mut DbConnection,
    staff: &StaffMember,
    agency: &str,
) -> Result<bool, ClockError> {
    if staff.role != Role::Supervisor {
        return Ok(false);
    }
    Ok(motcua_store::agencies::with_ancestors(conn, agency)?
        .iter()
        .any(|a| a == staff.agency.as_str()))
}

/// Repairs (docs/repairs.md) are a supervisor's: of the agency that
/// received the dossier or the one holding it, or of one above them.
pub fn require_supervisor_of(
    conn: &mut DbConnection,
    staff: &StaffMember,
    d: &Dossier,
    what: &str,
) -> Result<(), ClockError> {
    if staff.role != Role::Supervisor {
        return Err(ClockError::Forbidden(format!("only supervisors {what}")));
    }
    if !supervises(conn, staff, &d.handling_agency)?
        && !supervises(conn, staff, &d.receiving_agency)?
    {
        return Err(ClockError::Forbidden(format!(
            "dossier {} (received at {}, held by {}) is outside your agency {} and the agencies below it",
            d.code, d.receiving_agency, d.handling_agency, staff.agency
        )));
    }
    Ok(())
}

/// A repair's reason: required, trimmed, bounded.
pub fn required_text(field: &str, value: &str, max: usize) -> Result<String, ClockError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(ClockError::invalid(field, "is required"));
    }
    if v.chars().count() > max {
        return Err(ClockError::invalid(
            field,
            format!("at most {max} characters"),
        ));
    }
    Ok(v.to_string())
}

pub fn actor(staff: &StaffMember) -> Actor {
    Actor {
        id: Some(staff.user_id.clone()),
        name: staff.name.clone(),
    }
}

/// Writes the derived clock back and records the event.
pub fn project(
    conn: &mut DbConnection,
    d: &Dossier,
    state: &ClockState,
    at: DateTime<Utc>,
) -> Result<(), ClockError> {
    let changed = state.due != d.due_at || state.paused_since != d.paused_since;
    dossiers::set_clock(
        conn,
        &d.id,
        &ClockProjection {
            due_at: state.due,
            paused_since: state.paused_since,
            bump: changed,
        },
        at,
    )?;
    Ok(())
}

pub fn event(
    conn: &mut DbConnection,
    d: &Dossier,
    kind: EventKind,
    actor: &Actor,
    at: DateTime<Utc>,
    data: Value,
) -> Result<(), ClockError> {
    events::append(
        conn,
        &NewEvent {
            subject_type: "dossier",
            subject_id: &d.id,
            dossier_id: Some(&d.id),
            kind,
            actor,
            at,
            data,
        },
    )?;
    Ok(())
}

//! Reassigning a dossier (docs/repairs.md, Reassign): sent to the wrong
//! agency, or given to an officer who cannot take it. A supervisor gives
//! the current step to another agency within their reach, or the dossier
//! to another officer of the agency holding it, with a reason.
//!
//! To another agency: in transit (not yet acknowledged), the handover is
//! recalled and a new one goes from the same sender to the right agency,
//! keeping the sender's leg as it closed; acknowledged, the wrong
//! agency's leg closes and it hands the same step to the right one. Either
//! way the new agency acknowledges it as any handover.

use motcua_calendar::WorkingCalendar;
use motcua_domain::{Dossier, EventKind, Role, StaffMember};
use motcua_notify::{DeskMail, Kind};
use motcua_sla::ledger;
use motcua_sla::ops::{actor, event, lock, require_supervisor_of, required_text, supervises};
use motcua_store::handovers::{self, Handover};
use motcua_store::users::User;
use motcua_store::{agencies, dossiers, time, DbConnection};
use serde_json::json;

use super::{pending_handover, require_movable};
use crate::handover::{hand_over, Move};
use crate::{ClockError, Leg};

/// Where the dossier goes.
#[derive(Debug, Clone)]
pub enum Reassignment {
    /// The current step, to another agency (by code).
    Agency(String),
    /// To another officer of the agency holding it.
    Officer(User),
}

#[derive(Debug, Clone)]
pub struct Reassigned {
    pub dossier: Dossier,
    /// The handover to the new agency, for a reassignment to an agency.
    pub handover: Option<Handover>,
}

/// Who reassigns, why, with what, and in which bulk move if any.
#[derive(Clone, Copy)]
pub(crate) struct By<'a> {
    pub calendar: &'a WorkingCalendar,
    pub mail: &'a DeskMail,
    pub staff: &'a StaffMember,
    pub reason: &'a str,
    /// The bulk move it is part of.
    pub batch: Option<&'a str>,
}

/// Reassigns the dossier `code`, in its own transaction.
pub fn reassign(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    mail: &DeskMail,
    staff: &StaffMember,
    code: &str,
    to: &Reassignment,
    reason: &str,
) -> Result<Reassigned, ClockError> {
    let reason = required_text("reason", reason, 1000)?;
    let by = By {
        calendar,
        mail,
        staff,
        reason: &reason,
        batch: None,
    };
    conn.write_tx(|conn| reassign_in(conn, by, code, to))
}

/// Reassigns inside the caller's transaction.
pub(crate) fn reassign_in(
    conn: &mut DbConnection,
    by: By<'_>,
    code: &str,
    to: &Reassignment,
) -> Result<Reassigned, ClockError> {
    let staff = by.staff;
    let d = lock(conn, code)?;
    require_supervisor_of(conn, staff, &d, "reassign dossiers")?;
    if !d.status.is_open() {
        return Err(ClockError::Conflict(format!(
            "dossier {} is {}: only an open dossier is reassigned",
            d.code,
            d.status.name()
        )));
    }
    match to {
        Reassignment::Officer(officer) => to_officer(conn, by, &d, officer),
        Reassignment::Agency(agency) => to_agency(conn, by, &d, agency),
    }
}

fn to_officer(
    conn: &mut DbConnection,
    by: By<'_>,
    d: &Dossier,
    officer: &User,
) -> Result<Reassigned, ClockError> {
    if d.in_transit {
        return Err(ClockError::Conflict(format!(
            "dossier {} is in transit to {}: its officer is chosen once it is acknowledged",
            d.code, d.handling_agency
        )));
    }
    if officer.role != Role::Officer
        || officer.agency.as_str() != d.handling_agency
        || !officer.active
    {
        return Err(ClockError::invalid(
            "officer",
            format!(
                "must be an active officer of {}, the agency holding dossier {}",
                d.handling_agency, d.code
            ),
        ));
    }
    if d.assigned_to.as_deref() == Some(officer.id.as_str()) {
        return Err(ClockError::Conflict(format!(
            "dossier {} is assigned to {} already",
            d.code, officer.username
        )));
    }
    let now = time::now();
    dossiers::set_assigned(conn, &d.id, Some(&officer.id))?;
    event(
        conn,
        d,
        EventKind::DossierReassigned,
        &actor(by.staff),
        now,
        json!({
            "previous_officer_id": d.assigned_to,
            "officer": officer.username,
            "name": officer.full_name,
            "agency": d.handling_agency,
            "reason": by.reason,
            "batch": by.batch,
        }),
    )?;
    Ok(Reassigned {
        dossier: lock(conn, &d.code)?,
        handover: None,
    })
}

fn to_agency(
    conn: &mut DbConnection,
    by: By<'_>,
    d: &Dossier,
    agency: &str,
) -> Result<Reassigned, ClockError> {
    let staff = by.staff;
    let target = agencies::get(conn, agency)?
        .ok_or_else(|| ClockError::invalid("agency", format!("no agency has the code {agency}")))?;
    if !supervises(conn, staff, target.code.as_str())? {
        return Err(ClockError::Forbidden(format!(
            "agency {agency} is outside your agency {} and the agencies below it",
            staff.agency
        )));
    }
    if agency == d.handling_agency {
        return Err(ClockError::Conflict(format!(
            "dossier {} is held by {agency} already",
            d.code
        )));
    }
    require_movable(d)?;
    if d.in_transit {
        return Ok(Reassigned {
            handover: Some(redirect(conn, by, d, agency)?),
            dossier: lock(conn, &d.code)?,
        });
    }
    if d.current_step == 0 {
        return Err(ClockError::Conflict(format!(
            "dossier {} is at the receiving desk {}: the desk's step stays with the desk that received it",
            d.code, d.receiving_agency
        )));
    }
    let procedure = ledger::procedure_of(conn, d)?;
    let plan = crate::plan::legs_of(&procedure, d);
    let current = plan
        .iter()
        .find(|l| l.index == d.current_step)
        .ok_or_else(|| ClockError::Conflict(format!("dossier {} is at an unknown step", d.code)))?;
    let target = Leg {
        agency: agency.to_string(),
        ..current.clone()
    };
    let sent = hand_over(
        conn,
        by.calendar,
        by.mail,
        staff,
        d,
        &procedure,
        current,
        &target,
        Move {
            direction: "forward",
            note: by.reason,
            repair: Some("reassign"),
            kind: EventKind::DossierReassigned,
            extra: &json!({"reason": by.reason, "batch": by.batch}),
        },
    )?;
    Ok(Reassigned {
        dossier: sent.dossier,
        handover: Some(sent.handover),
    })
}

/// In transit to the wrong agency: the pending handover is recalled and
/// the same sender's handover goes to `agency` instead, with the
/// sender's leg as it closed.
fn redirect(
    conn: &mut DbConnection,
    by: By<'_>,
    d: &Dossier,
    agency: &str,
) -> Result<Handover, ClockError> {
    let (staff, reason) = (by.staff, by.reason);
    let pending = pending_handover(conn, d)?;
    let now = time::now();
    handovers::recall(conn, &pending.id, &staff.user_id, now)?;
    let seq = handovers::for_dossier(conn, &d.id)?.len() as i32 + 1;
    let handover = Handover {
        id: uuid::Uuid::now_v7().to_string(),
        seq,
        to_agency: agency.to_string(),
        note: reason.to_string(),
        sent_by: staff.user_id.clone(),
        sent_at: now,
        repair: Some("reassign".into()),
        ..pending.clone()
    };
    handovers::insert(conn, &handover)?;
    dossiers::set_holder(conn, &d.id, agency, handover.to_step, true, now)?;
    event(
        conn,
        d,
        EventKind::DossierReassigned,
        &actor(staff),
        now,
        json!({
            "from_agency": pending.to_agency,
            "to_agency": agency,
            "to_step": handover.to_step,
            "recalled_handover_seq": pending.seq,
            "reason": reason,
            "batch": by.batch,
        }),
    )?;
    let dossier = lock(conn, &d.code)?;
    by.mail.officers(
        conn,
        by.calendar,
        Kind::HandoverArrived,
        agency,
        &dossier,
        json!({"from_agency": handover.from_agency}),
    )?;
    Ok(handover)
}

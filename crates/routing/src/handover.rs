//! Sending a dossier to the next agency (or back to an earlier one) and
//! acknowledging it there. Each send closes the sender's leg with a verdict
//! against its share of the time.

use motcua_calendar::WorkingCalendar;
use motcua_calendar::{Judge, Verdict};
use motcua_domain::Dossier;
use motcua_domain::EventKind;
use motcua_domain::{StaffMember, Status};
use motcua_notify::{DeskMail, Kind};
use motcua_sla::ops::{actor, check_transition, event, lock};
use motcua_sla::{ledger, ClockError};
use motcua_store::dossiers;
use motcua_store::handovers::{self, Handover};
use motcua_store::{time, DbConnection};
use serde_json::json;

use crate::plan::{leg_budget, Leg, LegBudget};

/// Where to send the dossier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// The next step of the plan.
    Next,
    /// Back to an earlier step (with a reason in the note).
    Back { step: i32 },
}

#[derive(Debug, Clone)]
pub struct Sent {
    pub dossier: Dossier,
    pub handover: Handover,
}

/// The staff member must work at the agency holding the dossier, in the
/// role of the current leg.
fn require_holder(
    staff: &StaffMember,
    d: &Dossier,
    role: motcua_domain::Role,
) -> Result<(), ClockError> {
    if staff.agency.as_str() != d.handling_agency {
        return Err(ClockError::Forbidden(format!(
            "dossier {} is held by {}, not by your agency {}",
            d.code, d.handling_agency, staff.agency
        )));
    }
    if staff.role != role {
        return Err(ClockError::Forbidden(format!(
            "this step is handled by a {role}; you are {}",
            staff.role
        )));
    }
    Ok(())
}

/// Sends the dossier on (or back), closing the sender's leg, and tells
/// the officers of the receiving agency.
pub fn send(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    mail: &DeskMail,
    staff: &StaffMember,
    code: &str,
    to: Destination,
    note: &str,
) -> Result<Sent, ClockError> {
    conn.write_tx(|conn| {
        let d = lock(conn, code)?;
        // Who may act comes first: a stranger learns nothing of the state.
        if staff.agency.as_str() != d.handling_agency {
            return Err(ClockError::Forbidden(format!(
                "dossier {} is held by {}, not by your agency {}",
                d.code, d.handling_agency, staff.agency
            )));
        }
        if d.in_transit {
            return Err(ClockError::Conflict(format!(
                "dossier {} was sent to {} and not yet acknowledged there",
                d.code, d.handling_agency
            )));
        }
        if !matches!(d.status, Status::Received | Status::Processing) {
            return Err(ClockError::Conflict(format!(
                "dossier {} is {} ({}); only a dossier received or being processed moves between agencies",
                d.code,
                d.status.name(),
                d.status.code()
            )));
        }
        let procedure = ledger::procedure_of(conn, &d)?;
        let plan = crate::plan::legs_of(&procedure, &d);
        let current = plan
            .iter()
            .find(|l| l.index == d.current_step)
            .ok_or_else(|| ClockError::Conflict(format!("dossier {} is at an unknown step", d.code)))?;
        require_holder(staff, &d, current.role)?;
        let (target, direction) = match to {
            Destination::Next => {
                let next = plan.iter().find(|l| l.index == d.current_step + 1).ok_or_else(|| {
                    ClockError::Conflict(format!(
                        "dossier {} is at the last step of its plan; mark it processed instead",
                        d.code
                    ))
                })?;
                (next, "forward")
            }
            Destination::Back { step } => {
                if step >= d.current_step || step < 0 {
                    return Err(ClockError::invalid(
                        "step",
                        format!("must be an earlier step than {}", d.current_step),
                    ));
                }
                if note.trim().is_empty() {
                    return Err(ClockError::invalid("note", "a reason is required to send a dossier back"));
                }
                let back = plan
                    .iter()
                    .find(|l| l.index == step)
                    .ok_or_else(|| ClockError::invalid("step", "no such step"))?;
                (back, "back")
            }
        };
        hand_over(
            conn,
            calendar,
            mail,
            staff,
            &d,
            &procedure,
            current,
            target,
            Move {
                direction,
                note: note.trim(),
                repair: None,
                kind: EventKind::DossierSent,
                extra: &serde_json::Value::Null,
            },
        )
    })
}

/// How a handover is made: its direction, its note and the supervisor's
/// repair it is, if any.
#[derive(Debug, Clone)]
pub(crate) struct Move<'a> {
    pub direction: &'a str,
    pub note: &'a str,
    pub repair: Option<&'a str>,
    /// The event it writes (`dossier.sent` for the holder's own send).
    pub kind: EventKind,
    /// What the event says beyond the handover itself.
    pub extra: &'a serde_json::Value,
}

/// When the holder's leg started: at the acknowledgement of the last
/// handover that stands (a recalled one never started a leg), or at the
/// receipt.
pub fn leg_started(d: &Dossier, previous: &[Handover]) -> chrono::DateTime<chrono::Utc> {
    previous
        .iter()
        .rev()
        .find(|h| h.stands())
        .and_then(|h| h.received_at)
        .unwrap_or(d.received_at)
}

/// Hands the dossier `d` (locked, not in transit) from its `current` leg
/// to `target`: closes the sender's leg with its verdict, puts the dossier
/// in transit to the target's agency, records the event and tells the
/// target's officers. The caller has checked who may do it.
#[allow(clippy::too_many_arguments)]
pub(crate) fn hand_over(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    mail: &DeskMail,
    staff: &StaffMember,
    d: &Dossier,
    procedure: &motcua_domain::Procedure,
    current: &Leg,
    target: &Leg,
    how: Move<'_>,
) -> Result<Sent, ClockError> {
    let direction = how.direction;
    let code = d.code.as_str();
    if d.status == Status::Received {
        check_transition(d.status, Status::Processing)?;
    }
    let now = time::now();
    let previous = handovers::for_dossier(conn, &d.id)?;
    let leg_start = leg_started(d, &previous);
    let state = ledger::state(conn, calendar, d, procedure)?;
    let LegBudget {
        seconds: budget,
        due: leg_due,
    } = leg_budget(
        calendar,
        current,
        d.received_at,
        state.original_due,
        state.verdict_due,
        leg_start,
    );
    let used = calendar.working_seconds_between(leg_start, now);
    let verdict = Verdict::judge(calendar, now, leg_due, false);
    let handover = Handover {
        id: uuid::Uuid::now_v7().to_string(),
        dossier_id: d.id.clone(),
        seq: previous.len() as i32 + 1,
        from_step: d.current_step,
        to_step: target.index,
        from_agency: d.handling_agency.clone(),
        to_agency: target.agency.clone(),
        direction: direction.into(),
        note: how.note.to_string(),
        sent_by: staff.user_id.clone(),
        sent_at: now,
        received_by: None,
        received_at: None,
        leg_started_at: leg_start,
        leg_budget_seconds: budget,
        leg_used_seconds: used,
        leg_verdict: verdict.as_str().into(),
        repair: how.repair.map(str::to_string),
        recalled_by: None,
        recalled_at: None,
    };
    handovers::insert(conn, &handover)?;
    dossiers::set_holder(conn, &d.id, &target.agency, target.index, true, now)?;
    if d.status == Status::Received {
        dossiers::set_status(conn, &d.id, Status::Processing, now)?;
        motcua_sla::ops::group::child_started(conn, d, &actor(staff), now)?;
    }
    let mut data = json!({
            "status_code": Status::Processing.code(),
            "from_agency": handover.from_agency,
            "to_agency": handover.to_agency,
            "to_step": target.index,
            "step_name": target.name,
            "direction": direction,
            "note": handover.note,
            "leg": {"budget_seconds": budget, "used_seconds": used, "verdict": verdict},
    });
    if let (Some(data), Some(extra)) = (data.as_object_mut(), how.extra.as_object()) {
        data.extend(extra.clone());
    }
    event(conn, d, how.kind, &actor(staff), now, data)?;
    let dossier = lock(conn, code)?;
    mail.officers(
        conn,
        calendar,
        Kind::HandoverArrived,
        &handover.to_agency,
        &dossier,
        json!({"from_agency": handover.from_agency}),
    )?;
    Ok(Sent { dossier, handover })
}

/// The receiving agency acknowledges the dossier; its leg starts now.
pub fn receive(
    conn: &mut DbConnection,
    staff: &StaffMember,
    code: &str,
) -> Result<Dossier, ClockError> {
    conn.write_tx(|conn| {
        let d = lock(conn, code)?;
        if staff.agency.as_str() != d.handling_agency {
            return Err(ClockError::Forbidden(format!(
                "dossier {} was sent to {}, not to your agency {}",
                d.code, d.handling_agency, staff.agency
            )));
        }
        if !d.in_transit {
            return Err(ClockError::Conflict(format!(
                "dossier {} is not waiting to be received",
                d.code
            )));
        }
        let last = handovers::for_dossier(conn, &d.id)?
            .into_iter()
            .rev()
            .find(Handover::stands)
            .ok_or_else(|| ClockError::Conflict("no handover to acknowledge".into()))?;
        let now = time::now();
        handovers::acknowledge(conn, &last.id, &staff.user_id, now)?;
        dossiers::set_holder(conn, &d.id, &d.handling_agency, d.current_step, false, now)?;
        event(
            conn,
            &d,
            EventKind::DossierHandoverReceived,
            &actor(staff),
            now,
            json!({
                "agency": d.handling_agency,
                "from_agency": last.from_agency,
                "waited_seconds": (now - last.sent_at).num_seconds(),
            }),
        )?;
        lock(conn, code)
    })
}

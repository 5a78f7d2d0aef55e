//! Moving a dossier back to an earlier step (docs/repairs.md, Step back):
//! a step was closed too early, so a supervisor sends the dossier back to
//! it with a reason. It is a handover like any other (the current leg
//! closes with its verdict; the earlier step's agency acknowledges it),
//! marked as the supervisor's repair.

use motcua_calendar::WorkingCalendar;
use motcua_domain::{EventKind, StaffMember};
use motcua_notify::DeskMail;
use motcua_sla::ledger;
use motcua_sla::ops::{lock, require_supervisor_of, required_text};
use motcua_store::DbConnection;
use serde_json::json;

use super::require_movable;
use crate::handover::{hand_over, Move, Sent};
use crate::ClockError;

/// Sends the dossier `code` back to the earlier step `step`.
pub fn step_back(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    mail: &DeskMail,
    staff: &StaffMember,
    code: &str,
    step: i32,
    reason: &str,
) -> Result<Sent, ClockError> {
    let reason = required_text("reason", reason, 1000)?;
    conn.write_tx(|conn| {
        let d = lock(conn, code)?;
        require_supervisor_of(conn, staff, &d, "move dossiers back a step")?;
        if d.in_transit {
            return Err(ClockError::Conflict(format!(
                "dossier {} is in transit to {}: recall it first",
                d.code, d.handling_agency
            )));
        }
        require_movable(&d)?;
        if step < 0 || step >= d.current_step {
            return Err(ClockError::invalid(
                "step",
                format!(
                    "must be an earlier step than the current one, {}",
                    d.current_step
                ),
            ));
        }
        let procedure = ledger::procedure_of(conn, &d)?;
        let plan = crate::plan::legs_of(&procedure, &d);
        let find = |i: i32| plan.iter().find(|l| l.index == i);
        let current = find(d.current_step).ok_or_else(|| {
            ClockError::Conflict(format!("dossier {} is at an unknown step", d.code))
        })?;
        let target = find(step).ok_or_else(|| ClockError::invalid("step", "no such step"))?;
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
                direction: "back",
                note: &reason,
                repair: Some("step_back"),
                kind: EventKind::DossierSteppedBack,
                extra: &json!({"reason": reason, "from_step": d.current_step}),
            },
        )
    })
}

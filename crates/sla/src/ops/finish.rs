//! Ending processing with a verdict (docs/time.md, Verdicts): early, on time or late
//! against the original appointment with supplement waits excluded.

use motcua_domain::Dossier;
use motcua_domain::{EventKind, StaffMember, Status};
use motcua_store::dossiers;
use motcua_store::{time, DbConnection};
use serde_json::json;

use super::{actor, check_transition, event, lock, require_officer_of};
use crate::{ledger, ClockError};
use motcua_calendar::WorkingCalendar;
use motcua_calendar::{Judge, Verdict};
use motcua_notify::{DeskMail, Kind};

#[derive(Debug, Clone)]
pub struct Finished {
    pub dossier: Dossier,
    pub verdict: Verdict,
}

/// An officer of the handling agency marks the dossier processed (status
/// 9, result ready).
pub fn processed(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    mail: &DeskMail,
    staff: &StaffMember,
    code: &str,
    result_note: &str,
) -> Result<Finished, ClockError> {
    let to = Status::Processed;
    end(conn, calendar, mail, staff, code, to, result_note)
}

/// An officer of the handling agency stops processing (status 8) with a
/// written reason; the verdict is recorded as for any end of processing.
pub fn stopped(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    mail: &DeskMail,
    staff: &StaffMember,
    code: &str,
    reason: &str,
) -> Result<Finished, ClockError> {
    if reason.trim().is_empty() {
        return Err(ClockError::invalid(
            "reason",
            "is required: it is printed on the stop notice",
        ));
    }
    end(conn, calendar, mail, staff, code, Status::Stopped, reason)
}

/// Ends processing with the verdict, its event and the citizen's mail
/// (result ready, or the stop with its reason); a group's last member
/// ending ends the group.
fn end(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    mail: &DeskMail,
    staff: &StaffMember,
    code: &str,
    to: Status,
    note: &str,
) -> Result<Finished, ClockError> {
    conn.write_tx(|conn| {
        let d = lock(conn, code)?;
        require_officer_of(staff, &d, "end processing")?;
        check_transition(d.status, to)?;
        if d.in_transit {
            // Decided unseen, it would leave its handover waiting for an
            // acknowledgement that can no longer come.
            return Err(ClockError::Conflict(format!(
                "dossier {} was sent to {} and not yet acknowledged there; receive it first",
                d.code, d.handling_agency
            )));
        }
        super::group::require_members_ended(conn, &d)?;
        let now = time::now();
        let procedure = ledger::procedure_of(conn, &d)?;
        let state = ledger::state(conn, calendar, &d, &procedure)?;
        let forced_late = d.supplement_requests >= 2;
        // A dossier stopped while waiting for the citizen ends at the pause.
        let ended = state.paused_since.unwrap_or(now);
        let verdict = Verdict::judge(calendar, ended, state.verdict_due, forced_late);
        dossiers::set_ended(conn, &d.id, now, verdict, note.trim())?;
        dossiers::set_status(conn, &d.id, to, now)?;
        event(
            conn,
            &d,
            ended_event(to)?,
            &actor(staff),
            now,
            json!({
                "status_code": to.code(),
                "note": note.trim(),
                "verdict": verdict,
                "verdict_due_at": state.verdict_due,
                "printed_appointment": d.original_due_at,
                "supplement_wait_seconds": state.waited_seconds,
                "second_supplement_request": forced_late,
            }),
        )?;
        let ended_dossier = lock(conn, code)?;
        ended_mail(conn, mail, &ended_dossier, to, note.trim())?;
        super::group::child_ended(conn, calendar, mail, &ended_dossier, &actor(staff), now)?;
        Ok(Finished {
            dossier: ended_dossier,
            verdict,
        })
    })
}

/// The citizen's mail when processing ends: the result is ready, or
/// processing stopped and why.
pub(crate) fn ended_mail(
    conn: &mut DbConnection,
    mail: &DeskMail,
    d: &Dossier,
    to: Status,
    note: &str,
) -> Result<(), ClockError> {
    match to {
        Status::Processed => mail.citizen(conn, Kind::ResultReady, d, json!({}))?,
        Status::Stopped => mail.citizen(conn, Kind::Stopped, d, json!({"reason": note}))?,
        _ => {}
    }
    Ok(())
}

/// The event of processing ending in `to`.
pub(crate) fn ended_event(to: Status) -> Result<EventKind, ClockError> {
    EventKind::ended(to).ok_or(ClockError::Transition {
        from: Status::Processing,
        to,
        allowed: vec![Status::Processed, Status::Stopped],
    })
}

//! The one extension (docs/desk.md, Extension and apology): an agency that cannot finish in
//! time issues, at the latest one working day before the appointment, an
//! apology letter with the reason and a new appointment. The date may be
//! reset only once; the original appointment is kept for the verdict.

use chrono::{DateTime, Utc};
use motcua_domain::Dossier;
use motcua_domain::EventKind;
use motcua_domain::StaffMember;
use motcua_store::supplements::{self, Extension};
use motcua_store::{clock, time, DbConnection, StoreError};
use serde_json::json;

use super::{actor, event, lock, project, require_officer_of};
use crate::{ledger, ClockError};
use motcua_calendar::{format_local, WorkingCalendar};
use motcua_notify::{DeskMail, Kind};

#[derive(Debug, Clone)]
pub struct Extended {
    pub dossier: Dossier,
    pub extension: Extension,
}

/// Extends the appointment once, and tells the citizen.
pub fn extend(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    mail: &DeskMail,
    staff: &StaffMember,
    code: &str,
    reason: &str,
    new_due: DateTime<Utc>,
) -> Result<Extended, ClockError> {
    if reason.trim().is_empty() {
        return Err(ClockError::invalid(
            "reason",
            "is required: it is printed on the apology letter",
        ));
    }
    conn.write_tx(|conn| {
        let d = lock(conn, code)?;
        require_officer_of(staff, &d, "extend appointments")?;
        if !d.status.is_open() {
            return Err(ClockError::Conflict(format!(
                "dossier {} is {} and no longer has an appointment to extend",
                d.code,
                d.status.name()
            )));
        }
        if supplements::extension(conn, &d.id)?.is_some() {
            return Err(already_extended(&d));
        }
        let now = time::now();
        let procedure = ledger::procedure_of(conn, &d)?;
        let before = ledger::state(conn, calendar, &d, &procedure)?;
        if new_due <= before.due {
            return Err(ClockError::invalid(
                "new_due_at",
                format!("must be after the current appointment {}", before.due.to_rfc3339()),
            ));
        }
        if !calendar.is_working_day(calendar.local_date(new_due)) {
            return Err(ClockError::invalid(
                "new_due_at",
                "must fall on a working day",
            ));
        }
        let day = i64::from(calendar.settings().office_hours.day_length());
        let late_notice = now > before.due || calendar.working_seconds_between(now, before.due) < day;
        let extension = Extension {
            dossier_id: d.id.clone(),
            reason: reason.trim().to_string(),
            previous_due_at: before.due,
            new_due_at: new_due,
            late_notice,
            requested_by: staff.user_id.clone(),
            requested_at: now,
        };
        supplements::insert_extension(conn, &extension).map_err(|e| match e {
            StoreError::Duplicate(_) => already_extended(&d),
            other => other.into(),
        })?;
        clock::append(conn, &d.id, "extension", now, Some(new_due))?;
        let state = ledger::state(conn, calendar, &d, &procedure)?;
        project(conn, &d, &state, now)?;
        event(
            conn,
            &d,
            EventKind::DossierExtended,
            &actor(staff),
            now,
            json!({
                "reason": extension.reason,
                "previous_due_at": before.due,
                "due_at": state.due,
                "late_notice": late_notice,
                "due_cause": format!(
                    "appointment extended once from {} to {} with an apology letter: {}{}",
                    before.due.to_rfc3339(),
                    new_due.to_rfc3339(),
                    extension.reason,
                    if late_notice { " (issued less than one working day before the appointment)" } else { "" }
                ),
            }),
        )?;
        let dossier = lock(conn, code)?;
        mail.citizen(
            conn,
            Kind::Extended,
            &dossier,
            json!({
                "reason": extension.reason,
                "new_appointment_at": format_local(calendar, extension.new_due_at),
                "previous_appointment_at": format_local(calendar, extension.previous_due_at),
            }),
        )?;
        Ok(Extended { dossier, extension })
    })
}

fn already_extended(d: &Dossier) -> ClockError {
    ClockError::Conflict(format!(
        "the appointment of dossier {} was already extended once; the law allows one extension",
        d.code
    ))
}

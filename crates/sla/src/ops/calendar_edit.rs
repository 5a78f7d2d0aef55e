//! An administrator's edit of the calendar (a day off or a make-up working
//! day the government decided, or the removal of such an edit): stored,
//! the calendar's version bumped so every server reloads it, each open
//! dossier's due time recomputed with its cause, and each citizen with an
//! address told of the new appointment, all in one transaction. The new
//! calendar is put in force on this server once it commits.

use motcua_domain::EventKind;
use std::sync::Arc;

use chrono::NaiveDate;
use motcua_calendar::{format_local, WorkingCalendar};
use motcua_notify::{DeskMail, Kind};
use motcua_store::calendar::{self, Adjustment};
use motcua_store::events::{self, Actor, NewEvent};
use motcua_store::{settings, time, DbConnection};
use serde_json::json;

use crate::calendars::{stored_version, CalendarHandle, VERSION_KEY};
use crate::ops::recompute;
use crate::ClockError;

/// What to set a day to: `day_off` or `working_day`, and the decision
/// that set it.
#[derive(Debug, Clone)]
pub struct DaySetting {
    pub kind: String,
    pub reason: String,
}

/// The calendar in force after the edit, and the dossiers it moved.
pub struct Edited {
    pub calendar: Arc<WorkingCalendar>,
    pub moved_dossiers: Vec<String>,
}

/// Sets `date` (or, with `None`, removes its edit: the rules and tables
/// apply again).
pub fn edit_day(
    conn: &mut DbConnection,
    calendars: &CalendarHandle,
    mail: &DeskMail,
    actor: &Actor,
    date: NaiveDate,
    setting: Option<&DaySetting>,
) -> Result<Edited, ClockError> {
    if let Some(s) = setting {
        if s.kind != "day_off" && s.kind != "working_day" {
            return Err(ClockError::invalid(
                "kind",
                "must be day_off or working_day",
            ));
        }
        if s.reason.trim().is_empty() {
            return Err(ClockError::invalid("reason", "is required"));
        }
    }
    let (version, cal, moved) = conn.write_tx(|conn| {
        let now = time::now();
        let cause = match setting {
            Some(s) => {
                let reason = s.reason.trim().to_string();
                calendar::upsert(
                    conn,
                    &Adjustment {
                        day: date,
                        kind: s.kind.clone(),
                        reason: reason.clone(),
                        updated_by: actor.id.clone().unwrap_or_default(),
                        updated_at: now,
                    },
                )?;
                format!("{date} set as {} ({reason})", s.kind)
            }
            None => {
                if calendar::delete(conn, date)? == 0 {
                    return Err(ClockError::Missing("calendar edit for this date"));
                }
                format!("edit of {date} removed; the rules and tables apply")
            }
        };
        let version = stored_version(conn)? + 1;
        settings::set(conn, VERSION_KEY, &version.to_string())?;
        let cal = Arc::new(calendars.build(conn)?);
        let from = cal.to_utc(date.and_hms_opt(0, 0, 0).unwrap_or_default());
        let moved = recompute::recompute_open(conn, &cal, from, actor, &cause)?;
        for m in &moved {
            mail.citizen(
                conn,
                Kind::AppointmentMoved,
                &m.dossier,
                json!({
                    "reason": cause,
                    "previous_appointment_at": format_local(&cal, m.previous_due),
                    "new_appointment_at": format_local(&cal, m.due),
                }),
            )?;
        }
        let moved: Vec<String> = moved.into_iter().map(|m| m.dossier.code).collect();
        events::append(
            conn,
            &NewEvent {
                subject_type: "calendar",
                subject_id: &date.to_string(),
                dossier_id: None,
                kind: EventKind::CalendarEdited,
                actor,
                at: now,
                data: json!({ "cause": cause, "version": version, "moved_dossiers": moved }),
            },
        )?;
        Ok((version, cal, moved))
    })?;
    calendars.install(version, cal.clone());
    Ok(Edited {
        calendar: cal,
        moved_dossiers: moved,
    })
}

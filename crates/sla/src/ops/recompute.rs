//! A calendar edit moves open dossiers' due times: each one whose derived
//! due time changed gets the new time, a new clock version and an event
//! naming the edit.

use chrono::{DateTime, Utc};
use motcua_domain::EventKind;
use motcua_store::events::Actor;
use motcua_store::{dossiers, time, DbConnection};
use serde_json::json;

use super::{event, lock, project};
use crate::{ledger, ClockError};
use motcua_calendar::WorkingCalendar;

/// A dossier whose appointment a calendar edit moved.
#[derive(Debug, Clone, PartialEq)]
pub struct MovedDue {
    pub dossier: motcua_domain::Dossier,
    pub previous_due: DateTime<Utc>,
    pub due: DateTime<Utc>,
}

/// Re-derives the clocks of open dossiers that a change of the calendar
/// from `from` on can touch, inside the caller's transaction. Returns the
/// dossiers whose due time moved, as they were before.
pub fn recompute_open(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    from: DateTime<Utc>,
    actor: &Actor,
    cause: &str,
) -> Result<Vec<MovedDue>, ClockError> {
    let now = time::now();
    let mut moved = Vec::new();
    for code in dossiers::open_codes_due_after(conn, from)? {
        let d = lock(conn, &code)?;
        let procedure = ledger::procedure_of(conn, &d)?;
        let state = ledger::state(conn, calendar, &d, &procedure)?;
        if state.due == d.due_at {
            continue;
        }
        project(conn, &d, &state, now)?;
        event(
            conn,
            &d,
            EventKind::DossierDueRecomputed,
            actor,
            now,
            json!({
                "previous_due_at": d.due_at,
                "due_at": state.due,
                "due_cause": format!(
                    "calendar edit: {cause}; appointment moved from {} to {}",
                    d.due_at.to_rfc3339(),
                    state.due.to_rfc3339()
                ),
            }),
        )?;
        moved.push(MovedDue {
            previous_due: d.due_at,
            due: state.due,
            dossier: d,
        });
    }
    Ok(moved)
}

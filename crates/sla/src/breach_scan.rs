//! The breach scan: records, for every running dossier, *due soon* (less
//! than the configured working time left) and *overdue*, each once per
//! dossier and clock state.

use chrono::{DateTime, Utc};
use motcua_calendar::WorkingCalendar;
use motcua_domain::BreachKind;
use motcua_notify::{DeskMail, Kind};
use motcua_store::{breaches, dossiers, DbConnection};
use serde_json::json;

use crate::ClockError;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanResult {
    pub overdue: usize,
    pub due_soon: usize,
}

/// The exclusive upper bound of the due times that are "due soon" at
/// `now`: at most `due_soon_seconds` of working time left, that amount
/// included (a same-day dossier logged before opening has exactly one
/// working day left, and was missing from the list until the office
/// opened). Remaining working time is monotone in the due time, so this is
/// "due at or before now + N working seconds"; times are kept to the
/// microsecond, so the bound is one microsecond past that.
pub fn due_soon_bound(
    calendar: &WorkingCalendar,
    now: DateTime<Utc>,
    due_soon_seconds: i64,
) -> DateTime<Utc> {
    calendar.add_working_seconds(now, due_soon_seconds) + chrono::Duration::microseconds(1)
}

/// One scan at `now`, in one transaction: records the new breaches, and
/// for each tells the officers of the agency holding the dossier
/// (supervisors get the daily digest instead, [`crate::digest`]). Both
/// happen or neither does; each breach is recorded once per dossier and
/// clock state, even with several servers scanning.
pub fn scan(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    mail: &DeskMail,
    now: DateTime<Utc>,
    due_soon_seconds: i64,
) -> Result<ScanResult, ClockError> {
    let soon_cutoff = due_soon_bound(calendar, now, due_soon_seconds);
    conn.write_tx(|conn| {
        let overdue = breaches::record(conn, BreachKind::Overdue, None, now, now)?;
        let due_soon = breaches::record(conn, BreachKind::DueSoon, Some(now), soon_cutoff, now)?;
        if overdue + due_soon > 0 {
            for (b, id) in breaches::detected_at(conn, now)? {
                let Some(d) = dossiers::get(conn, &id)? else {
                    continue;
                };
                let kind = if b.kind == BreachKind::Overdue {
                    Kind::Overdue
                } else {
                    Kind::DueSoon
                };
                mail.officers(conn, calendar, kind, &d.handling_agency, &d, json!({}))?;
            }
        }
        Ok(ScanResult { overdue, due_soon })
    })
}

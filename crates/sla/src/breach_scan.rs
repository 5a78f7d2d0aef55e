//! The breach scan: records, for every running dossier, *due soon* (less
//! than the configured working time left) and *overdue*, each once per
//! dossier and clock state.

use chrono::{DateTime, Utc};
use motcua_store::{breaches, DbConnection, StoreError};

use motcua_calendar::WorkingCalendar;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanResult {
    pub overdue: usize,
    pub due_soon: usize,
}

/// One scan at `now`. `due_soon_seconds` of working time left or less
/// counts as due soon (default one working day).
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

pub fn scan(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    now: DateTime<Utc>,
    due_soon_seconds: i64,
) -> Result<ScanResult, StoreError> {
    scan_then(conn, calendar, now, due_soon_seconds, |_, _| Ok(()))
}

/// A scan that, in the same transaction, hands the breaches it recorded
/// (all with `detected_at == now`) to `then`, which writes what follows
/// from them (the mail to the holders): both happen or neither does.
pub fn scan_then<E, F>(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    now: DateTime<Utc>,
    due_soon_seconds: i64,
    then: F,
) -> Result<ScanResult, E>
where
    E: From<StoreError> + From<motcua_store::DieselError>,
    F: FnOnce(&mut DbConnection, DateTime<Utc>) -> Result<(), E>,
{
    let soon_cutoff = due_soon_bound(calendar, now, due_soon_seconds);
    conn.write_tx(|conn| {
        let overdue = breaches::record(conn, "overdue", None, now, now)?;
        let due_soon = breaches::record(conn, "due_soon", Some(now), soon_cutoff, now)?;
        if overdue + due_soon > 0 {
            then(conn, now)?;
        }
        Ok(ScanResult { overdue, due_soon })
    })
}

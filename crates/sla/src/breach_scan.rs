//! The breach scan: records, for every running dossier, *due soon* (less
//! than the configured working time left) and *overdue*, each once per
//! dossier and clock state.

use chrono::{DateTime, Utc};
use motcua_store::{breaches, DbConnection, StoreError};

use crate::WorkingCalendar;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanResult {
    pub overdue: usize,
    pub due_soon: usize,
}

/// One scan at `now`. `due_soon_seconds` of working time left or less
/// counts as due soon (default one working day).
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
    // Remaining working time is monotone in the due time, so "at most N
    // working seconds left" is "due before now + N working seconds".
    let soon_cutoff = calendar.add_working_seconds(now, due_soon_seconds);
    conn.write_tx(|conn| {
        let overdue = breaches::record(conn, "overdue", None, now, now)?;
        let due_soon = breaches::record(conn, "due_soon", Some(now), soon_cutoff, now)?;
        if overdue + due_soon > 0 {
            then(conn, now)?;
        }
        Ok(ScanResult { overdue, due_soon })
    })
}

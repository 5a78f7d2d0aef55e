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
    // Remaining working time is monotone in the due time, so "at most N
    // working seconds left" is "due before now + N working seconds".
    let soon_cutoff = calendar.add_working_seconds(now, due_soon_seconds);
    conn.write_tx(|conn| {
        let overdue = breaches::record(conn, "overdue", None, now, now)?;
        let due_soon = breaches::record(conn, "due_soon", Some(now), soon_cutoff, now)?;
        Ok(ScanResult { overdue, due_soon })
    })
}

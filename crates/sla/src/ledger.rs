//! Reading a dossier's ledger from the database and deriving its clock.

use motcua_domain::Dossier;
use motcua_domain::Procedure;
use motcua_store::clock::ClockRow;
use motcua_store::{clock, procedures, DbConnection, StoreError};

use motcua_calendar::clock::{derive, ClockEntry, ClockState};
use motcua_calendar::WorkingCalendar;

/// Turns stored rows into ledger entries; unknown kinds are skipped with a
/// warning rather than failing the whole dossier.
pub fn to_entries(rows: &[ClockRow]) -> Vec<ClockEntry> {
    rows.iter()
        .filter_map(|r| match (r.kind.as_str(), r.new_due_at) {
            ("start", _) => Some(ClockEntry::Start { at: r.at }),
            ("pause", _) => Some(ClockEntry::Pause { at: r.at }),
            ("resume", _) => Some(ClockEntry::Resume { at: r.at }),
            ("restart", _) => Some(ClockEntry::Restart { at: r.at }),
            ("case", _) => Some(ClockEntry::CaseChanged { at: r.at }),
            ("extension", Some(new_due)) => Some(ClockEntry::Extension { at: r.at, new_due }),
            ("correction", Some(new_due)) => Some(ClockEntry::Correction { at: r.at, new_due }),
            ("import", Some(due)) => Some(ClockEntry::Imported { at: r.at, due }),
            (kind, _) => {
                tracing::warn!(kind, seq = r.seq, "skipping an unknown clock entry");
                None
            }
        })
        .collect()
}

/// The procedure version the dossier was received under, as it applies to
/// the dossier's case (its documents, time limit, fees and plan).
pub fn procedure_of(conn: &mut DbConnection, d: &Dossier) -> Result<Procedure, StoreError> {
    let p = procedures::get_version(conn, &d.procedure_code, d.procedure_version)?.ok_or_else(
        || {
            StoreError::Corrupt(format!(
                "procedure {} v{} of dossier {} is missing",
                d.procedure_code, d.procedure_version, d.code
            ))
        },
    )?;
    match d.case_code.as_deref() {
        Some(case) => Ok(p.for_case(Some(case), d.channel == motcua_domain::Channel::Online)?),
        // Received without a case (before the procedure had cases, or as
        // a group's member): the procedure's own documents and time.
        None => Ok(p),
    }
}

/// The dossier's clock as its ledger says now.
pub fn state(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    d: &Dossier,
    procedure: &Procedure,
) -> Result<ClockState, StoreError> {
    let rows = clock::entries(conn, &d.id)?;
    derive(calendar, &procedure.duration, &to_entries(&rows))
        .ok_or_else(|| StoreError::Corrupt(format!("dossier {} has no clock start", d.code)))
}

//! The clock ledger's rows: append-only, numbered per dossier. What they
//! mean is in `motcua_calendar::clock`; this module only stores them.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::schema::clock_entries;
use crate::time::{from_db, to_db};
use crate::{DbConnection, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClockRow {
    pub seq: i32,
    /// start, pause, resume, restart or extension.
    pub kind: String,
    pub at: DateTime<Utc>,
    pub new_due_at: Option<DateTime<Utc>>,
}

/// Appends an entry after the dossier's last one. Run inside the write
/// transaction that locked the dossier.
pub fn append(
    conn: &mut DbConnection,
    dossier_id: &str,
    kind: &str,
    at: DateTime<Utc>,
    new_due_at: Option<DateTime<Utc>>,
) -> StoreResult<()> {
    let last: Option<i32> = clock_entries::table
        .filter(clock_entries::dossier_id.eq(dossier_id))
        .select(diesel::dsl::max(clock_entries::seq))
        .get_result(conn)?;
    insert(
        conn,
        dossier_id,
        last.unwrap_or(0) + 1,
        kind,
        at,
        new_due_at,
    )
}

/// Starts the ledger of a dossier inserted in the same transaction: its
/// first entry, without asking for a last one that cannot exist (a round
/// trip saved on every intake). A second start fails on the primary key.
pub fn start(conn: &mut DbConnection, dossier_id: &str, at: DateTime<Utc>) -> StoreResult<()> {
    insert(conn, dossier_id, 1, "start", at, None)
}

fn insert(
    conn: &mut DbConnection,
    dossier_id: &str,
    seq: i32,
    kind: &str,
    at: DateTime<Utc>,
    new_due_at: Option<DateTime<Utc>>,
) -> StoreResult<()> {
    diesel::insert_into(clock_entries::table)
        .values((
            clock_entries::dossier_id.eq(dossier_id),
            clock_entries::seq.eq(seq),
            clock_entries::kind.eq(kind),
            clock_entries::at.eq(to_db(at)),
            clock_entries::new_due_at.eq(new_due_at.map(to_db)),
        ))
        .execute(conn)?;
    Ok(())
}

/// A dossier's ledger, in order.
pub fn entries(conn: &mut DbConnection, dossier_id: &str) -> StoreResult<Vec<ClockRow>> {
    let rows: Vec<(
        i32,
        String,
        chrono::NaiveDateTime,
        Option<chrono::NaiveDateTime>,
    )> = clock_entries::table
        .filter(clock_entries::dossier_id.eq(dossier_id))
        .order(clock_entries::seq.asc())
        .select((
            clock_entries::seq,
            clock_entries::kind,
            clock_entries::at,
            clock_entries::new_due_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(seq, kind, at, new_due_at)| ClockRow {
            seq,
            kind,
            at: from_db(at),
            new_due_at: new_due_at.map(from_db),
        })
        .collect())
}

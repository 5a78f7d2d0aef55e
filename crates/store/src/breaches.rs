//! Breach records: a dossier due soon or overdue, recorded once per
//! dossier, kind and clock version. The scan is one set-based
//! `INSERT ... SELECT` per kind over the `(status_code, due_at)` index, so
//! it runs in constant memory, and the unique key makes it exactly-once
//! however many servers scan at the same time.

use chrono::{DateTime, Utc};
use diesel::dsl::{exists, not};
use diesel::prelude::*;
use diesel::sql_types::{Text, Timestamp};
use motcua_domain::{BreachKind, Status};

use crate::schema::{breaches, dossiers};
use crate::time::{from_db, to_db};
use crate::{each_backend, DbConnection, StoreResult};

/// Statuses whose clock runs (a dossier waiting for the citizen is paused).
pub const RUNNING: [i32; 3] = [
    Status::Received.code(),
    Status::Processing.code(),
    Status::AwaitingPayment.code(),
];

/// Records breaches of one kind for every running dossier whose due time
/// lies in `[from, to)` and has none of that kind for its clock version.
/// Returns how many were recorded now.
pub fn record(
    conn: &mut DbConnection,
    kind: BreachKind,
    from: Option<DateTime<Utc>>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> StoreResult<usize> {
    // No lower bound: since the epoch (PostgreSQL rejects chrono's MIN).
    let from = to_db(from.unwrap_or(DateTime::UNIX_EPOCH));
    let kind = kind.as_str();
    let already = breaches::table
        .filter(breaches::dossier_id.eq(dossiers::id))
        .filter(breaches::kind.eq(kind))
        .filter(breaches::clock_version.eq(dossiers::clock_version));
    let source = dossiers::table
        .filter(dossiers::status_code.eq_any(RUNNING))
        .filter(dossiers::due_at.ge(from))
        .filter(dossiers::due_at.lt(to_db(to)))
        .filter(not(exists(already)))
        .select((
            dossiers::id,
            kind.into_sql::<Text>(),
            dossiers::clock_version,
            dossiers::due_at,
            to_db(now).into_sql::<Timestamp>(),
            dossiers::handling_agency_code,
            dossiers::procedure_code,
        ));
    let n = each_backend!(conn, |c| diesel::insert_into(breaches::table)
        .values(source)
        .into_columns((
            breaches::dossier_id,
            breaches::kind,
            breaches::clock_version,
            breaches::due_at,
            breaches::detected_at,
            breaches::agency_code,
            breaches::procedure_code,
        ))
        .on_conflict_do_nothing()
        .execute(c))?;
    Ok(n)
}

#[derive(Debug, Clone, PartialEq)]
pub struct Breach {
    pub id: i64,
    pub dossier_code: String,
    pub status: Status,
    pub kind: BreachKind,
    pub clock_version: i32,
    pub due_at: DateTime<Utc>,
    pub detected_at: DateTime<Utc>,
    pub agency_code: String,
    pub procedure_code: String,
}

#[derive(Debug, Clone, Default)]
pub struct BreachFilter {
    /// Breaches at any of these agencies (empty: all).
    pub agencies: Vec<String>,
    pub procedure: Option<String>,
    pub kind: Option<BreachKind>,
    /// Due within this period.
    pub due_from: Option<DateTime<Utc>>,
    pub due_to: Option<DateTime<Utc>>,
    pub limit: i64,
    pub offset: i64,
}

type BreachTuple = (
    i64,
    String,
    i32,
    String,
    i32,
    chrono::NaiveDateTime,
    chrono::NaiveDateTime,
    String,
    String,
);

/// Breaches, most late first (earliest due), with the total count.
pub fn list(conn: &mut DbConnection, f: &BreachFilter) -> StoreResult<(Vec<Breach>, i64)> {
    let build = || {
        let mut q = breaches::table
            .inner_join(dossiers::table.on(dossiers::id.eq(breaches::dossier_id)))
            .into_boxed();
        if !f.agencies.is_empty() {
            q = q.filter(breaches::agency_code.eq_any(f.agencies.clone()));
        }
        if let Some(p) = &f.procedure {
            q = q.filter(breaches::procedure_code.eq(p.clone()));
        }
        if let Some(k) = &f.kind {
            q = q.filter(breaches::kind.eq(k.as_str()));
        }
        if let Some(from) = f.due_from {
            q = q.filter(breaches::due_at.ge(to_db(from)));
        }
        if let Some(to) = f.due_to {
            q = q.filter(breaches::due_at.lt(to_db(to)));
        }
        q
    };
    let total: i64 = build().count().get_result(conn)?;
    let rows: Vec<BreachTuple> = build()
        .order((breaches::due_at.asc(), breaches::id.asc()))
        .limit(f.limit)
        .offset(f.offset)
        .select((
            breaches::id,
            dossiers::code,
            dossiers::status_code,
            breaches::kind,
            breaches::clock_version,
            breaches::due_at,
            breaches::detected_at,
            breaches::agency_code,
            breaches::procedure_code,
        ))
        .load(conn)?;
    let items = rows
        .into_iter()
        .map(|t| {
            Ok(Breach {
                id: t.0,
                dossier_code: t.1,
                status: Status::from_code(t.2)?,
                kind: breach_kind(&t.3)?,
                clock_version: t.4,
                due_at: from_db(t.5),
                detected_at: from_db(t.6),
                agency_code: t.7,
                procedure_code: t.8,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    Ok((items, total))
}

/// A running dossier on a due-soon worklist.
#[derive(Debug, Clone, PartialEq)]
pub struct DueItem {
    pub code: String,
    pub status: Status,
    pub procedure_code: String,
    pub procedure_name: String,
    pub handling_agency: String,
    pub due_at: DateTime<Utc>,
}

/// Running dossiers at these agencies due before `before`, earliest first
/// (overdue ones included).
pub fn due_before(
    conn: &mut DbConnection,
    agencies: &[String],
    before: DateTime<Utc>,
    limit: i64,
    offset: i64,
) -> StoreResult<Vec<DueItem>> {
    // `+due_at` on SQLite: see `worklist::worklist` (closed dossiers must
    // not be walked on the way to the open ones).
    let due_order = match conn {
        DbConnection::Sqlite(_) => "+dossiers.due_at",
        DbConnection::Pg(_) => "dossiers.due_at",
    };
    let rows: Vec<(String, i32, String, String, String, chrono::NaiveDateTime)> = dossiers::table
        .filter(dossiers::status_code.eq_any(RUNNING))
        .filter(dossiers::handling_agency_code.eq_any(agencies))
        .filter(dossiers::due_at.lt(to_db(before)))
        .order((
            diesel::dsl::sql::<diesel::sql_types::Timestamp>(due_order).asc(),
            dossiers::code.asc(),
        ))
        .limit(limit)
        .offset(offset)
        .select((
            dossiers::code,
            dossiers::status_code,
            dossiers::procedure_code,
            dossiers::procedure_name,
            dossiers::handling_agency_code,
            dossiers::due_at,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|t| {
            Ok(DueItem {
                code: t.0,
                status: Status::from_code(t.1)?,
                procedure_code: t.2,
                procedure_name: t.3,
                handling_agency: t.4,
                due_at: from_db(t.5),
            })
        })
        .collect()
}

/// The breaches a scan recorded at `detected_at`, with the dossier's
/// current holder.
pub fn detected_at(
    conn: &mut DbConnection,
    detected_at: DateTime<Utc>,
) -> StoreResult<Vec<(Breach, String)>> {
    let rows: Vec<(BreachTuple, String)> = breaches::table
        .inner_join(dossiers::table.on(dossiers::id.eq(breaches::dossier_id)))
        .filter(breaches::detected_at.eq(to_db(detected_at)))
        .order(breaches::id.asc())
        .select((
            (
                breaches::id,
                dossiers::code,
                dossiers::status_code,
                breaches::kind,
                breaches::clock_version,
                breaches::due_at,
                breaches::detected_at,
                breaches::agency_code,
                breaches::procedure_code,
            ),
            dossiers::id,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(t, id)| {
            Ok((
                Breach {
                    id: t.0,
                    dossier_code: t.1,
                    status: Status::from_code(t.2)?,
                    kind: breach_kind(&t.3)?,
                    clock_version: t.4,
                    due_at: from_db(t.5),
                    detected_at: from_db(t.6),
                    agency_code: t.7,
                    procedure_code: t.8,
                },
                id,
            ))
        })
        .collect()
}

fn breach_kind(stored: &str) -> StoreResult<BreachKind> {
    BreachKind::parse(stored)
        .ok_or_else(|| crate::StoreError::Corrupt(format!("unknown breach kind {stored:?}")))
}

/// The running dossiers at `agencies` by due state at `now`: within
/// time (due at or after `soon`), due soon (due in `[now, soon)`), and
/// overdue (due before `now`). The dashboard's counts.
pub fn open_counts(
    conn: &mut DbConnection,
    agencies: &[String],
    now: DateTime<Utc>,
    soon: DateTime<Utc>,
) -> StoreResult<(i64, i64, i64)> {
    let running = || {
        dossiers::table
            .filter(dossiers::status_code.eq_any(RUNNING))
            .filter(dossiers::handling_agency_code.eq_any(agencies.to_vec()))
            .into_boxed()
    };
    let overdue: i64 = running()
        .filter(dossiers::due_at.lt(to_db(now)))
        .count()
        .get_result(conn)?;
    let due_soon: i64 = running()
        .filter(dossiers::due_at.ge(to_db(now)))
        .filter(dossiers::due_at.lt(to_db(soon)))
        .count()
        .get_result(conn)?;
    let within: i64 = running()
        .filter(dossiers::due_at.ge(to_db(soon)))
        .count()
        .get_result(conn)?;
    Ok((within, due_soon, overdue))
}

//! The store's part of moving dossiers in from an older system
//! (docs/import.md): the catalogue and the codes an import is checked
//! against, each read once for the whole file, and the checked rows
//! written in multi-row statements. The checks themselves are
//! `motcua_admin::dossier_import`.
//!
//! Why multi-row statements: an import of 100,000 dossiers written a row
//! at a time is 300,000 round trips; in batches it is a few hundred. Each
//! statement keeps under both backends' bind-parameter limits (65,535 on
//! PostgreSQL, 32,766 on SQLite): [`DOSSIER_BATCH`] rows of 33 columns.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use diesel::backend::Backend;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{BigInt, Text};

use crate::schema::{agencies, clock_entries, dossiers, events, procedures};
use crate::time::{from_db, to_db};
use crate::{each_backend, DbConnection, StoreResult};

/// Dossier rows per insert: 33 columns each, 16,500 parameters.
pub const DOSSIER_BATCH: usize = 500;
/// Ledger and event rows per insert (5 and 8 columns).
const SMALL_BATCH: usize = 2_000;
/// Codes per look-up of existing dossiers.
const CODE_BATCH: usize = 1_000;

/// A procedure an imported dossier may name: its version in force and
/// its name, which the dossier keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcedureRef {
    pub version: i32,
    pub name: String,
}

/// The catalogue an import is checked against, read once.
#[derive(Debug, Default)]
pub struct Catalogue {
    pub procedures: HashMap<String, ProcedureRef>,
    pub agencies: HashSet<String>,
}

/// Every procedure and agency, in two statements.
pub fn catalogue(conn: &mut DbConnection) -> StoreResult<Catalogue> {
    let procedures: Vec<(String, i32, String)> = procedures::table
        .select((procedures::code, procedures::version, procedures::name))
        .load(conn)?;
    let agencies: Vec<String> = agencies::table.select(agencies::code).load(conn)?;
    Ok(Catalogue {
        procedures: procedures
            .into_iter()
            .map(|(code, version, name)| (code, ProcedureRef { version, name }))
            .collect(),
        agencies: agencies.into_iter().collect(),
    })
}

/// A dossier already stored under a code the file uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Existing {
    /// The digest of the row it was imported from; `None` for a dossier
    /// received here.
    pub digest: Option<String>,
    pub batch: Option<String>,
}

/// The dossiers stored under any of `codes`, by code.
pub fn existing(conn: &mut DbConnection, codes: &[&str]) -> StoreResult<HashMap<String, Existing>> {
    let mut out = HashMap::new();
    for chunk in codes.chunks(CODE_BATCH) {
        let rows: Vec<(String, Option<String>, Option<String>)> = dossiers::table
            .filter(dossiers::code.eq_any(chunk))
            .select((
                dossiers::code,
                dossiers::import_digest,
                dossiers::import_batch,
            ))
            .load(conn)?;
        out.extend(
            rows.into_iter()
                .map(|(code, digest, batch)| (code, Existing { digest, batch })),
        );
    }
    Ok(out)
}

/// One imported dossier, checked, as it is written.
#[derive(Debug, Clone)]
pub struct NewDossier {
    pub id: String,
    pub code: String,
    pub procedure_code: String,
    pub procedure_version: i32,
    pub procedure_name: String,
    pub receiving_agency: String,
    pub handling_agency: String,
    pub status_code: i32,
    pub channel: i32,
    pub applicant_name: String,
    pub applicant_id_number: String,
    pub applicant_phone: Option<String>,
    pub applicant_email: Option<String>,
    pub applicant_address: Option<String>,
    pub note: String,
    pub received_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    /// When processing ended (stopped, processed, returned) or the
    /// citizen withdrew it.
    pub ended_at: Option<DateTime<Utc>>,
    pub verdict: Option<String>,
    pub returned_at: Option<DateTime<Utc>>,
    /// Set for a dossier waiting for a supplement: its clock is paused.
    pub paused_since: Option<DateTime<Utc>>,
    /// The tracking book's year, and its entry ([`reserve_entries`]).
    pub book_year: i32,
    pub book_entry: i64,
    pub digest: String,
}

/// One row of a dossier's clock ledger.
#[derive(Debug, Clone)]
pub struct NewClockEntry {
    pub dossier_id: String,
    pub seq: i32,
    pub kind: &'static str,
    pub at: DateTime<Utc>,
    pub new_due_at: Option<DateTime<Utc>>,
}

/// One event about an imported dossier.
#[derive(Debug, Clone)]
pub struct NewDossierEvent {
    pub dossier_id: String,
    pub kind: &'static str,
    pub at: DateTime<Utc>,
    pub data: String,
}

/// Who imported, and when and under which batch label.
#[derive(Debug, Clone)]
pub struct Batch<'a> {
    pub label: &'a str,
    pub user_id: &'a str,
    pub user_name: &'a str,
    pub at: DateTime<Utc>,
}

/// Takes `n` entries of a tracking book (counter `name`) at once: the
/// first of them. Gap-free like [`crate::counters::next`], in one
/// statement instead of `n`. Run inside the write transaction.
pub fn reserve_entries(conn: &mut DbConnection, name: &str, n: i64) -> StoreResult<i64> {
    let last = each_backend!(conn, |c| Reserve { name, n }.get_result::<i64>(c))?;
    Ok(last - n + 1)
}

/// `INSERT … ON CONFLICT (name) DO UPDATE SET value = value + n
/// RETURNING value`, as `counters::Increment` writes it out.
#[derive(Debug, Clone, Copy)]
struct Reserve<'a> {
    name: &'a str,
    n: i64,
}

impl QueryId for Reserve<'_> {
    type QueryId = Reserve<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl Query for Reserve<'_> {
    type SqlType = BigInt;
}

impl<DB> QueryFragment<DB> for Reserve<'_>
where
    DB: Backend,
    str: ToSql<Text, DB>,
    i64: ToSql<BigInt, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("INSERT INTO counters (name, value) VALUES (");
        out.push_bind_param::<Text, str>(self.name)?;
        out.push_sql(", ");
        out.push_bind_param::<BigInt, i64>(&self.n)?;
        out.push_sql(") ON CONFLICT (name) DO UPDATE SET value = counters.value + ");
        out.push_bind_param::<BigInt, i64>(&self.n)?;
        out.push_sql(" RETURNING value");
        Ok(())
    }
}

impl<Conn> RunQueryDsl<Conn> for Reserve<'_> {}

/// Writes dossiers, then their ledgers, then their events, each in
/// multi-row statements. Run inside the import's write transaction; the
/// events reach the report roll-up's notes through their trigger, as
/// every other write's do.
pub fn insert(
    conn: &mut DbConnection,
    batch: &Batch<'_>,
    list: &[NewDossier],
    clock: &[NewClockEntry],
    events: &[NewDossierEvent],
) -> StoreResult<()> {
    insert_dossiers(conn, batch, list)?;
    insert_clock(conn, clock)?;
    insert_events(conn, batch, events)
}

fn insert_dossiers(
    conn: &mut DbConnection,
    batch: &Batch<'_>,
    list: &[NewDossier],
) -> StoreResult<()> {
    let at = to_db(batch.at);
    for chunk in list.chunks(DOSSIER_BATCH) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|d| {
                (
                    (
                        dossiers::id.eq(&d.id),
                        dossiers::code.eq(&d.code),
                        dossiers::pin_hash.eq(""),
                        dossiers::procedure_code.eq(&d.procedure_code),
                        dossiers::procedure_version.eq(d.procedure_version),
                        dossiers::receiving_agency_code.eq(&d.receiving_agency),
                        dossiers::handling_agency_code.eq(&d.handling_agency),
                        dossiers::status_code.eq(d.status_code),
                        dossiers::channel.eq(d.channel),
                        dossiers::applicant_name.eq(&d.applicant_name),
                        dossiers::applicant_id_number.eq(&d.applicant_id_number),
                    ),
                    (
                        dossiers::applicant_phone.eq(d.applicant_phone.as_deref()),
                        dossiers::applicant_email.eq(d.applicant_email.as_deref()),
                        dossiers::applicant_address.eq(d.applicant_address.as_deref()),
                        dossiers::documents.eq("[]"),
                        dossiers::fee_vnd.eq(0i64),
                        dossiers::book_year.eq(d.book_year),
                        dossiers::book_entry.eq(d.book_entry),
                        dossiers::received_at.eq(to_db(d.received_at)),
                        dossiers::due_at.eq(to_db(d.due_at)),
                        dossiers::original_due_at.eq(to_db(d.due_at)),
                        dossiers::received_by.eq(batch.user_id),
                    ),
                    (
                        dossiers::note.eq(&d.note),
                        dossiers::created_at.eq(at),
                        dossiers::updated_at.eq(at),
                        dossiers::procedure_name.eq(&d.procedure_name),
                        dossiers::paused_since.eq(d.paused_since.map(to_db)),
                        dossiers::ended_at.eq(d.ended_at.map(to_db)),
                        dossiers::verdict.eq(d.verdict.as_deref()),
                        dossiers::returned_at.eq(d.returned_at.map(to_db)),
                        dossiers::imported_at.eq(Some(at)),
                        dossiers::import_batch.eq(Some(batch.label)),
                        dossiers::import_digest.eq(Some(&d.digest)),
                    ),
                )
            })
            .collect();
        // Multi-row inserts go through the concrete connection: the
        // multi-connection cannot express them.
        each_backend!(conn, |c| diesel::insert_into(dossiers::table)
            .values(&rows)
            .execute(c))?;
    }
    Ok(())
}

fn insert_clock(conn: &mut DbConnection, clock: &[NewClockEntry]) -> StoreResult<()> {
    for chunk in clock.chunks(SMALL_BATCH) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|e| {
                (
                    clock_entries::dossier_id.eq(&e.dossier_id),
                    clock_entries::seq.eq(e.seq),
                    clock_entries::kind.eq(e.kind),
                    clock_entries::at.eq(to_db(e.at)),
                    clock_entries::new_due_at.eq(e.new_due_at.map(to_db)),
                )
            })
            .collect();
        each_backend!(conn, |c| diesel::insert_into(clock_entries::table)
            .values(&rows)
            .execute(c))?;
    }
    Ok(())
}

fn insert_events(
    conn: &mut DbConnection,
    batch: &Batch<'_>,
    list: &[NewDossierEvent],
) -> StoreResult<()> {
    for chunk in list.chunks(SMALL_BATCH) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|e| {
                (
                    events::subject_type.eq("dossier"),
                    events::subject_id.eq(&e.dossier_id),
                    events::dossier_id.eq(Some(&e.dossier_id)),
                    events::kind.eq(e.kind),
                    events::actor_id.eq(Some(batch.user_id)),
                    events::actor_name.eq(batch.user_name),
                    events::at.eq(to_db(e.at)),
                    events::data.eq(&e.data),
                )
            })
            .collect();
        each_backend!(conn, |c| diesel::insert_into(events::table)
            .values(&rows)
            .execute(c))?;
    }
    Ok(())
}

/// When and in which batch a dossier was imported, for its staff view;
/// `None` for a dossier received here.
pub fn mark(
    conn: &mut DbConnection,
    dossier_id: &str,
) -> StoreResult<Option<(DateTime<Utc>, String)>> {
    let row: Option<(Option<chrono::NaiveDateTime>, Option<String>)> = dossiers::table
        .filter(dossiers::id.eq(dossier_id))
        .select((dossiers::imported_at, dossiers::import_batch))
        .limit(1)
        .get_result(conn)
        .optional()?;
    Ok(match row {
        Some((Some(at), batch)) => Some((from_db(at), batch.unwrap_or_default())),
        _ => None,
    })
}

/// How many dossiers were imported, in all.
pub fn count_imported(conn: &mut DbConnection) -> StoreResult<i64> {
    Ok(dossiers::table
        .filter(dossiers::imported_at.is_not_null())
        .count()
        .get_result(conn)?)
}

//! Dossiers: the citizen's file for one procedure.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use motcua_domain::{Channel, Status, SubmittedDocument};

use crate::schema::dossiers;
use crate::time::{from_db, to_db};
use crate::{DbConnection, StoreResult};

/// A dossier as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Dossier {
    pub id: String,
    pub code: String,
    pub pin_hash: String,
    pub procedure_code: String,
    pub procedure_version: i32,
    pub receiving_agency: String,
    pub handling_agency: String,
    pub status: Status,
    pub channel: Channel,
    pub applicant_name: String,
    pub applicant_id_number: String,
    pub applicant_phone: Option<String>,
    pub applicant_email: Option<String>,
    pub applicant_address: Option<String>,
    pub documents: Vec<SubmittedDocument>,
    pub fee_vnd: i64,
    pub book_year: i32,
    pub book_entry: i64,
    pub received_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub original_due_at: DateTime<Utc>,
    pub received_by: String,
    pub note: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = dossiers)]
struct Row {
    id: String,
    code: String,
    pin_hash: String,
    procedure_code: String,
    procedure_version: i32,
    receiving_agency_code: String,
    handling_agency_code: String,
    status_code: i32,
    channel: i32,
    applicant_name: String,
    applicant_id_number: String,
    applicant_phone: Option<String>,
    applicant_email: Option<String>,
    applicant_address: Option<String>,
    documents: String,
    fee_vnd: i64,
    book_year: i32,
    book_entry: i64,
    received_at: chrono::NaiveDateTime,
    due_at: chrono::NaiveDateTime,
    original_due_at: chrono::NaiveDateTime,
    received_by: String,
    note: String,
    created_at: chrono::NaiveDateTime,
    updated_at: chrono::NaiveDateTime,
}

impl Row {
    fn into_domain(self) -> StoreResult<Dossier> {
        Ok(Dossier {
            id: self.id,
            code: self.code,
            pin_hash: self.pin_hash,
            procedure_code: self.procedure_code,
            procedure_version: self.procedure_version,
            receiving_agency: self.receiving_agency_code,
            handling_agency: self.handling_agency_code,
            status: Status::from_code(self.status_code)?,
            channel: Channel::from_code(self.channel)?,
            applicant_name: self.applicant_name,
            applicant_id_number: self.applicant_id_number,
            applicant_phone: self.applicant_phone,
            applicant_email: self.applicant_email,
            applicant_address: self.applicant_address,
            documents: serde_json::from_str(&self.documents)?,
            fee_vnd: self.fee_vnd,
            book_year: self.book_year,
            book_entry: self.book_entry,
            received_at: from_db(self.received_at),
            due_at: from_db(self.due_at),
            original_due_at: from_db(self.original_due_at),
            received_by: self.received_by,
            note: self.note,
            created_at: from_db(self.created_at),
            updated_at: from_db(self.updated_at),
        })
    }
}

pub fn insert(conn: &mut DbConnection, d: &Dossier) -> StoreResult<()> {
    diesel::insert_into(dossiers::table)
        .values((
            (
                dossiers::id.eq(&d.id),
                dossiers::code.eq(&d.code),
                dossiers::pin_hash.eq(&d.pin_hash),
                dossiers::procedure_code.eq(&d.procedure_code),
                dossiers::procedure_version.eq(d.procedure_version),
                dossiers::receiving_agency_code.eq(&d.receiving_agency),
                dossiers::handling_agency_code.eq(&d.handling_agency),
                dossiers::status_code.eq(d.status.code()),
                dossiers::channel.eq(d.channel.code()),
                dossiers::applicant_name.eq(&d.applicant_name),
                dossiers::applicant_id_number.eq(&d.applicant_id_number),
                dossiers::applicant_phone.eq(d.applicant_phone.as_deref()),
            ),
            (
                dossiers::applicant_email.eq(d.applicant_email.as_deref()),
                dossiers::applicant_address.eq(d.applicant_address.as_deref()),
                dossiers::documents.eq(serde_json::to_string(&d.documents)?),
                dossiers::fee_vnd.eq(d.fee_vnd),
                dossiers::book_year.eq(d.book_year),
                dossiers::book_entry.eq(d.book_entry),
                dossiers::received_at.eq(to_db(d.received_at)),
                dossiers::due_at.eq(to_db(d.due_at)),
                dossiers::original_due_at.eq(to_db(d.original_due_at)),
                dossiers::received_by.eq(&d.received_by),
                dossiers::note.eq(&d.note),
                dossiers::created_at.eq(to_db(d.created_at)),
                dossiers::updated_at.eq(to_db(d.updated_at)),
            ),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn find_by_code(conn: &mut DbConnection, code: &str) -> StoreResult<Option<Dossier>> {
    dossiers::table
        .filter(dossiers::code.eq(code))
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .map(Row::into_domain)
        .transpose()
}

/// Replaces the PIN hash (a clerk reissuing a lost PIN).
pub fn set_pin_hash(
    conn: &mut DbConnection,
    id: &str,
    pin_hash: &str,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    diesel::update(dossiers::table.find(id))
        .set((
            dossiers::pin_hash.eq(pin_hash),
            dossiers::updated_at.eq(to_db(at)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Codes of the dossiers a receiving agency logged on a local day, in
/// order; used by tests and the tracking book.
pub fn codes_with_prefix(conn: &mut DbConnection, prefix: &str) -> StoreResult<Vec<String>> {
    let escaped = prefix
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    Ok(dossiers::table
        .filter(dossiers::code.like(format!("{escaped}%")).escape('\\'))
        .order(dossiers::code.asc())
        .select(dossiers::code)
        .load(conn)?)
}

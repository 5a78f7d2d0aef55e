//! Online submissions (status 1) waiting for the desk to accept (2) or
//! refuse (3) them, or withdrawn by the citizen (7).

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::schema::submissions;
use crate::time::{from_db, to_db};
use crate::{DbConnection, StoreResult};

#[derive(Debug, Clone, PartialEq)]
pub struct Submission {
    pub id: String,
    pub pin_hash: String,
    pub procedure_code: String,
    pub procedure_version: i32,
    pub agency_code: String,
    /// The applicant as sent (JSON).
    pub applicant: serde_json::Value,
    pub documents: serde_json::Value,
    pub status_code: i32,
    pub client_addr: String,
    pub submitted_at: DateTime<Utc>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub refusal_reason: Option<String>,
    pub dossier_id: Option<String>,
    /// The procedure's case it was filed as, if the procedure has cases.
    pub case_code: Option<String>,
    /// Who filed it for the applicant, as sent (docs/representation.md).
    pub representative: Option<serde_json::Value>,
    /// Where the citizen asked the result to be sent (docs/post.md).
    pub postal_return_address: Option<String>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = submissions)]
struct Row {
    id: String,
    pin_hash: String,
    procedure_code: String,
    procedure_version: i32,
    agency_code: String,
    applicant: String,
    documents: String,
    status_code: i32,
    client_addr: String,
    submitted_at: chrono::NaiveDateTime,
    decided_by: Option<String>,
    decided_at: Option<chrono::NaiveDateTime>,
    refusal_reason: Option<String>,
    dossier_id: Option<String>,
    case_code: Option<String>,
    representative: Option<String>,
    postal_return_address: Option<String>,
}

impl Row {
    fn into_domain(self) -> StoreResult<Submission> {
        Ok(Submission {
            id: self.id,
            pin_hash: self.pin_hash,
            procedure_code: self.procedure_code,
            procedure_version: self.procedure_version,
            agency_code: self.agency_code,
            applicant: serde_json::from_str(&self.applicant)?,
            documents: serde_json::from_str(&self.documents)?,
            status_code: self.status_code,
            client_addr: self.client_addr,
            submitted_at: from_db(self.submitted_at),
            decided_by: self.decided_by,
            decided_at: self.decided_at.map(from_db),
            refusal_reason: self.refusal_reason,
            dossier_id: self.dossier_id,
            case_code: self.case_code,
            representative: self
                .representative
                .as_deref()
                .map(serde_json::from_str)
                .transpose()?,
            postal_return_address: self.postal_return_address,
        })
    }
}

pub fn insert(conn: &mut DbConnection, s: &Submission) -> StoreResult<()> {
    diesel::insert_into(submissions::table)
        .values((
            submissions::id.eq(&s.id),
            submissions::pin_hash.eq(&s.pin_hash),
            submissions::procedure_code.eq(&s.procedure_code),
            submissions::procedure_version.eq(s.procedure_version),
            submissions::agency_code.eq(&s.agency_code),
            submissions::applicant.eq(s.applicant.to_string()),
            submissions::documents.eq(s.documents.to_string()),
            submissions::status_code.eq(s.status_code),
            submissions::client_addr.eq(&s.client_addr),
            submissions::submitted_at.eq(to_db(s.submitted_at)),
            submissions::case_code.eq(s.case_code.as_deref()),
            submissions::representative.eq(s.representative.as_ref().map(|r| r.to_string())),
            submissions::postal_return_address.eq(s.postal_return_address.as_deref()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The stored PIN hash of a submission, and nothing else (see
/// [`crate::lookup::find`]).
pub fn pin_hash(conn: &mut DbConnection, id: &str) -> StoreResult<Option<String>> {
    Ok(submissions::table
        .find(id)
        .select(submissions::pin_hash)
        .get_result(conn)
        .optional()?)
}

pub fn get(conn: &mut DbConnection, id: &str) -> StoreResult<Option<Submission>> {
    submissions::table
        .find(id)
        .select(Row::as_select())
        .get_result(conn)
        .optional()?
        .map(Row::into_domain)
        .transpose()
}

/// Submissions to an agency in a status, oldest first.
pub fn list(
    conn: &mut DbConnection,
    agency: &str,
    status: i32,
    limit: i64,
    offset: i64,
) -> StoreResult<Vec<Submission>> {
    submissions::table
        .filter(submissions::agency_code.eq(agency))
        .filter(submissions::status_code.eq(status))
        .order(submissions::submitted_at.asc())
        .limit(limit)
        .offset(offset)
        .select(Row::as_select())
        .load(conn)?
        .into_iter()
        .map(Row::into_domain)
        .collect()
}

/// Records the desk's decision; only a pending (status 1) submission
/// changes. Returns whether it did.
pub fn decide(
    conn: &mut DbConnection,
    id: &str,
    status: i32,
    by: &str,
    at: DateTime<Utc>,
    refusal_reason: Option<&str>,
    dossier_id: Option<&str>,
) -> StoreResult<bool> {
    let n = diesel::update(
        submissions::table
            .find(id)
            .filter(submissions::status_code.eq(1)),
    )
    .set((
        submissions::status_code.eq(status),
        submissions::decided_by.eq(Some(by)),
        submissions::decided_at.eq(Some(to_db(at))),
        submissions::refusal_reason.eq(refusal_reason),
        submissions::dossier_id.eq(dossier_id),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

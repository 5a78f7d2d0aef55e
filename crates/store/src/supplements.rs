//! Supplement requests (phiếu yêu cầu bổ sung) and the one extension
//! (with its apology letter).

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::schema::{extensions, supplement_requests};
use crate::time::{from_db, to_db};
use crate::{DbConnection, StoreResult};

#[derive(Debug, Clone, PartialEq)]
pub struct SupplementRequest {
    pub id: String,
    pub dossier_id: String,
    /// 1 for the first request; a second one makes the dossier late.
    pub number: i32,
    pub reason: String,
    /// What is needed: `[{code?, name, note?}]`.
    pub items: serde_json::Value,
    pub requested_by: String,
    pub requested_at: DateTime<Utc>,
    pub received_by: Option<String>,
    pub received_at: Option<DateTime<Utc>>,
    pub received_note: Option<String>,
}

type SupplementTuple = (
    String,
    String,
    i32,
    String,
    String,
    String,
    chrono::NaiveDateTime,
    Option<String>,
    Option<chrono::NaiveDateTime>,
    Option<String>,
);

pub fn insert_request(conn: &mut DbConnection, r: &SupplementRequest) -> StoreResult<()> {
    diesel::insert_into(supplement_requests::table)
        .values((
            supplement_requests::id.eq(&r.id),
            supplement_requests::dossier_id.eq(&r.dossier_id),
            supplement_requests::number.eq(r.number),
            supplement_requests::reason.eq(&r.reason),
            supplement_requests::items.eq(r.items.to_string()),
            supplement_requests::requested_by.eq(&r.requested_by),
            supplement_requests::requested_at.eq(to_db(r.requested_at)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Marks the open request of a dossier as answered.
pub fn mark_received(
    conn: &mut DbConnection,
    dossier_id: &str,
    by: &str,
    at: DateTime<Utc>,
    note: &str,
) -> StoreResult<usize> {
    Ok(diesel::update(
        supplement_requests::table
            .filter(supplement_requests::dossier_id.eq(dossier_id))
            .filter(supplement_requests::received_at.is_null()),
    )
    .set((
        supplement_requests::received_by.eq(Some(by)),
        supplement_requests::received_at.eq(Some(to_db(at))),
        supplement_requests::received_note.eq(Some(note)),
    ))
    .execute(conn)?)
}

pub fn requests(conn: &mut DbConnection, dossier_id: &str) -> StoreResult<Vec<SupplementRequest>> {
    let rows: Vec<SupplementTuple> = supplement_requests::table
        .filter(supplement_requests::dossier_id.eq(dossier_id))
        .order(supplement_requests::number.asc())
        .select((
            supplement_requests::id,
            supplement_requests::dossier_id,
            supplement_requests::number,
            supplement_requests::reason,
            supplement_requests::items,
            supplement_requests::requested_by,
            supplement_requests::requested_at,
            supplement_requests::received_by,
            supplement_requests::received_at,
            supplement_requests::received_note,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|t| {
            Ok(SupplementRequest {
                id: t.0,
                dossier_id: t.1,
                number: t.2,
                reason: t.3,
                items: serde_json::from_str(&t.4)?,
                requested_by: t.5,
                requested_at: from_db(t.6),
                received_by: t.7,
                received_at: t.8.map(from_db),
                received_note: t.9,
            })
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq)]
pub struct Extension {
    pub dossier_id: String,
    pub reason: String,
    pub previous_due_at: DateTime<Utc>,
    pub new_due_at: DateTime<Utc>,
    /// Asked less than one working day before the appointment.
    pub late_notice: bool,
    pub requested_by: String,
    pub requested_at: DateTime<Utc>,
}

/// Records the extension; a second one for the dossier fails with
/// [`crate::StoreError::Duplicate`] (the primary key allows one).
pub fn insert_extension(conn: &mut DbConnection, e: &Extension) -> StoreResult<()> {
    diesel::insert_into(extensions::table)
        .values((
            extensions::dossier_id.eq(&e.dossier_id),
            extensions::reason.eq(&e.reason),
            extensions::previous_due_at.eq(to_db(e.previous_due_at)),
            extensions::new_due_at.eq(to_db(e.new_due_at)),
            extensions::late_notice.eq(e.late_notice),
            extensions::requested_by.eq(&e.requested_by),
            extensions::requested_at.eq(to_db(e.requested_at)),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn extension(conn: &mut DbConnection, dossier_id: &str) -> StoreResult<Option<Extension>> {
    let row: Option<(
        String,
        String,
        chrono::NaiveDateTime,
        chrono::NaiveDateTime,
        bool,
        String,
        chrono::NaiveDateTime,
    )> = extensions::table
        .find(dossier_id)
        .select((
            extensions::dossier_id,
            extensions::reason,
            extensions::previous_due_at,
            extensions::new_due_at,
            extensions::late_notice,
            extensions::requested_by,
            extensions::requested_at,
        ))
        .get_result(conn)
        .optional()?;
    Ok(row.map(|t| Extension {
        dossier_id: t.0,
        reason: t.1,
        previous_due_at: from_db(t.2),
        new_due_at: from_db(t.3),
        late_notice: t.4,
        requested_by: t.5,
        requested_at: from_db(t.6),
    }))
}

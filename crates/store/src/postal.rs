//! A dossier's journeys by post (docs/post.md): the result's dispatch,
//! delivery or failure on the dossier's row, and the postal service's
//! notices, one row per notice id so a repeated notice is told apart.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use motcua_domain::PostalOutcome;

use crate::schema::{dossiers, postal_notices};
use crate::time::{from_db, to_db};
use crate::{DbConnection, StoreError, StoreResult};

/// A notice of the postal service, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub notice_id: String,
    pub dossier_id: String,
    pub tracking_code: String,
    pub outcome: PostalOutcome,
    pub happened_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
}

/// The id of the dossier whose result went (or goes) out under
/// `tracking_code`, if any.
pub fn holder_of(conn: &mut DbConnection, tracking_code: &str) -> StoreResult<Option<String>> {
    Ok(dossiers::table
        .filter(dossiers::postal_outbound_code.eq(tracking_code))
        .select(dossiers::id)
        .limit(1)
        .get_result(conn)
        .optional()?)
}

/// The result handed to the post: a failure of an earlier parcel is
/// cleared.
pub fn dispatched(
    conn: &mut DbConnection,
    id: &str,
    tracking_code: &str,
    at: DateTime<Utc>,
    address: &str,
) -> StoreResult<()> {
    diesel::update(dossiers::table.find(id))
        .set((
            dossiers::postal_outbound_code.eq(Some(tracking_code)),
            dossiers::postal_dispatched_at.eq(Some(to_db(at))),
            dossiers::postal_return_address.eq(Some(address)),
            dossiers::postal_failed_at.eq(None::<chrono::NaiveDateTime>),
            dossiers::postal_failure.eq(None::<String>),
        ))
        .execute(conn)?;
    crate::feed::touch(conn, id)?;
    Ok(())
}

pub fn delivered(conn: &mut DbConnection, id: &str, at: DateTime<Utc>) -> StoreResult<()> {
    diesel::update(dossiers::table.find(id))
        .set(dossiers::postal_delivered_at.eq(Some(to_db(at))))
        .execute(conn)?;
    crate::feed::touch(conn, id)?;
    Ok(())
}

pub fn failed(
    conn: &mut DbConnection,
    id: &str,
    at: DateTime<Utc>,
    reason: &str,
) -> StoreResult<()> {
    diesel::update(dossiers::table.find(id))
        .set((
            dossiers::postal_failed_at.eq(Some(to_db(at))),
            dossiers::postal_failure.eq(Some(reason)),
        ))
        .execute(conn)?;
    crate::feed::touch(conn, id)?;
    Ok(())
}

/// The notice `notice_id`, if it was recorded.
pub fn notice(conn: &mut DbConnection, notice_id: &str) -> StoreResult<Option<Notice>> {
    let row: Option<(
        String,
        String,
        String,
        String,
        chrono::NaiveDateTime,
        chrono::NaiveDateTime,
    )> = postal_notices::table
        .find(notice_id)
        .select((
            postal_notices::notice_id,
            postal_notices::dossier_id,
            postal_notices::tracking_code,
            postal_notices::outcome,
            postal_notices::happened_at,
            postal_notices::received_at,
        ))
        .get_result(conn)
        .optional()?;
    row.map(
        |(notice_id, dossier_id, tracking_code, outcome, happened, received)| {
            Ok(Notice {
                outcome: PostalOutcome::parse(&outcome)
                    .ok_or_else(|| StoreError::Corrupt(format!("postal outcome {outcome:?}")))?,
                notice_id,
                dossier_id,
                tracking_code,
                happened_at: from_db(happened),
                received_at: from_db(received),
            })
        },
    )
    .transpose()
}

pub fn insert_notice(conn: &mut DbConnection, n: &Notice) -> StoreResult<()> {
    diesel::insert_into(postal_notices::table)
        .values((
            postal_notices::notice_id.eq(&n.notice_id),
            postal_notices::dossier_id.eq(&n.dossier_id),
            postal_notices::tracking_code.eq(&n.tracking_code),
            postal_notices::outcome.eq(n.outcome.as_str()),
            postal_notices::happened_at.eq(to_db(n.happened_at)),
            postal_notices::received_at.eq(to_db(n.received_at)),
        ))
        .execute(conn)?;
    Ok(())
}

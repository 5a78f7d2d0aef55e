//! Citizens' ratings of returned dossiers (one per dossier, never
//! changed): written by the rating operation, read by the staff view and
//! the service index.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use motcua_domain::{Overall, Rating};

use crate::schema::ratings;
use crate::time::{from_db, to_db};
use crate::{DbConnection, StoreError, StoreResult};

/// A rating as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRating {
    pub dossier_id: String,
    pub rating: Rating,
    /// `public` (the citizen, with code and PIN) or `counter` (recorded by
    /// a clerk).
    pub channel: String,
    pub recorded_by: Option<String>,
    pub rated_at: DateTime<Utc>,
}

/// Records a dossier's rating; [`StoreError::Duplicate`] when it has one.
pub fn insert(conn: &mut DbConnection, r: &StoredRating) -> StoreResult<()> {
    if get(conn, &r.dossier_id)?.is_some() {
        return Err(StoreError::Duplicate("rating".into()));
    }
    let scores =
        serde_json::to_string(&r.rating.scores).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    diesel::insert_into(ratings::table)
        .values((
            ratings::dossier_id.eq(&r.dossier_id),
            ratings::scores.eq(scores),
            ratings::overall.eq(r.rating.overall.as_str()),
            ratings::comment.eq(&r.rating.comment),
            ratings::channel.eq(&r.channel),
            ratings::recorded_by.eq(r.recorded_by.as_deref()),
            ratings::rated_at.eq(to_db(r.rated_at)),
        ))
        .execute(conn)?;
    Ok(())
}

/// A dossier's rating, if it was rated.
pub fn get(conn: &mut DbConnection, dossier_id: &str) -> StoreResult<Option<StoredRating>> {
    type Row = (
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        chrono::NaiveDateTime,
    );
    let row: Option<Row> = ratings::table
        .find(dossier_id)
        .select((
            ratings::dossier_id,
            ratings::scores,
            ratings::overall,
            ratings::comment,
            ratings::channel,
            ratings::recorded_by,
            ratings::rated_at,
        ))
        .get_result(conn)
        .optional()?;
    row.map(
        |(dossier_id, scores, overall, comment, channel, recorded_by, at)| {
            let corrupt = |e: String| StoreError::Corrupt(format!("rating of {dossier_id}: {e}"));
            let scores: [u8; 9] =
                serde_json::from_str(&scores).map_err(|e| corrupt(e.to_string()))?;
            let overall = Overall::parse(&overall).map_err(|e| corrupt(e.to_string()))?;
            Ok(StoredRating {
                rating: Rating {
                    scores,
                    overall,
                    comment,
                },
                dossier_id: dossier_id.clone(),
                channel,
                recorded_by,
                rated_at: from_db(at),
            })
        },
    )
    .transpose()
}

//! The citizen rates a returned dossier: once, with the dossier's code and
//! PIN on the public side, or at the counter through a clerk of the desk
//! that received it. One transaction: the rating and its event.

use motcua_domain::{Dossier, EventKind, Rating, StaffMember, Status};
use motcua_sla::ops::{actor, event, lock, require_clerk_of};
use motcua_sla::ClockError;
use motcua_store::events::Actor;
use motcua_store::ratings::{self, StoredRating};
use motcua_store::{time, DbConnection, StoreError};
use serde_json::json;

/// Who gives the rating.
pub enum Rater<'a> {
    /// The citizen, whose PIN the caller has checked.
    Citizen,
    /// A clerk at the counter, for the citizen in front of them.
    Clerk(&'a StaffMember),
}

/// Records the rating of the dossier `code`: only once it is returned
/// (status 10), only once.
pub fn rate(
    conn: &mut DbConnection,
    code: &str,
    rating: Rating,
    rater: Rater,
) -> Result<(Dossier, StoredRating), ClockError> {
    conn.write_tx(|conn| {
        let d = lock(conn, code)?;
        let (channel, recorded_by, who) = match &rater {
            Rater::Citizen => ("public", None, Actor::system("Công dân")),
            Rater::Clerk(staff) => {
                require_clerk_of(staff, &d, "record a rating at the counter")?;
                ("counter", Some(staff.user_id.clone()), actor(staff))
            }
        };
        if d.status != Status::Returned {
            return Err(ClockError::Conflict(format!(
                "dossier {} is not returned yet: it can be rated once its result is returned",
                d.code
            )));
        }
        let now = time::now();
        let stored = StoredRating {
            dossier_id: d.id.clone(),
            rating,
            channel: channel.to_string(),
            recorded_by,
            rated_at: now,
        };
        ratings::insert(conn, &stored).map_err(|e| match e {
            StoreError::Duplicate(_) => {
                ClockError::Conflict(format!("dossier {} was rated already", d.code))
            }
            e => e.into(),
        })?;
        event(
            conn,
            &d,
            EventKind::DossierRated,
            &who,
            now,
            json!({
                "channel": channel,
                "overall": stored.rating.overall.as_str(),
                "total": stored.rating.total(),
            }),
        )?;
        Ok((d, stored))
    })
}

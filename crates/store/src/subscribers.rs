//! The systems that follow the event feed (migration 18): each reads with
//! its own token, of which only the SHA-256 is kept, within the agency it
//! names and those below it. Disabled, it is refused on its next request.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::schema::subscribers;
use crate::time::{from_db, to_db};
use crate::{DbConnection, StoreError, StoreResult};

/// A subscriber as kept (without its token's hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscriber {
    pub id: String,
    pub name: String,
    /// The agency whose dossiers (and its descendants') it follows.
    pub agency_code: String,
    /// `desk` or `national`: the shape of the items it reads.
    pub format: String,
    pub active: bool,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = subscribers)]
struct Row {
    id: String,
    name: String,
    agency_code: String,
    format: String,
    active: bool,
    created_by: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl Row {
    fn into_subscriber(self) -> Subscriber {
        Subscriber {
            id: self.id,
            name: self.name,
            agency_code: self.agency_code,
            format: self.format,
            active: self.active,
            created_by: self.created_by,
            created_at: from_db(self.created_at),
            updated_at: from_db(self.updated_at),
        }
    }
}

/// What a new subscriber is.
pub struct NewSubscriber<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub agency_code: &'a str,
    pub format: &'a str,
    pub token_hash: &'a str,
    pub created_by: &'a str,
    pub at: DateTime<Utc>,
}

/// Adds a subscriber; a name already taken is a conflict.
pub fn insert(conn: &mut DbConnection, s: &NewSubscriber<'_>) -> StoreResult<()> {
    let taken: i64 = subscribers::table
        .filter(subscribers::name.eq(s.name))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(StoreError::Duplicate(format!("subscriber {:?}", s.name)));
    }
    diesel::insert_into(subscribers::table)
        .values((
            subscribers::id.eq(s.id),
            subscribers::name.eq(s.name),
            subscribers::agency_code.eq(s.agency_code),
            subscribers::format.eq(s.format),
            subscribers::token_hash.eq(s.token_hash),
            subscribers::active.eq(true),
            subscribers::created_by.eq(s.created_by),
            subscribers::created_at.eq(to_db(s.at)),
            subscribers::updated_at.eq(to_db(s.at)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Every subscriber, by name.
pub fn list(conn: &mut DbConnection) -> StoreResult<Vec<Subscriber>> {
    Ok(subscribers::table
        .order(subscribers::name.asc())
        .select(Row::as_select())
        .load(conn)?
        .into_iter()
        .map(Row::into_subscriber)
        .collect())
}

pub fn get(conn: &mut DbConnection, id: &str) -> StoreResult<Option<Subscriber>> {
    Ok(subscribers::table
        .find(id)
        .select(Row::as_select())
        .get_result(conn)
        .optional()?
        .map(Row::into_subscriber))
}

/// The subscriber whose token hashes to `token_hash`.
pub fn by_token_hash(conn: &mut DbConnection, token_hash: &str) -> StoreResult<Option<Subscriber>> {
    Ok(subscribers::table
        .filter(subscribers::token_hash.eq(token_hash))
        .select(Row::as_select())
        .get_result(conn)
        .optional()?
        .map(Row::into_subscriber))
}

/// Changes what an administrator may change; `None` leaves it. Returns
/// false when there is no such subscriber.
pub fn update(
    conn: &mut DbConnection,
    id: &str,
    active: Option<bool>,
    token_hash: Option<&str>,
    at: DateTime<Utc>,
) -> StoreResult<bool> {
    let target = subscribers::table.find(id);
    let mut n = diesel::update(target)
        .set(subscribers::updated_at.eq(to_db(at)))
        .execute(conn)?;
    if let Some(a) = active {
        n = diesel::update(target)
            .set(subscribers::active.eq(a))
            .execute(conn)?;
    }
    if let Some(h) = token_hash {
        n = diesel::update(target)
            .set(subscribers::token_hash.eq(h))
            .execute(conn)?;
    }
    Ok(n > 0)
}

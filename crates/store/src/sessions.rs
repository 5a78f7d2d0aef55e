//! Staff sessions, one per log-in. An access token names its session; every
//! authenticated request reads the session with its user in one query
//! ([`authenticate`]), so ending a session, disabling an account or
//! changing a role takes effect on the next request, on every server.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::schema::{sessions, users};
use crate::time::{from_db, to_db};
use crate::users::{Row as UserRow, User};
use crate::{DbConnection, StoreResult};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: String,
    pub user_id: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub ended_reason: Option<String>,
    pub client_addr: String,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = sessions)]
struct Row {
    id: String,
    user_id: String,
    created_at: chrono::NaiveDateTime,
    expires_at: chrono::NaiveDateTime,
    ended_at: Option<chrono::NaiveDateTime>,
    ended_reason: Option<String>,
    client_addr: String,
}

impl From<Row> for Session {
    fn from(r: Row) -> Self {
        Session {
            id: r.id,
            user_id: r.user_id,
            created_at: from_db(r.created_at),
            expires_at: from_db(r.expires_at),
            ended_at: r.ended_at.map(from_db),
            ended_reason: r.ended_reason,
            client_addr: r.client_addr,
        }
    }
}

pub fn insert(conn: &mut DbConnection, s: &Session) -> StoreResult<()> {
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(&s.id),
            sessions::user_id.eq(&s.user_id),
            sessions::created_at.eq(to_db(s.created_at)),
            sessions::expires_at.eq(to_db(s.expires_at)),
            sessions::ended_at.eq(s.ended_at.map(to_db)),
            sessions::ended_reason.eq(s.ended_reason.as_deref()),
            sessions::client_addr.eq(&s.client_addr),
        ))
        .execute(conn)?;
    Ok(())
}

/// The session and its user as they are now, in one query; `None` when the
/// session (or its user) no longer exists. The caller decides whether an
/// ended or expired session, or an inactive user, may go on.
pub fn authenticate(
    conn: &mut DbConnection,
    session_id: &str,
) -> StoreResult<Option<(Session, User)>> {
    let found = sessions::table
        .inner_join(users::table)
        .filter(sessions::id.eq(session_id))
        .select((Row::as_select(), UserRow::as_select()))
        .get_result::<(Row, UserRow)>(conn)
        .optional()?;
    match found {
        None => Ok(None),
        Some((s, u)) => Ok(Some((Session::from(s), u.split()?.0))),
    }
}

/// Ends one session; false when it was already ended or does not exist.
pub fn end(
    conn: &mut DbConnection,
    session_id: &str,
    reason: &str,
    at: DateTime<Utc>,
) -> StoreResult<bool> {
    let n = diesel::update(
        sessions::table
            .filter(sessions::id.eq(session_id))
            .filter(sessions::ended_at.is_null()),
    )
    .set((
        sessions::ended_at.eq(Some(to_db(at))),
        sessions::ended_reason.eq(Some(reason)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Ends every open session of a user; returns how many were open.
pub fn end_all_for_user(
    conn: &mut DbConnection,
    user_id: &str,
    reason: &str,
    at: DateTime<Utc>,
) -> StoreResult<usize> {
    Ok(diesel::update(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::ended_at.is_null()),
    )
    .set((
        sessions::ended_at.eq(Some(to_db(at))),
        sessions::ended_reason.eq(Some(reason)),
    ))
    .execute(conn)?)
}

/// A user's sessions that are neither ended nor expired, newest first.
pub fn open_for_user(
    conn: &mut DbConnection,
    user_id: &str,
    now: DateTime<Utc>,
) -> StoreResult<Vec<Session>> {
    Ok(sessions::table
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::ended_at.is_null())
        .filter(sessions::expires_at.gt(to_db(now)))
        .order(sessions::created_at.desc())
        .select(Row::as_select())
        .load(conn)?
        .into_iter()
        .map(Session::from)
        .collect())
}

/// Deletes up to `limit` sessions that expired before `before` (ended or
/// not: the log-in and log-out events keep the record). Returns how many.
pub fn purge_expired(
    conn: &mut DbConnection,
    before: DateTime<Utc>,
    limit: i64,
) -> StoreResult<usize> {
    let ids: Vec<String> = sessions::table
        .filter(sessions::expires_at.lt(to_db(before)))
        .select(sessions::id)
        .limit(limit)
        .load(conn)?;
    if ids.is_empty() {
        return Ok(0);
    }
    Ok(diesel::delete(sessions::table.filter(sessions::id.eq_any(&ids))).execute(conn)?)
}

pub fn count(conn: &mut DbConnection) -> StoreResult<i64> {
    Ok(sessions::table.count().get_result(conn)?)
}

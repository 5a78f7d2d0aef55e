//! Staff sessions, one per log-in. An access token names its session; every
//! authenticated request reads the session with its user in one query
//! ([`authenticate`]), so ending a session, disabling an account or
//! changing a role takes effect on the next request, on every server.

use chrono::{DateTime, Utc};
use diesel::backend::Backend;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{Bool, Nullable, Text, Timestamp};

use crate::schema::sessions;
use crate::time::{from_db, to_db};
use crate::users::User;
use crate::{each_backend, DbConnection, StoreResult};

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

/// A session as the check of every request needs it, with its user as
/// the database has them now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionUser {
    pub user: User,
    pub ended_at: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
}

/// The session and its user as they are now, in one query; `None` when the
/// session (or its user) no longer exists. The caller decides whether an
/// ended or expired session, or an inactive user, may go on.
///
/// Every authenticated request runs this, so it is a fixed statement
/// ([`SessionCheck`]): prepared once per connection. Built with diesel's
/// join DSL it cost 77,000 instructions a request on SQLite, most of them
/// writing out the SQL again to find the prepared statement.
pub fn authenticate(conn: &mut DbConnection, session_id: &str) -> StoreResult<Option<SessionUser>> {
    let row: Option<CheckRow> = each_backend!(conn, |c| SessionCheck { session_id }
        .get_result::<CheckRow>(c)
        .optional())?;
    let Some((user_id, ended_at, expires_at, username, full_name, role, agency, email, active)) =
        row
    else {
        return Ok(None);
    };
    Ok(Some(SessionUser {
        user: User {
            id: user_id,
            username,
            full_name,
            role: motcua_domain::Role::parse(&role)?,
            agency: motcua_domain::AgencyCode::parse(&agency)?,
            email,
            active,
        },
        ended_at: ended_at.map(from_db),
        expires_at: from_db(expires_at),
    }))
}

type CheckRow = (
    String,
    Option<chrono::NaiveDateTime>,
    chrono::NaiveDateTime,
    String,
    String,
    String,
    String,
    Option<String>,
    bool,
);

/// `SELECT … FROM sessions JOIN users … WHERE sessions.id = ?`, written
/// out so its text never changes (see `counters::Increment` for why).
#[derive(Debug, Clone, Copy)]
struct SessionCheck<'a> {
    session_id: &'a str,
}

impl QueryId for SessionCheck<'_> {
    type QueryId = SessionCheck<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl Query for SessionCheck<'_> {
    type SqlType = (
        Text,
        Nullable<Timestamp>,
        Timestamp,
        Text,
        Text,
        Text,
        Text,
        Nullable<Text>,
        Bool,
    );
}

impl<DB> QueryFragment<DB> for SessionCheck<'_>
where
    DB: Backend,
    str: ToSql<Text, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql(
            "SELECT s.user_id, s.ended_at, s.expires_at, u.username, u.full_name, u.role, \
             u.agency_code, u.email, u.active FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.id = ",
        );
        out.push_bind_param::<Text, str>(self.session_id)?;
        Ok(())
    }
}

impl<Conn> RunQueryDsl<Conn> for SessionCheck<'_> {}

/// One session, whatever its state.
pub fn get(conn: &mut DbConnection, session_id: &str) -> StoreResult<Option<Session>> {
    Ok(sessions::table
        .find(session_id)
        .select(Row::as_select())
        .get_result(conn)
        .optional()?
        .map(Session::from))
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

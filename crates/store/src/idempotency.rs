//! Idempotency keys for POST requests from counter terminals on flaky
//! networks: the first request with a key reserves it, its answer is kept,
//! and retries get that answer back instead of writing twice.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use crate::schema::idempotency_keys;
use crate::time::{from_db, to_db};
use crate::{each_backend, DbConnection, StoreResult};

/// What a reservation found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reservation {
    /// The key is new (or its earlier request died): go ahead.
    Reserved,
    /// Another request with this key is still running.
    InProgress { request_hash: String },
    /// The first answer to this key.
    Done {
        request_hash: String,
        status: i32,
        content_type: String,
        body: String,
    },
}

/// A reservation older than this without an answer is taken to belong to a
/// request that died.
pub const STALE_AFTER_SECONDS: i64 = 120;

pub fn reserve(
    conn: &mut DbConnection,
    scope: &str,
    key: &str,
    request_hash: &str,
    now: DateTime<Utc>,
) -> StoreResult<Reservation> {
    conn.write_tx(|conn| {
        let inserted = each_backend!(conn, |c| diesel::insert_into(idempotency_keys::table)
            .values((
                idempotency_keys::scope.eq(scope),
                idempotency_keys::key.eq(key),
                idempotency_keys::request_hash.eq(request_hash),
                idempotency_keys::created_at.eq(to_db(now)),
            ))
            .on_conflict_do_nothing()
            .execute(c))?;
        if inserted == 1 {
            return Ok(Reservation::Reserved);
        }
        let (hash, status, content_type, body, created_at): (
            String,
            Option<i32>,
            Option<String>,
            Option<String>,
            chrono::NaiveDateTime,
        ) = idempotency_keys::table
            .find((scope, key))
            .select((
                idempotency_keys::request_hash,
                idempotency_keys::status_code,
                idempotency_keys::content_type,
                idempotency_keys::body,
                idempotency_keys::created_at,
            ))
            .get_result(conn)?;
        match status {
            Some(status) => Ok(Reservation::Done {
                request_hash: hash,
                status,
                content_type: content_type.unwrap_or_default(),
                body: body.unwrap_or_default(),
            }),
            None if from_db(created_at) < now - Duration::seconds(STALE_AFTER_SECONDS)
                && hash == request_hash =>
            {
                diesel::update(idempotency_keys::table.find((scope, key)))
                    .set(idempotency_keys::created_at.eq(to_db(now)))
                    .execute(conn)?;
                Ok(Reservation::Reserved)
            }
            None => Ok(Reservation::InProgress { request_hash: hash }),
        }
    })
}

/// Keeps the answer for retries.
pub fn complete(
    conn: &mut DbConnection,
    scope: &str,
    key: &str,
    status: i32,
    content_type: &str,
    body: &str,
) -> StoreResult<()> {
    conn.write_tx(|conn| {
        diesel::update(idempotency_keys::table.find((scope, key)))
            .set((
                idempotency_keys::status_code.eq(Some(status)),
                idempotency_keys::content_type.eq(Some(content_type)),
                idempotency_keys::body.eq(Some(body)),
            ))
            .execute(conn)?;
        Ok(())
    })
}

/// Frees a key whose request failed on the server's side, so a retry runs.
pub fn release(conn: &mut DbConnection, scope: &str, key: &str) -> StoreResult<()> {
    conn.write_tx(|conn| {
        diesel::delete(idempotency_keys::table.find((scope, key))).execute(conn)?;
        Ok(())
    })
}

/// How long a key and its answer are kept: a terminal retries within
/// minutes, never a day later.
pub const KEEP_HOURS: i64 = 24;

/// Deletes up to `limit` keys reserved before `before`, in the caller's
/// transaction. Returns how many.
pub fn purge(conn: &mut DbConnection, before: DateTime<Utc>, limit: i64) -> StoreResult<usize> {
    let old: Vec<(String, String)> = idempotency_keys::table
        .filter(idempotency_keys::created_at.lt(to_db(before)))
        .select((idempotency_keys::scope, idempotency_keys::key))
        .limit(limit)
        .load(conn)?;
    let mut n = 0;
    for (scope, key) in &old {
        n += diesel::delete(idempotency_keys::table.find((scope, key))).execute(conn)?;
    }
    Ok(n)
}

pub fn count(conn: &mut DbConnection) -> StoreResult<i64> {
    Ok(idempotency_keys::table.count().get_result(conn)?)
}

//! The counters behind the limits on log-ins, PINs and online submissions
//! (the policy is [`motcua_domain::throttle`]). They live in the database
//! so that every server on it counts the same attempts.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use motcua_domain::throttle::{Bucket, BucketState, Policy};

use crate::schema::throttle;
use crate::time::{from_db, to_db};
use crate::{each_backend, DbConnection, StoreResult};

type Row = (
    String,
    i32,
    Option<chrono::NaiveDateTime>,
    chrono::NaiveDateTime,
    chrono::NaiveDateTime,
);

const COLUMNS: (
    throttle::bucket,
    throttle::failures,
    throttle::locked_until,
    throttle::started_at,
    throttle::updated_at,
) = (
    throttle::bucket,
    throttle::failures,
    throttle::locked_until,
    throttle::started_at,
    throttle::updated_at,
);

fn state(row: &Row) -> BucketState {
    BucketState {
        failures: u32::try_from(row.1).unwrap_or(0),
        locked_until: row.2.map(from_db),
        started_at: from_db(row.3),
        updated_at: from_db(row.4),
    }
}

/// The buckets that exist among `buckets`, as they are now.
pub fn read(conn: &mut DbConnection, buckets: &[&str]) -> StoreResult<Vec<(String, BucketState)>> {
    let rows: Vec<Row> = throttle::table
        .filter(throttle::bucket.eq_any(buckets))
        .select(COLUMNS)
        .load(conn)?;
    Ok(rows.iter().map(|r| (r.0.clone(), state(r))).collect())
}

/// The latest lock among `buckets` still in force at `now`.
pub fn locked_until(
    conn: &mut DbConnection,
    buckets: &[&str],
    now: DateTime<Utc>,
) -> StoreResult<Option<DateTime<Utc>>> {
    Ok(read(conn, buckets)?
        .into_iter()
        .filter_map(|(_, s)| s.locked_until)
        .filter(|t| *t > now)
        .max())
}

/// Counts one attempt in every bucket of a request, inside the caller's
/// write transaction. Returns the lock to refuse the attempt with when a
/// bucket was already locked (by a request that ran at the same time, on
/// this server or another).
pub fn count_in(
    conn: &mut DbConnection,
    buckets: &[Bucket],
    now: DateTime<Utc>,
) -> StoreResult<Option<DateTime<Utc>>> {
    let mut refuse: Option<DateTime<Utc>> = None;
    for b in buckets {
        let counted = count_attempt(conn, &b.key, &b.policy, now)?;
        if counted.was_locked {
            let until = counted.after.locked_until.unwrap_or(now);
            refuse = Some(refuse.map_or(until, |r| r.max(until)));
        }
    }
    Ok(refuse)
}

/// [`count_in`] as a write transaction of its own: a failed attempt
/// counts even though the request it belongs to fails.
pub fn record(
    conn: &mut DbConnection,
    buckets: &[Bucket],
    now: DateTime<Utc>,
) -> StoreResult<Option<DateTime<Utc>>> {
    conn.write_tx(|conn| count_in(conn, buckets, now))
}

/// What counting one attempt found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted {
    /// The bucket was locked before this attempt (another server, or a
    /// request running at the same time, locked it): the attempt must be
    /// refused like any other during a lock.
    pub was_locked: bool,
    /// The bucket as this attempt left it.
    pub after: BucketState,
}

/// Counts one attempt in `bucket`. Must run inside a write transaction:
/// the row is locked (PostgreSQL) or the database is (SQLite) from the
/// read to the write, so concurrent attempts on several servers each
/// count.
pub fn count_attempt(
    conn: &mut DbConnection,
    bucket: &str,
    policy: &Policy,
    now: DateTime<Utc>,
) -> StoreResult<Counted> {
    let t = to_db(now);
    // Make sure the row exists so that it can be locked.
    each_backend!(conn, |c| diesel::insert_into(throttle::table)
        .values((
            throttle::bucket.eq(bucket),
            throttle::failures.eq(0),
            throttle::started_at.eq(t),
            throttle::updated_at.eq(t),
        ))
        .on_conflict_do_nothing()
        .execute(c))?;
    let query = throttle::table.find(bucket).select(COLUMNS);
    let row: Row = match conn {
        DbConnection::Pg(c) => query.for_update().get_result(c)?,
        DbConnection::Sqlite(c) => query.get_result(c)?,
    };
    let before = state(&row);
    // A row just made holds no attempt yet.
    let before = (before.failures > 0 || before.locked_until.is_some()).then_some(before);
    let was_locked = Policy::is_locked(before.as_ref(), now);
    let after = policy.after_attempt(before.as_ref(), now);
    diesel::update(throttle::table.find(bucket))
        .set((
            throttle::failures.eq(i32::try_from(after.failures).unwrap_or(i32::MAX)),
            throttle::locked_until.eq(after.locked_until.map(to_db)),
            throttle::started_at.eq(to_db(after.started_at)),
            throttle::updated_at.eq(t),
        ))
        .execute(conn)?;
    Ok(Counted { was_locked, after })
}

/// Forgets a bucket (a log-in that succeeded clears its account's count).
pub fn clear(conn: &mut DbConnection, bucket: &str) -> StoreResult<()> {
    diesel::delete(throttle::table.find(bucket)).execute(conn)?;
    Ok(())
}

/// Deletes up to `limit` buckets last counted before `before` whose lock,
/// if any, has passed. Returns how many.
pub fn purge(conn: &mut DbConnection, before: DateTime<Utc>, limit: i64) -> StoreResult<usize> {
    let b = to_db(before);
    let stale: Vec<String> = throttle::table
        .filter(throttle::updated_at.lt(b))
        .filter(
            throttle::locked_until
                .is_null()
                .or(throttle::locked_until.lt(b)),
        )
        .select(throttle::bucket)
        .limit(limit)
        .load(conn)?;
    if stale.is_empty() {
        return Ok(0);
    }
    Ok(diesel::delete(throttle::table.filter(throttle::bucket.eq_any(&stale))).execute(conn)?)
}

pub fn count(conn: &mut DbConnection) -> StoreResult<i64> {
    Ok(throttle::table.count().get_result(conn)?)
}

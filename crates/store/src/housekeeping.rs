//! Keeps the tables that grow with traffic bounded: idempotency keys
//! (kept [`idempotency::KEEP_HOURS`]), the limits' counters (a bucket is
//! forgotten a day after its last attempt, once its lock has passed) and
//! sessions (deleted a day after they expire; the log-in and log-out
//! events keep the record). Deletes go in chunks of [`CHUNK`], each its
//! own transaction, so no write holds the database for long; any number
//! of servers may run it at once.

use chrono::Duration as Span;

use crate::{idempotency, sessions, throttle, DbConnection, StoreResult};

/// Rows deleted per write.
pub const CHUNK: i64 = 1000;

/// What one run deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    pub idempotency_keys: usize,
    pub throttle_buckets: usize,
    pub sessions: usize,
}

fn drain(
    conn: &mut DbConnection,
    mut chunk: impl FnMut(&mut DbConnection) -> StoreResult<usize>,
) -> StoreResult<usize> {
    let mut total = 0;
    loop {
        let n = conn.write_tx(|c| chunk(c))?;
        total += n;
        if (n as i64) < CHUNK {
            return Ok(total);
        }
    }
}

/// Deletes what has outlived its use, as of `now`.
pub fn purge(conn: &mut DbConnection, now: chrono::DateTime<chrono::Utc>) -> StoreResult<Purged> {
    let keys_before = now - Span::hours(idempotency::KEEP_HOURS);
    let day_ago = now - Span::days(1);
    Ok(Purged {
        idempotency_keys: drain(conn, |c| idempotency::purge(c, keys_before, CHUNK))?,
        throttle_buckets: drain(conn, |c| throttle::purge(c, day_ago, CHUNK))?,
        sessions: drain(conn, |c| sessions::purge_expired(c, day_ago, CHUNK))?,
    })
}

//! Keeps the tables that grow with traffic bounded: idempotency keys
//! (kept [`idempotency::KEEP_HOURS`]), the limits' counters (a bucket is
//! forgotten a day after its last attempt, once its lock has passed) and
//! sessions (deleted a day after they expire; the log-in and log-out
//! events keep the record). Deletes go in chunks of [`CHUNK`] so no write
//! holds the database for long. `motcua serve` runs it every
//! [`INTERVAL`]; any number of servers may.

use std::time::Duration;

use chrono::Duration as Span;
use motcua_store::{idempotency, sessions, throttle, time, DbConnection, StoreResult};

use crate::error::ApiError;
use crate::state::AppState;

/// Rows deleted per write.
pub const CHUNK: i64 = 1000;

/// How often the job runs.
pub const INTERVAL: Duration = Duration::from_secs(600);

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

pub async fn run_once(state: &AppState) -> Result<Purged, ApiError> {
    state.with_conn(|conn| Ok(purge(conn, time::now())?)).await
}

/// Starts the job on the current actix runtime; returns at once.
pub fn spawn(state: AppState) {
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(INTERVAL);
        loop {
            tick.tick().await;
            match run_once(&state).await {
                Ok(p) if p != Purged::default() => tracing::info!(
                    idempotency_keys = p.idempotency_keys,
                    throttle_buckets = p.throttle_buckets,
                    sessions = p.sessions,
                    "expired rows deleted"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "housekeeping failed"),
            }
        }
    });
}

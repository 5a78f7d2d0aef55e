//! Runs [`motcua_store::housekeeping::purge`] every [`INTERVAL`] while
//! `motcua serve` runs: the tables that grow with traffic (idempotency
//! keys, the limits' counters, ended sessions) stay bounded.

use std::time::Duration;

use motcua_store::housekeeping::{purge, Purged};
use motcua_store::time;

use crate::error::ApiError;
use crate::state::AppState;

/// How often the job runs.
pub const INTERVAL: Duration = Duration::from_secs(600);

pub async fn run_once(state: &AppState) -> Result<Purged, ApiError> {
    let calendar = state.calendar();
    state
        .with_conn(move |conn| {
            // Reserved codes whose days to log are over become void
            // (docs/dossier-code.md, Reserved codes).
            let voided = motcua_intake::reserved::void_expired(conn, &calendar)?;
            if voided > 0 {
                tracing::info!(voided, "unused reserved dossier codes made void");
            }
            Ok(purge(conn, time::now())?)
        })
        .await
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

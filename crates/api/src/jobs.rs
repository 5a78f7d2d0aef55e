//! The background job inside `motcua serve`: every interval it reloads the
//! calendar if an administrator changed it (on any server) and runs the
//! breach scan. Exactly-once recording rests on the database's unique key,
//! so any number of servers may run it.

use std::time::Duration;

use motcua_sla::breach_scan::ScanResult;

use crate::error::ApiError;
use crate::state::AppState;

pub async fn scan_once(state: &AppState) -> Result<ScanResult, ApiError> {
    let st = state.clone();
    state
        .with_conn(move |conn| {
            if let Err(e) = st.calendars.reload_if_changed(conn) {
                tracing::warn!(error = %e, "could not reload the calendar");
            }
            crate::routes::breaches::run_scan(conn, &st)
        })
        .await
}

/// Starts the job on the current actix runtime; returns at once. An
/// interval of zero seconds disables it.
pub fn spawn(state: AppState) {
    let seconds = state.config.breach_interval_seconds;
    if seconds == 0 {
        return;
    }
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(Duration::from_secs(seconds));
        loop {
            tick.tick().await;
            match scan_once(&state).await {
                Ok(r) if r.overdue + r.due_soon > 0 => {
                    tracing::info!(
                        overdue = r.overdue,
                        due_soon = r.due_soon,
                        "breaches recorded"
                    )
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "breach scan failed"),
            }
        }
    });
}

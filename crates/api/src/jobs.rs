//! The background jobs inside `motcua serve` ([`start`]). The breach job:
//! every interval it reloads the
//! calendar if an administrator changed it (on any server), runs the
//! breach scan (dossiers, then feedback steps), rebuilds the lateness forecast's step-time histograms
//! when they are more than an hour old, and brings the results report's
//! roll-up up to date (rebuilt when the calendar or the agencies changed,
//! each month rolled up once it is over). Exactly-once recording rests on the database's unique key,
//! so any number of servers may run it.

use std::time::Duration;

use motcua_sla::breach_scan::{self, ScanResult};
use motcua_sla::digest;

use crate::error::ApiError;
use crate::state::AppState;

/// What one run of the breach job recorded.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scanned {
    pub dossiers: ScanResult,
    /// Feedback steps past their limit.
    pub feedback_overdue: usize,
}

pub async fn scan_once(state: &AppState) -> Result<Scanned, ApiError> {
    let st = state.clone();
    state
        .with_conn(move |conn| {
            if let Err(e) = st.calendars.reload_if_changed(conn) {
                tracing::warn!(error = %e, "could not reload the calendar");
            }
            let (calendar, now) = (st.calendar(), motcua_store::time::now());
            let due_soon = st.due_soon_seconds();
            let result = breach_scan::scan(conn, &calendar, &st.mail, now, due_soon)?;
            let feedback_overdue = motcua_feedback::scan::scan(conn, now)?.len();
            let max_age = chrono::Duration::minutes(crate::routes::forecast::MODEL_MAX_AGE_MINUTES);
            if let Err(e) = motcua_reports::lateness::refresh(conn, &calendar, now, max_age) {
                tracing::warn!(error = %e, "could not rebuild the lateness forecast's history");
            }
            let hour = st.config.digest_hour;
            if let Err(e) = digest::daily_digests(conn, &calendar, &st.mail, hour, now) {
                tracing::warn!(error = %e, "could not write the supervisors' digests");
            }
            match motcua_reports::rollup::catch_up(conn, &calendar) {
                Ok(done) if done.rebuilt || !done.months.is_empty() => {
                    tracing::info!(rebuilt = done.rebuilt, months = ?done.months, "report roll-up caught up");
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "could not bring the report roll-up up to date"),
            }
            Ok(Scanned {
                dossiers: result,
                feedback_overdue,
            })
        })
        .await
}

/// Starts every background job of a server: the breach scan
/// ([`spawn`]), the outbox worker ([`spawn_mail_worker`]), the purge of
/// expired keys, counters and sessions ([`crate::housekeeping`]), the file
/// job and the webhook worker ([`crate::webhook::worker`]). Call it on
/// the actix runtime that serves HTTP; returns at once. `motcua serve` and
/// the test servers both start their jobs here, so a server cannot come up
/// without them.
pub fn start(state: &AppState) {
    // The jobs' timers run on this thread.
    state.config.clock.install();
    spawn(state.clone());
    spawn_mail_worker(state.clone());
    crate::housekeeping::spawn(state.clone());
    crate::file_jobs::spawn(state.clone());
    crate::webhook::worker::spawn(state.clone());
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
                Ok(r) if r.dossiers.overdue + r.dossiers.due_soon + r.feedback_overdue > 0 => {
                    tracing::info!(
                        overdue = r.dossiers.overdue,
                        due_soon = r.dossiers.due_soon,
                        feedback_overdue = r.feedback_overdue,
                        "breaches recorded"
                    )
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "breach scan failed"),
            }
        }
    });
}

/// Rows deleted per write by the purges.
pub(crate) const PURGE_CHUNK: i64 = 1000;

/// Runs `delete` (a short write deleting at most [`PURGE_CHUNK`] rows)
/// until a run comes short; returns how many rows went, and the error that
/// stopped it early, if one did.
pub(crate) fn purge_in_chunks<E>(
    mut delete: impl FnMut(i64) -> Result<usize, E>,
) -> (usize, Option<E>) {
    let mut purged = 0;
    loop {
        match delete(PURGE_CHUNK) {
            Ok(n) => {
                purged += n;
                if (n as i64) < PURGE_CHUNK {
                    return (purged, None);
                }
            }
            Err(e) => return (purged, Some(e)),
        }
    }
}

/// Deletes the sent messages older than the retention period
/// (`outbox_keep_days`), a thousand per short write, and logs how many.
fn purge_sent_mail(state: &AppState) {
    let days = state.config.outbox_keep_days;
    if days == 0 {
        return;
    }
    let before = motcua_store::time::now() - chrono::Duration::days(i64::from(days));
    let (purged, failed) = purge_in_chunks(|chunk| {
        state
            .db
            .get()
            .map_err(motcua_notify::NotifyError::from)
            .and_then(|mut conn| motcua_notify::outbox::purge_sent(&mut conn, before, chunk))
    });
    if let Some(e) = failed {
        tracing::warn!(error = %e, "could not purge sent mail from the outbox");
    }
    if purged > 0 {
        tracing::info!(
            purged,
            days,
            "sent mail older than the retention period deleted"
        );
    }
}

/// Starts the outbox worker on its own thread (SMTP delivery blocks): it
/// sends due messages in batches, again at once while batches come full,
/// else every two seconds, until the server stops; at start and then every
/// hour it deletes sent messages past the retention period. Without mail
/// settings it does nothing and messages wait in the outbox.
pub fn spawn_mail_worker(state: AppState) {
    let Some(mail) = state.config.mail.clone() else {
        return;
    };
    let mailer = match motcua_notify::Mailer::new(&mail.smtp) {
        Ok(m) => m,
        Err(e) => {
            tracing::error!(error = %e, "mail settings are invalid; mail stays in the outbox");
            return;
        }
    };
    let spawned = std::thread::Builder::new()
        .name("outbox".into())
        .spawn(move || {
            use std::sync::atomic::Ordering;
            state.config.clock.install();
            let mut cursor = motcua_notify::NewMessageCursor::default();
            let mut next_purge = std::time::Instant::now();
            while !state.stopping.load(Ordering::Relaxed) {
                if std::time::Instant::now() >= next_purge {
                    purge_sent_mail(&state);
                    next_purge = std::time::Instant::now() + Duration::from_secs(3600);
                }
                let pause = match motcua_notify::deliver_batch(
                    &state.db,
                    &mailer,
                    &mail.delivery,
                    &mut cursor,
                ) {
                    Ok(s) if s.claimed as i64 >= mail.delivery.batch_size => Duration::ZERO,
                    Ok(s) => {
                        if s.sent + s.failed + s.retried > 0 {
                            tracing::info!(
                                sent = s.sent,
                                retried = s.retried,
                                failed = s.failed,
                                "outbox delivery"
                            );
                        }
                        Duration::from_secs(2)
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "outbox delivery failed");
                        Duration::from_secs(5)
                    }
                };
                // Sleep in small steps so a stopping server is not held up.
                let mut slept = Duration::ZERO;
                while slept < pause && !state.stopping.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(100));
                    slept += Duration::from_millis(100);
                }
            }
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "could not start the outbox worker");
    }
}

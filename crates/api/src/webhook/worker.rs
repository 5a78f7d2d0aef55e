//! The webhook worker: on each server, a task that claims due rows of the
//! delivery queue, posts them side by side, and records how each ended,
//! over and over while rows come, else after a short sleep. Hourly it
//! deletes delivered rows past their keeping time.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use motcua_store::deliveries::{self, Finish};
use motcua_store::feed;

use super::changes::{changes, wanted};
use super::post::{body, Attempt, Poster};
use crate::error::ApiError;
use crate::state::AppState;

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    pub claimed: usize,
    pub delivered: usize,
    pub skipped: usize,
    pub retried: usize,
    pub failed: usize,
}

/// A post to make.
struct Post {
    delivery_id: i64,
    event_id: i64,
    attempts: i32,
    url: String,
    secret: String,
    body: Vec<u8>,
}

fn chrono_of(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

/// Claims, posts and records one batch.
pub async fn round(state: &AppState, poster: &Poster) -> Result<Round, ApiError> {
    let settings = state.config.webhooks.clone();
    let now = motcua_store::time::now();
    let (batch, lease) = (settings.batch, chrono_of(settings.lease()));
    let claimed = state
        .with_conn(move |conn| {
            if !deliveries::hooked(conn)? {
                return Ok(Vec::new());
            }
            // Items get their positions first, so each post carries its
            // cursor in the feed and the queue is filled in feed order.
            feed::sequence(conn)?;
            deliveries::enqueue(conn, deliveries::ENQUEUE_BATCH)?;
            if !deliveries::anything_due(conn, now)? {
                return Ok(Vec::new());
            }
            let ids = deliveries::claim(conn, now, now + lease, batch)?;
            Ok(deliveries::claimed(conn, &ids)?)
        })
        .await?;
    let mut done = Round {
        claimed: claimed.len(),
        ..Round::default()
    };
    if claimed.is_empty() {
        return Ok(done);
    }
    let calendar = state.calendar();
    let mut outcomes = Vec::with_capacity(claimed.len());
    let mut posts = Vec::with_capacity(claimed.len());
    for c in &claimed {
        let kinds = changes(&c.item, c.previous.as_ref());
        let hook = c.subscriber.webhook.as_ref();
        match hook {
            Some(h) if wanted(h.kinds.as_deref(), &kinds) => posts.push(Post {
                delivery_id: c.delivery_id,
                event_id: c.item.event_id,
                attempts: c.attempts,
                url: h.url.clone(),
                secret: h.secret.clone(),
                body: body(c, kinds, &calendar)?,
            }),
            // Not a kind it asked for; or its webhook was removed after
            // the claim read it (the row would not have been claimed
            // before).
            _ => {
                done.skipped += 1;
                outcomes.push((c.delivery_id, Finish::Skipped));
            }
        }
    }
    let timestamp = now.timestamp();
    let attempts: Vec<(i64, i32, Attempt)> = futures_util::stream::iter(posts)
        .map(|p| {
            let poster = poster.clone();
            async move {
                let a = poster
                    .post(
                        &p.url,
                        &p.secret,
                        (p.delivery_id, p.event_id),
                        timestamp,
                        p.body,
                    )
                    .await;
                (p.delivery_id, p.attempts, a)
            }
        })
        .buffer_unordered(settings.concurrency.max(1))
        .collect()
        .await;
    let ended = motcua_store::time::now();
    for (id, before, attempt) in attempts {
        let finish = match attempt {
            Attempt::Delivered(status) => {
                done.delivered += 1;
                Finish::Delivered {
                    status: i32::from(status),
                }
            }
            Attempt::Failed { status, error } => {
                let status = status.map(i32::from);
                let attempt = before.saturating_add(1);
                if attempt >= settings.max_attempts {
                    done.failed += 1;
                    Finish::GaveUp { status, error }
                } else {
                    done.retried += 1;
                    Finish::Retry {
                        status,
                        error,
                        at: retry_at(ended, settings.backoff_after(attempt)),
                    }
                }
            }
        };
        outcomes.push((id, finish));
    }
    state
        .with_conn(move |conn| Ok(deliveries::finish(conn, &outcomes, ended)?))
        .await?;
    Ok(done)
}

fn retry_at(now: DateTime<Utc>, wait: Duration) -> DateTime<Utc> {
    now + chrono_of(wait)
}

/// Deletes delivered and skipped rows older than `keep_days`, a thousand
/// per short write.
async fn purge(state: &AppState) {
    let days = state.config.webhooks.keep_days;
    if days == 0 {
        return;
    }
    let before = motcua_store::time::now() - chrono::Duration::days(i64::from(days));
    let ran = state
        .with_conn(move |conn| {
            Ok(crate::jobs::purge_in_chunks(|chunk| {
                deliveries::purge_done(conn, before, chunk)
            }))
        })
        .await;
    let purged = match ran {
        Ok((purged, None)) => purged,
        Ok((purged, Some(e))) => {
            tracing::warn!(error = %e, "could not purge delivered webhook rows");
            purged
        }
        Err(e) => {
            tracing::warn!(error = %e, "could not purge delivered webhook rows");
            0
        }
    };
    if purged > 0 {
        tracing::info!(
            purged,
            days,
            "delivered webhook rows past their keeping time deleted"
        );
    }
}

/// Starts the worker on the current actix runtime; returns at once. Off
/// when the settings say so.
pub fn spawn(state: AppState) {
    if !state.config.webhooks.enabled {
        return;
    }
    let poster = match Poster::new(&state.config.webhooks) {
        Ok(p) => p,
        Err(e) => {
            tracing::error!(error = %e, "could not build the webhook client; deliveries wait");
            return;
        }
    };
    actix_web::rt::spawn(async move {
        use std::sync::atomic::Ordering;
        let idle = state.config.webhooks.idle;
        let mut next_purge = Instant::now();
        while !state.stopping.load(Ordering::Relaxed) {
            if Instant::now() >= next_purge {
                purge(&state).await;
                next_purge = Instant::now() + Duration::from_secs(3600);
            }
            match round(&state, &poster).await {
                // A row delivered may let its dossier's next one go: at
                // once again.
                Ok(r) if r.claimed > 0 => {
                    if r.retried + r.failed > 0 {
                        tracing::info!(
                            delivered = r.delivered,
                            retried = r.retried,
                            failed = r.failed,
                            "webhook deliveries"
                        );
                    }
                    if r.delivered + r.skipped == 0 {
                        actix_web::rt::time::sleep(idle).await;
                    }
                }
                Ok(_) => actix_web::rt::time::sleep(idle).await,
                Err(e) => {
                    tracing::warn!(error = %e, "webhook delivery failed");
                    actix_web::rt::time::sleep(idle.max(Duration::from_secs(2))).await;
                }
            }
        }
    });
}

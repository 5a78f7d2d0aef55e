//! The delivery worker: one call delivers one batch of due messages.
//!
//! A batch is: claim (one short transaction), send each message with no
//! transaction open, then record each outcome in its own short write. No
//! connection is held while talking to the mail server, so a slow server
//! never holds database connections or locks the desk needs.
//!
//! Exactly once: a claim marks messages `sending` under a token and a
//! lease; only the claim holding the token may record the outcome, and a
//! worker never starts a send that could outlast its lease. What remains
//! is the gap every mail system has: a crash after the server accepted a
//! message and before the outcome is written sends it again once the
//! lease expires; the Message-ID (the outbox id) lets that copy be
//! recognised.

use std::time::Duration;

use chrono::{DateTime, Utc};
use lettre::Message;
use motcua_store::time::now;
use motcua_store::Database;
use serde::Serialize;
use uuid::Uuid;

use crate::outbox::{self, template_data, OutboxRow};
use crate::smtp::{is_outage, recipient_mailbox, Mailer};
use crate::templates::render;
use crate::{NotifyError, NotifyResult};

/// How the worker paces itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliverySettings {
    /// Messages claimed per batch.
    pub batch_size: i64,
    /// Tries a message gets before it is `failed` when the server keeps
    /// refusing it (an SMTP 4xx/5xx answer). Outages (no answer at all)
    /// never fail a message: it waits for the server to come back.
    pub max_attempts: i32,
    /// Wait after the first failed try; doubled after each further one.
    pub base_backoff: Duration,
    /// Longest wait between tries.
    pub max_backoff: Duration,
    /// How long a claim holds its messages. It must cover a send (the
    /// SMTP timeout) with room to spare; a message whose send could end
    /// after the lease is given back untried rather than risk a second
    /// worker sending it too.
    pub lease: Duration,
}

impl Default for DeliverySettings {
    /// 50 a batch; 10 tries from 30 s apart up to 1 h apart (about 4 h
    /// in all); a 5 min lease.
    fn default() -> DeliverySettings {
        DeliverySettings {
            batch_size: 50,
            max_attempts: 10,
            base_backoff: Duration::from_secs(30),
            max_backoff: Duration::from_secs(3600),
            lease: Duration::from_secs(300),
        }
    }
}

impl DeliverySettings {
    /// Wait before the next try after `attempts` tries:
    /// `base_backoff * 2^(attempts-1)`, at most `max_backoff`.
    pub fn backoff(&self, attempts: i32) -> Duration {
        let doublings = attempts.saturating_sub(1).clamp(0, 30) as u32;
        self.base_backoff
            .checked_mul(1u32 << doublings)
            .map_or(self.max_backoff, |d| d.min(self.max_backoff))
    }
}

/// What one batch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DeliveryStats {
    /// Messages claimed.
    pub claimed: usize,
    /// Accepted by the server.
    pub sent: usize,
    /// Put back to wait for another try.
    pub retried: usize,
    /// Given up: `failed` until an administrator retries them.
    pub failed: usize,
    /// Given back untried (the lease was running out, or the claim was
    /// lost).
    pub released: usize,
}

/// Delivers one batch of due messages and reports what happened. Returns
/// at once with `claimed == 0` when nothing is due. Blocking: run it on a
/// worker thread (or `web::block`), every few seconds and again at once
/// while batches come back full.
///
/// When the server cannot be reached, the first failure ends the batch:
/// every message of the batch counts one try and waits its backoff, so an
/// outage costs one connection attempt per batch, not one per message.
pub fn deliver_batch(
    db: &Database,
    mailer: &Mailer,
    settings: &DeliverySettings,
) -> NotifyResult<DeliveryStats> {
    if settings.lease <= mailer.timeout() {
        return Err(NotifyError::Config(format!(
            "the lease ({:?}) must be longer than the SMTP timeout ({:?})",
            settings.lease,
            mailer.timeout()
        )));
    }
    let mut stats = DeliveryStats::default();
    let started = now();
    let lease_until = started + settings.lease;
    let token = Uuid::now_v7().to_string();
    let rows = outbox::claim(
        &mut *db.get()?,
        started,
        settings.batch_size.max(1),
        lease_until,
        &token,
    )?;
    stats.claimed = rows.len();
    let mut outage: Option<String> = None;
    for row in rows {
        if let Some(error) = &outage {
            record_failure(db, settings, &row, &token, error, true, &mut stats)?;
            continue;
        }
        // Never start a send that could end after the lease: another
        // worker may claim the message then.
        if now() + mailer.timeout() >= lease_until {
            outbox::release(&mut *db.get()?, &row.id, &token)?;
            stats.released += 1;
            continue;
        }
        let message = match prepare(mailer, &row) {
            Ok(m) => m,
            Err(e) => {
                // It can never be sent as it is: fail it now.
                let error = e.to_string();
                tracing::error!(id = %row.id, kind = %row.kind, %error, "message cannot be built");
                if outbox::mark_attempt_failed(
                    &mut *db.get()?,
                    &row.id,
                    &token,
                    &error,
                    now(),
                    true,
                )? {
                    stats.failed += 1;
                } else {
                    stats.released += 1;
                }
                continue;
            }
        };
        match mailer.send(&message) {
            Ok(()) => {
                if outbox::mark_sent(&mut *db.get()?, &row.id, &token, now())? {
                    stats.sent += 1;
                } else {
                    // Sent, but our lease had run out: another worker may
                    // send it too. Only a send slower than the lease does this.
                    tracing::warn!(id = %row.id, "message sent after its claim was lost");
                    stats.released += 1;
                }
            }
            Err(e) => {
                let down = is_outage(&e);
                let error = truncate(&e.to_string(), 1000);
                if down {
                    tracing::warn!(%error, "mail server unreachable; messages wait for it");
                    outage = Some(error.clone());
                } else {
                    tracing::warn!(id = %row.id, %error, "mail server refused a message");
                }
                record_failure(db, settings, &row, &token, &error, down, &mut stats)?;
            }
        }
    }
    if stats.claimed > 0 {
        tracing::debug!(?stats, "outbox batch delivered");
    }
    Ok(stats)
}

/// Renders the message and builds the e-mail.
fn prepare(mailer: &Mailer, row: &OutboxRow) -> NotifyResult<Message> {
    let data = template_data(&row.data, &row.recipient_name)?;
    let rendered = render(&row.kind, row.locale, &data)?;
    let to = recipient_mailbox(&row.recipient, &row.recipient_name)?;
    mailer.build(&row.id, to, &rendered)
}

/// Counts a failed try and schedules the next, or gives up after
/// `max_attempts` refusals (never on an outage).
fn record_failure(
    db: &Database,
    settings: &DeliverySettings,
    row: &OutboxRow,
    token: &str,
    error: &str,
    outage: bool,
    stats: &mut DeliveryStats,
) -> NotifyResult<()> {
    let attempts = row.attempts.saturating_add(1);
    let give_up = !outage && attempts >= settings.max_attempts;
    let next = later(now(), settings.backoff(attempts));
    if outbox::mark_attempt_failed(&mut *db.get()?, &row.id, token, error, next, give_up)? {
        if give_up {
            tracing::error!(id = %row.id, attempts, %error, "message failed for good");
            stats.failed += 1;
        } else {
            stats.retried += 1;
        }
    } else {
        stats.released += 1;
    }
    Ok(())
}

fn later(t: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(d)
        .ok()
        .and_then(|d| t.checked_add_signed(d))
        .unwrap_or(t)
}

fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let s = DeliverySettings {
            base_backoff: Duration::from_secs(30),
            max_backoff: Duration::from_secs(3600),
            ..DeliverySettings::default()
        };
        let secs: Vec<u64> = (1..=9).map(|a| s.backoff(a).as_secs()).collect();
        assert_eq!(secs, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(s.backoff(0).as_secs(), 30);
        assert_eq!(s.backoff(i32::MAX), Duration::from_secs(3600));
        let zero = DeliverySettings {
            base_backoff: Duration::ZERO,
            ..s
        };
        assert_eq!(zero.backoff(5), Duration::ZERO);
    }

    #[test]
    fn truncates_on_characters() {
        assert_eq!(truncate("hồ sơ", 2), "hồ…");
        assert_eq!(truncate("ab", 5), "ab");
    }
}

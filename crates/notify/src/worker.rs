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
//! lease expires; the Message-ID ([`OutboxRow::message_key`]) lets that
//! copy be recognised.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use lettre::Message;
use motcua_store::time::now;
use motcua_store::{Database, DbConnection};
use serde::Serialize;
use uuid::Uuid;

use crate::outbox::{self, template_data, NewMessageCursor, OutboxRow};
use crate::smtp::{is_outage, recipient_mailbox, Mailer};
use crate::templates::render;
use crate::{NotifyError, NotifyResult};

/// How the worker paces itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliverySettings {
    /// Messages claimed per batch.
    pub batch_size: i64,
    /// Messages in flight at once, each on its own SMTP connection.
    pub concurrency: usize,
    /// Tries a message gets before it is `failed` when the server keeps
    /// refusing it (an SMTP 4xx/5xx answer). Outages (no answer at all)
    /// never fail a message: it waits for the server to come back.
    pub max_attempts: i32,
    /// Wait after the first failed try; doubled after each further one.
    pub base_backoff: Duration,
    /// Longest wait between tries.
    pub max_backoff: Duration,
    /// How long a claim holds its messages. It must be longer than one
    /// send can take ([`Mailer::send_deadline`], ten SMTP timeouts); a
    /// message whose send could end after the lease is given back untried
    /// rather than risk a second worker sending it too.
    pub lease: Duration,
}

impl Default for DeliverySettings {
    /// 100 a batch, 16 at a time; 10 tries from 30 s apart up to 1 h apart (about 4 h
    /// in all); a 5 min lease.
    fn default() -> DeliverySettings {
        DeliverySettings {
            batch_size: 100,
            concurrency: 16,
            max_attempts: 10,
            base_backoff: Duration::from_secs(30),
            max_backoff: Duration::from_secs(3600),
            lease: Duration::from_secs(300),
        }
    }
}

impl DeliverySettings {
    /// These settings with the lease raised, where needed, to twice the
    /// longest send the mailer can make.
    pub fn fitted_to(mut self, mailer: &Mailer) -> DeliverySettings {
        self.lease = self.lease.max(mailer.send_deadline().saturating_mul(2));
        self
    }

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

/// What became of one claimed message in a sender thread.
enum Outcome {
    Sent,
    /// Not tried: the lease would run out during the send.
    Released,
    /// Can never be sent as it is (template or address).
    Unsendable(String),
    /// The server answered with a refusal (4xx/5xx).
    Refused(String),
    /// The server could not be reached.
    Outage(String),
}

/// Delivers one batch of due messages and reports what happened. Returns
/// at once with `claimed == 0` when nothing is due. Blocking: run it on a
/// worker thread (or `web::block`), every few seconds and again at once
/// while batches come back full, passing the same `cursor` each time (a
/// new one is always correct, but makes the first claim read the whole
/// outbox on SQLite: [`NewMessageCursor`]).
///
/// Up to `settings.concurrency` messages are in flight at once, each on
/// its own pooled SMTP connection: a message costs a few round trips and,
/// with lettre 0.11.23, a 40 ms stall (Nagle's algorithm against the
/// server's delayed ACK on the final `.`), so one connection alone manages
/// only about 20 messages a second. Outcomes are recorded by the calling
/// thread, one short write each, so the batch uses one database
/// connection at a time.
///
/// When the server cannot be reached the batch stops taking messages:
/// every message of the batch counts one try and waits its backoff, so an
/// outage costs a few connection attempts per batch, not one per message.
pub fn deliver_batch(
    db: &Database,
    mailer: &Mailer,
    settings: &DeliverySettings,
    cursor: &mut NewMessageCursor,
) -> NotifyResult<DeliveryStats> {
    if settings.lease <= mailer.send_deadline() {
        return Err(NotifyError::Config(format!(
            "the lease ({:?}) must be longer than a send can take ({:?}: ten SMTP timeouts)",
            settings.lease,
            mailer.send_deadline()
        )));
    }
    let started = now();
    let lease_until = started + settings.lease;
    let token = Uuid::now_v7().to_string();
    let rows = outbox::claim(
        &mut *db.get()?,
        started,
        settings.batch_size.max(1),
        lease_until,
        &token,
        cursor,
    )?;
    let mut stats = DeliveryStats {
        claimed: rows.len(),
        ..DeliveryStats::default()
    };
    if rows.is_empty() {
        return Ok(stats);
    }

    let next = AtomicUsize::new(0);
    let down: Mutex<Option<String>> = Mutex::new(None);
    // Set when an outcome cannot be recorded: stop sending what could not
    // be recorded either.
    let halt = AtomicBool::new(false);
    let mut recorded = vec![false; rows.len()];
    let mut first_error: Option<NotifyError> = None;
    // The senders read the lease against the clock of the thread that took it.
    let clock = motcua_store::time::current();
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::channel::<(usize, Outcome)>();
        for _ in 0..settings.concurrency.clamp(1, rows.len()) {
            let tx = tx.clone();
            let (rows, next, down, halt, clock) = (&rows, &next, &down, &halt, &clock);
            scope.spawn(move || loop {
                clock.install();
                if halt.load(Ordering::SeqCst) || lock(down).is_some() {
                    return;
                }
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(row) = rows.get(i) else {
                    return;
                };
                let outcome = send_one(mailer, row, lease_until);
                if let Outcome::Outage(error) = &outcome {
                    lock(down).get_or_insert_with(|| error.clone());
                }
                if tx.send((i, outcome)).is_err() {
                    return;
                }
            });
        }
        drop(tx);
        for (i, outcome) in rx {
            if first_error.is_some() {
                continue;
            }
            match record(db, settings, &rows[i], &token, outcome, &mut stats) {
                Ok(()) => recorded[i] = true,
                Err(e) => {
                    halt.store(true, Ordering::SeqCst);
                    first_error = Some(e);
                }
            }
        }
    });
    if let Some(e) = first_error {
        // Unrecorded messages stay claimed until the lease runs out.
        return Err(e);
    }
    // Messages no sender took because the server is down.
    if let Some(error) = lock(&down).clone() {
        tracing::warn!(%error, "mail server unreachable; messages wait for it");
        for (row, _) in rows.iter().zip(&recorded).filter(|(_, done)| !**done) {
            record(
                db,
                settings,
                row,
                &token,
                Outcome::Outage(error.clone()),
                &mut stats,
            )?;
        }
    }
    tracing::debug!(?stats, "outbox batch delivered");
    Ok(stats)
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Sends one message (in a sender thread; no database here).
fn send_one(mailer: &Mailer, row: &OutboxRow, lease_until: DateTime<Utc>) -> Outcome {
    // Never start a send that could end after the lease: another worker
    // may claim the message then.
    if now() + mailer.send_deadline() >= lease_until {
        return Outcome::Released;
    }
    let message = match prepare(mailer, row) {
        Ok(m) => m,
        Err(e) => return Outcome::Unsendable(e.to_string()),
    };
    match mailer.send(&message) {
        Ok(()) => Outcome::Sent,
        Err(e) if is_outage(&e) => Outcome::Outage(truncate(&e.to_string(), 1000)),
        Err(e) => Outcome::Refused(truncate(&e.to_string(), 1000)),
    }
}

/// Writes what became of a message. A write that finds the claim gone
/// (the lease ran out and another worker took the message) counts as
/// released.
fn record(
    db: &Database,
    settings: &DeliverySettings,
    row: &OutboxRow,
    token: &str,
    outcome: Outcome,
    stats: &mut DeliveryStats,
) -> NotifyResult<()> {
    let mut conn = db.get()?;
    let (kept, counter) = match outcome {
        Outcome::Sent => {
            let kept = outbox::mark_sent(&mut conn, row.id, token, now())?;
            if !kept {
                // Only a send slower than the lease does this.
                tracing::warn!(id = %row.id, "message sent after its claim was lost");
            }
            (kept, &mut stats.sent)
        }
        Outcome::Released => (
            outbox::release(&mut conn, row.id, token)?,
            &mut stats.released,
        ),
        Outcome::Unsendable(error) => {
            tracing::error!(id = %row.id, kind = %row.kind, %error, "message cannot be built");
            let kept = outbox::mark_attempt_failed(&mut conn, row.id, token, &error, now(), true)?;
            (kept, &mut stats.failed)
        }
        Outcome::Refused(error) => {
            tracing::warn!(id = %row.id, %error, "mail server refused a message");
            return record_failure(&mut conn, settings, row, token, &error, false, stats);
        }
        Outcome::Outage(error) => {
            return record_failure(&mut conn, settings, row, token, &error, true, stats);
        }
    };
    if kept {
        *counter += 1;
    } else {
        stats.released += 1;
    }
    Ok(())
}

/// Renders the message and builds the e-mail.
fn prepare(mailer: &Mailer, row: &OutboxRow) -> NotifyResult<Message> {
    let data = template_data(&row.data, &row.recipient_name)?;
    let rendered = render(&row.kind, row.locale, &data)?;
    let to = recipient_mailbox(&row.recipient, &row.recipient_name)?;
    mailer.build(&row.message_key(), to, &rendered)
}

/// Counts a failed try and schedules the next, or gives up after
/// `max_attempts` refusals (never on an outage).
fn record_failure(
    conn: &mut DbConnection,
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
    if outbox::mark_attempt_failed(conn, row.id, token, error, next, give_up)? {
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

//! The outbox table: enqueue a message inside the caller's transaction,
//! list and retry messages for the admin API, and the claim-and-mark steps
//! the worker ([`crate::worker`]) runs.
//!
//! A message is written in the same transaction as the change it reports,
//! so a rolled-back change sends nothing, and it is sent later by the
//! worker, so a slow or dead mail server never slows or breaks the desk.
//!
//! Why one file over 500 lines: enqueueing, claiming, marking and
//! retrying are the table's life cycle, written per backend (the claim is
//! `FOR UPDATE SKIP LOCKED` on PostgreSQL, the write lock on SQLite); each
//! step reads the others' invariants.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::dsl;
use diesel::prelude::*;
use motcua_store::time::{from_db, now, to_db};
use motcua_store::{event_batch, DbConnection, StoreError};
use serde::Serialize;
use serde_json::Value;

use crate::message::{Kind, Locale, Need, NewMessage, Status};
use crate::schema::outbox;
use crate::smtp::recipient_mailbox;
use crate::{NotifyError, NotifyResult};

/// A message in the outbox, as the admin list shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutboxRow {
    /// Serial: a later message has a higher id.
    pub id: i64,
    /// The message kind's name (kept as text so that a row of a kind this
    /// version no longer knows can still be listed).
    pub kind: String,
    pub recipient: String,
    pub recipient_name: String,
    pub locale: Locale,
    /// The template variables.
    pub data: Value,
    pub dossier_id: Option<String>,
    pub status: Status,
    /// Tries so far.
    pub attempts: i32,
    /// When the worker tries next: the creation time for a new message,
    /// the end of the worker's lease while sending, none once sent or
    /// failed.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub locked_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

type RowTuple = (
    i64,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    i32,
    Option<NaiveDateTime>,
    Option<String>,
    Option<NaiveDateTime>,
    NaiveDateTime,
    Option<NaiveDateTime>,
);

type RowColumns = (
    outbox::id,
    outbox::kind,
    outbox::recipient,
    outbox::recipient_name,
    outbox::locale,
    outbox::data,
    outbox::dossier_id,
    outbox::status,
    outbox::attempts,
    outbox::next_attempt_at,
    outbox::last_error,
    outbox::locked_until,
    outbox::created_at,
    outbox::sent_at,
);

const COLUMNS: RowColumns = (
    outbox::id,
    outbox::kind,
    outbox::recipient,
    outbox::recipient_name,
    outbox::locale,
    outbox::data,
    outbox::dossier_id,
    outbox::status,
    outbox::attempts,
    outbox::next_attempt_at,
    outbox::last_error,
    outbox::locked_until,
    outbox::created_at,
    outbox::sent_at,
);

fn from_tuple(t: RowTuple) -> NotifyResult<OutboxRow> {
    let corrupt = |e: NotifyError| NotifyError::Store(StoreError::Corrupt(e.to_string()));
    let status: Status = t.7.parse().map_err(corrupt)?;
    let created_at = from_db(t.12);
    // A new message is stored without a next attempt (so that no index
    // holds it: see `claim`); it is due since it was written.
    let next_attempt_at = match (t.9, status) {
        (Some(at), _) => Some(from_db(at)),
        (None, Status::Pending) => Some(created_at),
        (None, _) => None,
    };
    Ok(OutboxRow {
        id: t.0,
        kind: t.1,
        recipient: t.2,
        recipient_name: t.3,
        locale: t.4.parse().map_err(corrupt)?,
        data: serde_json::from_str(&t.5)?,
        dossier_id: t.6,
        status,
        attempts: t.8,
        next_attempt_at,
        last_error: t.10,
        locked_until: t.11.map(from_db),
        created_at,
        sent_at: t.13.map(from_db),
    })
}

impl OutboxRow {
    /// The left part of the message's Message-ID: the id and the creation
    /// time (in microseconds). Ids start again at 1 in every database (a
    /// test install, a rebuilt one), so the id alone would not make the
    /// Message-ID unique; with the time it is, and it stays the same for
    /// every send of the row.
    pub fn message_key(&self) -> String {
        format!("{}.{}", self.id, self.created_at.timestamp_micros())
    }
}

/// The variables a template sees: the message's data with the recipient's
/// name added (under `recipient_name`, unless the data has its own).
pub(crate) fn template_data(data: &Value, recipient_name: &str) -> NotifyResult<Value> {
    let mut map = match data {
        Value::Object(map) => map.clone(),
        Value::Null => serde_json::Map::new(),
        other => return Err(NotifyError::InvalidData(json_type(other).into())),
    };
    map.entry("recipient_name")
        .or_insert_with(|| Value::String(recipient_name.to_string()));
    Ok(Value::Object(map))
}

/// Checks that `data` carries every value the kind needs
/// ([`Kind::needs`]), so that a message that could never be rendered is
/// refused while its caller can still react, rather than failing in the
/// worker later.
///
/// Why not render the message here: enqueueing runs inside the caller's
/// write transaction, which on SQLite holds the database's single write
/// lock, and rendering three templates cost as much as the intake's own
/// row writes. The check is a few map look-ups; the template tests prove
/// that data passing it renders in both locales.
pub fn check_data(kind: Kind, data: &Value) -> NotifyResult<()> {
    let map = match data {
        Value::Object(map) => Some(map),
        Value::Null => None,
        other => return Err(NotifyError::InvalidData(json_type(other).into())),
    };
    for need in kind.needs() {
        let value = map.and_then(|m| m.get(need.name()));
        match (need, value) {
            (_, None | Some(Value::Null)) => {
                return Err(NotifyError::MissingValue {
                    kind: kind.as_str(),
                    name: need.name(),
                })
            }
            (Need::List(name), Some(v)) if !v.is_array() => {
                return Err(NotifyError::InvalidData(format!(
                    "{} for {name:?}, which must be a list",
                    json_type(v)
                )))
            }
            _ => {}
        }
    }
    Ok(())
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

diesel::define_sql_function! {
    /// SQLite's id of the row the connection inserted last.
    fn last_insert_rowid() -> diesel::sql_types::BigInt;
}

/// Checks a new message ([`check_data`], the address) and gives the values
/// its row stores that need converting: the address and the data as text.
fn checked(msg: &NewMessage) -> NotifyResult<(String, String)> {
    let recipient = recipient_mailbox(&msg.recipient, &msg.recipient_name)?;
    check_data(msg.kind, &msg.data)?;
    Ok((recipient.email.to_string(), msg.data.to_string()))
}

/// The insert of a new message. Status (pending) and attempts (0) are the
/// columns' defaults. A macro, not a function: the statement's type spells
/// out every column.
macro_rules! insert_message {
    ($msg:expr, $recipient:expr, $data:expr) => {
        diesel::insert_into(outbox::table).values((
            outbox::kind.eq($msg.kind.as_str()),
            outbox::recipient.eq($recipient),
            outbox::recipient_name.eq($msg.recipient_name.trim()),
            outbox::locale.eq($msg.locale.as_str()),
            outbox::data.eq($data),
            outbox::dossier_id.eq($msg.dossier_id.as_deref()),
            outbox::created_at.eq(to_db(now())),
        ))
    };
}

/// Adds a pending message, due now. Call it inside the caller's
/// [`DbConnection::write_tx`] so the message exists only if the change it
/// reports is committed. [`enqueue`] does the same and returns the id.
///
/// The insert writes the row alone: no id to generate, no next attempt,
/// no index entry. On SQLite the row is an append to the table's last
/// page, and the caller's transaction holds the database's one write lock
/// while it runs, so this is what every intake with an e-mail address
/// pays (migration `000007_outbox_serial`). On PostgreSQL the statement
/// also writes the events its transaction holds
/// ([`motcua_store::event_batch`]): the message costs no round trip of its
/// own.
///
/// A message that could never be sent (an invalid address, a value its
/// templates need missing from `data`: [`check_data`]) is refused here.
/// Callers that must not fail because of a citizen's mistyped address
/// check it first ([`crate::smtp::recipient_mailbox`]) or skip on
/// [`NotifyError::InvalidAddress`].
pub fn add(conn: &mut DbConnection, msg: &NewMessage) -> NotifyResult<()> {
    let (recipient, data) = checked(msg)?;
    // On the concrete connection: binding through the two-backend
    // connection walks the query once more per parameter, which cost a
    // third of this insert on SQLite.
    let insert = insert_message!(msg, &recipient, &data);
    match conn {
        // The change's event, held by its transaction, rides along: one
        // round trip for both.
        DbConnection::Pg(c) => event_batch::carried_by(c, insert).execute(c)?,
        DbConnection::Sqlite(c) => insert.execute(c)?,
    };
    Ok(())
}

/// [`add`], returning the new message's id: for tools and tests. On
/// SQLite that is one more statement inside the write lock (RETURNING
/// costs more still: an extra result table per insert), which the desk's
/// changes, needing no id, do not pay.
pub fn enqueue(conn: &mut DbConnection, msg: &NewMessage) -> NotifyResult<i64> {
    let (recipient, data) = checked(msg)?;
    let insert = insert_message!(msg, &recipient, &data);
    let id = match conn {
        DbConnection::Pg(c) => {
            event_batch::carried_by(c, insert.returning(outbox::id)).get_result(c)?
        }
        DbConnection::Sqlite(c) => {
            insert.execute(c)?;
            diesel::select(last_insert_rowid()).get_result(c)?
        }
    };
    Ok(id)
}

/// One message.
pub fn get(conn: &mut DbConnection, id: i64) -> NotifyResult<OutboxRow> {
    let t: RowTuple = outbox::table
        .filter(outbox::id.eq(id))
        .select(COLUMNS)
        .get_result(conn)?;
    from_tuple(t)
}

/// What the admin list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboxFilter {
    pub status: Option<Status>,
    pub kind: Option<String>,
    pub dossier_id: Option<String>,
    /// Page size; zero or less means 50.
    pub limit: i64,
    pub offset: i64,
}

/// Messages, newest first (by id), with the total count under the
/// filter.
pub fn list(conn: &mut DbConnection, f: &OutboxFilter) -> NotifyResult<(Vec<OutboxRow>, i64)> {
    let build = || {
        let mut q = outbox::table.into_boxed();
        if let Some(s) = f.status {
            q = q.filter(outbox::status.eq(s.as_str()));
        }
        if let Some(k) = &f.kind {
            q = q.filter(outbox::kind.eq(k.clone()));
        }
        if let Some(d) = &f.dossier_id {
            q = q.filter(outbox::dossier_id.eq(d.clone()));
        }
        q
    };
    let total: i64 = build().count().get_result(conn)?;
    let limit = if f.limit <= 0 { 50 } else { f.limit };
    let rows: Vec<RowTuple> = build()
        .order(outbox::id.desc())
        .limit(limit)
        .offset(f.offset.max(0))
        .select(COLUMNS)
        .load(conn)?;
    let items = rows
        .into_iter()
        .map(from_tuple)
        .collect::<NotifyResult<Vec<_>>>()?;
    Ok((items, total))
}

/// Puts a failed message back in the queue, due now, at an
/// administrator's request, with its event. Its attempts are kept (and
/// its last error, until the next try), so it gets one more try before it
/// fails again on a refusal; an outage never fails it. Only a `failed`
/// message can be retried: another status is
/// [`NotifyError::NotRetryable`], an unknown id is `Store(NotFound)`.
pub fn retry(
    conn: &mut DbConnection,
    id: i64,
    actor: &motcua_store::events::Actor,
) -> NotifyResult<OutboxRow> {
    let at = now();
    conn.write_tx(|c| {
        let n = diesel::update(
            outbox::table
                .filter(outbox::id.eq(id))
                .filter(outbox::status.eq(Status::Failed.as_str())),
        )
        .set((
            outbox::status.eq(Status::Pending.as_str()),
            outbox::next_attempt_at.eq(Some(to_db(at))),
            outbox::locked_until.eq(None::<NaiveDateTime>),
            outbox::claim_token.eq(None::<String>),
        ))
        .execute(c)?;
        let row = get(c, id)?;
        if n == 0 {
            return Err(NotifyError::NotRetryable(row.status.to_string()));
        }
        motcua_store::events::append(
            c,
            &motcua_store::events::NewEvent {
                subject_type: "outbox",
                subject_id: &row.id.to_string(),
                dossier_id: None,
                kind: motcua_domain::EventKind::OutboxRetried,
                actor,
                at,
                data: serde_json::json!({"kind": row.kind, "attempts": row.attempts}),
            },
        )?;
        Ok(row)
    })
}

/// Runs one write. On SQLite through `write_tx`, which queues this
/// process's writers instead of letting them spin on the busy handler; on
/// PostgreSQL a single statement is atomic by itself, and skipping
/// BEGIN/COMMIT saves two round trips per message.
fn write<T>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> NotifyResult<T>,
) -> NotifyResult<T> {
    match conn {
        DbConnection::Pg(_) => f(conn),
        DbConnection::Sqlite(_) => conn.write_tx(f),
    }
}

/// Where a worker's search for new messages resumes, kept by the worker
/// between batches.
///
/// A new message is stored with no next attempt and is in no index, so
/// that writing it costs the caller's transaction one table page and
/// nothing more. On SQLite that is enough to find it again: write
/// transactions run one at a time, so messages are committed in id order,
/// and a message written after a claim has a higher id than every row
/// that claim saw. The worker reads new messages after the last id it has
/// seen, a short range at the end of the table.
///
/// On PostgreSQL transactions commit in any order (a message with a lower
/// id can become visible after a higher one), so the cursor stays at the
/// start and the `outbox_new` index finds new messages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NewMessageCursor {
    /// Every message with an id up to this one is known not to be new.
    /// `None` until the first claim.
    seen: Option<i64>,
}

/// Messages the worker has handled before and that are due again: backing
/// off, retried by an administrator, given back, or claimed by a worker
/// whose lease ran out (it died or hung). Only these have a next attempt.
macro_rules! due_again {
    ($at:expr, $limit:expr) => {
        outbox::table
            .filter(outbox::next_attempt_at.le($at))
            .filter(
                outbox::status
                    .eq(Status::Pending.as_str())
                    .or(outbox::status.eq(Status::Sending.as_str())),
            )
            .order((outbox::next_attempt_at.asc(), outbox::id.asc()))
            .limit($limit)
            .select(outbox::id)
    };
}

/// New messages after `after`, oldest first.
macro_rules! new_after {
    ($after:expr, $limit:expr) => {
        outbox::table
            .filter(outbox::id.gt($after))
            .filter(outbox::status.eq(Status::Pending.as_str()))
            .filter(outbox::next_attempt_at.is_null())
            .order(outbox::id.asc())
            .limit($limit)
            .select(outbox::id)
    };
}

/// The highest id in the outbox (0 when it is empty).
fn last_id(conn: &mut DbConnection) -> NotifyResult<i64> {
    let max: Option<i64> = outbox::table
        .select(dsl::max(outbox::id))
        .get_result(conn)?;
    Ok(max.unwrap_or(0))
}

/// Claims up to `limit` due messages for one batch, in one short
/// transaction: marks them `sending` under `token` until `lease_until`.
/// Messages due again come first (they are older), then new ones in the
/// order they were written. On PostgreSQL the rows are picked with
/// `FOR UPDATE SKIP LOCKED`, so servers claiming at the same time get
/// disjoint batches without waiting on each other; on SQLite writers are
/// serialised by `write_tx`, and `cursor` moves past what was claimed
/// ([`NewMessageCursor`]) once the transaction has committed.
pub(crate) fn claim(
    conn: &mut DbConnection,
    at: DateTime<Utc>,
    limit: i64,
    lease_until: DateTime<Utc>,
    token: &str,
    cursor: &mut NewMessageCursor,
) -> NotifyResult<Vec<OutboxRow>> {
    let at = to_db(at);
    let lease = to_db(lease_until);
    let committed_in_id_order = matches!(conn, DbConnection::Sqlite(_));
    if committed_in_id_order && cursor.seen.is_none() {
        // A worker's first claim: start before the oldest new message. A
        // read transaction, so that the one scan of the table a worker
        // makes does not hold the write lock, and so that both reads see
        // the same messages (a message committed between them would
        // otherwise be counted as seen).
        let start = conn.transaction(|c| {
            let oldest: Option<i64> = outbox::table
                .filter(outbox::status.eq(Status::Pending.as_str()))
                .filter(outbox::next_attempt_at.is_null())
                .select(dsl::min(outbox::id))
                .get_result(c)?;
            match oldest {
                Some(id) => Ok::<_, NotifyError>(id - 1),
                None => last_id(c),
            }
        })?;
        cursor.seen = Some(start);
    }
    let after = cursor.seen.unwrap_or(0);
    let (rows, seen) = conn.write_tx(|c| {
        let mut ids: Vec<i64> = match c {
            DbConnection::Pg(pg) => due_again!(at, limit).for_update().skip_locked().load(pg)?,
            DbConnection::Sqlite(lite) => due_again!(at, limit).load(lite)?,
        };
        let room = limit - ids.len() as i64;
        let mut seen = None;
        if room > 0 {
            let new: Vec<i64> = match c {
                DbConnection::Pg(pg) => new_after!(after, room)
                    .for_update()
                    .skip_locked()
                    .load(pg)?,
                DbConnection::Sqlite(lite) => new_after!(after, room).load(lite)?,
            };
            if committed_in_id_order {
                // Either the room ran out at the last new message taken,
                // or every new message is taken and nothing up to the
                // last id is new any more.
                seen = Some(match new.last() {
                    Some(&last) if new.len() as i64 == room => last,
                    _ => last_id(c)?,
                });
            }
            ids.extend(new);
        }
        if ids.is_empty() {
            return Ok((Vec::new(), seen));
        }
        diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
            .set((
                outbox::status.eq(Status::Sending.as_str()),
                outbox::next_attempt_at.eq(Some(lease)),
                outbox::locked_until.eq(Some(lease)),
                outbox::claim_token.eq(Some(token)),
            ))
            .execute(c)?;
        let rows: Vec<RowTuple> = outbox::table
            .filter(outbox::id.eq_any(&ids))
            .order(outbox::id.asc())
            .select(COLUMNS)
            .load(c)?;
        Ok::<_, NotifyError>((rows, seen))
    })?;
    if seen.is_some() {
        cursor.seen = seen;
    }
    rows.into_iter().map(from_tuple).collect()
}

type ById = dsl::Filter<outbox::table, dsl::Eq<outbox::id, i64>>;
type ByClaim<'a> = dsl::Filter<
    dsl::Filter<ById, dsl::Eq<outbox::claim_token, &'a str>>,
    dsl::Eq<outbox::status, &'static str>,
>;

/// The row, if this claim still holds it.
fn claimed(id: i64, token: &str) -> ByClaim<'_> {
    outbox::table
        .filter(outbox::id.eq(id))
        .filter(outbox::claim_token.eq(token))
        .filter(outbox::status.eq(Status::Sending.as_str()))
}

/// Marks a claimed message sent. False when the claim was lost (the lease
/// ran out and another worker took the message over).
pub(crate) fn mark_sent(
    conn: &mut DbConnection,
    id: i64,
    token: &str,
    at: DateTime<Utc>,
) -> NotifyResult<bool> {
    write(conn, |c| {
        let n = diesel::update(claimed(id, token))
            .set((
                outbox::status.eq(Status::Sent.as_str()),
                outbox::sent_at.eq(Some(to_db(at))),
                outbox::attempts.eq(outbox::attempts + 1),
                outbox::next_attempt_at.eq(None::<NaiveDateTime>),
                outbox::last_error.eq(None::<String>),
                outbox::locked_until.eq(None::<NaiveDateTime>),
                outbox::claim_token.eq(None::<String>),
            ))
            .execute(c)?;
        Ok(n == 1)
    })
}

/// Records a failed try: back to `pending` until `next_attempt_at`, or
/// `failed` for good.
pub(crate) fn mark_attempt_failed(
    conn: &mut DbConnection,
    id: i64,
    token: &str,
    error: &str,
    next_attempt_at: DateTime<Utc>,
    give_up: bool,
) -> NotifyResult<bool> {
    let (status, next) = if give_up {
        (Status::Failed, None)
    } else {
        (Status::Pending, Some(to_db(next_attempt_at)))
    };
    write(conn, |c| {
        let n = diesel::update(claimed(id, token))
            .set((
                outbox::status.eq(status.as_str()),
                outbox::attempts.eq(outbox::attempts + 1),
                outbox::last_error.eq(Some(error)),
                outbox::next_attempt_at.eq(next),
                outbox::locked_until.eq(None::<NaiveDateTime>),
                outbox::claim_token.eq(None::<String>),
            ))
            .execute(c)?;
        Ok(n == 1)
    })
}

/// Gives a claimed message back untried (its lease is about to run out),
/// due now. It keeps a next attempt: a message without one counts as new,
/// and new messages are only looked for after the worker's cursor
/// ([`NewMessageCursor`]).
pub(crate) fn release(conn: &mut DbConnection, id: i64, token: &str) -> NotifyResult<bool> {
    let at = to_db(now());
    write(conn, |c| {
        let n = diesel::update(claimed(id, token))
            .set((
                outbox::status.eq(Status::Pending.as_str()),
                outbox::next_attempt_at.eq(Some(at)),
                outbox::locked_until.eq(None::<NaiveDateTime>),
                outbox::claim_token.eq(None::<String>),
            ))
            .execute(c)?;
        Ok(n == 1)
    })
}

/// Deletes up to `limit` messages sent before `sent_before`, oldest
/// first, and returns how many. The outbox holds names, addresses and
/// dossier details; keep sent messages only as long as the admin list
/// needs them. Call it again while it returns `limit`: each call is one
/// short write, so a large first purge never holds SQLite's write lock
/// for long.
///
/// The newest message is always kept: SQLite gives a new row the highest
/// id plus one, so deleting the newest would let the next message take an
/// id a worker has already looked past ([`NewMessageCursor`]).
pub fn purge_sent(
    conn: &mut DbConnection,
    sent_before: DateTime<Utc>,
    limit: i64,
) -> NotifyResult<usize> {
    let cutoff = to_db(sent_before);
    conn.write_tx(|c| {
        let newest = last_id(c)?;
        // Through the `outbox_sent` index: only what is deleted is read.
        let ids: Vec<i64> = outbox::table
            .filter(outbox::status.eq(Status::Sent.as_str()))
            .filter(outbox::sent_at.lt(cutoff))
            .filter(outbox::id.lt(newest))
            .order(outbox::sent_at.asc())
            .limit(limit.max(1))
            .select(outbox::id)
            .load(c)?;
        if ids.is_empty() {
            return Ok(0);
        }
        Ok(diesel::delete(outbox::table.filter(outbox::id.eq_any(&ids))).execute(c)?)
    })
}

/// Messages per status, for health checks and tests.
pub fn count_by_status(conn: &mut DbConnection) -> NotifyResult<Vec<(Status, i64)>> {
    let rows: Vec<(String, i64)> = outbox::table
        .group_by(outbox::status)
        .select((outbox::status, diesel::dsl::count_star()))
        .order(outbox::status.asc())
        .load(conn)?;
    rows.into_iter().map(|(s, n)| Ok((s.parse()?, n))).collect()
}

//! The webhook delivery queue (migrations 19 and 22): one row per change
//! and subscriber with a webhook. The change's own transaction writes only
//! its feed row (the outbox entry); the worker turns the feed's items past
//! each subscriber's cursor into its rows ([`enqueue`]), then ([`claim`],
//! [`claimed`], [`finish`]) posts the
//! oldest waiting row of each subscriber's and dossier's line, so that a
//! dossier's changes arrive in order; administrators list the rows and
//! retry a failed one.
//!
//! Two servers share the queue: a claim leases its rows until a time
//! (`leased_until`), and on PostgreSQL skips rows another server is
//! claiming at that moment (`FOR UPDATE SKIP LOCKED`); a server that
//! stops mid-post leaves a lease that runs out, and the row is posted
//! again (at least once: receivers drop a repeat by its event id).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};
use serde::Serialize;

use crate::feed::{self, FeedItem};
use crate::schema::deliveries;
use crate::subscribers::{self, Subscriber};
use crate::time::{from_db, to_db};
use crate::{DbConnection, StoreError, StoreResult};

/// Where a delivery is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Waiting for its turn, its next attempt or a worker.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// A kind of change the subscriber did not ask for: not posted.
    Skipped,
    /// Every attempt failed; it holds its dossier's later rows until an
    /// administrator retries it.
    Failed,
}

impl State {
    pub const ALL: [State; 4] = [
        State::Pending,
        State::Delivered,
        State::Skipped,
        State::Failed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Delivered => "delivered",
            State::Skipped => "skipped",
            State::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<State> {
        State::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// A row of the queue, as administrators see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivery {
    pub id: i64,
    pub subscriber_id: String,
    /// The feed item posted (its event id).
    pub event_id: i64,
    pub dossier_id: String,
    pub state: State,
    /// Posts made so far.
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    /// Claimed by a worker until then.
    pub leased_until: Option<DateTime<Utc>>,
    /// The receiver's last HTTP status, if it answered.
    pub last_status: Option<i32>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = deliveries)]
struct Row {
    id: i64,
    subscriber_id: String,
    feed_item_id: i64,
    dossier_id: String,
    state: String,
    attempts: i32,
    next_attempt_at: NaiveDateTime,
    leased_until: Option<NaiveDateTime>,
    last_status: Option<i32>,
    last_error: Option<String>,
    delivered_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
}

impl Row {
    fn into_delivery(self) -> StoreResult<Delivery> {
        Ok(Delivery {
            state: State::parse(&self.state)
                .ok_or_else(|| StoreError::Corrupt(format!("delivery state {:?}", self.state)))?,
            id: self.id,
            subscriber_id: self.subscriber_id,
            event_id: self.feed_item_id,
            dossier_id: self.dossier_id,
            attempts: self.attempts,
            next_attempt_at: from_db(self.next_attempt_at),
            leased_until: self.leased_until.map(from_db),
            last_status: self.last_status,
            last_error: self.last_error,
            delivered_at: self.delivered_at.map(from_db),
            created_at: from_db(self.created_at),
        })
    }
}

/// The most feed positions one [`enqueue`] covers for each subscriber.
pub const ENQUEUE_BATCH: i64 = 1_000;

/// Has every committed change been queued for every active webhook
/// subscriber? True when no feed row waits for its position and no
/// subscriber's cursor is behind the feed's end: then an empty queue
/// means every change was posted (what an operator, or a test waiting for
/// the worker, asks).
pub fn enqueued_all(conn: &mut DbConnection) -> StoreResult<bool> {
    use crate::schema::subscribers;
    if feed::pending(conn)? {
        return Ok(false);
    }
    let last = feed::last_position(conn)?;
    let behind: i64 = subscribers::table
        .filter(subscribers::active.eq(true))
        .filter(subscribers::webhook_url.is_not_null())
        .filter(subscribers::delivered_through.lt(last))
        .count()
        .get_result(conn)?;
    Ok(behind == 0)
}

/// Makes the delivery rows of the feed's items past each active webhook
/// subscriber's cursor (`delivered_through`), up to `batch` positions
/// each: one row per item of an agency the subscriber follows, in feed
/// order (so a dossier's rows are in the order of its changes), due at
/// the change's own time. The cursor moves in the same transaction, and
/// only from where it was read: two servers never make a row twice, and a
/// row is made once its item is sequenced ([`feed::sequence`] first).
/// Returns how many rows were made.
pub fn enqueue(conn: &mut DbConnection, batch: i64) -> StoreResult<usize> {
    use crate::schema::subscribers;
    const FILL: &str = "INSERT INTO deliveries (subscriber_id, feed_item_id, dossier_id, state, \
        attempts, next_attempt_at, created_at) \
        SELECT $1, f.id, f.dossier_id, 'pending', 0, f.recorded_at, f.recorded_at \
        FROM feed_items f WHERE f.position > $2 AND f.position <= $3 \
        AND EXISTS (SELECT 1 FROM webhook_scopes w WHERE w.subscriber_id = $1 \
            AND w.agency_code IN (f.handling_agency_code, f.receiving_agency_code)) \
        ORDER BY f.position";
    let last = feed::last_position(conn)?;
    let behind: Vec<(String, i64)> = subscribers::table
        .filter(subscribers::active.eq(true))
        .filter(subscribers::webhook_url.is_not_null())
        .filter(subscribers::delivered_through.lt(last))
        .select((subscribers::id, subscribers::delivered_through))
        .load(conn)?;
    if behind.is_empty() {
        return Ok(0);
    }
    Ok(conn.write_tx(|conn| -> diesel::QueryResult<usize> {
        let mut made = 0;
        for (id, from) in behind {
            let to = from.saturating_add(batch).min(last);
            let moved = diesel::update(
                subscribers::table
                    .find(&id)
                    .filter(subscribers::delivered_through.eq(from)),
            )
            .set(subscribers::delivered_through.eq(to))
            .execute(conn)?;
            if moved == 0 {
                // Another server made these rows since the read.
                continue;
            }
            made += match conn {
                DbConnection::Pg(c) => diesel::sql_query(FILL)
                    .bind::<Text, _>(&id)
                    .bind::<BigInt, _>(from)
                    .bind::<BigInt, _>(to)
                    .execute(c)?,
                DbConnection::Sqlite(c) => diesel::sql_query(FILL.replace('$', "?"))
                    .bind::<Text, _>(&id)
                    .bind::<BigInt, _>(from)
                    .bind::<BigInt, _>(to)
                    .execute(c)?,
            };
        }
        Ok(made)
    })?)
}

/// Has any active subscriber a webhook? One index look-up, read only: the
/// worker asks first, so a desk without webhooks never takes the writer's
/// lock for them.
pub fn hooked(conn: &mut DbConnection) -> StoreResult<bool> {
    use crate::schema::webhook_scopes;
    let any: Option<String> = webhook_scopes::table
        .select(webhook_scopes::subscriber_id)
        .limit(1)
        .get_result(conn)
        .optional()?;
    Ok(any.is_some())
}

/// Is any row due at `now`? One index look-up, read only, so a desk with
/// nothing due never takes the writer's lock to claim.
pub fn anything_due(conn: &mut DbConnection, now: DateTime<Utc>) -> StoreResult<bool> {
    let due: Option<i64> = deliveries::table
        .filter(deliveries::state.eq(State::Pending.as_str()))
        .filter(deliveries::next_attempt_at.le(to_db(now)))
        .select(deliveries::id)
        .limit(1)
        .get_result(conn)
        .optional()?;
    Ok(due.is_some())
}

#[derive(QueryableByName)]
struct ClaimedId {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// Leases up to `limit` rows due at `now` until `lease_until` and returns
/// their ids: pending rows whose lease (if any) ran out, of an active
/// subscriber with a webhook, each the first of its subscriber's and
/// dossier's line still waiting or failed.
pub fn claim(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> StoreResult<Vec<i64>> {
    const CLAIM: &str = "UPDATE deliveries SET leased_until = $1 WHERE id IN (\
        SELECT d.id FROM deliveries d \
        WHERE d.state = 'pending' AND d.next_attempt_at <= $2 \
        AND (d.leased_until IS NULL OR d.leased_until <= $2) \
        AND NOT EXISTS (SELECT 1 FROM deliveries e WHERE e.subscriber_id = d.subscriber_id \
            AND e.dossier_id = d.dossier_id AND e.state IN ('pending', 'failed') AND e.id < d.id) \
        AND EXISTS (SELECT 1 FROM subscribers s WHERE s.id = d.subscriber_id AND s.active \
            AND s.webhook_url IS NOT NULL) \
        ORDER BY d.id LIMIT $3 LOCKING) RETURNING id";
    let (lease_until, now) = (to_db(lease_until), to_db(now));
    let ids: Vec<ClaimedId> = conn.write_tx(|conn| match conn {
        DbConnection::Pg(c) => {
            diesel::sql_query(CLAIM.replace("LOCKING", "FOR UPDATE SKIP LOCKED"))
                .bind::<Timestamp, _>(lease_until)
                .bind::<Timestamp, _>(now)
                .bind::<BigInt, _>(limit)
                .load(c)
        }
        DbConnection::Sqlite(c) => {
            diesel::sql_query(CLAIM.replace("LOCKING", "").replace('$', "?"))
                .bind::<Timestamp, _>(lease_until)
                .bind::<Timestamp, _>(now)
                .bind::<BigInt, _>(limit)
                .load(c)
        }
    })?;
    let mut ids: Vec<i64> = ids.into_iter().map(|c| c.id).collect();
    ids.sort_unstable();
    Ok(ids)
}

/// A leased row with what posting it needs.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub delivery_id: i64,
    /// Posts made before this one.
    pub attempts: i32,
    pub subscriber: Subscriber,
    pub item: FeedItem,
    /// The dossier's item before (none for its first): what changed.
    pub previous: Option<FeedItem>,
}

/// The rows `ids` (as [`claim`] leased them) with their subscribers and
/// feed items.
pub fn claimed(conn: &mut DbConnection, ids: &[i64]) -> StoreResult<Vec<Claimed>> {
    let rows: Vec<Row> = deliveries::table
        .filter(deliveries::id.eq_any(ids))
        .order(deliveries::id.asc())
        .select(Row::as_select())
        .load(conn)?;
    let mut subscribers_by_id: HashMap<String, Subscriber> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let subscriber = match subscribers_by_id.get(&r.subscriber_id) {
            Some(s) => s.clone(),
            None => {
                let s = subscribers::get(conn, &r.subscriber_id)?.ok_or(StoreError::NotFound)?;
                subscribers_by_id.insert(r.subscriber_id.clone(), s.clone());
                s
            }
        };
        let item = feed::item(conn, r.feed_item_id)?.ok_or(StoreError::NotFound)?;
        let previous = feed::previous(conn, &item)?;
        out.push(Claimed {
            delivery_id: r.id,
            attempts: r.attempts,
            subscriber,
            item,
            previous,
        });
    }
    Ok(out)
}

/// How an attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finish {
    /// The receiver answered 2xx with this status.
    Delivered { status: i32 },
    /// Not a kind of change the subscriber wants.
    Skipped,
    /// Failed; tried again at `at`.
    Retry {
        status: Option<i32>,
        error: String,
        at: DateTime<Utc>,
    },
    /// Failed for the last time.
    GaveUp { status: Option<i32>, error: String },
}

/// Records how the attempts on leased rows ended, in one transaction.
/// A row already finished (another server's lease ran out meanwhile and
/// it delivered first) is left as it is.
pub fn finish(
    conn: &mut DbConnection,
    outcomes: &[(i64, Finish)],
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let now = to_db(now);
    conn.write_tx(|conn| {
        for (id, outcome) in outcomes {
            let row = deliveries::table
                .filter(deliveries::id.eq(id))
                .filter(deliveries::state.eq(State::Pending.as_str()));
            let lease = deliveries::leased_until.eq(None::<NaiveDateTime>);
            match outcome {
                Finish::Delivered { status } => diesel::update(row)
                    .set((
                        deliveries::state.eq(State::Delivered.as_str()),
                        deliveries::attempts.eq(deliveries::attempts + 1),
                        deliveries::last_status.eq(Some(*status)),
                        deliveries::last_error.eq(None::<String>),
                        deliveries::delivered_at.eq(Some(now)),
                        lease,
                    ))
                    .execute(conn)?,
                Finish::Skipped => diesel::update(row)
                    .set((deliveries::state.eq(State::Skipped.as_str()), lease))
                    .execute(conn)?,
                Finish::Retry { status, error, at } => diesel::update(row)
                    .set((
                        deliveries::attempts.eq(deliveries::attempts + 1),
                        deliveries::last_status.eq(*status),
                        deliveries::last_error.eq(Some(error)),
                        deliveries::next_attempt_at.eq(to_db(*at)),
                        lease,
                    ))
                    .execute(conn)?,
                Finish::GaveUp { status, error } => diesel::update(row)
                    .set((
                        deliveries::state.eq(State::Failed.as_str()),
                        deliveries::attempts.eq(deliveries::attempts + 1),
                        deliveries::last_status.eq(*status),
                        deliveries::last_error.eq(Some(error)),
                        lease,
                    ))
                    .execute(conn)?,
            };
        }
        Ok::<_, StoreError>(())
    })
}

/// Which rows an administrator lists.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub state: Option<State>,
    pub subscriber_id: Option<String>,
    pub dossier_id: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

/// The rows matching `f`, newest first, and how many match.
pub fn list(conn: &mut DbConnection, f: &Filter) -> StoreResult<(Vec<Delivery>, i64)> {
    let filtered = || {
        let mut q = deliveries::table.into_boxed();
        if let Some(s) = f.state {
            q = q.filter(deliveries::state.eq(s.as_str()));
        }
        if let Some(s) = &f.subscriber_id {
            q = q.filter(deliveries::subscriber_id.eq(s.clone()));
        }
        if let Some(d) = &f.dossier_id {
            q = q.filter(deliveries::dossier_id.eq(d.clone()));
        }
        q
    };
    let total: i64 = filtered().count().get_result(conn)?;
    let rows: Vec<Row> = filtered()
        .order(deliveries::id.desc())
        .limit(f.limit)
        .offset(f.offset)
        .select(Row::as_select())
        .load(conn)?;
    let items = rows
        .into_iter()
        .map(Row::into_delivery)
        .collect::<StoreResult<_>>()?;
    Ok((items, total))
}

/// Rows per state, over the whole queue (every state named, 0 included).
pub fn count_by_state(conn: &mut DbConnection) -> StoreResult<Vec<(State, i64)>> {
    let counts: Vec<(String, i64)> = deliveries::table
        .group_by(deliveries::state)
        .select((deliveries::state, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(State::ALL
        .into_iter()
        .map(|s| {
            let n = counts
                .iter()
                .find(|(name, _)| name == s.as_str())
                .map_or(0, |(_, n)| *n);
            (s, n)
        })
        .collect())
}

pub fn get(conn: &mut DbConnection, id: i64) -> StoreResult<Option<Delivery>> {
    deliveries::table
        .find(id)
        .select(Row::as_select())
        .get_result(conn)
        .optional()?
        .map(Row::into_delivery)
        .transpose()
}

/// What [`retry`] did.
#[derive(Debug)]
pub enum Retried {
    /// Pending again, due at once, its attempts counted afresh.
    Done(Delivery),
    /// Only a failed row is retried; this one is in that state.
    NotFailed(State),
}

/// Makes a failed row pending again, due at `now` (an administrator's
/// retry, once the receiver is mended). Run it in the transaction that
/// records who asked.
pub fn retry(conn: &mut DbConnection, id: i64, now: DateTime<Utc>) -> StoreResult<Retried> {
    let n = diesel::update(
        deliveries::table
            .filter(deliveries::id.eq(id))
            .filter(deliveries::state.eq(State::Failed.as_str())),
    )
    .set((
        deliveries::state.eq(State::Pending.as_str()),
        deliveries::attempts.eq(0),
        deliveries::next_attempt_at.eq(to_db(now)),
        deliveries::leased_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    let row = get(conn, id)?.ok_or(StoreError::NotFound)?;
    Ok(if n == 0 {
        Retried::NotFailed(row.state)
    } else {
        Retried::Done(row)
    })
}

/// Deletes up to `chunk` delivered or skipped rows created before
/// `before`; returns how many.
pub fn purge_done(
    conn: &mut DbConnection,
    before: DateTime<Utc>,
    chunk: i64,
) -> StoreResult<usize> {
    let ids: Vec<i64> = deliveries::table
        .filter(deliveries::state.eq_any([State::Delivered.as_str(), State::Skipped.as_str()]))
        .filter(deliveries::created_at.lt(to_db(before)))
        .order(deliveries::id.asc())
        .limit(chunk)
        .select(deliveries::id)
        .load(conn)?;
    if ids.is_empty() {
        return Ok(0);
    }
    Ok(conn.write_tx(|conn| {
        diesel::delete(deliveries::table.filter(deliveries::id.eq_any(&ids))).execute(conn)
    })?)
}

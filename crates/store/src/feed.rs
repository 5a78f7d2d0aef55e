//! The event feed: a snapshot of a dossier each time its status, due time,
//! holder or result changes, in an order readers can page through without
//! ever missing a change (migration 18 says why the order is not the id).
//!
//! Writing: the store's dossier writes mark the dossier touched
//! ([`touch`]); the outermost write transaction, just before it commits,
//! writes one row per dossier it touched ([`flush`]), copied from the
//! dossier's row by one `INSERT ... SELECT`, unless the dossier's last row
//! already shows the same (a change the feed does not show, or a savepoint
//! rolled back). Outside a write transaction the row is written at once.
//!
//! The touched dossiers live in a thread-local list keyed by the address of
//! the connection, as the held events do (`event_batch`, which says why
//! that is sound).
//!
//! Ordering: [`sequence`] gives the rows committed so far, in id order, the
//! positions after the last given, under a lock (PostgreSQL: an advisory
//! transaction lock; SQLite: its one writer). A row that commits later
//! than a read sees it gets a later position, so a reader following
//! `position` never skips one.

use std::cell::RefCell;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::connection::{Connection, TransactionManager};
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Text, Timestamp};
use diesel::sqlite::{Sqlite, SqliteConnection};
use diesel::QueryResult;

use crate::schema::feed_items;
use crate::time::{from_db, to_db};
use crate::{DbConnection, StoreResult};

/// The advisory lock the sequencer holds on PostgreSQL ("feed" in ASCII).
const SEQUENCER_LOCK: i64 = 0x6665_6564;

/// The most rows one call of [`sequence`] orders.
pub const SEQUENCE_BATCH: i64 = 10_000;

thread_local! {
    static TOUCHED: RefCell<Vec<(usize, Vec<String>)>> = const { RefCell::new(Vec::new()) };
}

fn key(conn: &DbConnection) -> usize {
    std::ptr::from_ref(conn) as usize
}

fn in_transaction(conn: &mut DbConnection) -> bool {
    <DbConnection as Connection>::TransactionManager::transaction_manager_status_mut(conn)
        .transaction_depth()
        .ok()
        .flatten()
        .is_some()
}

/// Marks dossier `id` changed: its row is written when the transaction
/// commits, or at once outside one.
pub fn touch(conn: &mut DbConnection, id: &str) -> StoreResult<()> {
    if !in_transaction(conn) {
        return record(conn, id, crate::time::now());
    }
    let k = key(conn);
    TOUCHED.with_borrow_mut(|all| match all.iter_mut().find(|(c, _)| *c == k) {
        Some((_, ids)) => {
            if !ids.iter().any(|i| i == id) {
                ids.push(id.to_string());
            }
        }
        None => all.push((k, vec![id.to_string()])),
    });
    Ok(())
}

/// Takes the dossiers this connection's transaction touched.
fn take(conn: &DbConnection) -> Vec<String> {
    let k = key(conn);
    TOUCHED.with_borrow_mut(|all| {
        all.iter()
            .position(|(c, _)| *c == k)
            .map(|i| all.swap_remove(i).1)
            .unwrap_or_default()
    })
}

/// Writes the rows of the dossiers the transaction touched (called by the
/// outermost write transaction before it commits).
pub(crate) fn flush(conn: &mut DbConnection) -> QueryResult<()> {
    let ids = take(conn);
    let now = crate::time::now();
    for id in ids {
        record_row(conn, &id, now)?;
    }
    Ok(())
}

/// Forgets what a transaction that rolled back touched.
pub(crate) fn discard(conn: &DbConnection) {
    take(conn);
}

fn record(conn: &mut DbConnection, id: &str, at: DateTime<Utc>) -> StoreResult<()> {
    record_row(conn, id, at)?;
    Ok(())
}

/// Writes dossier `id`'s row now, in whatever transaction `conn` is in
/// (unless its last row already shows the same). For tools that change
/// dossiers outside the store's writes, and for tests of the ordering.
pub fn write_now(conn: &mut DbConnection, id: &str) -> StoreResult<()> {
    record(conn, id, crate::time::now())
}

/// The statement writing a dossier's row: its columns copied from the
/// dossier, unless the dossier's last row shows the same. A fixed text
/// with a static query id, so each connection prepares and plans it once
/// (planned afresh, it cost more than the intake's other statements).
struct RecordRow<'a> {
    id: &'a str,
    at: NaiveDateTime,
}

const HEAD: &str = "INSERT INTO feed_items (dossier_id, code, procedure_code, \
    receiving_agency_code, handling_agency_code, status_code, received_at, due_at, paused, \
    in_transit, assigned_to, ended_at, verdict, returned_at, recorded_at) \
    SELECT d.id, d.code, d.procedure_code, d.receiving_agency_code, d.handling_agency_code, \
    d.status_code, d.received_at, d.due_at, d.paused_since IS NOT NULL, d.in_transit, \
    d.assigned_to, d.ended_at, d.verdict, d.returned_at, ";
const MIDDLE: &str = " FROM dossiers d WHERE d.id = ";
const TAIL: &str = " AND NOT EXISTS (SELECT 1 FROM feed_items f \
    WHERE f.id = (SELECT MAX(l.id) FROM feed_items l WHERE l.dossier_id = d.id) \
    AND f.status_code = d.status_code AND f.handling_agency_code = d.handling_agency_code \
    AND f.due_at = d.due_at AND f.paused = (d.paused_since IS NOT NULL) \
    AND f.in_transit = d.in_transit AND f.assigned_to IS NOT DISTINCT FROM d.assigned_to \
    AND f.ended_at IS NOT DISTINCT FROM d.ended_at AND f.verdict IS NOT DISTINCT FROM d.verdict \
    AND f.returned_at IS NOT DISTINCT FROM d.returned_at) RETURNING id";

impl QueryId for RecordRow<'_> {
    type QueryId = RecordRow<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl Query for RecordRow<'_> {
    type SqlType = BigInt;
}

macro_rules! record_row_on {
    ($backend:ty, $conn:ty) => {
        impl QueryFragment<$backend> for RecordRow<'_> {
            fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, $backend>) -> QueryResult<()> {
                out.push_sql(HEAD);
                out.push_bind_param::<Timestamp, _>(&self.at)?;
                out.push_sql(MIDDLE);
                out.push_bind_param::<Text, _>(self.id)?;
                out.push_sql(TAIL);
                Ok(())
            }
        }

        impl RunQueryDsl<$conn> for RecordRow<'_> {}
    };
}

record_row_on!(Pg, PgConnection);
record_row_on!(Sqlite, SqliteConnection);

/// Writes dossier `id`'s row (or nothing). On PostgreSQL the statement
/// also carries the events the transaction holds (`event_batch`), so the
/// feed costs a change no round trip of its own.
fn record_row(conn: &mut DbConnection, id: &str, at: DateTime<Utc>) -> QueryResult<()> {
    let q = RecordRow { id, at: to_db(at) };
    match conn {
        DbConnection::Pg(c) => {
            let carried = crate::event_batch::carried_by(c, q);
            carried.load::<i64>(c)?
        }
        DbConnection::Sqlite(c) => q.load::<i64>(c)?,
    };
    Ok(())
}

/// Gives positions to the rows committed without one, in id order after
/// the last position given, at most [`SEQUENCE_BATCH`]; returns how many.
pub fn sequence(conn: &mut DbConnection) -> StoreResult<usize> {
    const UPDATE: &str = "UPDATE feed_items SET position = s.pos FROM (SELECT id, \
        (SELECT COALESCE(MAX(position), 0) FROM feed_items) + ROW_NUMBER() OVER (ORDER BY id) \
        AS pos FROM feed_items WHERE position IS NULL ORDER BY id LIMIT $1) s \
        WHERE feed_items.id = s.id";
    if !pending(conn)? {
        return Ok(0);
    }
    let n = conn.write_tx(|conn| -> diesel::QueryResult<usize> {
        match conn {
            DbConnection::Pg(c) => {
                diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
                    .bind::<BigInt, _>(SEQUENCER_LOCK)
                    .execute(c)?;
                diesel::sql_query(UPDATE)
                    .bind::<BigInt, _>(SEQUENCE_BATCH)
                    .execute(c)
            }
            DbConnection::Sqlite(c) => diesel::sql_query(UPDATE.replace("$1", "?1"))
                .bind::<BigInt, _>(SEQUENCE_BATCH)
                .execute(c),
        }
    })?;
    Ok(n)
}

/// Are there rows committed without a position?
pub fn pending(conn: &mut DbConnection) -> StoreResult<bool> {
    let first: Option<i64> = feed_items::table
        .filter(feed_items::position.is_null())
        .select(feed_items::id)
        .order(feed_items::id.asc())
        .limit(1)
        .get_result(conn)
        .optional()?;
    Ok(first.is_some())
}

/// A row of the feed.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = feed_items)]
struct Row {
    id: i64,
    position: Option<i64>,
    dossier_id: String,
    code: String,
    procedure_code: String,
    receiving_agency_code: String,
    handling_agency_code: String,
    status_code: i32,
    received_at: NaiveDateTime,
    due_at: NaiveDateTime,
    paused: bool,
    in_transit: bool,
    assigned_to: Option<String>,
    ended_at: Option<NaiveDateTime>,
    verdict: Option<String>,
    returned_at: Option<NaiveDateTime>,
    recorded_at: NaiveDateTime,
}

/// A change of a dossier as the feed shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedItem {
    /// Stable: a subscriber drops an item whose id it has seen.
    pub event_id: i64,
    /// Where a reader is after this item (its cursor).
    pub position: i64,
    pub dossier_id: String,
    pub code: String,
    pub procedure_code: String,
    pub receiving_agency: String,
    pub handling_agency: String,
    /// The national status code, 1 to 10.
    pub status_code: i32,
    pub received_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub paused: bool,
    /// Sent to the next agency and not yet acknowledged there.
    pub in_transit: bool,
    /// The officer the dossier is assigned to.
    pub assigned_to: Option<String>,
    pub ended_at: Option<DateTime<Utc>>,
    /// early, on_time or late, once processing ended.
    pub verdict: Option<String>,
    pub returned_at: Option<DateTime<Utc>>,
    pub recorded_at: DateTime<Utc>,
}

impl Row {
    fn into_item(self) -> FeedItem {
        FeedItem {
            event_id: self.id,
            position: self.position.unwrap_or(0),
            dossier_id: self.dossier_id,
            code: self.code,
            procedure_code: self.procedure_code,
            receiving_agency: self.receiving_agency_code,
            handling_agency: self.handling_agency_code,
            status_code: self.status_code,
            received_at: from_db(self.received_at),
            due_at: from_db(self.due_at),
            paused: self.paused,
            in_transit: self.in_transit,
            assigned_to: self.assigned_to,
            ended_at: self.ended_at.map(from_db),
            verdict: self.verdict,
            returned_at: self.returned_at.map(from_db),
            recorded_at: from_db(self.recorded_at),
        }
    }
}

/// The items after position `after`, in order, at most `limit`; only
/// those received or handled by `agencies` when given (a subscriber's
/// scope).
pub fn after(
    conn: &mut DbConnection,
    after: i64,
    limit: i64,
    agencies: Option<&[String]>,
) -> StoreResult<Vec<FeedItem>> {
    let mut q = feed_items::table
        .filter(feed_items::position.gt(after))
        .order(feed_items::position.asc())
        .limit(limit)
        .select(Row::as_select())
        .into_boxed();
    if let Some(list) = agencies {
        q = q.filter(
            feed_items::handling_agency_code
                .eq_any(list.to_vec())
                .or(feed_items::receiving_agency_code.eq_any(list.to_vec())),
        );
    }
    Ok(q.load(conn)?.into_iter().map(Row::into_item).collect())
}

/// The last position given (0 before any).
pub fn last_position(conn: &mut DbConnection) -> StoreResult<i64> {
    let max: Option<i64> = feed_items::table
        .select(diesel::dsl::max(feed_items::position))
        .get_result(conn)?;
    Ok(max.unwrap_or(0))
}

/// The item with event id `id`.
pub fn item(conn: &mut DbConnection, id: i64) -> StoreResult<Option<FeedItem>> {
    Ok(feed_items::table
        .find(id)
        .select(Row::as_select())
        .get_result(conn)
        .optional()?
        .map(Row::into_item))
}

/// The item of the same dossier just before `item` (none for its first):
/// what a change is measured against.
pub fn previous(conn: &mut DbConnection, item: &FeedItem) -> StoreResult<Option<FeedItem>> {
    Ok(feed_items::table
        .filter(feed_items::dossier_id.eq(&item.dossier_id))
        .filter(feed_items::id.lt(item.event_id))
        .order(feed_items::id.desc())
        .limit(1)
        .select(Row::as_select())
        .get_result(conn)
        .optional()?
        .map(Row::into_item))
}

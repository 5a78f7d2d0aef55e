//! Events a PostgreSQL write transaction appends, held back and written by
//! one statement: the transaction's last, or the outbox insert that
//! reports the same change ([`carried_by`], used by `motcua-notify`).
//!
//! Why: on PostgreSQL every statement is a network round trip, and a round
//! trip (80 to 180 µs on the machines we measure on) costs more than the
//! insert itself. A change appends its event and then the mail it causes;
//! written together they cost one round trip, not two, and a group intake's
//! several events cost one. SQLite runs inside the process, has no round
//! trip to save, and writes events at once.
//!
//! The pending events live in a thread-local list keyed by the address of
//! the connection, opened by the outermost [`DbConnection::write_tx`] and
//! removed when it ends, whether it commits, fails or unwinds. A
//! transaction runs on one thread and holds its connection mutably
//! borrowed, so neither the thread nor the address can change while events
//! are pending. A nested transaction (a savepoint) first writes the events
//! held before it, so that whatever is written inside it is its own: a
//! statement carrying them, or a read writing them, inside a savepoint that
//! then rolls back would otherwise undo events the enclosing transaction
//! keeps. A savepoint that rolls back drops the events it appended and
//! still held ([`discard`]). Reads of the events
//! table write the pending events first ([`flush`]), so a transaction sees
//! what it appended. Outside a write transaction nothing is held.
//!
//! The statements are fixed texts (the rows travel as arrays through
//! `unnest`), so each is prepared once per connection whatever the number
//! of events.

use std::cell::RefCell;

use chrono::NaiveDateTime;
use diesel::pg::{Pg, PgConnection};
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{Array, Nullable, Text, Timestamp};
use diesel::{QueryResult, RunQueryDsl};

use crate::events::NewEvent;
use crate::time::to_db;
use crate::DbConnection;

/// Pending events, one array per column, in the order they were appended.
#[derive(Debug, Default)]
pub struct EventBatch {
    subject_type: Vec<String>,
    subject_id: Vec<String>,
    dossier_id: Vec<Option<String>>,
    kind: Vec<String>,
    actor_id: Vec<Option<String>>,
    actor_name: Vec<String>,
    at: Vec<NaiveDateTime>,
    data: Vec<String>,
}

impl EventBatch {
    fn push(&mut self, e: &NewEvent<'_>) {
        self.subject_type.push(e.subject_type.to_string());
        self.subject_id.push(e.subject_id.to_string());
        self.dossier_id.push(e.dossier_id.map(str::to_string));
        self.kind.push(e.kind.as_str().to_string());
        self.actor_id.push(e.actor.id.clone());
        self.actor_name.push(e.actor.name.clone());
        self.at.push(to_db(e.at));
        self.data.push(e.data.to_string());
    }

    fn len(&self) -> usize {
        self.kind.len()
    }

    /// `INSERT INTO events ... SELECT ... FROM unnest(...)`, in append
    /// order (the ids follow it).
    fn walk_insert<'b>(&'b self, out: &mut AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql(
            "INSERT INTO events (subject_type, subject_id, dossier_id, kind, actor_id, \
             actor_name, at, data) SELECT subject_type, subject_id, dossier_id, kind, \
             actor_id, actor_name, at, data FROM unnest(",
        );
        out.push_bind_param::<Array<Text>, _>(&self.subject_type)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.subject_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<Text>>, _>(&self.dossier_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.kind)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<Text>>, _>(&self.actor_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.actor_name)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Timestamp>, _>(&self.at)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.data)?;
        out.push_sql(
            ") WITH ORDINALITY AS e(subject_type, subject_id, dossier_id, kind, actor_id, \
             actor_name, at, data, n) ORDER BY n",
        );
        Ok(())
    }
}

/// The insert of a batch on its own: what a transaction's end runs.
struct InsertBatch(EventBatch);

impl QueryId for InsertBatch {
    type QueryId = InsertBatch;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl QueryFragment<Pg> for InsertBatch {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.0.walk_insert(&mut out)
    }
}

impl RunQueryDsl<PgConnection> for InsertBatch {}

/// A statement with the transaction's pending events written by it too, as
/// a data-modifying `WITH` (which PostgreSQL runs once, whether or not the
/// statement reads it). Made by [`carried_by`]; runs like the statement
/// it wraps and returns what that returns.
#[derive(Debug)]
pub struct WithEvents<Q> {
    batch: EventBatch,
    query: Q,
}

impl<Q: QueryId> QueryId for WithEvents<Q> {
    type QueryId = WithEvents<Q::QueryId>;
    const HAS_STATIC_QUERY_ID: bool = Q::HAS_STATIC_QUERY_ID;
}

impl<Q: Query> Query for WithEvents<Q> {
    type SqlType = Q::SqlType;
}

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for WithEvents<Q> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        // Always the same text, even with no event pending (the insert of
        // empty arrays writes nothing): one prepared statement.
        out.push_sql("WITH appended_events AS (");
        self.batch.walk_insert(&mut out)?;
        out.push_sql(") ");
        self.query.walk_ast(out.reborrow())
    }
}

impl<Q> RunQueryDsl<PgConnection> for WithEvents<Q> {}

struct Open {
    conn: usize,
    batch: EventBatch,
}

thread_local! {
    static OPEN: RefCell<Vec<Open>> = const { RefCell::new(Vec::new()) };
}

fn key(c: &PgConnection) -> usize {
    std::ptr::from_ref(c) as usize
}

fn with_open<T>(c: &PgConnection, f: impl FnOnce(&mut EventBatch) -> T) -> Option<T> {
    let k = key(c);
    OPEN.with_borrow_mut(|open| {
        open.iter_mut()
            .find(|o| o.conn == k)
            .map(|o| f(&mut o.batch))
    })
}

/// Holds events for a connection until dropped; see the module docs.
pub(crate) struct Scope(usize);

impl Drop for Scope {
    fn drop(&mut self) {
        let k = self.0;
        OPEN.with_borrow_mut(|open| open.retain(|o| o.conn != k));
    }
}

/// Starts holding the events appended on `c` (the outermost write
/// transaction's start).
pub(crate) fn open(c: &PgConnection) -> Scope {
    let k = key(c);
    OPEN.with_borrow_mut(|open| {
        open.retain(|o| o.conn != k);
        open.push(Open {
            conn: k,
            batch: EventBatch::default(),
        });
    });
    Scope(k)
}

/// Holds `e` if a write transaction on `c` is holding events; false when
/// the caller must insert it now.
pub(crate) fn defer(c: &PgConnection, e: &NewEvent<'_>) -> bool {
    with_open(c, |b| b.push(e)).is_some()
}

fn take(c: &PgConnection) -> EventBatch {
    with_open(c, std::mem::take).unwrap_or_default()
}

/// Drops the held events: a savepoint rolled back. It started with none
/// held (they were written before it), so all of them are its own.
pub(crate) fn discard(conn: &DbConnection) {
    if let DbConnection::Pg(c) = conn {
        take(c);
    }
}

/// Writes the held events now: before the transaction commits, and before
/// anything reads the events table.
pub(crate) fn flush(conn: &mut DbConnection) -> QueryResult<()> {
    if let DbConnection::Pg(c) = conn {
        let batch = take(c);
        if batch.len() > 0 {
            InsertBatch(batch).execute(c)?;
        }
    }
    Ok(())
}

/// `query`, to run on `c`, with the events its transaction holds written by
/// the same statement. For the outbox: the mail a change causes is inserted
/// after the change's event, and this saves the event its own round trip.
/// The events are taken now; run the statement at once (if it fails, so
/// does the transaction that held them).
pub fn carried_by<Q>(c: &PgConnection, query: Q) -> WithEvents<Q> {
    WithEvents {
        batch: take(c),
        query,
    }
}

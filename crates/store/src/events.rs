//! The audit trail: every write appends an event; events are never updated
//! or deleted (the database refuses it, see the migration's triggers).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde_json::Value;

use crate::event_batch;
use crate::schema::events;
use crate::time::{from_db, to_db};
use crate::{DbConnection, StoreError, StoreResult};
use motcua_domain::EventKind;

/// Who did something: a staff user, a citizen, or the system itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: Option<String>,
    pub name: String,
}

impl Actor {
    pub fn system(name: &str) -> Actor {
        Actor {
            id: None,
            name: name.to_string(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    pub subject_type: &'a str,
    pub subject_id: &'a str,
    pub dossier_id: Option<&'a str>,
    pub kind: EventKind,
    pub actor: &'a Actor,
    pub at: DateTime<Utc>,
    pub data: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: i64,
    pub subject_type: String,
    pub subject_id: String,
    pub kind: EventKind,
    pub actor_id: Option<String>,
    pub actor_name: String,
    pub at: DateTime<Utc>,
    pub data: Value,
}

type EventColumns = (
    events::id,
    events::subject_type,
    events::subject_id,
    events::kind,
    events::actor_id,
    events::actor_name,
    events::at,
    events::data,
);

const COLUMNS: EventColumns = (
    events::id,
    events::subject_type,
    events::subject_id,
    events::kind,
    events::actor_id,
    events::actor_name,
    events::at,
    events::data,
);

type EventTuple = (
    i64,
    String,
    String,
    String,
    Option<String>,
    String,
    chrono::NaiveDateTime,
    String,
);

fn from_tuple(t: EventTuple) -> StoreResult<Event> {
    let kind = EventKind::parse(&t.3)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown event kind {:?}", t.3)))?;
    Ok(Event {
        id: t.0,
        subject_type: t.1,
        subject_id: t.2,
        kind,
        actor_id: t.4,
        actor_name: t.5,
        at: from_db(t.6),
        data: serde_json::from_str(&t.7).unwrap_or(Value::Null),
    })
}

/// Appends an event. Inside a PostgreSQL write transaction it is held and
/// written with the transaction's next write to the outbox or at its end
/// ([`crate::event_batch`]); elsewhere it is inserted now.
pub fn append(conn: &mut DbConnection, e: &NewEvent<'_>) -> StoreResult<()> {
    if let DbConnection::Pg(c) = conn {
        if event_batch::defer(c, e) {
            return Ok(());
        }
    }
    diesel::insert_into(events::table)
        .values((
            events::subject_type.eq(e.subject_type),
            events::subject_id.eq(e.subject_id),
            events::dossier_id.eq(e.dossier_id),
            events::kind.eq(e.kind.as_str()),
            events::actor_id.eq(e.actor.id.as_deref()),
            events::actor_name.eq(&e.actor.name),
            events::at.eq(to_db(e.at)),
            events::data.eq(e.data.to_string()),
        ))
        .execute(conn)?;
    Ok(())
}

/// A dossier's history, oldest first: what happened to it, without the
/// staff's reads of it ([`reads_of`]).
pub fn for_dossier(conn: &mut DbConnection, dossier_id: &str) -> StoreResult<Vec<Event>> {
    event_batch::flush(conn)?;
    let rows: Vec<EventTuple> = events::table
        .filter(events::dossier_id.eq(dossier_id))
        .filter(events::kind.ne(EventKind::DossierRead.as_str()))
        .order(events::id.asc())
        .select(COLUMNS)
        .load(conn)?;
    rows.into_iter().map(from_tuple).collect()
}

/// Who read a dossier's personal data and when, oldest first.
pub fn reads_of(conn: &mut DbConnection, dossier_id: &str) -> StoreResult<Vec<Event>> {
    let rows: Vec<EventTuple> = events::table
        .filter(events::dossier_id.eq(dossier_id))
        .filter(events::kind.eq(EventKind::DossierRead.as_str()))
        .order(events::id.asc())
        .select(COLUMNS)
        .load(conn)?;
    rows.into_iter().map(from_tuple).collect()
}

/// Records that `actor` read the personal data of dossier `dossier_id`
/// (`what`: the full view, the receipt), in a transaction of its own, as
/// registries that hold personal data record who looked.
pub fn record_read(
    conn: &mut DbConnection,
    dossier_id: &str,
    actor: &Actor,
    what: &str,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    conn.write_tx(|conn| {
        append(
            conn,
            &NewEvent {
                subject_type: "dossier",
                subject_id: dossier_id,
                dossier_id: Some(dossier_id),
                kind: EventKind::DossierRead,
                actor,
                at,
                data: serde_json::json!({ "what": what }),
            },
        )
    })
}

/// The history of any other subject (a procedure, a user, an agency).
pub fn for_subject(
    conn: &mut DbConnection,
    subject_type: &str,
    subject_id: &str,
) -> StoreResult<Vec<Event>> {
    event_batch::flush(conn)?;
    let rows: Vec<EventTuple> = events::table
        .filter(events::subject_type.eq(subject_type))
        .filter(events::subject_id.eq(subject_id))
        .order(events::id.asc())
        .select(COLUMNS)
        .load(conn)?;
    rows.into_iter().map(from_tuple).collect()
}

/// Which events an audit list shows.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub subject_type: Option<String>,
    pub actor_id: Option<String>,
    pub kind: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Only events of dossiers received or handled by these agencies (a
    /// supervisor's reach); `None`: every event.
    pub dossier_agencies: Option<Vec<String>>,
    pub limit: i64,
    pub offset: i64,
}

/// The events `f` selects, newest first, and how many there are in all.
pub fn list(conn: &mut DbConnection, f: &EventFilter) -> StoreResult<(Vec<Event>, i64)> {
    use crate::schema::dossiers;
    event_batch::flush(conn)?;
    let query = || {
        let mut q = events::table.into_boxed();
        if let Some(s) = &f.subject_type {
            q = q.filter(events::subject_type.eq(s.clone()));
        }
        if let Some(a) = &f.actor_id {
            q = q.filter(events::actor_id.eq(a.clone()));
        }
        if let Some(k) = &f.kind {
            q = q.filter(events::kind.eq(k.clone()));
        }
        if let Some(t) = f.from {
            q = q.filter(events::at.ge(to_db(t)));
        }
        if let Some(t) = f.to {
            q = q.filter(events::at.lt(to_db(t)));
        }
        if let Some(agencies) = &f.dossier_agencies {
            let reach = dossiers::table
                .filter(
                    dossiers::handling_agency_code
                        .eq_any(agencies.clone())
                        .or(dossiers::receiving_agency_code.eq_any(agencies.clone())),
                )
                .select(dossiers::id.nullable());
            q = q.filter(events::dossier_id.eq_any(reach));
        }
        q
    };
    let total: i64 = query().count().get_result(conn)?;
    let rows: Vec<EventTuple> = query()
        .order(events::id.desc())
        .limit(f.limit)
        .offset(f.offset)
        .select(COLUMNS)
        .load(conn)?;
    let items = rows
        .into_iter()
        .map(from_tuple)
        .collect::<StoreResult<_>>()?;
    Ok((items, total))
}

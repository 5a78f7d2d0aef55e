//! Events appended in a write transaction, on real databases: on
//! PostgreSQL they are held and written in one statement (`event_batch`);
//! on SQLite at once. Either way a committed transaction keeps all its
//! events in order, a rolled-back one or savepoint none of its own, and a
//! transaction reads what it appended.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../../tests/common/db.rs"]
mod db;
mod common {
    pub use super::db::Backend;
}

use chrono::Utc;
use db::{Backend, ScratchDb};
use diesel::prelude::*;
use motcua_store::events::{self, Actor, NewEvent};
use motcua_store::schema::settings;
use motcua_store::{count_rows, event_batch, Database, DbConnection, StoreError};
use serde_json::json;

fn database(backend: Backend) -> (Database, ScratchDb) {
    let scratch = ScratchDb::new(backend);
    let db = Database::connect(&scratch.url, 2).unwrap();
    db.migrate().unwrap();
    (db, scratch)
}

/// Appends event `n` of procedure P-1.
fn append(conn: &mut DbConnection, n: u32) -> Result<(), StoreError> {
    events::append(
        conn,
        &NewEvent {
            subject_type: "procedure",
            subject_id: "P-1",
            dossier_id: None,
            kind: motcua_domain::EventKind::CalendarEdited,
            actor: &Actor::system("test"),
            at: Utc::now(),
            data: json!({ "n": n }),
        },
    )
}

/// The `n` of every event of P-1, oldest first.
fn appended(conn: &mut DbConnection) -> Vec<u64> {
    events::for_subject(conn, "procedure", "P-1")
        .unwrap()
        .into_iter()
        .map(|e| e.data["n"].as_u64().unwrap())
        .collect()
}

fn committed_events_are_written_in_order_and_read_inside(backend: Backend) {
    let (db, _scratch) = database(backend);
    let mut conn = db.get().unwrap();
    let seen_inside = conn
        .write_tx(|c| -> Result<_, StoreError> {
            for n in 1..=3 {
                append(c, n)?;
            }
            let seen = appended(c);
            append(c, 4)?;
            Ok(seen)
        })
        .unwrap();
    assert_eq!(seen_inside, [1, 2, 3]);
    // Another connection sees all four after the commit.
    assert_eq!(appended(&mut db.get().unwrap()), [1, 2, 3, 4]);
    assert_eq!(count_rows(&mut conn, "events").unwrap(), 4);
}

fn a_rolled_back_transaction_or_savepoint_drops_its_own_events(backend: Backend) {
    let (db, _scratch) = database(backend);
    let mut conn = db.get().unwrap();
    let failed = conn.write_tx(|c| -> Result<(), StoreError> {
        append(c, 1)?;
        Err(StoreError::Corrupt("the change failed".into()))
    });
    assert!(failed.is_err());
    conn.write_tx(|c| -> Result<(), StoreError> {
        append(c, 2)?;
        let inner = c.write_tx(|c| -> Result<(), StoreError> {
            append(c, 3)?;
            Err(StoreError::Corrupt("the nested change failed".into()))
        });
        assert!(inner.is_err());
        c.write_tx(|c| append(c, 4))?;
        append(c, 5)?;
        // A savepoint that reads the events (writing the held ones) and
        // then rolls back must not take the enclosing transaction's.
        let inner = c.write_tx(|c| -> Result<(), StoreError> {
            append(c, 6)?;
            assert_eq!(appended(c), [2, 4, 5, 6]);
            Err(StoreError::Corrupt("the nested change failed".into()))
        });
        assert!(inner.is_err());
        append(c, 7)
    })
    .unwrap();
    assert_eq!(appended(&mut conn), [2, 4, 5, 7]);
}

fn events_outside_a_transaction_are_written_at_once(backend: Backend) {
    let (db, _scratch) = database(backend);
    append(&mut db.get().unwrap(), 1).unwrap();
    assert_eq!(appended(&mut db.get().unwrap()), [1]);
}

/// The outbox's path: the held events ride on another insert, and are in
/// the table as soon as that statement has run.
#[test]
fn a_statement_carries_the_held_events_on_postgres() {
    let (db, _scratch) = database(Backend::Postgres);
    let mut conn = db.get().unwrap();
    conn.write_tx(|c| -> Result<(), StoreError> {
        append(c, 1)?;
        append(c, 2)?;
        let DbConnection::Pg(pg) = c else {
            unreachable!("a PostgreSQL database")
        };
        let insert = diesel::insert_into(settings::table)
            .values((settings::key.eq("carrier"), settings::value.eq("1")))
            .returning(settings::key);
        let key: String = event_batch::carried_by(pg, insert).get_result(pg)?;
        assert_eq!(key, "carrier");
        // Nothing is held any more: what the read finds, the insert wrote.
        let written: i64 = motcua_store::schema::events::table.count().get_result(pg)?;
        assert_eq!(written, 2);
        // With nothing held, the same statement carries no event.
        let insert = diesel::insert_into(settings::table)
            .values((settings::key.eq("empty"), settings::value.eq("2")))
            .returning(settings::key);
        event_batch::carried_by(pg, insert).get_result::<String>(pg)?;
        append(c, 3)?;
        // Carried inside a savepoint that then rolls back: event 3 belongs
        // to the enclosing transaction and stays, event 4 goes.
        let inner = c.write_tx(|c| -> Result<(), StoreError> {
            append(c, 4)?;
            let DbConnection::Pg(pg) = c else {
                unreachable!("a PostgreSQL database")
            };
            let insert = diesel::insert_into(settings::table)
                .values((settings::key.eq("undone"), settings::value.eq("3")))
                .returning(settings::key);
            event_batch::carried_by(pg, insert).get_result::<String>(pg)?;
            Err(StoreError::Corrupt("the nested change failed".into()))
        });
        assert!(inner.is_err());
        Ok(())
    })
    .unwrap();
    assert_eq!(appended(&mut conn), [1, 2, 3]);
    let keys: Vec<String> = settings::table
        .select(settings::key)
        .filter(settings::key.eq_any(["carrier", "empty", "undone"]))
        .load(&mut **conn)
        .unwrap();
    assert_eq!(keys.len(), 2);
}

on_both_backends!(
    committed_events_are_written_in_order_and_read_inside,
    a_rolled_back_transaction_or_savepoint_drops_its_own_events,
    events_outside_a_transaction_are_written_at_once,
);

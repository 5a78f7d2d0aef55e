//! The event feed on real databases: a committed change writes one row per
//! dossier it touched, a change the feed does not show or a rolled-back
//! one writes none, and the sequencer's positions never let a reader skip
//! a row, even one committed after a later id (PostgreSQL).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../../tests/common/db.rs"]
mod db;
mod common {
    pub use super::db::Backend;
}

use std::sync::{Arc, Barrier};

use chrono::{Duration, Utc};
use db::{Backend, ScratchDb};
use diesel::Connection;
use motcua_domain::Status;
use motcua_store::dossiers::{self, ClockProjection};
use motcua_store::{feed, generate, Database, DbConnection, StoreError};

/// A migrated database with three generated dossiers, each with its first
/// row in the feed (as the migration writes for dossiers already there),
/// sequenced at positions 1 to 3.
fn database(backend: Backend) -> (Database, ScratchDb, Vec<String>) {
    let scratch = ScratchDb::new(backend);
    let db = Database::connect(&scratch.url, 4).unwrap();
    db.migrate().unwrap();
    let mut conn = db.get().unwrap();
    generate::prepare(&mut conn, 1).unwrap();
    generate::dossiers(&mut conn, 1, 0, 3, Utc::now()).unwrap();
    let ids: Vec<String> = (0..3)
        .map(|i| format!("00000000-0000-7000-9000-{i:012}"))
        .collect();
    for id in &ids {
        feed::write_now(&mut conn, id).unwrap();
    }
    assert_eq!(feed::sequence(&mut conn).unwrap(), 3);
    (db, scratch, ids)
}

fn status(conn: &mut DbConnection, id: &str, s: Status) -> Result<(), StoreError> {
    dossiers::set_status(conn, id, s, Utc::now())
}

fn all(conn: &mut DbConnection) -> Vec<feed::FeedItem> {
    feed::sequence(conn).unwrap();
    feed::after(conn, 0, 1000, None).unwrap()
}

fn a_change_writes_one_row_per_dossier_at_commit(backend: Backend) {
    let (db, _scratch, ids) = database(backend);
    let mut conn = db.get().unwrap();
    // Two writes to one dossier and one to another in one transaction:
    // two rows, each showing its dossier as the transaction left it.
    conn.write_tx(|c| -> Result<(), StoreError> {
        status(c, &ids[0], Status::Processing)?;
        let due = Utc::now() + Duration::days(3);
        dossiers::set_clock(
            c,
            &ids[0],
            &ClockProjection {
                due_at: due,
                paused_since: None,
                bump: true,
            },
            Utc::now(),
        )?;
        status(c, &ids[1], Status::Processing)?;
        // Nothing is written before the commit.
        assert!(!feed::pending(c)?);
        Ok(())
    })
    .unwrap();
    let items = feed::after(&mut conn, 3, 10, None).unwrap();
    assert!(
        items.is_empty(),
        "no position before the sequencer: {items:?}"
    );
    assert!(feed::pending(&mut conn).unwrap());
    let items = all(&mut conn)[3..].to_vec();
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(items.iter().map(|i| i.position).collect::<Vec<_>>(), [4, 5]);
    let first = dossiers::get(&mut conn, &ids[0]).unwrap().unwrap();
    let item = items.iter().find(|i| i.dossier_id == ids[0]).unwrap();
    assert_eq!(item.status_code, Status::Processing.code());
    assert_eq!(item.due_at, first.due_at);
    assert_eq!(item.code, first.code);

    // The same status again: nothing the feed shows changed, no row.
    conn.write_tx(|c| status(c, &ids[0], Status::Processing))
        .unwrap();
    // A transaction that rolls back: no row.
    let failed = conn.write_tx(|c| -> Result<(), StoreError> {
        status(c, &ids[2], Status::Processed)?;
        Err(StoreError::Corrupt("refused".into()))
    });
    assert!(failed.is_err());
    // A savepoint that rolls back inside a committed transaction: the
    // dossier is as before, so no row either.
    conn.write_tx(|c| -> Result<(), StoreError> {
        let inner = c.write_tx(|c| -> Result<(), StoreError> {
            status(c, &ids[2], Status::Processed)?;
            Err(StoreError::Corrupt("refused".into()))
        });
        assert!(inner.is_err());
        Ok(())
    })
    .unwrap();
    assert_eq!(all(&mut conn).len(), 5);

    // Outside a transaction the row is written at once.
    status(&mut conn, &ids[2], Status::Processed).unwrap();
    let items = all(&mut conn);
    assert_eq!(items.len(), 6);
    assert_eq!(items[5].dossier_id, ids[2]);
    assert_eq!(items[5].position, 6);
    // Reading on from a cursor, and within a scope of agencies.
    assert_eq!(feed::after(&mut conn, 4, 10, None).unwrap().len(), 2);
    let none: Vec<String> = vec!["ELSEWHERE".into()];
    assert!(feed::after(&mut conn, 0, 10, Some(&none))
        .unwrap()
        .is_empty());
    let own = vec![generate::agency_code(0)];
    assert_eq!(feed::after(&mut conn, 0, 10, Some(&own)).unwrap().len(), 6);
    assert_eq!(feed::last_position(&mut conn).unwrap(), 6);
    // Read from the start, the last row of each dossier is the dossier.
    for id in &ids {
        let last = items.iter().rev().find(|i| &i.dossier_id == id).unwrap();
        let d = dossiers::get(&mut conn, id).unwrap().unwrap();
        assert_eq!(
            (last.status_code, last.due_at, last.handling_agency.as_str()),
            (d.status.code(), d.due_at, d.handling_agency.as_str())
        );
    }
}

/// PostgreSQL: a transaction takes the smaller id, another takes a larger
/// one and commits first. A reader then sees only the later; once the
/// first commits, the reader, going on from its cursor, sees it too.
#[test]
fn a_row_committed_after_a_later_id_is_not_skipped() {
    let (db, _scratch, ids) = database(Backend::Postgres);
    let written = Arc::new(Barrier::new(2));
    let go_on = Arc::new(Barrier::new(2));
    let slow = {
        let (db, id) = (db.clone(), ids[0].clone());
        let (written, go_on) = (written.clone(), go_on.clone());
        std::thread::spawn(move || {
            let mut conn = db.get().unwrap();
            conn.transaction(|c| -> Result<(), StoreError> {
                status(c, &id, Status::Processed)?;
                feed::write_now(c, &id)?;
                written.wait();
                go_on.wait();
                Ok(())
            })
            .unwrap();
        })
    };
    written.wait();
    let mut conn = db.get().unwrap();
    conn.write_tx(|c| status(c, &ids[1], Status::Processing))
        .unwrap();
    let seen = all(&mut conn)[3..].to_vec();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].dossier_id, ids[1]);
    let cursor = seen[0].position;
    go_on.wait();
    slow.join().unwrap();
    feed::sequence(&mut conn).unwrap();
    let next = feed::after(&mut conn, cursor, 10, None).unwrap();
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].dossier_id, ids[0]);
    // The smaller id, at the later position.
    assert!(next[0].event_id < seen[0].event_id);
    assert!(next[0].position > cursor);
}

on_both_backends!(a_change_writes_one_row_per_dossier_at_commit);

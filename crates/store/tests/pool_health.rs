//! The pool takes a connection without a round trip, and still finds and
//! replaces connections the database has dropped: on a real PostgreSQL
//! server whose backends are terminated under the pool (as a restart
//! does).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../../tests/common/db.rs"]
mod db;

use db::{Backend, ScratchDb};
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};
use motcua_store::{Database, SimpleConnection};

#[derive(QueryableByName)]
struct Activity {
    #[diesel(sql_type = Integer)]
    pid: i32,
    #[diesel(sql_type = Text)]
    query: String,
}

/// The server's view of the scratch database's backends (other than the
/// observer's own): each one's process id and the last statement it ran.
fn backends(admin: &mut PgConnection, db_name: &str) -> Vec<Activity> {
    diesel::sql_query(
        "SELECT pid, query FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() ORDER BY pid",
    )
    .bind::<Text, _>(db_name)
    .load(admin)
    .unwrap()
}

fn setup() -> (ScratchDb, Database, PgConnection, String) {
    let scratch = ScratchDb::new(Backend::Postgres);
    let db = Database::connect(&scratch.url, 3).unwrap();
    db.migrate().unwrap();
    let admin = PgConnection::establish(&db::postgres_admin_url()).unwrap();
    let name = scratch.url.rsplit('/').next().unwrap().to_string();
    (scratch, db, admin, name)
}

#[test]
fn taking_a_connection_sends_nothing() {
    let (_scratch, db, mut admin, name) = setup();
    // Open every connection of the pool and leave a mark on each.
    let held: Vec<_> = (0..3).map(|_| db.get().unwrap()).collect();
    for (i, mut c) in held.into_iter().enumerate() {
        c.batch_execute(&format!("SELECT 'mark {i}'")).unwrap();
    }
    // Taking them again (many times, and after a pause longer than the
    // second the pool used to trust a connection for) runs no statement:
    // each backend's last statement is still its mark, not a check.
    std::thread::sleep(std::time::Duration::from_millis(1200));
    for _ in 0..10 {
        let held: Vec<_> = (0..3).map(|_| db.get().unwrap()).collect();
        drop(held);
    }
    let seen = backends(&mut admin, &name);
    assert_eq!(seen.len(), 3, "three pooled backends");
    for b in &seen {
        assert!(
            b.query.starts_with("SELECT 'mark "),
            "backend {} ran {:?} after its mark",
            b.pid,
            b.query
        );
    }
}

#[test]
fn connections_the_server_dropped_are_replaced() {
    let (_scratch, db, mut admin, name) = setup();
    let held: Vec<_> = (0..3).map(|_| db.get().unwrap()).collect();
    drop(held);
    let before: Vec<i32> = backends(&mut admin, &name).iter().map(|b| b.pid).collect();
    assert_eq!(before.len(), 3);
    diesel::sql_query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
    )
    .bind::<Text, _>(&name)
    .execute(&mut admin)
    .unwrap();
    // The first statement on a dropped connection fails, and says so.
    let mut first = db.get().unwrap();
    let err = first
        .batch_execute("SELECT 'after the restart'")
        .unwrap_err();
    let err = motcua_store::StoreError::from(err);
    assert!(err.is_connection_lost(), "reported as lost: {err}");
    drop(first);
    // Every request after it gets a live connection: the lost one was
    // dropped, and the others were checked once before being handed out.
    for i in 0..6 {
        let held: Vec<_> = (0..3).map(|_| db.get().unwrap()).collect();
        for mut c in held {
            c.batch_execute(&format!("SELECT 'round {i}'")).unwrap();
        }
    }
    let after: Vec<i32> = backends(&mut admin, &name).iter().map(|b| b.pid).collect();
    assert_eq!(after.len(), 3, "the pool is back to three connections");
    assert!(
        after.iter().all(|p| !before.contains(p)),
        "all three replaced: {before:?} then {after:?}"
    );
}

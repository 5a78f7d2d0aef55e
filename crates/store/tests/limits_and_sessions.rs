//! The counters behind the desk's limits and the sessions behind its
//! tokens, on real SQLite and PostgreSQL databases: attempts counted from
//! many connections at once all count, a lock is seen by every
//! connection, a disabled user or an ended session is seen at once, and
//! the purges delete only what has outlived its use.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../../tests/common/db.rs"]
mod db;

use chrono::{DateTime, Duration, TimeZone, Utc};
use db::{Backend, ScratchDb};
use motcua_domain::throttle::Policy;
use motcua_domain::{AgencyCode, Role};
use motcua_store::sessions::{self, Session};
use motcua_store::users::{self, User};
use motcua_store::{agencies, idempotency, throttle, Database};

fn database(backend: Backend, pool: u32) -> (Database, ScratchDb) {
    let scratch = ScratchDb::new(backend);
    let db = Database::connect(&scratch.url, pool).unwrap();
    db.migrate().unwrap();
    (db, scratch)
}

fn at(seconds: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_800_000_000 + seconds, 0).unwrap()
}

fn concurrent_attempts_all_count_and_the_lock_is_shared(backend: Backend) {
    let (db, _scratch) = database(backend, 8);
    let policy = Policy::PIN_CODE;
    let now = at(0);
    // 40 attempts on one bucket from 8 threads, each on its own connection.
    let refused: usize = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let db = db.clone();
                s.spawn(move || {
                    let mut refused = 0;
                    for _ in 0..5 {
                        let mut conn = db.get().unwrap();
                        let counted = conn
                            .write_tx(|c| throttle::count_attempt(c, "pin-code:X", &policy, now))
                            .unwrap();
                        refused += usize::from(counted.was_locked);
                    }
                    refused
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    let mut conn = db.get().unwrap();
    let state = throttle::read(&mut conn, &["pin-code:X"]).unwrap();
    assert_eq!(state[0].1.failures, 40, "every attempt counted");
    // The fifth attempt locked the bucket: the 35 after it were refused.
    assert_eq!(refused, 35);
    let until = throttle::locked_until(&mut conn, &["pin-code:X", "other"], now).unwrap();
    assert!(until.is_some_and(|u| u > now));
    assert_eq!(
        throttle::locked_until(&mut conn, &["pin-code:X"], at(15 * 60 + 1)).unwrap(),
        None,
        "the lock never lasts longer than the policy's maximum"
    );
}

fn a_quiet_bucket_is_forgotten_and_purged(backend: Backend) {
    let (db, _scratch) = database(backend, 2);
    let mut conn = db.get().unwrap();
    let policy = Policy::LOGIN_ACCOUNT;
    for _ in 0..3 {
        conn.write_tx(|c| throttle::count_attempt(c, "login-account:a", &policy, at(0)))
            .unwrap();
    }
    let later = at(policy.reset.seconds());
    let counted = conn
        .write_tx(|c| throttle::count_attempt(c, "login-account:a", &policy, later))
        .unwrap();
    assert_eq!(counted.after.failures, 1, "an hour of quiet forgets");
    conn.write_tx(|c| throttle::count_attempt(c, "login-account:b", &policy, at(0)))
        .unwrap();
    let purged = conn
        .write_tx(|c| throttle::purge(c, at(0) + Duration::seconds(1), 100))
        .unwrap();
    assert_eq!(purged, 1, "only the bucket untouched since before the cut");
    assert_eq!(throttle::count(&mut conn).unwrap(), 1);
    throttle::clear(&mut conn, "login-account:a").unwrap();
    assert_eq!(throttle::count(&mut conn).unwrap(), 0);
}

fn demo_user(conn: &mut motcua_store::DbConnection) -> User {
    let agency = motcua_domain::Agency {
        code: AgencyCode::parse("H53").unwrap(),
        name: "Tỉnh".into(),
        level: motcua_domain::AgencyLevel::Province,
        parent: None,
        address: String::new(),
    };
    agencies::insert(conn, &agency).unwrap();
    let user = User {
        id: "u-1".into(),
        username: "an".into(),
        full_name: "Nguyễn An".into(),
        role: Role::Clerk,
        agency: agency.code,
        email: None,
        active: true,
    };
    users::insert(conn, &user, "hash").unwrap();
    user
}

fn session(id: &str, user: &User, created: DateTime<Utc>) -> Session {
    Session {
        id: id.into(),
        user_id: user.id.clone(),
        created_at: created,
        expires_at: created + Duration::hours(8),
        ended_at: None,
        ended_reason: None,
        client_addr: "127.0.0.1".into(),
    }
}

fn sessions_show_the_user_as_it_is_now(backend: Backend) {
    let (db, _scratch) = database(backend, 2);
    let mut conn = db.get().unwrap();
    let user = demo_user(&mut conn);
    sessions::insert(&mut conn, &session("s-1", &user, at(0))).unwrap();
    sessions::insert(&mut conn, &session("s-2", &user, at(10))).unwrap();
    let now = sessions::authenticate(&mut conn, "s-1").unwrap().unwrap();
    assert_eq!(
        (now.ended_at, now.user.role, now.user.active, now.expires_at),
        (None, Role::Clerk, true, at(0) + Duration::hours(8))
    );
    // Another connection changes the account: the next read sees it.
    let mut other = db.get().unwrap();
    users::update(
        &mut other,
        &user.id,
        &users::Changes {
            role: Some("officer".into()),
            active: Some(false),
            ..Default::default()
        },
    )
    .unwrap();
    let now = sessions::authenticate(&mut conn, "s-1").unwrap().unwrap();
    assert_eq!((now.user.role, now.user.active), (Role::Officer, false));
    assert!(sessions::end(&mut other, "s-1", "logout", at(20)).unwrap());
    assert!(!sessions::end(&mut other, "s-1", "logout", at(21)).unwrap());
    assert_eq!(
        sessions::authenticate(&mut conn, "s-1")
            .unwrap()
            .unwrap()
            .ended_at,
        Some(at(20))
    );
    let s = sessions::get(&mut conn, "s-1").unwrap().unwrap();
    assert_eq!(s.ended_reason.as_deref(), Some("logout"));
    assert_eq!(
        sessions::open_for_user(&mut conn, &user.id, at(30))
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        sessions::end_all_for_user(&mut conn, &user.id, "disabled", at(30)).unwrap(),
        1
    );
    assert!(sessions::authenticate(&mut conn, "missing")
        .unwrap()
        .is_none());
    // Purged a day after they expire, not before.
    let expired = at(10) + Duration::hours(8);
    assert_eq!(sessions::purge_expired(&mut conn, expired, 100).unwrap(), 1);
    assert_eq!(sessions::count(&mut conn).unwrap(), 1);
    assert_eq!(
        sessions::purge_expired(&mut conn, expired + Duration::seconds(1), 100).unwrap(),
        1
    );
    assert_eq!(sessions::count(&mut conn).unwrap(), 0);
}

fn idempotency_keys_are_purged_by_age(backend: Backend) {
    let (db, _scratch) = database(backend, 2);
    let mut conn = db.get().unwrap();
    for (i, t) in [(1, at(0)), (2, at(100)), (3, at(200))] {
        idempotency::reserve(&mut conn, "user:u", &format!("k{i}"), "h", t).unwrap();
    }
    let n = conn
        .write_tx(|c| idempotency::purge(c, at(150), 100))
        .unwrap();
    assert_eq!(n, 2);
    assert_eq!(idempotency::count(&mut conn).unwrap(), 1);
    let again = idempotency::reserve(&mut conn, "user:u", "k3", "h", at(201)).unwrap();
    assert_ne!(
        again,
        idempotency::Reservation::Reserved,
        "the newest is kept"
    );
}

macro_rules! on_both {
    ($($name:ident),*) => {$(
        mod $name {
            #[test]
            fn sqlite() { super::$name(super::Backend::Sqlite) }
            #[test]
            fn postgres() { super::$name(super::Backend::Postgres) }
        }
    )*};
}

on_both!(
    concurrent_attempts_all_count_and_the_lock_is_shared,
    a_quiet_bucket_is_forgotten_and_purged,
    sessions_show_the_user_as_it_is_now,
    idempotency_keys_are_purged_by_age
);

//! Breaches: due soon and overdue, recorded once per dossier and clock
//! state, also with two servers scanning one PostgreSQL database at once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{count, Backend, TestServer};
use motcua_store::dossiers::{self, ClockProjection};
use serde_json::json;

/// Logs `n` five-working-day dossiers and moves the due time of the first
/// `overdue` into the past and of the rest to a minute from now, as time
/// passing would.
fn dossiers_with_deadlines(s: &TestServer, n: usize, overdue: usize) -> Vec<String> {
    let clerk = s.login("clerk");
    let mut conn = s.conn();
    let now = motcua_store::time::now();
    (0..n)
        .map(|i| {
            let r = s.post(
                "/api/v1/dossiers",
                Some(&clerk),
                &json!({
                    "procedure": "1.000894",
                    "applicant": {"name": format!("Công dân {i}"), "id_number": format!("0841900{i:05}")},
                    "documents": [{"code": "TK", "original": 1}, {"code": "GTTT", "copies": 2}]
                }),
            );
            assert_eq!(r.status, 201, "{}", r.text);
            let code = r.json["code"].as_str().unwrap().to_string();
            let d = dossiers::find_by_code(&mut conn, &code).unwrap().unwrap();
            let due_at = if i < overdue {
                now - chrono::Duration::hours(1 + i as i64)
            } else {
                now + chrono::Duration::minutes(1)
            };
            dossiers::set_clock(
                &mut conn,
                &d.id,
                &ClockProjection { due_at, paused_since: None, bump: false },
                now,
            )
            .unwrap();
            code
        })
        .collect()
}

fn breaches_are_recorded_once_and_listed_most_late_first(backend: Backend) {
    let s = TestServer::start(backend);
    let codes = dossiers_with_deadlines(&s, 6, 3);
    let admin = s.login("admin");
    let r = s.post("/api/v1/breaches/scan", Some(&admin), &json!({}));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.json,
        json!({"overdue": 3, "due_soon": 3, "feedback_overdue": 0})
    );
    // Scanning again records nothing new.
    let r = s.post("/api/v1/breaches/scan", Some(&admin), &json!({}));
    assert_eq!(
        r.json,
        json!({"overdue": 0, "due_soon": 0, "feedback_overdue": 0})
    );

    // The district supervisor sees the commune's breaches, most late first.
    let sup = s.login("supervisor");
    let list = s.get("/api/v1/breaches?kind=overdue", Some(&sup));
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(list.json["total"], 3);
    let listed: Vec<_> = list.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["dossier_code"].as_str().unwrap())
        .collect();
    assert_eq!(
        listed,
        [codes[2].as_str(), codes[1].as_str(), codes[0].as_str()]
    );
    let page = s.get("/api/v1/breaches?limit=2&offset=0", Some(&sup));
    assert_eq!(page.json["total"], 6);
    assert_eq!(page.json["items"].as_array().unwrap().len(), 2);
    let filtered = s.get("/api/v1/breaches?procedure=1.001193", Some(&sup));
    assert_eq!(filtered.json["total"], 0);
    // Clerks do not see breaches; a supervisor cannot look above their agency.
    let clerk = s.login("clerk");
    s.get("/api/v1/breaches", Some(&clerk))
        .assert_problem(403, "forbidden");
    s.get("/api/v1/breaches?agency=H53", Some(&sup))
        .assert_problem(403, "forbidden");
    s.get("/api/v1/breaches?kind=late", Some(&sup))
        .assert_problem(422, "validation");

    // The due-soon worklist is live: overdue first, then due soon.
    let officer = s.login("officer");
    let due = s.get("/api/v1/breaches/due-soon", Some(&officer));
    assert_eq!(due.status, 200, "{}", due.text);
    let items = due.json.as_array().unwrap();
    assert_eq!(items.len(), 6);
    assert!(items[0]["remaining_working_seconds"].as_i64().unwrap() <= 0);

    // An extension changes the clock state: an overdue dossier extended and
    // overdue again is recorded again, once.
    let officer_extends = s.post(
        &format!("/api/v1/dossiers/{}/extension", codes[0]),
        Some(&officer),
        &json!({"reason": "Chờ xác minh", "new_due_at": common::working_days_from_now(10)}),
    );
    assert_eq!(officer_extends.status, 200, "{}", officer_extends.text);
    let mut conn = s.conn();
    let d = dossiers::find_by_code(&mut conn, &codes[0])
        .unwrap()
        .unwrap();
    assert_eq!(d.clock_version, 2);
    let past = motcua_store::time::now() - chrono::Duration::minutes(5);
    dossiers::set_clock(
        &mut conn,
        &d.id,
        &ClockProjection {
            due_at: past,
            paused_since: None,
            bump: false,
        },
        past,
    )
    .unwrap();
    let r = s.post("/api/v1/breaches/scan", Some(&admin), &json!({}));
    assert_eq!(r.json["overdue"], 1);
    assert_eq!(count(&mut conn, "breaches"), 7);
}

fn two_servers_record_each_breach_once(backend: Backend) {
    // Both servers also run the background job every second.
    let a = Arc::new(TestServer::start_with(backend, |c| {
        c.breach_interval_seconds = 1
    }));
    let b = Arc::new(TestServer::second(&a, |c| c.breach_interval_seconds = 1));
    dossiers_with_deadlines(&a, 20, 10);
    let token = Arc::new(a.login("admin"));
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let server = if i % 2 == 0 { a.clone() } else { b.clone() };
            let token = token.clone();
            std::thread::spawn(move || {
                for _ in 0..5 {
                    let r = server.post("/api/v1/breaches/scan", Some(&token), &json!({}));
                    assert_eq!(r.status, 200, "{}", r.text);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    // Let the background jobs of both servers run too.
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    let mut conn = a.conn();
    assert_eq!(
        count(&mut conn, "breaches"),
        20,
        "each breach once: 10 overdue, 10 due soon"
    );
    let sup = a.login("supervisor");
    let overdue = b.get("/api/v1/breaches?kind=overdue", Some(&sup));
    assert_eq!(overdue.json["total"], 10);
    let soon = b.get("/api/v1/breaches?kind=due_soon", Some(&sup));
    assert_eq!(soon.json["total"], 10);
}

fn background_job_records_breaches(backend: Backend) {
    let s = TestServer::start_with(backend, |c| c.breach_interval_seconds = 1);
    dossiers_with_deadlines(&s, 2, 1);
    let mut conn = s.conn();
    let deadline = Instant::now() + Duration::from_secs(10);
    while count(&mut conn, "breaches") < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(count(&mut conn, "breaches"), 2);
}

on_both_backends!(
    breaches_are_recorded_once_and_listed_most_late_first,
    two_servers_record_each_breach_once,
    background_job_records_breaches,
);

//! The counter hall over HTTP on both databases (docs/queue.md): an
//! administrator sets the hall; a kiosk takes tickets without logging in
//! (numbered per area per day without gaps, limited per address); clerks
//! call the next ticket of their counter's areas, recall, finish, skip,
//! and link tickets to dossiers; the board's event stream shows each call
//! live, from any server, and a board that reconnects is right at once;
//! the kiosk, ticket and board pages.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;

use chrono::Duration;
use common::{a11y, birth_registration, trust_loopback, Backend, TestServer};
use serde_json::{json, Value};

const COMMUNE: &str = "H53.50.05.13";

fn take(s: &TestServer, body: Value) -> common::Response {
    s.post(
        &format!("/api/v1/public/queue/{COMMUNE}/tickets"),
        None,
        &body,
    )
}

fn taken(s: &TestServer, body: Value) -> Value {
    let r = take(s, body);
    assert_eq!(r.status, 201, "{}", r.text);
    r.json
}

fn next(s: &TestServer, clerk: &str, counter: i32) -> Value {
    let r = s.post(
        "/api/v1/queue/next",
        Some(clerk),
        &json!({"counter": counter}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    r.json
}

fn act(s: &TestServer, clerk: &str, id: &str, what: &str) -> common::Response {
    s.post(
        &format!("/api/v1/queue/tickets/{id}/{what}"),
        Some(clerk),
        &json!({}),
    )
}

fn label(v: &Value) -> &str {
    v["label"].as_str().unwrap()
}

/// A day at the commune's hall, from the layout to the last ticket.
fn a_day_at_the_hall(backend: Backend) {
    let s = TestServer::start(backend);
    let (admin, clerk) = (s.login("admin"), s.login("clerk"));
    let hall_path = format!("/api/v1/agencies/{COMMUNE}/queue-hall");

    // The layout: checked whole, admins only.
    let demo = s.get(&hall_path, Some(&clerk));
    assert_eq!(demo.status, 200, "{}", demo.text);
    assert_eq!(demo.json["areas"][0]["letter"], "A");
    let bad = json!({"areas": [{"letter": "a", "name": "X"}],
        "counters": [{"number": 1, "name": "Quầy 1", "areas": ["Z"]}]});
    let r = s.put(&hall_path, Some(&admin), &bad);
    r.assert_problem(422, "validation");
    assert!(
        r.text.contains("areas[0].letter") && r.text.contains("counters[0].areas[0]"),
        "{}",
        r.text
    );
    s.put(&hall_path, Some(&clerk), &demo.json)
        .assert_problem(403, "forbidden");
    let r = s.put(&hall_path, Some(&admin), &demo.json);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json, demo.json);

    // The kiosk: one of area, field or procedure; the area's next number.
    let birth = taken(&s, json!({"procedure": "1.001193"}));
    assert_eq!(label(&birth), "A-001");
    assert_eq!(birth["area_name"], "Tư pháp - Hộ tịch");
    assert_eq!(birth["waiting_ahead"], 0);
    let copy = taken(&s, json!({"field": "Chứng thực"}));
    assert_eq!(label(&copy), "A-002");
    assert_eq!(copy["waiting_ahead"], 1);
    let residence = taken(&s, json!({"area": "B"}));
    assert_eq!(label(&residence), "B-001");
    for (body, field) in [
        (json!({}), "area"),
        (json!({"area": "A", "field": "Hộ tịch"}), "area"),
        (json!({"area": "C"}), "area"),
        (json!({"field": "Đất đai"}), "field"),
        (json!({"procedure": "9.999999"}), "procedure"),
    ] {
        let r = take(&s, body.clone());
        r.assert_problem(422, "validation");
        assert_eq!(r.json["errors"][0]["field"], field, "{body}: {}", r.text);
    }
    s.post(
        "/api/v1/public/queue/H99/tickets",
        None,
        &json!({"area": "A"}),
    )
    .assert_problem(404, "not-found");
    let hall = s.get(&format!("/api/v1/public/queue/{COMMUNE}"), None);
    assert_eq!(hall.status, 200);
    assert_eq!(hall.json["areas"][0]["waiting"], 2);
    assert_eq!(hall.json["areas"][1]["waiting"], 1);

    // The counters: counter 1 serves A, counter 2 serves A and B, each
    // calling the oldest ticket first; calling again finishes the last.
    s.post(
        "/api/v1/queue/next",
        Some(&s.login("officer")),
        &json!({"counter": 1}),
    )
    .assert_problem(403, "forbidden");
    s.post("/api/v1/queue/next", Some(&clerk), &json!({"counter": 9}))
        .assert_problem(422, "validation");
    let one = next(&s, &clerk, 1);
    assert_eq!(label(&one["called"]), "A-001");
    assert!(one["finished"].is_null());
    assert_eq!(one["waiting"], 1);
    let two = next(&s, &clerk, 2);
    assert_eq!(label(&two["called"]), "A-002");
    assert_eq!(two["waiting"], 1);
    s.clock.advance(Duration::minutes(7));
    let two = next(&s, &clerk, 2);
    assert_eq!(label(&two["finished"]), "A-002");
    assert_eq!(two["finished"]["status"], "done");
    assert_eq!(label(&two["called"]), "B-001");
    let one = next(&s, &clerk, 1);
    assert_eq!(label(&one["finished"]), "A-001");
    assert!(one["called"].is_null());
    assert_eq!(one["waiting"], 0);
    let seen = s.get(
        &format!(
            "/api/v1/public/queue/tickets/{}",
            residence["id"].as_str().unwrap()
        ),
        None,
    );
    assert_eq!(seen.json["status"], "called");
    assert_eq!(seen.json["counter_name"], "Quầy 2");

    // Recall, finish, skip: only a called ticket.
    let b = two["called"]["id"].as_str().unwrap();
    let r = act(&s, &clerk, b, "recall");
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["calls"], 2);
    let late = taken(&s, json!({"area": "A"}));
    act(&s, &clerk, late["id"].as_str().unwrap(), "skip").assert_problem(409, "conflict");
    act(&s, &s.login("clerk.huyen"), b, "finish").assert_problem(403, "forbidden");
    assert_eq!(act(&s, &clerk, b, "finish").json["status"], "done");
    act(&s, &clerk, b, "skip").assert_problem(409, "conflict");
    let called = next(&s, &clerk, 1)["called"].clone();
    assert_eq!(called["id"], late["id"]);
    assert_eq!(
        act(&s, &clerk, late["id"].as_str().unwrap(), "skip").json["status"],
        "no_show"
    );

    // A ticket linked to the dossiers logged from it, once each.
    let ticket = taken(&s, json!({"area": "A"}));
    let id = ticket["id"].as_str().unwrap();
    let link = |code: &str| {
        s.post(
            &format!("/api/v1/queue/tickets/{id}/dossiers"),
            Some(&clerk),
            &json!({"dossier": code}),
        )
    };
    let dossier = s.post("/api/v1/dossiers", Some(&clerk), &birth_registration());
    let code = dossier.json["code"].as_str().unwrap().to_string();
    link(&code).assert_problem(409, "conflict");
    next(&s, &clerk, 1);
    let r = link(&code);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["dossiers"], json!([code]));
    let events = common::count(&mut s.conn(), "events");
    assert_eq!(link(&code).json["dossiers"], json!([code]));
    assert_eq!(
        common::count(&mut s.conn(), "events"),
        events,
        "linking again changes nothing"
    );
    link("H53.50.05.13-000000-9999").assert_problem(422, "validation");
    let other = next_ticket_called(&s, &clerk);
    s.post(
        &format!("/api/v1/queue/tickets/{other}/dossiers"),
        Some(&clerk),
        &json!({"dossier": code}),
    )
    .assert_problem(409, "conflict");

    // The day's list, and a new day numbering from 1 again.
    let list = s.get("/api/v1/queue/tickets", Some(&clerk));
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(list.json["total"], 6);
    let done = s.get("/api/v1/queue/tickets?status=done", Some(&clerk));
    assert_eq!(done.json["total"], 4);
    s.get("/api/v1/queue/tickets?day=08-12-2026", Some(&clerk))
        .assert_problem(422, "validation");
    s.get("/api/v1/queue/tickets", Some(&s.login("officer")))
        .assert_problem(403, "forbidden");
    s.clock.advance(Duration::days(1));
    let clerk = s.login("clerk");
    assert_eq!(label(&taken(&s, json!({"area": "A"}))), "A-001");
    assert!(
        next(&s, &clerk, 1)["called"]["label"] == "A-001",
        "yesterday's waiting tickets are not called today"
    );
}

/// A ticket taken and called at counter 1; its id.
fn next_ticket_called(s: &TestServer, clerk: &str) -> String {
    let t = taken(s, json!({"area": "A"}));
    let called = next(s, clerk, 1);
    assert_eq!(called["called"]["id"], t["id"]);
    t["id"].as_str().unwrap().to_string()
}

/// Many kiosks at once get every number once; two counters calling at
/// once never get the same ticket.
fn numbers_have_no_gaps_and_calls_no_repeats(backend: Backend) {
    let s = TestServer::start_with(backend, |c| {
        trust_loopback(c);
        c.tickets_per_minute = 10_000;
    });
    let clerk = s.login("clerk");
    let labels: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|k| {
                let s = &s;
                scope.spawn(move || {
                    (0..10)
                        .map(|_| {
                            let r = s.send(
                                "POST",
                                &format!("/api/v1/public/queue/{COMMUNE}/tickets"),
                                None,
                                &[
                                    ("Content-Type", "application/json"),
                                    ("X-Forwarded-For", &format!("10.0.0.{k}")),
                                ],
                                Some(r#"{"area":"A"}"#),
                            );
                            assert_eq!(r.status, 201, "{}", r.text);
                            r.json["label"].as_str().unwrap().to_string()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let unique: BTreeSet<&String> = labels.iter().collect();
    assert_eq!(unique.len(), 40);
    let expected: BTreeSet<String> = (1..=40).map(|n| format!("A-{n:03}")).collect();
    assert_eq!(
        unique.into_iter().cloned().collect::<BTreeSet<_>>(),
        expected
    );

    let called: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = [1, 2]
            .into_iter()
            .map(|counter| {
                let (s, clerk) = (&s, &clerk);
                scope.spawn(move || {
                    let mut mine = Vec::new();
                    loop {
                        let r = next(s, clerk, counter);
                        match r["called"]["id"].as_str() {
                            Some(id) => mine.push(id.to_string()),
                            None => return mine,
                        }
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert_eq!(called.len(), 40, "every ticket called");
    assert_eq!(
        called.iter().collect::<BTreeSet<_>>().len(),
        40,
        "none twice"
    );
}

/// The kiosk's limit is per address, answered 429 with Retry-After.
fn the_kiosk_is_limited_per_address(backend: Backend) {
    let s = TestServer::start_with(backend, |c| {
        trust_loopback(c);
        c.tickets_per_minute = 3;
    });
    let from = |client: &str| {
        s.send(
            "POST",
            &format!("/api/v1/public/queue/{COMMUNE}/tickets"),
            None,
            &[
                ("Content-Type", "application/json"),
                ("X-Forwarded-For", client),
            ],
            Some(r#"{"area":"A"}"#),
        )
    };
    for _ in 0..3 {
        assert_eq!(from("10.1.1.1").status, 201);
    }
    let r = from("10.1.1.1");
    r.assert_problem(429, "rate-limited");
    assert!(r.header("retry-after").unwrap().parse::<i64>().unwrap() > 0);
    assert_eq!(from("10.1.1.2").status, 201, "another kiosk is not held up");
    s.clock.advance(Duration::minutes(2));
    assert_eq!(from("10.1.1.1").status, 201);
}

/// The board's stream: the whole hall when it opens and at each call,
/// calls made on another server included; a stream ends when its server
/// stops, and a board reconnecting gets the hall as it is; the streams a
/// server keeps are bounded.
fn the_board_follows_the_calls_on_every_server(backend: Backend) {
    let s = TestServer::start_with(backend, |c| c.board_poll_millis = 50);
    let clerk = s.login("clerk");
    let board = format!("/api/v1/public/queue/{COMMUNE}/board");
    let mut stream = s.events(&board).map_err(|r| r.text).unwrap();
    assert!(stream.content_type.starts_with("text/event-stream"));
    let first = stream.next_event().unwrap();
    assert_eq!(first.name, "hall");
    assert_eq!(first.json["agency"], COMMUNE);
    assert_eq!(first.json["serving"], json!([]));

    taken(&s, json!({"area": "A"}));
    let e = stream.until(|h| h["areas"][0]["waiting"] == 1);
    assert_eq!(e.json["serving"], json!([]));
    next(&s, &clerk, 1);
    let e = stream.until(|h| h["serving"].as_array().is_some_and(|a| !a.is_empty()));
    assert_eq!(e.json["serving"][0]["label"], "A-001");
    assert_eq!(e.json["serving"][0]["counter_name"], "Quầy 1");
    assert_eq!(e.json["recent"][0]["label"], "A-001");

    // A second server behind the same balancer: its calls show here, and
    // its own stream ends when it stops.
    let other = TestServer::second(&s, |c| c.board_poll_millis = 50);
    let mut there = other.events(&board).map_err(|r| r.text).unwrap();
    assert_eq!(
        there.next_event().unwrap().json["serving"][0]["label"],
        "A-001"
    );
    taken(&other, json!({"area": "A"}));
    next(&other, &other.login("clerk"), 2);
    let e = stream.until(|h| h["serving"].as_array().is_some_and(|a| a.len() == 2));
    assert_eq!(e.json["serving"][1]["label"], "A-002");
    assert_eq!(e.json["serving"][1]["counter_name"], "Quầy 2");
    drop(other);
    while there.next_event().is_some() {}

    // Reconnecting: the hall as it is, at once.
    let again = s.first_event(&board);
    assert_eq!(again.json["serving"][1]["label"], "A-002");
    s.get("/api/v1/public/queue/H99/board", None)
        .assert_problem(404, "not-found");

    // The streams one server keeps.
    let capped = TestServer::start_with(backend, |c| {
        c.board_streams = 1;
        c.board_poll_millis = 50;
    });
    let held = capped.events(&board).map_err(|r| r.text).unwrap();
    let refused = capped.events(&board).err().unwrap();
    refused.assert_problem(429, "rate-limited");
    assert!(refused.header("retry-after").is_some());
    drop(held);
    let reopened = (0..100).find_map(|_| {
        std::thread::sleep(std::time::Duration::from_millis(100));
        capped.events(&board).ok()
    });
    assert!(reopened.is_some(), "a closed board gives its place back");
}

/// The kiosk page takes a ticket and shows it ready to print; the board
/// page draws the hall; both pass the accessibility check.
fn the_hall_pages(backend: Backend) {
    let s = TestServer::start(backend);
    let kiosk = s.get(&format!("/hang-cho/{COMMUNE}/lay-so"), None);
    assert_eq!(kiosk.status, 200);
    a11y::check("kiosk", &kiosk.text);
    assert!(kiosk.text.contains("Tư pháp - Hộ tịch"), "{}", kiosk.text);
    let r = s.send(
        "POST",
        &format!("/hang-cho/{COMMUNE}/lay-so"),
        None,
        &[("Content-Type", "application/x-www-form-urlencoded")],
        Some("area=B&lang=en"),
    );
    // The answer is a 303 to the ticket's page, which the client follows.
    let ticket = r;
    assert_eq!(ticket.status, 200, "{}", ticket.text);
    a11y::check("ticket", &ticket.text);
    assert!(
        ticket.text.contains("B-001")
            && ticket.text.contains("data-print")
            && ticket.text.contains("<html lang=\"en\">"),
        "{}",
        ticket.text
    );
    assert!(ticket
        .header("content-security-policy")
        .unwrap()
        .contains("script-src 'self'"));
    let bad = s.send(
        "POST",
        &format!("/hang-cho/{COMMUNE}/lay-so"),
        None,
        &[("Content-Type", "application/x-www-form-urlencoded")],
        Some("area=Q"),
    );
    assert_eq!(bad.status, 422);
    a11y::check("kiosk refused", &bad.text);
    next(&s, &s.login("clerk"), 2);
    let board = s.get(&format!("/hang-cho/{COMMUNE}"), None);
    assert_eq!(board.status, 200);
    a11y::check("board", &board.text);
    assert!(
        board.text.contains("B-001") && board.text.contains("Quầy 2"),
        "{}",
        board.text
    );
    assert_eq!(s.get("/hang-cho/H99", None).status, 404);
    assert_eq!(s.get("/hang-cho/ve/nope", None).status, 404);
    let script = s.get("/hang-cho.js", None);
    assert!(script.content_type.starts_with("text/javascript"));
    assert!(script.text.contains("EventSource"));
}

/// The results report carries each area's day: tickets, served,
/// missed, never called, the wait and the service (average and 90th
/// percentile), tickets per office hour.
fn the_waiting_and_service_times_reach_the_report(backend: Backend) {
    let s = TestServer::start(backend);
    let clerk = s.login("clerk");
    // Four tickets a minute apart; three called after 10, 14 and 25
    // minutes' wait, two served in 5 and 9 minutes, one missed, one never
    // called.
    let ids: Vec<String> = (0..4)
        .map(|_| {
            let t = taken(&s, json!({"area": "A"}));
            s.clock.advance(Duration::minutes(1));
            t["id"].as_str().unwrap().to_string()
        })
        .collect();
    s.clock.advance(Duration::minutes(6));
    assert_eq!(next(&s, &clerk, 1)["called"]["id"], ids[0].as_str());
    s.clock.advance(Duration::minutes(5));
    let r = next(&s, &clerk, 1);
    assert_eq!(r["called"]["id"], ids[1].as_str());
    s.clock.advance(Duration::minutes(9));
    act(&s, &clerk, &ids[1], "finish");
    s.clock.advance(Duration::minutes(3));
    let r = next(&s, &clerk, 2);
    assert_eq!(r["called"]["id"], ids[2].as_str());
    act(&s, &clerk, &ids[2], "skip");

    let report = s.get(
        "/api/v1/reports/results?period=2026-12",
        Some(&s.login("supervisor")),
    );
    assert_eq!(report.status, 200, "{}", report.text);
    let lines = report.json["queue"].as_array().unwrap();
    assert_eq!(lines.len(), 1, "{}", report.text);
    let l = &lines[0];
    assert_eq!(l["agency"], COMMUNE);
    assert_eq!(l["area"], "A");
    assert_eq!(l["area_name"], "Tư pháp - Hộ tịch");
    assert_eq!(l["day"], "2026-12-08");
    assert_eq!(
        (
            l["tickets"].as_i64(),
            l["served"].as_i64(),
            l["no_show"].as_i64(),
            l["not_called"].as_i64()
        ),
        (Some(4), Some(2), Some(1), Some(1))
    );
    // Waits: 10, 14 and 25 minutes (mean 16.3, nearest rank 25).
    assert_eq!(l["wait"]["count"], 3);
    assert_eq!(l["wait"]["average_minutes"], 16.3);
    assert_eq!(l["wait"]["p90_minutes"], 25.0);
    // Services: 5 and 9 minutes.
    assert_eq!(l["service"]["average_minutes"], 7.0);
    assert_eq!(l["service"]["p90_minutes"], 9.0);
    // Four tickets over the 8 office hours of the day.
    assert_eq!(l["tickets_per_hour"], 0.5);
}

on_both_backends!(
    the_waiting_and_service_times_reach_the_report,
    a_day_at_the_hall,
    numbers_have_no_gaps_and_calls_no_repeats,
    the_kiosk_is_limited_per_address,
    the_board_follows_the_calls_on_every_server,
    the_hall_pages,
);

//! Look-ups and log-ins that cannot be brute-forced (issue 11): failed
//! log-ins limited per account and per client, wrong PINs per code and per
//! client, the client known behind a trusted proxy only, every 429 with
//! `Retry-After`, and an unknown code handled exactly like a wrong PIN.
//! The limits are counted in the database, so two servers share them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{birth_registration, count, Backend, Response, TestServer};
use motcua_store::events;

/// Asserts a 429 whose `Retry-After` header and body agree; returns the
/// seconds to wait.
fn assert_429(r: &Response) -> i64 {
    r.assert_problem(429, "rate-limited");
    let wait = r.json["retry_after_seconds"].as_i64().unwrap();
    assert!(wait >= 1, "{}", r.text);
    assert_eq!(r.header("retry-after"), Some(wait.to_string().as_str()));
    wait
}

/// Moves every lock into the past, as waiting out the lock would.
fn wait_out_locks(s: &TestServer) {
    s.sql("UPDATE throttle SET locked_until = NULL");
}

fn failed_logins_lock_the_account_briefly_and_the_address_longer(backend: Backend) {
    let s = TestServer::behind_proxy(backend);
    let attacker = "203.0.113.9";
    let owner = "198.51.100.7";
    for i in 1..=5 {
        s.try_login("clerk", &format!("doan-{i}"), Some(attacker))
            .assert_problem(401, "unauthorized");
    }
    // Locked: even the right password waits, from anywhere, and nothing is
    // checked (no failure counted, no event written).
    let events_before = count(&mut s.conn(), "events");
    let wait = assert_429(&s.try_login("clerk", "demo", Some(attacker)));
    assert!(wait <= 60, "the first lock is a minute: {wait}");
    assert_429(&s.try_login("clerk", "demo", Some(owner)));
    assert_eq!(count(&mut s.conn(), "events"), events_before);
    // Once the lock has passed, the owner logs in from elsewhere, and the
    // account's count starts again.
    wait_out_locks(&s);
    assert_eq!(s.try_login("clerk", "demo", Some(owner)).status, 200);
    for i in 1..=4 {
        s.try_login("clerk", &format!("lai-{i}"), Some(owner))
            .assert_problem(401, "unauthorized");
    }
    assert_eq!(s.try_login("clerk", "demo", Some(owner)).status, 200);

    // One client trying many accounts: 20 failures, then the client waits
    // whatever account it names, while others are not held up.
    let sprayer = "192.0.2.66";
    for i in 0..20 {
        s.try_login(&format!("khong-co-{i}"), "sai-mat-khau", Some(sprayer))
            .assert_problem(401, "unauthorized");
    }
    assert_429(&s.try_login("clerk.huyen", "demo", Some(sprayer)));
    assert_eq!(s.try_login("clerk.huyen", "demo", Some(owner)).status, 200);

    // Every attempt that was checked is an event, with the client.
    let failed = events::for_subject(&mut s.conn(), "login", "khong-co-0").unwrap();
    assert!(!failed.is_empty());
    assert_eq!(failed[0].kind.as_str(), "auth.login_failed");
    assert_eq!(failed[0].data["client"], sprayer);
}

fn the_account_lock_holds_across_servers(backend: Backend) {
    let one = TestServer::behind_proxy(backend);
    let two = TestServer::second(&one, common::trust_loopback);
    for i in 0..5 {
        let s = if i % 2 == 0 { &one } else { &two };
        s.try_login("officer", "sai", Some(&format!("203.0.113.{i}")))
            .assert_problem(401, "unauthorized");
    }
    assert_429(&one.try_login("officer", "demo", Some("198.51.100.1")));
    assert_429(&two.try_login("officer", "demo", Some("198.51.100.2")));
}

fn intake(s: &TestServer) -> (String, String) {
    let clerk = s.login("clerk");
    let r = s.post("/api/v1/dossiers", Some(&clerk), &birth_registration());
    assert_eq!(r.status, 201, "{}", r.text);
    (
        r.json["code"].as_str().unwrap().to_string(),
        r.json["pin"].as_str().unwrap().to_string(),
    )
}

fn lookup(s: &TestServer, code: &str, pin: &str, client: &str) -> Response {
    s.send(
        "GET",
        &format!("/api/v1/public/dossiers/{code}?pin={pin}"),
        None,
        &[("X-Forwarded-For", client)],
        None,
    )
}

fn wrong_pins_are_limited_per_code_and_a_mistype_is_not(backend: Backend) {
    let s = TestServer::behind_proxy(backend);
    let (code, pin) = intake(&s);
    // A citizen who mistypes twice is never blocked.
    for wrong in ["AAAAAA", "BBBBBB"] {
        lookup(&s, &code, wrong, "198.51.100.7").assert_problem(404, "dossier-not-found");
    }
    assert_eq!(lookup(&s, &code, &pin, "198.51.100.7").status, 200);
    // Guessing from many clients: after five wrong PINs in all, the code
    // answers 429 to everyone, the right PIN included, until the lock has
    // passed.
    for (i, wrong) in ["CCCCCC", "DDDDDD", "EEEEEE"].iter().enumerate() {
        lookup(&s, &code, wrong, &format!("203.0.113.{i}"))
            .assert_problem(404, "dossier-not-found");
    }
    let wait = assert_429(&lookup(&s, &code, "FFFFFF", "203.0.113.9"));
    assert!(wait <= 60);
    assert_429(&lookup(&s, &code, &pin, "198.51.100.7"));
    wait_out_locks(&s);
    assert_eq!(lookup(&s, &code, &pin, "198.51.100.7").status, 200);
    // The next wrong PIN is answered, and locks the code again for twice
    // as long.
    lookup(&s, &code, "GGGGGG", "203.0.113.9").assert_problem(404, "dossier-not-found");
    let again = assert_429(&lookup(&s, &code, &pin, "198.51.100.7"));
    assert!((61..=120).contains(&again), "doubled: {again}");
}

fn wrong_pins_are_limited_per_client_across_codes(backend: Backend) {
    let s = TestServer::behind_proxy(backend);
    let (code, pin) = intake(&s);
    let guesser = "203.0.113.50";
    // Thirty wrong PINs on thirty made-up codes from one client...
    for i in 0..30 {
        let r = lookup(
            &s,
            &format!("H53.50.05.13-261201-{i:04}"),
            "ZZZZZZ",
            guesser,
        );
        r.assert_problem(404, "dossier-not-found");
    }
    // ...and that client waits, even for a real code with its PIN.
    assert_429(&lookup(&s, &code, &pin, guesser));
    assert_eq!(lookup(&s, &code, &pin, "198.51.100.7").status, 200);
}

fn an_unknown_code_and_a_wrong_pin_do_the_same_work(backend: Backend) {
    let s = TestServer::behind_proxy(backend);
    let (code, _) = intake(&s);
    let unknown = "H53.50.05.13-261201-9999";
    let a = lookup(&s, &code, "ZZZZZZ", "203.0.113.1");
    let b = lookup(&s, unknown, "ZZZZZZ", "203.0.113.2");
    assert_eq!((a.status, &a.text), (b.status, &b.text), "the same answer");
    // Both were counted: one failure per code and per client.
    let mut conn = s.conn();
    let rows = motcua_store::throttle::read(
        &mut conn,
        &[
            &format!("pin-code:{code}"),
            &format!("pin-code:{unknown}"),
            "pin-address:203.0.113.1",
            "pin-address:203.0.113.2",
        ],
    )
    .unwrap();
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert!(rows.iter().all(|(_, b)| b.failures == 1), "{rows:?}");
    // And both lock after the same number of guesses.
    for i in 0..4 {
        lookup(&s, &code, "YYYYYY", &format!("192.0.2.{i}"))
            .assert_problem(404, "dossier-not-found");
        lookup(&s, unknown, "YYYYYY", &format!("192.0.2.{i}"))
            .assert_problem(404, "dossier-not-found");
    }
    assert_429(&lookup(&s, &code, "YYYYYY", "192.0.2.9"));
    assert_429(&lookup(&s, unknown, "YYYYYY", "192.0.2.9"));
}

fn the_pin_limit_holds_across_servers(backend: Backend) {
    let one = TestServer::behind_proxy(backend);
    let two = TestServer::second(&one, common::trust_loopback);
    let (code, pin) = intake(&one);
    for i in 0..5 {
        let s = if i % 2 == 0 { &one } else { &two };
        lookup(s, &code, "QQQQQQ", &format!("203.0.113.{i}"))
            .assert_problem(404, "dossier-not-found");
    }
    assert_429(&lookup(&one, &code, &pin, "198.51.100.7"));
    assert_429(&lookup(&two, &code, &pin, "198.51.100.7"));
}

fn forwarded_for_is_ignored_unless_the_proxy_is_trusted(backend: Backend) {
    let s = TestServer::start(backend);
    let (code, pin) = intake(&s);
    // Each guess claims another client; without a trusted proxy they are
    // all the connection's peer, which the client limit stops at 30.
    let mut refused = None;
    for i in 0..40 {
        let r = lookup(
            &s,
            &format!("H53.50.05.13-261201-{i:04}"),
            "ZZZZZZ",
            &format!("10.9.{i}.1"),
        );
        if r.status == 429 {
            refused = Some(i);
            break;
        }
        r.assert_problem(404, "dossier-not-found");
    }
    assert_eq!(refused, Some(30));
    assert_429(&lookup(&s, &code, &pin, "10.9.99.1"));
}

fn every_429_says_when_to_come_back(backend: Backend) {
    let s = TestServer::start_with(backend, |c| c.submissions_per_minute = 2);
    let body = birth_registration().to_string();
    let submit = || {
        s.send(
            "POST",
            "/api/v1/public/dossiers",
            None,
            &[("Content-Type", "application/json")],
            Some(&body),
        )
    };
    assert_eq!(submit().status, 201);
    assert_eq!(submit().status, 201);
    let before = count(&mut s.conn(), "submissions");
    let refused = submit();
    let wait = assert_429(&refused);
    assert!(wait <= 60);
    assert_eq!(count(&mut s.conn(), "submissions"), before);
}

on_both_backends!(
    failed_logins_lock_the_account_briefly_and_the_address_longer,
    the_account_lock_holds_across_servers,
    wrong_pins_are_limited_per_code_and_a_mistype_is_not,
    wrong_pins_are_limited_per_client_across_codes,
    an_unknown_code_and_a_wrong_pin_do_the_same_work,
    the_pin_limit_holds_across_servers,
    forwarded_for_is_ignored_unless_the_proxy_is_trusted,
    every_429_says_when_to_come_back,
);

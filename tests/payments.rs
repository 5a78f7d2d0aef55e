//! Payments over HTTP on both databases: the desk records each fee as it
//! is paid (amount, channel, receipt, who); a dossier waiting for a
//! payment goes back to processing once what was paid since the request
//! covers it; the payment gateway's signed notification records an online
//! payment once, however often it is replayed, and is refused unsigned,
//! wrongly signed, tampered with or stale.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::Duration;
use common::world::World;
use common::{Backend, TestServer, PAYMENT_SECRET};
use motcua_api::webhook::signature::sign;
use serde_json::{json, Value};

fn payments(s: &TestServer, token: &str, code: &str) -> Value {
    let r = s.get(&format!("/api/v1/dossiers/{code}/payments"), Some(token));
    assert_eq!(r.status, 200, "{}", r.text);
    r.json
}

/// Posts a notice signed at `at` (Unix seconds) with `secret`.
fn notify_signed(s: &TestServer, body: &str, secret: &str, at: i64) -> common::Response {
    let sig = sign(secret, at, body.as_bytes()).unwrap();
    s.send(
        "POST",
        "/api/v1/payments/notify",
        None,
        &[
            ("Content-Type", "application/json"),
            ("Motcua-Signature", &sig),
        ],
        Some(body),
    )
}

fn notify(s: &TestServer, body: &str) -> common::Response {
    notify_signed(s, body, PAYMENT_SECRET, s.now().timestamp())
}

/// A fee paid at the counter, then a payment request settled in two
/// parts; each recorded with its channel, receipt and clerk, each with
/// its event; a closed dossier and the wrong callers are refused.
fn the_desk_records_payments_as_they_are_paid(backend: Backend) {
    let s = TestServer::start(backend);
    let world = World::new(&s);
    let (clerk, officer) = (s.login("clerk"), s.login("officer"));
    let (code, _) = world.dossier();
    let r = s.post(
        &format!("/api/v1/dossiers/{code}/payments"),
        Some(&clerk),
        &json!({"amount_vnd": 8000, "channel": "counter", "receipt_number": " BL-0001 "}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["settled"], false);
    assert_eq!(r.json["payment"]["receipt_number"], "BL-0001");
    assert_eq!(r.json["payment"]["channel"], "counter");
    assert!(r.json["payment"]["recorded_by"].is_string());
    let list = payments(&s, &officer, &code);
    assert_eq!(list["total_vnd"], 8000);
    assert_eq!(list["items"].as_array().unwrap().len(), 1);

    // Asked 50,000: 20,000 by transfer leaves it waiting, 30,000 more at
    // the counter settles it.
    let code = world.processing();
    let r = s.post(
        &format!("/api/v1/dossiers/{code}/payment-request"),
        Some(&officer),
        &json!({"amount_vnd": 50000}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let pay = |amount: i64, channel: &str, receipt: &str| {
        s.post(
            &format!("/api/v1/dossiers/{code}/payments"),
            Some(&clerk),
            &json!({"amount_vnd": amount, "channel": channel, "receipt_number": receipt}),
        )
    };
    let r = pay(20000, "transfer", "CK-778");
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        (r.json["settled"].clone(), r.json["status_code"].clone()),
        (json!(false), json!(6))
    );
    let r = pay(30000, "counter", "BL-0002");
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        (r.json["settled"].clone(), r.json["status_code"].clone()),
        (json!(true), json!(4))
    );
    let list = payments(&s, &clerk, &code);
    assert_eq!(list["total_vnd"], 50000);
    assert_eq!(list["requested_vnd"], 50000);
    assert_eq!(list["awaiting_payment"], false);
    let view = s.get(&format!("/api/v1/dossiers/{code}"), Some(&clerk));
    let kinds: Vec<String> = view.json["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect();
    let recorded = kinds
        .iter()
        .filter(|k| *k == "dossier.payment_recorded")
        .count();
    assert_eq!(recorded, 2, "{kinds:?}");
    assert!(kinds.iter().any(|k| k == "dossier.paid"), "{kinds:?}");

    // Bad input is named; nothing is written.
    let before = common::count(&mut s.conn(), "payments");
    for (body, field) in [
        (
            json!({"amount_vnd": 0, "channel": "counter", "receipt_number": "X"}),
            "amount_vnd",
        ),
        (
            json!({"amount_vnd": 10, "channel": "cash", "receipt_number": "X"}),
            "channel",
        ),
        (
            json!({"amount_vnd": 10, "channel": "counter", "receipt_number": "  "}),
            "receipt_number",
        ),
        (
            json!({"amount_vnd": 10, "channel": "counter"}),
            "receipt_number",
        ),
    ] {
        let r = s.post(
            &format!("/api/v1/dossiers/{code}/payments"),
            Some(&clerk),
            &body,
        );
        r.assert_problem(422, "validation");
        assert!(r.text.contains(field), "{field}: {}", r.text);
    }
    // The wrong callers; a closed dossier.
    for who in ["supervisor", "admin", "clerk.huyen"] {
        let r = s.post(
            &format!("/api/v1/dossiers/{code}/payments"),
            Some(&s.login(who)),
            &json!({"amount_vnd": 10, "channel": "counter", "receipt_number": "X"}),
        );
        r.assert_problem(403, "forbidden");
    }
    let (returned, _) = world.returned();
    let r = s.post(
        &format!("/api/v1/dossiers/{returned}/payments"),
        Some(&clerk),
        &json!({"amount_vnd": 10, "channel": "counter", "receipt_number": "X"}),
    );
    r.assert_problem(409, "conflict");
    assert_eq!(common::count(&mut s.conn(), "payments"), before);
}

/// The gateway's notice, signed: recorded online and settling the
/// request; the same notice replayed records nothing more; stale, wrongly
/// signed, tampered and unsigned notices are refused.
fn the_gateway_confirms_an_online_payment_once(backend: Backend) {
    let s = TestServer::start(backend);
    let world = World::new(&s);
    let clerk = s.login("clerk");
    let code = world.awaiting_payment(); // 8,000 asked
    let paid_at = (s.now() - Duration::minutes(2)).to_rfc3339();
    let body = json!({"transaction_id": "VNPT-0001", "dossier_code": code,
        "amount_vnd": 8000, "paid_at": paid_at})
    .to_string();
    let at = s.now().timestamp();
    let r = notify_signed(&s, &body, PAYMENT_SECRET, at);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["settled"], true);
    assert_eq!(r.json["repeat"], false);
    assert_eq!(r.json["status_code"], 4);
    assert_eq!(r.json["payment"]["channel"], "online");
    assert_eq!(r.json["payment"]["gateway_transaction"], "VNPT-0001");
    assert!(r.json["payment"]["recorded_by"].is_null());

    // Replayed as it was (same body, same signature): a repeat.
    let rows = common::count(&mut s.conn(), "payments");
    let r = notify_signed(&s, &body, PAYMENT_SECRET, at);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["repeat"], true);
    assert_eq!(common::count(&mut s.conn(), "payments"), rows);
    let list = payments(&s, &clerk, &code);
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["total_vnd"], 8000);

    // Replayed six minutes later: refused, whatever it carries.
    s.clock.advance(Duration::minutes(6));
    notify_signed(&s, &body, PAYMENT_SECRET, at).assert_problem(401, "unauthorized");
    // Signed with another secret; the body changed after signing; no
    // signature at all; a malformed one.
    notify_signed(
        &s,
        &body,
        "another-secret-of-more-than-32-chars",
        s.now().timestamp(),
    )
    .assert_problem(401, "unauthorized");
    let sig = sign(PAYMENT_SECRET, s.now().timestamp(), body.as_bytes()).unwrap();
    let tampered = body.replace("8000", "80000");
    for headers in [
        vec![
            ("Content-Type", "application/json"),
            ("Motcua-Signature", sig.as_str()),
        ],
        vec![("Content-Type", "application/json")],
        vec![
            ("Content-Type", "application/json"),
            ("Motcua-Signature", "t=abc,v1=zz"),
        ],
    ] {
        let r = s.send(
            "POST",
            "/api/v1/payments/notify",
            None,
            &headers,
            Some(&tampered),
        );
        r.assert_problem(401, "unauthorized");
    }
    assert_eq!(common::count(&mut s.conn(), "payments"), rows);

    // Signed but wrong: the transaction again with another amount; an
    // unknown dossier; a bad amount.
    let again = json!({"transaction_id": "VNPT-0001", "dossier_code": code,
        "amount_vnd": 9000, "paid_at": paid_at});
    notify(&s, &again.to_string()).assert_problem(409, "conflict");
    let unknown = json!({"transaction_id": "VNPT-0002", "dossier_code": "H53.50.05.13-000000-9999",
        "amount_vnd": 9000, "paid_at": paid_at});
    notify(&s, &unknown.to_string()).assert_problem(404, "not-found");
    let bad = json!({"transaction_id": "VNPT-0003", "dossier_code": code,
        "amount_vnd": -5, "paid_at": paid_at});
    let r = notify(&s, &bad.to_string());
    r.assert_problem(422, "validation");
    assert!(r.text.contains("amount_vnd"), "{}", r.text);
    let later = json!({"transaction_id": "VNPT-0004", "dossier_code": code,
        "amount_vnd": 1000, "paid_at": (s.now() + Duration::hours(1)).to_rfc3339()});
    let r = notify(&s, &later.to_string());
    r.assert_problem(422, "validation");
    assert!(r.text.contains("paid_at"), "{}", r.text);
    assert_eq!(common::count(&mut s.conn(), "payments"), rows);
}

/// A desk with no gateway set up says so.
fn without_a_secret_the_gateway_route_is_unavailable(backend: Backend) {
    let s = TestServer::start_with(backend, |c| c.payment_secret = None);
    let body = json!({"transaction_id": "X", "dossier_code": "Y", "amount_vnd": 1,
        "paid_at": s.now().to_rfc3339()})
    .to_string();
    notify(&s, &body).assert_problem(503, "unavailable");
}

on_both_backends!(
    the_desk_records_payments_as_they_are_paid,
    the_gateway_confirms_an_online_payment_once,
    without_a_secret_the_gateway_route_is_unavailable,
);

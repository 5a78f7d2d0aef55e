//! The public postal service both ways over HTTP on both databases
//! (docs/post.md): a dossier received by post keeps its parcel's tracking
//! code; the result the citizen asked to get by post is handed to the
//! post by a clerk of the receiving desk, and its delivery, recorded by a
//! clerk or notified by the postal service (signed like the payment
//! gateway's notice, recorded once however often it is replayed), is the
//! return; a failed delivery leaves the dossier processed. The public
//! look-up shows the journey; the results report splits by channel.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::Duration;
use common::{birth_registration, trust_loopback, Backend, TestServer, POSTAL_SECRET};
use motcua_api::webhook::signature::sign;
use serde_json::{json, Value};

/// A birth registration sent by post, the result wanted by post.
fn by_post() -> Value {
    let mut body = birth_registration();
    body["channel"] = json!("post");
    body["post"] = json!({"tracking_code": "ei 123 456 785 vn",
        "result_address": "Ấp 2, xã An Trường, huyện Càng Long"});
    body
}

fn notify_signed(s: &TestServer, body: &str, secret: &str, at: i64) -> common::Response {
    let sig = sign(secret, at, body.as_bytes()).unwrap();
    s.send(
        "POST",
        "/api/v1/postal/notify",
        None,
        &[
            ("Content-Type", "application/json"),
            ("Motcua-Signature", &sig),
        ],
        Some(body),
    )
}

fn notify(s: &TestServer, body: &Value) -> common::Response {
    notify_signed(s, &body.to_string(), POSTAL_SECRET, s.now().timestamp())
}

/// A dossier received with `body`, processed by the commune's officer:
/// its code and PIN.
fn processed(s: &TestServer, body: &Value) -> (String, String) {
    let r = s.post("/api/v1/dossiers", Some(&s.login("clerk")), body);
    assert_eq!(r.status, 201, "{}", r.text);
    let code = r.json["code"].as_str().unwrap().to_string();
    let pin = r.json["pin"].as_str().unwrap().to_string();
    let r = s.post(
        &format!("/api/v1/dossiers/{code}/processed"),
        Some(&s.login("officer")),
        &json!({"result": "Giấy khai sinh"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    (code, pin)
}

fn dispatch(s: &TestServer, code: &str, body: &Value) -> common::Response {
    s.post(
        &format!("/api/v1/dossiers/{code}/postal-dispatch"),
        Some(&s.login("clerk")),
        body,
    )
}

fn kinds(s: &TestServer, code: &str) -> Vec<String> {
    let view = s.get(&format!("/api/v1/dossiers/{code}"), Some(&s.login("clerk")));
    view.json["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect()
}

/// Received by post, the result sent by post and delivered (recorded by
/// the clerk): returned at the delivery time, by post; the look-up shows
/// each step.
fn both_ways_by_post(backend: Backend) {
    let s = TestServer::start(backend);
    let clerk = s.login("clerk");
    let (code, pin) = processed(&s, &by_post());
    let view = s.get(&format!("/api/v1/dossiers/{code}"), Some(&clerk));
    assert_eq!(view.json["channel"], "post");
    assert_eq!(view.json["post"]["inbound_code"], "EI123456785VN");
    assert_eq!(
        view.json["post"]["return_address"],
        "Ấp 2, xã An Trường, huyện Càng Long"
    );

    // Handed to the post an hour after processing.
    s.clock.advance(Duration::hours(1));
    let sent_at = s.now();
    let r = dispatch(&s, &code, &json!({"tracking_code": "EI987654321VN"}));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["status_code"], 9);
    assert_eq!(r.json["post"]["outbound_code"], "EI987654321VN");
    // Not twice while it travels.
    dispatch(&s, &code, &json!({"tracking_code": "EI111111111VN"})).assert_problem(409, "conflict");
    let public = s.get(&format!("/api/v1/public/dossiers/{code}?pin={pin}"), None);
    assert_eq!(public.json["post"]["tracking_code"], "EI987654321VN");
    assert_eq!(public.json["post"]["inbound_code"], "EI123456785VN");
    assert!(public.json["post"]["dispatched_at"].is_string());
    assert!(public.json["post"]["delivered_at"].is_null());
    assert!(
        !public.text.contains("Càng Long"),
        "the address stays private"
    );
    let page = s.get(&format!("/?code={code}&pin={pin}"), None);
    assert!(page.text.contains("EI987654321VN"), "{}", page.text);

    // Delivered the next day, recorded by the clerk two days later.
    let delivered_at = sent_at + Duration::days(1);
    s.clock.advance(Duration::days(3));
    let clerk = s.login("clerk");
    let r = s.post(
        &format!("/api/v1/dossiers/{code}/postal-delivery"),
        Some(&clerk),
        &json!({"outcome": "delivered", "at": delivered_at.to_rfc3339(),
            "received_by": "Nguyễn Văn An"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["status_code"], 10);
    let view = s.get(&format!("/api/v1/dossiers/{code}"), Some(&clerk));
    assert_eq!(view.json["status_code"], 10);
    let returned: chrono::DateTime<chrono::Utc> = view.json["post"]["delivered_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(returned, delivered_at);
    let k = kinds(&s, &code);
    for kind in [
        "dossier.postal_dispatched",
        "dossier.postal_delivered",
        "dossier.returned",
    ] {
        assert!(k.iter().any(|x| x == kind), "{kind}: {k:?}");
    }
    let public = s.get(&format!("/api/v1/public/dossiers/{code}?pin={pin}"), None);
    assert_eq!(public.json["status_code"], 10);
    assert!(public.json["post"]["delivered_at"].is_string());
    // Closed: no more postal steps.
    dispatch(&s, &code, &json!({"tracking_code": "EI222222222VN"})).assert_problem(409, "conflict");
}

/// Bad input named, nothing written; the wrong callers refused.
fn refused_input_and_callers(backend: Backend) {
    let s = TestServer::start_with(backend, trust_loopback);
    let clerk = s.login("clerk");
    let before = common::count(&mut s.conn(), "dossiers");
    // At intake: a tracking code only for a dossier that came by post;
    // a malformed one; online, no inbound code.
    let mut counter = by_post();
    counter["channel"] = json!("counter");
    for (body, field) in [
        (counter, "post.tracking_code"),
        (
            {
                let mut b = by_post();
                b["post"]["tracking_code"] = json!("EI/1");
                b
            },
            "post.tracking_code",
        ),
        (
            {
                let mut b = by_post();
                b["post"]["result_address"] = json!("x".repeat(501));
                b
            },
            "result_address",
        ),
    ] {
        let r = s.post("/api/v1/dossiers", Some(&clerk), &body);
        r.assert_problem(422, "validation");
        assert!(r.text.contains(field), "{field}: {}", r.text);
    }
    let mut online = birth_registration();
    online["post"] = json!({"tracking_code": "EI123456785VN"});
    let r = s.send(
        "POST",
        "/api/v1/public/dossiers",
        None,
        &[
            ("Content-Type", "application/json"),
            ("X-Forwarded-For", "10.8.8.1"),
        ],
        Some(&online.to_string()),
    );
    r.assert_problem(422, "validation");
    assert!(r.text.contains("post.tracking_code"), "{}", r.text);
    assert_eq!(common::count(&mut s.conn(), "dossiers"), before);

    // Dispatch: no address known, a bad code, a time ahead, not processed.
    let (code, _) = processed(&s, &birth_registration());
    for (body, field) in [
        (json!({"tracking_code": "EI987654321VN"}), "address"),
        (
            json!({"tracking_code": "??", "address": "Ấp 3"}),
            "tracking_code",
        ),
        (
            json!({"tracking_code": "EI987654321VN", "address": "Ấp 3",
                "dispatched_at": (s.now() + Duration::hours(2)).to_rfc3339()}),
            "dispatched_at",
        ),
    ] {
        let r = dispatch(&s, &code, &body);
        r.assert_problem(422, "validation");
        assert!(r.text.contains(field), "{field}: {}", r.text);
    }
    let r = s.post("/api/v1/dossiers", Some(&clerk), &by_post());
    let open = r.json["code"].as_str().unwrap().to_string();
    dispatch(&s, &open, &json!({"tracking_code": "EI987654321VN"})).assert_problem(409, "conflict");
    // The wrong callers.
    for who in ["officer", "supervisor", "admin", "clerk.huyen"] {
        let token = if who == "clerk.huyen" {
            s.create_user(&s.login("admin"), "clerk.huyen2", "clerk", "H53.50")
        } else {
            s.login(who)
        };
        let r = s.post(
            &format!("/api/v1/dossiers/{code}/postal-dispatch"),
            Some(&token),
            &json!({"tracking_code": "EI987654321VN", "address": "Ấp 3"}),
        );
        r.assert_problem(403, "forbidden");
        let r = s.post(
            &format!("/api/v1/dossiers/{code}/postal-delivery"),
            Some(&token),
            &json!({"outcome": "delivered"}),
        );
        r.assert_problem(403, "forbidden");
    }
    // Delivery of a result that is not with the post; a failure without
    // its reason.
    let r = s.post(
        &format!("/api/v1/dossiers/{code}/postal-delivery"),
        Some(&clerk),
        &json!({"outcome": "delivered"}),
    );
    r.assert_problem(409, "conflict");
    let r = s.post(
        &format!("/api/v1/dossiers/{code}/postal-delivery"),
        Some(&clerk),
        &json!({"outcome": "failed"}),
    );
    r.assert_problem(422, "validation");
    assert!(r.text.contains("reason"), "{}", r.text);
    let view = s.get(&format!("/api/v1/dossiers/{code}"), Some(&clerk));
    assert!(view.json["post"]["outbound_code"].is_null());
    assert_eq!(view.json["status_code"], 9);
}

/// The postal service's notices: a failure leaves it processed, sent
/// again, the delivery returns it; replays write nothing; bad, stale and
/// unsigned notices are refused.
fn the_post_notifies_once(backend: Backend) {
    let s = TestServer::start(backend);
    let (code, _) = processed(&s, &by_post());
    let r = dispatch(&s, &code, &json!({"tracking_code": "EI987654321VN"}));
    assert_eq!(r.status, 200, "{}", r.text);

    let failed = json!({"notice_id": "VNP-1", "tracking_code": "EI987654321VN",
        "outcome": "failed", "at": s.now().to_rfc3339(), "reason": "Không có người nhận"});
    let r = notify(&s, &failed);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["status_code"], 9);
    assert_eq!(r.json["repeat"], false);
    assert!(r.json["post"]["failed_at"].is_string());
    let r = notify(&s, &failed);
    assert_eq!(r.json["repeat"], true, "{}", r.text);
    assert_eq!(common::count(&mut s.conn(), "postal_notices"), 1);
    assert!(kinds(&s, &code)
        .iter()
        .any(|k| k == "dossier.postal_failed"));

    // Sent again under a new code; delivered.
    let r = dispatch(&s, &code, &json!({"tracking_code": "EI555555555VN"}));
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.json["post"]["failed_at"].is_null());
    let delivered = json!({"notice_id": "VNP-2", "tracking_code": "EI555555555VN",
        "outcome": "delivered", "at": s.now().to_rfc3339(), "received_by": "Nguyễn Văn An"});
    let body = delivered.to_string();
    let at = s.now().timestamp();
    let r = notify_signed(&s, &body, POSTAL_SECRET, at);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["status_code"], 10);
    let events = common::count(&mut s.conn(), "events");
    // Replayed as it was; the same outcome under another notice id.
    let r = notify_signed(&s, &body, POSTAL_SECRET, at);
    assert_eq!(r.json["repeat"], true, "{}", r.text);
    let mut again = delivered.clone();
    again["notice_id"] = json!("VNP-3");
    let r = notify(&s, &again);
    assert_eq!(r.json["repeat"], true, "{}", r.text);
    assert_eq!(common::count(&mut s.conn(), "events"), events);
    // The id again with another outcome; an unknown parcel.
    let mut other = failed.clone();
    other["notice_id"] = json!("VNP-2");
    other["tracking_code"] = json!("EI555555555VN");
    notify(&s, &other).assert_problem(409, "conflict");
    let mut unknown = delivered.clone();
    unknown["notice_id"] = json!("VNP-4");
    unknown["tracking_code"] = json!("EI000000000VN");
    notify(&s, &unknown).assert_problem(404, "not-found");
    let mut bad = delivered.clone();
    bad["notice_id"] = json!("VNP-5");
    bad["at"] = json!((s.now() + Duration::hours(1)).to_rfc3339());
    let r = notify(&s, &bad);
    r.assert_problem(422, "validation");
    assert!(r.text.contains("\"at\""), "{}", r.text);

    // Stale, signed with another secret, tampered, unsigned.
    s.clock.advance(Duration::minutes(6));
    notify_signed(&s, &body, POSTAL_SECRET, at).assert_problem(401, "unauthorized");
    notify_signed(
        &s,
        &body,
        "another-secret-of-more-than-32-chars",
        s.now().timestamp(),
    )
    .assert_problem(401, "unauthorized");
    let sig = sign(POSTAL_SECRET, s.now().timestamp(), body.as_bytes()).unwrap();
    let tampered = body.replace("VNP-2", "VNP-9");
    for headers in [
        vec![
            ("Content-Type", "application/json"),
            ("Motcua-Signature", sig.as_str()),
        ],
        vec![("Content-Type", "application/json")],
    ] {
        let r = s.send(
            "POST",
            "/api/v1/postal/notify",
            None,
            &headers,
            Some(&tampered),
        );
        r.assert_problem(401, "unauthorized");
    }
    // VNP-1, VNP-2 and VNP-3 (kept so its own replay is known), no more.
    assert_eq!(common::count(&mut s.conn(), "postal_notices"), 3);
}

/// The results report splits the returns by how they went, next to the
/// receiving channels.
fn reports_split_by_channel(backend: Backend) {
    let s = TestServer::start(backend);
    let clerk = s.login("clerk");
    let (by_post_code, _) = processed(&s, &by_post());
    dispatch(
        &s,
        &by_post_code,
        &json!({"tracking_code": "EI987654321VN"}),
    );
    let r = s.post(
        &format!("/api/v1/dossiers/{by_post_code}/postal-delivery"),
        Some(&clerk),
        &json!({"outcome": "delivered"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let (at_counter, _) = processed(&s, &birth_registration());
    let r = s.post(
        &format!("/api/v1/dossiers/{at_counter}/return"),
        Some(&clerk),
        &json!({"collected_by": "Nguyễn Văn An", "method": "counter"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    // Dispatched, not yet delivered: not returned.
    let (travelling, _) = processed(&s, &by_post());
    dispatch(&s, &travelling, &json!({"tracking_code": "EI444444444VN"}));
    let report = s.get(
        "/api/v1/reports/results?period=2026-12",
        Some(&s.login("supervisor")),
    );
    assert_eq!(report.status, 200, "{}", report.text);
    let total = &report.json["total"];
    assert_eq!(total["received_post"], 2, "{total}");
    assert_eq!(total["received_counter"], 1, "{total}");
    assert_eq!(total["returned_post"], 1, "{total}");
    assert_eq!(total["returned_counter"], 1, "{total}");
    assert_eq!(total["returned_online"], 0, "{total}");
    let csv = s.get(
        "/api/v1/reports/results?period=2026-12&format=csv",
        Some(&s.login("supervisor")),
    );
    assert!(
        csv.text.contains("Trả kết quả qua bưu chính"),
        "{}",
        csv.text
    );
}

/// A desk with no postal service set up says so.
fn without_a_secret_the_postal_route_is_unavailable(backend: Backend) {
    let s = TestServer::start_with(backend, |c| c.postal_secret = None);
    let body = json!({"notice_id": "X", "tracking_code": "EI987654321VN",
        "outcome": "delivered", "at": s.now().to_rfc3339()});
    notify(&s, &body).assert_problem(503, "unavailable");
}

on_both_backends!(
    both_ways_by_post,
    refused_input_and_callers,
    the_post_notifies_once,
    reports_split_by_channel,
    without_a_secret_the_postal_route_is_unavailable,
);

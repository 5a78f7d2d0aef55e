//! A returned dossier rated by the citizen, over HTTP on both databases:
//! on the public side with the receipt's PIN (not before the result is
//! returned, not with a wrong PIN, not twice, never with scores out of
//! range), and at the counter through a clerk of the receiving desk (not
//! by an officer). Each rating is one event on the dossier's history.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{birth_registration, Backend, TestServer};
use serde_json::{json, Value};

/// A birth registration taken in, processed and (if `returned`) handed
/// back: its code and PIN.
fn dossier(s: &TestServer, clerk: &str, officer: &str, returned: bool) -> (String, String) {
    let r = s.post("/api/v1/dossiers", Some(clerk), &birth_registration());
    assert_eq!(r.status, 201, "{}", r.text);
    let code = r.json["code"].as_str().unwrap().to_string();
    let pin = r.json["pin"].as_str().unwrap().to_string();
    let at = |what: &str| format!("/api/v1/dossiers/{code}/{what}");
    for (what, who, body) in [
        ("send", clerk, json!({})),
        ("receive", officer, json!({})),
        ("processed", officer, json!({"result": "Giấy khai sinh"})),
    ] {
        let r = s.post(&at(what), Some(who), &body);
        assert!(r.status < 300, "{what}: {}", r.text);
    }
    if returned {
        let r = s.post(
            &at("return"),
            Some(clerk),
            &json!({"collected_by": "Nguyễn Văn An", "method": "counter"}),
        );
        assert_eq!(r.status, 200, "{}", r.text);
    }
    (code, pin)
}

fn rating(pin: &str, scores: Value, overall: &str) -> Value {
    json!({"pin": pin, "scores": scores, "overall": overall, "comment": "  Cán bộ hướng dẫn tận tình  "})
}

fn a_returned_dossier_is_rated_once(backend: Backend) {
    let s = TestServer::start(backend);
    let (clerk, officer) = (s.login("clerk"), s.login("officer"));
    let good = json!([2, 2, 1, 2, 2, 2, 2, 1, 1]);

    // Processed but not returned yet: nothing to rate.
    let (code, pin) = dossier(&s, &clerk, &officer, false);
    let public = format!("/api/v1/public/dossiers/{code}/rating");
    s.post(&public, None, &rating(&pin, good.clone(), "satisfied"))
        .assert_problem(409, "conflict");
    let r = s.post(
        &format!("/api/v1/dossiers/{code}/return"),
        Some(&clerk),
        &json!({"collected_by": "Nguyễn Văn An", "method": "counter"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);

    // Wrong PIN: the look-up's answer; bad scores: named, nothing stored.
    s.post(&public, None, &rating("000000", good.clone(), "satisfied"))
        .assert_problem(404, "dossier-not-found");
    let r = s.post(
        &public,
        None,
        &rating(&pin, json!([2, 2, 3, 2, 2, 2, 2, 1, 1]), "satisfied"),
    );
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("scores[2]"), "{}", r.text);
    let r = s.post(&public, None, &rating(&pin, json!([2, 2, 2]), "satisfied"));
    assert_eq!(r.status, 422, "{}", r.text);
    assert!(r.text.contains("scores"), "{}", r.text);
    let r = s.post(&public, None, &rating(&pin, good.clone(), "thrilled"));
    assert_eq!(r.status, 422, "{}", r.text);
    let mut conn = s.conn();
    assert_eq!(common::count(&mut conn, "ratings"), 0);

    // Rated: the scores, their total, the comment trimmed.
    let r = s.post(&public, None, &rating(&pin, good.clone(), "satisfied"));
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["code"], code.as_str());
    assert_eq!(r.json["scores"], good);
    assert_eq!(r.json["total"], 15);
    assert_eq!(r.json["overall"], "satisfied");
    assert_eq!(r.json["comment"], "Cán bộ hướng dẫn tận tình");
    assert_eq!(r.json["channel"], "public");
    // Never changed afterwards, by the citizen or at the counter.
    s.post(
        &public,
        None,
        &rating(&pin, json!([0, 0, 0, 0, 0, 0, 0, 0, 0]), "not_satisfied"),
    )
    .assert_problem(409, "conflict");
    let counter = format!("/api/v1/dossiers/{code}/rating");
    let body = json!({"scores": [0, 0, 0, 0, 0, 0, 0, 0, 0], "overall": "not_satisfied"});
    s.post(&counter, Some(&clerk), &body)
        .assert_problem(409, "conflict");
    let d = motcua_store::dossiers::find_by_code(&mut conn, &code)
        .unwrap()
        .unwrap();
    let stored = motcua_store::ratings::get(&mut conn, &d.id)
        .unwrap()
        .unwrap();
    assert_eq!(stored.rating.overall, motcua_domain::Overall::Satisfied);
    let rated: Vec<_> = motcua_store::events::for_dossier(&mut conn, &d.id)
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == motcua_domain::EventKind::DossierRated)
        .collect();
    assert_eq!(rated.len(), 1);

    // At the counter: the clerk of the receiving desk records it; an
    // officer may not; without a token nobody may.
    let (other, _) = dossier(&s, &clerk, &officer, true);
    let counter = format!("/api/v1/dossiers/{other}/rating");
    s.post(&counter, Some(&officer), &body)
        .assert_problem(403, "forbidden");
    let r = s.post(&counter, None, &body);
    assert_eq!(r.status, 401, "{}", r.text);
    let r = s.post(&counter, Some(&clerk), &body);
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["channel"], "counter");
    assert_eq!(r.json["total"], 0);
    assert_eq!(common::count(&mut conn, "ratings"), 2);
}

on_both_backends!(a_returned_dossier_is_rated_once);

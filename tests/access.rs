//! Every role on every route (issue 11, access rules): the table below is
//! the README's table of who may do what (`RULES` in
//! `tests/common/world.rs`), and the test calls each
//! operation of the OpenAPI document as each caller. A caller the table
//! allows is never refused (401 or 403); any other is refused, 401
//! without a token, 403 with one, whatever state the record is in. An
//! operation missing from the table fails the test, so a new route cannot
//! ship without its rule.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::world::{allowed, operations, rule, World, CALLERS, RULES};
use common::{Backend, TestServer};
use serde_json::json;

fn every_role_on_every_route(backend: Backend) {
    let s = TestServer::behind_proxy(backend);
    let world = World::new(&s);
    let doc = s.get("/api/v1/openapi.json", None).json;
    let ops = operations(&doc);
    let keys: Vec<String> = ops.iter().map(|o| o.key()).collect();
    for (key, _) in RULES {
        assert!(
            keys.iter().any(|k| k == key),
            "{key} is in the table but not in the document"
        );
    }
    let mut wrong = Vec::new();
    // Refusals first (they must change nothing), then the allowed calls;
    // logging out ends the session, so it goes last.
    let mut ordered = ops.clone();
    ordered.sort_by_key(|o| o.key() == "POST /api/v1/auth/logout");
    for op in &ordered {
        let rule = rule(op);
        assert_eq!(
            op.secured,
            rule != "public",
            "{}: the document's security and the rule disagree",
            op.key()
        );
        let (yes, no): (Vec<&str>, Vec<&str>) = CALLERS.iter().partition(|c| allowed(rule, c));
        for caller in no.iter().chain(yes.iter()) {
            let r = world.call(op, caller);
            let expected_refusal = match (allowed(rule, caller), *caller) {
                (true, _) => None,
                (false, "anonymous") => Some(401),
                (false, _) => Some(403),
            };
            let ok = match expected_refusal {
                None => r.status != 401 && r.status != 403 && r.status < 500,
                Some(code) => r.status == code,
            };
            if !ok {
                wrong.push(format!("{} as {caller}: {} {}", op.key(), r.status, r.text));
            }
            if r.status >= 400 {
                assert_eq!(
                    r.content_type,
                    "application/problem+json",
                    "{}: {}",
                    op.key(),
                    r.text
                );
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} calls disagree with the table:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// The case the issue found: a district officer saw a commune dossier's
/// code, procedure and due time on the due-soon list.
fn officers_see_their_own_agency_on_every_list(backend: Backend) {
    let s = TestServer::start(backend);
    let world = World::new(&s);
    let (code, _) = world.dossier();
    let district_officer = world.token("officer.huyen").unwrap();
    for path in [
        "/api/v1/breaches/due-soon?agency=H53.50.05.13",
        "/api/v1/worklist?agency=H53.50.05.13",
    ] {
        s.get(path, Some(district_officer))
            .assert_problem(403, "forbidden");
    }
    for path in [
        "/api/v1/breaches/due-soon",
        "/api/v1/worklist",
        "/api/v1/handovers/unacknowledged?older_than_minutes=0",
    ] {
        let r = s.get(path, Some(district_officer));
        assert_eq!(r.status, 200, "{}", r.text);
        assert!(!r.text.contains(&code), "{path} shows {code}: {}", r.text);
    }
    s.get(&format!("/api/v1/dossiers/{code}"), Some(district_officer))
        .assert_problem(403, "forbidden");
    // The district's supervisor sees below; the commune's officer sees it.
    for who in ["supervisor", "officer"] {
        let r = s.get("/api/v1/breaches/due-soon", world.token(who));
        assert!(r.text.contains(&code), "{who}: {}", r.text);
    }
    // Administrators read, never act.
    let admin = world.token("admin");
    assert_eq!(
        s.get(&format!("/api/v1/dossiers/{code}"), admin).status,
        200
    );
    s.post(
        &format!("/api/v1/dossiers/{code}/assign"),
        admin,
        &json!({"username": "officer"}),
    )
    .assert_problem(403, "forbidden");
}

on_both_backends!(
    every_role_on_every_route,
    officers_see_their_own_agency_on_every_list
);

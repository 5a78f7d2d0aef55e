//! Staff accounts that can be revoked (issue 11, accounts and tokens): a
//! disabled account, an ended session, a new role or agency take effect on
//! the next request, on every server of the database.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Backend, TestServer};
use motcua_store::events;
use serde_json::json;

fn me(s: &TestServer, token: &str) -> common::Response {
    s.get("/api/v1/me", Some(token))
}

fn user_events(s: &TestServer, user_id: &str) -> Vec<String> {
    events::for_subject(&mut s.conn(), "user", user_id)
        .unwrap()
        .into_iter()
        .map(|e| e.kind.as_str().to_string())
        .collect()
}

fn a_disabled_account_stops_at_once_on_every_server(backend: Backend) {
    let one = TestServer::start(backend);
    let two = TestServer::second(&one, |_| {});
    let admin = one.login("admin");
    // A second administrator, whose token is used on the other server.
    let rogue = one.create_user(&admin, "quan.tri.2", "admin", "H53");
    assert_eq!(me(&two, &rogue).status, 200);
    let r = one.patch(
        "/api/v1/users/quan.tri.2",
        Some(&admin),
        &json!({"active": false}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["active"], false);
    // The very next request, on either server, is refused; the disabled
    // administrator cannot create another one.
    for s in [&one, &two] {
        me(s, &rogue).assert_problem(401, "unauthorized");
        s.post(
            "/api/v1/users",
            Some(&rogue),
            &json!({"username": "ke.xau", "password": "mat-khau-dai", "full_name": "X",
                "role": "admin", "agency_code": "H53"}),
        )
        .assert_problem(401, "unauthorized");
    }
    assert_eq!(
        one.get("/api/v1/users", Some(&admin))
            .json
            .as_array()
            .unwrap()
            .iter()
            .filter(|u| u["username"] == "ke.xau")
            .count(),
        0
    );
    // It cannot log in either; enabled again it can, but the old token
    // stays ended.
    let login = two.try_login("quan.tri.2", "mat-khau-dai", None);
    login.assert_problem(401, "unauthorized");
    assert!(login.json["detail"].as_str().unwrap().contains("disabled"));
    one.patch(
        "/api/v1/users/quan.tri.2",
        Some(&admin),
        &json!({"active": true}),
    );
    me(&two, &rogue).assert_problem(401, "unauthorized");
    assert_eq!(
        two.try_login("quan.tri.2", "mat-khau-dai", None).status,
        200
    );
    let id = r.json["id"].as_str().unwrap();
    let kinds = user_events(&one, id);
    assert_eq!(
        kinds,
        [
            "user.created",
            "auth.login_succeeded",
            "user.updated",
            "auth.login_refused",
            "user.updated",
            "auth.login_succeeded"
        ]
    );
}

fn role_and_agency_changes_apply_on_the_next_request(backend: Backend) {
    let one = TestServer::start(backend);
    let two = TestServer::second(&one, |_| {});
    let admin = one.login("admin");
    let token = one.create_user(&admin, "can.bo", "officer", "H53.50.05.13");
    // An officer sees only their agency's worklist...
    two.get("/api/v1/worklist?agency=H53.50.21", Some(&token))
        .assert_problem(403, "forbidden");
    // ...made supervisor of the district, the same token reaches below it.
    let r = one.patch(
        "/api/v1/users/can.bo",
        Some(&admin),
        &json!({"role": "supervisor", "agency_code": "H53.50", "full_name": "Trần Văn Bình"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let now = me(&two, &token);
    assert_eq!(
        (
            now.json["role"].clone(),
            now.json["agency_code"].clone(),
            now.json["name"].clone()
        ),
        (json!("supervisor"), json!("H53.50"), json!("Trần Văn Bình"))
    );
    assert_eq!(
        two.get("/api/v1/worklist?agency=H53.50.21", Some(&token))
            .status,
        200
    );
    // Moved to a commune as a clerk: the district is out of reach again.
    one.patch(
        "/api/v1/users/can.bo",
        Some(&admin),
        &json!({"role": "clerk", "agency_code": "H53.50.05.13"}),
    );
    two.get("/api/v1/worklist?agency=H53.50.21", Some(&token))
        .assert_problem(403, "forbidden");
    // A password change ends every session.
    one.patch(
        "/api/v1/users/can.bo",
        Some(&admin),
        &json!({"password": "mat-khau-moi-1"}),
    );
    me(&two, &token).assert_problem(401, "unauthorized");
    assert_eq!(two.try_login("can.bo", "mat-khau-moi-1", None).status, 200);
}

fn logout_ends_one_session_and_an_admin_ends_them_all(backend: Backend) {
    let s = TestServer::start(backend);
    let admin = s.login("admin");
    let first = s.login("clerk");
    let second = s.login("clerk");
    let r = s.send("POST", "/api/v1/auth/logout", Some(&first), &[], None);
    assert_eq!(r.status, 204, "{}", r.text);
    me(&s, &first).assert_problem(401, "unauthorized");
    assert_eq!(me(&s, &second).status, 200, "other sessions go on");
    let third = s.login("clerk");
    let open = s.get("/api/v1/users/clerk/sessions", Some(&admin));
    assert_eq!(open.json.as_array().unwrap().len(), 2, "{}", open.text);
    let ended = s.send(
        "DELETE",
        "/api/v1/users/clerk/sessions",
        Some(&admin),
        &[],
        None,
    );
    assert_eq!(ended.json["ended"], 2, "{}", ended.text);
    me(&s, &second).assert_problem(401, "unauthorized");
    me(&s, &third).assert_problem(401, "unauthorized");
    // A clerk cannot end anyone's sessions, nor change accounts.
    let clerk = s.login("clerk");
    s.send(
        "DELETE",
        "/api/v1/users/admin/sessions",
        Some(&clerk),
        &[],
        None,
    )
    .assert_problem(403, "forbidden");
    s.patch(
        "/api/v1/users/clerk",
        Some(&clerk),
        &json!({"role": "admin"}),
    )
    .assert_problem(403, "forbidden");
    assert_eq!(me(&s, &clerk).json["role"], "clerk");
}

fn a_replayed_request_needs_a_live_session(backend: Backend) {
    let s = TestServer::start(backend);
    let clerk = s.login("clerk");
    let key = [
        ("Content-Type", "application/json"),
        ("Idempotency-Key", "k-1"),
    ];
    let body = common::birth_registration().to_string();
    let first = s.send("POST", "/api/v1/dossiers", Some(&clerk), &key, Some(&body));
    assert_eq!(first.status, 201, "{}", first.text);
    s.send("POST", "/api/v1/auth/logout", Some(&clerk), &[], None);
    // The kept answer holds the PIN: an ended session never gets it back.
    let replay = s.send("POST", "/api/v1/dossiers", Some(&clerk), &key, Some(&body));
    replay.assert_problem(401, "unauthorized");
    assert!(!replay.text.contains(first.json["pin"].as_str().unwrap()));
}

fn administrators_cannot_lock_the_desk_out(backend: Backend) {
    let s = TestServer::start(backend);
    let admin = s.login("admin");
    s.patch(
        "/api/v1/users/admin",
        Some(&admin),
        &json!({"active": false}),
    )
    .assert_problem(409, "conflict");
    s.patch(
        "/api/v1/users/admin",
        Some(&admin),
        &json!({"role": "clerk"}),
    )
    .assert_problem(409, "conflict");
    let other = s.create_user(&admin, "quan.tri.2", "admin", "H53");
    // With two administrators, one may disable the other, not the last.
    assert_eq!(
        s.patch(
            "/api/v1/users/admin",
            Some(&other),
            &json!({"active": false})
        )
        .status,
        200
    );
    s.patch(
        "/api/v1/users/quan.tri.2",
        Some(&other),
        &json!({"role": "officer"}),
    )
    .assert_problem(409, "conflict");
    // Bad changes name their field and change nothing.
    let bad = s.patch(
        "/api/v1/users/clerk",
        Some(&other),
        &json!({"agency_code": "H99.NOPE", "email": "not-an-address"}),
    );
    bad.assert_problem(422, "validation");
    let fields: Vec<_> = bad.json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["agency_code", "email"]);
    s.patch("/api/v1/users/clerk", Some(&other), &json!({}))
        .assert_problem(422, "validation");
    s.patch(
        "/api/v1/users/clerk",
        Some(&other),
        &json!({"rank": "general"}),
    )
    .assert_problem(422, "validation");
    s.patch(
        "/api/v1/users/nobody",
        Some(&other),
        &json!({"active": false}),
    )
    .assert_problem(404, "not-found");
    // The demo's staff have addresses, so their mail shows in a catcher;
    // an administrator changes or removes one.
    let users = s.get("/api/v1/users", Some(&other));
    let officer = users
        .json
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "officer")
        .unwrap();
    assert_eq!(
        officer["email"], "officer@demo.motcua.local",
        "{}",
        users.text
    );
    assert_eq!(
        s.patch(
            "/api/v1/users/clerk",
            Some(&other),
            &json!({"email": "lan@xa.example.vn"})
        )
        .json["email"],
        "lan@xa.example.vn"
    );
    assert_eq!(
        s.patch("/api/v1/users/clerk", Some(&other), &json!({"email": null}))
            .json["email"],
        json!(null)
    );
}

fn the_audit_trail_lists_changes_to_those_who_may_see_them(backend: Backend) {
    let s = TestServer::start(backend);
    let admin = s.login("admin");
    let lan = s.create_user(&admin, "lan.audit", "clerk", "H53.50.05.13");
    let id = me(&s, &lan).json["id"].as_str().unwrap().to_string();
    let r = s.patch(
        "/api/v1/users/lan.audit",
        Some(&admin),
        &json!({"full_name": "Lê Thị Lan"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let clerk = s.login("clerk");
    let r = s.post(
        "/api/v1/dossiers",
        Some(&clerk),
        &common::birth_registration(),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let code = r.json["code"].as_str().unwrap().to_string();

    let r = s.get("/api/v1/events?subject_type=user&actor=admin", Some(&admin));
    assert_eq!(r.status, 200, "{}", r.text);
    let kinds: Vec<&str> = r.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["subject_id"] == id.as_str())
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["user.updated", "user.created"], "newest first");
    let r = s.get("/api/v1/events?kind=user.updated&limit=1", Some(&admin));
    assert_eq!(
        (
            r.json["total"].as_i64(),
            r.json["items"][0]["subject_id"].as_str()
        ),
        (Some(1), Some(id.as_str()))
    );

    // A supervisor sees the dossiers within reach, not the accounts.
    let supervisor = s.login("supervisor");
    let r = s.get("/api/v1/events?subject_type=user", Some(&supervisor));
    assert_eq!(r.json["total"], 0, "{}", r.text);
    let r = s.get("/api/v1/events?kind=dossier.received", Some(&supervisor));
    assert_eq!(r.json["total"], 1, "{}", r.text);

    // Reads of personal data are recorded, and shown to administrators.
    let seen = s.get(&format!("/api/v1/dossiers/{code}"), Some(&clerk));
    assert_eq!(
        seen.json["reads"],
        json!([]),
        "only administrators see reads"
    );
    let r = s.get(
        &format!("/api/v1/dossiers/{code}/receipt"),
        Some(&supervisor),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let view = s
        .get(&format!("/api/v1/dossiers/{code}"), Some(&admin))
        .json;
    let reads: Vec<(&str, &str)> = view["reads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["actor_name"].as_str().unwrap(),
                e["data"]["what"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        reads,
        [
            ("Nguyễn Thị Lan", "view"),
            ("Lê Minh Châu", "receipt"),
            ("Quản trị hệ thống", "view")
        ]
    );
    let history = view["history"].as_array().unwrap();
    assert!(
        history.iter().all(|e| e["kind"] != "dossier.read"),
        "{history:?}"
    );
    let r = s.get("/api/v1/events?kind=dossier.read", Some(&admin));
    assert_eq!(r.json["total"], 3, "{}", r.text);

    s.get("/api/v1/events", Some(&clerk))
        .assert_problem(403, "forbidden");
    for bad in [
        "kind=no.such",
        "actor=nobody",
        "limit=0",
        "from=2026-12-09T00:00:00Z&to=2026-12-08T00:00:00Z",
    ] {
        let r = s.get(&format!("/api/v1/events?{bad}"), Some(&admin));
        assert_eq!(r.status, 422, "{bad}: {}", r.text);
    }
}

on_both_backends!(
    a_disabled_account_stops_at_once_on_every_server,
    role_and_agency_changes_apply_on_the_next_request,
    logout_ends_one_session_and_an_admin_ends_them_all,
    a_replayed_request_needs_a_live_session,
    administrators_cannot_lock_the_desk_out,
    the_audit_trail_lists_changes_to_those_who_may_see_them,
);

//! A supervisor's repairs over HTTP on both databases (docs/repairs.md):
//! reassign (in transit and acknowledged), recall, step back, correct the
//! appointment, reopen, and the bulk move with its preview. Each writes
//! one event, keeps what was done wrong on the record, and is refused to
//! the wrong role and to a supervisor outside the dossier's agencies.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{DateTime, Duration, Utc};
use common::{birth_registration, land_procedure_and_district_officer, Backend, TestServer};
use serde_json::{json, Value};

/// The land procedure's dossier at the commune desk, received.
fn land_dossier(s: &TestServer, clerk: &str) -> String {
    let r = s.post(
        "/api/v1/dossiers",
        Some(clerk),
        &json!({
            "procedure": "VT.DD.9",
            "applicant": {"name": "Đỗ Văn Hải", "id_number": "001090011111"},
            "documents": [{"code": "DON", "original": 1}]
        }),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    r.json["code"].as_str().unwrap().to_string()
}

fn view(s: &TestServer, token: &str, code: &str) -> Value {
    let r = s.get(&format!("/api/v1/dossiers/{code}"), Some(token));
    assert_eq!(r.status, 200, "{}", r.text);
    r.json
}

fn kinds(v: &Value) -> Vec<String> {
    v["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect()
}

fn count(kinds: &[String], kind: &str) -> usize {
    kinds.iter().filter(|k| *k == kind).count()
}

/// Sent to the wrong agency: recalled, reassigned in transit and after
/// acknowledgement, moved back a step; the slip keeps the mistake.
fn a_dossier_sent_astray_comes_back(backend: Backend) {
    let s = TestServer::start(backend);
    let admin = s.login("admin");
    land_procedure_and_district_officer(&s, &admin);
    let (clerk, officer, sup) = (s.login("clerk"), s.login("officer"), s.login("supervisor"));
    // A supervisor of another district office: outside the commune.
    let stranger = s.create_user(&admin, "giamsat.dat", "supervisor", "H53.50.21");
    let code = land_dossier(&s, &clerk);
    let post = |path: &str, token: &str, body: Value| {
        s.post(
            &format!("/api/v1/dossiers/{code}/{path}"),
            Some(token),
            &body,
        )
    };
    // The desk sends it on to the commune officers (step 1)...
    assert_eq!(post("send", &clerk, json!({"note": "Chuyển"})).status, 200);

    // ... recall: only supervisors, only theirs, with a reason.
    post("recall", &officer, json!({"reason": "Nhầm"})).assert_problem(403, "forbidden");
    post("recall", &stranger, json!({"reason": "Nhầm"})).assert_problem(403, "forbidden");
    post("recall", &sup, json!({"reason": " "})).assert_problem(422, "validation");
    let r = post(
        "recall",
        &sup,
        json!({"reason": "Chuyển nhầm khi chưa đủ hồ sơ"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["in_transit"], false);
    assert_eq!(r.json["current_step"], 0);
    assert_eq!(r.json["handling_agency_code"], "H53.50.05.13");
    post("recall", &sup, json!({"reason": "Lần nữa"})).assert_problem(409, "conflict");
    // The commune cannot acknowledge what was recalled.
    post("receive", &officer, json!({})).assert_problem(409, "conflict");

    // Sent again to step 1, acknowledged, forwarded to the district...
    assert_eq!(
        post("send", &clerk, json!({"note": "Chuyển lại"})).status,
        200
    );
    assert_eq!(post("receive", &officer, json!({})).status, 200);
    assert_eq!(
        post("send", &officer, json!({"note": "Trình huyện"})).status,
        200
    );
    // ... but the district's land office should have it: reassigned in
    // transit (the pending handover is recalled and replaced).
    post(
        "reassign",
        &sup,
        json!({"agency": "H53.50.21", "officer": "officer", "reason": "x"}),
    )
    .assert_problem(422, "validation");
    post("reassign", &sup, json!({"agency": "H53.99", "reason": "x"}))
        .assert_problem(422, "validation");
    let r = post(
        "reassign",
        &sup,
        json!({"agency": "H53.50.21", "reason": "Thuộc thẩm quyền Phòng Tài nguyên"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["handling_agency_code"], "H53.50.21");
    assert_eq!(r.json["in_transit"], true);
    assert_eq!(r.json["current_step"], 2);
    // The district (the wrong one) cannot acknowledge it any more.
    let district = s.try_login("canbo.huyen", "mat-khau-dai", None).json["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    post("receive", &district, json!({})).assert_problem(403, "forbidden");
    // Acknowledged at the land office, then reassigned back to the district
    // (after acknowledgement: the land office's leg closes).
    let land = s.create_user(&admin, "canbo.dat", "officer", "H53.50.21");
    assert_eq!(post("receive", &land, json!({})).status, 200);
    let r = post(
        "reassign",
        &sup,
        json!({"agency": "H53.50", "reason": "Phòng Tài nguyên trả lại, thuộc UBND huyện"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["handling_agency_code"], "H53.50");
    assert_eq!(r.json["current_step"], 2);
    assert_eq!(post("receive", &district, json!({})).status, 200);
    // To another officer of the district.
    s.create_user(&admin, "canbo.huyen2", "officer", "H53.50");
    let r = post(
        "reassign",
        &sup,
        json!({"officer": "canbo.huyen2", "reason": "Cán bộ thụ lý nghỉ phép"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.json["assigned_to"].is_string());
    post(
        "reassign",
        &sup,
        json!({"officer": "officer", "reason": "x"}),
    )
    .assert_problem(422, "validation");

    // A step closed too early: back to the commune's step, with a reason.
    post("step-back", &sup, json!({"step": 2, "reason": "x"})).assert_problem(422, "validation");
    post("step-back", &officer, json!({"step": 1, "reason": "x"})).assert_problem(403, "forbidden");
    let r = post(
        "step-back",
        &sup,
        json!({"step": 1, "reason": "Xã chưa xác minh đủ nguồn gốc đất"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["handling_agency_code"], "H53.50.05.13");
    assert_eq!(r.json["current_step"], 1);
    assert_eq!(r.json["in_transit"], true);
    assert_eq!(post("receive", &officer, json!({})).status, 200);

    // The record: one event per repair, the mistakes kept on the slip.
    let v = view(&s, &sup, &code);
    let k = kinds(&v);
    assert_eq!(count(&k, "dossier.recalled"), 1, "{k:?}");
    assert_eq!(count(&k, "dossier.reassigned"), 3, "{k:?}");
    assert_eq!(count(&k, "dossier.stepped_back"), 1, "{k:?}");
    let slip = s.get(&format!("/api/v1/dossiers/{code}/control-slip"), Some(&sup));
    assert_eq!(slip.status, 200, "{}", slip.text);
    let directions: Vec<&str> = slip.json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["direction"].as_str().unwrap())
        .collect();
    assert_eq!(
        directions,
        [
            "recalled",
            "forward",
            "recalled",
            "reassigned",
            "reassigned",
            "back"
        ],
        "{}",
        slip.text
    );
    // Nothing waits for an acknowledgement that will never come.
    let mut conn = s.conn();
    let pending =
        motcua_store::handovers::unacknowledged(&mut conn, &[], s.now() + Duration::days(1), 100)
            .unwrap();
    assert!(pending.is_empty(), "{pending:?}");
}

fn due(v: &Value) -> DateTime<Utc> {
    v["due_at"].as_str().unwrap().parse().unwrap()
}

/// A wrong appointment corrected with a reason and a decision: on the
/// ledger, the staff view and the citizen's look-up.
fn a_wrong_appointment_is_corrected(backend: Backend) {
    let s = TestServer::start(backend);
    let (clerk, officer, sup) = (s.login("clerk"), s.login("officer"), s.login("supervisor"));
    let r = s.post("/api/v1/dossiers", Some(&clerk), &birth_registration());
    assert_eq!(r.status, 201, "{}", r.text);
    let (code, pin) = (
        r.json["code"].as_str().unwrap().to_string(),
        r.json["pin"].as_str().unwrap().to_string(),
    );
    let printed = due(&r.json);
    let path = format!("/api/v1/dossiers/{code}/due-correction");
    let new_due = common::working_days_from_now(12);
    let body = json!({"due_at": new_due, "reason": "Ngày hẹn ghi nhầm từ phiếu giấy",
        "decision": "Biên bản số 12/BB-UBND"});
    s.post(&path, Some(&officer), &body)
        .assert_problem(403, "forbidden");
    s.post(
        &path,
        Some(&sup),
        &json!({"due_at": new_due, "reason": "x", "decision": ""}),
    )
    .assert_problem(422, "validation");
    // 2026-12-13 is a Sunday.
    s.post(
        &path,
        Some(&sup),
        &json!({"due_at": "2026-12-13T03:00:00Z", "reason": "x", "decision": "y"}),
    )
    .assert_problem(422, "validation");
    s.post(
        &path,
        Some(&sup),
        &json!({"due_at": printed, "reason": "x", "decision": "y"}),
    )
    .assert_problem(422, "validation");
    let r = s.post(&path, Some(&sup), &body);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(due(&r.json), new_due);
    assert_eq!(
        r.json["previous_due_at"]
            .as_str()
            .unwrap()
            .parse::<DateTime<Utc>>()
            .unwrap(),
        printed
    );
    // The staff view: a corrected step with its decision; the printed
    // appointment kept; the verdict measured against the corrected one.
    let v = view(&s, &sup, &code);
    assert_eq!(due(&v["clock"]), new_due);
    let printed_kept: DateTime<Utc> = v["clock"]["printed_appointment"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(printed_kept, printed);
    let steps = v["clock"]["steps"].as_array().unwrap();
    let step = steps.iter().find(|s| s["cause"] == "corrected").unwrap();
    assert!(
        step["detail"]
            .as_str()
            .unwrap()
            .contains("Biên bản số 12/BB-UBND"),
        "{step}"
    );
    assert_eq!(count(&kinds(&v), "dossier.due_corrected"), 1);
    // The ledger: one correction entry, nothing rewritten.
    let mut conn = s.conn();
    let id = motcua_store::dossiers::find_by_code(&mut conn, &code)
        .unwrap()
        .unwrap()
        .id;
    let entries = motcua_store::clock::entries(&mut conn, &id).unwrap();
    assert_eq!(
        entries.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(),
        ["start", "correction"]
    );
    assert_eq!(entries[1].new_due_at, Some(new_due));
    // The citizen sees the appointment moved.
    let public = s.get(&format!("/api/v1/public/dossiers/{code}?pin={pin}"), None);
    assert_eq!(public.status, 200, "{}", public.text);
    assert_eq!(public.json["appointment_moved"], true);
    assert_eq!(due(&public.json), new_due);
    let page = s.get(&format!("/?code={code}&pin={pin}"), None);
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("printed-appointment"), "{}", page.text);
    // A closed dossier has nothing to correct.
    assert_eq!(
        s.post(
            &format!("/api/v1/dossiers/{code}/processed"),
            Some(&officer),
            &json!({"result": "Giấy khai sinh"}),
        )
        .status,
        200
    );
    s.post(&path, Some(&sup), &body)
        .assert_problem(409, "conflict");
}

/// Closed by mistake: reopened within the window, refused after it.
fn a_dossier_closed_by_mistake_is_reopened(backend: Backend) {
    let s = TestServer::start(backend);
    let (clerk, officer, sup) = (s.login("clerk"), s.login("officer"), s.login("supervisor"));
    let receive = || {
        let r = s.post("/api/v1/dossiers", Some(&clerk), &birth_registration());
        assert_eq!(r.status, 201, "{}", r.text);
        r.json["code"].as_str().unwrap().to_string()
    };
    let post = |code: &str, path: &str, token: &str, body: Value| {
        s.post(
            &format!("/api/v1/dossiers/{code}/{path}"),
            Some(token),
            &body,
        )
    };
    let reason = json!({"reason": "Cán bộ bấm nhầm hồ sơ"});
    // Processed by mistake → processing again, its verdict cleared.
    let code = receive();
    assert_eq!(
        post(&code, "processed", &officer, json!({"result": "KQ"})).status,
        200
    );
    post(&code, "reopen", &officer, reason.clone()).assert_problem(403, "forbidden");
    post(&code, "reopen", &clerk, reason.clone()).assert_problem(403, "forbidden");
    let r = post(&code, "reopen", &sup, reason.clone());
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["status_code"], 4);
    assert_eq!(r.json["previous_status"], "processed");
    let v = view(&s, &sup, &code);
    assert!(v["clock"]["verdict"].is_null(), "{}", v["clock"]);
    assert!(v["clock"]["ended_at"].is_null());
    post(&code, "reopen", &sup, reason.clone()).assert_problem(409, "conflict");
    // It can be processed again, and returned; a return logged by
    // mistake goes back to "result ready".
    assert_eq!(
        post(&code, "processed", &officer, json!({"result": "KQ"})).status,
        200
    );
    assert_eq!(
        post(
            &code,
            "return",
            &clerk,
            json!({"collected_by": "An", "method": "counter"})
        )
        .status,
        200
    );
    let r = post(&code, "reopen", &sup, reason.clone());
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["status_code"], 9);
    assert_eq!(count(&kinds(&view(&s, &sup, &code)), "dossier.reopened"), 2);
    // A stop, beyond the window (120 hours): refused.
    let late = receive();
    assert_eq!(
        post(
            &late,
            "stop",
            &officer,
            json!({"reason": "Không đủ điều kiện"})
        )
        .status,
        200
    );
    s.clock.advance(Duration::hours(121));
    let (clerk, sup) = (s.login("clerk"), s.login("supervisor"));
    post(&late, "reopen", &sup, reason.clone()).assert_problem(409, "conflict");
    // An open dossier is not reopened.
    let r = s.post("/api/v1/dossiers", Some(&clerk), &birth_registration());
    let open = r.json["code"].as_str().unwrap().to_string();
    post(&open, "reopen", &sup, reason).assert_problem(409, "conflict");
}

/// Many dossiers at once: previewed, confirmed with the token, refused
/// when the selection changed, all or none.
fn many_dossiers_move_at_once(backend: Backend) {
    let s = TestServer::start(backend);
    let admin = s.login("admin");
    let (clerk, officer, sup) = (s.login("clerk"), s.login("officer"), s.login("supervisor"));
    s.create_user(&admin, "canbo.moi", "officer", "H53.50.05.13");
    let codes: Vec<String> = (0..3)
        .map(|_| {
            let r = s.post("/api/v1/dossiers", Some(&clerk), &birth_registration());
            r.json["code"].as_str().unwrap().to_string()
        })
        .collect();
    for c in &codes {
        let r = s.post(
            &format!("/api/v1/dossiers/{c}/assign"),
            Some(&officer),
            &json!({"username": "officer"}),
        );
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let request = |confirm: Option<&str>| {
        let mut body = json!({
            "filter": {"agency": "H53.50.05.13", "officer": "officer"},
            "officer": "canbo.moi",
            "reason": "Cán bộ nghỉ phép dài ngày"
        });
        if let Some(t) = confirm {
            body["confirm"] = json!(t);
        }
        body
    };
    s.post("/api/v1/repairs/reassign", Some(&officer), &request(None))
        .assert_problem(403, "forbidden");
    let preview = s.post("/api/v1/repairs/reassign", Some(&sup), &request(None));
    assert_eq!(preview.status, 200, "{}", preview.text);
    assert_eq!(preview.json["applied"], false);
    assert_eq!(preview.json["movable"], 3);
    let token = preview.json["token"].as_str().unwrap().to_string();
    // The preview wrote nothing.
    let v = view(&s, &sup, &codes[0]);
    assert_eq!(count(&kinds(&v), "dossier.reassigned"), 0);
    // The selection changes: a fourth dossier assigned to the officer.
    let r = s.post("/api/v1/dossiers", Some(&clerk), &birth_registration());
    let fourth = r.json["code"].as_str().unwrap().to_string();
    s.post(
        &format!("/api/v1/dossiers/{fourth}/assign"),
        Some(&officer),
        &json!({"username": "officer"}),
    );
    s.post(
        "/api/v1/repairs/reassign",
        Some(&sup),
        &request(Some(&token)),
    )
    .assert_problem(409, "conflict");
    // Preview again, confirm: all four move, each with its event and the
    // batch's id.
    let preview = s.post("/api/v1/repairs/reassign", Some(&sup), &request(None));
    assert_eq!(preview.json["movable"], 4);
    let token = preview.json["token"].as_str().unwrap().to_string();
    let done = s.post(
        "/api/v1/repairs/reassign",
        Some(&sup),
        &request(Some(&token)),
    );
    assert_eq!(done.status, 200, "{}", done.text);
    assert_eq!(done.json["applied"], true);
    let batch = done.json["batch"].as_str().unwrap().to_string();
    for c in codes.iter().chain([&fourth]) {
        let v = view(&s, &sup, c);
        let e = v["history"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["kind"] == "dossier.reassigned")
            .unwrap()
            .clone();
        assert_eq!(e["data"]["batch"], batch.as_str());
        assert_eq!(e["data"]["officer"], "canbo.moi");
    }
    // Nothing left to select.
    s.post("/api/v1/repairs/reassign", Some(&sup), &request(None))
        .assert_problem(422, "validation");
    // All or none: one dossier that cannot move (in transit) refuses the
    // whole move, and says which.
    let moving = s
        .post("/api/v1/dossiers", Some(&clerk), &birth_registration())
        .json["code"]
        .as_str()
        .unwrap()
        .to_string();
    let stay = s
        .post("/api/v1/dossiers", Some(&clerk), &birth_registration())
        .json["code"]
        .as_str()
        .unwrap()
        .to_string();
    s.post(
        &format!("/api/v1/dossiers/{moving}/send"),
        Some(&clerk),
        &json!({"note": "x"}),
    );
    let body = |confirm: Option<&str>| {
        let mut b = json!({"filter": {"agency": "H53.50.05.13", "codes": [moving, stay]},
            "officer": "officer", "reason": "Phân công lại"});
        if let Some(t) = confirm {
            b["confirm"] = json!(t);
        }
        b
    };
    let preview = s.post("/api/v1/repairs/reassign", Some(&sup), &body(None));
    assert_eq!(preview.status, 200, "{}", preview.text);
    assert_eq!(preview.json["movable"], 1);
    let refused = preview.json["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["code"] == moving.as_str())
        .unwrap();
    assert!(
        refused["refused"].as_str().unwrap().contains("in transit"),
        "{refused}"
    );
    let token = preview.json["token"].as_str().unwrap().to_string();
    let r = s.post("/api/v1/repairs/reassign", Some(&sup), &body(Some(&token)));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["applied"], false);
    assert_eq!(
        count(&kinds(&view(&s, &sup, &stay)), "dossier.reassigned"),
        0
    );
}

on_both_backends!(
    a_dossier_sent_astray_comes_back,
    a_wrong_appointment_is_corrected,
    a_dossier_closed_by_mistake_is_reopened,
    many_dossiers_move_at_once
);

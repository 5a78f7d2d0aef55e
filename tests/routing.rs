//! Interlinked processing end to end over HTTP on both backends: a
//! vertical commune → district → province flow with a return to an earlier
//! step, the control slip, worklists and the tracking book; payment,
//! withdrawal and return; every invalid transition refused (generated from
//! the status table); idempotent retries.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{birth_registration, count, Backend, TestServer};
use motcua_domain::Status;
use serde_json::{json, Value};

fn add_user(s: &TestServer, admin: &str, username: &str, role: &str, agency: &str) -> String {
    let r = s.post(
        "/api/v1/users",
        Some(admin),
        &json!({"username": username, "password": "mat-khau-dai", "full_name": format!("Cán bộ {username}"), "role": role, "agency_code": agency}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let login = s.post(
        "/api/v1/auth/token",
        None,
        &json!({"username": username, "password": "mat-khau-dai"}),
    );
    login.json["access_token"].as_str().unwrap().to_string()
}

/// A land-use procedure that climbs commune → district → province.
fn vertical_procedure(s: &TestServer, admin: &str) {
    let r = s.post(
        "/api/v1/procedures",
        Some(admin),
        &json!({
            "code": "VT.DD.1",
            "name": "Xác nhận nguồn gốc đất để cấp giấy phép",
            "field": "Đất đai",
            "agency_code": "H53.50.05.13",
            "duration": {"amount": 10, "unit": "working_days"},
            "required_documents": [{"code": "DON", "name": "Đơn đề nghị", "original": 1, "copies": 0}],
            "steps": [
                {"name": "Xác minh tại xã", "agency_code": "H53.50.05.13", "role": "officer", "share_percent": 20},
                {"name": "Thẩm định tại huyện", "agency_code": "H53.50", "role": "officer", "share_percent": 30},
                {"name": "Quyết định tại Sở", "agency_code": "H53.12", "role": "officer", "share_percent": 50}
            ]
        }),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["steps"].as_array().unwrap().len(), 3);
}

fn intake(s: &TestServer, clerk: &str, procedure: &str, docs: Value) -> String {
    let r = s.post(
        "/api/v1/dossiers",
        Some(clerk),
        &json!({"procedure": procedure, "applicant": {"name": "Đặng Văn Hùng", "id_number": "084200001234", "phone": "0987654321"}, "documents": docs}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    r.json["code"].as_str().unwrap().to_string()
}

fn vertical_flow_with_a_return_to_an_earlier_step(backend: Backend) {
    let s = TestServer::start(backend);
    let admin = s.login("admin");
    let clerk = s.login("clerk");
    let commune = s.login("officer");
    let district = add_user(&s, &admin, "canbo.huyen", "officer", "H53.50");
    let province = add_user(&s, &admin, "canbo.so", "officer", "H53.12");
    vertical_procedure(&s, &admin);
    // Plans whose shares do not add up are refused.
    let bad = s.post("/api/v1/procedures", Some(&admin), &json!({
        "code": "VT.DD.2", "name": "x", "field": "x", "agency_code": "H53.50.05.13",
        "duration": {"amount": 1, "unit": "working_days"},
        "steps": [{"name": "a", "agency_code": "H53.50", "role": "officer", "share_percent": 60}]
    }));
    bad.assert_problem(422, "validation");
    assert!(bad.text.contains("60%"));

    let code = intake(
        &s,
        &clerk,
        "VT.DD.1",
        json!([{"code": "DON", "original": 1}]),
    );
    let at = |what: &str| format!("/api/v1/dossiers/{code}/{what}");
    // The desk sends it on; only the holder can.
    s.post(&at("send"), Some(&district), &json!({}))
        .assert_problem(403, "forbidden");
    let r = s.post(
        &at("send"),
        Some(&clerk),
        &json!({"note": "Chuyển xã xác minh"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["status_code"], 4);
    assert_eq!(r.json["in_transit"], true);
    assert_eq!(r.json["current_step"], 1);
    // The desk's leg is due at the close of the day it received the
    // dossier: handed on that same day, on time.
    assert_eq!(r.json["leg_verdict"], "on_time");
    s.post(&at("send"), Some(&commune), &json!({}))
        .assert_problem(409, "conflict");
    // Not acknowledged yet: on the sender's list and the receiver's worklist.
    let pending = s.get(
        "/api/v1/handovers/unacknowledged?older_than_minutes=0",
        Some(&clerk),
    );
    assert_eq!(
        pending.json[0]["dossier_code"],
        code.as_str(),
        "{}",
        pending.text
    );
    let sup = s.login("supervisor");
    let pending = s.get(
        "/api/v1/handovers/unacknowledged?older_than_minutes=0",
        Some(&sup),
    );
    assert_eq!(pending.json.as_array().unwrap().len(), 1);
    s.post(&at("receive"), Some(&district), &json!({}))
        .assert_problem(403, "forbidden");
    let r = s.post(&at("receive"), Some(&commune), &json!({}));
    assert_eq!(r.json["in_transit"], false, "{}", r.text);
    // Commune → district.
    let r = s.post(&at("send"), Some(&commune), &json!({"note": "Đã xác minh"}));
    assert_eq!(r.json["handling_agency_code"], "H53.50", "{}", r.text);
    let work = s.get("/api/v1/worklist", Some(&district));
    assert_eq!(work.json["total"], 1, "{}", work.text);
    assert_eq!(work.json["items"][0]["incoming"], true);
    s.post(&at("receive"), Some(&district), &json!({}));
    // The district sends it back to the commune with a reason.
    s.post(&at("send"), Some(&district), &json!({"back_to_step": 1}))
        .assert_problem(422, "validation");
    s.post(
        &at("send"),
        Some(&district),
        &json!({"back_to_step": 3, "note": "x"}),
    )
    .assert_problem(422, "validation");
    let r = s.post(
        &at("send"),
        Some(&district),
        &json!({"back_to_step": 1, "note": "Thiếu biên bản xác minh ranh giới"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["handling_agency_code"], "H53.50.05.13");
    s.post(&at("receive"), Some(&commune), &json!({}));
    s.post(
        &at("send"),
        Some(&commune),
        &json!({"note": "Bổ sung biên bản"}),
    );
    s.post(&at("receive"), Some(&district), &json!({}));
    s.post(&at("send"), Some(&district), &json!({"note": "Trình Sở"}));
    s.post(&at("receive"), Some(&province), &json!({}));
    // At the last step there is no "next".
    s.post(&at("send"), Some(&province), &json!({}))
        .assert_problem(409, "conflict");
    let r = s.post(
        &at("processed"),
        Some(&province),
        &json!({"result": "Quyết định số 12/QĐ-SXD"}),
    );
    assert_eq!(r.json["status_code"], 9, "{}", r.text);
    let r = s.post(
        &at("return"),
        Some(&clerk),
        &json!({"collected_by": "Đặng Văn Hùng", "method": "counter"}),
    );
    assert_eq!(r.json["status_code"], 10, "{}", r.text);

    // The control slip: one row per handover with both times, giver,
    // receiver and the leg's verdict.
    let slip = s.get(&at("control-slip"), Some(&clerk));
    assert_eq!(slip.status, 200, "{}", slip.text);
    let rows = slip.json["rows"].as_array().unwrap();
    let hops: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["from_agency"].as_str().unwrap().into(),
                r["to_agency"].as_str().unwrap().into(),
            )
        })
        .collect();
    let h = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(
        hops,
        [
            h("H53.50.05.13", "H53.50.05.13"),
            h("H53.50.05.13", "H53.50"),
            h("H53.50", "H53.50.05.13"),
            h("H53.50.05.13", "H53.50"),
            h("H53.50", "H53.12"),
            // The last leg: the province decided and the result went back
            // to the desk, with that leg's own time and verdict.
            h("H53.12", "H53.50.05.13"),
        ]
    );
    let last = &rows[5];
    assert_eq!(last["direction"], "result", "{last}");
    assert_eq!(last["giver"], "Cán bộ canbo.so", "{last}");
    assert_eq!(
        last["leg_budget_seconds"],
        10 * 8 * 3600 / 2,
        "the province's 50%"
    );
    assert!(["early", "on_time", "late"].contains(&last["verdict"].as_str().unwrap()));
    let rows = &rows[..5];
    for r in rows {
        assert!(
            r["received_at"].is_string(),
            "every handover acknowledged: {r}"
        );
        assert!(["early", "on_time", "late"].contains(&r["verdict"].as_str().unwrap()));
        assert!(r["sent_at"].as_str().unwrap() <= r["received_at"].as_str().unwrap());
    }
    assert_eq!(rows[0]["giver"], "Nguyễn Thị Lan");
    assert_eq!(rows[0]["receiver"], "Trần Văn Bình");
    assert_eq!(rows[2]["direction"], "back");
    assert_eq!(rows[2]["note"], "Thiếu biên bản xác minh ranh giới");
    assert_eq!(
        rows[1]["leg_budget_seconds"],
        10 * 8 * 3600 / 5,
        "the commune's 20% of 10 days"
    );
    let html = s.send(
        "GET",
        &at("control-slip"),
        Some(&clerk),
        &[("Accept", "text/html")],
        None,
    );
    assert!(html
        .text
        .contains("Phiếu kiểm soát quá trình giải quyết hồ sơ"));
    assert!(html.text.contains("Sở Xây dựng tỉnh Trà Vinh"));
    assert!(html.text.contains("Chuyển trả: Thiếu biên bản"));

    // The tracking book of the commune desk, as JSON and CSV.
    let today = s.now().date_naive();
    let from = today - chrono::Duration::days(1);
    let to = today + chrono::Duration::days(1);
    let book = s.get(
        &format!("/api/v1/agencies/H53.50.05.13/tracking-book?from={from}&to={to}"),
        Some(&clerk),
    );
    assert_eq!(book.status, 200, "{}", book.text);
    let row = &book.json[0];
    assert_eq!(row["code"], code.as_str());
    // The chain's first leg stays in the commune (its clerk to its
    // officer): "sent to" is the district, where it went beyond the desk.
    assert_eq!(row["sent_to_agency"], "H53.50", "{}", book.text);
    assert_eq!(row["returned_to"], "Đặng Văn Hùng");
    assert!(row["result_back_at"].is_string());
    assert_eq!(row["contact"], "0987654321");
    let csv = s.get(
        &format!("/api/v1/agencies/H53.50.05.13/tracking-book?from={from}&to={to}&format=csv"),
        Some(&clerk),
    );
    assert!(csv.content_type.starts_with("text/csv"));
    assert!(csv.text.starts_with("STT,Mã hồ sơ"));
    assert!(csv.text.contains(&code));
    s.get(
        &format!("/api/v1/agencies/H53.50/tracking-book?from={from}&to={to}"),
        Some(&clerk),
    )
    .assert_problem(403, "forbidden");
    s.get(
        "/api/v1/agencies/H53.50.05.13/tracking-book?from=2026-13-01&to=2026-12-01",
        Some(&clerk),
    )
    .assert_problem(422, "validation");
}

fn payment_withdrawal_and_return(backend: Backend) {
    let s = TestServer::start(backend);
    let clerk = s.login("clerk");
    let officer = s.login("officer");
    let docs = json!([{"code": "TK", "original": 1}, {"code": "GCS", "original": 1}]);
    let code = intake(&s, &clerk, "1.001193", docs.clone());
    let at = |c: &str, what: &str| format!("/api/v1/dossiers/{c}/{what}");
    s.post(&at(&code, "send"), Some(&clerk), &json!({}));
    s.post(&at(&code, "receive"), Some(&officer), &json!({}));
    s.post(
        &at(&code, "payment-request"),
        Some(&officer),
        &json!({"amount_vnd": 0}),
    )
    .assert_problem(422, "validation");
    let r = s.post(
        &at(&code, "payment-request"),
        Some(&officer),
        &json!({"amount_vnd": 50000, "note": "Lệ phí cấp bản sao"}),
    );
    assert_eq!(r.json["status_code"], 6, "{}", r.text);
    let r = s.post(
        &at(&code, "paid"),
        Some(&clerk),
        &json!({"receipt_number": "BL-0001", "channel": "counter"}),
    );
    assert_eq!(r.json["status_code"], 4, "{}", r.text);
    s.post(
        &at(&code, "paid"),
        Some(&clerk),
        &json!({"channel": "counter"}),
    )
    .assert_problem(409, "invalid-transition");
    let r = s.post(
        &at(&code, "withdraw"),
        Some(&clerk),
        &json!({"reason": "Công dân xin rút hồ sơ"}),
    );
    assert_eq!(r.json["status_code"], 7, "{}", r.text);
    let view = s
        .get(&format!("/api/v1/dossiers/{code}"), Some(&clerk))
        .json;
    let kinds: Vec<_> = view["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "dossier.received",
            "dossier.sent",
            "dossier.handover_received",
            "dossier.payment_requested",
            "dossier.paid",
            "dossier.withdrawn"
        ]
    );
    // Returning a result needs who collected it and how.
    let code = intake(&s, &clerk, "1.001193", docs);
    s.post(&at(&code, "processed"), Some(&officer), &json!({}));
    s.post(
        &at(&code, "return"),
        Some(&clerk),
        &json!({"collected_by": "An", "method": "drone"}),
    )
    .assert_problem(422, "validation");
    let r = s.post(
        &at(&code, "return"),
        Some(&clerk),
        &json!({"collected_by": "Nguyễn Văn An", "method": "post"}),
    );
    assert_eq!(r.json["status_code"], 10, "{}", r.text);
}

/// Puts a fresh dossier in the given status through the API.
fn dossier_in(s: &TestServer, status: Status, clerk: &str, officer: &str) -> String {
    let docs = json!([{"code": "TK", "original": 1}, {"code": "GCS", "original": 1}]);
    let code = intake(s, clerk, "1.001193", docs);
    let at = |what: &str| format!("/api/v1/dossiers/{code}/{what}");
    let ok = |r: common::Response| assert_eq!(r.status, 200, "{}", r.text);
    let process = || {
        ok(s.post(&at("send"), Some(clerk), &json!({})));
        ok(s.post(&at("receive"), Some(officer), &json!({})));
    };
    match status {
        Status::Received => {}
        Status::Processing => process(),
        Status::SupplementRequested => ok(s.post(
            &at("supplement-request"),
            Some(officer),
            &json!({"reason": "r", "items": [{"name": "x"}]}),
        )),
        Status::AwaitingPayment => {
            process();
            ok(s.post(
                &at("payment-request"),
                Some(officer),
                &json!({"amount_vnd": 1000}),
            ));
        }
        Status::Withdrawn => ok(s.post(&at("withdraw"), Some(clerk), &json!({"reason": "r"}))),
        Status::Stopped => ok(s.post(&at("stop"), Some(officer), &json!({"reason": "r"}))),
        Status::Processed => ok(s.post(&at("processed"), Some(officer), &json!({}))),
        Status::Returned => {
            ok(s.post(&at("processed"), Some(officer), &json!({})));
            ok(s.post(
                &at("return"),
                Some(clerk),
                &json!({"collected_by": "x", "method": "counter"}),
            ));
        }
        Status::Submitted | Status::Refused => {
            unreachable!("online submissions are not part of this flow")
        }
    }
    code
}

fn every_invalid_transition_is_rejected(backend: Backend) {
    let s = TestServer::start(backend);
    let clerk = s.login("clerk");
    let officer = s.login("officer");
    // Each write that moves a dossier, with its target and who makes it.
    let actions: [(&str, Status, &str, Value); 8] = [
        (
            "supplement-request",
            Status::SupplementRequested,
            "officer",
            json!({"reason": "r", "items": [{"name": "x"}]}),
        ),
        (
            "supplement-received",
            Status::Processing,
            "clerk",
            json!({}),
        ),
        (
            "payment-request",
            Status::AwaitingPayment,
            "officer",
            json!({"amount_vnd": 1000}),
        ),
        (
            "paid",
            Status::Processing,
            "clerk",
            json!({"channel": "online"}),
        ),
        (
            "withdraw",
            Status::Withdrawn,
            "clerk",
            json!({"reason": "r"}),
        ),
        ("stop", Status::Stopped, "officer", json!({"reason": "r"})),
        ("processed", Status::Processed, "officer", json!({})),
        (
            "return",
            Status::Returned,
            "clerk",
            json!({"collected_by": "x", "method": "counter"}),
        ),
    ];
    let mut checked = 0;
    for from in Status::ALL {
        if matches!(from, Status::Submitted | Status::Refused) {
            continue;
        }
        let code = dossier_in(&s, from, &clerk, &officer);
        let before = s
            .get(&format!("/api/v1/dossiers/{code}"), Some(&clerk))
            .json;
        assert_eq!(before["status_code"], from.code(), "setting up {from:?}");
        for (what, to, who, body) in &actions {
            if from.can_move_to(*to) {
                continue;
            }
            let token = if *who == "clerk" { &clerk } else { &officer };
            let r = s.post(
                &format!("/api/v1/dossiers/{code}/{what}"),
                Some(token),
                body,
            );
            assert_eq!(
                r.status, 409,
                "{what} from {from:?} must be refused: {}",
                r.text
            );
            if r.json["type"] == "/problems/invalid-transition" {
                let allowed: Vec<Status> =
                    serde_json::from_value(r.json["allowed"].clone()).unwrap();
                assert_eq!(allowed, from.allowed_next(), "{what} from {from:?}");
            }
            checked += 1;
        }
        let after = s
            .get(&format!("/api/v1/dossiers/{code}"), Some(&clerk))
            .json;
        assert_eq!(
            after["status_code"],
            from.code(),
            "a refused move changed {from:?}"
        );
        assert_eq!(
            after["history"], before["history"],
            "a refused move wrote an event"
        );
    }
    assert!(checked >= 30, "only {checked} invalid moves checked");
}

fn idempotent_retries_write_once(backend: Backend) {
    let s = TestServer::start(backend);
    let clerk = s.login("clerk");
    let officer = s.login("officer");
    let body = birth_registration().to_string();
    let post = |path: &str, token: &str, key: &str, body: &str| {
        s.send(
            "POST",
            path,
            Some(token),
            &[
                ("Content-Type", "application/json"),
                ("Idempotency-Key", key),
            ],
            Some(body),
        )
    };
    let first = post("/api/v1/dossiers", &clerk, "terminal-7-0001", &body);
    assert_eq!(first.status, 201, "{}", first.text);
    assert!(!first.replayed);
    let retry = post("/api/v1/dossiers", &clerk, "terminal-7-0001", &body);
    assert_eq!(retry.status, 201);
    assert!(retry.replayed);
    assert_eq!(
        retry.json, first.json,
        "the retry gets the first answer, PIN included"
    );
    let mut conn = s.conn();
    assert_eq!(count(&mut conn, "dossiers"), 1);
    // The same key for another request is refused; another key is a new dossier.
    let mut other = birth_registration();
    other["applicant"]["name"] = json!("Người khác");
    post(
        "/api/v1/dossiers",
        &clerk,
        "terminal-7-0001",
        &other.to_string(),
    )
    .assert_problem(422, "idempotency-key-reused");
    let second = post("/api/v1/dossiers", &clerk, "terminal-7-0002", &body);
    assert_ne!(second.json["code"], first.json["code"]);
    // Keys belong to their user: the officer's key does not collide.
    let code = first.json["code"].as_str().unwrap();
    let send = post(
        &format!("/api/v1/dossiers/{code}/send"),
        &clerk,
        "send-1",
        "{}",
    );
    assert_eq!(send.status, 200, "{}", send.text);
    let again = post(
        &format!("/api/v1/dossiers/{code}/send"),
        &clerk,
        "send-1",
        "{}",
    );
    assert!(again.replayed);
    assert_eq!(again.json, send.json);
    let slip = s.get(
        &format!("/api/v1/dossiers/{code}/control-slip"),
        Some(&officer),
    );
    assert_eq!(
        slip.json["rows"].as_array().unwrap().len(),
        1,
        "one handover, not two"
    );
    // Errors are kept too (a 4xx is the first answer).
    let bad = post(
        "/api/v1/dossiers",
        &clerk,
        "terminal-7-0003",
        "{\"procedure\": 1}",
    );
    let bad_again = post(
        "/api/v1/dossiers",
        &clerk,
        "terminal-7-0003",
        "{\"procedure\": 1}",
    );
    assert_eq!(bad.status, 422);
    assert!(bad_again.replayed);
    assert_eq!(count(&mut conn, "dossiers"), 2);
}

fn online_submissions_are_accepted_or_refused(backend: Backend) {
    let s = TestServer::start_with(backend, |c| c.submissions_per_minute = 4);
    let clerk = s.login("clerk");
    let submitted = s.post("/api/v1/public/dossiers", None, &birth_registration());
    assert_eq!(submitted.status, 201, "{}", submitted.text);
    assert_eq!(submitted.json["status_code"], 1);
    assert_eq!(submitted.json["missing_documents"], json!([]));
    let reference = submitted.json["reference"].as_str().unwrap().to_string();
    let pin = submitted.json["pin"].as_str().unwrap().to_string();
    let public = s.get(
        &format!("/api/v1/public/submissions/{reference}?pin={pin}"),
        None,
    );
    assert_eq!(public.json["status_code"], 1, "{}", public.text);
    s.get(
        &format!("/api/v1/public/submissions/{reference}?pin=AAAAAA"),
        None,
    )
    .assert_problem(404, "not-found");
    let waiting = s.get("/api/v1/submissions", Some(&clerk));
    assert!(waiting
        .json
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["reference"] == reference.as_str()));
    // Only the addressed desk decides; accepting logs the dossier online.
    let other = s.login("clerk.huyen");
    s.post(
        &format!("/api/v1/submissions/{reference}/accept"),
        Some(&other),
        &json!({}),
    )
    .assert_problem(403, "forbidden");
    let accepted = s.post(
        &format!("/api/v1/submissions/{reference}/accept"),
        Some(&clerk),
        &json!({}),
    );
    assert_eq!(accepted.status, 201, "{}", accepted.text);
    let code = accepted.json["code"].as_str().unwrap();
    s.post(
        &format!("/api/v1/submissions/{reference}/accept"),
        Some(&clerk),
        &json!({}),
    )
    .assert_problem(409, "conflict");
    let view = s.get(&format!("/api/v1/dossiers/{code}"), Some(&clerk));
    assert_eq!(view.json["channel"], "online");
    assert_eq!(view.json["channel_code"], 2);
    let public = s.get(
        &format!("/api/v1/public/submissions/{reference}?pin={pin}"),
        None,
    );
    assert_eq!(public.json["status_code"], 2);
    assert_eq!(public.json["dossier_code"], code);
    // The citizen follows the dossier with the PIN they already have: no
    // new PIN was issued (none could reach them) ...
    assert_eq!(accepted.json["pin"], "", "{}", accepted.text);
    let dossier_view = s.get(&format!("/api/v1/public/dossiers/{code}?pin={pin}"), None);
    assert_eq!(dossier_view.status, 200, "{}", dossier_view.text);
    assert_eq!(dossier_view.json["status_code"], 2);
    // ... they are sent the same receipt as at the counter ...
    let admin = s.login("admin");
    let receipts = s.get(
        &format!("/api/v1/outbox?dossier={code}&kind=dossier_received"),
        Some(&admin),
    );
    assert_eq!(receipts.json["total"], 1, "{}", receipts.text);
    assert_eq!(receipts.json["items"][0]["recipient"], "an@example.vn");
    // ... and the submission's status follows the dossier's.
    let officer = s.login("officer");
    let r = s.post(
        &format!("/api/v1/dossiers/{code}/supplement-request"),
        Some(&officer),
        &json!({"reason": "Giấy chứng sinh bị mờ", "items": [{"name": "Giấy chứng sinh"}]}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let public = s.get(
        &format!("/api/v1/public/submissions/{reference}?pin={pin}"),
        None,
    );
    assert_eq!(public.json["status_code"], 5, "{}", public.text);
    assert!(public.json["due_at"].is_string(), "{}", public.text);
    // A PIN the desk reissues replaces the submission's on the dossier.
    let reissued = s.post(
        &format!("/api/v1/dossiers/{code}/pin"),
        Some(&clerk),
        &json!({}),
    );
    assert_eq!(reissued.status, 200, "{}", reissued.text);
    let new_pin = reissued.json["pin"].as_str().unwrap();
    s.get(&format!("/api/v1/public/dossiers/{code}?pin={pin}"), None)
        .assert_problem(404, "dossier-not-found");
    let r = s.get(
        &format!("/api/v1/public/dossiers/{code}?pin={new_pin}"),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text);

    // An incomplete submission cannot be accepted; it is refused in writing.
    let mut incomplete = birth_registration();
    incomplete["documents"] = json!([{"code": "TK", "original": 1}]);
    let r = s.post("/api/v1/public/dossiers", None, &incomplete);
    assert_eq!(r.json["missing_documents"][0]["code"], "GCS", "{}", r.text);
    let reference = r.json["reference"].as_str().unwrap().to_string();
    let pin = r.json["pin"].as_str().unwrap().to_string();
    s.post(
        &format!("/api/v1/submissions/{reference}/accept"),
        Some(&clerk),
        &json!({}),
    )
    .assert_problem(422, "incomplete-dossier");
    s.post(
        &format!("/api/v1/submissions/{reference}/refuse"),
        Some(&clerk),
        &json!({"reason": ""}),
    )
    .assert_problem(422, "validation");
    let refused = s.post(
        &format!("/api/v1/submissions/{reference}/refuse"),
        Some(&clerk),
        &json!({"reason": "Thiếu Giấy chứng sinh"}),
    );
    assert_eq!(refused.status, 200, "{}", refused.text);
    assert_eq!(refused.json["reason"], "Thiếu Giấy chứng sinh");
    let html = s.send(
        "GET",
        &format!("/api/v1/submissions/{reference}/refusal"),
        Some(&clerk),
        &[("Accept", "text/html")],
        None,
    );
    assert!(html
        .text
        .contains("Phiếu từ chối tiếp nhận giải quyết hồ sơ"));
    assert!(html.text.contains("Thiếu Giấy chứng sinh"));
    let public = s.get(
        &format!("/api/v1/public/submissions/{reference}?pin={pin}"),
        None,
    );
    assert_eq!(public.json["status_code"], 3);
    assert_eq!(public.json["refusal_reason"], "Thiếu Giấy chứng sinh");

    // Rate limited per client address (4 a minute in this test).
    s.post("/api/v1/public/dossiers", None, &birth_registration());
    s.post("/api/v1/public/dossiers", None, &birth_registration());
    s.post("/api/v1/public/dossiers", None, &birth_registration())
        .assert_problem(429, "rate-limited");
}

on_both_backends!(
    online_submissions_are_accepted_or_refused,
    vertical_flow_with_a_return_to_an_earlier_step,
    payment_withdrawal_and_return,
    every_invalid_transition_is_rejected,
    idempotent_retries_write_once,
);

fn interlinked_group_across_three_agencies(backend: Backend) {
    let s = TestServer::start(backend);
    let admin = s.login("admin");
    let clerk = s.login("clerk");
    let justice = s.login("officer");
    let police = add_user(&s, &admin, "cong.an.xa", "officer", "H53.50.05.13.01");
    let insurance = add_user(&s, &admin, "bhxh.huyen", "officer", "H53.50.22");
    let group = s.get("/api/v1/procedures/LT.KS-TT-BHYT", None);
    assert_eq!(
        group.json["members"],
        json!(["1.001193", "1.004222", "1.001234"])
    );
    let r = s.post(
        "/api/v1/dossiers",
        Some(&clerk),
        &json!({
            "procedure": "LT.KS-TT-BHYT",
            "applicant": {"name": "Lý Thị Hồng", "id_number": "084190005555"},
            "documents": [{"code": "TK", "original": 1}, {"code": "GCS", "original": 1}, {"code": "TKTT", "original": 1}, {"code": "TKBH", "original": 1}]
        }),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let code = r.json["code"].as_str().unwrap().to_string();
    let pin = r.json["pin"].as_str().unwrap().to_string();
    let view = s
        .get(&format!("/api/v1/dossiers/{code}"), Some(&clerk))
        .json;
    let members = view["members"].as_array().unwrap();
    let agencies: Vec<_> = members
        .iter()
        .map(|m| m["agency_code"].as_str().unwrap())
        .collect();
    assert_eq!(agencies, ["H53.50.05.13", "H53.50.05.13.01", "H53.50.22"]);
    // Each member has its own clock: the insurance card's 5 working days
    // end before the group's 10.
    assert!(members[2]["due_at"].as_str().unwrap() < view["due_at"].as_str().unwrap());
    let member_codes: Vec<String> = members
        .iter()
        .map(|m| m["code"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(member_codes[0], format!("{code}-1"));

    // The desk sends each member to its agency, which receives and decides.
    for (member, officer) in member_codes.iter().zip([&justice, &police, &insurance]) {
        let r = s.post(
            &format!("/api/v1/dossiers/{member}/send"),
            Some(&clerk),
            &json!({"note": "Chuyển liên thông"}),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        let parent = s
            .get(&format!("/api/v1/dossiers/{code}"), Some(&clerk))
            .json;
        assert_eq!(
            parent["status_code"], 4,
            "the group is being processed once a member is"
        );
        assert_eq!(
            s.post(
                &format!("/api/v1/dossiers/{member}/receive"),
                Some(officer),
                &json!({})
            )
            .status,
            200
        );
    }
    // Officers only act on their own agency's member: not the police on
    // the insurance card, nor the commune above the police on theirs.
    for (member, officer) in [(2, &police), (1, &justice)] {
        s.post(
            &format!("/api/v1/dossiers/{}/processed", member_codes[member]),
            Some(officer),
            &json!({}),
        )
        .assert_problem(403, "forbidden");
    }
    // The group itself ends with its last member, never before: marking it
    // processed or stopped names the members still open.
    for (action, body) in [("processed", json!({})), ("stop", json!({"reason": "x"}))] {
        let r = s.post(
            &format!("/api/v1/dossiers/{code}/{action}"),
            Some(&justice),
            &body,
        );
        r.assert_problem(409, "conflict");
        for member in &member_codes {
            assert!(r.text.contains(member.as_str()), "{}", r.text);
        }
    }
    for (member, officer) in member_codes.iter().zip([&justice, &police, &insurance]) {
        let public = s.get(&format!("/api/v1/public/dossiers/{code}?pin={pin}"), None);
        assert_eq!(
            public.json["status_code"], 4,
            "not done until every member is"
        );
        let r = s.post(
            &format!("/api/v1/dossiers/{member}/processed"),
            Some(officer),
            &json!({"result": "Đã giải quyết"}),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        // Early when decided on a day before the member's appointment; a
        // same-day member received before its cut-off is due today, so
        // deciding it now is on time.
        let due: chrono::DateTime<chrono::Utc> =
            r.json["due_at"].as_str().unwrap().parse().unwrap();
        let local =
            |t: chrono::DateTime<chrono::Utc>| (t + chrono::Duration::hours(7)).date_naive();
        let expected = if local(s.now()) < local(due) {
            "early"
        } else {
            "on_time"
        };
        assert_eq!(r.json["verdict"], expected, "{}", r.text);
        // Each member's control slip has its own leg.
        let slip = s.get(
            &format!("/api/v1/dossiers/{member}/control-slip"),
            Some(&clerk),
        );
        let rows = slip.json["rows"].as_array().unwrap();
        assert_eq!(rows.len(), 2, "{}", slip.text);
        assert_eq!(rows[0]["from_agency"], "H53.50.05.13");
        assert_eq!(rows[1]["direction"], "result");
        assert_eq!(rows[1]["verdict"], expected, "{}", slip.text);
    }
    let parent = s
        .get(&format!("/api/v1/dossiers/{code}"), Some(&clerk))
        .json;
    assert_eq!(parent["status_code"], 9);
    assert_eq!(parent["clock"]["verdict"], "early");
    let public = s.get(&format!("/api/v1/public/dossiers/{code}?pin={pin}"), None);
    assert_eq!(public.json["status_code"], 9);
    let parts: Vec<_> = public.json["parts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["status_code"].as_i64().unwrap())
        .collect();
    assert_eq!(parts, [9, 9, 9]);
    // One return at the desk returns every part.
    let r = s.post(
        &format!("/api/v1/dossiers/{code}/return"),
        Some(&clerk),
        &json!({"collected_by": "Lý Thị Hồng", "method": "counter"}),
    );
    assert_eq!(r.json["status_code"], 10, "{}", r.text);
    let parent = s
        .get(&format!("/api/v1/dossiers/{code}"), Some(&clerk))
        .json;
    assert!(parent["members"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["status_code"] == 10));
    // The tracking book: the group's row with its three sets, then each
    // member under it with the agency it went to; the numbers run on
    // without a gap (each member took one at intake).
    let today = s.now().date_naive();
    let book = s.get(
        &format!(
            "/api/v1/agencies/H53.50.05.13/tracking-book?from={}&to={}",
            today - chrono::Duration::days(1),
            today + chrono::Duration::days(1)
        ),
        Some(&clerk),
    );
    let rows = book.json.as_array().unwrap();
    assert_eq!(rows.len(), 4, "{}", book.text);
    assert_eq!(rows[0]["code"], code.as_str());
    assert_eq!(rows[0]["sets"], 3);
    assert_eq!(rows[0]["group"], json!(null));
    let first = rows[0]["book_entry"].as_i64().unwrap();
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(
            row["book_entry"].as_i64().unwrap(),
            first + i as i64,
            "{}",
            book.text
        );
    }
    for (row, (member, agency)) in rows[1..].iter().zip(member_codes.iter().zip([
        "H53.50.05.13",
        "H53.50.05.13.01",
        "H53.50.22",
    ])) {
        assert_eq!(row["code"], member.as_str());
        assert_eq!(row["group"], code.as_str());
        assert_eq!(row["sets"], 1);
        assert_eq!(row["sent_to_agency"], agency, "{}", book.text);
    }
}

/// A stop and a withdrawal each leave a written notice, printable, and the
/// citizen sees their reason on the public view.
fn stops_and_withdrawals_are_explained_in_writing(backend: Backend) {
    let s = TestServer::start(backend);
    let clerk = s.login("clerk");
    let officer = s.login("officer");
    let docs = json!([{"code": "TK", "original": 1}, {"code": "GCS", "original": 1}]);
    let intake_with_pin = || {
        let r = s.post(
            "/api/v1/dossiers",
            Some(&clerk),
            &json!({"procedure": "1.001193", "applicant": {"name": "Đặng Văn Hùng", "id_number": "084200001234"}, "documents": docs}),
        );
        assert_eq!(r.status, 201, "{}", r.text);
        (
            r.json["code"].as_str().unwrap().to_string(),
            r.json["pin"].as_str().unwrap().to_string(),
        )
    };
    let (stopped, stopped_pin) = intake_with_pin();
    let (withdrawn, withdrawn_pin) = intake_with_pin();
    s.get(&format!("/api/v1/dossiers/{stopped}/notice"), Some(&clerk))
        .assert_problem(409, "conflict");
    let r = s.post(
        &format!("/api/v1/dossiers/{stopped}/stop"),
        Some(&officer),
        &json!({"reason": "Người yêu cầu không thuộc diện được đăng ký"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    let r = s.post(
        &format!("/api/v1/dossiers/{withdrawn}/withdraw"),
        Some(&clerk),
        &json!({"reason": "Công dân xin rút để bổ sung giấy tờ"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    for (code, pin, kind, reason, by, title) in [
        (
            &stopped,
            &stopped_pin,
            "stopped",
            "Người yêu cầu không thuộc diện được đăng ký",
            "Trần Văn Bình",
            "Thông báo dừng giải quyết hồ sơ",
        ),
        (
            &withdrawn,
            &withdrawn_pin,
            "withdrawn",
            "Công dân xin rút để bổ sung giấy tờ",
            "Nguyễn Thị Lan",
            "Giấy xác nhận rút hồ sơ",
        ),
    ] {
        let public = s.get(&format!("/api/v1/public/dossiers/{code}?pin={pin}"), None);
        assert_eq!(public.json["reason"], reason, "{}", public.text);
        let notice = s.get(&format!("/api/v1/dossiers/{code}/notice"), Some(&clerk));
        assert_eq!(notice.status, 200, "{}", notice.text);
        assert_eq!(notice.json["kind"], kind);
        assert_eq!(notice.json["reason"], reason);
        assert_eq!(notice.json["decided_by"], by);
        let html = s.send(
            "GET",
            &format!("/api/v1/dossiers/{code}/notice"),
            Some(&clerk),
            &[("Accept", "text/html")],
            None,
        );
        assert!(html.content_type.starts_with("text/html"), "{}", html.text);
        assert!(
            html.text.contains(title) && html.text.contains(reason),
            "{}",
            html.text
        );
    }
    // A dossier still running has no reason to show.
    let (running, pin) = intake_with_pin();
    let public = s.get(
        &format!("/api/v1/public/dossiers/{running}?pin={pin}"),
        None,
    );
    assert_eq!(public.json["reason"], json!(null));
}

/// The desk hands a dossier on the day it receives it, never with more
/// time than the whole procedure has: for a two-hour procedure the desk's
/// leg is due when the dossier is, not a working day later.
fn the_desk_leg_of_a_short_procedure_fits_in_it(backend: Backend) {
    let s = TestServer::start(backend);
    let admin = s.login("admin");
    let clerk = s.login("clerk");
    let officer = s.login("officer");
    let r = s.post(
        "/api/v1/procedures",
        Some(&admin),
        &json!({
            "code": "2H.XN.1",
            "name": "Xác nhận tình trạng hôn nhân (rút gọn)",
            "field": "Hộ tịch",
            "agency_code": "H53.50.05.13",
            "duration": {"amount": 2, "unit": "working_hours"},
            "required_documents": [{"code": "TK", "name": "Tờ khai", "original": 1, "copies": 0}]
        }),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let code = intake(
        &s,
        &clerk,
        "2H.XN.1",
        json!([{"code": "TK", "original": 1}]),
    );
    // An hour and a half later (still inside the two hours), the desk
    // sends it on: on time, against a budget of at most two hours.
    s.clock.advance(chrono::Duration::minutes(90));
    let at = |what: &str| format!("/api/v1/dossiers/{code}/{what}");
    assert_eq!(s.post(&at("send"), Some(&clerk), &json!({})).status, 200);
    assert_eq!(
        s.post(&at("receive"), Some(&officer), &json!({})).status,
        200
    );
    let slip = s.get(&at("control-slip"), Some(&clerk));
    let desk = &slip.json["rows"][0];
    assert_eq!(desk["leg_budget_seconds"], 2 * 3600, "{}", slip.text);
    assert_eq!(desk["verdict"], "on_time", "{}", slip.text);
    // The officer decides an hour later: past the two hours, late.
    s.clock.advance(chrono::Duration::minutes(60));
    let r = s.post(&at("processed"), Some(&officer), &json!({"result": "Xong"}));
    assert_eq!(r.json["verdict"], "late", "{}", r.text);
    let slip = s.get(&at("control-slip"), Some(&clerk));
    let last = &slip.json["rows"][1];
    assert_eq!(last["direction"], "result", "{}", slip.text);
    assert_eq!(last["verdict"], "late", "{}", slip.text);
    assert_eq!(last["giver"], "Trần Văn Bình", "{}", slip.text);
}

/// A member is decided only once its agency acknowledged it, and a
/// returned group leaves the list of handovers waiting for one.
fn a_finished_group_leaves_the_unacknowledged_handovers(backend: Backend) {
    let s = TestServer::start(backend);
    let admin = s.login("admin");
    let clerk = s.login("clerk");
    let justice = s.login("officer");
    let police = add_user(&s, &admin, "cong.an.xa", "officer", "H53.50.05.13.01");
    let insurance = add_user(&s, &admin, "bhxh.huyen", "officer", "H53.50.22");
    let sup = s.login("supervisor");
    let r = s.post(
        "/api/v1/dossiers",
        Some(&clerk),
        &json!({
            "procedure": "LT.KS-TT-BHYT",
            "applicant": {"name": "Lý Thị Hồng", "id_number": "084190005555"},
            "documents": [{"code": "TK", "original": 1}, {"code": "GCS", "original": 1}, {"code": "TKTT", "original": 1}, {"code": "TKBH", "original": 1}]
        }),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let code = r.json["code"].as_str().unwrap().to_string();
    let members: Vec<String> = (1..=3).map(|i| format!("{code}-{i}")).collect();
    for member in &members {
        let r = s.post(
            &format!("/api/v1/dossiers/{member}/send"),
            Some(&clerk),
            &json!({}),
        );
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let waiting = |token: &str| -> Vec<String> {
        let r = s.get(
            "/api/v1/handovers/unacknowledged?older_than_minutes=0",
            Some(token),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        r.json
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["dossier_code"].as_str().unwrap().to_string())
            .collect()
    };
    let mut listed = waiting(&sup);
    listed.sort();
    assert_eq!(listed, members, "three handovers wait");
    // Not received yet: the police cannot stop theirs unseen.
    s.post(
        &format!("/api/v1/dossiers/{}/stop", members[1]),
        Some(&police),
        &json!({"reason": "Không đủ điều kiện"}),
    )
    .assert_problem(409, "conflict");
    for (member, officer) in members.iter().zip([&justice, &police, &insurance]) {
        let r = s.post(
            &format!("/api/v1/dossiers/{member}/receive"),
            Some(officer),
            &json!({}),
        );
        assert_eq!(r.status, 200, "{}", r.text);
    }
    assert!(waiting(&sup).is_empty());
    let r = s.post(
        &format!("/api/v1/dossiers/{}/stop", members[1]),
        Some(&police),
        &json!({"reason": "Không đủ điều kiện"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    for (member, officer) in [(0, &justice), (2, &insurance)] {
        let r = s.post(
            &format!("/api/v1/dossiers/{}/processed", members[member]),
            Some(officer),
            &json!({"result": "Xong"}),
        );
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let group = s.get(&format!("/api/v1/dossiers/{code}"), Some(&clerk));
    assert_eq!(group.json["status_code"], 9, "{}", group.text);
    let r = s.post(
        &format!("/api/v1/dossiers/{code}/return"),
        Some(&clerk),
        &json!({"collected_by": "Lý Thị Hồng", "method": "counter"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(waiting(&sup).is_empty());
    // Nor do they stay on anyone's worklist.
    for token in [&justice, &police, &insurance] {
        let list = s.get("/api/v1/worklist", Some(token));
        assert_eq!(list.json["total"], 0, "{}", list.text);
    }
}

fn officers_are_assigned_and_see_their_own(backend: Backend) {
    let s = TestServer::start(backend);
    let admin = s.login("admin");
    let clerk = s.login("clerk");
    let officer = s.login("officer");
    let other = add_user(&s, &admin, "canbo.xa2", "officer", "H53.50.05.13");
    let docs = json!([{"code": "TK", "original": 1}, {"code": "GCS", "original": 1}]);
    let mine = intake(&s, &clerk, "1.001193", docs.clone());
    let theirs = intake(&s, &clerk, "1.001193", docs);
    let assign = |code: &str, token: &str, who: Value| {
        s.post(
            &format!("/api/v1/dossiers/{code}/assign"),
            Some(token),
            &json!({"username": who}),
        )
    };
    assign(&mine, &clerk, json!("officer")).assert_problem(403, "forbidden");
    assign(&mine, &officer, json!("clerk")).assert_problem(422, "validation");
    assert_eq!(assign(&mine, &officer, json!("officer")).status, 200);
    let sup = s.login("supervisor");
    assert_eq!(
        assign(&theirs, &sup, json!("canbo.xa2")).status,
        200,
        "supervisors above assign too"
    );
    let list = s.get("/api/v1/worklist?assigned=me", Some(&officer));
    assert_eq!(list.json["total"], 1, "{}", list.text);
    assert_eq!(list.json["items"][0]["code"], mine.as_str());
    let list = s.get("/api/v1/worklist?assigned=me", Some(&other));
    assert_eq!(list.json["items"][0]["code"], theirs.as_str());
    let all = s.get("/api/v1/worklist", Some(&officer));
    assert_eq!(all.json["total"], 2, "the agency's list still shows both");
    // Handing the dossier on clears the assignment.
    assert_eq!(
        s.post(
            &format!("/api/v1/dossiers/{mine}/send"),
            Some(&clerk),
            &json!({})
        )
        .status,
        200
    );
    let list = s.get("/api/v1/worklist?assigned=me", Some(&officer));
    assert_eq!(list.json["total"], 0, "{}", list.text);
    let view = s
        .get(&format!("/api/v1/dossiers/{mine}"), Some(&officer))
        .json;
    assert!(view["history"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["kind"] == "dossier.assigned"));
}

on_both_backends!(
    interlinked_group_across_three_agencies,
    a_finished_group_leaves_the_unacknowledged_handovers,
    the_desk_leg_of_a_short_procedure_fits_in_it,
    stops_and_withdrawals_are_explained_in_writing,
    officers_are_assigned_and_see_their_own
);

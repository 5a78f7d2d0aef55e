//! The deadline clock end to end over HTTP on both backends: supplement
//! request and receipt, the one extension with its apology letter, the
//! verdict, calendar edits moving open dossiers, and breaches recorded
//! once with two servers on one database.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{DateTime, Utc};
use common::{Backend, TestServer};
use motcua_calendar::{CalendarSettings, WorkingCalendar, YearAdjustments};
use serde_json::{json, Value};

/// The calendar the server uses with default settings.
fn calendar() -> WorkingCalendar {
    WorkingCalendar::for_years(
        CalendarSettings::default(),
        2000..=2100,
        &YearAdjustments::vn_public_servants().unwrap(),
    )
}

fn time(v: &Value) -> DateTime<Utc> {
    v.as_str()
        .unwrap_or_else(|| panic!("not a time: {v}"))
        .parse()
        .unwrap()
}

/// A complete marriage registration at the demo commune: five working
/// days, supplement policy "pause".
fn five_day_dossier(s: &TestServer, clerk: &str) -> (String, String) {
    let r = s.post(
        "/api/v1/dossiers",
        Some(clerk),
        &json!({
            "procedure": "1.000894",
            "applicant": {"name": "Trần Thị Bích", "id_number": "084190000111", "email": "bich@example.vn"},
            "documents": [{"code": "TK", "original": 1}, {"code": "GTTT", "copies": 2}]
        }),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    (
        r.json["code"].as_str().unwrap().to_string(),
        r.json["pin"].as_str().unwrap().to_string(),
    )
}

fn history_kinds(view: &Value) -> Vec<String> {
    view["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect()
}

fn supplement_extension_and_verdict(backend: Backend) {
    let s = TestServer::start(backend);
    let cal = calendar();
    let clerk = s.login("clerk");
    let officer = s.login("officer");
    let (code, pin) = five_day_dossier(&s, &clerk);
    let view = |token: &str| s.get(&format!("/api/v1/dossiers/{code}"), Some(token)).json;
    let v0 = view(&officer);
    let received = time(&v0["received_at"]);
    let due0 = time(&v0["due_at"]);
    assert_eq!(
        due0,
        cal.due_at(received, &motcua_domain::StatutoryDuration::working_days(5))
    );
    assert_eq!(v0["clock"]["printed_appointment"], v0["due_at"]);

    // Only an officer of the handling agency asks for a supplement.
    let ask = json!({"reason": "Giấy chứng sinh bị mờ", "items": [{"code": "GCS", "name": "Giấy chứng sinh (bản rõ)"}]});
    let path = |what: &str| format!("/api/v1/dossiers/{code}/{what}");
    // Nothing was asked for yet: the desk is told so, not a status table.
    let r = s.post(&path("supplement-received"), Some(&clerk), &json!({}));
    r.assert_problem(409, "conflict");
    assert!(
        r.json["detail"]
            .as_str()
            .unwrap()
            .contains("is not waiting for a supplement"),
        "{}",
        r.text
    );
    s.post(&path("supplement-request"), Some(&clerk), &ask)
        .assert_problem(403, "forbidden");
    s.post(
        &path("supplement-request"),
        Some(&officer),
        &json!({"reason": "x", "items": []}),
    )
    .assert_problem(422, "validation");
    let r = s.post(&path("supplement-request"), Some(&officer), &ask);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["status_code"], 5);
    assert_eq!(r.json["paused"], true);
    assert_eq!(r.json["slip"]["number"], 1);
    assert_eq!(
        r.json["slip"]["items"][0]["name"],
        "Giấy chứng sinh (bản rõ)"
    );
    assert_eq!(r.json["counts_late"], false);
    // A paused dossier cannot be marked processed.
    let bad = s.post(&path("processed"), Some(&officer), &json!({}));
    bad.assert_problem(409, "invalid-transition");
    assert!(bad.json["allowed"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a == "processing"));

    // The citizen sees that the desk waits for them.
    let public = s.get(&format!("/api/v1/public/dossiers/{code}?pin={pin}"), None);
    assert_eq!(public.json["status_code"], 5);
    assert_eq!(public.json["waiting_for_supplement"], true);
    assert!(public.json["note_vi"].as_str().unwrap().contains("bổ sung"));
    let paused = view(&officer);
    let paused_at = time(&paused["clock"]["paused_since"]);
    assert_eq!(paused["clock"]["paused"], true);

    // The clerk logs the supplement: the clock resumes, moved by the wait.
    s.post(&path("supplement-received"), Some(&officer), &json!({}))
        .assert_problem(403, "forbidden");
    let r = s.post(
        &path("supplement-received"),
        Some(&clerk),
        &json!({"note": "Đã nhận bản rõ"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["status_code"], 4);
    assert_eq!(r.json["policy"], "pause");
    let v1 = view(&officer);
    let resumed_at = time(&v1["history"].as_array().unwrap().last().unwrap()["at"]);
    let waited = cal.working_seconds_between(paused_at, resumed_at);
    assert_eq!(r.json["shift_working_seconds"], waited);
    let due1 = if waited == 0 {
        due0
    } else {
        cal.add_working_seconds(due0, waited)
    };
    assert_eq!(time(&v1["due_at"]), due1);
    assert_eq!(v1["clock"]["paused"], false);
    assert_eq!(
        v1["clock"]["printed_appointment"], v0["due_at"],
        "the receipt's date stays visible"
    );
    let last = v1["history"].as_array().unwrap().last().unwrap();
    assert_eq!(last["kind"], "dossier.supplement_received");
    assert!(last["data"]["due_cause"]
        .as_str()
        .unwrap()
        .contains("resumed"));

    // A second request is allowed but makes the dossier late.
    let r = s.post(&path("supplement-request"), Some(&officer), &ask);
    assert_eq!(r.json["slip"]["number"], 2);
    assert_eq!(r.json["counts_late"], true);
    let r = s.post(&path("supplement-received"), Some(&clerk), &json!({}));
    assert_eq!(r.status, 200, "{}", r.text);
    let due2 = time(&view(&officer)["due_at"]);

    // The one extension, with its apology letter.
    let new_due = cal.add_working_seconds(due2, 2 * 8 * 3600);
    let ext = json!({"reason": "Chờ kết quả xác minh của Công an xã", "new_due_at": new_due});
    s.post(&path("extension"), Some(&clerk), &ext)
        .assert_problem(403, "forbidden");
    s.post(
        &path("extension"),
        Some(&officer),
        &json!({"reason": "x", "new_due_at": due0 - chrono::Duration::days(1)}),
    )
    .assert_problem(422, "validation");
    let r = s.post(&path("extension"), Some(&officer), &ext);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(time(&r.json["due_at"]), new_due);
    assert_eq!(time(&r.json["extension"]["previous_due_at"]), due2);
    assert_eq!(
        r.json["extension"]["late_notice"],
        cal.working_seconds_between(motcua_store::time::now(), due2) < 8 * 3600
    );
    let again = s.post(&path("extension"), Some(&officer), &ext);
    again.assert_problem(409, "conflict");
    assert!(again.json["detail"].as_str().unwrap().contains("once"));
    let letter = s.get(&path("apology-letter"), Some(&officer));
    assert_eq!(letter.status, 200, "{}", letter.text);
    assert_eq!(letter.json["reason"], "Chờ kết quả xác minh của Công an xã");
    assert_eq!(time(&letter.json["new_due_at"]), new_due);
    let html = s.send(
        "GET",
        &path("apology-letter"),
        Some(&officer),
        &[("Accept", "text/html")],
        None,
    );
    assert!(html
        .text
        .contains("Phiếu xin lỗi và hẹn lại ngày trả kết quả"));
    assert!(html.text.contains("Chờ kết quả xác minh của Công an xã"));
    assert!(html.text.contains(&code));
    let public = s.get(&format!("/api/v1/public/dossiers/{code}?pin={pin}"), None);
    assert_eq!(
        time(&public.json["due_at"]),
        new_due,
        "the public look-up shows the current appointment"
    );
    assert_eq!(public.json["waiting_for_supplement"], false);

    // Processed: late, because of the second supplement request.
    let r = s.post(
        &path("processed"),
        Some(&officer),
        &json!({"result": "Giấy khai sinh số 123"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["status_code"], 9);
    assert_eq!(r.json["verdict"], "late");
    let v = view(&officer);
    assert_eq!(v["clock"]["verdict"], "late");
    assert_eq!(
        v["clock"]["extension"]["reason"],
        "Chờ kết quả xác minh của Công an xã"
    );
    assert_eq!(
        v["clock"]["supplement_requests"].as_array().unwrap().len(),
        2
    );
    let causes: Vec<_> = v["clock"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["cause"].as_str().unwrap())
        .collect();
    assert_eq!(
        causes,
        ["received", "paused", "resumed", "paused", "resumed", "extended"]
    );
    assert_eq!(
        history_kinds(&v),
        [
            "dossier.received",
            "dossier.supplement_requested",
            "dossier.supplement_received",
            "dossier.supplement_requested",
            "dossier.supplement_received",
            "dossier.extended",
            "dossier.processed"
        ]
    );
    // Processed is final for the clock: only "returned" may follow.
    let again = s.post(&path("processed"), Some(&officer), &json!({}));
    again.assert_problem(409, "invalid-transition");
    assert_eq!(again.json["allowed"], json!(["returned"]));

    // Stopping needs a reason and is judged like any end of processing.
    let (code3, _) = five_day_dossier(&s, &clerk);
    s.post(
        &format!("/api/v1/dossiers/{code3}/stop"),
        Some(&officer),
        &json!({"reason": " "}),
    )
    .assert_problem(422, "validation");
    let r = s.post(
        &format!("/api/v1/dossiers/{code3}/stop"),
        Some(&officer),
        &json!({"reason": "Hồ sơ thuộc thẩm quyền của cơ quan khác"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["status_code"], 8);
    assert_eq!(r.json["verdict"], "early");
    s.post(
        &format!("/api/v1/dossiers/{code3}/processed"),
        Some(&officer),
        &json!({}),
    )
    .assert_problem(409, "invalid-transition");

    // A dossier processed at once, days before its appointment, is early.
    let (code2, _) = five_day_dossier(&s, &clerk);
    let r = s.post(
        &format!("/api/v1/dossiers/{code2}/processed"),
        Some(&officer),
        &json!({}),
    );
    assert_eq!(r.json["verdict"], "early", "{}", r.text);
}

fn calendar_edit_moves_open_dossiers(backend: Backend) {
    let s = TestServer::start(backend);
    let cal = calendar();
    let admin = s.login("admin");
    let clerk = s.login("clerk");
    let (code, _) = five_day_dossier(&s, &clerk);
    let before = s
        .get(&format!("/api/v1/dossiers/{code}"), Some(&clerk))
        .json;
    let due0 = time(&before["due_at"]);
    // The last working day before the due date becomes a day off.
    let mut day = cal.local_date(due0);
    loop {
        day = day.pred_opt().unwrap();
        if cal.is_working_day(day) {
            break;
        }
    }
    let edit = json!({"kind": "day_off", "reason": "Nghỉ đột xuất theo quyết định của UBND tỉnh"});
    s.put(&format!("/api/v1/calendar/days/{day}"), Some(&clerk), &edit)
        .assert_problem(403, "forbidden");
    s.put(
        &format!("/api/v1/calendar/days/{day}"),
        Some(&admin),
        &json!({"kind": "holiday", "reason": "x"}),
    )
    .assert_problem(422, "validation");
    let r = s.put(&format!("/api/v1/calendar/days/{day}"), Some(&admin), &edit);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["working"], false);
    assert_eq!(r.json["moved_dossiers"], json!([code]));
    let after = s
        .get(&format!("/api/v1/dossiers/{code}"), Some(&clerk))
        .json;
    let moved = cal.clone().with_overrides(&[(day, false, String::new())]);
    let received = time(&after["received_at"]);
    let due1 = time(&after["due_at"]);
    assert_eq!(
        due1,
        moved.due_at(received, &motcua_domain::StatutoryDuration::working_days(5))
    );
    assert!(due1 > due0);
    let last = after["history"].as_array().unwrap().last().unwrap();
    assert_eq!(last["kind"], "dossier.due_recomputed");
    assert!(last["data"]["due_cause"]
        .as_str()
        .unwrap()
        .contains(&day.to_string()));
    // The staff view explains the date: the receipt's step keeps the
    // appointment it had, and the edit is a step of its own with its cause.
    let steps = after["clock"]["steps"].as_array().unwrap();
    assert_eq!(steps[0]["cause"], "received");
    assert_eq!(time(&steps[0]["due_at"]), due0, "{steps:?}");
    let edit_step = steps.last().unwrap();
    assert_eq!(edit_step["cause"], "recalculated", "{steps:?}");
    assert_eq!(time(&edit_step["due_at"]), due1);
    assert_eq!(edit_step["shift_working_seconds"], 8 * 3600);
    let detail = edit_step["detail"].as_str().unwrap();
    assert!(
        detail.contains(&day.to_string()) && detail.contains("Nghỉ đột xuất"),
        "{detail}"
    );
    // The citizen, who gave an address, is told the new appointment.
    let mail = s.get(
        &format!("/api/v1/outbox?dossier={code}&kind=appointment_moved"),
        Some(&admin),
    );
    assert_eq!(mail.json["total"], 1, "{}", mail.text);
    let data = &mail.json["items"][0]["data"];
    assert!(
        data["reason"].as_str().unwrap().contains("Nghỉ đột xuất"),
        "{data}"
    );
    let new_day = cal.local(due1).format("%d/%m/%Y").to_string();
    assert!(
        data["new_appointment_at"]
            .as_str()
            .unwrap()
            .contains(&new_day),
        "{data}"
    );
    // The year's list shows it; the calculator uses it.
    let year = s.get(
        &format!("/api/v1/calendar/{}", chrono::Datelike::year(&day)),
        None,
    );
    assert!(year.json["days"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["date"] == day.to_string() && d["kind"] == "day_off"));
    // Removing the edit moves it back.
    let r = s.send(
        "DELETE",
        &format!("/api/v1/calendar/days/{day}"),
        Some(&admin),
        &[],
        None,
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["moved_dossiers"], json!([code]));
    let back = s
        .get(&format!("/api/v1/dossiers/{code}"), Some(&clerk))
        .json;
    assert_eq!(time(&back["due_at"]), due0);
    s.send(
        "DELETE",
        &format!("/api/v1/calendar/days/{day}"),
        Some(&admin),
        &[],
        None,
    )
    .assert_problem(404, "not-found");
}

fn due_date_calculator_knows_tet(backend: Backend) {
    let s = TestServer::start(backend);
    // Friday 13 Feb 2026 10:00 (UTC+7) + 3 working days: 5 h that Friday,
    // public servants off 14-22 Feb for Tết, Mon 23 and Tue 24 (16 h),
    // 3 h on Wed 25 → 10:00 on Wednesday 25 February.
    let r = s.post(
        "/api/v1/calendar/due-date",
        None,
        &json!({"received_at": "2026-02-13T03:00:00Z", "duration": {"amount": 3, "unit": "working_days"}}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["due_at"], "2026-02-25T03:00:00Z");
    assert_eq!(r.json["working_seconds"], 3 * 8 * 3600);
    let tet = s.get("/api/v1/calendar/2026", None);
    let days = tet.json["days"].as_array().unwrap();
    assert!(days
        .iter()
        .any(|d| d["date"] == "2026-02-17" && d["kind"] == "holiday"));
    assert!(
        days.iter().any(|d| d["date"] == "2026-04-26"),
        "Hùng Kings' day 2026 (10/3 lunar) is listed"
    );
    // The year's decisions are in: the New Year and National Day swaps,
    // with their documents; 2027 is not decided yet, so the rules alone.
    assert_eq!(tet.json["arrangements"], "decided", "{}", tet.text);
    assert!(tet.text.contains("9441/TB-BNV"), "{}", tet.text);
    for (date, working) in [
        ("2026-01-02", false),
        ("2026-01-10", true),
        ("2026-08-31", false),
        ("2026-08-22", true),
    ] {
        assert!(
            days.iter()
                .any(|d| d["date"] == date && d["working"] == working),
            "{date} {working}: {}",
            tet.text
        );
    }
    let next = s.get("/api/v1/calendar/2027", None);
    assert_eq!(next.json["arrangements"], "computed", "{}", next.text);
    assert_eq!(next.json["sources"], json!([]));
    for year in 2020..=2025 {
        let r = s.get(&format!("/api/v1/calendar/{year}"), None);
        assert_eq!(r.json["arrangements"], "decided", "{year}");
    }
    // By procedure code; unknown inputs are 422.
    let r = s.post(
        "/api/v1/calendar/due-date",
        None,
        &json!({"received_at": "2026-10-07T03:00:00Z", "procedure": "2.000720"}),
    );
    assert_eq!(r.json["due_at"], "2026-10-12T03:00:00Z", "{}", r.text);
    s.post(
        "/api/v1/calendar/due-date",
        None,
        &json!({"received_at": "2026-10-07T03:00:00Z"}),
    )
    .assert_problem(422, "validation");
}

on_both_backends!(
    supplement_extension_and_verdict,
    calendar_edit_moves_open_dossiers,
    due_date_calculator_knows_tet,
);

//! Citizens' feedback over HTTP on both databases: sent on the public
//! side, followed with its reference and PIN, handled by the agency step
//! by step against the statutory limits (each due time checked against
//! the desk's own due-date calculator), published without personal data;
//! the steps past their limit recorded by the scan or when taken late;
//! complaints and ratings counted by the results report and the service
//! index; bad input refused with nothing written; sending limited per
//! client.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{DateTime, Duration, Utc};
use common::{birth_registration, count, Backend, Response, TestServer};
use serde_json::{json, Value};

const COMMUNE: &str = "H53.50.05.13";

fn feedback(email: Option<&str>) -> Value {
    json!({
        "name": "Nguyễn Văn An",
        "email": email,
        "phone": "0912 345 678",
        "subject": "Thời gian chờ tại quầy",
        "content": "Tôi phải chờ hơn hai giờ để nộp hồ sơ.",
        "agency": COMMUNE,
        "procedure": "1.001193",
    })
}

fn at(v: &Value) -> DateTime<Utc> {
    v.as_str()
        .unwrap_or_else(|| panic!("not a time: {v}"))
        .parse()
        .unwrap()
}

/// The desk's own answer to "when is a step of `days` working days begun
/// at `from` due?".
fn due(s: &TestServer, from: DateTime<Utc>, days: u32) -> DateTime<Utc> {
    let r = s.post(
        "/api/v1/calendar/due-date",
        None,
        &json!({"received_at": from, "duration": {"amount": days, "unit": "working_days"}}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    at(&r.json["due_at"])
}

fn sent(s: &TestServer, body: &Value) -> (String, String) {
    let r = s.post("/api/v1/public/feedback", None, body);
    assert_eq!(r.status, 201, "{}", r.text);
    (
        r.json["reference"].as_str().unwrap().to_string(),
        r.json["pin"].as_str().unwrap().to_string(),
    )
}

fn step(s: &TestServer, token: &str, reference: &str, what: &str, body: Value) -> Response {
    s.post(
        &format!("/api/v1/feedback/{reference}/{what}"),
        Some(token),
        &body,
    )
}

fn feedback_is_handled_step_by_step_within_its_limits(backend: Backend) {
    let s = TestServer::start(backend);
    let (clerk, mut officer, mut supervisor, mut admin) = (
        s.login("clerk"),
        s.login("officer"),
        s.login("supervisor"),
        s.login("admin"),
    );
    let mut conn = s.conn();

    // Bad input: every problem named, nothing written.
    let mut no_contact = feedback(None);
    no_contact["phone"] = Value::Null;
    let r = s.post("/api/v1/public/feedback", None, &no_contact);
    r.assert_problem(422, "validation");
    assert!(r.text.contains("\"email\""), "{}", r.text);
    let mut nowhere = feedback(Some("an@example.vn"));
    nowhere["agency"] = Value::Null;
    let r = s.post("/api/v1/public/feedback", None, &nowhere);
    r.assert_problem(422, "validation");
    assert!(r.text.contains("\"agency\""), "{}", r.text);
    let mut unknown = feedback(Some("an@example.vn"));
    unknown["agency"] = json!("H99.99");
    unknown["procedure"] = json!("9.999999");
    let r = s.post("/api/v1/public/feedback", None, &unknown);
    r.assert_problem(422, "validation");
    assert!(
        r.text.contains("\"agency\"") && r.text.contains("\"procedure\""),
        "{}",
        r.text
    );
    let mut long = feedback(Some("an@example.vn"));
    long["content"] = json!("x".repeat(4001));
    s.post("/api/v1/public/feedback", None, &long)
        .assert_problem(422, "validation");
    let mut wrong_pin = feedback(None);
    wrong_pin["dossier_code"] = json!("H53.50.05.13-261208-0999");
    wrong_pin["dossier_pin"] = json!("000000");
    s.post("/api/v1/public/feedback", None, &wrong_pin)
        .assert_problem(404, "dossier-not-found");
    assert_eq!(count(&mut conn, "feedback"), 0);

    // Sent: a reference and a PIN; acceptance due in 2 working days.
    let r = s.post(
        "/api/v1/public/feedback",
        None,
        &feedback(Some("an@example.vn")),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let reference = r.json["reference"].as_str().unwrap().to_string();
    let pin = r.json["pin"].as_str().unwrap().to_string();
    assert!(reference.starts_with("PA-261208-"), "{reference}");
    assert_eq!(at(&r.json["step_due_at"]), due(&s, s.now(), 2));
    let follow = |pin: &str| {
        s.get(
            &format!("/api/v1/public/feedback/{reference}?pin={pin}"),
            None,
        )
    };
    follow("000000").assert_problem(404, "not-found");
    let r = follow(&pin);
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["status"], "received");
    assert_eq!(r.json["step_owed"], "accept");
    assert_eq!(r.json["procedure_code"], "1.001193");

    // Only its agency's officers and the supervisors above take steps.
    step(&s, &clerk, &reference, "accept", json!({})).assert_problem(403, "forbidden");
    step(&s, &admin, &reference, "accept", json!({})).assert_problem(403, "forbidden");
    let r = s.post(
        &format!("/api/v1/feedback/{reference}/accept"),
        None,
        &json!({}),
    );
    assert_eq!(r.status, 401, "{}", r.text);
    step(&s, &officer, &reference, "answer", json!({"answer": "Sớm"}))
        .assert_problem(409, "conflict");
    step(&s, &officer, &reference, "refuse", json!({"reason": "  "}))
        .assert_problem(422, "validation");

    // Accepted: the answer is due in 15 working days.
    s.clock.advance(Duration::hours(1));
    let r = step(&s, &officer, &reference, "accept", json!({}));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["status"], "accepted");
    assert_eq!(r.json["name"], "Nguyễn Văn An");
    assert_eq!(r.json["overdue"], false);
    assert_eq!(at(&r.json["step_due_at"]), due(&s, s.now(), 15));
    step(&s, &officer, &reference, "accept", json!({})).assert_problem(409, "conflict");

    // More information asked: nothing owed until the citizen replies,
    // then the answer is due 15 working days from the reply.
    let r = step(
        &s,
        &supervisor,
        &reference,
        "request-information",
        json!({"question": "Xin cho biết quầy đã nộp"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["status"], "information_requested");
    assert_eq!(r.json["step_due_at"], Value::Null);
    step(&s, &officer, &reference, "answer", json!({"answer": "Sớm"}))
        .assert_problem(409, "conflict");
    let info = format!("/api/v1/public/feedback/{reference}/information");
    s.post(&info, None, &json!({"pin": "000000", "reply": "Quầy 3"}))
        .assert_problem(404, "not-found");
    s.clock.advance(Duration::days(1));
    // Tokens last less than a day: log in again after the night.
    (officer, supervisor, admin) = (s.login("officer"), s.login("supervisor"), s.login("admin"));
    let r = s.post(&info, None, &json!({"pin": pin, "reply": "Quầy số 3"}));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["status"], "accepted");
    assert_eq!(r.json["information_reply"], "Quầy số 3");
    assert_eq!(at(&r.json["step_due_at"]), due(&s, s.now(), 15));
    s.post(&info, None, &json!({"pin": pin, "reply": "Lần nữa"}))
        .assert_problem(409, "conflict");
    step(
        &s,
        &officer,
        &reference,
        "request-information",
        json!({"question": "Lần hai"}),
    )
    .assert_problem(409, "conflict");

    // Answered (publish due in 2 working days), then published.
    let r = step(
        &s,
        &officer,
        &reference,
        "answer",
        json!({"answer": "Đã bố trí thêm một quầy buổi sáng"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(at(&r.json["step_due_at"]), due(&s, s.now(), 2));
    let r = s.get("/api/v1/public/feedback", None);
    assert_eq!(r.json["total"], 0, "{}", r.text);
    let r = step(
        &s,
        &officer,
        &reference,
        "publish",
        json!({"summary": "Chờ lâu tại quầy buổi sáng"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["status"], "published");
    let r = s.get("/api/v1/public/feedback", None);
    assert_eq!(r.json["total"], 1, "{}", r.text);
    let item = &r.json["items"][0];
    assert_eq!(item["reference"], reference.as_str());
    assert_eq!(item["summary"], "Chờ lâu tại quầy buổi sáng");
    assert_eq!(item["answer"], "Đã bố trí thêm một quầy buổi sáng");
    for personal in ["Nguyễn Văn An", "an@example.vn", "0912345678", "hai giờ"] {
        assert!(
            !r.text.contains(personal),
            "{personal} published: {}",
            r.text
        );
    }
    let r = s.get(&format!("/api/v1/public/feedback?agency={COMMUNE}"), None);
    assert_eq!(r.json["total"], 1, "{}", r.text);

    // Every step mailed the citizen and wrote its event.
    let r = s.get("/api/v1/outbox?kind=feedback_update&limit=50", Some(&admin));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["total"], 6, "{}", r.text);
    let r = s.get(
        "/api/v1/events?subject_type=feedback&limit=50",
        Some(&admin),
    );
    let mut kinds: Vec<&str> = r.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    kinds.reverse();
    assert_eq!(
        kinds,
        [
            "feedback.received",
            "feedback.accepted",
            "feedback.information_requested",
            "feedback.information_given",
            "feedback.answered",
            "feedback.published"
        ],
        "{}",
        r.text
    );
    // Closed: no breach, so on time in the service index.
    let r = s.get("/api/v1/reports/index?period=2026-12", Some(&supervisor));
    assert_eq!(r.status, 200, "{}", r.text);
    let m = measure(&r.json["total"], "feedback_on_time");
    assert_eq!(
        (m["numerator"].clone(), m["denominator"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(count(&mut conn, "feedback_breaches"), 0);
}

fn measure<'a>(line: &'a Value, code: &str) -> &'a Value {
    line["measures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {line}"))
}

fn steps_past_their_limit_are_breaches(backend: Backend) {
    let s = TestServer::start(backend);
    let (mut officer, mut admin) = (s.login("officer"), s.login("admin"));
    let (late_scanned, _) = sent(&s, &feedback(None));
    let (late_taken, _) = sent(&s, &feedback(None));
    let (on_time, _) = sent(&s, &feedback(None));
    let r = step(&s, &officer, &on_time, "accept", json!({}));
    assert_eq!(r.status, 200, "{}", r.text);
    let scan = |admin: &str| s.post("/api/v1/breaches/scan", Some(admin), &json!({}));
    assert_eq!(scan(&admin).json["feedback_overdue"], 0);

    // Three days on, two acceptances are late: one taken late records
    // its breach at once, the scan records the other, once.
    s.clock.advance(Duration::days(3));
    (officer, admin) = (s.login("officer"), s.login("admin"));
    let supervisor = s.login("supervisor");
    let r = step(&s, &officer, &late_taken, "accept", json!({}));
    assert_eq!(r.status, 200, "{}", r.text);
    let r = s.get("/api/v1/feedback?overdue=true", Some(&officer));
    assert_eq!(r.json["total"], 1, "{}", r.text);
    assert_eq!(r.json["items"][0]["reference"], late_scanned.as_str());
    assert_eq!(r.json["items"][0]["overdue"], true);
    // The officer's worklist counts what the agency owes.
    let r = s.get("/api/v1/worklist", Some(&officer));
    assert_eq!(
        r.json["feedback"],
        json!({"open": 3, "overdue": 1}),
        "{}",
        r.text
    );
    let r = scan(&admin);
    assert_eq!(r.json["feedback_overdue"], 1, "{}", r.text);
    assert_eq!(scan(&admin).json["feedback_overdue"], 0);
    let r = s.get("/api/v1/feedback-breaches", Some(&supervisor));
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["total"], 2, "{}", r.text);
    let mut breached: Vec<&str> = r.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            assert_eq!(b["step"], "accept");
            b["reference"].as_str().unwrap()
        })
        .collect();
    breached.sort();
    let mut expected = [late_scanned.as_str(), late_taken.as_str()];
    expected.sort();
    assert_eq!(breached, expected);
    // A district officer sees none of the commune's.
    let district = s.create_user(&admin, "officer.huyen", "officer", "H53.50");
    let r = s.get("/api/v1/feedback-breaches", Some(&district));
    assert_eq!(r.json["total"], 0, "{}", r.text);
    s.get(
        &format!("/api/v1/feedback-breaches?agency={COMMUNE}"),
        Some(&district),
    )
    .assert_problem(403, "forbidden");

    // Refused late: closed, not on time; the on-time one answered and
    // published within its limits.
    let r = step(
        &s,
        &officer,
        &late_scanned,
        "refuse",
        json!({"reason": "Trùng nội dung"}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["status"], "refused");
    for (what, body) in [
        ("answer", json!({"answer": "Đã khắc phục"})),
        ("publish", json!({"summary": "Chờ lâu"})),
    ] {
        let r = step(&s, &officer, &on_time, what, body);
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let r = s.get("/api/v1/reports/index?period=2026-12", Some(&supervisor));
    let m = measure(&r.json["total"], "feedback_on_time");
    assert_eq!(
        (
            m["numerator"].clone(),
            m["denominator"].clone(),
            m["percent"].clone()
        ),
        (json!(1), json!(2), json!(50.0)),
        "{m}"
    );
    let commune = r.json["agencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["key"] == COMMUNE)
        .unwrap();
    assert_eq!(measure(commune, "feedback_on_time")["denominator"], 2);
}

fn complaints_and_ratings_count_in_satisfaction(backend: Backend) {
    let s = TestServer::start(backend);
    let (clerk, officer, supervisor) =
        (s.login("clerk"), s.login("officer"), s.login("supervisor"));
    // Two dossiers handled and returned: one rated not satisfied, one
    // complained about (feedback with its code and PIN, accepted).
    let mut dossiers = Vec::new();
    for _ in 0..2 {
        let r = s.post("/api/v1/dossiers", Some(&clerk), &birth_registration());
        assert_eq!(r.status, 201, "{}", r.text);
        let code = r.json["code"].as_str().unwrap().to_string();
        let pin = r.json["pin"].as_str().unwrap().to_string();
        for (what, who, body) in [
            ("processed", &officer, json!({"result": "Giấy khai sinh"})),
            (
                "return",
                &clerk,
                json!({"collected_by": "Nguyễn Văn An", "method": "counter"}),
            ),
        ] {
            let r = s.post(&format!("/api/v1/dossiers/{code}/{what}"), Some(who), &body);
            assert!(r.status < 300, "{what}: {}", r.text);
        }
        dossiers.push((code, pin));
    }
    let (rated, rated_pin) = &dossiers[0];
    let r = s.post(
        &format!("/api/v1/public/dossiers/{rated}/rating"),
        None,
        &json!({"pin": rated_pin, "scores": [0, 0, 1, 1, 1, 1, 0, 1, 1], "overall": "not_satisfied"}),
    );
    assert_eq!(r.status, 201, "{}", r.text);
    let (complained, complained_pin) = &dossiers[1];
    let mut body = feedback(None);
    body["agency"] = Value::Null;
    body["dossier_code"] = json!(complained);
    body["dossier_pin"] = json!(complained_pin);
    let (reference, _) = sent(&s, &body);
    let r = s.get(&format!("/api/v1/feedback/{reference}"), Some(&officer));
    assert_eq!(r.json["dossier_code"], complained.as_str(), "{}", r.text);
    assert_eq!(r.json["agency_code"], COMMUNE);
    // Not a complaint until accepted.
    let report = || {
        let r = s.get(
            &format!("/api/v1/reports/results?agency={COMMUNE}&period=2026-12"),
            Some(&supervisor),
        );
        assert_eq!(r.status, 200, "{}", r.text);
        r.json["total"].clone()
    };
    let t = report();
    assert_eq!(
        (t["rated"].clone(), t["rated_not_satisfied"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(
        (t["complained"].clone(), t["dissatisfied"].clone()),
        (json!(0), json!(1))
    );
    assert_eq!(t["satisfied_rate"], 0.0);
    let r = step(&s, &officer, &reference, "accept", json!({}));
    assert_eq!(r.status, 200, "{}", r.text);
    let t = report();
    assert_eq!(
        (t["complained"].clone(), t["dissatisfied"].clone()),
        (json!(1), json!(2))
    );
    // The index: 100 − (late % + dissatisfied %) over the handled ones.
    let r = s.get(
        &format!("/api/v1/reports/index?agency={COMMUNE}&period=2026-12"),
        Some(&supervisor),
    );
    let m = measure(&r.json["total"], "satisfaction");
    let handled = t["handled"].as_u64().unwrap();
    let late = t["handled_late"].as_u64().unwrap();
    assert_eq!(m["numerator"], late + 2, "{m}");
    assert_eq!(m["denominator"], handled, "{m}");
    let expected = (100.0 - 100.0 * (late + 2) as f64 / handled as f64).max(0.0);
    assert!(
        (m["percent"].as_f64().unwrap() - expected).abs() < 0.01,
        "{m}"
    );
    assert!(m["missing"].as_array().unwrap().is_empty(), "{m}");
}

fn sending_is_limited_per_client(backend: Backend) {
    let s = TestServer::start_with(backend, |c| {
        common::trust_loopback(c);
        c.submissions_per_minute = 2;
    });
    let send = |client: &str| {
        s.send(
            "POST",
            "/api/v1/public/feedback",
            None,
            &[
                ("Content-Type", "application/json"),
                ("X-Forwarded-For", client),
            ],
            Some(&feedback(None).to_string()),
        )
    };
    assert_eq!(send("10.9.0.1").status, 201);
    assert_eq!(send("10.9.0.1").status, 201);
    let r = send("10.9.0.1");
    r.assert_problem(429, "rate-limited");
    assert!(r
        .header("retry-after")
        .is_some_and(|v| v.parse::<u64>().unwrap() > 0));
    assert_eq!(send("10.9.0.2").status, 201);
    let mut conn = s.conn();
    assert_eq!(count(&mut conn, "feedback"), 3);
}

on_both_backends!(
    feedback_is_handled_step_by_step_within_its_limits,
    steps_past_their_limit_are_breaches,
    complaints_and_ratings_count_in_satisfaction,
    sending_is_limited_per_client,
);
